//! `cchc indicators` on a demo database: the scorecard's numbers agree with an independent
//! computation from `cchc export dossiers` (written here from the definitions, without the
//! domain's indicator code), a rebuild changes nothing, a closed period verifies, and the
//! files (CSV, Excel) come out whole.

use cchc_app::App;
use cchc_app::catalogue::{ReferenceUnitFiles, reference_units};
use cchc_app::demo::{DemoOptions, generate};
use cchc_app::export::ExportRow;
use cchc_domain::calendar::Calendar;
use cchc_store::Store;
use jiff::ToSpan;
use jiff::civil::{Date, DateTime, date};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

fn read(name: &str) -> String {
    std::fs::read_to_string(Path::new(DATA).join(name)).unwrap()
}

/// The demo database, generated once per test run and copied for each test.
struct Demo {
    dir: PathBuf,
}

/// Copies of the demo database handed to the tests, by name.
const COPIES: [&str; 2] = ["independent", "lifecycle"];

static DEMO: OnceLock<Demo> = OnceLock::new();

/// Kon Tum city and the provincial Department of Justice, January to September 2025 (the
/// 1 July 2025 merger in the middle): few accounts to hash (argon2 is slow in debug builds),
/// enough dossiers that every indicator has data in every period.
fn demo() -> &'static Demo {
    DEMO.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("cchc-cli-indicators-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let started = Instant::now();
            let url = format!("sqlite://{}", dir.join("template.db").display());
            let store = Store::connect(&url).await.unwrap();
            let app = App::new(store.clone(), Arc::new(Calendar::embedded().unwrap()))
                .await
                .unwrap();
            let sys = cchc_app::Principal::system();
            let files = ReferenceUnitFiles {
                pre2025_provinces: &read("vn_units_pre2025_provinces.csv"),
                pre2025_districts: &read("vn_units_pre2025_districts.csv"),
                pre2025_wards: &read("vn_units_pre2025_wards.csv"),
                provinces_2025: &read("vn_units_2025_provinces.csv"),
                wards_2025: &read("vn_units_2025_wards.csv"),
                kon_tum_mapping: &read("kontum_units_pre2025_with_2025_mapping.csv"),
            };
            app.import_units(&sys, reference_units(files, false).unwrap())
                .await
                .unwrap();
            app.import_procedures(&sys, &read("tthc_dvcqg_2642_procedures.csv"))
                .await
                .unwrap();
            let opts = DemoOptions {
                seed: 766,
                dossiers: 2_400,
                from: date(2025, 1, 2),
                to: date(2025, 9, 30),
                citizens: 20,
                workers: 2,
                scope: vec!["d:608".into(), "p:62/so-tu-phap".into()],
            };
            let report = generate(&app, &opts, |_| {}).await.unwrap();
            eprintln!(
                "demo: {} dossiers, {} open at the end ({} overdue), {} with a second supplement request, in {:.1} s",
                report.dossiers,
                report.by_status.iter().filter(|(s, _)| [1, 2, 4, 5, 6].contains(*s)).map(|(_, n)| n).sum::<usize>(),
                report.open_overdue,
                report.second_supplements,
                started.elapsed().as_secs_f64()
            );
            for name in COPIES {
                let copy = dir.join(format!("{name}.db"));
                store
                    .execute_raw_for_tests(&format!("VACUUM INTO '{}'", copy.display()))
                    .await
                    .unwrap();
            }
        });
        for s in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(dir.join(format!("template.db{s}")));
        }
        Demo { dir }
    })
}

/// A copy of the demo database.
struct Db {
    path: PathBuf,
}

impl Drop for Db {
    fn drop(&mut self) {
        for s in [
            "",
            "-wal",
            "-shm",
            ".card.xlsx",
            ".rank.xlsx",
            ".register.csv",
            ".register.xlsx",
        ] {
            let _ = std::fs::remove_file(self.file(s));
        }
    }
}

impl Db {
    fn copy(name: &str) -> Self {
        assert!(COPIES.contains(&name));
        Self {
            path: demo().dir.join(format!("{name}.db")),
        }
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.path.display())
    }

    fn file(&self, suffix: &str) -> PathBuf {
        PathBuf::from(format!("{}{suffix}", self.path.display()))
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_cchc"))
            .arg("--database-url")
            .arg(self.url())
            .args(args)
            .env_remove("CCHC_DATA_DIR")
            .env_remove("CCHC_DATABASE_URL")
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// Runs expecting exit 2: nothing on stdout, one Vietnamese line on stderr.
    fn refused(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?} should exit 2: {err}");
        assert!(out.stdout.is_empty(), "nothing on stdout for {args:?}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(err.starts_with("lỗi: "), "{err}");
        err
    }
}

