//! The procedure catalogue (danh mục thủ tục hành chính): entries imported from the national
//! procedure database, with typed time limits and fees per channel, the settings an administrator
//! may change, and a report of every data-quality problem found on the way.
//!
//! The import reads CSV text (the caller reads the file) with the columns of
//! `tthc_dvcqg_2642_procedures.csv`: `ma_thu_tuc, ten_thu_tuc, cap_thuc_hien, linh_vuc,
//! loai_thu_tuc, so_quyet_dinh, co_quan_co_tham_quyen, co_quan_thuc_hien, doi_tuong_thuc_hien`,
//! then for each channel (`truc_tiep`, `truc_tuyen`, `buu_chinh`) `kenh_*`, `thoi_han_*_so`,
//! `thoi_han_*_don_vi`, `phi_*`; optionally the crawler's `source_ministry_dir, detail_url,
//! code_in_raw_text, qc_code_mismatch`. Other columns (such as `cach_thuc_raw`, the crawled
//! free text the typed columns were extracted from) are ignored.
//!
//! Nothing is dropped silently: every data row ends up either as a [`Procedure`] (possibly with
//! [`QualityIssue`]s) or as a [`RejectedRow`] with its line and reason.
//!
//! # Time limits
//!
//! | unit in the source | typed as |
//! |---|---|
//! | `Ngày làm việc` | working days |
//! | `Ngày` | calendar days |
//! | `Giờ`, `Giờ làm việc` | working hours |
//! | `Tuần` | 7 × N calendar days |
//! | `Tháng`, `Năm` | not typed ([`LimitProblem::MonthsOrYears`]) |
//! | blank, `(không ghi)`, `Không có thông tin`, anything else | not typed |
//!
//! A week is converted because it is unambiguous: under the Civil Code (2015, Art. 147-148) a
//! period of N weeks ends on the same weekday N weeks later, which is exactly 7 × N calendar days.
//! A month or a year is not: a period of months ends on the same-numbered day of the last month,
//! so "1 tháng" is 28 to 31 days depending on the start date, and no fixed number of days (nor of
//! working days) is right; such a limit stays untyped until an administrator types it.
//!
//! In the crawled catalogue `(không ghi)` ("not written") marks a number found without any unit;
//! those numbers are often artefacts of the crawler gluing the time to the fee ("1" + "100 VNĐ"
//! → "110"), so they are never guessed into a unit.
//!
//! Amounts may use `,` or `.` as the decimal mark (`0,5`, `1.5`) or be a fraction (`1/2`), with at
//! most two decimals (the clock counts in hundredths). A zero limit is not typed.
//!
//! # Fees
//!
//! See [`Fee::parse`]: "Miễn phí"/"Không" → [`Fee::None`]; one amount in đồng
//! ("50,000 Việt Nam Đồng", "50.000 đồng", "Lệ phí: 8.000 đồng", "70,000 VNĐ/lần") →
//! [`Fee::Amount`]; one amount in a foreign currency ("10 USD") → [`Fee::Foreign`]; blank or
//! "Không có thông tin" → [`Fee::Unknown`]; anything else (percentages, ranges, several amounts,
//! prose) → [`Fee::Text`]. Amounts under 1,000 đồng are kept as written but reported
//! ([`QualityIssue::SuspiciousFee`]): in the national data they are mostly thousands of đồng
//! entered without the thousands ("100 VNĐ" next to a description saying "100.000 đồng/lần").
//!
//! # Re-import
//!
//! [`Procedure::fingerprint`] hashes the imported content only, not the administrator's settings
//! ([`Procedure::online_kind`], [`Procedure::fee_bearing`], [`Procedure::after_15h_next_day`]),
//! so a store inserts new codes, updates rows whose fingerprint changed (keeping the settings an
//! administrator set, see [`Procedure::refreshed`]) and leaves equal rows untouched.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::calendar::{LimitUnit, StartRule, TimeLimit};
use crate::text::{clean, fold};

// ---------------------------------------------------------------------------------------------
// Channels

/// A channel through which a dossier is filed (KenhThucHien on the national portal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    /// Trực tiếp: at the one-stop counter.
    Counter,
    /// Trực tuyến: online.
    Online,
    /// Bưu chính công ích: by public postal service.
    Post,
}

impl Channel {
    /// All channels, in the order of [`Procedure::channels`].
    pub const ALL: [Channel; 3] = [Channel::Counter, Channel::Online, Channel::Post];

    /// Position in [`Procedure::channels`].
    pub fn index(self) -> usize {
        match self {
            Self::Counter => 0,
            Self::Online => 1,
            Self::Post => 2,
        }
    }

    /// The national portal's code (KenhThucHien): 1 counter, 2 online, 3 post.
    pub fn portal_code(self) -> u8 {
        match self {
            Self::Counter => 1,
            Self::Online => 2,
            Self::Post => 3,
        }
    }

    /// The Vietnamese name, as users read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Counter => "trực tiếp",
            Self::Online => "trực tuyến",
            Self::Post => "bưu chính công ích",
        }
    }

    /// The column suffix in the catalogue CSV.
    fn column(self) -> &'static str {
        match self {
            Self::Counter => "truc_tiep",
            Self::Online => "truc_tuyen",
            Self::Post => "buu_chinh",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

// ---------------------------------------------------------------------------------------------
// Levels

/// The level of government that carries out a procedure (cấp thực hiện).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProcedureLevel {
    /// Cấp bộ (ministry, central level).
    Ministry,
    /// Cấp tỉnh.
    Province,
    /// Cấp huyện (abolished on 1 July 2025; kept for history).
    District,
    /// Cấp xã.
    Commune,
    /// Cơ quan khác, or a level text not recognised (reported as a quality issue).
    Other,
}

impl ProcedureLevel {
    /// The Vietnamese name, as users read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Ministry => "Cấp bộ",
            Self::Province => "Cấp tỉnh",
            Self::District => "Cấp huyện",
            Self::Commune => "Cấp xã",
            Self::Other => "Cơ quan khác",
        }
    }

    /// Recognises one level name; `None` when the text is not a known level.
    fn recognise(part: &str) -> Option<Self> {
        match fold(part).trim_end_matches('.') {
            "cap bo" | "bo" | "cap trung uong" | "trung uong" => Some(Self::Ministry),
            "cap tinh" | "tinh" => Some(Self::Province),
            "cap huyen" | "huyen" => Some(Self::District),
            "cap xa" | "xa" => Some(Self::Commune),
            "co quan khac" => Some(Self::Other),
            _ => None,
        }
    }
}

impl fmt::Display for ProcedureLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The levels a procedure is carried out at (a procedure may belong to several, e.g.
/// "Cấp bộ, Cấp tỉnh"), with the source text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Levels {
    /// Sorted, without duplicates.
    pub levels: Vec<ProcedureLevel>,
    /// The text as imported (cleaned).
    pub raw: String,
}

impl Levels {
    /// Parses a comma- or semicolon-separated list; returns the parts not recognised (each
    /// counted as [`ProcedureLevel::Other`]).
    pub fn parse(raw: &str) -> (Self, Vec<String>) {
        let raw = clean(raw);
        let mut levels = Vec::new();
        let mut unknown = Vec::new();
        for part in raw
            .split([',', ';'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match ProcedureLevel::recognise(part) {
                Some(level) => levels.push(level),
                None => {
                    levels.push(ProcedureLevel::Other);
                    unknown.push(part.to_owned());
                }
            }
        }
        levels.sort();
        levels.dedup();
        (Self { levels, raw }, unknown)
    }

    pub fn contains(&self, level: ProcedureLevel) -> bool {
        self.levels.contains(&level)
    }
}

// ---------------------------------------------------------------------------------------------
// Time limits

/// Why a time limit could not be typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LimitProblem {
    /// Neither a number nor a unit ("Không có thông tin", blank).
    Missing,
    /// A number without a unit ("(không ghi)", blank unit).
    NoUnit,
    /// A unit without a number.
    NoNumber,
    /// The number cannot be read, or has more than two decimals.
    BadNumber,
    /// The limit is zero.
    Zero,
    /// More than 3650 units.
    TooLong,
    /// Months or years: their length in days depends on the start date.
    MonthsOrYears,
    /// A unit we do not know.
    UnknownUnit,
}

