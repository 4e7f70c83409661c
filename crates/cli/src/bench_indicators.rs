//! `cchc bench indicators`: the indicator rollups at scale.
//!
//! 1. Fill: `--size` synthetic dossier facts (seeded, so every run stores the same data) over
//!    the Kon Tum part of today's Quảng Ngãi (communes with Kon Tum predecessors and the
//!    province's departments), ~200 procedures, received over the 36 months ending last month,
//!    inserted in bulk (facts only, no rollups); the same facts written to `--out/facts.csv`.
//! 2. Full rebuild: `App::rebuild_indicators(false)` (facts → rollups), timed, `--rebuilds`
//!    times (the first over empty rollups, later ones over full ones), then the read phases of
//!    a rebuild timed on their own to show where it spends its time.
//! 3. Dashboard: `measures_by_unit` and the province scorecard over a quarter, a year and a
//!    custom range (partial months), the commune ranking over a year; p50/p99 of `--reps`
//!    after 3 warm-ups.
//! 4. Checks: the province's quarter measures from the rollups equal the ones computed from
//!    the generated facts one by one (`measures_from_facts`); writes `--out/result.json` with
//!    the quarter's numerators and denominators for the baselines to compare.

use cchc_app::{App, Principal};
use cchc_domain::indicator::{
    DossierFacts, EndKind, FinishVerdict, Measures, Period, measures_from_facts,
};
use cchc_domain::unit::UnitKind;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use crate::usage;

/// Options.
#[derive(Debug, clap::Args)]
pub struct IndicatorsBenchArgs {
    /// Dossier facts to generate (use a fresh database for each size).
    #[arg(long, default_value_t = 100_000)]
    size: usize,
    /// Directory for facts.csv and result.json.
    #[arg(long)]
    out: PathBuf,
    /// Full rebuilds to time (the first over empty rollups, the next over full ones).
    #[arg(long, default_value_t = 2)]
    rebuilds: usize,
    /// Time the read phases of a rebuild separately.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    breakdown: bool,
    /// Measured repetitions per dashboard query (after 3 warm-ups).
    #[arg(long, default_value_t = 30)]
    reps: usize,
    /// Reference data directory (default ../shared/data).
    #[arg(long)]
    data: Option<PathBuf>,
}

const ROOT: &str = "p2025:51";
const PROCEDURES: usize = 200;
const BATCH: usize = 50_000;
const CHECKED: [&str; 5] = ["2.1", "3.3", "3.6", "4.1", "5.4"];

/// A small deterministic generator (xorshift).
pub(crate) struct Rng(pub(crate) u64);

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

    pub(crate) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// An index drawn from cumulative weights.
    fn pick(&mut self, cumulative: &[f64]) -> usize {
        let total = cumulative.last().copied().unwrap_or(0.0);
        let x = self.unit() * total;
        cumulative
            .partition_point(|c| *c <= x)
            .min(cumulative.len().saturating_sub(1))
    }
}

fn cumulative(weights: &[f64]) -> Vec<f64> {
    let mut acc = 0.0;
    weights
        .iter()
        .map(|w| {
            acc += w;
            acc
        })
        .collect()
}

/// What a procedure is like: its limit in working days and its traits.
struct Proc {
    code: String,
    limit_days: i64,
    fully_online: bool,
    fee_bearing: bool,
}

fn procedures() -> Vec<Proc> {
    const LIMITS: [i64; 7] = [1, 3, 5, 7, 10, 15, 20];
    (0..PROCEDURES)
        .map(|k| Proc {
            code: format!("1.{:06}", 1000 + k * 37),
            limit_days: LIMITS[(k * 5 + 3) % LIMITS.len()],
            fully_online: (k * 7 + 1) % 10 < 4,
            fee_bearing: (k * 13 + 5) % 10 < 3,
        })
        .collect()
}

struct Gen {
    rng: Rng,
    units: Vec<String>,
    unit_cum: Vec<f64>,
    procs: Vec<Proc>,
    proc_cum: Vec<f64>,
    /// Every day from the first received day to well after today.
    days: Vec<Date>,
    /// Received days are indexes `0..received_span`.
    received_span: usize,
    today_idx: usize,
}

impl Gen {
    fn day(&self, i: usize) -> Date {
        self.days[i.min(self.days.len() - 1)]
    }

