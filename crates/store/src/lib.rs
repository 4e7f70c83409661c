//! cchc-store: persistence behind one contract, on SQLite (the embedded default, WAL) or
//! PostgreSQL, chosen by the URL. Plain runtime queries with `$1` placeholders (which SQLite
//! accepts too); the per-dialect parts are only the migrations.
//!
//! Owns: the schema and its migrations; the dossier projection written in the same transaction
//! as each event; the optimistic version check; per-agency per-day code sequences; the
//! append-only event table (no UPDATE or DELETE is ever issued on it).

use cchc_domain::dossier::{Dossier, Event, EventBody, verify_chain};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, Postgres};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
// Dynamic SQL here is assembled only from constant fragments and `$n` placeholders; every value
// is bound, never formatted in. That is what each `AssertSqlSafe` asserts.
use sqlx::{AssertSqlSafe, Pool, Row, Sqlite};
use std::str::FromStr;
use std::time::Duration;

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("someone else changed dossier {0} first; reload and try again")]
    Conflict(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("already exists: {0}")]
    Duplicate(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("unsupported database URL '{0}' (use sqlite://PATH or postgres://...)")]
    Url(String),
    #[error("a read replica needs a PostgreSQL primary and a postgres:// replica URL: {0}")]
    Replica(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Debug, Clone)]
enum Backend {
    Sqlite(Pool<Sqlite>),
    Postgres(Pool<Postgres>),
}

/// Runs the same block against whichever pool backs the store.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.backend {
            Backend::Sqlite($pool) => $body,
            Backend::Postgres($pool) => $body,
        }
    };
}

/// Like `on_pool!`, on the connection that writes: on SQLite one connection takes every
/// write of this process in turn (SQLite's model is one writer at a time). Queued writers
/// wait in the pool's fair queue instead of sleeping in SQLite's busy handler, and the
/// writer's page cache stays warm, because no other connection of the process changes the
/// file under it. On PostgreSQL, the primary pool.
macro_rules! on_write_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store.writer() {
            Backend::Sqlite($pool) => $body,
            Backend::Postgres($pool) => $body,
        }
    };
}

/// Like `on_pool!`, on the read replica when one is configured (else the primary): for
/// read-only queries that may lag the primary a little (dashboards, rankings, public lists),
/// never for a read whose result feeds a write.
macro_rules! on_read_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store.reader() {
            Backend::Sqlite($pool) => $body,
            Backend::Postgres($pool) => $body,
        }
    };
}

mod admin;
mod bench_fill;
mod bench_limit;
mod desk;
mod emulation;
mod files;
mod indicators;
mod ingest;
pub mod migrate;
mod outbox;
mod pakn;
mod par_index;
mod payments;
mod plans;
mod reports;
pub use admin::CalendarNoticeRow;
pub use desk::{AssigneeLoad, DeskRow, FinishedByStatus, QueueFilter, QueueOrder, StaffRow};
pub use emulation::{
    AdjustmentRow, DecisionRow, DocFile, MovementRow, RecordRow, RecordTable, RewardRow, RunRow,
    StaffMember,
};
pub use files::AttachmentInfo;
pub use indicators::{ClosedPeriodRow, EntryRow, NewEntry, UnitMeasures};
pub use ingest::DossierWrite;
pub use outbox::{NewOutboxMessage, OutboxCount, OutboxMessage, OutboxStatus, SyncedMark};
pub use pakn::{NewPaknFile, PaknEventRow, PaknFileInfo, PaknFilter, PaknRow};
pub use par_index::{ParCardRow, ParCardWrite, ParEvidenceInfo, ParItemRow, ParNewEvidence};
pub use payments::PaymentRow;
pub use plans::{
    NewPlanFile, ObligationRow, PlanCounts, PlanFileInfo, PlanRow, PlanRowsBulk, ProgressRow,
    SubmissionRow, TaskRow, TaskUpdate,
};
pub use reports::FinishedCount;

/// An account from a row with the `accounts` columns.
fn account_row<R>(r: &R) -> Result<AccountRow>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(AccountRow {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        title: r.try_get("title")?,
        password_hash: r.try_get("password_hash")?,
        role: r.try_get("role")?,
        unit_id: r.try_get("unit_id")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Maps a unique-constraint violation to `Duplicate`.
fn dup(e: sqlx::Error, what: &str) -> StoreError {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
    {
        return StoreError::Duplicate(what.to_owned());
    }
    StoreError::Db(e)
}

/// `INSERT INTO table (cols) VALUES (…), (…), …` for `rows` rows: `?` marks when `anonymous`
/// (SQLite: looking up numbered marks costs time linear in their count, so thousands of them in
/// one statement make binding quadratic), `$1, $2, …` otherwise (PostgreSQL). Used by every
/// bulk insert; the caller keeps rows × columns below 32,766 bound values.
pub(crate) fn multi_insert(table: &str, cols: &[&str], rows: usize, anonymous: bool) -> String {
    format!(
        "INSERT INTO {table} ({}) VALUES {}",
        cols.join(", "),
        ingest::value_groups(cols.len(), rows, anonymous)
    )
}

const SQLITE_MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_core.sql")),
    (2, include_str!("../migrations/sqlite/0002_web.sql")),
    (3, include_str!("../migrations/sqlite/0003_indicators.sql")),
    (4, include_str!("../migrations/sqlite/0004_plans.sql")),
    (5, include_str!("../migrations/sqlite/0005_par_index.sql")),
    (6, include_str!("../migrations/sqlite/0006_emulation.sql")),
    (7, include_str!("../migrations/sqlite/0007_pakn.sql")),
    (8, include_str!("../migrations/sqlite/0008_outbox.sql")),
];
const POSTGRES_MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/postgres/0001_core.sql")),
    (2, include_str!("../migrations/postgres/0002_web.sql")),
    (
        3,
        include_str!("../migrations/postgres/0003_indicators.sql"),
    ),
    (4, include_str!("../migrations/postgres/0004_plans.sql")),
    (5, include_str!("../migrations/postgres/0005_par_index.sql")),
    (6, include_str!("../migrations/postgres/0006_emulation.sql")),
    (7, include_str!("../migrations/postgres/0007_pakn.sql")),
    (8, include_str!("../migrations/postgres/0008_outbox.sql")),
    // PostgreSQL only (SQLite's list stops at 8): monthly partitions of dossiers and events.
    (
        9,
        include_str!("../migrations/postgres/0009_partitions.sql"),
    ),
];

