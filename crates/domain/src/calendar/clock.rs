//! The statutory clock: from a receipt instant, a typed time limit, the procedure's start rule,
//! pauses (waiting for the citizen) and extensions, to the due instant (ngày hẹn trả), the time
//! used and left at any instant, the verdict (trước hạn / đúng hạn / trễ hạn), and an explanation.
//!
//! Every limit kind counts along one [`Timeline`]: working days and hours along working time,
//! calendar days along all time, "calendar days skipping days off" along whole non-off days.
//! Pauses are excluded in the limit's own measure: a pause from Friday 16:00 to Monday 08:00
//! costs two working hours, not three days.

use jiff::civil::{DateTime, Time};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use super::days::{Calendar, DayMark};
use super::schedule::WorkSchedule;
use super::timeline::{DAY, Timeline};
use super::{fmt_date, fmt_datetime, fmt_duration, iso_datetime, weekday_name};

/// Why the clock refused a question.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error(
        "thời hạn '{0}' không hợp lệ: cần dạng 'N working-days', 'N working-hours', 'N days' hoặc 'N days-skip-off'"
    )]
    LimitSyntax(String),
    #[error("thời hạn không được âm: '{0}'")]
    NegativeLimit(String),
    #[error(
        "đơn vị thời hạn '{0}' không được hỗ trợ (working-days, working-hours, days, days-skip-off)"
    )]
    UnknownUnit(String),
    #[error("thời hạn '{0}' quá dài (tối đa 3650 ngày)")]
    LimitTooLong(String),
    #[error("thời điểm {0} nằm ngoài phạm vi lịch được hỗ trợ (1900–2199)")]
    OutOfRange(String),
    #[error("hạn trả vượt quá phạm vi lịch được hỗ trợ (hết năm 2199)")]
    DueOutOfRange,
    #[error("khoảng tạm dừng kết thúc lúc {end} trước khi bắt đầu lúc {start}")]
    PauseEndsBeforeStart { start: String, end: String },
    #[error("khoảng tạm dừng bắt đầu lúc {pause} trước khi tiếp nhận hồ sơ lúc {start}")]
    PauseBeforeStart { pause: String, start: String },
    #[error("các khoảng tạm dừng chồng lấn nhau: {0} và {1}")]
    PausesOverlap(String, String),
    #[error("chỉ khoảng tạm dừng cuối cùng mới có thể đang mở (chưa kết thúc): {0}")]
    OpenPauseNotLast(String),
    #[error("gia hạn lúc {at} trước khi tiếp nhận hồ sơ")]
    ExtensionBeforeStart { at: String },
    #[error("hồ sơ đang tạm dừng: chưa có hạn trả để so sánh")]
    StillPaused,
}

/// The unit a time limit is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LimitUnit {
    /// Ngày làm việc: one day = the schedule's working-day minutes (8 hours) of working time.
    WorkingDays,
    /// Giờ làm việc.
    WorkingHours,
    /// Ngày (calendar days), every day counts.
    Days,
    /// Calendar days, but days off (weekends not worked, holidays) do not count.
    DaysSkipOff,
}

impl LimitUnit {
    fn spec(self) -> &'static str {
        match self {
            Self::WorkingDays => "working-days",
            Self::WorkingHours => "working-hours",
            Self::Days => "days",
            Self::DaysSkipOff => "days-skip-off",
        }
    }
}

/// A typed duration: an amount (in hundredths, so "0.5 working-days" works) and a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeLimit {
    hundredths: u32,
    unit: LimitUnit,
}

impl TimeLimit {
    const MAX_HUNDREDTHS: u32 = 3650 * 100;

    pub fn new(amount: u32, unit: LimitUnit) -> Self {
        Self {
            hundredths: amount.min(Self::MAX_HUNDREDTHS / 100) * 100,
            unit,
        }
    }

    pub fn working_days(n: u32) -> Self {
        Self::new(n, LimitUnit::WorkingDays)
    }

    pub fn unit(&self) -> LimitUnit {
        self.unit
    }

    /// The amount, in hundredths of the unit.
    pub fn hundredths(&self) -> u32 {
        self.hundredths
    }

