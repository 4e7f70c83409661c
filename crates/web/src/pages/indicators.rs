//! Indicator pages for staff and the PAR administrator (chỉ số cải cách hành chính): a unit's
//! scorecard for a period with its trend, the ranking of units of a kind, the plans' targets
//! with manual values and their evidence, the dossiers behind any number, and closing a
//! period. Staff see their unit's subtree (the app checks it); every number links to what it
//! was computed from.
//!
//! Query parameters are Vietnamese slugs: `don-vi` (unit id), `ky` (period: `2025`,
//! `2025-Q3`, `2025-07`, `2025-07-01..2025-08-15`, or `tu`/`den` dates), `loai` (unit kind),
//! `chi-so` (indicator code), `phan` (`tu` numerator, `mau` denominator).

mod closing;
mod download;
mod drill;
mod overview;
mod ranking;
mod targets;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use cchc_app::{App, AppError, Principal, Role};
use cchc_domain::indicator::{Measure, Period, decimal};
use cchc_domain::unit::{Unit, UnitKind, UnitTree};
use jiff::ToSpan;
use jiff::civil::Date;
use std::collections::HashMap;

use super::{PageError, Session};
use crate::AppState;

/// The overview's address.
pub(crate) const BASE: &str = "/chi-so-cai-cach";

pub(super) fn routes(state: &AppState) -> Router<AppState> {
    let upload_limit = DefaultBodyLimit::max(state.config.max_upload_bytes);
    Router::new()
        .route(BASE, get(overview::page))
        .route("/chi-so-cai-cach/xep-hang", get(ranking::page))
        .route("/chi-so-cai-cach/chi-tieu", get(targets::page))
        .route(
            "/chi-so-cai-cach/nhap-so-lieu",
            post(targets::enter).layer(upload_limit),
        )
        .route("/chi-so-cai-cach/ho-so", get(drill::page))
        .route("/chi-so-cai-cach/tai-ve", get(download::download))
        .route(
            "/chi-so-cai-cach/chot-so-lieu",
            get(closing::page).post(closing::close),
        )
}

/// Officers, leaders and administrators (citizens are refused, visitors sent to sign in).
fn staff(session: &Session) -> Result<&Principal, PageError> {
    session.require_role(&[Role::Officer, Role::Leader, Role::Admin])
}

/// Administrators only.
fn admin(session: &Session) -> Result<&Principal, PageError> {
    session.require_role(&[Role::Admin])
}

// ---- numbers -----------------------------------------------------------------------------

/// A count with thousands grouped by dots: 12.345.
pub(crate) fn count(n: i64) -> String {
    cchc_domain::text::group_thousands(n)
}

/// A score out of 100 with two decimals at most: "87,45"; "—" when none.
pub(crate) fn score_text(score: Option<f64>) -> String {
    score.map_or_else(|| "—".to_owned(), |s| decimal(s, 2))
}

/// A fraction as a percentage: "92,5%"; "—" when none.
pub(crate) fn percent_text(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| format!("{}%", decimal(v * 100.0, 1)))
}

/// A change of score, signed: "+2,15", "-0,5", "0".
fn signed(d: f64) -> String {
    if d > 0.0 {
        format!("+{}", decimal(d, 2))
    } else {
        decimal(d, 2)
    }
}

/// A term of a formula as users read it: "+ Hồ sơ giải quyết đúng hoặc trước hạn: 120".
pub(crate) struct TermView {
    pub sign: &'static str,
    pub label: &'static str,
    pub value: String,
}

fn terms(ts: &[cchc_domain::indicator::Term]) -> Vec<TermView> {
    ts.iter()
        .map(|t| TermView {
            sign: if t.sign < 0 { "−" } else { "+" },
            label: t.measure.label(),
            value: count(t.value),
        })
        .collect()
}

/// The query of a page about one unit and period.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct UnitPeriodQuery {
    #[serde(rename = "don-vi")]
    pub don_vi: Option<String>,
    pub ky: Option<String>,
    pub tu: Option<String>,
    pub den: Option<String>,
}

// ---- periods -----------------------------------------------------------------------------

/// An option of the period selector.
pub(crate) struct PeriodOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A group of options (quarters, months, years).
pub(crate) struct PeriodGroup {
    pub label: &'static str,
    pub options: Vec<PeriodOption>,
}

