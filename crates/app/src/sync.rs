//! Sync with the exchanges outside the province: the National Public Service Portal (Cổng
//! Dịch vụ công quốc gia) first, the provincial LGSP next, each an [`Exchange`].
//!
//! Owns: the settings (endpoint, retries, backoff, lease); building each event's outbox
//! messages (one per exchange, written by the store in the event's transaction); the delivery
//! worker (claim under a lease, deliver, retry with capped exponential backoff, dead letter
//! after N attempts); marking a dossier synced when the portal confirms its first message; and
//! the administrator's views (status, dead letters, replay).
//!
//! Messages are enqueued whether or not an endpoint is configured: an installation connected
//! later sends its backlog in order, and nothing is lost meanwhile. Without an endpoint the
//! worker does not run and indicator 1.4 says "not connected".

pub mod national;
pub mod stub;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use cchc_domain::dossier::{Dossier, Event};
use cchc_domain::unit::UnitTree;
use cchc_store::{NewOutboxMessage, OutboxMessage, OutboxStatus, SyncedMark};
use jiff::civil::DateTime;
use serde::Serialize;

use crate::{App, AppError, Principal, Result, Role, notify};

/// Where an exchange is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `http://…` (TLS is expected to be terminated by the province's gateway or a local
    /// proxy: this build carries no TLS stack).
    pub url: String,
    /// Sent as `Authorization: Bearer …` when set.
    pub token: Option<String>,
}

/// How the sync runs.
#[derive(Debug, Clone)]
pub struct SyncSettings {
    /// The national portal; None: not connected (messages accumulate, nothing is sent).
    pub portal: Option<Endpoint>,
    /// Attempts before a message goes to the dead letters.
    pub max_attempts: u32,
    /// Wait after the first failure; doubled after each further one, up to `backoff_cap`.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// How long a claimed message belongs to its worker: a worker that dies mid-delivery
    /// leaves it to another after this.
    pub lease: Duration,
    /// Per request.
    pub timeout: Duration,
    /// Messages claimed (and delivered concurrently) per round.
    pub batch: u32,
    /// Wait between rounds when nothing was due.
    pub poll: Duration,
    /// Notifications to applicants (email, SMS), delivered by the same worker.
    pub notify: notify::NotifySettings,
}

impl Default for SyncSettings {
    fn default() -> Self {
        Self {
            portal: None,
            max_attempts: 10,
            backoff_base: Duration::from_secs(2),
            backoff_cap: Duration::from_secs(3600),
            lease: Duration::from_secs(60),
            timeout: Duration::from_secs(15),
            batch: 32,
            poll: Duration::from_secs(1),
            notify: notify::NotifySettings::default(),
        }
    }
}

impl SyncSettings {
    /// The wait after `failures` consecutive failures: base × 2^(failures − 1), capped.
    pub fn backoff(&self, failures: u32) -> Duration {
        let shift = failures.saturating_sub(1).min(30);
        self.backoff_base
            .saturating_mul(1u32 << shift)
            .min(self.backoff_cap)
    }

    fn check(&self) -> Result<()> {
        if let Some(p) = &self.portal {
            let url = p.url.trim();
            if !url.starts_with("http://") {
                return Err(AppError::Invalid(format!(
                    "địa chỉ Cổng Dịch vụ công quốc gia '{url}' phải bắt đầu bằng http:// \
                     (kết nối https qua cổng LGSP hoặc proxy của tỉnh)"
                )));
            }
        }
        if self.max_attempts == 0 || self.batch == 0 || self.lease.is_zero() {
            return Err(AppError::Invalid(
                "số lần thử, cỡ lô và thời hạn giữ tin phải lớn hơn 0".into(),
            ));
        }
        Ok(())
    }
}

/// What an exchange needs besides the dossier and the event to write its message.
pub struct EncodeContext {
    pub procedure_name: String,
    /// Lĩnh vực of the procedure.
    pub field: String,
    /// Ngày hẹn trả as computed with the event (None while paused or before acceptance).
    pub due: Option<DateTime>,
    pub units: Arc<UnitTree>,
}

