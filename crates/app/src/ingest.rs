//! Batched ingest (tiếp nhận và xử lý theo lô): many receipts and actions, each checked by
//! exactly the rules of the one-at-a-time use cases (`first_step`, `next_step`), written
//! together in one transaction. For systems that hand over work in bulk: a counter that
//! worked offline, the provincial LGSP relaying another system's dossiers, a migration of a
//! vendor system's open dossiers. All or nothing: the first item a rule refuses fails the
//! whole batch, naming the item, and no dossier, event or count is written. (The day's code
//! numbers drawn for its receipts are not reused, as for a single receipt that fails.)

use cchc_domain::dossier::{Dossier, Event};
use cchc_store::{DossierWrite, NewOutboxMessage, Projected};
use std::collections::{BTreeSet, HashMap};

use crate::dossiers::{Action, NewDossier, StepContext};
use crate::{App, AppError, Principal, Result, Role, lookup_secret_hash, random_hex};

/// Most items in one batch: large enough to amortise the transaction, small enough that a
/// batch holds the writer for well under a second.
pub const MAX_INGEST_ITEMS: usize = 5_000;

/// Which dossier an action is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DossierRef {
    /// A stored dossier, by its code.
    Code(String),
    /// The dossier received by the batch's item at this index (0-based).
    Item(usize),
}

/// One item of a batch.
#[derive(Debug, Clone)]
pub enum IngestItem {
    /// Receive a dossier, as `create_dossier` does.
    Receive(NewDossier),
    /// Take an action, as `act` does.
    Act {
        dossier: DossierRef,
        expected_version: Option<u32>,
        action: Action,
    },
}

/// What an item did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Ingested {
    pub code: String,
    /// The dossier's version after the item.
    pub version: u32,
    /// The lookup secret of a dossier this item received (shown once).
    pub secret: Option<String>,
}

/// A dossier the batch touches.
struct Slot {
    dossier: Dossier,
    /// As stored before the batch (None: received in it).
    before: Option<Dossier>,
    owner: Option<String>,
    secret_hash: String,
    events: Vec<Event>,
    outbox: Vec<NewOutboxMessage>,
}

/// Names the item an error came from (1-based, as people count).
fn at_item(i: usize, e: AppError) -> AppError {
    let n = i + 1;
    match e {
        AppError::Forbidden(m) => AppError::Forbidden(format!("mục {n}: {m}")),
        AppError::NotFound(m) => AppError::NotFound(format!("{m} (mục {n})")),
        AppError::Invalid(m) => AppError::Invalid(format!("mục {n}: {m}")),
        AppError::Conflict(m) => AppError::Conflict(format!("{m}, mục {n}")),
        other => other,
    }
}

impl App {
    /// Applies `items` in order and writes them in one transaction. Returns one outcome per
    /// item. An action may follow a receipt of the same batch (`DossierRef::Item`).
    pub async fn ingest(&self, who: &Principal, items: Vec<IngestItem>) -> Result<Vec<Ingested>> {
        if items.is_empty() || items.len() > MAX_INGEST_ITEMS {
            return Err(AppError::Invalid(format!(
                "một lô có từ 1 đến {MAX_INGEST_ITEMS} mục (lô này có {})",
                items.len()
            )));
        }
        // Every stored dossier named, read in one go.
        let codes: BTreeSet<String> = items
            .iter()
            .filter_map(|it| match it {
                IngestItem::Act {
                    dossier: DossierRef::Code(c),
                    ..
                } => Some(c.clone()),
                _ => None,
            })
            .collect();
        let codes: Vec<String> = codes.into_iter().collect();
        let mut slots: Vec<Slot> = Vec::new();
        let mut by_code: HashMap<String, usize> = HashMap::new();
        for (d, meta, _) in self.store.dossiers_with_events(&codes).await? {
            by_code.insert(d.code.clone(), slots.len());
            slots.push(Slot {
                before: Some(d.clone()),
                dossier: d,
                owner: meta.owner_account,
                secret_hash: meta.secret_hash,
                events: Vec::new(),
                outbox: Vec::new(),
            });
        }
        // The officers assigned, read once each.
        let mut accounts = HashMap::new();
        for item in &items {
            if let IngestItem::Act {
                action: Action::Assign { officer },
                ..
            } = item
                && !accounts.contains_key(officer)
            {
                let row = self.store.account_by_id(officer).await?;
                accounts.insert(officer.clone(), row);
            }
        }
        let mut received_slot: HashMap<usize, usize> = HashMap::new();
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let done = match item {
                IngestItem::Receive(input) => {
                    let (dossier, event) = self
                        .first_step(who, input)
                        .await
                        .map_err(|e| at_item(i, e))?;
                    let due = self.projected(&dossier)?.due_at;
                    let outbox = self.outbox_for(&dossier, &event, due).await?;
                    let secret = random_hex(4)?.to_uppercase();
                    received_slot.insert(i, slots.len());
                    by_code.insert(dossier.code.clone(), slots.len());
                    let done = Ingested {
                        code: dossier.code.clone(),
                        version: dossier.version,
                        secret: Some(secret.clone()),
                    };
                    slots.push(Slot {
                        dossier,
                        before: None,
                        owner: (who.role == Role::Citizen).then(|| who.account_id.clone()),
                        secret_hash: lookup_secret_hash(&secret),
                        events: vec![event],
                        outbox,
                    });
                    done
                }
                IngestItem::Act {
                    dossier,
                    expected_version,
                    action,
                } => {
                    let k = match &dossier {
                        DossierRef::Code(c) => by_code
                            .get(c)
                            .copied()
                            .ok_or_else(|| at_item(i, AppError::NotFound(format!("hồ sơ {c}"))))?,
                        DossierRef::Item(j) => received_slot.get(j).copied().ok_or_else(|| {
                            at_item(
                                i,
                                AppError::Invalid(format!(
                                    "mục {} không phải một hồ sơ tiếp nhận trước mục này",
                                    j + 1
                                )),
                            )
                        })?,
                    };
                    let slot = &slots[k];
                    let (next, event) = self
                        .next_step(
                            who,
                            &slot.dossier,
                            slot.owner.as_deref(),
                            expected_version,
                            action,
                            StepContext {
                                gateway_confirmed: false,
                                known_accounts: Some(&accounts),
                            },
                        )
                        .await
                        .map_err(|e| at_item(i, e))?;
                    let due = self.projected(&next)?.due_at;
                    let outbox = self.outbox_for(&next, &event, due).await?;
                    let slot = &mut slots[k];
                    slot.dossier = next;
                    slot.events.push(event);
                    slot.outbox.extend(outbox);
                    Ingested {
                        code: slot.dossier.code.clone(),
                        version: slot.dossier.version,
                        secret: None,
                    }
                }
            };
            out.push(done);
        }
        let mut writes = Vec::with_capacity(slots.len());
        for slot in slots.into_iter().filter(|s| !s.events.is_empty()) {
            let was_finished = slot
                .before
                .as_ref()
                .is_some_and(|d| d.finished_at().is_some());
            let projected = Projected {
                finishes: !was_finished && slot.dossier.finished_at().is_some(),
                outbox: slot.outbox,
                ..self.projection(&slot.dossier).await?
            };
            writes.push(DossierWrite {
                expected_version: slot.before.as_ref().map(|d| d.version),
                dossier: slot.dossier,
                events: slot.events,
                secret_hash: slot.secret_hash,
                owner_account: slot.owner,
                projected,
                files: Vec::new(),
            });
        }
        self.store.write_dossiers(&writes).await?;
        Ok(out)
    }
}
