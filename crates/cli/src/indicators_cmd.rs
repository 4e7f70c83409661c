//! `cchc indicators` (owned by the indicators CLI).

/// Options.
#[derive(Debug, clap::Args)]
pub struct IndicatorsArgs {}

pub fn run(_args: &IndicatorsArgs, _url: &str, _out: &mut String) -> anyhow::Result<()> {
    anyhow::bail!("indicators: under construction")
}
