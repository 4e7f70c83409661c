//! The statutory clock on worked examples, each checked by hand against the calendar.

use crate::{at, clock};
use cchc_domain::calendar::{
    ClockError, ClockRequest, Extension, ExtensionKind, LimitUnit, Pause, StartRule, TimeLimit,
    Verdict, WorkingClock, clock::ClockState,
};

fn req(start: &str, limit: &str) -> ClockRequest {
    ClockRequest::new(at(start), limit.parse().unwrap())
}

fn due(r: &ClockRequest) -> jiff::civil::DateTime {
    clock().due(r).unwrap().due.unwrap()
}

#[test]
fn five_working_days_across_tet_2025() {
    // Friday 24/1 10:00; Tết 27/1-31/1 and the weekends skipped; Monday 3/2 is a working day.
    let r = req("2025-01-24T10:00", "5 working-days");
    assert_eq!(due(&r), at("2025-02-07T10:00"));
    let d = clock().due(&r).unwrap();
    let steps = clock().explain(&d);
    let off: Vec<_> = steps.iter().filter(|s| s.kind == "day_off").collect();
    assert_eq!(off.len(), 9, "25/1..2/2 are the announced break");
    assert!(
        off.iter()
            .all(|s| s.source.as_deref() == Some("6150/TB-BLĐTBXH"))
    );
    assert!(steps.last().unwrap().text.contains("10:00 07/02/2025"));
}

#[test]
fn a_limit_ending_at_close_ends_at_close() {
    // Monday 07:00 + 1 working day = Monday 17:00, not Tuesday 07:00.
    assert_eq!(
        due(&req("2025-03-03T07:00", "1 working-days")),
        at("2025-03-03T17:00")
    );
    // Morning 4.5 hours end at 11:30.
    assert_eq!(
        due(&req("2025-03-03T07:00", "4.5 working-hours")),
        at("2025-03-03T11:30")
    );
}

#[test]
fn start_outside_working_time_moves_to_next_opening() {
    // Saturday evening → Monday 07:00.
    let d = clock()
        .due(&req("2025-03-08T20:00", "2 working-hours"))
        .unwrap();
    assert_eq!(d.effective_start, at("2025-03-10T07:00"));
    assert_eq!(d.due, Some(at("2025-03-10T09:00")));
    // Lunch break → 13:30.
    let d = clock()
        .due(&req("2025-03-10T12:00", "1 working-hours"))
        .unwrap();
    assert_eq!(d.due, Some(at("2025-03-10T14:30")));
}

#[test]
fn after_15h_rule_starts_next_working_day() {
    let mut r = req("2025-03-07T15:30", "1 working-days");
    assert_eq!(
        due(&r),
        at("2025-03-10T15:30"),
        "without the rule: Fri 1.5h + Mon 4.5h + 2h"
    );
    r.start_rule = StartRule::after_15h();
    let d = clock().due(&r).unwrap();
    assert_eq!(d.effective_start, at("2025-03-10T07:00"));
    assert_eq!(d.due, Some(at("2025-03-10T17:00")));
    // At 15:00 sharp the rule does not apply.
    let mut r = req("2025-03-07T15:00", "1 working-days");
    r.start_rule = StartRule::after_15h();
    assert_eq!(
        clock().due(&r).unwrap().effective_start,
        at("2025-03-07T15:00")
    );
}

#[test]
fn pause_is_excluded_in_working_time_not_calendar_days() {
    // Friday 16:00 → Monday 08:00 costs 2 working hours (1 on Friday, 1 on Monday).
    let mut r = req("2025-03-03T07:00", "5 working-days");
    assert_eq!(due(&r), at("2025-03-07T17:00"));
    r.pauses.push(Pause {
        start: at("2025-03-07T16:00"),
        end: Some(at("2025-03-10T08:00")),
        reason: "chờ bổ sung".into(),
    });
    assert_eq!(due(&r), at("2025-03-10T09:00"));
}

#[test]
fn make_up_saturday_counts() {
    // 2025: Saturday 26/4 is worked in exchange for Friday 2/5.
    assert_eq!(
        due(&req("2025-04-25T07:00", "2 working-days")),
        at("2025-04-26T17:00")
    );
}

#[test]
fn calendar_days_and_skip_off() {
    assert_eq!(
        due(&req("2025-01-24T10:00", "10 days")),
        at("2025-02-03T10:00")
    );
    // Skip-off: Friday 10:00-24:00 counts, then 25/1..2/2 off, Monday 3/2 on.
    assert_eq!(
        due(&req("2025-01-24T10:00", "2 days-skip-off")),
        at("2025-02-04T10:00")
    );
}

#[test]
fn open_pause_has_no_due_and_freezes_remaining() {
    let mut r = req("2025-03-03T07:00", "1 working-days");
    r.pauses.push(Pause {
        start: at("2025-03-03T09:00"),
        end: None,
        reason: String::new(),
    });
    let d = clock().due(&r).unwrap();
    assert_eq!(d.due, None);
    assert_eq!(d.remaining_when_paused, Some(6 * 3600));
    let p = clock().progress(&d, at("2025-03-20T09:00")).unwrap();
    assert_eq!(p.state, ClockState::Paused);
    assert_eq!(p.elapsed_secs, 2 * 3600);
    assert_eq!(p.remaining_secs, 6 * 3600);
    assert_eq!(
        WorkingClock::verdict(&d, at("2025-03-20T09:00")),
        Err(ClockError::StillPaused)
    );
}

