//! The HTML pages: server-rendered askama templates compiled into the binary, htmx for small
//! interactions, assets embedded. This module owns what every page shares: the session (a
//! signed-in token in an HttpOnly, SameSite cookie), CSRF protection of every unsafe request,
//! the layout, flash messages, form parsing, and error pages. Each area lives in its own
//! module and calls `cchc_app` use cases only.

mod admin;
mod assets;
pub mod charts;
mod citizen;
mod emulation;
pub mod fmt;
mod indicators;
mod officer;
mod pakn;
mod par_index;
mod plans;
mod public;
mod sync;

use askama::Template;
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use cchc_app::{AppError, Principal, Role};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::AppState;

/// The cookie holding the signed-in session token.
pub(crate) const SESSION_COOKIE: &str = "cchc_session";
/// A random value for visitors not signed in, so their forms (login, lookup) carry a CSRF
/// token too.
const ANON_COOKIE: &str = "cchc_anon";
/// A one-line message shown on the next page after a redirect.
const FLASH_COOKIE: &str = "cchc_flash";
/// The form field and header carrying the CSRF token.
pub(crate) const CSRF_FIELD: &str = "_csrf";
const CSRF_HEADER: &str = "x-csrf-token";

/// All page routes, behind the session and CSRF middleware.
pub(crate) fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(public::routes(state))
        .merge(citizen::routes(state))
        .merge(officer::routes(state))
        .merge(admin::routes(state))
        .merge(indicators::routes(state))
        .merge(emulation::routes(state))
        .merge(par_index::routes(state))
        .merge(plans::routes(state))
        .merge(pakn::routes(state))
        .merge(sync::routes(state))
        .layer(middleware::from_fn_with_state(state.clone(), session_layer))
        .merge(assets::routes())
}

// ---- session -----------------------------------------------------------------------------

/// Who is asking for a page, the token their forms must carry, and a message to show.
#[derive(Clone)]
pub struct Session {
    pub principal: Option<Principal>,
    /// The CSRF token: put it in every form as `_csrf` (see `Layout::csrf`).
    pub csrf: String,
    /// A message left by the previous request (after a redirect).
    pub flash: Option<String>,
    /// The path and query asked for, to come back after signing in.
    pub path: String,
    /// The request came from htmx (answer with a fragment where it helps).
    pub htmx: bool,
    /// Scheme and host the browser used, for links printed on paper (QR codes).
    pub origin: String,
    token: Option<String>,
    /// An unsafe multipart request whose CSRF token is in its body, not yet read: only an
    /// [`UploadSession`] handler (which checks it through `read_multipart`) may take it.
    csrf_pending: bool,
}

impl Session {
    /// The signed-in principal, or a redirect to the sign-in page.
    pub fn require(&self) -> Result<&Principal, PageError> {
        self.principal
            .as_ref()
            .ok_or_else(|| PageError::Login(self.path.clone()))
    }

    /// The signed-in principal if their role is one of `roles`.
    pub fn require_role(&self, roles: &[Role]) -> Result<&Principal, PageError> {
        let p = self.require()?;
        if roles.contains(&p.role) {
            Ok(p)
        } else {
            Err(AppError::Forbidden("trang này không dành cho vai trò của bạn".into()).into())
        }
    }

    /// The layout of a page with this title.
    pub fn layout(&self, title: impl Into<String>) -> Layout {
        Layout {
            title: title.into(),
            user: self.principal.as_ref().map(|p| NavUser {
                name: p.display_name.clone(),
                role: p.role.label().to_owned(),
            }),
            nav: nav_links(self.principal.as_ref(), &self.path),
            csrf: self.csrf.clone(),
            flash: self.flash.clone(),
        }
    }

    /// Checks a CSRF token that came in a multipart form (the middleware checks the others).
    pub fn check_csrf(&self, token: &str) -> Result<(), PageError> {
        if constant_time_eq(token.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(PageError::Csrf)
        }
    }

    pub(crate) fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }
}

impl FromRequestParts<AppState> for Session {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let UploadSession(session) = UploadSession::from_request_parts(parts, state).await?;
        // Every handler but an upload's refuses a request whose token nobody has checked
        // (a multipart body sent to a urlencoded form, or to an action without a body).
        if session.csrf_pending {
            return Err(PageError::Csrf);
        }
        Ok(session)
    }
}

