//! A demo province moved from SQLite to PostgreSQL (`cchc migrate sqlite-to-postgres`): every
//! table copied, the check passes, and the app answers the same from both databases (dossier
//! views and histories, a scorecard, the PAKN list); a source edited afterwards copies into a
//! target whose check fails and says the chains were already broken in the source.
//! PostgreSQL only: skipped when `CCHC_TEST_PG_URL` is unset.

use crate::demo::{fresh, options};
use cchc_app::dossiers::ListQuery;
use cchc_app::{App, Principal};
use cchc_domain::indicator::Period;
use cchc_store::Store;
use cchc_store::migrate::sqlite_to_postgres;
use jiff::civil::DateTime;
use serde_json::Value;

/// A fresh, migrated PostgreSQL store, if a server is configured.
async fn fresh_pg() -> Option<Store> {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let admin = std::env::var("CCHC_TEST_PG_URL").ok()?;
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let name = format!("cchc_am_{}_{n}", std::process::id());
    let admin_store = Store::connect_admin(&admin).await.unwrap();
    admin_store.create_database(&name).await.unwrap();
    admin_store.close().await;
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap();
    Some(Store::connect(&format!("{base}/{name}")).await.unwrap())
}

const NOW: &str = "2025-08-01T09:00:00";

fn at_now(app: App) -> App {
    app.with_now(|| NOW.parse::<DateTime>().unwrap())
}

fn json(v: impl serde::Serialize) -> Value {
    serde_json::to_value(v).unwrap()
}

/// Every dossier code, in code order.
async fn codes(app: &App) -> Vec<String> {
    let mut codes = Vec::new();
    for page in 1.. {
        let list = app
            .list_dossiers(
                &Principal::system(),
                ListQuery {
                    page: Some(page),
                    per_page: Some(200),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        if list.items.is_empty() {
            break;
        }
        codes.extend(list.items.into_iter().map(|i| i.code));
    }
    codes.sort();
    codes
}

/// The PAKN list, in code order.
async fn pakn(app: &App) -> Vec<Value> {
    let mut items: Vec<Value> = app
        .pakn_list(&Principal::system(), None, None)
        .await
        .unwrap()
        .into_iter()
        .map(json)
        .collect();
    items.sort_by(|a, b| a["code"].as_str().cmp(&b["code"].as_str()));
    items
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demo_province_moves_to_postgres_and_reads_the_same() {
    let Some(pg) = fresh_pg().await else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the PostgreSQL tests: set CCHC_TEST_PG_URL"
        );
        return;
    };
    let app = fresh().await;
    cchc_app::demo::generate(&app, &options(150, 2), |_| {})
        .await
        .unwrap();
    let now: DateTime = NOW.parse().unwrap();
    let pakn_seeded = cchc_app::demo_pakn::seed(&app, now).await.unwrap();
    assert!(pakn_seeded.created > 0);
    let sqlite = at_now(app);

    let report = sqlite_to_postgres(sqlite.store(), &pg, false)
        .await
        .unwrap();
    assert!(report.ok, "{report:#?}");
    let copy = report.copy.as_ref().unwrap();
    eprintln!(
        "copy: {} rows in {:.2} s ({:.0} rows/s), check {:.2} s",
        copy.rows, copy.seconds, copy.rows_per_second, report.check.seconds
    );
    let rows = |t: &str| {
        let c = report.check.tables.iter().find(|c| c.table == t).unwrap();
        assert_eq!(c.source_rows, c.target_rows, "{t}");
        c.source_rows.unwrap()
    };
    assert_eq!(rows("dossiers"), 150);
    for t in [
        "units",
        "procedures",
        "accounts",
        "dossier_events",
        "dossier_facts",
        "ind_daily",
        "finished_daily",
        "dossier_handlers",
        "pakn",
        "pakn_events",
        "outbox",
    ] {
        assert!(rows(t) > 0, "{t} is empty: the test would prove nothing");
    }
    assert_eq!(report.check.dossiers.source_items, 150);
    assert_eq!(
        report.check.dossiers.target_events,
        rows("dossier_events") as u64
    );
    assert_eq!(
        report.check.pakn.source_items,
        rows("pakn") as u64,
        "{:?}",
        report.check.pakn
    );
    assert_eq!(report.check.pakn.target_events, rows("pakn_events") as u64);

    // The app on the copy answers as the app on the original.
    let postgres = at_now(App::new(pg.clone(), crate::calendar()).await.unwrap());
    let sys = Principal::system();
    let all = codes(&sqlite).await;
    assert_eq!(all.len(), 150);
    assert_eq!(codes(&postgres).await, all);
    for code in all.iter().step_by(7) {
        assert_eq!(
            json(sqlite.dossier(&sys, code).await.unwrap()),
            json(postgres.dossier(&sys, code).await.unwrap()),
            "{code}"
        );
        assert_eq!(
            sqlite.store().events(code).await.unwrap(),
            pg.events(code).await.unwrap(),
            "{code}"
        );
    }
    for period in ["2025-06", "2025-Q3"] {
        let period: Period = period.parse().unwrap();
        assert_eq!(
            json(sqlite.unit_scorecard(&sys, "d:608", &period).await.unwrap()),
            json(
                postgres
                    .unit_scorecard(&sys, "d:608", &period)
                    .await
                    .unwrap()
            ),
            "{period:?}"
        );
    }
    let listed = pakn(&sqlite).await;
    assert!(!listed.is_empty());
    assert_eq!(pakn(&postgres).await, listed);

    // Checking again alone finds the same.
    let again = sqlite_to_postgres(sqlite.store(), &pg, true).await.unwrap();
    assert!(again.ok && again.copy.is_none());
    assert_eq!(again.check.dossiers, report.check.dossiers);

    // A source edited by hand (one event's canonical text, one PAKN event's author) copies
    // into a target whose check fails, saying the chains were broken in the source already.
    let Some(second) = fresh_pg().await else {
        return;
    };
    let edited = &all[3];
    let store = sqlite.store();
    assert_eq!(store.tamper_event_for_tests(edited, 1).await.unwrap(), 1);
    let n = store
        .execute_raw_for_tests(
            "UPDATE pakn_events SET actor_name = actor_name || ' (sửa)' \
             WHERE code = (SELECT MIN(code) FROM pakn_events) AND seq = 1",
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
    let report = sqlite_to_postgres(store, &second, false).await.unwrap();
    assert!(!report.ok);
    assert!(report.check.tables.iter().all(|t| t.ok));
    let d = &report.check.dossiers;
    assert!(d.heads_match && !d.ok);
    assert_eq!(d.broken.len(), 1, "{:?}", d.broken);
    assert!(d.broken[0].contains(edited.as_str()), "{}", d.broken[0]);
    assert_eq!(d.broken_in_source.as_ref(), Some(&d.broken));
    let p = &report.check.pakn;
    assert!(p.heads_match && !p.ok);
    assert_eq!(p.broken.len(), 1, "{:?}", p.broken);
    assert!(p.broken[0].contains("sự kiện 1"), "{}", p.broken[0]);
    assert_eq!(p.broken_in_source.as_ref(), Some(&p.broken));
}
