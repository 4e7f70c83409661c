//! The unit leader's board (`/lanh-dao`): dossiers in progress by status, late and at-risk
//! lists, each officer's load, and this month's results on time and late.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::{QueueView, day_ending_at, scope_note, staff};
use crate::AppState;
use crate::pages::{Layout, PageError, Session, fmt, render};

struct CountView {
    code: u8,
    label: &'static str,
    count: i64,
}

struct LoadView {
    name: String,
    title: String,
    open: i64,
    late: i64,
}

#[derive(Template)]
#[template(path = "leader/board.html")]
struct BoardPage {
    layout: Layout,
    unit_name: String,
    scope_note: Option<String>,
    today: String,
    counts: Vec<CountView>,
    in_progress: i64,
    queues: Vec<QueueView>,
    load: Vec<LoadView>,
    unassigned: i64,
    month: String,
    finished: i64,
    on_time: i64,
    finished_late: i64,
    on_time_percent: String,
    closed: i64,
}

fn percent(part: i64, whole: i64) -> String {
    if whole == 0 {
        return "—".into();
    }
    let tenths = (part * 1000 + whole / 2) / whole;
    format!("{},{}%", tenths / 10, tenths % 10)
}

pub(super) async fn board(
    State(s): State<AppState>,
    session: Session,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let b = s.app.board(who).await?;
    let at_risk_day = day_ending_at(&b.at_risk_end);
    Ok(render(&BoardPage {
        layout: session.layout("Bảng điều hành"),
        unit_name: b.scope.unit_name.clone(),
        scope_note: scope_note(b.scope.whole_subtree, b.scope.units.len()),
        today: fmt::date(&b.now),
        counts: b
            .status_counts
            .iter()
            .map(|c| CountView {
                code: c.code,
                label: c.label,
                count: c.count,
            })
            .collect(),
        in_progress: b.in_progress,
        queues: vec![
            QueueView::of(
                "tre-han",
                "Hồ sơ trễ hạn đang giải quyết",
                "Đã quá ngày hẹn trả mà chưa có kết quả: cần chỉ đạo xử lý và xin lỗi người dân."
                    .into(),
                &b.late,
                "Không có hồ sơ trễ hạn.",
            ),
            QueueView::of(
                "co-nguy-co",
                "Hồ sơ có nguy cơ trễ hạn",
                format!("Hạn trả kết quả từ nay đến hết ngày {at_risk_day} (2 ngày làm việc tới)."),
                &b.at_risk,
                "Không có hồ sơ sắp đến hạn.",
            ),
        ],
        load: b
            .load
            .iter()
            .map(|l| LoadView {
                name: l.name.clone(),
                title: l.title.clone(),
                open: l.open,
                late: l.late,
            })
            .collect(),
        unassigned: b.unassigned,
        month: b.month_label.clone(),
        finished: b.finished,
        on_time: b.finished_on_time,
        finished_late: b.finished_late,
        on_time_percent: percent(b.finished_on_time, b.finished),
        closed: b.closed_without_result,
    }))
}
