//! The formulas against hand-worked dossiers: pauses, a second supplement request, dossiers
//! open at period end, zero denominators, fee-free dossiers, satisfaction from ratings and
//! lateness; and the rollup arithmetic against direct counting.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::civil::{Date, DateTime, date};
use proptest::prelude::*;

use super::*;
use crate::calendar::{Calendar, ClockRequest, Pause, WorkingClock};
use crate::dossier::{
    Actor, Applicant, ApplicantKind, Component, Dossier, Event, EventBody, EventKind, Outcome,
    Payment, ResultDoc,
};
use crate::procedure::Channel;

fn clock() -> WorkingClock {
    WorkingClock::standard(Arc::new(Calendar::embedded().unwrap()))
}

fn at(s: &str) -> DateTime {
    s.parse().unwrap()
}

struct Sim {
    dossier: Dossier,
    events: Vec<Event>,
}

impl Sim {
    fn new(when: &str, channel: Channel, digitised: bool) -> Self {
        let applicant = Applicant {
            kind: ApplicantKind::Citizen,
            name: "Nguyễn Văn A".into(),
            id_number: "062090000001".into(),
            phone: String::new(),
            email: String::new(),
            address: String::new(),
        };
        let components = vec![Component {
            name: "Tờ khai".into(),
            digitised,
            reused: false,
            from_national_data: false,
            file_ref: None,
        }];
        let common = (
            "1.001193".to_owned(),
            channel,
            applicant,
            components,
            "u:1".to_owned(),
            "u:2".to_owned(),
            "5 working-days".to_owned(),
        );
        let kind = if channel == Channel::Online {
            EventKind::Submitted {
                procedure_code: common.0,
                channel: common.1,
                applicant: common.2,
                components: common.3,
                receiving_unit: common.4,
                competent_unit: common.5,
                limit: common.6,
                after_15h_next_day: false,
            }
        } else {
            EventKind::Received {
                procedure_code: common.0,
                channel: common.1,
                applicant: common.2,
                components: common.3,
                receiving_unit: common.4,
                competent_unit: common.5,
                limit: common.6,
                after_15h_next_day: false,
            }
        };
        let e = Event::seal(body(1, when, kind), "").unwrap();
        let dossier = Dossier::start(&e).unwrap();
        let mut s = Self {
            dossier,
            events: vec![e],
        };
        if channel == Channel::Online {
            s.then(when, EventKind::Accepted);
        }
        s
    }

    fn then(&mut self, when: &str, kind: EventKind) -> &mut Self {
        let prev = self
            .events
            .last()
            .map(|e| e.hash.clone())
            .unwrap_or_default();
        let e = Event::seal(body(self.dossier.version + 1, when, kind), &prev).unwrap();
        self.dossier.apply(&e).unwrap();
        self.events.push(e);
        self
    }

    fn decide(&mut self, when: &str, electronic: bool) -> &mut Self {
        self.then(
            when,
            EventKind::Decided {
                outcome: Outcome::Approved,
                note: String::new(),
                results: vec![ResultDoc {
                    name: "Giấy khai sinh".into(),
                    electronic,
                    file_ref: None,
                }],
            },
        )
    }

    fn facts(&self, traits: ProcedureTraits) -> DossierFacts {
        let c = clock();
        let due = self
            .dossier
            .clock_request()
            .unwrap()
            .map(|r: ClockRequest| c.due(&r).unwrap());
        DossierFacts::derive(&self.dossier, due.as_ref(), &c, traits, false)
    }
}

fn body(seq: u32, when: &str, kind: EventKind) -> EventBody {
    EventBody {
        dossier: "000.00.20.H34-240701-0001".into(),
        seq,
        at: at(when),
        actor: Actor {
            account: "u1".into(),
            name: "Cán bộ".into(),
            title: "Chuyên viên".into(),
        },
        unit: "u:1".into(),
        step_deadline: None,
        kind,
    }
}

fn supplement() -> EventKind {
    EventKind::SupplementRequested {
        items: vec!["Bản sao giấy tờ".into()],
        note: String::new(),
    }
}

