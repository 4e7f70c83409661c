//! Batched ingest: the same rules as one action at a time, one transaction, all or nothing.

use crate::lifecycle::new_dossier;
use crate::{COMMUNE_A, World, world};
use cchc_app::AppError;
use cchc_app::dossiers::{Action, ListQuery};
use cchc_app::ingest::{DossierRef, IngestItem, MAX_INGEST_ITEMS};
use cchc_domain::dossier::{Outcome, ResultDoc};
use cchc_domain::indicator::Period;
use cchc_domain::procedure::Channel;

fn decide() -> Action {
    Action::Decide {
        outcome: Outcome::Approved,
        note: String::new(),
        results: vec![ResultDoc {
            name: "Xác nhận đăng ký tạm trú".into(),
            electronic: true,
            file_ref: None,
        }],
    }
}

fn act(dossier: DossierRef, action: Action) -> IngestItem {
    IngestItem::Act {
        dossier,
        expected_version: None,
        action,
    }
}

async fn total(w: &World) -> i64 {
    w.app
        .list_dossiers(&w.officer_a, ListQuery::default())
        .await
        .unwrap()
        .total
}

/// Three receipts carried to the end and a step on a stored dossier, in one batch, leave
/// what the same steps one at a time leave: the same codes, states, steps, due dates,
/// indicator measures and finished counts (the hashes differ only because the two
/// databases' accounts have different ids).
#[tokio::test]
async fn a_batch_leaves_what_the_same_steps_one_at_a_time_leave() {
    let (batched, single) = (world().await, world().await);
    for w in [&batched, &single] {
        w.set_now("2025-03-03T08:00:00");
    }
    let a = batched.officer_a.clone();
    // A dossier stored before the batch, on both sides.
    let stored = batched
        .app
        .create_dossier(&a, new_dossier(Channel::Counter, None))
        .await
        .unwrap()
        .code;
    let stored_single = single
        .app
        .create_dossier(&single.officer_a, new_dossier(Channel::Counter, None))
        .await
        .unwrap()
        .code;
    assert_eq!(stored, stored_single);
    for w in [&batched, &single] {
        w.set_now("2025-03-04T09:00:00");
    }

    let assign = || Action::Assign {
        officer: a.account_id.clone(),
    };
    let ret = || Action::Return {
        method: Channel::Counter,
    };
    let mut items = Vec::new();
    for k in 0..3 {
        let at = items.len();
        items.push(IngestItem::Receive(new_dossier(Channel::Counter, None)));
        items.push(act(DossierRef::Item(at), assign()));
        items.push(act(DossierRef::Item(at), decide()));
        if k < 2 {
            items.push(act(DossierRef::Item(at), ret()));
        }
    }
    items.push(act(DossierRef::Code(stored.clone()), assign()));
    let outcomes = batched.app.ingest(&a, items).await.unwrap();
    assert_eq!(outcomes.len(), 12);
    assert!(outcomes[0].secret.as_ref().is_some_and(|s| s.len() == 8));
    assert_eq!(
        outcomes[3].version, 4,
        "received, assigned, decided, returned"
    );
    assert_eq!(outcomes[11].code, stored);
    assert_eq!(outcomes[11].version, 2);

    // The same, one at a time.
    let s = &single.officer_a;
    for k in 0..3 {
        let code = single
            .app
            .create_dossier(s, new_dossier(Channel::Counter, None))
            .await
            .unwrap()
            .code;
        assert_eq!(code, outcomes[k * 4].code);
        let assign = || Action::Assign {
            officer: s.account_id.clone(),
        };
        let steps = if k < 2 {
            vec![assign(), decide(), ret()]
        } else {
            vec![assign(), decide()]
        };
        for step in steps {
            single.app.act(s, &code, None, step).await.unwrap();
        }
    }
    let assign_s = Action::Assign {
        officer: s.account_id.clone(),
    };
    single.app.act(s, &stored, None, assign_s).await.unwrap();

    for o in &outcomes {
        let (x, _, xe) = batched
            .app
            .store()
            .dossier_with_events(&o.code)
            .await
            .unwrap()
            .unwrap();
        let (y, _, ye) = single
            .app
            .store()
            .dossier_with_events(&o.code)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((x.status, x.version), (y.status, y.version));
        let steps = |es: &[cchc_domain::dossier::Event]| {
            es.iter()
                .map(|e| {
                    (
                        e.body.seq,
                        e.body.at,
                        e.body.kind.name(),
                        e.body.step_deadline,
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(steps(&xe), steps(&ye), "{}", o.code);
    }
    let q1 = Period::quarter(2025, 1).unwrap();
    let mb = batched.app.measures_by_unit(&q1).await.unwrap();
    let ms = single.app.measures_by_unit(&q1).await.unwrap();
    assert_eq!(mb, ms);
    assert!(mb.get(COMMUNE_A).is_some_and(|m| !m.is_zero()));
    for w in [&batched, &single] {
        let audit = w.app.store().audit_verify().await.unwrap();
        assert_eq!((audit.dossiers, audit.events), (4, 13));
        assert!(audit.broken.is_empty());
    }
    let finished = |w: &World| {
        let store = w.app.store().clone();
        async move {
            store
                .finished_by_unit("2025-01-01", "2026-01-01")
                .await
                .unwrap()
        }
    };
    let fb = finished(&batched).await;
    assert_eq!(fb, finished(&single).await);
    assert_eq!(fb.iter().map(|f| f.finished).sum::<i64>(), 3);
}

/// An item a rule refuses fails the batch, names the item, and nothing is written.
#[tokio::test]
async fn a_refused_item_fails_the_whole_batch_and_writes_nothing() {
    let w = world().await;
    w.set_now("2025-03-03T08:00:00");
    let a = w.officer_a.clone();
    let stored = w
        .app
        .create_dossier(&a, new_dossier(Channel::Counter, None))
        .await
        .unwrap()
        .code;
    let before = total(&w).await;
    let assign = Action::Assign {
        officer: a.account_id.clone(),
    };

    // Returning a result before any decision is not a step the state machine allows.
    let items = vec![
        IngestItem::Receive(new_dossier(Channel::Counter, None)),
        act(DossierRef::Item(0), assign.clone()),
        act(
            DossierRef::Code(stored.clone()),
            Action::Return {
                method: Channel::Counter,
            },
        ),
    ];
    let e = w.app.ingest(&a, items).await.unwrap_err();
    assert!(
        matches!(&e, AppError::Invalid(m) if m.starts_with("mục 3:")),
        "{e:?}"
    );
    assert_eq!(
        total(&w).await,
        before,
        "the receipt of item 1 was not kept"
    );
    assert_eq!(w.app.store().events(&stored).await.unwrap().len(), 1);

    // Another commune's officer may not act on this commune's dossier.
    let e = w
        .app
        .ingest(
            &w.officer_b,
            vec![act(DossierRef::Code(stored.clone()), assign.clone())],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, AppError::Forbidden(m) if m.starts_with("mục 1:")),
        "{e:?}"
    );

    // A stale version, an unknown code, a reference to a later item, empty and oversized.
    let stale = IngestItem::Act {
        dossier: DossierRef::Code(stored.clone()),
        expected_version: Some(7),
        action: assign.clone(),
    };
    let e = w.app.ingest(&a, vec![stale]).await.unwrap_err();
    assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
    let e = w
        .app
        .ingest(
            &a,
            vec![act(DossierRef::Code("KHONG-CO".into()), assign.clone())],
        )
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::NotFound(_)), "{e:?}");
    let e = w
        .app
        .ingest(
            &a,
            vec![
                act(DossierRef::Item(1), assign.clone()),
                IngestItem::Receive(new_dossier(Channel::Counter, None)),
            ],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, AppError::Invalid(m) if m.starts_with("mục 1:")),
        "{e:?}"
    );
    assert!(matches!(
        w.app.ingest(&a, Vec::new()).await,
        Err(AppError::Invalid(_))
    ));
    let many = vec![IngestItem::Receive(new_dossier(Channel::Counter, None)); MAX_INGEST_ITEMS + 1];
    assert!(matches!(
        w.app.ingest(&a, many).await,
        Err(AppError::Invalid(_))
    ));
    assert_eq!(total(&w).await, before);
    assert_eq!(w.app.store().events(&stored).await.unwrap().len(), 1);
    assert!(
        w.app
            .store()
            .audit_verify()
            .await
            .unwrap()
            .broken
            .is_empty()
    );
}

