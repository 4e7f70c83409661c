//! Public pages over real HTTP: bad query strings get the Vietnamese error page, and the
//! security headers every page carries.

use crate::server;
use cchc_web::WebConfig;

#[tokio::test]
async fn malformed_query_strings_get_a_vietnamese_error_page() {
    let s = server(WebConfig::default()).await;
    for path in [
        "/thu-tuc?trang=abc",
        "/thu-tuc?trang=99999999999999999999999",
        "/chi-so?quy=2025-Q9",
        "/thu-tuc?cap=nowhere",
    ] {
        let r = s.http.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 422, "{path}");
        let body = r.text().await.unwrap();
        assert!(body.contains("<html lang=\"vi\">"), "{path}: an HTML page");
        assert!(body.contains("không hợp lệ"), "{path}: {body}");
    }
    let r = s
        .http
        .get(s.url("/khong-co-trang-nay"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("Không tìm thấy"));
}

#[tokio::test]
async fn pages_carry_the_security_headers_and_server_timing() {
    let s = server(WebConfig::default()).await;
    let r = s
        .http
        .get(s.url("/thu-tuc?q=khai+sinh"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert!(h["server-timing"].to_str().unwrap().starts_with("app;dur="));
    // A first visit gets the visitor cookie its forms' CSRF token is derived from.
    let cookie = h["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("cchc_anon=") && cookie.contains("HttpOnly"));
    let assets = s
        .http
        .get(s.url("/static/htmx.min.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(assets.status(), 200);
    assert!(
        assets.text().await.unwrap().len() > 40_000,
        "htmx is embedded whole"
    );
}
