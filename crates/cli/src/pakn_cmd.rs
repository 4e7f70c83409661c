//! `cchc pakn`: citizen feedback (phản ánh, kiến nghị) — the list of a unit's (or the whole
//! province's) PAKN, optionally of one status, and those whose obligation in force has
//! passed, as Vietnamese text or JSON. Runs as the system principal (the reform office). Bad
//! input (an unknown unit or status) is one Vietnamese line and exit 2.

use cchc_app::Principal;
use cchc_app::pakn::PaknSummary;
use cchc_domain::calendar::fmt_datetime;
use clap::{Args, Subcommand};
use std::fmt::Write as _;
use std::path::Path;

use crate::calendar_cmd::print_json;
use crate::{Format, app_error, runtime};

#[derive(Debug, Args)]
pub struct PaknArgs {
    #[command(subcommand)]
    command: PaknCommand,
}

#[derive(Debug, Subcommand)]
enum PaknCommand {
    /// Danh sách phản ánh, kiến nghị (mới nhất trước), có thể lọc theo đơn vị và trạng thái.
    List {
        /// Mã đơn vị (gồm cả các đơn vị trực thuộc); mặc định toàn tỉnh.
        #[arg(long)]
        unit: Option<String>,
        /// Trạng thái: cho-phan-loai, dang-xu-ly, cho-bo-sung, tu-choi, da-tra-loi, da-cong-khai.
        #[arg(long)]
        status: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Phản ánh, kiến nghị quá hạn (phân loại, trả lời), hạn sớm nhất trước.
    Overdue {
        /// Giới hạn trong một đơn vị và các đơn vị trực thuộc.
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

fn print(
    out: &mut String,
    title: &str,
    items: &[PaknSummary],
    format: Format,
) -> anyhow::Result<()> {
    match format {
        Format::Json => print_json(out, &items)?,
        Format::Text => {
            writeln!(out, "{title}: {} phản ánh, kiến nghị", items.len())?;
            for p in items {
                let due = p.current_due.map_or_else(
                    || "không có hạn đang tính".to_owned(),
                    |d| format!("hạn {}", fmt_datetime(d)),
                );
                writeln!(
                    out,
                    "- {} [{}{}] {} — {}; nhận {}; {}{}",
                    p.code,
                    p.status.label(),
                    if p.flagged { ", nhũng nhiễu" } else { "" },
                    p.category.label(),
                    p.unit_name,
                    fmt_datetime(p.received_at),
                    due,
                    if p.overdue { " (quá hạn)" } else { "" },
                )?;
                writeln!(out, "  {}", p.excerpt)?;
            }
        }
    }
    Ok(())
}

/// Runs `cchc pakn …`.
pub fn run(
    args: &PaknArgs,
    database_url: &str,
    data: Option<&Path>,
    out: &mut String,
) -> anyhow::Result<()> {
    runtime::block_on(async {
        let app = runtime::open_app(database_url, data).await?;
        let who = Principal::system();
        match &args.command {
            PaknCommand::List {
                unit,
                status,
                format,
            } => {
                let items = app
                    .pakn_list(&who, unit.as_deref(), status.as_deref())
                    .await
                    .map_err(app_error)?;
                let title = unit.as_deref().map_or_else(
                    || "Toàn tỉnh".to_owned(),
                    |u| format!("Đơn vị {}", u.trim()),
                );
                print(out, &title, &items, *format)
            }
            PaknCommand::Overdue { unit, format } => {
                let board = app
                    .pakn_board(&who, unit.as_deref())
                    .await
                    .map_err(app_error)?;
                let title = format!(
                    "Quá hạn tại {} ({})",
                    board.unit_name,
                    fmt_datetime(board.now)
                );
                print(out, &title, &board.overdue, *format)
            }
        }
    })?
}
