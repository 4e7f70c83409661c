//! Downloads: a unit's indicator report, the ranking, and the dossier register (sổ theo dõi
//! hồ sơ, form 07), as XLSX or CSV, written by `cchc_app::indicator_export` (the same files
//! as `cchc indicators … --format xlsx|csv`).

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cchc_app::AppError;
use cchc_app::indicator_export as export;
use cchc_domain::indicator::Period;

use super::{kind_of, provinces_for, resolve_period, staff, unit_or_default};
use crate::AppState;
use crate::pages::{PageError, Params, Session, disposition};
use cchc_app::indicators::MIN_RANK_VOLUME as MIN_VOLUME;

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct DownloadQuery {
    /// `bang-diem` (indicator report), `xep-hang` (ranking), `so-theo-doi` (register).
    #[serde(rename = "bao-cao")]
    bao_cao: Option<String>,
    /// `xlsx` (default) or `csv`.
    #[serde(rename = "dinh-dang")]
    dinh_dang: Option<String>,
    #[serde(rename = "don-vi")]
    don_vi: Option<String>,
    ky: Option<String>,
    tu: Option<String>,
    den: Option<String>,
    loai: Option<String>,
    #[serde(rename = "chi-so")]
    chi_so: Option<String>,
}

fn file(name: String, xlsx: bool, bytes: Vec<u8>) -> Response {
    let ct = if xlsx {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "text/csv; charset=utf-8"
    };
    let mut resp = (StatusCode::OK, bytes).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    h.insert(header::CONTENT_DISPOSITION, disposition(&name));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    resp
}

/// A file name part from a unit id or period key: letters, digits and dashes only.
fn slug(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

pub(super) async fn download(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<DownloadQuery>,
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
    let xlsx = match q.dinh_dang.as_deref().unwrap_or("xlsx") {
        "xlsx" => true,
        "csv" => false,
        other => {
            return Err(AppError::Invalid(format!(
                "định dạng «{other}» không hỗ trợ (dùng xlsx hoặc csv)"
            ))
            .into());
        }
    };
    let ext = if xlsx { "xlsx" } else { "csv" };
    let key = slug(&period.to_string());
    match q.bao_cao.as_deref().unwrap_or("bang-diem") {
        "bang-diem" | "so-theo-doi" => {
            let tree = s.app.units()?;
            let provinces = provinces_for(&s.app, who, &period).await?;
            let unit = unit_or_default(&tree, who, q.don_vi.as_deref(), &provinces)?;
            if q.bao_cao.as_deref() == Some("so-theo-doi") {
                let reg = s.app.dossier_register(who, &unit, &period).await?;
                let bytes = if xlsx {
                    export::register_xlsx(&reg)?
                } else {
                    export::register_csv(&reg)
                };
                let name = format!("so-theo-doi-ho-so_{}_{key}.{ext}", slug(&unit));
                Ok(file(name, xlsx, bytes))
            } else {
                let card = s.app.unit_scorecard(who, &unit, &period).await?;
                let bytes = if xlsx {
                    export::scorecard_xlsx(&card)?
                } else {
                    export::scorecard_csv(&card)
                };
                let name = format!("chi-so_{}_{key}.{ext}", slug(&unit));
                Ok(file(name, xlsx, bytes))
            }
        }
        "xep-hang" => {
            let slug_kind = q.loai.clone().unwrap_or_else(|| "xa".to_owned());
            let kind = kind_of(&slug_kind)?;
            let code = q.chi_so.as_deref().map(str::trim).filter(|c| !c.is_empty());
            if let Some(c) = code
                && s.app.indicator_set(&period).indicator(c).is_none()
            {
                return Err(AppError::NotFound(format!("chỉ số «{c}»")).into());
            }
            let ranking = s.app.ranking(&period, kind, code, MIN_VOLUME).await?;
            let bytes = if xlsx {
                export::ranking_xlsx(&ranking)?
            } else {
                export::ranking_csv(&ranking)
            };
            let name = format!("xep-hang_{}_{key}.{ext}", slug(&slug_kind));
            Ok(file(name, xlsx, bytes))
        }
        other => Err(AppError::Invalid(format!(
            "báo cáo «{other}» không có (bang-diem, xep-hang, so-theo-doi)"
        ))
        .into()),
    }
}
