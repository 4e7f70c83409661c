use crate::on_every_backend;
use cchc_domain::dossier::{
    Actor, Applicant, ApplicantKind, Channel, Dossier, Event, EventBody, EventKind, GENESIS_HASH,
};
use cchc_store::{AccountRow, DossierFilter, ProcedureRow, Store, StoreError, UnitRow};

pub(crate) fn at(s: &str) -> jiff::civil::DateTime {
    s.parse().unwrap()
}

pub(crate) fn body(code: &str, seq: u32, when: &str, kind: EventKind) -> EventBody {
    EventBody {
        dossier: code.into(),
        seq,
        at: at(when),
        actor: Actor {
            account: "a1".into(),
            name: "Cán bộ một cửa".into(),
            title: "Chuyên viên".into(),
        },
        unit: "u:1".into(),
        step_deadline: None,
        kind,
    }
}

/// The first event of a dossier received at the counter (for the outbox tests).
pub(crate) fn received_event(code: &str) -> Event {
    received(code)
}

fn received(code: &str) -> Event {
    let kind = EventKind::Received {
        procedure_code: "1.001193".into(),
        channel: Channel::Counter,
        applicant: Applicant {
            kind: ApplicantKind::Citizen,
            name: "Trần Thị Bình".into(),
            id_number: "062190000002".into(),
            phone: "0912345678".into(),
            email: String::new(),
            address: String::new(),
        },
        components: vec![],
        receiving_unit: "u:1".into(),
        competent_unit: "u:1".into(),
        limit: "5 working-days".into(),
        after_15h_next_day: false,
    };
    Event::seal(body(code, 1, "2025-03-03T08:00", kind), GENESIS_HASH).unwrap()
}

pub(crate) async fn create(store: &Store, code: &str) -> Dossier {
    let e = received(code);
    let d = Dossier::start(&e).unwrap();
    store
        .insert_dossier(
            &d,
            &e,
            "secret-hash",
            Some("citizen-1"),
            &cchc_store::Projected {
                due_at: Some(at("2025-03-10T08:00")),
                finished_late: None,
                finishes: false,
                facts: None,
                outbox: Vec::new(),
            },
            &[],
        )
        .await
        .unwrap();
    d
}

/// Appends a step the way the app does: check, seal after the last hash, store with the version.
async fn step(
    store: &Store,
    d: &mut Dossier,
    when: &str,
    kind: EventKind,
) -> Result<(), StoreError> {
    let e = Event::seal(body(&d.code, d.version + 1, when, kind), &d.last_hash).unwrap();
    let expected = d.version;
    let mut next = d.clone();
    next.apply(&e).unwrap();
    store
        .append_event(&next, &e, expected, &Default::default(), &[])
        .await?;
    *d = next;
    Ok(())
}

on_every_backend!(
    migrations_are_idempotent_and_dossier_round_trips,
    |store: Store| async move {
        let mut d = create(&store, "000.00.20.H34-250303-0001").await;
        step(
            &store,
            &mut d,
            "2025-03-03T09:00",
            EventKind::Assigned {
                officer: "a2".into(),
            },
        )
        .await
        .unwrap();
        let (back, meta) = store.dossier(&d.code).await.unwrap().unwrap();
        assert_eq!(back, d);
        assert_eq!(meta.secret_hash, "secret-hash");
        assert_eq!(meta.owner_account.as_deref(), Some("citizen-1"));
        assert!(store.dossier("nope").await.unwrap().is_none());
        let events = store.events(&d.code).await.unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(cchc_domain::dossier::verify_chain(&events), Ok(2));
    }
);

