//! A unit's scorecard for a period: total out of 100 and how it came out, group points, the
//! month-by-month trend, every indicator with its numerator and denominator linking to their
//! dossiers, and the closed banner when the figures are frozen.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use cchc_app::Role;
use cchc_domain::indicator::{Direction, IndicatorResult, Period, ResultState, ValueUnit, decimal};

use super::{
    BASE, Choice, PeriodGroup, TermView, UnitPeriodQuery, count, months_back, period_groups,
    period_range, provinces_for, query, resolve_period, score_text, signed, staff, terms,
    unit_choices, unit_or_default,
};
use crate::AppState;
use crate::pages::charts::{self, Point};
use crate::pages::{Layout, PageError, Params, Session, fmt, render};

pub(crate) struct ClosedView {
    pub at: String,
    pub by: String,
    pub version: String,
    pub fingerprint: String,
}

struct GroupView {
    name: String,
    points: String,
    max: String,
    applicable: String,
}

struct IndicatorRow {
    code: String,
    name: String,
    explain: String,
    num: String,
    den: String,
    num_href: Option<String>,
    den_href: Option<String>,
    num_terms: Vec<TermView>,
    den_terms: Vec<TermView>,
    value: String,
    threshold: String,
    points: String,
    rule: String,
    state: &'static str,
    state_class: &'static str,
}

struct TrendRow {
    month: String,
    score: String,
}

#[derive(Template)]
#[template(path = "indicators/overview.html")]
struct OverviewPage {
    layout: Layout,
    action: &'static str,
    unit_id: String,
    unit_name: String,
    units: Vec<Choice>,
    periods: Vec<PeriodGroup>,
    tu: String,
    den: String,
    period_key: String,
    period_label: String,
    period_range: String,
    closed: Option<ClosedView>,
    score: String,
    total_rule: String,
    year_before: Option<String>,
    change: Option<String>,
    change_class: &'static str,
    received: String,
    member_units: usize,
    version: String,
    groups: Vec<GroupView>,
    rows: Vec<IndicatorRow>,
    chart: String,
    trend: Vec<TrendRow>,
    is_admin: bool,
}

/// The threshold as users read it: "≥ 50%", "≤ 1 ngày", "—" (points grow with the value).
fn threshold(r: &IndicatorResult) -> String {
    let Some(t) = r.threshold else {
        return "—".to_owned();
    };
    let sign = match r.direction {
        Direction::Higher => "≥",
        Direction::Lower => "≤",
    };
    match r.unit {
        ValueUnit::Percent => format!("{sign} {}%", decimal(t * 100.0, 1)),
        ValueUnit::Days => format!("{sign} {} ngày", decimal(t, 1)),
    }
}

fn state_class(s: ResultState) -> &'static str {
    match s {
        ResultState::Computed | ResultState::Entered => "ok",
        ResultState::NoData => "muted",
        ResultState::Missing | ResultState::Unavailable => "warn",
    }
}

/// Where the dossiers behind one term of a number are listed.
pub(crate) fn drill_href(unit: &str, period: &Period, code: &str, part: &str) -> String {
    format!(
        "{BASE}/ho-so?{}",
        query(&[
            ("don-vi", unit),
            ("ky", &period.to_string()),
            ("chi-so", code),
            ("phan", part),
        ])
    )
}

pub(crate) fn closed_view(c: &cchc_app::indicators::ClosedInfo) -> ClosedView {
    ClosedView {
        at: fmt::datetime(&c.closed_at),
        by: c.closed_by.clone(),
        version: c.set_version.clone(),
        fingerprint: c.data_fingerprint.clone(),
    }
}

