//! Citizen feedback (phản ánh, kiến nghị — PAKN): the append-only, hash-chained events, the
//! projection row written in the same transaction as each event (with an optimistic version,
//! so a stale writer gets a conflict), and the files that came with the submission or with
//! the citizen's additional information.
//!
//! Rules (which event may follow which, deadlines, what is published) are the domain's
//! (`cchc_domain::pakn`); this module keeps the rows. No UPDATE or DELETE is ever issued on
//! `pakn_events` or `pakn_files`.

use sqlx::{AssertSqlSafe, Row};

use crate::{Backend, Result, Store, StoreError, dup, multi_insert};

/// A PAKN's projection row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PaknRow {
    pub code: String,
    pub secret_hash: String,
    pub owner_account: Option<String>,
    pub contact_name: String,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    /// `cchc_domain::pakn::Category` code.
    pub category: String,
    pub subject_kind: String,
    pub procedure_code: Option<String>,
    pub dossier_code: Option<String>,
    /// The responsible unit now.
    pub unit_id: String,
    /// The unit the citizen named.
    pub named_unit: String,
    pub body: String,
    pub consent: bool,
    /// `cchc_domain::pakn::Status` code.
    pub status: String,
    /// Nhũng nhiễu: shown at once to the unit's leader and the reform office.
    pub flagged: bool,
    pub received_at: String,
    pub intake_due: Option<String>,
    pub forwarded_at: Option<String>,
    pub process_due: Option<String>,
    /// The obligation in force and its kind (None when closed or paused).
    pub current_due: Option<String>,
    pub current_kind: Option<String>,
    pub answered_at: Option<String>,
    pub answered_late: Option<bool>,
    pub refused_at: Option<String>,
    pub published_at: Option<String>,
    pub published_question: Option<String>,
    pub published_answer: Option<String>,
    /// The published texts folded (no diacritics, lowercase) for search.
    pub published_folded: Option<String>,
    pub rating: Option<i64>,
    pub rated_at: Option<String>,
    pub version: i64,
    pub updated_at: String,
}

/// One stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaknEventRow {
    pub code: String,
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub actor_name: String,
    pub kind: String,
    /// The domain's `EventBody` as JSON.
    pub data: String,
    pub prev_hash: String,
    pub hash: String,
}

/// A file without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PaknFileInfo {
    pub id: String,
    pub code: String,
    /// The event that brought it.
    pub seq: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_at: String,
}

/// A file arriving with an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPaknFile {
    pub info: PaknFileInfo,
    pub content: Vec<u8>,
}

/// Which PAKN to list. Filters combine with AND; `units` matches the responsible or the named
/// unit.
#[derive(Debug, Clone, Default)]
pub struct PaknFilter {
    pub units: Option<Vec<String>>,
    pub owner_account: Option<String>,
    pub statuses: Option<Vec<String>>,
    pub flagged: Option<bool>,
    /// Only those whose obligation in force ran out before this instant.
    pub due_before: Option<String>,
    /// Only published ones.
    pub published: bool,
    pub procedure_code: Option<String>,
    /// Every word must appear in the folded published texts.
    pub words: Vec<String>,
    /// Received in this range (ISO civil time, inclusive start, exclusive end).
    pub received_from: Option<String>,
    pub received_to: Option<String>,
    pub limit: i64,
}

const COLS: &[&str] = &[
    "code",
    "secret_hash",
    "owner_account",
    "contact_name",
    "contact_phone",
    "contact_email",
    "category",
    "subject_kind",
    "procedure_code",
    "dossier_code",
    "unit_id",
    "named_unit",
    "body",
    "consent",
    "status",
    "flagged",
    "received_at",
    "intake_due",
    "forwarded_at",
    "process_due",
    "current_due",
    "current_kind",
    "answered_at",
    "answered_late",
    "refused_at",
    "published_at",
    "published_question",
    "published_answer",
    "published_folded",
    "rating",
    "rated_at",
    "version",
    "updated_at",
];

const EVENT_COLS: &[&str] = &[
    "code",
    "seq",
    "at",
    "actor",
    "actor_name",
    "kind",
    "data",
    "prev_hash",
    "hash",
];

const FILE_COLS: &[&str] = &[
    "id",
    "code",
    "seq",
    "file_name",
    "content_type",
    "size_bytes",
    "sha256",
    "uploaded_at",
    "content",
];

