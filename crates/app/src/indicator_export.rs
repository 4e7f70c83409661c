//! Indicator reports as files: a unit's scorecard, a ranking of units, and the dossier register
//! (Sổ theo dõi hồ sơ, mẫu số 07) of a unit and period.
//!
//! The writers are pure: they take what the use cases return and give back the bytes of a file,
//! so the CLI (`cchc indicators … --format csv|xlsx`) and the web's download routes produce the
//! same files.
//!
//! - CSV: UTF-8 with a byte-order mark (so Excel reads the Vietnamese text), comma-separated,
//!   one header row then the rows; numbers with a decimal point, dates `dd/mm/yyyy`. No title
//!   rows, so the file stays machine-readable.
//! - XLSX: the same columns under a title block (report, unit, period, and "Số liệu tính ngày
//!   dd/mm/yyyy" or "Đã chốt số liệu …" for a closed period), a bold header row that stays in
//!   view, set column widths, numbers as numbers (shares with a percent format), dates as Excel
//!   dates shown `dd/mm/yyyy`.
//!
//! Each writer has an `_at` form taking the day the figures were computed (for the title);
//! the short form uses today in Vietnam.

use cchc_domain::calendar::{WorkingClock, fmt_date, fmt_datetime};
use cchc_domain::indicator::{
    FinishVerdict, IndicatorResult, Period, ResultState, ValueUnit, decimal,
};
use cchc_domain::unit::UnitKind;
use jiff::civil::{Date, DateTime};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use serde::Serialize;
use std::collections::HashMap;

use crate::indicators::{ClosedInfo, Ranking, UnitScorecard};
use crate::{App, AppError, Principal, Result};

/// Most dossiers one register lists; a larger one asks for a shorter period or a smaller unit.
pub const REGISTER_LIMIT: usize = 200_000;

// ---------------------------------------------------------------------------------------------
// A report as a table, written to either format.

/// How a number is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumKind {
    /// A count.
    Int,
    /// A fraction shown as a percent (0,925 → 92,5%); CSV writes the percent number (92.5).
    Percent,
    /// A decimal with two places.
    Decimal,
}

#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Empty,
    Text(String),
    Num(f64, NumKind),
    Date(Date),
}

impl Cell {
    fn text(s: impl Into<String>) -> Self {
        Self::Text(s.into())
    }

    fn int(n: i64) -> Self {
        Self::Num(n as f64, NumKind::Int)
    }

    fn opt(v: Option<f64>, kind: NumKind) -> Self {
        v.filter(|x| x.is_finite())
            .map_or(Self::Empty, |x| Self::Num(x, kind))
    }

    fn date(d: Option<Date>) -> Self {
        d.map_or(Self::Empty, Self::Date)
    }

    /// The cell as CSV text.
    fn csv(&self) -> String {
        match self {
            Self::Empty => String::new(),
            Self::Text(s) => s.clone(),
            Self::Num(v, NumKind::Int) => format!("{}", v.round() as i64),
            Self::Num(v, NumKind::Percent) => plain(v * 100.0, 2),
            Self::Num(v, NumKind::Decimal) => plain(*v, 2),
            Self::Date(d) => fmt_date(*d),
        }
    }
}

