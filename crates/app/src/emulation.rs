//! The emulation movement's use cases: movements, the records individual criteria need
//! (ratings, discipline, initiatives, with their decision documents), the evaluation of a
//! movement's year (frozen as a run), the reform office's adjustments and approval, the
//! nomination lists per reward form and issuer, the proposal documents, and the signed
//! decisions with the rewards they grant.

use cchc_domain::emulation::{
    Adjustment, CollectiveInput, CriteriaSet, Discipline, DossierRecord, Duty, DutyOutcome,
    IndividualInput, Initiative, LateDossier, ParStanding, StaffRating, SubjectKind, SubjectResult,
    Verdict, apply_adjustments, evaluate_collective, evaluate_individual, late_in_year,
};
use cchc_domain::indicator::{Measure, Period};
use cchc_domain::plan::{ReportState, TaskState};
use cchc_domain::unit::{UnitKind, UnitTree};
use cchc_store::{AdjustmentRow, DecisionRow, DocFile, MovementRow, RewardRow, RunRow};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;
use std::time::Instant;

use crate::files::Upload;
use crate::{App, AppError, Principal, Result, Role, civil};

/// The records' and decisions' tables, for callers naming a document (the web layer).
pub use cchc_store::{RecordRow, RecordTable, StaffMember};

/// The criteria sets shipped with the binary, read once.
pub fn criteria_sets() -> Result<&'static [CriteriaSet]> {
    static SETS: OnceLock<std::result::Result<Vec<CriteriaSet>, String>> = OnceLock::new();
    match SETS.get_or_init(|| cchc_domain::emulation::embedded().map_err(|e| e.to_string())) {
        Ok(sets) => Ok(sets),
        Err(e) => Err(AppError::Internal(format!("emulation criteria: {e}"))),
    }
}

fn criteria_set(key: &str) -> Result<&'static CriteriaSet> {
    criteria_sets()?
        .iter()
        .find(|s| s.key() == key)
        .ok_or_else(|| AppError::NotFound(format!("bộ tiêu chí {key}")))
}

fn parse_kind(text: &str) -> Option<UnitKind> {
    serde_json::from_value(serde_json::Value::String(text.trim().to_owned())).ok()
}

fn kind_code(kind: UnitKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A day typed by a person, in the years movements cover (2000-2100).
fn parse_day(text: &str, what: &str) -> Result<Date> {
    let day = text
        .trim()
        .parse::<Date>()
        .map_err(|_| AppError::Invalid(format!("{what} không hợp lệ (định dạng yyyy-mm-dd)")))?;
    if !(2000..=2100).contains(&day.year()) {
        return Err(AppError::Invalid(format!(
            "{what} {} nằm ngoài khoảng năm 2000 đến năm 2100",
            cchc_domain::calendar::fmt_date(day)
        )));
    }
    Ok(day)
}

fn year_bounds(year: i16) -> Result<(Date, Date)> {
    let p = Period::year(year).map_err(|e| AppError::Invalid(format!("năm {year}: {e}")))?;
    Ok((p.first, p.last))
}

/// A movement (phong trào thi đua) with its criteria.
#[derive(Debug, Clone, Serialize)]
pub struct Movement {
    pub code: String,
    pub title: String,
    /// Số kế hoạch phát động: "42/KH-UBND".
    pub plan_number: String,
    pub plan_date: Date,
    pub issuer: String,
    pub first_year: i16,
    pub last_year: i16,
    pub unit_kinds: Vec<UnitKind>,
    pub content_areas: Vec<String>,
    #[serde(skip)]
    pub criteria: &'static CriteriaSet,
    pub criteria_key: String,
}

impl Movement {
    fn from_row(r: MovementRow) -> Result<Self> {
        let criteria = criteria_set(&r.criteria)?;
        let corrupt = |what: &str| AppError::Internal(format!("movement {}: {what}", r.code));
        Ok(Self {
            plan_date: r.plan_date.parse().map_err(|_| corrupt("plan_date"))?,
            first_year: i16::try_from(r.first_year).map_err(|_| corrupt("first_year"))?,
            last_year: i16::try_from(r.last_year).map_err(|_| corrupt("last_year"))?,
            unit_kinds: r.unit_kinds.split(',').filter_map(parse_kind).collect(),
            content_areas: serde_json::from_str(&r.content_areas)
                .map_err(|_| corrupt("content_areas"))?,
            criteria_key: criteria.key(),
            criteria,
            code: r.code,
            title: r.title,
            plan_number: r.plan_number,
            issuer: r.issuer,
        })
    }

    /// "42/KH-UBND ngày 06/01/2023 của UBND tỉnh Kon Tum".
    pub fn plan_reference(&self) -> String {
        format!(
            "Kế hoạch số {} ngày {} của {}",
            self.plan_number,
            self.plan_date.strftime("%d/%m/%Y"),
            self.issuer
        )
    }
}

/// What an administrator enters to launch a movement.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewMovement {
    pub code: String,
    pub title: String,
    pub plan_number: String,
    pub plan_date: String,
    pub issuer: String,
    pub first_year: i16,
    pub last_year: i16,
    pub unit_kinds: Vec<String>,
    pub content_areas: Vec<String>,
    pub criteria: String,
}

/// A movement-year's evaluation as frozen in a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvaluationResult {
    pub movement: String,
    pub year: i16,
    pub criteria: String,
    pub judged_on: Date,
    /// The year is not over: verdicts may still change.
    pub provisional: bool,
    pub subjects: Vec<SubjectResult>,
    /// Milliseconds the evaluation took (gathering and deciding).
    pub elapsed_ms: u64,
}

/// A run as users see it: its result with the adjustments applied.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub run: String,
    pub status: String,
    pub evaluated_by: String,
    pub evaluated_at: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    pub fingerprint: String,
    pub result: EvaluationResult,
    pub adjustments: Vec<Adjustment>,
}

/// Subjects proposed for one reward form by one issuer.
#[derive(Debug, Clone, Serialize)]
pub struct Nomination {
    pub form: String,
    pub form_label: String,
    pub issuer: String,
    pub subjects: Vec<SubjectResult>,
}

/// Counts of a result, for summaries.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Tally {
    pub met: usize,
    pub not_met: usize,
    pub no_data: usize,
}

