//! Dossiers (hồ sơ) and their lifecycle: the state machine, the events that are the truth, the
//! hash chain that makes history tamper-evident, and the dossier code.
//!
//! A dossier is its append-only list of [`Event`]s. [`Dossier`] is the projection: folding the
//! events through [`Dossier::apply`] gives the current state, and `apply` is also the one place
//! that refuses an impossible transition. Statuses map 1:1 to the national portal's
//! TrangThaiHoSo codes 1-10.

use jiff::civil::{Date, DateTime};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

use crate::calendar::{
    ClockRequest, DueDate, Extension, ExtensionKind, Pause, StartRule, TimeLimit, Verdict,
    WorkingClock,
};
/// Kênh thực hiện (KenhThucHien): the catalogue's channel, one definition for both.
pub use crate::procedure::Channel;

/// Trạng thái hồ sơ (TrangThaiHoSo on the national portal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 1 Mới đăng ký: submitted online, not yet accepted.
    Submitted,
    /// 2 Được tiếp nhận.
    Accepted,
    /// 3 Không được tiếp nhận.
    Refused,
    /// 4 Đang xử lý.
    Processing,
    /// 5 Yêu cầu bổ sung giấy tờ.
    AwaitingSupplement,
    /// 6 Yêu cầu thực hiện nghĩa vụ tài chính.
    AwaitingPayment,
    /// 7 Công dân yêu cầu rút hồ sơ.
    Withdrawn,
    /// 8 Dừng xử lý.
    Stopped,
    /// 9 Đã xử lý xong.
    Decided,
    /// 10 Đã trả kết quả.
    Returned,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Submitted,
        Status::Accepted,
        Status::Refused,
        Status::Processing,
        Status::AwaitingSupplement,
        Status::AwaitingPayment,
        Status::Withdrawn,
        Status::Stopped,
        Status::Decided,
        Status::Returned,
    ];

    /// The national portal's TrangThaiHoSo code.
    pub fn code(self) -> u8 {
        match self {
            Self::Submitted => 1,
            Self::Accepted => 2,
            Self::Refused => 3,
            Self::Processing => 4,
            Self::AwaitingSupplement => 5,
            Self::AwaitingPayment => 6,
            Self::Withdrawn => 7,
            Self::Stopped => 8,
            Self::Decided => 9,
            Self::Returned => 10,
        }
    }

    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The Vietnamese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Submitted => "Mới đăng ký",
            Self::Accepted => "Được tiếp nhận",
            Self::Refused => "Không được tiếp nhận",
            Self::Processing => "Đang xử lý",
            Self::AwaitingSupplement => "Yêu cầu bổ sung giấy tờ",
            Self::AwaitingPayment => "Yêu cầu thực hiện nghĩa vụ tài chính",
            Self::Withdrawn => "Công dân yêu cầu rút hồ sơ",
            Self::Stopped => "Dừng xử lý",
            Self::Decided => "Đã xử lý xong",
            Self::Returned => "Đã trả kết quả",
        }
    }

    /// No event but a rating (after return) can follow.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Refused | Self::Withdrawn | Self::Stopped | Self::Returned
        )
    }

    /// The statutory clock is counting (or paused) in this status.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Accepted | Self::Processing | Self::AwaitingSupplement | Self::AwaitingPayment
        )
    }
}

/// Loại đối tượng (LoaiDoiTuong).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    Citizen,
    Business,
    StateAgency,
    Other,
}

impl ApplicantKind {
    pub fn code(self) -> u8 {
        match self {
            Self::Citizen => 1,
            Self::Business => 2,
            Self::StateAgency => 3,
            Self::Other => 4,
        }
    }
}

/// Chủ hồ sơ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub kind: ApplicantKind,
    pub name: String,
    /// Số CCCD / mã số doanh nghiệp.
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub address: String,
}

/// Thành phần hồ sơ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    pub name: String,
    /// Số hóa: an electronic copy exists.
    pub digitised: bool,
    /// Tái sử dụng: reused from an earlier dossier's result.
    pub reused: bool,
    /// From the national population / enterprise data store.
    pub from_national_data: bool,
    /// Stored file, if any.
    pub file_ref: Option<String>,
}

/// Kết quả giải quyết.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Approved,
    Rejected,
}

/// A result document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultDoc {
    pub name: String,
    pub electronic: bool,
    pub file_ref: Option<String>,
}

/// How a fee was paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// VND.
    pub amount: i64,
    pub method: String,
    pub online: bool,
    pub reference: String,
}

/// What happened: each variant is one lifecycle step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// Nộp trực tuyến: a dossier submitted online waits for acceptance (status 1).
    Submitted {
        procedure_code: String,
        channel: Channel,
        applicant: Applicant,
        components: Vec<Component>,
        receiving_unit: String,
        competent_unit: String,
        limit: String,
        after_15h_next_day: bool,
    },
    /// Tiếp nhận at the counter or by post, or acceptance of an online dossier (status 2).
    Received {
        procedure_code: String,
        channel: Channel,
        applicant: Applicant,
        components: Vec<Component>,
        receiving_unit: String,
        competent_unit: String,
        limit: String,
        after_15h_next_day: bool,
    },
    /// An online dossier accepted (status 1 → 2); the clock starts now.
    Accepted,
    /// Từ chối tiếp nhận, with the reason (form 03).
    RefusedAtIntake { reason: String },
    /// Assigned to an officer (status → 4).
    Assigned { officer: String },
    /// Chuyển liên thông to another unit (status → 4).
    Forwarded { to_unit: String, reason: String },
    /// Yêu cầu bổ sung, listing every missing item at once (form 02). Pauses the clock.
    SupplementRequested { items: Vec<String>, note: String },
    /// The citizen supplemented; the clock resumes.
    SupplementReceived { note: String },
    /// Yêu cầu thực hiện nghĩa vụ tài chính. Pauses the clock.
    PaymentRequested { amount: i64, note: String },
    /// A fee paid (at intake, or answering a payment request, which resumes the clock).
    Paid { payment: Payment },
    /// Gia hạn with an apology letter (phiếu xin lỗi và hẹn lại ngày trả kết quả, form 04).
    Extended { new_due: DateTime, reason: String },
    /// Decision recorded (status 9).
    Decided {
        outcome: Outcome,
        note: String,
        results: Vec<ResultDoc>,
    },
    /// Result returned to the applicant (status 10).
    Returned { method: Channel },
    /// The citizen withdrew the dossier (status 7).
    Withdrawn { reason: String },
    /// Processing stopped (status 8, form 05).
    Stopped { reason: String },
    /// Đánh giá: 1-5 and a comment, once, after the result.
    Rated { score: u8, comment: String },
}

