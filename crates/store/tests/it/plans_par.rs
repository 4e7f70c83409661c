//! The contract of plans and tasks (`plans.rs`) and of PAR INDEX scorecards (`par_index.rs`):
//! round trips of every field, the orderings the functions promise, duplicates and conflicts.

use crate::on_every_backend;
use cchc_store::{
    NewPlanFile, ObligationRow, ParCardRow, ParCardWrite, ParEvidenceInfo, ParItemRow,
    ParNewEvidence, PlanCounts, PlanFileInfo, PlanRow, PlanRowsBulk, ProgressRow, Store,
    StoreError, SubmissionRow, TaskRow, TaskUpdate,
};

// ---- plans: builders ---------------------------------------------------------------------

fn plan(id: &str, last_year: i64, signed_on: Option<&str>) -> PlanRow {
    PlanRow {
        id: id.into(),
        number: format!("{id}/KH-UBND"),
        signed_on: signed_on.map(Into::into),
        issuer: "UBND tỉnh".into(),
        period: format!("{}-{last_year}", last_year - 1),
        first_year: last_year - 1,
        last_year,
        title: format!("Kế hoạch cải cách hành chính {id}"),
        note: "ghi chú".into(),
        source: "admin".into(),
        created_by: "acc-1".into(),
        created_at: "2025-01-02T08:30:00".into(),
    }
}

fn task(id: &str, plan_id: &str, lead: &str, deadline: &str, status: &str) -> TaskRow {
    TaskRow {
        id: id.into(),
        plan_id: plan_id.into(),
        seq: 99,
        area: "the-che".into(),
        title: format!("Nhiệm vụ {id}"),
        lead_unit: lead.into(),
        support_units: "u-x u-y".into(),
        output: "Báo cáo".into(),
        deadline: deadline.into(),
        deadline_rule: String::new(),
        status: status.into(),
        done_on: None,
        percent: 0,
        updated_at: "2025-01-03T09:00:00".into(),
    }
}

fn file(id: &str, owner: &str, parent: &str, at: &str, content: &[u8]) -> NewPlanFile {
    NewPlanFile {
        info: PlanFileInfo {
            id: id.into(),
            owner: owner.into(),
            parent: parent.into(),
            file_name: format!("{id}.pdf"),
            content_type: "application/pdf".into(),
            size_bytes: i64::try_from(content.len()).unwrap(),
            sha256: format!("sha-{id}"),
            uploaded_by: "acc-2".into(),
            uploaded_at: at.into(),
        },
        content: content.to_vec(),
    }
}

fn obligation(id: &str, unit: &str, period_key: &str, due: &str) -> ObligationRow {
    ObligationRow {
        id: id.into(),
        unit: unit.into(),
        cycle: "quy".into(),
        period_key: period_key.into(),
        label: format!("Báo cáo {period_key}"),
        due: due.into(),
        submitted_on: None,
        complete: None,
    }
}

fn submission(id: &str, obligation_id: &str, at: &str) -> SubmissionRow {
    SubmissionRow {
        id: id.into(),
        obligation_id: obligation_id.into(),
        submitted_at: at.into(),
        submitted_by: "acc-3".into(),
        note: format!("nộp {id}"),
        complete: None,
        review_note: String::new(),
        reviewed_by: None,
        reviewed_at: None,
    }
}

fn ids<T>(rows: &[T], id: impl Fn(&T) -> &str) -> Vec<String> {
    rows.iter().map(|r| id(r).to_owned()).collect()
}

// ---- plans -------------------------------------------------------------------------------

on_every_backend!(
    plans_round_trip_newest_first_and_refuse_duplicates,
    |store: Store| async move {
        assert!(store.plans().await.unwrap().is_empty());
        let a = plan("p-a", 2025, Some("2025-01-10"));
        let b = plan("p-b", 2025, None);
        let c = plan("p-c", 2026, Some("2024-12-30"));
        let d = plan("p-d", 2025, Some("2025-01-10"));
        let mut e = plan("p-e", 2024, Some("2025-06-01"));
        e.number = String::new();
        e.note = String::new();
        for p in [&b, &a, &e, &d, &c] {
            store.insert_plan(p).await.unwrap();
        }
        // Last year first, then the signing day (none last), then the id.
        let all = store.plans().await.unwrap();
        assert_eq!(
            ids(&all, |p| &p.id),
            ["p-c", "p-a", "p-d", "p-b", "p-e"].map(String::from)
        );
        assert_eq!(all[0], c);
        for p in [&a, &b, &c, &d, &e] {
            assert_eq!(store.plan(&p.id).await.unwrap().as_ref(), Some(p));
        }
        assert!(store.plan("p-none").await.unwrap().is_none());

        let mut again = plan("p-a", 2030, None);
        again.title = "khác".into();
        let err = store.insert_plan(&again).await.unwrap_err();
        assert!(matches!(err, StoreError::Duplicate(_)), "{err:?}");
        assert_eq!(store.plan("p-a").await.unwrap(), Some(a));
        assert_eq!(store.plans().await.unwrap().len(), 5);
    }
);

