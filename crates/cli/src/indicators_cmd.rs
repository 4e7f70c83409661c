//! `cchc indicators`: a unit's scorecard for a period (text, JSON, CSV, Excel), and the
//! administrator's work on the indicators: ranking, rebuild, period close and verification, and
//! the dossier register (Sổ theo dõi hồ sơ).
//!
//! Every action runs as the system principal (an administrator). Bad input (an unknown unit, a
//! period that does not parse, Excel to a terminal) is one Vietnamese line and exit 2; a
//! verification that finds differences lists them and exits 1.

use anyhow::anyhow;
use cchc_app::indicator_export as files;
use cchc_app::indicators::{MIN_RANK_VOLUME, Ranking, RebuildReport, UnitScorecard, VerifyReport};
use cchc_app::{App, Principal};
use cchc_domain::calendar::fmt_datetime;
use cchc_domain::indicator::{IndicatorResult, Period, ResultState, decimal};
use cchc_domain::unit::UnitKind;
use clap::{Args, Subcommand, ValueEnum};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::calendar_cmd::print_json;
use crate::{app_error, runtime, usage};

/// Options of `cchc indicators`: a unit's scorecard, or one of the subcommands.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct IndicatorsArgs {
    #[command(subcommand)]
    command: Option<IndicatorsCommand>,
    /// Mã đơn vị, ví dụ w:23281, d:608, p:62/so-tu-phap.
    #[arg(long, required = true)]
    unit: Option<String>,
    /// Kỳ: 2024, 2024-Q3, 2024-07 hoặc 2024-07-01..2024-08-15.
    #[arg(long, required = true)]
    period: Option<String>,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Debug, Args)]
struct OutputArgs {
    /// text: bảng tiếng Việt; json; csv (UTF-8 có BOM, mở được bằng Excel); xlsx (cần --output).
    #[arg(long, value_enum, default_value_t)]
    format: ReportFormat,
    /// Ghi vào tệp thay vì đầu ra chuẩn.
    #[arg(long)]
    output: Option<PathBuf>,
}

/// Report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
enum ReportFormat {
    /// Vietnamese text for people.
    #[default]
    Text,
    /// JSON for machines.
    Json,
    /// CSV, UTF-8 with BOM.
    Csv,
    /// Excel workbook (needs --output).
    Xlsx,
}

/// Format of a text-only report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
enum PlainFormat {
    #[default]
    Text,
    Json,
}

/// Format of the register file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FileFormat {
    Csv,
    Xlsx,
}

/// Kinds of units a ranking compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum KindArg {
    Province,
    District,
    Commune,
    Department,
    Office,
    ServiceCentre,
}

impl From<KindArg> for UnitKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Province => Self::Province,
            KindArg::District => Self::District,
            KindArg::Commune => Self::Commune,
            KindArg::Department => Self::Department,
            KindArg::Office => Self::Office,
            KindArg::ServiceCentre => Self::ServiceCentre,
        }
    }
}

