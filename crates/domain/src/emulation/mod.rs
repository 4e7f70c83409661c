//! The emulation movement (phong trào thi đua): reward criteria as versioned data
//! (`data/emulation/*.toml`), their evaluation for units (tập thể) and staff (cá nhân) with the
//! evidence behind every verdict, the reward form each eligible subject is proposed for, and the
//! reform office's adjustments (kept with their reasons).
//!
//! Evaluation is pure: the app gathers each subject's year (tasks, reports, PAR standing,
//! dossiers, ratings, initiatives, discipline) into the input types of [`evaluate`] and this
//! module decides.

mod criteria;
mod evaluate;
#[cfg(test)]
mod tests;

pub use criteria::{
    CriteriaError, CriteriaSet, Criterion, IssuerLevel, RewardForm, Rule, SubjectKind, embedded,
};
pub use evaluate::{
    Adjustment, CollectiveInput, CriterionResult, Discipline, DossierRecord, Duty, DutyOutcome,
    Evidence, EvidenceRef, IndividualInput, Initiative, LateDossier, LateKind, ParStanding,
    StaffRating, SubjectResult, Verdict, apply_adjustments, evaluate_collective,
    evaluate_individual, late_in_year, overall,
};
