//! `cchc calendar …`: days off, due dates, lunar dates, notice validation, benchmark.

use anyhow::Context;
use cchc_domain::calendar::clock::ExplainStep;
use cchc_domain::calendar::{
    self, ClockRequest, DayMark, Extension, ExtensionKind, Pause, StartRule, TimeLimit,
    WorkingClock, lunar,
};
use clap::{Args, Subcommand};
use jiff::civil::{Date, DateTime};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::{Format, data_dir, usage};

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Mọi ngày khác tuần làm việc Thứ Hai–Thứ Sáu trong một năm: ngày nghỉ (kể cả ngày cuối tuần
    /// nằm trong kỳ nghỉ lễ) và ngày làm bù.
    Holidays {
        #[arg(long)]
        year: i16,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Tính hạn trả kết quả (ngày hẹn trả) và giải thích cách tính.
    Due(DueArgs),
    /// Đổi ngày dương lịch sang âm lịch: `cchc calendar lunar 2030-02-02`.
    Lunar {
        date: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Đổi ngày âm lịch sang dương lịch: `cchc calendar solar --lunar 2030-01-01 [--leap]`.
    Solar {
        /// Ngày âm lịch YYYY-MM-DD.
        #[arg(long)]
        lunar: String,
        /// Tháng nhuận.
        #[arg(long)]
        leap: bool,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Kiểm tra tệp thông báo nghỉ lễ (YYYY.toml) trước khi đưa vào thư mục dữ liệu.
    Validate { files: Vec<PathBuf> },
    /// Đo tốc độ tính hạn: N phép tính có tạm dừng.
    Bench(crate::bench::BenchArgs),
}

#[derive(Debug, Args)]
pub struct DueArgs {
    /// Thời điểm tiếp nhận, giờ Việt Nam: 2025-01-24T10:00.
    #[arg(long)]
    from: String,
    /// Thời hạn: "5 working-days", "8 working-hours", "10 days", "3 days-skip-off".
    #[arg(long, allow_hyphen_values = true)]
    limit: String,
    /// Tiếp nhận sau 15:00 thì tính từ ngày làm việc tiếp theo.
    #[arg(long)]
    after_15h_next_day: bool,
    /// Khoảng tạm dừng START/END (END trống: đang tạm dừng). Lặp lại được.
    #[arg(long = "pause")]
    pauses: Vec<String>,
    /// Gia hạn AT=LIMIT, ví dụ 2025-02-10T09:00=2 working-days. Lặp lại được.
    #[arg(long = "extend")]
    extends: Vec<String>,
    /// Hẹn lại ngày trả AT=NEW_DUE (phiếu xin lỗi). Lặp lại được.
    #[arg(long = "new-due")]
    new_dues: Vec<String>,
    /// Giờ làm việc Thứ Hai–Thứ Sáu nếu khác mặc định, ví dụ "07:30-11:30,13:30-17:00".
    #[arg(long)]
    schedule: Option<String>,
    /// Cho biết thời gian đã dùng và còn lại tại thời điểm này.
    #[arg(long)]
    at: Option<String>,
    /// Thời điểm hoàn thành: cho biết trước hạn / đúng hạn / trễ hạn.
    #[arg(long)]
    finished: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Runs a calendar command, writing what it prints into `out`.
pub fn run(cmd: CalendarCommand, data: Option<&Path>, out: &mut String) -> anyhow::Result<()> {
    match cmd {
        CalendarCommand::Holidays { year, format } => holidays(data, year, format, out),
        CalendarCommand::Due(args) => due(data, &args, out),
        CalendarCommand::Lunar { date, format } => to_lunar(&date, format, out),
        CalendarCommand::Solar {
            lunar,
            leap,
            format,
        } => to_solar(&lunar, leap, format, out),
        CalendarCommand::Validate { files } => validate(data, &files, out),
        CalendarCommand::Bench(args) => crate::bench::run(data, &args, out),
    }
}

/// Pretty JSON and a newline.
pub fn print_json(out: &mut String, value: &impl Serialize) -> anyhow::Result<()> {
    writeln!(out, "{}", serde_json::to_string_pretty(value)?)?;
    Ok(())
}

/// A date, strictly YYYY-MM-DD.
pub fn parse_date(text: &str) -> anyhow::Result<Date> {
    text.trim()
        .parse::<Date>()
        .map_err(|_| usage(format!("ngày '{text}' không hợp lệ (cần dạng YYYY-MM-DD)")))
}

/// An instant in Vietnam time: `2025-01-24T10:00`, `2025-01-24 10:00:00`, `2025-01-24`, or with
/// an explicit `+07:00` offset (any other offset is refused rather than silently converted).
pub fn parse_instant(text: &str) -> anyhow::Result<DateTime> {
    let t = text.trim();
    let bad = || {
        usage(format!(
            "thời điểm '{text}' không hợp lệ (cần dạng YYYY-MM-DDTHH:MM, giờ Việt Nam)"
        ))
    };
    let local = if let Some(rest) = t.strip_suffix("+07:00") {
        rest
    } else if t.len() > 16 && (t.ends_with('Z') || t[16..].contains(['+', '-'])) {
        return Err(usage(format!(
            "thời điểm '{text}' phải theo giờ Việt Nam (+07:00)"
        )));
    } else {
        t
    };
    if local.len() == 10 {
        return Ok(parse_date(local)?.at(0, 0, 0, 0));
    }
    local
        .replace(' ', "T")
        .parse::<DateTime>()
        .map_err(|_| bad())
}

#[derive(Serialize)]
struct HolidayRow {
    date: String,
    off: bool,
    name: String,
    source: String,
    kind: calendar::DayNoteKind,
    weekday: &'static str,
}

fn holidays(
    data: Option<&Path>,
    year: i16,
    format: Format,
    out: &mut String,
) -> anyhow::Result<()> {
    if !(lunar::FIRST_YEAR..=lunar::LAST_YEAR).contains(&year) {
        return Err(usage(format!(
            "năm {year} ngoài phạm vi {}–{}",
            lunar::FIRST_YEAR,
            lunar::LAST_YEAR
        )));
    }
    let cal = data_dir::calendar(data)?;
    let rows: Vec<HolidayRow> = cal
        .special_days(year)
        .map_err(usage)?
        .into_iter()
        .filter_map(|(date, mark)| {
            let (off, note) = match mark {
                DayMark::Off(n) => (true, n),
                DayMark::Worked(n) => (false, n),
                DayMark::Normal => return None,
            };
            Some(HolidayRow {
                date: date.to_string(),
                off,
                name: note.name.clone(),
                source: note.source.clone(),
                kind: note.kind,
                weekday: calendar::weekday_name(date.weekday()),
            })
        })
        .collect();
    match format {
        Format::Json => print_json(out, &rows),
        Format::Text => {
            writeln!(
                out,
                "Ngày nghỉ và ngày làm bù năm {year} (lịch phiên bản {}):",
                cal.version()
            )?;
            for r in &rows {
                let date = parse_date(&r.date)?;
                writeln!(
                    out,
                    "{}  {:<9} {:<7} {}  [{}]",
                    calendar::fmt_date(date),
                    r.weekday,
                    if r.off { "nghỉ" } else { "làm bù" },
                    r.name,
                    r.source
                )?;
            }
            Ok(())
        }
    }
}

fn parse_pause(text: &str) -> anyhow::Result<Pause> {
    let (a, b) = text.split_once('/').ok_or_else(|| {
        usage(format!(
            "khoảng tạm dừng '{text}' không hợp lệ (cần dạng START/END hoặc START/)"
        ))
    })?;
    Ok(Pause {
        start: parse_instant(a)?,
        end: if b.trim().is_empty() {
            None
        } else {
            Some(parse_instant(b)?)
        },
        reason: String::new(),
    })
}

fn split_at_value<'a>(text: &'a str, what: &str) -> anyhow::Result<(DateTime, &'a str)> {
    let (a, b) = text.split_once('=').ok_or_else(|| {
        usage(format!(
            "{what} '{text}' không hợp lệ (cần dạng AT=GIÁ_TRỊ)"
        ))
    })?;
    Ok((parse_instant(a)?, b.trim()))
}

#[derive(Serialize)]
struct DueOutput {
    due: Option<String>,
    effective_start: String,
    limit: String,
    limit_text: String,
    limit_seconds: i64,
    calendar_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    remaining_when_paused_seconds: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    progress: Option<ProgressOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verdict: Option<calendar::Verdict>,
    explain: Vec<ExplainStep>,
}

#[derive(Serialize)]
struct ProgressOutput {
    at: String,
    #[serde(flatten)]
    progress: calendar::Progress,
}

fn due(data: Option<&Path>, args: &DueArgs, out: &mut String) -> anyhow::Result<()> {
    let limit: TimeLimit = args.limit.parse().map_err(usage)?;
    let mut req = ClockRequest::new(parse_instant(&args.from)?, limit);
    if args.after_15h_next_day {
        req.start_rule = StartRule::after_15h();
    }
    for p in &args.pauses {
        req.pauses.push(parse_pause(p)?);
    }
    for e in &args.extends {
        let (at, value) = split_at_value(e, "gia hạn")?;
        req.extensions.push(Extension {
            at,
            kind: ExtensionKind::Add(value.parse().map_err(usage)?),
            reason: "gia hạn".to_owned(),
        });
    }
    for e in &args.new_dues {
        let (at, value) = split_at_value(e, "hẹn lại")?;
        req.extensions.push(Extension {
            at,
            kind: ExtensionKind::NewDue(parse_instant(value)?),
            reason: "phiếu xin lỗi, hẹn lại ngày trả".to_owned(),
        });
    }
    let at = args.at.as_deref().map(parse_instant).transpose()?;
    let finished = args.finished.as_deref().map(parse_instant).transpose()?;
    let clock = data_dir::clock(data, args.schedule.as_deref())?;
    let result = clock.due(&req).map_err(usage)?;
    let progress = match at {
        Some(t) => Some(ProgressOutput {
            at: calendar::iso_datetime(t),
            progress: clock.progress(&result, t).map_err(usage)?,
        }),
        None => None,
    };
    let verdict = finished
        .map(|f| WorkingClock::verdict(&result, f).map_err(usage))
        .transpose()?;
    let explain = clock.explain(&result);
    match args.format {
        Format::Json => print_json(
            out,
            &DueOutput {
                due: result.due.map(calendar::iso_datetime),
                effective_start: calendar::iso_datetime(result.effective_start),
                limit: limit.spec(),
                limit_text: limit.to_string(),
                limit_seconds: result.limit_secs,
                calendar_version: clock.calendar().version().to_owned(),
                remaining_when_paused_seconds: result.remaining_when_paused,
                progress,
                verdict,
                explain,
            },
        ),
        Format::Text => {
            match result.due {
                Some(d) => writeln!(
                    out,
                    "Hạn trả kết quả: {} ({})",
                    calendar::fmt_datetime(d),
                    calendar::weekday_name(d.weekday())
                )?,
                None => writeln!(out, "Chưa có hạn trả: hồ sơ đang tạm dừng.")?,
            }
            writeln!(out, "Cách tính:")?;
            for step in &explain {
                writeln!(out, "  - {}", step.text)?;
            }
            let day = clock.day_seconds(limit.unit());
            if let Some(p) = progress {
                writeln!(
                    out,
                    "Tại {}: đã dùng {}, còn lại {} ({}).",
                    calendar::fmt_datetime(parse_instant(&p.at)?),
                    calendar::fmt_duration(p.progress.elapsed_secs, day),
                    calendar::fmt_duration(p.progress.remaining_secs, day),
                    match p.progress.state {
                        calendar::clock::ClockState::NotStarted => "chưa bắt đầu tính",
                        calendar::clock::ClockState::Running => "đang tính",
                        calendar::clock::ClockState::Paused => "đang tạm dừng",
                        calendar::clock::ClockState::Overdue => "đã quá hạn",
                    }
                )?;
            }
            if let Some(v) = verdict {
                writeln!(out, "Kết quả: {}.", v.label())?;
            }
            Ok(())
        }
    }
}

fn to_lunar(date: &str, format: Format, out: &mut String) -> anyhow::Result<()> {
    let d = parse_date(date)?;
    let l = lunar::solar_to_lunar(d).map_err(usage)?;
    match format {
        Format::Json => print_json(out, &l),
        Format::Text => {
            writeln!(
                out,
                "Ngày {} dương lịch là ngày {} tháng {}{} năm {} ({}) âm lịch.",
                calendar::fmt_date(d),
                l.day,
                l.month,
                if l.leap { " nhuận" } else { "" },
                l.year,
                lunar::year_name(l.year)
            )?;
            Ok(())
        }
    }
}

fn to_solar(text: &str, leap: bool, format: Format, out: &mut String) -> anyhow::Result<()> {
    let bad = || {
        usage(format!(
            "ngày âm lịch '{text}' không hợp lệ (cần dạng YYYY-MM-DD)"
        ))
    };
    let mut parts = text.trim().splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let l = lunar::LunarDate {
        year: y.parse().map_err(|_| bad())?,
        month: m.parse().map_err(|_| bad())?,
        day: d.parse().map_err(|_| bad())?,
        leap,
    };
    let date = lunar::lunar_to_solar(l).map_err(usage)?;
    match format {
        Format::Json => print_json(out, &serde_json::json!({ "date": date.to_string() })),
        Format::Text => {
            writeln!(
                out,
                "Ngày {} tháng {}{} năm {} ({}) âm lịch là {} {} dương lịch.",
                l.day,
                l.month,
                if leap { " nhuận" } else { "" },
                l.year,
                lunar::year_name(l.year),
                calendar::weekday_name(date.weekday()),
                calendar::fmt_date(date)
            )?;
            Ok(())
        }
    }
}

fn validate(data: Option<&Path>, files: &[PathBuf], out: &mut String) -> anyhow::Result<()> {
    if files.is_empty() {
        return Err(usage("cần ít nhất một tệp để kiểm tra"));
    }
    let mut cal_data = data_dir::calendar_data(data)?;
    for path in files {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("không đọc được {}", path.display()))
            .map_err(|e| usage(format!("{e:#}")))?;
        let year = cal_data
            .add_file(&path.display().to_string(), &text)
            .map_err(usage)?;
        writeln!(out, "{}: hợp lệ (năm {year})", path.display())?;
    }
    // The whole calendar must still build with the new files (rules and notices agree).
    calendar::Calendar::build(&cal_data).map_err(usage)?;
    Ok(())
}
