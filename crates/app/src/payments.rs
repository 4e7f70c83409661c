//! Online payment of fees (phí, lệ phí) and financial obligations through a payment gateway.
//!
//! The owner of a dossier starts a payment: the amount is decided here (what the dossier awaits,
//! or the procedure's typed fee once decided), a `pending` row is stored and the gateway gives
//! the address the browser goes to. The gateway answers with signed fields; `complete_payment`
//! checks the signature and records the payment on the dossier (`Paid`) as its owner, once:
//! a replayed answer changes nothing, a cancelled one records nothing.
//!
//! [`SandboxGateway`] is the built-in gateway for trials and tests: no real money, no network,
//! answers signed with HMAC-SHA256 under a key given at construction.

use cchc_domain::dossier::{Dossier, Status};
use cchc_domain::procedure::{Fee, Procedure};
use cchc_store::PaymentRow;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::dossiers::Action;
use crate::{App, AppError, Principal, Result, Role, civil, random_hex};

// ---- gateways ----------------------------------------------------------------------------

/// What a gateway is asked to collect.
#[derive(Debug, Clone)]
pub struct PaymentRequest {
    pub payment_id: String,
    pub dossier_code: String,
    /// VND.
    pub amount: i64,
}

/// What the gateway says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GatewayOutcome {
    /// The money was taken.
    Confirmed,
    /// Cancelled by the payer or refused by the bank: nothing was taken.
    Failed,
}

/// A gateway's answer, once its signature is verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayAnswer {
    pub payment_id: String,
    /// The amount the gateway collected (VND).
    pub amount: i64,
    pub outcome: GatewayOutcome,
    /// The gateway's transaction reference (mã giao dịch).
    pub reference: String,
}

/// A payment gateway: where the browser goes to pay, and how its answers are verified.
pub trait PaymentGateway: Send + Sync {
    /// A short stable name, stored with each payment and recorded as the payment method.
    fn name(&self) -> &str;
    /// The address the payer's browser is sent to.
    fn start(&self, request: &PaymentRequest) -> Result<String>;
    /// Checks a signed answer (the callback's fields) and reads it; a forged or altered answer
    /// is `Invalid`.
    fn verify(&self, fields: &[(String, String)]) -> Result<GatewayAnswer>;
}

type HmacSha256 = Hmac<Sha256>;

/// The trial gateway: its "bank page" is served by this platform's web
/// (`/cong-thanh-toan-thu-nghiem/{payment_id}`), no money moves, and answers are signed with
/// HMAC-SHA256 over the payment id, amount, status and reference.
pub struct SandboxGateway {
    key: Vec<u8>,
}

impl std::fmt::Debug for SandboxGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxGateway").finish_non_exhaustive()
    }
}

/// Field names of the sandbox's answer.
pub mod sandbox_fields {
    pub const PAYMENT_ID: &str = "payment_id";
    pub const AMOUNT: &str = "amount";
    pub const STATUS: &str = "status";
    pub const REFERENCE: &str = "ref";
    pub const SIGNATURE: &str = "sig";
}

impl SandboxGateway {
    pub const NAME: &'static str = "sandbox";

    /// A sandbox signing with `key` (at least 16 bytes).
    pub fn new(key: impl Into<Vec<u8>>) -> Result<Self> {
        let key = key.into();
        if key.len() < 16 {
            return Err(AppError::Internal("sandbox gateway key too short".into()));
        }
        Ok(Self { key })
    }

    fn mac(
        &self,
        payment_id: &str,
        amount: i64,
        status: &str,
        reference: &str,
    ) -> Result<HmacSha256> {
        let mut mac = HmacSha256::new_from_slice(&self.key)
            .map_err(|e| AppError::Internal(format!("hmac key: {e}")))?;
        mac.update(
            format!("cchc-sandbox-v1\n{payment_id}\n{amount}\n{status}\n{reference}").as_bytes(),
        );
        Ok(mac)
    }

