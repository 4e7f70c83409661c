//! Every criterion, met and not met, and the edge cases: a unit with no dossiers, a late dossier
//! in January, a unit merged mid-year, a rank rise from unranked.

use super::*;
use crate::indicator::{DossierFacts, EndKind, FinishVerdict};
use crate::unit::{MergeKind, Predecessor, Unit, UnitId, UnitKind, UnitTree};
use jiff::civil::{Date, date};

fn set() -> CriteriaSet {
    match embedded() {
        Ok(mut sets) if !sets.is_empty() => sets.remove(0),
        other => panic!("embedded criteria: {other:?}"),
    }
}

fn duty(id: &str, due: Date, outcome: DutyOutcome) -> Duty {
    Duty {
        id: id.into(),
        label: format!("Nhiệm vụ {id}"),
        due,
        outcome,
    }
}

/// A unit that meets every collective criterion in 2025.
fn good_unit() -> CollectiveInput {
    CollectiveInput {
        unit: "d:stp".into(),
        unit_name: "Sở Tư pháp".into(),
        unit_kind: UnitKind::Department,
        year: 2025,
        judged_on: date(2025, 12, 31),
        tasks: vec![
            duty("t1", date(2025, 3, 31), DutyOutcome::OnTime),
            duty("t2", date(2025, 9, 30), DutyOutcome::OnTime),
        ],
        reports: vec![
            duty("r1", date(2025, 6, 15), DutyOutcome::OnTime),
            duty("r2", date(2025, 12, 15), DutyOutcome::OnTime),
        ],
        par: Some(ParStanding {
            percent: 91.5,
            rank: Some(2),
            previous_rank: Some(4),
            among: 20,
        }),
        dossiers: DossierRecord {
            handled: 1204,
            late: Vec::new(),
        },
        disciplines: Vec::new(),
    }
}

fn good_person() -> IndividualInput {
    IndividualInput {
        person: "acc-1".into(),
        name: "Nguyễn Văn An".into(),
        title: "Chuyên viên".into(),
        unit: "d:stp".into(),
        unit_name: "Sở Tư pháp".into(),
        unit_kind: UnitKind::Department,
        year: 2025,
        judged_on: date(2025, 12, 31),
        rating: Some(StaffRating::Good),
        unit_par: Some(92.0),
        initiatives: vec![Initiative {
            id: "sk-1".into(),
            title: "Số hóa kết quả chứng thực".into(),
            decision: "Quyết định số 12/QĐ-HĐSK".into(),
            recognised_on: date(2025, 10, 2),
        }],
        dossiers: DossierRecord {
            handled: 310,
            late: Vec::new(),
        },
        disciplines: Vec::new(),
    }
}

fn verdict_of(r: &SubjectResult, id: &str) -> Verdict {
    r.result_of(id)
        .map(|c| c.verdict)
        .unwrap_or(Verdict::NoData)
}

#[test]
fn the_embedded_set_is_the_plan_s_ten_criteria_and_four_forms() {
    let s = set();
    assert_eq!(s.collective.len(), 5);
    assert_eq!(s.individual.len(), 5);
    assert_eq!(s.forms.len(), 4);
    assert_eq!(s.key(), "kontum-cchc-2023-2030@2023.1");
}

#[test]
fn a_criteria_file_with_a_rule_for_the_wrong_subject_is_refused() {
    let text = include_str!("../../../../data/emulation/kontum-2023-2030.toml")
        .replace("rule = \"initiative\"", "rule = \"all_tasks_done\"");
    let err = CriteriaSet::parse("x.toml", &text)
        .err()
        .map(|e| e.to_string());
    assert!(
        err.is_some_and(|e| e.contains("CN3")),
        "refused with the criterion named"
    );
    let twice = include_str!("../../../../data/emulation/kontum-2023-2030.toml")
        .replace("id = \"TT2\"", "id = \"TT1\"");
    assert!(CriteriaSet::parse("x.toml", &twice).is_err());
}

#[test]
fn a_unit_meeting_everything_is_met_with_evidence() {
    let r = evaluate_collective(&set(), &good_unit());
    assert_eq!(r.verdict, Verdict::Met, "{r:#?}");
    let dossiers = r.result_of("TT3").map(|c| c.explanation.clone());
    assert_eq!(
        dossiers.as_deref(),
        Some("1.204 hồ sơ thuộc thẩm quyền: 0 trễ hạn, 0 tồn đọng quá hạn cuối năm")
    );
    let par = r
        .result_of("TT2")
        .map(|c| c.evidence.clone())
        .unwrap_or_default();
    assert!(matches!(
        par.first().map(|e| &e.what),
        Some(EvidenceRef::ParScore { year: 2025, .. })
    ));
}

