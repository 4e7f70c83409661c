//! A slow, obviously-correct reference for the statutory clock, written without the timelines
//! or `WorkingClock::due`: it only asks the calendar for each date's mark and the schedule for
//! the periods of that date, then walks forward period by period, one second at a time of
//! arithmetic (no prefix sums, no binary search).
//!
//! Conventions it encodes, straight from the rules:
//! - a period is `[start, end)`: its opening counts, its close does not;
//! - the clock starts at the first counted instant at or after receipt (or, under the
//!   "after 15:00" rule on a working day, at the next working day's first opening);
//! - the due instant is the *earliest* instant at which the counted time (minus paused time)
//!   reaches the limit, so a limit that runs out at a close ends at that close;
//! - paused time `[start, end)` is simply not counted; an open pause never ends.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::clock;
use cchc_domain::calendar::{DayMark, LimitUnit};
use jiff::SignedDuration;
use jiff::civil::{Date, DateTime, Time};

/// An interval `[from, to)` of civil time.
pub type Interval = (DateTime, DateTime);

/// Never looks further than this many days for counted time (the data covers centuries; a
/// loop this long means the oracle itself is wrong).
const HORIZON_DAYS: u32 = 20 * 366;

/// Everything the oracle needs to know about one dossier.
#[derive(Debug, Clone)]
pub struct Case {
    pub start: DateTime,
    pub unit: LimitUnit,
    /// The amount in hundredths of the unit ("2.5 working-days" = 250).
    pub hundredths: u32,
    /// "Received after 15:00 on a working day counts from the next working day."
    pub after_15h: bool,
    /// `(start, end)`; `end == None` is a pause still open.
    pub pauses: Vec<(DateTime, Option<DateTime>)>,
}

/// The oracle's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    pub effective_start: DateTime,
    /// None when an open pause began before the limit ran out.
    pub due: Option<DateTime>,
    /// Counted seconds left when the open pause began (if it stopped the clock).
    pub remaining_when_paused: Option<i64>,
}

pub fn tomorrow(date: Date) -> Date {
    date.tomorrow().expect("dates stay inside the calendar")
}

pub fn midnight(date: Date) -> DateTime {
    date.to_datetime(Time::midnight())
}

/// `date` + `minutes` since midnight (1440 is the next midnight).
fn at_minute(date: Date, minutes: u16) -> DateTime {
    plus_secs(midnight(date), i64::from(minutes) * 60)
}

pub fn plus_secs(t: DateTime, secs: i64) -> DateTime {
    t.checked_add(SignedDuration::from_secs(secs))
        .expect("instants stay representable")
}

/// Seconds from `a` to `b` (negative when `b < a`).
pub fn secs_between(a: DateTime, b: DateTime) -> i64 {
    a.duration_until(b).as_secs()
}

/// The working periods of a date: none on a day off, the make-up hours on a worked weekend day,
/// the weekday's hours otherwise (which are empty on an ordinary Saturday or Sunday).
pub fn working_periods(date: Date) -> Vec<Interval> {
    let schedule = clock().schedule();
    let periods = match clock()
        .calendar()
        .mark(date)
        .expect("dates stay inside the calendar")
    {
        DayMark::Off(_) => &[][..],
        DayMark::Worked(_) => schedule.make_up_periods(),
        DayMark::Normal => schedule.periods(date.weekday()),
    };
    periods
        .iter()
        .map(|p| (at_minute(date, p.start), at_minute(date, p.end)))
        .collect()
}

/// True when some working time falls on the date.
pub fn is_working_day(date: Date) -> bool {
    !working_periods(date).is_empty()
}

/// The counted intervals of a date in a unit's measure.
pub fn counted_periods(date: Date, unit: LimitUnit) -> Vec<Interval> {
    let whole_day = (midnight(date), midnight(tomorrow(date)));
    match unit {
        LimitUnit::WorkingDays | LimitUnit::WorkingHours => working_periods(date),
        LimitUnit::Days => vec![whole_day],
        LimitUnit::DaysSkipOff if is_working_day(date) => vec![whole_day],
        LimitUnit::DaysSkipOff => Vec::new(),
    }
}