/// A number with a decimal point and at most `places` decimals, trailing zeros dropped.
fn plain(x: f64, places: usize) -> String {
    let s = format!("{x:.places$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    };
    if s == "-0" { "0".to_owned() } else { s }
}

/// One report: title lines (XLSX only), columns with widths, rows; bold rows are totals.
#[derive(Debug, Clone)]
struct Table {
    sheet: &'static str,
    title: Vec<String>,
    columns: Vec<(&'static str, f64)>,
    rows: Vec<Vec<Cell>>,
    bold_rows: Vec<usize>,
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

impl Table {
    fn header(&self) -> Vec<String> {
        self.columns.iter().map(|(h, _)| (*h).to_owned()).collect()
    }

    fn to_csv(&self) -> Vec<u8> {
        let mut out = String::from("\u{feff}");
        let line = |fields: Vec<String>| -> String {
            let mut l = fields
                .iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(",");
            l.push_str("\r\n");
            l
        };
        out.push_str(&line(self.header()));
        for row in &self.rows {
            out.push_str(&line(row.iter().map(Cell::csv).collect()));
        }
        out.into_bytes()
    }

    fn to_xlsx(&self) -> std::result::Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(self.sheet)?;
        let ncols = u16::try_from(self.columns.len().max(1)).unwrap_or(u16::MAX);
        let last_col = ncols - 1;
        let title = Format::new().set_bold().set_font_size(14);
        let subtitle = Format::new().set_italic();
        let header = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_border(FormatBorder::Thin)
            .set_background_color("#D9E1F2");
        let base = Format::new().set_border(FormatBorder::Thin);
        let wrap = base.clone().set_text_wrap().set_align(FormatAlign::Top);
        let formats = |bold: bool| -> [Format; 5] {
            let b = |f: Format| if bold { f.set_bold() } else { f };
            [
                b(wrap.clone()),
                b(base.clone().set_num_format("#,##0")),
                b(base.clone().set_num_format("0.0%")),
                b(base.clone().set_num_format("#,##0.00")),
                b(base.clone().set_num_format("dd/mm/yyyy")),
            ]
        };
        let (plain_f, bold_f) = (formats(false), formats(true));
        let mut r: u32 = 0;
        for (i, line) in self.title.iter().enumerate() {
            let f = if i == 0 { &title } else { &subtitle };
            if last_col > 0 {
                sheet.merge_range(r, 0, r, last_col, line, f)?;
            } else {
                sheet.write_string_with_format(r, 0, line, f)?;
            }
            r += 1;
        }
        r += 1;
        for (c, (name, width)) in self.columns.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            sheet.write_string_with_format(r, c, *name, &header)?;
            sheet.set_column_width(c, *width)?;
        }
        sheet.set_freeze_panes(r + 1, 0)?;
        r += 1;
        for (i, row) in self.rows.iter().enumerate() {
            let f = if self.bold_rows.contains(&i) {
                &bold_f
            } else {
                &plain_f
            };
            for (c, cell) in row.iter().enumerate() {
                let c = u16::try_from(c).unwrap_or(u16::MAX);
                match cell {
                    Cell::Empty => {
                        sheet.write_blank(r, c, &f[0])?;
                    }
                    Cell::Text(s) => {
                        sheet.write_string_with_format(r, c, s, &f[0])?;
                    }
                    Cell::Num(v, kind) => {
                        let fmt = match kind {
                            NumKind::Int => &f[1],
                            NumKind::Percent => &f[2],
                            NumKind::Decimal => &f[3],
                        };
                        sheet.write_number_with_format(r, c, *v, fmt)?;
                    }
                    Cell::Date(d) => {
                        let x = ExcelDateTime::from_ymd(
                            u16::try_from(d.year()).unwrap_or(1900),
                            u8::try_from(d.month()).unwrap_or(1),
                            u8::try_from(d.day()).unwrap_or(1),
                        )?;
                        sheet.write_datetime_with_format(r, c, &x, &f[4])?;
                    }
                }
            }
            r += 1;
        }
        book.save_to_buffer()
    }
}

fn xlsx_error(e: XlsxError) -> AppError {
    AppError::Internal(format!("tệp Excel: {e}"))
}

/// Today in Vietnam: the default "computed on" day of a report.
fn today() -> Date {
    crate::vietnam_now().date()
}

/// "Số liệu tính ngày dd/mm/yyyy", or for a closed period when and by whom it was closed.
pub fn figures_line(closed: Option<&ClosedInfo>, as_of: Date) -> String {
    match closed {
        Some(c) => {
            let at = c
                .closed_at
                .parse::<DateTime>()
                .map(fmt_datetime)
                .unwrap_or_else(|_| c.closed_at.clone());
            format!(
                "Đã chốt số liệu lúc {at}, người chốt: {}; bộ chỉ số {}",
                c.closed_by, c.set_version
            )
        }
        None => format!("Số liệu tính ngày {}", fmt_date(as_of)),
    }
}

// ---------------------------------------------------------------------------------------------
// Scorecard.

/// Numerator and denominator apply (a computed ratio, not a manual value).
fn has_terms(r: &IndicatorResult) -> bool {
    !r.numerator_terms.is_empty() || !r.denominator_terms.is_empty()
}

fn unit_label(u: ValueUnit) -> &'static str {
    match u {
        ValueUnit::Percent => "%",
        ValueUnit::Days => "ngày",
    }
}

