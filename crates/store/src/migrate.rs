//! Moving a province from its embedded database to PostgreSQL (`cchc migrate
//! sqlite-to-postgres`): every application table of a SQLite store copied into a PostgreSQL
//! store that is migrated and holds no data, then the copy checked — row counts per table, the
//! head of every dossier's and PAKN's hash chain compared through an order-independent
//! digest, and every chain re-hashed on the target.
//!
//! Nothing here lists the tables: they, their columns, their keys and the foreign-key order
//! come from both catalogues, so a table added by a later migration is copied (or refused
//! loudly) without touching this file. A table present on one side only (the PostgreSQL-only
//! `dossier_keys` registry) is skipped and reported; a table that already holds rows when its
//! turn comes was filled by a trigger on an earlier table and is only counted.
//!
//! The copy streams: the source is read in key order, a page at a time, inside one read
//! transaction (one consistent snapshot, even if the server keeps writing), encoded as
//! PostgreSQL `COPY … FROM STDIN` text while the previous page is being sent (a table that
//! fits in one page goes in multi-row INSERTs instead, see `Piece`), and written in one
//! target transaction — a failure leaves the target as it was. Memory stays bounded by a few
//! pages whatever the size of the tables.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use cchc_domain::dossier::chain_hash;
use serde::Serialize;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::{AssertSqlSafe, Pool, Postgres, Row, Sqlite, TypeInfo as _, ValueRef as _};
use tokio::sync::mpsc;

use crate::{Backend, Store, StoreError};

/// Why a copy could not be made or checked.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("chỉ chép được từ SQLite (sqlite://…) sang PostgreSQL (postgres://…)")]
    Backends,
    #[error(
        "cơ sở dữ liệu đích đã có dữ liệu (bảng {0}); chỉ chép vào một cơ sở dữ liệu \
         PostgreSQL mới, chưa có dữ liệu — không ghi gì"
    )]
    TargetNotEmpty(String),
    #[error(
        "cơ sở dữ liệu đích chưa có phiên bản lược đồ {0} của nguồn; hãy dùng bản cchc mới \
         hơn — không ghi gì"
    )]
    SchemaBehind(String),
    #[error(
        "bảng {table}: cột {columns} của nguồn không có ở đích; chép sẽ mất dữ liệu — không ghi gì"
    )]
    MissingColumns { table: String, columns: String },
    #[error(
        "bảng {0} của nguồn có dữ liệu nhưng không có ở đích; chép sẽ mất dữ liệu — không ghi gì"
    )]
    MissingTables(String),
    #[error("không xác định được thứ tự chép: các bảng {0} tham chiếu vòng tròn")]
    ForeignKeyCycle(String),
    #[error("bảng {table}, cột {column}: {detail}")]
    Value {
        table: String,
        column: String,
        detail: String,
    },
    #[error("bảng {table}: {source}")]
    Table {
        table: String,
        #[source]
        source: sqlx::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for MigrateError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(StoreError::Db(e))
    }
}

type Result<T> = std::result::Result<T, MigrateError>;

/// One table as copied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableCopy {
    pub table: String,
    pub rows: u64,
    pub seconds: f64,
    /// Already filled (by a trigger on a table copied before): counted, not copied.
    pub filled_by_trigger: bool,
}

/// A table of one side that the copy left alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedTable {
    pub table: String,
    /// `source` or `target`: the only side that has it.
    pub only_in: &'static str,
}

/// What the copy did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CopyOutcome {
    /// In copy order (parents before the tables that point at them).
    pub tables: Vec<TableCopy>,
    pub skipped: Vec<SkippedTable>,
    /// Rows written (the tables filled by triggers not included).
    pub rows: u64,
    /// Sequences set past the copied keys: `table.column = last value`.
    pub sequences: Vec<String>,
    /// Monthly partitions created beforehand for the months of the data (PostgreSQL's
    /// partitioned tables; 0 when there are none or they existed).
    pub partitions_created: u64,
    /// From the first read to the commit.
    pub seconds: f64,
    pub rows_per_second: f64,
    /// Refreshing the planner's statistics after the commit.
    pub analyze_seconds: f64,
}

/// One table's row counts on both sides (None: the side has no such table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableCheck {
    pub table: String,
    pub source_rows: Option<i64>,
    pub target_rows: Option<i64>,
    /// Equal counts; a table of the target only is not compared; a table of the source only
    /// must be empty.
    pub ok: bool,
}

/// The hash chains of one kind (dossiers, PAKN) on both sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainCheck {
    /// Dossiers (or PAKN) on each side.
    pub source_items: u64,
    pub target_items: u64,
    /// SHA-256 over every (code, version, recorded head, last event's hash), independent of
    /// row order, on each side.
    pub source_digest: String,
    pub target_digest: String,
    pub heads_match: bool,
    /// Events re-hashed on the target.
    pub target_events: u64,
    /// The first broken link of each broken chain on the target.
    pub broken: Vec<String>,
    /// When the target has broken chains: the source's (already broken there, so not by the
    /// copy, when they are the same).
    pub broken_in_source: Option<Vec<String>>,
    pub ok: bool,
}

/// The check of a copy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CopyCheck {
    /// Every table of either side (but `schema_migrations`), by name.
    pub tables: Vec<TableCheck>,
    pub dossiers: ChainCheck,
    pub pakn: ChainCheck,
    pub seconds: f64,
    pub ok: bool,
}

/// A copy (unless only checking) and its check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransferReport {
    pub copy: Option<CopyOutcome>,
    pub check: CopyCheck,
    /// The check passed.
    pub ok: bool,
}

/// Copies `source` (SQLite) into `target` (PostgreSQL, migrated, empty) unless
/// `verify_only`, then checks the copy.
pub async fn sqlite_to_postgres(
    source: &Store,
    target: &Store,
    verify_only: bool,
) -> Result<TransferReport> {
    let copy = if verify_only {
        None
    } else {
        Some(copy_to_postgres(source, target).await?)
    };
    let check = verify_copy(source, target).await?;
    Ok(TransferReport {
        copy,
        ok: check.ok,
        check,
    })
}

