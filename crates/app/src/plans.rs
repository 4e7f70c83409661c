//! Plans and tasks (kế hoạch, nhiệm vụ) and the periodic reporting duty (chế độ báo cáo):
//! the plan list and pages, a task with its progress reports and files, the administrator's
//! forms to create plans and add tasks, a unit's board (its overdue tasks, reports missing or
//! incomplete, what is due soon), the province list of everything overdue, report submissions
//! and their review; and [`App::duties_in_year`], what every unit owed in a year, for the PAR
//! pre-fill and the emulation criteria.
//!
//! Who may do what: staff (officers, leaders) and administrators read plans; a task's page,
//! a unit's board and reports are for the administrator and staff whose unit subtree holds
//! the unit; a task's progress and status are reported by the lead unit's own staff or the
//! administrator; a report is submitted by the unit's staff and reviewed by the administrator.
//! Every verdict is the domain's (`cchc_domain::plan`).

use std::collections::HashMap;

use cchc_domain::calendar::fmt_date;
use cchc_domain::plan::{
    Area, Deadline, PlanError, PlanHeader, ReportCycle, ReportState, TaskDraft, TaskState,
    TaskStatus, check_progress, check_status, parse_date, report_state, task_state,
};
use cchc_store::{
    NewPlanFile, ObligationRow, PlanFileInfo, PlanRow, ProgressRow, SubmissionRow, TaskRow,
    TaskUpdate,
};
use jiff::civil::Date;
use serde::Serialize;

use crate::files::Upload;
use crate::{App, AppError, Principal, Result, Role, civil, random_hex};

/// How many days ahead a board shows as "due soon".
pub const UPCOMING_DAYS: i64 = 30;

/// What a unit owed in a year and how it came out (for PAR pre-fill and the emulation criteria).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitDuties {
    pub unit: String,
    pub tasks: Vec<TaskOutcome>,
    pub reports: Vec<ReportOutcome>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskOutcome {
    pub task_id: String,
    pub plan_number: String,
    pub title: String,
    pub deadline: Date,
    pub done_on: Option<Date>,
    pub state: TaskState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportOutcome {
    pub obligation_id: String,
    pub label: String,
    pub due: Date,
    pub submitted_on: Option<Date>,
    pub complete: Option<bool>,
    pub state: ReportState,
}

/// A plan as pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanView {
    pub id: String,
    pub number: String,
    pub date: Option<Date>,
    pub issuer: String,
    pub period: String,
    pub title: String,
    pub note: String,
    /// `seed`, `demo` or `admin`.
    pub source: String,
}

impl PlanView {
    /// "617/QĐ-UBND ngày 12/12/2023", or what is known.
    pub fn reference(&self) -> String {
        let number = if self.number.is_empty() {
            "Không số".to_owned()
        } else {
            self.number.clone()
        };
        match self.date {
            Some(d) => format!("{number} ngày {}", fmt_date(d)),
            None => number,
        }
    }
}

/// A plan in the list, with its counts at today.
#[derive(Debug, Clone, Serialize)]
pub struct PlanSummary {
    pub plan: PlanView,
    pub tasks: i64,
    pub done: i64,
    pub overdue: i64,
}

/// A unit named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitRef {
    pub id: String,
    pub name: String,
}

/// A task as pages show it, judged at a day.
#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    pub id: String,
    pub plan_id: String,
    pub plan_number: String,
    pub seq: i64,
    pub area: Area,
    pub title: String,
    pub lead: UnitRef,
    pub support: Vec<UnitRef>,
    pub output: String,
    pub deadline: Date,
    /// How the deadline was set when it counts working days; empty for a fixed date.
    pub deadline_rule: String,
    pub status: TaskStatus,
    pub done_on: Option<Date>,
    pub percent: i64,
    pub state: TaskState,
}

/// Filters of a plan's page.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// Tasks this unit leads or co-operates on.
    pub unit: Option<String>,
    pub state: Option<TaskState>,
}

/// A plan's page: tasks by area.
#[derive(Debug, Clone, Serialize)]
pub struct PlanDetail {
    pub plan: PlanView,
    pub groups: Vec<(Area, Vec<TaskView>)>,
    /// Tasks before filtering.
    pub total: usize,
    pub shown: usize,
}

/// A file of a progress report or submission, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanFile {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

impl From<&PlanFileInfo> for PlanFile {
    fn from(f: &PlanFileInfo) -> Self {
        Self {
            id: f.id.clone(),
            file_name: f.file_name.clone(),
            content_type: f.content_type.clone(),
            size_bytes: f.size_bytes,
            uploaded_by: f.uploaded_by.clone(),
            uploaded_at: f.uploaded_at.clone(),
        }
    }
}

