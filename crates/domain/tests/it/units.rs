//! The unit tree on the real GSO lists (shared/data, beside the repository) and on broken inputs.

use cchc_domain::unit::{
    Coverage, FIRST_DAY_2025, LAST_DAY_PRE2025, MappingLinks, MergeKind, Predecessor, Unit,
    UnitError, UnitId, UnitKind, UnitTree, agency_code, is_agency_code, kon_tum_departments,
    link_kon_tum, parse_2025, parse_pre2025, quang_ngai_departments_2025,
};
use jiff::civil::{Date, date};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const PRE_PROVINCES: &str =
    include_str!("../../../../../shared/data/vn_units_pre2025_provinces.csv");
const PRE_DISTRICTS: &str =
    include_str!("../../../../../shared/data/vn_units_pre2025_districts.csv");
const PRE_WARDS: &str = include_str!("../../../../../shared/data/vn_units_pre2025_wards.csv");
const PROVINCES_2025: &str = include_str!("../../../../../shared/data/vn_units_2025_provinces.csv");
const WARDS_2025: &str = include_str!("../../../../../shared/data/vn_units_2025_wards.csv");
const MAPPING: &str =
    include_str!("../../../../../shared/data/kontum_units_pre2025_with_2025_mapping.csv");

/// Both lists, the Kon Tum conversion table and the department catalogues, built once.
fn tree() -> &'static (UnitTree, MappingLinks) {
    static TREE: OnceLock<(UnitTree, MappingLinks)> = OnceLock::new();
    TREE.get_or_init(|| {
        let mut units = parse_pre2025(PRE_PROVINCES, PRE_DISTRICTS, PRE_WARDS, None).unwrap();
        units.extend(parse_2025(PROVINCES_2025, WARDS_2025, None).unwrap());
        let links = link_kon_tum(&mut units, MAPPING).unwrap();
        units.extend(kon_tum_departments());
        units.extend(quang_ngai_departments_2025());
        (UnitTree::new(units).unwrap(), links)
    })
}

fn t() -> &'static UnitTree {
    &tree().0
}

fn ids<'a>(units: impl IntoIterator<Item = &'a Unit>) -> Vec<&'a str> {
    units.into_iter().map(|u| u.id.as_str()).collect()
}

fn count(units: &[Unit], kind: UnitKind) -> usize {
    units.iter().filter(|u| u.kind == kind).count()
}

#[test]
fn the_2025_tree_has_34_provinces_and_3321_communes() {
    let units = parse_2025(PROVINCES_2025, WARDS_2025, None).unwrap();
    assert_eq!(count(&units, UnitKind::Province), 34);
    assert_eq!(count(&units, UnitKind::Commune), 3321);
    assert_eq!(units.len(), 34 + 3321);
    assert!(
        units
            .iter()
            .all(|u| u.valid_from == FIRST_DAY_2025 && u.valid_to.is_none())
    );
    let tree = UnitTree::new(units).unwrap();
    assert_eq!(tree.roots().count(), 34);
    assert_eq!(tree.children("p2025:51").count(), 96);
    assert_eq!(tree.children("p2025:79").count(), 168);
    let dak_cam = tree.get("w2025:23284").unwrap();
    assert_eq!(dak_cam.full_name, "Phường Đăk Cấm");
    assert_eq!(dak_cam.parent.as_ref().unwrap().as_str(), "p2025:51");
    assert_eq!(dak_cam.gso_code.as_deref(), Some("23284"));
}

