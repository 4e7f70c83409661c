//! What the public may see without signing in beyond the catalogue and the lookup: for now the
//! on-time share per unit for a quarter (the indicators issue grows this into Decision 766).

use jiff::civil::Date;
use serde::Serialize;

use crate::{App, AppError, Result};

/// A calendar quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Quarter {
    pub year: i16,
    /// 1-4.
    pub number: i8,
}

impl Quarter {
    pub fn containing(d: Date) -> Self {
        Self {
            year: d.year(),
            number: (d.month() - 1) / 3 + 1,
        }
    }

    /// Parses `2025-Q3`.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || AppError::Invalid(format!("quý '{text}' không hợp lệ (ví dụ 2025-Q3)"));
        let (y, q) = text.split_once("-Q").ok_or_else(bad)?;
        let year: i16 = y.parse().map_err(|_| bad())?;
        let number: i8 = q.parse().map_err(|_| bad())?;
        if !(1..=4).contains(&number) || !(2000..=2100).contains(&year) {
            return Err(bad());
        }
        Ok(Self { year, number })
    }

    pub fn first_day(self) -> Result<Date> {
        Date::new(self.year, (self.number - 1) * 3 + 1, 1)
            .map_err(|e| AppError::Internal(e.to_string()))
    }

    pub fn next(self) -> Self {
        if self.number == 4 {
            Self {
                year: self.year + 1,
                number: 1,
            }
        } else {
            Self {
                year: self.year,
                number: self.number + 1,
            }
        }
    }

    pub fn previous(self) -> Self {
        if self.number == 1 {
            Self {
                year: self.year - 1,
                number: 4,
            }
        } else {
            Self {
                year: self.year,
                number: self.number - 1,
            }
        }
    }

    pub fn key(self) -> String {
        format!("{}-Q{}", self.year, self.number)
    }

    pub fn label(self) -> String {
        format!("Quý {}/{}", self.number, self.year)
    }
}

/// One unit's row of the on-time table.
#[derive(Debug, Clone, Serialize)]
pub struct OnTimeRow {
    pub unit_id: String,
    pub unit_name: String,
    pub finished: i64,
    pub on_time: i64,
    pub late: i64,
    /// Per mille, for sorting and bars without floats in templates.
    pub on_time_permille: i64,
}

/// The on-time table for a quarter.
#[derive(Debug, Clone, Serialize)]
pub struct OnTimeTable {
    pub quarter: Quarter,
    pub from: String,
    pub to: String,
    pub rows: Vec<OnTimeRow>,
    pub finished: i64,
    pub late: i64,
}

impl App {
    /// Dossiers finished in the quarter per receiving unit, on time and late, best first.
    /// Lateness is the domain's judgement recorded at each finish.
    pub async fn on_time_by_unit(&self, quarter: Quarter) -> Result<OnTimeTable> {
        let from = quarter.first_day()?;
        let to = quarter.next().first_day()?;
        let counts = self
            .store
            .finished_by_unit(&from.to_string(), &to.to_string())
            .await?;
        let tree = self.units()?;
        let mut rows: Vec<OnTimeRow> = counts
            .into_iter()
            .map(|c| {
                let on_time = c.finished - c.late;
                OnTimeRow {
                    unit_name: tree
                        .get(&c.unit)
                        .map_or_else(|| c.unit.clone(), |u| u.full_name.clone()),
                    unit_id: c.unit,
                    finished: c.finished,
                    on_time,
                    late: c.late,
                    on_time_permille: if c.finished > 0 {
                        on_time * 1000 / c.finished
                    } else {
                        0
                    },
                }
            })
            .collect();
        rows.sort_by(|a, b| {
            b.on_time_permille
                .cmp(&a.on_time_permille)
                .then(b.finished.cmp(&a.finished))
                .then(a.unit_name.cmp(&b.unit_name))
        });
        Ok(OnTimeTable {
            quarter,
            from: from.to_string(),
            to: to.to_string(),
            finished: rows.iter().map(|r| r.finished).sum(),
            late: rows.iter().map(|r| r.late).sum(),
            rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters() {
        let q = Quarter::containing(jiff::civil::date(2026, 11, 22));
        assert_eq!(q.key(), "2026-Q4");
        assert_eq!(q.next().key(), "2027-Q1");
        assert_eq!(q.previous().key(), "2026-Q3");
        assert_eq!(
            Quarter::parse("2025-Q2").map(|q| q.label()).ok(),
            Some("Quý 2/2025".into())
        );
        assert!(Quarter::parse("2025-Q5").is_err());
        assert!(Quarter::parse("x").is_err());
    }
}
