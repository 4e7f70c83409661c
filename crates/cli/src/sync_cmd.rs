//! `cchc sync`: the link to the National Public Service Portal from the command line: the
//! outbox's state, its dead letters and their replay, and a stub portal to run the demo
//! against. Also the portal flags `cchc serve` and `cchc demo` share.

use cchc_app::notify::{NotifySettings, SmtpSettings};
use cchc_app::sync::stub::StubPortal;
use cchc_app::sync::{Endpoint, SyncSettings};
use cchc_app::{App, Principal};
use clap::{Args, Subcommand};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use crate::calendar_cmd::print_json;
use crate::{Format, app_error, runtime, usage};

/// The portal's endpoint and the retry policy.
#[derive(Debug, Clone, Args)]
pub struct PortalArgs {
    /// Địa chỉ nhận hồ sơ đồng bộ của Cổng Dịch vụ công quốc gia (http://…); không có: chưa kết nối, tin vẫn được lưu chờ gửi.
    #[arg(long, env = "CCHC_PORTAL_URL")]
    portal_url: Option<String>,
    /// Mã truy cập gửi kèm mỗi yêu cầu (Authorization: Bearer).
    #[arg(long, env = "CCHC_PORTAL_TOKEN", hide_env_values = true)]
    portal_token: Option<String>,
    /// Số lần gửi thử trước khi chuyển tin vào danh sách lỗi.
    #[arg(long, env = "CCHC_SYNC_MAX_ATTEMPTS", default_value_t = 10)]
    sync_max_attempts: u32,
    /// Thời gian chờ sau lần lỗi đầu (mili giây), gấp đôi sau mỗi lần lỗi tiếp theo.
    #[arg(long, env = "CCHC_SYNC_BACKOFF_MS", default_value_t = 2000)]
    sync_backoff_ms: u64,
    /// Thời gian chờ tối đa giữa hai lần gửi (giây).
    #[arg(long, env = "CCHC_SYNC_BACKOFF_CAP_SECS", default_value_t = 3600)]
    sync_backoff_cap_secs: u64,
    /// Thời gian một tiến trình giữ tin đang gửi (giây); hết hạn thì tiến trình khác gửi lại.
    #[arg(long, env = "CCHC_SYNC_LEASE_SECS", default_value_t = 60)]
    sync_lease_secs: u64,
    /// Máy chủ thư (SMTP) gửi thông báo cho người nộp hồ sơ; không có: không gửi thư.
    #[arg(long, env = "CCHC_SMTP_HOST")]
    smtp_host: Option<String>,
    #[arg(long, env = "CCHC_SMTP_PORT", default_value_t = 25)]
    smtp_port: u16,
    /// Địa chỉ gửi thư thông báo.
    #[arg(
        long,
        env = "CCHC_SMTP_FROM",
        default_value = "motcua@localhost.localdomain"
    )]
    smtp_from: String,
    #[arg(long, env = "CCHC_SMTP_USER")]
    smtp_user: Option<String>,
    #[arg(long, env = "CCHC_SMTP_PASSWORD", hide_env_values = true)]
    smtp_password: Option<String>,
    /// Tệp ghi tin nhắn SMS (mỗi dòng một tin, JSON) khi chưa kết nối tổng đài SMS; không có: ghi vào nhật ký.
    #[arg(long, env = "CCHC_SMS_FILE")]
    sms_file: Option<std::path::PathBuf>,
    /// Địa chỉ công khai của cổng (đường dẫn tra cứu trong thông báo).
    #[arg(long, env = "CCHC_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    public_url: String,
}

impl PortalArgs {
    pub fn settings(&self) -> SyncSettings {
        let defaults = SyncSettings::default();
        SyncSettings {
            portal: self
                .portal_url
                .as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(|url| Endpoint {
                    url: url.to_owned(),
                    token: self.portal_token.clone().filter(|t| !t.is_empty()),
                }),
            max_attempts: self.sync_max_attempts,
            backoff_base: Duration::from_millis(self.sync_backoff_ms),
            backoff_cap: Duration::from_secs(self.sync_backoff_cap_secs),
            lease: Duration::from_secs(self.sync_lease_secs),
            notify: NotifySettings {
                smtp: self
                    .smtp_host
                    .as_deref()
                    .map(str::trim)
                    .filter(|h| !h.is_empty())
                    .map(|host| SmtpSettings {
                        host: host.to_owned(),
                        port: self.smtp_port,
                        from: self.smtp_from.clone(),
                        username: self.smtp_user.clone(),
                        password: self.smtp_password.clone(),
                    }),
                sms_file: self.sms_file.clone(),
                public_url: self.public_url.clone(),
            },
            ..defaults
        }
    }

