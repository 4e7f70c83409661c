//! `cchc bench sync`: the transactional outbox to the National Public Service Portal.
//!
//! 1. Ingest: dossier lifecycles through the app layer (every event enqueues its messages in
//!    its transaction), and the outbox's own cost at the store: `Store::insert_dossier` of the
//!    same received event with an empty and with a filled `Projected::outbox` (the app has no
//!    switch that stops enqueueing, so this is the like-for-like comparison), interleaved.
//! 2. Delivery: a backlog of N portal messages (4 per dossier, real payloads) delivered to the
//!    stub portal on loopback by 1 or more workers (`App::sync_once` in a loop), next to raw
//!    reqwest POSTs of the same payloads to a fresh stub with the same concurrency, no database.
//! 3. Claim latency with many delivered rows in the table (and the idle poll: nothing due).
//! 4. PAKN: the board and the indicators' PAKN measures with many PAKN rows.

use cchc_app::dossiers::{Action, ApplicantInput, NewDossier};
use cchc_app::sync::stub::StubPortal;
use cchc_app::sync::{Endpoint, SyncSettings};
use cchc_app::{App, Principal, Role};
use cchc_domain::dossier::{
    Actor, Applicant, ApplicantKind, Dossier, DossierCode, Event, EventBody, EventKind,
    GENESIS_HASH, Outcome, ResultDoc,
};
use cchc_domain::indicator::DossierFacts;
use cchc_domain::procedure::Channel;
use cchc_store::{NewOutboxMessage, OutboxStatus, PaknEventRow, PaknRow, Projected, SyncedMark};
use clap::Args;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::{Format, usage};

#[derive(Debug, Args)]
pub struct SyncBenchArgs {
    /// Dossiers carried through their lifecycle (4 events) via the app layer.
    #[arg(long, default_value_t = 500)]
    lifecycle: usize,
    /// Dossiers inserted through the store per variant (empty / filled outbox).
    #[arg(long, default_value_t = 4_000)]
    store_ingest: usize,
    /// Backlog sizes delivered (messages), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
    backlog: Vec<usize>,
    /// Worker counts, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,2")]
    workers: Vec<usize>,
    /// Messages claimed per round (the sync settings' batch).
    #[arg(long, default_value_t = 32)]
    batch: u32,
    /// Delivered rows present when claim latency is measured, comma-separated (the largest is
    /// measured after the delivery runs, the others before).
    #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
    history: Vec<usize>,
    /// Claims timed at each history size.
    #[arg(long, default_value_t = 40)]
    claims: usize,
    /// PAKN rows present when the board and measures are timed, comma-separated (empty: skip).
    #[arg(long, value_delimiter = ',', default_value = "1000,10000,100000")]
    pakn: Vec<usize>,
    /// Replace the outbox's claim indexes by those 0008_outbox.sql first shipped with
    /// ((sink, status, next_attempt_at) and (sink, dossier_code, seq)), to measure before/after.
    #[arg(long)]
    old_indexes: bool,
    /// Reference data directory (default ../shared/data).
    #[arg(long)]
    data: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Debug, Serialize)]
struct IngestReport {
    app_dossiers: usize,
    app_events: usize,
    app_events_per_sec: f64,
    messages_per_event: f64,
    messages_per_received_event: usize,
    store_dossiers_per_variant: usize,
    store_empty_per_sec: f64,
    store_filled_per_sec: f64,
    payload_bytes: usize,
}

#[derive(Debug, Serialize)]
struct DeliveryReport {
    backlog: usize,
    workers: usize,
    history_before: i64,
    seconds: f64,
    msgs_per_sec: f64,
    round_p50_ms: f64,
    round_p99_ms: f64,
    rounds: usize,
    raw_seconds: f64,
    raw_msgs_per_sec: f64,
    raw_round_p50_ms: f64,
    raw_round_p99_ms: f64,
    stub_accepted: usize,
    duplicates: u64,
}

