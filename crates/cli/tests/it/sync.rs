//! `cchc serve` syncing with a stub portal, killed in the middle of delivery and started
//! again: the portal ends with every message exactly once, each dossier in order.

use cchc_app::accounts::NewAccount;
use cchc_app::catalogue::{ReferenceUnitFiles, reference_units};
use cchc_app::dossiers::{Action, ApplicantInput, NewDossier};
use cchc_app::sync::stub::StubPortal;
use cchc_app::{App, Principal, Role};
use cchc_domain::dossier::ApplicantKind;
use cchc_domain::procedure::Channel;
use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/");

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{DATA}{name}")).unwrap()
}

/// An app on a new SQLite file with Kon Tum's units, the catalogue and one officer.
async fn prepare(url: &str) -> (App, Principal) {
    let store = cchc_store::Store::connect(url).await.unwrap();
    let calendar = Arc::new(cchc_domain::calendar::Calendar::embedded().unwrap());
    let app = App::new(store, calendar).await.unwrap();
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
    // A ward that exists today, so the counter accepts dossiers now.
    let officer = app
        .create_account(
            &sys,
            NewAccount {
                username: "canbo.dongbo".into(),
                password: "mat-khau-du-dai".into(),
                display_name: "Cán bộ một cửa".into(),
                title: "Chuyên viên".into(),
                role: Role::Officer,
                unit_id: Some("w2025:23293".into()),
            },
        )
        .await
        .unwrap();
    (app, officer)
}

/// A dossier received now and two steps: three messages.
async fn dossier(app: &App, officer: &Principal) -> String {
    let code = app
        .create_dossier(
            officer,
            NewDossier {
                procedure_code: "1.004194".into(),
                channel: Channel::Counter,
                applicant: ApplicantInput {
                    kind: ApplicantKind::Citizen,
                    name: "Lê Văn Đồng".into(),
                    id_number: String::new(),
                    phone: String::new(),
                    email: String::new(),
                    address: String::new(),
                },
                components: Vec::new(),
                competent_unit: None,
                receiving_unit: None,
            },
        )
        .await
        .unwrap()
        .code;
    let assign = Action::Assign {
        officer: officer.account_id.clone(),
    };
    app.act(officer, &code, None, assign).await.unwrap();
    let pay = Action::RequestPayment {
        amount: 10_000,
        note: String::new(),
    };
    app.act(officer, &code, None, pay).await.unwrap();
    code
}

fn serve(url: &str, portal: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_cchc"))
        .args([
            "--database-url",
            url,
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--portal-url",
            portal,
            "--sync-lease-secs",
            "1",
            "--sync-backoff-ms",
            "50",
        ])
        .env_remove("CCHC_DATA_DIR")
        .env("CCHC_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cchc serve starts")
}

async fn wait_for(what: &str, limit: Duration, done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_lost_or_repeated_when_serve_is_killed_mid_delivery() {
    let path = std::env::temp_dir().join(format!("cchc-cli-sync-{}.db", std::process::id()));
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
    let url = format!("sqlite://{}", path.display());
    let (app, officer) = prepare(&url).await;
    let stub = StubPortal::start(([127, 0, 0, 1], 0).into()).await.unwrap();
    // Each answer comes late: a server killed now has delivered messages it has not recorded.
    stub.set_delay(Duration::from_millis(150));
    let mut codes = Vec::new();
    for _ in 0..8 {
        codes.push(dossier(&app, &officer).await);
    }
    let mut server = serve(&url, &stub.url());
    wait_for("the first deliveries", Duration::from_secs(60), || {
        stub.accepted().len() >= 6
    })
    .await;
    server.kill().unwrap();
    server.wait().unwrap();
    let before_restart = stub.accepted().len();
    assert!(
        before_restart < codes.len() * 3,
        "killed too late to test anything"
    );
    // The office keeps working while the server is down.
    for _ in 0..2 {
        codes.push(dossier(&app, &officer).await);
    }
    stub.set_delay(Duration::ZERO);
    let mut server = serve(&url, &stub.url());
    let expected = codes.len() * 3;
    wait_for("every message", Duration::from_secs(60), || {
        stub.accepted().len() >= expected
    })
    .await;
    let sys = Principal::system();
    let start = Instant::now();
    while app.sync_status(&sys).await.unwrap().delivered < expected as i64 {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "deliveries recorded"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    // A clean stop: Ctrl+C stops the server and then the worker.
    let stopped = Command::new("kill")
        .args(["-INT", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let status = server.wait().unwrap();
    assert!(status.success(), "serve exits cleanly on Ctrl+C: {status}");

    let mut by_dossier: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for r in stub.accepted() {
        by_dossier.entry(r.dossier).or_default().push(r.seq);
    }
    assert_eq!(by_dossier.len(), codes.len());
    for code in &codes {
        assert_eq!(by_dossier.get(code), Some(&vec![1, 2, 3]), "{code}");
    }
    eprintln!(
        "accepted {} messages, {} before the kill; {} duplicates dropped by key",
        stub.accepted().len(),
        before_restart,
        stub.duplicates()
    );
    let s = app.sync_status(&sys).await.unwrap();
    assert_eq!((s.pending, s.dead, s.delivered), (0, 0, expected as i64));
    app.store().close().await;
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
}
