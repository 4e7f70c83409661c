//! Online payments through a gateway: a row is written `pending` when the citizen starts
//! paying, and leaves `pending` exactly once, when the gateway's signed answer arrives
//! (`paid` or `failed`). Every change is a conditional UPDATE on the current status, so two
//! answers for the same payment cannot both win.

use sqlx::Row;

use crate::{Backend, Result, Store};

/// A payment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    pub id: String,
    pub dossier_code: String,
    /// VND.
    pub amount: i64,
    /// The gateway's name, e.g. `sandbox`.
    pub gateway: String,
    /// `pending`, `paid`, `failed`, or `review` (money received but not recordable: to be
    /// reconciled by staff).
    pub status: String,
    /// The account that started it (the dossier's owner).
    pub created_by: String,
    pub created_at: String,
    pub completed_at: Option<String>,
    /// The gateway's transaction reference.
    pub gateway_ref: Option<String>,
}

const COLUMNS: &str =
    "id, dossier_code, amount, gateway, status, created_by, created_at, completed_at, gateway_ref";

fn row<R>(r: &R) -> Result<PaymentRow>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(PaymentRow {
        id: r.try_get("id")?,
        dossier_code: r.try_get("dossier_code")?,
        amount: r.try_get("amount")?,
        gateway: r.try_get("gateway")?,
        status: r.try_get("status")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        completed_at: r.try_get("completed_at")?,
        gateway_ref: r.try_get("gateway_ref")?,
    })
}

impl Store {
    /// Records a new payment (normally `pending`).
    pub async fn insert_payment(&self, p: &PaymentRow) -> Result<()> {
        on_write_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO payments (id, dossier_code, amount, gateway, status, created_by, \
                 created_at, completed_at, gateway_ref) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
            )
            .bind(&p.id)
            .bind(&p.dossier_code)
            .bind(p.amount)
            .bind(&p.gateway)
            .bind(&p.status)
            .bind(&p.created_by)
            .bind(&p.created_at)
            .bind(&p.completed_at)
            .bind(&p.gateway_ref)
            .execute(pool)
            .await
            .map_err(|e| crate::dup(e, &p.id))?;
            Ok(())
        })
    }

    /// One payment.
    pub async fn payment(&self, id: &str) -> Result<Option<PaymentRow>> {
        let sql = format!("SELECT {COLUMNS} FROM payments WHERE id = $1");
        on_pool!(self, pool => {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .fetch_optional(pool)
                .await?;
            r.as_ref().map(row).transpose()
        })
    }

    /// The payments of a dossier, oldest first.
    pub async fn payments_of(&self, dossier_code: &str) -> Result<Vec<PaymentRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM payments WHERE dossier_code = $1 ORDER BY created_at, id"
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(dossier_code)
                .fetch_all(pool)
                .await?;
            rows.iter().map(row).collect()
        })
    }

    /// `pending` → `paid`, with the gateway's reference; false if the payment was not pending
    /// (already completed by another answer, or unknown).
    pub async fn mark_payment_paid(
        &self,
        id: &str,
        completed_at: &str,
        gateway_ref: &str,
    ) -> Result<bool> {
        self.move_payment(id, "pending", "paid", Some((completed_at, gateway_ref)))
            .await
    }

    /// `pending` → `failed` (cancelled or refused at the gateway); false if it was not pending.
    pub async fn mark_payment_failed(
        &self,
        id: &str,
        completed_at: &str,
        gateway_ref: &str,
    ) -> Result<bool> {
        self.move_payment(id, "pending", "failed", Some((completed_at, gateway_ref)))
            .await
    }

    /// `from` → `review`: money was received but could not be recorded on the dossier (it no
    /// longer awaited that amount); staff reconcile and refund. False if not in `from`.
    pub async fn mark_payment_for_review(
        &self,
        id: &str,
        from: &str,
        completed_at: &str,
        gateway_ref: &str,
    ) -> Result<bool> {
        self.move_payment(id, from, "review", Some((completed_at, gateway_ref)))
            .await
    }

    async fn move_payment(
        &self,
        id: &str,
        from: &str,
        to: &str,
        done: Option<(&str, &str)>,
    ) -> Result<bool> {
        let (completed_at, gateway_ref) = done.unzip();
        on_write_pool!(self, pool => {
            let done = sqlx::query(
                "UPDATE payments SET status = $1, \
                 completed_at = COALESCE($2, completed_at), gateway_ref = COALESCE($3, gateway_ref) \
                 WHERE id = $4 AND status = $5",
            )
            .bind(to)
            .bind(completed_at)
            .bind(gateway_ref)
            .bind(id)
            .bind(from)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }
}
