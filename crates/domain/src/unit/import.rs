//! The GSO unit lists (CSV text, as in `data/vn_units_*.csv`) as [`Unit`]s, and the official
//! old-to-new conversion table as predecessor links.
//!
//! Columns are found by name in the header; other columns are ignored, blanks around fields are
//! trimmed, a UTF-8 BOM is skipped. Codes may lose their leading zeros in a spreadsheet (`1` for
//! `01`): they are padded back. Every row is checked (codes, duplicates, references between the
//! lists) even when only one province is kept.

use super::agency::{
    COMMUNE_GROUPS_2025, DISTRICTS, PRE2025_COMMUNES, agency_code, province_level1,
};
use super::{
    FIRST_DAY_2025, HISTORY_START, LAST_DAY_PRE2025, MergeKind, Predecessor, Unit, UnitError,
    UnitId, UnitKind,
};
use jiff::civil::Date;
use std::collections::{BTreeMap, HashMap, HashSet};

const PROVINCES_PRE2025: &str = "danh sách tỉnh trước 01/07/2025";
const DISTRICTS_PRE2025: &str = "danh sách huyện trước 01/07/2025";
const WARDS_PRE2025: &str = "danh sách xã trước 01/07/2025";
const PROVINCES_2025: &str = "danh sách tỉnh từ 01/07/2025";
const WARDS_2025: &str = "danh sách xã từ 01/07/2025";
const MAPPING: &str = "bảng chuyển đổi đơn vị hành chính";

/// A column of a table: its header and, for a code, its number of digits.
#[derive(Clone, Copy)]
enum Col {
    Code(&'static str, usize),
    Text(&'static str),
}

impl Col {
    fn name(self) -> &'static str {
        match self {
            Col::Code(name, _) | Col::Text(name) => name,
        }
    }
}

/// One data row: its line in the file and its fields in the order of the requested columns.
struct Row {
    line: u64,
    fields: Vec<String>,
}

/// Counts lines for positions the CSV reader reports. The reader's own line numbers skip blank
/// lines and are one short with CRLF endings, and its byte offset may point at the end of the
/// previous line; so the record's first byte is found here and the newlines before it counted.
struct Lines<'a> {
    text: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The line of the record starting at (or just before the line breaks before) `byte`;
    /// positions must not decrease.
    fn line_at(&mut self, position: Option<&csv::Position>) -> u64 {
        let Some(position) = position else {
            return self.line;
        };
        let mut to = usize::try_from(position.byte())
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while self
            .text
            .get(to)
            .is_some_and(|b| matches!(b, b'\r' | b'\n'))
        {
            to += 1;
        }
        if to > self.at {
            let newlines = self.text[self.at..to]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.line += u64::try_from(newlines).unwrap_or(u64::MAX);
            self.at = to;
        }
        self.line
    }
}

fn csv_error(file: &'static str, error: &csv::Error, lines: &mut Lines) -> UnitError {
    let message = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("dòng có {len} cột, trong khi dòng tiêu đề có {expected_len} cột"),
        csv::ErrorKind::Utf8 { .. } => "dòng không phải văn bản UTF-8".to_owned(),
        _ => format!("không đọc được CSV ({error})"),
    };
    match error.position() {
        Some(pos) => UnitError::Csv {
            file,
            line: lines.line_at(Some(pos)),
            message,
        },
        None => UnitError::Header { file, message },
    }
}

