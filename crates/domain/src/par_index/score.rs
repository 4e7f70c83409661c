//! A unit's scorecard: the state of its assessment, the points of each item (self-assessed by
//! the unit, adjusted by the appraisal council), the totals and how they came out, ranking
//! among units of the same kind with ties, and the change against the year before.

use serde::Serialize;
use std::collections::HashMap;

use super::{Item, MAX_POINTS, ScoreTree};
use crate::indicator::{RankRow, rank};
use crate::text::number;

/// Where a unit's scorecard stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CardState {
    /// The unit is assessing itself: its officers and leader may change items.
    Draft,
    /// The leader submitted it (locked for the unit); the council appraises.
    Submitted,
    /// The council finished the appraisal: final.
    Appraised,
}

impl CardState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Appraised => "appraised",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "draft" => Some(Self::Draft),
            "submitted" => Some(Self::Submitted),
            "appraised" => Some(Self::Appraised),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Đơn vị đang tự đánh giá",
            Self::Submitted => "Đã gửi, chờ thẩm định",
            Self::Appraised => "Đã thẩm định",
        }
    }

    /// Submitted or appraised: the unit's claim is locked and it takes part in the ranking.
    pub fn ranked(self) -> bool {
        !matches!(self, Self::Draft)
    }
}

/// Why points cannot be given to an item (Vietnamese: it reaches users).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PointsError {
    #[error("điểm phải là một số")]
    NotANumber,
    #[error("điểm không được âm")]
    Negative,
    #[error("điểm {given} vượt quá điểm tối đa {max} của tiêu chí {code}")]
    AboveMax {
        code: String,
        given: String,
        max: String,
    },
    #[error("tiêu chí {0} có tiêu chí thành phần: chấm điểm từng tiêu chí thành phần")]
    NotScored(String),
}

/// Checks points given to an item: a number from 0 to the item's maximum, on a scored item.
pub fn check_points(item: &Item, points: f64) -> Result<(), PointsError> {
    if !item.leaf {
        return Err(PointsError::NotScored(item.code.clone()));
    }
    if !points.is_finite() {
        return Err(PointsError::NotANumber);
    }
    if points < 0.0 {
        return Err(PointsError::Negative);
    }
    if points > item.points + 1e-9 {
        return Err(PointsError::AboveMax {
            code: item.code.clone(),
            given: number(points, 2),
            max: number(item.points, 2),
        });
    }
    Ok(())
}

/// One item's points: the unit's claim and the council's adjustment, if any.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct ItemPoints {
    pub self_points: Option<f64>,
    pub appraised_points: Option<f64>,
}

impl ItemPoints {
    /// What counts after appraisal: the council's points, or the unit's claim it accepted.
    pub fn counted(&self) -> f64 {
        self.appraised_points.or(self.self_points).unwrap_or(0.0)
    }

    /// The council changed the unit's claim.
    pub fn adjusted(&self) -> bool {
        match (self.appraised_points, self.self_points) {
            (Some(a), Some(s)) => (a - s).abs() > 1e-9,
            (Some(_), None) => true,
            _ => false,
        }
    }
}

/// Sums over one node of the tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeTotal {
    pub code: String,
    pub max: f64,
    pub self_points: f64,
    pub counted: f64,
}

/// A scorecard's totals, every node's and the whole.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    /// Per area, criterion and sub-criterion, in the tree's order.
    pub nodes: Vec<NodeTotal>,
    /// The unit's own claim over the assessed part.
    pub self_points: f64,
    /// After appraisal (the council's points where it adjusted, the claim elsewhere).
    pub appraised_points: f64,
    pub assessed_max: f64,
    /// Scored items the unit has given points to, and all scored items.
    pub assessed_items: usize,
    pub leaves: usize,
    /// Items the council changed, and by how much in total (negative: down).
    pub adjusted_items: usize,
    pub adjustment: f64,
}

impl Totals {
    pub fn node(&self, code: &str) -> Option<&NodeTotal> {
        self.nodes.iter().find(|n| n.code == code)
    }
}

/// The totals of a scorecard from its items' points (items not in the tree are ignored).
pub fn totals(tree: &ScoreTree, points: &HashMap<String, ItemPoints>) -> Totals {
    let mut nodes: Vec<NodeTotal> = tree
        .items
        .iter()
        .map(|i| NodeTotal {
            code: i.code.clone(),
            max: i.points,
            self_points: 0.0,
            counted: 0.0,
        })
        .collect();
    let index: HashMap<&str, usize> = tree
        .items
        .iter()
        .enumerate()
        .map(|(n, i)| (i.code.as_str(), n))
        .collect();
    let (mut assessed_items, mut adjusted_items, mut adjustment) = (0, 0, 0.0);
    for leaf in tree.leaves() {
        let p = points.get(&leaf.code).copied().unwrap_or_default();
        if p.self_points.is_some() {
            assessed_items += 1;
        }
        if p.adjusted() {
            adjusted_items += 1;
            adjustment += p.counted() - p.self_points.unwrap_or(0.0);
        }
        let mut at = Some(leaf.code.as_str());
        while let Some(code) = at {
            let Some(&n) = index.get(code) else { break };
            nodes[n].self_points += p.self_points.unwrap_or(0.0);
            nodes[n].counted += p.counted();
            at = tree.items[n].parent.as_deref();
        }
    }
    let areas = tree.areas().filter_map(|a| index.get(a.code.as_str()));
    let (mut self_points, mut appraised_points) = (0.0, 0.0);
    for &n in areas {
        self_points += nodes[n].self_points;
        appraised_points += nodes[n].counted;
    }
    Totals {
        nodes,
        self_points,
        appraised_points,
        assessed_max: tree.assessed_points,
        assessed_items,
        leaves: tree.leaves().count(),
        adjusted_items,
        adjustment,
    }
}