/// The session of a handler that reads a multipart form: its CSRF token is checked by
/// [`read_multipart`], which such a handler must call before changing anything.
pub struct UploadSession(pub Session);

impl FromRequestParts<AppState> for UploadSession {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, PageError> {
        parts
            .extensions
            .get::<Session>()
            .cloned()
            .map(UploadSession)
            .ok_or_else(|| PageError::App(AppError::Internal("session layer missing".into())))
    }
}

/// The shared frame of every page.
#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    pub user: Option<NavUser>,
    pub nav: Vec<NavLink>,
    pub csrf: String,
    pub flash: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NavUser {
    pub name: String,
    pub role: String,
}

#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

fn nav_links(p: Option<&Principal>, path: &str) -> Vec<NavLink> {
    let mut links: Vec<(&'static str, &'static str)> = vec![
        ("/thu-tuc", "Thủ tục hành chính"),
        ("/tra-cuu", "Tra cứu hồ sơ"),
        ("/chi-so", "Chỉ số phục vụ"),
    ];
    match p.map(|p| p.role) {
        Some(Role::Citizen) => links.insert(0, ("/cong-dan", "Hồ sơ của tôi")),
        Some(Role::Officer) => links.insert(0, ("/can-bo", "Bàn làm việc")),
        Some(Role::Leader) => {
            links.insert(0, ("/can-bo", "Bàn làm việc"));
            links.insert(1, ("/lanh-dao", "Bảng điều hành"));
        }
        Some(Role::Admin) => links.insert(0, ("/quan-tri", "Quản trị")),
        None => {}
    }
    if matches!(
        p.map(|p| p.role),
        Some(Role::Officer | Role::Leader | Role::Admin)
    ) {
        let at = links.len() - 3;
        links.insert(at, ("/chi-so-cai-cach", "Chỉ số"));
        links.insert(at + 1, ("/thi-dua", "Thi đua, khen thưởng"));
        links.insert(at + 1, ("/chi-so-par", "Chỉ số PAR"));
        links.insert(at + 1, ("/ke-hoach", "Kế hoạch CCHC"));
    }
    links.push(("/phan-anh", "Phản ánh, kiến nghị"));
    let here = path.split('?').next().unwrap_or(path);
    links
        .into_iter()
        .map(|(href, label)| NavLink {
            href,
            label,
            current: here == href || here.starts_with(&format!("{href}/")),
        })
        .collect()
}

fn cookies(headers: &HeaderMap) -> HashMap<String, String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            Some((k.to_owned(), v.to_owned()))
        })
        .collect()
}

