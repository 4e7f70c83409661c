//! Online submission (nộp hồ sơ trực tuyến): the receiving unit, the applicant, the components
//! as uploaded files. A refused form comes back with every typed value kept.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use cchc_app::AppError;
use cchc_app::dossiers::{ApplicantInput, NewDossier};
use cchc_app::files::{MAX_FILE_BYTES, Upload};
use cchc_domain::dossier::ApplicantKind;
use cchc_domain::procedure::{Channel, Fee, Procedure, ProcedureLevel};
use cchc_domain::text::fold;
use cchc_domain::unit::{UnitKind, UnitTree};
use jiff::civil::Date;

use super::super::public::{Choice, ProcedureItem, online_ready};
use super::super::{
    FormData, Layout, PageError, Session, UploadSession, flash_redirect, fmt, read_multipart,
    render_status,
};
use super::{citizen, dossier_href, sentence};
use crate::AppState;
use crate::pages::Multipart;

/// A group of receiving units in the select.
pub(crate) struct UnitGroup {
    pub label: &'static str,
    pub options: Vec<Choice>,
}

/// Which units may receive a procedure's dossiers online today: in the province(s) this
/// platform serves (those with their own departments in the unit tree), the communes for
/// commune-level procedures, the district one-stop offices for district-level ones (the
/// communes once districts are gone, from 1 July 2025), the departments and service centres
/// for province-level, ministry-level and other procedures.
fn receiving_units(tree: &UnitTree, p: &Procedure, today: Date) -> Vec<(UnitKind, String, String)> {
    let levels = &p.level.levels;
    let communes = levels.contains(&ProcedureLevel::Commune);
    let districts = levels.contains(&ProcedureLevel::District);
    let departments = levels.is_empty()
        || levels.iter().any(|l| {
            matches!(
                l,
                ProcedureLevel::Province | ProcedureLevel::Ministry | ProcedureLevel::Other
            )
        });
    let is_department = |k: UnitKind| matches!(k, UnitKind::Department | UnitKind::ServiceCentre);
    let homes: Vec<_> = tree
        .roots()
        .filter(|u| u.kind == UnitKind::Province && u.is_active_on(today))
        .filter(|u| {
            tree.children(&u.id)
                .any(|c| is_department(c.kind) && c.is_active_on(today))
        })
        .collect();
    let mut out = Vec::new();
    for home in homes {
        let active: Vec<_> = tree
            .subtree(&home.id)
            .filter(|u| u.is_active_on(today))
            .collect();
        let has_offices = active.iter().any(|u| u.kind == UnitKind::Office);
        for u in active {
            let wanted = match u.kind {
                UnitKind::Commune => communes || (districts && !has_offices),
                UnitKind::Office => districts,
                k if is_department(k) => departments,
                _ => false,
            };
            if !wanted {
                continue;
            }
            let label = match tree.parent(&u.id) {
                Some(parent)
                    if parent.kind == UnitKind::District && u.kind == UnitKind::Commune =>
                {
                    format!("{}, {}", u.full_name, parent.full_name)
                }
                _ => u.full_name.clone(),
            };
            out.push((u.kind, u.id.as_str().to_owned(), label));
        }
    }
    out.sort_by_cached_key(|(_, _, label)| fold(label));
    out
}

/// The select's groups, in order; a unit's group by its kind.
const GROUPS: [&str; 3] = [
    "Sở, ban, ngành và trung tâm phục vụ hành chính công",
    "Bộ phận Một cửa cấp huyện",
    "Xã, phường, thị trấn",
];

fn group_of(kind: UnitKind) -> usize {
    match kind {
        UnitKind::Office => 1,
        UnitKind::Commune => 2,
        _ => 0,
    }
}

fn unit_groups(units: &[(UnitKind, String, String)], selected: &str) -> Vec<UnitGroup> {
    GROUPS
        .iter()
        .enumerate()
        .map(|(i, label)| UnitGroup {
            label,
            options: units
                .iter()
                .filter(|(k, _, _)| group_of(*k) == i)
                .map(|(_, id, name)| Choice {
                    value: id.clone(),
                    label: name.clone(),
                    selected: id == selected,
                })
                .collect(),
        })
        .filter(|g| !g.options.is_empty())
        .collect()
}

/// The typed values, kept when the form comes back.
#[derive(Debug, Default)]
pub(crate) struct Values {
    pub unit: String,
    pub business: bool,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub name2: String,
    pub name3: String,
}

impl Values {
    fn of(f: &FormData) -> Self {
        Self {
            unit: f.get("don_vi"),
            business: f.get("doi_tuong") == "doanh_nghiep",
            name: f.get("ho_ten"),
            id_number: f.get("so_giay_to"),
            phone: f.get("dien_thoai"),
            email: f.get("email"),
            address: f.get("dia_chi"),
            name2: f.get("ten_2"),
            name3: f.get("ten_3"),
        }
    }
}

/// Which fields are in error (aria-invalid).
#[derive(Debug, Default)]
pub(crate) struct Invalid {
    pub unit: bool,
    pub name: bool,
    pub id_number: bool,
    pub phone: bool,
    pub email: bool,
    pub address: bool,
    pub files: bool,
}

impl Invalid {
    /// Marks the field an application message is about.
    fn mark(&mut self, m: &str) {
        if m.contains("đơn vị") || m.contains("hoạt động") {
            self.unit = true;
        } else if m.contains("họ tên") {
            self.name = true;
        } else if m.contains("giấy tờ tùy thân") || m.contains("mã số doanh nghiệp") {
            self.id_number = true;
        } else if m.contains("điện thoại") {
            self.phone = true;
        } else if m.contains("thư điện tử") {
            self.email = true;
        } else if m.contains("địa chỉ") {
            self.address = true;
        } else if m.contains("tệp") || m.contains("thành phần") {
            self.files = true;
        }
    }
}