impl LimitProblem {
    /// A stable machine name.
    pub fn code(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::NoUnit => "no-unit",
            Self::NoNumber => "no-number",
            Self::BadNumber => "bad-number",
            Self::Zero => "zero",
            Self::TooLong => "too-long",
            Self::MonthsOrYears => "months-or-years",
            Self::UnknownUnit => "unknown-unit",
        }
    }

    /// The Vietnamese explanation, as users read it.
    pub fn description(self) -> &'static str {
        match self {
            Self::Missing => "không có thông tin thời hạn",
            Self::NoUnit => "có số nhưng thiếu đơn vị (ngày làm việc, ngày hay giờ)",
            Self::NoNumber => "có đơn vị nhưng thiếu số",
            Self::BadNumber => "số không đọc được (tối đa hai chữ số thập phân)",
            Self::Zero => "thời hạn bằng 0",
            Self::TooLong => "thời hạn quá dài (tối đa 3650 đơn vị)",
            Self::MonthsOrYears => {
                "tính theo tháng/năm: độ dài thay đổi theo ngày bắt đầu, không quy đổi được thành số ngày cố định"
            }
            Self::UnknownUnit => "đơn vị không được hỗ trợ (ngày làm việc, ngày, giờ, tuần)",
        }
    }
}

impl fmt::Display for LimitProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// Types a time limit from the catalogue's number and unit columns (see the module docs for
/// the mapping). Accepts `5`, `0,5`, `1.5`, `1/2`, `140.00`.
pub fn parse_limit(number: &str, unit: &str) -> Result<TimeLimit, LimitProblem> {
    let number = clean(number);
    let unit_key = fold(unit);
    let unit_key = unit_key.trim_end_matches('.').trim();
    let no_unit = matches!(
        unit_key,
        "" | "(khong ghi)" | "khong ghi" | "khong co thong tin" | "chua co thong tin"
    );
    if no_unit {
        return Err(if number.is_empty() {
            LimitProblem::Missing
        } else {
            LimitProblem::NoUnit
        });
    }
    let (unit, factor) = match unit_key {
        "ngay lam viec" => (LimitUnit::WorkingDays, 1),
        "ngay" | "ngay lich" => (LimitUnit::Days, 1),
        "gio" | "gio lam viec" => (LimitUnit::WorkingHours, 1),
        "tuan" => (LimitUnit::Days, 7),
        "thang" | "nam" => return Err(LimitProblem::MonthsOrYears),
        _ => return Err(LimitProblem::UnknownUnit),
    };
    if number.is_empty() {
        return Err(LimitProblem::NoNumber);
    }
    let hundredths = parse_hundredths(&number)?
        .checked_mul(factor)
        .ok_or(LimitProblem::TooLong)?;
    if hundredths == 0 {
        return Err(LimitProblem::Zero);
    }
    if hundredths > 3650 * 100 {
        return Err(LimitProblem::TooLong);
    }
    let spec = match unit {
        LimitUnit::WorkingDays => "working-days",
        LimitUnit::WorkingHours => "working-hours",
        LimitUnit::Days => "days",
        LimitUnit::DaysSkipOff => "days-skip-off",
    };
    format!("{}.{:02} {spec}", hundredths / 100, hundredths % 100)
        .parse()
        .map_err(|_| LimitProblem::BadNumber)
}

/// `5` → 500, `0,5` → 50, `1.5` → 150, `1/2` → 50, `140.00` → 14000.
fn parse_hundredths(number: &str) -> Result<u64, LimitProblem> {
    fn digits(s: &str) -> Result<u64, LimitProblem> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(LimitProblem::BadNumber);
        }
        s.parse().map_err(|_| LimitProblem::TooLong)
    }
    let number: String = number.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some((a, b)) = number.split_once('/') {
        let (a, b) = (digits(a)?, digits(b)?);
        if b == 0 {
            return Err(LimitProblem::BadNumber);
        }
        let scaled = a.checked_mul(100).ok_or(LimitProblem::TooLong)?;
        if scaled % b != 0 {
            return Err(LimitProblem::BadNumber);
        }
        return Ok(scaled / b);
    }
    let (whole, frac) = match number.find(['.', ',']) {
        Some(i) => (&number[..i], &number[i + 1..]),
        None => (number.as_str(), ""),
    };
    let frac = frac.trim_end_matches('0');
    if frac.len() > 2 || (whole.is_empty() && frac.is_empty()) {
        return Err(LimitProblem::BadNumber);
    }
    let whole = if whole.is_empty() { 0 } else { digits(whole)? };
    let frac = if frac.is_empty() {
        0
    } else {
        digits(&format!("{frac:0<2}"))?
    };
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac))
        .ok_or(LimitProblem::TooLong)
}

// ---------------------------------------------------------------------------------------------
// Fees

/// A procedure's fee (phí, lệ phí) on one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fee {
    /// No fee: "Miễn phí", "Không", "0 VNĐ".
    None,
    /// One amount in đồng, with what was written around it ("Lệ phí", "/lần").
    Amount { vnd: i64, note: Option<String> },
    /// One amount in a foreign currency (ISO code), e.g. consular fees in USD.
    Foreign { amount: i64, currency: String },
    /// A fee that cannot be typed to one amount: percentages, ranges, several amounts, prose.
    Text(String),
    /// No information: blank, "Không có thông tin".
    Unknown,
}

impl Fee {
    /// Types a fee text (see the module docs).
    pub fn parse(raw: &str) -> Fee {
        let cleaned = clean(raw);
        let folded = fold(&cleaned);
        let key = folded.trim_end_matches(['.', ';']).trim();
        match key {
            "" | "khong co thong tin" | "chua co thong tin" | "(khong ghi)" | "khong ghi" => {
                Fee::Unknown
            }
            "mien phi"
            | "mien"
            | "khong"
            | "khong co"
            | "khong thu"
            | "khong thu phi"
            | "khong mat phi"
            | "mien le phi"
            | "mien phi, le phi"
            | "mien phi va le phi"
            | "khong co phi, le phi"
            | "khong co phi"
            | "khong co le phi"
            | "0" => Fee::None,
            _ => parse_fee_amount(&cleaned).unwrap_or(Fee::Text(cleaned)),
        }
    }

    /// Whether the fee makes the procedure fee-bearing: `None` when unknown.
    pub fn is_bearing(&self) -> Option<bool> {
        match self {
            Fee::None => Some(false),
            Fee::Amount { .. } | Fee::Foreign { .. } | Fee::Text(_) => Some(true),
            Fee::Unknown => None,
        }
    }
}

impl fmt::Display for Fee {
    /// The Vietnamese form, e.g. "50.000 đồng".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fee::None => f.write_str("Miễn phí"),
            Fee::Amount { vnd, note } => {
                write!(f, "{} đồng", group_thousands(*vnd))?;
                match note {
                    Some(note) => write!(f, " ({note})"),
                    None => Ok(()),
                }
            }
            Fee::Foreign { amount, currency } => {
                write!(f, "{} {currency}", group_thousands(*amount))
            }
            Fee::Text(text) => f.write_str(text),
            Fee::Unknown => f.write_str("Không có thông tin"),
        }
    }
}