fn scorecard_table(card: &UnitScorecard, as_of: Date) -> Table {
    let groups: HashMap<&str, &str> = card
        .card
        .groups
        .iter()
        .map(|g| (g.code.as_str(), g.name.as_str()))
        .collect();
    let mut rows = Vec::new();
    let mut bold_rows = Vec::new();
    for g in &card.card.groups {
        for r in card.card.results.iter().filter(|r| r.group == g.code) {
            let terms = has_terms(r) && r.state != ResultState::Unavailable;
            rows.push(vec![
                Cell::text(format!(
                    "{}. {}",
                    r.group,
                    groups.get(r.group.as_str()).copied().unwrap_or("")
                )),
                Cell::text(&r.code),
                Cell::text(&r.name),
                if terms {
                    Cell::int(r.numerator)
                } else {
                    Cell::Empty
                },
                if terms {
                    Cell::int(r.denominator)
                } else {
                    Cell::Empty
                },
                Cell::opt(
                    r.value,
                    match r.unit {
                        ValueUnit::Percent => NumKind::Percent,
                        ValueUnit::Days => NumKind::Decimal,
                    },
                ),
                Cell::text(unit_label(r.unit)),
                Cell::opt(r.points, NumKind::Decimal),
                Cell::Num(r.max_points, NumKind::Decimal),
                Cell::text(r.points_rule()),
                Cell::text(r.state.label()),
            ]);
        }
        bold_rows.push(rows.len());
        rows.push(vec![
            Cell::text(format!("{}. {}", g.code, g.name)),
            Cell::Empty,
            Cell::text(format!(
                "Cộng nhóm {} (tối đa {} điểm)",
                g.code,
                decimal(g.max_points, 2)
            )),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Num(g.points, NumKind::Decimal),
            Cell::Num(g.applicable_max, NumKind::Decimal),
            Cell::text("Điểm tối đa: của các chỉ số tính được"),
            Cell::Empty,
        ]);
    }
    bold_rows.push(rows.len());
    rows.push(vec![
        Cell::Empty,
        Cell::Empty,
        Cell::text("Tổng điểm (thang 100)"),
        Cell::Empty,
        Cell::Empty,
        Cell::opt(card.card.score, NumKind::Decimal),
        Cell::text("điểm"),
        Cell::Num(card.card.points, NumKind::Decimal),
        Cell::Num(card.card.applicable_max, NumKind::Decimal),
        Cell::text(card.card.total_rule()),
        Cell::Empty,
    ]);
    let mut title = vec![
        "BẢNG ĐIỂM CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP".to_owned(),
        format!(
            "Đơn vị: {} ({}) – Kỳ: {}",
            card.unit_name, card.unit_id, card.period_label
        ),
        format!(
            "{}; bộ chỉ số {}; hồ sơ tiếp nhận trong kỳ: {}",
            figures_line(card.closed.as_ref(), as_of),
            card.card.version,
            card.received
        ),
    ];
    if let Some(s) = card.year_before_score {
        title.push(format!("Cùng kỳ năm trước: {} điểm", decimal(s, 2)));
    }
    Table {
        sheet: "Bảng điểm",
        title,
        columns: vec![
            ("Nhóm", 26.0),
            ("Mã", 6.0),
            ("Chỉ số", 48.0),
            ("Tử số", 10.0),
            ("Mẫu số", 10.0),
            ("Giá trị", 10.0),
            ("Đơn vị", 7.0),
            ("Điểm", 9.0),
            ("Điểm tối đa", 9.0),
            ("Cách tính điểm", 40.0),
            ("Tình trạng", 22.0),
        ],
        rows,
        bold_rows,
    }
}