    /// The app with these settings; a bad URL is the user's mistake.
    pub fn apply(&self, app: App) -> anyhow::Result<App> {
        app.with_sync(self.settings()).map_err(app_error)
    }
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    #[command(flatten)]
    portal: PortalArgs,
    #[command(subcommand)]
    command: SyncCommand,
}

#[derive(Debug, Subcommand)]
enum SyncCommand {
    /// Số tin chờ gửi, đã gửi, lỗi theo từng nơi nhận.
    Status {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Danh sách tin gửi lỗi (đã hết số lần thử hoặc bị từ chối).
    Dead {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Gửi lại tin lỗi: một tin (--id) hoặc tất cả (--all).
    Replay {
        #[arg(long, conflicts_with = "all")]
        id: Option<i64>,
        #[arg(long)]
        all: bool,
    },
    /// Chạy một Cổng Dịch vụ công giả lập (để thử): nhận, ghi lại, bỏ trùng theo Idempotency-Key.
    StubPortal {
        #[arg(long, default_value_t = 8090)]
        port: u16,
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
    },
}

/// `cchc sync …`.
pub fn run(
    args: &SyncArgs,
    database_url: &str,
    data: Option<&Path>,
    out: &mut String,
) -> anyhow::Result<()> {
    if let SyncCommand::StubPortal { port, bind } = &args.command {
        return stub_portal(bind, *port);
    }
    runtime::block_on(async {
        let app = args
            .portal
            .apply(runtime::open_app(database_url, data).await?)?;
        let sys = Principal::system();
        match &args.command {
            SyncCommand::Status { format } => {
                let s = app.sync_status(&sys).await.map_err(app_error)?;
                if *format == Format::Json {
                    return print_json(out, &s);
                }
                match &s.endpoint {
                    Some(url) => writeln!(out, "Cổng Dịch vụ công quốc gia: đã kết nối ({url})")?,
                    None => writeln!(out, "Cổng Dịch vụ công quốc gia: chưa kết nối")?,
                }
                writeln!(
                    out,
                    "Chờ gửi: {}; đã gửi: {}; lỗi: {}",
                    s.pending, s.delivered, s.dead
                )?;
                for c in &s.counts {
                    writeln!(
                        out,
                        "  {} — {}: {} tin (cũ nhất {})",
                        c.sink,
                        c.status_label,
                        c.count,
                        c.oldest.as_deref().unwrap_or("—")
                    )?;
                }
                Ok(())
            }
            SyncCommand::Dead { format } => {
                let list = app.dead_letters(&sys, 1).await.map_err(app_error)?;
                if *format == Format::Json {
                    return print_json(out, &list);
                }
                if list.is_empty() {
                    writeln!(out, "Không có tin gửi lỗi.")?;
                }
                for m in &list {
                    writeln!(
                        out,
                        "#{} {} bước {} ({}), {} lần thử: {}",
                        m.id,
                        m.dossier_code,
                        m.seq,
                        m.kind,
                        m.attempts,
                        m.last_error.as_deref().unwrap_or("")
                    )?;
                }
                Ok(())
            }
            SyncCommand::Replay { id, all } => {
                if id.is_none() && !all {
                    return Err(usage("chỉ ra --id SỐ hoặc --all"));
                }
                let n = app.replay_dead(&sys, *id).await.map_err(app_error)?;
                writeln!(out, "Đã đưa {n} tin trở lại hàng chờ gửi.")?;
                Ok(())
            }
            SyncCommand::StubPortal { .. } => Ok(()),
        }
    })?
}

fn stub_portal(bind: &str, port: u16) -> anyhow::Result<()> {
    let ip: std::net::IpAddr = bind
        .parse()
        .map_err(|_| usage(format!("địa chỉ '{bind}' không hợp lệ")))?;
    runtime::block_on(async move {
        let stub = StubPortal::start(std::net::SocketAddr::new(ip, port))
            .await
            .map_err(|e| usage(format!("không lắng nghe được ở {bind}:{port}: {e}")))?;
        eprintln!(
            "Cổng giả lập đang nhận tại {} (xem tin đã nhận: GET http://{}/); dừng bằng Ctrl+C\n  cchc serve --portal-url {}",
            stub.url(),
            stub.addr(),
            stub.url()
        );
        let _ = tokio::signal::ctrl_c().await;
        eprintln!(
            "Đã nhận {} tin ({} bản trùng bị bỏ qua).",
            stub.accepted().len(),
            stub.duplicates()
        );
        stub.stop();
        Ok(())
    })?
}
