//! PostgreSQL for the country: monthly partitions of dossiers and events (migration 0009,
//! from an empty database and from one at version 8 holding rows), partition upkeep, and the
//! read replica. PostgreSQL only, except the refusal of a replica on SQLite; skipped when
//! `CCHC_TEST_PG_URL` is unset, like the rest of the PostgreSQL contract.

use crate::contract::{at, body, facts};
use cchc_domain::dossier::{
    Applicant, ApplicantKind, Channel, Dossier, Event, EventKind, GENESIS_HASH,
};
use cchc_domain::indicator::{Measure, Measures, RollupDelta};
use cchc_store::{
    NewAttachment, PaymentRow, ProcedureFilter, ProcedureRow, Projected, Store, StoreError,
};
use sqlx::PgPool;
use std::sync::atomic::Ordering;

/// The URL of a fresh, empty PostgreSQL database, if a server is configured.
async fn fresh_pg_url() -> Option<String> {
    let Ok(admin) = std::env::var("CCHC_TEST_PG_URL") else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the store contract on PostgreSQL: set CCHC_TEST_PG_URL"
        );
        return None;
    };
    let n = crate::COUNTER.fetch_add(1, Ordering::SeqCst);
    let name = format!("cchc_p_{}_{n}", std::process::id());
    let admin_store = Store::connect_admin(&admin).await.unwrap();
    admin_store.create_database(&name).await.unwrap();
    admin_store.close().await;
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap();
    Some(format!("{base}/{name}"))
}

fn day(s: &str) -> jiff::civil::Date {
    s.parse().unwrap()
}

/// A dossier received at the counter at `when`.
fn received(code: &str, when: &str) -> Event {
    let kind = EventKind::Received {
        procedure_code: "1.001193".into(),
        channel: Channel::Counter,
        applicant: Applicant {
            kind: ApplicantKind::Citizen,
            name: "Nguyễn Văn An".into(),
            id_number: "062190000001".into(),
            phone: "0912345678".into(),
            email: String::new(),
            address: String::new(),
        },
        components: vec![],
        receiving_unit: "u:1".into(),
        competent_unit: "u:1".into(),
        limit: "5 working-days".into(),
        after_15h_next_day: false,
    };
    Event::seal(body(code, 1, when, kind), GENESIS_HASH).unwrap()
}

fn with_facts(code: &str) -> Projected {
    Projected {
        facts: Some(facts(code, None, 0)),
        ..Default::default()
    }
}

/// Stores a new dossier received at `when` (with its facts, and a file when `file`).
async fn create(store: &Store, code: &str, when: &str, file: bool) -> Result<Dossier, StoreError> {
    let e = received(code, when);
    let d = Dossier::start(&e).unwrap();
    let files = if file {
        vec![NewAttachment {
            id: format!("f-{code}"),
            component: "Tờ khai".into(),
            file_name: "to-khai.pdf".into(),
            content_type: "application/pdf".into(),
            sha256: "00".repeat(32),
            content: b"%PDF-1.4 to khai".to_vec(),
        }]
    } else {
        Vec::new()
    };
    store
        .insert_dossier(&d, &e, "secret-hash", None, &with_facts(code), &files)
        .await?;
    Ok(d)
}

/// Appends an assignment at `when`, the way the app does.
async fn assign(store: &Store, d: &mut Dossier, when: &str) -> Result<(), StoreError> {
    let kind = EventKind::Assigned {
        officer: "a2".into(),
    };
    let e = Event::seal(body(&d.code, d.version + 1, when, kind), &d.last_hash).unwrap();
    let mut next = d.clone();
    next.apply(&e).unwrap();
    store
        .append_event(&next, &e, d.version, &Default::default(), &[])
        .await?;
    *d = next;
    Ok(())
}