/// A unit's scorecard as CSV (UTF-8 with BOM): one row per indicator (group, code, name,
/// numerator, denominator, value, unit, points, maximum, how the points came out, state),
/// a subtotal per group and the total. Percent values are written as percent numbers (92.5).
pub fn scorecard_csv(card: &UnitScorecard) -> Vec<u8> {
    scorecard_table(card, today()).to_csv()
}

/// A unit's scorecard as an Excel workbook, figures computed today (see
/// [`scorecard_xlsx_at`]).
pub fn scorecard_xlsx(card: &UnitScorecard) -> Result<Vec<u8>> {
    scorecard_xlsx_at(card, today())
}

/// A unit's scorecard as an Excel workbook: the columns of [`scorecard_csv`] under a title
/// with the unit, the period and the day the figures were computed (`as_of`), or the closing
/// for a closed period.
pub fn scorecard_xlsx_at(card: &UnitScorecard, as_of: Date) -> Result<Vec<u8>> {
    scorecard_table(card, as_of).to_xlsx().map_err(xlsx_error)
}

// ---------------------------------------------------------------------------------------------
// Ranking.

/// How a unit kind is named in a ranking's title.
pub fn kind_plural(kind: Option<UnitKind>) -> &'static str {
    match kind {
        None => "các đơn vị có hồ sơ",
        Some(UnitKind::Province) => "các tỉnh",
        Some(UnitKind::District) => "các huyện, thị xã, thành phố",
        Some(UnitKind::Commune) => "các xã, phường, thị trấn",
        Some(UnitKind::Department) => "các sở, ban, ngành",
        Some(UnitKind::Office) => "các phòng, bộ phận",
        Some(UnitKind::ServiceCentre) => "các trung tâm phục vụ hành chính công",
    }
}

fn ranking_table(r: &Ranking, as_of: Date) -> Table {
    let score_header = if r.indicator.is_some() {
        "Giá trị chỉ số (%)"
    } else {
        "Điểm (thang 100)"
    };
    let rows = r
        .rows
        .iter()
        .map(|row| {
            vec![
                match row.row.rank {
                    Some(k) => Cell::int(i64::from(k)),
                    None => Cell::text("Không xếp hạng"),
                },
                Cell::text(&row.unit_id),
                Cell::text(&row.unit_name),
                Cell::opt(row.row.score, NumKind::Decimal),
                Cell::int(row.row.volume),
                Cell::text(if row.row.tied { "Đồng hạng" } else { "" }),
                Cell::opt(row.year_before_score, NumKind::Decimal),
                Cell::opt(row.year_before_rank.map(f64::from), NumKind::Int),
                Cell::opt(row.rank_change.map(|c| c as f64), NumKind::Int),
                Cell::text(match row.higher_than_year_before {
                    Some(true) => "Cao hơn",
                    Some(false) => "Không cao hơn",
                    None => "",
                }),
            ]
        })
        .collect();
    let what = match &r.indicator {
        Some(code) => format!("theo chỉ số {code}"),
        None => "theo tổng điểm".to_owned(),
    };
    Table {
        sheet: "Xếp hạng",
        title: vec![
            format!(
                "XẾP HẠNG {} {}",
                kind_plural(r.kind).to_uppercase(),
                what.to_uppercase()
            ),
            format!(
                "Kỳ: {} – đơn vị dưới {} hồ sơ tiếp nhận không xếp hạng",
                r.period_label, r.min_volume
            ),
            figures_line(None, as_of),
        ],
        columns: vec![
            ("Hạng", 9.0),
            ("Mã đơn vị", 24.0),
            ("Tên đơn vị", 40.0),
            (score_header, 12.0),
            ("Hồ sơ tiếp nhận", 11.0),
            ("Đồng hạng", 10.0),
            ("Cùng kỳ năm trước", 12.0),
            ("Hạng năm trước", 10.0),
            ("Thay đổi hạng", 10.0),
            ("So với năm trước", 14.0),
        ],
        rows,
        bold_rows: Vec::new(),
    }
}

