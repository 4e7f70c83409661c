//! The contract of citizen feedback (`pakn.rs`): round trips of every field, the optimistic
//! version (a stale writer writes nothing, not even its outbox message), every filter of
//! `pakn_list` and its ordering, and the files with and without their bytes.

use crate::on_every_backend;
use cchc_store::{
    NewOutboxMessage, NewPaknFile, PaknEventRow, PaknFileInfo, PaknFilter, PaknRow, Store,
    StoreError,
};

fn row(code: &str, unit: &str, received_at: &str) -> PaknRow {
    PaknRow {
        code: code.into(),
        secret_hash: format!("hash-{code}"),
        owner_account: None,
        contact_name: "Nguyễn Văn An".into(),
        contact_phone: Some("0912345678".into()),
        contact_email: None,
        category: "thai-do".into(),
        subject_kind: "procedure".into(),
        procedure_code: None,
        dossier_code: None,
        unit_id: unit.into(),
        named_unit: unit.into(),
        body: format!("Phản ánh {code}: cán bộ hẹn lại nhiều lần"),
        consent: false,
        status: "received".into(),
        flagged: false,
        received_at: received_at.into(),
        intake_due: Some("2025-03-10T17:00:00".into()),
        forwarded_at: None,
        process_due: None,
        current_due: Some("2025-03-10T17:00:00".into()),
        current_kind: Some("intake".into()),
        answered_at: None,
        answered_late: None,
        refused_at: None,
        published_at: None,
        published_question: None,
        published_answer: None,
        published_folded: None,
        rating: None,
        rated_at: None,
        version: 1,
        updated_at: received_at.into(),
    }
}

fn event(code: &str, seq: i64, kind: &str, prev: &str) -> PaknEventRow {
    PaknEventRow {
        code: code.into(),
        seq,
        at: format!("2025-03-0{}T08:00:00", seq.clamp(1, 9)),
        actor: "acc-1".into(),
        actor_name: "Trần Thị Bình".into(),
        kind: kind.into(),
        data: format!("{{\"kind\":\"{kind}\",\"ghi_chú\":\"dữ liệu {seq}\"}}"),
        prev_hash: prev.into(),
        hash: format!("h-{code}-{seq}"),
    }
}

fn file(id: &str, code: &str, seq: i64, at: &str, content: &[u8]) -> NewPaknFile {
    NewPaknFile {
        info: PaknFileInfo {
            id: id.into(),
            code: code.into(),
            seq,
            file_name: format!("ảnh {id}.jpg"),
            content_type: "image/jpeg".into(),
            size_bytes: i64::try_from(content.len()).unwrap(),
            sha256: format!("sha-{id}"),
            uploaded_at: at.into(),
        },
        content: content.to_vec(),
    }
}

fn message(code: &str, seq: u32) -> NewOutboxMessage {
    NewOutboxMessage {
        sink: "dvcqg-pakn".into(),
        dossier_code: code.into(),
        seq,
        kind: "answered".into(),
        payload: format!("{{\"MaPAKN\":\"{code}\",\"seq\":{seq}}}"),
    }
}

/// Every optional field filled and both booleans true.
fn full(code: &str) -> PaknRow {
    PaknRow {
        owner_account: Some("acc-citizen".into()),
        contact_email: Some("an@example.vn".into()),
        procedure_code: Some("1.001234".into()),
        dossier_code: Some("000.00.20.H34-250303-0001".into()),
        named_unit: "u-named".into(),
        consent: true,
        status: "answered".into(),
        flagged: true,
        forwarded_at: Some("2025-03-05T09:00:00".into()),
        process_due: Some("2025-03-20T17:00:00".into()),
        current_due: None,
        current_kind: None,
        answered_at: Some("2025-03-15T10:00:00".into()),
        answered_late: Some(true),
        refused_at: Some("2025-03-06T10:00:00".into()),
        published_at: Some("2025-03-16T10:00:00".into()),
        published_question: Some("Hỏi về thời hạn".into()),
        published_answer: Some("Trả lời về thời hạn".into()),
        published_folded: Some("hoi ve thoi han tra loi ve thoi han".into()),
        rating: Some(4),
        rated_at: Some("2025-03-17T10:00:00".into()),
        version: 7,
        ..row(code, "u-1", "2025-03-04T08:00:00")
    }
}

