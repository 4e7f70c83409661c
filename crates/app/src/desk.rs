//! The officer's desk (bàn làm việc), the unit leader's board (bảng điều hành), and what the
//! dossier page and the printable forms read: a dossier's record with its typed events, the
//! process control sheet, the staff who may be assigned and the units a dossier may go to.
//!
//! Authorization: the desk, the search and the helpers are for staff (officer or leader) and
//! cover their unit's subtree only; the board is for leaders; a record is read by whoever may
//! read the dossier (its staff, its owner); the control sheet by its staff.
//!
//! Queues read the dossier rows by `current_unit IN (…) AND status IN (…)`, with due-date
//! ranges, which the index `dossiers_current_unit(current_unit, status, due_at)` serves. A
//! very large subtree (a province account) is narrowed to the unit and its direct children.

use std::collections::{BTreeMap, BTreeSet};

use cchc_domain::calendar::{LimitUnit, Verdict, WorkingClock};
use cchc_domain::dossier::{Actor, Channel, EventKind, Status};
use cchc_domain::unit::Unit;
use cchc_store::{DeskRow, QueueFilter, QueueOrder};
use jiff::civil::{Date, DateTime};
use serde::Serialize;

use crate::dossiers::DossierView;
use crate::{App, AppError, Principal, Result, Role, civil};

/// Statuses in which the statutory clock counts or is paused.
pub const OPEN_STATUSES: [Status; 4] = [
    Status::Accepted,
    Status::Processing,
    Status::AwaitingSupplement,
    Status::AwaitingPayment,
];

/// Statuses of dossiers not finished yet: waiting for acceptance, open, or decided and
/// waiting to be handed back.
pub const IN_PROGRESS: [Status; 6] = [
    Status::Submitted,
    Status::Accepted,
    Status::Processing,
    Status::AwaitingSupplement,
    Status::AwaitingPayment,
    Status::Decided,
];

/// Which statuses a list of dossiers shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListStatus {
    /// Not finished: [`IN_PROGRESS`].
    InProgress,
    All,
    /// One status by its national code (1-10).
    One(u8),
}

/// Most units a queue's `IN` list holds: beyond this, the unit and its direct children only.
pub const MAX_SCOPE_UNITS: usize = 400;
/// Most rows of one list on the desk or the board.
pub const QUEUE_LIMIT: i64 = 100;

/// How close a dossier is to its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Open and past its due date.
    Overdue,
    /// Due before the end of today.
    DueToday,
    /// Due by the end of the second working day after today.
    AtRisk,
    /// Due later.
    Later,
    /// No due date now (waiting for acceptance, paused, or finished).
    NoDue,
}

impl Urgency {
    pub fn label(self) -> &'static str {
        match self {
            Self::Overdue => "Quá hạn",
            Self::DueToday => "Đến hạn hôm nay",
            Self::AtRisk => "Sắp đến hạn",
            Self::Later => "Trong hạn",
            Self::NoDue => "",
        }
    }
}

/// The instants that split due dates into overdue, today, soon and later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Horizons {
    pub now: DateTime,
    /// 00:00 of tomorrow.
    pub today_end: DateTime,
    /// 24:00 of the second working day after today (the unit's calendar and hours).
    pub at_risk_end: DateTime,
}

impl Horizons {
    /// The urgency of an open dossier due at `due` (ISO civil time, as stored).
    pub fn classify(&self, due: Option<&str>) -> Urgency {
        let Some(due) = due
            .and_then(|d| d.get(..19))
            .and_then(|d| d.parse::<DateTime>().ok())
        else {
            return Urgency::NoDue;
        };
        if due < self.now {
            Urgency::Overdue
        } else if due < self.today_end {
            Urgency::DueToday
        } else if due < self.at_risk_end {
            Urgency::AtRisk
        } else {
            Urgency::Later
        }
    }
}