// ---------------------------------------------------------------------------------------------
// The independent computation: from the export's columns and the definitions only.

/// The export columns the indicators need.
#[derive(Debug, Clone)]
struct Row {
    competent_unit: String,
    online: bool,
    received_at: Option<DateTime>,
    /// The statutory due date (apology extensions left out): lateness is judged against it.
    due_at: Option<DateTime>,
    extensions: u32,
    decided_at: Option<DateTime>,
    closed_at: Option<DateTime>,
    status: u8,
    supplement_requests: u32,
    second_supplement_at: Option<DateTime>,
    fee_bearing: Option<bool>,
    paid_online: bool,
    rating: Option<u8>,
    components_digitised: u32,
}

/// An export time: ISO 8601 with the Vietnam offset.
fn time(text: &str) -> Option<DateTime> {
    if text.is_empty() {
        return None;
    }
    let civil = text
        .strip_suffix("+07:00")
        .unwrap_or_else(|| panic!("not Vietnam time: {text}"));
    Some(civil.parse().unwrap())
}

fn rows_of(csv_text: &str) -> Vec<Row> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, ExportRow::HEADER);
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let m: HashMap<&str, &str> = header.iter().map(String::as_str).zip(r.iter()).collect();
            Row {
                competent_unit: m["competent_unit"].to_owned(),
                online: m["channel"] == "2",
                received_at: time(m["received_at"]),
                due_at: time(m["statutory_due_at"]),
                extensions: m["extensions"].parse().unwrap(),
                decided_at: time(m["decided_at"]),
                closed_at: time(m["closed_at"]),
                status: m["status"].parse().unwrap(),
                supplement_requests: m["supplement_requests"].parse().unwrap(),
                second_supplement_at: time(m["second_supplement_at"]),
                fee_bearing: match m["fee_bearing"] {
                    "" => None,
                    b => Some(b.parse().unwrap()),
                },
                paid_online: m["paid_online"].parse().unwrap(),
                rating: match m["rating"] {
                    "" => None,
                    n => Some(n.parse().unwrap()),
                },
                components_digitised: m["components_digitised"].parse().unwrap(),
            }
        })
        .collect()
}

/// Status codes (TrangThaiHoSo) that end a dossier without a result.
const STOPPED: u8 = 8;

/// (numerator, denominator) of 2.1, 3.3, 3.6, 4.1 and 5.4 for the dossiers whose competent
/// unit is in `members`, over the days `first..=last`.
fn recompute(
    rows: &[Row],
    members: &BTreeSet<String>,
    first: Date,
    last: Date,
) -> BTreeMap<&'static str, (i64, i64)> {
    let within = |d: Date| first <= d && d <= last;
    // The end of the period's last day: the instant open dossiers are judged at.
    let end = last.checked_add(1.day()).unwrap().at(0, 0, 0, 0);
    let (mut received, mut online, mut fee, mut fee_paid_online, mut digitised) = (0, 0, 0, 0, 0);
    let (mut finished, mut finished_on_time, mut satisfied) = (0, 0, 0);
    let (mut open, mut open_late) = (0, 0);
    for r in rows.iter().filter(|r| members.contains(&r.competent_unit)) {
        // Never received (refused at intake, or still waiting): counted nowhere.
        let Some(received_at) = r.received_at else {
            continue;
        };
        if within(received_at.date()) {
            received += 1;
            online += i64::from(r.online);
            if r.fee_bearing == Some(true) {
                fee += 1;
                fee_paid_online += i64::from(r.paid_online);
            }
            digitised += i64::from(r.components_digitised > 0);
        }
        // Finished = a result was recorded, or processing was stopped; withdrawn is not.
        let left_at = r.decided_at.or(r.closed_at);
        let finished_at = if r.decided_at.is_some() {
            r.decided_at
        } else if r.status == STOPPED {
            r.closed_at
        } else {
            None
        };
        if let Some(at) = finished_at.filter(|at| within(at.date())) {
            // An apology with a new date is given to a late dossier: it stays late.
            let late = r.supplement_requests > 1
                || r.extensions > 0
                || r.due_at.is_some_and(|due| at > due);
            finished += 1;
            finished_on_time += i64::from(!late);
            let happy = match r.rating {
                Some(stars) => stars >= 4,
                None => !late,
            };
            satisfied += i64::from(happy);
        }
        // Open at the end of the last day: received by then and not left by then.
        if received_at.date() <= last && left_at.is_none_or(|t| t.date() > last) {
            open += 1;
            let late = r.due_at.is_some_and(|due| due < end)
                || r.second_supplement_at.is_some_and(|s| s.date() <= last);
            open_late += i64::from(late);
        }
    }
    BTreeMap::from([
        (
            "2.1",
            (finished_on_time + open - open_late, finished + open),
        ),
        ("3.3", (online, received)),
        ("3.6", (fee_paid_online, fee)),
        ("4.1", (digitised, received)),
        ("5.4", (satisfied, finished)),
        // Not an indicator: (late, all) open at the period's end, for the log.
        ("open", (open_late, open)),
    ])
}