/// Counted seconds a limit stands for: one working day is the schedule's working-day length,
/// one hour is 3600 s, one (calendar or skip-off) day is 86 400 s.
pub fn limit_seconds(hundredths: u32, unit: LimitUnit) -> i64 {
    let per_unit = match unit {
        LimitUnit::WorkingDays => i64::from(clock().schedule().working_day_minutes()) * 60,
        LimitUnit::WorkingHours => 3600,
        LimitUnit::Days | LimitUnit::DaysSkipOff => 86_400,
    };
    i64::from(hundredths) * per_unit / 100
}

/// The first counted instant at or after `t`: `t` itself when it lies inside a period.
pub fn first_counted_at_or_after(t: DateTime, unit: LimitUnit) -> DateTime {
    let mut date = t.date();
    for _ in 0..HORIZON_DAYS {
        for (a, b) in counted_periods(date, unit) {
            if b > t {
                return a.max(t);
            }
        }
        date = tomorrow(date);
    }
    panic!("no counted time within {HORIZON_DAYS} days after {t}");
}

/// Where the clock starts counting.
pub fn effective_start(start: DateTime, unit: LimitUnit, after_15h: bool) -> DateTime {
    let cutoff = Time::constant(15, 0, 0, 0);
    if after_15h && is_working_day(start.date()) && start.time() > cutoff {
        let next_opening =
            first_counted_at_or_after(midnight(tomorrow(start.date())), LimitUnit::WorkingDays);
        return first_counted_at_or_after(next_opening, unit);
    }
    first_counted_at_or_after(start, unit)
}

/// Counted seconds in `[from, to)` in a unit's measure (negative when `to < from`).
pub fn counted(from: DateTime, to: DateTime, unit: LimitUnit) -> i64 {
    if to < from {
        return -counted(to, from, unit);
    }
    let mut total = 0;
    let mut date = from.date();
    while midnight(date) < to {
        for (a, b) in counted_periods(date, unit) {
            let (a, b) = (a.max(from), b.min(to));
            if a < b {
                total += secs_between(a, b);
            }
        }
        date = tomorrow(date);
    }
    total
}

/// The pauses as intervals; an open pause lasts forever.
fn holes(case: &Case) -> Vec<Interval> {
    let mut holes: Vec<Interval> = case
        .pauses
        .iter()
        .map(|&(s, e)| (s, e.unwrap_or(DateTime::MAX)))
        .collect();
    holes.sort();
    holes
}

/// `[from, to)` minus the holes, in time order.
fn subtract(piece: Interval, holes: &[Interval]) -> Vec<Interval> {
    let mut pieces = vec![piece];
    for &(hole_start, hole_end) in holes {
        let mut next = Vec::new();
        for (a, b) in pieces {
            if a < hole_start.min(b) {
                next.push((a, hole_start.min(b)));
            }
            if hole_end.max(a) < b {
                next.push((hole_end.max(a), b));
            }
        }
        pieces = next;
    }
    pieces
}

/// Counted seconds in `[from, to)` outside the pauses.
pub fn counted_unpaused(case: &Case, from: DateTime, to: DateTime) -> i64 {
    let holes = holes(case);
    let mut total = 0;
    let mut date = from.date();
    while midnight(date) < to {
        for (a, b) in counted_periods(date, case.unit) {
            let (a, b) = (a.max(from), b.min(to));
            if a < b {
                total += subtract((a, b), &holes)
                    .into_iter()
                    .map(|(x, y)| secs_between(x, y))
                    .sum::<i64>();
            }
        }
        date = tomorrow(date);
    }
    total
}

/// The due instant: walk the counted periods from the effective start, skipping paused time,
/// until the limit is used up.
pub fn due(case: &Case) -> Answer {
    let eff = effective_start(case.start, case.unit, case.after_15h);
    let limit = limit_seconds(case.hundredths, case.unit);
    let open_since = case
        .pauses
        .iter()
        .find(|(_, end)| end.is_none())
        .map(|&(s, _)| s);
    let answer = |due| Answer {
        effective_start: eff,
        due,
        remaining_when_paused: None,
    };
    if limit == 0 {
        return answer(Some(eff));
    }
    let holes = holes(case);
    let mut left = limit;
    let mut date = eff.date();
    for _ in 0..HORIZON_DAYS {
        for (a, b) in counted_periods(date, case.unit) {
            if b <= eff {
                continue;
            }
            for (x, y) in subtract((a.max(eff), b), &holes) {
                let len = secs_between(x, y);
                if left <= len {
                    return answer(Some(plus_secs(x, left)));
                }
                left -= len;
            }
        }
        date = tomorrow(date);
        if let Some(open) = open_since
            && midnight(date) > open
        {
            // Nothing counts after the open pause began, and the limit is not used up.
            let used = counted_unpaused(case, eff, open.max(eff));
            return Answer {
                effective_start: eff,
                due: None,
                remaining_when_paused: Some(limit - used),
            };
        }
    }
    panic!("limit not used up within {HORIZON_DAYS} days: {case:?}");
}

