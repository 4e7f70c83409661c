//! The physical limit of storing dossier rows (`cchc bench ingest`): rows the app wrote, read
//! back and inserted again into empty tables of the same shape as fast as the database takes
//! them. Never used by the application itself.

use sqlx::{AssertSqlSafe, Row};
use std::time::Instant;

use crate::ingest::{DOSSIER_COLUMNS, EVENT_COLUMNS, Val};
use crate::{Backend, Result, Store, StoreError};

/// Integer columns of the two tables; every other column is text.
const INT_COLUMNS: [&str; 5] = ["status", "channel", "version", "finished_late", "seq"];

impl Store {
    /// Reads the `dossiers` and `dossier_events` rows of `codes`, then times inserting them
    /// into fresh copies of both tables (same columns, keys and indexes) in one transaction:
    /// multi-row INSERTs on SQLite, `COPY FROM STDIN` (CSV) on PostgreSQL. Returns the rows
    /// inserted, the seconds it took (commit included) and the method. The copies are dropped.
    pub async fn bulk_copy_limit(&self, codes: &[String]) -> Result<(usize, f64, &'static str)> {
        let dossiers = self
            .rows_of("dossiers", "code", &DOSSIER_COLUMNS, codes)
            .await?;
        let events = self
            .rows_of("dossier_events", "dossier_code", &EVENT_COLUMNS, codes)
            .await?;
        let rows = dossiers.len() + events.len();
        let tables = [
            ("dossiers", &DOSSIER_COLUMNS[..], &dossiers),
            ("dossier_events", &EVENT_COLUMNS[..], &events),
        ];
        match &self.backend {
            Backend::Sqlite(pool) => {
                let mut conn = pool.acquire().await?;
                for (table, _, _) in &tables {
                    let copy = format!("bench_limit_{table}");
                    sqlx::raw_sql(AssertSqlSafe(format!("DROP TABLE IF EXISTS {copy}")))
                        .execute(&mut *conn)
                        .await?;
                    // The table's own DDL and indexes, renamed.
                    let ddl: Vec<String> = sqlx::query_scalar(
                        "SELECT sql FROM sqlite_master WHERE tbl_name = $1 AND sql IS NOT NULL \
                         ORDER BY type DESC",
                    )
                    .bind(*table)
                    .fetch_all(&mut *conn)
                    .await?;
                    for sql in ddl {
                        let renamed = rename_ddl(&sql, table, &copy);
                        sqlx::raw_sql(AssertSqlSafe(renamed))
                            .execute(&mut *conn)
                            .await?;
                    }
                }
                let owned: Vec<Vec<Vec<Val>>> =
                    tables.iter().map(|(_, _, data)| (*data).clone()).collect();
                let t = Instant::now();
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                for ((table, cols, _), data) in tables.iter().zip(owned) {
                    let copy = format!("bench_limit_{table}");
                    Self::insert_rows(&mut tx, &copy, cols, data, true, "", |_| copy.clone())
                        .await?;
                }
                tx.commit().await?;
                let secs = t.elapsed().as_secs_f64();
                for (table, _, _) in &tables {
                    sqlx::raw_sql(AssertSqlSafe(format!("DROP TABLE bench_limit_{table}")))
                        .execute(&mut *conn)
                        .await?;
                }
                Ok((rows, secs, "SQLite multi-row INSERT"))
            }
            Backend::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                for (table, _, _) in &tables {
                    sqlx::raw_sql(AssertSqlSafe(format!(
                        "DROP TABLE IF EXISTS bench_limit_{table}; \
                         CREATE TABLE bench_limit_{table} (LIKE {table} INCLUDING DEFAULTS INCLUDING INDEXES)"
                    )))
                    .execute(&mut *conn)
                    .await?;
                }
                let csv: Vec<String> = tables.iter().map(|(_, _, data)| to_csv(data)).collect();
                let t = Instant::now();
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                for ((table, cols, _), body) in tables.iter().zip(&csv) {
                    let mut copy = tx
                        .copy_in_raw(&format!(
                            "COPY bench_limit_{table} ({}) FROM STDIN (FORMAT csv)",
                            cols.join(", ")
                        ))
                        .await?;
                    copy.send(body.as_bytes()).await?;
                    copy.finish().await?;
                }
                tx.commit().await?;
                let secs = t.elapsed().as_secs_f64();
                for (table, _, _) in &tables {
                    sqlx::raw_sql(AssertSqlSafe(format!("DROP TABLE bench_limit_{table}")))
                        .execute(&mut *conn)
                        .await?;
                }
                Ok((rows, secs, "PostgreSQL COPY"))
            }
        }
    }

    /// The `cols` of the rows of `table` whose `key` is one of `codes`.
    async fn rows_of(
        &self,
        table: &str,
        key: &str,
        cols: &[&str],
        codes: &[String],
    ) -> Result<Vec<Vec<Val>>> {
        let anonymous = self.anonymous_marks();
        let mut out = Vec::new();
        for chunk in codes.chunks(500) {
            let marks: Vec<String> = (1..=chunk.len())
                .map(|i| {
                    if anonymous {
                        "?".into()
                    } else {
                        format!("${i}")
                    }
                })
                .collect();
            let sql = format!(
                "SELECT {} FROM {table} WHERE {key} IN ({})",
                cols.join(", "),
                marks.join(", ")
            );
            on_pool!(self, pool => {
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for c in chunk {
                    q = q.bind(c.clone());
                }
                for r in q.fetch_all(pool).await? {
                    let mut row = Vec::with_capacity(cols.len());
                    for c in cols {
                        row.push(if INT_COLUMNS.contains(c) {
                            Val::Int(r.try_get(*c)?)
                        } else {
                            Val::Text(r.try_get(*c)?)
                        });
                    }
                    out.push(row);
                }
            });
        }
        if out.is_empty() && !codes.is_empty() {
            return Err(StoreError::NotFound(format!(
                "{table}: no rows for the codes"
            )));
        }
        Ok(out)
    }
}

/// `CREATE TABLE dossiers (…)` / `CREATE INDEX x ON dossiers(…)` for the copy's name.
fn rename_ddl(sql: &str, table: &str, copy: &str) -> String {
    if let Some(rest) = sql.strip_prefix(&format!("CREATE TABLE {table}")) {
        return format!("CREATE TABLE {copy}{rest}");
    }
    // An index: its own name gets the prefix, and it is built on the copy.
    let renamed = sql.replacen("CREATE INDEX ", "CREATE INDEX bench_limit_", 1);
    let renamed = renamed.replacen(
        "CREATE UNIQUE INDEX ",
        "CREATE UNIQUE INDEX bench_limit_",
        1,
    );
    renamed
        .replacen(&format!(" ON {table}("), &format!(" ON {copy}("), 1)
        .replacen(&format!(" ON {table} ("), &format!(" ON {copy} ("), 1)
}

/// RFC 4180 CSV: every value quoted, NULL as an unquoted empty field (COPY's CSV default).
fn to_csv(rows: &[Vec<Val>]) -> String {
    let mut s = String::new();
    for row in rows {
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            match v {
                Val::Text(Some(t)) => {
                    s.push('"');
                    s.push_str(&t.replace('"', "\"\""));
                    s.push('"');
                }
                Val::Int(Some(n)) => s.push_str(&n.to_string()),
                Val::Text(None) | Val::Int(None) => {}
            }
        }
        s.push('\n');
    }
    s
}
