//! `cchc`: the command-line entry point. Thin: parses arguments, loads data files, calls the
//! domain (and later the app layer), prints JSON for machines or Vietnamese text for people.

// The server allocates and frees many small buffers per request on several threads; glibc's
// allocator spends a quarter of a lookup's time there (perf), mimalloc a fraction of it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bench;
mod bench_core;
mod bench_dashboard;
mod bench_emulation;
mod bench_generate;
mod bench_indicators;
mod bench_ingest;
mod bench_sync;
mod bench_web;
mod calendar_cmd;
mod data_dir;
mod emulation_cmd;
mod indicators_cmd;
mod migrate_cmd;
mod ops;
mod pakn_cmd;
mod par_cmd;
mod plans_cmd;
mod runtime;
mod server_cmd;
mod sync_cmd;

use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// cchc – hệ thống cải cách hành chính: một cửa, chỉ số, thi đua.
#[derive(Debug, Parser)]
#[command(name = "cchc", version, about)]
struct Cli {
    /// Directory with run-time data overriding the shipped files (calendar/rules.toml,
    /// calendar/YYYY.toml).
    #[arg(long, global = true, env = "CCHC_DATA_DIR")]
    data_dir: Option<PathBuf>,

    /// Database: sqlite://PATH (default sqlite://cchc.db, created on first use) or
    /// postgres://USER:PASSWORD@HOST/DB.
    #[arg(
        long,
        global = true,
        env = "CCHC_DATABASE_URL",
        default_value = "sqlite://cchc.db"
    )]
    database_url: String,

    /// A read replica of the PostgreSQL database (postgres://…): dashboards, rankings and
    /// public lists read from it, everything else from --database-url. Not for SQLite.
    #[arg(long, global = true, env = "CCHC_REPLICA_URL")]
    replica_url: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lịch làm việc: ngày nghỉ, ngày âm lịch, hạn giải quyết.
    #[command(subcommand)]
    Calendar(calendar_cmd::CalendarCommand),
    /// Chạy máy chủ (API /api/v1) trên cơ sở dữ liệu đã cấu hình.
    Serve(server_cmd::ServeArgs),
    /// Tạo cơ sở dữ liệu mẫu (đơn vị, thủ tục, khoảng hai năm hồ sơ) nếu chưa có, rồi chạy máy chủ.
    Demo(server_cmd::DemoArgs),
    /// Chỉ số: bảng điểm theo đơn vị và kỳ, xếp hạng, chốt số liệu, tính lại.
    Indicators(indicators_cmd::IndicatorsArgs),
    /// Thi đua, khen thưởng: bình xét theo bộ tiêu chí, danh sách đề nghị, hồ sơ đề nghị (DOCX).
    #[command(subcommand)]
    Emulation(emulation_cmd::EmulationCommand),
    /// Kế hoạch CCHC: danh sách kế hoạch, nhiệm vụ, nhiệm vụ và báo cáo quá hạn.
    Plans(plans_cmd::PlansArgs),
    /// Chỉ số CCHC (PAR INDEX) của sở, ban, ngành và xã, phường: xếp hạng, bảng điểm, nhập điều tra xã hội học.
    Par(par_cmd::ParArgs),
    /// Phản ánh, kiến nghị: danh sách theo đơn vị và trạng thái, danh sách quá hạn.
    Pakn(pakn_cmd::PaknArgs),
    /// Đồng bộ với Cổng Dịch vụ công quốc gia: tình trạng, tin lỗi, gửi lại, cổng giả lập.
    Sync(sync_cmd::SyncArgs),
    /// Chuyển dữ liệu: chép cơ sở dữ liệu SQLite sang PostgreSQL và kiểm tra bản chép.
    #[command(subcommand)]
    Migrate(migrate_cmd::MigrateCommand),
    /// Đo tải.
    #[command(subcommand)]
    Bench(BenchCommand),
    // import, user, export, audit: the administrator's work on the database.
    #[command(flatten)]
    Ops(ops::OpsCommand),
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Lõi một cửa: vòng đời hồ sơ qua tầng ứng dụng, tra cứu theo mã.
    Core(bench_core::CoreBenchArgs),
    /// Trang web: thời gian phục vụ các trang chính khi đã lưu nhiều hồ sơ.
    Web(bench_web::WebBenchArgs),
    /// Chỉ số: truy vấn bảng điều khiển từ bảng tổng hợp, tính lại toàn bộ, so với DuckDB và PostgreSQL.
    Indicators(bench_indicators::IndicatorsBenchArgs),
    /// Thi đua: đánh giá một năm của phong trào (mọi đơn vị, cán bộ) trên dữ liệu lớn.
    Emulation(bench_emulation::EmulationBenchArgs),
    /// Đồng bộ: ghi tin vào hộp thư đi, gửi tồn đọng tới cổng giả lập, so với HTTP trần.
    Sync(bench_sync::SyncBenchArgs),
    /// Sinh dữ liệu: hồ sơ thật (đơn vị, thủ tục, lịch, chuỗi sự kiện) ở mọi quy mô, ghi thẳng qua tầng lưu trữ.
    Generate(bench_generate::GenerateArgs),
    /// Ghi sự kiện qua tầng ứng dụng: mỗi sự kiện một giao dịch và theo lô, so với giới hạn vật lý.
    Ingest(bench_ingest::IngestBenchArgs),
    /// Bảng điều khiển chỉ số trên cơ sở dữ liệu hiện có: bảng điểm, số đo theo đơn vị, xếp hạng, tính lại.
    Dashboard(bench_dashboard::DashboardBenchArgs),
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// Vietnamese text for people.
    #[default]
    Text,
    /// JSON for machines.
    Json,
}