/// What the first event of a dossier records, online (nộp trực tuyến) or at the counter or
/// by post (tiếp nhận): the same fields either way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intake {
    pub procedure_code: String,
    pub channel: Channel,
    pub applicant: Applicant,
    pub components: Vec<Component>,
    pub receiving_unit: String,
    pub competent_unit: String,
    pub limit: String,
    pub after_15h_next_day: bool,
}

impl EventKind {
    /// The first event of a dossier: `Submitted` when filed online, else `Received`.
    pub fn intake(online: bool, i: Intake) -> Self {
        // One field list for both variants: they record the same intake.
        macro_rules! from_intake {
            ($variant:ident) => {
                Self::$variant {
                    procedure_code: i.procedure_code,
                    channel: i.channel,
                    applicant: i.applicant,
                    components: i.components,
                    receiving_unit: i.receiving_unit,
                    competent_unit: i.competent_unit,
                    limit: i.limit,
                    after_15h_next_day: i.after_15h_next_day,
                }
            };
        }
        if online {
            from_intake!(Submitted)
        } else {
            from_intake!(Received)
        }
    }

    /// Short machine name, e.g. `supplement_requested`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Submitted { .. } => "submitted",
            Self::Received { .. } => "received",
            Self::Accepted => "accepted",
            Self::RefusedAtIntake { .. } => "refused_at_intake",
            Self::Assigned { .. } => "assigned",
            Self::Forwarded { .. } => "forwarded",
            Self::SupplementRequested { .. } => "supplement_requested",
            Self::SupplementReceived { .. } => "supplement_received",
            Self::PaymentRequested { .. } => "payment_requested",
            Self::Paid { .. } => "paid",
            Self::Extended { .. } => "extended",
            Self::Decided { .. } => "decided",
            Self::Returned { .. } => "returned",
            Self::Withdrawn { .. } => "withdrawn",
            Self::Stopped { .. } => "stopped",
            Self::Rated { .. } => "rated",
        }
    }

    /// What the step means, in Vietnamese, for a history list.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Submitted { .. } => "Nộp hồ sơ trực tuyến",
            Self::Received { .. } => "Tiếp nhận hồ sơ",
            Self::Accepted => "Tiếp nhận hồ sơ trực tuyến",
            Self::RefusedAtIntake { .. } => "Từ chối tiếp nhận",
            Self::Assigned { .. } => "Phân công xử lý",
            Self::Forwarded { .. } => "Chuyển liên thông",
            Self::SupplementRequested { .. } => "Yêu cầu bổ sung hồ sơ",
            Self::SupplementReceived { .. } => "Nhận hồ sơ bổ sung",
            Self::PaymentRequested { .. } => "Yêu cầu thực hiện nghĩa vụ tài chính",
            Self::Paid { .. } => "Thanh toán phí, lệ phí",
            Self::Extended { .. } => "Gia hạn, xin lỗi và hẹn lại ngày trả",
            Self::Decided { .. } => "Có kết quả giải quyết",
            Self::Returned { .. } => "Trả kết quả",
            Self::Withdrawn { .. } => "Công dân rút hồ sơ",
            Self::Stopped { .. } => "Dừng xử lý",
            Self::Rated { .. } => "Đánh giá mức độ hài lòng",
        }
    }
}

/// Who did it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Account id, or `public` / `system`.
    pub account: String,
    pub name: String,
    /// Chức danh.
    pub title: String,
}

/// The part of an event that is hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventBody {
    pub dossier: String,
    /// 1, 2, 3, … within the dossier.
    pub seq: u32,
    pub at: DateTime,
    pub actor: Actor,
    /// The unit the step happened in.
    pub unit: String,
    /// The step's own deadline (hạn xử lý của bước), if it has one.
    pub step_deadline: Option<DateTime>,
    pub kind: EventKind,
}

impl EventBody {
    /// The member of staff this step makes a handler of the dossier (người tham mưu giải
    /// quyết): the officer it is assigned to, or whoever takes a processing step (asks for a
    /// supplement or a payment, decides, stops). Receiving, forwarding (liên thông) and
    /// returning at the counter do not make a handler, nor does the leader's apology with a new
    /// date (it follows lateness, it does not cause it); neither do citizens or the system.
    pub fn handled_by(&self) -> Option<&str> {
        match &self.kind {
            EventKind::Assigned { officer } => Some(officer.as_str()),
            EventKind::SupplementRequested { .. }
            | EventKind::PaymentRequested { .. }
            | EventKind::Decided { .. }
            | EventKind::Stopped { .. } => {
                let a = self.actor.account.as_str();
                (a != "public" && a != "system" && !a.is_empty()).then_some(a)
            }
            _ => None,
        }
    }
}

/// A recorded event: its body as canonical JSON, chained by SHA-256 to the previous event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub body: EventBody,
    /// The exact bytes that were hashed (stored as they are, so verification never depends on
    /// re-serialising with a later version of the code).
    pub canonical: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Hash of "no previous event".
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of the previous hash, a newline and the canonical body.
pub fn chain_hash(prev_hash: &str, canonical: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical.as_bytes());
    hex(&h.finalize())
}

impl Event {
    /// Seals a body onto the chain after `prev_hash`.
    pub fn seal(body: EventBody, prev_hash: &str) -> Result<Self, DossierError> {
        let canonical =
            serde_json::to_string(&body).map_err(|e| DossierError::Encoding(e.to_string()))?;
        let hash = chain_hash(prev_hash, &canonical);
        Ok(Self {
            body,
            canonical,
            prev_hash: prev_hash.to_owned(),
            hash,
        })
    }
}