macro_rules! bind_row {
    ($q:expr, $r:expr) => {
        $q.bind($r.code.clone())
            .bind($r.secret_hash.clone())
            .bind($r.owner_account.clone())
            .bind($r.contact_name.clone())
            .bind($r.contact_phone.clone())
            .bind($r.contact_email.clone())
            .bind($r.category.clone())
            .bind($r.subject_kind.clone())
            .bind($r.procedure_code.clone())
            .bind($r.dossier_code.clone())
            .bind($r.unit_id.clone())
            .bind($r.named_unit.clone())
            .bind($r.body.clone())
            .bind(i64::from($r.consent))
            .bind($r.status.clone())
            .bind(i64::from($r.flagged))
            .bind($r.received_at.clone())
            .bind($r.intake_due.clone())
            .bind($r.forwarded_at.clone())
            .bind($r.process_due.clone())
            .bind($r.current_due.clone())
            .bind($r.current_kind.clone())
            .bind($r.answered_at.clone())
            .bind($r.answered_late.map(i64::from))
            .bind($r.refused_at.clone())
            .bind($r.published_at.clone())
            .bind($r.published_question.clone())
            .bind($r.published_answer.clone())
            .bind($r.published_folded.clone())
            .bind($r.rating)
            .bind($r.rated_at.clone())
            .bind($r.version)
            .bind($r.updated_at.clone())
    };
}

macro_rules! read_row {
    ($r:expr) => {
        PaknRow {
            code: $r.try_get("code")?,
            secret_hash: $r.try_get("secret_hash")?,
            owner_account: $r.try_get("owner_account")?,
            contact_name: $r.try_get("contact_name")?,
            contact_phone: $r.try_get("contact_phone")?,
            contact_email: $r.try_get("contact_email")?,
            category: $r.try_get("category")?,
            subject_kind: $r.try_get("subject_kind")?,
            procedure_code: $r.try_get("procedure_code")?,
            dossier_code: $r.try_get("dossier_code")?,
            unit_id: $r.try_get("unit_id")?,
            named_unit: $r.try_get("named_unit")?,
            body: $r.try_get("body")?,
            consent: $r.try_get::<i64, _>("consent")? != 0,
            status: $r.try_get("status")?,
            flagged: $r.try_get::<i64, _>("flagged")? != 0,
            received_at: $r.try_get("received_at")?,
            intake_due: $r.try_get("intake_due")?,
            forwarded_at: $r.try_get("forwarded_at")?,
            process_due: $r.try_get("process_due")?,
            current_due: $r.try_get("current_due")?,
            current_kind: $r.try_get("current_kind")?,
            answered_at: $r.try_get("answered_at")?,
            answered_late: $r
                .try_get::<Option<i64>, _>("answered_late")?
                .map(|v| v != 0),
            refused_at: $r.try_get("refused_at")?,
            published_at: $r.try_get("published_at")?,
            published_question: $r.try_get("published_question")?,
            published_answer: $r.try_get("published_answer")?,
            published_folded: $r.try_get("published_folded")?,
            rating: $r.try_get("rating")?,
            rated_at: $r.try_get("rated_at")?,
            version: $r.try_get("version")?,
            updated_at: $r.try_get("updated_at")?,
        }
    };
}

macro_rules! bind_event {
    ($q:expr, $e:expr) => {
        $q.bind($e.code.clone())
            .bind($e.seq)
            .bind($e.at.clone())
            .bind($e.actor.clone())
            .bind($e.actor_name.clone())
            .bind($e.kind.clone())
            .bind($e.data.clone())
            .bind($e.prev_hash.clone())
            .bind($e.hash.clone())
    };
}

macro_rules! bind_file {
    ($q:expr, $f:expr) => {
        $q.bind($f.info.id.clone())
            .bind($f.info.code.clone())
            .bind($f.info.seq)
            .bind($f.info.file_name.clone())
            .bind($f.info.content_type.clone())
            .bind($f.info.size_bytes)
            .bind($f.info.sha256.clone())
            .bind($f.info.uploaded_at.clone())
            .bind($f.content.clone())
    };
}

macro_rules! file_info {
    ($r:expr) => {
        PaknFileInfo {
            id: $r.try_get("id")?,
            code: $r.try_get("code")?,
            seq: $r.try_get("seq")?,
            file_name: $r.try_get("file_name")?,
            content_type: $r.try_get("content_type")?,
            size_bytes: $r.try_get("size_bytes")?,
            sha256: $r.try_get("sha256")?,
            uploaded_at: $r.try_get("uploaded_at")?,
        }
    };
}