pub(super) async fn page(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<UnitPeriodQuery>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let today = s.app.now().date();
    let period = resolve_period(
        q.ky.as_deref(),
        q.tu.as_deref(),
        q.den.as_deref(),
        today,
        Period::quarter_of(today),
    )?;
    let tree = s.app.units()?;
    let provinces = provinces_for(&s.app, who, &period).await?;
    let unit = unit_or_default(&tree, who, q.don_vi.as_deref(), &provinces)?;
    let sc = s.app.unit_scorecard(who, &unit, &period).await?;
    let to = period.last.min(today).max(period.first.min(today));
    let trend = s
        .app
        .monthly_trend(who, &unit, months_back(to, 12), to)
        .await?;

    let points: Vec<Point> = trend
        .iter()
        .map(|(p, card)| Point {
            label: format!("{:02}/{}", p.first.month(), p.first.year()),
            value: card.score,
            display: card.score.map_or_else(
                || "không có chỉ số tính được".to_owned(),
                |v| format!("{} điểm", decimal(v, 2)),
            ),
        })
        .collect();
    let chart_title = format!(
        "Điểm tổng (thang 100) của {} theo tháng, {} tháng đến {:02}/{}",
        sc.unit_name,
        points.len(),
        to.month(),
        to.year()
    );
    let chart = charts::line_chart(&chart_title, "Điểm", &points, 100.0);
    let trend_rows = points
        .iter()
        .map(|p| TrendRow {
            month: p.label.clone(),
            score: p.display.clone(),
        })
        .collect();

    let card = &sc.card;
    let groups = card
        .groups
        .iter()
        .map(|g| GroupView {
            name: format!("{}. {}", g.code, g.name),
            points: decimal(g.points, 2),
            max: decimal(g.max_points, 2),
            applicable: decimal(g.applicable_max, 2),
        })
        .collect();
    let rows = card
        .results
        .iter()
        .map(|r| {
            let linked = !r.numerator_terms.is_empty();
            IndicatorRow {
                code: r.code.clone(),
                name: r.name.clone(),
                explain: r.explain.clone(),
                num: if linked {
                    count(r.numerator)
                } else {
                    "—".into()
                },
                den: if linked {
                    count(r.denominator)
                } else {
                    "—".into()
                },
                num_href: linked.then(|| drill_href(&unit, &period, &r.code, "tu")),
                den_href: linked.then(|| drill_href(&unit, &period, &r.code, "mau")),
                num_terms: terms(&r.numerator_terms),
                den_terms: terms(&r.denominator_terms),
                value: r.display(),
                threshold: threshold(r),
                points: if r.max_points == 0.0 {
                    "Không tính điểm".into()
                } else {
                    format!(
                        "{} / {}",
                        r.points.map_or_else(|| "—".into(), |p| decimal(p, 2)),
                        decimal(r.max_points, 2)
                    )
                },
                rule: r.points_rule(),
                state: r.state.label(),
                state_class: state_class(r.state),
            }
        })
        .collect();
    let (change, change_class) = match (card.score, sc.year_before_score) {
        (Some(a), Some(b)) => (
            Some(signed(a - b)),
            if a > b {
                "ok"
            } else if a < b {
                "late"
            } else {
                "muted"
            },
        ),
        _ => (None, "muted"),
    };
    Ok(render(&OverviewPage {
        layout: session.layout(format!("Chỉ số CCHC: {}", sc.unit_name)),
        action: BASE,
        units: unit_choices(&tree, who, &unit, &period, &provinces),
        periods: period_groups(today, &period),
        tu: q.tu.clone().unwrap_or_default(),
        den: q.den.clone().unwrap_or_default(),
        period_key: period.to_string(),
        period_label: sc.period_label.clone(),
        period_range: period_range(&period),
        closed: sc.closed.as_ref().map(closed_view),
        score: score_text(card.score),
        total_rule: card.total_rule(),
        year_before: sc.year_before_score.map(|v| decimal(v, 2)),
        change,
        change_class,
        received: count(sc.received),
        member_units: sc.member_units,
        version: card.version.clone(),
        groups,
        rows,
        chart,
        trend: trend_rows,
        is_admin: who.role == Role::Admin,
        unit_name: sc.unit_name.clone(),
        unit_id: unit,
    }))
}
