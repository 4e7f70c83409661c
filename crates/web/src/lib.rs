//! cchc-web: the HTTP edge. The HTML pages (see [`pages`]) and the JSON API under `/api/v1`
//! with its OpenAPI document at `/api/openapi.json`, both API parts generated from one route
//! table so they cannot drift. Thin: every handler parses, calls one `cchc_app` use case, and
//! maps the result; API failures render as `{"error":{"code","message"}}` with the right 4xx
//! status, page failures as a Vietnamese error page.

pub mod pages;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use cchc_app::dossiers::{Action, ListQuery, NewDossier};
use cchc_app::{App, AppError, Principal};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Settings of the HTTP edge.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Requests per minute per client address on the public endpoints (lookup, login).
    pub public_per_minute: u32,
    /// Largest upload (a submission or a supplement with its files), in bytes.
    pub max_upload_bytes: usize,
    /// Mark cookies `Secure` (set when served over HTTPS, as in production behind TLS).
    pub secure_cookies: bool,
    /// The address citizens reach, e.g. `https://dichvucong.kontum.gov.vn`, printed in QR
    /// codes; by default the host the request came to.
    pub public_url: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 256 * 1024,
            public_per_minute: 120,
            max_upload_bytes: cchc_app::files::MAX_TOTAL_BYTES + 1024 * 1024,
            secure_cookies: false,
            public_url: None,
        }
    }
}

/// Shared state of the handlers.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    limiter: Arc<RateLimiter>,
    config: Arc<WebConfig>,
    secrets: Arc<pages::SecretStash>,
}

// ---- errors ------------------------------------------------------------------------------

/// Every failure of the API, rendered as `{"error":{"code","message"}}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
}

/// The HTTP status of an application error, for the API and the pages alike; internal errors
/// are logged here, once, with their detail (users see only a generic message).
pub(crate) fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Internal(detail) => {
            tracing::error!(%detail, "internal error");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self::new(status_of(&e), e.code(), e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": { "code": self.code, "message": self.message } });
        (self.status, Json(body)).into_response()
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// JSON body whose rejections (malformed, wrong type, too large) use our error format.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Self(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(r: JsonRejection) -> ApiError {
    let status = r.status();
    let (code, message) = match &r {
        JsonRejection::JsonDataError(e) => (
            "invalid_body",
            format!("dữ liệu không hợp lệ: {}", e.body_text()),
        ),
        JsonRejection::JsonSyntaxError(_) => {
            ("bad_json", "nội dung không phải JSON hợp lệ".to_owned())
        }
        JsonRejection::MissingJsonContentType(_) => (
            "bad_content_type",
            "cần tiêu đề Content-Type: application/json".to_owned(),
        ),
        _ if status == StatusCode::PAYLOAD_TOO_LARGE => (
            "body_too_large",
            "nội dung gửi lên vượt quá dung lượng cho phép".to_owned(),
        ),
        _ => ("bad_request", "không đọc được nội dung yêu cầu".to_owned()),
    };
    ApiError::new(status, code, message)
}

/// Query string whose rejections use our error format.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| Self(v))
            .map_err(|e: QueryRejection| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_query",
                    format!("tham số truy vấn không hợp lệ: {}", e.body_text()),
                )
            })
    }
}

/// One path segment.
pub struct ApiPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ApiPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| Self(v))
            .map_err(|e: PathRejection| {
                ApiError::new(StatusCode::BAD_REQUEST, "bad_path", e.body_text())
            })
    }
}

/// The caller, from `Authorization: Bearer <token>`.
pub struct Auth(pub Principal);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 128)
            .ok_or_else(|| ApiError::from(AppError::Unauthenticated))?;
        Ok(Self(state.app.authenticate(token).await?))
    }
}

// ---- rate limiting -----------------------------------------------------------------------

/// Token bucket per client address: `per_minute` tokens a minute, bursts up to half of that.
struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    fn allow(&self, ip: IpAddr) -> bool {
        if self.per_minute == 0 {
            return true;
        }
        let rate = f64::from(self.per_minute) / 60.0;
        let burst = (f64::from(self.per_minute) / 2.0).max(1.0);
        let Ok(mut buckets) = self.buckets.lock() else {
            return true;
        };
        if buckets.len() > 100_000 {
            // Forget idle clients rather than grow without bound.
            buckets.retain(|_, (tokens, at)| *tokens < burst || at.elapsed().as_secs() < 60);
        }
        let now = Instant::now();
        let (tokens, at) = buckets.entry(ip).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

pub(crate) async fn rate_limited(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(ip) = ip
        && !state.limiter.allow(ip)
    {
        let mut resp = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "quá nhiều yêu cầu, vui lòng thử lại sau ít phút",
        )
        .into_response();
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
        return resp;
    }
    next.run(req).await
}

