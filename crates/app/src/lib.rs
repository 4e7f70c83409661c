//! cchc-app: the use cases. Each one authorizes the caller, loads what it needs, lets the
//! domain decide, and stores the result; web and CLI call these and nothing below them, so no
//! edge can skip a check.

pub mod accounts;
pub mod admin;
pub mod catalogue;
pub mod demo;
pub mod demo_desk;
pub mod demo_emulation;
pub mod demo_pakn;
pub mod demo_par;
pub mod demo_plans;
pub mod desk;
pub mod docx;
pub mod dossiers;
pub mod emulation;
pub mod export;
pub mod files;
pub mod indicator_export;
pub mod indicators;
pub mod ingest;
pub mod notify;
pub mod pakn;
pub mod par_index;
pub mod payments;
pub mod plans;
pub mod proposal_docs;
pub mod published;
pub mod seeded;
pub mod sync;
pub mod targets;

use cchc_domain::calendar::{Calendar, CalendarData, WorkSchedule, WorkingClock};
use cchc_domain::unit::{Unit, UnitTree};
use cchc_store::{Store, StoreError};
use jiff::civil::DateTime;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

pub use accounts::{Principal, Role};

/// Why a use case refused or failed. Messages are Vietnamese: they reach users.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("cần đăng nhập")]
    Unauthenticated,
    #[error("không có quyền: {0}")]
    Forbidden(String),
    #[error("không tìm thấy {0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("hồ sơ vừa được người khác cập nhật; vui lòng tải lại ({0})")]
    Conflict(String),
    #[error("lỗi hệ thống, vui lòng thử lại sau")]
    Internal(String),
}

impl AppError {
    /// A stable machine code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::Invalid(_) => "invalid",
            Self::Conflict(_) => "conflict",
            Self::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(code) => Self::Conflict(code),
            StoreError::NotFound(what) => Self::NotFound(what),
            StoreError::Duplicate(what) => Self::Invalid(format!("đã tồn tại: {what}")),
            other => Self::Internal(other.to_string()),
        }
    }
}

pub type Result<T> = std::result::Result<T, AppError>;

/// The current Vietnam civil time.
pub fn vietnam_now() -> DateTime {
    let tz = jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(7));
    let now = jiff::Timestamp::now().to_zoned(tz).datetime();
    // Whole seconds: every stored time is, and a hash taken over a finer time (the PAKN
    // chain hashes its events' fields) could not be checked again from the stored row.
    now.with().subsec_nanosecond(0).build().unwrap_or(now)
}

type Now = Arc<dyn Fn() -> DateTime + Send + Sync>;

/// The application: the store, the calendar, the unit tree, and a clock for "now".
#[derive(Clone)]
pub struct App {
    pub(crate) store: Store,
    /// The calendar in force: the shipped or configured files plus notices an administrator
    /// added (see `admin`), swapped whole when a notice is added.
    calendar: Arc<RwLock<Arc<Calendar>>>,
    /// The files' data, before administrators' notices.
    calendar_files: Arc<CalendarData>,
    clocks: Arc<Mutex<HashMap<Option<String>, Arc<WorkingClock>>>>,
    units: Arc<RwLock<Arc<UnitTree>>>,
    /// Indicator definitions (every version), shipped in `data/indicators/`.
    pub(crate) indicators: Arc<cchc_domain::indicator::IndicatorCatalog>,
    /// The plans' targets, shipped in `data/targets/`.
    pub(crate) targets: Arc<cchc_domain::indicator::targets::TargetSet>,
    now: Now,
    /// The exchanges dossier events are sent to and how (see `sync`).
    pub(crate) sync: Arc<sync::SyncState>,
    /// Procedures read recently (see `procedure_cached`), and the number of catalogue writes
    /// seen, so a read that raced a write is not cached.
    procedures: Arc<Mutex<(u64, HashMap<String, CachedProcedure>)>>,
}

/// A procedure as read at `at` (None: not in the catalogue).
type CachedProcedure = (std::time::Instant, Option<Arc<CachedProcedureRow>>);

