//! Values, points and totals from measures; rankings with a minimum volume; forecasts toward
//! a target. Every result carries what it was computed from.

use serde::Serialize;
use std::collections::HashMap;

use super::definition::{Definition, Direction, Formula, IndicatorSet, Term, ValueUnit};
use super::measure::Measures;

/// Why a result has or has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultState {
    /// Computed from the data.
    Computed,
    /// Entered by an administrator with evidence.
    Entered,
    /// Zero denominator: nothing to judge in the period.
    NoData,
    /// A manual indicator with no value entered yet.
    Missing,
    /// The data source it needs is not connected.
    Unavailable,
}

impl ResultState {
    pub fn label(self) -> &'static str {
        match self {
            Self::Computed => "Tính từ dữ liệu",
            Self::Entered => "Nhập có minh chứng",
            Self::NoData => "Không có hồ sơ để tính",
            Self::Missing => "Chưa nhập số liệu",
            Self::Unavailable => "Chưa kết nối nguồn dữ liệu",
        }
    }
}

/// One indicator's value for a unit and period, with how it was obtained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorResult {
    pub code: String,
    pub group: String,
    pub name: String,
    pub unit: ValueUnit,
    pub direction: Direction,
    pub threshold: Option<f64>,
    pub max_points: f64,
    pub numerator: i64,
    pub denominator: i64,
    pub numerator_terms: Vec<Term>,
    pub denominator_terms: Vec<Term>,
    /// A fraction for percents, days for averages; None when not applicable.
    pub value: Option<f64>,
    /// None when not applicable (it then leaves the maximum too).
    pub points: Option<f64>,
    pub state: ResultState,
    pub explain: String,
}

impl IndicatorResult {
    /// Scored and counting toward the total.
    pub fn applicable(&self) -> bool {
        self.points.is_some() && self.max_points > 0.0
    }

    /// The value as users read it: "92,5%" or "3,4 ngày"; "—" when not applicable.
    pub fn display(&self) -> String {
        match self.value {
            None => "—".to_owned(),
            Some(v) => match self.unit {
                ValueUnit::Percent => format!("{}%", decimal(v * 100.0, 1)),
                ValueUnit::Days => format!("{} ngày", decimal(v, 1)),
            },
        }
    }

    /// How the points came out, e.g. "14 × min(1; 92,5% ÷ 100%) = 12,95".
    pub fn points_rule(&self) -> String {
        let (Some(v), Some(p)) = (self.value, self.points) else {
            return self.state.label().to_owned();
        };
        if self.max_points == 0.0 {
            return "Không tính điểm".to_owned();
        }
        let pct = |x: f64| format!("{}%", decimal(x * 100.0, 1));
        let max = decimal(self.max_points, 2);
        match (self.direction, self.threshold) {
            (Direction::Higher, Some(t)) => format!(
                "{max} × min(1; {} ÷ {}) = {}",
                pct(v),
                pct(t),
                decimal(p, 2)
            ),
            (Direction::Higher, None) => format!("{max} × {} = {}", pct(v), decimal(p, 2)),
            (Direction::Lower, t) => format!(
                "{max} × min(1; {} ÷ {}) = {}",
                pct(t.unwrap_or(1.0)),
                pct(v),
                decimal(p, 2)
            ),
        }
    }
}

/// A number with a Vietnamese decimal comma, trailing zeros dropped: 92,5 / 14 / 0,33.
pub fn decimal(x: f64, places: usize) -> String {
    crate::text::number(x, places)
}

/// Points for a value: `max × min(1, value / threshold)` (or its inverse when lower is better).
pub fn points_for(max: f64, value: f64, threshold: Option<f64>, direction: Direction) -> f64 {
    let share = match direction {
        Direction::Higher => match threshold {
            Some(t) => value / t,
            None => value,
        },
        Direction::Lower => {
            let t = threshold.unwrap_or(1.0);
            if value <= 0.0 { 1.0 } else { t / value }
        }
    };
    max * share.clamp(0.0, 1.0)
}

