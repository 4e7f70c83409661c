//! Indicator definitions as versioned data (`data/indicators/*.toml`): groups with points,
//! indicators with their formula over measures, threshold, maximum points and effective dates.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashSet;

use super::measure::{Measure, Measures};

/// A definition file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefinitionError {
    #[error("{file}: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: indicator {code}: {message}")]
    Indicator {
        file: String,
        code: String,
        message: String,
    },
    #[error("{file}: {message}")]
    Set { file: String, message: String },
}

/// A sum and difference of measures, e.g. `finished_on_time + open_at_end - late_open_at_end`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expr {
    pub terms: Vec<(i64, Measure)>,
}

/// One term of an evaluated expression, for explanations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Term {
    pub measure: Measure,
    pub sign: i64,
    pub value: i64,
}

impl Expr {
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut terms = Vec::new();
        let mut sign = 1;
        let mut expect_name = true;
        for token in text
            .replace('+', " + ")
            .replace('-', " - ")
            .split_whitespace()
        {
            match (token, expect_name) {
                ("+", true) | ("-", true) if terms.is_empty() && token == "-" => sign = -1,
                ("+", false) => {
                    sign = 1;
                    expect_name = true;
                }
                ("-", false) => {
                    sign = -1;
                    expect_name = true;
                }
                (name, true) => {
                    let m = Measure::from_column(name)
                        .ok_or_else(|| format!("unknown measure `{name}`"))?;
                    terms.push((sign, m));
                    expect_name = false;
                }
                (t, false) => return Err(format!("expected + or - before `{t}`")),
            }
        }
        if terms.is_empty() || expect_name {
            return Err(format!("incomplete expression `{text}`"));
        }
        Ok(Self { terms })
    }

    pub fn eval(&self, m: &Measures) -> (i64, Vec<Term>) {
        let terms: Vec<Term> = self
            .terms
            .iter()
            .map(|(sign, measure)| Term {
                measure: *measure,
                sign: *sign,
                value: m[*measure],
            })
            .collect();
        (terms.iter().map(|t| t.sign * t.value).sum(), terms)
    }

    pub fn measures(&self) -> impl Iterator<Item = Measure> + '_ {
        self.terms.iter().map(|(_, m)| *m)
    }
}

/// How an indicator's value is obtained.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Formula {
    /// numerator ÷ denominator, both counts.
    Ratio { numerator: Expr, denominator: Expr },
    /// (numerator × scale) ÷ denominator: an average, e.g. days per dossier.
    Average {
        numerator: Expr,
        denominator: Expr,
        scale: f64,
    },
    /// Entered by an administrator with evidence (no dossier data measures it).
    Manual,
}

/// Whether more is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Higher,
    Lower,
}

/// What a value is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueUnit {
    Percent,
    Days,
}

/// One indicator (chỉ số).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Definition {
    pub code: String,
    pub group: String,
    pub name: String,
    pub formula: Formula,
    pub direction: Direction,
    /// Full points from this value on (a fraction for percents); None: points ∝ value.
    pub threshold: Option<f64>,
    /// Điểm tối đa; 0 for an indicator shown but not scored.
    pub points: f64,
    pub unit: ValueUnit,
    /// A data source the indicator needs that may not be connected yet (e.g. `national_sync`).
    pub requires: Option<String>,
    /// How it is counted, for users (Vietnamese).
    pub explain: String,
    /// What evidence a manual value needs.
    pub evidence: Option<String>,
}

/// A group of indicators with its points (nhóm chỉ số).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub code: String,
    pub name: String,
    pub points: f64,
}

/// One version of an indicator set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorSet {
    /// Version key, e.g. `766-2022.1`: recorded with every published result.
    pub version: String,
    pub name: String,
    /// The legal basis, e.g. `766/QĐ-TTg`.
    pub basis: String,
    pub effective_from: Date,
    pub effective_to: Option<Date>,
    pub groups: Vec<Group>,
    pub indicators: Vec<Definition>,
    /// SHA-256 of the file's text.
    pub fingerprint: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSet {
    version: String,
    name: String,
    basis: String,
    effective_from: Date,
    effective_to: Option<Date>,
    #[serde(rename = "group")]
    groups: Vec<RawGroup>,
    #[serde(rename = "indicator")]
    indicators: Vec<RawIndicator>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    code: String,
    name: String,
    points: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    code: String,
    group: String,
    name: String,
    kind: String,
    numerator: Option<String>,
    denominator: Option<String>,
    scale: Option<f64>,
    direction: Option<Direction>,
    threshold: Option<f64>,
    points: f64,
    unit: ValueUnit,
    requires: Option<String>,
    explain: String,
    evidence: Option<String>,
}

impl Definition {
    /// Units can be ranked by it: a share computed from the data where more is better (a
    /// manual value, or time used against the limit, has no common order).
    pub fn rankable(&self) -> bool {
        self.unit == ValueUnit::Percent
            && self.direction == Direction::Higher
            && !matches!(self.formula, Formula::Manual)
    }
}

