//! Indicators over demo data: the rollups kept with each event equal a rebuild and a direct
//! count; closed periods are frozen and verifiable; manual values need an administrator and
//! evidence; staff see only their own units.

use std::collections::BTreeSet;

use cchc_app::files::Upload;
use cchc_app::indicators::Part;
use cchc_app::{App, AppError, Principal, Role};
use cchc_domain::indicator::{
    DossierFacts, Measure, Measures, Period, RollupDelta, measures_from_facts,
};

use crate::demo::{fresh, options};

async fn all_facts(app: &App) -> Vec<DossierFacts> {
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let page = app.store().facts_page(&after, 1000).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.code.clone();
        out.extend(page);
    }
    out
}

async fn demo_app() -> App {
    let app = fresh().await;
    cchc_app::demo::generate(&app, &options(400, 2), |_| {})
        .await
        .unwrap();
    app
}

fn sum_members(raw: &cchc_store::UnitMeasures, members: &BTreeSet<String>) -> Measures {
    let mut m = Measures::default();
    for u in members {
        if let Some(x) = raw.get(u) {
            m += *x;
        }
    }
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollups_equal_a_rebuild_and_a_direct_count() {
    let app = demo_app().await;
    let facts = all_facts(&app).await;
    let (dossiers, with_facts) = app.store().facts_coverage().await.unwrap();
    assert_eq!(dossiers, with_facts, "every dossier has its facts");
    assert!(facts.len() >= 400);

    let periods: Vec<Period> = [
        "2025-06",
        "2025-Q3",
        "2025",
        "2025-06-10..2025-07-05",
        "2025-06-01..2025-06-01",
    ]
    .iter()
    .map(|p| p.parse().unwrap())
    .collect();
    let units = ["d:608", "p:62", "p:62/so-tu-phap", "p2025:51"];
    let mut nonzero = 0;
    for period in &periods {
        let raw = app.measures_by_unit(period).await.unwrap();
        for unit in units {
            let members = app.member_units(unit, period).unwrap();
            let rolled = sum_members(&raw, &members);
            let direct =
                measures_from_facts(facts.iter().filter(|f| members.contains(&f.unit)), period);
            assert_eq!(rolled, direct, "{unit} {period}");
            if rolled[Measure::Received] > 0 {
                nonzero += 1;
            }
        }
    }
    assert!(
        nonzero >= 6,
        "the comparison covered real numbers ({nonzero})"
    );

    // A ward created by the 2025 merger counts its predecessors' dossiers before it existed.
    let june: Period = "2025-06".parse().unwrap();
    let members = app.member_units("w2025:23293", &june).unwrap();
    assert!(members.iter().any(|u| u.starts_with("w:")), "{members:?}");
    let raw = app.measures_by_unit(&june).await.unwrap();
    assert!(sum_members(&raw, &members)[Measure::Received] > 0);
    let own_only: BTreeSet<String> = [String::from("w2025:23293")].into();
    assert_eq!(sum_members(&raw, &own_only)[Measure::Received], 0);

    // A rebuild from the facts, and one from the event log, change nothing.
    let r = app.rebuild_indicators(false).await.unwrap();
    assert_eq!(r.rows_differing, 0, "{r:?}");
    assert!(r.rollup_rows > 0);
    let r = app.rebuild_indicators(true).await.unwrap();
    assert_eq!(r.rows_differing, 0, "{r:?}");

    // Drift is counted and repaired: one kept row changed, one row that should not exist.
    let june_card = app.measures_by_unit(&june).await.unwrap();
    let day: jiff::civil::Date = "2025-06-10".parse().unwrap();
    let mut extra = Measures::default();
    extra.add(Measure::Received, 5);
    let some = facts.first().unwrap();
    let kept_row = RollupDelta {
        unit: some.unit.clone(),
        procedure: some.procedure.clone(),
        day,
        measures: extra,
    };
    let stray = RollupDelta {
        unit: "u:no-such-unit".into(),
        ..kept_row.clone()
    };
    app.store().add_rollups(&[kept_row, stray]).await.unwrap();
    assert_ne!(app.measures_by_unit(&june).await.unwrap(), june_card);
    let r = app.rebuild_indicators(false).await.unwrap();
    assert_eq!(r.rows_differing, 2, "{r:?}");
    assert_eq!(app.measures_by_unit(&june).await.unwrap(), june_card);
    let r = app.rebuild_indicators(false).await.unwrap();
    assert_eq!(r.rows_differing, 0, "{r:?}");
    assert_eq!(
        all_facts(&app).await,
        facts,
        "facts from events equal the kept facts"
    );

    // Open dossiers at the end of the demo are judged at period end: some are overdue.
    let end: Period = "2025-07".parse().unwrap();
    let raw = app.measures_by_unit(&end).await.unwrap();
    let all: Measures = raw.values().fold(Measures::default(), |mut a, m| {
        a += *m;
        a
    });
    assert!(all[Measure::OpenAtEnd] > 0);
    assert!(all[Measure::LateOpenAtEnd] > 0);
    assert!(all[Measure::LateOpenAtEnd] <= all[Measure::OpenAtEnd]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scorecards_explain_and_drill_down_to_the_dossiers() {
    let app = demo_app().await;
    let admin = Principal::system();
    let period: Period = "2025-06".parse().unwrap();
    let card = app.unit_scorecard(&admin, "d:608", &period).await.unwrap();
    assert!(card.received > 0);
    let on_time = card.card.result("2.1").unwrap();
    assert!(on_time.denominator > 0);
    assert!(on_time.points_rule().contains('×'));
    for part in [Part::Numerator, Part::Denominator] {
        let drill = app
            .drill(&admin, "d:608", &period, "2.1", part, 10_000)
            .await
            .unwrap();
        assert_eq!(drill.counted, drill.total, "{part:?}");
        assert!(!drill.rows.is_empty());
    }
    let drill = app
        .drill(&admin, "d:608", &period, "3.3", Part::Numerator, 3)
        .await
        .unwrap();
    assert!(drill.rows.len() <= 3);
    assert_eq!(drill.counted, card.card.result("3.3").unwrap().numerator);
    // Manual indicators have no dossiers behind them.
    assert!(matches!(
        app.drill(&admin, "d:608", &period, "1.1", Part::Numerator, 10)
            .await,
        Err(AppError::Invalid(_))
    ));
    let trend = app
        .monthly_trend(&admin, "d:608", period.first, "2025-07-31".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(trend.len(), 2);
    assert_eq!(
        trend[0].1.result("2.1").unwrap().denominator,
        on_time.denominator,
        "a month of the trend equals that month's scorecard"
    );
    let ranking = app.ranking(&period, None, None, 5).await.unwrap();
    assert!(ranking.rows.iter().any(|r| r.row.rank == Some(1)));
}

fn pdf() -> Upload {
    Upload {
        component: "Minh chứng".into(),
        file_name: "bao-cao.pdf".into(),
        content: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_periods_are_frozen_and_verified() {
    let app = demo_app().await;
    let admin = Principal::system();
    let officer = Principal {
        account_id: "x".into(),
        username: "cb".into(),
        display_name: "Cán bộ".into(),
        title: String::new(),
        role: Role::Officer,
        unit_id: Some("p:62/so-tu-phap".into()),
    };
    let june: Period = "2025-06".parse().unwrap();

    // Manual values: administrators only, with evidence, within range.
    assert!(matches!(
        app.enter_value(&officer, "1.1", "d:608", &june, 0.9, "", pdf())
            .await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.enter_value(&admin, "1.1", "d:608", &june, 1.5, "", pdf())
            .await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        app.enter_value(&admin, "2.1", "d:608", &june, 0.5, "", pdf())
            .await,
        Err(AppError::Invalid(_))
    ));
    let not_a_document = Upload {
        content: b"hello".to_vec(),
        ..pdf()
    };
    assert!(
        app.enter_value(&admin, "1.1", "d:608", &june, 0.9, "", not_a_document)
            .await
            .is_err()
    );
    app.enter_value(&admin, "1.1", "d:608", &june, 0.9, "Đã công bố đủ", pdf())
        .await
        .unwrap();
    let card = app.unit_scorecard(&admin, "d:608", &june).await.unwrap();
    let manual = card.card.result("1.1").unwrap();
    assert_eq!(manual.value, Some(0.9));
    assert!((manual.points.unwrap() - 3.6).abs() < 1e-9);

    // Staff see their own subtree only.
    assert!(matches!(
        app.unit_scorecard(&officer, "d:608", &june).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(
        app.unit_scorecard(&officer, "p:62/so-tu-phap", &june)
            .await
            .is_ok()
    );
    assert!(matches!(
        app.close_period(&officer, &june).await,
        Err(AppError::Forbidden(_))
    ));

    // Close: the figures are frozen; a second close and a new entry are refused.
    let before = app.unit_scorecard(&admin, "d:608", &june).await.unwrap();
    let info = app.close_period(&admin, &june).await.unwrap();
    assert_eq!(info.set_version, "766-2022.2");
    assert!(matches!(
        app.close_period(&admin, &june).await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        app.enter_value(&admin, "1.1", "d:608", &june, 0.5, "", pdf())
            .await,
        Err(AppError::Invalid(_))
    ));
    let v = app.verify_period(&june).await.unwrap();
    assert!(v.differences.is_empty(), "{:?}", v.differences);
    assert_eq!(v.fingerprint_now, info.data_fingerprint);

    // Data changing afterwards does not change the closed result; verify names the change.
    app.store().clear_rollups().await.unwrap();
    let after = app.unit_scorecard(&admin, "d:608", &june).await.unwrap();
    assert!(after.closed.is_some());
    assert_eq!(after.card.score, before.card.score);
    assert_eq!(
        after.card.result("2.1").unwrap().numerator,
        before.card.result("2.1").unwrap().numerator
    );
    let v = app.verify_period(&june).await.unwrap();
    assert!(!v.differences.is_empty());
    assert_ne!(v.fingerprint_now, info.data_fingerprint);
    // A period not yet over cannot be closed.
    let future: Period = "2099".parse().unwrap();
    assert!(matches!(
        app.close_period(&admin, &future).await,
        Err(AppError::Invalid(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_dossiers_are_judged_at_today_until_the_period_is_over() {
    use cchc_domain::procedure::Channel;
    let w = crate::world().await;
    let admin = Principal::system();
    // Received Monday 03/03/2025 08:00 at the counter: due Thursday 06/03 08:00.
    w.set_now("2025-03-03T08:00:00");
    w.app
        .create_dossier(
            &w.officer_a,
            crate::lifecycle::new_dossier(Channel::Counter, None),
        )
        .await
        .unwrap();
    let march: Period = "2025-03".parse().unwrap();
    let on_time = |card: &cchc_app::indicators::UnitScorecard| {
        let r = card.card.result("2.1").unwrap();
        (r.numerator, r.denominator)
    };
    // On 04/03 March is not over: the dossier is open and not late today.
    w.set_now("2025-03-04T10:00:00");
    let card = w
        .app
        .unit_scorecard(&admin, crate::COMMUNE_A, &march)
        .await
        .unwrap();
    assert_eq!(on_time(&card), (1, 1));
    let drill = w
        .app
        .drill(&admin, crate::COMMUNE_A, &march, "2.1", Part::Numerator, 10)
        .await
        .unwrap();
    assert_eq!(
        (drill.counted, drill.total),
        (1, 1),
        "the list judges as the card"
    );
    // On 10/03 it is overdue: late for March, while the period ending 05/03 kept it on time.
    w.set_now("2025-03-10T10:00:00");
    let card = w
        .app
        .unit_scorecard(&admin, crate::COMMUNE_A, &march)
        .await
        .unwrap();
    assert_eq!(on_time(&card), (0, 1));
    let first_days: Period = "2025-03-01..2025-03-05".parse().unwrap();
    let card = w
        .app
        .unit_scorecard(&admin, crate::COMMUNE_A, &first_days)
        .await
        .unwrap();
    assert_eq!(on_time(&card), (1, 1));
    assert_eq!(w.app.judged_on(&march), "2025-03-10".parse().unwrap());
    assert_eq!(w.app.judged_on(&first_days), "2025-03-05".parse().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn targets_show_the_measured_value_or_the_entered_one() {
    use cchc_domain::procedure::Channel;
    let w = crate::world().await;
    let admin = Principal::system();
    w.set_now("2025-03-03T08:00:00");
    w.app
        .create_dossier(
            &w.officer_a,
            crate::lifecycle::new_dossier(Channel::Counter, None),
        )
        .await
        .unwrap();
    w.set_now("2025-03-04T08:00:00");
    let today = "2025-03-04".parse().unwrap();
    let status = w
        .app
        .target_status(&admin, crate::COMMUNE_A, today)
        .await
        .unwrap();
    // Online filing (3.3): one counter dossier this year, 0% against a ≥ target.
    let online = status
        .iter()
        .find(|s| s.target.indicator.as_deref() == Some("3.3"))
        .expect("an online-filing target applies to a commune");
    assert_eq!(online.actual, Some(0.0));
    assert_eq!(online.met, Some(false));
    assert!(online.source.contains("0 ÷ 1"), "{}", online.source);
    assert!(online.forecast.is_some());
    // A target no dossier data measures: nothing until an administrator enters it.
    let manual = status
        .iter()
        .find(|s| s.target.indicator.is_none())
        .expect("a manual target");
    assert_eq!(manual.actual, None);
    assert_eq!(manual.met, None);
    let code = manual.target.code.clone();
    let year: Period = "2025".parse().unwrap();
    // Officers cannot enter; a value beyond 100% is refused; nothing is stored then.
    assert!(matches!(
        w.app
            .enter_value(&w.officer_a, &code, crate::COMMUNE_A, &year, 0.5, "", pdf())
            .await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        w.app
            .enter_value(&admin, &code, crate::COMMUNE_A, &year, 2.0, "", pdf())
            .await,
        Err(AppError::Invalid(_))
    ));
    let status = w
        .app
        .target_status(&admin, crate::COMMUNE_A, today)
        .await
        .unwrap();
    let again = status.iter().find(|s| s.target.code == code).unwrap();
    assert_eq!(again.actual, None, "refused entries left nothing behind");
    w.app
        .enter_value(
            &admin,
            &code,
            crate::COMMUNE_A,
            &year,
            0.95,
            "Báo cáo quý I",
            pdf(),
        )
        .await
        .unwrap();
    let status = w
        .app
        .target_status(&admin, crate::COMMUNE_A, today)
        .await
        .unwrap();
    let entered = status.iter().find(|s| s.target.code == code).unwrap();
    assert_eq!(entered.actual, Some(0.95));
    assert_eq!(entered.met, Some(entered.target.holds(0.95)));
    assert!(entered.source.contains("bao-cao.pdf"), "{}", entered.source);
    assert!(
        entered.source.contains("04/03/2025"),
        "dd/mm/yyyy: {}",
        entered.source
    );
    // Citizens see published figures only.
    assert!(matches!(
        w.app
            .target_status(&w.citizen, crate::COMMUNE_A, today)
            .await,
        Err(AppError::Forbidden(_))
    ));
}