    /// The signed answer of the sandbox's bank page: the payer confirmed (`confirmed`) or
    /// cancelled. These are the callback's query fields (the payment id travels in the path).
    pub fn sign(
        &self,
        payment_id: &str,
        amount: i64,
        confirmed: bool,
        reference: &str,
    ) -> Result<Vec<(String, String)>> {
        use sandbox_fields::*;
        let status = if confirmed { "paid" } else { "cancelled" };
        let sig = hex(&self
            .mac(payment_id, amount, status, reference)?
            .finalize()
            .into_bytes());
        Ok(vec![
            (AMOUNT.into(), amount.to_string()),
            (STATUS.into(), status.into()),
            (REFERENCE.into(), reference.into()),
            (SIGNATURE.into(), sig),
        ])
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

impl PaymentGateway for SandboxGateway {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn start(&self, request: &PaymentRequest) -> Result<String> {
        Ok(format!(
            "/cong-thanh-toan-thu-nghiem/{}",
            request.payment_id
        ))
    }

    fn verify(&self, fields: &[(String, String)]) -> Result<GatewayAnswer> {
        use sandbox_fields::*;
        let bad = || AppError::Invalid("kết quả thanh toán không hợp lệ (sai chữ ký)".into());
        let one = |name: &str| -> Result<&str> {
            let mut values = fields
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.as_str());
            match (values.next(), values.next()) {
                (Some(v), None) if !v.contains('\n') && v.len() <= 200 => Ok(v),
                _ => Err(bad()),
            }
        };
        let payment_id = one(PAYMENT_ID)?;
        let amount_text = one(AMOUNT)?;
        let status = one(STATUS)?;
        let reference = one(REFERENCE)?;
        let sig = unhex(one(SIGNATURE)?).ok_or_else(bad)?;
        let amount: i64 = amount_text.parse().map_err(|_| bad())?;
        if amount.to_string() != amount_text {
            return Err(bad());
        }
        self.mac(payment_id, amount, status, reference)?
            .verify_slice(&sig)
            .map_err(|_| bad())?;
        let outcome = match status {
            "paid" => GatewayOutcome::Confirmed,
            "cancelled" | "failed" => GatewayOutcome::Failed,
            _ => return Err(bad()),
        };
        Ok(GatewayAnswer {
            payment_id: payment_id.to_owned(),
            amount,
            outcome,
            reference: reference.to_owned(),
        })
    }
}

// ---- the rule ----------------------------------------------------------------------------

/// What the owner may pay online now, in VND: the amount a payment request asks for, or, once
/// decided, the procedure's fee on the dossier's channel when the procedure is fee-bearing, the
/// fee is one typed amount and nothing has been paid yet. `None`: nothing to pay online.
pub fn amount_due(dossier: &Dossier, procedure: &Procedure) -> Option<i64> {
    match dossier.status {
        Status::AwaitingPayment => dossier.payment_requested.filter(|a| *a > 0),
        Status::Decided if procedure.fee_bearing && dossier.payments.is_empty() => {
            match procedure.channel(dossier.channel).fee {
                Fee::Amount { vnd, .. } if vnd > 0 => Some(vnd),
                _ => None,
            }
        }
        _ => None,
    }
}

// ---- use cases ---------------------------------------------------------------------------

/// Where a payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Pending,
    Paid,
    Failed,
    /// Money received that the dossier no longer awaited: staff reconcile and refund.
    Review,
}

impl PaymentStatus {
    fn parse(text: &str) -> Result<Self> {
        match text {
            "pending" => Ok(Self::Pending),
            "paid" => Ok(Self::Paid),
            "failed" => Ok(Self::Failed),
            "review" => Ok(Self::Review),
            other => Err(AppError::Internal(format!("payment status '{other}'"))),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Đang chờ thanh toán",
            Self::Paid => "Đã thanh toán",
            Self::Failed => "Không thành công",
            Self::Review => "Chờ đối soát, hoàn tiền",
        }
    }
}

/// A payment as its owner sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentView {
    pub id: String,
    pub dossier_code: String,
    pub amount: i64,
    pub gateway: String,
    pub status: PaymentStatus,
    pub created_at: String,
    pub completed_at: Option<String>,
    pub gateway_ref: Option<String>,
}

impl PaymentView {
    fn of(r: PaymentRow) -> Result<Self> {
        Ok(Self {
            status: PaymentStatus::parse(&r.status)?,
            id: r.id,
            dossier_code: r.dossier_code,
            amount: r.amount,
            gateway: r.gateway,
            created_at: r.created_at,
            completed_at: r.completed_at,
            gateway_ref: r.gateway_ref,
        })
    }
}

/// A payment started: where to send the browser.
#[derive(Debug, Clone, Serialize)]
pub struct StartedPayment {
    pub payment: PaymentView,
    pub url: String,
}

