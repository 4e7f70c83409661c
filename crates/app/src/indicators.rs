//! Indicator use cases: each dossier's facts kept with its events, scorecards per unit and
//! period from the rollups, rankings, trends, the dossiers behind a number, manual values with
//! evidence, period close and verification, and the full rebuild.
//!
//! Who sees what: administrators everything; officers and leaders their unit's subtree;
//! the public only closed (published) periods, through [`App::published_indicators`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cchc_domain::dossier::Dossier;
use cchc_domain::indicator::{
    DossierFacts, IndicatorCatalog, IndicatorSet, Measure, Measures, Period, ProcedureTraits,
    RankRow, RollupDelta, Scorecard, measures_from_facts, rank, scorecard,
};
use cchc_domain::procedure::OnlineKind;
use cchc_domain::unit::{Unit, UnitKind, UnitTree};
use cchc_store::{ClosedPeriodRow, NewEntry, Projected, UnitMeasures};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{App, AppError, Principal, Result, Role, civil};

/// Dossiers needed for a unit to be ranked (Quy tắc số lượng tối thiểu).
pub const MIN_RANK_VOLUME: i64 = 30;

/// A unit's scorecard for a period.
#[derive(Debug, Clone, Serialize)]
pub struct UnitScorecard {
    pub unit_id: String,
    pub unit_name: String,
    /// Tên đầy đủ: "Thành phố Kon Tum" where the short name is "Kon Tum".
    pub unit_full_name: String,
    pub period: Period,
    pub period_label: String,
    pub card: Scorecard,
    /// Dossiers received in the period (the volume rule reads it).
    pub received: i64,
    /// Units whose dossiers count here (the subtree, and predecessors for merged units).
    pub member_units: usize,
    /// Set when the period is closed: the figures shown are the frozen ones.
    pub closed: Option<ClosedInfo>,
    /// The same period a year earlier: total score, if any.
    pub year_before_score: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClosedInfo {
    pub closed_at: String,
    pub closed_by: String,
    pub set_version: String,
    pub data_fingerprint: String,
}

/// One row of a ranking table.
#[derive(Debug, Clone, Serialize)]
pub struct RankingRow {
    pub unit_id: String,
    pub unit_name: String,
    pub row: RankRow,
    pub year_before_score: Option<f64>,
    pub year_before_rank: Option<u32>,
    /// Places gained since a year earlier (positive = up).
    pub rank_change: Option<i64>,
    /// "Năm sau cao hơn năm trước": the score rose against a year earlier.
    pub higher_than_year_before: Option<bool>,
}

/// A unit in the published table of a closed period.
#[derive(Debug, Clone, Serialize)]
pub struct PublishedRow {
    pub unit_name: String,
    pub row: RankRow,
    /// The values of the codes asked for, in order (fractions for percents).
    pub values: Vec<Option<f64>>,
}

/// A ranking of units of one kind.
#[derive(Debug, Clone, Serialize)]
pub struct Ranking {
    pub period: Period,
    pub period_label: String,
    pub kind: Option<UnitKind>,
    /// Ranked by one indicator's value instead of the total.
    pub indicator: Option<String>,
    pub min_volume: i64,
    pub rows: Vec<RankingRow>,
}

/// The part of a number to list dossiers for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Numerator,
    Denominator,
}

/// One dossier behind a number, and how much it adds.
#[derive(Debug, Clone, Serialize)]
pub struct DrillRow {
    pub facts: DossierFacts,
    pub contributes: i64,
}

/// The dossiers behind one term of one indicator.
#[derive(Debug, Clone, Serialize)]
pub struct Drill {
    pub unit_id: String,
    pub unit_name: String,
    pub period: Period,
    pub indicator: String,
    pub indicator_name: String,
    pub part: Part,
    /// The number as the scorecard shows it.
    pub total: i64,
    /// The same number summed from the dossiers listed (all of them, not only the first page).
    pub counted: i64,
    pub rows: Vec<DrillRow>,
    /// How many dossiers contribute (`rows` holds the first `limit` of them).
    pub matched: usize,
    pub truncated: bool,
}

/// Result of a rebuild.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RebuildReport {
    pub dossiers: u64,
    pub facts_changed: u64,
    pub rollup_rows: u64,
    /// Rows of the daily rollup that differed from the rebuilt ones before the rebuild.
    pub rows_differing: u64,
}

/// Result of verifying a closed period.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub period: String,
    pub closed: ClosedInfo,
    pub units: usize,
    /// Units whose recomputed figures differ from the frozen ones, with the first difference.
    pub differences: Vec<(String, String)>,
    pub fingerprint_now: String,
}