use crate::text::group_thousands;

/// One amount with an optional label before a colon and an optional "/unit" after the currency:
/// "Lệ phí: 8.000 đồng", "50,000 Việt Nam Đồng", "70.000đ/lần", "10 USD".
fn parse_fee_amount(cleaned: &str) -> Option<Fee> {
    let (label, body) = match cleaned.split_once(':') {
        Some((label, body))
            if !label.trim().is_empty()
                && label.chars().count() <= 40
                && !label.chars().any(|c| c.is_ascii_digit()) =>
        {
            (Some(label.trim()), body.trim())
        }
        _ => (None, cleaned.trim()),
    };
    let body = body.trim_end_matches(['.', ';']).trim_end();
    let end = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(body.len());
    let (number, rest) = body.split_at(end);
    let (currency, per) = match rest.split_once('/') {
        Some((currency, per)) => (currency.trim(), Some(per.trim())),
        None => (rest.trim(), None),
    };
    if let Some(per) = per
        && (per.is_empty() || per.chars().count() > 30 || per.chars().any(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let amount = parse_grouped_integer(number)?;
    let note = match (label, per) {
        (None, None) => None,
        (Some(label), None) => Some(label.to_owned()),
        (None, Some(per)) => Some(format!("/{per}")),
        (Some(label), Some(per)) => Some(format!("{label} /{per}")),
    };
    let folded = fold(currency);
    match folded.as_str() {
        "" | "vnd" | "d" | "dong" | "viet nam dong" | "vn dong" | "dong viet nam" => {
            Some(if amount == 0 {
                Fee::None
            } else {
                Fee::Amount { vnd: amount, note }
            })
        }
        code if code.len() == 3 && code.bytes().all(|b| b.is_ascii_lowercase()) => {
            Some(if amount == 0 {
                Fee::None
            } else {
                Fee::Foreign {
                    amount,
                    currency: code.to_ascii_uppercase(),
                }
            })
        }
        _ => None,
    }
}

/// An integer written with one kind of thousands separator: `50000`, `50,000`, `1.000.000`.
/// `1,5` (a decimal) and mixed separators are refused.
fn parse_grouped_integer(number: &str) -> Option<i64> {
    let Some(sep) = number.chars().find(|c| *c == '.' || *c == ',') else {
        return if number.is_empty() {
            None
        } else {
            number.parse().ok()
        };
    };
    let mut groups = number.split(sep);
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 {
        return None;
    }
    let mut digits = first.to_owned();
    for group in groups {
        if group.len() != 3 || !group.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.push_str(group);
    }
    digits.parse().ok()
}

/// Amounts under this many đồng are reported as suspicious.
pub const SUSPICIOUS_FEE_BELOW_VND: i64 = 1_000;

// ---------------------------------------------------------------------------------------------
// Channel information

/// What the catalogue says about one channel of a procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelInfo {
    /// Whether dossiers may be filed through this channel.
    pub available: bool,
    /// The typed time limit (thời hạn giải quyết), `None` when it could not be typed.
    #[serde(with = "limit_serde")]
    pub limit: Option<TimeLimit>,
    /// The number and unit as imported, e.g. "5 Ngày làm việc", "1 (không ghi)".
    pub limit_raw: String,
    pub fee: Fee,
    /// The fee text as imported.
    pub fee_raw: String,
}

impl ChannelInfo {
    /// An unavailable channel with nothing known.
    pub fn unavailable() -> Self {
        Self {
            available: false,
            limit: None,
            limit_raw: String::new(),
            fee: Fee::Unknown,
            fee_raw: String::new(),
        }
    }
}

/// `Option<TimeLimit>` as its machine form (`"5 working-days"`) or null.
mod limit_serde {
    use super::TimeLimit;
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(limit: &Option<TimeLimit>, s: S) -> Result<S::Ok, S::Error> {
        match limit {
            Some(limit) => s.serialize_some(&limit.spec()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<TimeLimit>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|spec| spec.parse().map_err(D::Error::custom))
            .transpose()
    }
}

// ---------------------------------------------------------------------------------------------
// Online kind and settings

/// How far a procedure can be done online (Decree 42/2022, replacing "levels 1-4").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnlineKind {
    /// Dịch vụ công trực tuyến toàn trình: filed, processed and returned entirely online.
    FullyOnline,
    /// Dịch vụ công trực tuyến một phần: filed online, some step in person.
    PartlyOnline,
    /// Not offered online.
    NotOnline,
}

impl OnlineKind {
    /// The Vietnamese name, as users read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::FullyOnline => "Dịch vụ công trực tuyến toàn trình",
            Self::PartlyOnline => "Dịch vụ công trực tuyến một phần",
            Self::NotOnline => "Không cung cấp trực tuyến",
        }
    }

    /// The default derived from the catalogue: the catalogue only says whether the online
    /// channel exists, not whether the whole procedure runs online, so an online channel gives
    /// [`OnlineKind::PartlyOnline`] until an administrator says "toàn trình".
    pub fn derived(channels: &[ChannelInfo; 3]) -> Self {
        if channels[Channel::Online.index()].available {
            Self::PartlyOnline
        } else {
            Self::NotOnline
        }
    }
}

impl fmt::Display for OnlineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Which of a procedure's settings an administrator has set (and a re-import must keep).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overrides {
    pub online_kind: bool,
    pub fee_bearing: bool,
    pub after_15h_next_day: bool,
    /// Channels (by [`Channel::index`]) whose availability and time limit an administrator set.
    #[serde(default)]
    pub channels: [bool; 3],
}

// ---------------------------------------------------------------------------------------------
// Quality issues

/// A data-quality problem found while importing a procedure. The procedure is still imported;
/// the issue tells an administrator what to check or fill in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum QualityIssue {
    /// The crawler attached another procedure's detail text (qc_code_mismatch = 1): limits and
    /// fees may belong to `code_in_text`.
    CodeMismatch {
        code_in_text: String,
    },
    MissingName,
    MissingLevel,
    UnrecognizedLevel {
        raw: String,
    },
    /// No channel is available.
    NoChannel,
    /// The channel flag is neither 0 nor 1; availability was inferred from the data present.
    BadChannelFlag {
        channel: Channel,
        raw: String,
    },
    /// A channel marked unavailable carries a limit or a fee.
    DataOnUnavailableChannel {
        channel: Channel,
    },
    /// An available channel whose time limit could not be typed.
    UntypedLimit {
        channel: Channel,
        raw: String,
        problem: LimitProblem,
    },
    /// An available channel whose fee cannot be typed to one amount ([`Fee::Text`]).
    UntypedFee {
        channel: Channel,
        raw: String,
    },
    /// An available channel with no fee information ([`Fee::Unknown`]).
    UnknownFee {
        channel: Channel,
    },
    /// An amount under [`SUSPICIOUS_FEE_BELOW_VND`] đồng: probably entered in thousands.
    SuspiciousFee {
        channel: Channel,
        raw: String,
        vnd: i64,
    },
}

/// The kind of a [`QualityIssue`], for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IssueKind {
    CodeMismatch,
    MissingName,
    MissingLevel,
    UnrecognizedLevel,
    NoChannel,
    BadChannelFlag,
    DataOnUnavailableChannel,
    UntypedLimit,
    UntypedFee,
    UnknownFee,
    SuspiciousFee,
}

