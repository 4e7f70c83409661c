//! Dossier use cases: intake (counter, post, online), every lifecycle action, reads, history,
//! and the public lookup. Authorization lives here: staff act within their unit's subtree,
//! leaders alone apologise/extend and stop, citizens act on their own dossiers only.

use cchc_domain::calendar::clock::ExplainStep;
use cchc_domain::calendar::{Verdict, iso_datetime};
use cchc_domain::dossier::{
    Actor, Applicant, ApplicantKind, Component, Dossier, DossierCode, Event, EventBody, EventKind,
    GENESIS_HASH, Intake, Outcome, Payment, ResultDoc, Status,
};
use cchc_domain::procedure::{Channel, Procedure};
use cchc_domain::unit::Unit;
use cchc_store::{AccountRow, DossierFilter, DossierSummary, NewAttachment, Projected};
use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::files::Upload;
use crate::{App, AppError, Principal, Result, Role, lookup_secret_hash, random_hex};

/// A due date and the clock that computed it.
pub(crate) type DueAndClock = (
    cchc_domain::calendar::DueDate,
    std::sync::Arc<cchc_domain::calendar::WorkingClock>,
);

/// Applicant data as entered.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ApplicantInput {
    pub kind: ApplicantKind,
    pub name: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub address: String,
}

/// A component as entered.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ComponentInput {
    pub name: String,
    #[serde(default)]
    pub digitised: bool,
    #[serde(default)]
    pub reused: bool,
    #[serde(default)]
    pub from_national_data: bool,
    #[serde(default)]
    pub file_ref: Option<String>,
}

/// A new dossier: at the counter or by post (staff), or online (citizen).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NewDossier {
    pub procedure_code: String,
    pub channel: Channel,
    pub applicant: ApplicantInput,
    #[serde(default)]
    pub components: Vec<ComponentInput>,
    /// Đơn vị có thẩm quyền; defaults to the receiving unit.
    #[serde(default)]
    pub competent_unit: Option<String>,
    /// For online submission: the unit the citizen submits to.
    #[serde(default)]
    pub receiving_unit: Option<String>,
}

/// One lifecycle action.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Accept,
    Refuse {
        reason: String,
    },
    Assign {
        officer: String,
    },
    Forward {
        to_unit: String,
        #[serde(default)]
        reason: String,
    },
    RequestSupplement {
        items: Vec<String>,
        #[serde(default)]
        note: String,
    },
    ReceiveSupplement {
        #[serde(default)]
        note: String,
    },
    RequestPayment {
        amount: i64,
        #[serde(default)]
        note: String,
    },
    Pay {
        amount: i64,
        method: String,
        online: bool,
        #[serde(default)]
        reference: String,
    },
    Extend {
        new_due: DateTime,
        reason: String,
    },
    Decide {
        outcome: Outcome,
        #[serde(default)]
        note: String,
        #[serde(default)]
        results: Vec<ResultDoc>,
    },
    Return {
        method: Channel,
    },
    Withdraw {
        #[serde(default)]
        reason: String,
    },
    Stop {
        reason: String,
    },
    Rate {
        score: u8,
        #[serde(default)]
        comment: String,
    },
}

/// Who may take an action.
enum Allowed {
    Staff,
    Leader,
    Owner,
    StaffOrOwner,
}

impl Action {
    fn allowed(&self) -> Allowed {
        match self {
            Self::Extend { .. } | Self::Stop { .. } => Allowed::Leader,
            Self::Withdraw { .. } | Self::Rate { .. } => Allowed::Owner,
            Self::ReceiveSupplement { .. } => Allowed::StaffOrOwner,
            _ => Allowed::Staff,
        }
    }

