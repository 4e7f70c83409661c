//! Evaluating one subject against its criteria: met, not met, or not enough data, each with
//! what was found and the records behind it.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::criteria::{CriteriaSet, Criterion, Rule, SubjectKind};
use crate::indicator::{DossierFacts, FinishVerdict};
use crate::text::{group_thousands, number};
use crate::unit::UnitKind;

/// The most records listed as evidence for one criterion; the explanation gives the full count
/// and the evidence links to the complete list.
pub const EVIDENCE_CAP: usize = 50;

fn dmy(d: Date) -> String {
    d.strftime("%d/%m/%Y").to_string()
}

/// A criterion's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Met,
    NotMet,
    /// Chưa đủ dữ liệu: the data needed to decide is missing.
    NoData,
}

impl Verdict {
    pub fn code(self) -> &'static str {
        match self {
            Self::Met => "met",
            Self::NotMet => "not_met",
            Self::NoData => "no_data",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Met, Self::NotMet, Self::NoData]
            .into_iter()
            .find(|v| v.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Met => "Đạt",
            Self::NotMet => "Không đạt",
            Self::NoData => "Chưa đủ dữ liệu",
        }
    }
}

/// A yearly staff rating (xếp loại chất lượng cán bộ, công chức).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum StaffRating {
    /// Không hoàn thành nhiệm vụ.
    #[serde(rename = "khong_hoan_thanh")]
    NotCompleted,
    /// Hoàn thành nhiệm vụ.
    #[serde(rename = "hoan_thanh")]
    Completed,
    /// Hoàn thành tốt nhiệm vụ.
    #[serde(rename = "tot")]
    Good,
    /// Hoàn thành xuất sắc nhiệm vụ.
    #[serde(rename = "xuat_sac")]
    Excellent,
}

impl StaffRating {
    pub const ALL: [Self; 4] = [
        Self::Excellent,
        Self::Good,
        Self::Completed,
        Self::NotCompleted,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::NotCompleted => "khong_hoan_thanh",
            Self::Completed => "hoan_thanh",
            Self::Good => "tot",
            Self::Excellent => "xuat_sac",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::NotCompleted => "Không hoàn thành nhiệm vụ",
            Self::Completed => "Hoàn thành nhiệm vụ",
            Self::Good => "Hoàn thành tốt nhiệm vụ",
            Self::Excellent => "Hoàn thành xuất sắc nhiệm vụ",
        }
    }
}

/// A record a verdict rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EvidenceRef {
    Dossier {
        code: String,
    },
    /// The unit's dossiers for the year, as the indicator pages list them.
    DossierList {
        unit: String,
        year: i16,
    },
    Task {
        id: String,
    },
    Report {
        id: String,
    },
    ParScore {
        unit: String,
        year: i16,
    },
    Discipline {
        id: String,
    },
    Initiative {
        id: String,
    },
    Rating {
        person: String,
        year: i16,
    },
}

/// One piece of evidence: the record and how users read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    #[serde(flatten)]
    pub what: EvidenceRef,
    pub label: String,
}

/// One criterion's outcome for one subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionResult {
    pub criterion: String,
    pub label: String,
    pub verdict: Verdict,
    /// What was found, in words ("1.204 hồ sơ, 0 trễ hạn, 0 tồn đọng cuối năm").
    pub explanation: String,
    pub evidence: Vec<Evidence>,
    /// Set when the reform office changed the verdict by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjusted: Option<Adjustment>,
}

/// A subject's evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectResult {
    pub kind: SubjectKind,
    /// Unit id, or account id.
    pub id: String,
    pub name: String,
    /// Chức vụ of a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The unit judged (collective) or the person's unit (department or commune).
    pub unit: String,
    pub unit_name: String,
    pub unit_kind: UnitKind,
    pub criteria: Vec<CriterionResult>,
    pub verdict: Verdict,
}

/// A verdict changed by the reform office, with its reason (kept, never edited).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    pub subject_kind: SubjectKind,
    pub subject: String,
    pub criterion: String,
    /// What the evaluation said before.
    pub from: Verdict,
    pub to: Verdict,
    pub reason: String,
    pub by: String,
    /// "2026-01-20T09:30:00".
    pub at: String,
}

/// A duty of the year (a task or a report) and how it came out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duty {
    pub id: String,
    pub label: String,
    pub due: Date,
    pub outcome: DutyOutcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DutyOutcome {
    /// Done (submitted complete) on or before its deadline.
    OnTime,
    /// Done after its deadline.
    Late,
    /// Submitted on time but found incomplete (reports).
    Incomplete,
    /// Deadline passed, not done.
    Missed,
    /// Deadline not reached yet.
    Pending,
    /// Cancelled by whoever assigned it: owed no longer.
    Cancelled,
}

