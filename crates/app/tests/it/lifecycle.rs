use crate::{COMMUNE_A, COMMUNE_B, world};
use cchc_app::AppError;
use cchc_app::dossiers::{Action, ApplicantInput, ComponentInput, ListQuery, NewDossier};
use cchc_domain::dossier::{ApplicantKind, Outcome, ResultDoc};
use cchc_domain::procedure::Channel;

pub(crate) fn new_dossier(channel: Channel, receiving: Option<&str>) -> NewDossier {
    NewDossier {
        // Đăng ký tạm trú: 3 working days on every channel, 10,000 đồng.
        procedure_code: "1.004194".into(),
        channel,
        applicant: ApplicantInput {
            kind: ApplicantKind::Citizen,
            name: "Nguyễn Thị Hoa".into(),
            id_number: "062190001234".into(),
            phone: "0905123456".into(),
            email: "hoa@example.vn".into(),
            address: "Phường Quang Trung, Kon Tum".into(),
        },
        components: vec![ComponentInput {
            name: "Tờ khai thay đổi thông tin cư trú".into(),
            digitised: true,
            reused: false,
            from_national_data: false,
            file_ref: None,
        }],
        competent_unit: None,
        receiving_unit: receiving.map(Into::into),
    }
}

#[tokio::test]
async fn whole_life_at_the_counter_with_supplement_payment_and_rating() {
    let w = world().await;
    w.set_now("2025-03-03T08:00:00");
    let receipt = w
        .app
        .create_dossier(&w.officer_a, new_dossier(Channel::Counter, None))
        .await
        .unwrap();
    // Code: the commune's agency code, the day, the sequence.
    assert!(receipt.code.ends_with("-250303-0001"), "{}", receipt.code);
    // 3 working days = 24 working hours: Monday 7 h, Tuesday 8, Wednesday 8, Thursday 07:00-08:00.
    assert_eq!(
        receipt.view.due.as_deref(),
        Some("2025-03-06T08:00:00+07:00")
    );
    let code = receipt.code.clone();
    let a = &w.officer_a;
    w.set_now("2025-03-03T09:00:00");
    w.app
        .act(
            a,
            &code,
            None,
            Action::Assign {
                officer: a.account_id.clone(),
            },
        )
        .await
        .unwrap();
    w.set_now("2025-03-03T10:00:00");
    let v = w
        .app
        .act(
            a,
            &code,
            None,
            Action::RequestSupplement {
                items: vec!["Giấy tờ chứng minh chỗ ở hợp pháp".into()],
                note: String::new(),
            },
        )
        .await
        .unwrap();
    assert_eq!(v.status_code, 5);
    assert_eq!(v.due, None, "paused while waiting for the citizen");
    w.set_now("2025-03-05T10:00:00");
    let v = w
        .app
        .act(
            &w.officer_a,
            &code,
            None,
            Action::ReceiveSupplement {
                note: "Công dân nộp bổ sung tại quầy".into(),
            },
        )
        .await
        .unwrap();
    // Paused Mon 10:00 → Wed 10:00 = 16 working hours: the due moves by two working days.
    let due_after = v.due.clone().unwrap();
    assert!(
        due_after.as_str() > receipt.view.due.as_deref().unwrap(),
        "{due_after}"
    );
    w.set_now("2025-03-05T11:00:00");
    w.app
        .act(
            a,
            &code,
            None,
            Action::RequestPayment {
                amount: 10_000,
                note: String::new(),
            },
        )
        .await
        .unwrap();
    w.set_now("2025-03-05T14:00:00");
    w.app
        .act(
            a,
            &code,
            None,
            Action::Pay {
                amount: 10_000,
                method: "Tiền mặt".into(),
                online: false,
                reference: "BL-001".into(),
            },
        )
        .await
        .unwrap();
    w.set_now("2025-03-06T09:00:00");
    let results = vec![ResultDoc {
        name: "Xác nhận đăng ký tạm trú".into(),
        electronic: true,
        file_ref: None,
    }];
    w.app
        .act(
            a,
            &code,
            None,
            Action::Decide {
                outcome: Outcome::Approved,
                note: String::new(),
                results,
            },
        )
        .await
        .unwrap();
    w.set_now("2025-03-06T10:00:00");
    let v = w
        .app
        .act(
            a,
            &code,
            None,
            Action::Return {
                method: Channel::Counter,
            },
        )
        .await
        .unwrap();
    assert_eq!(v.status_code, 10);
    assert!(!v.late);
    // Rating is the citizen's; this dossier has no online owner, so the officer cannot rate.
    let err = w
        .app
        .act(
            a,
            &code,
            None,
            Action::Rate {
                score: 5,
                comment: String::new(),
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err}");

    // History: every step, chained; the public lookup shows steps but no personal data.
    let history = w.app.history(a, &code).await.unwrap();
    assert_eq!(history.len(), 8);
    let public = w.app.public_lookup(&code, &receipt.secret).await.unwrap();
    assert_eq!(public.status_code, 10);
    assert_eq!(public.steps.len(), 8);
    let json = serde_json::to_string(&public).unwrap();
    assert!(
        !json.contains("Nguyễn Thị Hoa")
            && !json.contains("062190001234")
            && !json.contains("0905123456"),
        "{json}"
    );
    // A wrong secret and an unknown code look the same.
    let wrong = w
        .app
        .public_lookup(&code, "WRONG")
        .await
        .unwrap_err()
        .to_string();
    let unknown = w
        .app
        .public_lookup("000.00.00.H00-250303-0001", &receipt.secret)
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(wrong, unknown);
    assert_eq!(w.app.store().audit_verify().await.unwrap().broken.len(), 0);
}

#[tokio::test]
async fn online_submission_rating_and_ownership() {
    let w = world().await;
    w.set_now("2025-03-07T20:00:00");
    let receipt = w
        .app
        .create_dossier(&w.citizen, new_dossier(Channel::Online, Some(COMMUNE_A)))
        .await
        .unwrap();
    assert_eq!(receipt.view.status_code, 1);
    assert_eq!(receipt.view.due, None, "the clock starts at acceptance");
    let code = receipt.code.clone();
    // Another citizen cannot see it; the owner can.
    assert!(matches!(
        w.app.dossier(&w.other_citizen, &code).await,
        Err(AppError::NotFound(_))
    ));
    assert!(w.app.dossier(&w.citizen, &code).await.is_ok());
    // Officer of another commune cannot accept it.
    w.set_now("2025-03-10T08:00:00");
    assert!(matches!(
        w.app.act(&w.officer_b, &code, None, Action::Accept).await,
        Err(AppError::Forbidden(_))
    ));
    let v = w
        .app
        .act(&w.officer_a, &code, None, Action::Accept)
        .await
        .unwrap();
    assert_eq!(v.due.as_deref(), Some("2025-03-13T08:00:00+07:00"));
    // A citizen may not decide their own dossier (told so: it is theirs), nor see another's.
    let decide = Action::Decide {
        outcome: Outcome::Rejected,
        note: "x".into(),
        results: vec![],
    };
    assert!(matches!(
        w.app.act(&w.citizen, &code, None, decide.clone()).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        w.app
            .act(&w.other_citizen, &code, None, decide.clone())
            .await,
        Err(AppError::NotFound(_))
    ));
    w.app.act(&w.officer_a, &code, None, decide).await.unwrap();
    w.app
        .act(
            &w.officer_a,
            &code,
            None,
            Action::Return {
                method: Channel::Online,
            },
        )
        .await
        .unwrap();
    let v = w
        .app
        .act(
            &w.citizen,
            &code,
            None,
            Action::Rate {
                score: 4,
                comment: "Nhanh".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(v.dossier.rating, Some((4, "Nhanh".into())));
    // Only once.
    assert!(
        w.app
            .act(
                &w.citizen,
                &code,
                None,
                Action::Rate {
                    score: 5,
                    comment: String::new()
                }
            )
            .await
            .is_err()
    );
    // Listing: the citizen sees own dossiers only; officer B sees none of A's.
    let mine = w
        .app
        .list_dossiers(&w.citizen, ListQuery::default())
        .await
        .unwrap();
    assert_eq!(mine.total, 1);
    assert_eq!(
        w.app
            .list_dossiers(&w.other_citizen, ListQuery::default())
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        w.app
            .list_dossiers(&w.officer_b, ListQuery::default())
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        w.app
            .list_dossiers(&w.officer_a, ListQuery::default())
            .await
            .unwrap()
            .total,
        1
    );
    let _ = COMMUNE_B;
}

#[tokio::test]
async fn late_dossier_needs_a_leader_to_apologise() {
    let w = world().await;
    w.set_now("2025-03-03T08:00:00");
    let r = w
        .app
        .create_dossier(&w.officer_a, new_dossier(Channel::Counter, None))
        .await
        .unwrap();
    w.set_now("2025-03-10T08:00:00");
    let v = w.app.dossier(&w.officer_a, &r.code).await.unwrap();
    assert!(v.late, "due {:?}", v.due);
    let extend = Action::Extend {
        new_due: "2025-03-12T17:00:00".parse().unwrap(),
        reason: "Chờ xác minh của công an tỉnh".into(),
    };
    assert!(matches!(
        w.app.act(&w.officer_a, &r.code, None, extend.clone()).await,
        Err(AppError::Forbidden(_))
    ));
    let v = w.app.act(&w.leader_a, &r.code, None, extend).await.unwrap();
    assert_eq!(v.due.as_deref(), Some("2025-03-12T17:00:00+07:00"));
    assert!(!v.late);
    let public = w.app.public_lookup(&r.code, &r.secret).await.unwrap();
    assert_eq!(public.apologies.len(), 1);
    assert!(public.apologies[0].reason.contains("xác minh"));
}

#[tokio::test]
async fn bad_input_changes_nothing() {
    let w = world().await;
    let r = w
        .app
        .create_dossier(&w.officer_a, new_dossier(Channel::Counter, None))
        .await
        .unwrap();
    let before = w.app.history(&w.officer_a, &r.code).await.unwrap().len();
    let cases: Vec<Action> = vec![
        Action::Return {
            method: Channel::Counter,
        },
        Action::RequestSupplement {
            items: vec![],
            note: String::new(),
        },
        Action::Assign {
            officer: "acc-nobody".into(),
        },
        Action::Assign {
            officer: w.officer_b.account_id.clone(),
        },
        Action::Forward {
            to_unit: "w:99999".into(),
            reason: String::new(),
        },
        Action::RequestPayment {
            amount: -5,
            note: String::new(),
        },
        Action::Accept,
    ];
    for action in cases {
        let err = w
            .app
            .act(&w.officer_a, &r.code, None, action.clone())
            .await
            .unwrap_err();
        assert!(
            matches!(err, AppError::Invalid(_) | AppError::NotFound(_)),
            "{action:?}: {err}"
        );
    }
    // A stale version is a conflict.
    assert!(matches!(
        w.app
            .act(
                &w.officer_a,
                &r.code,
                Some(99),
                Action::Assign {
                    officer: w.officer_a.account_id.clone()
                }
            )
            .await,
        Err(AppError::Conflict(_))
    ));
    assert_eq!(
        w.app.history(&w.officer_a, &r.code).await.unwrap().len(),
        before
    );
    // Bad intake data.
    let mut bad = new_dossier(Channel::Counter, None);
    bad.applicant.name = "  ".into();
    assert!(matches!(
        w.app.create_dossier(&w.officer_a, bad).await,
        Err(AppError::Invalid(_))
    ));
    let mut bad = new_dossier(Channel::Counter, None);
    bad.procedure_code = "9.999999".into();
    assert!(matches!(
        w.app.create_dossier(&w.officer_a, bad).await,
        Err(AppError::NotFound(_))
    ));
    let mut bad = new_dossier(Channel::Counter, None);
    bad.applicant.email = "not an email".into();
    assert!(matches!(
        w.app.create_dossier(&w.officer_a, bad).await,
        Err(AppError::Invalid(_))
    ));
    // A citizen cannot receive at the counter; an officer cannot submit online.
    assert!(matches!(
        w.app
            .create_dossier(&w.citizen, new_dossier(Channel::Counter, None))
            .await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        w.app
            .create_dossier(&w.officer_a, new_dossier(Channel::Online, Some(COMMUNE_A)))
            .await,
        Err(AppError::Forbidden(_))
    ));
    assert_eq!(
        w.app
            .list_dossiers(&w.officer_a, ListQuery::default())
            .await
            .unwrap()
            .total,
        1
    );
}

#[tokio::test]
async fn diacritics_insensitive_search() {
    let w = world().await;
    let page = w
        .app
        .search_procedures("dang ky khai sinh", 1, 50)
        .await
        .unwrap();
    assert!(
        page.items.iter().any(|p| p.code == "1.001193"),
        "{}",
        page.total
    );
    let page = w.app.search_procedures("1.001193", 1, 10).await.unwrap();
    assert_eq!(page.items[0].code, "1.001193");
    let page = w
        .app
        .search_procedures("Đăng ký tạm trú", 1, 10)
        .await
        .unwrap();
    assert!(page.items.iter().any(|p| p.code == "1.004194"));
}

#[tokio::test]
async fn a_citizen_cannot_record_a_payment_without_the_gateway() {
    let w = world().await;
    w.set_now("2025-03-03T08:00:00");
    let receipt = w
        .app
        .create_dossier(&w.citizen, new_dossier(Channel::Online, Some(COMMUNE_A)))
        .await
        .unwrap();
    let pay = Action::Pay {
        amount: 7_000,
        method: "tự khai".into(),
        online: true,
        reference: "X".into(),
    };
    let err = w
        .app
        .act(&w.citizen, &receipt.code, None, pay.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err}");
    let err = w
        .app
        .act(&w.other_citizen, &receipt.code, None, pay)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err}");
    let view = w.app.dossier(&w.citizen, &receipt.code).await.unwrap();
    assert!(view.dossier.payments.is_empty());
    assert_eq!(view.dossier.version, 1);
}
