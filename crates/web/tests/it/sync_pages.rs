//! The sync administration page (/quan-tri/dong-bo) over real HTTP: the administrator sees the
//! outbox's counts and its dead letters and replays them (one, then all) with the CSRF token;
//! other roles get 403 and a form without the token is refused, changing nothing.

use crate::browser::{Browser, hidden};
use crate::{COMMUNE_A, PASSWORD, Server, server};
use cchc_store::OutboxStatus;
use cchc_web::WebConfig;
use serde_json::json;

/// Receives a dossier through the API: its first message waits in the outbox.
async fn receive(s: &Server, token: &str) -> String {
    let r = s
        .http
        .post(s.url("/api/v1/dossiers"))
        .bearer_auth(token)
        .json(&json!({
            "procedure_code": "1.004194",
            "channel": "counter",
            "receiving_unit": COMMUNE_A,
            "applicant": {"kind": "citizen", "name": "Lê Văn Cường", "id_number": "062090009999", "phone": "0905111222"},
            "components": [{"name": "Tờ khai thay đổi thông tin cư trú", "digitised": true}]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json::<serde_json::Value>().await.unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn count(s: &Server, status: OutboxStatus) -> i64 {
    s.app
        .store()
        .outbox_counts()
        .await
        .unwrap()
        .iter()
        .filter(|c| c.status == status)
        .map(|c| c.count)
        .sum()
}

/// Claims every due message and records it as refused for good.
async fn kill_all(s: &Server) -> Vec<i64> {
    let store = s.app.store();
    let mut ids = Vec::new();
    loop {
        let claimed = store
            .claim_outbox("dvcqg", "w-test", 60_000, 100)
            .await
            .unwrap();
        if claimed.is_empty() {
            break;
        }
        for m in claimed {
            assert!(
                store
                    .outbox_failed(m.id, "w-test", "HTTP 400 mã thủ tục sai", None)
                    .await
                    .unwrap()
            );
            ids.push(m.id);
        }
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_page_counts_dead_letters_replay_and_roles() {
    let s = server(WebConfig::default()).await;
    let officer = s.token("canbo.a").await;
    let a = receive(&s, &officer).await;
    let b = receive(&s, &officer).await;
    let pending_before = count(&s, OutboxStatus::Pending).await;
    assert!(pending_before >= 2, "receiving writes outbox messages");
    let dead = kill_all(&s).await;
    assert_eq!(dead.len(), 2);
    let c = receive(&s, &officer).await;
    assert_eq!(count(&s, OutboxStatus::Dead).await, 2);

    // The administrator sees the counts, both dead letters with their error, and the one
    // waiting.
    let mut admin = Browser::new(&s.base);
    admin.login_with("quantri", PASSWORD).await;
    let page = admin.get("/quan-tri/dong-bo").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Đồng bộ Cổng Dịch vụ công quốc gia"));
    assert!(page.body.contains("Chưa kết nối"));
    assert!(
        page.body.contains("<span class=\"n\">2</span> tin gửi lỗi"),
        "{}",
        page.body
    );
    let waiting = count(&s, OutboxStatus::Pending).await;
    assert!(waiting >= 1);
    assert!(
        page.body
            .contains(&format!("<span class=\"n\">{waiting}</span> tin chờ gửi")),
        "{}",
        page.body
    );
    assert!(page.body.contains("HTTP 400 mã thủ tục sai"));
    for code in [&a, &b, &c] {
        assert!(page.body.contains(code.as_str()), "{code}");
    }
    assert!(page.body.contains("Gửi lại tất cả"));
    let csrf = hidden(&page.body, "_csrf");

    // Without the CSRF token (or with a wrong one) nothing is replayed.
    let first = dead[0].to_string();
    let p = admin
        .post("/quan-tri/dong-bo/gui-lai", &[("tin", first.as_str())])
        .await;
    assert_eq!(p.status, 403, "{}", p.body);
    let p = admin
        .post(
            "/quan-tri/dong-bo/gui-lai",
            &[("_csrf", "sai"), ("tin", first.as_str())],
        )
        .await;
    assert_eq!(p.status, 403, "{}", p.body);
    assert_eq!(count(&s, OutboxStatus::Dead).await, 2);

    // A bad message number is a Vietnamese 422; an unknown one a 404.
    let p = admin
        .post(
            "/quan-tri/dong-bo/gui-lai",
            &[("_csrf", csrf.as_str()), ("tin", "abc")],
        )
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("không hợp lệ"), "{}", p.body);
    let p = admin
        .post(
            "/quan-tri/dong-bo/gui-lai",
            &[("_csrf", csrf.as_str()), ("tin", "999999")],
        )
        .await;
    assert_eq!(p.status, 404, "{}", p.body);
    assert_eq!(count(&s, OutboxStatus::Dead).await, 2);

    // Replaying one with the token: back in the queue, and the page says so.
    let p = admin
        .post(
            "/quan-tri/dong-bo/gui-lai",
            &[("_csrf", csrf.as_str()), ("tin", first.as_str())],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location, "/quan-tri/dong-bo");
    assert_eq!(count(&s, OutboxStatus::Dead).await, 1);
    assert_eq!(count(&s, OutboxStatus::Pending).await, waiting + 1);
    let page = admin.get("/quan-tri/dong-bo").await;
    assert!(
        page.body.contains("Đã đưa 1 tin trở lại hàng chờ gửi."),
        "{}",
        page.body
    );
    assert!(page.body.contains("<span class=\"n\">1</span> tin gửi lỗi"));
    // Then all of them.
    let p = admin
        .post(
            "/quan-tri/dong-bo/gui-lai",
            &[("_csrf", csrf.as_str()), ("tin", "tat-ca")],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(count(&s, OutboxStatus::Dead).await, 0);
    assert_eq!(count(&s, OutboxStatus::Pending).await, waiting + 2);
    let page = admin.get("/quan-tri/dong-bo").await;
    assert!(page.body.contains("Không có tin gửi lỗi."));

    // Other roles: 403 on the page and on the form (with their own valid token).
    kill_all(&s).await;
    for who in ["canbo.a", "congdan1"] {
        let mut other = Browser::new(&s.base);
        other.login_with(who, PASSWORD).await;
        let page = other.get("/quan-tri/dong-bo").await;
        assert_eq!(page.status, 403, "{who}: {}", page.body);
        let token = other.csrf("/phan-anh").await;
        let p = other
            .post(
                "/quan-tri/dong-bo/gui-lai",
                &[("_csrf", token.as_str()), ("tin", "tat-ca")],
            )
            .await;
        assert_eq!(p.status, 403, "{who}: {}", p.body);
    }
    assert_eq!(count(&s, OutboxStatus::Dead).await, 3);
    // Anonymous visitors are sent to sign in, or refused; never shown the page.
    let mut anon = Browser::new(&s.base);
    let page = anon.get("/quan-tri/dong-bo").await;
    assert!(
        page.status == 303 || page.status == 401 || page.status == 403,
        "{}",
        page.status
    );
    assert!(!page.body.contains("HTTP 400 mã thủ tục sai"));
}