/// A catalogue row with its parsed record.
pub(crate) struct CachedProcedureRow {
    pub row: cchc_store::ProcedureRow,
    pub procedure: cchc_domain::procedure::Procedure,
}

/// How long a procedure read from the store is reused. Every dossier event reads its
/// procedure (traits for the indicators, name for the exchanges); this process's own
/// catalogue writes clear the cache at once, another server's show after this long.
const PROCEDURE_TTL: std::time::Duration = std::time::Duration::from_secs(30);

impl App {
    /// Builds the app and loads the unit tree from the store.
    pub async fn new(store: Store, calendar: Arc<Calendar>) -> Result<Self> {
        let app = Self {
            store,
            calendar_files: Arc::new(calendar.data().clone()),
            calendar: Arc::new(RwLock::new(calendar)),
            clocks: Arc::new(Mutex::new(HashMap::new())),
            units: Arc::new(RwLock::new(Arc::new(
                UnitTree::new(Vec::new()).map_err(|e| AppError::Internal(e.to_string()))?,
            ))),
            indicators: Arc::new(
                cchc_domain::indicator::IndicatorCatalog::embedded()
                    .map_err(|e| AppError::Internal(e.to_string()))?,
            ),
            targets: Arc::new(crate::targets::embedded_targets()?),
            now: Arc::new(vietnam_now),
            sync: Arc::new(sync::SyncState::new(sync::SyncSettings::default())?),
            procedures: Arc::new(Mutex::new((0, HashMap::new()))),
        };
        app.reload_units().await?;
        app.reload_calendar().await?;
        Ok(app)
    }

    /// Replaces the source of "now" (tests and data generators run at chosen instants).
    pub fn with_now(mut self, now: impl Fn() -> DateTime + Send + Sync + 'static) -> Self {
        self.now = Arc::new(now);
        self
    }

    pub fn now(&self) -> DateTime {
        (self.now)()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The same app reading only from the primary database (no replica), for reads whose
    /// result is stored (closing a period).
    pub(crate) fn on_primary(&self) -> Self {
        let mut app = self.clone();
        app.store = self.store.primary_only();
        app
    }

    /// A procedure's catalogue row and record, from a short-lived cache.
    pub(crate) async fn procedure_cached(
        &self,
        code: &str,
    ) -> Result<Option<Arc<CachedProcedureRow>>> {
        let mut generation = 0;
        if let Ok(cache) = self.procedures.lock() {
            generation = cache.0;
            if let Some((at, p)) = cache.1.get(code)
                && at.elapsed() < PROCEDURE_TTL
            {
                return Ok(p.clone());
            }
        }
        let fresh = match self.store.procedure(code).await? {
            Some(row) => {
                let procedure = serde_json::from_str(&row.data)
                    .map_err(|e| AppError::Internal(format!("procedure {code}: {e}")))?;
                Some(Arc::new(CachedProcedureRow { row, procedure }))
            }
            None => None,
        };
        if let Ok(mut cache) = self.procedures.lock()
            && cache.0 == generation
        {
            if cache.1.len() > 10_000 {
                cache.1.clear();
            }
            cache
                .1
                .insert(code.to_owned(), (std::time::Instant::now(), fresh.clone()));
        }
        Ok(fresh)
    }

    /// Forgets cached procedures (after a catalogue write).
    pub(crate) fn forget_procedures(&self) {
        if let Ok(mut cache) = self.procedures.lock() {
            cache.0 += 1;
            cache.1.clear();
        }
    }

    /// The calendar in force now.
    pub fn calendar(&self) -> Result<Arc<Calendar>> {
        self.calendar
            .read()
            .map(|g| Arc::clone(&g))
            .map_err(|_| AppError::Internal("calendar lock poisoned".into()))
    }

    /// The configured files' data plus the administrators' saved notices (the latest of each
    /// year replaces that year's file).
    pub(crate) async fn calendar_data(&self) -> Result<CalendarData> {
        let mut data = (*self.calendar_files).clone();
        for row in self.store.calendar_notices().await? {
            data.add_file(&format!("quan-tri/{}.toml", row.year), &row.source)
                .map_err(|e| AppError::Internal(format!("saved calendar notice: {e}")))?;
        }
        Ok(data)
    }

    /// Rebuilds the calendar from the files and the saved notices, and drops cached clocks.
    pub async fn reload_calendar(&self) -> Result<()> {
        let data = self.calendar_data().await?;
        let calendar =
            Arc::new(Calendar::build(&data).map_err(|e| AppError::Internal(e.to_string()))?);
        self.install_calendar(calendar)
    }

    pub(crate) fn install_calendar(&self, calendar: Arc<Calendar>) -> Result<()> {
        // Swap first, then clear: `clock_for` holds the clock cache while it reads the
        // calendar, so no clock built on the old calendar survives the clear.
        *self
            .calendar
            .write()
            .map_err(|_| AppError::Internal("calendar lock poisoned".into()))? = calendar;
        self.clocks
            .lock()
            .map_err(|_| AppError::Internal("clock cache lock poisoned".into()))?
            .clear();
        Ok(())
    }

    /// Reads the units from the store into the in-memory tree.
    pub async fn reload_units(&self) -> Result<()> {
        let rows = self.store.units().await?;
        let units = rows
            .iter()
            .map(|r| serde_json::from_str::<Unit>(&r.data))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| AppError::Internal(format!("unit data: {e}")))?;
        let tree = UnitTree::new(units).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut guard = self
            .units
            .write()
            .map_err(|_| AppError::Internal("unit tree lock poisoned".into()))?;
        *guard = Arc::new(tree);
        Ok(())
    }