async fn security_headers(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    // Server time, for browsers' developer tools and for measuring pages from outside.
    if let Ok(v) = HeaderValue::from_str(&format!(
        "app;dur={:.1}",
        started.elapsed().as_secs_f64() * 1e3
    )) {
        h.insert("server-timing", v);
    }
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    // Same-origin only: lookup links carry the secret in the query and must not leak to other
    // sites, while our own forms keep a real `Origin` header for the CSRF check.
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    // Everything is served from here: no inline script or style, no third-party origin.
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
        ),
    );
    resp
}

// ---- handlers ----------------------------------------------------------------------------

#[derive(Deserialize)]
struct LoginBody {
    username: String,
    password: String,
}

async fn login(
    State(s): State<AppState>,
    ApiJson(b): ApiJson<LoginBody>,
) -> ApiResult<Json<Value>> {
    let token = s.app.login(&b.username, &b.password).await?;
    Ok(Json(json!(token)))
}

async fn logout(State(s): State<AppState>, parts: axum::http::HeaderMap) -> ApiResult<StatusCode> {
    let token = parts
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 128)
        .ok_or_else(|| ApiError::from(AppError::Unauthenticated))?;
    s.app.logout(token).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(Auth(p): Auth) -> Json<Principal> {
    Json(p)
}

#[derive(Deserialize)]
struct ProcedureQuery {
    #[serde(default)]
    q: String,
    page: Option<i64>,
    per_page: Option<i64>,
}

async fn search_procedures(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<ProcedureQuery>,
) -> ApiResult<Json<Value>> {
    let page = s
        .app
        .search_procedures(&q.q, q.page.unwrap_or(1), q.per_page.unwrap_or(20))
        .await?;
    Ok(Json(json!(page)))
}

async fn get_procedure(
    State(s): State<AppState>,
    ApiPath(code): ApiPath,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(s.app.procedure(&code).await?)))
}

#[derive(Deserialize)]
struct UnitQuery {
    parent: Option<String>,
    /// YYYY-MM-DD: only units existing that day.
    active_on: Option<String>,
}

async fn update_procedure(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(code): ApiPath,
    ApiJson(body): ApiJson<cchc_app::catalogue::ProcedureSettings>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(
        s.app.update_procedure_settings(&p, &code, body).await?
    )))
}

async fn list_units(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<UnitQuery>,
) -> ApiResult<Json<Value>> {
    let tree = s.app.units()?;
    let day = match &q.active_on {
        Some(d) => Some(d.parse::<jiff::civil::Date>().map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_query",
                format!("ngày '{d}' không hợp lệ"),
            )
        })?),
        None => None,
    };
    let units: Vec<&cchc_domain::unit::Unit> = match &q.parent {
        Some(p) => {
            if !tree.contains(p) {
                return Err(AppError::NotFound(format!("đơn vị {p}")).into());
            }
            tree.children(p).collect()
        }
        None => tree.roots().collect(),
    };
    let units: Vec<_> = units
        .into_iter()
        .filter(|u| day.is_none_or(|d| u.is_active_on(d)))
        .take(5000)
        .collect();
    Ok(Json(json!({ "total": units.len(), "items": units })))
}

async fn get_unit(State(s): State<AppState>, ApiPath(id): ApiPath) -> ApiResult<Json<Value>> {
    let tree = s.app.units()?;
    let unit = tree
        .get(&id)
        .ok_or_else(|| AppError::NotFound(format!("đơn vị {id}")))?;
    Ok(Json(json!(unit)))
}

async fn create_dossier(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiJson(body): ApiJson<NewDossier>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let receipt = s.app.create_dossier(&p, body).await?;
    Ok((StatusCode::CREATED, Json(json!(receipt))))
}

async fn list_dossiers(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(s.app.list_dossiers(&p, q).await?)))
}

async fn get_dossier(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(code): ApiPath,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(s.app.dossier(&p, &code).await?)))
}

async fn dossier_history(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(code): ApiPath,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(s.app.history(&p, &code).await?)))
}

#[derive(Deserialize)]
struct ActionBody {
    #[serde(flatten)]
    action: Action,
    expected_version: Option<u32>,
}

async fn dossier_action(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(code): ApiPath,
    ApiJson(body): ApiJson<ActionBody>,
) -> ApiResult<Json<Value>> {
    let view = s
        .app
        .act(&p, &code, body.expected_version, body.action)
        .await?;
    Ok(Json(json!(view)))
}

