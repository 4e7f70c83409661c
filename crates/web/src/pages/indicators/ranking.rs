//! The ranking of units of one kind by total score or by one indicator: rank with ties
//! ("=2"), the year-before rank and change, "higher than last year", the units below the
//! minimum volume listed after, unranked, and a bar chart of the first fifteen.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use cchc_app::AppError;
use cchc_app::indicators::{MIN_RANK_VOLUME, RankingRow};
use cchc_domain::indicator::{Period, decimal};
use serde::Deserialize;

use super::{
    BASE, Choice, PeriodGroup, count, kind_choices, kind_of, may_open, period_groups, period_range,
    query, resolve_period, score_text, staff,
};
use crate::AppState;
use crate::pages::charts::{self, Bar};
use crate::pages::{Layout, PageError, Params, Session, render};

#[derive(Debug, Default, Deserialize)]
pub(super) struct RankingQuery {
    ky: Option<String>,
    tu: Option<String>,
    den: Option<String>,
    loai: Option<String>,
    #[serde(rename = "chi-so")]
    chi_so: Option<String>,
}

struct RowView {
    rank: String,
    unit: String,
    href: Option<String>,
    score: String,
    volume: String,
    year_before_rank: String,
    year_before_score: String,
    change: String,
    change_class: &'static str,
    higher: &'static str,
    higher_class: &'static str,
    reason: String,
}

#[derive(Template)]
#[template(path = "indicators/ranking.html")]
struct RankingPage {
    layout: Layout,
    periods: Vec<PeriodGroup>,
    kinds: Vec<Choice>,
    indicators: Vec<Choice>,
    tu: String,
    den: String,
    period_label: String,
    period_range: String,
    kind_label: String,
    measure_label: String,
    min_volume: i64,
    ranked: Vec<RowView>,
    unranked: Vec<RowView>,
    ties: usize,
    chart: Option<String>,
    /// The same period, kind and indicator for the download links (already URL-encoded).
    download_query: String,
}

fn change_of(r: &RankingRow) -> (String, &'static str) {
    match r.rank_change {
        Some(n) if n > 0 => (format!("▲ {n}"), "ok"),
        Some(n) if n < 0 => (format!("▼ {}", -n), "late"),
        Some(_) => ("Không đổi".into(), "muted"),
        None => ("—".into(), "muted"),
    }
}

pub(super) async fn page(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<RankingQuery>,
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
    let slug = q.loai.clone().unwrap_or_else(|| "xa".to_owned());
    let kind = kind_of(&slug)?;
    let set = s.app.indicator_set(&period);
    let rankable: Vec<(String, String)> = set
        .indicators
        .iter()
        .filter(|d| d.rankable())
        .map(|d| (d.code.clone(), d.name.clone()))
        .collect();
    let code = q
        .chi_so
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    let measure_label = match &code {
        Some(c) => match rankable.iter().find(|(k, _)| k == c) {
            Some((k, name)) => format!("Chỉ số {k}: {name} (%)"),
            None => {
                return Err(AppError::NotFound(format!(
                    "chỉ số «{c}» để xếp hạng (chỉ xếp hạng theo chỉ số tỷ lệ tính từ dữ liệu)"
                ))
                .into());
            }
        },
        None => "Điểm tổng (thang 100)".to_owned(),
    };
    let ranking = s
        .app
        .ranking(&period, kind, code.as_deref(), MIN_RANK_VOLUME)
        .await?;
    let tree = s.app.units()?;
    let full_name = |r: &RankingRow| {
        tree.get(&r.unit_id)
            .map_or_else(|| r.unit_name.clone(), |u| u.full_name.clone())
    };
    let value_text = |v: Option<f64>| match (&code, v) {
        (Some(_), Some(v)) => format!("{}%", decimal(v, 1)),
        _ => score_text(v),
    };
    let key = period.to_string();
    let view = |r: &RankingRow| {
        let (change, change_class) = change_of(r);
        let (higher, higher_class) = match r.higher_than_year_before {
            Some(true) => ("Có", "ok"),
            Some(false) => ("Không", "late"),
            None => ("—", "muted"),
        };
        RowView {
            rank: match (r.row.rank, r.row.tied) {
                (Some(n), true) => format!("={n}"),
                (Some(n), false) => n.to_string(),
                (None, _) => "—".into(),
            },
            href: may_open(&s.app, who, &r.unit_id)
                .then(|| format!("{BASE}?{}", query(&[("don-vi", &r.unit_id), ("ky", &key)]))),
            unit: full_name(r),
            score: value_text(r.row.score),
            volume: count(r.row.volume),
            year_before_rank: r
                .year_before_rank
                .map_or_else(|| "—".into(), |n| n.to_string()),
            year_before_score: value_text(r.year_before_score),
            change,
            change_class,
            higher,
            higher_class,
            reason: if r.row.score.is_none() {
                "chưa có chỉ số tính được: không xếp hạng".into()
            } else if r.row.volume < MIN_RANK_VOLUME {
                format!("dưới {MIN_RANK_VOLUME} hồ sơ: không xếp hạng")
            } else {
                String::new()
            },
        }
    };
    let (ranked_rows, unranked_rows): (Vec<&RankingRow>, Vec<&RankingRow>) =
        ranking.rows.iter().partition(|r| r.row.rank.is_some());
    let bars: Vec<Bar> = ranked_rows
        .iter()
        .take(15)
        .map(|r| Bar {
            label: match (r.row.rank, r.row.tied) {
                (Some(n), true) => format!("={n}. {}", full_name(r)),
                (Some(n), false) => format!("{n}. {}", full_name(r)),
                (None, _) => full_name(r),
            },
            value: r.row.score.unwrap_or(0.0),
            display: value_text(r.row.score),
        })
        .collect();
    let kind_label = super::KINDS
        .iter()
        .find(|(s, _, _)| *s == slug)
        .map_or("Tất cả đơn vị có hồ sơ", |(_, _, l)| l)
        .to_owned();
    let chart = (!bars.is_empty()).then(|| {
        charts::bar_chart(
            &format!(
                "{} đơn vị đứng đầu: {}, {}",
                bars.len(),
                measure_label,
                period.label()
            ),
            &measure_label,
            &bars,
            100.0,
        )
    });
    let mut indicators = vec![Choice {
        value: String::new(),
        label: "Điểm tổng (thang 100)".into(),
        selected: code.is_none(),
    }];
    indicators.extend(rankable.iter().map(|(c, name)| Choice {
        selected: code.as_deref() == Some(c.as_str()),
        label: format!("{c}. {name}"),
        value: c.clone(),
    }));
    Ok(render(&RankingPage {
        layout: session.layout("Xếp hạng chỉ số cải cách hành chính"),
        periods: period_groups(today, &period),
        kinds: kind_choices(&slug, true),
        indicators,
        tu: q.tu.clone().unwrap_or_default(),
        den: q.den.clone().unwrap_or_default(),
        period_label: period.label(),
        period_range: period_range(&period),
        kind_label,
        measure_label,
        min_volume: MIN_RANK_VOLUME,
        download_query: query(&[
            ("ky", &period.to_string()),
            ("loai", &slug),
            ("chi-so", code.as_deref().unwrap_or("")),
        ]),
        ties: ranked_rows.iter().filter(|r| r.row.tied).count(),
        ranked: ranked_rows.into_iter().map(view).collect(),
        unranked: unranked_rows.into_iter().map(view).collect(),
        chart,
    }))
}
