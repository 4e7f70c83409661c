//! Emulation movement storage: who handled each dossier, staff ratings, discipline and
//! initiatives (with their decision documents), movements, frozen evaluation runs, the
//! append-only adjustments, reward decisions and rewards.

use cchc_domain::indicator::{DossierFacts, FinishVerdict};
use jiff::civil::Date;
use sqlx::{AssertSqlSafe, Row};
use std::collections::HashMap;

use crate::{Backend, Result, Store, StoreError};

/// A document attached to a record (decision, certificate), as uploaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocFile {
    pub file_name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// A movement (phong trào thi đua) as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovementRow {
    pub code: String,
    pub title: String,
    pub plan_number: String,
    pub plan_date: String,
    pub issuer: String,
    pub first_year: i64,
    pub last_year: i64,
    /// Comma separated unit kinds.
    pub unit_kinds: String,
    /// JSON array of strings.
    pub content_areas: String,
    pub criteria: String,
    pub created_by: String,
    pub created_at: String,
}

/// A member of staff (officer or leader account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub title: String,
    pub unit_id: String,
}

/// A discipline or initiative record without its document bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRow {
    pub id: String,
    pub account: String,
    /// Discipline: the form (Khiển trách…); initiative: its title.
    pub what: String,
    pub decision: String,
    pub day: String,
    /// Discipline only: over reform tasks.
    pub reform_related: bool,
    pub unit: String,
    pub file_name: String,
    pub entered_by: String,
    pub entered_at: String,
}

/// An evaluation run as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    pub id: String,
    pub movement: String,
    pub year: i64,
    pub criteria: String,
    pub judged_on: String,
    pub evaluated_by: String,
    pub evaluated_at: String,
    /// JSON written by the app.
    pub result: String,
    pub fingerprint: String,
    pub status: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
}

/// An adjustment as stored (append-only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustmentRow {
    pub run: String,
    pub seq: i64,
    pub subject_kind: String,
    pub subject: String,
    pub criterion: String,
    pub from_verdict: String,
    pub to_verdict: String,
    pub reason: String,
    pub by_account: String,
    pub at: String,
}

/// A signed reward decision (quyết định khen thưởng) without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRow {
    pub id: String,
    pub run: String,
    pub form: String,
    pub issuer: String,
    pub decision: String,
    pub signed_on: String,
    pub file_name: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// A reward granted by a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardRow {
    pub decision: String,
    pub subject_kind: String,
    pub subject: String,
    pub name: String,
    pub year: i64,
    pub form: String,
}

const RUN_COLUMNS: &str = "id, movement, year, criteria, judged_on, evaluated_by, evaluated_at, \
     result, fingerprint, status, approved_by, approved_at";

fn run_row<R>(r: &R) -> Result<RunRow>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(RunRow {
        id: r.try_get("id")?,
        movement: r.try_get("movement")?,
        year: r.try_get("year")?,
        criteria: r.try_get("criteria")?,
        judged_on: r.try_get("judged_on")?,
        evaluated_by: r.try_get("evaluated_by")?,
        evaluated_at: r.try_get("evaluated_at")?,
        result: r.try_get("result")?,
        fingerprint: r.try_get("fingerprint")?,
        status: r.try_get("status")?,
        approved_by: r.try_get("approved_by")?,
        approved_at: r.try_get("approved_at")?,
    })
}

