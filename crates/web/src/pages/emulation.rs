//! The emulation movement (phong trào thi đua, khen thưởng): the movements and the
//! administrator's form to launch one; a movement's page with its criteria and the evaluation
//! of a year (verdicts per unit and per member of staff, the nomination lists per reward form
//! and issuer, evaluate and approve, the proposal documents, the signed decisions); a
//! subject's page with the evidence behind every verdict and the reform office's adjustments;
//! the records the individual criteria need (ratings, discipline, initiatives); and the JSON
//! of an evaluation for other systems. Every check is in the `cchc_app` use cases.
//!
//! Query parameters: `nam` (year), `ket-qua` (`dat`, `khong-dat`, `chua-du`), `don-vi`
//! (unit id), `q` (name), `trang` (page); documents: `hinh-thuc` (reward form id), `noi-ky`
//! (issuer), `tai-lieu` (`ho-so`, `to-trinh`, `bien-ban`, `bao-cao`), `doi-tuong`
//! (`tap-the:ID` or `ca-nhan:ID`).

mod documents;
mod movement;
mod records;
mod subject;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use cchc_app::{AppError, Principal, Role};
use cchc_domain::emulation::{EvidenceRef, SubjectKind, Verdict};

use super::{PageError, Session, percent_encode};
use crate::AppState;

/// The movements' address.
pub(crate) const BASE: &str = "/thi-dua";
/// The records page.
const RECORDS: &str = "/thi-dua/ghi-nhan";

pub(super) fn routes(state: &AppState) -> Router<AppState> {
    let upload_limit = DefaultBodyLimit::max(state.config.max_upload_bytes);
    Router::new()
        .route(BASE, get(movement::list).post(movement::create))
        .route(RECORDS, get(records::page))
        .route("/thi-dua/ghi-nhan/xep-loai", post(records::rate))
        .route(
            "/thi-dua/ghi-nhan/ky-luat",
            post(records::discipline).layer(upload_limit),
        )
        .route(
            "/thi-dua/ghi-nhan/sang-kien",
            post(records::initiative).layer(upload_limit),
        )
        .route("/thi-dua/tai-lieu", get(documents::record_document))
        .route("/thi-dua/{code}", get(movement::page))
        .route("/thi-dua/{code}/danh-gia", post(movement::evaluate))
        .route("/thi-dua/{code}/phe-duyet", post(movement::approve))
        .route("/thi-dua/{code}/{nam}/de-nghi", get(documents::proposal))
        .route("/thi-dua/{code}/{nam}/ban-in", get(documents::printable))
        .route(
            "/thi-dua/{code}/{nam}/ket-qua.xlsx",
            get(documents::workbook),
        )
        .route(
            "/thi-dua/{code}/{nam}/quyet-dinh",
            post(documents::decision).layer(upload_limit),
        )
        .route("/thi-dua/{code}/{nam}/{kind}/{id}", get(subject::page))
        .route(
            "/thi-dua/{code}/{nam}/{kind}/{id}/dieu-chinh",
            post(subject::adjust),
        )
        .route("/api/v1/emulation/{movement}/{year}", get(documents::api))
}

/// Officers, leaders and administrators (citizens are refused, visitors sent to sign in).
fn staff(session: &Session) -> Result<&Principal, PageError> {
    session.require_role(&[Role::Officer, Role::Leader, Role::Admin])
}

/// A subject kind in addresses.
fn kind_slug(kind: SubjectKind) -> &'static str {
    match kind {
        SubjectKind::Collective => "tap-the",
        SubjectKind::Individual => "ca-nhan",
    }
}

fn kind_of(slug: &str) -> Result<SubjectKind, AppError> {
    match slug {
        "tap-the" => Ok(SubjectKind::Collective),
        "ca-nhan" => Ok(SubjectKind::Individual),
        other => Err(AppError::NotFound(format!(
            "loại đối tượng «{other}» (tap-the: tập thể, ca-nhan: cá nhân)"
        ))),
    }
}

