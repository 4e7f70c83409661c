//! The national day table: for every date 1900-2199, whether it is a normal day, a day off
//! (holiday, compensatory day, announced break) or a worked weekend day, and why.
//!
//! Built once from [`CalendarData`]: rule holidays for each year, then the year's notices, which
//! replace the rule days (and their compensatory days) of the holidays they cover. A notice covers
//! a holiday when it says so (`covers`) or when its announced break contains the holiday's date.

use jiff::civil::{Date, Weekday};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

use super::data::{CalendarData, HolidayRule, RuleKind};
use super::lunar::{self, FIRST_YEAR, LAST_YEAR, LunarDate, LunarError};
use super::{fmt_date, weekday_name};

/// Why the calendar could not be built or asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("ngày {0} nằm ngoài phạm vi lịch được hỗ trợ (01/01/{FIRST_YEAR} – 31/12/{LAST_YEAR})")]
    OutOfRange(String),
    #[error(transparent)]
    Lunar(#[from] LunarError),
    #[error("năm {year}: {message}")]
    Conflict { year: i16, message: String },
}

/// What kind of special day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayNoteKind {
    /// Ngày lễ theo luật.
    Holiday,
    /// Nghỉ bù: a rule holiday fell on a weekend.
    Compensatory,
    /// A day off announced by a notice.
    Announced,
    /// Ngày làm bù: a weekend day worked by a notice.
    MakeUp,
}

/// Why a date is special: its name and the document it comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DayNote {
    pub name: String,
    /// Notice number or article of law.
    pub source: String,
    pub kind: DayNoteKind,
}

