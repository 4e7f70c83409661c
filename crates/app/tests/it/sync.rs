//! Sync with the national portal through the outbox, against the stub portal on loopback:
//! failures and an outage lose nothing, duplicate nothing and reorder nothing; dead letters
//! wait for an administrator's replay; a confirmed dossier counts as synced.

use crate::lifecycle::new_dossier;
use crate::{COMMUNE_A, World, world};
use cchc_app::dossiers::Action;
use cchc_app::sync::stub::StubPortal;
use cchc_app::sync::{Endpoint, SyncSettings};
use cchc_app::{App, AppError, Principal};
use cchc_domain::procedure::Channel;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn settings(url: String, max_attempts: u32) -> SyncSettings {
    SyncSettings {
        portal: Some(Endpoint {
            url,
            token: Some("thu-nghiem".into()),
        }),
        max_attempts,
        backoff_base: Duration::from_millis(20),
        backoff_cap: Duration::from_millis(200),
        lease: Duration::from_secs(5),
        timeout: Duration::from_secs(2),
        batch: 8,
        poll: Duration::from_millis(20),
        ..SyncSettings::default()
    }
}

/// A dossier received at the counter and two steps after it: three messages.
async fn dossier_with_steps(app: &App, w: &World) -> String {
    let code = app
        .create_dossier(&w.officer_a, new_dossier(Channel::Counter, None))
        .await
        .unwrap()
        .code;
    let assign = || Action::Assign {
        officer: w.officer_a.account_id.clone(),
    };
    app.act(&w.officer_a, &code, None, assign()).await.unwrap();
    app.act(
        &w.officer_a,
        &code,
        None,
        Action::RequestPayment {
            amount: 10_000,
            note: String::new(),
        },
    )
    .await
    .unwrap();
    code
}

async fn wait_for(what: &str, limit: Duration, mut done: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    while !done().await {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every message arrived once, and each dossier's in `seq` order.
fn assert_once_in_order(stub: &StubPortal, codes: &[String]) {
    let mut by_dossier: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for r in stub.accepted() {
        by_dossier.entry(r.dossier.clone()).or_default().push(r.seq);
        assert_eq!(r.body["MaHoSo"], r.dossier.as_str());
    }
    assert_eq!(by_dossier.len(), codes.len());
    for code in codes {
        assert_eq!(by_dossier.get(code), Some(&vec![1, 2, 3]), "{code}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_then_an_outage_lose_nothing_and_keep_each_dossier_in_order() {
    let w = world().await;
    let stub = StubPortal::start(([127, 0, 0, 1], 0).into()).await.unwrap();
    let app = w.app.clone().with_sync(settings(stub.url(), 1000)).unwrap();
    assert!(app.source_connected("national_sync"));
    stub.fail_next(7);
    let mut codes = Vec::new();
    for _ in 0..4 {
        codes.push(dossier_with_steps(&app, &w).await);
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker_app = app.clone();
    let worker = tokio::spawn(async move { worker_app.run_sync_worker("w1", stopped).await });
    // A second worker on the same database: the lease keeps them off each other's messages.
    let (stop2, stopped2) = tokio::sync::watch::channel(false);
    let worker2_app = app.clone();
    let worker2 = tokio::spawn(async move { worker2_app.run_sync_worker("w2", stopped2).await });
    wait_for("the failures", Duration::from_secs(20), async || {
        stub.requests() > 7
    })
    .await;
    // Then the portal goes down while the province keeps working.
    stub.go_down(Duration::from_millis(1500));
    for _ in 0..4 {
        codes.push(dossier_with_steps(&app, &w).await);
    }
    let expected = codes.len() * 3;
    wait_for("every message", Duration::from_secs(60), async || {
        stub.accepted().len() >= expected
    })
    .await;
    let sys = Principal::system();
    // The portal's messages (the applicant's SMS notifications go through the same outbox).
    wait_for("the records", Duration::from_secs(10), async || {
        app.sync_status(&sys)
            .await
            .unwrap()
            .counts
            .iter()
            .any(|c| c.sink == "dvcqg" && c.status == "delivered" && c.count == expected as i64)
    })
    .await;
    let _ = stop.send(true);
    let _ = stop2.send(true);
    worker.await.unwrap();
    worker2.await.unwrap();
    assert_once_in_order(&stub, &codes);
    let status = app.sync_status(&sys).await.unwrap();
    assert_eq!((status.pending, status.dead), (0, 0));
    // Each dossier is synced now, and counts so in indicator 1.4.
    let facts = app.store().facts_of_unit(COMMUNE_A).await.unwrap();
    assert_eq!(facts.iter().filter(|f| f.synced).count(), codes.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letters_hold_their_dossier_back_until_replayed() {
    let w = world().await;
    // Not connected: messages accumulate, indicator 1.4 says so.
    assert!(!w.app.source_connected("national_sync"));
    let stub = StubPortal::start(([127, 0, 0, 1], 0).into()).await.unwrap();
    let app = w.app.clone().with_sync(settings(stub.url(), 3)).unwrap();
    stub.fail_next(3);
    let code = dossier_with_steps(&app, &w).await;
    let sys = Principal::system();
    wait_for("the dead letter", Duration::from_secs(20), async || {
        app.sync_once("w").await.unwrap();
        app.sync_status(&sys).await.unwrap().dead == 1
    })
    .await;
    let dead = app.dead_letters(&sys, 1).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!((dead[0].seq, dead[0].attempts), (1, 3));
    assert!(dead[0].last_error.as_deref().unwrap_or("").contains("500"));
    // Nothing later of this dossier went out meanwhile.
    for _ in 0..5 {
        app.sync_once("w").await.unwrap();
    }
    assert!(stub.accepted().is_empty());
    assert!(matches!(
        app.dead_letters(&w.officer_a, 1).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.replay_dead(&sys, Some(dead[0].id + 1000)).await,
        Err(AppError::NotFound(_))
    ));
    assert_eq!(app.replay_dead(&sys, Some(dead[0].id)).await.unwrap(), 1);
    wait_for("the replay", Duration::from_secs(20), async || {
        app.sync_once("w").await.unwrap();
        stub.accepted().len() == 3
    })
    .await;
    assert_once_in_order(&stub, &[code]);
    let body = &stub.accepted()[0].body;
    assert_eq!(body["KenhThucHien"], 1);
    assert_eq!(body["MaTTHC"], "1.004194");
    assert_eq!(body["NgayNopHoSo"].as_str().map(str::len), Some(14));
    assert_eq!(body["QuaTrinhXuLy"][0]["ThoiDiemXuLy"], "20250303080000");
}