#[derive(Deserialize)]
struct SecretQuery {
    secret: String,
}

async fn public_lookup(
    State(s): State<AppState>,
    ApiPath(code): ApiPath,
    ApiQuery(q): ApiQuery<SecretQuery>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(s.app.public_lookup(&code, &q.secret).await?)))
}

// ---- citizen feedback (PAKN) -------------------------------------------------------------

/// A PAKN as submitted through the API (the same fields as the form).
#[derive(Deserialize)]
struct PaknBody {
    /// `thai-do`, `cham-tre`, `ngoai-quy-dinh`, `nhung-nhieu` or `kien-nghi`.
    category: String,
    /// `thu-tuc`, `ho-so` or `don-vi`.
    subject: String,
    #[serde(default)]
    procedure: String,
    #[serde(default)]
    dossier: String,
    unit: String,
    body: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    /// Agrees that the answer may be published without personal data.
    #[serde(default)]
    consent: bool,
}

/// The caller when a bearer token is sent, none otherwise (a bad token is refused).
async fn optional_principal(
    s: &AppState,
    headers: &axum::http::HeaderMap,
) -> ApiResult<Option<Principal>> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 128)
        .ok_or_else(|| ApiError::from(AppError::Unauthenticated))?;
    Ok(Some(s.app.authenticate(token).await?))
}

async fn pakn_submit(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    ApiJson(b): ApiJson<PaknBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let who = optional_principal(&s, &headers).await?;
    let input = cchc_app::pakn::NewPakn {
        category: b.category,
        subject: b.subject,
        procedure: b.procedure,
        dossier: b.dossier,
        unit: b.unit,
        body: b.body,
        name: b.name,
        phone: b.phone,
        email: b.email,
        consent: b.consent,
    };
    let receipt = s.app.submit_pakn(who.as_ref(), input, Vec::new()).await?;
    Ok((StatusCode::CREATED, Json(json!(receipt))))
}

async fn pakn_follow(
    State(s): State<AppState>,
    ApiPath(code): ApiPath,
    ApiQuery(q): ApiQuery<SecretQuery>,
) -> ApiResult<Json<Value>> {
    let view = s
        .app
        .pakn_follow(&code, cchc_app::pakn::Follower::Secret(&q.secret))
        .await?;
    Ok(Json(json!(view)))
}

#[derive(Deserialize)]
struct PaknBoardQuery {
    /// Unit id; the caller's own unit (staff) or the whole province (administrator) when
    /// absent.
    unit: Option<String>,
}

async fn pakn_board(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<PaknBoardQuery>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(s.app.pakn_board(&p, q.unit.as_deref()).await?)))
}

#[derive(Deserialize)]
struct PaknPublishedQuery {
    #[serde(default)]
    q: String,
    procedure: Option<String>,
    unit: Option<String>,
}

async fn pakn_published(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<PaknPublishedQuery>,
) -> ApiResult<Json<Value>> {
    let items = s
        .app
        .pakn_published(&q.q, q.procedure.as_deref(), q.unit.as_deref())
        .await?;
    Ok(Json(json!({ "total": items.len(), "items": items })))
}

#[derive(Deserialize)]
struct IndicatorQuery {
    /// Unit id; the caller's own unit when absent.
    unit: Option<String>,
    /// `2025`, `2025-Q3`, `2025-07` or `2025-07-01..2025-08-15`; the current quarter when
    /// absent.
    period: Option<String>,
}

/// A period from the API's `period` parameter (422 with the accepted forms when bad).
fn api_period(s: &AppState, text: Option<&str>) -> ApiResult<cchc_domain::indicator::Period> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => t.parse().map_err(|e: cchc_domain::indicator::PeriodError| {
            AppError::Invalid(e.to_string()).into()
        }),
        None => Ok(cchc_domain::indicator::Period::quarter_of(
            s.app.now().date(),
        )),
    }
}

async fn indicator_scorecard(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<IndicatorQuery>,
) -> ApiResult<Json<Value>> {
    let period = api_period(&s, q.period.as_deref())?;
    let unit = q
        .unit
        .filter(|u| !u.trim().is_empty())
        .or_else(|| p.unit_id.clone())
        .ok_or_else(|| AppError::Invalid("cần tham số unit (mã đơn vị)".into()))?;
    Ok(Json(json!(s.app.unit_scorecard(&p, &unit, &period).await?)))
}

#[derive(Deserialize)]
struct RankingQuery {
    period: Option<String>,
    /// `commune`, `department`, `district`, `office`, `service_centre` or `province`; every
    /// unit with dossiers when absent.
    kind: Option<String>,
    /// Rank by this indicator's value instead of the total score.
    indicator: Option<String>,
}