on_every_backend!(
    stale_version_is_a_conflict_and_changes_nothing,
    |store: Store| async move {
        let mut d = create(&store, "000.00.20.H34-250303-0002").await;
        let stale = d.clone();
        step(
            &store,
            &mut d,
            "2025-03-03T09:00",
            EventKind::Assigned {
                officer: "a2".into(),
            },
        )
        .await
        .unwrap();
        // A second writer that read the dossier before the first step.
        let mut loser = stale;
        let err = step(
            &store,
            &mut loser,
            "2025-03-03T09:01",
            EventKind::Assigned {
                officer: "a3".into(),
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err}");
        let (back, _) = store.dossier(&d.code).await.unwrap().unwrap();
        assert_eq!(back.assignee.as_deref(), Some("a2"));
        assert_eq!(store.events(&d.code).await.unwrap().len(), 2);
    }
);

on_every_backend!(
    dossier_codes_never_repeat_under_concurrency,
    |store: Store| async move {
        let mut tasks = Vec::new();
        for _ in 0..40 {
            let s = store.clone();
            tasks.push(tokio::spawn(async move {
                s.next_dossier_seq("000.00.20.H34", "250303").await.unwrap()
            }));
        }
        let mut got: Vec<u32> = Vec::new();
        for t in tasks {
            got.push(t.await.unwrap());
        }
        got.sort_unstable();
        assert_eq!(got, (1..=40).collect::<Vec<_>>());
        assert_eq!(
            store
                .next_dossier_seq("000.00.20.H34", "250304")
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            store
                .next_dossier_seq("000.00.21.H34", "250303")
                .await
                .unwrap(),
            1
        );
    }
);

on_every_backend!(duplicate_dossier_is_refused, |store: Store| async move {
    create(&store, "000.00.20.H34-250303-0003").await;
    let e = received("000.00.20.H34-250303-0003");
    let d = Dossier::start(&e).unwrap();
    let err = store
        .insert_dossier(&d, &e, "x", None, &Default::default(), &[])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate(_)), "{err}");
});

