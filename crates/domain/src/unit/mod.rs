//! The administrative unit tree (đơn vị), effective-dated, with predecessor/successor links.
//!
//! Vietnam reorganised its territory on 1 July 2025: 63 provinces became 34, districts were
//! abolished and 10,035 communes became 3,321. Kon Tum (GSO 62) was merged into Quảng Ngãi (51).
//! History stays under the units that existed at the time: a 2023 dossier of Phường Quang Trung
//! (Kon Tum) stays there, and indicators of today's Quảng Ngãi reach it through predecessor links
//! ([`UnitTree::resolve_for_aggregation`]).
//!
//! - [`UnitTree`]: an index over units: by id, parent/children, a constant-time subtree test,
//!   ancestors, units active on a date, predecessors/successors, aggregation helpers.
//! - [`parse_pre2025`], [`parse_2025`], [`link_kon_tum`]: the GSO lists in `data/` as units.
//! - [`kon_tum_departments`], [`quang_ngai_departments_2025`]: provincial departments, the
//!   public administrative service centres and district one-stop offices.
//!
//! # Unit ids
//!
//! A [`UnitId`] is a stable ASCII key. GSO codes alone are not enough: 3,315 of the 3,321 ward
//! codes of 2025 were already used before 2025 by another (smaller) ward (`23284` was Phường Duy
//! Tân, it is now Phường Đăk Cấm), and province `51` is the old Quảng Ngãi before and the merged
//! one after. So the id names the list the code comes from:
//!
//! | id | unit |
//! |---|---|
//! | `p:62` | province before 1 July 2025 (GSO code) |
//! | `d:608` | district before 1 July 2025 (GSO code) |
//! | `w:23281` | commune/ward/township before 1 July 2025 (GSO code) |
//! | `p2025:51` | province from 1 July 2025 (GSO code) |
//! | `w2025:23284` | commune/ward/special zone from 1 July 2025 (GSO code) |
//! | `p:62/so-noi-vu` | a unit without a GSO code: its parent's id, `/`, a slug |
//!
//! GSO codes never contain `/`, so ids of departments and offices never collide with GSO ids.
//! A future reorganisation gets its own prefixes (`p2030:`, `w2030:`).
//!
//! # Agency codes (mã định danh, QCVN 102:2016)
//!
//! An agency code has the shape `LLL.KK.JJ.Xnn`, written from level 4 to level 1: `Xnn` is the
//! level-1 agency (`H` + two digits for a province), `JJ` a level-2 unit (a department, a
//! district), `KK` level 3, `LLL` level 4; unused levels are zeros (`000.00.20.H34`). Real codes
//! are unknown for most units, so the importers generate one deterministically and set
//! [`Unit::agency_code_generated`]; an administrator may replace it with the real code.
//!
//! | unit | generated code |
//! |---|---|
//! | province (either list) | `000.00.00.H` + GSO province code (Kon Tum `000.00.00.H62`) |
//! | department before 2025 | level 2 = 01..29, a fixed slot per department |
//! | district | level 2 = 30 + rank of its GSO code within the province (30..69) |
//! | commune before 2025 | level 2 = its district's, level 3 = 1 + rank within the district (01..98) |
//! | district one-stop office | level 2 = its district's, level 3 = 99 |
//! | department from 2025 | level 2 = 70..89, a fixed slot per department |
//! | commune from 2025 | level 2 = 90 + rank / 99, level 3 = 1 + rank % 99 (rank within the province) |
//!
//! The generated `H` + GSO code is not the real QCVN 102 province code (Kon Tum's real one is
//! `H34`): it is a placeholder in the same shape. Codes are unique among units whose validity
//! overlaps (the tree refuses duplicates), which is what dossier codes (agency code + date +
//! sequence) need. Only province codes repeat across the two lists (`p:51` and `p2025:51` are
//! both `000.00.00.H51`), as the merged province keeps the code of the province that hosts its
//! seat. Ranks depend on the lists: re-importing a different list may renumber generated codes.

mod agency;
mod catalogue;
mod import;
mod tree;

pub use agency::{agency_code, is_agency_code};
pub use catalogue::{kon_tum_departments, quang_ngai_departments_2025};
pub use import::{MappingLinks, link_kon_tum, parse_2025, parse_pre2025};
pub use tree::UnitTree;