#[derive(Debug, Subcommand)]
enum IndicatorsCommand {
    /// Xếp hạng các đơn vị cùng loại theo tổng điểm hoặc theo một chỉ số.
    Rank {
        /// Kỳ: 2024, 2024-Q3, 2024-07 hoặc 2024-07-01..2024-08-15.
        #[arg(long)]
        period: String,
        /// Loại đơn vị (mặc định: mọi đơn vị có hồ sơ).
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
        /// Xếp theo giá trị một chỉ số, ví dụ 2.1.
        #[arg(long)]
        indicator: Option<String>,
        /// Số hồ sơ tiếp nhận tối thiểu để được xếp hạng.
        #[arg(long, default_value_t = MIN_RANK_VOLUME)]
        min_volume: i64,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Tính lại số liệu chỉ số: bảng tổng hợp từ số liệu từng hồ sơ, hoặc (--from-events) cả số
    /// liệu từng hồ sơ từ chuỗi sự kiện. Báo số dòng tổng hợp khác với trước khi tính lại.
    Rebuild {
        /// Tính lại số liệu từng hồ sơ từ chuỗi sự kiện trước.
        #[arg(long)]
        from_events: bool,
        #[arg(long, value_enum, default_value_t)]
        format: PlainFormat,
    },
    /// Chốt số liệu một kỳ đã kết thúc (một lần): số liệu công bố không đổi về sau.
    Close {
        #[arg(long)]
        period: String,
        #[arg(long, value_enum, default_value_t)]
        format: PlainFormat,
    },
    /// Tính lại một kỳ đã chốt từ dữ liệu hiện có và so với số liệu đã chốt; mã thoát 1 nếu
    /// có khác biệt.
    Verify {
        #[arg(long)]
        period: String,
        #[arg(long, value_enum, default_value_t)]
        format: PlainFormat,
    },
    /// Sổ theo dõi hồ sơ (mẫu số 07) của đơn vị và các đơn vị trực thuộc trong kỳ, ra tệp
    /// .xlsx hoặc .csv.
    Register {
        #[arg(long)]
        unit: String,
        #[arg(long)]
        period: String,
        /// Tệp kết quả (.xlsx hoặc .csv).
        #[arg(long)]
        output: PathBuf,
        /// Định dạng (mặc định: theo phần mở rộng của tệp).
        #[arg(long, value_enum)]
        format: Option<FileFormat>,
    },
}

/// A command with its input checked, before the database is opened.
enum Prepared {
    Scorecard {
        unit: String,
        period: Period,
        format: ReportFormat,
        output: Option<PathBuf>,
    },
    Rank {
        period: Period,
        kind: Option<UnitKind>,
        indicator: Option<String>,
        min_volume: i64,
        format: ReportFormat,
        output: Option<PathBuf>,
    },
    Rebuild {
        from_events: bool,
        format: PlainFormat,
    },
    Close {
        period: Period,
        format: PlainFormat,
    },
    Verify {
        period: Period,
        format: PlainFormat,
    },
    Register {
        unit: String,
        period: Period,
        output: PathBuf,
        format: FileFormat,
    },
}

fn parse_period(text: &str) -> anyhow::Result<Period> {
    text.parse::<Period>().map_err(usage)
}

/// Excel is binary: it goes to a file, never to a terminal.
fn check_output(format: ReportFormat, output: Option<&Path>) -> anyhow::Result<()> {
    if format == ReportFormat::Xlsx && output.is_none() {
        return Err(usage(
            "tệp Excel (xlsx) là dữ liệu nhị phân, không in ra màn hình: thêm --output TỆP.xlsx",
        ));
    }
    Ok(())
}

fn prepare(args: &IndicatorsArgs) -> anyhow::Result<Prepared> {
    Ok(match &args.command {
        None => {
            let (Some(unit), Some(period)) = (&args.unit, &args.period) else {
                return Err(usage("cần --unit MÃ_ĐƠN_VỊ và --period KỲ"));
            };
            let period = parse_period(period)?;
            check_output(args.output.format, args.output.output.as_deref())?;
            Prepared::Scorecard {
                unit: unit.trim().to_owned(),
                period,
                format: args.output.format,
                output: args.output.output.clone(),
            }
        }
        Some(IndicatorsCommand::Rank {
            period,
            kind,
            indicator,
            min_volume,
            output,
        }) => {
            let period = parse_period(period)?;
            check_output(output.format, output.output.as_deref())?;
            if *min_volume < 0 {
                return Err(usage("--min-volume phải là số không âm"));
            }
            Prepared::Rank {
                period,
                kind: kind.map(UnitKind::from),
                indicator: indicator.as_ref().map(|s| s.trim().to_owned()),
                min_volume: *min_volume,
                format: output.format,
                output: output.output.clone(),
            }
        }
        Some(IndicatorsCommand::Rebuild {
            from_events,
            format,
        }) => Prepared::Rebuild {
            from_events: *from_events,
            format: *format,
        },
        Some(IndicatorsCommand::Close { period, format }) => Prepared::Close {
            period: parse_period(period)?,
            format: *format,
        },
        Some(IndicatorsCommand::Verify { period, format }) => Prepared::Verify {
            period: parse_period(period)?,
            format: *format,
        },
        Some(IndicatorsCommand::Register {
            unit,
            period,
            output,
            format,
        }) => {
            let period = parse_period(period)?;
            let ext = output
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            let format = match (format, ext.as_deref()) {
                (Some(f), _) => *f,
                (None, Some("xlsx")) => FileFormat::Xlsx,
                (None, Some("csv")) => FileFormat::Csv,
                _ => {
                    return Err(usage(format!(
                        "không rõ định dạng của {}: dùng tệp .xlsx hoặc .csv, hoặc --format",
                        output.display()
                    )));
                }
            };
            Prepared::Register {
                unit: unit.trim().to_owned(),
                period,
                output: output.clone(),
                format,
            }
        }
    })
}

/// Runs `cchc indicators`, writing what it prints into `out`.
pub fn run(
    args: &IndicatorsArgs,
    url: &str,
    data_dir: Option<&std::path::Path>,
    out: &mut String,
) -> anyhow::Result<()> {
    let prepared = prepare(args)?;
    runtime::block_on(async {
        // The same calendar as `cchc serve`: `rebuild --from-events` recomputes due dates.
        let app = runtime::open_app(url, data_dir).await?;
        if !matches!(prepared, Prepared::Rebuild { .. }) {
            let added = app.ensure_indicator_facts().await.map_err(app_error)?;
            if added > 0 {
                eprintln!("Đã tính số liệu chỉ số cho {added} hồ sơ có từ trước.");
            }
        }
        match prepared {
            Prepared::Scorecard {
                unit,
                period,
                format,
                output,
            } => scorecard(&app, &unit, &period, format, output.as_deref(), out).await,
            Prepared::Rank {
                period,
                kind,
                indicator,
                min_volume,
                format,
                output,
            } => {
                rank(
                    &app,
                    &period,
                    kind,
                    indicator.as_deref(),
                    min_volume,
                    format,
                    output.as_deref(),
                    out,
                )
                .await
            }
            Prepared::Rebuild {
                from_events,
                format,
            } => rebuild(&app, from_events, format, out).await,
            Prepared::Close { period, format } => close(&app, &period, format, out).await,
            Prepared::Verify { period, format } => verify(&app, &period, format, out).await,
            Prepared::Register {
                unit,
                period,
                output,
                format,
            } => register(&app, &unit, &period, &output, format, out).await,
        }
    })?
}

/// Writes a file beside its final name and renames it when complete, so a failure never
/// leaves a truncated file that looks whole.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut name = path.as_os_str().to_owned();
    name.push(".part");
    let partial = PathBuf::from(name);
    let written = std::fs::File::create(&partial)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.flush()));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(usage(format!("không ghi được tệp {}: {e}", path.display())));
    }
    std::fs::rename(&partial, path).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        anyhow!(
            "không đổi tên {} thành {}: {e}",
            partial.display(),
            path.display()
        )
    })
}

