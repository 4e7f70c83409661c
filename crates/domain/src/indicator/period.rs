//! Reporting periods (kỳ báo cáo): a month, a quarter, a year, or any range of days.

use jiff::ToSpan;
use jiff::civil::{Date, date};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

use crate::calendar::fmt_date;

/// The kind of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
    Custom,
}

/// A closed range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Period {
    pub kind: PeriodKind,
    pub first: Date,
    pub last: Date,
}

/// A period that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("kỳ không hợp lệ: «{0}» (dùng 2024, 2024-Q3, 2024-07 hoặc 2024-07-01..2024-08-15)")]
pub struct PeriodError(pub String);

impl Period {
    pub fn month(year: i16, month: i8) -> Result<Self, PeriodError> {
        let first =
            Date::new(year, month, 1).map_err(|_| PeriodError(format!("{year}-{month}")))?;
        Ok(Self {
            kind: PeriodKind::Month,
            first,
            last: first.last_of_month(),
        })
    }

    pub fn quarter(year: i16, quarter: i8) -> Result<Self, PeriodError> {
        if !(1..=4).contains(&quarter) {
            return Err(PeriodError(format!("{year}-Q{quarter}")));
        }
        let first = Date::new(year, (quarter - 1) * 3 + 1, 1)
            .map_err(|_| PeriodError(format!("{year}-Q{quarter}")))?;
        let last = Date::new(year, quarter * 3, 1)
            .map_err(|_| PeriodError(format!("{year}-Q{quarter}")))?
            .last_of_month();
        Ok(Self {
            kind: PeriodKind::Quarter,
            first,
            last,
        })
    }

    pub fn year(year: i16) -> Result<Self, PeriodError> {
        let first = Date::new(year, 1, 1).map_err(|_| PeriodError(year.to_string()))?;
        Ok(Self {
            kind: PeriodKind::Year,
            first,
            last: date(year, 12, 31),
        })
    }

    pub fn custom(first: Date, last: Date) -> Result<Self, PeriodError> {
        if last < first {
            return Err(PeriodError(format!("{first}..{last}")));
        }
        Ok(Self {
            kind: PeriodKind::Custom,
            first,
            last,
        })
    }

    /// The quarter holding a day.
    pub fn quarter_of(day: Date) -> Self {
        let q = (day.month() - 1) / 3 + 1;
        Self::quarter(day.year(), q).unwrap_or(Self {
            kind: PeriodKind::Custom,
            first: day,
            last: day,
        })
    }

    /// The month holding a day.
    pub fn month_of(day: Date) -> Self {
        Self {
            kind: PeriodKind::Month,
            first: day.first_of_month(),
            last: day.last_of_month(),
        }
    }

    /// The same period a year earlier (for year-over-year change).
    pub fn year_before(&self) -> Option<Self> {
        let shift = |d: Date| d.checked_sub(1.year()).ok();
        let (first, last) = (shift(self.first)?, shift(self.last)?);
        Some(match self.kind {
            PeriodKind::Month | PeriodKind::Quarter | PeriodKind::Year => Self {
                kind: self.kind,
                first,
                last: if self.kind == PeriodKind::Month {
                    first.last_of_month()
                } else {
                    last.last_of_month()
                },
            },
            PeriodKind::Custom => Self {
                kind: self.kind,
                first,
                last,
            },
        })
    }

    /// The months this period spans, each clipped to the period.
    pub fn months(&self) -> Vec<Period> {
        let mut out = Vec::new();
        let mut m = self.first.first_of_month();
        while m <= self.last {
            let last = m.last_of_month().min(self.last);
            out.push(Period {
                kind: if m >= self.first && last == m.last_of_month() {
                    PeriodKind::Month
                } else {
                    PeriodKind::Custom
                },
                first: m.max(self.first),
                last,
            });
            match m.checked_add(1.month()) {
                Ok(next) => m = next,
                Err(_) => break,
            }
        }
        out
    }

    pub fn contains(&self, day: Date) -> bool {
        self.first <= day && day <= self.last
    }