impl IssueKind {
    /// A stable machine name.
    pub fn code(self) -> &'static str {
        match self {
            Self::CodeMismatch => "code-mismatch",
            Self::MissingName => "missing-name",
            Self::MissingLevel => "missing-level",
            Self::UnrecognizedLevel => "unrecognized-level",
            Self::NoChannel => "no-channel",
            Self::BadChannelFlag => "bad-channel-flag",
            Self::DataOnUnavailableChannel => "data-on-unavailable-channel",
            Self::UntypedLimit => "untyped-limit",
            Self::UntypedFee => "untyped-fee",
            Self::UnknownFee => "unknown-fee",
            Self::SuspiciousFee => "suspicious-fee",
        }
    }

    /// The Vietnamese name of the kind, as users read it in a report.
    pub fn label(self) -> &'static str {
        match self {
            Self::CodeMismatch => "Nội dung chi tiết mang mã thủ tục khác",
            Self::MissingName => "Thiếu tên thủ tục",
            Self::MissingLevel => "Thiếu cấp thực hiện",
            Self::UnrecognizedLevel => "Cấp thực hiện không nhận ra",
            Self::NoChannel => "Không có kênh nộp hồ sơ",
            Self::BadChannelFlag => "Giá trị kênh không hợp lệ",
            Self::DataOnUnavailableChannel => "Kênh không áp dụng nhưng có dữ liệu",
            Self::UntypedLimit => "Thời hạn chưa xác định được",
            Self::UntypedFee => "Phí, lệ phí không quy được về một số tiền",
            Self::UnknownFee => "Không có thông tin phí, lệ phí",
            Self::SuspiciousFee => "Phí, lệ phí nhỏ bất thường",
        }
    }
}

impl QualityIssue {
    pub fn kind(&self) -> IssueKind {
        match self {
            Self::CodeMismatch { .. } => IssueKind::CodeMismatch,
            Self::MissingName => IssueKind::MissingName,
            Self::MissingLevel => IssueKind::MissingLevel,
            Self::UnrecognizedLevel { .. } => IssueKind::UnrecognizedLevel,
            Self::NoChannel => IssueKind::NoChannel,
            Self::BadChannelFlag { .. } => IssueKind::BadChannelFlag,
            Self::DataOnUnavailableChannel { .. } => IssueKind::DataOnUnavailableChannel,
            Self::UntypedLimit { .. } => IssueKind::UntypedLimit,
            Self::UntypedFee { .. } => IssueKind::UntypedFee,
            Self::UnknownFee { .. } => IssueKind::UnknownFee,
            Self::SuspiciousFee { .. } => IssueKind::SuspiciousFee,
        }
    }

    /// The channel the issue is about, if any.
    pub fn channel(&self) -> Option<Channel> {
        match self {
            Self::BadChannelFlag { channel, .. }
            | Self::DataOnUnavailableChannel { channel }
            | Self::UntypedLimit { channel, .. }
            | Self::UntypedFee { channel, .. }
            | Self::UnknownFee { channel }
            | Self::SuspiciousFee { channel, .. } => Some(*channel),
            _ => None,
        }
    }

    /// The Vietnamese explanation, as users read it.
    pub fn description(&self) -> String {
        match self {
            Self::CodeMismatch { code_in_text } => format!(
                "nội dung chi tiết thu thập được mang mã {code_in_text}, khác mã thủ tục: thời hạn và phí có thể là của thủ tục khác, cần kiểm tra lại"
            ),
            Self::MissingName => "thiếu tên thủ tục".to_owned(),
            Self::MissingLevel => "thiếu cấp thực hiện".to_owned(),
            Self::UnrecognizedLevel { raw } => {
                format!("không nhận ra cấp thực hiện '{raw}' (xếp vào 'Cơ quan khác')")
            }
            Self::NoChannel => {
                "không có kênh nộp hồ sơ nào (trực tiếp, trực tuyến, bưu chính công ích)".to_owned()
            }
            Self::BadChannelFlag { channel, raw } => format!(
                "giá trị kênh {channel} '{raw}' không hợp lệ (cần 0 hoặc 1); đã suy ra từ dữ liệu thời hạn, phí"
            ),
            Self::DataOnUnavailableChannel { channel } => {
                format!("kênh {channel} được đánh dấu không áp dụng nhưng có thời hạn hoặc phí")
            }
            Self::UntypedLimit {
                channel,
                raw,
                problem,
            } => {
                let raw = if raw.is_empty() { "(trống)" } else { raw };
                format!("thời hạn kênh {channel} '{raw}' chưa xác định được: {problem}")
            }
            Self::UntypedFee { channel, raw } => format!(
                "phí, lệ phí kênh {channel} '{raw}' không quy được về một số tiền, cần nhập tay"
            ),
            Self::UnknownFee { channel } => {
                format!("kênh {channel} không có thông tin phí, lệ phí")
            }
            Self::SuspiciousFee { channel, raw, vnd } => format!(
                "phí, lệ phí kênh {channel} chỉ {} đồng ('{raw}'): có thể đã nhập theo nghìn đồng, cần kiểm tra",
                group_thousands(*vnd)
            ),
        }
    }
}

impl fmt::Display for QualityIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description())
    }
}

// ---------------------------------------------------------------------------------------------
// Procedure

/// One entry of the procedure catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Procedure {
    /// Mã thủ tục, e.g. "1.001193".
    pub code: String,
    /// Tên thủ tục (NFC, whitespace collapsed).
    pub name: String,
    /// [`fold`] of the name, for search.
    pub name_folded: String,
    /// Cấp thực hiện.
    pub level: Levels,
    /// Lĩnh vực.
    pub field: String,
    /// Loại thủ tục.
    pub kind: String,
    /// Số quyết định công bố.
    pub decision: String,
    /// Cơ quan có thẩm quyền.
    pub competent_agency: String,
    /// Cơ quan thực hiện.
    pub implementing_agency: String,
    /// Đối tượng thực hiện.
    pub target_group: String,
    /// Counter, online, post (see [`Channel::index`]).
    pub channels: [ChannelInfo; 3],
    /// The page of the procedure on the national portal, if known.
    pub detail_url: String,
    /// Where the source row came from (the crawler's ministry folder), if known.
    pub source: String,
    /// Administrator setting; defaults to [`OnlineKind::derived`].
    pub online_kind: OnlineKind,
    /// Administrator setting; defaults to [`Procedure::derived_fee_bearing`].
    pub fee_bearing: bool,
    /// Administrator setting: a dossier received after 15:00 starts counting the next working
    /// day. Defaults to false (the catalogue does not say).
    pub after_15h_next_day: bool,
    /// Which settings an administrator set.
    pub overrides: Overrides,
    pub quality: Vec<QualityIssue>,
}

impl Procedure {
    pub fn channel(&self, channel: Channel) -> &ChannelInfo {
        &self.channels[channel.index()]
    }

    /// The typed limit on a channel, if the channel is available and its limit typed.
    pub fn limit(&self, channel: Channel) -> Option<TimeLimit> {
        let info = self.channel(channel);
        if info.available { info.limit } else { None }
    }

    /// The clock's start rule for this procedure.
    pub fn start_rule(&self) -> StartRule {
        if self.after_15h_next_day {
            StartRule::after_15h()
        } else {
            StartRule::default()
        }
    }

    /// Fee-bearing by default when any available channel has a fee (an amount, a foreign amount
    /// or a fee text); unknown fees count as no fee until an administrator says otherwise.
    pub fn derived_fee_bearing(channels: &[ChannelInfo; 3]) -> bool {
        channels
            .iter()
            .any(|c| c.available && c.fee.is_bearing() == Some(true))
    }

