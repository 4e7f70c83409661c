//! PAR INDEX scorecards (Chỉ số cải cách hành chính): the province applies the method of
//! Decision 876/QĐ-BNV to its departments (sở, ban, ngành) and communes (xã, phường).
//!
//! - This module: the scorecard tree of a year and a kind of unit (areas → criteria →
//!   sub-criteria with maximum points, scoring guidance and, for some, a data source that
//!   suggests points), as versioned data in `data/par_index/<year>-<kind>.toml`, checked on
//!   load.
//! - [`score`]: a unit's items (self-assessed, appraised), totals, the survey part, ranking with
//!   ties, the change against the year before.
//! - [`survey`]: the survey results file (one line per unit).

pub mod score;
pub mod survey;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashSet;

use crate::unit::UnitKind;

/// A scorecard file that could not be used (for operators: English).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    #[error("{file}: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: item {code}: {message}")]
    Item {
        file: String,
        code: String,
        message: String,
    },
    #[error("{file}: {message}")]
    Tree { file: String, message: String },
}

/// The kinds of unit the province scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParKind {
    /// Sở, ban, ngành.
    Department,
    /// Xã, phường, đặc khu.
    Commune,
}

impl ParKind {
    pub const ALL: [ParKind; 2] = [ParKind::Department, ParKind::Commune];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Department => "department",
            Self::Commune => "commune",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "department" => Some(Self::Department),
            "commune" => Some(Self::Commune),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Department => "Sở, ban, ngành",
            Self::Commune => "Xã, phường, đặc khu",
        }
    }

    pub fn unit_kind(self) -> UnitKind {
        match self {
            Self::Department => UnitKind::Department,
            Self::Commune => UnitKind::Commune,
        }
    }

    /// The scorecard kind of a unit kind; None for units the province does not score.
    pub fn of(kind: UnitKind) -> Option<Self> {
        match kind {
            UnitKind::Department => Some(Self::Department),
            UnitKind::Commune => Some(Self::Commune),
            _ => None,
        }
    }
}

/// Where a pre-filled value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
pub enum Source {
    /// An indicator of the Decision 766 scorecard for the unit and the year (a share).
    Indicator(String),
    /// Share of the unit's plan tasks finished on time in the year.
    TasksOnTime,
    /// Share of the unit's reports sent on time in the year.
    ReportsOnTime,
}

impl Source {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "tasks_on_time" => Some(Self::TasksOnTime),
            "reports_on_time" => Some(Self::ReportsOnTime),
            t => t
                .strip_prefix("indicator:")
                .map(str::trim)
                .filter(|c| !c.is_empty() && c.chars().all(|ch| ch.is_ascii_digit() || ch == '.'))
                .map(|c| Self::Indicator(c.to_owned())),
        }
    }

    /// What the value is, for users.
    pub fn label(&self) -> String {
        match self {
            Self::Indicator(code) => format!("Chỉ số {code} (Quyết định 766)"),
            Self::TasksOnTime => "Tỷ lệ nhiệm vụ hoàn thành đúng hạn".to_owned(),
            Self::ReportsOnTime => "Tỷ lệ báo cáo gửi đúng hạn".to_owned(),
        }
    }
}

/// A data source that suggests points: the first band whose minimum the value reaches gives
/// its share of the item's maximum; below every band, nothing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prefill {
    pub source: Source,
    /// (minimum value as a fraction, share of the maximum points), minimums descending.
    pub bands: Vec<(f64, f64)>,
}

impl Prefill {
    /// The points the data suggests for an item worth `max`.
    pub fn suggest(&self, max: f64, value: f64) -> f64 {
        self.bands
            .iter()
            .find(|(min, _)| value + 1e-12 >= *min)
            .map_or(0.0, |(_, share)| max * share)
    }

