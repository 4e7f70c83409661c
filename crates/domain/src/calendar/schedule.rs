//! A unit's weekly working hours (giờ làm việc), e.g. Monday-Friday 07:00-11:30 and 13:30-17:00.

use jiff::civil::Weekday;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a schedule was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("khung giờ '{0}' không hợp lệ (dạng HH:MM-HH:MM, ví dụ 07:00-11:30)")]
    Syntax(String),
    #[error("khung giờ {0} kết thúc trước khi bắt đầu")]
    Reversed(String),
    #[error("các khung giờ {0} và {1} chồng lấn hoặc không theo thứ tự")]
    Overlap(String, String),
    #[error("một ngày làm việc phải dài từ 1 phút đến 24 giờ, không phải {0} phút")]
    DayLength(u32),
    #[error("lịch làm việc không có giờ làm việc nào trong tuần")]
    Empty,
}

/// A working period within a day, in minutes since midnight (end exclusive, at most 1440).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    pub start: u16,
    pub end: u16,
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }
}

fn parse_hhmm(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

/// Parses "07:00-11:30,13:30-17:00" (an empty string is a day without work).
pub fn parse_periods(text: &str) -> Result<Vec<Period>, ScheduleError> {
    let mut out: Vec<Period> = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) = part
            .split_once('-')
            .ok_or_else(|| ScheduleError::Syntax(part.to_owned()))?;
        let start = parse_hhmm(a).ok_or_else(|| ScheduleError::Syntax(part.to_owned()))?;
        let end = parse_hhmm(b).ok_or_else(|| ScheduleError::Syntax(part.to_owned()))?;
        let period = Period { start, end };
        if end <= start {
            return Err(ScheduleError::Reversed(period.to_string()));
        }
        if let Some(prev) = out.last()
            && prev.end > start
        {
            return Err(ScheduleError::Overlap(prev.to_string(), period.to_string()));
        }
        out.push(period);
    }
    Ok(out)
}

/// Working hours per weekday, the hours of an announced make-up working day, and the length of
/// one statutory working day (ngày làm việc) in minutes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WorkSchedule {
    /// Index 0 = Monday … 6 = Sunday.
    weekdays: [Vec<Period>; 7],
    /// Hours worked on a make-up day (ngày làm bù), usually a normal weekday's.
    make_up: Vec<Period>,
    /// One working day = this many working minutes (480 = 8 hours by law).
    working_day_minutes: u32,
}

impl Default for WorkSchedule {
    fn default() -> Self {
        Self::standard()
    }
}

impl WorkSchedule {
    /// Monday-Friday 07:00-11:30 and 13:30-17:00; a working day is 8 hours.
    pub fn standard() -> Self {
        let day = vec![
            Period {
                start: 7 * 60,
                end: 11 * 60 + 30,
            },
            Period {
                start: 13 * 60 + 30,
                end: 17 * 60,
            },
        ];
        Self {
            weekdays: [
                day.clone(),
                day.clone(),
                day.clone(),
                day.clone(),
                day.clone(),
                Vec::new(),
                Vec::new(),
            ],
            make_up: day,
            working_day_minutes: 480,
        }
    }

    /// A schedule from periods per weekday (Monday first) and for make-up days.
    pub fn new(
        weekdays: [Vec<Period>; 7],
        make_up: Vec<Period>,
        working_day_minutes: u32,
    ) -> Result<Self, ScheduleError> {
        if working_day_minutes == 0 || working_day_minutes > 1440 {
            return Err(ScheduleError::DayLength(working_day_minutes));
        }
        for day in weekdays.iter().chain(std::iter::once(&make_up)) {
            let text: Vec<String> = day.iter().map(Period::to_string).collect();
            parse_periods(&text.join(","))?;
            if day.iter().any(|p| p.end > 1440) {
                return Err(ScheduleError::Syntax(text.join(",")));
            }
        }
        if weekdays.iter().all(Vec::is_empty) {
            return Err(ScheduleError::Empty);
        }
        Ok(Self {
            weekdays,
            make_up,
            working_day_minutes,
        })
    }

    /// The standard schedule with other hours on Monday-Friday (and make-up days).
    pub fn weekdays_only(periods: &str) -> Result<Self, ScheduleError> {
        let day = parse_periods(periods)?;
        let empty = Vec::new();
        Self::new(
            [
                day.clone(),
                day.clone(),
                day.clone(),
                day.clone(),
                day.clone(),
                empty.clone(),
                empty,
            ],
            day,
            480,
        )
    }

    pub fn periods(&self, weekday: Weekday) -> &[Period] {
        &self.weekdays[weekday.to_monday_zero_offset() as usize]
    }

    pub fn make_up_periods(&self) -> &[Period] {
        &self.make_up
    }

    pub fn working_day_minutes(&self) -> u32 {
        self.working_day_minutes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        let p = parse_periods("07:00-11:30, 13:30-17:00").unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].to_string(), "13:30-17:00");
        assert!(matches!(
            parse_periods("7-11"),
            Err(ScheduleError::Syntax(_))
        ));
        assert!(matches!(
            parse_periods("11:00-07:00"),
            Err(ScheduleError::Reversed(_))
        ));
        assert!(matches!(
            parse_periods("07:00-12:00,11:00-17:00"),
            Err(ScheduleError::Overlap(..))
        ));
        assert!(matches!(
            parse_periods("07:00-24:01"),
            Err(ScheduleError::Syntax(_))
        ));
        assert!(parse_periods("00:00-24:00").is_ok());
    }

    #[test]
    fn standard_is_eight_hours_monday_to_friday() {
        let s = WorkSchedule::standard();
        let minutes: u16 = s
            .periods(Weekday::Wednesday)
            .iter()
            .map(|p| p.end - p.start)
            .sum();
        assert_eq!(minutes, 480);
        assert!(s.periods(Weekday::Saturday).is_empty());
        assert!(WorkSchedule::weekdays_only("").is_err());
    }
}
