//! PAR INDEX scorecards: a card per unit and year (state, totals as the app computed them,
//! survey points), its items (self-assessment and appraisal) and evidence files. Every write
//! goes through [`Store::save_par_cards`]: the cards, an item and its files in one
//! transaction, each card under an optimistic version check (a stale writer gets a conflict).

use sqlx::{AssertSqlSafe, Row};

use crate::{Backend, Result, Store, StoreError, multi_insert};

/// A card as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ParCardRow {
    pub unit: String,
    pub year: i64,
    /// `department` or `commune`.
    pub kind: String,
    pub tree_version: String,
    /// `draft`, `submitted` or `appraised`.
    pub state: String,
    pub self_points: f64,
    pub appraised_points: Option<f64>,
    pub survey_points: Option<f64>,
    pub survey_at: Option<String>,
    pub survey_by: Option<String>,
    pub submitted_at: Option<String>,
    pub submitted_by: Option<String>,
    pub appraised_at: Option<String>,
    pub appraised_by: Option<String>,
    /// Raised by one at each write.
    pub version: i64,
}

/// An item as stored.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct ParItemRow {
    pub item: String,
    pub self_points: Option<f64>,
    pub self_note: String,
    pub self_by: Option<String>,
    pub self_at: Option<String>,
    pub appraised_points: Option<f64>,
    pub appraisal_note: String,
    pub appraised_by: Option<String>,
    pub appraised_at: Option<String>,
}

/// An evidence file's description, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ParEvidenceInfo {
    pub id: String,
    pub item: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// A new evidence file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParNewEvidence {
    pub id: String,
    pub item: String,
    pub file_name: String,
    pub content_type: String,
    pub sha256: String,
    pub content: Vec<u8>,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// One card to write: new (`expected_version` None) or replacing the version read, with items
/// of it (inserted or replaced) and files.
#[derive(Debug, Clone)]
pub struct ParCardWrite {
    pub card: ParCardRow,
    pub expected_version: Option<i64>,
    pub items: Vec<ParItemRow>,
    pub evidence: Vec<ParNewEvidence>,
}

const CARD_COLUMNS: &[&str] = &[
    "unit",
    "year",
    "kind",
    "tree_version",
    "state",
    "self_points",
    "appraised_points",
    "survey_points",
    "survey_at",
    "survey_by",
    "submitted_at",
    "submitted_by",
    "appraised_at",
    "appraised_by",
    "version",
];

/// Rows per multi-row INSERT in the bulk load (15 columns: far below either database's limit
/// of bound values).
const ROWS_PER_INSERT: usize = 500;

fn card_row<R>(r: &R) -> Result<ParCardRow>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> f64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<f64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(ParCardRow {
        unit: r.try_get("unit")?,
        year: r.try_get("year")?,
        kind: r.try_get("kind")?,
        tree_version: r.try_get("tree_version")?,
        state: r.try_get("state")?,
        self_points: r.try_get("self_points")?,
        appraised_points: r.try_get("appraised_points")?,
        survey_points: r.try_get("survey_points")?,
        survey_at: r.try_get("survey_at")?,
        survey_by: r.try_get("survey_by")?,
        submitted_at: r.try_get("submitted_at")?,
        submitted_by: r.try_get("submitted_by")?,
        appraised_at: r.try_get("appraised_at")?,
        appraised_by: r.try_get("appraised_by")?,
        version: r.try_get("version")?,
    })
}

fn item_row<R>(r: &R) -> Result<ParItemRow>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<f64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(ParItemRow {
        item: r.try_get("item")?,
        self_points: r.try_get("self_points")?,
        self_note: r.try_get("self_note")?,
        self_by: r.try_get("self_by")?,
        self_at: r.try_get("self_at")?,
        appraised_points: r.try_get("appraised_points")?,
        appraisal_note: r.try_get("appraisal_note")?,
        appraised_by: r.try_get("appraised_by")?,
        appraised_at: r.try_get("appraised_at")?,
    })
}

fn evidence_row<R>(r: &R) -> Result<ParEvidenceInfo>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(ParEvidenceInfo {
        id: r.try_get("id")?,
        item: r.try_get("item")?,
        file_name: r.try_get("file_name")?,
        content_type: r.try_get("content_type")?,
        size_bytes: r.try_get("size_bytes")?,
        sha256: r.try_get("sha256")?,
        uploaded_by: r.try_get("uploaded_by")?,
        uploaded_at: r.try_get("uploaded_at")?,
    })
}