/// The period a page shows: `tu`/`den` dates win (a custom range), then `ky`, then the
/// default. Bad text is a 422 with the accepted forms; a period far outside the data too.
pub(crate) fn resolve_period(
    ky: Option<&str>,
    tu: Option<&str>,
    den: Option<&str>,
    today: Date,
    default: Period,
) -> Result<Period, AppError> {
    let tu = tu.map(str::trim).filter(|s| !s.is_empty());
    let den = den.map(str::trim).filter(|s| !s.is_empty());
    let period = match (tu, den) {
        (Some(a), Some(b)) => {
            let bad = |t: &str| {
                AppError::Invalid(format!("ngày «{t}» không hợp lệ (dùng ngày/tháng/năm)"))
            };
            let first: Date = a.parse().map_err(|_| bad(a))?;
            let last: Date = b.parse().map_err(|_| bad(b))?;
            Period::custom(first, last).map_err(|_| {
                AppError::Invalid("khoảng ngày không hợp lệ: ngày bắt đầu sau ngày kết thúc".into())
            })?
        }
        (Some(_), None) | (None, Some(_)) => {
            return Err(AppError::Invalid(
                "khoảng ngày tùy chọn cần cả ngày bắt đầu và ngày kết thúc".into(),
            ));
        }
        (None, None) => match ky.map(str::trim).filter(|s| !s.is_empty()) {
            Some(text) => text
                .parse::<Period>()
                .map_err(|e| AppError::Invalid(e.to_string()))?,
            None => default,
        },
    };
    check_range(&period, today)?;
    Ok(period)
}

/// Periods from 2000 to the end of next year: beyond that there is no data, only work.
pub(crate) fn check_range(period: &Period, today: Date) -> Result<(), AppError> {
    if period.first.year() < 2000 || period.last.year() > today.year() + 1 {
        return Err(AppError::Invalid(format!(
            "kỳ {} nằm ngoài phạm vi dữ liệu (từ năm 2000 đến năm {})",
            period.label(),
            today.year() + 1
        )));
    }
    Ok(())
}

/// The selector's options around today: 8 quarters, 12 months, 3 years; the period shown is
/// always among them (a custom range gets its own group).
pub(crate) fn period_groups(today: Date, current: &Period) -> Vec<PeriodGroup> {
    let mut quarters = Vec::new();
    let mut q = Period::quarter_of(today);
    for _ in 0..8 {
        quarters.push(q);
        match q.first.yesterday() {
            Ok(d) => q = Period::quarter_of(d),
            Err(_) => break,
        }
    }
    let mut months = Vec::new();
    let mut m = Period::month_of(today);
    for _ in 0..12 {
        months.push(m);
        match m.first.yesterday() {
            Ok(d) => m = Period::month_of(d),
            Err(_) => break,
        }
    }
    let years: Vec<Period> = (0..3)
        .filter_map(|i| Period::year(today.year() - i).ok())
        .collect();
    let mut found = false;
    let mut group = |label: &'static str, ps: Vec<Period>| {
        let options = ps
            .into_iter()
            .map(|p| {
                let selected = p == *current;
                found |= selected;
                PeriodOption {
                    value: p.to_string(),
                    label: p.label(),
                    selected,
                }
            })
            .collect();
        PeriodGroup { label, options }
    };
    let mut out = vec![
        group("Quý", quarters),
        group("Tháng", months),
        group("Năm", years),
    ];
    if !found {
        out.insert(
            0,
            PeriodGroup {
                label: "Kỳ đang xem",
                options: vec![PeriodOption {
                    value: current.to_string(),
                    label: current.label(),
                    selected: true,
                }],
            },
        );
    }
    out
}

/// The dates of a period as users read them: "01/07/2025 - 30/09/2025".
pub(crate) fn period_range(p: &Period) -> String {
    format!(
        "{} - {}",
        cchc_domain::calendar::fmt_date(p.first),
        cchc_domain::calendar::fmt_date(p.last)
    )
}

// ---- units -------------------------------------------------------------------------------

/// Kinds of unit a ranking compares, with their slug in addresses.
pub(crate) const KINDS: &[(&str, UnitKind, &str)] = &[
    ("xa", UnitKind::Commune, "Xã, phường, đặc khu"),
    ("so", UnitKind::Department, "Sở, ban, ngành"),
    (
        "huyen",
        UnitKind::District,
        "Huyện, thành phố (trước 01/07/2025)",
    ),
    ("mot-cua", UnitKind::Office, "Bộ phận Một cửa, phòng"),
    (
        "trung-tam",
        UnitKind::ServiceCentre,
        "Trung tâm Phục vụ hành chính công",
    ),
    ("tinh", UnitKind::Province, "Tỉnh"),
];

