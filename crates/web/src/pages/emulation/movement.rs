//! The movements list with the form to launch one, and a movement's page: its plan and
//! criteria, the evaluation of a year with the units' and staff's verdicts, the nomination
//! lists, evaluate and approve, the proposal documents and the signed decisions.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use cchc_app::emulation::{Evaluation, Movement, NewMovement, criteria_sets};
use cchc_app::{AppError, Principal, Role};
use cchc_domain::emulation::{SubjectKind, SubjectResult, Verdict};
use cchc_domain::unit::UnitKind;
use serde::Deserialize;
use std::collections::HashMap;

use super::{
    BASE, Choice, VerdictView, kind_slug, movement_href, query, seg, staff, subject_href,
    verdict_view,
};
use crate::AppState;
use crate::pages::{
    FormData, Layout, PageError, Params, Session, flash_redirect, fmt, render, render_status,
    sentence,
};

/// Staff rows a page of the table shows.
const PER_PAGE: usize = 50;

/// Unit kinds a movement may take part with.
const UNIT_KINDS: &[(&str, UnitKind)] = &[
    ("department", UnitKind::Department),
    ("commune", UnitKind::Commune),
    ("district", UnitKind::District),
];

// ---- the list -----------------------------------------------------------------------------

struct MovementRowView {
    href: String,
    code: String,
    title: String,
    plan: String,
    years: String,
}

/// What the administrator typed, sent back with the error.
#[derive(Default)]
struct NewForm {
    code: String,
    title: String,
    plan_number: String,
    plan_date: String,
    issuer: String,
    first_year: String,
    last_year: String,
    areas: String,
    kinds: Vec<Choice>,
    sets: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "emulation/list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<MovementRowView>,
    is_admin: bool,
    records_href: String,
    form: NewForm,
    error: Option<String>,
}

fn new_form(f: Option<&FormData>) -> Result<NewForm, AppError> {
    let get = |k: &str| f.map(|f| f.get(k)).unwrap_or_default();
    let kinds_chosen = f.map(|f| f.all("loai-don-vi")).unwrap_or_default();
    let set_chosen = get("bo-tieu-chi");
    Ok(NewForm {
        code: get("ma"),
        title: get("ten"),
        plan_number: get("so-ke-hoach"),
        plan_date: get("ngay-ke-hoach"),
        issuer: get("co-quan"),
        first_year: get("tu-nam"),
        last_year: get("den-nam"),
        areas: f
            .map(|f| {
                f.0.iter()
                    .find(|(k, _)| k == "noi-dung")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            })
            .unwrap_or_default(),
        kinds: UNIT_KINDS
            .iter()
            .map(|(code, kind)| Choice {
                value: (*code).to_owned(),
                label: kind.label().to_owned(),
                selected: if f.is_some() {
                    kinds_chosen.iter().any(|k| k == code)
                } else {
                    *kind != UnitKind::District
                },
            })
            .collect(),
        sets: criteria_sets()?
            .iter()
            .enumerate()
            .map(|(i, s)| Choice {
                value: s.key(),
                label: format!("{} (phiên bản {})", s.title, s.version),
                selected: if set_chosen.is_empty() {
                    i == 0
                } else {
                    s.key() == set_chosen
                },
            })
            .collect(),
    })
}

async fn list_page(
    s: &AppState,
    session: &Session,
    who: &Principal,
    form: Option<&FormData>,
    error: Option<String>,
) -> Result<ListPage, PageError> {
    let this_year = s.app.now().date().year();
    let rows = s
        .app
        .movements(who)
        .await?
        .into_iter()
        .map(|m| MovementRowView {
            href: movement_href(&m.code, default_year(&m, this_year)),
            plan: m.plan_reference(),
            years: format!("{} - {}", m.first_year, m.last_year),
            code: m.code,
            title: m.title,
        })
        .collect();
    Ok(ListPage {
        layout: session.layout("Thi đua, khen thưởng"),
        rows,
        is_admin: who.role == Role::Admin,
        records_href: format!("{}?nam={}", super::RECORDS, this_year - 1),
        form: new_form(form)?,
        error,
    })
}

