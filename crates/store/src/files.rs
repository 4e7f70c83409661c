//! Reading the files of dossiers (attachments). They are written only with the event that
//! brought them (`insert_dossier`, `append_event`).

use sqlx::Row;

use crate::{Backend, Result, Store};

/// A stored file's description, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentInfo {
    pub id: String,
    pub dossier_code: String,
    pub event_seq: i64,
    pub component: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

const COLUMNS: &str = "id, dossier_code, event_seq, component, file_name, content_type, size_bytes, \
                       sha256, uploaded_by, uploaded_at";

fn info<R>(r: &R) -> Result<AttachmentInfo>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(AttachmentInfo {
        id: r.try_get("id")?,
        dossier_code: r.try_get("dossier_code")?,
        event_seq: r.try_get("event_seq")?,
        component: r.try_get("component")?,
        file_name: r.try_get("file_name")?,
        content_type: r.try_get("content_type")?,
        size_bytes: r.try_get("size_bytes")?,
        sha256: r.try_get("sha256")?,
        uploaded_by: r.try_get("uploaded_by")?,
        uploaded_at: r.try_get("uploaded_at")?,
    })
}

impl Store {
    /// The files of a dossier, in upload order.
    pub async fn attachments(&self, dossier_code: &str) -> Result<Vec<AttachmentInfo>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM attachments WHERE dossier_code = $1 ORDER BY event_seq, file_name, id"
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(dossier_code)
                .fetch_all(pool)
                .await?;
            rows.iter().map(info).collect()
        })
    }

    /// One file of a dossier with its bytes.
    pub async fn attachment(
        &self,
        dossier_code: &str,
        id: &str,
    ) -> Result<Option<(AttachmentInfo, Vec<u8>)>> {
        let sql = format!(
            "SELECT {COLUMNS}, content FROM attachments WHERE dossier_code = $1 AND id = $2"
        );
        on_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(dossier_code)
                .bind(id)
                .fetch_optional(pool)
                .await?;
            match row {
                None => Ok(None),
                Some(r) => {
                    let content: Vec<u8> = r.try_get("content")?;
                    Ok(Some((info(&r)?, content)))
                }
            }
        })
    }
}