/// The unit's standing in the PAR INDEX of the year.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ParStanding {
    pub percent: f64,
    pub rank: Option<u32>,
    pub previous_rank: Option<u32>,
    /// Units of the kind ranked.
    pub among: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LateKind {
    /// Finished late (trễ hạn) on this day.
    Finished { on: Date },
    /// Open and late at the end of the year (tồn đọng), late since this day.
    Backlog { since: Date },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateDossier {
    pub code: String,
    pub late: LateKind,
}

/// How a dossier counts against "no late dossiers" in `year`, judged at `judged_on` (the
/// year's last day, or today while it runs): finished late within the year, or open and already
/// late at the judging day (tồn đọng). A dossier received in December and finished late in
/// January counts in January's year; one open at the year's end that falls due in January does
/// not count yet.
pub fn late_in_year(f: &DossierFacts, year: i16, judged_on: Date) -> Option<LateKind> {
    let first = Date::new(year, 1, 1).ok()?;
    if let (Some(FinishVerdict::Late), Some(on)) = (f.verdict, f.end_day)
        && on >= first
        && on <= judged_on
    {
        return Some(LateKind::Finished { on });
    }
    if f.late_open_at(judged_on) {
        return f.late_from.map(|since| LateKind::Backlog { since });
    }
    None
}

/// The dossiers behind the "no late dossiers" criteria.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DossierRecord {
    /// Dossiers handled in the year (the unit's received and finished; the person's handled).
    pub handled: i64,
    /// Late ones: finished late in the year, or late and open at its end.
    pub late: Vec<LateDossier>,
}

/// A discipline decision (quyết định kỷ luật).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discipline {
    pub id: String,
    pub person: String,
    pub person_name: String,
    /// "Khiển trách", "Cảnh cáo", …
    pub form: String,
    pub decision: String,
    pub decided_on: Date,
    /// Over reform tasks (liên quan đến thực hiện nhiệm vụ CCHC).
    pub reform_related: bool,
}

/// An initiative recognised by the initiative council (sáng kiến được công nhận).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Initiative {
    pub id: String,
    pub title: String,
    pub decision: String,
    pub recognised_on: Date,
}

/// A unit's year, as the collective criteria need it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollectiveInput {
    pub unit: String,
    pub unit_name: String,
    pub unit_kind: UnitKind,
    pub year: i16,
    /// The day the year is judged at: its last day, or today while it runs.
    pub judged_on: Date,
    pub tasks: Vec<Duty>,
    pub reports: Vec<Duty>,
    pub par: Option<ParStanding>,
    pub dossiers: DossierRecord,
    /// Discipline of the unit's staff decided in the year.
    pub disciplines: Vec<Discipline>,
}

/// A person's year, as the individual criteria need it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndividualInput {
    pub person: String,
    pub name: String,
    pub title: String,
    /// The department or commune the person works in.
    pub unit: String,
    pub unit_name: String,
    pub unit_kind: UnitKind,
    pub year: i16,
    pub judged_on: Date,
    pub rating: Option<StaffRating>,
    /// The PAR percent of the person's unit.
    pub unit_par: Option<f64>,
    pub initiatives: Vec<Initiative>,
    pub dossiers: DossierRecord,
    pub disciplines: Vec<Discipline>,
}

fn result(
    c: &Criterion,
    verdict: Verdict,
    explanation: String,
    evidence: Vec<Evidence>,
) -> CriterionResult {
    CriterionResult {
        criterion: c.id.clone(),
        label: c.label.clone(),
        verdict,
        explanation,
        evidence,
        adjusted: None,
    }
}

/// Met only if every criterion is met; any not met decides; otherwise not enough data.
pub fn overall(results: &[CriterionResult]) -> Verdict {
    if results.iter().any(|r| r.verdict == Verdict::NotMet) {
        Verdict::NotMet
    } else if results.iter().any(|r| r.verdict == Verdict::NoData) {
        Verdict::NoData
    } else {
        Verdict::Met
    }
}

/// Evaluates a unit against the collective criteria of `set`.
pub fn evaluate_collective(set: &CriteriaSet, input: &CollectiveInput) -> SubjectResult {
    let criteria = set
        .collective
        .iter()
        .map(|c| judge_collective(c, input))
        .collect::<Vec<_>>();
    SubjectResult {
        kind: SubjectKind::Collective,
        id: input.unit.clone(),
        name: input.unit_name.clone(),
        title: None,
        unit: input.unit.clone(),
        unit_name: input.unit_name.clone(),
        unit_kind: input.unit_kind,
        verdict: overall(&criteria),
        criteria,
    }
}