    /// Sets the online kind (an administrator's decision, kept across re-imports).
    pub fn set_online_kind(&mut self, kind: OnlineKind) {
        self.online_kind = kind;
        self.overrides.online_kind = true;
    }

    /// Sets whether the procedure is fee-bearing (kept across re-imports).
    pub fn set_fee_bearing(&mut self, fee_bearing: bool) {
        self.fee_bearing = fee_bearing;
        self.overrides.fee_bearing = true;
    }

    /// Sets the "after 15:00 counts from the next working day" rule (kept across re-imports).
    pub fn set_after_15h_next_day(&mut self, on: bool) {
        self.after_15h_next_day = on;
        self.overrides.after_15h_next_day = true;
    }

    /// Sets whether a channel is offered and its time limit (thời hạn giải quyết), e.g. when
    /// the catalogue's limit could not be typed. Kept across re-imports.
    pub fn set_channel(&mut self, channel: Channel, available: bool, limit: Option<TimeLimit>) {
        let info = &mut self.channels[channel.index()];
        info.available = available;
        info.limit = limit;
        self.overrides.channels[channel.index()] = true;
    }

    /// Drops the administrator's settings, back to the values derived from the catalogue (a
    /// channel set by hand keeps its values until the next import brings the catalogue's).
    pub fn reset_settings(&mut self) {
        self.online_kind = OnlineKind::derived(&self.channels);
        self.fee_bearing = Self::derived_fee_bearing(&self.channels);
        self.after_15h_next_day = false;
        self.overrides = Overrides::default();
    }

    /// `fresh` (a re-import of this procedure) with this procedure's administrator settings
    /// carried over; settings not overridden take `fresh`'s derived values.
    pub fn refreshed(&self, mut fresh: Procedure) -> Procedure {
        if self.overrides.online_kind {
            fresh.online_kind = self.online_kind;
        }
        if self.overrides.fee_bearing {
            fresh.fee_bearing = self.fee_bearing;
        }
        if self.overrides.after_15h_next_day {
            fresh.after_15h_next_day = self.after_15h_next_day;
        }
        for (i, set) in self.overrides.channels.iter().enumerate() {
            if *set {
                fresh.channels[i].available = self.channels[i].available;
                fresh.channels[i].limit = self.channels[i].limit;
            }
        }
        fresh.overrides = self.overrides;
        fresh
    }

    /// A stable hash (SHA-256, hex) of the imported content: every field read from the source,
    /// typed limits and fees, and quality issues; not the administrator's settings. Independent
    /// of `Debug` output and of the Rust version; changes only when the content (or this
    /// encoding, versioned by its first field) changes.
    pub fn fingerprint(&self) -> String {
        let mut c = Canon::new("cchc-procedure-v1");
        c.put(&self.code);
        c.put(&self.name);
        c.put(&self.level.raw);
        c.count(self.level.levels.len());
        for level in &self.level.levels {
            c.put(level.label());
        }
        for text in [
            &self.field,
            &self.kind,
            &self.decision,
            &self.competent_agency,
            &self.implementing_agency,
            &self.target_group,
            &self.detail_url,
            &self.source,
        ] {
            c.put(text);
        }
        for info in &self.channels {
            c.put(if info.available { "1" } else { "0" });
            c.put(&info.limit.map(|l| l.spec()).unwrap_or_default());
            c.put(&info.limit_raw);
            c.put(&info.fee_raw);
            match &info.fee {
                Fee::None => c.put("none"),
                Fee::Amount { vnd, note } => {
                    c.put("amount");
                    c.put(&vnd.to_string());
                    c.put(note.as_deref().unwrap_or(""));
                }
                Fee::Foreign { amount, currency } => {
                    c.put("foreign");
                    c.put(&amount.to_string());
                    c.put(currency);
                }
                Fee::Text(text) => {
                    c.put("text");
                    c.put(text);
                }
                Fee::Unknown => c.put("unknown"),
            }
        }
        c.count(self.quality.len());
        for issue in &self.quality {
            c.issue(issue);
        }
        c.finish()
    }

    /// Whether the procedure matches a search query already passed through [`fold`]: every
    /// word of the query is a prefix of the code or a substring of the folded name. An empty
    /// query matches everything.
    pub fn matches(&self, query_folded: &str) -> bool {
        let code = self.code.to_ascii_lowercase();
        query_folded
            .split_whitespace()
            .all(|word| code.starts_with(word) || self.name_folded.contains(word))
    }
}

/// Length-prefixed canonical encoding fed to SHA-256.
struct Canon(Sha256);

impl Canon {
    fn new(version: &str) -> Self {
        let mut c = Self(Sha256::new());
        c.put(version);
        c
    }

    /// An issue by its stable parts (not its wording, which may be improved).
    fn issue(&mut self, issue: &QualityIssue) {
        self.put(issue.kind().code());
        self.put(issue.channel().map_or("", Channel::column));
        match issue {
            QualityIssue::CodeMismatch { code_in_text: raw }
            | QualityIssue::UnrecognizedLevel { raw }
            | QualityIssue::BadChannelFlag { raw, .. }
            | QualityIssue::UntypedFee { raw, .. } => self.put(raw),
            QualityIssue::UntypedLimit { raw, problem, .. } => {
                self.put(raw);
                self.put(problem.code());
            }
            QualityIssue::SuspiciousFee { raw, vnd, .. } => {
                self.put(raw);
                self.put(&vnd.to_string());
            }
            QualityIssue::MissingName
            | QualityIssue::MissingLevel
            | QualityIssue::NoChannel
            | QualityIssue::DataOnUnavailableChannel { .. }
            | QualityIssue::UnknownFee { .. } => {}
        }
    }

    fn put(&mut self, s: &str) {
        self.0.update((s.len() as u64).to_le_bytes());
        self.0.update(s.as_bytes());
    }

    fn count(&mut self, n: usize) {
        self.0.update((n as u64).to_le_bytes());
    }

    fn finish(self) -> String {
        self.0
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Search filter

/// A catalogue search: a text query (code prefix or folded-name words) and optional facets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcedureFilter {
    query_folded: String,
    field_folded: Option<String>,
    pub level: Option<ProcedureLevel>,
    pub online_kind: Option<OnlineKind>,
    /// Only procedures with (true) or without (false) quality issues.
    pub has_issues: Option<bool>,
}

impl ProcedureFilter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Searches for `query` (folded here).
    pub fn query(mut self, query: &str) -> Self {
        self.query_folded = fold(query);
        self
    }

    /// Only procedures of this field (lĩnh vực), compared folded.
    pub fn field(mut self, field: &str) -> Self {
        self.field_folded = Some(fold(field));
        self
    }

    pub fn level(mut self, level: ProcedureLevel) -> Self {
        self.level = Some(level);
        self
    }

    pub fn online_kind(mut self, kind: OnlineKind) -> Self {
        self.online_kind = Some(kind);
        self
    }

    pub fn has_issues(mut self, has: bool) -> Self {
        self.has_issues = Some(has);
        self
    }

    /// The folded query text.
    pub fn query_folded(&self) -> &str {
        &self.query_folded
    }

    pub fn matches(&self, p: &Procedure) -> bool {
        p.matches(&self.query_folded)
            && self.level.is_none_or(|l| p.level.contains(l))
            && self.online_kind.is_none_or(|k| p.online_kind == k)
            && self.has_issues.is_none_or(|h| h != p.quality.is_empty())
            && self
                .field_folded
                .as_ref()
                .is_none_or(|f| fold(&p.field) == *f)
    }
}

// ---------------------------------------------------------------------------------------------
// Import