impl IndicatorSet {
    /// Reads and checks one definition file.
    pub fn parse(file: &str, text: &str) -> Result<Self, DefinitionError> {
        let raw: RawSet = toml::from_str(text).map_err(|e| DefinitionError::Syntax {
            file: file.to_owned(),
            message: e.to_string(),
        })?;
        let set_err = |message: String| DefinitionError::Set {
            file: file.to_owned(),
            message,
        };
        if raw.version.trim().is_empty() {
            return Err(set_err("empty version".into()));
        }
        if raw.effective_to.is_some_and(|to| to < raw.effective_from) {
            return Err(set_err("effective_to before effective_from".into()));
        }
        let mut group_codes = HashSet::new();
        for g in &raw.groups {
            if !group_codes.insert(g.code.clone()) {
                return Err(set_err(format!("group {} twice", g.code)));
            }
            if !(g.points.is_finite() && g.points >= 0.0) {
                return Err(set_err(format!("group {}: bad points", g.code)));
            }
        }
        let mut codes = HashSet::new();
        let mut indicators = Vec::new();
        for r in raw.indicators {
            let ind_err = |message: String| DefinitionError::Indicator {
                file: file.to_owned(),
                code: r.code.clone(),
                message,
            };
            if !codes.insert(r.code.clone()) {
                return Err(ind_err("defined twice".into()));
            }
            if !group_codes.contains(&r.group) {
                return Err(ind_err(format!("unknown group {}", r.group)));
            }
            if r.name.trim().is_empty() || r.explain.trim().is_empty() {
                return Err(ind_err("name and explain are required".into()));
            }
            if !(r.points.is_finite() && r.points >= 0.0) {
                return Err(ind_err("points must be ≥ 0".into()));
            }
            if r.threshold.is_some_and(|t| !(t.is_finite() && t > 0.0)) {
                return Err(ind_err("threshold must be > 0".into()));
            }
            if r.unit == ValueUnit::Percent && r.threshold.is_some_and(|t| t > 1.0) {
                return Err(ind_err("a percent threshold is a fraction (≤ 1)".into()));
            }
            let expr = |name: &str, text: &Option<String>| -> Result<Expr, DefinitionError> {
                let t = text
                    .as_deref()
                    .ok_or_else(|| ind_err(format!("{name} is required")))?;
                Expr::parse(t).map_err(|m| ind_err(format!("{name}: {m}")))
            };
            let formula = match r.kind.as_str() {
                "ratio" => Formula::Ratio {
                    numerator: expr("numerator", &r.numerator)?,
                    denominator: expr("denominator", &r.denominator)?,
                },
                "average" => Formula::Average {
                    numerator: expr("numerator", &r.numerator)?,
                    denominator: expr("denominator", &r.denominator)?,
                    scale: match r.scale {
                        Some(s) if s.is_finite() && s > 0.0 => s,
                        None => 1.0,
                        Some(_) => return Err(ind_err("scale must be > 0".into())),
                    },
                },
                "manual" => {
                    if r.evidence.as_deref().is_none_or(|e| e.trim().is_empty()) {
                        return Err(ind_err("a manual indicator must say what evidence".into()));
                    }
                    Formula::Manual
                }
                other => return Err(ind_err(format!("unknown kind `{other}`"))),
            };
            indicators.push(Definition {
                code: r.code,
                group: r.group,
                name: r.name,
                formula,
                direction: r.direction.unwrap_or(Direction::Higher),
                threshold: r.threshold,
                points: r.points,
                unit: r.unit,
                requires: r.requires,
                explain: r.explain,
                evidence: r.evidence,
            });
        }
        for g in &raw.groups {
            let sum: f64 = indicators
                .iter()
                .filter(|i| i.group == g.code)
                .map(|i| i.points)
                .sum();
            if (sum - g.points).abs() > 1e-9 {
                return Err(set_err(format!(
                    "group {}: indicators give {sum} points, the group has {}",
                    g.code, g.points
                )));
            }
        }
        let total: f64 = raw.groups.iter().map(|g| g.points).sum();
        if (total - 100.0).abs() > 1e-9 {
            return Err(set_err(format!("groups total {total} points, not 100")));
        }
        Ok(Self {
            version: raw.version,
            name: raw.name,
            basis: raw.basis,
            effective_from: raw.effective_from,
            effective_to: raw.effective_to,
            groups: raw
                .groups
                .into_iter()
                .map(|g| Group {
                    code: g.code,
                    name: g.name,
                    points: g.points,
                })
                .collect(),
            indicators,
            fingerprint: hex(&Sha256::digest(text.as_bytes())),
        })
    }

    pub fn indicator(&self, code: &str) -> Option<&Definition> {
        self.indicators.iter().find(|i| i.code == code)
    }

