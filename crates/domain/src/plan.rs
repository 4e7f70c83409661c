//! Reform plans and their tasks (kế hoạch, nhiệm vụ), and the periodic reporting duty (chế độ
//! báo cáo): the rules that judge them.
//!
//! A plan (e.g. Quyết định 617/QĐ-UBND) groups tasks by the seven reform areas ([`Area`]). A
//! task has a lead unit (đơn vị chủ trì), co-operating units (phối hợp), an expected output
//! (sản phẩm), a deadline ([`Deadline`]: a date, or N working days from a start date on the
//! working calendar) and a status ([`TaskStatus`]) with the day it was done. A unit owes
//! periodic reports ([`ReportCycle`]) with a due date; the reform office reviews each
//! submission as complete or incomplete.
//!
//! Verdicts at a date: [`task_state`] (done on time, done late, open, overdue, cancelled) and
//! [`report_state`] (on time, late, incomplete, missing, not yet due).
//!
//! The shipped plans of the seeds are `data/plans/kontum.toml` ([`KONTUM`]), read by
//! [`parse_plan_file`].

use std::collections::BTreeSet;
use std::fmt;

use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};

use crate::calendar::{TimeLimit, WorkingClock};

/// The seeds' plans with their task groups and tasks, shipped in the repository.
pub const KONTUM: &str = include_str!("../../../data/plans/kontum.toml");
/// Name of the shipped plans file, for error messages.
pub const KONTUM_FILE: &str = "plans/kontum.toml";

/// Longest title, output or progress text accepted (characters).
pub const MAX_TEXT: usize = 2_000;
/// Most working days a deadline may count.
pub const MAX_WORKING_DAYS: u32 = 1_000;

/// Why plan data was refused. Messages are Vietnamese: they reach users through the app.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("{0} không được để trống")]
    Empty(&'static str),
    #[error("{0} dài quá {MAX_TEXT} ký tự")]
    TooLong(&'static str),
    #[error("ngày '{0}' không hợp lệ (cần dạng dd/mm/yyyy hoặc yyyy-mm-dd)")]
    BadDate(String),
    #[error("ngày {0} nằm ngoài khoảng năm 2000 đến năm 2100")]
    DateOutOfRange(String),
    #[error("kỳ kế hoạch '{0}' không hợp lệ (ví dụ 2024 hoặc 2023-2030)")]
    BadPeriod(String),
    #[error("hạn hoàn thành {deadline} trước ngày ban hành kế hoạch {plan_date}")]
    DeadlineBeforePlan { deadline: String, plan_date: String },
    #[error("số ngày làm việc phải từ 1 đến {MAX_WORKING_DAYS}")]
    BadWorkingDays,
    #[error("không tính được hạn theo ngày làm việc: {0}")]
    Calendar(String),
    #[error("lĩnh vực '{0}' không hợp lệ")]
    BadArea(String),
    #[error("trạng thái '{0}' không hợp lệ")]
    BadStatus(String),
    #[error("loại báo cáo '{0}' không hợp lệ (quý, 6 tháng, năm)")]
    BadCycle(String),
    #[error("tỷ lệ hoàn thành phải từ 0 đến 100%")]
    BadPercent,
    #[error("ngày hoàn thành cần có khi nhiệm vụ hoàn thành")]
    DoneDateMissing,
    #[error("ngày hoàn thành {0} sau ngày hôm nay")]
    DoneInFuture(String),
    #[error("ngày hoàn thành {done} trước ngày ban hành kế hoạch {plan_date}")]
    DoneBeforePlan { done: String, plan_date: String },
    #[error("{file}: TOML không hợp lệ: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: kế hoạch {plan}: {message}")]
    InFile {
        file: String,
        plan: String,
        message: String,
    },
}

/// The seven reform areas (nhóm nhiệm vụ) of a yearly plan, in the plans' order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Area {
    /// Công tác chỉ đạo, điều hành và tuyên truyền CCHC.
    Direction,
    /// Cải cách thể chế.
    Institutions,
    /// Cải cách thủ tục hành chính.
    Procedures,
    /// Cải cách tổ chức bộ máy hành chính nhà nước.
    Apparatus,
    /// Cải cách chế độ công vụ.
    CivilService,
    /// Cải cách tài chính công.
    PublicFinance,
    /// Xây dựng và phát triển chính quyền điện tử, chính quyền số.
    DigitalGovernment,
}

