//! Bulk loading of indicator facts for benchmarks (`cchc bench indicators`): minimal dossier
//! rows and their facts, many rows per INSERT, in one transaction, without touching the
//! rollups (a rebuild sums them afterwards). Never used by the application itself.

use cchc_domain::indicator::DossierFacts;
use sqlx::AssertSqlSafe;
use std::collections::HashMap;
use std::sync::Arc;

use crate::ingest::{
    DOSSIER_COLUMNS as DOSSIER_ROW_COLUMNS, EVENT_COLUMNS, Val, dossier_row, event_values,
    fact_values, first_handlings,
};
use crate::{Backend, Result, Store, StoreError, StoredHistory, dup, multi_insert};

/// Rows per multi-row INSERT: 500 rows of at most 20 columns stays far below SQLite's limit
/// of 32766 bound values (and PostgreSQL's 65535).
const ROWS_PER_INSERT: usize = 500;

const DOSSIER_COLUMNS: &[&str] = &[
    "code",
    "procedure_code",
    "status",
    "channel",
    "applicant_name",
    "applicant_id",
    "receiving_unit",
    "competent_unit",
    "current_unit",
    "submitted_at",
    "received_at",
    "finished_at",
    "version",
    "last_hash",
    "secret_hash",
    "state",
];

const FACT_COLUMNS: &[&str] = &[
    "code",
    "unit",
    "procedure_code",
    "received_day",
    "end_kind",
    "end_day",
    "late_from",
    "verdict",
    "online",
    "full_online_proc",
    "fee_bearing",
    "paid_online",
    "digitised",
    "reused",
    "synced",
    "e_result",
    "supplement_requests",
    "used_cd",
    "limit_cd",
    "rating",
];

fn day(d: Option<jiff::civil::Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

impl Store {
    /// Inserts the facts of dossiers that do not exist yet, with a minimal `dossiers` row for
    /// each (the facts reference it), in one transaction. The rollups are left as they are.
    ///
    /// On SQLite the connection's page cache is raised to 1 GiB and statement journals kept in
    /// memory for the load (so a large transaction does not spill pages to the WAL midway),
    /// and both put back to SQLite's defaults afterwards, so later timings see the usual
    /// connection.
    pub async fn insert_facts_bulk(&self, facts: &[DossierFacts]) -> Result<()> {
        if let Backend::Sqlite(pool) = &self.backend {
            let mut conn = pool.acquire().await?;
            sqlx::query("PRAGMA cache_size = -1048576")
                .execute(&mut *conn)
                .await?;
            sqlx::query("PRAGMA temp_store = MEMORY")
                .execute(&mut *conn)
                .await?;
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            Self::fill_facts(&mut tx, facts, true).await?;
            tx.commit().await?;
            sqlx::query("PRAGMA cache_size = -2000")
                .execute(&mut *conn)
                .await?;
            sqlx::query("PRAGMA temp_store = DEFAULT")
                .execute(&mut *conn)
                .await?;
            return Ok(());
        }
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            Self::fill_facts(&mut tx, facts, false).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    async fn fill_facts<'c, DB>(
        tx: &mut sqlx::Transaction<'c, DB>,
        facts: &[DossierFacts],
        anonymous: bool,
    ) -> Result<()>
    where
        DB: sqlx::Database,
        for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
        for<'e> &'e mut <DB as sqlx::Database>::Connection: sqlx::Executor<'e, Database = DB>,
        for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        {
            for chunk in facts.chunks(ROWS_PER_INSERT) {
                let sql = multi_insert("dossiers", DOSSIER_COLUMNS, chunk.len(), anonymous);
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for f in chunk {
                    let received = f.received_day.map(|d| format!("{d}T08:00:00"));
                    let finished = f.end_day.map(|d| format!("{d}T15:00:00"));
                    let submitted = received
                        .clone()
                        .or_else(|| finished.clone())
                        .unwrap_or_else(|| "2000-01-01T00:00:00".to_owned());
                    q = q
                        .bind(f.code.clone())
                        .bind(f.procedure.clone())
                        .bind(if f.end.is_some() { 6_i64 } else { 2_i64 })
                        .bind(i64::from(f.online))
                        .bind("Người nộp thử")
                        .bind("000000000000")
                        .bind(f.unit.clone())
                        .bind(f.unit.clone())
                        .bind(f.unit.clone())
                        .bind(submitted)
                        .bind(received)
                        .bind(finished)
                        .bind(1_i64)
                        .bind("0")
                        .bind("0")
                        .bind("{}");
                }
                q.execute(&mut **tx).await?;
                let sql = multi_insert("dossier_facts", FACT_COLUMNS, chunk.len(), anonymous);
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for f in chunk {
                    q = q
                        .bind(f.code.clone())
                        .bind(f.unit.clone())
                        .bind(f.procedure.clone())
                        .bind(day(f.received_day))
                        .bind(f.end.map(|k| k.code().to_owned()))
                        .bind(day(f.end_day))
                        .bind(day(f.late_from))
                        .bind(f.verdict.map(|v| v.code().to_owned()))
                        .bind(i64::from(f.online))
                        .bind(i64::from(f.full_online_proc))
                        .bind(i64::from(f.fee_bearing))
                        .bind(i64::from(f.paid_online))
                        .bind(i64::from(f.digitised))
                        .bind(i64::from(f.reused))
                        .bind(i64::from(f.synced))
                        .bind(i64::from(f.electronic_result))
                        .bind(i64::from(f.supplement_requests))
                        .bind(f.used_cd)
                        .bind(f.limit_cd)
                        .bind(f.rating.map(i64::from));
                }
                q.execute(&mut **tx).await?;
            }
        }
        Ok(())
    }
}

