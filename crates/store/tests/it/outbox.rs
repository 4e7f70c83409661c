//! The outbox: written with the event or not at all, claimed one message per dossier in
//! order under a lease, retried, dead-lettered and replayed; the first confirmed message marks
//! the dossier synced in its facts and rollups, and later events keep it.

use crate::contract::{at, body, facts};
use crate::on_every_backend;
use cchc_domain::dossier::{Dossier, Event, EventKind};
use cchc_domain::indicator::Measure;
use cchc_store::{NewOutboxMessage, OutboxStatus, Projected, Store, StoreError, SyncedMark};

fn message(code: &str, seq: u32) -> NewOutboxMessage {
    NewOutboxMessage {
        sink: "dvcqg".into(),
        dossier_code: code.into(),
        seq,
        kind: "received".into(),
        payload: format!("{{\"MaHoSo\":\"{code}\",\"seq\":{seq}}}"),
    }
}

fn projected(code: &str, seq: u32, with_facts: bool) -> Projected {
    Projected {
        due_at: Some(at("2025-03-10T08:00")),
        facts: with_facts.then(|| facts(code, None, 0)),
        outbox: vec![message(code, seq)],
        ..Default::default()
    }
}

/// A dossier received with its first message (and facts when asked).
async fn received(store: &Store, code: &str, with_facts: bool) -> Dossier {
    let e = crate::contract::received_event(code);
    let d = Dossier::start(&e).unwrap();
    store
        .insert_dossier(&d, &e, "h", None, &projected(code, 1, with_facts), &[])
        .await
        .unwrap();
    d
}

async fn assign(store: &Store, d: &mut Dossier, with_facts: bool) -> Result<(), StoreError> {
    let e = Event::seal(
        body(
            &d.code,
            d.version + 1,
            "2025-03-04T09:00",
            EventKind::Assigned {
                officer: "a1".into(),
            },
        ),
        &d.last_hash,
    )
    .unwrap();
    let mut next = d.clone();
    next.apply(&e).unwrap();
    store
        .append_event(
            &next,
            &e,
            d.version,
            &projected(&d.code, e.body.seq, with_facts),
            &[],
        )
        .await?;
    *d = next;
    Ok(())
}

