//! Receiving a dossier at the counter or by post (`/can-bo/tiep-nhan`). The procedure is
//! typed as a code or words of its name: htmx fills a datalist with suggestions as the
//! officer types, and without script the form answers with the matching procedures to choose
//! from. On success the lookup secret waits in the stash for the receipt, printed next.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use cchc_app::AppError;
use cchc_app::dossiers::{ApplicantInput, ComponentInput, NewDossier};
use cchc_domain::dossier::ApplicantKind;
use cchc_domain::procedure::{Channel, Procedure};
use serde::Deserialize;

use super::{sentence, staff};
use crate::AppState;
use crate::pages::Params;
use crate::pages::public::{Choice, choices_of};
use crate::pages::{FormData, Layout, PageError, Session, flash_redirect, render, render_status};

/// Components most dossiers carry, offered as checkboxes.
const STANDARD_COMPONENTS: [&str; 5] = [
    "Tờ khai",
    "Bản sao giấy tờ tùy thân",
    "Giấy tờ chứng minh nơi cư trú",
    "Văn bản ủy quyền",
    "Bản sao giấy tờ có liên quan",
];

const KINDS: [(&str, &str); 4] = [
    ("citizen", "Công dân"),
    ("business", "Doanh nghiệp"),
    ("state_agency", "Cơ quan nhà nước"),
    ("other", "Tổ chức khác"),
];

const CHANNELS: [(&str, &str); 2] = [
    ("counter", "Trực tiếp tại Bộ phận Một cửa"),
    ("post", "Qua dịch vụ bưu chính công ích"),
];

pub(crate) struct ComponentBox {
    pub id: String,
    pub name: &'static str,
    pub checked: bool,
}

/// What the officer typed, kept when the form comes back with an error.
pub(crate) struct IntakeValues {
    pub procedure: String,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub extra: String,
}

pub(crate) struct ProcedureOption {
    pub code: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "officer/intake.html")]
struct IntakePage {
    layout: Layout,
    unit_name: String,
    v: IntakeValues,
    kinds: Vec<Choice>,
    channels: Vec<Choice>,
    components: Vec<ComponentBox>,
    error: Option<String>,
    /// Procedures matching what was typed, to choose from (no script).
    matches: Vec<ProcedureOption>,
}

fn component_boxes(checked: &[String]) -> Vec<ComponentBox> {
    STANDARD_COMPONENTS
        .iter()
        .enumerate()
        .map(|(i, name)| ComponentBox {
            id: format!("thanh_phan_{}", i + 1),
            name,
            checked: checked.iter().any(|c| c == name),
        })
        .collect()
}