/// A unit as stored (the domain's unit tree is built from these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRow {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub full_name: String,
    pub gso_code: Option<String>,
    pub parent_id: Option<String>,
    pub agency_code: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub schedule: Option<String>,
    /// The full domain record as JSON.
    pub data: String,
}

/// A procedure as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureRow {
    pub code: String,
    pub name: String,
    pub name_folded: String,
    pub level: String,
    pub field: String,
    pub online_kind: String,
    pub fee_bearing: bool,
    pub after_15h: bool,
    pub quality_flags: i64,
    pub fingerprint: String,
    pub data: String,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Inserted,
    Updated,
    Unchanged,
}

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub title: String,
    pub password_hash: String,
    pub role: String,
    pub unit_id: Option<String>,
    pub created_at: String,
}

/// The listing columns of a dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierSummary {
    pub code: String,
    pub procedure_code: String,
    pub status: i64,
    pub channel: i64,
    pub applicant_name: String,
    pub receiving_unit: String,
    pub current_unit: String,
    pub assignee: Option<String>,
    pub submitted_at: String,
    pub received_at: Option<String>,
    pub due_at: Option<String>,
    pub finished_at: Option<String>,
    pub version: i64,
}

/// A dossier's stored row beyond its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierMeta {
    pub secret_hash: String,
    pub owner_account: Option<String>,
    pub due_at: Option<String>,
}

/// Filters of the procedure catalogue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcedureFilter {
    /// Lĩnh vực, exactly.
    pub field: Option<String>,
    /// A level's machine name (`province`, `district`, `commune`, `ministry`).
    pub level: Option<String>,
    /// `FullyOnline`, `PartlyOnline` or `NotOnline`.
    pub online_kind: Option<String>,
}

/// What the app computed for a dossier's row besides the dossier itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Projected {
    /// Ngày hẹn trả now, None while paused or before acceptance.
    pub due_at: Option<jiff::civil::DateTime>,
    /// Finished late (Some once finished), as the domain judged it at the finish.
    pub finished_late: Option<bool>,
    /// This event finishes the dossier: count it in the daily rollup (once, at the event
    /// that sets the finish; a new row that is already finished is counted on insert).
    pub finishes: bool,
    /// How the dossier counts in the indicators now: its rollup contributions change by the
    /// difference with what was stored (None: leave the facts as they are).
    pub facts: Option<cchc_domain::indicator::DossierFacts>,
    /// Messages for the exchanges (the national portal, …) that the app built for this event:
    /// written to the outbox in the event's transaction, so none is lost or sent for an event
    /// that was rolled back. Empty: nothing to send.
    pub outbox: Vec<NewOutboxMessage>,
}

/// A file arriving with an event (a component at submission or with a supplement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    pub id: String,
    /// The component (thành phần hồ sơ) it belongs to.
    pub component: String,
    pub file_name: String,
    pub content_type: String,
    pub sha256: String,
    pub content: Vec<u8>,
}

/// A dossier's whole history for [`Store::insert_histories`].
#[derive(Debug, Clone)]
pub struct StoredHistory {
    pub dossier: Dossier,
    pub events: Vec<Event>,
    pub secret_hash: String,
    pub owner_account: Option<String>,
    pub projected: Projected,
}

/// Filters for listing dossiers.
#[derive(Debug, Clone, Default)]
pub struct DossierFilter {
    /// Only dossiers whose current or receiving unit is one of these.
    pub units: Option<Vec<String>>,
    pub owner_account: Option<String>,
    pub status: Option<i64>,
    pub procedure_code: Option<String>,
    /// Submitted at or after (ISO civil time).
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// The result of walking every event chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditReport {
    pub dossiers: u64,
    pub events: u64,
    /// The first broken link of each broken dossier, in code order.
    pub broken: Vec<String>,
}

/// Checks one dossier's chain, and that its row's version and last hash match the chain.
fn check_chain(
    report: &mut AuditReport,
    code: &str,
    version: i64,
    last_hash: &str,
    events: &[Event],
) {
    report.dossiers += 1;
    report.events += events.len() as u64;
    match verify_chain(events) {
        Err(e) => report.broken.push(e.to_string()),
        Ok(n) => {
            let tail = events.last().map(|e| e.hash.as_str()).unwrap_or("");
            if n as i64 != version || tail != last_hash {
                report.broken.push(format!(
                    "hồ sơ {code}: bản ghi hồ sơ (phiên bản {version}) không khớp chuỗi sự kiện ({n} sự kiện)"
                ));
            }
        }
    }
}

