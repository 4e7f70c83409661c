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
use cchc_domain::indicator::{DossierFacts, Measure, Measures, RollupDelta};
use sqlx::AssertSqlSafe;
use std::collections::{BTreeMap, HashMap};

use crate::indicators::{FACT_COLUMNS, facts_row, flows, month_of, stocks};
use crate::{Backend, NewAttachment, Projected, Result, Store, StoreError, civil, dup};

/// Bound values per statement: below SQLite's 32,766 (PostgreSQL takes 65,535).
const MAX_BINDS: usize = 30_000;

/// Scripts with at most this many bound values stay in the connection's statement cache.
const KEEP_PREPARED_BINDS: usize = 2_000;

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
            self.add_delta(&d);
        }
    }

    fn add_delta(&mut self, d: &RollupDelta) {
        *self
            .daily
            .entry((d.unit.clone(), d.day.to_string(), d.procedure.clone()))
            .or_default() += d.measures;
        *self
            .months
            .entry((d.unit.clone(), month_of(d.day)))
            .or_default() += d.measures;
    }
}

/// The statements that add rollup changes (a rebuild's output, a dossier's facts diff) to the
/// daily, monthly and monthly-stock tables: summed per row first, then a few multi-row
/// upserts, as a dossier write does. The caller runs them in its transaction; `anonymous`:
/// SQLite's `?` marks.
pub(crate) fn rollup_script(deltas: &[RollupDelta], anonymous: bool) -> Script {
    let mut sums = RollupSums::default();
    for d in deltas {
        sums.add_delta(d);
    }
    let mut script = Script::new(anonymous);
    rollup_statements(&mut script, &sums);
    script
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
        let done: Result<()> = on_write_pool!(self, pool => {
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
        DB: sqlx::Database + sqlx::database::HasStatementCache,
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
        let events: Vec<&Event> = writes.iter().flat_map(|w| w.events.iter()).collect();
        let changed_codes: Vec<&str> = changed.iter().map(|w| w.dossier.code.as_str()).collect();

        // Reads first: what the write's rows are computed against. A stored dossier that
        // moved on meanwhile fails the version check below, so nothing computed from a newer
        // state is kept.
        // Officers who already handled the changed dossiers.
        let mut handled: std::collections::HashSet<(String, String)> = Default::default();
        for r in rows_by_codes(
            tx,
            "SELECT code, account FROM dossier_handlers",
            &changed_codes,
            anonymous,
        )
        .await?
        {
            use sqlx::Row;
            handled.insert((r.try_get("code")?, r.try_get("account")?));
        }
        // The stored facts of the changed dossiers.
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
        let select = format!("SELECT {FACT_COLUMNS} FROM dossier_facts");
        for r in rows_by_codes(tx, &select, &to_read, anonymous).await? {
            let f = facts_row(&r)?;
            old.insert(f.code.clone(), f);
        }

        let mut script = Script::new(anonymous);

        // 1. New rows.
        let rows = new
            .iter()
            .map(|w| dossier_values(w))
            .collect::<Result<Vec<_>>>()?;
        let codes: Vec<&str> = new.iter().map(|w| w.dossier.code.as_str()).collect();
        script.insert(
            "dossiers",
            &DOSSIER_COLUMNS,
            rows,
            "",
            OnDuplicate::Duplicate,
            |i| codes.get(i).copied().unwrap_or_default().to_owned(),
        );

        // 2. Changed rows, each only if still at its expected version: RETURNING names the
        // rows updated.
        let per = MAX_BINDS / (UPDATED_COLUMNS.len() + 2);
        let sets: Vec<String> = UPDATED_COLUMNS
            .iter()
            .map(|c| format!("{c} = v.{c}"))
            .collect();
        for chunk in changed.chunks(per) {
            let rows = chunk
                .iter()
                .map(|w| update_values(w, w.expected_version.unwrap_or_default()))
                .collect::<Result<Vec<_>>>()?;
            let sql = format!(
                "WITH v(code, expected, {cols}) AS (VALUES {groups}) \
                 UPDATE dossiers SET {sets} FROM v \
                 WHERE dossiers.code = v.code AND dossiers.version = v.expected \
                 RETURNING dossiers.code",
                cols = UPDATED_COLUMNS.join(", "),
                groups = value_groups(UPDATED_COLUMNS.len() + 2, rows.len(), anonymous),
                sets = sets.join(", "),
            );
            script.push(Statement {
                sql,
                args: rows.into_iter().flatten().collect(),
                table: "dossiers",
                on_duplicate: OnDuplicate::Duplicate,
                name: chunk[0].dossier.code.clone(),
                returns_codes: true,
            });
        }

        // 3. Events, appended; a duplicate (dossier, seq) means another write got there first.
        let rows: Vec<Vec<Val>> = events.iter().map(|e| event_values(e)).collect();
        script.insert(
            "dossier_events",
            &EVENT_COLUMNS,
            rows,
            "",
            OnDuplicate::Conflict,
            |i| {
                events
                    .get(i)
                    .map(|e| e.body.dossier.clone())
                    .unwrap_or_default()
            },
        );

        // 4. Handlers: the first day each officer touched each dossier, and their yearly count.
        let handlers: Vec<((String, String), jiff::civil::Date)> =
            first_handlings(events.iter().copied())
                .into_iter()
                .filter(|(key, _)| !handled.contains(key))
                .collect();
        let mut yearly: BTreeMap<(String, i64), i64> = BTreeMap::new();
        for ((_, who), day) in &handlers {
            *yearly
                .entry((who.clone(), i64::from(day.year())))
                .or_default() += 1;
        }
        let rows: Vec<Vec<Val>> = handlers
            .into_iter()
            .map(|((code, who), day)| vec![text(code), text(who), text(day.to_string())])
            .collect();
        script.insert(
            "dossier_handlers",
            &["code", "account", "first_day"],
            rows,
            "",
            OnDuplicate::Conflict,
            |_| String::new(),
        );
        let rows: Vec<Vec<Val>> = yearly
            .into_iter()
            .map(|((who, year), n)| vec![text(who), int(year), int(n)])
            .collect();
        script.upsert(
            "handler_yearly",
            &["account", "year", "dossiers"],
            &["account", "year"],
            rows,
            "dossiers = handler_yearly.dossiers + excluded.dossiers",
        );

        // 5. Facts and rollups, by the difference with what was stored.
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
        script.upsert(
            "dossier_facts",
            &fact_cols,
            &["code"],
            fact_rows,
            &fact_sets.join(", "),
        );
        rollup_statements(&mut script, &sums);

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
        script.upsert(
            "finished_daily",
            &["unit", "day", "finished", "late"],
            &["day", "unit"],
            rows,
            "finished = finished_daily.finished + excluded.finished, \
             late = finished_daily.late + excluded.late",
        );

        // 7. Messages for the exchanges, in the same transaction.
        let messages: Vec<&crate::NewOutboxMessage> = writes
            .iter()
            .flat_map(|w| w.projected.outbox.iter())
            .collect();
        if !messages.is_empty() {
            let now = crate::outbox::now_ms();
            let rows: Vec<Vec<Val>> = messages
                .iter()
                .map(|m| outbox_values(m, false, now))
                .collect();
            script.insert(
                "outbox",
                &OUTBOX_COLUMNS,
                rows,
                "",
                OnDuplicate::Duplicate,
                |i| messages.get(i).map(|m| m.key()).unwrap_or_default(),
            );
        }

        // All of it, then check every changed row was still at its expected version.
        let updated = script.run(tx).await?;
        if updated.len() != changed.len() {
            let updated: std::collections::HashSet<&str> =
                updated.iter().map(String::as_str).collect();
            let stale = changed_codes
                .iter()
                .find(|c| !updated.contains(**c))
                .copied()
                .unwrap_or_default();
            return Err(StoreError::Conflict(stale.to_owned()));
        }

        // 8. Files, with the last event of their dossier's write (after the events they
        // belong to).
        for w in writes {
            if let Some(last) = w.events.last() {
                for f in &w.files {
                    Self::insert_attachment(tx, last, f).await?;
                }
            }
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
}

/// Adds summed rollup changes to the daily, monthly and monthly-stock tables.
fn rollup_statements(script: &mut Script, sums: &RollupSums) {
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
    script.upsert(
        "ind_daily",
        &cols,
        &["unit", "day", "procedure_code"],
        rows,
        &adds("ind_daily", &all),
    );
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
        script.upsert(
            table,
            &cols,
            &["unit", "month"],
            rows,
            &adds(table, &measures),
        );
    }
}

/// What a unique violation in a statement means for the write.
#[derive(Debug, Clone, Copy)]
enum OnDuplicate {
    /// `Duplicate(name)`: the row exists.
    Duplicate,
    /// `Conflict(name)`: another write got there first.
    Conflict,
}

/// One statement of a write and its bound values.
#[derive(Debug)]
struct Statement {
    sql: String,
    args: Vec<Val>,
    table: &'static str,
    on_duplicate: OnDuplicate,
    /// The row a unique violation names (the first of the statement's rows).
    name: String,
    /// Whether the statement returns the codes of the rows it touched (`RETURNING code`).
    returns_codes: bool,
}

/// The statements of one write, run in order by [`Script::run`]: on PostgreSQL one after
/// another; on SQLite as one multi-statement query, each statement taking the next of its
/// `?` values. On SQLite every statement is a hop to the connection's own thread and back,
/// so a write of one event costs one hop for all its rows instead of a dozen.
pub(crate) struct Script {
    anonymous: bool,
    statements: Vec<Statement>,
}

impl Script {
    fn new(anonymous: bool) -> Self {
        Self {
            anonymous,
            statements: Vec::new(),
        }
    }

    fn push(&mut self, s: Statement) {
        self.statements.push(s);
    }

    /// Multi-row INSERTs of `rows` into `table`, chunked under the bound-value limit; `name(i)`
    /// names row `i` for a unique violation.
    fn insert(
        &mut self,
        table: &'static str,
        cols: &[&str],
        rows: Vec<Vec<Val>>,
        suffix: &str,
        on_duplicate: OnDuplicate,
        name: impl Fn(usize) -> String,
    ) {
        let per = (MAX_BINDS / cols.len().max(1)).max(1);
        let mut rows = rows.into_iter().peekable();
        let mut first = 0;
        while rows.peek().is_some() {
            let chunk: Vec<Vec<Val>> = rows.by_ref().take(per).collect();
            let sql = format!(
                "INSERT INTO {table} ({}) VALUES {}{suffix}",
                cols.join(", "),
                value_groups(cols.len(), chunk.len(), self.anonymous)
            );
            let n = chunk.len();
            self.push(Statement {
                sql,
                args: chunk.into_iter().flatten().collect(),
                table,
                on_duplicate,
                name: name(first),
                returns_codes: false,
            });
            first += n;
        }
    }

    /// Multi-row upserts: rows whose `keys` exist get `sets` instead. Each key appears once
    /// (PostgreSQL refuses to touch a row twice in one statement).
    fn upsert(
        &mut self,
        table: &'static str,
        cols: &[&str],
        keys: &[&str],
        rows: Vec<Vec<Val>>,
        sets: &str,
    ) {
        let suffix = format!(" ON CONFLICT ({}) DO UPDATE SET {sets}", keys.join(", "));
        self.insert(table, cols, rows, &suffix, OnDuplicate::Duplicate, |_| {
            table.to_owned()
        });
    }

    /// Runs the statements; the codes the `returns_codes` statements returned.
    pub(crate) async fn run<'c, DB>(self, tx: &mut sqlx::Transaction<'c, DB>) -> Result<Vec<String>>
    where
        DB: sqlx::Database + sqlx::database::HasStatementCache,
        for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
        for<'e> &'e mut <DB as sqlx::Database>::Connection: sqlx::Executor<'e, Database = DB>,
        for<'q> String: sqlx::Decode<'q, DB> + sqlx::Type<DB>,
        for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        for<'a> &'a str: sqlx::ColumnIndex<<DB as sqlx::Database>::Row>,
    {
        use sqlx::Row;
        let mut codes = Vec::new();
        if !self.anonymous {
            for s in self.statements {
                let q = bind_values(sqlx::query(AssertSqlSafe(s.sql)), s.args);
                if s.returns_codes {
                    let rows = q
                        .fetch_all(&mut **tx)
                        .await
                        .map_err(|e| on_duplicate(e, s.on_duplicate, &s.name))?;
                    for r in rows {
                        codes.push(r.try_get("code")?);
                    }
                } else {
                    q.execute(&mut **tx)
                        .await
                        .map_err(|e| on_duplicate(e, s.on_duplicate, &s.name))?;
                }
            }
            return Ok(codes);
        }
        if self.statements.is_empty() {
            return Ok(codes);
        }
        let sql = self
            .statements
            .iter()
            .map(|s| s.sql.as_str())
            .collect::<Vec<_>>()
            .join(";\n");
        // A small script (a write of one or a few events) repeats its shape and is kept
        // prepared; a large one (a batch, a rebuild) rarely repeats, and cached programs for
        // thousands of rows would only hold memory.
        let keep =
            self.statements.iter().map(|s| s.args.len()).sum::<usize>() <= KEEP_PREPARED_BINDS;
        let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(keep);
        let mut parts = Vec::with_capacity(self.statements.len());
        for s in self.statements {
            q = bind_values(q, s.args);
            parts.push((s.table, s.on_duplicate, s.name));
        }
        let rows = q.fetch_all(&mut **tx).await.map_err(|e| {
            // SQLite names the table in its message ("UNIQUE constraint failed: table.col").
            let failed = match &e {
                sqlx::Error::Database(db) if db.is_unique_violation() => {
                    let msg = db.message().to_owned();
                    parts
                        .iter()
                        .find(|(table, _, _)| msg.contains(&format!(": {table}.")))
                        .map(|(_, how, name)| (*how, name.clone()))
                }
                _ => None,
            };
            match failed {
                Some((how, name)) => on_duplicate(e, how, &name),
                None => StoreError::Db(e),
            }
        })?;
        for r in rows {
            codes.push(r.try_get("code")?);
        }
        Ok(codes)
    }
}

fn on_duplicate(e: sqlx::Error, how: OnDuplicate, name: &str) -> StoreError {
    match (dup(e, name), how) {
        (StoreError::Duplicate(n), OnDuplicate::Conflict) => StoreError::Conflict(n),
        (other, _) => other,
    }
}

/// The rows `select` (a query without a WHERE clause, its table having a `code` column)
/// returns for `codes`, 500 codes per query.
async fn rows_by_codes<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    select: &str,
    codes: &[&str],
    anonymous: bool,
) -> Result<Vec<<DB as sqlx::Database>::Row>>
where
    DB: sqlx::Database,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'e> &'e mut <DB as sqlx::Database>::Connection: sqlx::Executor<'e, Database = DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let mut rows = Vec::new();
    for chunk in codes.chunks(500) {
        let sql = format!("{select} WHERE code IN ({})", marks(chunk.len(), anonymous));
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for c in chunk {
            q = q.bind((*c).to_owned());
        }
        rows.extend(q.fetch_all(&mut **tx).await?);
    }
    Ok(rows)
}

/// The columns of an outbox message as written.
pub(crate) const OUTBOX_COLUMNS: [&str; 11] = [
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
    "delivered_at",
];

/// An outbox message's row (`OUTBOX_COLUMNS`): pending and due at `now`, or, for a loaded
/// history, already delivered at `now`.
pub(crate) fn outbox_values(m: &crate::NewOutboxMessage, delivered: bool, now: i64) -> Vec<Val> {
    vec![
        text(m.key()),
        text(m.sink.clone()),
        text(m.dossier_code.clone()),
        int(m.seq),
        text(m.kind.clone()),
        text(m.payload.clone()),
        text(if delivered { "delivered" } else { "pending" }),
        int(i64::from(delivered)),
        int(now),
        int(now),
        Val::Int(delivered.then_some(now)),
    ]
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

fn bind_values<'q, DB>(
    mut q: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>,
    values: Vec<Val>,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>
where
    DB: sqlx::Database,
    for<'a> Option<String>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> Option<i64>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    for v in values {
        q = match v {
            Val::Text(s) => q.bind(s),
            Val::Int(i) => q.bind(i),
        };
    }
    q
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