    fn facts(&mut self, i: usize) -> DossierFacts {
        let unit = self.units[self.rng.pick(&self.unit_cum)].clone();
        let p = &self.procs[self.rng.pick(&self.proc_cum)];
        let (procedure, limit_days, fully_online, fee_bearing) =
            (p.code.clone(), p.limit_days, p.fully_online, p.fee_bearing);
        let mut r = self.rng.below(self.received_span as u64) as usize;
        // Mostly on working days: 9 in 10 weekend receipts move to the Friday before.
        let wd = self.days[r].weekday().to_monday_zero_offset();
        if wd >= 5 && self.rng.chance(0.9) {
            r = r.saturating_sub(wd as usize - 4);
        }
        let online = self.rng.chance(0.4);
        let paid_online = fee_bearing && self.rng.chance(if online { 0.7 } else { 0.12 });
        let digitised = self.rng.chance(0.75);
        let reused = self.rng.chance(0.25);
        let synced = self.rng.chance(0.6);
        let mut f = DossierFacts {
            code: format!("BENCH-{i:09}"),
            unit,
            procedure,
            received_day: Some(self.day(r)),
            end: None,
            end_day: None,
            late_from: None,
            verdict: None,
            online,
            full_online_proc: fully_online,
            fee_bearing,
            paid_online,
            digitised,
            reused,
            synced,
            electronic_result: false,
            supplement_requests: 0,
            used_cd: 0,
            limit_cd: 0,
            rating: None,
        };
        // Refused at intake: never received, counts nowhere.
        if self.rng.chance(0.015) {
            f.received_day = None;
            f.end = Some(EndKind::Refused);
            f.end_day = Some(self.day(r));
            return f;
        }
        // Calendar days to the due day (working days × 7/5).
        let due_cal = ((limit_days * 7 + 4) / 5) as usize;
        let due_idx = r + due_cal;
        let roll = self.rng.unit();
        f.supplement_requests = if roll < 0.02 {
            2
        } else if roll < 0.12 {
            1
        } else {
            0
        };
        let second_idx =
            (f.supplement_requests >= 2).then(|| r + 1 + self.rng.below(due_cal as u64) as usize);
        f.late_from = Some(self.day(second_idx.map_or(due_idx, |s| s.min(due_idx))));
        // Stuck: still open long after its due day.
        if self.rng.chance(0.025) {
            return f;
        }
        if self.rng.chance(0.02) {
            let e = r + 1 + self.rng.below(10) as usize;
            if e <= self.today_idx {
                f.end = Some(EndKind::Withdrawn);
                f.end_day = Some(self.day(e));
            }
            return f;
        }
        let on_time = f.supplement_requests < 2 && self.rng.chance(0.85);
        let duration = if on_time {
            self.rng.below(due_cal as u64 + 1) as usize
        } else {
            due_cal + 1 + self.rng.below(20) as usize
        };
        let e = r + duration;
        if e > self.today_idx {
            return f;
        }
        let kind = if self.rng.chance(0.02) {
            EndKind::Stopped
        } else {
            EndKind::Decided
        };
        f.end = Some(kind);
        f.end_day = Some(self.day(e));
        f.verdict = Some(if f.supplement_requests >= 2 || duration > due_cal {
            FinishVerdict::Late
        } else if (duration as f64) < due_cal as f64 * 0.6 {
            FinishVerdict::Early
        } else {
            FinishVerdict::OnTime
        });
        f.used_cd = duration as i64 * 500 / 7;
        f.limit_cd = limit_days * 100;
        f.electronic_result = kind == EndKind::Decided && self.rng.chance(0.6);
        if self.rng.chance(0.2) {
            let x = self.rng.unit();
            f.rating = Some(if x < 0.6 {
                5
            } else if x < 0.85 {
                4
            } else if x < 0.93 {
                3
            } else if x < 0.97 {
                2
            } else {
                1
            });
        }
        f
    }
}

/// The header of facts.csv (the columns of `csv_line`).
pub(crate) const FACTS_CSV_HEADER: &str = "code,unit,procedure_code,received_day,end_kind,end_day,\
     late_from,verdict,online,full_online_proc,fee_bearing,paid_online,digitised,reused,synced,\
     e_result,supplement_requests,used_cd,limit_cd,rating";

