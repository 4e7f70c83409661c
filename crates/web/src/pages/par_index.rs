//! PAR INDEX pages (Chỉ số CCHC của sở, ban, ngành và xã, phường): the ranking of a year and
//! kind with the change against the year before; a unit's scorecard (the tree with the
//! unit's claim, the data value and the points it suggests, the council's points, evidence,
//! and how the total came out); the forms to self-assess an item with evidence, submit, appraise
//! an item, finish the appraisal; the survey import (administrator).
//!
//! Query parameters: `nam` (year), `loai` (`so` departments, `xa` communes), `don-vi` (unit).

mod card;
mod forms;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::response::Response;
use axum::routing::{get, post};
use cchc_app::par_index::{ParRankingRow, par_catalog};
use cchc_app::{AppError, Principal, Role};
use cchc_domain::par_index::ParKind;
use cchc_domain::par_index::score::CardState;
use cchc_domain::text::number;
use serde::Deserialize;

use super::indicators::{Choice, query};
use super::{Layout, PageError, Params, Session, render};
use crate::AppState;

/// The ranking's address.
pub(crate) const BASE: &str = "/chi-so-par";
const CARD: &str = "/chi-so-par/don-vi";

pub(super) fn routes(state: &AppState) -> Router<AppState> {
    let upload_limit = DefaultBodyLimit::max(state.config.max_upload_bytes);
    Router::new()
        .route(BASE, get(ranking))
        .route(CARD, get(card::page))
        .route(
            "/chi-so-par/tu-cham",
            post(forms::self_assess).layer(upload_limit),
        )
        .route("/chi-so-par/gui", post(forms::submit))
        .route("/chi-so-par/tham-dinh", post(forms::appraise))
        .route("/chi-so-par/hoan-tat", post(forms::finish))
        .route("/chi-so-par/minh-chung", get(card::evidence))
        .route(
            "/chi-so-par/khao-sat",
            get(forms::survey_page)
                .post(forms::survey_import)
                .layer(upload_limit),
        )
}

/// Officers, leaders and administrators.
fn staff(session: &Session) -> Result<&Principal, PageError> {
    session.require_role(&[Role::Officer, Role::Leader, Role::Admin])
}

/// Points as users read them: "12,75"; "—" when none.
pub(crate) fn pts(p: Option<f64>) -> String {
    p.map_or_else(|| "—".to_owned(), |p| number(p, 2))
}

fn signed(d: f64) -> String {
    if d > 1e-9 {
        format!("+{}", number(d, 2))
    } else {
        number(d, 2)
    }
}

/// The year asked for, or the latest year with a tree up to this year.
fn year_of(text: Option<&str>, this_year: i16) -> Result<i16, AppError> {
    let years = par_catalog()?.years();
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => {
            let y: i16 = t
                .parse()
                .map_err(|_| AppError::Invalid(format!("năm «{t}» không hợp lệ")))?;
            if !years.contains(&y) {
                return Err(AppError::NotFound(format!("bộ chỉ số CCHC năm {y}")));
            }
            Ok(y)
        }
        None => Ok(years
            .iter()
            .copied()
            .filter(|y| *y <= this_year)
            .max()
            .or_else(|| years.first().copied())
            .unwrap_or(this_year)),
    }
}

fn kind_of(slug: Option<&str>) -> Result<ParKind, AppError> {
    match slug.map(str::trim).unwrap_or("") {
        "" | "xa" => Ok(ParKind::Commune),
        "so" => Ok(ParKind::Department),
        other => Err(AppError::Invalid(format!(
            "loại đơn vị «{other}» không hợp lệ (so: sở, ban, ngành; xa: xã, phường)"
        ))),
    }
}

fn slug(kind: ParKind) -> &'static str {
    match kind {
        ParKind::Department => "so",
        ParKind::Commune => "xa",
    }
}

fn year_choices(current: i16) -> Result<Vec<Choice>, AppError> {
    Ok(par_catalog()?
        .years()
        .into_iter()
        .rev()
        .map(|y| Choice {
            value: y.to_string(),
            label: format!("Năm {y}"),
            selected: y == current,
        })
        .collect())
}

