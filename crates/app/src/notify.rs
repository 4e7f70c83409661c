//! Notifications to applicants by email and SMS, delivered through the outbox like the
//! national portal sync: each is an [`Exchange`] whose messages are written in the
//! transaction of the event that causes them, retried with backoff and dead-lettered the
//! same way.
//!
//! Owns: the values a template is filled with for a dossier event, the email exchange (SMTP
//! through `lettre`), the SMS exchange and its gateway interface ([`SmsGateway`]) with the
//! default sink that writes each SMS to a file (or to the log) instead of a paid gateway.
//! Which event notifies and the texts are the domain's (`cchc_domain::notification`).
//!
//! Email carries a `Message-ID` made from the outbox key, so a copy sent again after a crash
//! between the server's answer and its record is recognisable as the same message.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cchc_domain::calendar::fmt_datetime;
use cchc_domain::dossier::{Dossier, Event, EventKind};
use cchc_domain::notification::{
    Message, NotificationKind, NotifyChannel, TemplateSet, outcome_text,
};
use cchc_store::OutboxMessage;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::sync::{BoxFuture, Delivered, DeliveryError, EncodeContext, Exchange};
use crate::{AppError, Result};

/// The sink names of the notification messages.
pub const EMAIL_SINK: &str = "email";
pub const SMS_SINK: &str = "sms";

/// An SMTP relay (the province's mail server). Plain SMTP on the given port: TLS is the
/// relay's business on an internal network (the `smtp-tls` feature is not built by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    /// The sender's address, e.g. `motcua@quangngai.gov.vn`.
    pub from: String,
    pub username: Option<String>,
    pub password: Option<String>,
}

/// How notifications go out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotifySettings {
    /// None: no email is written.
    pub smtp: Option<SmtpSettings>,
    /// Where the default SMS sink writes (one JSON line per SMS); None: to the log.
    pub sms_file: Option<PathBuf>,
    /// The public portal's origin (`https://dichvucong.example.gov.vn`): messages link to its
    /// lookup pages.
    pub public_url: String,
}

/// An SMS gateway (a telecom's brandname API). The shipped one writes to a file.
pub trait SmsGateway: Send + Sync {
    /// Sends one SMS; the key identifies it across retries.
    fn send<'a>(
        &'a self,
        key: &'a str,
        to: &'a str,
        text: &'a str,
    ) -> BoxFuture<'a, std::result::Result<(), DeliveryError>>;
}

/// The default SMS sink: one JSON line per message in a file, or a log line.
pub struct FileSms {
    path: Option<PathBuf>,
    lock: Mutex<()>,
}

impl FileSms {
    pub fn new(path: Option<PathBuf>) -> Self {
        Self {
            path,
            lock: Mutex::new(()),
        }
    }
}

impl SmsGateway for FileSms {
    fn send<'a>(
        &'a self,
        key: &'a str,
        to: &'a str,
        text: &'a str,
    ) -> BoxFuture<'a, std::result::Result<(), DeliveryError>> {
        Box::pin(async move {
            let Some(path) = &self.path else {
                tracing::info!(key, to, "SMS (no gateway configured): {text}");
                return Ok(());
            };
            let line = serde_json::json!({
                "key": key,
                "to": to,
                "text": text,
                "at": jiff::Timestamp::now().to_string(),
            })
            .to_string();
            // One writer at a time, so lines never interleave.
            let _guard = self.lock.lock().map_err(|_| DeliveryError {
                message: "SMS file lock poisoned".into(),
                retryable: true,
            })?;
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| writeln!(f, "{line}").map(|()| f))
                .map_err(|e| DeliveryError {
                    message: format!("SMS file {}: {e}", path.display()),
                    retryable: true,
                })?;
            file.flush().map_err(|e| DeliveryError {
                message: format!("SMS file {}: {e}", path.display()),
                retryable: true,
            })
        })
    }
}

