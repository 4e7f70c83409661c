//! Targets (chỉ tiêu) set by the province's reform plans, parsed from TOML and validated.
//!
//! Each plan (kế hoạch) sets quantified targets with a deadline: "≥ 50% of dossiers filed online
//! by 2025", "30% of departments inspected in 2023". A target names the units it applies to
//! ([`Scope`]), optionally the procedure fields it is limited to, and either the indicator that
//! measures it from dossier data or the evidence an administrator must attach when no dossier
//! data can measure it.
//!
//! The repository ships `data/targets/kontum.toml` ([`KONTUM`]); the file's header documents
//! the schema. Parsing is pure: the caller reads the file and passes the codes of the indicators
//! it knows.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Name of the shipped targets file, for error messages.
pub const KONTUM_FILE: &str = "kontum.toml";

/// The targets file shipped in the repository: Kon Tum's plans 2022-2024.
pub const KONTUM: &str = include_str!("../../../../data/targets/kontum.toml");

/// Tolerance used when comparing a measured rate with a target value, so that a rate computed
/// as a sum of fractions is not judged short by a rounding error.
const TOLERANCE: f64 = 1e-9;

/// Why a targets file was refused. Messages name the file and the offending plan or target.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TargetError {
    #[error("{file}: invalid TOML: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: plan {plan:?}: {field} must not be empty")]
    EmptyPlanField {
        file: String,
        plan: String,
        field: &'static str,
    },
    #[error("{file}: plan {plan}: date {value:?} is not an ISO date (YYYY-MM-DD): {message}")]
    InvalidDate {
        file: String,
        plan: String,
        value: String,
        message: String,
    },
    #[error("{file}: plan {plan}: a plan without a number or a date needs a note saying why")]
    UnidentifiedPlan { file: String, plan: String },
    #[error("{file}: plan id {plan} is defined more than once")]
    DuplicatePlan { file: String, plan: String },
    #[error("{file}: target code {code} is used more than once")]
    DuplicateTarget { file: String, code: String },
    #[error("{file}: target {code}: plan {plan} is not defined in the file")]
    UnknownPlan {
        file: String,
        code: String,
        plan: String,
    },
    #[error(
        "{file}: target {code}: the code must be its plan id, '/', then a sequence ({plan}/NN)"
    )]
    CodeMismatch {
        file: String,
        code: String,
        plan: String,
    },
    #[error("{file}: target {code}: percentage {value} is outside 0..=1 (write 50% as 0.5)")]
    PercentOutOfRange {
        file: String,
        code: String,
        value: f64,
    },
    #[error("{file}: target {code}: count {value} must be a finite number >= 0")]
    NegativeCount {
        file: String,
        code: String,
        value: f64,
    },
    #[error("{file}: target {code}: deadline year {year} is outside 2000..=2100")]
    DeadlineOutOfRange {
        file: String,
        code: String,
        year: i64,
    },
    #[error("{file}: target {code}: unknown indicator {indicator:?}")]
    UnknownIndicator {
        file: String,
        code: String,
        indicator: String,
    },
    #[error(
        "{file}: target {code}: no indicator measures it, so it needs `evidence` (what an administrator must attach)"
    )]
    MissingEvidence { file: String, code: String },
    #[error("{file}: target {code}: {field} must not be empty")]
    EmptyField {
        file: String,
        code: String,
        field: &'static str,
    },
}

/// One plan (kế hoạch), or the decision issuing it, that sets targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// Stable slug, e.g. `kh-4212-2022`.
    pub id: String,
    /// Số hiệu exactly as in the document, e.g. `4212/KH-UBND`; `None` when the source does not
    /// give it (then [`Plan::note`] says why).
    pub number: Option<String>,
    /// Date of signing; `None` when the source does not give it (then [`Plan::note`] says why).
    pub date: Option<Date>,
    /// Cơ quan ban hành.
    pub issuer: String,
    /// Trích yếu as in the document.
    pub title: String,
    /// The seed document the plan was read from.
    pub seed: String,
    /// The years the plan covers, e.g. `2024` or `2023-2030`.
    pub period: String,
    /// What the reader should know about the source (missing number or date, unquoted targets).
    pub note: Option<String>,
}

