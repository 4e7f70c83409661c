//! Use cases on real data (Kon Tum's units, the national catalogue) in a real SQLite database,
//! at chosen instants.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin;
mod demo;
mod desk;
mod emulation;
mod indicators;
mod ingest;
mod lifecycle;
mod migrate;
mod notify;
mod pakn;
mod payments;
mod sync;

use cchc_app::accounts::NewAccount;
use cchc_app::catalogue::{ReferenceUnitFiles, reference_units};
use cchc_app::{App, Principal, Role};
use cchc_domain::calendar::Calendar;
use cchc_store::Store;
use jiff::civil::DateTime;
use std::sync::{Arc, Mutex, OnceLock};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/");

pub fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{DATA}{name}")).unwrap()
}

fn calendar() -> Arc<Calendar> {
    static CAL: OnceLock<Arc<Calendar>> = OnceLock::new();
    Arc::clone(CAL.get_or_init(|| Arc::new(Calendar::embedded().unwrap())))
}

/// An app on a fresh database with Kon Tum's units and the catalogue, a settable clock, and
/// accounts: officers of two communes, a leader, a citizen.
pub struct World {
    pub app: App,
    pub now: Arc<Mutex<DateTime>>,
    pub officer_a: Principal,
    pub officer_b: Principal,
    pub leader_a: Principal,
    pub citizen: Principal,
    pub other_citizen: Principal,
}

/// Phường Quang Trung and Phường Duy Tân (Thành phố Kon Tum), before the 2025 merger.
pub const COMMUNE_A: &str = "w:23281";
pub const COMMUNE_B: &str = "w:23284";

impl World {
    pub fn set_now(&self, t: &str) {
        *self.now.lock().unwrap() = t.parse().unwrap();
    }
}

pub async fn world() -> World {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let path = std::env::temp_dir().join(format!("cchc-app-{}-{n}.db", std::process::id()));
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
    let app = App::new(store, calendar())
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
    let account = |username: &str, role: Role, unit: Option<&str>| NewAccount {
        username: username.into(),
        password: "mat-khau-du-dai".into(),
        display_name: format!("Người dùng {username}"),
        title: "Chuyên viên".into(),
        role,
        unit_id: unit.map(Into::into),
    };
    World {
        officer_a: app
            .create_account(&sys, account("canbo.a", Role::Officer, Some(COMMUNE_A)))
            .await
            .unwrap(),
        officer_b: app
            .create_account(&sys, account("canbo.b", Role::Officer, Some(COMMUNE_B)))
            .await
            .unwrap(),
        leader_a: app
            .create_account(&sys, account("lanhdao.a", Role::Leader, Some(COMMUNE_A)))
            .await
            .unwrap(),
        citizen: app
            .create_account(&sys, account("congdan1", Role::Citizen, None))
            .await
            .unwrap(),
        other_citizen: app
            .create_account(&sys, account("congdan2", Role::Citizen, None))
            .await
            .unwrap(),
        app,
        now,
    }
}
