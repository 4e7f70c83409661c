//! Demo data: generated through the use cases, calibrated, deterministic, and auditable.

use crate::read;
use cchc_app::catalogue::{ReferenceUnitFiles, reference_units};
use cchc_app::demo::{DEMO_ADMIN, DEMO_PASSWORD, DemoOptions, DemoReport, generate};
use cchc_app::dossiers::ListQuery;
use cchc_app::{App, Principal};
use cchc_store::Store;
use jiff::civil::date;
use std::time::Instant;

/// A fresh app with Kon Tum's and Quảng Ngãi's units and the catalogue, and no accounts.
pub(crate) async fn fresh() -> App {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let path = std::env::temp_dir().join(format!("cchc-demo-{}-{n}.db", std::process::id()));
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let app = App::new(store, crate::calendar()).await.unwrap();
    let sys = Principal::system();
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
    app
}

/// Two months around the 1 July 2025 merger in Kon Tum city, three departments and their
/// successors: dense enough that the last days before "today" hold dossiers in every open
/// status, small enough to hash few passwords (argon2 is slow in debug builds).
pub(crate) fn options(dossiers: usize, workers: usize) -> DemoOptions {
    DemoOptions {
        seed: 42,
        dossiers,
        from: date(2025, 6, 2),
        to: date(2025, 7, 31),
        citizens: 20,
        workers,
        scope: [
            "d:608",
            "p:62/so-tu-phap",
            "p:62/so-tai-nguyen-va-moi-truong",
            "p:62/trung-tam-phuc-vu-hanh-chinh-cong",
        ]
        .map(String::from)
        .to_vec(),
    }
}

