//! `cchc bench ingest`: lifecycle events written through the app layer, one event per
//! transaction and batched, next to the physical limit measured in the same run.
//!
//! 1. One per transaction: dossiers received at the counter and carried through assign →
//!    decide → return with `create_dossier` and `act` (every rule, the hash chain, the
//!    projection, facts, rollups and outbox in each event's own transaction), by one clerk.
//! 2. Batched: the same lifecycles through `App::ingest`, `--batch` items per transaction.
//!
//! Both by one client (each step waits for the one before) and by `--clients` clients at
//! once, as a server sees them: the clients' rules, hashing and encoding run side by side on
//! the cores while their transactions take turns at the one writer.
//! 3. Physical limit: the dossier and event rows phase 2 wrote, read back and inserted again
//!    into empty tables of the same shape (same keys and indexes), as fast as the database
//!    takes rows: one multi-row INSERT after another in one transaction on SQLite, `COPY …
//!    FROM STDIN` on PostgreSQL. No rules, no hashing, no projection: the bare cost of storing
//!    the bytes.
//!
//! Runs on any database (empty or generated with `cchc bench generate`): it imports the
//! reference units and procedures if missing and works at Phường Quang Trung on 03/03/2025.

use cchc_app::accounts::NewAccount;
use cchc_app::dossiers::Action;
use cchc_app::ingest::{DossierRef, IngestItem};
use cchc_app::{App, Principal, Role};
use cchc_domain::procedure::Channel;
use clap::Args;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use crate::bench_core::{decide, new_dossier};
use crate::{Format, usage};

#[derive(Debug, Args)]
pub struct IngestBenchArgs {
    /// Dossiers carried through their lifecycle (4 events each) in the batched phase.
    #[arg(long, default_value_t = 2_000)]
    dossiers: usize,
    /// Dossiers in the one-event-per-transaction phase (default: as many as --dossiers).
    #[arg(long)]
    per_tx_dossiers: Option<usize>,
    /// Items per batch in the batched phase: a multiple of 4, so lifecycles stay whole.
    #[arg(long, default_value_t = 2_000)]
    batch: usize,
    /// Clients working at once in the concurrent runs of both phases.
    #[arg(long, default_value_t = 4)]
    clients: usize,
    /// Reference data directory (default ../shared/data).
    #[arg(long)]
    data: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Debug, Serialize)]
pub struct IngestReport {
    pub backend: String,
    pub dossiers_per_phase: usize,
    pub events_per_dossier: usize,
    pub batch_items: usize,
    pub clients: usize,
    /// One client, one event per transaction.
    pub per_tx_events_per_sec: f64,
    /// `clients` clients, one event per transaction each.
    pub per_tx_concurrent_events_per_sec: f64,
    /// One client, batches of `batch_items`.
    pub batched_events_per_sec: f64,
    /// `clients` clients, batches of `batch_items` each.
    pub batched_concurrent_events_per_sec: f64,
    pub limit_rows: usize,
    pub limit_method: String,
    pub limit_events_per_sec: f64,
    pub batched_of_limit: f64,
    pub per_tx_of_limit: f64,
}

async fn officer(app: &App, unit: &str) -> anyhow::Result<Principal> {
    let sys = Principal::system();
    let account = NewAccount {
        username: "bench.ingest".into(),
        password: "bench-password-123".into(),
        display_name: "Cán bộ đo ghi".into(),
        title: "Chuyên viên".into(),
        role: Role::Officer,
        unit_id: Some(unit.to_owned()),
    };
    Ok(match app.create_account(&sys, account).await {
        Ok(p) => p,
        Err(_) => {
            app.login("bench.ingest", "bench-password-123")
                .await?
                .principal
        }
    })
}

/// `n` lifecycles, one event per transaction.
async fn one_by_one(app: App, who: Principal, n: usize) -> anyhow::Result<()> {
    for _ in 0..n {
        let code = app.create_dossier(&who, new_dossier()).await?.code;
        for step in lifecycle(&who) {
            app.act(&who, &code, None, step).await?;
        }
    }
    Ok(())
}

/// `n` lifecycles in batches of `per_batch` lifecycles; the codes received.
async fn batched(
    app: App,
    who: Principal,
    n: usize,
    per_batch: usize,
) -> anyhow::Result<Vec<String>> {
    let mut codes = Vec::with_capacity(n);
    let mut left = n;
    while left > 0 {
        let k = left.min(per_batch);
        left -= k;
        let mut items = Vec::with_capacity(k * 4);
        for j in 0..k {
            items.push(IngestItem::Receive(new_dossier()));
            for step in lifecycle(&who) {
                items.push(IngestItem::Act {
                    dossier: DossierRef::Item(4 * j),
                    expected_version: None,
                    action: step,
                });
            }
        }
        let done = app.ingest(&who, items).await?;
        codes.extend(done.iter().step_by(4).map(|d| d.code.clone()));
    }
    Ok(codes)
}

/// Assign → decide → return, after the receipt.
fn lifecycle(who: &Principal) -> [Action; 3] {
    [
        Action::Assign {
            officer: who.account_id.clone(),
        },
        decide(),
        Action::Return {
            method: Channel::Counter,
        },
    ]
}