#[test]
fn tasks_overdue_done_late_pending_and_none() {
    let s = set();
    let mut u = good_unit();
    u.tasks
        .push(duty("t3", date(2025, 11, 30), DutyOutcome::Missed));
    let r = evaluate_collective(&s, &u);
    assert_eq!(verdict_of(&r, "TT1"), Verdict::NotMet);
    let ev = r
        .result_of("TT1")
        .map(|c| c.evidence.clone())
        .unwrap_or_default();
    assert_eq!(ev.len(), 1, "only the failing task is listed");
    assert_eq!(ev[0].what, EvidenceRef::Task { id: "t3".into() });
    assert!(ev[0].label.contains("30/11/2025"));

    u.tasks[2].outcome = DutyOutcome::Late;
    assert_eq!(
        verdict_of(&evaluate_collective(&s, &u), "TT1"),
        Verdict::NotMet
    );

    u.tasks[2].outcome = DutyOutcome::Cancelled;
    assert_eq!(
        verdict_of(&evaluate_collective(&s, &u), "TT1"),
        Verdict::Met
    );

    // The year still running: a task not yet due cannot be judged.
    u.tasks[2].outcome = DutyOutcome::Pending;
    assert_eq!(
        verdict_of(&evaluate_collective(&s, &u), "TT1"),
        Verdict::NoData
    );

    u.tasks.clear();
    let r = evaluate_collective(&s, &u);
    assert_eq!(
        verdict_of(&r, "TT1"),
        Verdict::NoData,
        "no task on record is missing data"
    );
    assert_eq!(r.verdict, Verdict::NoData);
}

#[test]
fn reports_late_incomplete_or_missing_fail() {
    let s = set();
    for outcome in [
        DutyOutcome::Late,
        DutyOutcome::Incomplete,
        DutyOutcome::Missed,
    ] {
        let mut u = good_unit();
        u.reports[1].outcome = outcome;
        let r = evaluate_collective(&s, &u);
        assert_eq!(verdict_of(&r, "TT4"), Verdict::NotMet, "{outcome:?}");
        assert_eq!(r.verdict, Verdict::NotMet);
    }
}

#[test]
fn par_rank_top_rise_and_rise_from_unranked() {
    let s = set();
    let mut u = good_unit();
    // Fifth, up from twelfth: a rise of 7 ≥ 5.
    u.par = Some(ParStanding {
        percent: 84.0,
        rank: Some(5),
        previous_rank: Some(12),
        among: 20,
    });
    let r = evaluate_collective(&s, &u);
    assert_eq!(verdict_of(&r, "TT2"), Verdict::Met);
    assert!(
        r.result_of("TT2")
            .is_some_and(|c| c.explanation.contains("tăng 7 bậc"))
    );
    // Fifth, up from eighth: 3 places is not enough, and fifth is not top 3.
    u.par = Some(ParStanding {
        previous_rank: Some(8),
        ..u.par.unwrap_or(ParStanding {
            percent: 0.0,
            rank: None,
            previous_rank: None,
            among: 0,
        })
    });
    assert_eq!(
        verdict_of(&evaluate_collective(&s, &u), "TT2"),
        Verdict::NotMet
    );
    // Ranked fifth this year, unranked the year before: no rise can be measured.
    u.par = Some(ParStanding {
        percent: 84.0,
        rank: Some(5),
        previous_rank: None,
        among: 20,
    });
    let r = evaluate_collective(&s, &u);
    assert_eq!(verdict_of(&r, "TT2"), Verdict::NotMet);
    assert!(
        r.result_of("TT2")
            .is_some_and(|c| c.explanation.contains("năm trước chưa được xếp hạng"))
    );
    // Unranked last year but first this year: the rank alone meets it.
    u.par = Some(ParStanding {
        percent: 95.0,
        rank: Some(1),
        previous_rank: None,
        among: 20,
    });
    assert_eq!(
        verdict_of(&evaluate_collective(&s, &u), "TT2"),
        Verdict::Met
    );
    // No PAR result at all, or not ranked this year.
    u.par = None;
    assert_eq!(
        verdict_of(&evaluate_collective(&s, &u), "TT2"),
        Verdict::NoData
    );
    u.par = Some(ParStanding {
        percent: 70.0,
        rank: None,
        previous_rank: Some(3),
        among: 20,
    });
    assert_eq!(
        verdict_of(&evaluate_collective(&s, &u), "TT2"),
        Verdict::NoData
    );
}

