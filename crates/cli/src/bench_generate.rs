//! `cchc bench generate`: realistic dossier histories at any scale (10^4 to 10^7), written
//! straight through the store.
//!
//! - Real units and procedures from the reference data (imported first if missing): by
//!   default Kon Tum's communes, district one-stop offices and departments before 1 July 2025
//!   and, from then on, the Kon Tum part of Quảng Ngãi as `cchc bench indicators` selects it;
//!   procedures of each unit's level (and each department's fields), Zipf-weighted, with their
//!   catalogue limits, channels, fees and online kind.
//! - Rhythm: working days of the real calendar only, slow growth, a year-end peak, lighter
//!   weeks around Tết, busy Mondays, the morning peak of the working hours.
//! - Calibrated at run time from `published_par_dossier_stats.csv` (Kon Tum, Q3/2023): online
//!   share, digitised share, late share of resolved dossiers, online payments; satisfaction
//!   from the latest national SIPAS average. Achieved and published shares are reported.
//! - Every history is real: events sealed on the chain from the genesis hash, the dossier
//!   rebuilt by `Dossier::start`/`apply` (which refuse an impossible step), due dates from the
//!   unit's working clock, lateness judged by the domain, facts from `DossierFacts::derive`.
//!   A dossier of a unit abolished on 1 July 2025 still open then is handed over (`Forwarded`)
//!   to the unit that succeeded it.
//! - Deterministic: dossiers are drawn day by day, each from its own random stream; the same
//!   seed, count and options give byte-identical rows.
//! - Fast: one thread generates and renders the rows, another loads them (multi-row INSERTs,
//!   `--batch` dossiers per transaction, no per-dossier rollup upserts; on PostgreSQL the
//!   months' partitions are created first); the counters are added once, then the indicator
//!   rollups are rebuilt from the facts in one pass. Each part is timed, in wall and CPU time
//!   (the machine may be shared).

use cchc_app::demo::{
    COMMUNE_FIELDS, COMPANY_WORDS, DEPARTMENTS, DISTRICT_FIELDS, EXCLUDED_FIELDS, POPULAR,
    PROVINCE_FIELDS, address_of, cccd, person_name, phone,
};
use cchc_app::seeded::{Rng, Weighted, fnv, splitmix};
use cchc_app::{App, Principal};
use cchc_domain::calendar::{DayMark, DueDate, LimitUnit, Period as WorkPeriod, TimeLimit};
use cchc_domain::calendar::{WorkingClock, lunar};
use cchc_domain::dossier::{
    Actor, Applicant, ApplicantKind, Component, Dossier, DossierCode, Event, EventBody, EventKind,
    GENESIS_HASH, Intake, Outcome, Payment, ResultDoc, Status,
};
use cchc_domain::indicator::{
    DossierFacts, FinishVerdict, Measures, Period, ProcedureTraits, measures_from_facts,
};
use cchc_domain::procedure::{Channel, Fee, OnlineKind, Procedure, ProcedureLevel};
use cchc_domain::text::fold;
use cchc_domain::unit::{FIRST_DAY_2025, HISTORY_START, Unit, UnitKind, UnitTree};
use cchc_store::{Projected, Store, StoredHistory};
use jiff::civil::{Date, DateTime, Weekday};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crate::{Format, usage};

/// Options.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Dossiers to generate (use a database without dossiers).
    #[arg(long)]
    dossiers: usize,
    /// Seed: the same seed, count and options give the same data.
    #[arg(long, default_value_t = 2025)]
    seed: u64,
    /// Years received, e.g. 2024-2025 or 2025 (default: the two years before this one).
    #[arg(long, conflicts_with_all = ["from", "to"])]
    years: Option<String>,
    /// First day received (YYYY-MM-DD), with --to.
    #[arg(long, requires = "to")]
    from: Option<String>,
    /// Last day (YYYY-MM-DD): the generated world's today; later steps are not taken yet.
    #[arg(long, requires = "from")]
    to: Option<String>,
    /// Receiving units: kon-tum (Kon Tum's units before 01/07/2025, the Kon Tum part of Quảng
    /// Ngãi after), or unit ids separated by commas (with the units that succeeded them).
    #[arg(long, default_value = "kon-tum")]
    units: String,
    /// Also write dossiers.csv, events.csv and facts.csv (the rows as inserted) to DIR.
    #[arg(long, value_name = "DIR")]
    export: Option<PathBuf>,
    /// With --export, write facts.csv only (what the indicator baselines read; the dossier
    /// and event rows are about 5.6 GB per million dossiers).
    #[arg(long, requires = "export")]
    export_facts_only: bool,
    /// Dossiers per transaction.
    #[arg(long, default_value_t = 10_000)]
    batch: usize,
    /// Reference data directory (default ../shared/data).
    #[arg(long)]
    data: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// The lookup secret of every generated dossier (so benchmarks can look any of them up).
pub const SECRET: &str = "SINH2025";

/// What the published figures are read for.
const PUBLISHED: &str = "published_par_dossier_stats.csv";
const PUBLISHED_SCOPE: &str = "Kon Tum";
const PUBLISHED_PERIOD: &str = "2023-Q3";

// ---------------------------------------------------------------------------------------------
// Published figures

/// Kon Tum's published dossier figures (Q3/2023) and the national satisfaction average.
#[derive(Debug, Clone)]
struct Published {
    total: f64,
    online: f64,
    resolved: f64,
    late: f64,
    pending: f64,
    online_payments: f64,
    digitised: f64,
    /// Latest national SIPAS average, as a share, and its year.
    satisfied: f64,
    satisfied_period: String,
}

impl Published {
    fn online_share(&self) -> f64 {
        self.online / self.total
    }
    fn late_share(&self) -> f64 {
        self.late / self.resolved
    }
    fn digitised_share(&self) -> f64 {
        self.digitised / self.total
    }
    fn payments_share(&self) -> f64 {
        self.online_payments / self.total
    }
    fn pending_share(&self) -> f64 {
        self.pending / self.total
    }
}

fn read_published(dir: &Path) -> anyhow::Result<Published> {
    let path = dir.join(PUBLISHED);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| usage(format!("không đọc được {}: {e}", path.display())))?;
    let mut rows: Vec<(String, String, String, f64)> = Vec::new();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for rec in reader.records() {
        let rec = rec.map_err(|e| usage(format!("{PUBLISHED}: {e}")))?;
        let field = |i: usize| rec.get(i).unwrap_or("").trim().to_owned();
        let Ok(value) = field(3).parse::<f64>() else {
            continue;
        };
        rows.push((field(0), field(1), field(2), value));
    }
    let kon_tum = |metric: &str| -> anyhow::Result<f64> {
        rows.iter()
            .find(|(s, p, m, _)| s == PUBLISHED_SCOPE && p == PUBLISHED_PERIOD && m == metric)
            .map(|r| r.3)
            .filter(|v| *v > 0.0)
            .ok_or_else(|| {
                usage(format!(
                    "{PUBLISHED} thiếu số liệu '{metric}' của {PUBLISHED_SCOPE} kỳ {PUBLISHED_PERIOD}"
                ))
            })
    };
    let (satisfied_period, satisfied) = rows
        .iter()
        .filter(|(_, _, m, _)| m == "SIPAS national average")
        .max_by(|a, b| a.1.cmp(&b.1))
        .map(|r| (r.1.clone(), r.3 / 100.0))
        .ok_or_else(|| usage(format!("{PUBLISHED} thiếu chỉ số SIPAS bình quân cả nước")))?;
    Ok(Published {
        total: kon_tum("dossiers received (total incl. carried over)")?,
        online: kon_tum("dossiers received online")?,
        resolved: kon_tum("dossiers resolved")?,
        late: kon_tum("resolved late")?,
        pending: kon_tum("pending within deadline")?,
        online_payments: kon_tum("online payments land obligations")?
            + kon_tum("online payments fees/charges")?,
        digitised: kon_tum("dossiers digitised")?,
        satisfied,
        satisfied_period,
    })
}

// ---------------------------------------------------------------------------------------------
// Options

fn parse_day(text: &str, what: &str) -> anyhow::Result<Date> {
    let t = text.trim();
    let parsed = if let Some((d, rest)) = t.split_once('/') {
        // dd/mm/yyyy, as people write dates.
        let mut parts = rest.splitn(2, '/');
        match (
            d.parse::<i8>(),
            parts.next().map(str::parse::<i8>),
            parts.next().map(str::parse::<i16>),
        ) {
            (Ok(d), Some(Ok(m)), Some(Ok(y))) => Date::new(y, m, d).ok(),
            _ => None,
        }
    } else {
        t.parse::<Date>().ok()
    };
    parsed.ok_or_else(|| {
        usage(format!(
            "ngày {what} '{text}' không hợp lệ (dùng YYYY-MM-DD hoặc DD/MM/YYYY)"
        ))
    })
}

/// The days received: `--years`, or `--from`/`--to`, or the two years before this one. A
/// range may not start before the unit history (2000) nor reach past today.
fn parse_range(args: &GenerateArgs, today: Date) -> anyhow::Result<(Date, Date)> {
    let (from, to) = match (&args.years, &args.from, &args.to) {
        (Some(years), _, _) => {
            let bad = || {
                usage(format!(
                    "--years '{years}' không hợp lệ (dùng NĂM hoặc NĂM_ĐẦU-NĂM_CUỐI, ví dụ 2024-2025)"
                ))
            };
            let (a, b) = match years.trim().split_once('-') {
                Some((a, b)) => (a.trim(), b.trim()),
                None => (years.trim(), years.trim()),
            };
            let (a, b): (i16, i16) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
            if a > b {
                return Err(usage(format!(
                    "khoảng năm {a}-{b} không hợp lệ: năm đầu sau năm cuối"
                )));
            }
            if !(HISTORY_START.year()..=today.year()).contains(&a)
                || !(HISTORY_START.year()..=today.year()).contains(&b)
            {
                return Err(usage(format!(
                    "khoảng năm {a}-{b} không hợp lệ: chỉ sinh hồ sơ từ năm {} đến năm nay ({})",
                    HISTORY_START.year(),
                    today.year()
                )));
            }
            let first = Date::new(a, 1, 1).map_err(|_| bad())?;
            let last = Date::new(b, 12, 31).map_err(|_| bad())?;
            // This year's range ends today.
            (first, last.min(today))
        }
        (None, Some(f), Some(t)) => (parse_day(f, "đầu")?, parse_day(t, "cuối")?),
        _ => (
            Date::new(today.year() - 2, 1, 1)?,
            Date::new(today.year() - 1, 12, 31)?,
        ),
    };
    if from > to {
        return Err(usage(format!(
            "khoảng thời gian không hợp lệ: ngày đầu {from} sau ngày cuối {to}"
        )));
    }
    if from < HISTORY_START {
        return Err(usage(format!(
            "khoảng thời gian không hợp lệ: dữ liệu đơn vị chỉ có từ {HISTORY_START}"
        )));
    }
    if to > today {
        return Err(usage(format!(
            "khoảng thời gian không hợp lệ: ngày cuối {to} sau hôm nay ({today})"
        )));
    }
    Ok((from, to))
}

