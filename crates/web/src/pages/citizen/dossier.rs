//! A citizen's own dossier: where it stands, its due date, its steps and files, and the actions
//! open to its owner now (supplement, payment, rating, withdrawal).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use cchc_app::dossiers::{Action, HistoryStep};
use cchc_app::files::{MAX_FILE_BYTES, Upload};
use cchc_app::payments::amount_due;
use cchc_app::{AppError, Principal};
use cchc_domain::dossier::{ApplicantKind, EventKind, Status};
use serde::Deserialize;
use serde_json::Value;

use super::super::{
    FormData, Layout, PageError, Session, UploadSession, file_response, flash_redirect, fmt,
    read_multipart, render_status,
};
use super::{citizen, dossier_href, sentence};
use crate::AppState;
use crate::pages::Multipart;
use crate::pages::Params;

pub(crate) struct FileRow {
    pub href: String,
    pub component: String,
    pub name: String,
    pub size: String,
    pub at: String,
}

pub(crate) struct StepRow {
    pub at: String,
    pub label: String,
    pub unit: String,
    pub note: String,
}

pub(crate) struct PaymentLine {
    pub amount: String,
    pub status: String,
    pub at: String,
    pub reference: String,
}

pub(crate) struct SupplementInput {
    /// Field name of the file input (`tep_1` …) and of its component (`ten_1` …).
    pub n: usize,
    pub item: String,
}

pub(crate) struct ScoreChoice {
    pub value: u8,
    pub label: &'static str,
    pub checked: bool,
}

/// What a refused action sends back to the page: the message and what was typed.
#[derive(Debug, Default)]
pub(crate) struct Extra {
    pub error: Option<String>,
    /// The section the message belongs to: `bo-sung`, `thanh-toan`, `danh-gia`, `rut`.
    pub section: &'static str,
    pub note: String,
    pub score: u8,
    pub comment: String,
    pub reason: String,
    /// Reached right after submission: the lookup secret is shown.
    pub just_submitted: bool,
}

#[derive(Template)]
#[template(path = "citizen/dossier.html")]
struct DossierPage {
    layout: Layout,
    code: String,
    secret: Option<String>,
    procedure: String,
    procedure_code: String,
    status: String,
    channel: String,
    submitted: String,
    received: String,
    due: String,
    /// A due date is known and the dossier is not finished.
    due_open: bool,
    late: bool,
    verdict: String,
    finished: String,
    returned: String,
    receiving_unit: String,
    current_unit: String,
    applicant_kind: &'static str,
    applicant_name: String,
    applicant_id: String,
    applicant_phone: String,
    applicant_email: String,
    applicant_address: String,
    files: Vec<FileRow>,
    steps: Vec<StepRow>,
    payments: Vec<PaymentLine>,
    version: u32,
    /// Awaiting a supplement: the items asked for and the note of the request.
    supplement: bool,
    supplement_items: Vec<SupplementInput>,
    supplement_note: String,
    /// What may be paid online now.
    pay_amount: Option<String>,
    pay_reason: &'static str,
    can_rate: bool,
    rating: Option<(u8, String)>,
    scores: Vec<ScoreChoice>,
    can_withdraw: bool,
    max_file_mb: usize,
    x: Extra,
}

fn size_text(bytes: i64) -> String {
    if bytes < 1024 {
        format!("{bytes} byte")
    } else if bytes < 1024 * 1024 {
        format!("{} KB", (bytes + 512) / 1024)
    } else {
        let tenths = (bytes * 10 + 524_288) / 1_048_576;
        format!("{},{} MB", tenths / 10, tenths % 10)
    }
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("")
        .to_owned()
}