fn supplied() -> EventKind {
    EventKind::SupplementReceived {
        note: String::new(),
    }
}

fn july() -> Period {
    "2024-07".parse().unwrap()
}

fn set() -> IndicatorSet {
    IndicatorCatalog::embedded()
        .unwrap()
        .in_force(date(2024, 7, 1))
        .clone()
}

fn value(card: &Scorecard, code: &str) -> Option<f64> {
    card.result(code).and_then(|r| r.value)
}

fn card(facts: &[DossierFacts], period: &Period) -> Scorecard {
    let m = measures_from_facts(facts, period);
    scorecard(&set(), &m, &HashMap::new(), &|_| false)
}

const PLAIN: ProcedureTraits = ProcedureTraits {
    fee_bearing: false,
    fully_online: false,
};

#[test]
fn on_time_and_late_by_the_clock() {
    // Received Monday 01/07 09:00, 5 working days: due Monday 08/07 09:00.
    let mut early = Sim::new("2024-07-01T09:00:00", Channel::Counter, false);
    early.decide("2024-07-03T10:00:00", true);
    let mut late = Sim::new("2024-07-01T09:00:00", Channel::Counter, false);
    late.decide("2024-07-09T10:00:00", false);
    let f = [early.facts(PLAIN), late.facts(PLAIN)];
    assert_eq!(f[0].verdict, Some(FinishVerdict::Early));
    assert_eq!(f[1].verdict, Some(FinishVerdict::Late));
    let c = card(&f, &july());
    assert_eq!(value(&c, "2.1"), Some(0.5));
    let r = c.result("2.1").unwrap();
    assert_eq!((r.numerator, r.denominator), (1, 2));
    assert!(
        (r.points.unwrap() - 7.0).abs() < 1e-9,
        "{}",
        r.points_rule()
    );
    // Electronic result on one of two decided.
    assert_eq!(value(&c, "4.2"), Some(0.5));
}

#[test]
fn paused_time_is_not_counted() {
    // Received Mon 01/07 09:00; waits for a supplement Tue 02/07 09:00 → Mon 08/07 09:00
    // (4 working days paused), so the due moves from 08/07 to 12/07 09:00.
    let mut s = Sim::new("2024-07-01T09:00:00", Channel::Counter, false);
    s.then("2024-07-02T09:00:00", supplement())
        .then("2024-07-08T09:00:00", supplied())
        .decide("2024-07-11T16:00:00", false);
    let f = s.facts(PLAIN);
    assert_eq!(f.verdict, Some(FinishVerdict::Early), "{f:?}");
    // Used: 1 day before the pause + 3 days and 5 hours after = 4.625 days of 5.
    assert_eq!(f.used_cd, 462);
    assert_eq!(f.limit_cd, 500);
    let c = card(&[f], &july());
    assert_eq!(value(&c, "2.1"), Some(1.0));
    assert!((value(&c, "2.3").unwrap() - 4.62).abs() < 1e-9);
    assert!((value(&c, "2.2").unwrap() - 0.924).abs() < 1e-9);
    assert_eq!(c.result("2.2").unwrap().points, Some(6.0));
}

#[test]
fn a_second_supplement_request_is_late_even_when_early() {
    let mut s = Sim::new("2024-07-01T09:00:00", Channel::Counter, false);
    s.then("2024-07-01T10:00:00", supplement())
        .then("2024-07-01T11:00:00", supplied())
        .then("2024-07-02T10:00:00", supplement())
        .then("2024-07-02T11:00:00", supplied())
        .decide("2024-07-03T09:00:00", false);
    let f = s.facts(PLAIN);
    assert_eq!(f.supplement_requests, 2);
    assert_eq!(f.verdict, Some(FinishVerdict::Late));
    assert_eq!(value(&card(&[f], &july()), "2.1"), Some(0.0));
    // Still open after its second request: late at the end of that day already.
    let mut open = Sim::new("2024-07-01T09:00:00", Channel::Counter, false);
    open.then("2024-07-01T10:00:00", supplement())
        .then("2024-07-01T11:00:00", supplied())
        .then("2024-07-02T10:00:00", supplement());
    let f = open.facts(PLAIN);
    assert_eq!(f.late_from, Some(date(2024, 7, 2)));
    assert!(f.late_open_at(date(2024, 7, 2)));
    assert!(!f.late_open_at(date(2024, 7, 1)));
}