fn sha256_hex(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn random_token() -> Option<String> {
    let mut buf = [0u8; 16];
    getrandom::fill(&mut buf).ok()?;
    Some(buf.iter().map(|b| format!("{b:02x}")).collect())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A `Set-Cookie` value: HttpOnly and SameSite=Lax always (Lax, so the QR link on a receipt
/// opened from a phone's camera still carries a signed-in citizen's session), Secure when the
/// deployment says it is served over HTTPS.
pub(crate) fn cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

fn is_unsafe(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Same-origin check for unsafe requests: a browser sends `Origin`; when it does, it must
/// name this host.
fn same_origin(headers: &HeaderMap) -> bool {
    // "null" is what a browser sends when it will not say (privacy settings); the token
    // still decides then.
    let Some(origin) = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| *o != "null")
    else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host))
}

/// Loads the session, sets the visitor cookie, checks CSRF on every unsafe request, and
/// clears a shown flash message.
async fn session_layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let jar = cookies(req.headers());
    let secure = state.config.secure_cookies;
    let mut token = jar.get(SESSION_COOKIE).cloned().filter(|t| t.len() <= 128);
    let mut principal = None;
    let mut clear_session = false;
    if let Some(t) = &token {
        match state.app.authenticate(t).await {
            Ok(p) => principal = Some(p),
            Err(_) => clear_session = true,
        }
    }
    if clear_session {
        token = None;
    }
    let mut new_anon = None;
    let seed = match (&token, jar.get(ANON_COOKIE)) {
        (Some(t), _) => t.clone(),
        (None, Some(a)) if a.len() == 32 => a.clone(),
        (None, _) => {
            let a = random_token().unwrap_or_default();
            new_anon = Some(a.clone());
            a
        }
    };
    let csrf = sha256_hex(&format!("cchc-csrf\n{seed}"));
    let flash = jar
        .get(FLASH_COOKIE)
        .and_then(|v| serde_urlencoded::from_str::<Vec<(String, String)>>(v).ok())
        .and_then(|kv| kv.into_iter().find(|(k, _)| k == "m").map(|(_, v)| v));
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost")
        .to_owned();
    let origin = state
        .config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{host}"));
    let session = Session {
        principal,
        csrf: csrf.clone(),
        flash: flash.clone(),
        path: req
            .uri()
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
        htmx: req.headers().contains_key("hx-request"),
        origin,
        token,
        csrf_pending: false,
    };
    let mut session = session;
    let method = req.method().clone();
    let mut req = req;
    if is_unsafe(&method) {
        if !same_origin(req.headers()) {
            return PageError::Csrf.into_response();
        }
        let header_ok = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| constant_time_eq(v.as_bytes(), csrf.as_bytes()));
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if !header_ok {
            if content_type.starts_with("application/x-www-form-urlencoded") {
                let (parts, body) = req.into_parts();
                let Ok(bytes) = to_bytes(body, state.config.max_body_bytes).await else {
                    return PageError::TooLarge.into_response();
                };
                let fields: Vec<(String, String)> =
                    serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
                let ok = fields.iter().any(|(k, v)| {
                    k == CSRF_FIELD && constant_time_eq(v.as_bytes(), csrf.as_bytes())
                });
                if !ok {
                    return PageError::Csrf.into_response();
                }
                req = Request::from_parts(parts, Body::from(bytes));
            } else if content_type.starts_with("multipart/form-data") {
                // Upload handlers check `_csrf` themselves through `read_multipart`; every
                // other handler refuses the request (see `Session`'s extractor).
                session.csrf_pending = true;
            } else {
                return PageError::Csrf.into_response();
            }
        }
    }
    req.extensions_mut().insert(session);
    let mut resp = next.run(req).await;
    let sets_flash = resp
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(FLASH_COOKIE.as_bytes()));
    let h = resp.headers_mut();
    if secure {
        // `flash_redirect` does not know the deployment: mark its cookie here.
        let marked: Vec<HeaderValue> = h
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| match v.to_str() {
                Ok(t) if t.starts_with(FLASH_COOKIE) && !t.contains("; Secure") => {
                    HeaderValue::from_str(&format!("{t}; Secure")).unwrap_or_else(|_| v.clone())
                }
                _ => v.clone(),
            })
            .collect();
        h.remove(header::SET_COOKIE);
        for v in marked {
            h.append(header::SET_COOKIE, v);
        }
    }
    if let Some(a) = new_anon {
        h.append(header::SET_COOKIE, cookie(ANON_COOKIE, &a, None, secure));
    }
    if clear_session {
        h.append(
            header::SET_COOKIE,
            cookie(SESSION_COOKIE, "", Some(0), secure),
        );
    }
    if flash.is_some() && !sets_flash && !is_unsafe(&method) {
        h.append(
            header::SET_COOKIE,
            cookie(FLASH_COOKIE, "", Some(0), secure),
        );
    }
    resp
}

// ---- responses ---------------------------------------------------------------------------

/// Renders a template as a 200 page.
pub fn render<T: Template>(t: &T) -> Response {
    render_status(StatusCode::OK, t)
}

/// Renders a template with a status (422 for a form sent back with its errors).
pub fn render_status<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            PageError::App(AppError::Internal(e.to_string())).into_response()
        }
    }
}

/// 303 to `to` with a message shown there once.
pub fn flash_redirect(to: &str, message: &str) -> Response {
    let value = serde_urlencoded::to_string([("m", message)]).unwrap_or_default();
    let mut resp = Redirect::to(to).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{FLASH_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=120"
    )) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// Why a page could not be shown.
#[derive(Debug)]
pub enum PageError {
    /// Not signed in: go to the sign-in page, then come back here.
    Login(String),
    /// A form without a valid CSRF token, or from another site.
    Csrf,
    TooLarge,
    App(AppError),
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Unauthenticated => Self::Login("/".into()),
            other => Self::App(other),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: String,
    message: String,
}

