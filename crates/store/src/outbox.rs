//! The transactional outbox: messages for the exchanges (the national portal, later the
//! provincial LGSP), enqueued in the transaction of the dossier event they report, claimed by
//! sync workers under a lease, and marked delivered, retried or dead.
//!
//! Owns: the claim rule (a dossier's messages go out in `seq` order: a message is claimable
//! only when every earlier message of its dossier and sink was delivered, so a failing or dead
//! message holds back its dossier's later ones and nothing else); the lease that keeps two
//! workers off the same message (a conditional update, with `FOR UPDATE SKIP LOCKED` on
//! PostgreSQL; SQLite has one writer at a time); and marking a dossier synced in its facts and
//! rollups when its first message is confirmed. Times are milliseconds since the Unix epoch.

use cchc_domain::indicator::DossierFacts;
use sqlx::{AssertSqlSafe, Row};

use crate::indicators::{FACT_COLUMNS, facts_row};
use crate::{Backend, Result, Store, StoreError};

/// A message the app built for one event and one sink, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutboxMessage {
    /// The exchange that delivers it (`dvcqg`, …).
    pub sink: String,
    pub dossier_code: String,
    /// The event's sequence number: the order of delivery within the dossier.
    pub seq: u32,
    /// The event's kind (for the administrator's lists).
    pub kind: String,
    /// The body in the sink's format (JSON for the national portal).
    pub payload: String,
}

impl NewOutboxMessage {
    /// The idempotency key sent with every attempt: the receiver keeps the first copy.
    pub fn key(&self) -> String {
        format!("{}:{}:{}", self.dossier_code, self.seq, self.sink)
    }
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxStatus {
    Pending,
    Delivered,
    /// Gave up after the configured attempts (or the receiver refused it for good): waits for
    /// an administrator to replay it, and holds back its dossier's later messages meanwhile.
    Dead,
}

impl OutboxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "delivered" => Some(Self::Delivered),
            "dead" => Some(Self::Dead),
            _ => None,
        }
    }
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    pub key: String,
    pub sink: String,
    pub dossier_code: String,
    pub seq: u32,
    pub kind: String,
    pub payload: String,
    pub status: OutboxStatus,
    pub attempts: u32,
    pub next_attempt_at: i64,
    pub lease_until: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
}

/// Messages of one sink in one status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxCount {
    pub sink: String,
    pub status: OutboxStatus,
    pub count: i64,
    /// When the oldest of them was enqueued.
    pub oldest_created_at: Option<i64>,
}

/// Whether confirming a message marks its dossier as synced (the national portal's first
/// message of a dossier does; the app decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncedMark {
    Yes,
    No,
}

const COLUMNS: &str = "id, idem_key, sink, dossier_code, seq, kind, payload, status, attempts, \
    next_attempt_at, lease_until, last_error, created_at, delivered_at";

fn message_row<R>(r: &R) -> Result<OutboxMessage>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let status: String = r.try_get("status")?;
    let seq: i64 = r.try_get("seq")?;
    let attempts: i64 = r.try_get("attempts")?;
    Ok(OutboxMessage {
        id: r.try_get("id")?,
        key: r.try_get("idem_key")?,
        sink: r.try_get("sink")?,
        dossier_code: r.try_get("dossier_code")?,
        seq: u32::try_from(seq).map_err(|_| StoreError::Corrupt(format!("outbox seq {seq}")))?,
        kind: r.try_get("kind")?,
        payload: r.try_get("payload")?,
        status: OutboxStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("outbox status {status}")))?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        next_attempt_at: r.try_get("next_attempt_at")?,
        lease_until: r.try_get("lease_until")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
        delivered_at: r.try_get("delivered_at")?,
    })
}

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

