//! PAR INDEX scorecards (Chỉ số cải cách hành chính) of departments and communes: the unit's
//! self-assessment per item with evidence, submitted by its leader (then locked); the
//! appraisal council's adjustments (the reform office's administrator acting for it); the
//! survey part imported from a file; totals, ranking among units of the same kind with the
//! change against the year before; and, for items with a data source, the value and the points
//! it suggests beside the unit's claim.
//!
//! Who does what: officers and leaders of the unit assess it (its own account's unit), the
//! leader submits; administrators appraise, finish the appraisal and import the survey; staff
//! read their unit's subtree; the ranking is every staff member's.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use cchc_domain::indicator::{IndicatorCatalog, Period};
use cchc_domain::par_index::score::{
    CardState, ItemPoints, NodeTotal, Previous, Total, Totals, YearBefore, check_points,
    rank_units, total, totals,
};
use cchc_domain::par_index::survey::{self, SurveyError};
use cchc_domain::par_index::{Item, MAX_POINTS, ParCatalog, ParKind, ScoreTree, Source};
use cchc_domain::unit::{Unit, UnitKind};
pub use cchc_store::ParEvidenceInfo;
use cchc_store::{ParCardRow, ParCardWrite, ParItemRow, ParNewEvidence};
use jiff::civil::date;
use serde::Serialize;

use crate::files::Upload;
use crate::{App, AppError, Principal, Result, Role, civil};

/// Longest explanation or comment.
pub const MAX_NOTE_CHARS: usize = 2_000;

/// A unit's index for a year, as rankings and other features read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParResult {
    pub unit: String,
    pub unit_kind: UnitKind,
    pub year: i16,
    pub self_points: f64,
    pub appraised_points: Option<f64>,
    pub survey_points: Option<f64>,
    pub total_points: f64,
    pub max_points: f64,
    pub percent: f64,
    pub rank: Option<u32>,
    pub ranked_among: u32,
    pub previous_rank: Option<u32>,
    pub tree_version: String,
    pub appraised: bool,
}

/// Where a suggested value can be checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DataLink {
    /// The unit's indicator scorecard for the year (and its drill-down).
    Indicator { code: String },
    /// The plans board (tasks and reports).
    Plans,
}

/// The data value of an item with a source, and the points it suggests.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataValue {
    pub source: Source,
    pub label: String,
    /// A fraction; None when there is no data.
    pub value: Option<f64>,
    pub suggested: Option<f64>,
    /// The bands, e.g. "≥ 100%: 2 điểm; ≥ 90%: 1 điểm; thấp hơn: 0 điểm".
    pub rule: String,
    /// Why there is no value ("chưa có dữ liệu") or how it was obtained.
    pub note: String,
    pub link: DataLink,
}

/// One node of a unit's scorecard.
#[derive(Debug, Clone, Serialize)]
pub struct ParItemView {
    pub item: Item,
    pub row: ParItemRow,
    pub node: NodeTotal,
    pub evidence: Vec<ParEvidenceInfo>,
    pub data: Option<DataValue>,
}

impl ParItemView {
    pub fn adjusted(&self) -> bool {
        ItemPoints {
            self_points: self.row.self_points,
            appraised_points: self.row.appraised_points,
        }
        .adjusted()
    }
}

/// A unit's scorecard for a year.
#[derive(Debug, Clone, Serialize)]
pub struct ParCard {
    pub unit_id: String,
    pub unit_name: String,
    pub unit_full_name: String,
    pub year: i16,
    pub kind: ParKind,
    pub tree: &'static ScoreTree,
    pub state: CardState,
    /// Stored already (a unit that has not started has none).
    pub exists: bool,
    pub items: Vec<ParItemView>,
    pub totals: Totals,
    pub total: Total,
    /// How the total came out, for users.
    pub total_rule: String,
    pub card: Option<ParCardRow>,
    /// Rank among the units of the kind (submitted or appraised), and how many.
    pub rank: Option<u32>,
    pub ranked_among: u32,
    pub tied: bool,
    pub previous: Option<Previous>,
    /// Names of the units the previous standing comes from.
    pub previous_names: Vec<String>,
}

/// One row of a ranking.
#[derive(Debug, Clone, Serialize)]
pub struct ParRankingRow {
    pub result: ParResult,
    pub unit_name: String,
    pub state: CardState,
    pub tied: bool,
    pub previous: Option<Previous>,
    /// Points gained since the year before (percent points, 100 = the whole index).
    pub points_change: Option<f64>,
    /// Places gained (positive = up).
    pub rank_change: Option<i64>,
}

