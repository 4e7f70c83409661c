//! A unit's scorecard for a year: every area, criterion and sub-criterion with its maximum and
//! guidance; for scored items the unit's points, explanation and evidence, the data value with
//! the points it suggests (and a link to where it comes from), the council's points and
//! comment; the totals with how they came out; and the forms the caller may use.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cchc_app::par_index::{DataLink, ParCard, ParItemView};
use cchc_app::{AppError, Principal, Role};
use cchc_domain::calendar::fmt_date;
use cchc_domain::par_index::score::CardState;
use cchc_domain::text::number;
use serde::Deserialize;

use super::{BASE, pts, signed, slug, staff, state_class, year_choices, year_of};
use crate::AppState;
use crate::pages::indicators::{BASE as INDICATORS, query};
use crate::pages::{Layout, PageError, Params, Session, disposition, fmt, render_status};

#[derive(Debug, Default, Deserialize)]
pub(super) struct CardQuery {
    #[serde(rename = "don-vi")]
    pub don_vi: Option<String>,
    pub nam: Option<String>,
}

pub(super) struct EvidenceView {
    href: String,
    name: String,
    meta: String,
}

pub(super) struct DataView {
    label: String,
    value: String,
    suggested: String,
    rule: String,
    note: String,
    href: Option<String>,
    /// The claim is above what the data suggests.
    above: bool,
}

pub(super) struct ItemRow {
    code: String,
    /// Id safe for anchors and fields.
    anchor: String,
    name: String,
    level: u8,
    leaf: bool,
    max: String,
    guide: String,
    evidence_hint: String,
    self_points: String,
    self_note: String,
    self_by: String,
    evidence: Vec<EvidenceView>,
    data: Option<DataView>,
    appraised: String,
    appraisal_note: String,
    appraised_by: String,
    adjusted: bool,
    /// Subtotals of a node: the claim and after appraisal.
    sub_self: String,
    sub_counted: String,
    /// Prefilled values of the forms.
    form_points: String,
    appraise_points: String,
}

#[derive(Template)]
#[template(path = "par_index/card.html")]
pub(super) struct CardPage {
    layout: Layout,
    unit_id: String,
    unit_name: String,
    year: i16,
    years: Vec<crate::pages::indicators::Choice>,
    kind_label: &'static str,
    tree_name: String,
    tree_version: String,
    basis: String,
    state: &'static str,
    state_class: &'static str,
    history: Vec<String>,
    items: Vec<ItemRow>,
    self_total: String,
    appraised_total: String,
    assessed_max: String,
    survey: String,
    survey_max: String,
    survey_name: String,
    survey_parts: Vec<String>,
    total: String,
    percent: String,
    total_rule: String,
    assessed_items: usize,
    leaves: usize,
    adjusted_items: usize,
    adjustment: String,
    rank: String,
    previous: Option<String>,
    can_assess: bool,
    can_submit: bool,
    can_appraise: bool,
    error: Option<String>,
    ranking_href: String,
}

fn anchor(code: &str) -> String {
    format!(
        "muc-{}",
        code.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
    )
}

fn when(civil: Option<&str>) -> String {
    civil.map_or_else(String::new, fmt::datetime)
}