fn codes(rows: &[PaknRow]) -> Vec<&str> {
    rows.iter().map(|r| r.code.as_str()).collect()
}

fn filter() -> PaknFilter {
    PaknFilter::default()
}

on_every_backend!(
    pakn_round_trip_every_field_and_refuse_duplicates,
    |store: Store| async move {
        assert_eq!(store.pakn_count().await.unwrap(), 0);
        assert!(store.pakn("PAKN-0").await.unwrap().is_none());
        assert!(store.pakn_events("PAKN-0").await.unwrap().is_empty());

        let a = row("PAKN-1", "u-1", "2025-03-03T08:00:00");
        let b = full("PAKN-2");
        let ea = event("PAKN-1", 1, "submitted", "");
        let eb = event("PAKN-2", 1, "submitted", "");
        let fa = file("f-1", "PAKN-1", 1, "2025-03-03T08:00:00", &[0, 1, 2, 255]);
        store
            .insert_pakn(&a, &ea, std::slice::from_ref(&fa))
            .await
            .unwrap();
        store.insert_pakn(&b, &eb, &[]).await.unwrap();
        assert_eq!(store.pakn("PAKN-1").await.unwrap().as_ref(), Some(&a));
        assert_eq!(store.pakn("PAKN-2").await.unwrap().as_ref(), Some(&b));
        assert_eq!(store.pakn_events("PAKN-1").await.unwrap(), vec![ea.clone()]);
        assert_eq!(store.pakn_count().await.unwrap(), 2);

        // The same code again: refused, and neither its event nor its file is written.
        let again = event("PAKN-1", 1, "submitted", "other");
        let err = store
            .insert_pakn(
                &a,
                &again,
                &[file("f-9", "PAKN-1", 1, "2025-03-03T08:00:00", b"x")],
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Duplicate(_)), "{err:?}");
        assert_eq!(store.pakn_count().await.unwrap(), 2);
        assert_eq!(store.pakn_events("PAKN-1").await.unwrap(), vec![ea]);
        assert!(store.pakn_file("PAKN-1", "f-9").await.unwrap().is_none());
        assert_eq!(store.pakn_files("PAKN-1").await.unwrap(), vec![fa.info]);
    }
);