/// The values a dossier event's notification is filled with.
fn dossier_values(
    ctx: &EncodeContext,
    d: &Dossier,
    e: &Event,
    lookup_url: &str,
) -> BTreeMap<&'static str, String> {
    let (_, unit_name) = ctx.unit(&d.receiving_unit);
    let mut v = BTreeMap::new();
    v.insert("ma_ho_so", d.code.clone());
    v.insert("ten_thu_tuc", ctx.procedure_name.clone());
    v.insert("nguoi_nop", d.applicant.name.clone());
    v.insert("don_vi", unit_name);
    v.insert("link_tra_cuu", lookup_url.to_owned());
    v.insert(
        "ngay_tiep_nhan",
        d.received_at.map(fmt_datetime).unwrap_or_default(),
    );
    v.insert(
        "ngay_hen_tra",
        ctx.due
            .map(fmt_datetime)
            .unwrap_or_else(|| "theo thông báo của cơ quan giải quyết".into()),
    );
    match &e.body.kind {
        EventKind::SupplementRequested { items, note } => {
            let mut text = items.join("; ");
            if !note.trim().is_empty() {
                if !text.is_empty() {
                    text.push_str(". ");
                }
                text.push_str(note.trim());
            }
            v.insert("noi_dung", text);
        }
        EventKind::Decided { outcome, .. } => {
            v.insert("noi_dung", outcome_text(*outcome).to_owned());
        }
        EventKind::Extended { new_due, reason } => {
            v.insert("ngay_hen_moi", fmt_datetime(*new_due));
            v.insert("ly_do", reason.clone());
        }
        _ => {}
    }
    v
}

/// The notification message a dossier event makes on one channel, if any.
fn encode_for(
    templates: &TemplateSet,
    channel: NotifyChannel,
    ctx: &EncodeContext,
    d: &Dossier,
    e: &Event,
    lookup_url: &str,
) -> std::result::Result<Option<String>, String> {
    let Some(kind) = NotificationKind::for_event(&e.body.kind) else {
        return Ok(None);
    };
    let values = dossier_values(ctx, d, e, lookup_url);
    let (email, phone) = match channel {
        NotifyChannel::Email => (d.applicant.email.as_str(), ""),
        NotifyChannel::Sms => ("", d.applicant.phone.as_str()),
    };
    let messages = templates
        .render(kind, &values, email, phone)
        .map_err(|err| format!("notification {}: {err}", kind.code()))?;
    messages
        .into_iter()
        .find(|m| m.channel == channel)
        .map(|m| serde_json::to_string(&m).map_err(|err| err.to_string()))
        .transpose()
}

fn payload(message: &OutboxMessage) -> std::result::Result<Message, DeliveryError> {
    serde_json::from_str(&message.payload).map_err(|e| DeliveryError {
        message: format!("unreadable notification {}: {e}", message.key),
        retryable: false,
    })
}

/// Email through an SMTP relay.
pub struct EmailExchange {
    templates: Arc<TemplateSet>,
    lookup_url: String,
    smtp: Option<(SmtpSettings, AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
}

impl EmailExchange {
    pub fn new(
        templates: Arc<TemplateSet>,
        settings: &NotifySettings,
        timeout: Duration,
    ) -> Result<Self> {
        let smtp = match &settings.smtp {
            None => None,
            Some(s) => {
                let from: Mailbox = format!("{} <{}>", templates.sender_name, s.from)
                    .parse()
                    .map_err(|e| AppError::Invalid(format!("địa chỉ gửi thư '{}': {e}", s.from)))?;
                let mut builder =
                    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(s.host.clone())
                        .port(s.port)
                        .timeout(Some(timeout));
                if let (Some(u), Some(p)) = (&s.username, &s.password) {
                    builder = builder.credentials(Credentials::new(u.clone(), p.clone()));
                }
                Some((s.clone(), builder.build(), from))
            }
        };
        Ok(Self {
            templates,
            lookup_url: format!("{}/tra-cuu", settings.public_url.trim_end_matches('/')),
            smtp,
        })
    }
}

impl Exchange for EmailExchange {
    fn name(&self) -> &'static str {
        EMAIL_SINK
    }

    fn configured(&self) -> bool {
        self.smtp.is_some()
    }

    fn encode(
        &self,
        ctx: &EncodeContext,
        dossier: &Dossier,
        event: &Event,
    ) -> std::result::Result<Option<String>, String> {
        if self.smtp.is_none() {
            // Without a mail server nothing is written: a receipt sent months later, when
            // one is configured, would only confuse.
            return Ok(None);
        }
        encode_for(
            &self.templates,
            NotifyChannel::Email,
            ctx,
            dossier,
            event,
            &self.lookup_url,
        )
    }