impl Area {
    pub const ALL: [Area; 7] = [
        Area::Direction,
        Area::Institutions,
        Area::Procedures,
        Area::Apparatus,
        Area::CivilService,
        Area::PublicFinance,
        Area::DigitalGovernment,
    ];

    /// The machine name used in files, forms and the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::Direction => "chi-dao",
            Self::Institutions => "the-che",
            Self::Procedures => "tthc",
            Self::Apparatus => "bo-may",
            Self::CivilService => "cong-vu",
            Self::PublicFinance => "tai-chinh-cong",
            Self::DigitalGovernment => "chinh-quyen-so",
        }
    }

    pub fn parse(code: &str) -> Result<Self, PlanError> {
        Self::ALL
            .into_iter()
            .find(|a| a.code() == code.trim())
            .ok_or_else(|| PlanError::BadArea(code.to_owned()))
    }

    /// 1 to 7, as the plans number them.
    pub fn number(self) -> usize {
        Self::ALL.iter().position(|a| *a == self).unwrap_or(0) + 1
    }

    /// The area as users read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Direction => "Công tác chỉ đạo, điều hành và tuyên truyền cải cách hành chính",
            Self::Institutions => "Cải cách thể chế",
            Self::Procedures => "Cải cách thủ tục hành chính",
            Self::Apparatus => "Cải cách tổ chức bộ máy hành chính nhà nước",
            Self::CivilService => "Cải cách chế độ công vụ",
            Self::PublicFinance => "Cải cách tài chính công",
            Self::DigitalGovernment => "Xây dựng và phát triển chính quyền điện tử, chính quyền số",
        }
    }
}

/// What the lead unit says about a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskStatus {
    /// Chưa thực hiện.
    NotStarted,
    /// Đang thực hiện.
    InProgress,
    /// Hoàn thành (with the day it was done).
    Done,
    /// Hủy.
    Cancelled,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 4] = [
        TaskStatus::NotStarted,
        TaskStatus::InProgress,
        TaskStatus::Done,
        TaskStatus::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::NotStarted => "chua-thuc-hien",
            Self::InProgress => "dang-thuc-hien",
            Self::Done => "hoan-thanh",
            Self::Cancelled => "huy",
        }
    }

    pub fn parse(code: &str) -> Result<Self, PlanError> {
        Self::ALL
            .into_iter()
            .find(|s| s.code() == code.trim())
            .ok_or_else(|| PlanError::BadStatus(code.to_owned()))
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "Chưa thực hiện",
            Self::InProgress => "Đang thực hiện",
            Self::Done => "Hoàn thành",
            Self::Cancelled => "Hủy",
        }
    }

    /// Still to be done (neither done nor cancelled).
    pub fn is_open(self) -> bool {
        matches!(self, Self::NotStarted | Self::InProgress)
    }
}

/// How a task stands at a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaskState {
    /// Done on or before its deadline.
    DoneOnTime,
    /// Done after its deadline.
    DoneLate,
    /// Not done, deadline not passed.
    Open,
    /// Not done, deadline passed.
    Overdue,
    Cancelled,
}

impl TaskState {
    pub const ALL: [TaskState; 5] = [
        TaskState::DoneOnTime,
        TaskState::DoneLate,
        TaskState::Open,
        TaskState::Overdue,
        TaskState::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::DoneOnTime => "dung-han",
            Self::DoneLate => "tre-han",
            Self::Open => "trong-han",
            Self::Overdue => "qua-han",
            Self::Cancelled => "huy",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::DoneOnTime => "Hoàn thành đúng hạn",
            Self::DoneLate => "Hoàn thành trễ hạn",
            Self::Open => "Đang trong hạn",
            Self::Overdue => "Quá hạn",
            Self::Cancelled => "Đã hủy",
        }
    }

    /// A CSS class: ok, late, warn or muted.
    pub fn class(self) -> &'static str {
        match self {
            Self::DoneOnTime => "ok",
            Self::DoneLate => "warn",
            Self::Open | Self::Cancelled => "muted",
            Self::Overdue => "late",
        }
    }
}

/// How a periodic report stands at a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReportState {
    /// Submitted by its due date (and not found incomplete).
    OnTime,
    /// Submitted after its due date (and not found incomplete).
    Late,
    /// Submitted, but the reform office found it incomplete.
    Incomplete,
    /// Due date passed, nothing submitted.
    Missing,
    /// Not submitted, not due yet.
    NotDue,
}

