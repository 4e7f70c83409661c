//! PAR INDEX pages over real HTTP, each test on its own copy of one demo database (Kon Tum's
//! and Quảng Ngãi's units with the demo's PAR INDEX scorecards for 2024 and 2025, no dossiers:
//! the data values then read "no dossiers"): the ranking and a scorecard render with their
//! totals explained, totals are appraised + survey, scope and roles are enforced with nothing
//! changed on a refusal, points above the maximum are refused (422) and nothing is stored, a
//! survey file with a bad line names it and imports nothing, an appraisal changes the total.

use crate::browser::{Browser, hidden};
use cchc_app::accounts::NewAccount;
use cchc_app::catalogue::{ReferenceUnitFiles, reference_units};
use cchc_app::demo::DEMO_PASSWORD;
use cchc_app::{App, Principal, Role};
use cchc_domain::calendar::Calendar;
use cchc_store::Store;
use jiff::civil::date;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crate::read;

/// Phường Kon Tum: submitted, waiting for the council in 2025.
const SUBMITTED: &str = "w2025:23293";
/// Phường Đăk Cấm: still assessing itself in 2025.
const DRAFT: &str = "w2025:23284";
const DEPARTMENT: &str = "p2025:51/so-tu-phap";

fn demo_db() -> &'static PathBuf {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        std::thread::spawn(|| {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            let path = std::env::temp_dir().join(format!("cchc-web-par-{}.db", std::process::id()));
            for s in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{s}", path.display()));
            }
            let p = path.clone();
            rt.block_on(async move {
                let store = Store::connect(&format!("sqlite://{}", p.display()))
                    .await
                    .unwrap();
                let app = App::new(store, Arc::new(Calendar::embedded().unwrap()))
                    .await
                    .unwrap();
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
                let started = std::time::Instant::now();
                let r = cchc_app::demo_par::seed(&app, date(2025, 10, 6))
                    .await
                    .unwrap();
                eprintln!("par pages: {r:?} in {:?}", started.elapsed());
                // The scorecards need no dossiers (their data values then say so): the
                // accounts are made here rather than by the dossier demo.
                for (username, role, unit) in [
                    ("quantri", Role::Admin, Some("p2025:51/so-noi-vu")),
                    ("congdan001", Role::Citizen, None),
                    ("par.cb", Role::Officer, Some(DRAFT)),
                    ("par.ld", Role::Leader, Some(DRAFT)),
                    ("par.ld.kt", Role::Leader, Some(SUBMITTED)),
                    ("par.cb.so", Role::Officer, Some(DEPARTMENT)),
                ] {
                    app.create_account(
                        &sys,
                        NewAccount {
                            username: username.into(),
                            password: DEMO_PASSWORD.into(),
                            display_name: format!("Người dùng {username}"),
                            title: "Chuyên viên".into(),
                            role,
                            unit_id: unit.map(Into::into),
                        },
                    )
                    .await
                    .unwrap();
                }
                // Closed, so the file holds everything before it is copied.
                app.store().close().await;
            });
            drop(rt);
            path
        })
        .join()
        .unwrap()
    })
}

const NOW: &str = "2025-10-06T09:00:00";