on_every_backend!(audit_names_an_edited_event, |store: Store| async move {
    let mut d = create(&store, "000.00.20.H34-250303-0004").await;
    step(
        &store,
        &mut d,
        "2025-03-03T09:00",
        EventKind::Assigned {
            officer: "a2".into(),
        },
    )
    .await
    .unwrap();
    create(&store, "000.00.20.H34-250303-0005").await;
    let clean = store.audit_verify().await.unwrap();
    assert_eq!(
        (clean.dossiers, clean.events, clean.broken.len()),
        (2, 3, 0)
    );
    // Someone rewrites history directly in the database.
    let n = store
        .execute_raw_for_tests(
            "UPDATE dossier_events SET canonical = REPLACE(canonical, 'a2', 'a9') \
             WHERE dossier_code = '000.00.20.H34-250303-0004' AND seq = 2",
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
    let report = store.audit_verify().await.unwrap();
    assert_eq!(report.broken.len(), 1, "{report:?}");
    assert!(
        report.broken[0].contains("000.00.20.H34-250303-0004")
            && report.broken[0].contains("sự kiện 2"),
        "{report:?}"
    );
    // Editing a column instead of the body is caught too.
    store
        .execute_raw_for_tests("UPDATE dossier_events SET at = '2025-03-04T09:00:00' WHERE dossier_code = '000.00.20.H34-250303-0005' AND seq = 1")
        .await
        .unwrap();
    assert_eq!(store.audit_verify().await.unwrap().broken.len(), 2);
});

on_every_backend!(listing_filters_and_pages, |store: Store| async move {
    for i in 1..=5 {
        create(&store, &format!("000.00.20.H34-250303-{i:04}")).await;
    }
    let all = store
        .list_dossiers(&DossierFilter {
            limit: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!((all.0, all.1.len()), (5, 2));
    let none = store
        .list_dossiers(&DossierFilter {
            units: Some(vec!["u:other".into()]),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(none.0, 0);
    let mine = store
        .list_dossiers(&DossierFilter {
            owner_account: Some("citizen-1".into()),
            status: Some(2),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(mine.0, 5);
});

fn procedure(code: &str, name: &str, fingerprint: &str) -> ProcedureRow {
    ProcedureRow {
        code: code.into(),
        name: name.into(),
        name_folded: cchc_domain_fold(name),
        level: "Cấp xã".into(),
        field: "Hộ tịch".into(),
        online_kind: "partly_online".into(),
        fee_bearing: false,
        after_15h: false,
        quality_flags: 0,
        fingerprint: fingerprint.into(),
        data: "{}".into(),
    }
}

fn cchc_domain_fold(s: &str) -> String {
    cchc_domain::text::fold(s)
}

on_every_backend!(
    procedures_upsert_idempotently_and_search,
    |store: Store| async move {
        let rows = vec![
            procedure("1.001193", "Đăng ký khai sinh", "f1"),
            procedure("1.000894", "Đăng ký kết hôn", "f2"),
        ];
        assert_eq!(store.upsert_procedures(&rows).await.unwrap(), (2, 0, 0));
        assert_eq!(store.upsert_procedures(&rows).await.unwrap(), (0, 0, 2));
        let changed = vec![procedure("1.001193", "Đăng ký khai sinh", "f1b")];
        assert_eq!(store.upsert_procedures(&changed).await.unwrap(), (0, 1, 0));
        let (n, found) = store
            .search_procedures(
                "dang ky khai sinh",
                &["dang".into(), "khai".into(), "sinh".into()],
                &Default::default(),
                10,
                0,
            )
            .await
            .unwrap();
        assert_eq!((n, found[0].code.as_str()), (1, "1.001193"));
        let (n, _) = store
            .search_procedures("1.00", &["1.00".into()], &Default::default(), 10, 0)
            .await
            .unwrap();
        assert_eq!(n, 2);
        let (n, _) = store
            .search_procedures("%", &["%".into()], &Default::default(), 10, 0)
            .await
            .unwrap();
        assert_eq!(
            n, 2,
            "LIKE wildcards in the query are literal-stripped, not injected"
        );
        // Filters: field exactly, level inside the stored level list, online kind.
        let only = |field: Option<&str>, level: Option<&str>| cchc_store::ProcedureFilter {
            field: field.map(str::to_owned),
            level: level.map(str::to_owned),
            online_kind: None,
        };
        let (n, _) = store
            .search_procedures("", &[], &only(Some("no such field"), None), 10, 0)
            .await
            .unwrap();
        assert_eq!(n, 0);
        let (n, _) = store
            .search_procedures("", &[], &only(None, Some("nowhere")), 10, 0)
            .await
            .unwrap();
        assert_eq!(n, 0);
        let fields = store.procedure_fields().await.unwrap();
        assert!(!fields.is_empty());
        let (n, _) = store
            .search_procedures("", &[], &only(Some(&fields[0].0), None), 10, 0)
            .await
            .unwrap();
        assert_eq!(n, fields[0].1);
    }
);

on_every_backend!(units_and_accounts, |store: Store| async move {
    let unit = |id: &str, parent: Option<&str>, code: &str| UnitRow {
        id: id.into(),
        kind: "commune".into(),
        name: id.into(),
        full_name: id.into(),
        gso_code: None,
        parent_id: parent.map(Into::into),
        agency_code: code.into(),
        valid_from: "2025-07-01".into(),
        valid_to: None,
        schedule: None,
        data: format!("{{\"id\":\"{id}\"}}"),
    };
    let rows = vec![
        unit("p", None, "000.00.00.H51"),
        unit("c", Some("p"), "000.01.00.H51"),
    ];
    assert_eq!(store.upsert_units(&rows).await.unwrap(), (2, 0, 0));
    assert_eq!(store.upsert_units(&rows).await.unwrap(), (0, 0, 2));
    // A unit whose parent does not exist fails the whole batch: the transaction leaves nothing.
    let broken = vec![
        unit("x", Some("p"), "000.02.00.H51"),
        unit("y", Some("missing"), "000.03.00.H51"),
    ];
    assert!(store.upsert_units(&broken).await.is_err());
    assert_eq!(store.units().await.unwrap().len(), 2);

    let account = AccountRow {
        id: "acc-1".into(),
        username: "canbo1".into(),
        display_name: "Cán bộ 1".into(),
        title: "Chuyên viên".into(),
        password_hash: "$argon2id$...".into(),
        role: "officer".into(),
        unit_id: Some("c".into()),
        created_at: "2025-07-01T08:00:00".into(),
    };
    store.insert_account(&account).await.unwrap();
    assert!(matches!(
        store.insert_account(&account).await,
        Err(StoreError::Duplicate(_))
    ));
    assert_eq!(
        store.account_by_username("canbo1").await.unwrap(),
        Some(account.clone())
    );
    store
        .insert_token("th", "acc-1", "2025-07-01T08:00:00", "2025-07-02T08:00:00")
        .await
        .unwrap();
    assert!(
        store
            .account_by_token("th", "2025-07-01T09:00:00")
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .account_by_token("th", "2025-07-03T09:00:00")
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert!(
        store
            .account_by_token("other", "2025-07-01T09:00:00")
            .await
            .unwrap()
            .is_none()
    );
});

on_every_backend!(
    a_finished_dossier_is_counted_once_in_the_daily_rollup,
    |store: Store| async move {
        for (code, late) in [
            ("000.00.20.H34-250303-0001", true),
            ("000.00.20.H34-250303-0002", false),
        ] {
            let mut d = create(&store, code).await;
            let finishing = |finishes| cchc_store::Projected {
                due_at: Some(at("2025-03-10T08:00")),
                finished_late: Some(late),
                finishes,
                facts: None,
                outbox: Vec::new(),
            };
            for (seq_when, kind) in [
                (
                    "2025-03-12T10:00",
                    EventKind::Decided {
                        outcome: cchc_domain::dossier::Outcome::Approved,
                        note: String::new(),
                        results: vec![cchc_domain::dossier::ResultDoc {
                            name: "Kết quả".into(),
                            electronic: true,
                            file_ref: None,
                        }],
                    },
                ),
                (
                    "2025-03-12T15:00",
                    EventKind::Returned {
                        method: Channel::Counter,
                    },
                ),
            ] {
                let e = Event::seal(body(&d.code, d.version + 1, seq_when, kind), &d.last_hash)
                    .unwrap();
                let mut next = d.clone();
                next.apply(&e).unwrap();
                let finishes = d.finished_at().is_none() && next.finished_at().is_some();
                store
                    .append_event(&next, &e, d.version, &finishing(finishes), &[])
                    .await
                    .unwrap();
                d = next;
            }
        }
        let rows = store
            .finished_by_unit("2025-03-01", "2025-04-01")
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].unit.as_str(), rows[0].finished, rows[0].late),
            ("u:1", 2, 1)
        );
        // Another period holds nothing.
        assert!(
            store
                .finished_by_unit("2025-04-01", "2025-05-01")
                .await
                .unwrap()
                .is_empty()
        );
    }
);

pub(crate) fn facts(
    code: &str,
    end: Option<&str>,
    used_cd: i64,
) -> cchc_domain::indicator::DossierFacts {
    use cchc_domain::indicator::{DossierFacts, EndKind, FinishVerdict};
    let day = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
    DossierFacts {
        code: code.into(),
        unit: "u:1".into(),
        procedure: "1.001193".into(),
        received_day: Some(day("2025-03-03")),
        end: end.map(|_| EndKind::Decided),
        end_day: end.map(day),
        late_from: Some(day("2025-03-10")),
        verdict: end.map(|_| FinishVerdict::Late),
        online: true,
        full_online_proc: false,
        fee_bearing: true,
        paid_online: true,
        digitised: false,
        reused: false,
        synced: false,
        electronic_result: true,
        supplement_requests: 2,
        used_cd,
        limit_cd: 500,
        rating: end.map(|_| 5),
    }
}

on_every_backend!(
    facts_and_rollups_follow_each_event,
    |store: Store| async move {
        use cchc_domain::indicator::Measure;
        let day = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
        let with = |f| cchc_store::Projected {
            due_at: Some(at("2025-03-10T08:00")),
            finished_late: None,
            finishes: false,
            facts: Some(f),
            outbox: Vec::new(),
        };
        // Two dossiers: one finishes late on 12/03, one stays open (late from 10/03).
        let mut finished = create(&store, "000.00.20.H34-250303-0001").await;
        let open = create(&store, "000.00.20.H34-250303-0002").await;
        for d in [open.clone(), finished.clone()] {
            let f = facts(&d.code, None, 0);
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
                .append_event(&next, &e, d.version, &with(f), &[])
                .await
                .unwrap();
            if d.code == finished.code {
                finished = next;
            }
        }
        // Sums far beyond 32 bits must survive (PostgreSQL SUM of BIGINT is NUMERIC).
        let big = 3_000_000_000;
        let e = Event::seal(
            body(
                &finished.code,
                finished.version + 1,
                "2025-03-12T10:00",
                EventKind::Decided {
                    outcome: cchc_domain::dossier::Outcome::Approved,
                    note: String::new(),
                    results: vec![cchc_domain::dossier::ResultDoc {
                        name: "Kết quả".into(),
                        electronic: true,
                        file_ref: None,
                    }],
                },
            ),
            &finished.last_hash,
        )
        .unwrap();
        let mut next = finished.clone();
        next.apply(&e).unwrap();
        store
            .append_event(
                &next,
                &e,
                finished.version,
                &with(facts(&finished.code, Some("2025-03-12"), big)),
                &[],
            )
            .await
            .unwrap();

        let month = store.month_flows("2025-03", "2025-03").await.unwrap();
        let m = month.get("u:1").copied().unwrap();
        assert_eq!(m[Measure::Received], 2);
        assert_eq!(m[Measure::ReceivedOnline], 2);
        assert_eq!(m[Measure::FeePaidOnline], 2);
        assert_eq!(m[Measure::Finished], 1);
        assert_eq!(m[Measure::FinishedLate], 1);
        assert_eq!(m[Measure::UsedCentidays], big);
        assert_eq!(m[Measure::RatedSatisfied], 1);
        let stocks = store.month_stocks("2025-03").await.unwrap();
        let s = stocks.get("u:1").copied().unwrap();
        assert_eq!((s[Measure::OpenAtEnd], s[Measure::LateOpenAtEnd]), (1, 1));
        assert!(store.month_stocks("2025-02").await.unwrap().is_empty());
        // Days: on 11/03 both were open and late; the finish on 12/03 takes one away.
        let days = store
            .day_measures(day("2025-03-01"), day("2025-03-11"))
            .await
            .unwrap();
        let d = days.get("u:1").copied().unwrap();
        assert_eq!((d[Measure::OpenAtEnd], d[Measure::LateOpenAtEnd]), (2, 2));
        assert_eq!(d[Measure::Finished], 0);
        let by_proc = store
            .procedure_measures(&["u:1".to_owned()], day("2025-03-01"), day("2025-03-31"))
            .await
            .unwrap();
        assert_eq!(by_proc.len(), 1);
        assert_eq!(by_proc[0].1[Measure::Finished], 1);

        // The facts read back as written; the drill-down finds both dossiers.
        let listed = store
            .facts_in(
                &["u:1".to_owned()],
                day("2025-03-01"),
                day("2025-03-31"),
                10,
            )
            .await
            .unwrap();
        assert_eq!(listed.len(), 2);
        assert!(listed.contains(&facts(&finished.code, Some("2025-03-12"), big)));

        // Rebuilding from the facts gives the same daily rows.
        let kept = store.daily_rows().await.unwrap();
        store.clear_rollups().await.unwrap();
        assert!(store.daily_rows().await.unwrap().is_empty());
        let mut rebuilt = Vec::new();
        for f in store.facts_page("", 100).await.unwrap() {
            rebuilt.extend(cchc_domain::indicator::DossierFacts::diff(None, Some(&f)));
        }
        store.add_rollups(&rebuilt).await.unwrap();
        assert_eq!(store.daily_rows().await.unwrap(), kept);

        // Replacing the rollups with the same rows differs by none, also when deltas that
        // cancel out leave a row of zeros under a new key (a zero row counts as absent).
        let first = rebuilt[0].clone();
        let mut minus = cchc_domain::indicator::Measures::default();
        minus -= first.measures;
        let elsewhere = |measures| cchc_domain::indicator::RollupDelta {
            day: day("2030-01-02"),
            measures,
            ..first.clone()
        };
        let mut same = rebuilt.clone();
        same.extend([elsewhere(first.measures), elsewhere(minus)]);
        assert_eq!(store.replace_rollups(&same).await.unwrap(), 0);
        assert_eq!(store.daily_rows().await.unwrap(), kept);
        // One row changed: one differs. Clearing differs by every kept row.
        let mut changed = rebuilt.clone();
        changed.push(first.clone());
        assert_eq!(store.replace_rollups(&changed).await.unwrap(), 1);
        assert_eq!(store.replace_rollups(&[]).await.unwrap(), kept.len() as u64);
        assert!(store.daily_rows().await.unwrap().is_empty());
        assert_eq!(
            store.replace_rollups(&rebuilt).await.unwrap(),
            kept.len() as u64
        );
        assert_eq!(store.daily_rows().await.unwrap(), kept);
        assert_eq!(
            store.month_flows("2025-03", "2025-03").await.unwrap(),
            month
        );

        // A period closes once.
        let row = cchc_store::ClosedPeriodRow {
            period: "2025-03".into(),
            closed_at: "2025-04-01T08:00:00".into(),
            closed_by: "qt".into(),
            set_version: "v".into(),
            set_fingerprint: "f".into(),
            data_fingerprint: "d".into(),
            results: "{}".into(),
        };
        store.close_period(&row).await.unwrap();
        assert!(store.close_period(&row).await.is_err());
        assert_eq!(store.closed_period("2025-03").await.unwrap(), Some(row));
    }
);

on_every_backend!(
    handlers_runs_and_adjustments_keep_their_rules,
    |store: Store| async move {
        // Assigning twice and deciding make two handlers, each counted once in its year.
        let mut d = create(&store, "000.00.20.H34-250303-0009").await;
        for (when, officer) in [("2025-03-03T09:00", "a2"), ("2025-03-03T10:00", "a2")] {
            step(
                &store,
                &mut d,
                when,
                EventKind::Assigned {
                    officer: officer.into(),
                },
            )
            .await
            .unwrap();
        }
        // Discipline and initiatives with their documents, read back by year on every backend.
        let doc = cchc_store::DocFile {
            file_name: "qd.pdf".into(),
            content_type: "application/pdf".into(),
            content: b"%PDF-1.4".to_vec(),
        };
        for (is_discipline, id, day) in [(true, "k1", "2025-04-01"), (false, "s1", "2025-10-02")] {
            store
                .add_record(
                    is_discipline,
                    &cchc_store::RecordRow {
                        id: id.into(),
                        account: "a2".into(),
                        what: "Khiển trách".into(),
                        decision: "QĐ 1".into(),
                        day: day.into(),
                        reform_related: is_discipline,
                        unit: "u:1".into(),
                        file_name: "qd.pdf".into(),
                        entered_by: "t".into(),
                        entered_at: "2025-10-03T00:00:00".into(),
                    },
                    &doc,
                )
                .await
                .unwrap();
        }
        let first = jiff::civil::date(2025, 1, 1);
        let last = jiff::civil::date(2025, 12, 31);
        let k = store.records_between(true, first, last).await.unwrap();
        assert_eq!((k.len(), k[0].reform_related), (1, true));
        let i = store.records_between(false, first, last).await.unwrap();
        assert_eq!(
            (i.len(), i[0].reform_related, i[0].day.as_str()),
            (1, false, "2025-10-02")
        );
        assert_eq!(
            store
                .record_file(cchc_store::RecordTable::Initiative, "s1")
                .await
                .unwrap()
                .map(|d| d.content),
            Some(b"%PDF-1.4".to_vec())
        );
        let handled = store.handled_in_year(2025).await.unwrap();
        assert_eq!(handled.get("a2"), Some(&1));
        assert!(store.handled_in_year(2024).await.unwrap().is_empty());

        store
            .insert_movement(&cchc_store::MovementRow {
                code: "m1".into(),
                title: "Phong trào".into(),
                plan_number: "42/KH-UBND".into(),
                plan_date: "2023-01-06".into(),
                issuer: "UBND tỉnh".into(),
                first_year: 2023,
                last_year: 2030,
                unit_kinds: "commune".into(),
                content_areas: "[]".into(),
                criteria: "x@1".into(),
                created_by: "t".into(),
                created_at: "2025-01-01T00:00:00".into(),
            })
            .await
            .unwrap();
        let run = |id: &str| cchc_store::RunRow {
            id: id.into(),
            movement: "m1".into(),
            year: 2024,
            criteria: "x@1".into(),
            judged_on: "2024-12-31".into(),
            evaluated_by: "t".into(),
            evaluated_at: format!("2025-01-0{}T00:00:00", id.len()),
            result: "{}".into(),
            fingerprint: "f".into(),
            status: "draft".into(),
            approved_by: None,
            approved_at: None,
        };
        store.insert_run(&run("r1")).await.unwrap();
        let adj = cchc_store::AdjustmentRow {
            run: "r1".into(),
            seq: 0,
            subject_kind: "collective".into(),
            subject: "u:1".into(),
            criterion: "TT2".into(),
            from_verdict: "no_data".into(),
            to_verdict: "met".into(),
            reason: "Theo quyết định công bố".into(),
            by_account: "t".into(),
            at: "2025-01-02T00:00:00".into(),
        };
        assert_eq!(store.add_adjustment(&adj).await.unwrap(), 1);
        assert_eq!(store.add_adjustment(&adj).await.unwrap(), 2);
        // A new evaluation supersedes the draft and takes its adjustments along.
        store.insert_run(&run("r22")).await.unwrap();
        assert_eq!(store.run("r1").await.unwrap().unwrap().status, "superseded");
        assert_eq!(store.adjustments("r22").await.unwrap().len(), 2);
        assert_eq!(
            store.current_run("m1", 2024).await.unwrap().map(|r| r.id),
            Some("r22".into())
        );
        // Approved: no adjustment, no new run, no second approval.
        // An adjustment the approver did not see refuses the approval.
        assert!(
            store
                .approve_run("r22", "{}", "g", "t", "2025-01-03T00:00:00", 1)
                .await
                .is_err()
        );
        store
            .approve_run("r22", "{}", "g", "t", "2025-01-03T00:00:00", 2)
            .await
            .unwrap();
        assert!(matches!(
            store
                .add_adjustment(&cchc_store::AdjustmentRow {
                    run: "r22".into(),
                    ..adj.clone()
                })
                .await,
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            store.insert_run(&run("r333")).await,
            Err(StoreError::Duplicate(_))
        ));
        assert!(
            store
                .approve_run("r22", "{}", "g", "t", "x", 2)
                .await
                .is_err()
        );
        assert_eq!(store.adjustments("r22").await.unwrap().len(), 2);
    }
);