/// Where a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("hồ sơ {dossier}, sự kiện {seq}: mã băm không khớp nội dung (nội dung đã bị sửa)")]
    HashMismatch { dossier: String, seq: u32 },
    #[error("hồ sơ {dossier}, sự kiện {seq}: không nối đúng vào sự kiện trước")]
    BrokenLink { dossier: String, seq: u32 },
    #[error("hồ sơ {dossier}, sự kiện {seq}: số thứ tự không liên tục")]
    Gap { dossier: String, seq: u32 },
    #[error("hồ sơ {dossier}, sự kiện {seq}: nội dung không đọc được hoặc khác các cột đã lưu")]
    BodyMismatch { dossier: String, seq: u32 },
}

/// Verifies one dossier's chain: each hash matches its bytes, each event links to the previous
/// one, sequence numbers run 1, 2, 3 … Returns the first broken link.
pub fn verify_chain<'a>(events: impl IntoIterator<Item = &'a Event>) -> Result<usize, ChainError> {
    let mut prev = GENESIS_HASH.to_owned();
    let mut n = 0;
    for e in events {
        let (dossier, seq) = (e.body.dossier.clone(), e.body.seq);
        if seq as usize != n + 1 {
            return Err(ChainError::Gap { dossier, seq });
        }
        if e.prev_hash != prev {
            return Err(ChainError::BrokenLink { dossier, seq });
        }
        if chain_hash(&e.prev_hash, &e.canonical) != e.hash {
            return Err(ChainError::HashMismatch { dossier, seq });
        }
        match serde_json::from_str::<EventBody>(&e.canonical) {
            Ok(body) if body == e.body => {}
            _ => return Err(ChainError::BodyMismatch { dossier, seq }),
        }
        prev = e.hash.clone();
        n += 1;
    }
    Ok(n)
}

/// Mã hồ sơ: `{agency identifier}-{YYMMDD}-{NNNN}` (Circular 01/2018 Art. 19).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DossierCode(String);

impl DossierCode {
    /// The code for the `seq`-th dossier (from 1) received by an agency on a date.
    pub fn new(agency_code: &str, date: Date, seq: u32) -> Result<Self, DossierError> {
        if agency_code.is_empty()
            || agency_code.len() > 40
            || !agency_code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.')
        {
            return Err(DossierError::Invalid(format!(
                "mã định danh cơ quan '{agency_code}' không hợp lệ"
            )));
        }
        if seq == 0 {
            return Err(DossierError::Invalid("số thứ tự phải từ 1".to_owned()));
        }
        Ok(Self(format!(
            "{agency_code}-{:02}{:02}{:02}-{seq:04}",
            date.year().rem_euclid(100),
            date.month(),
            date.day()
        )))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for DossierCode {
    type Err = DossierError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || DossierError::Invalid(format!("mã hồ sơ '{s}' không đúng dạng"));
        let mut parts = s.rsplitn(3, '-');
        let (Some(seq), Some(date), Some(agency)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        if date.len() != 6
            || !date.bytes().all(|b| b.is_ascii_digit())
            || seq.len() < 4
            || seq.len() > 9
            || !seq.bytes().all(|b| b.is_ascii_digit())
            || agency.is_empty()
            || agency.len() > 40
            || !agency
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.')
        {
            return Err(bad());
        }
        let (mm, dd): (i8, i8) = (
            date[2..4].parse().map_err(|_| bad())?,
            date[4..6].parse().map_err(|_| bad())?,
        );
        Date::new(2000, mm, dd).map_err(|_| bad())?;
        Ok(Self(s.to_owned()))
    }
}

/// Why a dossier step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DossierError {
    #[error("không thể {action} khi hồ sơ ở trạng thái '{status}'")]
    Transition {
        action: &'static str,
        status: &'static str,
    },
    #[error("hồ sơ đã tồn tại, không thể tạo lại")]
    AlreadyCreated,
    #[error("hồ sơ chưa được tạo")]
    NotCreated,
    #[error("dữ liệu không hợp lệ: {0}")]
    Invalid(String),
    #[error("mã hóa sự kiện thất bại: {0}")]
    Encoding(String),
    #[error("sự kiện {got} không nối tiếp sự kiện {expected}")]
    OutOfOrder { expected: u32, got: u32 },
}

/// The current state of a dossier: the projection of its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dossier {
    pub code: String,
    pub procedure_code: String,
    pub status: Status,
    pub channel: Channel,
    pub applicant: Applicant,
    pub components: Vec<Component>,
    /// Đơn vị tiếp nhận.
    pub receiving_unit: String,
    /// Đơn vị có thẩm quyền.
    pub competent_unit: String,
    /// Where the dossier is now.
    pub current_unit: String,
    pub assignee: Option<String>,
    pub limit: String,
    pub after_15h_next_day: bool,
    /// Ngày nộp.
    pub submitted_at: DateTime,
    /// Ngày tiếp nhận (clock start); None until accepted.
    pub received_at: Option<DateTime>,
    pub pauses: Vec<(DateTime, Option<DateTime>, String)>,
    pub extensions: Vec<(DateTime, DateTime, String)>,
    pub supplement_requests: u32,
    /// When a second supplement request was made: from then on the national on-time
    /// indicator counts the dossier as late (hướng dẫn một lần).
    #[serde(default)]
    pub second_supplement_at: Option<DateTime>,
    pub payment_requested: Option<i64>,
    pub payments: Vec<Payment>,
    pub outcome: Option<Outcome>,
    pub results: Vec<ResultDoc>,
    /// Ngày có kết quả.
    pub decided_at: Option<DateTime>,
    /// Ngày trả kết quả.
    pub returned_at: Option<DateTime>,
    /// When the dossier left the clock without a result (refused, withdrawn, stopped).
    pub closed_at: Option<DateTime>,
    pub rating: Option<(u8, String)>,
    /// Number of events applied (optimistic version).
    pub version: u32,
    pub last_hash: String,
    /// Status to go back to when a supplement arrives.
    resume_status: Option<Status>,
}