fn pools<'a>(
    source: &'a Store,
    target: &'a Store,
) -> Result<(&'a Pool<Sqlite>, &'a Pool<Postgres>)> {
    match (&source.backend, &target.backend) {
        (Backend::Sqlite(s), Backend::Postgres(t)) => Ok((s, t)),
        _ => Err(MigrateError::Backends),
    }
}

/// `"name"`: identifiers come from the catalogues, quoted so that any name is taken literally.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

// ---- catalogues -----------------------------------------------------------------------------

/// A source table: its columns in order and the key it is read in.
#[derive(Debug, Clone)]
struct SourceTable {
    columns: Vec<String>,
    /// The primary key of a WITHOUT ROWID table; empty: read in rowid order.
    key: Vec<String>,
    has_blobs: bool,
}

/// How a value is written for a target column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Integer,
    Float,
    Bool,
    Bytes,
    /// Text, JSON and anything else PostgreSQL parses from text.
    Text,
}

/// From `format_type()`: `bigint`, `numeric(10,2)`, `character varying(20)`, ….
fn target_kind(sql_type: &str) -> Target {
    let base = sql_type.split('(').next().unwrap_or(sql_type).trim();
    match base {
        "bigint" | "integer" | "smallint" => Target::Integer,
        "double precision" | "real" | "numeric" => Target::Float,
        "boolean" => Target::Bool,
        "bytea" => Target::Bytes,
        _ => Target::Text,
    }
}

#[derive(Debug, Clone)]
struct TargetColumn {
    name: String,
    kind: Target,
    /// The column's type as SQL (`format_type()`), to cast a text value to.
    sql_type: String,
    /// GENERATED ALWAYS AS (…) STORED: computed by the target, never written.
    generated: bool,
}

fn source_table_names_sql() -> &'static str {
    r"SELECT name, sql FROM sqlite_master WHERE type = 'table'
      AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'schema_migrations'"
}

async fn source_tables(pool: &Pool<Sqlite>) -> Result<BTreeMap<String, SourceTable>> {
    let rows = sqlx::query(source_table_names_sql())
        .fetch_all(pool)
        .await?;
    let mut out = BTreeMap::new();
    for r in rows {
        let name: String = r.try_get("name")?;
        let sql: Option<String> = r.try_get("sql")?;
        let without_rowid = sql
            .unwrap_or_default()
            .to_ascii_uppercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains("WITHOUT ROWID");
        let cols = sqlx::query("SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid")
            .bind(&name)
            .fetch_all(pool)
            .await?;
        let mut columns = Vec::new();
        let mut key: Vec<(i64, String)> = Vec::new();
        let mut has_blobs = false;
        for c in cols {
            let col: String = c.try_get("name")?;
            let ty: String = c.try_get("type")?;
            let pk: i64 = c.try_get("pk")?;
            has_blobs |= ty.eq_ignore_ascii_case("BLOB");
            if pk > 0 {
                key.push((pk, col.clone()));
            }
            columns.push(col);
        }
        key.sort();
        out.insert(
            name,
            SourceTable {
                columns,
                key: if without_rowid {
                    key.into_iter().map(|(_, c)| c).collect()
                } else {
                    Vec::new()
                },
                has_blobs,
            },
        );
    }
    Ok(out)
}

/// The target's tables (partitioned parents, not their partitions) and their columns.
async fn target_tables(pool: &Pool<Postgres>) -> Result<BTreeMap<String, Vec<TargetColumn>>> {
    let rows = sqlx::query(
        "SELECT c.relname::text AS t, a.attname::text AS c, \
         format_type(a.atttypid, a.atttypmod) AS ty, a.attgenerated <> '' AS g \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition \
         AND c.relname <> 'schema_migrations' ORDER BY c.relname, a.attnum",
    )
    .fetch_all(pool)
    .await?;
    let mut out: BTreeMap<String, Vec<TargetColumn>> = BTreeMap::new();
    for r in rows {
        let list = out.entry(r.try_get("t")?).or_default();
        let Some(name) = r.try_get::<Option<String>, _>("c")? else {
            continue;
        };
        let sql_type: String = r.try_get("ty")?;
        list.push(TargetColumn {
            name,
            kind: target_kind(&sql_type),
            sql_type,
            generated: r.try_get("g")?,
        });
    }
    Ok(out)
}

/// (child, parent) foreign keys of both sides: the target's are what it enforces; the
/// source's also order tables whose target key points at a registry filled by a trigger
/// (`dossier_events` → `dossier_keys`, filled from `dossiers`).
async fn foreign_keys(
    src: &Pool<Sqlite>,
    dst: &Pool<Postgres>,
) -> Result<BTreeSet<(String, String)>> {
    let mut edges = BTreeSet::new();
    let rows = sqlx::query(
        "SELECT m.name AS child, f.\"table\" AS parent FROM sqlite_master m \
         JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'",
    )
    .fetch_all(src)
    .await?;
    for r in rows {
        edges.insert((r.try_get("child")?, r.try_get("parent")?));
    }
    let rows = sqlx::query(
        "SELECT ch.relname::text AS child, pa.relname::text AS parent FROM pg_constraint c \
         JOIN pg_class ch ON ch.oid = c.conrelid JOIN pg_class pa ON pa.oid = c.confrelid \
         JOIN pg_namespace n ON n.oid = ch.relnamespace \
         WHERE c.contype = 'f' AND n.nspname = current_schema()",
    )
    .fetch_all(dst)
    .await?;
    for r in rows {
        edges.insert((r.try_get("child")?, r.try_get("parent")?));
    }
    Ok(edges)
}

