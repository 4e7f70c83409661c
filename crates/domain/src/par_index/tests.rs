//! The shipped trees, refusals of bad trees with their reason, totals, prefill bands, ranking
//! with ties, the year before across a merger, and the survey file.

use std::collections::HashMap;

use super::score::{
    CardState, ItemPoints, PointsError, change, check_points, previous, rank_among, rank_units,
    total, totals,
};
use super::survey::{SurveyError, check_max, parse};
use super::*;

fn catalog() -> ParCatalog {
    ParCatalog::embedded().unwrap()
}

#[test]
fn the_shipped_trees_load_for_both_years_and_kinds() {
    let c = catalog();
    assert_eq!(c.years(), vec![2024, 2025]);
    for year in [2024, 2025] {
        for kind in ParKind::ALL {
            let t = c.tree(year, kind).unwrap();
            assert_eq!(t.areas().count(), 7, "{}", t.version);
            assert!((t.assessed_points + t.survey.points - 100.0).abs() < 1e-9);
            assert!((28.0..=35.0).contains(&t.survey.points), "about 30 points");
            assert!(t.leaves().count() >= 30);
            assert!(t.leaves().all(|l| !l.guide.is_empty()));
            let sources: Vec<&Source> = t.sources().collect();
            assert!(sources.contains(&&Source::Indicator("2.1".into())));
            assert!(sources.contains(&&Source::TasksOnTime));
            assert!(sources.contains(&&Source::ReportsOnTime));
        }
    }
    assert_eq!(c.tree(2025, ParKind::Commune).unwrap().survey.points, 32.0);
    let known = crate::indicator::IndicatorCatalog::embedded().unwrap();
    let codes = known.codes();
    assert!(c.check_sources(&|code| codes.contains(&code)).is_ok());
    assert!(c.check_sources(&|code| code != "4.2").is_err());
}

fn tree_with(areas: &str, survey: f64) -> String {
    format!(
        "version = \"t\"\nyear = 2025\nkind = \"commune\"\nname = \"t\"\nbasis = \"b\"\n\
         [survey]\nname = \"s\"\npoints = {survey}\nguide = \"g\"\n{areas}"
    )
}

const OK_AREA: &str = "[[area]]\ncode = \"1\"\nname = \"A\"\npoints = 70\n\
    [[area.criterion]]\ncode = \"1.1\"\nname = \"C\"\npoints = 40\nguide = \"g\"\n\
    [[area.criterion]]\ncode = \"1.2\"\nname = \"D\"\npoints = 30\n\
    [[area.criterion.sub]]\ncode = \"1.2.1\"\nname = \"E\"\npoints = 30\nguide = \"g\"\n\
    prefill = { source = \"indicator:2.1\", bands = [[1.0, 1.0], [0.9, 0.5]] }\n";

#[test]
fn bad_trees_are_refused_with_the_reason() {
    let t = ScoreTree::parse("t", &tree_with(OK_AREA, 30.0)).unwrap();
    assert_eq!(t.items.len(), 4);
    assert_eq!(t.item("1.2.1").unwrap().parent.as_deref(), Some("1.2"));
    assert!(t.is_under("1.2.1", "1"));
    assert!(!t.is_under("1.1", "1.2"));
    let cases = [
        (tree_with(OK_AREA, 25.0), "not 100"),
        (
            tree_with(&OK_AREA.replace("points = 40", "points = 41"), 29.0),
            "children give",
        ),
        (
            tree_with(&OK_AREA.replace("\"1.2.1\"", "\"1.1\""), 30.0),
            "twice",
        ),
        (
            tree_with(&OK_AREA.replace("\"1.2.1\"", "\"2.1\""), 30.0),
            "starts with",
        ),
        (
            tree_with(&OK_AREA.replace("indicator:2.1", "magic"), 30.0),
            "unknown prefill",
        ),
        (
            tree_with(
                &OK_AREA.replace("[[1.0, 1.0], [0.9, 0.5]]", "[[0.9, 1.0], [0.95, 0.5]]"),
                30.0,
            ),
            "descend",
        ),
        (
            tree_with(
                &OK_AREA.replace("[[1.0, 1.0], [0.9, 0.5]]", "[[1.0, 1.5]]"),
                30.0,
            ),
            "share",
        ),
        (
            tree_with(&OK_AREA.replacen("guide = \"g\"\n", "", 1), 30.0),
            "guide",
        ),
        (
            tree_with(
                &OK_AREA.replace("points = 30\nguide", "points = -30\nguide"),
                30.0,
            ),
            "> 0",
        ),
        (
            tree_with(OK_AREA, 30.0).replace("kind = \"commune\"", "kind = \"district\""),
            "kind",
        ),
        (
            tree_with(OK_AREA, 30.0).replace("name = \"E\"", "nam = \"E\""),
            "unknown field",
        ),
    ];
    for (text, needle) in cases {
        let err = ScoreTree::parse("t", &text).unwrap_err().to_string();
        assert!(err.contains(needle), "{err} / {needle}");
    }
    let surveyed = tree_with(OK_AREA, 30.0) + "";
    let with_parts = surveyed.replace(
        "guide = \"g\"\n[[area]]",
        "guide = \"g\"\n[[survey.part]]\nname = \"x\"\npoints = 10\n[[area]]",
    );
    let err = ScoreTree::parse("t", &with_parts).unwrap_err().to_string();
    assert!(err.contains("parts give 10"), "{err}");
    let two = [
        ("a", tree_with(OK_AREA, 30.0)),
        ("b", tree_with(OK_AREA, 30.0)),
    ];
    let files: Vec<(&str, &str)> = two.iter().map(|(f, t)| (*f, t.as_str())).collect();
    assert!(
        ParCatalog::load(&files)
            .unwrap_err()
            .to_string()
            .contains("two trees")
    );
}