    /// The bands as users read them: "≥ 100%: 2 điểm; ≥ 90%: 1 điểm; thấp hơn: 0".
    pub fn rule_text(&self, max: f64) -> String {
        let mut parts: Vec<String> = self
            .bands
            .iter()
            .map(|(min, share)| {
                format!(
                    "≥ {}%: {} điểm",
                    crate::text::number(min * 100.0, 1),
                    crate::text::number(max * share, 2)
                )
            })
            .collect();
        parts.push("thấp hơn: 0 điểm".to_owned());
        parts.join("; ")
    }
}

/// One node of the tree: an area (lĩnh vực), a criterion (tiêu chí) or a sub-criterion
/// (tiêu chí thành phần). Leaves are what units score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub code: String,
    pub name: String,
    /// Điểm tối đa.
    pub points: f64,
    /// 1 area, 2 criterion, 3 sub-criterion.
    pub level: u8,
    pub parent: Option<String>,
    pub leaf: bool,
    /// Hướng dẫn chấm (leaves).
    pub guide: String,
    /// Tài liệu kiểm chứng expected (leaves).
    pub evidence: Option<String>,
    pub prefill: Option<Prefill>,
}

/// A part of the survey (điều tra xã hội học), for users; the results file gives one number.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyPart {
    pub name: String,
    pub points: f64,
}

/// The survey part of the index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Survey {
    pub name: String,
    pub points: f64,
    pub guide: String,
    pub parts: Vec<SurveyPart>,
}

/// One version of a year's scorecard tree for one kind of unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreTree {
    /// Version key, e.g. `par-2025-department.1`: recorded with every scorecard.
    pub version: String,
    pub year: i16,
    pub kind: ParKind,
    pub name: String,
    pub basis: String,
    /// Areas, criteria and sub-criteria in reading order.
    pub items: Vec<Item>,
    pub survey: Survey,
    /// The points units assess themselves (areas), the survey's being the rest of 100.
    pub assessed_points: f64,
    /// SHA-256 of the file's text.
    pub fingerprint: String,
}

/// The whole index: 100 points.
pub const MAX_POINTS: f64 = 100.0;