#[test]
fn open_dossiers_are_judged_at_period_end() {
    // Due 08/07 09:00, still open: on time at the end of June's... of the 5th, late at the
    // end of July.
    let mut open = Sim::new("2024-07-01T09:00:00", Channel::Counter, false);
    open.then(
        "2024-07-01T10:00:00",
        EventKind::Assigned {
            officer: "u1".into(),
        },
    );
    let f = open.facts(PLAIN);
    let first_week: Period = "2024-07-01..2024-07-05".parse().unwrap();
    let c = card(std::slice::from_ref(&f), &first_week);
    let r = c.result("2.1").unwrap();
    assert_eq!((r.numerator, r.denominator), (1, 1));
    let c = card(std::slice::from_ref(&f), &july());
    let r = c.result("2.1").unwrap();
    assert_eq!((r.numerator, r.denominator), (0, 1));
    // Finished in August, late: July counts it open and late; August counts it finished.
    let mut later = Sim::new("2024-07-01T09:00:00", Channel::Counter, false);
    later.decide("2024-08-02T09:00:00", false);
    let f = later.facts(PLAIN);
    let july_card = card(std::slice::from_ref(&f), &july());
    assert_eq!(july_card.result("2.1").unwrap().denominator, 1);
    let aug: Period = "2024-08".parse().unwrap();
    let r = card(std::slice::from_ref(&f), &aug)
        .result("2.1")
        .cloned()
        .unwrap();
    assert_eq!((r.numerator, r.denominator), (0, 1));
    // Received in July, not open at the end of June.
    let june: Period = "2024-06".parse().unwrap();
    assert_eq!(card(&[f], &june).result("2.1").unwrap().value, None);
}

#[test]
fn zero_denominators_are_not_applicable_and_leave_the_maximum() {
    let c = card(&[], &july());
    for r in &c.results {
        assert_eq!(r.value, None, "{}", r.code);
        assert!(!r.applicable());
    }
    assert_eq!(c.score, None);
    assert_eq!(c.applicable_max, 0.0);
    // One counter dossier decided on time: online share 0, payment shares not applicable.
    let mut s = Sim::new("2024-07-01T09:00:00", Channel::Counter, false);
    s.decide("2024-07-02T09:00:00", false);
    let c = card(&[s.facts(PLAIN)], &july());
    assert_eq!(value(&c, "3.3"), Some(0.0));
    assert_eq!(value(&c, "3.6"), None);
    assert_eq!(c.result("3.6").unwrap().state, ResultState::NoData);
    assert_eq!(c.result("1.4").unwrap().state, ResultState::Unavailable);
    assert_eq!(c.result("1.1").unwrap().state, ResultState::Missing);
    let applicable: f64 = c
        .results
        .iter()
        .filter(|r| r.applicable())
        .map(|r| r.max_points)
        .sum();
    assert!((c.applicable_max - applicable).abs() < 1e-9);
    assert!(c.score.unwrap() <= 100.0);
}

#[test]
fn fee_free_dossiers_are_out_of_the_payment_share() {
    let fee = ProcedureTraits {
        fee_bearing: true,
        fully_online: true,
    };
    let paid = |online: bool| Payment {
        amount: 50_000,
        method: if online { "online" } else { "cash" }.into(),
        online,
        reference: "r".into(),
    };
    let mut a = Sim::new("2024-07-01T09:00:00", Channel::Online, true);
    a.then(
        "2024-07-01T09:30:00",
        EventKind::Paid {
            payment: paid(true),
        },
    );
    let mut b = Sim::new("2024-07-01T09:00:00", Channel::Counter, false);
    b.then(
        "2024-07-01T09:30:00",
        EventKind::Paid {
            payment: paid(false),
        },
    );
    let free = Sim::new("2024-07-01T09:00:00", Channel::Online, false);
    let f = [a.facts(fee), b.facts(fee), free.facts(PLAIN)];
    let c = card(&f, &july());
    let r = c.result("3.6").unwrap();
    assert_eq!((r.numerator, r.denominator), (1, 2));
    assert!(
        (r.points.unwrap() - 6.0).abs() < 1e-9,
        "50% ≥ 30% threshold"
    );
    let r = c.result("3.5").unwrap();
    assert_eq!((r.numerator, r.denominator), (1, 1));
    let r = c.result("3.3").unwrap();
    assert_eq!((r.numerator, r.denominator), (2, 3));
    let r = c.result("4.1").unwrap();
    assert_eq!((r.numerator, r.denominator), (1, 3));
    let r = c.result("3.2").unwrap();
    assert_eq!((r.numerator, r.denominator), (1, 2));
}

