//! `cchc bench core`: the one-stop core's throughput and lookup latency.
//!
//! 1. Lifecycle: dossiers received at the counter and carried through assign → decide → return
//!    via the app layer (every rule, the hash chain, the projection), one at a time and with 8
//!    concurrent clerks.
//! 2. Fill: more dossiers written straight through the store (sealed events, one transaction
//!    each) up to the stored total, so lookups run against a realistically large table.
//! 3. Lookup: the public lookup by code and secret (what a citizen's phone calls), p50/p99.

use cchc_app::accounts::NewAccount;
use cchc_app::dossiers::{Action, ApplicantInput, NewDossier};
use cchc_app::{App, Principal, Role};
use cchc_domain::dossier::{
    Actor, Applicant, ApplicantKind, Dossier, DossierCode, Event, EventBody, EventKind,
    GENESIS_HASH, Outcome, ResultDoc,
};
use cchc_domain::procedure::Channel;
use clap::Args;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::{Format, usage};

#[derive(Debug, Args)]
pub struct CoreBenchArgs {
    /// Dossiers carried through their whole lifecycle via the app layer.
    #[arg(long, default_value_t = 2_000)]
    lifecycle: usize,
    /// Dossiers stored in total before measuring lookups.
    #[arg(long, default_value_t = 100_000)]
    stored: usize,
    /// Public lookups measured.
    #[arg(long, default_value_t = 20_000)]
    lookups: usize,
    /// Reference data directory (default ../shared/data).
    #[arg(long)]
    data: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Debug, Serialize)]
struct CoreReport {
    backend: String,
    lifecycle_dossiers: usize,
    events_per_dossier: usize,
    sequential_dossiers_per_sec: f64,
    sequential_events_per_sec: f64,
    concurrent_dossiers_per_sec: f64,
    concurrent_events_per_sec: f64,
    fill_rows_per_sec: f64,
    stored_dossiers: usize,
    lookups: usize,
    lookup_p50_us: f64,
    lookup_p99_us: f64,
    lookup_per_sec_single_client: f64,
}

const SECRET: &str = "BENCH123";

/// A counter receipt of Đăng ký tạm trú (3 working days), the benchmarks' standard dossier.
pub(crate) fn new_dossier() -> NewDossier {
    NewDossier {
        procedure_code: "1.004194".into(),
        channel: Channel::Counter,
        applicant: ApplicantInput {
            kind: ApplicantKind::Citizen,
            name: "Người thử nghiệm".into(),
            id_number: "062090000000".into(),
            phone: String::new(),
            email: String::new(),
            address: String::new(),
        },
        components: Vec::new(),
        competent_unit: None,
        receiving_unit: None,
    }
}

/// An approval with an electronic result, the benchmarks' standard decision.
pub(crate) fn decide() -> Action {
    Action::Decide {
        outcome: Outcome::Approved,
        note: String::new(),
        results: vec![ResultDoc {
            name: "Kết quả".into(),
            electronic: true,
            file_ref: None,
        }],
    }
}

