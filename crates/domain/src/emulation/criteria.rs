//! Criteria sets: which criteria a collective and an individual must meet, with the rule that
//! evaluates each and its parameters, and the reward forms (Bằng khen, Giấy khen) they lead to.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

use super::evaluate::StaffRating;
use crate::unit::UnitKind;

/// A criteria file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CriteriaError {
    #[error("{file}: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

/// Who is evaluated: a unit (tập thể) or a member of staff (cá nhân).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    Collective,
    Individual,
}

impl SubjectKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Collective => "collective",
            Self::Individual => "individual",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "collective" => Some(Self::Collective),
            "individual" => Some(Self::Individual),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Collective => "Tập thể",
            Self::Individual => "Cá nhân",
        }
    }
}

/// How a criterion is decided from the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// Every task led by the unit with a deadline in the year is done (on time, unless
    /// `late_counts_as_done`).
    AllTasksDone {
        #[serde(default)]
        late_counts_as_done: bool,
    },
    /// Among the first `top_n` of the unit's kind in the PAR ranking, or up at least `rise`
    /// places on the year before.
    ParRank { top_n: u32, rise: u32 },
    /// No dossier of the unit finished late in the year, none late and still open at its end.
    NoLateDossiers,
    /// Every report due in the year came in complete and on time.
    ReportsOnTime,
    /// No discipline in the year: of any staff over reform tasks (collective), of the person
    /// (individual).
    NoDiscipline,
    /// The person's yearly rating is at least `min_rating`.
    StaffRating { min_rating: StaffRating },
    /// The person's unit scored at least `min_percent` % in the PAR index.
    UnitParPercent { min_percent: f64 },
    /// An initiative of the person recognised by the initiative council in the year.
    Initiative,
    /// No dossier the person handled finished late in the year or was late and open at its end.
    NoLateHandled,
}

impl Rule {
    /// The subjects this rule can judge.
    fn applies_to(&self, kind: SubjectKind) -> bool {
        match self {
            Self::AllTasksDone { .. }
            | Self::ParRank { .. }
            | Self::NoLateDossiers
            | Self::ReportsOnTime => kind == SubjectKind::Collective,
            Self::StaffRating { .. }
            | Self::UnitParPercent { .. }
            | Self::Initiative
            | Self::NoLateHandled => kind == SubjectKind::Individual,
            Self::NoDiscipline => true,
        }
    }
}

/// One criterion (tiêu chí) as the plan words it, with its rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    pub id: String,
    pub label: String,
    #[serde(flatten)]
    pub rule: Rule,
}

/// Who signs a form's decisions: the province, or the head of the nominee's own unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssuerLevel {
    Province,
    Unit,
}

/// A reward form (hình thức khen thưởng) and who it is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RewardForm {
    pub id: String,
    /// "Bằng khen của Chủ tịch UBND tỉnh".
    pub label: String,
    /// "Chủ tịch Ủy ban nhân dân tỉnh"; for `issuer_level = unit`, the title to which the unit's
    /// name is appended.
    pub issuer: String,
    pub subject: SubjectKind,
    pub unit_kinds: Vec<UnitKind>,
    pub issuer_level: IssuerLevel,
    #[serde(default)]
    pub valid_to: Option<Date>,
}

impl RewardForm {
    /// Whether this form can go to a subject of this kind from a unit of this kind, on a day.
    pub fn fits(&self, subject: SubjectKind, unit_kind: UnitKind, on: Date) -> bool {
        self.subject == subject
            && self.unit_kinds.contains(&unit_kind)
            && self.valid_to.is_none_or(|to| to >= on)
    }

    /// Who signs, for a nominee of `unit_name`.
    pub fn issuer_for(&self, unit_name: &str) -> String {
        match self.issuer_level {
            IssuerLevel::Province => self.issuer.clone(),
            IssuerLevel::Unit => format!("{} {unit_name}", self.issuer),
        }
    }
}