const EVIDENCE_COLUMNS: &str =
    "id, item, file_name, content_type, size_bytes, sha256, uploaded_by, uploaded_at";

impl Store {
    /// A unit's card for a year.
    pub async fn par_card(&self, unit: &str, year: i64) -> Result<Option<ParCardRow>> {
        let sql = format!(
            "SELECT {} FROM par_cards WHERE unit = $1 AND year = $2",
            CARD_COLUMNS.join(", ")
        );
        on_pool!(self, pool => {
            let row = sqlx::query(AssertSqlSafe(sql))
                .bind(unit)
                .bind(year)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(card_row).transpose()
        })
    }

    /// Every card of the given years (one query: rankings read these).
    pub async fn par_cards(&self, years: &[i64]) -> Result<Vec<ParCardRow>> {
        let (first, last) = match (years.iter().min(), years.iter().max()) {
            (Some(a), Some(b)) => (*a, *b),
            _ => return Ok(Vec::new()),
        };
        let sql = format!(
            "SELECT {} FROM par_cards WHERE year >= $1 AND year <= $2 ORDER BY year, unit",
            CARD_COLUMNS.join(", ")
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql))
                .bind(first)
                .bind(last)
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(card_row)
                .filter(|r| r.as_ref().map_or(true, |c| years.contains(&c.year)))
                .collect()
        })
    }

    /// The items of a card, by code.
    pub async fn par_items(&self, unit: &str, year: i64) -> Result<Vec<ParItemRow>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT item, self_points, self_note, self_by, self_at, appraised_points, \
                 appraisal_note, appraised_by, appraised_at FROM par_items \
                 WHERE unit = $1 AND year = $2 ORDER BY item",
            )
            .bind(unit)
            .bind(year)
            .fetch_all(pool)
            .await?;
            rows.iter().map(item_row).collect()
        })
    }

    /// The evidence files of a card, in upload order.
    pub async fn par_evidence_list(&self, unit: &str, year: i64) -> Result<Vec<ParEvidenceInfo>> {
        let sql = format!(
            "SELECT {EVIDENCE_COLUMNS} FROM par_evidence WHERE unit = $1 AND year = $2 \
             ORDER BY item, uploaded_at, id"
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql))
                .bind(unit)
                .bind(year)
                .fetch_all(pool)
                .await?;
            rows.iter().map(evidence_row).collect()
        })
    }

    /// One evidence file of a card, with its bytes.
    pub async fn par_evidence(
        &self,
        unit: &str,
        year: i64,
        id: &str,
    ) -> Result<Option<(ParEvidenceInfo, Vec<u8>)>> {
        let sql = format!(
            "SELECT {EVIDENCE_COLUMNS}, content FROM par_evidence \
             WHERE unit = $1 AND year = $2 AND id = $3"
        );
        on_pool!(self, pool => {
            let row = sqlx::query(AssertSqlSafe(sql))
                .bind(unit)
                .bind(year)
                .bind(id)
                .fetch_optional(pool)
                .await?;
            match row {
                None => Ok(None),
                Some(r) => {
                    let content: Vec<u8> = r.try_get("content")?;
                    Ok(Some((evidence_row(&r)?, content)))
                }
            }
        })
    }

    /// Writes cards (with an item and its files each, if given) in one transaction. A new card
    /// that exists already, or a card whose version moved since it was read, is a conflict and
    /// nothing is written.
    pub async fn save_par_cards(&self, writes: &[ParCardWrite]) -> Result<()> {
        on_write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for w in writes {
                let c = &w.card;
                let key = format!("{} {}", c.unit, c.year);
                match w.expected_version {
                    None => {
                        sqlx::query(
                            "INSERT INTO par_cards (unit, year, kind, tree_version, state, \
                             self_points, appraised_points, survey_points, survey_at, survey_by, \
                             submitted_at, submitted_by, appraised_at, appraised_by, version) \
                             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,1)",
                        )
                        .bind(c.unit.clone())
                        .bind(c.year)
                        .bind(c.kind.clone())
                        .bind(c.tree_version.clone())
                        .bind(c.state.clone())
                        .bind(c.self_points)
                        .bind(c.appraised_points)
                        .bind(c.survey_points)
                        .bind(c.survey_at.clone())
                        .bind(c.survey_by.clone())
                        .bind(c.submitted_at.clone())
                        .bind(c.submitted_by.clone())
                        .bind(c.appraised_at.clone())
                        .bind(c.appraised_by.clone())
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| match crate::dup(e, &key) {
                            StoreError::Duplicate(k) => StoreError::Conflict(k),
                            other => other,
                        })?;
                    }
                    Some(v) => {
                        let done = sqlx::query(
                            "UPDATE par_cards SET kind = $3, tree_version = $4, state = $5, \
                             self_points = $6, appraised_points = $7, survey_points = $8, \
                             survey_at = $9, survey_by = $10, submitted_at = $11, \
                             submitted_by = $12, appraised_at = $13, appraised_by = $14, \
                             version = version + 1 WHERE unit = $1 AND year = $2 AND version = $15",
                        )
                        .bind(c.unit.clone())
                        .bind(c.year)
                        .bind(c.kind.clone())
                        .bind(c.tree_version.clone())
                        .bind(c.state.clone())
                        .bind(c.self_points)
                        .bind(c.appraised_points)
                        .bind(c.survey_points)
                        .bind(c.survey_at.clone())
                        .bind(c.survey_by.clone())
                        .bind(c.submitted_at.clone())
                        .bind(c.submitted_by.clone())
                        .bind(c.appraised_at.clone())
                        .bind(c.appraised_by.clone())
                        .bind(v)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                        if done == 0 {
                            return Err(StoreError::Conflict(key));
                        }
                    }
                }
                for i in &w.items {
                    sqlx::query(
                        "INSERT INTO par_items (unit, year, item, self_points, self_note, self_by, \
                         self_at, appraised_points, appraisal_note, appraised_by, appraised_at) \
                         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) \
                         ON CONFLICT (unit, year, item) DO UPDATE SET \
                         self_points = excluded.self_points, self_note = excluded.self_note, \
                         self_by = excluded.self_by, self_at = excluded.self_at, \
                         appraised_points = excluded.appraised_points, \
                         appraisal_note = excluded.appraisal_note, \
                         appraised_by = excluded.appraised_by, appraised_at = excluded.appraised_at",
                    )
                    .bind(c.unit.clone())
                    .bind(c.year)
                    .bind(i.item.clone())
                    .bind(i.self_points)
                    .bind(i.self_note.clone())
                    .bind(i.self_by.clone())
                    .bind(i.self_at.clone())
                    .bind(i.appraised_points)
                    .bind(i.appraisal_note.clone())
                    .bind(i.appraised_by.clone())
                    .bind(i.appraised_at.clone())
                    .execute(&mut *tx)
                    .await?;
                }
                for f in &w.evidence {
                    sqlx::query(
                        "INSERT INTO par_evidence (id, unit, year, item, file_name, content_type, \
                         size_bytes, sha256, content, uploaded_by, uploaded_at) \
                         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
                    )
                    .bind(f.id.clone())
                    .bind(c.unit.clone())
                    .bind(c.year)
                    .bind(f.item.clone())
                    .bind(f.file_name.clone())
                    .bind(f.content_type.clone())
                    .bind(i64::try_from(f.content.len()).unwrap_or(i64::MAX))
                    .bind(f.sha256.clone())
                    .bind(f.content.clone())
                    .bind(f.uploaded_by.clone())
                    .bind(f.uploaded_at.clone())
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Inserts final cards in bulk, many rows per INSERT in one transaction (benchmarks: a
    /// country's ~3,500 units scored for a year). Cards that exist already are a conflict.
    pub async fn insert_par_cards_bulk(&self, cards: &[ParCardRow]) -> Result<()> {
        let anonymous = self.anonymous_marks();
        on_write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for chunk in cards.chunks(ROWS_PER_INSERT) {
                let mut q = sqlx::query(AssertSqlSafe(multi_insert("par_cards", CARD_COLUMNS, chunk.len(), anonymous)));
                for c in chunk {
                    q = q
                        .bind(c.unit.clone())
                        .bind(c.year)
                        .bind(c.kind.clone())
                        .bind(c.tree_version.clone())
                        .bind(c.state.clone())
                        .bind(c.self_points)
                        .bind(c.appraised_points)
                        .bind(c.survey_points)
                        .bind(c.survey_at.clone())
                        .bind(c.survey_by.clone())
                        .bind(c.submitted_at.clone())
                        .bind(c.submitted_by.clone())
                        .bind(c.appraised_at.clone())
                        .bind(c.appraised_by.clone())
                        .bind(c.version);
                }
                q.execute(&mut *tx).await.map_err(|e| match crate::dup(e, "par_cards") {
                    StoreError::Duplicate(k) => StoreError::Conflict(k),
                    other => other,
                })?;
            }
            tx.commit().await?;
            Ok(())
        })
    }
}