impl EncodeContext {
    /// A unit's agency code and full name (the id twice if the unit is unknown).
    pub fn unit(&self, id: &str) -> (String, String) {
        match self.units.get(id) {
            Some(u) => (u.agency_code.clone(), u.full_name.clone()),
            None => (id.to_owned(), id.to_owned()),
        }
    }
}

/// The receiver accepted a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub http_status: u16,
}

/// A failed attempt; `retryable` false sends the message straight to the dead letters (the
/// receiver refused it as such, and sending it again would not help).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DeliveryError {
    pub message: String,
    pub retryable: bool,
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One system outside the province that dossier events are sent to.
pub trait Exchange: Send + Sync {
    /// The sink name stored with its messages (part of the idempotency key).
    fn name(&self) -> &'static str;
    /// Whether it has somewhere to deliver to.
    fn configured(&self) -> bool;
    /// The message for one event, in the exchange's format; None when this event has
    /// nothing for it (a notification channel with no notification or no contact).
    fn encode(
        &self,
        ctx: &EncodeContext,
        dossier: &Dossier,
        event: &Event,
    ) -> std::result::Result<Option<String>, String>;
    /// Sends one message, its idempotency key with it.
    fn deliver<'a>(
        &'a self,
        message: &'a OutboxMessage,
    ) -> BoxFuture<'a, std::result::Result<Delivered, DeliveryError>>;
    /// Whether confirming this message makes the dossier count as synced (indicator 1.4).
    fn marks_synced(&self, _message: &OutboxMessage) -> bool {
        false
    }
}

/// The settings and the exchanges built from them.
pub struct SyncState {
    settings: SyncSettings,
    exchanges: Vec<Arc<dyn Exchange>>,
    /// The notification templates the email and SMS exchanges write from.
    pub(crate) templates: Arc<cchc_domain::notification::TemplateSet>,
}

impl SyncState {
    pub fn new(settings: SyncSettings) -> Result<Self> {
        settings.check()?;
        let portal = national::NationalPortal::new(settings.portal.clone(), settings.timeout)?;
        let templates = Arc::new(
            cchc_domain::notification::TemplateSet::embedded()
                .map_err(|e| AppError::Internal(e.to_string()))?,
        );
        let email =
            notify::EmailExchange::new(Arc::clone(&templates), &settings.notify, settings.timeout)?;
        let sms = notify::SmsExchange::new(
            Arc::clone(&templates),
            &settings.notify,
            Arc::new(notify::FileSms::new(settings.notify.sms_file.clone())),
        );
        Ok(Self {
            settings,
            exchanges: vec![Arc::new(portal), Arc::new(email), Arc::new(sms)],
            templates,
        })
    }
}

/// What one round of the worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SyncRound {
    pub claimed: u64,
    pub delivered: u64,
    pub retried: u64,
    pub dead: u64,
}

/// Messages of one sink in one status.
#[derive(Debug, Clone, Serialize)]
pub struct SyncCount {
    pub sink: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub count: i64,
    pub oldest: Option<String>,
}

/// The sync as an administrator sees it.
#[derive(Debug, Clone, Serialize)]
pub struct SyncStatus {
    pub connected: bool,
    /// The portal's address (never its token).
    pub endpoint: Option<String>,
    pub pending: i64,
    pub delivered: i64,
    pub dead: i64,
    pub counts: Vec<SyncCount>,
    pub max_attempts: u32,
}

/// A message as an administrator sees it.
#[derive(Debug, Clone, Serialize)]
pub struct MessageView {
    pub id: i64,
    pub key: String,
    pub sink: String,
    pub dossier_code: String,
    pub seq: u32,
    pub kind: String,
    pub status: &'static str,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub created_at: String,
    pub next_attempt_at: String,
    pub delivered_at: Option<String>,
}

fn status_label(s: OutboxStatus) -> &'static str {
    match s {
        OutboxStatus::Pending => "chờ gửi",
        OutboxStatus::Delivered => "đã gửi",
        OutboxStatus::Dead => "gửi lỗi, chờ gửi lại",
    }
}