/// Evaluates a person against the individual criteria of `set`.
pub fn evaluate_individual(set: &CriteriaSet, input: &IndividualInput) -> SubjectResult {
    let criteria = set
        .individual
        .iter()
        .map(|c| judge_individual(c, input))
        .collect::<Vec<_>>();
    SubjectResult {
        kind: SubjectKind::Individual,
        id: input.person.clone(),
        name: input.name.clone(),
        title: Some(input.title.clone()),
        unit: input.unit.clone(),
        unit_name: input.unit_name.clone(),
        unit_kind: input.unit_kind,
        verdict: overall(&criteria),
        criteria,
    }
}

fn judge_collective(c: &Criterion, i: &CollectiveInput) -> CriterionResult {
    match &c.rule {
        Rule::AllTasksDone {
            late_counts_as_done,
        } => duties(c, &i.tasks, *late_counts_as_done, "nhiệm vụ", |d| {
            EvidenceRef::Task { id: d.id.clone() }
        }),
        Rule::ReportsOnTime => duties(c, &i.reports, false, "báo cáo", |d| EvidenceRef::Report {
            id: d.id.clone(),
        }),
        Rule::ParRank { top_n, rise } => par_rank(c, i, *top_n, *rise),
        Rule::NoLateDossiers => no_late(
            c,
            &i.dossiers,
            EvidenceRef::DossierList {
                unit: i.unit.clone(),
                year: i.year,
            },
            "hồ sơ thuộc thẩm quyền",
        ),
        Rule::NoDiscipline => no_discipline(c, &i.disciplines, true),
        // Rules for individuals cannot reach here: the set was checked on load.
        _ => result(
            c,
            Verdict::NoData,
            "tiêu chí không áp dụng cho tập thể".into(),
            Vec::new(),
        ),
    }
}

fn judge_individual(c: &Criterion, i: &IndividualInput) -> CriterionResult {
    match &c.rule {
        Rule::StaffRating { min_rating } => match i.rating {
            None => result(
                c,
                Verdict::NoData,
                format!("chưa có kết quả xếp loại năm {}", i.year),
                Vec::new(),
            ),
            Some(r) => result(
                c,
                if r >= *min_rating {
                    Verdict::Met
                } else {
                    Verdict::NotMet
                },
                format!(
                    "xếp loại năm {}: {} (yêu cầu: {} trở lên)",
                    i.year,
                    r.label(),
                    min_rating.label().to_lowercase()
                ),
                vec![Evidence {
                    what: EvidenceRef::Rating {
                        person: i.person.clone(),
                        year: i.year,
                    },
                    label: format!("Xếp loại năm {}: {}", i.year, r.label()),
                }],
            ),
        },
        Rule::UnitParPercent { min_percent } => {
            let evidence = vec![Evidence {
                what: EvidenceRef::ParScore {
                    unit: i.unit.clone(),
                    year: i.year,
                },
                label: format!("Chỉ số CCHC năm {} của {}", i.year, i.unit_name),
            }];
            match i.unit_par {
                None => result(
                    c,
                    Verdict::NoData,
                    format!("{} chưa có kết quả Chỉ số CCHC năm {}", i.unit_name, i.year),
                    evidence,
                ),
                Some(p) => result(
                    c,
                    if p >= *min_percent {
                        Verdict::Met
                    } else {
                        Verdict::NotMet
                    },
                    format!(
                        "Chỉ số CCHC năm {} của {}: {}% (yêu cầu từ {}%)",
                        i.year,
                        i.unit_name,
                        number(p, 2),
                        number(*min_percent, 0)
                    ),
                    evidence,
                ),
            }
        }
        Rule::Initiative => {
            let found: Vec<&Initiative> = i
                .initiatives
                .iter()
                .filter(|s| s.recognised_on.year() == i.year && s.recognised_on <= i.judged_on)
                .collect();
            let evidence = found
                .iter()
                .map(|s| Evidence {
                    what: EvidenceRef::Initiative { id: s.id.clone() },
                    label: format!(
                        "{} (công nhận theo {}, ngày {})",
                        s.title,
                        s.decision,
                        dmy(s.recognised_on)
                    ),
                })
                .collect::<Vec<_>>();
            if found.is_empty() {
                result(
                    c,
                    Verdict::NotMet,
                    format!("không có sáng kiến được công nhận trong năm {}", i.year),
                    evidence,
                )
            } else {
                result(
                    c,
                    Verdict::Met,
                    format!(
                        "{} sáng kiến được công nhận trong năm {}",
                        found.len(),
                        i.year
                    ),
                    evidence,
                )
            }
        }
        Rule::NoLateHandled => no_late(
            c,
            &i.dossiers,
            EvidenceRef::DossierList {
                unit: i.unit.clone(),
                year: i.year,
            },
            "hồ sơ đã tham mưu giải quyết",
        ),
        Rule::NoDiscipline => no_discipline(c, &i.disciplines, false),
        _ => result(
            c,
            Verdict::NoData,
            "tiêu chí không áp dụng cho cá nhân".into(),
            Vec::new(),
        ),
    }
}