/// Reads `text` as CSV with a header, keeping `columns` (all required, never blank).
fn read_table(file: &'static str, text: &str, columns: &[Col]) -> Result<Vec<Row>, UnitError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut lines = Lines::new(text);
    let header = reader
        .headers()
        .map_err(|e| csv_error(file, &e, &mut lines))?
        .clone();
    let mut index = Vec::with_capacity(columns.len());
    for col in columns {
        let at = header
            .iter()
            .position(|h| h == col.name())
            .ok_or(UnitError::MissingColumn {
                file,
                column: col.name(),
            })?;
        index.push(at);
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(file, &e, &mut lines))?;
        let line = lines.line_at(record.position());
        let mut fields = Vec::with_capacity(columns.len());
        for (col, &at) in columns.iter().zip(&index) {
            let value = record.get(at).unwrap_or_default();
            if value.is_empty() {
                return Err(UnitError::EmptyField {
                    file,
                    line,
                    column: col.name(),
                });
            }
            fields.push(match *col {
                Col::Code(column, digits) => code(file, line, column, value, digits)?,
                Col::Text(_) => value.to_owned(),
            });
        }
        rows.push(Row { line, fields });
    }
    Ok(rows)
}

/// A GSO code of `digits` digits; shorter ones (leading zeros lost) are padded.
fn code(
    file: &'static str,
    line: u64,
    column: &'static str,
    value: &str,
    digits: usize,
) -> Result<String, UnitError> {
    if !value.is_empty() && value.len() <= digits && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(format!("{value:0>digits$}"))
    } else {
        Err(UnitError::BadCode {
            file,
            line,
            column,
            value: value.to_owned(),
            digits,
        })
    }
}

/// Rows by their first field (a code), refusing duplicates.
fn by_code<'a>(
    file: &'static str,
    rows: &'a [Row],
) -> Result<HashMap<&'a str, &'a Row>, UnitError> {
    let mut map: HashMap<&str, &Row> = HashMap::with_capacity(rows.len());
    for row in rows {
        if let Some(first) = map.insert(&row.fields[0], row) {
            return Err(UnitError::DuplicateRow {
                file,
                line: row.line,
                code: row.fields[0].clone(),
                first_line: first.line,
            });
        }
    }
    Ok(map)
}

/// The province to keep, padded and checked against the list.
fn selected_province(
    only_province: Option<&str>,
    provinces: &HashMap<&str, &Row>,
) -> Result<Option<String>, UnitError> {
    let Some(text) = only_province else {
        return Ok(None);
    };
    let text = text.trim();
    let padded = format!("{text:0>2}");
    if text.is_empty() || !provinces.contains_key(padded.as_str()) {
        return Err(UnitError::UnknownProvince(text.to_owned()));
    }
    Ok(Some(padded))
}

/// 0-based rank of each code within its group (codes compared as zero-padded strings).
fn ranks<'a>(
    rows: &'a [Row],
    group: impl Fn(&'a Row) -> &'a str,
) -> (HashMap<&'a str, usize>, BTreeMap<&'a str, usize>) {
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for row in rows {
        groups.entry(group(row)).or_default().push(&row.fields[0]);
    }
    let mut rank = HashMap::with_capacity(rows.len());
    let mut sizes = BTreeMap::new();
    for (key, mut codes) in groups {
        codes.sort_unstable();
        sizes.insert(key, codes.len());
        for (i, code) in codes.into_iter().enumerate() {
            rank.insert(code, i);
        }
    }
    (rank, sizes)
}

#[allow(clippy::too_many_arguments)]
fn gso_unit(
    id: UnitId,
    kind: UnitKind,
    row: &Row,
    parent: Option<UnitId>,
    agency_code: String,
    valid_from: Date,
    valid_to: Option<Date>,
    name_at: usize,
) -> Unit {
    Unit {
        id,
        kind,
        name: row.fields[name_at].clone(),
        full_name: row.fields[name_at + 1].clone(),
        gso_code: Some(row.fields[0].clone()),
        parent,
        agency_code,
        agency_code_generated: true,
        valid_from,
        valid_to,
        predecessors: Vec::new(),
        schedule: None,
    }
}

fn capacity(
    sizes: &BTreeMap<&str, usize>,
    max: usize,
    scope: &str,
    what: &'static str,
) -> Result<(), UnitError> {
    match sizes.iter().find(|(_, n)| **n > max) {
        Some((key, n)) => Err(UnitError::AgencyCodeCapacity {
            scope: format!("{scope} {key}"),
            what,
            count: *n,
            max,
        }),
        None => Ok(()),
    }
}