/// Milliseconds since the epoch as Vietnam civil time.
fn local_ms(ms: i64) -> String {
    let tz = jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(7));
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned(tz)
                .datetime()
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

fn message_view(m: OutboxMessage) -> MessageView {
    MessageView {
        id: m.id,
        key: m.key,
        sink: m.sink,
        dossier_code: m.dossier_code,
        seq: m.seq,
        kind: m.kind,
        status: status_label(m.status),
        attempts: m.attempts,
        last_error: m.last_error,
        created_at: local_ms(m.created_at),
        next_attempt_at: local_ms(m.next_attempt_at),
        delivered_at: m.delivered_at.map(local_ms),
    }
}

fn admin_only(who: &Principal) -> Result<()> {
    if who.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "chỉ quản trị CCHC xem và gửi lại tin đồng bộ".into(),
        ))
    }
}

impl App {
    /// Uses these sync settings (the endpoint, retries, backoff).
    pub fn with_sync(mut self, settings: SyncSettings) -> Result<Self> {
        self.sync = Arc::new(SyncState::new(settings)?);
        Ok(self)
    }

    pub fn sync_settings(&self) -> &SyncSettings {
        &self.sync.settings
    }

    /// Whether the national portal is connected (an endpoint is configured).
    pub fn portal_connected(&self) -> bool {
        self.sync.settings.portal.is_some()
    }

    /// The outbox messages of one event, one per exchange.
    pub(crate) async fn outbox_for(
        &self,
        dossier: &Dossier,
        event: &Event,
        due: Option<DateTime>,
    ) -> Result<Vec<NewOutboxMessage>> {
        let p = self.procedure_cached(&dossier.procedure_code).await?;
        let ctx = EncodeContext {
            procedure_name: p.as_ref().map(|p| p.row.name.clone()).unwrap_or_default(),
            field: p.map(|p| p.row.field.clone()).unwrap_or_default(),
            due,
            units: self.units()?,
        };
        let mut out = Vec::new();
        for x in &self.sync.exchanges {
            if let Some(payload) = x.encode(&ctx, dossier, event).map_err(AppError::Internal)? {
                out.push(NewOutboxMessage {
                    sink: x.name().to_owned(),
                    dossier_code: dossier.code.clone(),
                    seq: event.body.seq,
                    kind: event.body.kind.name().to_owned(),
                    payload,
                });
            }
        }
        Ok(out)
    }

    /// One round: claims what is due for every configured exchange and delivers it.
    pub async fn sync_once(&self, worker: &str) -> Result<SyncRound> {
        let settings = &self.sync.settings;
        let lease = i64::try_from(settings.lease.as_millis()).unwrap_or(i64::MAX);
        let mut round = SyncRound::default();
        for exchange in self.sync.exchanges.iter().filter(|x| x.configured()) {
            let claimed = self
                .store
                .claim_outbox(exchange.name(), worker, lease, i64::from(settings.batch))
                .await?;
            round.claimed += claimed.len() as u64;
            // The batch holds at most one message per dossier, so they may go out together.
            let mut tasks = tokio::task::JoinSet::new();
            for message in claimed {
                let exchange = Arc::clone(exchange);
                tasks.spawn(async move {
                    let result = exchange.deliver(&message).await;
                    let synced = exchange.marks_synced(&message);
                    (message, result, synced)
                });
            }
            while let Some(joined) = tasks.join_next().await {
                let (message, result, synced) =
                    joined.map_err(|e| AppError::Internal(format!("delivery task: {e}")))?;
                match result {
                    Ok(_) => {
                        let mark = if synced {
                            SyncedMark::Yes
                        } else {
                            SyncedMark::No
                        };
                        self.store.outbox_delivered(message.id, mark).await?;
                        round.delivered += 1;
                    }
                    Err(e) => {
                        let failures = message.attempts.saturating_add(1);
                        let retry_at =
                            (e.retryable && failures < settings.max_attempts).then(|| {
                                let wait = settings.backoff(failures);
                                jiff::Timestamp::now().as_millisecond().saturating_add(
                                    i64::try_from(wait.as_millis()).unwrap_or(i64::MAX),
                                )
                            });
                        tracing::warn!(
                            key = %message.key,
                            attempt = failures,
                            dead = retry_at.is_none(),
                            "sync delivery failed: {e}"
                        );
                        if self
                            .store
                            .outbox_failed(message.id, worker, &e.message, retry_at)
                            .await?
                        {
                            if retry_at.is_some() {
                                round.retried += 1;
                            } else {
                                round.dead += 1;
                            }
                        }
                    }
                }
            }
        }
        Ok(round)
    }

