//! The indicator rollups: each dossier's facts and the per-unit, per-procedure, per-day (and
//! per-month) sums of its contributions, written in the same transaction as the event that
//! changed them; the queries dashboards read; manual entries; closed periods.
//!
//! How a dossier counts is decided by the domain (`DossierFacts::contributions`); this module
//! only adds up the differences it is given.

use std::collections::BTreeMap;

use cchc_domain::indicator::{
    DossierFacts, EndKind, FinishVerdict, Measure, Measures, RollupDelta,
};
use jiff::civil::Date;
use sqlx::{AssertSqlSafe, Row};

use crate::{Backend, Result, Store, StoreError};

pub(crate) fn flows() -> impl Iterator<Item = Measure> {
    Measure::ROLLUP.iter().copied().filter(|m| !m.is_stock())
}

pub(crate) fn stocks() -> impl Iterator<Item = Measure> {
    Measure::ROLLUP.iter().copied().filter(|m| m.is_stock())
}

fn sums(measures: &[Measure]) -> String {
    measures
        .iter()
        .map(|m| {
            format!(
                "CAST(COALESCE(SUM({c}), 0) AS BIGINT) AS {c}",
                c = m.column()
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn month_of(day: Date) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

pub(crate) const FACT_COLUMNS: &str = "code, unit, procedure_code, received_day, end_kind, end_day, late_from, \
    verdict, online, full_online_proc, fee_bearing, paid_online, digitised, reused, synced, e_result, \
    supplement_requests, used_cd, limit_cd, rating";

fn day_opt(s: Option<String>) -> Result<Option<Date>> {
    s.map(|t| {
        t.parse::<Date>()
            .map_err(|e| StoreError::Corrupt(format!("day {t}: {e}")))
    })
    .transpose()
}

pub(crate) fn facts_row<R>(r: &R) -> Result<DossierFacts>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let flag = |c: &str| -> Result<bool> { Ok(r.try_get::<i64, _>(c)? != 0) };
    let end_kind: Option<String> = r.try_get("end_kind")?;
    let verdict: Option<String> = r.try_get("verdict")?;
    Ok(DossierFacts {
        code: r.try_get("code")?,
        unit: r.try_get("unit")?,
        procedure: r.try_get("procedure_code")?,
        received_day: day_opt(r.try_get("received_day")?)?,
        end: end_kind.as_deref().and_then(EndKind::from_code),
        end_day: day_opt(r.try_get("end_day")?)?,
        late_from: day_opt(r.try_get("late_from")?)?,
        verdict: verdict.as_deref().and_then(FinishVerdict::from_code),
        online: flag("online")?,
        full_online_proc: flag("full_online_proc")?,
        fee_bearing: flag("fee_bearing")?,
        paid_online: flag("paid_online")?,
        digitised: flag("digitised")?,
        reused: flag("reused")?,
        synced: flag("synced")?,
        electronic_result: flag("e_result")?,
        supplement_requests: u32::try_from(r.try_get::<i64, _>("supplement_requests")?)
            .unwrap_or(0),
        used_cd: r.try_get("used_cd")?,
        limit_cd: r.try_get("limit_cd")?,
        rating: r
            .try_get::<Option<i64>, _>("rating")?
            .and_then(|v| u8::try_from(v).ok()),
    })
}

fn measures_row<R>(r: &R, which: &[Measure]) -> Result<Measures>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let mut m = Measures::default();
    for measure in which {
        m.add(*measure, r.try_get::<i64, _>(measure.column())?);
    }
    Ok(m)
}

/// Per unit: rollup rows summed over days or months.
pub type UnitMeasures = BTreeMap<String, Measures>;

/// A closed period as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedPeriodRow {
    pub period: String,
    pub closed_at: String,
    pub closed_by: String,
    pub set_version: String,
    pub set_fingerprint: String,
    pub data_fingerprint: String,
    /// JSON written by the app.
    pub results: String,
}

/// A manual value as stored (without its evidence bytes).
#[derive(Debug, Clone, PartialEq)]
pub struct EntryRow {
    pub id: String,
    pub code: String,
    pub unit: String,
    pub period: String,
    pub value: f64,
    pub note: String,
    pub evidence_name: String,
    pub evidence_type: String,
    pub evidence_sha256: String,
    pub entered_by: String,
    pub entered_at: String,
}

/// A manual value to store, with its evidence document.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    pub id: String,
    pub code: String,
    pub unit: String,
    pub period: String,
    pub value: f64,
    pub note: String,
    pub evidence_name: String,
    pub evidence_type: String,
    pub evidence_sha256: String,
    pub evidence: Vec<u8>,
    pub entered_by: String,
    pub entered_at: String,
}

