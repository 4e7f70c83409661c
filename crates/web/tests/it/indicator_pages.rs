//! Indicator pages over real HTTP, each test on its own copy of one demo database generated
//! once (Kon Tum city and the Department of Justice, July 2024 to 5 October 2025, across the
//! 1 July 2025 merger): the scorecard and its drill-down agree, scope and roles, Vietnamese
//! errors for bad addresses, closing a quarter publishes it, the JSON API, the ranking's ties
//! and unranked units, and a manual value entered with its evidence.

use crate::browser::{Browser, hidden};
use cchc_app::catalogue::{ReferenceUnitFiles, reference_units};
use cchc_app::demo::{DEMO_PASSWORD, DemoOptions, generate};
use cchc_app::{App, Principal};
use cchc_domain::calendar::Calendar;
use cchc_store::Store;
use jiff::civil::date;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crate::read;

fn demo_db() -> &'static PathBuf {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        std::thread::spawn(|| {
            remove_stale_copies();
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            let path =
                std::env::temp_dir().join(format!("cchc-web-indicators-{}.db", std::process::id()));
            for s in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{s}", path.display()));
            }
            let p = path.clone();
            rt.block_on(async move {
                let started = std::time::Instant::now();
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
                app.import_procedures(&sys, &read("tthc_dvcqg_2642_procedures.csv"))
                    .await
                    .unwrap();
                let opts = DemoOptions {
                    seed: 7,
                    dossiers: 2000,
                    from: date(2024, 7, 1),
                    to: date(2025, 10, 5),
                    citizens: 10,
                    workers: 2,
                    scope: ["d:608", "p:62/so-tu-phap"].map(String::from).to_vec(),
                };
                let r = generate(&app, &opts, |_| {}).await.unwrap();
                eprintln!(
                    "indicator pages: demo of {} dossiers, {} accounts in {:?}",
                    r.dossiers,
                    r.accounts,
                    started.elapsed()
                );
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

/// "Today" for every test: the quarter 2025-Q3 has ended and can be closed.
const NOW: &str = "2025-10-06T09:00:00";

struct Demo {
    base: String,
    app: App,
    path: PathBuf,
}

impl Drop for Demo {
    /// Each copy is 20 MB: removed when the test ends (the server goes with its runtime).
    fn drop(&mut self) {
        for s in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{s}", self.path.display()));
        }
    }
}

/// Copies left by earlier runs (killed before their end) are removed after a day.
fn remove_stale_copies() {
    let Ok(dir) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in dir.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 24 * 3600);
        if old
            && entry
                .file_name()
                .to_string_lossy()
                .starts_with("cchc-web-indicators-")
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A server on its own copy of the demo database.
async fn demo() -> Demo {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let src = demo_db();
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let path =
        std::env::temp_dir().join(format!("cchc-web-indicators-{}-{n}.db", std::process::id()));
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

/// Undoes the HTML escaping of an attribute value.
fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&#38;", "&")
        .replace("&#x2f;", "/")
        .replace("&#47;", "/")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

/// A number as pages print it ("1.234") as an integer.
fn number(text: &str) -> i64 {
    text.trim()
        .replace('.', "")
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {text:?}"))
}

/// Every drill-down link of a scorecard page: (its address, the number it shows).
fn drill_links(html: &str) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<a href=\"/chi-so-cai-cach/ho-so?") {
        rest = &rest[i + "<a href=\"".len()..];
        let href = unescape(&rest[..rest.find('"').unwrap()]);
        let text_start = rest.find('>').unwrap() + 1;
        let text = &rest[text_start..text_start + rest[text_start..].find('<').unwrap()];
        out.push((href, number(text)));
    }
    out
}