/// The units of a kind for a year, ranked.
#[derive(Debug, Clone, Serialize)]
pub struct ParRanking {
    pub year: i16,
    pub kind: ParKind,
    pub tree_version: Option<String>,
    pub rows: Vec<ParRankingRow>,
    /// Ranked units whose appraisal is not finished (their points may still change).
    pub provisional: usize,
}

/// What a survey import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SurveyImport {
    pub year: i16,
    pub lines: usize,
    /// Units that had no scorecard yet (one was opened for the survey points).
    pub opened: usize,
}

/// The trees, loaded once and checked against the indicators they read.
fn load_catalog() -> std::result::Result<ParCatalog, String> {
    let c = ParCatalog::embedded().map_err(|e| e.to_string())?;
    let indicators = IndicatorCatalog::embedded().map_err(|e| e.to_string())?;
    let codes = indicators.codes();
    c.check_sources(&|code| codes.contains(&code))
        .map_err(|e| e.to_string())?;
    Ok(c)
}

/// The PAR INDEX trees shipped with the program (`data/par_index/`).
pub fn par_catalog() -> Result<&'static ParCatalog> {
    static CATALOG: OnceLock<std::result::Result<ParCatalog, String>> = OnceLock::new();
    CATALOG
        .get_or_init(load_catalog)
        .as_ref()
        .map_err(|e| AppError::Internal(format!("PAR INDEX trees: {e}")))
}

fn who_text(who: &Principal) -> String {
    format!("{} ({})", who.display_name, who.username)
}

fn kind_of(card: &ParCardRow) -> Option<ParKind> {
    ParKind::parse(&card.kind)
}

fn state_of(card: &ParCardRow) -> Result<CardState> {
    CardState::parse(&card.state).ok_or_else(|| {
        AppError::Internal(format!(
            "scorecard {} {}: unknown state {}",
            card.unit, card.year, card.state
        ))
    })
}

fn check_note(note: &str) -> Result<String> {
    let note = note.trim();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(AppError::Invalid(format!(
            "giải trình, nhận xét dài quá {} ký tự",
            cchc_domain::text::group_thousands(MAX_NOTE_CHARS as i64)
        )));
    }
    Ok(note.to_owned())
}

fn item_points(rows: &[ParItemRow]) -> HashMap<String, ItemPoints> {
    rows.iter()
        .map(|r| {
            (
                r.item.clone(),
                ItemPoints {
                    self_points: r.self_points,
                    appraised_points: r.appraised_points,
                },
            )
        })
        .collect()
}

/// The totals a card row keeps: the claim, and once submitted the points after appraisal.
fn with_totals(mut card: ParCardRow, t: &Totals, state: CardState) -> ParCardRow {
    card.self_points = t.self_points;
    card.appraised_points = state.ranked().then_some(t.appraised_points);
    card.state = state.as_str().to_owned();
    card
}

/// A result's index points: after appraisal (or the claim before) plus the survey.
fn index_of(card: &ParCardRow) -> Total {
    total(
        card.appraised_points.unwrap_or(card.self_points),
        card.survey_points,
    )
}