/// The result of a gateway's answer.
#[derive(Debug, Clone, Serialize)]
pub struct CompletedPayment {
    pub payment: PaymentView,
    /// False when the answer changed nothing (a replay, or a payment already completed).
    pub changed: bool,
}

impl App {
    /// The dossier and procedure, for the dossier's owner only (others: not found).
    async fn owned(&self, who: &Principal, code: &str) -> Result<(Dossier, Procedure)> {
        let not_found = || AppError::NotFound(format!("hồ sơ {code}"));
        if who.role != Role::Citizen {
            return Err(AppError::Forbidden(
                "chỉ chủ hồ sơ được thanh toán trực tuyến".into(),
            ));
        }
        let (d, meta) = self.store.dossier(code).await?.ok_or_else(not_found)?;
        if meta.owner_account.as_deref() != Some(who.account_id.as_str()) {
            return Err(not_found());
        }
        let p = self.procedure(&d.procedure_code).await?;
        Ok((d, p))
    }

    /// What the owner may pay online now (see [`amount_due`]).
    pub async fn payable_amount(&self, who: &Principal, code: &str) -> Result<Option<i64>> {
        let (d, p) = self.owned(who, code).await?;
        Ok(amount_due(&d, &p))
    }

    /// Starts paying online: owner only, the amount decided here. A payment already pending
    /// for the same amount through the same gateway is resumed rather than doubled.
    pub async fn start_payment(
        &self,
        who: &Principal,
        gateway: &dyn PaymentGateway,
        code: &str,
    ) -> Result<StartedPayment> {
        let (d, p) = self.owned(who, code).await?;
        let amount = amount_due(&d, &p).ok_or_else(|| {
            AppError::Invalid(format!(
                "hồ sơ {code} hiện không có khoản nào cần thanh toán"
            ))
        })?;
        let existing = self
            .store
            .payments_of(&d.code)
            .await?
            .into_iter()
            .find(|r| {
                r.status == "pending"
                    && r.amount == amount
                    && r.gateway == gateway.name()
                    && r.created_by == who.account_id
            });
        let row = match existing {
            Some(r) => r,
            None => {
                let r = PaymentRow {
                    id: random_hex(12)?,
                    dossier_code: d.code.clone(),
                    amount,
                    gateway: gateway.name().to_owned(),
                    status: "pending".into(),
                    created_by: who.account_id.clone(),
                    created_at: civil(self.now()),
                    completed_at: None,
                    gateway_ref: None,
                };
                self.store.insert_payment(&r).await?;
                r
            }
        };
        let url = gateway.start(&PaymentRequest {
            payment_id: row.id.clone(),
            dossier_code: row.dossier_code.clone(),
            amount: row.amount,
        })?;
        Ok(StartedPayment {
            payment: PaymentView::of(row)?,
            url,
        })
    }

    /// One payment, for the account that started it.
    pub async fn payment(&self, who: &Principal, id: &str) -> Result<PaymentView> {
        let row = self
            .store
            .payment(id)
            .await?
            .filter(|r| r.created_by == who.account_id)
            .ok_or_else(|| AppError::NotFound("giao dịch thanh toán".into()))?;
        PaymentView::of(row)
    }

    /// The online payments of a dossier, for its owner.
    pub async fn payments_of(&self, who: &Principal, code: &str) -> Result<Vec<PaymentView>> {
        let (d, _) = self.owned(who, code).await?;
        self.store
            .payments_of(&d.code)
            .await?
            .into_iter()
            .map(PaymentView::of)
            .collect()
    }