    fn into_event(self) -> EventKind {
        match self {
            Self::Accept => EventKind::Accepted,
            Self::Refuse { reason } => EventKind::RefusedAtIntake { reason },
            Self::Assign { officer } => EventKind::Assigned { officer },
            Self::Forward { to_unit, reason } => EventKind::Forwarded { to_unit, reason },
            Self::RequestSupplement { items, note } => {
                EventKind::SupplementRequested { items, note }
            }
            Self::ReceiveSupplement { note } => EventKind::SupplementReceived { note },
            Self::RequestPayment { amount, note } => EventKind::PaymentRequested { amount, note },
            Self::Pay {
                amount,
                method,
                online,
                reference,
            } => EventKind::Paid {
                payment: Payment {
                    amount,
                    method,
                    online,
                    reference,
                },
            },
            Self::Extend { new_due, reason } => EventKind::Extended { new_due, reason },
            Self::Decide {
                outcome,
                note,
                results,
            } => EventKind::Decided {
                outcome,
                note,
                results,
            },
            Self::Return { method } => EventKind::Returned { method },
            Self::Withdraw { reason } => EventKind::Withdrawn { reason },
            Self::Stop { reason } => EventKind::Stopped { reason },
            Self::Rate { score, comment } => EventKind::Rated { score, comment },
        }
    }
}

/// A dossier as its staff or owner sees it, with the due date explained.
#[derive(Debug, Clone, Serialize)]
pub struct DossierView {
    pub dossier: Dossier,
    pub status_code: u8,
    pub status_label: &'static str,
    /// Ngày hẹn trả (ISO with +07:00), None while paused or before acceptance.
    pub due: Option<String>,
    /// Late now (open) or finished late.
    pub late: bool,
    pub verdict: Option<Verdict>,
    pub due_explanation: Vec<ExplainStep>,
}

/// How a step is taken: confirmed by the payment gateway (on the owner's behalf), and the
/// accounts a batch already read (officers it assigns).
#[derive(Clone, Copy, Default)]
pub(crate) struct StepContext<'a> {
    pub gateway_confirmed: bool,
    pub known_accounts: Option<&'a HashMap<String, Option<AccountRow>>>,
}

/// The receipt given at intake: the code, the lookup secret (shown once) and the due date.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    pub code: String,
    /// Mã tra cứu: printed on the receipt, stored only hashed.
    pub secret: String,
    pub view: DossierView,
}

/// A step of the history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryStep {
    pub seq: u32,
    pub at: String,
    pub kind: &'static str,
    pub label: &'static str,
    pub actor: String,
    pub actor_title: String,
    pub unit: String,
    pub unit_name: String,
    pub detail: serde_json::Value,
    pub hash: String,
}

