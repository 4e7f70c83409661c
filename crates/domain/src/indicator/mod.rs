//! Indicators (chỉ số) computed from dossier data: Decision 766's set and the plans' own
//! targets.
//!
//! - [`measure`]: the additive counts kept in rollups per unit, procedure and day.
//! - [`facts`]: how one dossier counts (the one place), and the rollup changes an event brings.
//! - [`definition`]: indicator sets as versioned data, with formulas over measures.
//! - [`score`]: values, points, totals, rankings and forecasts, each explainable.
//! - [`period`]: months, quarters, years and custom ranges.
//! - [`targets`]: the plans' quantified targets as data.

pub mod definition;
pub mod facts;
pub mod measure;
pub mod period;
pub mod score;
pub mod targets;

pub use definition::{
    DefinitionError, Direction, Expr, Formula, IndicatorCatalog, IndicatorSet, Term, ValueUnit,
};
pub use facts::{DossierFacts, EndKind, FinishVerdict, ProcedureTraits, RollupDelta};
pub use measure::{MEASURE_COUNT, Measure, Measures};
pub use period::{Period, PeriodError, PeriodKind};
pub use score::{
    Forecast, IndicatorResult, RankRow, ResultState, Scorecard, decimal, evaluate, forecast,
    points_for, rank, scorecard,
};

/// A period's measures computed straight from facts, one dossier at a time: flows counted on
/// days inside the period, stocks judged at its last day. The rollups must always agree with
/// this (tests check it); the independence check in the CLI tests does the same from an export.
pub fn measures_from_facts<'a>(
    facts: impl IntoIterator<Item = &'a DossierFacts>,
    period: &Period,
) -> Measures {
    let mut out = Measures::default();
    for f in facts {
        for (day, m) in f.contributions() {
            if period.contains(day) {
                out += m.flows();
            }
        }
        if f.open_at(period.last) {
            out.add(Measure::OpenAtEnd, 1);
            if f.late_open_at(period.last) {
                out.add(Measure::LateOpenAtEnd, 1);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
