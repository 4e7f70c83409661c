//! Citizen feedback (phản ánh, kiến nghị — PAKN) pages: the public form to send one (with
//! files, rate-limited), the receipt with its code and secret, following by code and secret
//! (add information when asked, rate the answer), a citizen's own list, the published answers
//! (searchable), and for staff the board (harassment flagged, overdue, open, to publish) and
//! a PAKN's page with the actions the caller may take (classify and forward, refuse, ask for
//! information, answer, publish). Every rule and scope check is the app's (`cchc_app::pakn`).
//!
//! Query parameters: `ma` (code), `bi-mat` (secret), `q`, `thu-tuc`, `don-vi`.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cchc_app::files::Upload;
use cchc_app::pakn::{Follower, NewPakn, PaknSummary, PaknView};
use cchc_app::{AppError, Principal, Role};
use cchc_domain::calendar::{fmt_date, fmt_datetime};
use cchc_domain::pakn::{Category, SubjectKind};
use serde::Deserialize;

use super::{
    FormData, Layout, Multipart, PageError, Params, Session, UploadSession, file_response,
    flash_redirect, read_multipart, render, render_status, sentence,
};
use crate::AppState;

const BASE: &str = "/phan-anh";

pub(super) fn routes(state: &AppState) -> Router<AppState> {
    let upload_limit = DefaultBodyLimit::max(state.config.max_upload_bytes);
    let limited = Router::new()
        .route(BASE, post(submit).layer(upload_limit))
        .route("/phan-anh/tra-cuu", get(follow))
        .route("/phan-anh/{code}/bo-sung", post(provide))
        .route("/phan-anh/{code}/danh-gia", post(rate))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            crate::rate_limited,
        ));
    Router::new()
        .route(BASE, get(form))
        .route("/phan-anh/da-gui/{code}", get(receipt))
        .route("/phan-anh/cong-khai", get(published))
        .route("/phan-anh/cua-toi", get(mine))
        .route("/phan-anh/quan-ly", get(board))
        .route("/phan-anh/quan-ly/{code}", get(staff_page))
        .route("/phan-anh/quan-ly/{code}/{action}", post(staff_action))
        .route("/phan-anh/tep/{code}/{id}", get(download))
        .merge(limited)
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

fn categories(selected: &str) -> Vec<Choice> {
    Category::ALL
        .iter()
        .map(|c| Choice {
            value: c.code().to_owned(),
            label: c.label().to_owned(),
            selected: c.code() == selected,
        })
        .collect()
}

fn subjects(selected: &str) -> Vec<Choice> {
    SubjectKind::ALL
        .iter()
        .map(|c| Choice {
            value: c.code().to_owned(),
            label: c.label().to_owned(),
            selected: c.code() == selected,
        })
        .collect()
}

// ---- submit --------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "pakn/submit.html")]
struct SubmitPage {
    layout: Layout,
    error: Option<String>,
    signed_in: bool,
    categories: Vec<Choice>,
    subjects: Vec<Choice>,
    unit: String,
    procedure: String,
    dossier: String,
    body: String,
    name: String,
    phone: String,
    email: String,
    consent: bool,
}

fn submit_page(session: &Session, input: &NewPakn, error: Option<String>) -> SubmitPage {
    SubmitPage {
        layout: session.layout("Gửi phản ánh, kiến nghị"),
        error,
        signed_in: session.principal.is_some(),
        categories: categories(&input.category),
        subjects: subjects(if input.subject.is_empty() {
            "don-vi"
        } else {
            &input.subject
        }),
        unit: input.unit.clone(),
        procedure: input.procedure.clone(),
        dossier: input.dossier.clone(),
        body: input.body.clone(),
        name: input.name.clone(),
        phone: input.phone.clone(),
        email: input.email.clone(),
        consent: input.consent,
    }
}

#[derive(Deserialize, Default)]
struct FormQuery {
    #[serde(rename = "don-vi", default)]
    don_vi: String,
    #[serde(rename = "thu-tuc", default)]
    thu_tuc: String,
    #[serde(rename = "ho-so", default)]
    ho_so: String,
}

async fn form(session: Session, Params(q): Params<FormQuery>) -> Response {
    let input = NewPakn {
        unit: q.don_vi,
        procedure: q.thu_tuc,
        dossier: q.ho_so,
        consent: true,
        ..NewPakn::default()
    };
    render(&submit_page(&session, &input, None))
}