/// Which units receive dossiers.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    KonTum,
    Units(Vec<String>),
}

fn parse_scope(text: &str) -> anyhow::Result<Scope> {
    let t = text.trim();
    if t.is_empty() || matches!(fold(t).as_str(), "kon-tum" | "kontum" | "kon tum") {
        return Ok(Scope::KonTum);
    }
    let ids: Vec<String> = t
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    if ids.is_empty() {
        return Err(usage(format!("--units '{text}' không hợp lệ")));
    }
    Ok(Scope::Units(ids))
}

fn check_scope(tree: &UnitTree, scope: &Scope) -> anyhow::Result<()> {
    if let Scope::Units(ids) = scope
        && let Some(unknown) = ids.iter().find(|id| !tree.contains(id.as_str()))
    {
        return Err(usage(format!(
            "không có đơn vị '{unknown}' trong danh sách đơn vị (--units nhận kon-tum hoặc mã đơn vị như w:23281, d:608, p2025:51)"
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Catalogue: which procedures each kind of unit receives, and how often

const COMMUNE_OTHER: f64 = 0.6;

const PROVINCE_OTHER: f64 = 1.0;

const SERVICE_CENTRE: &str = "trung-tam-phuc-vu-hanh-chinh-cong";

/// Typical fees when the catalogue gives no amount.
const TYPICAL_FEES: [i64; 7] = [10_000, 20_000, 50_000, 100_000, 150_000, 200_000, 500_000];

fn field_weight(table: &[(&str, f64)], field: &str) -> Option<f64> {
    table
        .iter()
        .find(|(k, _)| field.contains(k))
        .map(|(_, w)| *w)
}

/// A procedure as the generator uses it.
#[derive(Debug, Clone)]
struct Proc {
    code: String,
    /// The limit's spec per channel (counter, online, post) where the channel is available with
    /// a typed limit.
    limits: [Option<String>; 3],
    after_15h: bool,
    traits: ProcedureTraits,
    fee: Option<i64>,
    /// Land: financial obligations (nghĩa vụ tài chính) may be asked for.
    land: bool,
    business: bool,
    field: String,
    province: bool,
    commune: bool,
}

fn proc_of(p: &Procedure, online_kind: &str, fee_bearing: bool) -> Option<Proc> {
    let field = fold(&p.field);
    if EXCLUDED_FIELDS.iter().any(|k| field.contains(k))
        || p.quality
            .iter()
            .any(|q| matches!(q, cchc_domain::procedure::QualityIssue::CodeMismatch { .. }))
    {
        return None;
    }
    let limits = Channel::ALL.map(|c| p.limit(c).map(|l| l.spec()));
    if limits.iter().all(Option::is_none) {
        return None;
    }
    let amount = |c: Channel| match &p.channel(c).fee {
        Fee::Amount { vnd, .. } if *vnd >= 1_000 => Some(*vnd),
        _ => None,
    };
    let fee = fee_bearing.then(|| {
        Channel::ALL
            .into_iter()
            .find_map(amount)
            .unwrap_or_else(|| TYPICAL_FEES[(fnv(&p.code) % TYPICAL_FEES.len() as u64) as usize])
    });
    Some(Proc {
        code: p.code.clone(),
        limits,
        after_15h: p.after_15h_next_day,
        traits: ProcedureTraits {
            fee_bearing,
            // As the app reads it (the row's column mirrors the record).
            fully_online: online_kind == format!("{:?}", OnlineKind::FullyOnline),
        },
        fee,
        land: field.contains("dat dai"),
        business: ["doanh nghiep", "dau tu", "hop tac xa"]
            .iter()
            .any(|k| field.contains(k)),
        province: p.level.contains(ProcedureLevel::Province),
        commune: p.level.contains(ProcedureLevel::Commune),
        field,
    })
}

/// A unit's procedures per channel, Zipf-weighted by rank.
#[derive(Debug, Clone)]
struct Pool {
    by_channel: [Weighted<usize>; 3],
}

impl Pool {
    /// Ranks the procedures `weight` admits (its field's weight, a popular procedure's boost,
    /// a stable spread per procedure and seed) and gives the r-th a weight of 1/r^0.9.
    fn build(procs: &[Proc], seed: u64, mut weight: impl FnMut(&Proc) -> Option<f64>) -> Self {
        let mut ranked: Vec<(usize, f64)> = procs
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let w = weight(p)?;
                let mut r = Rng::new(seed ^ fnv(&p.code));
                let spread = 0.3 + 2.7 * r.unit() * r.unit();
                let boost = POPULAR
                    .iter()
                    .find(|(c, _)| *c == p.code)
                    .map_or(1.0, |(_, b)| *b);
                Some((i, w * spread * boost))
            })
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let by_channel = Channel::ALL.map(|c| {
            Weighted::new(
                ranked
                    .iter()
                    .enumerate()
                    .filter(|(_, (i, _))| procs[*i].limits[c.index()].is_some())
                    .map(|(rank, (i, _))| (*i, 1.0 / ((rank + 1) as f64).powf(0.9))),
            )
        });
        Self { by_channel }
    }

    fn is_empty(&self) -> bool {
        self.by_channel.iter().all(Weighted::is_empty)
    }

    fn pick(&self, channel: Channel, rng: &mut Rng) -> Option<usize> {
        self.by_channel[channel.index()].pick(rng).copied()
    }
}

// ---------------------------------------------------------------------------------------------
// People

// ---------------------------------------------------------------------------------------------
// The world: units, their staff and procedures

/// Which procedures a unit receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PoolKey {
    Commune,
    District,
    Department(usize),
    ServiceCentre(bool),
}

#[derive(Debug, Clone)]
struct UnitGen {
    id: String,
    agency: String,
    valid_from: Date,
    valid_to: Option<Date>,
    clock: Arc<WorkingClock>,
    /// "Phường Quang Trung, Thành phố Kon Tum, Tỉnh Kon Tum": applicants' addresses.
    address: String,
    weight: f64,
    pool: usize,
    /// officers[0] is the one-stop clerk; the others process.
    officers: Vec<Actor>,
    leader: Actor,
    /// The unit that took over its open dossiers when it was abolished.
    successor: Option<usize>,
}

impl UnitGen {
    fn active_on(&self, day: Date) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|to| day <= to)
    }
}

/// A short handle for account names: `w.23281`, `p2025.51.so-tu-phap`.
fn handle(id: &str) -> String {
    id.replace([':', '/'], ".")
}

fn titles(kind: UnitKind) -> (&'static str, &'static str) {
    match kind {
        UnitKind::Commune => ("Công chức Bộ phận Một cửa", "Phó Chủ tịch Ủy ban nhân dân"),
        UnitKind::Office => (
            "Chuyên viên Bộ phận Một cửa",
            "Chánh Văn phòng HĐND và UBND",
        ),
        UnitKind::ServiceCentre => (
            "Chuyên viên tiếp nhận và trả kết quả",
            "Phó Giám đốc Trung tâm",
        ),
        _ => ("Chuyên viên", "Phó Giám đốc Sở"),
    }
}

fn receives(u: &Unit) -> bool {
    match u.kind {
        UnitKind::Commune | UnitKind::Department | UnitKind::ServiceCentre => true,
        UnitKind::Office => u.id.as_str().ends_with("/bo-phan-mot-cua"),
        _ => false,
    }
}

/// The receiving units of the scope, each with a weight (busier units weigh more).
fn scope_units(
    app: &App,
    tree: &UnitTree,
    scope: &Scope,
    seed: u64,
) -> anyhow::Result<Vec<(String, f64)>> {
    let mut rng = Rng::new(seed ^ 0x5EED_0001);
    let mut out: Vec<(String, f64)> = Vec::new();
    let base = |u: &Unit, rng: &mut Rng| -> f64 {
        let w = 0.5 + rng.unit();
        match u.kind {
            UnitKind::Commune => w,
            _ => 2.0 * w,
        }
    };
    match scope {
        Scope::KonTum => {
            for u in tree.subtree("p:62") {
                let id = u.id.as_str();
                let top = u.parent.as_ref().is_some_and(|p| p.as_str() == "p:62");
                let ok = match u.kind {
                    UnitKind::Commune => id.starts_with("w:"),
                    UnitKind::Office => id.ends_with("/bo-phan-mot-cua"),
                    UnitKind::Department | UnitKind::ServiceCentre => top,
                    _ => false,
                };
                if ok {
                    // Kon Tum city's wards are busier.
                    let city = if tree.is_within(id, "d:608") {
                        1.8
                    } else {
                        1.0
                    };
                    let w = base(u, &mut rng) * city;
                    out.push((id.to_owned(), w));
                }
            }
            // After the merger: the units `cchc bench indicators` selects.
            let mut r = crate::bench_indicators::Rng(splitmix(seed ^ 0x5EED_0002) | 1);
            let (ids, weights) = crate::bench_indicators::kon_tum_units(app, &mut r)?;
            out.extend(ids.into_iter().zip(weights));
        }
        Scope::Units(roots) => {
            // The units within the scope, then those that succeeded them (transitively).
            let mut seen: BTreeSet<String> = BTreeSet::new();
            let mut queue: Vec<String> = Vec::new();
            for root in roots {
                for u in tree.subtree(root) {
                    if receives(u) && seen.insert(u.id.as_str().to_owned()) {
                        queue.push(u.id.as_str().to_owned());
                    }
                }
            }
            let mut i = 0;
            while i < queue.len() {
                let next: Vec<String> = tree
                    .successors(&queue[i])
                    .filter(|(s, _)| receives(s))
                    .map(|(s, _)| s.id.as_str().to_owned())
                    .collect();
                for s in next {
                    if seen.insert(s.clone()) {
                        queue.push(s);
                    }
                }
                i += 1;
            }
            for id in queue {
                if let Some(u) = tree.get(&id) {
                    let w = base(u, &mut rng);
                    out.push((id, w));
                }
            }
        }
    }
    Ok(out)
}

/// The units that generate dossiers, the procedures and the pools.
struct World {
    units: Vec<UnitGen>,
    procs: Vec<Proc>,
    pools: Vec<Pool>,
}