impl Evaluation {
    pub fn is_draft(&self) -> bool {
        self.status == "draft"
    }

    pub fn is_approved(&self) -> bool {
        self.status == "approved"
    }

    pub fn tally(&self, kind: SubjectKind) -> Tally {
        let mut t = Tally::default();
        for s in self.result.subjects.iter().filter(|s| s.kind == kind) {
            match s.verdict {
                Verdict::Met => t.met += 1,
                Verdict::NotMet => t.not_met += 1,
                Verdict::NoData => t.no_data += 1,
            }
        }
        t
    }

    pub fn subject(&self, kind: SubjectKind, id: &str) -> Option<&SubjectResult> {
        self.result
            .subjects
            .iter()
            .find(|s| s.kind == kind && s.id == id)
    }

    /// The nomination lists: every subject meeting all criteria (after adjustments), under the
    /// first reward form that fits it, grouped by form and issuer.
    pub fn nominations(&self) -> Result<Vec<Nomination>> {
        let set = criteria_set(&self.result.criteria)?;
        let mut lists: BTreeMap<(usize, String), Nomination> = BTreeMap::new();
        for s in self
            .result
            .subjects
            .iter()
            .filter(|s| s.verdict == Verdict::Met)
        {
            let Some((at, form)) = set
                .forms
                .iter()
                .enumerate()
                .find(|(_, f)| f.fits(s.kind, s.unit_kind, self.result.judged_on))
            else {
                continue;
            };
            let issuer = form.issuer_for(&s.unit_name);
            lists
                .entry((at, issuer.clone()))
                .or_insert_with(|| Nomination {
                    form: form.id.clone(),
                    form_label: form.label.clone(),
                    issuer,
                    subjects: Vec::new(),
                })
                .subjects
                .push(s.clone());
        }
        Ok(lists.into_values().collect())
    }
}

fn fingerprint(json: &str) -> String {
    let mut h = Sha256::new();
    h.update(json.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn adjustment_of(r: &AdjustmentRow) -> Result<Adjustment> {
    let verdict = |code: &str| {
        Verdict::from_code(code)
            .ok_or_else(|| AppError::Internal(format!("adjustment verdict {code}")))
    };
    Ok(Adjustment {
        subject_kind: SubjectKind::from_code(&r.subject_kind)
            .ok_or_else(|| AppError::Internal(format!("subject kind {}", r.subject_kind)))?,
        subject: r.subject.clone(),
        criterion: r.criterion.clone(),
        from: verdict(&r.from_verdict)?,
        to: verdict(&r.to_verdict)?,
        reason: r.reason.clone(),
        by: r.by_account.clone(),
        at: r.at.clone(),
    })
}

fn task_outcome(s: TaskState) -> DutyOutcome {
    match s {
        TaskState::DoneOnTime => DutyOutcome::OnTime,
        TaskState::DoneLate => DutyOutcome::Late,
        TaskState::Open => DutyOutcome::Pending,
        TaskState::Overdue => DutyOutcome::Missed,
        TaskState::Cancelled => DutyOutcome::Cancelled,
    }
}

fn report_outcome(s: ReportState) -> DutyOutcome {
    match s {
        ReportState::OnTime => DutyOutcome::OnTime,
        ReportState::Late => DutyOutcome::Late,
        ReportState::Incomplete => DutyOutcome::Incomplete,
        ReportState::Missing => DutyOutcome::Missed,
        ReportState::NotDue => DutyOutcome::Pending,
    }
}

/// The participant a member of staff answers to: the nearest unit at or above theirs that
/// takes part (or, for a unit that has ended, its heir's).
fn home_of<'a>(
    tree: &'a UnitTree,
    unit: &str,
    participants: &HashSet<&str>,
    on: Date,
) -> Option<&'a cchc_domain::unit::Unit> {
    let up = |u: &str| {
        std::iter::once(tree.get(u))
            .flatten()
            .chain(tree.ancestors(u))
            .find(|a| participants.contains(a.id.as_str()))
    };
    up(unit).or_else(|| {
        tree.heirs_on(unit, on)
            .into_iter()
            .find_map(|(h, _)| up(h.id.as_str()))
    })
}