/// The due instant of a limit from a start, with no pauses and no start rule.
pub fn add(start: DateTime, hundredths: u32, unit: LimitUnit) -> DateTime {
    due(&Case {
        start,
        unit,
        hundredths,
        after_15h: false,
        pauses: Vec::new(),
    })
    .due
    .expect("no pause, so a due instant")
}

#[cfg(test)]
mod self_checks {
    //! The oracle on a few hand-checked instants, so that agreement with the clock means
    //! something.
    use super::*;
    use crate::at;

    #[test]
    fn the_oracle_agrees_with_hand_computed_examples() {
        let wd = LimitUnit::WorkingDays;
        assert_eq!(clock().schedule().working_day_minutes(), 480);
        // Monday 07:00 + 1 working day = Monday 17:00 (close), not Tuesday 07:00.
        assert_eq!(add(at("2025-03-03T07:00"), 100, wd), at("2025-03-03T17:00"));
        // Lunch is skipped: Monday 11:00 + 1 h = 14:00.
        assert_eq!(
            add(at("2025-03-03T11:00"), 100, LimitUnit::WorkingHours),
            at("2025-03-03T14:00")
        );
        // Friday 24/1/2025 10:00 + 5 working days across the Tết break 25/1-2/2.
        assert_eq!(add(at("2025-01-24T10:00"), 500, wd), at("2025-02-07T10:00"));
        // Make-up Saturday 26/4/2025 counts.
        assert_eq!(add(at("2025-04-25T07:00"), 200, wd), at("2025-04-26T17:00"));
        // Skip-off: Friday 10:00-24:00, then Monday 3/2 whole, then Tuesday until 10:00.
        assert_eq!(
            add(at("2025-01-24T10:00"), 200, LimitUnit::DaysSkipOff),
            at("2025-02-04T10:00")
        );
        assert_eq!(
            add(at("2025-01-24T10:00"), 1000, LimitUnit::Days),
            at("2025-02-03T10:00")
        );
        // 0.01 working-days = 288 s.
        assert_eq!(
            add(at("2025-03-03T07:00"), 1, wd),
            at("2025-03-03T07:04:48")
        );
        // After 15:00 with the rule: Friday 15:30 → Monday 07:00.
        let case = Case {
            start: at("2025-03-07T15:30"),
            unit: wd,
            hundredths: 100,
            after_15h: true,
            pauses: vec![],
        };
        assert_eq!(due(&case).effective_start, at("2025-03-10T07:00"));
        assert_eq!(due(&case).due, Some(at("2025-03-10T17:00")));
        // A pause Friday 16:00 → Monday 08:00 costs two working hours.
        let case = Case {
            start: at("2025-03-03T07:00"),
            unit: wd,
            hundredths: 500,
            after_15h: false,
            pauses: vec![(at("2025-03-07T16:00"), Some(at("2025-03-10T08:00")))],
        };
        assert_eq!(due(&case).due, Some(at("2025-03-10T09:00")));
        assert_eq!(
            counted(at("2025-03-07T16:00"), at("2025-03-10T08:00"), wd),
            2 * 3600
        );
        // An open pause at 09:00 of a 1-working-day limit from 07:00 leaves 6 h.
        let case = Case {
            start: at("2025-03-03T07:00"),
            unit: wd,
            hundredths: 100,
            after_15h: false,
            pauses: vec![(at("2025-03-03T09:00"), None)],
        };
        assert_eq!(due(&case).due, None);
        assert_eq!(due(&case).remaining_when_paused, Some(6 * 3600));
    }
}
