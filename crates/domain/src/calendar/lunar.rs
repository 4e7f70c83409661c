//! The Vietnamese lunar calendar (âm lịch): solar ↔ lunar conversion.
//!
//! Hồ Ngọc Đức's astronomical algorithm (new moons and the sun's longitude after Meeus,
//! "Astronomical Algorithms"), evaluated at UTC+7. The time zone matters: the Chinese calendar
//! uses UTC+8 and puts some new moons on a different day, so Tết differs in some years
//! (1985: Vietnam 21/01, China 20/02; 2030: Vietnam 02/02, China 03/02).
//!
//! Supported: solar dates 1900-01-01 ..= 2199-12-31, and the lunar dates that fall in them.

use jiff::civil::Date;
use serde::Serialize;
use std::f64::consts::PI;

/// Hours east of UTC of Vietnam's civil time, used for new moons and solar terms.
const TIME_ZONE_HOURS: f64 = 7.0;

/// First solar year supported.
pub const FIRST_YEAR: i16 = 1900;
/// Last solar year supported.
pub const LAST_YEAR: i16 = 2199;

/// A date of the Vietnamese lunar calendar.
/// Ngày âm lịch: ngày, tháng, năm, tháng nhuận.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct LunarDate {
    pub day: u8,
    pub month: u8,
    pub year: i16,
    /// Tháng nhuận: this month is the leap (intercalary) repeat of `month`.
    pub leap: bool,
}

/// Why a conversion was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LunarError {
    #[error("ngày {0} nằm ngoài phạm vi lịch được hỗ trợ (01/01/{FIRST_YEAR} – 31/12/{LAST_YEAR})")]
    OutOfRange(String),
    #[error("ngày âm lịch không hợp lệ: {0}")]
    Invalid(String),
    #[error("năm âm lịch {year} không có tháng {month} nhuận")]
    NotALeapMonth { year: i16, month: u8 },
}

/// Julian day number of a Gregorian date.
fn jd_from_ymd(year: i64, month: i64, day: i64) -> i64 {
    let a = (14 - month) / 12;
    let y = year + 4800 - a;
    let m = month + 12 * a - 3;
    day + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045
}

/// Gregorian date of a Julian day number.
pub(crate) fn ymd_from_jd(jd: i64) -> (i64, i64, i64) {
    let a = jd + 32044;
    let b = (4 * a + 3) / 146_097;
    let c = a - 146_097 * b / 4;
    let d = (4 * c + 3) / 1461;
    let e = c - 1461 * d / 4;
    let m = (5 * e + 2) / 153;
    let day = e - (153 * m + 2) / 5 + 1;
    let month = m + 3 - 12 * (m / 10);
    let year = 100 * b + d - 4800 + m / 10;
    (year, month, day)
}

pub(crate) fn jd_from_date(date: Date) -> i64 {
    jd_from_ymd(
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    )
}

fn date_from_jd(jd: i64) -> Result<Date, LunarError> {
    let (y, m, d) = ymd_from_jd(jd);
    let out_of_range = || LunarError::OutOfRange(format!("JD {jd}"));
    let year = i16::try_from(y).map_err(|_| out_of_range())?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(LunarError::OutOfRange(format!("{d:02}/{m:02}/{y}")));
    }
    // m and d come from the inverse of jd_from_ymd, so they are a valid month and day.
    Date::new(year, m as i8, d as i8).map_err(|_| out_of_range())
}

