//! The plans' targets (chỉ tiêu) for a unit: the value measured by their indicator (or entered
//! with evidence), whether it is met, and a forecast to the deadline.

use cchc_domain::indicator::targets::{Scope, Target, TargetSet, TargetUnit, parse_targets};
use cchc_domain::indicator::{Forecast, IndicatorCatalog, Period, forecast};
use cchc_domain::unit::UnitKind;
use jiff::civil::Date;
use serde::Serialize;

use crate::{App, AppError, Principal, Result};

/// The targets file shipped with the program.
const EMBEDDED: (&str, &str) = (
    "targets/kontum.toml",
    include_str!("../../../data/targets/kontum.toml"),
);

/// The shipped targets, checked against the shipped indicator codes.
pub fn embedded_targets() -> Result<TargetSet> {
    let catalog = IndicatorCatalog::embedded().map_err(|e| AppError::Internal(e.to_string()))?;
    parse_targets(EMBEDDED.0, EMBEDDED.1, &catalog.codes())
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Where a unit stands against one target.
#[derive(Debug, Clone, Serialize)]
pub struct TargetStatus {
    pub target: Target,
    pub plan_number: String,
    /// The year the value is for (the deadline year, or this year if the deadline is ahead).
    pub year: i16,
    /// Measured (fraction for percents) or entered; None when neither is available.
    pub actual: Option<f64>,
    /// How the value was obtained.
    pub source: String,
    pub met: Option<bool>,
    pub forecast: Option<Forecast>,
}

impl TargetStatus {
    pub fn actual_display(&self) -> String {
        match (self.actual, self.target.unit) {
            (None, _) => "—".to_owned(),
            (Some(v), TargetUnit::Percent) => {
                format!("{}%", cchc_domain::indicator::decimal(v * 100.0, 1))
            }
            (Some(v), TargetUnit::Count) => cchc_domain::indicator::decimal(v, 1),
        }
    }
}

/// Whether a target's scope covers a unit of this kind.
pub fn scope_covers(scope: Scope, kind: UnitKind) -> bool {
    match scope {
        Scope::All => true,
        Scope::Province => matches!(
            kind,
            UnitKind::Province | UnitKind::Department | UnitKind::ServiceCentre
        ),
        Scope::Department => matches!(kind, UnitKind::Department),
        Scope::District => matches!(kind, UnitKind::District | UnitKind::Office),
        Scope::Commune => matches!(kind, UnitKind::Commune),
    }
}

impl App {
    pub fn targets(&self) -> &TargetSet {
        &self.targets
    }

    pub(crate) fn target_without_indicator(&self, code: &str) -> bool {
        self.targets.get(code).is_some_and(|t| !t.measured())
    }

    pub(crate) fn target_is_percent(&self, code: &str) -> bool {
        self.targets
            .get(code)
            .is_some_and(|t| t.unit == TargetUnit::Percent)
    }

    /// Every target that applies to a unit (a province sees them all), with its value for
    /// `year`, whether it is met, and a forecast to the deadline from the last 24 months.
    pub async fn target_status(
        &self,
        who: &Principal,
        unit: &str,
        today: Date,
    ) -> Result<Vec<TargetStatus>> {
        if who.role == crate::Role::Citizen {
            return Err(AppError::Forbidden(
                "công dân xem chỉ số đã công bố tại trang công khai".into(),
            ));
        }
        let tree = self.units()?;
        let u = tree
            .get(unit)
            .ok_or_else(|| AppError::NotFound(format!("đơn vị {unit}")))?;
        // Staff see their own subtree (checked by the scorecard below).
        let year = today.year();
        let this_year = Period::custom(
            Date::new(year, 1, 1).map_err(|e| AppError::Internal(e.to_string()))?,
            today,
        )
        .map_err(|e| AppError::Internal(e.to_string()))?;
        let card = self.unit_scorecard(who, unit, &this_year).await?;
        let from = today
            .first_of_month()
            .checked_sub(jiff::Span::new().months(23))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let trend = self.trend_of(unit, from, today).await?;
        let entries = self
            .store
            .entries(
                &Period::year(year)
                    .map_err(|e| AppError::Internal(e.to_string()))?
                    .to_string(),
            )
            .await?;
        let applies = |t: &Target| u.kind == UnitKind::Province || scope_covers(t.scope, u.kind);
        let mut out = Vec::new();
        for t in self.targets.targets.iter().filter(|t| applies(t)) {
            let plan_number = self
                .targets
                .plan(&t.plan)
                .and_then(|p| p.number.clone())
                .unwrap_or_else(|| t.plan.clone());
            let (actual, source, fc) = match &t.indicator {
                Some(code) => {
                    let r = card.card.result(code);
                    let actual = r.and_then(|r| r.value);
                    let source = match r {
                        Some(r) if r.value.is_some() => format!(
                            "Chỉ số {code}: {} ÷ {} từ 01/01/{year} đến nay{}",
                            r.numerator,
                            r.denominator,
                            if t.fields.is_empty() {
                                String::new()
                            } else {
                                format!(
                                    " (chỉ tiêu dành cho lĩnh vực {}; số liệu tính trên mọi lĩnh vực)",
                                    t.fields.join(", ")
                                )
                            }
                        ),
                        Some(r) => format!("Chỉ số {code}: {}", r.state.label()),
                        None => format!("Chỉ số {code} không có trong bộ chỉ số đang áp dụng"),
                    };
                    let series: Vec<(f64, f64)> = trend
                        .iter()
                        .filter_map(|(p, c)| {
                            c.result(code).and_then(|r| r.value).map(|v| {
                                (
                                    f64::from(p.first.year())
                                        + (f64::from(p.first.month()) - 0.5) / 12.0,
                                    v,
                                )
                            })
                        })
                        .collect();
                    let cmp = t.comparison;
                    let fc = forecast(
                        &series,
                        t.value,
                        &|a, b| cmp.holds(a, b),
                        t.deadline_year.max(year),
                        t.unit == TargetUnit::Percent,
                    );
                    (actual, source, fc)
                }
                None => {
                    let e = entries
                        .iter()
                        .rev()
                        .find(|e| e.code == t.code && e.unit == unit);
                    match e {
                        Some(e) => (
                            Some(e.value),
                            format!(
                                "Nhập tay bởi {} lúc {}, minh chứng: {}",
                                e.entered_by,
                                e.entered_at
                                    .parse::<jiff::civil::DateTime>()
                                    .map(cchc_domain::calendar::fmt_datetime)
                                    .unwrap_or_else(|_| e.entered_at.clone()),
                                e.evidence_name
                            ),
                            None,
                        ),
                        None => (
                            None,
                            format!(
                                "Chưa nhập số liệu năm {year}; cần minh chứng: {}",
                                t.evidence.clone().unwrap_or_default()
                            ),
                            None,
                        ),
                    }
                }
            };
            out.push(TargetStatus {
                met: actual.map(|a| t.holds(a)),
                target: t.clone(),
                plan_number,
                year,
                actual,
                source,
                forecast: fc,
            });
        }
        Ok(out)
    }
}