/// Parents before children, by name within a level (a stable order). A table pointing at
/// itself (`units.parent_id`) is fine: one COPY is one statement, and PostgreSQL checks a
/// foreign key at the end of the statement.
fn fk_order(tables: &BTreeSet<String>, edges: &BTreeSet<(String, String)>) -> Result<Vec<String>> {
    let mut deps: BTreeMap<&str, BTreeSet<&str>> = tables
        .iter()
        .map(|t| (t.as_str(), BTreeSet::new()))
        .collect();
    for (child, parent) in edges {
        if child != parent
            && tables.contains(parent)
            && let Some(d) = deps.get_mut(child.as_str())
        {
            d.insert(parent.as_str());
        }
    }
    let mut order: Vec<String> = Vec::new();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    while done.len() < deps.len() {
        let ready: Vec<&str> = deps
            .iter()
            .filter(|(t, d)| !done.contains(*t) && d.iter().all(|p| done.contains(p)))
            .map(|(t, _)| *t)
            .collect();
        if ready.is_empty() {
            let left: Vec<&str> = deps
                .keys()
                .filter(|t| !done.contains(*t))
                .copied()
                .collect();
            return Err(MigrateError::ForeignKeyCycle(left.join(", ")));
        }
        for t in ready {
            done.insert(t);
            order.push(t.to_owned());
        }
    }
    Ok(order)
}

// ---- the plan ---------------------------------------------------------------------------

/// How one table is read and written.
#[derive(Debug, Clone)]
struct TablePlan {
    table: String,
    /// Key expressions read first in every page (`rowid`, or the primary key's columns).
    key_len: usize,
    /// The copied columns, after the key in the select list.
    columns: Vec<(String, Target)>,
    first_sql: String,
    next_sql: String,
    copy_sql: String,
    /// `INSERT INTO t (…) VALUES ` and each column's cast of a text value.
    insert_sql: String,
    casts: Vec<String>,
    has_blobs: bool,
}

fn plan_table(table: &str, src: &SourceTable, dst: &[TargetColumn]) -> Result<TablePlan> {
    let by_name: BTreeMap<&str, &TargetColumn> = dst.iter().map(|c| (c.name.as_str(), c)).collect();
    let missing: Vec<&str> = src
        .columns
        .iter()
        .filter(|c| !by_name.contains_key(c.as_str()))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(MigrateError::MissingColumns {
            table: table.to_owned(),
            columns: missing.join(", "),
        });
    }
    let written: Vec<&TargetColumn> = src
        .columns
        .iter()
        .filter_map(|c| by_name.get(c.as_str()).copied())
        .filter(|t| !t.generated)
        .collect();
    let columns: Vec<(String, Target)> = written.iter().map(|t| (t.name.clone(), t.kind)).collect();
    let casts: Vec<String> = written.iter().map(|t| t.sql_type.clone()).collect();
    let keys: Vec<String> = if src.key.is_empty() {
        vec!["rowid".to_owned()]
    } else {
        src.key.iter().map(|k| quoted(k)).collect()
    };
    let select: Vec<String> = keys
        .iter()
        .cloned()
        .chain(columns.iter().map(|(c, _)| quoted(c)))
        .collect();
    let keys_sql = keys.join(", ");
    let marks: Vec<String> = (1..=keys.len()).map(|i| format!("${i}")).collect();
    let first_sql = format!(
        "SELECT {} FROM {} ORDER BY {keys_sql} LIMIT $1",
        select.join(", "),
        quoted(table)
    );
    let next_sql = format!(
        "SELECT {} FROM {} WHERE ({keys_sql}) > ({}) ORDER BY {keys_sql} LIMIT ${}",
        select.join(", "),
        quoted(table),
        marks.join(", "),
        keys.len() + 1
    );
    let names: Vec<String> = columns.iter().map(|(c, _)| quoted(c)).collect();
    let copy_sql = format!("COPY {} ({}) FROM STDIN", quoted(table), names.join(", "));
    let insert_sql = format!(
        "INSERT INTO {} ({}) VALUES ",
        quoted(table),
        names.join(", ")
    );
    Ok(TablePlan {
        table: table.to_owned(),
        key_len: keys.len(),
        columns,
        first_sql,
        next_sql,
        copy_sql,
        insert_sql,
        casts,
        has_blobs: src.has_blobs,
    })
}

/// The tables to copy in order, and those of one side only.
struct Plan {
    tables: Vec<TablePlan>,
    skipped: Vec<SkippedTable>,
}

async fn plan(src: &Pool<Sqlite>, dst: &Pool<Postgres>) -> Result<Plan> {
    let source = source_tables(src).await?;
    let target = target_tables(dst).await?;
    let mut skipped = Vec::new();
    let mut lost = Vec::new();
    for name in source.keys().filter(|t| !target.contains_key(*t)) {
        let n = count_source(src, name).await?;
        if n > 0 {
            lost.push(format!("{name} ({n} dòng)"));
        }
        skipped.push(SkippedTable {
            table: name.clone(),
            only_in: "source",
        });
    }
    if !lost.is_empty() {
        return Err(MigrateError::MissingTables(lost.join(", ")));
    }
    for name in target.keys().filter(|t| !source.contains_key(*t)) {
        skipped.push(SkippedTable {
            table: name.clone(),
            only_in: "target",
        });
    }
    let common: BTreeSet<String> = source
        .keys()
        .filter(|t| target.contains_key(*t))
        .cloned()
        .collect();
    let order = fk_order(&common, &foreign_keys(src, dst).await?)?;
    let mut tables = Vec::new();
    for name in order {
        if let (Some(s), Some(t)) = (source.get(&name), target.get(&name)) {
            tables.push(plan_table(&name, s, t)?);
        }
    }
    Ok(Plan { tables, skipped })
}

async fn count_source(pool: &Pool<Sqlite>, table: &str) -> Result<i64> {
    let sql = format!("SELECT COUNT(*) FROM {}", quoted(table));
    Ok(sqlx::query_scalar(AssertSqlSafe(sql))
        .fetch_one(pool)
        .await?)
}

async fn count_target(pool: &Pool<Postgres>, table: &str) -> Result<i64> {
    let sql = format!("SELECT COUNT(*) FROM {}", quoted(table));
    Ok(sqlx::query_scalar(AssertSqlSafe(sql))
        .fetch_one(pool)
        .await?)
}

// ---- the copy ---------------------------------------------------------------------------

