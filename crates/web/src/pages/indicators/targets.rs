//! The plans' targets (chỉ tiêu) for a unit: target, deadline, value so far this year, met or
//! not, and the forecast to the deadline; for the administrator, a form per target no
//! indicator measures and per manual indicator to enter a value with its evidence file.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use cchc_app::files::Upload;
use cchc_app::{AppError, Principal, Role};
use cchc_domain::indicator::targets::TargetUnit;
use cchc_domain::indicator::{Formula, Period, ValueUnit};
use jiff::civil::Date;
use serde::Deserialize;

use super::{BASE, Choice, provinces_for, query, staff, unit_choices, unit_or_default};
use crate::AppState;
use crate::pages::Multipart;
use crate::pages::{
    Layout, PageError, Params, Session, UploadSession, flash_redirect, read_multipart, render,
    render_status, sentence,
};

const PAGE: &str = "/chi-so-cai-cach/chi-tieu";

#[derive(Debug, Default, Deserialize)]
pub(super) struct TargetsQuery {
    #[serde(rename = "don-vi")]
    don_vi: Option<String>,
}

/// A form to enter one value with its evidence.
struct EntryForm {
    code: String,
    /// A safe prefix for the fields' ids.
    id: String,
    percent: bool,
    evidence: String,
    periods: Vec<Choice>,
}

struct TargetRow {
    code: String,
    plan: String,
    name: String,
    text: String,
    scope: &'static str,
    target: String,
    deadline: String,
    actual: String,
    year: i16,
    met: &'static str,
    met_class: &'static str,
    forecast: Option<String>,
    track: &'static str,
    track_class: &'static str,
    source: String,
    form: Option<EntryForm>,
}

struct ManualRow {
    code: String,
    name: String,
    current: String,
    state: &'static str,
    form: EntryForm,
}

#[derive(Template)]
#[template(path = "indicators/targets.html")]
struct TargetsPage {
    layout: Layout,
    unit_name: String,
    unit_id: String,
    units: Vec<Choice>,
    year: i16,
    today: String,
    rows: Vec<TargetRow>,
    manual: Vec<ManualRow>,
    quarter_label: String,
    is_admin: bool,
    error: Option<String>,
    overview_href: String,
}