on_every_backend!(
    pakn_append_checks_the_version_and_writes_outbox_in_the_same_transaction,
    |store: Store| async move {
        let code = "PAKN-10";
        let first = row(code, "u-1", "2025-03-03T08:00:00");
        let e1 = event(code, 1, "submitted", "");
        store.insert_pakn(&first, &e1, &[]).await.unwrap();

        // A good append: new projection, event, file and outbox message.
        let mut second = full(code);
        second.version = 2;
        let e2 = event(code, 2, "answered", &e1.hash);
        let f2 = file("f-10", code, 2, "2025-03-04T08:00:00", b"bytes");
        store
            .append_pakn(
                &second,
                1,
                &e2,
                std::slice::from_ref(&f2),
                &[message(code, 2)],
            )
            .await
            .unwrap();
        assert_eq!(store.pakn(code).await.unwrap().as_ref(), Some(&second));
        assert_eq!(
            store.pakn_events(code).await.unwrap(),
            vec![e1.clone(), e2.clone()]
        );
        let out = store.outbox_of_dossier(code).await.unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].seq, out[0].kind.as_str()), (2, "answered"));
        assert_eq!(out[0].key, format!("{code}:2:dvcqg-pakn"));

        // A stale writer (expected version 1): conflict, and nothing is written — not the
        // row, not the event, not the file, not the outbox message.
        let mut stale = row(code, "u-2", "2025-03-03T08:00:00");
        stale.version = 2;
        stale.status = "refused".into();
        let e3 = event(code, 3, "refused", &e2.hash);
        let err = store
            .append_pakn(
                &stale,
                1,
                &e3,
                &[file("f-11", code, 3, "2025-03-05T08:00:00", b"no")],
                &[message(code, 3)],
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        assert_eq!(store.pakn(code).await.unwrap().as_ref(), Some(&second));
        assert_eq!(store.pakn_events(code).await.unwrap().len(), 2);
        assert!(store.pakn_file(code, "f-11").await.unwrap().is_none());
        assert_eq!(store.outbox_of_dossier(code).await.unwrap().len(), 1);

        // The right version but an event sequence already taken (a racing writer): a
        // conflict, and the projection update is rolled back with it.
        let mut racing = second.clone();
        racing.version = 3;
        racing.status = "closed".into();
        let dup_event = event(code, 2, "closed", &e1.hash);
        let err = store
            .append_pakn(&racing, 2, &dup_event, &[], &[message(code, 9)])
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        assert_eq!(store.pakn(code).await.unwrap().as_ref(), Some(&second));
        assert_eq!(store.outbox_of_dossier(code).await.unwrap().len(), 1);

        // An unknown PAKN is a conflict too (no row at that version).
        let ghost = row("PAKN-404", "u-1", "2025-03-03T08:00:00");
        let err = store
            .append_pakn(&ghost, 1, &event("PAKN-404", 2, "x", ""), &[], &[])
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");

        // A duplicate outbox message rolls back the whole append.
        let mut third = second.clone();
        third.version = 3;
        let e3 = event(code, 3, "published", &e2.hash);
        assert!(
            store
                .append_pakn(&third, 2, &e3, &[], &[message(code, 2)])
                .await
                .is_err()
        );
        assert_eq!(store.pakn(code).await.unwrap().as_ref(), Some(&second));
        assert_eq!(store.pakn_events(code).await.unwrap().len(), 2);

        // Then a good third step.
        store.append_pakn(&third, 2, &e3, &[], &[]).await.unwrap();
        assert_eq!(store.pakn(code).await.unwrap().unwrap().version, 3);
        assert_eq!(
            store
                .pakn_events(code)
                .await
                .unwrap()
                .iter()
                .map(|e| e.seq)
                .collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert_eq!(store.pakn_count().await.unwrap(), 1);
    }
);

