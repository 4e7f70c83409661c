//! Documents of the emulation movement: the proposal of a nomination list as DOCX (the whole
//! dossier, the letter, the council's minutes, a nominee's achievement report) and as a
//! printable page; the signed decision uploaded for a list (with the rewards it grants); the
//! decision documents of discipline, initiatives and rewards; and the evaluation as JSON.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use cchc_app::emulation::RecordTable;
use cchc_app::emulation::{Evaluation, ProposalDoc};
use cchc_app::files::Upload;
use cchc_app::proposal_docs::{NomineeKind, ProposalInput, place_date};
use cchc_app::{AppError, Principal};
use serde::Deserialize;
use serde_json::json;

use super::{kind_of, movement_href, staff, year_of};
use crate::pages::Multipart;
use crate::pages::{
    Layout, PageError, Params, Session, UploadSession, disposition, flash_redirect, read_multipart,
    render, sentence,
};
use crate::{ApiError, AppState};

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    #[serde(rename = "hinh-thuc")]
    hinh_thuc: Option<String>,
    #[serde(rename = "noi-ky")]
    noi_ky: Option<String>,
    #[serde(rename = "tai-lieu")]
    tai_lieu: Option<String>,
    #[serde(rename = "doi-tuong")]
    doi_tuong: Option<String>,
}

fn need(v: Option<&str>, what: &str) -> Result<String, AppError> {
    v.map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| AppError::Invalid(format!("thiếu tham số {what}")))
}

/// A file to download, never cached.
fn download(name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let mut resp = (StatusCode::OK, bytes).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::CONTENT_DISPOSITION, disposition(name));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    resp
}

/// The current evaluation of a movement's year, or a 404.
async fn current(
    s: &AppState,
    who: &Principal,
    code: &str,
    year: i16,
) -> Result<Evaluation, AppError> {
    s.app
        .evaluation(who, code, year)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("kết quả đánh giá năm {year}")))
}

pub(super) async fn proposal(
    State(s): State<AppState>,
    session: Session,
    Path((code, nam)): Path<(String, String)>,
    Params(q): Params<ListQuery>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let year = year_of(&nam)?;
    let form = need(q.hinh_thuc.as_deref(), "hình thức khen thưởng (hinh-thuc)")?;
    let issuer = need(q.noi_ky.as_deref(), "thẩm quyền khen thưởng (noi-ky)")?;
    let doc = match q.tai_lieu.as_deref().map(str::trim).unwrap_or("ho-so") {
        "" | "ho-so" => ProposalDoc::Bundle,
        "to-trinh" => ProposalDoc::Letter,
        "bien-ban" => ProposalDoc::Minutes,
        "bao-cao" => {
            let subject = need(q.doi_tuong.as_deref(), "đối tượng (doi-tuong)")?;
            let (kind, id) = subject.split_once(':').ok_or_else(|| {
                AppError::Invalid("đối tượng phải có dạng tap-the:MÃ hoặc ca-nhan:MÃ".into())
            })?;
            ProposalDoc::Report(kind_of(kind)?, id.to_owned())
        }
        other => {
            return Err(AppError::Invalid(format!(
                "tài liệu «{other}» không có (ho-so, to-trinh, bien-ban, bao-cao)"
            ))
            .into());
        }
    };
    let e = current(&s, who, &code, year).await?;
    let (name, bytes) = s
        .app
        .proposal_document(who, &e.run, &form, &issuer, &doc)
        .await?;
    Ok(download(&name, DOCX, bytes))
}

