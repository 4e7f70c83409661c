use crate::{COMMUNE_A, World, world};
use cchc_app::AppError;
use cchc_app::dossiers::{Action, ApplicantInput, NewDossier};
use cchc_app::payments::{PaymentGateway, PaymentStatus, SandboxGateway};
use cchc_domain::dossier::{ApplicantKind, Outcome, ResultDoc};
use cchc_domain::procedure::Channel;

fn gateway() -> SandboxGateway {
    SandboxGateway::new(b"0123456789abcdef0123456789abcdef".to_vec()).unwrap()
}

/// An online dossier of Đăng ký tạm trú (online fee 7.000 đồng) accepted and assigned by the
/// commune's officer.
async fn online_dossier(w: &World) -> String {
    w.set_now("2025-03-03T08:00:00");
    let receipt = w
        .app
        .create_dossier(
            &w.citizen,
            NewDossier {
                procedure_code: "1.004194".into(),
                channel: Channel::Online,
                applicant: ApplicantInput {
                    kind: ApplicantKind::Citizen,
                    name: "Trần Văn Bình".into(),
                    id_number: "062090001111".into(),
                    phone: String::new(),
                    email: String::new(),
                    address: String::new(),
                },
                components: Vec::new(),
                competent_unit: None,
                receiving_unit: Some(COMMUNE_A.into()),
            },
        )
        .await
        .unwrap();
    let code = receipt.code;
    w.set_now("2025-03-03T09:00:00");
    w.app
        .act(&w.officer_a, &code, None, Action::Accept)
        .await
        .unwrap();
    w.app
        .act(
            &w.officer_a,
            &code,
            None,
            Action::Assign {
                officer: w.officer_a.account_id.clone(),
            },
        )
        .await
        .unwrap();
    code
}

