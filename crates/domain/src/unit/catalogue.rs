//! Provincial departments, public administrative service centres and district one-stop offices
//! of Kon Tum (until 30 June 2025) and Quảng Ngãi (from 1 July 2025), with the predecessor links
//! of the 2025 department mergers.
//!
//! Simplifications, to revisit with real records: Kon Tum's departments are shown unchanged until
//! 30 June 2025 (in reality most mergers took effect on 1 March 2025); the old Quảng Ngãi's own
//! departments are not listed, so 2025 departments link only to Kon Tum's.

use super::agency::{
    DEPARTMENTS_2025, DISTRICT_ONE_STOP, DISTRICTS, PRE2025_DEPARTMENTS, agency_code,
    province_level1,
};
use super::{
    FIRST_DAY_2025, HISTORY_START, LAST_DAY_PRE2025, MergeKind, Predecessor, Unit, UnitId, UnitKind,
};

const KON_TUM: &str = "62";
const QUANG_NGAI: &str = "51";

/// Kon Tum's departments in level-2 slot order (slot = 1 + position): slug, name, kind.
const KON_TUM_DEPARTMENTS: [(&str, &str, UnitKind); 17] = [
    ("so-noi-vu", "Sở Nội vụ", UnitKind::Department),
    ("so-tu-phap", "Sở Tư pháp", UnitKind::Department),
    (
        "so-ke-hoach-va-dau-tu",
        "Sở Kế hoạch và Đầu tư",
        UnitKind::Department,
    ),
    ("so-tai-chinh", "Sở Tài chính", UnitKind::Department),
    (
        "so-tai-nguyen-va-moi-truong",
        "Sở Tài nguyên và Môi trường",
        UnitKind::Department,
    ),
    ("so-xay-dung", "Sở Xây dựng", UnitKind::Department),
    (
        "so-giao-thong-van-tai",
        "Sở Giao thông vận tải",
        UnitKind::Department,
    ),
    ("so-cong-thuong", "Sở Công Thương", UnitKind::Department),
    (
        "so-nong-nghiep-va-phat-trien-nong-thon",
        "Sở Nông nghiệp và Phát triển nông thôn",
        UnitKind::Department,
    ),
    ("so-y-te", "Sở Y tế", UnitKind::Department),
    (
        "so-giao-duc-va-dao-tao",
        "Sở Giáo dục và Đào tạo",
        UnitKind::Department,
    ),
    (
        "so-lao-dong-thuong-binh-va-xa-hoi",
        "Sở Lao động - Thương binh và Xã hội",
        UnitKind::Department,
    ),
    (
        "so-van-hoa-the-thao-va-du-lich",
        "Sở Văn hóa, Thể thao và Du lịch",
        UnitKind::Department,
    ),
    (
        "so-thong-tin-va-truyen-thong",
        "Sở Thông tin và Truyền thông",
        UnitKind::Department,
    ),
    (
        "so-khoa-hoc-va-cong-nghe",
        "Sở Khoa học và Công nghệ",
        UnitKind::Department,
    ),
    (
        "ban-quan-ly-khu-kinh-te",
        "Ban Quản lý Khu kinh tế",
        UnitKind::Department,
    ),
    (
        "trung-tam-phuc-vu-hanh-chinh-cong",
        "Trung tâm Phục vụ hành chính công",
        UnitKind::ServiceCentre,
    ),
];

/// Kon Tum's districts in GSO code order (level-2 slot = 30 + position), as in the GSO list.
const KON_TUM_DISTRICTS: [(&str, &str); 10] = [
    ("608", "thành phố Kon Tum"),
    ("610", "huyện Đắk Glei"),
    ("611", "huyện Ngọc Hồi"),
    ("612", "huyện Đắk Tô"),
    ("613", "huyện Kon Plông"),
    ("614", "huyện Kon Rẫy"),
    ("615", "huyện Đắk Hà"),
    ("616", "huyện Sa Thầy"),
    ("617", "huyện Tu Mơ Rông"),
    ("618", "huyện Ia H' Drai"),
];

type Links = &'static [(&'static str, MergeKind)];