/// Julian date (fractional, UT) of the k-th new moon after 1900-01-01.
fn new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let dr = PI / 180.0;
    let mut jd1 = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3;
    jd1 += 0.000_33 * ((166.56 + 132.87 * t - 0.009_173 * t2) * dr).sin();
    let m = 359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3;
    let mpr = 306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3;
    let f = 21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3;
    let mut c1 = (0.1734 - 0.000_393 * t) * (m * dr).sin() + 0.0021 * (2.0 * dr * m).sin();
    c1 = c1 - 0.4068 * (mpr * dr).sin() + 0.0161 * (dr * 2.0 * mpr).sin();
    c1 -= 0.0004 * (dr * 3.0 * mpr).sin();
    c1 = c1 + 0.0104 * (dr * 2.0 * f).sin() - 0.0051 * (dr * (m + mpr)).sin();
    c1 = c1 - 0.0074 * (dr * (m - mpr)).sin() + 0.0004 * (dr * (2.0 * f + m)).sin();
    c1 = c1 - 0.0004 * (dr * (2.0 * f - m)).sin() - 0.0006 * (dr * (2.0 * f + mpr)).sin();
    c1 = c1 + 0.0010 * (dr * (2.0 * f - mpr)).sin() + 0.0005 * (dr * (2.0 * mpr + m)).sin();
    let deltat = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    jd1 + c1 - deltat
}

/// The sun's apparent longitude in radians, normalised to [0, 2π), at a Julian date.
fn sun_longitude(jdn: f64) -> f64 {
    let t = (jdn - 2_451_545.0) / 36525.0;
    let t2 = t * t;
    let dr = PI / 180.0;
    let m = 357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2;
    let l0 = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let mut dl = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * (dr * m).sin();
    dl = dl + (0.019_993 - 0.000_101 * t) * (dr * 2.0 * m).sin() + 0.000_290 * (dr * 3.0 * m).sin();
    let l = (l0 + dl) * dr;
    l - 2.0 * PI * (l / (2.0 * PI)).floor()
}

/// Index 0..=11 of the major solar term (trung khí) the sun is in at local midnight
/// starting the given day.
fn sun_term(day_number: i64) -> i64 {
    (sun_longitude(day_number as f64 - 0.5 - TIME_ZONE_HOURS / 24.0) / PI * 6.0).floor() as i64
}

/// Local day number of the k-th new moon.
fn new_moon_day(k: i64) -> i64 {
    (new_moon(k) + 0.5 + TIME_ZONE_HOURS / 24.0).floor() as i64
}

/// Day number of the first day of lunar month 11 (the month holding the winter solstice)
/// that begins in solar year `year`.
fn lunar_month_11(year: i64) -> i64 {
    let off = jd_from_ymd(year, 12, 31) - 2_415_021;
    let k = (off as f64 / 29.530_588_853).floor() as i64;
    let nm = new_moon_day(k);
    if sun_term(nm) >= 9 {
        new_moon_day(k - 1)
    } else {
        nm
    }
}

/// Offset (in months after month 11 starting at `a11`) of the leap month of a 13-month year:
/// the first month with no major solar term.
fn leap_month_offset(a11: i64) -> i64 {
    let k = ((a11 as f64 - 2_415_021.076_998_695) / 29.530_588_853 + 0.5).floor() as i64;
    let mut i = 1;
    let mut arc = sun_term(new_moon_day(k + i));
    loop {
        let last = arc;
        i += 1;
        arc = sun_term(new_moon_day(k + i));
        if arc == last || i >= 14 {
            break;
        }
    }
    i - 1
}

fn check_solar_range(date: Date) -> Result<(), LunarError> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        Ok(())
    } else {
        Err(LunarError::OutOfRange(crate::calendar::fmt_date(date)))
    }
}

