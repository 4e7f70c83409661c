//! What a dossier contributes to the indicators (its facts), and the rollup changes an event
//! brings: the difference between the dossier's contributions before and after.
//!
//! This is the one place that decides how a dossier counts: received when, finished when, on
//! time or late by the national rule (a second supplement request makes it late), open and
//! overdue from which day, paid online, digitised, rated. The rollups kept with each event, the
//! full rebuild and the drill-down to dossiers all read these facts.

use jiff::civil::{Date, DateTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::measure::{Measure, Measures};
use crate::calendar::{DueDate, Verdict, WorkingClock};
use crate::dossier::{Dossier, Status};

/// How a dossier left the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndKind {
    /// A decision was recorded (approved or rejected): giải quyết xong.
    Decided,
    /// Processing stopped (dừng xử lý): counted as finished.
    Stopped,
    /// The citizen withdrew it: not judged.
    Withdrawn,
    /// Refused at intake: never received.
    Refused,
}

impl EndKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Decided => "decided",
            Self::Stopped => "stopped",
            Self::Withdrawn => "withdrawn",
            Self::Refused => "refused",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Decided, Self::Stopped, Self::Withdrawn, Self::Refused]
            .into_iter()
            .find(|k| k.code() == code)
    }

    /// Finished for the on-time indicator (giải quyết xong).
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Decided | Self::Stopped)
    }
}

/// The national verdict on a finished dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishVerdict {
    Early,
    OnTime,
    Late,
}

impl FinishVerdict {
    pub fn code(self) -> &'static str {
        match self {
            Self::Early => "early",
            Self::OnTime => "on_time",
            Self::Late => "late",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Early, Self::OnTime, Self::Late]
            .into_iter()
            .find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Early => "Trước hạn",
            Self::OnTime => "Đúng hạn",
            Self::Late => "Trễ hạn",
        }
    }
}

/// What the catalogue says about a dossier's procedure, as the indicators need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProcedureTraits {
    /// Có phí, lệ phí.
    pub fee_bearing: bool,
    /// Offered as a fully online service (DVCTT toàn trình).
    pub fully_online: bool,
}

/// A dossier's facts, as counted by the indicators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierFacts {
    pub code: String,
    /// Đơn vị giải quyết: the competent unit, which the indicators judge.
    pub unit: String,
    pub procedure: String,
    /// Day the clock started (tiếp nhận); None until accepted, or if refused.
    pub received_day: Option<Date>,
    pub end: Option<EndKind>,
    pub end_day: Option<Date>,
    /// First day at whose end the dossier counts as late while still open: its due day, or
    /// the day of a second supplement request. None while paused with no second request.
    pub late_from: Option<Date>,
    pub verdict: Option<FinishVerdict>,
    pub online: bool,
    pub full_online_proc: bool,
    pub fee_bearing: bool,
    pub paid_online: bool,
    pub digitised: bool,
    pub reused: bool,
    pub synced: bool,
    pub electronic_result: bool,
    pub supplement_requests: u32,
    /// Working time used, paused time excluded, in hundredths of a day of the limit's measure.
    pub used_cd: i64,
    /// The statutory limit in the same measure.
    pub limit_cd: i64,
    pub rating: Option<u8>,
}

/// A change to one rollup row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupDelta {
    pub unit: String,
    pub procedure: String,
    pub day: Date,
    pub measures: Measures,
}

/// Ratings at or above this count as satisfied (hài lòng).
pub const SATISFIED_FROM: u8 = 4;