impl ReportState {
    pub fn code(self) -> &'static str {
        match self {
            Self::OnTime => "dung-han",
            Self::Late => "tre-han",
            Self::Incomplete => "chua-day-du",
            Self::Missing => "chua-nop",
            Self::NotDue => "chua-den-han",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::OnTime => "Nộp đúng hạn",
            Self::Late => "Nộp trễ hạn",
            Self::Incomplete => "Chưa đầy đủ",
            Self::Missing => "Quá hạn chưa nộp",
            Self::NotDue => "Chưa đến hạn",
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            Self::OnTime => "ok",
            Self::Late | Self::Incomplete => "warn",
            Self::Missing => "late",
            Self::NotDue => "muted",
        }
    }

    /// Needs the unit's action: nothing sent after the due date, or sent incomplete.
    pub fn needs_action(self) -> bool {
        matches!(self, Self::Missing | Self::Incomplete)
    }
}

/// How often a report is owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportCycle {
    /// Báo cáo quý (quarters I and III; the 6-month and yearly reports cover II and IV).
    Quarterly,
    /// Báo cáo 6 tháng.
    HalfYear,
    /// Báo cáo năm.
    Yearly,
}

impl ReportCycle {
    pub const ALL: [ReportCycle; 3] = [
        ReportCycle::Quarterly,
        ReportCycle::HalfYear,
        ReportCycle::Yearly,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Quarterly => "quy",
            Self::HalfYear => "6-thang",
            Self::Yearly => "nam",
        }
    }

    pub fn parse(code: &str) -> Result<Self, PlanError> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == code.trim())
            .ok_or_else(|| PlanError::BadCycle(code.to_owned()))
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Quarterly => "Báo cáo quý",
            Self::HalfYear => "Báo cáo 6 tháng",
            Self::Yearly => "Báo cáo năm",
        }
    }
}

/// One report a unit owes in a year: its key (`2025-Q1`, `2025-H1`, `2025-Q3`, `2025`), label
/// and default due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportPeriod {
    pub cycle: ReportCycle,
    pub key: String,
    pub label: String,
    pub due: Date,
}

/// The reports of a year under the usual reform-reporting rhythm: quarter I, six months,
/// quarter III and the year, each due on the 20th of the period's last month (the figures are
/// closed on the 14th). The due day is only the default: each obligation stores its own.
pub fn report_periods(year: i16) -> Result<Vec<ReportPeriod>, PlanError> {
    let d = |m: i8| Date::new(year, m, 20).map_err(|e| PlanError::BadDate(e.to_string()));
    Ok(vec![
        ReportPeriod {
            cycle: ReportCycle::Quarterly,
            key: format!("{year}-Q1"),
            label: format!("Báo cáo CCHC quý I năm {year}"),
            due: d(3)?,
        },
        ReportPeriod {
            cycle: ReportCycle::HalfYear,
            key: format!("{year}-H1"),
            label: format!("Báo cáo CCHC 6 tháng đầu năm {year}"),
            due: d(6)?,
        },
        ReportPeriod {
            cycle: ReportCycle::Quarterly,
            key: format!("{year}-Q3"),
            label: format!("Báo cáo CCHC quý III năm {year}"),
            due: d(9)?,
        },
        ReportPeriod {
            cycle: ReportCycle::Yearly,
            key: format!("{year}"),
            label: format!("Báo cáo CCHC năm {year}"),
            due: d(12)?,
        },
    ])
}

/// A task's deadline as the plan sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Deadline {
    /// A fixed date.
    On(Date),
    /// N working days counted from the day after `from` (the first day of a period counted in
    /// days is not counted, Bộ luật Dân sự 2015 art. 147), on the working calendar.
    WorkingDays { from: Date, days: u32 },
}

impl Deadline {
    /// The last day of the deadline: the date itself, or the day N working days run out.
    pub fn resolve(&self, clock: &WorkingClock) -> Result<Date, PlanError> {
        match *self {
            Self::On(d) => Ok(d),
            Self::WorkingDays { from, days } => {
                if days == 0 || days > MAX_WORKING_DAYS {
                    return Err(PlanError::BadWorkingDays);
                }
                let start = from
                    .tomorrow()
                    .map_err(|e| PlanError::Calendar(e.to_string()))?
                    .to_datetime(Time::midnight());
                let due = clock
                    .add(start, TimeLimit::working_days(days))
                    .map_err(|e| PlanError::Calendar(e.to_string()))?;
                Ok(WorkingClock::due_day(due))
            }
        }
    }