// ---- emulation bench (`cchc bench emulation`) ---------------------------------------------

/// A value of a bench row.
#[derive(Debug, Clone)]
enum BenchValue {
    Text(String),
    Int(i64),
    Blob(Vec<u8>),
}

impl Store {
    /// Many rows into `table`, a multi-row INSERT per chunk (`?` marks on SQLite), in one
    /// transaction.
    async fn insert_values_bulk(
        &self,
        table: &'static str,
        cols: &[&'static str],
        rows: &[Vec<BenchValue>],
    ) -> Result<()> {
        let anonymous = self.anonymous_marks();
        let per = (30_000 / cols.len().max(1)).min(ROWS_PER_INSERT * 2);
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for chunk in rows.chunks(per) {
                let mut q = sqlx::query(AssertSqlSafe(multi_insert(table, cols, chunk.len(), anonymous)));
                for r in chunk {
                    for v in r {
                        q = match v {
                            BenchValue::Text(s) => q.bind(s.clone()),
                            BenchValue::Int(i) => q.bind(*i),
                            BenchValue::Blob(b) => q.bind(b.clone()),
                        };
                    }
                }
                q.execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Officer and leader accounts (bench only: a password hash nobody can log in with):
    /// (id = username, display name, title, role `officer` or `leader`, unit id).
    pub async fn insert_accounts_bulk(
        &self,
        accounts: &[(String, String, String, String, String)],
        at: &str,
    ) -> Result<()> {
        use BenchValue::*;
        let rows: Vec<Vec<BenchValue>> = accounts
            .iter()
            .map(|(id, name, title, role, unit)| {
                vec![
                    Text(id.clone()),
                    Text(id.clone()),
                    Text(name.clone()),
                    Text(title.clone()),
                    Text("bench-no-login".into()),
                    Text(role.clone()),
                    Text(unit.clone()),
                    Text(at.to_owned()),
                ]
            })
            .collect();
        self.insert_values_bulk(
            "accounts",
            &[
                "id",
                "username",
                "display_name",
                "title",
                "password_hash",
                "role",
                "unit_id",
                "created_at",
            ],
            &rows,
        )
        .await
    }

    /// `dossier_handlers` rows: (dossier code, account, first day).
    pub async fn insert_handlers_bulk(&self, rows: &[(String, String, String)]) -> Result<()> {
        use BenchValue::*;
        let rows: Vec<Vec<BenchValue>> = rows
            .iter()
            .map(|(c, a, d)| vec![Text(c.clone()), Text(a.clone()), Text(d.clone())])
            .collect();
        self.insert_values_bulk("dossier_handlers", &["code", "account", "first_day"], &rows)
            .await
    }

    /// `handler_yearly` rows: (account, year, dossiers first handled that year).
    pub async fn insert_handler_yearly_bulk(&self, rows: &[(String, i64, i64)]) -> Result<()> {
        use BenchValue::*;
        let rows: Vec<Vec<BenchValue>> = rows
            .iter()
            .map(|(a, y, n)| vec![Text(a.clone()), Int(*y), Int(*n)])
            .collect();
        self.insert_values_bulk("handler_yearly", &["account", "year", "dossiers"], &rows)
            .await
    }

    /// `staff_ratings` rows: (account, year, rating code).
    pub async fn insert_ratings_bulk(
        &self,
        rows: &[(String, i64, String)],
        at: &str,
    ) -> Result<()> {
        use BenchValue::*;
        let rows: Vec<Vec<BenchValue>> = rows
            .iter()
            .map(|(a, y, r)| {
                vec![
                    Text(a.clone()),
                    Int(*y),
                    Text(r.clone()),
                    Text("bench".into()),
                    Text(at.to_owned()),
                ]
            })
            .collect();
        self.insert_values_bulk(
            "staff_ratings",
            &["account", "year", "rating", "entered_by", "entered_at"],
            &rows,
        )
        .await
    }

    /// Discipline (`is_discipline`) or initiative records with a stand-in document (the
    /// rows' `file_name`, `entered_by` and `entered_at` are taken as they are).
    pub async fn insert_records_bulk(
        &self,
        is_discipline: bool,
        records: &[crate::RecordRow],
    ) -> Result<()> {
        use BenchValue::*;
        let doc = b"%PDF-1.4\n% bench stand-in\n%%EOF\n".to_vec();
        let rows: Vec<Vec<BenchValue>> = records
            .iter()
            .map(|r| {
                let mut v = vec![Text(r.id.clone()), Text(r.account.clone())];
                if is_discipline {
                    v.push(Text(r.unit.clone()));
                }
                v.extend([
                    Text(r.what.clone()),
                    Text(r.decision.clone()),
                    Text(r.day.clone()),
                ]);
                if is_discipline {
                    v.push(Int(i64::from(r.reform_related)));
                }
                v.extend([
                    Text(r.file_name.clone()),
                    Text("application/pdf".into()),
                    Blob(doc.clone()),
                    Text(r.entered_by.clone()),
                    Text(r.entered_at.clone()),
                ]);
                v
            })
            .collect();
        if is_discipline {
            self.insert_values_bulk(
                "disciplines",
                &[
                    "id",
                    "account",
                    "unit",
                    "form",
                    "decision",
                    "decided_on",
                    "reform_related",
                    "file_name",
                    "content_type",
                    "content",
                    "entered_by",
                    "entered_at",
                ],
                &rows,
            )
            .await
        } else {
            self.insert_values_bulk(
                "initiatives",
                &[
                    "id",
                    "account",
                    "title",
                    "decision",
                    "recognised_on",
                    "file_name",
                    "content_type",
                    "content",
                    "entered_by",
                    "entered_at",
                ],
                &rows,
            )
            .await
        }
    }
}

impl Store {
    /// Inserts outbox messages as a backlog (`delivered` false: pending, due now) or as
    /// history (`delivered` true), many rows per INSERT, in one transaction (`cchc bench
    /// sync`). Never used by the application itself, which enqueues in the event's transaction.
    pub async fn insert_outbox_bulk(
        &self,
        messages: &[crate::NewOutboxMessage],
        delivered: bool,
    ) -> Result<()> {
        let now = jiff::Timestamp::now().as_millisecond();
        let anonymous = matches!(self.backend, Backend::Sqlite(_));
        let rows: Vec<Vec<Val>> = messages
            .iter()
            .map(|m| crate::ingest::outbox_values(m, delivered, now))
            .collect();
        on_write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            Self::insert_rows(
                &mut tx,
                "outbox",
                &crate::ingest::OUTBOX_COLUMNS,
                rows,
                anonymous,
                "",
                |_| "outbox".to_owned(),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }
}

// ---- generated dossier histories (`cchc bench generate`) ----------------------------------

/// A value of a generated row: text (integers in decimal), `None` for NULL. Shared text, so a
/// dossier's code or unit is allocated once for all its rows and binding a value only counts
/// a reference (no copy on the loading thread).
pub type HistoryValue = Option<Arc<str>>;

/// One generated dossier's rows per table of [`Store::HISTORY_TABLES`], in that order: its
/// `dossiers` row, its events, its facts (none before facts are known) and its handlers. Plain
/// types, so the generating thread renders the rows, the loading thread only binds them, and
/// the same rows go to CSV.
pub type HistoryTables = [Vec<Vec<HistoryValue>>; 4];

/// The integer columns of each table of [`Store::HISTORY_TABLES`] (bound as integers).
const HISTORY_INT_COLUMNS: [&[&str]; 4] = [
    &["status", "channel", "version", "finished_late"],
    &["seq"],
    &[
        "online",
        "full_online_proc",
        "fee_bearing",
        "paid_online",
        "digitised",
        "reused",
        "synced",
        "e_result",
        "supplement_requests",
        "used_cd",
        "limit_cd",
        "rating",
    ],
    &[],
];

/// Positions in the `dossiers` row the counters read.
const D_CODE: usize = 0;
const D_RECEIVING_UNIT: usize = 7;
const D_FINISHED_AT: usize = 14;
const D_FINISHED_LATE: usize = 20;

thread_local! {
    /// 0..=99 as shared text: most integers of a row (flags, statuses, sequence numbers) are
    /// small, and sharing them spares two allocations each.
    static SMALL_INTS: Vec<Arc<str>> = (0..100).map(|i: i64| Arc::from(i.to_string())).collect();
}

fn int_text(i: impl Into<i64>) -> HistoryValue {
    let i = i.into();
    let small = usize::try_from(i)
        .ok()
        .and_then(|k| SMALL_INTS.with(|v| v.get(k).cloned()));
    Some(small.unwrap_or_else(|| Arc::from(i.to_string())))
}

fn text(s: &str) -> HistoryValue {
    Some(Arc::from(s))
}

/// What the generated dossiers add to the counters the application keeps with each event
/// (code sequences, finished per day, handlers per year), summed while loading and written
/// once at the end instead of one upsert per dossier.
#[derive(Debug, Default)]
struct HistoryCounters {
    /// (agency code, YYMMDD) → the highest sequence number used.
    code_seq: HashMap<(String, String), i64>,
    /// (receiving unit, day) → (finished, of which late).
    finished: HashMap<(Arc<str>, String), (i64, i64)>,
    /// (account, year) → dossiers first handled that year.
    handlers: HashMap<(Arc<str>, i64), i64>,
}

impl HistoryCounters {
    fn add(&mut self, tables: &HistoryTables) {
        for row in &tables[0] {
            let col = |i: usize| row.get(i).and_then(Option::as_deref);
            if let Some(code) = col(D_CODE) {
                let mut parts = code.rsplitn(3, '-');
                if let (Some(seq), Some(day), Some(agency)) =
                    (parts.next(), parts.next(), parts.next())
                    && let Ok(seq) = seq.parse::<i64>()
                {
                    let last = self
                        .code_seq
                        .entry((agency.to_owned(), day.to_owned()))
                        .or_default();
                    *last = (*last).max(seq);
                }
            }
            if let (Some(Some(unit)), Some(finished)) =
                (row.get(D_RECEIVING_UNIT), col(D_FINISHED_AT))
            {
                let day = finished.get(..10).unwrap_or(finished).to_owned();
                let late = i64::from(col(D_FINISHED_LATE) == Some("1"));
                let e = self.finished.entry((Arc::clone(unit), day)).or_default();
                e.0 += 1;
                e.1 += late;
            }
        }
        for row in &tables[3] {
            if let (Some(Some(account)), Some(Some(day))) = (row.get(1), row.get(2))
                && let Some(Ok(year)) = day.get(..4).map(str::parse::<i64>)
            {
                *self
                    .handlers
                    .entry((Arc::clone(account), year))
                    .or_default() += 1;
            }
        }
    }

    /// The three tables' rows, sorted (so every load writes them in the same order).
    fn rows(&self) -> [(&'static str, Vec<Vec<HistoryValue>>); 3] {
        let mut seq: Vec<_> = self
            .code_seq
            .iter()
            .map(|((a, d), n)| vec![text(a), text(d), int_text(*n)])
            .collect();
        let mut fin: Vec<_> = self
            .finished
            .iter()
            .map(|((u, d), (f, l))| vec![Some(Arc::clone(u)), text(d), int_text(*f), int_text(*l)])
            .collect();
        let mut hand: Vec<_> = self
            .handlers
            .iter()
            .map(|((a, y), n)| vec![Some(Arc::clone(a)), int_text(*y), int_text(*n)])
            .collect();
        seq.sort();
        fin.sort();
        hand.sort();
        [
            ("dossier_code_seq", seq),
            ("finished_daily", fin),
            ("handler_yearly", hand),
        ]
    }
}

/// The counters' upserts: each adds to what is stored (a sequence keeps the higher number).
const COUNTER_UPSERTS: [(&[&str], &[&str], &str); 3] = [
    (
        &["agency_code", "day", "last"],
        &["last"],
        " ON CONFLICT (agency_code, day) DO UPDATE SET last = CASE \
         WHEN excluded.last > dossier_code_seq.last THEN excluded.last \
         ELSE dossier_code_seq.last END",
    ),
    (
        &["unit", "day", "finished", "late"],
        &["finished", "late"],
        " ON CONFLICT (day, unit) DO UPDATE SET \
         finished = finished_daily.finished + excluded.finished, \
         late = finished_daily.late + excluded.late",
    ),
    (
        &["account", "year", "dossiers"],
        &["year", "dossiers"],
        " ON CONFLICT (account, year) DO UPDATE SET \
         dossiers = handler_yearly.dossiers + excluded.dossiers",
    ),
];

/// The connection a generated load writes through, kept for the whole load so SQLite's page
/// cache stays warm between transactions.
#[derive(Debug)]
enum LoaderConn {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
}

/// Loads generated histories many dossiers per transaction ([`Store::history_loader`]).
#[derive(Debug)]
pub struct HistoryLoader {
    conn: LoaderConn,
    counters: HistoryCounters,
}

/// Binds `rows` into multi-row INSERTs of at most 30,000 values (`?` marks on SQLite), the
/// integer columns as integers; `suffix` follows each statement (an ON CONFLICT clause).
async fn insert_text_rows<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    table: &str,
    cols: &[&str],
    ints: &[&str],
    rows: &[&[HistoryValue]],
    anonymous: bool,
    suffix: &str,
) -> Result<()>
where
    DB: sqlx::Database,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'e> &'e mut <DB as sqlx::Database>::Connection: sqlx::Executor<'e, Database = DB>,
    for<'q> Option<Arc<str>>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let is_int: Vec<bool> = cols.iter().map(|c| ints.contains(c)).collect();
    let per = (30_000 / cols.len().max(1)).clamp(1, 1_000);
    let full_sql = format!("{}{suffix}", multi_insert(table, cols, per, anonymous));
    for chunk in rows.chunks(per) {
        let sql = if chunk.len() == per {
            full_sql.clone()
        } else {
            format!(
                "{}{suffix}",
                multi_insert(table, cols, chunk.len(), anonymous)
            )
        };
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for row in chunk {
            if row.len() != cols.len() {
                return Err(StoreError::Corrupt(format!(
                    "{table}: {} values for {} columns",
                    row.len(),
                    cols.len()
                )));
            }
            for (v, int) in row.iter().zip(&is_int) {
                q = if *int {
                    let n = v
                        .as_deref()
                        .map(|s| {
                            s.parse::<i64>().map_err(|_| {
                                StoreError::Corrupt(format!("{table}: '{s}' is not an integer"))
                            })
                        })
                        .transpose()?;
                    q.bind(n)
                } else {
                    q.bind(v.clone())
                };
            }
        }
        q.execute(&mut **tx).await.map_err(|e| dup(e, table))?;
    }
    Ok(())
}

/// Writes the histories, in code order (each table's index then grows at a few places
/// instead of everywhere), the dossiers first: the other rows refer to them.
async fn fill_history_tables<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    items: &[HistoryTables],
    anonymous: bool,
) -> Result<()>
where
    DB: sqlx::Database,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'e> &'e mut <DB as sqlx::Database>::Connection: sqlx::Executor<'e, Database = DB>,
    for<'q> Option<Arc<str>>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let code = |t: &HistoryTables| -> Option<Arc<str>> {
        t[0].first().and_then(|r| r.get(D_CODE).cloned().flatten())
    };
    let mut order: Vec<&HistoryTables> = items.iter().collect();
    order.sort_by_cached_key(|t| code(t));
    for (i, (table, cols)) in Store::HISTORY_TABLES.iter().enumerate() {
        let rows: Vec<&[HistoryValue]> = order
            .iter()
            .flat_map(|t| t[i].iter().map(Vec::as_slice))
            .collect();
        insert_text_rows(
            tx,
            table,
            cols,
            HISTORY_INT_COLUMNS[i],
            &rows,
            anonymous,
            "",
        )
        .await?;
    }
    Ok(())
}