impl Store {
    /// The dossiers that may count as late in a year, each with its handlers: finished late
    /// between `first` and `judged_on`, or open at `judged_on` and late since on or before it
    /// (finished later, or not judged yet). Only what the late judgement reads is filled in
    /// (code, unit, received, end and late-from days, verdict): the domain decides which count
    /// (`emulation::late_in_year`). Both branches are answered from covering partial indexes.
    pub async fn late_candidates(
        &self,
        first: Date,
        judged_on: Date,
    ) -> Result<Vec<(DossierFacts, Vec<String>)>> {
        // The verdict is the partial index's own condition, so it is selected as a constant:
        // reading the column would leave the index for the table, row by row.
        const COLS: &str = "f.code, f.unit, f.received_day, f.end_day, f.late_from";
        const JOIN: &str = "h.account AS handler FROM dossier_facts f \
             LEFT JOIN dossier_handlers h ON h.code = f.code";
        let sql = format!(
            "SELECT {COLS}, 'late' AS verdict, {JOIN} WHERE f.verdict = 'late' AND f.end_day >= $1 \
             AND (f.end_day <= $2 OR (f.late_from <= $2 AND f.received_day <= $2)) \
             UNION ALL \
             SELECT {COLS}, CAST(NULL AS TEXT) AS verdict, {JOIN} WHERE f.verdict IS NULL \
             AND f.late_from <= $2 AND f.received_day <= $2 \
             AND (f.end_day IS NULL OR f.end_day > $2)"
        );
        type Raw = (
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Raw> = on_pool!(self, pool => {
            sqlx::query_as(AssertSqlSafe(sql))
                .bind(first.to_string())
                .bind(judged_on.to_string())
                .fetch_all(pool)
                .await?
        });
        let day = |text: Option<String>, code: &str| -> Result<Option<Date>> {
            text.map(|t| {
                t.parse::<Date>()
                    .map_err(|e| StoreError::Corrupt(format!("facts of {code}: {t}: {e}")))
            })
            .transpose()
        };
        let mut out: Vec<(DossierFacts, Vec<String>)> = Vec::new();
        let mut at: HashMap<String, usize> = HashMap::new();
        for (code, unit, received, end, late_from, verdict, handler) in rows {
            let i = match at.get(&code) {
                Some(&i) => i,
                None => {
                    let facts = DossierFacts {
                        received_day: day(received, &code)?,
                        end_day: day(end, &code)?,
                        late_from: day(late_from, &code)?,
                        verdict: verdict.as_deref().and_then(FinishVerdict::from_code),
                        unit,
                        procedure: String::new(),
                        end: None,
                        online: false,
                        full_online_proc: false,
                        fee_bearing: false,
                        paid_online: false,
                        digitised: false,
                        reused: false,
                        synced: false,
                        electronic_result: false,
                        supplement_requests: 0,
                        used_cd: 0,
                        limit_cd: 0,
                        rating: None,
                        code: code.clone(),
                    };
                    at.insert(code, out.len());
                    out.push((facts, Vec::new()));
                    out.len() - 1
                }
            };
            if let Some(h) = handler {
                out[i].1.push(h);
            }
        }
        Ok(out)
    }

    /// Dossiers each handler first handled in `year`.
    pub async fn handled_in_year(&self, year: i16) -> Result<HashMap<String, i64>> {
        on_pool!(self, pool => {
            let rows: Vec<(String, i64)> = sqlx::query_as(
                "SELECT account, dossiers FROM handler_yearly WHERE year = $1",
            )
            .bind(i64::from(year))
            .fetch_all(pool)
            .await?;
            Ok(rows.into_iter().collect())
        })
    }

    /// Officers and leaders with a unit: the staff evaluated as individuals.
    pub async fn staff_members(&self) -> Result<Vec<StaffMember>> {
        on_pool!(self, pool => {
            let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
                "SELECT id, username, display_name, title, unit_id FROM accounts \
                 WHERE role IN ('officer', 'leader') AND unit_id IS NOT NULL ORDER BY id",
            )
            .fetch_all(pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(id, username, display_name, title, unit_id)| StaffMember {
                    id,
                    username,
                    display_name,
                    title,
                    unit_id,
                })
                .collect())
        })
    }

    pub async fn insert_movement(&self, m: &MovementRow) -> Result<()> {
        on_write_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO emulation_movements (code, title, plan_number, plan_date, issuer, \
                 first_year, last_year, unit_kinds, content_areas, criteria, created_by, created_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)",
            )
            .bind(m.code.clone())
            .bind(m.title.clone())
            .bind(m.plan_number.clone())
            .bind(m.plan_date.clone())
            .bind(m.issuer.clone())
            .bind(m.first_year)
            .bind(m.last_year)
            .bind(m.unit_kinds.clone())
            .bind(m.content_areas.clone())
            .bind(m.criteria.clone())
            .bind(m.created_by.clone())
            .bind(m.created_at.clone())
            .execute(pool)
            .await
            .map_err(|e| crate::dup(e, &m.code))?;
            Ok(())
        })
    }

    pub async fn movements(&self) -> Result<Vec<MovementRow>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT code, title, plan_number, plan_date, issuer, first_year, last_year, \
                 unit_kinds, content_areas, criteria, created_by, created_at \
                 FROM emulation_movements ORDER BY first_year DESC, code",
            )
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(MovementRow {
                        code: r.try_get("code")?,
                        title: r.try_get("title")?,
                        plan_number: r.try_get("plan_number")?,
                        plan_date: r.try_get("plan_date")?,
                        issuer: r.try_get("issuer")?,
                        first_year: r.try_get("first_year")?,
                        last_year: r.try_get("last_year")?,
                        unit_kinds: r.try_get("unit_kinds")?,
                        content_areas: r.try_get("content_areas")?,
                        criteria: r.try_get("criteria")?,
                        created_by: r.try_get("created_by")?,
                        created_at: r.try_get("created_at")?,
                    })
                })
                .collect()
        })
    }

    /// Sets (or replaces) a person's rating for a year.
    pub async fn set_rating(
        &self,
        account: &str,
        year: i16,
        rating: &str,
        by: &str,
        at: &str,
    ) -> Result<()> {
        on_write_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO staff_ratings (account, year, rating, entered_by, entered_at) \
                 VALUES ($1,$2,$3,$4,$5) ON CONFLICT (account, year) DO UPDATE SET \
                 rating = excluded.rating, entered_by = excluded.entered_by, \
                 entered_at = excluded.entered_at",
            )
            .bind(account)
            .bind(i64::from(year))
            .bind(rating)
            .bind(by)
            .bind(at)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Every rating of a year: account → rating code.
    pub async fn ratings(&self, year: i16) -> Result<HashMap<String, String>> {
        on_pool!(self, pool => {
            let rows: Vec<(String, String)> =
                sqlx::query_as("SELECT account, rating FROM staff_ratings WHERE year = $1")
                    .bind(i64::from(year))
                    .fetch_all(pool)
                    .await?;
            Ok(rows.into_iter().collect())
        })
    }

    /// Stores a discipline (`is_discipline`) or an initiative record with its document.
    pub async fn add_record(
        &self,
        is_discipline: bool,
        r: &RecordRow,
        doc: &DocFile,
    ) -> Result<()> {
        on_write_pool!(self, pool => {
            let q = if is_discipline {
                sqlx::query(
                    "INSERT INTO disciplines (id, account, unit, form, decision, decided_on, \
                     reform_related, file_name, content_type, content, entered_by, entered_at) \
                     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)",
                )
                .bind(r.id.clone())
                .bind(r.account.clone())
                .bind(r.unit.clone())
                .bind(r.what.clone())
                .bind(r.decision.clone())
                .bind(r.day.clone())
                .bind(i64::from(r.reform_related))
            } else {
                sqlx::query(
                    "INSERT INTO initiatives (id, account, title, decision, recognised_on, \
                     file_name, content_type, content, entered_by, entered_at) \
                     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
                )
                .bind(r.id.clone())
                .bind(r.account.clone())
                .bind(r.what.clone())
                .bind(r.decision.clone())
                .bind(r.day.clone())
            };
            q.bind(doc.file_name.clone())
                .bind(doc.content_type.clone())
                .bind(doc.content.clone())
                .bind(r.entered_by.clone())
                .bind(r.entered_at.clone())
                .execute(pool)
                .await
                .map_err(|e| crate::dup(e, &r.id))?;
            Ok(())
        })
    }

    /// Discipline (`is_discipline`) or initiative records dated within `[first, last]`.
    pub async fn records_between(
        &self,
        is_discipline: bool,
        first: Date,
        last: Date,
    ) -> Result<Vec<RecordRow>> {
        let sql = if is_discipline {
            "SELECT id, account, unit, form AS what, decision, decided_on AS day, reform_related, \
             file_name, entered_by, entered_at FROM disciplines \
             WHERE decided_on >= $1 AND decided_on <= $2 ORDER BY decided_on, id"
        } else {
            "SELECT i.id, i.account, COALESCE(a.unit_id, '') AS unit, i.title AS what, i.decision, \
             i.recognised_on AS day, CAST(0 AS BIGINT) AS reform_related, i.file_name, i.entered_by, i.entered_at \
             FROM initiatives i LEFT JOIN accounts a ON a.id = i.account \
             WHERE i.recognised_on >= $1 AND i.recognised_on <= $2 ORDER BY i.recognised_on, i.id"
        };
        on_pool!(self, pool => {
            let rows = sqlx::query(sql)
                .bind(first.to_string())
                .bind(last.to_string())
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(RecordRow {
                        id: r.try_get("id")?,
                        account: r.try_get("account")?,
                        what: r.try_get("what")?,
                        decision: r.try_get("decision")?,
                        day: r.try_get("day")?,
                        reform_related: r.try_get::<i64, _>("reform_related")? != 0,
                        unit: r.try_get("unit")?,
                        file_name: r.try_get("file_name")?,
                        entered_by: r.try_get("entered_by")?,
                        entered_at: r.try_get("entered_at")?,
                    })
                })
                .collect()
        })
    }

    /// A record's document: (name, type, bytes). `table` is "disciplines", "initiatives" or
    /// "reward_decisions".
    pub async fn record_file(&self, table: RecordTable, id: &str) -> Result<Option<DocFile>> {
        let sql = match table {
            RecordTable::Discipline => {
                "SELECT file_name, content_type, content FROM disciplines WHERE id = $1"
            }
            RecordTable::Initiative => {
                "SELECT file_name, content_type, content FROM initiatives WHERE id = $1"
            }
            RecordTable::Decision => {
                "SELECT file_name, content_type, content FROM reward_decisions WHERE id = $1"
            }
        };
        on_pool!(self, pool => {
            let row: Option<(String, String, Vec<u8>)> =
                sqlx::query_as(sql).bind(id).fetch_optional(pool).await?;
            Ok(row.map(|(file_name, content_type, content)| DocFile {
                file_name,
                content_type,
                content,
            }))
        })
    }

    /// Stores a new evaluation run as the movement-year's draft, superseding an earlier draft
    /// and taking its adjustments along (who and why kept), in one transaction. Refused once
    /// the year's list is approved.
    pub async fn insert_run(&self, run: &RunRow) -> Result<()> {
        on_write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let approved: Option<(String,)> = sqlx::query_as(
                "SELECT id FROM emulation_runs WHERE movement = $1 AND year = $2 AND status = 'approved'",
            )
            .bind(run.movement.clone())
            .bind(run.year)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((id,)) = approved {
                return Err(StoreError::Duplicate(format!("kết quả đã phê duyệt {id}")));
            }
            let draft: Option<(String,)> = sqlx::query_as(
                "SELECT id FROM emulation_runs WHERE movement = $1 AND year = $2 \
                 AND status = 'draft' ORDER BY evaluated_at DESC, id DESC LIMIT 1",
            )
            .bind(run.movement.clone())
            .bind(run.year)
            .fetch_optional(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE emulation_runs SET status = 'superseded' \
                 WHERE movement = $1 AND year = $2 AND status = 'draft'",
            )
            .bind(run.movement.clone())
            .bind(run.year)
            .execute(&mut *tx)
            .await?;
            sqlx::query(AssertSqlSafe(format!(
                "INSERT INTO emulation_runs ({RUN_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)"
            )))
            .bind(run.id.clone())
            .bind(run.movement.clone())
            .bind(run.year)
            .bind(run.criteria.clone())
            .bind(run.judged_on.clone())
            .bind(run.evaluated_by.clone())
            .bind(run.evaluated_at.clone())
            .bind(run.result.clone())
            .bind(run.fingerprint.clone())
            .bind(run.status.clone())
            .bind(run.approved_by.clone())
            .bind(run.approved_at.clone())
            .execute(&mut *tx)
            .await?;
            if let Some((from,)) = draft {
                sqlx::query(
                    "INSERT INTO emulation_adjustments (run, seq, subject_kind, subject, criterion, \
                     from_verdict, to_verdict, reason, by_account, at) \
                     SELECT $2, seq, subject_kind, subject, criterion, from_verdict, to_verdict, \
                     reason, by_account, at FROM emulation_adjustments WHERE run = $1",
                )
                .bind(from)
                .bind(run.id.clone())
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn run(&self, id: &str) -> Result<Option<RunRow>> {
        on_pool!(self, pool => {
            let row = sqlx::query(AssertSqlSafe(format!(
                "SELECT {RUN_COLUMNS} FROM emulation_runs WHERE id = $1"
            )))
            .bind(id)
            .fetch_optional(pool)
            .await?;
            row.as_ref().map(run_row).transpose()
        })
    }

    /// The movement-year's current run: the approved one, else the draft.
    pub async fn current_run(&self, movement: &str, year: i16) -> Result<Option<RunRow>> {
        on_pool!(self, pool => {
            let row = sqlx::query(AssertSqlSafe(format!(
                "SELECT {RUN_COLUMNS} FROM emulation_runs WHERE movement = $1 AND year = $2 \
                 AND status IN ('approved', 'draft') ORDER BY status, evaluated_at DESC LIMIT 1"
            )))
            .bind(movement)
            .bind(i64::from(year))
            .fetch_optional(pool)
            .await?;
            row.as_ref().map(run_row).transpose()
        })
    }

    /// Runs of a movement, newest first, without their results.
    pub async fn runs_of(&self, movement: &str) -> Result<Vec<RunRow>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT id, movement, year, criteria, judged_on, evaluated_by, evaluated_at, \
                 '' AS result, fingerprint, status, approved_by, approved_at FROM emulation_runs \
                 WHERE movement = $1 ORDER BY year DESC, evaluated_at DESC",
            )
            .bind(movement)
            .fetch_all(pool)
            .await?;
            rows.iter().map(run_row).collect()
        })
    }

    /// Appends an adjustment to a draft run (refused on any other status).
    pub async fn add_adjustment(&self, a: &AdjustmentRow) -> Result<i64> {
        on_write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let status: Option<(String,)> =
                sqlx::query_as("SELECT status FROM emulation_runs WHERE id = $1")
                    .bind(a.run.clone())
                    .fetch_optional(&mut *tx)
                    .await?;
            match status {
                None => return Err(StoreError::NotFound(format!("kết quả đánh giá {}", a.run))),
                Some((s,)) if s != "draft" => {
                    return Err(StoreError::Conflict(format!("kết quả đánh giá {} ({s})", a.run)));
                }
                Some(_) => {}
            }
            let (seq,): (i64,) = sqlx::query_as(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM emulation_adjustments WHERE run = $1",
            )
            .bind(a.run.clone())
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO emulation_adjustments (run, seq, subject_kind, subject, criterion, \
                 from_verdict, to_verdict, reason, by_account, at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
            )
            .bind(a.run.clone())
            .bind(seq)
            .bind(a.subject_kind.clone())
            .bind(a.subject.clone())
            .bind(a.criterion.clone())
            .bind(a.from_verdict.clone())
            .bind(a.to_verdict.clone())
            .bind(a.reason.clone())
            .bind(a.by_account.clone())
            .bind(a.at.clone())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(seq)
        })
    }

    /// A run's adjustments in order.
    pub async fn adjustments(&self, run: &str) -> Result<Vec<AdjustmentRow>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT run, seq, subject_kind, subject, criterion, from_verdict, to_verdict, \
                 reason, by_account, at FROM emulation_adjustments WHERE run = $1 ORDER BY seq",
            )
            .bind(run)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(AdjustmentRow {
                        run: r.try_get("run")?,
                        seq: r.try_get("seq")?,
                        subject_kind: r.try_get("subject_kind")?,
                        subject: r.try_get("subject")?,
                        criterion: r.try_get("criterion")?,
                        from_verdict: r.try_get("from_verdict")?,
                        to_verdict: r.try_get("to_verdict")?,
                        reason: r.try_get("reason")?,
                        by_account: r.try_get("by_account")?,
                        at: r.try_get("at")?,
                    })
                })
                .collect()
        })
    }

    /// Copies a superseded draft's adjustments onto its replacement, keeping who and why.
    pub async fn carry_adjustments(&self, from_run: &str, to_run: &str) -> Result<u64> {
        on_write_pool!(self, pool => {
            let done = sqlx::query(
                "INSERT INTO emulation_adjustments (run, seq, subject_kind, subject, criterion, \
                 from_verdict, to_verdict, reason, by_account, at) \
                 SELECT $2, seq, subject_kind, subject, criterion, from_verdict, to_verdict, \
                 reason, by_account, at FROM emulation_adjustments WHERE run = $1",
            )
            .bind(from_run)
            .bind(to_run)
            .execute(pool)
            .await?;
            Ok(done.rows_affected())
        })
    }

    /// Approves a draft run, storing the result as approved (with adjustments applied) and its
    /// fingerprint. Refused unless the run is the draft and still has exactly the
    /// `adjustments_seen` adjustments the result was built with (none slipped in meanwhile).
    pub async fn approve_run(
        &self,
        id: &str,
        result: &str,
        fingerprint: &str,
        by: &str,
        at: &str,
        adjustments_seen: i64,
    ) -> Result<()> {
        on_write_pool!(self, pool => {
            let done = sqlx::query(
                "UPDATE emulation_runs SET status = 'approved', result = $2, fingerprint = $3, \
                 approved_by = $4, approved_at = $5 WHERE id = $1 AND status = 'draft' \
                 AND (SELECT COUNT(*) FROM emulation_adjustments WHERE run = $1) = $6",
            )
            .bind(id)
            .bind(result)
            .bind(fingerprint)
            .bind(by)
            .bind(at)
            .bind(adjustments_seen)
            .execute(pool)
            .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::Conflict(format!("kết quả đánh giá {id}")));
            }
            Ok(())
        })
    }

    /// Stores a signed decision and the rewards it grants, in one transaction.
    pub async fn add_decision(
        &self,
        d: &DecisionRow,
        doc: &DocFile,
        rewards: &[RewardRow],
    ) -> Result<()> {
        on_write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO reward_decisions (id, run, form, issuer, decision, signed_on, \
                 file_name, content_type, content, uploaded_by, uploaded_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
            )
            .bind(d.id.clone())
            .bind(d.run.clone())
            .bind(d.form.clone())
            .bind(d.issuer.clone())
            .bind(d.decision.clone())
            .bind(d.signed_on.clone())
            .bind(doc.file_name.clone())
            .bind(doc.content_type.clone())
            .bind(doc.content.clone())
            .bind(d.uploaded_by.clone())
            .bind(d.uploaded_at.clone())
            .execute(&mut *tx)
            .await
            .map_err(|e| crate::dup(e, &d.id))?;
            for r in rewards {
                sqlx::query(
                    "INSERT INTO rewards (decision, subject_kind, subject, name, year, form) \
                     VALUES ($1,$2,$3,$4,$5,$6)",
                )
                .bind(r.decision.clone())
                .bind(r.subject_kind.clone())
                .bind(r.subject.clone())
                .bind(r.name.clone())
                .bind(r.year)
                .bind(r.form.clone())
                .execute(&mut *tx)
                .await
                .map_err(|e| crate::dup(e, &r.subject))?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Decisions recorded for a run.
    pub async fn decisions(&self, run: &str) -> Result<Vec<DecisionRow>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT id, run, form, issuer, decision, signed_on, file_name, uploaded_by, \
                 uploaded_at FROM reward_decisions WHERE run = $1 ORDER BY uploaded_at, id",
            )
            .bind(run)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(DecisionRow {
                        id: r.try_get("id")?,
                        run: r.try_get("run")?,
                        form: r.try_get("form")?,
                        issuer: r.try_get("issuer")?,
                        decision: r.try_get("decision")?,
                        signed_on: r.try_get("signed_on")?,
                        file_name: r.try_get("file_name")?,
                        uploaded_by: r.try_get("uploaded_by")?,
                        uploaded_at: r.try_get("uploaded_at")?,
                    })
                })
                .collect()
        })
    }

    /// Rewards granted by the decisions of a run.
    pub async fn rewards_of_run(&self, run: &str) -> Result<Vec<RewardRow>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT r.decision, r.subject_kind, r.subject, r.name, r.year, r.form FROM rewards r \
                 JOIN reward_decisions d ON d.id = r.decision WHERE d.run = $1 \
                 ORDER BY r.form, r.subject_kind, r.name",
            )
            .bind(run)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(RewardRow {
                        decision: r.try_get("decision")?,
                        subject_kind: r.try_get("subject_kind")?,
                        subject: r.try_get("subject")?,
                        name: r.try_get("name")?,
                        year: r.try_get("year")?,
                        form: r.try_get("form")?,
                    })
                })
                .collect()
        })
    }
}

/// Which table a document is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordTable {
    Discipline,
    Initiative,
    Decision,
}