/// One fact as a line of facts.csv (also written by `cchc bench generate --export`).
pub(crate) fn csv_line(w: &mut impl std::io::Write, f: &DossierFacts) -> std::io::Result<()> {
    let d = |x: Option<Date>| x.map(|d| d.to_string()).unwrap_or_default();
    writeln!(
        w,
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
        f.code,
        f.unit,
        f.procedure,
        d(f.received_day),
        f.end.map(|k| k.code()).unwrap_or_default(),
        d(f.end_day),
        d(f.late_from),
        f.verdict.map(|v| v.code()).unwrap_or_default(),
        u8::from(f.online),
        u8::from(f.full_online_proc),
        u8::from(f.fee_bearing),
        u8::from(f.paid_online),
        u8::from(f.digitised),
        u8::from(f.reused),
        u8::from(f.synced),
        u8::from(f.electronic_result),
        f.supplement_requests,
        f.used_cd,
        f.limit_cd,
        f.rating.map(|r| r.to_string()).unwrap_or_default(),
    )
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[derive(Debug, Serialize)]
pub(crate) struct QueryTiming {
    query: String,
    period: String,
    reps: usize,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

#[derive(Debug, Serialize)]
struct Breakdown {
    read_facts_s: f64,
    sum_contributions_s: f64,
    /// The rest of the last rebuild: sorting, then in one transaction keeping the old rows
    /// aside, clearing, writing the new rows and counting the differing ones in SQL.
    write_and_rest_s: f64,
}

#[derive(Debug, Serialize)]
struct Ratio {
    numerator: i64,
    denominator: i64,
}

#[derive(Debug, Serialize)]
struct Report {
    size: usize,
    units: usize,
    procedures: usize,
    received_from: String,
    received_to: String,
    generate_s: f64,
    fill_s: f64,
    fill_rows_per_s: f64,
    csv_s: f64,
    rebuild_s: Vec<f64>,
    rollup_rows: u64,
    rows_differing: Vec<u64>,
    breakdown: Option<Breakdown>,
    queries: Vec<QueryTiming>,
    quarter_first: String,
    quarter_last: String,
    ours: BTreeMap<String, Ratio>,
    shares: BTreeMap<String, f64>,
}

pub(crate) async fn time_query<F, Fut, T>(
    name: &str,
    period: &Period,
    reps: usize,
    mut f: F,
) -> anyhow::Result<QueryTiming>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = cchc_app::Result<T>>,
{
    for _ in 0..3 {
        f().await?;
    }
    let mut lat = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t = Instant::now();
        std::hint::black_box(f().await?);
        lat.push(t.elapsed().as_secs_f64() * 1e3);
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    Ok(QueryTiming {
        query: name.to_owned(),
        period: period.to_string(),
        reps,
        p50_ms: percentile(&lat, 0.5),
        p99_ms: percentile(&lat, 0.99),
        max_ms: lat.last().copied().unwrap_or(0.0),
    })
}

/// The Kon Tum part of today's province: communes with a Kon Tum predecessor (weights spread
/// 0.5-1.5) and the province's departments and service centre (each about two communes).
pub(crate) fn kon_tum_units(app: &App, rng: &mut Rng) -> anyhow::Result<(Vec<String>, Vec<f64>)> {
    let tree = app.units()?;
    let mut units = Vec::new();
    let mut weights = Vec::new();
    for u in tree.subtree(ROOT) {
        let id = u.id.as_str();
        let from_kon_tum = tree
            .predecessors(id)
            .any(|(p, _)| tree.is_within(p.id.as_str(), "p:62"));
        let w = match u.kind {
            UnitKind::Commune if from_kon_tum => 0.5 + rng.unit(),
            UnitKind::Department | UnitKind::ServiceCentre
                if u.parent.as_ref().is_some_and(|p| p.as_str() == ROOT) =>
            {
                2.0 * (0.5 + rng.unit())
            }
            _ => continue,
        };
        units.push(id.to_owned());
        weights.push(w);
    }
    if units.is_empty() {
        anyhow::bail!("no Kon Tum unit under {ROOT}: reference units not imported?");
    }
    Ok((units, weights))
}

pub fn run(args: &IndicatorsBenchArgs, database_url: &str, out: &mut String) -> anyhow::Result<()> {
    if args.size == 0 || args.reps == 0 {
        return Err(usage("--size và --reps phải lớn hơn 0"));
    }
    let dir = crate::runtime::reference_dir(args.data.clone())?;
    std::fs::create_dir_all(&args.out)?;
    let report = crate::runtime::block_on(async {
        let app = crate::runtime::open_app(database_url, None).await?;
        let sys = Principal::system();
        if app.units()?.is_empty() {
            app.import_units(&sys, crate::runtime::reference_units_in(&dir)?)
                .await?;
        }
        let (dossiers, _) = app.store().facts_coverage().await?;
        if dossiers > 0 {
            anyhow::bail!("the database already holds {dossiers} dossiers: use a fresh one");
        }
        let today = cchc_app::vietnam_now().date();
        let this_month = today.first_of_month();
        let first = this_month.checked_sub(jiff::Span::new().months(36))?;
        let last_received = this_month.yesterday()?;
        let mut days = Vec::new();
        let mut d = first;
        let horizon = today.checked_add(jiff::Span::new().days(120))?;
        while d <= horizon {
            days.push(d);
            d = d.tomorrow()?;
        }
        let received_span = days
            .iter()
            .position(|x| *x > last_received)
            .unwrap_or(days.len());
        let today_idx = days
            .iter()
            .position(|x| *x == today)
            .unwrap_or(days.len() - 1);

        // Periods: the last whole quarter, the last whole year, and a custom range with
        // partial months at both ends.
        let q_start = Date::new(today.year(), (today.month() - 1) / 3 * 3 + 1, 1)?;
        let prev_q = q_start.checked_sub(jiff::Span::new().months(3))?;
        let quarter = Period::quarter(prev_q.year(), (prev_q.month() - 1) / 3 + 1)?;
        let year = Period::year(today.year() - 1)?;
        let custom = Period::custom(
            this_month
                .checked_sub(jiff::Span::new().months(4))?
                .checked_add(jiff::Span::new().days(14))?,
            this_month
                .checked_sub(jiff::Span::new().months(1))?
                .checked_add(jiff::Span::new().days(9))?,
        )?;

        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ args.size as u64);
        let (units, unit_w) = kon_tum_units(&app, &mut rng)?;
        let procs = procedures();
        // Zipf-like: a few procedures take most dossiers.
        let proc_w: Vec<f64> = (0..procs.len()).map(|k| 1.0 / (k as f64 + 1.0)).collect();
        let mut g = Gen {
            rng,
            unit_cum: cumulative(&unit_w),
            units,
            proc_cum: cumulative(&proc_w),
            procs,
            days,
            received_span,
            today_idx,
        };

        // 1. Fill, and the facts to CSV; the quarter's measures from the facts one by one.
        let csv_path = args.out.join("facts.csv");
        let mut csv = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&csv_path)?);
        writeln!(csv, "{FACTS_CSV_HEADER}")?;
        let (mut gen_s, mut fill_s, mut csv_s) = (0.0, 0.0, 0.0);
        let mut expected = Measures::default();
        let mut shares: BTreeMap<String, f64> = BTreeMap::new();
        let mut i = 0;
        while i < args.size {
            let n = BATCH.min(args.size - i);
            let t = Instant::now();
            let batch: Vec<DossierFacts> = (i..i + n).map(|k| g.facts(k)).collect();
            expected += measures_from_facts(&batch, &quarter);
            for f in &batch {
                for (k, yes) in [
                    ("online", f.online),
                    ("fee_bearing", f.fee_bearing),
                    ("paid_online_of_fee", f.fee_bearing && f.paid_online),
                    ("finished", f.finished()),
                    (
                        "on_time_of_finished",
                        f.finished() && f.verdict != Some(FinishVerdict::Late),
                    ),
                    ("open", f.received_day.is_some() && f.end.is_none()),
                    ("rated", f.rating.is_some()),
                ] {
                    *shares.entry(k.to_owned()).or_default() += f64::from(u8::from(yes));
                }
            }
            gen_s += t.elapsed().as_secs_f64();
            let t = Instant::now();
            app.store().insert_facts_bulk(&batch).await?;
            fill_s += t.elapsed().as_secs_f64();
            let t = Instant::now();
            for f in &batch {
                csv_line(&mut csv, f)?;
            }
            csv_s += t.elapsed().as_secs_f64();
            i += n;
            if i % 1_000_000 == 0 {
                eprintln!("  filled {i} facts ({fill_s:.0} s in the database)");
            }
        }
        csv.flush()?;
        let fin = shares.get("finished").copied().unwrap_or(0.0).max(1.0);
        let fee = shares.get("fee_bearing").copied().unwrap_or(0.0).max(1.0);
        for (k, v) in shares.iter_mut() {
            *v /= match k.as_str() {
                "on_time_of_finished" | "rated" => fin,
                "paid_online_of_fee" => fee,
                _ => args.size as f64,
            };
        }

        // 2. Full rebuilds.
        let mut rebuild_s = Vec::new();
        let mut rows_differing = Vec::new();
        let mut rollup_rows = 0;
        for k in 0..args.rebuilds.max(1) {
            let t = Instant::now();
            let r = app.rebuild_indicators(false).await?;
            rebuild_s.push(t.elapsed().as_secs_f64());
            rows_differing.push(r.rows_differing);
            rollup_rows = r.rollup_rows;
            eprintln!(
                "  rebuild {}: {:.1} s, {} rollup rows, {} differing before",
                k + 1,
                rebuild_s[k],
                r.rollup_rows,
                r.rows_differing
            );
        }
        let breakdown = if args.breakdown {
            let (mut read_facts_s, mut sum_contributions_s) = (0.0, 0.0);
            for unit in app.store().fact_units().await? {
                let t = Instant::now();
                let facts = app.store().facts_of_unit(&unit).await?;
                read_facts_s += t.elapsed().as_secs_f64();
                let t = Instant::now();
                let mut rows: BTreeMap<(String, Date), Measures> = BTreeMap::new();
                for f in &facts {
                    for (day, m) in f.contributions() {
                        *rows.entry((f.procedure.clone(), day)).or_default() += m;
                    }
                }
                std::hint::black_box(rows);
                sum_contributions_s += t.elapsed().as_secs_f64();
            }
            let last = rebuild_s.last().copied().unwrap_or(0.0);
            Some(Breakdown {
                read_facts_s,
                sum_contributions_s,
                write_and_rest_s: (last - read_facts_s - sum_contributions_s).max(0.0),
            })
        } else {
            None
        };

        // 4. Check: the rollups agree with the facts counted one by one.
        let members = app.member_units(ROOT, &quarter)?;
        let raw = app.measures_by_unit(&quarter).await?;
        let mut got = Measures::default();
        for u in &members {
            if let Some(m) = raw.get(u) {
                got += *m;
            }
        }
        if got != expected {
            anyhow::bail!(
                "rollups differ from the facts for {quarter}:\n rollups {:?}\n facts   {:?}",
                got.0,
                expected.0
            );
        }
        let card = app.unit_scorecard(&sys, ROOT, &quarter).await?;
        let mut ours = BTreeMap::new();
        for code in CHECKED {
            let r = card
                .card
                .result(code)
                .ok_or_else(|| anyhow::anyhow!("indicator {code} missing"))?;
            ours.insert(
                code.to_owned(),
                Ratio {
                    numerator: r.numerator,
                    denominator: r.denominator,
                },
            );
        }

        // 3. Dashboard queries.
        let reps = args.reps;
        let mut queries = Vec::new();
        for (label, p) in [("quarter", &quarter), ("year", &year), ("custom", &custom)] {
            queries.push(
                time_query(&format!("measures_by_unit ({label})"), p, reps, || {
                    app.measures_by_unit(p)
                })
                .await?,
            );
            queries.push(
                time_query(&format!("province scorecard ({label})"), p, reps, || {
                    app.unit_scorecard(&sys, ROOT, p)
                })
                .await?,
            );
        }
        queries.push(
            time_query("commune ranking (year)", &year, reps, || {
                app.ranking(
                    &year,
                    Some(UnitKind::Commune),
                    None,
                    cchc_app::indicators::MIN_RANK_VOLUME,
                )
            })
            .await?,
        );

        anyhow::Ok(Report {
            size: args.size,
            units: g.units.len(),
            procedures: g.procs.len(),
            received_from: first.to_string(),
            received_to: last_received.to_string(),
            generate_s: gen_s,
            fill_s,
            fill_rows_per_s: args.size as f64 / fill_s.max(1e-9),
            csv_s,
            rebuild_s,
            rollup_rows,
            rows_differing,
            breakdown,
            queries,
            quarter_first: quarter.first.to_string(),
            quarter_last: quarter.last.to_string(),
            ours,
            shares,
        })
    })??;
    let json = serde_json::to_string_pretty(&report)?;
    std::fs::write(args.out.join("result.json"), &json)?;
    writeln!(out, "{json}")?;
    Ok(())
}