/// A ranking as CSV (UTF-8 with BOM): rank (or "Không xếp hạng" below the minimum volume),
/// unit code and name, score (or the indicator's value in percent), dossiers received, tie,
/// the year-before score and rank, places gained, and whether the score rose.
pub fn ranking_csv(r: &Ranking) -> Vec<u8> {
    ranking_table(r, today()).to_csv()
}

/// A ranking as an Excel workbook, figures computed today (see [`ranking_xlsx_at`]).
pub fn ranking_xlsx(r: &Ranking) -> Result<Vec<u8>> {
    ranking_xlsx_at(r, today())
}

/// A ranking as an Excel workbook: the columns of [`ranking_csv`] under a title.
pub fn ranking_xlsx_at(r: &Ranking, as_of: Date) -> Result<Vec<u8>> {
    ranking_table(r, as_of).to_xlsx().map_err(xlsx_error)
}

// ---------------------------------------------------------------------------------------------
// Dossier register.

/// One dossier of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterRow {
    pub code: String,
    pub procedure_code: String,
    /// The procedure's name (its code if the catalogue no longer has it).
    pub procedure_name: String,
    /// Đơn vị giải quyết.
    pub competent_unit: String,
    /// Ngày nhận (tiếp nhận).
    pub received_at: Option<DateTime>,
    /// Ngày hẹn trả, with pauses and extensions; empty while paused.
    pub due_at: Option<DateTime>,
    /// Ngày có kết quả.
    pub decided_at: Option<DateTime>,
    /// Ngày trả kết quả.
    pub returned_at: Option<DateTime>,
    /// Left the clock without a result (withdrawn, stopped).
    pub closed_at: Option<DateTime>,
    /// Trạng thái hiện nay.
    pub status: String,
    /// Đúng/trễ hạn, judged at the period's end: the verdict of a dossier finished by then,
    /// in time or overdue for one still open then.
    pub timeliness: String,
}

/// The dossier register (Sổ theo dõi hồ sơ, mẫu số 07) of a unit's subtree for a period:
/// every dossier received in the period or still open during it, in order of receipt.
#[derive(Debug, Clone, Serialize)]
pub struct Register {
    pub unit_id: String,
    /// The unit's full name ("Thành phố Kon Tum").
    pub unit_name: String,
    pub period: Period,
    pub period_label: String,
    pub closed: Option<ClosedInfo>,
    pub rows: Vec<RegisterRow>,
}

fn register_table(reg: &Register, as_of: Date) -> Table {
    let rows = reg
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let day = |t: Option<DateTime>| Cell::date(t.map(|t| t.date()));
            vec![
                Cell::int(i64::try_from(i + 1).unwrap_or(i64::MAX)),
                Cell::text(&r.code),
                Cell::text(format!("{} – {}", r.procedure_code, r.procedure_name)),
                day(r.received_at),
                day(r.due_at),
                day(r.decided_at),
                day(r.returned_at),
                Cell::text(&r.status),
                Cell::text(&r.timeliness),
            ]
        })
        .collect();
    Table {
        sheet: "Sổ theo dõi hồ sơ",
        title: vec![
            "SỔ THEO DÕI HỒ SƠ (Mẫu số 07)".to_owned(),
            format!(
                "Đơn vị: {} ({}) – Kỳ: {} – {} hồ sơ tiếp nhận hoặc đang giải quyết trong kỳ",
                reg.unit_name,
                reg.unit_id,
                reg.period_label,
                reg.rows.len()
            ),
            format!(
                "{}; đúng/trễ hạn xét tại ngày cuối kỳ {}",
                figures_line(reg.closed.as_ref(), as_of),
                fmt_date(reg.period.last)
            ),
        ],
        columns: vec![
            ("STT", 6.0),
            ("Mã hồ sơ", 30.0),
            ("Thủ tục hành chính", 50.0),
            ("Ngày nhận", 12.0),
            ("Ngày hẹn trả", 12.0),
            ("Ngày có kết quả", 12.0),
            ("Ngày trả kết quả", 12.0),
            ("Trạng thái", 22.0),
            ("Đúng/trễ hạn", 24.0),
        ],
        rows,
        bold_rows: Vec::new(),
    }
}