/// Copies every application table of `source` (SQLite) into `target` (PostgreSQL), which
/// must be migrated at least as far as the source and hold no rows in any table both have;
/// otherwise nothing is written.
pub async fn copy_to_postgres(source: &Store, target: &Store) -> Result<CopyOutcome> {
    let (src, dst) = pools(source, target)?;
    check_versions(src, dst).await?;
    let plan = plan(src, dst).await?;
    refuse_non_empty(dst, &plan.tables).await?;

    // Partitions for the months of the data, before the target transaction: creating one
    // locks the parent, which that transaction is about to hold. Month by month, as migration
    // 0009 does: a stray date decades off costs one partition, not every month in between.
    let mut partitions_created = 0;
    for month in source_months(src).await? {
        partitions_created += target.ensure_partitions(month, month).await?;
    }

    let started = Instant::now();
    let mut dst_tx = dst.begin().await?;
    // Again inside the transaction, against a load started meanwhile.
    for t in &plan.tables {
        if exists_any(&mut dst_tx, &t.table).await? {
            return Err(MigrateError::TargetNotEmpty(t.table.clone()));
        }
    }
    // One snapshot of the source for every table.
    let mut src_tx = src.begin().await?;
    let (sender, receiver) = mpsc::channel(4);
    let ((), tables) = tokio::try_join!(
        read_tables(&mut src_tx, &plan.tables, sender),
        write_tables(&mut dst_tx, &plan.tables, receiver),
    )?;
    src_tx.rollback().await?;
    let sequences = reset_sequences(src, &mut dst_tx, &plan.tables).await?;
    dst_tx.commit().await?;
    let seconds = started.elapsed().as_secs_f64();

    // A bulk load leaves the planner without statistics until autovacuum comes by.
    let analyzed = Instant::now();
    // The whole database: the registries filled by triggers and the partitions too.
    sqlx::raw_sql("ANALYZE").execute(dst).await?;
    let rows: u64 = tables
        .iter()
        .filter(|t| !t.filled_by_trigger)
        .map(|t| t.rows)
        .sum();
    Ok(CopyOutcome {
        rows,
        rows_per_second: if seconds > 0.0 {
            rows as f64 / seconds
        } else {
            0.0
        },
        tables,
        skipped: plan.skipped,
        sequences,
        partitions_created,
        seconds,
        analyze_seconds: analyzed.elapsed().as_secs_f64(),
    })
}

/// Every schema version applied to the source must be applied to the target (the target
/// may have more: PostgreSQL-only migrations).
async fn check_versions(src: &Pool<Sqlite>, dst: &Pool<Postgres>) -> Result<()> {
    let of_source: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations")
        .fetch_all(src)
        .await?;
    let of_target: BTreeSet<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations")
        .fetch_all(dst)
        .await?
        .into_iter()
        .collect();
    let behind: Vec<String> = of_source
        .iter()
        .filter(|v| !of_target.contains(v))
        .map(ToString::to_string)
        .collect();
    if behind.is_empty() {
        Ok(())
    } else {
        Err(MigrateError::SchemaBehind(behind.join(", ")))
    }
}

async fn refuse_non_empty(dst: &Pool<Postgres>, tables: &[TablePlan]) -> Result<()> {
    let mut conn = dst.acquire().await?;
    let mut full = Vec::new();
    for t in tables {
        if exists_any(&mut conn, &t.table).await? {
            full.push(t.table.clone());
        }
    }
    if full.is_empty() {
        Ok(())
    } else {
        Err(MigrateError::TargetNotEmpty(full.join(", ")))
    }
}

async fn exists_any(conn: &mut PgConnection, table: &str) -> Result<bool> {
    let sql = format!("SELECT EXISTS (SELECT 1 FROM {})", quoted(table));
    Ok(sqlx::query_scalar(AssertSqlSafe(sql))
        .fetch_one(&mut *conn)
        .await?)
}

/// The months (their first days) the source's dossiers and events fall in.
async fn source_months(src: &Pool<Sqlite>) -> Result<Vec<jiff::civil::Date>> {
    let months: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT substr(submitted_at, 1, 7) FROM dossiers \
         UNION SELECT substr(at, 1, 7) FROM dossier_events",
    )
    .fetch_all(src)
    .await?;
    Ok(months
        .into_iter()
        .flatten()
        .filter_map(|m| format!("{m}-01").parse().ok())
        .collect())
}

/// What the reader hands the writer for the table being copied.
enum Piece {
    /// A page of rows in COPY's text format.
    Copy {
        data: Vec<u8>,
        rows: u64,
    },
    /// A whole table that fits in one page, as text values (None: NULL) row after row:
    /// written with INSERT. A COPY costs three messages, and the last one, sent right after
    /// the data, waits for the server's delayed acknowledgement (Nagle's algorithm; the driver
    /// does not set TCP_NODELAY): some 40 ms for every small table, most of a small copy.
    Insert {
        values: Vec<Option<String>>,
        rows: u64,
    },
    End,
}

/// A value of a key column, bound to read the next page.
#[derive(Debug, Clone)]
enum KeyValue {
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
    Null,
}

/// Encoded bytes per page the reader aims at: big enough to amortise a query, small enough
/// that a few pages in flight stay a few megabytes.
const PAGE_BYTES: usize = 2 << 20;
const MAX_PAGE_ROWS: usize = 20_000;
/// Bound values per INSERT: PostgreSQL takes at most 65,535.
const MAX_BINDS: usize = 60_000;