pub(super) async fn list(
    State(s): State<AppState>,
    session: Session,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    Ok(render(&list_page(&s, &session, who, None, None).await?))
}

pub(super) async fn create(
    State(s): State<AppState>,
    session: Session,
    form: FormData,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let year = |k: &str| -> Result<i16, AppError> {
        form.get(k)
            .parse()
            .map_err(|_| AppError::Invalid("năm bắt đầu và năm kết thúc phải là số năm".into()))
    };
    let made = match (year("tu-nam"), year("den-nam")) {
        (Ok(first_year), Ok(last_year)) => {
            let m = NewMovement {
                code: form.get("ma"),
                title: form.get("ten"),
                plan_number: form.get("so-ke-hoach"),
                plan_date: form.get("ngay-ke-hoach"),
                issuer: form.get("co-quan"),
                first_year,
                last_year,
                unit_kinds: form.all("loai-don-vi"),
                content_areas: form
                    .get("noi-dung")
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
                criteria: form.get("bo-tieu-chi"),
            };
            s.app.create_movement(who, &m).await
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match made {
        Ok(m) => Ok(flash_redirect(
            &movement_href(&m.code, default_year(&m, s.app.now().date().year())),
            &format!("Đã phát động phong trào «{}».", m.title),
        )),
        Err(AppError::Invalid(msg)) => {
            let page = list_page(&s, &session, who, Some(&form), Some(sentence(&msg))).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(AppError::Conflict(_)) => {
            let page = list_page(
                &s,
                &session,
                who,
                Some(&form),
                Some("Mã phong trào này đã có.".into()),
            )
            .await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- a movement ---------------------------------------------------------------------------

/// The year a movement's page opens on: the last full year within the movement.
pub(super) fn default_year(m: &Movement, this_year: i16) -> i16 {
    (this_year - 1).clamp(m.first_year, m.last_year)
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct MovementQuery {
    nam: Option<String>,
    #[serde(rename = "ket-qua")]
    ket_qua: Option<String>,
    #[serde(rename = "don-vi")]
    don_vi: Option<String>,
    q: Option<String>,
    trang: Option<String>,
}

pub(super) struct CriterionView {
    pub id: String,
    pub label: String,
}

pub(super) struct MovementView {
    pub code: String,
    /// The movement's address (its code percent-encoded).
    pub path: String,
    pub title: String,
    pub plan: String,
    pub years: String,
    pub kinds: String,
    pub areas: Vec<String>,
    pub criteria_title: String,
    pub criteria_source: String,
    pub criteria_key: String,
    pub collective: Vec<CriterionView>,
    pub individual: Vec<CriterionView>,
}

pub(super) fn movement_view(m: &Movement) -> MovementView {
    let crit = |kind: SubjectKind| {
        m.criteria
            .criteria(kind)
            .iter()
            .map(|c| CriterionView {
                id: c.id.clone(),
                label: c.label.clone(),
            })
            .collect()
    };
    MovementView {
        code: m.code.clone(),
        path: format!("{BASE}/{}", seg(&m.code)),
        title: m.title.clone(),
        plan: m.plan_reference(),
        years: format!("{} - {}", m.first_year, m.last_year),
        kinds: m
            .unit_kinds
            .iter()
            .map(|k| k.label())
            .collect::<Vec<_>>()
            .join("; "),
        areas: m.content_areas.clone(),
        criteria_title: m.criteria.title.clone(),
        criteria_source: m.criteria.source.clone(),
        criteria_key: m.criteria_key.clone(),
        collective: crit(SubjectKind::Collective),
        individual: crit(SubjectKind::Individual),
    }
}

struct SubjectRowView {
    name: String,
    title: String,
    unit_name: String,
    href: String,
    cells: Vec<VerdictView>,
    overall: VerdictView,
}

fn subject_row(code: &str, year: i16, ids: &[String], s: &SubjectResult) -> SubjectRowView {
    SubjectRowView {
        name: s.name.clone(),
        title: s.title.clone().unwrap_or_default(),
        unit_name: s.unit_name.clone(),
        href: subject_href(code, year, s.kind, &s.id),
        cells: ids
            .iter()
            .map(|id| match s.result_of(id) {
                Some(c) => verdict_view(c.verdict, c.adjusted.is_some()),
                None => verdict_view(Verdict::NoData, false),
            })
            .collect(),
        overall: verdict_view(s.verdict, false),
    }
}

struct TallyView {
    met: usize,
    not_met: usize,
    no_data: usize,
    total: usize,
}

struct NomineeView {
    name: String,
    detail: String,
    href: String,
    report_href: String,
}

struct NominationView {
    /// A safe prefix for the ids of this list's fields.
    id: String,
    form: String,
    form_label: String,
    issuer: String,
    nominees: Vec<NomineeView>,
    bundle_href: String,
    letter_href: String,
    minutes_href: String,
    print_href: String,
    /// The decision recorded for this list, if any.
    decided: Option<String>,
}

struct RewardView {
    name: String,
    kind: &'static str,
}

struct DecisionView {
    decision: String,
    signed_on: String,
    form_label: String,
    issuer: String,
    uploaded: String,
    href: String,
    file_name: String,
    rewards: Vec<RewardView>,
}

struct EvalView {
    run: String,
    approved: bool,
    status: &'static str,
    evaluated_by: String,
    evaluated_at: String,
    approved_by: String,
    approved_at: String,
    fingerprint: String,
    /// The results as Excel.
    workbook_href: String,
    provisional: bool,
    judged_on: String,
    elapsed_ms: u64,
    units: TallyView,
    people: TallyView,
    unit_rows: Vec<SubjectRowView>,
    staff_rows: Vec<SubjectRowView>,
    staff_shown: usize,
    page: usize,
    pages: usize,
    prev_href: Option<String>,
    next_href: Option<String>,
    verdicts: Vec<Choice>,
    unit_filter: Vec<Choice>,
    q: String,
    nominations: Vec<NominationView>,
    review: Vec<SubjectRowView>,
    adjustments: usize,
    decisions: Vec<DecisionView>,
}

#[derive(Template)]
#[template(path = "emulation/movement.html")]
struct MovementPage {
    layout: Layout,
    m: MovementView,
    year: i16,
    years: Vec<Choice>,
    is_admin: bool,
    eval: Option<EvalView>,
    can_evaluate: bool,
    can_approve: bool,
    error: Option<String>,
    back_href: String,
    records_href: String,
}

fn tally(e: &Evaluation, kind: SubjectKind) -> TallyView {
    let t = e.tally(kind);
    TallyView {
        met: t.met,
        not_met: t.not_met,
        no_data: t.no_data,
        total: t.met + t.not_met + t.no_data,
    }
}

fn verdict_filter(text: &str) -> Result<Option<Verdict>, AppError> {
    match text.trim() {
        "" => Ok(None),
        "dat" => Ok(Some(Verdict::Met)),
        "khong-dat" => Ok(Some(Verdict::NotMet)),
        "chua-du" => Ok(Some(Verdict::NoData)),
        other => Err(AppError::Invalid(format!(
            "kết quả «{other}» không hợp lệ (dat, khong-dat, chua-du)"
        ))),
    }
}

/// The query of a document of one nomination list.
pub(super) fn list_query(form: &str, issuer: &str, doc: &str, subject: Option<&str>) -> String {
    query(&[
        ("hinh-thuc", form),
        ("noi-ky", issuer),
        ("tai-lieu", doc),
        ("doi-tuong", subject.unwrap_or("")),
    ])
}

#[allow(clippy::too_many_arguments)]
async fn eval_view(
    s: &AppState,
    who: &Principal,
    m: &Movement,
    year: i16,
    e: &Evaluation,
    q: &MovementQuery,
) -> Result<EvalView, PageError> {
    let code = &m.code;
    let col_ids: Vec<String> = m
        .criteria
        .criteria(SubjectKind::Collective)
        .iter()
        .map(|c| c.id.clone())
        .collect();
    let ind_ids: Vec<String> = m
        .criteria
        .criteria(SubjectKind::Individual)
        .iter()
        .map(|c| c.id.clone())
        .collect();
    let subjects = &e.result.subjects;
    let mut units: Vec<&SubjectResult> = subjects
        .iter()
        .filter(|x| x.kind == SubjectKind::Collective)
        .collect();
    units.sort_by(|a, b| a.name.cmp(&b.name));
    let unit_rows = units
        .iter()
        .map(|x| subject_row(code, year, &col_ids, x))
        .collect();

    // Staff: filtered, then a page of them.
    let verdict = verdict_filter(q.ket_qua.as_deref().unwrap_or(""))?;
    let unit = q.don_vi.clone().unwrap_or_default().trim().to_owned();
    let needle = cchc_domain::text::fold(q.q.as_deref().unwrap_or(""));
    let mut people: Vec<&SubjectResult> = subjects
        .iter()
        .filter(|x| x.kind == SubjectKind::Individual)
        .filter(|x| verdict.is_none_or(|v| x.verdict == v))
        .filter(|x| unit.is_empty() || x.unit == unit)
        .filter(|x| needle.is_empty() || cchc_domain::text::fold(&x.name).contains(&needle))
        .collect();
    people.sort_by(|a, b| {
        a.unit_name
            .cmp(&b.unit_name)
            .then_with(|| a.name.cmp(&b.name))
    });
    let total = people.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = match q.trang.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => t
            .parse::<usize>()
            .ok()
            .filter(|p| (1..=pages).contains(p))
            .ok_or_else(|| AppError::Invalid(format!("trang «{t}» không có (1 đến {pages})")))?,
        None => 1,
    };
    let staff_rows: Vec<SubjectRowView> = people
        .iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|x| subject_row(code, year, &ind_ids, x))
        .collect();
    let year_text = year.to_string();
    let ket_qua = q.ket_qua.clone().unwrap_or_default();
    let q_text = q.q.clone().unwrap_or_default();
    let page_href = |p: usize| {
        format!(
            "{BASE}/{}?{}#can-bo",
            seg(code),
            query(&[
                ("nam", &year_text),
                ("ket-qua", &ket_qua),
                ("don-vi", &unit),
                ("q", &q_text),
                ("trang", &p.to_string()),
            ])
        )
    };
    let verdicts = [
        ("", "Tất cả"),
        ("dat", "Đạt"),
        ("khong-dat", "Không đạt"),
        ("chua-du", "Chưa đủ dữ liệu"),
    ]
    .iter()
    .map(|(v, l)| Choice {
        value: (*v).to_owned(),
        label: (*l).to_owned(),
        selected: *v == ket_qua.trim(),
    })
    .collect();
    let mut unit_filter = vec![Choice {
        value: String::new(),
        label: "Tất cả đơn vị".into(),
        selected: unit.is_empty(),
    }];
    unit_filter.extend(units.iter().map(|u| Choice {
        value: u.id.clone(),
        label: u.name.clone(),
        selected: u.id == unit,
    }));

    // Decisions recorded for the approved lists.
    let (decisions, rewards) = if e.is_approved() {
        s.app.decisions_of(who, &e.run).await?
    } else {
        (Vec::new(), Vec::new())
    };
    let set = m.criteria;
    let decided: HashMap<(String, String), String> = decisions
        .iter()
        .map(|d| {
            (
                (d.form.clone(), d.issuer.clone()),
                format!("{} ngày {}", d.decision, fmt::date(&d.signed_on)),
            )
        })
        .collect();
    let doc_base = format!("{BASE}/{}/{year}", seg(code));
    let nominations = e
        .nominations()?
        .into_iter()
        .enumerate()
        .map(|(i, n)| NominationView {
            id: format!("ds{}", i + 1),
            nominees: n
                .subjects
                .iter()
                .map(|x| NomineeView {
                    name: x.name.clone(),
                    detail: match (&x.title, x.kind) {
                        (Some(t), SubjectKind::Individual) if !t.is_empty() => {
                            format!("{t}, {}", x.unit_name)
                        }
                        (_, SubjectKind::Individual) => x.unit_name.clone(),
                        _ => x.kind.label().to_owned(),
                    },
                    href: subject_href(code, year, x.kind, &x.id),
                    report_href: format!(
                        "{doc_base}/de-nghi?{}",
                        list_query(
                            &n.form,
                            &n.issuer,
                            "bao-cao",
                            Some(&format!("{}:{}", kind_slug(x.kind), x.id))
                        )
                    ),
                })
                .collect(),
            bundle_href: format!(
                "{doc_base}/de-nghi?{}",
                list_query(&n.form, &n.issuer, "ho-so", None)
            ),
            letter_href: format!(
                "{doc_base}/de-nghi?{}",
                list_query(&n.form, &n.issuer, "to-trinh", None)
            ),
            minutes_href: format!(
                "{doc_base}/de-nghi?{}",
                list_query(&n.form, &n.issuer, "bien-ban", None)
            ),
            print_href: format!(
                "{doc_base}/ban-in?{}",
                list_query(&n.form, &n.issuer, "", None)
            ),
            decided: decided.get(&(n.form.clone(), n.issuer.clone())).cloned(),
            form: n.form,
            form_label: n.form_label,
            issuer: n.issuer,
        })
        .collect();
    let decisions = decisions
        .iter()
        .map(|d| DecisionView {
            decision: d.decision.clone(),
            signed_on: fmt::date(&d.signed_on),
            form_label: set
                .form(&d.form)
                .map_or_else(|| d.form.clone(), |f| f.label.clone()),
            issuer: d.issuer.clone(),
            uploaded: format!("{}, {}", d.uploaded_by, fmt::datetime(&d.uploaded_at)),
            href: format!(
                "{BASE}/tai-lieu?{}",
                query(&[("loai", "quyet-dinh"), ("id", &d.id)])
            ),
            file_name: d.file_name.clone(),
            rewards: rewards
                .iter()
                .filter(|r| r.decision == d.id)
                .map(|r| RewardView {
                    name: r.name.clone(),
                    kind: SubjectKind::from_code(&r.subject_kind).map_or("", SubjectKind::label),
                })
                .collect(),
        })
        .collect();
    let review = subjects
        .iter()
        .filter(|x| x.verdict == Verdict::NoData)
        .map(|x| {
            let ids = match x.kind {
                SubjectKind::Collective => &col_ids,
                SubjectKind::Individual => &ind_ids,
            };
            subject_row(code, year, ids, x)
        })
        .collect();
    Ok(EvalView {
        run: e.run.clone(),
        approved: e.is_approved(),
        status: if e.is_approved() {
            "Đã phê duyệt"
        } else {
            "Chờ phê duyệt"
        },
        evaluated_by: e.evaluated_by.clone(),
        evaluated_at: fmt::datetime(&e.evaluated_at),
        approved_by: e.approved_by.clone().unwrap_or_default(),
        approved_at: fmt::opt_datetime(e.approved_at.as_deref()),
        fingerprint: e.fingerprint.clone(),
        workbook_href: format!("{}/{}/{year}/ket-qua.xlsx", super::BASE, super::seg(code)),
        provisional: e.result.provisional,
        judged_on: cchc_domain::calendar::fmt_date(e.result.judged_on),
        elapsed_ms: e.result.elapsed_ms,
        units: tally(e, SubjectKind::Collective),
        people: tally(e, SubjectKind::Individual),
        unit_rows,
        staff_rows,
        staff_shown: total,
        page,
        pages,
        prev_href: (page > 1).then(|| page_href(page - 1)),
        next_href: (page < pages).then(|| page_href(page + 1)),
        verdicts,
        unit_filter,
        q: q_text.clone(),
        nominations,
        review,
        adjustments: e.adjustments.len(),
        decisions,
    })
}

async fn movement_page(
    s: &AppState,
    session: &Session,
    who: &Principal,
    code: &str,
    year: Option<i16>,
    q: &MovementQuery,
    error: Option<String>,
) -> Result<MovementPage, PageError> {
    let m = s.app.movement(who, code).await?;
    let this_year = s.app.now().date().year();
    let year = match year {
        Some(y) => y,
        None => match q.nam.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => super::year_of(t)?,
            None => default_year(&m, this_year),
        },
    };
    if year < m.first_year || year > m.last_year {
        return Err(AppError::NotFound(format!(
            "năm {year} trong phong trào (giai đoạn {} - {})",
            m.first_year, m.last_year
        ))
        .into());
    }
    let e = s.app.evaluation(who, code, year).await?;
    let is_admin = who.role == Role::Admin;
    let eval = match &e {
        Some(e) => Some(eval_view(s, who, &m, year, e, q).await?),
        None => None,
    };
    let years = (m.first_year..=m.last_year.min(this_year))
        .rev()
        .map(|y| Choice {
            value: y.to_string(),
            label: format!("Năm {y}"),
            selected: y == year,
        })
        .collect();
    Ok(MovementPage {
        layout: session.layout(format!("{} · năm {year}", m.title)),
        m: movement_view(&m),
        year,
        years,
        is_admin,
        can_evaluate: is_admin && e.as_ref().is_none_or(|e| !e.is_approved()) && year <= this_year,
        can_approve: is_admin
            && e.as_ref()
                .is_some_and(|e| e.is_draft() && !e.result.provisional),
        eval,
        error,
        back_href: BASE.to_owned(),
        records_href: format!("{}?nam={year}", super::RECORDS),
    })
}

pub(super) async fn page(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    Params(q): Params<MovementQuery>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    Ok(render(
        &movement_page(&s, &session, who, &code, None, &q, None).await?,
    ))
}

/// The movement's page again with the reason an action was refused (422).
pub(super) async fn refuse(
    s: &AppState,
    session: &Session,
    who: &Principal,
    code: &str,
    year: i16,
    message: &str,
) -> Result<Response, PageError> {
    let page = movement_page(
        s,
        session,
        who,
        code,
        Some(year),
        &MovementQuery::default(),
        Some(sentence(message)),
    )
    .await?;
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

pub(super) async fn evaluate(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let year = super::year_of(&form.get("nam"))?;
    match s.app.evaluate_movement(who, &code, year).await {
        Ok(e) => {
            let units = e.tally(SubjectKind::Collective);
            let people = e.tally(SubjectKind::Individual);
            Ok(flash_redirect(
                &movement_href(&code, year),
                &format!(
                    "Đã đánh giá năm {year} ({} ms): {} đơn vị và {} cán bộ đạt mọi tiêu chí; kết quả chờ phê duyệt.",
                    e.result.elapsed_ms, units.met, people.met
                ),
            ))
        }
        Err(AppError::Invalid(msg)) => refuse(&s, &session, who, &code, year, &msg).await,
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn approve(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let year = super::year_of(&form.get("nam"))?;
    let run = form.get("lan-danh-gia");
    // The run approved must be the one the page showed (not a newer evaluation).
    let current = s.app.evaluation(who, &code, year).await?;
    if current.as_ref().is_none_or(|e| e.run != run) {
        return refuse(
            &s,
            &session,
            who,
            &code,
            year,
            "kết quả đánh giá vừa thay đổi; hãy xem lại trước khi phê duyệt",
        )
        .await;
    }
    match s.app.approve_evaluation(who, &run).await {
        Ok(e) => Ok(flash_redirect(
            &movement_href(&code, year),
            &format!(
                "Đã phê duyệt danh sách năm {year}; dấu vân tay kết quả {}.",
                &e.fingerprint[..e.fingerprint.len().min(16)]
            ),
        )),
        Err(AppError::Invalid(msg)) => refuse(&s, &session, who, &code, year, &msg).await,
        Err(e) => Err(e.into()),
    }
}
