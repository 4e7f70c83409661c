//! Citizen feedback and petitions (phản ánh, kiến nghị — PAKN): submitting (signed in, or
//! anonymously with a phone or e-mail), following by code and secret, the reform office's
//! classification and forwarding, the responsible unit's answer, refusal or request for
//! information, publishing the answer (with consent, without personal data), the citizen's
//! rating, the boards (overdue items, harassment flagged at once), the public list of
//! published answers, and [`App::pakn_measures`] for the indicators.
//!
//! Who may do what: anyone submits and follows with the secret; a citizen also through their
//! account. The reform office (administrator) classifies, forwards, and refuses what it has
//! not forwarded. Staff (officer, leader) of the responsible unit's subtree ask for
//! information, refuse within their window, and answer; the administrator or a leader of that
//! subtree publishes. Staff see PAKN whose responsible or named unit is in their subtree.
//! Every transition and deadline is the domain's (`cchc_domain::pakn`).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use cchc_domain::calendar::clock::ExplainStep;
use cchc_domain::calendar::{WorkingClock, fmt_datetime};
use cchc_domain::pakn::{
    Category, DeadlineKind, Event, EventBody, MAX_SHORT, MAX_TEXT, MIN_REASON, Pakn, PaknError,
    PaknFacts, PaknMeasures, Rules, Status, SubjectKind, answer_verdict, check_email, check_phone,
    check_text, count, current_deadline, deadline, deadlines,
};
use cchc_domain::text::fold;
use cchc_store::{NewPaknFile, PaknEventRow, PaknFileInfo, PaknFilter, PaknRow};
use jiff::civil::{Date, DateTime};
use serde::Serialize;

use crate::files::{MAX_FILES, Upload};
use crate::{App, AppError, Principal, Result, Role, civil, lookup_secret_hash, random_hex};

/// The most rows a list shows.
pub const LIST_LIMIT: i64 = 500;

fn invalid(e: PaknError) -> AppError {
    AppError::Invalid(e.to_string())
}

/// The deadline rules in force (shipped in `data/pakn/rules.toml`).
pub fn rules() -> Result<&'static Rules> {
    static RULES: OnceLock<std::result::Result<Rules, String>> = OnceLock::new();
    RULES
        .get_or_init(|| Rules::embedded().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| AppError::Internal(format!("pakn rules: {e}")))
}

/// What a submitter fills in.
#[derive(Debug, Clone, Default)]
pub struct NewPakn {
    /// `Category` code.
    pub category: String,
    /// `SubjectKind` code.
    pub subject: String,
    pub procedure: String,
    pub dossier: String,
    pub unit: String,
    pub body: String,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub consent: bool,
}

/// What the submitter keeps: the code and the secret to follow it (shown once).
#[derive(Debug, Clone, Serialize)]
pub struct PaknReceipt {
    pub code: String,
    pub secret: String,
    pub flagged: bool,
}

/// How a caller proves they may follow, complete or rate a PAKN.
#[derive(Debug, Clone, Copy)]
pub enum Follower<'a> {
    Secret(&'a str),
    Account(&'a Principal),
}

/// A deadline as pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct DeadlineView {
    pub kind: DeadlineKind,
    pub label: &'static str,
    pub rule: String,
    /// None while paused.
    pub due: Option<DateTime>,
    pub passed: bool,
    pub steps: Vec<ExplainStep>,
}

/// A history step.
#[derive(Debug, Clone, Serialize)]
pub struct PaknStep {
    pub seq: i64,
    pub at: DateTime,
    pub label: &'static str,
    /// Who acted (staff name; "Người gửi" for the submitter, whose name is not repeated).
    pub by: String,
    pub text: String,
}

/// A PAKN as pages show it. Contacts are filled only for staff.
#[derive(Debug, Clone, Serialize)]
pub struct PaknView {
    pub code: String,
    pub state: Pakn,
    pub unit_name: String,
    pub named_unit_name: String,
    pub procedure_name: Option<String>,
    pub flagged: bool,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub deadlines: Vec<DeadlineView>,
    pub current: Option<DeadlineView>,
    pub overdue: bool,
    pub history: Vec<PaknStep>,
    pub files: Vec<PaknFileInfo>,
    pub answered_late: Option<bool>,
    pub may_forward: bool,
    pub may_refuse: bool,
    pub may_ask: bool,
    pub may_answer: bool,
    pub may_publish: bool,
    /// The follower may add information or rate.
    pub may_provide: bool,
    pub may_rate: bool,
}

/// A PAKN in a list.
#[derive(Debug, Clone, Serialize)]
pub struct PaknSummary {
    pub code: String,
    pub category: Category,
    pub status: Status,
    pub unit: String,
    pub unit_name: String,
    pub named_unit_name: String,
    pub received_at: DateTime,
    pub current_due: Option<DateTime>,
    pub current_kind: Option<String>,
    pub overdue: bool,
    pub flagged: bool,
    pub excerpt: String,
}

/// A board: what needs attention in a scope.
#[derive(Debug, Clone, Serialize)]
pub struct PaknBoard {
    /// The unit the board is for (None: the whole province, for the reform office).
    pub unit: Option<String>,
    pub unit_name: String,
    pub now: DateTime,
    /// Harassment reports still open (or not yet published), newest first.
    pub flagged: Vec<PaknSummary>,
    /// Any obligation passed (intake, answer, publishing).
    pub overdue: Vec<PaknSummary>,
    /// Waiting for classification (reform office) or being processed (unit).
    pub open: Vec<PaknSummary>,
    /// Answered with consent, waiting to be published.
    pub to_publish: Vec<PaknSummary>,
}