fn item_row(card: &ParCard, v: &ParItemView) -> ItemRow {
    let year = card.year.to_string();
    let r = &v.row;
    let data = v.data.as_ref().map(|d| DataView {
        label: d.label.clone(),
        value: d.value.map_or_else(
            || "chưa có dữ liệu".to_owned(),
            |x| format!("{}%", number(x * 100.0, 1)),
        ),
        suggested: pts(d.suggested),
        rule: d.rule.clone(),
        note: d.note.clone(),
        href: match (&d.link, d.value) {
            (DataLink::Indicator { .. }, _) => Some(format!(
                "{INDICATORS}?{}",
                query(&[("don-vi", &card.unit_id), ("ky", &year)])
            )),
            (DataLink::Plans, _) => Some(format!(
                "/ke-hoach/bang-theo-doi?{}",
                query(&[("don-vi", &card.unit_id)])
            )),
        },
        above: matches!((r.self_points, d.suggested), (Some(c), Some(s)) if c > s + 1e-9),
    });
    ItemRow {
        code: v.item.code.clone(),
        anchor: anchor(&v.item.code),
        name: v.item.name.clone(),
        level: v.item.level,
        leaf: v.item.leaf,
        max: number(v.item.points, 2),
        guide: v.item.guide.clone(),
        evidence_hint: v.item.evidence.clone().unwrap_or_default(),
        self_points: pts(r.self_points),
        self_note: r.self_note.clone(),
        self_by: match (&r.self_by, &r.self_at) {
            (Some(b), at) => format!("{b}, {}", when(at.as_deref())),
            _ => String::new(),
        },
        evidence: v
            .evidence
            .iter()
            .map(|e| EvidenceView {
                href: format!(
                    "/chi-so-par/minh-chung?{}",
                    query(&[("don-vi", &card.unit_id), ("nam", &year), ("id", &e.id)])
                ),
                name: e.file_name.clone(),
                meta: format!(
                    "{} KB, {}",
                    number(e.size_bytes as f64 / 1024.0, 1),
                    fmt::datetime(&e.uploaded_at)
                ),
            })
            .collect(),
        data,
        appraised: if r.appraised_points.is_some() {
            pts(r.appraised_points)
        } else if card.state.ranked() && r.self_points.is_some() {
            format!("{} (giữ điểm tự chấm)", pts(r.self_points))
        } else {
            "—".to_owned()
        },
        appraisal_note: r.appraisal_note.clone(),
        appraised_by: match (&r.appraised_by, &r.appraised_at) {
            (Some(b), at) => format!("{b}, {}", when(at.as_deref())),
            _ => String::new(),
        },
        adjusted: v.adjusted(),
        sub_self: number(v.node.self_points, 2),
        sub_counted: number(v.node.counted, 2),
        form_points: r
            .self_points
            .or_else(|| v.data.as_ref().and_then(|d| d.suggested))
            .map(|p| number(p, 2))
            .unwrap_or_default(),
        appraise_points: r
            .appraised_points
            .or(r.self_points)
            .map(|p| number(p, 2))
            .unwrap_or_default(),
    }
}