/// A dossier as a row of a queue.
#[derive(Debug, Clone, Serialize)]
pub struct DeskItem {
    pub code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub status_code: u8,
    pub status_label: &'static str,
    pub channel_label: &'static str,
    pub applicant_name: String,
    pub current_unit: String,
    pub current_unit_name: String,
    pub assignee: Option<String>,
    pub assignee_name: Option<String>,
    /// ISO civil time.
    pub submitted_at: String,
    /// ISO civil time; None while paused, before acceptance, or for old finished rows.
    pub due_at: Option<String>,
    pub urgency: Urgency,
    pub version: i64,
}

/// A list with the number of dossiers it would hold without its cap.
#[derive(Debug, Clone, Serialize)]
pub struct Queue {
    pub total: i64,
    pub items: Vec<DeskItem>,
}

/// Which units a desk covers.
#[derive(Debug, Clone, Serialize)]
pub struct Scope {
    pub unit_id: String,
    pub unit_name: String,
    pub units: Vec<String>,
    /// False when the subtree was too large and only the unit and its children are covered.
    pub whole_subtree: bool,
}

/// Today's work of an officer.
#[derive(Debug, Clone, Serialize)]
pub struct Desk {
    pub scope: Scope,
    /// ISO civil times.
    pub now: String,
    pub today_end: String,
    pub at_risk_end: String,
    /// Online dossiers waiting to be accepted or refused (status 1), oldest first.
    pub awaiting_acceptance: Queue,
    /// Open and past due, earliest first.
    pub overdue: Queue,
    /// Due before the end of today.
    pub due_today: Queue,
    /// Due by the end of the second working day after today.
    pub due_soon: Queue,
    /// Open dossiers assigned to the caller, by due date.
    pub assigned_to_me: Queue,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusCount {
    pub code: u8,
    pub label: &'static str,
    pub count: i64,
}

/// One officer's open dossiers.
#[derive(Debug, Clone, Serialize)]
pub struct OfficerLoad {
    pub account_id: String,
    pub name: String,
    pub title: String,
    pub open: i64,
    pub late: i64,
}

/// The unit leader's board.
#[derive(Debug, Clone, Serialize)]
pub struct Board {
    pub scope: Scope,
    pub now: String,
    pub at_risk_end: String,
    /// Dossiers in progress per status (1, 2, 4, 5, 6), every status listed.
    pub status_counts: Vec<StatusCount>,
    pub in_progress: i64,
    /// Open and past due.
    pub late: Queue,
    /// Due from now to the end of the second working day after today.
    pub at_risk: Queue,
    /// Open dossiers per officer of the units, every officer listed.
    pub load: Vec<OfficerLoad>,
    /// Open dossiers assigned to nobody.
    pub unassigned: i64,
    /// The month: `YYYY-MM-01` (ISO date) and its label `mm/yyyy`.
    pub month_start: String,
    pub month_label: String,
    /// Decided or returned this month.
    pub finished: i64,
    pub finished_on_time: i64,
    pub finished_late: i64,
    /// Refused at intake, withdrawn or stopped this month.
    pub closed_without_result: i64,
}

/// An officer or leader.
#[derive(Debug, Clone, Serialize)]
pub struct StaffMember {
    pub account_id: String,
    pub name: String,
    pub title: String,
    pub role: Role,
    pub unit_id: Option<String>,
    pub unit_name: String,
}

/// A unit to choose.
#[derive(Debug, Clone, Serialize)]
pub struct UnitChoice {
    pub id: String,
    pub name: String,
}

/// One event of a dossier, typed.
#[derive(Debug, Clone, Serialize)]
pub struct RecordEvent {
    pub seq: u32,
    pub at: DateTime,
    pub kind: EventKind,
    pub label: &'static str,
    pub actor: Actor,
    pub unit: String,
    pub unit_name: String,
    pub step_deadline: Option<DateTime>,
    pub hash: String,
}

/// A dossier with everything its page and its forms show.
#[derive(Debug, Clone, Serialize)]
pub struct DossierRecord {
    pub view: DossierView,
    pub procedure_name: String,
    pub receiving_unit_name: String,
    pub competent_unit_name: String,
    pub current_unit_name: String,
    pub assignee_name: Option<String>,
    pub events: Vec<RecordEvent>,
    /// Account id → display name, for the officers events name.
    pub names: BTreeMap<String, String>,
    /// Unit id → full name, for the units events name.
    pub unit_names: BTreeMap<String, String>,
}

/// A row of the process control sheet (phiếu kiểm soát quá trình giải quyết hồ sơ).
#[derive(Debug, Clone, Serialize)]
pub struct ControlStep {
    pub seq: u32,
    pub label: &'static str,
    /// Who handed the dossier over, and their unit.
    pub from_person: String,
    pub from_unit: String,
    /// Who received it (or the applicant, for the result).
    pub to_person: String,
    pub to_unit: String,
    pub at: DateTime,
    /// The dossier's due date when the step was taken.
    pub step_deadline: Option<DateTime>,
    pub verdict: Option<Verdict>,
}

fn bad(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

fn parse_civil(text: &str) -> Option<DateTime> {
    text.get(..19).and_then(|t| t.parse::<DateTime>().ok())
}

fn channel_label(portal_code: i64) -> &'static str {
    match portal_code {
        1 => Channel::Counter.label(),
        2 => Channel::Online.label(),
        3 => Channel::Post.label(),
        _ => "",
    }
}

fn codes(statuses: &[Status]) -> Vec<i64> {
    statuses.iter().map(|s| i64::from(s.code())).collect()
}

fn person(actor: &Actor) -> String {
    if actor.title.trim().is_empty() {
        actor.name.clone()
    } else {
        format!("{} ({})", actor.name, actor.title)
    }
}

impl App {
    /// The unit of a staff account, or why there is none.
    fn staff_unit(&self, who: &Principal) -> Result<Unit> {
        if !matches!(who.role, Role::Officer | Role::Leader) {
            return Err(AppError::Forbidden(
                "chỉ cán bộ, công chức của đơn vị dùng chức năng này".into(),
            ));
        }
        let id = who
            .unit_id
            .as_deref()
            .ok_or_else(|| AppError::Forbidden("tài khoản không thuộc đơn vị nào".into()))?;
        self.units()?
            .get(id)
            .cloned()
            .ok_or_else(|| AppError::NotFound(format!("đơn vị {id}")))
    }