/// A progress report as pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct ProgressView {
    pub id: String,
    pub reported_at: String,
    pub reported_by: String,
    pub percent: i64,
    pub body: String,
    pub status: TaskStatus,
    pub files: Vec<PlanFile>,
}

/// A task's page.
#[derive(Debug, Clone, Serialize)]
pub struct TaskDetail {
    pub task: TaskView,
    pub plan: PlanView,
    pub progress: Vec<ProgressView>,
    /// The caller may report progress and change the status.
    pub may_report: bool,
}

/// A report owed, as pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct ObligationView {
    pub id: String,
    pub unit: UnitRef,
    pub cycle: ReportCycle,
    pub period_key: String,
    pub label: String,
    pub due: Date,
    pub submitted_on: Option<Date>,
    pub complete: Option<bool>,
    pub state: ReportState,
}

/// A submission as pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct SubmissionView {
    pub id: String,
    pub submitted_at: String,
    pub submitted_by: String,
    pub note: String,
    pub complete: Option<bool>,
    pub review_note: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub files: Vec<PlanFile>,
}

/// A unit's reports with their submissions.
#[derive(Debug, Clone, Serialize)]
pub struct UnitReports {
    pub unit: UnitRef,
    pub reports: Vec<(ObligationView, Vec<SubmissionView>)>,
    pub may_submit: bool,
    pub may_review: bool,
}

/// A unit's board at a day.
#[derive(Debug, Clone, Serialize)]
pub struct UnitBoard {
    pub unit: UnitRef,
    pub today: Date,
    pub overdue_tasks: Vec<TaskView>,
    /// Open tasks due within [`UPCOMING_DAYS`].
    pub upcoming_tasks: Vec<TaskView>,
    /// Reports missing or found incomplete.
    pub reports_needing: Vec<ObligationView>,
    /// Reports not submitted, due within [`UPCOMING_DAYS`].
    pub upcoming_reports: Vec<ObligationView>,
}

/// Everything overdue in the caller's scope at a day.
#[derive(Debug, Clone, Serialize)]
pub struct OverdueList {
    pub today: Date,
    /// The unit the list was limited to (None: the whole scope).
    pub unit: Option<UnitRef>,
    pub tasks: Vec<TaskView>,
    pub reports: Vec<ObligationView>,
}

/// A plan typed by the administrator.
#[derive(Debug, Clone, Default)]
pub struct NewPlan {
    pub number: String,
    /// dd/mm/yyyy or yyyy-mm-dd.
    pub date: String,
    pub issuer: String,
    /// "2025" or "2023-2030".
    pub period: String,
    pub title: String,
    pub note: String,
}

/// A task typed by the administrator.
#[derive(Debug, Clone, Default)]
pub struct NewTask {
    /// Area code (`cchc_domain::plan::Area::code`).
    pub area: String,
    pub title: String,
    pub output: String,
    pub lead_unit: String,
    pub support_units: Vec<String>,
    /// A fixed deadline (dd/mm/yyyy or yyyy-mm-dd), or empty when counted in working days.
    pub deadline: String,
    /// Working days, counted from `start` (used when `deadline` is empty).
    pub working_days: String,
    pub start: String,
}

fn invalid(e: PlanError) -> AppError {
    AppError::Invalid(e.to_string())
}

fn day(text: &str) -> Result<Date> {
    text.get(..10)
        .unwrap_or(text)
        .parse::<Date>()
        .map_err(|e| AppError::Internal(format!("stored date {text}: {e}")))
}

fn opt_day(text: Option<&str>) -> Result<Option<Date>> {
    text.map(day).transpose()
}

fn plan_view(p: &PlanRow) -> Result<PlanView> {
    Ok(PlanView {
        id: p.id.clone(),
        number: p.number.clone(),
        date: opt_day(p.signed_on.as_deref())?,
        issuer: p.issuer.clone(),
        period: p.period.clone(),
        title: p.title.clone(),
        note: p.note.clone(),
        source: p.source.clone(),
    })
}

fn is_staff(who: &Principal) -> bool {
    matches!(who.role, Role::Officer | Role::Leader | Role::Admin)
}

fn staff_only(who: &Principal) -> Result<()> {
    if is_staff(who) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "kế hoạch cải cách hành chính dành cho cán bộ, công chức".into(),
        ))
    }
}

fn admin_only(who: &Principal, what: &str) -> Result<()> {
    if who.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "chỉ quản trị CCHC được {what}"
        )))
    }
}

/// The status code of an open task stored as such.
const OPEN: [&str; 2] = ["chua-thuc-hien", "dang-thuc-hien"];