impl App {
    fn require_admin(who: &Principal, what: &str) -> Result<()> {
        if who.role == Role::Admin {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "chỉ quản trị CCHC được {what}"
            )))
        }
    }

    fn require_staff(who: &Principal) -> Result<()> {
        match who.role {
            Role::Officer | Role::Leader | Role::Admin => Ok(()),
            Role::Citizen => Err(AppError::Forbidden(
                "chỉ cán bộ, công chức xem được thi đua, khen thưởng".into(),
            )),
        }
    }

    /// Launches a movement. Administrators only.
    pub async fn create_movement(&self, who: &Principal, m: &NewMovement) -> Result<Movement> {
        Self::require_admin(who, "phát động phong trào thi đua")?;
        let code = m.code.trim();
        if code.is_empty()
            || code.len() > 60
            || !code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(AppError::Invalid(
                "mã phong trào chỉ gồm chữ không dấu, số, gạch ngang (tối đa 60 ký tự)".into(),
            ));
        }
        for (value, what) in [
            (&m.title, "tên phong trào"),
            (&m.plan_number, "số kế hoạch phát động"),
            (&m.issuer, "cơ quan ban hành"),
        ] {
            if value.trim().is_empty() || value.chars().count() > 500 {
                return Err(AppError::Invalid(format!("cần {what} (tối đa 500 ký tự)")));
            }
        }
        let plan_date = parse_day(&m.plan_date, "ngày kế hoạch")?;
        if !(2000..=2100).contains(&m.first_year)
            || m.last_year < m.first_year
            || m.last_year > 2100
        {
            return Err(AppError::Invalid(
                "giai đoạn thi đua không hợp lệ (năm bắt đầu ≤ năm kết thúc)".into(),
            ));
        }
        let mut kinds = Vec::new();
        for k in &m.unit_kinds {
            match parse_kind(k) {
                Some(kind) if !kinds.contains(&kind) => kinds.push(kind),
                Some(_) => {}
                None => return Err(AppError::Invalid(format!("loại đơn vị '{k}' không hợp lệ"))),
            }
        }
        if kinds.is_empty() {
            return Err(AppError::Invalid(
                "cần chọn đối tượng thi đua (loại đơn vị)".into(),
            ));
        }
        let areas: Vec<String> = m
            .content_areas
            .iter()
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty())
            .collect();
        if areas.len() > 30 || areas.iter().any(|a| a.chars().count() > 1000) {
            return Err(AppError::Invalid("nội dung thi đua quá dài".into()));
        }
        criteria_set(&m.criteria)?;
        let row = MovementRow {
            code: code.to_owned(),
            title: m.title.trim().to_owned(),
            plan_number: m.plan_number.trim().to_owned(),
            plan_date: plan_date.to_string(),
            issuer: m.issuer.trim().to_owned(),
            first_year: i64::from(m.first_year),
            last_year: i64::from(m.last_year),
            unit_kinds: kinds
                .iter()
                .map(|k| kind_code(*k))
                .collect::<Vec<_>>()
                .join(","),
            content_areas: serde_json::to_string(&areas)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            criteria: m.criteria.clone(),
            created_by: format!("{} ({})", who.display_name, who.username),
            created_at: civil(self.now()),
        };
        self.store.insert_movement(&row).await?;
        Movement::from_row(row)
    }

    /// Every movement, newest first. Staff only.
    pub async fn movements(&self, who: &Principal) -> Result<Vec<Movement>> {
        Self::require_staff(who)?;
        self.store
            .movements()
            .await?
            .into_iter()
            .map(Movement::from_row)
            .collect()
    }

    /// One movement. Staff only.
    pub async fn movement(&self, who: &Principal, code: &str) -> Result<Movement> {
        self.movements(who)
            .await?
            .into_iter()
            .find(|m| m.code == code)
            .ok_or_else(|| AppError::NotFound(format!("phong trào {code}")))
    }

    /// Whether `who` may enter records (rating, discipline) for a member of staff working in
    /// `unit`: administrators for anyone, leaders within their unit's subtree.
    fn may_record_in(&self, who: &Principal, unit: &str) -> Result<bool> {
        Ok(match who.role {
            Role::Admin => true,
            Role::Leader => {
                let tree = self.units()?;
                who.unit_id
                    .as_deref()
                    .is_some_and(|u| tree.is_within(unit, u))
            }
            _ => false,
        })
    }

    /// The member of staff `account` (id or username), if `who` may enter records for them.
    async fn may_record_for(&self, who: &Principal, account: &str) -> Result<StaffMember> {
        if !matches!(who.role, Role::Admin | Role::Leader) {
            return Err(AppError::Forbidden(
                "chỉ lãnh đạo đơn vị hoặc quản trị CCHC được nhập".into(),
            ));
        }
        let person = self
            .store
            .staff_members()
            .await?
            .into_iter()
            .find(|s| s.id == account || s.username == account)
            .ok_or_else(|| AppError::NotFound(format!("cán bộ {account}")))?;
        if self.may_record_in(who, &person.unit_id)? {
            Ok(person)
        } else {
            Err(AppError::Forbidden(
                "chỉ nhập được cho cán bộ thuộc đơn vị mình".into(),
            ))
        }
    }

    /// The staff `who` may enter records for, by username (empty for officers).
    pub async fn recordable_staff(&self, who: &Principal) -> Result<Vec<StaffMember>> {
        Self::require_staff(who)?;
        let mut out = Vec::new();
        for p in self.store.staff_members().await? {
            if self.may_record_in(who, &p.unit_id)? {
                out.push(p);
            }
        }
        out.sort_by(|a, b| a.username.cmp(&b.username));
        Ok(out)
    }

    /// Every member of staff as "Name (username)", by account id: how records name people.
    /// Staff only.
    pub async fn staff_labels(&self, who: &Principal) -> Result<HashMap<String, String>> {
        Self::require_staff(who)?;
        Ok(self
            .store
            .staff_members()
            .await?
            .into_iter()
            .map(|p| (p.id, format!("{} ({})", p.display_name, p.username)))
            .collect())
    }

    /// Records a person's yearly rating (xếp loại). Their unit's leader or an administrator.
    pub async fn rate_staff(
        &self,
        who: &Principal,
        account: &str,
        year: i16,
        rating: &str,
    ) -> Result<()> {
        let person = self.may_record_for(who, account).await?;
        let rating = StaffRating::from_code(rating)
            .ok_or_else(|| AppError::Invalid(format!("mức xếp loại '{rating}' không hợp lệ")))?;
        year_bounds(year)?;
        if year > self.now().date().year() {
            return Err(AppError::Invalid(
                "chưa thể xếp loại cho năm chưa đến".into(),
            ));
        }
        self.store
            .set_rating(
                &person.id,
                year,
                rating.code(),
                &format!("{} ({})", who.display_name, who.username),
                &civil(self.now()),
            )
            .await?;
        Ok(())
    }

    /// Records a discipline decision with its document. Their unit's leader or an administrator.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_discipline(
        &self,
        who: &Principal,
        account: &str,
        form: &str,
        decision: &str,
        decided_on: &str,
        reform_related: bool,
        document: Upload,
    ) -> Result<String> {
        let person = self.may_record_for(who, account).await?;
        self.record(
            who,
            true,
            &person,
            form,
            decision,
            decided_on,
            reform_related,
            document,
        )
        .await
    }

    /// Records an initiative recognised by the initiative council, with the recognition
    /// decision. Administrators only.
    pub async fn record_initiative(
        &self,
        who: &Principal,
        account: &str,
        title: &str,
        decision: &str,
        recognised_on: &str,
        document: Upload,
    ) -> Result<String> {
        Self::require_admin(who, "ghi nhận sáng kiến")?;
        let person = self.may_record_for(who, account).await?;
        self.record(
            who,
            false,
            &person,
            title,
            decision,
            recognised_on,
            false,
            document,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn record(
        &self,
        who: &Principal,
        is_discipline: bool,
        person: &StaffMember,
        what: &str,
        decision: &str,
        day: &str,
        reform_related: bool,
        document: Upload,
    ) -> Result<String> {
        let noun = if is_discipline {
            "hình thức kỷ luật"
        } else {
            "tên sáng kiến"
        };
        if what.trim().is_empty() || what.chars().count() > 500 {
            return Err(AppError::Invalid(format!("cần {noun} (tối đa 500 ký tự)")));
        }
        if decision.trim().is_empty() || decision.chars().count() > 300 {
            return Err(AppError::Invalid(
                "cần số, ký hiệu quyết định (tối đa 300 ký tự)".into(),
            ));
        }
        let day = parse_day(day, "ngày quyết định")?;
        if day > self.now().date() {
            return Err(AppError::Invalid(
                "ngày quyết định không được sau hôm nay".into(),
            ));
        }
        let mut files = crate::files::prepare(vec![document])?;
        let file = files
            .pop()
            .ok_or_else(|| AppError::Invalid("cần tệp quyết định (PDF, PNG hoặc JPEG)".into()))?;
        let id = crate::random_hex(8)?;
        self.store
            .add_record(
                is_discipline,
                &RecordRow {
                    id: id.clone(),
                    account: person.id.clone(),
                    what: what.trim().to_owned(),
                    decision: decision.trim().to_owned(),
                    day: day.to_string(),
                    reform_related,
                    unit: person.unit_id.clone(),
                    file_name: file.file_name.clone(),
                    entered_by: format!("{} ({})", who.display_name, who.username),
                    entered_at: civil(self.now()),
                },
                &DocFile {
                    file_name: file.file_name,
                    content_type: file.content_type,
                    content: file.content,
                },
            )
            .await?;
        Ok(id)
    }

    /// Discipline (`is_discipline`) or initiative records of a year. Staff only.
    pub async fn records_of_year(
        &self,
        who: &Principal,
        is_discipline: bool,
        year: i16,
    ) -> Result<Vec<RecordRow>> {
        Self::require_staff(who)?;
        let (first, last) = year_bounds(year)?;
        let rows = self
            .store
            .records_between(is_discipline, first, last)
            .await?;
        if who.role == Role::Admin {
            return Ok(rows);
        }
        let tree = self.units()?;
        Ok(rows
            .into_iter()
            .filter(|r| {
                who.unit_id
                    .as_deref()
                    .is_some_and(|u| tree.is_within(&r.unit, u))
            })
            .collect())
    }

    /// A record's or decision's document. Staff only (administrators, or within the subtree).
    pub async fn record_document(
        &self,
        who: &Principal,
        table: RecordTable,
        id: &str,
    ) -> Result<DocFile> {
        Self::require_staff(who)?;
        if who.role != Role::Admin && table != RecordTable::Decision {
            let tree = self.units()?;
            let year_rows = self
                .store
                .records_between(
                    table == RecordTable::Discipline,
                    Date::constant(1900, 1, 1),
                    Date::constant(2999, 12, 31),
                )
                .await?;
            let Some(r) = year_rows.iter().find(|r| r.id == id) else {
                return Err(AppError::NotFound(format!("tài liệu {id}")));
            };
            if !who
                .unit_id
                .as_deref()
                .is_some_and(|u| tree.is_within(&r.unit, u))
            {
                return Err(AppError::Forbidden("tài liệu của đơn vị khác".into()));
            }
        }
        self.store
            .record_file(table, id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("tài liệu {id}")))
    }

    /// The day a year is judged at: its last day, or today while it runs.
    fn year_judged_on(&self, year: i16) -> Result<Date> {
        let (_, last) = year_bounds(year)?;
        Ok(last.min(self.now().date()))
    }

    /// Evaluates every participating unit and member of staff for a movement's year, from the
    /// data, without storing anything. No authorization: for the use cases below and the
    /// benchmark.
    pub async fn compute_evaluation(&self, m: &Movement, year: i16) -> Result<EvaluationResult> {
        let started = Instant::now();
        let (first, _) = year_bounds(year)?;
        let judged_on = self.year_judged_on(year)?;
        if judged_on < first {
            return Err(AppError::Invalid(format!("năm {year} chưa bắt đầu")));
        }
        let tree = self.units()?;
        let set = m.criteria;
        // Participants: units of the movement's kinds that exist on the judging day; each
        // answers for its subtree and the units it replaced during the year.
        let participants: Vec<&cchc_domain::unit::Unit> = tree
            .active_on(judged_on)
            .filter(|u| m.unit_kinds.contains(&u.kind))
            .collect();
        let mut owners: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, p) in participants.iter().enumerate() {
            for member in tree.history_members(p.id.as_str(), first, judged_on) {
                owners.entry(member).or_default().push(i);
            }
        }
        let mut inputs: Vec<CollectiveInput> = participants
            .iter()
            .map(|p| CollectiveInput {
                unit: p.id.to_string(),
                unit_name: p.name.clone(),
                unit_kind: p.kind,
                year,
                judged_on,
                tasks: Vec::new(),
                reports: Vec::new(),
                par: None,
                dossiers: DossierRecord::default(),
                disciplines: Vec::new(),
            })
            .collect();

        // Dossiers: received in the year per unit from the rollups; the late ones from facts.
        let period = Period::year(year).map_err(|e| AppError::Invalid(e.to_string()))?;
        for (unit, measures) in self.measures_by_unit(&period).await? {
            for &i in owners.get(&unit).map(Vec::as_slice).unwrap_or(&[]) {
                inputs[i].dossiers.handled += measures.get(Measure::Received);
            }
        }
        let mut person_late: HashMap<String, Vec<LateDossier>> = HashMap::new();
        for (facts, handlers) in self.store.late_candidates(first, judged_on).await? {
            let Some(late) = late_in_year(&facts, year, judged_on) else {
                continue;
            };
            let entry = LateDossier {
                code: facts.code.clone(),
                late,
            };
            for &i in owners.get(&facts.unit).map(Vec::as_slice).unwrap_or(&[]) {
                inputs[i].dossiers.late.push(entry.clone());
            }
            for h in handlers {
                person_late.entry(h).or_default().push(entry.clone());
            }
        }

        // Tasks and reports. Once the year is over, what fell due on its last day and was not
        // done is overdue, not "not due yet".
        let today = self.now().date();
        // A duty judged "not due" at 31/12 but done later is late, not missed.
        let settle = |due: Date, done: Option<Date>, outcome: DutyOutcome| match (outcome, done) {
            (DutyOutcome::Pending, Some(d)) if d > due => DutyOutcome::Late,
            (DutyOutcome::Pending, _) if due < today => DutyOutcome::Missed,
            (other, _) => other,
        };
        for (unit, duties) in self.duties_in_year(year, today).await? {
            for &i in owners.get(&unit).map(Vec::as_slice).unwrap_or(&[]) {
                inputs[i].tasks.extend(duties.tasks.iter().map(|t| Duty {
                    id: t.task_id.clone(),
                    label: format!("{} ({})", t.title, t.plan_number),
                    due: t.deadline,
                    outcome: settle(t.deadline, t.done_on, task_outcome(t.state)),
                }));
                inputs[i]
                    .reports
                    .extend(duties.reports.iter().map(|r| Duty {
                        id: r.obligation_id.clone(),
                        label: r.label.clone(),
                        due: r.due,
                        outcome: settle(r.due, r.submitted_on, report_outcome(r.state)),
                    }));
            }
        }

        // PAR INDEX standing.
        let mut par_percent: HashMap<String, f64> = HashMap::new();
        for r in self.par_results(year).await? {
            // Only the council's appraised index is a result: a draft or a claim still
            // awaiting appraisal is the unit's own score, not enough data.
            if !r.appraised {
                continue;
            }
            par_percent.insert(r.unit.clone(), r.percent);
            if let Some(i) = participants.iter().position(|p| p.id.as_str() == r.unit) {
                inputs[i].par = Some(ParStanding {
                    percent: r.percent,
                    rank: r.rank,
                    previous_rank: r.previous_rank,
                    among: r.ranked_among,
                });
            }
        }

        // Discipline of the year.
        let mut person_discipline: HashMap<String, Vec<Discipline>> = HashMap::new();
        let staff = self.store.staff_members().await?;
        let names: HashMap<&str, &str> = staff
            .iter()
            .map(|s| (s.id.as_str(), s.display_name.as_str()))
            .collect();
        for r in self.store.records_between(true, first, judged_on).await? {
            let Ok(day) = r.day.parse::<Date>() else {
                continue;
            };
            let d = Discipline {
                id: r.id.clone(),
                person: r.account.clone(),
                person_name: names
                    .get(r.account.as_str())
                    .copied()
                    .unwrap_or("")
                    .to_owned(),
                form: r.what.clone(),
                decision: r.decision.clone(),
                decided_on: day,
                reform_related: r.reform_related,
            };
            for &i in owners.get(&r.unit).map(Vec::as_slice).unwrap_or(&[]) {
                inputs[i].disciplines.push(d.clone());
            }
            person_discipline.entry(r.account).or_default().push(d);
        }

        let mut subjects: Vec<SubjectResult> =
            inputs.iter().map(|i| evaluate_collective(set, i)).collect();

        // Individuals: staff whose unit lies in a participant.
        let ratings = self.store.ratings(year).await?;
        let handled = self.store.handled_in_year(year).await?;
        let mut initiatives: HashMap<String, Vec<Initiative>> = HashMap::new();
        for r in self.store.records_between(false, first, judged_on).await? {
            if let Ok(day) = r.day.parse::<Date>() {
                initiatives
                    .entry(r.account.clone())
                    .or_default()
                    .push(Initiative {
                        id: r.id,
                        title: r.what,
                        decision: r.decision,
                        recognised_on: day,
                    });
            }
        }
        let taking_part: HashSet<&str> = participants.iter().map(|p| p.id.as_str()).collect();
        for s in &staff {
            let Some(home) = home_of(&tree, &s.unit_id, &taking_part, judged_on) else {
                continue;
            };
            let input = IndividualInput {
                person: s.id.clone(),
                name: s.display_name.clone(),
                title: s.title.clone(),
                unit: home.id.to_string(),
                unit_name: home.name.clone(),
                unit_kind: home.kind,
                year,
                judged_on,
                rating: ratings.get(&s.id).and_then(|r| StaffRating::from_code(r)),
                unit_par: par_percent.get(home.id.as_str()).copied(),
                initiatives: initiatives.remove(&s.id).unwrap_or_default(),
                dossiers: DossierRecord {
                    handled: handled.get(&s.id).copied().unwrap_or(0),
                    late: person_late.remove(&s.id).unwrap_or_default(),
                },
                disciplines: person_discipline.remove(&s.id).unwrap_or_default(),
            };
            subjects.push(evaluate_individual(set, &input));
        }
        Ok(EvaluationResult {
            movement: m.code.clone(),
            year,
            criteria: set.key(),
            judged_on,
            provisional: judged_on < year_bounds(year)?.1,
            subjects,
            elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    }

    /// Evaluates a movement's year and stores the result as its draft (replacing an earlier
    /// draft; its adjustments carry over in the same transaction). Administrators only; refused once approved.
    pub async fn evaluate_movement(
        &self,
        who: &Principal,
        movement: &str,
        year: i16,
    ) -> Result<Evaluation> {
        Self::require_admin(who, "đánh giá, bình xét thi đua")?;
        let m = self.movement(who, movement).await?;
        if year < m.first_year || year > m.last_year {
            return Err(AppError::Invalid(format!(
                "năm {year} ngoài giai đoạn thi đua {}-{}",
                m.first_year, m.last_year
            )));
        }
        if let Some(current) = self.store.current_run(movement, year).await?
            && current.status == "approved"
        {
            return Err(AppError::Invalid(format!(
                "kết quả năm {year} đã được phê duyệt, không đánh giá lại được"
            )));
        }
        let result = self.compute_evaluation(&m, year).await?;
        let json = serde_json::to_string(&result).map_err(|e| AppError::Internal(e.to_string()))?;
        let id = format!("{year}-{}", crate::random_hex(6)?);
        self.store
            .insert_run(&RunRow {
                id: id.clone(),
                movement: movement.to_owned(),
                year: i64::from(year),
                criteria: result.criteria.clone(),
                judged_on: result.judged_on.to_string(),
                evaluated_by: format!("{} ({})", who.display_name, who.username),
                evaluated_at: civil(self.now()),
                fingerprint: fingerprint(&json),
                result: json,
                status: "draft".into(),
                approved_by: None,
                approved_at: None,
            })
            .await
            .map_err(|e| match e {
                cchc_store::StoreError::Duplicate(_) => AppError::Invalid(format!(
                    "kết quả năm {year} đã được phê duyệt, không đánh giá lại được"
                )),
                other => other.into(),
            })?;
        self.load_run(&id).await
    }

    async fn load_run(&self, id: &str) -> Result<Evaluation> {
        let run = self
            .store
            .run(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("kết quả đánh giá {id}")))?;
        let mut result: EvaluationResult = serde_json::from_str(&run.result)
            .map_err(|e| AppError::Internal(format!("run {id}: {e}")))?;
        let adjustments = self
            .store
            .adjustments(id)
            .await?
            .iter()
            .map(adjustment_of)
            .collect::<Result<Vec<_>>>()?;
        // An approved run already holds its adjustments.
        if run.status != "approved" {
            apply_adjustments(&mut result.subjects, &adjustments);
        }
        Ok(Evaluation {
            run: run.id,
            status: run.status,
            evaluated_by: run.evaluated_by,
            evaluated_at: run.evaluated_at,
            approved_by: run.approved_by,
            approved_at: run.approved_at,
            fingerprint: run.fingerprint,
            result,
            adjustments,
        })
    }

    /// The movement-year's current evaluation (approved, else draft), if any. Staff see the
    /// subjects of their unit subtree; administrators everything.
    pub async fn evaluation(
        &self,
        who: &Principal,
        movement: &str,
        year: i16,
    ) -> Result<Option<Evaluation>> {
        Self::require_staff(who)?;
        self.movement(who, movement).await?;
        let Some(run) = self.store.current_run(movement, year).await? else {
            return Ok(None);
        };
        let mut e = self.load_run(&run.id).await?;
        if who.role != Role::Admin {
            let tree = self.units()?;
            let mine = who.unit_id.clone().unwrap_or_default();
            e.result
                .subjects
                .retain(|s| tree.is_within(&s.unit, &mine) || tree.is_within(&mine, &s.unit));
        }
        Ok(Some(e))
    }

    /// Changes one criterion's verdict for one subject on the draft, with a reason (kept).
    /// Administrators only.
    #[allow(clippy::too_many_arguments)]
    pub async fn adjust_verdict(
        &self,
        who: &Principal,
        run: &str,
        kind: SubjectKind,
        subject: &str,
        criterion: &str,
        to: Verdict,
        reason: &str,
    ) -> Result<()> {
        Self::require_admin(who, "điều chỉnh kết quả bình xét")?;
        let reason = reason.trim();
        if reason.chars().count() < 10 || reason.chars().count() > 2000 {
            return Err(AppError::Invalid(
                "cần nêu lý do điều chỉnh (10 đến 2.000 ký tự)".into(),
            ));
        }
        let e = self.load_run(run).await?;
        if !e.is_draft() {
            return Err(AppError::Invalid(
                "chỉ điều chỉnh được kết quả chưa phê duyệt".into(),
            ));
        }
        let s = e
            .subject(kind, subject)
            .ok_or_else(|| AppError::NotFound(format!("đối tượng {subject}")))?;
        let c = s
            .result_of(criterion)
            .ok_or_else(|| AppError::NotFound(format!("tiêu chí {criterion}")))?;
        if c.verdict == to {
            return Err(AppError::Invalid(format!(
                "tiêu chí {criterion} đã là \"{}\"",
                to.label()
            )));
        }
        self.store
            .add_adjustment(&AdjustmentRow {
                run: run.to_owned(),
                seq: 0,
                subject_kind: kind.code().to_owned(),
                subject: subject.to_owned(),
                criterion: criterion.to_owned(),
                from_verdict: c.verdict.code().to_owned(),
                to_verdict: to.code().to_owned(),
                reason: reason.to_owned(),
                by_account: format!("{} ({})", who.display_name, who.username),
                at: civil(self.now()),
            })
            .await
            .map_err(|e| match e {
                cchc_store::StoreError::Conflict(_) => {
                    AppError::Invalid("kết quả đã được phê duyệt, không điều chỉnh được".into())
                }
                other => other.into(),
            })?;
        Ok(())
    }

    /// Approves the draft: freezes the result with its adjustments. Administrators only; the
    /// year must be over.
    pub async fn approve_evaluation(&self, who: &Principal, run: &str) -> Result<Evaluation> {
        Self::require_admin(who, "phê duyệt kết quả bình xét")?;
        let e = self.load_run(run).await?;
        if !e.is_draft() {
            return Err(AppError::Invalid(
                "kết quả này không còn chờ phê duyệt".into(),
            ));
        }
        if e.result.provisional {
            return Err(AppError::Invalid(format!(
                "năm {} chưa kết thúc: chưa phê duyệt được",
                e.result.year
            )));
        }
        let json =
            serde_json::to_string(&e.result).map_err(|e| AppError::Internal(e.to_string()))?;
        self.store
            .approve_run(
                run,
                &json,
                &fingerprint(&json),
                &format!("{} ({})", who.display_name, who.username),
                &civil(self.now()),
                i64::try_from(e.adjustments.len()).unwrap_or(i64::MAX),
            )
            .await?;
        self.load_run(run).await
    }

    /// The signed decisions and rewards of a run. Staff only.
    pub async fn decisions_of(
        &self,
        who: &Principal,
        run: &str,
    ) -> Result<(Vec<DecisionRow>, Vec<RewardRow>)> {
        Self::require_staff(who)?;
        Ok((
            self.store.decisions(run).await?,
            self.store.rewards_of_run(run).await?,
        ))
    }

    /// Records the signed decision for one nomination list and the rewards it grants.
    /// Administrators only; the run must be approved.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_decision(
        &self,
        who: &Principal,
        run: &str,
        form: &str,
        issuer: &str,
        decision: &str,
        signed_on: &str,
        document: Upload,
    ) -> Result<usize> {
        Self::require_admin(who, "ghi nhận quyết định khen thưởng")?;
        let e = self.load_run(run).await?;
        if !e.is_approved() {
            return Err(AppError::Invalid(
                "cần phê duyệt danh sách trước khi ghi nhận quyết định".into(),
            ));
        }
        let list = e
            .nominations()?
            .into_iter()
            .find(|n| n.form == form && n.issuer == issuer)
            .ok_or_else(|| AppError::NotFound(format!("danh sách {form} của {issuer}")))?;
        // One signed decision per list: a second would grant every reward twice.
        if let Some(d) = self
            .store
            .decisions(run)
            .await?
            .into_iter()
            .find(|d| d.form == form && d.issuer == issuer)
        {
            return Err(AppError::Invalid(format!(
                "danh sách này đã có quyết định khen thưởng {} ngày {}",
                d.decision, d.signed_on
            )));
        }
        if decision.trim().is_empty() || decision.chars().count() > 300 {
            return Err(AppError::Invalid(
                "cần số, ký hiệu quyết định (tối đa 300 ký tự)".into(),
            ));
        }
        let signed = parse_day(signed_on, "ngày ký")?;
        if signed > self.now().date() {
            return Err(AppError::Invalid("ngày ký không được sau hôm nay".into()));
        }
        let mut files = crate::files::prepare(vec![document])?;
        let file = files
            .pop()
            .ok_or_else(|| AppError::Invalid("cần tệp quyết định đã ký (PDF)".into()))?;
        // A signed decision is kept as the PDF the office issued, not a photo of it.
        if file.content_type != "application/pdf" {
            return Err(AppError::Invalid("tệp quyết định phải là tệp PDF".into()));
        }
        let id = crate::random_hex(8)?;
        let rewards: Vec<RewardRow> = list
            .subjects
            .iter()
            .map(|s| RewardRow {
                decision: id.clone(),
                subject_kind: s.kind.code().to_owned(),
                subject: s.id.clone(),
                name: s.name.clone(),
                year: i64::from(e.result.year),
                form: form.to_owned(),
            })
            .collect();
        self.store
            .add_decision(
                &DecisionRow {
                    id: id.clone(),
                    run: run.to_owned(),
                    form: form.to_owned(),
                    issuer: issuer.to_owned(),
                    decision: decision.trim().to_owned(),
                    signed_on: signed.to_string(),
                    file_name: file.file_name.clone(),
                    uploaded_by: format!("{} ({})", who.display_name, who.username),
                    uploaded_at: civil(self.now()),
                },
                &DocFile {
                    file_name: file.file_name,
                    content_type: file.content_type,
                    content: file.content,
                },
                &rewards,
            )
            .await?;
        Ok(rewards.len())
    }

    /// A run by id, with adjustments applied. Staff only.
    /// Staff see the subjects of their unit subtree (as [`App::evaluation`]); administrators
    /// everything.
    pub async fn evaluation_run(&self, who: &Principal, run: &str) -> Result<Evaluation> {
        Self::require_staff(who)?;
        let mut e = self.load_run(run).await?;
        if who.role != Role::Admin {
            let tree = self.units()?;
            let mine = who.unit_id.clone().unwrap_or_default();
            e.result
                .subjects
                .retain(|s| tree.is_within(&s.unit, &mine) || tree.is_within(&mine, &s.unit));
        }
        Ok(e)
    }

    /// Runs of a movement, newest first (without results). Staff only.
    pub async fn runs_of(&self, who: &Principal, movement: &str) -> Result<Vec<RunRow>> {
        Self::require_staff(who)?;
        Ok(self.store.runs_of(movement).await?)
    }
}