    /// Runs rounds until `stop` turns true (or its sender is dropped). A round under way is
    /// finished first (each request is bounded by the timeout), so no delivery is cut off
    /// between the receiver's answer and its record. Returns at once when no exchange is
    /// configured.
    pub async fn run_sync_worker(
        &self,
        worker: &str,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) {
        if !self.sync.exchanges.iter().any(|x| x.configured()) {
            return;
        }
        tracing::info!(worker, "sync worker started");
        loop {
            if *stop.borrow() {
                break;
            }
            let busy = match self.sync_once(worker).await {
                Ok(r) => r.claimed > 0,
                Err(e) => {
                    tracing::warn!("sync round failed: {e:?}");
                    false
                }
            };
            if busy {
                continue;
            }
            tokio::select! {
                changed = stop.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
                () = tokio::time::sleep(self.sync.settings.poll) => {}
            }
        }
        tracing::info!(worker, "sync worker stopped");
    }

    /// Counts per exchange and status, and the connection.
    pub async fn sync_status(&self, who: &Principal) -> Result<SyncStatus> {
        admin_only(who)?;
        let counts = self.store.outbox_counts().await?;
        let total = |s: OutboxStatus| -> i64 {
            counts
                .iter()
                .filter(|c| c.status == s)
                .map(|c| c.count)
                .sum()
        };
        Ok(SyncStatus {
            connected: self.portal_connected(),
            endpoint: self.sync.settings.portal.as_ref().map(|p| p.url.clone()),
            pending: total(OutboxStatus::Pending),
            delivered: total(OutboxStatus::Delivered),
            dead: total(OutboxStatus::Dead),
            max_attempts: self.sync.settings.max_attempts,
            counts: counts
                .into_iter()
                .map(|c| SyncCount {
                    sink: c.sink,
                    status: c.status.as_str(),
                    status_label: status_label(c.status),
                    count: c.count,
                    oldest: c.oldest_created_at.map(local_ms),
                })
                .collect(),
        })
    }

    /// The dead letters, oldest first (`page` from 1, 100 a page).
    pub async fn dead_letters(&self, who: &Principal, page: i64) -> Result<Vec<MessageView>> {
        admin_only(who)?;
        let page = page.max(1);
        Ok(self
            .store
            .outbox_list(OutboxStatus::Dead, 100, (page - 1).saturating_mul(100))
            .await?
            .into_iter()
            .map(message_view)
            .collect())
    }

    /// Messages waiting (oldest first, up to 100).
    pub async fn pending_messages(&self, who: &Principal) -> Result<Vec<MessageView>> {
        admin_only(who)?;
        Ok(self
            .store
            .outbox_list(OutboxStatus::Pending, 100, 0)
            .await?
            .into_iter()
            .map(message_view)
            .collect())
    }

    /// A dossier's messages, every exchange, in order.
    pub async fn dossier_messages(&self, who: &Principal, code: &str) -> Result<Vec<MessageView>> {
        admin_only(who)?;
        Ok(self
            .store
            .outbox_of_dossier(code)
            .await?
            .into_iter()
            .map(message_view)
            .collect())
    }

    /// Sends dead letters again: one (`id`) or all. Returns how many went back in the queue.
    pub async fn replay_dead(&self, who: &Principal, id: Option<i64>) -> Result<u64> {
        admin_only(who)?;
        let n = self.store.outbox_replay(id).await?;
        if let (Some(id), 0) = (id, n) {
            return Err(AppError::NotFound(format!("tin đồng bộ lỗi số {id}")));
        }
        tracing::info!(replayed = n, by = %who.username, "sync dead letters replayed");
        Ok(n)
    }
}