impl App {
    fn unit_ref(&self, id: &str) -> Result<UnitRef> {
        let tree = self.units()?;
        Ok(UnitRef {
            id: id.to_owned(),
            name: tree
                .get(id)
                .map_or_else(|| id.to_owned(), |u| u.full_name.clone()),
        })
    }

    fn task_view(&self, t: &TaskRow, plan_number: &str, at: Date) -> Result<TaskView> {
        let status = TaskStatus::parse(&t.status)
            .map_err(|_| AppError::Internal(format!("task {} status {}", t.id, t.status)))?;
        let area = Area::parse(&t.area)
            .map_err(|_| AppError::Internal(format!("task {} area {}", t.id, t.area)))?;
        let deadline = day(&t.deadline)?;
        let done_on = opt_day(t.done_on.as_deref())?;
        Ok(TaskView {
            id: t.id.clone(),
            plan_id: t.plan_id.clone(),
            plan_number: if plan_number.is_empty() {
                "Không số".to_owned()
            } else {
                plan_number.to_owned()
            },
            seq: t.seq,
            area,
            title: t.title.clone(),
            lead: self.unit_ref(&t.lead_unit)?,
            support: t
                .support_units
                .split_whitespace()
                .map(|u| self.unit_ref(u))
                .collect::<Result<_>>()?,
            output: t.output.clone(),
            deadline,
            deadline_rule: t.deadline_rule.clone(),
            status,
            done_on,
            percent: t.percent,
            state: task_state(deadline, status, done_on, at),
        })
    }

    fn obligation_view(&self, o: &ObligationRow, at: Date) -> Result<ObligationView> {
        let due = day(&o.due)?;
        let submitted_on = opt_day(o.submitted_on.as_deref())?;
        Ok(ObligationView {
            id: o.id.clone(),
            unit: self.unit_ref(&o.unit)?,
            cycle: ReportCycle::parse(&o.cycle)
                .map_err(|_| AppError::Internal(format!("report {} cycle {}", o.id, o.cycle)))?,
            period_key: o.period_key.clone(),
            label: o.label.clone(),
            due,
            submitted_on,
            complete: o.complete,
            state: report_state(due, submitted_on, o.complete, at),
        })
    }

    /// Whether staff of `who` may see a unit's tasks and reports (their unit's subtree);
    /// administrators see all.
    fn may_see_plan_unit(&self, who: &Principal, unit: &str) -> bool {
        match who.role {
            Role::Admin => true,
            Role::Officer | Role::Leader => who
                .unit_id
                .as_deref()
                .is_some_and(|mine| self.units().is_ok_and(|t| t.is_within(unit, mine))),
            Role::Citizen => false,
        }
    }

