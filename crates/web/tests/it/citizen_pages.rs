//! The citizen portal over real HTTP, as a browser uses it: cookies kept by hand (session,
//! visitor, flash), redirects followed by hand so every Set-Cookie is seen, forms with their
//! CSRF token, multipart uploads built byte by byte.

use crate::{COMMUNE_A, PASSWORD, Server, server};
use cchc_app::Principal;
use cchc_app::dossiers::Action;
use cchc_web::WebConfig;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use std::collections::BTreeMap;

/// Đăng ký tạm trú: commune level, online, 3 working days, 7.000 đồng online.
const PROCEDURE: &str = "1.004194";
const PDF: &[u8] =
    b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n\xe2\xe3\xcf\xd3 binary \x00\x01\x02\n%%EOF\n";

struct Page {
    status: u16,
    location: Option<String>,
    content_type: String,
    disposition: String,
    body: Vec<u8>,
}

impl Page {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A browser: a cookie jar and no automatic redirects.
struct Browser<'a> {
    s: &'a Server,
    http: reqwest::Client,
    jar: BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    fn new(s: &'a Server) -> Self {
        Self {
            s,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            jar: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let req = if self.jar.is_empty() {
            req
        } else {
            req.header(COOKIE, self.cookie_header())
        };
        let r = req.send().await.unwrap();
        for v in r.headers().get_all(SET_COOKIE) {
            let v = v.to_str().unwrap();
            let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") || value.is_empty() {
                self.jar.remove(name);
            } else {
                self.jar.insert(name.to_owned(), value.to_owned());
            }
        }
        let header = |name| {
            r.headers()
                .get(name)
                .map(|v: &reqwest::header::HeaderValue| v.to_str().unwrap().to_owned())
        };
        Page {
            status: r.status().as_u16(),
            location: header(LOCATION),
            content_type: header(CONTENT_TYPE).unwrap_or_default(),
            disposition: header(CONTENT_DISPOSITION).unwrap_or_default(),
            body: r.bytes().await.unwrap().to_vec(),
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let req = self.http.get(self.s.url(path));
        self.send(req).await
    }

    async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let req = self
            .http
            .post(self.s.url(path))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body);
        self.send(req).await
    }

    async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Page {
        const B: &str = "----cchc-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{B}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        for (name, file_name, content) in files {
            body.extend_from_slice(
                format!(
                    "--{B}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{B}--\r\n").as_bytes());
        let req = self
            .http
            .post(self.s.url(path))
            .header(CONTENT_TYPE, format!("multipart/form-data; boundary={B}"))
            .body(body);
        self.send(req).await
    }

    /// Follows a redirect.
    async fn follow(&mut self, p: &Page) -> Page {
        assert!(
            (300..400).contains(&p.status),
            "expected a redirect, got {}: {}",
            p.status,
            p.text()
        );
        let to = p.location.clone().unwrap();
        self.get(&to).await
    }

    /// The CSRF token of the forms on a page.
    async fn csrf(&mut self, path: &str) -> String {
        let p = self.get(path).await;
        assert_eq!(p.status, 200, "{path}");
        csrf_of(&p.text())
    }

    async fn login(&mut self, username: &str) {
        let csrf = self.csrf("/dang-nhap").await;
        let p = self
            .post_form(
                "/dang-nhap",
                &[
                    ("_csrf", &csrf),
                    ("username", username),
                    ("password", PASSWORD),
                    ("next", ""),
                ],
            )
            .await;
        assert_eq!(p.status, 303, "login {username}: {}", p.text());
        assert!(self.jar.contains_key("cchc_session"));
    }
}

fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"_csrf\" value=\"")
        .expect("a form with _csrf");
    let rest = &html[at + "name=\"_csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// The value after `marker` up to the next `"`.
fn attr_after(html: &str, marker: &str) -> String {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in page"));
    let rest = &html[at + marker.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

fn applicant_fields<'a>(csrf: &'a str, unit: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("_csrf", csrf),
        ("don_vi", unit),
        ("doi_tuong", "cong_dan"),
        ("ho_ten", "Phạm Thị Lan"),
        ("so_giay_to", "062190007777"),
        ("dien_thoai", "0905 333 444"),
        ("email", "lan@example.vn"),
        ("dia_chi", "Tổ 3, Phường Quang Trung"),
        ("ten_2", "Giấy xác nhận chỗ ở"),
        ("ten_3", ""),
    ]
}

/// Submits Đăng ký tạm trú online with a PDF declaration; returns the dossier code.
async fn submit(b: &mut Browser<'_>) -> String {
    let path = format!("/cong-dan/nop/{PROCEDURE}");
    let csrf = b.csrf(&path).await;
    let p = b
        .post_multipart(
            &path,
            &applicant_fields(&csrf, COMMUNE_A),
            &[("tep_to_khai", "tờ khai tạm trú.pdf", PDF)],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.text());
    let to = p.location.clone().unwrap();
    to.strip_prefix("/cong-dan/ho-so/")
        .and_then(|rest| rest.strip_suffix("?moi=1"))
        .unwrap_or_else(|| panic!("redirect to {to}"))
        .to_owned()
}

async fn officer(s: &Server) -> Principal {
    s.app.login("canbo.a", PASSWORD).await.unwrap().principal
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_needs_the_csrf_token_and_the_portal_needs_signing_in() {
    let s = server(WebConfig::default()).await;
    let mut b = Browser::new(&s);
    let p = b.get("/cong-dan").await;
    assert_eq!(p.status, 303);
    assert_eq!(p.location.as_deref(), Some("/dang-nhap?next=%2Fcong-dan"));
    // A form without its token is refused, signed in or not.
    let p = b
        .post_form(
            "/dang-nhap",
            &[("username", "congdan1"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(p.status, 403);
    assert!(!b.jar.contains_key("cchc_session"));
    b.login("congdan1").await;
    let p = b.get("/cong-dan").await;
    assert_eq!(p.status, 200);
    let html = p.text();
    assert!(html.contains("<h1>Hồ sơ của tôi</h1>"), "{html}");
    assert!(html.contains("Bạn chưa nộp hồ sơ trực tuyến nào"));
    let path = format!("/cong-dan/nop/{PROCEDURE}");
    let p = b
        .post_multipart(
            &path,
            &applicant_fields("", COMMUNE_A),
            &[("tep_to_khai", "a.pdf", PDF)],
        )
        .await;
    assert_eq!(p.status, 403, "multipart without a valid _csrf");
    let p = b
        .post_form("/cong-dan/ho-so/X-250303-0001/rut", &[("xac_nhan", "co")])
        .await;
    assert_eq!(p.status, 403, "urlencoded without _csrf");
    // Staff are not citizens.
    let mut staff = Browser::new(&s);
    staff.login("canbo.a").await;
    assert_eq!(staff.get("/cong-dan").await.status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_online_submission_keeps_its_file_byte_for_byte_and_is_private() {
    let s = server(WebConfig::default()).await;
    let mut b = Browser::new(&s);
    b.login("congdan1").await;
    let form = b.get(&format!("/cong-dan/nop/{PROCEDURE}")).await;
    assert_eq!(form.status, 200);
    let html = form.text();
    assert!(
        html.contains(&format!("value=\"{COMMUNE_A}\"")),
        "commune offered"
    );
    assert!(
        !html.contains("value=\"p:62/so-tu-phap\""),
        "no department for a commune procedure"
    );
    assert!(html.contains("<label for=\"tep_to_khai\">Tờ khai</label>"));
    assert!(html.contains("enctype=\"multipart/form-data\""));

    let code = submit(&mut b).await;
    let page = b.get(&format!("/cong-dan/ho-so/{code}?moi=1")).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("Đã nộp hồ sơ trực tuyến thành công."),
        "flash shown"
    );
    assert!(html.contains("Mã tra cứu"));
    let secret = attr_after(&html, "<dt>Mã tra cứu</dt><dd><strong class=\"code\">")
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(secret.len(), 8, "{secret}");
    s.app.public_lookup(&code, &secret).await.unwrap();
    assert!(html.contains("Mới đăng ký"));
    assert!(html.contains("Phạm Thị Lan"));
    // The flash is shown once; the secret only on the page reached right after submitting.
    let again = b.get(&format!("/cong-dan/ho-so/{code}")).await.text();
    assert!(!again.contains("thành công."));
    assert!(!again.contains(&secret));

    let href = attr_after(&html, &format!("href=\"/cong-dan/ho-so/{code}/tep/"));
    let file = b.get(&format!("/cong-dan/ho-so/{code}/tep/{href}")).await;
    assert_eq!(file.status, 200);
    assert_eq!(file.body, PDF, "byte-identical");
    assert_eq!(file.content_type, "application/pdf");
    assert!(
        file.disposition.starts_with("attachment; filename=\""),
        "{}",
        file.disposition
    );
    assert!(
        file.disposition
            .contains("filename*=UTF-8''t%E1%BB%9D%20khai"),
        "{}",
        file.disposition
    );
    let v = s.app.dossier(&officer(&s).await, &code).await.unwrap();
    assert_eq!(v.dossier.receiving_unit, COMMUNE_A);
    assert_eq!(v.dossier.components[0].name, "Tờ khai");
    assert_eq!(v.dossier.applicant.phone, "0905 333 444");

    let list = b.get("/cong-dan").await.text();
    assert!(list.contains(&format!("href=\"/cong-dan/ho-so/{code}\"")));
    assert!(list.contains("Đăng ký tạm trú"));

    // Another citizen sees neither the dossier nor its file.
    let mut other = Browser::new(&s);
    other.login("congdan2").await;
    assert_eq!(
        other.get(&format!("/cong-dan/ho-so/{code}")).await.status,
        404
    );
    assert_eq!(
        other
            .get(&format!("/cong-dan/ho-so/{code}/tep/{href}"))
            .await
            .status,
        404
    );
    assert!(!other.get("/cong-dan").await.text().contains(&code));
    let csrf = other.csrf("/cong-dan").await;
    let p = other
        .post_form(
            &format!("/cong-dan/ho-so/{code}/rut"),
            &[("_csrf", &csrf), ("xac_nhan", "co")],
        )
        .await;
    assert_eq!(p.status, 404);
    assert_eq!(
        s.app
            .dossier(&officer(&s).await, &code)
            .await
            .unwrap()
            .status_code,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_form_comes_back_with_what_was_typed() {
    let s = server(WebConfig::default()).await;
    let mut b = Browser::new(&s);
    b.login("congdan1").await;
    let path = format!("/cong-dan/nop/{PROCEDURE}");
    let csrf = b.csrf(&path).await;
    // An executable named like a PDF.
    let exe: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff This program cannot be run in DOS mode";
    let p = b
        .post_multipart(
            &path,
            &applicant_fields(&csrf, COMMUNE_A),
            &[("tep_to_khai", "to-khai.pdf.exe", exe)],
        )
        .await;
    assert_eq!(p.status, 422);
    let html = p.text();
    assert!(html.contains("role=\"alert\""));
    assert!(html.contains("không đúng định dạng cho phép"), "{html}");
    assert!(html.contains("vui lòng chọn lại tệp"));
    for kept in [
        "value=\"Phạm Thị Lan\"",
        "value=\"062190007777\"",
        "value=\"0905 333 444\"",
        "value=\"lan@example.vn\"",
        "value=\"Tổ 3, Phường Quang Trung\"",
        "value=\"Giấy xác nhận chỗ ở\"",
        &format!("value=\"{COMMUNE_A}\" selected"),
    ] {
        assert!(html.contains(kept), "{kept} kept");
    }
    assert!(html.contains("name=\"tep_to_khai\" accept="));
    assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"loi-nop-ho-so goi-y-tep\""));

    // No unit, no name, no declaration: every problem at once, the unit marked.
    let mut fields = applicant_fields(&csrf, "");
    fields.retain(|(k, _)| *k != "ho_ten" && *k != "doi_tuong");
    fields.push(("doi_tuong", "doanh_nghiep"));
    let p = b.post_multipart(&path, &fields, &[]).await;
    assert_eq!(p.status, 422);
    let html = p.text();
    assert!(html.contains("Chọn đơn vị tiếp nhận hồ sơ."));
    assert!(html.contains("Nhập họ tên người nộp hoặc tên doanh nghiệp."));
    assert!(html.contains("Đính kèm tệp tờ khai."));
    assert!(html.contains("name=\"don_vi\" required aria-invalid=\"true\""));
    assert!(
        html.contains("value=\"doanh_nghiep\" checked"),
        "applicant kind kept"
    );
    // A unit that does not receive this procedure (a department for a commune procedure).
    let p = b
        .post_multipart(
            &path,
            &applicant_fields(&csrf, "p:62/so-tu-phap"),
            &[("tep_to_khai", "a.pdf", PDF)],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.text().contains("không nhận hồ sơ của thủ tục này"));
    // A bad phone number, found by the app: the field is marked.
    let mut fields = applicant_fields(&csrf, COMMUNE_A);
    for f in &mut fields {
        if f.0 == "dien_thoai" {
            f.1 = "090-abc";
        }
    }
    let p = b
        .post_multipart(&path, &fields, &[("tep_to_khai", "a.pdf", PDF)])
        .await;
    assert_eq!(p.status, 422);
    let html = p.text();
    assert!(html.contains("Số điện thoại không hợp lệ."), "{html}");
    assert!(
        html.contains(
            "value=\"090-abc\" autocomplete=\"tel\" maxlength=\"15\" aria-invalid=\"true\""
        )
    );

    let mine = s
        .app
        .list_dossiers(
            &s.app.login("congdan1", PASSWORD).await.unwrap().principal,
            Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(mine.total, 0, "nothing was created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paying_through_the_sandbox_gateway() {
    let s = server(WebConfig::default()).await;
    let mut b = Browser::new(&s);
    b.login("congdan1").await;
    let code = submit(&mut b).await;
    let staff = officer(&s).await;
    s.set_now("2025-03-03T09:00:00");
    s.app
        .act(&staff, &code, None, Action::Accept)
        .await
        .unwrap();
    s.app
        .act(
            &staff,
            &code,
            None,
            Action::Assign {
                officer: staff.account_id.clone(),
            },
        )
        .await
        .unwrap();
    s.app
        .act(
            &staff,
            &code,
            None,
            Action::RequestPayment {
                amount: 50_000,
                note: "Lệ phí".into(),
            },
        )
        .await
        .unwrap();
    s.set_now("2025-03-03T10:00:00");
    let page = b.get(&format!("/cong-dan/ho-so/{code}")).await.text();
    assert!(page.contains("Thanh toán trực tuyến"));
    assert!(page.contains("50.000 đ"));
    assert!(page.contains("Tạm dừng tính thời hạn"));
    let csrf = csrf_of(&page);

    let p = b
        .post_form(
            &format!("/cong-dan/ho-so/{code}/thanh-toan"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(p.status, 303);
    let bank = p.location.clone().unwrap();
    let id = bank
        .strip_prefix("/cong-thanh-toan-thu-nghiem/")
        .unwrap()
        .to_owned();
    let html = b.get(&bank).await.text();
    assert!(html.contains("Cổng thanh toán thử nghiệm — không dùng tiền thật"));
    assert!(html.contains("50.000 đ") && html.contains(&code));
    assert!(
        html.contains(">Xác nhận thanh toán</button>") && html.contains(">Hủy giao dịch</button>")
    );
    // Someone else cannot use this payment page.
    let mut other = Browser::new(&s);
    other.login("congdan2").await;
    assert_eq!(other.get(&bank).await.status, 404);

    let p = b
        .post_form(&bank, &[("_csrf", &csrf), ("ket_qua", "xac_nhan")])
        .await;
    assert_eq!(p.status, 303);
    let callback = p.location.clone().unwrap();
    assert!(callback.starts_with(&format!("/thanh-toan/{id}/ket-qua?")));
    assert!(callback.contains("&sig="));
    let events = s.app.history(&staff, &code).await.unwrap().len();

    // The answer altered on its way back: refused, nothing recorded.
    for forged in [
        callback.replace("amount=50000", "amount=5000"),
        callback.replace("&ref=SBX", "&ref=XSBX"),
        callback.split("&sig=").next().unwrap().to_owned(),
    ] {
        assert_ne!(forged, callback);
        assert_eq!(b.get(&forged).await.status, 422, "{forged}");
    }
    assert_eq!(s.app.history(&staff, &code).await.unwrap().len(), events);

    let p = b.get(&callback).await;
    assert_eq!(
        p.location.as_deref(),
        Some(format!("/cong-dan/ho-so/{code}").as_str())
    );
    let html = b.follow(&p).await.text();
    assert!(html.contains("Thanh toán thành công 50.000 đ."), "{html}");
    assert!(
        !html.contains(">Thanh toán trực tuyến</button>"),
        "nothing left to pay"
    );
    assert!(html.contains("Đã thanh toán"));
    let v = s.app.dossier(&staff, &code).await.unwrap();
    assert_eq!(v.status_code, 4, "back to processing");
    assert_eq!(v.dossier.payments.len(), 1);
    assert_eq!(v.dossier.payments[0].method, "sandbox");
    assert_eq!(
        s.app.history(&staff, &code).await.unwrap().len(),
        events + 1
    );

    // The same answer again (a reload): nothing more recorded.
    let p = b.get(&callback).await;
    assert_eq!(p.status, 303);
    assert_eq!(
        s.app.history(&staff, &code).await.unwrap().len(),
        events + 1
    );
    // The bank page of a finished payment offers nothing.
    assert!(
        !b.get(&bank)
            .await
            .text()
            .contains("Xác nhận thanh toán</button>")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supplement_rating_and_withdrawal_from_the_dossier_page() {
    let s = server(WebConfig::default()).await;
    let mut b = Browser::new(&s);
    b.login("congdan1").await;
    let code = submit(&mut b).await;
    let staff = officer(&s).await;
    let href = format!("/cong-dan/ho-so/{code}");
    s.app
        .act(&staff, &code, None, Action::Accept)
        .await
        .unwrap();
    s.app
        .act(
            &staff,
            &code,
            None,
            Action::RequestSupplement {
                items: vec!["Giấy tờ chứng minh chỗ ở hợp pháp".into()],
                note: "Bản chụp rõ nét".into(),
            },
        )
        .await
        .unwrap();
    let html = b.get(&href).await.text();
    assert!(html.contains("<li>Giấy tờ chứng minh chỗ ở hợp pháp</li>"));
    assert!(html.contains("<label for=\"tep_1\">Tệp: Giấy tờ chứng minh chỗ ở hợp pháp</label>"));
    let csrf = csrf_of(&html);
    let version = attr_after(&html, "name=\"phien_ban\" value=\"");
    assert_eq!(version, "3");
    // No file: refused, the note kept.
    let p = b
        .post_multipart(
            &format!("{href}/bo-sung"),
            &[
                ("_csrf", &csrf),
                ("phien_ban", &version),
                ("ghi_chu", "gửi bổ sung"),
            ],
            &[],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.text().contains(">gửi bổ sung</textarea>"));
    let p = b
        .post_multipart(
            &format!("{href}/bo-sung"),
            &[
                ("_csrf", &csrf),
                ("phien_ban", &version),
                ("ten_1", "Giấy tờ chứng minh chỗ ở hợp pháp"),
                ("ghi_chu", "gửi bổ sung"),
            ],
            &[("tep_1", "cho-o.pdf", PDF)],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.text());
    let html = b.follow(&p).await.text();
    assert!(html.contains("Đã gửi giấy tờ bổ sung."));
    assert!(html.contains(">cho-o.pdf</a>"));
    let v = s.app.dossier(&staff, &code).await.unwrap();
    assert_eq!(v.status_code, 4, "processing again");

    // A stale page (version 3, the dossier is at 4): a clear conflict, nothing done.
    let p = b
        .post_form(
            &format!("{href}/rut"),
            &[
                ("_csrf", &csrf),
                ("phien_ban", &version),
                ("xac_nhan", "co"),
                ("ly_do", "nộp nhầm"),
            ],
        )
        .await;
    assert_eq!(p.status, 409);
    let html = p.text();
    assert!(html.contains("Hồ sơ vừa được cơ quan giải quyết cập nhật"));
    assert!(html.contains(">nộp nhầm</textarea>"), "reason kept");
    // Without the confirmation box: refused.
    let fresh = attr_after(&html, "name=\"phien_ban\" value=\"");
    assert_eq!(fresh, "4");
    let p = b
        .post_form(
            &format!("{href}/rut"),
            &[("_csrf", &csrf), ("phien_ban", &fresh)],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.text().contains("Đánh dấu ô xác nhận để rút hồ sơ."));
    let p = b
        .post_form(
            &format!("{href}/rut"),
            &[
                ("_csrf", &csrf),
                ("phien_ban", &fresh),
                ("xac_nhan", "co"),
                ("ly_do", "nộp nhầm"),
            ],
        )
        .await;
    assert_eq!(p.status, 303);
    let html = b.follow(&p).await.text();
    assert!(html.contains("Đã rút hồ sơ."));
    assert!(html.contains("Công dân yêu cầu rút hồ sơ"));
    assert!(!html.contains(">Rút hồ sơ</button>"));
    assert!(!html.contains("Đánh giá mức độ hài lòng</h2>"));

    // Rating, on another dossier returned to the citizen.
    let code = submit(&mut b).await;
    let href = format!("/cong-dan/ho-so/{code}");
    for action in [
        Action::Accept,
        Action::Decide {
            outcome: cchc_domain::dossier::Outcome::Approved,
            note: String::new(),
            results: vec![cchc_domain::dossier::ResultDoc {
                name: "Xác nhận tạm trú".into(),
                electronic: true,
                file_ref: None,
            }],
        },
        Action::Return {
            method: cchc_domain::procedure::Channel::Online,
        },
    ] {
        s.app.act(&staff, &code, None, action).await.unwrap();
    }
    let html = b.get(&href).await.text();
    assert!(html.contains("<legend>Mức độ hài lòng</legend>"));
    let version = attr_after(&html, "name=\"phien_ban\" value=\"");
    let p = b
        .post_form(
            &format!("{href}/danh-gia"),
            &[
                ("_csrf", &csrf),
                ("phien_ban", &version),
                ("gop_y", "Nhanh"),
            ],
        )
        .await;
    assert_eq!(p.status, 422, "no score chosen");
    assert!(p.text().contains(">Nhanh</textarea>"));
    let p = b
        .post_form(
            &format!("{href}/danh-gia"),
            &[
                ("_csrf", &csrf),
                ("phien_ban", &version),
                ("diem", "5"),
                ("gop_y", "Nhanh"),
            ],
        )
        .await;
    assert_eq!(p.status, 303);
    let html = b.follow(&p).await.text();
    assert!(html.contains("Cảm ơn bạn đã đánh giá"));
    assert!(html.contains("<strong>5/5 điểm</strong>"));
    assert_eq!(
        s.app.dossier(&staff, &code).await.unwrap().dossier.rating,
        Some((5, "Nhanh".into()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multipart_body_does_not_carry_a_form_past_the_csrf_check() {
    let s = server(WebConfig::default()).await;
    let mut b = Browser::new(&s);
    b.login("congdan1").await;
    let code = submit(&mut b).await;
    let href = format!("/cong-dan/ho-so/{code}");
    // Signing out needs the token whatever the body's type.
    let p = b.post_multipart("/dang-xuat", &[], &[]).await;
    assert_eq!(p.status, 403, "{}", p.text());
    assert!(b.jar.contains_key("cchc_session"));
    assert_eq!(b.get("/cong-dan").await.status, 200, "still signed in");
    // A urlencoded form hidden in a multipart field's value is not read as one.
    let p = b
        .post_multipart(
            &format!("{href}/rut"),
            &[("z", "&xac_nhan=co&ly_do=gia-mao&")],
            &[],
        )
        .await;
    assert_eq!(p.status, 403, "{}", p.text());
    let v = s.app.dossier(&officer(&s).await, &code).await.unwrap();
    assert_eq!(v.status_code, 1, "not withdrawn");
    // The payment action has no body at all: the same.
    let p = b
        .post_multipart(&format!("{href}/thanh-toan"), &[], &[])
        .await;
    assert_eq!(p.status, 403);
    // Uploads still take their token from the multipart body.
    let csrf = b.csrf(&href).await;
    let p = b
        .post_multipart(
            &format!("{href}/bo-sung"),
            &[("_csrf", &csrf), ("ghi_chu", "x")],
            &[],
        )
        .await;
    assert_eq!(p.status, 422, "checked, then refused for its content");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_goes_back_only_to_a_path_on_this_site() {
    let s = server(WebConfig::default()).await;
    for (next, to) in [
        ("/cong-dan?trang=1", "/cong-dan?trang=1"),
        // Browsers drop tabs and line breaks: this would be `//evil.example`.
        ("/\t/evil.example", "/cong-dan"),
        ("/\n/evil.example", "/cong-dan"),
        ("/a\r\nSet-Cookie: x=1", "/cong-dan"),
        ("//evil.example", "/cong-dan"),
        ("/\\evil.example", "/cong-dan"),
        ("https://evil.example/", "/cong-dan"),
    ] {
        let mut b = Browser::new(&s);
        let csrf = b.csrf("/dang-nhap").await;
        let p = b
            .post_form(
                "/dang-nhap",
                &[
                    ("_csrf", &csrf),
                    ("username", "congdan1"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(p.status, 303, "{next:?}: {}", p.text());
        assert_eq!(p.location.as_deref(), Some(to), "{next:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_sent_with_the_csrf_header_is_still_bounded_in_size() {
    let s = server(WebConfig::default()).await;
    let mut b = Browser::new(&s);
    b.login("congdan1").await;
    let code = submit(&mut b).await;
    let href = format!("/cong-dan/ho-so/{code}");
    let csrf = b.csrf(&href).await;
    let big = format!("ly_do={}", "a".repeat(2 * 1024 * 1024));
    let req = b
        .http
        .post(s.url(&format!("{href}/rut")))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-csrf-token", &csrf)
        .body(big);
    let p = b.send(req).await;
    assert_eq!(p.status, 413, "{}", p.text());
    assert!(p.text().contains("Dữ liệu gửi lên quá lớn"));
}