#[test]
fn a_unit_with_no_dossiers_has_none_late() {
    let mut u = good_unit();
    u.dossiers = DossierRecord::default();
    let r = evaluate_collective(&set(), &u);
    assert_eq!(verdict_of(&r, "TT3"), Verdict::Met);
    assert!(
        r.result_of("TT3")
            .is_some_and(|c| c.explanation.starts_with("không phát sinh"))
    );
}

#[test]
fn one_late_dossier_fails_the_unit_and_is_named() {
    let mut u = good_unit();
    u.dossiers.late.push(LateDossier {
        code: "000.00.20.H34-250114-0001".into(),
        late: LateKind::Finished {
            on: date(2025, 1, 14),
        },
    });
    u.dossiers.late.push(LateDossier {
        code: "000.00.20.H34-251201-0007".into(),
        late: LateKind::Backlog {
            since: date(2025, 12, 22),
        },
    });
    let r = evaluate_collective(&set(), &u);
    assert_eq!(r.verdict, Verdict::NotMet);
    let c = r.result_of("TT3").cloned();
    let c = c.as_ref();
    assert!(c.is_some_and(|c| c.explanation.contains("1 trễ hạn, 1 tồn đọng")));
    let codes: Vec<_> = c
        .map(|c| c.evidence.iter().map(|e| e.what.clone()).collect())
        .unwrap_or_default();
    assert!(codes.contains(&EvidenceRef::Dossier {
        code: "000.00.20.H34-250114-0001".into()
    }));
    assert!(codes.contains(&EvidenceRef::Dossier {
        code: "000.00.20.H34-251201-0007".into()
    }));
}

#[test]
fn evidence_is_capped_but_the_count_is_whole() {
    let mut u = good_unit();
    for i in 0..120 {
        u.dossiers.late.push(LateDossier {
            code: format!("X-{i}"),
            late: LateKind::Finished {
                on: date(2025, 5, 5),
            },
        });
    }
    let r = evaluate_collective(&set(), &u);
    let c = r.result_of("TT3").cloned();
    assert!(
        c.as_ref()
            .is_some_and(|c| c.explanation.contains("120 trễ hạn"))
    );
    // 50 dossiers and the link to the whole list.
    assert_eq!(c.map(|c| c.evidence.len()), Some(51));
}

#[test]
fn discipline_counts_for_a_unit_only_over_reform_tasks() {
    let s = set();
    let mut u = good_unit();
    u.disciplines.push(Discipline {
        id: "kl-1".into(),
        person: "acc-9".into(),
        person_name: "Trần Văn B".into(),
        form: "Khiển trách".into(),
        decision: "Quyết định số 5/QĐ-STP".into(),
        decided_on: date(2025, 4, 1),
        reform_related: false,
    });
    assert_eq!(
        verdict_of(&evaluate_collective(&s, &u), "TT5"),
        Verdict::Met
    );
    u.disciplines[0].reform_related = true;
    let r = evaluate_collective(&s, &u);
    assert_eq!(verdict_of(&r, "TT5"), Verdict::NotMet);
    assert!(
        r.result_of("TT5")
            .is_some_and(|c| c.evidence[0].label.contains("khiển trách"))
    );
}