fn refuse(action: &'static str, status: Status) -> DossierError {
    DossierError::Transition {
        action,
        status: status.label(),
    }
}

fn require(ok: bool, message: &str) -> Result<(), DossierError> {
    if ok {
        Ok(())
    } else {
        Err(DossierError::Invalid(message.to_owned()))
    }
}

impl Dossier {
    /// Creates the projection from a dossier's first event.
    pub fn start(event: &Event) -> Result<Self, DossierError> {
        if event.body.seq != 1 {
            return Err(DossierError::OutOfOrder {
                expected: 1,
                got: event.body.seq,
            });
        }
        let (
            online,
            procedure_code,
            channel,
            applicant,
            components,
            receiving,
            competent,
            limit,
            after_15h,
        ) = match &event.body.kind {
            EventKind::Submitted {
                procedure_code,
                channel,
                applicant,
                components,
                receiving_unit,
                competent_unit,
                limit,
                after_15h_next_day,
            } => (
                true,
                procedure_code,
                channel,
                applicant,
                components,
                receiving_unit,
                competent_unit,
                limit,
                after_15h_next_day,
            ),
            EventKind::Received {
                procedure_code,
                channel,
                applicant,
                components,
                receiving_unit,
                competent_unit,
                limit,
                after_15h_next_day,
            } => (
                false,
                procedure_code,
                channel,
                applicant,
                components,
                receiving_unit,
                competent_unit,
                limit,
                after_15h_next_day,
            ),
            _ => return Err(DossierError::NotCreated),
        };
        require(!applicant.name.trim().is_empty(), "thiếu tên chủ hồ sơ")?;
        require(!procedure_code.trim().is_empty(), "thiếu mã thủ tục")?;
        limit
            .parse::<TimeLimit>()
            .map_err(|e| DossierError::Invalid(e.to_string()))?;
        let at = event.body.at;
        Ok(Self {
            code: event.body.dossier.clone(),
            procedure_code: procedure_code.clone(),
            status: if online {
                Status::Submitted
            } else {
                Status::Accepted
            },
            channel: *channel,
            applicant: applicant.clone(),
            components: components.clone(),
            receiving_unit: receiving.clone(),
            competent_unit: competent.clone(),
            current_unit: receiving.clone(),
            assignee: None,
            limit: limit.clone(),
            after_15h_next_day: *after_15h,
            submitted_at: at,
            received_at: (!online).then_some(at),
            pauses: Vec::new(),
            extensions: Vec::new(),
            supplement_requests: 0,
            second_supplement_at: None,
            payment_requested: None,
            payments: Vec::new(),
            outcome: None,
            results: Vec::new(),
            decided_at: None,
            returned_at: None,
            closed_at: None,
            rating: None,
            version: 1,
            last_hash: event.hash.clone(),
            resume_status: None,
        })
    }

    /// Checks that `kind` may follow now, without changing anything.
    pub fn check(&self, kind: &EventKind) -> Result<(), DossierError> {
        let mut probe = self.clone();
        probe.transition(kind, self.submitted_at)
    }

    /// Applies the next event, or refuses it with the reason.
    pub fn apply(&mut self, event: &Event) -> Result<(), DossierError> {
        if event.body.seq != self.version + 1 {
            return Err(DossierError::OutOfOrder {
                expected: self.version + 1,
                got: event.body.seq,
            });
        }
        let mut next = self.clone();
        next.transition(&event.body.kind, event.body.at)?;
        next.version = event.body.seq;
        next.last_hash = event.hash.clone();
        *self = next;
        Ok(())
    }