/// A versioned set of criteria and forms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriteriaSet {
    pub id: String,
    pub version: String,
    pub effective_from: Date,
    pub title: String,
    pub source: String,
    pub collective: Vec<Criterion>,
    pub individual: Vec<Criterion>,
    pub forms: Vec<RewardForm>,
}

impl CriteriaSet {
    /// Reads and checks a criteria file.
    pub fn parse(file: &str, text: &str) -> Result<Self, CriteriaError> {
        let set: Self = toml::from_str(text).map_err(|e| CriteriaError::Syntax {
            file: file.to_owned(),
            message: e.to_string(),
        })?;
        set.check(file)?;
        Ok(set)
    }

    fn check(&self, file: &str) -> Result<(), CriteriaError> {
        let bad = |message: String| CriteriaError::Invalid {
            file: file.to_owned(),
            message,
        };
        if self.collective.is_empty() || self.individual.is_empty() {
            return Err(bad(
                "both collective and individual criteria are needed".into()
            ));
        }
        let mut ids = HashSet::new();
        for (kind, list) in [
            (SubjectKind::Collective, &self.collective),
            (SubjectKind::Individual, &self.individual),
        ] {
            for c in list {
                if !ids.insert(c.id.as_str()) {
                    return Err(bad(format!("criterion id {} is used twice", c.id)));
                }
                if c.label.trim().is_empty() {
                    return Err(bad(format!("criterion {} has no label", c.id)));
                }
                if !c.rule.applies_to(kind) {
                    return Err(bad(format!(
                        "criterion {}: its rule cannot judge a {}",
                        c.id,
                        kind.code()
                    )));
                }
                match &c.rule {
                    Rule::ParRank { top_n: 0, .. } => {
                        return Err(bad(format!("criterion {}: top_n must be at least 1", c.id)));
                    }
                    Rule::UnitParPercent { min_percent }
                        if !(0.0..=100.0).contains(min_percent) =>
                    {
                        return Err(bad(format!(
                            "criterion {}: min_percent must be within 0-100",
                            c.id
                        )));
                    }
                    _ => {}
                }
            }
        }
        let mut form_ids = HashSet::new();
        for f in &self.forms {
            if !form_ids.insert(f.id.as_str()) {
                return Err(bad(format!("form id {} is used twice", f.id)));
            }
            if f.unit_kinds.is_empty() {
                return Err(bad(format!("form {} names no unit kind", f.id)));
            }
        }
        for kind in [SubjectKind::Collective, SubjectKind::Individual] {
            if !self.forms.iter().any(|f| f.subject == kind) {
                return Err(bad(format!("no reward form for a {}", kind.code())));
            }
        }
        Ok(())
    }

    /// The criteria for a kind of subject, in order.
    pub fn criteria(&self, kind: SubjectKind) -> &[Criterion] {
        match kind {
            SubjectKind::Collective => &self.collective,
            SubjectKind::Individual => &self.individual,
        }
    }

    /// The criterion with this id.
    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.collective
            .iter()
            .chain(&self.individual)
            .find(|c| c.id == id)
    }

    /// The first form for a subject of this kind from a unit of this kind, on a day.
    pub fn form_for(
        &self,
        subject: SubjectKind,
        unit_kind: UnitKind,
        on: Date,
    ) -> Option<&RewardForm> {
        self.forms.iter().find(|f| f.fits(subject, unit_kind, on))
    }

    /// The form with this id.
    pub fn form(&self, id: &str) -> Option<&RewardForm> {
        self.forms.iter().find(|f| f.id == id)
    }

    /// "kontum-cchc-2023-2030@2023.1".
    pub fn key(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }
}

/// The criteria sets shipped with the binary.
pub fn embedded() -> Result<Vec<CriteriaSet>, CriteriaError> {
    [(
        "data/emulation/kontum-2023-2030.toml",
        include_str!("../../../../data/emulation/kontum-2023-2030.toml"),
    )]
    .into_iter()
    .map(|(file, text)| CriteriaSet::parse(file, text))
    .collect()
}