/// Why a catalogue cannot be imported at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProcedureError {
    #[error("tệp danh mục thủ tục trống: không có dòng tiêu đề")]
    Empty,
    #[error("dòng tiêu đề thiếu cột bắt buộc: {}", .0.join(", "))]
    MissingColumns(Vec<String>),
    #[error("cột '{0}' xuất hiện hơn một lần trong dòng tiêu đề")]
    DuplicateColumn(String),
    #[error("không đọc được tệp CSV từ dòng {line}: {detail}")]
    Unreadable { line: u64, detail: String },
}

/// Why one data row was not imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowProblem {
    #[error("dòng CSV hỏng: {0}")]
    Malformed(String),
    #[error(
        "dòng có {found} cột, cần {expected} cột như dòng tiêu đề (có thể do dấu ngoặc kép không đóng hoặc thừa, thiếu dấu phẩy)"
    )]
    FieldCount { expected: usize, found: usize },
    #[error("thiếu mã thủ tục")]
    EmptyCode,
    #[error("mã thủ tục '{0}' không hợp lệ (chỉ gồm chữ, số, dấu chấm, gạch ngang, gạch dưới)")]
    BadCode(String),
    #[error("mã thủ tục {code} trùng với dòng {first_line}: giữ dòng đầu, bỏ dòng này")]
    DuplicateCode { code: String, first_line: u64 },
}

/// A data row that was not imported, with where it is in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    /// The line the row starts on (1 = the header).
    pub line: u64,
    /// The line it ends on (a quoted field may span lines; an unclosed quote runs to the end).
    pub end_line: u64,
    /// The code, when one could be read.
    pub code: Option<String>,
    pub problem: RowProblem,
}

impl fmt::Display for RejectedRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.end_line > self.line {
            write!(f, "dòng {}–{}: {}", self.line, self.end_line, self.problem)
        } else {
            write!(f, "dòng {}: {}", self.line, self.problem)
        }
    }
}

/// The result of reading a catalogue: the procedures, the rows refused, and counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub procedures: Vec<Procedure>,
    pub rejected_rows: Vec<RejectedRow>,
    /// Data rows read (not counting the header and blank lines):
    /// `procedures.len() + rejected_rows.len()`.
    pub rows_read: usize,
    /// Number of issues of each kind, over all procedures.
    pub issue_counts: BTreeMap<IssueKind, usize>,
}

/// Counts over one channel of an imported catalogue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ChannelStats {
    pub available: usize,
    pub working_days: usize,
    pub days: usize,
    pub working_hours: usize,
    /// Available but the limit could not be typed.
    pub untyped_limits: usize,
    pub fee_none: usize,
    pub fee_amount: usize,
    pub fee_foreign: usize,
    pub fee_text: usize,
    pub fee_unknown: usize,
}

/// Counts over an imported catalogue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CatalogueStats {
    pub procedures: usize,
    pub rejected: usize,
    /// Counter, online, post; fee counts over available channels only.
    pub channels: [ChannelStats; 3],
    pub fee_bearing: usize,
    pub partly_online: usize,
    pub fully_online: usize,
    pub not_online: usize,
    pub with_issues: usize,
}

impl ImportReport {
    pub fn count(&self, kind: IssueKind) -> usize {
        self.issue_counts.get(&kind).copied().unwrap_or(0)
    }

    pub fn get(&self, code: &str) -> Option<&Procedure> {
        self.procedures.iter().find(|p| p.code == code)
    }

    pub fn stats(&self) -> CatalogueStats {
        let mut s = CatalogueStats {
            procedures: self.procedures.len(),
            rejected: self.rejected_rows.len(),
            ..CatalogueStats::default()
        };
        for p in &self.procedures {
            for (info, cs) in p.channels.iter().zip(s.channels.iter_mut()) {
                if !info.available {
                    continue;
                }
                cs.available += 1;
                match info.limit.map(|l| l.unit()) {
                    Some(LimitUnit::WorkingDays) => cs.working_days += 1,
                    Some(LimitUnit::Days | LimitUnit::DaysSkipOff) => cs.days += 1,
                    Some(LimitUnit::WorkingHours) => cs.working_hours += 1,
                    None => cs.untyped_limits += 1,
                }
                match info.fee {
                    Fee::None => cs.fee_none += 1,
                    Fee::Amount { .. } => cs.fee_amount += 1,
                    Fee::Foreign { .. } => cs.fee_foreign += 1,
                    Fee::Text(_) => cs.fee_text += 1,
                    Fee::Unknown => cs.fee_unknown += 1,
                }
            }
            s.fee_bearing += usize::from(p.fee_bearing);
            match p.online_kind {
                OnlineKind::FullyOnline => s.fully_online += 1,
                OnlineKind::PartlyOnline => s.partly_online += 1,
                OnlineKind::NotOnline => s.not_online += 1,
            }
            s.with_issues += usize::from(!p.quality.is_empty());
        }
        s
    }
}

const CODE: &str = "ma_thu_tuc";
const NAME: &str = "ten_thu_tuc";
const LEVEL: &str = "cap_thuc_hien";
const FIELD: &str = "linh_vuc";
const KIND: &str = "loai_thu_tuc";
const DECISION: &str = "so_quyet_dinh";
const COMPETENT: &str = "co_quan_co_tham_quyen";
const IMPLEMENTING: &str = "co_quan_thuc_hien";
const TARGET: &str = "doi_tuong_thuc_hien";
const SOURCE: &str = "source_ministry_dir";
const URL: &str = "detail_url";
const CODE_IN_TEXT: &str = "code_in_raw_text";
const QC_MISMATCH: &str = "qc_code_mismatch";

/// Column positions found in the header.
struct Columns {
    width: usize,
    code: usize,
    name: usize,
    level: usize,
    field: usize,
    kind: usize,
    decision: usize,
    competent: usize,
    implementing: usize,
    target: usize,
    /// Per channel: flag, limit number, limit unit, fee.
    channels: [[usize; 4]; 3],
    source: Option<usize>,
    url: Option<usize>,
    code_in_text: Option<usize>,
    qc_mismatch: Option<usize>,
}