    /// Counted seconds this limit stands for under a schedule.
    pub fn seconds(&self, schedule: &WorkSchedule) -> i64 {
        let per_unit = match self.unit {
            LimitUnit::WorkingDays => i64::from(schedule.working_day_minutes()) * 60,
            LimitUnit::WorkingHours => 3600,
            LimitUnit::Days | LimitUnit::DaysSkipOff => DAY,
        };
        i64::from(self.hundredths) * per_unit / 100
    }

    fn amount_text(&self) -> String {
        let (whole, frac) = (self.hundredths / 100, self.hundredths % 100);
        match frac {
            0 => whole.to_string(),
            f if f % 10 == 0 => format!("{whole}.{}", f / 10),
            f => format!("{whole}.{f:02}"),
        }
    }

    /// The machine form, e.g. `5 working-days`.
    pub fn spec(&self) -> String {
        format!("{} {}", self.amount_text(), self.unit.spec())
    }
}

impl fmt::Display for TimeLimit {
    /// The Vietnamese form, e.g. "5 ngày làm việc".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let amount = self.amount_text().replace('.', ",");
        match self.unit {
            LimitUnit::WorkingDays => write!(f, "{amount} ngày làm việc"),
            LimitUnit::WorkingHours => write!(f, "{amount} giờ làm việc"),
            LimitUnit::Days => write!(f, "{amount} ngày"),
            LimitUnit::DaysSkipOff => write!(f, "{amount} ngày (không tính ngày nghỉ)"),
        }
    }
}

impl FromStr for TimeLimit {
    type Err = ClockError;

    /// `N working-days`, `N working-hours`, `N days`, `N days-skip-off`; N may have two decimals.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let syntax = || ClockError::LimitSyntax(text.to_owned());
        let mut parts = text.split_whitespace();
        let (Some(amount), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(syntax());
        };
        if amount.starts_with('-') {
            return Err(ClockError::NegativeLimit(text.to_owned()));
        }
        let unit = match unit {
            "working-days" | "working-day" => LimitUnit::WorkingDays,
            "working-hours" | "working-hour" => LimitUnit::WorkingHours,
            "days" | "day" => LimitUnit::Days,
            "days-skip-off" | "day-skip-off" => LimitUnit::DaysSkipOff,
            other => return Err(ClockError::UnknownUnit(other.to_owned())),
        };
        let (whole, frac) = amount.split_once('.').unwrap_or((amount, ""));
        if whole.is_empty()
            || frac.len() > 2
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(syntax());
        }
        let whole: u32 = whole
            .parse()
            .map_err(|_| ClockError::LimitTooLong(text.to_owned()))?;
        let frac: u32 = format!("{frac:0<2}").parse().map_err(|_| syntax())?;
        let hundredths = whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(frac))
            .filter(|h| *h <= Self::MAX_HUNDREDTHS)
            .ok_or_else(|| ClockError::LimitTooLong(text.to_owned()))?;
        Ok(Self { hundredths, unit })
    }
}

/// The procedure's rule for when the clock starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StartRule {
    /// Received after this time on a working day: count from the next working day.
    pub next_day_after: Option<Time>,
}

impl StartRule {
    /// "Received after 15:00 counts from the next working day."
    pub fn after_15h() -> Self {
        Self {
            next_day_after: Some(Time::constant(15, 0, 0, 0)),
        }
    }
}

/// A pause of the clock while waiting for the citizen (supplement, payment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pause {
    pub start: DateTime,
    /// None while still waiting.
    pub end: Option<DateTime>,
    pub reason: String,
}

/// How an extension moves the due date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtensionKind {
    /// Adds counted time (e.g. 5 more working days).
    Add(TimeLimit),
    /// Sets a new due instant (phiếu xin lỗi và hẹn lại ngày trả kết quả).
    NewDue(DateTime),
}

/// An explicit extension of the limit, with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub at: DateTime,
    pub kind: ExtensionKind,
    pub reason: String,
}

/// Everything the clock needs to know about one dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockRequest {
    /// Thời điểm tiếp nhận.
    pub start: DateTime,
    pub limit: TimeLimit,
    pub start_rule: StartRule,
    pub pauses: Vec<Pause>,
    pub extensions: Vec<Extension>,
}