#[test]
fn progress_and_verdicts() {
    let r = req("2025-03-03T07:00", "2 working-days");
    let d = clock().due(&r).unwrap();
    assert_eq!(d.due, Some(at("2025-03-04T17:00")));
    let p = clock().progress(&d, at("2025-03-04T07:00")).unwrap();
    assert_eq!((p.elapsed_secs, p.remaining_secs), (8 * 3600, 8 * 3600));
    assert_eq!(p.state, ClockState::Running);
    let p = clock().progress(&d, at("2025-03-05T08:00")).unwrap();
    assert_eq!(p.state, ClockState::Overdue);
    assert_eq!(p.remaining_secs, -3600);
    assert_eq!(
        WorkingClock::verdict(&d, at("2025-03-03T16:00")).unwrap(),
        Verdict::Early
    );
    assert_eq!(
        WorkingClock::verdict(&d, at("2025-03-04T17:00")).unwrap(),
        Verdict::OnTime
    );
    assert_eq!(
        WorkingClock::verdict(&d, at("2025-03-04T17:01")).unwrap(),
        Verdict::Late
    );
}

#[test]
fn extensions_move_the_due_date_later_only() {
    let mut r = req("2025-03-03T07:00", "1 working-days");
    r.extensions.push(Extension {
        at: at("2025-03-03T16:00"),
        kind: ExtensionKind::Add(TimeLimit::working_days(2)),
        reason: "cần xác minh thêm".into(),
    });
    assert_eq!(due(&r), at("2025-03-05T17:00"));
    r.extensions.push(Extension {
        at: at("2025-03-05T10:00"),
        kind: ExtensionKind::NewDue(at("2025-03-10T10:00")),
        reason: "phiếu xin lỗi".into(),
    });
    assert_eq!(due(&r), at("2025-03-10T10:00"));
    r.extensions.push(Extension {
        at: at("2025-03-06T10:00"),
        kind: ExtensionKind::NewDue(at("2025-03-04T10:00")),
        reason: "sai".into(),
    });
    let d = clock().due(&r).unwrap();
    assert_eq!(d.due, Some(at("2025-03-10T10:00")));
    assert!(!d.extensions[2].applied);
}

#[test]
fn bad_input_is_refused() {
    assert!(matches!(
        "-5 working-days".parse::<TimeLimit>(),
        Err(ClockError::NegativeLimit(_))
    ));
    assert!(matches!(
        "5 weeks".parse::<TimeLimit>(),
        Err(ClockError::UnknownUnit(_))
    ));
    assert!(matches!(
        "5".parse::<TimeLimit>(),
        Err(ClockError::LimitSyntax(_))
    ));
    assert!(matches!(
        "1.234 days".parse::<TimeLimit>(),
        Err(ClockError::LimitSyntax(_))
    ));
    assert!(matches!(
        "99999 days".parse::<TimeLimit>(),
        Err(ClockError::LimitTooLong(_))
    ));
    let mut r = req("2025-03-03T07:00", "1 working-days");
    r.pauses.push(Pause {
        start: at("2025-03-03T09:00"),
        end: Some(at("2025-03-03T08:00")),
        reason: String::new(),
    });
    assert!(matches!(
        clock().due(&r),
        Err(ClockError::PauseEndsBeforeStart { .. })
    ));
    let mut r = req("2025-03-03T07:00", "1 working-days");
    r.pauses.push(Pause {
        start: at("2025-03-02T09:00"),
        end: Some(at("2025-03-03T08:00")),
        reason: String::new(),
    });
    assert!(matches!(
        clock().due(&r),
        Err(ClockError::PauseBeforeStart { .. })
    ));
    let mut r = req("2025-03-03T07:00", "1 working-days");
    r.pauses.push(Pause {
        start: at("2025-03-03T09:00"),
        end: Some(at("2025-03-03T11:00")),
        reason: String::new(),
    });
    r.pauses.push(Pause {
        start: at("2025-03-03T10:00"),
        end: Some(at("2025-03-03T12:00")),
        reason: String::new(),
    });
    assert!(matches!(
        clock().due(&r),
        Err(ClockError::PausesOverlap(..))
    ));
    assert!(matches!(
        clock().due(&req("2199-12-31T07:00", "5 working-days")),
        Err(ClockError::DueOutOfRange)
    ));
    assert_eq!(TimeLimit::working_days(5).unit(), LimitUnit::WorkingDays);
}

#[test]
fn pause_order_does_not_decide_acceptance() {
    // A zero-length pause and a one-hour pause starting at the same instant, in both orders.
    let p = |end: &str| Pause {
        start: at("2025-03-10T10:00"),
        end: Some(at(end)),
        reason: String::new(),
    };
    let mut a = req("2025-03-10T07:00", "1 working-days");
    a.pauses = vec![p("2025-03-10T10:00"), p("2025-03-10T11:00")];
    let mut b = a.clone();
    b.pauses.reverse();
    assert_eq!(clock().due(&a).unwrap().due, Some(at("2025-03-11T08:00")));
    assert_eq!(clock().due(&b).unwrap().due, Some(at("2025-03-11T08:00")));
}

#[test]
fn a_day_based_due_at_midnight_belongs_to_the_day_before() {
    // Saturday 10:00 + 5 days-skip-off: Monday..Friday count whole, due at 24:00 Friday.
    let d = clock()
        .due(&req("2025-03-08T10:00", "5 days-skip-off"))
        .unwrap();
    assert_eq!(d.due, Some(at("2025-03-15T00:00")));
    assert_eq!(
        WorkingClock::verdict(&d, at("2025-03-14T16:00")).unwrap(),
        Verdict::OnTime
    );
    assert_eq!(
        WorkingClock::verdict(&d, at("2025-03-13T16:00")).unwrap(),
        Verdict::Early
    );
    let steps = clock().explain(&d);
    let text = &steps.last().unwrap().text;
    assert!(text.contains("hết ngày 14/03/2025"), "{text}");
}
