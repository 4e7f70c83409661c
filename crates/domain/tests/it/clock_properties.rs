//! Property tests of the statutory clock against the slow oracle ([`crate::oracle`]) and
//! against its own algebra (additivity, monotonicity, progress, verdicts).
//!
//! Starts are whole minutes in 2023-01-01..=2026-12-20, biased towards the edges of working
//! periods (07:00, 11:30, 13:30, 15:00, 17:00, midnight) and towards days near holidays and
//! make-up Saturdays, so that the conventions at those edges are exercised on every run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::oracle::{self, midnight, plus_secs};
use crate::{at, clock};
use cchc_domain::calendar::clock::ClockState;
use cchc_domain::calendar::{
    ClockRequest, DayMark, LimitUnit, Pause, StartRule, TimeLimit, Verdict, WorkingClock,
};
use jiff::Span;
use jiff::civil::{Date, DateTime, date};
use proptest::prelude::*;
use std::sync::OnceLock;

const CASES: u32 = 400;

const UNITS: [LimitUnit; 4] = [
    LimitUnit::WorkingDays,
    LimitUnit::WorkingHours,
    LimitUnit::Days,
    LimitUnit::DaysSkipOff,
];

fn plus_days(d: Date, n: i64) -> Date {
    d.checked_add(Span::new().days(n)).unwrap()
}

fn first_day() -> Date {
    date(2023, 1, 1)
}

/// Days from 2023-01-01 to 2026-12-20.
fn day_span() -> i64 {
    first_day()
        .until(date(2026, 12, 20))
        .unwrap()
        .get_days()
        .into()
}

/// The dates in range that are not ordinary (holidays, breaks, make-up days).
fn special_dates() -> &'static [Date] {
    static SPECIAL: OnceLock<Vec<Date>> = OnceLock::new();
    SPECIAL.get_or_init(|| {
        (0..=day_span())
            .map(|n| plus_days(first_day(), n))
            .filter(|d| clock().calendar().mark(*d).unwrap() != DayMark::Normal)
            .collect()
    })
}

/// A minute of the day, often right at (or one minute around) a boundary of the schedule.
fn minute_of_day() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => 0..1440i64,
        2 => prop::sample::select(vec![
            0i64, 1, 419, 420, 421, 689, 690, 691, 809, 810, 811, 899, 900, 901, 1019, 1020, 1021,
            1439,
        ]),
    ]
}

/// A date in range, sometimes within a few days of a special date.
fn day() -> impl Strategy<Value = Date> {
    let special = special_dates().to_vec();
    prop_oneof![
        2 => (0..=day_span()).prop_map(|n| plus_days(first_day(), n)),
        1 => (prop::sample::select(special), -4i64..=2).prop_map(|(d, off)| plus_days(d, off)),
    ]
}

fn at_minute(d: Date, minute: i64) -> DateTime {
    plus_secs(midnight(d), minute * 60)
}

fn instant() -> impl Strategy<Value = DateTime> {
    (day(), minute_of_day()).prop_map(|(d, m)| at_minute(d, m))
}

fn unit() -> impl Strategy<Value = LimitUnit> {
    prop::sample::select(UNITS.to_vec())
}

/// An amount in hundredths, often whole, up to a unit-dependent maximum.
fn amount(unit: LimitUnit) -> impl Strategy<Value = u32> {
    let max_whole: u32 = match unit {
        LimitUnit::WorkingDays => 30,
        LimitUnit::WorkingHours => 120,
        LimitUnit::Days => 60,
        LimitUnit::DaysSkipOff => 40,
    };
    prop_oneof![
        2 => (0..=max_whole).prop_map(|n| n * 100),
        1 => 0..=max_whole * 100,
    ]
}

fn limit_of(unit: LimitUnit, hundredths: u32) -> TimeLimit {
    let name = match unit {
        LimitUnit::WorkingDays => "working-days",
        LimitUnit::WorkingHours => "working-hours",
        LimitUnit::Days => "days",
        LimitUnit::DaysSkipOff => "days-skip-off",
    };
    let spec = format!("{}.{:02} {name}", hundredths / 100, hundredths % 100);
    let limit: TimeLimit = spec.parse().unwrap();
    assert_eq!((limit.unit(), limit.hundredths()), (unit, hundredths));
    limit
}