#[test]
fn prefill_bands_give_their_share_of_the_points() {
    let p = Prefill {
        source: Source::Indicator("2.1".into()),
        bands: vec![(1.0, 1.0), (0.9, 0.5)],
    };
    assert_eq!(p.suggest(2.0, 1.0), 2.0);
    assert_eq!(p.suggest(2.0, 0.95), 1.0);
    assert_eq!(p.suggest(2.0, 0.9), 1.0);
    assert_eq!(p.suggest(2.0, 0.899), 0.0);
    assert_eq!(
        p.rule_text(2.0),
        "≥ 100%: 2 điểm; ≥ 90%: 1 điểm; thấp hơn: 0 điểm"
    );
    assert_eq!(
        Source::parse("indicator: 3.6"),
        Some(Source::Indicator("3.6".into()))
    );
    assert_eq!(
        Source::parse("reports_on_time"),
        Some(Source::ReportsOnTime)
    );
    assert_eq!(Source::parse("indicator:"), None);
    assert_eq!(Source::parse("indicator:2;1"), None);
}

#[test]
fn points_are_checked_against_the_item() {
    let t = ScoreTree::parse("t", &tree_with(OK_AREA, 30.0)).unwrap();
    let leaf = t.item("1.1").unwrap();
    assert!(check_points(leaf, 40.0).is_ok());
    assert!(check_points(leaf, 0.0).is_ok());
    let e = check_points(leaf, 40.5).unwrap_err();
    assert_eq!(
        e.to_string(),
        "điểm 40,5 vượt quá điểm tối đa 40 của tiêu chí 1.1"
    );
    assert_eq!(check_points(leaf, -1.0), Err(PointsError::Negative));
    assert_eq!(check_points(leaf, f64::NAN), Err(PointsError::NotANumber));
    assert!(matches!(
        check_points(t.item("1.2").unwrap(), 1.0),
        Err(PointsError::NotScored(_))
    ));
}

#[test]
fn totals_add_up_the_tree_and_appraisal_replaces_the_claim() {
    let t = ScoreTree::parse("t", &tree_with(OK_AREA, 30.0)).unwrap();
    let mut p = HashMap::new();
    p.insert(
        "1.1".to_owned(),
        ItemPoints {
            self_points: Some(35.0),
            appraised_points: Some(30.0),
        },
    );
    p.insert(
        "1.2.1".to_owned(),
        ItemPoints {
            self_points: Some(20.0),
            appraised_points: None,
        },
    );
    p.insert(
        "9.9".to_owned(),
        ItemPoints {
            self_points: Some(99.0),
            appraised_points: None,
        },
    );
    let s = totals(&t, &p);
    assert_eq!(s.self_points, 55.0);
    assert_eq!(s.appraised_points, 50.0, "30 appraised + 20 accepted");
    assert_eq!(s.adjusted_items, 1);
    assert_eq!(s.adjustment, -5.0);
    assert_eq!(s.assessed_items, 2);
    assert_eq!(s.leaves, 2);
    assert_eq!(s.node("1.2").unwrap().counted, 20.0);
    assert_eq!(s.node("1").unwrap().self_points, 55.0);
    let whole = total(s.appraised_points, Some(24.5));
    assert_eq!(whole.points, 74.5);
    assert_eq!(whole.percent, 74.5);
    assert_eq!(
        whole.rule(true, 30.0),
        "50 điểm sau thẩm định + 24,5 điểm điều tra xã hội học (tối đa 30) = 74,5 / 100 điểm = 74,5%"
    );
    assert!(
        total(50.0, None)
            .rule(false, 30.0)
            .contains("chưa có kết quả")
    );
    assert_eq!(totals(&t, &HashMap::new()).appraised_points, 0.0);
}