/// A database URL without its user and password, for messages.
fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((_, host)) => format!("{scheme}://…@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

fn civil(dt: jiff::civil::DateTime) -> String {
    dt.strftime("%Y-%m-%dT%H:%M:%S").to_string()
}

/// An event from a `dossier_events` row (with `dossier_code`), checked against its columns.
fn event_row<R>(r: &R) -> Result<Event>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let code: String = r.try_get("dossier_code")?;
    let canonical: String = r.try_get("canonical")?;
    let body: EventBody = serde_json::from_str(&canonical)
        .map_err(|e| StoreError::Corrupt(format!("{code}: {e}")))?;
    let seq: i64 = r.try_get("seq")?;
    let at: String = r.try_get("at")?;
    let kind: String = r.try_get("kind")?;
    let unit: String = r.try_get("unit_id")?;
    // The columns must agree with the hashed body, or someone edited them.
    let mut checked = body.clone();
    if i64::from(body.seq) != seq
        || civil(body.at) != at
        || body.kind.name() != kind
        || body.unit != unit
    {
        checked.seq = u32::try_from(seq).unwrap_or(u32::MAX);
        checked.unit = format!("{unit} (cột đã bị sửa)");
    }
    Ok(Event {
        body: checked,
        canonical,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

/// The dossier its events make.
fn rebuild(
    code: &str,
    meta: DossierMeta,
    events: Vec<Event>,
) -> Result<(Dossier, DossierMeta, Vec<Event>)> {
    let mut iter = events.iter();
    let first = iter
        .next()
        .ok_or_else(|| StoreError::Corrupt(format!("{code}: no events")))?;
    let mut dossier =
        Dossier::start(first).map_err(|e| StoreError::Corrupt(format!("{code}: {e}")))?;
    for e in iter {
        dossier
            .apply(e)
            .map_err(|err| StoreError::Corrupt(format!("{code}: {err}")))?;
    }
    Ok((dossier, meta, events))
}

/// The store.
#[derive(Debug, Clone)]
pub struct Store {
    /// Reads (and, on PostgreSQL, writes).
    backend: Backend,
    /// SQLite on a file: the one connection that writes (`on_write_pool!`). None on
    /// PostgreSQL and for an in-memory database (one connection in all).
    writer: Option<Backend>,
    /// A read-only pool on a replica (PostgreSQL only) for `on_read_pool!` queries.
    replica: Option<Backend>,
}

impl Store {
    /// Whether bulk inserts should use anonymous `?` marks (SQLite).
    pub(crate) fn anonymous_marks(&self) -> bool {
        matches!(self.backend, Backend::Sqlite(_))
    }

    /// Closes every connection and waits until they are closed. On SQLite the last one to
    /// close checkpoints the write-ahead log into the database file, so the file can then be
    /// copied alone (test fixtures do).
    pub async fn close(&self) {
        if let Some(Backend::Sqlite(pool)) = &self.writer {
            pool.close().await;
        }
        on_pool!(self, pool => pool.close().await);
        if let Some(Backend::Postgres(pool)) = &self.replica {
            pool.close().await;
        }
    }

    /// Where writes go: see `on_write_pool!`.
    pub(crate) fn writer(&self) -> &Backend {
        self.writer.as_ref().unwrap_or(&self.backend)
    }

    /// Where read-only queries go: the replica when one is configured, else the primary.
    pub(crate) fn reader(&self) -> &Backend {
        self.replica.as_ref().unwrap_or(&self.backend)
    }

    /// Whether read-only queries go to a replica.
    pub fn has_replica(&self) -> bool {
        self.replica.is_some()
    }

    /// The same store with every read on the primary: for a caller that must read what was
    /// just written (a replica lags), e.g. before freezing numbers into a closed period.
    pub fn primary_only(&self) -> Self {
        Self {
            backend: self.backend.clone(),
            writer: self.writer.clone(),
            replica: None,
        }
    }

    /// Connects to `sqlite://PATH` (created on first use) or `postgres://…`, and migrates.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with_replica(url, None).await
    }

    /// Like [`Store::connect`], with read-only queries (`on_read_pool!`) sent to a replica
    /// of the PostgreSQL primary when `replica_url` is given. The replica's connections are
    /// read-only whatever the server (a URL pointing at a primary cannot be written through
    /// them). SQLite has no replica: a replica URL is refused. On PostgreSQL, also prepares
    /// the monthly partitions around today (see [`Store::ensure_partitions`]).
    pub async fn connect_with_replica(url: &str, replica_url: Option<&str>) -> Result<Self> {
        let is_pg = |u: &str| u.starts_with("postgres://") || u.starts_with("postgresql://");
        if let Some(r) = replica_url
            && !(is_pg(url) && is_pg(r))
        {
            return Err(StoreError::Replica(redact(r)));
        }
        let store = Self::connect_migrated_to(url, i64::MAX).await?;
        if matches!(store.backend, Backend::Postgres(_)) {
            let tz = jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(7));
            let today = jiff::Timestamp::now().to_zoned(tz).date();
            store.ensure_partitions_near(today).await?;
        }
        let replica = match replica_url {
            Some(r) => {
                let opts = PgConnectOptions::from_str(r)?
                    .options([("default_transaction_read_only", "on")]);
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await?;
                Some(Backend::Postgres(pool))
            }
            None => None,
        };
        Ok(Self { replica, ..store })
    }

    /// Connects and applies the migrations up to `last` only (tests of a migration on a
    /// database left at an earlier version); no partition upkeep, no replica.
    #[doc(hidden)]
    pub async fn connect_migrated_to(url: &str, last: i64) -> Result<Self> {
        let (backend, writer) =
            if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                (Backend::Postgres(pool), None)
            } else if let Some(path) = url
                .strip_prefix("sqlite://")
                .or(url.strip_prefix("sqlite:"))
            {
                let memory = path == ":memory:";
                let opts = if memory {
                    SqliteConnectOptions::from_str("sqlite::memory:")?
                } else {
                    SqliteConnectOptions::new()
                        .filename(path)
                        .create_if_missing(true)
                }
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
                // An in-memory database is one connection: each new one would be another database.
                if memory {
                    let pool = SqlitePoolOptions::new()
                        .max_connections(1)
                        .connect_with(opts)
                        .await?;
                    (Backend::Sqlite(pool), None)
                } else {
                    // The writer first: it creates the file and sets WAL before readers open it.
                    // Its 64 MiB page cache stays valid between transactions (no other connection
                    // of the process writes); the readers' 8 MiB each is dropped whenever the
                    // file changed since their last read, so more would not help them.
                    // A connection to a local file does not go stale: no ping before each use.
                    let writer = SqlitePoolOptions::new()
                        .max_connections(1)
                        .test_before_acquire(false)
                        .acquire_timeout(Duration::from_secs(30))
                        .connect_with(
                            opts.clone()
                                .pragma("cache_size", "-65536")
                                .pragma("wal_autocheckpoint", "8192"),
                        )
                        .await?;
                    let readers = SqlitePoolOptions::new()
                        .max_connections(8)
                        .test_before_acquire(false)
                        .connect_with(opts.pragma("cache_size", "-8192"))
                        .await?;
                    (Backend::Sqlite(readers), Some(Backend::Sqlite(writer)))
                }
            } else {
                return Err(StoreError::Url(url.to_owned()));
            };
        let store = Self {
            backend,
            writer,
            replica: None,
        };
        store.migrate(last).await?;
        Ok(store)
    }

    /// Opens an SQLite database file as it is, read-only: no migration and no setting that
    /// writes, so reading it (to verify a copy made from it) leaves the file unchanged.
    pub async fn open_sqlite_read_only(url: &str) -> Result<Self> {
        let path = url
            .strip_prefix("sqlite://")
            .or(url.strip_prefix("sqlite:"))
            .filter(|p| *p != ":memory:")
            .ok_or_else(|| StoreError::Url(url.to_owned()))?;
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(opts)
            .await?;
        Ok(Self {
            backend: Backend::Sqlite(pool),
            writer: None,
            replica: None,
        })
    }

    /// Connects to a PostgreSQL server without migrating (to create test databases).
    #[doc(hidden)]
    pub async fn connect_admin(url: &str) -> Result<Self> {
        let pool = PgPoolOptions::new().max_connections(2).connect(url).await?;
        Ok(Self {
            backend: Backend::Postgres(pool),
            writer: None,
            replica: None,
        })
    }

    /// Creates a database (PostgreSQL only; the name must be a plain identifier).
    #[doc(hidden)]
    pub async fn create_database(&self, name: &str) -> Result<()> {
        if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(StoreError::Url(name.to_owned()));
        }
        if let Backend::Postgres(pool) = &self.backend {
            sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    /// "sqlite" or "postgres".
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Creates the monthly partitions of `dossiers` and `dossier_events` for every month from
    /// `from`'s to `to`'s (PostgreSQL; nothing to do on SQLite), moving the rows of those
    /// months out of the DEFAULT partitions; existing months are left alone. Returns how many
    /// partitions it created (two per new month). Bulk loaders call it for the months they
    /// load before loading, so rows go straight to their partition.
    pub async fn ensure_partitions(
        &self,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> Result<u64> {
        let Backend::Postgres(pool) = &self.backend else {
            return Ok(0);
        };
        let n: i32 = sqlx::query_scalar("SELECT cchc_ensure_month_partitions($1::date, $2::date)")
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_one(pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The partitions a running server needs: from the month before today's to three months
    /// ahead, and over the two years before only the months the DEFAULT partitions hold rows
    /// of (a load that did not prepare its months). Empty past months get none: each partition
    /// costs every lookup by code one more index probe.
    async fn ensure_partitions_near(&self, today: jiff::civil::Date) -> Result<u64> {
        let Backend::Postgres(pool) = &self.backend else {
            return Ok(0);
        };
        let n: i32 = sqlx::query_scalar(
            "SELECT cchc_ensure_month_partitions(($1::date - interval '24 months')::date, \
             ($1::date - interval '2 months')::date, true) \
             + cchc_ensure_month_partitions(($1::date - interval '1 month')::date, \
             ($1::date + interval '3 months')::date)",
        )
        .bind(today.to_string())
        .fetch_one(pool)
        .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Applies the migrations not applied yet, up to version `last`.
    async fn migrate(&self, last: i64) -> Result<()> {
        let migrations: &[(i64, &str)] = match self.backend {
            Backend::Sqlite(_) => SQLITE_MIGRATIONS,
            Backend::Postgres(_) => POSTGRES_MIGRATIONS,
        };
        on_write_pool!(self, pool => {
            sqlx::raw_sql(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)",
            )
            .execute(pool)
            .await?;
            for (version, sql) in migrations.iter().filter(|(v, _)| *v <= last) {
                let mut tx = pool.begin().await?;
                let done: Option<i64> =
                    sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
                        .bind(*version)
                        .fetch_optional(&mut *tx)
                        .await?;
                if done.is_none() {
                    sqlx::raw_sql(AssertSqlSafe(*sql)).execute(&mut *tx).await?;
                    sqlx::query("INSERT INTO schema_migrations (version) VALUES ($1)")
                        .bind(*version)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
            }
            Ok(())
        })
    }

    // ---- units -------------------------------------------------------------------------

    /// Inserts or updates units (parents before children), in one transaction.
    pub async fn upsert_units(&self, units: &[UnitRow]) -> Result<(u64, u64, u64)> {
        let (mut inserted, mut updated, mut unchanged) = (0, 0, 0);
        on_write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for u in units {
                let existing: Option<String> =
                    sqlx::query_scalar("SELECT data FROM units WHERE id = $1")
                        .bind(&u.id)
                        .fetch_optional(&mut *tx)
                        .await?;
                match existing {
                    Some(data) if data == u.data => unchanged += 1,
                    Some(_) => {
                        sqlx::query(
                            "UPDATE units SET kind=$2, name=$3, full_name=$4, gso_code=$5, parent_id=$6, \
                             agency_code=$7, valid_from=$8, valid_to=$9, schedule=$10, data=$11 WHERE id=$1",
                        )
                        .bind(&u.id).bind(&u.kind).bind(&u.name).bind(&u.full_name).bind(&u.gso_code)
                        .bind(&u.parent_id).bind(&u.agency_code).bind(&u.valid_from).bind(&u.valid_to)
                        .bind(&u.schedule).bind(&u.data)
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| dup(e, &u.agency_code))?;
                        updated += 1;
                    }
                    None => {
                        sqlx::query(
                            "INSERT INTO units (id, kind, name, full_name, gso_code, parent_id, agency_code, \
                             valid_from, valid_to, schedule, data) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
                        )
                        .bind(&u.id).bind(&u.kind).bind(&u.name).bind(&u.full_name).bind(&u.gso_code)
                        .bind(&u.parent_id).bind(&u.agency_code).bind(&u.valid_from).bind(&u.valid_to)
                        .bind(&u.schedule).bind(&u.data)
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| dup(e, &u.agency_code))?;
                        inserted += 1;
                    }
                }
            }
            tx.commit().await?;
            Ok((inserted, updated, unchanged))
        })
    }

    pub async fn units(&self) -> Result<Vec<UnitRow>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT id, kind, name, full_name, gso_code, parent_id, agency_code, valid_from, \
                 valid_to, schedule, data FROM units ORDER BY id",
            )
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(UnitRow {
                        id: r.try_get("id")?,
                        kind: r.try_get("kind")?,
                        name: r.try_get("name")?,
                        full_name: r.try_get("full_name")?,
                        gso_code: r.try_get("gso_code")?,
                        parent_id: r.try_get("parent_id")?,
                        agency_code: r.try_get("agency_code")?,
                        valid_from: r.try_get("valid_from")?,
                        valid_to: r.try_get("valid_to")?,
                        schedule: r.try_get("schedule")?,
                        data: r.try_get("data")?,
                    })
                })
                .collect()
        })
    }

    // ---- procedures --------------------------------------------------------------------

    /// Inserts new procedures, updates changed ones (by fingerprint), leaves equal ones alone.
    pub async fn upsert_procedures(&self, procedures: &[ProcedureRow]) -> Result<(u64, u64, u64)> {
        let (mut inserted, mut updated, mut unchanged) = (0, 0, 0);
        on_write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for p in procedures {
                let existing: Option<String> =
                    sqlx::query_scalar("SELECT fingerprint FROM procedures WHERE code = $1")
                        .bind(&p.code)
                        .fetch_optional(&mut *tx)
                        .await?;
                let sql = match existing {
                    Some(f) if f == p.fingerprint => {
                        unchanged += 1;
                        continue;
                    }
                    Some(_) => {
                        updated += 1;
                        "UPDATE procedures SET name=$2, name_folded=$3, level=$4, field=$5, online_kind=$6, \
                         fee_bearing=$7, after_15h=$8, quality_flags=$9, fingerprint=$10, data=$11 WHERE code=$1"
                    }
                    None => {
                        inserted += 1;
                        "INSERT INTO procedures (code, name, name_folded, level, field, online_kind, fee_bearing, \
                         after_15h, quality_flags, fingerprint, data) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)"
                    }
                };
                sqlx::query(sql)
                    .bind(&p.code).bind(&p.name).bind(&p.name_folded).bind(&p.level).bind(&p.field)
                    .bind(&p.online_kind).bind(i64::from(p.fee_bearing)).bind(i64::from(p.after_15h))
                    .bind(p.quality_flags).bind(&p.fingerprint).bind(&p.data)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok((inserted, updated, unchanged))
        })
    }

    /// Rewrites one procedure (an administrator's settings), whatever its fingerprint.
    pub async fn replace_procedure(&self, p: &ProcedureRow) -> Result<()> {
        on_write_pool!(self, pool => {
            let done = sqlx::query(
                "UPDATE procedures SET name=$2, name_folded=$3, level=$4, field=$5, online_kind=$6, \
                 fee_bearing=$7, after_15h=$8, quality_flags=$9, fingerprint=$10, data=$11 WHERE code=$1",
            )
            .bind(&p.code).bind(&p.name).bind(&p.name_folded).bind(&p.level).bind(&p.field)
            .bind(&p.online_kind).bind(i64::from(p.fee_bearing)).bind(i64::from(p.after_15h))
            .bind(p.quality_flags).bind(&p.fingerprint).bind(&p.data)
            .execute(pool)
            .await?;
            if done.rows_affected() == 1 {
                Ok(())
            } else {
                Err(StoreError::NotFound(p.code.clone()))
            }
        })
    }

    fn procedure_from_row<R: Row>(r: &R) -> Result<ProcedureRow>
    where
        for<'a> &'a str: sqlx::ColumnIndex<R>,
        for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    {
        Ok(ProcedureRow {
            code: r.try_get("code")?,
            name: r.try_get("name")?,
            name_folded: r.try_get("name_folded")?,
            level: r.try_get("level")?,
            field: r.try_get("field")?,
            online_kind: r.try_get("online_kind")?,
            fee_bearing: r.try_get::<i64, _>("fee_bearing")? != 0,
            after_15h: r.try_get::<i64, _>("after_15h")? != 0,
            quality_flags: r.try_get("quality_flags")?,
            fingerprint: r.try_get("fingerprint")?,
            data: r.try_get("data")?,
        })
    }

    pub async fn procedure(&self, code: &str) -> Result<Option<ProcedureRow>> {
        on_pool!(self, pool => {
            let row = sqlx::query("SELECT * FROM procedures WHERE code = $1")
                .bind(code)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(Self::procedure_from_row).transpose()
        })
    }

    /// Procedures whose code starts with `query` or whose folded name contains every word of
    /// `folded_words`, by code.
    pub async fn search_procedures(
        &self,
        code_prefix: &str,
        folded_words: &[String],
        filter: &ProcedureFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(i64, Vec<ProcedureRow>)> {
        let mut where_sql = String::from("(code LIKE $1");
        let mut n = 2;
        let mut extra: Vec<String> = Vec::new();
        let mut extra_sql = String::new();
        if let Some(field) = &filter.field {
            extra.push(field.clone());
            extra_sql.push_str(&format!(" AND field = ${{F{}}}", extra.len()));
        }
        if let Some(level) = &filter.level {
            extra.push(format!("%\"{}\"%", level.replace(['%', '_', '"'], "")));
            extra_sql.push_str(&format!(" AND level LIKE ${{F{}}}", extra.len()));
        }
        if let Some(kind) = &filter.online_kind {
            extra.push(kind.clone());
            extra_sql.push_str(&format!(" AND online_kind = ${{F{}}}", extra.len()));
        }
        if !folded_words.is_empty() {
            where_sql.push_str(" OR (");
            for (i, _) in folded_words.iter().enumerate() {
                if i > 0 {
                    where_sql.push_str(" AND ");
                }
                where_sql.push_str(&format!("name_folded LIKE ${n}"));
                n += 1;
            }
            where_sql.push(')');
        }
        where_sql.push(')');
        // Filter placeholders are numbered after the words.
        for i in 1..=extra.len() {
            extra_sql = extra_sql.replace(&format!("${{F{i}}}"), &format!("${}", n + i - 1));
        }
        where_sql.push_str(&extra_sql);
        n += extra.len();
        let like_prefix = format!("{}%", code_prefix.replace(['%', '_'], ""));
        let likes: Vec<String> = folded_words
            .iter()
            .map(|w| format!("%{}%", w.replace(['%', '_'], "")))
            .collect();
        on_read_pool!(self, pool => {
            let count_sql = format!("SELECT COUNT(*) FROM procedures WHERE {where_sql}");
            let mut q = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql.clone())).bind(&like_prefix);
            for l in likes.iter().chain(&extra) {
                q = q.bind(l);
            }
            let total = q.fetch_one(pool).await?;
            // Best matches first: the exact name, then names starting with the words, then by
            // length (shorter names are the general procedures), then code.
            let sql = format!(
                "SELECT * FROM procedures WHERE {where_sql} ORDER BY \
                 CASE WHEN name_folded = ${n} THEN 0 WHEN name_folded LIKE ${n} || '%' THEN 1 \
                 WHEN name_folded LIKE '%' || ${n} || '%' THEN 2 ELSE 3 END, \
                 LENGTH(name_folded), code LIMIT ${} OFFSET ${}",
                n + 1,
                n + 2
            );
            let mut q = sqlx::query(AssertSqlSafe(sql.clone())).bind(&like_prefix);
            for l in likes.iter().chain(&extra) {
                q = q.bind(l);
            }
            let phrase = folded_words.join(" ");
            let rows = q.bind(phrase).bind(limit).bind(offset).fetch_all(pool).await?;
            let items = rows.iter().map(Self::procedure_from_row).collect::<Result<Vec<_>>>()?;
            Ok((total, items))
        })
    }

    /// Every field (lĩnh vực) of the catalogue with its number of procedures.
    pub async fn procedure_fields(&self) -> Result<Vec<(String, i64)>> {
        on_read_pool!(self, pool => {
            let rows: Vec<(String, i64)> = sqlx::query_as(
                "SELECT field, COUNT(*) FROM procedures WHERE field <> '' GROUP BY field ORDER BY field",
            )
            .fetch_all(pool)
            .await?;
            Ok(rows)
        })
    }

    // ---- accounts ----------------------------------------------------------------------

    pub async fn insert_account(&self, a: &AccountRow) -> Result<()> {
        on_write_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO accounts (id, username, display_name, title, password_hash, role, unit_id, created_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
            )
            .bind(&a.id).bind(&a.username).bind(&a.display_name).bind(&a.title)
            .bind(&a.password_hash).bind(&a.role).bind(&a.unit_id).bind(&a.created_at)
            .execute(pool)
            .await
            .map_err(|e| dup(e, &a.username))?;
            Ok(())
        })
    }

    async fn account_where(&self, column: &str, value: &str) -> Result<Option<AccountRow>> {
        let sql = format!(
            "SELECT id, username, display_name, title, password_hash, role, unit_id, created_at \
             FROM accounts WHERE {column} = $1"
        );
        on_pool!(self, pool => {
            let row = sqlx::query(AssertSqlSafe(sql.clone())).bind(value).fetch_optional(pool).await?;
            row.as_ref().map(account_row).transpose()
        })
    }

    pub async fn account_by_username(&self, username: &str) -> Result<Option<AccountRow>> {
        self.account_where("username", username).await
    }

    pub async fn account_by_id(&self, id: &str) -> Result<Option<AccountRow>> {
        self.account_where("id", id).await
    }

    pub async fn insert_token(
        &self,
        token_hash: &str,
        account_id: &str,
        created_at: &str,
        expires_at: &str,
    ) -> Result<()> {
        on_write_pool!(self, pool => {
            sqlx::query("INSERT INTO api_tokens (token_hash, account_id, created_at, expires_at) VALUES ($1,$2,$3,$4)")
                .bind(token_hash).bind(account_id).bind(created_at).bind(expires_at)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Revokes a token; true if it existed.
    pub async fn delete_token(&self, token_hash: &str) -> Result<bool> {
        on_write_pool!(self, pool => {
            let done = sqlx::query("DELETE FROM api_tokens WHERE token_hash = $1")
                .bind(token_hash)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// The account owning an unexpired token.
    pub async fn account_by_token(
        &self,
        token_hash: &str,
        now: &str,
    ) -> Result<Option<AccountRow>> {
        let id: Option<String> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT account_id FROM api_tokens WHERE token_hash = $1 AND expires_at > $2")
                .bind(token_hash)
                .bind(now)
                .fetch_optional(pool)
                .await?
        });
        match id {
            Some(id) => self.account_by_id(&id).await,
            None => Ok(None),
        }
    }

    // ---- dossiers ----------------------------------------------------------------------

    /// The next sequence number of dossiers received by an agency on a day; atomic under
    /// concurrency (one row per agency and day, incremented in place).
    pub async fn next_dossier_seq(&self, agency_code: &str, day: &str) -> Result<u32> {
        on_write_pool!(self, pool => {
            let n: i64 = sqlx::query_scalar(
                "INSERT INTO dossier_code_seq (agency_code, day, last) VALUES ($1, $2, 1) \
                 ON CONFLICT (agency_code, day) DO UPDATE SET last = dossier_code_seq.last + 1 \
                 RETURNING last",
            )
            .bind(agency_code)
            .bind(day)
            .fetch_one(pool)
            .await?;
            u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("sequence {n}")))
        })
    }

    /// Stores a new dossier: its projection and its first event, in one transaction.
    pub async fn insert_dossier(
        &self,
        dossier: &Dossier,
        first: &Event,
        secret_hash: &str,
        owner_account: Option<&str>,
        projected: &Projected,
        files: &[NewAttachment],
    ) -> Result<()> {
        self.write_dossiers(&[DossierWrite {
            dossier: dossier.clone(),
            events: vec![first.clone()],
            expected_version: None,
            secret_hash: secret_hash.to_owned(),
            owner_account: owner_account.map(str::to_owned),
            projected: projected.clone(),
            files: files.to_vec(),
        }])
        .await
    }

    /// Stores whole dossier histories (projection and every event) many per transaction: for
    /// imports and benchmarks that load history much faster than one transaction per dossier.
    /// Past history is not sent to the exchanges unless asked: only the outbox messages a
    /// history's `projected.outbox` carries are enqueued (the demo and benchmarks carry none).
    pub async fn insert_histories(&self, items: &[StoredHistory]) -> Result<()> {
        let writes: Vec<DossierWrite> = items
            .iter()
            .map(|h| DossierWrite {
                dossier: h.dossier.clone(),
                events: h.events.clone(),
                expected_version: None,
                secret_hash: h.secret_hash.clone(),
                owner_account: h.owner_account.clone(),
                projected: h.projected.clone(),
                files: Vec::new(),
            })
            .collect();
        self.write_dossiers(&writes).await
    }

    pub(crate) async fn insert_attachment<'c, DB>(
        tx: &mut sqlx::Transaction<'c, DB>,
        e: &Event,
        f: &NewAttachment,
    ) -> Result<()>
    where
        DB: sqlx::Database,
        for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
        for<'e> &'e mut <DB as sqlx::Database>::Connection: sqlx::Executor<'e, Database = DB>,
        for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        for<'q> Vec<u8>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        let size = i64::try_from(f.content.len())
            .map_err(|_| StoreError::Corrupt("attachment too large".into()))?;
        sqlx::query(
            "INSERT INTO attachments (id, dossier_code, event_seq, component, file_name, content_type, \
             size_bytes, sha256, content, uploaded_by, uploaded_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
        )
        .bind(f.id.clone())
        .bind(e.body.dossier.clone())
        .bind(i64::from(e.body.seq))
        .bind(f.component.clone())
        .bind(f.file_name.clone())
        .bind(f.content_type.clone())
        .bind(size)
        .bind(f.sha256.clone())
        .bind(f.content.clone())
        .bind(e.body.actor.account.clone())
        .bind(civil(e.body.at))
        .execute(&mut **tx)
        .await
        .map_err(|err| dup(err, &f.id))?;
        Ok(())
    }

    /// Appends an event and rewrites the projection, in one transaction, if nobody else moved
    /// the dossier past `expected_version` first.
    pub async fn append_event(
        &self,
        dossier: &Dossier,
        event: &Event,
        expected_version: u32,
        projected: &Projected,
        files: &[NewAttachment],
    ) -> Result<()> {
        self.write_dossiers(&[DossierWrite {
            dossier: dossier.clone(),
            events: vec![event.clone()],
            expected_version: Some(expected_version),
            secret_hash: String::new(),
            owner_account: None,
            projected: projected.clone(),
            files: files.to_vec(),
        }])
        .await
    }

    /// A dossier's events in order, read back from their canonical bytes.
    pub async fn events(&self, code: &str) -> Result<Vec<Event>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT dossier_code, seq, at, kind, unit_id, canonical, prev_hash, hash \
                 FROM dossier_events WHERE dossier_code = $1 ORDER BY seq",
            )
            .bind(code)
            .fetch_all(pool)
            .await?;
            rows.iter().map(event_row).collect()
        })
    }

    /// The dossier rebuilt from its events (the truth), with its stored metadata.
    pub async fn dossier(&self, code: &str) -> Result<Option<(Dossier, DossierMeta)>> {
        Ok(self
            .dossier_with_events(code)
            .await?
            .map(|(d, m, _)| (d, m)))
    }

    /// As [`dossier`](Self::dossier), with the events it was rebuilt from: one query.
    pub async fn dossier_with_events(
        &self,
        code: &str,
    ) -> Result<Option<(Dossier, DossierMeta, Vec<Event>)>> {
        Ok(self
            .dossiers_with_events(&[code.to_owned()])
            .await?
            .into_iter()
            .next())
    }

    /// Many dossiers rebuilt from their events, with their metadata, in the order of their
    /// codes; unknown codes are left out. One query per 500 codes.
    pub async fn dossiers_with_events(
        &self,
        codes: &[String],
    ) -> Result<Vec<(Dossier, DossierMeta, Vec<Event>)>> {
        let anonymous = self.anonymous_marks();
        let mut out = Vec::with_capacity(codes.len());
        for chunk in codes.chunks(500) {
            let marks: Vec<String> = (1..=chunk.len())
                .map(|i| {
                    if anonymous {
                        "?".to_owned()
                    } else {
                        format!("${i}")
                    }
                })
                .collect();
            // LEFT JOIN: a row without events is reported as corrupt, not as missing. The codes
            // are repeated on the events' side so PostgreSQL probes each event partition's key
            // instead of hashing every event (no partition key is known from a code alone).
            let list = marks.join(", ");
            let sql = format!(
                "SELECT d.code AS dossier_code, d.secret_hash, d.owner_account, d.due_at, \
                 e.seq, e.at, e.kind, e.unit_id, e.canonical, e.prev_hash, e.hash \
                 FROM dossiers d LEFT JOIN dossier_events e \
                 ON e.dossier_code = d.code AND e.dossier_code IN ({list}) \
                 WHERE d.code IN ({list}) ORDER BY d.code, e.seq"
            );
            on_pool!(self, pool => {
                let mut q = sqlx::query(AssertSqlSafe(sql));
                // `?` marks are positional: the codes once for each list; `$n` marks are reused.
                let passes = if anonymous { 2 } else { 1 };
                for _ in 0..passes {
                    for c in chunk {
                        q = q.bind(c.clone());
                    }
                }
                let rows = q.fetch_all(pool).await?;
                let mut current: Option<(String, DossierMeta, Vec<Event>)> = None;
                let mut done: std::collections::HashMap<String, (Dossier, DossierMeta, Vec<Event>)> =
                    std::collections::HashMap::new();
                for r in &rows {
                    let code: String = r.try_get("dossier_code")?;
                    if current.as_ref().is_none_or(|(c, _, _)| *c != code) {
                        if let Some((c, meta, events)) = current.take() {
                            done.insert(c.clone(), rebuild(&c, meta, events)?);
                        }
                        current = Some((
                            code.clone(),
                            DossierMeta {
                                secret_hash: r.try_get("secret_hash")?,
                                owner_account: r.try_get("owner_account")?,
                                due_at: r.try_get("due_at")?,
                            },
                            Vec::new(),
                        ));
                    }
                    let seq: Option<i64> = r.try_get("seq")?;
                    if seq.is_some()
                        && let Some((_, _, events)) = current.as_mut()
                    {
                        events.push(event_row(r)?);
                    }
                }
                if let Some((c, meta, events)) = current.take() {
                    done.insert(c.clone(), rebuild(&c, meta, events)?);
                }
                for c in chunk {
                    if let Some(x) = done.remove(c) {
                        out.push(x);
                    }
                }
            });
        }
        Ok(out)
    }

    /// Lists dossiers with filters, newest first, and the total count.
    pub async fn list_dossiers(&self, f: &DossierFilter) -> Result<(i64, Vec<DossierSummary>)> {
        let mut clauses: Vec<String> = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        let arg = |binds: &mut Vec<String>, v: String| {
            binds.push(v);
            format!("${}", binds.len())
        };
        if let Some(units) = &f.units {
            if units.is_empty() {
                return Ok((0, Vec::new()));
            }
            let list: Vec<String> = units.iter().map(|u| arg(&mut binds, u.clone())).collect();
            let list = list.join(",");
            clauses.push(format!(
                "(current_unit IN ({list}) OR receiving_unit IN ({list}))"
            ));
        }
        if let Some(owner) = &f.owner_account {
            let a = arg(&mut binds, owner.clone());
            clauses.push(format!("owner_account = {a}"));
        }
        if let Some(p) = &f.procedure_code {
            let a = arg(&mut binds, p.clone());
            clauses.push(format!("procedure_code = {a}"));
        }
        if let Some(from) = &f.from {
            let a = arg(&mut binds, from.clone());
            clauses.push(format!("submitted_at >= {a}"));
        }
        if let Some(to) = &f.to {
            let a = arg(&mut binds, to.clone());
            clauses.push(format!("submitted_at < {a}"));
        }
        let status_clause = f.status.map(|_| format!("status = ${}", binds.len() + 1));
        if let Some(c) = &status_clause {
            clauses.push(c.clone());
        }
        let where_sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let n = binds.len() + usize::from(f.status.is_some());
        on_pool!(self, pool => {
            let count_sql = format!("SELECT COUNT(*) FROM dossiers {where_sql}");
            let mut q = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql.clone()));
            for b in &binds {
                q = q.bind(b);
            }
            if let Some(s) = f.status {
                q = q.bind(s);
            }
            let total = q.fetch_one(pool).await?;
            let sql = format!(
                "SELECT code, procedure_code, status, channel, applicant_name, receiving_unit, current_unit, \
                 assignee, submitted_at, received_at, due_at, finished_at, version FROM dossiers {where_sql} \
                 ORDER BY submitted_at DESC, code DESC LIMIT ${} OFFSET ${}",
                n + 1,
                n + 2
            );
            let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
            for b in &binds {
                q = q.bind(b);
            }
            if let Some(s) = f.status {
                q = q.bind(s);
            }
            let rows = q.bind(f.limit).bind(f.offset).fetch_all(pool).await?;
            let items = rows
                .iter()
                .map(|r| {
                    Ok(DossierSummary {
                        code: r.try_get("code")?,
                        procedure_code: r.try_get("procedure_code")?,
                        status: r.try_get("status")?,
                        channel: r.try_get("channel")?,
                        applicant_name: r.try_get("applicant_name")?,
                        receiving_unit: r.try_get("receiving_unit")?,
                        current_unit: r.try_get("current_unit")?,
                        assignee: r.try_get("assignee")?,
                        submitted_at: r.try_get("submitted_at")?,
                        received_at: r.try_get("received_at")?,
                        due_at: r.try_get("due_at")?,
                        finished_at: r.try_get("finished_at")?,
                        version: r.try_get("version")?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok((total, items))
        })
    }

    /// Walks every dossier's chain and checks that the projection points at the chain's end.
    pub async fn audit_verify(&self) -> Result<AuditReport> {
        let heads: Vec<(String, i64, String)> = on_pool!(self, pool => {
            let rows = sqlx::query("SELECT code, version, last_hash FROM dossiers ORDER BY code")
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| Ok((r.try_get("code")?, r.try_get("version")?, r.try_get("last_hash")?)))
                .collect::<Result<Vec<_>>>()?
        });
        let mut report = AuditReport::default();
        // Events a thousand dossiers at a time, by a range of the key (codes are in order),
        // instead of one query per dossier.
        for chunk in heads.chunks(1_000) {
            let (Some(first), Some(last)) = (chunk.first(), chunk.last()) else {
                continue;
            };
            let rows: Vec<(String, Event)> = on_pool!(self, pool => {
                let rows = sqlx::query(
                    "SELECT dossier_code, seq, at, kind, unit_id, canonical, prev_hash, hash \
                     FROM dossier_events WHERE dossier_code >= $1 AND dossier_code <= $2 \
                     ORDER BY dossier_code, seq",
                )
                .bind(first.0.clone())
                .bind(last.0.clone())
                .fetch_all(pool)
                .await?;
                rows.iter()
                    .map(|r| Ok((r.try_get("dossier_code")?, event_row(r)?)))
                    .collect::<Result<Vec<_>>>()?
            });
            let mut by_code: std::collections::HashMap<String, Vec<Event>> =
                std::collections::HashMap::new();
            for (code, e) in rows {
                by_code.entry(code).or_default().push(e);
            }
            for (code, version, last_hash) in chunk {
                let events = by_code.remove(code).unwrap_or_default();
                check_chain(&mut report, code, *version, last_hash, &events);
            }
        }
        Ok(report)
    }

    /// Runs a raw statement: for tests that tamper with data on purpose.
    #[doc(hidden)]
    pub async fn execute_raw_for_tests(&self, sql: &str) -> Result<u64> {
        on_write_pool!(self, pool => Ok(sqlx::raw_sql(AssertSqlSafe(sql.to_owned())).execute(pool).await?.rows_affected()))
    }

    /// Appends a space to one stored event's canonical text, as a hand edit would: the
    /// hash no longer matches. For tests of the audit and the migration's check; returns
    /// the rows changed (1, or 0 for no such event).
    #[doc(hidden)]
    pub async fn tamper_event_for_tests(&self, dossier_code: &str, seq: u32) -> Result<u64> {
        on_write_pool!(self, pool => Ok(sqlx::query(
            "UPDATE dossier_events SET canonical = canonical || ' ' \
             WHERE dossier_code = $1 AND seq = $2",
        )
        .bind(dossier_code)
        .bind(i64::from(seq))
        .execute(pool)
        .await?
        .rows_affected()))
    }

    // ---- export ------------------------------------------------------------------------

    /// One page of dossiers for export, in code order after `after_code` (keyset pagination:
    /// any number of dossiers streams in constant memory). Each row holds the stored
    /// projection (`state` JSON), the stored due date, and the number and last hash of the
    /// dossier's events. `active_from` / `active_to` (ISO civil times) keep only the dossiers
    /// present in a period: submitted before `active_to` and not finished before `active_from`.
    pub async fn dossier_states_after(
        &self,
        after_code: Option<&str>,
        active_from: Option<&str>,
        active_to: Option<&str>,
        limit: i64,
    ) -> Result<Vec<DossierStateRow>> {
        let mut clauses: Vec<String> = Vec::new();
        let mut binds: Vec<&str> = Vec::new();
        // (value, SQL before the placeholder, SQL after it)
        let conditions = [
            (after_code, "d.code > ", ""),
            (
                active_from,
                "(d.finished_at IS NULL OR d.finished_at >= ",
                ")",
            ),
            (active_to, "d.submitted_at < ", ""),
        ];
        for (value, before, after) in conditions {
            if let Some(v) = value {
                binds.push(v);
                clauses.push(format!("{before}${}{after}", binds.len()));
            }
        }
        let where_sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let sql = format!(
            "SELECT d.code, d.state, d.due_at, d.last_hash, \
             (SELECT COUNT(*) FROM dossier_events e WHERE e.dossier_code = d.code) AS event_count, \
             (SELECT e.hash FROM dossier_events e WHERE e.dossier_code = d.code \
              ORDER BY e.seq DESC LIMIT 1) AS event_hash \
             FROM dossiers d {where_sql} ORDER BY d.code LIMIT ${}",
            binds.len() + 1
        );
        on_pool!(self, pool => {
            let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
            for b in &binds {
                q = q.bind(*b);
            }
            let rows = q.bind(limit).fetch_all(pool).await?;
            rows.iter()
                .map(|r| {
                    let last_hash: String = r.try_get("last_hash")?;
                    let event_hash: Option<String> = r.try_get("event_hash")?;
                    Ok(DossierStateRow {
                        code: r.try_get("code")?,
                        state: r.try_get("state")?,
                        due_at: r.try_get("due_at")?,
                        event_count: r.try_get("event_count")?,
                        last_event_hash: event_hash.unwrap_or(last_hash),
                    })
                })
                .collect()
        })
    }
}

/// A dossier as exported: its stored projection and its chain's length and head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierStateRow {
    pub code: String,
    /// The projection as stored with the last event (the domain's `Dossier` as JSON).
    pub state: String,
    /// The due date stored with the last event (ISO civil time).
    pub due_at: Option<String>,
    /// Events stored for the dossier.
    pub event_count: i64,
    /// Hash of the dossier's last stored event (the projection's `last_hash` if none).
    pub last_event_hash: String,
}
