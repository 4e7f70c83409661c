//! Plans and tasks (kế hoạch, nhiệm vụ), progress reports with their files, and the periodic
//! reporting duty (chế độ báo cáo) with submissions and the reform office's review.
//!
//! Verdicts (overdue, late, missing) are the domain's (`cchc_domain::plan`); this module keeps
//! the rows. A task's current status and a report's latest submission live on their rows,
//! changed in the same transaction as the progress report or submission that changed them.

use sqlx::{AssertSqlSafe, Row};

use crate::{Backend, Result, Store, StoreError, dup, multi_insert};

/// A plan as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    pub id: String,
    /// Số hiệu; empty when the document has none.
    pub number: String,
    /// Ngày ban hành (ISO date).
    pub signed_on: Option<String>,
    pub issuer: String,
    pub period: String,
    pub first_year: i64,
    pub last_year: i64,
    pub title: String,
    pub note: String,
    /// `seed`, `demo` or `admin`.
    pub source: String,
    pub created_by: String,
    pub created_at: String,
}

/// A task as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRow {
    pub id: String,
    pub plan_id: String,
    pub seq: i64,
    /// `cchc_domain::plan::Area` code.
    pub area: String,
    pub title: String,
    pub lead_unit: String,
    /// Co-operating unit ids, separated by spaces.
    pub support_units: String,
    pub output: String,
    /// Last day (ISO date).
    pub deadline: String,
    /// How the deadline was set, for people ("30 ngày làm việc kể từ 10/01/2025"); empty for a
    /// fixed date.
    pub deadline_rule: String,
    /// `cchc_domain::plan::TaskStatus` code.
    pub status: String,
    pub done_on: Option<String>,
    pub percent: i64,
    pub updated_at: String,
}

/// A progress report (or a status change) of a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressRow {
    pub id: String,
    pub task_id: String,
    pub reported_at: String,
    pub reported_by: String,
    pub percent: i64,
    pub body: String,
    /// The task's status after this report.
    pub status: String,
}

/// What a progress report changes on its task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskUpdate {
    pub status: String,
    pub done_on: Option<String>,
    pub percent: i64,
    pub updated_at: String,
}

/// A report a unit owes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObligationRow {
    pub id: String,
    pub unit: String,
    /// `cchc_domain::plan::ReportCycle` code.
    pub cycle: String,
    /// `2025-Q1`, `2025-H1`, `2025-Q3`, `2025`.
    pub period_key: String,
    pub label: String,
    pub due: String,
    /// The latest submission's day.
    pub submitted_on: Option<String>,
    /// The latest submission's review: None while not reviewed.
    pub complete: Option<bool>,
}

/// A submission of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionRow {
    pub id: String,
    pub obligation_id: String,
    pub submitted_at: String,
    pub submitted_by: String,
    pub note: String,
    pub complete: Option<bool>,
    pub review_note: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
}

/// A file of a progress report or submission, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFileInfo {
    pub id: String,
    /// The progress report or submission it came with.
    pub owner: String,
    /// The task or obligation.
    pub parent: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// A file to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlanFile {
    pub info: PlanFileInfo,
    pub content: Vec<u8>,
}

/// Per plan: tasks, done, and open past their deadline at a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanCounts {
    pub plan_id: String,
    pub tasks: i64,
    pub done: i64,
    pub overdue: i64,
}

/// Rows for [`Store::insert_plan_rows_bulk`].
#[derive(Debug, Clone, Default)]
pub struct PlanRowsBulk {
    pub plans: Vec<PlanRow>,
    pub tasks: Vec<TaskRow>,
    pub progress: Vec<ProgressRow>,
    pub obligations: Vec<ObligationRow>,
    pub submissions: Vec<SubmissionRow>,
    pub files: Vec<NewPlanFile>,
}