#[test]
fn a_person_meeting_everything_and_each_failure() {
    let s = set();
    let p = good_person();
    assert_eq!(evaluate_individual(&s, &p).verdict, Verdict::Met);

    let mut q = p.clone();
    q.rating = Some(StaffRating::Completed);
    assert_eq!(
        verdict_of(&evaluate_individual(&s, &q), "CN1"),
        Verdict::NotMet
    );
    q.rating = Some(StaffRating::Excellent);
    assert_eq!(
        verdict_of(&evaluate_individual(&s, &q), "CN1"),
        Verdict::Met
    );
    q.rating = None;
    assert_eq!(
        verdict_of(&evaluate_individual(&s, &q), "CN1"),
        Verdict::NoData
    );

    let mut q = p.clone();
    q.unit_par = Some(89.99);
    assert_eq!(
        verdict_of(&evaluate_individual(&s, &q), "CN2"),
        Verdict::NotMet
    );
    q.unit_par = Some(90.0);
    assert_eq!(
        verdict_of(&evaluate_individual(&s, &q), "CN2"),
        Verdict::Met
    );
    q.unit_par = None;
    assert_eq!(
        verdict_of(&evaluate_individual(&s, &q), "CN2"),
        Verdict::NoData
    );

    let mut q = p.clone();
    q.initiatives[0].recognised_on = date(2024, 12, 30);
    assert_eq!(
        verdict_of(&evaluate_individual(&s, &q), "CN3"),
        Verdict::NotMet,
        "an initiative of the year before does not count"
    );

    let mut q = p.clone();
    q.dossiers.late.push(LateDossier {
        code: "D-1".into(),
        late: LateKind::Finished {
            on: date(2025, 1, 3),
        },
    });
    let r = evaluate_individual(&s, &q);
    assert_eq!(verdict_of(&r, "CN4"), Verdict::NotMet);
    assert_eq!(r.verdict, Verdict::NotMet);

    let mut q = p.clone();
    q.disciplines.push(Discipline {
        id: "kl-2".into(),
        person: "acc-1".into(),
        person_name: "Nguyễn Văn An".into(),
        form: "Cảnh cáo".into(),
        decision: "Quyết định số 9/QĐ-STP".into(),
        decided_on: date(2025, 8, 8),
        reform_related: false,
    });
    assert_eq!(
        verdict_of(&evaluate_individual(&s, &q), "CN5"),
        Verdict::NotMet,
        "any discipline of the person counts"
    );
}

fn facts(code: &str) -> DossierFacts {
    DossierFacts {
        code: code.into(),
        unit: "u".into(),
        procedure: "1.0".into(),
        received_day: Some(date(2024, 12, 20)),
        end: None,
        end_day: None,
        late_from: Some(date(2025, 1, 6)),
        verdict: None,
        online: false,
        full_online_proc: false,
        fee_bearing: false,
        paid_online: false,
        digitised: false,
        reused: false,
        synced: false,
        electronic_result: false,
        supplement_requests: 0,
        used_cd: 0,
        limit_cd: 0,
        rating: None,
    }
}

#[test]
fn a_late_dossier_in_january_counts_in_its_own_year() {
    let end25 = date(2025, 12, 31);
    // Received in December 2024, finished late on 10 January 2025: a 2025 fact.
    let mut f = facts("A");
    f.end = Some(EndKind::Decided);
    f.end_day = Some(date(2025, 1, 10));
    f.verdict = Some(FinishVerdict::Late);
    assert_eq!(
        late_in_year(&f, 2025, end25),
        Some(LateKind::Finished {
            on: date(2025, 1, 10)
        })
    );
    // Not a 2024 one, although it was received then: at 31/12/2024 it was open and not late.
    assert_eq!(late_in_year(&f, 2024, date(2024, 12, 31)), None);
    // Open at the end of 2025, due on 5 January 2026: not late in 2025 …
    let mut g = facts("B");
    g.received_day = Some(date(2025, 12, 22));
    g.late_from = Some(date(2026, 1, 5));
    assert_eq!(late_in_year(&g, 2025, end25), None);
    // … but late in 2026 if still open then, and once finished late in January 2026.
    assert_eq!(
        late_in_year(&g, 2026, date(2026, 12, 31)),
        Some(LateKind::Backlog {
            since: date(2026, 1, 5)
        })
    );
    // Late and open at the end of 2025 (tồn đọng), finished in 2026: a 2025 backlog.
    let mut h = facts("C");
    h.received_day = Some(date(2025, 11, 3));
    h.late_from = Some(date(2025, 12, 1));
    h.end = Some(EndKind::Decided);
    h.end_day = Some(date(2026, 1, 8));
    h.verdict = Some(FinishVerdict::Late);
    assert_eq!(
        late_in_year(&h, 2025, end25),
        Some(LateKind::Backlog {
            since: date(2025, 12, 1)
        })
    );
    // On time: nothing.
    h.verdict = Some(FinishVerdict::OnTime);
    h.end_day = Some(date(2025, 11, 28));
    assert_eq!(late_in_year(&h, 2025, end25), None);
}

fn uid(s: &str) -> UnitId {
    match UnitId::new(s) {
        Ok(id) => id,
        Err(e) => panic!("unit id {s}: {e}"),
    }
}

fn unit(id: &str, kind: UnitKind, parent: Option<&str>, from: Date, to: Option<Date>) -> Unit {
    Unit {
        id: uid(id),
        kind,
        name: id.into(),
        full_name: id.into(),
        gso_code: None,
        parent: parent.map(uid),
        agency_code: {
            static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(10);
            let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            format!("000.00.{n:02}.H34")
        },
        agency_code_generated: true,
        valid_from: from,
        valid_to: to,
        predecessors: Vec::new(),
        schedule: None,
    }
}