/// What a closed period freezes per unit.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct FrozenUnit {
    measures: Vec<i64>,
    received: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Frozen {
    period: String,
    set_version: String,
    entries: BTreeMap<String, f64>,
    units: BTreeMap<String, FrozenUnit>,
}

fn month_key(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

fn add_into(target: &mut UnitMeasures, from: UnitMeasures, stock_only: bool, flow_only: bool) {
    for (unit, m) in from {
        let mut part = m;
        if flow_only {
            part = m.flows();
        }
        if stock_only {
            part = m;
            part -= m.flows();
        }
        *target.entry(unit).or_default() += part;
    }
}

impl App {
    /// The indicator definitions (all versions).
    pub fn indicator_catalog(&self) -> &IndicatorCatalog {
        &self.indicators
    }

    /// The definitions in force for a period (by its first day).
    pub fn indicator_set(&self, period: &Period) -> &IndicatorSet {
        self.indicators.in_force(period.first)
    }

    /// Whether a data source an indicator needs is connected here: the national portal sync
    /// (indicator 1.4) only when a portal endpoint is configured, so an unconnected
    /// installation reports "not connected" instead of a share of nothing.
    pub fn source_connected(&self, source: &str) -> bool {
        match source {
            "national_sync" => self.portal_connected(),
            _ => true,
        }
    }

    /// What the catalogue says about a procedure, as the indicators need it (a procedure no
    /// longer in the catalogue counts as fee-free and not online).
    async fn procedure_traits(&self, code: &str) -> Result<ProcedureTraits> {
        Ok(
            match self.procedure_cached(code).await?.as_ref().map(|p| &p.row) {
                // The row's columns mirror the record (written from it by the catalogue).
                Some(row) => ProcedureTraits {
                    fee_bearing: row.fee_bearing,
                    fully_online: row.online_kind == format!("{:?}", OnlineKind::FullyOnline),
                },
                None => ProcedureTraits::default(),
            },
        )
    }

    /// A dossier's facts as the indicators count them.
    pub(crate) async fn facts_of(&self, d: &Dossier) -> Result<DossierFacts> {
        self.projection(d)
            .await?
            .facts
            .ok_or_else(|| AppError::Internal("projection without facts".into()))
    }

    /// The projection of a dossier's row with its indicator facts, the due date computed once.
    pub(crate) async fn projection(&self, d: &Dossier) -> Result<Projected> {
        let (mut p, due) = self.projected_with_due(d)?;
        let traits = self.procedure_traits(&d.procedure_code).await?;
        let clock = match &due {
            Some((_, clock)) => std::sync::Arc::clone(clock),
            None => self.clock_for(&self.unit(&d.receiving_unit)?)?,
        };
        p.facts = Some(DossierFacts::derive(
            d,
            due.as_ref().map(|(due, _)| due),
            &clock,
            traits,
            false,
        ));
        Ok(p)
    }

    /// The day at whose end open dossiers are judged for `period`: its last day, or today for
    /// a period not over yet (a due date later this month is not late today).
    pub fn judged_on(&self, period: &Period) -> Date {
        period.last.min(self.now().date()).max(period.first)
    }

    /// The units whose dossiers count toward `unit` in `period`: its subtree, and for a unit
    /// that replaced others (a merger), theirs.
    pub fn member_units(&self, unit: &str, period: &Period) -> Result<BTreeSet<String>> {
        let tree = self.units()?;
        Ok(members(&tree, unit, period))
    }

    /// Raw measures of every unit (each unit alone, not its subtree) for a period, from the
    /// rollups: whole months from the monthly rows, partial months from the daily rows, stocks
    /// summed up to the period's last day.
    pub async fn measures_by_unit(&self, period: &Period) -> Result<UnitMeasures> {
        let months = period.months();
        let whole =
            |m: &Period| m.first == m.first.first_of_month() && m.last == m.last.last_of_month();
        let full: Vec<&Period> = months.iter().filter(|m| whole(m)).collect();
        let last = self.judged_on(period);
        // The reads are independent: they run at once, each on its own reader connection.
        let flows = async {
            let mut got = Vec::new();
            if let (Some(a), Some(b)) = (full.first(), full.last()) {
                got.push(
                    self.store
                        .month_flows(&month_key(a.first), &month_key(b.first))
                        .await?,
                );
            }
            for part in months.iter().filter(|m| !whole(m)) {
                got.push(self.store.day_measures(part.first, part.last).await?);
            }
            Ok::<_, AppError>(got)
        };
        let stocks = async {
            if last == last.last_of_month() {
                return Ok::<_, AppError>(vec![self.store.month_stocks(&month_key(last)).await?]);
            }
            let before = last
                .first_of_month()
                .yesterday()
                .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(vec![
                self.store.month_stocks(&month_key(before)).await?,
                self.store.day_measures(last.first_of_month(), last).await?,
            ])
        };
        let pakn = self.pakn_measures_by_unit(None, period.first, last);
        let (flows, stocks, pakn) = tokio::try_join!(flows, stocks, pakn)?;
        let mut out = UnitMeasures::new();
        for f in flows {
            add_into(&mut out, f, false, true);
        }
        for s in stocks {
            add_into(&mut out, s, true, false);
        }
        // Feedback (PAKN) is counted from its own records, judged as the dossiers are.
        for (unit, p) in pakn {
            let m = out.entry(unit).or_default();
            for (measure, value) in [
                (Measure::PaknReceived, p.received),
                (Measure::PaknDue, p.due_in_period),
                (Measure::PaknOnTime, p.answered_on_time),
                (Measure::PaknLate, p.answered_late + p.overdue_open),
                (Measure::PaknPublishable, p.publishable),
                (Measure::PaknPublished, p.publishable_published),
                (Measure::PaknRated, p.rated),
                (Measure::PaknRatingSum, p.rating_sum),
                (Measure::PaknSatisfied, p.rated_satisfied),
            ] {
                m.add(measure, value);
            }
        }
        Ok(out)
    }

    /// Manual values in force for a period: code → unit → value (the latest entry).
    async fn entered(&self, period: &Period) -> Result<HashMap<(String, String), f64>> {
        let mut out = HashMap::new();
        for e in self.store.entries(&period.to_string()).await? {
            out.insert((e.code, e.unit), e.value);
        }
        Ok(out)
    }

    fn card_for(
        &self,
        set: &IndicatorSet,
        unit: &str,
        raw: &UnitMeasures,
        members: &BTreeSet<String>,
        entered: &HashMap<(String, String), f64>,
    ) -> (Scorecard, i64) {
        let mut m = Measures::default();
        for u in members {
            if let Some(x) = raw.get(u) {
                m += *x;
            }
        }
        let mine: HashMap<String, f64> = entered
            .iter()
            .filter(|((_, u), _)| u == unit)
            .map(|((c, _), v)| (c.clone(), *v))
            .collect();
        let connected = |s: &str| self.source_connected(s);
        (scorecard(set, &m, &mine, &connected), m[Measure::Received])
    }

    /// Staff see their unit's subtree; administrators everything.
    pub fn may_see_unit(&self, who: &Principal, unit: &str) -> Result<()> {
        match who.role {
            Role::Admin => Ok(()),
            Role::Officer | Role::Leader => {
                let mine = who.unit_id.as_deref().ok_or_else(|| {
                    AppError::Forbidden("tài khoản không thuộc đơn vị nào".into())
                })?;
                if self.units()?.is_within(unit, mine) {
                    Ok(())
                } else {
                    Err(AppError::Forbidden(
                        "chỉ xem được chỉ số của đơn vị mình và đơn vị trực thuộc".into(),
                    ))
                }
            }
            Role::Citizen => Err(AppError::Forbidden(
                "công dân xem chỉ số đã công bố tại trang công khai".into(),
            )),
        }
    }

    /// A unit's scorecard for a period: the frozen figures if the period is closed, computed
    /// from the rollups otherwise.
    pub async fn unit_scorecard(
        &self,
        who: &Principal,
        unit: &str,
        period: &Period,
    ) -> Result<UnitScorecard> {
        self.may_see_unit(who, unit)?;
        self.scorecard_of(unit, period, true).await
    }

    pub(crate) async fn scorecard_of(
        &self,
        unit: &str,
        period: &Period,
        with_year_before: bool,
    ) -> Result<UnitScorecard> {
        let tree = self.units()?;
        let u = tree
            .get(unit)
            .ok_or_else(|| AppError::NotFound(format!("đơn vị {unit}")))?;
        let members = members(&tree, unit, period);
        let year_before = period.year_before().filter(|_| with_year_before);
        let before = async {
            match &year_before {
                Some(p) => self.figures(p).await.map(Some),
                None => Ok(None),
            }
        };
        let ((set, raw, entered, closed), before) = tokio::try_join!(self.figures(period), before)?;
        let (card, received) = self.card_for(set, unit, &raw, &members, &entered);
        let year_before_score = match (year_before, before) {
            (Some(p), Some((set_b, raw_b, entered_b, _))) => {
                let members_b = self::members(&tree, unit, &p);
                self.card_for(set_b, unit, &raw_b, &members_b, &entered_b)
                    .0
                    .score
            }
            _ => None,
        };
        Ok(UnitScorecard {
            unit_id: u.id.to_string(),
            unit_name: u.name.clone(),
            unit_full_name: u.full_name.clone(),
            period: *period,
            period_label: period.label(),
            card,
            received,
            member_units: members.len(),
            closed,
            year_before_score,
        })
    }

    /// The definitions, raw per-unit measures, manual values and closing of a period: frozen
    /// ones for a closed period, live ones otherwise.
    async fn figures(
        &self,
        period: &Period,
    ) -> Result<(
        &IndicatorSet,
        UnitMeasures,
        HashMap<(String, String), f64>,
        Option<ClosedInfo>,
    )> {
        if period.first.year() < 2000 || period.last.year() > 2100 {
            return Err(AppError::Invalid(format!(
                "kỳ {} nằm ngoài phạm vi dữ liệu (2000-2100)",
                period.label()
            )));
        }
        if let Some(row) = self.store.closed_period(&period.to_string()).await? {
            let frozen: Frozen = serde_json::from_str(&row.results)
                .map_err(|e| AppError::Internal(format!("closed period {}: {e}", row.period)))?;
            let set = self
                .indicators
                .version(&frozen.set_version)
                .ok_or_else(|| {
                    AppError::Internal(format!(
                        "closed period {} uses definitions {} which are not loaded",
                        row.period, frozen.set_version
                    ))
                })?;
            let raw = frozen
                .units
                .iter()
                .map(|(u, f)| (u.clone(), measures_of(&f.measures)))
                .collect();
            let entered = frozen
                .entries
                .iter()
                .filter_map(|(k, v)| {
                    k.split_once('|')
                        .map(|(c, u)| ((c.to_owned(), u.to_owned()), *v))
                })
                .collect();
            let info = ClosedInfo {
                closed_at: row.closed_at,
                closed_by: row.closed_by,
                set_version: row.set_version,
                data_fingerprint: row.data_fingerprint,
            };
            return Ok((set, raw, entered, Some(info)));
        }
        let set = self.indicator_set(period);
        let (raw, entered) = tokio::try_join!(self.measures_by_unit(period), self.entered(period))?;
        Ok((set, raw, entered, None))
    }

    /// Units of a kind (or all units with dossiers) ranked by total score or one indicator,
    /// with the year-before rank and the "higher than last year" rule.
    pub async fn ranking(
        &self,
        period: &Period,
        kind: Option<UnitKind>,
        indicator: Option<&str>,
        min_volume: i64,
    ) -> Result<Ranking> {
        if let Some(code) = indicator {
            let def = self
                .indicator_set(period)
                .indicator(code)
                .ok_or_else(|| AppError::NotFound(format!("chỉ số {code}")))?;
            // Units rank by a computed share where more is better; others have no common
            // scale or order (a manual value, time used against the limit).
            if !def.rankable() {
                return Err(AppError::Invalid(format!(
                    "không xếp hạng theo chỉ số {code}: chỉ xếp hạng theo tỷ lệ tính từ dữ liệu, càng cao càng tốt"
                )));
            }
        }
        let year_before = period.year_before();
        let before = async {
            match &year_before {
                Some(p) => self
                    .rank_rows(p, kind, indicator, min_volume)
                    .await
                    .map(Some),
                None => Ok(None),
            }
        };
        let (now, before) =
            tokio::try_join!(self.rank_rows(period, kind, indicator, min_volume), before)?;
        let tree = self.units()?;
        let rows = now
            .into_iter()
            .map(|row| {
                let prev = before
                    .as_ref()
                    .and_then(|b| b.iter().find(|r| r.unit == row.unit));
                let year_before_score = prev.and_then(|p| p.score);
                let year_before_rank = prev.and_then(|p| p.rank);
                RankingRow {
                    unit_name: tree
                        .get(&row.unit)
                        .map(|u| u.name.clone())
                        .unwrap_or_else(|| row.unit.clone()),
                    unit_id: row.unit.clone(),
                    rank_change: match (row.rank, year_before_rank) {
                        (Some(a), Some(b)) => Some(i64::from(b) - i64::from(a)),
                        _ => None,
                    },
                    higher_than_year_before: match (row.score, year_before_score) {
                        (Some(a), Some(b)) => Some(a > b),
                        _ => None,
                    },
                    year_before_score,
                    year_before_rank,
                    row,
                }
            })
            .collect();
        Ok(Ranking {
            period: *period,
            period_label: period.label(),
            kind,
            indicator: indicator.map(str::to_owned),
            min_volume,
            rows,
        })
    }

    /// The published table of a closed period (public): each unit of a kind with its frozen
    /// score, rank and the values of `codes`; one scorecard per unit. A period not closed is
    /// not published (NotFound).
    pub async fn published_table(
        &self,
        period: &Period,
        kind: Option<UnitKind>,
        codes: &[&str],
        min_volume: i64,
    ) -> Result<Vec<PublishedRow>> {
        let (set, raw, entered, closed) = self.figures(period).await?;
        if closed.is_none() {
            return Err(AppError::NotFound(format!(
                "số liệu đã công bố của {}",
                period.label()
            )));
        }
        let tree = self.units()?;
        let mut cards = Vec::new();
        for u in self.rank_candidates(&tree, &raw, period, kind) {
            let members = members(&tree, u.id.as_str(), period);
            let (card, received) = self.card_for(set, u.id.as_str(), &raw, &members, &entered);
            if received > 0 || card.score.is_some() {
                cards.push((u, card, received));
            }
        }
        let entries: Vec<(String, Option<f64>, i64)> = cards
            .iter()
            .map(|(u, c, r)| (u.id.to_string(), c.score, *r))
            .collect();
        let ranked = rank(&entries, min_volume);
        Ok(ranked
            .into_iter()
            .filter_map(|row| {
                let (u, card, _) = cards.iter().find(|(u, _, _)| u.id.as_str() == row.unit)?;
                Some(PublishedRow {
                    unit_name: u.full_name.clone(),
                    values: codes
                        .iter()
                        .map(|c| card.result(c).and_then(|r| r.value))
                        .collect(),
                    row,
                })
            })
            .collect())
    }

    fn rank_candidates<'t>(
        &self,
        tree: &'t UnitTree,
        raw: &UnitMeasures,
        period: &Period,
        kind: Option<UnitKind>,
    ) -> Vec<&'t Unit> {
        match kind {
            Some(k) => tree
                .units()
                .iter()
                .filter(|u| u.kind == k && u.exists_during(period.first, period.last))
                .collect(),
            None => tree
                .units()
                .iter()
                .filter(|u| raw.contains_key(u.id.as_str()))
                .collect(),
        }
    }

    async fn rank_rows(
        &self,
        period: &Period,
        kind: Option<UnitKind>,
        indicator: Option<&str>,
        min_volume: i64,
    ) -> Result<Vec<RankRow>> {
        let tree = self.units()?;
        let (set, raw, entered, _) = self.figures(period).await?;
        let candidates = self.rank_candidates(&tree, &raw, period, kind);
        let mut entries = Vec::with_capacity(candidates.len());
        for u in candidates {
            let members = members(&tree, u.id.as_str(), period);
            let (card, received) = self.card_for(set, u.id.as_str(), &raw, &members, &entered);
            let score = match indicator {
                Some(code) => card.result(code).and_then(|r| r.value).map(|v| v * 100.0),
                None => card.score,
            };
            if received > 0 || score.is_some() {
                entries.push((u.id.to_string(), score, received));
            }
        }
        Ok(rank(&entries, min_volume))
    }

    /// A unit's scorecards month by month over `[from, to]` (trend charts), from one read of
    /// the monthly rollups.
    pub async fn monthly_trend(
        &self,
        who: &Principal,
        unit: &str,
        from: Date,
        to: Date,
    ) -> Result<Vec<(Period, Scorecard)>> {
        self.may_see_unit(who, unit)?;
        self.trend_of(unit, from, to).await
    }

    pub(crate) async fn trend_of(
        &self,
        unit: &str,
        from: Date,
        to: Date,
    ) -> Result<Vec<(Period, Scorecard)>> {
        let tree = self.units()?;
        let first = from.first_of_month();
        let range = Period::custom(first, to.last_of_month())
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        let members = members(&tree, unit, &range);
        let before = first
            .yesterday()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let mut stock = Measures::default();
        for (u, m) in self.store.month_stocks(&month_key(before)).await? {
            if members.contains(&u) {
                let mut s = m;
                s -= m.flows();
                stock += s;
            }
        }
        let mut by_month: BTreeMap<String, Measures> = BTreeMap::new();
        for (u, month, m) in self
            .store
            .monthly_series(&month_key(first), &month_key(to))
            .await?
        {
            if members.contains(&u) {
                *by_month.entry(month).or_default() += m;
            }
        }
        let mut out = Vec::new();
        for month in range.months() {
            let key = month_key(month.first);
            let m = by_month.get(&key).copied().unwrap_or_default();
            let mut s = m;
            s -= m.flows();
            stock += s;
            let mut total = m.flows();
            total += stock;
            let set = self.indicator_set(&month);
            let connected = |s: &str| self.source_connected(s);
            out.push((month, scorecard(set, &total, &HashMap::new(), &connected)));
        }
        Ok(out)
    }

    /// The dossiers behind one indicator's numerator or denominator for a unit and period.
    pub async fn drill(
        &self,
        who: &Principal,
        unit: &str,
        period: &Period,
        indicator: &str,
        part: Part,
        limit: usize,
    ) -> Result<Drill> {
        self.may_see_unit(who, unit)?;
        let card = self.scorecard_of(unit, period, false).await?;
        let set = self.indicator_set(period);
        let def = set
            .indicator(indicator)
            .ok_or_else(|| AppError::NotFound(format!("chỉ số {indicator}")))?;
        let expr = match (&def.formula, part) {
            (cchc_domain::indicator::Formula::Ratio { numerator, .. }, Part::Numerator)
            | (cchc_domain::indicator::Formula::Average { numerator, .. }, Part::Numerator) => {
                numerator
            }
            (cchc_domain::indicator::Formula::Ratio { denominator, .. }, Part::Denominator)
            | (cchc_domain::indicator::Formula::Average { denominator, .. }, Part::Denominator) => {
                denominator
            }
            (cchc_domain::indicator::Formula::Manual, _) => {
                return Err(AppError::Invalid(
                    "chỉ số nhập tay không có danh sách hồ sơ".into(),
                ));
            }
        };
        if expr.measures().any(|m| Measure::PAKN.contains(&m)) {
            // Counted from feedback records, not dossiers: the items are on the PAKN board.
            return Err(AppError::Invalid(
                "chỉ số này tính từ phản ánh, kiến nghị: xem danh sách tại trang Phản ánh, kiến nghị (/phan-anh/quan-ly)"
                    .into(),
            ));
        }
        let result = card.card.result(indicator);
        let total = match (result, part) {
            (Some(r), Part::Numerator) => r.numerator,
            (Some(r), Part::Denominator) => r.denominator,
            _ => 0,
        };
        let units: Vec<String> = self.member_units(unit, period)?.into_iter().collect();
        let facts = self
            .store
            .facts_in(&units, period.first, period.last, 2_000_000)
            .await?;
        // Judged as the scorecard judges (nothing happens after today, so flows are the same).
        let judged = Period::custom(period.first, self.judged_on(period))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let mut rows = Vec::new();
        let mut counted = 0;
        let mut matched = 0usize;
        for f in facts {
            let m = measures_from_facts(std::iter::once(&f), &judged);
            let (v, _) = expr.eval(&m);
            if v != 0 {
                counted += v;
                matched += 1;
                if rows.len() < limit {
                    rows.push(DrillRow {
                        facts: f,
                        contributes: v,
                    });
                }
            }
        }
        Ok(Drill {
            unit_id: unit.to_owned(),
            unit_name: card.unit_name,
            period: *period,
            indicator: indicator.to_owned(),
            indicator_name: def.name.clone(),
            part,
            total,
            counted,
            truncated: matched > rows.len(),
            matched,
            rows,
        })
    }

    /// Records a value no dossier data measures (a manual indicator, or a target without an
    /// indicator) with its evidence document. Administrators only; a closed period refuses.
    #[allow(clippy::too_many_arguments)]
    pub async fn enter_value(
        &self,
        who: &Principal,
        code: &str,
        unit: &str,
        period: &Period,
        value: f64,
        note: &str,
        evidence: crate::files::Upload,
    ) -> Result<()> {
        if who.role != Role::Admin {
            return Err(AppError::Forbidden(
                "chỉ quản trị CCHC được nhập số liệu chỉ số".into(),
            ));
        }
        if !self.units()?.contains(unit) {
            return Err(AppError::NotFound(format!("đơn vị {unit}")));
        }
        if !self.is_manual_code(code) {
            return Err(AppError::Invalid(format!(
                "{code} không phải chỉ số hay chỉ tiêu nhập tay"
            )));
        }
        if note.chars().count() > 2_000 {
            return Err(AppError::Invalid("ghi chú dài quá 2.000 ký tự".into()));
        }
        if !value.is_finite() || value < 0.0 {
            return Err(AppError::Invalid("giá trị phải là số không âm".into()));
        }
        if self.is_percent_code(code) && value > 1.0 {
            return Err(AppError::Invalid("tỷ lệ phải từ 0 đến 100%".into()));
        }
        if self
            .store
            .closed_period(&period.to_string())
            .await?
            .is_some()
        {
            return Err(AppError::Invalid(format!(
                "kỳ {} đã chốt số liệu, không nhập thêm được",
                period.label()
            )));
        }
        let mut files = crate::files::prepare(vec![evidence])?;
        let file = files
            .pop()
            .ok_or_else(|| AppError::Invalid("cần tệp minh chứng".into()))?;
        self.store
            .add_entry(&NewEntry {
                id: crate::random_hex(8)?,
                code: code.to_owned(),
                unit: unit.to_owned(),
                period: period.to_string(),
                value,
                note: note.trim().to_owned(),
                evidence_name: file.file_name,
                evidence_type: file.content_type,
                evidence_sha256: file.sha256,
                evidence: file.content,
                entered_by: format!("{} ({})", who.display_name, who.username),
                entered_at: civil(self.now()),
            })
            .await?;
        Ok(())
    }

    fn is_manual_code(&self, code: &str) -> bool {
        self.indicators.sets.iter().any(|s| {
            s.indicator(code)
                .is_some_and(|d| matches!(d.formula, cchc_domain::indicator::Formula::Manual))
        }) || self.target_without_indicator(code)
    }

    fn is_percent_code(&self, code: &str) -> bool {
        self.indicators.sets.iter().any(|s| {
            s.indicator(code)
                .is_some_and(|d| d.unit == cchc_domain::indicator::ValueUnit::Percent)
        }) || self.target_is_percent(code)
    }

    /// Closes a period (chốt số liệu): freezes every unit's measures, the manual values, the
    /// definition version and a fingerprint of the data. Administrators only; once.
    pub async fn close_period(&self, who: &Principal, period: &Period) -> Result<ClosedInfo> {
        if who.role != Role::Admin {
            return Err(AppError::Forbidden(
                "chỉ quản trị CCHC được chốt số liệu".into(),
            ));
        }
        if period.last >= self.now().date() {
            return Err(AppError::Invalid(format!(
                "kỳ {} chưa kết thúc, chưa chốt được",
                period.label()
            )));
        }
        if self
            .store
            .closed_period(&period.to_string())
            .await?
            .is_some()
        {
            return Err(AppError::Invalid(format!(
                "kỳ {} đã được chốt",
                period.label()
            )));
        }
        // Frozen figures are read from the primary: a lagging replica must not be frozen.
        let frozen = self.on_primary().live_frozen(period).await?;
        let set = self.indicator_set(period);
        let text = serde_json::to_string(&frozen).map_err(|e| AppError::Internal(e.to_string()))?;
        let info = ClosedInfo {
            closed_at: civil(self.now()),
            closed_by: format!("{} ({})", who.display_name, who.username),
            set_version: set.version.clone(),
            data_fingerprint: fingerprint(&text),
        };
        self.store
            .close_period(&ClosedPeriodRow {
                period: period.to_string(),
                closed_at: info.closed_at.clone(),
                closed_by: info.closed_by.clone(),
                set_version: info.set_version.clone(),
                set_fingerprint: set.fingerprint.clone(),
                data_fingerprint: info.data_fingerprint.clone(),
                results: text,
            })
            .await?;
        Ok(info)
    }

    async fn live_frozen(&self, period: &Period) -> Result<Frozen> {
        let raw = self.measures_by_unit(period).await?;
        let entered = self.entered(period).await?;
        Ok(Frozen {
            period: period.to_string(),
            set_version: self.indicator_set(period).version.clone(),
            entries: entered
                .into_iter()
                .map(|((c, u), v)| (format!("{c}|{u}"), v))
                .collect(),
            units: raw
                .into_iter()
                .filter(|(_, m)| !m.is_zero())
                .map(|(u, m)| {
                    (
                        u,
                        FrozenUnit {
                            measures: m.0.to_vec(),
                            received: m[Measure::Received],
                        },
                    )
                })
                .collect(),
        })
    }

    /// Recomputes a closed period from the data now and compares it with what was frozen.
    pub async fn verify_period(&self, period: &Period) -> Result<VerifyReport> {
        let row = self
            .store
            .closed_period(&period.to_string())
            .await?
            .ok_or_else(|| AppError::NotFound(format!("kỳ đã chốt {period}")))?;
        let frozen: Frozen = serde_json::from_str(&row.results)
            .map_err(|e| AppError::Internal(format!("closed period {period}: {e}")))?;
        let now = self.live_frozen(period).await?;
        let text = serde_json::to_string(&now).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut differences = Vec::new();
        let units: BTreeSet<&String> = frozen.units.keys().chain(now.units.keys()).collect();
        for u in &units {
            let (a, b) = (frozen.units.get(*u), now.units.get(*u));
            // Compared as measures, not as stored lists: a period frozen before a measure
            // existed has a shorter list, read as zeros.
            let am = a.map(|f| measures_of(&f.measures)).unwrap_or_default();
            let bm = b.map(|f| measures_of(&f.measures)).unwrap_or_default();
            if am != bm {
                let first = Measure::ALL
                    .iter()
                    .find(|m| am[**m] != bm[**m])
                    .map(|m| format!("{}: {} → {}", m.column(), am[*m], bm[*m]))
                    .unwrap_or_default();
                differences.push(((*u).clone(), first));
            }
        }
        if frozen.entries != now.entries {
            differences.push(("(số liệu nhập tay)".into(), "khác với lúc chốt".into()));
        }
        if frozen.set_version != now.set_version {
            differences.push((
                "(bộ chỉ số)".into(),
                format!("{} → {}", frozen.set_version, now.set_version),
            ));
        }
        Ok(VerifyReport {
            period: period.to_string(),
            closed: ClosedInfo {
                closed_at: row.closed_at,
                closed_by: row.closed_by,
                set_version: row.set_version,
                data_fingerprint: row.data_fingerprint,
            },
            units: units.len(),
            differences,
            fingerprint_now: fingerprint(&text),
        })
    }

    /// Closes the `count` complete quarters before `today` that are not closed yet (oldest
    /// first), as the reform office does at each quarter's end; returns the periods closed.
    pub async fn close_past_quarters(
        &self,
        who: &Principal,
        today: Date,
        count: usize,
    ) -> Result<Vec<Period>> {
        let mut quarters = Vec::new();
        let mut q = Period::quarter_of(today);
        while quarters.len() < count {
            let before = q
                .first
                .yesterday()
                .map_err(|e| AppError::Internal(e.to_string()))?;
            q = Period::quarter_of(before);
            quarters.push(q);
        }
        quarters.reverse();
        let mut closed = Vec::new();
        for q in quarters {
            if self.store.closed_period(&q.to_string()).await?.is_none() {
                self.close_period(who, &q).await?;
                closed.push(q);
            }
        }
        Ok(closed)
    }

    /// Closed periods, newest first: (period, closed at, closed by).
    pub async fn closed_periods(&self) -> Result<Vec<(String, String, String)>> {
        Ok(self.store.closed_periods().await?)
    }

    /// Rebuilds the indicators: with `from_events`, every dossier's facts again from its
    /// event log (the truth); then the rollups summed again from the facts, unit by unit. The
    /// result must equal what the events kept; the report says how many rows differed.
    pub async fn rebuild_indicators(&self, from_events: bool) -> Result<RebuildReport> {
        let mut report = RebuildReport::default();
        if from_events {
            let mut after = String::new();
            loop {
                let codes = self.store.dossier_codes_after(&after, 500).await?;
                let Some(last) = codes.last() else { break };
                after = last.clone();
                let mut batch = Vec::with_capacity(codes.len());
                for code in &codes {
                    if let Some((d, _)) = self.store.dossier(code).await? {
                        batch.push((self.facts_of(&d).await?, d.version));
                    }
                }
                report.dossiers += batch.len() as u64;
                report.facts_changed += self.store.replace_facts(&batch).await?;
            }
        }
        let mut rebuilt: Vec<RollupDelta> = Vec::new();
        for unit in self.store.fact_units().await? {
            let facts = self.store.facts_of_unit(&unit).await?;
            if !from_events {
                report.dossiers += facts.len() as u64;
            }
            let mut rows: BTreeMap<(String, Date), Measures> = BTreeMap::new();
            for f in &facts {
                for (day, m) in f.contributions() {
                    *rows.entry((f.procedure.clone(), day)).or_default() += m;
                }
            }
            rebuilt.extend(rows.into_iter().filter(|(_, m)| !m.is_zero()).map(
                |((procedure, day), measures)| RollupDelta {
                    unit: unit.clone(),
                    procedure,
                    day,
                    measures,
                },
            ));
        }
        rebuilt.sort_by(|a, b| {
            (a.unit.as_str(), a.day, a.procedure.as_str()).cmp(&(
                b.unit.as_str(),
                b.day,
                b.procedure.as_str(),
            ))
        });
        report.rollup_rows = rebuilt.len() as u64;
        report.rows_differing = self.store.replace_rollups(&rebuilt).await?;
        Ok(report)
    }

    /// Builds facts for dossiers stored before facts were kept (an older database), so the
    /// rollups cover every dossier. Returns how many were added.
    pub async fn ensure_indicator_facts(&self) -> Result<u64> {
        let (dossiers, facts) = self.store.facts_coverage().await?;
        if dossiers == facts {
            return Ok(0);
        }
        let r = self.rebuild_indicators(true).await?;
        Ok(r.dossiers)
    }
}

fn measures_of(v: &[i64]) -> Measures {
    let mut m = Measures::default();
    for (slot, x) in m.0.iter_mut().zip(v) {
        *slot = *x;
    }
    m
}

fn fingerprint(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The units counted toward `unit` over `period`: its subtree, plus the subtrees of every unit
/// it replaced (transitively): their dossiers before the merger are its history, and those
/// still open at the merger finish under it.
pub(crate) fn members(tree: &UnitTree, unit: &str, period: &Period) -> BTreeSet<String> {
    tree.history_members(unit, period.first, period.last)
}