on_every_backend!(pakn_list_filters_and_orders, |store: Store| async move {
    // a: u-1, received, due 03-10, owned by c1, not flagged
    // b: u-2 forwarded from u-1 (named u-1), flagged, due 03-05
    // c: u-2, answered and published, procedure P, no due
    // d: u-3, published later, procedure P, owned by c1
    // e: u-3, refused, received in April
    let mut a = row("PAKN-A", "u-1", "2025-03-01T08:00:00");
    a.owner_account = Some("c1".into());
    let mut b = row("PAKN-B", "u-2", "2025-03-02T08:00:00");
    b.named_unit = "u-1".into();
    b.flagged = true;
    b.status = "forwarded".into();
    b.current_due = Some("2025-03-05T17:00:00".into());
    b.current_kind = Some("process".into());
    let mut c = row("PAKN-C", "u-2", "2025-03-03T08:00:00");
    c.status = "answered".into();
    c.current_due = None;
    c.procedure_code = Some("P".into());
    c.published_at = Some("2025-03-20T08:00:00".into());
    c.published_folded = Some("thu tuc dat dai cham tre".into());
    let mut d = row("PAKN-D", "u-3", "2025-03-03T08:00:00");
    d.status = "answered".into();
    d.current_due = None;
    d.owner_account = Some("c1".into());
    d.procedure_code = Some("P".into());
    d.published_at = Some("2025-03-25T08:00:00".into());
    d.published_folded = Some("ho tich khai sinh cham tre 100%".into());
    let mut e = row("PAKN-E", "u-3", "2025-04-01T00:00:00");
    e.status = "refused".into();
    e.current_due = None;
    for r in [&c, &a, &e, &b, &d] {
        store
            .insert_pakn(r, &event(&r.code, 1, "submitted", ""), &[])
            .await
            .unwrap();
    }
    assert_eq!(store.pakn_count().await.unwrap(), 5);

    // No filter: received newest first, then the code.
    let all = store.pakn_list(&filter()).await.unwrap();
    assert_eq!(
        codes(&all),
        ["PAKN-E", "PAKN-C", "PAKN-D", "PAKN-B", "PAKN-A"]
    );
    assert_eq!(all[1], c);

    let list = |f: PaknFilter| {
        let store = store.clone();
        async move {
            let rows = store.pakn_list(&f).await.unwrap();
            rows.into_iter().map(|r| r.code).collect::<Vec<_>>()
        }
    };
    // Units: the responsible or the named unit; an empty list matches nothing.
    assert_eq!(
        list(PaknFilter {
            units: Some(vec!["u-1".into()]),
            ..filter()
        })
        .await,
        ["PAKN-B", "PAKN-A"]
    );
    assert_eq!(
        list(PaknFilter {
            units: Some(vec!["u-1".into(), "u-3".into()]),
            ..filter()
        })
        .await,
        ["PAKN-E", "PAKN-D", "PAKN-B", "PAKN-A"]
    );
    assert!(
        list(PaknFilter {
            units: Some(vec![]),
            ..filter()
        })
        .await
        .is_empty()
    );
    // Owner.
    assert_eq!(
        list(PaknFilter {
            owner_account: Some("c1".into()),
            ..filter()
        })
        .await,
        ["PAKN-D", "PAKN-A"]
    );
    // Statuses; an empty list matches nothing.
    assert_eq!(
        list(PaknFilter {
            statuses: Some(vec!["received".into(), "refused".into()]),
            ..filter()
        })
        .await,
        ["PAKN-E", "PAKN-A"]
    );
    assert!(
        list(PaknFilter {
            statuses: Some(vec![]),
            ..filter()
        })
        .await
        .is_empty()
    );
    // Flagged, both ways.
    assert_eq!(
        list(PaknFilter {
            flagged: Some(true),
            ..filter()
        })
        .await,
        ["PAKN-B"]
    );
    assert_eq!(
        list(PaknFilter {
            flagged: Some(false),
            ..filter()
        })
        .await,
        ["PAKN-E", "PAKN-C", "PAKN-D", "PAKN-A"]
    );
    // Due before: strictly before, and never those without an obligation in force.
    assert_eq!(
        list(PaknFilter {
            due_before: Some("2025-03-10T17:00:00".into()),
            ..filter()
        })
        .await,
        ["PAKN-B"]
    );
    assert_eq!(
        list(PaknFilter {
            due_before: Some("2025-03-10T17:00:01".into()),
            ..filter()
        })
        .await,
        ["PAKN-B", "PAKN-A"]
    );
    // Published: newest published first.
    assert_eq!(
        list(PaknFilter {
            published: true,
            ..filter()
        })
        .await,
        ["PAKN-D", "PAKN-C"]
    );
    // Procedure.
    assert_eq!(
        list(PaknFilter {
            procedure_code: Some("P".into()),
            ..filter()
        })
        .await,
        ["PAKN-C", "PAKN-D"]
    );
    // Words: every one must appear; `%` and `_` are plain characters.
    let words = |w: &[&str]| PaknFilter {
        published: true,
        words: w.iter().map(|s| (*s).to_owned()).collect(),
        ..filter()
    };
    assert_eq!(list(words(&["cham tre"])).await, ["PAKN-D", "PAKN-C"]);
    assert_eq!(list(words(&["cham", "dat"])).await, ["PAKN-C"]);
    assert!(list(words(&["dat", "khai sinh"])).await.is_empty());
    // Case does not matter on either backend (the folded texts are lowercase).
    assert_eq!(list(words(&["CHAM", "Dat"])).await, ["PAKN-C"]);
    assert_eq!(list(words(&["100%"])).await, ["PAKN-D"]);
    assert!(list(words(&["10%0"])).await.is_empty());
    assert!(list(words(&["h_ tich"])).await.is_empty());
    // Received range: inclusive start, exclusive end.
    assert_eq!(
        list(PaknFilter {
            received_from: Some("2025-03-02T08:00:00".into()),
            received_to: Some("2025-04-01T00:00:00".into()),
            ..filter()
        })
        .await,
        ["PAKN-C", "PAKN-D", "PAKN-B"]
    );
    assert_eq!(
        list(PaknFilter {
            received_from: Some("2025-04-01T00:00:00".into()),
            ..filter()
        })
        .await,
        ["PAKN-E"]
    );
    // Limit, and filters combined.
    assert_eq!(
        list(PaknFilter {
            limit: 2,
            ..filter()
        })
        .await,
        ["PAKN-E", "PAKN-C"]
    );
    assert_eq!(
        list(PaknFilter {
            units: Some(vec!["u-2".into(), "u-3".into()]),
            statuses: Some(vec!["answered".into()]),
            owner_account: Some("c1".into()),
            procedure_code: Some("P".into()),
            published: true,
            flagged: Some(false),
            limit: 10,
            ..filter()
        })
        .await,
        ["PAKN-D"]
    );
});

