//! `cchc par`: PAR INDEX scorecards (chỉ số CCHC) of departments and communes: the ranking of a
//! year and kind (text, JSON, CSV), a unit's scorecard (text, JSON), and the survey import.
//!
//! Runs as the system principal (an administrator). Bad input (an unknown unit, a year without
//! a tree, a survey file with a bad line) is one Vietnamese line and exit 2; nothing is
//! imported then.

use cchc_app::Principal;
use cchc_app::par_index::{ParCard, ParRanking};
use cchc_domain::par_index::ParKind;
use cchc_domain::text::number;
use clap::{Args, Subcommand, ValueEnum};
use std::fmt::Write as _;
use std::path::PathBuf;

use crate::calendar_cmd::print_json;
use crate::{app_error, runtime, usage};

#[derive(Debug, Args)]
pub struct ParArgs {
    #[command(subcommand)]
    command: ParCommand,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum KindArg {
    Department,
    Commune,
}

impl From<KindArg> for ParKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Department => Self::Department,
            KindArg::Commune => Self::Commune,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
enum RankFormat {
    #[default]
    Text,
    Json,
    /// CSV, UTF-8 with BOM (opens in Excel).
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
enum PlainFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum ParCommand {
    /// Xếp hạng chỉ số CCHC các đơn vị cùng loại trong năm, so với năm trước.
    Rank {
        #[arg(long)]
        year: i16,
        #[arg(long, value_enum)]
        kind: KindArg,
        #[arg(long, value_enum, default_value_t)]
        format: RankFormat,
    },
    /// Bảng điểm chỉ số CCHC của một đơn vị trong năm: từng tiêu chí, tổng điểm và cách tính.
    Show {
        /// Mã đơn vị, ví dụ w2025:23293, p2025:51/so-tu-phap.
        #[arg(long)]
        unit: String,
        #[arg(long)]
        year: i16,
        #[arg(long, value_enum, default_value_t)]
        format: PlainFormat,
    },
    /// Nhập điểm điều tra xã hội học từ tệp CSV (cột don_vi, diem); một dòng sai thì không
    /// nhập gì.
    ImportSurvey {
        #[arg(long)]
        year: i16,
        #[arg(long)]
        file: PathBuf,
    },
}

pub fn run(
    args: &ParArgs,
    url: &str,
    data_dir: Option<&std::path::Path>,
    out: &mut String,
) -> anyhow::Result<()> {
    // The file is read before the database is opened: a missing file changes nothing.
    let survey = match &args.command {
        ParCommand::ImportSurvey { file, .. } => Some(
            std::fs::read_to_string(file)
                .map_err(|e| usage(format!("không đọc được {}: {e}", file.display())))?,
        ),
        _ => None,
    };
    runtime::block_on(async {
        let app = runtime::open_app(url, data_dir).await?;
        let sys = Principal::system();
        match &args.command {
            ParCommand::Rank { year, kind, format } => {
                let r = app
                    .par_ranking(&sys, *year, (*kind).into())
                    .await
                    .map_err(app_error)?;
                match format {
                    RankFormat::Json => print_json(out, &r),
                    RankFormat::Text => ranking_text(&r, out),
                    RankFormat::Csv => {
                        out.push_str(&ranking_csv(&r));
                        Ok(())
                    }
                }
            }
            ParCommand::Show { unit, year, format } => {
                let card = app.par_card(&sys, unit, *year).await.map_err(app_error)?;
                match format {
                    PlainFormat::Json => print_json(out, &card),
                    PlainFormat::Text => card_text(&card, out),
                }
            }
            ParCommand::ImportSurvey { year, .. } => {
                let r = app
                    .par_import_survey(&sys, *year, survey.as_deref().unwrap_or(""))
                    .await
                    .map_err(app_error)?;
                writeln!(
                    out,
                    "Đã nhập điểm điều tra xã hội học năm {} của {} đơn vị ({} đơn vị mới có bảng điểm).",
                    r.year, r.lines, r.opened
                )?;
                Ok(())
            }
        }
    })?
}

fn rank_text(rank: Option<u32>, tied: bool) -> String {
    match (rank, tied) {
        (Some(n), true) => format!("={n}"),
        (Some(n), false) => n.to_string(),
        (None, _) => "—".into(),
    }
}

fn ranking_text(r: &ParRanking, out: &mut String) -> anyhow::Result<()> {
    writeln!(
        out,
        "Chỉ số CCHC năm {}: {} ({} đơn vị{})",
        r.year,
        r.kind.label(),
        r.rows.len(),
        if r.provisional > 0 {
            format!(
                ", {} đơn vị chưa hoàn tất thẩm định: kết quả tạm tính",
                r.provisional
            )
        } else {
            String::new()
        }
    )?;
    writeln!(
        out,
        "{:>5}  {:<45} {:>9} {:>9} {:>9}  {:<10} Trạng thái",
        "Hạng", "Đơn vị", "Thẩm định", "Điều tra", "Tổng", "Năm trước"
    )?;
    for row in &r.rows {
        let x = &row.result;
        let name: String = row.unit_name.chars().take(45).collect();
        writeln!(
            out,
            "{:>5}  {:<45} {:>9} {:>9} {:>9}  {:<10} {}",
            rank_text(x.rank, row.tied),
            name,
            number(x.appraised_points.unwrap_or(x.self_points), 2),
            x.survey_points.map_or_else(|| "—".into(), |s| number(s, 2)),
            number(x.total_points, 2),
            x.previous_rank
                .map_or_else(|| "—".into(), |p| p.to_string()),
            row.state.label()
        )?;
    }
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn ranking_csv(r: &ParRanking) -> String {
    let mut out = String::from(
        "\u{feff}hang,ma_don_vi,don_vi,trang_thai,diem_tu_danh_gia,diem_tham_dinh,diem_dieu_tra,tong_diem,ty_le,hang_nam_truoc,bo_chi_so\n",
    );
    for row in &r.rows {
        let x = &row.result;
        let opt = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.2}"));
        out.push_str(
            &[
                x.rank.map_or_else(String::new, |n| n.to_string()),
                csv_field(&x.unit),
                csv_field(&row.unit_name),
                row.state.as_str().to_owned(),
                format!("{:.2}", x.self_points),
                opt(x.appraised_points),
                opt(x.survey_points),
                format!("{:.2}", x.total_points),
                format!("{:.2}", x.percent),
                x.previous_rank.map_or_else(String::new, |n| n.to_string()),
                csv_field(&x.tree_version),
            ]
            .join(","),
        );
        out.push('\n');
    }
    out
}

fn card_text(c: &ParCard, out: &mut String) -> anyhow::Result<()> {
    writeln!(
        out,
        "Chỉ số CCHC năm {}: {} ({}) · {}",
        c.year,
        c.unit_full_name,
        c.kind.label(),
        c.state.label()
    )?;
    writeln!(out, "{} (phiên bản {})", c.tree.name, c.tree.version)?;
    writeln!(
        out,
        "{:<10} {:>7} {:>9} {:>9} {:>9}  Nội dung",
        "Mã", "Tối đa", "Tự chấm", "Gợi ý", "Thẩm định"
    )?;
    for v in &c.items {
        let (own, appraised) = if v.item.leaf {
            (
                v.row
                    .self_points
                    .map_or_else(|| "—".into(), |p| number(p, 2)),
                v.row
                    .appraised_points
                    .map_or_else(|| "".into(), |p| number(p, 2)),
            )
        } else {
            (number(v.node.self_points, 2), number(v.node.counted, 2))
        };
        let suggested = v.data.as_ref().map_or_else(String::new, |d| {
            d.suggested
                .map_or_else(|| "không có".into(), |s| number(s, 2))
        });
        writeln!(
            out,
            "{:<10} {:>7} {:>9} {:>9} {:>9}  {}{}",
            v.item.code,
            number(v.item.points, 2),
            own,
            suggested,
            appraised,
            "  ".repeat(usize::from(v.item.level.saturating_sub(1))),
            v.item.name
        )?;
        if !v.row.appraisal_note.is_empty() {
            writeln!(
                out,
                "{:<10} Nhận xét thẩm định: {}",
                "", v.row.appraisal_note
            )?;
        }
    }
    writeln!(out, "Tổng: {}", c.total_rule)?;
    match c.rank {
        Some(r) => writeln!(
            out,
            "Hạng {r}/{} {}",
            c.ranked_among,
            c.kind.label().to_lowercase()
        )?,
        None => writeln!(out, "Chưa xếp hạng (chưa gửi thẩm định)")?,
    }
    if let Some(p) = &c.previous {
        writeln!(
            out,
            "Năm {}: {} điểm, hạng {}/{}{}",
            c.year - 1,
            number(p.points, 2),
            p.rank,
            p.ranked_among,
            if p.own {
                String::new()
            } else {
                format!(" (bình quân của: {})", c.previous_names.join(", "))
            }
        )?;
    }
    Ok(())
}