impl Store {
    /// Writes the messages of an event inside its transaction, due at once.
    pub(crate) async fn enqueue<'c, DB>(
        tx: &mut sqlx::Transaction<'c, DB>,
        messages: &[NewOutboxMessage],
    ) -> Result<()>
    where
        DB: sqlx::Database,
        for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
        for<'e> &'e mut <DB as sqlx::Database>::Connection: sqlx::Executor<'e, Database = DB>,
        for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        let now = now_ms();
        for m in messages {
            sqlx::query(
                "INSERT INTO outbox (idem_key, sink, dossier_code, seq, kind, payload, status, \
                 attempts, next_attempt_at, created_at) VALUES ($1,$2,$3,$4,$5,$6,'pending',0,$7,$7)",
            )
            .bind(m.key())
            .bind(m.sink.clone())
            .bind(m.dossier_code.clone())
            .bind(i64::from(m.seq))
            .bind(m.kind.clone())
            .bind(m.payload.clone())
            .bind(now)
            .execute(&mut **tx)
            .await
            .map_err(|e| crate::dup(e, &m.key()))?;
        }
        Ok(())
    }

    /// Claims up to `limit` messages of `sink` that are due, for `lease_ms`, on behalf of
    /// `worker`: at most one per dossier (the earliest not delivered), and only if no other
    /// worker holds a live lease on it.
    pub async fn claim_outbox(
        &self,
        sink: &str,
        worker: &str,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>> {
        let now = now_ms();
        let skip_locked = match self.backend {
            Backend::Postgres(_) => "FOR UPDATE OF o SKIP LOCKED",
            Backend::Sqlite(_) => "",
        };
        // The outer conditions repeat the inner ones: on PostgreSQL a row another worker
        // leased meanwhile is re-checked after its lock and dropped.
        let sql = format!(
            "UPDATE outbox SET lease_until = $1, leased_by = $2 WHERE id IN ( \
               SELECT o.id FROM outbox o WHERE o.sink = $3 AND o.status = 'pending' \
               AND o.next_attempt_at <= $4 AND (o.lease_until IS NULL OR o.lease_until < $4) \
               AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.sink = o.sink \
                 AND p.dossier_code = o.dossier_code AND p.seq < o.seq AND p.status <> 'delivered') \
               ORDER BY o.id LIMIT $5 {skip_locked}) \
             AND status = 'pending' AND (lease_until IS NULL OR lease_until < $4) \
             RETURNING {COLUMNS}"
        );
        on_write_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql.clone()))
                .bind(now.saturating_add(lease_ms))
                .bind(worker)
                .bind(sink)
                .bind(now)
                .bind(limit)
                .fetch_all(pool)
                .await?;
            let mut out = rows.iter().map(message_row).collect::<Result<Vec<_>>>()?;
            out.sort_by_key(|m| m.id);
            Ok(out)
        })
    }

    /// Records a confirmed delivery; with `SyncedMark::Yes` the dossier counts as synced from
    /// now on (its facts and rollups change in the same transaction). False if the message
    /// was no longer pending (another worker confirmed it first).
    pub async fn outbox_delivered(&self, id: i64, mark: SyncedMark) -> Result<bool> {
        let now = now_ms();
        let anonymous = self.anonymous_marks();
        on_write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            // The first statement writes, so SQLite takes its write lock before any read.
            let code: Option<String> = sqlx::query_scalar(
                "UPDATE outbox SET status = 'delivered', delivered_at = $2, attempts = attempts + 1, \
                 lease_until = NULL, last_error = NULL WHERE id = $1 AND status = 'pending' \
                 RETURNING dossier_code",
            )
            .bind(id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(code) = code else {
                return Ok(false);
            };
            if mark == SyncedMark::Yes {
                // Lock the dossier's row as an event does first, so an event written
                // concurrently reads the facts after this change, not before it.
                sqlx::query("UPDATE dossiers SET version = version WHERE code = $1")
                    .bind(code.clone())
                    .execute(&mut *tx)
                    .await?;
                let row = sqlx::query(AssertSqlSafe(format!(
                    "SELECT {FACT_COLUMNS} FROM dossier_facts WHERE code = $1"
                )))
                .bind(code.clone())
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(facts) = row.as_ref().map(facts_row).transpose()?
                    && !facts.synced
                {
                    let synced = DossierFacts {
                        synced: true,
                        ..facts
                    };
                    Self::apply_facts(&mut tx, &synced, anonymous).await?;
                }
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Records a failed attempt by `worker`: due again at `retry_at`, or dead when None.
    /// Ignored if the message is no longer this worker's (its lease ran out and another took
    /// it).
    pub async fn outbox_failed(
        &self,
        id: i64,
        worker: &str,
        error: &str,
        retry_at: Option<i64>,
    ) -> Result<bool> {
        let error: String = error.chars().take(1000).collect();
        let (status, next) = match retry_at {
            Some(at) => ("pending", at),
            None => ("dead", now_ms()),
        };
        on_write_pool!(self, pool => {
            let done = sqlx::query(
                "UPDATE outbox SET status = $3, attempts = attempts + 1, next_attempt_at = $4, \
                 last_error = $5, lease_until = NULL, leased_by = NULL \
                 WHERE id = $1 AND status = 'pending' AND leased_by = $2",
            )
            .bind(id)
            .bind(worker)
            .bind(status)
            .bind(next)
            .bind(error)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Puts dead messages back in the queue, due now with their attempts reset: one (`id`) or
    /// all of them. Returns how many.
    pub async fn outbox_replay(&self, id: Option<i64>) -> Result<u64> {
        let now = now_ms();
        on_write_pool!(self, pool => {
            let done = match id {
                Some(id) => sqlx::query(
                    "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1, \
                     lease_until = NULL, leased_by = NULL WHERE status = 'dead' AND id = $2",
                )
                .bind(now)
                .bind(id)
                .execute(pool)
                .await?,
                None => sqlx::query(
                    "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1, \
                     lease_until = NULL, leased_by = NULL WHERE status = 'dead'",
                )
                .bind(now)
                .execute(pool)
                .await?,
            };
            Ok(done.rows_affected())
        })
    }

    /// Messages per sink and status.
    pub async fn outbox_counts(&self) -> Result<Vec<OutboxCount>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT sink, status, COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox \
                 GROUP BY sink, status ORDER BY sink, status",
            )
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    let status: String = r.try_get("status")?;
                    Ok(OutboxCount {
                        sink: r.try_get("sink")?,
                        status: OutboxStatus::parse(&status)
                            .ok_or_else(|| StoreError::Corrupt(format!("outbox status {status}")))?,
                        count: r.try_get("n")?,
                        oldest_created_at: r.try_get("oldest")?,
                    })
                })
                .collect()
        })
    }

    /// Messages in a status, oldest first, a page at a time.
    pub async fn outbox_list(
        &self,
        status: OutboxStatus,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<OutboxMessage>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM outbox WHERE status = $1 ORDER BY id LIMIT $2 OFFSET $3"
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql.clone()))
                .bind(status.as_str())
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await?;
            rows.iter().map(message_row).collect()
        })
    }

    /// A dossier's messages in order.
    pub async fn outbox_of_dossier(&self, code: &str) -> Result<Vec<OutboxMessage>> {
        let sql =
            format!("SELECT {COLUMNS} FROM outbox WHERE dossier_code = $1 ORDER BY sink, seq");
        on_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql.clone()))
                .bind(code)
                .fetch_all(pool)
                .await?;
            rows.iter().map(message_row).collect()
        })
    }
}