#[test]
fn a_unit_merged_mid_year_answers_for_its_predecessors_whole_year() {
    let start = date(2000, 1, 1);
    let merged = date(2025, 7, 1);
    let mut successor = unit("w2025:1", UnitKind::Commune, Some("p"), merged, None);
    successor.predecessors = vec![
        Predecessor {
            id: uid("w:a"),
            kind: MergeKind::Whole,
        },
        Predecessor {
            id: uid("w:b"),
            kind: MergeKind::Whole,
        },
    ];
    let tree = UnitTree::new(vec![
        unit("p", UnitKind::Province, None, start, None),
        unit(
            "d",
            UnitKind::District,
            Some("p"),
            start,
            Some(date(2025, 6, 30)),
        ),
        unit(
            "w:a",
            UnitKind::Commune,
            Some("d"),
            start,
            Some(date(2025, 6, 30)),
        ),
        unit(
            "w:b",
            UnitKind::Commune,
            Some("d"),
            start,
            Some(date(2025, 6, 30)),
        ),
        successor,
    ]);
    let tree = match tree {
        Ok(t) => t,
        Err(e) => panic!("tree: {e}"),
    };
    let members = tree.history_members("w2025:1", date(2025, 1, 1), date(2025, 12, 31));
    assert!(members.contains("w:a") && members.contains("w:b") && members.contains("w2025:1"));
    assert!(!members.contains("d"), "the district is not the ward's");
    // So a dossier of w:a late in March 2025 fails the ward's 2025 criterion: the app maps
    // each late dossier to the participant whose members hold its unit.
    let mut f = facts("W-1");
    f.unit = "w:a".into();
    f.end = Some(EndKind::Decided);
    f.end_day = Some(date(2025, 3, 14));
    f.verdict = Some(FinishVerdict::Late);
    let late = late_in_year(&f, 2025, date(2025, 12, 31));
    assert!(late.is_some() && members.contains(&f.unit));
}

#[test]
fn adjustments_change_a_verdict_and_keep_the_original() {
    let s = set();
    let mut u = good_unit();
    u.par = None;
    let mut results = vec![evaluate_collective(&s, &u)];
    assert_eq!(results[0].verdict, Verdict::NoData);
    let a = Adjustment {
        subject_kind: SubjectKind::Collective,
        subject: "d:stp".into(),
        criterion: "TT2".into(),
        from: Verdict::NoData,
        to: Verdict::Met,
        reason: "Xếp thứ 2 theo Quyết định công bố Chỉ số CCHC năm 2025".into(),
        by: "quantri".into(),
        at: "2026-01-20T09:00:00".into(),
    };
    apply_adjustments(&mut results, std::slice::from_ref(&a));
    assert_eq!(results[0].verdict, Verdict::Met);
    // A second adjustment of the same criterion keeps the evaluation's own verdict as `from`.
    let b = Adjustment {
        to: Verdict::NotMet,
        reason: "Soát lại".into(),
        ..a.clone()
    };
    apply_adjustments(&mut results, &[a, b]);
    let r = results[0].result_of("TT2").and_then(|c| c.adjusted.clone());
    assert_eq!(
        r.as_ref().map(|a| (a.from, a.to)),
        Some((Verdict::NoData, Verdict::NotMet))
    );
    assert_eq!(results[0].verdict, Verdict::NotMet);
}

#[test]
fn forms_follow_subject_and_unit_kind() {
    let s = set();
    let on = date(2025, 12, 31);
    let f = s.form_for(SubjectKind::Collective, UnitKind::Commune, on);
    assert_eq!(f.map(|f| f.id.as_str()), Some("bang-khen-ct-ubnd-tinh"));
    let f = s.form_for(SubjectKind::Individual, UnitKind::Department, on);
    assert_eq!(
        f.map(|f| f.issuer_for("Sở Tư pháp")).as_deref(),
        Some("Giám đốc Sở Tư pháp")
    );
    // The district chairman's Giấy khen ended with the districts.
    assert!(
        s.form_for(SubjectKind::Individual, UnitKind::District, on)
            .is_none()
    );
    assert!(
        s.form_for(
            SubjectKind::Individual,
            UnitKind::District,
            date(2024, 12, 31)
        )
        .is_some()
    );
}
