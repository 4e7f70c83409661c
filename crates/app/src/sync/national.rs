//! The National Public Service Portal (Cổng Dịch vụ công quốc gia) adapter: each event as the
//! portal's dossier record (the fields of its DongBoHoSoMC exchange, dates as yyyyMMddHHmmss)
//! with the event as one processing step (QuaTrinhXuLy), POSTed as JSON with an
//! `Idempotency-Key` header.

use std::time::Duration;

use cchc_domain::dossier::{Dossier, Event};
use cchc_store::OutboxMessage;
use jiff::civil::DateTime;
use serde_json::{Value, json};

use super::{BoxFuture, Delivered, DeliveryError, EncodeContext, Endpoint, Exchange};
use crate::{AppError, Result};

/// The sink name of the national portal's messages.
pub const SINK: &str = "dvcqg";

/// The portal's date format.
fn portal_time(dt: DateTime) -> String {
    dt.strftime("%Y%m%d%H%M%S").to_string()
}

fn opt_time(dt: Option<DateTime>) -> Value {
    dt.map_or(Value::Null, |d| Value::String(portal_time(d)))
}

pub struct NationalPortal {
    endpoint: Option<Endpoint>,
    client: reqwest::Client,
}

impl NationalPortal {
    pub fn new(endpoint: Option<Endpoint>, timeout: Duration) -> Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .build()
            .map_err(|e| AppError::Internal(format!("HTTP client: {e}")))?;
        Ok(Self { endpoint, client })
    }

    /// The portal's record of a dossier at one event.
    pub fn record(ctx: &EncodeContext, d: &Dossier, e: &Event) -> Value {
        let (unit_code, unit_name) = ctx.unit(&d.current_unit);
        let (_, step_unit) = ctx.unit(&e.body.unit);
        let supplements: Vec<Value> = d
            .pauses
            .iter()
            .map(|(from, to, reason)| {
                json!({
                    "NgayYeuCauBoSung": portal_time(*from),
                    "NgayTiepNhanBoSung": opt_time(*to),
                    "NoiDungBoSung": reason,
                })
            })
            .collect();
        json!({
            "MaHoSo": d.code,
            "MaTTHC": d.procedure_code,
            "TenTTHC": ctx.procedure_name,
            "MaLinhVuc": ctx.field,
            "KenhThucHien": d.channel.portal_code(),
            "ChuHoSo": d.applicant.name,
            "LoaiDoiTuong": d.applicant.kind.code(),
            "NgayNopHoSo": portal_time(d.submitted_at),
            "NgayTiepNhan": opt_time(d.received_at),
            "NgayHenTra": opt_time(ctx.due),
            "TrangThaiHoSo": d.status.code(),
            "NgayKetThucXuLy": opt_time(d.decided_at.or(d.closed_at)),
            "NgayTra": opt_time(d.returned_at),
            "DonViXuLy": unit_code,
            "TenDonViXuLy": unit_name,
            "TaiLieuNop": d.components.iter().map(|c| json!({
                "TenTepDinhKem": c.name,
                "TepDinhKemId": c.file_ref,
                "SoHoa": c.digitised,
                "TaiSuDung": c.reused || c.from_national_data,
            })).collect::<Vec<_>>(),
            "DanhSachLePhi": d.payments.iter().map(|p| json!({
                "TenPhiLePhi": "Phí, lệ phí",
                "Gia": p.amount,
                "HinhThucThu": p.method,
                "ThanhToanTrucTuyen": p.online,
                "MaGiaoDich": p.reference,
            })).collect::<Vec<_>>(),
            "DanhSachHoSoBoSung": supplements,
            "DanhSachGiayToKetQua": d.results.iter().map(|r| json!({
                "TenGiayTo": r.name,
                "GiayToId": r.file_ref,
                "BanDienTu": r.electronic,
            })).collect::<Vec<_>>(),
            "QuaTrinhXuLy": [{
                "MaHoSo": d.code,
                "ThuTu": e.body.seq,
                "NguoiXuLy": e.body.actor.name,
                "ChucDanh": e.body.actor.title,
                "ThoiDiemXuLy": portal_time(e.body.at),
                "PhongBanXuLy": step_unit,
                "NoiDungXuLy": e.body.kind.label(),
                "TrangThai": d.status.code(),
                "NgayBatDau": portal_time(e.body.at),
                "NgayKetThucTheoQuyDinh": opt_time(e.body.step_deadline),
            }],
        })
    }
}

impl Exchange for NationalPortal {
    fn name(&self) -> &'static str {
        SINK
    }

    fn configured(&self) -> bool {
        self.endpoint.is_some()
    }

    fn encode(
        &self,
        ctx: &EncodeContext,
        dossier: &Dossier,
        event: &Event,
    ) -> std::result::Result<Option<String>, String> {
        serde_json::to_string(&Self::record(ctx, dossier, event))
            .map(Some)
            .map_err(|e| e.to_string())
    }

    fn deliver<'a>(
        &'a self,
        message: &'a OutboxMessage,
    ) -> BoxFuture<'a, std::result::Result<Delivered, DeliveryError>> {
        Box::pin(async move {
            let Some(endpoint) = &self.endpoint else {
                return Err(DeliveryError {
                    message: "national portal not configured".into(),
                    retryable: true,
                });
            };
            let mut request = self
                .client
                .post(&endpoint.url)
                .header("Idempotency-Key", &message.key)
                .header("Content-Type", "application/json")
                .body(message.payload.clone());
            if let Some(token) = &endpoint.token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.map_err(|e| DeliveryError {
                message: format!("request failed: {e}"),
                retryable: true,
            })?;
            let status = response.status();
            if status.is_success() {
                return Ok(Delivered {
                    http_status: status.as_u16(),
                });
            }
            let body: String = response
                .text()
                .await
                .unwrap_or_default()
                .chars()
                .take(300)
                .collect();
            // Busy, throttled or broken on their side: try again later. Any other refusal
            // would be refused again: a person must look at it.
            let retryable = status.is_server_error() || matches!(status.as_u16(), 408 | 429);
            Err(DeliveryError {
                message: format!("HTTP {}: {body}", status.as_u16()),
                retryable,
            })
        })
    }

    fn marks_synced(&self, message: &OutboxMessage) -> bool {
        // The message that created the dossier (received or submitted) is the portal's record
        // of it: once confirmed, the dossier counts as synced.
        message.seq == 1
    }
}