/// Runs `work(share)` on `clients` tasks at once, `total` split between them; seconds taken
/// and what each returned.
async fn at_once<F, Fut, T>(clients: usize, total: usize, work: F) -> anyhow::Result<(f64, Vec<T>)>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>> + Send + 'static,
    T: Send + 'static,
{
    let t = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..clients {
        let share = total / clients + usize::from(i < total % clients);
        tasks.spawn(work(share));
    }
    let mut out = Vec::with_capacity(clients);
    while let Some(done) = tasks.join_next().await {
        out.push(done??);
    }
    Ok((t.elapsed().as_secs_f64().max(1e-9), out))
}

pub fn run(args: &IngestBenchArgs, database_url: &str, out: &mut String) -> anyhow::Result<()> {
    if args.clients == 0 || args.clients > 64 {
        return Err(usage("--clients từ 1 đến 64"));
    }
    if args.dossiers == 0
        || args.batch < 4
        || !args.batch.is_multiple_of(4)
        || args.batch > cchc_app::ingest::MAX_INGEST_ITEMS
    {
        return Err(usage(format!(
            "--dossiers phải lớn hơn 0, --batch là bội của 4, từ 4 đến {}",
            cchc_app::ingest::MAX_INGEST_ITEMS
        )));
    }
    let dir = crate::runtime::reference_dir(args.data.clone())?;
    let report = crate::runtime::block_on(async {
        let app = crate::runtime::open_app(database_url, None)
            .await?
            .with_now(|| jiff::civil::date(2025, 3, 3).at(8, 0, 0, 0));
        let sys = Principal::system();
        if app.store().units().await?.is_empty() {
            app.import_units(&sys, crate::runtime::reference_units_in(&dir)?)
                .await?;
        }
        if app.store().procedure("1.004194").await?.is_none() {
            let csv = std::fs::read_to_string(dir.join("tthc_dvcqg_2642_procedures.csv"))?;
            app.import_procedures(&sys, &csv).await?;
        }
        let who = officer(&app, "w:23281").await?;

        // 1. One event per transaction: one client, then several.
        let per_tx_dossiers = args.per_tx_dossiers.unwrap_or(args.dossiers).max(1);
        let (per_tx, _) = at_once(1, per_tx_dossiers, |n| {
            one_by_one(app.clone(), who.clone(), n)
        })
        .await?;
        let (per_tx_concurrent, _) = at_once(args.clients, per_tx_dossiers, |n| {
            one_by_one(app.clone(), who.clone(), n)
        })
        .await?;

        // 2. Batched: whole lifecycles, `batch / 4` per transaction; one client, then several.
        let per_batch = args.batch / 4;
        let (batched_secs, mut codes) = at_once(1, args.dossiers, |n| {
            batched(app.clone(), who.clone(), n, per_batch)
        })
        .await?;
        let codes = codes.pop().unwrap_or_default();
        let (batched_concurrent, _) = at_once(args.clients, args.dossiers, |n| {
            batched(app.clone(), who.clone(), n, per_batch)
        })
        .await?;

        // 3. The same rows, stored bare.
        let (limit_rows, limit_secs, method) = app.store().bulk_copy_limit(&codes).await?;
        let events = (args.dossiers * 4) as f64;
        let limit_events_per_sec = events / limit_secs.max(1e-9);
        anyhow::Ok(IngestReport {
            backend: app.store().backend_name().to_owned(),
            dossiers_per_phase: args.dossiers,
            events_per_dossier: 4,
            batch_items: args.batch,
            clients: args.clients,
            per_tx_events_per_sec: (per_tx_dossiers * 4) as f64 / per_tx,
            per_tx_concurrent_events_per_sec: (per_tx_dossiers * 4) as f64 / per_tx_concurrent,
            batched_events_per_sec: events / batched_secs,
            batched_concurrent_events_per_sec: events / batched_concurrent,
            limit_rows,
            limit_method: method.to_owned(),
            limit_events_per_sec,
            batched_of_limit: events / batched_secs / limit_events_per_sec,
            per_tx_of_limit: (per_tx_dossiers * 4) as f64 / per_tx / limit_events_per_sec,
        })
    })??;
    match args.format {
        Format::Json => crate::calendar_cmd::print_json(out, &report)?,
        Format::Text => {
            writeln!(
                out,
                "Đo ghi sự kiện qua tầng ứng dụng ({}):",
                report.backend
            )?;
            writeln!(
                out,
                "  mỗi sự kiện một giao dịch: {:>9.0} sự kiện/giây ({:.0}% giới hạn vật lý)",
                report.per_tx_events_per_sec,
                report.per_tx_of_limit * 100.0
            )?;
            writeln!(
                out,
                "  mỗi sự kiện một giao dịch, {} máy khách: {:>9.0} sự kiện/giây",
                report.clients, report.per_tx_concurrent_events_per_sec
            )?;
            writeln!(
                out,
                "  theo lô {} mục:          {:>9.0} sự kiện/giây ({:.0}% giới hạn vật lý)",
                report.batch_items,
                report.batched_events_per_sec,
                report.batched_of_limit * 100.0
            )?;
            writeln!(
                out,
                "  theo lô {} mục, {} máy khách: {:>9.0} sự kiện/giây",
                report.batch_items, report.clients, report.batched_concurrent_events_per_sec
            )?;
            writeln!(
                out,
                "  giới hạn vật lý ({}, {} dòng): {:.0} sự kiện/giây",
                report.limit_method, report.limit_rows, report.limit_events_per_sec
            )?;
        }
    }
    Ok(())
}