/// Solar (Gregorian) date → Vietnamese lunar date.
pub fn solar_to_lunar(date: Date) -> Result<LunarDate, LunarError> {
    check_solar_range(date)?;
    let day_number = jd_from_date(date);
    let k = ((day_number as f64 - 2_415_021.076_998_695) / 29.530_588_853).floor() as i64;
    let mut month_start = new_moon_day(k + 1);
    if month_start > day_number {
        month_start = new_moon_day(k);
    }
    let year = i64::from(date.year());
    let mut a11 = lunar_month_11(year);
    let b11;
    let mut lunar_year;
    if a11 >= month_start {
        lunar_year = year;
        b11 = a11;
        a11 = lunar_month_11(year - 1);
    } else {
        lunar_year = year + 1;
        b11 = lunar_month_11(year + 1);
    }
    let lunar_day = day_number - month_start + 1;
    let diff = (month_start - a11) / 29;
    let mut leap = false;
    let mut lunar_month = diff + 11;
    if b11 - a11 > 365 {
        let leap_diff = leap_month_offset(a11);
        if diff >= leap_diff {
            lunar_month = diff + 10;
            leap = diff == leap_diff;
        }
    }
    if lunar_month > 12 {
        lunar_month -= 12;
    }
    if lunar_month >= 11 && diff < 4 {
        lunar_year -= 1;
    }
    Ok(LunarDate {
        day: lunar_day as u8,
        month: lunar_month as u8,
        year: lunar_year as i16,
        leap,
    })
}

/// Day number of the first day of a lunar month, or an error if it does not exist.
fn lunar_month_start(month: u8, year: i16, leap: bool) -> Result<i64, LunarError> {
    if !(1..=12).contains(&month) {
        return Err(LunarError::Invalid(format!(
            "tháng {month} (phải từ 1 đến 12)"
        )));
    }
    if !(FIRST_YEAR - 1..=LAST_YEAR).contains(&year) {
        return Err(LunarError::OutOfRange(format!("năm âm lịch {year}")));
    }
    let (month, year) = (i64::from(month), i64::from(year));
    let (a11, b11) = if month < 11 {
        (lunar_month_11(year - 1), lunar_month_11(year))
    } else {
        (lunar_month_11(year), lunar_month_11(year + 1))
    };
    let k = (0.5 + (a11 as f64 - 2_415_021.076_998_695) / 29.530_588_853).floor() as i64;
    let mut off = month - 11;
    if off < 0 {
        off += 12;
    }
    if b11 - a11 > 365 {
        let leap_off = leap_month_offset(a11);
        let mut leap_month = leap_off - 2;
        if leap_month < 0 {
            leap_month += 12;
        }
        if leap && month != leap_month {
            return Err(LunarError::NotALeapMonth {
                year: year as i16,
                month: month as u8,
            });
        } else if leap || off >= leap_off {
            off += 1;
        }
    } else if leap {
        return Err(LunarError::NotALeapMonth {
            year: year as i16,
            month: month as u8,
        });
    }
    Ok(new_moon_day(k + off))
}

/// Vietnamese lunar date → solar (Gregorian) date.
pub fn lunar_to_solar(lunar: LunarDate) -> Result<Date, LunarError> {
    let start = lunar_month_start(lunar.month, lunar.year, lunar.leap)?;
    if lunar.day == 0 || lunar.day > 30 {
        return Err(LunarError::Invalid(format!(
            "ngày {} (phải từ 1 đến 30)",
            lunar.day
        )));
    }
    let date = date_from_jd(start + i64::from(lunar.day) - 1)?;
    // A 29-day month has no day 30: the date would belong to the next month.
    let back = solar_to_lunar(date)?;
    if back.month != lunar.month || back.leap != lunar.leap {
        return Err(LunarError::Invalid(format!(
            "tháng {}{} năm {} chỉ có 29 ngày",
            lunar.month,
            if lunar.leap { " nhuận" } else { "" },
            lunar.year
        )));
    }
    Ok(date)
}

/// The leap month of a lunar year, if it has one.
pub fn leap_month(lunar_year: i16) -> Result<Option<u8>, LunarError> {
    let start = lunar_to_solar(LunarDate {
        day: 1,
        month: 1,
        year: lunar_year,
        leap: false,
    })?;
    let end = lunar_to_solar(LunarDate {
        day: 1,
        month: 1,
        year: lunar_year + 1,
        leap: false,
    })?;
    let (mut jd, end_jd) = (jd_from_date(start), jd_from_date(end));
    while jd < end_jd {
        let lunar = solar_to_lunar(date_from_jd(jd)?)?;
        if lunar.leap {
            return Ok(Some(lunar.month));
        }
        jd += 29;
    }
    Ok(None)
}