/// The partition holding a dossier's row.
async fn dossier_partition(pg: &PgPool, code: &str) -> String {
    sqlx::query_scalar("SELECT tableoid::regclass::text FROM dossiers WHERE code = $1")
        .bind(code)
        .fetch_one(pg)
        .await
        .unwrap()
}

/// The partitions holding a dossier's events, by seq.
async fn event_partitions(pg: &PgPool, code: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT tableoid::regclass::text FROM dossier_events WHERE dossier_code = $1 ORDER BY seq",
    )
    .bind(code)
    .fetch_all(pg)
    .await
    .unwrap()
}

async fn scalar(pg: &PgPool, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pg).await.unwrap()
}

/// Tables whose foreign keys point at `target`, sorted.
async fn referencing(pg: &PgPool, target: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint \
         WHERE contype = 'f' AND confrelid = to_regclass($1) AND conparentid = 0 ORDER BY 1",
    )
    .bind(target)
    .fetch_all(pg)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partitions_from_an_empty_database() {
    let Some(url) = fresh_pg_url().await else {
        return;
    };
    let store = Store::connect(&url).await.unwrap();
    let pg = PgPool::connect(&url).await.unwrap();

    // Both tables are partitioned by range, each with a DEFAULT partition.
    let partitioned: Vec<(String, String)> = sqlx::query_as(
        "SELECT partrelid::regclass::text, partstrat::text FROM pg_partitioned_table ORDER BY 1",
    )
    .fetch_all(&pg)
    .await
    .unwrap();
    assert_eq!(
        partitioned,
        vec![
            ("dossier_events".to_owned(), "r".to_owned()),
            ("dossiers".to_owned(), "r".to_owned())
        ]
    );
    // The server's months are there (today's month ± a few): months around today only.
    let months = scalar(
        &pg,
        "SELECT COUNT(*) FROM pg_inherits WHERE inhparent = 'dossiers'::regclass",
    )
    .await;
    // (the month before today's to three ahead, and DEFAULT)
    assert!((6..=7).contains(&months), "{months} partitions");

    // The upkeep function creates a quarter's months once.
    assert_eq!(
        store
            .ensure_partitions(day("2024-01-15"), day("2024-03-01"))
            .await
            .unwrap(),
        6
    );
    assert_eq!(
        store
            .ensure_partitions(day("2024-01-01"), day("2024-03-31"))
            .await
            .unwrap(),
        0
    );

    // A dossier lands in its month; its events in theirs.
    let mut d = create(
        &store,
        "000.00.20.H34-240210-0001",
        "2024-02-10T08:00",
        true,
    )
    .await
    .unwrap();
    assign(&store, &mut d, "2024-03-01T09:00").await.unwrap();
    assert_eq!(dossier_partition(&pg, &d.code).await, "dossiers_p2024_02");
    assert_eq!(
        event_partitions(&pg, &d.code).await,
        ["dossier_events_p2024_02", "dossier_events_p2024_03"]
    );
    let (back, _) = store.dossier(&d.code).await.unwrap().unwrap();
    assert_eq!(back, d);

    // Far outside every month: DEFAULT, and still read and appended to, even across months.
    let mut old = create(
        &store,
        "000.00.20.H34-900105-0001",
        "1990-01-05T08:00",
        true,
    )
    .await
    .unwrap();
    assert_eq!(dossier_partition(&pg, &old.code).await, "dossiers_default");
    assign(&store, &mut old, "1990-01-06T09:00").await.unwrap();
    let mut stale = old.clone();
    assign(&store, &mut old, "2024-03-02T09:00").await.unwrap();
    assert_eq!(
        event_partitions(&pg, &old.code).await,
        [
            "dossier_events_default",
            "dossier_events_default",
            "dossier_events_p2024_03"
        ]
    );
    assert_eq!(store.dossier(&old.code).await.unwrap().unwrap().0, old);
    assert_eq!(store.attachments(&old.code).await.unwrap().len(), 1);

    // A stale writer still loses, and a code is still unique across months.
    assert!(matches!(
        assign(&store, &mut stale, "2024-03-03T09:00").await,
        Err(StoreError::Conflict(_))
    ));
    for when in ["2024-02-10T08:00", "2024-03-05T08:00", "1990-02-01T08:00"] {
        let err = create(&store, &d.code, when, false).await.unwrap_err();
        assert!(matches!(err, StoreError::Duplicate(_)), "{when}: {err}");
    }

    // Preparing the old month moves its rows out of DEFAULT, chains intact.
    assert_eq!(
        store
            .ensure_partitions(day("1990-01-01"), day("1990-01-31"))
            .await
            .unwrap(),
        2
    );
    assert_eq!(dossier_partition(&pg, &old.code).await, "dossiers_p1990_01");
    assert_eq!(
        event_partitions(&pg, &old.code).await,
        [
            "dossier_events_p1990_01",
            "dossier_events_p1990_01",
            "dossier_events_p2024_03"
        ]
    );
    assert_eq!(
        scalar(&pg, "SELECT COUNT(*) FROM dossiers_default").await
            + scalar(&pg, "SELECT COUNT(*) FROM dossier_events_default").await,
        0
    );
    assign(&store, &mut old, "2024-03-04T09:00").await.unwrap();
    assert_eq!(store.dossier(&old.code).await.unwrap().unwrap().0, old);
    let report = store.audit_verify().await.unwrap();
    assert_eq!((report.dossiers, report.events), (2, 6));
    assert!(report.broken.is_empty(), "{:?}", report.broken);

    // Listing by period reads the right months.
    let (total, rows) = store
        .list_dossiers(&cchc_store::DossierFilter {
            from: Some("2024-02-01T00:00:00".into()),
            to: Some("2024-03-01T00:00:00".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        (
            total,
            rows.iter().map(|r| r.code.as_str()).collect::<Vec<_>>()
        ),
        (1, vec![d.code.as_str()])
    );

    // Connecting again changes nothing.
    store.close().await;
    let again = Store::connect(&url).await.unwrap();
    assert_eq!(again.dossier(&d.code).await.unwrap().unwrap().0, d);
    again.close().await;
    pg.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partitions_migration_keeps_the_rows_of_version_8() {
    let Some(url) = fresh_pg_url().await else {
        return;
    };
    // Version 8: the unpartitioned tables, holding dossiers over several months.
    let v8 = Store::connect_migrated_to(&url, 8).await.unwrap();
    let mut dossiers = Vec::new();
    for (i, when) in [
        "2024-11-28T08:00",
        "2024-12-02T10:00",
        "2025-01-15T14:00",
        "2025-01-31T16:59",
    ]
    .iter()
    .enumerate()
    {
        let code = format!("000.00.20.H34-2501{i:02}-0001");
        let mut d = create(&v8, &code, when, true).await.unwrap();
        // The next event a few days later, often in the next month.
        let next = at(when)
            .checked_add(jiff::Span::new().days(4))
            .unwrap()
            .strftime("%Y-%m-%dT%H:%M")
            .to_string();
        assign(&v8, &mut d, &next).await.unwrap();
        v8.insert_payment(&PaymentRow {
            id: format!("pay-{i}"),
            dossier_code: code.clone(),
            amount: 50_000,
            gateway: "sandbox".into(),
            status: "pending".into(),
            created_by: "citizen-1".into(),
            created_at: next.clone(),
            completed_at: None,
            gateway_ref: None,
        })
        .await
        .unwrap();
        dossiers.push(d);
    }
    let before = v8.audit_verify().await.unwrap();
    assert_eq!((before.dossiers, before.events), (4, 8));
    let facts_before = v8.facts_page("", 100).await.unwrap();
    v8.close().await;

    // Version 9 on top.
    let store = Store::connect(&url).await.unwrap();
    let pg = PgPool::connect(&url).await.unwrap();
    let after = store.audit_verify().await.unwrap();
    assert_eq!(after, before);
    assert!(after.broken.is_empty(), "{:?}", after.broken);
    for d in &dossiers {
        let (back, meta) = store.dossier(&d.code).await.unwrap().unwrap();
        assert_eq!(&back, d);
        assert_eq!(meta.secret_hash, "secret-hash");
        assert_eq!(store.attachments(&d.code).await.unwrap().len(), 1);
        assert_eq!(store.payments_of(&d.code).await.unwrap().len(), 1);
    }
    assert_eq!(store.facts_page("", 100).await.unwrap(), facts_before);
    // Each row in its month (the months holding data got partitions), none in DEFAULT.
    assert_eq!(
        dossier_partition(&pg, &dossiers[0].code).await,
        "dossiers_p2024_11"
    );
    assert_eq!(
        event_partitions(&pg, &dossiers[3].code).await,
        ["dossier_events_p2025_01", "dossier_events_p2025_02"]
    );
    assert_eq!(
        scalar(&pg, "SELECT COUNT(*) FROM dossiers_default").await
            + scalar(&pg, "SELECT COUNT(*) FROM dossier_events_default").await,
        0
    );
    assert_eq!(scalar(&pg, "SELECT COUNT(*) FROM dossier_keys").await, 4);

    // The foreign keys now point at the registry of codes, and still hold.
    assert_eq!(
        referencing(&pg, "dossier_keys").await,
        ["attachments", "dossier_events", "dossier_facts", "payments"]
    );
    assert!(referencing(&pg, "dossiers").await.is_empty());
    let orphan = store
        .execute_raw_for_tests(
            "INSERT INTO payments (id, dossier_code, amount, gateway, status, created_by, \
             created_at) VALUES ('p-x', 'no-such-dossier', 1, 'sandbox', 'pending', 'x', 'x')",
        )
        .await
        .unwrap_err();
    assert!(orphan.to_string().contains("foreign key"), "{orphan}");

    // Life goes on: appends, and a known code refused in another month.
    let mut d = dossiers[1].clone();
    assign(&store, &mut d, "2025-02-03T09:00").await.unwrap();
    assert_eq!(store.dossier(&d.code).await.unwrap().unwrap().0, d);
    let err = create(&store, &d.code, "2025-02-03T10:00", false)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate(_)), "{err}");
    let fresh = create(
        &store,
        "000.00.20.H34-250204-0001",
        "2025-02-04T08:00",
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        dossier_partition(&pg, &fresh.code).await,
        "dossiers_p2025_02"
    );
    store.close().await;
    pg.close().await;
}

fn procedure(code: &str, name: &str) -> ProcedureRow {
    ProcedureRow {
        code: code.into(),
        name: name.into(),
        name_folded: cchc_domain::text::fold(name),
        level: "[\"province\"]".into(),
        field: "Hộ tịch".into(),
        online_kind: "FullyOnline".into(),
        fee_bearing: false,
        after_15h: false,
        quality_flags: 0,
        fingerprint: code.into(),
        data: "{}".into(),
    }
}

fn received_on(unit: &str, d: &str, n: i64) -> RollupDelta {
    let mut measures = Measures::default();
    measures.add(Measure::Received, n);
    RollupDelta {
        unit: unit.into(),
        procedure: "1.001193".into(),
        day: day(d),
        measures,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replica_serves_reads_and_the_primary_takes_writes() {
    let (Some(primary_url), Some(replica_url)) = (fresh_pg_url().await, fresh_pg_url().await)
    else {
        return;
    };
    // Two databases standing for a primary and its (here: lagging, diverging) replica.
    let replica = Store::connect(&replica_url).await.unwrap();
    replica
        .upsert_procedures(&[procedure("2.000002", "Đăng ký khai sinh (bản sao)")])
        .await
        .unwrap();
    replica
        .add_rollups(&[received_on("u:replica", "2025-03-03", 7)])
        .await
        .unwrap();

    let store = Store::connect_with_replica(&primary_url, Some(&replica_url))
        .await
        .unwrap();
    assert!(store.has_replica());
    // Writes go to the primary.
    store
        .upsert_procedures(&[procedure("1.000001", "Đăng ký khai sinh")])
        .await
        .unwrap();
    store
        .add_rollups(&[received_on("u:primary", "2025-03-03", 3)])
        .await
        .unwrap();

    // Read-only queries read the replica.
    let (total, found) = store
        .search_procedures("", &["dang ky".into()], &ProcedureFilter::default(), 10, 0)
        .await
        .unwrap();
    assert_eq!(
        (
            total,
            found.iter().map(|p| p.code.as_str()).collect::<Vec<_>>()
        ),
        (1, vec!["2.000002"])
    );
    let flows = store.month_flows("2025-03", "2025-03").await.unwrap();
    assert_eq!(flows.keys().collect::<Vec<_>>(), ["u:replica"]);
    assert_eq!(flows["u:replica"][Measure::Received], 7);
    let days = store
        .day_measures(day("2025-03-01"), day("2025-03-31"))
        .await
        .unwrap();
    assert_eq!(days.keys().collect::<Vec<_>>(), ["u:replica"]);

    // Reads that feed a write, and a store asked for the primary, read the primary.
    assert!(store.procedure("1.000001").await.unwrap().is_some());
    assert!(store.procedure("2.000002").await.unwrap().is_none());
    let primary = store.primary_only();
    assert!(!primary.has_replica());
    let flows = primary.month_flows("2025-03", "2025-03").await.unwrap();
    assert_eq!(flows.keys().collect::<Vec<_>>(), ["u:primary"]);
    assert_eq!(flows["u:primary"][Measure::Received], 3);
    let (_, found) = primary
        .search_procedures("", &["dang ky".into()], &ProcedureFilter::default(), 10, 0)
        .await
        .unwrap();
    assert_eq!(found[0].code, "1.000001");

    // The replica's own store saw none of the primary's writes.
    assert!(replica.procedure("1.000001").await.unwrap().is_none());
    store.close().await;
    replica.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replica_connections_are_read_only() {
    let Some(url) = fresh_pg_url().await else {
        return;
    };
    Store::connect(&url).await.unwrap().close().await;
    // Even pointed at a writable server, the replica pool refuses writes.
    let opts: sqlx::postgres::PgConnectOptions = url.parse().unwrap();
    let ro = sqlx::postgres::PgPoolOptions::new()
        .connect_with(opts.options([("default_transaction_read_only", "on")]))
        .await
        .unwrap();
    let err = sqlx::query("INSERT INTO calendar_notices VALUES (2025, 'x', 'x', 'x')")
        .execute(&ro)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
    ro.close().await;
    // And the store's replica reads through the same kind of pool.
    let store = Store::connect_with_replica(&url, Some(&url)).await.unwrap();
    assert!(
        store
            .month_flows("2025-01", "2025-12")
            .await
            .unwrap()
            .is_empty()
    );
    store.close().await;
}

#[tokio::test]
async fn a_replica_needs_postgres_on_both_sides() {
    let path = std::env::temp_dir().join(format!("cchc-replica-{}.db", std::process::id()));
    let sqlite = format!("sqlite://{}", path.display());
    let err = Store::connect_with_replica(&sqlite, Some("postgres://cchc:secret@db2/cchc"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Replica(_)), "{err}");
    // The message names the replica without its password.
    assert!(err.to_string().contains("db2/cchc"), "{err}");
    assert!(!err.to_string().contains("secret"), "{err}");
    // Refused before anything is opened.
    assert!(!path.exists());
    let err = Store::connect_with_replica("postgres://cchc:secret@db1/cchc", Some(&sqlite))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Replica(_)), "{err}");
}