fn build_world(
    app: &App,
    tree: &UnitTree,
    scope: &Scope,
    procedures: Vec<(Procedure, String, bool)>,
    seed: u64,
    first: Date,
    last: Date,
) -> anyhow::Result<World> {
    let mut procs: Vec<Proc> = procedures
        .iter()
        .filter_map(|(p, kind, fee)| proc_of(p, kind, *fee))
        .collect();
    procs.sort_by(|a, b| a.code.cmp(&b.code));

    let mut pool_keys: Vec<PoolKey> = Vec::new();
    let mut pools: Vec<Pool> = Vec::new();
    let dept_slug = |u: &Unit| -> Option<(String, bool)> {
        let (_, slug) = u.id.as_str().split_once('/')?;
        let pre = u.valid_to.is_some_and(|to| to < FIRST_DAY_2025);
        Some((slug.to_owned(), pre))
    };
    // Which department (by slug) receives a field, before and after the merger.
    let department_of = |field: &str, pre: bool| -> Option<&'static str> {
        DEPARTMENTS
            .iter()
            .find(|(keys, _, _)| keys.iter().any(|k| field.contains(k)))
            .map(|(_, a, b)| if pre { *a } else { *b })
    };
    let mut units = Vec::new();
    let mut staff_rng = Rng::new(seed ^ 0x5EED_0003);
    for (id, weight) in scope_units(app, tree, scope, seed)? {
        let Some(u) = tree.get(&id) else { continue };
        if !u.exists_during(first, last) {
            continue;
        }
        let key = match u.kind {
            UnitKind::Commune => PoolKey::Commune,
            UnitKind::Office => PoolKey::District,
            UnitKind::ServiceCentre => {
                PoolKey::ServiceCentre(u.valid_to.is_some_and(|to| to < FIRST_DAY_2025))
            }
            _ => match dept_slug(u) {
                Some((slug, _)) if slug == SERVICE_CENTRE => {
                    PoolKey::ServiceCentre(u.valid_to.is_some_and(|to| to < FIRST_DAY_2025))
                }
                Some((slug, pre)) => {
                    // A department is keyed by its slug's first index in the table.
                    let i = DEPARTMENTS
                        .iter()
                        .position(|(_, a, b)| if pre { *a == slug } else { *b == slug });
                    match i {
                        Some(i) => PoolKey::Department(i * 2 + usize::from(pre)),
                        None => continue,
                    }
                }
                None => continue,
            },
        };
        let pool = match pool_keys.iter().position(|k| *k == key) {
            Some(i) => i,
            None => {
                let pool = match key {
                    PoolKey::Commune => Pool::build(&procs, seed, |p| {
                        p.commune.then(|| {
                            field_weight(COMMUNE_FIELDS, &p.field).unwrap_or(COMMUNE_OTHER)
                        })
                    }),
                    PoolKey::District => Pool::build(&procs, seed, |p| {
                        if !p.commune {
                            return None;
                        }
                        field_weight(DISTRICT_FIELDS, &p.field)
                    }),
                    PoolKey::Department(k) => {
                        let (pre, i) = (k % 2 == 1, k / 2);
                        let slug = DEPARTMENTS
                            .get(i)
                            .map(|(_, a, b)| if pre { *a } else { *b });
                        Pool::build(&procs, seed, |p| {
                            (p.province && department_of(&p.field, pre) == slug).then(|| {
                                field_weight(PROVINCE_FIELDS, &p.field).unwrap_or(PROVINCE_OTHER)
                            })
                        })
                    }
                    PoolKey::ServiceCentre(pre) => Pool::build(&procs, seed, |p| {
                        (p.province && department_of(&p.field, pre).is_none()).then(|| {
                            field_weight(PROVINCE_FIELDS, &p.field).unwrap_or(PROVINCE_OTHER)
                        })
                    }),
                };
                pool_keys.push(key);
                pools.push(pool);
                pools.len() - 1
            }
        };
        // A department none of whose fields the catalogue has receives nothing.
        if pools[pool].is_empty() {
            continue;
        }
        let (officer_title, leader_title) = titles(u.kind);
        let h = handle(&id);
        let mut r = Rng::new(seed ^ fnv(&id) ^ staff_rng.next_u64());
        let n = (2 + (weight * 1.5) as usize).min(6);
        let officers = (1..=n)
            .map(|k| Actor {
                account: format!("sinh.{h}.cb{k}"),
                name: person_name(&mut r).0,
                title: officer_title.to_owned(),
            })
            .collect();
        let leader = Actor {
            account: format!("sinh.{h}.ld"),
            name: person_name(&mut r).0,
            title: leader_title.to_owned(),
        };
        units.push(UnitGen {
            id: id.clone(),
            agency: u.agency_code.clone(),
            valid_from: u.valid_from,
            valid_to: u.valid_to,
            clock: app.clock_for(u)?,
            address: address_of(tree, &id),
            weight,
            pool,
            officers,
            leader,
            successor: None,
        });
    }
    // Successors: who takes over the open dossiers of an abolished unit.
    let index: BTreeMap<String, usize> = units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.id.clone(), i))
        .collect();
    // By index: each unit's successor is written back into the same vector.
    #[allow(clippy::needless_range_loop)]
    for i in 0..units.len() {
        let Some(to) = units[i].valid_to else {
            continue;
        };
        let Ok(next_day) = to.tomorrow() else {
            continue;
        };
        let source = match units[i].id.strip_suffix("/bo-phan-mot-cua") {
            // A district office's dossiers go where the district's first commune went.
            Some(district) => tree
                .children(district)
                .filter(|c| c.kind == UnitKind::Commune)
                .map(|c| c.id.as_str().to_owned())
                .next(),
            None => Some(units[i].id.clone()),
        };
        let Some(source) = source else { continue };
        let mut next: Vec<(bool, String)> = tree
            .successors(&source)
            .filter(|(s, _)| s.is_active_on(next_day))
            .map(|(s, k)| {
                (
                    k == cchc_domain::unit::MergeKind::Part,
                    s.id.as_str().to_owned(),
                )
            })
            .collect();
        next.sort();
        units[i].successor = next.iter().find_map(|(_, id)| index.get(id).copied());
    }
    Ok(World {
        units,
        procs,
        pools,
    })
}

// ---------------------------------------------------------------------------------------------
// Time

/// A unit's working periods on a day.
fn day_periods(clock: &WorkingClock, day: Date) -> Vec<WorkPeriod> {
    match clock.calendar().mark(day) {
        Ok(DayMark::Off(_)) | Err(_) => Vec::new(),
        Ok(DayMark::Worked(_)) => clock.schedule().make_up_periods().to_vec(),
        Ok(DayMark::Normal) => clock.schedule().periods(day.weekday()).to_vec(),
    }
}

/// `minutes` of working time after `t` (from the next working instant if `t` is outside).
fn work_after(clock: &WorkingClock, t: DateTime, minutes: i64) -> anyhow::Result<DateTime> {
    let h = (minutes.max(1) * 100 + 59) / 60;
    let limit: TimeLimit = format!("{}.{:02} working-hours", h / 100, h % 100).parse()?;
    Ok(clock.add(t, limit)?)
}

/// Working seconds from `a` to `b`.
fn work_between(clock: &WorkingClock, a: DateTime, b: DateTime) -> anyhow::Result<i64> {
    Ok(clock.counted_between(a, b, LimitUnit::WorkingHours)?)
}

fn days_after(day: Date, n: i64) -> anyhow::Result<Date> {
    Ok(day.checked_add(jiff::Span::new().days(n))?)
}

/// A working instant of a unit on a day: mornings are busier, most around mid-morning.
fn working_instant(clock: &WorkingClock, day: Date, rng: &mut Rng) -> anyhow::Result<DateTime> {
    let periods = day_periods(clock, day);
    let w = Weighted::new(periods.iter().enumerate().map(|(i, p)| {
        let len = f64::from(p.end.saturating_sub(p.start));
        ((i, *p), if i == 0 { len * 1.5 } else { len })
    }));
    let Some(&(i, p)) = w.pick(rng) else {
        let minutes = rng.range(1, 90);
        return work_after(clock, day.at(0, 0, 0, 0), minutes);
    };
    let len = f64::from(p.end.saturating_sub(p.start));
    let x = if i == 0 {
        (rng.unit() + rng.unit()) / 2.0
    } else {
        rng.unit()
    };
    let minute = (i64::from(p.start) + (x * len) as i64).min(i64::from(p.end) - 1);
    Ok(day.at(
        (minute / 60) as i8,
        (minute % 60) as i8,
        rng.below(60) as i8,
        0,
    ))
}

/// The national rhythm of a working day: slow growth, year-end peak, lighter weeks around Tết,
/// busy Mondays, quiet Fridays, a slower start after the merger.
fn day_weight(day: Date, first: Date, tets: &BTreeMap<i16, Date>) -> anyhow::Result<f64> {
    let years = (day - first).get_days() as f64 / 365.0;
    let mut w = 1.0 + 0.08 * years;
    w *= match day.month() {
        11 => 1.15,
        12 => 1.3,
        1 => 1.05,
        _ => 1.0,
    };
    for y in [day.year(), day.year() + 1] {
        if let Some(tet) = tets.get(&y) {
            let until = (*tet - day).get_days();
            w *= match until {
                8..=21 => 0.9,
                -10..=7 => 0.55,
                -17..=-11 => 0.8,
                _ => 1.0,
            };
        }
    }
    w *= match day.weekday() {
        Weekday::Monday => 1.15,
        Weekday::Tuesday => 1.05,
        Weekday::Friday => 0.9,
        Weekday::Saturday | Weekday::Sunday => 0.8,
        _ => 1.0,
    };
    let to_merger = (FIRST_DAY_2025 - day).get_days();
    if (-13..=0).contains(&to_merger) {
        w *= 0.8;
    }
    Ok(w)
}

// ---------------------------------------------------------------------------------------------
// Generation

/// Probabilities, some calibrated from the published figures.
#[derive(Debug, Clone)]
struct Rates {
    /// Drawn for the online channel (a little above the target where some units have no
    /// online procedure).
    online: f64,
    post: f64,
    /// Digitised components at the counter (online dossiers are electronic).
    digitised_counter: f64,
    /// Paying online, for paying dossiers filed online and at the counter.
    pay_online_online: f64,
    pay_online_counter: f64,
    land_obligation: f64,
    late: f64,
    apology: f64,
    supplement_one: f64,
    supplement_two: f64,
    refused: f64,
    withdrawn: f64,
    stopped: f64,
    rated_online: f64,
    rated_counter: f64,
    satisfied: f64,
}

/// A dossier to be: where, what, how and when it arrives, and its own random stream.
#[derive(Debug, Clone)]
struct Plan {
    unit: usize,
    proc_: usize,
    channel: Channel,
    at: DateTime,
    rng: Rng,
}

/// Counts for the report, from the generated dossiers' facts and states.
#[derive(Debug, Clone, Default)]
struct Tally {
    dossiers: u64,
    events: u64,
    online: u64,
    digitised: u64,
    paid_online: u64,
    finished: u64,
    late: u64,
    open_at_end: u64,
    active_last_quarter: u64,
    rated: u64,
    satisfied: u64,
    supplements: u64,
    handovers: u64,
    by_status: BTreeMap<u8, u64>,
    first_received: Option<Date>,
    last_received: Option<Date>,
}

