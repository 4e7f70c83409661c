//! Aggregates read by published pages and boards: the daily rollup of finished dossiers, and
//! the keyset walk over open dossiers for re-projection.

use crate::{Backend, Result, Store};

/// Dossiers finished in a period at one receiving unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedCount {
    pub unit: String,
    pub finished: i64,
    /// Judged late by the domain at the finish (`finished_late`).
    pub late: i64,
}

impl Store {
    /// Per receiving unit, the dossiers finished on the days `[from, to)` (YYYY-MM-DD) and how
    /// many of them late, from the daily rollup kept with each finishing event.
    pub async fn finished_by_unit(&self, from: &str, to: &str) -> Result<Vec<FinishedCount>> {
        on_read_pool!(self, pool => {
            let rows: Vec<(String, i64, i64)> = sqlx::query_as(
                "SELECT unit, CAST(SUM(finished) AS BIGINT), CAST(SUM(late) AS BIGINT) \
                 FROM finished_daily WHERE day >= $1 AND day < $2 GROUP BY unit ORDER BY unit",
            )
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(unit, finished, late)| FinishedCount { unit, finished, late })
                .collect())
        })
    }
}

impl Store {
    /// Codes of the dossiers whose clock runs or is paused (statuses 2, 4, 5, 6), after `after`
    /// in code order, `limit` at a time (keyset pagination).
    pub async fn open_dossier_codes(&self, after: &str, limit: i64) -> Result<Vec<String>> {
        on_pool!(self, pool => {
            let codes: Vec<String> = sqlx::query_scalar(
                "SELECT code FROM dossiers WHERE status IN (2, 4, 5, 6) AND code > $1 ORDER BY code LIMIT $2",
            )
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?;
            Ok(codes)
        })
    }

    /// Rewrites the due date column of one dossier (derived data: no event changes) if its
    /// version is still `version`; returns whether it changed.
    pub async fn set_due_at(
        &self,
        code: &str,
        version: i64,
        due_at: Option<String>,
    ) -> Result<bool> {
        on_write_pool!(self, pool => {
            let done = sqlx::query(
                "UPDATE dossiers SET due_at = $3 WHERE code = $1 AND version = $2 \
                 AND due_at IS DISTINCT FROM $3",
            )
            .bind(code)
            .bind(version)
            .bind(due_at)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }
}

impl Store {
    /// Every dossier's code after `after`, in code order, `limit` at a time (keyset walk).
    pub async fn dossier_codes_after(&self, after: &str, limit: i64) -> Result<Vec<String>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT code FROM dossiers WHERE code > $1 ORDER BY code LIMIT $2")
                .bind(after)
                .bind(limit)
                .fetch_all(pool)
                .await?)
        })
    }
}