#[test]
fn satisfaction_counts_ratings_and_unrated_lateness() {
    let rate = |s: &mut Sim, when: &str, score: u8| {
        s.then(
            when,
            EventKind::Returned {
                method: Channel::Counter,
            },
        )
        .then(
            when,
            EventKind::Rated {
                score,
                comment: String::new(),
            },
        );
    };
    let mut happy_late = Sim::new("2024-07-01T09:00:00", Channel::Counter, false);
    happy_late.decide("2024-07-10T09:00:00", false);
    rate(&mut happy_late, "2024-07-10T10:00:00", 5);
    let mut unhappy = Sim::new("2024-07-01T09:00:00", Channel::Counter, false);
    unhappy.decide("2024-07-02T09:00:00", false);
    rate(&mut unhappy, "2024-07-02T10:00:00", 2);
    let mut unrated_ok = Sim::new("2024-07-01T09:00:00", Channel::Counter, false);
    unrated_ok.decide("2024-07-02T09:00:00", false);
    let mut unrated_late = Sim::new("2024-07-01T09:00:00", Channel::Counter, false);
    unrated_late.decide("2024-07-12T09:00:00", false);
    let f = [
        happy_late.facts(PLAIN),
        unhappy.facts(PLAIN),
        unrated_ok.facts(PLAIN),
        unrated_late.facts(PLAIN),
    ];
    let r = card(&f, &july()).result("5.4").cloned().unwrap();
    assert_eq!((r.numerator, r.denominator), (2, 4));
    // 50% against a 90% threshold: 12 × 0.5 / 0.9.
    assert!((r.points.unwrap() - 12.0 * 0.5 / 0.9).abs() < 1e-9);
}

#[test]
fn withdrawn_and_refused_dossiers_are_not_judged() {
    let mut w = Sim::new("2024-07-01T09:00:00", Channel::Counter, false);
    w.then(
        "2024-07-20T09:00:00",
        EventKind::Withdrawn {
            reason: "không cần nữa".into(),
        },
    );
    let mut refused = Sim::new("2024-07-01T09:00:00", Channel::Online, false);
    // An online dossier refused before acceptance: rebuild it without the acceptance.
    refused.events.truncate(1);
    refused.dossier = Dossier::start(&refused.events[0]).unwrap();
    refused.then(
        "2024-07-01T10:00:00",
        EventKind::RefusedAtIntake {
            reason: "sai thủ tục".into(),
        },
    );
    let f = [w.facts(PLAIN), refused.facts(PLAIN)];
    assert_eq!(f[1].received_day, None);
    assert!(f[1].contributions().is_empty());
    let c = card(&f, &july());
    assert_eq!(c.result("2.1").unwrap().denominator, 0);
    assert_eq!(c.result("3.3").unwrap().denominator, 1);
    // Before its withdrawal, it was open and late.
    let mid: Period = "2024-07-01..2024-07-15".parse().unwrap();
    let r = card(&f, &mid).result("2.1").cloned().unwrap();
    assert_eq!((r.numerator, r.denominator), (0, 1));
}

