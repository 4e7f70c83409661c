//! The officer's desk and the leader's board: queues by due time within the unit's scope,
//! overdue / due today / at risk on the working-day calendar, and the board's counts.

use crate::{COMMUNE_A, COMMUNE_B, World, world};
use cchc_app::AppError;
use cchc_app::desk::{DeskItem, ListStatus, Urgency};
use cchc_app::dossiers::{Action, ApplicantInput, ComponentInput, NewDossier};
use cchc_app::{Principal, Role};
use cchc_domain::dossier::{ApplicantKind, Outcome, ResultDoc};
use cchc_domain::procedure::Channel;

fn new_dossier(channel: Channel, receiving: Option<&str>, name: &str) -> NewDossier {
    NewDossier {
        // Đăng ký tạm trú: 3 working days on every channel.
        procedure_code: "1.004194".into(),
        channel,
        applicant: ApplicantInput {
            kind: ApplicantKind::Citizen,
            name: name.into(),
            id_number: "062190001234".into(),
            phone: String::new(),
            email: String::new(),
            address: String::new(),
        },
        components: vec![ComponentInput {
            name: "Tờ khai".into(),
            digitised: false,
            reused: false,
            from_national_data: false,
            file_ref: None,
        }],
        competent_unit: None,
        receiving_unit: receiving.map(Into::into),
    }
}

/// Receives a dossier at the counter at `at`; returns its code and due date.
async fn receive(w: &World, who: &Principal, at: &str, name: &str) -> (String, String) {
    w.set_now(at);
    let r = w
        .app
        .create_dossier(who, new_dossier(Channel::Counter, None, name))
        .await
        .unwrap();
    (r.code, r.view.due.unwrap_or_default())
}

fn codes(items: &[DeskItem]) -> Vec<&str> {
    items.iter().map(|i| i.code.as_str()).collect()
}

