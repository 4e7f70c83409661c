//! Plan pages over real HTTP on a demo database of plans (units of Kon Tum and Quảng Ngãi,
//! the seeds' plans and the demo's 2025 and 2026 plans and reports, judged on 22/11/2026):
//! pages render, staff are kept to their unit, a wrong role changes nothing, an overdue task
//! leaves the board once reported done, and bad input gets a Vietnamese 422 with nothing
//! stored.

use crate::browser::{Browser, hidden};
use crate::read;
use cchc_app::accounts::NewAccount;
use cchc_app::catalogue::{ReferenceUnitFiles, reference_units};
use cchc_app::demo::DEMO_PASSWORD;
use cchc_app::demo_desk::{DESK_UNIT, OTHER_UNIT};
use cchc_app::{App, Principal, Role};
use cchc_domain::calendar::Calendar;
use cchc_store::Store;
use std::sync::Arc;

const NOW: &str = "2026-11-22T09:00:00";
const PDF: &[u8] = b"%PDF-1.4\n% bao cao\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

struct Demo {
    base: String,
    app: App,
    path: std::path::PathBuf,
}

impl Drop for Demo {
    fn drop(&mut self) {
        for s in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{s}", self.path.display()));
        }
    }
}

async fn demo() -> Demo {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let path = std::env::temp_dir().join(format!("cchc-web-plans-{}-{n}.db", std::process::id()));
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let now: jiff::civil::DateTime = NOW.parse().unwrap();
    let app = App::new(store, Arc::new(Calendar::embedded().unwrap()))
        .await
        .unwrap()
        .with_now(move || now);
    let sys = Principal::system();
    let files = ReferenceUnitFiles {
        pre2025_provinces: &read("vn_units_pre2025_provinces.csv"),
        pre2025_districts: &read("vn_units_pre2025_districts.csv"),
        pre2025_wards: &read("vn_units_pre2025_wards.csv"),
        provinces_2025: &read("vn_units_2025_provinces.csv"),
        wards_2025: &read("vn_units_2025_wards.csv"),
        kon_tum_mapping: &read("kontum_units_pre2025_with_2025_mapping.csv"),
    };
    app.import_units(&sys, reference_units(files, false).unwrap())
        .await
        .unwrap();
    for (username, role, unit) in [
        ("cb.w2025-23293", Role::Officer, DESK_UNIT),
        ("cb.w2025-23284", Role::Officer, OTHER_UNIT),
        ("quantri", Role::Admin, "p2025:51/so-noi-vu"),
    ] {
        app.create_account(
            &sys,
            NewAccount {
                username: username.into(),
                password: DEMO_PASSWORD.into(),
                display_name: format!("Người dùng {username}"),
                title: "Chuyên viên".into(),
                role,
                unit_id: Some(unit.into()),
            },
        )
        .await
        .unwrap();
    }
    let started = std::time::Instant::now();
    let report = cchc_app::demo_plans::seed(&app, now.date()).await.unwrap();
    eprintln!("plan pages: {report} ({:?})", started.elapsed());
    assert!(report.tasks > 100 && report.overdue > 0 && report.missing > 0);
    let again = cchc_app::demo_plans::seed(&app, now.date()).await.unwrap();
    assert!(again.skipped);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = app.clone();
    tokio::spawn(async move {
        cchc_web::serve(listener, served, cchc_web::WebConfig::default())
            .await
            .unwrap()
    });
    Demo {
        base: format!("http://{addr}"),
        app,
        path,
    }
}

/// The task links of a page section (between a heading id and the next `</section>`).
fn task_ids(html: &str, section: &str) -> Vec<String> {
    let Some(start) = html.find(&format!("id=\"{section}\"")) else {
        return Vec::new();
    };
    let part = &html[start..];
    let part = &part[..part.find("</section>").unwrap_or(part.len())];
    let mut out = Vec::new();
    let mut rest = part;
    while let Some(i) = rest.find("/ke-hoach/nhiem-vu/") {
        rest = &rest[i + "/ke-hoach/nhiem-vu/".len()..];
        let id: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        out.push(id);
    }
    out
}

