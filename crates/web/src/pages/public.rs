//! Pages anyone may open: home, the procedure catalogue and a procedure, the dossier lookup
//! (also the target of the QR code on receipts), the published (closed) indicators, and signing
//! in and out.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use cchc_app::catalogue::ProcedureFilter;
use cchc_app::dossiers::PublicView;
use cchc_app::{AppError, Role};
use cchc_domain::procedure::{Channel, Fee, OnlineKind, Procedure};
use serde::Deserialize;

use super::fmt;
use super::{FormData, Layout, PageError, SESSION_COOKIE, Session, cookie, render, render_status};
use crate::AppState;
use crate::pages::Params;

pub(super) fn routes(state: &AppState) -> Router<AppState> {
    let limited = Router::new()
        .route("/tra-cuu", get(lookup_form))
        .route("/tra-cuu/{code}", get(lookup))
        .route("/dang-nhap", get(login_form).post(login))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            crate::rate_limited,
        ));
    Router::new()
        .route("/", get(home))
        .route("/thu-tuc", get(catalogue))
        .route("/thu-tuc/{code}", get(procedure))
        .route("/chi-so", get(indicators))
        .route("/dang-xuat", axum::routing::post(logout))
        .merge(limited)
}

// ---- home --------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "public/home.html")]
struct HomePage {
    layout: Layout,
}

async fn home(session: Session) -> Response {
    render(&HomePage {
        layout: session.layout("Trang chủ"),
    })
}

// ---- catalogue ---------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
struct CatalogueQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    linh_vuc: String,
    #[serde(default)]
    cap: String,
    #[serde(default)]
    muc_do: String,
    trang: Option<i64>,
}

/// A procedure as a row of the catalogue.
pub(crate) struct ProcedureItem {
    pub code: String,
    pub name: String,
    pub field: String,
    pub level: String,
    pub online: &'static str,
    pub online_class: &'static str,
}

impl ProcedureItem {
    pub(crate) fn of(p: &Procedure) -> Self {
        Self {
            code: p.code.clone(),
            name: p.name.clone(),
            field: p.field.clone(),
            level: p.level.raw.clone(),
            online: p.online_kind.label(),
            online_class: match p.online_kind {
                OnlineKind::FullyOnline => "ok",
                OnlineKind::PartlyOnline => "warn",
                OnlineKind::NotOnline => "muted",
            },
        }
    }
}

pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(crate) fn choices_of(options: &[(&str, &str)], current: &str) -> Vec<Choice> {
    options
        .iter()
        .map(|(v, l)| Choice {
            value: (*v).to_owned(),
            label: (*l).to_owned(),
            selected: *v == current,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "public/catalogue.html")]
struct CataloguePage {
    layout: Layout,
    q: String,
    fields: Vec<Choice>,
    levels: Vec<Choice>,
    kinds: Vec<Choice>,
    items: Vec<ProcedureItem>,
    total: i64,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

const PER_PAGE: i64 = 20;

async fn catalogue(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<CatalogueQuery>,
) -> Result<Response, PageError> {
    let filter = ProcedureFilter {
        field: Some(q.linh_vuc.clone()).filter(|f| !f.is_empty()),
        level: Some(q.cap.clone()).filter(|f| !f.is_empty()),
        online_kind: Some(q.muc_do.clone()).filter(|f| !f.is_empty()),
    };
    let page = q.trang.unwrap_or(1).clamp(1, 10_000);
    let result = s
        .app
        .search_procedures_filtered(&q.q, &filter, page, PER_PAGE)
        .await?;
    let fields = s.app.procedure_fields().await?;
    let mut field_options = vec![Choice {
        value: String::new(),
        label: "Tất cả lĩnh vực".into(),
        selected: q.linh_vuc.is_empty(),
    }];
    field_options.extend(fields.into_iter().map(|(f, n)| Choice {
        selected: f == q.linh_vuc,
        label: format!("{f} ({n})"),
        value: f,
    }));
    let pages = ((result.total + PER_PAGE - 1) / PER_PAGE).max(1);
    let href = |p: i64| {
        let qs = serde_urlencoded::to_string([
            ("q", q.q.as_str()),
            ("linh_vuc", q.linh_vuc.as_str()),
            ("cap", q.cap.as_str()),
            ("muc_do", q.muc_do.as_str()),
            ("trang", &p.to_string()),
        ])
        .unwrap_or_default();
        format!("/thu-tuc?{qs}")
    };
    render_ok(&CataloguePage {
        layout: session.layout("Thủ tục hành chính"),
        fields: field_options,
        levels: choices_of(
            &[
                ("", "Tất cả các cấp"),
                ("province", "Cấp tỉnh"),
                ("commune", "Cấp xã"),
                ("district", "Cấp huyện"),
                ("ministry", "Cấp bộ"),
            ],
            &q.cap,
        ),
        kinds: choices_of(
            &[
                ("", "Tất cả"),
                ("FullyOnline", "Trực tuyến toàn trình"),
                ("PartlyOnline", "Trực tuyến một phần"),
                ("NotOnline", "Không trực tuyến"),
            ],
            &q.muc_do,
        ),
        items: result.items.iter().map(ProcedureItem::of).collect(),
        total: result.total,
        page,
        pages,
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
        q: q.q.clone(),
    })
}

fn render_ok<T: Template>(t: &T) -> Result<Response, PageError> {
    Ok(render(t))
}

// ---- one procedure -----------------------------------------------------------------------

pub(crate) struct ChannelRow {
    pub name: &'static str,
    pub available: bool,
    pub limit: String,
    pub fee: String,
}

#[derive(Template)]
#[template(path = "public/procedure.html")]
struct ProcedurePage {
    layout: Layout,
    p: ProcedureItem,
    kind: String,
    decision: String,
    competent: String,
    implementing: String,
    target: String,
    channels: Vec<ChannelRow>,
    fee_bearing: bool,
    can_submit_online: bool,
    detail_url: String,
}

fn fee_text(fee: &Fee, raw: &str) -> String {
    match fee {
        Fee::None => "Không thu phí".into(),
        Fee::Amount { vnd, note } => match note {
            Some(n) if !n.is_empty() => format!("{} ({n})", fmt::money(*vnd)),
            _ => fmt::money(*vnd),
        },
        Fee::Foreign { amount, currency } => format!("{amount} {currency}"),
        Fee::Text(t) => t.clone(),
        Fee::Unknown if raw.is_empty() => "Chưa có thông tin".into(),
        Fee::Unknown => raw.to_owned(),
    }
}

/// Whether a citizen may file this procedure online: offered online, with a typed limit.
pub(crate) fn online_ready(p: &Procedure) -> bool {
    p.online_kind != OnlineKind::NotOnline && p.limit(Channel::Online).is_some()
}

async fn procedure(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let p = s.app.procedure(&code).await?;
    let channels = [Channel::Counter, Channel::Online, Channel::Post]
        .into_iter()
        .map(|c| {
            let info = p.channel(c);
            ChannelRow {
                name: c.label(),
                available: info.available,
                limit: match (&info.limit, info.limit_raw.is_empty()) {
                    (Some(l), _) => l.to_string(),
                    (None, false) => format!("{} (chưa chuẩn hóa)", info.limit_raw),
                    (None, true) => "Chưa có thông tin".into(),
                },
                fee: fee_text(&info.fee, &info.fee_raw),
            }
        })
        .collect();
    render_ok(&ProcedurePage {
        layout: session.layout(p.name.clone()),
        kind: p.kind.clone(),
        decision: p.decision.clone(),
        competent: p.competent_agency.clone(),
        implementing: p.implementing_agency.clone(),
        target: p.target_group.clone(),
        channels,
        fee_bearing: p.fee_bearing,
        can_submit_online: online_ready(&p),
        detail_url: p.detail_url.clone(),
        p: ProcedureItem::of(&p),
    })
}

// ---- lookup ------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
struct LookupQuery {
    #[serde(default)]
    ma_ho_so: String,
    #[serde(default)]
    ma: String,
}

#[derive(Template)]
#[template(path = "public/lookup.html")]
struct LookupPage {
    layout: Layout,
    code: String,
    secret: String,
    error: Option<String>,
    result: Option<LookupResult>,
}

pub(crate) struct LookupStep {
    pub at: String,
    pub label: String,
    pub unit: String,
}

pub(crate) struct LookupApology {
    pub at: String,
    pub new_due: String,
    pub reason: String,
}

pub(crate) struct LookupResult {
    pub code: String,
    pub procedure: String,
    pub status: String,
    pub submitted: String,
    pub received: String,
    pub due: String,
    pub finished: String,
    pub returned: String,
    pub late: bool,
    pub verdict: String,
    pub receiving_unit: String,
    pub current_unit: String,
    pub steps: Vec<LookupStep>,
    pub apologies: Vec<LookupApology>,
}

impl LookupResult {
    fn of(v: PublicView) -> Self {
        Self {
            code: v.code,
            procedure: format!("{} ({})", v.procedure_name, v.procedure_code),
            status: v.status_label.to_owned(),
            submitted: fmt::datetime(&v.submitted_at),
            received: fmt::opt_datetime(v.received_at.as_deref()),
            due: fmt::opt_datetime(v.due.as_deref()),
            finished: fmt::opt_datetime(v.finished_at.as_deref()),
            returned: fmt::opt_datetime(v.returned_at.as_deref()),
            late: v.late,
            verdict: v.verdict.map(|x| x.label().to_owned()).unwrap_or_default(),
            receiving_unit: v.receiving_unit,
            current_unit: v.current_unit,
            steps: v
                .steps
                .into_iter()
                .map(|s| LookupStep {
                    at: fmt::datetime(&s.at),
                    label: s.label.to_owned(),
                    unit: s.unit_name,
                })
                .collect(),
            apologies: v
                .apologies
                .into_iter()
                .map(|a| LookupApology {
                    at: fmt::datetime(&a.at),
                    new_due: fmt::datetime(&a.new_due),
                    reason: a.reason,
                })
                .collect(),
        }
    }
}

async fn lookup_form(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<LookupQuery>,
) -> Response {
    if q.ma_ho_so.is_empty() && q.ma.is_empty() {
        return render(&LookupPage {
            layout: session.layout("Tra cứu hồ sơ"),
            code: String::new(),
            secret: String::new(),
            error: None,
            result: None,
        });
    }
    lookup_page(&s, &session, q.ma_ho_so.trim(), q.ma.trim()).await
}

async fn lookup(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    Params(q): Params<LookupQuery>,
) -> Response {
    lookup_page(&s, &session, code.trim(), q.ma.trim()).await
}

async fn lookup_page(s: &AppState, session: &Session, code: &str, secret: &str) -> Response {
    let mut page = LookupPage {
        layout: session.layout("Tra cứu hồ sơ"),
        code: code.to_owned(),
        secret: secret.to_owned(),
        error: None,
        result: None,
    };
    if code.is_empty() || secret.is_empty() {
        page.error = Some("Nhập cả mã hồ sơ và mã tra cứu in trên giấy tiếp nhận.".into());
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    match s.app.public_lookup(code, secret).await {
        Ok(v) => {
            page.layout.title = format!("Hồ sơ {}", v.code);
            page.result = Some(LookupResult::of(v));
            render(&page)
        }
        Err(AppError::NotFound(_)) => {
            page.error = Some(
                "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này. Kiểm tra lại giấy tiếp nhận."
                    .into(),
            );
            render_status(StatusCode::NOT_FOUND, &page)
        }
        Err(e) => PageError::from(e).into_response(),
    }
}

// ---- published indicators ----------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
struct PublishedQuery {
    /// A closed period (`2025-Q3`); `quy` is the older name of the parameter.
    #[serde(alias = "quy")]
    ky: Option<String>,
    #[serde(default)]
    loai: String,
}

/// The indicators shown beside the score on the public page.
const MAIN_INDICATORS: [&str; 4] = ["2.1", "3.3", "3.6", "5.4"];

pub(crate) struct PublishedRow {
    pub rank: String,
    pub unit: String,
    pub score: String,
    pub main: Vec<String>,
    pub volume: String,
}

#[derive(Template)]
#[template(path = "public/indicators.html")]
struct IndicatorsPage {
    layout: Layout,
    periods: Vec<Choice>,
    kinds: Vec<super::indicators::Choice>,
    chosen: Option<String>,
    period_range: String,
    published_on: String,
    main_names: Vec<String>,
    ranked: Vec<PublishedRow>,
    unranked: Vec<PublishedRow>,
    min_volume: i64,
}

/// The published (closed) periods only: each unit's score and main indicators from the
/// frozen figures, no personal data and no dossier lists.
async fn indicators(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<PublishedQuery>,
) -> Result<Response, PageError> {
    use super::indicators::{count, kind_choices, kind_of, percent_text, score_text};
    use cchc_app::indicators::MIN_RANK_VOLUME;
    use cchc_domain::indicator::Period;

    let asked = match q.ky.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Some(
            t.parse::<Period>()
                .map_err(|e| AppError::Invalid(e.to_string()))?,
        ),
        None => None,
    };
    let kind = kind_of(&q.loai)?;
    let mut closed: Vec<(Period, String)> = s
        .app
        .closed_periods()
        .await?
        .into_iter()
        .filter_map(|(k, at, _)| k.parse::<Period>().ok().map(|p| (p, at)))
        .collect();
    closed.sort_by(|a, b| b.0.last.cmp(&a.0.last).then(b.0.first.cmp(&a.0.first)));
    let chosen = match asked {
        Some(p) => Some(
            closed
                .iter()
                .find(|(c, _)| *c == p)
                .cloned()
                .ok_or_else(|| {
                    AppError::NotFound(format!("số liệu đã công bố của {}", p.label()))
                })?,
        ),
        None => closed.first().cloned(),
    };
    let mut page = IndicatorsPage {
        layout: session.layout("Chỉ số phục vụ người dân, doanh nghiệp"),
        periods: closed
            .iter()
            .map(|(p, _)| Choice {
                value: p.to_string(),
                label: p.label(),
                selected: chosen.as_ref().is_some_and(|(c, _)| c == p),
            })
            .collect(),
        kinds: kind_choices(&q.loai, true),
        chosen: None,
        period_range: String::new(),
        published_on: String::new(),
        main_names: Vec::new(),
        ranked: Vec::new(),
        unranked: Vec::new(),
        min_volume: MIN_RANK_VOLUME,
    };
    let Some((period, at)) = chosen else {
        return render_ok(&page);
    };
    let set = s.app.indicator_set(&period);
    page.main_names = MAIN_INDICATORS
        .iter()
        .map(|c| {
            set.indicator(c)
                .map_or_else(|| (*c).to_owned(), |d| format!("{c}. {}", d.name))
        })
        .collect();
    let table = s
        .app
        .published_table(&period, kind, &MAIN_INDICATORS, MIN_RANK_VOLUME)
        .await?;
    for r in &table {
        let row = PublishedRow {
            rank: match (r.row.rank, r.row.tied) {
                (Some(n), true) => format!("={n}"),
                (Some(n), false) => n.to_string(),
                (None, _) => "—".into(),
            },
            unit: r.unit_name.clone(),
            score: score_text(r.row.score),
            main: r.values.iter().map(|v| percent_text(*v)).collect(),
            volume: count(r.row.volume),
        };
        if r.row.rank.is_some() {
            page.ranked.push(row);
        } else {
            page.unranked.push(row);
        }
    }
    page.chosen = Some(period.label());
    page.period_range = super::indicators::period_range(&period);
    page.published_on = fmt::date(&at);
    page.layout.title = format!("Chỉ số phục vụ {}", period.label());
    render_ok(&page)
}

// ---- signing in and out ------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
struct NextQuery {
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "public/login.html")]
struct LoginPage {
    layout: Layout,
    username: String,
    next: String,
    error: Option<String>,
}

/// Only paths on this site (no `//host`, no scheme) may be gone back to. Browsers drop tabs
/// and line breaks from a `Location` (`/<TAB>/evil.example` is `//evil.example`) and a line
/// break cannot be sent in a header at all, so a path with any whitespace or control
/// character is refused too.
fn safe_next(next: &str) -> Option<String> {
    (next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_whitespace() || c.is_control()))
    .then(|| next.to_owned())
}