async fn carry(app: &App, who: &Principal) -> anyhow::Result<()> {
    let receipt = app.create_dossier(who, new_dossier()).await?;
    let code = receipt.code;
    app.act(
        who,
        &code,
        None,
        Action::Assign {
            officer: who.account_id.clone(),
        },
    )
    .await?;
    app.act(who, &code, None, decide()).await?;
    app.act(
        who,
        &code,
        None,
        Action::Return {
            method: Channel::Counter,
        },
    )
    .await?;
    Ok(())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub fn run(args: &CoreBenchArgs, database_url: &str, out: &mut String) -> anyhow::Result<()> {
    if args.lifecycle == 0 || args.lookups == 0 {
        return Err(usage("--lifecycle và --lookups phải lớn hơn 0"));
    }
    let dir = crate::runtime::reference_dir(args.data.clone())?;
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name))
            .map_err(|e| usage(format!("không đọc được {name}: {e}")))
    };
    let report = crate::runtime::block_on(async {
        let now = Arc::new(Mutex::new(
            "2025-03-03T08:00:00".parse::<jiff::civil::DateTime>()?,
        ));
        let clock = Arc::clone(&now);
        let app = crate::runtime::open_app(database_url, None)
            .await?
            .with_now(move || *clock.lock().unwrap_or_else(|e| e.into_inner()));
        let sys = Principal::system();
        let units = crate::runtime::reference_units_in(&dir)?;
        app.import_units(&sys, units).await?;
        app.import_procedures(&sys, &read("tthc_dvcqg_2642_procedures.csv")?)
            .await?;
        let unit = "w:23281".to_owned();
        let officer = match app
            .create_account(
                &sys,
                NewAccount {
                    username: "bench.officer".into(),
                    password: "bench-password-123".into(),
                    display_name: "Cán bộ đo tải".into(),
                    title: "Chuyên viên".into(),
                    role: Role::Officer,
                    unit_id: Some(unit.clone()),
                },
            )
            .await
        {
            Ok(p) => p,
            Err(_) => {
                app.login("bench.officer", "bench-password-123")
                    .await?
                    .principal
            }
        };

        // 1. Lifecycle, one clerk.
        let half = args.lifecycle.div_ceil(2);
        let t = Instant::now();
        for _ in 0..half {
            carry(&app, &officer).await?;
        }
        let seq = t.elapsed().as_secs_f64();
        // 8 clerks at once.
        let rest = args.lifecycle - half;
        let t = Instant::now();
        let mut tasks = Vec::new();
        for k in 0..8 {
            let (app, who) = (app.clone(), officer.clone());
            let n = rest / 8 + usize::from(k < rest % 8);
            tasks.push(tokio::spawn(async move {
                for _ in 0..n {
                    carry(&app, &who).await?;
                }
                anyhow::Ok(())
            }));
        }
        for task in tasks {
            task.await??;
        }
        let conc = t.elapsed().as_secs_f64().max(1e-9);

        // 2. Fill through the store.
        let units_tree = app.units()?;
        let agency = units_tree
            .get(&unit)
            .map(|u| u.agency_code.clone())
            .ok_or_else(|| anyhow::anyhow!("unit {unit} missing"))?;
        let to_fill = args.stored.saturating_sub(args.lifecycle);
        let secret_hash = cchc_app::lookup_secret_hash(SECRET);
        let mut codes = Vec::with_capacity(to_fill.min(1_000_000));
        let base = jiff::civil::date(2024, 1, 1);
        let t = Instant::now();
        for i in 0..to_fill {
            let day = base
                .checked_add(jiff::Span::new().days((i / 5000) as i64))
                .map_err(|e| anyhow::anyhow!(e))?;
            let code = DossierCode::new(&agency, day, (i % 5000) as u32 + 1)?;
            let at = day.at(8, 0, 0, 0);
            let kind = EventKind::Received {
                procedure_code: "1.004194".into(),
                channel: Channel::Counter,
                applicant: Applicant {
                    kind: ApplicantKind::Citizen,
                    name: format!("Công dân {i}"),
                    id_number: String::new(),
                    phone: String::new(),
                    email: String::new(),
                    address: String::new(),
                },
                components: Vec::new(),
                receiving_unit: unit.clone(),
                competent_unit: unit.clone(),
                limit: "3 working-days".into(),
                after_15h_next_day: false,
            };
            let body = EventBody {
                dossier: code.to_string(),
                seq: 1,
                at,
                actor: Actor {
                    account: officer.account_id.clone(),
                    name: officer.display_name.clone(),
                    title: officer.title.clone(),
                },
                unit: unit.clone(),
                step_deadline: None,
                kind,
            };
            let event = Event::seal(body, GENESIS_HASH)?;
            let dossier = Dossier::start(&event)?;
            app.store()
                .insert_dossier(
                    &dossier,
                    &event,
                    &secret_hash,
                    None,
                    &Default::default(),
                    &[],
                )
                .await?;
            codes.push(code.to_string());
        }
        let fill = t.elapsed().as_secs_f64().max(1e-9);

        // 3. Lookups of random stored dossiers.
        let mut rng = 0x9E37_79B9_7F4A_7C15u64;
        let mut lat = Vec::with_capacity(args.lookups);
        let t = Instant::now();
        for _ in 0..args.lookups {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            if codes.is_empty() {
                break;
            }
            let code = &codes[(rng % codes.len() as u64) as usize];
            let t1 = Instant::now();
            app.public_lookup(code, SECRET).await?;
            lat.push(t1.elapsed().as_secs_f64() * 1e6);
        }
        let total = t.elapsed().as_secs_f64().max(1e-9);
        lat.sort_by(|a, b| a.total_cmp(b));
        anyhow::Ok(CoreReport {
            backend: app.store().backend_name().to_owned(),
            lifecycle_dossiers: args.lifecycle,
            events_per_dossier: 4,
            sequential_dossiers_per_sec: half as f64 / seq,
            sequential_events_per_sec: 4.0 * half as f64 / seq,
            concurrent_dossiers_per_sec: rest as f64 / conc,
            concurrent_events_per_sec: 4.0 * rest as f64 / conc,
            fill_rows_per_sec: to_fill as f64 / fill,
            stored_dossiers: to_fill + args.lifecycle,
            lookups: lat.len(),
            lookup_p50_us: percentile(&lat, 0.5),
            lookup_p99_us: percentile(&lat, 0.99),
            lookup_per_sec_single_client: lat.len() as f64 / total,
        })
    })??;
    match args.format {
        Format::Json => crate::calendar_cmd::print_json(out, &report)?,
        Format::Text => {
            writeln!(out, "Đo tải lõi một cửa ({}):", report.backend)?;
            writeln!(
                out,
                "  vòng đời (4 sự kiện/hồ sơ), 1 cán bộ: {:.0} hồ sơ/giây ({:.0} sự kiện/giây)",
                report.sequential_dossiers_per_sec, report.sequential_events_per_sec
            )?;
            writeln!(
                out,
                "  vòng đời, 8 cán bộ cùng lúc:        {:.0} hồ sơ/giây ({:.0} sự kiện/giây)",
                report.concurrent_dossiers_per_sec, report.concurrent_events_per_sec
            )?;
            writeln!(
                out,
                "  ghi thẳng qua kho:                   {:.0} hồ sơ/giây",
                report.fill_rows_per_sec
            )?;
            writeln!(
                out,
                "  tra cứu công khai với {} hồ sơ: p50 {:.0} µs, p99 {:.0} µs, {:.0} lượt/giây (1 luồng)",
                report.stored_dossiers,
                report.lookup_p50_us,
                report.lookup_p99_us,
                report.lookup_per_sec_single_client
            )?;
        }
    }
    Ok(())
}
