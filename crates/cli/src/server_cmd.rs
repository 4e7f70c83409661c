//! `cchc serve` and `cchc demo`: the HTTP server, on the configured database or on a demo
//! database filled with real units and procedures and about two years of dossiers.

use cchc_app::{App, Principal};
use cchc_web::WebConfig;
use clap::Args;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::runtime::{open_app, reference_dir};
use crate::usage;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Địa chỉ lắng nghe.
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: String,
    /// Số yêu cầu mỗi phút cho mỗi địa chỉ vào các điểm công khai (tra cứu, đăng nhập); 0 = không giới hạn.
    #[arg(long, default_value_t = 120)]
    public_per_minute: u32,
    #[command(flatten)]
    portal: crate::sync_cmd::PortalArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    serve: ServeArgs,
    /// Thư mục dữ liệu tham chiếu (mặc định ../shared/data).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Số hồ sơ mẫu (mặc định 8.000: khởi động dưới một phút trên máy 2 nhân).
    #[arg(long)]
    dossiers: Option<usize>,
    /// Hạt giống sinh dữ liệu (cùng hạt giống, cùng dữ liệu).
    #[arg(long, default_value_t = 2025)]
    seed: u64,
    /// Chỉ tạo dữ liệu, không chạy máy chủ.
    #[arg(long)]
    no_serve: bool,
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("CCHC_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

async fn serve(app: App, args: &ServeArgs) -> anyhow::Result<()> {
    // A database written before the indicators existed gets its facts and rollups once.
    let added = app.ensure_indicator_facts().await?;
    if added > 0 {
        eprintln!("Đã tính số liệu chỉ số cho {added} hồ sơ có từ trước.");
    }
    let listener = tokio::net::TcpListener::bind(&args.bind)
        .await
        .map_err(|e| usage(format!("không lắng nghe được ở {}: {e}", args.bind)))?;
    let addr = listener.local_addr()?;
    eprintln!(
        "cchc đang phục vụ tại http://{addr} (cơ sở dữ liệu: {}); dừng bằng Ctrl+C",
        app.store().backend_name()
    );
    let config = WebConfig {
        public_per_minute: args.public_per_minute,
        ..WebConfig::default()
    };
    match &app.sync_settings().portal {
        Some(p) => eprintln!("Đồng bộ Cổng Dịch vụ công quốc gia: {}", p.url),
        None => eprintln!(
            "Đồng bộ Cổng Dịch vụ công quốc gia: chưa kết nối (--portal-url); tin được lưu chờ gửi"
        ),
    }
    // The sync worker runs beside the server and stops after it, finishing its round.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker_app = app.clone();
    let worker_name = format!(
        "serve-{}-{}",
        std::process::id(),
        jiff::Timestamp::now().as_millisecond()
    );
    let worker =
        tokio::spawn(async move { worker_app.run_sync_worker(&worker_name, stopped).await });
    let served = cchc_web::serve(listener, app, config).await;
    let _ = stop.send(true);
    let _ = worker.await;
    served?;
    Ok(())
}

/// `cchc serve`.
pub fn run_serve(args: &ServeArgs, database_url: &str, data: Option<&Path>) -> anyhow::Result<()> {
    init_logging();
    crate::runtime::block_on(async {
        let app = args.portal.apply(open_app(database_url, data).await?)?;
        serve(app, args).await
    })?
}

/// `cchc demo`: imports the reference units and procedures and generates dossiers when the
/// database has none, then serves.
pub fn run_demo(
    args: &DemoArgs,
    database_url: &str,
    data: Option<&Path>,
    out: &mut String,
) -> anyhow::Result<()> {
    init_logging();
    let dir = reference_dir(args.data.clone())?;
    let read = |name: &str| -> anyhow::Result<String> {
        std::fs::read_to_string(dir.join(name))
            .map_err(|e| usage(format!("không đọc được {}: {e}", dir.join(name).display())))
    };
    crate::runtime::block_on(async {
        let app = args
            .serve
            .portal
            .apply(open_app(database_url, data).await?)?;
        let existing = app
            .store()
            .list_dossiers(&cchc_store::DossierFilter {
                limit: 1,
                ..Default::default()
            })
            .await?
            .0;
        if existing > 0 {
            eprintln!("Cơ sở dữ liệu đã có {existing} hồ sơ: dùng lại, không tạo thêm.");
        } else {
            let sys = Principal::system();
            let units = crate::runtime::reference_units_in(&dir)?;
            let u = app.import_units(&sys, units).await?;
            eprintln!("Đã nhập {} đơn vị.", u.inserted + u.updated + u.unchanged);
            let p = app
                .import_procedures(&sys, &read("tthc_dvcqg_2642_procedures.csv")?)
                .await?;
            eprintln!("Đã nhập {} thủ tục.", p.read);
            let defaults = cchc_app::demo::DemoOptions::default();
            // Two years of history up to yesterday evening (no event lies in the future), so
            // today's desk has open, due and late work.
            let today = cchc_app::vietnam_now().date();
            let to = today.yesterday().unwrap_or(defaults.to);
            let from = today
                .checked_sub(jiff::Span::new().years(2))
                .unwrap_or(defaults.from);
            let opts = cchc_app::demo::DemoOptions {
                seed: args.seed,
                dossiers: args.dossiers.unwrap_or(defaults.dossiers),
                from,
                to,
                ..defaults
            };
            let mut last = 0;
            let report = cchc_app::demo::generate(&app, &opts, |n| {
                if n >= last + 2000 {
                    last = n;
                    eprintln!("  … {n} hồ sơ");
                }
            })
            .await?;
            writeln!(out, "{report}")?;
            eprintln!("{report}");
            let plans = cchc_app::demo_plans::seed(&app, today).await?;
            eprintln!("{plans}");
            let par = cchc_app::demo_par::seed(&app, today).await?;
            eprintln!(
                "Chỉ số CCHC mẫu năm 2024, 2025: {} bảng điểm ({} đã thẩm định, {} chờ thẩm định, {} đang tự đánh giá).",
                par.cards, par.appraised, par.submitted, par.drafts
            );
            // The emulation movement's demo needs the plans and PAR demos before it.
            let emu = cchc_app::demo_emulation::seed(&app, today).await?;
            eprintln!(
                "Thi đua mẫu ({}): {} lượt xếp loại, {} sáng kiến, {} quyết định kỷ luật; đánh giá năm {} (bản chờ phê duyệt): {} đơn vị, {} cán bộ đạt mọi tiêu chí.",
                cchc_app::demo_emulation::DEMO_MOVEMENT,
                emu.ratings,
                emu.initiatives,
                emu.disciplines,
                emu.evaluated_year
                    .map_or_else(|| "—".to_owned(), |y| y.to_string()),
                emu.units_met,
                emu.staff_met
            );
            let desk = cchc_app::demo_desk::prepare_desk(&app, cchc_app::vietnam_now()).await?;
            eprintln!(
                "Bàn làm việc mẫu ({}): hồ sơ quá hạn {}, hồ sơ trực tuyến chờ tiếp nhận {}.",
                cchc_app::demo_desk::DESK_UNIT,
                desk.overdue,
                desk.online_waiting
            );
            let pakn = cchc_app::demo_pakn::seed(&app, cchc_app::vietnam_now()).await?;
            eprintln!(
                "Phản ánh, kiến nghị mẫu: {} phản ánh, {} trả lời đã công khai.",
                pakn.created, pakn.published
            );
            // The last four quarters are closed and published, as the reform office would,
            // once every demo record (the feedback too) is in: a closed period verifies as is.
            let closed = app
                .close_past_quarters(&sys, today, 4)
                .await?
                .iter()
                .map(|q| q.label())
                .collect::<Vec<_>>();
            eprintln!("Đã chốt số liệu chỉ số: {}.", closed.join(", "));
        }
        // A fresh dossier received now, so its code and lookup secret can be shown (secrets are
        // stored only hashed and cannot be printed for older dossiers).
        match sample_lookup(&app).await {
            Ok((code, secret)) => {
                let line = format!(
                    "Tra cứu thử: mã hồ sơ {code}, mã tra cứu {secret}\n  curl -s \"http://{}/api/v1/public/dossiers/{code}?secret={secret}\"",
                    args.serve.bind
                );
                writeln!(out, "{line}")?;
                eprintln!("{line}");
            }
            Err(e) => eprintln!("không tạo được hồ sơ tra cứu thử: {e}"),
        }
        eprintln!(
            "Đăng nhập thử: {} (quản trị) hoặc cb.w2025-23293 (cán bộ); mật khẩu mọi tài khoản mẫu: {}",
            cchc_app::demo::DEMO_ADMIN,
            cchc_app::demo::DEMO_PASSWORD
        );
        if args.no_serve {
            return Ok(());
        }
        serve(app, &args.serve).await
    })?
}

/// Receives one dossier at Phường Kon Tum's counter now, as its demo officer.
async fn sample_lookup(app: &App) -> anyhow::Result<(String, String)> {
    use cchc_app::dossiers::{ApplicantInput, NewDossier};
    let officer = app
        .login("cb.w2025-23293", cchc_app::demo::DEMO_PASSWORD)
        .await?
        .principal;
    let receipt = app
        .create_dossier(
            &officer,
            NewDossier {
                procedure_code: "1.004194".into(),
                channel: cchc_domain::procedure::Channel::Counter,
                applicant: ApplicantInput {
                    kind: cchc_domain::dossier::ApplicantKind::Citizen,
                    name: "Công dân tra cứu thử".into(),
                    id_number: String::new(),
                    phone: String::new(),
                    email: String::new(),
                    address: String::new(),
                },
                components: Vec::new(),
                competent_unit: None,
                receiving_unit: None,
            },
        )
        .await?;
    Ok((receipt.code, receipt.secret))
}