/// The units before 1 July 2025 from the GSO lists (`vn_units_pre2025_provinces.csv`,
/// `_districts.csv`, `_wards.csv`): provinces, districts and communes, valid from
/// [`HISTORY_START`] to [`LAST_DAY_PRE2025`], with generated agency codes. `only_province`
/// (a GSO code such as `"62"`) keeps one province and its subtree.
///
/// Columns used: `province_code, name, full_name`; `district_code, province_code, name,
/// full_name`; `ward_code, district_code, province_code, name, full_name`.
pub fn parse_pre2025(
    provinces_csv: &str,
    districts_csv: &str,
    wards_csv: &str,
    only_province: Option<&str>,
) -> Result<Vec<Unit>, UnitError> {
    let (name, full_name) = (Col::Text("name"), Col::Text("full_name"));
    let provinces = read_table(
        PROVINCES_PRE2025,
        provinces_csv,
        &[Col::Code("province_code", 2), name, full_name],
    )?;
    let districts = read_table(
        DISTRICTS_PRE2025,
        districts_csv,
        &[
            Col::Code("district_code", 3),
            Col::Code("province_code", 2),
            name,
            full_name,
        ],
    )?;
    let wards = read_table(
        WARDS_PRE2025,
        wards_csv,
        &[
            Col::Code("ward_code", 5),
            Col::Code("district_code", 3),
            Col::Code("province_code", 2),
            name,
            full_name,
        ],
    )?;
    let province_by_code = by_code(PROVINCES_PRE2025, &provinces)?;
    let district_by_code = by_code(DISTRICTS_PRE2025, &districts)?;
    by_code(WARDS_PRE2025, &wards)?;
    for d in &districts {
        if !province_by_code.contains_key(d.fields[1].as_str()) {
            return Err(UnitError::UnknownCode {
                file: DISTRICTS_PRE2025,
                line: d.line,
                column: "province_code",
                value: d.fields[1].clone(),
            });
        }
    }
    for w in &wards {
        let Some(d) = district_by_code.get(w.fields[1].as_str()) else {
            return Err(UnitError::UnknownCode {
                file: WARDS_PRE2025,
                line: w.line,
                column: "district_code",
                value: w.fields[1].clone(),
            });
        };
        if d.fields[1] != w.fields[2] {
            return Err(UnitError::Mismatch {
                file: WARDS_PRE2025,
                line: w.line,
                message: format!(
                    "xã {} ghi tỉnh {} nhưng huyện {} thuộc tỉnh {}",
                    w.fields[0], w.fields[2], d.fields[0], d.fields[1]
                ),
            });
        }
    }
    let only = selected_province(only_province, &province_by_code)?;
    let keep = |province: &str| only.as_deref().is_none_or(|p| p == province);

    let (district_rank, per_province) = ranks(&districts, |d| &d.fields[1]);
    let (ward_rank, per_district) = ranks(&wards, |w| &w.fields[1]);
    let district_slots = usize::from(DISTRICTS.end() - DISTRICTS.start()) + 1;
    capacity(&per_province, district_slots, "tỉnh", "huyện")?;
    let ward_slots = usize::from(PRE2025_COMMUNES.end() - PRE2025_COMMUNES.start()) + 1;
    capacity(&per_district, ward_slots, "huyện", "xã")?;
    let rank_u8 = |rank: Option<&usize>| u8::try_from(rank.copied().unwrap_or(0)).unwrap_or(0);

    let to = Some(LAST_DAY_PRE2025);
    let mut units = Vec::new();
    for p in provinces.iter().filter(|p| keep(&p.fields[0])) {
        units.push(gso_unit(
            UnitId::province_pre2025(&p.fields[0])?,
            UnitKind::Province,
            p,
            None,
            agency_code(&province_level1(&p.fields[0]), 0, 0, 0),
            HISTORY_START,
            to,
            1,
        ));
    }
    for d in districts.iter().filter(|d| keep(&d.fields[1])) {
        let slot = DISTRICTS.start() + rank_u8(district_rank.get(d.fields[0].as_str()));
        units.push(gso_unit(
            UnitId::district(&d.fields[0])?,
            UnitKind::District,
            d,
            Some(UnitId::province_pre2025(&d.fields[1])?),
            agency_code(&province_level1(&d.fields[1]), slot, 0, 0),
            HISTORY_START,
            to,
            2,
        ));
    }
    for w in wards.iter().filter(|w| keep(&w.fields[2])) {
        let district_slot = DISTRICTS.start() + rank_u8(district_rank.get(w.fields[1].as_str()));
        let slot = PRE2025_COMMUNES.start() + rank_u8(ward_rank.get(w.fields[0].as_str()));
        units.push(gso_unit(
            UnitId::ward_pre2025(&w.fields[0])?,
            UnitKind::Commune,
            w,
            Some(UnitId::district(&w.fields[1])?),
            agency_code(&province_level1(&w.fields[2]), district_slot, slot, 0),
            HISTORY_START,
            to,
            3,
        ));
    }
    Ok(units)
}

