//! Plans and tasks (kế hoạch CCHC) for staff and the reform administrator: the plan list, a
//! plan's tasks by reform area (filters: unit, state), a task with its progress reports and
//! files, the forms to report progress and change status, the administrator's forms to create
//! a plan and add tasks; a unit's board (overdue tasks, reports missing or incomplete, what is
//! due soon), the province list of everything overdue, and a unit's reports with submission
//! and review forms. Every rule and scope check is the app's (`cchc_app::plans`).
//!
//! Query parameters: `don-vi` (unit id), `tinh-trang` (task state code).

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cchc_app::files::Upload;
use cchc_app::plans::{
    NewPlan, NewTask, ObligationView, PlanDetail, TaskFilter, TaskView, UnitReports,
};
use cchc_app::{AppError, Principal, Role};
use cchc_domain::calendar::fmt_date;
use cchc_domain::plan::{Area, TaskState, TaskStatus};
use jiff::civil::Date;
use serde::Deserialize;

use super::{
    FormData, Layout, PageError, Params, Session, UploadSession, disposition, flash_redirect, fmt,
    read_multipart, render, render_status, sentence,
};
use crate::AppState;
use crate::pages::Multipart;

const BASE: &str = "/ke-hoach";

pub(super) fn routes(state: &AppState) -> Router<AppState> {
    let upload_limit = DefaultBodyLimit::max(state.config.max_upload_bytes);
    Router::new()
        .route(BASE, get(list).post(create_plan))
        .route("/ke-hoach/bang-theo-doi", get(board))
        .route("/ke-hoach/qua-han", get(overdue))
        .route("/ke-hoach/bao-cao", get(reports))
        .route(
            "/ke-hoach/bao-cao/{id}/nop",
            post(submit_report).layer(upload_limit),
        )
        .route("/ke-hoach/bao-cao/{id}/danh-gia", post(review_report))
        .route("/ke-hoach/tep/{id}", get(download))
        .route("/ke-hoach/nhiem-vu/{id}", get(task_page))
        .route(
            "/ke-hoach/nhiem-vu/{id}/tien-do",
            post(report_progress).layer(upload_limit),
        )
        .route("/ke-hoach/nhiem-vu/{id}/trang-thai", post(change_status))
        .route("/ke-hoach/{id}", get(plan_page))
        .route("/ke-hoach/{id}/nhiem-vu", post(add_task))
}

fn staff(session: &Session) -> Result<&Principal, PageError> {
    session.require_role(&[Role::Officer, Role::Leader, Role::Admin])
}