    /// A snapshot of the unit tree.
    pub fn units(&self) -> Result<Arc<UnitTree>> {
        self.units
            .read()
            .map(|g| Arc::clone(&g))
            .map_err(|_| AppError::Internal("unit tree lock poisoned".into()))
    }

    /// The statutory clock for a unit (its own working hours, or the standard ones).
    pub fn clock_for(&self, unit: &Unit) -> Result<Arc<WorkingClock>> {
        let mut clocks = self
            .clocks
            .lock()
            .map_err(|_| AppError::Internal("clock cache lock poisoned".into()))?;
        if let Some(c) = clocks.get(&unit.schedule) {
            return Ok(Arc::clone(c));
        }
        let schedule = match &unit.schedule {
            None => WorkSchedule::standard(),
            Some(_) => unit
                .work_schedule()
                .map_err(|e| AppError::Invalid(format!("giờ làm việc của {}: {e}", unit.name)))?,
        };
        let clock = Arc::new(WorkingClock::new(self.calendar()?, schedule));
        clocks.insert(unit.schedule.clone(), Arc::clone(&clock));
        Ok(clock)
    }
}

/// Random bytes from the operating system, as lowercase hex.
pub(crate) fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| AppError::Internal(format!("random: {e}")))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// What is stored for a dossier's lookup secret (mã tra cứu): the SHA-256 of the secret as the
/// citizen types it, trimmed and upper-cased. The one place both intake and lookup use.
pub fn lookup_secret_hash(secret: &str) -> String {
    sha256_hex(&secret.trim().to_uppercase())
}

/// SHA-256 of a secret, as hex: what is stored instead of the secret.
pub(crate) fn sha256_hex(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(crate) fn civil(dt: DateTime) -> String {
    dt.strftime("%Y-%m-%dT%H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    /// Stored times have whole seconds; a time hashed at a finer grain (the PAKN chain hashes
    /// its events' fields, `at` among them) could not be re-hashed from its row.
    #[test]
    fn now_has_whole_seconds_as_every_stored_time() {
        let now = super::vietnam_now();
        assert_eq!(now.subsec_nanosecond(), 0);
        assert_eq!(
            super::civil(now).parse::<jiff::civil::DateTime>().ok(),
            Some(now)
        );
    }
}