fn field_id(code: &str) -> String {
    code.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

fn choices(periods: &[Period], selected: &Period) -> Vec<Choice> {
    periods
        .iter()
        .map(|p| Choice {
            value: p.to_string(),
            label: p.label(),
            selected: p == selected,
        })
        .collect()
}

/// Periods a manual indicator value may be entered for: this and the 4 quarters before, the
/// last 6 months, this year and last year.
fn indicator_periods(today: Date) -> Vec<Period> {
    let mut out = Vec::new();
    let mut q = Period::quarter_of(today);
    for _ in 0..5 {
        out.push(q);
        match q.first.yesterday() {
            Ok(d) => q = Period::quarter_of(d),
            Err(_) => break,
        }
    }
    let mut m = Period::month_of(today);
    for _ in 0..6 {
        out.push(m);
        match m.first.yesterday() {
            Ok(d) => m = Period::month_of(d),
            Err(_) => break,
        }
    }
    out.extend((0..2).filter_map(|i| Period::year(today.year() - i).ok()));
    out
}

async fn build(
    s: &AppState,
    session: &Session,
    who: &Principal,
    asked: Option<&str>,
    error: Option<String>,
) -> Result<TargetsPage, PageError> {
    let today = s.app.now().date();
    let quarter = Period::quarter_of(today);
    let tree = s.app.units()?;
    let provinces = provinces_for(&s.app, who, &quarter).await?;
    let unit = unit_or_default(&tree, who, asked, &provinces)?;
    let statuses = s.app.target_status(who, &unit, today).await?;
    let is_admin = who.role == Role::Admin;
    let this_year = Period::year(today.year()).map_err(|e| AppError::Internal(e.to_string()))?;
    let target_years: Vec<Period> = (0..2)
        .filter_map(|i| Period::year(today.year() - i).ok())
        .collect();
    let rows = statuses
        .iter()
        .map(|st| {
            let t = &st.target;
            let (met, met_class) = match st.met {
                Some(true) => ("Đạt", "ok"),
                Some(false) => ("Chưa đạt", "late"),
                None => ("Chưa có số liệu", "muted"),
            };
            let (track, track_class) = match &st.forecast {
                Some(f) if f.on_track => ("Đúng hướng", "ok"),
                Some(_) => ("Chậm so với lộ trình", "late"),
                None => ("", "muted"),
            };
            TargetRow {
                code: t.code.clone(),
                plan: st.plan_number.clone(),
                name: t.name.clone(),
                text: t.text.clone(),
                scope: t.scope.label(),
                target: format!("{} {}", t.comparison.symbol(), t.format_value()),
                deadline: format!("Năm {}", t.deadline_year),
                actual: st.actual_display(),
                year: st.year,
                met,
                met_class,
                forecast: st.forecast.as_ref().map(|f| f.explain.clone()),
                track,
                track_class,
                source: st.source.clone(),
                form: (is_admin && !t.measured()).then(|| EntryForm {
                    id: field_id(&t.code),
                    code: t.code.clone(),
                    percent: t.unit == TargetUnit::Percent,
                    evidence: t.evidence.clone().unwrap_or_default(),
                    periods: choices(&target_years, &this_year),
                }),
            }
        })
        .collect();
    let mut manual = Vec::new();
    if is_admin {
        let card = s.app.unit_scorecard(who, &unit, &quarter).await?;
        let periods = indicator_periods(today);
        for d in s
            .app
            .indicator_set(&quarter)
            .indicators
            .iter()
            .filter(|d| matches!(d.formula, Formula::Manual))
        {
            let r = card.card.result(&d.code);
            manual.push(ManualRow {
                code: d.code.clone(),
                name: d.name.clone(),
                current: r.map_or_else(|| "—".to_owned(), |r| r.display()),
                state: r.map_or("Chưa nhập số liệu", |r| r.state.label()),
                form: EntryForm {
                    id: field_id(&d.code),
                    code: d.code.clone(),
                    percent: d.unit == ValueUnit::Percent,
                    evidence: d.evidence.clone().unwrap_or_default(),
                    periods: choices(&periods, &quarter),
                },
            });
        }
    }
    let unit_name = tree
        .get(&unit)
        .map_or_else(|| unit.clone(), |u| u.full_name.clone());
    Ok(TargetsPage {
        layout: session.layout(format!("Chỉ tiêu kế hoạch: {unit_name}")),
        units: unit_choices(&tree, who, &unit, &quarter, &provinces),
        overview_href: format!("{BASE}?{}", query(&[("don-vi", &unit)])),
        unit_name,
        unit_id: unit,
        year: today.year(),
        today: cchc_domain::calendar::fmt_date(today),
        rows,
        manual,
        quarter_label: quarter.label(),
        is_admin,
        error,
    })
}

pub(super) async fn page(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<TargetsQuery>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    Ok(render(
        &build(&s, &session, who, q.don_vi.as_deref(), None).await?,
    ))
}

/// The page again with the reason a value was not recorded (422).
async fn refuse(
    s: &AppState,
    session: &Session,
    who: &Principal,
    unit: &str,
    message: String,
) -> Result<Response, PageError> {
    let page = build(s, session, who, Some(unit), Some(message)).await?;
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// "87,5" or "87.5" → 87.5; thousands dots are not accepted (a value is small).
fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim().replace(',', ".");
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

pub(super) async fn enter(
    State(s): State<AppState>,
    UploadSession(session): UploadSession,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let form = read_multipart(&session, multipart).await?;
    let who = super::admin(&session)?;
    let code = form.fields.get("ma");
    let unit = form.fields.get("don-vi");
    let fail = |message: String| refuse(&s, &session, who, &unit, message);
    let period: Period = match form.fields.get("ky").parse() {
        Ok(p) => p,
        Err(e) => return fail(sentence(&e.to_string())).await,
    };
    let percent = match s.app.targets().get(&code) {
        Some(t) => t.unit == TargetUnit::Percent,
        None => s
            .app
            .indicator_set(&period)
            .indicator(&code)
            .is_some_and(|d| d.unit == ValueUnit::Percent),
    };
    let Some(mut value) = parse_number(&form.fields.get("gia-tri")) else {
        return fail("Giá trị phải là một số, ví dụ 95 hoặc 87,5.".into()).await;
    };
    if percent {
        value /= 100.0;
    }
    let Some((_, file_name, content)) = form
        .files
        .into_iter()
        .find(|(field, _, _)| field == "minh-chung")
    else {
        return fail("Cần đính kèm tệp minh chứng (PDF, PNG hoặc JPEG).".into()).await;
    };
    let upload = Upload {
        component: "Minh chứng số liệu chỉ số".into(),
        file_name: file_name.clone(),
        content,
    };
    let note = form.fields.get("ghi-chu");
    match s
        .app
        .enter_value(who, &code, &unit, &period, value, &note, upload)
        .await
    {
        Ok(()) => {
            let shown = if percent {
                format!("{}%", cchc_domain::indicator::decimal(value * 100.0, 2))
            } else {
                cchc_domain::indicator::decimal(value, 2)
            };
            Ok(flash_redirect(
                &format!("{PAGE}?{}", query(&[("don-vi", &unit)])),
                &format!(
                    "Đã ghi nhận {code}: {shown} cho {}, kèm minh chứng {file_name}.",
                    period.label()
                ),
            ))
        }
        Err(AppError::Invalid(m)) => fail(sentence(&m)).await,
        Err(e) => Err(e.into()),
    }
}
