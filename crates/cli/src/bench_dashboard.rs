//! `cchc bench dashboard`: the indicator dashboard on a database as it is (typically made by
//! `cchc bench generate`): the province's scorecard and the raw measures of every unit for a
//! quarter and a year, the commune ranking, read from the rollups; then, with `--rebuild`,
//! the full rebuild of the rollups from the facts. p50/p99 of `--reps` after 3 warm-ups.

use cchc_app::Principal;
use cchc_domain::indicator::Period;
use cchc_domain::unit::UnitKind;
use serde::Serialize;
use std::fmt::Write as _;
use std::time::Instant;

use crate::bench_indicators::{QueryTiming, time_query};
use crate::{Format, usage};

#[derive(Debug, clap::Args)]
pub struct DashboardBenchArgs {
    /// The quarter shown (e.g. 2025-Q3).
    #[arg(long, default_value = "2025-Q3")]
    quarter: String,
    /// The year shown.
    #[arg(long, default_value_t = 2025)]
    year: i16,
    /// The unit whose scorecard is read (default: today's Quảng Ngãi, Kon Tum's successor).
    #[arg(long, default_value = "p2025:51")]
    unit: String,
    /// Measured repetitions per query.
    #[arg(long, default_value_t = 30)]
    reps: usize,
    /// Also time a full rebuild of the rollups from the facts.
    #[arg(long)]
    rebuild: bool,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Debug, Serialize)]
struct DashboardReport {
    backend: String,
    dossiers: i64,
    queries: Vec<QueryTiming>,
    rebuild_s: Option<f64>,
    rollup_rows: Option<u64>,
}

pub fn run(args: &DashboardBenchArgs, database_url: &str, out: &mut String) -> anyhow::Result<()> {
    if args.reps == 0 {
        return Err(usage("--reps phải lớn hơn 0"));
    }
    let quarter: Period = args
        .quarter
        .parse()
        .map_err(|e| usage(format!("--quarter {}: {e}", args.quarter)))?;
    let year = Period::year(args.year).map_err(|e| usage(format!("--year: {e}")))?;
    let report = crate::runtime::block_on(async {
        let app = crate::runtime::open_app(database_url, None).await?;
        let sys = Principal::system();
        if app.units()?.get(&args.unit).is_none() {
            return Err(usage(format!("không có đơn vị {}", args.unit)));
        }
        let (dossiers, _) = app.store().facts_coverage().await?;
        let reps = args.reps;
        let mut queries = Vec::new();
        for (label, p) in [("quarter", &quarter), ("year", &year)] {
            queries.push(
                time_query(&format!("scorecard ({label})"), p, reps, || {
                    app.unit_scorecard(&sys, &args.unit, p)
                })
                .await?,
            );
            queries.push(
                time_query(&format!("measures_by_unit ({label})"), p, reps, || {
                    app.measures_by_unit(p)
                })
                .await?,
            );
        }
        queries.push(
            time_query("commune ranking (quarter)", &quarter, reps, || {
                app.ranking(
                    &quarter,
                    Some(UnitKind::Commune),
                    None,
                    cchc_app::indicators::MIN_RANK_VOLUME,
                )
            })
            .await?,
        );
        let (rebuild_s, rollup_rows) = if args.rebuild {
            let t = Instant::now();
            let r = app.rebuild_indicators(false).await?;
            (Some(t.elapsed().as_secs_f64()), Some(r.rollup_rows))
        } else {
            (None, None)
        };
        anyhow::Ok(DashboardReport {
            backend: app.store().backend_name().to_owned(),
            dossiers,
            queries,
            rebuild_s,
            rollup_rows,
        })
    })??;
    match args.format {
        Format::Json => crate::calendar_cmd::print_json(out, &report)?,
        Format::Text => {
            let json = serde_json::to_string_pretty(&report)?;
            writeln!(
                out,
                "Đo bảng điều khiển chỉ số ({} hồ sơ):",
                report.dossiers
            )?;
            writeln!(out, "{json}")?;
        }
    }
    Ok(())
}