    /// The units a staff account's queues cover: its subtree, or, when that is larger than
    /// [`MAX_SCOPE_UNITS`], the unit and its direct children.
    pub fn desk_scope(&self, who: &Principal) -> Result<Scope> {
        let unit = self.staff_unit(who)?;
        let tree = self.units()?;
        let id = unit.id.as_str();
        let mut units: Vec<String> = tree
            .subtree(id)
            .take(MAX_SCOPE_UNITS + 1)
            .map(|u| u.id.as_str().to_owned())
            .collect();
        let whole_subtree = units.len() <= MAX_SCOPE_UNITS;
        if !whole_subtree {
            units = std::iter::once(id.to_owned())
                .chain(tree.children(id).map(|u| u.id.as_str().to_owned()))
                .take(MAX_SCOPE_UNITS)
                .collect();
        }
        Ok(Scope {
            unit_id: id.to_owned(),
            unit_name: unit.full_name.clone(),
            units,
            whole_subtree,
        })
    }

    /// Where today ends and where "at risk" ends for a unit at `now`: 24:00 of the second
    /// working day after today, on the unit's calendar and working hours (a day counts as
    /// working when it has working time).
    pub fn horizons(&self, unit: &Unit, now: DateTime) -> Result<Horizons> {
        let clock = self.clock_for(unit)?;
        let today = now.date();
        let tomorrow = today.tomorrow().map_err(bad)?;
        let mut day = tomorrow;
        let mut found = 0;
        // Tết and a weekend give at most about ten days off in a row; 60 is far beyond.
        for _ in 0..60 {
            let next = day.tomorrow().map_err(bad)?;
            if is_working_day(&clock, day, next)? {
                found += 1;
                if found == 2 {
                    return Ok(Horizons {
                        now,
                        today_end: tomorrow.at(0, 0, 0, 0),
                        at_risk_end: next.at(0, 0, 0, 0),
                    });
                }
            }
            day = next;
        }
        Err(AppError::Internal(format!(
            "không tìm thấy ngày làm việc sau {today}"
        )))
    }