/// One batch for the loading thread.
struct Batch {
    tables: Vec<Tables>,
    /// The facts, when exporting.
    facts: Vec<DossierFacts>,
    events: u64,
}

/// Rows of one history ([`Store::render_history`]).
type Tables = [Vec<Vec<Option<Arc<str>>>>; 4];

/// What the generating thread hands back.
struct Generated {
    tally: Tally,
    /// Per check period, per unit: the measures computed from the facts one by one.
    measures: Vec<BTreeMap<String, Measures>>,
    generate_s: f64,
    /// CPU time of the generating thread (Linux).
    generate_cpu_s: Option<f64>,
}

/// CPU seconds (user and system) of a process or thread from its `/proc` stat file: on a
/// shared machine the wall times above include other programs' turns, CPU time does not.
/// None where there is no `/proc`.
fn cpu_seconds(path: &str) -> Option<f64> {
    let text = std::fs::read_to_string(path).ok()?;
    // After the command name (in parentheses, may hold spaces): state, ppid, … utime is the
    // 14th field of the line, stime the 15th, in ticks of 1/100 s on Linux.
    let fields: Vec<&str> = text.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

struct Generator {
    world: World,
    rates: Rates,
    seed: u64,
    cutoff: DateTime,
    /// Working days received, their dossier count and the index of their unit set.
    days: Vec<(Date, usize, usize)>,
    unit_sets: Vec<Weighted<usize>>,
    secret_hash: String,
    checks: Vec<Period>,
    last_quarter_first: Date,
    batch: usize,
    export: bool,
}

/// The actors of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Clerk,
    Officer,
    Leader,
    Public,
}

/// One history being written: each step sealed on the chain and applied at once.
struct Story<'a> {
    world: &'a World,
    /// The receiving unit, and the unit holding the dossier now.
    unit: usize,
    current: usize,
    officer: usize,
    code: String,
    applicant: String,
    events: Vec<Event>,
    dossier: Option<Dossier>,
    last_at: DateTime,
    cutoff: DateTime,
    /// The end of the range was reached: later steps are not taken.
    ended: bool,
    handed_over: bool,
    /// The due instant for the clock's inputs it was computed from (most steps leave them
    /// as they are).
    due_cache: Option<(ClockKey, Option<DateTime>)>,
}

/// What a dossier's due date depends on, besides its limit and start rule (fixed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ClockKey {
    received: Option<DateTime>,
    pauses: usize,
    open_pause: bool,
    extensions: usize,
}

const HANDOVER: &str = "Bàn giao hồ sơ đang giải quyết cho đơn vị kế thừa theo sắp xếp đơn vị hành chính từ ngày 01/07/2025";

impl Story<'_> {
    fn clock(&self) -> &WorkingClock {
        &self.world.units[self.unit].clock
    }

    fn actor(&self, who: Who) -> Actor {
        let u = &self.world.units[self.current];
        match who {
            Who::Clerk => u.officers[0].clone(),
            Who::Officer => u.officers[self.officer.min(u.officers.len() - 1)].clone(),
            Who::Leader => u.leader.clone(),
            Who::Public => Actor {
                account: "public".into(),
                name: self.applicant.clone(),
                title: "Người nộp hồ sơ".into(),
            },
        }
    }

    fn dossier(&self) -> anyhow::Result<&Dossier> {
        self.dossier
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("{}: no first event", self.code))
    }

    fn status(&self) -> Option<Status> {
        self.dossier.as_ref().map(|d| d.status)
    }

    /// The due instant now (None before acceptance and while paused).
    fn due_at(&mut self) -> anyhow::Result<Option<DateTime>> {
        let key = self.dossier.as_ref().map(|d| ClockKey {
            received: d.received_at,
            pauses: d.pauses.len(),
            open_pause: d.pauses.last().is_some_and(|p| p.1.is_none()),
            extensions: d.extensions.len(),
        });
        let Some(key) = key else { return Ok(None) };
        if let Some((k, due)) = self.due_cache
            && k == key
        {
            return Ok(due);
        }
        let due = self.due()?.and_then(|d| d.due);
        self.due_cache = Some((key, due));
        Ok(due)
    }

    /// The due date now (None before acceptance), from the receiving unit's clock.
    fn due(&self) -> anyhow::Result<Option<DueDate>> {
        let Some(d) = &self.dossier else {
            return Ok(None);
        };
        match d.clock_request()? {
            Some(req) => Ok(Some(self.clock().due(&req)?)),
            None => Ok(None),
        }
    }

    /// Takes a step at `at` (moved after the previous step if earlier) unless the range has
    /// ended by then; staff steps of an abolished unit go to its successor first.
    fn step(&mut self, at: DateTime, who: Who, kind: EventKind) -> anyhow::Result<bool> {
        if self.ended {
            return Ok(false);
        }
        let mut at = self.after_last(at)?;
        if at <= self.cutoff && who != Who::Public {
            self.hand_over(at)?;
            at = self.after_last(at)?;
        }
        if self.ended || at > self.cutoff {
            self.ended = true;
            return Ok(false);
        }
        let actor = self.actor(who);
        self.seal(at, actor, kind)
    }

    /// `at`, or a minute after the last step if that is later: steps are strictly ordered.
    fn after_last(&self, at: DateTime) -> anyhow::Result<DateTime> {
        if at <= self.last_at && !self.events.is_empty() {
            Ok(self.last_at.checked_add(jiff::Span::new().minutes(1))?)
        } else {
            Ok(at)
        }
    }

    fn seal(&mut self, at: DateTime, actor: Actor, kind: EventKind) -> anyhow::Result<bool> {
        let (seq, prev, step_deadline) = match &self.dossier {
            None => (1, GENESIS_HASH.to_owned(), None),
            Some(d) => (d.version + 1, d.last_hash.clone(), self.due_at()?),
        };
        let body = EventBody {
            dossier: self.code.clone(),
            seq,
            at,
            actor,
            unit: self.world.units[self.current].id.clone(),
            step_deadline,
            kind,
        };
        let e = Event::seal(body, &prev)?;
        match &mut self.dossier {
            None => self.dossier = Some(Dossier::start(&e)?),
            Some(d) => d.apply(&e)?,
        }
        self.events.push(e);
        self.last_at = at;
        Ok(true)
    }

    /// On the first staff step after the holding unit was abolished, a dossier in processing
    /// is handed over (`Forwarded`) to the unit that succeeded it, whose staff go on with it.
    fn hand_over(&mut self, at: DateTime) -> anyhow::Result<()> {
        let u = &self.world.units[self.current];
        let (Some(to), Some(next)) = (u.valid_to, u.successor) else {
            return Ok(());
        };
        if at.date() <= to || !matches!(self.status(), Some(Status::Accepted | Status::Processing))
        {
            return Ok(());
        }
        let start = to.tomorrow()?.at(7, 0, 0, 0).max(self.last_at);
        if start > self.cutoff {
            self.ended = true;
            return Ok(());
        }
        let system = Actor {
            account: "system".into(),
            name: "Hệ thống".into(),
            title: String::new(),
        };
        let to_unit = self.world.units[next].id.clone();
        self.seal(
            start,
            system,
            EventKind::Forwarded {
                to_unit,
                reason: HANDOVER.into(),
            },
        )?;
        self.current = next;
        self.handed_over = true;
        // The successor's leader assigns it to one of theirs.
        let assign_at = work_after(self.clock(), start, 30)?.max(start);
        if assign_at > self.cutoff {
            self.ended = true;
            return Ok(());
        }
        let officer = self.world.units[next]
            .officers
            .len()
            .saturating_sub(1)
            .max(1);
        self.officer = officer;
        let who = self.actor(Who::Officer).account;
        let leader = self.actor(Who::Leader);
        self.seal(assign_at, leader, EventKind::Assigned { officer: who })?;
        Ok(())
    }
}

impl Generator {
    /// Where, what, how and when a dossier arrives on `day`.
    fn plan(&self, mut rng: Rng, day: Date, set: &Weighted<usize>) -> anyhow::Result<Option<Plan>> {
        let Some(&unit) = set.pick(&mut rng) else {
            return Ok(None);
        };
        let u = &self.world.units[unit];
        let pool = &self.world.pools[u.pool];
        let wanted = if rng.chance(self.rates.online) {
            Channel::Online
        } else if rng.chance(self.rates.post) {
            Channel::Post
        } else {
            Channel::Counter
        };
        let found = [wanted, Channel::Counter, Channel::Online, Channel::Post]
            .into_iter()
            .find_map(|c| pool.pick(c, &mut rng).map(|p| (c, p)));
        let Some((channel, proc_)) = found else {
            return Ok(None);
        };
        let at = if channel == Channel::Online && rng.chance(0.3) {
            // Filed online in the evening.
            day.at(
                rng.range(18, 22) as i8,
                rng.range(0, 59) as i8,
                rng.range(0, 59) as i8,
                0,
            )
        } else {
            working_instant(&u.clock, day, &mut rng)?
        };
        // A unit with no hours that day still files it that day (its code carries the day).
        let at = if at.date() == day {
            at
        } else {
            day.at(9, 0, 0, 0)
        };
        Ok(Some(Plan {
            unit,
            proc_,
            channel,
            at,
            rng,
        }))
    }