fn query(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

fn opt_date(d: Option<Date>) -> String {
    d.map_or_else(|| "—".to_owned(), fmt_date)
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// A task as a table row.
struct TaskRowView {
    id: String,
    href: String,
    title: String,
    area: &'static str,
    plan_number: String,
    lead: String,
    support: String,
    output: String,
    deadline: String,
    deadline_rule: String,
    status: &'static str,
    state: &'static str,
    state_class: &'static str,
    done_on: String,
    percent: i64,
}

fn task_row(t: &TaskView) -> TaskRowView {
    TaskRowView {
        id: t.id.clone(),
        href: format!("{BASE}/nhiem-vu/{}", t.id),
        title: t.title.clone(),
        area: t.area.label(),
        plan_number: t.plan_number.clone(),
        lead: t.lead.name.clone(),
        support: t
            .support
            .iter()
            .map(|u| u.name.clone())
            .collect::<Vec<_>>()
            .join("; "),
        output: t.output.clone(),
        deadline: fmt_date(t.deadline),
        deadline_rule: t.deadline_rule.clone(),
        status: t.status.label(),
        state: t.state.label(),
        state_class: t.state.class(),
        done_on: opt_date(t.done_on),
        percent: t.percent,
    }
}

/// A report owed as a table row.
struct ReportRowView {
    id: String,
    unit: String,
    unit_href: String,
    label: String,
    cycle: &'static str,
    due: String,
    submitted_on: String,
    review: &'static str,
    state: &'static str,
    state_class: &'static str,
}

fn report_row(o: &ObligationView) -> ReportRowView {
    ReportRowView {
        id: o.id.clone(),
        unit: o.unit.name.clone(),
        unit_href: format!("{BASE}/bao-cao?{}", query(&[("don-vi", &o.unit.id)])),
        label: o.label.clone(),
        cycle: o.cycle.label(),
        due: fmt_date(o.due),
        submitted_on: opt_date(o.submitted_on),
        review: match (o.submitted_on, o.complete) {
            (None, _) => "—",
            (Some(_), None) => "Chờ đánh giá",
            (Some(_), Some(true)) => "Đầy đủ",
            (Some(_), Some(false)) => "Chưa đầy đủ",
        },
        state: o.state.label(),
        state_class: o.state.class(),
    }
}

fn today(s: &AppState) -> Date {
    s.app.now().date()
}

// ---- the plan list and creating a plan -----------------------------------------------------

struct PlanItem {
    href: String,
    reference: String,
    title: String,
    issuer: String,
    period: String,
    demo: bool,
    tasks: i64,
    done: i64,
    overdue: i64,
}

#[derive(Default)]
struct PlanFormValues {
    number: String,
    date: String,
    issuer: String,
    period: String,
    title: String,
    note: String,
}

#[derive(Template)]
#[template(path = "plans/list.html")]
struct ListPage {
    layout: Layout,
    today: String,
    plans: Vec<PlanItem>,
    is_admin: bool,
    error: Option<String>,
    form: PlanFormValues,
}

async fn list_page(
    s: &AppState,
    session: &Session,
    who: &Principal,
    error: Option<String>,
    form: PlanFormValues,
) -> Result<ListPage, PageError> {
    let today = today(s);
    let plans = s
        .app
        .plan_list(who, today)
        .await?
        .into_iter()
        .map(|p| PlanItem {
            href: format!("{BASE}/{}", p.plan.id),
            reference: p.plan.reference(),
            demo: p.plan.source == "demo",
            title: p.plan.title,
            issuer: p.plan.issuer,
            period: p.plan.period,
            tasks: p.tasks,
            done: p.done,
            overdue: p.overdue,
        })
        .collect();
    Ok(ListPage {
        layout: session.layout("Kế hoạch cải cách hành chính"),
        today: fmt_date(today),
        plans,
        is_admin: who.role == Role::Admin,
        error,
        form,
    })
}

async fn list(State(s): State<AppState>, session: Session) -> Result<Response, PageError> {
    let who = staff(&session)?;
    Ok(render(
        &list_page(&s, &session, who, None, PlanFormValues::default()).await?,
    ))
}

async fn create_plan(
    State(s): State<AppState>,
    session: Session,
    form: FormData,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let input = NewPlan {
        number: form.get("so-hieu"),
        date: form.get("ngay"),
        issuer: form.get("co-quan"),
        period: form.get("ky"),
        title: form.get("trich-yeu"),
        note: form.get("ghi-chu"),
    };
    match s.app.create_plan(who, &input).await {
        Ok(id) => Ok(flash_redirect(
            &format!("{BASE}/{id}"),
            &format!("Đã tạo kế hoạch {}.", input.number.trim()),
        )),
        Err(AppError::Invalid(m)) => {
            let values = PlanFormValues {
                number: input.number,
                date: input.date,
                issuer: input.issuer,
                period: input.period,
                title: input.title,
                note: input.note,
            };
            let page = list_page(&s, &session, who, Some(sentence(&m)), values).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- a plan's page and adding a task -------------------------------------------------------

struct AreaGroup {
    number: usize,
    label: &'static str,
    code: &'static str,
    tasks: Vec<TaskRowView>,
}

#[derive(Default)]
struct TaskFormValues {
    area: String,
    title: String,
    output: String,
    lead: String,
    support: String,
    deadline: String,
    working_days: String,
    start: String,
}

#[derive(Template)]
#[template(path = "plans/plan.html")]
struct PlanPage {
    layout: Layout,
    id: String,
    reference: String,
    title: String,
    issuer: String,
    period: String,
    note: String,
    demo: bool,
    today: String,
    groups: Vec<AreaGroup>,
    total: usize,
    shown: usize,
    unit_filter: String,
    states: Vec<Choice>,
    areas: Vec<Choice>,
    is_admin: bool,
    error: Option<String>,
    form: TaskFormValues,
}

#[derive(Debug, Default, Deserialize)]
struct PlanQuery {
    #[serde(rename = "don-vi")]
    don_vi: Option<String>,
    #[serde(rename = "tinh-trang")]
    tinh_trang: Option<String>,
}

fn state_choices(current: Option<TaskState>) -> Vec<Choice> {
    std::iter::once(Choice {
        value: String::new(),
        label: "Tất cả".into(),
        selected: current.is_none(),
    })
    .chain(TaskState::ALL.iter().map(|st| Choice {
        value: st.code().to_owned(),
        label: st.label().to_owned(),
        selected: current == Some(*st),
    }))
    .collect()
}

fn area_choices(current: &str) -> Vec<Choice> {
    Area::ALL
        .iter()
        .map(|a| Choice {
            value: a.code().to_owned(),
            label: format!("{}. {}", a.number(), a.label()),
            selected: a.code() == current,
        })
        .collect()
}

async fn plan_page_of(
    s: &AppState,
    session: &Session,
    who: &Principal,
    id: &str,
    q: &PlanQuery,
    error: Option<String>,
    form: TaskFormValues,
) -> Result<PlanPage, PageError> {
    let state = match q.tinh_trang.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => Some(
            TaskState::parse(code)
                .ok_or_else(|| AppError::Invalid(format!("tình trạng '{code}' không hợp lệ")))?,
        ),
    };
    let unit = q
        .don_vi
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_owned);
    let today = today(s);
    let d: PlanDetail = s
        .app
        .plan_detail(
            who,
            id,
            &TaskFilter {
                unit: unit.clone(),
                state,
            },
            today,
        )
        .await?;
    let groups = d
        .groups
        .iter()
        .map(|(a, tasks)| AreaGroup {
            number: a.number(),
            label: a.label(),
            code: a.code(),
            tasks: tasks.iter().map(task_row).collect(),
        })
        .collect();
    Ok(PlanPage {
        layout: session.layout(format!("Kế hoạch {}", d.plan.reference())),
        id: d.plan.id.clone(),
        reference: d.plan.reference(),
        title: d.plan.title.clone(),
        issuer: d.plan.issuer.clone(),
        period: d.plan.period.clone(),
        note: d.plan.note.clone(),
        demo: d.plan.source == "demo",
        today: fmt_date(today),
        groups,
        total: d.total,
        shown: d.shown,
        unit_filter: unit.unwrap_or_default(),
        states: state_choices(state),
        areas: area_choices(&form.area),
        is_admin: who.role == Role::Admin,
        error,
        form,
    })
}

async fn plan_page(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Params(q): Params<PlanQuery>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let page = plan_page_of(&s, &session, who, &id, &q, None, TaskFormValues::default()).await?;
    Ok(render(&page))
}

async fn add_task(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let values = TaskFormValues {
        area: form.get("linh-vuc"),
        title: form.get("ten"),
        output: form.get("san-pham"),
        lead: form.get("chu-tri"),
        support: form.get("phoi-hop"),
        deadline: form.get("han"),
        working_days: form.get("so-ngay"),
        start: form.get("tu-ngay"),
    };
    let input = NewTask {
        area: values.area.clone(),
        title: values.title.clone(),
        output: values.output.clone(),
        lead_unit: values.lead.clone(),
        support_units: values
            .support
            .split([',', ';', ' ', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        deadline: values.deadline.clone(),
        working_days: values.working_days.clone(),
        start: values.start.clone(),
    };
    match s.app.add_task(who, &id, &input).await {
        Ok(task) => Ok(flash_redirect(
            &format!("{BASE}/nhiem-vu/{task}"),
            "Đã thêm nhiệm vụ vào kế hoạch.",
        )),
        Err(AppError::Invalid(m)) => {
            let page = plan_page_of(
                &s,
                &session,
                who,
                &id,
                &PlanQuery::default(),
                Some(sentence(&m)),
                values,
            )
            .await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- a task ---------------------------------------------------------------------------------

struct FileView {
    href: String,
    name: String,
    size: String,
}

fn file_views(files: &[cchc_app::plans::PlanFile]) -> Vec<FileView> {
    files
        .iter()
        .map(|f| FileView {
            href: format!("{BASE}/tep/{}", f.id),
            name: f.file_name.clone(),
            size: format!(
                "{} KB",
                cchc_domain::text::group_thousands((f.size_bytes + 1023) / 1024)
            ),
        })
        .collect()
}

struct ProgressItem {
    at: String,
    by: String,
    percent: i64,
    body: String,
    status: &'static str,
    files: Vec<FileView>,
}

#[derive(Template)]
#[template(path = "plans/task.html")]
struct TaskPage {
    layout: Layout,
    task: TaskRowView,
    plan_href: String,
    plan_reference: String,
    plan_title: String,
    board_href: String,
    progress: Vec<ProgressItem>,
    may_report: bool,
    open: bool,
    statuses: Vec<Choice>,
    today_iso: String,
    error: Option<String>,
}

async fn task_page_of(
    s: &AppState,
    session: &Session,
    who: &Principal,
    id: &str,
    error: Option<String>,
) -> Result<TaskPage, PageError> {
    let today = today(s);
    let d = s.app.task_detail(who, id, today).await?;
    let is_admin = who.role == Role::Admin;
    let statuses = TaskStatus::ALL
        .iter()
        .filter(|st| is_admin || **st != TaskStatus::Cancelled)
        .map(|st| Choice {
            value: st.code().to_owned(),
            label: st.label().to_owned(),
            selected: *st == d.task.status,
        })
        .collect();
    Ok(TaskPage {
        layout: session.layout(format!("Nhiệm vụ: {}", d.task.title)),
        plan_href: format!("{BASE}/{}", d.plan.id),
        plan_reference: d.plan.reference(),
        plan_title: d.plan.title.clone(),
        board_href: format!(
            "{BASE}/bang-theo-doi?{}",
            query(&[("don-vi", &d.task.lead.id)])
        ),
        open: d.task.status.is_open(),
        task: task_row(&d.task),
        progress: d
            .progress
            .iter()
            .map(|p| ProgressItem {
                at: fmt::datetime(&p.reported_at),
                by: p.reported_by.clone(),
                percent: p.percent,
                body: p.body.clone(),
                status: p.status.label(),
                files: file_views(&p.files),
            })
            .collect(),
        may_report: d.may_report,
        statuses,
        today_iso: today.to_string(),
        error,
    })
}

async fn task_page(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    Ok(render(&task_page_of(&s, &session, who, &id, None).await?))
}

async fn refuse_task(
    s: &AppState,
    session: &Session,
    who: &Principal,
    id: &str,
    message: &str,
) -> Result<Response, PageError> {
    let page = task_page_of(s, session, who, id, Some(sentence(message))).await?;
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn report_progress(
    State(s): State<AppState>,
    UploadSession(session): UploadSession,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let form = read_multipart(&session, multipart).await?;
    let who = staff(&session)?;
    let text = form.fields.get("noi-dung");
    let percent_text = form.fields.get("ty-le");
    let Ok(percent) = percent_text.trim_end_matches('%').trim().parse::<i64>() else {
        return refuse_task(
            &s,
            &session,
            who,
            &id,
            "Tỷ lệ hoàn thành phải là số nguyên từ 0 đến 100",
        )
        .await;
    };
    let uploads = form
        .files
        .into_iter()
        .filter(|(field, _, _)| field == "tep")
        .map(|(_, file_name, content)| Upload {
            component: "Tài liệu báo cáo tiến độ".into(),
            file_name,
            content,
        })
        .collect();
    match s
        .app
        .report_progress(who, &id, &text, percent, uploads)
        .await
    {
        Ok(()) => Ok(flash_redirect(
            &format!("{BASE}/nhiem-vu/{id}"),
            &format!("Đã ghi nhận báo cáo tiến độ ({percent}%)."),
        )),
        Err(AppError::Invalid(m)) => refuse_task(&s, &session, who, &id, &m).await,
        Err(e) => Err(e.into()),
    }
}

async fn change_status(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    match s
        .app
        .change_task_status(
            who,
            &id,
            &form.get("trang-thai"),
            &form.get("ngay-hoan-thanh"),
            &form.get("ghi-chu"),
        )
        .await
    {
        Ok(state) => Ok(flash_redirect(
            &format!("{BASE}/nhiem-vu/{id}"),
            &format!("Đã cập nhật trạng thái nhiệm vụ: {}.", state.label()),
        )),
        Err(AppError::Invalid(m)) => refuse_task(&s, &session, who, &id, &m).await,
        Err(e) => Err(e.into()),
    }
}

async fn download(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let (info, content) = s.app.plan_file(who, &id).await?;
    let content_type = HeaderValue::from_str(&info.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let mut resp = (StatusCode::OK, content).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, content_type);
    h.insert(header::CONTENT_DISPOSITION, disposition(&info.file_name));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(resp)
}

// ---- boards ---------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
struct UnitQuery {
    #[serde(rename = "don-vi")]
    don_vi: Option<String>,
}

#[derive(Template)]
#[template(path = "plans/board.html")]
struct BoardPage {
    layout: Layout,
    unit_id: String,
    unit_name: String,
    today: String,
    upcoming_days: i64,
    overdue_tasks: Vec<TaskRowView>,
    upcoming_tasks: Vec<TaskRowView>,
    reports_needing: Vec<ReportRowView>,
    upcoming_reports: Vec<ReportRowView>,
    reports_href: String,
    overdue_href: String,
}

async fn board(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<UnitQuery>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let unit = match s.app.plan_unit_for(who, q.don_vi.as_deref()) {
        Ok(u) => u,
        // An administrator without a unit starts from the province list.
        Err(AppError::Invalid(_)) if who.role == Role::Admin => {
            return Ok(axum::response::Redirect::to("/ke-hoach/qua-han").into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let b = s.app.unit_board(who, &unit, today(&s)).await?;
    Ok(render(&BoardPage {
        layout: session.layout(format!("Theo dõi nhiệm vụ: {}", b.unit.name)),
        reports_href: format!("{BASE}/bao-cao?{}", query(&[("don-vi", &b.unit.id)])),
        overdue_href: format!("{BASE}/qua-han?{}", query(&[("don-vi", &b.unit.id)])),
        unit_id: b.unit.id.clone(),
        unit_name: b.unit.name.clone(),
        today: fmt_date(b.today),
        upcoming_days: cchc_app::plans::UPCOMING_DAYS,
        overdue_tasks: b.overdue_tasks.iter().map(task_row).collect(),
        upcoming_tasks: b.upcoming_tasks.iter().map(task_row).collect(),
        reports_needing: b.reports_needing.iter().map(report_row).collect(),
        upcoming_reports: b.upcoming_reports.iter().map(report_row).collect(),
    }))
}

#[derive(Template)]
#[template(path = "plans/overdue.html")]
struct OverduePage {
    layout: Layout,
    scope: String,
    unit_filter: String,
    today: String,
    tasks: Vec<TaskRowView>,
    reports: Vec<ReportRowView>,
}

async fn overdue(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<UnitQuery>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let l = s
        .app
        .overdue_list(who, q.don_vi.as_deref(), today(&s))
        .await?;
    let scope = match (&l.unit, who.role) {
        (Some(u), _) => u.name.clone(),
        (None, Role::Admin) => "Toàn tỉnh".to_owned(),
        (None, _) => "Đơn vị của tôi và đơn vị trực thuộc".to_owned(),
    };
    Ok(render(&OverduePage {
        layout: session.layout("Nhiệm vụ và báo cáo quá hạn"),
        scope,
        unit_filter: l.unit.as_ref().map(|u| u.id.clone()).unwrap_or_default(),
        today: fmt_date(l.today),
        tasks: l.tasks.iter().map(task_row).collect(),
        reports: l.reports.iter().map(report_row).collect(),
    }))
}

// ---- reports --------------------------------------------------------------------------------

struct SubmissionItem {
    at: String,
    by: String,
    note: String,
    review: String,
    review_note: String,
    files: Vec<FileView>,
}

struct ReportItem {
    row: ReportRowView,
    submissions: Vec<SubmissionItem>,
    /// The latest submission, if it waits for (or may get) a review.
    latest: Option<String>,
    may_submit: bool,
}

#[derive(Template)]
#[template(path = "plans/reports.html")]
struct ReportsPage {
    layout: Layout,
    unit_id: String,
    unit_name: String,
    today: String,
    board_href: String,
    items: Vec<ReportItem>,
    may_review: bool,
    error: Option<String>,
}

async fn reports_page_of(
    s: &AppState,
    session: &Session,
    who: &Principal,
    asked: Option<&str>,
    error: Option<String>,
) -> Result<ReportsPage, PageError> {
    let unit = s.app.plan_unit_for(who, asked)?;
    let today = today(s);
    let r: UnitReports = s.app.unit_reports(who, &unit, today).await?;
    let items = r
        .reports
        .iter()
        .rev()
        .map(|(o, subs)| ReportItem {
            row: report_row(o),
            latest: subs.first().map(|x| x.id.clone()),
            may_submit: r.may_submit && o.complete != Some(true),
            submissions: subs
                .iter()
                .map(|x| SubmissionItem {
                    at: fmt::datetime(&x.submitted_at),
                    by: x.submitted_by.clone(),
                    note: x.note.clone(),
                    review: match x.complete {
                        None => "Chờ đánh giá".to_owned(),
                        Some(true) => "Đầy đủ".to_owned(),
                        Some(false) => "Chưa đầy đủ".to_owned(),
                    },
                    review_note: x.review_note.clone(),
                    files: file_views(&x.files),
                })
                .collect(),
        })
        .collect();
    Ok(ReportsPage {
        layout: session.layout(format!("Chế độ báo cáo: {}", r.unit.name)),
        board_href: format!("{BASE}/bang-theo-doi?{}", query(&[("don-vi", &r.unit.id)])),
        unit_id: r.unit.id.clone(),
        unit_name: r.unit.name.clone(),
        today: fmt_date(today),
        items,
        may_review: r.may_review,
        error,
    })
}

async fn reports(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<UnitQuery>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    Ok(render(
        &reports_page_of(&s, &session, who, q.don_vi.as_deref(), None).await?,
    ))
}

async fn submit_report(
    State(s): State<AppState>,
    UploadSession(session): UploadSession,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let form = read_multipart(&session, multipart).await?;
    let who = staff(&session)?;
    let unit = form.fields.get("don-vi");
    let upload = form
        .files
        .into_iter()
        .find(|(field, _, _)| field == "tep")
        .map(|(_, file_name, content)| Upload {
            component: "Báo cáo cải cách hành chính".into(),
            file_name,
            content,
        });
    match s
        .app
        .submit_report(who, &id, &form.fields.get("ghi-chu"), upload)
        .await
    {
        Ok(()) => Ok(flash_redirect(
            &format!("{BASE}/bao-cao?{}", query(&[("don-vi", &unit)])),
            "Đã nộp báo cáo; báo cáo chờ Phòng Cải cách hành chính đánh giá.",
        )),
        Err(AppError::Invalid(m)) => {
            let page = reports_page_of(&s, &session, who, Some(&unit), Some(sentence(&m))).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

async fn review_report(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let unit = form.get("don-vi");
    let complete = match form.get("danh-gia").as_str() {
        "day-du" => true,
        "chua-day-du" => false,
        _ => {
            let page = reports_page_of(
                &s,
                &session,
                who,
                Some(&unit),
                Some("Cần chọn đánh giá: đầy đủ hoặc chưa đầy đủ.".into()),
            )
            .await?;
            return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    match s
        .app
        .review_report(
            who,
            &id,
            &form.get("lan-nop"),
            complete,
            &form.get("ghi-chu"),
        )
        .await
    {
        Ok(()) => Ok(flash_redirect(
            &format!("{BASE}/bao-cao?{}", query(&[("don-vi", &unit)])),
            if complete {
                "Đã đánh giá báo cáo: đầy đủ."
            } else {
                "Đã đánh giá báo cáo: chưa đầy đủ; đơn vị cần nộp bổ sung."
            },
        )),
        Err(AppError::Invalid(m)) => {
            let page = reports_page_of(&s, &session, who, Some(&unit), Some(sentence(&m))).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}
