//! The emulation movement from the data: a late dossier, taken through the normal lifecycle,
//! turns a unit and the officer who handled it from eligible to not eligible, and the dossier
//! is named as the evidence. The reform office's adjustments (with reasons) survive the
//! re-evaluation; approval freezes the list; wrong roles change nothing.

use crate::lifecycle::new_dossier;
use crate::{COMMUNE_A, world};
use cchc_app::AppError;
use cchc_app::dossiers::Action;
use cchc_app::emulation::NewMovement;
use cchc_app::files::Upload;
use cchc_app::plans::{NewPlan, NewTask};
use cchc_domain::dossier::Outcome;
use cchc_domain::emulation::{EvidenceRef, SubjectKind, Verdict};
use cchc_domain::procedure::Channel;

const MOVEMENT: &str = "kt-cchc-test";

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n% test\n%%EOF\n".to_vec()
}

#[tokio::test]
async fn a_late_dossier_flips_the_unit_and_its_officer_with_the_dossier_as_evidence() {
    let w = world().await;
    let sys = cchc_app::Principal::system();
    let a = &w.officer_a;

    // A yearly plan with one task for the ward, done on time.
    w.set_now("2024-02-01T08:00:00");
    let plan = w
        .app
        .create_plan(
            &sys,
            &NewPlan {
                number: "617/QĐ-UBND".into(),
                date: "2024-01-20".into(),
                issuer: "UBND tỉnh Kon Tum".into(),
                period: "2024".into(),
                title: "Kế hoạch cải cách hành chính năm 2024".into(),
                note: String::new(),
            },
        )
        .await
        .unwrap();
    let task = w
        .app
        .add_task(
            &sys,
            &plan,
            &NewTask {
                area: cchc_domain::plan::Area::ALL[2].code().into(),
                title: "Rà soát, đơn giản hóa thủ tục hành chính".into(),
                output: "Báo cáo rà soát".into(),
                lead_unit: COMMUNE_A.into(),
                support_units: Vec::new(),
                deadline: "2024-06-30".into(),
                working_days: String::new(),
                start: String::new(),
            },
        )
        .await
        .unwrap();
    w.set_now("2024-06-20T08:00:00");
    w.app
        .change_task_status(a, &task, "hoan-thanh", "2024-06-20", "Đã hoàn thành")
        .await
        .unwrap();

    // One dossier handled by the officer, decided on time.
    w.set_now("2024-10-01T08:00:00");
    let on_time = w
        .app
        .create_dossier(a, new_dossier(Channel::Counter, None))
        .await
        .unwrap();
    w.app
        .act(
            a,
            &on_time.code,
            None,
            Action::Assign {
                officer: a.account_id.clone(),
            },
        )
        .await
        .unwrap();
    w.set_now("2024-10-02T08:00:00");
    w.app
        .act(
            a,
            &on_time.code,
            None,
            Action::Decide {
                outcome: Outcome::Rejected,
                note: "Không đủ điều kiện".into(),
                results: vec![],
            },
        )
        .await
        .unwrap();

    // The person's records: rated good, an initiative recognised in 2024.
    w.set_now("2025-01-15T08:00:00");
    w.app
        .rate_staff(&w.leader_a, &a.username, 2024, "tot")
        .await
        .unwrap();
    w.app
        .record_initiative(
            &sys,
            &a.username,
            "Tra cứu hồ sơ bằng mã QR",
            "Quyết định số 7/QĐ-HĐSK",
            "2024-11-05",
            Upload {
                component: "quyet-dinh".into(),
                file_name: "qd.pdf".into(),
                content: pdf(),
            },
        )
        .await
        .unwrap();
    // A wrong role changes nothing.
    assert!(matches!(
        w.app.rate_staff(a, &a.username, 2024, "xuat_sac").await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        w.app
            .rate_staff(&w.leader_a, &a.username, 2024, "gioi")
            .await,
        Err(AppError::Invalid(_))
    ));

    w.app
        .create_movement(
            &sys,
            &NewMovement {
                code: MOVEMENT.into(),
                title: "Phong trào thi đua đẩy mạnh cải cách hành chính".into(),
                plan_number: "42/KH-UBND".into(),
                plan_date: "2023-01-06".into(),
                issuer: "UBND tỉnh Kon Tum".into(),
                first_year: 2023,
                last_year: 2030,
                unit_kinds: vec!["commune".into()],
                content_areas: vec!["Giải quyết hồ sơ đúng hẹn".into()],
                criteria: cchc_app::emulation::criteria_sets().unwrap()[0].key(),
            },
        )
        .await
        .unwrap();

    let e = w.app.evaluate_movement(&sys, MOVEMENT, 2024).await.unwrap();
    assert!(!e.result.provisional);
    let unit = e.subject(SubjectKind::Collective, COMMUNE_A).unwrap();
    let v = |s: &cchc_domain::emulation::SubjectResult, c: &str| s.result_of(c).unwrap().verdict;
    assert_eq!(v(unit, "TT1"), Verdict::Met, "{:?}", unit.result_of("TT1"));
    assert_eq!(v(unit, "TT3"), Verdict::Met, "{:?}", unit.result_of("TT3"));
    assert_eq!(v(unit, "TT5"), Verdict::Met);
    // No report obligations and no PAR result on record: not enough data, not "met".
    assert_eq!(v(unit, "TT2"), Verdict::NoData);
    assert_eq!(v(unit, "TT4"), Verdict::NoData);
    let person = e.subject(SubjectKind::Individual, &a.account_id).unwrap();
    assert_eq!(person.unit, COMMUNE_A);
    for c in ["CN1", "CN3", "CN4", "CN5"] {
        assert_eq!(v(person, c), Verdict::Met, "{c}: {:?}", person.result_of(c));
    }
    assert!(
        person
            .result_of("CN4")
            .unwrap()
            .explanation
            .starts_with("1 hồ sơ đã tham mưu giải quyết: 0 trễ hạn"),
        "{}",
        person.result_of("CN4").unwrap().explanation
    );
    assert_eq!(v(person, "CN2"), Verdict::NoData);
    assert!(
        e.nominations().unwrap().is_empty(),
        "subjects with criteria lacking data are not proposed"
    );

    // The reform office settles what the data lacks, with reasons.
    let reason = "Xác nhận theo hồ sơ giấy của Hội đồng thẩm định năm 2024";
    assert!(matches!(
        w.app
            .adjust_verdict(
                a,
                &e.run,
                SubjectKind::Collective,
                COMMUNE_A,
                "TT2",
                Verdict::Met,
                reason
            )
            .await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        w.app
            .adjust_verdict(
                &sys,
                &e.run,
                SubjectKind::Collective,
                COMMUNE_A,
                "TT2",
                Verdict::Met,
                "ngắn"
            )
            .await,
        Err(AppError::Invalid(_))
    ));
    for (kind, id, c) in [
        (SubjectKind::Collective, COMMUNE_A, "TT2"),
        (SubjectKind::Collective, COMMUNE_A, "TT4"),
        (SubjectKind::Individual, a.account_id.as_str(), "CN2"),
    ] {
        w.app
            .adjust_verdict(&sys, &e.run, kind, id, c, Verdict::Met, reason)
            .await
            .unwrap();
    }
    let e = w
        .app
        .evaluation(&sys, MOVEMENT, 2024)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e.adjustments.len(), 3);
    assert_eq!(
        e.subject(SubjectKind::Collective, COMMUNE_A)
            .unwrap()
            .verdict,
        Verdict::Met,
        "eligible before the late dossier"
    );
    assert_eq!(
        e.subject(SubjectKind::Individual, &a.account_id)
            .unwrap()
            .verdict,
        Verdict::Met
    );
    let nominated: Vec<String> = e
        .nominations()
        .unwrap()
        .iter()
        .flat_map(|n| n.subjects.iter().map(|s| s.id.clone()))
        .collect();
    assert!(nominated.contains(&COMMUNE_A.to_owned()));
    assert!(nominated.contains(&a.account_id));

    // A dossier received in December, handled by the officer, decided after its due date.
    w.set_now("2024-12-02T08:00:00");
    let late = w
        .app
        .create_dossier(a, new_dossier(Channel::Counter, None))
        .await
        .unwrap();
    w.app
        .act(
            a,
            &late.code,
            None,
            Action::Assign {
                officer: a.account_id.clone(),
            },
        )
        .await
        .unwrap();
    w.set_now("2024-12-16T08:00:00");
    w.app
        .act(
            a,
            &late.code,
            None,
            Action::Decide {
                outcome: Outcome::Rejected,
                note: "Không đủ điều kiện".into(),
                results: vec![],
            },
        )
        .await
        .unwrap();

    w.set_now("2025-01-16T08:00:00");
    let e = w.app.evaluate_movement(&sys, MOVEMENT, 2024).await.unwrap();
    assert_eq!(
        e.adjustments.len(),
        3,
        "the office's adjustments carry over"
    );
    let unit = e.subject(SubjectKind::Collective, COMMUNE_A).unwrap();
    assert_eq!(unit.verdict, Verdict::NotMet);
    let tt3 = unit.result_of("TT3").unwrap();
    assert_eq!(tt3.verdict, Verdict::NotMet);
    assert!(tt3.evidence.iter().any(|ev| ev.what
        == EvidenceRef::Dossier {
            code: late.code.clone()
        }));
    assert!(tt3.explanation.contains("1 trễ hạn"), "{}", tt3.explanation);
    let person = e.subject(SubjectKind::Individual, &a.account_id).unwrap();
    assert_eq!(person.verdict, Verdict::NotMet);
    let cn4 = person.result_of("CN4").unwrap();
    assert!(cn4.evidence.iter().any(|ev| ev.what
        == EvidenceRef::Dossier {
            code: late.code.clone()
        }));
    assert!(
        !e.nominations().unwrap().iter().any(|n| n
            .subjects
            .iter()
            .any(|s| s.id == COMMUNE_A || s.id == a.account_id)),
        "neither is proposed any more"
    );

    // Approval freezes the list: no more adjustments or evaluations of that year.
    assert!(matches!(
        w.app.approve_evaluation(a, &e.run).await,
        Err(AppError::Forbidden(_))
    ));
    let approved = w.app.approve_evaluation(&sys, &e.run).await.unwrap();
    assert!(approved.is_approved());
    assert!(matches!(
        w.app
            .adjust_verdict(
                &sys,
                &e.run,
                SubjectKind::Collective,
                COMMUNE_A,
                "TT3",
                Verdict::Met,
                reason
            )
            .await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        w.app.evaluate_movement(&sys, MOVEMENT, 2024).await,
        Err(AppError::Invalid(_))
    ));
    // The frozen result still names the dossier.
    let shown = w
        .app
        .evaluation(&sys, MOVEMENT, 2024)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(shown.run, e.run);
    assert_eq!(
        shown
            .subject(SubjectKind::Collective, COMMUNE_A)
            .unwrap()
            .verdict,
        Verdict::NotMet
    );
}

