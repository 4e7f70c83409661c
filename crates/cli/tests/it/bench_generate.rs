//! `cchc bench generate` run as a user runs it: thousands of real histories into SQLite (and
//! PostgreSQL when configured) that the audit verifies, shares near the published figures,
//! rollups equal to the facts, the same data from the same seed, and refusals that write
//! nothing.

use cchc_app::App;
use cchc_domain::calendar::Calendar;
use cchc_domain::indicator::{Measures, Period, measures_from_facts};
use cchc_store::Store;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

/// The workspace root: from there the default `../shared/data` is the reference data.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// A fresh SQLite file (and an export directory beside it), removed at the end.
struct Db {
    path: PathBuf,
}

impl Db {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "cchc-cli-generate-{}-{name}.db",
            std::process::id()
        ));
        let db = Self { path };
        db.remove();
        db
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.path.display())
    }

    fn export_dir(&self) -> PathBuf {
        PathBuf::from(format!("{}.export", self.path.display()))
    }

    fn exists(&self) -> bool {
        ["", "-wal", "-shm"]
            .iter()
            .any(|s| Path::new(&format!("{}{s}", self.path.display())).exists())
    }

    fn remove(&self) {
        for s in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{s}", self.path.display()));
        }
        let _ = std::fs::remove_dir_all(self.export_dir());
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        self.remove();
    }
}

fn run(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cchc"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .current_dir(ROOT)
        .env_remove("CCHC_DATA_DIR")
        .env_remove("CCHC_DATABASE_URL")
        .output()
        .expect("the cchc binary runs")
}

fn ok(url: &str, args: &[&str]) -> String {
    let out = run(url, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Generates `n` dossiers over 2024-2025 with a seed; returns the JSON report.
fn generate(url: &str, n: usize, seed: u64, export: Option<&Path>) -> Value {
    let (n, seed) = (n.to_string(), seed.to_string());
    let mut args = vec![
        "bench",
        "generate",
        "--dossiers",
        &n,
        "--seed",
        &seed,
        "--years",
        "2024-2025",
        "--batch",
        "700",
        "--format",
        "json",
    ];
    let dir;
    if let Some(d) = export {
        dir = d.display().to_string();
        args.extend(["--export", &dir]);
    }
    serde_json::from_str(&ok(url, &args)).unwrap()
}

fn share<'a>(report: &'a Value, key: &str) -> &'a Value {
    report["shares"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == key)
        .unwrap_or_else(|| panic!("share {key} in {report}"))
}

/// Asserts a share is within `tolerance` (absolute) of the published one.
fn near(report: &Value, key: &str, tolerance: f64) {
    let s = share(report, key);
    let (ours, published) = (
        s["ours"].as_f64().unwrap(),
        s["published"].as_f64().unwrap(),
    );
    assert!(
        (ours - published).abs() <= tolerance,
        "{key}: {ours:.4} against published {published:.4} (±{tolerance})"
    );
}