async fn request_payment(w: &World, code: &str, amount: i64) {
    w.set_now("2025-03-03T10:00:00");
    let v = w
        .app
        .act(
            &w.officer_a,
            code,
            None,
            Action::RequestPayment {
                amount,
                note: "Nộp lệ phí".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(v.status_code, 6);
}

/// The callback fields the sandbox's bank page produces, with the payment id of the path.
fn answer(g: &SandboxGateway, id: &str, amount: i64, confirmed: bool) -> Vec<(String, String)> {
    let mut f = g.sign(id, amount, confirmed, "SBX-REF-1").unwrap();
    f.push(("payment_id".into(), id.into()));
    f
}

#[tokio::test]
async fn paying_a_requested_amount_records_paid_and_resumes_processing() {
    let w = world().await;
    let g = gateway();
    let code = online_dossier(&w).await;
    request_payment(&w, &code, 50_000).await;
    assert_eq!(
        w.app.payable_amount(&w.citizen, &code).await.unwrap(),
        Some(50_000)
    );
    w.set_now("2025-03-03T11:00:00");
    let started = w.app.start_payment(&w.citizen, &g, &code).await.unwrap();
    assert_eq!(
        started.url,
        format!("/cong-thanh-toan-thu-nghiem/{}", started.payment.id)
    );
    assert_eq!(started.payment.amount, 50_000);
    assert_eq!(started.payment.status, PaymentStatus::Pending);
    // Starting again resumes the same pending payment.
    let again = w.app.start_payment(&w.citizen, &g, &code).await.unwrap();
    assert_eq!(again.payment.id, started.payment.id);
    let events_before = w.app.history(&w.citizen, &code).await.unwrap().len();

    let fields = answer(&g, &started.payment.id, 50_000, true);
    let done = w.app.complete_payment(&g, &fields).await.unwrap();
    assert!(done.changed);
    assert_eq!(done.payment.status, PaymentStatus::Paid);
    assert_eq!(done.payment.gateway_ref.as_deref(), Some("SBX-REF-1"));
    let v = w.app.dossier(&w.citizen, &code).await.unwrap();
    assert_eq!(v.status_code, 4, "AwaitingPayment → Processing");
    assert_eq!(v.dossier.payments.len(), 1);
    let paid = &v.dossier.payments[0];
    assert_eq!(
        (
            paid.amount,
            paid.method.as_str(),
            paid.online,
            paid.reference.as_str()
        ),
        (50_000, "sandbox", true, "SBX-REF-1")
    );
    let history = w.app.history(&w.citizen, &code).await.unwrap();
    assert_eq!(history.len(), events_before + 1);
    let last = history.last().unwrap();
    assert_eq!(last.kind, "paid");
    assert_eq!(last.actor, w.citizen.display_name, "recorded as the owner");

    // The same answer again (a replay, or the browser reloading the result page): nothing.
    let replay = w.app.complete_payment(&g, &fields).await.unwrap();
    assert!(!replay.changed);
    assert_eq!(replay.payment.status, PaymentStatus::Paid);
    assert_eq!(
        w.app.history(&w.citizen, &code).await.unwrap().len(),
        events_before + 1
    );
    // Nothing more to pay.
    assert_eq!(w.app.payable_amount(&w.citizen, &code).await.unwrap(), None);
    assert!(matches!(
        w.app.start_payment(&w.citizen, &g, &code).await,
        Err(AppError::Invalid(_))
    ));
}

#[tokio::test]
async fn forged_answers_are_refused_and_record_nothing() {
    let w = world().await;
    let g = gateway();
    let code = online_dossier(&w).await;
    request_payment(&w, &code, 50_000).await;
    let started = w.app.start_payment(&w.citizen, &g, &code).await.unwrap();
    let id = started.payment.id.clone();
    let events = w.app.history(&w.citizen, &code).await.unwrap().len();

    // Signed with another key.
    let other = SandboxGateway::new(b"another-key-another-key-another!".to_vec()).unwrap();
    let forged = answer(&other, &id, 50_000, true);
    assert!(matches!(
        w.app.complete_payment(&g, &forged).await,
        Err(AppError::Invalid(_))
    ));
    // A genuine answer with the amount lowered afterwards.
    let mut tampered = answer(&g, &id, 50_000, true);
    for f in &mut tampered {
        if f.0 == "amount" {
            f.1 = "1000".into();
        }
    }
    assert!(w.app.complete_payment(&g, &tampered).await.is_err());
    // A genuine answer for an amount other than the one asked.
    let wrong_amount = answer(&g, &id, 1_000, true);
    assert!(w.app.complete_payment(&g, &wrong_amount).await.is_err());
    // No signature at all.
    let unsigned: Vec<_> = answer(&g, &id, 50_000, true)
        .into_iter()
        .filter(|(k, _)| k != "sig")
        .collect();
    assert!(w.app.complete_payment(&g, &unsigned).await.is_err());

    assert_eq!(
        w.app.history(&w.citizen, &code).await.unwrap().len(),
        events
    );
    let v = w.app.dossier(&w.citizen, &code).await.unwrap();
    assert_eq!(v.status_code, 6);
    assert!(v.dossier.payments.is_empty());
    assert_eq!(
        w.app.payment(&w.citizen, &id).await.unwrap().status,
        PaymentStatus::Pending
    );
}

#[tokio::test]
async fn a_cancelled_payment_is_marked_failed_and_records_nothing() {
    let w = world().await;
    let g = gateway();
    let code = online_dossier(&w).await;
    request_payment(&w, &code, 50_000).await;
    let started = w.app.start_payment(&w.citizen, &g, &code).await.unwrap();
    let events = w.app.history(&w.citizen, &code).await.unwrap().len();
    let done = w
        .app
        .complete_payment(&g, &answer(&g, &started.payment.id, 50_000, false))
        .await
        .unwrap();
    assert!(done.changed);
    assert_eq!(done.payment.status, PaymentStatus::Failed);
    // A late "paid" for the cancelled payment changes nothing either.
    let late = w
        .app
        .complete_payment(&g, &answer(&g, &started.payment.id, 50_000, true))
        .await
        .unwrap();
    assert!(!late.changed);
    assert_eq!(late.payment.status, PaymentStatus::Failed);
    assert_eq!(
        w.app.history(&w.citizen, &code).await.unwrap().len(),
        events
    );
    assert_eq!(
        w.app.dossier(&w.citizen, &code).await.unwrap().status_code,
        6
    );
    // A new attempt is a new payment.
    let retry = w.app.start_payment(&w.citizen, &g, &code).await.unwrap();
    assert_ne!(retry.payment.id, started.payment.id);
}

#[tokio::test]
async fn only_the_owner_may_pay_and_see_payments() {
    let w = world().await;
    let g = gateway();
    let code = online_dossier(&w).await;
    request_payment(&w, &code, 50_000).await;
    assert!(matches!(
        w.app.start_payment(&w.other_citizen, &g, &code).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        w.app.start_payment(&w.officer_a, &g, &code).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        w.app
            .start_payment(&w.citizen, &g, "H62.1-250303-9999")
            .await,
        Err(AppError::NotFound(_))
    ));
    let started = w.app.start_payment(&w.citizen, &g, &code).await.unwrap();
    assert!(matches!(
        w.app.payment(&w.other_citizen, &started.payment.id).await,
        Err(AppError::NotFound(_))
    ));
    assert!(w.app.payments_of(&w.other_citizen, &code).await.is_err());
    assert_eq!(w.app.payments_of(&w.citizen, &code).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_decided_fee_bearing_dossier_owes_its_online_fee_once() {
    let w = world().await;
    let g = gateway();
    let code = online_dossier(&w).await;
    // Nothing to pay while processing.
    assert_eq!(w.app.payable_amount(&w.citizen, &code).await.unwrap(), None);
    w.set_now("2025-03-04T09:00:00");
    w.app
        .act(
            &w.officer_a,
            &code,
            None,
            Action::Decide {
                outcome: Outcome::Approved,
                note: String::new(),
                results: vec![ResultDoc {
                    name: "Xác nhận đăng ký tạm trú".into(),
                    electronic: true,
                    file_ref: None,
                }],
            },
        )
        .await
        .unwrap();
    // Đăng ký tạm trú online: 7.000 đồng.
    assert_eq!(
        w.app.payable_amount(&w.citizen, &code).await.unwrap(),
        Some(7_000)
    );
    let started = w.app.start_payment(&w.citizen, &g, &code).await.unwrap();
    assert_eq!(g.name(), "sandbox");
    let done = w
        .app
        .complete_payment(&g, &answer(&g, &started.payment.id, 7_000, true))
        .await
        .unwrap();
    assert!(done.changed);
    let v = w.app.dossier(&w.citizen, &code).await.unwrap();
    assert_eq!(
        v.status_code, 9,
        "a fee paid after the decision keeps it decided"
    );
    assert_eq!(v.dossier.payments.len(), 1);
    assert_eq!(w.app.payable_amount(&w.citizen, &code).await.unwrap(), None);
}

#[tokio::test]
async fn money_for_a_dossier_that_no_longer_awaits_it_goes_to_review() {
    let w = world().await;
    let g = gateway();
    let code = online_dossier(&w).await;
    request_payment(&w, &code, 50_000).await;
    let started = w.app.start_payment(&w.citizen, &g, &code).await.unwrap();
    // Paid at the counter meanwhile.
    w.app
        .act(
            &w.officer_a,
            &code,
            None,
            Action::Pay {
                amount: 50_000,
                method: "tiền mặt".into(),
                online: false,
                reference: "BL-001".into(),
            },
        )
        .await
        .unwrap();
    let events = w.app.history(&w.citizen, &code).await.unwrap().len();
    let done = w
        .app
        .complete_payment(&g, &answer(&g, &started.payment.id, 50_000, true))
        .await
        .unwrap();
    assert_eq!(done.payment.status, PaymentStatus::Review);
    assert_eq!(
        w.app.history(&w.citizen, &code).await.unwrap().len(),
        events
    );
}