impl App {
    /// The tree of a year and kind of unit.
    pub fn par_tree(&self, year: i16, kind: ParKind) -> Result<&'static ScoreTree> {
        par_catalog()?.tree(year, kind).ok_or_else(|| {
            AppError::NotFound(format!(
                "bộ chỉ số CCHC năm {year} cho {}",
                kind.label().to_lowercase()
            ))
        })
    }

    /// The unit, its scorecard kind and the tree of the year; the unit must exist at the
    /// year's end (units are scored as they stand then).
    fn par_target(&self, unit: &str, year: i16) -> Result<(Unit, ParKind, &'static ScoreTree)> {
        let u = self.unit(unit)?;
        let kind = ParKind::of(u.kind).ok_or_else(|| {
            AppError::Invalid(format!(
                "{} không thuộc diện chấm chỉ số CCHC (chỉ sở, ban, ngành và xã, phường)",
                u.full_name
            ))
        })?;
        let tree = self.par_tree(year, kind)?;
        let end = date(year, 12, 31);
        if !u.is_active_on(end) {
            return Err(AppError::Invalid(format!(
                "{} không còn tồn tại vào cuối năm {year} ({}): chấm điểm đơn vị kế thừa",
                u.full_name,
                u.validity_text()
            )));
        }
        Ok((u, kind, tree))
    }

    /// Officers and the leader of the unit itself.
    fn may_assess(&self, who: &Principal, unit: &str) -> Result<()> {
        let own = who.unit_id.as_deref() == Some(unit);
        match who.role {
            Role::Officer | Role::Leader if own => Ok(()),
            _ => Err(AppError::Forbidden(
                "chỉ cán bộ, lãnh đạo của đơn vị được tự chấm điểm chỉ số CCHC của đơn vị".into(),
            )),
        }
    }

    fn par_admin(who: &Principal, what: &str) -> Result<()> {
        if who.role == Role::Admin {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "chỉ quản trị CCHC (thay mặt Hội đồng thẩm định) được {what}"
            )))
        }
    }

    fn new_card(unit: &str, year: i16, kind: ParKind, tree: &ScoreTree) -> ParCardRow {
        ParCardRow {
            unit: unit.to_owned(),
            year: i64::from(year),
            kind: kind.as_str().to_owned(),
            tree_version: tree.version.clone(),
            state: CardState::Draft.as_str().to_owned(),
            self_points: 0.0,
            appraised_points: None,
            survey_points: None,
            survey_at: None,
            survey_by: None,
            submitted_at: None,
            submitted_by: None,
            appraised_at: None,
            appraised_by: None,
            version: 1,
        }
    }

    /// The tree a stored card was scored on (its recorded version), or the year's.
    fn tree_of(
        &self,
        card: Option<&ParCardRow>,
        year: i16,
        kind: ParKind,
    ) -> Result<&'static ScoreTree> {
        match card {
            Some(c) => par_catalog()?.version(&c.tree_version).ok_or_else(|| {
                AppError::Internal(format!(
                    "scorecard {} {} uses tree {} which is not loaded",
                    c.unit, c.year, c.tree_version
                ))
            }),
            None => self.par_tree(year, kind),
        }
    }

    /// Every unit's index for a year, ranked among units of the same kind (submitted or
    /// appraised cards; equal points to 2 decimals share a rank), with the rank of the year
    /// before (the unit's own, or its predecessors' mean placed in that year's ranking).
    /// Two queries' worth of work whatever the number of units.
    pub async fn par_results(&self, year: i16) -> Result<Vec<ParResult>> {
        Ok(self
            .par_standings(year)
            .await?
            .into_iter()
            .map(|s| s.result)
            .collect())
    }

    async fn par_standings(&self, year: i16) -> Result<Vec<ParRankingRow>> {
        let cards = self
            .store
            .par_cards(&[i64::from(year) - 1, i64::from(year)])
            .await?;
        let tree = self.units()?;
        let catalog = par_catalog()?;
        let mut out = Vec::new();
        for kind in ParKind::ALL {
            let of = |y: i64| {
                cards
                    .iter()
                    .filter(move |c| c.year == y && kind_of(c) == Some(kind))
            };
            let before: Vec<(String, f64)> = of(i64::from(year) - 1)
                .filter(|c| CardState::parse(&c.state).is_some_and(CardState::ranked))
                .map(|c| (c.unit.clone(), index_of(c).points))
                .collect();
            let before = YearBefore::new(&before);
            let now: Vec<&ParCardRow> = of(i64::from(year)).collect();
            let mut states = HashMap::new();
            let entries: Vec<(String, Option<f64>)> = now
                .iter()
                .map(|c| {
                    let state = state_of(c)?;
                    states.insert(c.unit.as_str(), (state, *c));
                    Ok((c.unit.clone(), state.ranked().then(|| index_of(c).points)))
                })
                .collect::<Result<_>>()?;
            let ranked = rank_units(&entries);
            let among = u32::try_from(ranked.iter().filter(|r| r.rank.is_some()).count())
                .unwrap_or(u32::MAX);
            for r in ranked {
                let Some(&(state, c)) = states.get(r.unit.as_str()) else {
                    continue;
                };
                let idx = index_of(c);
                let max = catalog
                    .version(&c.tree_version)
                    .map_or(MAX_POINTS, |t| t.assessed_points + t.survey.points);
                let preds: Vec<String> = tree
                    .predecessors(&c.unit)
                    .map(|(p, _)| p.id.as_str().to_owned())
                    .collect();
                let previous = before.previous(&c.unit, &preds);
                let unit_name = tree
                    .get(&c.unit)
                    .map_or_else(|| c.unit.clone(), |u| u.full_name.clone());
                out.push(ParRankingRow {
                    points_change: previous
                        .as_ref()
                        .filter(|_| state.ranked())
                        .map(|p| idx.points - p.points),
                    rank_change: match (&previous, r.rank) {
                        (Some(p), Some(now)) => Some(i64::from(p.rank) - i64::from(now)),
                        _ => None,
                    },
                    result: ParResult {
                        unit: c.unit.clone(),
                        unit_kind: kind.unit_kind(),
                        year,
                        self_points: c.self_points,
                        appraised_points: c.appraised_points,
                        survey_points: c.survey_points,
                        total_points: idx.points,
                        max_points: max,
                        percent: idx.points / max * 100.0,
                        rank: r.rank,
                        ranked_among: among,
                        previous_rank: previous.as_ref().map(|p| p.rank),
                        tree_version: c.tree_version.clone(),
                        appraised: state == CardState::Appraised,
                    },
                    unit_name,
                    state,
                    tied: r.tied,
                    previous,
                });
            }
        }
        Ok(out)
    }

    /// The ranking of a kind of unit for a year (every staff member may read it).
    pub async fn par_ranking(
        &self,
        who: &Principal,
        year: i16,
        kind: ParKind,
    ) -> Result<ParRanking> {
        if !matches!(who.role, Role::Officer | Role::Leader | Role::Admin) {
            return Err(AppError::Forbidden(
                "bảng xếp hạng chỉ số CCHC dành cho cán bộ, công chức".into(),
            ));
        }
        let tree = par_catalog()?.tree(year, kind);
        let rows: Vec<ParRankingRow> = self
            .par_standings(year)
            .await?
            .into_iter()
            .filter(|r| r.result.unit_kind == kind.unit_kind())
            .collect();
        Ok(ParRanking {
            year,
            kind,
            tree_version: tree.map(|t| t.version.clone()),
            provisional: rows
                .iter()
                .filter(|r| r.state == CardState::Submitted)
                .count(),
            rows,
        })
    }

    /// A unit's scorecard for a year: every item with the unit's claim, the data value and the
    /// points it suggests where the item has a source, the council's points and comment, the
    /// evidence, and the totals with how they came out.
    pub async fn par_card(&self, who: &Principal, unit: &str, year: i16) -> Result<ParCard> {
        self.may_see_unit(who, unit)?;
        let (u, kind, _) = self.par_target(unit, year)?;
        let card = self.store.par_card(unit, i64::from(year)).await?;
        let tree = self.tree_of(card.as_ref(), year, kind)?;
        let state = card.as_ref().map_or(Ok(CardState::Draft), state_of)?;
        let rows = self.store.par_items(unit, i64::from(year)).await?;
        let evidence = self.store.par_evidence_list(unit, i64::from(year)).await?;
        let t = totals(tree, &item_points(&rows));
        let assessed = if state.ranked() {
            t.appraised_points
        } else {
            t.self_points
        };
        let whole = total(assessed, card.as_ref().and_then(|c| c.survey_points));
        let data = self.par_data(unit, year, tree).await?;
        let items = tree
            .items
            .iter()
            .map(|item| ParItemView {
                row: rows
                    .iter()
                    .find(|r| r.item == item.code)
                    .cloned()
                    .unwrap_or_else(|| ParItemRow {
                        item: item.code.clone(),
                        ..ParItemRow::default()
                    }),
                node: t.node(&item.code).cloned().unwrap_or(NodeTotal {
                    code: item.code.clone(),
                    max: item.points,
                    self_points: 0.0,
                    counted: 0.0,
                }),
                evidence: evidence
                    .iter()
                    .filter(|e| e.item == item.code)
                    .cloned()
                    .collect(),
                data: data.get(&item.code).cloned(),
                item: item.clone(),
            })
            .collect();
        let standings = self.par_standings(year).await?;
        let mine = standings.iter().find(|s| s.result.unit == unit);
        let tree_units = self.units()?;
        let previous = mine.and_then(|s| s.previous.clone());
        let previous_names = previous
            .as_ref()
            .map(|p| {
                p.from
                    .iter()
                    .map(|id| {
                        tree_units
                            .get(id)
                            .map_or_else(|| id.clone(), |u| u.full_name.clone())
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(ParCard {
            unit_id: unit.to_owned(),
            unit_name: u.name.clone(),
            unit_full_name: u.full_name.clone(),
            year,
            kind,
            tree,
            state,
            exists: card.is_some(),
            items,
            total_rule: whole.rule(state.ranked(), tree.survey.points),
            totals: t,
            total: whole,
            card,
            rank: mine.and_then(|s| s.result.rank),
            ranked_among: mine.map_or(0, |s| s.result.ranked_among),
            tied: mine.is_some_and(|s| s.tied),
            previous,
            previous_names,
        })
    }

    /// Values of the items with a data source, and the points they suggest.
    async fn par_data(
        &self,
        unit: &str,
        year: i16,
        tree: &ScoreTree,
    ) -> Result<HashMap<String, DataValue>> {
        let mut out = HashMap::new();
        let needs_indicators = tree.sources().any(|s| matches!(s, Source::Indicator(_)));
        let needs_duties = tree
            .sources()
            .any(|s| matches!(s, Source::TasksOnTime | Source::ReportsOnTime));
        let indicators = if needs_indicators {
            let period = Period::year(year).map_err(|e| AppError::Invalid(e.to_string()))?;
            Some(self.scorecard_of(unit, &period, false).await?)
        } else {
            None
        };
        let duties = if needs_duties {
            self.duty_shares(unit, year).await?
        } else {
            (None, None)
        };
        for item in tree.leaves() {
            let Some(p) = &item.prefill else { continue };
            let (value, note, link) = match &p.source {
                Source::Indicator(code) => {
                    let r = indicators.as_ref().and_then(|c| c.card.result(code));
                    let note = match r {
                        Some(r) if r.value.is_some() => format!(
                            "{}: {} / {} hồ sơ",
                            r.name,
                            cchc_domain::text::group_thousands(r.numerator),
                            cchc_domain::text::group_thousands(r.denominator)
                        ),
                        Some(r) => r.state.label().to_owned(),
                        None => "chưa có dữ liệu".to_owned(),
                    };
                    (
                        r.and_then(|r| r.value),
                        note,
                        DataLink::Indicator { code: code.clone() },
                    )
                }
                Source::TasksOnTime => (
                    duties.0,
                    if duties.0.is_some() {
                        "nhiệm vụ hoàn thành đúng hạn ÷ nhiệm vụ được giao trong năm".to_owned()
                    } else {
                        "chưa có dữ liệu".to_owned()
                    },
                    DataLink::Plans,
                ),
                Source::ReportsOnTime => (
                    duties.1,
                    if duties.1.is_some() {
                        "báo cáo gửi đúng hạn ÷ báo cáo phải gửi trong năm".to_owned()
                    } else {
                        "chưa có dữ liệu".to_owned()
                    },
                    DataLink::Plans,
                ),
            };
            out.insert(
                item.code.clone(),
                DataValue {
                    label: p.source.label(),
                    suggested: value.map(|v| p.suggest(item.points, v)),
                    rule: p.rule_text(item.points),
                    source: p.source.clone(),
                    value,
                    note,
                    link,
                },
            );
        }
        Ok(out)
    }

    /// The unit's shares of plan tasks finished on time and of reports sent on time in the
    /// year (its subtree and the units it replaced); each None when nothing was owed yet.
    async fn duty_shares(&self, unit: &str, year: i16) -> Result<(Option<f64>, Option<f64>)> {
        use cchc_domain::plan::{ReportState, TaskState};
        let period = cchc_domain::indicator::Period::year(year)
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        let members = self
            .units()?
            .history_members(unit, period.first, period.last);
        let (mut tasks_owed, mut tasks_on_time) = (0u32, 0u32);
        let (mut reports_owed, mut reports_on_time) = (0u32, 0u32);
        for (u, duties) in self.duties_in_year(year, self.now().date()).await? {
            if !members.contains(&u) {
                continue;
            }
            for t in &duties.tasks {
                match t.state {
                    TaskState::Cancelled | TaskState::Open => {}
                    TaskState::DoneOnTime => {
                        tasks_owed += 1;
                        tasks_on_time += 1;
                    }
                    TaskState::DoneLate | TaskState::Overdue => tasks_owed += 1,
                }
            }
            for r in &duties.reports {
                match r.state {
                    ReportState::NotDue => {}
                    ReportState::OnTime => {
                        reports_owed += 1;
                        reports_on_time += 1;
                    }
                    ReportState::Late | ReportState::Incomplete | ReportState::Missing => {
                        reports_owed += 1
                    }
                }
            }
        }
        // Nothing owed is no data, not a full share.
        let share = |done: u32, owed: u32| (owed > 0).then(|| f64::from(done) / f64::from(owed));
        Ok((
            share(tasks_on_time, tasks_owed),
            share(reports_on_time, reports_owed),
        ))
    }

    /// The stored card (or a new one) and its items, checked for the unit's kind and year.
    async fn par_load(
        &self,
        unit: &str,
        year: i16,
    ) -> Result<(
        ParKind,
        &'static ScoreTree,
        Option<ParCardRow>,
        Vec<ParItemRow>,
    )> {
        let (_, kind, _) = self.par_target(unit, year)?;
        let card = self.store.par_card(unit, i64::from(year)).await?;
        let tree = self.tree_of(card.as_ref(), year, kind)?;
        let rows = self.store.par_items(unit, i64::from(year)).await?;
        Ok((kind, tree, card, rows))
    }

    fn scored_item<'t>(tree: &'t ScoreTree, code: &str) -> Result<&'t Item> {
        let item = tree
            .item(code)
            .ok_or_else(|| AppError::NotFound(format!("tiêu chí {code} trong {}", tree.name)))?;
        if !item.leaf {
            return Err(AppError::Invalid(format!(
                "tiêu chí {code} có tiêu chí thành phần: chấm điểm từng tiêu chí thành phần"
            )));
        }
        Ok(item)
    }

    /// The unit scores one item itself, with its explanation and evidence files (PDF, PNG,
    /// JPEG). Only while the card is a draft; points from 0 to the item's maximum. Returns
    /// the new index.
    #[allow(clippy::too_many_arguments)]
    pub async fn par_self_assess(
        &self,
        who: &Principal,
        unit: &str,
        year: i16,
        code: &str,
        points: f64,
        note: &str,
        evidence: Vec<Upload>,
    ) -> Result<Total> {
        self.may_assess(who, unit)?;
        let (kind, tree, card, mut rows) = self.par_load(unit, year).await?;
        let item = Self::scored_item(tree, code)?;
        check_points(item, points).map_err(|e| AppError::Invalid(e.to_string()))?;
        let note = check_note(note)?;
        let state = card.as_ref().map_or(Ok(CardState::Draft), state_of)?;
        if state != CardState::Draft {
            return Err(AppError::Invalid(format!(
                "bảng điểm năm {year} đã gửi thẩm định ({}): không sửa được điểm tự đánh giá",
                state.label().to_lowercase()
            )));
        }
        let files = crate::files::prepare(
            evidence
                .into_iter()
                .map(|u| Upload {
                    component: code.to_owned(),
                    ..u
                })
                .collect(),
        )?;
        let now = civil(self.now());
        let by = who_text(who);
        let mut row = rows
            .iter()
            .find(|r| r.item == code)
            .cloned()
            .unwrap_or_else(|| ParItemRow {
                item: code.to_owned(),
                ..ParItemRow::default()
            });
        row.self_points = Some(points);
        row.self_note = note;
        row.self_by = Some(by.clone());
        row.self_at = Some(now.clone());
        rows.retain(|r| r.item != code);
        rows.push(row.clone());
        let t = totals(tree, &item_points(&rows));
        let expected = card.as_ref().map(|c| c.version);
        let base = card.unwrap_or_else(|| Self::new_card(unit, year, kind, tree));
        let new = with_totals(base, &t, CardState::Draft);
        let whole = index_of(&new);
        self.store
            .save_par_cards(&[ParCardWrite {
                card: new,
                expected_version: expected,
                items: vec![row],
                evidence: files
                    .into_iter()
                    .map(|f| ParNewEvidence {
                        id: f.id,
                        item: code.to_owned(),
                        file_name: f.file_name,
                        content_type: f.content_type,
                        sha256: f.sha256,
                        content: f.content,
                        uploaded_by: by.clone(),
                        uploaded_at: now.clone(),
                    })
                    .collect(),
            }])
            .await
            .map_err(conflict)?;
        Ok(whole)
    }

    /// The leader submits the self-assessment (every item scored): it is locked for the unit
    /// and goes to the appraisal council.
    pub async fn par_submit(&self, who: &Principal, unit: &str, year: i16) -> Result<Total> {
        self.may_assess(who, unit)?;
        if who.role != Role::Leader {
            return Err(AppError::Forbidden(
                "chỉ lãnh đạo đơn vị được gửi bảng tự đánh giá đi thẩm định".into(),
            ));
        }
        let (_, tree, card, rows) = self.par_load(unit, year).await?;
        let Some(card) = card else {
            return Err(AppError::Invalid(format!(
                "đơn vị chưa tự chấm tiêu chí nào của năm {year}"
            )));
        };
        let state = state_of(&card)?;
        if state != CardState::Draft {
            return Err(AppError::Invalid(format!(
                "bảng điểm năm {year} đã gửi thẩm định trước đó"
            )));
        }
        let missing: Vec<&str> = tree
            .leaves()
            .filter(|l| {
                !rows
                    .iter()
                    .any(|r| r.item == l.code && r.self_points.is_some())
            })
            .map(|l| l.code.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(AppError::Invalid(format!(
                "còn {} tiêu chí chưa tự chấm: {}",
                missing.len(),
                missing.join(", ")
            )));
        }
        let t = totals(tree, &item_points(&rows));
        let expected = Some(card.version);
        let mut new = with_totals(card, &t, CardState::Submitted);
        new.submitted_at = Some(civil(self.now()));
        new.submitted_by = Some(who_text(who));
        let whole = index_of(&new);
        self.store
            .save_par_cards(&[ParCardWrite {
                card: new,
                expected_version: expected,
                items: Vec::new(),
                evidence: Vec::new(),
            }])
            .await
            .map_err(conflict)?;
        Ok(whole)
    }

    /// The council's points and comment for one item of a submitted card (a comment is
    /// required when the points differ from the unit's claim). Returns the new index.
    pub async fn par_appraise(
        &self,
        who: &Principal,
        unit: &str,
        year: i16,
        code: &str,
        points: f64,
        comment: &str,
    ) -> Result<Total> {
        Self::par_admin(who, "thẩm định điểm chỉ số CCHC")?;
        let (_, tree, card, mut rows) = self.par_load(unit, year).await?;
        let item = Self::scored_item(tree, code)?;
        check_points(item, points).map_err(|e| AppError::Invalid(e.to_string()))?;
        let comment = check_note(comment)?;
        let Some(card) = card else {
            return Err(AppError::Invalid(format!(
                "đơn vị chưa gửi bảng tự đánh giá năm {year}: chưa thẩm định được"
            )));
        };
        match state_of(&card)? {
            CardState::Submitted => {}
            CardState::Draft => {
                return Err(AppError::Invalid(format!(
                    "đơn vị chưa gửi bảng tự đánh giá năm {year}: chưa thẩm định được"
                )));
            }
            CardState::Appraised => {
                return Err(AppError::Invalid(format!(
                    "bảng điểm năm {year} đã hoàn tất thẩm định: không điều chỉnh thêm"
                )));
            }
        }
        let mut row = rows
            .iter()
            .find(|r| r.item == code)
            .cloned()
            .unwrap_or_else(|| ParItemRow {
                item: code.to_owned(),
                ..ParItemRow::default()
            });
        let differs = row.self_points.is_none_or(|s| (s - points).abs() > 1e-9);
        if differs && comment.is_empty() {
            return Err(AppError::Invalid(
                "cần ghi nhận xét, lý do khi điểm thẩm định khác điểm tự đánh giá".into(),
            ));
        }
        row.appraised_points = Some(points);
        row.appraisal_note = comment;
        row.appraised_by = Some(who_text(who));
        row.appraised_at = Some(civil(self.now()));
        rows.retain(|r| r.item != code);
        rows.push(row.clone());
        let t = totals(tree, &item_points(&rows));
        let expected = Some(card.version);
        let new = with_totals(card, &t, CardState::Submitted);
        let whole = index_of(&new);
        self.store
            .save_par_cards(&[ParCardWrite {
                card: new,
                expected_version: expected,
                items: vec![row],
                evidence: Vec::new(),
            }])
            .await
            .map_err(conflict)?;
        Ok(whole)
    }

    /// The council finishes the appraisal of a submitted card: its points are final.
    pub async fn par_finish(&self, who: &Principal, unit: &str, year: i16) -> Result<Total> {
        Self::par_admin(who, "hoàn tất thẩm định")?;
        let (_, tree, card, rows) = self.par_load(unit, year).await?;
        let card = match card {
            Some(c) if state_of(&c)? == CardState::Submitted => c,
            Some(c) if state_of(&c)? == CardState::Appraised => {
                return Err(AppError::Invalid(format!(
                    "bảng điểm năm {year} đã hoàn tất thẩm định trước đó"
                )));
            }
            _ => {
                return Err(AppError::Invalid(format!(
                    "đơn vị chưa gửi bảng tự đánh giá năm {year}"
                )));
            }
        };
        let t = totals(tree, &item_points(&rows));
        let expected = Some(card.version);
        let mut new = with_totals(card, &t, CardState::Appraised);
        new.appraised_at = Some(civil(self.now()));
        new.appraised_by = Some(who_text(who));
        let whole = index_of(&new);
        self.store
            .save_par_cards(&[ParCardWrite {
                card: new,
                expected_version: expected,
                items: Vec::new(),
                evidence: Vec::new(),
            }])
            .await
            .map_err(conflict)?;
        Ok(whole)
    }

    /// Imports the survey results of a year (see [`survey::parse`]): each line's unit by its
    /// agency code or id, points up to the survey weight of that unit's tree. A line that
    /// cannot be used refuses the whole file, naming the line; nothing is imported then.
    pub async fn par_import_survey(
        &self,
        who: &Principal,
        year: i16,
        text: &str,
    ) -> Result<SurveyImport> {
        Self::par_admin(who, "nhập kết quả điều tra xã hội học")?;
        let catalog = par_catalog()?;
        if !catalog.years().contains(&year) {
            return Err(AppError::NotFound(format!("bộ chỉ số CCHC năm {year}")));
        }
        let invalid = |e: SurveyError| AppError::Invalid(e.to_string());
        let lines = survey::parse(text).map_err(invalid)?;
        let units = self.units()?;
        let by_code: HashMap<&str, &Unit> = units
            .units()
            .iter()
            .filter(|u| ParKind::of(u.kind).is_some())
            .map(|u| (u.agency_code.as_str(), u))
            .collect();
        let existing: HashMap<String, ParCardRow> = self
            .store
            .par_cards(&[i64::from(year)])
            .await?
            .into_iter()
            .map(|c| (c.unit.clone(), c))
            .collect();
        let now = civil(self.now());
        let by = who_text(who);
        let mut writes = Vec::with_capacity(lines.len());
        let mut seen = HashSet::new();
        let mut opened = 0;
        for l in &lines {
            let line_err = |message: String| {
                AppError::Invalid(
                    SurveyError::Line {
                        line: l.line,
                        message,
                    }
                    .to_string(),
                )
            };
            let u = units
                .get(&l.unit)
                .or_else(|| by_code.get(l.unit.as_str()).copied())
                .ok_or_else(|| line_err(format!("không tìm thấy đơn vị «{}»", l.unit)))?;
            let id = u.id.as_str();
            if !seen.insert(id.to_owned()) {
                return Err(line_err(format!("{} có ở hai dòng", u.full_name)));
            }
            let (_, kind, tree) = self
                .par_target(id, year)
                .map_err(|e| line_err(e.to_string()))?;
            let card = existing.get(id);
            let tree = match card {
                Some(c) => self
                    .tree_of(Some(c), year, kind)
                    .map_err(|e| line_err(e.to_string()))?,
                None => tree,
            };
            survey::check_max(l, tree.survey.points).map_err(invalid)?;
            let mut new = match card {
                Some(c) => c.clone(),
                None => {
                    opened += 1;
                    Self::new_card(id, year, kind, tree)
                }
            };
            new.survey_points = Some(l.points);
            new.survey_at = Some(now.clone());
            new.survey_by = Some(by.clone());
            writes.push(ParCardWrite {
                expected_version: card.map(|c| c.version),
                card: new,
                items: Vec::new(),
                evidence: Vec::new(),
            });
        }
        self.store.save_par_cards(&writes).await.map_err(conflict)?;
        Ok(SurveyImport {
            year,
            lines: lines.len(),
            opened,
        })
    }

    /// One evidence file with its bytes, for whoever may see the unit.
    pub async fn par_evidence(
        &self,
        who: &Principal,
        unit: &str,
        year: i16,
        id: &str,
    ) -> Result<(ParEvidenceInfo, Vec<u8>)> {
        self.may_see_unit(who, unit)?;
        self.store
            .par_evidence(unit, i64::from(year), id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("tài liệu kiểm chứng {id}")))
    }
}

