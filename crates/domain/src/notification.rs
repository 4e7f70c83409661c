//! Notifications to citizens and businesses (thông báo): which dossier events tell the
//! applicant something, and the Vietnamese templates (data, `data/notifications/templates.toml`)
//! the email and the SMS are written from.
//!
//! The rule of what is sent lives here; delivery (SMTP, an SMS gateway) is the app's, through
//! the same outbox as the national portal sync, so a notification is written in the same
//! transaction as the event that causes it and is never lost nor sent twice.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::dossier::{EventKind, Outcome};

/// The shipped templates.
pub const TEMPLATES: &str = include_str!("../../../data/notifications/templates.toml");
/// Their path under a data directory, for a run-time override.
pub const TEMPLATES_FILE: &str = "notifications/templates.toml";

/// What a notification tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// Giấy tiếp nhận hồ sơ và hẹn trả kết quả.
    Received,
    /// Yêu cầu bổ sung, hoàn thiện hồ sơ.
    SupplementRequested,
    /// Hồ sơ đã có kết quả.
    ResultReady,
    /// Phiếu xin lỗi và hẹn lại ngày trả kết quả.
    LateApology,
    /// Phản ánh, kiến nghị đã được trả lời.
    PaknAnswered,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 5] = [
        NotificationKind::Received,
        NotificationKind::SupplementRequested,
        NotificationKind::ResultReady,
        NotificationKind::LateApology,
        NotificationKind::PaknAnswered,
    ];

    pub fn code(self) -> &'static str {
        match self {
            NotificationKind::Received => "received",
            NotificationKind::SupplementRequested => "supplement_requested",
            NotificationKind::ResultReady => "result_ready",
            NotificationKind::LateApology => "late_apology",
            NotificationKind::PaknAnswered => "pakn_answered",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// As staff read it in lists.
    pub fn label(self) -> &'static str {
        match self {
            NotificationKind::Received => "Tiếp nhận hồ sơ",
            NotificationKind::SupplementRequested => "Yêu cầu bổ sung hồ sơ",
            NotificationKind::ResultReady => "Hồ sơ có kết quả",
            NotificationKind::LateApology => "Xin lỗi, hẹn lại ngày trả",
            NotificationKind::PaknAnswered => "Trả lời phản ánh, kiến nghị",
        }
    }

    /// The placeholders a template of this kind may use, with a typical value used to check
    /// that the SMS fits.
    pub fn variables(self) -> &'static [(&'static str, &'static str)] {
        const DOSSIER: [(&str, &str); 5] = [
            ("ma_ho_so", "H62.19.21-250415-0012"),
            ("ten_thu_tuc", "Đăng ký khai sinh"),
            ("nguoi_nop", "Nguyễn Văn An"),
            ("don_vi", "UBND phường Kon Tum"),
            (
                "link_tra_cuu",
                "https://dichvucong.quangngai.gov.vn/tra-cuu",
            ),
        ];
        match self {
            NotificationKind::Received => &[
                DOSSIER[0],
                DOSSIER[1],
                DOSSIER[2],
                DOSSIER[3],
                DOSSIER[4],
                ("ngay_tiep_nhan", "15/04/2025 09:30"),
                ("ngay_hen_tra", "22/04/2025 09:30"),
            ],
            NotificationKind::SupplementRequested => &[
                DOSSIER[0],
                DOSSIER[1],
                DOSSIER[2],
                DOSSIER[3],
                DOSSIER[4],
                ("noi_dung", "Bản sao giấy chứng sinh"),
            ],
            NotificationKind::ResultReady => &[
                DOSSIER[0],
                DOSSIER[1],
                DOSSIER[2],
                DOSSIER[3],
                DOSSIER[4],
                ("noi_dung", "giải quyết"),
            ],
            NotificationKind::LateApology => &[
                DOSSIER[0],
                DOSSIER[1],
                DOSSIER[2],
                DOSSIER[3],
                DOSSIER[4],
                ("ngay_hen_moi", "29/04/2025 09:30"),
                ("ly_do", "Chờ ý kiến của cơ quan liên quan"),
            ],
            NotificationKind::PaknAnswered => &[
                ("ma_pakn", "PAKN-2025-000123"),
                DOSSIER[2],
                DOSSIER[3],
                DOSSIER[4],
                ("ngay_tra_loi", "02/05/2025"),
            ],
        }
    }

    /// The notification a dossier event sends the applicant, if any. An online dossier's
    /// submission is acknowledged on the portal itself; the receipt goes out when the clock
    /// starts (received at the counter, or accepted).
    pub fn for_event(kind: &EventKind) -> Option<NotificationKind> {
        match kind {
            EventKind::Received { .. } | EventKind::Accepted => Some(NotificationKind::Received),
            EventKind::SupplementRequested { .. } => Some(NotificationKind::SupplementRequested),
            EventKind::Decided { .. } => Some(NotificationKind::ResultReady),
            EventKind::Extended { .. } => Some(NotificationKind::LateApology),
            _ => None,
        }
    }
}