    /// How the deadline was set, for people: "30 ngày làm việc kể từ 10/01/2025".
    pub fn describe(&self) -> String {
        match *self {
            Self::On(d) => crate::calendar::fmt_date(d),
            Self::WorkingDays { from, days } => format!(
                "{days} ngày làm việc kể từ {}",
                crate::calendar::fmt_date(from)
            ),
        }
    }
}

impl fmt::Display for Deadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// A task at a date. A task done after `at` was not done yet at `at`.
pub fn task_state(
    deadline: Date,
    status: TaskStatus,
    done_on: Option<Date>,
    at: Date,
) -> TaskState {
    match status {
        TaskStatus::Cancelled => TaskState::Cancelled,
        TaskStatus::Done if done_on.is_some_and(|d| d <= at) => {
            if done_on.is_some_and(|d| d <= deadline) {
                TaskState::DoneOnTime
            } else {
                TaskState::DoneLate
            }
        }
        _ if at > deadline => TaskState::Overdue,
        _ => TaskState::Open,
    }
}

/// A report at a date: the latest submission counts (`submitted_on`), with the reform
/// office's review (`complete`: None while not reviewed). A submission after `at` does not
/// count yet.
pub fn report_state(
    due: Date,
    submitted_on: Option<Date>,
    complete: Option<bool>,
    at: Date,
) -> ReportState {
    match submitted_on.filter(|d| *d <= at) {
        Some(_) if complete == Some(false) => ReportState::Incomplete,
        Some(d) if d > due => ReportState::Late,
        Some(_) => ReportState::OnTime,
        None if at > due => ReportState::Missing,
        None => ReportState::NotDue,
    }
}

/// A date typed by a person: `dd/mm/yyyy` or ISO `yyyy-mm-dd`, in the years plans cover
/// (2000-2100, as their periods).
pub fn parse_date(text: &str) -> Result<Date, PlanError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(PlanError::BadDate(String::new()));
    }
    let parsed = t.parse::<Date>().ok().or_else(|| {
        let parts: Vec<&str> = t.split('/').collect();
        if let [d, m, y] = parts.as_slice()
            && let (Ok(d), Ok(m), Ok(y)) = (d.parse::<i8>(), m.parse::<i8>(), y.parse::<i16>())
        {
            Date::new(y, m, d).ok()
        } else {
            None
        }
    });
    match parsed {
        Some(d) if (2000..=2100).contains(&d.year()) => Ok(d),
        Some(d) => Err(PlanError::DateOutOfRange(crate::calendar::fmt_date(d))),
        None => Err(PlanError::BadDate(t.to_owned())),
    }
}

/// A plan's period: "2024" or "2023-2030", as (first year, last year).
pub fn parse_period(text: &str) -> Result<(i16, i16), PlanError> {
    let t = text.trim();
    let bad = || PlanError::BadPeriod(t.to_owned());
    let year = |s: &str| -> Result<i16, PlanError> {
        s.trim()
            .parse::<i16>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(bad)
    };
    match t.split_once('-') {
        None => {
            let y = year(t)?;
            Ok((y, y))
        }
        Some((a, b)) => {
            let (a, b) = (year(a)?, year(b)?);
            if a > b { Err(bad()) } else { Ok((a, b)) }
        }
    }
}

fn required(field: &'static str, text: &str) -> Result<String, PlanError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(PlanError::Empty(field));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(PlanError::TooLong(field));
    }
    Ok(t.to_owned())
}

fn optional(field: &'static str, text: &str) -> Result<String, PlanError> {
    let t = text.trim();
    if t.chars().count() > MAX_TEXT {
        return Err(PlanError::TooLong(field));
    }
    Ok(t.to_owned())
}

/// A plan's header, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanHeader {
    /// Số hiệu, e.g. `617/QĐ-UBND`; empty when the document gives none (then `note` says why).
    pub number: String,
    /// Ngày ban hành; None when the document gives none.
    pub date: Option<Date>,
    /// Cơ quan ban hành.
    pub issuer: String,
    /// "2024" or "2023-2030".
    pub period: String,
    pub first_year: i16,
    pub last_year: i16,
    /// Trích yếu.
    pub title: String,
    pub note: String,
}