/// Which proposal document to produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProposalDoc {
    /// Tờ trình đề nghị khen thưởng.
    Letter,
    /// Biên bản họp Hội đồng Thi đua - Khen thưởng.
    Minutes,
    /// Báo cáo thành tích of one nominee (subject kind and id).
    Report(SubjectKind, String),
    /// All three in one file.
    Bundle,
}

impl Evaluation {
    /// The filled-in proposal for one nomination list (form and issuer).
    pub fn proposal_input(
        &self,
        movement: &Movement,
        form: &str,
        issuer: &str,
        on: Date,
    ) -> Result<crate::proposal_docs::ProposalInput> {
        use crate::proposal_docs::{CriterionLine, Nominee, NomineeKind, ProposalInput};
        let list = self
            .nominations()?
            .into_iter()
            .find(|n| n.form == form && n.issuer == issuer)
            .ok_or_else(|| AppError::NotFound(format!("danh sách {form} của {issuer}")))?;
        let nominees = list
            .subjects
            .iter()
            .map(|s| Nominee {
                kind: match s.kind {
                    SubjectKind::Collective => NomineeKind::Collective,
                    SubjectKind::Individual => NomineeKind::Individual,
                },
                name: s.name.clone(),
                title: s.title.clone(),
                unit_name: s.unit_name.clone(),
                criteria: s
                    .criteria
                    .iter()
                    .map(|c| CriterionLine {
                        label: format!("{}. {}", c.criterion, c.label),
                        verdict: c.verdict.label().to_owned(),
                        detail: c.explanation.clone(),
                    })
                    .collect(),
                adjustment: {
                    let reasons: Vec<String> = s
                        .criteria
                        .iter()
                        .filter_map(|c| {
                            c.adjusted.as_ref().map(|a| {
                                format!(
                                    "Tiêu chí {}: từ \"{}\" thành \"{}\" ({})",
                                    c.criterion,
                                    a.from.label(),
                                    a.to.label(),
                                    a.reason
                                )
                            })
                        })
                        .collect();
                    (!reasons.is_empty()).then(|| reasons.join("; "))
                },
            })
            .collect();
        Ok(ProposalInput {
            proposing_office: "SỞ NỘI VỤ".into(),
            parent_office: movement.issuer.to_uppercase(),
            document_number: "……/TTr-SNV".into(),
            place: "Kon Tum".into(),
            date: on,
            movement_title: movement.title.clone(),
            movement_plan: movement.plan_reference(),
            year: self.result.year,
            reward_form: list.form_label,
            issuer: list.issuer,
            nominees,
            council: Vec::new(),
        })
    }
}

