//! Citizen feedback and petitions (phản ánh, kiến nghị — PAKN): the rules that decide them.
//!
//! Owns: the categories ([`Category`]), what a PAKN is about ([`SubjectKind`]), its statuses
//! ([`Status`]), its append-only events ([`Event`], [`EventBody`]) chained by SHA-256, the state
//! folded from them ([`Pakn`]) and which event may follow which ([`Pakn::decide`]); the
//! deadlines as data ([`Rules`], `data/pakn/rules.toml`) counted on the working calendar with
//! the clock paused while the unit waits for the citizen ([`deadlines`]); what may be
//! published ([`Pakn::publishable`]); and how one PAKN counts in a period's figures
//! ([`PaknFacts`], [`count`]).
//!
//! Lifecycle: received (chờ phân loại) → forwarded to the responsible unit (đang xử lý) ⇄
//! waiting for the citizen's information (chờ bổ sung) → answered (đã trả lời) → published
//! (đã công khai, only with the citizen's consent); refused with a reason (từ chối) from
//! received (by the reform office) or forwarded (by the unit, within its window). A rating
//! (1-5) follows an answer, once.

use std::fmt;

use jiff::civil::{Date, DateTime, Time};
use serde::{Deserialize, Serialize};

use crate::calendar::clock::ExplainStep;
use crate::calendar::{ClockRequest, DueDate, Pause, TimeLimit, Verdict, WorkingClock, fmt_date};

/// The shipped deadline rules.
pub const RULES: &str = include_str!("../../../data/pakn/rules.toml");
/// Name of the shipped rules file, for error messages.
pub const RULES_FILE: &str = "pakn/rules.toml";

/// Longest feedback text, question, answer or reason (characters).
pub const MAX_TEXT: usize = 4_000;
/// Longest name, phone, e-mail, code or comment (characters).
pub const MAX_SHORT: usize = 200;
/// Shortest reason for a refusal (characters), so a refusal says why.
pub const MIN_REASON: usize = 10;

/// Why a PAKN or its rules were refused. Messages are Vietnamese: they reach users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaknError {
    #[error("{0} không được để trống")]
    Empty(&'static str),
    #[error("{0} dài quá {1} ký tự")]
    TooLong(&'static str, usize),
    #[error("lý do phải có ít nhất {MIN_REASON} ký tự")]
    ReasonTooShort,
    #[error("loại phản ánh '{0}' không hợp lệ")]
    BadCategory(String),
    #[error("đối tượng phản ánh '{0}' không hợp lệ (thủ tục, hồ sơ hoặc đơn vị)")]
    BadSubject(String),
    #[error("người gửi không đăng nhập phải để lại số điện thoại hoặc thư điện tử")]
    ContactMissing,
    #[error("số điện thoại '{0}' không hợp lệ")]
    BadPhone(String),
    #[error("thư điện tử '{0}' không hợp lệ")]
    BadEmail(String),
    #[error("điểm đánh giá phải từ 1 đến 5")]
    BadRating,
    #[error("không thể {action} khi phản ánh đang ở trạng thái '{status}'")]
    Transition {
        action: &'static str,
        status: &'static str,
    },
    #[error("phản ánh đã được đánh giá")]
    AlreadyRated,
    #[error("người gửi không đồng ý công khai nội dung trả lời")]
    NoConsent,
    #[error("đã quá thời hạn {days} ngày làm việc để {what} (hạn {due})")]
    WindowPassed {
        what: &'static str,
        days: u32,
        due: String,
    },
    #[error("trạng thái '{0}' không hợp lệ")]
    BadStatus(String),
    #[error("sự kiện đầu tiên của phản ánh phải là tiếp nhận")]
    NotStarted,
    #[error("không tính được thời hạn: {0}")]
    Calendar(String),
    #[error("{file}: {message}")]
    Rules { file: String, message: String },
}

/// The kinds of feedback citizens send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Thái độ phục vụ.
    Attitude,
    /// Chậm trễ giải quyết.
    Delay,
    /// Yêu cầu ngoài quy định.
    ExtraRequirement,
    /// Nhũng nhiễu, gây phiền hà: flagged at once to the unit's leader and the reform office.
    Harassment,
    /// Kiến nghị, góp ý.
    Suggestion,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Attitude,
        Category::Delay,
        Category::ExtraRequirement,
        Category::Harassment,
        Category::Suggestion,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Attitude => "thai-do",
            Self::Delay => "cham-tre",
            Self::ExtraRequirement => "ngoai-quy-dinh",
            Self::Harassment => "nhung-nhieu",
            Self::Suggestion => "kien-nghi",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Attitude => "Thái độ phục vụ",
            Self::Delay => "Chậm trễ giải quyết",
            Self::ExtraRequirement => "Yêu cầu ngoài quy định",
            Self::Harassment => "Nhũng nhiễu, gây phiền hà",
            Self::Suggestion => "Kiến nghị, góp ý",
        }
    }

    pub fn parse(code: &str) -> Result<Self, PaknError> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == code.trim())
            .ok_or_else(|| PaknError::BadCategory(code.to_owned()))
    }

    /// Flagged at once to the unit's leader and the reform office.
    pub fn is_flagged(self) -> bool {
        self == Self::Harassment
    }
}