#[test]
fn the_pre2025_tree_and_kon_tum() {
    let all = parse_pre2025(PRE_PROVINCES, PRE_DISTRICTS, PRE_WARDS, None).unwrap();
    assert_eq!(count(&all, UnitKind::Province), 63);
    assert_eq!(count(&all, UnitKind::District), 696);
    assert_eq!(count(&all, UnitKind::Commune), 10_035);

    let kon_tum = parse_pre2025(PRE_PROVINCES, PRE_DISTRICTS, PRE_WARDS, Some("62")).unwrap();
    assert_eq!(count(&kon_tum, UnitKind::Province), 1);
    assert_eq!(count(&kon_tum, UnitKind::District), 10);
    assert_eq!(count(&kon_tum, UnitKind::Commune), 102);
    let p = &kon_tum[0];
    assert_eq!(
        (p.id.as_str(), p.name.as_str(), p.full_name.as_str()),
        ("p:62", "Kon Tum", "Tỉnh Kon Tum")
    );
    assert_eq!(p.valid_to, Some(LAST_DAY_PRE2025));
    // The same codes whether or not the list was filtered.
    let codes: HashMap<&UnitId, &str> = all
        .iter()
        .map(|u| (&u.id, u.agency_code.as_str()))
        .collect();
    assert!(kon_tum.iter().all(|u| codes[&u.id] == u.agency_code));

    let tree = t();
    assert_eq!(
        tree.children("p:62")
            .filter(|u| u.kind == UnitKind::District)
            .count(),
        10
    );
    let communes: Vec<&Unit> = tree
        .subtree("p:62")
        .filter(|u| u.kind == UnitKind::Commune)
        .collect();
    assert_eq!(communes.len(), 102);
    // Five island districts have no communes in the list.
    let empty: Vec<&str> = tree
        .units()
        .iter()
        .filter(|u| u.kind == UnitKind::District && tree.children(&u.id).next().is_none())
        .map(|u| u.full_name.as_str())
        .collect();
    assert_eq!(
        empty,
        [
            "Huyện Bạch Long Vĩ",
            "Huyện Cồn Cỏ",
            "Huyện Hoàng Sa",
            "Huyện Lý Sơn",
            "Huyện Côn Đảo"
        ]
    );
}

#[test]
fn every_kon_tum_commune_went_into_a_quang_ngai_commune() {
    let (tree, links) = tree();
    assert_eq!(
        *links,
        MappingLinks {
            commune_links: 102,
            communes_linked: 40,
            province_links: 2
        }
    );
    let mut kinds: HashMap<MergeKind, usize> = HashMap::new();
    for commune in tree.subtree("p:62").filter(|u| u.kind == UnitKind::Commune) {
        let successors: Vec<_> = tree.successors(&commune.id).collect();
        assert_eq!(successors.len(), 1, "{}", commune.id);
        let (new, kind) = successors[0];
        assert_eq!(new.kind, UnitKind::Commune);
        assert!(
            tree.is_within(&new.id, "p2025:51"),
            "{} → {}",
            commune.id,
            new.id
        );
        *kinds.entry(kind).or_default() += 1;
    }
    // The table has no partial merges for Kon Tum; four communes were kept as they were.
    assert_eq!(kinds[&MergeKind::Whole], 98);
    assert_eq!(kinds[&MergeKind::Unchanged], 4);
    assert!(!kinds.contains_key(&MergeKind::Part));

    let kon_tum_ward: Vec<_> = tree
        .predecessors("w2025:23293")
        .map(|(u, _)| u.id.as_str())
        .collect();
    assert_eq!(kon_tum_ward.len(), 5);
    assert!(kon_tum_ward.contains(&"w:23281"));
    // Code 23284 names two different wards.
    assert_eq!(tree.get("w:23284").unwrap().full_name, "Phường Duy Tân");
    assert_eq!(tree.get("w2025:23284").unwrap().full_name, "Phường Đăk Cấm");
    let unchanged = tree.predecessors("w2025:23368").collect::<Vec<_>>();
    assert_eq!(unchanged.len(), 1);
    assert_eq!(
        (unchanged[0].0.id.as_str(), unchanged[0].1),
        ("w:23368", MergeKind::Unchanged)
    );

    let province: Vec<_> = tree
        .predecessors("p2025:51")
        .map(|(u, k)| (u.id.as_str(), k))
        .collect();
    assert_eq!(
        province,
        [("p:51", MergeKind::Whole), ("p:62", MergeKind::Whole)]
    );
}

#[test]
fn linking_twice_changes_nothing() {
    let mut units = parse_2025(PROVINCES_2025, WARDS_2025, Some("51")).unwrap();
    let first = link_kon_tum(&mut units, MAPPING).unwrap();
    assert_eq!(first.commune_links, 102);
    let again = link_kon_tum(&mut units, MAPPING).unwrap();
    assert_eq!((again.commune_links, again.province_links), (0, 0));
    // Without the pre-2025 units the tree refuses the dangling links.
    let err = UnitTree::new(units).unwrap_err();
    assert!(matches!(err, UnitError::MissingPredecessor { .. }), "{err}");
}

