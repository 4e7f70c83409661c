//! The records the individual criteria rest on, for a year: a member of staff's rating
//! (their unit's leader or an administrator), discipline decisions with their document, and
//! initiatives recognised by the initiative council (administrators); the year's lists with
//! the documents.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use cchc_app::emulation::RecordRow;
use cchc_app::files::Upload;
use cchc_app::{AppError, Principal, Role};
use cchc_domain::emulation::StaffRating;
use serde::Deserialize;
use std::collections::HashMap;

use super::{BASE, Choice, RECORDS, query, staff, year_of};
use crate::AppState;
use crate::pages::Multipart;
use crate::pages::{
    FormData, Layout, PageError, Params, Session, UploadSession, flash_redirect, fmt,
    read_multipart, render, render_status, sentence,
};

#[derive(Debug, Default, Deserialize)]
pub(super) struct RecordsQuery {
    nam: Option<String>,
}

struct RecordView {
    person: String,
    unit: String,
    what: String,
    decision: String,
    day: String,
    reform_related: bool,
    href: String,
    file_name: String,
    entered: String,
}

struct PersonOption {
    username: String,
    label: String,
}

#[derive(Template)]
#[template(path = "emulation/records.html")]
struct RecordsPage {
    layout: Layout,
    year: i16,
    years: Vec<Choice>,
    ratings: Vec<Choice>,
    may_rate: bool,
    is_admin: bool,
    people: Vec<PersonOption>,
    disciplines: Vec<RecordView>,
    initiatives: Vec<RecordView>,
    /// Why a form was refused.
    error: Option<String>,
    /// Which form: `xep-loai`, `ky-luat`, `sang-kien`.
    error_form: String,
    back_href: String,
}

/// The people the form's account list offers: those the caller may enter records for.
async fn people_for(s: &AppState, who: &Principal) -> Result<Vec<PersonOption>, AppError> {
    let mut out: Vec<PersonOption> = s
        .app
        .recordable_staff(who)
        .await?
        .into_iter()
        .map(|p| PersonOption {
            label: format!("{} ({})", p.display_name, p.username),
            username: p.username,
        })
        .collect();
    out.truncate(2000);
    Ok(out)
}

async fn build(
    s: &AppState,
    session: &Session,
    who: &Principal,
    year: i16,
    error: Option<(String, String)>,
) -> Result<RecordsPage, PageError> {
    let this_year = s.app.now().date().year();
    if !(2000..=this_year).contains(&year) {
        return Err(AppError::Invalid(format!(
            "năm {year} không hợp lệ (từ 2000 đến {this_year})"
        ))
        .into());
    }
    let tree = s.app.units()?;
    let names: HashMap<String, String> = s.app.staff_labels(who).await?;
    let view = |r: RecordRow, loai: &str| RecordView {
        person: names
            .get(&r.account)
            .cloned()
            .unwrap_or_else(|| r.account.clone()),
        unit: tree
            .get(&r.unit)
            .map_or_else(|| r.unit.clone(), |u| u.full_name.clone()),
        what: r.what,
        decision: r.decision,
        day: fmt::date(&r.day),
        reform_related: r.reform_related,
        href: format!(
            "{BASE}/tai-lieu?{}",
            query(&[("loai", loai), ("id", &r.id)])
        ),
        file_name: r.file_name,
        entered: format!("{}, {}", r.entered_by, fmt::datetime(&r.entered_at)),
    };
    let disciplines = s
        .app
        .records_of_year(who, true, year)
        .await?
        .into_iter()
        .map(|r| view(r, "ky-luat"))
        .collect();
    let initiatives = s
        .app
        .records_of_year(who, false, year)
        .await?
        .into_iter()
        .map(|r| view(r, "sang-kien"))
        .collect();
    Ok(RecordsPage {
        layout: session.layout(format!("Xếp loại, kỷ luật, sáng kiến năm {year}")),
        year,
        years: (2000.max(this_year - 5)..=this_year)
            .rev()
            .map(|y| Choice {
                value: y.to_string(),
                label: format!("Năm {y}"),
                selected: y == year,
            })
            .collect(),
        ratings: StaffRating::ALL
            .iter()
            .map(|r| Choice {
                value: r.code().to_owned(),
                label: r.label().to_owned(),
                selected: *r == StaffRating::Good,
            })
            .collect(),
        may_rate: matches!(who.role, Role::Admin | Role::Leader),
        is_admin: who.role == Role::Admin,
        people: people_for(s, who).await?,
        disciplines,
        initiatives,
        error_form: error.as_ref().map(|e| e.0.clone()).unwrap_or_default(),
        error: error.map(|e| e.1),
        back_href: BASE.to_owned(),
    })
}

