//! Operator commands on the database: `cchc import units|procedures`, `cchc user add`,
//! `cchc export dossiers`, `cchc audit verify`. Each one calls the app's use cases as the
//! system principal; bad input is one Vietnamese line and exit 2.

use anyhow::anyhow;
use cchc_app::catalogue::{ImportOutcome, ReferenceUnitFiles, reference_units};
use cchc_app::export::{ExportFilter, ExportRow};
use cchc_app::{App, Principal, Role};
use cchc_domain::procedure::{IssueKind, parse_catalogue};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead as _, Write};
use std::path::{Path, PathBuf};

use crate::calendar_cmd::{parse_date, print_json};
use crate::{Format, app_error, runtime, usage};

/// The environment variable a new account's password may come from.
pub const PASSWORD_ENV: &str = "CCHC_NEW_PASSWORD";

#[derive(Debug, Subcommand)]
pub enum OpsCommand {
    /// Nhập danh mục dùng chung: đơn vị hành chính, thủ tục hành chính.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Quản lý tài khoản người dùng.
    #[command(subcommand)]
    User(UserCommand),
    /// Xuất dữ liệu để tính lại chỉ số ngoài hệ thống.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Kiểm tra toàn vẹn dữ liệu.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Nhập đơn vị hành chính từ các tệp tham chiếu (Kon Tum trước 1/7/2025 và Quảng Ngãi sau
    /// đó; --whole-country: cả nước). Chạy lại không tạo bản ghi trùng.
    Units {
        /// Thư mục chứa các tệp vn_units_*.csv và kontum_units_*.csv (mặc định ../shared/data
        /// hoặc ./shared/data).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Nhập mọi tỉnh, huyện, xã của cả nước, không chỉ Kon Tum và Quảng Ngãi.
        #[arg(long)]
        whole_country: bool,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Nhập danh mục thủ tục hành chính (CSV của Cơ sở dữ liệu quốc gia về TTHC). Chạy lại
    /// không tạo bản ghi trùng.
    Procedures {
        /// Tệp CSV.
        file: PathBuf,
        /// Ghi báo cáo đầy đủ (JSON): mọi thủ tục có cảnh báo chất lượng dữ liệu, mọi dòng bị
        /// loại.
        #[arg(long)]
        report: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Tạo tài khoản. Mật khẩu đọc từ một dòng của đầu vào chuẩn (--password-stdin) hoặc biến
    /// môi trường CCHC_NEW_PASSWORD, không bao giờ từ đối số dòng lệnh.
    Add(UserAddArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// Tên đăng nhập (3-64 ký tự: chữ, số, . _ - @).
    #[arg(long)]
    username: String,
    /// Vai trò: citizen, officer, leader, admin.
    #[arg(long)]
    role: String,
    /// Mã đơn vị (bắt buộc với officer, leader), ví dụ w:23281.
    #[arg(long)]
    unit: Option<String>,
    /// Họ và tên.
    #[arg(long)]
    name: String,
    /// Chức danh.
    #[arg(long, default_value = "")]
    title: String,
    /// Đọc mật khẩu từ dòng đầu tiên của đầu vào chuẩn.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Xuất mọi hồ sơ (không có dữ liệu cá nhân) đủ để tính lại mọi chỉ số: thời điểm, trạng
    /// thái, tạm dừng, gia hạn, thanh toán, số hóa, đánh giá, độ dài và mã băm cuối của chuỗi
    /// sự kiện.
    Dossiers {
        #[arg(long, value_enum, default_value_t)]
        format: ExportFormat,
        /// Tệp kết quả (mặc định: đầu ra chuẩn).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Chỉ hồ sơ chưa xong trước ngày này (YYYY-MM-DD); hồ sơ đang mở luôn được xuất.
        #[arg(long)]
        from: Option<String>,
        /// Chỉ hồ sơ nộp đến hết ngày này (YYYY-MM-DD).
        #[arg(long)]
        to: Option<String>,
    },
}

/// Export file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ExportFormat {
    /// CSV with a header row.
    #[default]
    Csv,
    /// One JSON object per line.
    Jsonl,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Kiểm tra chuỗi băm của mọi hồ sơ; mã thoát 1 nếu có chuỗi bị phá vỡ.
    Verify {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

/// Runs an operator command, writing what it prints into `out`.
pub fn run(
    cmd: OpsCommand,
    database_url: &str,
    data_dir: Option<&Path>,
    out: &mut String,
) -> anyhow::Result<()> {
    // Input mistakes are caught before the database is opened.
    let prepared = prepare(cmd)?;
    runtime::block_on(async {
        let app = runtime::open_app(database_url, data_dir).await?;
        match prepared {
            Prepared::Units {
                dir,
                files,
                whole_country,
                format,
            } => import_units(&app, &dir, &files, whole_country, format, out).await,
            Prepared::Procedures {
                file,
                text,
                report,
                format,
            } => import_procedures(&app, &file, &text, report.as_deref(), format, out).await,
            Prepared::UserAdd(new) => user_add(&app, *new, out).await,
            Prepared::Export {
                format,
                output,
                filter,
            } => export_dossiers(&app, format, output.as_deref(), filter, out).await,
            Prepared::Audit { format } => audit_verify(&app, format, out).await,
        }
    })?
}

/// A command with its input read and checked.
enum Prepared {
    Units {
        dir: PathBuf,
        files: [String; 6],
        whole_country: bool,
        format: Format,
    },
    Procedures {
        file: PathBuf,
        text: String,
        report: Option<PathBuf>,
        format: Format,
    },
    UserAdd(Box<cchc_app::accounts::NewAccount>),
    Export {
        format: ExportFormat,
        output: Option<PathBuf>,
        filter: ExportFilter,
    },
    Audit {
        format: Format,
    },
}

/// The reference unit files, in [`ReferenceUnitFiles`] order.
const UNIT_FILES: [&str; 6] = [
    "vn_units_pre2025_provinces.csv",
    "vn_units_pre2025_districts.csv",
    "vn_units_pre2025_wards.csv",
    "vn_units_2025_provinces.csv",
    "vn_units_2025_wards.csv",
    "kontum_units_pre2025_with_2025_mapping.csv",
];

fn read_text(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| usage(format!("không đọc được tệp {}: {e}", path.display())))
}

fn prepare(cmd: OpsCommand) -> anyhow::Result<Prepared> {
    Ok(match cmd {
        OpsCommand::Import(ImportCommand::Units {
            data,
            whole_country,
            format,
        }) => {
            let dir = runtime::reference_dir(data)?;
            let mut files: [String; 6] = Default::default();
            for (slot, name) in files.iter_mut().zip(UNIT_FILES) {
                *slot = read_text(&dir.join(name))?;
            }
            Prepared::Units {
                dir,
                files,
                whole_country,
                format,
            }
        }
        OpsCommand::Import(ImportCommand::Procedures {
            file,
            report,
            format,
        }) => Prepared::Procedures {
            text: read_text(&file)?,
            file,
            report,
            format,
        },
        OpsCommand::User(UserCommand::Add(args)) => {
            let role = Role::parse(args.role.trim()).map_err(usage)?;
            let password = read_password(args.password_stdin)?;
            Prepared::UserAdd(Box::new(cchc_app::accounts::NewAccount {
                username: args.username,
                password,
                display_name: args.name,
                title: args.title,
                role,
                unit_id: args.unit.map(|u| u.trim().to_owned()),
            }))
        }
        OpsCommand::Export(ExportCommand::Dossiers {
            format,
            output,
            from,
            to,
        }) => {
            let filter = ExportFilter {
                from: from.as_deref().map(parse_date).transpose()?,
                to: to.as_deref().map(parse_date).transpose()?,
            };
            if let (Some(f), Some(t)) = (filter.from, filter.to)
                && f > t
            {
                return Err(usage(format!("--from {f} sau --to {t}")));
            }
            Prepared::Export {
                format,
                output,
                filter,
            }
        }
        OpsCommand::Audit(AuditCommand::Verify { format }) => Prepared::Audit { format },
    })
}

/// The new password: one line of stdin, or the environment; never an argument, which any
/// user of the machine could read in the process list.
fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    let password = if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| usage(format!("không đọc được mật khẩu từ đầu vào chuẩn: {e}")))?;
        line.trim_end_matches(['\n', '\r']).to_owned()
    } else {
        match std::env::var(PASSWORD_ENV) {
            Ok(p) => p,
            Err(std::env::VarError::NotPresent) => {
                return Err(usage(format!(
                    "thiếu mật khẩu: dùng --password-stdin hoặc biến môi trường {PASSWORD_ENV}"
                )));
            }
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(usage(format!(
                    "biến môi trường {PASSWORD_ENV} không phải văn bản UTF-8"
                )));
            }
        }
    };
    if password.is_empty() {
        return Err(usage("mật khẩu trống"));
    }
    Ok(password)
}

