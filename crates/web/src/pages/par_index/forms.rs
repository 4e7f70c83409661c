//! The scorecard's forms: self-assessing an item with its evidence (multipart), submitting,
//! appraising an item, finishing the appraisal, importing the survey results (multipart).
//! A refused form shows the scorecard (or the survey page) again with the reason (422);
//! nothing is changed then.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use cchc_app::files::Upload;
use cchc_app::{AppError, Principal};
use cchc_domain::par_index::survey::parse_number;
use cchc_domain::text::number;
use serde::Deserialize;

use super::card::build;
use super::{BASE, CARD, staff, year_of};
use crate::AppState;
use crate::pages::Multipart;
use crate::pages::indicators::query;
use crate::pages::{
    FormData, Layout, PageError, Params, Session, UploadSession, flash_redirect, read_multipart,
    render, render_status, sentence,
};

fn card_href(unit: &str, year: i16, code: Option<&str>) -> String {
    let mut href = format!(
        "{CARD}?{}",
        query(&[("don-vi", unit), ("nam", &year.to_string())])
    );
    if let Some(c) = code {
        href.push_str(&format!(
            "#muc-{}",
            c.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect::<String>()
        ));
    }
    href
}

/// The scorecard again with the reason (422) for a refused form; other errors as pages.
async fn refuse(
    s: &AppState,
    session: &Session,
    who: &Principal,
    unit: &str,
    year: &str,
    e: AppError,
) -> Result<Response, PageError> {
    match e {
        AppError::Invalid(m) => {
            let page = build(s, session, who, Some(unit), Some(year), Some(sentence(&m))).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        other => Err(other.into()),
    }
}

fn points_of(text: &str) -> Result<f64, AppError> {
    parse_number(text).ok_or_else(|| {
        AppError::Invalid(format!(
            "điểm «{}» không phải là một số (ví dụ 1,5)",
            text.trim()
        ))
    })
}

/// The unit scores one item with its explanation and evidence.
pub(super) async fn self_assess(
    State(s): State<AppState>,
    UploadSession(session): UploadSession,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let form = read_multipart(&session, multipart).await?;
    let who = staff(&session)?;
    let unit = form.fields.get("don-vi");
    let year_text = form.fields.get("nam");
    let code = form.fields.get("muc");
    let result = async {
        let year = year_of(Some(&year_text), s.app.now().date().year())?;
        let points = points_of(&form.fields.get("diem"))?;
        let uploads = form
            .files
            .iter()
            .filter(|(field, _, _)| field == "minh-chung")
            .map(|(_, name, content)| Upload {
                component: code.clone(),
                file_name: name.clone(),
                content: content.clone(),
            })
            .collect();
        let total = s
            .app
            .par_self_assess(
                who,
                &unit,
                year,
                &code,
                points,
                &form.fields.get("giai-trinh"),
                uploads,
            )
            .await?;
        Ok::<_, AppError>((year, points, total))
    }
    .await;
    match result {
        Ok((year, points, total)) => Ok(flash_redirect(
            &card_href(&unit, year, Some(&code)),
            &format!(
                "Đã ghi nhận điểm tự đánh giá tiêu chí {code}: {} điểm. Điểm tự đánh giá hiện là {}.",
                number(points, 2),
                number(total.assessed, 2)
            ),
        )),
        Err(e) => refuse(&s, &session, who, &unit, &year_text, e).await,
    }
}

/// The leader submits the self-assessment for appraisal.
pub(super) async fn submit(
    State(s): State<AppState>,
    session: Session,
    form: FormData,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let unit = form.get("don-vi");
    let year_text = form.get("nam");
    let result = async {
        let year = year_of(Some(&year_text), s.app.now().date().year())?;
        let t = s.app.par_submit(who, &unit, year).await?;
        Ok::<_, AppError>((year, t))
    }
    .await;
    match result {
        Ok((year, t)) => Ok(flash_redirect(
            &card_href(&unit, year, None),
            &format!(
                "Đã gửi bảng tự đánh giá năm {year} ({} điểm) đến Hội đồng thẩm định.",
                number(t.assessed, 2)
            ),
        )),
        Err(e) => refuse(&s, &session, who, &unit, &year_text, e).await,
    }
}

/// The council's points and comment for one item.
pub(super) async fn appraise(
    State(s): State<AppState>,
    session: Session,
    form: FormData,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let unit = form.get("don-vi");
    let year_text = form.get("nam");
    let code = form.get("muc");
    let result = async {
        let year = year_of(Some(&year_text), s.app.now().date().year())?;
        let points = points_of(&form.get("diem"))?;
        let t = s
            .app
            .par_appraise(who, &unit, year, &code, points, &form.get("nhan-xet"))
            .await?;
        Ok::<_, AppError>((year, points, t))
    }
    .await;
    match result {
        Ok((year, points, t)) => Ok(flash_redirect(
            &card_href(&unit, year, Some(&code)),
            &format!(
                "Đã ghi nhận điểm thẩm định tiêu chí {code}: {} điểm. Tổng điểm hiện là {}.",
                number(points, 2),
                number(t.points, 2)
            ),
        )),
        Err(e) => refuse(&s, &session, who, &unit, &year_text, e).await,
    }
}

/// The council finishes the appraisal of a card.
pub(super) async fn finish(
    State(s): State<AppState>,
    session: Session,
    form: FormData,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let unit = form.get("don-vi");
    let year_text = form.get("nam");
    let result = async {
        let year = year_of(Some(&year_text), s.app.now().date().year())?;
        let t = s.app.par_finish(who, &unit, year).await?;
        Ok::<_, AppError>((year, t))
    }
    .await;
    match result {
        Ok((year, t)) => Ok(flash_redirect(
            &card_href(&unit, year, None),
            &format!(
                "Đã hoàn tất thẩm định năm {year}: {} điểm ({}%).",
                number(t.points, 2),
                number(t.percent, 2)
            ),
        )),
        Err(e) => refuse(&s, &session, who, &unit, &year_text, e).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct SurveyQuery {
    nam: Option<String>,
}

#[derive(Template)]
#[template(path = "par_index/survey.html")]
struct SurveyPage {
    layout: Layout,
    years: Vec<crate::pages::indicators::Choice>,
    year: i16,
    weights: Vec<String>,
    error: Option<String>,
    today: String,
    ranking_href: String,
}

fn survey_page_for(
    s: &AppState,
    session: &Session,
    year: i16,
    error: Option<String>,
) -> Result<SurveyPage, PageError> {
    let catalog = cchc_app::par_index::par_catalog()?;
    Ok(SurveyPage {
        layout: session.layout(format!("Nhập kết quả điều tra xã hội học năm {year}")),
        years: super::year_choices(year)?,
        year,
        weights: catalog
            .trees
            .iter()
            .filter(|t| t.year == year)
            .map(|t| {
                format!(
                    "{}: tối đa {} điểm",
                    t.kind.label(),
                    number(t.survey.points, 2)
                )
            })
            .collect(),
        error,
        today: super::card::today_text(s),
        ranking_href: format!("{BASE}?nam={year}"),
    })
}

pub(super) async fn survey_page(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<SurveyQuery>,
) -> Result<Response, PageError> {
    let _ = session.require_role(&[cchc_app::Role::Admin])?;
    let year = year_of(q.nam.as_deref(), s.app.now().date().year())?;
    Ok(render(&survey_page_for(&s, &session, year, None)?))
}

/// Imports the survey results file of a year (administrator).
pub(super) async fn survey_import(
    State(s): State<AppState>,
    UploadSession(session): UploadSession,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let form = read_multipart(&session, multipart).await?;
    let who = session.require_role(&[cchc_app::Role::Admin])?;
    let year = year_of(Some(&form.fields.get("nam")), s.app.now().date().year())?;
    let result = async {
        let (_, name, content) = form
            .files
            .iter()
            .find(|(field, _, _)| field == "tep")
            .ok_or_else(|| AppError::Invalid("cần chọn tệp kết quả khảo sát (CSV)".into()))?;
        let text = String::from_utf8(content.clone()).map_err(|_| {
            AppError::Invalid(format!(
                "tệp {name} không phải văn bản UTF-8 (lưu CSV UTF-8)"
            ))
        })?;
        s.app.par_import_survey(who, year, &text).await
    }
    .await;
    match result {
        Ok(r) => Ok(flash_redirect(
            &format!("{BASE}?nam={year}"),
            &format!(
                "Đã nhập điểm điều tra xã hội học năm {year} của {} đơn vị.",
                r.lines
            ),
        )),
        Err(AppError::Invalid(m)) => Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &survey_page_for(&s, &session, year, Some(sentence(&m)))?,
        )),
        Err(e) => Err(e.into()),
    }
}
