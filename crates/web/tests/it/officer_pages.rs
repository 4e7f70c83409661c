//! The officer's pages over real HTTP with a cookie session, as a browser without script uses
//! them: counter intake and its receipt, scope, the leader's apology, CSRF, and forms sent back
//! with their errors.

use crate::browser::{Browser, Page, hidden};
use crate::{COMMUNE_A, PASSWORD, Server, server};
use cchc_app::accounts::NewAccount;
use cchc_app::dossiers::{ApplicantInput, ComponentInput, NewDossier};
use cchc_app::{Principal, Role};
use cchc_domain::dossier::ApplicantKind;
use cchc_domain::procedure::Channel;
use cchc_web::WebConfig;

fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The text between two markers.
fn between<'a>(html: &'a str, before: &str, after: &str) -> &'a str {
    let start = html.find(before).unwrap_or_else(|| panic!("no {before}")) + before.len();
    &html[start..start + html[start..].find(after).unwrap()]
}

async fn leader(s: &Server) -> Principal {
    s.app
        .create_account(
            &Principal::system(),
            NewAccount {
                username: "lanhdao.a".into(),
                password: PASSWORD.into(),
                display_name: "Nguyễn Văn Lãnh Đạo".into(),
                title: "Chủ tịch UBND".into(),
                role: Role::Leader,
                unit_id: Some(COMMUNE_A.into()),
            },
        )
        .await
        .unwrap()
}

const INTAKE: [(&str, &str); 10] = [
    ("thu_tuc", "1.004194"),
    ("doi_tuong", "citizen"),
    ("ho_ten", "Đặng Thị Quầy"),
    ("so_giay_to", "062190005555"),
    ("dien_thoai", "0905000111"),
    ("dia_chi", "Phường Quang Trung, Kon Tum"),
    ("thanh_phan", "Tờ khai"),
    ("thanh_phan", "Bản sao giấy tờ tùy thân"),
    (
        "thanh_phan_khac",
        "Giấy xác nhận chỗ ở\r\n\r\nSổ tạm trú cũ",
    ),
    ("kenh", "counter"),
];