/// One date's status in the national calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayMark<'a> {
    /// An ordinary day: worked Monday to Friday, rest on the weekend.
    Normal,
    /// Off although it may be a weekday.
    Off(&'a DayNote),
    /// Worked although it is a weekend day.
    Worked(&'a DayNote),
}

/// The national calendar for 1900-2199.
#[derive(Debug, Clone)]
pub struct Calendar {
    first: Date,
    /// Per day since `first`: 0 = normal; n > 0 = notes[n - 1] applies.
    marks: Vec<u16>,
    notes: Vec<DayNote>,
    version: String,
    data: CalendarData,
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// A rule's days in one year, before compensation.
fn rule_days(rule: &HolidayRule, year: i16) -> Result<Vec<(Date, String)>, CalendarError> {
    let solar = |month: u8, day: u8| {
        Date::new(year, month as i8, day as i8)
            .map_err(|_| CalendarError::OutOfRange(format!("{day}/{month}/{year}")))
    };
    let days = match rule.kind {
        RuleKind::Solar => vec![(solar(rule.month, rule.day)?, rule.name.clone())],
        RuleKind::Lunar => {
            let date = lunar::lunar_to_solar(LunarDate {
                day: rule.day,
                month: rule.month,
                year,
                leap: false,
            })?;
            vec![(date, rule.name.clone())]
        }
        RuleKind::LunarNewYear => {
            let tet = lunar::tet(year)?;
            let mut out = Vec::new();
            for back in (1..=i64::from(rule.days_before)).rev() {
                let d = tet
                    .checked_sub(jiff::Span::new().days(back))
                    .map_err(|_| CalendarError::OutOfRange(fmt_date(tet)))?;
                out.push((d, format!("{} (cuối năm âm lịch)", rule.name)));
            }
            for n in 0..i64::from(rule.days_from_new_year) {
                let d = tet
                    .checked_add(jiff::Span::new().days(n))
                    .map_err(|_| CalendarError::OutOfRange(fmt_date(tet)))?;
                out.push((d, format!("{} (mùng {})", rule.name, n + 1)));
            }
            out
        }
        RuleKind::SolarWithAdjacent => {
            let day = solar(rule.month, rule.day)?;
            let after = matches!(
                day.weekday(),
                Weekday::Monday | Weekday::Thursday | Weekday::Sunday
            );
            let adjacent = if after {
                day.tomorrow()
            } else {
                day.yesterday()
            }
            .map_err(|_| CalendarError::OutOfRange(fmt_date(day)))?;
            let mut out = vec![
                (day, rule.name.clone()),
                (adjacent, format!("{} (ngày liền kề)", rule.name)),
            ];
            out.sort();
            out
        }
    };
    Ok(days)
}

impl Calendar {
    /// Builds the day table for 1900-2199 from rules and notices.
    pub fn build(data: &CalendarData) -> Result<Self, CalendarError> {
        let first =
            Date::new(FIRST_YEAR, 1, 1).map_err(|e| CalendarError::OutOfRange(e.to_string()))?;
        let last =
            Date::new(LAST_YEAR, 12, 31).map_err(|e| CalendarError::OutOfRange(e.to_string()))?;
        let len = first
            .until(last)
            .map_err(|e| CalendarError::OutOfRange(e.to_string()))?
            .get_days()
            + 1;
        let mut cal = Self {
            first,
            marks: vec![0; len as usize],
            notes: Vec::new(),
            version: data.fingerprint(),
            data: data.clone(),
        };
        let mut note_index: BTreeMap<DayNote, u16> = BTreeMap::new();
        for year in FIRST_YEAR..=LAST_YEAR {
            for (date, note) in year_marks(data, year)? {
                let idx = match note_index.get(&note) {
                    Some(i) => *i,
                    None => {
                        cal.notes.push(note.clone());
                        let i = cal.notes.len() as u16;
                        note_index.insert(note, i);
                        i
                    }
                };
                if let Some(slot) = cal.index(date).and_then(|i| cal.marks.get_mut(i)) {
                    *slot = idx;
                }
            }
        }
        Ok(cal)
    }

    /// The calendar built from the data shipped in the repository.
    pub fn embedded() -> Result<Self, CalendarError> {
        let data = CalendarData::embedded().map_err(|e| CalendarError::Conflict {
            year: 0,
            message: e.to_string(),
        })?;
        Self::build(&data)
    }

    fn index(&self, date: Date) -> Option<usize> {
        let days = (lunar::jd_from_date(date) - lunar::jd_from_date(self.first)) as usize;
        (days < self.marks.len()).then_some(days)
    }

    /// First date covered.
    pub fn first_date(&self) -> Date {
        self.first
    }

    /// Number of dates covered.
    pub fn len_days(&self) -> usize {
        self.marks.len()
    }

    /// Version id of the data the calendar was built from.
    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn data(&self) -> &CalendarData {
        &self.data
    }

    /// The status of a date.
    pub fn mark(&self, date: Date) -> Result<DayMark<'_>, CalendarError> {
        let i = self
            .index(date)
            .ok_or_else(|| CalendarError::OutOfRange(fmt_date(date)))?;
        Ok(self.mark_at(i))
    }

    pub(crate) fn mark_at(&self, i: usize) -> DayMark<'_> {
        match self.marks.get(i).copied().unwrap_or(0) {
            0 => DayMark::Normal,
            n => match self.notes.get(usize::from(n) - 1) {
                Some(note) if note.kind == DayNoteKind::MakeUp => DayMark::Worked(note),
                Some(note) => DayMark::Off(note),
                None => DayMark::Normal,
            },
        }
    }

    /// Every special date of a year in date order: days off (including a holiday's weekend days
    /// and the weekend days inside an announced break) and worked weekend days.
    pub fn special_days(&self, year: i16) -> Result<Vec<(Date, DayMark<'_>)>, CalendarError> {
        let start =
            Date::new(year, 1, 1).map_err(|_| CalendarError::OutOfRange(year.to_string()))?;
        let mut i = self
            .index(start)
            .ok_or_else(|| CalendarError::OutOfRange(fmt_date(start)))?;
        let mut date = start;
        let mut out = Vec::new();
        while date.year() == year {
            let mark = self.mark_at(i);
            if mark != DayMark::Normal {
                out.push((date, mark));
            }
            i += 1;
            date = match date.tomorrow() {
                Ok(d) => d,
                Err(_) => break,
            };
        }
        Ok(out)
    }

    /// A one-line Vietnamese description of why a date is not a working day, if it is not one
    /// in the national week.
    pub fn describe_off(&self, date: Date) -> Result<Option<String>, CalendarError> {
        Ok(match self.mark(date)? {
            DayMark::Off(note) => Some(format!("{} ({})", note.name, note.source)),
            DayMark::Normal if is_weekend(date) => {
                Some(format!("{} – nghỉ hằng tuần", weekday_name(date.weekday())))
            }
            _ => None,
        })
    }
}