/// The index of a unit: the assessed part (after appraisal once submitted, the claim before)
/// plus the survey, out of 100.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Total {
    pub assessed: f64,
    pub survey: Option<f64>,
    pub points: f64,
    pub max: f64,
    /// points ÷ max × 100.
    pub percent: f64,
}

pub fn total(assessed: f64, survey: Option<f64>) -> Total {
    let points = assessed + survey.unwrap_or(0.0);
    Total {
        assessed,
        survey,
        points,
        max: MAX_POINTS,
        percent: points / MAX_POINTS * 100.0,
    }
}

impl Total {
    /// How the total came out, for users.
    pub fn rule(&self, appraised: bool, survey_max: f64) -> String {
        let part = if appraised {
            "điểm sau thẩm định"
        } else {
            "điểm tự đánh giá"
        };
        let survey = match self.survey {
            Some(s) => format!(
                "{} điểm điều tra xã hội học (tối đa {})",
                number(s, 2),
                number(survey_max, 2)
            ),
            None => "0 điểm điều tra xã hội học (chưa có kết quả)".to_owned(),
        };
        format!(
            "{} {part} + {survey} = {} / {} điểm = {}%",
            number(self.assessed, 2),
            number(self.points, 2),
            number(self.max, 0),
            number(self.percent, 2)
        )
    }
}

/// Ranks units by points, highest first: equal points to 2 decimals share a rank and the next
/// rank skips (1, 2, 2, 4); units without points are listed after, unranked. The same rule as
/// the indicator ranking ([`crate::indicator::rank`]).
pub fn rank_units(entries: &[(String, Option<f64>)]) -> Vec<RankRow> {
    let rows: Vec<(String, Option<f64>, i64)> =
        entries.iter().map(|(u, p)| (u.clone(), *p, 0)).collect();
    rank(&rows, 0)
}

fn rank_key(points: f64) -> i64 {
    (points * 100.0).round() as i64
}

/// The rank a score would have had among ranked scores: 1 + how many are higher (to 2
/// decimals, as ranks compare).
pub fn rank_among(points: f64, ranked: &[f64]) -> u32 {
    let higher = ranked
        .iter()
        .filter(|s| rank_key(**s) > rank_key(points))
        .count();
    u32::try_from(higher + 1).unwrap_or(u32::MAX)
}

/// The year before, for one unit: its own result, or for a unit that replaced others (a
/// merger) the mean of theirs, placed in that year's ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Previous {
    pub points: f64,
    pub rank: u32,
    pub ranked_among: u32,
    /// The units it comes from: the unit itself, or its predecessors.
    pub from: Vec<String>,
    pub own: bool,
}

/// The ranked results of a year, to place units of the next year against (lookups by unit and
/// by score in logarithmic time: a country's units at once).
#[derive(Debug, Clone, Default)]
pub struct YearBefore {
    points: HashMap<String, f64>,
    /// Rank keys, highest first.
    keys: Vec<i64>,
}

impl YearBefore {
    /// From that year's ranked `(unit, points)`.
    pub fn new(ranked: &[(String, f64)]) -> Self {
        let mut keys: Vec<i64> = ranked.iter().map(|(_, p)| rank_key(*p)).collect();
        keys.sort_unstable_by(|a, b| b.cmp(a));
        Self {
            points: ranked.iter().cloned().collect(),
            keys,
        }
    }

    /// The rank `points` would have had: 1 + how many were higher.
    pub fn rank_of(&self, points: f64) -> u32 {
        let k = rank_key(points);
        let higher = self.keys.partition_point(|x| *x > k);
        u32::try_from(higher + 1).unwrap_or(u32::MAX)
    }

    /// `unit`'s standing that year, or, when it was not ranked then, the mean of its ranked
    /// `predecessors` placed in that year's ranking.
    pub fn previous(&self, unit: &str, predecessors: &[String]) -> Option<Previous> {
        let among = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
        if let Some(p) = self.points.get(unit) {
            return Some(Previous {
                points: *p,
                rank: self.rank_of(*p),
                ranked_among: among,
                from: vec![unit.to_owned()],
                own: true,
            });
        }
        let found: Vec<(&String, f64)> = predecessors
            .iter()
            .filter_map(|u| self.points.get(u).map(|p| (u, *p)))
            .collect();
        if found.is_empty() {
            return None;
        }
        let mean = found.iter().map(|(_, p)| p).sum::<f64>() / found.len() as f64;
        Some(Previous {
            points: mean,
            rank: self.rank_of(mean),
            ranked_among: among,
            from: found.into_iter().map(|(u, _)| u.clone()).collect(),
            own: false,
        })
    }
}

/// The previous year's standing of `unit` from that year's ranked `(unit, points)`; see
/// [`YearBefore::previous`].
pub fn previous(unit: &str, predecessors: &[String], ranked: &[(String, f64)]) -> Option<Previous> {
    YearBefore::new(ranked).previous(unit, predecessors)
}

/// Change against the year before: (points gained, places gained; positive = up).
pub fn change(points: f64, rank: Option<u32>, prev: &Previous) -> (f64, Option<i64>) {
    (
        points - prev.points,
        rank.map(|r| i64::from(prev.rank) - i64::from(r)),
    )
}