impl PlanHeader {
    /// Checks a plan typed by an administrator: number, date, issuer, period and title are
    /// all required.
    pub fn new(
        number: &str,
        date: &str,
        issuer: &str,
        period: &str,
        title: &str,
    ) -> Result<Self, PlanError> {
        let number = required("số hiệu", number)?;
        let date = if date.trim().is_empty() {
            return Err(PlanError::Empty("ngày ban hành"));
        } else {
            parse_date(date)?
        };
        let issuer = required("cơ quan ban hành", issuer)?;
        let period_text = required("năm hoặc giai đoạn", period)?;
        let (first_year, last_year) = parse_period(&period_text)?;
        let title = required("trích yếu", title)?;
        Ok(Self {
            number,
            date: Some(date),
            issuer,
            period: period_text,
            first_year,
            last_year,
            title,
            note: String::new(),
        })
    }
}

/// A task's content, checked against its plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskDraft {
    pub area: Area,
    pub title: String,
    /// Sản phẩm.
    pub output: String,
    pub deadline: Deadline,
    /// The resolved last day.
    pub due: Date,
}

impl TaskDraft {
    /// Checks a task: a title, an area, a deadline that resolves on the calendar and is not
    /// before the plan's date.
    pub fn new(
        plan_date: Option<Date>,
        area: Area,
        title: &str,
        output: &str,
        deadline: Deadline,
        clock: &WorkingClock,
    ) -> Result<Self, PlanError> {
        let title = required("tên nhiệm vụ", title)?;
        let output = optional("sản phẩm", output)?;
        let due = deadline.resolve(clock)?;
        if let Some(p) = plan_date
            && due < p
        {
            return Err(PlanError::DeadlineBeforePlan {
                deadline: crate::calendar::fmt_date(due),
                plan_date: crate::calendar::fmt_date(p),
            });
        }
        if let Deadline::WorkingDays { from, .. } = deadline
            && let Some(p) = plan_date
            && from < p
        {
            return Err(PlanError::DeadlineBeforePlan {
                deadline: crate::calendar::fmt_date(from),
                plan_date: crate::calendar::fmt_date(p),
            });
        }
        Ok(Self {
            area,
            title,
            output,
            deadline,
            due,
        })
    }
}

/// Checks a status change: a done task needs its done day, not in the future nor before the
/// plan; other statuses carry no done day.
pub fn check_status(
    status: TaskStatus,
    done_on: Option<Date>,
    plan_date: Option<Date>,
    today: Date,
) -> Result<Option<Date>, PlanError> {
    match status {
        TaskStatus::Done => {
            let d = done_on.ok_or(PlanError::DoneDateMissing)?;
            if d > today {
                return Err(PlanError::DoneInFuture(crate::calendar::fmt_date(d)));
            }
            if let Some(p) = plan_date
                && d < p
            {
                return Err(PlanError::DoneBeforePlan {
                    done: crate::calendar::fmt_date(d),
                    plan_date: crate::calendar::fmt_date(p),
                });
            }
            Ok(Some(d))
        }
        _ => Ok(None),
    }
}

/// Checks a progress report: some text and a percentage 0-100.
pub fn check_progress(text: &str, percent: i64) -> Result<String, PlanError> {
    if !(0..=100).contains(&percent) {
        return Err(PlanError::BadPercent);
    }
    required("nội dung báo cáo tiến độ", text)
}

// ---- the shipped file --------------------------------------------------------------------

/// Who leads (or co-operates on) a task in the shipped file: a role that a deployment maps
/// to its units (`so-noi-vu`, `so-tu-phap`, … a department by its slug; `ubnd-huyen`;
/// `ubnd-xa`; `cong-an-tinh`; `ubnd-tinh`).
pub type UnitRole = String;

/// A task of a shipped plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileTask {
    pub area: Area,
    pub title: String,
    pub output: String,
    pub lead: UnitRole,
    pub support: Vec<UnitRole>,
    pub deadline: Date,
}

/// A plan of the shipped file with its tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FilePlan {
    /// The same id as in `data/targets/kontum.toml`.
    pub id: String,
    pub header: PlanHeader,
    pub seed: String,
    pub tasks: Vec<FileTask>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    plan: Vec<RawPlan>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    id: String,
    #[serde(default)]
    number: String,
    date: Option<String>,
    issuer: String,
    title: String,
    period: String,
    seed: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    task: Vec<RawTask>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTask {
    area: String,
    title: String,
    #[serde(default)]
    output: String,
    lead: String,
    #[serde(default)]
    support: Vec<String>,
    deadline: String,
}