on_every_backend!(
    tasks_get_their_seq_and_list_in_promised_orders,
    |store: Store| async move {
        let err = store
            .add_task(&task(
                "t-0",
                "p-none",
                "u-1",
                "2025-03-01",
                "chua-thuc-hien",
            ))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");

        store
            .insert_plan(&plan("p-1", 2025, Some("2025-01-10")))
            .await
            .unwrap();
        store.insert_plan(&plan("p-2", 2025, None)).await.unwrap();

        let mut t1 = task("t-1", "p-1", "u-1", "2025-03-31", "chua-thuc-hien");
        t1.deadline_rule = "30 ngày làm việc kể từ 10/01/2025".into();
        let mut t2 = task("t-2", "p-1", "u-2", "2025-02-28", "hoan-thanh");
        t2.done_on = Some("2025-02-20".into());
        t2.percent = 100;
        let mut t3 = task("t-3", "p-1", "u-1", "2025-02-28", "dang-thuc-hien");
        t3.percent = 40;
        let t4 = task("t-4", "p-2", "u-1", "2025-02-28", "huy");
        let t5 = task("t-5", "p-2", "u-2", "2025-04-01", "chua-thuc-hien");
        let t6 = task("t-6", "p-2", "u-1", "2025-01-15", "dang-thuc-hien");

        let mut seqs = Vec::new();
        for t in [&t1, &t2, &t3, &t4, &t5, &t6] {
            seqs.push(store.add_task(t).await.unwrap());
        }
        assert_eq!(seqs, [1, 2, 3, 1, 2, 3]);

        // A duplicate id is refused and does not take a seq.
        let err = store
            .add_task(&task("t-1", "p-2", "u-9", "2025-09-09", "chua-thuc-hien"))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Duplicate(_)), "{err:?}");
        let t7 = task("t-7", "p-2", "u-3", "2025-12-31", "chua-thuc-hien");
        assert_eq!(store.add_task(&t7).await.unwrap(), 4);

        let stored = |t: &TaskRow, seq: i64| TaskRow { seq, ..t.clone() };
        assert_eq!(store.task("t-1").await.unwrap(), Some(stored(&t1, 1)));
        assert_eq!(store.task("t-2").await.unwrap(), Some(stored(&t2, 2)));
        assert_eq!(store.task("t-6").await.unwrap(), Some(stored(&t6, 3)));
        assert!(store.task("t-none").await.unwrap().is_none());

        let p1 = store.plan_tasks("p-1").await.unwrap();
        assert_eq!(p1, vec![stored(&t1, 1), stored(&t2, 2), stored(&t3, 3)]);
        let p2 = store.plan_tasks("p-2").await.unwrap();
        assert_eq!(
            ids(&p2, |t| &t.id),
            ["t-4", "t-5", "t-6", "t-7"].map(String::from)
        );
        assert!(store.plan_tasks("p-none").await.unwrap().is_empty());

        // By deadline, then id, with the plan's number.
        let led = store.tasks_led_by("u-1").await.unwrap();
        let led_ids: Vec<_> = led
            .iter()
            .map(|(t, n)| (t.id.as_str(), n.as_str()))
            .collect();
        assert_eq!(
            led_ids,
            [
                ("t-6", "p-2/KH-UBND"),
                ("t-3", "p-1/KH-UBND"),
                ("t-4", "p-2/KH-UBND"),
                ("t-1", "p-1/KH-UBND"),
            ]
        );
        assert_eq!(led[3].0, stored(&t1, 1));
        assert!(store.tasks_led_by("u-none").await.unwrap().is_empty());

        // Open (not done, not cancelled), deadline on or before the day, by deadline then id.
        let open = store.open_tasks_until("2025-03-31").await.unwrap();
        let open_ids: Vec<_> = open
            .iter()
            .map(|(t, n)| (t.id.as_str(), n.as_str()))
            .collect();
        assert_eq!(
            open_ids,
            [
                ("t-6", "p-2/KH-UBND"),
                ("t-3", "p-1/KH-UBND"),
                ("t-1", "p-1/KH-UBND"),
            ]
        );
        assert_eq!(open[1].0, stored(&t3, 3));
        let open = store.open_tasks_until("2025-03-30").await.unwrap();
        assert_eq!(open.len(), 2);
        assert!(
            store
                .open_tasks_until("2025-01-14")
                .await
                .unwrap()
                .is_empty()
        );

        // Deadline in from..=to, by lead unit, deadline, id.
        let due = store
            .tasks_due_between("2025-02-28", "2025-04-01")
            .await
            .unwrap();
        let due_ids: Vec<_> = due
            .iter()
            .map(|(t, n)| (t.id.as_str(), n.as_str()))
            .collect();
        assert_eq!(
            due_ids,
            [
                ("t-3", "p-1/KH-UBND"),
                ("t-4", "p-2/KH-UBND"),
                ("t-1", "p-1/KH-UBND"),
                ("t-2", "p-1/KH-UBND"),
                ("t-5", "p-2/KH-UBND"),
            ]
        );
        assert_eq!(due[3].0, stored(&t2, 2));
        assert!(
            store
                .tasks_due_between("2025-02-01", "2025-02-27")
                .await
                .unwrap()
                .is_empty()
        );

        // Overdue: open with a deadline strictly before the day.
        let mut counts = store.plan_counts("2025-03-01").await.unwrap();
        counts.sort_by(|a, b| a.plan_id.cmp(&b.plan_id));
        assert_eq!(
            counts,
            vec![
                PlanCounts {
                    plan_id: "p-1".into(),
                    tasks: 3,
                    done: 1,
                    overdue: 1,
                },
                PlanCounts {
                    plan_id: "p-2".into(),
                    tasks: 4,
                    done: 0,
                    overdue: 1,
                },
            ]
        );
        let mut counts = store.plan_counts("2025-02-28").await.unwrap();
        counts.sort_by(|a, b| a.plan_id.cmp(&b.plan_id));
        assert_eq!(counts.iter().map(|c| c.overdue).collect::<Vec<_>>(), [0, 1]);
        // A plan without tasks has no counts.
        store.insert_plan(&plan("p-3", 2025, None)).await.unwrap();
        assert_eq!(store.plan_counts("2025-03-01").await.unwrap().len(), 2);
    }
);