on_every_backend!(
    pakn_files_in_upload_order_with_and_without_bytes,
    |store: Store| async move {
        let code = "PAKN-F";
        let first = row(code, "u-1", "2025-03-03T08:00:00");
        let e1 = event(code, 1, "submitted", "");
        let big: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        let f1 = file("f-b", code, 1, "2025-03-03T08:00:00", &big);
        let f2 = file("f-a", code, 1, "2025-03-03T08:00:00", &[]);
        store
            .insert_pakn(&first, &e1, &[f1.clone(), f2.clone()])
            .await
            .unwrap();
        let mut next = first.clone();
        next.version = 2;
        let f3 = file("f-0", code, 2, "2025-03-02T08:00:00", b"later");
        store
            .append_pakn(
                &next,
                1,
                &event(code, 2, "info", &e1.hash),
                std::slice::from_ref(&f3),
                &[],
            )
            .await
            .unwrap();
        // Another PAKN's file is not listed.
        store
            .insert_pakn(
                &row("PAKN-G", "u-1", "2025-03-03T08:00:00"),
                &event("PAKN-G", 1, "submitted", ""),
                &[file("f-g", "PAKN-G", 1, "2025-03-03T08:00:00", b"g")],
            )
            .await
            .unwrap();

        // By event, then upload time, then id.
        assert_eq!(
            store.pakn_files(code).await.unwrap(),
            vec![f2.info.clone(), f1.info.clone(), f3.info.clone()]
        );
        assert!(store.pakn_files("PAKN-X").await.unwrap().is_empty());
        assert_eq!(
            store.pakn_file(code, "f-b").await.unwrap(),
            Some((f1.info.clone(), big))
        );
        assert_eq!(
            store.pakn_file(code, "f-a").await.unwrap(),
            Some((f2.info.clone(), Vec::new()))
        );
        // A file is found only under its own PAKN.
        assert!(store.pakn_file(code, "f-g").await.unwrap().is_none());
        assert!(store.pakn_file("PAKN-G", "f-b").await.unwrap().is_none());
        assert!(store.pakn_file(code, "f-zzz").await.unwrap().is_none());
        // A duplicate file id rolls the whole append back.
        let mut third = next.clone();
        third.version = 3;
        assert!(
            store
                .append_pakn(
                    &third,
                    2,
                    &event(code, 3, "info", "h"),
                    &[file("f-a", code, 3, "2025-03-04T08:00:00", b"dup")],
                    &[],
                )
                .await
                .is_err()
        );
        assert_eq!(store.pakn(code).await.unwrap().unwrap().version, 2);
        assert_eq!(store.pakn_events(code).await.unwrap().len(), 2);
    }
);
