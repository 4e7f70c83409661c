//! `cchc plans`: the reform plans, a plan's tasks (optionally of one unit), and everything
//! overdue (tasks and reports) at a day, as Vietnamese text, JSON or CSV (UTF-8 with BOM).
//! Runs as the system principal (an administrator). Bad input (an unknown plan or unit, a bad
//! date) is one Vietnamese line and exit 2.

use cchc_app::plans::{ObligationView, TaskFilter, TaskView};
use cchc_app::{App, Principal};
use cchc_domain::calendar::fmt_date;
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;

use crate::calendar_cmd::{parse_date, print_json};
use crate::{app_error, runtime, usage};

#[derive(Debug, Args)]
pub struct PlansArgs {
    #[command(subcommand)]
    command: PlansCommand,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
enum Format {
    #[default]
    Text,
    Json,
    Csv,
}

#[derive(Debug, Subcommand)]
enum PlansCommand {
    /// Danh sách kế hoạch với số nhiệm vụ, hoàn thành, quá hạn.
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Nhiệm vụ của một kế hoạch (mã hoặc số hiệu), có thể lọc theo đơn vị.
    Tasks {
        /// Mã kế hoạch (ví dụ qd-617-2023) hoặc số hiệu (ví dụ 617/QĐ-UBND).
        #[arg(long)]
        plan: String,
        /// Mã đơn vị chủ trì hoặc phối hợp.
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Nhiệm vụ quá hạn và báo cáo quá hạn chưa nộp hoặc chưa đầy đủ.
    Overdue {
        /// Giới hạn trong một đơn vị và các đơn vị trực thuộc.
        #[arg(long)]
        unit: Option<String>,
        /// Ngày xét (YYYY-MM-DD); mặc định hôm nay.
        #[arg(long)]
        at: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

#[derive(Serialize)]
struct TaskLine {
    id: String,
    plan: String,
    area: String,
    title: String,
    lead_unit: String,
    lead_name: String,
    support_units: Vec<String>,
    output: String,
    deadline: String,
    status: String,
    done_on: Option<String>,
    percent: i64,
    state: String,
}

fn task_line(t: &TaskView) -> TaskLine {
    TaskLine {
        id: t.id.clone(),
        plan: t.plan_number.clone(),
        area: t.area.code().to_owned(),
        title: t.title.clone(),
        lead_unit: t.lead.id.clone(),
        lead_name: t.lead.name.clone(),
        support_units: t.support.iter().map(|u| u.id.clone()).collect(),
        output: t.output.clone(),
        deadline: t.deadline.to_string(),
        status: t.status.code().to_owned(),
        done_on: t.done_on.map(|d| d.to_string()),
        percent: t.percent,
        state: t.state.code().to_owned(),
    }
}

#[derive(Serialize)]
struct ReportLine {
    id: String,
    unit: String,
    unit_name: String,
    label: String,
    due: String,
    submitted_on: Option<String>,
    complete: Option<bool>,
    state: String,
}

fn report_line(o: &ObligationView) -> ReportLine {
    ReportLine {
        id: o.id.clone(),
        unit: o.unit.id.clone(),
        unit_name: o.unit.name.clone(),
        label: o.label.clone(),
        due: o.due.to_string(),
        submitted_on: o.submitted_on.map(|d| d.to_string()),
        complete: o.complete,
        state: o.state.code().to_owned(),
    }
}

fn csv_out(out: &mut String, header: &[&str], rows: Vec<Vec<String>>) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)?;
    for r in rows {
        w.write_record(r)?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?;
    out.push('\u{feff}');
    out.push_str(&String::from_utf8(bytes)?);
    Ok(())
}

const TASK_HEADER: &[&str] = &[
    "Mã nhiệm vụ",
    "Kế hoạch",
    "Nhóm",
    "Nhiệm vụ",
    "Đơn vị chủ trì",
    "Tên đơn vị chủ trì",
    "Hạn",
    "Trạng thái",
    "Ngày hoàn thành",
    "Tiến độ (%)",
    "Đánh giá",
];

fn task_record(t: &TaskView) -> Vec<String> {
    vec![
        t.id.clone(),
        t.plan_number.clone(),
        t.area.label().to_owned(),
        t.title.clone(),
        t.lead.id.clone(),
        t.lead.name.clone(),
        fmt_date(t.deadline),
        t.status.label().to_owned(),
        t.done_on.map(fmt_date).unwrap_or_default(),
        t.percent.to_string(),
        t.state.label().to_owned(),
    ]
}

async fn resolve_plan(app: &App, who: &Principal, asked: &str) -> anyhow::Result<String> {
    let today = app.now().date();
    let plans = app.plan_list(who, today).await.map_err(app_error)?;
    plans
        .iter()
        .find(|p| p.plan.id == asked.trim())
        .or_else(|| plans.iter().find(|p| p.plan.number == asked.trim()))
        .map(|p| p.plan.id.clone())
        .ok_or_else(|| usage(format!("không có kế hoạch '{asked}'")))
}

/// Runs `cchc plans …`.
pub fn run(
    args: &PlansArgs,
    database_url: &str,
    data: Option<&Path>,
    out: &mut String,
) -> anyhow::Result<()> {
    runtime::block_on(async {
        let app = runtime::open_app(database_url, data).await?;
        let who = Principal::system();
        let today = app.now().date();
        match &args.command {
            PlansCommand::List { format } => {
                let plans = app.plan_list(&who, today).await.map_err(app_error)?;
                match format {
                    Format::Json => {
                        #[derive(Serialize)]
                        struct Line<'a> {
                            id: &'a str,
                            number: &'a str,
                            date: Option<String>,
                            issuer: &'a str,
                            period: &'a str,
                            title: &'a str,
                            tasks: i64,
                            done: i64,
                            overdue: i64,
                        }
                        let lines: Vec<Line<'_>> = plans
                            .iter()
                            .map(|p| Line {
                                id: &p.plan.id,
                                number: &p.plan.number,
                                date: p.plan.date.map(|d| d.to_string()),
                                issuer: &p.plan.issuer,
                                period: &p.plan.period,
                                title: &p.plan.title,
                                tasks: p.tasks,
                                done: p.done,
                                overdue: p.overdue,
                            })
                            .collect();
                        print_json(out, &lines)?;
                    }
                    Format::Csv => csv_out(
                        out,
                        &[
                            "Mã",
                            "Số hiệu",
                            "Ngày ban hành",
                            "Cơ quan ban hành",
                            "Năm, giai đoạn",
                            "Trích yếu",
                            "Nhiệm vụ",
                            "Hoàn thành",
                            "Quá hạn",
                        ],
                        plans
                            .iter()
                            .map(|p| {
                                vec![
                                    p.plan.id.clone(),
                                    p.plan.number.clone(),
                                    p.plan.date.map(fmt_date).unwrap_or_default(),
                                    p.plan.issuer.clone(),
                                    p.plan.period.clone(),
                                    p.plan.title.clone(),
                                    p.tasks.to_string(),
                                    p.done.to_string(),
                                    p.overdue.to_string(),
                                ]
                            })
                            .collect(),
                    )?,
                    Format::Text => {
                        writeln!(out, "{} kế hoạch (ngày {}):", plans.len(), fmt_date(today))?;
                        for p in &plans {
                            writeln!(
                                out,
                                "- [{}] {}: {} ({}); {} nhiệm vụ, hoàn thành {}, quá hạn {}",
                                p.plan.id,
                                p.plan.reference(),
                                p.plan.title,
                                p.plan.period,
                                p.tasks,
                                p.done,
                                p.overdue
                            )?;
                        }
                    }
                }
            }
            PlansCommand::Tasks { plan, unit, format } => {
                let id = resolve_plan(&app, &who, plan).await?;
                let d = app
                    .plan_detail(
                        &who,
                        &id,
                        &TaskFilter {
                            unit: unit.clone(),
                            state: None,
                        },
                        today,
                    )
                    .await
                    .map_err(app_error)?;
                let tasks: Vec<&TaskView> = d.groups.iter().flat_map(|(_, t)| t).collect();
                match format {
                    Format::Json => {
                        print_json(out, &tasks.iter().map(|t| task_line(t)).collect::<Vec<_>>())?
                    }
                    Format::Csv => csv_out(
                        out,
                        TASK_HEADER,
                        tasks.iter().map(|t| task_record(t)).collect(),
                    )?,
                    Format::Text => {
                        writeln!(
                            out,
                            "{}: {} ({} nhiệm vụ)",
                            d.plan.reference(),
                            d.plan.title,
                            tasks.len()
                        )?;
                        for (area, ts) in &d.groups {
                            if ts.is_empty() {
                                continue;
                            }
                            writeln!(out, "{}. {}", area.number(), area.label())?;
                            for t in ts {
                                writeln!(
                                    out,
                                    "  - {} | chủ trì: {} | hạn {} | {} ({}%) | {}",
                                    t.title,
                                    t.lead.name,
                                    fmt_date(t.deadline),
                                    t.status.label(),
                                    t.percent,
                                    t.state.label()
                                )?;
                            }
                        }
                    }
                }
            }
            PlansCommand::Overdue { unit, at, format } => {
                let at = match at {
                    Some(t) => parse_date(t)?,
                    None => today,
                };
                let l = app
                    .overdue_list(&who, unit.as_deref(), at)
                    .await
                    .map_err(app_error)?;
                match format {
                    Format::Json => {
                        #[derive(Serialize)]
                        struct Both {
                            at: String,
                            tasks: Vec<TaskLine>,
                            reports: Vec<ReportLine>,
                        }
                        print_json(
                            out,
                            &Both {
                                at: at.to_string(),
                                tasks: l.tasks.iter().map(task_line).collect(),
                                reports: l.reports.iter().map(report_line).collect(),
                            },
                        )?;
                    }
                    Format::Csv => {
                        let mut header = vec!["Loại"];
                        header.extend_from_slice(TASK_HEADER);
                        let mut rows: Vec<Vec<String>> = l
                            .tasks
                            .iter()
                            .map(|t| {
                                let mut r = vec!["Nhiệm vụ".to_owned()];
                                r.extend(task_record(t));
                                r
                            })
                            .collect();
                        rows.extend(l.reports.iter().map(|o| {
                            vec![
                                "Báo cáo".to_owned(),
                                o.id.clone(),
                                String::new(),
                                o.cycle.label().to_owned(),
                                o.label.clone(),
                                o.unit.id.clone(),
                                o.unit.name.clone(),
                                fmt_date(o.due),
                                String::new(),
                                o.submitted_on.map(fmt_date).unwrap_or_default(),
                                String::new(),
                                o.state.label().to_owned(),
                            ]
                        }));
                        csv_out(out, &header, rows)?;
                    }
                    Format::Text => {
                        writeln!(
                            out,
                            "Ngày {}: {} nhiệm vụ quá hạn, {} báo cáo quá hạn chưa nộp hoặc chưa đầy đủ.",
                            fmt_date(at),
                            l.tasks.len(),
                            l.reports.len()
                        )?;
                        for t in &l.tasks {
                            writeln!(
                                out,
                                "- Nhiệm vụ [{}] {} | {} | hạn {} | {}%",
                                t.plan_number,
                                t.title,
                                t.lead.name,
                                fmt_date(t.deadline),
                                t.percent
                            )?;
                        }
                        for o in &l.reports {
                            writeln!(
                                out,
                                "- Báo cáo {} | {} | hạn {} | {}",
                                o.label,
                                o.unit.name,
                                fmt_date(o.due),
                                o.state.label()
                            )?;
                        }
                    }
                }
            }
        }
        Ok(())
    })?
}