/// A filter's SQL and its bound values, in `$n` order.
fn filter_sql(f: &PaknFilter) -> (String, Vec<String>) {
    let mut sql = format!("SELECT {} FROM pakn WHERE 1 = 1", COLS.join(", "));
    let mut binds: Vec<String> = Vec::new();
    let mark = |binds: &mut Vec<String>, v: &str| {
        binds.push(v.to_owned());
        format!("${}", binds.len())
    };
    if let Some(units) = &f.units {
        if units.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            let a: Vec<String> = units.iter().map(|u| mark(&mut binds, u)).collect();
            let list = a.join(", ");
            sql.push_str(&format!(
                " AND (unit_id IN ({list}) OR named_unit IN ({list}))"
            ));
        }
    }
    if let Some(owner) = &f.owner_account {
        let m = mark(&mut binds, owner);
        sql.push_str(&format!(" AND owner_account = {m}"));
    }
    if let Some(statuses) = &f.statuses {
        if statuses.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            let a: Vec<String> = statuses.iter().map(|s| mark(&mut binds, s)).collect();
            sql.push_str(&format!(" AND status IN ({})", a.join(", ")));
        }
    }
    match f.flagged {
        Some(true) => sql.push_str(" AND flagged = 1"),
        Some(false) => sql.push_str(" AND flagged = 0"),
        None => {}
    }
    if let Some(t) = &f.due_before {
        let m = mark(&mut binds, t);
        sql.push_str(&format!(
            " AND current_due IS NOT NULL AND current_due < {m}"
        ));
    }
    if f.published {
        sql.push_str(" AND published_at IS NOT NULL");
    }
    if let Some(p) = &f.procedure_code {
        let m = mark(&mut binds, p);
        sql.push_str(&format!(" AND procedure_code = {m}"));
    }
    for w in &f.words {
        // `%`, `_` and the escape character are literal in a searched word; SQLite has no
        // default LIKE escape, PostgreSQL's is `\`: name it on both. SQLite's LIKE ignores
        // ASCII case and PostgreSQL's does not: the folded texts are lowercase, so the word is
        // lowercased too and both backends agree.
        let escaped = w
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let m = mark(&mut binds, &format!("%{escaped}%"));
        sql.push_str(&format!(" AND published_folded LIKE {m} ESCAPE '\\'"));
    }
    if let Some(t) = &f.received_from {
        let m = mark(&mut binds, t);
        sql.push_str(&format!(" AND received_at >= {m}"));
    }
    if let Some(t) = &f.received_to {
        let m = mark(&mut binds, t);
        sql.push_str(&format!(" AND received_at < {m}"));
    }
    let order = if f.published {
        "published_at DESC"
    } else {
        "received_at DESC"
    };
    sql.push_str(&format!(" ORDER BY {order}, code"));
    if f.limit > 0 {
        sql.push_str(&format!(" LIMIT {}", f.limit));
    }
    (sql, binds)
}