/// The numerators and denominators `cchc indicators --format json` reports.
fn reported(card: &Value) -> BTreeMap<String, (i64, i64)> {
    card["card"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["code"].as_str().unwrap().to_owned(),
                (
                    r["numerator"].as_i64().unwrap(),
                    r["denominator"].as_i64().unwrap(),
                ),
            )
        })
        .collect()
}

/// Unit ids from the reference files: pre-2025 units are `p:62`, `d:NNN`, `w:NNNNN` (offices
/// and departments below them `PARENT/slug`); 2025 communes `w2025:NNNNN`.
struct Units {
    /// District code → its wards' codes (Kon Tum, before 1 July 2025).
    wards_of_district: BTreeMap<String, Vec<String>>,
    /// 2025 ward code → the pre-2025 wards merged into it.
    merged_into: BTreeMap<String, Vec<String>>,
}

fn units() -> Units {
    let mut wards_of_district: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let text = read("vn_units_pre2025_wards.csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for r in reader.records() {
        let r = r.unwrap();
        if &r[2] == "62" {
            wards_of_district
                .entry(r[1].to_owned())
                .or_default()
                .push(r[0].to_owned());
        }
    }
    let mut merged_into: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let text = read("kontum_units_pre2025_with_2025_mapping.csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for r in reader.records() {
        let r = r.unwrap();
        merged_into
            .entry(r[7].to_owned())
            .or_default()
            .push(r[3].to_owned());
    }
    Units {
        wards_of_district,
        merged_into,
    }
}

impl Units {
    /// The competent units whose dossiers count toward `unit`, among
    /// those the export names: the unit, the units below it, and for a 2025 commune the wards
    /// merged into it (their history before the merger, and their dossiers finished after).
    fn members(&self, unit: &str, seen: &BTreeSet<String>) -> BTreeSet<String> {
        let below = |parent: &str, id: &str| id == parent || id.starts_with(&format!("{parent}/"));
        let mut roots: Vec<String> = vec![unit.to_owned()];
        if let Some(d) = unit.strip_prefix("d:") {
            roots.extend(self.wards_of_district[d].iter().map(|w| format!("w:{w}")));
        }
        if unit == "p:62" {
            for (d, wards) in &self.wards_of_district {
                roots.push(format!("d:{d}"));
                roots.extend(wards.iter().map(|w| format!("w:{w}")));
            }
        }
        // A department of the new province replaces the old province's department of the
        // same name (as the reference import links them).
        if let Some(dept) = unit.strip_prefix("p2025:51/") {
            roots.push(format!("p:62/{dept}"));
        }
        if let Some(w) = unit.strip_prefix("w2025:") {
            roots.extend(self.merged_into[w].iter().map(|w| format!("w:{w}")));
        }
        seen.iter()
            .filter(|id| roots.iter().any(|r| below(r, id)))
            .cloned()
            .collect()
    }
}

fn bounds(period: &str) -> (Date, Date) {
    if let Some((a, b)) = period.split_once("..") {
        return (a.parse().unwrap(), b.parse().unwrap());
    }
    match period.len() {
        4 => {
            let y: i16 = period.parse().unwrap();
            (date(y, 1, 1), date(y, 12, 31))
        }
        7 if period.as_bytes()[5] == b'Q' => {
            let y: i16 = period[..4].parse().unwrap();
            let q: i8 = period[6..].parse().unwrap();
            let first = date(y, (q - 1) * 3 + 1, 1);
            (first, date(y, q * 3, 1).last_of_month())
        }
        7 => {
            let first: Date = format!("{period}-01").parse().unwrap();
            (first, first.last_of_month())
        }
        _ => panic!("period {period}"),
    }
}