    async fn items(&self, rows: Vec<DeskRow>, h: &Horizons) -> Result<Vec<DeskItem>> {
        let procedures: BTreeSet<String> = rows.iter().map(|r| r.procedure_code.clone()).collect();
        let procedures: BTreeMap<String, String> = self
            .store
            .procedure_names(&procedures.into_iter().collect::<Vec<_>>())
            .await?
            .into_iter()
            .collect();
        let people: BTreeSet<String> = rows.iter().filter_map(|r| r.assignee.clone()).collect();
        let people: BTreeMap<String, String> = self
            .store
            .account_names(&people.into_iter().collect::<Vec<_>>())
            .await?
            .into_iter()
            .collect();
        let tree = self.units()?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let status = u8::try_from(r.status).ok().and_then(Status::from_code);
                let open = status.is_some_and(Status::is_open);
                DeskItem {
                    procedure_name: procedures
                        .get(&r.procedure_code)
                        .cloned()
                        .unwrap_or_default(),
                    status_code: status.map_or(0, Status::code),
                    status_label: status.map_or("", Status::label),
                    channel_label: channel_label(r.channel),
                    current_unit_name: tree
                        .get(&r.current_unit)
                        .map_or_else(|| r.current_unit.clone(), |u| u.full_name.clone()),
                    assignee_name: r.assignee.as_ref().and_then(|a| people.get(a).cloned()),
                    urgency: if open {
                        h.classify(r.due_at.as_deref())
                    } else {
                        Urgency::NoDue
                    },
                    code: r.code,
                    procedure_code: r.procedure_code,
                    applicant_name: r.applicant_name,
                    current_unit: r.current_unit,
                    assignee: r.assignee,
                    submitted_at: r.submitted_at,
                    due_at: r.due_at,
                    version: r.version,
                }
            })
            .collect())
    }

    async fn queue(&self, f: &QueueFilter, order: QueueOrder, h: &Horizons) -> Result<Queue> {
        let rows = self.store.desk_queue(f, order, QUEUE_LIMIT, 0).await?;
        let total = if (rows.len() as i64) < QUEUE_LIMIT {
            rows.len() as i64
        } else {
            self.store.desk_count(f).await?
        };
        Ok(Queue {
            total,
            items: self.items(rows, h).await?,
        })
    }

    /// The desk: dossiers waiting for acceptance, overdue, due today, due within two working
    /// days, and those assigned to the caller; each list by due time, capped.
    pub async fn desk(&self, who: &Principal) -> Result<Desk> {
        let scope = self.desk_scope(who)?;
        let unit = self.staff_unit(who)?;
        let h = self.horizons(&unit, self.now())?;
        let open = codes(&OPEN_STATUSES);
        let base = QueueFilter {
            units: scope.units.clone(),
            statuses: open.clone(),
            ..QueueFilter::default()
        };
        let awaiting = QueueFilter {
            statuses: vec![i64::from(Status::Submitted.code())],
            ..base.clone()
        };
        let overdue = QueueFilter {
            due_before: Some(civil(h.now)),
            ..base.clone()
        };
        let today = QueueFilter {
            due_from: Some(civil(h.now)),
            due_before: Some(civil(h.today_end)),
            ..base.clone()
        };
        let soon = QueueFilter {
            due_from: Some(civil(h.today_end)),
            due_before: Some(civil(h.at_risk_end)),
            ..base.clone()
        };
        let mine = QueueFilter {
            assignee: Some(who.account_id.clone()),
            ..base.clone()
        };
        Ok(Desk {
            awaiting_acceptance: self.queue(&awaiting, QueueOrder::Submitted, &h).await?,
            overdue: self.queue(&overdue, QueueOrder::Due, &h).await?,
            due_today: self.queue(&today, QueueOrder::Due, &h).await?,
            due_soon: self.queue(&soon, QueueOrder::Due, &h).await?,
            assigned_to_me: self.queue(&mine, QueueOrder::Due, &h).await?,
            now: civil(h.now),
            today_end: civil(h.today_end),
            at_risk_end: civil(h.at_risk_end),
            scope,
        })
    }

    /// The dossiers of the caller's units, newest first, by status and by code prefix or
    /// applicant name. Returns the total and one page. A search by text also finds the
    /// dossiers received there and sent on; a plain list reads the dossiers held there
    /// (by the unit-status index; in progress by default).
    pub async fn search_desk(
        &self,
        who: &Principal,
        status: ListStatus,
        text: &str,
        page: i64,
        per_page: i64,
    ) -> Result<(i64, Vec<DeskItem>)> {
        let scope = self.desk_scope(who)?;
        let unit = self.staff_unit(who)?;
        let h = self.horizons(&unit, self.now())?;
        let statuses = match status {
            ListStatus::One(code) => vec![Status::from_code(code).ok_or_else(|| {
                AppError::Invalid(format!("trạng thái {code} không hợp lệ (1-10)"))
            })?],
            ListStatus::InProgress => IN_PROGRESS.to_vec(),
            ListStatus::All => Status::ALL.to_vec(),
        };
        let text = text.trim();
        if text.chars().count() > 100 {
            return Err(AppError::Invalid("từ khóa dài quá 100 ký tự".into()));
        }
        let f = QueueFilter {
            units: scope.units,
            statuses: codes(&statuses),
            text: (!text.is_empty()).then(|| text.to_owned()),
            or_received: !text.is_empty(),
            ..QueueFilter::default()
        };
        let per_page = per_page.clamp(1, 100);
        let offset = (page.max(1) - 1).saturating_mul(per_page);
        let rows = self
            .store
            .desk_queue(&f, QueueOrder::Newest, per_page, offset)
            .await?;
        let total = self.store.desk_count(&f).await?;
        Ok((total, self.items(rows, &h).await?))
    }

    /// The leader's board for their units: counts by status, late and at-risk dossiers,
    /// officers' load, and this month's finished dossiers on time and late.
    pub async fn board(&self, who: &Principal) -> Result<Board> {
        if who.role != Role::Leader {
            return Err(AppError::Forbidden(
                "bảng điều hành chỉ dành cho lãnh đạo đơn vị".into(),
            ));
        }
        let scope = self.desk_scope(who)?;
        let unit = self.staff_unit(who)?;
        let h = self.horizons(&unit, self.now())?;
        let open = codes(&OPEN_STATUSES);
        let shown = [
            Status::Submitted,
            Status::Accepted,
            Status::Processing,
            Status::AwaitingSupplement,
            Status::AwaitingPayment,
        ];
        let counts: BTreeMap<i64, i64> = self
            .store
            .status_counts(&scope.units, &codes(&shown))
            .await?
            .into_iter()
            .collect();
        let status_counts: Vec<StatusCount> = shown
            .iter()
            .map(|s| StatusCount {
                code: s.code(),
                label: s.label(),
                count: counts.get(&i64::from(s.code())).copied().unwrap_or(0),
            })
            .collect();
        let base = QueueFilter {
            units: scope.units.clone(),
            statuses: open.clone(),
            ..QueueFilter::default()
        };
        let late = QueueFilter {
            due_before: Some(civil(h.now)),
            ..base.clone()
        };
        let at_risk = QueueFilter {
            due_from: Some(civil(h.now)),
            due_before: Some(civil(h.at_risk_end)),
            ..base.clone()
        };
        let loads = self
            .store
            .assignee_load(&scope.units, &open, &civil(h.now))
            .await?;
        let staff = self.store.staff_of_units(&scope.units).await?;
        let mut load: Vec<OfficerLoad> = staff
            .iter()
            .map(|s| {
                let l = loads.iter().find(|l| l.assignee == s.id);
                OfficerLoad {
                    account_id: s.id.clone(),
                    name: s.display_name.clone(),
                    title: s.title.clone(),
                    open: l.map_or(0, |l| l.open),
                    late: l.map_or(0, |l| l.late),
                }
            })
            .collect();
        // Officers of other units still holding dossiers here (assigned before a transfer).
        let others: Vec<String> = loads
            .iter()
            .filter(|l| !staff.iter().any(|s| s.id == l.assignee))
            .map(|l| l.assignee.clone())
            .collect();
        let other_names: BTreeMap<String, String> = self
            .store
            .account_names(&others)
            .await?
            .into_iter()
            .collect();
        for l in loads.iter().filter(|l| others.contains(&l.assignee)) {
            load.push(OfficerLoad {
                account_id: l.assignee.clone(),
                name: other_names
                    .get(&l.assignee)
                    .cloned()
                    .unwrap_or_else(|| l.assignee.clone()),
                title: String::new(),
                open: l.open,
                late: l.late,
            });
        }
        load.sort_by(|a, b| b.open.cmp(&a.open).then_with(|| a.name.cmp(&b.name)));
        let open_total: i64 = status_counts
            .iter()
            .filter(|c| Status::from_code(c.code).is_some_and(Status::is_open))
            .map(|c| c.count)
            .sum();
        let assigned: i64 = loads.iter().map(|l| l.open).sum();
        let today = h.now.date();
        let month_start = today.first_of_month();
        let next_month = month_start
            .checked_add(jiff::Span::new().months(1))
            .map_err(bad)?;
        let finished = self
            .store
            .finished_in_units(
                &scope.units,
                &civil(month_start.at(0, 0, 0, 0)),
                &civil(next_month.at(0, 0, 0, 0)),
            )
            .await?;
        let decided = [Status::Decided.code(), Status::Returned.code()].map(i64::from);
        let (mut done, mut done_late, mut closed) = (0, 0, 0);
        for f in &finished {
            if decided.contains(&f.status) {
                done += f.finished;
                done_late += f.late;
            } else {
                closed += f.finished;
            }
        }
        Ok(Board {
            in_progress: status_counts.iter().map(|c| c.count).sum(),
            status_counts,
            late: self.queue(&late, QueueOrder::Due, &h).await?,
            at_risk: self.queue(&at_risk, QueueOrder::Due, &h).await?,
            load,
            unassigned: (open_total - assigned).max(0),
            month_start: month_start.to_string(),
            month_label: format!("{:02}/{:04}", month_start.month(), month_start.year()),
            finished: done,
            finished_on_time: done - done_late,
            finished_late: done_late,
            closed_without_result: closed,
            now: civil(h.now),
            at_risk_end: civil(h.at_risk_end),
            scope,
        })
    }

    /// Officers and leaders of the caller's units (for lists), by name.
    pub async fn unit_staff(&self, who: &Principal) -> Result<Vec<StaffMember>> {
        let scope = self.desk_scope(who)?;
        self.staff_members(&scope.units).await
    }

    async fn staff_members(&self, units: &[String]) -> Result<Vec<StaffMember>> {
        let tree = self.units()?;
        let rows = self.store.staff_of_units(units).await?;
        rows.into_iter()
            .map(|r| {
                Ok(StaffMember {
                    unit_name: r
                        .unit_id
                        .as_deref()
                        .and_then(|u| tree.get(u))
                        .map(|u| u.full_name.clone())
                        .unwrap_or_default(),
                    role: Role::parse(&r.role)?,
                    account_id: r.id,
                    name: r.display_name,
                    title: r.title,
                    unit_id: r.unit_id,
                })
            })
            .collect()
    }

    /// Who may be assigned a dossier: staff of the unit holding it, of its subunits, and of
    /// the units above it (as `act` accepts). For the dossier's staff only.
    pub async fn assignable_staff(&self, who: &Principal, code: &str) -> Result<Vec<StaffMember>> {
        self.staff_unit(who)?;
        let view = self.dossier(who, code).await?;
        let tree = self.units()?;
        let current = view.dossier.current_unit.as_str();
        let units: Vec<String> = tree
            .subtree(current)
            .take(MAX_SCOPE_UNITS)
            .chain(tree.ancestors(current))
            .map(|u| u.id.as_str().to_owned())
            .collect();
        self.staff_members(&units).await
    }

    /// Units a dossier may be forwarded to: the active units of the caller's province (the root
    /// of their unit), other than the one holding it.
    pub fn forward_targets(&self, who: &Principal, current_unit: &str) -> Result<Vec<UnitChoice>> {
        let unit = self.staff_unit(who)?;
        let tree = self.units()?;
        let root = tree
            .ancestors(unit.id.as_str())
            .last()
            .map_or_else(|| unit.id.as_str().to_owned(), |u| u.id.as_str().to_owned());
        let today = self.now().date();
        Ok(tree
            .subtree(&root)
            .filter(|u| u.is_active_on(today) && u.id.as_str() != current_unit)
            .take(3000)
            .map(|u| UnitChoice {
                id: u.id.as_str().to_owned(),
                name: u.full_name.clone(),
            })
            .collect())
    }

    /// A dossier with its typed events, for whoever may read it (its staff, its owner).
    pub async fn dossier_record(&self, who: &Principal, code: &str) -> Result<DossierRecord> {
        let view = self.dossier(who, code).await?;
        let events = self.store.events(code).await?;
        let tree = self.units()?;
        let unit_name = |id: &str| {
            tree.get(id)
                .map_or_else(|| id.to_owned(), |u| u.full_name.clone())
        };
        let mut people: BTreeSet<String> = view.dossier.assignee.iter().cloned().collect();
        let mut units: BTreeSet<String> = [
            view.dossier.receiving_unit.clone(),
            view.dossier.competent_unit.clone(),
            view.dossier.current_unit.clone(),
        ]
        .into_iter()
        .collect();
        for e in &events {
            units.insert(e.body.unit.clone());
            match &e.body.kind {
                EventKind::Assigned { officer } => {
                    people.insert(officer.clone());
                }
                EventKind::Forwarded { to_unit, .. } => {
                    units.insert(to_unit.clone());
                }
                _ => {}
            }
        }
        let names: BTreeMap<String, String> = self
            .store
            .account_names(&people.into_iter().collect::<Vec<_>>())
            .await?
            .into_iter()
            .collect();
        let unit_names: BTreeMap<String, String> = units
            .into_iter()
            .map(|u| {
                let name = unit_name(&u);
                (u, name)
            })
            .collect();
        let procedure_name = self
            .store
            .procedure_names(std::slice::from_ref(&view.dossier.procedure_code))
            .await?
            .into_iter()
            .next()
            .map(|(_, n)| n)
            .unwrap_or_default();
        let d = &view.dossier;
        Ok(DossierRecord {
            procedure_name,
            receiving_unit_name: unit_name(&d.receiving_unit),
            competent_unit_name: unit_name(&d.competent_unit),
            current_unit_name: unit_name(&d.current_unit),
            assignee_name: d
                .assignee
                .as_ref()
                .map(|a| names.get(a).cloned().unwrap_or_else(|| a.clone())),
            events: events
                .into_iter()
                .map(|e| RecordEvent {
                    seq: e.body.seq,
                    at: e.body.at,
                    label: e.body.kind.label(),
                    unit_name: unit_name(&e.body.unit),
                    kind: e.body.kind,
                    actor: e.body.actor,
                    unit: e.body.unit,
                    step_deadline: e.body.step_deadline,
                    hash: e.hash,
                })
                .collect(),
            names,
            unit_names,
            view,
        })
    }

    /// The process control sheet: each hand-over with its time, the dossier's due date then,
    /// and whether the step was taken by it. For the dossier's staff (and administrators).
    pub async fn control_sheet(
        &self,
        who: &Principal,
        code: &str,
    ) -> Result<(DossierRecord, Vec<ControlStep>)> {
        if who.role == Role::Citizen {
            return Err(AppError::NotFound(format!(
                "phiếu kiểm soát của hồ sơ {code}"
            )));
        }
        let record = self.dossier_record(who, code).await?;
        let mut steps = Vec::new();
        let mut holder: Option<(String, String)> = None;
        for e in &record.events {
            let actor = (person(&e.actor), e.unit_name.clone());
            let from = holder.clone().unwrap_or_else(|| {
                (
                    format!("Chủ hồ sơ: {}", record.view.dossier.applicant.name),
                    String::new(),
                )
            });
            let to = match &e.kind {
                EventKind::Assigned { officer } => (
                    record
                        .names
                        .get(officer)
                        .cloned()
                        .unwrap_or_else(|| officer.clone()),
                    e.unit_name.clone(),
                ),
                EventKind::Forwarded { to_unit, .. } => (
                    String::new(),
                    record
                        .unit_names
                        .get(to_unit)
                        .cloned()
                        .unwrap_or_else(|| to_unit.clone()),
                ),
                EventKind::Returned { .. }
                | EventKind::RefusedAtIntake { .. }
                | EventKind::SupplementRequested { .. }
                | EventKind::PaymentRequested { .. } => (
                    format!("Chủ hồ sơ: {}", record.view.dossier.applicant.name),
                    String::new(),
                ),
                _ => actor.clone(),
            };
            // A request to the applicant is handed by the officer who made it.
            let from = match &e.kind {
                EventKind::Submitted { .. }
                | EventKind::Received { .. }
                | EventKind::SupplementReceived { .. }
                | EventKind::Paid { .. } => from,
                _ => actor.clone(),
            };
            steps.push(ControlStep {
                seq: e.seq,
                label: e.label,
                from_person: from.0,
                from_unit: from.1,
                to_person: to.0.clone(),
                to_unit: to.1.clone(),
                at: e.at,
                step_deadline: e.step_deadline,
                verdict: e.step_deadline.map(|d| step_verdict(e.at, d)),
            });
            holder = Some(match &e.kind {
                EventKind::Forwarded { .. }
                | EventKind::Returned { .. }
                | EventKind::RefusedAtIntake { .. }
                | EventKind::SupplementRequested { .. }
                | EventKind::PaymentRequested { .. } => to,
                _ => actor,
            });
        }
        Ok((record, steps))
    }
}

/// Whether a day has working time on a clock.
fn is_working_day(clock: &WorkingClock, day: Date, next: Date) -> Result<bool> {
    Ok(clock
        .counted_between(
            day.at(0, 0, 0, 0),
            next.at(0, 0, 0, 0),
            LimitUnit::WorkingHours,
        )
        .map_err(bad)?
        > 0)
}

/// Before the due day, on it by the due instant, or after.
fn step_verdict(at: DateTime, deadline: DateTime) -> Verdict {
    if at > deadline {
        Verdict::Late
    } else if at.date() < WorkingClock::due_day(deadline) {
        Verdict::Early
    } else {
        Verdict::OnTime
    }
}

/// Parses a stored civil time (for callers formatting rows).
pub fn stored_time(text: &str) -> Option<DateTime> {
    parse_civil(text)
}