/// What the feedback is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SubjectKind {
    /// A procedure of the catalogue (by code).
    Procedure,
    /// A dossier (by code).
    Dossier,
    /// A unit.
    Unit,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 3] = [Self::Procedure, Self::Dossier, Self::Unit];

    pub fn code(self) -> &'static str {
        match self {
            Self::Procedure => "thu-tuc",
            Self::Dossier => "ho-so",
            Self::Unit => "don-vi",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Procedure => "Thủ tục hành chính",
            Self::Dossier => "Hồ sơ",
            Self::Unit => "Cơ quan, đơn vị",
        }
    }

    pub fn parse(code: &str) -> Result<Self, PaknError> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == code.trim())
            .ok_or_else(|| PaknError::BadSubject(code.to_owned()))
    }
}

/// Where a PAKN stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Đã tiếp nhận, chờ Văn phòng CCHC phân loại.
    Received,
    /// Đã chuyển đơn vị xử lý.
    Forwarded,
    /// Chờ người gửi bổ sung thông tin (the processing clock is paused).
    WaitingInfo,
    /// Từ chối tiếp nhận, xử lý (with a reason).
    Refused,
    /// Đã trả lời.
    Answered,
    /// Đã công khai trả lời.
    Published,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Self::Received,
        Self::Forwarded,
        Self::WaitingInfo,
        Self::Refused,
        Self::Answered,
        Self::Published,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Received => "cho-phan-loai",
            Self::Forwarded => "dang-xu-ly",
            Self::WaitingInfo => "cho-bo-sung",
            Self::Refused => "tu-choi",
            Self::Answered => "da-tra-loi",
            Self::Published => "da-cong-khai",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Received => "Chờ phân loại",
            Self::Forwarded => "Đang xử lý",
            Self::WaitingInfo => "Chờ bổ sung thông tin",
            Self::Refused => "Từ chối",
            Self::Answered => "Đã trả lời",
            Self::Published => "Đã công khai",
        }
    }

    pub fn parse(code: &str) -> Result<Self, PaknError> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == code.trim())
            .ok_or_else(|| PaknError::BadStatus(code.to_owned()))
    }

    /// Still waiting for an answer or refusal.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Received | Self::Forwarded | Self::WaitingInfo)
    }
}

// ---- rules -------------------------------------------------------------------------------

/// The deadlines, in working days, as data.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    pub version: String,
    pub source: String,
    pub valid_from: Date,
    pub refuse_days: u32,
    pub process_days: u32,
    pub ask_info_days: u32,
    pub publish_days: u32,
}

impl Rules {
    /// The shipped rules.
    pub fn embedded() -> Result<Self, PaknError> {
        parse_rules(RULES, RULES_FILE)
    }
}

/// Reads and checks a rules file; every limit must be 1 to 100 working days.
pub fn parse_rules(text: &str, file: &str) -> Result<Rules, PaknError> {
    let rules: Rules = toml::from_str(text).map_err(|e| PaknError::Rules {
        file: file.to_owned(),
        message: format!("TOML không hợp lệ: {}", e.message()),
    })?;
    for (name, days) in [
        ("refuse_days", rules.refuse_days),
        ("process_days", rules.process_days),
        ("ask_info_days", rules.ask_info_days),
        ("publish_days", rules.publish_days),
    ] {
        if !(1..=100).contains(&days) {
            return Err(PaknError::Rules {
                file: file.to_owned(),
                message: format!("{name} phải từ 1 đến 100 ngày làm việc"),
            });
        }
    }
    Ok(rules)
}

// ---- events ------------------------------------------------------------------------------

/// What happened to a PAKN. Contacts (name, phone, e-mail) are not here: they live only on
/// the row, so the history can be shown to staff without repeating them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum EventBody {
    Submitted {
        category: Category,
        subject: SubjectKind,
        procedure: Option<String>,
        dossier: Option<String>,
        /// The unit the citizen named (responsible until the reform office forwards it).
        unit: String,
        body: String,
        /// The citizen agrees that the answer is published.
        consent: bool,
        files: u32,
    },
    /// Classified (category confirmed or adjusted, procedure, unit) and forwarded.
    Forwarded {
        category: Category,
        procedure: Option<String>,
        unit: String,
        note: String,
    },
    Refused {
        reason: String,
    },
    InfoRequested {
        question: String,
    },
    InfoProvided {
        text: String,
        files: u32,
    },
    Answered {
        answer: String,
    },
    /// The question and answer as approved for the public page, without personal data.
    Published {
        question: String,
        answer: String,
    },
    Rated {
        stars: u8,
        comment: String,
    },
}

impl EventBody {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Submitted { .. } => "submitted",
            Self::Forwarded { .. } => "forwarded",
            Self::Refused { .. } => "refused",
            Self::InfoRequested { .. } => "info-requested",
            Self::InfoProvided { .. } => "info-provided",
            Self::Answered { .. } => "answered",
            Self::Published { .. } => "published",
            Self::Rated { .. } => "rated",
        }
    }

    /// The step as people read it in the history.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Submitted { .. } => "Tiếp nhận phản ánh, kiến nghị",
            Self::Forwarded { .. } => "Phân loại và chuyển đơn vị xử lý",
            Self::Refused { .. } => "Từ chối xử lý",
            Self::InfoRequested { .. } => "Đề nghị bổ sung thông tin",
            Self::InfoProvided { .. } => "Người gửi bổ sung thông tin",
            Self::Answered { .. } => "Trả lời",
            Self::Published { .. } => "Công khai trả lời",
            Self::Rated { .. } => "Người gửi đánh giá",
        }
    }
}

/// One event of a PAKN's history: who, when, what; chained to the previous one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// 1 for the submission, then one more each event.
    pub seq: u32,
    pub at: DateTime,
    /// The account id, or `anonymous`.
    pub actor: String,
    pub actor_name: String,
    pub body: EventBody,
    pub prev_hash: String,
    pub hash: String,
}