/// One dossier: receipt, limit, start rule and closed pauses in time order, none overlapping
/// (a pause may start exactly when the previous one ends).
#[derive(Debug, Clone)]
struct Scenario {
    start: DateTime,
    unit: LimitUnit,
    hundredths: u32,
    after_15h: bool,
    pauses: Vec<(DateTime, DateTime)>,
}

impl Scenario {
    fn limit(&self) -> TimeLimit {
        limit_of(self.unit, self.hundredths)
    }

    fn request(&self) -> ClockRequest {
        let mut r = ClockRequest::new(self.start, self.limit());
        if self.after_15h {
            r.start_rule = StartRule::after_15h();
        }
        r.pauses = self
            .pauses
            .iter()
            .map(|&(start, end)| Pause {
                start,
                end: Some(end),
                reason: String::new(),
            })
            .collect();
        r
    }

    fn case(&self) -> oracle::Case {
        oracle::Case {
            start: self.start,
            unit: self.unit,
            hundredths: self.hundredths,
            after_15h: self.after_15h,
            pauses: self.pauses.iter().map(|&(s, e)| (s, Some(e))).collect(),
        }
    }

    fn with_pauses(&self, pauses: Vec<(DateTime, DateTime)>) -> Self {
        Self {
            pauses,
            ..self.clone()
        }
    }
}

/// Up to `max` pauses after `start`: each begins some days after the previous end (or the
/// receipt) at some minute, and lasts some days to some minute (possibly zero length).
fn pauses_after(start: DateTime, max: usize) -> impl Strategy<Value = Vec<(DateTime, DateTime)>> {
    prop::collection::vec(
        (0i64..=6, minute_of_day(), 0i64..=4, minute_of_day()),
        0..=max,
    )
    .prop_map(move |shapes| {
        let mut prev = start;
        let mut out = Vec::new();
        for (gap, m1, len, m2) in shapes {
            let s = at_minute(plus_days(prev.date(), gap), m1).max(prev);
            let e = at_minute(plus_days(s.date(), len), m2).max(s);
            out.push((s, e));
            prev = e;
        }
        out
    })
}

fn scenario(max_pauses: usize) -> impl Strategy<Value = Scenario> {
    (instant(), unit(), any::<bool>())
        .prop_flat_map(move |(start, unit, after_15h)| {
            (
                Just(start),
                Just(unit),
                amount(unit),
                Just(after_15h),
                pauses_after(start, max_pauses),
            )
        })
        .prop_map(|(start, unit, hundredths, after_15h, pauses)| Scenario {
            start,
            unit,
            hundredths,
            after_15h,
            pauses,
        })
}

fn is_working(unit: LimitUnit) -> bool {
    matches!(unit, LimitUnit::WorkingDays | LimitUnit::WorkingHours)
}

fn due_of(s: &Scenario) -> DateTime {
    clock().due(&s.request()).unwrap().due.unwrap()
}