    fn transition(&mut self, kind: &EventKind, at: DateTime) -> Result<(), DossierError> {
        use Status::*;
        let s = self.status;
        match kind {
            EventKind::Submitted { .. } | EventKind::Received { .. } => {
                return Err(DossierError::AlreadyCreated);
            }
            EventKind::Accepted => {
                if s != Submitted {
                    return Err(refuse("tiếp nhận", s));
                }
                self.status = Accepted;
                self.received_at = Some(at);
            }
            EventKind::RefusedAtIntake { reason } => {
                if !matches!(s, Submitted | AwaitingSupplement) || self.received_at.is_some() {
                    return Err(refuse("từ chối tiếp nhận", s));
                }
                require(!reason.trim().is_empty(), "phải nêu lý do từ chối")?;
                self.status = Refused;
                self.closed_at = Some(at);
            }
            EventKind::Assigned { officer } => {
                if !matches!(s, Accepted | Processing) {
                    return Err(refuse("phân công", s));
                }
                require(!officer.trim().is_empty(), "thiếu cán bộ được phân công")?;
                self.assignee = Some(officer.clone());
                self.status = Processing;
            }
            EventKind::Forwarded { to_unit, .. } => {
                if !matches!(s, Accepted | Processing) {
                    return Err(refuse("chuyển liên thông", s));
                }
                require(!to_unit.trim().is_empty(), "thiếu đơn vị nhận")?;
                require(
                    to_unit != &self.current_unit,
                    "không thể chuyển cho chính đơn vị đang xử lý",
                )?;
                self.current_unit = to_unit.clone();
                self.assignee = None;
                self.status = Processing;
            }
            EventKind::SupplementRequested { items, .. } => {
                if !matches!(s, Submitted | Accepted | Processing) {
                    return Err(refuse("yêu cầu bổ sung", s));
                }
                require(
                    !items.is_empty() && items.iter().all(|i| !i.trim().is_empty()),
                    "phải liệt kê đầy đủ giấy tờ cần bổ sung (hướng dẫn một lần)",
                )?;
                self.resume_status = Some(if s == Submitted {
                    Submitted
                } else {
                    Processing
                });
                self.status = AwaitingSupplement;
                self.supplement_requests += 1;
                if self.supplement_requests == 2 {
                    self.second_supplement_at = Some(at);
                }
                if self.received_at.is_some() {
                    self.pauses.push((at, None, "chờ bổ sung hồ sơ".to_owned()));
                }
            }
            EventKind::SupplementReceived { .. } => {
                if s != AwaitingSupplement {
                    return Err(refuse("nhận hồ sơ bổ sung", s));
                }
                self.status = self.resume_status.take().unwrap_or(Processing);
                self.close_pause(at);
            }
            EventKind::PaymentRequested { amount, .. } => {
                if !matches!(s, Accepted | Processing) {
                    return Err(refuse("yêu cầu thực hiện nghĩa vụ tài chính", s));
                }
                require(*amount > 0, "số tiền phải lớn hơn 0")?;
                self.payment_requested = Some(*amount);
                self.status = AwaitingPayment;
                self.pauses
                    .push((at, None, "chờ thực hiện nghĩa vụ tài chính".to_owned()));
            }
            EventKind::Paid { payment } => {
                if !matches!(
                    s,
                    Submitted | Accepted | Processing | AwaitingPayment | Decided
                ) {
                    return Err(refuse("ghi nhận thanh toán", s));
                }
                require(payment.amount > 0, "số tiền phải lớn hơn 0")?;
                self.payments.push(payment.clone());
                if s == AwaitingPayment {
                    self.payment_requested = None;
                    self.status = Processing;
                    self.close_pause(at);
                }
            }
            EventKind::Extended { new_due, reason } => {
                if !s.is_open() {
                    return Err(refuse("gia hạn", s));
                }
                require(!reason.trim().is_empty(), "phải nêu lý do gia hạn")?;
                require(*new_due > at, "ngày hẹn mới phải sau thời điểm gia hạn")?;
                self.extensions.push((at, *new_due, reason.clone()));
            }
            EventKind::Decided {
                outcome, results, ..
            } => {
                if !matches!(s, Accepted | Processing) {
                    return Err(refuse("ghi nhận kết quả", s));
                }
                if *outcome == Outcome::Approved {
                    require(
                        !results.is_empty(),
                        "hồ sơ được giải quyết phải có giấy tờ kết quả",
                    )?;
                }
                self.outcome = Some(*outcome);
                self.results = results.clone();
                self.decided_at = Some(at);
                self.status = Decided;
            }
            EventKind::Returned { .. } => {
                if s != Decided {
                    return Err(refuse("trả kết quả", s));
                }
                self.returned_at = Some(at);
                self.status = Returned;
            }
            EventKind::Withdrawn { .. } => {
                if !matches!(
                    s,
                    Submitted | Accepted | Processing | AwaitingSupplement | AwaitingPayment
                ) {
                    return Err(refuse("rút hồ sơ", s));
                }
                self.close_pause(at);
                self.status = Withdrawn;
                self.closed_at = Some(at);
            }
            EventKind::Stopped { reason } => {
                if !matches!(
                    s,
                    Accepted | Processing | AwaitingSupplement | AwaitingPayment
                ) {
                    return Err(refuse("dừng xử lý", s));
                }
                require(!reason.trim().is_empty(), "phải nêu lý do dừng xử lý")?;
                self.close_pause(at);
                self.status = Stopped;
                self.closed_at = Some(at);
            }
            EventKind::Rated { score, .. } => {
                if s != Returned {
                    return Err(refuse("đánh giá", s));
                }
                if self.rating.is_some() {
                    return Err(DossierError::Invalid("hồ sơ đã được đánh giá".to_owned()));
                }
                require((1..=5).contains(score), "điểm đánh giá phải từ 1 đến 5")?;
                if let EventKind::Rated { comment, .. } = kind {
                    self.rating = Some((*score, comment.clone()));
                }
            }
        }
        Ok(())
    }

    fn close_pause(&mut self, at: DateTime) {
        if let Some(p) = self.pauses.last_mut()
            && p.1.is_none()
        {
            p.1 = Some(at);
        }
    }

    /// The statutory clock's inputs, once the dossier has been received.
    pub fn clock_request(&self) -> Result<Option<ClockRequest>, DossierError> {
        let Some(start) = self.received_at else {
            return Ok(None);
        };
        let limit: TimeLimit = self
            .limit
            .parse()
            .map_err(|e: crate::calendar::ClockError| DossierError::Invalid(e.to_string()))?;
        let mut req = ClockRequest::new(start, limit);
        if self.after_15h_next_day {
            req.start_rule = StartRule::after_15h();
        }
        req.pauses = self
            .pauses
            .iter()
            .map(|(s, e, r)| Pause {
                start: *s,
                end: *e,
                reason: r.clone(),
            })
            .collect();
        req.extensions = self
            .extensions
            .iter()
            .map(|(at, new_due, reason)| Extension {
                at: *at,
                kind: ExtensionKind::NewDue(*new_due),
                reason: reason.clone(),
            })
            .collect();
        Ok(Some(req))
    }

    /// The clock's inputs without the new dates given with apologies (gia hạn): the statutory
    /// due date, against which the indicators judge lateness. Same as
    /// [`clock_request`](Self::clock_request) when there was no apology.
    pub fn statutory_clock_request(&self) -> Result<Option<ClockRequest>, DossierError> {
        Ok(self.clock_request()?.map(|mut req| {
            req.extensions.clear();
            req
        }))
    }

    /// When the dossier's work ended for the clock: decided, or closed without a result.
    pub fn finished_at(&self) -> Option<DateTime> {
        self.decided_at.or(self.closed_at)
    }

