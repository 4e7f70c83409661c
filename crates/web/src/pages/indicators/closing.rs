//! Closing a period (chốt số liệu, administrators): the periods closed so far, a form to close
//! one that has ended, and a check that recomputes a closed period from the data now and says
//! whether it still matches what was frozen.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use cchc_app::AppError;
use cchc_domain::indicator::Period;
use jiff::civil::Date;
use serde::Deserialize;

use super::{BASE, admin, check_range, query};
use crate::AppState;
use crate::pages::{
    FormData, Layout, PageError, Params, Session, flash_redirect, fmt, render, render_status,
    sentence,
};

const PAGE: &str = "/chi-so-cai-cach/chot-so-lieu";

#[derive(Debug, Default, Deserialize)]
pub(super) struct ClosingQuery {
    #[serde(rename = "kiem-tra")]
    kiem_tra: Option<String>,
}

struct ClosedRow {
    label: String,
    key: String,
    at: String,
    by: String,
    overview_href: String,
}

struct Closable {
    value: String,
    label: String,
    selected: bool,
}

struct Difference {
    unit: String,
    detail: String,
}

struct VerifyView {
    label: String,
    matches: bool,
    units: usize,
    fingerprint_then: String,
    fingerprint_now: String,
    differences: Vec<Difference>,
}

#[derive(Template)]
#[template(path = "indicators/closing.html")]
struct ClosingPage {
    layout: Layout,
    closed: Vec<ClosedRow>,
    options: Vec<Closable>,
    error: Option<String>,
    verify: Option<VerifyView>,
}

/// Periods that have ended and are not closed yet: 8 quarters, 12 months, 2 years, newest
/// first; the last quarter is selected.
fn closable(today: Date, closed: &[String]) -> Vec<Closable> {
    let mut out = Vec::new();
    let ended = |p: &Period| p.last < today && !closed.contains(&p.to_string());
    let mut q = Period::quarter_of(today);
    let mut quarters = Vec::new();
    for _ in 0..9 {
        quarters.push(q);
        match q.first.yesterday() {
            Ok(d) => q = Period::quarter_of(d),
            Err(_) => break,
        }
    }
    let mut m = Period::month_of(today);
    let mut months = Vec::new();
    for _ in 0..13 {
        months.push(m);
        match m.first.yesterday() {
            Ok(d) => m = Period::month_of(d),
            Err(_) => break,
        }
    }
    let years: Vec<Period> = (1..3)
        .filter_map(|i| Period::year(today.year() - i).ok())
        .collect();
    let last_quarter = quarters.iter().find(|p| p.last < today).copied();
    for p in quarters
        .into_iter()
        .chain(months)
        .chain(years)
        .filter(|p| ended(p))
    {
        out.push(Closable {
            selected: Some(p) == last_quarter,
            value: p.to_string(),
            label: p.label(),
        });
    }
    out
}

async fn build(
    s: &AppState,
    session: &Session,
    error: Option<String>,
    verify: Option<VerifyView>,
) -> Result<ClosingPage, PageError> {
    let today = s.app.now().date();
    let list = s.app.closed_periods().await?;
    let keys: Vec<String> = list.iter().map(|(k, _, _)| k.clone()).collect();
    let closed = list
        .into_iter()
        .map(|(key, at, by)| ClosedRow {
            label: key
                .parse::<Period>()
                .map_or_else(|_| key.clone(), |p| p.label()),
            overview_href: format!("{BASE}?{}", query(&[("ky", &key)])),
            at: fmt::datetime(&at),
            by,
            key,
        })
        .collect();
    Ok(ClosingPage {
        layout: session.layout("Chốt số liệu chỉ số"),
        closed,
        options: closable(today, &keys),
        error,
        verify,
    })
}

fn parse(text: &str, today: Date) -> Result<Period, AppError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(AppError::Invalid("chọn kỳ cần chốt số liệu".into()));
    }
    let p: Period = t
        .parse()
        .map_err(|e: cchc_domain::indicator::PeriodError| AppError::Invalid(e.to_string()))?;
    check_range(&p, today)?;
    Ok(p)
}

pub(super) async fn page(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<ClosingQuery>,
) -> Result<Response, PageError> {
    admin(&session)?;
    let today = s.app.now().date();
    let verify = match q
        .kiem_tra
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => None,
        Some(text) => {
            let p = parse(text, today)?;
            let r = s.app.verify_period(&p).await?;
            Some(VerifyView {
                label: p.label(),
                matches: r.differences.is_empty(),
                units: r.units,
                fingerprint_then: r.closed.data_fingerprint.clone(),
                fingerprint_now: r.fingerprint_now.clone(),
                differences: r
                    .differences
                    .into_iter()
                    .map(|(unit, detail)| Difference {
                        unit: s
                            .app
                            .units()
                            .ok()
                            .and_then(|t| t.get(&unit).map(|u| u.full_name.clone()))
                            .unwrap_or(unit),
                        detail,
                    })
                    .collect(),
            })
        }
    };
    Ok(render(&build(&s, &session, None, verify).await?))
}

pub(super) async fn close(
    State(s): State<AppState>,
    session: Session,
    form: FormData,
) -> Result<Response, PageError> {
    let who = admin(&session)?;
    let today = s.app.now().date();
    let result = match parse(&form.get("ky"), today) {
        Ok(p) => s.app.close_period(who, &p).await.map(|info| (p, info)),
        Err(e) => Err(e),
    };
    match result {
        Ok((p, info)) => Ok(flash_redirect(
            PAGE,
            &format!(
                "Đã chốt số liệu {}. Dấu vân tay dữ liệu: {}.",
                p.label(),
                info.data_fingerprint
            ),
        )),
        Err(AppError::Invalid(m)) => Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &build(&s, &session, Some(sentence(&m)), None).await?,
        )),
        Err(e) => Err(e.into()),
    }
}