/// The check line of a drill-down page: (sum of the list, number on the table).
fn check_line(html: &str) -> (i64, i64) {
    let line = &html[html.find("Tổng theo danh sách:").expect("check line")..];
    let line = &line[..line.find("</p>").unwrap()];
    let strip = |s: &str| -> String {
        let mut out = String::new();
        let mut tag = false;
        for c in s.chars() {
            match c {
                '<' => tag = true,
                '>' => tag = false,
                c if !tag => out.push(c),
                _ => {}
            }
        }
        out
    };
    let text = strip(line);
    let after = |marker: &str| -> i64 {
        let t = &text[text.find(marker).unwrap() + marker.len()..];
        let digits: String = t
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
            .collect();
        number(&digits)
    };
    (after("Tổng theo danh sách:"), after("số trên bảng:"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scorecard_renders_and_every_number_matches_its_dossier_list() {
    let d = demo().await;
    let mut b = Browser::new(&d.base);
    b.login("quantri").await;
    // The default: the province with the most dossiers, the current quarter.
    let p = b.get("/chi-so-cai-cach").await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("Quý IV/2025"), "current quarter by default");
    assert!(p.body.contains(">Chỉ số</a>"), "nav link for staff");

    let p = b.get("/chi-so-cai-cach?don-vi=p:62&ky=2025-Q2").await;
    assert_eq!(p.status, 200, "{}", p.body);
    let html = &p.body;
    assert!(
        html.contains("Quý II/2025 (01/04/2025 - 30/06/2025)"),
        "dates as dd/mm/yyyy"
    );
    assert!(html.contains("điểm đạt ÷"), "the total's rule is shown");
    assert!(html.contains("<caption>Chỉ số của"), "tables have captions");
    assert!(html.contains("<th scope=\"col\">Mã</th>"));
    assert!(html.contains("Tỷ lệ hồ sơ giải quyết đúng hạn"));
    assert!(html.contains("14 × "), "points rule of 2.1");
    assert!(html.contains("cùng kỳ năm trước"));
    // The trend chart: an accessible SVG with a title per point.
    let svg = &html[html.find("<svg").expect("a chart")..];
    let svg = &svg[..svg.find("</svg>").unwrap()];
    assert!(svg.contains("role=\"img\"") && svg.contains("aria-label=\"Điểm tổng"));
    assert!(
        svg.matches("<g class=\"chart-item\"><title>").count() >= 12,
        "{svg}"
    );
    assert!(!html.contains("style="), "no inline styles under the CSP");

    let links = drill_links(html);
    assert!(
        links.len() >= 20,
        "every computed indicator links its numbers: {links:?}"
    );
    let on_time_den = links
        .iter()
        .find(|(h, _)| h.contains("chi-so=2.1") && h.contains("phan=mau"))
        .unwrap();
    assert!(
        on_time_den.1 > 30,
        "Kon Tum received dossiers in Q2: {on_time_den:?}"
    );
    for (href, shown) in links.iter().filter(|(h, _)| {
        ["2.1", "3.3", "3.6", "5.4"]
            .iter()
            .any(|c| h.contains(&format!("chi-so={c}&")))
    }) {
        let page = b.get(href).await;
        assert_eq!(page.status, 200, "{href}: {}", page.body);
        let (listed, table) = check_line(&page.body);
        assert_eq!(listed, table, "{href}");
        assert_eq!(
            table, *shown,
            "{href}: the drill-down's number is the table's"
        );
        // The administrator reads figures; dossier pages are the officers' and leaders'.
        assert!(
            !page.body.contains("<a href=\"/can-bo/ho-so/"),
            "{href}: no links the administrator cannot open"
        );
    }
    // The largest list shows the first 500 and says how many more.
    let p = b
        .get("/chi-so-cai-cach/ho-so?don-vi=p:62&ky=2024-07-01..2025-06-30&chi-so=2.1&phan=mau")
        .await;
    assert_eq!(p.status, 200);
    let (listed, table) = check_line(&p.body);
    assert_eq!(listed, table);
    if table > 500 {
        assert!(
            p.body.contains("hồ sơ nữa không hiển thị"),
            "{}",
            &p.body[..2000]
        );
        assert_eq!(
            p.body.matches("<tr>").count(),
            501,
            "500 rows and the header"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_see_their_subtree_and_citizens_are_refused() {
    let d = demo().await;
    let mut visitor = Browser::new(&d.base);
    let p = visitor.get("/chi-so-cai-cach").await;
    assert_eq!(p.status, 303);
    assert!(p.location.starts_with("/dang-nhap?next="), "{}", p.location);

    let mut officer = Browser::new(&d.base);
    officer.login("cb.w2025-23293").await;
    let p = officer.get("/chi-so-cai-cach?ky=2025-Q3").await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(
        p.body.contains("Phường Kon Tum"),
        "their own unit by default"
    );
    for path in [
        "/chi-so-cai-cach?don-vi=p:62/so-tu-phap&ky=2025-Q3",
        "/chi-so-cai-cach?don-vi=p:62&ky=2025-Q2",
        "/chi-so-cai-cach/ho-so?don-vi=p:62/so-tu-phap&ky=2025-Q3&chi-so=2.1&phan=tu",
        "/chi-so-cai-cach/chi-tieu?don-vi=p:62/so-tu-phap",
    ] {
        let p = officer.get(path).await;
        assert_eq!(p.status, 403, "{path}");
        assert!(
            p.body.contains("Không có quyền truy cập"),
            "{path}: {}",
            p.body
        );
        assert!(p.body.contains("<html lang=\"vi\">"));
    }
    // Administration pages are the administrator's.
    let p = officer.get("/chi-so-cai-cach/chot-so-lieu").await;
    assert_eq!(p.status, 403);
    // Their targets and the ranking are theirs to see.
    let p = officer.get("/chi-so-cai-cach/chi-tieu").await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("Chỉ tiêu kế hoạch") && !p.body.contains("Ghi nhận số liệu"));

    let mut citizen = Browser::new(&d.base);
    citizen.login("congdan001").await;
    for path in [
        "/chi-so-cai-cach",
        "/chi-so-cai-cach/xep-hang",
        "/chi-so-cai-cach/ho-so?don-vi=p:62&ky=2025-Q2&chi-so=2.1&phan=tu",
    ] {
        let p = citizen.get(path).await;
        assert_eq!(p.status, 403, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_addresses_get_vietnamese_errors_never_a_500() {
    let d = demo().await;
    let mut b = Browser::new(&d.base);
    b.login("quantri").await;
    for (path, status, text) in [
        (
            "/chi-so-cai-cach?ky=2025-Q9",
            422,
            "không hợp lệ: «2025-Q9»",
        ),
        (
            "/chi-so-cai-cach?ky=hom-qua",
            422,
            "không hợp lệ: «hom-qua»",
        ),
        ("/chi-so-cai-cach?ky=1800", 422, "không hợp lệ"),
        ("/chi-so-cai-cach?ky=1999", 422, "ngoài phạm vi"),
        (
            "/chi-so-cai-cach?tu=2025-08-01&den=2025-07-01",
            422,
            "ngày bắt đầu sau ngày kết thúc",
        ),
        (
            "/chi-so-cai-cach?tu=2025-08-01",
            422,
            "cả ngày bắt đầu và ngày kết thúc",
        ),
        ("/chi-so-cai-cach?don-vi=khong-co", 404, "Không tìm thấy"),
        (
            "/chi-so-cai-cach/xep-hang?loai=nowhere",
            422,
            "«nowhere» không hợp lệ",
        ),
        (
            "/chi-so-cai-cach/xep-hang?chi-so=9.9",
            404,
            "Không tìm thấy",
        ),
        (
            "/chi-so-cai-cach/ho-so?don-vi=p:62&ky=2025-Q2&chi-so=2.1&phan=x",
            422,
            "Phần «x» không hợp lệ",
        ),
        (
            "/chi-so-cai-cach/ho-so?don-vi=p:62&ky=2025-Q2&chi-so=2.1",
            422,
            "Thiếu tham số phần",
        ),
        (
            "/chi-so-cai-cach/ho-so?don-vi=p:62&ky=2025-Q2&chi-so=9.9&phan=tu",
            404,
            "Không tìm thấy",
        ),
        (
            "/chi-so-cai-cach/ho-so?don-vi=p:62&ky=2025-Q2&chi-so=1.1&phan=tu",
            422,
            "nhập tay",
        ),
        (
            "/chi-so-cai-cach/chi-tieu?don-vi=khong-co",
            404,
            "Không tìm thấy",
        ),
        (
            "/chi-so-cai-cach/chot-so-lieu?kiem-tra=2025-Q1",
            404,
            "Không tìm thấy",
        ),
        (
            "/chi-so-cai-cach/chot-so-lieu?kiem-tra=abc",
            422,
            "không hợp lệ",
        ),
        ("/chi-so?ky=2025-Q9", 422, "không hợp lệ"),
        ("/chi-so?ky=2025-Q1", 404, "Không tìm thấy"),
    ] {
        let p = b.get(path).await;
        assert_eq!(p.status, status, "{path}: {}", p.body);
        assert!(p.body.contains("<html lang=\"vi\">"), "{path}");
        assert!(p.body.contains(text), "{path}: {}", p.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_quarter_freezes_and_publishes_it() {
    let d = demo().await;
    let mut public = Browser::new(&d.base);
    let p = public.get("/chi-so").await;
    assert_eq!(p.status, 200);
    assert!(
        p.body.contains("Chưa có kỳ số liệu nào được chốt"),
        "{}",
        p.body
    );

    let mut b = Browser::new(&d.base);
    b.login("quantri").await;
    let token = b.csrf("/chi-so-cai-cach/chot-so-lieu").await;
    let page = b.get("/chi-so-cai-cach/chot-so-lieu").await;
    assert!(
        page.body.contains("<option value=\"2025-Q3\" selected>"),
        "last quarter preselected"
    );
    assert!(
        !page.body.contains("<option value=\"2025-Q4\""),
        "a running quarter cannot be closed"
    );
    // Without the token: refused, nothing closed.
    let p = b
        .post("/chi-so-cai-cach/chot-so-lieu", &[("ky", "2025-Q3")])
        .await;
    assert_eq!(p.status, 403);
    assert!(d.app.closed_periods().await.unwrap().is_empty());
    let p = b
        .post(
            "/chi-so-cai-cach/chot-so-lieu",
            &[("_csrf", &token), ("ky", "2025-Q4")],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("chưa kết thúc"), "{}", p.body);

    let p = b
        .post(
            "/chi-so-cai-cach/chot-so-lieu",
            &[("_csrf", &token), ("ky", "2025-Q3")],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = b.get(&p.location).await;
    assert!(
        p.body.contains("Đã chốt số liệu Quý III/2025"),
        "flash: {}",
        p.body
    );
    assert!(p.body.contains("Người chốt"));
    // Twice: a clear error.
    let p = b
        .post(
            "/chi-so-cai-cach/chot-so-lieu",
            &[("_csrf", &token), ("ky", "2025-Q3")],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(
        p.body.contains("Kỳ Quý III/2025 đã được chốt."),
        "{}",
        p.body
    );
    // Verify: recomputed from the data now, it matches.
    let p = b
        .get("/chi-so-cai-cach/chot-so-lieu?kiem-tra=2025-Q3")
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("<strong>Khớp:</strong>"), "{}", p.body);
    // The scorecard says its figures are frozen.
    let p = b.get("/chi-so-cai-cach?don-vi=p2025:51&ky=2025-Q3").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("Số liệu đã chốt."), "{}", p.body);
    assert!(p.body.contains("class=\"fingerprint\""));

    // The public page now shows the quarter, without names of people or dossier links.
    let p = public.get("/chi-so").await;
    assert_eq!(p.status, 200, "{}", p.body);
    let html = &p.body;
    assert!(
        html.contains("<option value=\"2025-Q3\" selected>Quý III/2025</option>"),
        "{html}"
    );
    assert!(html.contains("Phường Kon Tum"), "{html}");
    assert!(html.contains("Chỉ số 2.1") && html.contains("Chỉ số 5.4"));
    assert!(html.contains("%</td>"), "main indicators as percentages");
    assert!(!html.contains("/chi-so-cai-cach/ho-so") && !html.contains("/can-bo/ho-so"));
    assert!(
        !html.contains("Quản trị CCHC (dữ liệu mẫu)"),
        "no names of people"
    );
    let p = public.get("/chi-so?ky=2025-Q3&loai=xa").await;
    assert_eq!(p.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_returns_the_scorecard_and_the_ranking() {
    let d = demo().await;
    let http = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", d.base);
    let r = http
        .get(url("/api/v1/indicators?unit=p:62&period=2025-Q2"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let login: serde_json::Value = http
        .post(url("/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "quantri", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap().to_owned();
    let get = |path: &'static str| {
        let (http, token, u) = (http.clone(), token.clone(), url(path));
        async move {
            let r = http.get(u).bearer_auth(token).send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (st, v) = get("/api/v1/indicators?unit=p:62&period=2025-Q2").await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["unit_id"], "p:62");
    assert_eq!(v["period_label"], "Quý II/2025");
    let results = v["card"]["results"].as_array().unwrap();
    let on_time = results.iter().find(|r| r["code"] == "2.1").unwrap();
    assert!(on_time["denominator"].as_i64().unwrap() > 0, "{on_time}");
    assert!(v["card"]["score"].as_f64().is_some());
    // The same number the page shows.
    let sc = d
        .app
        .unit_scorecard(
            &cchc_app::Principal::system(),
            "p:62",
            &"2025-Q2".parse().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        on_time["numerator"].as_i64(),
        sc.card.result("2.1").map(|r| r.numerator)
    );
    let (st, v) = get("/api/v1/indicators?unit=p:62&period=2025-Q9").await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(v["error"]["code"], "invalid");
    let (st, _) = get("/api/v1/indicators?unit=khong-co&period=2025-Q2").await;
    assert_eq!(st, 404);
    let (st, v) = get("/api/v1/indicators/ranking?period=2025-Q2&kind=commune").await;
    assert_eq!(st, 200, "{v}");
    assert!(!v["rows"].as_array().unwrap().is_empty());
    assert_eq!(v["min_volume"], 30);
    let (st, _) = get("/api/v1/indicators/ranking?period=2025-Q2&kind=nowhere").await;
    assert_eq!(st, 422);
    let (st, _) = get("/api/v1/indicators/ranking?period=2025-Q2&indicator=9.9").await;
    assert_eq!(st, 404);
    let (st, doc) = get("/api/openapi.json").await;
    assert_eq!(st, 200);
    assert!(doc["paths"]["/api/v1/indicators"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/indicators/ranking"]["get"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ranking_shows_ties_the_unranked_and_a_chart() {
    let d = demo().await;
    let mut b = Browser::new(&d.base);
    b.login("quantri").await;
    // 2025, communes: Kon Tum's before the merger and Quảng Ngãi's after; two share 5th
    // place, and those with fewer than 30 dossiers are listed after, unranked.
    let p = b.get("/chi-so-cai-cach/xep-hang?ky=2025&loai=xa").await;
    assert_eq!(p.status, 200, "{}", p.body);
    let html = &p.body;
    assert!(
        html.contains("<caption>Xếp hạng Xã, phường, đặc khu theo Điểm tổng (thang 100), Năm 2025"),
        "{html}"
    );
    // Ranks in order: tied units show "=k", and the rank after a tie group skips its size.
    let ranks: Vec<String> = html
        .split("class=\"num rank\">")
        .skip(1)
        .map(|t| t[..t.find("</td>").unwrap()].to_owned())
        .collect();
    assert!(ranks.len() >= 3, "{ranks:?}");
    let mut expected = 1;
    let mut i = 0;
    let mut saw_tie = false;
    while i < ranks.len() {
        let tied = ranks[i].starts_with('=');
        let n: usize = ranks[i].trim_start_matches('=').parse().unwrap();
        assert_eq!(n, expected, "{ranks:?}");
        let group = ranks[i..].iter().take_while(|r| **r == ranks[i]).count();
        assert_eq!(tied, group > 1, "{ranks:?}");
        saw_tie |= tied;
        expected += group;
        i += group;
    }
    assert_eq!(saw_tie, html.contains("đơn vị đồng hạng"), "{ranks:?}");
    assert!(html.contains("Phường Kon Tum"), "full unit names");
    let unranked = &html[html
        .find("id=\"khong-xep-hang\"")
        .expect("unranked section")..];
    assert!(
        unranked.contains("dưới 30 hồ sơ: không xếp hạng"),
        "{unranked}"
    );
    assert!(unranked.contains(">29</td>"), "{unranked}");
    let svg = &html[html.find("<svg").expect("a bar chart")..];
    let svg = &svg[..svg.find("</svg>").unwrap()];
    let bars = ranks.len().min(15);
    assert!(
        svg.contains("role=\"img\"")
            && svg.contains(&format!("aria-label=\"{bars} đơn vị đứng đầu"))
    );
    assert_eq!(svg.matches("<rect class=\"chart-bar\"").count(), bars);
    assert!(svg.contains("<title>1. "), "a title per bar");
    // Ranked by one indicator, and year-before columns.
    for code in ["2.1", "3.3", "3.6", "4.1", "5.4"] {
        let p = b
            .get(&format!(
                "/chi-so-cai-cach/xep-hang?ky=2025-Q3&loai=xa&chi-so={code}"
            ))
            .await;
        assert_eq!(p.status, 200, "{code}: {}", p.body);
        assert!(p.body.contains(&format!("Chỉ số {code}:")), "{code}");
        assert!(p.body.contains("Hạng năm trước"));
    }
    // Every kind ranks without error.
    for loai in ["so", "huyen", "mot-cua", "trung-tam", "tinh", ""] {
        let p = b
            .get(&format!("/chi-so-cai-cach/xep-hang?ky=2025-Q2&loai={loai}"))
            .await;
        assert_eq!(p.status, 200, "{loai}: {}", p.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_administrator_enters_a_manual_value_with_its_evidence() {
    let d = demo().await;
    let mut b = Browser::new(&d.base);
    b.login("quantri").await;
    let page = b.get("/chi-so-cai-cach/chi-tieu?don-vi=p2025:51").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Chỉ số nhập tay"));
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    assert!(page.body.contains("Đúng hướng") || page.body.contains("Chậm so với lộ trình"));
    let token = hidden(&page.body, "_csrf");
    let pdf = b"%PDF-1.4\n% minh chung\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    let fields = [
        ("_csrf", token.as_str()),
        ("ma", "1.1"),
        ("don-vi", "p2025:51"),
        ("ky", "2025-Q4"),
        ("gia-tri", "95,5"),
        ("ghi-chu", "Báo cáo công khai thủ tục quý IV"),
    ];
    // Without a file: the page again with the reason.
    let p = b
        .post_multipart("/chi-so-cai-cach/nhap-so-lieu", &fields, None)
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("Cần đính kèm tệp minh chứng"));
    // A value that is not a number.
    let mut bad = fields;
    bad[4] = ("gia-tri", "nhiều");
    let p = b
        .post_multipart(
            "/chi-so-cai-cach/nhap-so-lieu",
            &bad,
            Some(("minh-chung", "bao-cao.pdf", pdf)),
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("Giá trị phải là một số"));
    // Without the token: refused.
    let p = b
        .post_multipart(
            "/chi-so-cai-cach/nhap-so-lieu",
            &fields[1..],
            Some(("minh-chung", "bao-cao.pdf", pdf)),
        )
        .await;
    assert_eq!(p.status, 403);
    let p = b
        .post_multipart(
            "/chi-so-cai-cach/nhap-so-lieu",
            &fields,
            Some(("minh-chung", "bao-cao.pdf", pdf)),
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = b.get(&p.location).await;
    assert!(p.body.contains("Đã ghi nhận 1.1: 95,5%"), "{}", p.body);
    let p = b.get("/chi-so-cai-cach?don-vi=p2025:51&ky=2025-Q4").await;
    let row = &p.body[p.body.find("id=\"chi-so-1.1\"").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("95,5%") && row.contains("Nhập có minh chứng"),
        "{row}"
    );
    // An officer may not enter values.
    let mut officer = Browser::new(&d.base);
    officer.login("cb.w2025-23293").await;
    let t = officer.csrf("/chi-so-cai-cach/chi-tieu").await;
    let mut theirs = fields;
    theirs[0] = ("_csrf", t.as_str());
    let p = officer
        .post_multipart(
            "/chi-so-cai-cach/nhap-so-lieu",
            &theirs,
            Some(("minh-chung", "bao-cao.pdf", pdf)),
        )
        .await;
    assert_eq!(p.status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_download_as_excel_and_csv_within_the_same_scope() {
    let d = demo().await;
    let mut admin = Browser::new(&d.base);
    admin.login("quantri").await;
    let overview = admin.get("/chi-so-cai-cach?ky=2025-Q3").await;
    assert!(
        overview
            .body
            .contains("/chi-so-cai-cach/tai-ve?bao-cao=bang-diem")
    );
    let ranking = admin.get("/chi-so-cai-cach/xep-hang?ky=2025-Q3").await;
    assert!(ranking.body.contains("bao-cao=xep-hang"));
    let raw = |b: &Browser, path: &str| {
        let req = b
            .http
            .get(format!("{}{path}", b.base))
            .header("cookie", b.cookie_header());
        async move { req.send().await.unwrap() }
    };
    for (path, xlsx) in [
        (
            "/chi-so-cai-cach/tai-ve?bao-cao=bang-diem&dinh-dang=xlsx&don-vi=p:62&ky=2025-Q2",
            true,
        ),
        (
            "/chi-so-cai-cach/tai-ve?bao-cao=bang-diem&dinh-dang=csv&don-vi=p:62&ky=2025-Q2",
            false,
        ),
        (
            "/chi-so-cai-cach/tai-ve?bao-cao=xep-hang&dinh-dang=xlsx&ky=2025-Q2&loai=xa",
            true,
        ),
        (
            "/chi-so-cai-cach/tai-ve?bao-cao=xep-hang&dinh-dang=csv&ky=2025-Q2&loai=xa",
            false,
        ),
        (
            "/chi-so-cai-cach/tai-ve?bao-cao=so-theo-doi&dinh-dang=xlsx&don-vi=w2025:23293&ky=2025-08",
            true,
        ),
        (
            "/chi-so-cai-cach/tai-ve?bao-cao=so-theo-doi&dinh-dang=csv&don-vi=w2025:23293&ky=2025-08",
            false,
        ),
    ] {
        let r = raw(&admin, path).await;
        assert_eq!(r.status().as_u16(), 200, "{path}");
        let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
        let cd = r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(cd.starts_with("attachment;"), "{cd}");
        let body = r.bytes().await.unwrap();
        if xlsx {
            assert!(ct.contains("spreadsheetml"), "{ct}");
            assert_eq!(&body[..2], b"PK", "{path}");
        } else {
            assert!(ct.starts_with("text/csv"), "{ct}");
            assert_eq!(&body[..3], b"\xEF\xBB\xBF", "{path}: UTF-8 BOM for Excel");
            let text = String::from_utf8(body[3..].to_vec()).unwrap();
            assert!(text.lines().count() > 1, "{path}: {text}");
        }
    }
    // The same scope as the pages: an officer cannot download another unit's figures.
    let mut officer = Browser::new(&d.base);
    officer.login("cb.w2025-23293").await;
    let r = raw(
        &officer,
        "/chi-so-cai-cach/tai-ve?bao-cao=so-theo-doi&dinh-dang=csv&don-vi=p:62/so-tu-phap&ky=2025-Q3",
    )
    .await;
    assert_eq!(r.status().as_u16(), 403);
    for bad in [
        "/chi-so-cai-cach/tai-ve?bao-cao=bang-diem&dinh-dang=pdf",
        "/chi-so-cai-cach/tai-ve?bao-cao=khac",
        "/chi-so-cai-cach/tai-ve?bao-cao=bang-diem&ky=2025-Q9",
    ] {
        let p = admin.get(bad).await;
        assert_eq!(p.status, 422, "{bad}");
        assert!(p.body.contains("<html lang=\"vi\">"), "{bad}");
    }
}