    pub fn group(&self, code: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.code == code)
    }

    pub fn in_force_on(&self, day: Date) -> bool {
        self.effective_from <= day && self.effective_to.is_none_or(|to| day <= to)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The definition files shipped with the program.
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "indicators/766-2022.toml",
        include_str!("../../../../data/indicators/766-2022.toml"),
    ),
    (
        "indicators/766-2022-v2.toml",
        include_str!("../../../../data/indicators/766-2022-v2.toml"),
    ),
];

/// Every version of the indicator set, chosen by date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorCatalog {
    pub sets: Vec<IndicatorSet>,
}

impl IndicatorCatalog {
    pub fn load(files: &[(&str, &str)]) -> Result<Self, DefinitionError> {
        let mut sets = files
            .iter()
            .map(|(f, t)| IndicatorSet::parse(f, t))
            .collect::<Result<Vec<_>, _>>()?;
        sets.sort_by_key(|s| s.effective_from);
        let mut versions = HashSet::new();
        for s in &sets {
            if !versions.insert(s.version.clone()) {
                return Err(DefinitionError::Set {
                    file: s.version.clone(),
                    message: "version defined twice".into(),
                });
            }
        }
        if sets.is_empty() {
            return Err(DefinitionError::Set {
                file: "indicators".into(),
                message: "no indicator set".into(),
            });
        }
        Ok(Self { sets })
    }

    pub fn embedded() -> Result<Self, DefinitionError> {
        Self::load(EMBEDDED)
    }

    /// The set in force on a day (the latest that started by then), or the earliest one.
    pub fn in_force(&self, day: Date) -> &IndicatorSet {
        // `load` refuses an empty catalogue, so index 0 exists.
        let i = self
            .sets
            .iter()
            .rposition(|s| s.in_force_on(day))
            .unwrap_or(0);
        &self.sets[i]
    }

    pub fn version(&self, version: &str) -> Option<&IndicatorSet> {
        self.sets.iter().find(|s| s.version == version)
    }

    /// Every indicator code across versions.
    pub fn codes(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for s in &self.sets {
            for i in &s.indicators {
                if !out.contains(&i.code.as_str()) {
                    out.push(&i.code);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_set_loads() {
        let c = IndicatorCatalog::embedded().unwrap();
        let s = c.in_force(jiff::civil::date(2024, 7, 1));
        assert_eq!(s.groups.len(), 6);
        for code in [
            "1.4", "2.1", "2.2", "3.1", "3.3", "3.5", "3.6", "4.1", "4.2", "4.3", "5.4",
        ] {
            assert!(s.indicator(code).is_some(), "{code}");
        }
    }

    #[test]
    fn expressions_parse_and_fail_clearly() {
        let e = Expr::parse("finished_on_time + open_at_end - late_open_at_end").unwrap();
        assert_eq!(e.terms.len(), 3);
        assert_eq!(e.terms[2], (-1, Measure::LateOpenAtEnd));
        let e = Expr::parse("finished-finished_late").unwrap();
        assert_eq!(
            e.terms,
            vec![(1, Measure::Finished), (-1, Measure::FinishedLate)]
        );
        assert!(Expr::parse("").is_err());
        assert!(Expr::parse("finished +").is_err());
        assert!(Expr::parse("finished received").is_err());
        assert!(Expr::parse("nonsense").unwrap_err().contains("nonsense"));
    }

    fn set_with(indicator: &str) -> String {
        format!(
            "version = \"t\"\nname = \"t\"\nbasis = \"t\"\neffective_from = \"2022-01-01\"\n\
             [[group]]\ncode = \"1\"\nname = \"g\"\npoints = 100\n{indicator}"
        )
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let ok = "[[indicator]]\ncode = \"1.1\"\ngroup = \"1\"\nname = \"n\"\nkind = \"ratio\"\n\
                  numerator = \"finished_on_time\"\ndenominator = \"finished\"\npoints = 100\n\
                  unit = \"percent\"\nexplain = \"e\"\n";
        assert!(IndicatorSet::parse("t", &set_with(ok)).is_ok());
        let cases = [
            (ok.replace("points = 100", "points = 90"), "90"),
            (ok.replace("\"finished\"", "\"finishd\""), "finishd"),
            (
                ok.replace("group = \"1\"", "group = \"9\""),
                "unknown group",
            ),
            (ok.replace("kind = \"ratio\"", "kind = \"magic\""), "magic"),
            (
                ok.replace("kind = \"ratio\"", "kind = \"manual\""),
                "evidence",
            ),
            (format!("{ok}threshold = 1.5\n"), "fraction"),
            (format!("{ok}{ok}"), "twice"),
        ];
        for (text, needle) in cases {
            let err = IndicatorSet::parse("t", &set_with(&text)).unwrap_err();
            assert!(err.to_string().contains(needle), "{err} / {needle}");
        }
        assert!(IndicatorSet::parse("t", "version = 1").is_err());
    }
}