/// `000.01.90.H51` as its four levels, level 1 first.
fn levels(code: &str) -> [&str; 4] {
    let p: Vec<&str> = code.split('.').collect();
    [p[3], p[2], p[1], p[0]]
}

#[test]
fn agency_codes_have_the_qcvn_102_shape_and_are_unique_at_any_time() {
    let tree = t();
    for u in tree.units() {
        assert!(
            is_agency_code(&u.agency_code),
            "{}: {}",
            u.id,
            u.agency_code
        );
        assert!(u.agency_code_generated);
        // A generated code extends its parent's: same set levels, one more level set.
        if let Some(parent) = tree.parent(&u.id) {
            let (c, p) = (levels(&u.agency_code), levels(&parent.agency_code));
            let unset = |s: &str| s.bytes().all(|b| b == b'0');
            for level in 0..4 {
                assert!(
                    unset(p[level]) || p[level] == c[level],
                    "{} under {}",
                    u.id,
                    parent.id
                );
            }
            assert_ne!(u.agency_code, parent.agency_code);
        }
    }
    for day in [
        date(2023, 7, 1),
        LAST_DAY_PRE2025,
        FIRST_DAY_2025,
        date(2026, 1, 1),
    ] {
        let codes: Vec<&str> = tree
            .active_on(day)
            .map(|u| u.agency_code.as_str())
            .collect();
        let unique: HashSet<&str> = codes.iter().copied().collect();
        assert_eq!(codes.len(), unique.len(), "{day}");
    }
    // Across the two lists only province codes repeat (p:51 and p2025:51 are both H51).
    let mut by_code: HashMap<&str, Vec<&Unit>> = HashMap::new();
    for u in tree.units() {
        by_code.entry(&u.agency_code).or_default().push(u);
    }
    let repeated: Vec<&Vec<&Unit>> = by_code.values().filter(|v| v.len() > 1).collect();
    assert_eq!(repeated.len(), 34);
    assert!(
        repeated
            .iter()
            .flat_map(|v| v.iter())
            .all(|u| u.kind == UnitKind::Province)
    );

    assert_eq!(tree.get("p:62").unwrap().agency_code, "000.00.00.H62");
    assert_eq!(tree.get("d:608").unwrap().agency_code, "000.00.30.H62");
    assert_eq!(tree.get("w:23281").unwrap().agency_code, "000.01.30.H62");
    assert_eq!(
        tree.get("d:608/bo-phan-mot-cua").unwrap().agency_code,
        "000.99.30.H62"
    );
    assert_eq!(
        tree.get("p:62/so-noi-vu").unwrap().agency_code,
        "000.00.01.H62"
    );
    assert_eq!(
        tree.get("p2025:51/so-noi-vu").unwrap().agency_code,
        "000.00.70.H51"
    );
    // Hồ Chí Minh City's 168 communes need two level-2 groups.
    let hcm: HashSet<&str> = tree
        .children("p2025:79")
        .map(|u| levels(&u.agency_code)[1])
        .collect();
    assert_eq!(hcm, HashSet::from(["90", "91"]));

    assert_eq!(agency_code("H34", 20, 0, 0), "000.00.20.H34");
    for bad in [
        "000.00.20.h34",
        "000.00.20.H3",
        "00.00.20.H34",
        "000.01.00.H34",
        "001.00.20.H34",
        "",
    ] {
        assert!(!is_agency_code(bad), "{bad}");
    }
}

