//! Citizen feedback (PAKN) through the real store: the whole lifecycle with the deadlines,
//! wrong roles and impossible transitions refused with nothing changed, the follower's secret,
//! publishing without personal data, and the figures for the indicators.

use crate::{COMMUNE_A, COMMUNE_B, world};
use cchc_app::pakn::{Follower, NewPakn};
use cchc_app::{AppError, Principal};
use cchc_domain::pakn::Status;

fn anonymous(category: &str) -> NewPakn {
    NewPakn {
        category: category.into(),
        subject: "don-vi".into(),
        unit: COMMUNE_A.into(),
        body: "Cán bộ tiếp nhận yêu cầu nộp thêm bản sao không có trong quy định.".into(),
        name: "Nguyễn Văn Bình".into(),
        phone: "0905 123 456".into(),
        consent: true,
        ..NewPakn::default()
    }
}

async fn events(w: &crate::World, code: &str) -> usize {
    w.app.store().pakn_events(code).await.unwrap().len()
}

#[tokio::test]
async fn lifecycle_with_deadlines_publishing_and_rating() {
    let w = world().await;
    let admin = Principal::system();
    w.set_now("2025-03-03T08:00:00");
    let r = w
        .app
        .submit_pakn(None, anonymous("nhung-nhieu"), Vec::new())
        .await
        .unwrap();
    assert!(r.flagged && r.code.starts_with("PAKN-250303-"));
    // Flagged at once on the named unit's board and the province board.
    let b = w.app.pakn_board(&w.leader_a, None).await.unwrap();
    assert!(b.flagged.iter().any(|s| s.code == r.code));
    let p = w.app.pakn_board(&admin, None).await.unwrap();
    assert!(p.flagged.iter().any(|s| s.code == r.code));
    // The follower sees no contacts; staff do.
    let v = w
        .app
        .pakn_follow(&r.code, Follower::Secret(&r.secret))
        .await
        .unwrap();
    assert_eq!(v.contact_phone, None);
    assert_eq!(v.state.status, Status::Received);
    let v = w.app.pakn_view(&w.officer_a, &r.code).await.unwrap();
    assert_eq!(v.contact_phone.as_deref(), Some("0905 123 456"));
    assert!(
        w.app
            .pakn_follow(&r.code, Follower::Secret("SAI"))
            .await
            .is_err()
    );

    w.set_now("2025-03-03T09:00:00");
    w.app
        .pakn_forward(
            &admin,
            &r.code,
            "nhung-nhieu",
            "",
            COMMUNE_A,
            "Chuyển UBND phường",
        )
        .await
        .unwrap();
    // Ask for information: the answer's deadline moves by the paused working time.
    w.set_now("2025-03-04T09:00:00");
    let before = w
        .app
        .store()
        .pakn(&r.code)
        .await
        .unwrap()
        .unwrap()
        .process_due;
    w.app
        .pakn_ask_info(&w.officer_a, &r.code, "Xin cho biết ngày đến làm thủ tục")
        .await
        .unwrap();
    w.set_now("2025-03-05T09:00:00");
    w.app
        .pakn_provide_info(
            Follower::Secret(&r.secret),
            &r.code,
            "Ngày 28/02/2025",
            Vec::new(),
        )
        .await
        .unwrap();
    let after = w
        .app
        .store()
        .pakn(&r.code)
        .await
        .unwrap()
        .unwrap()
        .process_due;
    assert_eq!(before.as_deref(), Some("2025-03-24T09:00:00"));
    assert_eq!(after.as_deref(), Some("2025-03-25T09:00:00"));

    w.set_now("2025-03-10T10:00:00");
    w.app
        .pakn_answer(
            &w.officer_a,
            &r.code,
            "Đã kiểm điểm cán bộ, hoàn trả chi phí sao y.",
        )
        .await
        .unwrap();
    // Answering twice changes nothing.
    let n = events(&w, &r.code).await;
    assert!(matches!(
        w.app.pakn_answer(&w.officer_a, &r.code, "Lần hai").await,
        Err(AppError::Invalid(_))
    ));
    assert_eq!(events(&w, &r.code).await, n);
    // An officer may not publish; a text carrying the phone is refused; the leader publishes.
    assert!(matches!(
        w.app.pakn_publish(&w.officer_a, &r.code, "", "").await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        w.app
            .pakn_publish(&w.leader_a, &r.code, "Gọi 0905 123 456", "")
            .await,
        Err(AppError::Invalid(_))
    ));
    w.app
        .pakn_publish(&w.leader_a, &r.code, "", "")
        .await
        .unwrap();
    let list = w.app.pakn_published("kiem diem", None, None).await.unwrap();
    assert_eq!(list.len(), 1);
    assert!(!list[0].question.contains("Bình"));
    w.app
        .pakn_rate(Follower::Secret(&r.secret), &r.code, "5", "Cảm ơn")
        .await
        .unwrap();
    assert!(
        w.app
            .pakn_rate(Follower::Secret(&r.secret), &r.code, "4", "")
            .await
            .is_err()
    );
    let row = w.app.store().pakn(&r.code).await.unwrap().unwrap();
    assert_eq!(row.status, "da-cong-khai");
    assert_eq!(row.answered_late, Some(false));
    assert_eq!(events(&w, &r.code).await, 7);

    let m = w
        .app
        .pakn_measures(
            &[COMMUNE_A.to_owned(), COMMUNE_B.to_owned()],
            "2025-03-01".parse().unwrap(),
            "2025-03-31".parse().unwrap(),
        )
        .await
        .unwrap();
    let a = m[0].1;
    assert_eq!(
        (
            a.received,
            a.answered_on_time,
            a.rated,
            a.rated_satisfied,
            a.published
        ),
        (1, 1, 1, 1, 1)
    );
    assert_eq!(m[1].1, Default::default());

    // Indicators 5.1-5.3 (set 766-2022.2) read the same figures for the unit's scorecard.
    let march: cchc_domain::indicator::Period = "2025-03".parse().unwrap();
    let card = w
        .app
        .unit_scorecard(&admin, COMMUNE_A, &march)
        .await
        .unwrap();
    assert_eq!(card.card.version, "766-2022.2");
    let ratio = |code: &str| {
        let r = card.card.result(code).unwrap();
        (r.numerator, r.denominator, r.points)
    };
    assert_eq!(ratio("5.1"), (1, 1, Some(2.0)), "published with consent");
    assert_eq!(ratio("5.2"), (1, 1, Some(2.0)), "answered on time");
    assert_eq!(ratio("5.3"), (1, 1, Some(2.0)), "rated 4-5");
    // Commune B had no feedback: not applicable, not zero.
    let card_b = w
        .app
        .unit_scorecard(&admin, COMMUNE_B, &march)
        .await
        .unwrap();
    assert_eq!(card_b.card.result("5.2").unwrap().points, None);
    // Its items are on the PAKN board, not in the dossier drill-down.
    assert!(matches!(
        w.app
            .drill(
                &admin,
                COMMUNE_A,
                &march,
                "5.2",
                cchc_app::indicators::Part::Numerator,
                10
            )
            .await,
        Err(AppError::Invalid(_))
    ));
}