use crate::calendar::{ScheduleError, WorkSchedule, fmt_date};
use jiff::civil::{Date, date};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The day from which units without a known start date are taken to exist. The GSO lists carry
/// no start dates; this is earlier than any dossier history cchc expects to import.
pub const HISTORY_START: Date = date(2000, 1, 1);
/// The last day of the pre-2025 units (provinces, districts, communes, their departments).
pub const LAST_DAY_PRE2025: Date = date(2025, 6, 30);
/// The first day of the 2025 units (34 provinces, 3,321 communes, no districts).
pub const FIRST_DAY_2025: Date = date(2025, 7, 1);

/// A stable key of a unit; see the [module documentation](self) for the scheme.
///
/// Non-empty, at most 120 characters of `a-z`, `0-9`, `:`, `/`, `.`, `_`, `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnitId(String);

impl UnitId {
    /// Checks the characters of an id.
    pub fn new(text: impl Into<String>) -> Result<Self, UnitError> {
        let text = text.into();
        let ok = !text.is_empty()
            && text.len() <= 120
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b":/._-".contains(&b));
        if ok {
            Ok(Self(text))
        } else {
            Err(UnitError::InvalidId(text))
        }
    }

    /// `p:62`: a province before 1 July 2025, from its two-digit GSO code.
    pub fn province_pre2025(gso: &str) -> Result<Self, UnitError> {
        Self::coded("p:", gso, 2)
    }

    /// `d:608`: a district before 1 July 2025, from its three-digit GSO code.
    pub fn district(gso: &str) -> Result<Self, UnitError> {
        Self::coded("d:", gso, 3)
    }

    /// `w:23281`: a commune before 1 July 2025, from its five-digit GSO code.
    pub fn ward_pre2025(gso: &str) -> Result<Self, UnitError> {
        Self::coded("w:", gso, 5)
    }

    /// `p2025:51`: a province from 1 July 2025, from its two-digit GSO code.
    pub fn province_2025(gso: &str) -> Result<Self, UnitError> {
        Self::coded("p2025:", gso, 2)
    }

    /// `w2025:23284`: a commune from 1 July 2025, from its five-digit GSO code.
    pub fn ward_2025(gso: &str) -> Result<Self, UnitError> {
        Self::coded("w2025:", gso, 5)
    }

    /// `<self>/<slug>`: a unit without a GSO code under this one (a department, an office).
    pub fn child(&self, slug: &str) -> Result<Self, UnitError> {
        if slug.is_empty() || slug.contains('/') {
            return Err(UnitError::InvalidId(format!("{}/{slug}", self.0)));
        }
        Self::new(format!("{}/{slug}", self.0))
    }

    /// An id known to be well-formed (built from constants; checked by the catalogue's tests).
    pub(crate) fn trusted(text: String) -> Self {
        Self(text)
    }

    fn coded(prefix: &str, gso: &str, digits: usize) -> Result<Self, UnitError> {
        if gso.len() == digits && gso.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(format!("{prefix}{gso}")))
        } else {
            Err(UnitError::InvalidId(format!("{prefix}{gso}")))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for UnitId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for UnitId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for UnitId {
    type Err = UnitError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<String> for UnitId {
    type Error = UnitError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl From<UnitId> for String {
    fn from(id: UnitId) -> Self {
        id.0
    }
}

/// What a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// Tỉnh, thành phố trực thuộc trung ương.
    Province,
    /// Huyện, quận, thị xã, thành phố thuộc tỉnh (abolished on 1 July 2025).
    District,
    /// Xã, phường, thị trấn, đặc khu.
    Commune,
    /// Sở, ban, ngành.
    Department,
    /// Phòng, bộ phận (e.g. a district's one-stop office, Bộ phận Một cửa).
    Office,
    /// Trung tâm Phục vụ hành chính công.
    ServiceCentre,
}

impl UnitKind {
    /// The kind as users read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Province => "Tỉnh, thành phố",
            Self::District => "Huyện, quận, thị xã, thành phố thuộc tỉnh",
            Self::Commune => "Xã, phường, thị trấn, đặc khu",
            Self::Department => "Sở, ban, ngành",
            Self::Office => "Phòng, bộ phận",
            Self::ServiceCentre => "Trung tâm Phục vụ hành chính công",
        }
    }
}

/// How a predecessor went into its successor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeKind {
    /// Nhập toàn bộ: all of the predecessor was merged into this unit.
    Whole,
    /// Nhập một phần: part of the predecessor went into this unit (the rest elsewhere).
    Part,
    /// Giữ nguyên: the predecessor continues as this unit, unchanged in extent.
    Unchanged,
}