#[test]
fn scorecards_agree_with_an_independent_computation_from_the_export() {
    let db = Db::copy("independent");
    let started = Instant::now();
    let rows = rows_of(&db.ok(&["export", "dossiers", "--format", "csv"]));
    assert!(rows.len() >= 2_400, "{}", rows.len());
    let seen: BTreeSet<String> = rows.iter().map(|r| r.competent_unit.clone()).collect();
    let units = units();
    // Leaves, a district with its wards and office, the province before the merger, and a 2025
    // commune (with the wards merged into it for periods starting before 1 July 2025); a month,
    // a quarter and the year. 2025-Q3 ends on the demo's last day: many dossiers still open.
    let cases: &[(&str, &[&str])] = &[
        ("w:23281", &["2025-03", "2025-Q2", "2025"]),
        ("d:608", &["2025-05", "2025-Q2", "2025"]),
        ("p:62", &["2025-06", "2025-Q1", "2025"]),
        ("p:62/so-tu-phap", &["2025-02", "2025-Q1", "2025"]),
        ("w2025:23293", &["2025-08", "2025-Q3", "2025"]),
        // A department after the merger, with a dossier still open on 30 September after a
        // second supplement request (late by that rule, though its due date is in November),
        // and ranges of days that cut months (the daily rollups).
        (
            "p2025:51/so-tu-phap",
            &["2025-08", "2025-Q3", "2025-07-15..2025-09-30"],
        ),
        ("d:608", &["2025-02-10..2025-04-20"]),
    ];
    let mut compared = 0;
    let mut disagreements = Vec::new();
    let mut open_at_end = 0;
    for (unit, periods) in cases {
        for period in *periods {
            let (first, last) = bounds(period);
            let members = units.members(unit, &seen);
            assert!(!members.is_empty(), "{unit} has dossiers");
            let mine = recompute(&rows, &members, first, last);
            let card = db.json(&[
                "indicators",
                "--unit",
                unit,
                "--period",
                period,
                "--format",
                "json",
            ]);
            let theirs = reported(&card);
            eprintln!(
                "{unit:<18} {period:<8} {} units: {}",
                members.len(),
                mine.iter()
                    .map(|(c, (n, d))| format!("{c} {n}/{d}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for (code, expected) in mine.iter().filter(|(c, _)| **c != "open") {
                compared += 1;
                if theirs.get(*code) != Some(expected) {
                    disagreements.push(format!(
                        "{unit} {period} {code}: export says {expected:?}, cchc indicators says {:?}",
                        theirs.get(*code)
                    ));
                }
            }
            assert!(mine["3.3"].1 > 0, "{unit} {period}: dossiers received");
            let (num, den) = mine["2.1"];
            assert!(den > 0 && num <= den, "{unit} {period}");
            if *period == "2025-Q3" {
                open_at_end = mine["open"].1;
            }
        }
    }
    assert!(open_at_end > 0);
    assert!(
        disagreements.is_empty(),
        "{} of {compared} numbers disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    eprintln!(
        "{compared} (numerator, denominator) pairs agree ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------------------------------------
// The commands around the numbers.

/// Everything a scorecard says in numbers.
fn numbers(card: &Value) -> Vec<(String, i64, i64, Value, Value)> {
    card["card"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["code"].as_str().unwrap().to_owned(),
                r["numerator"].as_i64().unwrap(),
                r["denominator"].as_i64().unwrap(),
                r["value"].clone(),
                r["points"].clone(),
            )
        })
        .collect()
}

#[test]
fn rebuild_close_verify_and_files() {
    let db = Db::copy("lifecycle");
    let card = |period: &str| {
        db.json(&[
            "indicators",
            "--unit",
            "d:608",
            "--period",
            period,
            "--format",
            "json",
        ])
    };
    let before = card("2025-Q2");
    assert!(before["closed"].is_null());
    assert!(before["card"]["score"].as_f64().is_some());

    // The rollups kept with every event equal a rebuild from the facts and from the events.
    for args in [
        &["indicators", "rebuild", "--format", "json"][..],
        &["indicators", "rebuild", "--from-events", "--format", "json"][..],
    ] {
        let report = db.json(args);
        assert_eq!(report["rows_differing"], 0, "{args:?}: {report}");
        assert!(report["rollup_rows"].as_u64().unwrap() > 0);
    }
    let text = db.ok(&["indicators", "rebuild"]);
    assert!(text.contains("khớp hoàn toàn"), "{text}");
    assert_eq!(numbers(&card("2025-Q2")), numbers(&before));
    assert_eq!(card("2025-Q2")["card"]["score"], before["card"]["score"]);

    // Text: a Vietnamese table.
    let text = db.ok(&["indicators", "--unit", "d:608", "--period", "2025-Q2"]);
    assert!(
        text.starts_with("BẢNG ĐIỂM CHỈ SỐ – Thành phố Kon Tum (d:608) – Quý II/2025"),
        "{text}"
    );
    assert!(text.contains("Số liệu tính ngày"), "{text}");
    let on_time = before["card"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "2.1")
        .unwrap();
    assert!(
        text.contains(&format!(
            "{} ÷ {}",
            on_time["numerator"], on_time["denominator"]
        )),
        "{text}"
    );
    assert!(text.contains("Tổng điểm: "), "{text}");
    assert!(text.contains("điểm đạt ÷"), "{text}");

    // Close, then verify: a match; a second close is refused.
    let closed = db.ok(&["indicators", "close", "--period", "2025-Q2"]);
    assert!(
        closed.starts_with("Đã chốt số liệu Quý II/2025"),
        "{closed}"
    );
    let verified = db.ok(&["indicators", "verify", "--period", "2025-Q2"]);
    assert!(verified.contains("Khớp"), "{verified}");
    let v = db.json(&[
        "indicators",
        "verify",
        "--period",
        "2025-Q2",
        "--format",
        "json",
    ]);
    assert_eq!(v["ok"], true, "{v}");
    let again = db.refused(&["indicators", "close", "--period", "2025-Q2"]);
    assert!(again.contains("Quý II/2025 đã được chốt"), "{again}");
    let after = card("2025-Q2");
    assert!(after["closed"]["closed_at"].is_string(), "{after}");
    assert_eq!(numbers(&after), numbers(&before));
    let text = db.ok(&["indicators", "--unit", "d:608", "--period", "2025-Q2"]);
    assert!(text.contains("Đã chốt số liệu lúc"), "{text}");
    db.refused(&["indicators", "verify", "--period", "2025-Q1"]);

    // Someone edits a dossier's facts: a rebuild from the facts carries the edit into the
    // rollups, and verification lists the unit (exit 1); a rebuild from the events repairs it.
    let store_url = db.url();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let edited = rt.block_on(async {
        let store = Store::connect(&store_url).await.unwrap();
        store
            .execute_raw_for_tests(
                "UPDATE dossier_facts SET online = 1 - online WHERE code = (SELECT code FROM \
                 dossier_facts WHERE unit LIKE 'w:%' AND received_day BETWEEN '2025-04-01' \
                 AND '2025-06-30' ORDER BY code LIMIT 1)",
            )
            .await
            .unwrap()
    });
    assert_eq!(edited, 1);
    let report = db.json(&["indicators", "rebuild", "--format", "json"]);
    assert!(report["rows_differing"].as_u64().unwrap() > 0, "{report}");
    let out = db.run(&["indicators", "verify", "--period", "2025-Q2"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("Không khớp"), "{stdout}");
    assert!(stdout.contains("  - w:"), "{stdout}");
    assert!(stdout.contains("received_online"), "{stdout}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("lỗi: số liệu Quý II/2025 khác với lúc chốt"),
        "{stderr}"
    );
    db.ok(&["indicators", "rebuild", "--from-events"]);
    let verified = db.ok(&["indicators", "verify", "--period", "2025-Q2"]);
    assert!(verified.contains("Khớp"), "{verified}");

    // Mistakes: one Vietnamese line, exit 2.
    let err = db.refused(&["indicators", "--unit", "d:608", "--period", "2025-13"]);
    assert!(err.contains("kỳ không hợp lệ: «2025-13»"), "{err}");
    let err = db.refused(&["indicators", "--unit", "x:1", "--period", "2025"]);
    assert!(err.contains("không tìm thấy đơn vị x:1"), "{err}");
    let err = db.refused(&[
        "indicators",
        "--unit",
        "d:608",
        "--period",
        "2025",
        "--format",
        "xlsx",
    ]);
    assert!(err.contains("--output"), "{err}");
    let err = db.refused(&[
        "indicators",
        "rank",
        "--period",
        "2025",
        "--indicator",
        "9.9",
    ]);
    assert!(err.contains("9.9"), "{err}");
    let err = db.refused(&["indicators", "close", "--period", "2199"]);
    assert!(err.contains("chưa kết thúc"), "{err}");
    db.refused(&["indicators", "--unit", "d:608"]);

    // Files: Excel is a ZIP; CSV is UTF-8 with a BOM and Vietnamese headers.
    let xlsx = db.file(".card.xlsx");
    let said = db.ok(&[
        "indicators",
        "--unit",
        "d:608",
        "--period",
        "2025-Q2",
        "--format",
        "xlsx",
        "--output",
        xlsx.to_str().unwrap(),
    ]);
    assert!(
        said.starts_with("Đã ghi bảng điểm Thành phố Kon Tum"),
        "{said}"
    );
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    let csv = db.ok(&[
        "indicators",
        "--unit",
        "d:608",
        "--period",
        "2025-Q2",
        "--format",
        "csv",
    ]);
    assert!(
        csv.starts_with("\u{feff}Nhóm,Mã,Chỉ số,Tử số,Mẫu số,Giá trị"),
        "{csv}"
    );
    let line = csv.lines().find(|l| l.contains(",2.1,")).unwrap();
    assert!(
        line.contains(&format!(
            ",{},{},",
            on_time["numerator"], on_time["denominator"]
        )),
        "{line}"
    );

    // Ranking: communes by 2.1, in every format.
    let rank = db.json(&[
        "indicators",
        "rank",
        "--period",
        "2025-Q1",
        "--kind",
        "commune",
        "--format",
        "json",
    ]);
    let rows = rank["rows"].as_array().unwrap();
    assert!(rows.len() > 5, "{rank}");
    assert!(rows.iter().any(|r| r["row"]["rank"] == 1), "{rank}");
    let text = db.ok(&[
        "indicators",
        "rank",
        "--period",
        "2025-Q1",
        "--kind",
        "commune",
        "--indicator",
        "2.1",
    ]);
    assert!(
        text.starts_with("XẾP HẠNG các xã, phường, thị trấn theo chỉ số 2.1 – Quý I/2025"),
        "{text}"
    );
    let rank_xlsx = db.file(".rank.xlsx");
    db.ok(&[
        "indicators",
        "rank",
        "--period",
        "2025-Q1",
        "--kind",
        "commune",
        "--format",
        "xlsx",
        "--output",
        rank_xlsx.to_str().unwrap(),
    ]);
    assert!(std::fs::read(&rank_xlsx).unwrap().starts_with(b"PK"));

    // The register: every dossier of Kon Tum city received or open in June 2025.
    let reg_csv = db.file(".register.csv");
    let said = db.ok(&[
        "indicators",
        "register",
        "--unit",
        "d:608",
        "--period",
        "2025-06",
        "--output",
        reg_csv.to_str().unwrap(),
    ]);
    assert!(
        said.starts_with("Đã ghi sổ theo dõi hồ sơ Thành phố Kon Tum – Tháng 06/2025"),
        "{said}"
    );
    let text = std::fs::read_to_string(&reg_csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "\u{feff}STT,Mã hồ sơ,Thủ tục hành chính,Ngày nhận,Ngày hẹn trả,Ngày có kết quả,Ngày trả kết quả,Trạng thái,Đúng/trễ hạn"
    );
    let listed: Vec<&str> = lines.collect();
    let june = card("2025-06");
    let received = june["received"].as_i64().unwrap();
    assert!(
        listed.len() as i64 >= received && received > 0,
        "{} listed, {received} received",
        listed.len()
    );
    assert!(listed[0].starts_with("1,"), "{}", listed[0]);
    assert!(
        listed.iter().all(|l| l.contains("/2025")),
        "dates dd/mm/yyyy"
    );
    let reg_xlsx = db.file(".register.xlsx");
    db.ok(&[
        "indicators",
        "register",
        "--unit",
        "d:608",
        "--period",
        "2025-06",
        "--output",
        reg_xlsx.to_str().unwrap(),
    ]);
    assert!(std::fs::read(&reg_xlsx).unwrap().starts_with(b"PK"));
    db.refused(&[
        "indicators",
        "register",
        "--unit",
        "d:608",
        "--period",
        "2025-06",
        "--output",
        db.file(".register.txt").to_str().unwrap(),
    ]);
}