impl Event {
    /// An event chained after `prev` (None for the first).
    pub fn new(
        prev: Option<&Event>,
        at: DateTime,
        actor: &str,
        actor_name: &str,
        body: EventBody,
    ) -> Self {
        let (seq, prev_hash) = match prev {
            Some(p) => (p.seq + 1, p.hash.clone()),
            None => (1, String::new()),
        };
        let mut e = Self {
            seq,
            at,
            actor: actor.to_owned(),
            actor_name: actor_name.to_owned(),
            body,
            prev_hash,
            hash: String::new(),
        };
        e.hash = e.compute_hash();
        e
    }

    /// SHA-256 over the previous hash and the event's canonical JSON (without its own hash).
    pub fn compute_hash(&self) -> String {
        use sha2::{Digest, Sha256};
        let body = serde_json::to_string(&self.body).unwrap_or_default();
        let text = format!(
            "{}|{}|{}|{}|{}|{}",
            self.prev_hash, self.seq, self.at, self.actor, self.actor_name, body
        );
        Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// The first event whose hash or link does not hold, if any.
pub fn verify_chain(events: &[Event]) -> Option<u32> {
    let mut prev = String::new();
    for (i, e) in events.iter().enumerate() {
        if e.seq as usize != i + 1 || e.prev_hash != prev || e.hash != e.compute_hash() {
            return Some(e.seq);
        }
        prev = e.hash.clone();
    }
    None
}

// ---- state -------------------------------------------------------------------------------

/// A pause of the processing clock: asked for information at `start`, answered at `end`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InfoPause {
    pub start: DateTime,
    pub end: Option<DateTime>,
    pub question: String,
}

/// A PAKN as its events leave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pakn {
    pub category: Category,
    /// The category the citizen chose (the reform office may adjust it).
    pub submitted_category: Category,
    pub subject: SubjectKind,
    pub procedure: Option<String>,
    pub dossier: Option<String>,
    /// The responsible unit: the one named, then the one forwarded to.
    pub unit: String,
    pub named_unit: String,
    pub body: String,
    pub consent: bool,
    pub status: Status,
    pub received_at: DateTime,
    pub forwarded_at: Option<DateTime>,
    pub pauses: Vec<InfoPause>,
    pub answered_at: Option<DateTime>,
    pub answer: Option<String>,
    pub refused_at: Option<DateTime>,
    pub refusal: Option<String>,
    /// Whether the unit (not the reform office) refused.
    pub refused_by_unit: bool,
    pub published_at: Option<DateTime>,
    pub published_question: Option<String>,
    pub published_answer: Option<String>,
    pub rating: Option<u8>,
    pub rating_comment: Option<String>,
    pub rated_at: Option<DateTime>,
    /// Events so far (the version a writer must expect).
    pub version: u32,
}

/// Trims and checks a text field.
pub fn check_text(what: &'static str, text: &str, max: usize) -> Result<String, PaknError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(PaknError::Empty(what));
    }
    if t.chars().count() > max {
        return Err(PaknError::TooLong(what, max));
    }
    Ok(t.to_owned())
}

/// A phone number: digits with an optional leading +, spaces, dots or dashes; 9 to 15 digits.
pub fn check_phone(text: &str) -> Result<Option<String>, PaknError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let ok = t
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || " .-".contains(c) || (i == 0 && c == '+'))
        && (9..=15).contains(&digits);
    if ok {
        Ok(Some(t.to_owned()))
    } else {
        Err(PaknError::BadPhone(t.chars().take(40).collect()))
    }
}

/// An e-mail address, as the notifications accept one
/// ([`crate::notification::is_email`]), within the short-text limit.
pub fn check_email(text: &str) -> Result<Option<String>, PaknError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.chars().count() <= MAX_SHORT && crate::notification::is_email(t) {
        Ok(Some(t.to_owned()))
    } else {
        Err(PaknError::BadEmail(t.chars().take(40).collect()))
    }
}

fn transition(action: &'static str, status: Status) -> PaknError {
    PaknError::Transition {
        action,
        status: status.label(),
    }
}

impl Pakn {
    /// The state after the first event (which must be the submission).
    pub fn start(ev: &Event) -> Result<Self, PaknError> {
        let EventBody::Submitted {
            category,
            subject,
            procedure,
            dossier,
            unit,
            body,
            consent,
            ..
        } = &ev.body
        else {
            return Err(PaknError::NotStarted);
        };
        Ok(Self {
            category: *category,
            submitted_category: *category,
            subject: *subject,
            procedure: procedure.clone(),
            dossier: dossier.clone(),
            unit: unit.clone(),
            named_unit: unit.clone(),
            body: body.clone(),
            consent: *consent,
            status: Status::Received,
            received_at: ev.at,
            forwarded_at: None,
            pauses: Vec::new(),
            answered_at: None,
            answer: None,
            refused_at: None,
            refusal: None,
            refused_by_unit: false,
            published_at: None,
            published_question: None,
            published_answer: None,
            rating: None,
            rating_comment: None,
            rated_at: None,
            version: 1,
        })
    }

    /// Folds a whole history (events already accepted once; windows are not checked again,
    /// so a later calendar notice cannot make stored history unreadable).
    pub fn replay(events: &[Event]) -> Result<Self, PaknError> {
        let (first, rest) = events.split_first().ok_or(PaknError::NotStarted)?;
        let mut p = Self::start(first)?;
        for e in rest {
            p = p.apply(e)?;
        }
        Ok(p)
    }