/// Seconds since midnight.
fn second_of_day(t: DateTime) -> i64 {
    oracle::secs_between(midnight(t.date()), t)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// The fast clock and the oracle agree on the effective start and the due instant, for
    /// every unit, with 0-3 closed pauses, with and without the 15:00 rule.
    #[test]
    fn due_matches_the_oracle(s in scenario(3)) {
        let d = clock().due(&s.request()).unwrap();
        let o = oracle::due(&s.case());
        prop_assert_eq!(d.effective_start, o.effective_start, "effective start of {:?}", s);
        prop_assert_eq!(d.due, o.due, "due of {:?}", s);
        prop_assert_eq!(d.limit_secs, oracle::limit_seconds(s.hundredths, s.unit));
        // The order the pauses are given in does not matter (when no two start together; see
        // the report: a zero-length pause sharing its start with another is order-sensitive).
        let distinct = s.pauses.windows(2).all(|w| w[0].0 < w[1].0);
        if distinct {
            let mut r = s.request();
            r.pauses.reverse();
            prop_assert_eq!(clock().due(&r).unwrap().due, o.due, "reversed pauses of {:?}", s);
        }
    }

    /// With the last pause still open: no due instant (and the counted time left when it began)
    /// if it began before the limit ran out, the oracle's due instant otherwise.
    #[test]
    fn open_pause_matches_the_oracle(s in scenario(3).prop_filter("needs a pause", |s| !s.pauses.is_empty())) {
        let mut r = s.request();
        r.pauses.last_mut().unwrap().end = None;
        let mut c = s.case();
        c.pauses.last_mut().unwrap().1 = None;
        let d = clock().due(&r).unwrap();
        let o = oracle::due(&c);
        prop_assert_eq!(d.effective_start, o.effective_start);
        prop_assert_eq!(d.due, o.due, "due of {:?}", s);
        prop_assert_eq!(d.remaining_when_paused, o.remaining_when_paused, "remaining of {:?}", s);
        if d.due.is_none() {
            prop_assert_eq!(WorkingClock::verdict(&d, s.start), Err(cchc_domain::calendar::ClockError::StillPaused));
        }
    }

    /// `counted_between` agrees with the oracle's count, in both directions.
    #[test]
    fn counted_between_matches_the_oracle(a in instant(), b in instant(), unit in unit()) {
        // Keep the spans short enough for the oracle: within 120 days of `a`.
        let b = b.min(plus_secs(a, 120 * 86_400)).max(plus_secs(a, -120 * 86_400));
        prop_assert_eq!(
            clock().counted_between(a, b, unit).unwrap(),
            oracle::counted(a, b, unit)
        );
    }

    /// Additivity. Let d1 = start + N and d2 = d1 + M (same unit, no pauses, no rule).
    /// - M > 0: d2 = start + (N + M), exactly, even when d1 is a close (11:30, 17:00, 24:00)
    ///   and the second count therefore starts at the next opening.
    /// - M = 0: d2 is d1 moved to the next counted instant (d1 itself inside working time,
    ///   the next opening when d1 is a close), which differs from start + N at a close.
    /// Also N working days = 8N working hours.
    #[test]
    fn adding_n_then_m_equals_adding_n_plus_m(
        start in instant(),
        (unit, n, m) in unit().prop_flat_map(|u| (Just(u), amount(u), amount(u))),
    ) {
        let add = |from, h| clock().add(from, limit_of(unit, h)).unwrap();
        let d1 = add(start, n);
        let d2 = add(d1, m);
        if m > 0 {
            prop_assert_eq!(d2, add(start, n + m));
        } else {
            prop_assert_eq!(d2, oracle::first_counted_at_or_after(d1, unit));
        }
        if unit == LimitUnit::WorkingDays {
            prop_assert_eq!(d1, clock().add(start, limit_of(LimitUnit::WorkingHours, n * 8)).unwrap());
        }
    }

    /// Counted time from the effective start to the due instant is the limit plus the counted
    /// time of the pauses that applied (exactly the limit with no pauses); the pauses' counted
    /// time is the oracle's count of paused time inside [effective start, due].
    #[test]
    fn elapsed_to_due_is_limit_plus_paused(s in scenario(3)) {
        let d = clock().due(&s.request()).unwrap();
        let due = d.due.unwrap();
        let elapsed = clock().counted_between(d.effective_start, due, s.unit).unwrap();
        let paused: i64 = d.pauses.iter().filter(|p| p.applied).map(|p| p.counted).sum();
        prop_assert_eq!(elapsed, d.limit_secs + paused);
        let case = s.case();
        let oracle_paused = oracle::counted(d.effective_start, due, s.unit)
            - oracle::counted_unpaused(&case, d.effective_start, due);
        prop_assert_eq!(paused, oracle_paused, "paused time of {:?}", s);
        if s.pauses.is_empty() {
            prop_assert_eq!(elapsed, d.limit_secs);
        }
        // A pause that did not apply began when the limit had already run out.
        for p in d.pauses.iter().filter(|p| !p.applied) {
            prop_assert_eq!(p.counted, 0);
            let begin = p.pause.start.max(d.effective_start);
            prop_assert!(oracle::counted_unpaused(&case, d.effective_start, begin) >= d.limit_secs);
        }
    }

    /// For a positive working limit the due instant lies on a day with working time, inside
    /// (opening, close] of one of that day's periods; for days-skip-off the last counted second
    /// before it lies on a day with working time.
    #[test]
    fn due_lies_in_working_time(s in scenario(3).prop_filter("positive", |s| s.hundredths > 0)) {
        let due = due_of(&s);
        if is_working(s.unit) {
            let date = due.date();
            let mark = clock().calendar().mark(date).unwrap();
            prop_assert!(!matches!(mark, DayMark::Off(_)), "due {} on a day off", due);
            let periods = match mark {
                DayMark::Worked(_) => clock().schedule().make_up_periods(),
                _ => clock().schedule().periods(date.weekday()),
            };
            let t = second_of_day(due);
            prop_assert!(
                periods.iter().any(|p| i64::from(p.start) * 60 < t && t <= i64::from(p.end) * 60),
                "due {} outside working periods ({:?})", due, s
            );
        }
        if s.unit == LimitUnit::DaysSkipOff {
            prop_assert!(oracle::is_working_day(plus_secs(due, -1).date()), "due {}", due);
        }
    }

    /// Adding a pause never makes the due date earlier, nor does ending a pause later.
    #[test]
    fn pauses_only_push_the_due_date_later(
        s in scenario(3),
        which in any::<prop::sample::Index>(),
        extra_minutes in 0i64..=5 * 1440,
    ) {
        let mut previous = due_of(&s.with_pauses(Vec::new()));
        for k in 1..=s.pauses.len() {
            let next = due_of(&s.with_pauses(s.pauses[..k].to_vec()));
            prop_assert!(next >= previous, "pause {} moved due earlier: {:?}", k, s);
            previous = next;
        }
        if !s.pauses.is_empty() {
            let i = which.index(s.pauses.len());
            let mut later = s.pauses.clone();
            let mut end = plus_secs(later[i].1, extra_minutes * 60);
            if let Some(next) = s.pauses.get(i + 1) {
                end = end.min(next.0);
            }
            later[i].1 = end;
            prop_assert!(due_of(&s.with_pauses(later)) >= due_of(&s));
        }
    }

    /// At the due instant all the limit is used and nothing is left; one minute later the
    /// dossier is overdue by the counted time of that minute; at the effective start nothing
    /// is used.
    #[test]
    fn progress_at_due_is_used_up(s in scenario(3)) {
        let d = clock().due(&s.request()).unwrap();
        let due = d.due.unwrap();
        let p = clock().progress(&d, due).unwrap();
        prop_assert_eq!(p.state, ClockState::Running);
        prop_assert_eq!(p.elapsed_secs, d.limit_secs);
        prop_assert_eq!(p.remaining_secs, 0);

        let after = plus_secs(due, 60);
        let p = clock().progress(&d, after).unwrap();
        prop_assert_eq!(p.state, ClockState::Overdue);
        prop_assert_eq!(p.remaining_secs, -oracle::counted(due, after, s.unit));

        let p = clock().progress(&d, d.effective_start).unwrap();
        prop_assert_eq!(p.elapsed_secs, 0);
        prop_assert_eq!(p.remaining_secs, d.limit_secs);
        if d.effective_start > s.start {
            let p = clock().progress(&d, s.start).unwrap();
            prop_assert_eq!(p.state, ClockState::NotStarted);
        }
    }

    /// Before the due instant, progress counts what the oracle counts: the counted time since
    /// the effective start minus the paused time, and the rest of the limit is left.
    #[test]
    fn progress_before_due_matches_the_oracle(s in scenario(3), permille in 0i64..=1000) {
        let d = clock().due(&s.request()).unwrap();
        let due = d.due.unwrap();
        let span_minutes = oracle::secs_between(s.start, due) / 60;
        let t = plus_secs(s.start, span_minutes * permille / 1000 * 60);
        let p = clock().progress(&d, t).unwrap();
        let used = oracle::counted_unpaused(&s.case(), d.effective_start, t.max(d.effective_start));
        prop_assert_eq!(p.elapsed_secs, used, "at {} for {:?}", t, s);
        prop_assert_eq!(p.remaining_secs, d.limit_secs - used);
        // Inside a pause (ended or not) the clock reports Paused, also for a past instant.
        let in_pause = d.pauses.iter().any(|ap| {
            ap.applied && ap.pause.start <= t && ap.pause.end.is_none_or(|e| t < e)
        });
        let expected = if t < d.effective_start {
            ClockState::NotStarted
        } else if in_pause {
            ClockState::Paused
        } else {
            ClockState::Running
        };
        prop_assert_eq!(p.state, expected);
    }

    /// Finishing at the due instant is on time, one minute later is late, earlier on the same
    /// date is on time, on an earlier date is early.
    #[test]
    fn verdicts_around_the_due_instant(s in scenario(3), before in 1i64..=3 * 1440) {
        let d = clock().due(&s.request()).unwrap();
        let due = d.due.unwrap();
        prop_assert_eq!(WorkingClock::verdict(&d, due).unwrap(), Verdict::OnTime);
        prop_assert_eq!(WorkingClock::verdict(&d, plus_secs(due, 60)).unwrap(), Verdict::Late);
        let earlier = plus_secs(due, -60 * before);
        // A due at 00:00 belongs to the day before (24:00 of the last counted day).
        let expected = if earlier.date() < WorkingClock::due_day(due) { Verdict::Early } else { Verdict::OnTime };
        prop_assert_eq!(WorkingClock::verdict(&d, earlier).unwrap(), expected);
    }
}