/// How a notification travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyChannel {
    Email,
    Sms,
}

impl NotifyChannel {
    pub fn code(self) -> &'static str {
        match self {
            NotifyChannel::Email => "email",
            NotifyChannel::Sms => "sms",
        }
    }
}

/// A notification ready to deliver: the recipient and the rendered text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub kind: NotificationKind,
    pub channel: NotifyChannel,
    /// An email address or a phone number.
    pub to: String,
    /// Empty for an SMS.
    pub subject: String,
    pub body: String,
    /// The template file's version the text came from.
    pub template_version: String,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum NotificationError {
    #[error("{file}: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: no template for '{kind}'")]
    Missing { file: String, kind: &'static str },
    #[error("{file}: two templates for '{kind}'")]
    Duplicate { file: String, kind: &'static str },
    #[error("{file}: unknown kind '{kind}'")]
    UnknownKind { file: String, kind: String },
    #[error("{file}: template '{kind}' uses {{{name}}}, which that kind does not have")]
    UnknownPlaceholder {
        file: String,
        kind: &'static str,
        name: String,
    },
    #[error("{file}: template '{kind}' has an unclosed '{{'")]
    Unclosed { file: String, kind: &'static str },
    #[error("{file}: the SMS of '{kind}' is {len} characters with typical values, over {max}")]
    SmsTooLong {
        file: String,
        kind: &'static str,
        len: usize,
        max: usize,
    },
    #[error("no value for {{{0}}}")]
    NoValue(String),
}

/// One kind's texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub kind: NotificationKind,
    pub subject: String,
    pub email: String,
    pub sms: String,
}

/// Every kind's template, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSet {
    pub version: String,
    pub sender_name: String,
    pub sms_without_diacritics: bool,
    pub sms_max_chars: usize,
    templates: BTreeMap<NotificationKind, Template>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: String,
    sender_name: String,
    #[serde(default)]
    sms_without_diacritics: bool,
    sms_max_chars: usize,
    template: Vec<RawTemplate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTemplate {
    kind: String,
    subject: String,
    email: String,
    sms: String,
}

/// A template's text cut into literal text and placeholders.
enum Piece<'a> {
    Text(&'a str),
    Var(&'a str),
}

fn pieces(text: &str) -> Option<Vec<Piece<'_>>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push(Piece::Text(&rest[..open]));
        let after = &rest[open + 1..];
        let close = after.find('}')?;
        out.push(Piece::Var(&after[..close]));
        rest = &after[close + 1..];
    }
    out.push(Piece::Text(rest));
    Some(out)
}

fn fill(text: &str, values: &BTreeMap<&str, String>) -> Result<String, NotificationError> {
    let mut out = String::with_capacity(text.len() + 64);
    for p in pieces(text).ok_or_else(|| NotificationError::NoValue("{".into()))? {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Var(name) => out.push_str(
                values
                    .get(name)
                    .ok_or_else(|| NotificationError::NoValue(name.to_owned()))?,
            ),
        }
    }
    Ok(out)
}