/// The year's results as an Excel workbook (units, staff, nomination lists), as the caller
/// may see them.
pub(super) async fn workbook(
    State(s): State<AppState>,
    session: Session,
    Path((code, nam)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let year = year_of(&nam)?;
    let e = current(&s, who, &code, year).await?;
    let bytes = e.to_xlsx()?;
    Ok(download(
        &format!("ket-qua-binh-xet-{code}-{year}.xlsx"),
        XLSX,
        bytes,
    ))
}

struct PrintNominee {
    kind: &'static str,
    name: String,
    detail: String,
    criteria: Vec<(String, String, String)>,
    adjustment: Option<String>,
}

#[derive(Template)]
#[template(path = "emulation/print.html")]
struct PrintPage {
    layout: Layout,
    p: ProposalInput,
    place_date: String,
    nominees: Vec<PrintNominee>,
    back_href: String,
}

pub(super) async fn printable(
    State(s): State<AppState>,
    session: Session,
    Path((code, nam)): Path<(String, String)>,
    Params(q): Params<ListQuery>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let year = year_of(&nam)?;
    let form = need(q.hinh_thuc.as_deref(), "hình thức khen thưởng (hinh-thuc)")?;
    let issuer = need(q.noi_ky.as_deref(), "thẩm quyền khen thưởng (noi-ky)")?;
    let m = s.app.movement(who, &code).await?;
    let e = current(&s, who, &code, year).await?;
    if !e.is_approved() {
        return Err(
            AppError::Invalid("cần phê duyệt danh sách trước khi in hồ sơ đề nghị".into()).into(),
        );
    }
    let p = e.proposal_input(&m, &form, &issuer, s.app.now().date())?;
    let nominees = p
        .nominees
        .iter()
        .map(|n| PrintNominee {
            kind: match n.kind {
                NomineeKind::Collective => "Tập thể",
                NomineeKind::Individual => "Cá nhân",
            },
            name: n.name.clone(),
            detail: match &n.title {
                Some(t) if !t.is_empty() => format!("{t}, {}", n.unit_name),
                _ => n.unit_name.clone(),
            },
            criteria: n
                .criteria
                .iter()
                .map(|c| (c.label.clone(), c.verdict.clone(), c.detail.clone()))
                .collect(),
            adjustment: n.adjustment.clone(),
        })
        .collect();
    Ok(render(&PrintPage {
        layout: session.layout(format!("Danh sách đề nghị {} năm {year}", p.reward_form)),
        place_date: place_date(&p.place, p.date),
        nominees,
        back_href: movement_href(&code, year),
        p,
    }))
}

pub(super) async fn decision(
    State(s): State<AppState>,
    UploadSession(session): UploadSession,
    Path((code, nam)): Path<(String, String)>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let form = read_multipart(&session, multipart).await?;
    let who = staff(&session)?;
    let year = year_of(&nam)?;
    let f = &form.fields;
    let e = current(&s, who, &code, year).await?;
    let upload = form
        .files
        .into_iter()
        .find(|(field, _, _)| field == "tep")
        .map(|(_, file_name, content)| Upload {
            component: "quyet-dinh-khen-thuong".into(),
            file_name,
            content,
        });
    let result = match upload {
        Some(u) => {
            s.app
                .record_decision(
                    who,
                    &e.run,
                    &f.get("hinh-thuc"),
                    &f.get("noi-ky"),
                    &f.get("so-quyet-dinh"),
                    &f.get("ngay-ky"),
                    u,
                )
                .await
        }
        None => Err(AppError::Invalid("cần tệp quyết định đã ký (PDF)".into())),
    };
    match result {
        Ok(n) => Ok(flash_redirect(
            &format!("{}#quyet-dinh", movement_href(&code, year)),
            &format!(
                "Đã ghi nhận quyết định {}: {n} đối tượng được khen thưởng.",
                f.get("so-quyet-dinh")
            ),
        )),
        Err(AppError::Invalid(msg)) => {
            super::movement::refuse(&s, &session, who, &code, year, &sentence(&msg)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct DocQuery {
    loai: Option<String>,
    id: Option<String>,
}

pub(super) async fn record_document(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<DocQuery>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let table = match q.loai.as_deref().map(str::trim).unwrap_or("") {
        "ky-luat" => RecordTable::Discipline,
        "sang-kien" => RecordTable::Initiative,
        "quyet-dinh" => RecordTable::Decision,
        other => {
            return Err(AppError::Invalid(format!(
                "loại tài liệu «{other}» không có (ky-luat, sang-kien, quyet-dinh)"
            ))
            .into());
        }
    };
    let id = need(q.id.as_deref(), "mã tài liệu (id)")?;
    let f = s.app.record_document(who, table, &id).await?;
    Ok(download(&f.file_name, &f.content_type, f.content))
}

/// `GET /api/v1/emulation/{movement}/{year}`: the current evaluation with its nomination lists,
/// for a bearer token or a signed-in session.
pub(super) async fn api(
    State(s): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path((movement, year)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 128);
    let who = match (token, &session.principal) {
        (Some(t), _) => s.app.authenticate(t).await?,
        (None, Some(p)) => p.clone(),
        (None, None) => return Err(AppError::Unauthenticated.into()),
    };
    let year = year_of(&year)?;
    let m = s.app.movement(&who, &movement).await?;
    let e = s
        .app
        .evaluation(&who, &movement, year)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("kết quả đánh giá năm {year}")))?;
    let tally = |k| {
        let t = e.tally(k);
        json!({"met": t.met, "not_met": t.not_met, "no_data": t.no_data})
    };
    Ok(Json(json!({
        "movement": {"code": m.code, "title": m.title, "plan": m.plan_reference(), "criteria": m.criteria_key},
        "tally": {
            "collective": tally(cchc_domain::emulation::SubjectKind::Collective),
            "individual": tally(cchc_domain::emulation::SubjectKind::Individual),
        },
        "nominations": e.nominations()?,
        "evaluation": e,
    }))
    .into_response())
}