/// The units from 1 July 2025 from the GSO lists (`vn_units_2025_provinces.csv`,
/// `_wards.csv`): 34 provinces and their communes (no districts), valid from
/// [`FIRST_DAY_2025`], with generated agency codes. `only_province` keeps one province.
///
/// Columns used: `province_code, name, full_name`; `ward_code, province_code, name, full_name`.
pub fn parse_2025(
    provinces_csv: &str,
    wards_csv: &str,
    only_province: Option<&str>,
) -> Result<Vec<Unit>, UnitError> {
    let (name, full_name) = (Col::Text("name"), Col::Text("full_name"));
    let provinces = read_table(
        PROVINCES_2025,
        provinces_csv,
        &[Col::Code("province_code", 2), name, full_name],
    )?;
    let wards = read_table(
        WARDS_2025,
        wards_csv,
        &[
            Col::Code("ward_code", 5),
            Col::Code("province_code", 2),
            name,
            full_name,
        ],
    )?;
    let province_by_code = by_code(PROVINCES_2025, &provinces)?;
    by_code(WARDS_2025, &wards)?;
    for w in &wards {
        if !province_by_code.contains_key(w.fields[1].as_str()) {
            return Err(UnitError::UnknownCode {
                file: WARDS_2025,
                line: w.line,
                column: "province_code",
                value: w.fields[1].clone(),
            });
        }
    }
    let only = selected_province(only_province, &province_by_code)?;
    let keep = |province: &str| only.as_deref().is_none_or(|p| p == province);

    let (ward_rank, per_province) = ranks(&wards, |w| &w.fields[1]);
    let groups = usize::from(COMMUNE_GROUPS_2025.end() - COMMUNE_GROUPS_2025.start()) + 1;
    capacity(&per_province, groups * 99, "tỉnh", "xã")?;

    let mut units = Vec::new();
    for p in provinces.iter().filter(|p| keep(&p.fields[0])) {
        units.push(gso_unit(
            UnitId::province_2025(&p.fields[0])?,
            UnitKind::Province,
            p,
            None,
            agency_code(&province_level1(&p.fields[0]), 0, 0, 0),
            FIRST_DAY_2025,
            None,
            1,
        ));
    }
    for w in wards.iter().filter(|w| keep(&w.fields[1])) {
        let rank = ward_rank.get(w.fields[0].as_str()).copied().unwrap_or(0);
        let group = u8::try_from(rank / 99).unwrap_or(0);
        let slot = u8::try_from(rank % 99 + 1).unwrap_or(0);
        units.push(gso_unit(
            UnitId::ward_2025(&w.fields[0])?,
            UnitKind::Commune,
            w,
            Some(UnitId::province_2025(&w.fields[1])?),
            agency_code(
                &province_level1(&w.fields[1]),
                COMMUNE_GROUPS_2025.start() + group,
                slot,
                0,
            ),
            FIRST_DAY_2025,
            None,
            2,
        ));
    }
    Ok(units)
}