#[test]
fn subtree_queries() {
    let tree = t();
    assert!(tree.is_within("w:23281", "p:62"));
    assert!(tree.is_within("w:23281", "d:608"));
    assert!(tree.is_within("w:23281", "w:23281"));
    assert!(!tree.is_within("w:23281", "d:610"));
    assert!(!tree.is_within("p:62", "w:23281"));
    assert!(!tree.is_within("w:23281", "p2025:51"));
    assert!(!tree.is_within("w:23281", "p:99"));
    assert!(tree.is_within("p2025:51/so-tai-chinh", "p2025:51"));
    assert!(tree.is_within("d:608/bo-phan-mot-cua", "p:62"));

    assert_eq!(ids(tree.ancestors("w:23281")), ["d:608", "p:62"]);
    assert_eq!(tree.parent("w:23281").unwrap().id.as_str(), "d:608");
    assert!(tree.parent("p:62").is_none());
    assert_eq!(tree.ancestors("nope").count(), 0);
    // 1 province + 10 districts + 102 communes + 17 departments + 10 one-stop offices.
    assert_eq!(tree.subtree("p:62").count(), 140);
    assert_eq!(tree.subtree("p:62").next().unwrap().id.as_str(), "p:62");
    assert_eq!(tree.children("p:62").count(), 10 + 17);
    // Thành phố Kon Tum: 21 communes and its one-stop office.
    assert_eq!(tree.subtree("d:608").count(), 1 + 21 + 1);

    // The interval test agrees with walking up the parents, for every unit of two provinces.
    for unit in tree
        .units()
        .iter()
        .filter(|u| tree.is_within(&u.id, "p:62") || tree.is_within(&u.id, "p2025:51"))
    {
        for ancestor in ["p:62", "d:608", "d:618", "p2025:51", "p:51"] {
            let walked = unit.id.as_str() == ancestor
                || tree.ancestors(&unit.id).any(|a| a.id.as_str() == ancestor);
            assert_eq!(
                tree.is_within(&unit.id, ancestor),
                walked,
                "{} in {ancestor}",
                unit.id
            );
        }
    }
}

#[test]
fn active_on_either_side_of_1_july_2025() {
    let tree = t();
    let before: Vec<&Unit> = tree.active_on(LAST_DAY_PRE2025).collect();
    assert_eq!(before.len(), 63 + 696 + 10_035 + 17 + 10);
    assert!(
        before
            .iter()
            .all(|u| !u.id.as_str().starts_with("p2025:") && !u.id.as_str().starts_with("w2025:"))
    );
    let after: Vec<&Unit> = tree.active_on(FIRST_DAY_2025).collect();
    assert_eq!(after.len(), 34 + 3321 + 12);
    assert_eq!(
        after
            .iter()
            .filter(|u| u.kind == UnitKind::District)
            .count(),
        0
    );
    assert!(tree.get("p:62").unwrap().is_active_on(date(2023, 7, 1)));
    assert!(!tree.get("p:62").unwrap().is_active_on(FIRST_DAY_2025));
    assert!(!tree.get("p2025:51").unwrap().is_active_on(LAST_DAY_PRE2025));
}

#[test]
fn kon_tum_history_aggregates_into_quang_ngai() {
    let tree = t();
    let q3_2023 = date(2023, 7, 15);
    let resolved: Vec<_> = tree
        .resolve_for_aggregation("p2025:51", q3_2023)
        .into_iter()
        .map(|(u, c)| (u.id.as_str(), c))
        .collect();
    assert_eq!(
        resolved,
        [("p:51", Coverage::Whole), ("p:62", Coverage::Whole)]
    );
    let now: Vec<_> = ids(tree
        .resolve_for_aggregation("p2025:51", date(2025, 9, 1))
        .into_iter()
        .map(|(u, _)| u));
    assert_eq!(now, ["p2025:51"]);
    assert!(
        tree.resolve_for_aggregation("p:62", date(2025, 9, 1))
            .is_empty()
    );

    let ward: Vec<&str> = ids(tree
        .resolve_for_aggregation("w2025:23293", q3_2023)
        .into_iter()
        .map(|(u, _)| u));
    assert_eq!(ward.len(), 5);
    assert!(ward.iter().all(|id| tree.is_within(id, "d:608")));

    // A 2023 dossier of Phường Quang Trung counts toward today's Quảng Ngãi, not Gia Lai.
    assert_eq!(
        tree.counts_toward("w:23281", q3_2023, "p2025:51"),
        Some(Coverage::Whole)
    );
    assert_eq!(tree.counts_toward("w:23281", q3_2023, "p2025:52"), None);
    assert_eq!(
        tree.counts_toward("w:23281", q3_2023, "w2025:23293"),
        Some(Coverage::Whole)
    );
    assert_eq!(tree.counts_toward("w:23281", q3_2023, "w2025:23284"), None);
    // Received on 30 June, decided on 2 July: on that day the ward's heir holds it.
    assert_eq!(
        tree.counts_toward("w:23281", date(2025, 7, 2), "w2025:23293"),
        Some(Coverage::Whole)
    );
    assert_eq!(
        tree.counts_toward(
            "p:62/so-ke-hoach-va-dau-tu",
            q3_2023,
            "p2025:51/so-tai-chinh"
        ),
        Some(Coverage::Whole)
    );
    assert_eq!(
        tree.counts_toward(
            "p:62/so-lao-dong-thuong-binh-va-xa-hoi",
            q3_2023,
            "p2025:51/so-noi-vu"
        ),
        Some(Coverage::Partial)
    );
    assert_eq!(
        tree.counts_toward("p:62/so-y-te", q3_2023, "p2025:51/so-noi-vu"),
        None
    );

    let heirs: Vec<_> = tree
        .heirs_on("p:62/so-thong-tin-va-truyen-thong", date(2025, 9, 1))
        .into_iter()
        .map(|(u, c)| (u.id.as_str(), c))
        .collect();
    assert_eq!(
        heirs,
        [
            ("p2025:51/so-khoa-hoc-va-cong-nghe", Coverage::Partial),
            ("p2025:51/so-van-hoa-the-thao-va-du-lich", Coverage::Partial)
        ]
    );
    // A district has no successor: its history goes to its province's heir.
    let district: Vec<&str> = ids(tree
        .heirs_on("d:608", date(2025, 9, 1))
        .into_iter()
        .map(|(u, _)| u));
    assert_eq!(district, ["p2025:51"]);
    assert!(tree.heirs_on("p2025:51", q3_2023).is_empty());
}

