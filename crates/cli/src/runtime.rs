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

/// Opens (and migrates) the database and builds the app on the calendar data.
pub async fn open_app(database_url: &str, data: Option<&Path>) -> anyhow::Result<App> {
    let store = cchc_store::Store::connect(database_url)
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