fn state_class(s: CardState) -> &'static str {
    match s {
        CardState::Draft => "muted",
        CardState::Submitted => "late",
        CardState::Appraised => "ok",
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RankingQuery {
    nam: Option<String>,
    loai: Option<String>,
}

struct RankRow {
    rank: String,
    unit: String,
    href: Option<String>,
    state: &'static str,
    state_class: &'static str,
    assessed: String,
    survey: String,
    total: String,
    percent: String,
    previous: String,
    change: String,
    change_class: &'static str,
    points_change: String,
}

#[derive(Template)]
#[template(path = "par_index/ranking.html")]
struct RankingPage {
    layout: Layout,
    years: Vec<Choice>,
    kinds: Vec<Choice>,
    year: i16,
    kind_label: &'static str,
    tree_version: String,
    ranked: Vec<RankRow>,
    unranked: Vec<RankRow>,
    ties: usize,
    provisional: usize,
    previous_year: i16,
    is_admin: bool,
    survey_href: String,
}

fn rank_view(s: &AppState, who: &Principal, year: i16, r: &ParRankingRow) -> RankRow {
    let res = &r.result;
    let (change, change_class) = match r.rank_change {
        Some(n) if n > 0 => (format!("▲ {n}"), "ok"),
        Some(n) if n < 0 => (format!("▼ {}", -n), "late"),
        Some(_) => ("Không đổi".into(), "muted"),
        None => ("—".into(), "muted"),
    };
    RankRow {
        rank: match (res.rank, r.tied) {
            (Some(n), true) => format!("={n}"),
            (Some(n), false) => n.to_string(),
            (None, _) => "—".into(),
        },
        href: s.app.may_see_unit(who, &res.unit).is_ok().then(|| {
            format!(
                "{CARD}?{}",
                query(&[("don-vi", &res.unit), ("nam", &year.to_string())])
            )
        }),
        unit: r.unit_name.clone(),
        state: r.state.label(),
        state_class: state_class(r.state),
        assessed: pts(Some(res.appraised_points.unwrap_or(res.self_points))),
        survey: pts(res.survey_points),
        total: number(res.total_points, 2),
        percent: format!("{}%", number(res.percent, 2)),
        previous: match &r.previous {
            Some(p) if p.own => format!("{} ({} điểm)", p.rank, number(p.points, 2)),
            Some(p) => format!(
                "{} ({} điểm, bình quân {} đơn vị tiền thân)",
                p.rank,
                number(p.points, 2),
                p.from.len()
            ),
            None => "—".into(),
        },
        change,
        change_class,
        points_change: r.points_change.map_or_else(|| "—".into(), signed),
    }
}

async fn ranking(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<RankingQuery>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let year = year_of(q.nam.as_deref(), s.app.now().date().year())?;
    let kind = kind_of(q.loai.as_deref())?;
    let r = s.app.par_ranking(who, year, kind).await?;
    let (ranked, unranked): (Vec<&ParRankingRow>, Vec<&ParRankingRow>) =
        r.rows.iter().partition(|x| x.result.rank.is_some());
    let kinds = ParKind::ALL
        .iter()
        .map(|k| Choice {
            value: slug(*k).to_owned(),
            label: k.label().to_owned(),
            selected: *k == kind,
        })
        .collect();
    Ok(render(&RankingPage {
        layout: session.layout(format!("Chỉ số CCHC năm {year}: {}", kind.label())),
        years: year_choices(year)?,
        kinds,
        year,
        kind_label: kind.label(),
        tree_version: r.tree_version.clone().unwrap_or_default(),
        ties: ranked.iter().filter(|x| x.tied).count(),
        ranked: ranked.iter().map(|x| rank_view(&s, who, year, x)).collect(),
        unranked: unranked
            .iter()
            .map(|x| rank_view(&s, who, year, x))
            .collect(),
        provisional: r.provisional,
        previous_year: year - 1,
        is_admin: who.role == Role::Admin,
        survey_href: format!("/chi-so-par/khao-sat?nam={year}"),
    }))
}