impl Columns {
    /// The required column names, in the catalogue's order.
    fn required() -> Vec<String> {
        let mut names: Vec<String> = [
            CODE,
            NAME,
            LEVEL,
            FIELD,
            KIND,
            DECISION,
            COMPETENT,
            IMPLEMENTING,
            TARGET,
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        for ch in Channel::ALL {
            names.extend(Self::channel_names(ch));
        }
        names
    }

    fn channel_names(ch: Channel) -> [String; 4] {
        let c = ch.column();
        [
            format!("kenh_{c}"),
            format!("thoi_han_{c}_so"),
            format!("thoi_han_{c}_don_vi"),
            format!("phi_{c}"),
        ]
    }

    fn from_header(header: &csv::StringRecord) -> Result<Self, ProcedureError> {
        let mut index: HashMap<String, usize> = HashMap::new();
        for (i, name) in header.iter().enumerate() {
            let name = name.trim_start_matches('\u{feff}').trim().to_lowercase();
            if name.is_empty() {
                continue;
            }
            if index.insert(name.clone(), i).is_some() {
                return Err(ProcedureError::DuplicateColumn(name));
            }
        }
        let missing: Vec<String> = Self::required()
            .into_iter()
            .filter(|n| !index.contains_key(n))
            .collect();
        if !missing.is_empty() {
            return Err(ProcedureError::MissingColumns(missing));
        }
        let at = |name: &str| index.get(name).copied().unwrap_or_default();
        let channels = Channel::ALL.map(|ch| Self::channel_names(ch).map(|n| at(&n)));
        Ok(Self {
            width: header.len(),
            code: at(CODE),
            name: at(NAME),
            level: at(LEVEL),
            field: at(FIELD),
            kind: at(KIND),
            decision: at(DECISION),
            competent: at(COMPETENT),
            implementing: at(IMPLEMENTING),
            target: at(TARGET),
            channels,
            source: index.get(SOURCE).copied(),
            url: index.get(URL).copied(),
            code_in_text: index.get(CODE_IN_TEXT).copied(),
            qc_mismatch: index.get(QC_MISMATCH).copied(),
        })
    }
}

/// Whether a code is acceptable: ASCII letters, digits, `.`, `-`, `_`, at most 64 characters.
fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// Reads the procedure catalogue from CSV text (a leading byte-order mark is allowed).
///
/// Fails only when the header cannot be used (missing, a required column absent, a column
/// repeated) or the CSV cannot be read on; a bad data row is reported in
/// [`ImportReport::rejected_rows`] and the rest are still read. A duplicated code keeps the
/// first row and rejects the later ones.
pub fn parse_catalogue(csv_text: &str) -> Result<ImportReport, ProcedureError> {
    let text = csv_text.strip_prefix('\u{feff}').unwrap_or(csv_text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let unreadable = |e: csv::Error, line: u64| ProcedureError::Unreadable {
        line: e.position().map_or(line, |p| p.line()),
        detail: e.to_string(),
    };
    match reader.read_record(&mut record) {
        Ok(true) => {}
        Ok(false) => return Err(ProcedureError::Empty),
        Err(e) => return Err(unreadable(e, 1)),
    }
    let cols = Columns::from_header(&record)?;

    let mut report = ImportReport {
        procedures: Vec::new(),
        rejected_rows: Vec::new(),
        rows_read: 0,
        issue_counts: BTreeMap::new(),
    };
    let mut first_line: HashMap<String, u64> = HashMap::new();
    loop {
        let before = reader.position().clone();
        let read = reader.read_record(&mut record);
        let line = record.position().map_or(before.line(), |p| p.line());
        match read {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                // Should not happen on &str input; never loop on an error that does not advance.
                if reader.position().byte() == before.byte() {
                    return Err(unreadable(e, before.line()));
                }
                report.rows_read += 1;
                report.rejected_rows.push(RejectedRow {
                    line: e.position().map_or(before.line(), |p| p.line()),
                    end_line: reader.position().line().max(before.line()),
                    code: None,
                    problem: RowProblem::Malformed(e.to_string()),
                });
                continue;
            }
        }
        report.rows_read += 1;
        let newlines: usize = record
            .iter()
            .map(|f| f.bytes().filter(|b| *b == b'\n').count())
            .sum();
        let end_line = line + newlines as u64;
        let code = record.get(cols.code).map(clean).filter(|c| !c.is_empty());
        let reject = |problem: RowProblem| RejectedRow {
            line,
            end_line,
            code: code.clone(),
            problem,
        };
        if record.len() != cols.width {
            report.rejected_rows.push(reject(RowProblem::FieldCount {
                expected: cols.width,
                found: record.len(),
            }));
            continue;
        }
        let Some(code_text) = code.clone() else {
            report.rejected_rows.push(reject(RowProblem::EmptyCode));
            continue;
        };
        if !valid_code(&code_text) {
            report
                .rejected_rows
                .push(reject(RowProblem::BadCode(code_text)));
            continue;
        }
        if let Some(first) = first_line.get(&code_text) {
            report.rejected_rows.push(reject(RowProblem::DuplicateCode {
                code: code_text,
                first_line: *first,
            }));
            continue;
        }
        first_line.insert(code_text.clone(), line);
        let procedure = build_procedure(&cols, &record, code_text);
        for issue in &procedure.quality {
            *report.issue_counts.entry(issue.kind()).or_default() += 1;
        }
        report.procedures.push(procedure);
    }
    Ok(report)
}

/// Reads one channel's columns.
fn read_channel(
    ch: Channel,
    flag: &str,
    number: &str,
    unit: &str,
    fee: &str,
    quality: &mut Vec<QualityIssue>,
) -> ChannelInfo {
    let limit_raw = clean(&format!("{number} {unit}"));
    let fee_raw = clean(fee);
    let has_data = !limit_raw.is_empty() || !fee_raw.is_empty();
    let flag_key = fold(flag);
    let available = match flag_key.as_str() {
        "1" | "true" | "co" | "x" => true,
        "0" | "false" | "khong" | "" => false,
        _ => {
            quality.push(QualityIssue::BadChannelFlag {
                channel: ch,
                raw: clean(flag),
            });
            has_data
        }
    };
    if !available && has_data {
        quality.push(QualityIssue::DataOnUnavailableChannel { channel: ch });
    }
    let limit = match parse_limit(number, unit) {
        Ok(limit) => Some(limit),
        Err(problem) => {
            if available {
                quality.push(QualityIssue::UntypedLimit {
                    channel: ch,
                    raw: limit_raw.clone(),
                    problem,
                });
            }
            None
        }
    };
    let fee = Fee::parse(fee);
    if available {
        match &fee {
            Fee::Text(_) => quality.push(QualityIssue::UntypedFee {
                channel: ch,
                raw: fee_raw.clone(),
            }),
            Fee::Unknown => quality.push(QualityIssue::UnknownFee { channel: ch }),
            Fee::Amount { vnd, .. } if *vnd < SUSPICIOUS_FEE_BELOW_VND => {
                quality.push(QualityIssue::SuspiciousFee {
                    channel: ch,
                    raw: fee_raw.clone(),
                    vnd: *vnd,
                });
            }
            _ => {}
        }
    }
    ChannelInfo {
        available,
        limit,
        limit_raw,
        fee,
        fee_raw,
    }
}

fn build_procedure(cols: &Columns, record: &csv::StringRecord, code: String) -> Procedure {
    let get = |i: usize| record.get(i).unwrap_or_default();
    let opt = |i: Option<usize>| i.map(get).map(clean).unwrap_or_default();
    let mut quality = Vec::new();

    let code_in_text = opt(cols.code_in_text);
    let flagged = opt(cols.qc_mismatch) == "1";
    if flagged || (!code_in_text.is_empty() && code_in_text != code) {
        quality.push(QualityIssue::CodeMismatch { code_in_text });
    }
    let name = clean(get(cols.name));
    if name.is_empty() {
        quality.push(QualityIssue::MissingName);
    }
    let (level, unknown_levels) = Levels::parse(get(cols.level));
    if level.levels.is_empty() {
        quality.push(QualityIssue::MissingLevel);
    }
    for raw in unknown_levels {
        quality.push(QualityIssue::UnrecognizedLevel { raw });
    }
    let mut channel_issues = Vec::new();
    let channels = Channel::ALL.map(|ch| {
        let [flag, number, unit, fee] = cols.channels[ch.index()].map(get);
        read_channel(ch, flag, number, unit, fee, &mut channel_issues)
    });
    if !channels.iter().any(|c| c.available) {
        quality.push(QualityIssue::NoChannel);
    }
    quality.extend(channel_issues);

    Procedure {
        name_folded: fold(&name),
        code,
        name,
        level,
        field: clean(get(cols.field)),
        kind: clean(get(cols.kind)),
        decision: clean(get(cols.decision)),
        competent_agency: clean(get(cols.competent)),
        implementing_agency: clean(get(cols.implementing)),
        target_group: clean(get(cols.target)),
        detail_url: opt(cols.url),
        source: opt(cols.source),
        online_kind: OnlineKind::derived(&channels),
        fee_bearing: Procedure::derived_fee_bearing(&channels),
        after_15h_next_day: false,
        overrides: Overrides::default(),
        channels,
        quality,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(spec: &str) -> TimeLimit {
        spec.parse().unwrap_or_else(|e| panic!("{spec}: {e}"))
    }

    #[test]
    fn types_limits_by_unit() {
        assert_eq!(
            parse_limit("5", "Ngày làm việc"),
            Ok(limit("5 working-days"))
        );
        assert_eq!(parse_limit("30", "Ngày"), Ok(limit("30 days")));
        assert_eq!(parse_limit("4", "Giờ"), Ok(limit("4 working-hours")));
        assert_eq!(
            parse_limit("8", "Giờ làm việc"),
            Ok(limit("8 working-hours"))
        );
        assert_eq!(parse_limit("2", "Tuần"), Ok(limit("14 days")));
        assert_eq!(
            parse_limit(" 5 ", " ngày LÀM VIỆC "),
            Ok(limit("5 working-days"))
        );
    }

    #[test]
    fn reads_decimal_and_fraction_amounts() {
        assert_eq!(
            parse_limit("0,5", "Ngày làm việc"),
            Ok(limit("0.5 working-days"))
        );
        assert_eq!(
            parse_limit("1.5", "Ngày làm việc"),
            Ok(limit("1.5 working-days"))
        );
        assert_eq!(
            parse_limit("1/2", "Ngày làm việc"),
            Ok(limit("0.5 working-days"))
        );
        assert_eq!(parse_limit("140.00", "Ngày"), Ok(limit("140 days")));
        assert_eq!(
            parse_limit("1/3", "Ngày"),
            Err(LimitProblem::BadNumber),
            "a third has no exact hundredths"
        );
        assert_eq!(parse_limit("0,125", "Ngày"), Err(LimitProblem::BadNumber));
        assert_eq!(parse_limit("5 ngày", "Ngày"), Err(LimitProblem::BadNumber));
        assert_eq!(parse_limit("1/0", "Ngày"), Err(LimitProblem::BadNumber));
    }

    #[test]
    fn refuses_what_cannot_be_typed() {
        assert_eq!(parse_limit("", ""), Err(LimitProblem::Missing));
        assert_eq!(
            parse_limit("", "Không có thông tin"),
            Err(LimitProblem::Missing)
        );
        assert_eq!(parse_limit("1", "(không ghi)"), Err(LimitProblem::NoUnit));
        assert_eq!(parse_limit("1", ""), Err(LimitProblem::NoUnit));
        assert_eq!(parse_limit("", "Ngày"), Err(LimitProblem::NoNumber));
        assert_eq!(parse_limit("6", "Tháng"), Err(LimitProblem::MonthsOrYears));
        assert_eq!(parse_limit("1", "Năm"), Err(LimitProblem::MonthsOrYears));
        assert_eq!(parse_limit("3", "Phút"), Err(LimitProblem::UnknownUnit));
        assert_eq!(parse_limit("0", "Ngày"), Err(LimitProblem::Zero));
        assert_eq!(parse_limit("4000", "Ngày"), Err(LimitProblem::TooLong));
        assert_eq!(parse_limit("600", "Tuần"), Err(LimitProblem::TooLong));
        assert_eq!(
            parse_limit("99999999999999999999999", "Ngày"),
            Err(LimitProblem::TooLong)
        );
    }

    #[test]
    fn types_fees() {
        assert_eq!(Fee::parse("Miễn phí"), Fee::None);
        assert_eq!(Fee::parse("Không"), Fee::None);
        assert_eq!(Fee::parse("0 VNĐ"), Fee::None);
        assert_eq!(Fee::parse("Không có thông tin"), Fee::Unknown);
        assert_eq!(Fee::parse("  "), Fee::Unknown);
        let amount = |vnd, note: Option<&str>| Fee::Amount {
            vnd,
            note: note.map(str::to_owned),
        };
        assert_eq!(Fee::parse("50,000 Việt Nam Đồng"), amount(50_000, None));
        assert_eq!(Fee::parse("1,000,000 VNĐ"), amount(1_000_000, None));
        assert_eq!(Fee::parse("50.000 Đồng"), amount(50_000, None));
        assert_eq!(Fee::parse("50.000đ"), amount(50_000, None));
        assert_eq!(
            Fee::parse("Lệ phí: 8.000 đồng"),
            amount(8_000, Some("Lệ phí"))
        );
        assert_eq!(Fee::parse("70.000 đồng/lần"), amount(70_000, Some("/lần")));
        assert_eq!(
            Fee::parse("10 USD"),
            Fee::Foreign {
                amount: 10,
                currency: "USD".into()
            }
        );
    }

    #[test]
    fn keeps_untypable_fees_as_text() {
        for raw in [
            "0,5% giá trị hợp đồng",
            "Từ 50.000 đến 100.000 đồng",
            "50.000 - 100.000 đồng",
            "1,5 VNĐ",
            "Theo quy định của Hội đồng nhân dân tỉnh",
            "Lệ phí: 8.000 đồng; phí: 20.000 đồng",
        ] {
            assert!(
                matches!(Fee::parse(raw), Fee::Text(_)),
                "{raw}: {:?}",
                Fee::parse(raw)
            );
        }
    }

    #[test]
    fn renders_fees_in_vietnamese() {
        assert_eq!(Fee::parse("1,000,000 VNĐ").to_string(), "1.000.000 đồng");
        assert_eq!(
            Fee::parse("Lệ phí: 8.000 đồng").to_string(),
            "8.000 đồng (Lệ phí)"
        );
        assert_eq!(Fee::None.to_string(), "Miễn phí");
        assert_eq!(Fee::Unknown.to_string(), "Không có thông tin");
        assert_eq!(group_thousands(-1_234), "-1.234");
        assert_eq!(group_thousands(999), "999");
    }

    #[test]
    fn parses_level_lists() {
        let (levels, unknown) = Levels::parse("Cấp bộ, Cấp tỉnh, Cấp xã, Cơ quan khác");
        assert_eq!(
            levels.levels,
            vec![
                ProcedureLevel::Ministry,
                ProcedureLevel::Province,
                ProcedureLevel::Commune,
                ProcedureLevel::Other
            ]
        );
        assert!(unknown.is_empty());
        let (levels, unknown) = Levels::parse("Cấp huyện; Ban quản lý");
        assert_eq!(
            levels.levels,
            vec![ProcedureLevel::District, ProcedureLevel::Other]
        );
        assert_eq!(unknown, vec!["Ban quản lý".to_owned()]);
    }

    #[test]
    fn issue_descriptions_are_vietnamese() {
        let issue = QualityIssue::UntypedLimit {
            channel: Channel::Online,
            raw: "6 Tháng".into(),
            problem: LimitProblem::MonthsOrYears,
        };
        assert!(
            issue
                .description()
                .starts_with("thời hạn kênh trực tuyến '6 Tháng'")
        );
        assert_eq!(issue.kind(), IssueKind::UntypedLimit);
        assert_eq!(issue.channel(), Some(Channel::Online));
    }

    #[test]
    fn limits_round_trip_through_serde() {
        let info = ChannelInfo {
            available: true,
            limit: Some(limit("0.5 working-days")),
            limit_raw: "0,5 Ngày làm việc".into(),
            fee: Fee::None,
            fee_raw: "Miễn phí".into(),
        };
        let json = serde_json::to_string(&info).unwrap_or_default();
        assert!(json.contains("\"0.5 working-days\""), "{json}");
        let back: Result<ChannelInfo, _> = serde_json::from_str(&json);
        assert_eq!(back.ok(), Some(info));
    }
}