    /// A dossier's whole history up to the end of the range.
    fn history(&self, plan: Plan, seq: u32) -> anyhow::Result<(StoredHistory, bool)> {
        let Plan {
            unit,
            proc_,
            channel,
            at,
            mut rng,
        } = plan;
        let w = &self.world;
        let u = &w.units[unit];
        let p = &w.procs[proc_];
        let r = &self.rates;
        let online = channel == Channel::Online;
        let limit = p.limits[channel.index()]
            .clone()
            .ok_or_else(|| anyhow::anyhow!("{}: no limit on {channel}", p.code))?;
        let code = DossierCode::new(&u.agency, at.date(), seq)?.to_string();

        // Who files it, with what.
        let business = p.business && rng.chance(0.8);
        let (applicant, kind) = if business {
            let name = format!(
                "Công ty TNHH {} {}",
                rng.any(COMPANY_WORDS),
                rng.range(1, 99)
            );
            let applicant = Applicant {
                kind: ApplicantKind::Business,
                name,
                id_number: format!("61{:08}", rng.below(100_000_000)),
                phone: phone(&mut rng),
                email: String::new(),
                address: u.address.clone(),
            };
            (applicant, ApplicantKind::Business)
        } else {
            let (name, woman) = person_name(&mut rng);
            let applicant = Applicant {
                kind: ApplicantKind::Citizen,
                name,
                id_number: cccd(&mut rng, woman),
                phone: phone(&mut rng),
                email: String::new(),
                address: format!("Thôn {}, {}", rng.range(1, 12), u.address),
            };
            (applicant, ApplicantKind::Citizen)
        };
        let digitised = online || rng.chance(r.digitised_counter);
        let mut components = vec![Component {
            name: "Tờ khai, đơn đề nghị theo mẫu".into(),
            digitised,
            reused: false,
            from_national_data: false,
            file_ref: None,
        }];
        if kind == ApplicantKind::Business {
            components.push(Component {
                name: "Giấy chứng nhận đăng ký doanh nghiệp".into(),
                digitised,
                reused: rng.chance(0.3),
                from_national_data: false,
                file_ref: None,
            });
        } else {
            components.push(Component {
                name: "Thông tin căn cước (Cơ sở dữ liệu quốc gia về dân cư)".into(),
                digitised,
                reused: false,
                from_national_data: rng.chance(0.45),
                file_ref: None,
            });
        }
        if rng.chance(0.4) {
            components.push(Component {
                name: rng
                    .any(&[
                        "Giấy tờ chứng minh chỗ ở hợp pháp",
                        "Bản sao giấy tờ liên quan",
                        "Giấy chứng nhận quyền sử dụng đất",
                        "Văn bản ủy quyền",
                        "Sơ đồ vị trí thửa đất",
                    ])
                    .into(),
                digitised,
                reused: rng.chance(0.1),
                from_national_data: false,
                file_ref: None,
            });
        }

        // Its fate.
        let land = p.land && rng.chance(r.land_obligation);
        let pays = p.fee.is_some() || land;
        let pay_online = pays
            && rng.chance(if online {
                r.pay_online_online
            } else {
                r.pay_online_counter
            });
        let refused = online && rng.chance(r.refused);
        let withdrawn = rng.chance(r.withdrawn);
        let stopped = rng.chance(r.stopped);
        let supplements = {
            let x = rng.unit();
            if x < r.supplement_two {
                2
            } else if x < r.supplement_two + r.supplement_one {
                1
            } else {
                0
            }
        };
        let early_supplement = online && supplements > 0 && rng.chance(0.4);
        let late = rng.chance(r.late);
        let apology = late && rng.chance(r.apology);
        let officers = u.officers.len();
        let officer = if officers > 1 {
            1 + rng.below(officers as u64 - 1) as usize
        } else {
            0
        };

        let mut s = Story {
            world: w,
            unit,
            current: unit,
            officer,
            code: code.clone(),
            applicant: applicant.name.clone(),
            events: Vec::with_capacity(8),
            dossier: None,
            last_at: at,
            cutoff: self.cutoff,
            ended: false,
            handed_over: false,
            due_cache: None,
        };
        let intake = Intake {
            procedure_code: p.code.clone(),
            channel,
            applicant,
            components,
            receiving_unit: u.id.clone(),
            competent_unit: u.id.clone(),
            limit,
            after_15h_next_day: p.after_15h,
        };
        let payment = |rng: &mut Rng, amount: i64, online: bool| Payment {
            amount,
            method: if online {
                "Thanh toán trực tuyến (Cổng Dịch vụ công quốc gia)".into()
            } else {
                "Tiền mặt tại Bộ phận Một cửa".into()
            },
            online,
            reference: if online {
                format!("GD{:010}", rng.below(10_000_000_000))
            } else {
                String::new()
            },
        };
        let supplement_items = |rng: &mut Rng| -> Vec<String> {
            let mut items = vec![
                rng.any(&[
                    "Bản sao giấy tờ tùy thân có chứng thực",
                    "Giấy tờ chứng minh quyền sử dụng đất",
                    "Bản vẽ sơ đồ vị trí",
                    "Văn bản ủy quyền hợp lệ",
                    "Tờ khai ghi thiếu thông tin",
                ])
                .to_owned(),
            ];
            if rng.chance(0.3) {
                items.push("Ảnh chụp giấy tờ rõ nét hơn".to_owned());
            }
            items
        };
        // 1. Intake.
        let t0 = at;
        let first = EventKind::intake(online, intake);
        if online {
            s.seal(t0, s.actor(Who::Public), first)?;
            if let (Some(fee), true) = (p.fee, pay_online) {
                let pay = payment(&mut rng, fee, true);
                let when = t0.checked_add(jiff::Span::new().minutes(rng.range(2, 20)))?;
                s.step(when, Who::Public, EventKind::Paid { payment: pay })?;
            }
            let mut t = s.last_at;
            if early_supplement {
                let when = work_after(s.clock(), t, rng.range(20, 300))?;
                let items = supplement_items(&mut rng);
                s.step(
                    when,
                    Who::Clerk,
                    EventKind::SupplementRequested {
                        items,
                        note: String::new(),
                    },
                )?;
                let back = self.citizen_at(s.last_at.date(), 1, 6, &mut rng)?;
                s.step(
                    back,
                    Who::Public,
                    EventKind::SupplementReceived {
                        note: String::new(),
                    },
                )?;
                t = s.last_at;
            }
            let when = work_after(s.clock(), t, rng.range(15, 360))?;
            if refused {
                s.step(
                    when,
                    Who::Clerk,
                    EventKind::RefusedAtIntake {
                        reason: "Hồ sơ không thuộc thẩm quyền giải quyết hoặc không đủ thành phần theo quy định".into(),
                    },
                )?;
                return self.finish(s, p);
            }
            s.step(when, Who::Clerk, EventKind::Accepted)?;
        } else {
            s.seal(t0, s.actor(Who::Clerk), first)?;
            if let Some(fee) = p.fee {
                let pay = payment(&mut rng, fee, pay_online);
                let when = t0.checked_add(jiff::Span::new().minutes(rng.range(3, 15)))?;
                s.step(when, Who::Clerk, EventKind::Paid { payment: pay })?;
            }
        }
        // 2. Processing.
        let officer_account = s.actor(Who::Officer).account;
        // Within a few hours, and quickly for limits of hours.
        let when = work_after(s.clock(), s.last_at, rng.range(10, 180))?
            .min(self.share_of_time_left(&mut s, 0.02 + 0.06 * rng.unit())?);
        s.step(
            when,
            Who::Leader,
            EventKind::Assigned {
                officer: officer_account,
            },
        )?;
        for _ in 0..supplements - u8::from(early_supplement) {
            let when = self.share_of_time_left(&mut s, rng.unit() * 0.4 + 0.1)?;
            let items = supplement_items(&mut rng);
            s.step(
                when,
                Who::Officer,
                EventKind::SupplementRequested {
                    items,
                    note: String::new(),
                },
            )?;
            let (back, who) = if online {
                (
                    self.citizen_at(s.last_at.date(), 1, 8, &mut rng)?,
                    Who::Public,
                )
            } else {
                let day = days_after(s.last_at.date(), rng.range(1, 8))?;
                (working_instant(s.clock(), day, &mut rng)?, Who::Clerk)
            };
            s.step(
                back,
                who,
                EventKind::SupplementReceived {
                    note: String::new(),
                },
            )?;
        }
        if withdrawn {
            let when = self.citizen_at(s.last_at.date(), 1, 5, &mut rng)?;
            s.step(
                when,
                Who::Public,
                EventKind::Withdrawn {
                    reason: "Công dân đề nghị rút hồ sơ để bổ sung, hoàn thiện".into(),
                },
            )?;
            return self.finish(s, p);
        }
        if land {
            let when = self.share_of_time_left(&mut s, rng.unit() * 0.3 + 0.3)?;
            let amount = 1_000_000 * rng.range(1, 60);
            s.step(
                when,
                Who::Officer,
                EventKind::PaymentRequested {
                    amount,
                    note: "Nộp tiền sử dụng đất, lệ phí trước bạ theo thông báo của cơ quan thuế"
                        .into(),
                },
            )?;
            let pay = payment(&mut rng, amount, pay_online);
            let when = if pay_online {
                self.citizen_at(s.last_at.date(), 1, 6, &mut rng)?
            } else {
                let day = days_after(s.last_at.date(), rng.range(1, 6))?;
                working_instant(s.clock(), day, &mut rng)?
            };
            let who = if pay_online { Who::Public } else { Who::Clerk };
            s.step(when, who, EventKind::Paid { payment: pay })?;
        }
        if stopped {
            let when = self.share_of_time_left(&mut s, rng.unit() * 0.8 + 0.1)?;
            s.step(
                when,
                Who::Leader,
                EventKind::Stopped {
                    reason: "Người nộp không hoàn thiện hồ sơ, không thực hiện nghĩa vụ tài chính theo quy định".into(),
                },
            )?;
            return self.finish(s, p);
        }
        // 3. Decision: on time at a share of the time left, or late (some with an apology and
        // a new date, missed too: "mostly late closing in software").
        let decided_at = match (late, s.due_at()?) {
            (true, Some(due)) => {
                let mut after = due;
                if apology {
                    let when = work_after(s.clock(), due, rng.range(10, 240))?;
                    let new_due = work_after(s.clock(), when, rng.range(2, 5) * 480)?;
                    s.step(
                        when,
                        Who::Leader,
                        EventKind::Extended {
                            new_due,
                            reason: "Hồ sơ cần xác minh thêm; xin lỗi và hẹn lại ngày trả kết quả"
                                .into(),
                        },
                    )?;
                    after = new_due;
                }
                work_after(s.clock(), after, rng.range(30, 2400))?
            }
            _ => {
                let x = 0.12 + 0.83 * rng.unit().powf(1.3);
                self.share_of_time_left(&mut s, x)?
            }
        };
        let approved = rng.chance(0.975);
        let electronic = rng.chance(if online { 0.9 } else { 0.5 });
        let result = if approved {
            format!("Kết quả giải quyết thủ tục {}", p.code)
        } else {
            "Văn bản trả lời, nêu rõ lý do không giải quyết".to_owned()
        };
        s.step(
            decided_at,
            Who::Officer,
            EventKind::Decided {
                outcome: if approved {
                    Outcome::Approved
                } else {
                    Outcome::Rejected
                },
                note: String::new(),
                results: vec![ResultDoc {
                    name: result,
                    electronic,
                    file_ref: None,
                }],
            },
        )?;
        let (method, minutes) = match channel {
            Channel::Online if electronic => (Channel::Online, rng.range(5, 120)),
            Channel::Post => (Channel::Post, rng.range(60, 1440)),
            _ => (Channel::Counter, rng.range(15, 1920)),
        };
        let when = work_after(s.clock(), s.last_at, minutes)?;
        s.step(when, Who::Clerk, EventKind::Returned { method })?;
        let rated = rng.chance(if online {
            r.rated_online
        } else {
            r.rated_counter
        });
        if rated && s.status() == Some(Status::Returned) {
            let finished_late = s
                .due()?
                .zip(s.dossier.as_ref().and_then(Dossier::finished_at))
                .is_some_and(|(due, at)| s.dossier().is_ok_and(|d| d.judge(&due, at).1));
            let satisfied = if finished_late {
                r.satisfied * 0.4
            } else {
                r.satisfied
            };
            let score = if rng.chance(satisfied) {
                if rng.chance(0.6) { 5 } else { 4 }
            } else {
                let x = rng.unit();
                if x < 0.6 {
                    3
                } else if x < 0.85 {
                    2
                } else {
                    1
                }
            };
            let when = self.citizen_at(s.last_at.date(), 0, 3, &mut rng)?;
            s.step(
                when,
                Who::Public,
                EventKind::Rated {
                    score,
                    comment: String::new(),
                },
            )?;
        }
        self.finish(s, p)
    }