on_every_backend!(
    outbox_is_written_with_the_event_and_claimed_in_order,
    |store: Store| async move {
        let a = "000.00.20.H34-250303-0101";
        let b = "000.00.20.H34-250303-0102";
        let mut da = received(&store, a, false).await;
        let stale = da.clone();
        assign(&store, &mut da, false).await.unwrap();
        received(&store, b, false).await;
        // A stale writer is refused, and its message is not written either.
        let mut again = stale;
        assert!(matches!(
            assign(&store, &mut again, false).await,
            Err(StoreError::Conflict(_))
        ));
        let msgs = store.outbox_of_dossier(a).await.unwrap();
        assert_eq!(msgs.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(msgs[0].key, format!("{a}:1:dvcqg"));

        // One message per dossier, the earliest; a second worker finds them leased.
        let first = store.claim_outbox("dvcqg", "w1", 60_000, 10).await.unwrap();
        let mut got: Vec<(String, u32)> = first
            .iter()
            .map(|m| (m.dossier_code.clone(), m.seq))
            .collect();
        got.sort();
        assert_eq!(got, vec![(a.to_owned(), 1), (b.to_owned(), 1)]);
        assert!(
            store
                .claim_outbox("dvcqg", "w2", 60_000, 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .claim_outbox("other", "w2", 60_000, 10)
                .await
                .unwrap()
                .is_empty()
        );

        // A failure due again now goes back to the queue; only its worker may record it.
        let a1 = first.iter().find(|m| m.dossier_code == a).unwrap().clone();
        let b1 = first.iter().find(|m| m.dossier_code == b).unwrap().clone();
        assert!(
            !store
                .outbox_failed(a1.id, "w2", "not mine", Some(0))
                .await
                .unwrap()
        );
        assert!(
            store
                .outbox_failed(a1.id, "w1", "HTTP 500", Some(0))
                .await
                .unwrap()
        );
        let retry = store.claim_outbox("dvcqg", "w2", 60_000, 10).await.unwrap();
        assert_eq!(retry.len(), 1);
        assert_eq!((retry[0].id, retry[0].attempts), (a1.id, 1));
        assert_eq!(retry[0].last_error.as_deref(), Some("HTTP 500"));
        // The second step waits for the first.
        assert!(store.outbox_delivered(a1.id, SyncedMark::No).await.unwrap());
        assert!(!store.outbox_delivered(a1.id, SyncedMark::No).await.unwrap());
        let next = store.claim_outbox("dvcqg", "w2", 60_000, 10).await.unwrap();
        assert_eq!(next.len(), 1);
        assert_eq!((next[0].dossier_code.as_str(), next[0].seq), (a, 2));

        // Dead: it stays out of the queue, holds nothing else back, and is replayed.
        assert!(
            store
                .outbox_failed(next[0].id, "w2", "HTTP 400", None)
                .await
                .unwrap()
        );
        assert!(store.outbox_delivered(b1.id, SyncedMark::No).await.unwrap());
        assert!(
            store
                .claim_outbox("dvcqg", "w3", 60_000, 10)
                .await
                .unwrap()
                .is_empty()
        );
        let dead = store.outbox_list(OutboxStatus::Dead, 10, 0).await.unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].attempts, 1);
        let counts = store.outbox_counts().await.unwrap();
        let count = |s: OutboxStatus| counts.iter().find(|c| c.status == s).map_or(0, |c| c.count);
        assert_eq!(
            (count(OutboxStatus::Delivered), count(OutboxStatus::Dead)),
            (2, 1)
        );
        assert_eq!(store.outbox_replay(Some(dead[0].id)).await.unwrap(), 1);
        assert_eq!(store.outbox_replay(None).await.unwrap(), 0);
        let replayed = store.claim_outbox("dvcqg", "w3", 60_000, 10).await.unwrap();
        assert_eq!(replayed.len(), 1);
        assert_eq!((replayed[0].seq, replayed[0].attempts), (2, 0));

        // An expired lease lets another worker take the message (the first one died).
        let lost = store.claim_outbox("dvcqg", "w4", 60_000, 10).await.unwrap();
        assert!(lost.is_empty());
        store
            .execute_raw_for_tests("UPDATE outbox SET lease_until = 0 WHERE status = 'pending'")
            .await
            .unwrap();
        let taken = store.claim_outbox("dvcqg", "w4", 60_000, 10).await.unwrap();
        assert_eq!(taken.len(), 1);
        assert!(
            !store
                .outbox_failed(taken[0].id, "w3", "late", Some(0))
                .await
                .unwrap()
        );
    }
);

on_every_backend!(
    two_workers_never_claim_the_same_message,
    |store: Store| async move {
        for i in 0..40 {
            received(
                &store,
                &format!("000.00.20.H34-250303-{:04}", 200 + i),
                false,
            )
            .await;
        }
        let (x, y) = tokio::join!(
            store.claim_outbox("dvcqg", "x", 60_000, 25),
            store.claim_outbox("dvcqg", "y", 60_000, 25)
        );
        let (x, y) = (x.unwrap(), y.unwrap());
        let mut ids: Vec<i64> = x.iter().chain(y.iter()).map(|m| m.id).collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "a message was claimed twice");
        assert!(n >= 25, "the two workers took {n}");
    }
);

on_every_backend!(
    confirming_the_first_message_marks_the_dossier_synced,
    |store: Store| async move {
        let code = "000.00.20.H34-250303-0301";
        let mut d = received(&store, code, true).await;
        let synced = |store: Store| async move {
            let f = store.facts_of_unit("u:1").await.unwrap();
            let rolled: i64 = store
                .daily_rows()
                .await
                .unwrap()
                .iter()
                .map(|r| r.measures[Measure::Synced])
                .sum();
            (f.iter().filter(|f| f.synced).count(), rolled)
        };
        assert_eq!(synced(store.clone()).await, (0, 0));
        let m = store.claim_outbox("dvcqg", "w", 60_000, 10).await.unwrap();
        assert!(
            store
                .outbox_delivered(m[0].id, SyncedMark::Yes)
                .await
                .unwrap()
        );
        assert_eq!(synced(store.clone()).await, (1, 1));
        // A later event derives its facts without knowing of the portal: the mark stays.
        assert!(!crate::contract::facts(code, None, 0).synced);
        assign(&store, &mut d, true).await.unwrap();
        assert_eq!(synced(store.clone()).await, (1, 1));
    }
);
