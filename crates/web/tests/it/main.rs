//! The API over real HTTP on a loopback port, on a real SQLite database with Kon Tum's units and
//! the national catalogue.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api;
mod browser;
mod citizen_pages;
mod emulation_pages;
mod indicator_pages;
mod officer_pages;
mod pakn_api;
mod pakn_pages;
mod par_pages;
mod plan_pages;
mod public_pages;
mod sync_pages;

use cchc_app::accounts::NewAccount;
use cchc_app::catalogue::{ReferenceUnitFiles, reference_units};
use cchc_app::{App, Principal, Role};
use cchc_domain::calendar::Calendar;
use cchc_store::Store;
use cchc_web::WebConfig;
use jiff::civil::DateTime;
use std::sync::{Arc, Mutex};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/");

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{DATA}{name}")).unwrap()
}

pub const COMMUNE_A: &str = "w:23281";
pub const COMMUNE_B: &str = "w:23284";
pub const PASSWORD: &str = "mat-khau-du-dai";

/// A running server: its base URL, its app (for checking state) and the settable clock.
pub struct Server {
    pub base: String,
    pub app: App,
    pub now: Arc<Mutex<DateTime>>,
    pub http: reqwest::Client,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn set_now(&self, t: &str) {
        *self.now.lock().unwrap() = t.parse().unwrap();
    }

    /// Logs in and returns the bearer token.
    pub async fn token(&self, username: &str) -> String {
        let r = self
            .http
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "login {username}");
        let v: serde_json::Value = r.json().await.unwrap();
        v["token"].as_str().unwrap().to_owned()
    }
}

pub async fn server(config: WebConfig) -> Server {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let path = std::env::temp_dir().join(format!("cchc-web-{}-{n}.db", std::process::id()));
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let now = Arc::new(Mutex::new(
        "2025-03-03T08:00:00".parse::<DateTime>().unwrap(),
    ));
    let clock = Arc::clone(&now);
    let calendar = Arc::new(Calendar::embedded().unwrap());
    let app = App::new(store, calendar)
        .await
        .unwrap()
        .with_now(move || *clock.lock().unwrap());
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
    for (username, role, unit) in [
        ("canbo.a", Role::Officer, Some(COMMUNE_A)),
        ("canbo.b", Role::Officer, Some(COMMUNE_B)),
        ("congdan1", Role::Citizen, None),
        ("congdan2", Role::Citizen, None),
        ("quantri", Role::Admin, Some("p:62/so-noi-vu")),
    ] {
        app.create_account(
            &sys,
            NewAccount {
                username: username.into(),
                password: PASSWORD.into(),
                display_name: format!("Người dùng {username}"),
                title: "Chuyên viên".into(),
                role,
                unit_id: unit.map(Into::into),
            },
        )
        .await
        .unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = app.clone();
    tokio::spawn(async move { cchc_web::serve(listener, served, config).await.unwrap() });
    Server {
        base: format!("http://{addr}"),
        app,
        now,
        http: reqwest::Client::new(),
    }
}