const PLAN_COLS: &[&str] = &[
    "id",
    "number",
    "signed_on",
    "issuer",
    "period",
    "first_year",
    "last_year",
    "title",
    "note",
    "source",
    "created_by",
    "created_at",
];
const TASK_COLS: &[&str] = &[
    "id",
    "plan_id",
    "seq",
    "area",
    "title",
    "lead_unit",
    "support_units",
    "output",
    "deadline",
    "deadline_rule",
    "status",
    "done_on",
    "percent",
    "updated_at",
];
const PROGRESS_COLS: &[&str] = &[
    "id",
    "task_id",
    "reported_at",
    "reported_by",
    "percent",
    "body",
    "status",
];
const OBLIGATION_COLS: &[&str] = &[
    "id",
    "unit",
    "cycle",
    "period_key",
    "label",
    "due",
    "submitted_on",
    "complete",
];
const SUBMISSION_COLS: &[&str] = &[
    "id",
    "obligation_id",
    "submitted_at",
    "submitted_by",
    "note",
    "complete",
    "review_note",
    "reviewed_by",
    "reviewed_at",
];
const FILE_COLS: &[&str] = &[
    "id",
    "owner",
    "parent",
    "file_name",
    "content_type",
    "size_bytes",
    "sha256",
    "uploaded_by",
    "uploaded_at",
    "content",
];

/// Rows per multi-row INSERT: 400 rows × at most 14 columns stays far below SQLite's 32766
/// bound values and PostgreSQL's 65535.
const ROWS_PER_INSERT: usize = 400;

fn one_insert(table: &str, cols: &[&str]) -> String {
    multi_insert(table, cols, 1, false)
}