#[tokio::test]
async fn wrong_roles_and_bad_input_change_nothing() {
    let w = world().await;
    let admin = Principal::system();
    w.set_now("2025-03-03T08:00:00");
    // No contact when anonymous; a too-long text; a bad category; staff accounts.
    let mut bad = anonymous("thai-do");
    bad.phone.clear();
    assert!(w.app.submit_pakn(None, bad, Vec::new()).await.is_err());
    let mut bad = anonymous("thai-do");
    bad.body = "x".repeat(5000);
    assert!(w.app.submit_pakn(None, bad, Vec::new()).await.is_err());
    assert!(
        w.app
            .submit_pakn(None, anonymous("la"), Vec::new())
            .await
            .is_err()
    );
    assert!(
        w.app
            .submit_pakn(Some(&w.officer_a), anonymous("thai-do"), Vec::new())
            .await
            .is_err()
    );
    // An oversized or unknown file.
    let big = cchc_app::files::Upload {
        component: "Tệp".into(),
        file_name: "a.pdf".into(),
        content: [b"%PDF-".as_slice(), &vec![0u8; 6 * 1024 * 1024]].concat(),
    };
    assert!(
        w.app
            .submit_pakn(None, anonymous("thai-do"), vec![big])
            .await
            .is_err()
    );
    assert_eq!(w.app.store().pakn_count().await.unwrap(), 0);

    // A signed-in citizen: no phone needed, followed through the account.
    let mut mine = anonymous("cham-tre");
    mine.phone.clear();
    mine.consent = false;
    let r = w
        .app
        .submit_pakn(Some(&w.citizen), mine, Vec::new())
        .await
        .unwrap();
    assert!(!r.flagged);
    assert_eq!(w.app.my_pakn(&w.citizen).await.unwrap().len(), 1);
    assert!(w.app.my_pakn(&w.other_citizen).await.unwrap().is_empty());
    assert!(w.app.pakn_view(&w.other_citizen, &r.code).await.is_err());
    // Only the reform office forwards; the other commune's officer cannot act.
    assert!(matches!(
        w.app
            .pakn_forward(&w.officer_a, &r.code, "cham-tre", "", COMMUNE_A, "")
            .await,
        Err(AppError::Forbidden(_))
    ));
    // Answering or rating before forwarding/answering.
    assert!(
        w.app
            .pakn_answer(&w.officer_a, &r.code, "Trả lời")
            .await
            .is_err()
    );
    assert!(
        w.app
            .pakn_rate(Follower::Account(&w.citizen), &r.code, "5", "")
            .await
            .is_err()
    );
    assert_eq!(events(&w, &r.code).await, 1);
    w.app
        .pakn_forward(&admin, &r.code, "cham-tre", "", COMMUNE_A, "")
        .await
        .unwrap();
    assert!(matches!(
        w.app.pakn_answer(&w.officer_b, &r.code, "Trả lời").await,
        Err(AppError::Forbidden(_))
    ));
    assert!(
        w.app
            .pakn_board(&w.officer_b, Some(COMMUNE_A))
            .await
            .is_err()
    );
    // Too-short reason; the answer without consent cannot be published.
    assert!(
        w.app
            .pakn_refuse(&w.officer_a, &r.code, "không")
            .await
            .is_err()
    );
    w.app
        .pakn_answer(
            &w.officer_a,
            &r.code,
            "Hồ sơ đã được giải quyết ngày 05/03.",
        )
        .await
        .unwrap();
    assert!(w.app.pakn_publish(&admin, &r.code, "", "").await.is_err());
    assert_eq!(events(&w, &r.code).await, 3);

    // Overdue: never classified, two working days later it is on the province board.
    let late = w
        .app
        .submit_pakn(None, anonymous("thai-do"), Vec::new())
        .await
        .unwrap();
    w.set_now("2025-03-06T08:00:00");
    let b = w.app.pakn_board(&admin, None).await.unwrap();
    assert!(b.overdue.iter().any(|s| s.code == late.code));
    let b = w.app.pakn_board(&w.officer_a, None).await.unwrap();
    assert!(b.overdue.iter().any(|s| s.code == late.code));
}