/// A published answer, without personal data.
#[derive(Debug, Clone, Serialize)]
pub struct PublishedPakn {
    pub code: String,
    pub category: Category,
    pub unit_name: String,
    pub procedure_code: Option<String>,
    pub procedure_name: Option<String>,
    pub received_at: DateTime,
    pub published_at: DateTime,
    pub question: String,
    pub answer: String,
    pub rating: Option<i64>,
}

fn parse_dt(text: &str) -> Result<DateTime> {
    text.parse()
        .map_err(|e| AppError::Internal(format!("stored instant '{text}': {e}")))
}

fn opt_dt(text: &Option<String>) -> Result<Option<DateTime>> {
    text.as_deref().map(parse_dt).transpose()
}

fn excerpt(text: &str) -> String {
    let mut s: String = text.chars().take(160).collect();
    if text.chars().count() > 160 {
        s.push('…');
    }
    s
}

fn event_row(code: &str, e: &Event) -> Result<PaknEventRow> {
    Ok(PaknEventRow {
        code: code.to_owned(),
        seq: i64::from(e.seq),
        at: civil(e.at),
        actor: e.actor.clone(),
        actor_name: e.actor_name.clone(),
        kind: e.body.kind().to_owned(),
        data: serde_json::to_string(&e.body)
            .map_err(|err| AppError::Internal(format!("pakn event: {err}")))?,
        prev_hash: e.prev_hash.clone(),
        hash: e.hash.clone(),
    })
}

fn event_of(r: &PaknEventRow) -> Result<Event> {
    Ok(Event {
        seq: u32::try_from(r.seq).map_err(|e| AppError::Internal(e.to_string()))?,
        at: parse_dt(&r.at)?,
        actor: r.actor.clone(),
        actor_name: r.actor_name.clone(),
        body: serde_json::from_str(&r.data)
            .map_err(|e| AppError::Internal(format!("pakn event {} {}: {e}", r.code, r.seq)))?,
        prev_hash: r.prev_hash.clone(),
        hash: r.hash.clone(),
    })
}

fn staff_role(who: &Principal) -> bool {
    matches!(who.role, Role::Officer | Role::Leader)
}

impl App {
    // ---- helpers -----------------------------------------------------------------------

    /// The clock of a unit (its working hours), or the standard one for an unknown unit.
    fn pakn_clock(&self, unit: &str) -> Result<Arc<WorkingClock>> {
        match self.units()?.get(unit) {
            Some(u) => self.clock_for(u),
            None => Ok(Arc::new(WorkingClock::standard(self.calendar()?))),
        }
    }

    fn pakn_unit_name(&self, id: &str) -> String {
        self.units()
            .ok()
            .and_then(|t| t.get(id).map(|u| u.name.clone()))
            .unwrap_or_else(|| id.to_owned())
    }

    /// Staff whose unit's subtree holds the PAKN's responsible or named unit.
    fn pakn_in_scope(&self, who: &Principal, row: &PaknRow) -> bool {
        let Some(mine) = who.unit_id.as_deref() else {
            return false;
        };
        staff_role(who)
            && self.units().is_ok_and(|t| {
                t.is_within(&row.unit_id, mine) || t.is_within(&row.named_unit, mine)
            })
    }

    /// Staff of the responsible unit's subtree (the one that must act).
    fn pakn_responsible(&self, who: &Principal, state: &Pakn) -> bool {
        let Some(mine) = who.unit_id.as_deref() else {
            return false;
        };
        staff_role(who) && self.units().is_ok_and(|t| t.is_within(&state.unit, mine))
    }