    fn check_unit_scope(&self, who: &Principal, unit: &str) -> Result<()> {
        staff_only(who)?;
        if !self.units()?.contains(unit) {
            return Err(AppError::NotFound(format!("đơn vị {unit}")));
        }
        if self.may_see_plan_unit(who, unit) {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "chỉ xem được nhiệm vụ, báo cáo của đơn vị mình và đơn vị trực thuộc".into(),
            ))
        }
    }

    /// The lead unit's own staff, or the administrator.
    fn may_report(&self, who: &Principal, lead: &str) -> bool {
        who.role == Role::Admin
            || (matches!(who.role, Role::Officer | Role::Leader)
                && who.unit_id.as_deref() == Some(lead))
    }

    // ---- plans ---------------------------------------------------------------------------

    /// Every plan with its task counts at `today`.
    pub async fn plan_list(&self, who: &Principal, today: Date) -> Result<Vec<PlanSummary>> {
        staff_only(who)?;
        let counts: HashMap<String, (i64, i64, i64)> = self
            .store
            .plan_counts(&today.to_string())
            .await?
            .into_iter()
            .map(|c| (c.plan_id, (c.tasks, c.done, c.overdue)))
            .collect();
        self.store
            .plans()
            .await?
            .iter()
            .map(|p| {
                let (tasks, done, overdue) = counts.get(&p.id).copied().unwrap_or_default();
                Ok(PlanSummary {
                    plan: plan_view(p)?,
                    tasks,
                    done,
                    overdue,
                })
            })
            .collect()
    }

    /// A plan with its tasks by area, judged at `today`, filtered.
    pub async fn plan_detail(
        &self,
        who: &Principal,
        id: &str,
        filter: &TaskFilter,
        today: Date,
    ) -> Result<PlanDetail> {
        staff_only(who)?;
        let plan = self
            .store
            .plan(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("kế hoạch {id}")))?;
        if let Some(u) = &filter.unit
            && !self.units()?.contains(u)
        {
            return Err(AppError::NotFound(format!("đơn vị {u}")));
        }
        let rows = self.store.plan_tasks(id).await?;
        let total = rows.len();
        let mut groups: Vec<(Area, Vec<TaskView>)> =
            Area::ALL.iter().map(|a| (*a, Vec::new())).collect();
        let mut shown = 0;
        for t in &rows {
            let v = self.task_view(t, &plan.number, today)?;
            if let Some(u) = &filter.unit
                && v.lead.id != *u
                && !v.support.iter().any(|s| s.id == *u)
            {
                continue;
            }
            if filter.state.is_some_and(|s| s != v.state) {
                continue;
            }
            if let Some(g) = groups.iter_mut().find(|(a, _)| *a == v.area) {
                shown += 1;
                g.1.push(v);
            }
        }
        Ok(PlanDetail {
            plan: plan_view(&plan)?,
            groups,
            total,
            shown,
        })
    }

    /// Creates a plan (administrators). Every field is checked; nothing is stored on error.
    pub async fn create_plan(&self, who: &Principal, input: &NewPlan) -> Result<String> {
        admin_only(who, "tạo kế hoạch")?;
        let h = PlanHeader::new(
            &input.number,
            &input.date,
            &input.issuer,
            &input.period,
            &input.title,
        )
        .map_err(invalid)?;
        if input.note.chars().count() > cchc_domain::plan::MAX_TEXT {
            return Err(invalid(PlanError::TooLong("ghi chú")));
        }
        // The same document entered twice (a second click) is one plan, not two.
        let signed_on = h.date.map(|d| d.to_string());
        if let Some(same) = self.store.plans().await?.into_iter().find(|p| {
            p.number.trim().eq_ignore_ascii_case(h.number.trim())
                && p.signed_on == signed_on
                && p.issuer.trim() == h.issuer.trim()
        }) {
            return Err(AppError::Invalid(format!(
                "kế hoạch số {} của {} đã có trên hệ thống ({})",
                same.number, same.issuer, same.title
            )));
        }
        let id = format!("kh-{}", random_hex(6)?);
        self.store
            .insert_plan(&PlanRow {
                id: id.clone(),
                number: h.number,
                signed_on,
                issuer: h.issuer,
                period: h.period,
                first_year: i64::from(h.first_year),
                last_year: i64::from(h.last_year),
                title: h.title,
                note: input.note.trim().to_owned(),
                source: "admin".into(),
                created_by: format!("{} ({})", who.display_name, who.username),
                created_at: civil(self.now()),
            })
            .await?;
        Ok(id)
    }

    /// Adds a task to a plan (administrators): an area, a title, a lead unit that exists,
    /// co-operating units that exist, and a deadline (a date, or working days from a start
    /// day on the lead unit's working calendar) not before the plan's date.
    pub async fn add_task(
        &self,
        who: &Principal,
        plan_id: &str,
        input: &NewTask,
    ) -> Result<String> {
        admin_only(who, "thêm nhiệm vụ")?;
        let plan = self
            .store
            .plan(plan_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("kế hoạch {plan_id}")))?;
        let area = Area::parse(&input.area).map_err(invalid)?;
        let tree = self.units()?;
        let lead_id = input.lead_unit.trim();
        if lead_id.is_empty() {
            return Err(invalid(PlanError::Empty("đơn vị chủ trì")));
        }
        let lead = tree
            .get(lead_id)
            .ok_or_else(|| AppError::Invalid(format!("không có đơn vị chủ trì {lead_id}")))?;
        let mut support: Vec<String> = Vec::new();
        for s in &input.support_units {
            let s = s.trim();
            if s.is_empty() || s == lead_id || support.iter().any(|x| x == s) {
                continue;
            }
            if !tree.contains(s) {
                return Err(AppError::Invalid(format!("không có đơn vị phối hợp {s}")));
            }
            support.push(s.to_owned());
        }
        let deadline = if !input.deadline.trim().is_empty() {
            Deadline::On(parse_date(&input.deadline).map_err(invalid)?)
        } else if !input.working_days.trim().is_empty() {
            let days: u32 = input
                .working_days
                .trim()
                .parse()
                .map_err(|_| invalid(PlanError::BadWorkingDays))?;
            let from = if input.start.trim().is_empty() {
                return Err(invalid(PlanError::Empty("ngày bắt đầu tính hạn")));
            } else {
                parse_date(&input.start).map_err(invalid)?
            };
            Deadline::WorkingDays { from, days }
        } else {
            return Err(invalid(PlanError::Empty("hạn hoàn thành")));
        };
        let clock = self.clock_for(lead)?;
        let plan_date = opt_day(plan.signed_on.as_deref())?;
        let draft = TaskDraft::new(
            plan_date,
            area,
            &input.title,
            &input.output,
            deadline,
            &clock,
        )
        .map_err(invalid)?;
        let id = format!("nv-{}", random_hex(6)?);
        self.store
            .add_task(&TaskRow {
                id: id.clone(),
                plan_id: plan_id.to_owned(),
                seq: 0,
                area: area.code().to_owned(),
                title: draft.title,
                lead_unit: lead_id.to_owned(),
                support_units: support.join(" "),
                output: draft.output,
                deadline: draft.due.to_string(),
                deadline_rule: match draft.deadline {
                    Deadline::On(_) => String::new(),
                    d @ Deadline::WorkingDays { .. } => d.describe(),
                },
                status: TaskStatus::NotStarted.code().to_owned(),
                done_on: None,
                percent: 0,
                updated_at: civil(self.now()),
            })
            .await?;
        Ok(id)
    }

    // ---- tasks ---------------------------------------------------------------------------

    async fn load_task(&self, who: &Principal, id: &str) -> Result<(TaskRow, PlanRow)> {
        staff_only(who)?;
        let t = self
            .store
            .task(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("nhiệm vụ {id}")))?;
        let visible = self.may_see_plan_unit(who, &t.lead_unit)
            || t.support_units
                .split_whitespace()
                .any(|u| self.may_see_plan_unit(who, u));
        if !visible {
            return Err(AppError::Forbidden(
                "chỉ xem được nhiệm vụ do đơn vị mình chủ trì hoặc phối hợp".into(),
            ));
        }
        let p = self
            .store
            .plan(&t.plan_id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("task {id} without plan")))?;
        Ok((t, p))
    }

    /// A task with its progress reports and files.
    pub async fn task_detail(&self, who: &Principal, id: &str, today: Date) -> Result<TaskDetail> {
        let (t, p) = self.load_task(who, id).await?;
        let files = self.store.plan_files(id).await?;
        let progress = self
            .store
            .task_progress(id)
            .await?
            .into_iter()
            .map(|r: ProgressRow| {
                Ok(ProgressView {
                    files: files
                        .iter()
                        .filter(|f| f.owner == r.id)
                        .map(PlanFile::from)
                        .collect(),
                    status: TaskStatus::parse(&r.status).map_err(invalid)?,
                    id: r.id,
                    reported_at: r.reported_at,
                    reported_by: r.reported_by,
                    percent: r.percent,
                    body: r.body,
                })
            })
            .collect::<Result<_>>()?;
        Ok(TaskDetail {
            may_report: self.may_report(who, &t.lead_unit),
            task: self.task_view(&t, &p.number, today)?,
            plan: plan_view(&p)?,
            progress,
        })
    }

    fn prepare_files(
        &self,
        who: &Principal,
        owner: &str,
        parent: &str,
        uploads: Vec<Upload>,
    ) -> Result<Vec<NewPlanFile>> {
        let at = civil(self.now());
        Ok(crate::files::prepare(uploads)?
            .into_iter()
            .map(|a| NewPlanFile {
                info: PlanFileInfo {
                    id: a.id,
                    owner: owner.to_owned(),
                    parent: parent.to_owned(),
                    file_name: a.file_name,
                    content_type: a.content_type,
                    size_bytes: i64::try_from(a.content.len()).unwrap_or(i64::MAX),
                    sha256: a.sha256,
                    uploaded_by: format!("{} ({})", who.display_name, who.username),
                    uploaded_at: at.clone(),
                },
                content: a.content,
            })
            .collect())
    }

    /// Reports progress on a task: a text, a percentage and files (PDF, PNG, JPEG). The
    /// lead unit's staff or the administrator; a done or cancelled task takes no more reports.
    pub async fn report_progress(
        &self,
        who: &Principal,
        task_id: &str,
        text: &str,
        percent: i64,
        uploads: Vec<Upload>,
    ) -> Result<()> {
        let (t, _) = self.load_task(who, task_id).await?;
        if !self.may_report(who, &t.lead_unit) {
            return Err(AppError::Forbidden(
                "chỉ cán bộ của đơn vị chủ trì hoặc quản trị CCHC được báo cáo tiến độ".into(),
            ));
        }
        let status = TaskStatus::parse(&t.status).map_err(invalid)?;
        if !status.is_open() {
            return Err(AppError::Invalid(format!(
                "nhiệm vụ đã ở trạng thái {}; không báo cáo tiến độ thêm",
                status.label().to_lowercase()
            )));
        }
        let body = check_progress(text, percent).map_err(invalid)?;
        let progress_id = format!("td-{}", random_hex(6)?);
        let files = self.prepare_files(who, &progress_id, task_id, uploads)?;
        let now = civil(self.now());
        let new_status = if percent > 0 {
            TaskStatus::InProgress
        } else {
            status
        };
        self.store
            .record_progress(
                &ProgressRow {
                    id: progress_id,
                    task_id: task_id.to_owned(),
                    reported_at: now.clone(),
                    reported_by: format!("{} ({})", who.display_name, who.username),
                    percent,
                    body,
                    status: new_status.code().to_owned(),
                },
                &TaskUpdate {
                    status: new_status.code().to_owned(),
                    done_on: None,
                    percent,
                    updated_at: now,
                },
                &files,
            )
            .await?;
        Ok(())
    }

    /// Changes a task's status (with the done day when done, dd/mm/yyyy or ISO), logged as a
    /// progress entry. The lead unit's staff or the administrator.
    pub async fn change_task_status(
        &self,
        who: &Principal,
        task_id: &str,
        status: &str,
        done_on: &str,
        note: &str,
    ) -> Result<TaskState> {
        let (t, p) = self.load_task(who, task_id).await?;
        if !self.may_report(who, &t.lead_unit) {
            return Err(AppError::Forbidden(
                "chỉ cán bộ của đơn vị chủ trì hoặc quản trị CCHC được đổi trạng thái nhiệm vụ"
                    .into(),
            ));
        }
        let status = TaskStatus::parse(status).map_err(invalid)?;
        let was_cancelled = t.status == TaskStatus::Cancelled.code();
        if (status == TaskStatus::Cancelled || was_cancelled) && who.role != Role::Admin {
            return Err(AppError::Forbidden(
                "chỉ quản trị CCHC được hủy nhiệm vụ hoặc khôi phục nhiệm vụ đã hủy".into(),
            ));
        }
        let today = self.now().date();
        let done = if done_on.trim().is_empty() {
            None
        } else {
            Some(parse_date(done_on).map_err(invalid)?)
        };
        let done =
            check_status(status, done, opt_day(p.signed_on.as_deref())?, today).map_err(invalid)?;
        if note.chars().count() > cchc_domain::plan::MAX_TEXT {
            return Err(invalid(PlanError::TooLong("ghi chú")));
        }
        let percent = match status {
            TaskStatus::Done => 100,
            TaskStatus::NotStarted => 0,
            _ => t.percent.min(99),
        };
        let now = civil(self.now());
        let mut body = format!("Chuyển trạng thái: {}", status.label());
        if let Some(d) = done {
            body.push_str(&format!(" ngày {}", fmt_date(d)));
        }
        if !note.trim().is_empty() {
            body.push_str(&format!(". {}", note.trim()));
        }
        self.store
            .record_progress(
                &ProgressRow {
                    id: format!("td-{}", random_hex(6)?),
                    task_id: task_id.to_owned(),
                    reported_at: now.clone(),
                    reported_by: format!("{} ({})", who.display_name, who.username),
                    percent,
                    body,
                    status: status.code().to_owned(),
                },
                &TaskUpdate {
                    status: status.code().to_owned(),
                    done_on: done.map(|d| d.to_string()),
                    percent,
                    updated_at: now,
                },
                &[],
            )
            .await?;
        Ok(task_state(day(&t.deadline)?, status, done, today))
    }

    /// A file of a task's progress report or of a report submission, for those who may see
    /// the task or the report.
    pub async fn plan_file(&self, who: &Principal, id: &str) -> Result<(PlanFileInfo, Vec<u8>)> {
        staff_only(who)?;
        let (info, content) = self
            .store
            .plan_file(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("tệp {id}")))?;
        if let Some(o) = self.store.obligation(&info.parent).await? {
            self.check_unit_scope(who, &o.unit)?;
        } else {
            self.load_task(who, &info.parent).await?;
        }
        Ok((info, content))
    }

    // ---- boards --------------------------------------------------------------------------

    /// The unit a page is about: the asked one, or the caller's own (administrators without
    /// a unit must ask).
    pub fn plan_unit_for(&self, who: &Principal, asked: Option<&str>) -> Result<String> {
        staff_only(who)?;
        let unit = match asked.map(str::trim).filter(|s| !s.is_empty()) {
            Some(u) => u.to_owned(),
            None => who
                .unit_id
                .clone()
                .ok_or_else(|| AppError::Invalid("cần chọn đơn vị".into()))?,
        };
        self.check_unit_scope(who, &unit)?;
        Ok(unit)
    }

    /// A unit's board at `today`: its overdue tasks, reports missing or incomplete, and what
    /// is due within [`UPCOMING_DAYS`].
    pub async fn unit_board(&self, who: &Principal, unit: &str, today: Date) -> Result<UnitBoard> {
        self.check_unit_scope(who, unit)?;
        let horizon = today
            .checked_add(jiff::Span::new().days(UPCOMING_DAYS))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let mut overdue_tasks = Vec::new();
        let mut upcoming_tasks = Vec::new();
        for (t, number) in self.store.tasks_led_by(unit).await? {
            let v = self.task_view(&t, &number, today)?;
            match v.state {
                TaskState::Overdue => overdue_tasks.push(v),
                TaskState::Open if v.deadline <= horizon => upcoming_tasks.push(v),
                _ => {}
            }
        }
        let mut reports_needing = Vec::new();
        let mut upcoming_reports = Vec::new();
        for o in self.store.obligations_of(unit).await? {
            let v = self.obligation_view(&o, today)?;
            if v.state.needs_action() {
                reports_needing.push(v);
            } else if v.state == ReportState::NotDue && v.due <= horizon {
                upcoming_reports.push(v);
            }
        }
        Ok(UnitBoard {
            unit: self.unit_ref(unit)?,
            today,
            overdue_tasks,
            upcoming_tasks,
            reports_needing,
            upcoming_reports,
        })
    }

    /// Every overdue task and missing or incomplete report at `today` in the caller's scope
    /// (administrators: the province; staff: their subtree), optionally within one unit's
    /// subtree. Two queries, whatever the number of units.
    pub async fn overdue_list(
        &self,
        who: &Principal,
        unit: Option<&str>,
        today: Date,
    ) -> Result<OverdueList> {
        staff_only(who)?;
        let unit = unit.map(str::trim).filter(|u| !u.is_empty());
        if let Some(u) = unit {
            self.check_unit_scope(who, u)?;
        } else if who.role != Role::Admin && who.unit_id.is_none() {
            return Err(AppError::Forbidden(
                "tài khoản không thuộc đơn vị nào".into(),
            ));
        }
        let tree = self.units()?;
        let root = unit.map(str::to_owned).or_else(|| {
            (who.role != Role::Admin)
                .then(|| who.unit_id.clone())
                .flatten()
        });
        let inside = |u: &str| root.as_deref().is_none_or(|r| tree.is_within(u, r));
        let yesterday = today
            .yesterday()
            .map_err(|e| AppError::Internal(e.to_string()))?
            .to_string();
        let mut tasks = Vec::new();
        for (t, number) in self.store.open_tasks_until(&yesterday).await? {
            if !inside(&t.lead_unit) || !OPEN.contains(&t.status.as_str()) {
                continue;
            }
            let v = self.task_view(&t, &number, today)?;
            if v.state == TaskState::Overdue {
                tasks.push(v);
            }
        }
        let mut reports = Vec::new();
        for o in self
            .store
            .obligations_pending_until(&today.to_string())
            .await?
        {
            if !inside(&o.unit) {
                continue;
            }
            let v = self.obligation_view(&o, today)?;
            if v.state.needs_action() {
                reports.push(v);
            }
        }
        Ok(OverdueList {
            today,
            unit: unit.map(|u| self.unit_ref(u)).transpose()?,
            tasks,
            reports,
        })
    }

    // ---- reports -------------------------------------------------------------------------

    /// A unit's reports with their submissions and files, judged at `today`.
    pub async fn unit_reports(
        &self,
        who: &Principal,
        unit: &str,
        today: Date,
    ) -> Result<UnitReports> {
        self.check_unit_scope(who, unit)?;
        let files = self.store.plan_files_of_unit_reports(unit).await?;
        let mut reports = Vec::new();
        for o in self.store.obligations_of(unit).await? {
            let subs = self
                .store
                .submissions_of(&o.id)
                .await?
                .into_iter()
                .map(|row: SubmissionRow| SubmissionView {
                    files: files
                        .iter()
                        .filter(|f| f.owner == row.id)
                        .map(PlanFile::from)
                        .collect(),
                    id: row.id,
                    submitted_at: row.submitted_at,
                    submitted_by: row.submitted_by,
                    note: row.note,
                    complete: row.complete,
                    review_note: row.review_note,
                    reviewed_by: row.reviewed_by,
                    reviewed_at: row.reviewed_at,
                })
                .collect();
            reports.push((self.obligation_view(&o, today)?, subs));
        }
        Ok(UnitReports {
            unit: self.unit_ref(unit)?,
            reports,
            may_submit: self.may_report(who, unit),
            may_review: who.role == Role::Admin,
        })
    }

    /// Submits a report with its file (PDF, PNG, JPEG) and a note: the unit's own staff or
    /// the administrator. The latest submission counts; it waits for the office's review.
    pub async fn submit_report(
        &self,
        who: &Principal,
        obligation_id: &str,
        note: &str,
        upload: Option<Upload>,
    ) -> Result<()> {
        staff_only(who)?;
        let o = self
            .store
            .obligation(obligation_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("báo cáo {obligation_id}")))?;
        self.check_unit_scope(who, &o.unit)?;
        if !self.may_report(who, &o.unit) {
            return Err(AppError::Forbidden(
                "chỉ cán bộ của đơn vị hoặc quản trị CCHC được nộp báo cáo".into(),
            ));
        }
        if o.complete == Some(true) {
            return Err(AppError::Invalid(
                "báo cáo đã được đánh giá đầy đủ; không cần nộp lại".into(),
            ));
        }
        if note.chars().count() > cchc_domain::plan::MAX_TEXT {
            return Err(invalid(PlanError::TooLong("ghi chú")));
        }
        let upload = upload.ok_or_else(|| {
            AppError::Invalid("cần đính kèm tệp báo cáo (PDF, PNG hoặc JPEG)".into())
        })?;
        let sub_id = format!("bc-{}", random_hex(6)?);
        let mut files = self.prepare_files(who, &sub_id, obligation_id, vec![upload])?;
        let file = files.pop();
        self.store
            .submit_report(
                &SubmissionRow {
                    id: sub_id,
                    obligation_id: obligation_id.to_owned(),
                    submitted_at: civil(self.now()),
                    submitted_by: format!("{} ({})", who.display_name, who.username),
                    note: note.trim().to_owned(),
                    complete: None,
                    review_note: String::new(),
                    reviewed_by: None,
                    reviewed_at: None,
                },
                file.as_ref(),
            )
            .await?;
        Ok(())
    }

    /// The reform office's review of a report's latest submission (administrators).
    pub async fn review_report(
        &self,
        who: &Principal,
        obligation_id: &str,
        submission_id: &str,
        complete: bool,
        note: &str,
    ) -> Result<()> {
        admin_only(who, "đánh giá báo cáo")?;
        if !complete && note.trim().is_empty() {
            return Err(AppError::Invalid(
                "cần ghi rõ nội dung còn thiếu khi đánh giá chưa đầy đủ".into(),
            ));
        }
        if note.chars().count() > cchc_domain::plan::MAX_TEXT {
            return Err(invalid(PlanError::TooLong("ghi chú")));
        }
        self.store
            .review_submission(
                obligation_id,
                submission_id,
                complete,
                note.trim(),
                &format!("{} ({})", who.display_name, who.username),
                &civil(self.now()),
            )
            .await?;
        Ok(())
    }

    // ---- duties --------------------------------------------------------------------------

    /// Tasks led by each unit whose deadline falls in `year`, and reports due in `year`, judged at min(today, 31/12/year).
    pub async fn duties_in_year(
        &self,
        year: i16,
        today: Date,
    ) -> Result<HashMap<String, UnitDuties>> {
        let first = Date::new(year, 1, 1).map_err(|e| AppError::Invalid(e.to_string()))?;
        let last = Date::new(year, 12, 31).map_err(|e| AppError::Invalid(e.to_string()))?;
        let at = today.min(last);
        let (from, to) = (first.to_string(), last.to_string());
        let mut out: HashMap<String, UnitDuties> = HashMap::new();
        for (t, number) in self.store.tasks_due_between(&from, &to).await? {
            let status = TaskStatus::parse(&t.status).map_err(invalid)?;
            let deadline = day(&t.deadline)?;
            let done_on = opt_day(t.done_on.as_deref())?;
            let outcome = TaskOutcome {
                state: task_state(deadline, status, done_on, at),
                task_id: t.id,
                plan_number: number,
                title: t.title,
                deadline,
                done_on,
            };
            out.entry(t.lead_unit.clone())
                .or_insert_with(|| UnitDuties {
                    unit: t.lead_unit,
                    tasks: Vec::new(),
                    reports: Vec::new(),
                })
                .tasks
                .push(outcome);
        }
        for o in self.store.obligations_due_between(&from, &to).await? {
            let due = day(&o.due)?;
            let submitted_on = opt_day(o.submitted_on.as_deref())?;
            let outcome = ReportOutcome {
                state: report_state(due, submitted_on, o.complete, at),
                obligation_id: o.id,
                label: o.label,
                due,
                submitted_on,
                complete: o.complete,
            };
            out.entry(o.unit.clone())
                .or_insert_with(|| UnitDuties {
                    unit: o.unit,
                    tasks: Vec::new(),
                    reports: Vec::new(),
                })
                .reports
                .push(outcome);
        }
        Ok(out)
    }
}