impl App {
    /// A proposal document (DOCX) for one nomination list of an approved evaluation. Staff
    /// only; the list must be approved.
    pub async fn proposal_document(
        &self,
        who: &Principal,
        run: &str,
        form: &str,
        issuer: &str,
        doc: &ProposalDoc,
    ) -> Result<(String, Vec<u8>)> {
        let e = self.evaluation_run(who, run).await?;
        if !e.is_approved() {
            return Err(AppError::Invalid(
                "cần phê duyệt danh sách trước khi lập hồ sơ đề nghị".into(),
            ));
        }
        let m = self.movement(who, &e.result.movement).await?;
        let input = e.proposal_input(&m, form, issuer, self.now().date())?;
        let fail = |err: crate::docx::DocxError| AppError::Internal(format!("docx: {err}"));
        let year = e.result.year;
        Ok(match doc {
            ProposalDoc::Letter => (
                format!("to-trinh-{form}-{year}.docx"),
                crate::proposal_docs::proposal_letter(&input).map_err(fail)?,
            ),
            ProposalDoc::Minutes => (
                format!("bien-ban-hoi-dong-{form}-{year}.docx"),
                crate::proposal_docs::council_minutes(&input).map_err(fail)?,
            ),
            ProposalDoc::Bundle => (
                format!("ho-so-de-nghi-{form}-{year}.docx"),
                crate::proposal_docs::proposal_bundle(&input).map_err(fail)?,
            ),
            ProposalDoc::Report(kind, id) => {
                let list = e
                    .nominations()?
                    .into_iter()
                    .find(|n| n.form == form && n.issuer == issuer)
                    .ok_or_else(|| AppError::NotFound(format!("danh sách {form}")))?;
                let at = list
                    .subjects
                    .iter()
                    .position(|s| s.kind == *kind && s.id == *id)
                    .ok_or_else(|| AppError::NotFound(format!("{id} trong danh sách đề nghị")))?;
                (
                    format!("bao-cao-thanh-tich-{}-{year}.docx", at + 1),
                    crate::proposal_docs::achievement_report(&input, at).map_err(fail)?,
                )
            }
        })
    }
}