/// The kind named by a slug; empty is every unit with dossiers.
pub(crate) fn kind_of(slug: &str) -> Result<Option<UnitKind>, AppError> {
    let slug = slug.trim();
    if slug.is_empty() || slug == "tat-ca" {
        return Ok(None);
    }
    KINDS
        .iter()
        .find(|(s, _, _)| *s == slug)
        .map(|(_, k, _)| Some(*k))
        .ok_or_else(|| {
            AppError::Invalid(format!(
                "loại đơn vị «{slug}» không hợp lệ (xa, so, huyen, mot-cua, trung-tam, tinh)"
            ))
        })
}

/// An option of a select.
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(crate) fn kind_choices(current: &str, with_all: bool) -> Vec<Choice> {
    let mut out = Vec::new();
    if with_all {
        out.push(Choice {
            value: String::new(),
            label: "Tất cả đơn vị có hồ sơ".into(),
            selected: current.is_empty(),
        });
    }
    out.extend(KINDS.iter().map(|(slug, _, label)| Choice {
        value: (*slug).to_owned(),
        label: (*label).to_owned(),
        selected: *slug == current,
    }));
    out
}

/// The root (province) a unit belongs to.
fn root_of<'a>(tree: &'a UnitTree, id: &str) -> Option<&'a Unit> {
    tree.ancestors(id).last().or_else(|| tree.get(id))
}

/// Provinces (roots of the unit tree) with dossiers in the period, most first; Kon Tum's
/// `p:62` when none has any. The administrator's selector lists them.
pub(crate) async fn provinces_with_dossiers(
    app: &App,
    period: &Period,
) -> Result<Vec<String>, AppError> {
    let tree = app.units()?;
    let raw = app.measures_by_unit(period).await?;
    let mut by_root: HashMap<String, i64> = HashMap::new();
    for (unit, m) in &raw {
        if let Some(r) = root_of(&tree, unit) {
            *by_root.entry(r.id.as_str().to_owned()).or_default() += m[Measure::Received];
        }
    }
    let mut roots: Vec<(String, i64)> = by_root.into_iter().filter(|(_, n)| *n > 0).collect();
    roots.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut out: Vec<String> = roots.into_iter().map(|(u, _)| u).collect();
    if out.is_empty() && tree.contains("p:62") {
        out.push("p:62".to_owned());
    }
    Ok(out)
}

/// The unit named in an address, or the default: the account's own unit; for an
/// administrator, the province with the most dossiers (`provinces`, most first). An unknown
/// id is a 404.
pub(crate) fn unit_or_default(
    tree: &UnitTree,
    who: &Principal,
    asked: Option<&str>,
    provinces: &[String],
) -> Result<String, AppError> {
    if let Some(id) = asked.map(str::trim).filter(|s| !s.is_empty()) {
        if !tree.contains(id) {
            return Err(AppError::NotFound(format!("đơn vị «{id}»")));
        }
        return Ok(id.to_owned());
    }
    if who.role != Role::Admin
        && let Some(u) = &who.unit_id
    {
        return Ok(u.clone());
    }
    provinces
        .first()
        .cloned()
        .or_else(|| who.unit_id.clone())
        .or_else(|| tree.roots().next().map(|u| u.id.as_str().to_owned()))
        .ok_or_else(|| AppError::NotFound("đơn vị nào (chưa nạp danh mục đơn vị)".into()))
}

/// What a page needs to pick its unit: the provinces with dossiers (administrators only;
/// staff start from their own unit and need no read).
pub(crate) async fn provinces_for(
    app: &App,
    who: &Principal,
    period: &Period,
) -> Result<Vec<String>, AppError> {
    if who.role == Role::Admin {
        provinces_with_dossiers(app, period).await
    } else {
        Ok(Vec::new())
    }
}

/// Whether an account may open a unit's pages: the app's rule, asked to avoid links that
/// would end in a refusal.
pub(crate) fn may_open(app: &App, who: &Principal, unit: &str) -> bool {
    app.may_see_unit(who, unit).is_ok()
}