/// Receives a dossier at the counter through the form; returns its code and the receipt page.
async fn intake(b: &mut Browser) -> (String, Page) {
    let token = b.csrf("/can-bo/tiep-nhan").await;
    let mut fields = vec![("_csrf", token.as_str())];
    fields.extend(INTAKE);
    let p = b.post("/can-bo/tiep-nhan", &fields).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let code = p
        .location
        .strip_prefix("/bieu-mau/")
        .and_then(|r| r.strip_suffix("/tiep-nhan"))
        .unwrap_or_else(|| panic!("{}", p.location))
        .to_owned();
    let receipt = b.get(&p.location).await;
    (code, receipt)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counter_intake_prints_the_receipt_with_due_date_secret_and_qr() {
    let s = server(WebConfig::default()).await;
    let mut b = Browser::new(&s.base);
    b.login_with("canbo.a", PASSWORD).await;
    let (code, receipt) = intake(&mut b).await;
    assert_eq!(receipt.status, 200, "{}", receipt.body);
    let html = &receipt.body;
    assert!(html.contains("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"));
    assert!(html.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    assert!(html.contains("Độc lập - Tự do - Hạnh phúc"));
    assert!(html.contains(&code));
    // Received Monday 3/3/2025 08:00; 3 working days → Thursday 6/3 08:00.
    assert!(html.contains("08 giờ 00 phút, ngày 06/03/2025"), "{html}");
    assert!(html.contains("ngày 03 tháng 03 năm 2025"));
    assert!(html.contains("<svg"), "the QR code is inline SVG");
    assert!(html.contains("Đặng Thị Quầy"));
    for c in [
        "Tờ khai",
        "Bản sao giấy tờ tùy thân",
        "Giấy xác nhận chỗ ở",
        "Sổ tạm trú cũ",
    ] {
        assert!(html.contains(c), "{c}");
    }
    assert!(html.contains("data-print"));
    assert!(html.contains("Đã tiếp nhận hồ sơ"), "flash message");
    // The printed secret opens the public lookup.
    let secret = between(html, "<strong class=\"secret\">", "</strong>").to_owned();
    assert_eq!(secret.len(), 8);
    let mut public = Browser::new(&s.base);
    let lookup = public.get(&format!("/tra-cuu/{code}?ma={secret}")).await;
    assert_eq!(lookup.status, 200);
    assert!(lookup.body.contains("06/03/2025") && lookup.body.contains("08:00"));

    // The dossier exists as typed.
    let view = s.app.dossier(&Principal::system(), &code).await.unwrap();
    assert_eq!(view.dossier.applicant.name, "Đặng Thị Quầy");
    assert_eq!(view.dossier.components.len(), 4);
    assert_eq!(view.dossier.channel, Channel::Counter);

    // Printed again later (another session): no secret, a note instead.
    let mut other = Browser::new(&s.base);
    leader(&s).await;
    other.login_with("lanhdao.a", PASSWORD).await;
    let again = other.get(&format!("/bieu-mau/{code}/tiep-nhan")).await;
    assert_eq!(again.status, 200);
    assert!(!again.body.contains(&secret));
    assert!(!again.body.contains("<svg"));
    assert!(again.body.contains("chỉ được in một lần"));

    // Due Thursday: not on Monday's desk lists, at risk on Wednesday (sessions last 12 hours,
    // so sign in again after moving the clock).
    let desk = b.get("/can-bo").await;
    assert_eq!(desk.status, 200);
    assert!(!desk.body.contains(&code));
    s.set_now("2025-03-05T10:00:00");
    b.login_with("canbo.a", PASSWORD).await;
    let desk = b.get("/can-bo").await;
    assert!(
        between(&desk.body, "id=\"sap-den-han\"", "</section>").contains(&code),
        "due Thursday: at risk on Wednesday"
    );
    let page = b.get(&format!("/can-bo/ho-so/{code}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Cách tính ngày hẹn trả"));
    assert!(page.body.contains("Tiếp nhận hồ sơ"));
    assert!(page.body.contains(&view.dossier.last_hash[..12]));
    assert!(page.body.contains("/bieu-mau/"));
    // The unit's list finds it by the applicant's name and by status.
    let list = b.get("/can-bo/ho-so?q=Qu%E1%BA%A7y").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains(&code));
    assert!(
        b.get("/can-bo/ho-so?trang_thai=2")
            .await
            .body
            .contains(&code)
    );
    assert!(
        !b.get("/can-bo/ho-so?trang_thai=10")
            .await
            .body
            .contains(&code)
    );
    assert_eq!(b.get("/can-bo/ho-so?trang_thai=x").await.status, 422);
    let control = b.get(&format!("/bieu-mau/{code}/kiem-soat")).await;
    assert_eq!(control.status, 200);
    assert!(
        control
            .body
            .contains("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ")
    );
}

fn dossier_input() -> NewDossier {
    NewDossier {
        procedure_code: "1.004194".into(),
        channel: Channel::Counter,
        applicant: ApplicantInput {
            kind: ApplicantKind::Citizen,
            name: "Võ Văn Phạm Vi".into(),
            id_number: String::new(),
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
        receiving_unit: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_units_officer_can_neither_see_nor_act() {
    let s = server(WebConfig::default()).await;
    let officer_a = s.app.login("canbo.a", PASSWORD).await.unwrap().principal;
    let code = s
        .app
        .create_dossier(&officer_a, dossier_input())
        .await
        .unwrap()
        .code;
    let mut b = Browser::new(&s.base);
    b.login_with("canbo.b", PASSWORD).await;
    let page = b.get(&format!("/can-bo/ho-so/{code}")).await;
    assert!(matches!(page.status, 403 | 404), "{}", page.status);
    assert!(!page.body.contains("Võ Văn Phạm Vi"));
    let token = b.csrf("/can-bo").await;
    let desk = b.get("/can-bo").await;
    assert!(!desk.body.contains(&code));
    for (action, field, value) in [
        ("assign", "can_bo", officer_a.account_id.as_str()),
        ("request_supplement", "giay_to_bo_sung", "Bản sao CCCD"),
        ("refuse", "ly_do_tu_choi", "Không đúng thẩm quyền"),
    ] {
        let p = b
            .post(
                &format!("/can-bo/ho-so/{code}/thao-tac"),
                &[
                    ("_csrf", token.as_str()),
                    ("expected_version", "1"),
                    ("thao_tac", action),
                    (field, value),
                ],
            )
            .await;
        assert!(matches!(p.status, 403 | 404), "{action}: {}", p.status);
    }
    for slug in ["tiep-nhan", "kiem-soat"] {
        let p = b.get(&format!("/bieu-mau/{code}/{slug}")).await;
        assert!(matches!(p.status, 403 | 404), "{slug}: {}", p.status);
    }
    let view = s.app.dossier(&Principal::system(), &code).await.unwrap();
    assert_eq!(view.dossier.version, 1, "nothing happened to the dossier");
    // A citizen has no desk and no board; an officer has no board.
    let mut citizen = Browser::new(&s.base);
    citizen.login_with("congdan1", PASSWORD).await;
    assert_eq!(citizen.get("/can-bo").await.status, 403);
    // A citizen prints their own online dossier's receipt, not the internal control sheet,
    // and nobody else's forms.
    let owner = s.app.login("congdan1", PASSWORD).await.unwrap().principal;
    let mut online = dossier_input();
    online.channel = Channel::Online;
    online.receiving_unit = Some(COMMUNE_A.into());
    let own = s.app.create_dossier(&owner, online).await.unwrap().code;
    let p = citizen.get(&format!("/bieu-mau/{own}/tiep-nhan")).await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("đang chờ cán bộ kiểm tra"));
    assert!(p.body.contains(&format!("/cong-dan/ho-so/{own}")));
    assert_eq!(
        citizen
            .get(&format!("/bieu-mau/{own}/kiem-soat"))
            .await
            .status,
        404
    );
    assert_eq!(
        citizen
            .get(&format!("/bieu-mau/{code}/tiep-nhan"))
            .await
            .status,
        404
    );
    // The online dossier waits on its unit's desk, not on another's.
    assert!(!b.get("/can-bo").await.body.contains(&own));
    assert_eq!(b.get("/lanh-dao").await.status, 403);
    // Not signed in: to the sign-in page.
    let mut anon = Browser::new(&s.base);
    let p = anon.get(&format!("/can-bo/ho-so/{code}")).await;
    assert_eq!(p.status, 303);
    assert!(p.location.starts_with("/dang-nhap?next="));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leaders_apology_reaches_the_form_and_the_public_lookup() {
    let s = server(WebConfig::default()).await;
    let leader_p = leader(&s).await;
    let mut officer = Browser::new(&s.base);
    officer.login_with("canbo.a", PASSWORD).await;
    let (code, receipt) = intake(&mut officer).await;
    let secret = between(&receipt.body, "<strong class=\"secret\">", "</strong>").to_owned();
    // Friday 7/3: the dossier due Thursday 6/3 08:00 is late.
    s.set_now("2025-03-07T09:00:00");
    officer.login_with("canbo.a", PASSWORD).await;
    let page = officer.get(&format!("/can-bo/ho-so/{code}")).await;
    assert!(page.body.contains("Trễ hạn"));
    assert!(
        !page.body.contains("value=\"extend\""),
        "officers get no apology form"
    );
    let mut lead = Browser::new(&s.base);
    lead.login_with("lanhdao.a", PASSWORD).await;
    let board = lead.get("/lanh-dao").await;
    assert_eq!(board.status, 200, "{}", board.body);
    assert!(between(&board.body, "id=\"tre-han\"", "</section>").contains(&code));
    let page = lead.get(&format!("/can-bo/ho-so/{code}")).await;
    assert!(page.body.contains("Xin lỗi và hẹn lại ngày trả"));
    let token = hidden(&page.body, "_csrf");
    let version = hidden(&page.body, "expected_version");
    let extend = |token: &str, version: &str| -> Vec<(String, String)> {
        [
            ("_csrf", token),
            ("expected_version", version),
            ("thao_tac", "extend"),
            ("ngay_hen_moi", "2025-03-12"),
            ("gio_hen_moi", "16:00"),
            ("ly_do_gia_han", "Cần xác minh thêm với công an tỉnh"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
    };
    let action = format!("/can-bo/ho-so/{code}/thao-tac");
    // An officer posting the leader's action is refused by the use case.
    let officer_token = officer.csrf("/can-bo").await;
    let p = officer
        .post(&action, &pairs(&extend(&officer_token, &version)))
        .await;
    assert_eq!(p.status, 403);
    // A stale version is a conflict, shown on the page with what was typed.
    let p = lead.post(&action, &pairs(&extend(&token, "0"))).await;
    assert_eq!(p.status, 409);
    assert!(p.body.contains("Cần xác minh thêm với công an tỉnh"));
    let p = lead.post(&action, &pairs(&extend(&token, &version))).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location, format!("/can-bo/ho-so/{code}"));
    let view = s.app.dossier(&leader_p, &code).await.unwrap();
    assert_eq!(view.due.as_deref(), Some("2025-03-12T16:00:00+07:00"));

    let form = lead.get(&format!("/bieu-mau/{code}/xin-loi")).await;
    assert_eq!(form.status, 200);
    let html = &form.body;
    assert!(html.contains("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"));
    assert!(html.contains("16 giờ 00 phút, ngày 12/03/2025"));
    assert!(
        html.contains("08 giờ 00 phút, ngày 06/03/2025"),
        "the missed date"
    );
    assert!(html.contains("Cần xác minh thêm với công an tỉnh"));
    assert!(html.contains("Nguyễn Văn Lãnh Đạo"));
    assert!(html.contains("ngày 07 tháng 03 năm 2025"));
    assert!(html.contains("UBND PHƯỜNG QUANG TRUNG") || html.contains("UBND"));

    let mut public = Browser::new(&s.base);
    let lookup = public.get(&format!("/tra-cuu/{code}?ma={secret}")).await;
    assert_eq!(lookup.status, 200);
    assert!(lookup.body.contains("12/03/2025") && lookup.body.contains("16:00"));
    assert!(lookup.body.contains("Cần xác minh thêm với công an tỉnh"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_without_the_csrf_token_are_refused() {
    let s = server(WebConfig::default()).await;
    let mut b = Browser::new(&s.base);
    b.login_with("canbo.a", PASSWORD).await;
    let p = b.post("/can-bo/tiep-nhan", &INTAKE).await;
    assert_eq!(p.status, 403);
    let mut fields = vec![("_csrf", "0000")];
    fields.extend(INTAKE);
    let p = b.post("/can-bo/tiep-nhan", &fields).await;
    assert_eq!(p.status, 403);
    let (total, _) = s
        .app
        .search_desk(
            &s.app.login("canbo.a", PASSWORD).await.unwrap().principal,
            cchc_app::desk::ListStatus::All,
            "",
            1,
            10,
        )
        .await
        .unwrap();
    assert_eq!(total, 0, "nothing was received");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_with_errors_come_back_with_what_was_typed() {
    let s = server(WebConfig::default()).await;
    let mut b = Browser::new(&s.base);
    b.login_with("canbo.a", PASSWORD).await;
    let token = b.csrf("/can-bo/tiep-nhan").await;
    // A bad phone number: 422, the Vietnamese error, everything typed kept.
    let fields = [
        ("_csrf", token.as_str()),
        ("thu_tuc", "1.004194"),
        ("doi_tuong", "business"),
        ("ho_ten", "Phạm Thị Giữ Lại"),
        ("dien_thoai", "không có"),
        ("dia_chi", "Tổ 5, phường Quang Trung"),
        ("thanh_phan", "Văn bản ủy quyền"),
        ("thanh_phan_khac", "Giấy phép kinh doanh"),
        ("kenh", "counter"),
    ];
    let p = b.post("/can-bo/tiep-nhan", &fields).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("Số điện thoại không hợp lệ."), "{}", p.body);
    assert!(p.body.contains("value=\"Phạm Thị Giữ Lại\""));
    assert!(p.body.contains("value=\"không có\""));
    assert!(p.body.contains("Tổ 5, phường Quang Trung"));
    assert!(p.body.contains("Giấy phép kinh doanh"));
    assert!(p.body.contains("value=\"Văn bản ủy quyền\" checked"));
    assert!(p.body.contains("value=\"business\" selected"));
    assert!(p.body.contains("value=\"counter\" checked"));
    // Words instead of a code: the matching procedures to choose from.
    let fields = [
        ("_csrf", token.as_str()),
        ("thu_tuc", "tam tru"),
        ("ho_ten", "Phạm Thị Giữ Lại"),
        ("thanh_phan", "Tờ khai"),
    ];
    let p = b.post("/can-bo/tiep-nhan", &fields).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("name=\"chon_thu_tuc\""));
    assert!(p.body.contains("value=\"Phạm Thị Giữ Lại\""));
    // Choosing one of them receives the dossier.
    let mut chosen = fields.to_vec();
    chosen.push(("chon_thu_tuc", "1.004194"));
    let p = b.post("/can-bo/tiep-nhan", &chosen).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let code = p.location.split('/').nth(2).unwrap().to_owned();
    // An action form with a missing field comes back with its note kept.
    let page = b.get(&format!("/can-bo/ho-so/{code}")).await;
    let version = hidden(&page.body, "expected_version");
    let p = b
        .post(
            &format!("/can-bo/ho-so/{code}/thao-tac"),
            &[
                ("_csrf", token.as_str()),
                ("expected_version", version.as_str()),
                ("thao_tac", "request_supplement"),
                ("giay_to_bo_sung", "  "),
                ("ghi_chu_bo_sung", "Ghi chú được giữ lại"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("Liệt kê đầy đủ các giấy tờ cần bổ sung"));
    assert!(p.body.contains("value=\"Ghi chú được giữ lại\""));
    // Then done properly: the supplement request and its form.
    let p = b
        .post(
            &format!("/can-bo/ho-so/{code}/thao-tac"),
            &[
                ("_csrf", token.as_str()),
                ("expected_version", version.as_str()),
                ("thao_tac", "request_supplement"),
                (
                    "giay_to_bo_sung",
                    "Bản sao sổ hộ khẩu\nGiấy xác nhận chủ nhà",
                ),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let form = b.get(&format!("/bieu-mau/{code}/bo-sung")).await;
    assert_eq!(form.status, 200);
    assert!(
        form.body
            .contains("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ")
    );
    assert!(form.body.contains("Giấy xác nhận chủ nhà"));
    // No refusal was made: that form does not exist.
    assert_eq!(
        b.get(&format!("/bieu-mau/{code}/tu-choi")).await.status,
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_expected_version_is_a_conflict_not_an_unchecked_action() {
    let s = server(WebConfig::default()).await;
    let mut b = Browser::new(&s.base);
    b.login_with("canbo.a", PASSWORD).await;
    let (code, _) = intake(&mut b).await;
    let token = b.csrf(&format!("/can-bo/ho-so/{code}")).await;
    let officer = s.app.login("canbo.a", PASSWORD).await.unwrap().principal;
    let before = s
        .app
        .dossier(&officer, &code)
        .await
        .unwrap()
        .dossier
        .version;
    // Past u32, or not a number: neither can be the dossier's version.
    for bad in ["4294967296", "abc", "-1"] {
        let p = b
            .post(
                &format!("/can-bo/ho-so/{code}/thao-tac"),
                &[
                    ("_csrf", token.as_str()),
                    ("expected_version", bad),
                    ("thao_tac", "request_supplement"),
                    ("giay_to_bo_sung", "Bản sao sổ hộ khẩu"),
                ],
            )
            .await;
        assert_eq!(p.status, 409, "{bad}: {}", p.body);
        assert!(
            p.body.contains("vừa được người khác cập nhật"),
            "{}",
            p.body
        );
    }
    let after = s
        .app
        .dossier(&officer, &code)
        .await
        .unwrap()
        .dossier
        .version;
    assert_eq!(before, after, "nothing changed");
}