/// How a measured value is compared with a target value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Comparison {
    /// The measured value must be at least the target (`>=`).
    #[serde(rename = ">=")]
    AtLeast,
    /// The measured value must be at most the target (`<=`).
    #[serde(rename = "<=")]
    AtMost,
    /// The measured value must equal the target (`=`).
    #[serde(rename = "=")]
    Equal,
}

impl Comparison {
    /// Whether `actual` meets `target`, with a tolerance of 1e-9 for rounding.
    pub fn holds(self, actual: f64, target: f64) -> bool {
        match self {
            Self::AtLeast => actual >= target - TOLERANCE,
            Self::AtMost => actual <= target + TOLERANCE,
            Self::Equal => (actual - target).abs() <= TOLERANCE,
        }
    }

    /// The mathematical sign: "≥", "≤" or "=".
    pub fn symbol(self) -> &'static str {
        match self {
            Self::AtLeast => "≥",
            Self::AtMost => "≤",
            Self::Equal => "=",
        }
    }
}

/// What a target value counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetUnit {
    /// A share, stored as a fraction (50% is 0.5).
    Percent,
    /// A number of things.
    Count,
}

/// Which kinds of unit a target applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Every unit the plan covers.
    All,
    /// Province-level agencies (cấp tỉnh).
    Province,
    /// Districts (cấp huyện).
    District,
    /// Communes (cấp xã).
    Commune,
    /// Departments (sở, ban, ngành).
    Department,
}

impl Scope {
    /// The scope as users read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::All => "Tất cả cơ quan, đơn vị",
            Self::Province => "Cấp tỉnh",
            Self::District => "Cấp huyện",
            Self::Commune => "Cấp xã",
            Self::Department => "Sở, ban, ngành",
        }
    }
}

/// One quantified target (chỉ tiêu) of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    /// Plan id, '/', two-digit sequence, e.g. `kh-4212-2022/07`.
    pub code: String,
    /// The id of the plan that set it.
    pub plan: String,
    /// Short Vietnamese name.
    pub name: String,
    /// The original sentence or clause from the plan.
    pub text: String,
    pub comparison: Comparison,
    /// A fraction for [`TargetUnit::Percent`], a number for [`TargetUnit::Count`].
    pub value: f64,
    pub unit: TargetUnit,
    /// The year by which the target must be met.
    pub deadline_year: i16,
    pub scope: Scope,
    /// Procedure fields (lĩnh vực) the target is limited to; empty means all fields.
    pub fields: Vec<String>,
    /// Code of the indicator that measures it from dossier data.
    pub indicator: Option<String>,
    /// For a target no indicator measures: what an administrator must attach as evidence.
    pub evidence: Option<String>,
}

impl Target {
    /// Whether an indicator measures the target from dossier data.
    pub fn measured(&self) -> bool {
        self.indicator.is_some()
    }

    /// The target value as users read it: "50%", "12,5%", "30", "1.200".
    pub fn format_value(&self) -> String {
        match self.unit {
            TargetUnit::Percent => format!("{}%", format_number(self.value * 100.0)),
            TargetUnit::Count => format_number(self.value),
        }
    }

    /// Whether a measured value (a fraction for a percentage) meets the target.
    pub fn holds(&self, actual: f64) -> bool {
        self.comparison.holds(actual, self.value)
    }
}

/// Formats a number the Vietnamese way, rounded to two decimals.
fn format_number(x: f64) -> String {
    crate::text::number(x, 2)
}

/// All plans and targets of a file, in file order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetSet {
    pub plans: Vec<Plan>,
    pub targets: Vec<Target>,
}

impl TargetSet {
    /// The targets a plan set, in file order.
    pub fn for_plan(&self, plan_id: &str) -> Vec<&Target> {
        self.targets.iter().filter(|t| t.plan == plan_id).collect()
    }

    /// The target with this code.
    pub fn get(&self, code: &str) -> Option<&Target> {
        self.targets.iter().find(|t| t.code == code)
    }