    fn deliver<'a>(
        &'a self,
        message: &'a OutboxMessage,
    ) -> BoxFuture<'a, std::result::Result<Delivered, DeliveryError>> {
        Box::pin(async move {
            let Some((settings, transport, from)) = &self.smtp else {
                return Err(DeliveryError {
                    message: "no SMTP server configured".into(),
                    retryable: true,
                });
            };
            let m = payload(message)?;
            let to: Mailbox = m.to.parse().map_err(|e| DeliveryError {
                message: format!("recipient '{}': {e}", m.to),
                retryable: false,
            })?;
            let domain = settings.from.rsplit('@').next().unwrap_or("cchc.local");
            let email = lettre::Message::builder()
                .from(from.clone())
                .to(to)
                .subject(m.subject)
                .message_id(Some(format!(
                    "<{}@{domain}>",
                    message.key.replace(':', ".")
                )))
                .header(ContentType::TEXT_PLAIN)
                .body(m.body)
                .map_err(|e| DeliveryError {
                    message: format!("email {}: {e}", message.key),
                    retryable: false,
                })?;
            match transport.send(email).await {
                Ok(_) => Ok(Delivered { http_status: 250 }),
                Err(e) => Err(DeliveryError {
                    // A permanent refusal (5xx: no such mailbox) will not change on retry.
                    retryable: !e.is_permanent(),
                    message: format!("SMTP {}:{}: {e}", settings.host, settings.port),
                }),
            }
        })
    }
}

/// SMS through a gateway.
pub struct SmsExchange {
    templates: Arc<TemplateSet>,
    lookup_url: String,
    gateway: Arc<dyn SmsGateway>,
}

impl SmsExchange {
    pub fn new(
        templates: Arc<TemplateSet>,
        settings: &NotifySettings,
        gateway: Arc<dyn SmsGateway>,
    ) -> Self {
        Self {
            templates,
            lookup_url: format!("{}/tra-cuu", settings.public_url.trim_end_matches('/')),
            gateway,
        }
    }
}

impl Exchange for SmsExchange {
    fn name(&self) -> &'static str {
        SMS_SINK
    }

    fn configured(&self) -> bool {
        true
    }

    fn encode(
        &self,
        ctx: &EncodeContext,
        dossier: &Dossier,
        event: &Event,
    ) -> std::result::Result<Option<String>, String> {
        encode_for(
            &self.templates,
            NotifyChannel::Sms,
            ctx,
            dossier,
            event,
            &self.lookup_url,
        )
    }

    fn deliver<'a>(
        &'a self,
        message: &'a OutboxMessage,
    ) -> BoxFuture<'a, std::result::Result<Delivered, DeliveryError>> {
        Box::pin(async move {
            let m = payload(message)?;
            self.gateway.send(&message.key, &m.to, &m.body).await?;
            Ok(Delivered { http_status: 200 })
        })
    }
}

impl crate::App {
    /// The notifications telling a PAKN's sender that it was answered: by email when a mail
    /// server is configured and the sender gave an address, by SMS when they gave a mobile
    /// number. Written with the answer's event.
    pub(crate) fn pakn_answered_notifications(
        &self,
        row: &cchc_store::PaknRow,
        seq: u32,
        answered_on: jiff::civil::Date,
    ) -> Result<Vec<cchc_store::NewOutboxMessage>> {
        let settings = &self.sync_settings().notify;
        let unit_name = self
            .units()?
            .get(&row.unit_id)
            .map_or_else(|| row.unit_id.clone(), |u| u.full_name.clone());
        let mut values = BTreeMap::new();
        values.insert("ma_pakn", row.code.clone());
        values.insert(
            "nguoi_nop",
            if row.contact_name.trim().is_empty() {
                "Ông/Bà".to_owned()
            } else {
                row.contact_name.clone()
            },
        );
        values.insert("don_vi", unit_name);
        values.insert(
            "link_tra_cuu",
            format!(
                "{}/phan-anh/tra-cuu",
                settings.public_url.trim_end_matches('/')
            ),
        );
        values.insert("ngay_tra_loi", cchc_domain::calendar::fmt_date(answered_on));
        let email = if settings.smtp.is_some() {
            row.contact_email.as_deref().unwrap_or("")
        } else {
            ""
        };
        let phone = row.contact_phone.as_deref().unwrap_or("");
        let messages = self
            .sync
            .templates
            .render(NotificationKind::PaknAnswered, &values, email, phone)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        messages
            .into_iter()
            .map(|m| {
                Ok(cchc_store::NewOutboxMessage {
                    sink: match m.channel {
                        NotifyChannel::Email => EMAIL_SINK,
                        NotifyChannel::Sms => SMS_SINK,
                    }
                    .to_owned(),
                    dossier_code: row.code.clone(),
                    seq,
                    kind: NotificationKind::PaknAnswered.code().to_owned(),
                    payload: serde_json::to_string(&m)
                        .map_err(|e| AppError::Internal(e.to_string()))?,
                })
            })
            .collect()
    }
}