/// The roles a shipped task may name.
fn known_role(role: &str) -> bool {
    matches!(
        role,
        "ubnd-tinh" | "ubnd-huyen" | "ubnd-xa" | "cong-an-tinh" | "phong-noi-vu"
    ) || (role.starts_with("so-") || role.starts_with("ban-") || role.starts_with("trung-tam-"))
        && role
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Parses and validates a plans file: every plan needs an issuer, title, period and either a
/// number and date or a note; every task a known area and role, a title, and a deadline
/// within the plan's years and not before its date.
pub fn parse_plan_file(file: &str, text: &str) -> Result<Vec<FilePlan>, PlanError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| PlanError::Syntax {
        file: file.to_owned(),
        message: e.to_string(),
    })?;
    let mut ids = BTreeSet::new();
    let mut out = Vec::with_capacity(raw.plan.len());
    for p in raw.plan {
        let err = |message: String| PlanError::InFile {
            file: file.to_owned(),
            plan: p.id.clone(),
            message,
        };
        if p.id.trim().is_empty() || !ids.insert(p.id.clone()) {
            return Err(err("mã kế hoạch trống hoặc trùng".into()));
        }
        let date = match &p.date {
            Some(d) => Some(
                d.parse::<Date>()
                    .map_err(|e| err(format!("ngày {d}: {e}")))?,
            ),
            None => None,
        };
        if (p.number.trim().is_empty() || date.is_none()) && p.note.trim().is_empty() {
            return Err(err(
                "kế hoạch không có số hiệu hoặc ngày cần ghi chú lý do".into()
            ));
        }
        let (first_year, last_year) = parse_period(&p.period).map_err(|e| err(e.to_string()))?;
        let header = PlanHeader {
            number: p.number.trim().to_owned(),
            date,
            issuer: required("cơ quan ban hành", &p.issuer).map_err(|e| err(e.to_string()))?,
            period: p.period.trim().to_owned(),
            first_year,
            last_year,
            title: required("trích yếu", &p.title).map_err(|e| err(e.to_string()))?,
            note: p.note.trim().to_owned(),
        };
        let mut tasks = Vec::with_capacity(p.task.len());
        for (i, t) in p.task.iter().enumerate() {
            let terr = |m: String| err(format!("nhiệm vụ {}: {m}", i + 1));
            let area = Area::parse(&t.area).map_err(|e| terr(e.to_string()))?;
            let title = required("tên nhiệm vụ", &t.title).map_err(|e| terr(e.to_string()))?;
            let output = optional("sản phẩm", &t.output).map_err(|e| terr(e.to_string()))?;
            for role in std::iter::once(&t.lead).chain(&t.support) {
                if !known_role(role) {
                    return Err(terr(format!("vai trò đơn vị '{role}' không hợp lệ")));
                }
            }
            let deadline = t
                .deadline
                .parse::<Date>()
                .map_err(|e| terr(format!("hạn {}: {e}", t.deadline)))?;
            if deadline.year() < first_year || deadline.year() > last_year {
                return Err(terr(format!(
                    "hạn {} ngoài kỳ kế hoạch {}",
                    t.deadline, header.period
                )));
            }
            if let Some(d) = date
                && deadline < d
            {
                return Err(terr(
                    PlanError::DeadlineBeforePlan {
                        deadline: crate::calendar::fmt_date(deadline),
                        plan_date: crate::calendar::fmt_date(d),
                    }
                    .to_string(),
                ));
            }
            tasks.push(FileTask {
                area,
                title,
                output,
                lead: t.lead.clone(),
                support: t.support.clone(),
                deadline,
            });
        }
        out.push(FilePlan {
            id: p.id,
            header,
            seed: p.seed,
            tasks,
        });
    }
    Ok(out)
}