    /// The plan with this id.
    pub fn plan(&self, id: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.id == id)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    plan: Vec<RawPlan>,
    #[serde(default)]
    target: Vec<RawTarget>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    id: String,
    number: Option<String>,
    date: Option<String>,
    issuer: String,
    title: String,
    seed: String,
    period: String,
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    code: String,
    plan: String,
    name: String,
    text: String,
    comparison: Comparison,
    value: f64,
    unit: TargetUnit,
    deadline_year: i64,
    scope: Scope,
    #[serde(default)]
    fields: Vec<String>,
    indicator: Option<String>,
    evidence: Option<String>,
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// Parses and validates a targets file. `file` names the file in error messages;
/// `known_indicators` are the indicator codes a target may name.
pub fn parse_targets(
    file: &str,
    text: &str,
    known_indicators: &[&str],
) -> Result<TargetSet, TargetError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| TargetError::Syntax {
        file: file.to_owned(),
        message: e.to_string(),
    })?;
    let mut plan_ids = BTreeSet::new();
    let mut plans = Vec::with_capacity(raw.plan.len());
    for p in raw.plan {
        let plan = check_plan(file, p)?;
        if !plan_ids.insert(plan.id.clone()) {
            return Err(TargetError::DuplicatePlan {
                file: file.to_owned(),
                plan: plan.id,
            });
        }
        plans.push(plan);
    }
    let mut codes = BTreeSet::new();
    let mut targets = Vec::with_capacity(raw.target.len());
    for t in raw.target {
        if !codes.insert(t.code.clone()) {
            return Err(TargetError::DuplicateTarget {
                file: file.to_owned(),
                code: t.code,
            });
        }
        targets.push(check_target(file, t, &plan_ids, known_indicators)?);
    }
    Ok(TargetSet { plans, targets })
}

fn check_plan(file: &str, p: RawPlan) -> Result<Plan, TargetError> {
    let empty = |field| TargetError::EmptyPlanField {
        file: file.to_owned(),
        plan: p.id.clone(),
        field,
    };
    for (field, value) in [
        ("id", Some(&p.id)),
        ("number", p.number.as_ref()),
        ("date", p.date.as_ref()),
        ("issuer", Some(&p.issuer)),
        ("title", Some(&p.title)),
        ("seed", Some(&p.seed)),
        ("period", Some(&p.period)),
        ("note", p.note.as_ref()),
    ] {
        if value.is_some_and(|v| blank(v)) {
            return Err(empty(field));
        }
    }
    let date = match &p.date {
        None => None,
        Some(value) => {
            Some(
                value
                    .trim()
                    .parse::<Date>()
                    .map_err(|e| TargetError::InvalidDate {
                        file: file.to_owned(),
                        plan: p.id.clone(),
                        value: value.clone(),
                        message: e.to_string(),
                    })?,
            )
        }
    };
    if (p.number.is_none() || date.is_none()) && p.note.is_none() {
        return Err(TargetError::UnidentifiedPlan {
            file: file.to_owned(),
            plan: p.id,
        });
    }
    Ok(Plan {
        id: p.id,
        number: p.number,
        date,
        issuer: p.issuer,
        title: p.title,
        seed: p.seed,
        period: p.period,
        note: p.note,
    })
}

