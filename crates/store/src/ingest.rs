//! Writing dossier changes: one dossier or many, always in one transaction and with a fixed
//! number of statements per kind of row, whatever the number of dossiers.
//!
//! Owns the write path of dossiers: the projection row (inserted, or updated under the
//! optimistic version check), the appended events, the handlers, the indicator facts and the
//! rollup deltas, the daily finished counts, attachments and outbox messages. A single action
//! (`insert_dossier`, `append_event`) is a batch of one; an import or a batched ingest is a
//! batch of many, where the per-statement round trip (on SQLite a hop to the connection's
//! thread) is paid once per kind of row instead of once per row.

use cchc_domain::dossier::{Dossier, Event};
use cchc_domain::indicator::{DossierFacts, Measure, Measures};
use sqlx::AssertSqlSafe;
use std::collections::{BTreeMap, HashMap};

use crate::indicators::{FACT_COLUMNS, facts_row, flows, month_of, stocks};
use crate::{Backend, NewAttachment, Projected, Result, Store, StoreError, civil, dup};

/// Bound values per statement: below SQLite's 32,766 (PostgreSQL takes 65,535).
const MAX_BINDS: usize = 30_000;

/// One dossier's change in a write: its state after the change, the events that made it,
/// and what the app computed for its row.
#[derive(Debug, Clone)]
pub struct DossierWrite {
    /// The dossier after `events`.
    pub dossier: Dossier,
    /// The new events, in order (each chained to the one before).
    pub events: Vec<Event>,
    /// None: a new dossier (its row is inserted). Some(v): the stored row must still be at
    /// version `v`, or the whole write fails with a conflict.
    pub expected_version: Option<u32>,
    /// The lookup secret's hash (new dossiers only).
    pub secret_hash: String,
    /// The citizen account that filed it online (new dossiers only).
    pub owner_account: Option<String>,
    /// The row's computed columns after the change; `finishes`: one of `events` finished it.
    pub projected: Projected,
    /// Files arriving with the last of `events`.
    pub files: Vec<NewAttachment>,
}

/// A value bound into a multi-row statement.
#[derive(Debug, Clone)]
pub(crate) enum Val {
    Text(Option<String>),
    Int(Option<i64>),
}

fn text(s: impl Into<String>) -> Val {
    Val::Text(Some(s.into()))
}

fn int(i: impl Into<i64>) -> Val {
    Val::Int(Some(i.into()))
}

/// `(…), (…)` groups of `cols` marks for `rows` rows: `?` on SQLite (see `multi_insert`),
/// `$n` on PostgreSQL.
pub(crate) fn value_groups(cols: usize, rows: usize, anonymous: bool) -> String {
    let mut sql = String::with_capacity(rows * cols * 4);
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..cols {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            if anonymous {
                sql.push('?');
            } else {
                sql.push_str(&format!("${n}"));
            }
        }
        sql.push(')');
    }
    sql
}

pub(crate) const DOSSIER_COLUMNS: [&str; 21] = [
    "code",
    "procedure_code",
    "status",
    "channel",
    "applicant_name",
    "applicant_id",
    "owner_account",
    "receiving_unit",
    "competent_unit",
    "current_unit",
    "assignee",
    "submitted_at",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "version",
    "last_hash",
    "secret_hash",
    "state",
    "finished_late",
];

/// The columns an event may change, after `code` and the expected version.
const UPDATED_COLUMNS: [&str; 11] = [
    "status",
    "current_unit",
    "assignee",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "version",
    "last_hash",
    "state",
    "finished_late",
];

pub(crate) const EVENT_COLUMNS: [&str; 9] = [
    "dossier_code",
    "seq",
    "at",
    "kind",
    "actor",
    "unit_id",
    "canonical",
    "prev_hash",
    "hash",
];