/// The register as CSV (UTF-8 with BOM): STT, mã hồ sơ, thủ tục, ngày nhận, ngày hẹn trả,
/// ngày có kết quả, ngày trả, trạng thái, đúng/trễ hạn; dates `dd/mm/yyyy`.
pub fn register_csv(reg: &Register) -> Vec<u8> {
    register_table(reg, today()).to_csv()
}

/// The register as an Excel workbook, figures computed today (see [`register_xlsx_at`]).
pub fn register_xlsx(reg: &Register) -> Result<Vec<u8>> {
    register_xlsx_at(reg, today())
}

/// The register as an Excel workbook: the columns of [`register_csv`] under a title, dates
/// as Excel dates.
pub fn register_xlsx_at(reg: &Register, as_of: Date) -> Result<Vec<u8>> {
    register_table(reg, as_of).to_xlsx().map_err(xlsx_error)
}

/// Đúng/trễ hạn at the end of `day`.
fn timeliness(f: &cchc_domain::indicator::DossierFacts, day: Date) -> String {
    use cchc_domain::indicator::EndKind;
    match (f.end, f.end_day) {
        (Some(kind), Some(end)) if end <= day => match kind {
            EndKind::Withdrawn => "Không xét (rút hồ sơ)".to_owned(),
            EndKind::Refused => "Không xét (từ chối tiếp nhận)".to_owned(),
            EndKind::Decided | EndKind::Stopped => f
                .verdict
                .map_or("Đúng hạn", FinishVerdict::label)
                .to_owned(),
        },
        _ if f.late_open_at(day) => "Đang giải quyết – quá hạn".to_owned(),
        _ => "Đang giải quyết – trong hạn".to_owned(),
    }
}