/// A year in an address: 2000-2100.
fn year_of(text: &str) -> Result<i16, AppError> {
    text.trim()
        .parse::<i16>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| AppError::Invalid(format!("năm «{}» không hợp lệ", text.trim())))
}

/// A path segment, percent-encoded (unit ids hold ':' and '/').
fn seg(s: &str) -> String {
    percent_encode(s)
}

/// The movement's page for a year.
fn movement_href(code: &str, year: i16) -> String {
    format!("{BASE}/{}?nam={year}", seg(code))
}

/// A subject's page.
fn subject_href(code: &str, year: i16, kind: SubjectKind, id: &str) -> String {
    format!(
        "{BASE}/{}/{year}/{}/{}",
        seg(code),
        kind_slug(kind),
        seg(id)
    )
}

/// A query string from pairs, skipping empty values.
fn query(pairs: &[(&str, &str)]) -> String {
    super::indicators::query(pairs)
}

/// A verdict as users read it: its words, a class for its colour and a mark.
#[derive(Debug, Clone)]
struct VerdictView {
    label: &'static str,
    class: &'static str,
    mark: &'static str,
    /// Changed by the reform office.
    adjusted: bool,
}

fn verdict_view(v: Verdict, adjusted: bool) -> VerdictView {
    let (class, mark) = match v {
        Verdict::Met => ("ok", "✔"),
        Verdict::NotMet => ("late", "✘"),
        Verdict::NoData => ("warn", "?"),
    };
    VerdictView {
        label: v.label(),
        class,
        mark,
        adjusted,
    }
}

/// Where a piece of evidence is shown: the page of the record it names.
fn evidence_href(what: &EvidenceRef) -> Option<String> {
    Some(match what {
        EvidenceRef::Dossier { code } => format!("/can-bo/ho-so/{}", seg(code)),
        EvidenceRef::DossierList { unit, year } => format!(
            "/chi-so-cai-cach/ho-so?{}",
            query(&[
                ("don-vi", unit),
                ("ky", &year.to_string()),
                ("chi-so", "2.1"),
                ("phan", "mau"),
            ])
        ),
        EvidenceRef::Task { id } => format!("/ke-hoach/nhiem-vu/{}", seg(id)),
        EvidenceRef::Report { .. } => "/ke-hoach/bao-cao".to_owned(),
        EvidenceRef::ParScore { unit, year } => format!(
            "/chi-so-par/don-vi?{}",
            query(&[("don-vi", unit), ("nam", &year.to_string())])
        ),
        EvidenceRef::Discipline { id } => format!(
            "/thi-dua/tai-lieu?{}",
            query(&[("loai", "ky-luat"), ("id", id)])
        ),
        EvidenceRef::Initiative { id } => format!(
            "/thi-dua/tai-lieu?{}",
            query(&[("loai", "sang-kien"), ("id", id)])
        ),
        EvidenceRef::Rating { .. } => return None,
    })
}

/// An option of a select.
#[derive(Debug, Clone)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_encode_unit_ids() {
        assert_eq!(
            subject_href(
                "kt-cchc-2023-2030",
                2025,
                SubjectKind::Collective,
                "p:62/so-noi-vu"
            ),
            "/thi-dua/kt-cchc-2023-2030/2025/tap-the/p%3A62%2Fso-noi-vu"
        );
        assert_eq!(kind_of("ca-nhan").ok(), Some(SubjectKind::Individual));
        assert!(kind_of("x").is_err());
        assert_eq!(year_of("2025").ok(), Some(2025));
        assert!(year_of("20x5").is_err());
        let list = evidence_href(&EvidenceRef::DossierList {
            unit: "w:23281".into(),
            year: 2025,
        })
        .unwrap_or_default();
        assert!(list.starts_with("/chi-so-cai-cach/ho-so?don-vi=w%3A23281&ky=2025"));
        assert!(
            evidence_href(&EvidenceRef::Rating {
                person: "a".into(),
                year: 2025
            })
            .is_none()
        );
        assert_eq!(
            verdict_view(Verdict::NoData, false).label,
            "Chưa đủ dữ liệu"
        );
    }
}