#[test]
fn ranking_shares_ranks_on_ties_and_skips_after() {
    let rows = rank_units(&[
        ("a".into(), Some(80.0)),
        ("b".into(), Some(90.004)),
        ("c".into(), Some(90.0)),
        ("d".into(), None),
        ("e".into(), Some(70.0)),
    ]);
    let got: Vec<(&str, Option<u32>, bool)> = rows
        .iter()
        .map(|r| (r.unit.as_str(), r.rank, r.tied))
        .collect();
    assert_eq!(
        got,
        vec![
            ("b", Some(1), true),
            ("c", Some(1), true),
            ("a", Some(3), false),
            ("e", Some(4), false),
            ("d", None, false),
        ]
    );
    assert_eq!(rank_among(85.0, &[90.0, 80.0, 85.0]), 2);
    assert_eq!(rank_among(95.0, &[90.0]), 1);
    assert!(CardState::Submitted.ranked() && !CardState::Draft.ranked());
    assert_eq!(CardState::parse("appraised"), Some(CardState::Appraised));
}

#[test]
fn the_year_before_is_the_units_own_or_its_predecessors_mean() {
    let last_year: Vec<(String, f64)> = vec![
        ("old-a".into(), 90.0),
        ("old-b".into(), 80.0),
        ("old-c".into(), 70.0),
        ("same".into(), 85.0),
    ];
    let own = previous("same", &[], &last_year).unwrap();
    assert_eq!(
        (own.points, own.rank, own.ranked_among, own.own),
        (85.0, 2, 4, true)
    );
    let merged = previous(
        "new",
        &["old-a".into(), "old-c".into(), "gone".into()],
        &last_year,
    )
    .unwrap();
    assert_eq!(merged.points, 80.0);
    assert_eq!(merged.rank, 3, "80 ties old-b's rank");
    assert_eq!(merged.from, vec!["old-a".to_owned(), "old-c".to_owned()]);
    assert!(!merged.own);
    assert!(previous("new", &["gone".into()], &last_year).is_none());
    let (dp, dr) = change(88.0, Some(1), &merged);
    assert_eq!((dp, dr), (8.0, Some(2)));
}

#[test]
fn the_survey_file_is_read_whole_or_refused_at_its_line() {
    let ok = "\u{feff}don_vi,diem\nH62.01,\"25,5\"\nw:23281, 20\n\n";
    let lines = parse(ok).unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        (lines[0].line, lines[0].unit.as_str(), lines[0].points),
        (2, "H62.01", 25.5)
    );
    assert_eq!(lines[1].points, 20.0);
    assert!(parse("don_vi;diem\nx;12,5\n").is_ok());
    assert!(check_max(&lines[0], 30.0).is_ok());
    assert_eq!(
        check_max(&lines[0], 25.0).unwrap_err().to_string(),
        "dòng 2: điểm 25,5 vượt quá điểm tối đa của phần điều tra xã hội học (25)"
    );
    for (text, needle) in [
        ("", "trống"),
        ("ma,so\n1,2\n", "dòng tiêu đề"),
        ("don_vi,diem\na,1\nb,abc\n", "dòng 3: điểm «abc»"),
        ("don_vi,diem\na,1\n,2\n", "dòng 3: thiếu mã đơn vị"),
        ("don_vi,diem\na,1\nb,-2\n", "dòng 3: điểm -2 âm"),
        ("don_vi,diem\na,1\na,2\n", "dòng 3: đơn vị a đã có ở dòng 2"),
        ("don_vi,diem\n", "trống"),
    ] {
        let e: SurveyError = parse(text).unwrap_err();
        assert!(e.to_string().contains(needle), "{e} / {needle}");
    }
}
