//! `cchc bench emulation`: the evaluation of an emulation movement's year at scale.
//!
//! 1. Fill a fresh database: the real units (`province`: Kon Tum before 1 July 2025 and
//!    Quảng Ngãi after, as the demo imports them; `country`: every province and commune
//!    before and after the 2025 reorganisation), `--size` dossier facts over the movement's
//!    participants (and the units they replaced) received over the year and the year before,
//!    ~4% finished late and some left open past their due day, 1-2 handlers each among the
//!    staff of the dossier's unit (with `handler_yearly`), `--staff` officer and leader
//!    accounts, their ratings, a few hundred initiatives and discipline decisions, ~10 tasks
//!    and 7 report obligations per participant, PAR INDEX results of the year and the year
//!    before; then the rollups rebuilt from the facts (`App::rebuild_indicators`) and a
//!    movement created (`App::create_movement`).
//! 2. Time `App::compute_evaluation` `--reps` times after one warm-up (p50/p99/min), then
//!    each of its reads once on its own.
//! 3. Write `--out/result.json` with the sizes, the times, the tallies, and the verdict
//!    inputs of every subject that does not meet a data criterion (late dossiers of a unit
//!    and of a person, failed tasks, failed reports) for the baselines to compare; and
//!    `--out/unit_owner.csv` (which participant answers for which unit in the year).

use cchc_app::Principal;
use cchc_app::emulation::{NewMovement, criteria_sets};
use cchc_domain::emulation::{SubjectKind, SubjectResult, Verdict};
use cchc_domain::indicator::{DossierFacts, EndKind, FinishVerdict, Period};
use cchc_domain::par_index::ParKind;
use cchc_domain::unit::UnitKind;
use cchc_store::{ObligationRow, ParCardRow, PlanRow, PlanRowsBulk, RecordRow, TaskRow};
use jiff::civil::Date;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::usage;

/// Which units take part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Scope {
    /// Quảng Ngãi's departments and communes (Kon Tum's history included).
    #[default]
    Province,
    /// Every commune of the country.
    Country,
}

/// Options.
#[derive(Debug, clap::Args)]
pub struct EmulationBenchArgs {
    /// Dossier facts to generate (use a fresh database for each run).
    #[arg(long, default_value_t = 100_000)]
    size: usize,
    #[arg(long, value_enum, default_value_t)]
    scope: Scope,
    /// Staff accounts (default: 5,000 for a province, 35,000 for the country).
    #[arg(long)]
    staff: Option<usize>,
    /// Measured evaluations (after one warm-up).
    #[arg(long, default_value_t = 10)]
    reps: usize,
    /// The year evaluated (default: last year).
    #[arg(long)]
    year: Option<i16>,
    /// Directory for result.json and unit_owner.csv.
    #[arg(long)]
    out: PathBuf,
    /// Reference data directory (default ../shared/data).
    #[arg(long)]
    data: Option<PathBuf>,
}

const BATCH: usize = 50_000;
const PROCEDURES: usize = 200;

/// A small deterministic generator (xorshift).
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
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick(&mut self, cumulative: &[f64]) -> usize {
        let x = self.unit() * cumulative.last().copied().unwrap_or(0.0);
        cumulative
            .partition_point(|c| *c <= x)
            .min(cumulative.len().saturating_sub(1))
    }
}

fn add_days(d: Date, n: i64) -> Date {
    d.checked_add(jiff::Span::new().days(n)).unwrap_or(d)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[(((sorted.len() as f64 - 1.0) * p).round() as usize).min(sorted.len() - 1)]
}

