use crate::{COMMUNE_A, Server, server};
use cchc_web::WebConfig;
use serde_json::{Value, json};

fn new_dossier(channel: &str) -> Value {
    json!({
        "procedure_code": "1.004194",
        "channel": channel,
        "receiving_unit": COMMUNE_A,
        "applicant": {"kind": "citizen", "name": "Lê Văn Cường", "id_number": "062090009999", "phone": "0905111222"},
        "components": [{"name": "Tờ khai thay đổi thông tin cư trú", "digitised": true}]
    })
}

async fn post(s: &Server, token: Option<&str>, path: &str, body: Value) -> (u16, Value) {
    let mut req = s.http.post(s.url(path)).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get(s: &Server, token: Option<&str>, path: &str) -> (u16, Value) {
    let mut req = s.http.get(s.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn error_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_life_of_a_dossier_over_http() {
    let s = server(WebConfig::default()).await;
    let officer = s.token("canbo.a").await;
    let (st, receipt) = post(
        &s,
        Some(&officer),
        "/api/v1/dossiers",
        new_dossier("counter"),
    )
    .await;
    assert_eq!(st, 201, "{receipt}");
    let code = receipt["code"].as_str().unwrap().to_owned();
    let secret = receipt["secret"].as_str().unwrap().to_owned();
    assert_eq!(receipt["view"]["due"], "2025-03-06T08:00:00+07:00");
    let officer_id = get(&s, Some(&officer), "/api/v1/me").await.1["account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let steps = [
        (
            "2025-03-03T09:00:00",
            json!({"action": "assign", "officer": officer_id}),
        ),
        (
            "2025-03-03T10:00:00",
            json!({"action": "request_supplement", "items": ["Giấy tờ chứng minh chỗ ở hợp pháp"]}),
        ),
        (
            "2025-03-04T10:00:00",
            json!({"action": "receive_supplement", "note": "đã nộp"}),
        ),
        (
            "2025-03-04T11:00:00",
            json!({"action": "decide", "outcome": "approved", "results": [{"name": "Xác nhận tạm trú", "electronic": true, "file_ref": null}]}),
        ),
        (
            "2025-03-04T14:00:00",
            json!({"action": "return", "method": "counter"}),
        ),
    ];
    for (at, body) in steps {
        s.set_now(at);
        // Tokens last 12 hours: a new working day means signing in again.
        let officer = s.token("canbo.a").await;
        let (st, v) = post(
            &s,
            Some(&officer),
            &format!("/api/v1/dossiers/{code}/actions"),
            body.clone(),
        )
        .await;
        assert_eq!(st, 200, "{body}: {v}");
    }
    // Yesterday's token has expired.
    assert_eq!(get(&s, Some(&officer), "/api/v1/me").await.0, 401);
    let officer = s.token("canbo.a").await;
    let (st, v) = get(&s, Some(&officer), &format!("/api/v1/dossiers/{code}")).await;
    assert_eq!((st, v["status_code"].as_u64()), (200, Some(10)));
    assert_eq!(v["verdict"], "early");
    assert!(!v["due_explanation"].as_array().unwrap().is_empty());
    let (_, history) = get(
        &s,
        Some(&officer),
        &format!("/api/v1/dossiers/{code}/history"),
    )
    .await;
    assert_eq!(history.as_array().unwrap().len(), 6);
    // Public lookup: steps and dates, no personal data; a wrong secret is a plain 404.
    let (st, public) = get(
        &s,
        None,
        &format!("/api/v1/public/dossiers/{code}?secret={secret}"),
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(public["status_code"], 10);
    let text = public.to_string();
    assert!(
        !text.contains("Lê Văn Cường")
            && !text.contains("062090009999")
            && !text.contains("0905111222")
    );
    let (st, wrong) = get(
        &s,
        None,
        &format!("/api/v1/public/dossiers/{code}?secret=AAAA0000"),
    )
    .await;
    assert_eq!((st, error_code(&wrong)), (404, "not_found"));
    let (st, _) = get(
        &s,
        None,
        "/api/v1/public/dossiers/000.00.00.H00-250303-0001?secret=AAAA0000",
    )
    .await;
    assert_eq!(st, 404);
    let (st, _) = get(&s, None, &format!("/api/v1/public/dossiers/{code}")).await;
    assert_eq!(st, 400, "secret is required");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_is_refused_where_it_must_be() {
    let s = server(WebConfig::default()).await;
    let a = s.token("canbo.a").await;
    let b = s.token("canbo.b").await;
    let c1 = s.token("congdan1").await;
    let c2 = s.token("congdan2").await;
    let (_, receipt) = post(&s, Some(&c1), "/api/v1/dossiers", new_dossier("online")).await;
    let code = receipt["code"].as_str().unwrap().to_owned();
    let action = format!("/api/v1/dossiers/{code}/actions");
    // Signing out revokes the token at once; a second logout is refused.
    let t = s.token("congdan2").await;
    assert_eq!(get(&s, Some(&t), "/api/v1/me").await.0, 200);
    let r = s
        .http
        .post(s.url("/api/v1/auth/logout"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(get(&s, Some(&t), "/api/v1/me").await.0, 401);
    let r = s
        .http
        .post(s.url("/api/v1/auth/logout"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        get(&s, Some(&c2), "/api/v1/me").await.0,
        200,
        "other sessions stay signed in"
    );
    // No token, bad token.
    assert_eq!(get(&s, None, "/api/v1/dossiers").await.0, 401);
    assert_eq!(
        get(&s, Some("not-a-token"), "/api/v1/dossiers").await.0,
        401
    );
    // Officer of another commune.
    let (st, v) = post(&s, Some(&b), &action, json!({"action": "accept"})).await;
    assert_eq!((st, error_code(&v)), (403, "forbidden"));
    assert_eq!(
        get(&s, Some(&b), &format!("/api/v1/dossiers/{code}"))
            .await
            .0,
        403
    );
    // Another citizen cannot see it exists.
    assert_eq!(
        get(&s, Some(&c2), &format!("/api/v1/dossiers/{code}"))
            .await
            .0,
        404
    );
    // The owner cannot accept their own dossier (told so: it is theirs), nor record a payment
    // without the gateway; a citizen cannot receive at the counter.
    assert_eq!(
        post(&s, Some(&c1), &action, json!({"action": "accept"}))
            .await
            .0,
        403
    );
    assert_eq!(
        post(
            &s,
            Some(&c1),
            &action,
            json!({"action": "pay", "amount": 7000, "method": "tự khai", "online": true})
        )
        .await
        .0,
        403
    );
    assert_eq!(
        post(&s, Some(&c1), "/api/v1/dossiers", new_dossier("counter"))
            .await
            .0,
        403
    );
    // The right officer can.
    assert_eq!(
        post(&s, Some(&a), &action, json!({"action": "accept"}))
            .await
            .0,
        200
    );
    // Listing is scoped.
    assert_eq!(get(&s, Some(&a), "/api/v1/dossiers").await.1["total"], 1);
    assert_eq!(get(&s, Some(&b), "/api/v1/dossiers").await.1["total"], 0);
    assert_eq!(get(&s, Some(&c2), "/api/v1/dossiers").await.1["total"], 0);
    assert_eq!(
        get(&s, Some(&b), &format!("/api/v1/dossiers?unit={COMMUNE_A}"))
            .await
            .0,
        403
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_clear_4xx_and_change_nothing() {
    let s = server(WebConfig {
        max_body_bytes: 16 * 1024,
        ..WebConfig::default()
    })
    .await;
    let a = s.token("canbo.a").await;
    let (_, receipt) = post(&s, Some(&a), "/api/v1/dossiers", new_dossier("counter")).await;
    let code = receipt["code"].as_str().unwrap().to_owned();
    let action = s.url(&format!("/api/v1/dossiers/{code}/actions"));
    let history = || async { s.app.store().events(&code).await.unwrap().len() };
    let before = history().await;
    // Malformed JSON, wrong types, missing content type, oversized body.
    let raw = |body: &'static str, ct: Option<&'static str>| {
        let mut r = s.http.post(action.clone()).bearer_auth(&a).body(body);
        if let Some(ct) = ct {
            r = r.header("content-type", ct);
        }
        r
    };
    let r = raw("{not json", Some("application/json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(error_code(&r.json().await.unwrap()), "bad_json");
    let r = raw(
        "{\"action\": \"assign\", \"officer\": 5}",
        Some("application/json"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(error_code(&r.json().await.unwrap()), "invalid_body");
    let r = raw("{\"action\": \"fly\"}", Some("application/json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = raw("{\"action\": \"accept\"}", None).send().await.unwrap();
    assert_eq!(r.status(), 415);
    let big = json!({"action": "request_supplement", "items": vec!["x".repeat(1000); 40]});
    let r = s
        .http
        .post(action.clone())
        .bearer_auth(&a)
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(error_code(&r.json().await.unwrap()), "body_too_large");
    // Impossible transition, unknown dossier, stale version, unknown route.
    let (st, v) = post(
        &s,
        Some(&a),
        &format!("/api/v1/dossiers/{code}/actions"),
        json!({"action": "return", "method": "counter"}),
    )
    .await;
    assert_eq!((st, error_code(&v)), (422, "invalid"));
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("trả kết quả")
    );
    let (st, _) = post(
        &s,
        Some(&a),
        "/api/v1/dossiers/000.00.00.H00-250303-0009/actions",
        json!({"action": "accept"}),
    )
    .await;
    assert_eq!(st, 404);
    let (st, v) = post(
        &s,
        Some(&a),
        &format!("/api/v1/dossiers/{code}/actions"),
        json!({"action": "stop", "reason": "x", "expected_version": 7}),
    )
    .await;
    assert_eq!(st, 403, "officers cannot stop: leaders do ({v})");
    let me = get(&s, Some(&a), "/api/v1/me").await.1["account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (st, v) = post(
        &s,
        Some(&a),
        &format!("/api/v1/dossiers/{code}/actions"),
        json!({"action": "assign", "officer": me, "expected_version": 7}),
    )
    .await;
    assert_eq!((st, error_code(&v)), (409, "conflict"));
    let (st, v) = get(&s, None, "/api/v1/nothing-here").await;
    assert_eq!((st, error_code(&v)), (404, "not_found"));
    let (st, _) = get(&s, None, "/api/v1/procedures/9.999999").await;
    assert_eq!(st, 404);
    let (st, v) = get(&s, Some(&a), "/api/v1/dossiers?status=42").await;
    assert_eq!((st, error_code(&v)), (422, "invalid"));
    let (st, _) = get(&s, Some(&a), "/api/v1/dossiers?page=abc").await;
    assert_eq!(st, 400);
    // Bad intake data.
    let mut bad = new_dossier("counter");
    bad["applicant"]["name"] = json!("");
    assert_eq!(post(&s, Some(&a), "/api/v1/dossiers", bad).await.0, 422);
    let mut bad = new_dossier("counter");
    bad["channel"] = json!("pigeon");
    assert_eq!(post(&s, Some(&a), "/api/v1/dossiers", bad).await.0, 422);
    // Wrong password: same answer as an unknown user.
    let (st1, v1) = post(
        &s,
        None,
        "/api/v1/auth/login",
        json!({"username": "canbo.a", "password": "wrong-password"}),
    )
    .await;
    let (st2, v2) = post(
        &s,
        None,
        "/api/v1/auth/login",
        json!({"username": "nobody", "password": "wrong-password"}),
    )
    .await;
    assert_eq!((st1, st2), (422, 422));
    assert_eq!(v1, v2);
    assert_eq!(
        history().await,
        before,
        "no bad request changed the dossier"
    );
    assert_eq!(s.app.store().audit_verify().await.unwrap().broken.len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogue_search_openapi_and_rate_limit() {
    let s = server(WebConfig {
        public_per_minute: 10,
        ..WebConfig::default()
    })
    .await;
    let (st, v) = get(
        &s,
        None,
        "/api/v1/procedures?q=dang%20ky%20khai%20sinh&per_page=50",
    )
    .await;
    assert_eq!(st, 200);
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["code"] == "1.001193"),
        "{}",
        v["total"]
    );
    let (_, units) = get(&s, None, "/api/v1/units?parent=p:62").await;
    assert!(units["total"].as_u64().unwrap() >= 10, "{units}");
    let (st, doc) = get(&s, None, "/api/openapi.json").await;
    assert_eq!(st, 200);
    for path in [
        "/api/v1/dossiers",
        "/api/v1/dossiers/{code}/actions",
        "/api/v1/public/dossiers/{code}",
        "/api/v1/procedures",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from OpenAPI"
        );
    }
    assert!(
        doc["paths"]["/api/v1/dossiers"]["post"].is_object()
            && doc["paths"]["/api/v1/dossiers"]["get"].is_object()
    );
    // Public endpoints: a burst of 5 (half the per-minute rate), then 429 with Retry-After.
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let r = s
            .http
            .get(s.url("/api/v1/public/dossiers/x-250101-0001?secret=A"))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            assert!(r.headers().get("retry-after").is_some());
        }
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 404).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        3,
        "{statuses:?}"
    );
    // Authenticated endpoints are not limited by the public bucket.
    assert_eq!(get(&s, None, "/api/v1/procedures?q=ho%20tich").await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrator_sets_procedure_flags_and_the_clock_follows() {
    let s = server(WebConfig::default()).await;
    let admin = s.token("quantri").await;
    let officer = s.token("canbo.a").await;
    let body = json!({"online_kind": "fully-online", "after_15h_next_day": true});
    let patch = |token: String, body: Value| {
        let req = s
            .http
            .patch(s.url("/api/v1/procedures/1.004194"))
            .bearer_auth(token)
            .json(&body);
        async move {
            let r = req.send().await.unwrap();
            (
                r.status().as_u16(),
                r.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    assert_eq!(patch(officer.clone(), body.clone()).await.0, 403);
    let (st, v) = patch(admin.clone(), json!({"online_kind": "sometimes"})).await;
    assert_eq!((st, error_code(&v)), (422, "invalid_body"));
    let (st, v) = patch(admin.clone(), body).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["after_15h_next_day"], true);
    assert_eq!(
        get(&s, None, "/api/v1/procedures/1.004194").await.1["online_kind"],
        "fully-online"
    );
    // A dossier received at 15:30 now counts from the next working day's opening.
    s.set_now("2025-03-03T15:30:00");
    let officer = s.token("canbo.a").await;
    let (st, receipt) = post(
        &s,
        Some(&officer),
        "/api/v1/dossiers",
        new_dossier("counter"),
    )
    .await;
    assert_eq!(st, 201);
    assert_eq!(receipt["view"]["due"], "2025-03-06T17:00:00+07:00");
    // A re-import keeps the administrator's settings.
    let csv = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/tthc_dvcqg_2642_procedures.csv"
    ))
    .unwrap();
    s.app
        .import_procedures(&cchc_app::Principal::system(), &csv)
        .await
        .unwrap();
    assert_eq!(
        get(&s, None, "/api/v1/procedures/1.004194").await.1["after_15h_next_day"],
        true
    );
}