    /// Vietnamese label: "Tháng 07/2024", "Quý III/2024", "Năm 2024", "01/07/2024 - 15/08/2024".
    pub fn label(&self) -> String {
        match self.kind {
            PeriodKind::Month => format!("Tháng {:02}/{}", self.first.month(), self.first.year()),
            PeriodKind::Quarter => {
                let q = ["I", "II", "III", "IV"]
                    .get(usize::try_from((self.first.month() - 1) / 3).unwrap_or(0))
                    .copied()
                    .unwrap_or("?");
                format!("Quý {q}/{}", self.first.year())
            }
            PeriodKind::Year => format!("Năm {}", self.first.year()),
            PeriodKind::Custom => format!("{} - {}", fmt_date(self.first), fmt_date(self.last)),
        }
    }
}

impl fmt::Display for Period {
    /// The key form that parses back: `2024`, `2024-Q3`, `2024-07`, `2024-07-01..2024-08-15`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PeriodKind::Month => write!(f, "{}-{:02}", self.first.year(), self.first.month()),
            PeriodKind::Quarter => write!(
                f,
                "{}-Q{}",
                self.first.year(),
                (self.first.month() - 1) / 3 + 1
            ),
            PeriodKind::Year => write!(f, "{}", self.first.year()),
            PeriodKind::Custom => write!(f, "{}..{}", self.first, self.last),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(s: &str) -> Result<Self, PeriodError> {
        let t = s.trim();
        let bad = || PeriodError(t.to_owned());
        if let Some((a, b)) = t.split_once("..") {
            let first: Date = a.trim().parse().map_err(|_| bad())?;
            let last: Date = b.trim().parse().map_err(|_| bad())?;
            return Self::custom(first, last).map_err(|_| bad());
        }
        let year = |y: &str| -> Result<i16, PeriodError> {
            match y.parse::<i16>() {
                Ok(v) if (1900..=2199).contains(&v) && y.len() == 4 => Ok(v),
                _ => Err(bad()),
            }
        };
        match t.split_once('-') {
            None => Self::year(year(t)?),
            Some((y, rest)) => {
                let y = year(y)?;
                if let Some(q) = rest.strip_prefix(['Q', 'q']) {
                    let q: i8 = q.parse().map_err(|_| bad())?;
                    Self::quarter(y, q).map_err(|_| bad())
                } else {
                    let m: i8 = rest.parse().map_err(|_| bad())?;
                    if rest.len() != 2 {
                        return Err(bad());
                    }
                    Self::month(y, m).map_err(|_| bad())
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_every_kind() {
        for s in ["2024", "2024-Q3", "2024-07", "2024-07-01..2024-08-15"] {
            let p: Period = s.parse().unwrap();
            assert_eq!(p.to_string(), s);
        }
        let q: Period = "2024-Q3".parse().unwrap();
        assert_eq!((q.first, q.last), (date(2024, 7, 1), date(2024, 9, 30)));
        assert_eq!(q.label(), "Quý III/2024");
        let m: Period = "2024-02".parse().unwrap();
        assert_eq!(m.last, date(2024, 2, 29));
        assert_eq!(m.label(), "Tháng 02/2024");
        for bad in [
            "",
            "24",
            "2024-13",
            "2024-Q5",
            "2024-7",
            "2024-08-15..2024-07-01",
            "x..y",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
    }

    #[test]
    fn months_clip_to_the_period() {
        let p: Period = "2024-07-15..2024-09-10".parse().unwrap();
        let ms = p.months();
        assert_eq!(ms.len(), 3);
        assert_eq!(ms[0].first, date(2024, 7, 15));
        assert_eq!(ms[0].kind, PeriodKind::Custom);
        assert_eq!(ms[1].kind, PeriodKind::Month);
        assert_eq!(ms[2].last, date(2024, 9, 10));
    }

    #[test]
    fn year_before_keeps_the_shape() {
        let m: Period = "2024-02".parse().unwrap();
        let b = m.year_before().unwrap();
        assert_eq!((b.first, b.last), (date(2023, 2, 1), date(2023, 2, 28)));
        let q: Period = "2024-Q1".parse().unwrap();
        assert_eq!(q.year_before().unwrap().to_string(), "2023-Q1");
    }
}