    /// An instant `share` of the working time left to the due date after the last step (a
    /// little after the last step when no time is left or the clock is paused).
    fn share_of_time_left(&self, s: &mut Story<'_>, share: f64) -> anyhow::Result<DateTime> {
        let due = s.due_at()?;
        let clock = s.clock();
        let left = match due {
            Some(due) => work_between(clock, s.last_at, due)?,
            None => 0,
        };
        let minutes = ((left as f64 * share) / 60.0) as i64;
        work_after(clock, s.last_at, minutes.max(1))
    }

    /// A citizen's online step `lo..=hi` days after `day`, at a waking hour.
    fn citizen_at(&self, day: Date, lo: i64, hi: i64, rng: &mut Rng) -> anyhow::Result<DateTime> {
        let day = days_after(day, rng.range(lo, hi))?;
        Ok(day.at(
            rng.range(6, 22) as i8,
            rng.range(0, 59) as i8,
            rng.range(0, 59) as i8,
            0,
        ))
    }

    /// The stored history of a story: due date, lateness and facts as the app computes them.
    fn finish(&self, s: Story<'_>, p: &Proc) -> anyhow::Result<(StoredHistory, bool)> {
        let due = s.due()?;
        let Story {
            world,
            unit,
            code,
            events,
            dossier,
            handed_over,
            ..
        } = s;
        let clock = &world.units[unit].clock;
        let dossier = dossier.ok_or_else(|| anyhow::anyhow!("{code}: no event"))?;
        let finished_late = match &due {
            Some(due) => dossier.finished_at().map(|at| dossier.judge(due, at).1),
            None => None,
        };
        let facts = DossierFacts::derive(&dossier, due.as_ref(), clock, p.traits, false);
        Ok((
            StoredHistory {
                dossier,
                events,
                secret_hash: self.secret_hash.clone(),
                owner_account: None,
                projected: Projected {
                    due_at: due.and_then(|d| d.due),
                    finished_late,
                    finishes: false,
                    facts: Some(facts),
                    outbox: Vec::new(),
                },
            },
            handed_over,
        ))
    }

    /// Generates every dossier, day by day, and hands batches to `send` (false: the loading
    /// side stopped).
    ///
    /// The loading side hands spent batches back through `spent`: their rows are freed here,
    /// on the thread that allocated them (freeing them elsewhere makes both threads contend
    /// for the allocator).
    fn run(
        &self,
        mut send: impl FnMut(Batch) -> bool,
        spent: &std::sync::mpsc::Receiver<Batch>,
    ) -> anyhow::Result<Generated> {
        let started = Instant::now();
        let mut waited = 0.0;
        let mut tally = Tally::default();
        let mut measures: Vec<BTreeMap<String, Measures>> =
            vec![BTreeMap::new(); self.checks.len()];
        let mut batch = Batch {
            tables: Vec::with_capacity(self.batch),
            facts: Vec::new(),
            events: 0,
        };
        let mut facts_of_batch: Vec<DossierFacts> = Vec::with_capacity(self.batch);
        let mut index: u64 = 0;
        for &(day, count, set) in &self.days {
            let set = &self.unit_sets[set];
            let mut plans = Vec::with_capacity(count);
            for _ in 0..count {
                index += 1;
                let rng = Rng::new(self.seed ^ splitmix(index));
                if let Some(p) = self.plan(rng, day, set)? {
                    plans.push((index, p));
                }
            }
            // Sequence numbers in order of arrival per agency (the code carries the day).
            plans.sort_by(|(i, a), (j, b)| {
                let (ua, ub) = (&self.world.units[a.unit], &self.world.units[b.unit]);
                (ua.agency.as_str(), a.at, *i).cmp(&(ub.agency.as_str(), b.at, *j))
            });
            let mut seq = 0u32;
            let mut agency = "";
            for (_, plan) in plans {
                let a = self.world.units[plan.unit].agency.as_str();
                if a != agency {
                    agency = a;
                    seq = 0;
                }
                seq += 1;
                let (h, handed_over) = self.history(plan, seq)?;
                self.count(&mut tally, &h, handed_over);
                if let Some(f) = &h.projected.facts {
                    facts_of_batch.push(f.clone());
                }
                batch.events += h.events.len() as u64;
                batch.tables.push(Store::render_history(&h)?);
                if batch.tables.len() >= self.batch {
                    self.measure(&mut measures, &facts_of_batch);
                    let full = std::mem::replace(
                        &mut batch,
                        Batch {
                            tables: Vec::with_capacity(self.batch),
                            facts: Vec::new(),
                            events: 0,
                        },
                    );
                    let full = self.with_facts(full, &mut facts_of_batch);
                    while let Ok(old) = spent.try_recv() {
                        drop(old);
                    }
                    let t = Instant::now();
                    if !send(full) {
                        anyhow::bail!("the loading side stopped");
                    }
                    waited += t.elapsed().as_secs_f64();
                }
            }
        }
        if !batch.tables.is_empty() {
            self.measure(&mut measures, &facts_of_batch);
            let last = self.with_facts(batch, &mut facts_of_batch);
            let t = Instant::now();
            if !send(last) {
                anyhow::bail!("the loading side stopped");
            }
            waited += t.elapsed().as_secs_f64();
        }
        Ok(Generated {
            tally,
            measures,
            generate_s: started.elapsed().as_secs_f64() - waited,
            generate_cpu_s: cpu_seconds("/proc/thread-self/stat"),
        })
    }

    fn with_facts(&self, mut batch: Batch, facts: &mut Vec<DossierFacts>) -> Batch {
        if self.export {
            batch.facts = std::mem::take(facts);
        } else {
            facts.clear();
        }
        batch
    }

    /// Adds a batch's facts to the per-unit measures of each check period.
    fn measure(&self, out: &mut [BTreeMap<String, Measures>], facts: &[DossierFacts]) {
        let mut by_unit: BTreeMap<&str, Vec<&DossierFacts>> = BTreeMap::new();
        for f in facts {
            by_unit.entry(f.unit.as_str()).or_default().push(f);
        }
        for (period, acc) in self.checks.iter().zip(out.iter_mut()) {
            for (unit, fs) in &by_unit {
                let m = measures_from_facts(fs.iter().copied(), period);
                if !m.is_zero() {
                    *acc.entry((*unit).to_owned()).or_default() += m;
                }
            }
        }
    }