    /// Applies an event if the status allows it (no deadline windows: see [`Pakn::decide`]).
    pub fn apply(&self, ev: &Event) -> Result<Self, PaknError> {
        let mut p = self.clone();
        p.version += 1;
        match &ev.body {
            EventBody::Submitted { .. } => return Err(transition("tiếp nhận lại", self.status)),
            EventBody::Forwarded {
                category,
                procedure,
                unit,
                ..
            } => {
                if self.status != Status::Received {
                    return Err(transition("phân loại, chuyển xử lý", self.status));
                }
                p.category = *category;
                p.procedure = procedure.clone();
                p.unit = unit.clone();
                p.forwarded_at = Some(ev.at);
                p.status = Status::Forwarded;
            }
            EventBody::Refused { reason } => {
                if !matches!(self.status, Status::Received | Status::Forwarded) {
                    return Err(transition("từ chối", self.status));
                }
                p.refused_by_unit = self.status == Status::Forwarded;
                p.refused_at = Some(ev.at);
                p.refusal = Some(reason.clone());
                p.status = Status::Refused;
            }
            EventBody::InfoRequested { question } => {
                if self.status != Status::Forwarded {
                    return Err(transition("đề nghị bổ sung thông tin", self.status));
                }
                p.pauses.push(InfoPause {
                    start: ev.at,
                    end: None,
                    question: question.clone(),
                });
                p.status = Status::WaitingInfo;
            }
            EventBody::InfoProvided { .. } => {
                if self.status != Status::WaitingInfo {
                    return Err(transition("bổ sung thông tin", self.status));
                }
                if let Some(last) = p.pauses.last_mut() {
                    last.end = Some(ev.at);
                }
                p.status = Status::Forwarded;
            }
            EventBody::Answered { answer } => {
                if self.status != Status::Forwarded {
                    return Err(transition("trả lời", self.status));
                }
                p.answered_at = Some(ev.at);
                p.answer = Some(answer.clone());
                p.status = Status::Answered;
            }
            EventBody::Published { question, answer } => {
                if self.status != Status::Answered {
                    return Err(transition("công khai", self.status));
                }
                if !self.consent {
                    return Err(PaknError::NoConsent);
                }
                p.published_at = Some(ev.at);
                p.published_question = Some(question.clone());
                p.published_answer = Some(answer.clone());
                p.status = Status::Published;
            }
            EventBody::Rated { stars, comment } => {
                if !matches!(self.status, Status::Answered | Status::Published) {
                    return Err(transition("đánh giá", self.status));
                }
                if self.rating.is_some() {
                    return Err(PaknError::AlreadyRated);
                }
                if !(1..=5).contains(stars) {
                    return Err(PaknError::BadRating);
                }
                p.rating = Some(*stars);
                p.rating_comment = Some(comment.clone());
                p.rated_at = Some(ev.at);
            }
        }
        Ok(p)
    }

    /// Applies a new event: the status must allow it, and the unit's windows (to refuse, to ask
    /// for information) must still be open at the event's time.
    pub fn decide(
        &self,
        ev: &Event,
        rules: &Rules,
        clock: &WorkingClock,
    ) -> Result<Self, PaknError> {
        let next = self.apply(ev)?;
        let window = match (&ev.body, self.status) {
            (EventBody::Refused { .. }, Status::Forwarded) => Some(DeadlineKind::UnitRefuse),
            (EventBody::InfoRequested { .. }, _) => Some(DeadlineKind::AskInfo),
            _ => None,
        };
        if let Some(kind) = window
            && let Some(d) = deadline(self, kind, rules, clock)?
            && let Some(due) = d.due.due
            && ev.at > due
        {
            return Err(PaknError::WindowPassed {
                what: kind.window_action(),
                days: d.days,
                due: crate::calendar::fmt_datetime(due),
            });
        }
        Ok(next)
    }

    /// The question and answer as they may be shown publicly: only with consent, once
    /// answered. Staff edit the proposed texts to remove personal data before publishing.
    pub fn publishable(&self) -> Result<(String, String), PaknError> {
        if !self.consent {
            return Err(PaknError::NoConsent);
        }
        match (&self.answer, self.status) {
            (Some(a), Status::Answered) => Ok((self.body.clone(), a.clone())),
            _ => Err(transition("công khai", self.status)),
        }
    }
}

// ---- deadlines ---------------------------------------------------------------------------

/// The deadlines a PAKN is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeadlineKind {
    /// The reform office classifies and forwards, or refuses, from receipt.
    Intake,
    /// The unit may refuse, from forwarding (a window, not an obligation).
    UnitRefuse,
    /// The unit may ask for information, from forwarding (a window).
    AskInfo,
    /// The unit answers, from forwarding, paused while waiting for the citizen.
    Process,
    /// The answer is published (with consent), from the answer.
    Publish,
}

impl DeadlineKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Intake => "tiep-nhan",
            Self::UnitRefuse => "tu-choi",
            Self::AskInfo => "yeu-cau-bo-sung",
            Self::Process => "xu-ly",
            Self::Publish => "cong-khai",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Intake => "Hạn phân loại, chuyển xử lý hoặc từ chối",
            Self::UnitRefuse => "Hạn đơn vị từ chối xử lý",
            Self::AskInfo => "Hạn đề nghị bổ sung thông tin",
            Self::Process => "Hạn trả lời",
            Self::Publish => "Hạn công khai trả lời",
        }
    }

    fn window_action(self) -> &'static str {
        match self {
            Self::UnitRefuse => "từ chối xử lý",
            Self::AskInfo => "đề nghị bổ sung thông tin",
            Self::Intake => "phân loại, chuyển xử lý",
            Self::Process => "trả lời",
            Self::Publish => "công khai",
        }
    }

    /// Whether passing it makes the PAKN overdue (the windows only close a door).
    pub fn is_obligation(self) -> bool {
        matches!(self, Self::Intake | Self::Process | Self::Publish)
    }
}