struct Demo {
    base: String,
    app: App,
    path: PathBuf,
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
    let src = demo_db();
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let path = std::env::temp_dir().join(format!("cchc-web-par-{}-{n}.db", std::process::id()));
    for s in ["", "-wal", "-shm"] {
        let to = format!("{}{s}", path.display());
        let _ = std::fs::remove_file(&to);
        let from = format!("{}{s}", src.display());
        if s != "-shm" && std::path::Path::new(&from).exists() {
            std::fs::copy(&from, &to).unwrap();
        }
    }
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let now: jiff::civil::DateTime = NOW.parse().unwrap();
    let app = App::new(store, Arc::new(Calendar::embedded().unwrap()))
        .await
        .unwrap()
        .with_now(move || now);
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

fn card_path(unit: &str, year: i16) -> String {
    format!(
        "/chi-so-par/don-vi?{}",
        serde_urlencoded::to_string([("don-vi", unit), ("nam", &year.to_string())]).unwrap()
    )
}

/// The text of the first element with this class.
fn class_text(html: &str, class: &str) -> String {
    let marker = format!("class=\"{class}\">");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no .{class}")) + marker.len();
    html[start..start + html[start..].find('<').unwrap()].to_owned()
}

/// "84,25" → 84.25.
fn vn_number(text: &str) -> f64 {
    text.trim()
        .replace('.', "")
        .replace(',', ".")
        .parse()
        .unwrap()
}

async fn card_state(app: &App, unit: &str, year: i64) -> (i64, Option<f64>, f64, usize) {
    let c = app.store().par_card(unit, year).await.unwrap().unwrap();
    let items = app.store().par_items(unit, year).await.unwrap();
    (c.version, c.survey_points, c.self_points, items.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ranking_and_a_scorecard_render_and_totals_are_appraised_plus_survey() {
    let d = demo().await;
    // Every result: total = (appraised, or the claim before submission) + survey.
    for year in [2024, 2025] {
        let results = d.app.par_results(year).await.unwrap();
        assert!(results.len() > 20, "{year}: {}", results.len());
        for r in &results {
            let expected =
                r.appraised_points.unwrap_or(r.self_points) + r.survey_points.unwrap_or(0.0);
            assert!((r.total_points - expected).abs() < 1e-9, "{r:?}");
            assert!((r.percent - r.total_points).abs() < 1e-9, "out of 100");
            assert!(r.total_points <= r.max_points);
        }
        assert!(results.iter().any(|r| r.rank == Some(1)));
    }
    let r2025 = d.app.par_results(2025).await.unwrap();
    let communes: Vec<_> = r2025
        .iter()
        .filter(|r| r.unit_kind == cchc_domain::unit::UnitKind::Commune)
        .collect();
    assert!(
        communes
            .iter()
            .filter(|r| r.previous_rank.is_some())
            .count()
            > 10,
        "merged communes get their predecessors' standing"
    );

    let mut b = Browser::new(&d.base);
    b.login("quantri").await;
    let p = b.get("/chi-so-par?nam=2025&loai=xa").await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains(">Chỉ số PAR</a>"), "nav link");
    assert!(p.body.contains("Phường Kon Tum"));
    assert!(p.body.contains("Đã gửi, chờ thẩm định"));
    assert!(p.body.contains("<th scope=\"col\">Hạng năm 2024</th>"));
    assert!(p.body.contains("Kết quả tạm tính"), "provisional note");
    assert!(
        p.body.contains("Phường Đăk Cấm"),
        "the draft unit is listed, unranked"
    );
    assert!(!p.body.contains("style="), "no inline styles under the CSP");
    let p = b.get("/chi-so-par?nam=2024&loai=so").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("Sở Tư pháp tỉnh Kon Tum"));

    let p = b.get(&card_path(SUBMITTED, 2025)).await;
    assert_eq!(p.status, 200, "{}", p.body);
    let html = &p.body;
    let mine = r2025.iter().find(|r| r.unit == SUBMITTED).unwrap();
    assert!((vn_number(&class_text(html, "par-total")) - mine.total_points).abs() < 0.006);
    let rule = class_text(html, "par-rule");
    assert!(
        rule.contains("điểm sau thẩm định + ") && rule.contains("điểm điều tra xã hội học"),
        "{rule}"
    );
    assert!(html.contains("Hướng dẫn chấm"));
    assert!(html.contains("Tỷ lệ hồ sơ giải quyết đúng hạn"));
    assert!(
        html.contains("/chi-so-cai-cach?don-vi=w2025%3A23293"),
        "link to the indicator"
    );
    // Tasks on time come from the plans: a share with a link to the unit's board, or "no
    // data" while the unit owed nothing (depending on what other tests seeded).
    assert!(
        html.contains("Tỷ lệ nhiệm vụ hoàn thành đúng hạn: chưa có dữ liệu")
            || html.contains("/ke-hoach/bang-theo-doi?don-vi=w2025%3A23293"),
        "tasks on time: a value linked to the plans board, or no data"
    );
    assert!(html.contains("Thẩm định tiêu chí"), "the council's forms");
    assert!(html.contains("Năm 2024:"), "the year before");
    // The demo's evidence downloads.
    let start = html
        .find("/chi-so-par/minh-chung?")
        .expect("an evidence link");
    let href = html[start..start + html[start..].find('"').unwrap()]
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    let f = b.get(&href).await;
    assert_eq!(f.status, 200);
    assert!(f.body.starts_with("%PDF-"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scope_and_roles_are_enforced_and_a_refusal_changes_nothing() {
    let d = demo().await;
    let mut officer = Browser::new(&d.base);
    officer.login("par.cb").await;
    // Their own unit and the ranking: yes; another unit's card: 403.
    assert_eq!(officer.get(&card_path(DRAFT, 2025)).await.status, 200);
    assert_eq!(
        officer.get("/chi-so-par?nam=2025&loai=so").await.status,
        200
    );
    let p = officer.get(&card_path(DEPARTMENT, 2025)).await;
    assert_eq!(p.status, 403, "{}", p.body);
    assert!(p.body.contains("Không có quyền truy cập"));
    assert_eq!(officer.get("/chi-so-par/khao-sat").await.status, 403);

    // An officer cannot appraise, submit, or assess another unit.
    let before = card_state(&d.app, SUBMITTED, 2025).await;
    let token = officer.csrf(&card_path(DRAFT, 2025)).await;
    let p = officer
        .post(
            "/chi-so-par/tham-dinh",
            &[
                ("_csrf", &token),
                ("don-vi", SUBMITTED),
                ("nam", "2025"),
                ("muc", "1.2"),
                ("diem", "0"),
                ("nhan-xet", "thử"),
            ],
        )
        .await;
    assert_eq!(p.status, 403, "{}", p.body);
    let p = officer
        .post(
            "/chi-so-par/gui",
            &[("_csrf", &token), ("don-vi", DRAFT), ("nam", "2025")],
        )
        .await;
    assert_eq!(p.status, 403, "officers do not submit: {}", p.body);
    let p = officer
        .post_multipart(
            "/chi-so-par/tu-cham",
            &[
                ("_csrf", &token),
                ("don-vi", SUBMITTED),
                ("nam", "2025"),
                ("muc", "1.2"),
                ("diem", "2"),
            ],
            None,
        )
        .await;
    assert_eq!(p.status, 403, "{}", p.body);
    assert_eq!(
        card_state(&d.app, SUBMITTED, 2025).await,
        before,
        "nothing changed"
    );
    // Without the CSRF token: refused too.
    let p = officer
        .post("/chi-so-par/gui", &[("don-vi", DRAFT), ("nam", "2025")])
        .await;
    assert_eq!(p.status, 403);

    let mut citizen = Browser::new(&d.base);
    citizen.login("congdan001").await;
    assert_eq!(citizen.get("/chi-so-par").await.status, 403);
    assert_eq!(citizen.get(&card_path(DRAFT, 2025)).await.status, 403);
    let mut visitor = Browser::new(&d.base);
    let p = visitor.get("/chi-so-par").await;
    assert_eq!(p.status, 303);
    // Bad addresses: Vietnamese errors, never a 500.
    for (path, status) in [
        ("/chi-so-par?nam=abc", 422),
        ("/chi-so-par?nam=1990", 404),
        ("/chi-so-par?loai=huyen", 422),
        ("/chi-so-par/don-vi?don-vi=khong-co&nam=2025", 404),
        ("/chi-so-par/don-vi?don-vi=w:23281&nam=2025", 422),
    ] {
        let p = officer.get(path).await;
        assert!(
            p.status == status || p.status == 403,
            "{path}: {}",
            p.status
        );
        assert!(p.body.contains("<html lang=\"vi\">"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn points_above_the_maximum_are_refused_and_nothing_is_stored() {
    let d = demo().await;
    let mut b = Browser::new(&d.base);
    b.login("par.cb").await;
    let page = b.get(&card_path(DRAFT, 2025)).await;
    assert!(
        page.body.contains("Tự chấm tiêu chí 1.1.1"),
        "the unit's forms"
    );
    let token = hidden(&page.body, "_csrf");
    let before = card_state(&d.app, DRAFT, 2025).await;
    let p = b
        .post_multipart(
            "/chi-so-par/tu-cham",
            &[
                ("_csrf", &token),
                ("don-vi", DRAFT),
                ("nam", "2025"),
                ("muc", "1.1.1"),
                ("diem", "1,5"),
                ("giai-trinh", "Ban hành đúng hạn"),
            ],
            Some(("minh-chung", "ke-hoach.pdf", b"%PDF-1.4 ke hoach")),
        )
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("role=\"alert\""));
    assert!(
        p.body.contains("vượt quá điểm tối đa 1 của tiêu chí 1.1.1"),
        "{}",
        p.body
    );
    assert_eq!(
        card_state(&d.app, DRAFT, 2025).await,
        before,
        "nothing stored"
    );
    let evidence = d
        .app
        .store()
        .par_evidence_list(DRAFT, 2025)
        .await
        .unwrap()
        .len();
    // A file that is not PDF/PNG/JPEG: refused, nothing stored either.
    let p = b
        .post_multipart(
            "/chi-so-par/tu-cham",
            &[
                ("_csrf", &token),
                ("don-vi", DRAFT),
                ("nam", "2025"),
                ("muc", "1.1.1"),
                ("diem", "1"),
            ],
            Some(("minh-chung", "virus.exe", b"MZ\x90\x00")),
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("không đúng định dạng"));
    assert_eq!(card_state(&d.app, DRAFT, 2025).await, before);
    // Valid: stored with its evidence.
    let p = b
        .post_multipart(
            "/chi-so-par/tu-cham",
            &[
                ("_csrf", &token),
                ("don-vi", DRAFT),
                ("nam", "2025"),
                ("muc", "7.3.3"),
                ("diem", "0,5"),
                ("giai-trinh", "Đã kết nối một phần"),
            ],
            Some(("minh-chung", "xac-nhan.pdf", b"%PDF-1.4 xac nhan")),
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let after = card_state(&d.app, DRAFT, 2025).await;
    assert_eq!(after.0, before.0 + 1);
    assert!(
        (after.2 - before.2 - 0.5).abs() < 1e-9,
        "{before:?} → {after:?}"
    );
    assert_eq!(
        d.app
            .store()
            .par_evidence_list(DRAFT, 2025)
            .await
            .unwrap()
            .len(),
        evidence + 1
    );
    // The leader cannot submit while items are missing.
    let mut leader = Browser::new(&d.base);
    leader.login("par.ld").await;
    let token = leader.csrf(&card_path(DRAFT, 2025)).await;
    let p = leader
        .post(
            "/chi-so-par/gui",
            &[("_csrf", &token), ("don-vi", DRAFT), ("nam", "2025")],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("tiêu chí chưa tự chấm"), "{}", p.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_survey_file_with_a_bad_line_names_it_and_imports_nothing() {
    let d = demo().await;
    let mut b = Browser::new(&d.base);
    b.login("quantri").await;
    let page = b.get("/chi-so-par/khao-sat?nam=2025").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Xã, phường, đặc khu: tối đa 32 điểm"));
    let token = hidden(&page.body, "_csrf");
    let before_a = card_state(&d.app, SUBMITTED, 2025).await;
    let before_b = card_state(&d.app, DEPARTMENT, 2025).await;
    for (csv, needle) in [
        (
            "don_vi,diem\nw2025:23293,20\np2025:51/so-tu-phap,abc\n",
            "Dòng 3: điểm «abc» không phải là một số",
        ),
        (
            "don_vi,diem\nw2025:23293,20\nkhong-co,10\n",
            "Dòng 3: không tìm thấy đơn vị «khong-co»",
        ),
        (
            "don_vi,diem\nw2025:23293,20\np2025:51/so-tu-phap,31\n",
            "Dòng 3: điểm 31 vượt quá",
        ),
        (
            "don_vi,diem\nw2025:23293,33\n",
            "Dòng 2: điểm 33 vượt quá điểm tối đa của phần điều tra xã hội học (32)",
        ),
    ] {
        let p = b
            .post_multipart(
                "/chi-so-par/khao-sat",
                &[("_csrf", &token), ("nam", "2025")],
                Some(("tep", "khao-sat.csv", csv.as_bytes())),
            )
            .await;
        assert_eq!(p.status, 422, "{csv}: {}", p.body);
        assert!(p.body.contains(needle), "{needle}: {}", p.body);
        assert!(p.body.contains("role=\"alert\""));
        assert_eq!(
            card_state(&d.app, SUBMITTED, 2025).await,
            before_a,
            "nothing imported"
        );
        assert_eq!(card_state(&d.app, DEPARTMENT, 2025).await, before_b);
    }
    let p = b
        .post_multipart(
            "/chi-so-par/khao-sat",
            &[("_csrf", &token), ("nam", "2025")],
            Some((
                "tep",
                "khao-sat.csv",
                "don_vi,diem\nw2025:23293,\"20,5\"\np2025:51/so-tu-phap,22\n".as_bytes(),
            )),
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(card_state(&d.app, SUBMITTED, 2025).await.1, Some(20.5));
    assert_eq!(card_state(&d.app, DEPARTMENT, 2025).await.1, Some(22.0));
    // Officers do not import.
    let mut officer = Browser::new(&d.base);
    officer.login("par.cb").await;
    let t = officer.csrf("/chi-so-par").await;
    let p = officer
        .post_multipart(
            "/chi-so-par/khao-sat",
            &[("_csrf", &t), ("nam", "2025")],
            Some(("tep", "k.csv", b"don_vi,diem\nw2025:23293,1\n")),
        )
        .await;
    assert_eq!(p.status, 403);
    assert_eq!(card_state(&d.app, SUBMITTED, 2025).await.1, Some(20.5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_appraisal_changes_the_total_by_its_difference() {
    let d = demo().await;
    let mut b = Browser::new(&d.base);
    b.login("quantri").await;
    let path = card_path(SUBMITTED, 2025);
    let page = b.get(&path).await;
    let token = hidden(&page.body, "_csrf");
    let total_before = vn_number(&class_text(&page.body, "par-total"));
    let items = d.app.store().par_items(SUBMITTED, 2025).await.unwrap();
    let item = items
        .iter()
        .find(|i| i.appraised_points.is_none() && i.self_points.unwrap_or(0.0) >= 0.5)
        .expect("an item not yet appraised");
    let claim = item.self_points.unwrap();
    let new = claim - 0.5;
    let new_text = new.to_string().replace('.', ",");
    let form = |points: &str, comment: &str| {
        vec![
            ("_csrf".to_owned(), token.clone()),
            ("don-vi".to_owned(), SUBMITTED.to_owned()),
            ("nam".to_owned(), "2025".to_owned()),
            ("muc".to_owned(), item.item.clone()),
            ("diem".to_owned(), points.to_owned()),
            ("nhan-xet".to_owned(), comment.to_owned()),
        ]
    };
    let send = |f: Vec<(String, String)>| {
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        serde_urlencoded::to_string(pairs).unwrap()
    };
    let before = card_state(&d.app, SUBMITTED, 2025).await;
    for (points, comment, needle) in [
        (new_text.as_str(), "", "ần ghi nhận xét, lý do"),
        ("99", "quá", "vượt quá điểm tối đa"),
        ("-1", "âm", "không được âm"),
        ("mot", "chữ", "không phải là một số"),
    ] {
        let r = b
            .http
            .post(format!("{}/chi-so-par/tham-dinh", d.base))
            .header("cookie", b.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(send(form(points, comment)))
            .send()
            .await
            .unwrap();
        let p = b.read(r).await;
        assert_eq!(p.status, 422, "{points}: {}", p.body);
        assert!(p.body.contains(needle), "{needle}: {}", p.body);
        assert_eq!(card_state(&d.app, SUBMITTED, 2025).await, before);
    }
    let r = b
        .http
        .post(format!("{}/chi-so-par/tham-dinh", d.base))
        .header("cookie", b.cookie_header())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(send(form(&new_text, "Tài liệu kiểm chứng chưa đầy đủ.")))
        .send()
        .await
        .unwrap();
    let p = b.read(r).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = b.get(&path).await;
    assert!(page.body.contains("Đã ghi nhận điểm thẩm định tiêu chí"));
    assert!(page.body.contains("Tài liệu kiểm chứng chưa đầy đủ."));
    let total_after = vn_number(&class_text(&page.body, "par-total"));
    assert!(
        (total_before - 0.5 - total_after).abs() < 0.006,
        "{total_before} → {total_after}"
    );
    let r = d.app.par_results(2025).await.unwrap();
    let mine = r.iter().find(|x| x.unit == SUBMITTED).unwrap();
    assert!((mine.total_points - total_after).abs() < 0.006);
    // Finishing the appraisal makes it final; no more adjustments.
    let p = b
        .post(
            "/chi-so-par/hoan-tat",
            &[("_csrf", &token), ("don-vi", SUBMITTED), ("nam", "2025")],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let r = d.app.par_results(2025).await.unwrap();
    assert!(r.iter().find(|x| x.unit == SUBMITTED).unwrap().appraised);
    let p = b
        .post(
            "/chi-so-par/tham-dinh",
            &[
                ("_csrf", &token),
                ("don-vi", SUBMITTED),
                ("nam", "2025"),
                ("muc", &item.item),
                ("diem", "0"),
                ("nhan-xet", "x"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("đã hoàn tất thẩm định"));
}