async fn indicator_ranking(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<RankingQuery>,
) -> ApiResult<Json<Value>> {
    if p.role == cchc_app::Role::Citizen {
        return Err(AppError::Forbidden(
            "công dân xem chỉ số đã công bố tại trang công khai".into(),
        )
        .into());
    }
    let period = api_period(&s, q.period.as_deref())?;
    let kind = match q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => Some(
            serde_json::from_value::<cchc_domain::unit::UnitKind>(json!(k)).map_err(|_| {
                AppError::Invalid(format!(
                    "loại đơn vị '{k}' không hợp lệ (province, district, commune, department, office, service_centre)"
                ))
            })?,
        ),
        None => None,
    };
    let indicator = q
        .indicator
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(code) = indicator
        && s.app.indicator_set(&period).indicator(code).is_none()
    {
        return Err(AppError::NotFound(format!("chỉ số {code}")).into());
    }
    Ok(Json(json!(
        s.app
            .ranking(
                &period,
                kind,
                indicator,
                cchc_app::indicators::MIN_RANK_VOLUME
            )
            .await?
    )))
}

async fn health(State(s): State<AppState>) -> Json<Value> {
    Json(json!({ "status": "ok", "database": s.app.store().backend_name() }))
}

async fn openapi() -> Json<Value> {
    Json(openapi_document())
}

/// A method a route does not take (a GET on a form's address): a Vietnamese page, or the
/// API's JSON error, rather than an empty answer.
async fn method_not_allowed(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "địa chỉ này không nhận phương thức này",
        )
        .into_response()
    } else {
        pages::method_not_allowed_page()
    }
}

async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "không có địa chỉ này").into_response()
    } else {
        pages::not_found_page()
    }
}

// ---- the route table ---------------------------------------------------------------------

/// Declares every API route once: the router and the OpenAPI paths are both built from this.
macro_rules! api_routes {
    ($( $method:ident $path:literal => $handler:ident, $tag:literal, $summary:literal, auth = $auth:literal, public = $public:literal; )*) => {
        fn api_router(state: &AppState) -> Router<AppState> {
            let mut open = Router::new();
            let mut limited = Router::new();
            $(
                if $public {
                    limited = limited.route($path, $method($handler));
                } else {
                    open = open.route($path, $method($handler));
                }
            )*
            open.merge(limited.route_layer(middleware::from_fn_with_state(state.clone(), rate_limited)))
        }

        /// (path, method, tag, summary, needs a token, rate-limited)
        const API_ROUTES: &[(&str, &str, &str, &str, bool, bool)] = &[
            $( ($path, stringify!($method), $tag, $summary, $auth, $public) ),*
        ];
    };
}