/// One indicator from measures, an entered value (manual ones) and the connected sources.
pub fn evaluate(
    def: &Definition,
    measures: &Measures,
    entered: Option<f64>,
    connected: &dyn Fn(&str) -> bool,
) -> IndicatorResult {
    let mut r = IndicatorResult {
        code: def.code.clone(),
        group: def.group.clone(),
        name: def.name.clone(),
        unit: def.unit,
        direction: def.direction,
        threshold: def.threshold,
        max_points: def.points,
        numerator: 0,
        denominator: 0,
        numerator_terms: Vec::new(),
        denominator_terms: Vec::new(),
        value: None,
        points: None,
        state: ResultState::NoData,
        explain: def.explain.clone(),
    };
    if def.requires.as_deref().is_some_and(|s| !connected(s)) {
        r.state = ResultState::Unavailable;
        return r;
    }
    let (num, den, scale) = match &def.formula {
        Formula::Manual => {
            match entered {
                Some(v) => {
                    r.value = Some(v);
                    r.points = Some(points_for(def.points, v, def.threshold, def.direction));
                    r.state = ResultState::Entered;
                }
                None => r.state = ResultState::Missing,
            }
            return r;
        }
        Formula::Ratio {
            numerator,
            denominator,
        } => (numerator, denominator, 1.0),
        Formula::Average {
            numerator,
            denominator,
            scale,
        } => (numerator, denominator, *scale),
    };
    let (n, nt) = num.eval(measures);
    let (d, dt) = den.eval(measures);
    r.numerator = n;
    r.denominator = d;
    r.numerator_terms = nt;
    r.denominator_terms = dt;
    if d > 0 {
        let v = n as f64 * scale / d as f64;
        r.value = Some(v);
        r.points = Some(points_for(def.points, v, def.threshold, def.direction));
        r.state = ResultState::Computed;
    }
    r
}

/// A group's points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupScore {
    pub code: String,
    pub name: String,
    pub max_points: f64,
    pub applicable_max: f64,
    pub points: f64,
}

/// Every indicator of a set for one unit and period, with group and total points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    pub version: String,
    pub results: Vec<IndicatorResult>,
    pub groups: Vec<GroupScore>,
    pub points: f64,
    pub applicable_max: f64,
    /// points ÷ applicable maximum × 100; None when nothing applies.
    pub score: Option<f64>,
}

impl Scorecard {
    pub fn result(&self, code: &str) -> Option<&IndicatorResult> {
        self.results.iter().find(|r| r.code == code)
    }

    /// How the total came out, for users.
    pub fn total_rule(&self) -> String {
        match self.score {
            None => "Không có chỉ số nào tính được trong kỳ".to_owned(),
            Some(s) => format!(
                "{} điểm đạt ÷ {} điểm của các chỉ số tính được × 100 = {}",
                decimal(self.points, 2),
                decimal(self.applicable_max, 2),
                decimal(s, 2)
            ),
        }
    }
}

pub fn scorecard(
    set: &IndicatorSet,
    measures: &Measures,
    entered: &HashMap<String, f64>,
    connected: &dyn Fn(&str) -> bool,
) -> Scorecard {
    let results: Vec<IndicatorResult> = set
        .indicators
        .iter()
        .map(|d| evaluate(d, measures, entered.get(&d.code).copied(), connected))
        .collect();
    let groups: Vec<GroupScore> = set
        .groups
        .iter()
        .map(|g| {
            let mine = results.iter().filter(|r| r.group == g.code);
            let (mut points, mut applicable_max) = (0.0, 0.0);
            for r in mine.filter(|r| r.applicable()) {
                points += r.points.unwrap_or(0.0);
                applicable_max += r.max_points;
            }
            GroupScore {
                code: g.code.clone(),
                name: g.name.clone(),
                max_points: g.points,
                applicable_max,
                points,
            }
        })
        .collect();
    let points: f64 = groups.iter().map(|g| g.points).sum();
    let applicable_max: f64 = groups.iter().map(|g| g.applicable_max).sum();
    Scorecard {
        version: set.version.clone(),
        results,
        groups,
        points,
        applicable_max,
        score: (applicable_max > 0.0).then(|| points / applicable_max * 100.0),
    }
}

/// One unit's standing in a ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankRow {
    pub unit: String,
    pub score: Option<f64>,
    /// Dossiers behind the score (the volume rule reads it).
    pub volume: i64,
    /// None when below the minimum volume or without a score.
    pub rank: Option<u32>,
    /// Shares its rank with another unit.
    pub tied: bool,
}

