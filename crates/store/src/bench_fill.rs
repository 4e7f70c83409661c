//! Bulk loading of indicator facts for benchmarks (`cchc bench indicators`): minimal dossier
//! rows and their facts, many rows per INSERT, in one transaction, without touching the
//! rollups (a rebuild sums them afterwards). Never used by the application itself.

use cchc_domain::indicator::DossierFacts;
use sqlx::AssertSqlSafe;

use crate::{Backend, Result, Store, multi_insert};

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

const OUTBOX_COLUMNS: &[&str] = &[
    "idem_key",
    "sink",
    "dossier_code",
    "seq",
    "kind",
    "payload",
    "status",
    "attempts",
    "next_attempt_at",
    "created_at",
    "delivered_at",
];

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
        let status = if delivered { "delivered" } else { "pending" };
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for chunk in messages.chunks(ROWS_PER_INSERT) {
                let sql = multi_insert("outbox", OUTBOX_COLUMNS, chunk.len(), anonymous);
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for m in chunk {
                    q = q
                        .bind(m.key())
                        .bind(m.sink.clone())
                        .bind(m.dossier_code.clone())
                        .bind(i64::from(m.seq))
                        .bind(m.kind.clone())
                        .bind(m.payload.clone())
                        .bind(status)
                        .bind(i64::from(delivered))
                        .bind(now)
                        .bind(now)
                        .bind(delivered.then_some(now));
                }
                q.execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }
}