const EPS: f64 = 1e-9;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTree {
    version: String,
    year: i16,
    kind: String,
    name: String,
    basis: String,
    #[serde(rename = "area")]
    areas: Vec<RawNode>,
    survey: RawSurvey,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNode {
    code: String,
    name: String,
    points: f64,
    guide: Option<String>,
    evidence: Option<String>,
    prefill: Option<RawPrefill>,
    #[serde(default, alias = "criterion", alias = "sub")]
    children: Vec<RawNode>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrefill {
    source: String,
    bands: Vec<[f64; 2]>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSurvey {
    name: String,
    points: f64,
    guide: String,
    #[serde(default, rename = "part")]
    parts: Vec<RawSurveyPart>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSurveyPart {
    name: String,
    points: f64,
}

fn good_points(p: f64) -> bool {
    p.is_finite() && p > 0.0
}

impl ScoreTree {
    /// Reads and checks one tree file.
    pub fn parse(file: &str, text: &str) -> Result<Self, TreeError> {
        let raw: RawTree = toml::from_str(text).map_err(|e| TreeError::Syntax {
            file: file.to_owned(),
            message: e.to_string(),
        })?;
        let tree_err = |message: String| TreeError::Tree {
            file: file.to_owned(),
            message,
        };
        if raw.version.trim().is_empty() || raw.name.trim().is_empty() {
            return Err(tree_err("version and name are required".into()));
        }
        if !(2000..=2100).contains(&raw.year) {
            return Err(tree_err(format!("year {} out of range", raw.year)));
        }
        let kind = ParKind::parse(&raw.kind)
            .ok_or_else(|| tree_err(format!("unknown kind `{}`", raw.kind)))?;
        if raw.areas.is_empty() {
            return Err(tree_err("no area".into()));
        }
        let mut items = Vec::new();
        let mut codes = HashSet::new();
        for area in &raw.areas {
            flatten(file, area, 1, None, &mut items, &mut codes)?;
        }
        let assessed: f64 = raw.areas.iter().map(|a| a.points).sum();
        let s = &raw.survey;
        if !good_points(s.points) || s.name.trim().is_empty() || s.guide.trim().is_empty() {
            return Err(tree_err(
                "survey: name, guide and points > 0 are required".into(),
            ));
        }
        if !s.parts.is_empty() {
            let parts: f64 = s.parts.iter().map(|p| p.points).sum();
            if s.parts.iter().any(|p| !good_points(p.points)) || (parts - s.points).abs() > EPS {
                return Err(tree_err(format!(
                    "survey: parts give {parts} points, the survey has {}",
                    s.points
                )));
            }
        }
        let total = assessed + s.points;
        if (total - MAX_POINTS).abs() > EPS {
            return Err(tree_err(format!(
                "areas ({assessed}) and survey ({}) total {total} points, not 100",
                s.points
            )));
        }
        Ok(Self {
            version: raw.version,
            year: raw.year,
            kind,
            name: raw.name,
            basis: raw.basis,
            items,
            survey: Survey {
                name: raw.survey.name,
                points: raw.survey.points,
                guide: raw.survey.guide,
                parts: raw
                    .survey
                    .parts
                    .into_iter()
                    .map(|p| SurveyPart {
                        name: p.name,
                        points: p.points,
                    })
                    .collect(),
            },
            assessed_points: assessed,
            fingerprint: Sha256::digest(text.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        })
    }

    pub fn item(&self, code: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.code == code)
    }

    /// What units score, in reading order.
    pub fn leaves(&self) -> impl Iterator<Item = &Item> + '_ {
        self.items.iter().filter(|i| i.leaf)
    }

    pub fn areas(&self) -> impl Iterator<Item = &Item> + '_ {
        self.items.iter().filter(|i| i.level == 1)
    }

    /// Whether `code` is `ancestor` or lies below it.
    pub fn is_under(&self, code: &str, ancestor: &str) -> bool {
        let mut at = Some(code.to_owned());
        while let Some(c) = at {
            if c == ancestor {
                return true;
            }
            at = self.item(&c).and_then(|i| i.parent.clone());
        }
        false
    }

    /// Every data source the tree reads.
    pub fn sources(&self) -> impl Iterator<Item = &Source> + '_ {
        self.items
            .iter()
            .filter_map(|i| i.prefill.as_ref().map(|p| &p.source))
    }
}

fn flatten(
    file: &str,
    node: &RawNode,
    level: u8,
    parent: Option<&str>,
    out: &mut Vec<Item>,
    codes: &mut HashSet<String>,
) -> Result<(), TreeError> {
    let err = |message: String| TreeError::Item {
        file: file.to_owned(),
        code: node.code.clone(),
        message,
    };
    let code = node.code.trim();
    if code.is_empty() || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
        return Err(err("a code is digits, letters and dots".into()));
    }
    if !codes.insert(code.to_owned()) {
        return Err(err("defined twice".into()));
    }
    if let Some(p) = parent
        && !code.starts_with(&format!("{p}."))
    {
        return Err(err(format!("a code under {p} starts with `{p}.`")));
    }
    if node.name.trim().is_empty() {
        return Err(err("name is required".into()));
    }
    if !good_points(node.points) {
        return Err(err("points must be > 0".into()));
    }
    if level > 3 {
        return Err(err("more than three levels".into()));
    }
    let leaf = node.children.is_empty();
    if leaf && level == 1 {
        return Err(err("an area needs criteria".into()));
    }
    let guide = node.guide.clone().unwrap_or_default();
    if leaf && guide.trim().is_empty() {
        return Err(err("a scored item needs its guide (hướng dẫn chấm)".into()));
    }
    if !leaf && (node.prefill.is_some() || node.evidence.is_some()) {
        return Err(err(
            "only scored items (leaves) take prefill and evidence".into()
        ));
    }
    let prefill = match &node.prefill {
        None => None,
        Some(p) => {
            let source = Source::parse(&p.source)
                .ok_or_else(|| err(format!("unknown prefill source `{}`", p.source)))?;
            if p.bands.is_empty() {
                return Err(err("prefill needs at least one band".into()));
            }
            let mut last = f64::INFINITY;
            for [min, share] in &p.bands {
                if !(min.is_finite() && (0.0..=1.0).contains(min)) {
                    return Err(err(format!("band minimum {min} is not a fraction 0..1")));
                }
                if !(share.is_finite() && (0.0..=1.0).contains(share)) {
                    return Err(err(format!("band share {share} is not a fraction 0..1")));
                }
                if *min >= last {
                    return Err(err("band minimums must descend".into()));
                }
                last = *min;
            }
            Some(Prefill {
                source,
                bands: p.bands.iter().map(|[a, b]| (*a, *b)).collect(),
            })
        }
    };
    out.push(Item {
        code: code.to_owned(),
        name: node.name.trim().to_owned(),
        points: node.points,
        level,
        parent: parent.map(str::to_owned),
        leaf,
        guide: guide.trim().to_owned(),
        evidence: node.evidence.clone().filter(|e| !e.trim().is_empty()),
        prefill,
    });
    if !leaf {
        for c in &node.children {
            flatten(file, c, level + 1, Some(code), out, codes)?;
        }
        let sum: f64 = node.children.iter().map(|c| c.points).sum();
        if (sum - node.points).abs() > EPS {
            return Err(err(format!(
                "children give {sum} points, the item has {}",
                node.points
            )));
        }
    }
    Ok(())
}