fn counts_line(o: &ImportOutcome) -> String {
    format!(
        "thêm mới {}, cập nhật {}, không đổi {}",
        o.inserted, o.updated, o.unchanged
    )
}

#[derive(Serialize)]
struct UnitsOutput<'a> {
    directory: String,
    whole_country: bool,
    #[serde(flatten)]
    outcome: &'a ImportOutcome,
}

async fn import_units(
    app: &App,
    dir: &Path,
    files: &[String; 6],
    whole_country: bool,
    format: Format,
    out: &mut String,
) -> anyhow::Result<()> {
    let [
        pre2025_provinces,
        pre2025_districts,
        pre2025_wards,
        provinces_2025,
        wards_2025,
        kon_tum_mapping,
    ] = files;
    let units = reference_units(
        ReferenceUnitFiles {
            pre2025_provinces,
            pre2025_districts,
            pre2025_wards,
            provinces_2025,
            wards_2025,
            kon_tum_mapping,
        },
        whole_country,
    )
    .map_err(app_error)?;
    let outcome = app
        .import_units(&Principal::system(), units)
        .await
        .map_err(app_error)?;
    match format {
        Format::Json => print_json(
            out,
            &UnitsOutput {
                directory: dir.display().to_string(),
                whole_country,
                outcome: &outcome,
            },
        ),
        Format::Text => {
            writeln!(
                out,
                "Nhập đơn vị hành chính ({}) từ {}:",
                if whole_country {
                    "cả nước"
                } else {
                    "Kon Tum trước 1/7/2025, Quảng Ngãi từ 1/7/2025"
                },
                dir.display()
            )?;
            writeln!(
                out,
                "  đọc {} đơn vị; {}",
                outcome.read,
                counts_line(&outcome)
            )?;
            Ok(())
        }
    }
}