#[tokio::test]
async fn desk_queues_by_due_time_on_the_working_day_calendar() {
    let w = world().await;
    let a = &w.officer_a;
    // Another commune's dossier, received first and overdue first: never on A's desk.
    let (other, _) = receive(&w, &w.officer_b, "2025-04-24T07:30:00", "Người xã khác").await;
    // 24/4 (Thu) 08:00 + 3 working days: Thu 7 h, Fri 8 h, Saturday 26/4 is a make-up
    // working day (8 h), Monday 07:00-08:00.
    let (late1, due) = receive(&w, a, "2025-04-24T08:00:00", "Quá hạn một").await;
    assert_eq!(due, "2025-04-28T08:00:00+07:00");
    let (late2, due) = receive(&w, a, "2025-04-24T09:00:00", "Quá hạn hai").await;
    assert_eq!(due, "2025-04-28T09:00:00+07:00");
    // Friday 15:00: Fri 2 h, Sat 8 h, Mon 8 h, Tuesday 07:00-11:30 and 13:30-15:00.
    let (today, due) = receive(&w, a, "2025-04-25T15:00:00", "Hạn hôm nay").await;
    assert_eq!(due, "2025-04-29T15:00:00+07:00");
    // Monday 28/4 08:00: Mon 7 h, Tue 8 h, then 30/4, 1/5, 2/5 and the weekend are off,
    // Mon 5/5 8 h, Tuesday 6/5 07:00-08:00.
    let (soon, due) = receive(&w, a, "2025-04-28T08:00:00", "Sắp đến hạn").await;
    assert_eq!(due, "2025-05-06T08:00:00+07:00");
    // Tuesday 29/4 10:00: due Wednesday 7/5, beyond the second working day after today.
    let (later, due) = receive(&w, a, "2025-04-29T10:00:00", "Còn hạn").await;
    assert_eq!(due, "2025-05-07T10:00:00+07:00");
    w.app
        .act(
            a,
            &later,
            None,
            Action::Assign {
                officer: a.account_id.clone(),
            },
        )
        .await
        .unwrap();
    // An online dossier waiting for acceptance.
    let online = w
        .app
        .create_dossier(
            &w.citizen,
            new_dossier(Channel::Online, Some(COMMUNE_A), "Nộp trực tuyến"),
        )
        .await
        .unwrap()
        .code;

    w.set_now("2025-04-29T10:30:00");
    let desk = w.app.desk(a).await.unwrap();
    // Two working days after Tuesday 29/4: Monday 5/5 and Tuesday 6/5 (30/4-4/5 are off).
    assert_eq!(desk.today_end, "2025-04-30T00:00:00");
    assert_eq!(desk.at_risk_end, "2025-05-07T00:00:00");
    assert_eq!(codes(&desk.overdue.items), [late1.as_str(), late2.as_str()]);
    assert_eq!(desk.overdue.total, 2);
    assert!(
        desk.overdue
            .items
            .iter()
            .all(|i| i.urgency == Urgency::Overdue)
    );
    assert_eq!(codes(&desk.due_today.items), [today.as_str()]);
    assert_eq!(desk.due_today.items[0].urgency, Urgency::DueToday);
    assert_eq!(codes(&desk.due_soon.items), [soon.as_str()]);
    assert_eq!(desk.due_soon.items[0].urgency, Urgency::AtRisk);
    assert_eq!(codes(&desk.awaiting_acceptance.items), [online.as_str()]);
    assert_eq!(codes(&desk.assigned_to_me.items), [later.as_str()]);
    let mine = &desk.assigned_to_me.items[0];
    assert_eq!(mine.urgency, Urgency::Later);
    assert_eq!(mine.assignee_name.as_deref(), Some("Người dùng canbo.a"));
    assert_eq!(mine.procedure_code, "1.004194");
    assert!(!mine.procedure_name.is_empty());
    let everything: Vec<&str> = [
        &desk.overdue,
        &desk.due_today,
        &desk.due_soon,
        &desk.awaiting_acceptance,
        &desk.assigned_to_me,
    ]
    .iter()
    .flat_map(|q| codes(&q.items))
    .collect();
    assert!(!everything.contains(&other.as_str()), "{everything:?}");

    // The other commune's desk has its dossier and none of A's.
    let desk_b = w.app.desk(&w.officer_b).await.unwrap();
    assert_eq!(codes(&desk_b.overdue.items), [other.as_str()]);
    assert!(desk_b.due_soon.items.is_empty() && desk_b.awaiting_acceptance.items.is_empty());

    // Once the soon one is due today, it moves; after its due instant it is overdue.
    w.set_now("2025-05-06T07:30:00");
    let desk = w.app.desk(a).await.unwrap();
    assert!(codes(&desk.due_today.items).contains(&soon.as_str()));
    w.set_now("2025-05-06T08:00:01");
    let desk = w.app.desk(a).await.unwrap();
    assert_eq!(codes(&desk.overdue.items).last(), Some(&soon.as_str()));
    // A citizen has no desk.
    assert!(matches!(
        w.app.desk(&w.citizen).await,
        Err(AppError::Forbidden(_))
    ));
}

#[tokio::test]
async fn the_at_risk_horizon_skips_weekends_and_holidays() {
    let w = world().await;
    let tree = w.app.units().unwrap();
    let unit = tree.get(COMMUNE_A).unwrap();
    let h = |at: &str| {
        let h = w.app.horizons(unit, at.parse().unwrap()).unwrap();
        (h.today_end.to_string(), h.at_risk_end.to_string())
    };
    // Friday 7/3/2025: Monday and Tuesday are the two working days after it.
    assert_eq!(
        h("2025-03-07T16:00:00"),
        ("2025-03-08T00:00:00".into(), "2025-03-12T00:00:00".into())
    );
    // Wednesday: Thursday and Friday.
    assert_eq!(h("2025-03-05T09:00:00").1, "2025-03-08T00:00:00");
    // Friday 25/4/2025: Saturday 26/4 is a make-up working day, then Monday 28/4.
    assert_eq!(h("2025-04-25T09:00:00").1, "2025-04-29T00:00:00");
    let horizon = w
        .app
        .horizons(unit, "2025-04-29T10:00:00".parse().unwrap())
        .unwrap();
    assert_eq!(
        horizon.classify(Some("2025-04-29T09:59:59")),
        Urgency::Overdue
    );
    assert_eq!(
        horizon.classify(Some("2025-04-29T16:00:00")),
        Urgency::DueToday
    );
    assert_eq!(
        horizon.classify(Some("2025-05-06T16:59:00")),
        Urgency::AtRisk
    );
    assert_eq!(
        horizon.classify(Some("2025-05-07T08:00:00")),
        Urgency::Later
    );
    assert_eq!(horizon.classify(None), Urgency::NoDue);
}

