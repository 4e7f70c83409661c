//! Shared plumbing for the commands that use the database: the async runtime and the app.

use cchc_app::App;
use std::path::Path;

use crate::data_dir;

/// Runs an async command body on a multi-threaded runtime sized for this machine.
pub fn block_on<F: std::future::Future>(f: F) -> anyhow::Result<F::Output> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    Ok(rt.block_on(f))
}

/// The read replica's URL (`--replica-url`), set once by `main` before the command runs.
/// Global because every command opens the app through `open_app`: the flag does not have to
/// be threaded through each command's arguments.
static REPLICA_URL: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

/// Records `--replica-url` for `open_app` (only the first call counts).
pub fn set_replica_url(url: Option<String>) {
    let _ = REPLICA_URL.set(url);
}

/// Opens (and migrates) the database and builds the app on the calendar data. With
/// `--replica-url`, the store's read-only queries go to that replica.
pub async fn open_app(database_url: &str, data: Option<&Path>) -> anyhow::Result<App> {
    let replica = REPLICA_URL.get().and_then(|u| u.as_deref());
    let store = cchc_store::Store::connect_with_replica(database_url, replica)
        .await
        .map_err(|e| anyhow::anyhow!("không mở được cơ sở dữ liệu {database_url}: {e}"))?;
    let calendar = data_dir::calendar(data)?;
    Ok(App::new(store, calendar).await?)
}

/// The reference data directory (`../shared/data` beside the repository, or `./shared/data`),
/// unless one is given.
pub fn reference_dir(given: Option<std::path::PathBuf>) -> anyhow::Result<std::path::PathBuf> {
    if let Some(d) = given {
        return Ok(d);
    }
    ["../shared/data", "./shared/data"]
        .iter()
        .map(std::path::PathBuf::from)
        .find(|d| d.join("tthc_dvcqg_2642_procedures.csv").is_file())
        .ok_or_else(|| {
            crate::usage(
                "không tìm thấy thư mục dữ liệu tham chiếu (../shared/data, ./shared/data); \
                 chỉ ra bằng --data DIR",
            )
        })
}

/// Reads the six reference unit lists from `dir` and composes Kon Tum before 1 July 2025 and
/// Quảng Ngãi after, linked by the conversion table.
pub fn reference_units_in(dir: &Path) -> anyhow::Result<Vec<cchc_domain::unit::Unit>> {
    let read = |name: &str| -> anyhow::Result<String> {
        std::fs::read_to_string(dir.join(name))
            .map_err(|e| crate::usage(format!("không đọc được {}: {e}", dir.join(name).display())))
    };
    let files = [
        read("vn_units_pre2025_provinces.csv")?,
        read("vn_units_pre2025_districts.csv")?,
        read("vn_units_pre2025_wards.csv")?,
        read("vn_units_2025_provinces.csv")?,
        read("vn_units_2025_wards.csv")?,
        read("kontum_units_pre2025_with_2025_mapping.csv")?,
    ];
    Ok(cchc_app::catalogue::reference_units(
        cchc_app::catalogue::ReferenceUnitFiles {
            pre2025_provinces: &files[0],
            pre2025_districts: &files[1],
            pre2025_wards: &files[2],
            provinces_2025: &files[3],
            wards_2025: &files[4],
            kon_tum_mapping: &files[5],
        },
        false,
    )?)
}