/// Sends a report to its file (with a line saying so) or to standard output.
fn deliver(
    out: &mut String,
    output: Option<&Path>,
    what: &str,
    bytes: Vec<u8>,
) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            write_file(path, &bytes)?;
            writeln!(out, "Đã ghi {what} vào {}.", path.display())?;
        }
        None => out.push_str(
            &String::from_utf8(bytes).map_err(|_| anyhow!("báo cáo không phải văn bản UTF-8"))?,
        ),
    }
    Ok(())
}

/// A unit's full name for people ("Thành phố Kon Tum" rather than "Kon Tum").
fn full_name(app: &App, id: &str, name: &str) -> String {
    app.units()
        .ok()
        .and_then(|t| t.get(id).map(|u| u.full_name.clone()))
        .unwrap_or_else(|| name.to_owned())
}

/// Pads to a width in characters (Vietnamese letters are one character each).
fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    let mut out = s.to_owned();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(n)));
    out
}

fn pad_left(s: &str, width: usize) -> String {
    let n = s.chars().count();
    let mut out: String = std::iter::repeat_n(' ', width.saturating_sub(n)).collect();
    out.push_str(s);
    out
}

/// "95 ÷ 100" for a computed ratio, "—" for a manual or unavailable indicator.
fn terms(r: &IndicatorResult) -> String {
    let has = !r.numerator_terms.is_empty() || !r.denominator_terms.is_empty();
    if has && r.state != ResultState::Unavailable {
        format!("{} ÷ {}", r.numerator, r.denominator)
    } else {
        "—".to_owned()
    }
}

