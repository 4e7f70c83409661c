//! The Vietnamese working-day calendar and the statutory clock.
//!
//! - [`lunar`]: solar ↔ lunar conversion (Hồ Ngọc Đức, UTC+7).
//! - [`data`]: holiday rules and the government's yearly notices, as versioned TOML data.
//! - [`days`]: the national day table: which dates are off, which weekend days are worked, and why.
//! - [`schedule`]: a unit's weekly working hours.
//! - [`timeline`]: prefix sums of counted seconds, so any instant maps to "working time so far"
//!   and back in O(log n).
//! - [`clock`]: the statutory clock: due dates with start rules, pauses and extensions, progress,
//!   verdicts (early / on time / late) and explanations.
//!
//! All times are Vietnam civil time (UTC+7, no daylight saving since 1975) as
//! [`jiff::civil::DateTime`]; the clock never looks at a wall clock of its own.

pub mod clock;
pub mod data;
pub mod days;
pub mod lunar;
pub mod schedule;
pub mod timeline;

pub use clock::{
    ClockError, ClockRequest, DueDate, Extension, ExtensionKind, LimitUnit, Pause, Progress,
    StartRule, TimeLimit, Verdict, WorkingClock,
};
pub use data::{CalendarData, DataError, embedded_year_text};
pub use days::{Calendar, CalendarError, DayMark, DayNote, DayNoteKind};
pub use lunar::{LunarDate, LunarError};
pub use schedule::{Period, ScheduleError, WorkSchedule};

use jiff::civil::{Date, DateTime, Weekday};

/// dd/mm/yyyy, as users read dates.
pub fn fmt_date(date: Date) -> String {
    format!("{:02}/{:02}/{:04}", date.day(), date.month(), date.year())
}

/// HH:MM dd/mm/yyyy, as users read instants.
pub fn fmt_datetime(dt: DateTime) -> String {
    format!(
        "{:02}:{:02} {}",
        dt.hour(),
        dt.minute(),
        fmt_date(dt.date())
    )
}

/// ISO 8601 with Vietnam's offset, as machines read instants: `2025-02-07T10:00:00+07:00`.
pub fn iso_datetime(dt: DateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+07:00",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// Vietnamese weekday name: "Thứ Hai" … "Chủ Nhật".
pub fn weekday_name(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Monday => "Thứ Hai",
        Weekday::Tuesday => "Thứ Ba",
        Weekday::Wednesday => "Thứ Tư",
        Weekday::Thursday => "Thứ Năm",
        Weekday::Friday => "Thứ Sáu",
        Weekday::Saturday => "Thứ Bảy",
        Weekday::Sunday => "Chủ Nhật",
    }
}

/// A duration of counted seconds for people: "2 ngày 3 giờ 15 phút" with `day_seconds` per day
/// (8 working hours for working time, 24 hours for calendar time).
pub fn fmt_duration(seconds: i64, day_seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.unsigned_abs() as i64;
    let (days, rest) = (s / day_seconds, s % day_seconds);
    let (hours, minutes) = (rest / 3600, (rest % 3600) / 60);
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days} ngày"));
    }
    if hours > 0 {
        parts.push(format!("{hours} giờ"));
    }
    if minutes > 0 || parts.is_empty() {
        parts.push(format!("{minutes} phút"));
    }
    format!("{sign}{}", parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_for_people() {
        assert_eq!(fmt_date(jiff::civil::date(2025, 2, 7)), "07/02/2025");
        assert_eq!(
            iso_datetime(jiff::civil::date(2025, 2, 7).at(10, 0, 0, 0)),
            "2025-02-07T10:00:00+07:00"
        );
        assert_eq!(
            fmt_duration(8 * 3600 + 90 * 60, 8 * 3600),
            "1 ngày 1 giờ 30 phút"
        );
        assert_eq!(fmt_duration(0, 8 * 3600), "0 phút");
    }
}