    fn count(&self, t: &mut Tally, h: &StoredHistory, handed_over: bool) {
        let d = &h.dossier;
        t.dossiers += 1;
        t.events += h.events.len() as u64;
        *t.by_status.entry(d.status.code()).or_default() += 1;
        t.handovers += u64::from(handed_over);
        let day = d.submitted_at.date();
        t.first_received = Some(t.first_received.map_or(day, |x| x.min(day)));
        t.last_received = Some(t.last_received.map_or(day, |x| x.max(day)));
        let Some(f) = &h.projected.facts else { return };
        t.online += u64::from(f.online);
        t.digitised += u64::from(f.digitised);
        t.paid_online += u64::from(f.paid_online);
        t.supplements += u64::from(f.supplement_requests > 0);
        if f.finished() {
            t.finished += 1;
            t.late += u64::from(f.verdict == Some(FinishVerdict::Late));
        }
        let last = self.cutoff.date();
        if f.open_at(last) {
            t.open_at_end += 1;
        }
        if f.received_day
            .is_some_and(|r| r <= last && f.end_day.is_none_or(|e| e >= self.last_quarter_first))
        {
            t.active_last_quarter += 1;
        }
        if let Some(r) = f.rating {
            t.rated += 1;
            t.satisfied += u64::from(r >= cchc_domain::indicator::facts::SATISFIED_FROM);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Export

/// dossiers.csv, events.csv (the rows as inserted, RFC 4180 quoting) and facts.csv (as
/// `cchc bench indicators` writes it).
struct Export {
    /// The dossier and event rows, unless only the facts are exported.
    history: Option<(CsvFile, CsvFile)>,
    facts: std::io::BufWriter<std::fs::File>,
}

type CsvFile = csv::Writer<std::io::BufWriter<std::fs::File>>;

impl Export {
    fn create(dir: &Path, facts_only: bool) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| usage(format!("không tạo được thư mục {}: {e}", dir.display())))?;
        let file = |name: &str| -> anyhow::Result<std::io::BufWriter<std::fs::File>> {
            let path = dir.join(name);
            let f = std::fs::File::create(&path)
                .map_err(|e| usage(format!("không ghi được {}: {e}", path.display())))?;
            Ok(std::io::BufWriter::with_capacity(1 << 20, f))
        };
        let history = if facts_only {
            None
        } else {
            let mut dossiers = csv::Writer::from_writer(file("dossiers.csv")?);
            dossiers.write_record(Store::HISTORY_TABLES[0].1)?;
            let mut events = csv::Writer::from_writer(file("events.csv")?);
            events.write_record(Store::HISTORY_TABLES[1].1)?;
            Some((dossiers, events))
        };
        let mut facts = file("facts.csv")?;
        writeln!(facts, "{}", crate::bench_indicators::FACTS_CSV_HEADER)?;
        Ok(Self { history, facts })
    }

    fn write(&mut self, batch: &Batch) -> anyhow::Result<()> {
        fn field(v: &Option<Arc<str>>) -> &str {
            v.as_deref().unwrap_or("")
        }
        if let Some((dossiers, events)) = self.history.as_mut() {
            for t in &batch.tables {
                for row in &t[0] {
                    dossiers.write_record(row.iter().map(field))?;
                }
                for row in &t[1] {
                    events.write_record(row.iter().map(field))?;
                }
            }
        }
        for f in &batch.facts {
            crate::bench_indicators::csv_line(&mut self.facts, f)?;
        }
        Ok(())
    }

    fn finish(mut self) -> anyhow::Result<()> {
        if let Some((dossiers, events)) = self.history.as_mut() {
            dossiers.flush()?;
            events.flush()?;
        }
        self.facts.flush()?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Report

#[derive(Debug, Serialize)]
struct Seconds {
    generate: f64,
    insert: f64,
    pipeline: f64,
    export: f64,
    counters: f64,
    rollup_rebuild: f64,
    total: f64,
    /// CPU seconds while the pipeline ran: the generating thread's, and the rest of the
    /// process's (loading: binding, SQLite or the PostgreSQL client, export).
    generate_cpu: Option<f64>,
    insert_cpu: Option<f64>,
}

#[derive(Debug, Serialize)]
struct Share {
    key: &'static str,
    label: &'static str,
    ours: f64,
    ours_numerator: u64,
    ours_denominator: u64,
    published: f64,
    published_source: String,
}

#[derive(Debug, Serialize)]
struct Check {
    period: String,
    units: usize,
    equal: bool,
}

#[derive(Debug, Serialize)]
struct Report {
    backend: String,
    seed: u64,
    dossiers: u64,
    events: u64,
    from: String,
    to: String,
    received_first: Option<String>,
    received_last: Option<String>,
    units: usize,
    procedures: usize,
    accounts_added: usize,
    /// Monthly partitions created before loading (PostgreSQL).
    partitions_created: u64,
    secret: &'static str,
    seconds: Seconds,
    insert_dossiers_per_s: f64,
    insert_events_per_s: f64,
    generate_dossiers_per_s: f64,
    pipeline_dossiers_per_s: f64,
    /// Per CPU second: what the loading and generating sides reach without other programs.
    insert_dossiers_per_cpu_s: Option<f64>,
    generate_dossiers_per_cpu_s: Option<f64>,
    database_bytes: i64,
    bytes_per_dossier: f64,
    rows: BTreeMap<String, i64>,
    rollup_rows: u64,
    rollups_match_facts: bool,
    checks: Vec<Check>,
    handovers: u64,
    /// Dossiers asked for a supplement at least once.
    supplemented: u64,
    by_status: BTreeMap<u8, u64>,
    shares: Vec<Share>,
    export: Option<String>,
}

fn ratio(n: u64, d: u64) -> f64 {
    if d == 0 { 0.0 } else { n as f64 / d as f64 }
}

fn shares(t: &Tally, p: &Published) -> Vec<Share> {
    let src = |what: &str| format!("{PUBLISHED_SCOPE} {PUBLISHED_PERIOD}: {what}");
    vec![
        Share {
            key: "online",
            label: "Hồ sơ trực tuyến / hồ sơ",
            ours: ratio(t.online, t.dossiers),
            ours_numerator: t.online,
            ours_denominator: t.dossiers,
            published: p.online_share(),
            published_source: src(&format!("{} / {}", p.online, p.total)),
        },
        Share {
            key: "digitised",
            label: "Hồ sơ được số hóa / hồ sơ",
            ours: ratio(t.digitised, t.dossiers),
            ours_numerator: t.digitised,
            ours_denominator: t.dossiers,
            published: p.digitised_share(),
            published_source: src(&format!("{} / {}", p.digitised, p.total)),
        },
        Share {
            key: "late_of_resolved",
            label: "Giải quyết trễ hạn / đã giải quyết",
            ours: ratio(t.late, t.finished),
            ours_numerator: t.late,
            ours_denominator: t.finished,
            published: p.late_share(),
            published_source: src(&format!("{} / {}", p.late, p.resolved)),
        },
        Share {
            key: "paid_online",
            label: "Hồ sơ thanh toán trực tuyến / hồ sơ",
            ours: ratio(t.paid_online, t.dossiers),
            ours_numerator: t.paid_online,
            ours_denominator: t.dossiers,
            published: p.payments_share(),
            published_source: src(&format!("{} giao dịch / {}", p.online_payments, p.total)),
        },
        Share {
            key: "pending",
            label: "Đang giải quyết cuối kỳ / hồ sơ của quý cuối",
            ours: ratio(t.open_at_end, t.active_last_quarter),
            ours_numerator: t.open_at_end,
            ours_denominator: t.active_last_quarter,
            published: p.pending_share(),
            published_source: src(&format!("{} / {}", p.pending, p.total)),
        },
        Share {
            key: "satisfied_of_rated",
            label: "Đánh giá hài lòng (4-5) / lượt đánh giá",
            ours: ratio(t.satisfied, t.rated),
            ours_numerator: t.satisfied,
            ours_denominator: t.rated,
            published: p.satisfied,
            published_source: format!("SIPAS bình quân cả nước {}", p.satisfied_period),
        },
    ]
}

fn text_report(out: &mut String, r: &Report) -> std::fmt::Result {
    let pct = |x: f64| format!("{:.2}%", x * 100.0);
    writeln!(
        out,
        "Đã sinh {} hồ sơ, {} sự kiện ({}, hạt giống {}), tiếp nhận {} – {} ({} đơn vị, {} thủ tục).",
        r.dossiers,
        r.events,
        r.backend,
        r.seed,
        r.received_first.as_deref().unwrap_or("-"),
        r.received_last.as_deref().unwrap_or("-"),
        r.units,
        r.procedures
    )?;
    writeln!(
        out,
        "Thời gian: sinh {:.1} s ({:.0} hồ sơ/s), ghi {:.1} s ({:.0} hồ sơ/s, {:.0} sự kiện/s), \
         cả luồng {:.1} s, bộ đếm {:.1} s, tính lại bảng tổng hợp {:.1} s, xuất CSV {:.1} s, tổng {:.1} s.",
        r.seconds.generate,
        r.generate_dossiers_per_s,
        r.seconds.insert,
        r.insert_dossiers_per_s,
        r.insert_events_per_s,
        r.seconds.pipeline,
        r.seconds.counters,
        r.seconds.rollup_rebuild,
        r.seconds.export,
        r.seconds.total
    )?;
    if let (Some(g), Some(i)) = (r.seconds.generate_cpu, r.seconds.insert_cpu) {
        writeln!(
            out,
            "Thời gian CPU: sinh {g:.1} s ({:.0} hồ sơ/s CPU), ghi {i:.1} s ({:.0} hồ sơ/s CPU).",
            r.generate_dossiers_per_cpu_s.unwrap_or(0.0),
            r.insert_dossiers_per_cpu_s.unwrap_or(0.0)
        )?;
    }
    writeln!(
        out,
        "Dung lượng cơ sở dữ liệu: {:.1} MB ({:.0} byte/hồ sơ).",
        r.database_bytes as f64 / 1e6,
        r.bytes_per_dossier
    )?;
    writeln!(out, "Số dòng theo bảng:")?;
    for (t, n) in &r.rows {
        writeln!(out, "  {t:<20} {n:>12}")?;
    }
    writeln!(
        out,
        "Bảng tổng hợp chỉ số: {} dòng; {} với dữ kiện từng hồ sơ ({} kỳ kiểm tra).",
        r.rollup_rows,
        if r.rollups_match_facts {
            "khớp"
        } else {
            "KHÔNG khớp"
        },
        r.checks.len()
    )?;
    writeln!(
        out,
        "Tỷ lệ đạt được so với số liệu công bố ({PUBLISHED_SCOPE} {PUBLISHED_PERIOD}):"
    )?;
    for s in &r.shares {
        writeln!(
            out,
            "  {:<46} {:>8} (công bố {:>8})",
            s.label,
            pct(s.ours),
            pct(s.published)
        )?;
    }
    writeln!(out, "Mã tra cứu của mọi hồ sơ sinh ra: {}", r.secret)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Command

pub fn run(args: &GenerateArgs, database_url: &str, out: &mut String) -> anyhow::Result<()> {
    let started = Instant::now();
    // Everything the user can get wrong is checked before the database is opened (or created).
    if args.dossiers == 0 {
        return Err(usage("--dossiers phải lớn hơn 0"));
    }
    if args.dossiers > 100_000_000 {
        return Err(usage("--dossiers tối đa 100.000.000"));
    }
    if !(1..=100_000).contains(&args.batch) {
        return Err(usage("--batch phải từ 1 đến 100.000"));
    }
    let today = cchc_app::vietnam_now().date();
    let (first, last) = parse_range(args, today)?;
    let scope = parse_scope(&args.units)?;
    let dir = crate::runtime::reference_dir(args.data.clone())?;
    let published = read_published(&dir)?;
    let reference_units = crate::runtime::reference_units_in(&dir)?;
    {
        let tree = UnitTree::new(reference_units.clone()).map_err(usage)?;
        check_scope(&tree, &scope)?;
    }
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name))
            .map_err(|e| usage(format!("không đọc được {name}: {e}")))
    };
    let catalogue = read("tthc_dvcqg_2642_procedures.csv")?;

    let report = crate::runtime::block_on(async {
        let app = crate::runtime::open_app(database_url, None).await?;
        let sys = Principal::system();
        if app.units()?.is_empty() {
            app.import_units(&sys, reference_units).await?;
        }
        let store = app.store().clone();
        let filter = cchc_store::ProcedureFilter::default();
        if store.search_procedures("", &[], &filter, 1, 0).await?.0 == 0 {
            app.import_procedures(&sys, &catalogue).await?;
        }
        let (existing, _) = store.facts_coverage().await?;
        if existing > 0 {
            return Err(usage(format!(
                "cơ sở dữ liệu đã có {existing} hồ sơ: hãy sinh dữ liệu vào một cơ sở dữ liệu mới"
            )));
        }
        let tree = app.units()?;
        check_scope(&tree, &scope)?;
        let (_, rows) = store
            .search_procedures("", &[], &filter, 1_000_000, 0)
            .await?;
        let mut procedures = Vec::with_capacity(rows.len());
        for row in rows {
            let p: Procedure = serde_json::from_str(&row.data)
                .map_err(|e| anyhow::anyhow!("procedure {}: {e}", row.code))?;
            procedures.push((p, row.online_kind, row.fee_bearing));
        }
        let world = build_world(&app, &tree, &scope, procedures, args.seed, first, last)?;
        if world.units.is_empty() {
            return Err(usage(format!(
                "không có đơn vị tiếp nhận nào thuộc phạm vi '{}' hoạt động từ {first} đến {last}",
                args.units
            )));
        }

        // Days: the working days of the range with their rhythm, the dossiers shared out.
        let reference = Arc::clone(&world.units[0].clock);
        let mut tets = BTreeMap::new();
        for y in first.year()..=last.year() + 1 {
            tets.insert(y, lunar::tet(y)?);
        }
        let mut sets: BTreeMap<Vec<usize>, usize> = BTreeMap::new();
        let mut unit_sets: Vec<Weighted<usize>> = Vec::new();
        let mut working: Vec<(Date, f64, usize)> = Vec::new();
        let mut d = first;
        while d <= last {
            if !day_periods(&reference, d).is_empty() {
                let active: Vec<usize> = world
                    .units
                    .iter()
                    .enumerate()
                    .filter(|(_, u)| u.active_on(d))
                    .map(|(i, _)| i)
                    .collect();
                if !active.is_empty() {
                    let next = unit_sets.len();
                    let set = *sets.entry(active.clone()).or_insert(next);
                    if set == next {
                        unit_sets.push(Weighted::new(
                            active.iter().map(|&i| (i, world.units[i].weight)),
                        ));
                    }
                    working.push((d, day_weight(d, first, &tets)?, set));
                }
            }
            d = d.tomorrow()?;
        }
        if working.is_empty() {
            return Err(usage(format!(
                "không có ngày làm việc nào có đơn vị tiếp nhận từ {first} đến {last}"
            )));
        }
        let day_pick = Weighted::new(working.iter().enumerate().map(|(i, w)| (i, w.1)));
        let mut counts = vec![0usize; working.len()];
        let mut rng = Rng::new(args.seed ^ 0xDA75);
        for _ in 0..args.dossiers {
            if let Some(&i) = day_pick.pick(&mut rng) {
                counts[i] += 1;
            }
        }
        let days: Vec<(Date, usize, usize)> = working
            .iter()
            .zip(&counts)
            .filter(|(_, c)| **c > 0)
            .map(|((d, _, set), c)| (*d, *c, *set))
            .collect();

        // Calibration.
        let target_online = published.online_share();
        let supplement_two = 0.003;
        let mut rates = Rates {
            online: target_online,
            post: 0.03,
            digitised_counter: ((published.digitised_share() - target_online)
                / (1.0 - target_online))
                .clamp(0.0, 1.0),
            pay_online_online: 0.0,
            pay_online_counter: 0.0,
            land_obligation: 0.35,
            late: (published.late_share() - supplement_two).max(0.0),
            apology: 0.5,
            supplement_one: 0.08,
            supplement_two,
            refused: 0.015,
            withdrawn: 0.004,
            stopped: 0.002,
            rated_online: 0.4,
            rated_counter: 0.08,
            satisfied: published.satisfied,
        };
        let quarter_first = Period::quarter_of(last).first.max(first);
        let mut checks = vec![Period::custom(first, last)?];
        let q = Period::quarter_of(last);
        if q.first >= first {
            checks.push(q);
        }
        let mut generator = Generator {
            world,
            rates: rates.clone(),
            seed: args.seed,
            cutoff: last.at(23, 59, 59, 0),
            days,
            unit_sets,
            secret_hash: cchc_app::lookup_secret_hash(SECRET),
            checks,
            last_quarter_first: quarter_first,
            batch: args.batch,
            export: args.export.is_some(),
        };
        // A dry run of arrivals: how many online draws find an online procedure, and how many
        // dossiers pay, online and at the counter, so the shares land on the published ones.
        {
            let (mut n, mut online, mut pay_on, mut pay_off) = (0.0, 0.0, 0.0, 0.0);
            let mut dry = Rng::new(args.seed ^ 0xCA11_B8A7E);
            for k in 0..20_000u64 {
                let Some(&(day, _, set)) = generator
                    .days
                    .get(dry.below(generator.days.len() as u64) as usize)
                else {
                    continue;
                };
                let rng = Rng::new(args.seed ^ splitmix(k) ^ 0xD27);
                let Some(p) = generator.plan(rng, day, &generator.unit_sets[set])? else {
                    continue;
                };
                let proc_ = &generator.world.procs[p.proc_];
                n += 1.0;
                let pays = if proc_.fee.is_some() {
                    1.0
                } else if proc_.land {
                    rates.land_obligation
                } else {
                    0.0
                };
                if p.channel == Channel::Online {
                    online += 1.0;
                    pay_on += pays;
                } else {
                    pay_off += pays;
                }
            }
            if n > 0.0 && online > 0.0 {
                rates.online = (target_online * target_online * n / online).min(1.0);
            }
            // Shares of paying dossiers online and at the counter, once the online share is on
            // target; a dossier filed online is four times as likely to pay online.
            let paying_online = if online > 0.0 { pay_on / online } else { 0.0 };
            let paying_counter = if n > online {
                pay_off / (n - online)
            } else {
                0.0
            };
            let denom =
                4.0 * target_online * paying_online + (1.0 - target_online) * paying_counter;
            if denom > 0.0 {
                let p = published.payments_share() / denom;
                rates.pay_online_counter = p.min(1.0);
                rates.pay_online_online = (4.0 * p).min(1.0);
            }
        }
        generator.rates = rates;

        // Staff accounts (a password nobody can log in with).
        let mut accounts = Vec::new();
        for u in &generator.world.units {
            for (a, role) in u
                .officers
                .iter()
                .map(|a| (a, "officer"))
                .chain(std::iter::once((&u.leader, "leader")))
            {
                if store.account_by_id(&a.account).await?.is_none() {
                    accounts.push((
                        a.account.clone(),
                        a.name.clone(),
                        a.title.clone(),
                        role.to_owned(),
                        u.id.clone(),
                    ));
                }
            }
        }
        let created_at = format!("{first}T07:00:00");
        if !accounts.is_empty() {
            store.insert_accounts_bulk(&accounts, &created_at).await?;
        }

        // PostgreSQL: the months' partitions first, so rows go straight to them.
        let partitions_created = store.ensure_partitions(first, last).await?;

        // The pipeline: this thread generates and renders, the runtime loads.
        let mut export = match &args.export {
            Some(dir) => Some(Export::create(dir, args.export_facts_only)?),
            None => None,
        };
        let units = generator.world.units.len();
        let procedures_used = generator.world.procs.len();
        let checks = generator.checks.clone();
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Batch>(2);
        let (spent_tx, spent_rx) = std::sync::mpsc::channel::<Batch>();
        let pipeline_started = Instant::now();
        let cpu_before = cpu_seconds("/proc/self/stat");
        let gen_thread = std::thread::Builder::new()
            .name("cchc-generate".into())
            .spawn(move || generator.run(|b| tx.blocking_send(b).is_ok(), &spent_rx))?;
        let mut loader = store.history_loader().await?;
        let (mut insert_s, mut export_s, mut loaded, mut events) = (0.0, 0.0, 0u64, 0u64);
        let mut next_progress = 1_000_000u64;
        let loading: anyhow::Result<()> = async {
            while let Some(batch) = rx.recv().await {
                if let Some(ex) = export.as_mut() {
                    let t = Instant::now();
                    ex.write(&batch)?;
                    export_s += t.elapsed().as_secs_f64();
                }
                let n = batch.tables.len() as u64;
                events += batch.events;
                let t = Instant::now();
                loader.load(&batch.tables).await?;
                insert_s += t.elapsed().as_secs_f64();
                // Freed by the generating thread (or here if it has ended).
                let _ = spent_tx.send(batch);
                loaded += n;
                if loaded >= next_progress {
                    eprintln!(
                        "  {loaded} hồ sơ đã ghi ({:.0} hồ sơ/s khi ghi)",
                        loaded as f64 / insert_s.max(1e-9)
                    );
                    next_progress += 1_000_000;
                }
            }
            Ok(())
        }
        .await;
        drop(rx);
        let generated = gen_thread
            .join()
            .map_err(|_| anyhow::anyhow!("the generating thread panicked"))?;
        loading?;
        let generated = generated?;
        let pipeline_s = pipeline_started.elapsed().as_secs_f64();
        let pipeline_cpu = cpu_seconds("/proc/self/stat")
            .zip(cpu_before)
            .map(|(after, before)| after - before);
        let insert_cpu = pipeline_cpu
            .zip(generated.generate_cpu_s)
            .map(|(all, generating)| (all - generating).max(0.0));
        if let Some(ex) = export {
            let t = Instant::now();
            ex.finish()?;
            export_s += t.elapsed().as_secs_f64();
        }
        let t = Instant::now();
        loader.finish().await?;
        let counters_s = t.elapsed().as_secs_f64();

        // The rollups, once, from the facts; then checked against the facts one by one.
        let t = Instant::now();
        let rebuilt = app.rebuild_indicators(false).await?;
        let rollup_s = t.elapsed().as_secs_f64();
        let mut check_rows = Vec::new();
        for (period, ours) in checks.iter().zip(&generated.measures) {
            let stored = app.measures_by_unit(period).await?;
            let keys: BTreeSet<&String> = stored.keys().chain(ours.keys()).collect();
            let zero = Measures::default();
            let equal = keys
                .iter()
                .all(|k| stored.get(*k).unwrap_or(&zero) == ours.get(*k).unwrap_or(&zero));
            check_rows.push(Check {
                period: period.to_string(),
                units: keys.len(),
                equal,
            });
        }
        let rows: BTreeMap<String, i64> = store.history_table_rows().await?.into_iter().collect();
        let bytes = store.database_bytes().await?;
        let t = &generated.tally;
        let report = Report {
            backend: store.backend_name().to_owned(),
            seed: args.seed,
            dossiers: t.dossiers,
            events: t.events,
            from: first.to_string(),
            to: last.to_string(),
            received_first: t.first_received.map(|d| d.to_string()),
            received_last: t.last_received.map(|d| d.to_string()),
            units,
            procedures: procedures_used,
            accounts_added: accounts.len(),
            partitions_created,
            secret: SECRET,
            seconds: Seconds {
                generate: generated.generate_s,
                insert: insert_s,
                pipeline: pipeline_s,
                generate_cpu: generated.generate_cpu_s,
                insert_cpu,
                export: export_s,
                counters: counters_s,
                rollup_rebuild: rollup_s,
                total: started.elapsed().as_secs_f64(),
            },
            insert_dossiers_per_s: loaded as f64 / insert_s.max(1e-9),
            insert_events_per_s: events as f64 / insert_s.max(1e-9),
            generate_dossiers_per_s: t.dossiers as f64 / generated.generate_s.max(1e-9),
            pipeline_dossiers_per_s: t.dossiers as f64 / pipeline_s.max(1e-9),
            insert_dossiers_per_cpu_s: insert_cpu.map(|c| loaded as f64 / c.max(1e-9)),
            generate_dossiers_per_cpu_s: generated
                .generate_cpu_s
                .map(|c| t.dossiers as f64 / c.max(1e-9)),
            database_bytes: bytes,
            bytes_per_dossier: bytes as f64 / t.dossiers.max(1) as f64,
            rows,
            rollup_rows: rebuilt.rollup_rows,
            rollups_match_facts: check_rows.iter().all(|c| c.equal),
            checks: check_rows,
            handovers: t.handovers,
            supplemented: t.supplements,
            by_status: t.by_status.clone(),
            shares: shares(t, &published),
            export: args.export.as_ref().map(|d| d.display().to_string()),
        };
        anyhow::Ok(report)
    })??;
    match args.format {
        Format::Json => crate::calendar_cmd::print_json(out, &report)?,
        Format::Text => text_report(out, &report)?,
    }
    if !report.rollups_match_facts {
        anyhow::bail!("bảng tổng hợp chỉ số không khớp với dữ kiện của từng hồ sơ");
    }
    Ok(())
}
