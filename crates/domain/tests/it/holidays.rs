//! The 2023-2026 days off and make-up working days, reproduced exactly from the shipped rules
//! and notices (the facts of the calendar issue, checked against the official notices cited in
//! `data/calendar/*.toml`).

use crate::clock;
use cchc_domain::calendar::{DayMark, LimitUnit};
use jiff::civil::{Date, Weekday};

/// Expands "2025-01-25..2025-02-02" and "2025-04-07" into dates.
fn dates(specs: &[&str]) -> Vec<Date> {
    let mut out = Vec::new();
    for spec in specs {
        let (a, b) = spec.split_once("..").unwrap_or((spec, spec));
        let (mut d, end): (Date, Date) = (a.parse().unwrap(), b.parse().unwrap());
        while d <= end {
            out.push(d);
            d = d.tomorrow().unwrap();
        }
    }
    out
}

fn listed(year: i16) -> (Vec<Date>, Vec<Date>) {
    let days = clock().calendar().special_days(year).unwrap();
    let off = days
        .iter()
        .filter(|(_, m)| matches!(m, DayMark::Off(_)))
        .map(|(d, _)| *d)
        .collect();
    let worked = days
        .iter()
        .filter(|(_, m)| matches!(m, DayMark::Worked(_)))
        .map(|(d, _)| *d)
        .collect();
    (off, worked)
}

/// A date is a day off for a Monday-Friday unit: no working time at all.
fn is_off(d: Date) -> bool {
    let start = d.at(0, 0, 0, 0);
    let end = d.tomorrow().unwrap().at(0, 0, 0, 0);
    clock()
        .counted_between(start, end, LimitUnit::WorkingHours)
        .unwrap()
        == 0
}

fn check_year(year: i16, off: &[&str], worked: &[&str], issue_ranges: &[&str]) {
    let (got_off, got_worked) = listed(year);
    assert_eq!(got_off, dates(off), "days off {year}");
    assert_eq!(got_worked, dates(worked), "worked weekend days {year}");
    for d in dates(issue_ranges) {
        assert!(is_off(d), "{d} must be off");
    }
    for d in dates(worked) {
        assert!(!is_off(d), "{d} must be worked");
        assert_eq!(d.weekday(), Weekday::Saturday);
    }
    // Every weekday not listed is a working day.
    let mut d = Date::new(year, 1, 1).unwrap();
    while d.year() == year {
        let weekend = matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday);
        let expected_off = got_off.contains(&d) || (weekend && !got_worked.contains(&d));
        assert_eq!(is_off(d), expected_off, "{d}");
        d = d.tomorrow().unwrap();
    }
}

#[test]
fn year_2023() {
    check_year(
        2023,
        &[
            "2023-01-01..2023-01-02",
            "2023-01-20..2023-01-26",
            "2023-04-29..2023-05-03",
            "2023-09-01..2023-09-04",
        ],
        &[],
        &[
            "2023-01-20..2023-01-26",
            "2023-04-29..2023-05-03",
            "2023-09-01..2023-09-04",
        ],
    );
}

#[test]
fn year_2024() {
    check_year(
        2024,
        &[
            "2024-01-01",
            "2024-02-08..2024-02-14",
            "2024-04-18",
            "2024-04-27..2024-05-01",
            "2024-08-31..2024-09-03",
        ],
        &["2024-05-04"],
        &[
            "2024-02-08..2024-02-14",
            "2024-04-27..2024-05-01",
            "2024-08-31..2024-09-03",
        ],
    );
    assert!(is_off("2024-04-29".parse().unwrap()), "Monday 29/4 swapped");
}

#[test]
fn year_2025() {
    check_year(
        2025,
        &[
            "2025-01-01",
            "2025-01-25..2025-02-02",
            "2025-04-07",
            "2025-04-30..2025-05-04",
            "2025-08-30..2025-09-02",
        ],
        &["2025-04-26"],
        &[
            "2025-01-25..2025-02-02",
            "2025-04-30..2025-05-04",
            "2025-08-30..2025-09-02",
        ],
    );
    // The notice replaces the rule: Monday 3/2 is a normal working day.
    assert!(!is_off("2025-02-03".parse().unwrap()));
}

#[test]
fn year_2026() {
    check_year(
        2026,
        &[
            "2026-01-01..2026-01-04",
            "2026-02-14..2026-02-22",
            "2026-04-26..2026-04-27",
            "2026-04-30..2026-05-01",
            "2026-08-29..2026-09-02",
        ],
        &["2026-01-10", "2026-08-22"],
        &[
            "2026-01-01..2026-01-04",
            "2026-02-14..2026-02-22",
            "2026-04-25..2026-04-27",
            "2026-04-30..2026-05-03",
            "2026-08-29..2026-09-02",
        ],
    );
    // 24/11 (Ngày Văn hóa Việt Nam) ships disabled: enactment not confirmed.
    assert!(!is_off("2026-11-24".parse().unwrap()));
}