/// SHA-256 of every dossier's code, last event hash and stored state, in code order (sorted
/// here: PostgreSQL may collate codes otherwise than SQLite).
async fn digest(store: &Store) -> String {
    let mut rows = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .dossier_states_after(after.as_deref(), None, None, 1000)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.code.clone());
        rows.extend(
            page.into_iter()
                .map(|r| (r.code, r.last_event_hash, r.state)),
        );
    }
    rows.sort();
    let mut h = Sha256::new();
    for (code, hash, state) in &rows {
        for part in [code, hash, state] {
            h.update(part.as_bytes());
            h.update(b"\n");
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// For each period, every unit's measures from the rollups equal those computed from its
/// stored facts one by one.
async fn rollups_equal_facts(store: &Store) {
    let app = App::new(store.clone(), Arc::new(Calendar::embedded().unwrap()))
        .await
        .unwrap();
    let periods = [
        Period::year(2025).unwrap(),
        Period::quarter(2024, 1).unwrap(),
        Period::quarter(2025, 4).unwrap(),
        Period::custom(
            jiff::civil::date(2024, 3, 15),
            jiff::civil::date(2025, 8, 10),
        )
        .unwrap(),
    ];
    let units = store.fact_units().await.unwrap();
    assert!(units.len() > 20, "{} units", units.len());
    for p in &periods {
        let stored = app.measures_by_unit(p).await.unwrap();
        let mut total = Measures::default();
        for unit in &units {
            let facts = store.facts_of_unit(unit).await.unwrap();
            let ours = measures_from_facts(&facts, p);
            let got = stored.get(unit).copied().unwrap_or_default();
            assert_eq!(got, ours, "{unit} over {p}");
            total += ours;
        }
        assert!(!total.is_zero(), "{p} has dossiers");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_histories_verify_match_the_published_shares_and_repeat_exactly() {
    let (a, b) = (Db::new("a"), Db::new("b"));
    let n = 4000;
    let ra = generate(&a.url(), n, 7, Some(&a.export_dir()));
    let rb = generate(&b.url(), n, 7, Some(&b.export_dir()));

    // The report.
    assert_eq!(ra["dossiers"], n);
    assert_eq!(ra["rows"]["dossiers"], n);
    assert_eq!(ra["rows"]["dossier_facts"], n);
    assert_eq!(ra["rows"]["dossier_events"], ra["events"]);
    assert!(ra["events"].as_u64().unwrap() > 4 * n as u64, "{ra}");
    assert!(ra["rows"]["dossier_handlers"].as_i64().unwrap() >= n as i64 * 9 / 10);
    assert!(ra["rows"]["dossier_code_seq"].as_i64().unwrap() > 1000);
    assert!(ra["rows"]["finished_daily"].as_i64().unwrap() > 1000);
    assert!(ra["rows"]["ind_daily"].as_i64().unwrap() > 1000);
    assert_eq!(ra["rollups_match_facts"], true, "{ra}");
    assert!(ra["units"].as_u64().unwrap() > 100, "{}", ra["units"]);
    assert!(ra["procedures"].as_u64().unwrap() > 300);
    assert!(ra["handovers"].as_u64().unwrap() > 0, "open on 01/07/2025");
    assert_eq!(
        ra["received_first"].as_str().unwrap().get(..4),
        Some("2024")
    );
    assert_eq!(
        ra["received_last"].as_str().unwrap().get(..7),
        Some("2025-12")
    );
    for key in ["generate", "insert", "rollup_rebuild", "total"] {
        assert!(ra["seconds"][key].as_f64().unwrap() > 0.0, "{key}");
    }
    assert!(ra["database_bytes"].as_i64().unwrap() > 0);

    // Calibrated to the published figures (read from the CSV).
    assert!((share(&ra, "online")["published"].as_f64().unwrap() - 15110.0 / 64933.0).abs() < 1e-9);
    near(&ra, "online", 0.03);
    near(&ra, "digitised", 0.03);
    near(&ra, "paid_online", 0.02);
    near(&ra, "late_of_resolved", 0.01);
    near(&ra, "satisfied_of_rated", 0.06);
    near(&ra, "pending", 0.06);
    // Open dossiers only near the end: most were finished and returned.
    let status = |code: &str| ra["by_status"][code].as_u64().unwrap_or(0);
    assert!(status("10") > n as u64 * 8 / 10, "{}", ra["by_status"]);
    assert!(status("3") > 0 && status("7") > 0, "{}", ra["by_status"]);

    // The audit walks every chain.
    let audit = ok(&a.url(), &["audit", "verify"]);
    assert!(audit.contains(&format!("{n} hồ sơ")), "{audit}");
    assert!(audit.contains("nguyên vẹn"), "{audit}");

    // The same seed gives the same data, byte for byte.
    let (sa, sb) = (
        Store::connect(&a.url()).await.unwrap(),
        Store::connect(&b.url()).await.unwrap(),
    );
    assert_eq!(digest(&sa).await, digest(&sb).await);
    assert_eq!(ra["rows"], rb["rows"]);
    assert_eq!(ra["shares"], rb["shares"]);
    for file in ["dossiers.csv", "events.csv", "facts.csv"] {
        let (x, y) = (
            std::fs::read(a.export_dir().join(file)).unwrap(),
            std::fs::read(b.export_dir().join(file)).unwrap(),
        );
        assert!(x == y, "{file} differs between two runs");
    }

    // One event edited in the last dossier, past the first thousand (the audit reads the
    // chains a thousand dossiers at a time): the audit names it and fails.
    let last: String = sb
        .dossier_states_after(None, None, None, n as i64)
        .await
        .unwrap()
        .last()
        .map(|d| d.code.clone())
        .unwrap();
    assert_eq!(sb.tamper_event_for_tests(&last, 1).await.unwrap(), 1);
    let out = run(&b.url(), &["audit", "verify"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains(&format!("{n} hồ sơ")), "{text}");
    assert!(text.contains("Phát hiện 1 hồ sơ"), "{text}");
    assert!(text.contains(&format!("hồ sơ {last}, sự kiện 1")), "{text}");

    // The export holds the inserted rows: a header, then one line per row.
    let lines = |file: &str| {
        std::fs::read_to_string(a.export_dir().join(file))
            .unwrap()
            .lines()
            .count()
    };
    assert_eq!(lines("dossiers.csv"), n + 1);
    assert_eq!(lines("facts.csv"), n + 1);
    assert_eq!(
        lines("events.csv") as u64,
        ra["events"].as_u64().unwrap() + 1
    );
    let facts = std::fs::read_to_string(a.export_dir().join("facts.csv")).unwrap();
    assert!(facts.starts_with("code,unit,procedure_code,received_day,end_kind,"));
    let mut events = csv::Reader::from_path(a.export_dir().join("events.csv")).unwrap();
    assert_eq!(
        events.headers().unwrap().iter().collect::<Vec<_>>(),
        Store::HISTORY_TABLES[1].1.to_vec()
    );
    let first = events.records().next().unwrap().unwrap();
    assert_eq!(first.get(1), Some("1"));
    assert!(
        first.get(6).unwrap().starts_with('{'),
        "canonical JSON, quoted"
    );

    // Indicators from the rollups equal those from the facts.
    rollups_equal_facts(&sa).await;

    // A dossier created later on a generated day takes the next number.
    let page = sa.dossier_states_after(None, None, None, 1).await.unwrap();
    let code = &page[0].code;
    let mut parts = code.rsplitn(3, '-');
    let (_, day, agency) = (parts.next(), parts.next().unwrap(), parts.next().unwrap());
    let prefix = format!("{agency}-{day}-");
    let mut highest = 0u32;
    let mut after: Option<String> = None;
    loop {
        let page = sa
            .dossier_states_after(after.as_deref(), None, None, 1000)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.code.clone());
        for r in page.iter().filter(|r| r.code.starts_with(&prefix)) {
            highest = highest.max(r.code[prefix.len()..].parse().unwrap());
        }
    }
    assert!(highest >= 1);
    assert_eq!(sa.next_dossier_seq(agency, day).await.unwrap(), highest + 1);

    // Another seed gives other data.
    let c = Db::new("c");
    let facts_only = c.export_dir().display().to_string();
    ok(
        &c.url(),
        &[
            "bench",
            "generate",
            "--dossiers",
            "500",
            "--seed",
            "8",
            "--years",
            "2024-2025",
            "--export",
            &facts_only,
            "--export-facts-only",
        ],
    );
    // Only the facts were exported: a header and a line per dossier.
    let facts = std::fs::read_to_string(c.export_dir().join("facts.csv")).unwrap();
    assert_eq!(facts.lines().count(), 501);
    assert!(!c.export_dir().join("events.csv").exists());
    assert!(!c.export_dir().join("dossiers.csv").exists());
    let sc = Store::connect(&c.url()).await.unwrap();
    assert_ne!(digest(&sc).await, digest(&sa).await);
}

#[test]
fn bad_input_is_refused_in_vietnamese_and_writes_nothing() {
    let db = Db::new("bad");
    for (args, expected) in [
        (vec!["--dossiers", "0"], "--dossiers phải lớn hơn 0"),
        (
            vec!["--dossiers", "100", "--units", "w:99999999"],
            "không có đơn vị 'w:99999999'",
        ),
        (
            vec!["--dossiers", "100", "--years", "2025-2024"],
            "năm đầu sau năm cuối",
        ),
        (
            vec!["--dossiers", "100", "--years", "1990-1991"],
            "khoảng năm 1990-1991 không hợp lệ",
        ),
        (
            vec!["--dossiers", "100", "--years", "2024-2099"],
            "không hợp lệ",
        ),
        (
            vec![
                "--dossiers",
                "100",
                "--from",
                "2025-03-01",
                "--to",
                "2025-02-01",
            ],
            "ngày đầu 2025-03-01 sau ngày cuối 2025-02-01",
        ),
        (
            vec![
                "--dossiers",
                "100",
                "--from",
                "2025-02-30",
                "--to",
                "2025-03-01",
            ],
            "ngày đầu '2025-02-30' không hợp lệ",
        ),
        (
            vec!["--dossiers", "100", "--export-facts-only"],
            "thiếu đối số bắt buộc: --export <DIR>",
        ),
    ] {
        let mut all = vec!["bench", "generate"];
        all.extend(args.iter().copied());
        let out = run(&db.url(), &all);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{all:?} exits 2: {err}");
        assert!(out.stdout.is_empty(), "nothing on stdout for {all:?}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(
            err.starts_with("lỗi: ") && err.contains(expected),
            "{all:?}: {err}"
        );
        assert!(!db.exists(), "{all:?} created the database");
    }
}

/// On PostgreSQL too, when a server is configured (a fresh database).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generates_on_postgres_when_configured() {
    let Ok(admin) = std::env::var("CCHC_TEST_PG_URL") else {
        return;
    };
    let name = format!("cchc_gen_{}", std::process::id());
    Store::connect_admin(&admin)
        .await
        .unwrap()
        .create_database(&name)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap();
    let url = format!("{base}/{name}");
    pg_generate_checks(&url).await;
    Store::connect_admin(&admin)
        .await
        .unwrap()
        .execute_raw_for_tests(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .unwrap();
}

async fn pg_generate_checks(url: &str) {
    let n = 2000;
    let report = generate(url, n, 11, None);
    assert_eq!(report["backend"], "postgres");
    assert_eq!(report["rows"]["dossiers"], n);
    assert_eq!(report["rollups_match_facts"], true, "{report}");
    let audit = ok(url, &["audit", "verify"]);
    assert!(audit.contains(&format!("{n} hồ sơ")), "{audit}");
    let store = Store::connect(url).await.unwrap();
    rollups_equal_facts(&store).await;
    // The same rows as on SQLite.
    let db = Db::new("pg-twin");
    let twin = generate(&db.url(), n, 11, None);
    assert_eq!(report["rows"], twin["rows"]);
    let sqlite = Store::connect(&db.url()).await.unwrap();
    assert_eq!(digest(&store).await, digest(&sqlite).await);
    store.close().await;
}