fn page(
    session: &Session,
    unit_name: String,
    form: &FormData,
    error: Option<String>,
    matches: Vec<ProcedureOption>,
) -> IntakePage {
    let kind = form.get("doi_tuong");
    let channel = form.get("kenh");
    IntakePage {
        layout: session.layout("Tiếp nhận hồ sơ"),
        unit_name,
        v: IntakeValues {
            procedure: form.get("thu_tuc"),
            name: form.get("ho_ten"),
            id_number: form.get("so_giay_to"),
            phone: form.get("dien_thoai"),
            email: form.get("email"),
            address: form.get("dia_chi"),
            extra: form
                .0
                .iter()
                .find(|(k, _)| k == "thanh_phan_khac")
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
        },
        kinds: choices_of(&KINDS, if kind.is_empty() { "citizen" } else { &kind }),
        channels: choices_of(
            &CHANNELS,
            if channel.is_empty() {
                "counter"
            } else {
                &channel
            },
        ),
        components: component_boxes(&form.all("thanh_phan")),
        error,
        matches,
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct IntakeQuery {
    #[serde(default)]
    thu_tuc: String,
}

pub(super) async fn form(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<IntakeQuery>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let scope = s.app.desk_scope(who)?;
    let defaults = FormData(vec![
        ("thu_tuc".into(), q.thu_tuc.clone()),
        ("thanh_phan".into(), STANDARD_COMPONENTS[0].into()),
    ]);
    Ok(render(&page(
        &session,
        scope.unit_name,
        &defaults,
        None,
        Vec::new(),
    )))
}

/// Finds the procedure the officer meant: a chosen one, an exact code (possibly followed by
/// its name, as a suggestion reads), or the only match of the words typed. Otherwise the
/// matches to choose from.
async fn resolve(
    s: &AppState,
    form: &FormData,
) -> Result<Procedure, (String, Vec<ProcedureOption>)> {
    let picked = form.get("chon_thu_tuc");
    let typed = if picked.is_empty() {
        form.get("thu_tuc")
    } else {
        picked
    };
    if typed.is_empty() {
        return Err(("Chọn thủ tục hành chính của hồ sơ.".into(), Vec::new()));
    }
    let code = typed.split_whitespace().next().unwrap_or("");
    match s.app.procedure(code).await {
        Ok(p) => return Ok(p),
        Err(AppError::NotFound(_)) => {}
        Err(e) => return Err((sentence(&e.to_string()), Vec::new())),
    }
    match s.app.search_procedures(&typed, 1, 10).await {
        Ok(page) if page.total == 1 => page
            .items
            .into_iter()
            .next()
            .ok_or_else(|| ("Không tìm thấy thủ tục phù hợp.".to_owned(), Vec::new())),
        Ok(page) if page.items.is_empty() => Err((
            format!("Không tìm thấy thủ tục nào theo “{typed}”. Nhập mã thủ tục hoặc tên thủ tục."),
            Vec::new(),
        )),
        Ok(page) => Err((
            format!(
                "Có {} thủ tục phù hợp với “{typed}”: chọn một thủ tục trong danh sách dưới đây.",
                page.total
            ),
            page.items
                .into_iter()
                .map(|p| ProcedureOption {
                    code: p.code,
                    name: p.name,
                })
                .collect(),
        )),
        Err(e) => Err((sentence(&e.to_string()), Vec::new())),
    }
}

fn applicant_kind(value: &str) -> Result<ApplicantKind, String> {
    match value {
        "citizen" | "" => Ok(ApplicantKind::Citizen),
        "business" => Ok(ApplicantKind::Business),
        "state_agency" => Ok(ApplicantKind::StateAgency),
        "other" => Ok(ApplicantKind::Other),
        _ => Err(
            "Chọn đối tượng là công dân, doanh nghiệp, cơ quan nhà nước hoặc tổ chức khác.".into(),
        ),
    }
}

pub(super) async fn submit(
    State(s): State<AppState>,
    session: Session,
    form: FormData,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let scope = s.app.desk_scope(who)?;
    let fail = |message: String, matches: Vec<ProcedureOption>| -> Result<Response, PageError> {
        Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(
                &session,
                scope.unit_name.clone(),
                &form,
                Some(message),
                matches,
            ),
        ))
    };
    let procedure = match resolve(&s, &form).await {
        Ok(p) => p,
        Err((message, matches)) => return fail(message, matches),
    };
    let kind = match applicant_kind(&form.get("doi_tuong")) {
        Ok(k) => k,
        Err(m) => return fail(m, Vec::new()),
    };
    let channel = match form.get("kenh").as_str() {
        "counter" | "" => Channel::Counter,
        "post" => Channel::Post,
        _ => {
            return fail(
                "Chọn kênh tiếp nhận: trực tiếp hoặc bưu chính.".into(),
                Vec::new(),
            );
        }
    };
    let extra = form
        .0
        .iter()
        .find(|(k, _)| k == "thanh_phan_khac")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let components: Vec<ComponentInput> = form
        .all("thanh_phan")
        .into_iter()
        .filter(|c| STANDARD_COMPONENTS.contains(&c.as_str()))
        .chain(
            extra
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned),
        )
        .map(|name| ComponentInput {
            name,
            digitised: false,
            reused: false,
            from_national_data: false,
            file_ref: None,
        })
        .collect();
    if components.is_empty() {
        return fail(
            "Đánh dấu hoặc nhập ít nhất một thành phần hồ sơ đã nhận.".into(),
            Vec::new(),
        );
    }
    let input = NewDossier {
        procedure_code: procedure.code.clone(),
        channel,
        applicant: ApplicantInput {
            kind,
            name: form.get("ho_ten"),
            id_number: form.get("so_giay_to"),
            phone: form.get("dien_thoai"),
            email: form.get("email"),
            address: form.get("dia_chi"),
        },
        components,
        competent_unit: None,
        receiving_unit: None,
    };
    match s.app.create_dossier(who, input).await {
        Ok(receipt) => {
            s.secrets.put(&session, &receipt.code, &receipt.secret);
            Ok(flash_redirect(
                &format!("/bieu-mau/{}/tiep-nhan", receipt.code),
                &format!(
                    "Đã tiếp nhận hồ sơ {}. In giấy tiếp nhận và hẹn trả kết quả giao cho người nộp.",
                    receipt.code
                ),
            ))
        }
        Err(e @ (AppError::Invalid(_) | AppError::NotFound(_))) => {
            fail(sentence(&e.to_string()), Vec::new())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "officer/suggest.html")]
struct Suggestions {
    items: Vec<ProcedureOption>,
}

/// The datalist's options for what has been typed (an htmx fragment).
pub(super) async fn suggest(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<IntakeQuery>,
) -> Result<Response, PageError> {
    staff(&session)?;
    let text = q.thu_tuc.trim();
    let items = if text.chars().count() < 2 {
        Vec::new()
    } else {
        s.app
            .search_procedures(text, 1, 15)
            .await?
            .items
            .into_iter()
            .map(|p| ProcedureOption {
                code: p.code,
                name: p.name,
            })
            .collect()
    };
    Ok(render(&Suggestions { items }))
}
