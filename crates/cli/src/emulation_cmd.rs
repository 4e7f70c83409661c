//! `cchc emulation`: the emulation movement's evaluation of a year (text, JSON, Excel), the
//! movements, and the proposal documents (DOCX) of an approved nomination list.
//!
//! Every action runs as the system principal (an administrator). Bad input (an unknown
//! movement, a year outside the movement, Excel to a terminal) is one Vietnamese line and exit 2.

use cchc_app::emulation::{Evaluation, ProposalDoc, criteria_sets};
use cchc_app::{App, Principal};
use cchc_domain::emulation::{SubjectKind, Verdict};
use clap::{Args, Subcommand, ValueEnum};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::calendar_cmd::print_json;
use crate::indicators_cmd::write_file;
use crate::{app_error, runtime, usage};

#[derive(Debug, Subcommand)]
pub enum EmulationCommand {
    /// Các phong trào thi đua.
    Movements {
        #[arg(long, value_enum, default_value_t)]
        format: PlainFormat,
    },
    /// Đánh giá (bình xét) một năm của phong trào theo bộ tiêu chí, lưu thành bản chờ phê duyệt.
    Evaluate(EvaluateArgs),
    /// Kết quả hiện hành của một năm (đã phê duyệt, hoặc bản chờ phê duyệt).
    Show(EvaluateArgs),
    /// Hồ sơ đề nghị khen thưởng (DOCX) của một danh sách đã phê duyệt.
    Proposal(ProposalArgs),
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Mã phong trào, ví dụ kt-cchc-2023-2030.
    #[arg(long)]
    movement: String,
    #[arg(long)]
    year: i16,
    /// text, json, hoặc xlsx (cần --output).
    #[arg(long, value_enum, default_value_t)]
    format: ReportFormat,
    #[arg(long)]
    output: Option<PathBuf>,
    /// Chỉ tính, không lưu (evaluate).
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ProposalArgs {
    #[arg(long)]
    movement: String,
    #[arg(long)]
    year: i16,
    /// Mã hình thức khen thưởng, ví dụ bang-khen-ct-ubnd-tinh.
    #[arg(long)]
    form: String,
    /// Người ký (khi hình thức có nhiều danh sách theo đơn vị).
    #[arg(long)]
    issuer: Option<String>,
    /// bundle (cả bộ), letter (tờ trình), minutes (biên bản).
    #[arg(long, value_enum, default_value_t)]
    doc: DocKind,
    #[arg(long)]
    output: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum PlainFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ReportFormat {
    #[default]
    Text,
    Json,
    Xlsx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum DocKind {
    #[default]
    Bundle,
    Letter,
    Minutes,
}

pub fn run(
    cmd: &EmulationCommand,
    url: &str,
    data_dir: Option<&Path>,
    out: &mut String,
) -> anyhow::Result<()> {
    if let EmulationCommand::Evaluate(a) | EmulationCommand::Show(a) = cmd
        && a.format == ReportFormat::Xlsx
        && a.output.is_none()
    {
        return Err(usage("định dạng xlsx cần --output TỆP"));
    }
    runtime::block_on(async {
        let app = runtime::open_app(url, data_dir).await?;
        let sys = Principal::system();
        match cmd {
            EmulationCommand::Movements { format } => {
                let list = app.movements(&sys).await.map_err(app_error)?;
                match format {
                    PlainFormat::Json => print_json(out, &list),
                    PlainFormat::Text => {
                        for m in &list {
                            writeln!(
                                out,
                                "{}  {} ({}-{})\n    {}\n    bộ tiêu chí {}",
                                m.code,
                                m.title,
                                m.first_year,
                                m.last_year,
                                m.plan_reference(),
                                m.criteria_key
                            )?;
                        }
                        if list.is_empty() {
                            writeln!(out, "Chưa có phong trào thi đua nào.")?;
                        }
                        Ok(())
                    }
                }
            }
            EmulationCommand::Evaluate(a) => {
                let e = if a.dry_run {
                    let m = app.movement(&sys, &a.movement).await.map_err(app_error)?;
                    let result = app
                        .compute_evaluation(&m, a.year)
                        .await
                        .map_err(app_error)?;
                    Evaluation {
                        run: String::new(),
                        status: "dry_run".into(),
                        evaluated_by: sys.display_name.clone(),
                        evaluated_at: String::new(),
                        approved_by: None,
                        approved_at: None,
                        fingerprint: String::new(),
                        result,
                        adjustments: Vec::new(),
                    }
                } else {
                    app.evaluate_movement(&sys, &a.movement, a.year)
                        .await
                        .map_err(app_error)?
                };
                report(&app, &e, a, out)
            }
            EmulationCommand::Show(a) => {
                let e = app
                    .evaluation(&sys, &a.movement, a.year)
                    .await
                    .map_err(app_error)?
                    .ok_or_else(|| {
                        usage(format!(
                            "năm {} của phong trào {} chưa được đánh giá",
                            a.year, a.movement
                        ))
                    })?;
                report(&app, &e, a, out)
            }
            EmulationCommand::Proposal(p) => {
                let e = app
                    .evaluation(&sys, &p.movement, p.year)
                    .await
                    .map_err(app_error)?
                    .ok_or_else(|| usage(format!("năm {} chưa được đánh giá", p.year)))?;
                let lists: Vec<_> = e
                    .nominations()
                    .map_err(app_error)?
                    .into_iter()
                    .filter(|n| n.form == p.form)
                    .filter(|n| p.issuer.as_ref().is_none_or(|i| &n.issuer == i))
                    .collect();
                let list = match lists.as_slice() {
                    [one] => one,
                    [] => return Err(usage(format!("không có danh sách đề nghị {}", p.form))),
                    many => {
                        return Err(usage(format!(
                            "có {} danh sách {}; chọn --issuer trong: {}",
                            many.len(),
                            p.form,
                            many.iter()
                                .map(|n| n.issuer.as_str())
                                .collect::<Vec<_>>()
                                .join("; ")
                        )));
                    }
                };
                let doc = match p.doc {
                    DocKind::Bundle => ProposalDoc::Bundle,
                    DocKind::Letter => ProposalDoc::Letter,
                    DocKind::Minutes => ProposalDoc::Minutes,
                };
                let (_, bytes) = app
                    .proposal_document(&sys, &e.run, &list.form, &list.issuer, &doc)
                    .await
                    .map_err(app_error)?;
                write_file(&p.output, &bytes)?;
                writeln!(
                    out,
                    "Đã ghi {} ({} đối tượng, {} byte).",
                    p.output.display(),
                    list.subjects.len(),
                    bytes.len()
                )?;
                Ok(())
            }
        }
    })?
}

fn report(_app: &App, e: &Evaluation, a: &EvaluateArgs, out: &mut String) -> anyhow::Result<()> {
    match a.format {
        ReportFormat::Json => {
            let nominations = e.nominations().map_err(app_error)?;
            let value = serde_json::json!({
                "evaluation": e,
                "nominations": nominations,
            });
            if let Some(path) = &a.output {
                let text = serde_json::to_string_pretty(&value)?;
                write_file(path, text.as_bytes())?;
                writeln!(out, "Đã ghi {}.", path.display())?;
                Ok(())
            } else {
                print_json(out, &value)
            }
        }
        ReportFormat::Xlsx => {
            let bytes = e.to_xlsx().map_err(app_error)?;
            if let Some(path) = &a.output {
                write_file(path, &bytes)?;
                writeln!(out, "Đã ghi {} ({} byte).", path.display(), bytes.len())?;
            }
            Ok(())
        }
        ReportFormat::Text => {
            let set = criteria_sets()
                .map_err(app_error)?
                .iter()
                .find(|s| s.key() == e.result.criteria);
            writeln!(
                out,
                "Bình xét năm {} — phong trào {} — bộ tiêu chí {}\nđánh giá đến ngày {}{}; {} ({} ms)",
                e.result.year,
                e.result.movement,
                e.result.criteria,
                e.result.judged_on.strftime("%d/%m/%Y"),
                if e.result.provisional {
                    " (năm chưa kết thúc)"
                } else {
                    ""
                },
                match e.status.as_str() {
                    "approved" => "đã phê duyệt",
                    "draft" => "chờ phê duyệt",
                    _ => "chưa lưu",
                },
                e.result.elapsed_ms
            )?;
            for kind in [SubjectKind::Collective, SubjectKind::Individual] {
                let t = e.tally(kind);
                writeln!(
                    out,
                    "{}: {} đạt, {} không đạt, {} chưa đủ dữ liệu",
                    kind.label(),
                    t.met,
                    t.not_met,
                    t.no_data
                )?;
            }
            writeln!(out)?;
            for s in e
                .result
                .subjects
                .iter()
                .filter(|s| s.kind == SubjectKind::Collective)
            {
                writeln!(out, "{} [{}]: {}", s.name, s.id, s.verdict.label())?;
                for c in &s.criteria {
                    if c.verdict != Verdict::Met {
                        writeln!(
                            out,
                            "    {} {}: {}",
                            c.criterion,
                            c.verdict.label(),
                            c.explanation
                        )?;
                    }
                }
            }
            writeln!(out, "\nDanh sách đề nghị khen thưởng:")?;
            for n in e.nominations().map_err(app_error)? {
                writeln!(
                    out,
                    "  {} — {}: {} đối tượng",
                    n.form_label,
                    n.issuer,
                    n.subjects.len()
                )?;
                for s in &n.subjects {
                    writeln!(out, "    - {} ({})", s.name, s.unit_name)?;
                }
            }
            if let Some(set) = set {
                writeln!(out, "\nTiêu chí: {}", set.source)?;
            }
            Ok(())
        }
    }
}
