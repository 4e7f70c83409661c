//! The dossiers behind one number of the scorecard (its numerator or denominator), with the
//! check that the list adds up to the number on the table.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use cchc_app::AppError;
use cchc_app::indicators::Part;
use cchc_domain::indicator::{EndKind, Period};
use serde::Deserialize;
use std::collections::HashMap;

use super::{BASE, count, period_range, query, resolve_period, staff};
use crate::AppState;
use crate::pages::{Layout, PageError, Params, Session, render};

/// Rows shown on the page.
const SHOWN: usize = 500;

#[derive(Debug, Default, Deserialize)]
pub(super) struct DrillQuery {
    #[serde(rename = "don-vi")]
    don_vi: Option<String>,
    ky: Option<String>,
    tu: Option<String>,
    den: Option<String>,
    #[serde(rename = "chi-so")]
    chi_so: Option<String>,
    phan: Option<String>,
}

struct RowView {
    code: String,
    unit: String,
    procedure: String,
    received: String,
    ended: String,
    verdict: String,
    verdict_class: &'static str,
    contributes: String,
}

#[derive(Template)]
#[template(path = "indicators/drill.html")]
struct DrillPage {
    layout: Layout,
    /// Codes link to the officer's dossier page (officers and leaders open it; the
    /// administrator sees figures, not dossiers).
    linked: bool,
    unit_name: String,
    period_label: String,
    period_range: String,
    code: String,
    name: String,
    part_label: &'static str,
    other_href: String,
    other_label: &'static str,
    back_href: String,
    counted: String,
    total: String,
    matches: bool,
    rows: Vec<RowView>,
    more: Option<String>,
}

fn end_label(kind: Option<EndKind>) -> &'static str {
    match kind {
        None => "Đang giải quyết",
        Some(EndKind::Decided) => "Đã có kết quả",
        Some(EndKind::Stopped) => "Dừng xử lý",
        Some(EndKind::Withdrawn) => "Rút hồ sơ",
        Some(EndKind::Refused) => "Không tiếp nhận",
    }
}

pub(super) async fn page(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<DrillQuery>,
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
    let need = |v: &Option<String>, what: &str| {
        v.as_deref()
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| AppError::Invalid(format!("thiếu tham số {what}")))
    };
    let unit = need(&q.don_vi, "đơn vị (don-vi)")?;
    let code = need(&q.chi_so, "chỉ số (chi-so)")?;
    let (part, part_label, other, other_label) =
        match need(&q.phan, "phần (phan=tu hoặc mau)")?.as_str() {
            "tu" => (Part::Numerator, "tử số", "mau", "mẫu số"),
            "mau" => (Part::Denominator, "mẫu số", "tu", "tử số"),
            other => {
                return Err(AppError::Invalid(format!(
                    "phần «{other}» không hợp lệ (tu: tử số, mau: mẫu số)"
                ))
                .into());
            }
        };
    let tree = s.app.units()?;
    if !tree.contains(&unit) {
        return Err(AppError::NotFound(format!("đơn vị «{unit}»")).into());
    }
    let drill = s.app.drill(who, &unit, &period, &code, part, SHOWN).await?;
    let mut names: HashMap<String, String> = HashMap::new();
    let mut rows = Vec::with_capacity(drill.rows.len().min(SHOWN));
    for r in drill.rows.iter().take(SHOWN) {
        let f = &r.facts;
        if !names.contains_key(&f.procedure) {
            let name = match s.app.procedure(&f.procedure).await {
                Ok(p) => format!("{} ({})", p.name, p.code),
                Err(AppError::NotFound(_)) => f.procedure.clone(),
                Err(e) => return Err(e.into()),
            };
            names.insert(f.procedure.clone(), name);
        }
        let (verdict, verdict_class) = match f.verdict {
            Some(v) => (
                v.label().to_owned(),
                if v == cchc_domain::indicator::FinishVerdict::Late {
                    "late"
                } else {
                    "ok"
                },
            ),
            None if f.end.is_none() && f.late_open_at(period.last) => {
                ("Quá hạn cuối kỳ".to_owned(), "late")
            }
            None => (end_label(f.end).to_owned(), "muted"),
        };
        rows.push(RowView {
            code: f.code.clone(),
            unit: tree
                .get(&f.unit)
                .map_or_else(|| f.unit.clone(), |u| u.full_name.clone()),
            procedure: names.get(&f.procedure).cloned().unwrap_or_default(),
            received: f
                .received_day
                .map_or_else(|| "—".into(), cchc_domain::calendar::fmt_date),
            ended: match f.end_day {
                Some(d) => format!(
                    "{} ({})",
                    cchc_domain::calendar::fmt_date(d),
                    end_label(f.end).to_lowercase()
                ),
                None => end_label(f.end).to_owned(),
            },
            verdict,
            verdict_class,
            contributes: if r.contributes > 0 {
                format!("+{}", count(r.contributes))
            } else {
                count(r.contributes)
            },
        });
    }
    let more = drill.truncated.then(|| {
        format!(
            "còn {} hồ sơ nữa không hiển thị",
            count(i64::try_from(drill.matched - drill.rows.len()).unwrap_or(i64::MAX))
        )
    });
    let key = period.to_string();
    Ok(render(&DrillPage {
        linked: who.role != cchc_app::Role::Admin,
        layout: session.layout(format!("Hồ sơ thuộc {part_label} chỉ số {code}")),
        unit_name: drill.unit_name.clone(),
        period_label: period.label(),
        period_range: period_range(&period),
        name: drill.indicator_name.clone(),
        part_label,
        other_href: format!(
            "{BASE}/ho-so?{}",
            query(&[
                ("don-vi", &unit),
                ("ky", &key),
                ("chi-so", &code),
                ("phan", other)
            ])
        ),
        other_label,
        back_href: format!(
            "{BASE}?{}#chi-so-{code}",
            query(&[("don-vi", &unit), ("ky", &key)])
        ),
        counted: count(drill.counted),
        total: count(drill.total),
        matches: drill.counted == drill.total,
        rows,
        more,
        code,
    }))
}