fn error_layout(title: &str) -> Layout {
    Layout {
        title: title.to_owned(),
        user: None,
        nav: nav_links(None, ""),
        csrf: String::new(),
        flash: None,
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, heading, message) = match self {
            Self::Login(next) => {
                let q = serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default();
                return Redirect::to(&format!("/dang-nhap?{q}")).into_response();
            }
            Self::Csrf => (
                StatusCode::FORBIDDEN,
                "Phiên làm việc đã hết hạn",
                "Biểu mẫu không hợp lệ hoặc đã quá hạn. Vui lòng tải lại trang và gửi lại."
                    .to_owned(),
            ),
            Self::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Dữ liệu gửi lên quá lớn",
                "Nội dung gửi lên vượt quá dung lượng cho phép.".to_owned(),
            ),
            Self::App(e) => {
                let status = crate::status_of(&e);
                let heading = match status {
                    StatusCode::FORBIDDEN => "Không có quyền truy cập",
                    StatusCode::NOT_FOUND => "Không tìm thấy",
                    StatusCode::CONFLICT => "Hồ sơ vừa thay đổi",
                    StatusCode::INTERNAL_SERVER_ERROR => "Lỗi hệ thống",
                    _ => "Không thực hiện được",
                };
                (status, heading, sentence(&e.to_string()))
            }
        };
        render_status(
            status,
            &ErrorPage {
                layout: error_layout(heading),
                heading: heading.to_owned(),
                message,
            },
        )
    }
}

/// A method the address does not take (a form's address opened as a link), outside the API.
pub(crate) fn method_not_allowed_page() -> Response {
    let heading = "Không thực hiện được";
    render_status(
        StatusCode::METHOD_NOT_ALLOWED,
        &ErrorPage {
            layout: error_layout(heading),
            heading: heading.to_owned(),
            message: "Địa chỉ này không nhận yêu cầu theo cách này; hãy mở lại trang và dùng các nút, biểu mẫu trên trang."
                .to_owned(),
        },
    )
}

/// The page not found, for any path outside the API.
pub(crate) fn not_found_page() -> Response {
    PageError::App(AppError::NotFound("trang này".into())).into_response()
}

// ---- forms -------------------------------------------------------------------------------

/// A page's query string, read into `T`; a malformed one is a Vietnamese error page (422),
/// not a plain-text rejection.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, PageError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| Self(v))
            .map_err(|_| AppError::Invalid("địa chỉ trang có tham số không hợp lệ".into()).into())
    }
}

/// A urlencoded form as ordered pairs: repeated fields (checkboxes) and missing ones are both
/// easy to read, and a malformed body is a clear error rather than a rejection page.
#[derive(Debug, Clone, Default)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    /// The first value of a field, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }

    /// Every non-empty value of a field, in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// The dossier version a form was filled against (a hidden field): `None` when absent.
    /// A value that is not a version cannot match the dossier's, so it is a conflict rather
    /// than an action taken without the check.
    pub fn version(&self, name: &str, code: &str) -> Result<Option<u32>, AppError> {
        let text = self.get(name);
        if text.is_empty() {
            return Ok(None);
        }
        text.parse()
            .map(Some)
            .map_err(|_| AppError::Conflict(code.to_owned()))
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, PageError> {
        // Through `Bytes`, so the router's body limit applies (a form sent with the CSRF
        // header is not buffered by the session layer, which would otherwise bound it).
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| PageError::TooLarge)?;
        serde_urlencoded::from_bytes(&bytes)
            .map(FormData)
            .map_err(|_| AppError::Invalid("biểu mẫu gửi lên không đọc được".into()).into())
    }
}

/// A multipart form read whole: its text fields and its files (field name, file name, bytes).
#[derive(Debug, Default)]
pub struct MultipartForm {
    pub fields: FormData,
    pub files: Vec<(String, String, Vec<u8>)>,
}

/// A multipart body. A request that is not one (another content type, no boundary) is a
/// clear error rather than axum's rejection text.
pub struct Multipart(axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Multipart {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, PageError> {
        axum::extract::Multipart::from_request(req, state)
            .await
            .map(Multipart)
            .map_err(|_| AppError::Invalid("biểu mẫu gửi lên không đọc được".into()).into())
    }
}

/// Reads a multipart form and checks its `_csrf` field. Empty file inputs are skipped.
pub async fn read_multipart(
    session: &Session,
    Multipart(mut multipart): Multipart,
) -> Result<MultipartForm, PageError> {
    let mut form = MultipartForm::default();
    let bad = |_| PageError::App(AppError::Invalid("tệp gửi lên bị lỗi hoặc quá lớn".into()));
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file_name) => {
                let bytes = field.bytes().await.map_err(bad)?;
                if !file_name.is_empty() && !bytes.is_empty() {
                    form.files.push((name, file_name, bytes.to_vec()));
                }
            }
            None => {
                let text = field.text().await.map_err(bad)?;
                form.fields.0.push((name, text));
            }
        }
    }
    session.check_csrf(&form.fields.get(CSRF_FIELD))?;
    Ok(form)
}