/// What [`link_kon_tum`] added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MappingLinks {
    /// Links from 2025 communes to pre-2025 communes.
    pub commune_links: usize,
    /// 2025 communes that received at least one link.
    pub communes_linked: usize,
    /// Links from 2025 provinces to pre-2025 provinces.
    pub province_links: usize,
}

/// The province code in "Tỉnh Quảng Ngãi (51)".
fn code_in_parentheses(text: &str) -> Option<&str> {
    let (_, code) = text.trim().strip_suffix(')')?.rsplit_once('(')?;
    let code = code.trim();
    (code.len() == 2 && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

/// Adds predecessor links from the official conversion table
/// (`kontum_units_pre2025_with_2025_mapping.csv`) to `units`, which must hold the 2025 units
/// named in it: each 2025 commune gets a link to every pre-2025 commune merged into it (with the
/// table's merge kind), and each 2025 province named in `new_province_2025` ("Tỉnh Quảng Ngãi
/// (51)") gets [`MergeKind::Whole`] links to the pre-2025 provinces of the table's rows (Kon Tum,
/// 62) and to the pre-2025 province with its own code (the old Quảng Ngãi, 51).
///
/// Names in the table must match the 2025 units, and the pre-2025 units when `units` holds them
/// (otherwise [`super::UnitTree::new`] checks that the predecessors exist). Links already present
/// are kept, so applying the table twice changes nothing.
///
/// Columns used: `province_code, district_code, ward_code, ward_full_name, new_province_2025,
/// new_ward_code_2025, new_ward_name_2025, merge_note`.
pub fn link_kon_tum(units: &mut [Unit], mapping_csv: &str) -> Result<MappingLinks, UnitError> {
    let rows = read_table(
        MAPPING,
        mapping_csv,
        &[
            Col::Code("ward_code", 5),
            Col::Code("province_code", 2),
            Col::Code("district_code", 3),
            Col::Text("ward_full_name"),
            Col::Text("new_province_2025"),
            Col::Code("new_ward_code_2025", 5),
            Col::Text("new_ward_name_2025"),
            Col::Text("merge_note"),
        ],
    )?;
    let at: HashMap<UnitId, usize> = units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.id.clone(), i))
        .collect();
    let mut seen: HashMap<(UnitId, UnitId), u64> = HashMap::new();
    let mut provinces: BTreeMap<String, (u64, Vec<String>)> = BTreeMap::new();
    let mut linked: HashSet<UnitId> = HashSet::new();
    let mut links = MappingLinks::default();
    let mut planned: Vec<(usize, Predecessor)> = Vec::new();

    for row in &rows {
        let f = &row.fields;
        let line = row.line;
        let kind = MergeKind::from_label(&f[7]).ok_or_else(|| UnitError::UnknownMergeKind {
            file: MAPPING,
            line,
            value: f[7].clone(),
        })?;
        let new_province = code_in_parentheses(&f[4]).ok_or_else(|| UnitError::BadCode {
            file: MAPPING,
            line,
            column: "new_province_2025",
            value: f[4].clone(),
            digits: 2,
        })?;
        let old = UnitId::ward_pre2025(&f[0])?;
        let new = UnitId::ward_2025(&f[5])?;
        let new_parent = UnitId::province_2025(new_province)?;
        if let Some(first_line) = seen.insert((new.clone(), old.clone()), line) {
            return Err(UnitError::DuplicateRow {
                file: MAPPING,
                line,
                code: format!("{} → {}", f[0], f[5]),
                first_line,
            });
        }
        if let Some(&i) = at.get(&old) {
            let u = &units[i];
            let district = UnitId::district(&f[2])?;
            if u.full_name != f[3] || u.parent.as_ref() != Some(&district) {
                return Err(UnitError::Mismatch {
                    file: MAPPING,
                    line,
                    message: format!(
                        "bảng ghi xã {} là '{}' thuộc huyện {}, danh sách đơn vị ghi '{}' thuộc {}",
                        f[0],
                        f[3],
                        f[2],
                        u.full_name,
                        u.parent.as_ref().map_or("(không có)", UnitId::as_str)
                    ),
                });
            }
        }
        let i = *at.get(&new).ok_or(UnitError::MappingTarget {
            file: MAPPING,
            line,
            unit: new.clone(),
        })?;
        let target = &units[i];
        if target.full_name != f[6] || target.parent.as_ref() != Some(&new_parent) {
            return Err(UnitError::Mismatch {
                file: MAPPING,
                line,
                message: format!(
                    "bảng ghi xã mới {} là '{}' thuộc tỉnh {}, danh sách đơn vị ghi '{}' thuộc {}",
                    f[5],
                    f[6],
                    new_province,
                    target.full_name,
                    target.parent.as_ref().map_or("(không có)", UnitId::as_str)
                ),
            });
        }
        if is_new_link(target, &old, kind, line)? {
            planned.push((i, Predecessor { id: old, kind }));
            links.commune_links += 1;
        }
        linked.insert(new);
        let entry = provinces
            .entry(new_province.to_owned())
            .or_insert_with(|| (line, Vec::new()));
        if !entry.1.contains(&f[1]) {
            entry.1.push(f[1].clone());
        }
    }
    links.communes_linked = linked.len();

    for (new_province, (line, mut old_provinces)) in provinces {
        if !old_provinces.contains(&new_province) {
            old_provinces.push(new_province.clone());
        }
        old_provinces.sort();
        let id = UnitId::province_2025(&new_province)?;
        let i = *at.get(&id).ok_or(UnitError::MappingTarget {
            file: MAPPING,
            line,
            unit: id,
        })?;
        for old in old_provinces {
            let old = UnitId::province_pre2025(&old)?;
            let kind = MergeKind::Whole;
            if is_new_link(&units[i], &old, kind, line)? {
                planned.push((i, Predecessor { id: old, kind }));
                links.province_links += 1;
            }
        }
    }
    // Only a table found sound changes the units.
    for (i, link) in planned {
        units[i].predecessors.push(link);
    }
    Ok(links)
}

