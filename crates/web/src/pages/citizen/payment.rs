//! Paying online through the sandbox gateway: the owner starts a payment from the dossier page,
//! the gateway's "bank page" (served here, clearly marked as a trial) confirms or cancels, and
//! the signed answer comes back to `/thanh-toan/{id}/ket-qua`, where `cchc_app` verifies it and
//! records the payment.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cchc_app::AppError;
use cchc_app::payments::{PaymentStatus, SandboxGateway};
use std::sync::OnceLock;

use super::super::{
    FormData, Layout, PageError, Session, flash_redirect, fmt, random_token, render_status,
};
use super::{citizen, dossier, dossier_href};
use crate::AppState;

/// The process's sandbox gateway, with a random signing key made on first use.
fn gateway() -> Result<&'static SandboxGateway, PageError> {
    static GATEWAY: OnceLock<SandboxGateway> = OnceLock::new();
    if let Some(g) = GATEWAY.get() {
        return Ok(g);
    }
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| AppError::Internal(format!("random: {e}")))?;
    let g = SandboxGateway::new(key.to_vec())?;
    Ok(GATEWAY.get_or_init(move || g))
}

/// `POST /cong-dan/ho-so/{code}/thanh-toan`: to the gateway.
pub(super) async fn start(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let who = citizen(&session)?;
    match s.app.start_payment(who, gateway()?, &code).await {
        Ok(started) => Ok(Redirect::to(&started.url).into_response()),
        Err(e) => dossier::start_refused(&s, &session, who, &code, e).await,
    }
}

#[derive(Template)]
#[template(path = "citizen/bank.html")]
struct BankPage {
    layout: Layout,
    id: String,
    code: String,
    amount: String,
    pending: bool,
    status: String,
}

/// `GET /cong-thanh-toan-thu-nghiem/{id}`: the trial gateway's page.
pub(super) async fn bank_page(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let who = session.require()?;
    let p = s.app.payment(who, &id).await?;
    Ok(render_status(
        StatusCode::OK,
        &BankPage {
            layout: session.layout("Cổng thanh toán thử nghiệm"),
            id: p.id,
            code: p.dossier_code,
            amount: fmt::money(p.amount),
            pending: p.status == PaymentStatus::Pending,
            status: p.status.label().to_owned(),
        },
    ))
}

/// `POST /cong-thanh-toan-thu-nghiem/{id}`: the payer confirmed or cancelled; the gateway signs
/// its answer and sends the browser back.
pub(super) async fn bank_answer(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let who = session.require()?;
    let p = s.app.payment(who, &id).await?;
    if p.status != PaymentStatus::Pending {
        return Ok(flash_redirect(
            &dossier_href(&p.dossier_code),
            "Giao dịch này đã kết thúc.",
        ));
    }
    let confirmed = form.get("ket_qua") == "xac_nhan";
    let reference = format!(
        "SBX{}",
        random_token()
            .ok_or_else(|| AppError::Internal("random".into()))?
            .get(..12)
            .unwrap_or_default()
            .to_uppercase()
    );
    let fields = gateway()?.sign(&p.id, p.amount, confirmed, &reference)?;
    let query = serde_urlencoded::to_string(&fields)
        .map_err(|e| AppError::Internal(format!("callback query: {e}")))?;
    Ok(Redirect::to(&format!("/thanh-toan/{}/ket-qua?{query}", p.id)).into_response())
}

/// `GET /thanh-toan/{id}/ket-qua`: the gateway's signed answer.
pub(super) async fn result(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let mut fields: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or_default())
            .map_err(|_| AppError::Invalid("kết quả thanh toán không đọc được".into()))?;
    fields.retain(|(k, _)| k != "payment_id");
    fields.push(("payment_id".into(), id));
    let done = s.app.complete_payment(gateway()?, &fields).await?;
    let p = done.payment;
    let message = match p.status {
        PaymentStatus::Paid => format!(
            "Thanh toán thành công {}. Mã giao dịch: {}.",
            fmt::money(p.amount),
            p.gateway_ref.as_deref().unwrap_or("")
        ),
        PaymentStatus::Failed => {
            "Giao dịch thanh toán đã bị hủy; chưa có khoản nào được ghi nhận.".to_owned()
        }
        PaymentStatus::Review => "Đã nhận tiền nhưng hồ sơ không còn chờ khoản này; cơ quan \
                                  giải quyết sẽ đối soát và hoàn trả."
            .to_owned(),
        PaymentStatus::Pending => "Giao dịch đang chờ cổng thanh toán xác nhận.".to_owned(),
    };
    Ok(flash_redirect(&dossier_href(&p.dossier_code), &message))
}
