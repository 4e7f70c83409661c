//! The staff's pages: the officer's desk (bàn làm việc), counter intake (tiếp nhận), the
//! dossier list and a dossier's page with the actions its status allows, the unit leader's
//! board (bảng điều hành), and the printable official forms (biểu mẫu) of Decree 61/2018 and
//! Circular 01/2018/TT-VPCP. Pages call `cchc_app` use cases only; each one checks the
//! caller's scope itself.

mod board;
mod desk;
mod dossier;
mod forms;
mod intake;

use axum::Router;
use axum::routing::{get, post};
use cchc_app::desk::{DeskItem, Queue, Urgency};
use cchc_app::{Principal, Role};

use super::{PageError, Session, fmt};
use crate::AppState;

pub(super) fn routes(_state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/can-bo", get(desk::desk))
        .route("/can-bo/ho-so", get(desk::list))
        .route("/can-bo/tiep-nhan", get(intake::form).post(intake::submit))
        .route("/can-bo/goi-y-thu-tuc", get(intake::suggest))
        .route("/can-bo/ho-so/{code}", get(dossier::page))
        .route("/can-bo/ho-so/{code}/thao-tac", post(dossier::act))
        .route("/can-bo/ho-so/{code}/tep/{id}", get(dossier::download))
        .route("/lanh-dao", get(board::board))
        .route("/bieu-mau/{code}/{slug}", get(forms::form))
}

/// The signed-in officer or leader (or a redirect to sign in, or a refusal).
fn staff(session: &Session) -> Result<&Principal, PageError> {
    session.require_role(&[Role::Officer, Role::Leader])
}

use super::sentence;

/// A dossier as a table row.
pub(crate) struct RowView {
    pub code: String,
    pub procedure: String,
    pub applicant: String,
    pub status: &'static str,
    pub due: String,
    pub badge: &'static str,
    pub badge_class: &'static str,
    pub assignee: String,
}

impl RowView {
    fn of(item: &DeskItem) -> Self {
        Self {
            code: item.code.clone(),
            procedure: if item.procedure_name.is_empty() {
                item.procedure_code.clone()
            } else {
                format!("{} ({})", item.procedure_name, item.procedure_code)
            },
            applicant: item.applicant_name.clone(),
            status: item.status_label,
            due: fmt::opt_datetime(item.due_at.as_deref()),
            badge: item.urgency.label(),
            badge_class: match item.urgency {
                Urgency::Overdue => "late",
                Urgency::DueToday | Urgency::AtRisk => "warn",
                Urgency::Later => "ok",
                Urgency::NoDue => "",
            },
            assignee: item.assignee_name.clone().unwrap_or_default(),
        }
    }
}

/// A titled list of dossiers.
pub(crate) struct QueueView {
    pub id: &'static str,
    pub title: String,
    pub hint: String,
    pub total: i64,
    pub rows: Vec<RowView>,
    pub empty: &'static str,
}

impl QueueView {
    fn of(id: &'static str, title: &str, hint: String, q: &Queue, empty: &'static str) -> Self {
        Self {
            id,
            title: title.to_owned(),
            hint,
            total: q.total,
            rows: q.items.iter().map(RowView::of).collect(),
            empty,
        }
    }

    /// More dossiers than the list shows.
    pub fn truncated(&self) -> bool {
        self.total > self.rows.len() as i64
    }
}

/// `2025-05-07T00:00:00` (the end of a day) → `06/05/2025`.
fn day_ending_at(iso: &str) -> String {
    iso.get(..10)
        .and_then(|d| d.parse::<jiff::civil::Date>().ok())
        .and_then(|d| d.yesterday().ok())
        .map_or_else(|| fmt::date(iso), |d| fmt::date(&d.to_string()))
}

/// What the page says when a province-level account's queues cover only part of its subtree.
fn scope_note(whole: bool, units: usize) -> Option<String> {
    (!whole).then(|| {
        format!(
            "Đơn vị có nhiều đơn vị trực thuộc: danh sách chỉ gồm hồ sơ của đơn vị và {} đơn vị trực thuộc trực tiếp.",
            units.saturating_sub(1)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_ending_at_midnight_is_the_day_before() {
        assert_eq!(day_ending_at("2025-05-07T00:00:00"), "06/05/2025");
        assert_eq!(day_ending_at("2025-03-01T00:00:00"), "28/02/2025");
    }

    #[test]
    fn messages_become_sentences() {
        assert_eq!(
            sentence("thiếu họ tên chủ hồ sơ"),
            "Thiếu họ tên chủ hồ sơ."
        );
        assert_eq!(sentence(""), "");
    }
}
