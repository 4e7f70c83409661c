//! Calendar data: the holiday rules (law) and the yearly notices (announced days off and make-up
//! working days), parsed from TOML and validated.
//!
//! The repository ships `data/calendar/rules.toml` and one `data/calendar/YYYY.toml` per year
//! with notices; they are embedded at build ([`CalendarData::embedded`]) and an administrator can
//! add or replace a year's file at run time without a new build ([`CalendarData::add_file`]).
//! Parsing is pure: the caller reads the files.

use jiff::civil::{Date, Weekday};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

use super::fmt_date;
use super::lunar::{FIRST_YEAR, LAST_YEAR};

/// Why calendar data was refused. Messages name the file and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataError {
    #[error("{file}: không đọc được TOML: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

/// The holidays the law knows, by key.
pub const HOLIDAY_KEYS: [&str; 7] = [
    "new_year",
    "tet",
    "hung_kings",
    "reunification",
    "labour_day",
    "national_day",
    "culture_day",
];

/// How a rule finds its day(s) in a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// A fixed solar date.
    Solar,
    /// A fixed lunar date (month not leap).
    Lunar,
    /// Tết: `days_before` last days of the old lunar year and `days_from_new_year` first days of
    /// the new one.
    LunarNewYear,
    /// A fixed solar date plus one adjacent day (before or after), e.g. Quốc khánh 2/9 since 2021.
    SolarWithAdjacent,
}

/// One holiday rule, effective for a span of years.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolidayRule {
    pub key: String,
    /// Tên ngày lễ, shown to users.
    pub name: String,
    /// The article of law, cited as the day's source.
    pub law: String,
    pub kind: RuleKind,
    #[serde(default)]
    pub month: u8,
    #[serde(default)]
    pub day: u8,
    #[serde(default)]
    pub days_before: u8,
    #[serde(default)]
    pub days_from_new_year: u8,
    /// First year the rule applies (inclusive).
    pub from_year: i16,
    /// Last year the rule applies (inclusive); open when absent.
    pub until_year: Option<i16>,
    /// A documented rule that is not in force (e.g. a proposed holiday).
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub note: String,
}

fn yes() -> bool {
    true
}

impl HolidayRule {
    pub fn applies_in(&self, year: i16) -> bool {
        self.enabled && year >= self.from_year && self.until_year.is_none_or(|u| year <= u)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    rule: Vec<HolidayRule>,
}

/// A range of announced days off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffRange {
    pub from: Date,
    pub to: Date,
    pub name: String,
}

/// An announced make-up working day (a weekend day worked in exchange for a day off).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkDay {
    pub date: Date,
    pub name: String,
}

/// One official notice (thông báo / công văn) about a year's days off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Số hiệu văn bản, e.g. `9441/TB-BNV`.
    pub number: String,
    pub issuer: String,
    pub issued: Option<Date>,
    pub title: String,
    pub url: Option<String>,
    /// Rule holidays whose rule-derived days this notice replaces.
    pub covers: Vec<String>,
    pub note: String,
    pub days_off: Vec<OffRange>,
    pub work_days: Vec<WorkDay>,
}