impl ClockRequest {
    pub fn new(start: DateTime, limit: TimeLimit) -> Self {
        Self {
            start,
            limit,
            start_rule: StartRule::default(),
            pauses: Vec::new(),
            extensions: Vec::new(),
        }
    }
}

/// How a pause was counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedPause {
    pub pause: Pause,
    /// Counted seconds (in the limit's measure) the pause moved the due date by.
    pub counted: i64,
    /// False when the pause began after the limit had already run out.
    pub applied: bool,
    w_start: i64,
    w_end: Option<i64>,
}

/// How an extension was counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedExtension {
    pub extension: Extension,
    pub counted: i64,
    pub applied: bool,
}

/// Why the start moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartMove {
    None,
    OutsideCountedTime,
    AfterCutoff(Time),
}

/// The due date and how it was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDate {
    /// Thời điểm tiếp nhận.
    pub start: DateTime,
    pub limit: TimeLimit,
    /// When the clock actually starts counting.
    pub effective_start: DateTime,
    pub start_move: StartMove,
    /// Ngày hẹn trả; None while a pause is open.
    pub due: Option<DateTime>,
    /// Counted seconds the limit stands for.
    pub limit_secs: i64,
    pub pauses: Vec<AppliedPause>,
    pub extensions: Vec<AppliedExtension>,
    /// Counted seconds left when the open pause began.
    pub remaining_when_paused: Option<i64>,
    w_start: i64,
    w_target: i64,
}

/// Where a dossier stands at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    NotStarted,
    Running,
    Paused,
    Overdue,
}

/// Time used and left at an instant, in the limit's measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub state: ClockState,
    pub elapsed_secs: i64,
    /// Negative once overdue.
    pub remaining_secs: i64,
}

/// Kết quả so với hạn: trước hạn / đúng hạn / trễ hạn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Finished on a date before the due date.
    Early,
    /// Finished on the due date, by the due instant.
    OnTime,
    /// Finished after the due instant.
    Late,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Self::Early => "trước hạn",
            Self::OnTime => "đúng hạn",
            Self::Late => "trễ hạn",
        }
    }
}

/// One step of a due date's explanation. `text` is for people; the other fields for machines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExplainStep {
    pub kind: &'static str,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds: Option<i64>,
}

impl ExplainStep {
    fn new(kind: &'static str, text: String) -> Self {
        Self {
            kind,
            text,
            at: None,
            until: None,
            date: None,
            name: None,
            source: None,
            seconds: None,
        }
    }
}

/// A change of due date after a calendar change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueChange<K> {
    pub key: K,
    pub old: Option<DateTime>,
    pub new: Option<DateTime>,
}

/// The clock for one calendar and one working schedule. Building it precomputes the timelines
/// (about 3 MB for 1900-2199); asking it is O(log n) per question.
#[derive(Debug, Clone)]
pub struct WorkingClock {
    calendar: Arc<Calendar>,
    schedule: WorkSchedule,
    working: Timeline,
    skip_off: Timeline,
    all_days: Timeline,
}

const NO_PERIODS: u8 = 8;
const MAKE_UP: u8 = 7;

impl WorkingClock {
    pub fn new(calendar: Arc<Calendar>, schedule: WorkSchedule) -> Self {
        let first_jd = super::lunar::jd_from_date(calendar.first_date());
        let days = calendar.len_days();
        let to_minutes = |ps: &[super::schedule::Period]| -> Vec<(u16, u16)> {
            ps.iter().map(|p| (p.start, p.end)).collect()
        };
        let mut patterns: Vec<Vec<(u16, u16)>> = Vec::with_capacity(9);
        for w in [
            jiff::civil::Weekday::Monday,
            jiff::civil::Weekday::Tuesday,
            jiff::civil::Weekday::Wednesday,
            jiff::civil::Weekday::Thursday,
            jiff::civil::Weekday::Friday,
            jiff::civil::Weekday::Saturday,
            jiff::civil::Weekday::Sunday,
        ] {
            patterns.push(to_minutes(schedule.periods(w)));
        }
        patterns.push(to_minutes(schedule.make_up_periods()));
        patterns.push(Vec::new());
        let pattern_of = |d: usize| -> u8 {
            match calendar.mark_at(d) {
                DayMark::Off(_) => NO_PERIODS,
                DayMark::Worked(_) => MAKE_UP,
                // JD mod 7: 0 = Monday.
                DayMark::Normal => ((first_jd + d as i64).rem_euclid(7)) as u8,
            }
        };
        let working = Timeline::build(first_jd, days, patterns.clone(), pattern_of);
        let skip_off = Timeline::build(first_jd, days, vec![vec![(0, 1440)], vec![]], |d| {
            u8::from(working.counted_on_day(d as i64) == 0)
        });
        let all_days = Timeline::build(first_jd, days, vec![vec![(0, 1440)]], |_| 0);
        Self {
            calendar,
            schedule,
            working,
            skip_off,
            all_days,
        }
    }