/// The sexagenary (can chi) name of a lunar year, e.g. 2025 → "Ất Tỵ".
pub fn year_name(lunar_year: i16) -> String {
    const STEMS: [&str; 10] = [
        "Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý",
    ];
    const BRANCHES: [&str; 12] = [
        "Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi",
    ];
    let y = i64::from(lunar_year);
    format!(
        "{} {}",
        STEMS[(y + 6).rem_euclid(10) as usize],
        BRANCHES[(y + 8).rem_euclid(12) as usize]
    )
}

/// Tết Nguyên Đán: the solar date of lunar 1/1 of the given lunar year.
pub fn tet(lunar_year: i16) -> Result<Date, LunarError> {
    lunar_to_solar(LunarDate {
        day: 1,
        month: 1,
        year: lunar_year,
        leap: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn tet_differs_from_chinese_calendar_where_it_should() {
        assert_eq!(tet(2030).unwrap(), date(2030, 2, 2));
        assert_eq!(tet(1985).unwrap(), date(1985, 1, 21));
        assert_eq!(tet(2007).unwrap(), date(2007, 2, 17));
        assert_eq!(tet(2025).unwrap(), date(2025, 1, 29));
        assert_eq!(tet(2026).unwrap(), date(2026, 2, 17));
    }

    #[test]
    fn year_names() {
        assert_eq!(year_name(2025), "Ất Tỵ");
        assert_eq!(year_name(2026), "Bính Ngọ");
        assert_eq!(year_name(2030), "Canh Tuất");
        assert_eq!(year_name(1984), "Giáp Tý");
    }

    #[test]
    fn known_leap_months() {
        // 2023 had a leap 2nd month, 2025 a leap 6th month, 2024 none.
        assert_eq!(leap_month(2023).unwrap(), Some(2));
        assert_eq!(leap_month(2025).unwrap(), Some(6));
        assert_eq!(leap_month(2024).unwrap(), None);
        let d = lunar_to_solar(LunarDate {
            day: 1,
            month: 6,
            year: 2025,
            leap: true,
        })
        .unwrap();
        assert_eq!(d, date(2025, 7, 25));
    }

    #[test]
    fn refuses_impossible_dates() {
        let not_leap = LunarDate {
            day: 1,
            month: 3,
            year: 2025,
            leap: true,
        };
        assert!(matches!(
            lunar_to_solar(not_leap),
            Err(LunarError::NotALeapMonth { .. })
        ));
        assert!(solar_to_lunar(date(1899, 12, 31)).is_err());
        assert!(solar_to_lunar(date(2200, 1, 1)).is_err());
        let bad = LunarDate {
            day: 31,
            month: 1,
            year: 2025,
            leap: false,
        };
        assert!(lunar_to_solar(bad).is_err());
    }

    #[test]
    fn thirtieth_of_a_short_month_is_refused() {
        // Find a 29-day month in 2025 and ask for its day 30.
        for month in 1..=12u8 {
            let day30 = LunarDate {
                day: 30,
                month,
                year: 2025,
                leap: false,
            };
            let day29 = LunarDate { day: 29, ..day30 };
            let d29 = lunar_to_solar(day29).unwrap();
            let next = solar_to_lunar(d29.tomorrow().unwrap()).unwrap();
            if next.day == 1 {
                assert!(lunar_to_solar(day30).is_err(), "month {month}");
            } else {
                assert_eq!(lunar_to_solar(day30).unwrap(), d29.tomorrow().unwrap());
            }
        }
    }

    #[test]
    fn round_trips_every_day_of_a_few_years() {
        let mut d = date(2020, 1, 1);
        while d < date(2032, 1, 1) {
            let l = solar_to_lunar(d).unwrap();
            assert_eq!(lunar_to_solar(l).unwrap(), d, "{l:?}");
            d = d.tomorrow().unwrap();
        }
    }
}