fn home_of(role: Role) -> &'static str {
    match role {
        Role::Citizen => "/cong-dan",
        Role::Officer => "/can-bo",
        Role::Leader => "/lanh-dao",
        Role::Admin => "/quan-tri",
    }
}

async fn login_form(session: Session, Params(q): Params<NextQuery>) -> Response {
    if let Some(p) = &session.principal {
        return Redirect::to(home_of(p.role)).into_response();
    }
    render(&LoginPage {
        layout: session.layout("Đăng nhập"),
        username: String::new(),
        next: q.next.and_then(|n| safe_next(&n)).unwrap_or_default(),
        error: None,
    })
}

async fn login(State(s): State<AppState>, session: Session, form: FormData) -> Response {
    let username = form.get("username");
    let password = form
        .0
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.clone());
    let next = safe_next(&form.get("next"));
    let fail = |message: &str| {
        render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &LoginPage {
                layout: session.layout("Đăng nhập"),
                username: username.clone(),
                next: next.clone().unwrap_or_default(),
                error: Some(message.to_owned()),
            },
        )
    };
    let Some(password) = password.filter(|p| !p.is_empty()) else {
        return fail("Nhập tên đăng nhập và mật khẩu.");
    };
    if username.is_empty() {
        return fail("Nhập tên đăng nhập và mật khẩu.");
    }
    match s.app.login(&username, &password).await {
        Ok(token) => {
            // A new session replaces any old one on this browser.
            if let Some(old) = session.token() {
                let _ = s.app.logout(old).await;
            }
            let to = next.unwrap_or_else(|| home_of(token.principal.role).to_owned());
            let mut resp = Redirect::to(&to).into_response();
            resp.headers_mut().append(
                header::SET_COOKIE,
                cookie(SESSION_COOKIE, &token.token, None, s.config.secure_cookies),
            );
            resp
        }
        Err(AppError::Unauthenticated | AppError::Invalid(_)) => {
            fail("Tên đăng nhập hoặc mật khẩu không đúng.")
        }
        Err(e) => PageError::from(e).into_response(),
    }
}

async fn logout(State(s): State<AppState>, session: Session) -> Response {
    if let Some(t) = session.token() {
        let _ = s.app.logout(t).await;
    }
    let mut resp = super::flash_redirect("/", "Bạn đã đăng xuất.");
    resp.headers_mut().append(
        header::SET_COOKIE,
        cookie(SESSION_COOKIE, "", Some(0), s.config.secure_cookies),
    );
    resp.headers_mut()
        .insert("clear-site-data", HeaderValue::from_static("\"cache\""));
    resp
}