on_every_backend!(
    progress_updates_its_task_with_files_in_one_transaction,
    |store: Store| async move {
        store.insert_plan(&plan("p-1", 2025, None)).await.unwrap();
        let t = task("t-1", "p-1", "u-1", "2025-06-30", "chua-thuc-hien");
        store.add_task(&t).await.unwrap();
        store
            .add_task(&task("t-2", "p-1", "u-1", "2025-06-30", "chua-thuc-hien"))
            .await
            .unwrap();

        let first = ProgressRow {
            id: "g-1".into(),
            task_id: "t-1".into(),
            reported_at: "2025-02-01T10:00:00".into(),
            reported_by: "acc-2".into(),
            percent: 30,
            body: "Đã xây dựng dự thảo".into(),
            status: "dang-thuc-hien".into(),
        };
        let files = [
            file("f-2", "g-1", "t-1", "2025-02-01T10:00:00", b"second"),
            file("f-1", "g-1", "t-1", "2025-02-01T10:00:00", b"first"),
        ];
        store
            .record_progress(
                &first,
                &TaskUpdate {
                    status: "dang-thuc-hien".into(),
                    done_on: None,
                    percent: 30,
                    updated_at: "2025-02-01T10:00:00".into(),
                },
                &files,
            )
            .await
            .unwrap();
        let second = ProgressRow {
            id: "g-2".into(),
            reported_at: "2025-03-05T16:45:00".into(),
            percent: 100,
            body: "Hoàn thành".into(),
            status: "hoan-thanh".into(),
            ..first.clone()
        };
        // Same instant as the second: the id breaks the tie (newest first: g-3 before g-2).
        let third = ProgressRow {
            id: "g-3".into(),
            ..second.clone()
        };
        let early_file = file("f-0", "g-2", "t-1", "2025-01-31T23:59:59", &[0, 1, 2, 255]);
        store
            .record_progress(
                &second,
                &TaskUpdate {
                    status: "hoan-thanh".into(),
                    done_on: Some("2025-03-05".into()),
                    percent: 100,
                    updated_at: "2025-03-05T16:45:00".into(),
                },
                std::slice::from_ref(&early_file),
            )
            .await
            .unwrap();
        let done = TaskUpdate {
            status: "hoan-thanh".into(),
            done_on: Some("2025-03-05".into()),
            percent: 100,
            updated_at: "2025-03-05T16:46:00".into(),
        };
        store.record_progress(&third, &done, &[]).await.unwrap();

        let back = store.task("t-1").await.unwrap().unwrap();
        assert_eq!(
            back,
            TaskRow {
                seq: 1,
                status: "hoan-thanh".into(),
                done_on: Some("2025-03-05".into()),
                percent: 100,
                updated_at: "2025-03-05T16:46:00".into(),
                ..t.clone()
            }
        );
        assert_eq!(
            store.task_progress("t-1").await.unwrap(),
            vec![third.clone(), second.clone(), first.clone()]
        );
        assert!(store.task_progress("t-2").await.unwrap().is_empty());

        // In upload order, then id.
        let listed = store.plan_files("t-1").await.unwrap();
        assert_eq!(
            listed,
            vec![
                early_file.info.clone(),
                files[1].info.clone(),
                files[0].info.clone()
            ]
        );
        let (info, bytes) = store.plan_file("f-0").await.unwrap().unwrap();
        assert_eq!(info, early_file.info);
        assert_eq!(bytes, vec![0, 1, 2, 255]);
        assert_eq!(store.plan_file("f-2").await.unwrap().unwrap().1, b"second");
        assert!(store.plan_file("f-none").await.unwrap().is_none());
        assert!(store.plan_files("t-2").await.unwrap().is_empty());

        // A missing task: not found, nothing written.
        let orphan = ProgressRow {
            id: "g-9".into(),
            task_id: "t-none".into(),
            ..first.clone()
        };
        let err = store
            .record_progress(
                &orphan,
                &done,
                &[file("f-9", "g-9", "t-none", "2025-04-01T00:00:00", b"x")],
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
        assert!(store.task_progress("t-none").await.unwrap().is_empty());
        assert!(store.plan_file("f-9").await.unwrap().is_none());

        // A progress id used already fails, and the task is left as it was.
        let reused = ProgressRow {
            task_id: "t-2".into(),
            ..first.clone()
        };
        assert!(
            store
                .record_progress(
                    &reused,
                    &TaskUpdate {
                        status: "hoan-thanh".into(),
                        done_on: Some("2025-04-01".into()),
                        percent: 100,
                        updated_at: "2025-04-01T00:00:00".into(),
                    },
                    &[],
                )
                .await
                .is_err()
        );
        let t2 = store.task("t-2").await.unwrap().unwrap();
        assert_eq!(t2.status, "chua-thuc-hien");
        assert_eq!(t2.done_on, None);
        assert_eq!(t2.percent, 0);
        assert!(store.task_progress("t-2").await.unwrap().is_empty());

        // A file id used already rolls back the progress report and the task update.
        let g5 = ProgressRow {
            id: "g-5".into(),
            task_id: "t-2".into(),
            ..first.clone()
        };
        assert!(
            store
                .record_progress(
                    &g5,
                    &done,
                    &[file("f-1", "g-5", "t-2", "2025-04-01T00:00:00", b"again")],
                )
                .await
                .is_err()
        );
        assert_eq!(store.task("t-2").await.unwrap().unwrap(), t2);
        assert!(store.task_progress("t-2").await.unwrap().is_empty());
        assert_eq!(store.plan_file("f-1").await.unwrap().unwrap().1, b"first");
    }
);

// ---- reports -----------------------------------------------------------------------------

on_every_backend!(
    obligations_round_trip_list_and_refuse_duplicates,
    |store: Store| async move {
        let mut q1 = obligation("o-1", "u-1", "2025-Q1", "2025-03-15");
        q1.submitted_on = Some("2025-03-10".into());
        q1.complete = Some(true);
        let mut h1 = obligation("o-2", "u-1", "2025-H1", "2025-06-15");
        h1.cycle = "6-thang".into();
        h1.submitted_on = Some("2025-06-20".into());
        h1.complete = Some(false);
        let q2 = obligation("o-3", "u-1", "2025-Q2", "2025-06-15");
        let mut y = obligation("o-4", "u-2", "2025", "2025-12-15");
        y.cycle = "nam".into();
        y.submitted_on = Some("2025-12-01".into());
        let other = obligation("o-5", "u-2", "2025-Q1", "2025-03-15");
        let late = obligation("o-0", "u-2", "2025-Q2", "2025-06-15");
        store
            .insert_obligations(&[y.clone(), q2.clone(), q1.clone(), h1.clone()])
            .await
            .unwrap();
        store
            .insert_obligations(&[other.clone(), late.clone()])
            .await
            .unwrap();
        store.insert_obligations(&[]).await.unwrap();

        for o in [&q1, &h1, &q2, &y, &other, &late] {
            assert_eq!(store.obligation(&o.id).await.unwrap().as_ref(), Some(o));
        }
        assert!(store.obligation("o-none").await.unwrap().is_none());

        // By due date, then id.
        assert_eq!(
            store.obligations_of("u-1").await.unwrap(),
            vec![q1.clone(), h1.clone(), q2.clone()]
        );
        assert_eq!(
            store.obligations_of("u-2").await.unwrap(),
            vec![other.clone(), late.clone(), y.clone()]
        );
        assert!(store.obligations_of("u-none").await.unwrap().is_empty());

        // Due in from..=to, by unit, due, id.
        assert_eq!(
            store
                .obligations_due_between("2025-03-15", "2025-06-15")
                .await
                .unwrap(),
            vec![
                q1.clone(),
                h1.clone(),
                q2.clone(),
                other.clone(),
                late.clone()
            ]
        );
        assert_eq!(
            store
                .obligations_due_between("2025-03-16", "2025-12-15")
                .await
                .unwrap(),
            vec![h1.clone(), q2.clone(), late.clone(), y.clone()]
        );

        // Nothing submitted, or found incomplete; by due, unit, id. A submission not yet
        // reviewed (complete None) is not pending.
        assert_eq!(
            store.obligations_pending_until("2025-06-15").await.unwrap(),
            vec![other.clone(), h1.clone(), q2.clone(), late.clone()]
        );
        assert_eq!(
            store.obligations_pending_until("2025-06-14").await.unwrap(),
            vec![other.clone()]
        );
        assert_eq!(
            store
                .obligations_pending_until("2025-12-31")
                .await
                .unwrap()
                .len(),
            4
        );

        // The same unit and period again (another id) is a duplicate, and the batch is undone.
        let fresh = obligation("o-6", "u-3", "2025-Q1", "2025-03-15");
        let dup = obligation("o-7", "u-1", "2025-Q1", "2025-04-01");
        let err = store
            .insert_obligations(&[fresh.clone(), dup])
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Duplicate(_)), "{err:?}");
        assert!(store.obligation("o-6").await.unwrap().is_none());
        assert!(store.obligation("o-7").await.unwrap().is_none());
        // The same id again is a duplicate too.
        let err = store
            .insert_obligations(&[obligation("o-1", "u-9", "2026-Q1", "2026-03-15")])
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Duplicate(_)), "{err:?}");
        assert_eq!(store.obligation("o-1").await.unwrap(), Some(q1));
    }
);