impl Store {
    /// Stores a new PAKN: its row, its first event and its files, in one transaction.
    pub async fn insert_pakn(
        &self,
        row: &PaknRow,
        event: &PaknEventRow,
        files: &[NewPaknFile],
    ) -> Result<()> {
        let row_sql = multi_insert("pakn", COLS, 1, false);
        let event_sql = multi_insert("pakn_events", EVENT_COLS, 1, false);
        let file_sql = multi_insert("pakn_files", FILE_COLS, 1, false);
        on_write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            bind_row!(sqlx::query(AssertSqlSafe(row_sql.clone())), row)
                .execute(&mut *tx)
                .await
                .map_err(|e| dup(e, &format!("phản ánh {}", row.code)))?;
            bind_event!(sqlx::query(AssertSqlSafe(event_sql.clone())), event)
                .execute(&mut *tx)
                .await?;
            for f in files {
                bind_file!(sqlx::query(AssertSqlSafe(file_sql.clone())), f)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Appends an event and writes the new projection and the event's outbox messages (the
    /// answer's notification), in one transaction, if the row is still at
    /// `expected_version`; otherwise nothing is written and the caller gets a conflict.
    pub async fn append_pakn(
        &self,
        row: &PaknRow,
        expected_version: i64,
        event: &PaknEventRow,
        files: &[NewPaknFile],
        outbox: &[crate::NewOutboxMessage],
    ) -> Result<()> {
        let sets: Vec<String> = COLS
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, c)| format!("{c} = ${}", i + 1))
            .collect();
        let update_sql = format!(
            "UPDATE pakn SET {} WHERE code = $1 AND version = ${}",
            sets.join(", "),
            COLS.len() + 1
        );
        let event_sql = multi_insert("pakn_events", EVENT_COLS, 1, false);
        let file_sql = multi_insert("pakn_files", FILE_COLS, 1, false);
        on_write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let changed = bind_row!(sqlx::query(AssertSqlSafe(update_sql.clone())), row)
                .bind(expected_version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Err(StoreError::Conflict(row.code.clone()));
            }
            bind_event!(sqlx::query(AssertSqlSafe(event_sql.clone())), event)
                .execute(&mut *tx)
                .await
                .map_err(|e| match dup(e, &row.code) {
                    StoreError::Duplicate(c) => StoreError::Conflict(c),
                    other => other,
                })?;
            for f in files {
                bind_file!(sqlx::query(AssertSqlSafe(file_sql.clone())), f)
                    .execute(&mut *tx)
                    .await?;
            }
            Self::enqueue(&mut tx, outbox).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// One PAKN's row.
    pub async fn pakn(&self, code: &str) -> Result<Option<PaknRow>> {
        let sql = format!("SELECT {} FROM pakn WHERE code = $1", COLS.join(", "));
        on_pool!(self, pool => {
            let row = sqlx::query(AssertSqlSafe(sql)).bind(code).fetch_optional(pool).await?;
            match row {
                Some(r) => Ok(Some(read_row!(r))),
                None => Ok(None),
            }
        })
    }

    /// A PAKN's events, in order.
    pub async fn pakn_events(&self, code: &str) -> Result<Vec<PaknEventRow>> {
        let sql = format!(
            "SELECT {} FROM pakn_events WHERE code = $1 ORDER BY seq",
            EVENT_COLS.join(", ")
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql)).bind(code).fetch_all(pool).await?;
            rows.iter()
                .map(|r| {
                    Ok(PaknEventRow {
                        code: r.try_get("code")?,
                        seq: r.try_get("seq")?,
                        at: r.try_get("at")?,
                        actor: r.try_get("actor")?,
                        actor_name: r.try_get("actor_name")?,
                        kind: r.try_get("kind")?,
                        data: r.try_get("data")?,
                        prev_hash: r.try_get("prev_hash")?,
                        hash: r.try_get("hash")?,
                    })
                })
                .collect()
        })
    }

    /// PAKN rows matching a filter.
    pub async fn pakn_list(&self, f: &PaknFilter) -> Result<Vec<PaknRow>> {
        let (sql, binds) = filter_sql(f);
        on_pool!(self, pool => {
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for b in &binds {
                q = q.bind(b.clone());
            }
            let rows = q.fetch_all(pool).await?;
            rows.iter().map(|r| Ok(read_row!(r))).collect()
        })
    }

    /// How many PAKN are stored.
    pub async fn pakn_count(&self) -> Result<i64> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM pakn").fetch_one(pool).await?)
        })
    }

    /// The files of a PAKN, in upload order.
    pub async fn pakn_files(&self, code: &str) -> Result<Vec<PaknFileInfo>> {
        let cols = &FILE_COLS[..FILE_COLS.len() - 1];
        let sql = format!(
            "SELECT {} FROM pakn_files WHERE code = $1 ORDER BY seq, uploaded_at, id",
            cols.join(", ")
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql)).bind(code).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(file_info!(r))).collect()
        })
    }

    /// One file of a PAKN with its bytes.
    pub async fn pakn_file(&self, code: &str, id: &str) -> Result<Option<(PaknFileInfo, Vec<u8>)>> {
        let sql = format!(
            "SELECT {} FROM pakn_files WHERE code = $1 AND id = $2",
            FILE_COLS.join(", ")
        );
        on_pool!(self, pool => {
            let row = sqlx::query(AssertSqlSafe(sql))
                .bind(code)
                .bind(id)
                .fetch_optional(pool)
                .await?;
            match row {
                Some(r) => {
                    let content: Vec<u8> = r.try_get("content")?;
                    Ok(Some((file_info!(r), content)))
                }
                None => Ok(None),
            }
        })
    }
}