/// One deadline with how it was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub kind: DeadlineKind,
    pub days: u32,
    /// "15 ngày làm việc kể từ khi chuyển xử lý (Nghị định …)".
    pub rule: String,
    pub due: DueDate,
}

impl Deadline {
    /// The explanation: rule, start, each day skipped, each pause.
    pub fn explain(&self, clock: &WorkingClock) -> Vec<ExplainStep> {
        clock.explain(&self.due)
    }
}

fn clock_err(e: impl fmt::Display) -> PaknError {
    PaknError::Calendar(e.to_string())
}

/// A deadline of one kind, if it applies to this PAKN.
pub fn deadline(
    p: &Pakn,
    kind: DeadlineKind,
    rules: &Rules,
    clock: &WorkingClock,
) -> Result<Option<Deadline>, PaknError> {
    let (start, days, from, pauses) = match kind {
        DeadlineKind::Intake => (Some(p.received_at), rules.refuse_days, "tiếp nhận", false),
        DeadlineKind::UnitRefuse => (p.forwarded_at, rules.refuse_days, "chuyển xử lý", false),
        DeadlineKind::AskInfo => (p.forwarded_at, rules.ask_info_days, "chuyển xử lý", false),
        DeadlineKind::Process => (p.forwarded_at, rules.process_days, "chuyển xử lý", true),
        DeadlineKind::Publish => {
            if !p.consent {
                return Ok(None);
            }
            (p.answered_at, rules.publish_days, "trả lời", false)
        }
    };
    let Some(start) = start else {
        return Ok(None);
    };
    let mut req = ClockRequest::new(start, TimeLimit::working_days(days));
    if pauses {
        req.pauses = p
            .pauses
            .iter()
            .map(|q| Pause {
                start: q.start,
                end: q.end,
                reason: "chờ người gửi bổ sung thông tin".to_owned(),
            })
            .collect();
    }
    let due = clock.due(&req).map_err(clock_err)?;
    Ok(Some(Deadline {
        kind,
        days,
        rule: format!(
            "{days} ngày làm việc kể từ khi {from} ({}, từ {})",
            rules.source,
            fmt_date(rules.valid_from)
        ),
        due,
    }))
}

/// Every deadline that applies, in order.
pub fn deadlines(
    p: &Pakn,
    rules: &Rules,
    clock: &WorkingClock,
) -> Result<Vec<Deadline>, PaknError> {
    let mut out = Vec::new();
    for kind in [
        DeadlineKind::Intake,
        DeadlineKind::UnitRefuse,
        DeadlineKind::AskInfo,
        DeadlineKind::Process,
        DeadlineKind::Publish,
    ] {
        if let Some(d) = deadline(p, kind, rules, clock)? {
            out.push(d);
        }
    }
    Ok(out)
}

/// The obligation in force now: intake while received, the answer while forwarded (none while
/// paused: the clock is stopped), publishing after an answer with consent; none when closed.
pub fn current_deadline(
    p: &Pakn,
    rules: &Rules,
    clock: &WorkingClock,
) -> Result<Option<Deadline>, PaknError> {
    let kind = match p.status {
        Status::Received => DeadlineKind::Intake,
        Status::Forwarded => DeadlineKind::Process,
        Status::Answered if p.consent => DeadlineKind::Publish,
        _ => return Ok(None),
    };
    deadline(p, kind, rules, clock)
}

/// How the answer came against its deadline (None until answered).
pub fn answer_verdict(
    p: &Pakn,
    rules: &Rules,
    clock: &WorkingClock,
) -> Result<Option<Verdict>, PaknError> {
    let (Some(at), Some(d)) = (
        p.answered_at,
        deadline(p, DeadlineKind::Process, rules, clock)?,
    ) else {
        return Ok(None);
    };
    WorkingClock::verdict(&d.due, at)
        .map(Some)
        .map_err(clock_err)
}

// ---- figures -----------------------------------------------------------------------------

/// What the figures need to know about one PAKN (from its row).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PaknFacts {
    pub received_at: Option<DateTime>,
    pub intake_due: Option<DateTime>,
    pub forwarded_at: Option<DateTime>,
    /// The answer's deadline (None before forwarding, or while paused).
    pub process_due: Option<DateTime>,
    pub answered_at: Option<DateTime>,
    pub answered_late: Option<bool>,
    pub refused_at: Option<DateTime>,
    pub rated_at: Option<DateTime>,
    pub rating: Option<u8>,
    pub published_at: Option<DateTime>,
    /// The sender agreed to the answer being published.
    pub consent: bool,
}

/// A unit's PAKN figures for a period (sums of [`count`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct PaknMeasures {
    /// Received in the period.
    pub received: i64,
    /// Forwarded items whose answer fell due in the period, or were answered in it.
    pub due_in_period: i64,
    pub answered_on_time: i64,
    pub answered_late: i64,
    /// Open at the period's end (or now, if earlier) with the deadline in force passed.
    pub overdue_open: i64,
    pub rated: i64,
    pub rating_sum: i64,
    /// Rated 4 or 5.
    pub rated_satisfied: i64,
    pub published: i64,
    /// Answered in the period with the sender's consent to publish (indicator 5.1's
    /// denominator).
    pub publishable: i64,
    /// Of those, published by the period's end (its numerator). Judged at the period's end
    /// and not later, so a closed period's figure does not change afterwards.
    pub publishable_published: i64,
}

