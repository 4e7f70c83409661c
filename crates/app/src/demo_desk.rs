//! The demo's "today" at one counter (Phường Kon Tum): the accounts the README names, and
//! dossiers in the states an officer meets first thing in the morning, so the desk, the
//! leader's board and the apology form have real work whatever the generated history holds.

use cchc_domain::dossier::ApplicantKind;
use cchc_domain::procedure::Channel;
use jiff::civil::DateTime;
use serde::Serialize;

use crate::accounts::NewAccount;
use crate::demo::DEMO_PASSWORD;
use crate::dossiers::{ApplicantInput, ComponentInput, NewDossier};
use crate::{App, AppError, Principal, Result, Role};

/// The counter the demo's named accounts work at.
pub const DESK_UNIT: &str = "w2025:23293";
/// A second commune, whose officer must not see the first one's dossiers.
pub const OTHER_UNIT: &str = "w2025:23284";
/// A procedure received at commune counters and online (Đăng ký tạm trú).
pub const DESK_PROCEDURE: &str = "1.004194";

/// The named accounts: (username, role, display name, title, unit).
pub const DESK_ACCOUNTS: [(&str, Role, &str, &str, Option<&str>); 5] = [
    (
        "cb.w2025-23293",
        Role::Officer,
        "Nguyễn Thị Thu Hà",
        "Công chức Bộ phận Một cửa",
        Some(DESK_UNIT),
    ),
    (
        "ld.w2025-23293",
        Role::Leader,
        "Trần Văn Minh",
        "Phó Chủ tịch UBND phường",
        Some(DESK_UNIT),
    ),
    (
        "cb.w2025-23284",
        Role::Officer,
        "Lê Văn Phúc",
        "Công chức Bộ phận Một cửa",
        Some(OTHER_UNIT),
    ),
    ("congdan001", Role::Citizen, "Phạm Thị Lan", "", None),
    (
        crate::demo::DEMO_ADMIN,
        Role::Admin,
        "Quản trị CCHC (dữ liệu mẫu)",
        "Chuyên viên Phòng Cải cách hành chính",
        Some("p2025:51/so-noi-vu"),
    ),
];

/// What was prepared.
#[derive(Debug, Clone, Serialize)]
pub struct DeskReport {
    /// Accounts created (the others existed).
    pub accounts_created: Vec<String>,
    /// Received a month ago, still open: overdue today.
    pub overdue: String,
    /// Filed online yesterday evening, waiting for acceptance.
    pub online_waiting: String,
}

fn applicant(name: &str, id: &str) -> ApplicantInput {
    ApplicantInput {
        kind: ApplicantKind::Citizen,
        name: name.to_owned(),
        id_number: id.to_owned(),
        phone: "0905123456".to_owned(),
        email: String::new(),
        address: "Tổ 3, phường Kon Tum, tỉnh Quảng Ngãi".to_owned(),
    }
}

/// Creates the named accounts that do not exist yet and receives the desk's dossiers, as of
/// `now`. Idempotent for accounts; dossiers are added each time it runs.
pub async fn prepare_desk(app: &App, now: DateTime) -> Result<DeskReport> {
    let admin = Principal::system();
    let mut accounts_created = Vec::new();
    for (username, role, name, title, unit) in DESK_ACCOUNTS {
        if app.store.account_by_username(username).await?.is_some() {
            continue;
        }
        if let Some(u) = unit
            && !app.units()?.contains(u)
        {
            return Err(AppError::Invalid(format!("dữ liệu đơn vị mẫu thiếu {u}")));
        }
        app.create_account(
            &admin,
            NewAccount {
                username: username.to_owned(),
                password: DEMO_PASSWORD.to_owned(),
                display_name: name.to_owned(),
                title: title.to_owned(),
                role,
                unit_id: unit.map(str::to_owned),
            },
        )
        .await?;
        accounts_created.push(username.to_owned());
    }
    let officer = app
        .login(DESK_ACCOUNTS[0].0, DEMO_PASSWORD)
        .await?
        .principal;
    let citizen = app
        .login(DESK_ACCOUNTS[3].0, DEMO_PASSWORD)
        .await?
        .principal;

    // A month ago at 09:00: whatever the limit, it has passed.
    let month_ago = now
        .checked_sub(jiff::Span::new().days(30))
        .map_err(|e| AppError::Internal(e.to_string()))?
        .date()
        .at(9, 0, 0, 0);
    let overdue = app
        .clone()
        .with_now(move || month_ago)
        .create_dossier(
            &officer,
            NewDossier {
                procedure_code: DESK_PROCEDURE.to_owned(),
                channel: Channel::Counter,
                applicant: applicant("Đỗ Văn Quá Hạn", "051090001234"),
                components: vec![ComponentInput {
                    name: "Tờ khai thay đổi thông tin cư trú".to_owned(),
                    digitised: false,
                    reused: false,
                    from_national_data: false,
                    file_ref: None,
                }],
                competent_unit: None,
                receiving_unit: None,
            },
        )
        .await?;
    let yesterday_evening = now
        .checked_sub(jiff::Span::new().days(1))
        .map_err(|e| AppError::Internal(e.to_string()))?
        .date()
        .at(20, 30, 0, 0);
    let online = app
        .clone()
        .with_now(move || yesterday_evening)
        .create_dossier(
            &citizen,
            NewDossier {
                procedure_code: DESK_PROCEDURE.to_owned(),
                channel: Channel::Online,
                applicant: applicant("Phạm Thị Lan", "051190004321"),
                components: Vec::new(),
                competent_unit: None,
                receiving_unit: Some(DESK_UNIT.to_owned()),
            },
        )
        .await?;
    Ok(DeskReport {
        accounts_created,
        overdue: overdue.code,
        online_waiting: online.code,
    })
}
