//! What administrators manage besides the catalogue: accounts and their roles, and calendar
//! notices added at run time.

use crate::{AccountRow, Backend, Result, Store, StoreError};

/// A calendar year's notice file as an administrator saved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarNoticeRow {
    pub year: i64,
    pub added_at: String,
    pub added_by: String,
    pub source: String,
}

impl Store {
    /// Accounts whose username or name contains `needle` (case-insensitive for ASCII), newest
    /// first, and the total.
    pub async fn list_accounts(
        &self,
        needle: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(i64, Vec<AccountRow>)> {
        let like = format!("%{}%", needle.replace(['%', '_'], "").to_lowercase());
        on_pool!(self, pool => {
            let total: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM accounts WHERE LOWER(username) LIKE $1 OR LOWER(display_name) LIKE $1",
            )
            .bind(&like)
            .fetch_one(pool)
            .await?;
            let rows = sqlx::query(
                "SELECT id, username, display_name, title, password_hash, role, unit_id, created_at \
                 FROM accounts WHERE LOWER(username) LIKE $1 OR LOWER(display_name) LIKE $1 \
                 ORDER BY created_at DESC, username LIMIT $2 OFFSET $3",
            )
            .bind(&like)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            let items = rows.iter().map(crate::account_row).collect::<Result<Vec<_>>>()?;
            Ok((total, items))
        })
    }

    /// Changes an account's role, unit, name and title.
    pub async fn update_account(
        &self,
        id: &str,
        role: &str,
        unit_id: Option<&str>,
        display_name: &str,
        title: &str,
    ) -> Result<()> {
        on_write_pool!(self, pool => {
            let done = sqlx::query(
                "UPDATE accounts SET role = $2, unit_id = $3, display_name = $4, title = $5 WHERE id = $1",
            )
            .bind(id)
            .bind(role)
            .bind(unit_id)
            .bind(display_name)
            .bind(title)
            .execute(pool)
            .await?;
            if done.rows_affected() == 1 {
                Ok(())
            } else {
                Err(StoreError::NotFound(format!("tài khoản {id}")))
            }
        })
    }

    /// Saves a year's notice file; the latest per year is the one in force.
    pub async fn insert_calendar_notice(&self, row: &CalendarNoticeRow) -> Result<()> {
        on_write_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO calendar_notices (year, added_at, added_by, source) VALUES ($1, $2, $3, $4)",
            )
            .bind(row.year)
            .bind(&row.added_at)
            .bind(&row.added_by)
            .bind(&row.source)
            .execute(pool)
            .await
            .map_err(|e| crate::dup(e, &format!("lịch năm {} lúc {}", row.year, row.added_at)))?;
            Ok(())
        })
    }

    /// The latest saved notice file of each year, by year.
    pub async fn calendar_notices(&self) -> Result<Vec<CalendarNoticeRow>> {
        on_pool!(self, pool => {
            let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
                "SELECT c.year, c.added_at, c.added_by, c.source FROM calendar_notices c \
                 WHERE c.added_at = (SELECT MAX(added_at) FROM calendar_notices d WHERE d.year = c.year) \
                 ORDER BY c.year",
            )
            .fetch_all(pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(year, added_at, added_by, source)| CalendarNoticeRow {
                    year,
                    added_at,
                    added_by,
                    source,
                })
                .collect())
        })
    }
}