fn items_of(v: &Value) -> Vec<String> {
    v.get("items")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// What a step adds for its owner: the items asked, an amount, a reason or a note.
fn step_note(step: &HistoryStep) -> String {
    let d = &step.detail;
    let mut parts = Vec::new();
    let items = items_of(d);
    if !items.is_empty() {
        parts.push(format!("Cần bổ sung: {}", items.join("; ")));
    }
    if let Some(a) = d.get("amount").and_then(Value::as_i64) {
        parts.push(format!("Số tiền: {}", fmt::money(a)));
    }
    if let Some(p) = d.get("payment") {
        if let Some(a) = p.get("amount").and_then(Value::as_i64) {
            let online = p.get("online").and_then(Value::as_bool) == Some(true);
            parts.push(format!(
                "Đã nộp {}{}",
                fmt::money(a),
                if online { " trực tuyến" } else { "" }
            ));
        }
        let reference = text(p, "reference");
        if !reference.is_empty() {
            parts.push(format!("Mã giao dịch: {reference}"));
        }
    }
    if let Some(score) = d.get("score").and_then(Value::as_u64) {
        parts.push(format!("{score}/5 điểm"));
    }
    if let Some(new_due) = d.get("new_due").and_then(Value::as_str) {
        parts.push(format!("Hẹn lại: {}", fmt::datetime(new_due)));
    }
    for (key, label) in [("reason", "Lý do: "), ("note", ""), ("comment", "")] {
        let t = text(d, key);
        if !t.is_empty() {
            parts.push(format!("{label}{t}"));
        }
    }
    parts.join(" · ")
}

const SCORES: [(u8, &str); 5] = [
    (5, "5 – Rất hài lòng"),
    (4, "4 – Hài lòng"),
    (3, "3 – Bình thường"),
    (2, "2 – Không hài lòng"),
    (1, "1 – Rất không hài lòng"),
];

async fn build(
    s: &AppState,
    session: &Session,
    who: &Principal,
    code: &str,
    x: Extra,
) -> Result<DossierPage, PageError> {
    let view = s.app.dossier(who, code).await?;
    let history = s.app.history(who, code).await?;
    let files = s.app.attachments(who, code).await?;
    let payments = s.app.payments_of(who, code).await?;
    let d = &view.dossier;
    let procedure = s.app.procedure(&d.procedure_code).await.ok();
    let tree = s.app.units()?;
    let unit_name = |id: &str| {
        tree.get(id)
            .map_or_else(|| id.to_owned(), |u| u.full_name.clone())
    };
    let last_request = history
        .iter()
        .rev()
        .find(|h| h.kind == "supplement_requested");
    let supplement = d.status == Status::AwaitingSupplement;
    let supplement_items = if supplement {
        last_request
            .map(|h| items_of(&h.detail))
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let pay = procedure.as_ref().and_then(|p| amount_due(d, p));
    let due = match (&view.due, d.status) {
        (Some(due), _) => fmt::datetime(due),
        (None, Status::AwaitingSupplement) => "Tạm dừng tính thời hạn trong khi chờ bổ sung".into(),
        (None, Status::AwaitingPayment) => {
            "Tạm dừng tính thời hạn trong khi chờ thực hiện nghĩa vụ tài chính".into()
        }
        (None, Status::Submitted) => "Xác định khi hồ sơ được tiếp nhận".into(),
        (None, _) => "—".into(),
    };
    Ok(DossierPage {
        layout: session.layout(format!("Hồ sơ {}", d.code)),
        secret: if x.just_submitted {
            s.secrets.get(session, &d.code)
        } else {
            None
        },
        due_open: view.due.is_some() && view.verdict.is_none(),
        procedure: procedure
            .as_ref()
            .map_or_else(|| d.procedure_code.clone(), |p| p.name.clone()),
        procedure_code: d.procedure_code.clone(),
        status: view.status_label.to_owned(),
        channel: d.channel.label().to_owned(),
        submitted: fmt::datetime(&cchc_domain::calendar::iso_datetime(d.submitted_at)),
        received: d.received_at.map_or_else(
            || "—".to_owned(),
            |t| fmt::datetime(&cchc_domain::calendar::iso_datetime(t)),
        ),
        due,
        late: view.late,
        verdict: view
            .verdict
            .map(|v| v.label().to_owned())
            .unwrap_or_default(),
        finished: d.finished_at().map_or_else(
            || "—".to_owned(),
            |t| fmt::datetime(&cchc_domain::calendar::iso_datetime(t)),
        ),
        returned: d.returned_at.map_or_else(
            || "—".to_owned(),
            |t| fmt::datetime(&cchc_domain::calendar::iso_datetime(t)),
        ),
        receiving_unit: unit_name(&d.receiving_unit),
        current_unit: unit_name(&d.current_unit),
        applicant_kind: match d.applicant.kind {
            ApplicantKind::Citizen => "Công dân",
            ApplicantKind::Business => "Doanh nghiệp",
            ApplicantKind::StateAgency => "Cơ quan nhà nước",
            ApplicantKind::Other => "Tổ chức khác",
        },
        applicant_name: d.applicant.name.clone(),
        applicant_id: d.applicant.id_number.clone(),
        applicant_phone: d.applicant.phone.clone(),
        applicant_email: d.applicant.email.clone(),
        applicant_address: d.applicant.address.clone(),
        files: files
            .into_iter()
            .map(|f| FileRow {
                href: format!("/cong-dan/ho-so/{}/tep/{}", d.code, f.id),
                component: f.component,
                name: f.file_name,
                size: size_text(f.size_bytes),
                at: fmt::datetime(&f.uploaded_at),
            })
            .collect(),
        steps: history
            .iter()
            .map(|h| StepRow {
                at: fmt::datetime(&h.at),
                label: h.label.to_owned(),
                unit: h.unit_name.clone(),
                note: step_note(h),
            })
            .collect(),
        payments: payments
            .into_iter()
            .map(|p| PaymentLine {
                amount: fmt::money(p.amount),
                status: p.status.label().to_owned(),
                at: fmt::datetime(p.completed_at.as_deref().unwrap_or(&p.created_at)),
                reference: p.gateway_ref.unwrap_or_default(),
            })
            .collect(),
        version: d.version,
        supplement,
        supplement_items: supplement_items
            .into_iter()
            .take(10)
            .enumerate()
            .map(|(i, item)| SupplementInput { n: i + 1, item })
            .collect(),
        supplement_note: if supplement {
            last_request
                .map(|h| text(&h.detail, "note"))
                .unwrap_or_default()
        } else {
            String::new()
        },
        pay_amount: pay.map(fmt::money),
        pay_reason: if d.status == Status::AwaitingPayment {
            "Cơ quan giải quyết yêu cầu thực hiện nghĩa vụ tài chính."
        } else {
            "Phí, lệ phí của thủ tục, nộp khi nhận kết quả."
        },
        can_rate: d
            .check(&EventKind::Rated {
                score: 5,
                comment: String::new(),
            })
            .is_ok(),
        rating: d.rating.clone(),
        scores: SCORES
            .iter()
            .map(|(value, label)| ScoreChoice {
                value: *value,
                label,
                checked: *value == x.score,
            })
            .collect(),
        can_withdraw: d
            .check(&EventKind::Withdrawn {
                reason: String::new(),
            })
            .is_ok(),
        max_file_mb: MAX_FILE_BYTES / (1024 * 1024),
        code: d.code.clone(),
        x,
    })
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct PageQuery {
    /// `1` right after submission: show the lookup secret (while the stash keeps it).
    #[serde(default)]
    moi: String,
}

pub(super) async fn page(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    Params(q): Params<PageQuery>,
) -> Result<Response, PageError> {
    let who = citizen(&session)?;
    let x = Extra {
        just_submitted: q.moi == "1",
        ..Default::default()
    };
    let t = build(&s, &session, who, &code, x).await?;
    Ok(render_status(StatusCode::OK, &t))
}

/// The page again with a refused action's message, what was typed, and the status: 409 when
/// the dossier changed meanwhile (the page shows its new state), 422 otherwise.
async fn refused(
    s: &AppState,
    session: &Session,
    who: &Principal,
    code: &str,
    error: AppError,
    mut x: Extra,
) -> Result<Response, PageError> {
    let status = match &error {
        AppError::Invalid(m) => {
            x.error = Some(sentence(m));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AppError::Conflict(_) => {
            x.error = Some(
                "Hồ sơ vừa được cơ quan giải quyết cập nhật trong khi bạn thao tác. Trang đã được \
                 tải lại với thông tin mới nhất: vui lòng kiểm tra rồi thực hiện lại."
                    .to_owned(),
            );
            StatusCode::CONFLICT
        }
        _ => return Err(error.into()),
    };
    let t = build(s, session, who, code, x).await?;
    Ok(render_status(status, &t))
}

/// Someone else's dossier is not found, whatever the action (not refused: that would tell
/// the code exists).
async fn mine(s: &AppState, who: &Principal, code: &str) -> Result<(), PageError> {
    s.app.dossier(who, code).await?;
    Ok(())
}

fn version(form: &FormData, code: &str) -> Result<Option<u32>, AppError> {
    form.version("phien_ban", code)
}

pub(super) async fn rate(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let who = citizen(&session)?;
    mine(&s, who, &code).await?;
    let comment = form.get("gop_y");
    let score: Option<u8> = form
        .get("diem")
        .parse()
        .ok()
        .filter(|n| (1..=5).contains(n));
    let x = Extra {
        section: "danh-gia",
        score: score.unwrap_or(0),
        comment: comment.clone(),
        ..Default::default()
    };
    let Some(score) = score else {
        return refused(
            &s,
            &session,
            who,
            &code,
            AppError::Invalid("chọn mức độ hài lòng, từ 1 đến 5 điểm".into()),
            x,
        )
        .await;
    };
    let result = match version(&form, &code) {
        Ok(v) => {
            s.app
                .act(who, &code, v, Action::Rate { score, comment })
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(flash_redirect(
            &dossier_href(&code),
            "Cảm ơn bạn đã đánh giá mức độ hài lòng.",
        )),
        Err(e) => refused(&s, &session, who, &code, e, x).await,
    }
}

pub(super) async fn withdraw(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let who = citizen(&session)?;
    mine(&s, who, &code).await?;
    let reason = form.get("ly_do");
    let x = Extra {
        section: "rut",
        reason: reason.clone(),
        ..Default::default()
    };
    if form.get("xac_nhan") != "co" {
        return refused(
            &s,
            &session,
            who,
            &code,
            AppError::Invalid("đánh dấu ô xác nhận để rút hồ sơ".into()),
            x,
        )
        .await;
    }
    let result = match version(&form, &code) {
        Ok(v) => s.app.act(who, &code, v, Action::Withdraw { reason }).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(flash_redirect(&dossier_href(&code), "Đã rút hồ sơ.")),
        Err(e) => refused(&s, &session, who, &code, e, x).await,
    }
}

pub(super) async fn supplement(
    State(s): State<AppState>,
    UploadSession(session): UploadSession,
    Path(code): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let who = citizen(&session)?;
    mine(&s, who, &code).await?;
    let form = read_multipart(&session, multipart).await?;
    let note = form.fields.get("ghi_chu");
    let x = Extra {
        section: "bo-sung",
        note: note.clone(),
        ..Default::default()
    };
    let uploads: Vec<Upload> = form
        .files
        .into_iter()
        .filter_map(|(field, file_name, content)| {
            let n = field.strip_prefix("tep_")?;
            let named = form.fields.get(&format!("ten_{n}"));
            let component = if named.is_empty() {
                "Giấy tờ bổ sung".to_owned()
            } else {
                named
            };
            Some(Upload {
                component,
                file_name,
                content,
            })
        })
        .collect();
    if uploads.is_empty() {
        return refused(
            &s,
            &session,
            who,
            &code,
            AppError::Invalid("chọn ít nhất một tệp giấy tờ bổ sung".into()),
            x,
        )
        .await;
    }
    let result = match version(&form.fields, &code) {
        Ok(v) => {
            s.app
                .act_with_files(who, &code, v, Action::ReceiveSupplement { note }, uploads)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(flash_redirect(
            &dossier_href(&code),
            "Đã gửi giấy tờ bổ sung. Thời hạn giải quyết được tính tiếp từ bây giờ.",
        )),
        Err(e) => refused(&s, &session, who, &code, e, x).await,
    }
}

pub(super) async fn start_refused(
    s: &AppState,
    session: &Session,
    who: &Principal,
    code: &str,
    error: AppError,
) -> Result<Response, PageError> {
    let x = Extra {
        section: "thanh-toan",
        ..Default::default()
    };
    refused(s, session, who, code, error, x).await
}

pub(super) async fn download(
    State(s): State<AppState>,
    session: Session,
    Path((code, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let who = citizen(&session)?;
    let (info, content) = s.app.attachment(who, &code, &id).await?;
    Ok(file_response(&info, content))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(size_text(900), "900 byte");
        assert_eq!(size_text(2048), "2 KB");
        assert_eq!(size_text(1_572_864), "1,5 MB");
    }
}