impl Evaluation {
    /// The evaluation as an Excel workbook: units, staff (one column per criterion with the
    /// verdict, then the explanations) and the nomination lists.
    pub fn to_xlsx(&self) -> Result<Vec<u8>> {
        use rust_xlsxwriter::{Format, FormatBorder, Workbook};
        let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("xlsx: {e}"));
        let set = criteria_set(&self.result.criteria)?;
        let mut book = Workbook::new();
        let header = Format::new()
            .set_bold()
            .set_border(FormatBorder::Thin)
            .set_text_wrap();
        let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
        let title = Format::new().set_bold().set_font_size(13);
        for kind in [SubjectKind::Collective, SubjectKind::Individual] {
            let sheet = book.add_worksheet();
            sheet
                .set_name(match kind {
                    SubjectKind::Collective => "Tập thể",
                    SubjectKind::Individual => "Cá nhân",
                })
                .map_err(fail)?;
            sheet
                .write_string_with_format(
                    0,
                    0,
                    format!(
                        "Kết quả bình xét năm {} ({}), {} — đánh giá đến ngày {}{}",
                        self.result.year,
                        kind.label().to_lowercase(),
                        if self.is_approved() {
                            "đã phê duyệt"
                        } else {
                            "chưa phê duyệt"
                        },
                        self.result.judged_on.strftime("%d/%m/%Y"),
                        if self.result.provisional {
                            " (năm chưa kết thúc)"
                        } else {
                            ""
                        }
                    ),
                    &title,
                )
                .map_err(fail)?;
            let criteria = set.criteria(kind);
            let mut headers: Vec<String> = vec!["Mã".into(), "Tên".into(), "Đơn vị".into()];
            headers.extend(criteria.iter().map(|c| c.id.clone()));
            headers.push("Kết quả".into());
            headers.extend(criteria.iter().map(|c| format!("{}: căn cứ", c.id)));
            for (c, h) in headers.iter().enumerate() {
                let c = u16::try_from(c).map_err(|_| AppError::Internal("columns".into()))?;
                sheet
                    .write_string_with_format(2, c, h, &header)
                    .map_err(fail)?;
                sheet
                    .set_column_width(c, if c < 3 { 28 } else { 14 })
                    .map_err(fail)?;
            }
            for (r, s) in (3u32..).zip(self.result.subjects.iter().filter(|s| s.kind == kind)) {
                let mut values: Vec<String> =
                    vec![s.id.clone(), s.name.clone(), s.unit_name.clone()];
                values.extend(criteria.iter().map(|c| {
                    s.result_of(&c.id).map_or(String::new(), |x| {
                        let mark = if x.adjusted.is_some() {
                            " (điều chỉnh)"
                        } else {
                            ""
                        };
                        format!("{}{mark}", x.verdict.label())
                    })
                }));
                values.push(s.verdict.label().into());
                values.extend(criteria.iter().map(|c| {
                    s.result_of(&c.id)
                        .map_or(String::new(), |x| x.explanation.clone())
                }));
                for (c, v) in values.iter().enumerate() {
                    let c = u16::try_from(c).map_err(|_| AppError::Internal("columns".into()))?;
                    sheet
                        .write_string_with_format(r, c, v, &cell)
                        .map_err(fail)?;
                }
            }
        }
        let sheet = book.add_worksheet();
        sheet.set_name("Đề nghị khen thưởng").map_err(fail)?;
        for (c, h) in [
            "Hình thức",
            "Người ký",
            "Đối tượng",
            "Tên",
            "Chức vụ",
            "Đơn vị",
        ]
        .iter()
        .enumerate()
        {
            let c = u16::try_from(c).map_err(|_| AppError::Internal("columns".into()))?;
            sheet
                .write_string_with_format(0, c, *h, &header)
                .map_err(fail)?;
            sheet.set_column_width(c, 30).map_err(fail)?;
        }
        let mut r = 1u32;
        for n in self.nominations()? {
            for s in &n.subjects {
                for (c, v) in [
                    n.form_label.as_str(),
                    n.issuer.as_str(),
                    s.kind.label(),
                    s.name.as_str(),
                    s.title.as_deref().unwrap_or(""),
                    s.unit_name.as_str(),
                ]
                .iter()
                .enumerate()
                {
                    let c = u16::try_from(c).map_err(|_| AppError::Internal("columns".into()))?;
                    sheet
                        .write_string_with_format(r, c, *v, &cell)
                        .map_err(fail)?;
                }
                r += 1;
            }
        }
        book.save_to_buffer().map_err(fail)
    }
}
