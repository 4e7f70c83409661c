//! The store contract: every test runs on SQLite, and on PostgreSQL too when
//! `CCHC_TEST_PG_URL` is set (an admin URL; each test gets a fresh database).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod contract;
mod migrate;
mod outbox;
mod pakn;
mod partitions;
mod plans_par;

use cchc_store::Store;
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh SQLite database in a temporary file.
pub async fn sqlite() -> Store {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let path = std::env::temp_dir().join(format!("cchc-store-{}-{n}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap()
}

/// A fresh PostgreSQL database, if a server is configured.
pub async fn postgres() -> Option<Store> {
    let admin = std::env::var("CCHC_TEST_PG_URL").ok()?;
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let name = format!("cchc_t_{}_{n}", std::process::id());
    let admin_store = Store::connect_admin(&admin).await.unwrap();
    admin_store.create_database(&name).await.unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap();
    Some(Store::connect(&format!("{base}/{name}")).await.unwrap())
}

/// Runs a test body on every configured backend.
#[macro_export]
macro_rules! on_every_backend {
    ($name:ident, $body:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let f = $body;
            f($crate::sqlite().await).await;
            if let Some(pg) = $crate::postgres().await {
                f(pg).await;
            } else if std::env::var("CI").is_ok() {
                panic!("CI must run the store contract on PostgreSQL: set CCHC_TEST_PG_URL");
            }
        }
    };
}