fn state_json(d: &Dossier) -> Result<String> {
    serde_json::to_string(d).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn dossier_values(w: &DossierWrite) -> Result<Vec<Val>> {
    dossier_row(
        &w.dossier,
        &w.projected,
        &w.secret_hash,
        w.owner_account.as_deref(),
    )
}

/// A dossier's `dossiers` row, in the order of [`DOSSIER_COLUMNS`]: the one rendering of the
/// row, for every write and for the bulk loader's rows and CSV.
pub(crate) fn dossier_row(
    d: &Dossier,
    p: &Projected,
    secret_hash: &str,
    owner_account: Option<&str>,
) -> Result<Vec<Val>> {
    Ok(vec![
        text(d.code.clone()),
        text(d.procedure_code.clone()),
        int(d.status.code()),
        int(d.channel.portal_code()),
        text(d.applicant.name.clone()),
        text(d.applicant.id_number.clone()),
        Val::Text(owner_account.map(str::to_owned)),
        text(d.receiving_unit.clone()),
        text(d.competent_unit.clone()),
        text(d.current_unit.clone()),
        Val::Text(d.assignee.clone()),
        text(civil(d.submitted_at)),
        Val::Text(d.received_at.map(civil)),
        Val::Text(p.due_at.map(civil)),
        Val::Text(d.finished_at().map(civil)),
        Val::Text(d.returned_at.map(civil)),
        int(d.version),
        text(d.last_hash.clone()),
        text(secret_hash),
        text(state_json(d)?),
        Val::Int(p.finished_late.map(i64::from)),
    ])
}

fn update_values(w: &DossierWrite, expected: u32) -> Result<Vec<Val>> {
    let d = &w.dossier;
    let p = &w.projected;
    Ok(vec![
        text(d.code.clone()),
        int(expected),
        int(d.status.code()),
        text(d.current_unit.clone()),
        Val::Text(d.assignee.clone()),
        Val::Text(d.received_at.map(civil)),
        Val::Text(p.due_at.map(civil)),
        Val::Text(d.finished_at().map(civil)),
        Val::Text(d.returned_at.map(civil)),
        int(d.version),
        text(d.last_hash.clone()),
        text(state_json(d)?),
        Val::Int(p.finished_late.map(i64::from)),
    ])
}

pub(crate) fn event_values(e: &Event) -> Vec<Val> {
    vec![
        text(e.body.dossier.clone()),
        int(e.body.seq),
        text(civil(e.body.at)),
        text(e.body.kind.name()),
        text(format!("{} ({})", e.body.actor.name, e.body.actor.account)),
        text(e.body.unit.clone()),
        text(e.canonical.clone()),
        text(e.prev_hash.clone()),
        text(e.hash.clone()),
    ]
}

pub(crate) fn fact_values(f: &DossierFacts) -> Vec<Val> {
    let day = |d: Option<jiff::civil::Date>| Val::Text(d.map(|d| d.to_string()));
    vec![
        text(f.code.clone()),
        text(f.unit.clone()),
        text(f.procedure.clone()),
        day(f.received_day),
        Val::Text(f.end.map(|k| k.code().to_owned())),
        day(f.end_day),
        day(f.late_from),
        Val::Text(f.verdict.map(|v| v.code().to_owned())),
        int(f.online),
        int(f.full_online_proc),
        int(f.fee_bearing),
        int(f.paid_online),
        int(f.digitised),
        int(f.reused),
        int(f.synced),
        int(f.electronic_result),
        int(f.supplement_requests),
        int(f.used_cd),
        int(f.limit_cd),
        Val::Int(f.rating.map(i64::from)),
    ]
}

/// The first day each member of staff handled each dossier, from its events: the
/// `dossier_handlers` rows (the emulation movement counts dossiers per handler from them).
pub(crate) fn first_handlings<'a>(
    events: impl Iterator<Item = &'a Event>,
) -> BTreeMap<(String, String), jiff::civil::Date> {
    let mut handlers: BTreeMap<(String, String), jiff::civil::Date> = BTreeMap::new();
    for e in events {
        if let Some(who) = e.body.handled_by() {
            let day = e.body.at.date();
            handlers
                .entry((e.body.dossier.clone(), who.to_owned()))
                .and_modify(|d| *d = (*d).min(day))
                .or_insert(day);
        }
    }
    handlers
}

/// Keeps `synced` once set: the sync worker sets it when the national portal confirms the
/// dossier, and no later event (nor a rebuild) takes that back.
pub(crate) fn keep_synced(old: Option<&DossierFacts>, new: &DossierFacts) -> DossierFacts {
    match old {
        Some(o) if o.synced && !new.synced => DossierFacts {
            synced: true,
            ..new.clone()
        },
        _ => new.clone(),
    }
}