api_routes! {
    post "/api/v1/auth/login" => login, "Tài khoản", "Đăng nhập, nhận mã truy cập (Bearer)", auth = false, public = true;
    post "/api/v1/auth/logout" => logout, "Tài khoản", "Đăng xuất: mã truy cập hết hiệu lực ngay", auth = true, public = false;
    get "/api/v1/me" => me, "Tài khoản", "Tài khoản đang đăng nhập", auth = true, public = false;
    get "/api/v1/units" => list_units, "Đơn vị", "Đơn vị gốc hoặc đơn vị con (?parent=, ?active_on=YYYY-MM-DD)", auth = false, public = false;
    get "/api/v1/units/{id}" => get_unit, "Đơn vị", "Một đơn vị", auth = false, public = false;
    get "/api/v1/procedures" => search_procedures, "Thủ tục", "Tìm thủ tục theo mã hoặc tên không dấu (?q=, ?page=, ?per_page=)", auth = false, public = false;
    get "/api/v1/procedures/{code}" => get_procedure, "Thủ tục", "Một thủ tục", auth = false, public = false;
    patch "/api/v1/procedures/{code}" => update_procedure, "Thủ tục", "Quản trị: toàn trình/một phần, có thu phí, quy tắc sau 15 giờ", auth = true, public = false;
    post "/api/v1/dossiers" => create_dossier, "Hồ sơ", "Tiếp nhận (cán bộ) hoặc nộp trực tuyến (công dân)", auth = true, public = false;
    get "/api/v1/dossiers" => list_dossiers, "Hồ sơ", "Danh sách hồ sơ trong phạm vi (?status=, ?from=, ?to=, ?unit=, ?page=)", auth = true, public = false;
    get "/api/v1/dossiers/{code}" => get_dossier, "Hồ sơ", "Một hồ sơ với giải thích hạn trả", auth = true, public = false;
    get "/api/v1/dossiers/{code}/history" => dossier_history, "Hồ sơ", "Toàn bộ quá trình xử lý, có mã băm", auth = true, public = false;
    post "/api/v1/dossiers/{code}/actions" => dossier_action, "Hồ sơ", "Một bước xử lý: {\"action\": \"assign\" | \"request_supplement\" | ..., \"expected_version\"?}", auth = true, public = false;
    get "/api/v1/public/dossiers/{code}" => public_lookup, "Tra cứu", "Tra cứu hồ sơ bằng mã và mã tra cứu (?secret=), không có thông tin cá nhân", auth = false, public = true;
    post "/api/v1/public/pakn" => pakn_submit, "Phản ánh, kiến nghị", "Gửi phản ánh, kiến nghị (không đăng nhập, hoặc Bearer của công dân); trả mã phản ánh và mã bí mật", auth = false, public = true;
    get "/api/v1/public/pakn/published" => pakn_published, "Phản ánh, kiến nghị", "Các câu trả lời đã công khai, mới nhất trước (?q= không dấu, ?procedure=, ?unit=), không có thông tin cá nhân", auth = false, public = true;
    get "/api/v1/public/pakn/{code}" => pakn_follow, "Phản ánh, kiến nghị", "Theo dõi một phản ánh bằng mã và mã bí mật (?secret=)", auth = false, public = true;
    get "/api/v1/pakn" => pakn_board, "Phản ánh, kiến nghị", "Bảng theo dõi của cán bộ (?unit=): nhũng nhiễu, quá hạn, đang xử lý, chờ công khai", auth = true, public = false;
    get "/api/v1/indicators" => indicator_scorecard, "Chỉ số", "Bảng điểm chỉ số của một đơn vị trong một kỳ (?unit=, ?period=2025-Q3): giá trị, tử số, mẫu số, điểm, cách tính", auth = true, public = false;
    get "/api/v1/indicators/ranking" => indicator_ranking, "Chỉ số", "Xếp hạng đơn vị (?period=, ?kind=commune|department|..., ?indicator=2.1), đồng hạng và ngưỡng số hồ sơ tối thiểu", auth = true, public = false;
    get "/api/openapi.json" => openapi, "Hệ thống", "Tài liệu OpenAPI này", auth = false, public = false;
    get "/healthz" => health, "Hệ thống", "Tình trạng dịch vụ", auth = false, public = false;
}

/// The OpenAPI 3.1 document, built from the route table.
pub fn openapi_document() -> Value {
    let mut paths = serde_json::Map::new();
    for (path, method, tag, summary, auth, public) in API_ROUTES {
        let params: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        let mut responses = json!({
            "200": {"description": "Thành công", "content": {"application/json": {}}},
            "400": {"$ref": "#/components/responses/Error"},
            "404": {"$ref": "#/components/responses/Error"},
            "422": {"$ref": "#/components/responses/Error"}
        });
        if *auth {
            responses["401"] = json!({"$ref": "#/components/responses/Error"});
            responses["403"] = json!({"$ref": "#/components/responses/Error"});
        }
        if *public {
            responses["429"] = json!({"$ref": "#/components/responses/Error"});
        }
        let mut op = json!({
            "tags": [tag],
            "summary": summary,
            "operationId": format!("{method}_{}", path.trim_start_matches('/').replace(['/', '{', '}', '.'], "_")),
            "parameters": params,
            "responses": responses,
        });
        if *auth {
            op["security"] = json!([{"bearer": []}]);
        }
        if *method == "post" || *method == "patch" {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"type": "object"}}}});
        }
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[*method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "cchc API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Một cửa, tra cứu, danh mục thủ tục và đơn vị, chỉ số cải cách hành chính. Lỗi: {\"error\":{\"code\",\"message\"}}."
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "object", "required": ["code", "message"],
                        "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}
                }
            },
            "responses": {
                "Error": {"description": "Lỗi", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        }
    })
}

/// The whole HTTP application.
pub fn router(app: App, config: WebConfig) -> Router {
    let state = AppState {
        app,
        limiter: Arc::new(RateLimiter {
            per_minute: config.public_per_minute,
            buckets: Mutex::new(HashMap::new()),
        }),
        config: Arc::new(config),
        secrets: Arc::new(pages::SecretStash::default()),
    };
    api_router(&state)
        .merge(pages::routes(&state))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(axum::extract::DefaultBodyLimit::max(
            state.config.max_body_bytes,
        ))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// Serves on a bound listener until ctrl-c.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    config: WebConfig,
) -> std::io::Result<()> {
    let router = router(app, config);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