impl std::ops::AddAssign for PaknMeasures {
    fn add_assign(&mut self, o: Self) {
        self.received += o.received;
        self.due_in_period += o.due_in_period;
        self.answered_on_time += o.answered_on_time;
        self.answered_late += o.answered_late;
        self.overdue_open += o.overdue_open;
        self.rated += o.rated;
        self.rating_sum += o.rating_sum;
        self.rated_satisfied += o.rated_satisfied;
        self.published += o.published;
        self.publishable += o.publishable;
        self.publishable_published += o.publishable_published;
    }
}

/// How one PAKN counts in the period `from..=to` judged at `at` (open items are judged at the
/// period's end, or at `at` when the period has not ended).
pub fn count(f: &PaknFacts, from: Date, to: Date, at: DateTime) -> PaknMeasures {
    let within = |t: Option<DateTime>| t.is_some_and(|t| t.date() >= from && t.date() <= to);
    let mut m = PaknMeasures::default();
    if within(f.received_at) {
        m.received = 1;
    }
    let answered_in = within(f.answered_at);
    let due_in = f
        .process_due
        .is_some_and(|d| within(Some(d)) && f.refused_at.is_none());
    if answered_in || (due_in && f.answered_at.is_none_or(|a| a.date() >= from)) {
        m.due_in_period = 1;
    }
    if answered_in {
        if f.answered_late == Some(true) {
            m.answered_late = 1;
        } else {
            m.answered_on_time = 1;
        }
    }
    // Judged at the end of the period's last day, or now.
    let end = to
        .tomorrow()
        .map(|d| d.to_datetime(Time::midnight()))
        .unwrap_or(at)
        .min(at);
    let open_at_end = f.received_at.is_some_and(|r| r < end)
        && f.answered_at.is_none_or(|a| a >= end)
        && f.refused_at.is_none_or(|r| r >= end);
    if open_at_end {
        let due = if f.forwarded_at.is_some_and(|t| t < end) {
            f.process_due
        } else {
            f.intake_due
        };
        if due.is_some_and(|d| d < end) {
            m.overdue_open = 1;
        }
    }
    if within(f.rated_at)
        && let Some(r) = f.rating
    {
        m.rated = 1;
        m.rating_sum = i64::from(r);
        m.rated_satisfied = i64::from(r >= 4);
    }
    if within(f.published_at) {
        m.published = 1;
    }
    if answered_in && f.consent {
        m.publishable = 1;
        m.publishable_published = i64::from(f.published_at.is_some_and(|p| p.date() <= to));
    }
    m
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use std::sync::Arc;

    fn clock() -> WorkingClock {
        WorkingClock::standard(Arc::new(Calendar::embedded().unwrap()))
    }

    fn dt(s: &str) -> DateTime {
        s.parse().unwrap()
    }

    fn rules() -> Rules {
        Rules::embedded().unwrap()
    }

    fn submitted(at: &str, category: Category, consent: bool) -> Event {
        Event::new(
            None,
            dt(at),
            "anonymous",
            "Người gửi",
            EventBody::Submitted {
                category,
                subject: SubjectKind::Unit,
                procedure: None,
                dossier: None,
                unit: "w:1".into(),
                body: "Cán bộ yêu cầu nộp thêm giấy tờ".into(),
                consent,
                files: 0,
            },
        )
    }

    fn forwarded(prev: &Event, at: &str) -> Event {
        Event::new(
            Some(prev),
            dt(at),
            "a1",
            "Quản trị",
            EventBody::Forwarded {
                category: Category::Delay,
                procedure: None,
                unit: "w:2".into(),
                note: String::new(),
            },
        )
    }

    fn due_of(p: &Pakn, kind: DeadlineKind) -> DateTime {
        deadline(p, kind, &rules(), &clock())
            .unwrap()
            .unwrap()
            .due
            .due
            .unwrap()
    }

    #[test]
    fn shipped_rules_are_the_decree_limits() {
        let r = rules();
        assert_eq!(
            (
                r.refuse_days,
                r.process_days,
                r.ask_info_days,
                r.publish_days
            ),
            (2, 15, 5, 2)
        );
        assert!(parse_rules("version='x'\nsource='y'\nvalid_from=2020-01-01\nrefuse_days=0\nprocess_days=1\nask_info_days=1\npublish_days=1", "x.toml").is_err());
        assert!(parse_rules("nonsense =", "x.toml").is_err());
    }

    #[test]
    fn each_deadline_kind_counts_working_days() {
        // Monday 03/03/2025 08:00.
        let s = submitted("2025-03-03T08:00:00", Category::Delay, true);
        let p = Pakn::start(&s).unwrap();
        // Intake: 2 working days → Wednesday 05/03 08:00.
        assert_eq!(due_of(&p, DeadlineKind::Intake), dt("2025-03-05T08:00:00"));
        let f = forwarded(&s, "2025-03-04T08:00:00");
        let p = p.decide(&f, &rules(), &clock()).unwrap();
        assert_eq!(
            due_of(&p, DeadlineKind::UnitRefuse),
            dt("2025-03-06T08:00:00")
        );
        assert_eq!(due_of(&p, DeadlineKind::AskInfo), dt("2025-03-11T08:00:00"));
        // 15 working days from Tuesday 04/03: three weeks later, Tuesday 25/03.
        assert_eq!(due_of(&p, DeadlineKind::Process), dt("2025-03-25T08:00:00"));
        let a = Event::new(
            Some(&f),
            dt("2025-03-20T10:00:00"),
            "o1",
            "Cán bộ",
            EventBody::Answered {
                answer: "Đã chấn chỉnh".into(),
            },
        );
        let p = p.decide(&a, &rules(), &clock()).unwrap();
        // Publish: 2 working days from Thursday 20/03 10:00 → Monday 24/03 10:00.
        assert_eq!(due_of(&p, DeadlineKind::Publish), dt("2025-03-24T10:00:00"));
        assert_eq!(
            answer_verdict(&p, &rules(), &clock()).unwrap(),
            Some(Verdict::Early)
        );
        let cur = current_deadline(&p, &rules(), &clock()).unwrap().unwrap();
        assert_eq!(cur.kind, DeadlineKind::Publish);
        // No consent: no publishing deadline, and publishing is refused.
        let mut q = p.clone();
        q.consent = false;
        assert!(
            deadline(&q, DeadlineKind::Publish, &rules(), &clock())
                .unwrap()
                .is_none()
        );
        assert_eq!(q.publishable(), Err(PaknError::NoConsent));
    }

    #[test]
    fn asking_for_information_pauses_the_answer_deadline() {
        let s = submitted("2025-03-03T08:00:00", Category::Delay, false);
        let f = forwarded(&s, "2025-03-04T08:00:00");
        let p = Pakn::start(&s)
            .unwrap()
            .decide(&f, &rules(), &clock())
            .unwrap();
        let before = due_of(&p, DeadlineKind::Process);
        // Asked Thursday 06/03 08:00, answered Monday 10/03 08:00: two working days paused
        // (Thursday, Friday; the weekend is not working time).
        let ask = Event::new(
            Some(&f),
            dt("2025-03-06T08:00:00"),
            "o1",
            "Cán bộ",
            EventBody::InfoRequested {
                question: "Xin số hồ sơ".into(),
            },
        );
        let p = p.decide(&ask, &rules(), &clock()).unwrap();
        assert_eq!(p.status, Status::WaitingInfo);
        assert!(current_deadline(&p, &rules(), &clock()).unwrap().is_none());
        let reply = Event::new(
            Some(&ask),
            dt("2025-03-10T08:00:00"),
            "anonymous",
            "Người gửi",
            EventBody::InfoProvided {
                text: "Số hồ sơ là …".into(),
                files: 0,
            },
        );
        let p = p.decide(&reply, &rules(), &clock()).unwrap();
        let after = due_of(&p, DeadlineKind::Process);
        assert_eq!(before, dt("2025-03-25T08:00:00"));
        assert_eq!(after, dt("2025-03-27T08:00:00"));
        let d = deadline(&p, DeadlineKind::Process, &rules(), &clock())
            .unwrap()
            .unwrap();
        let steps = d.explain(&clock());
        assert!(steps.iter().any(|s| s.kind == "pause"), "{steps:?}");
        assert!(d.rule.contains("15 ngày làm việc"));
        // Asking again after the 5-day window is refused.
        let late_ask = Event::new(
            Some(&reply),
            dt("2025-03-12T08:00:00"),
            "o1",
            "Cán bộ",
            EventBody::InfoRequested {
                question: "Thêm nữa".into(),
            },
        );
        assert!(matches!(
            p.decide(&late_ask, &rules(), &clock()),
            Err(PaknError::WindowPassed { .. })
        ));
    }

    #[test]
    fn deadlines_skip_tet_and_weekends() {
        // Received Friday 24/01/2025 10:00; Tết 2025 is off 25/01-02/02 (Mon 27/01-Fri 31/01
        // are days off), so 2 working days end Tuesday 04/02 10:00.
        let s = submitted("2025-01-24T10:00:00", Category::Attitude, true);
        let p = Pakn::start(&s).unwrap();
        assert_eq!(due_of(&p, DeadlineKind::Intake), dt("2025-02-04T10:00:00"));
        let d = deadline(&p, DeadlineKind::Intake, &rules(), &clock())
            .unwrap()
            .unwrap();
        let steps = d.explain(&clock());
        assert!(
            steps.iter().any(|s| s.text.contains("Tết")),
            "the explanation names Tết: {steps:?}"
        );
        // Received on a Saturday: counting starts Monday morning.
        let s = submitted("2025-03-08T09:00:00", Category::Attitude, true);
        let p = Pakn::start(&s).unwrap();
        assert_eq!(due_of(&p, DeadlineKind::Intake), dt("2025-03-11T17:00:00"));
    }

    #[test]
    fn impossible_transitions_are_refused() {
        let s = submitted("2025-03-03T08:00:00", Category::Harassment, true);
        let p = Pakn::start(&s).unwrap();
        assert!(p.category.is_flagged());
        let answer = |prev: &Event| {
            Event::new(
                Some(prev),
                dt("2025-03-04T09:00:00"),
                "o1",
                "Cán bộ",
                EventBody::Answered { answer: "x".into() },
            )
        };
        // Answering before forwarding.
        assert!(matches!(
            p.decide(&answer(&s), &rules(), &clock()),
            Err(PaknError::Transition { .. })
        ));
        let f = forwarded(&s, "2025-03-03T09:00:00");
        let p = p.decide(&f, &rules(), &clock()).unwrap();
        let rate = |prev: &Event, stars| {
            Event::new(
                Some(prev),
                dt("2025-03-05T09:00:00"),
                "anonymous",
                "Người gửi",
                EventBody::Rated {
                    stars,
                    comment: String::new(),
                },
            )
        };
        // Rating before the answer.
        assert!(p.decide(&rate(&f, 5), &rules(), &clock()).is_err());
        let a = answer(&f);
        let p = p.decide(&a, &rules(), &clock()).unwrap();
        // Answering twice.
        assert!(p.decide(&answer(&a), &rules(), &clock()).is_err());
        assert_eq!(
            p.decide(&rate(&a, 6), &rules(), &clock()),
            Err(PaknError::BadRating)
        );
        let r = rate(&a, 4);
        let p = p.decide(&r, &rules(), &clock()).unwrap();
        assert_eq!(
            p.decide(&rate(&r, 5), &rules(), &clock()),
            Err(PaknError::AlreadyRated)
        );
        // The unit's refusal window: 2 working days after forwarding.
        let s = submitted("2025-03-03T08:00:00", Category::Delay, true);
        let f = forwarded(&s, "2025-03-03T09:00:00");
        let p = Pakn::start(&s)
            .unwrap()
            .decide(&f, &rules(), &clock())
            .unwrap();
        let refuse = Event::new(
            Some(&f),
            dt("2025-03-10T09:00:00"),
            "o1",
            "Cán bộ",
            EventBody::Refused {
                reason: "Không thuộc thẩm quyền".into(),
            },
        );
        assert!(matches!(
            p.decide(&refuse, &rules(), &clock()),
            Err(PaknError::WindowPassed { days: 2, .. })
        ));
    }

    #[test]
    fn the_chain_detects_tampering() {
        let s = submitted("2025-03-03T08:00:00", Category::Delay, true);
        let f = forwarded(&s, "2025-03-03T09:00:00");
        assert_eq!(verify_chain(&[s.clone(), f.clone()]), None);
        let mut bad = f;
        bad.actor_name = "Khác".into();
        assert_eq!(verify_chain(&[s, bad]), Some(2));
    }

    #[test]
    fn contacts_are_checked() {
        assert_eq!(
            check_phone(" 0905 123 456 ").unwrap().as_deref(),
            Some("0905 123 456")
        );
        assert!(check_phone("abc").is_err());
        assert!(check_phone("123").is_err());
        assert!(check_email("a@b.vn").unwrap().is_some());
        assert!(check_email("a@b").is_err());
        assert!(check_email("").unwrap().is_none());
        assert!(check_text("Nội dung", &"x".repeat(MAX_TEXT + 1), MAX_TEXT).is_err());
        assert_eq!(
            Category::parse("nhung-nhieu").unwrap(),
            Category::Harassment
        );
    }

    #[test]
    fn figures_count_each_pakn_once_where_it_belongs() {
        let from: Date = "2025-03-01".parse().unwrap();
        let to: Date = "2025-03-31".parse().unwrap();
        let now = dt("2025-06-01T08:00:00");
        let answered = PaknFacts {
            received_at: Some(dt("2025-03-03T08:00:00")),
            intake_due: Some(dt("2025-03-05T08:00:00")),
            forwarded_at: Some(dt("2025-03-04T08:00:00")),
            process_due: Some(dt("2025-03-25T08:00:00")),
            answered_at: Some(dt("2025-03-26T08:00:00")),
            answered_late: Some(true),
            rated_at: Some(dt("2025-03-27T08:00:00")),
            rating: Some(4),
            published_at: Some(dt("2025-03-27T09:00:00")),
            ..PaknFacts::default()
        };
        let m = count(&answered, from, to, now);
        assert_eq!(
            (
                m.received,
                m.due_in_period,
                m.answered_late,
                m.answered_on_time,
                m.overdue_open
            ),
            (1, 1, 1, 0, 0)
        );
        assert_eq!(
            (m.rated, m.rating_sum, m.rated_satisfied, m.published),
            (1, 4, 1, 1)
        );
        assert_eq!(
            (m.publishable, m.publishable_published),
            (0, 0),
            "no consent"
        );
        // With consent and published within March: counted for March.
        let consented = PaknFacts {
            consent: true,
            ..answered
        };
        let m = count(&consented, from, to, now);
        assert_eq!((m.publishable, m.publishable_published), (1, 1));
        // Published only in April: publishable in March, not published by March's end (a
        // closed March does not change later); April counts the publication, not the answer.
        let consented = PaknFacts {
            consent: true,
            published_at: Some(dt("2025-04-02T09:00:00")),
            ..answered
        };
        let m = count(&consented, from, to, now);
        assert_eq!(
            (m.publishable, m.publishable_published, m.published),
            (1, 0, 0)
        );
        let april = count(
            &consented,
            "2025-04-01".parse().unwrap(),
            "2025-04-30".parse().unwrap(),
            now,
        );
        assert_eq!((april.publishable, april.published), (0, 1));
        // Open and past its deadline at the period's end.
        let open = PaknFacts {
            received_at: Some(dt("2025-03-03T08:00:00")),
            intake_due: Some(dt("2025-03-05T08:00:00")),
            forwarded_at: Some(dt("2025-03-04T08:00:00")),
            process_due: Some(dt("2025-03-25T08:00:00")),
            ..PaknFacts::default()
        };
        let m = count(&open, from, to, now);
        assert_eq!((m.due_in_period, m.overdue_open), (1, 1));
        // The same item in April: not received, not due, still overdue at April's end.
        let m = count(
            &open,
            "2025-04-01".parse().unwrap(),
            "2025-04-30".parse().unwrap(),
            now,
        );
        assert_eq!((m.received, m.due_in_period, m.overdue_open), (0, 0, 1));
        // Never forwarded: judged on the intake deadline.
        let waiting = PaknFacts {
            received_at: Some(dt("2025-03-03T08:00:00")),
            intake_due: Some(dt("2025-03-05T08:00:00")),
            ..PaknFacts::default()
        };
        assert_eq!(count(&waiting, from, to, now).overdue_open, 1);
        // Judged at `at` when the period has not ended.
        assert_eq!(
            count(&waiting, from, to, dt("2025-03-04T08:00:00")).overdue_open,
            0
        );
    }
}