#[test]
fn zero_limit_is_due_at_the_effective_start_not_the_previous_close() {
    // Saturday 20:00 + 0 working hours: the counted position equals Friday 17:00's, but the
    // due instant is the effective start, Monday 07:00 (an opening, not inside (07:00, 17:00]).
    let r = ClockRequest::new(at("2025-03-08T20:00"), limit_of(LimitUnit::WorkingHours, 0));
    let d = clock().due(&r).unwrap();
    assert_eq!(d.effective_start, at("2025-03-10T07:00"));
    assert_eq!(d.due, Some(at("2025-03-10T07:00")));
    // And N + 0 from a close moves to the next opening while N alone ends at the close.
    let d1 = clock()
        .add(at("2025-03-10T07:00"), "1 working-days".parse().unwrap())
        .unwrap();
    assert_eq!(d1, at("2025-03-10T17:00"));
    let d2 = clock().add(d1, "0 working-days".parse().unwrap()).unwrap();
    assert_eq!(d2, at("2025-03-11T07:00"));
    assert_eq!(
        clock().add(d1, "1 working-hours".parse().unwrap()).unwrap(),
        clock()
            .add(at("2025-03-10T07:00"), "9 working-hours".parse().unwrap())
            .unwrap()
    );
}

#[test]
fn a_pause_starting_when_the_limit_runs_out_does_not_move_the_due_date() {
    let pause = |start: &str, end: &str| Pause {
        start: at(start),
        end: Some(at(end)),
        reason: String::new(),
    };
    // Monday 07:00 + 1 working day = Monday 17:00.
    let mut r = ClockRequest::new(at("2025-03-10T07:00"), "1 working-days".parse().unwrap());
    // Starting at the close, or in the evening after it: not applied.
    for start in ["2025-03-10T17:00", "2025-03-10T18:00"] {
        r.pauses = vec![pause(start, "2025-03-12T10:00")];
        let d = clock().due(&r).unwrap();
        assert_eq!(d.due, Some(at("2025-03-10T17:00")));
        assert!(!d.pauses[0].applied);
    }
    // Starting one minute before the close: one minute before + Wednesday 07:00-10:00.
    r.pauses = vec![pause("2025-03-10T16:59", "2025-03-12T10:00")];
    let d = clock().due(&r).unwrap();
    assert!(d.pauses[0].applied);
    assert_eq!(d.pauses[0].counted, 60 + 8 * 3600 + 3 * 3600);
    assert_eq!(d.due, Some(at("2025-03-12T10:01")));
}