#[test]
fn quang_ngai_departments_link_to_kon_tum_departments() {
    let tree = t();
    let preds = |id: &str| -> Vec<(&str, MergeKind)> {
        let mut v: Vec<_> = tree
            .predecessors(id)
            .map(|(u, k)| (u.id.as_str(), k))
            .collect();
        v.sort_by_key(|(id, _)| *id);
        v
    };
    assert_eq!(
        preds("p2025:51/so-tai-chinh"),
        [
            ("p:62/so-ke-hoach-va-dau-tu", MergeKind::Whole),
            ("p:62/so-tai-chinh", MergeKind::Whole)
        ]
    );
    assert_eq!(
        preds("p2025:51/so-nong-nghiep-va-moi-truong"),
        [
            (
                "p:62/so-nong-nghiep-va-phat-trien-nong-thon",
                MergeKind::Whole
            ),
            ("p:62/so-tai-nguyen-va-moi-truong", MergeKind::Whole)
        ]
    );
    assert_eq!(
        preds("p2025:51/so-xay-dung"),
        [
            ("p:62/so-giao-thong-van-tai", MergeKind::Whole),
            ("p:62/so-xay-dung", MergeKind::Whole)
        ]
    );
    assert_eq!(
        preds("p2025:51/so-khoa-hoc-va-cong-nghe"),
        [
            ("p:62/so-khoa-hoc-va-cong-nghe", MergeKind::Whole),
            ("p:62/so-thong-tin-va-truyen-thong", MergeKind::Part)
        ]
    );
    assert_eq!(
        preds("p2025:51/so-noi-vu"),
        [
            ("p:62/so-lao-dong-thuong-binh-va-xa-hoi", MergeKind::Part),
            ("p:62/so-noi-vu", MergeKind::Whole)
        ]
    );
    // Every Kon Tum department and service centre has an heir in Quảng Ngãi.
    for u in tree
        .children("p:62")
        .filter(|u| u.kind != UnitKind::District)
    {
        assert!(tree.successors(&u.id).count() >= 1, "{}", u.id);
    }
    let centre = tree
        .get("p2025:51/trung-tam-phuc-vu-hanh-chinh-cong")
        .unwrap();
    assert_eq!(centre.kind, UnitKind::ServiceCentre);
    assert_eq!(
        centre.full_name,
        "Trung tâm Phục vụ hành chính công tỉnh Quảng Ngãi"
    );
    let office = tree.get("d:618/bo-phan-mot-cua").unwrap();
    assert_eq!(office.kind, UnitKind::Office);
    assert_eq!(office.full_name, "Bộ phận Một cửa huyện Ia H' Drai");
    // The catalogue's district names are the GSO list's.
    for office in tree.units().iter().filter(|u| u.kind == UnitKind::Office) {
        let district = tree.parent(&office.id).unwrap();
        assert_eq!(
            office.full_name.to_lowercase(),
            format!("bộ phận một cửa {}", district.full_name.to_lowercase())
        );
    }
}

