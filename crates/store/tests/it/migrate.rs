//! `cchc migrate sqlite-to-postgres` at the store: every table of a SQLite store copied into
//! a fresh PostgreSQL database (values of every type, keys read across pages, sequences,
//! the foreign-key order), a target holding data refused and left as it was, a tampered
//! source chain reported. PostgreSQL only, but for the refusal of a wrong pair of databases;
//! skipped when `CCHC_TEST_PG_URL` is unset, like the rest of the PostgreSQL contract.

use crate::contract::create;
use cchc_store::Store;
use cchc_store::migrate::{MigrateError, copy_to_postgres, sqlite_to_postgres, verify_copy};
use sqlx::{PgPool, Row};
use std::sync::atomic::Ordering;

/// A fresh, migrated PostgreSQL store and a pool on the same database, if a server is
/// configured.
async fn fresh_pg() -> Option<(Store, PgPool)> {
    let Ok(admin) = std::env::var("CCHC_TEST_PG_URL") else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the store contract on PostgreSQL: set CCHC_TEST_PG_URL"
        );
        return None;
    };
    let n = crate::COUNTER.fetch_add(1, Ordering::SeqCst);
    let name = format!("cchc_m_{}_{n}", std::process::id());
    let admin_store = Store::connect_admin(&admin).await.unwrap();
    admin_store.create_database(&name).await.unwrap();
    admin_store.close().await;
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap();
    let url = format!("{base}/{name}");
    Some((
        Store::connect(&url).await.unwrap(),
        PgPool::connect(&url).await.unwrap(),
    ))
}

const CODES: [&str; 3] = [
    "000.00.20.H34-250303-0001",
    "000.00.20.H34-250303-0002",
    "000.00.20.H34-250303-0003",
];

/// Rows no use case writes this way, for what a copy must keep: a child unit read before its
/// parent, text with COPY's special characters, bytes, a double, 5,000 rows of a table keyed
/// by two columns (WITHOUT ROWID on SQLite: read by key over several pages), outbox ids with
/// a gap at the end (AUTOINCREMENT never gives id 3 again).
const ODD_ROWS: &str = r"
INSERT INTO units (id, kind, name, full_name, agency_code, valid_from, data)
VALUES ('u:child', 'commune', 'Con', 'Xã Con', 'C', '2025-01-01', '{}');
INSERT INTO units (id, kind, name, full_name, agency_code, valid_from, data)
VALUES ('u:parent', 'province', 'Mẹ', 'Tỉnh Mẹ', 'P', '2025-01-01', '{}');
UPDATE units SET parent_id = 'u:parent' WHERE id = 'u:child';
INSERT INTO indicator_entries (id, code, unit, period, value, note, evidence_name,
    evidence_type, evidence_sha256, evidence, entered_by, entered_at)
VALUES ('e1', '1.1', 'u:parent', '2025', 0.1,
    'a' || char(9) || 'b' || char(10) || 'c\d' || char(13) || ' — Đ', 'minh chứng.pdf',
    'application/pdf', 'abc', x'00ff5c0a09', 'admin', '2025-01-01T00:00:00');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
INSERT INTO finished_daily (unit, day, finished, late)
SELECT 'u:' || i, '2025-0' || (1 + i % 9) || '-01', i, i % 3 FROM n;
INSERT INTO outbox (idem_key, sink, dossier_code, seq, kind, payload, next_attempt_at, created_at)
VALUES ('k1', 'dvcqg', 'X', 1, 'received', '{}', 0, 0),
       ('k2', 'dvcqg', 'X', 2, 'received', '{}', 0, 0),
       ('k3', 'dvcqg', 'X', 3, 'received', '{}', 0, 0);