async fn submit(
    State(s): State<AppState>,
    UploadSession(session): UploadSession,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let form = read_multipart(&session, multipart).await?;
    let f = &form.fields;
    let input = NewPakn {
        category: f.get("loai"),
        subject: f.get("doi-tuong"),
        procedure: f.get("thu-tuc"),
        dossier: f.get("ho-so"),
        unit: f.get("don-vi"),
        body: f.get("noi-dung"),
        name: f.get("ho-ten"),
        phone: f.get("dien-thoai"),
        email: f.get("thu-dien-tu"),
        consent: f.get("cong-khai") == "co",
    };
    let uploads = form
        .files
        .into_iter()
        .filter(|(field, _, _)| field == "tep")
        .map(|(_, file_name, content)| Upload {
            component: "Tài liệu kèm phản ánh".into(),
            file_name,
            content,
        })
        .collect();
    let who = session.principal.as_ref();
    match s.app.submit_pakn(who, input.clone(), uploads).await {
        Ok(r) => {
            s.secrets.put(&session, &r.code, &r.secret);
            Ok(flash_redirect(
                &format!("{BASE}/da-gui/{}", r.code),
                "Đã gửi phản ánh, kiến nghị.",
            ))
        }
        Err(AppError::Invalid(m) | AppError::NotFound(m)) => Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &submit_page(&session, &input, Some(sentence(&m))),
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "pakn/receipt.html")]
struct ReceiptPage {
    layout: Layout,
    code: String,
    secret: Option<String>,
    follow_href: String,
}