fn select(cols: &[&str], prefix: &str) -> String {
    cols.iter()
        .map(|c| format!("{prefix}{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

macro_rules! plan_row {
    ($r:expr) => {
        PlanRow {
            id: $r.try_get("id")?,
            number: $r.try_get("number")?,
            signed_on: $r.try_get("signed_on")?,
            issuer: $r.try_get("issuer")?,
            period: $r.try_get("period")?,
            first_year: $r.try_get("first_year")?,
            last_year: $r.try_get("last_year")?,
            title: $r.try_get("title")?,
            note: $r.try_get("note")?,
            source: $r.try_get("source")?,
            created_by: $r.try_get("created_by")?,
            created_at: $r.try_get("created_at")?,
        }
    };
}

macro_rules! task_row {
    ($r:expr) => {
        TaskRow {
            id: $r.try_get("id")?,
            plan_id: $r.try_get("plan_id")?,
            seq: $r.try_get("seq")?,
            area: $r.try_get("area")?,
            title: $r.try_get("title")?,
            lead_unit: $r.try_get("lead_unit")?,
            support_units: $r.try_get("support_units")?,
            output: $r.try_get("output")?,
            deadline: $r.try_get("deadline")?,
            deadline_rule: $r.try_get("deadline_rule")?,
            status: $r.try_get("status")?,
            done_on: $r.try_get("done_on")?,
            percent: $r.try_get("percent")?,
            updated_at: $r.try_get("updated_at")?,
        }
    };
}

macro_rules! obligation_row {
    ($r:expr) => {
        ObligationRow {
            id: $r.try_get("id")?,
            unit: $r.try_get("unit")?,
            cycle: $r.try_get("cycle")?,
            period_key: $r.try_get("period_key")?,
            label: $r.try_get("label")?,
            due: $r.try_get("due")?,
            submitted_on: $r.try_get("submitted_on")?,
            complete: $r
                .try_get::<Option<i64>, _>("complete")?
                .map(|v: i64| v != 0),
        }
    };
}

macro_rules! file_info {
    ($r:expr) => {
        PlanFileInfo {
            id: $r.try_get("id")?,
            owner: $r.try_get("owner")?,
            parent: $r.try_get("parent")?,
            file_name: $r.try_get("file_name")?,
            content_type: $r.try_get("content_type")?,
            size_bytes: $r.try_get("size_bytes")?,
            sha256: $r.try_get("sha256")?,
            uploaded_by: $r.try_get("uploaded_by")?,
            uploaded_at: $r.try_get("uploaded_at")?,
        }
    };
}

macro_rules! bind_plan {
    ($q:expr, $p:expr) => {
        $q.bind($p.id.clone())
            .bind($p.number.clone())
            .bind($p.signed_on.clone())
            .bind($p.issuer.clone())
            .bind($p.period.clone())
            .bind($p.first_year)
            .bind($p.last_year)
            .bind($p.title.clone())
            .bind($p.note.clone())
            .bind($p.source.clone())
            .bind($p.created_by.clone())
            .bind($p.created_at.clone())
    };
}

macro_rules! bind_task {
    ($q:expr, $t:expr) => {
        $q.bind($t.id.clone())
            .bind($t.plan_id.clone())
            .bind($t.seq)
            .bind($t.area.clone())
            .bind($t.title.clone())
            .bind($t.lead_unit.clone())
            .bind($t.support_units.clone())
            .bind($t.output.clone())
            .bind($t.deadline.clone())
            .bind($t.deadline_rule.clone())
            .bind($t.status.clone())
            .bind($t.done_on.clone())
            .bind($t.percent)
            .bind($t.updated_at.clone())
    };
}

macro_rules! bind_progress {
    ($q:expr, $p:expr) => {
        $q.bind($p.id.clone())
            .bind($p.task_id.clone())
            .bind($p.reported_at.clone())
            .bind($p.reported_by.clone())
            .bind($p.percent)
            .bind($p.body.clone())
            .bind($p.status.clone())
    };
}

macro_rules! bind_obligation {
    ($q:expr, $o:expr) => {
        $q.bind($o.id.clone())
            .bind($o.unit.clone())
            .bind($o.cycle.clone())
            .bind($o.period_key.clone())
            .bind($o.label.clone())
            .bind($o.due.clone())
            .bind($o.submitted_on.clone())
            .bind($o.complete.map(i64::from))
    };
}

macro_rules! bind_submission {
    ($q:expr, $s:expr) => {
        $q.bind($s.id.clone())
            .bind($s.obligation_id.clone())
            .bind($s.submitted_at.clone())
            .bind($s.submitted_by.clone())
            .bind($s.note.clone())
            .bind($s.complete.map(i64::from))
            .bind($s.review_note.clone())
            .bind($s.reviewed_by.clone())
            .bind($s.reviewed_at.clone())
    };
}

macro_rules! bind_file {
    ($q:expr, $f:expr) => {
        $q.bind($f.info.id.clone())
            .bind($f.info.owner.clone())
            .bind($f.info.parent.clone())
            .bind($f.info.file_name.clone())
            .bind($f.info.content_type.clone())
            .bind($f.info.size_bytes)
            .bind($f.info.sha256.clone())
            .bind($f.info.uploaded_by.clone())
            .bind($f.info.uploaded_at.clone())
            .bind($f.content.clone())
    };
}

/// Inserts `rows` in chunks with multi-row statements inside a transaction.
macro_rules! bulk {
    ($tx:expr, $anon:expr, $table:expr, $cols:expr, $rows:expr, $bind:ident) => {
        for chunk in $rows.chunks(ROWS_PER_INSERT) {
            let sql = multi_insert($table, $cols, chunk.len(), $anon);
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for row in chunk {
                q = $bind!(q, row);
            }
            q.execute(&mut *$tx).await?;
        }
    };
}

impl Store {
    // ---- plans ---------------------------------------------------------------------------

    /// Stores a new plan; a plan id that exists is a duplicate.
    pub async fn insert_plan(&self, p: &PlanRow) -> Result<()> {
        let sql = one_insert("plans", PLAN_COLS);
        on_write_pool!(self, pool => {
            bind_plan!(sqlx::query(AssertSqlSafe(sql)), p)
                .execute(pool)
                .await
                .map_err(|e| dup(e, &format!("kế hoạch {}", p.id)))?;
            Ok(())
        })
    }

    /// Every plan, newest first.
    pub async fn plans(&self) -> Result<Vec<PlanRow>> {
        let sql = format!(
            "SELECT {} FROM plans ORDER BY last_year DESC, COALESCE(signed_on, '') DESC, id",
            PLAN_COLS.join(", ")
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(plan_row!(r))).collect()
        })
    }

    pub async fn plan(&self, id: &str) -> Result<Option<PlanRow>> {
        let sql = format!("SELECT {} FROM plans WHERE id = $1", PLAN_COLS.join(", "));
        on_pool!(self, pool => {
            let row = sqlx::query(AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            match row {
                Some(r) => Ok(Some(plan_row!(r))),
                None => Ok(None),
            }
        })
    }

    /// Per plan: its tasks, those done, and those open with a deadline before `today`.
    pub async fn plan_counts(&self, today: &str) -> Result<Vec<PlanCounts>> {
        let sql = "SELECT plan_id, CAST(COUNT(*) AS BIGINT) AS tasks, \
             CAST(COALESCE(SUM(CASE WHEN status = 'hoan-thanh' THEN 1 ELSE 0 END), 0) AS BIGINT) AS done, \
             CAST(COALESCE(SUM(CASE WHEN status IN ('chua-thuc-hien', 'dang-thuc-hien') AND deadline < $1 \
                 THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue \
             FROM plan_tasks GROUP BY plan_id";
        on_pool!(self, pool => {
            let rows = sqlx::query(sql).bind(today).fetch_all(pool).await?;
            rows.iter()
                .map(|r| {
                    Ok(PlanCounts {
                        plan_id: r.try_get("plan_id")?,
                        tasks: r.try_get("tasks")?,
                        done: r.try_get("done")?,
                        overdue: r.try_get("overdue")?,
                    })
                })
                .collect()
        })
    }

    // ---- tasks ---------------------------------------------------------------------------

    /// Adds a task at the end of its plan (its `seq` is set here); returns the seq.
    pub async fn add_task(&self, t: &TaskRow) -> Result<i64> {
        let sql = one_insert("plan_tasks", TASK_COLS);
        on_write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let exists: Option<String> = sqlx::query_scalar("SELECT id FROM plans WHERE id = $1")
                .bind(&t.plan_id)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Err(StoreError::NotFound(format!("kế hoạch {}", t.plan_id)));
            }
            let max: Option<i64> =
                sqlx::query_scalar("SELECT MAX(seq) FROM plan_tasks WHERE plan_id = $1")
                    .bind(&t.plan_id)
                    .fetch_one(&mut *tx)
                    .await?;
            let seq = max.unwrap_or(0) + 1;
            let mut row = t.clone();
            row.seq = seq;
            bind_task!(sqlx::query(AssertSqlSafe(sql)), row)
                .execute(&mut *tx)
                .await
                .map_err(|e| dup(e, &format!("nhiệm vụ {}", t.id)))?;
            tx.commit().await?;
            Ok(seq)
        })
    }

    pub async fn task(&self, id: &str) -> Result<Option<TaskRow>> {
        let sql = format!(
            "SELECT {} FROM plan_tasks WHERE id = $1",
            TASK_COLS.join(", ")
        );
        on_pool!(self, pool => {
            let row = sqlx::query(AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            match row {
                Some(r) => Ok(Some(task_row!(r))),
                None => Ok(None),
            }
        })
    }

    /// The tasks of a plan, in order.
    pub async fn plan_tasks(&self, plan_id: &str) -> Result<Vec<TaskRow>> {
        let sql = format!(
            "SELECT {} FROM plan_tasks WHERE plan_id = $1 ORDER BY seq, id",
            TASK_COLS.join(", ")
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql)).bind(plan_id).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(task_row!(r))).collect()
        })
    }

    /// Tasks led by a unit, by deadline, each with its plan's number.
    pub async fn tasks_led_by(&self, unit: &str) -> Result<Vec<(TaskRow, String)>> {
        let sql = format!(
            "SELECT {}, p.number AS plan_number FROM plan_tasks t JOIN plans p ON p.id = t.plan_id \
             WHERE t.lead_unit = $1 ORDER BY t.deadline, t.id",
            select(TASK_COLS, "t.")
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql)).bind(unit).fetch_all(pool).await?;
            rows.iter()
                .map(|r| Ok((task_row!(r), r.try_get::<String, _>("plan_number")?)))
                .collect()
        })
    }

    /// Open tasks (not done, not cancelled) of every unit with a deadline on or before `to`,
    /// by deadline, each with its plan's number.
    pub async fn open_tasks_until(&self, to: &str) -> Result<Vec<(TaskRow, String)>> {
        let sql = format!(
            "SELECT {}, p.number AS plan_number FROM plan_tasks t JOIN plans p ON p.id = t.plan_id \
             WHERE t.deadline <= $1 AND t.status IN ('chua-thuc-hien', 'dang-thuc-hien') \
             ORDER BY t.deadline, t.id",
            select(TASK_COLS, "t.")
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql)).bind(to).fetch_all(pool).await?;
            rows.iter()
                .map(|r| Ok((task_row!(r), r.try_get::<String, _>("plan_number")?)))
                .collect()
        })
    }

    /// Tasks of every unit with a deadline in `from..=to`, each with its plan's number.
    pub async fn tasks_due_between(&self, from: &str, to: &str) -> Result<Vec<(TaskRow, String)>> {
        let sql = format!(
            "SELECT {}, p.number AS plan_number FROM plan_tasks t JOIN plans p ON p.id = t.plan_id \
             WHERE t.deadline >= $1 AND t.deadline <= $2 ORDER BY t.lead_unit, t.deadline, t.id",
            select(TASK_COLS, "t.")
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql))
                .bind(from)
                .bind(to)
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| Ok((task_row!(r), r.try_get::<String, _>("plan_number")?)))
                .collect()
        })
    }

    /// Records a progress report (or status change) with its files and applies it to the
    /// task, in one transaction.
    pub async fn record_progress(
        &self,
        p: &ProgressRow,
        update: &TaskUpdate,
        files: &[NewPlanFile],
    ) -> Result<()> {
        let progress_sql = one_insert("plan_progress", PROGRESS_COLS);
        let file_sql = one_insert("plan_files", FILE_COLS);
        on_write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let changed = sqlx::query(
                "UPDATE plan_tasks SET status = $2, done_on = $3, percent = $4, updated_at = $5 \
                 WHERE id = $1",
            )
            .bind(&p.task_id)
            .bind(&update.status)
            .bind(&update.done_on)
            .bind(update.percent)
            .bind(&update.updated_at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::NotFound(format!("nhiệm vụ {}", p.task_id)));
            }
            bind_progress!(sqlx::query(AssertSqlSafe(progress_sql.clone())), p)
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

    /// A task's progress reports, newest first.
    pub async fn task_progress(&self, task_id: &str) -> Result<Vec<ProgressRow>> {
        let sql = format!(
            "SELECT {} FROM plan_progress WHERE task_id = $1 ORDER BY reported_at DESC, id DESC",
            PROGRESS_COLS.join(", ")
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql)).bind(task_id).fetch_all(pool).await?;
            rows.iter()
                .map(|r| {
                    Ok(ProgressRow {
                        id: r.try_get("id")?,
                        task_id: r.try_get("task_id")?,
                        reported_at: r.try_get("reported_at")?,
                        reported_by: r.try_get("reported_by")?,
                        percent: r.try_get("percent")?,
                        body: r.try_get("body")?,
                        status: r.try_get("status")?,
                    })
                })
                .collect()
        })
    }

    // ---- files ---------------------------------------------------------------------------

    /// The files of a task or obligation, in upload order.
    pub async fn plan_files(&self, parent: &str) -> Result<Vec<PlanFileInfo>> {
        let cols = &FILE_COLS[..FILE_COLS.len() - 1];
        let sql = format!(
            "SELECT {} FROM plan_files WHERE parent = $1 ORDER BY uploaded_at, id",
            cols.join(", ")
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql)).bind(parent).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(file_info!(r))).collect()
        })
    }

    /// The files of every report of a unit.
    pub async fn plan_files_of_unit_reports(&self, unit: &str) -> Result<Vec<PlanFileInfo>> {
        let cols = &FILE_COLS[..FILE_COLS.len() - 1];
        let sql = format!(
            "SELECT {} FROM plan_files f JOIN report_obligations o ON o.id = f.parent \
             WHERE o.unit = $1 ORDER BY f.uploaded_at, f.id",
            select(cols, "f.")
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql)).bind(unit).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(file_info!(r))).collect()
        })
    }

    /// One file with its bytes.
    pub async fn plan_file(&self, id: &str) -> Result<Option<(PlanFileInfo, Vec<u8>)>> {
        let sql = format!(
            "SELECT {} FROM plan_files WHERE id = $1",
            FILE_COLS.join(", ")
        );
        on_pool!(self, pool => {
            let row = sqlx::query(AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            match row {
                Some(r) => {
                    let content: Vec<u8> = r.try_get("content")?;
                    Ok(Some((file_info!(r), content)))
                }
                None => Ok(None),
            }
        })
    }

    // ---- reports -------------------------------------------------------------------------

    /// Adds report obligations; one a unit already owes for the same period is a duplicate.
    pub async fn insert_obligations(&self, rows: &[ObligationRow]) -> Result<()> {
        let sql = one_insert("report_obligations", OBLIGATION_COLS);
        on_write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for o in rows {
                bind_obligation!(sqlx::query(AssertSqlSafe(sql.clone())), o)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| dup(e, &format!("báo cáo {} của {}", o.period_key, o.unit)))?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn obligation(&self, id: &str) -> Result<Option<ObligationRow>> {
        let sql = format!(
            "SELECT {} FROM report_obligations WHERE id = $1",
            OBLIGATION_COLS.join(", ")
        );
        on_pool!(self, pool => {
            let row = sqlx::query(AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            match row {
                Some(r) => Ok(Some(obligation_row!(r))),
                None => Ok(None),
            }
        })
    }

    /// The reports a unit owes, by due date.
    pub async fn obligations_of(&self, unit: &str) -> Result<Vec<ObligationRow>> {
        let sql = format!(
            "SELECT {} FROM report_obligations WHERE unit = $1 ORDER BY due, id",
            OBLIGATION_COLS.join(", ")
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql)).bind(unit).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(obligation_row!(r))).collect()
        })
    }

    /// Reports of every unit due in `from..=to`.
    pub async fn obligations_due_between(
        &self,
        from: &str,
        to: &str,
    ) -> Result<Vec<ObligationRow>> {
        let sql = format!(
            "SELECT {} FROM report_obligations WHERE due >= $1 AND due <= $2 ORDER BY unit, due, id",
            OBLIGATION_COLS.join(", ")
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql))
                .bind(from)
                .bind(to)
                .fetch_all(pool)
                .await?;
            rows.iter().map(|r| Ok(obligation_row!(r))).collect()
        })
    }

    /// Reports of every unit due on or before `to` that need something: nothing submitted, or
    /// the latest submission found incomplete.
    pub async fn obligations_pending_until(&self, to: &str) -> Result<Vec<ObligationRow>> {
        let sql = format!(
            "SELECT {} FROM report_obligations WHERE due <= $1 \
             AND (submitted_on IS NULL OR complete = 0) ORDER BY due, unit, id",
            OBLIGATION_COLS.join(", ")
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql)).bind(to).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(obligation_row!(r))).collect()
        })
    }

    /// Records a submission with its file; it becomes the report's latest (not reviewed).
    pub async fn submit_report(&self, s: &SubmissionRow, file: Option<&NewPlanFile>) -> Result<()> {
        let sub_sql = one_insert("report_submissions", SUBMISSION_COLS);
        let file_sql = one_insert("plan_files", FILE_COLS);
        let day = s
            .submitted_at
            .get(..10)
            .unwrap_or(&s.submitted_at)
            .to_owned();
        on_write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let changed = sqlx::query(
                "UPDATE report_obligations SET submitted_on = $2, complete = NULL WHERE id = $1",
            )
            .bind(&s.obligation_id)
            .bind(&day)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::NotFound(format!("báo cáo {}", s.obligation_id)));
            }
            bind_submission!(sqlx::query(AssertSqlSafe(sub_sql)), s)
                .execute(&mut *tx)
                .await?;
            if let Some(f) = file {
                bind_file!(sqlx::query(AssertSqlSafe(file_sql)), f)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// The submissions of a report, newest first.
    pub async fn submissions_of(&self, obligation_id: &str) -> Result<Vec<SubmissionRow>> {
        let sql = format!(
            "SELECT {} FROM report_submissions WHERE obligation_id = $1 \
             ORDER BY submitted_at DESC, id DESC",
            SUBMISSION_COLS.join(", ")
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql))
                .bind(obligation_id)
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(SubmissionRow {
                        id: r.try_get("id")?,
                        obligation_id: r.try_get("obligation_id")?,
                        submitted_at: r.try_get("submitted_at")?,
                        submitted_by: r.try_get("submitted_by")?,
                        note: r.try_get("note")?,
                        complete: r.try_get::<Option<i64>, _>("complete")?.map(|v| v != 0),
                        review_note: r.try_get("review_note")?,
                        reviewed_by: r.try_get("reviewed_by")?,
                        reviewed_at: r.try_get("reviewed_at")?,
                    })
                })
                .collect()
        })
    }

    /// The reform office's review of the latest submission of a report: complete or not,
    /// with a note. Refused (not found) when `submission_id` is not the latest.
    pub async fn review_submission(
        &self,
        obligation_id: &str,
        submission_id: &str,
        complete: bool,
        note: &str,
        by: &str,
        at: &str,
    ) -> Result<()> {
        on_write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let latest: Option<String> = sqlx::query_scalar(
                "SELECT id FROM report_submissions WHERE obligation_id = $1 \
                 ORDER BY submitted_at DESC, id DESC LIMIT 1",
            )
            .bind(obligation_id)
            .fetch_optional(&mut *tx)
            .await?;
            if latest.as_deref() != Some(submission_id) {
                return Err(StoreError::NotFound(format!("lần nộp {submission_id}")));
            }
            sqlx::query(
                "UPDATE report_submissions SET complete = $2, review_note = $3, reviewed_by = $4, \
                 reviewed_at = $5 WHERE id = $1",
            )
            .bind(submission_id)
            .bind(i64::from(complete))
            .bind(note)
            .bind(by)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE report_obligations SET complete = $2 WHERE id = $1")
                .bind(obligation_id)
                .bind(i64::from(complete))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    // ---- bulk ----------------------------------------------------------------------------

    /// Inserts plans, tasks, progress reports, obligations, submissions and files in one
    /// transaction with multi-row INSERTs (`?` marks on SQLite), for demo data and benchmarks.
    /// Rows are taken as they are: `complete` and `submitted_on` of an obligation must already
    /// reflect its latest submission.
    pub async fn insert_plan_rows_bulk(&self, rows: &PlanRowsBulk) -> Result<()> {
        let anon = self.anonymous_marks();
        on_write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            bulk!(tx, anon, "plans", PLAN_COLS, rows.plans, bind_plan);
            bulk!(tx, anon, "plan_tasks", TASK_COLS, rows.tasks, bind_task);
            bulk!(tx, anon, "plan_progress", PROGRESS_COLS, rows.progress, bind_progress);
            bulk!(tx, anon, "report_obligations", OBLIGATION_COLS, rows.obligations, bind_obligation);
            bulk!(tx, anon, "report_submissions", SUBMISSION_COLS, rows.submissions, bind_submission);
            bulk!(tx, anon, "plan_files", FILE_COLS, rows.files, bind_file);
            tx.commit().await?;
            Ok(())
        })
    }
}