    /// The clock with the national calendar and the standard schedule.
    pub fn standard(calendar: Arc<Calendar>) -> Self {
        Self::new(calendar, WorkSchedule::standard())
    }

    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    pub fn schedule(&self) -> &WorkSchedule {
        &self.schedule
    }

    fn line(&self, unit: LimitUnit) -> &Timeline {
        match unit {
            LimitUnit::WorkingDays | LimitUnit::WorkingHours => &self.working,
            LimitUnit::Days => &self.all_days,
            LimitUnit::DaysSkipOff => &self.skip_off,
        }
    }

    /// Seconds in one "day" of a unit's measure, for showing durations.
    pub fn day_seconds(&self, unit: LimitUnit) -> i64 {
        match unit {
            LimitUnit::WorkingDays | LimitUnit::WorkingHours => {
                i64::from(self.schedule.working_day_minutes()) * 60
            }
            LimitUnit::Days | LimitUnit::DaysSkipOff => DAY,
        }
    }

    fn secs(&self, dt: DateTime) -> Result<i64, ClockError> {
        self.working
            .secs_of(dt)
            .ok_or_else(|| ClockError::OutOfRange(fmt_datetime(dt)))
    }

    fn instant(&self, secs: i64) -> Result<DateTime, ClockError> {
        self.working
            .datetime_of(secs)
            .ok_or_else(|| ClockError::OutOfRange(secs.to_string()))
    }

    fn earliest(&self, line: &Timeline, w: i64, hint_secs: i64) -> Result<i64, ClockError> {
        line.earliest_at_near(w, hint_secs.div_euclid(DAY))
            .ok_or(ClockError::DueOutOfRange)
    }

    /// Where the clock starts (seconds since the range start): the start rule, then the next
    /// counted instant.
    fn effective_start(
        &self,
        req: &ClockRequest,
        s: i64,
        line: &Timeline,
    ) -> Result<(i64, StartMove), ClockError> {
        let out_of_range = || ClockError::OutOfRange(fmt_datetime(req.start));
        if let Some(cutoff) = req.start_rule.next_day_after {
            let day = s.div_euclid(DAY);
            let cutoff_secs = i64::from(cutoff.hour()) * 3600
                + i64::from(cutoff.minute()) * 60
                + i64::from(cutoff.second());
            if self.working.counted_on_day(day) > 0 && s.rem_euclid(DAY) > cutoff_secs {
                // The next working day's first opening, whatever the limit's measure.
                let opening = self
                    .working
                    .next_counted((day + 1) * DAY)
                    .ok_or_else(out_of_range)?;
                let t = line.next_counted(opening).ok_or_else(out_of_range)?;
                return Ok((t, StartMove::AfterCutoff(cutoff)));
            }
        }
        let t = line.next_counted(s).ok_or_else(out_of_range)?;
        let moved = if t == s {
            StartMove::None
        } else {
            StartMove::OutsideCountedTime
        };
        Ok((t, moved))
    }

