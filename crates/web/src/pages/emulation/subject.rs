//! One subject's evaluation: every criterion with its verdict, what was found, the evidence
//! as links to the records, the adjustments made by the reform office, and (administrators,
//! on a draft) a form per criterion to change its verdict with a reason.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use cchc_app::{AppError, Principal, Role};
use cchc_domain::emulation::{SubjectKind, Verdict};

use super::{
    Choice, VerdictView, evidence_href, kind_of, movement_href, staff, subject_href, verdict_view,
    year_of,
};
use crate::AppState;
use crate::pages::{
    FormData, Layout, PageError, Session, flash_redirect, fmt, render, render_status, sentence,
};

struct EvidenceView {
    label: String,
    href: Option<String>,
}

struct AdjustForm {
    /// A safe prefix for the fields' ids.
    id: String,
    verdicts: Vec<Choice>,
    reason: String,
    error: Option<String>,
}

struct CriterionView {
    id: String,
    label: String,
    verdict: VerdictView,
    explanation: String,
    evidence: Vec<EvidenceView>,
    form: Option<AdjustForm>,
}

struct AdjustmentView {
    criterion: String,
    from: &'static str,
    to: &'static str,
    reason: String,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "emulation/subject.html")]
struct SubjectPage {
    layout: Layout,
    movement_title: String,
    back_href: String,
    kind_label: &'static str,
    name: String,
    title: String,
    unit_name: String,
    year: i16,
    status: &'static str,
    approved: bool,
    overall: VerdictView,
    criteria: Vec<CriterionView>,
    adjustments: Vec<AdjustmentView>,
    action: String,
    run: String,
    error: Option<String>,
}

/// What an adjustment form sent, to show it again with its error.
struct Sent<'a> {
    criterion: &'a str,
    verdict: &'a str,
    reason: &'a str,
    error: String,
}

fn field_id(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn build(
    s: &AppState,
    session: &Session,
    who: &Principal,
    code: &str,
    year: i16,
    kind: SubjectKind,
    id: &str,
    sent: Option<Sent<'_>>,
) -> Result<SubjectPage, PageError> {
    let m = s.app.movement(who, code).await?;
    let e = s
        .app
        .evaluation(who, code, year)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("kết quả đánh giá năm {year}")))?;
    let subject = e.subject(kind, id).ok_or_else(|| {
        AppError::NotFound(format!(
            "{} này trong kết quả năm {year}",
            kind.label().to_lowercase()
        ))
    })?;
    let may_adjust = who.role == Role::Admin && e.is_draft();
    let criteria = subject
        .criteria
        .iter()
        .map(|c| {
            let mine = sent.as_ref().filter(|x| x.criterion == c.criterion);
            CriterionView {
                id: c.criterion.clone(),
                label: c.label.clone(),
                verdict: verdict_view(c.verdict, c.adjusted.is_some()),
                explanation: c.explanation.clone(),
                evidence: c
                    .evidence
                    .iter()
                    .map(|ev| EvidenceView {
                        label: ev.label.clone(),
                        href: evidence_href(&ev.what),
                    })
                    .collect(),
                form: may_adjust.then(|| AdjustForm {
                    id: format!("dc-{}", field_id(&c.criterion)),
                    verdicts: [Verdict::Met, Verdict::NotMet, Verdict::NoData]
                        .into_iter()
                        .filter(|v| *v != c.verdict)
                        .enumerate()
                        .map(|(i, v)| Choice {
                            value: v.code().to_owned(),
                            label: v.label().to_owned(),
                            selected: mine.map_or(i == 0, |x| x.verdict == v.code()),
                        })
                        .collect(),
                    reason: mine.map(|x| x.reason.to_owned()).unwrap_or_default(),
                    error: mine.map(|x| x.error.clone()),
                }),
            }
        })
        .collect();
    let adjustments = e
        .adjustments
        .iter()
        .filter(|a| a.subject_kind == kind && a.subject == id)
        .map(|a| AdjustmentView {
            criterion: subject.result_of(&a.criterion).map_or_else(
                || a.criterion.clone(),
                |c| format!("{}. {}", c.criterion, c.label),
            ),
            from: a.from.label(),
            to: a.to.label(),
            reason: a.reason.clone(),
            by: a.by.clone(),
            at: fmt::datetime(&a.at),
        })
        .collect();
    let error = sent.as_ref().map(|x| x.error.clone());
    Ok(SubjectPage {
        layout: session.layout(format!("{} · thi đua năm {year}", subject.name)),
        movement_title: m.title.clone(),
        back_href: movement_href(code, year),
        kind_label: kind.label(),
        name: subject.name.clone(),
        title: subject.title.clone().unwrap_or_default(),
        unit_name: subject.unit_name.clone(),
        year,
        status: if e.is_approved() {
            "Đã phê duyệt"
        } else {
            "Chờ phê duyệt"
        },
        approved: e.is_approved(),
        overall: verdict_view(subject.verdict, false),
        criteria,
        adjustments,
        action: format!("{}/dieu-chinh", subject_href(code, year, kind, id)),
        run: e.run.clone(),
        error,
    })
}

pub(super) async fn page(
    State(s): State<AppState>,
    session: Session,
    Path((code, nam, kind, id)): Path<(String, String, String, String)>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let year = year_of(&nam)?;
    let kind = kind_of(&kind)?;
    Ok(render(
        &build(&s, &session, who, &code, year, kind, &id, None).await?,
    ))
}

pub(super) async fn adjust(
    State(s): State<AppState>,
    session: Session,
    Path((code, nam, kind_text, id)): Path<(String, String, String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let year = year_of(&nam)?;
    let kind = kind_of(&kind_text)?;
    let criterion = form.get("tieu-chi");
    let verdict_code = form.get("ket-qua");
    let reason = form.get("ly-do");
    let run = form.get("lan-danh-gia");
    let refuse = |error: String| Sent {
        criterion: &criterion,
        verdict: &verdict_code,
        reason: &reason,
        error,
    };
    let Some(to) = Verdict::from_code(&verdict_code) else {
        let page = build(
            &s,
            &session,
            who,
            &code,
            year,
            kind,
            &id,
            Some(refuse(
                "Cần chọn kết quả mới (Đạt, Không đạt, Chưa đủ dữ liệu).".into(),
            )),
        )
        .await?;
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    // The run adjusted must be the one the page showed.
    let current = s.app.evaluation(who, &code, year).await?;
    let result = match current {
        Some(e) if e.run == run => {
            s.app
                .adjust_verdict(who, &run, kind, &id, &criterion, to, &reason)
                .await
        }
        _ => Err(AppError::Invalid(
            "kết quả đánh giá vừa thay đổi; hãy xem lại rồi điều chỉnh".into(),
        )),
    };
    match result {
        Ok(()) => Ok(flash_redirect(
            &subject_href(&code, year, kind, &id),
            &format!("Đã điều chỉnh tiêu chí {criterion} thành «{}».", to.label()),
        )),
        Err(AppError::Invalid(msg)) => {
            let page = build(
                &s,
                &session,
                who,
                &code,
                year,
                kind,
                &id,
                Some(refuse(sentence(&msg))),
            )
            .await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}