impl MergeKind {
    /// The label used in the official conversion tables.
    pub fn label(self) -> &'static str {
        match self {
            Self::Whole => "Nhập toàn bộ",
            Self::Part => "Nhập một phần",
            Self::Unchanged => "Giữ nguyên",
        }
    }

    /// Reads a label of the conversion tables (exact, surrounding blanks ignored).
    pub fn from_label(text: &str) -> Option<Self> {
        [Self::Whole, Self::Part, Self::Unchanged]
            .into_iter()
            .find(|k| k.label() == text.trim())
    }

    /// Whether all of the predecessor's history belongs to the successor.
    pub fn coverage(self) -> Coverage {
        match self {
            Self::Whole | Self::Unchanged => Coverage::Whole,
            Self::Part => Coverage::Partial,
        }
    }
}

/// Whether all of a unit's history counts toward another unit, or only part of it (a predecessor
/// split between several successors). Partial history cannot be attributed without knowing
/// which part a record belongs to; indicators decide whether to include it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    Partial,
    Whole,
}

/// A link from a unit to a unit it replaced.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Predecessor {
    pub id: UnitId,
    pub kind: MergeKind,
}

/// An administrative unit or an agency, valid over a range of days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub id: UnitId,
    pub kind: UnitKind,
    /// Short name: "Kon Tum", "Quang Trung", "Sở Tư pháp".
    pub name: String,
    /// Full name as printed: "Tỉnh Kon Tum", "Phường Quang Trung", "Sở Tư pháp tỉnh Kon Tum".
    pub full_name: String,
    /// The GSO code (mã đơn vị hành chính) of a province, district or commune.
    pub gso_code: Option<String>,
    pub parent: Option<UnitId>,
    /// Mã định danh per QCVN 102:2016, e.g. `000.00.20.H34`.
    pub agency_code: String,
    /// Whether [`agency_code`](Self::agency_code) was generated (see the module documentation)
    /// rather than issued.
    pub agency_code_generated: bool,
    /// First day the unit exists.
    pub valid_from: Date,
    /// Last day the unit exists (inclusive); `None` while it exists.
    pub valid_to: Option<Date>,
    /// Units this one replaced, each with how it was merged in.
    pub predecessors: Vec<Predecessor>,
    /// Working hours Monday-Friday if not the standard ones, e.g. "07:00-11:30,13:30-17:00".
    pub schedule: Option<String>,
}

impl Unit {
    /// Whether the unit exists on `day`.
    pub fn is_active_on(&self, day: Date) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|to| day <= to)
    }

    /// Whether the unit exists on some day of `[first, last]`.
    pub fn exists_during(&self, first: Date, last: Date) -> bool {
        self.valid_from <= last && self.valid_to.is_none_or(|to| to >= first)
    }

    /// The unit's working hours: the standard schedule, or its override on Monday-Friday.
    pub fn work_schedule(&self) -> Result<WorkSchedule, ScheduleError> {
        match &self.schedule {
            None => Ok(WorkSchedule::standard()),
            Some(text) => WorkSchedule::weekdays_only(text),
        }
    }

    /// "01/01/2000 – 30/06/2025", "từ 01/07/2025".
    pub fn validity_text(&self) -> String {
        fmt_validity(self.valid_from, self.valid_to)
    }
}

fn fmt_validity(from: Date, to: Option<Date>) -> String {
    match to {
        Some(to) => format!("{} – {}", fmt_date(from), fmt_date(to)),
        None => format!("từ {}", fmt_date(from)),
    }
}

fn fmt_path(ids: &[UnitId]) -> String {
    ids.iter()
        .map(UnitId::as_str)
        .collect::<Vec<_>>()
        .join(" → ")
}

