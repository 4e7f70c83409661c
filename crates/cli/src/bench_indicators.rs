//! `cchc bench indicators` (owned by the indicators benchmark).

/// Options.
#[derive(Debug, clap::Args)]
pub struct IndicatorsBenchArgs {}

pub fn run(_args: &IndicatorsBenchArgs, _url: &str, _out: &mut String) -> anyhow::Result<()> {
    anyhow::bail!("bench indicators: under construction")
}