/// The tree files shipped with the program.
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "par_index/2024-department.toml",
        include_str!("../../../../data/par_index/2024-department.toml"),
    ),
    (
        "par_index/2024-commune.toml",
        include_str!("../../../../data/par_index/2024-commune.toml"),
    ),
    (
        "par_index/2025-department.toml",
        include_str!("../../../../data/par_index/2025-department.toml"),
    ),
    (
        "par_index/2025-commune.toml",
        include_str!("../../../../data/par_index/2025-commune.toml"),
    ),
];

/// Every tree, by year and kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParCatalog {
    pub trees: Vec<ScoreTree>,
}

impl ParCatalog {
    /// Reads every file; one tree per year and kind, versions unique.
    pub fn load(files: &[(&str, &str)]) -> Result<Self, TreeError> {
        let mut trees = files
            .iter()
            .map(|(f, t)| ScoreTree::parse(f, t))
            .collect::<Result<Vec<_>, _>>()?;
        trees.sort_by_key(|t| (t.year, t.kind));
        let mut keys = HashSet::new();
        let mut versions = HashSet::new();
        for t in &trees {
            let dup = |message: String| TreeError::Tree {
                file: t.version.clone(),
                message,
            };
            if !keys.insert((t.year, t.kind)) {
                return Err(dup(format!("two trees for {} {}", t.year, t.kind.as_str())));
            }
            if !versions.insert(t.version.clone()) {
                return Err(dup("version defined twice".into()));
            }
        }
        if trees.is_empty() {
            return Err(TreeError::Tree {
                file: "par_index".into(),
                message: "no scorecard tree".into(),
            });
        }
        Ok(Self { trees })
    }

    pub fn embedded() -> Result<Self, TreeError> {
        Self::load(EMBEDDED)
    }

    /// Checks that every indicator a tree reads exists (`known` answers for a code).
    pub fn check_sources(&self, known: &dyn Fn(&str) -> bool) -> Result<(), TreeError> {
        for t in &self.trees {
            for s in t.sources() {
                if let Source::Indicator(code) = s
                    && !known(code)
                {
                    return Err(TreeError::Tree {
                        file: t.version.clone(),
                        message: format!("prefill reads unknown indicator {code}"),
                    });
                }
            }
        }
        Ok(())
    }

    pub fn tree(&self, year: i16, kind: ParKind) -> Option<&ScoreTree> {
        self.trees.iter().find(|t| t.year == year && t.kind == kind)
    }

    pub fn version(&self, version: &str) -> Option<&ScoreTree> {
        self.trees.iter().find(|t| t.version == version)
    }

    /// Years with a tree, oldest first.
    pub fn years(&self) -> Vec<i16> {
        let mut out: Vec<i16> = self.trees.iter().map(|t| t.year).collect();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests;