#[tokio::test]
async fn bad_movements_and_records_change_nothing() {
    let w = world().await;
    let sys = cchc_app::Principal::system();
    let good = NewMovement {
        code: "ok-1".into(),
        title: "Phong trào".into(),
        plan_number: "42/KH-UBND".into(),
        plan_date: "2023-01-06".into(),
        issuer: "UBND tỉnh".into(),
        first_year: 2023,
        last_year: 2030,
        unit_kinds: vec!["commune".into()],
        content_areas: vec![],
        criteria: cchc_app::emulation::criteria_sets().unwrap()[0].key(),
    };
    for bad in [
        NewMovement {
            code: "có dấu".into(),
            ..good.clone()
        },
        NewMovement {
            last_year: 2020,
            ..good.clone()
        },
        NewMovement {
            unit_kinds: vec!["planet".into()],
            ..good.clone()
        },
        NewMovement {
            criteria: "unknown@1".into(),
            ..good.clone()
        },
        NewMovement {
            plan_date: "06/01/2023x".into(),
            ..good.clone()
        },
    ] {
        assert!(w.app.create_movement(&sys, &bad).await.is_err(), "{bad:?}");
    }
    assert!(matches!(
        w.app.create_movement(&w.leader_a, &good).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(w.app.movements(&sys).await.unwrap().is_empty());
    w.app.create_movement(&sys, &good).await.unwrap();
    assert!(
        w.app.create_movement(&sys, &good).await.is_err(),
        "code taken"
    );
    assert!(matches!(
        w.app.movements(&w.citizen).await,
        Err(AppError::Forbidden(_))
    ));
    // A year outside the movement, a discipline without a PDF, an initiative by a leader.
    assert!(matches!(
        w.app.evaluate_movement(&sys, "ok-1", 2031).await,
        Err(AppError::Invalid(_))
    ));
    let not_pdf = Upload {
        component: "qd".into(),
        file_name: "qd.pdf".into(),
        content: b"not a pdf".to_vec(),
    };
    assert!(matches!(
        w.app
            .record_discipline(
                &w.leader_a,
                &w.officer_a.username,
                "Khiển trách",
                "QĐ 1",
                "2024-05-01",
                true,
                not_pdf
            )
            .await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        w.app
            .record_initiative(
                &w.leader_a,
                &w.officer_a.username,
                "Sáng kiến",
                "QĐ 2",
                "2024-05-01",
                Upload {
                    component: "qd".into(),
                    file_name: "qd.pdf".into(),
                    content: pdf(),
                },
            )
            .await,
        Err(AppError::Forbidden(_))
    ));
    // An officer of another commune cannot be disciplined by this leader.
    assert!(matches!(
        w.app
            .record_discipline(
                &w.leader_a,
                &w.officer_b.username,
                "Khiển trách",
                "QĐ 3",
                "2024-05-01",
                true,
                Upload {
                    component: "qd".into(),
                    file_name: "qd.pdf".into(),
                    content: pdf(),
                },
            )
            .await,
        Err(AppError::Forbidden(_))
    ));
    let year = w.app.records_of_year(&sys, true, 2024).await.unwrap();
    assert!(year.is_empty());
}

/// The ward that absorbed Phường Quang Trung on 1 July 2025.
const SUCCESSOR_OF_A: &str = "w2025:23293";

#[tokio::test]
async fn an_overdue_dossier_left_open_at_year_end_counts_against_the_ward_that_absorbed_its_unit() {
    let w = world().await;
    let sys = cchc_app::Principal::system();
    let a = &w.officer_a;

    // Received at Phường Quang Trung in March 2025 (3 working days), assigned, never decided:
    // still open and long overdue on 31/12/2025, after the ward merged into Phường Kon Tum.
    w.set_now("2025-03-03T08:00:00");
    let open = w
        .app
        .create_dossier(a, new_dossier(Channel::Counter, None))
        .await
        .unwrap();
    w.app
        .act(
            a,
            &open.code,
            None,
            Action::Assign {
                officer: a.account_id.clone(),
            },
        )
        .await
        .unwrap();

    w.set_now("2026-01-16T08:00:00");
    w.app
        .create_movement(
            &sys,
            &NewMovement {
                code: MOVEMENT.into(),
                title: "Phong trào thi đua đẩy mạnh cải cách hành chính".into(),
                plan_number: "42/KH-UBND".into(),
                plan_date: "2023-01-06".into(),
                issuer: "UBND tỉnh Kon Tum".into(),
                first_year: 2023,
                last_year: 2030,
                unit_kinds: vec!["commune".into()],
                content_areas: vec![],
                criteria: cchc_app::emulation::criteria_sets().unwrap()[0].key(),
            },
        )
        .await
        .unwrap();
    let e = w.app.evaluate_movement(&sys, MOVEMENT, 2025).await.unwrap();
    assert!(!e.result.provisional);
    let names_the_dossier = |c: &cchc_domain::emulation::CriterionResult| {
        c.evidence.iter().any(|ev| {
            ev.what
                == EvidenceRef::Dossier {
                    code: open.code.clone(),
                }
        })
    };

    // The successor ward answers for its predecessor's whole year: the backlog fails it.
    assert!(
        e.subject(SubjectKind::Collective, COMMUNE_A).is_none(),
        "the merged-away ward is not evaluated for 2025"
    );
    let ward = e.subject(SubjectKind::Collective, SUCCESSOR_OF_A).unwrap();
    let tt3 = ward.result_of("TT3").unwrap();
    assert_eq!(tt3.verdict, Verdict::NotMet, "{}", tt3.explanation);
    assert!(
        tt3.explanation.contains("0 trễ hạn, 1 tồn đọng"),
        "{}",
        tt3.explanation
    );
    assert!(names_the_dossier(tt3));
    assert!(
        tt3.evidence
            .iter()
            .any(|ev| ev.label.contains("tồn đọng cuối năm")),
        "{:?}",
        tt3.evidence
    );
    let charged: Vec<&str> = e
        .result
        .subjects
        .iter()
        .filter(|s| s.kind == SubjectKind::Collective)
        .filter(|s| s.result_of("TT3").is_some_and(names_the_dossier))
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(charged, [SUCCESSOR_OF_A], "only the successor ward");

    // The officer who handled it fails "no late dossiers" too, with the dossier as evidence.
    let person = e.subject(SubjectKind::Individual, &a.account_id).unwrap();
    assert_eq!(person.unit, SUCCESSOR_OF_A);
    let cn4 = person.result_of("CN4").unwrap();
    assert_eq!(cn4.verdict, Verdict::NotMet, "{}", cn4.explanation);
    assert!(names_the_dossier(cn4));
    // Nobody meets every criterion on the data alone (no ratings, tasks or PAR results): the
    // lists are empty, not filled with "not enough data".
    assert!(e.nominations().unwrap().is_empty());

    // The reform office settles the officer's criteria (with reasons), approves, and records
    // the signed decision once: a second decision for the same list is refused.
    let reason = "Xác nhận theo biên bản họp Hội đồng thi đua khen thưởng";
    for c in ["CN1", "CN2", "CN3", "CN4"] {
        w.app
            .adjust_verdict(
                &sys,
                &e.run,
                SubjectKind::Individual,
                &a.account_id,
                c,
                Verdict::Met,
                reason,
            )
            .await
            .unwrap();
    }
    let approved = w.app.approve_evaluation(&sys, &e.run).await.unwrap();
    let lists = approved.nominations().unwrap();
    let list = lists
        .iter()
        .find(|n| n.subjects.iter().any(|s| s.id == a.account_id))
        .unwrap();
    assert_eq!(list.subjects.len(), 1, "the officer only");
    let upload = || Upload {
        component: "quyet-dinh".into(),
        file_name: "qd-khen-thuong.pdf".into(),
        content: pdf(),
    };
    let granted = w
        .app
        .record_decision(
            &sys,
            &e.run,
            &list.form,
            &list.issuer,
            "15/QĐ-UBND",
            "2026-01-15",
            upload(),
        )
        .await
        .unwrap();
    assert_eq!(granted, 1);
    let again = w
        .app
        .record_decision(
            &sys,
            &e.run,
            &list.form,
            &list.issuer,
            "16/QĐ-UBND",
            "2026-01-16",
            upload(),
        )
        .await;
    assert!(
        matches!(&again, Err(AppError::Invalid(m)) if m.contains("15/QĐ-UBND")),
        "{again:?}"
    );
    let (decisions, rewards) = w.app.decisions_of(&sys, &e.run).await.unwrap();
    assert_eq!(decisions.len(), 1);
    assert_eq!(rewards.len(), 1, "the reward is granted once");
}