/// Builds the page of a unit's scorecard (with an error from a form, shown in an alert).
pub(super) async fn build(
    s: &AppState,
    session: &Session,
    who: &Principal,
    unit: Option<&str>,
    year: Option<&str>,
    error: Option<String>,
) -> Result<CardPage, PageError> {
    let today = s.app.now().date();
    let year = year_of(year, today.year())?;
    let unit = match unit.map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => u.to_owned(),
        None => who.unit_id.clone().ok_or_else(|| {
            AppError::Invalid("chọn một đơn vị trong bảng xếp hạng để xem bảng điểm".into())
        })?,
    };
    let card = s.app.par_card(who, &unit, year).await?;
    let own = who.unit_id.as_deref() == Some(unit.as_str());
    let staff_of_unit = own && matches!(who.role, Role::Officer | Role::Leader);
    let mut history = Vec::new();
    if let Some(c) = &card.card {
        if let (Some(at), Some(by)) = (&c.submitted_at, &c.submitted_by) {
            history.push(format!("Gửi thẩm định: {by}, {}", fmt::datetime(at)));
        }
        if let (Some(at), Some(by)) = (&c.appraised_at, &c.appraised_by) {
            history.push(format!("Hoàn tất thẩm định: {by}, {}", fmt::datetime(at)));
        }
        if let (Some(at), Some(by)) = (&c.survey_at, &c.survey_by) {
            history.push(format!(
                "Nhập điểm điều tra xã hội học: {by}, {}",
                fmt::datetime(at)
            ));
        }
    }
    let previous = card.previous.as_ref().map(|p| {
        let from = if p.own {
            String::new()
        } else {
            format!(
                " (bình quân của đơn vị tiền thân: {})",
                card.previous_names.join(", ")
            )
        };
        let change = match card.rank {
            Some(r) => {
                let d = i64::from(p.rank) - i64::from(r);
                match d {
                    d if d > 0 => format!("; tăng {d} bậc"),
                    d if d < 0 => format!("; giảm {} bậc", -d),
                    _ => "; giữ nguyên thứ hạng".to_owned(),
                }
            }
            None => String::new(),
        };
        format!(
            "Năm {}: {} điểm, hạng {}/{}{from}. So với năm trước: {} điểm{change}.",
            year - 1,
            number(p.points, 2),
            p.rank,
            p.ranked_among,
            signed(card.total.points - p.points)
        )
    });
    let t = &card.totals;
    Ok(CardPage {
        layout: session.layout(format!("Chỉ số CCHC năm {year}: {}", card.unit_full_name)),
        items: card.items.iter().map(|v| item_row(&card, v)).collect(),
        unit_id: card.unit_id.clone(),
        unit_name: card.unit_full_name.clone(),
        year,
        years: year_choices(year)?,
        kind_label: card.kind.label(),
        tree_name: card.tree.name.clone(),
        tree_version: card.tree.version.clone(),
        basis: card.tree.basis.clone(),
        state: card.state.label(),
        state_class: state_class(card.state),
        history,
        self_total: number(t.self_points, 2),
        appraised_total: number(t.appraised_points, 2),
        assessed_max: number(t.assessed_max, 2),
        survey: pts(card.total.survey),
        survey_max: number(card.tree.survey.points, 2),
        survey_name: card.tree.survey.name.clone(),
        survey_parts: card
            .tree
            .survey
            .parts
            .iter()
            .map(|p| format!("{}: {} điểm", p.name, number(p.points, 2)))
            .collect(),
        total: number(card.total.points, 2),
        percent: format!("{}%", number(card.total.percent, 2)),
        total_rule: card.total_rule.clone(),
        assessed_items: t.assessed_items,
        leaves: t.leaves,
        adjusted_items: t.adjusted_items,
        adjustment: signed(t.adjustment),
        rank: match card.rank {
            Some(r) => format!(
                "Hạng {}{r}/{} {} năm {year}",
                if card.tied { "=" } else { "" },
                card.ranked_among,
                card.kind.label().to_lowercase()
            ),
            None => "Chưa xếp hạng (đơn vị chưa gửi bảng tự đánh giá)".to_owned(),
        },
        previous,
        can_assess: staff_of_unit && card.state == CardState::Draft,
        can_submit: staff_of_unit && who.role == Role::Leader && card.state == CardState::Draft,
        can_appraise: who.role == Role::Admin && card.state == CardState::Submitted,
        error,
        ranking_href: format!(
            "{BASE}?{}",
            query(&[("nam", &year.to_string()), ("loai", slug(card.kind))])
        ),
    })
}

pub(super) async fn page(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<CardQuery>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let page = build(
        &s,
        &session,
        who,
        q.don_vi.as_deref(),
        q.nam.as_deref(),
        None,
    )
    .await?;
    Ok(render_status(StatusCode::OK, &page))
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct EvidenceQuery {
    #[serde(rename = "don-vi")]
    don_vi: Option<String>,
    nam: Option<String>,
    id: Option<String>,
}

/// An evidence file as a download, for whoever may see the unit.
pub(super) async fn evidence(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<EvidenceQuery>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let year = year_of(q.nam.as_deref(), s.app.now().date().year())?;
    let (info, content) = s
        .app
        .par_evidence(
            who,
            q.don_vi.as_deref().unwrap_or(""),
            year,
            q.id.as_deref().unwrap_or(""),
        )
        .await?;
    let mut resp = (StatusCode::OK, content).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&info.content_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::CONTENT_DISPOSITION, disposition(&info.file_name));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(resp)
}

/// Today as users read it (for the survey page).
pub(super) fn today_text(s: &AppState) -> String {
    fmt_date(s.app.now().date())
}