/// Strips Vietnamese diacritics, keeping case: "Đã tiếp nhận" → "Da tiep nhan".
pub fn without_diacritics(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            other => other,
        })
        .collect()
}

impl TemplateSet {
    /// The shipped templates.
    pub fn embedded() -> Result<Self, NotificationError> {
        Self::parse(TEMPLATES_FILE, TEMPLATES)
    }

    /// Reads and checks a templates file.
    pub fn parse(file: &str, text: &str) -> Result<Self, NotificationError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| NotificationError::Syntax {
            file: file.to_owned(),
            message: e.message().to_owned(),
        })?;
        let mut templates = BTreeMap::new();
        for t in raw.template {
            let kind =
                NotificationKind::from_code(&t.kind).ok_or(NotificationError::UnknownKind {
                    file: file.to_owned(),
                    kind: t.kind.clone(),
                })?;
            let allowed: BTreeSet<&str> = kind.variables().iter().map(|(n, _)| *n).collect();
            for text in [&t.subject, &t.email, &t.sms] {
                let parts = pieces(text).ok_or(NotificationError::Unclosed {
                    file: file.to_owned(),
                    kind: kind.code(),
                })?;
                for p in parts {
                    if let Piece::Var(name) = p
                        && !allowed.contains(name)
                    {
                        return Err(NotificationError::UnknownPlaceholder {
                            file: file.to_owned(),
                            kind: kind.code(),
                            name: name.to_owned(),
                        });
                    }
                }
            }
            let template = Template {
                kind,
                subject: t.subject.trim().to_owned(),
                email: t.email.trim().to_owned(),
                sms: t.sms.trim().to_owned(),
            };
            if templates.insert(kind, template).is_some() {
                return Err(NotificationError::Duplicate {
                    file: file.to_owned(),
                    kind: kind.code(),
                });
            }
        }
        let set = TemplateSet {
            version: raw.version,
            sender_name: raw.sender_name,
            sms_without_diacritics: raw.sms_without_diacritics,
            sms_max_chars: raw.sms_max_chars,
            templates,
        };
        for kind in NotificationKind::ALL {
            if !set.templates.contains_key(&kind) {
                return Err(NotificationError::Missing {
                    file: file.to_owned(),
                    kind: kind.code(),
                });
            }
            let typical: BTreeMap<&str, String> = kind
                .variables()
                .iter()
                .map(|(n, v)| (*n, (*v).to_owned()))
                .collect();
            let sms = set.sms_text(kind, &typical)?;
            let len = sms.chars().count();
            if len > set.sms_max_chars {
                return Err(NotificationError::SmsTooLong {
                    file: file.to_owned(),
                    kind: kind.code(),
                    len,
                    max: set.sms_max_chars,
                });
            }
        }
        Ok(set)
    }

    pub fn template(&self, kind: NotificationKind) -> Option<&Template> {
        self.templates.get(&kind)
    }

    /// The SMS filled in, whatever its length.
    fn sms_text(
        &self,
        kind: NotificationKind,
        values: &BTreeMap<&str, String>,
    ) -> Result<String, NotificationError> {
        let t = self
            .templates
            .get(&kind)
            .ok_or_else(|| NotificationError::NoValue(kind.code().to_owned()))?;
        let text = fill(&t.sms, values)?;
        Ok(if self.sms_without_diacritics {
            without_diacritics(&text)
        } else {
            text
        })
    }

    fn render_sms(
        &self,
        kind: NotificationKind,
        values: &BTreeMap<&str, String>,
    ) -> Result<String, NotificationError> {
        let text = self.sms_text(kind, values)?;
        // A long value (a supplement list) is cut rather than sent as many paid parts.
        Ok(if text.chars().count() > self.sms_max_chars {
            let mut cut: String = text
                .chars()
                .take(self.sms_max_chars.saturating_sub(1))
                .collect();
            cut.push('…');
            cut
        } else {
            text
        })
    }

    /// The messages a notification makes for a recipient with this email and phone (either
    /// may be empty: nothing is sent on that channel).
    pub fn render(
        &self,
        kind: NotificationKind,
        values: &BTreeMap<&str, String>,
        email: &str,
        phone: &str,
    ) -> Result<Vec<Message>, NotificationError> {
        let t = self
            .templates
            .get(&kind)
            .ok_or_else(|| NotificationError::NoValue(kind.code().to_owned()))?;
        let mut out = Vec::new();
        let email = email.trim();
        if is_email(email) {
            out.push(Message {
                kind,
                channel: NotifyChannel::Email,
                to: email.to_owned(),
                subject: fill(&t.subject, values)?,
                body: fill(&t.email, values)?,
                template_version: self.version.clone(),
            });
        }
        if let Some(phone) = normalize_phone(phone) {
            out.push(Message {
                kind,
                channel: NotifyChannel::Sms,
                to: phone,
                subject: String::new(),
                body: self.render_sms(kind, values)?,
                template_version: self.version.clone(),
            });
        }
        Ok(out)
    }
}