/// Reads the reference unit lists: Kon Tum and Quảng Ngãi only, or the whole country.
fn reference_units(
    dir: &Path,
    whole_country: bool,
) -> anyhow::Result<Vec<cchc_domain::unit::Unit>> {
    let read = |name: &str| -> anyhow::Result<String> {
        std::fs::read_to_string(dir.join(name))
            .map_err(|e| usage(format!("không đọc được {}: {e}", dir.join(name).display())))
    };
    let files = [
        read("vn_units_pre2025_provinces.csv")?,
        read("vn_units_pre2025_districts.csv")?,
        read("vn_units_pre2025_wards.csv")?,
        read("vn_units_2025_provinces.csv")?,
        read("vn_units_2025_wards.csv")?,
        read("kontum_units_pre2025_with_2025_mapping.csv")?,
    ];
    Ok(cchc_app::catalogue::reference_units(
        cchc_app::catalogue::ReferenceUnitFiles {
            pre2025_provinces: &files[0],
            pre2025_districts: &files[1],
            pre2025_wards: &files[2],
            provinces_2025: &files[3],
            wards_2025: &files[4],
            kon_tum_mapping: &files[5],
        },
        whole_country,
    )?)
}

#[derive(Debug, Serialize)]
struct Timing {
    reps: usize,
    p50_ms: f64,
    p99_ms: f64,
    min_ms: f64,
    max_ms: f64,
}

#[derive(Debug, Default, Serialize)]
struct TallyOut {
    met: usize,
    not_met: usize,
    no_data: usize,
}

/// One subject failing a data criterion, with the numbers behind it.
#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct Failing {
    criterion: String,
    subject: String,
    /// Late dossiers finished in the year, or failed duties.
    a: i64,
    /// Late dossiers open at the judging day (0 for duties).
    b: i64,
}

#[derive(Debug, Serialize)]
struct Report {
    scope: String,
    size: usize,
    year: i16,
    judged_on: String,
    received_from: String,
    received_to: String,
    units_in_tree: usize,
    participants: usize,
    participants_by_kind: BTreeMap<String, usize>,
    dossier_units: usize,
    staff: usize,
    handler_rows: usize,
    initiatives: usize,
    disciplines: usize,
    tasks: usize,
    obligations: usize,
    par_cards: usize,
    facts_late_finished_in_year: usize,
    facts_backlog_at_judging: usize,
    import_units_s: f64,
    fill_facts_s: f64,
    fill_handlers_s: f64,
    fill_rest_s: f64,
    rebuild_rollups_s: f64,
    evaluation: Timing,
    /// Each read of the evaluation on its own, ms (one run each).
    reads_ms: BTreeMap<String, f64>,
    late_candidates: usize,
    units: TallyOut,
    people: TallyOut,
    failing: Vec<Failing>,
}

fn tally(subjects: &[SubjectResult], kind: SubjectKind) -> TallyOut {
    let mut t = TallyOut::default();
    for s in subjects.iter().filter(|s| s.kind == kind) {
        match s.verdict {
            Verdict::Met => t.met += 1,
            Verdict::NotMet => t.not_met += 1,
            Verdict::NoData => t.no_data += 1,
        }
    }
    t
}

/// The integers of a text, dots as thousands separators ("1.204 hồ sơ: 3 trễ hạn" → 1204, 3).
fn numbers(text: &str) -> Vec<i64> {
    let mut out = Vec::new();
    let mut cur: Option<i64> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(d) = c.to_digit(10) {
            cur = Some(cur.unwrap_or(0) * 10 + i64::from(d));
        } else if c == '.' && cur.is_some() && chars.peek().is_some_and(char::is_ascii_digit) {
            continue;
        } else if let Some(n) = cur.take() {
            out.push(n);
        }
    }
    out.extend(cur);
    out
}

/// Subjects not meeting TT1 (tasks), TT3 (late dossiers), TT4 (reports), CN4 (late handled),
/// with the counts read back from the explanations.
fn failing(subjects: &[SubjectResult]) -> anyhow::Result<Vec<Failing>> {
    let mut out = Vec::new();
    for s in subjects {
        for c in &s.criteria {
            if c.verdict != Verdict::NotMet {
                continue;
            }
            let n = numbers(&c.explanation);
            let (a, b) = match c.criterion.as_str() {
                // "N hồ sơ: F trễ hạn, B tồn đọng quá hạn cuối năm"
                "TT3" | "CN4" if n.len() >= 3 => (n[1], n[2]),
                // "N nhiệm vụ có hạn trong năm: D đúng hạn, F không đạt[, P chưa đến hạn]"
                "TT1" | "TT4" if n.len() >= 3 => (n[2], 0),
                "TT1" | "TT3" | "TT4" | "CN4" => anyhow::bail!(
                    "cannot read the counts of {} for {}: {:?}",
                    c.criterion,
                    s.id,
                    c.explanation
                ),
                _ => continue,
            };
            out.push(Failing {
                criterion: c.criterion.clone(),
                subject: s.id.clone(),
                a,
                b,
            });
        }
    }
    out.sort();
    Ok(out)
}

