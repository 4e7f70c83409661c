//! The lunar calendar against an independent implementation: the tables in `tests/data/`
//! were generated once by `vnlunar` 1.0.5 (Python, MIT; cross-checked day by day with
//! `lunar-vn` 1.4.0 for 1900-2100 and with PyEphem for every Tết): see `tests/data/README.md`.

use cchc_domain::calendar::lunar::{self, LunarDate};
use jiff::civil::Date;

fn rows(csv: &str) -> impl Iterator<Item = Vec<&str>> {
    csv.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').collect())
}

#[test]
fn every_tet_and_gio_to_1900_2100() {
    let csv = include_str!("../data/lunar_festivals.csv");
    let mut n = 0;
    for r in rows(csv) {
        let year: i16 = r[0].parse().unwrap();
        let tet: Date = r[1].parse().unwrap();
        let gio_to: Date = r[2].parse().unwrap();
        assert_eq!(lunar::tet(year).unwrap(), tet, "Tết {year}");
        let ours = lunar::lunar_to_solar(LunarDate {
            day: 10,
            month: 3,
            year,
            leap: false,
        })
        .unwrap();
        assert_eq!(ours, gio_to, "Giỗ Tổ {year}");
        // And back.
        let back = lunar::solar_to_lunar(tet).unwrap();
        assert_eq!(
            (back.day, back.month, back.year, back.leap),
            (1, 1, year, false)
        );
        n += 1;
    }
    assert_eq!(n, 201);
}

#[test]
fn daily_sample_with_every_leap_month_1900_2199() {
    let csv = include_str!("../data/lunar_days.csv");
    let (mut n, mut leap_days) = (0, 0);
    for r in rows(csv) {
        let solar: Date = r[0].parse().unwrap();
        let expected = LunarDate {
            day: r[1].parse().unwrap(),
            month: r[2].parse().unwrap(),
            year: r[3].parse().unwrap(),
            leap: r[4] == "1",
        };
        assert_eq!(lunar::solar_to_lunar(solar).unwrap(), expected, "{solar}");
        assert_eq!(
            lunar::lunar_to_solar(expected).unwrap(),
            solar,
            "{expected:?}"
        );
        n += 1;
        leap_days += usize::from(expected.leap);
    }
    assert!(n > 14_000, "{n} rows");
    assert!(leap_days > 3_000, "{leap_days} leap-month days");
}
