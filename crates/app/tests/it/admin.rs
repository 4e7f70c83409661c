//! Administration: calendar notices in force at once (and open dossiers' due dates follow),
//! procedure channels and limits kept across re-imports, account roles.

use crate::{read, world};
use cchc_app::AppError;
use cchc_app::admin::{AccountChange, ChannelSetting};
use cchc_app::dossiers::{ApplicantInput, NewDossier};
use cchc_app::{Principal, Role};
use cchc_domain::dossier::ApplicantKind;
use cchc_domain::procedure::Channel;

fn counter_dossier() -> NewDossier {
    NewDossier {
        procedure_code: "1.004194".into(),
        channel: Channel::Counter,
        applicant: ApplicantInput {
            kind: ApplicantKind::Citizen,
            name: "Nguyễn Thị Hoa".into(),
            id_number: String::new(),
            phone: String::new(),
            email: String::new(),
            address: String::new(),
        },
        components: Vec::new(),
        competent_unit: None,
        receiving_unit: None,
    }
}

const EXTRA_DAY_OFF: &str = r#"
[[notice]]
number = "01/TB-TEST"
issuer = "Bộ Nội vụ"
issued = 2025-03-01
title = "Thông báo nghỉ thử nghiệm"
covers = []

[[notice.days_off]]
from = 2025-03-05
to = 2025-03-05
name = "Ngày nghỉ thử nghiệm"
"#;

#[tokio::test]
async fn a_calendar_notice_is_in_force_at_once_and_open_due_dates_follow() {
    let w = world().await;
    let admin = Principal::system();
    w.set_now("2025-03-03T08:00:00");
    let receipt = w
        .app
        .create_dossier(&w.officer_a, counter_dossier())
        .await
        .unwrap();
    let due_before = w
        .app
        .store()
        .dossier(&receipt.code)
        .await
        .unwrap()
        .unwrap()
        .1
        .due_at;
    assert_eq!(due_before.as_deref(), Some("2025-03-06T08:00:00"));

    // Refused: not an administrator; a file that does not parse. Nothing changes.
    let base = cchc_domain::calendar::embedded_year_text(2025).unwrap();
    let text = format!("{base}\n{EXTRA_DAY_OFF}");
    let err = w
        .app
        .save_calendar_year(&w.officer_a, &text)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err}");
    let err = w
        .app
        .save_calendar_year(&admin, "year = 2025\n[[notice]]\nnumber = 1")
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invalid(_)), "{err}");
    let year = w.app.calendar_year(2025).await.unwrap();
    assert!(!year.days.iter().any(|d| d.date == "2025-03-05"));

    // Saved: the day is off, the year page says who saved it, the open dossier moves a day.
    assert_eq!(w.app.save_calendar_year(&admin, &text).await.unwrap(), 2025);
    let year = w.app.calendar_year(2025).await.unwrap();
    let day = year.days.iter().find(|d| d.date == "2025-03-05").unwrap();
    assert_eq!(
        (day.kind, day.name.as_str()),
        ("off", "Ngày nghỉ thử nghiệm")
    );
    assert!(year.origin.contains("system"), "{}", year.origin);
    let due_after = w
        .app
        .store()
        .dossier(&receipt.code)
        .await
        .unwrap()
        .unwrap()
        .1
        .due_at;
    assert_eq!(due_after.as_deref(), Some("2025-03-07T08:00:00"));
    let view = w.app.dossier(&w.officer_a, &receipt.code).await.unwrap();
    assert_eq!(view.due.as_deref(), Some("2025-03-07T08:00:00+07:00"));
    // Other years keep their shipped notices.
    let y2026 = w.app.calendar_year(2026).await.unwrap();
    assert!(y2026.days.iter().any(|d| d.date == "2026-02-16"));
}

#[tokio::test]
async fn procedure_channels_are_validated_and_kept_across_re_imports() {
    let w = world().await;
    let admin = Principal::system();
    let setting = |limit: &str| {
        vec![ChannelSetting {
            channel: Channel::Online,
            available: true,
            limit: limit.into(),
        }]
    };
    for bad in ["abc", "-2 working-days", "5 fortnights", ""] {
        let err = w
            .app
            .set_procedure_channels(&admin, "1.004194", setting(bad))
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Invalid(_)), "{bad}: {err}");
    }
    let err = w
        .app
        .set_procedure_channels(&w.officer_a, "1.004194", setting("2 working-days"))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err}");
    let unchanged = w.app.procedure("1.004194").await.unwrap();
    assert_eq!(
        unchanged.limit(Channel::Online).map(|l| l.spec()),
        Some("3 working-days".into())
    );
    w.app
        .set_procedure_channels(&admin, "1.004194", setting("2 working-days"))
        .await
        .unwrap();
    w.app
        .import_procedures(&admin, &read("tthc_dvcqg_2642_procedures.csv"))
        .await
        .unwrap();
    let p = w.app.procedure("1.004194").await.unwrap();
    assert_eq!(
        p.limit(Channel::Online).map(|l| l.spec()),
        Some("2 working-days".into())
    );
    assert_eq!(
        p.limit(Channel::Counter).map(|l| l.spec()),
        Some("3 working-days".into()),
        "channels not set by hand follow the catalogue"
    );
}

#[tokio::test]
async fn account_roles_change_with_checks() {
    let w = world().await;
    let admin = Principal::system();
    let change = |role: Role, unit: Option<&str>| AccountChange {
        role,
        unit_id: unit.map(Into::into),
        display_name: "Người dùng mới".into(),
        title: String::new(),
    };
    let err = w
        .app
        .change_account(&admin, &w.officer_a.account_id, change(Role::Leader, None))
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppError::Invalid(_)),
        "a leader needs a unit: {err}"
    );
    let err = w
        .app
        .change_account(
            &w.leader_a,
            &w.officer_a.account_id,
            change(Role::Leader, Some("w:23281")),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err}");
    let v = w
        .app
        .change_account(
            &admin,
            &w.officer_a.account_id,
            change(Role::Leader, Some("w:23281")),
        )
        .await
        .unwrap();
    assert_eq!(v.role, Role::Leader);
    let listed = w.app.list_accounts(&admin, "canbo.a", 1, 10).await.unwrap();
    assert_eq!((listed.total, listed.items[0].role), (1, Role::Leader));
    let err = w
        .app
        .change_account(&admin, "acc-nobody", change(Role::Citizen, None))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err}");
}