    /// Judges the dossier against its due date at instant `at`: the verdict once it is finished
    /// (trước hạn / đúng hạn / trễ hạn), and whether it is late: finished late, or still open
    /// (counting or paused) past a known due date. The one place this rule lives.
    pub fn judge(&self, due: &DueDate, at: DateTime) -> (Option<Verdict>, bool) {
        let verdict = match (self.finished_at(), due.due) {
            (Some(f), Some(_)) => WorkingClock::verdict(due, f).ok(),
            _ => None,
        };
        let late = match (verdict, due.due) {
            (Some(v), _) => v == Verdict::Late,
            (None, Some(when)) => self.status.is_open() && at > when,
            _ => false,
        };
        (verdict, late)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn applicant() -> Applicant {
        Applicant {
            kind: ApplicantKind::Citizen,
            name: "Nguyễn Văn A".into(),
            id_number: "062090000001".into(),
            phone: "0900000000".into(),
            email: String::new(),
            address: "Kon Tum".into(),
        }
    }

    fn body(seq: u32, at: &str, kind: EventKind) -> EventBody {
        EventBody {
            dossier: "000.00.20.H34-250303-0001".into(),
            seq,
            at: at.parse().unwrap(),
            actor: Actor {
                account: "u1".into(),
                name: "Cán bộ".into(),
                title: "Chuyên viên".into(),
            },
            unit: "u:1".into(),
            step_deadline: None,
            kind,
        }
    }

    fn received(online: bool) -> EventKind {
        let (procedure_code, channel, applicant, components, receiving_unit, competent_unit) = (
            "1.001193".to_owned(),
            if online {
                Channel::Online
            } else {
                Channel::Counter
            },
            applicant(),
            vec![],
            "u:1".to_owned(),
            "u:2".to_owned(),
        );
        let limit = "5 working-days".to_owned();
        if online {
            EventKind::Submitted {
                procedure_code,
                channel,
                applicant,
                components,
                receiving_unit,
                competent_unit,
                limit,
                after_15h_next_day: false,
            }
        } else {
            EventKind::Received {
                procedure_code,
                channel,
                applicant,
                components,
                receiving_unit,
                competent_unit,
                limit,
                after_15h_next_day: false,
            }
        }
    }

    /// Seals and applies a list of events; returns the dossier and the chain.
    fn run(kinds: Vec<(&str, EventKind)>) -> Result<(Dossier, Vec<Event>), DossierError> {
        let mut prev = GENESIS_HASH.to_owned();
        let mut events = Vec::new();
        let mut dossier: Option<Dossier> = None;
        for (i, (at, kind)) in kinds.into_iter().enumerate() {
            let e = Event::seal(body(i as u32 + 1, at, kind), &prev)?;
            prev = e.hash.clone();
            match dossier.as_mut() {
                None => dossier = Some(Dossier::start(&e)?),
                Some(d) => d.apply(&e)?,
            }
            events.push(e);
        }
        Ok((dossier.ok_or(DossierError::NotCreated)?, events))
    }

    #[test]
    fn status_codes_map_one_to_one() {
        for (i, s) in Status::ALL.iter().enumerate() {
            assert_eq!(s.code() as usize, i + 1);
            assert_eq!(Status::from_code(s.code()), Some(*s));
        }
        assert_eq!(Status::from_code(11), None);
    }

    #[test]
    fn whole_life_at_the_counter() {
        let (d, events) = run(vec![
            ("2025-03-03T08:00", received(false)),
            (
                "2025-03-03T09:00",
                EventKind::Assigned {
                    officer: "u2".into(),
                },
            ),
            (
                "2025-03-03T10:00",
                EventKind::SupplementRequested {
                    items: vec!["Bản sao CCCD".into()],
                    note: String::new(),
                },
            ),
            (
                "2025-03-05T10:00",
                EventKind::SupplementReceived {
                    note: String::new(),
                },
            ),
            (
                "2025-03-05T11:00",
                EventKind::PaymentRequested {
                    amount: 50_000,
                    note: String::new(),
                },
            ),
            (
                "2025-03-05T14:00",
                EventKind::Paid {
                    payment: Payment {
                        amount: 50_000,
                        method: "sandbox".into(),
                        online: true,
                        reference: "T1".into(),
                    },
                },
            ),
            (
                "2025-03-06T09:00",
                EventKind::Decided {
                    outcome: Outcome::Approved,
                    note: String::new(),
                    results: vec![ResultDoc {
                        name: "Giấy khai sinh".into(),
                        electronic: true,
                        file_ref: None,
                    }],
                },
            ),
            (
                "2025-03-06T10:00",
                EventKind::Returned {
                    method: Channel::Counter,
                },
            ),
            (
                "2025-03-06T10:05",
                EventKind::Rated {
                    score: 5,
                    comment: "Tốt".into(),
                },
            ),
        ])
        .unwrap();
        assert_eq!(d.status, Status::Returned);
        assert_eq!(d.version, 9);
        assert_eq!(d.pauses.len(), 2);
        assert!(d.pauses.iter().all(|p| p.1.is_some()));
        assert_eq!(verify_chain(&events), Ok(9));
        let req = d.clock_request().unwrap().unwrap();
        assert_eq!(req.pauses.len(), 2);
    }

    #[test]
    fn online_dossier_starts_clock_on_acceptance() {
        let (d, _) = run(vec![
            ("2025-03-01T20:00", received(true)),
            ("2025-03-03T08:00", EventKind::Accepted),
        ])
        .unwrap();
        assert_eq!(d.status, Status::Accepted);
        assert_eq!(d.received_at, Some("2025-03-03T08:00".parse().unwrap()));
    }

    #[test]
    fn impossible_transitions_are_refused() {
        let bad: Vec<(Vec<(&str, EventKind)>, &str)> = vec![
            (
                vec![
                    ("2025-03-03T08:00", received(false)),
                    (
                        "2025-03-03T09:00",
                        EventKind::Returned {
                            method: Channel::Counter,
                        },
                    ),
                ],
                "trả kết quả",
            ),
            (
                vec![
                    ("2025-03-03T08:00", received(false)),
                    ("2025-03-03T09:00", EventKind::Accepted),
                ],
                "tiếp nhận",
            ),
            (
                vec![
                    ("2025-03-03T08:00", received(true)),
                    (
                        "2025-03-03T09:00",
                        EventKind::Rated {
                            score: 5,
                            comment: String::new(),
                        },
                    ),
                ],
                "đánh giá",
            ),
            (
                vec![
                    ("2025-03-03T08:00", received(false)),
                    (
                        "2025-03-03T09:00",
                        EventKind::SupplementRequested {
                            items: vec![],
                            note: String::new(),
                        },
                    ),
                ],
                "hướng dẫn một lần",
            ),
            (
                vec![
                    ("2025-03-03T08:00", received(false)),
                    (
                        "2025-03-03T09:00",
                        EventKind::Stopped { reason: "x".into() },
                    ),
                    (
                        "2025-03-03T10:00",
                        EventKind::Assigned {
                            officer: "u".into(),
                        },
                    ),
                ],
                "phân công",
            ),
            (
                vec![
                    ("2025-03-03T08:00", received(false)),
                    ("2025-03-03T09:00", received(false)),
                ],
                "đã tồn tại",
            ),
            (
                vec![
                    ("2025-03-03T08:00", received(false)),
                    (
                        "2025-03-03T09:00",
                        EventKind::RefusedAtIntake { reason: "x".into() },
                    ),
                ],
                "từ chối",
            ),
        ];
        for (events, expected) in bad {
            let err = run(events).unwrap_err().to_string();
            assert!(err.contains(expected), "{err} should mention {expected}");
        }
    }

    #[test]
    fn rating_only_once_and_in_range() {
        let base = || {
            vec![
                ("2025-03-03T08:00", received(false)),
                (
                    "2025-03-03T09:00",
                    EventKind::Decided {
                        outcome: Outcome::Rejected,
                        note: "không đủ điều kiện".into(),
                        results: vec![],
                    },
                ),
                (
                    "2025-03-03T10:00",
                    EventKind::Returned {
                        method: Channel::Counter,
                    },
                ),
            ]
        };
        let mut twice = base();
        twice.push((
            "2025-03-03T11:00",
            EventKind::Rated {
                score: 4,
                comment: String::new(),
            },
        ));
        twice.push((
            "2025-03-03T12:00",
            EventKind::Rated {
                score: 4,
                comment: String::new(),
            },
        ));
        assert!(run(twice).is_err());
        let mut zero = base();
        zero.push((
            "2025-03-03T11:00",
            EventKind::Rated {
                score: 0,
                comment: String::new(),
            },
        ));
        assert!(run(zero).is_err());
    }

    #[test]
    fn chain_detects_edits() {
        let (_, mut events) = run(vec![
            ("2025-03-03T08:00", received(false)),
            (
                "2025-03-03T09:00",
                EventKind::Assigned {
                    officer: "u2".into(),
                },
            ),
            (
                "2025-03-03T10:00",
                EventKind::Stopped { reason: "x".into() },
            ),
        ])
        .unwrap();
        assert_eq!(verify_chain(&events), Ok(3));
        let mut edited = events.clone();
        edited[1].canonical = edited[1].canonical.replace("u2", "u3");
        assert!(matches!(
            verify_chain(&edited),
            Err(ChainError::HashMismatch { seq: 2, .. })
        ));
        let mut column = events.clone();
        column[1].body.actor.name = "Người khác".into();
        assert!(matches!(
            verify_chain(&column),
            Err(ChainError::BodyMismatch { seq: 2, .. })
        ));
        events.remove(1);
        assert!(matches!(
            verify_chain(&events),
            Err(ChainError::Gap { seq: 3, .. })
        ));
    }

    /// Every event kind tried from every reachable status: exactly the allowed table passes.
    #[test]
    fn transition_matrix() {
        use Status::*;
        // Paths that reach each status from a counter receipt (or an online submission).
        let paths: Vec<(Status, bool, Vec<EventKind>)> = vec![
            (Submitted, true, vec![]),
            (Accepted, false, vec![]),
            (
                Refused,
                true,
                vec![EventKind::RefusedAtIntake { reason: "x".into() }],
            ),
            (
                Processing,
                false,
                vec![EventKind::Assigned {
                    officer: "u".into(),
                }],
            ),
            (
                AwaitingSupplement,
                false,
                vec![EventKind::SupplementRequested {
                    items: vec!["a".into()],
                    note: String::new(),
                }],
            ),
            (
                AwaitingPayment,
                false,
                vec![EventKind::PaymentRequested {
                    amount: 1,
                    note: String::new(),
                }],
            ),
            (
                Withdrawn,
                false,
                vec![EventKind::Withdrawn {
                    reason: String::new(),
                }],
            ),
            (
                Stopped,
                false,
                vec![EventKind::Stopped { reason: "x".into() }],
            ),
            (
                Decided,
                false,
                vec![EventKind::Decided {
                    outcome: Outcome::Rejected,
                    note: String::new(),
                    results: vec![],
                }],
            ),
            (
                Returned,
                false,
                vec![
                    EventKind::Decided {
                        outcome: Outcome::Rejected,
                        note: String::new(),
                        results: vec![],
                    },
                    EventKind::Returned {
                        method: Channel::Counter,
                    },
                ],
            ),
        ];
        let kinds: Vec<EventKind> = vec![
            EventKind::Accepted,
            EventKind::RefusedAtIntake { reason: "x".into() },
            EventKind::Assigned {
                officer: "u".into(),
            },
            EventKind::Forwarded {
                to_unit: "u:9".into(),
                reason: String::new(),
            },
            EventKind::SupplementRequested {
                items: vec!["a".into()],
                note: String::new(),
            },
            EventKind::SupplementReceived {
                note: String::new(),
            },
            EventKind::PaymentRequested {
                amount: 1,
                note: String::new(),
            },
            EventKind::Paid {
                payment: Payment {
                    amount: 1,
                    method: "m".into(),
                    online: true,
                    reference: String::new(),
                },
            },
            EventKind::Extended {
                new_due: "2025-04-01T08:00".parse().unwrap(),
                reason: "x".into(),
            },
            EventKind::Decided {
                outcome: Outcome::Rejected,
                note: String::new(),
                results: vec![],
            },
            EventKind::Returned {
                method: Channel::Counter,
            },
            EventKind::Withdrawn {
                reason: String::new(),
            },
            EventKind::Stopped { reason: "x".into() },
            EventKind::Rated {
                score: 5,
                comment: String::new(),
            },
        ];
        // The allowed table: status → event names that may follow.
        let allowed = |s: Status| -> &'static [&'static str] {
            match s {
                Submitted => &[
                    "accepted",
                    "refused_at_intake",
                    "supplement_requested",
                    "paid",
                    "withdrawn",
                ],
                Accepted => &[
                    "assigned",
                    "forwarded",
                    "supplement_requested",
                    "payment_requested",
                    "paid",
                    "extended",
                    "decided",
                    "withdrawn",
                    "stopped",
                ],
                Processing => &[
                    "assigned",
                    "forwarded",
                    "supplement_requested",
                    "payment_requested",
                    "paid",
                    "extended",
                    "decided",
                    "withdrawn",
                    "stopped",
                ],
                AwaitingSupplement => &["supplement_received", "extended", "withdrawn", "stopped"],
                AwaitingPayment => &["paid", "extended", "withdrawn", "stopped"],
                Decided => &["paid", "returned"],
                Returned => &["rated"],
                Refused | Withdrawn | Stopped => &[],
            }
        };
        let mut checked = 0;
        for (status, online, path) in &paths {
            let mut events: Vec<(&str, EventKind)> = vec![("2025-03-03T08:00", received(*online))];
            events.extend(path.iter().cloned().map(|k| ("2025-03-03T09:00", k)));
            let (d, _) = run(events.clone()).unwrap();
            assert_eq!(d.status, *status);
            for kind in &kinds {
                let mut with = events.clone();
                with.push(("2025-03-03T10:00", kind.clone()));
                let ok = run(with).is_ok();
                assert_eq!(
                    ok,
                    allowed(*status).contains(&kind.name()),
                    "{:?} then {}",
                    status,
                    kind.name()
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 10 * 14);
    }

    #[test]
    fn due_through_pause_and_extension_uses_the_calendar() {
        use crate::calendar::{Calendar, WorkingClock};
        let clock = WorkingClock::standard(std::sync::Arc::new(Calendar::embedded().unwrap()));
        let (d, _) = run(vec![
            ("2025-01-24T10:00", received(false)),
            (
                "2025-02-03T08:00",
                EventKind::SupplementRequested {
                    items: vec!["a".into()],
                    note: String::new(),
                },
            ),
            (
                "2025-02-05T14:00",
                EventKind::SupplementReceived {
                    note: String::new(),
                },
            ),
        ])
        .unwrap();
        // 5 working days across Tết 2025, plus 20 working hours of pause.
        let due = clock.due(&d.clock_request().unwrap().unwrap()).unwrap();
        assert_eq!(due.due, Some("2025-02-11T16:00".parse().unwrap()));
        let (d, _) = run(vec![
            ("2025-01-24T10:00", received(false)),
            (
                "2025-02-07T11:00",
                EventKind::Extended {
                    new_due: "2025-02-14T17:00".parse().unwrap(),
                    reason: "xin lỗi".into(),
                },
            ),
        ])
        .unwrap();
        let due = clock.due(&d.clock_request().unwrap().unwrap()).unwrap();
        assert_eq!(due.due, Some("2025-02-14T17:00".parse().unwrap()));
    }

    #[test]
    fn judge_open_finished_and_paused() {
        use crate::calendar::{Calendar, WorkingClock};
        let clock = WorkingClock::standard(std::sync::Arc::new(Calendar::embedded().unwrap()));
        let at = |s: &str| -> DateTime { s.parse().unwrap() };
        // Due Thursday 2025-03-06 08:00 (3 working days from Monday 08:00).
        let mut kinds = vec![("2025-03-03T08:00", received(false))];
        if let EventKind::Received { limit, .. } = &mut kinds[0].1 {
            *limit = "3 working-days".into();
        }
        let (open, _) = run(kinds.clone()).unwrap();
        let due = clock.due(&open.clock_request().unwrap().unwrap()).unwrap();
        assert_eq!(open.judge(&due, at("2025-03-06T08:00")), (None, false));
        assert_eq!(open.judge(&due, at("2025-03-06T08:01")), (None, true));
        let mut done = kinds.clone();
        done.push((
            "2025-03-05T09:00",
            EventKind::Decided {
                outcome: Outcome::Rejected,
                note: String::new(),
                results: vec![],
            },
        ));
        let (d, _) = run(done).unwrap();
        assert_eq!(
            d.judge(&due, at("2025-04-01T08:00")),
            (Some(Verdict::Early), false)
        );
        let mut late = kinds.clone();
        late.push((
            "2025-03-06T09:00",
            EventKind::Decided {
                outcome: Outcome::Rejected,
                note: String::new(),
                results: vec![],
            },
        ));
        let (d, _) = run(late).unwrap();
        assert_eq!(
            d.judge(&due, at("2025-03-06T10:00")),
            (Some(Verdict::Late), true)
        );
        // Withdrawn before the due date: finished, not late.
        let mut gone = kinds;
        gone.push((
            "2025-03-04T09:00",
            EventKind::Withdrawn {
                reason: String::new(),
            },
        ));
        let (d, _) = run(gone).unwrap();
        assert!(!d.judge(&due, at("2025-04-01T08:00")).1);
    }

    #[test]
    fn dossier_codes() {
        let c = DossierCode::new("000.00.20.H34", date(2025, 3, 3), 7).unwrap();
        assert_eq!(c.as_str(), "000.00.20.H34-250303-0007");
        assert_eq!(c.as_str().parse::<DossierCode>().unwrap(), c);
        let big = DossierCode::new("000.00.20.H34", date(2025, 3, 3), 12345).unwrap();
        assert_eq!(big.as_str(), "000.00.20.H34-250303-12345");
        for bad in [
            "",
            "abc",
            "000.00.20.H34-251303-0001",
            "000.00.20.H34-250303-01",
            "x y-250303-0001",
            "000.00.20.H34-2503a3-0001",
        ] {
            assert!(bad.parse::<DossierCode>().is_err(), "{bad}");
        }
        assert!(DossierCode::new("bad code", date(2025, 3, 3), 1).is_err());
        assert!(DossierCode::new("000.00.20.H34", date(2025, 3, 3), 0).is_err());
    }
}
