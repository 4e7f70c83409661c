//! Agency codes (mã định danh) in the shape of QCVN 102:2016, and the generation scheme described
//! in the module documentation of [`crate::unit`].

use std::ops::RangeInclusive;

/// Level-2 slots of departments before 1 July 2025.
pub(crate) const PRE2025_DEPARTMENTS: RangeInclusive<u8> = 1..=29;
/// Level-2 slots of districts (30 + rank within the province).
pub(crate) const DISTRICTS: RangeInclusive<u8> = 30..=69;
/// Level-2 slots of departments from 1 July 2025.
pub(crate) const DEPARTMENTS_2025: RangeInclusive<u8> = 70..=89;
/// Level-2 groups of communes from 1 July 2025 (99 communes per group).
pub(crate) const COMMUNE_GROUPS_2025: RangeInclusive<u8> = 90..=99;
/// Level-3 slots of communes before 1 July 2025 within their district.
pub(crate) const PRE2025_COMMUNES: RangeInclusive<u8> = 1..=98;
/// Level-3 slot of a district's one-stop office.
pub(crate) const DISTRICT_ONE_STOP: u8 = 99;

/// `LLL.KK.JJ.Xnn` from its parts, level 1 first: `agency_code("H34", 20, 0, 0)` is
/// `000.00.20.H34`. Level 2 and 3 are taken modulo 100, level 4 modulo 1000.
pub fn agency_code(level1: &str, level2: u8, level3: u8, level4: u16) -> String {
    format!(
        "{:03}.{:02}.{:02}.{level1}",
        level4 % 1000,
        level3 % 100,
        level2 % 100
    )
}

/// Whether `text` has the shape of a QCVN 102:2016 agency code: `DDD.DD.DD.XDD` with an
/// upper-case ASCII letter `X`, and no level set below an unset one (`000.01.00.H34` is refused).
pub fn is_agency_code(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    let [l4, l3, l2, l1] = parts.as_slice() else {
        return false;
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let level1_ok = l1.len() == 3 && l1.as_bytes()[0].is_ascii_uppercase() && digits(&l1[1..], 2);
    if !(level1_ok && digits(l2, 2) && digits(l3, 2) && digits(l4, 3)) {
        return false;
    }
    let (set2, set3, set4) = (*l2 != "00", *l3 != "00", *l4 != "000");
    (!set3 || set2) && (!set4 || set3)
}

/// Level 1 of a province: `H` + its two-digit GSO code (a placeholder, see the module docs).
pub(crate) fn province_level1(gso: &str) -> String {
    format!("H{gso}")
}