#[test]
fn an_event_changes_the_rollups_by_the_difference() {
    let mut s = Sim::new("2024-07-01T09:00:00", Channel::Counter, false);
    let before = s.facts(PLAIN);
    s.decide("2024-07-10T09:00:00", false);
    let after = s.facts(PLAIN);
    let d = DossierFacts::diff(Some(&before), Some(&after));
    // The open-and-late stock gains an end; the finish day gains a late finish.
    let on = |day: Date| d.iter().find(|r| r.day == day).map(|r| r.measures);
    let end = on(date(2024, 7, 10)).unwrap();
    assert_eq!(end[Measure::Finished], 1);
    assert_eq!(end[Measure::FinishedLate], 1);
    assert_eq!(end[Measure::OpenAtEnd], -1);
    assert_eq!(end[Measure::LateOpenAtEnd], -1);
    assert!(on(date(2024, 7, 1)).is_none(), "receipt day unchanged");
    assert!(DossierFacts::diff(Some(&after), Some(&after)).is_empty());
}

#[test]
fn ranking_ties_and_minimum_volume() {
    let e = |u: &str, s: Option<f64>, v: i64| (u.to_owned(), s, v);
    let rows = rank(
        &[
            e("a", Some(90.0), 100),
            e("b", Some(95.0), 100),
            e("c", Some(90.004), 50),
            e("tiny", Some(100.0), 3),
            e("d", Some(80.0), 40),
            e("none", None, 0),
        ],
        10,
    );
    let got: Vec<(&str, Option<u32>, bool)> = rows
        .iter()
        .map(|r| (r.unit.as_str(), r.rank, r.tied))
        .collect();
    assert_eq!(
        got,
        vec![
            ("b", Some(1), false),
            ("a", Some(2), true),
            ("c", Some(2), true),
            ("d", Some(4), false),
            ("tiny", None, false),
            ("none", None, false),
        ]
    );
}

#[test]
fn forecast_projects_a_trend_to_the_deadline() {
    let series = [(2023.0, 0.30), (2024.0, 0.40), (2025.0, 0.50)];
    let at_least = |a: f64, t: f64| a >= t;
    let f = forecast(&series, 0.8, &at_least, 2027, true).unwrap();
    assert!((f.slope_per_year - 0.1).abs() < 1e-9);
    // End of 2027 = 2028.0: 0.4 + 0.1 × 4 = 0.8.
    assert!((f.projected - 0.8).abs() < 1e-9);
    assert!(f.on_track, "{}", f.explain);
    let f = forecast(&series, 0.9, &at_least, 2027, true).unwrap();
    assert!(!f.on_track);
    let one = forecast(&[(2025.0, 0.95)], 0.9, &at_least, 2030, true).unwrap();
    assert!(one.on_track && one.slope_per_year == 0.0);
    assert!(forecast(&[], 0.9, &at_least, 2030, true).is_none());
    // Percent projections stay within 0..100%.
    let steep = forecast(&[(2024.0, 0.5), (2025.0, 0.9)], 1.0, &at_least, 2030, true).unwrap();
    assert_eq!(steep.projected, 1.0);
}

#[test]
fn points_follow_the_rule() {
    assert_eq!(points_for(12.0, 0.45, Some(0.9), Direction::Higher), 6.0);
    assert_eq!(points_for(12.0, 0.95, Some(0.9), Direction::Higher), 12.0);
    assert_eq!(points_for(14.0, 0.5, None, Direction::Higher), 7.0);
    assert_eq!(points_for(6.0, 2.0, Some(1.0), Direction::Lower), 3.0);
    assert_eq!(points_for(6.0, 0.0, Some(1.0), Direction::Lower), 6.0);
    assert_eq!(decimal(92.5, 1), "92,5");
    assert_eq!(decimal(14.0, 2), "14");
}