async fn progress_count(app: &App, task: &str) -> usize {
    app.store().task_progress(task).await.unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_and_staff_are_kept_to_their_unit() {
    let d = demo().await;
    let mut admin = Browser::new(&d.base);
    admin.login("quantri").await;
    let p = admin.get("/ke-hoach").await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("617/QĐ-UBND ngày 12/12/2023"), "{}", p.body);
    assert!(p.body.contains("(dữ liệu mẫu)") && p.body.contains("Kế hoạch CCHC"));
    let p = admin.get("/ke-hoach/qd-617-2023").await;
    assert_eq!(p.status, 200);
    for a in cchc_domain::plan::Area::ALL {
        assert!(
            p.body.contains(&format!("id=\"nhom-{}\"", a.code())),
            "{a:?}"
        );
    }
    assert!(p.body.contains("Cải cách thể chế") && p.body.contains("chính quyền số"));
    let p = admin.get("/ke-hoach/demo-kh-2026?tinh-trang=qua-han").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("Quá hạn"));
    let p = admin.get("/ke-hoach/demo-kh-2026?tinh-trang=la").await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("không hợp lệ"));
    let p = admin.get("/ke-hoach/qua-han").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("Toàn tỉnh") && p.body.contains("Quá hạn chưa nộp"));
    assert!(p.body.contains("<th scope=\"col\">"));

    let mut a = Browser::new(&d.base);
    a.login("cb.w2025-23293").await;
    let board = a.get("/ke-hoach/bang-theo-doi").await;
    assert_eq!(board.status, 200, "{}", board.body);
    let overdue = task_ids(&board.body, "nv-qua-han");
    assert!(!overdue.is_empty(), "{}", board.body);
    let mine = a.get(&format!("/ke-hoach/nhiem-vu/{}", overdue[0])).await;
    assert_eq!(mine.status, 200);
    assert!(
        mine.body.contains("Báo cáo tiến độ")
            && mine.body.contains("enctype=\"multipart/form-data\"")
    );
    let list = a.get("/ke-hoach/qua-han").await;
    assert_eq!(list.status, 200);
    assert!(!list.body.contains("Toàn tỉnh"));

    // Another ward's officer: not this ward's board, task or reports.
    let mut b = Browser::new(&d.base);
    b.login("cb.w2025-23284").await;
    let p = b
        .get(&format!("/ke-hoach/bang-theo-doi?don-vi={DESK_UNIT}"))
        .await;
    assert_eq!(p.status, 403);
    assert!(p.body.contains("Không có quyền"));
    let p = b.get(&format!("/ke-hoach/nhiem-vu/{}", overdue[0])).await;
    assert_eq!(p.status, 403);
    let p = b
        .get(&format!("/ke-hoach/bao-cao?don-vi={DESK_UNIT}"))
        .await;
    assert_eq!(p.status, 403);
    let p = b
        .get(&format!("/ke-hoach/qua-han?don-vi={DESK_UNIT}"))
        .await;
    assert_eq!(p.status, 403);
    // Signed out: sent to sign in.
    let mut anon = Browser::new(&d.base);
    let p = anon.get("/ke-hoach").await;
    assert_eq!(p.status, 303);
    assert!(p.location.starts_with("/dang-nhap"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overdue_task_leaves_the_board_once_done_and_wrong_roles_change_nothing() {
    let d = demo().await;
    let mut a = Browser::new(&d.base);
    a.login("cb.w2025-23293").await;
    let board = a.get("/ke-hoach/bang-theo-doi").await;
    let task = task_ids(&board.body, "nv-qua-han")
        .into_iter()
        .next()
        .expect("an overdue task");
    let page = format!("/ke-hoach/nhiem-vu/{task}");
    let before = progress_count(&d.app, &task).await;

    // Another ward's officer may not report nor change the status.
    let mut b = Browser::new(&d.base);
    b.login("cb.w2025-23284").await;
    let tb = b.csrf("/ke-hoach/bang-theo-doi").await;
    let p = b
        .post(
            &format!("{page}/trang-thai"),
            &[
                ("_csrf", tb.as_str()),
                ("trang-thai", "hoan-thanh"),
                ("ngay-hoan-thanh", "2026-11-21"),
            ],
        )
        .await;
    assert_eq!(p.status, 403);
    let p = b
        .post_multipart(
            &format!("{page}/tien-do"),
            &[("_csrf", tb.as_str()), ("noi-dung", "x"), ("ty-le", "50")],
            Some(("tep", "a.pdf", PDF)),
        )
        .await;
    assert_eq!(p.status, 403);
    assert_eq!(progress_count(&d.app, &task).await, before);
    let row = d.app.store().task(&task).await.unwrap().unwrap();
    assert_eq!(row.status, "dang-thuc-hien");

    let token = a.csrf(&page).await;
    // Too large a file: 422, nothing stored.
    let mut big = vec![b' '; 5 * 1024 * 1024 + 10];
    big[..5].copy_from_slice(b"%PDF-");
    let p = a
        .post_multipart(
            &format!("{page}/tien-do"),
            &[
                ("_csrf", token.as_str()),
                ("noi-dung", "Đã hoàn thành tuyên truyền"),
                ("ty-le", "100"),
            ],
            Some(("tep", "lon.pdf", &big)),
        )
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("vượt quá 5 MB") && p.body.contains("role=\"alert\""));
    // Not a PDF: refused too.
    let p = a
        .post_multipart(
            &format!("{page}/tien-do"),
            &[
                ("_csrf", token.as_str()),
                ("noi-dung", "x"),
                ("ty-le", "90"),
            ],
            Some(("tep", "virus.pdf", b"MZ\x90\x00")),
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("không đúng định dạng"));
    assert_eq!(progress_count(&d.app, &task).await, before);

    // The lead ward's officer reports with a PDF, then marks it done.
    let p = a
        .post_multipart(
            &format!("{page}/tien-do"),
            &[
                ("_csrf", token.as_str()),
                (
                    "noi-dung",
                    "Đã tổ chức 3 buổi tuyên truyền tại các tổ dân phố",
                ),
                ("ty-le", "95"),
            ],
            Some(("tep", "bao-cao.pdf", PDF)),
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = a.get(&page).await;
    assert!(p.body.contains("Đã tổ chức 3 buổi") && p.body.contains("bao-cao.pdf"));
    let file = p.body[p.body.find("/ke-hoach/tep/").unwrap()..]
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let f = a.get(&file).await;
    assert_eq!(f.status, 200);
    assert!(f.body.starts_with("%PDF-"));
    let f = b.get(&file).await;
    assert_eq!(f.status, 403);
    // Done in the future: refused.
    let p = a
        .post(
            &format!("{page}/trang-thai"),
            &[
                ("_csrf", token.as_str()),
                ("trang-thai", "hoan-thanh"),
                ("ngay-hoan-thanh", "2026-11-30"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("sau ngày hôm nay"));
    let p = a
        .post(
            &format!("{page}/trang-thai"),
            &[
                ("_csrf", token.as_str()),
                ("trang-thai", "hoan-thanh"),
                ("ngay-hoan-thanh", "22/11/2026"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = a.get(&p.location).await;
    assert!(p.body.contains("Hoàn thành trễ hạn"), "{}", p.body);
    let board = a.get("/ke-hoach/bang-theo-doi").await;
    assert!(!task_ids(&board.body, "nv-qua-han").contains(&task));
    let l = a.get("/ke-hoach/qua-han").await;
    assert!(!l.body.contains(&task));
    let year: i16 = row.deadline[..4].parse().unwrap();
    let duties = d
        .app
        .duties_in_year(year, "2026-11-22".parse().unwrap())
        .await
        .unwrap();
    let t = duties[DESK_UNIT]
        .tasks
        .iter()
        .find(|t| t.task_id == task)
        .unwrap();
    // Judged at the end of the deadline's year when that year is over.
    let at = std::cmp::min(
        "2026-11-22".parse().unwrap(),
        jiff::civil::date(year, 12, 31),
    );
    let expected = cchc_domain::plan::task_state(
        t.deadline,
        cchc_domain::plan::TaskStatus::Done,
        t.done_on,
        at,
    );
    assert_eq!(t.state, expected, "{t:?} {row:?}");
    assert_eq!(t.done_on, Some(jiff::civil::date(2026, 11, 22)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_administrators_forms_refuse_bad_input_and_store_nothing() {
    let d = demo().await;
    let mut admin = Browser::new(&d.base);
    admin.login("quantri").await;
    let token = admin.csrf("/ke-hoach").await;
    let plans_before = d.app.store().plans().await.unwrap().len();
    let fields = [
        ("_csrf", token.as_str()),
        ("so-hieu", "25/KH-UBND"),
        ("ngay", "05/01/2026"),
        ("co-quan", "Ủy ban nhân dân tỉnh Quảng Ngãi"),
        ("ky", "2026"),
        ("trich-yeu", "   "),
    ];
    let p = admin.post("/ke-hoach", &fields).await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(
        p.body.contains("Trích yếu không được để trống"),
        "{}",
        p.body
    );
    assert!(p.body.contains("value=\"25/KH-UBND\""));
    assert_eq!(d.app.store().plans().await.unwrap().len(), plans_before);
    // An absurd date is refused, not stored as a plan signed in 1800.
    let mut old = fields;
    old[2] = ("ngay", "16/01/1800");
    old[5] = ("trich-yeu", "Kế hoạch thử");
    let p = admin.post("/ke-hoach", &old).await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(
        p.body
            .contains("Ngày 16/01/1800 nằm ngoài khoảng năm 2000 đến năm 2100"),
        "{}",
        p.body
    );
    assert_eq!(d.app.store().plans().await.unwrap().len(), plans_before);
    // A form's address opened as a link, and an upload form sent without its file part:
    // Vietnamese pages, not an empty 405 or axum's English rejection.
    let p = admin.get("/ke-hoach/nhiem-vu/x/trang-thai").await;
    assert_eq!(p.status, 405, "{}", p.body);
    assert!(
        p.body.contains("Địa chỉ này không nhận yêu cầu"),
        "{}",
        p.body
    );
    let p = admin
        .post(
            "/ke-hoach/nhiem-vu/x/tien-do",
            &[("_csrf", token.as_str()), ("ty-le", "50")],
        )
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(
        p.body.contains("Biểu mẫu gửi lên không đọc được"),
        "{}",
        p.body
    );
    // An officer may not create plans.
    let mut a = Browser::new(&d.base);
    a.login("cb.w2025-23293").await;
    let ta = a.csrf("/ke-hoach").await;
    let mut theirs = fields;
    theirs[0] = ("_csrf", ta.as_str());
    theirs[5] = ("trich-yeu", "Kế hoạch thử");
    let p = a.post("/ke-hoach", &theirs).await;
    assert_eq!(p.status, 403);
    assert!(!a.get("/ke-hoach").await.body.contains("Tạo kế hoạch"));
    assert_eq!(d.app.store().plans().await.unwrap().len(), plans_before);

    let mut good = fields;
    good[5] = ("trich-yeu", "Kế hoạch kiểm tra công tác CCHC năm 2026");
    let p = admin.post("/ke-hoach", &good).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let plan_page = p.location.clone();
    // The same plan sent again (a second click) is refused and stored once.
    let plans_now = d.app.store().plans().await.unwrap().len();
    let again = admin.post("/ke-hoach", &good).await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("đã có trên hệ thống"), "{}", again.body);
    assert_eq!(d.app.store().plans().await.unwrap().len(), plans_now);
    let id = plan_page.trim_start_matches("/ke-hoach/").to_owned();
    let add = format!("{plan_page}/nhiem-vu");
    let task_fields = |title: &'static str, deadline: &'static str| {
        vec![
            ("_csrf", token.clone()),
            ("linh-vuc", "chi-dao".to_owned()),
            ("ten", title.to_owned()),
            ("san-pham", "Thông báo kết luận".to_owned()),
            ("chu-tri", DESK_UNIT.to_owned()),
            ("phoi-hop", "p2025:51/so-noi-vu".to_owned()),
            ("han", deadline.to_owned()),
        ]
    };
    for (fs, expect) in [
        (
            task_fields("  ", "30/06/2026"),
            "Tên nhiệm vụ không được để trống",
        ),
        (
            task_fields("Kiểm tra", "31/12/2025"),
            "trước ngày ban hành kế hoạch 05/01/2026",
        ),
        (
            task_fields("Kiểm tra", ""),
            "Hạn hoàn thành không được để trống",
        ),
        (
            task_fields("Kiểm tra", "31/12/9999"),
            "Ngày 31/12/9999 nằm ngoài khoảng năm 2000 đến năm 2100",
        ),
    ] {
        let pairs: Vec<(&str, &str)> = fs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let p = admin.post(&add, &pairs).await;
        assert_eq!(p.status, 422, "{}", p.body);
        assert!(p.body.contains(expect), "{expect}: {}", p.body);
    }
    assert!(d.app.store().plan_tasks(&id).await.unwrap().is_empty());
    // Ten working days from Friday 09/01/2026: Saturday 10/01 is worked (swapped for 02/01),
    // then Monday 12 … Thursday 22/01.
    let mut fs = task_fields("Kiểm tra công tác CCHC tại phường", "");
    fs.push(("so-ngay", "10".into()));
    fs.push(("tu-ngay", "09/01/2026".into()));
    let pairs: Vec<(&str, &str)> = fs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = admin.post(&add, &pairs).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = admin.get(&p.location).await;
    assert!(
        p.body.contains("22/01/2026") && p.body.contains("10 ngày làm việc kể từ 09/01/2026"),
        "{}",
        p.body
    );
    assert!(p.body.contains("Sở Nội vụ"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_report_is_submitted_and_reviewed() {
    let d = demo().await;
    let mut a = Browser::new(&d.base);
    a.login("cb.w2025-23293").await;
    let board = a.get("/ke-hoach/bang-theo-doi").await;
    assert!(board.body.contains("Quá hạn chưa nộp"), "{}", board.body);
    let obligation = d
        .app
        .store()
        .obligations_of(DESK_UNIT)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.period_key == "2026-Q3")
        .unwrap();
    assert!(obligation.submitted_on.is_none());
    let page = format!("/ke-hoach/bao-cao?don-vi={DESK_UNIT}");
    let token = a.csrf(&page).await;
    let submit = format!("/ke-hoach/bao-cao/{}/nop", obligation.id);
    let p = a
        .post_multipart(
            &submit,
            &[
                ("_csrf", token.as_str()),
                ("don-vi", DESK_UNIT),
                ("ghi-chu", ""),
            ],
            None,
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("Cần đính kèm tệp báo cáo"));
    let p = a
        .post_multipart(
            &submit,
            &[
                ("_csrf", token.as_str()),
                ("don-vi", DESK_UNIT),
                ("ghi-chu", "Nộp bù"),
            ],
            Some(("tep", "bao-cao-quy-3.pdf", PDF)),
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let o = d
        .app
        .store()
        .obligation(&obligation.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(o.submitted_on.as_deref(), Some("2026-11-22"));
    let subs = d.app.store().submissions_of(&o.id).await.unwrap();
    // The officer may not review.
    let review = format!("/ke-hoach/bao-cao/{}/danh-gia", o.id);
    let p = a
        .post(
            &review,
            &[
                ("_csrf", token.as_str()),
                ("don-vi", DESK_UNIT),
                ("lan-nop", subs[0].id.as_str()),
                ("danh-gia", "day-du"),
            ],
        )
        .await;
    assert_eq!(p.status, 403);
    let mut admin = Browser::new(&d.base);
    admin.login("quantri").await;
    let t = admin.csrf(&page).await;
    assert!(
        admin
            .get(&page)
            .await
            .body
            .contains("Đánh giá lần nộp gần nhất")
    );
    let p = admin
        .post(
            &review,
            &[
                ("_csrf", t.as_str()),
                ("don-vi", DESK_UNIT),
                ("lan-nop", subs[0].id.as_str()),
                ("danh-gia", "chua-day-du"),
                ("ghi-chu", ""),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("cần ghi rõ nội dung còn thiếu") || p.body.contains("Cần ghi rõ"));
    let p = admin
        .post(
            &review,
            &[
                ("_csrf", t.as_str()),
                ("don-vi", DESK_UNIT),
                ("lan-nop", subs[0].id.as_str()),
                ("danh-gia", "chua-day-du"),
                ("ghi-chu", "Thiếu phụ lục số liệu"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let duties = d
        .app
        .duties_in_year(2026, "2026-11-22".parse().unwrap())
        .await
        .unwrap();
    let r = duties[DESK_UNIT]
        .reports
        .iter()
        .find(|r| r.obligation_id == o.id)
        .unwrap();
    assert_eq!(r.state, cchc_domain::plan::ReportState::Incomplete);
    let _ = hidden;
}