impl App {
    /// The dossier register of `unit` (its subtree, and the units it replaced) for `period`:
    /// every dossier received by the period's end and not ended before its start, with its
    /// dates, status and on-time verdict. Who may see the unit's indicators may see it.
    pub async fn dossier_register(
        &self,
        who: &Principal,
        unit: &str,
        period: &Period,
    ) -> Result<Register> {
        // The scorecard checks the caller's access and gives the names and the closing.
        let card = self.unit_scorecard(who, unit, period).await?;
        let units: Vec<String> = self.member_units(unit, period)?.into_iter().collect();
        let limit = i64::try_from(REGISTER_LIMIT).unwrap_or(i64::MAX);
        let facts = self
            .store
            .facts_in(&units, period.first, period.last, limit.saturating_add(1))
            .await?;
        if facts.len() > REGISTER_LIMIT {
            return Err(AppError::Invalid(format!(
                "sổ theo dõi có hơn {REGISTER_LIMIT} hồ sơ: chọn kỳ ngắn hơn hoặc đơn vị nhỏ hơn"
            )));
        }
        let mut procedures: Vec<String> = facts.iter().map(|f| f.procedure.clone()).collect();
        procedures.sort();
        procedures.dedup();
        let names: HashMap<String, String> = self
            .store
            .procedure_names(&procedures)
            .await?
            .into_iter()
            .collect();
        let mut rows = Vec::with_capacity(facts.len());
        for f in &facts {
            let Some((d, _)) = self.store.dossier(&f.code).await? else {
                return Err(AppError::Internal(format!(
                    "hồ sơ {} có số liệu nhưng không có sự kiện",
                    f.code
                )));
            };
            let due_at = match d
                .clock_request()
                .map_err(|e| AppError::Internal(format!("hồ sơ {}: {e}", d.code)))?
            {
                Some(req) => {
                    let clock: std::sync::Arc<WorkingClock> =
                        self.clock_for(&self.unit(&d.receiving_unit)?)?;
                    clock
                        .due(&req)
                        .map_err(|e| AppError::Invalid(format!("hồ sơ {}: {e}", d.code)))?
                        .due
                }
                None => None,
            };
            rows.push(RegisterRow {
                procedure_name: names
                    .get(&d.procedure_code)
                    .cloned()
                    .unwrap_or_else(|| d.procedure_code.clone()),
                competent_unit: d.competent_unit.clone(),
                received_at: d.received_at,
                due_at,
                decided_at: d.decided_at,
                returned_at: d.returned_at,
                closed_at: d.closed_at,
                status: d.status.label().to_owned(),
                timeliness: timeliness(f, self.judged_on(period)),
                code: d.code,
                procedure_code: d.procedure_code,
            });
        }
        let unit_name = self
            .units()?
            .get(&card.unit_id)
            .map_or(card.unit_name, |u| u.full_name.clone());
        Ok(Register {
            unit_id: card.unit_id,
            unit_name,
            period: *period,
            period_label: card.period_label,
            closed: card.closed,
            rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn table() -> Table {
        Table {
            sheet: "T",
            title: vec!["Tiêu đề".into(), "Dòng 2".into()],
            columns: vec![("Tên, đơn vị", 10.0), ("Tỷ lệ", 8.0), ("Ngày", 8.0)],
            rows: vec![
                vec![
                    Cell::text("Phường \"Quang Trung\""),
                    Cell::Num(0.925, NumKind::Percent),
                    Cell::date(Some(date(2025, 3, 7))),
                ],
                vec![Cell::Empty, Cell::opt(None, NumKind::Decimal), Cell::int(3)],
            ],
            bold_rows: vec![1],
        }
    }

    #[test]
    fn csv_has_a_bom_quotes_and_plain_numbers() {
        let text = String::from_utf8(table().to_csv()).unwrap();
        assert!(text.starts_with('\u{feff}'), "{text}");
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "\"Tên, đơn vị\",Tỷ lệ,Ngày");
        assert_eq!(lines[1], "\"Phường \"\"Quang Trung\"\"\",92.5,07/03/2025");
        assert_eq!(lines[2], ",,3");
    }

    #[test]
    fn xlsx_is_a_zip() {
        let bytes = table().to_xlsx().unwrap();
        assert!(bytes.starts_with(b"PK"), "{} bytes", bytes.len());
    }

    #[test]
    fn plain_numbers() {
        assert_eq!(plain(92.5, 2), "92.5");
        assert_eq!(plain(100.0, 2), "100");
        assert_eq!(plain(-0.001, 2), "0");
        assert_eq!(plain(1.0 / 3.0, 2), "0.33");
    }

    #[test]
    fn figures_line_says_when() {
        assert_eq!(
            figures_line(None, date(2026, 1, 5)),
            "Số liệu tính ngày 05/01/2026"
        );
        let c = ClosedInfo {
            closed_at: "2026-01-05T09:30:00".into(),
            closed_by: "Hệ thống (system)".into(),
            set_version: "766-2022.1".into(),
            data_fingerprint: "x".into(),
        };
        assert_eq!(
            figures_line(Some(&c), date(2026, 2, 1)),
            "Đã chốt số liệu lúc 09:30 05/01/2026, người chốt: Hệ thống (system); bộ chỉ số 766-2022.1"
        );
    }
}