/// Whether `id` is a new predecessor of `unit`: false if it is already there with the same kind,
/// an error if with another kind.
fn is_new_link(unit: &Unit, id: &UnitId, kind: MergeKind, line: u64) -> Result<bool, UnitError> {
    match unit.predecessors.iter().find(|p| &p.id == id) {
        Some(p) if p.kind == kind => Ok(false),
        Some(p) => Err(UnitError::Mismatch {
            file: MAPPING,
            line,
            message: format!(
                "{} đã được ghi là tiền thân của {} ('{}'), không thể ghi lại là '{}'",
                id,
                unit.id,
                p.kind.label(),
                kind.label()
            ),
        }),
        None => Ok(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_padded_and_checked() {
        assert_eq!(code("f", 2, "c", "1", 2).ok(), Some("01".to_owned()));
        assert_eq!(code("f", 2, "c", "62", 2).ok(), Some("62".to_owned()));
        assert!(code("f", 2, "c", "620", 2).is_err());
        assert!(code("f", 2, "c", "6a", 2).is_err());
    }

    #[test]
    fn province_code_in_parentheses() {
        assert_eq!(code_in_parentheses("Tỉnh Quảng Ngãi (51)"), Some("51"));
        assert_eq!(code_in_parentheses("Tỉnh Quảng Ngãi"), None);
        assert_eq!(code_in_parentheses("Tỉnh Quảng Ngãi (5)"), None);
    }
}
