//! `cchc migrate sqlite-to-postgres` as an operator runs it: a small database made by the
//! binary itself (`cchc bench core`) copied into a fresh PostgreSQL database and checked (text
//! and JSON, `--verify-only`), a second copy into the same target refused, a source edited by
//! hand copied into another target whose check fails with exit 1 and the report on stdout;
//! bad arguments are one Vietnamese line and exit 2. The copies need `CCHC_TEST_PG_URL` and
//! are skipped without it.

use cchc_store::Store;
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

/// A SQLite file in the temporary directory, removed at the end.
struct Db(PathBuf);

impl Db {
    fn new(name: &str) -> Self {
        let db = Self(
            std::env::temp_dir().join(format!("cchc-cli-migrate-{}-{name}.db", std::process::id())),
        );
        db.remove();
        db
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.0.display())
    }

    fn remove(&self) {
        for s in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{s}", self.0.display()));
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        self.remove();
    }
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cchc"))
        .args(args)
        .env_remove("CCHC_DATA_DIR")
        .env_remove("CCHC_DATABASE_URL")
        .env_remove("CCHC_REPLICA_URL")
        .output()
        .expect("the cchc binary runs")
}

fn migrate(from: &str, to: &str, extra: &[&str]) -> Output {
    let mut args = vec!["migrate", "sqlite-to-postgres", "--from", from, "--to", to];
    args.extend_from_slice(extra);
    run(&args)
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// The URL of a fresh, empty PostgreSQL database, if a server is configured.
async fn fresh_pg_url() -> Option<String> {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let admin = std::env::var("CCHC_TEST_PG_URL").ok()?;
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let name = format!("cchc_cm_{}_{n}", std::process::id());
    let admin_store = Store::connect_admin(&admin).await.unwrap();
    admin_store.create_database(&name).await.unwrap();
    admin_store.close().await;
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap();
    Some(format!("{base}/{name}"))
}

#[test]
fn bad_arguments_are_one_line_and_exit_2() {
    let db = Db::new("args");
    std::fs::write(&db.0, b"").unwrap();
    let pg = "postgres://cchc:bi-mat@127.0.0.1:5432/khong_co";
    let missing = std::env::temp_dir().join("cchc-khong-co-tep-nay.db");
    let err = crate::fails(&[
        "migrate",
        "sqlite-to-postgres",
        "--from",
        &format!("sqlite://{}", missing.display()),
        "--to",
        pg,
    ]);
    assert!(err.contains("không tìm thấy tệp"), "{err}");
    let err = crate::fails(&[
        "migrate",
        "sqlite-to-postgres",
        "--from",
        "cchc.db",
        "--to",
        pg,
    ]);
    assert!(err.contains("sqlite://"), "{err}");
    let err = crate::fails(&[
        "migrate",
        "sqlite-to-postgres",
        "--from",
        &db.url(),
        "--to",
        "mysql://cchc:bi-mat@127.0.0.1/x",
    ]);
    assert!(err.contains("đích phải là postgres"), "{err}");
    assert!(!err.contains("bi-mat"), "no password in messages: {err}");
    let err = crate::fails(&["migrate", "sqlite-to-postgres", "--from", &db.url()]);
    assert!(err.contains("--to"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_database_is_copied_checked_and_a_tampered_one_fails() {
    let Some(target) = fresh_pg_url().await else {
        return;
    };
    let db = Db::new("small");
    let made = run(&[
        "--database-url",
        &db.url(),
        "bench",
        "core",
        "--stored",
        "40",
        "--lifecycle",
        "4",
        "--lookups",
        "5",
        "--data",
        DATA,
    ]);
    assert!(made.status.success(), "{}", stderr(&made));

    // The copy, in Vietnamese.
    let out = migrate(&db.url(), &target, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let last = text.lines().last().unwrap();
    assert!(
        last.starts_with("Đã chép ") && last.ends_with(": khớp"),
        "{text}"
    );
    assert!(text.contains("✓ dossiers: 40 → 40"), "{text}");
    assert!(!text.contains('✗'), "{text}");

    // Checked again alone, as JSON; the check leaves the source's database file as it was.
    let before = std::fs::read(&db.0).unwrap();
    let out = migrate(&db.url(), &target, &["--verify-only", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        before == std::fs::read(&db.0).unwrap(),
        "--verify-only changed the source"
    );
    // A source at an older schema is checked as it is (and fails), not migrated first.
    let old = Db::new("old-schema");
    Store::connect_migrated_to(&old.url(), 1)
        .await
        .unwrap()
        .close()
        .await;
    let old_bytes = std::fs::read(&old.0).unwrap();
    let old_out = migrate(&old.url(), &target, &["--verify-only"]);
    assert_eq!(old_out.status.code(), Some(1), "{}", stderr(&old_out));
    assert!(
        old_bytes == std::fs::read(&old.0).unwrap(),
        "--verify-only migrated the source"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], true);
    assert!(report["copy"].is_null());
    assert_eq!(report["check"]["dossiers"]["source_items"], 40);
    assert_eq!(report["check"]["dossiers"]["heads_match"], true);
    assert!(
        report["check"]["dossiers"]["target_events"]
            .as_u64()
            .unwrap()
            >= 40
    );

    // A second copy into the same database is refused, and changes nothing.
    let out = migrate(&db.url(), &target, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.starts_with("lỗi: ") && err.contains("đã có dữ liệu"),
        "{err}"
    );
    let out = migrate(&db.url(), &target, &["--verify-only"]);
    assert!(out.status.success(), "{}", stderr(&out));

    // One event's canonical text edited in the source: the copy's check fails.
    let store = Store::connect(&db.url()).await.unwrap();
    let first = store
        .dossier_states_after(None, None, None, 1)
        .await
        .unwrap()
        .remove(0)
        .code;
    assert_eq!(store.tamper_event_for_tests(&first, 1).await.unwrap(), 1);
    store.close().await;
    let Some(second) = fresh_pg_url().await else {
        return;
    };
    let out = migrate(&db.url(), &second, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("1 chuỗi bị phá vỡ"), "{text}");
    assert!(text.contains("đã hỏng sẵn ở nguồn"), "{text}");
    assert!(
        text.trim_end().ends_with("KHÔNG khớp (chuỗi sự kiện)"),
        "{text}"
    );
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.starts_with("lỗi: "), "{err}");
}