fn records_href(year: i16) -> String {
    format!("{RECORDS}?nam={year}")
}

pub(super) async fn page(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<RecordsQuery>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let year = match q.nam.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => year_of(t)?,
        None => s.app.now().date().year() - 1,
    };
    Ok(render(&build(&s, &session, who, year, None).await?))
}

async fn refuse(
    s: &AppState,
    session: &Session,
    who: &Principal,
    year: i16,
    which: &str,
    message: &str,
) -> Result<Response, PageError> {
    let page = build(
        s,
        session,
        who,
        year,
        Some((which.to_owned(), sentence(message))),
    )
    .await?;
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// The year a form was sent for (a bad one is the current year's page with the error).
fn form_year(fields: &FormData, this_year: i16) -> Result<i16, AppError> {
    let t = fields.get("nam");
    if t.is_empty() {
        return Ok(this_year - 1);
    }
    year_of(&t)
}

pub(super) async fn rate(
    State(s): State<AppState>,
    session: Session,
    form: FormData,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let year = form_year(&form, s.app.now().date().year())?;
    let account = form.get("tai-khoan");
    match s
        .app
        .rate_staff(who, &account, year, &form.get("xep-loai"))
        .await
    {
        Ok(()) => Ok(flash_redirect(
            &records_href(year),
            &format!("Đã ghi nhận xếp loại năm {year} của {account}."),
        )),
        Err(AppError::Invalid(m)) => refuse(&s, &session, who, year, "xep-loai", &m).await,
        Err(AppError::NotFound(m)) => {
            refuse(
                &s,
                &session,
                who,
                year,
                "xep-loai",
                &format!("không có {m}"),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The decision document of a record form.
fn document(files: Vec<(String, String, Vec<u8>)>) -> Option<Upload> {
    files
        .into_iter()
        .find(|(field, _, _)| field == "tep")
        .map(|(_, file_name, content)| Upload {
            component: "quyet-dinh".into(),
            file_name,
            content,
        })
}

pub(super) async fn discipline(
    State(s): State<AppState>,
    UploadSession(session): UploadSession,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let form = read_multipart(&session, multipart).await?;
    let who = staff(&session)?;
    let year = form_year(&form.fields, s.app.now().date().year())?;
    let f = &form.fields;
    let Some(doc) = document(form.files.clone()) else {
        return refuse(
            &s,
            &session,
            who,
            year,
            "ky-luat",
            "cần tệp quyết định kỷ luật (PDF)",
        )
        .await;
    };
    let account = f.get("tai-khoan");
    match s
        .app
        .record_discipline(
            who,
            &account,
            &f.get("hinh-thuc"),
            &f.get("so-quyet-dinh"),
            &f.get("ngay"),
            f.has("lien-quan-cchc"),
            doc,
        )
        .await
    {
        Ok(_) => Ok(flash_redirect(
            &records_href(year),
            &format!("Đã ghi nhận quyết định kỷ luật của {account}."),
        )),
        Err(AppError::Invalid(m)) => refuse(&s, &session, who, year, "ky-luat", &m).await,
        Err(AppError::NotFound(m)) => {
            refuse(&s, &session, who, year, "ky-luat", &format!("không có {m}")).await
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn initiative(
    State(s): State<AppState>,
    UploadSession(session): UploadSession,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let form = read_multipart(&session, multipart).await?;
    let who = staff(&session)?;
    let year = form_year(&form.fields, s.app.now().date().year())?;
    let f = &form.fields;
    let Some(doc) = document(form.files.clone()) else {
        return refuse(
            &s,
            &session,
            who,
            year,
            "sang-kien",
            "cần tệp quyết định công nhận sáng kiến (PDF)",
        )
        .await;
    };
    let account = f.get("tai-khoan");
    match s
        .app
        .record_initiative(
            who,
            &account,
            &f.get("ten-sang-kien"),
            &f.get("so-quyet-dinh"),
            &f.get("ngay"),
            doc,
        )
        .await
    {
        Ok(_) => Ok(flash_redirect(
            &records_href(year),
            &format!("Đã ghi nhận sáng kiến của {account}."),
        )),
        Err(AppError::Invalid(m)) => refuse(&s, &session, who, year, "sang-kien", &m).await,
        Err(AppError::NotFound(m)) => {
            refuse(
                &s,
                &session,
                who,
                year,
                "sang-kien",
                &format!("không có {m}"),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