fn arb_facts() -> impl Strategy<Value = DossierFacts> {
    (
        0i64..60,
        proptest::option::of(0i64..40),
        proptest::option::of(0i64..40),
        any::<bool>(),
        0u8..4,
    )
        .prop_map(|(r, end, late, online, kind)| {
            let base = date(2024, 6, 1);
            let day = |n: i64| base.checked_add(jiff::Span::new().days(n)).unwrap();
            let received = day(r);
            let end_day = end.map(|e| day(r + e));
            let end_kind = end_day.map(|_| match kind {
                0 | 1 => EndKind::Decided,
                2 => EndKind::Stopped,
                _ => EndKind::Withdrawn,
            });
            let finished = end_kind.is_some_and(EndKind::is_finished);
            DossierFacts {
                code: format!("d{r}"),
                unit: "u".into(),
                procedure: "p".into(),
                received_day: Some(received),
                end: end_kind,
                end_day,
                late_from: late.map(|l| day(r + l)),
                verdict: finished.then_some(if kind == 1 {
                    FinishVerdict::Late
                } else {
                    FinishVerdict::OnTime
                }),
                online,
                full_online_proc: false,
                fee_bearing: false,
                paid_online: false,
                digitised: false,
                reused: false,
                synced: false,
                electronic_result: false,
                supplement_requests: 0,
                used_cd: 100,
                limit_cd: 500,
                rating: None,
            }
        })
}

proptest! {
    /// Summing day rows (flows in the period, stock changes up to its end) gives what counting
    /// each dossier directly gives: the rollups can answer any period.
    #[test]
    fn rollup_sums_equal_direct_counts(
        facts in proptest::collection::vec(arb_facts(), 0..40),
        a in 0i64..90,
        len in 0i64..60,
    ) {
        let base = date(2024, 6, 1);
        let first = base.checked_add(jiff::Span::new().days(a)).unwrap();
        let last = first.checked_add(jiff::Span::new().days(len)).unwrap();
        let period = Period::custom(first, last).unwrap();
        let mut rolled = Measures::default();
        let mut rows: std::collections::BTreeMap<Date, Measures> = Default::default();
        for f in &facts {
            for d in DossierFacts::diff(None, Some(f)) {
                *rows.entry(d.day).or_default() += d.measures;
            }
        }
        for (day, m) in &rows {
            if period.contains(*day) {
                rolled += m.flows();
            }
            if *day <= period.last {
                rolled.add(Measure::OpenAtEnd, m[Measure::OpenAtEnd]);
                rolled.add(Measure::LateOpenAtEnd, m[Measure::LateOpenAtEnd]);
            }
        }
        prop_assert_eq!(rolled, measures_from_facts(&facts, &period));
    }
}

#[test]
fn clock_pause_type_is_used() {
    // Keeps the Pause import honest: a pause in the clock request moves the due date.
    let c = clock();
    let mut req = ClockRequest::new(at("2024-07-01T09:00:00"), "5 working-days".parse().unwrap());
    let plain = c.due(&req).unwrap().due.unwrap();
    req.pauses.push(Pause {
        start: at("2024-07-02T09:00:00"),
        end: Some(at("2024-07-03T09:00:00")),
        reason: "chờ bổ sung".into(),
    });
    assert!(c.due(&req).unwrap().due.unwrap() > plain);
}

#[test]
fn an_apology_with_a_new_date_does_not_make_a_late_dossier_on_time() {
    // Due 08/07 09:00; on 20/07 the leader apologises with a new date 30/08; decided 20/08.
    let mut s = Sim::new("2024-07-01T09:00:00", Channel::Counter, false);
    s.then(
        "2024-07-20T09:00:00",
        EventKind::Extended {
            new_due: at("2024-08-30T16:00:00"),
            reason: "Chờ ý kiến liên ngành".into(),
        },
    );
    let open = s.facts(PLAIN);
    assert_eq!(
        open.late_from,
        Some(date(2024, 7, 8)),
        "late from the statutory due day"
    );
    let r = card(std::slice::from_ref(&open), &july())
        .result("2.1")
        .cloned()
        .unwrap();
    assert_eq!((r.numerator, r.denominator), (0, 1), "overdue all July");
    s.decide("2024-08-20T09:00:00", false);
    let f = s.facts(PLAIN);
    assert_eq!(f.verdict, Some(FinishVerdict::Late));
    let aug: Period = "2024-08".parse().unwrap();
    let r = card(&[f], &aug).result("2.1").cloned().unwrap();
    assert_eq!((r.numerator, r.denominator), (0, 1));
}