#[derive(Debug, Serialize)]
struct ClaimReport {
    delivered_rows: i64,
    pending_rows: i64,
    claim_p50_ms: f64,
    claim_p99_ms: f64,
    idle_claim_p50_ms: f64,
    /// `outbox_counts` (the administrator's status page).
    counts_ms: f64,
    /// `outbox_of_dossier` (a dossier's messages).
    of_dossier_ms: f64,
    fill_seconds: f64,
}

#[derive(Debug, Serialize)]
struct PaknReport {
    rows: usize,
    board_p50_ms: f64,
    board_unit_p50_ms: f64,
    measures_p50_ms: f64,
    fill_seconds: f64,
}

#[derive(Debug, Serialize)]
struct SyncReport {
    backend: String,
    batch: u32,
    old_indexes: bool,
    ingest: IngestReport,
    delivery: Vec<DeliveryReport>,
    claims: Vec<ClaimReport>,
    pakn: Vec<PaknReport>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(|a, b| a.total_cmp(b));
    v
}

const UNIT: &str = "w:23281";

fn new_dossier() -> NewDossier {
    NewDossier {
        procedure_code: "1.004194".into(),
        channel: Channel::Counter,
        applicant: ApplicantInput {
            kind: ApplicantKind::Citizen,
            name: "Người thử nghiệm".into(),
            id_number: "062090000000".into(),
            phone: "0905123456".into(),
            email: "thu.nghiem@example.vn".into(),
            address: String::new(),
        },
        components: Vec::new(),
        competent_unit: None,
        receiving_unit: None,
    }
}

async fn carry(app: &App, who: &Principal) -> anyhow::Result<String> {
    let code = app.create_dossier(who, new_dossier()).await?.code;
    let officer = who.account_id.clone();
    app.act(who, &code, None, Action::Assign { officer })
        .await?;
    let results = vec![ResultDoc {
        name: "Kết quả".into(),
        electronic: true,
        file_ref: None,
    }];
    let decide = Action::Decide {
        outcome: Outcome::Approved,
        note: String::new(),
        results,
    };
    app.act(who, &code, None, decide).await?;
    let ret = Action::Return {
        method: Channel::Counter,
    };
    app.act(who, &code, None, ret).await?;
    Ok(code)
}

/// A received event of a new dossier (as `bench core` fills the store).
fn received(
    agency: &str,
    day: jiff::civil::Date,
    n: u32,
    who: &Principal,
) -> anyhow::Result<(Dossier, Event)> {
    let code = DossierCode::new(agency, day, n)?;
    let kind = EventKind::Received {
        procedure_code: "1.004194".into(),
        channel: Channel::Counter,
        applicant: Applicant {
            kind: ApplicantKind::Citizen,
            name: format!("Công dân {n}"),
            id_number: String::new(),
            phone: "0905123456".into(),
            email: String::new(),
            address: String::new(),
        },
        components: Vec::new(),
        receiving_unit: UNIT.into(),
        competent_unit: UNIT.into(),
        limit: "3 working-days".into(),
        after_15h_next_day: false,
    };
    let body = EventBody {
        dossier: code.to_string(),
        seq: 1,
        at: day.at(8, 0, 0, 0),
        actor: Actor {
            account: who.account_id.clone(),
            name: who.display_name.clone(),
            title: who.title.clone(),
        },
        unit: UNIT.into(),
        step_deadline: None,
        kind,
    };
    let event = Event::seal(body, GENESIS_HASH)?;
    let dossier = Dossier::start(&event)?;
    Ok((dossier, event))
}