fn kind_code(kind: UnitKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

struct Proc {
    code: String,
    /// Calendar days to the due day.
    due_cal: i64,
}

pub fn run(args: &EmulationBenchArgs, database_url: &str, out: &mut String) -> anyhow::Result<()> {
    if args.size == 0 || args.reps == 0 {
        return Err(usage("--size và --reps phải lớn hơn 0"));
    }
    let dir = crate::runtime::reference_dir(args.data.clone())?;
    std::fs::create_dir_all(&args.out)?;
    let report = crate::runtime::block_on(run_async(args, database_url, &dir))??;
    let json = serde_json::to_string_pretty(&report)?;
    std::fs::write(args.out.join("result.json"), &json)?;
    writeln!(
        out,
        "{} {} facts, {} participants, {} staff: compute_evaluation p50 {:.0} ms, p99 {:.0} ms, \
         min {:.0} ms; units met/not met/no data {}/{}/{}, staff {}/{}/{}",
        report.scope,
        report.size,
        report.participants,
        report.staff,
        report.evaluation.p50_ms,
        report.evaluation.p99_ms,
        report.evaluation.min_ms,
        report.units.met,
        report.units.not_met,
        report.units.no_data,
        report.people.met,
        report.people.not_met,
        report.people.no_data,
    )?;
    Ok(())
}

async fn run_async(
    args: &EmulationBenchArgs,
    database_url: &str,
    dir: &Path,
) -> anyhow::Result<Report> {
    let app = crate::runtime::open_app(database_url, None).await?;
    let sys = Principal::system();
    let whole_country = args.scope == Scope::Country;
    let t = Instant::now();
    if app.units()?.is_empty() {
        app.import_units(&sys, reference_units(dir, whole_country)?)
            .await?;
    }
    let import_units_s = t.elapsed().as_secs_f64();
    let (dossiers, _) = app.store().facts_coverage().await?;
    if dossiers > 0 {
        anyhow::bail!("the database already holds {dossiers} dossiers: use a fresh one");
    }
    let today = cchc_app::vietnam_now().date();
    let year = args.year.unwrap_or(today.year() - 1);
    let first = Date::new(year, 1, 1)?;
    let last = Date::new(year, 12, 31)?;
    let judged_on = last.min(today);
    let received_from = Date::new(year - 1, 1, 1)?;
    let received_to = judged_on;
    let kinds: Vec<UnitKind> = match args.scope {
        Scope::Province => vec![UnitKind::Department, UnitKind::Commune],
        Scope::Country => vec![UnitKind::Commune],
    };
    let staff_n = args.staff.unwrap_or(match args.scope {
        Scope::Province => 5_000,
        Scope::Country => 35_000,
    });
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (args.size as u64).rotate_left(17) ^ staff_n as u64);

    // Participants, as compute_evaluation finds them, and the units each answers for.
    let tree = app.units()?;
    let units_in_tree = tree
        .active_on(received_from)
        .count()
        .max(tree.active_on(judged_on).count());
    let participants: Vec<&cchc_domain::unit::Unit> = tree
        .active_on(judged_on)
        .filter(|u| kinds.contains(&u.kind))
        .collect();
    if participants.is_empty() {
        anyhow::bail!("no participating unit: reference units not imported?");
    }
    let mut participants_by_kind = BTreeMap::new();
    for p in &participants {
        *participants_by_kind.entry(kind_code(p.kind)).or_insert(0) += 1;
    }
    let mut owner_csv =
        std::io::BufWriter::new(std::fs::File::create(args.out.join("unit_owner.csv"))?);
    writeln!(owner_csv, "member,participant")?;
    // Per participant: the units a dossier may carry (itself, and the communes or
    // departments it replaced), each with its validity.
    let mut members: Vec<Vec<(String, Date, Option<Date>)>> = Vec::new();
    let mut dossier_units = std::collections::HashSet::new();
    for p in &participants {
        let mut mine = Vec::new();
        for m in tree.history_members(p.id.as_str(), first, judged_on) {
            writeln!(owner_csv, "{m},{}", p.id.as_str())?;
            if let Some(u) = tree.get(&m)
                && (u.id == p.id || u.kind == p.kind)
            {
                mine.push((m.clone(), u.valid_from, u.valid_to));
                dossier_units.insert(m);
            }
        }
        members.push(mine);
    }
    owner_csv.flush()?;
    let weights: Vec<f64> = participants
        .iter()
        .map(|p| {
            let w = 0.5 + rng.unit();
            if p.kind == UnitKind::Department {
                2.0 * w
            } else {
                w
            }
        })
        .collect();
    let mut cum = Vec::with_capacity(weights.len());
    let mut acc = 0.0;
    for w in &weights {
        acc += w;
        cum.push(acc);
    }

    // Staff: at least two per participant (the first its leader), the rest by weight.
    let at = app.now().strftime("%Y-%m-%dT%H:%M:%S").to_string();
    let mut staff_of: Vec<Vec<String>> = vec![Vec::new(); participants.len()];
    let mut accounts = Vec::with_capacity(staff_n);
    for i in 0..staff_n.max(2 * participants.len()) {
        let p = if i < 2 * participants.len() {
            i % participants.len()
        } else {
            rng.pick(&cum)
        };
        let id = format!("bench-staff-{i:06}");
        let leader = staff_of[p].is_empty();
        accounts.push((
            id.clone(),
            format!("Cán bộ thử {i}"),
            if leader {
                "Chủ tịch".to_owned()
            } else {
                "Chuyên viên".to_owned()
            },
            if leader {
                "leader".to_owned()
            } else {
                "officer".to_owned()
            },
            participants[p].id.as_str().to_owned(),
        ));
        staff_of[p].push(id);
    }
    let t = Instant::now();
    app.store().insert_accounts_bulk(&accounts, &at).await?;
    let mut fill_rest_s = t.elapsed().as_secs_f64();

    // Dossier facts with their handlers.
    const LIMITS: [i64; 7] = [1, 3, 5, 7, 10, 15, 20];
    let procs: Vec<Proc> = (0..PROCEDURES)
        .map(|k| Proc {
            code: format!("1.{:06}", 1000 + k * 37),
            due_cal: (LIMITS[(k * 5 + 3) % LIMITS.len()] * 7 + 4) / 5,
        })
        .collect();
    let proc_cum: Vec<f64> = {
        let mut acc = 0.0;
        (0..PROCEDURES)
            .map(|k| {
                acc += 1.0 / (k as f64 + 1.0);
                acc
            })
            .collect()
    };
    let span = (received_to - received_from).get_days().max(1) as u64 + 1;
    let (mut fill_facts_s, mut fill_handlers_s) = (0.0, 0.0);
    let mut yearly: HashMap<(String, i16), i64> = HashMap::new();
    let (mut late_fin, mut backlog, mut handler_rows) = (0usize, 0usize, 0usize);
    let mut i = 0;
    while i < args.size {
        let n = BATCH.min(args.size - i);
        let mut facts = Vec::with_capacity(n);
        let mut handlers = Vec::with_capacity(n * 3 / 2);
        for k in i..i + n {
            let p = rng.pick(&cum);
            let proc = &procs[rng.pick(&proc_cum)];
            let mut r = add_days(received_from, rng.below(span) as i64);
            let wd = r.weekday().to_monday_zero_offset();
            if wd >= 5 && rng.chance(0.9) {
                r = add_days(r, -(i64::from(wd) - 4));
            }
            let active: Vec<&(String, Date, Option<Date>)> = members[p]
                .iter()
                .filter(|(_, from, to)| *from <= r && to.is_none_or(|t| r <= t))
                .collect();
            let unit = if active.is_empty() {
                participants[p].id.as_str().to_owned()
            } else {
                active[rng.below(active.len() as u64) as usize].0.clone()
            };
            let mut f = DossierFacts {
                code: format!("EMU-{k:09}"),
                unit,
                procedure: proc.code.clone(),
                received_day: Some(r),
                end: None,
                end_day: None,
                late_from: Some(add_days(r, proc.due_cal)),
                verdict: None,
                online: rng.chance(0.4),
                full_online_proc: false,
                fee_bearing: false,
                paid_online: false,
                digitised: rng.chance(0.75),
                reused: false,
                synced: rng.chance(0.6),
                electronic_result: false,
                supplement_requests: 0,
                used_cd: 0,
                limit_cd: 0,
                rating: None,
            };
            let roll = rng.unit();
            if roll < 0.01 {
                // Refused at intake: never received.
                f.received_day = None;
                f.late_from = None;
                f.end = Some(EndKind::Refused);
                f.end_day = Some(r);
            } else if roll < 0.02 {
                f.end = Some(EndKind::Withdrawn);
                f.end_day = Some(add_days(r, 1 + rng.below(10) as i64).min(today));
            } else if roll < 0.026 {
                // Stuck: still open.
            } else {
                let late = rng.chance(0.04);
                let days = if late {
                    proc.due_cal + 1 + rng.below(25) as i64
                } else {
                    rng.below(proc.due_cal as u64 + 1) as i64
                };
                let e = add_days(r, days);
                if e <= today {
                    f.end = Some(EndKind::Decided);
                    f.end_day = Some(e);
                    f.verdict = Some(if late {
                        FinishVerdict::Late
                    } else if (days as f64) < proc.due_cal as f64 * 0.6 {
                        FinishVerdict::Early
                    } else {
                        FinishVerdict::OnTime
                    });
                    f.used_cd = days * 500 / 7;
                    f.limit_cd = proc.due_cal * 500 / 7;
                }
            }
            match cchc_domain::emulation::late_in_year(&f, year, judged_on) {
                Some(cchc_domain::emulation::LateKind::Finished { .. }) => late_fin += 1,
                Some(cchc_domain::emulation::LateKind::Backlog { .. }) => backlog += 1,
                None => {}
            }
            if let Some(day) = f.received_day {
                let staff = &staff_of[p];
                let a = rng.below(staff.len() as u64) as usize;
                let mut picked = vec![a];
                if staff.len() > 1 && rng.chance(0.3) {
                    picked.push((a + 1 + rng.below(staff.len() as u64 - 1) as usize) % staff.len());
                }
                for s in picked {
                    handlers.push((f.code.clone(), staff[s].clone(), day.to_string()));
                    *yearly.entry((staff[s].clone(), day.year())).or_default() += 1;
                }
            }
            facts.push(f);
        }
        let t = Instant::now();
        app.store().insert_facts_bulk(&facts).await?;
        fill_facts_s += t.elapsed().as_secs_f64();
        let t = Instant::now();
        handler_rows += handlers.len();
        app.store().insert_handlers_bulk(&handlers).await?;
        fill_handlers_s += t.elapsed().as_secs_f64();
        i += n;
        if i % 1_000_000 == 0 {
            eprintln!(
                "  filled {i} facts ({fill_facts_s:.0} s facts, {fill_handlers_s:.0} s handlers)"
            );
        }
    }
    let t = Instant::now();
    let yearly: Vec<(String, i64, i64)> = yearly
        .into_iter()
        .map(|((a, y), n)| (a, i64::from(y), n))
        .collect();
    app.store().insert_handler_yearly_bulk(&yearly).await?;
    fill_handlers_s += t.elapsed().as_secs_f64();

    // Ratings of the year and the year before; initiatives and discipline of the year.
    let t = Instant::now();
    let mut ratings = Vec::with_capacity(2 * accounts.len());
    for (id, ..) in &accounts {
        for y in [year - 1, year] {
            let x = rng.below(100);
            let code = match x {
                0..=24 => "xuat_sac",
                25..=84 => "tot",
                85..=98 => "hoan_thanh",
                _ => "khong_hoan_thanh",
            };
            ratings.push((id.clone(), i64::from(y), code.to_owned()));
        }
    }
    app.store().insert_ratings_bulk(&ratings, &at).await?;
    let record = |k: usize, what: String, decision: String, rng: &mut Rng, reform: bool| {
        let (id, _, _, _, unit) = &accounts[rng.below(accounts.len() as u64) as usize];
        let day = add_days(
            first,
            rng.below(((judged_on - first).get_days() + 1) as u64) as i64,
        );
        RecordRow {
            id: format!("bench-rec-{k:06}"),
            account: id.clone(),
            what,
            decision,
            day: day.to_string(),
            reform_related: reform,
            unit: unit.clone(),
            file_name: format!("bench-rec-{k:06}.pdf"),
            entered_by: "bench".into(),
            entered_at: at.clone(),
        }
    };
    let n_init = (accounts.len() / 15).max(100);
    let initiatives: Vec<RecordRow> = (0..n_init)
        .map(|k| {
            record(
                k,
                format!("Giải pháp cải cách hành chính số {k}"),
                format!("{}/QĐ-HĐSK", 100 + k),
                &mut rng,
                false,
            )
        })
        .collect();
    app.store().insert_records_bulk(false, &initiatives).await?;
    let n_disc = (accounts.len() / 25).max(50);
    let disciplines: Vec<RecordRow> = (0..n_disc)
        .map(|k| {
            let reform = rng.chance(0.5);
            record(
                n_init + k,
                "Khiển trách".into(),
                format!("{}/QĐ-KL", 10 + k),
                &mut rng,
                reform,
            )
        })
        .collect();
    app.store().insert_records_bulk(true, &disciplines).await?;

    // Tasks (10 due in the year) and reports (7 due in the year) of every participant.
    let mut rows = PlanRowsBulk::default();
    let plan_id = format!("bench-plan-{year}");
    rows.plans.push(PlanRow {
        id: plan_id.clone(),
        number: format!("99/KH-UBND-{year}"),
        signed_on: Some(first.to_string()),
        issuer: "UBND tỉnh".into(),
        period: year.to_string(),
        first_year: i64::from(year),
        last_year: i64::from(year),
        title: format!("Kế hoạch cải cách hành chính năm {year} (thử tải)"),
        note: String::new(),
        source: "demo".into(),
        created_by: "bench".into(),
        created_at: at.clone(),
    });
    let areas = [
        "chi-dao",
        "the-che",
        "tthc",
        "bo-may",
        "cong-vu",
        "tai-chinh-cong",
        "chinh-quyen-so",
    ];
    for (pi, p) in participants.iter().enumerate() {
        for k in 0..10 {
            let deadline = Date::new(year, 1 + (rng.below(12) as i8), 1 + rng.below(28) as i8)?;
            let x = rng.unit();
            let (status, done_on) = if x < 0.80 {
                (
                    "hoan-thanh",
                    Some(add_days(deadline, -(rng.below(20) as i64))),
                )
            } else if x < 0.86 {
                (
                    "hoan-thanh",
                    Some(add_days(deadline, 1 + rng.below(30) as i64)),
                )
            } else if x < 0.94 {
                ("dang-thuc-hien", None)
            } else if x < 0.97 {
                ("chua-thuc-hien", None)
            } else {
                ("huy", None)
            };
            let done_on = done_on.map(|d| d.min(today));
            rows.tasks.push(TaskRow {
                id: format!("bench-task-{pi:05}-{k:02}"),
                plan_id: plan_id.clone(),
                seq: (pi * 10 + k) as i64 + 1,
                area: areas[k % areas.len()].into(),
                title: format!("Nhiệm vụ {k} của {}", p.name),
                lead_unit: p.id.as_str().to_owned(),
                support_units: String::new(),
                output: "Báo cáo".into(),
                deadline: deadline.to_string(),
                deadline_rule: String::new(),
                status: status.into(),
                done_on: done_on.map(|d| d.to_string()),
                percent: if status == "hoan-thanh" { 100 } else { 50 },
                updated_at: at.clone(),
            });
        }
        for (key, cycle, label, m, d) in [
            ("Q1", "quy", "Báo cáo CCHC quý I", 3, 15),
            ("H1", "6-thang", "Báo cáo CCHC 6 tháng", 6, 15),
            ("Q3", "quy", "Báo cáo CCHC quý III", 9, 15),
            ("Y", "nam", "Báo cáo CCHC năm", 12, 15),
            ("CD1", "quy", "Báo cáo chuyên đề 1", 4, 20),
            ("CD2", "quy", "Báo cáo chuyên đề 2", 8, 20),
            ("CD3", "quy", "Báo cáo chuyên đề 3", 11, 20),
        ] {
            let due = Date::new(year, m, d)?;
            let x = rng.unit();
            let (submitted, complete) = if x < 0.85 {
                (Some(add_days(due, -(rng.below(6) as i64))), Some(true))
            } else if x < 0.92 {
                (Some(add_days(due, 1 + rng.below(15) as i64)), Some(true))
            } else if x < 0.96 {
                (Some(add_days(due, -(rng.below(6) as i64))), Some(false))
            } else {
                (None, None)
            };
            let submitted = submitted.filter(|s| *s <= today);
            rows.obligations.push(ObligationRow {
                id: format!("bench-rep-{pi:05}-{key}"),
                unit: p.id.as_str().to_owned(),
                cycle: cycle.into(),
                period_key: format!("{year}-{key}"),
                label: label.into(),
                due: due.to_string(),
                submitted_on: submitted.map(|d| d.to_string()),
                complete: submitted.and(complete),
            });
        }
    }
    app.store().insert_plan_rows_bulk(&rows).await?;

    // PAR INDEX: every participant appraised in the year and the year before.
    let mut cards = Vec::new();
    for y in [year - 1, year] {
        for p in &participants {
            let Some(kind) = ParKind::of(p.kind) else {
                continue;
            };
            let Ok(t) = app.par_tree(y, kind) else {
                continue;
            };
            let self_points = t.assessed_points * (0.70 + 0.28 * rng.unit());
            let appraised = self_points * (0.95 + 0.05 * rng.unit());
            let survey = t.survey.points * (0.70 + 0.28 * rng.unit());
            cards.push(ParCardRow {
                unit: p.id.as_str().to_owned(),
                year: i64::from(y),
                kind: kind.as_str().to_owned(),
                tree_version: t.version.clone(),
                state: "appraised".into(),
                self_points: (self_points * 100.0).round() / 100.0,
                appraised_points: Some((appraised * 100.0).round() / 100.0),
                survey_points: Some((survey * 100.0).round() / 100.0),
                survey_at: Some(at.clone()),
                survey_by: Some("bench".into()),
                submitted_at: Some(at.clone()),
                submitted_by: Some("bench".into()),
                appraised_at: Some(at.clone()),
                appraised_by: Some("bench".into()),
                version: 3,
            });
        }
    }
    app.store().insert_par_cards_bulk(&cards).await?;
    fill_rest_s += t.elapsed().as_secs_f64();

    // Rollups from the facts.
    let t = Instant::now();
    app.rebuild_indicators(false).await?;
    let rebuild_rollups_s = t.elapsed().as_secs_f64();
    eprintln!(
        "  fill: facts {fill_facts_s:.1} s, handlers {fill_handlers_s:.1} s, rest {fill_rest_s:.1} s, \
         rollups {rebuild_rollups_s:.1} s"
    );

    // The movement.
    let set = criteria_sets()?
        .first()
        .ok_or_else(|| anyhow::anyhow!("no criteria set shipped"))?;
    let code = format!(
        "bench-{}",
        if whole_country { "country" } else { "province" }
    );
    app.create_movement(
        &sys,
        &NewMovement {
            code: code.clone(),
            title: "Phong trào thi đua đẩy mạnh cải cách hành chính (thử tải)".into(),
            plan_number: "42/KH-UBND".into(),
            plan_date: "2023-01-06".into(),
            issuer: "UBND tỉnh".into(),
            first_year: 2023,
            last_year: 2030,
            unit_kinds: kinds.iter().map(|k| kind_code(*k)).collect(),
            content_areas: vec!["Giải quyết thủ tục hành chính đúng hạn".into()],
            criteria: set.key(),
        },
    )
    .await?;
    let movement = app.movement(&sys, &code).await?;

    // Time the evaluation.
    let warm = app.compute_evaluation(&movement, year).await?;
    let mut lat = Vec::with_capacity(args.reps);
    let mut last_result = warm;
    for _ in 0..args.reps {
        let t = Instant::now();
        last_result = app.compute_evaluation(&movement, year).await?;
        lat.push(t.elapsed().as_secs_f64() * 1e3);
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    let evaluation = Timing {
        reps: args.reps,
        p50_ms: percentile(&lat, 0.5),
        p99_ms: percentile(&lat, 0.99),
        min_ms: lat.first().copied().unwrap_or(0.0),
        max_ms: lat.last().copied().unwrap_or(0.0),
    };

    // Each read on its own.
    let mut reads_ms = BTreeMap::new();
    let period = Period::year(year)?;
    let t = Instant::now();
    std::hint::black_box(app.measures_by_unit(&period).await?);
    reads_ms.insert(
        "measures_by_unit (rollups)".to_owned(),
        t.elapsed().as_secs_f64() * 1e3,
    );
    let t = Instant::now();
    let candidates = app.store().late_candidates(first, judged_on).await?;
    reads_ms.insert(
        "late_candidates (facts + handlers)".to_owned(),
        t.elapsed().as_secs_f64() * 1e3,
    );
    let late_candidates = candidates.len();
    drop(candidates);
    let t = Instant::now();
    std::hint::black_box(app.duties_in_year(year, app.now().date()).await?);
    reads_ms.insert(
        "duties_in_year (tasks + reports)".to_owned(),
        t.elapsed().as_secs_f64() * 1e3,
    );
    let t = Instant::now();
    std::hint::black_box(app.par_results(year).await?);
    reads_ms.insert("par_results".to_owned(), t.elapsed().as_secs_f64() * 1e3);
    let t = Instant::now();
    std::hint::black_box(app.store().staff_members().await?);
    std::hint::black_box(app.store().ratings(year).await?);
    std::hint::black_box(app.store().handled_in_year(year).await?);
    std::hint::black_box(app.store().records_between(true, first, judged_on).await?);
    std::hint::black_box(app.store().records_between(false, first, judged_on).await?);
    reads_ms.insert(
        "staff, ratings, handled, discipline, initiatives".to_owned(),
        t.elapsed().as_secs_f64() * 1e3,
    );
    let t = Instant::now();
    std::hint::black_box(app.units()?);
    let tree = app.units()?;
    let mut owners = 0usize;
    for p in tree
        .active_on(judged_on)
        .filter(|u| kinds.contains(&u.kind))
    {
        owners += tree.history_members(p.id.as_str(), first, judged_on).len();
    }
    std::hint::black_box(owners);
    reads_ms.insert(
        "unit history (owners map)".to_owned(),
        t.elapsed().as_secs_f64() * 1e3,
    );

    let subjects = &last_result.subjects;
    Ok(Report {
        scope: if whole_country { "country" } else { "province" }.into(),
        size: args.size,
        year,
        judged_on: judged_on.to_string(),
        received_from: received_from.to_string(),
        received_to: received_to.to_string(),
        units_in_tree,
        participants: participants.len(),
        participants_by_kind,
        dossier_units: dossier_units.len(),
        staff: accounts.len(),
        handler_rows,
        initiatives: initiatives.len(),
        disciplines: disciplines.len(),
        tasks: rows.tasks.len(),
        obligations: rows.obligations.len(),
        par_cards: cards.len(),
        facts_late_finished_in_year: late_fin,
        facts_backlog_at_judging: backlog,
        import_units_s,
        fill_facts_s,
        fill_handlers_s,
        fill_rest_s,
        rebuild_rollups_s,
        evaluation,
        reads_ms,
        late_candidates,
        units: tally(subjects, SubjectKind::Collective),
        people: tally(subjects, SubjectKind::Individual),
        failing: failing(subjects)?,
    })
}