fn counts(r: &DemoReport) -> Vec<usize> {
    let mut v = vec![
        r.dossiers,
        r.events,
        r.before_merger,
        r.after_merger,
        r.online,
        r.resolved,
        r.on_time,
        r.late,
        r.apologies,
        r.open_overdue,
        r.supplements,
        r.second_supplements,
        r.forwarded,
        r.handovers,
        r.payment_requests,
        r.payments,
        r.online_payments,
        r.ratings,
        r.accounts,
    ];
    v.extend(r.by_status.iter().flat_map(|(k, n)| [usize::from(*k), *n]));
    v.extend(
        r.ratings_by_score
            .iter()
            .flat_map(|(k, n)| [usize::from(*k), *n]),
    );
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_history_is_calibrated_and_auditable() {
    let app = fresh().await;
    let started = Instant::now();
    let mut calls = Vec::new();
    let report = generate(&app, &options(600, 4), |n| calls.push(n))
        .await
        .unwrap();
    eprintln!("{report}");
    eprintln!("(generate: {:.1} s)", started.elapsed().as_secs_f64());
    assert_eq!(report.dossiers, 600);
    assert_eq!(calls.last(), Some(&600), "progress reaches the end");
    assert!(calls.windows(2).all(|w| w[0] < w[1]));

    // Calibration.
    let online = report.online as f64 / report.dossiers as f64;
    assert!((0.15..=0.31).contains(&online), "online share {online}");
    assert!(report.resolved > 400, "{}", report.resolved);
    let on_time = report.on_time as f64 / report.resolved as f64;
    assert!(on_time >= 0.95, "on time {on_time}");
    assert!(on_time < 1.0 || report.late == 0);
    assert_eq!(report.on_time + report.late, report.resolved);
    for code in [1, 2, 4, 5, 9, 10] {
        assert!(
            report.by_status.get(&code).is_some_and(|n| *n > 0),
            "status {code}: {:?}",
            report.by_status
        );
    }
    assert!(report.before_merger > 0 && report.after_merger > 0);
    assert!(report.supplements > 0 && report.payments > 0 && report.ratings > 0);
    assert!(report.forwarded > 0);
    assert!(report.online_payments > 0 && report.online_payments < report.payments);
    assert_eq!(report.password, DEMO_PASSWORD);

    // The daily rollup of finished dossiers, kept by every write path (intake, actions,
    // gateway-confirmed payments), agrees with the dossiers themselves.
    let finished_statuses = [3u8, 7, 8, 9, 10];
    let expected: usize = finished_statuses
        .iter()
        .filter_map(|s| report.by_status.get(s))
        .sum();
    let (mut rolled, mut rolled_late) = (0i64, 0i64);
    for q in ["2025-Q2", "2025-Q3"] {
        let t = app
            .on_time_by_unit(cchc_app::published::Quarter::parse(q).unwrap())
            .await
            .unwrap();
        rolled += t.finished;
        rolled_late += t.late;
    }
    assert_eq!(rolled, expected as i64, "rollup vs finished dossiers");
    assert!(
        rolled_late >= report.late as i64,
        "{rolled_late} < {}",
        report.late
    );

    // Every dossier, read back through the app.
    let admin = Principal::system();
    let mut seen = 0;
    let (mut late, mut pre, mut post) = (0, 0, 0);
    for page in 1.. {
        let list = app
            .list_dossiers(
                &admin,
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
        for item in list.items {
            seen += 1;
            let v = app.dossier(&admin, &item.code).await.unwrap();
            let d = &v.dossier;
            let resolved = d.decided_at.is_some();
            if resolved && v.late {
                late += 1;
                assert!(
                    !d.extensions.is_empty(),
                    "{} late without an apology",
                    d.code
                );
                assert!(d.decided_at > d.extensions.first().map(|e| e.0));
            }
            // History stays under the units of its time.
            if d.submitted_at.date() < date(2025, 7, 1) {
                pre += 1;
                assert!(
                    ["w:", "d:", "p:62/"]
                        .iter()
                        .any(|p| d.receiving_unit.starts_with(p)),
                    "{}",
                    d.receiving_unit
                );
            } else {
                post += 1;
                assert!(
                    ["w2025:", "p2025:51/"]
                        .iter()
                        .any(|p| d.receiving_unit.starts_with(p)),
                    "{}",
                    d.receiving_unit
                );
            }
        }
    }
    assert_eq!(seen, 600);
    assert_eq!(late, report.late);
    assert_eq!((pre, post), (report.before_merger, report.after_merger));
    assert!(pre > 100 && post > 100, "{pre} / {post}");

    // The hash chains hold.
    let audit = app.store().audit_verify().await.unwrap();
    assert_eq!(audit.dossiers, 600);
    assert_eq!(audit.events as usize, report.events);
    assert!(audit.broken.is_empty(), "{:?}", audit.broken);

    // The documented accounts sign in with the documented password.
    for (_, username, _) in &report.sample_users {
        app.login(username, DEMO_PASSWORD).await.unwrap();
    }
    assert!(report.sample_users.iter().any(|(_, u, _)| u == DEMO_ADMIN));
    assert!(report.sample_users.len() >= 4, "{:?}", report.sample_users);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_seed_same_history_whatever_the_workers() {
    let (a, b) = (fresh().await, fresh().await);
    let one = generate(&a, &options(150, 1), |_| {}).await.unwrap();
    let three = generate(&b, &options(150, 3), |_| {}).await.unwrap();
    assert_eq!(one.dossiers, 150);
    assert_eq!(counts(&one), counts(&three));
    assert_eq!(one.sample_users, three.sample_users);
    // The same dossier codes, too.
    let codes = |app: App| async move {
        let list = app
            .list_dossiers(
                &Principal::system(),
                ListQuery {
                    per_page: Some(200),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let mut codes: Vec<(String, i64)> = list
            .items
            .into_iter()
            .map(|i| (i.code, i.status_code))
            .collect();
        codes.sort();
        codes
    };
    assert_eq!(codes(a.clone()).await, codes(b).await);
    // A second run on the same database is refused: the demo accounts exist.
    let err = generate(&a, &options(10, 1), |_| {}).await.unwrap_err();
    assert!(err.to_string().contains("đã có"), "{err}");
}

/// The default demo (`cchc demo`): 20,000 dossiers over two years, the whole province. Slow in
/// debug builds; time it with
/// `cargo test --release -p cchc-app --test it demo_default -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "about a minute in release, much longer in debug"]
async fn demo_default_size() {
    let app = fresh().await;
    let opts = DemoOptions::default();
    let mut last = Instant::now();
    let report = generate(&app, &opts, |n| {
        if n.is_multiple_of(2000) {
            eprintln!("  {n} hồ sơ ({:.1} s)", last.elapsed().as_secs_f64());
            last = Instant::now();
        }
    })
    .await
    .unwrap();
    eprintln!("{report}");
    assert_eq!(report.dossiers, opts.dossiers);
    let online = report.online as f64 / report.dossiers as f64;
    assert!((0.20..=0.26).contains(&online), "online share {online}");
    let on_time = report.on_time as f64 / report.resolved as f64;
    assert!((0.98..=0.995).contains(&on_time), "on time {on_time}");
    let paid_online = report.online_payments as f64 / report.payments as f64;
    assert!(
        (0.25..=0.35).contains(&paid_online),
        "paid online {paid_online}"
    );
    let started = Instant::now();
    let audit = app.store().audit_verify().await.unwrap();
    eprintln!(
        "audit: {} dossiers, {} events in {:.1} s",
        audit.dossiers,
        audit.events,
        started.elapsed().as_secs_f64()
    );
    assert_eq!(audit.events as usize, report.events);
    assert!(audit.broken.is_empty(), "{:?}", audit.broken);
}