fn minimal_facts(code: String) -> DossierFacts {
    DossierFacts {
        code,
        unit: UNIT.into(),
        procedure: "1.004194".into(),
        received_day: Some(jiff::civil::date(2025, 3, 3)),
        end: None,
        end_day: None,
        late_from: Some(jiff::civil::date(2025, 3, 6)),
        verdict: None,
        online: false,
        full_online_proc: false,
        fee_bearing: false,
        paid_online: false,
        digitised: false,
        reused: false,
        synced: false,
        electronic_result: false,
        supplement_requests: 0,
        used_cd: 0,
        limit_cd: 300,
        rating: None,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

async fn count(app: &App, status: OutboxStatus) -> anyhow::Result<i64> {
    Ok(app
        .store()
        .outbox_counts()
        .await?
        .iter()
        .filter(|c| c.status == status)
        .map(|c| c.count)
        .sum())
}

fn settings(url: Option<String>, batch: u32, sms_file: PathBuf) -> SyncSettings {
    let mut s = SyncSettings {
        portal: url.map(|url| Endpoint { url, token: None }),
        batch,
        ..SyncSettings::default()
    };
    s.notify.sms_file = Some(sms_file);
    s
}

/// Drains everything due with `workers` loops of `sync_once`; returns round latencies (ms) of
/// rounds that claimed something.
async fn drain(app: &App, workers: usize, target: u64) -> anyhow::Result<Vec<f64>> {
    let done = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for k in 0..workers {
        let (app, done) = (app.clone(), Arc::clone(&done));
        tasks.push(tokio::spawn(async move {
            let name = format!("bench-{k}");
            let mut lat = Vec::new();
            let mut idle_since: Option<Instant> = None;
            while done.load(Ordering::Relaxed) < target {
                let t = Instant::now();
                let r = app.sync_once(&name).await?;
                if r.claimed > 0 {
                    lat.push(ms(t.elapsed()));
                    done.fetch_add(r.delivered, Ordering::Relaxed);
                    idle_since = None;
                    if r.retried + r.dead > 0 {
                        anyhow::bail!("{} deliveries failed", r.retried + r.dead);
                    }
                } else {
                    let since = *idle_since.get_or_insert_with(Instant::now);
                    if since.elapsed() > Duration::from_secs(30) {
                        anyhow::bail!("nothing claimable for 30 s");
                    }
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
            anyhow::Ok(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(all)
}

/// Raw POSTs of `payload` to the stub: `workers` loops, each `batch` concurrent requests per
/// round (as a sync round sends its batch), no database. Returns round latencies (ms).
async fn raw_http(
    url: &str,
    payload: &str,
    n: usize,
    workers: usize,
    batch: usize,
    tag: &str,
) -> anyhow::Result<Vec<f64>> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .connect_timeout(Duration::from_secs(5))
        .build()?;
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (client, next) = (client.clone(), Arc::clone(&next));
        let (url, payload, tag) = (url.to_owned(), payload.to_owned(), tag.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let start = next.fetch_add(batch as u64, Ordering::Relaxed) as usize;
                if start >= n {
                    break;
                }
                let end = (start + batch).min(n);
                let t = Instant::now();
                let mut set = tokio::task::JoinSet::new();
                for i in start..end {
                    let req = client
                        .post(&url)
                        .header("Idempotency-Key", format!("{tag}:{i}:raw"))
                        .header("Content-Type", "application/json")
                        .body(payload.clone());
                    set.spawn(async move { req.send().await.map(|r| r.status()) });
                }
                while let Some(r) = set.join_next().await {
                    let status = r??;
                    if !status.is_success() {
                        anyhow::bail!("stub answered {status}");
                    }
                }
                lat.push(ms(t.elapsed()));
            }
            anyhow::Ok(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(all)
}

/// Adds delivered portal messages until `target` delivered rows are present.
async fn fill_history(app: &App, target: i64, payload: &str, tag: &str) -> anyhow::Result<()> {
    let mut have = count(app, OutboxStatus::Delivered).await?;
    let mut i = 0usize;
    while have < target {
        let n = (target - have).min(50_000) as usize;
        let msgs: Vec<NewOutboxMessage> = (0..n)
            .map(|k| {
                let j = i + k;
                NewOutboxMessage {
                    sink: "dvcqg".into(),
                    dossier_code: format!("H{tag}-{:08}", j / 4),
                    seq: (j % 4) as u32 + 1,
                    kind: "received".into(),
                    payload: payload.to_owned(),
                }
            })
            .collect();
        app.store().insert_outbox_bulk(&msgs, true).await?;
        i += n;
        have += n as i64;
    }
    Ok(())
}

async fn measure_claims(
    app: &App,
    target: i64,
    claims: usize,
    batch: u32,
    payload: &str,
) -> anyhow::Result<ClaimReport> {
    let t = Instant::now();
    fill_history(app, target, payload, &format!("{target}")).await?;
    let fill_seconds = t.elapsed().as_secs_f64();
    let delivered_rows = count(app, OutboxStatus::Delivered).await?;
    let store = app.store();
    // Nothing due: what an idle worker pays every poll.
    let mut idle = Vec::new();
    for _ in 0..claims {
        let t = Instant::now();
        let got = store
            .claim_outbox("dvcqg", "bench-claim", 60_000, i64::from(batch))
            .await?;
        idle.push(ms(t.elapsed()));
        if !got.is_empty() {
            anyhow::bail!("unexpected pending messages before the claim test");
        }
    }
    // A pending backlog of claims × batch messages, one per dossier.
    let pending: Vec<NewOutboxMessage> = (0..claims * batch as usize)
        .map(|k| NewOutboxMessage {
            sink: "dvcqg".into(),
            dossier_code: format!("C{target}-{k:08}"),
            seq: 1,
            kind: "received".into(),
            payload: payload.to_owned(),
        })
        .collect();
    store.insert_outbox_bulk(&pending, false).await?;
    let pending_rows = count(app, OutboxStatus::Pending).await?;
    let mut lat = Vec::new();
    let mut ids = Vec::new();
    for _ in 0..claims {
        let t = Instant::now();
        let got = store
            .claim_outbox("dvcqg", "bench-claim", 60_000, i64::from(batch))
            .await?;
        lat.push(ms(t.elapsed()));
        ids.extend(got.iter().map(|m| m.id));
    }
    for id in ids {
        store.outbox_delivered(id, SyncedMark::No).await?;
    }
    let t = Instant::now();
    std::hint::black_box(store.outbox_counts().await?);
    let counts_ms = ms(t.elapsed());
    let t = Instant::now();
    std::hint::black_box(
        store
            .outbox_of_dossier(&format!("C{target}-00000007"))
            .await?,
    );
    let of_dossier_ms = ms(t.elapsed());
    let lat = sorted(lat);
    let idle = sorted(idle);
    Ok(ClaimReport {
        delivered_rows,
        pending_rows,
        claim_p50_ms: percentile(&lat, 0.5),
        claim_p99_ms: percentile(&lat, 0.99),
        idle_claim_p50_ms: percentile(&idle, 0.5),
        counts_ms,
        of_dossier_ms,
        fill_seconds,
    })
}

fn pakn_row(i: usize, units: &[String]) -> (PaknRow, PaknEventRow) {
    let unit = units[i % units.len()].clone();
    let day = jiff::civil::date(2025, 1, 1)
        .checked_add(jiff::Span::new().days((i % 300) as i64))
        .unwrap_or(jiff::civil::date(2025, 1, 1));
    let at = day.at(9, 0, 0, 0).to_string();
    // 2 in 5 answered, the rest open in the three open states.
    let status = match i % 5 {
        0 | 1 => "da-tra-loi",
        2 => "dang-xu-ly",
        3 => "cho-phan-loai",
        _ => "cho-bo-sung",
    };
    let open = !status.starts_with("da-");
    let answered = (!open).then(|| day.at(16, 0, 0, 0).to_string());
    let due = day
        .checked_add(jiff::Span::new().days(10))
        .unwrap_or(day)
        .at(17, 0, 0, 0)
        .to_string();
    let code = format!("PAKN-B{i:08}");
    let row = PaknRow {
        code: code.clone(),
        secret_hash: String::new(),
        owner_account: None,
        contact_name: format!("Người phản ánh {i}"),
        contact_phone: None,
        contact_email: None,
        category: [
            "thai-do",
            "cham-tre",
            "ngoai-quy-dinh",
            "nhung-nhieu",
            "kien-nghi",
        ][i % 5]
            .into(),
        subject_kind: "don-vi".into(),
        procedure_code: None,
        dossier_code: None,
        unit_id: unit.clone(),
        named_unit: unit,
        body: "Nội dung phản ánh dùng để đo tải.".into(),
        consent: false,
        status: status.into(),
        flagged: i.is_multiple_of(50),
        received_at: at.clone(),
        intake_due: Some(due.clone()),
        forwarded_at: None,
        process_due: Some(due.clone()),
        current_due: open.then(|| due.clone()),
        current_kind: open.then(|| "xu-ly".to_owned()),
        answered_at: answered.clone(),
        answered_late: answered.as_ref().map(|_| i.is_multiple_of(7)),
        refused_at: None,
        published_at: None,
        published_question: None,
        published_answer: None,
        published_folded: None,
        rating: None,
        rated_at: None,
        version: 1,
        updated_at: at.clone(),
    };
    let event = PaknEventRow {
        code,
        seq: 1,
        at,
        actor: String::new(),
        actor_name: String::new(),
        kind: "submitted".into(),
        data: "{}".into(),
        prev_hash: String::new(),
        hash: format!("{i:064}"),
    };
    (row, event)
}

pub fn run(args: &SyncBenchArgs, database_url: &str, out: &mut String) -> anyhow::Result<()> {
    if args.lifecycle == 0 || args.store_ingest == 0 || args.batch == 0 || args.claims == 0 {
        return Err(usage(
            "--lifecycle, --store-ingest, --batch, --claims phải lớn hơn 0",
        ));
    }
    if args.workers.contains(&0) {
        return Err(usage("--workers phải lớn hơn 0"));
    }
    let dir = crate::runtime::reference_dir(args.data.clone())?;
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name))
            .map_err(|e| usage(format!("không đọc được {name}: {e}")))
    };
    let sms_file =
        std::env::temp_dir().join(format!("cchc-bench-sync-sms-{}.jsonl", std::process::id()));
    let report = crate::runtime::block_on(async {
        let now = Arc::new(Mutex::new(
            "2025-03-03T08:00:00".parse::<jiff::civil::DateTime>()?,
        ));
        let clock = Arc::clone(&now);
        let base = crate::runtime::open_app(database_url, None)
            .await?
            .with_now(move || *clock.lock().unwrap_or_else(|e| e.into_inner()));
        if args.old_indexes {
            base.store()
                .execute_raw_for_tests(
                    "DROP INDEX outbox_due; DROP INDEX outbox_order; \
                     CREATE INDEX outbox_ready ON outbox (sink, status, next_attempt_at); \
                     CREATE INDEX outbox_order ON outbox (sink, dossier_code, seq);",
                )
                .await?;
        }
        let sys = Principal::system();
        base.import_units(&sys, crate::runtime::reference_units_in(&dir)?)
            .await?;
        base.import_procedures(&sys, &read("tthc_dvcqg_2642_procedures.csv")?)
            .await?;
        let officer = base
            .create_account(
                &sys,
                cchc_app::accounts::NewAccount {
                    username: "bench.sync".into(),
                    password: "bench-password-123".into(),
                    display_name: "Cán bộ đo tải".into(),
                    title: "Chuyên viên".into(),
                    role: Role::Officer,
                    unit_id: Some(UNIT.into()),
                },
            )
            .await?;
        let stub = StubPortal::start(([127, 0, 0, 1], 0).into()).await?;
        let app =
            base.clone()
                .with_sync(settings(Some(stub.url()), args.batch, sms_file.clone()))?;

        // 1. Ingest through the app layer (the portal configured; enqueueing happens anyway).
        let t = Instant::now();
        let mut first = None;
        for _ in 0..args.lifecycle {
            let code = carry(&app, &officer).await?;
            first.get_or_insert(code);
        }
        let app_secs = t.elapsed().as_secs_f64().max(1e-9);
        let first = first.ok_or_else(|| anyhow::anyhow!("no dossier"))?;
        let enqueued = count(&app, OutboxStatus::Pending).await?;
        let msgs = app.store().outbox_of_dossier(&first).await?;
        let received_msgs: Vec<NewOutboxMessage> = msgs
            .iter()
            .filter(|m| m.seq == 1)
            .map(|m| NewOutboxMessage {
                sink: m.sink.clone(),
                dossier_code: m.dossier_code.clone(),
                seq: 1,
                kind: m.kind.clone(),
                payload: m.payload.clone(),
            })
            .collect();
        let payload = msgs
            .iter()
            .find(|m| m.sink == "dvcqg" && m.seq == 1)
            .map(|m| m.payload.clone())
            .ok_or_else(|| anyhow::anyhow!("no portal message enqueued"))?;
        // Deliver what the lifecycle enqueued (portal and SMS) so the table starts clean.
        drain(&app, 1, enqueued as u64).await?;

        // Store path: the same received event with an empty and with a filled outbox.
        let agency = app
            .units()?
            .get(UNIT)
            .map(|u| u.agency_code.clone())
            .ok_or_else(|| anyhow::anyhow!("unit {UNIT} missing"))?;
        let secret = cchc_app::lookup_secret_hash("BENCH123");
        let block = 500usize;
        let (mut t_empty, mut t_filled) = (0.0f64, 0.0f64);
        let mut done = 0usize;
        let mut day = jiff::civil::date(2023, 1, 1);
        while done < args.store_ingest {
            let n = block.min(args.store_ingest - done);
            for filled in [false, true] {
                let t = Instant::now();
                for k in 0..n {
                    let (dossier, event) = received(&agency, day, k as u32 + 1, &officer)?;
                    let outbox = if filled {
                        received_msgs
                            .iter()
                            .map(|m| NewOutboxMessage {
                                dossier_code: dossier.code.clone(),
                                ..m.clone()
                            })
                            .collect()
                    } else {
                        Vec::new()
                    };
                    let projected = Projected {
                        outbox,
                        ..Default::default()
                    };
                    app.store()
                        .insert_dossier(&dossier, &event, &secret, None, &projected, &[])
                        .await?;
                }
                let s = t.elapsed().as_secs_f64();
                if filled {
                    t_filled += s;
                } else {
                    t_empty += s;
                }
                day = day.tomorrow()?;
            }
            done += n;
        }
        // The filled variant's messages: delivered as history, not a backlog.
        let pending_now = count(&app, OutboxStatus::Pending).await?;
        drain(&app, 1, pending_now as u64).await?;
        let ingest = IngestReport {
            app_dossiers: args.lifecycle,
            app_events: 4 * args.lifecycle,
            app_events_per_sec: 4.0 * args.lifecycle as f64 / app_secs,
            messages_per_event: enqueued as f64 / (4.0 * args.lifecycle as f64),
            messages_per_received_event: received_msgs.len(),
            store_dossiers_per_variant: args.store_ingest,
            store_empty_per_sec: args.store_ingest as f64 / t_empty.max(1e-9),
            store_filled_per_sec: args.store_ingest as f64 / t_filled.max(1e-9),
            payload_bytes: payload.len(),
        };
        drop(app);
        stub.stop();

        // 3a. Claim latency at the smaller history sizes.
        let mut history = args.history.clone();
        history.sort_unstable();
        let largest = history.pop();
        let mut claims = Vec::new();
        for &h in &history {
            claims.push(measure_claims(&base, h as i64, args.claims, args.batch, &payload).await?);
        }

        // 2. Delivery of backlogs.
        let mut delivery = Vec::new();
        for (run, &n) in args.backlog.iter().enumerate() {
            for &w in &args.workers {
                let tag = format!("R{run}W{w}");
                let dossiers = n.div_ceil(4);
                let facts: Vec<DossierFacts> = (0..dossiers)
                    .map(|d| minimal_facts(format!("{tag}-{d:08}")))
                    .collect();
                for chunk in facts.chunks(50_000) {
                    base.store().insert_facts_bulk(chunk).await?;
                }
                let msgs: Vec<NewOutboxMessage> = (0..n)
                    .map(|i| NewOutboxMessage {
                        sink: "dvcqg".into(),
                        dossier_code: format!("{tag}-{:08}", i / 4),
                        seq: (i % 4) as u32 + 1,
                        kind: "received".into(),
                        payload: payload.clone(),
                    })
                    .collect();
                for chunk in msgs.chunks(50_000) {
                    base.store().insert_outbox_bulk(chunk, false).await?;
                }
                drop(msgs);
                let history_before = count(&base, OutboxStatus::Delivered).await?;
                let stub = StubPortal::start(([127, 0, 0, 1], 0).into()).await?;
                let app = base.clone().with_sync(settings(
                    Some(stub.url()),
                    args.batch,
                    sms_file.clone(),
                ))?;
                let t = Instant::now();
                let lat = sorted(drain(&app, w, n as u64).await?);
                let secs = t.elapsed().as_secs_f64().max(1e-9);
                let (stub_accepted, duplicates) = (stub.accepted().len(), stub.duplicates());
                drop(app);
                stub.stop();
                // The physical limit: the same payloads, the same concurrency, no database.
                let stub = StubPortal::start(([127, 0, 0, 1], 0).into()).await?;
                let t = Instant::now();
                let raw =
                    sorted(raw_http(&stub.url(), &payload, n, w, args.batch as usize, &tag).await?);
                let raw_secs = t.elapsed().as_secs_f64().max(1e-9);
                stub.stop();
                eprintln!(
                    "delivery {n} × {w}: {:.0} msgs/s, raw {:.0} msgs/s",
                    n as f64 / secs,
                    n as f64 / raw_secs
                );
                delivery.push(DeliveryReport {
                    backlog: n,
                    workers: w,
                    history_before,
                    seconds: secs,
                    msgs_per_sec: n as f64 / secs,
                    round_p50_ms: percentile(&lat, 0.5),
                    round_p99_ms: percentile(&lat, 0.99),
                    rounds: lat.len(),
                    raw_seconds: raw_secs,
                    raw_msgs_per_sec: n as f64 / raw_secs,
                    raw_round_p50_ms: percentile(&raw, 0.5),
                    raw_round_p99_ms: percentile(&raw, 0.99),
                    stub_accepted,
                    duplicates,
                });
            }
        }

        // 3b. Claim latency at the largest history size.
        if let Some(h) = largest {
            claims.push(measure_claims(&base, h as i64, args.claims, args.batch, &payload).await?);
        }

        // 4. PAKN board and measures.
        let mut pakn = Vec::new();
        let units: Vec<String> = base
            .units()?
            .subtree(UNIT)
            .map(|u| u.id.as_str().to_owned())
            .collect();
        let admin = base
            .create_account(
                &sys,
                cchc_app::accounts::NewAccount {
                    username: "bench.sync.admin".into(),
                    password: "bench-password-123".into(),
                    display_name: "Quản trị đo tải".into(),
                    title: "Chuyên viên".into(),
                    role: Role::Admin,
                    unit_id: None,
                },
            )
            .await?;
        let mut have = 0usize;
        let mut sizes = args.pakn.clone();
        sizes.sort_unstable();
        for size in sizes {
            let t = Instant::now();
            while have < size {
                let (row, event) = pakn_row(have, &units);
                base.store().insert_pakn(&row, &event, &[]).await?;
                have += 1;
            }
            let fill_seconds = t.elapsed().as_secs_f64();
            let reps = 5;
            let (mut board, mut board_unit, mut measures) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..reps {
                let t = Instant::now();
                std::hint::black_box(base.pakn_board(&admin, None).await?);
                board.push(ms(t.elapsed()));
                let t = Instant::now();
                std::hint::black_box(base.pakn_board(&officer, None).await?);
                board_unit.push(ms(t.elapsed()));
                let t = Instant::now();
                std::hint::black_box(
                    base.pakn_measures(
                        &units,
                        jiff::civil::date(2025, 1, 1),
                        jiff::civil::date(2025, 12, 31),
                    )
                    .await?,
                );
                measures.push(ms(t.elapsed()));
            }
            pakn.push(PaknReport {
                rows: size,
                board_p50_ms: percentile(&sorted(board), 0.5),
                board_unit_p50_ms: percentile(&sorted(board_unit), 0.5),
                measures_p50_ms: percentile(&sorted(measures), 0.5),
                fill_seconds,
            });
        }

        anyhow::Ok(SyncReport {
            backend: base.store().backend_name().to_owned(),
            batch: args.batch,
            old_indexes: args.old_indexes,
            ingest,
            delivery,
            claims,
            pakn,
        })
    })??;
    let _ = std::fs::remove_file(&sms_file);
    match args.format {
        Format::Json => crate::calendar_cmd::print_json(out, &report)?,
        Format::Text => text(out, &report)?,
    }
    Ok(())
}

fn text(out: &mut String, r: &SyncReport) -> anyhow::Result<()> {
    let i = &r.ingest;
    writeln!(out, "Đo tải đồng bộ ({}), lô {}:", r.backend, r.batch)?;
    writeln!(
        out,
        "  ghi qua tầng ứng dụng: {:.0} sự kiện/giây, {:.2} tin/sự kiện",
        i.app_events_per_sec, i.messages_per_event
    )?;
    writeln!(
        out,
        "  insert_dossier: không tin {:.0}/giây, {} tin {:.0}/giây (tỉ lệ {:.2})",
        i.store_empty_per_sec,
        i.messages_per_received_event,
        i.store_filled_per_sec,
        i.store_filled_per_sec / i.store_empty_per_sec.max(1e-9)
    )?;
    for d in &r.delivery {
        writeln!(
            out,
            "  gửi {} tin, {} luồng: {:.0} tin/giây (HTTP trần {:.0}, tỉ lệ {:.2}), vòng p50 {:.1} ms p99 {:.1} ms",
            d.backlog,
            d.workers,
            d.msgs_per_sec,
            d.raw_msgs_per_sec,
            d.msgs_per_sec / d.raw_msgs_per_sec.max(1e-9),
            d.round_p50_ms,
            d.round_p99_ms
        )?;
    }
    for c in &r.claims {
        writeln!(
            out,
            "  nhận tin với {} tin đã gửi: p50 {:.2} ms p99 {:.2} ms, rỗng p50 {:.2} ms",
            c.delivered_rows, c.claim_p50_ms, c.claim_p99_ms, c.idle_claim_p50_ms
        )?;
    }
    for p in &r.pakn {
        writeln!(
            out,
            "  PAKN {}: bảng tỉnh {:.1} ms, bảng đơn vị {:.1} ms, chỉ số {:.1} ms",
            p.rows, p.board_p50_ms, p.board_unit_p50_ms, p.measures_p50_ms
        )?;
    }
    Ok(())
}