/// Quảng Ngãi's departments from 1 July 2025 in level-2 slot order (slot = 70 + position): slug,
/// name, full name (None: name + " tỉnh Quảng Ngãi"), kind, and the Kon Tum departments merged
/// into it.
const QUANG_NGAI_DEPARTMENTS: [(&str, &str, Option<&str>, UnitKind, Links); 12] = [
    (
        "so-noi-vu",
        "Sở Nội vụ",
        None,
        UnitKind::Department,
        &[
            ("so-noi-vu", MergeKind::Whole),
            // Labour, wages, employment, meritorious people, social insurance.
            ("so-lao-dong-thuong-binh-va-xa-hoi", MergeKind::Part),
        ],
    ),
    (
        "so-tu-phap",
        "Sở Tư pháp",
        None,
        UnitKind::Department,
        &[("so-tu-phap", MergeKind::Whole)],
    ),
    (
        "so-tai-chinh",
        "Sở Tài chính",
        None,
        UnitKind::Department,
        &[
            ("so-ke-hoach-va-dau-tu", MergeKind::Whole),
            ("so-tai-chinh", MergeKind::Whole),
        ],
    ),
    (
        "so-nong-nghiep-va-moi-truong",
        "Sở Nông nghiệp và Môi trường",
        None,
        UnitKind::Department,
        &[
            ("so-nong-nghiep-va-phat-trien-nong-thon", MergeKind::Whole),
            ("so-tai-nguyen-va-moi-truong", MergeKind::Whole),
        ],
    ),
    (
        "so-xay-dung",
        "Sở Xây dựng",
        None,
        UnitKind::Department,
        &[
            ("so-xay-dung", MergeKind::Whole),
            ("so-giao-thong-van-tai", MergeKind::Whole),
        ],
    ),
    (
        "so-cong-thuong",
        "Sở Công Thương",
        None,
        UnitKind::Department,
        &[("so-cong-thuong", MergeKind::Whole)],
    ),
    (
        "so-y-te",
        "Sở Y tế",
        None,
        UnitKind::Department,
        &[
            ("so-y-te", MergeKind::Whole),
            // Social protection, children, prevention of social evils.
            ("so-lao-dong-thuong-binh-va-xa-hoi", MergeKind::Part),
        ],
    ),
    (
        "so-giao-duc-va-dao-tao",
        "Sở Giáo dục và Đào tạo",
        None,
        UnitKind::Department,
        &[
            ("so-giao-duc-va-dao-tao", MergeKind::Whole),
            // Vocational education.
            ("so-lao-dong-thuong-binh-va-xa-hoi", MergeKind::Part),
        ],
    ),
    (
        "so-van-hoa-the-thao-va-du-lich",
        "Sở Văn hóa, Thể thao và Du lịch",
        None,
        UnitKind::Department,
        &[
            ("so-van-hoa-the-thao-va-du-lich", MergeKind::Whole),
            // Press, publishing, radio and television, grassroots information.
            ("so-thong-tin-va-truyen-thong", MergeKind::Part),
        ],
    ),
    (
        "so-khoa-hoc-va-cong-nghe",
        "Sở Khoa học và Công nghệ",
        None,
        UnitKind::Department,
        &[
            ("so-khoa-hoc-va-cong-nghe", MergeKind::Whole),
            // Telecommunications, post, information technology, digital transformation.
            ("so-thong-tin-va-truyen-thong", MergeKind::Part),
        ],
    ),
    (
        "ban-quan-ly-khu-kinh-te-dung-quat-va-cac-khu-cong-nghiep",
        "Ban Quản lý Khu kinh tế Dung Quất và các Khu công nghiệp",
        Some("Ban Quản lý Khu kinh tế Dung Quất và các Khu công nghiệp Quảng Ngãi"),
        UnitKind::Department,
        &[("ban-quan-ly-khu-kinh-te", MergeKind::Whole)],
    ),
    (
        "trung-tam-phuc-vu-hanh-chinh-cong",
        "Trung tâm Phục vụ hành chính công",
        None,
        UnitKind::ServiceCentre,
        &[("trung-tam-phuc-vu-hanh-chinh-cong", MergeKind::Whole)],
    ),
];

fn agency_unit(
    id: UnitId,
    kind: UnitKind,
    name: &str,
    full_name: String,
    parent: UnitId,
    agency_code: String,
    pre2025: bool,
) -> Unit {
    Unit {
        id,
        kind,
        name: name.to_owned(),
        full_name,
        gso_code: None,
        parent: Some(parent),
        agency_code,
        agency_code_generated: true,
        valid_from: if pre2025 {
            HISTORY_START
        } else {
            FIRST_DAY_2025
        },
        valid_to: pre2025.then_some(LAST_DAY_PRE2025),
        predecessors: Vec::new(),
        schedule: None,
    }
}