on_every_backend!(
    submissions_and_reviews_move_the_obligation,
    |store: Store| async move {
        let o = obligation("o-1", "u-1", "2025-Q1", "2025-03-15");
        let o2 = obligation("o-2", "u-1", "2025-Q2", "2025-06-15");
        let o3 = obligation("o-3", "u-2", "2025-Q1", "2025-03-15");
        store
            .insert_obligations(&[o.clone(), o2.clone(), o3.clone()])
            .await
            .unwrap();

        let err = store
            .submit_report(&submission("s-0", "o-none", "2025-03-01T08:00:00"), None)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
        assert!(store.submissions_of("o-none").await.unwrap().is_empty());

        let s1 = submission("s-1", "o-1", "2025-03-10T08:00:00");
        let f1 = file("f-1", "s-1", "o-1", "2025-03-10T08:00:00", b"bao cao quy 1");
        store.submit_report(&s1, Some(&f1)).await.unwrap();
        let after = store.obligation("o-1").await.unwrap().unwrap();
        assert_eq!(after.submitted_on.as_deref(), Some("2025-03-10"));
        assert_eq!(after.complete, None);
        assert_eq!(store.submissions_of("o-1").await.unwrap(), vec![s1.clone()]);
        assert_eq!(
            store.plan_files("o-1").await.unwrap(),
            vec![f1.info.clone()]
        );
        assert_eq!(
            store.plan_file("f-1").await.unwrap().unwrap().1,
            b"bao cao quy 1"
        );
        assert_eq!(
            store.obligations_pending_until("2025-03-31").await.unwrap(),
            vec![o3.clone()]
        );

        // Found incomplete: pending again, and on both rows.
        store
            .review_submission(
                "o-1",
                "s-1",
                false,
                "Thiếu phụ lục",
                "acc-9",
                "2025-03-12T14:00:00",
            )
            .await
            .unwrap();
        let reviewed = SubmissionRow {
            complete: Some(false),
            review_note: "Thiếu phụ lục".into(),
            reviewed_by: Some("acc-9".into()),
            reviewed_at: Some("2025-03-12T14:00:00".into()),
            ..s1.clone()
        };
        assert_eq!(
            store.submissions_of("o-1").await.unwrap(),
            vec![reviewed.clone()]
        );
        assert_eq!(
            store.obligation("o-1").await.unwrap().unwrap().complete,
            Some(false)
        );
        assert_eq!(
            store.obligations_pending_until("2025-03-31").await.unwrap(),
            vec![
                ObligationRow {
                    submitted_on: Some("2025-03-10".into()),
                    complete: Some(false),
                    ..o.clone()
                },
                o3.clone()
            ]
        );

        // A new submission (no file) becomes the latest and clears the verdict.
        let s2 = submission("s-2", "o-1", "2025-03-14T17:30:00");
        store.submit_report(&s2, None).await.unwrap();
        let after = store.obligation("o-1").await.unwrap().unwrap();
        assert_eq!(after.submitted_on.as_deref(), Some("2025-03-14"));
        assert_eq!(after.complete, None);
        // Newest first; a tie on the instant goes to the larger id.
        let s3 = submission("s-3", "o-1", "2025-03-14T17:30:00");
        store.submit_report(&s3, None).await.unwrap();
        assert_eq!(
            store.submissions_of("o-1").await.unwrap(),
            vec![s3.clone(), s2.clone(), reviewed.clone()]
        );
        assert_eq!(store.plan_files("o-1").await.unwrap().len(), 1);

        // Only the latest may be reviewed.
        for (obl, sub) in [
            ("o-1", "s-1"),
            ("o-1", "s-2"),
            ("o-2", "s-3"),
            ("o-1", "s-none"),
        ] {
            let err = store
                .review_submission(obl, sub, true, "", "acc-9", "2025-03-15T08:00:00")
                .await
                .unwrap_err();
            assert!(
                matches!(err, StoreError::NotFound(_)),
                "{obl} {sub}: {err:?}"
            );
        }
        assert_eq!(
            store.obligation("o-1").await.unwrap().unwrap().complete,
            None
        );

        store
            .review_submission("o-1", "s-3", true, "Đạt", "acc-9", "2025-03-15T08:00:00")
            .await
            .unwrap();
        let subs = store.submissions_of("o-1").await.unwrap();
        assert_eq!(subs[0].complete, Some(true));
        assert_eq!(subs[0].review_note, "Đạt");
        assert_eq!(subs[1], s2);
        assert_eq!(subs[2], reviewed);
        assert_eq!(
            store.obligation("o-1").await.unwrap().unwrap(),
            ObligationRow {
                submitted_on: Some("2025-03-14".into()),
                complete: Some(true),
                ..o.clone()
            }
        );
        assert_eq!(
            store.obligations_pending_until("2025-03-31").await.unwrap(),
            vec![o3.clone()]
        );

        // A submission id used already fails and leaves the obligation as it was.
        assert!(
            store
                .submit_report(&submission("s-1", "o-2", "2025-06-01T08:00:00"), None)
                .await
                .is_err()
        );
        assert_eq!(store.obligation("o-2").await.unwrap(), Some(o2.clone()));

        // Files of every report of a unit, in upload order.
        let f2 = file("f-2", "s-4", "o-2", "2025-06-01T08:00:00", b"q2");
        store
            .submit_report(&submission("s-4", "o-2", "2025-06-01T08:00:00"), Some(&f2))
            .await
            .unwrap();
        let f3 = file("f-3", "s-5", "o-3", "2025-03-01T08:00:00", b"u2");
        store
            .submit_report(&submission("s-5", "o-3", "2025-03-01T08:00:00"), Some(&f3))
            .await
            .unwrap();
        assert_eq!(
            store.plan_files_of_unit_reports("u-1").await.unwrap(),
            vec![f1.info.clone(), f2.info.clone()]
        );
        assert_eq!(
            store.plan_files_of_unit_reports("u-2").await.unwrap(),
            vec![f3.info.clone()]
        );
        assert!(
            store
                .plan_files_of_unit_reports("u-none")
                .await
                .unwrap()
                .is_empty()
        );
    }
);