fn scorecard_text(c: &UnitScorecard, out: &mut String) -> anyhow::Result<()> {
    writeln!(
        out,
        "BẢNG ĐIỂM CHỈ SỐ – {} ({}) – {}",
        c.unit_name, c.unit_id, c.period_label
    )?;
    writeln!(
        out,
        "{}; bộ chỉ số {}; {} hồ sơ tiếp nhận trong kỳ; tính gộp {} đơn vị.",
        files::figures_line(c.closed.as_ref(), cchc_app::vietnam_now().date()),
        c.card.version,
        c.received,
        c.member_units
    )?;
    writeln!(out)?;
    let results = &c.card.results;
    let name_w = results
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(10)
        .max("Chỉ số".len());
    let terms_w = results
        .iter()
        .map(|r| terms(r).chars().count())
        .max()
        .unwrap_or(5)
        .max("Tử số ÷ Mẫu số".chars().count());
    let value_w = results
        .iter()
        .map(|r| r.display().chars().count())
        .max()
        .unwrap_or(5)
        .max("Giá trị".chars().count());
    writeln!(
        out,
        "{}  {}  {}  {}  Điểm",
        pad("Mã", 4),
        pad("Chỉ số", name_w),
        pad_left("Tử số ÷ Mẫu số", terms_w),
        pad_left("Giá trị", value_w)
    )?;
    for g in &c.card.groups {
        writeln!(
            out,
            "{}. {} — {} / {} điểm (tối đa {})",
            g.code,
            g.name,
            decimal(g.points, 2),
            decimal(g.applicable_max, 2),
            decimal(g.max_points, 2)
        )?;
        for r in results.iter().filter(|r| r.group == g.code) {
            writeln!(
                out,
                "{}  {}  {}  {}  {}",
                pad(&r.code, 4),
                pad(&r.name, name_w),
                pad_left(&terms(r), terms_w),
                pad_left(&r.display(), value_w),
                r.points_rule()
            )?;
        }
    }
    writeln!(out)?;
    match c.card.score {
        Some(s) => writeln!(
            out,
            "Tổng điểm: {}/100 ({})",
            decimal(s, 2),
            c.card.total_rule()
        )?,
        None => writeln!(out, "Tổng điểm: — ({})", c.card.total_rule())?,
    }
    if let Some(b) = c.year_before_score {
        writeln!(out, "Cùng kỳ năm trước: {} điểm.", decimal(b, 2))?;
    }
    Ok(())
}

async fn scorecard(
    app: &App,
    unit: &str,
    period: &Period,
    format: ReportFormat,
    output: Option<&Path>,
    out: &mut String,
) -> anyhow::Result<()> {
    let mut card = app
        .unit_scorecard(&Principal::system(), unit, period)
        .await
        .map_err(app_error)?;
    if format != ReportFormat::Json {
        card.unit_name = full_name(app, &card.unit_id, &card.unit_name);
    }
    let bytes = match format {
        ReportFormat::Text => {
            let mut text = String::new();
            scorecard_text(&card, &mut text)?;
            text.into_bytes()
        }
        ReportFormat::Json => {
            let mut text = String::new();
            print_json(&mut text, &card)?;
            text.into_bytes()
        }
        ReportFormat::Csv => files::scorecard_csv(&card),
        ReportFormat::Xlsx => files::scorecard_xlsx(&card).map_err(app_error)?,
    };
    deliver(
        out,
        output,
        &format!("bảng điểm {} – {}", card.unit_name, card.period_label),
        bytes,
    )
}