/// One kind of data-quality flag and how many imported procedures carry it.
#[derive(Debug, Serialize)]
struct FlagCount {
    kind: &'static str,
    label: &'static str,
    /// Procedures with at least one issue of this kind.
    procedures: usize,
    /// Issues of this kind (a procedure may have one per channel).
    issues: usize,
}

#[derive(Debug, Serialize)]
struct ReportIssue {
    kind: &'static str,
    label: &'static str,
    /// The channel the issue is about, if any.
    channel: Option<&'static str>,
    description: String,
}

#[derive(Debug, Serialize)]
struct ReportProcedure {
    code: String,
    name: String,
    issues: Vec<ReportIssue>,
}

#[derive(Debug, Serialize)]
struct ReportRejected {
    line: u64,
    end_line: u64,
    code: Option<String>,
    problem: String,
}

/// Everything the importer noticed: nothing is dropped silently.
#[derive(Debug, Serialize)]
struct ImportReport {
    file: String,
    rows_read: usize,
    inserted: u64,
    updated: u64,
    unchanged: u64,
    flags: Vec<FlagCount>,
    rejected: Vec<ReportRejected>,
    /// Every imported procedure with at least one data-quality issue.
    procedures_with_issues: Vec<ReportProcedure>,
}

async fn import_procedures(
    app: &App,
    file: &Path,
    text: &str,
    report_path: Option<&Path>,
    format: Format,
    out: &mut String,
) -> anyhow::Result<()> {
    // The details of what is imported: the same pure reading of the same text, on another
    // thread while the import runs (the outcome carries counts only).
    let details = {
        let text = text.to_owned();
        tokio::task::spawn_blocking(move || parse_catalogue(&text))
    };
    let outcome = app
        .import_procedures(&Principal::system(), text)
        .await
        .map_err(app_error)?;
    let parsed = details.await?.map_err(usage)?;
    let mut kinds: BTreeMap<IssueKind, (usize, usize)> = BTreeMap::new();
    for p in &parsed.procedures {
        let mut seen: Vec<IssueKind> = Vec::new();
        for issue in &p.quality {
            let kind = issue.kind();
            let entry = kinds.entry(kind).or_default();
            entry.1 += 1;
            if !seen.contains(&kind) {
                seen.push(kind);
                entry.0 += 1;
            }
        }
    }
    let report = ImportReport {
        file: file.display().to_string(),
        rows_read: outcome.read,
        inserted: outcome.inserted,
        updated: outcome.updated,
        unchanged: outcome.unchanged,
        flags: kinds
            .iter()
            .map(|(k, (procedures, issues))| FlagCount {
                kind: k.code(),
                label: k.label(),
                procedures: *procedures,
                issues: *issues,
            })
            .collect(),
        rejected: parsed
            .rejected_rows
            .iter()
            .map(|r| ReportRejected {
                line: r.line,
                end_line: r.end_line,
                code: r.code.clone(),
                problem: r.to_string(),
            })
            .collect(),
        procedures_with_issues: parsed
            .procedures
            .iter()
            .filter(|p| !p.quality.is_empty())
            .map(|p| ReportProcedure {
                code: p.code.clone(),
                name: p.name.clone(),
                issues: p
                    .quality
                    .iter()
                    .map(|i| ReportIssue {
                        kind: i.kind().code(),
                        label: i.kind().label(),
                        channel: i.channel().map(|c| c.label()),
                        description: i.description(),
                    })
                    .collect(),
            })
            .collect(),
    };
    if let Some(path) = report_path {
        let json = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, json + "\n")
            .map_err(|e| usage(format!("không ghi được báo cáo {}: {e}", path.display())))?;
    }
    match format {
        Format::Json => {
            let summary = serde_json::json!({
                "file": report.file,
                "rows_read": report.rows_read,
                "inserted": report.inserted,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "flags": report.flags,
                "rejected": report.rejected,
                "report": report_path.map(|p| p.display().to_string()),
            });
            print_json(out, &summary)
        }
        Format::Text => {
            writeln!(out, "Nhập thủ tục hành chính từ {}:", file.display())?;
            writeln!(
                out,
                "  đọc {} dòng; {}; bị loại {}",
                outcome.read,
                counts_line(&outcome),
                report.rejected.len()
            )?;
            if !report.flags.is_empty() {
                writeln!(out, "Nhập kèm cảnh báo chất lượng dữ liệu (số thủ tục):")?;
                for f in &report.flags {
                    writeln!(out, "  {:>5}  {} [{}]", f.procedures, f.label, f.kind)?;
                }
            }
            if !report.rejected.is_empty() {
                writeln!(out, "Dòng bị loại (không nhập):")?;
                for r in &report.rejected {
                    writeln!(out, "  {}", r.problem)?;
                }
            }
            match report_path {
                Some(p) => writeln!(out, "Báo cáo đầy đủ: {}", p.display())?,
                None => writeln!(
                    out,
                    "Xem từng thủ tục có cảnh báo: chạy lại với --report TỆP.json"
                )?,
            }
            Ok(())
        }
    }
}