async fn receipt(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Response {
    let secret = s.secrets.get(&session, &code);
    let follow_href = match &secret {
        Some(sec) => format!(
            "{BASE}/tra-cuu?{}",
            serde_urlencoded::to_string([("ma", code.as_str()), ("bi-mat", sec.as_str())])
                .unwrap_or_default()
        ),
        None => format!("{BASE}/tra-cuu"),
    };
    render(&ReceiptPage {
        layout: session.layout(format!("Đã gửi phản ánh {code}")),
        code,
        secret,
        follow_href,
    })
}

// ---- one PAKN (follower and staff) -----------------------------------------------------------

struct StepView {
    at: String,
    label: &'static str,
    by: String,
    text: String,
}

struct DeadlineRow {
    label: &'static str,
    rule: String,
    due: String,
    passed: bool,
    steps: Vec<String>,
}

struct FileView {
    name: String,
    href: String,
}

struct Detail {
    code: String,
    status: &'static str,
    category: &'static str,
    submitted_category: &'static str,
    subject: &'static str,
    procedure: String,
    dossier: String,
    unit_name: String,
    named_unit_name: String,
    flagged: bool,
    body: String,
    consent: bool,
    received_at: String,
    answer: Option<String>,
    refusal: Option<String>,
    question: Option<String>,
    current: Option<DeadlineRow>,
    overdue: bool,
    deadlines: Vec<DeadlineRow>,
    history: Vec<StepView>,
    files: Vec<FileView>,
    rating: Option<u8>,
    contact_name: Option<String>,
    contact_phone: Option<String>,
    contact_email: Option<String>,
    may_forward: bool,
    may_refuse: bool,
    may_ask: bool,
    may_answer: bool,
    may_publish: bool,
    may_provide: bool,
    may_rate: bool,
    unit_id: String,
    procedure_code: String,
}

fn deadline_row(d: &cchc_app::pakn::DeadlineView) -> DeadlineRow {
    DeadlineRow {
        label: d.label,
        rule: d.rule.clone(),
        due: d
            .due
            .map_or_else(|| "tạm dừng (chờ người gửi)".to_owned(), fmt_datetime),
        passed: d.passed,
        steps: d.steps.iter().map(|s| s.text.clone()).collect(),
    }
}

fn detail(v: &PaknView, secret: Option<&str>) -> Detail {
    let st = &v.state;
    let file_q = secret
        .map(|s| {
            format!(
                "?{}",
                serde_urlencoded::to_string([("bi-mat", s)]).unwrap_or_default()
            )
        })
        .unwrap_or_default();
    Detail {
        code: v.code.clone(),
        status: st.status.label(),
        category: st.category.label(),
        submitted_category: st.submitted_category.label(),
        subject: st.subject.label(),
        procedure: st.procedure.clone().unwrap_or_default(),
        dossier: st.dossier.clone().unwrap_or_default(),
        unit_name: v.unit_name.clone(),
        named_unit_name: v.named_unit_name.clone(),
        flagged: v.flagged,
        body: st.body.clone(),
        consent: st.consent,
        received_at: fmt_datetime(st.received_at),
        answer: st.answer.clone(),
        refusal: st.refusal.clone(),
        question: st
            .pauses
            .last()
            .filter(|p| p.end.is_none())
            .map(|p| p.question.clone()),
        current: v.current.as_ref().map(deadline_row),
        overdue: v.overdue,
        deadlines: v.deadlines.iter().map(deadline_row).collect(),
        history: v
            .history
            .iter()
            .map(|h| StepView {
                at: fmt_datetime(h.at),
                label: h.label,
                by: h.by.clone(),
                text: h.text.clone(),
            })
            .collect(),
        files: v
            .files
            .iter()
            .map(|f| FileView {
                name: f.file_name.clone(),
                href: format!("{BASE}/tep/{}/{}{file_q}", v.code, f.id),
            })
            .collect(),
        rating: st.rating,
        contact_name: v.contact_name.clone(),
        contact_phone: v.contact_phone.clone(),
        contact_email: v.contact_email.clone(),
        may_forward: v.may_forward,
        may_refuse: v.may_refuse,
        may_ask: v.may_ask,
        may_answer: v.may_answer,
        may_publish: v.may_publish,
        may_provide: v.may_provide,
        may_rate: v.may_rate,
        unit_id: st.unit.clone(),
        procedure_code: st.procedure.clone().unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "pakn/detail.html")]
struct DetailPage {
    layout: Layout,
    d: Detail,
    /// The follower's secret, carried in the follower's forms (empty for staff and owners).
    secret: String,
    staff: bool,
    error: Option<String>,
    categories: Vec<Choice>,
    back_href: String,
}

#[derive(Template)]
#[template(path = "pakn/follow.html")]
struct FollowForm {
    layout: Layout,
    code: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct FollowQuery {
    #[serde(default)]
    ma: String,
    #[serde(rename = "bi-mat", default)]
    bi_mat: String,
}

async fn follow(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<FollowQuery>,
) -> Response {
    let code = q.ma.trim().to_uppercase();
    let secret = q.bi_mat.trim().to_owned();
    if code.is_empty() && secret.is_empty() {
        return render(&FollowForm {
            layout: session.layout("Theo dõi phản ánh, kiến nghị"),
            code,
            error: None,
        });
    }
    follow_page(&s, &session, &code, &secret, None).await
}

async fn follow_page(
    s: &AppState,
    session: &Session,
    code: &str,
    secret: &str,
    error: Option<String>,
) -> Response {
    let owner = session
        .principal
        .as_ref()
        .filter(|p| p.role == Role::Citizen && secret.is_empty());
    let result = match owner {
        Some(p) => s.app.pakn_view(p, code).await,
        None => s.app.pakn_follow(code, Follower::Secret(secret)).await,
    };
    match result {
        Ok(v) => {
            let status = if error.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            render_status(
                status,
                &DetailPage {
                    layout: session.layout(format!("Phản ánh {}", v.code)),
                    d: detail(&v, (!secret.is_empty()).then_some(secret)),
                    secret: secret.to_owned(),
                    staff: false,
                    error,
                    categories: Vec::new(),
                    back_href: format!("{BASE}/tra-cuu"),
                },
            )
        }
        Err(AppError::NotFound(_) | AppError::Invalid(_)) => render_status(
            StatusCode::NOT_FOUND,
            &FollowForm {
                layout: session.layout("Theo dõi phản ánh, kiến nghị"),
                code: code.to_owned(),
                error: Some(
                    "Không tìm thấy phản ánh với mã và mã bí mật này. Kiểm tra lại phiếu đã nhận khi gửi."
                        .into(),
                ),
            },
        ),
        Err(e) => PageError::from(e).into_response(),
    }
}

fn follower<'a>(session: &'a Session, secret: &'a str) -> Follower<'a> {
    match session.principal.as_ref() {
        Some(p) if secret.is_empty() => Follower::Account(p),
        _ => Follower::Secret(secret),
    }
}

fn follow_href(code: &str, secret: &str) -> String {
    if secret.is_empty() {
        format!(
            "{BASE}/tra-cuu?{}",
            serde_urlencoded::to_string([("ma", code)]).unwrap_or_default()
        )
    } else {
        format!(
            "{BASE}/tra-cuu?{}",
            serde_urlencoded::to_string([("ma", code), ("bi-mat", secret)]).unwrap_or_default()
        )
    }
}

async fn provide(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    form: FormData,
) -> Response {
    let secret = form.get("bi-mat");
    let done = s
        .app
        .pakn_provide_info(
            follower(&session, &secret),
            &code,
            &form.get("noi-dung"),
            Vec::new(),
        )
        .await;
    follower_done(
        &s,
        &session,
        &code,
        &secret,
        done,
        "Đã gửi thông tin bổ sung.",
    )
    .await
}

/// After a follower's form: back to the follow page with a message, or the page again with
/// the reason it was refused.
async fn follower_done(
    s: &AppState,
    session: &Session,
    code: &str,
    secret: &str,
    done: cchc_app::Result<()>,
    message: &str,
) -> Response {
    match done {
        Ok(()) => flash_redirect(&follow_href(code, secret), message),
        Err(AppError::Invalid(m)) => {
            follow_page(s, session, code, secret, Some(sentence(&m))).await
        }
        Err(e) => PageError::from(e).into_response(),
    }
}

async fn rate(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    form: FormData,
) -> Response {
    let secret = form.get("bi-mat");
    let done = s
        .app
        .pakn_rate(
            follower(&session, &secret),
            &code,
            &form.get("diem"),
            &form.get("nhan-xet"),
        )
        .await;
    follower_done(
        &s,
        &session,
        &code,
        &secret,
        done,
        "Cảm ơn bạn đã đánh giá.",
    )
    .await
}

#[derive(Deserialize, Default)]
struct FileQuery {
    #[serde(rename = "bi-mat")]
    bi_mat: Option<String>,
}

async fn download(
    State(s): State<AppState>,
    session: Session,
    Path((code, id)): Path<(String, String)>,
    Params(q): Params<FileQuery>,
) -> Result<Response, PageError> {
    let (info, content) = s
        .app
        .pakn_file(session.principal.as_ref(), q.bi_mat.as_deref(), &code, &id)
        .await?;
    let info = cchc_app::files::AttachmentInfo {
        id: info.id,
        dossier_code: info.code,
        uploaded_by: String::new(),
        component: "Tài liệu kèm phản ánh".into(),
        file_name: info.file_name,
        content_type: info.content_type,
        size_bytes: info.size_bytes,
        sha256: info.sha256,
        event_seq: info.seq,
        uploaded_at: info.uploaded_at,
    };
    Ok(file_response(&info, content))
}

// ---- staff -----------------------------------------------------------------------------------

fn staff(session: &Session) -> Result<&Principal, PageError> {
    session.require_role(&[Role::Officer, Role::Leader, Role::Admin])
}

async fn staff_page(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    staff_detail(&s, &session, who, &code, None).await
}

async fn staff_detail(
    s: &AppState,
    session: &Session,
    who: &Principal,
    code: &str,
    error: Option<String>,
) -> Result<Response, PageError> {
    let v = s.app.pakn_view(who, code).await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render_status(
        status,
        &DetailPage {
            layout: session.layout(format!("Phản ánh {}", v.code)),
            categories: categories(v.state.category.code()),
            d: detail(&v, None),
            secret: String::new(),
            staff: true,
            error,
            back_href: format!("{BASE}/quan-ly"),
        },
    ))
}

async fn staff_action(
    State(s): State<AppState>,
    session: Session,
    Path((code, action)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let app = &s.app;
    let (result, done) = match action.as_str() {
        "chuyen" => (
            app.pakn_forward(
                who,
                &code,
                &form.get("loai"),
                &form.get("thu-tuc"),
                &form.get("don-vi"),
                &form.get("ghi-chu"),
            )
            .await
            .map(|_| ()),
            "Đã phân loại và chuyển đơn vị xử lý.",
        ),
        "tu-choi" => (
            app.pakn_refuse(who, &code, &form.get("ly-do")).await,
            "Đã từ chối xử lý phản ánh.",
        ),
        "yeu-cau-bo-sung" => (
            app.pakn_ask_info(who, &code, &form.get("noi-dung")).await,
            "Đã gửi đề nghị bổ sung thông tin.",
        ),
        "tra-loi" => (
            app.pakn_answer(who, &code, &form.get("tra-loi")).await,
            "Đã gửi trả lời.",
        ),
        "cong-khai" => (
            app.pakn_publish(who, &code, &form.get("cau-hoi"), &form.get("tra-loi"))
                .await,
            "Đã công khai trả lời.",
        ),
        _ => return Err(AppError::NotFound("trang này".into()).into()),
    };
    match result {
        Ok(()) => Ok(flash_redirect(&format!("{BASE}/quan-ly/{code}"), done)),
        Err(AppError::Invalid(m)) => {
            staff_detail(&s, &session, who, &code, Some(sentence(&m))).await
        }
        Err(e) => Err(e.into()),
    }
}

struct SummaryRow {
    code: String,
    href: String,
    category: &'static str,
    status: &'static str,
    unit: String,
    received: String,
    due: String,
    overdue: bool,
    flagged: bool,
    excerpt: String,
}

fn summary_row(s: &PaknSummary, href: String) -> SummaryRow {
    SummaryRow {
        code: s.code.clone(),
        href,
        category: s.category.label(),
        status: s.status.label(),
        unit: s.unit_name.clone(),
        received: fmt_datetime(s.received_at),
        due: s.current_due.map_or_else(|| "—".to_owned(), fmt_datetime),
        overdue: s.overdue,
        flagged: s.flagged,
        excerpt: s.excerpt.clone(),
    }
}

fn staff_rows(list: &[PaknSummary]) -> Vec<SummaryRow> {
    list.iter()
        .map(|s| summary_row(s, format!("{BASE}/quan-ly/{}", s.code)))
        .collect()
}

#[derive(Template)]
#[template(path = "pakn/board.html")]
struct BoardPage {
    layout: Layout,
    unit_name: String,
    unit_id: String,
    today: String,
    flagged: Vec<SummaryRow>,
    overdue: Vec<SummaryRow>,
    open: Vec<SummaryRow>,
    to_publish: Vec<SummaryRow>,
}

#[derive(Deserialize, Default)]
struct UnitQuery {
    #[serde(rename = "don-vi")]
    don_vi: Option<String>,
}

async fn board(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<UnitQuery>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let b = s.app.pakn_board(who, q.don_vi.as_deref()).await?;
    Ok(render(&BoardPage {
        layout: session.layout("Phản ánh, kiến nghị: bảng theo dõi"),
        unit_id: b.unit.clone().unwrap_or_default(),
        unit_name: b.unit_name.clone(),
        today: fmt_date(b.now.date()),
        flagged: staff_rows(&b.flagged),
        overdue: staff_rows(&b.overdue),
        open: staff_rows(&b.open),
        to_publish: staff_rows(&b.to_publish),
    }))
}

// ---- public lists ----------------------------------------------------------------------------

struct PublishedRow {
    code: String,
    category: &'static str,
    unit: String,
    procedure: String,
    received: String,
    published: String,
    question: String,
    answer: String,
    rating: String,
}

#[derive(Template)]
#[template(path = "pakn/published.html")]
struct PublishedPage {
    layout: Layout,
    q: String,
    procedure: String,
    unit: String,
    rows: Vec<PublishedRow>,
}

#[derive(Deserialize, Default)]
struct PublishedQuery {
    #[serde(default)]
    q: String,
    #[serde(rename = "thu-tuc", default)]
    thu_tuc: String,
    #[serde(rename = "don-vi", default)]
    don_vi: String,
}

async fn published(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<PublishedQuery>,
) -> Result<Response, PageError> {
    let list = s
        .app
        .pakn_published(&q.q, Some(&q.thu_tuc), Some(&q.don_vi))
        .await?;
    Ok(render(&PublishedPage {
        layout: session.layout("Trả lời phản ánh, kiến nghị đã công khai"),
        rows: list
            .into_iter()
            .map(|p| PublishedRow {
                code: p.code,
                category: p.category.label(),
                unit: p.unit_name,
                procedure: match (p.procedure_code, p.procedure_name) {
                    (Some(c), Some(n)) => format!("{c} {n}"),
                    (Some(c), None) => c,
                    _ => String::new(),
                },
                received: fmt_date(p.received_at.date()),
                published: fmt_date(p.published_at.date()),
                question: p.question,
                answer: p.answer,
                rating: p.rating.map(|r| format!("{r}/5")).unwrap_or_default(),
            })
            .collect(),
        q: q.q,
        procedure: q.thu_tuc,
        unit: q.don_vi,
    }))
}

#[derive(Template)]
#[template(path = "pakn/mine.html")]
struct MinePage {
    layout: Layout,
    rows: Vec<SummaryRow>,
}

async fn mine(State(s): State<AppState>, session: Session) -> Result<Response, PageError> {
    let who = session.require_role(&[Role::Citizen])?;
    let list = s.app.my_pakn(who).await?;
    Ok(render(&MinePage {
        layout: session.layout("Phản ánh, kiến nghị của tôi"),
        rows: list
            .iter()
            .map(|p| summary_row(p, follow_href(&p.code, "")))
            .collect(),
    }))
}