fn ranking_text(r: &Ranking, out: &mut String) -> anyhow::Result<()> {
    writeln!(
        out,
        "XẾP HẠNG {} {} – {} (đơn vị dưới {} hồ sơ tiếp nhận không xếp hạng)",
        files::kind_plural(r.kind),
        match &r.indicator {
            Some(code) => format!("theo chỉ số {code}"),
            None => "theo tổng điểm".to_owned(),
        },
        r.period_label,
        r.min_volume
    )?;
    if r.rows.is_empty() {
        writeln!(out, "Không có đơn vị nào có hồ sơ trong kỳ.")?;
        return Ok(());
    }
    let label =
        |row: &cchc_app::indicators::RankingRow| format!("{} ({})", row.unit_name, row.unit_id);
    let unit_w = r
        .rows
        .iter()
        .map(|row| label(row).chars().count())
        .max()
        .unwrap_or(10);
    let what = if r.indicator.is_some() {
        "Tỷ lệ %"
    } else {
        "Điểm"
    };
    writeln!(
        out,
        "{}  {}  {}  {}  Cùng kỳ năm trước",
        pad("Hạng", 6),
        pad("Đơn vị", unit_w),
        pad_left(what, 8),
        pad_left("Hồ sơ", 7)
    )?;
    for row in &r.rows {
        let rank = match row.row.rank {
            Some(k) if row.row.tied => format!("{k}="),
            Some(k) => k.to_string(),
            None => "—".to_owned(),
        };
        let before = match (row.year_before_score, row.year_before_rank) {
            (Some(s), Some(k)) => format!("{} (hạng {k})", decimal(s, 2)),
            (Some(s), None) => decimal(s, 2),
            _ => "—".to_owned(),
        };
        let change = match row.rank_change {
            Some(c) if c > 0 => format!(", lên {c} bậc"),
            Some(c) if c < 0 => format!(", xuống {} bậc", -c),
            Some(_) => ", giữ hạng".to_owned(),
            None => String::new(),
        };
        writeln!(
            out,
            "{}  {}  {}  {}  {before}{change}",
            pad(&rank, 6),
            pad(&label(row), unit_w),
            pad_left(&row.row.score.map_or("—".to_owned(), |s| decimal(s, 2)), 8),
            pad_left(&row.row.volume.to_string(), 7),
        )?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn rank(
    app: &App,
    period: &Period,
    kind: Option<UnitKind>,
    indicator: Option<&str>,
    min_volume: i64,
    format: ReportFormat,
    output: Option<&Path>,
    out: &mut String,
) -> anyhow::Result<()> {
    if let Some(code) = indicator {
        let set = app.indicator_set(period);
        if set.indicator(code).is_none() {
            return Err(usage(format!(
                "bộ chỉ số {} không có chỉ số {code}",
                set.version
            )));
        }
    }
    let mut ranking = app
        .ranking(period, kind, indicator, min_volume)
        .await
        .map_err(app_error)?;
    if format != ReportFormat::Json {
        for row in &mut ranking.rows {
            row.unit_name = full_name(app, &row.unit_id, &row.unit_name);
        }
    }
    let bytes = match format {
        ReportFormat::Text => {
            let mut text = String::new();
            ranking_text(&ranking, &mut text)?;
            text.into_bytes()
        }
        ReportFormat::Json => {
            let mut text = String::new();
            print_json(&mut text, &ranking)?;
            text.into_bytes()
        }
        ReportFormat::Csv => files::ranking_csv(&ranking),
        ReportFormat::Xlsx => files::ranking_xlsx(&ranking).map_err(app_error)?,
    };
    deliver(
        out,
        output,
        &format!("bảng xếp hạng {}", ranking.period_label),
        bytes,
    )
}

fn rebuild_text(r: &RebuildReport, from_events: bool, out: &mut String) -> anyhow::Result<()> {
    writeln!(
        out,
        "Đã tính lại số liệu chỉ số {}: {} hồ sơ; {} dòng tổng hợp theo ngày.",
        if from_events {
            "từ chuỗi sự kiện của từng hồ sơ"
        } else {
            "từ số liệu đã lưu của từng hồ sơ"
        },
        r.dossiers,
        r.rollup_rows
    )?;
    if r.rows_differing == 0 {
        writeln!(
            out,
            "Bảng tổng hợp trước khi tính lại khớp hoàn toàn với kết quả tính lại."
        )?;
    } else {
        writeln!(
            out,
            "{} dòng tổng hợp trước khi tính lại khác với kết quả tính lại: đã thay bằng kết quả tính lại.",
            r.rows_differing
        )?;
    }
    Ok(())
}

async fn rebuild(
    app: &App,
    from_events: bool,
    format: PlainFormat,
    out: &mut String,
) -> anyhow::Result<()> {
    let report = app
        .rebuild_indicators(from_events)
        .await
        .map_err(app_error)?;
    match format {
        PlainFormat::Json => print_json(out, &report),
        PlainFormat::Text => rebuild_text(&report, from_events, out),
    }
}

fn when(civil: &str) -> String {
    civil
        .parse::<jiff::civil::DateTime>()
        .map(fmt_datetime)
        .unwrap_or_else(|_| civil.to_owned())
}

async fn close(
    app: &App,
    period: &Period,
    format: PlainFormat,
    out: &mut String,
) -> anyhow::Result<()> {
    let info = app
        .close_period(&Principal::system(), period)
        .await
        .map_err(app_error)?;
    match format {
        PlainFormat::Json => print_json(
            out,
            &serde_json::json!({ "period": period.to_string(), "closed": info }),
        ),
        PlainFormat::Text => {
            writeln!(
                out,
                "Đã chốt số liệu {} lúc {}, người chốt: {}; bộ chỉ số {}; dấu vân tay dữ liệu {}.",
                period.label(),
                when(&info.closed_at),
                info.closed_by,
                info.set_version,
                info.data_fingerprint
            )?;
            Ok(())
        }
    }
}

fn verify_text(r: &VerifyReport, label: &str, out: &mut String) -> anyhow::Result<()> {
    writeln!(
        out,
        "{label}: chốt lúc {}, người chốt: {}; bộ chỉ số {}.",
        when(&r.closed.closed_at),
        r.closed.closed_by,
        r.closed.set_version
    )?;
    writeln!(out, "Đã tính lại {} đơn vị từ dữ liệu hiện có.", r.units)?;
    if r.differences.is_empty() {
        writeln!(
            out,
            "Khớp: số liệu tính lại trùng với số liệu đã chốt (dấu vân tay {}).",
            r.fingerprint_now
        )?;
    } else {
        writeln!(
            out,
            "Không khớp: {} khác biệt so với lúc chốt (dấu vân tay lúc chốt {}, bây giờ {}):",
            r.differences.len(),
            r.closed.data_fingerprint,
            r.fingerprint_now
        )?;
        for (unit, what) in &r.differences {
            writeln!(out, "  - {unit}: {what}")?;
        }
    }
    Ok(())
}

async fn verify(
    app: &App,
    period: &Period,
    format: PlainFormat,
    out: &mut String,
) -> anyhow::Result<()> {
    let report = app.verify_period(period).await.map_err(app_error)?;
    match format {
        PlainFormat::Json => print_json(
            out,
            &serde_json::json!({
                "ok": report.differences.is_empty(),
                "report": report,
            }),
        )?,
        PlainFormat::Text => verify_text(&report, &period.label(), out)?,
    }
    let Some((unit, what)) = report.differences.first() else {
        return Ok(());
    };
    // The report goes out even though the command fails: print it here, then exit 1.
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush());
    out.clear();
    Err(anyhow!(
        "số liệu {} khác với lúc chốt ở {} chỗ; đầu tiên: {unit}: {what}",
        period.label(),
        report.differences.len()
    ))
}

async fn register(
    app: &App,
    unit: &str,
    period: &Period,
    output: &Path,
    format: FileFormat,
    out: &mut String,
) -> anyhow::Result<()> {
    let reg = app
        .dossier_register(&Principal::system(), unit, period)
        .await
        .map_err(app_error)?;
    let bytes = match format {
        FileFormat::Csv => files::register_csv(&reg),
        FileFormat::Xlsx => files::register_xlsx(&reg).map_err(app_error)?,
    };
    deliver(
        out,
        Some(output),
        &format!(
            "sổ theo dõi hồ sơ {} – {} ({} hồ sơ)",
            reg.unit_name,
            reg.period_label,
            reg.rows.len()
        ),
        bytes,
    )
}