fn check_target(
    file: &str,
    t: RawTarget,
    plan_ids: &BTreeSet<String>,
    known_indicators: &[&str],
) -> Result<Target, TargetError> {
    let file = file.to_owned();
    let code = t.code;
    if !plan_ids.contains(&t.plan) {
        return Err(TargetError::UnknownPlan {
            file,
            code,
            plan: t.plan,
        });
    }
    let sequence = code
        .strip_prefix(t.plan.as_str())
        .and_then(|rest| rest.strip_prefix('/'));
    if sequence.is_none_or(blank) {
        return Err(TargetError::CodeMismatch {
            file,
            code,
            plan: t.plan,
        });
    }
    for (field, value) in [("name", &t.name), ("text", &t.text)] {
        if blank(value) {
            return Err(TargetError::EmptyField { file, code, field });
        }
    }
    if t.fields.iter().any(|f| blank(f)) {
        return Err(TargetError::EmptyField {
            file,
            code,
            field: "fields",
        });
    }
    let value = t.value;
    match t.unit {
        TargetUnit::Percent if !(0.0..=1.0).contains(&value) => {
            return Err(TargetError::PercentOutOfRange { file, code, value });
        }
        TargetUnit::Count if !(value.is_finite() && value >= 0.0) => {
            return Err(TargetError::NegativeCount { file, code, value });
        }
        _ => {}
    }
    let deadline_year = match i16::try_from(t.deadline_year) {
        Ok(y) if (2000..=2100).contains(&y) => y,
        _ => {
            return Err(TargetError::DeadlineOutOfRange {
                file,
                code,
                year: t.deadline_year,
            });
        }
    };
    if let Some(indicator) = &t.indicator
        && !known_indicators.contains(&indicator.as_str())
    {
        return Err(TargetError::UnknownIndicator {
            file,
            code,
            indicator: indicator.clone(),
        });
    }
    let evidence = t.evidence.filter(|e| !blank(e));
    if t.indicator.is_none() && evidence.is_none() {
        return Err(TargetError::MissingEvidence { file, code });
    }
    Ok(Target {
        code,
        plan: t.plan,
        name: t.name,
        text: t.text,
        comparison: t.comparison,
        value,
        unit: t.unit,
        deadline_year,
        scope: t.scope,
        fields: t.fields,
        indicator: t.indicator,
        evidence,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const KNOWN: [&str; 16] = [
        "1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "3.1", "3.3", "3.6", "4.1", "4.2", "4.3",
        "5.2", "5.3", "5.4",
    ];

    fn shipped() -> TargetSet {
        parse_targets(KONTUM_FILE, KONTUM, &KNOWN).expect("the shipped file is valid")
    }

    const PLAN: &str = r#"
[[plan]]
id = "kh-1-2024"
number = "1/KH-UBND"
date = "2024-01-15"
issuer = "Ủy ban nhân dân tỉnh Kon Tum"
title = "Kế hoạch cải cách hành chính năm 2024"
seed = "001.txt"
period = "2024"
"#;

    const TARGET: &str = r#"
[[target]]
code = "kh-1-2024/01"
plan = "kh-1-2024"
name = "Tỷ lệ hồ sơ TTHC nộp trực tuyến"
text = "Tỷ lệ hồ sơ nộp trực tuyến đạt tối thiểu 50%."
comparison = ">="
value = 0.5
unit = "percent"
deadline_year = 2025
scope = "all"
indicator = "3.3"
"#;

    /// A valid one-plan, one-target file with `from` replaced by `to` in the target.
    fn with(from: &str, to: &str) -> String {
        assert!(TARGET.contains(from), "template has no {from:?}");
        format!("{PLAN}{}", TARGET.replacen(from, to, 1))
    }

    fn err(text: &str) -> TargetError {
        parse_targets("t.toml", text, &KNOWN).expect_err("should be refused")
    }

    #[test]
    fn shipped_file_parses_with_a_target_for_every_plan() {
        let set = shipped();
        assert_eq!(set.plans.len(), 5);
        let seeds: BTreeSet<&str> = set.plans.iter().map(|p| p.seed.as_str()).collect();
        assert_eq!(seeds.len(), 5, "one plan per seed document");
        for plan in &set.plans {
            assert!(
                !set.for_plan(&plan.id).is_empty(),
                "plan {} sets no target",
                plan.id
            );
        }
        for t in &set.targets {
            assert!(t.measured() || t.evidence.is_some(), "{}", t.code);
        }
    }

    #[test]
    fn shipped_file_has_the_known_targets() {
        let set = shipped();
        let land = set.get("kh-41-2022/10").unwrap();
        assert_eq!(land.value, 0.85);
        assert_eq!(land.fields, ["Đất đai", "Xây dựng", "Đầu tư"]);
        assert_eq!(land.indicator.as_deref(), Some("5.4"));
        assert_eq!(land.format_value(), "85%");
        let online = set.get("kh-143-2023/08").unwrap();
        assert_eq!((online.value, online.deadline_year), (0.8, 2030));
        assert_eq!(online.indicator.as_deref(), Some("3.3"));
        let inspected = set.get("kh-4212-2022/01").unwrap();
        assert_eq!(inspected.scope, Scope::Department);
        assert!(!inspected.measured());
        let synced = set.get("kh-4212-2022/15").unwrap();
        assert_eq!(synced.indicator.as_deref(), Some("1.4"));
        let plan = set.plan("kh-4212-2022").unwrap();
        assert_eq!(plan.number.as_deref(), Some("4212/KH-UBND"));
        assert_eq!(plan.date, Some(jiff::civil::date(2022, 12, 12)));
        let district = set.plan("kh-huyen-2023-2030").unwrap();
        assert!(district.number.is_none() && district.note.is_some());
        assert!(set.get("kh-41-2022/99").is_none());
    }

    #[test]
    fn template_is_valid() {
        let set = parse_targets("t.toml", &format!("{PLAN}{TARGET}"), &KNOWN).unwrap();
        assert_eq!(set.targets.len(), 1);
        assert_eq!(set.for_plan("kh-1-2024").len(), 1);
        assert!(set.for_plan("other").is_empty());
        assert_eq!(set.plans[0].date, Some(jiff::civil::date(2024, 1, 15)));
    }

    #[test]
    fn comparison_holds_and_symbols() {
        assert!(Comparison::AtLeast.holds(0.5, 0.5));
        assert!(Comparison::AtLeast.holds(0.1 + 0.2, 0.3));
        assert!(!Comparison::AtLeast.holds(0.49, 0.5));
        assert!(Comparison::AtMost.holds(0.2, 0.3));
        assert!(!Comparison::AtMost.holds(0.31, 0.3));
        assert!(Comparison::Equal.holds(1.0, 1.0));
        assert!(!Comparison::Equal.holds(0.99, 1.0));
        assert_eq!(Comparison::AtLeast.symbol(), "≥");
        assert_eq!(Comparison::AtMost.symbol(), "≤");
        assert_eq!(Comparison::Equal.symbol(), "=");
        let set = shipped();
        let t = set.get("kh-41-2022/09").unwrap();
        assert!(t.holds(0.95) && !t.holds(0.89));
    }

    #[test]
    fn values_format_the_vietnamese_way() {
        let mut t = shipped().get("kh-41-2022/08").unwrap().clone();
        assert_eq!(t.format_value(), "50%");
        t.value = 0.3;
        assert_eq!(t.format_value(), "30%");
        t.value = 0.125;
        assert_eq!(t.format_value(), "12,5%");
        t.value = 1.0;
        assert_eq!(t.format_value(), "100%");
        t.unit = TargetUnit::Count;
        t.value = 30.0;
        assert_eq!(t.format_value(), "30");
        t.value = 1234.25;
        assert_eq!(t.format_value(), "1.234,25");
        t.value = 1_000_000.0;
        assert_eq!(t.format_value(), "1.000.000");
        assert_eq!(Scope::Commune.label(), "Cấp xã");
    }

    #[test]
    fn syntax_errors_and_unknown_keys_are_refused() {
        assert!(matches!(err("[[plan]"), TargetError::Syntax { .. }));
        assert!(matches!(
            err(&with("scope = \"all\"", "scope = \"all\"\ncolour = 1")),
            TargetError::Syntax { .. }
        ));
        assert!(matches!(
            err(&with("\">=\"", "\"≥\"")),
            TargetError::Syntax { .. }
        ));
        assert!(matches!(
            err(&with("\"percent\"", "\"pct\"")),
            TargetError::Syntax { .. }
        ));
    }

    #[test]
    fn plan_errors_are_refused() {
        let dup = format!("{PLAN}{PLAN}");
        assert_eq!(
            err(&dup),
            TargetError::DuplicatePlan {
                file: "t.toml".into(),
                plan: "kh-1-2024".into()
            }
        );
        assert!(matches!(
            err(&PLAN.replace("2024-01-15", "15/01/2024")),
            TargetError::InvalidDate { .. }
        ));
        assert!(matches!(
            err(&PLAN.replace(
                "issuer = \"Ủy ban nhân dân tỉnh Kon Tum\"",
                "issuer = \" \""
            )),
            TargetError::EmptyPlanField {
                field: "issuer",
                ..
            }
        ));
        let no_number = PLAN.replace("number = \"1/KH-UBND\"\n", "");
        assert!(matches!(
            err(&no_number),
            TargetError::UnidentifiedPlan { .. }
        ));
        let explained = format!("{no_number}note = \"Bản lưu không có số hiệu.\"\n");
        let set = parse_targets("t.toml", &explained, &KNOWN).unwrap();
        assert!(set.plans[0].number.is_none());
    }

    #[test]
    fn target_errors_are_refused() {
        let dup = format!("{PLAN}{TARGET}{TARGET}");
        assert!(matches!(
            err(&dup),
            TargetError::DuplicateTarget { ref code, .. } if code == "kh-1-2024/01"
        ));
        assert!(matches!(
            err(&with("plan = \"kh-1-2024\"", "plan = \"kh-9-2024\"")),
            TargetError::UnknownPlan { ref plan, .. } if plan == "kh-9-2024"
        ));
        assert!(matches!(
            err(&with("code = \"kh-1-2024/01\"", "code = \"kh-2-2024/01\"")),
            TargetError::CodeMismatch { .. }
        ));
        assert!(matches!(
            err(&with("code = \"kh-1-2024/01\"", "code = \"kh-1-2024/\"")),
            TargetError::CodeMismatch { .. }
        ));
        assert!(matches!(
            err(&with("value = 0.5", "value = 50")),
            TargetError::PercentOutOfRange { value, .. } if value == 50.0
        ));
        assert!(matches!(
            err(&with("value = 0.5", "value = -0.1")),
            TargetError::PercentOutOfRange { .. }
        ));
        assert!(matches!(
            err(&with("value = 0.5", "value = nan")),
            TargetError::PercentOutOfRange { .. }
        ));
        let count = with("unit = \"percent\"", "unit = \"count\"");
        assert!(
            parse_targets(
                "t.toml",
                &count.replace("value = 0.5", "value = 30"),
                &KNOWN
            )
            .is_ok()
        );
        assert!(matches!(
            err(&count.replace("value = 0.5", "value = -1")),
            TargetError::NegativeCount { .. }
        ));
        assert!(matches!(
            err(&count.replace("value = 0.5", "value = inf")),
            TargetError::NegativeCount { .. }
        ));
        for year in ["1999", "2101", "99999"] {
            assert!(matches!(
                err(&with(
                    "deadline_year = 2025",
                    &format!("deadline_year = {year}")
                )),
                TargetError::DeadlineOutOfRange { .. }
            ));
        }
        assert!(matches!(
            err(&with("indicator = \"3.3\"", "indicator = \"9.9\"")),
            TargetError::UnknownIndicator { ref indicator, .. } if indicator == "9.9"
        ));
        let unmeasured = with("indicator = \"3.3\"\n", "");
        assert!(matches!(
            err(&unmeasured),
            TargetError::MissingEvidence { .. }
        ));
        assert!(matches!(
            err(&format!("{unmeasured}evidence = \"  \"\n")),
            TargetError::MissingEvidence { .. }
        ));
        let evidenced = format!("{unmeasured}evidence = \"Biên bản kiểm tra.\"\n");
        let set = parse_targets("t.toml", &evidenced, &KNOWN).unwrap();
        assert!(!set.targets[0].measured());
        assert!(matches!(
            err(&with(
                "name = \"Tỷ lệ hồ sơ TTHC nộp trực tuyến\"",
                "name = \"\""
            )),
            TargetError::EmptyField { field: "name", .. }
        ));
        assert!(matches!(
            err(&with(
                "text = \"Tỷ lệ hồ sơ nộp trực tuyến đạt tối thiểu 50%.\"",
                "text = \" \""
            )),
            TargetError::EmptyField { field: "text", .. }
        ));
        assert!(matches!(
            err(&with("scope = \"all\"", "scope = \"all\"\nfields = [\"\"]")),
            TargetError::EmptyField {
                field: "fields",
                ..
            }
        ));
    }

    #[test]
    fn messages_name_the_file_and_the_code() {
        let e = err(&with("value = 0.5", "value = 50"));
        let message = e.to_string();
        assert!(
            message.contains("t.toml") && message.contains("kh-1-2024/01"),
            "{message}"
        );
    }
}