    async fn pakn_load(&self, code: &str) -> Result<(PaknRow, Vec<Event>, Pakn)> {
        let code = code.trim().to_uppercase();
        let row = self
            .store
            .pakn(&code)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("phản ánh {code}")))?;
        let events = self
            .store
            .pakn_events(&code)
            .await?
            .iter()
            .map(event_of)
            .collect::<Result<Vec<_>>>()?;
        let state = Pakn::replay(&events).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok((row, events, state))
    }

    /// The projection of a state onto its row.
    fn pakn_project(&self, base: &PaknRow, state: &Pakn, at: DateTime) -> Result<PaknRow> {
        let rules = rules()?;
        let clock = self.pakn_clock(&state.unit)?;
        let due_of = |kind| -> Result<Option<String>> {
            Ok(deadline(state, kind, rules, &clock)
                .map_err(invalid)?
                .and_then(|d| d.due.due)
                .map(civil))
        };
        let current = current_deadline(state, rules, &clock).map_err(invalid)?;
        let late = answer_verdict(state, rules, &clock)
            .map_err(invalid)?
            .map(|v| v == cchc_domain::calendar::Verdict::Late);
        let folded = match (&state.published_question, &state.published_answer) {
            (Some(q), Some(a)) => Some(fold(&format!("{q} {a}"))),
            _ => None,
        };
        Ok(PaknRow {
            category: state.category.code().to_owned(),
            procedure_code: state.procedure.clone(),
            unit_id: state.unit.clone(),
            status: state.status.code().to_owned(),
            flagged: state.category.is_flagged() || state.submitted_category.is_flagged(),
            intake_due: due_of(DeadlineKind::Intake)?,
            forwarded_at: state.forwarded_at.map(civil),
            process_due: due_of(DeadlineKind::Process)?,
            current_due: current.as_ref().and_then(|d| d.due.due).map(civil),
            current_kind: current.map(|d| d.kind.code().to_owned()),
            answered_at: state.answered_at.map(civil),
            answered_late: late,
            refused_at: state.refused_at.map(civil),
            published_at: state.published_at.map(civil),
            published_question: state.published_question.clone(),
            published_answer: state.published_answer.clone(),
            published_folded: folded,
            rating: state.rating.map(i64::from),
            rated_at: state.rated_at.map(civil),
            version: i64::from(state.version),
            updated_at: civil(at),
            ..base.clone()
        })
    }

    fn pakn_files_of(
        code: &str,
        seq: u32,
        uploads: Vec<Upload>,
        at: DateTime,
    ) -> Result<Vec<NewPaknFile>> {
        if uploads.len() > MAX_FILES {
            return Err(AppError::Invalid(format!(
                "quá nhiều tệp (tối đa {MAX_FILES} tệp mỗi lần)"
            )));
        }
        // The dossier upload rules: same types, same sizes.
        Ok(crate::files::prepare(uploads)?
            .into_iter()
            .map(|a| NewPaknFile {
                info: PaknFileInfo {
                    id: a.id,
                    code: code.to_owned(),
                    seq: i64::from(seq),
                    file_name: a.file_name,
                    content_type: a.content_type,
                    size_bytes: i64::try_from(a.content.len()).unwrap_or(i64::MAX),
                    sha256: a.sha256,
                    uploaded_at: civil(at),
                },
                content: a.content,
            })
            .collect())
    }

    /// Appends an event decided by the domain and writes the projection.
    async fn pakn_append(
        &self,
        row: &PaknRow,
        events: &[Event],
        state: &Pakn,
        who: (&str, &str),
        body: EventBody,
        uploads: Vec<Upload>,
    ) -> Result<Pakn> {
        let at = self.now();
        let ev = Event::new(events.last(), at, who.0, who.1, body);
        let clock = self.pakn_clock(&state.unit)?;
        let next = state.decide(&ev, rules()?, &clock).map_err(invalid)?;
        let files = Self::pakn_files_of(&row.code, ev.seq, uploads, at)?;
        let new_row = self.pakn_project(row, &next, at)?;
        let outbox = if matches!(ev.body, EventBody::Answered { .. }) {
            self.pakn_answered_notifications(&new_row, ev.seq, at.date())?
        } else {
            Vec::new()
        };
        self.store
            .append_pakn(
                &new_row,
                row.version,
                &event_row(&row.code, &ev)?,
                &files,
                &outbox,
            )
            .await?;
        Ok(next)
    }

    fn check_follower(&self, row: &PaknRow, f: Follower<'_>) -> Result<()> {
        let ok = match f {
            Follower::Secret(s) => !s.trim().is_empty() && lookup_secret_hash(s) == row.secret_hash,
            Follower::Account(p) => row.owner_account.as_deref() == Some(p.account_id.as_str()),
        };
        if ok {
            Ok(())
        } else {
            // The same answer for a wrong code and a wrong secret: nothing to probe.
            Err(AppError::NotFound(format!(
                "phản ánh {} (kiểm tra mã phản ánh và mã bí mật)",
                row.code
            )))
        }
    }

    // ---- submit ------------------------------------------------------------------------

    /// Receives a PAKN from a signed-in citizen (`who`) or an anonymous person (`None`).
    pub async fn submit_pakn(
        &self,
        who: Option<&Principal>,
        input: NewPakn,
        uploads: Vec<Upload>,
    ) -> Result<PaknReceipt> {
        if let Some(p) = who
            && p.role != Role::Citizen
        {
            return Err(AppError::Forbidden(
                "phản ánh, kiến nghị được gửi bằng tài khoản công dân hoặc không đăng nhập".into(),
            ));
        }
        let category = Category::parse(&input.category).map_err(invalid)?;
        let subject = SubjectKind::parse(&input.subject).map_err(invalid)?;
        let body = check_text("Nội dung phản ánh", &input.body, MAX_TEXT).map_err(invalid)?;
        let phone = check_phone(&input.phone).map_err(invalid)?;
        let email = check_email(&input.email).map_err(invalid)?;
        let name = input.name.trim().to_owned();
        if name.chars().count() > MAX_SHORT {
            return Err(invalid(PaknError::TooLong("Họ và tên", MAX_SHORT)));
        }
        if who.is_none() && phone.is_none() && email.is_none() {
            return Err(invalid(PaknError::ContactMissing));
        }
        let opt = |s: &str| {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_owned())
        };
        let mut unit = input.unit.trim().to_owned();
        let mut procedure = opt(&input.procedure);
        let dossier = opt(&input.dossier).map(|d| d.to_uppercase());
        match subject {
            SubjectKind::Procedure if procedure.is_none() => {
                return Err(invalid(PaknError::Empty("Mã thủ tục")));
            }
            SubjectKind::Dossier if dossier.is_none() => {
                return Err(invalid(PaknError::Empty("Mã hồ sơ")));
            }
            _ => {}
        }
        if let Some(code) = &procedure {
            if code.chars().count() > MAX_SHORT {
                return Err(invalid(PaknError::TooLong("Mã thủ tục", MAX_SHORT)));
            }
            self.procedure(code).await?;
        }
        if let Some(code) = &dossier {
            if code.chars().count() > MAX_SHORT {
                return Err(invalid(PaknError::TooLong("Mã hồ sơ", MAX_SHORT)));
            }
            let (d, _) = self
                .store
                .dossier(code)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("hồ sơ {code}")))?;
            if unit.is_empty() {
                unit = d.current_unit.clone();
            }
            if procedure.is_none() {
                procedure = Some(d.procedure_code.clone());
            }
        }
        if unit.is_empty() {
            return Err(invalid(PaknError::Empty("Cơ quan, đơn vị")));
        }
        if !self.units()?.contains(&unit) {
            return Err(AppError::Invalid(format!(
                "không có cơ quan, đơn vị mã '{}'",
                unit.chars().take(40).collect::<String>()
            )));
        }
        let at = self.now();
        let secret = random_hex(4)?.to_uppercase();
        let (actor, actor_name, contact_name) = match who {
            Some(p) => (
                p.account_id.clone(),
                "Người gửi".to_owned(),
                p.display_name.clone(),
            ),
            None => (
                "anonymous".to_owned(),
                "Người gửi".to_owned(),
                if name.is_empty() {
                    "Không nêu tên".to_owned()
                } else {
                    name
                },
            ),
        };
        let files_count = u32::try_from(uploads.len()).unwrap_or(u32::MAX);
        let ev = Event::new(
            None,
            at,
            &actor,
            &actor_name,
            EventBody::Submitted {
                category,
                subject,
                procedure: procedure.clone(),
                dossier: dossier.clone(),
                unit: unit.clone(),
                body: body.clone(),
                consent: input.consent,
                files: files_count,
            },
        );
        let state = Pakn::start(&ev).map_err(invalid)?;
        // Codes are PAKN-YYMMDD-XXXXXX with a random part; a clash (1 in 16 million a day)
        // is retried.
        for _ in 0..5 {
            let code = format!(
                "PAKN-{:02}{:02}{:02}-{}",
                at.year() % 100,
                at.month(),
                at.day(),
                random_hex(3)?.to_uppercase()
            );
            let files = Self::pakn_files_of(&code, 1, uploads.clone(), at)?;
            let base = PaknRow {
                code: code.clone(),
                secret_hash: lookup_secret_hash(&secret),
                owner_account: who.map(|p| p.account_id.clone()),
                contact_name: contact_name.clone(),
                contact_phone: phone.clone(),
                contact_email: email.clone(),
                subject_kind: subject.code().to_owned(),
                dossier_code: dossier.clone(),
                named_unit: unit.clone(),
                body: body.clone(),
                consent: input.consent,
                received_at: civil(at),
                ..PaknRow::default()
            };
            let row = self.pakn_project(&base, &state, at)?;
            match self
                .store
                .insert_pakn(&row, &event_row(&code, &ev)?, &files)
                .await
            {
                Ok(()) => {
                    return Ok(PaknReceipt {
                        code,
                        secret,
                        flagged: row.flagged,
                    });
                }
                Err(cchc_store::StoreError::Duplicate(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Internal("could not draw a free PAKN code".into()))
    }

    // ---- reading -----------------------------------------------------------------------

    fn pakn_view_of(
        &self,
        row: PaknRow,
        events: &[Event],
        state: Pakn,
        files: Vec<PaknFileInfo>,
        who: Option<&Principal>,
        follower: bool,
    ) -> Result<PaknView> {
        let rules = rules()?;
        let clock = self.pakn_clock(&state.unit)?;
        let now = self.now();
        let view_of = |d: cchc_domain::pakn::Deadline| DeadlineView {
            kind: d.kind,
            label: d.kind.label(),
            steps: d.explain(&clock),
            passed: d.due.due.is_some_and(|t| t < now),
            due: d.due.due,
            rule: d.rule,
        };
        let all = deadlines(&state, rules, &clock)
            .map_err(invalid)?
            .into_iter()
            .map(view_of)
            .collect();
        let current = current_deadline(&state, rules, &clock)
            .map_err(invalid)?
            .map(view_of);
        let staff = who.is_some_and(|p| p.role == Role::Admin || self.pakn_in_scope(p, &row));
        let admin = who.is_some_and(|p| p.role == Role::Admin);
        let responsible = who.is_some_and(|p| self.pakn_responsible(p, &state));
        let leader_here = who.is_some_and(|p| p.role == Role::Leader) && responsible;
        let history = events
            .iter()
            .map(|e| PaknStep {
                seq: i64::from(e.seq),
                at: e.at,
                label: e.body.label(),
                by: e.actor_name.clone(),
                text: match &e.body {
                    EventBody::Submitted { body, .. } => body.clone(),
                    EventBody::Forwarded {
                        category,
                        unit,
                        note,
                        ..
                    } => {
                        let mut t = format!(
                            "Loại: {}; chuyển {}",
                            category.label(),
                            self.pakn_unit_name(unit)
                        );
                        if !note.is_empty() {
                            t.push_str(&format!(". {note}"));
                        }
                        t
                    }
                    EventBody::Refused { reason } => reason.clone(),
                    EventBody::InfoRequested { question } => question.clone(),
                    EventBody::InfoProvided { text, .. } => text.clone(),
                    EventBody::Answered { answer } => answer.clone(),
                    EventBody::Published { .. } => "Đã công khai trên trang trả lời".to_owned(),
                    EventBody::Rated { stars, comment } => {
                        if comment.is_empty() {
                            format!("{stars}/5")
                        } else {
                            format!("{stars}/5: {comment}")
                        }
                    }
                },
            })
            .collect();
        let procedure_name = None;
        let overdue = current.as_ref().is_some_and(|c| c.passed);
        Ok(PaknView {
            code: row.code.clone(),
            unit_name: self.pakn_unit_name(&state.unit),
            named_unit_name: self.pakn_unit_name(&state.named_unit),
            procedure_name,
            flagged: row.flagged,
            contact_name: staff.then(|| row.contact_name.clone()),
            contact_phone: if staff {
                row.contact_phone.clone()
            } else {
                None
            },
            contact_email: if staff {
                row.contact_email.clone()
            } else {
                None
            },
            deadlines: all,
            current,
            overdue,
            history,
            files,
            answered_late: row.answered_late,
            may_forward: admin && state.status == Status::Received,
            may_refuse: (admin && state.status == Status::Received)
                || (responsible && state.status == Status::Forwarded),
            may_ask: responsible && state.status == Status::Forwarded,
            may_answer: responsible && state.status == Status::Forwarded,
            may_publish: (admin || leader_here)
                && state.status == Status::Answered
                && state.consent,
            may_provide: follower && state.status == Status::WaitingInfo,
            may_rate: follower
                && matches!(state.status, Status::Answered | Status::Published)
                && state.rating.is_none(),
            state,
        })
    }

    /// A PAKN for the follower with its code and secret (public): no contacts.
    pub async fn pakn_follow(&self, code: &str, f: Follower<'_>) -> Result<PaknView> {
        let (row, events, state) = self.pakn_load(code).await?;
        self.check_follower(&row, f)?;
        let files = self.store.pakn_files(&row.code).await?;
        self.pakn_view_of(row, &events, state, files, None, true)
    }

    /// A PAKN for staff in scope, the administrator, or its owner.
    pub async fn pakn_view(&self, who: &Principal, code: &str) -> Result<PaknView> {
        let (row, events, state) = self.pakn_load(code).await?;
        let owner = row.owner_account.as_deref() == Some(who.account_id.as_str());
        if !(who.role == Role::Admin || self.pakn_in_scope(who, &row) || owner) {
            return Err(AppError::NotFound(format!("phản ánh {}", row.code)));
        }
        let files = self.store.pakn_files(&row.code).await?;
        self.pakn_view_of(row, &events, state, files, Some(who), owner)
    }

    /// One file of a PAKN, for whoever may see it.
    pub async fn pakn_file(
        &self,
        who: Option<&Principal>,
        secret: Option<&str>,
        code: &str,
        id: &str,
    ) -> Result<(PaknFileInfo, Vec<u8>)> {
        let (row, _, _) = self.pakn_load(code).await?;
        let allowed = match (who, secret) {
            (_, Some(s)) => self.check_follower(&row, Follower::Secret(s)).is_ok(),
            (Some(p), None) => {
                p.role == Role::Admin
                    || self.pakn_in_scope(p, &row)
                    || row.owner_account.as_deref() == Some(p.account_id.as_str())
            }
            (None, None) => false,
        };
        if !allowed {
            return Err(AppError::NotFound(format!("tệp {id}")));
        }
        self.store
            .pakn_file(&row.code, id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("tệp {id}")))
    }

    fn summary(&self, r: &PaknRow, now: DateTime) -> Result<PaknSummary> {
        let due = opt_dt(&r.current_due)?;
        Ok(PaknSummary {
            code: r.code.clone(),
            category: Category::parse(&r.category).map_err(invalid)?,
            status: Status::parse(&r.status).map_err(invalid)?,
            unit: r.unit_id.clone(),
            unit_name: self.pakn_unit_name(&r.unit_id),
            named_unit_name: self.pakn_unit_name(&r.named_unit),
            received_at: parse_dt(&r.received_at)?,
            current_due: due,
            current_kind: r.current_kind.clone(),
            overdue: due.is_some_and(|d| d < now),
            flagged: r.flagged,
            excerpt: excerpt(&r.body),
        })
    }

    /// A citizen's own PAKN.
    pub async fn my_pakn(&self, who: &Principal) -> Result<Vec<PaknSummary>> {
        if who.role != Role::Citizen {
            return Err(AppError::Forbidden(
                "trang này dành cho công dân, tổ chức".into(),
            ));
        }
        let now = self.now();
        self.store
            .pakn_list(&PaknFilter {
                owner_account: Some(who.account_id.clone()),
                limit: LIST_LIMIT,
                ..PaknFilter::default()
            })
            .await?
            .iter()
            .map(|r| self.summary(r, now))
            .collect()
    }

    /// The unit whose subtree a staff list covers: staff their own unit by default (or one
    /// below it), the reform office a given unit or the whole province (None); citizens
    /// are refused.
    fn pakn_scope(&self, who: &Principal, unit: Option<&str>) -> Result<Option<String>> {
        let tree = self.units()?;
        let unit = match (who.role, unit.map(str::trim).filter(|u| !u.is_empty())) {
            (Role::Citizen, _) => {
                return Err(AppError::Forbidden(
                    "bảng theo dõi phản ánh dành cho cán bộ".into(),
                ));
            }
            (Role::Admin, u) => u.map(str::to_owned),
            (_, u) => {
                let mine = who.unit_id.clone().ok_or_else(|| {
                    AppError::Forbidden("tài khoản không thuộc đơn vị nào".into())
                })?;
                let u = u.map_or(mine.clone(), str::to_owned);
                if !tree.is_within(&u, &mine) {
                    return Err(AppError::Forbidden(
                        "chỉ xem được phản ánh của đơn vị mình và đơn vị trực thuộc".into(),
                    ));
                }
                Some(u)
            }
        };
        if let Some(u) = &unit
            && !tree.contains(u)
        {
            return Err(AppError::NotFound(format!("đơn vị {u}")));
        }
        Ok(unit)
    }

    /// Every PAKN in a staff scope (see [`App::pakn_board`]), newest first, optionally of one
    /// status (its code, e.g. `dang-xu-ly`), up to [`LIST_LIMIT`].
    pub async fn pakn_list(
        &self,
        who: &Principal,
        unit: Option<&str>,
        status: Option<&str>,
    ) -> Result<Vec<PaknSummary>> {
        let unit = self.pakn_scope(who, unit)?;
        let status = status
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Status::parse)
            .transpose()
            .map_err(invalid)?;
        let tree = self.units()?;
        let now = self.now();
        self.store
            .pakn_list(&PaknFilter {
                units: unit
                    .as_ref()
                    .map(|u| tree.subtree(u).map(|x| x.id.as_str().to_owned()).collect()),
                statuses: status.map(|s| vec![s.code().to_owned()]),
                limit: LIST_LIMIT,
                ..PaknFilter::default()
            })
            .await?
            .iter()
            .map(|r| self.summary(r, now))
            .collect()
    }

    /// The board of a unit (staff: their unit by default) or of the province (the reform
    /// office, without a unit).
    pub async fn pakn_board(&self, who: &Principal, unit: Option<&str>) -> Result<PaknBoard> {
        let unit = self.pakn_scope(who, unit)?;
        let tree = self.units()?;
        let units = unit
            .as_ref()
            .map(|u| tree.subtree(u).map(|x| x.id.as_str().to_owned()).collect());
        let now = self.now();
        let rows = self
            .store
            .pakn_list(&PaknFilter {
                units,
                statuses: Some(
                    [
                        Status::Received,
                        Status::Forwarded,
                        Status::WaitingInfo,
                        Status::Answered,
                    ]
                    .iter()
                    .map(|s| s.code().to_owned())
                    .collect(),
                ),
                limit: LIST_LIMIT * 4,
                ..PaknFilter::default()
            })
            .await?;
        let mut b = PaknBoard {
            unit_name: unit
                .as_deref()
                .map_or_else(|| "Toàn tỉnh".to_owned(), |u| self.pakn_unit_name(u)),
            unit,
            now,
            flagged: Vec::new(),
            overdue: Vec::new(),
            open: Vec::new(),
            to_publish: Vec::new(),
        };
        for r in &rows {
            let s = self.summary(r, now)?;
            if s.flagged && (s.status.is_open() || s.status == Status::Answered) {
                b.flagged.push(s.clone());
            }
            if s.overdue {
                b.overdue.push(s.clone());
            }
            if s.status == Status::Answered {
                if r.consent {
                    b.to_publish.push(s);
                }
            } else {
                b.open.push(s);
            }
        }
        b.overdue.sort_by_key(|s| s.current_due);
        b.open.sort_by_key(|s| s.current_due);
        Ok(b)
    }

    /// Published answers, newest first, searchable by words (without diacritics), procedure
    /// code and unit (its subtree).
    pub async fn pakn_published(
        &self,
        q: &str,
        procedure: Option<&str>,
        unit: Option<&str>,
    ) -> Result<Vec<PublishedPakn>> {
        let words: Vec<String> = fold(q)
            .split_whitespace()
            .take(8)
            .map(str::to_owned)
            .collect();
        let tree = self.units()?;
        let units = unit
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(|u| tree.subtree(u).map(|x| x.id.as_str().to_owned()).collect());
        let rows = self
            .store
            .pakn_list(&PaknFilter {
                published: true,
                words,
                units,
                procedure_code: procedure
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned),
                limit: 200,
                ..PaknFilter::default()
            })
            .await?;
        let mut names: HashMap<String, Option<String>> = HashMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let procedure_name = match &r.procedure_code {
                Some(c) => match names.get(c) {
                    Some(n) => n.clone(),
                    None => {
                        let n = self.store.procedure(c).await?.map(|p| p.name);
                        names.insert(c.clone(), n.clone());
                        n
                    }
                },
                None => None,
            };
            out.push(PublishedPakn {
                category: Category::parse(&r.category).map_err(invalid)?,
                unit_name: self.pakn_unit_name(&r.unit_id),
                procedure_name,
                received_at: parse_dt(&r.received_at)?,
                published_at: parse_dt(r.published_at.as_deref().unwrap_or_default())?,
                question: r.published_question.clone().unwrap_or_default(),
                answer: r.published_answer.clone().unwrap_or_default(),
                rating: r.rating,
                procedure_code: r.procedure_code,
                code: r.code,
            });
        }
        Ok(out)
    }

    // ---- actions -----------------------------------------------------------------------

    /// The reform office classifies (category, procedure, unit) and forwards.
    pub async fn pakn_forward(
        &self,
        who: &Principal,
        code: &str,
        category: &str,
        procedure: &str,
        unit: &str,
        note: &str,
    ) -> Result<PaknView> {
        if who.role != Role::Admin {
            return Err(AppError::Forbidden(
                "chỉ Văn phòng cải cách hành chính (quản trị) phân loại và chuyển xử lý".into(),
            ));
        }
        let (row, events, state) = self.pakn_load(code).await?;
        let category = Category::parse(category).map_err(invalid)?;
        let unit = if unit.trim().is_empty() {
            state.unit.clone()
        } else {
            unit.trim().to_owned()
        };
        if !self.units()?.contains(&unit) {
            return Err(AppError::Invalid(format!(
                "không có cơ quan, đơn vị mã '{}'",
                unit.chars().take(40).collect::<String>()
            )));
        }
        let procedure = match procedure.trim() {
            "" => state.procedure.clone(),
            p => {
                self.procedure(p).await?;
                Some(p.to_owned())
            }
        };
        let note = note.trim();
        if note.chars().count() > MAX_TEXT {
            return Err(invalid(PaknError::TooLong("Ghi chú", MAX_TEXT)));
        }
        self.pakn_append(
            &row,
            &events,
            &state,
            (&who.account_id, &who.display_name),
            EventBody::Forwarded {
                category,
                procedure,
                unit,
                note: note.to_owned(),
            },
            Vec::new(),
        )
        .await?;
        self.pakn_view(who, &row.code).await
    }

    /// Refuses with a reason: the reform office before forwarding, the unit within its window.
    pub async fn pakn_refuse(&self, who: &Principal, code: &str, reason: &str) -> Result<()> {
        let (row, events, state) = self.pakn_load(code).await?;
        let allowed = match state.status {
            Status::Received => who.role == Role::Admin,
            Status::Forwarded => self.pakn_responsible(who, &state),
            _ => true, // the domain names the impossible transition
        };
        if !allowed {
            return Err(AppError::Forbidden(
                "chỉ Văn phòng cải cách hành chính (trước khi chuyển) hoặc đơn vị được giao xử lý được từ chối".into(),
            ));
        }
        let reason = check_text("Lý do từ chối", reason, MAX_TEXT).map_err(invalid)?;
        if reason.chars().count() < MIN_REASON {
            return Err(invalid(PaknError::ReasonTooShort));
        }
        self.pakn_append(
            &row,
            &events,
            &state,
            (&who.account_id, &who.display_name),
            EventBody::Refused { reason },
            Vec::new(),
        )
        .await?;
        Ok(())
    }

    fn require_responsible(&self, who: &Principal, state: &Pakn) -> Result<()> {
        if self.pakn_responsible(who, state) {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "chỉ cán bộ của đơn vị được giao xử lý thực hiện được".into(),
            ))
        }
    }

    /// The unit asks the citizen for more information (pauses the answer's clock).
    pub async fn pakn_ask_info(&self, who: &Principal, code: &str, question: &str) -> Result<()> {
        self.pakn_unit_act(
            who,
            code,
            "Nội dung đề nghị bổ sung",
            question,
            |question| EventBody::InfoRequested { question },
        )
        .await
    }

    /// An act of the responsible unit carrying one text (asking, answering).
    async fn pakn_unit_act(
        &self,
        who: &Principal,
        code: &str,
        what: &'static str,
        text: &str,
        body: impl FnOnce(String) -> EventBody,
    ) -> Result<()> {
        let (row, events, state) = self.pakn_load(code).await?;
        self.require_responsible(who, &state)?;
        let text = check_text(what, text, MAX_TEXT).map_err(invalid)?;
        self.pakn_append(
            &row,
            &events,
            &state,
            (&who.account_id, &who.display_name),
            body(text),
            Vec::new(),
        )
        .await?;
        Ok(())
    }

    /// The follower adds the information asked for (resumes the clock).
    pub async fn pakn_provide_info(
        &self,
        f: Follower<'_>,
        code: &str,
        text: &str,
        uploads: Vec<Upload>,
    ) -> Result<()> {
        let (row, events, state) = self.pakn_load(code).await?;
        self.check_follower(&row, f)?;
        let text = check_text("Thông tin bổ sung", text, MAX_TEXT).map_err(invalid)?;
        let files = u32::try_from(uploads.len()).unwrap_or(u32::MAX);
        let actor = match f {
            Follower::Account(p) => p.account_id.clone(),
            Follower::Secret(_) => "anonymous".to_owned(),
        };
        self.pakn_append(
            &row,
            &events,
            &state,
            (&actor, "Người gửi"),
            EventBody::InfoProvided { text, files },
            uploads,
        )
        .await?;
        Ok(())
    }

    /// The unit answers.
    pub async fn pakn_answer(&self, who: &Principal, code: &str, answer: &str) -> Result<()> {
        self.pakn_unit_act(who, code, "Nội dung trả lời", answer, |answer| {
            EventBody::Answered { answer }
        })
        .await
    }

    /// Publishes the question and answer as approved (empty texts: as written), only with
    /// the citizen's consent. The reform office or a leader of the responsible unit.
    pub async fn pakn_publish(
        &self,
        who: &Principal,
        code: &str,
        question: &str,
        answer: &str,
    ) -> Result<()> {
        let (row, events, state) = self.pakn_load(code).await?;
        let leader = who.role == Role::Leader && self.pakn_responsible(who, &state);
        if !(who.role == Role::Admin || leader) {
            return Err(AppError::Forbidden(
                "chỉ Văn phòng cải cách hành chính hoặc lãnh đạo đơn vị xử lý được công khai"
                    .into(),
            ));
        }
        let (q0, a0) = state.publishable().map_err(invalid)?;
        let question = if question.trim().is_empty() {
            q0
        } else {
            check_text("Nội dung công khai", question, MAX_TEXT).map_err(invalid)?
        };
        let answer = if answer.trim().is_empty() {
            a0
        } else {
            check_text("Trả lời công khai", answer, MAX_TEXT).map_err(invalid)?
        };
        // Personal data must not reach the public page: refuse texts that still carry the
        // submitter's name, phone or e-mail.
        for (what, value) in [
            (
                "họ tên",
                Some(row.contact_name.as_str()).filter(|n| *n != "Không nêu tên"),
            ),
            ("số điện thoại", row.contact_phone.as_deref()),
            ("thư điện tử", row.contact_email.as_deref()),
        ] {
            if let Some(v) = value
                && v.chars().count() >= 3
                && (fold(&question).contains(&fold(v)) || fold(&answer).contains(&fold(v)))
            {
                return Err(AppError::Invalid(format!(
                    "nội dung công khai còn chứa {what} của người gửi; hãy xóa trước khi công khai"
                )));
            }
        }
        self.pakn_append(
            &row,
            &events,
            &state,
            (&who.account_id, &who.display_name),
            EventBody::Published { question, answer },
            Vec::new(),
        )
        .await?;
        Ok(())
    }

    /// The follower rates the answer (1-5, once).
    pub async fn pakn_rate(
        &self,
        f: Follower<'_>,
        code: &str,
        stars: &str,
        comment: &str,
    ) -> Result<()> {
        let (row, events, state) = self.pakn_load(code).await?;
        self.check_follower(&row, f)?;
        let stars: u8 = stars
            .trim()
            .parse()
            .map_err(|_| invalid(PaknError::BadRating))?;
        let comment = comment.trim();
        if comment.chars().count() > MAX_SHORT * 5 {
            return Err(invalid(PaknError::TooLong("Nhận xét", MAX_SHORT * 5)));
        }
        let actor = match f {
            Follower::Account(p) => p.account_id.clone(),
            Follower::Secret(_) => "anonymous".to_owned(),
        };
        self.pakn_append(
            &row,
            &events,
            &state,
            (&actor, "Người gửi"),
            EventBody::Rated {
                stars,
                comment: comment.to_owned(),
            },
            Vec::new(),
        )
        .await?;
        Ok(())
    }

    // ---- figures -----------------------------------------------------------------------

    /// Per unit (each unit alone, as its responsible unit) the PAKN figures of `from..=to`,
    /// judged now; every unit asked for appears, with zeros when it had none.
    pub async fn pakn_measures(
        &self,
        units: &[String],
        from: Date,
        to: Date,
    ) -> Result<Vec<(String, PaknMeasures)>> {
        let by = self.pakn_measures_by_unit(Some(units), from, to).await?;
        Ok(units
            .iter()
            .map(|u| (u.clone(), by.get(u).copied().unwrap_or_default()))
            .collect())
    }

    /// Per responsible unit (every unit with PAKN when `units` is None) the PAKN figures of
    /// `from..=to`, judged now.
    pub(crate) async fn pakn_measures_by_unit(
        &self,
        units: Option<&[String]>,
        from: Date,
        to: Date,
    ) -> Result<HashMap<String, PaknMeasures>> {
        let now = self.now();
        let rows = self
            .store
            .pakn_list(&PaknFilter {
                units: units.map(<[String]>::to_vec),
                ..PaknFilter::default()
            })
            .await?;
        let mut by: HashMap<String, PaknMeasures> = HashMap::new();
        for r in &rows {
            let facts = PaknFacts {
                received_at: Some(parse_dt(&r.received_at)?),
                intake_due: opt_dt(&r.intake_due)?,
                forwarded_at: opt_dt(&r.forwarded_at)?,
                process_due: opt_dt(&r.process_due)?,
                answered_at: opt_dt(&r.answered_at)?,
                answered_late: r.answered_late,
                refused_at: opt_dt(&r.refused_at)?,
                rated_at: opt_dt(&r.rated_at)?,
                rating: r.rating.and_then(|v| u8::try_from(v).ok()),
                published_at: opt_dt(&r.published_at)?,
                consent: r.consent,
            };
            *by.entry(r.unit_id.clone()).or_default() += count(&facts, from, to, now);
        }
        Ok(by)
    }
}

/// "HH:MM dd/mm/yyyy", or "—".
pub fn fmt_opt(dt: Option<DateTime>) -> String {
    dt.map_or_else(|| "—".to_owned(), fmt_datetime)
}