/// What anyone with the code and the secret may see: no personal data.
#[derive(Debug, Clone, Serialize)]
pub struct PublicView {
    pub code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub status_code: u8,
    pub status_label: &'static str,
    pub submitted_at: String,
    pub received_at: Option<String>,
    pub due: Option<String>,
    pub finished_at: Option<String>,
    pub returned_at: Option<String>,
    pub late: bool,
    pub verdict: Option<Verdict>,
    pub receiving_unit: String,
    pub current_unit: String,
    pub steps: Vec<PublicStep>,
    /// Phiếu xin lỗi: each apology with its new date and reason.
    pub apologies: Vec<PublicApology>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicStep {
    pub at: String,
    pub label: &'static str,
    pub unit_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicApology {
    pub at: String,
    pub new_due: String,
    pub reason: String,
}

/// A page of dossiers.
#[derive(Debug, Clone, Serialize)]
pub struct DossierPage {
    pub total: i64,
    pub items: Vec<DossierSummaryView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DossierSummaryView {
    pub code: String,
    pub procedure_code: String,
    pub status_code: i64,
    pub status_label: &'static str,
    pub channel: i64,
    pub applicant_name: String,
    pub current_unit: String,
    pub assignee: Option<String>,
    pub submitted_at: String,
    pub due_at: Option<String>,
    pub finished_at: Option<String>,
    pub version: i64,
}

/// Filters a caller may set when listing.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    pub status: Option<u8>,
    pub procedure_code: Option<String>,
    /// YYYY-MM-DD inclusive.
    pub from: Option<String>,
    /// YYYY-MM-DD inclusive.
    pub to: Option<String>,
    pub unit: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

fn text_ok(s: &str, max: usize, what: &str) -> Result<()> {
    if s.chars().count() > max {
        return Err(AppError::Invalid(format!("{what} dài quá {max} ký tự")));
    }
    Ok(())
}

fn applicant(input: ApplicantInput) -> Result<Applicant> {
    let name = input.name.trim();
    if name.is_empty() {
        return Err(AppError::Invalid("thiếu họ tên chủ hồ sơ".into()));
    }
    text_ok(name, 200, "họ tên")?;
    text_ok(&input.address, 500, "địa chỉ")?;
    let id = input.id_number.trim();
    if !id.is_empty()
        && (id.len() > 20 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    {
        return Err(AppError::Invalid(
            "số giấy tờ tùy thân / mã số doanh nghiệp không hợp lệ".into(),
        ));
    }
    let phone = input.phone.trim();
    if !phone.is_empty()
        && (phone.len() > 15
            || !phone
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'+' || b == b' '))
    {
        return Err(AppError::Invalid("số điện thoại không hợp lệ".into()));
    }
    let email = input.email.trim();
    if !email.is_empty()
        && (email.len() > 254 || !email.contains('@') || email.contains(char::is_whitespace))
    {
        return Err(AppError::Invalid("địa chỉ thư điện tử không hợp lệ".into()));
    }
    Ok(Applicant {
        kind: input.kind,
        name: name.to_owned(),
        id_number: id.to_owned(),
        phone: phone.to_owned(),
        email: email.to_owned(),
        address: input.address.trim().to_owned(),
    })
}

fn components(inputs: Vec<ComponentInput>) -> Result<Vec<Component>> {
    if inputs.len() > 100 {
        return Err(AppError::Invalid(
            "quá nhiều thành phần hồ sơ (tối đa 100)".into(),
        ));
    }
    inputs
        .into_iter()
        .map(|c| {
            let name = c.name.trim().to_owned();
            if name.is_empty() {
                return Err(AppError::Invalid("thành phần hồ sơ thiếu tên".into()));
            }
            text_ok(&name, 500, "tên thành phần")?;
            Ok(Component {
                name,
                digitised: c.digitised,
                reused: c.reused,
                from_national_data: c.from_national_data,
                file_ref: c.file_ref,
            })
        })
        .collect()
}

impl App {
    pub(crate) fn unit(&self, id: &str) -> Result<Unit> {
        self.units()?
            .get(id)
            .cloned()
            .ok_or_else(|| AppError::NotFound(format!("đơn vị {id}")))
    }

    fn unit_name(&self, id: &str) -> String {
        self.units()
            .ok()
            .and_then(|t| t.get(id).map(|u| u.full_name.clone()))
            .unwrap_or_else(|| id.to_owned())
    }

    /// The procedure, typed.
    /// A procedure read from the store now, not from the cache: for a read-modify-write.
    pub(crate) async fn procedure_fresh(&self, code: &str) -> Result<Procedure> {
        let row = self
            .store
            .procedure(code)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("thủ tục {code}")))?;
        serde_json::from_str(&row.data)
            .map_err(|e| AppError::Internal(format!("procedure {code}: {e}")))
    }

    pub async fn procedure(&self, code: &str) -> Result<Procedure> {
        self.procedure_cached(code)
            .await?
            .map(|p| p.procedure.clone())
            .ok_or_else(|| AppError::NotFound(format!("thủ tục {code}")))
    }

    /// Staff may act on a dossier at or below their unit.
    fn staff_scope(&self, who: &Principal, d: &Dossier) -> Result<()> {
        let Some(unit) = &who.unit_id else {
            return Err(AppError::Forbidden(
                "tài khoản không thuộc đơn vị nào".into(),
            ));
        };
        let tree = self.units()?;
        if tree.is_within(&d.current_unit, unit) || tree.is_within(&d.receiving_unit, unit) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "hồ sơ {} không thuộc đơn vị của bạn",
                d.code
            )))
        }
    }

    fn may_read(&self, who: &Principal, d: &Dossier, owner: Option<&str>) -> Result<()> {
        match who.role {
            Role::Citizen if owner == Some(who.account_id.as_str()) => Ok(()),
            Role::Citizen => Err(AppError::NotFound(format!("hồ sơ {}", d.code))),
            Role::Admin => Ok(()),
            Role::Officer | Role::Leader => self.staff_scope(who, d),
        }
    }

    fn actor(who: &Principal) -> Actor {
        Actor {
            account: who.account_id.clone(),
            name: who.display_name.clone(),
            title: who.title.clone(),
        }
    }

    fn view(&self, d: Dossier) -> Result<DossierView> {
        let clock = self.clock_for(&self.unit(&d.receiving_unit)?)?;
        let (due, explain, verdict, late) = match d
            .clock_request()
            .map_err(|e| AppError::Internal(e.to_string()))?
        {
            None => (None, Vec::new(), None, false),
            Some(req) => {
                let due = clock
                    .due(&req)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                let explain = clock.explain(&due);
                let (verdict, late) = d.judge(&due, self.now());
                (due.due, explain, verdict, late)
            }
        };
        Ok(DossierView {
            status_code: d.status.code(),
            status_label: d.status.label(),
            due: due.map(iso_datetime),
            late,
            verdict,
            due_explanation: explain,
            dossier: d,
        })
    }

    fn due_of(&self, d: &Dossier) -> Result<Option<DateTime>> {
        Ok(self.projected(d)?.due_at)
    }

    /// The row's computed columns: the due date now, and lateness once finished, judged by
    /// the domain (`Dossier::judge`) so every reader of the row agrees with the dossier page.
    pub(crate) fn projected(&self, d: &Dossier) -> Result<Projected> {
        Ok(self.projected_with_due(d)?.0)
    }

    /// As [`projected`](Self::projected), with the due date and the clock that computed it
    /// (None before acceptance), so the indicator facts reuse them.
    pub(crate) fn projected_with_due(
        &self,
        d: &Dossier,
    ) -> Result<(Projected, Option<DueAndClock>)> {
        let Some(req) = d
            .clock_request()
            .map_err(|e| AppError::Internal(e.to_string()))?
        else {
            return Ok((Projected::default(), None));
        };
        let clock = self.clock_for(&self.unit(&d.receiving_unit)?)?;
        let due = clock
            .due(&req)
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        let finished_late = d.finished_at().map(|at| d.judge(&due, at).1);
        Ok((
            Projected {
                due_at: due.due,
                finished_late,
                finishes: false,
                facts: None,
                outbox: Vec::new(),
            },
            Some((due, clock)),
        ))
    }

    /// Receives a dossier: at the counter or by post (staff of the receiving unit) or online
    /// (a citizen, to the unit of their choice). Returns the receipt.
    pub async fn create_dossier(&self, who: &Principal, input: NewDossier) -> Result<Receipt> {
        self.create_dossier_with_files(who, input, Vec::new()).await
    }

    /// Receives a dossier with its components' files, stored in the same transaction. Each
    /// file is attached to the component of the same name (added if the list lacks it).
    pub async fn create_dossier_with_files(
        &self,
        who: &Principal,
        mut input: NewDossier,
        uploads: Vec<Upload>,
    ) -> Result<Receipt> {
        let files = crate::files::prepare(uploads)?;
        attach_files(&mut input.components, &files);
        let (dossier, event) = self.first_step(who, input).await?;
        let mut projected = self.projection(&dossier).await?;
        projected.outbox = self.outbox_for(&dossier, &event, projected.due_at).await?;
        let secret = random_hex(4)?.to_uppercase();
        let owner = (who.role == Role::Citizen).then_some(who.account_id.as_str());
        self.store
            .insert_dossier(
                &dossier,
                &event,
                &lookup_secret_hash(&secret),
                owner,
                &projected,
                &files,
            )
            .await?;
        Ok(Receipt {
            code: dossier.code.clone(),
            secret,
            view: self.view(dossier)?,
        })
    }

    /// The rules of receiving a dossier: who may receive it where, the procedure's channel
    /// and time limit, the applicant and components; takes the next code of the day and
    /// seals the first event. Nothing else is written.
    pub(crate) async fn first_step(
        &self,
        who: &Principal,
        input: NewDossier,
    ) -> Result<(Dossier, Event)> {
        let procedure = self.procedure(input.procedure_code.trim()).await?;
        let online = input.channel == Channel::Online;
        let receiving_id = match (who.role, online) {
            (Role::Citizen, true) => input
                .receiving_unit
                .clone()
                .ok_or_else(|| AppError::Invalid("chọn đơn vị tiếp nhận hồ sơ".into()))?,
            (Role::Officer | Role::Leader, false) => who
                .unit_id
                .clone()
                .ok_or_else(|| AppError::Forbidden("tài khoản không thuộc đơn vị nào".into()))?,
            (Role::Citizen, false) => {
                return Err(AppError::Forbidden(
                    "công dân chỉ nộp hồ sơ trực tuyến".into(),
                ));
            }
            (Role::Admin, _) | (_, true) => {
                return Err(AppError::Forbidden(
                    "hồ sơ trực tuyến do công dân nộp; hồ sơ trực tiếp do cán bộ một cửa tiếp nhận"
                        .into(),
                ));
            }
        };
        let receiving = self.unit(&receiving_id)?;
        let now = self.now();
        if !receiving.is_active_on(now.date()) {
            return Err(AppError::Invalid(format!(
                "{} không còn hoạt động ({})",
                receiving.full_name,
                receiving.validity_text()
            )));
        }
        let competent_id = input
            .competent_unit
            .clone()
            .unwrap_or_else(|| receiving_id.clone());
        self.unit(&competent_id)?;
        let limit = procedure.limit(input.channel).ok_or_else(|| {
            AppError::Invalid(format!(
                "thủ tục {} không thực hiện qua kênh {} hoặc chưa có thời hạn giải quyết hợp lệ",
                procedure.code,
                input.channel.label()
            ))
        })?;
        let applicant = applicant(input.applicant)?;
        let components = components(input.components)?;
        let seq = self
            .store
            .next_dossier_seq(&receiving.agency_code, &now.strftime("%y%m%d").to_string())
            .await?;
        let code = DossierCode::new(&receiving.agency_code, now.date(), seq)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let kind = EventKind::intake(
            online,
            Intake {
                procedure_code: procedure.code.clone(),
                channel: input.channel,
                applicant,
                components,
                receiving_unit: receiving_id.clone(),
                competent_unit: competent_id,
                limit: limit.spec(),
                after_15h_next_day: procedure.after_15h_next_day,
            },
        );
        let body = EventBody {
            dossier: code.to_string(),
            seq: 1,
            at: now,
            actor: Self::actor(who),
            unit: receiving_id,
            step_deadline: None,
            kind,
        };
        let event =
            Event::seal(body, GENESIS_HASH).map_err(|e| AppError::Internal(e.to_string()))?;
        let dossier = Dossier::start(&event).map_err(|e| AppError::Invalid(e.to_string()))?;
        Ok((dossier, event))
    }

    /// Takes one lifecycle action. `expected_version`, when given, makes a stale page fail
    /// with a conflict instead of acting on a dossier that changed meanwhile.
    pub async fn act(
        &self,
        who: &Principal,
        code: &str,
        expected_version: Option<u32>,
        action: Action,
    ) -> Result<DossierView> {
        self.act_with_files(who, code, expected_version, action, Vec::new())
            .await
    }

    /// Takes one action bringing files (a supplement's documents), stored with its event.
    pub async fn act_with_files(
        &self,
        who: &Principal,
        code: &str,
        expected_version: Option<u32>,
        action: Action,
        uploads: Vec<Upload>,
    ) -> Result<DossierView> {
        let files = crate::files::prepare(uploads)?;
        if !files.is_empty() && !matches!(action, Action::ReceiveSupplement { .. }) {
            return Err(AppError::Invalid(
                "chỉ gửi kèm tệp khi nộp hồ sơ hoặc bổ sung hồ sơ".into(),
            ));
        }
        self.act_as(who, code, expected_version, action, files, false)
            .await
    }

    /// Records a payment a gateway confirmed (its signature checked by the caller) on the
    /// owner's behalf. Citizens cannot record payments themselves: `Pay` is a staff action,
    /// and this is the one other way in.
    pub(crate) async fn record_confirmed_payment(
        &self,
        owner: &Principal,
        code: &str,
        action: Action,
    ) -> Result<DossierView> {
        if !matches!(action, Action::Pay { online: true, .. }) {
            return Err(AppError::Internal(
                "only online payments are confirmed".into(),
            ));
        }
        self.act_as(owner, code, None, action, Vec::new(), true)
            .await
    }

    async fn act_as(
        &self,
        who: &Principal,
        code: &str,
        expected_version: Option<u32>,
        action: Action,
        files: Vec<NewAttachment>,
        gateway_confirmed: bool,
    ) -> Result<DossierView> {
        let (dossier, meta) = self
            .store
            .dossier(code)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("hồ sơ {code}")))?;
        let owner = meta.owner_account.as_deref();
        let (next, event) = self
            .next_step(
                who,
                &dossier,
                owner,
                expected_version,
                action,
                StepContext {
                    gateway_confirmed,
                    known_accounts: None,
                },
            )
            .await?;
        let mut projected = Projected {
            finishes: dossier.finished_at().is_none() && next.finished_at().is_some(),
            ..self.projection(&next).await?
        };
        projected.outbox = self.outbox_for(&next, &event, projected.due_at).await?;
        self.store
            .append_event(&next, &event, dossier.version, &projected, &files)
            .await?;
        self.view(next)
    }

    /// The rules of one action: who may take it on this dossier, whether the references it
    /// names exist, and the event it makes (sealed onto the chain) with the dossier after it.
    /// Nothing is written.
    pub(crate) async fn next_step(
        &self,
        who: &Principal,
        dossier: &Dossier,
        owner_account: Option<&str>,
        expected_version: Option<u32>,
        action: Action,
        how: StepContext<'_>,
    ) -> Result<(Dossier, Event)> {
        let StepContext {
            gateway_confirmed,
            known_accounts,
        } = how;
        let code = dossier.code.as_str();
        let is_owner = owner_account == Some(who.account_id.as_str());
        match (action.allowed(), who.role) {
            (_, Role::Citizen) if is_owner && gateway_confirmed => {}
            (Allowed::Owner | Allowed::StaffOrOwner, Role::Citizen) if is_owner => {}
            // Another citizen's dossier does not exist for them, whatever the action.
            (_, Role::Citizen) if !is_owner => {
                return Err(AppError::NotFound(format!("hồ sơ {code}")));
            }
            (_, Role::Citizen) => {
                return Err(AppError::Forbidden(
                    "thao tác này do cán bộ thực hiện; thanh toán trực tuyến qua cổng thanh toán"
                        .into(),
                ));
            }
            (Allowed::Owner, _) => {
                return Err(AppError::Forbidden(
                    "chỉ chủ hồ sơ được thực hiện thao tác này".into(),
                ));
            }
            (Allowed::Leader, Role::Leader) => self.staff_scope(who, dossier)?,
            (Allowed::Leader, _) => {
                return Err(AppError::Forbidden(
                    "chỉ lãnh đạo đơn vị được gia hạn hoặc dừng xử lý".into(),
                ));
            }
            (Allowed::Staff | Allowed::StaffOrOwner, Role::Officer | Role::Leader) => {
                self.staff_scope(who, dossier)?
            }
            _ => return Err(AppError::Forbidden("vai trò này không xử lý hồ sơ".into())),
        }
        if let Some(v) = expected_version
            && v != dossier.version
        {
            return Err(AppError::Conflict(code.to_owned()));
        }
        // References must exist: the officer assigned, the unit forwarded to.
        match &action {
            Action::Assign { officer } => {
                let acc = match known_accounts.and_then(|k| k.get(officer)) {
                    Some(acc) => acc.clone(),
                    None => self.store.account_by_id(officer).await?,
                }
                .ok_or_else(|| AppError::NotFound(format!("cán bộ {officer}")))?;
                let in_scope = acc.unit_id.as_deref().is_some_and(|u| {
                    self.units().is_ok_and(|t| {
                        t.is_within(u, &dossier.current_unit)
                            || t.is_within(&dossier.current_unit, u)
                    })
                });
                if !matches!(acc.role.as_str(), "officer" | "leader") || !in_scope {
                    return Err(AppError::Invalid(format!(
                        "{} không phải cán bộ của đơn vị đang xử lý hồ sơ",
                        acc.display_name
                    )));
                }
            }
            Action::Forward { to_unit, .. } => {
                let unit = self.unit(to_unit)?;
                if !unit.is_active_on(self.now().date()) {
                    return Err(AppError::Invalid(format!(
                        "{} không còn hoạt động",
                        unit.full_name
                    )));
                }
            }
            _ => {}
        }
        let now = self.now();
        let step_deadline = self.due_of(dossier)?;
        let body = EventBody {
            dossier: dossier.code.clone(),
            seq: dossier.version + 1,
            at: now,
            actor: Self::actor(who),
            unit: who
                .unit_id
                .clone()
                .unwrap_or_else(|| dossier.current_unit.clone()),
            step_deadline,
            kind: action.into_event(),
        };
        let event =
            Event::seal(body, &dossier.last_hash).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut next = dossier.clone();
        next.apply(&event)
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        Ok((next, event))
    }

    /// One dossier, for its owner or its staff.
    pub async fn dossier(&self, who: &Principal, code: &str) -> Result<DossierView> {
        let (d, meta) = self
            .store
            .dossier(code)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("hồ sơ {code}")))?;
        self.may_read(who, &d, meta.owner_account.as_deref())?;
        self.view(d)
    }

    /// The whole history, with hashes.
    pub async fn history(&self, who: &Principal, code: &str) -> Result<Vec<HistoryStep>> {
        let (d, meta) = self
            .store
            .dossier(code)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("hồ sơ {code}")))?;
        self.may_read(who, &d, meta.owner_account.as_deref())?;
        let events = self.store.events(code).await?;
        Ok(events
            .into_iter()
            .map(|e| HistoryStep {
                seq: e.body.seq,
                at: iso_datetime(e.body.at),
                kind: e.body.kind.name(),
                label: e.body.kind.label(),
                actor: e.body.actor.name.clone(),
                actor_title: e.body.actor.title.clone(),
                unit_name: self.unit_name(&e.body.unit),
                unit: e.body.unit,
                detail: serde_json::to_value(&e.body.kind).unwrap_or(serde_json::Value::Null),
                hash: e.hash,
            })
            .collect())
    }

    /// Public lookup by code and secret. An unknown code and a wrong secret give the same
    /// answer, so codes cannot be probed.
    pub async fn public_lookup(&self, code: &str, secret: &str) -> Result<PublicView> {
        let not_found = || AppError::NotFound("hồ sơ với mã và mã tra cứu này".into());
        if code.len() > 64 || secret.is_empty() || secret.len() > 64 {
            return Err(not_found());
        }
        let Some((d, meta, events)) = self.store.dossier_with_events(code).await? else {
            return Err(not_found());
        };
        if meta.secret_hash != lookup_secret_hash(secret) {
            return Err(not_found());
        }
        let procedure_name = self
            .procedure_cached(&d.procedure_code)
            .await
            .ok()
            .flatten()
            .map(|p| p.row.name.clone())
            .unwrap_or_default();
        // The due date and the verdict, without the explanation the public view leaves out.
        let clock = self.clock_for(&self.unit(&d.receiving_unit)?)?;
        let (due, verdict, late) = match d
            .clock_request()
            .map_err(|e| AppError::Internal(e.to_string()))?
        {
            None => (None, None, false),
            Some(req) => {
                let due = clock
                    .due(&req)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                let (verdict, late) = d.judge(&due, self.now());
                (due.due.map(iso_datetime), verdict, late)
            }
        };
        Ok(PublicView {
            code: d.code.clone(),
            procedure_code: d.procedure_code.clone(),
            procedure_name,
            status_code: d.status.code(),
            status_label: d.status.label(),
            submitted_at: iso_datetime(d.submitted_at),
            received_at: d.received_at.map(iso_datetime),
            due,
            finished_at: d.finished_at().map(iso_datetime),
            returned_at: d.returned_at.map(iso_datetime),
            late,
            verdict,
            receiving_unit: self.unit_name(&d.receiving_unit),
            current_unit: self.unit_name(&d.current_unit),
            steps: events
                .iter()
                .map(|e| PublicStep {
                    at: iso_datetime(e.body.at),
                    label: e.body.kind.label(),
                    unit_name: self.unit_name(&e.body.unit),
                })
                .collect(),
            apologies: d
                .extensions
                .iter()
                .map(|(at, new_due, reason)| PublicApology {
                    at: iso_datetime(*at),
                    new_due: iso_datetime(*new_due),
                    reason: reason.clone(),
                })
                .collect(),
        })
    }

    /// Lists the dossiers a caller may see: own (citizen), unit subtree (staff), all (admin).
    pub async fn list_dossiers(&self, who: &Principal, q: ListQuery) -> Result<DossierPage> {
        let per_page = q.per_page.unwrap_or(20).clamp(1, 200);
        let page = q.page.unwrap_or(1).max(1);
        let mut filter = DossierFilter {
            limit: per_page,
            offset: (page - 1).saturating_mul(per_page),
            procedure_code: q.procedure_code,
            status: match q.status {
                Some(s) => Some(i64::from(
                    Status::from_code(s)
                        .ok_or_else(|| {
                            AppError::Invalid(format!("trạng thái {s} không hợp lệ (1-10)"))
                        })?
                        .code(),
                )),
                None => None,
            },
            ..Default::default()
        };
        let day = |s: &str, what: &str| -> Result<String> {
            s.parse::<jiff::civil::Date>()
                .map(|d| d.to_string())
                .map_err(|_| AppError::Invalid(format!("{what} '{s}' không hợp lệ (YYYY-MM-DD)")))
        };
        if let Some(f) = &q.from {
            filter.from = Some(day(f, "từ ngày")?);
        }
        if let Some(t) = &q.to {
            let d = day(t, "đến ngày")?;
            filter.to = Some(format!("{d}T23:59:60"));
        }
        match who.role {
            Role::Citizen => filter.owner_account = Some(who.account_id.clone()),
            Role::Officer | Role::Leader => {
                let base = who.unit_id.clone().ok_or_else(|| {
                    AppError::Forbidden("tài khoản không thuộc đơn vị nào".into())
                })?;
                let root = match &q.unit {
                    Some(u) if self.units()?.is_within(u, &base) => u.clone(),
                    Some(u) => {
                        return Err(AppError::Forbidden(format!(
                            "đơn vị {u} nằm ngoài phạm vi của bạn"
                        )));
                    }
                    None => base,
                };
                filter.units = Some(
                    self.units()?
                        .subtree(&root)
                        .map(|u| u.id.as_str().to_owned())
                        .collect(),
                );
            }
            Role::Admin => {
                if let Some(u) = &q.unit {
                    filter.units = Some(
                        self.units()?
                            .subtree(u)
                            .map(|u| u.id.as_str().to_owned())
                            .collect(),
                    );
                }
            }
        }
        let (total, items) = self.store.list_dossiers(&filter).await?;
        Ok(DossierPage {
            total,
            items: items.into_iter().map(summary_view).collect(),
        })
    }
}

/// Points each component at its uploaded file, adding components the list lacks.
fn attach_files(components: &mut Vec<ComponentInput>, files: &[NewAttachment]) {
    for f in files {
        match components
            .iter_mut()
            .find(|c| c.name.trim() == f.component && c.file_ref.is_none())
        {
            Some(c) => {
                c.file_ref = Some(f.id.clone());
                c.digitised = true;
            }
            None => components.push(ComponentInput {
                name: f.component.clone(),
                digitised: true,
                reused: false,
                from_national_data: false,
                file_ref: Some(f.id.clone()),
            }),
        }
    }
}

fn summary_view(s: DossierSummary) -> DossierSummaryView {
    let status = u8::try_from(s.status).ok().and_then(Status::from_code);
    DossierSummaryView {
        status_label: status.map_or("", Status::label),
        code: s.code,
        procedure_code: s.procedure_code,
        status_code: s.status,
        channel: s.channel,
        applicant_name: s.applicant_name,
        current_unit: s.current_unit,
        assignee: s.assignee,
        submitted_at: s.submitted_at,
        due_at: s.due_at,
        finished_at: s.finished_at,
        version: s.version,
    }
}
