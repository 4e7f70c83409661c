//! `cchc bench web`: server time of the main pages with a large dossier table.
//!
//! 1. Loads `--stored` dossier histories (received, and for older ones decided and returned,
//!    every event sealed and chained) across the province's 2025 communes and departments,
//!    a few per cent at the demo counter, many per transaction.
//! 2. Renders each page `--requests` times through the whole router in process (session
//!    cookie, middleware, use case, store, template), so the time is the server's alone, and
//!    reports p50, p95, p99 and max per page.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cchc_app::demo_desk::{DESK_ACCOUNTS, DESK_PROCEDURE, DESK_UNIT, prepare_desk};
use cchc_app::{App, Principal};
use cchc_domain::calendar::{ClockRequest, TimeLimit};
use cchc_domain::dossier::{
    Actor, Applicant, ApplicantKind, Dossier, DossierCode, Event, EventBody, EventKind,
    GENESIS_HASH, Outcome, ResultDoc,
};
use cchc_domain::procedure::Channel;
use cchc_store::{Projected, StoredHistory};
use clap::Args;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;
use tower::ServiceExt;

use crate::{Format, usage};

#[derive(Debug, Args)]
pub struct WebBenchArgs {
    /// Dossiers stored before measuring.
    #[arg(long, default_value_t = 100_000)]
    stored: usize,
    /// Requests per page.
    #[arg(long, default_value_t = 200)]
    requests: usize,
    /// Reference data directory (default ../shared/data).
    #[arg(long)]
    data: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Debug, Serialize)]
struct PageTiming {
    page: String,
    path: String,
    requests: usize,
    p50_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

#[derive(Debug, Serialize)]
struct WebReport {
    backend: String,
    stored_dossiers: usize,
    desk_unit_dossiers: usize,
    fill_dossiers_per_sec: f64,
    pages: Vec<PageTiming>,
}

const SECRET: &str = "BENCH123";

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// A small deterministic generator (xorshift), so every run stores the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn applicant(i: usize) -> Applicant {
    Applicant {
        kind: ApplicantKind::Citizen,
        name: format!("Công dân {i}"),
        id_number: format!("0510{:08}", i % 100_000_000),
        phone: String::new(),
        email: String::new(),
        address: String::new(),
    }
}

/// One dossier's history: received `days_ago` days before `today`; older than a week it has
/// been decided and returned (some late), newer it is still open.
fn history(
    app: &App,
    unit: &cchc_domain::unit::Unit,
    officer: &Actor,
    seq: u32,
    i: usize,
    received: jiff::civil::DateTime,
    finish_after_days: Option<i64>,
) -> anyhow::Result<StoredHistory> {
    let code = DossierCode::new(&unit.agency_code, received.date(), seq)?.to_string();
    let mut events = Vec::with_capacity(3);
    let first = Event::seal(
        EventBody {
            dossier: code.clone(),
            seq: 1,
            at: received,
            actor: officer.clone(),
            unit: unit.id.as_str().to_owned(),
            step_deadline: None,
            kind: EventKind::Received {
                procedure_code: DESK_PROCEDURE.into(),
                channel: Channel::Counter,
                applicant: applicant(i),
                components: Vec::new(),
                receiving_unit: unit.id.as_str().to_owned(),
                competent_unit: unit.id.as_str().to_owned(),
                limit: "3 working-days".into(),
                after_15h_next_day: false,
            },
        },
        GENESIS_HASH,
    )?;
    let mut dossier = Dossier::start(&first)?;
    events.push(first);
    let clock = app.clock_for(unit)?;
    let limit: TimeLimit = "3 working-days".parse()?;
    let due = clock.due(&ClockRequest::new(received, limit))?;
    if let Some(days) = finish_after_days {
        let decided = received
            .checked_add(jiff::Span::new().days(days))?
            .date()
            .at(10, 0, 0, 0);
        let returned = decided.checked_add(jiff::Span::new().hours(4))?;
        for (at, kind) in [
            (
                decided,
                EventKind::Decided {
                    outcome: Outcome::Approved,
                    note: String::new(),
                    results: vec![ResultDoc {
                        name: "Xác nhận đăng ký tạm trú".into(),
                        electronic: true,
                        file_ref: None,
                    }],
                },
            ),
            (
                returned,
                EventKind::Returned {
                    method: Channel::Counter,
                },
            ),
        ] {
            let e = Event::seal(
                EventBody {
                    dossier: code.clone(),
                    seq: dossier.version + 1,
                    at,
                    actor: officer.clone(),
                    unit: unit.id.as_str().to_owned(),
                    step_deadline: due.due,
                    kind,
                },
                &dossier.last_hash,
            )?;
            dossier.apply(&e)?;
            events.push(e);
        }
    }
    let due = clock.due(
        &dossier
            .clock_request()?
            .ok_or_else(|| anyhow::anyhow!("dossier {code} has no clock"))?,
    )?;
    let finished_late = dossier.finished_at().map(|at| dossier.judge(&due, at).1);
    let facts = cchc_domain::indicator::DossierFacts::derive(
        &dossier,
        Some(&due),
        &clock,
        cchc_domain::indicator::ProcedureTraits::default(),
        false,
    );
    Ok(StoredHistory {
        dossier,
        events,
        secret_hash: cchc_app::lookup_secret_hash(SECRET),
        owner_account: None,
        projected: Projected {
            due_at: due.due,
            finished_late,
            finishes: false,
            facts: Some(facts),
            outbox: Vec::new(),
        },
    })
}