/// The unit selector: the provinces (administrator) or the account's own unit (staff), the
/// path down to the unit shown, and its units existing in the period, indented.
pub(crate) fn unit_choices(
    tree: &UnitTree,
    who: &Principal,
    current: &str,
    period: &Period,
    provinces: &[String],
) -> Vec<Choice> {
    let mut out: Vec<Choice> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut push = |out: &mut Vec<Choice>, u: &Unit, depth: usize| {
        if seen.insert(u.id.as_str().to_owned()) {
            out.push(Choice {
                value: u.id.as_str().to_owned(),
                label: format!("{}{}", "— ".repeat(depth), u.full_name),
                selected: u.id.as_str() == current,
            });
        }
    };
    // The chain from the top the account may see down to the current unit.
    let mut chain: Vec<&Unit> = tree.ancestors(current).collect();
    chain.reverse();
    if let Some(u) = tree.get(current) {
        chain.push(u);
    }
    let top = match who.role {
        Role::Admin => 0,
        _ => who
            .unit_id
            .as_deref()
            .and_then(|mine| chain.iter().position(|u| u.id.as_str() == mine))
            .unwrap_or(chain.len().saturating_sub(1)),
    };
    if who.role == Role::Admin {
        for id in provinces {
            if let Some(u) = tree.get(id)
                && chain.first().is_none_or(|c| c.id.as_str() != id)
            {
                push(&mut out, u, 0);
            }
        }
    }
    let chain = &chain[top.min(chain.len())..];
    for (depth, u) in chain.iter().enumerate() {
        push(&mut out, u, depth);
    }
    let mut children: Vec<&Unit> = tree
        .children(current)
        .filter(|u| u.exists_during(period.first, period.last))
        .collect();
    children.sort_by(|a, b| a.full_name.cmp(&b.full_name));
    for c in children.into_iter().take(400) {
        push(&mut out, c, chain.len());
    }
    out
}

/// Query string for the pages: `don-vi`, `ky` and more, urlencoded.
pub(crate) fn query(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default()
}

/// The last `n` months up to the month holding `to` (for trends).
pub(crate) fn months_back(to: Date, n: i32) -> Date {
    to.first_of_month()
        .checked_sub((n - 1).months())
        .unwrap_or_else(|_| to.first_of_month())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn counts_group_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(12_345), "12.345");
        assert_eq!(count(-1_234_567), "-1.234.567");
        assert_eq!(score_text(Some(87.456)), "87,46");
        assert_eq!(percent_text(Some(0.925)), "92,5%");
        assert_eq!(signed(2.5), "+2,5");
    }

    #[test]
    fn periods_resolve_with_dates_first_then_key_then_default() {
        let today = date(2025, 10, 6);
        let q = Period::quarter_of(today);
        assert_eq!(resolve_period(None, None, None, today, q).ok(), Some(q));
        let p = resolve_period(Some("2025-Q3"), None, None, today, q).unwrap();
        assert_eq!(p.label(), "Quý III/2025");
        let c = resolve_period(
            Some("2025"),
            Some("2025-07-01"),
            Some("2025-08-15"),
            today,
            q,
        )
        .unwrap();
        assert_eq!(c.to_string(), "2025-07-01..2025-08-15");
        for bad in [
            (Some("2025-Q9"), None, None),
            (None, Some("2025-07-01"), None),
            (None, Some("x"), Some("2025-07-01")),
            (None, Some("2025-08-01"), Some("2025-07-01")),
            (Some("1900"), None, None),
        ] {
            let e = resolve_period(bad.0, bad.1, bad.2, today, q).unwrap_err();
            assert!(matches!(e, AppError::Invalid(_)), "{bad:?}");
        }
    }

    #[test]
    fn the_selector_always_holds_the_period_shown() {
        let today = date(2025, 10, 6);
        let q = Period::quarter_of(today);
        let groups = period_groups(today, &q);
        assert_eq!(groups.len(), 3);
        assert!(groups[0].options[0].selected);
        let custom: Period = "2025-07-01..2025-08-15".parse().unwrap();
        let groups = period_groups(today, &custom);
        assert_eq!(groups[0].label, "Kỳ đang xem");
        assert!(kind_of("xa").unwrap() == Some(UnitKind::Commune));
        assert!(kind_of("").unwrap().is_none());
        assert!(kind_of("nowhere").is_err());
    }
}