async fn read_tables(
    src: &mut SqliteConnection,
    tables: &[TablePlan],
    out: mpsc::Sender<Piece>,
) -> Result<()> {
    for plan in tables {
        let mut last: Option<Vec<KeyValue>> = None;
        // Rows with files may be large: start small and let the measured size set the page.
        let mut limit: usize = if plan.has_blobs { 16 } else { 2_000 };
        loop {
            let rows = fetch_page(src, plan, last.as_deref(), limit).await?;
            let n = rows.len();
            let Some(tail) = rows.last() else { break };
            let full = n == limit;
            let piece = if last.is_none() && !full {
                let mut values = Vec::with_capacity(n * plan.columns.len());
                for row in &rows {
                    for c in 0..plan.columns.len() {
                        values.push(value_text(row, plan, c)?.map(|v| v.into_owned()));
                    }
                }
                Piece::Insert {
                    values,
                    rows: n as u64,
                }
            } else {
                let mut data = Vec::with_capacity(64 * n);
                for row in &rows {
                    encode_row(&mut data, row, plan)?;
                }
                let avg = (data.len() / n).max(1);
                limit = (PAGE_BYTES / avg).clamp(1, MAX_PAGE_ROWS);
                Piece::Copy {
                    data,
                    rows: n as u64,
                }
            };
            last = Some(key_of(tail, plan)?);
            drop(rows);
            if out.send(piece).await.is_err() {
                // The writer stopped; its error is the one reported.
                return Ok(());
            }
            if !full {
                break;
            }
        }
        if out.send(Piece::End).await.is_err() {
            return Ok(());
        }
    }
    Ok(())
}

async fn fetch_page(
    src: &mut SqliteConnection,
    plan: &TablePlan,
    after: Option<&[KeyValue]>,
    limit: usize,
) -> Result<Vec<SqliteRow>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = match after {
        None => {
            sqlx::query(AssertSqlSafe(plan.first_sql.clone()))
                .bind(limit)
                .fetch_all(&mut *src)
                .await
        }
        Some(keys) => {
            let mut q = sqlx::query(AssertSqlSafe(plan.next_sql.clone()));
            for k in keys {
                q = match k {
                    KeyValue::Int(v) => q.bind(*v),
                    KeyValue::Real(v) => q.bind(*v),
                    KeyValue::Text(v) => q.bind(v.clone()),
                    KeyValue::Blob(v) => q.bind(v.clone()),
                    KeyValue::Null => q.bind(None::<i64>),
                };
            }
            q.bind(limit).fetch_all(&mut *src).await
        }
    };
    rows.map_err(|source| MigrateError::Table {
        table: plan.table.clone(),
        source,
    })
}

fn storage_class(row: &SqliteRow, i: usize) -> Result<&'static str> {
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok("NULL");
    }
    Ok(match raw.type_info().name() {
        "INTEGER" => "INTEGER",
        "REAL" => "REAL",
        "TEXT" => "TEXT",
        _ => "BLOB",
    })
}

fn key_of(row: &SqliteRow, plan: &TablePlan) -> Result<Vec<KeyValue>> {
    (0..plan.key_len)
        .map(|i| {
            Ok(match storage_class(row, i)? {
                "NULL" => KeyValue::Null,
                "INTEGER" => KeyValue::Int(row.try_get(i)?),
                "REAL" => KeyValue::Real(row.try_get(i)?),
                "TEXT" => KeyValue::Text(row.try_get(i)?),
                _ => KeyValue::Blob(row.try_get(i)?),
            })
        })
        .collect()
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// bytea's hex input: `\x` and two digits a byte.
fn bytea_text(b: &[u8]) -> String {
    let mut s = String::with_capacity(2 + 2 * b.len());
    s.push_str("\\x");
    for &x in b {
        s.push(char::from(HEX[usize::from(x >> 4)]));
        s.push(char::from(HEX[usize::from(x & 15)]));
    }
    s
}

fn float_text(x: f64) -> String {
    if x.is_nan() {
        "NaN".to_owned()
    } else if x.is_infinite() {
        if x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
    } else {
        // The shortest text that reads back as the same double.
        x.to_string()
    }
}

/// Column `c` of a source row as the text the target column's input function reads (what
/// both COPY and a cast from text use); None for NULL. SQLite stores by value, not by column,
/// so the value's own storage class decides, converted to the column's type.
fn value_text<'r>(row: &'r SqliteRow, plan: &TablePlan, c: usize) -> Result<Option<Cow<'r, str>>> {
    let i = plan.key_len + c;
    let (column, target) = &plan.columns[c];
    let bad = |detail: &str| MigrateError::Value {
        table: plan.table.clone(),
        column: column.clone(),
        detail: detail.to_owned(),
    };
    Ok(Some(match storage_class(row, i)? {
        "NULL" => return Ok(None),
        "INTEGER" => {
            let v: i64 = row.try_get(i)?;
            Cow::Owned(match target {
                Target::Bool => if v == 0 { "f" } else { "t" }.to_owned(),
                Target::Bytes => bytea_text(v.to_string().as_bytes()),
                _ => v.to_string(),
            })
        }
        "REAL" => {
            let v: f64 = row.try_get(i)?;
            Cow::Owned(match target {
                // An integral REAL in an integer column (SQLite's affinity may leave one).
                Target::Integer if v.fract() == 0.0 && v.abs() < 9.0e15 => (v as i64).to_string(),
                Target::Integer | Target::Bool => {
                    return Err(bad("số thực trong cột số nguyên"));
                }
                Target::Bytes => bytea_text(float_text(v).as_bytes()),
                _ => float_text(v),
            })
        }
        "TEXT" => {
            let v: &str = row.try_get(i)?;
            match target {
                Target::Bytes => Cow::Owned(bytea_text(v.as_bytes())),
                _ => Cow::Borrowed(v),
            }
        }
        _ => {
            let v: &[u8] = row.try_get(i)?;
            match target {
                Target::Bytes => Cow::Owned(bytea_text(v)),
                Target::Text => Cow::Borrowed(
                    std::str::from_utf8(v)
                        .map_err(|_| bad("dữ liệu nhị phân trong cột văn bản"))?,
                ),
                _ => return Err(bad("dữ liệu nhị phân trong cột số")),
            }
        }
    }))
}