impl DossierFacts {
    /// The facts of a dossier as it stands, with its due date (None before acceptance) and the
    /// clock of its receiving unit.
    pub fn derive(
        d: &Dossier,
        due: Option<&DueDate>,
        clock: &WorkingClock,
        procedure: ProcedureTraits,
        synced: bool,
    ) -> Self {
        let end = if d.decided_at.is_some() {
            Some(EndKind::Decided)
        } else {
            match d.status {
                Status::Stopped => Some(EndKind::Stopped),
                Status::Withdrawn => Some(EndKind::Withdrawn),
                Status::Refused => Some(EndKind::Refused),
                _ => None,
            }
        };
        let end_at: Option<DateTime> = d.decided_at.or(d.closed_at);
        let second = d.second_supplement_at;
        // A new date given with an apology (gia hạn, form 04) does not make a late dossier on
        // time: the indicators judge against the statutory due date, pauses included,
        // extensions left out.
        let statutory: Option<DueDate> = if d.extensions.is_empty() {
            None
        } else {
            d.statutory_clock_request()
                .ok()
                .flatten()
                .and_then(|req| clock.due(&req).ok())
        };
        let due = statutory.as_ref().or(due);
        let mut verdict = None;
        let (mut used_cd, mut limit_cd) = (0, 0);
        if let (Some(kind), Some(at)) = (end, end_at)
            && kind.is_finished()
        {
            let by_clock = due.and_then(|due| WorkingClock::verdict(due, at).ok());
            verdict = Some(match by_clock {
                _ if second.is_some() || !d.extensions.is_empty() => FinishVerdict::Late,
                Some(Verdict::Late) => FinishVerdict::Late,
                Some(Verdict::Early) => FinishVerdict::Early,
                // No due date (no clock applies) cannot be missed.
                Some(Verdict::OnTime) | None => FinishVerdict::OnTime,
            });
            if let Some(due) = due {
                let day = clock.day_seconds(due.limit.unit()).max(1);
                if let Ok(p) = clock.progress(due, at) {
                    used_cd = p.elapsed_secs * 100 / day;
                }
                limit_cd = due.limit_secs * 100 / day;
            }
        }
        let due_day = due.and_then(|d| d.due).map(WorkingClock::due_day);
        let late_from = match (due_day, second.map(|s| s.date())) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Self {
            code: d.code.clone(),
            unit: d.competent_unit.clone(),
            procedure: d.procedure_code.clone(),
            received_day: d.received_at.map(|r| r.date()),
            end,
            end_day: end_at.map(|e| e.date()),
            late_from,
            verdict,
            online: d.channel == crate::procedure::Channel::Online,
            full_online_proc: procedure.fully_online,
            fee_bearing: procedure.fee_bearing,
            paid_online: d.payments.iter().any(|p| p.online),
            digitised: d.components.iter().any(|c| c.digitised),
            reused: d
                .components
                .iter()
                .any(|c| c.reused || c.from_national_data),
            synced,
            electronic_result: d.outcome.is_some() && d.results.iter().any(|r| r.electronic),
            supplement_requests: d.supplement_requests,
            used_cd,
            limit_cd,
            rating: d.rating.as_ref().map(|r| r.0),
        }
    }

    /// Finished (decided or stopped) for the on-time indicator.
    pub fn finished(&self) -> bool {
        self.end.is_some_and(EndKind::is_finished)
    }

    /// Counted as satisfied: rated 4-5, or not rated and finished on time.
    pub fn satisfied(&self) -> bool {
        match self.rating {
            Some(r) => r >= SATISFIED_FROM,
            None => matches!(
                self.verdict,
                Some(FinishVerdict::Early | FinishVerdict::OnTime)
            ),
        }
    }

    /// Open at the end of `day`: received on or before it, not ended by it.
    pub fn open_at(&self, day: Date) -> bool {
        self.received_day.is_some_and(|r| r <= day) && self.end_day.is_none_or(|e| e > day)
    }

    /// Open and counted late at the end of `day` (judged at period end).
    pub fn late_open_at(&self, day: Date) -> bool {
        self.open_at(day) && self.late_from.is_some_and(|l| l <= day)
    }