#[tokio::test]
async fn the_board_counts_the_units_dossiers_for_leaders_only() {
    let w = world().await;
    let a = &w.officer_a;
    let (waiting, _) = receive(&w, a, "2025-03-03T08:00:00", "Chờ phân công").await;
    let (held, _) = receive(&w, a, "2025-03-03T08:10:00", "Đang xử lý").await;
    let (paused, _) = receive(&w, a, "2025-03-03T08:20:00", "Chờ bổ sung").await;
    let (on_time, _) = receive(&w, a, "2025-03-03T08:30:00", "Đúng hạn").await;
    let (late, _) = receive(&w, a, "2025-03-03T08:40:00", "Trễ hạn").await;
    receive(&w, &w.officer_b, "2025-03-03T08:00:00", "Xã khác").await;
    w.app
        .create_dossier(
            &w.citizen,
            new_dossier(Channel::Online, Some(COMMUNE_A), "Trực tuyến"),
        )
        .await
        .unwrap();
    let assign = Action::Assign {
        officer: a.account_id.clone(),
    };
    w.set_now("2025-03-03T09:00:00");
    w.app.act(a, &held, None, assign.clone()).await.unwrap();
    w.app.act(a, &on_time, None, assign.clone()).await.unwrap();
    w.app
        .act(
            a,
            &paused,
            None,
            Action::RequestSupplement {
                items: vec!["Bản sao giấy tờ tùy thân".into()],
                note: String::new(),
            },
        )
        .await
        .unwrap();
    let decide = Action::Decide {
        outcome: Outcome::Approved,
        note: String::new(),
        results: vec![ResultDoc {
            name: "Xác nhận tạm trú".into(),
            electronic: true,
            file_ref: None,
        }],
    };
    w.set_now("2025-03-05T10:00:00");
    w.app.act(a, &on_time, None, decide.clone()).await.unwrap();
    w.set_now("2025-03-07T10:00:00");
    w.app.act(a, &late, None, decide).await.unwrap();
    // Friday 7/3 08:00: due Wednesday 12/3 08:00.
    let (risky, due) = receive(&w, a, "2025-03-07T08:00:00", "Sắp đến hạn").await;
    assert_eq!(due, "2025-03-12T08:00:00+07:00");

    w.set_now("2025-03-10T09:00:00");
    let board = w.app.board(&w.leader_a).await.unwrap();
    let count = |code: u8| {
        board
            .status_counts
            .iter()
            .find(|c| c.code == code)
            .map(|c| c.count)
    };
    assert_eq!(count(1), Some(1), "online, waiting for acceptance");
    assert_eq!(count(2), Some(2), "received, not assigned");
    assert_eq!(count(4), Some(1));
    assert_eq!(count(5), Some(1));
    assert_eq!(count(6), Some(0));
    assert_eq!(board.in_progress, 5);
    // Due 6/3: both still open ones received on 3/3 are late; the paused one has no due date.
    assert_eq!(codes(&board.late.items), [waiting.as_str(), held.as_str()]);
    assert_eq!(codes(&board.at_risk.items), [risky.as_str()]);
    assert_eq!(board.at_risk_end, "2025-03-13T00:00:00");
    let officer = board
        .load
        .iter()
        .find(|l| l.account_id == a.account_id)
        .unwrap();
    assert_eq!((officer.open, officer.late), (1, 1));
    assert_eq!(officer.name, "Người dùng canbo.a");
    let leader = board
        .load
        .iter()
        .find(|l| l.account_id == w.leader_a.account_id)
        .unwrap();
    assert_eq!(leader.open, 0, "every officer of the unit is listed");
    assert!(
        !board
            .load
            .iter()
            .any(|l| l.account_id == w.officer_b.account_id),
        "another commune's officer is not on the board"
    );
    assert_eq!(board.unassigned, 3, "received, risky and paused");
    assert_eq!(board.month_label, "03/2025");
    assert_eq!(
        (board.finished, board.finished_on_time, board.finished_late),
        (2, 1, 1)
    );
    assert_eq!(board.closed_without_result, 0);
    // Officers get no board.
    assert!(matches!(w.app.board(a).await, Err(AppError::Forbidden(_))));

    // Staff lists: the unit's officers and leader only; assignable staff of a dossier likewise.
    let staff = w.app.unit_staff(&w.leader_a).await.unwrap();
    let mut names: Vec<&str> = staff.iter().map(|s| s.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["Người dùng canbo.a", "Người dùng lanhdao.a"]);
    assert!(staff.iter().any(|s| s.role == Role::Leader));
    let assignable = w.app.assignable_staff(a, &waiting).await.unwrap();
    assert_eq!(assignable.len(), 2);
    assert!(matches!(
        w.app.assignable_staff(&w.officer_b, &waiting).await,
        Err(AppError::Forbidden(_))
    ));
    // Forwarding targets: active units of the province, not the one holding the dossier.
    let targets = w.app.forward_targets(a, COMMUNE_A).unwrap();
    assert!(targets.iter().any(|u| u.id == COMMUNE_B));
    assert!(!targets.iter().any(|u| u.id == COMMUNE_A));
}

