//! The citizen and business portal: my dossiers, online submission with files, a dossier's own
//! page (steps, files, supplement, payment, rating, withdrawal), and the sandbox payment
//! gateway's pages. Every page is for the signed-in citizen and shows only their dossiers;
//! the rules (who may act, what is owed) live in `cchc_app`.

mod dossier;
mod payment;
mod submit;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::response::Response;
use axum::routing::{get, post};
use cchc_app::dossiers::ListQuery;
use cchc_app::{AppError, Principal, Role};
use serde::Deserialize;
use std::collections::HashMap;

use super::{Layout, PageError, Session, fmt, render};
use crate::AppState;
use crate::pages::Params;

pub(super) fn routes(state: &AppState) -> Router<AppState> {
    let upload_limit = DefaultBodyLimit::max(state.config.max_upload_bytes);
    Router::new()
        .route("/cong-dan", get(home))
        .route(
            "/cong-dan/nop/{procedure_code}",
            get(submit::form).post(submit::submit).layer(upload_limit),
        )
        .route("/cong-dan/ho-so/{code}", get(dossier::page))
        .route("/cong-dan/ho-so/{code}/tep/{id}", get(dossier::download))
        .route(
            "/cong-dan/ho-so/{code}/bo-sung",
            post(dossier::supplement).layer(upload_limit),
        )
        .route("/cong-dan/ho-so/{code}/danh-gia", post(dossier::rate))
        .route("/cong-dan/ho-so/{code}/rut", post(dossier::withdraw))
        .route("/cong-dan/ho-so/{code}/thanh-toan", post(payment::start))
        .route(
            "/cong-thanh-toan-thu-nghiem/{payment_id}",
            get(payment::bank_page).post(payment::bank_answer),
        )
        .route("/thanh-toan/{payment_id}/ket-qua", get(payment::result))
}

/// The signed-in citizen (or a redirect to sign in, or a refusal for staff).
fn citizen(session: &Session) -> Result<&Principal, PageError> {
    session.require_role(&[Role::Citizen])
}

use super::sentence;

/// The page of one's dossier.
fn dossier_href(code: &str) -> String {
    format!("/cong-dan/ho-so/{code}")
}

// ---- my dossiers -------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    trang: Option<i64>,
}

struct DossierRow {
    code: String,
    procedure: String,
    status: String,
    submitted: String,
    due: String,
    late: bool,
    verdict: String,
}

#[derive(Template)]
#[template(path = "citizen/home.html")]
struct HomePage {
    layout: Layout,
    rows: Vec<DossierRow>,
    total: i64,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

const PER_PAGE: i64 = 20;

async fn home(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<PageQuery>,
) -> Result<Response, PageError> {
    let who = citizen(&session)?;
    let page = q.trang.unwrap_or(1).clamp(1, 10_000);
    let list = s
        .app
        .list_dossiers(
            who,
            ListQuery {
                page: Some(page),
                per_page: Some(PER_PAGE),
                ..Default::default()
            },
        )
        .await?;
    let mut names: HashMap<String, String> = HashMap::new();
    let mut rows = Vec::with_capacity(list.items.len());
    for item in list.items {
        if !names.contains_key(&item.procedure_code) {
            let name = match s.app.procedure(&item.procedure_code).await {
                Ok(p) => p.name,
                Err(AppError::NotFound(_)) => item.procedure_code.clone(),
                Err(e) => return Err(e.into()),
            };
            names.insert(item.procedure_code.clone(), name);
        }
        // Lateness as the dossier page judges it (the domain's rule, at this instant).
        let view = s.app.dossier(who, &item.code).await?;
        rows.push(DossierRow {
            procedure: names.get(&item.procedure_code).cloned().unwrap_or_default(),
            status: item.status_label.to_owned(),
            submitted: fmt::date(&item.submitted_at),
            due: view
                .due
                .as_deref()
                .map_or_else(|| "—".to_owned(), fmt::datetime),
            late: view.late,
            verdict: view
                .verdict
                .map(|v| v.label().to_owned())
                .unwrap_or_default(),
            code: item.code,
        });
    }
    let pages = ((list.total + PER_PAGE - 1) / PER_PAGE).max(1);
    Ok(render(&HomePage {
        layout: session.layout("Hồ sơ của tôi"),
        rows,
        total: list.total,
        page,
        pages,
        prev_href: (page > 1).then(|| format!("/cong-dan?trang={}", page - 1)),
        next_href: (page < pages).then(|| format!("/cong-dan?trang={}", page + 1)),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_become_sentences() {
        assert_eq!(
            sentence("thiếu họ tên chủ hồ sơ"),
            "Thiếu họ tên chủ hồ sơ."
        );
        assert_eq!(sentence("đã xong."), "Đã xong.");
        assert_eq!(sentence(""), "");
    }
}