    /// Computes the due date of a request.
    ///
    /// Every instant is converted to seconds once; pauses and extensions are then walked in
    /// time order, each pause moving the target by its counted length, each extension adding
    /// time or setting a later date.
    pub fn due(&self, req: &ClockRequest) -> Result<DueDate, ClockError> {
        let line = self.line(req.limit.unit);
        let start = self.secs(req.start)?;
        let (eff, start_move) = self.effective_start(req, start, line)?;
        let w_start = line.position(eff);
        let limit_secs = req.limit.seconds(&self.schedule);
        let mut target = w_start + limit_secs;

        // Pauses as (start, end) seconds, validated: each ends after it starts, after receipt,
        // no overlaps, only the last may be open. Equal starts: shorter first, open last, so
        // acceptance never depends on the order the caller listed them in.
        let mut pauses: Vec<(i64, Option<i64>, &Pause)> = Vec::with_capacity(req.pauses.len());
        for p in &req.pauses {
            let ps = self.secs(p.start)?;
            if ps < start {
                return Err(ClockError::PauseBeforeStart {
                    pause: fmt_datetime(p.start),
                    start: fmt_datetime(req.start),
                });
            }
            let pe = match p.end {
                Some(end) => {
                    let pe = self.secs(end)?;
                    if pe < ps {
                        return Err(ClockError::PauseEndsBeforeStart {
                            start: fmt_datetime(p.start),
                            end: fmt_datetime(end),
                        });
                    }
                    Some(pe)
                }
                None => None,
            };
            pauses.push((ps, pe, p));
        }
        pauses.sort_by_key(|&(ps, pe, _)| (ps, pe.is_none(), pe));
        for (i, &(_, pe, p)) in pauses.iter().enumerate() {
            if let Some(&(next_start, _, next)) = pauses.get(i + 1) {
                if pe.is_none() {
                    return Err(ClockError::OpenPauseNotLast(fmt_datetime(p.start)));
                }
                if pe.is_some_and(|e| e > next_start) {
                    return Err(ClockError::PausesOverlap(
                        fmt_datetime(p.start),
                        fmt_datetime(next.start),
                    ));
                }
            }
        }
        let mut extensions: Vec<(i64, &Extension)> = Vec::with_capacity(req.extensions.len());
        for e in &req.extensions {
            let at = self.secs(e.at)?;
            if at < start {
                return Err(ClockError::ExtensionBeforeStart {
                    at: fmt_datetime(e.at),
                });
            }
            if let ExtensionKind::NewDue(d) = e.kind {
                self.secs(d)?;
            }
            extensions.push((at, e));
        }
        // Stable: at the same instant a pause comes before an extension.
        extensions.sort_by_key(|&(at, _)| at);

        let mut applied_pauses = Vec::with_capacity(pauses.len());
        let mut applied_ext = Vec::with_capacity(extensions.len());
        let mut explicit_due: Option<(i64, DateTime)> = None;
        let mut open_remaining = None;
        let (mut pi, mut ei) = (0, 0);
        while pi < pauses.len() || ei < extensions.len() {
            let take_pause = match (pauses.get(pi), extensions.get(ei)) {
                (Some(p), Some(e)) => p.0 <= e.0,
                (Some(_), None) => true,
                _ => false,
            };
            if take_pause {
                let (ps, pe, p) = pauses[pi];
                pi += 1;
                let ws = line.position(ps.max(eff));
                let (counted, applied, w_end) = if open_remaining.is_some() || ws >= target {
                    (0, false, None)
                } else if let Some(pe) = pe {
                    let we = line.position(pe.max(ps).max(eff));
                    target += we - ws;
                    explicit_due = None;
                    (we - ws, true, Some(we))
                } else {
                    open_remaining = Some(target - ws);
                    (0, true, None)
                };
                applied_pauses.push(AppliedPause {
                    pause: p.clone(),
                    counted,
                    applied,
                    w_start: ws,
                    w_end,
                });
            } else {
                let (_, e) = extensions[ei];
                ei += 1;
                let (counted, applied) = if open_remaining.is_some() {
                    (0, false)
                } else {
                    match e.kind {
                        ExtensionKind::Add(limit) => {
                            let added = limit.seconds(&self.schedule);
                            target += added;
                            explicit_due = None;
                            (added, true)
                        }
                        ExtensionKind::NewDue(d) => {
                            // A new date only ever moves the due date later.
                            let ds = self.secs(d)?;
                            let current = match explicit_due {
                                Some((secs, _)) => secs,
                                None => self.earliest(line, target, eff)?.max(eff),
                            };
                            if ds > current {
                                let wd = line.position(ds);
                                let added = (wd - target).max(0);
                                target += added;
                                explicit_due = Some((ds, d));
                                (added, true)
                            } else {
                                (0, false)
                            }
                        }
                    }
                };
                applied_ext.push(AppliedExtension {
                    extension: e.clone(),
                    counted,
                    applied,
                });
            }
        }
        let due = match (open_remaining, explicit_due) {
            (Some(_), _) => None,
            (None, Some((_, d))) => Some(d),
            (None, None) => Some(self.instant(self.earliest(line, target, eff)?.max(eff))?),
        };
        Ok(DueDate {
            start: req.start,
            limit: req.limit,
            effective_start: self.instant(eff)?,
            start_move,
            due,
            limit_secs,
            pauses: applied_pauses,
            extensions: applied_ext,
            remaining_when_paused: open_remaining,
            w_start,
            w_target: target,
        })
    }