/// Writers at once on one file database: sixteen receipts all land with distinct codes (each
/// waits its turn at the one writer connection rather than failing as busy), and of eight
/// actions on one dossier at the same expected version exactly one lands, the others are
/// conflicts naming the dossier, and the dossier holds exactly one more event.
#[tokio::test]
async fn concurrent_writers_take_turns_and_a_stale_one_conflicts() {
    let w = world().await;
    let before = total(&w).await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let (app, who) = (w.app.clone(), w.officer_a.clone());
        tasks.spawn(async move {
            app.create_dossier(&who, new_dossier(Channel::Counter, None))
                .await
                .map(|d| d.code)
        });
    }
    let mut codes = Vec::new();
    while let Some(done) = tasks.join_next().await {
        codes.push(done.unwrap().unwrap());
    }
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), 16);
    assert_eq!(total(&w).await, before + 16);

    let code = codes[0].clone();
    let version = w
        .app
        .dossier(&w.officer_a, &code)
        .await
        .unwrap()
        .dossier
        .version;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (app, who, code) = (w.app.clone(), w.officer_a.clone(), code.clone());
        tasks.spawn(async move {
            let assign = Action::Assign {
                officer: who.account_id.clone(),
            };
            app.act(&who, &code, Some(version), assign).await
        });
    }
    let (mut landed, mut conflicts) = (0, 0);
    while let Some(done) = tasks.join_next().await {
        match done.unwrap() {
            Ok(_) => landed += 1,
            Err(AppError::Conflict(c)) => {
                assert_eq!(c, code);
                conflicts += 1;
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((landed, conflicts), (1, 7));
    let after = w.app.dossier(&w.officer_a, &code).await.unwrap();
    assert_eq!(after.dossier.version, version + 1);
    let events = w.app.store().events(&code).await.unwrap();
    assert_eq!(events.len() as u32, version + 1);
}
