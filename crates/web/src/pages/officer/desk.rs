//! The desk (`/can-bo`): today's queues of the officer's units; and the list of the units'
//! dossiers with a search (`/can-bo/ho-so`).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use cchc_app::AppError;
use cchc_app::desk::ListStatus;
use cchc_domain::dossier::Status;
use serde::Deserialize;

use super::{QueueView, RowView, day_ending_at, scope_note, staff};
use crate::AppState;
use crate::pages::Params;
use crate::pages::public::Choice;
use crate::pages::{Layout, PageError, Session, fmt, render};

#[derive(Template)]
#[template(path = "officer/desk.html")]
struct DeskPage {
    layout: Layout,
    unit_name: String,
    scope_note: Option<String>,
    today: String,
    queues: Vec<QueueView>,
    statuses: Vec<Choice>,
}

/// The statuses to filter by: in progress (the default), all, or one.
fn status_choices(current: ListStatus) -> Vec<Choice> {
    [
        (
            String::new(),
            "Đang giải quyết (chưa trả kết quả)".to_owned(),
            current == ListStatus::InProgress,
        ),
        (
            "tat-ca".to_owned(),
            "Tất cả trạng thái".to_owned(),
            current == ListStatus::All,
        ),
    ]
    .into_iter()
    .chain(Status::ALL.iter().map(|s| {
        (
            s.code().to_string(),
            s.label().to_owned(),
            current == ListStatus::One(s.code()),
        )
    }))
    .map(|(value, label, selected)| Choice {
        value,
        label,
        selected,
    })
    .collect()
}

pub(super) async fn desk(
    State(s): State<AppState>,
    session: Session,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let d = s.app.desk(who).await?;
    let at_risk_day = day_ending_at(&d.at_risk_end);
    let queues = vec![
        QueueView::of(
            "cho-tiep-nhan",
            "Hồ sơ trực tuyến chờ tiếp nhận",
            "Kiểm tra và tiếp nhận hoặc từ chối; thời hạn giải quyết bắt đầu khi tiếp nhận.".into(),
            &d.awaiting_acceptance,
            "Không có hồ sơ trực tuyến chờ tiếp nhận.",
        ),
        QueueView::of(
            "qua-han",
            "Hồ sơ quá hạn",
            "Đã quá ngày hẹn trả kết quả: cần xử lý ngay và lập phiếu xin lỗi, hẹn lại ngày trả."
                .into(),
            &d.overdue,
            "Không có hồ sơ quá hạn.",
        ),
        QueueView::of(
            "den-han-hom-nay",
            "Đến hạn trong hôm nay",
            format!("Hạn trả kết quả trước 24:00 ngày {}.", fmt::date(&d.now)),
            &d.due_today,
            "Không có hồ sơ đến hạn hôm nay.",
        ),
        QueueView::of(
            "sap-den-han",
            "Sắp đến hạn (trong 2 ngày làm việc tới)",
            format!("Hạn trả kết quả đến hết ngày {at_risk_day}, theo lịch làm việc của đơn vị."),
            &d.due_soon,
            "Không có hồ sơ sắp đến hạn.",
        ),
        QueueView::of(
            "cua-toi",
            "Hồ sơ được phân công cho tôi",
            "Hồ sơ đang giải quyết do bạn thụ lý, theo thứ tự hạn trả.".into(),
            &d.assigned_to_me,
            "Chưa có hồ sơ nào được phân công cho bạn.",
        ),
    ];
    Ok(render(&DeskPage {
        layout: session.layout("Bàn làm việc"),
        scope_note: scope_note(d.scope.whole_subtree, d.scope.units.len()),
        unit_name: d.scope.unit_name.clone(),
        today: fmt::date(&d.now),
        queues,
        statuses: status_choices(ListStatus::InProgress),
    }))
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    #[serde(default)]
    trang_thai: String,
    #[serde(default)]
    q: String,
    trang: Option<i64>,
}

#[derive(Template)]
#[template(path = "officer/list.html")]
struct ListPage {
    layout: Layout,
    unit_name: String,
    scope_note: Option<String>,
    q: String,
    statuses: Vec<Choice>,
    total: i64,
    rows: Vec<RowView>,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

const PER_PAGE: i64 = 50;

pub(super) async fn list(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<ListQuery>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let status = match q.trang_thai.trim() {
        // A search by name or code looks at every status unless one is chosen.
        "" if !q.q.trim().is_empty() => ListStatus::All,
        "" => ListStatus::InProgress,
        "tat-ca" => ListStatus::All,
        t => ListStatus::One(t.parse::<u8>().map_err(|_| {
            PageError::from(AppError::Invalid(format!("trạng thái '{t}' không hợp lệ")))
        })?),
    };
    let scope = s.app.desk_scope(who)?;
    let page = q.trang.unwrap_or(1).clamp(1, 10_000);
    let (total, items) = s.app.search_desk(who, status, &q.q, page, PER_PAGE).await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let href = |p: i64| {
        let qs = serde_urlencoded::to_string([
            ("trang_thai", q.trang_thai.as_str()),
            ("q", q.q.as_str()),
            ("trang", &p.to_string()),
        ])
        .unwrap_or_default();
        format!("/can-bo/ho-so?{qs}")
    };
    Ok(render(&ListPage {
        layout: session.layout("Hồ sơ của đơn vị"),
        unit_name: scope.unit_name.clone(),
        scope_note: scope_note(scope.whole_subtree, scope.units.len()),
        q: q.q.clone(),
        statuses: status_choices(status),
        total,
        rows: items.iter().map(RowView::of).collect(),
        page,
        pages,
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
    }))
}