pub fn run(args: &WebBenchArgs, database_url: &str, out: &mut String) -> anyhow::Result<()> {
    if args.requests == 0 {
        return Err(usage("--requests phải lớn hơn 0"));
    }
    let dir = crate::runtime::reference_dir(args.data.clone())?;
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name))
            .map_err(|e| usage(format!("không đọc được {name}: {e}")))
    };
    let report = crate::runtime::block_on(async {
        let app = crate::runtime::open_app(database_url, None).await?;
        let sys = Principal::system();
        let now = cchc_app::vietnam_now();
        let today = now.date();
        if app.units()?.is_empty() {
            app.import_units(&sys, crate::runtime::reference_units_in(&dir)?)
                .await?;
            app.import_procedures(&sys, &read("tthc_dvcqg_2642_procedures.csv")?)
                .await?;
        }
        prepare_desk(&app, now).await?;
        let tree = app.units()?;
        let units: Vec<cchc_domain::unit::Unit> = tree
            .units()
            .iter()
            .filter(|u| {
                u.is_active_on(today)
                    && (u.id.as_str().starts_with("w2025:")
                        || u.id.as_str().starts_with("p2025:51/"))
            })
            .cloned()
            .collect();
        let desk = tree
            .get(DESK_UNIT)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("unit {DESK_UNIT} missing"))?;
        let officer = app
            .login(DESK_ACCOUNTS[0].0, cchc_app::demo::DEMO_PASSWORD)
            .await?;
        let actor = Actor {
            account: officer.principal.account_id.clone(),
            name: officer.principal.display_name.clone(),
            title: officer.principal.title.clone(),
        };

        // 1. Fill: ~3% at the desk unit, the rest spread; two years back from today.
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut seqs: std::collections::HashMap<(String, jiff::civil::Date), u32> =
            std::collections::HashMap::new();
        let mut batch = Vec::with_capacity(2000);
        let mut desk_count = 0;
        let mut sample_code = None;
        let t = Instant::now();
        for i in 0..args.stored {
            let unit = if rng.below(100) < 3 {
                desk_count += 1;
                &desk
            } else {
                &units[rng.below(units.len() as u64) as usize]
            };
            let days_ago = rng.below(730) as i64;
            let day = today.checked_sub(jiff::Span::new().days(days_ago))?;
            let received = day.at(7 + rng.below(9) as i8, rng.below(60) as i8, 0, 0);
            // Older than a week: finished, within 1-5 days (5 is late for a 3-day limit).
            let finish = (days_ago > 7).then(|| 1 + rng.below(5) as i64);
            let key = (unit.agency_code.clone(), day);
            // From 1001: the demo desk's own dossiers take the first numbers of their day.
            let seq = seqs.entry(key).or_insert(1000);
            *seq += 1;
            // Codes carry four digits per agency and day: skip the rare overflow.
            if *seq > 9999 {
                continue;
            }
            let h = history(&app, unit, &actor, *seq, i, received, finish)?;
            if std::ptr::eq(unit, &desk) && sample_code.is_none() && finish.is_none() {
                sample_code = Some(h.dossier.code.clone());
            }
            batch.push(h);
            if batch.len() == 2000 {
                app.store().insert_histories(&batch).await?;
                batch.clear();
            }
        }
        app.store().insert_histories(&batch).await?;
        let fill = t.elapsed().as_secs_f64().max(1e-9);
        let sample = sample_code.ok_or_else(|| anyhow::anyhow!("no open dossier at the desk"))?;

        // 2. Pages through the whole router.
        let router = cchc_web::router(app.clone(), cchc_web::WebConfig::default());
        let session = |username: &str| {
            let app = app.clone();
            let username = username.to_owned();
            async move {
                anyhow::Ok(
                    app.login(&username, cchc_app::demo::DEMO_PASSWORD)
                        .await?
                        .token,
                )
            }
        };
        let officer_token = session(DESK_ACCOUNTS[0].0).await?;
        let leader_token = session(DESK_ACCOUNTS[1].0).await?;
        let citizen_token = session(DESK_ACCOUNTS[3].0).await?;
        let admin_token = session(cchc_app::demo::DEMO_ADMIN).await.ok();
        let year = today.year();
        let mut pages: Vec<(&str, String, Option<String>)> = vec![
            ("Trang chủ", "/".into(), None),
            ("Tìm thủ tục", "/thu-tuc?q=dang+ky+tam+tru".into(), None),
            ("Một thủ tục", format!("/thu-tuc/{DESK_PROCEDURE}"), None),
            (
                "Tra cứu hồ sơ",
                format!("/tra-cuu/{sample}?ma={SECRET}"),
                None,
            ),
            ("Chỉ số phục vụ (quý)", "/chi-so".into(), None),
            (
                "Bàn làm việc",
                "/can-bo".into(),
                Some(officer_token.clone()),
            ),
            (
                "Hồ sơ (cán bộ)",
                format!("/can-bo/ho-so/{sample}"),
                Some(officer_token.clone()),
            ),
            (
                "Phiếu kiểm soát",
                format!("/bieu-mau/{sample}/kiem-soat"),
                Some(officer_token.clone()),
            ),
            ("Bảng điều hành", "/lanh-dao".into(), Some(leader_token)),
            ("Hồ sơ của tôi", "/cong-dan".into(), Some(citizen_token)),
        ];
        if let Some(t) = admin_token {
            pages.push(("Lịch năm", format!("/quan-tri/lich?nam={year}"), Some(t)));
        }
        let mut timings = Vec::new();
        for (name, path, token) in pages {
            let mut lat = Vec::with_capacity(args.requests);
            for _ in 0..args.requests {
                let mut req = Request::get(&path);
                if let Some(t) = &token {
                    req = req.header(header::COOKIE, format!("cchc_session={t}"));
                }
                let req = req.body(Body::empty())?;
                let t1 = Instant::now();
                let resp = router.clone().oneshot(req).await?;
                let status = resp.status();
                let _ = axum::body::to_bytes(resp.into_body(), usize::MAX).await?;
                lat.push(t1.elapsed().as_secs_f64() * 1e3);
                if status != StatusCode::OK {
                    anyhow::bail!("{path}: HTTP {status}");
                }
            }
            lat.sort_by(|a, b| a.total_cmp(b));
            timings.push(PageTiming {
                page: name.to_owned(),
                path,
                requests: lat.len(),
                p50_ms: percentile(&lat, 0.5),
                p95_ms: percentile(&lat, 0.95),
                p99_ms: percentile(&lat, 0.99),
                max_ms: lat.last().copied().unwrap_or(0.0),
            });
        }
        anyhow::Ok(WebReport {
            backend: app.store().backend_name().to_owned(),
            stored_dossiers: args.stored,
            desk_unit_dossiers: desk_count,
            fill_dossiers_per_sec: args.stored as f64 / fill,
            pages: timings,
        })
    })??;
    match args.format {
        Format::Json => crate::calendar_cmd::print_json(out, &report)?,
        Format::Text => {
            writeln!(
                out,
                "Thời gian phục vụ trang ({}, {} hồ sơ, {} ở đơn vị mẫu):",
                report.backend, report.stored_dossiers, report.desk_unit_dossiers
            )?;
            for p in &report.pages {
                writeln!(
                    out,
                    "  {:<24} p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
                    p.page, p.p50_ms, p.p95_ms, p.p99_ms, p.max_ms
                )?;
            }
        }
    }
    Ok(())
}