async fn user_add(
    app: &App,
    new: cchc_app::accounts::NewAccount,
    out: &mut String,
) -> anyhow::Result<()> {
    let who = app
        .create_account(&Principal::system(), new)
        .await
        .map_err(app_error)?;
    let unit = match &who.unit_id {
        Some(id) => {
            let name = app
                .units()
                .ok()
                .and_then(|t| t.get(id).map(|u| u.full_name.clone()))
                .unwrap_or_default();
            format!(", đơn vị {id} ({name})")
        }
        None => String::new(),
    };
    writeln!(
        out,
        "Đã tạo tài khoản {} – {} ({}){unit}; mã tài khoản {}",
        who.username,
        who.display_name,
        who.role.label(),
        who.account_id
    )?;
    Ok(())
}

/// Where exported rows go, in the chosen format.
enum Sink {
    Csv(Box<csv::Writer<Box<dyn Write>>>),
    Jsonl(std::io::BufWriter<Box<dyn Write>>),
}

impl Sink {
    fn new(format: ExportFormat, w: Box<dyn Write>) -> std::io::Result<Self> {
        Ok(match format {
            ExportFormat::Csv => {
                let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(w);
                // Written up front, so an empty export still names its columns.
                w.write_record(ExportRow::HEADER).map_err(csv_io)?;
                Self::Csv(Box::new(w))
            }
            ExportFormat::Jsonl => Self::Jsonl(std::io::BufWriter::new(w)),
        })
    }