/// Ranks units by score, highest first: equal scores (to 2 decimals) share a rank and the next
/// rank skips (1, 2, 2, 4); units with fewer than `min_volume` dossiers or no score are listed
/// after, unranked, so a unit with three dossiers cannot top the table.
pub fn rank(entries: &[(String, Option<f64>, i64)], min_volume: i64) -> Vec<RankRow> {
    let key = |s: f64| (s * 100.0).round() as i64;
    let mut ranked: Vec<&(String, Option<f64>, i64)> = entries
        .iter()
        .filter(|(_, s, v)| s.is_some() && *v >= min_volume)
        .collect();
    ranked.sort_by(|a, b| {
        let (ka, kb) = (key(a.1.unwrap_or(0.0)), key(b.1.unwrap_or(0.0)));
        kb.cmp(&ka).then_with(|| a.0.cmp(&b.0))
    });
    let mut out: Vec<RankRow> = Vec::with_capacity(entries.len());
    for (i, e) in ranked.iter().enumerate() {
        let k = key(e.1.unwrap_or(0.0));
        let rank = match out.last() {
            Some(prev) if prev.score.map(key) == Some(k) => prev.rank,
            _ => Some(u32::try_from(i + 1).unwrap_or(u32::MAX)),
        };
        out.push(RankRow {
            unit: e.0.clone(),
            score: e.1,
            volume: e.2,
            rank,
            tied: false,
        });
    }
    for i in 0..out.len() {
        let r = out[i].rank;
        out[i].tied = out.iter().enumerate().any(|(j, o)| j != i && o.rank == r);
    }
    let mut rest: Vec<RankRow> = entries
        .iter()
        .filter(|(_, s, v)| s.is_none() || *v < min_volume)
        .map(|(u, s, v)| RankRow {
            unit: u.clone(),
            score: *s,
            volume: *v,
            rank: None,
            tied: false,
        })
        .collect();
    rest.sort_by(|a, b| b.volume.cmp(&a.volume).then_with(|| a.unit.cmp(&b.unit)));
    out.extend(rest);
    out
}

/// Whether a target is on course to be met by its deadline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    /// Points used: (fractional year, value).
    pub points: usize,
    /// Change per year from a least-squares line through the points.
    pub slope_per_year: f64,
    pub latest: f64,
    /// The line's value at the end of the deadline year (clamped to 0..1 for percents).
    pub projected: f64,
    pub on_track: bool,
    pub explain: String,
}

/// Projects a series of (fractional year, value) points to the end of `deadline_year` with a
/// straight line fitted by least squares, and compares it with the target. With one point the
/// projection is that point (no trend yet).
pub fn forecast(
    series: &[(f64, f64)],
    target: f64,
    meets: &dyn Fn(f64, f64) -> bool,
    deadline_year: i16,
    percent: bool,
) -> Option<Forecast> {
    let (&(last_x, latest), n) = (series.last()?, series.len());
    let nf = n as f64;
    let mx = series.iter().map(|p| p.0).sum::<f64>() / nf;
    let my = series.iter().map(|p| p.1).sum::<f64>() / nf;
    let sxx: f64 = series.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    let sxy: f64 = series.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let slope = if n >= 2 && sxx > 0.0 { sxy / sxx } else { 0.0 };
    let end = f64::from(deadline_year) + 1.0;
    let mut projected = if n >= 2 {
        my + slope * (end - mx)
    } else {
        latest
    };
    if end <= last_x {
        projected = latest;
    }
    if percent {
        projected = projected.clamp(0.0, 1.0);
    }
    let on_track = meets(projected, target);
    let fmt = |v: f64| {
        if percent {
            format!("{}%", decimal(v * 100.0, 1))
        } else {
            decimal(v, 1)
        }
    };
    let explain = if n >= 2 {
        format!(
            "Đường xu hướng qua {n} kỳ: {} mỗi năm; hiện tại {}, dự báo cuối năm {deadline_year}: {} so với chỉ tiêu {}",
            if percent {
                format!(
                    "{}{} điểm %",
                    if slope >= 0.0 { "+" } else { "" },
                    decimal(slope * 100.0, 1)
                )
            } else {
                decimal(slope, 1)
            },
            fmt(latest),
            fmt(projected),
            fmt(target)
        )
    } else {
        format!(
            "Mới có 1 kỳ số liệu ({}): chưa đủ để tính xu hướng, giữ nguyên giá trị hiện tại so với chỉ tiêu {}",
            fmt(latest),
            fmt(target)
        )
    };
    Some(Forecast {
        points: n,
        slope_per_year: slope,
        latest,
        projected,
        on_track,
        explain,
    })
}