DELETE FROM outbox WHERE id = 3;
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_table_is_copied_with_its_values_keys_and_sequences() {
    let Some((pg, pool)) = fresh_pg().await else {
        return;
    };
    let src = crate::sqlite().await;
    for code in CODES {
        create(&src, code).await;
    }
    src.execute_raw_for_tests(ODD_ROWS).await.unwrap();

    let copy = copy_to_postgres(&src, &pg).await.unwrap();
    let check = verify_copy(&src, &pg).await.unwrap();
    assert!(check.ok, "{check:#?}");

    // Every table of the source is copied or, being on the source only, reported.
    let source_tables: Vec<&str> = check
        .tables
        .iter()
        .filter(|t| t.source_rows.is_some())
        .map(|t| t.table.as_str())
        .collect();
    let mut accounted: Vec<&str> = copy.tables.iter().map(|t| t.table.as_str()).collect();
    accounted.extend(
        copy.skipped
            .iter()
            .filter(|s| s.only_in == "source")
            .map(|s| s.table.as_str()),
    );
    accounted.sort_unstable();
    assert_eq!(accounted, source_tables);
    assert!(source_tables.len() >= 40, "{source_tables:?}");
    assert!(!source_tables.contains(&"schema_migrations"));
    // Parents before the tables pointing at them.
    let at = |t: &str| copy.tables.iter().position(|c| c.table == t).unwrap();
    for (parent, child) in [
        ("units", "accounts"),
        ("accounts", "api_tokens"),
        ("dossiers", "dossier_events"),
        ("dossiers", "dossier_facts"),
        ("dossiers", "attachments"),
        ("dossiers", "payments"),
        ("plans", "plan_tasks"),
        ("plan_tasks", "plan_progress"),
        ("par_cards", "par_items"),
        ("emulation_runs", "reward_decisions"),
        ("reward_decisions", "rewards"),
        ("pakn", "pakn_events"),
    ] {
        assert!(at(parent) < at(child), "{parent} before {child}");
    }
    let rows = |t: &str| copy.tables[at(t)].rows;
    assert_eq!(
        (
            rows("dossiers"),
            rows("dossier_events"),
            rows("finished_daily")
        ),
        (3, 3, 5000)
    );
    assert_eq!(
        copy.rows,
        check
            .tables
            .iter()
            .filter_map(|t| t.source_rows.filter(|_| t.target_rows.is_some()))
            .sum::<i64>() as u64
    );
    assert!(
        copy.sequences.contains(&"outbox.id = 3".to_owned()),
        "{copy:?}"
    );

    // The chains: heads equal on both sides, every event re-hashed on the target.
    assert_eq!(check.dossiers.source_items, 3);
    assert!(check.dossiers.heads_match);
    assert_eq!(check.dossiers.source_digest, check.dossiers.target_digest);
    assert_eq!(check.dossiers.target_events, 3);
    assert!(check.pakn.ok && check.pakn.source_items == 0);
    for code in CODES {
        assert_eq!(
            pg.events(code).await.unwrap(),
            src.events(code).await.unwrap()
        );
    }

    // Values of every type, as they were.
    let e = sqlx::query("SELECT value, note, evidence, evidence_name FROM indicator_entries")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(e.get::<f64, _>("value"), 0.1);
    assert_eq!(e.get::<String, _>("note"), "a\tb\nc\\d\r — Đ");
    assert_eq!(
        e.get::<Vec<u8>, _>("evidence"),
        [0x00, 0xff, 0x5c, 0x0a, 0x09]
    );
    assert_eq!(e.get::<String, _>("evidence_name"), "minh chứng.pdf");
    let parent: Option<String> =
        sqlx::query_scalar("SELECT parent_id FROM units WHERE id = 'u:child'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(parent.as_deref(), Some("u:parent"));
    let late: i64 = sqlx::query_scalar("SELECT SUM(late)::bigint FROM finished_daily")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(late, (1..=5000).map(|i| i % 3).sum::<i64>());
    // The next outbox message gets an id never given out on the source.
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO outbox (idem_key, sink, dossier_code, seq, kind, payload, \
         next_attempt_at, created_at) VALUES ('k4', 'dvcqg', 'X', 4, 'received', '{}', 0, 0) \
         RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(id, 4);
    // The copy goes through the store's own writes afterwards.
    create(&pg, "000.00.20.H34-250303-0004").await;
    assert!(pg.audit_verify().await.unwrap().broken.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_holding_data_is_refused_and_left_as_it_was() {
    let Some((pg, pool)) = fresh_pg().await else {
        return;
    };
    let src = crate::sqlite().await;
    create(&src, CODES[0]).await;
    pg.execute_raw_for_tests(
        "INSERT INTO units (id, kind, name, full_name, agency_code, valid_from, data) \
         VALUES ('u:old', 'commune', 'Cũ', 'Xã Cũ', 'O', '2025-01-01', '{}')",
    )
    .await
    .unwrap();

    let err = sqlite_to_postgres(&src, &pg, false).await.unwrap_err();
    assert!(
        matches!(&err, MigrateError::TargetNotEmpty(t) if t == "units"),
        "{err:?}"
    );
    assert!(err.to_string().contains("không ghi gì"), "{err}");
    let units: Vec<String> = sqlx::query_scalar("SELECT id FROM units")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(units, ["u:old"]);
    let dossiers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dossiers")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(dossiers, 0);
    // Checking alone says what differs.
    let check = verify_copy(&src, &pg).await.unwrap();
    assert!(!check.ok);
    let bad: Vec<&str> = check
        .tables
        .iter()
        .filter(|t| !t.ok)
        .map(|t| t.table.as_str())
        .collect();
    assert!(
        bad.contains(&"dossiers") && bad.contains(&"units"),
        "{bad:?}"
    );
    assert!(!check.dossiers.heads_match);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chain_tampered_with_in_the_source_is_reported() {
    let Some((pg, _pool)) = fresh_pg().await else {
        return;
    };
    let src = crate::sqlite().await;
    for code in CODES {
        create(&src, code).await;
    }
    let edited = src
        .execute_raw_for_tests(&format!(
            "UPDATE dossier_events SET canonical = replace(canonical, 'Trần Thị Bình', \
             'Trần Thị Bính') WHERE dossier_code = '{}'",
            CODES[1]
        ))
        .await
        .unwrap();
    assert_eq!(edited, 1);

    let report = sqlite_to_postgres(&src, &pg, false).await.unwrap();
    assert!(!report.ok);
    let d = &report.check.dossiers;
    assert!(report.check.tables.iter().all(|t| t.ok));
    // The heads agree (the hash column was left alone); re-hashing finds the edit.
    assert!(d.heads_match);
    assert_eq!(d.broken.len(), 1, "{d:?}");
    assert!(d.broken[0].contains(CODES[1]), "{}", d.broken[0]);
    assert_eq!(d.broken_in_source.as_ref(), Some(&d.broken));
    assert!(!d.ok && report.check.pakn.ok);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_sqlite_to_postgres() {
    let a = crate::sqlite().await;
    let b = crate::sqlite().await;
    let err = sqlite_to_postgres(&a, &b, true).await.unwrap_err();
    assert!(matches!(err, MigrateError::Backends), "{err:?}");
}