#[derive(Template)]
#[template(path = "citizen/submit.html")]
struct SubmitPage {
    layout: Layout,
    p: ProcedureItem,
    available: bool,
    limit: String,
    fee: String,
    units: Vec<UnitGroup>,
    v: Values,
    errors: Vec<String>,
    invalid: Invalid,
    /// The form came back: files must be chosen again.
    files_lost: bool,
    max_file_mb: usize,
}

fn fee_of(p: &Procedure) -> String {
    let info = p.channel(Channel::Online);
    match &info.fee {
        Fee::None => "Không thu phí".to_owned(),
        Fee::Amount { vnd, .. } => fmt::money(*vnd),
        Fee::Unknown if !info.fee_raw.is_empty() => info.fee_raw.clone(),
        other => other.to_string(),
    }
}

async fn page(
    s: &AppState,
    session: &Session,
    p: &Procedure,
    v: Values,
    errors: Vec<String>,
    invalid: Invalid,
    files_lost: bool,
) -> Result<SubmitPage, PageError> {
    let tree = s.app.units()?;
    let units = receiving_units(&tree, p, s.app.now().date());
    Ok(SubmitPage {
        layout: session.layout(format!("Nộp hồ sơ trực tuyến: {}", p.name)),
        p: ProcedureItem::of(p),
        available: online_ready(p),
        limit: p
            .limit(Channel::Online)
            .map(|l| l.to_string())
            .unwrap_or_default(),
        fee: fee_of(p),
        units: unit_groups(&units, &v.unit),
        v,
        errors,
        invalid,
        files_lost,
        max_file_mb: MAX_FILE_BYTES / (1024 * 1024),
    })
}

pub(super) async fn form(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    citizen(&session)?;
    let p = s.app.procedure(&code).await?;
    let t = page(
        &s,
        &session,
        &p,
        Values::default(),
        Vec::new(),
        Invalid::default(),
        false,
    )
    .await?;
    Ok(render_status(StatusCode::OK, &t))
}

/// File fields of the form: the declaration (tờ khai, required) and two others, each with
/// the component name typed beside it.
const DECLARATION: &str = "Tờ khai";

pub(super) async fn submit(
    State(s): State<AppState>,
    UploadSession(session): UploadSession,
    Path(code): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let who = citizen(&session)?.clone();
    let p = s.app.procedure(&code).await?;
    let form = read_multipart(&session, multipart).await?;
    let v = Values::of(&form.fields);
    let mut errors = Vec::new();
    let mut invalid = Invalid::default();
    if !online_ready(&p) {
        return Err(
            AppError::Invalid(format!("thủ tục {} chưa nhận hồ sơ trực tuyến", p.code)).into(),
        );
    }
    let tree = s.app.units()?;
    let units = receiving_units(&tree, &p, s.app.now().date());
    if v.unit.is_empty() {
        errors.push("Chọn đơn vị tiếp nhận hồ sơ.".to_owned());
        invalid.unit = true;
    } else if !units.iter().any(|(_, id, _)| *id == v.unit) {
        errors.push("Đơn vị tiếp nhận đã chọn không nhận hồ sơ của thủ tục này.".to_owned());
        invalid.unit = true;
    }
    if v.name.is_empty() {
        errors.push("Nhập họ tên người nộp hoặc tên doanh nghiệp.".to_owned());
        invalid.name = true;
    }
    let mut uploads = Vec::new();
    for (field, file_name, content) in form.files {
        let component = match field.as_str() {
            "tep_to_khai" => DECLARATION.to_owned(),
            "tep_2" if !v.name2.is_empty() => v.name2.clone(),
            "tep_2" => "Giấy tờ kèm theo 1".to_owned(),
            "tep_3" if !v.name3.is_empty() => v.name3.clone(),
            "tep_3" => "Giấy tờ kèm theo 2".to_owned(),
            _ => continue,
        };
        uploads.push(Upload {
            component,
            file_name,
            content,
        });
    }
    if !uploads.iter().any(|u| u.component == DECLARATION) {
        errors.push("Đính kèm tệp tờ khai.".to_owned());
        invalid.files = true;
    }
    if errors.is_empty() {
        let input = NewDossier {
            procedure_code: p.code.clone(),
            channel: Channel::Online,
            applicant: ApplicantInput {
                kind: if v.business {
                    ApplicantKind::Business
                } else {
                    ApplicantKind::Citizen
                },
                name: v.name.clone(),
                id_number: v.id_number.clone(),
                phone: v.phone.clone(),
                email: v.email.clone(),
                address: v.address.clone(),
            },
            components: Vec::new(),
            competent_unit: None,
            receiving_unit: Some(v.unit.clone()),
        };
        match s.app.create_dossier_with_files(&who, input, uploads).await {
            Ok(receipt) => {
                s.secrets.put(&session, &receipt.code, &receipt.secret);
                return Ok(flash_redirect(
                    &format!("{}?moi=1", dossier_href(&receipt.code)),
                    "Đã nộp hồ sơ trực tuyến thành công.",
                ));
            }
            Err(AppError::Invalid(m)) => {
                invalid.mark(&m);
                errors.push(sentence(&m));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let t = page(&s, &session, &p, v, errors, invalid, true).await?;
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &t))
}
