//! The sync administration page (đồng bộ Cổng Dịch vụ công quốc gia): the connection, the
//! outbox's counts, messages waiting, dead letters, and replaying them (one or all).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use cchc_app::sync::{MessageView, SyncStatus};
use cchc_app::{AppError, Role};

use super::{FormData, Layout, PageError, Session, flash_redirect, render};
use crate::AppState;

pub(super) fn routes(_state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/quan-tri/dong-bo", get(page))
        .route("/quan-tri/dong-bo/gui-lai", post(replay))
}

#[derive(Template)]
#[template(path = "admin/sync.html")]
struct SyncPage {
    layout: Layout,
    status: SyncStatus,
    pending: Vec<MessageView>,
    dead: Vec<MessageView>,
}

async fn page(State(s): State<AppState>, session: Session) -> Result<Response, PageError> {
    let who = session.require_role(&[Role::Admin])?;
    let status = s.app.sync_status(who).await?;
    let pending = s.app.pending_messages(who).await?;
    let dead = s.app.dead_letters(who, 1).await?;
    Ok(render(&SyncPage {
        layout: session.layout("Đồng bộ Cổng Dịch vụ công quốc gia"),
        status,
        pending,
        dead,
    }))
}

async fn replay(
    State(s): State<AppState>,
    session: Session,
    form: FormData,
) -> Result<Response, PageError> {
    let who = session.require_role(&[Role::Admin])?;
    let which = form.get("tin");
    let id = if which == "tat-ca" {
        None
    } else {
        Some(
            which
                .parse::<i64>()
                .map_err(|_| AppError::Invalid(format!("số tin '{which}' không hợp lệ")))?,
        )
    };
    let n = s.app.replay_dead(who, id).await?;
    Ok(flash_redirect(
        "/quan-tri/dong-bo",
        &format!("Đã đưa {n} tin trở lại hàng chờ gửi."),
    ))
}