/// All notices for one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearNotices {
    pub year: i16,
    pub notices: Vec<Notice>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYearFile {
    year: i16,
    #[serde(default)]
    notice: Vec<RawNotice>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNotice {
    number: String,
    issuer: String,
    issued: Option<toml::value::Datetime>,
    title: String,
    url: Option<String>,
    #[serde(default)]
    covers: Vec<String>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    days_off: Vec<RawOffRange>,
    #[serde(default)]
    work_days: Vec<RawWorkDay>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOffRange {
    from: toml::value::Datetime,
    to: toml::value::Datetime,
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkDay {
    date: toml::value::Datetime,
    name: String,
}

/// Everything the calendar is built from, with a fingerprint of the source texts so that a
/// result can name the calendar version it used.
#[derive(Debug, Clone)]
pub struct CalendarData {
    pub rules: Vec<HolidayRule>,
    pub years: BTreeMap<i16, YearNotices>,
    /// Source file name → SHA-256 of its text.
    sources: BTreeMap<String, String>,
}

const EMBEDDED_RULES: &str = include_str!("../../../../data/calendar/rules.toml");
const EMBEDDED_YEARS: [(&str, &str); 4] = [
    (
        "2023.toml",
        include_str!("../../../../data/calendar/2023.toml"),
    ),
    (
        "2024.toml",
        include_str!("../../../../data/calendar/2024.toml"),
    ),
    (
        "2025.toml",
        include_str!("../../../../data/calendar/2025.toml"),
    ),
    (
        "2026.toml",
        include_str!("../../../../data/calendar/2026.toml"),
    ),
];

fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The text of a year's notice file shipped in the repository, if there is one.
pub fn embedded_year_text(year: i16) -> Option<&'static str> {
    let name = format!("{year}.toml");
    EMBEDDED_YEARS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

impl CalendarData {
    /// The rules and notices shipped in the repository's `data/calendar/`.
    pub fn embedded() -> Result<Self, DataError> {
        let mut data = Self::from_rules("rules.toml", EMBEDDED_RULES)?;
        for (name, text) in EMBEDDED_YEARS {
            data.add_file(name, text)?;
        }
        Ok(data)
    }

    /// Data with the given rules and no notices.
    pub fn from_rules(file: &str, text: &str) -> Result<Self, DataError> {
        let rules = parse_rules(file, text)?;
        let mut sources = BTreeMap::new();
        sources.insert(format!("calendar/{file}"), sha256_hex(text));
        Ok(Self {
            rules,
            years: BTreeMap::new(),
            sources,
        })
    }

    /// Adds a year's notice file, replacing an earlier file for the same year (an administrator's
    /// file overrides the shipped one). Returns the year.
    pub fn add_file(&mut self, file: &str, text: &str) -> Result<i16, DataError> {
        let year = parse_year_notices(file, text, &self.rules)?;
        let number = year.year;
        self.sources
            .insert(format!("calendar/{number}:{file}"), sha256_hex(text));
        let stale: Vec<String> = self
            .sources
            .keys()
            .filter(|k| k.starts_with(&format!("calendar/{number}:")) && !k.ends_with(file))
            .cloned()
            .collect();
        for k in stale {
            self.sources.remove(&k);
        }
        self.years.insert(number, year);
        Ok(number)
    }

    /// Short version id of this data (first 12 hex digits of a SHA-256 over every source).
    pub fn fingerprint(&self) -> String {
        let mut hasher = Sha256::new();
        for (name, hash) in &self.sources {
            hasher.update(name.as_bytes());
            hasher.update(b"=");
            hasher.update(hash.as_bytes());
            hasher.update(b"\n");
        }
        let digest = hasher.finalize();
        digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
    }

    pub fn rule(&self, key: &str) -> impl Iterator<Item = &HolidayRule> {
        self.rules.iter().filter(move |r| r.key == key)
    }
}

fn invalid(file: &str, message: impl Into<String>) -> DataError {
    DataError::Invalid {
        file: file.to_owned(),
        message: message.into(),
    }
}

fn toml_date(file: &str, what: &str, value: &toml::value::Datetime) -> Result<Date, DataError> {
    match (value.date, value.time, value.offset) {
        (Some(d), None, None) => Date::new(d.year as i16, d.month as i8, d.day as i8)
            .map_err(|e| invalid(file, format!("{what}: ngày không hợp lệ {value}: {e}"))),
        _ => Err(invalid(
            file,
            format!("{what}: cần một ngày dạng YYYY-MM-DD, không phải {value}"),
        )),
    }
}

fn parse_rules(file: &str, text: &str) -> Result<Vec<HolidayRule>, DataError> {
    let raw: RulesFile = toml::from_str(text).map_err(|e| DataError::Syntax {
        file: file.to_owned(),
        message: e.message().to_owned(),
    })?;
    for rule in &raw.rule {
        let at = format!("quy tắc '{}'", rule.key);
        if !HOLIDAY_KEYS.contains(&rule.key.as_str()) {
            return Err(invalid(
                file,
                format!("{at}: khóa không được hỗ trợ (cho phép: {HOLIDAY_KEYS:?})"),
            ));
        }
        if rule.name.trim().is_empty() || rule.law.trim().is_empty() {
            return Err(invalid(
                file,
                format!("{at}: thiếu tên hoặc căn cứ pháp lý"),
            ));
        }
        if rule.until_year.is_some_and(|u| u < rule.from_year) {
            return Err(invalid(file, format!("{at}: until_year trước from_year")));
        }
        match rule.kind {
            RuleKind::Solar | RuleKind::SolarWithAdjacent => {
                Date::new(2000, rule.month as i8, rule.day as i8)
                    .map_err(|_| invalid(file, format!("{at}: tháng/ngày dương lịch sai")))?;
            }
            RuleKind::Lunar => {
                if !(1..=12).contains(&rule.month) || !(1..=30).contains(&rule.day) {
                    return Err(invalid(file, format!("{at}: tháng/ngày âm lịch sai")));
                }
            }
            RuleKind::LunarNewYear => {
                if rule.days_from_new_year == 0 || rule.days_before > 3 {
                    return Err(invalid(
                        file,
                        format!("{at}: số ngày nghỉ Tết không hợp lệ"),
                    ));
                }
            }
        }
    }
    // Two enabled rules for the same holiday must not overlap in years.
    for (i, a) in raw.rule.iter().enumerate() {
        for b in raw.rule.iter().skip(i + 1) {
            if a.key == b.key && a.enabled && b.enabled {
                let a_end = a.until_year.unwrap_or(i16::MAX);
                let b_end = b.until_year.unwrap_or(i16::MAX);
                if a.from_year <= b_end && b.from_year <= a_end {
                    return Err(invalid(
                        file,
                        format!("hai quy tắc '{}' chồng lấn về năm áp dụng", a.key),
                    ));
                }
            }
        }
    }
    Ok(raw.rule)
}

/// Parses and validates one year's notice file.
pub fn parse_year_notices(
    file: &str,
    text: &str,
    rules: &[HolidayRule],
) -> Result<YearNotices, DataError> {
    let raw: RawYearFile = toml::from_str(text).map_err(|e| DataError::Syntax {
        file: file.to_owned(),
        message: e.message().to_owned(),
    })?;
    let year = raw.year;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(invalid(
            file,
            format!("năm {year} ngoài phạm vi {FIRST_YEAR}–{LAST_YEAR}"),
        ));
    }
    // Dates may reach a month into the neighbouring years (a New Year break may start in
    // December), no further.
    let lo = Date::new(year - 1, 12, 1).map_err(|e| invalid(file, e.to_string()))?;
    let hi = Date::new(year + 1, 1, 31).map_err(|e| invalid(file, e.to_string()))?;
    let mut off_seen: BTreeMap<Date, String> = BTreeMap::new();
    let mut work_seen: BTreeMap<Date, String> = BTreeMap::new();
    let mut covered: BTreeSet<String> = BTreeSet::new();
    let mut notices = Vec::new();
    for raw_notice in raw.notice {
        let number = raw_notice.number.trim().to_owned();
        if number.is_empty() {
            return Err(invalid(file, "một thông báo thiếu số hiệu (number)"));
        }
        let at = format!("thông báo {number}");
        if raw_notice.title.trim().is_empty() || raw_notice.issuer.trim().is_empty() {
            return Err(invalid(
                file,
                format!("{at}: thiếu trích yếu hoặc cơ quan ban hành"),
            ));
        }
        for key in &raw_notice.covers {
            if !rules.iter().any(|r| &r.key == key) {
                return Err(invalid(
                    file,
                    format!("{at}: covers '{key}' không phải ngày lễ đã biết"),
                ));
            }
            if !covered.insert(key.clone()) {
                return Err(invalid(
                    file,
                    format!("{at}: ngày lễ '{key}' đã do thông báo khác quy định"),
                ));
            }
        }
        if raw_notice.days_off.is_empty() && raw_notice.work_days.is_empty() {
            return Err(invalid(
                file,
                format!("{at}: không có ngày nghỉ hay ngày làm bù"),
            ));
        }
        let issued = match &raw_notice.issued {
            Some(v) => Some(toml_date(file, &format!("{at}: issued"), v)?),
            None => None,
        };
        let mut days_off = Vec::new();
        for range in raw_notice.days_off {
            let from = toml_date(file, &format!("{at}: from"), &range.from)?;
            let to = toml_date(file, &format!("{at}: to"), &range.to)?;
            if range.name.trim().is_empty() {
                return Err(invalid(file, format!("{at}: khoảng nghỉ thiếu tên")));
            }
            if to < from {
                return Err(invalid(
                    file,
                    format!(
                        "{at}: ngày kết thúc {} trước ngày bắt đầu {}",
                        fmt_date(to),
                        fmt_date(from)
                    ),
                ));
            }
            if from < lo || to > hi {
                return Err(invalid(
                    file,
                    format!(
                        "{at}: khoảng nghỉ {} không thuộc năm {year}",
                        fmt_date(from)
                    ),
                ));
            }
            let mut d = from;
            let mut count = 0;
            while d <= to {
                count += 1;
                if count > 16 {
                    return Err(invalid(
                        file,
                        format!("{at}: khoảng nghỉ dài quá 16 ngày, có lẽ nhập sai"),
                    ));
                }
                if let Some(other) = off_seen.insert(d, number.clone()) {
                    return Err(invalid(
                        file,
                        format!("{at}: ngày {} đã được {other} cho nghỉ", fmt_date(d)),
                    ));
                }
                d = d.tomorrow().map_err(|e| invalid(file, e.to_string()))?;
            }
            days_off.push(OffRange {
                from,
                to,
                name: range.name.trim().to_owned(),
            });
        }
        let mut work_days = Vec::new();
        for work in raw_notice.work_days {
            let date = toml_date(file, &format!("{at}: work_days"), &work.date)?;
            if !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) {
                return Err(invalid(
                    file,
                    format!(
                        "{at}: ngày làm bù {} không phải Thứ Bảy hay Chủ Nhật",
                        fmt_date(date)
                    ),
                ));
            }
            if date < lo || date > hi {
                return Err(invalid(
                    file,
                    format!(
                        "{at}: ngày làm bù {} không thuộc năm {year}",
                        fmt_date(date)
                    ),
                ));
            }
            if work.name.trim().is_empty() {
                return Err(invalid(file, format!("{at}: ngày làm bù thiếu tên")));
            }
            if let Some(other) = work_seen.insert(date, number.clone()) {
                return Err(invalid(
                    file,
                    format!("{at}: ngày làm bù {} trùng với {other}", fmt_date(date)),
                ));
            }
            work_days.push(WorkDay {
                date,
                name: work.name.trim().to_owned(),
            });
        }
        notices.push(Notice {
            number,
            issuer: raw_notice.issuer.trim().to_owned(),
            issued,
            title: raw_notice.title.trim().to_owned(),
            url: raw_notice.url,
            covers: raw_notice.covers,
            note: raw_notice.note,
            days_off,
            work_days,
        });
    }
    if let Some((d, n)) = work_seen.iter().find(|(d, _)| off_seen.contains_key(d)) {
        return Err(invalid(
            file,
            format!(
                "ngày {} vừa là ngày nghỉ vừa là ngày làm bù ({n})",
                fmt_date(*d)
            ),
        ));
    }
    Ok(YearNotices { year, notices })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Vec<HolidayRule> {
        CalendarData::embedded().unwrap().rules
    }

    fn check(text: &str) -> Result<YearNotices, DataError> {
        parse_year_notices("t.toml", text, &rules())
    }

    const OK: &str = r#"
year = 2027
[[notice]]
number = "1/TB-TEST"
issuer = "Bộ Nội vụ"
title = "Nghỉ Tết 2027"
covers = ["tet"]
[[notice.days_off]]
from = 2027-02-05
to = 2027-02-10
name = "Tết Nguyên Đán"
[[notice.work_days]]
date = 2027-02-20
name = "Làm bù"
"#;

    #[test]
    fn embedded_data_is_valid() {
        let data = CalendarData::embedded().unwrap();
        assert!(data.years.contains_key(&2025));
        assert_eq!(data.fingerprint().len(), 12);
    }

    #[test]
    fn accepts_a_well_formed_year() {
        let y = check(OK).unwrap();
        assert_eq!(y.notices[0].days_off[0].to, jiff::civil::date(2027, 2, 10));
    }

    #[test]
    fn refuses_bad_files_with_a_reason() {
        let cases = [
            (OK.replace("2027-02-10", "2027-02-01"), "trước ngày bắt đầu"),
            (OK.replace("2027-02-20", "2027-02-22"), "không phải Thứ Bảy"),
            (OK.replace("[\"tet\"]", "[\"xmas\"]"), "không phải ngày lễ"),
            (OK.replace("2027-02-20", "2027-02-06"), "vừa là ngày nghỉ"),
            (OK.replace("year = 2027", "year = 2300"), "ngoài phạm vi"),
            (
                OK.replace("number = \"1/TB-TEST\"", "number = \" \""),
                "số hiệu",
            ),
            (OK.replace("2027-02-10", "2027-03-10"), "dài quá"),
            (OK.replace("2027-02-05", "2027-02-30"), "TOML"),
            (OK.replace("name = \"Làm bù\"", "nam = \"x\""), "TOML"),
            (OK.replace("year = 2027", "year = \"x\""), "TOML"),
        ];
        for (text, expected) in cases {
            let err = check(&text).unwrap_err().to_string();
            assert!(err.contains(expected), "{err} should contain {expected}");
        }
    }

    #[test]
    fn a_later_file_replaces_the_same_year() {
        let mut data = CalendarData::embedded().unwrap();
        let before = data.fingerprint();
        data.add_file("2027.toml", OK).unwrap();
        assert_ne!(before, data.fingerprint());
        let again = data.fingerprint();
        data.add_file("2027.toml", OK).unwrap();
        assert_eq!(again, data.fingerprint());
    }
}