// ---- files --------------------------------------------------------------------------------

/// `filename*` of Content-Disposition (RFC 5987): UTF-8, percent-encoded.
fn percent_encode(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Content-Disposition with a plain ASCII fallback and the exact name in UTF-8.
pub(crate) fn disposition(name: &str) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        percent_encode(name)
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// A dossier's file as a download: its sniffed type, a safe name, never cached.
pub(crate) fn file_response(info: &cchc_app::files::AttachmentInfo, content: Vec<u8>) -> Response {
    let content_type = HeaderValue::from_str(&info.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let mut resp = (StatusCode::OK, content).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, content_type);
    h.insert(header::CONTENT_DISPOSITION, disposition(&info.file_name));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    resp
}

/// An application message as a sentence: first letter upper-cased, final full stop.
pub(crate) fn sentence(message: &str) -> String {
    let mut chars = message.trim().chars();
    let mut out: String = match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '!', '?', ')']) {
        out.push('.');
    }
    out
}

// ---- one-time secrets ---------------------------------------------------------------------

/// Lookup secrets (mã tra cứu) are stored hashed and shown once, on the receipt printed right
/// after intake. The receipt page is reached by a redirect, so the secret waits here for a few
/// minutes, keyed by the session that received the dossier.
#[derive(Default)]
pub struct SecretStash {
    entries: Mutex<HashMap<String, (Instant, String)>>,
}

const SECRET_TTL: Duration = Duration::from_secs(30 * 60);

impl SecretStash {
    pub(crate) fn put(&self, session: &Session, code: &str, secret: &str) {
        if let Ok(mut m) = self.entries.lock() {
            m.retain(|_, (at, _)| at.elapsed() < SECRET_TTL);
            m.insert(
                format!("{}|{code}", session.csrf),
                (Instant::now(), secret.to_owned()),
            );
        }
    }

    pub(crate) fn get(&self, session: &Session, code: &str) -> Option<String> {
        let m = self.entries.lock().ok()?;
        m.get(&format!("{}|{code}", session.csrf))
            .filter(|(at, _)| at.elapsed() < SECRET_TTL)
            .map(|(_, s)| s.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn origin_must_name_this_host_when_given() {
        assert!(same_origin(&headers(&[("host", "127.0.0.1:8080")])));
        assert!(same_origin(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://evil.example")
        ])));
        assert!(same_origin(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "null")
        ])));
    }

    #[test]
    fn cookies_are_read_and_written_safely() {
        let jar = cookies(&headers(&[("cookie", "a=1; cchc_session=abc ; b=2")]));
        assert_eq!(jar.get("cchc_session").map(String::as_str), Some("abc"));
        let c = cookie(SESSION_COOKIE, "tok", Some(0), true);
        let text = c.to_str().unwrap_or_default();
        assert!(text.contains("HttpOnly") && text.contains("SameSite=Lax"));
        assert!(text.contains("Secure") && text.contains("Max-Age=0"));
    }

    #[test]
    fn tokens_compare_in_constant_time_and_exactly() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn file_names_are_sent_safely() {
        let v = disposition("tờ khai \"x\".pdf");
        assert_eq!(
            v.to_str().ok(),
            Some(
                "attachment; filename=\"t_ khai _x_.pdf\"; \
                 filename*=UTF-8''t%E1%BB%9D%20khai%20%22x%22.pdf"
            )
        );
        assert_eq!(sentence("hồ sơ đã đóng"), "Hồ sơ đã đóng.");
        assert_eq!(sentence("xong."), "Xong.");
    }

    #[test]
    fn navigation_follows_the_role() {
        let links = nav_links(None, "/thu-tuc/1.2");
        assert!(links.iter().any(|l| l.href == "/thu-tuc" && l.current));
        assert!(!links.iter().any(|l| l.href == "/can-bo"));
    }
}