/// Tasks or reports: every one owed in the year done on time (and complete).
fn duties(
    c: &Criterion,
    list: &[Duty],
    late_counts_as_done: bool,
    noun: &str,
    reference: impl Fn(&Duty) -> EvidenceRef,
) -> CriterionResult {
    let owed: Vec<&Duty> = list
        .iter()
        .filter(|d| d.outcome != DutyOutcome::Cancelled)
        .collect();
    if owed.is_empty() {
        // Every unit is assigned tasks and reports each year: none means the data is missing,
        // not that the unit did everything.
        return result(
            c,
            Verdict::NoData,
            format!("không có {noun} nào có hạn trong năm trên hệ thống"),
            Vec::new(),
        );
    }
    let failed = |d: &Duty| match d.outcome {
        DutyOutcome::OnTime | DutyOutcome::Pending | DutyOutcome::Cancelled => false,
        DutyOutcome::Late => !late_counts_as_done,
        DutyOutcome::Incomplete | DutyOutcome::Missed => true,
    };
    let bad: Vec<&Duty> = owed.iter().copied().filter(|d| failed(d)).collect();
    let pending = owed
        .iter()
        .filter(|d| d.outcome == DutyOutcome::Pending)
        .count();
    let done = owed.len() - bad.len() - pending;
    let word = |o: DutyOutcome| match o {
        DutyOutcome::Late => "hoàn thành chậm",
        DutyOutcome::Incomplete => "chưa đầy đủ",
        DutyOutcome::Missed => "quá hạn, chưa thực hiện",
        DutyOutcome::Pending => "chưa đến hạn",
        DutyOutcome::OnTime => "đúng hạn",
        DutyOutcome::Cancelled => "đã hủy",
    };
    let shown: Vec<&Duty> = if bad.is_empty() {
        owed.clone()
    } else {
        bad.clone()
    };
    let evidence = shown
        .iter()
        .take(EVIDENCE_CAP)
        .map(|d| Evidence {
            what: reference(d),
            label: format!("{} (hạn {}: {})", d.label, dmy(d.due), word(d.outcome)),
        })
        .collect();
    let mut explanation = format!("{} {noun} có hạn trong năm: {} đúng hạn", owed.len(), done);
    if !bad.is_empty() {
        explanation.push_str(&format!(", {} không đạt", bad.len()));
    }
    if pending > 0 {
        explanation.push_str(&format!(", {pending} chưa đến hạn"));
    }
    let verdict = if !bad.is_empty() {
        Verdict::NotMet
    } else if pending > 0 {
        // The year is still running: what is not due yet cannot be judged.
        Verdict::NoData
    } else {
        Verdict::Met
    };
    result(c, verdict, explanation, evidence)
}

fn par_rank(c: &Criterion, i: &CollectiveInput, top_n: u32, rise: u32) -> CriterionResult {
    let evidence = vec![Evidence {
        what: EvidenceRef::ParScore {
            unit: i.unit.clone(),
            year: i.year,
        },
        label: format!("Kết quả Chỉ số CCHC năm {} của {}", i.year, i.unit_name),
    }];
    let Some(par) = i.par else {
        return result(
            c,
            Verdict::NoData,
            format!("chưa có kết quả Chỉ số CCHC năm {}", i.year),
            evidence,
        );
    };
    let Some(rank) = par.rank else {
        return result(
            c,
            Verdict::NoData,
            format!(
                "Chỉ số CCHC năm {}: {}%, chưa được xếp hạng",
                i.year,
                number(par.percent, 2)
            ),
            evidence,
        );
    };
    let mut explanation = format!(
        "xếp thứ {rank}/{} năm {} ({}%)",
        par.among,
        i.year,
        number(par.percent, 2)
    );
    let top = rank <= top_n;
    let risen = match par.previous_rank {
        Some(before) => {
            let up = i64::from(before) - i64::from(rank);
            if up > 0 {
                explanation.push_str(&format!("; năm trước thứ {before}, tăng {up} bậc"));
            } else if up < 0 {
                explanation.push_str(&format!("; năm trước thứ {before}, giảm {} bậc", -up));
            } else {
                explanation.push_str(&format!("; năm trước cũng thứ {before}"));
            }
            up >= i64::from(rise)
        }
        None => {
            // No rank the year before (a new unit, or too few dossiers): a rise cannot be
            // measured, so only the rank itself can meet the criterion.
            explanation.push_str("; năm trước chưa được xếp hạng nên không tính mức tăng bậc");
            false
        }
    };
    explanation.push_str(&format!(
        " (yêu cầu: trong {top_n} đơn vị dẫn đầu hoặc tăng từ {rise} bậc)"
    ));
    result(
        c,
        if top || risen {
            Verdict::Met
        } else {
            Verdict::NotMet
        },
        explanation,
        evidence,
    )
}