async fn write_counters<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    counters: &HistoryCounters,
    anonymous: bool,
) -> Result<Vec<(String, usize)>>
where
    DB: sqlx::Database,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'e> &'e mut <DB as sqlx::Database>::Connection: sqlx::Executor<'e, Database = DB>,
    for<'q> Option<Arc<str>>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let mut written = Vec::new();
    for ((table, rows), (cols, ints, suffix)) in counters.rows().into_iter().zip(COUNTER_UPSERTS) {
        let refs: Vec<&[HistoryValue]> = rows.iter().map(Vec::as_slice).collect();
        insert_text_rows(tx, table, cols, ints, &refs, anonymous, suffix).await?;
        written.push((table.to_owned(), rows.len()));
    }
    Ok(written)
}

impl Store {
    /// The tables a generated history is written to, with their columns in the order of
    /// [`HistoryTables`].
    pub const HISTORY_TABLES: [(&'static str, &'static [&'static str]); 4] = [
        ("dossiers", &DOSSIER_ROW_COLUMNS),
        ("dossier_events", &EVENT_COLUMNS),
        ("dossier_facts", FACT_COLUMNS),
        ("dossier_handlers", &["code", "account", "first_day"]),
    ];

    /// A whole history's rows, exactly as [`Store::insert_histories`] writes them (the row,
    /// every event, the facts, the handlers), without touching the database: for the bulk
    /// loader and for CSV exports of the same rows.
    pub fn render_history(h: &StoredHistory) -> Result<HistoryTables> {
        // The rows are rendered by the write path's own functions, so a generated history
        // is stored exactly as the application stores one.
        let row = |values: Vec<Val>| -> Vec<HistoryValue> {
            values
                .into_iter()
                .map(|v| match v {
                    Val::Text(s) => s.map(Arc::from),
                    Val::Int(i) => i.and_then(int_text),
                })
                .collect()
        };
        let dossier = row(dossier_row(
            &h.dossier,
            &h.projected,
            &h.secret_hash,
            h.owner_account.as_deref(),
        )?);
        let events = h.events.iter().map(|e| row(event_values(e))).collect();
        let facts = h
            .projected
            .facts
            .iter()
            .map(|f| row(fact_values(f)))
            .collect();
        let handlers = first_handlings(h.events.iter())
            .into_iter()
            .map(|((code, who), day)| vec![text(&code), text(&who), text(&day.to_string())])
            .collect();
        Ok([vec![dossier], events, facts, handlers])
    }

    /// A loader of generated histories: [`HistoryLoader::load`] writes rendered histories
    /// (new dossiers only) many per transaction, with their facts but without the per-dossier
    /// rollup and counter upserts of [`Store::insert_histories`]; [`HistoryLoader::finish`]
    /// then adds the counters once. The indicator rollups are left for a full rebuild.
    ///
    /// On SQLite the loader's connection gets a 1 GiB page cache and in-memory statement
    /// journals for the load (a large transaction does not spill pages to the WAL midway), and
    /// skips the foreign key lookups (the rows come parent first from whole histories, and
    /// the lookups cost a tenth of the load), and copies the write-ahead log into the database
    /// once it holds 1 GiB rather than after every transaction (an index page written by many
    /// transactions is copied once); `finish` copies the rest. The connection is closed when
    /// the loader is dropped, so no other use of the pool sees these settings.
    pub async fn history_loader(&self) -> Result<HistoryLoader> {
        let conn = match &self.backend {
            Backend::Sqlite(pool) => {
                let mut conn = pool.acquire().await?;
                // Never back to the pool with these settings, even after a failed load.
                conn.close_on_drop();
                for pragma in [
                    "PRAGMA cache_size = -1048576",
                    "PRAGMA temp_store = MEMORY",
                    "PRAGMA foreign_keys = OFF",
                    "PRAGMA wal_autocheckpoint = 262144",
                ] {
                    sqlx::query(pragma).execute(&mut *conn).await?;
                }
                LoaderConn::Sqlite(conn)
            }
            Backend::Postgres(pool) => LoaderConn::Postgres(pool.acquire().await?),
        };
        Ok(HistoryLoader {
            conn,
            counters: HistoryCounters::default(),
        })
    }

    /// Rows per table of everything a generated load writes or rebuilds, by table name.
    pub async fn history_table_rows(&self) -> Result<Vec<(String, i64)>> {
        const TABLES: [&str; 11] = [
            "dossiers",
            "dossier_events",
            "dossier_facts",
            "dossier_handlers",
            "dossier_code_seq",
            "finished_daily",
            "handler_yearly",
            "accounts",
            "ind_daily",
            "ind_monthly",
            "ind_stock_monthly",
        ];
        let mut out = Vec::with_capacity(TABLES.len());
        for t in TABLES {
            let sql = format!("SELECT COUNT(*) FROM {t}");
            let n: i64 = on_pool!(self, pool => {
                sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(pool).await?
            });
            out.push((t.to_owned(), n));
        }
        Ok(out)
    }

    /// The database's size in bytes: SQLite's pages (the write-ahead log's included), or
    /// PostgreSQL's `pg_database_size`.
    pub async fn database_bytes(&self) -> Result<i64> {
        Ok(match &self.backend {
            Backend::Sqlite(pool) => {
                sqlx::query_scalar(
                    "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
                )
                .fetch_one(pool)
                .await?
            }
            Backend::Postgres(pool) => {
                sqlx::query_scalar("SELECT pg_database_size(current_database())::BIGINT")
                    .fetch_one(pool)
                    .await?
            }
        })
    }
}

impl HistoryLoader {
    /// Writes new dossiers' histories (from [`Store::render_history`]) in one transaction.
    /// The rows are only borrowed: the caller frees them (on the thread that made them).
    pub async fn load(&mut self, items: &[HistoryTables]) -> Result<()> {
        for item in items {
            self.counters.add(item);
        }
        match &mut self.conn {
            LoaderConn::Sqlite(conn) => {
                let mut tx = sqlx::Connection::begin(&mut **conn).await?;
                fill_history_tables(&mut tx, items, true).await?;
                tx.commit().await?;
            }
            LoaderConn::Postgres(conn) => {
                let mut tx = sqlx::Connection::begin(&mut **conn).await?;
                fill_history_tables(&mut tx, items, false).await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }

    /// Adds what the loaded dossiers count in the code sequences (so dossiers created later
    /// on those days get the next numbers), the finished-per-day table and the handlers per
    /// year, in one transaction; on PostgreSQL then gathers the statistics (`ANALYZE`). Returns
    /// the rows written per table.
    pub async fn finish(mut self) -> Result<Vec<(String, usize)>> {
        match &mut self.conn {
            LoaderConn::Sqlite(conn) => {
                let mut tx = sqlx::Connection::begin(&mut **conn).await?;
                let written = write_counters(&mut tx, &self.counters, true).await?;
                tx.commit().await?;
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&mut **conn)
                    .await?;
                Ok(written)
            }
            LoaderConn::Postgres(conn) => {
                let mut tx = sqlx::Connection::begin(&mut **conn).await?;
                let written = write_counters(&mut tx, &self.counters, false).await?;
                tx.commit().await?;
                // Statistics for the loaded tables now, not whenever autovacuum comes by:
                // until then the planner takes them for empty, and a lookup by key may scan.
                sqlx::query("ANALYZE").execute(&mut **conn).await?;
                Ok(written)
            }
        }
    }
}