    fn write(&mut self, row: &ExportRow) -> std::io::Result<()> {
        match self {
            Self::Csv(w) => w.serialize(row).map_err(csv_io),
            Self::Jsonl(w) => {
                serde_json::to_writer(&mut *w, row)?;
                w.write_all(b"\n")
            }
        }
    }

    fn finish(self) -> std::io::Result<()> {
        match self {
            Self::Csv(mut w) => w.flush(),
            Self::Jsonl(mut w) => w.flush(),
        }
    }
}

/// The I/O error inside a CSV error (so a closed pipe is still recognised as one).
fn csv_io(e: csv::Error) -> std::io::Error {
    let text = e.to_string();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        _ => std::io::Error::other(text),
    }
}

async fn export_dossiers(
    app: &App,
    format: ExportFormat,
    output: Option<&Path>,
    filter: ExportFilter,
    out: &mut String,
) -> anyhow::Result<()> {
    let mut export = app
        .export_dossiers(&Principal::system(), filter)
        .map_err(app_error)?;
    // A file is written beside its final name and renamed when complete, so a failed export
    // never leaves a truncated file that looks whole.
    let partial = output.map(|p| {
        let mut name = p.as_os_str().to_owned();
        name.push(".part");
        PathBuf::from(name)
    });
    let writer: Box<dyn Write> = match &partial {
        Some(p) => Box::new(
            std::fs::File::create(p)
                .map_err(|e| usage(format!("không ghi được tệp {}: {e}", p.display())))?,
        ),
        None => Box::new(std::io::stdout()),
    };
    let result = async {
        let mut sink = Sink::new(format, writer)?;
        let mut n: u64 = 0;
        while let Some(page) = export.next_page().await.map_err(app_error)? {
            for row in &page {
                sink.write(row)?;
                n += 1;
            }
        }
        sink.finish()?;
        anyhow::Ok(n)
    }
    .await;
    let n = match (result, &partial) {
        (Ok(n), _) => n,
        // A reader that stops early (`| head`) is not an error.
        (Err(e), None) if is_broken_pipe(&e) => return Ok(()),
        (Err(e), Some(p)) => {
            let _ = std::fs::remove_file(p);
            return Err(e);
        }
        (Err(e), None) => return Err(e),
    };
    if let (Some(partial), Some(path)) = (&partial, output) {
        std::fs::rename(partial, path).map_err(|e| {
            anyhow!(
                "không đổi tên {} thành {}: {e}",
                partial.display(),
                path.display()
            )
        })?;
        writeln!(
            out,
            "Đã xuất {n} hồ sơ ({}) vào {}; hồ sơ đang mở được xét trễ hạn tại {}.",
            match format {
                ExportFormat::Csv => "CSV",
                ExportFormat::Jsonl => "JSONL",
            },
            path.display(),
            cchc_domain::calendar::iso_datetime(export.as_of())
        )?;
    }
    Ok(())
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[derive(Serialize)]
struct AuditOutput<'a> {
    dossiers: u64,
    events: u64,
    ok: bool,
    broken: &'a [String],
}

async fn audit_verify(app: &App, format: Format, out: &mut String) -> anyhow::Result<()> {
    let report = app
        .store()
        .audit_verify()
        .await
        .map_err(|e| anyhow!("không kiểm tra được chuỗi sự kiện: {e}"))?;
    match format {
        Format::Json => print_json(
            out,
            &AuditOutput {
                dossiers: report.dossiers,
                events: report.events,
                ok: report.broken.is_empty(),
                broken: &report.broken,
            },
        )?,
        Format::Text => {
            writeln!(
                out,
                "Đã kiểm tra chuỗi sự kiện của {} hồ sơ, {} sự kiện.",
                report.dossiers, report.events
            )?;
            if report.broken.is_empty() {
                writeln!(out, "Mọi chuỗi sự kiện đều nguyên vẹn.")?;
            } else {
                writeln!(
                    out,
                    "Phát hiện {} hồ sơ có chuỗi sự kiện bị phá vỡ:",
                    report.broken.len()
                )?;
                for b in &report.broken {
                    writeln!(out, "  - {b}")?;
                }
            }
        }
    }
    let Some(first) = report.broken.first() else {
        return Ok(());
    };
    // The report goes out even though the command fails: print it here, then exit 1.
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush());
    out.clear();
    Err(anyhow!(
        "chuỗi sự kiện bị phá vỡ ở {} hồ sơ; đầu tiên: {first}",
        report.broken.len()
    ))
}