    /// Takes a gateway's signed answer. A confirmed payment is recorded on the dossier as
    /// `Paid` by its owner and the row marked paid; a failed one marks the row failed and
    /// records nothing; an answer for a payment no longer pending changes nothing. Money that
    /// arrives when the dossier no longer awaits it is marked for review (refund), not recorded.
    pub async fn complete_payment(
        &self,
        gateway: &dyn PaymentGateway,
        fields: &[(String, String)],
    ) -> Result<CompletedPayment> {
        let answer = gateway.verify(fields)?;
        let row = self
            .store
            .payment(&answer.payment_id)
            .await?
            .ok_or_else(|| AppError::NotFound("giao dịch thanh toán".into()))?;
        if row.gateway != gateway.name() {
            return Err(AppError::Invalid(
                "kết quả thanh toán không đến từ cổng đã dùng".into(),
            ));
        }
        let unchanged = |row: PaymentRow| -> Result<CompletedPayment> {
            Ok(CompletedPayment {
                payment: PaymentView::of(row)?,
                changed: false,
            })
        };
        if row.status != "pending" {
            return unchanged(row);
        }
        let now = civil(self.now());
        if answer.outcome == GatewayOutcome::Failed {
            let changed = self
                .store
                .mark_payment_failed(&row.id, &now, &answer.reference)
                .await?;
            return self.reread(&row.id, changed).await;
        }
        if answer.amount != row.amount {
            return Err(AppError::Invalid(
                "số tiền cổng thanh toán báo về khác số tiền cần thanh toán".into(),
            ));
        }
        let owner = self.owner_principal(&row.created_by).await?;
        let (d, p) = self.owned(&owner, &row.dossier_code).await?;
        if amount_due(&d, &p) != Some(row.amount) {
            let changed = self
                .store
                .mark_payment_for_review(&row.id, "pending", &now, &answer.reference)
                .await?;
            return self.reread(&row.id, changed).await;
        }
        // Claim the payment first: of two concurrent answers only one gets past here.
        if !self
            .store
            .mark_payment_paid(&row.id, &now, &answer.reference)
            .await?
        {
            return self.reread(&row.id, false).await;
        }
        let action = Action::Pay {
            amount: row.amount,
            method: gateway.name().to_owned(),
            online: true,
            reference: answer.reference.clone(),
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self
                .record_confirmed_payment(&owner, &row.dossier_code, action.clone())
                .await
            {
                Ok(_) => break,
                // Staff acted on the dossier at the same moment: try again on the new state.
                Err(AppError::Conflict(_)) if attempt < 3 => continue,
                Err(e) => {
                    self.store
                        .mark_payment_for_review(&row.id, "paid", &now, &answer.reference)
                        .await?;
                    return Err(e);
                }
            }
        }
        self.reread(&row.id, true).await
    }

    async fn reread(&self, id: &str, changed: bool) -> Result<CompletedPayment> {
        let row = self
            .store
            .payment(id)
            .await?
            .ok_or_else(|| AppError::NotFound("giao dịch thanh toán".into()))?;
        Ok(CompletedPayment {
            payment: PaymentView::of(row)?,
            changed,
        })
    }

    async fn owner_principal(&self, account_id: &str) -> Result<Principal> {
        let acc = self
            .store
            .account_by_id(account_id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("payment owner {account_id} missing")))?;
        Ok(Principal {
            account_id: acc.id,
            username: acc.username,
            display_name: acc.display_name,
            title: acc.title,
            role: Role::parse(&acc.role)?,
            unit_id: acc.unit_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gw() -> SandboxGateway {
        SandboxGateway::new(vec![7u8; 32]).unwrap_or_else(|_| unreachable!())
    }

    fn with_id(mut fields: Vec<(String, String)>, id: &str) -> Vec<(String, String)> {
        fields.push(("payment_id".into(), id.into()));
        fields
    }

    #[test]
    fn signed_answers_verify_and_tampered_ones_do_not() {
        let g = gw();
        let fields = with_id(g.sign("abc", 7000, true, "SBX1").unwrap_or_default(), "abc");
        let a = g.verify(&fields).ok();
        assert_eq!(
            a.map(|a| (a.amount, a.outcome)),
            Some((7000, GatewayOutcome::Confirmed))
        );
        for (k, v) in [
            ("amount", "70000"),
            ("status", "cancelled"),
            ("ref", "SBX2"),
        ] {
            let mut t = fields.clone();
            if let Some(f) = t.iter_mut().find(|(n, _)| n == k) {
                f.1 = v.into();
            }
            assert!(g.verify(&t).is_err(), "{k} altered");
        }
        let other = SandboxGateway::new(vec![8u8; 32]).unwrap_or_else(|_| unreachable!());
        assert!(other.verify(&fields).is_err(), "another key");
        assert!(
            g.verify(&with_id(fields.clone(), "abc")).is_err(),
            "duplicate field"
        );
        let cancelled = with_id(
            g.sign("abc", 7000, false, "SBX3").unwrap_or_default(),
            "abc",
        );
        assert_eq!(
            g.verify(&cancelled).ok().map(|a| a.outcome),
            Some(GatewayOutcome::Failed)
        );
    }

    #[test]
    fn short_keys_are_refused() {
        assert!(SandboxGateway::new(vec![1u8; 8]).is_err());
    }
}