/// A scorecard written whole by the demo (see `demo_par`): its items and state.
#[derive(Debug, Clone)]
pub(crate) struct SeedCard {
    pub unit: String,
    pub year: i16,
    pub state: CardState,
    pub items: Vec<ParItemRow>,
    pub submitted: Option<(String, String)>,
    pub appraised: Option<(String, String)>,
    pub evidence: Vec<ParNewEvidence>,
}

impl App {
    /// Writes whole new scorecards in one transaction, each checked as the use cases check
    /// them (unit and year, items of the tree, points within their maximum) and totalled by
    /// the domain. For the demo: the use cases write one item at a time.
    pub(crate) async fn par_seed(&self, cards: Vec<SeedCard>) -> Result<usize> {
        let mut writes = Vec::with_capacity(cards.len());
        for c in cards {
            let (_, kind, tree) = self.par_target(&c.unit, c.year)?;
            for r in &c.items {
                let item = Self::scored_item(tree, &r.item)?;
                for p in [r.self_points, r.appraised_points].into_iter().flatten() {
                    check_points(item, p).map_err(|e| AppError::Invalid(e.to_string()))?;
                }
            }
            let t = totals(tree, &item_points(&c.items));
            let mut card = with_totals(Self::new_card(&c.unit, c.year, kind, tree), &t, c.state);
            card.submitted_at = c.submitted.as_ref().map(|s| s.0.clone());
            card.submitted_by = c.submitted.map(|s| s.1);
            card.appraised_at = c.appraised.as_ref().map(|s| s.0.clone());
            card.appraised_by = c.appraised.map(|s| s.1);
            writes.push(ParCardWrite {
                card,
                expected_version: None,
                items: c.items,
                evidence: c.evidence,
            });
        }
        let n = writes.len();
        self.store.save_par_cards(&writes).await.map_err(conflict)?;
        Ok(n)
    }
}

/// A scorecard changed by someone else meanwhile: the page is reloaded.
fn conflict(e: cchc_store::StoreError) -> AppError {
    match e {
        cchc_store::StoreError::Conflict(key) => {
            AppError::Conflict(format!("bảng điểm {key} vừa được người khác cập nhật"))
        }
        other => other.into(),
    }
}