// ---- bulk --------------------------------------------------------------------------------

on_every_backend!(
    plan_rows_bulk_insert_in_chunks_and_roll_back_whole,
    |store: Store| async move {
        const TASKS: usize = 901;
        const OBLIGATIONS: usize = 450;
        let mut rows = PlanRowsBulk {
            plans: vec![
                plan("p-1", 2025, Some("2025-01-10")),
                plan("p-2", 2026, None),
            ],
            ..Default::default()
        };
        for i in 0..TASKS {
            let mut t = task(
                &format!("t-{i:04}"),
                if i % 2 == 0 { "p-1" } else { "p-2" },
                &format!("u-{}", i % 7),
                &format!("2025-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
                match i % 3 {
                    0 => "hoan-thanh",
                    1 => "dang-thuc-hien",
                    _ => "chua-thuc-hien",
                },
            );
            t.seq = i64::try_from(i / 2 + 1).unwrap();
            t.percent = i64::try_from(i % 101).unwrap();
            t.done_on = (i % 3 == 0).then(|| format!("2025-01-{:02}", 1 + i % 28));
            rows.tasks.push(t);
        }
        for i in 0..420 {
            rows.progress.push(ProgressRow {
                id: format!("g-{i:04}"),
                task_id: format!("t-{:04}", i % 10),
                reported_at: format!("2025-02-01T{:02}:{:02}:00", i / 60, i % 60),
                reported_by: "acc-2".into(),
                percent: i64::from(i % 101),
                body: format!("báo cáo {i}"),
                status: "dang-thuc-hien".into(),
            });
        }
        for i in 0..OBLIGATIONS {
            let mut o = obligation(
                &format!("o-{i:04}"),
                &format!("u-{}", i % 3),
                &format!("{}-Q{}", 2000 + i / 12, 1 + i % 4),
                &format!("{}-03-15", 2000 + i / 12),
            );
            // Each unit's period key is unique: units cycle by 3, quarters by 4.
            o.period_key = format!("{}-{i}", o.period_key);
            o.submitted_on = (i % 3 != 0).then(|| format!("{}-03-10", 2000 + i / 12));
            o.complete = match i % 3 {
                0 => None,
                1 => Some(true),
                _ => Some(false),
            };
            rows.obligations.push(o);
        }
        for i in 0..410 {
            let mut s = submission(
                &format!("s-{i:04}"),
                &format!("o-{:04}", i % 5),
                &format!("2000-03-{:02}T08:{:02}:00", 1 + i % 28, i % 60),
            );
            s.complete = match i % 3 {
                0 => None,
                1 => Some(true),
                _ => Some(false),
            };
            if s.complete.is_some() {
                s.review_note = format!("xét {i}");
                s.reviewed_by = Some("acc-9".into());
                s.reviewed_at = Some("2000-04-01T08:00:00".into());
            }
            rows.submissions.push(s);
        }
        for i in 0..405u32 {
            rows.files.push(file(
                &format!("f-{i:04}"),
                &format!("g-{:04}", i % 400),
                "t-0000",
                &format!(
                    "2025-02-01T{:02}:{:02}:{:02}",
                    i / 3600,
                    i / 60 % 60,
                    i % 60
                ),
                &i.to_be_bytes(),
            ));
        }
        store.insert_plan_rows_bulk(&rows).await.unwrap();

        assert_eq!(store.plans().await.unwrap(), {
            let mut p = rows.plans.clone();
            p.reverse();
            p
        });
        let p1 = store.plan_tasks("p-1").await.unwrap();
        let p2 = store.plan_tasks("p-2").await.unwrap();
        assert_eq!(p1.len() + p2.len(), TASKS);
        let expected_p1: Vec<TaskRow> = rows.tasks.iter().step_by(2).cloned().collect();
        assert_eq!(p1, expected_p1);
        for i in [0, 399, 400, 401, 799, 800, TASKS - 1] {
            let t = &rows.tasks[i];
            assert_eq!(
                store.task(&t.id).await.unwrap().as_ref(),
                Some(t),
                "task {i}"
            );
        }
        let mut counts = store.plan_counts("2025-07-01").await.unwrap();
        counts.sort_by(|a, b| a.plan_id.cmp(&b.plan_id));
        for c in &counts {
            let of_plan: Vec<_> = rows
                .tasks
                .iter()
                .filter(|t| t.plan_id == c.plan_id)
                .collect();
            assert_eq!(c.tasks, i64::try_from(of_plan.len()).unwrap());
            let done = of_plan.iter().filter(|t| t.status == "hoan-thanh").count();
            assert_eq!(c.done, i64::try_from(done).unwrap());
            let overdue = of_plan
                .iter()
                .filter(|t| t.status != "hoan-thanh" && t.deadline.as_str() < "2025-07-01")
                .count();
            assert_eq!(c.overdue, i64::try_from(overdue).unwrap());
        }
        assert_eq!(counts.len(), 2);

        let progress = store.task_progress("t-0000").await.unwrap();
        assert_eq!(progress.len(), 42);
        assert_eq!(progress[0], rows.progress[410]);
        assert_eq!(progress[41], rows.progress[0]);

        let mut all_obligations = Vec::new();
        for u in 0..3 {
            all_obligations.extend(store.obligations_of(&format!("u-{u}")).await.unwrap());
        }
        assert_eq!(all_obligations.len(), OBLIGATIONS);
        for i in [0, 1, 2, 399, 400, OBLIGATIONS - 1] {
            let o = &rows.obligations[i];
            assert_eq!(
                store.obligation(&o.id).await.unwrap().as_ref(),
                Some(o),
                "{i}"
            );
        }

        let subs = store.submissions_of("o-0000").await.unwrap();
        assert_eq!(subs.len(), 82);
        for s in &subs {
            assert_eq!(Some(s), rows.submissions.iter().find(|r| r.id == s.id));
        }
        let s404 = store.submissions_of("o-0004").await.unwrap();
        assert!(s404.contains(&rows.submissions[404]));
        assert!(s404.contains(&rows.submissions[409]));

        let files = store.plan_files("t-0000").await.unwrap();
        assert_eq!(
            files,
            rows.files
                .iter()
                .map(|f| f.info.clone())
                .collect::<Vec<_>>()
        );
        let (info, bytes) = store.plan_file("f-0404").await.unwrap().unwrap();
        assert_eq!(info, rows.files[404].info);
        assert_eq!(bytes, 404u32.to_be_bytes());

        // One row that exists already (in a late chunk) undoes the whole load.
        let mut again = PlanRowsBulk {
            plans: vec![plan("p-3", 2027, None)],
            ..Default::default()
        };
        for i in 0..401 {
            again.tasks.push(task(
                &format!("n-{i:04}"),
                "p-3",
                "u-1",
                "2027-01-01",
                "chua-thuc-hien",
            ));
        }
        again.tasks.push(rows.tasks[5].clone());
        assert!(store.insert_plan_rows_bulk(&again).await.is_err());
        assert!(store.plan("p-3").await.unwrap().is_none());
        assert!(store.task("n-0000").await.unwrap().is_none());
        assert_eq!(store.plans().await.unwrap().len(), 2);

        store
            .insert_plan_rows_bulk(&PlanRowsBulk::default())
            .await
            .unwrap();
    }
);

// ---- PAR INDEX ---------------------------------------------------------------------------

fn card(unit: &str, year: i64) -> ParCardRow {
    ParCardRow {
        unit: unit.into(),
        year,
        kind: "department".into(),
        tree_version: "2024.1".into(),
        state: "draft".into(),
        self_points: 12.5,
        appraised_points: None,
        survey_points: None,
        survey_at: None,
        survey_by: None,
        submitted_at: None,
        submitted_by: None,
        appraised_at: None,
        appraised_by: None,
        version: 77,
    }
}

fn full_card(unit: &str, year: i64) -> ParCardRow {
    ParCardRow {
        kind: "commune".into(),
        state: "appraised".into(),
        self_points: 81.75,
        appraised_points: Some(79.1),
        survey_points: Some(0.3),
        survey_at: Some(format!("{year}-11-01T09:00:00")),
        survey_by: Some("acc-s".into()),
        submitted_at: Some(format!("{year}-12-01T10:00:00")),
        submitted_by: Some("acc-u".into()),
        appraised_at: Some(format!("{}-01-15T15:30:00", year + 1)),
        appraised_by: Some("acc-a".into()),
        ..card(unit, year)
    }
}

fn evidence(id: &str, item: &str, at: &str, content: &[u8]) -> ParNewEvidence {
    ParNewEvidence {
        id: id.into(),
        item: item.into(),
        file_name: format!("{id}.pdf"),
        content_type: "application/pdf".into(),
        sha256: format!("sha-{id}"),
        content: content.to_vec(),
        uploaded_by: "acc-u".into(),
        uploaded_at: at.into(),
    }
}

fn evidence_info(e: &ParNewEvidence) -> ParEvidenceInfo {
    ParEvidenceInfo {
        id: e.id.clone(),
        item: e.item.clone(),
        file_name: e.file_name.clone(),
        content_type: e.content_type.clone(),
        size_bytes: i64::try_from(e.content.len()).unwrap(),
        sha256: e.sha256.clone(),
        uploaded_by: e.uploaded_by.clone(),
        uploaded_at: e.uploaded_at.clone(),
    }
}

fn new_write(c: ParCardRow, items: Vec<ParItemRow>, evidence: Vec<ParNewEvidence>) -> ParCardWrite {
    ParCardWrite {
        card: c,
        expected_version: None,
        items,
        evidence,
    }
}

on_every_backend!(
    par_cards_round_trip_with_items_and_evidence,
    |store: Store| async move {
        assert!(store.par_card("u-1", 2025).await.unwrap().is_none());
        assert!(store.par_cards(&[]).await.unwrap().is_empty());
        assert!(store.par_items("u-1", 2025).await.unwrap().is_empty());
        assert!(
            store
                .par_evidence_list("u-1", 2025)
                .await
                .unwrap()
                .is_empty()
        );

        let item_b = ParItemRow {
            item: "2.1".into(),
            self_points: Some(12.5),
            self_note: "Có văn bản".into(),
            self_by: Some("acc-u".into()),
            self_at: Some("2025-11-02T08:00:00".into()),
            appraised_points: Some(0.25),
            appraisal_note: "Trừ điểm".into(),
            appraised_by: Some("acc-a".into()),
            appraised_at: Some("2026-01-10T09:00:00".into()),
        };
        let item_a = ParItemRow {
            item: "1.10".into(),
            ..Default::default()
        };
        let item_c = ParItemRow {
            item: "1.2".into(),
            self_points: Some(0.0),
            ..Default::default()
        };
        let e_late = evidence("ev-2", "1.10", "2025-11-02T08:00:00", b"late");
        let e_b = evidence("ev-9", "2.1", "2025-11-01T08:00:00", &[0, 255, 7]);
        let e_tie_b = evidence("ev-b", "1.10", "2025-11-01T08:00:00", b"tie-b");
        let e_tie_a = evidence("ev-a", "1.10", "2025-11-01T08:00:00", b"");
        let full = full_card("u-1", 2025);
        store
            .save_par_cards(&[
                new_write(
                    full.clone(),
                    vec![item_b.clone(), item_a.clone(), item_c.clone()],
                    vec![
                        e_late.clone(),
                        e_b.clone(),
                        e_tie_b.clone(),
                        e_tie_a.clone(),
                    ],
                ),
                new_write(card("u-2", 2025), vec![], vec![]),
            ])
            .await
            .unwrap();

        // A new card starts at version 1 whatever it carried; every other field as written.
        let back = store.par_card("u-1", 2025).await.unwrap().unwrap();
        assert_eq!(
            back,
            ParCardRow {
                version: 1,
                ..full.clone()
            }
        );
        assert_eq!(back.self_points, 81.75);
        assert_eq!(back.appraised_points, Some(79.1));
        assert_eq!(back.survey_points, Some(0.3));
        let plain = store.par_card("u-2", 2025).await.unwrap().unwrap();
        assert_eq!(
            plain,
            ParCardRow {
                version: 1,
                ..card("u-2", 2025)
            }
        );
        assert_eq!(plain.self_points, 12.5);
        assert!(store.par_card("u-1", 2024).await.unwrap().is_none());

        // Items by code (as text).
        assert_eq!(
            store.par_items("u-1", 2025).await.unwrap(),
            vec![item_a.clone(), item_c.clone(), item_b.clone()]
        );
        assert!(store.par_items("u-2", 2025).await.unwrap().is_empty());

        // Evidence by item, upload time, id; the size is the content's.
        assert_eq!(
            store.par_evidence_list("u-1", 2025).await.unwrap(),
            vec![
                evidence_info(&e_tie_a),
                evidence_info(&e_tie_b),
                evidence_info(&e_late),
                evidence_info(&e_b),
            ]
        );
        let (info, bytes) = store
            .par_evidence("u-1", 2025, "ev-9")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(info, evidence_info(&e_b));
        assert_eq!(info.size_bytes, 3);
        assert_eq!(bytes, vec![0, 255, 7]);
        let (info, bytes) = store
            .par_evidence("u-1", 2025, "ev-a")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(info.size_bytes, 0);
        assert!(bytes.is_empty());
        assert!(
            store
                .par_evidence("u-1", 2025, "ev-none")
                .await
                .unwrap()
                .is_none()
        );
        // The card is part of the key.
        assert!(
            store
                .par_evidence("u-2", 2025, "ev-9")
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .par_evidence("u-1", 2024, "ev-9")
                .await
                .unwrap()
                .is_none()
        );

        // An update under the version read: fields replaced, version raised, items upserted.
        let updated = ParCardRow {
            state: "submitted".into(),
            self_points: 90.0,
            appraised_points: None,
            survey_points: Some(7.25),
            appraised_at: None,
            appraised_by: None,
            version: 1000,
            ..full.clone()
        };
        let item_b2 = ParItemRow {
            item: "2.1".into(),
            self_points: None,
            self_note: "Sửa".into(),
            ..Default::default()
        };
        let item_d = ParItemRow {
            item: "3".into(),
            self_points: Some(1.5),
            ..Default::default()
        };
        let e_new = evidence("ev-3", "3", "2025-12-01T00:00:00", b"new");
        store
            .save_par_cards(&[ParCardWrite {
                card: updated.clone(),
                expected_version: Some(1),
                items: vec![item_b2.clone(), item_d.clone()],
                evidence: vec![e_new.clone()],
            }])
            .await
            .unwrap();
        let back = store.par_card("u-1", 2025).await.unwrap().unwrap();
        assert_eq!(
            back,
            ParCardRow {
                version: 2,
                ..updated.clone()
            }
        );
        assert_eq!(
            store.par_items("u-1", 2025).await.unwrap(),
            vec![
                item_a.clone(),
                item_c.clone(),
                item_b2.clone(),
                item_d.clone()
            ]
        );
        assert_eq!(store.par_evidence_list("u-1", 2025).await.unwrap().len(), 5);
        assert_eq!(
            store
                .par_evidence("u-1", 2025, "ev-3")
                .await
                .unwrap()
                .unwrap()
                .1,
            b"new"
        );

        // par_cards: only the years asked for, by year then unit.
        store
            .save_par_cards(&[
                new_write(card("u-0", 2025), vec![], vec![]),
                new_write(full_card("u-3", 2023), vec![], vec![]),
                new_write(card("u-1", 2024), vec![], vec![]),
                new_write(card("u-1", 2023), vec![], vec![]),
            ])
            .await
            .unwrap();
        let listed = store.par_cards(&[2025, 2023]).await.unwrap();
        let keys: Vec<_> = listed.iter().map(|c| (c.year, c.unit.as_str())).collect();
        assert_eq!(
            keys,
            [
                (2023, "u-1"),
                (2023, "u-3"),
                (2025, "u-0"),
                (2025, "u-1"),
                (2025, "u-2")
            ]
        );
        assert_eq!(
            listed[1],
            ParCardRow {
                version: 1,
                ..full_card("u-3", 2023)
            }
        );
        assert_eq!(
            listed[3],
            ParCardRow {
                version: 2,
                ..updated
            }
        );
        assert_eq!(store.par_cards(&[2024]).await.unwrap().len(), 1);
        assert!(store.par_cards(&[2030, 2031]).await.unwrap().is_empty());
    }
);

on_every_backend!(
    par_card_conflicts_change_nothing,
    |store: Store| async move {
        let item = ParItemRow {
            item: "1.1".into(),
            self_points: Some(2.0),
            ..Default::default()
        };
        let e1 = evidence("ev-1", "1.1", "2025-11-01T08:00:00", b"one");
        store
            .save_par_cards(&[new_write(
                card("u-1", 2025),
                vec![item.clone()],
                vec![e1.clone()],
            )])
            .await
            .unwrap();
        let before = store.par_card("u-1", 2025).await.unwrap().unwrap();
        assert_eq!(before.version, 1);
        // The first writer moves the card to version 2.
        let moved = ParCardRow {
            state: "submitted".into(),
            self_points: 3.5,
            ..before.clone()
        };
        store
            .save_par_cards(&[ParCardWrite {
                card: moved.clone(),
                expected_version: Some(1),
                items: vec![],
                evidence: vec![],
            }])
            .await
            .unwrap();
        let current = store.par_card("u-1", 2025).await.unwrap().unwrap();
        assert_eq!(
            current,
            ParCardRow {
                version: 2,
                ..moved.clone()
            }
        );

        let snapshot = |store: Store| async move {
            (
                store.par_cards(&[2025]).await.unwrap(),
                store.par_items("u-1", 2025).await.unwrap(),
                store.par_evidence_list("u-1", 2025).await.unwrap(),
            )
        };
        let kept = snapshot(store.clone()).await;

        // A stale writer (it read version 1): a conflict, and neither its card, its item, its
        // file nor the new card written before it in the same call are stored.
        let stale = ParCardWrite {
            card: ParCardRow {
                state: "draft".into(),
                self_points: 99.0,
                ..before.clone()
            },
            expected_version: Some(1),
            items: vec![ParItemRow {
                item: "1.1".into(),
                self_points: Some(50.0),
                ..Default::default()
            }],
            evidence: vec![evidence("ev-2", "1.1", "2025-11-02T08:00:00", b"two")],
        };
        let err = store
            .save_par_cards(&[
                new_write(
                    card("u-2", 2025),
                    vec![item.clone()],
                    vec![evidence("ev-3", "1.1", "2025-11-02T08:00:00", b"three")],
                ),
                stale.clone(),
            ])
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        assert_eq!(snapshot(store.clone()).await, kept);
        assert!(store.par_card("u-2", 2025).await.unwrap().is_none());
        assert!(
            store
                .par_evidence("u-2", 2025, "ev-3")
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .par_evidence("u-1", 2025, "ev-2")
                .await
                .unwrap()
                .is_none()
        );

        // A version from the future, or a card that does not exist, is a conflict too.
        for w in [
            ParCardWrite {
                expected_version: Some(3),
                ..stale.clone()
            },
            ParCardWrite {
                card: card("u-9", 2025),
                ..stale.clone()
            },
        ] {
            let err = store.save_par_cards(&[w]).await.unwrap_err();
            assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        }
        assert_eq!(snapshot(store.clone()).await, kept);

        // Creating a card that exists is a conflict, after an update in the same call: both
        // undone.
        let err = store
            .save_par_cards(&[
                ParCardWrite {
                    card: ParCardRow {
                        self_points: 42.0,
                        ..current.clone()
                    },
                    expected_version: Some(2),
                    items: vec![],
                    evidence: vec![],
                },
                new_write(card("u-1", 2025), vec![], vec![]),
            ])
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        assert_eq!(snapshot(store.clone()).await, kept);

        // The right version still works after all that.
        store
            .save_par_cards(&[ParCardWrite {
                expected_version: Some(2),
                ..stale
            }])
            .await
            .unwrap();
        let now = store.par_card("u-1", 2025).await.unwrap().unwrap();
        assert_eq!(now.version, 3);
        assert_eq!(now.self_points, 99.0);
        assert_eq!(
            store.par_items("u-1", 2025).await.unwrap()[0].self_points,
            Some(50.0)
        );
        assert_eq!(store.par_evidence_list("u-1", 2025).await.unwrap().len(), 2);
    }
);

on_every_backend!(
    par_cards_bulk_insert_in_chunks_and_conflict_whole,
    |store: Store| async move {
        store.insert_par_cards_bulk(&[]).await.unwrap();
        let cards: Vec<ParCardRow> = (0..1203)
            .map(|i| {
                let mut c = if i % 2 == 0 {
                    full_card(&format!("u-{i:04}"), 2024)
                } else {
                    card(&format!("u-{i:04}"), 2024)
                };
                c.self_points = f64::from(i) + 0.5;
                c.version = i64::from(i % 5 + 1);
                c
            })
            .collect();
        store.insert_par_cards_bulk(&cards).await.unwrap();
        // Versions as given; by unit within the year.
        assert_eq!(store.par_cards(&[2024]).await.unwrap(), cards);
        for i in [0, 499, 500, 999, 1000, 1202] {
            assert_eq!(
                store.par_card(&cards[i].unit, 2024).await.unwrap().as_ref(),
                Some(&cards[i])
            );
        }

        // One card that exists, in the last chunk: a conflict and nothing of the load stored.
        let mut again: Vec<ParCardRow> =
            (0..600).map(|i| card(&format!("v-{i:04}"), 2024)).collect();
        again.push(cards[7].clone());
        let err = store.insert_par_cards_bulk(&again).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        assert_eq!(store.par_cards(&[2024]).await.unwrap().len(), cards.len());
        assert!(store.par_card("v-0000", 2024).await.unwrap().is_none());

        // Bulk cards can be updated under their version like any other.
        let mut c = cards[3].clone();
        let read = c.version;
        c.state = "appraised".into();
        store
            .save_par_cards(&[ParCardWrite {
                card: c.clone(),
                expected_version: Some(read),
                items: vec![],
                evidence: vec![],
            }])
            .await
            .unwrap();
        assert_eq!(
            store.par_card(&c.unit, 2024).await.unwrap(),
            Some(ParCardRow {
                version: read + 1,
                ..c
            })
        );
    }
);