/// What the result of a decision reads as in a notification.
pub fn outcome_text(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Approved => "được giải quyết",
        Outcome::Rejected => "không được giải quyết, có văn bản trả lời nêu rõ lý do",
    }
}

/// A plausible email address: one `@`, a dot in the domain, no spaces or line breaks (a line
/// break in an address would let a value inject mail headers).
pub fn is_email(s: &str) -> bool {
    let mut parts = s.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && s.len() <= 254
                && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        _ => false,
    }
}

/// A Vietnamese mobile number as the SMS gateway takes it (`84` + 9 digits), from the forms
/// people write it in (`0912 345 678`, `+84912345678`, `84-912-345-678`); None if it is not one.
pub fn normalize_phone(s: &str) -> Option<String> {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    if s.chars()
        .any(|c| !(c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '+' | '(' | ')')))
    {
        return None;
    }
    let national = if let Some(rest) = digits.strip_prefix("84") {
        rest.to_owned()
    } else if let Some(rest) = digits.strip_prefix('0') {
        rest.to_owned()
    } else {
        return None;
    };
    // Mobile numbers: 9 digits after the country code, starting 3, 5, 7, 8 or 9.
    (national.len() == 9 && national.starts_with(['3', '5', '7', '8', '9']))
        .then(|| format!("84{national}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dossier::Outcome;

    fn values(kind: NotificationKind) -> BTreeMap<&'static str, String> {
        kind.variables()
            .iter()
            .map(|(n, v)| (*n, (*v).to_owned()))
            .collect()
    }

    #[test]
    fn shipped_templates_load_and_render_every_kind() {
        let set = TemplateSet::embedded().unwrap();
        for kind in NotificationKind::ALL {
            let m = set
                .render(kind, &values(kind), "an@example.vn", "0912 345 678")
                .unwrap();
            assert_eq!(m.len(), 2, "{kind:?}");
            assert_eq!(m[0].channel, NotifyChannel::Email);
            assert!(!m[0].subject.is_empty() && !m[0].body.contains('{'));
            assert_eq!(m[1].to, "84912345678");
            assert!(m[1].body.chars().count() <= set.sms_max_chars);
            assert!(m[1].body.is_ascii(), "{}", m[1].body);
        }
        let m = set
            .render(
                NotificationKind::Received,
                &values(NotificationKind::Received),
                "an@example.vn",
                "",
            )
            .unwrap();
        assert_eq!(m.len(), 1);
        assert!(
            m[0].body.contains("Ngày hẹn trả kết quả: 22/04/2025 09:30"),
            "{}",
            m[0].body
        );
    }

    #[test]
    fn a_missing_value_is_an_error_not_a_blank() {
        let set = TemplateSet::embedded().unwrap();
        let mut v = values(NotificationKind::Received);
        v.remove("ngay_hen_tra");
        assert_eq!(
            set.render(NotificationKind::Received, &v, "an@example.vn", ""),
            Err(NotificationError::NoValue("ngay_hen_tra".into()))
        );
    }

    #[test]
    fn bad_template_files_are_refused() {
        let unknown = TEMPLATES.replace("{ngay_hen_tra}", "{hen_tra}");
        assert!(matches!(
            TemplateSet::parse("t.toml", &unknown),
            Err(NotificationError::UnknownPlaceholder { .. })
        ));
        let twice = format!(
            "{TEMPLATES}\n[[template]]\nkind = \"received\"\nsubject = \"a\"\nemail = \"b\"\nsms = \"c\"\n"
        );
        assert!(matches!(
            TemplateSet::parse("t.toml", &twice),
            Err(NotificationError::Duplicate { .. })
        ));
        let tiny = TEMPLATES.replace("sms_max_chars = 320", "sms_max_chars = 40");
        assert!(matches!(
            TemplateSet::parse("t.toml", &tiny),
            Err(NotificationError::SmsTooLong { .. })
        ));
        let unclosed = TEMPLATES.replace("{ma_pakn} đã được", "{ma_pakn đã được");
        assert!(TemplateSet::parse("t.toml", &unclosed).is_err());
        assert!(matches!(
            TemplateSet::parse("t.toml", "version = 1"),
            Err(NotificationError::Syntax { .. })
        ));
    }

    #[test]
    fn a_long_value_is_cut_in_the_sms_only() {
        let set = TemplateSet::embedded().unwrap();
        let mut v = values(NotificationKind::SupplementRequested);
        v.insert("noi_dung", "Bản sao giấy tờ ".repeat(60));
        let m = set
            .render(
                NotificationKind::SupplementRequested,
                &v,
                "an@example.vn",
                "0912345678",
            )
            .unwrap();
        assert!(
            m[0].body
                .contains(&"Bản sao giấy tờ ".repeat(60).trim().to_owned())
        );
        assert_eq!(m[1].body.chars().count(), set.sms_max_chars);
        assert!(m[1].body.ends_with('…'));
    }

    #[test]
    fn which_events_notify() {
        use NotificationKind as K;
        assert_eq!(
            NotificationKind::for_event(&EventKind::Accepted),
            Some(K::Received)
        );
        assert_eq!(
            NotificationKind::for_event(&EventKind::Decided {
                outcome: Outcome::Approved,
                note: String::new(),
                results: vec![],
            }),
            Some(K::ResultReady)
        );
        assert_eq!(
            NotificationKind::for_event(&EventKind::Assigned {
                officer: "x".into()
            }),
            None
        );
        assert_eq!(
            NotificationKind::for_event(&EventKind::Rated {
                score: 5,
                comment: String::new()
            }),
            None
        );
    }

    #[test]
    fn contacts_are_checked() {
        assert!(is_email("lan.pham@gmail.com"));
        assert!(!is_email("lan@localhost"));
        assert!(!is_email("a@b.vn\r\nBcc: x@y.vn"));
        assert!(!is_email("a@@b.vn"));
        assert_eq!(
            normalize_phone("+84 912.345.678").as_deref(),
            Some("84912345678")
        );
        assert_eq!(
            normalize_phone("0362345678").as_deref(),
            Some("84362345678")
        );
        assert_eq!(normalize_phone("0212345678"), None, "a landline");
        assert_eq!(normalize_phone("091234567"), None);
        assert_eq!(normalize_phone("0912345678; rm"), None);
        assert_eq!(
            without_diacritics("Đã tiếp nhận Hồ sơ"),
            "Da tiep nhan Ho so"
        );
    }
}