/// Rollup changes summed per row of each rollup table, so each row is written once.
#[derive(Default)]
struct RollupSums {
    daily: BTreeMap<(String, String, String), Measures>,
    months: BTreeMap<(String, String), Measures>,
}

impl RollupSums {
    fn add(&mut self, old: Option<&DossierFacts>, new: &DossierFacts) {
        for d in DossierFacts::diff(old, Some(new)) {
            *self
                .daily
                .entry((d.unit.clone(), d.day.to_string(), d.procedure.clone()))
                .or_default() += d.measures;
            *self.months.entry((d.unit, month_of(d.day))).or_default() += d.measures;
        }
    }
}

impl Store {
    /// Writes dossier changes in one transaction: new rows inserted, changed rows updated if
    /// still at their expected version, events appended, facts and rollups adjusted by the
    /// difference, outbox messages enqueued. All or nothing: a conflict or a duplicate fails
    /// the whole write. A dossier appears at most once (its write carries all its events).
    pub async fn write_dossiers(&self, writes: &[DossierWrite]) -> Result<()> {
        if writes.is_empty() {
            return Ok(());
        }
        let anonymous = matches!(self.backend, Backend::Sqlite(_));
        let first = writes[0].dossier.code.clone();
        let done: Result<()> = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            Self::write_in(&mut tx, writes, anonymous).await?;
            tx.commit().await?;
            Ok(())
        });
        // A deadlock or serialization failure (PostgreSQL) means another writer got there
        // first: the caller reloads and tries again, as after a version conflict.
        done.map_err(|e| match e {
            StoreError::Db(sqlx::Error::Database(db))
                if matches!(db.code().as_deref(), Some("40P01" | "40001")) =>
            {
                StoreError::Conflict(first)
            }
            other => other,
        })
    }

    async fn write_in<'c, DB>(
        tx: &mut sqlx::Transaction<'c, DB>,
        writes: &[DossierWrite],
        anonymous: bool,
    ) -> Result<()>
    where
        DB: sqlx::Database,
        for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
        for<'e> &'e mut <DB as sqlx::Database>::Connection: sqlx::Executor<'e, Database = DB>,
        for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB> + sqlx::Decode<'q, DB>,
        for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB> + sqlx::Decode<'q, DB>,
        for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB> + sqlx::Decode<'q, DB>,
        for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB> + sqlx::Decode<'q, DB>,
        for<'q> Vec<u8>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        for<'a> &'a str: sqlx::ColumnIndex<<DB as sqlx::Database>::Row>,
    {
        let (new, mut changed): (Vec<&DossierWrite>, Vec<&DossierWrite>) =
            writes.iter().partition(|w| w.expected_version.is_none());
        // One lock order for every writer, so two batches never wait on each other in a cycle.
        changed.sort_by(|a, b| a.dossier.code.cmp(&b.dossier.code));

        // 1. New rows.
        let rows = new
            .iter()
            .map(|w| dossier_values(w))
            .collect::<Result<Vec<_>>>()?;
        let codes: Vec<&str> = new.iter().map(|w| w.dossier.code.as_str()).collect();
        Self::insert_rows(tx, "dossiers", &DOSSIER_COLUMNS, rows, anonymous, "", |i| {
            codes.get(i).copied().unwrap_or_default().to_owned()
        })
        .await?;

        // 2. Changed rows, each only if still at its expected version.
        let per = MAX_BINDS / (UPDATED_COLUMNS.len() + 2);
        for chunk in changed.chunks(per) {
            let rows = chunk
                .iter()
                .map(|w| update_values(w, w.expected_version.unwrap_or_default()))
                .collect::<Result<Vec<_>>>()?;
            let sets: Vec<String> = UPDATED_COLUMNS
                .iter()
                .map(|c| format!("{c} = v.{c}"))
                .collect();
            let sql = format!(
                "WITH v(code, expected, {cols}) AS (VALUES {groups}) \
                 UPDATE dossiers SET {sets} FROM v \
                 WHERE dossiers.code = v.code AND dossiers.version = v.expected \
                 RETURNING dossiers.code",
                cols = UPDATED_COLUMNS.join(", "),
                groups = value_groups(UPDATED_COLUMNS.len() + 2, rows.len(), anonymous),
                sets = sets.join(", "),
            );
            // RETURNING counts the rows updated without a backend-specific result type.
            let done = bind_rows(sqlx::query(AssertSqlSafe(sql)), rows)
                .fetch_all(&mut **tx)
                .await?;
            if done.len() != chunk.len() {
                // Name one dossier that moved on (or is gone), for the message.
                let mut stale = chunk[0].dossier.code.clone();
                for w in chunk {
                    let row = sqlx::query("SELECT version FROM dossiers WHERE code = $1")
                        .bind(w.dossier.code.clone())
                        .fetch_optional(&mut **tx)
                        .await?;
                    let v: Option<i64> =
                        row.map(|r| sqlx::Row::try_get(&r, "version")).transpose()?;
                    if v != w.expected_version.map(i64::from) {
                        stale = w.dossier.code.clone();
                        break;
                    }
                }
                return Err(StoreError::Conflict(stale));
            }
        }

        // 3. Events, appended.
        let events: Vec<&Event> = writes.iter().flat_map(|w| w.events.iter()).collect();
        let rows: Vec<Vec<Val>> = events.iter().map(|e| event_values(e)).collect();
        Self::insert_rows(
            tx,
            "dossier_events",
            &EVENT_COLUMNS,
            rows,
            anonymous,
            "",
            |i| {
                events
                    .get(i)
                    .map(|e| e.body.dossier.clone())
                    .unwrap_or_default()
            },
        )
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(code) => StoreError::Conflict(code),
            other => other,
        })?;

        // 4. Handlers: the first day each officer touched each dossier, and their yearly count.
        let handlers = first_handlings(events.iter().copied());
        let handler_rows: Vec<Vec<Val>> = handlers
            .iter()
            .map(|((code, who), day)| {
                vec![text(code.clone()), text(who.clone()), text(day.to_string())]
            })
            .collect();
        let mut yearly: BTreeMap<(String, i64), i64> = BTreeMap::new();
        for chunk in handler_rows.chunks(MAX_BINDS / 3).map(<[Vec<Val>]>::to_vec) {
            let sql = format!(
                "INSERT INTO dossier_handlers (code, account, first_day) VALUES {} \
                 ON CONFLICT (code, account) DO NOTHING RETURNING account, first_day",
                value_groups(3, chunk.len(), anonymous)
            );
            let inserted: Vec<(String, String)> = bind_rows(sqlx::query(AssertSqlSafe(sql)), chunk)
                .fetch_all(&mut **tx)
                .await?
                .iter()
                .map(|r| {
                    use sqlx::Row;
                    Ok((r.try_get("account")?, r.try_get("first_day")?))
                })
                .collect::<Result<_>>()?;
            for (who, day) in inserted {
                let year = day.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
                *yearly.entry((who, year)).or_default() += 1;
            }
        }
        let rows: Vec<Vec<Val>> = yearly
            .into_iter()
            .map(|((who, year), n)| vec![text(who), int(year), int(n)])
            .collect();
        Self::upsert_rows(
            tx,
            "handler_yearly",
            &["account", "year", "dossiers"],
            &["account", "year"],
            rows,
            anonymous,
            "dossiers = handler_yearly.dossiers + excluded.dossiers",
        )
        .await?;

        // 5. Facts and rollups, by the difference with what was stored.
        let with_facts: Vec<(&DossierWrite, &DossierFacts)> = writes
            .iter()
            .filter_map(|w| w.projected.facts.as_ref().map(|f| (w, f)))
            .collect();
        let mut old: HashMap<String, DossierFacts> = HashMap::new();
        let to_read: Vec<&str> = with_facts
            .iter()
            .filter(|(w, _)| w.expected_version.is_some())
            .map(|(_, f)| f.code.as_str())
            .collect();
        for chunk in to_read.chunks(500) {
            let sql = format!(
                "SELECT {FACT_COLUMNS} FROM dossier_facts WHERE code IN ({})",
                marks(chunk.len(), anonymous)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for c in chunk {
                q = q.bind((*c).to_owned());
            }
            for r in q.fetch_all(&mut **tx).await? {
                let f = facts_row(&r)?;
                old.insert(f.code.clone(), f);
            }
        }
        let mut sums = RollupSums::default();
        let mut fact_rows = Vec::new();
        for (_, f) in &with_facts {
            let before = old.get(&f.code);
            let after = keep_synced(before, f);
            if before == Some(&after) {
                continue;
            }
            sums.add(before, &after);
            fact_rows.push(fact_values(&after));
        }
        let fact_cols: Vec<&str> = FACT_COLUMNS.split(',').map(str::trim).collect();
        let fact_sets: Vec<String> = fact_cols[1..]
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        Self::upsert_rows(
            tx,
            "dossier_facts",
            &fact_cols,
            &["code"],
            fact_rows,
            anonymous,
            &fact_sets.join(", "),
        )
        .await?;
        Self::write_rollups(tx, &sums, anonymous).await?;

        // 6. The daily finished counts, for dossiers that finished in this write.
        let mut finished: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
        for w in writes {
            let finishes = if w.expected_version.is_none() {
                w.dossier.finished_at().is_some()
            } else {
                w.projected.finishes
            };
            if let (true, Some(at)) = (finishes, w.dossier.finished_at()) {
                let e = finished
                    .entry((w.dossier.receiving_unit.clone(), at.date().to_string()))
                    .or_default();
                e.0 += 1;
                e.1 += i64::from(w.projected.finished_late == Some(true));
            }
        }
        let rows: Vec<Vec<Val>> = finished
            .into_iter()
            .map(|((unit, day), (n, late))| vec![text(unit), text(day), int(n), int(late)])
            .collect();
        Self::upsert_rows(
            tx,
            "finished_daily",
            &["unit", "day", "finished", "late"],
            &["day", "unit"],
            rows,
            anonymous,
            "finished = finished_daily.finished + excluded.finished, \
             late = finished_daily.late + excluded.late",
        )
        .await?;

        // 7. Files, with the last event of their dossier's write.
        for w in writes {
            if let Some(last) = w.events.last() {
                for f in &w.files {
                    Self::insert_attachment(tx, last, f).await?;
                }
            }
        }

        // 8. Messages for the exchanges, in the same transaction.
        let messages: Vec<&crate::NewOutboxMessage> = writes
            .iter()
            .flat_map(|w| w.projected.outbox.iter())
            .collect();
        if !messages.is_empty() {
            let now = crate::outbox::now_ms();
            let rows: Vec<Vec<Val>> = messages
                .iter()
                .map(|m| {
                    vec![
                        text(m.key()),
                        text(m.sink.clone()),
                        text(m.dossier_code.clone()),
                        int(m.seq),
                        text(m.kind.clone()),
                        text(m.payload.clone()),
                        text("pending"),
                        int(0),
                        int(now),
                        int(now),
                    ]
                })
                .collect();
            Self::insert_rows(
                tx,
                "outbox",
                &[
                    "idem_key",
                    "sink",
                    "dossier_code",
                    "seq",
                    "kind",
                    "payload",
                    "status",
                    "attempts",
                    "next_attempt_at",
                    "created_at",
                ],
                rows,
                anonymous,
                "",
                |i| messages.get(i).map(|m| m.key()).unwrap_or_default(),
            )
            .await?;
        }
        Ok(())
    }

    /// Multi-row INSERTs of `rows` into `table` (`suffix` appended to each statement). A
    /// unique violation becomes `Duplicate` naming the first row of the failing chunk
    /// (`name(index)`), which is exact for a write of one.
    pub(crate) async fn insert_rows<'c, DB>(
        tx: &mut sqlx::Transaction<'c, DB>,
        table: &str,
        cols: &[&str],
        rows: Vec<Vec<Val>>,
        anonymous: bool,
        suffix: &str,
        name: impl Fn(usize) -> String,
    ) -> Result<()>
    where
        DB: sqlx::Database,
        for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
        for<'e> &'e mut <DB as sqlx::Database>::Connection: sqlx::Executor<'e, Database = DB>,
        for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        let per = (MAX_BINDS / cols.len().max(1)).max(1);
        let mut rows = rows.into_iter().peekable();
        let mut k = 0;
        while rows.peek().is_some() {
            let chunk: Vec<Vec<Val>> = rows.by_ref().take(per).collect();
            let sql = format!(
                "INSERT INTO {table} ({}) VALUES {}{suffix}",
                cols.join(", "),
                value_groups(cols.len(), chunk.len(), anonymous)
            );
            bind_rows(sqlx::query(AssertSqlSafe(sql)), chunk)
                .execute(&mut **tx)
                .await
                .map_err(|e| dup(e, &name(k * per)))?;
            k += 1;
        }
        Ok(())
    }

    /// Multi-row upserts: rows whose `keys` exist get `sets` instead. Each key appears once
    /// (PostgreSQL refuses to touch a row twice in one statement).
    async fn upsert_rows<'c, DB>(
        tx: &mut sqlx::Transaction<'c, DB>,
        table: &str,
        cols: &[&str],
        keys: &[&str],
        rows: Vec<Vec<Val>>,
        anonymous: bool,
        sets: &str,
    ) -> Result<()>
    where
        DB: sqlx::Database,
        for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
        for<'e> &'e mut <DB as sqlx::Database>::Connection: sqlx::Executor<'e, Database = DB>,
        for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        let suffix = format!(" ON CONFLICT ({}) DO UPDATE SET {sets}", keys.join(", "));
        Self::insert_rows(tx, table, cols, rows, anonymous, &suffix, |_| {
            table.to_owned()
        })
        .await
    }

    /// Adds summed rollup changes to the daily, monthly and monthly-stock tables.
    async fn write_rollups<'c, DB>(
        tx: &mut sqlx::Transaction<'c, DB>,
        sums: &RollupSums,
        anonymous: bool,
    ) -> Result<()>
    where
        DB: sqlx::Database,
        for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
        for<'e> &'e mut <DB as sqlx::Database>::Connection: sqlx::Executor<'e, Database = DB>,
        for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        let adds = |table: &str, measures: &[Measure]| -> String {
            measures
                .iter()
                .map(|m| format!("{c} = {table}.{c} + excluded.{c}", c = m.column()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let all: Vec<Measure> = Measure::ROLLUP.to_vec();
        let mut cols = vec!["unit", "day", "procedure_code"];
        cols.extend(all.iter().map(|m| m.column()));
        let rows: Vec<Vec<Val>> = sums
            .daily
            .iter()
            .map(|((unit, day, procedure), m)| {
                let mut v = vec![
                    text(unit.clone()),
                    text(day.clone()),
                    text(procedure.clone()),
                ];
                v.extend(all.iter().map(|x| int(m[*x])));
                v
            })
            .collect();
        Self::upsert_rows(
            tx,
            "ind_daily",
            &cols,
            &["unit", "day", "procedure_code"],
            rows,
            anonymous,
            &adds("ind_daily", &all),
        )
        .await?;
        for (table, measures) in [
            ("ind_monthly", flows().collect::<Vec<_>>()),
            ("ind_stock_monthly", stocks().collect::<Vec<_>>()),
        ] {
            let mut cols = vec!["unit", "month"];
            cols.extend(measures.iter().map(|m| m.column()));
            let rows: Vec<Vec<Val>> = sums
                .months
                .iter()
                .filter(|(_, m)| measures.iter().any(|x| m[*x] != 0))
                .map(|((unit, month), m)| {
                    let mut v = vec![text(unit.clone()), text(month.clone())];
                    v.extend(measures.iter().map(|x| int(m[*x])));
                    v
                })
                .collect();
            Self::upsert_rows(
                tx,
                table,
                &cols,
                &["unit", "month"],
                rows,
                anonymous,
                &adds(table, &measures),
            )
            .await?;
        }
        Ok(())
    }
}

/// `n` comma-separated marks.
fn marks(n: usize, anonymous: bool) -> String {
    (1..=n)
        .map(|i| {
            if anonymous {
                "?".to_owned()
            } else {
                format!("${i}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn bind_rows<'q, DB>(
    mut q: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>,
    rows: Vec<Vec<Val>>,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>
where
    DB: sqlx::Database,
    for<'a> Option<String>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> Option<i64>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    for row in rows {
        for v in row {
            q = match v {
                Val::Text(s) => q.bind(s),
                Val::Int(i) => q.bind(i),
            };
        }
    }
    q
}