#[test]
fn units_serialise_as_json() {
    let unit = t().get("p2025:51/so-tai-chinh").unwrap();
    let json = serde_json::to_string(unit).unwrap();
    assert!(json.contains(r#""id":"p2025:51/so-tai-chinh""#), "{json}");
    assert!(json.contains(r#""kind":"department""#), "{json}");
    let back: Unit = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, unit);
    let bad = json.replace("p2025:51/so-tai-chinh", "Sở Tài chính");
    assert!(serde_json::from_str::<Unit>(&bad).is_err());
}

// ---- broken inputs ----

fn unit(id: &str, parent: Option<&str>, from: Date, to: Option<Date>, code: &str) -> Unit {
    Unit {
        id: UnitId::new(id).unwrap(),
        kind: UnitKind::Commune,
        name: id.to_owned(),
        full_name: format!("Xã {id}"),
        gso_code: None,
        parent: parent.map(|p| UnitId::new(p).unwrap()),
        agency_code: code.to_owned(),
        agency_code_generated: true,
        valid_from: from,
        valid_to: to,
        predecessors: Vec::new(),
        schedule: None,
    }
}

fn simple(id: &str, parent: Option<&str>, code: &str) -> Unit {
    unit(id, parent, date(2000, 1, 1), None, code)
}

#[test]
fn a_cycle_is_refused() {
    let err = UnitTree::new(vec![
        simple("p:01", None, "000.00.00.H01"),
        simple("a", Some("b"), "000.00.01.H01"),
        simple("b", Some("c"), "000.00.02.H01"),
        simple("c", Some("a"), "000.00.03.H01"),
    ])
    .unwrap_err();
    let UnitError::Cycle(path) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(path.len(), 4);
    assert_eq!(path.first(), path.last());
    assert!(
        err.to_string()
            .starts_with("quan hệ cấp trên tạo thành vòng lặp: "),
        "{err}"
    );
    let self_parent = UnitTree::new(vec![simple("a", Some("a"), "000.00.00.H01")]).unwrap_err();
    assert_eq!(
        self_parent.to_string(),
        "quan hệ cấp trên tạo thành vòng lặp: a → a"
    );
}

#[test]
fn a_missing_parent_is_refused() {
    let err = UnitTree::new(vec![simple("w:00001", Some("d:001"), "000.01.30.H01")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "đơn vị w:00001 thuộc đơn vị cha d:001, nhưng không có đơn vị d:001"
    );
}

#[test]
fn duplicate_ids_are_refused() {
    let err = UnitTree::new(vec![
        simple("p:01", None, "000.00.00.H01"),
        simple("p:01", None, "000.00.00.H02"),
    ])
    .unwrap_err();
    assert_eq!(err, UnitError::DuplicateId(UnitId::new("p:01").unwrap()));
    assert_eq!(err.to_string(), "mã đơn vị p:01 bị trùng");

    let wards =
        "ward_code,province_code,name,full_name\n00004,01,A,Phường A\n00004,01,B,Phường B\n";
    let err = parse_2025(
        "province_code,name,full_name\n01,Hà Nội,Thành phố Hà Nội\n",
        wards,
        None,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "danh sách xã từ 01/07/2025, dòng 3: mã 00004 đã xuất hiện ở dòng 2"
    );
}

#[test]
fn bad_csv_is_refused_with_its_line() {
    let provinces = "province_code,name,full_name\n01,Hà Nội,Thành phố Hà Nội\n";
    let err = parse_2025(
        provinces,
        "code,province_code,name,full_name\n00004,01,A,B\n",
        None,
    )
    .unwrap_err();
    assert_eq!(
        err,
        UnitError::MissingColumn {
            file: "danh sách xã từ 01/07/2025",
            column: "ward_code"
        }
    );
    assert_eq!(
        err.to_string(),
        "danh sách xã từ 01/07/2025: dòng tiêu đề thiếu cột 'ward_code'"
    );
    assert!(matches!(
        parse_2025("", "", None),
        Err(UnitError::MissingColumn { .. })
    ));

    let wards = "ward_code,province_code,name,full_name\n00004,01,A\n";
    let err = parse_2025(provinces, wards, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "danh sách xã từ 01/07/2025, dòng 2: dòng có 3 cột, trong khi dòng tiêu đề có 4 cột"
    );
    let wards = "ward_code,province_code,name,full_name\n0000x,01,A,Phường A\n";
    let err = parse_2025(provinces, wards, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "danh sách xã từ 01/07/2025, dòng 2: cột 'ward_code' phải là mã gồm 5 chữ số, không phải '0000x'"
    );
    let wards = "ward_code,province_code,name,full_name\n00004,02,A,Phường A\n";
    let err = parse_2025(provinces, wards, None).unwrap_err();
    assert!(
        matches!(err, UnitError::UnknownCode { line: 2, .. }),
        "{err}"
    );
    // Lines are counted as an editor shows them, with CRLF endings and blank lines.
    let wards =
        "ward_code,province_code,name,full_name\r\n00004,01,A,Phường A\r\n\r\n00008,01,B\r\n";
    let err = parse_2025(provinces, wards, None).unwrap_err();
    assert!(matches!(err, UnitError::Csv { line: 4, .. }), "{err}");
    let wards =
        "ward_code,province_code,name,full_name\r\n00004,01,A,Phường A\r\n\r\n00004,01,B,B\r\n";
    let err = parse_2025(provinces, wards, None).unwrap_err();
    assert!(
        matches!(
            err,
            UnitError::DuplicateRow {
                line: 4,
                first_line: 2,
                ..
            }
        ),
        "{err}"
    );
    let wards = "ward_code,province_code,name,full_name\n00004,01,,Phường A\n";
    let err = parse_2025(provinces, wards, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "danh sách xã từ 01/07/2025, dòng 2: cột 'name' bị bỏ trống"
    );
    let err = parse_2025(PROVINCES_2025, WARDS_2025, Some("62")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "không có tỉnh, thành phố mã '62' trong danh sách"
    );

    // A district pointing at another province than its ward says so.
    let err = parse_pre2025(
        "province_code,name,full_name\n01,Hà Nội,Thành phố Hà Nội\n02,Hà Giang,Tỉnh Hà Giang\n",
        "district_code,province_code,name,full_name\n001,01,Ba Đình,Quận Ba Đình\n",
        "ward_code,district_code,province_code,name,full_name\n00001,001,02,Phúc Xá,Phường Phúc Xá\n",
        None,
    )
    .unwrap_err();
    assert!(matches!(err, UnitError::Mismatch { line: 2, .. }), "{err}");
}

#[test]
fn spreadsheet_damage_is_repaired() {
    // A BOM, blanks, reordered and extra columns, leading zeros lost.
    let provinces = "\u{feff}full_name , province_code,name,extra\nThành phố Hà Nội, 1 ,Hà Nội,x\n";
    let wards = "name,ward_code,province_code,full_name\nBa Đình,4,1,Phường Ba Đình\n";
    let units = parse_2025(provinces, wards, Some("1")).unwrap();
    assert_eq!(ids(&units), ["p2025:01", "w2025:00004"]);
    assert_eq!(units[0].full_name, "Thành phố Hà Nội");
}

#[test]
fn validity_and_links_are_checked() {
    let p = unit(
        "p:01",
        None,
        date(2000, 1, 1),
        Some(LAST_DAY_PRE2025),
        "000.00.00.H01",
    );
    let late = unit(
        "w:00001",
        Some("p:01"),
        date(2000, 1, 1),
        None,
        "000.00.30.H01",
    );
    let err = UnitTree::new(vec![p.clone(), late]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "thời gian hiệu lực của đơn vị w:00001 (từ 01/01/2000) nằm ngoài thời gian hiệu lực của \
         đơn vị cha p:01 (01/01/2000 – 30/06/2025)"
    );
    let reversed = unit(
        "x",
        None,
        date(2025, 7, 1),
        Some(date(2025, 6, 30)),
        "000.00.00.H02",
    );
    assert!(matches!(
        UnitTree::new(vec![reversed]),
        Err(UnitError::ReversedValidity { .. })
    ));

    let mut new = unit("p2025:01", None, FIRST_DAY_2025, None, "000.00.00.H01");
    new.predecessors.push(Predecessor {
        id: UnitId::new("p:01").unwrap(),
        kind: MergeKind::Whole,
    });
    assert!(UnitTree::new(vec![p.clone(), new.clone()]).is_ok());
    let mut overlapping = new.clone();
    overlapping.valid_from = LAST_DAY_PRE2025;
    let err = UnitTree::new(vec![p.clone(), overlapping]).unwrap_err();
    assert!(
        matches!(err, UnitError::PredecessorNotEnded { .. }),
        "{err}"
    );
    let mut twice = new.clone();
    twice.predecessors.push(twice.predecessors[0].clone());
    assert!(matches!(
        UnitTree::new(vec![p.clone(), twice]),
        Err(UnitError::DuplicatePredecessor { .. })
    ));

    let mut shared = new.clone();
    shared.predecessors.clear();
    shared.valid_from = date(2025, 1, 1);
    let err = UnitTree::new(vec![p.clone(), shared]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "mã định danh '000.00.00.H01' dùng cho cả đơn vị p:01 và đơn vị p2025:01 trong cùng thời gian"
    );
    let mut badly_coded = p.clone();
    badly_coded.agency_code = "H01".to_owned();
    assert!(matches!(
        UnitTree::new(vec![badly_coded]),
        Err(UnitError::AgencyCodeShape { .. })
    ));
    let mut bad_hours = p.clone();
    bad_hours.schedule = Some("07:00-11:30,11:00-17:00".to_owned());
    let err = UnitTree::new(vec![bad_hours]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("giờ làm việc của đơn vị p:01: "),
        "{err}"
    );
    let mut other_hours = p;
    other_hours.schedule = Some("07:30-11:30,13:00-17:00".to_owned());
    assert!(UnitTree::new(vec![other_hours]).is_ok());

    assert!(UnitId::new("Sở Nội vụ").is_err());
    assert!(UnitId::new("").is_err());
    assert!(UnitId::province_pre2025("620").is_err());
    assert_eq!(UnitId::ward_2025("23284").unwrap().as_str(), "w2025:23284");
    assert!(UnitId::new("p:62").unwrap().child("a/b").is_err());
}

#[test]
fn a_bad_mapping_is_refused() {
    let header = "province_code,district_code,district_full_name,ward_code,ward_full_name,ward_type,\
                  new_province_2025,new_ward_code_2025,new_ward_name_2025,merge_note\n";
    let row = |note: &str, new_name: &str| {
        format!(
            "{header}62,608,Thành phố Kon Tum,23281,Phường Quang Trung,Phường,Tỉnh Quảng Ngãi (51),\
             23293,{new_name},{note}\n"
        )
    };
    let mut units = parse_pre2025(PRE_PROVINCES, PRE_DISTRICTS, PRE_WARDS, Some("62")).unwrap();
    units.extend(parse_2025(PROVINCES_2025, WARDS_2025, Some("51")).unwrap());

    let err = link_kon_tum(&mut units, &row("Sáp nhập", "Phường Kon Tum")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "bảng chuyển đổi đơn vị hành chính, dòng 2: cách sắp xếp 'Sáp nhập' không hợp lệ (phải là \
         'Nhập toàn bộ', 'Nhập một phần' hoặc 'Giữ nguyên')"
    );
    let err = link_kon_tum(&mut units, &row("Nhập toàn bộ", "Phường Đăk Cấm")).unwrap_err();
    assert!(matches!(err, UnitError::Mismatch { line: 2, .. }), "{err}");
    let twice = format!(
        "{}{}",
        row("Nhập toàn bộ", "Phường Kon Tum"),
        &row("Nhập toàn bộ", "Phường Kon Tum")[header.len()..]
    );
    let err = link_kon_tum(&mut units, &twice).unwrap_err();
    assert!(
        matches!(
            err,
            UnitError::DuplicateRow {
                line: 3,
                first_line: 2,
                ..
            }
        ),
        "{err}"
    );
    let err = link_kon_tum(
        &mut units,
        &row("Nhập một phần", "Phường Kon Tum").replace("(51)", ""),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            UnitError::BadCode {
                column: "new_province_2025",
                ..
            }
        ),
        "{err}"
    );
    // Nothing was linked by the refused tables.
    assert!(units.iter().all(|u| u.predecessors.is_empty()));

    let mut only_old = parse_pre2025(PRE_PROVINCES, PRE_DISTRICTS, PRE_WARDS, Some("62")).unwrap();
    let err = link_kon_tum(&mut only_old, MAPPING).unwrap_err();
    assert_eq!(
        err.to_string(),
        "bảng chuyển đổi đơn vị hành chính, dòng 2: đơn vị w2025:23293 chưa được nạp, hãy nạp danh \
         sách đơn vị trước"
    );
}