fn no_late(c: &Criterion, r: &DossierRecord, list: EvidenceRef, noun: &str) -> CriterionResult {
    let finished = r
        .late
        .iter()
        .filter(|l| matches!(l.late, LateKind::Finished { .. }))
        .count();
    let backlog = r.late.len() - finished;
    let mut evidence: Vec<Evidence> = r
        .late
        .iter()
        .take(EVIDENCE_CAP)
        .map(|l| Evidence {
            what: EvidenceRef::Dossier {
                code: l.code.clone(),
            },
            label: match l.late {
                LateKind::Finished { on } => {
                    format!("{}: giải quyết trễ hạn, xong ngày {}", l.code, dmy(on))
                }
                LateKind::Backlog { since } => format!(
                    "{}: tồn đọng cuối năm, trễ hạn từ ngày {}",
                    l.code,
                    dmy(since)
                ),
            },
        })
        .collect();
    evidence.push(Evidence {
        what: list,
        label: "Danh sách hồ sơ của năm".into(),
    });
    let explanation = if r.handled == 0 && r.late.is_empty() {
        // Every dossier is tracked on the system (seed 004), so none recorded is none late.
        format!("không phát sinh {noun} trong năm; không có hồ sơ trễ hạn")
    } else {
        format!(
            "{} {noun}: {} trễ hạn, {} tồn đọng quá hạn cuối năm",
            group_thousands(r.handled),
            group_thousands(finished as i64),
            group_thousands(backlog as i64)
        )
    };
    result(
        c,
        if r.late.is_empty() {
            Verdict::Met
        } else {
            Verdict::NotMet
        },
        explanation,
        evidence,
    )
}

fn no_discipline(c: &Criterion, list: &[Discipline], reform_only: bool) -> CriterionResult {
    let counted: Vec<&Discipline> = list
        .iter()
        .filter(|d| !reform_only || d.reform_related)
        .collect();
    let evidence = counted
        .iter()
        .take(EVIDENCE_CAP)
        .map(|d| Evidence {
            what: EvidenceRef::Discipline { id: d.id.clone() },
            label: format!(
                "{}: {} theo {} ngày {}",
                d.person_name,
                d.form.to_lowercase(),
                d.decision,
                dmy(d.decided_on)
            ),
        })
        .collect();
    if counted.is_empty() {
        result(
            c,
            Verdict::Met,
            if reform_only {
                "không có quyết định kỷ luật liên quan đến nhiệm vụ CCHC trong năm".into()
            } else {
                "không bị kỷ luật trong năm".into()
            },
            evidence,
        )
    } else {
        result(
            c,
            Verdict::NotMet,
            format!("{} quyết định kỷ luật trong năm", counted.len()),
            evidence,
        )
    }
}

/// Applies the reform office's adjustments (the latest per subject and criterion wins) and
/// recomputes each subject's overall verdict.
pub fn apply_adjustments(results: &mut [SubjectResult], adjustments: &[Adjustment]) {
    for s in results.iter_mut() {
        for a in adjustments
            .iter()
            .filter(|a| a.subject_kind == s.kind && a.subject == s.id)
        {
            if let Some(r) = s.criteria.iter_mut().find(|r| r.criterion == a.criterion) {
                let original = r
                    .adjusted
                    .as_ref()
                    .map_or(r.verdict, |earlier| earlier.from);
                r.verdict = a.to;
                r.adjusted = Some(Adjustment {
                    from: original,
                    ..a.clone()
                });
            }
        }
        s.verdict = overall(&s.criteria);
    }
}

impl SubjectResult {
    /// The criterion results of a kind in the order of the set (for tables).
    pub fn result_of(&self, criterion: &str) -> Option<&CriterionResult> {
        self.criteria.iter().find(|r| r.criterion == criterion)
    }
}
