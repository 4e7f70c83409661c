//! What the officer's desk and the unit leader's board read: short, index-bound queries over the
//! dossier rows of a set of units (`current_unit IN (…)`, served by the index
//! `dossiers_current_unit(current_unit, status, due_at)`), and the staff of those units.
//!
//! Every list is capped by `limit`; counts are GROUP BY on indexed columns.

use sqlx::{AssertSqlSafe, Row};

use crate::{Backend, Result, Store};

/// A dossier as a row of a work queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskRow {
    pub code: String,
    pub procedure_code: String,
    pub status: i64,
    pub channel: i64,
    pub applicant_name: String,
    pub receiving_unit: String,
    pub current_unit: String,
    pub assignee: Option<String>,
    pub submitted_at: String,
    pub due_at: Option<String>,
    pub version: i64,
}

/// An officer or leader of a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub title: String,
    pub role: String,
    pub unit_id: Option<String>,
}

/// Open dossiers held by one officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssigneeLoad {
    pub assignee: String,
    pub open: i64,
    /// Of which past their due date.
    pub late: i64,
}

/// Dossiers of one status finished in a period, and how many of them late.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedByStatus {
    pub status: i64,
    pub finished: i64,
    pub late: i64,
}

/// Which dossiers a queue holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    /// `current_unit IN (…)`; an empty list matches nothing.
    pub units: Vec<String>,
    /// `status IN (…)`; an empty list matches nothing.
    pub statuses: Vec<i64>,
    /// `due_at >= …` (ISO civil time).
    pub due_from: Option<String>,
    /// `due_at < …` (ISO civil time).
    pub due_before: Option<String>,
    /// `assignee = …`.
    pub assignee: Option<String>,
    /// Applicant name contains, or code starts with (both case-sensitive as stored).
    pub text: Option<String>,
    /// Also the dossiers received by the units and now held elsewhere (`receiving_unit IN`).
    pub or_received: bool,
}

const COLUMNS: &str = "code, procedure_code, status, channel, applicant_name, receiving_unit, \
                       current_unit, assignee, submitted_at, due_at, version";

/// How a queue is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueOrder {
    /// Earliest due first, dossiers without a due date last.
    Due,
    /// Oldest submission first (waiting for acceptance).
    Submitted,
    /// Newest submission first (a search).
    Newest,
}

/// A WHERE clause and its values, in placeholder order.
enum Bind {
    Text(String),
    Int(i64),
}

fn where_clause(f: &QueueFilter) -> (String, Vec<Bind>) {
    fn list(binds: &mut Vec<Bind>, items: Vec<Bind>) -> String {
        let mut names = Vec::with_capacity(items.len());
        for b in items {
            binds.push(b);
            names.push(format!("${}", binds.len()));
        }
        names.join(",")
    }
    let mut binds: Vec<Bind> = Vec::new();
    let units = list(
        &mut binds,
        f.units.iter().map(|u| Bind::Text(u.clone())).collect(),
    );
    let unit_sql = if f.or_received {
        let received = list(
            &mut binds,
            f.units.iter().map(|u| Bind::Text(u.clone())).collect(),
        );
        format!("(current_unit IN ({units}) OR receiving_unit IN ({received}))")
    } else {
        format!("current_unit IN ({units})")
    };
    let statuses = list(
        &mut binds,
        f.statuses.iter().map(|s| Bind::Int(*s)).collect(),
    );
    let mut sql = format!("{unit_sql} AND status IN ({statuses})");
    if let Some(v) = &f.due_from {
        binds.push(Bind::Text(v.clone()));
        sql.push_str(&format!(" AND due_at >= ${}", binds.len()));
    }
    if let Some(v) = &f.due_before {
        binds.push(Bind::Text(v.clone()));
        sql.push_str(&format!(" AND due_at < ${}", binds.len()));
    }
    if let Some(v) = &f.assignee {
        binds.push(Bind::Text(v.clone()));
        sql.push_str(&format!(" AND assignee = ${}", binds.len()));
    }
    if let Some(v) = &f.text {
        let escaped = v.replace(['%', '_'], "");
        binds.push(Bind::Text(format!("{escaped}%")));
        let prefix = binds.len();
        binds.push(Bind::Text(format!("%{escaped}%")));
        sql.push_str(&format!(
            " AND (code LIKE ${prefix} OR applicant_name LIKE ${})",
            binds.len()
        ));
    }
    (sql, binds)
}