    /// The instant a limit runs out from a start, with no pauses: a shortcut for `due`.
    pub fn add(&self, start: DateTime, limit: TimeLimit) -> Result<DateTime, ClockError> {
        self.due(&ClockRequest::new(start, limit))?
            .due
            .ok_or(ClockError::StillPaused)
    }

    /// Counted seconds between two instants in a unit's measure (negative if `to` < `from`).
    pub fn counted_between(
        &self,
        from: DateTime,
        to: DateTime,
        unit: LimitUnit,
    ) -> Result<i64, ClockError> {
        let line = self.line(unit);
        Ok(line.position(self.secs(to)?) - line.position(self.secs(from)?))
    }

    /// Time used and left at an instant.
    pub fn progress(&self, due: &DueDate, at: DateTime) -> Result<Progress, ClockError> {
        let line = self.line(due.limit.unit);
        let t = self.secs(at)?;
        let w = line.position(t);
        let mut paused_before = 0;
        let mut in_open_pause = false;
        for p in due.pauses.iter().filter(|p| p.applied) {
            let we = p.w_end.unwrap_or(w.max(p.w_start));
            paused_before += (w.min(we) - p.w_start).max(0);
            let started = self.secs(p.pause.start)? <= t;
            let ended = match p.pause.end {
                Some(end) => self.secs(end)? <= t,
                None => false,
            };
            if started && !ended {
                in_open_pause = true;
            }
        }
        let elapsed = (w - due.w_start - paused_before).max(0);
        // The target already holds closed pauses and extensions; an open pause freezes it.
        let closed: i64 = due
            .pauses
            .iter()
            .filter(|p| p.applied && p.w_end.is_some())
            .map(|p| p.counted)
            .sum();
        let allowed = due.w_target - due.w_start - closed;
        let state = if t < self.secs(due.effective_start)? {
            ClockState::NotStarted
        } else if in_open_pause {
            ClockState::Paused
        } else if due.due.is_some_and(|d| at > d) {
            ClockState::Overdue
        } else {
            ClockState::Running
        };
        Ok(Progress {
            state,
            elapsed_secs: elapsed,
            remaining_secs: allowed - elapsed,
        })
    }

    /// Recomputes due dates under a new calendar and returns those that changed.
    pub fn reproject<K: Clone>(
        old: &WorkingClock,
        new: &WorkingClock,
        requests: &[(K, ClockRequest)],
    ) -> Result<Vec<DueChange<K>>, ClockError> {
        let mut out = Vec::new();
        for (key, req) in requests {
            let (a, b) = (old.due(req)?.due, new.due(req)?.due);
            if a != b {
                out.push(DueChange {
                    key: key.clone(),
                    old: a,
                    new: b,
                });
            }
        }
        Ok(out)
    }