    /// What this dossier adds to the rollups, day by day.
    pub fn contributions(&self) -> Vec<(Date, Measures)> {
        let mut by_day: BTreeMap<Date, Measures> = BTreeMap::new();
        let Some(received) = self.received_day else {
            return Vec::new();
        };
        {
            let m = by_day.entry(received).or_default();
            let mut add = |measure: Measure, yes: bool| {
                if yes {
                    m.add(measure, 1);
                }
            };
            add(Measure::Received, true);
            add(Measure::ReceivedOnline, self.online);
            add(Measure::ReceivedFullProc, self.full_online_proc);
            add(
                Measure::ReceivedOnlineFullProc,
                self.online && self.full_online_proc,
            );
            add(Measure::FeeDossiers, self.fee_bearing);
            add(Measure::FeePaidOnline, self.fee_bearing && self.paid_online);
            add(Measure::FeeOnline, self.fee_bearing && self.online);
            add(
                Measure::FeeOnlinePaidOnline,
                self.fee_bearing && self.online && self.paid_online,
            );
            add(Measure::Digitised, self.digitised);
            add(Measure::Reused, self.reused);
            add(Measure::Synced, self.synced);
            add(Measure::OpenAtEnd, true);
        }
        if let Some(end_day) = self.end_day {
            by_day
                .entry(end_day)
                .or_default()
                .add(Measure::OpenAtEnd, -1);
        }
        if let Some(late_from) = self.late_from {
            let from = late_from.max(received);
            if self.end_day.is_none_or(|e| from < e) {
                by_day
                    .entry(from)
                    .or_default()
                    .add(Measure::LateOpenAtEnd, 1);
                if let Some(end_day) = self.end_day {
                    by_day
                        .entry(end_day)
                        .or_default()
                        .add(Measure::LateOpenAtEnd, -1);
                }
            }
        }
        if let (true, Some(end_day), Some(verdict)) = (self.finished(), self.end_day, self.verdict)
        {
            let m = by_day.entry(end_day).or_default();
            m.add(Measure::Finished, 1);
            match verdict {
                FinishVerdict::Early => {
                    m.add(Measure::FinishedOnTime, 1);
                    m.add(Measure::FinishedEarly, 1);
                }
                FinishVerdict::OnTime => m.add(Measure::FinishedOnTime, 1),
                FinishVerdict::Late => m.add(Measure::FinishedLate, 1),
            }
            m.add(Measure::UsedCentidays, self.used_cd);
            m.add(Measure::LimitCentidays, self.limit_cd);
            if self.end == Some(EndKind::Decided) {
                m.add(Measure::Decided, 1);
                if self.electronic_result {
                    m.add(Measure::ElectronicResult, 1);
                }
            }
            if let Some(r) = self.rating {
                m.add(Measure::Rated, 1);
                m.add(Measure::RatingSum, i64::from(r));
                if r >= SATISFIED_FROM {
                    m.add(Measure::RatedSatisfied, 1);
                }
            }
            if self.satisfied() {
                m.add(Measure::Satisfied, 1);
            }
        }
        by_day.into_iter().filter(|(_, m)| !m.is_zero()).collect()
    }

    /// The rollup changes that turn `old`'s contributions into `new`'s (either may be absent).
    pub fn diff(old: Option<&DossierFacts>, new: Option<&DossierFacts>) -> Vec<RollupDelta> {
        let mut rows: BTreeMap<(String, String, Date), Measures> = BTreeMap::new();
        if let Some(o) = old {
            for (day, m) in o.contributions() {
                *rows
                    .entry((o.unit.clone(), o.procedure.clone(), day))
                    .or_default() -= m;
            }
        }
        if let Some(n) = new {
            for (day, m) in n.contributions() {
                *rows
                    .entry((n.unit.clone(), n.procedure.clone(), day))
                    .or_default() += m;
            }
        }
        rows.into_iter()
            .filter(|(_, m)| !m.is_zero())
            .map(|((unit, procedure, day), measures)| RollupDelta {
                unit,
                procedure,
                day,
                measures,
            })
            .collect()
    }
}