/// Text in COPY's text format: backslash, tab, newline and carriage return escaped.
fn push_copy_text(out: &mut Vec<u8>, s: &[u8]) {
    for &b in s {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

fn encode_row(out: &mut Vec<u8>, row: &SqliteRow, plan: &TablePlan) -> Result<()> {
    for c in 0..plan.columns.len() {
        if c > 0 {
            out.push(b'\t');
        }
        match value_text(row, plan, c)? {
            None => out.extend_from_slice(b"\\N"),
            Some(v) => push_copy_text(out, v.as_bytes()),
        }
    }
    out.push(b'\n');
    Ok(())
}

async fn write_tables(
    dst: &mut PgConnection,
    tables: &[TablePlan],
    mut input: mpsc::Receiver<Piece>,
) -> Result<Vec<TableCopy>> {
    let mut done = Vec::with_capacity(tables.len());
    for plan in tables {
        let started = Instant::now();
        // Empty before the copy began: rows now come from a trigger on an earlier table.
        let filled_by_trigger = exists_any(dst, &plan.table).await?;
        let (sent, written) = match next_piece(&mut input, plan).await? {
            Piece::End => (0, 0),
            piece if filled_by_trigger => {
                let mut sent = piece.rows();
                loop {
                    match next_piece(&mut input, plan).await? {
                        Piece::End => break,
                        p => sent += p.rows(),
                    }
                }
                (sent, 0)
            }
            Piece::Insert { values, rows } => {
                let (mut sent, mut written) = (rows, insert_rows(dst, plan, &values).await?);
                loop {
                    match next_piece(&mut input, plan).await? {
                        Piece::End => break,
                        Piece::Insert { values, rows } => {
                            sent += rows;
                            written += insert_rows(dst, plan, &values).await?;
                        }
                        Piece::Copy { .. } => return Err(stopped(plan)),
                    }
                }
                (sent, written)
            }
            Piece::Copy { data, rows } => copy_pieces(dst, plan, &mut input, data, rows).await?,
        };
        let rows = if filled_by_trigger {
            let sql = format!("SELECT COUNT(*) FROM {}", quoted(&plan.table));
            let n: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
                .fetch_one(&mut *dst)
                .await?;
            u64::try_from(n).unwrap_or(0)
        } else if written == sent {
            written
        } else {
            return Err(MigrateError::Store(StoreError::Corrupt(format!(
                "bảng {}: đã gửi {sent} dòng nhưng PostgreSQL ghi {written}",
                plan.table
            ))));
        };
        done.push(TableCopy {
            table: plan.table.clone(),
            rows,
            seconds: started.elapsed().as_secs_f64(),
            filled_by_trigger,
        });
    }
    Ok(done)
}

/// Streams a table's pages through one COPY: (rows sent, rows written).
async fn copy_pieces(
    dst: &mut PgConnection,
    plan: &TablePlan,
    input: &mut mpsc::Receiver<Piece>,
    first: Vec<u8>,
    rows: u64,
) -> Result<(u64, u64)> {
    let table_err = |source| MigrateError::Table {
        table: plan.table.clone(),
        source,
    };
    let mut copy = dst.copy_in_raw(&plan.copy_sql).await.map_err(table_err)?;
    copy.send(first).await.map_err(table_err)?;
    let mut sent = rows;
    loop {
        match next_piece(input, plan).await {
            Ok(Piece::Copy { data, rows }) => {
                sent += rows;
                copy.send(data).await.map_err(table_err)?;
            }
            Ok(Piece::End) => break,
            other => {
                let _ = copy.abort("nguồn dừng giữa chừng").await;
                return Err(other.err().unwrap_or_else(|| stopped(plan)));
            }
        }
    }
    let written = copy.finish().await.map_err(table_err)?;
    Ok((sent, written))
}

/// Multi-row INSERTs of text values cast to the columns' types.
async fn insert_rows(
    dst: &mut PgConnection,
    plan: &TablePlan,
    values: &[Option<String>],
) -> Result<u64> {
    let width = plan.columns.len().max(1);
    let per_statement = (MAX_BINDS / width).max(1);
    let mut written = 0;
    for chunk in values.chunks(per_statement * width) {
        let mut sql = plan.insert_sql.clone();
        for (n, _) in chunk.iter().enumerate() {
            let c = n % width;
            if c == 0 {
                sql.push_str(if n == 0 { "(" } else { "), (" });
            } else {
                sql.push_str(", ");
            }
            sql.push_str(&format!("CAST(${} AS {})", n + 1, plan.casts[c]));
        }
        sql.push(')');
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for v in chunk {
            q = q.bind(v.as_deref());
        }
        written += q
            .execute(&mut *dst)
            .await
            .map_err(|source| MigrateError::Table {
                table: plan.table.clone(),
                source,
            })?
            .rows_affected();
    }
    Ok(written)
}

impl Piece {
    fn rows(&self) -> u64 {
        match self {
            Piece::Copy { rows, .. } | Piece::Insert { rows, .. } => *rows,
            Piece::End => 0,
        }
    }
}

/// The reader stopped (or broke the protocol) in the middle of a table.
fn stopped(plan: &TablePlan) -> MigrateError {
    MigrateError::Store(StoreError::Corrupt(format!(
        "đọc nguồn dừng giữa chừng ở bảng {}",
        plan.table
    )))
}

/// The next piece of the table being copied (when there is none, the reader failed and its
/// error is the one reported).
async fn next_piece(input: &mut mpsc::Receiver<Piece>, plan: &TablePlan) -> Result<Piece> {
    input.recv().await.ok_or_else(|| stopped(plan))
}

/// Sets every serial or identity column's sequence past the copied keys (and past SQLite's
/// AUTOINCREMENT high-water mark, so an id once given out is never given again).
async fn reset_sequences(
    src: &Pool<Sqlite>,
    dst: &mut PgConnection,
    tables: &[TablePlan],
) -> Result<Vec<String>> {
    let copied: BTreeSet<&str> = tables.iter().map(|t| t.table.as_str()).collect();
    let serials = sqlx::query(
        "SELECT table_name::text AS t, column_name::text AS c, \
         pg_get_serial_sequence(quote_ident(table_schema) || '.' || quote_ident(table_name), \
         column_name)::text AS s \
         FROM information_schema.columns WHERE table_schema = current_schema() \
         AND (column_default LIKE 'nextval(%' OR is_identity = 'YES') \
         ORDER BY table_name, column_name",
    )
    .fetch_all(&mut *dst)
    .await?;
    let has_autoincrement: bool = sqlx::query_scalar(
        "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'",
    )
    .fetch_one(src)
    .await?;
    let mut out = Vec::new();
    for r in serials {
        let table: String = r.try_get("t")?;
        let column: String = r.try_get("c")?;
        let Some(sequence) = r.try_get::<Option<String>, _>("s")? else {
            continue;
        };
        if !copied.contains(table.as_str()) {
            continue;
        }
        let sql = format!(
            "SELECT COALESCE(MAX({})::bigint, 0) FROM {}",
            quoted(&column),
            quoted(&table)
        );
        let mut last: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
            .fetch_one(&mut *dst)
            .await?;
        if has_autoincrement {
            let high: Option<i64> =
                sqlx::query_scalar("SELECT seq FROM sqlite_sequence WHERE name = $1")
                    .bind(&table)
                    .fetch_optional(src)
                    .await?;
            last = last.max(high.unwrap_or(0));
        }
        // setval(s, 1, false): the next value is 1, for a table that never had a row.
        sqlx::query("SELECT setval($1::regclass, $2, $3)")
            .bind(&sequence)
            .bind(last.max(1))
            .bind(last >= 1)
            .execute(&mut *dst)
            .await?;
        out.push(format!("{table}.{column} = {last}"));
    }
    Ok(out)
}

// ---- the check --------------------------------------------------------------------------

/// Checks a copy: row counts of every table, the chain heads of every dossier and PAKN on
/// both sides, and every chain re-hashed on the target.
pub async fn verify_copy(source: &Store, target: &Store) -> Result<CopyCheck> {
    let started = Instant::now();
    let (src, dst) = pools(source, target)?;
    let source_names: BTreeSet<String> = source_tables(src).await?.into_keys().collect();
    let target_names: BTreeSet<String> = target_tables(dst).await?.into_keys().collect();
    let mut tables = Vec::new();
    for name in source_names.union(&target_names) {
        let s = if source_names.contains(name) {
            Some(count_source(src, name).await?)
        } else {
            None
        };
        let t = if target_names.contains(name) {
            Some(count_target(dst, name).await?)
        } else {
            None
        };
        let ok = match (s, t) {
            (Some(a), Some(b)) => a == b,
            (Some(a), None) => a == 0,
            _ => true,
        };
        tables.push(TableCheck {
            table: name.clone(),
            source_rows: s,
            target_rows: t,
            ok,
        });
    }

    let dossiers = {
        let (source_items, source_digest) = heads_digest(source, DOSSIER_HEADS).await?;
        let (target_items, target_digest) = heads_digest(target, DOSSIER_HEADS).await?;
        let audit = target.audit_verify().await?;
        let broken_in_source = if audit.broken.is_empty() {
            None
        } else {
            Some(source.audit_verify().await?.broken)
        };
        chain_check(
            (source_items, source_digest),
            (target_items, target_digest),
            audit.events,
            audit.broken,
            broken_in_source,
        )
    };
    let pakn = {
        let (source_items, source_digest) = heads_digest(source, PAKN_HEADS).await?;
        let (target_items, target_digest) = heads_digest(target, PAKN_HEADS).await?;
        let (events, broken) = pakn_chains(target).await?;
        let broken_in_source = if broken.is_empty() {
            None
        } else {
            Some(pakn_chains(source).await?.1)
        };
        chain_check(
            (source_items, source_digest),
            (target_items, target_digest),
            events,
            broken,
            broken_in_source,
        )
    };
    let ok = tables.iter().all(|t| t.ok) && dossiers.ok && pakn.ok;
    Ok(CopyCheck {
        tables,
        dossiers,
        pakn,
        seconds: started.elapsed().as_secs_f64(),
        ok,
    })
}

fn chain_check(
    source: (u64, String),
    target: (u64, String),
    target_events: u64,
    broken: Vec<String>,
    broken_in_source: Option<Vec<String>>,
) -> ChainCheck {
    let heads_match = source == target;
    ChainCheck {
        source_items: source.0,
        target_items: target.0,
        source_digest: source.1,
        target_digest: target.1,
        heads_match,
        target_events,
        ok: heads_match && broken.is_empty(),
        broken,
        broken_in_source,
    }
}

/// code, version, the head recorded on the row, the last event's hash: a page in code order.
const DOSSIER_HEADS: &str = "SELECT d.code AS code, d.version AS version, d.last_hash AS head, \
     (SELECT e.hash FROM dossier_events e WHERE e.dossier_code = d.code \
      ORDER BY e.seq DESC LIMIT 1) AS event_hash \
     FROM dossiers d WHERE d.code > $1 ORDER BY d.code LIMIT $2";
/// PAKN rows record no head: the last event's hash is the head.
const PAKN_HEADS: &str = "SELECT p.code AS code, p.version AS version, '' AS head, \
     (SELECT e.hash FROM pakn_events e WHERE e.code = p.code \
      ORDER BY e.seq DESC LIMIT 1) AS event_hash \
     FROM pakn p WHERE p.code > $1 ORDER BY p.code LIMIT $2";

const HEADS_PAGE: i64 = 5_000;

/// XOR of every row's SHA-256 (so the order rows come in, which the two databases' collations
/// decide, does not matter; codes are unique, so none cancels another), sealed with the count.
#[derive(Default)]
struct Digest {
    n: u64,
    acc: [u8; 32],
}

impl Digest {
    fn add(&mut self, code: &str, version: i64, head: &str, event_hash: &str) {
        let h = chain_hash(code, &format!("{version}\n{head}\n{event_hash}"));
        for (i, pair) in h.as_bytes().chunks(2).enumerate().take(32) {
            let byte = std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .unwrap_or(0);
            self.acc[i] ^= byte;
        }
        self.n += 1;
    }

    fn finish(&self) -> String {
        let mut acc = String::with_capacity(64);
        for b in self.acc {
            acc.push(char::from(HEX[usize::from(b >> 4)]));
            acc.push(char::from(HEX[usize::from(b & 15)]));
        }
        chain_hash(&self.n.to_string(), &acc)
    }
}

async fn heads_digest(store: &Store, sql: &'static str) -> Result<(u64, String)> {
    let mut digest = Digest::default();
    let mut after = String::new();
    loop {
        let page: Vec<(String, i64, String, Option<String>)> = on_pool!(store, pool => {
            let rows = sqlx::query(sql)
                .bind(&after)
                .bind(HEADS_PAGE)
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| -> std::result::Result<_, sqlx::Error> {
                    Ok((
                        r.try_get("code")?,
                        r.try_get("version")?,
                        r.try_get("head")?,
                        r.try_get("event_hash")?,
                    ))
                })
                .collect::<std::result::Result<Vec<_>, _>>()?
        });
        let Some(last) = page.last() else { break };
        after = last.0.clone();
        let full = page.len() as i64 == HEADS_PAGE;
        for (code, version, head, event_hash) in &page {
            digest.add(code, *version, head, event_hash.as_deref().unwrap_or(""));
        }
        if !full {
            break;
        }
    }
    Ok((digest.n, digest.finish()))
}

const PAKN_EVENTS: &str = "SELECT code, seq, at, actor, actor_name, data, prev_hash, hash \
     FROM pakn_events WHERE (code, seq) > ($1, $2) ORDER BY code, seq LIMIT $3";

/// Re-hashes every PAKN chain of a store: the number of events and the first broken link of
/// each broken chain.
async fn pakn_chains(store: &Store) -> Result<(u64, Vec<String>)> {
    use cchc_domain::pakn::{Event, EventBody, verify_chain};
    type Raw = (String, i64, String, String, String, String, String, String);
    let mut broken = Vec::new();
    let mut events_seen = 0u64;
    let mut chain: Vec<Event> = Vec::new();
    let mut chain_code = String::new();
    // A chain whose event cannot even be read is broken at that event.
    let mut unreadable: Option<i64> = None;
    let mut close = |code: &str, chain: &mut Vec<Event>, unreadable: &mut Option<i64>| {
        if code.is_empty() {
            return;
        }
        if let Some(seq) = unreadable.take() {
            broken.push(format!(
                "phản ánh, kiến nghị {code}, sự kiện {seq}: nội dung không đọc được"
            ));
        } else if let Some(seq) = verify_chain(chain) {
            broken.push(format!(
                "phản ánh, kiến nghị {code}, sự kiện {seq}: mã băm hoặc liên kết không khớp"
            ));
        }
        chain.clear();
    };
    let (mut after_code, mut after_seq) = (String::new(), 0i64);
    loop {
        let page: Vec<Raw> = on_pool!(store, pool => {
            let rows = sqlx::query(PAKN_EVENTS)
                .bind(&after_code)
                .bind(after_seq)
                .bind(HEADS_PAGE)
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| -> std::result::Result<Raw, sqlx::Error> {
                    Ok((
                        r.try_get("code")?,
                        r.try_get("seq")?,
                        r.try_get("at")?,
                        r.try_get("actor")?,
                        r.try_get("actor_name")?,
                        r.try_get("data")?,
                        r.try_get("prev_hash")?,
                        r.try_get("hash")?,
                    ))
                })
                .collect::<std::result::Result<Vec<_>, _>>()?
        });
        let Some(last) = page.last() else { break };
        (after_code, after_seq) = (last.0.clone(), last.1);
        let full = page.len() as i64 == HEADS_PAGE;
        for (code, seq, at, actor, actor_name, data, prev_hash, hash) in page {
            events_seen += 1;
            if code != chain_code {
                close(&chain_code, &mut chain, &mut unreadable);
                chain_code = code;
            }
            if unreadable.is_some() {
                continue;
            }
            let body = serde_json::from_str::<EventBody>(&data).ok();
            let at = at.parse::<jiff::civil::DateTime>().ok();
            match (body, at, u32::try_from(seq).ok()) {
                (Some(body), Some(at), Some(seq)) => chain.push(Event {
                    seq,
                    at,
                    actor,
                    actor_name,
                    body,
                    prev_hash,
                    hash,
                }),
                _ => unreadable = Some(seq),
            }
        }
        if !full {
            break;
        }
    }
    close(&chain_code, &mut chain, &mut unreadable);
    Ok((events_seen, broken))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_copy_reads_specially() {
        let mut out = Vec::new();
        push_copy_text(&mut out, "a\tb\nc\\d\re — Đ".as_bytes());
        assert_eq!(out, "a\\tb\\nc\\\\d\\re — Đ".as_bytes());
        let mut out = Vec::new();
        push_copy_text(&mut out, bytea_text(&[0, 0xab, 0x10]).as_bytes());
        assert_eq!(out, b"\\\\x00ab10");
        assert_eq!(float_text(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(float_text(f64::NEG_INFINITY), "-Infinity");
    }

    #[test]
    fn parents_come_first_and_cycles_are_refused() {
        let tables: BTreeSet<String> = ["a", "b", "c", "units"].map(String::from).into();
        let edges: BTreeSet<(String, String)> = [
            ("a", "c"),
            ("c", "b"),
            ("units", "units"),
            ("a", "elsewhere"),
        ]
        .map(|(x, y)| (x.to_owned(), y.to_owned()))
        .into();
        assert_eq!(
            fk_order(&tables, &edges).unwrap_or_default(),
            ["b", "units", "c", "a"]
        );
        let cycle: BTreeSet<(String, String)> = [("a", "b"), ("b", "a")]
            .map(|(x, y)| (x.to_owned(), y.to_owned()))
            .into();
        assert!(matches!(
            fk_order(&tables, &cycle),
            Err(MigrateError::ForeignKeyCycle(t)) if t == "a, b"
        ));
    }

    #[test]
    fn the_digest_ignores_row_order() {
        let mut a = Digest::default();
        a.add("X", 1, "h1", "h1");
        a.add("Y", 2, "h2", "h2");
        let mut b = Digest::default();
        b.add("Y", 2, "h2", "h2");
        b.add("X", 1, "h1", "h1");
        assert_eq!(a.finish(), b.finish());
        let mut c = Digest::default();
        c.add("X", 1, "h1", "h1");
        c.add("Y", 2, "h2", "hX");
        assert_ne!(a.finish(), c.finish());
    }
}