/// A user's mistake: printed as one Vietnamese line, exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Turns any displayable error into a usage error.
pub fn usage(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::Error::new(UsageError(e.to_string()))
}

/// A use case's refusal is the user's mistake (exit 2); anything else is a failure (exit 1).
pub fn app_error(e: cchc_app::AppError) -> anyhow::Error {
    use cchc_app::AppError;
    match e {
        AppError::Invalid(_)
        | AppError::NotFound(_)
        | AppError::Forbidden(_)
        | AppError::Unauthenticated => usage(e),
        AppError::Internal(detail) => anyhow::anyhow!("lỗi hệ thống: {detail}"),
        AppError::Conflict(_) => anyhow::anyhow!(e),
    }
}

/// One Vietnamese line for an argument error from clap.
fn clap_message(err: &clap::Error) -> String {
    use clap::error::{ContextKind, ErrorKind};
    let ctx = |k| err.get(k).map(ToString::to_string).unwrap_or_default();
    match err.kind() {
        ErrorKind::UnknownArgument => {
            format!("đối số không hợp lệ: {}", ctx(ContextKind::InvalidArg))
        }
        ErrorKind::MissingRequiredArgument => {
            format!("thiếu đối số bắt buộc: {}", ctx(ContextKind::InvalidArg))
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => format!(
            "giá trị '{}' không hợp lệ cho {}",
            ctx(ContextKind::InvalidValue),
            ctx(ContextKind::InvalidArg)
        ),
        ErrorKind::InvalidSubcommand => {
            format!(
                "lệnh không tồn tại: {}",
                ctx(ContextKind::InvalidSubcommand)
            )
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "thiếu lệnh con; xem 'cchc --help'".to_owned()
        }
        ErrorKind::ArgumentConflict => {
            let arg = ctx(ContextKind::InvalidArg);
            let with = ctx(ContextKind::PriorArg);
            match (arg.is_empty(), with.is_empty()) {
                (false, false) => format!("không dùng được {arg} cùng với {with}"),
                (false, true) => format!("các đối số xung đột: {arg}"),
                _ => "các đối số xung đột: dùng một lệnh con hoặc --unit/--period, không cả hai"
                    .to_owned(),
            }
        }
        ErrorKind::TooManyValues => {
            format!("quá nhiều giá trị cho {}", ctx(ContextKind::InvalidArg))
        }
        _ => {
            let text = err.to_string();
            let first = text.lines().next().unwrap_or("đối số không hợp lệ");
            first.trim_start_matches("error: ").to_owned()
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            use clap::error::ErrorKind;
            if matches!(
                err.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) {
                let _ = err.print();
                return ExitCode::SUCCESS;
            }
            eprintln!("lỗi: {}", clap_message(&err));
            return ExitCode::from(2);
        }
    };
    runtime::set_replica_url(cli.replica_url.clone());
    let mut out = String::new();
    let result = match cli.command {
        Command::Calendar(cmd) => calendar_cmd::run(cmd, cli.data_dir.as_deref(), &mut out),
        Command::Serve(args) => {
            server_cmd::run_serve(&args, &cli.database_url, cli.data_dir.as_deref())
        }
        Command::Demo(args) => {
            server_cmd::run_demo(&args, &cli.database_url, cli.data_dir.as_deref(), &mut out)
        }
        Command::Bench(BenchCommand::Core(args)) => {
            bench_core::run(&args, &cli.database_url, &mut out)
        }
        Command::Bench(BenchCommand::Web(args)) => {
            bench_web::run(&args, &cli.database_url, &mut out)
        }
        Command::Bench(BenchCommand::Indicators(args)) => {
            bench_indicators::run(&args, &cli.database_url, &mut out)
        }
        Command::Bench(BenchCommand::Emulation(args)) => {
            bench_emulation::run(&args, &cli.database_url, &mut out)
        }
        Command::Bench(BenchCommand::Sync(args)) => {
            bench_sync::run(&args, &cli.database_url, &mut out)
        }
        Command::Bench(BenchCommand::Generate(args)) => {
            bench_generate::run(&args, &cli.database_url, &mut out)
        }
        Command::Bench(BenchCommand::Ingest(args)) => {
            bench_ingest::run(&args, &cli.database_url, &mut out)
        }
        Command::Bench(BenchCommand::Dashboard(args)) => {
            bench_dashboard::run(&args, &cli.database_url, &mut out)
        }
        Command::Indicators(args) => {
            indicators_cmd::run(&args, &cli.database_url, cli.data_dir.as_deref(), &mut out)
        }
        Command::Emulation(cmd) => {
            emulation_cmd::run(&cmd, &cli.database_url, cli.data_dir.as_deref(), &mut out)
        }
        Command::Plans(args) => {
            plans_cmd::run(&args, &cli.database_url, cli.data_dir.as_deref(), &mut out)
        }
        Command::Par(args) => {
            par_cmd::run(&args, &cli.database_url, cli.data_dir.as_deref(), &mut out)
        }
        Command::Pakn(args) => {
            pakn_cmd::run(&args, &cli.database_url, cli.data_dir.as_deref(), &mut out)
        }
        Command::Sync(args) => {
            sync_cmd::run(&args, &cli.database_url, cli.data_dir.as_deref(), &mut out)
        }
        Command::Migrate(cmd) => migrate_cmd::run(&cmd, &mut out),
        Command::Ops(cmd) => ops::run(cmd, &cli.database_url, cli.data_dir.as_deref(), &mut out),
    };
    match result {
        Ok(()) => {
            // A reader that closes the pipe early (`| head`) is not an error.
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(out.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    eprintln!("lỗi: không ghi được kết quả: {e}");
                    ExitCode::FAILURE
                }
                _ => ExitCode::SUCCESS,
            }
        }
        Err(err) => {
            // One line: the user's mistake in Vietnamese, or the failure chain for operators.
            if let Some(u) = err.downcast_ref::<UsageError>() {
                eprintln!("lỗi: {u}");
                ExitCode::from(2)
            } else {
                let chain: Vec<String> = err.chain().map(ToString::to_string).collect();
                eprintln!("lỗi: {}", chain.join(": "));
                ExitCode::FAILURE
            }
        }
    }
}
