//! The PAKN JSON API over real HTTP: submitting (anonymously or as a citizen; staff refused),
//! bad input answered with a Vietnamese 422/400 and nothing stored, following by code and
//! secret, the staff board (citizens refused, other units refused) and the published answers.

use crate::{COMMUNE_A, COMMUNE_B, server};
use cchc_web::WebConfig;
use serde_json::{Value, json};

fn good() -> Value {
    json!({
        "category": "nhung-nhieu",
        "subject": "don-vi",
        "unit": COMMUNE_A,
        "body": "Cán bộ đòi tiền bồi dưỡng khi nhận hồ sơ.",
        "phone": "0905123456",
        "consent": true
    })
}

async fn error_of(r: reqwest::Response, status: u16) -> String {
    assert_eq!(r.status(), status);
    let v: Value = r.json().await.unwrap();
    v["error"]["message"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pakn_api_submit_follow_board_and_published() {
    let s = server(WebConfig::default()).await;
    let store = s.app.store().clone();
    let submit = s.url("/api/v1/public/pakn");

    // Bad input: no contact, unknown category, malformed JSON, missing field, bad content type.
    let mut no_contact = good();
    no_contact["phone"] = json!("");
    let m = error_of(
        s.http.post(&submit).json(&no_contact).send().await.unwrap(),
        422,
    )
    .await;
    assert!(m.contains("số điện thoại hoặc thư điện tử"), "{m}");
    let mut bad_category = good();
    bad_category["category"] = json!("khac");
    let r = s
        .http
        .post(&submit)
        .json(&bad_category)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = s
        .http
        .post(&submit)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r, 400).await, "nội dung không phải JSON hợp lệ");
    let r = s
        .http
        .post(&submit)
        .json(&json!({"category": "thai-do"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let m = error_of(r, 422).await.to_lowercase();
    assert!(m.contains("dữ liệu không hợp lệ"), "{m}");
    let r = s.http.post(&submit).body("x").send().await.unwrap();
    assert!(error_of(r, 415).await.contains("Content-Type"));
    // Staff do not submit through the citizens' endpoint; a bad token is refused.
    let officer = s.token("canbo.a").await;
    let r = s
        .http
        .post(&submit)
        .bearer_auth(&officer)
        .json(&good())
        .send()
        .await
        .unwrap();
    assert!(error_of(r, 403).await.contains("tài khoản công dân"));
    let r = s
        .http
        .post(&submit)
        .bearer_auth("khong-hop-le")
        .json(&good())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(store.pakn_count().await.unwrap(), 0);

    // An anonymous submission: 201 with the code and the secret.
    let r = s.http.post(&submit).json(&good()).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let receipt: Value = r.json().await.unwrap();
    let code = receipt["code"].as_str().unwrap().to_owned();
    let secret = receipt["secret"].as_str().unwrap().to_owned();
    assert_eq!(receipt["flagged"], true);
    assert_eq!(store.pakn_count().await.unwrap(), 1);
    // A citizen's submission is theirs.
    let citizen = s.token("congdan1").await;
    let mut mine = good();
    mine["category"] = json!("cham-tre");
    mine["phone"] = json!("");
    mine["email"] = json!("dan@example.vn");
    let r = s
        .http
        .post(&submit)
        .bearer_auth(&citizen)
        .json(&mine)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let mine_code = r.json::<Value>().await.unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let row = store.pakn(&mine_code).await.unwrap().unwrap();
    assert!(row.owner_account.is_some());
    assert_eq!(store.pakn_count().await.unwrap(), 2);

    // Following: the right secret shows it without contacts; a wrong one is a 404.
    let r = s
        .http
        .get(s.url(&format!("/api/v1/public/pakn/{code}?secret={secret}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], code.as_str());
    assert!(v["contact_phone"].is_null());
    assert!(!v.to_string().contains("0905123456"));
    let r = s
        .http
        .get(s.url(&format!("/api/v1/public/pakn/{code}?secret=sai")))
        .send()
        .await
        .unwrap();
    assert!(error_of(r, 404).await.contains("mã bí mật"));
    let r = s
        .http
        .get(s.url(&format!("/api/v1/public/pakn/{code}")))
        .send()
        .await
        .unwrap();
    assert!(error_of(r, 400).await.contains("tham số truy vấn"));

    // The board: staff of the unit see both, flagged first; citizens and anonymous callers
    // are refused, and so is another unit's board.
    let r = s
        .http
        .get(s.url("/api/v1/pakn"))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let board: Value = r.json().await.unwrap();
    assert_eq!(board["unit"], COMMUNE_A);
    assert_eq!(board["flagged"].as_array().unwrap().len(), 1);
    assert_eq!(board["flagged"][0]["code"], code.as_str());
    assert_eq!(board["open"].as_array().unwrap().len(), 2);
    let r = s
        .http
        .get(s.url("/api/v1/pakn"))
        .bearer_auth(&citizen)
        .send()
        .await
        .unwrap();
    assert!(error_of(r, 403).await.contains("dành cho cán bộ"));
    let r = s
        .http
        .get(s.url(&format!("/api/v1/pakn?unit={COMMUNE_B}")))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap();
    assert!(error_of(r, 403).await.contains("đơn vị mình"));
    let r = s.http.get(s.url("/api/v1/pakn")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let admin = s.token("quantri").await;
    let r = s
        .http
        .get(s.url("/api/v1/pakn"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let board: Value = r.json().await.unwrap();
    assert!(board["unit"].is_null());
    assert_eq!(board["open"].as_array().unwrap().len(), 2);

    // Published answers: none yet; then the reform office forwards, the unit answers and the
    // office publishes, and it is listed and searchable without diacritics.
    let published = s.url("/api/v1/public/pakn/published");
    let v: Value = s
        .http
        .get(&published)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["total"], 0);
    let admin_p = s.app.authenticate(&admin).await.unwrap();
    let officer_p = s.app.authenticate(&officer).await.unwrap();
    s.app
        .pakn_forward(
            &admin_p,
            &code,
            "nhung-nhieu",
            "",
            COMMUNE_A,
            "Chuyển xử lý",
        )
        .await
        .unwrap();
    s.app
        .pakn_answer(&officer_p, &code, "Đã kiểm điểm cán bộ đòi tiền bồi dưỡng.")
        .await
        .unwrap();
    s.app.pakn_publish(&admin_p, &code, "", "").await.unwrap();
    let v: Value = s
        .http
        .get(&published)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["code"], code.as_str());
    assert!(!v.to_string().contains("0905123456"));
    let v: Value = s
        .http
        .get(format!("{published}?q=kiem%20diem"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["total"], 1);
    let v: Value = s
        .http
        .get(format!("{published}?q=khong%20co%20tu%20nay"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["total"], 0);

    // The routes are in the OpenAPI document.
    let doc: Value = s
        .http
        .get(s.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/public/pakn",
        "/api/v1/public/pakn/{code}",
        "/api/v1/public/pakn/published",
        "/api/v1/pakn",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pakn_api_submissions_are_rate_limited() {
    let s = server(WebConfig {
        public_per_minute: 2,
        ..WebConfig::default()
    })
    .await;
    let submit = s.url("/api/v1/public/pakn");
    let r = s.http.post(&submit).json(&good()).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let r = s.http.post(&submit).json(&good()).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert!(error_of(r, 429).await.contains("quá nhiều yêu cầu"));
    assert_eq!(s.app.store().pakn_count().await.unwrap(), 1);
}