fn desk_row<R>(r: &R) -> Result<DeskRow>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(DeskRow {
        code: r.try_get("code")?,
        procedure_code: r.try_get("procedure_code")?,
        status: r.try_get("status")?,
        channel: r.try_get("channel")?,
        applicant_name: r.try_get("applicant_name")?,
        receiving_unit: r.try_get("receiving_unit")?,
        current_unit: r.try_get("current_unit")?,
        assignee: r.try_get("assignee")?,
        submitted_at: r.try_get("submitted_at")?,
        due_at: r.try_get("due_at")?,
        version: r.try_get("version")?,
    })
}

/// Binds the values of a WHERE clause onto a query, in order.
macro_rules! bind_all {
    ($q:expr, $binds:expr) => {{
        let mut q = $q;
        for b in $binds {
            q = match b {
                Bind::Text(t) => q.bind(t.clone()),
                Bind::Int(i) => q.bind(*i),
            };
        }
        q
    }};
}

impl Store {
    /// One page of a queue: the dossiers of `f`, ordered, at most `limit` from `offset`.
    pub async fn desk_queue(
        &self,
        f: &QueueFilter,
        order: QueueOrder,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<DeskRow>> {
        if f.units.is_empty() || f.statuses.is_empty() {
            return Ok(Vec::new());
        }
        let (where_sql, binds) = where_clause(f);
        let order_sql = match order {
            QueueOrder::Due => "(due_at IS NULL), due_at, code",
            QueueOrder::Submitted => "submitted_at, code",
            QueueOrder::Newest => "submitted_at DESC, code DESC",
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM dossiers WHERE {where_sql} ORDER BY {order_sql} LIMIT ${} OFFSET ${}",
            binds.len() + 1,
            binds.len() + 2
        );
        on_pool!(self, pool => {
            let q = bind_all!(sqlx::query(AssertSqlSafe(sql.clone())), &binds);
            let rows = q.bind(limit).bind(offset.max(0)).fetch_all(pool).await?;
            rows.iter().map(desk_row).collect()
        })
    }

    /// How many dossiers a queue holds.
    pub async fn desk_count(&self, f: &QueueFilter) -> Result<i64> {
        if f.units.is_empty() || f.statuses.is_empty() {
            return Ok(0);
        }
        let (where_sql, binds) = where_clause(f);
        let sql = format!("SELECT COUNT(*) FROM dossiers WHERE {where_sql}");
        on_pool!(self, pool => {
            let q = bind_all!(sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql.clone())), &binds);
            Ok(q.fetch_one(pool).await?)
        })
    }

    /// Dossiers per status in units, among `statuses` (GROUP BY on the unit-status index).
    pub async fn status_counts(
        &self,
        units: &[String],
        statuses: &[i64],
    ) -> Result<Vec<(i64, i64)>> {
        let f = QueueFilter {
            units: units.to_vec(),
            statuses: statuses.to_vec(),
            ..QueueFilter::default()
        };
        if f.units.is_empty() || f.statuses.is_empty() {
            return Ok(Vec::new());
        }
        let (where_sql, binds) = where_clause(&f);
        let sql = format!(
            "SELECT status, COUNT(*) FROM dossiers WHERE {where_sql} GROUP BY status ORDER BY status"
        );
        on_pool!(self, pool => {
            let q = bind_all!(sqlx::query_as::<_, (i64, i64)>(AssertSqlSafe(sql.clone())), &binds);
            Ok(q.fetch_all(pool).await?)
        })
    }

    /// Open dossiers per assignee in units, with how many are past `now` (ISO civil time).
    pub async fn assignee_load(
        &self,
        units: &[String],
        statuses: &[i64],
        now: &str,
    ) -> Result<Vec<AssigneeLoad>> {
        let f = QueueFilter {
            units: units.to_vec(),
            statuses: statuses.to_vec(),
            ..QueueFilter::default()
        };
        if f.units.is_empty() || f.statuses.is_empty() {
            return Ok(Vec::new());
        }
        let (where_sql, mut binds) = where_clause(&f);
        binds.push(Bind::Text(now.to_owned()));
        let sql = format!(
            "SELECT assignee, COUNT(*), \
             SUM(CASE WHEN due_at IS NOT NULL AND due_at < ${} THEN 1 ELSE 0 END) \
             FROM dossiers WHERE {where_sql} AND assignee IS NOT NULL \
             GROUP BY assignee ORDER BY assignee",
            binds.len()
        );
        on_pool!(self, pool => {
            let q = bind_all!(
                sqlx::query_as::<_, (String, i64, i64)>(AssertSqlSafe(sql.clone())),
                &binds
            );
            Ok(q.fetch_all(pool)
                .await?
                .into_iter()
                .map(|(assignee, open, late)| AssigneeLoad { assignee, open, late })
                .collect())
        })
    }

    /// Per status, the dossiers of units finished in `[from, to)` (ISO civil times) and how many
    /// late, judged as `finished_by_unit` judges them.
    pub async fn finished_in_units(
        &self,
        units: &[String],
        from: &str,
        to: &str,
    ) -> Result<Vec<FinishedByStatus>> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let mut binds = vec![Bind::Text(from.to_owned()), Bind::Text(to.to_owned())];
        let mut names = Vec::new();
        for u in units {
            binds.push(Bind::Text(u.clone()));
            names.push(format!("${}", binds.len()));
        }
        let sql = format!(
            "SELECT status, COUNT(*), \
             SUM(CASE WHEN finished_late = 1 OR (finished_late IS NULL AND due_at IS NOT NULL \
             AND finished_at > due_at) THEN 1 ELSE 0 END) \
             FROM dossiers WHERE finished_at >= $1 AND finished_at < $2 AND current_unit IN ({}) \
             GROUP BY status ORDER BY status",
            names.join(",")
        );
        on_pool!(self, pool => {
            let q = bind_all!(
                sqlx::query_as::<_, (i64, i64, i64)>(AssertSqlSafe(sql.clone())),
                &binds
            );
            Ok(q.fetch_all(pool)
                .await?
                .into_iter()
                .map(|(status, finished, late)| FinishedByStatus { status, finished, late })
                .collect())
        })
    }

    /// Officers and leaders of units, by name.
    pub async fn staff_of_units(&self, units: &[String]) -> Result<Vec<StaffRow>> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<String> = (1..=units.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, username, display_name, title, role, unit_id FROM accounts \
             WHERE unit_id IN ({}) AND role IN ('officer', 'leader') ORDER BY display_name, username",
            names.join(",")
        );
        on_pool!(self, pool => {
            let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
            for u in units {
                q = q.bind(u.clone());
            }
            let rows = q.fetch_all(pool).await?;
            rows.iter()
                .map(|r| {
                    Ok(StaffRow {
                        id: r.try_get("id")?,
                        username: r.try_get("username")?,
                        display_name: r.try_get("display_name")?,
                        title: r.try_get("title")?,
                        role: r.try_get("role")?,
                        unit_id: r.try_get("unit_id")?,
                    })
                })
                .collect()
        })
    }

    /// Display names of accounts by id (unknown ids are left out).
    pub async fn account_names(&self, ids: &[String]) -> Result<Vec<(String, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, display_name FROM accounts WHERE id IN ({})",
            names.join(",")
        );
        on_pool!(self, pool => {
            let mut q = sqlx::query_as::<_, (String, String)>(AssertSqlSafe(sql.clone()));
            for id in ids {
                q = q.bind(id.clone());
            }
            Ok(q.fetch_all(pool).await?)
        })
    }

    /// Names of procedures by code (unknown codes are left out).
    pub async fn procedure_names(&self, codes: &[String]) -> Result<Vec<(String, String)>> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<String> = (1..=codes.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT code, name FROM procedures WHERE code IN ({})",
            names.join(",")
        );
        on_pool!(self, pool => {
            let mut q = sqlx::query_as::<_, (String, String)>(AssertSqlSafe(sql.clone()));
            for c in codes {
                q = q.bind(c.clone());
            }
            Ok(q.fetch_all(pool).await?)
        })
    }
}