    /// The explanation of a due date, step by step, in Vietnamese.
    pub fn explain(&self, due: &DueDate) -> Vec<ExplainStep> {
        let unit = due.limit.unit;
        let day_secs = self.day_seconds(unit);
        let mut steps = Vec::new();

        let mut s = ExplainStep::new(
            "received",
            format!(
                "Tiếp nhận lúc {} ({}).",
                fmt_datetime(due.start),
                weekday_name(due.start.weekday())
            ),
        );
        s.at = Some(iso_datetime(due.start));
        steps.push(s);

        let eff = due.effective_start;
        let mut s = ExplainStep::new(
            "start",
            match due.start_move {
                StartMove::None => "Bắt đầu tính thời hạn ngay khi tiếp nhận.".to_owned(),
                StartMove::OutsideCountedTime => format!(
                    "Tiếp nhận ngoài thời gian tính hạn: bắt đầu tính từ {} ({}).",
                    fmt_datetime(eff),
                    weekday_name(eff.weekday())
                ),
                StartMove::AfterCutoff(c) => format!(
                    "Tiếp nhận sau {:02}:{:02}: thủ tục quy định tính từ ngày làm việc tiếp theo, {} ({}).",
                    c.hour(),
                    c.minute(),
                    fmt_datetime(eff),
                    weekday_name(eff.weekday())
                ),
            },
        );
        s.at = Some(iso_datetime(eff));
        steps.push(s);

        let periods: Vec<String> = self
            .schedule
            .periods(jiff::civil::Weekday::Monday)
            .iter()
            .map(ToString::to_string)
            .collect();
        let mut s = ExplainStep::new(
            "limit",
            match unit {
                LimitUnit::WorkingDays | LimitUnit::WorkingHours => format!(
                    "Thời hạn {} = {} làm việc (1 ngày làm việc = {} giờ; giờ làm việc {}).",
                    due.limit,
                    fmt_duration(due.limit_secs, 3600 * 24 * 365).replace(" 0 phút", ""),
                    self.schedule.working_day_minutes() / 60,
                    periods.join(", ")
                ),
                LimitUnit::Days => format!(
                    "Thời hạn {}: tính liên tục theo ngày dương lịch, kể cả ngày nghỉ.",
                    due.limit
                ),
                LimitUnit::DaysSkipOff => format!(
                    "Thời hạn {}: tính theo ngày, không tính ngày nghỉ hằng tuần và ngày lễ, Tết.",
                    due.limit
                ),
            },
        );
        s.seconds = Some(due.limit_secs);
        steps.push(s);

        for p in &due.pauses {
            let mut s = ExplainStep::new(
                "pause",
                match (p.applied, p.pause.end) {
                    (true, Some(end)) => format!(
                        "Tạm dừng từ {} đến {}{}: không tính {}, hạn lùi tương ứng.",
                        fmt_datetime(p.pause.start),
                        fmt_datetime(end),
                        reason_suffix(&p.pause.reason),
                        fmt_duration(p.counted, day_secs)
                    ),
                    (true, None) => format!(
                        "Đang tạm dừng từ {}{}: còn lại {}; hạn trả được tính lại khi tiếp tục.",
                        fmt_datetime(p.pause.start),
                        reason_suffix(&p.pause.reason),
                        fmt_duration(due.remaining_when_paused.unwrap_or(0), day_secs)
                    ),
                    (false, _) => format!(
                        "Tạm dừng từ {}{} bắt đầu khi đã hết thời hạn: không làm lùi hạn.",
                        fmt_datetime(p.pause.start),
                        reason_suffix(&p.pause.reason)
                    ),
                },
            );
            s.at = Some(iso_datetime(p.pause.start));
            s.until = p.pause.end.map(iso_datetime);
            s.seconds = Some(p.counted);
            steps.push(s);
        }
        for e in &due.extensions {
            let what = match e.extension.kind {
                ExtensionKind::Add(l) => format!("gia hạn thêm {l}"),
                ExtensionKind::NewDue(d) => format!("hẹn lại ngày trả {}", fmt_datetime(d)),
            };
            let mut s = ExplainStep::new(
                "extension",
                if e.applied {
                    format!(
                        "Lúc {}: {}{}.",
                        fmt_datetime(e.extension.at),
                        what,
                        reason_suffix(&e.extension.reason)
                    )
                } else {
                    format!(
                        "Lúc {}: {}{} – không áp dụng (không làm hạn muộn hơn hoặc hồ sơ đang tạm dừng).",
                        fmt_datetime(e.extension.at),
                        what,
                        reason_suffix(&e.extension.reason)
                    )
                },
            );
            s.at = Some(iso_datetime(e.extension.at));
            s.seconds = Some(e.counted);
            steps.push(s);
        }

        // Days that did not count between the start and the due date (or the open pause).
        let until = due
            .due
            .map(|d| d.date())
            .or_else(|| due.pauses.last().map(|p| p.pause.start.date()))
            .unwrap_or(eff.date());
        if unit != LimitUnit::Days {
            let mut d = eff.date();
            let mut listed = 0;
            while d <= until && listed < 400 {
                let counted = self
                    .working
                    .secs_of(d.at(0, 0, 0, 0))
                    .map_or(0, |x| self.line(unit).counted_on_day(x / DAY));
                let mark = self.calendar.mark(d).ok();
                let step = match (counted, mark) {
                    (0, Some(DayMark::Off(note))) => {
                        let mut s = ExplainStep::new(
                            "day_off",
                            format!(
                                "{} {}: {} ({}) – không tính.",
                                weekday_name(d.weekday()),
                                fmt_date(d),
                                note.name,
                                note.source
                            ),
                        );
                        s.name = Some(note.name.clone());
                        s.source = Some(note.source.clone());
                        Some(s)
                    }
                    (0, _) => Some(ExplainStep::new(
                        "weekend",
                        format!(
                            "{} {}: nghỉ hằng tuần – không tính.",
                            weekday_name(d.weekday()),
                            fmt_date(d)
                        ),
                    )),
                    (_, Some(DayMark::Worked(note))) => {
                        let mut s = ExplainStep::new(
                            "make_up_day",
                            format!(
                                "{} {}: ngày làm bù ({}, {}) – có tính.",
                                weekday_name(d.weekday()),
                                fmt_date(d),
                                note.name,
                                note.source
                            ),
                        );
                        s.name = Some(note.name.clone());
                        s.source = Some(note.source.clone());
                        Some(s)
                    }
                    _ => None,
                };
                if let Some(mut s) = step {
                    s.date = Some(d.to_string());
                    steps.push(s);
                    listed += 1;
                }
                d = match d.tomorrow() {
                    Ok(n) => n,
                    Err(_) => break,
                };
            }
        }

        match due.due {
            Some(d) => {
                let closes = self
                    .schedule
                    .periods(d.weekday())
                    .iter()
                    .chain(self.schedule.make_up_periods())
                    .any(|p| {
                        i32::from(p.end) * 60
                            == i32::from(d.hour()) * 3600 + i32::from(d.minute()) * 60
                    });
                let shown = if d.time() == Time::midnight() {
                    let day = Self::due_day(d);
                    format!(
                        "hết ngày {} ({})",
                        fmt_date(day),
                        weekday_name(day.weekday())
                    )
                } else {
                    format!("{} ({})", fmt_datetime(d), weekday_name(d.weekday()))
                };
                let mut s = ExplainStep::new(
                    "due",
                    format!(
                        "Hạn trả kết quả: {}{}. Lịch phiên bản {}.",
                        shown,
                        if closes
                            && matches!(unit, LimitUnit::WorkingDays | LimitUnit::WorkingHours)
                        {
                            ", đúng lúc hết giờ làm việc"
                        } else {
                            ""
                        },
                        self.calendar.version()
                    ),
                );
                s.at = Some(iso_datetime(d));
                steps.push(s);
            }
            None => steps.push(ExplainStep::new(
                "due",
                format!(
                    "Chưa có hạn trả: hồ sơ đang tạm dừng. Lịch phiên bản {}.",
                    self.calendar.version()
                ),
            )),
        }
        steps
    }

    /// The day a due instant belongs to: a due at 00:00 is the end of the previous day (a
    /// day-based limit runs out at 24:00 of its last counted day).
    pub fn due_day(due: DateTime) -> jiff::civil::Date {
        if due.time() == Time::midnight() {
            due.date().yesterday().unwrap_or(due.date())
        } else {
            due.date()
        }
    }

    /// The verdict for a dossier finished at `finished`.
    pub fn verdict(due: &DueDate, finished: DateTime) -> Result<Verdict, ClockError> {
        let d = due.due.ok_or(ClockError::StillPaused)?;
        Ok(if finished > d {
            Verdict::Late
        } else if finished.date() < Self::due_day(d) {
            Verdict::Early
        } else {
            Verdict::OnTime
        })
    }
}

fn reason_suffix(reason: &str) -> String {
    if reason.trim().is_empty() {
        String::new()
    } else {
        format!(" ({})", reason.trim())
    }
}