/// Why units could not be read or assembled into a tree. Messages are for users (Vietnamese).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    #[error(
        "mã đơn vị '{0}' không hợp lệ (chỉ gồm chữ thường không dấu, chữ số và các ký tự : / . _ -)"
    )]
    InvalidId(String),
    #[error("{file}: không đọc được dòng tiêu đề: {message}")]
    Header { file: &'static str, message: String },
    #[error("{file}: dòng tiêu đề thiếu cột '{column}'")]
    MissingColumn {
        file: &'static str,
        column: &'static str,
    },
    #[error("{file}, dòng {line}: {message}")]
    Csv {
        file: &'static str,
        line: u64,
        message: String,
    },
    #[error("{file}, dòng {line}: cột '{column}' bị bỏ trống")]
    EmptyField {
        file: &'static str,
        line: u64,
        column: &'static str,
    },
    #[error(
        "{file}, dòng {line}: cột '{column}' phải là mã gồm {digits} chữ số, không phải '{value}'"
    )]
    BadCode {
        file: &'static str,
        line: u64,
        column: &'static str,
        value: String,
        digits: usize,
    },
    #[error("{file}, dòng {line}: mã {code} đã xuất hiện ở dòng {first_line}")]
    DuplicateRow {
        file: &'static str,
        line: u64,
        code: String,
        first_line: u64,
    },
    #[error("{file}, dòng {line}: không có đơn vị mã '{value}' (cột '{column}') trong danh sách")]
    UnknownCode {
        file: &'static str,
        line: u64,
        column: &'static str,
        value: String,
    },
    #[error("{file}, dòng {line}: {message}")]
    Mismatch {
        file: &'static str,
        line: u64,
        message: String,
    },
    #[error(
        "{file}, dòng {line}: cách sắp xếp '{value}' không hợp lệ (phải là 'Nhập toàn bộ', 'Nhập một phần' hoặc 'Giữ nguyên')"
    )]
    UnknownMergeKind {
        file: &'static str,
        line: u64,
        value: String,
    },
    #[error("{file}, dòng {line}: đơn vị {unit} chưa được nạp, hãy nạp danh sách đơn vị trước")]
    MappingTarget {
        file: &'static str,
        line: u64,
        unit: UnitId,
    },
    #[error("không có tỉnh, thành phố mã '{0}' trong danh sách")]
    UnknownProvince(String),
    #[error("không đủ chỗ cấp mã định danh: {scope} có {count} {what}, tối đa {max}")]
    AgencyCodeCapacity {
        scope: String,
        what: &'static str,
        count: usize,
        max: usize,
    },
    #[error("mã đơn vị {0} bị trùng")]
    DuplicateId(UnitId),
    #[error("đơn vị {0} thiếu tên hoặc tên đầy đủ")]
    EmptyName(UnitId),
    #[error("đơn vị {unit} thuộc đơn vị cha {parent}, nhưng không có đơn vị {parent}")]
    MissingParent { unit: UnitId, parent: UnitId },
    #[error("quan hệ cấp trên tạo thành vòng lặp: {}", fmt_path(.0))]
    Cycle(Vec<UnitId>),
    #[error("đơn vị {unit} hết hiệu lực ngày {}, trước ngày có hiệu lực {}", fmt_date(*.to), fmt_date(*.from))]
    ReversedValidity { unit: UnitId, from: Date, to: Date },
    #[error(
        "thời gian hiệu lực của đơn vị {unit} ({unit_validity}) nằm ngoài thời gian hiệu lực của đơn vị cha {parent} ({parent_validity})"
    )]
    ParentValidity {
        unit: UnitId,
        unit_validity: String,
        parent: UnitId,
        parent_validity: String,
    },
    #[error("đơn vị {unit} có đơn vị tiền thân {predecessor}, nhưng không có đơn vị {predecessor}")]
    MissingPredecessor { unit: UnitId, predecessor: UnitId },
    #[error("đơn vị {unit} ghi đơn vị tiền thân {predecessor} hai lần")]
    DuplicatePredecessor { unit: UnitId, predecessor: UnitId },
    #[error(
        "đơn vị tiền thân {predecessor} ({predecessor_validity}) phải hết hiệu lực trước khi đơn vị {unit} có hiệu lực ({unit_validity})"
    )]
    PredecessorNotEnded {
        unit: UnitId,
        unit_validity: String,
        predecessor: UnitId,
        predecessor_validity: String,
    },
    #[error(
        "mã định danh '{code}' của đơn vị {unit} không đúng dạng QCVN 102:2016 (ví dụ 000.00.20.H34)"
    )]
    AgencyCodeShape { unit: UnitId, code: String },
    #[error(
        "mã định danh '{code}' dùng cho cả đơn vị {first} và đơn vị {second} trong cùng thời gian"
    )]
    DuplicateAgencyCode {
        code: String,
        first: UnitId,
        second: UnitId,
    },
    #[error("giờ làm việc của đơn vị {unit}: {error}")]
    Schedule { unit: UnitId, error: ScheduleError },
}