/// The special days of one year: notice days, then uncovered rule holidays with compensation.
fn year_marks(data: &CalendarData, year: i16) -> Result<Vec<(Date, DayNote)>, CalendarError> {
    let mut off: BTreeMap<Date, DayNote> = BTreeMap::new();
    let mut worked: BTreeMap<Date, DayNote> = BTreeMap::new();
    let mut covered: BTreeSet<&str> = BTreeSet::new();
    if let Some(notices) = data.years.get(&year) {
        for notice in &notices.notices {
            covered.extend(notice.covers.iter().map(String::as_str));
            for range in &notice.days_off {
                let mut d = range.from;
                while d <= range.to {
                    off.insert(
                        d,
                        DayNote {
                            name: range.name.clone(),
                            source: notice.number.clone(),
                            kind: DayNoteKind::Announced,
                        },
                    );
                    d = d
                        .tomorrow()
                        .map_err(|_| CalendarError::OutOfRange(fmt_date(d)))?;
                }
            }
            for w in &notice.work_days {
                worked.insert(
                    w.date,
                    DayNote {
                        name: w.name.clone(),
                        source: notice.number.clone(),
                        kind: DayNoteKind::MakeUp,
                    },
                );
            }
        }
    }
    let announced: BTreeSet<Date> = off.keys().copied().collect();
    let mut holidays: Vec<(Date, String, &HolidayRule)> = Vec::new();
    for rule in data.rules.iter().filter(|r| r.applies_in(year)) {
        if covered.contains(rule.key.as_str()) {
            continue;
        }
        let days = rule_days(rule, year)?;
        // A notice whose break contains the holiday decides it, with its compensation.
        if days.iter().any(|(d, _)| announced.contains(d)) {
            continue;
        }
        holidays.extend(days.into_iter().map(|(d, name)| (d, name, rule)));
    }
    holidays.sort_by_key(|(d, _, _)| *d);
    for (date, name, rule) in &holidays {
        if let Some(w) = worked.get(date) {
            return Err(CalendarError::Conflict {
                year,
                message: format!(
                    "ngày làm bù {} ({}) trùng ngày lễ {}",
                    fmt_date(*date),
                    w.source,
                    name
                ),
            });
        }
        off.entry(*date).or_insert_with(|| DayNote {
            name: name.clone(),
            source: rule.law.clone(),
            kind: DayNoteKind::Holiday,
        });
    }
    // Compensatory days, in date order so two weekend holidays take two different days.
    for (date, name, rule) in &holidays {
        if !is_weekend(*date) {
            continue;
        }
        let mut d = date
            .tomorrow()
            .map_err(|_| CalendarError::OutOfRange(fmt_date(*date)))?;
        while is_weekend(d) || off.contains_key(&d) || worked.contains_key(&d) {
            d = d
                .tomorrow()
                .map_err(|_| CalendarError::OutOfRange(fmt_date(d)))?;
        }
        off.insert(
            d,
            DayNote {
                name: format!("Nghỉ bù {} ({})", name, fmt_date(*date)),
                source: format!("{}; Bộ luật Lao động 2019, Điều 111 khoản 3", rule.law),
                kind: DayNoteKind::Compensatory,
            },
        );
    }
    let mut out: Vec<(Date, DayNote)> = off.into_iter().collect();
    out.extend(worked);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cal() -> Calendar {
        Calendar::embedded().unwrap()
    }

    fn off_weekdays(cal: &Calendar, year: i16) -> Vec<Date> {
        cal.special_days(year)
            .unwrap()
            .into_iter()
            .filter(|(d, m)| matches!(m, DayMark::Off(_)) && !is_weekend(*d))
            .map(|(d, _)| d)
            .collect()
    }

    #[test]
    fn rule_alone_gives_tet_2025_with_compensation() {
        let data = CalendarData::from_rules(
            "rules.toml",
            include_str!("../../../../data/calendar/rules.toml"),
        )
        .unwrap();
        let cal = Calendar::build(&data).unwrap();
        let tet: Vec<Date> = off_weekdays(&cal, 2025)
            .into_iter()
            .filter(|d| d.month() <= 2)
            .collect();
        // Tuesday 28/1 .. Friday 31/1 (Saturday 1/2 is the 5th day) + Monday 3/2 in compensation.
        assert_eq!(
            tet,
            vec![
                date(2025, 1, 1),
                date(2025, 1, 28),
                date(2025, 1, 29),
                date(2025, 1, 30),
                date(2025, 1, 31),
                date(2025, 2, 3)
            ]
        );
        assert!(matches!(
            cal.mark(date(2025, 2, 1)).unwrap(),
            DayMark::Off(n) if n.name.contains("mùng 4")
        ));
    }

    #[test]
    fn notice_replaces_the_rule_for_tet_2025() {
        let cal = cal();
        assert_eq!(cal.mark(date(2025, 2, 3)).unwrap(), DayMark::Normal);
        assert!(matches!(
            cal.mark(date(2025, 1, 27)).unwrap(),
            DayMark::Off(_)
        ));
        assert!(matches!(
            cal.mark(date(2025, 4, 26)).unwrap(),
            DayMark::Worked(_)
        ));
    }

    #[test]
    fn giỗ_tổ_on_sunday_is_compensated_on_monday() {
        let cal = cal();
        assert!(matches!(
            cal.mark(date(2026, 4, 26)).unwrap(),
            DayMark::Off(n) if n.kind == DayNoteKind::Holiday && n.name == "Giỗ Tổ Hùng Vương"
        ));
        assert!(matches!(
            cal.mark(date(2026, 4, 27)).unwrap(),
            DayMark::Off(n) if n.kind == DayNoteKind::Compensatory
        ));
    }

    #[test]
    fn national_day_adjacent_rule() {
        // No notices: 2/9/2027 is a Thursday, so Friday 3/9 is the adjacent day.
        let cal = cal();
        assert!(matches!(
            cal.mark(date(2027, 9, 3)).unwrap(),
            DayMark::Off(_)
        ));
        assert_eq!(cal.mark(date(2027, 9, 1)).unwrap(), DayMark::Normal);
        // Before 2021 only one day.
        assert_eq!(cal.mark(date(2020, 9, 3)).unwrap(), DayMark::Normal);
    }

    #[test]
    fn two_weekend_holidays_take_two_compensatory_days() {
        // 2023 by rule: Giỗ Tổ Saturday 29/4, 30/4 Sunday, 1/5 Monday → 2/5 and 3/5 off.
        let cal = cal();
        for d in [date(2023, 5, 2), date(2023, 5, 3)] {
            assert!(matches!(
                cal.mark(d).unwrap(),
                DayMark::Off(n) if n.kind == DayNoteKind::Compensatory
            ));
        }
        assert_eq!(cal.mark(date(2023, 5, 4)).unwrap(), DayMark::Normal);
    }

    #[test]
    fn disabled_culture_day_is_not_off() {
        assert_eq!(cal().mark(date(2026, 11, 24)).unwrap(), DayMark::Normal);
    }

    #[test]
    fn out_of_range_is_an_error() {
        assert!(cal().mark(date(2200, 1, 1)).is_err());
        assert!(cal().mark(date(1899, 12, 31)).is_err());
    }
}