/// Kon Tum's provincial departments (17, under `p:62`, ids `p:62/<slug>`) and each district's
/// one-stop office (Bộ phận Một cửa, 10, under `d:608` … `d:618`, ids `d:<code>/bo-phan-mot-cua`),
/// valid from [`HISTORY_START`] to [`LAST_DAY_PRE2025`]. Build the tree with the pre-2025 units
/// of Kon Tum ([`super::parse_pre2025`]) for the parents.
pub fn kon_tum_departments() -> Vec<Unit> {
    let province = UnitId::trusted(format!("p:{KON_TUM}"));
    let level1 = province_level1(KON_TUM);
    let mut units = Vec::new();
    for ((slug, name, kind), slot) in KON_TUM_DEPARTMENTS.iter().zip(PRE2025_DEPARTMENTS) {
        units.push(agency_unit(
            UnitId::trusted(format!("{province}/{slug}")),
            *kind,
            name,
            format!("{name} tỉnh Kon Tum"),
            province.clone(),
            agency_code(&level1, slot, 0, 0),
            true,
        ));
    }
    for ((code, district_name), slot) in KON_TUM_DISTRICTS.iter().zip(DISTRICTS) {
        let district = UnitId::trusted(format!("d:{code}"));
        units.push(agency_unit(
            UnitId::trusted(format!("{district}/bo-phan-mot-cua")),
            UnitKind::Office,
            "Bộ phận Một cửa",
            format!("Bộ phận Một cửa {district_name}"),
            district,
            agency_code(&level1, slot, DISTRICT_ONE_STOP, 0),
            true,
        ));
    }
    units
}

/// Quảng Ngãi's provincial departments from 1 July 2025 (12, under `p2025:51`, ids
/// `p2025:51/<slug>`), with links to the Kon Tum departments merged into them
/// ([`kon_tum_departments`] must be in the same tree): Sở Tài chính ← Sở Kế hoạch và Đầu tư +
/// Sở Tài chính; Sở Nông nghiệp và Môi trường ← Sở Nông nghiệp và Phát triển nông thôn + Sở Tài
/// nguyên và Môi trường; Sở Xây dựng ← Sở Xây dựng + Sở Giao thông vận tải; Sở Khoa học và Công
/// nghệ ← Sở Khoa học và Công nghệ + part of Sở Thông tin và Truyền thông (the rest to Văn hóa,
/// Thể thao và Du lịch); Sở Nội vụ ← Sở Nội vụ + part of Sở Lao động - Thương binh và Xã hội (the
/// rest to Y tế and Giáo dục và Đào tạo); the others each from their Kon Tum namesake.
pub fn quang_ngai_departments_2025() -> Vec<Unit> {
    let province = UnitId::trusted(format!("p2025:{QUANG_NGAI}"));
    let level1 = province_level1(QUANG_NGAI);
    QUANG_NGAI_DEPARTMENTS
        .iter()
        .zip(DEPARTMENTS_2025)
        .map(|((slug, name, full_name, kind, links), slot)| {
            let mut unit = agency_unit(
                UnitId::trusted(format!("{province}/{slug}")),
                *kind,
                name,
                full_name.map_or_else(|| format!("{name} tỉnh Quảng Ngãi"), str::to_owned),
                province.clone(),
                agency_code(&level1, slot, 0, 0),
                false,
            );
            unit.predecessors = links
                .iter()
                .map(|(old, kind)| Predecessor {
                    id: UnitId::trusted(format!("p:{KON_TUM}/{old}")),
                    kind: *kind,
                })
                .collect();
            unit
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::is_agency_code;

    #[test]
    fn catalogue_ids_and_codes_are_well_formed() {
        let units: Vec<Unit> = kon_tum_departments()
            .into_iter()
            .chain(quang_ngai_departments_2025())
            .collect();
        assert_eq!(units.len(), 17 + 10 + 12);
        for u in &units {
            assert!(UnitId::new(u.id.as_str()).is_ok(), "{}", u.id);
            assert!(is_agency_code(&u.agency_code), "{}", u.agency_code);
            for p in &u.predecessors {
                assert!(
                    units.iter().any(|v| v.id == p.id),
                    "{} ← {} is in the catalogue",
                    u.id,
                    p.id
                );
            }
        }
    }
}