#[tokio::test]
async fn search_and_control_sheet_stay_within_scope() {
    let w = world().await;
    let a = &w.officer_a;
    let (code, _) = receive(&w, a, "2025-03-03T08:00:00", "Trần Văn Tìm").await;
    receive(&w, &w.officer_b, "2025-03-03T08:00:00", "Trần Văn Khác").await;
    let (total, items) = w
        .app
        .search_desk(a, ListStatus::All, "Trần", 1, 20)
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(items[0].code, code);
    let (total, _) = w
        .app
        .search_desk(a, ListStatus::One(10), "", 1, 20)
        .await
        .unwrap();
    assert_eq!(total, 0);
    w.set_now("2025-03-03T09:00:00");
    w.app
        .act(
            a,
            &code,
            None,
            Action::Assign {
                officer: w.leader_a.account_id.clone(),
            },
        )
        .await
        .unwrap();
    let (record, steps) = w.app.control_sheet(a, &code).await.unwrap();
    assert_eq!(record.events.len(), 2);
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[1].to_person, "Người dùng lanhdao.a");
    assert_eq!(
        steps[1].step_deadline.map(|d| d.to_string()).as_deref(),
        Some("2025-03-06T08:00:00")
    );
    assert_eq!(
        steps[1].verdict,
        Some(cchc_domain::calendar::Verdict::Early)
    );
    assert!(matches!(
        w.app.control_sheet(&w.officer_b, &code).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        w.app.control_sheet(&w.citizen, &code).await,
        Err(AppError::NotFound(_))
    ));
    assert!(w.app.dossier_record(&w.officer_b, &code).await.is_err());
    // Sent on to the other commune: held there now, still found by a search here.
    let (in_progress, _) = w
        .app
        .search_desk(a, ListStatus::InProgress, "", 1, 20)
        .await
        .unwrap();
    assert_eq!(in_progress, 1);
    w.app
        .act(
            a,
            &code,
            None,
            Action::Forward {
                to_unit: COMMUNE_B.into(),
                reason: "Đúng thẩm quyền của phường Duy Tân".into(),
            },
        )
        .await
        .unwrap();
    let (held, _) = w
        .app
        .search_desk(a, ListStatus::InProgress, "", 1, 20)
        .await
        .unwrap();
    assert_eq!(held, 0);
    let (found, _) = w
        .app
        .search_desk(a, ListStatus::All, "Trần Văn Tìm", 1, 20)
        .await
        .unwrap();
    assert_eq!(found, 1);
    let (_, items) = w
        .app
        .search_desk(&w.officer_b, ListStatus::InProgress, "", 1, 20)
        .await
        .unwrap();
    assert!(items.iter().any(|i| i.code == code));
    let (_, steps) = w.app.control_sheet(a, &code).await.unwrap();
    assert_eq!(steps[2].to_unit, "Phường Duy Tân");
}