impl Store {
    /// Writes a dossier's new facts and adds the difference with its stored facts to the
    /// rollups, inside the caller's transaction. `anonymous`: SQLite's `?` marks
    /// ([`Store::anonymous_marks`]).
    pub(crate) async fn apply_facts<'c, DB>(
        tx: &mut sqlx::Transaction<'c, DB>,
        facts: &DossierFacts,
        anonymous: bool,
    ) -> Result<bool>
    where
        DB: sqlx::Database + sqlx::database::HasStatementCache,
        for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
        for<'e> &'e mut <DB as sqlx::Database>::Connection: sqlx::Executor<'e, Database = DB>,
        for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB> + sqlx::Decode<'q, DB>,
        for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB> + sqlx::Decode<'q, DB>,
        for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB> + sqlx::Decode<'q, DB>,
        for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB> + sqlx::Decode<'q, DB>,
        for<'a> &'a str: sqlx::ColumnIndex<<DB as sqlx::Database>::Row>,
    {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {FACT_COLUMNS} FROM dossier_facts WHERE code = $1"
        )))
        .bind(facts.code.clone())
        .fetch_optional(&mut **tx)
        .await?;
        let old = row.as_ref().map(facts_row).transpose()?;
        let merged = crate::ingest::keep_synced(old.as_ref(), facts);
        let facts = &merged;
        if old.as_ref() == Some(facts) {
            return Ok(false);
        }
        let deltas = DossierFacts::diff(old.as_ref(), Some(facts));
        crate::ingest::rollup_script(&deltas, anonymous)
            .run(tx)
            .await?;
        Self::write_facts(tx, facts, old.is_some()).await?;
        Ok(true)
    }

    async fn write_facts<'c, DB>(
        tx: &mut sqlx::Transaction<'c, DB>,
        f: &DossierFacts,
        exists: bool,
    ) -> Result<()>
    where
        DB: sqlx::Database,
        for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
        for<'e> &'e mut <DB as sqlx::Database>::Connection: sqlx::Executor<'e, Database = DB>,
        for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB> + sqlx::Decode<'q, DB>,
        for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB> + sqlx::Decode<'q, DB>,
        for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB> + sqlx::Decode<'q, DB>,
        for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB> + sqlx::Decode<'q, DB>,
        for<'a> &'a str: sqlx::ColumnIndex<<DB as sqlx::Database>::Row>,
    {
        if exists {
            sqlx::query("DELETE FROM dossier_facts WHERE code = $1")
                .bind(f.code.clone())
                .execute(&mut **tx)
                .await?;
        }
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO dossier_facts ({FACT_COLUMNS}) VALUES \
             ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20)"
        )))
        .bind(f.code.clone())
        .bind(f.unit.clone())
        .bind(f.procedure.clone())
        .bind(f.received_day.map(|d| d.to_string()))
        .bind(f.end.map(|k| k.code().to_owned()))
        .bind(f.end_day.map(|d| d.to_string()))
        .bind(f.late_from.map(|d| d.to_string()))
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
        .bind(f.rating.map(i64::from))
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Per unit, flows summed over whole months `[from, to]` (YYYY-MM).
    pub async fn month_flows(&self, from: &str, to: &str) -> Result<UnitMeasures> {
        let flow: Vec<Measure> = flows().collect();
        let sql = format!(
            "SELECT unit, {} FROM ind_monthly WHERE month >= $1 AND month <= $2 GROUP BY unit",
            sums(&flow)
        );
        on_read_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql)).bind(from).bind(to).fetch_all(pool).await?;
            rows.iter()
                .map(|r| Ok((r.try_get::<String, _>("unit")?, measures_row(r, &flow)?)))
                .collect()
        })
    }

    /// Per unit, stock changes summed over every month up to `to` (YYYY-MM), inclusive.
    pub async fn month_stocks(&self, to: &str) -> Result<UnitMeasures> {
        let stock: Vec<Measure> = stocks().collect();
        let sql = format!(
            "SELECT unit, {} FROM ind_stock_monthly WHERE month <= $1 GROUP BY unit",
            sums(&stock)
        );
        on_read_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql)).bind(to).fetch_all(pool).await?;
            rows.iter()
                .map(|r| Ok((r.try_get::<String, _>("unit")?, measures_row(r, &stock)?)))
                .collect()
        })
    }

    /// Per unit, every measure's day rows summed over `[from, to]`.
    pub async fn day_measures(&self, from: Date, to: Date) -> Result<UnitMeasures> {
        let all: Vec<Measure> = Measure::ROLLUP.to_vec();
        let sql = format!(
            "SELECT unit, {} FROM ind_daily WHERE day >= $1 AND day <= $2 GROUP BY unit",
            sums(&all)
        );
        on_read_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql))
                .bind(from.to_string())
                .bind(to.to_string())
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| Ok((r.try_get::<String, _>("unit")?, measures_row(r, &all)?)))
                .collect()
        })
    }

    /// One unit's flows per procedure over `[from, to]` (the drill-down by procedure).
    pub async fn procedure_measures(
        &self,
        units: &[String],
        from: Date,
        to: Date,
    ) -> Result<Vec<(String, Measures)>> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let all: Vec<Measure> = Measure::ROLLUP.to_vec();
        let marks: Vec<String> = (3..units.len() + 3).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT procedure_code, {} FROM ind_daily WHERE day >= $1 AND day <= $2 \
             AND unit IN ({}) GROUP BY procedure_code ORDER BY procedure_code",
            sums(&all),
            marks.join(", ")
        );
        on_read_pool!(self, pool => {
            let mut q = sqlx::query(AssertSqlSafe(sql))
                .bind(from.to_string())
                .bind(to.to_string());
            for u in units {
                q = q.bind(u.clone());
            }
            let rows = q.fetch_all(pool).await?;
            rows.iter()
                .map(|r| Ok((r.try_get::<String, _>("procedure_code")?, measures_row(r, &all)?.flows())))
                .collect()
        })
    }

    /// Per unit and month, flows and stock changes for months `[from, to]`: trend charts. A
    /// month may have stock changes and no flows (a withdrawal, a dossier turning late), so
    /// the two tables are read apart and merged.
    pub async fn monthly_series(
        &self,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, String, Measures)>> {
        let flow: Vec<Measure> = flows().collect();
        let stock: Vec<Measure> = stocks().collect();
        let cols = |ms: &[Measure]| ms.iter().map(|m| m.column()).collect::<Vec<_>>().join(", ");
        let flow_sql = format!(
            "SELECT unit, month, {} FROM ind_monthly WHERE month >= $1 AND month <= $2",
            cols(&flow)
        );
        let stock_sql = format!(
            "SELECT unit, month, {} FROM ind_stock_monthly WHERE month >= $1 AND month <= $2",
            cols(&stock)
        );
        let mut merged: BTreeMap<(String, String), Measures> = BTreeMap::new();
        on_read_pool!(self, pool => {
            for (sql, which) in [(flow_sql, &flow), (stock_sql, &stock)] {
                let rows = sqlx::query(AssertSqlSafe(sql)).bind(from).bind(to).fetch_all(pool).await?;
                for r in &rows {
                    let m = measures_row(r, which)?;
                    *merged
                        .entry((r.try_get::<String, _>("unit")?, r.try_get::<String, _>("month")?))
                        .or_default() += m;
                }
            }
            Ok::<(), StoreError>(())
        })?;
        Ok(merged.into_iter().map(|((u, m), x)| (u, m, x)).collect())
    }

    /// The facts of the dossiers of `units` received or ended in `[from, to]`, or still open
    /// then: the dossiers behind a number (drill-down), at most `limit`.
    pub async fn facts_in(
        &self,
        units: &[String],
        from: Date,
        to: Date,
        limit: i64,
    ) -> Result<Vec<DossierFacts>> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (4..units.len() + 4).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {FACT_COLUMNS} FROM dossier_facts WHERE unit IN ({m}) AND received_day <= $2 \
             AND (end_day IS NULL OR end_day >= $1) ORDER BY received_day, code LIMIT $3",
            m = marks.join(", ")
        );
        on_read_pool!(self, pool => {
            let mut q = sqlx::query(AssertSqlSafe(sql))
                .bind(from.to_string())
                .bind(to.to_string())
                .bind(limit);
            for u in units {
                q = q.bind(u.clone());
            }
            let rows = q.fetch_all(pool).await?;
            rows.iter().map(facts_row).collect()
        })
    }

    /// Facts in code order after `after`, `limit` at a time (keyset walk for rebuilds, exports).
    pub async fn facts_page(&self, after: &str, limit: i64) -> Result<Vec<DossierFacts>> {
        let sql = format!(
            "SELECT {FACT_COLUMNS} FROM dossier_facts WHERE code > $1 ORDER BY code LIMIT $2"
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql)).bind(after).bind(limit).fetch_all(pool).await?;
            rows.iter().map(facts_row).collect()
        })
    }

    /// Facts of one unit (rebuilds walk unit by unit to bound memory).
    pub async fn facts_of_unit(&self, unit: &str) -> Result<Vec<DossierFacts>> {
        let sql = format!("SELECT {FACT_COLUMNS} FROM dossier_facts WHERE unit = $1");
        on_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql)).bind(unit).fetch_all(pool).await?;
            rows.iter().map(facts_row).collect()
        })
    }

    /// Units that have facts.
    pub async fn fact_units(&self) -> Result<Vec<String>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT DISTINCT unit FROM dossier_facts ORDER BY unit")
                .fetch_all(pool)
                .await?)
        })
    }

    /// Dossiers with and without facts: (dossiers, facts).
    pub async fn facts_coverage(&self) -> Result<(i64, i64)> {
        on_pool!(self, pool => {
            let d: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dossiers").fetch_one(pool).await?;
            let f: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dossier_facts").fetch_one(pool).await?;
            Ok((d, f))
        })
    }

    /// Replaces a batch of dossiers' facts (computed again from their events at the given
    /// version) and their contributions, one transaction per batch. The dossier's row is
    /// locked first; a dossier that moved past that version meanwhile is left alone (its own
    /// event wrote newer facts). Returns how many facts changed.
    pub async fn replace_facts(&self, batch: &[(DossierFacts, u32)]) -> Result<u64> {
        let lock = match self.backend {
            Backend::Postgres(_) => "SELECT version FROM dossiers WHERE code = $1 FOR UPDATE",
            // SQLite has one writer at a time: the first write of the transaction takes it.
            Backend::Sqlite(_) => "SELECT version FROM dossiers WHERE code = $1",
        };
        let anonymous = self.anonymous_marks();
        on_write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut changed = 0;
            for (f, version) in batch {
                let now: Option<i64> = sqlx::query_scalar(lock)
                    .bind(f.code.clone())
                    .fetch_optional(&mut *tx)
                    .await?;
                if now != Some(i64::from(*version)) {
                    continue;
                }
                if Self::apply_facts(&mut tx, f, anonymous).await? {
                    changed += 1;
                }
            }
            tx.commit().await?;
            Ok(changed)
        })
    }

    /// Empties the rollups (before they are summed again from the facts).
    pub async fn clear_rollups(&self) -> Result<()> {
        self.replace_rollups(&[]).await.map(|_| ())
    }

    /// Adds summed contributions in one transaction.
    pub async fn add_rollups(&self, deltas: &[RollupDelta]) -> Result<()> {
        let anonymous = self.anonymous_marks();
        on_write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            crate::ingest::rollup_script(deltas, anonymous).run(&mut tx).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Replaces every rollup with `deltas` (a rebuild's output) in one transaction, so a
    /// reader sees the old rollups or the new ones, never a part. Returns how many daily rows
    /// differ between what was kept and what replaced it (a key on one side only, or other
    /// values; rows of zeros count as absent on both sides), compared in SQL. Deltas of one
    /// key add up.
    pub async fn replace_rollups(&self, deltas: &[RollupDelta]) -> Result<u64> {
        let anonymous = self.anonymous_marks();
        let nonzero = Measure::ROLLUP
            .iter()
            .map(|m| format!("{} <> 0", m.column()))
            .collect::<Vec<_>>()
            .join(" OR ");
        let kept_rows = format!("SELECT * FROM rebuild_kept_daily WHERE {nonzero}");
        let new_rows = format!("SELECT * FROM ind_daily WHERE {nonzero}");
        let diff = format!(
            "SELECT COUNT(*) FROM (\
             SELECT unit, day, procedure_code FROM ({kept_rows} EXCEPT {new_rows}) o \
             UNION \
             SELECT unit, day, procedure_code FROM ({new_rows} EXCEPT {kept_rows}) n) d"
        );
        let count_kept = format!("SELECT COUNT(*) FROM ind_daily WHERE {nonzero}");
        on_write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let kept: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM ind_daily)")
                .fetch_one(&mut *tx)
                .await?;
            // The kept rows are set aside to compare only when there is something on both
            // sides; a clear differs by every kept row, a first build by every new one.
            let compare = kept && !deltas.is_empty();
            let mut cleared: i64 = 0;
            if compare {
                sqlx::query("CREATE TEMP TABLE rebuild_kept_daily AS SELECT * FROM ind_daily")
                    .execute(&mut *tx)
                    .await?;
            } else if kept {
                cleared = sqlx::query_scalar(AssertSqlSafe(count_kept)).fetch_one(&mut *tx).await?;
            }
            for t in ["ind_daily", "ind_monthly", "ind_stock_monthly"] {
                sqlx::query(AssertSqlSafe(format!("DELETE FROM {t}"))).execute(&mut *tx).await?;
            }
            for chunk in deltas.chunks(5_000) {
                crate::ingest::rollup_script(chunk, anonymous).run(&mut tx).await?;
            }
            let differing: u64 = if compare {
                let n: i64 = sqlx::query_scalar(AssertSqlSafe(diff)).fetch_one(&mut *tx).await?;
                sqlx::query("DROP TABLE rebuild_kept_daily").execute(&mut *tx).await?;
                u64::try_from(n).unwrap_or(0)
            } else if kept {
                u64::try_from(cleared).unwrap_or(0)
            } else {
                let mut rows: BTreeMap<(&str, Date, &str), Measures> = BTreeMap::new();
                for d in deltas {
                    *rows.entry((&d.unit, d.day, &d.procedure)).or_default() += d.measures;
                }
                rows.values().filter(|m| !m.is_zero()).count() as u64
            };
            tx.commit().await?;
            Ok(differing)
        })
    }

    /// Every daily rollup row, in key order: to compare a rebuild with what events kept.
    pub async fn daily_rows(&self) -> Result<Vec<RollupDelta>> {
        let all: Vec<Measure> = Measure::ROLLUP.to_vec();
        let cols: Vec<&str> = all.iter().map(|m| m.column()).collect();
        let sql = format!(
            "SELECT unit, day, procedure_code, {} FROM ind_daily ORDER BY unit, day, procedure_code",
            cols.join(", ")
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(pool).await?;
            rows.iter()
                .map(|r| {
                    let day: String = r.try_get("day")?;
                    Ok(RollupDelta {
                        unit: r.try_get("unit")?,
                        procedure: r.try_get("procedure_code")?,
                        day: day.parse().map_err(|e| StoreError::Corrupt(format!("day {day}: {e}")))?,
                        measures: measures_row(r, &all)?,
                    })
                })
                .filter(|r: &Result<RollupDelta>| r.as_ref().map_or(true, |d| !d.measures.is_zero()))
                .collect()
        })
    }

    // ---- manual entries and closed periods ------------------------------------------------

    pub async fn add_entry(&self, e: &NewEntry) -> Result<()> {
        on_write_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO indicator_entries (id, code, unit, period, value, note, evidence_name, \
                 evidence_type, evidence_sha256, evidence, entered_by, entered_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)",
            )
            .bind(e.id.clone())
            .bind(e.code.clone())
            .bind(e.unit.clone())
            .bind(e.period.clone())
            .bind(e.value)
            .bind(e.note.clone())
            .bind(e.evidence_name.clone())
            .bind(e.evidence_type.clone())
            .bind(e.evidence_sha256.clone())
            .bind(e.evidence.clone())
            .bind(e.entered_by.clone())
            .bind(e.entered_at.clone())
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Every entry for a period (all units, all codes), oldest first.
    pub async fn entries(&self, period: &str) -> Result<Vec<EntryRow>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT id, code, unit, period, value, note, evidence_name, evidence_type, \
                 evidence_sha256, entered_by, entered_at FROM indicator_entries WHERE period = $1 \
                 ORDER BY entered_at, id",
            )
            .bind(period)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(EntryRow {
                        id: r.try_get("id")?,
                        code: r.try_get("code")?,
                        unit: r.try_get("unit")?,
                        period: r.try_get("period")?,
                        value: r.try_get("value")?,
                        note: r.try_get("note")?,
                        evidence_name: r.try_get("evidence_name")?,
                        evidence_type: r.try_get("evidence_type")?,
                        evidence_sha256: r.try_get("evidence_sha256")?,
                        entered_by: r.try_get("entered_by")?,
                        entered_at: r.try_get("entered_at")?,
                    })
                })
                .collect()
        })
    }

    /// An entry's evidence document: (name, content type, bytes).
    pub async fn entry_evidence(&self, id: &str) -> Result<Option<(String, String, Vec<u8>)>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT evidence_name, evidence_type, evidence FROM indicator_entries WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Records a closed period; refuses a period already closed.
    pub async fn close_period(&self, c: &ClosedPeriodRow) -> Result<()> {
        on_write_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO indicator_closes (period, closed_at, closed_by, set_version, \
                 set_fingerprint, data_fingerprint, results) VALUES ($1,$2,$3,$4,$5,$6,$7)",
            )
            .bind(c.period.clone())
            .bind(c.closed_at.clone())
            .bind(c.closed_by.clone())
            .bind(c.set_version.clone())
            .bind(c.set_fingerprint.clone())
            .bind(c.data_fingerprint.clone())
            .bind(c.results.clone())
            .execute(pool)
            .await
            .map_err(|e| crate::dup(e, &c.period))?;
            Ok(())
        })
    }

    pub async fn closed_period(&self, period: &str) -> Result<Option<ClosedPeriodRow>> {
        on_pool!(self, pool => {
            let row: Option<(String, String, String, String, String, String, String)> = sqlx::query_as(
                "SELECT period, closed_at, closed_by, set_version, set_fingerprint, data_fingerprint, \
                 results FROM indicator_closes WHERE period = $1",
            )
            .bind(period)
            .fetch_optional(pool)
            .await?;
            Ok(row.map(|(period, closed_at, closed_by, set_version, set_fingerprint, data_fingerprint, results)| {
                ClosedPeriodRow { period, closed_at, closed_by, set_version, set_fingerprint, data_fingerprint, results }
            }))
        })
    }

    /// Closed periods, newest first (without their results).
    pub async fn closed_periods(&self) -> Result<Vec<(String, String, String)>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT period, closed_at, closed_by FROM indicator_closes ORDER BY closed_at DESC, period DESC",
            )
            .fetch_all(pool)
            .await?)
        })
    }
}