/// The shipped plans, parsed.
pub fn embedded_plans() -> Result<Vec<FilePlan>, PlanError> {
    parse_plan_file(KONTUM_FILE, KONTUM)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use jiff::civil::date;
    use std::sync::Arc;

    fn clock() -> WorkingClock {
        let cal = Calendar::embedded().unwrap_or_else(|e| panic!("calendar: {e}"));
        WorkingClock::standard(Arc::new(cal))
    }

    #[test]
    fn task_states_at_a_date() {
        let due = date(2025, 6, 30);
        use TaskStatus::*;
        assert_eq!(
            task_state(due, Done, Some(date(2025, 6, 30)), date(2025, 12, 31)),
            TaskState::DoneOnTime
        );
        assert_eq!(
            task_state(due, Done, Some(date(2025, 7, 1)), date(2025, 12, 31)),
            TaskState::DoneLate
        );
        assert_eq!(
            task_state(due, InProgress, None, date(2025, 6, 30)),
            TaskState::Open
        );
        assert_eq!(
            task_state(due, NotStarted, None, date(2025, 7, 1)),
            TaskState::Overdue
        );
        assert_eq!(
            task_state(due, Cancelled, None, date(2026, 1, 1)),
            TaskState::Cancelled
        );
        // Done after the judging day: not done yet then.
        assert_eq!(
            task_state(due, Done, Some(date(2025, 8, 1)), date(2025, 7, 15)),
            TaskState::Overdue
        );
        assert_eq!(
            task_state(due, Done, Some(date(2025, 6, 1)), date(2025, 5, 1)),
            TaskState::Open
        );
    }

    #[test]
    fn report_states_at_a_date() {
        let due = date(2025, 3, 20);
        assert_eq!(
            report_state(due, Some(due), Some(true), date(2025, 4, 1)),
            ReportState::OnTime
        );
        assert_eq!(
            report_state(due, Some(due), None, date(2025, 4, 1)),
            ReportState::OnTime
        );
        assert_eq!(
            report_state(due, Some(date(2025, 3, 21)), Some(true), date(2025, 4, 1)),
            ReportState::Late
        );
        assert_eq!(
            report_state(due, Some(date(2025, 3, 1)), Some(false), date(2025, 4, 1)),
            ReportState::Incomplete
        );
        assert_eq!(
            report_state(due, None, None, date(2025, 3, 21)),
            ReportState::Missing
        );
        assert_eq!(report_state(due, None, None, due), ReportState::NotDue);
        assert_eq!(
            report_state(due, Some(date(2025, 3, 25)), Some(true), date(2025, 3, 22)),
            ReportState::Missing
        );
        assert!(ReportState::Missing.needs_action() && !ReportState::Late.needs_action());
    }

    #[test]
    fn working_day_deadlines_skip_weekends_and_holidays() {
        let c = clock();
        // Friday 10/01/2025 + 5 working days: Mon 13 … Fri 17.
        let d = Deadline::WorkingDays {
            from: date(2025, 1, 10),
            days: 5,
        };
        assert_eq!(d.resolve(&c), Ok(date(2025, 1, 17)));
        // Across Tết 2025 (25/01 – 02/02 off): from Fri 24/01, 3 working days → 03/02 … 05/02.
        let t = Deadline::WorkingDays {
            from: date(2025, 1, 24),
            days: 3,
        };
        assert_eq!(t.resolve(&c), Ok(date(2025, 2, 5)));
        assert_eq!(
            Deadline::On(date(2025, 3, 1)).resolve(&c),
            Ok(date(2025, 3, 1))
        );
        assert_eq!(
            Deadline::WorkingDays {
                from: date(2025, 1, 10),
                days: 0
            }
            .resolve(&c),
            Err(PlanError::BadWorkingDays)
        );
        assert_eq!(d.describe(), "5 ngày làm việc kể từ 10/01/2025");
    }

    #[test]
    fn drafts_refuse_empty_titles_and_deadlines_before_the_plan() {
        let c = clock();
        let plan = Some(date(2025, 1, 5));
        let ok = TaskDraft::new(
            plan,
            Area::Procedures,
            " Rà soát TTHC ",
            "",
            Deadline::On(date(2025, 6, 30)),
            &c,
        );
        assert_eq!(ok.map(|t| t.title), Ok("Rà soát TTHC".to_owned()));
        assert_eq!(
            TaskDraft::new(
                plan,
                Area::Procedures,
                "  ",
                "",
                Deadline::On(date(2025, 6, 30)),
                &c
            ),
            Err(PlanError::Empty("tên nhiệm vụ"))
        );
        let before = TaskDraft::new(
            plan,
            Area::Procedures,
            "X",
            "",
            Deadline::On(date(2024, 12, 31)),
            &c,
        );
        assert!(matches!(before, Err(PlanError::DeadlineBeforePlan { .. })));
        assert!(
            before
                .err()
                .is_some_and(|e| e.to_string().contains("trước ngày ban hành"))
        );
    }

    #[test]
    fn headers_dates_periods_and_statuses_are_checked() {
        assert!(PlanHeader::new("617/QĐ-UBND", "12/12/2023", "UBND tỉnh", "2024", "KH").is_ok());
        assert_eq!(
            PlanHeader::new("617", "", "UBND", "2024", "KH"),
            Err(PlanError::Empty("ngày ban hành"))
        );
        assert_eq!(
            PlanHeader::new("617", "2023-12-12", "UBND", "2024", "  "),
            Err(PlanError::Empty("trích yếu"))
        );
        assert_eq!(parse_period("2023-2030"), Ok((2023, 2030)));
        assert!(parse_period("2030-2023").is_err());
        assert!(parse_period("năm nay").is_err());
        assert_eq!(parse_date("05/01/2025"), Ok(date(2025, 1, 5)));
        assert!(parse_date("31/02/2025").is_err());
        assert!(matches!(
            parse_date("31/12/9999"),
            Err(PlanError::DateOutOfRange(_))
        ));
        assert!(matches!(
            parse_date("1800-01-16"),
            Err(PlanError::DateOutOfRange(_))
        ));
        let today = date(2025, 5, 1);
        assert_eq!(
            check_status(TaskStatus::Done, None, None, today),
            Err(PlanError::DoneDateMissing)
        );
        assert!(check_status(TaskStatus::Done, Some(date(2025, 5, 2)), None, today).is_err());
        assert_eq!(
            check_status(TaskStatus::InProgress, Some(today), None, today),
            Ok(None)
        );
        assert!(check_progress("x", 101).is_err());
        assert!(check_progress(" ", 50).is_err());
        for a in Area::ALL {
            assert_eq!(Area::parse(a.code()), Ok(a));
        }
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(s.code()), Ok(s));
        }
    }

    #[test]
    fn report_periods_follow_the_rhythm() {
        let p = report_periods(2025).unwrap_or_default();
        let keys: Vec<&str> = p.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["2025-Q1", "2025-H1", "2025-Q3", "2025"]);
        assert_eq!(p[1].due, date(2025, 6, 20));
        assert_eq!(p[3].cycle, ReportCycle::Yearly);
    }

    #[test]
    fn the_shipped_plans_parse_and_match_the_targets_file() {
        let plans = embedded_plans().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plans.len(), 5);
        let targets = crate::indicator::targets::parse_targets(
            crate::indicator::targets::KONTUM_FILE,
            crate::indicator::targets::KONTUM,
            &[
                "1.4", "2.1", "3.1", "3.3", "3.6", "4.1", "4.2", "4.3", "5.4",
            ],
        );
        if let Ok(t) = targets {
            for p in &plans {
                let tp = t
                    .plan(&p.id)
                    .unwrap_or_else(|| panic!("{} not in targets", p.id));
                assert_eq!(tp.number.clone().unwrap_or_default(), p.header.number);
                assert_eq!(tp.date, p.header.date);
                assert_eq!(tp.issuer, p.header.issuer);
                assert_eq!(tp.period, p.header.period);
            }
        }
        let q617 = plans
            .iter()
            .find(|p| p.id == "qd-617-2023")
            .unwrap_or_else(|| panic!("617"));
        let areas: BTreeSet<Area> = q617.tasks.iter().map(|t| t.area).collect();
        assert_eq!(areas.len(), 7, "617 has the seven groups");
        assert!(plans.iter().all(|p| !p.tasks.is_empty()));
    }

    #[test]
    fn bad_files_are_refused_with_the_plan_named() {
        let bad = r#"
[[plan]]
id = "x"
number = "1/KH"
date = "2024-01-10"
issuer = "UBND"
title = "KH"
period = "2024"
seed = "s"
[[plan.task]]
area = "the-che"
title = "Rà soát"
lead = "so-tu-phap"
deadline = "2023-12-31"
"#;
        let e = parse_plan_file("t.toml", bad).err().map(|e| e.to_string());
        assert!(e.is_some_and(|m| m.contains("kế hoạch x") && m.contains("ngoài kỳ")));
        let unknown = bad
            .replace("2023-12-31", "2024-12-31")
            .replace("so-tu-phap", "Sở Tư pháp");
        assert!(parse_plan_file("t.toml", &unknown).is_err());
        assert!(parse_plan_file("t.toml", "[[plan]]\nid=1").is_err());
    }
}