#[test]
fn after_15h_rule_moves_every_unit_to_the_next_working_opening() {
    // Friday 15:01: the rule moves even calendar-day limits to Monday 07:00.
    for (limit, due) in [
        ("1 days", "2025-03-11T07:00"),
        ("1 days-skip-off", "2025-03-11T07:00"),
        ("1 working-hours", "2025-03-10T08:00"),
    ] {
        let mut r = ClockRequest::new(at("2025-03-07T15:01"), limit.parse().unwrap());
        r.start_rule = StartRule::after_15h();
        let d = clock().due(&r).unwrap();
        assert_eq!(d.effective_start, at("2025-03-10T07:00"), "{limit}");
        assert_eq!(d.due, Some(at(due)), "{limit}");
    }
    // On a make-up Saturday (26/4/2025) the rule applies too: next working day is Monday 28/4.
    let mut r = ClockRequest::new(at("2025-04-26T16:00"), "1 working-hours".parse().unwrap());
    r.start_rule = StartRule::after_15h();
    assert_eq!(clock().due(&r).unwrap().due, Some(at("2025-04-28T08:00")));
    // Skip-off limits end at 24:00 of a working day, which is 00:00 of the next (maybe off) day.
    let r = ClockRequest::new(at("2025-03-03T00:00"), "5 days-skip-off".parse().unwrap());
    assert_eq!(clock().due(&r).unwrap().due, Some(at("2025-03-08T00:00")));
}
