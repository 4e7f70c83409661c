use crate::{cchc, fails, json};
use serde_json::Value;
use std::collections::BTreeSet;

fn expand(ranges: &[(&str, &str)]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (a, b) in ranges {
        let (mut d, end): (jiff::civil::Date, jiff::civil::Date) =
            (a.parse().unwrap(), b.parse().unwrap());
        while d <= end {
            out.insert(d.to_string());
            d = d.tomorrow().unwrap();
        }
    }
    out
}

fn holidays(year: &str) -> (BTreeSet<String>, BTreeSet<String>, Vec<Value>) {
    let v = json(&["calendar", "holidays", "--year", year, "--format", "json"]);
    let rows = v.as_array().unwrap().clone();
    let pick = |off: bool| {
        rows.iter()
            .filter(|r| r["off"] == off)
            .map(|r| r["date"].as_str().unwrap().to_owned())
            .collect::<BTreeSet<_>>()
    };
    (pick(true), pick(false), rows)
}

/// Weekdays in a set of dates (a listed weekend day off changes nothing for a Mon-Fri office).
fn weekdays(set: &BTreeSet<String>) -> BTreeSet<String> {
    set.iter()
        .filter(|d| {
            let d: jiff::civil::Date = d.parse().unwrap();
            !matches!(
                d.weekday(),
                jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
            )
        })
        .cloned()
        .collect()
}

#[test]
fn holidays_2023_to_2026_are_exact() {
    // (year, announced/rule breaks from the calendar issue + rule-only holidays, worked days)
    type YearCase<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<&'a str>);
    let cases: [YearCase; 4] = [
        (
            "2023",
            vec![
                ("2023-01-02", "2023-01-02"),
                ("2023-01-20", "2023-01-26"),
                ("2023-04-29", "2023-05-03"),
                ("2023-09-01", "2023-09-04"),
            ],
            vec![],
        ),
        (
            "2024",
            vec![
                ("2024-01-01", "2024-01-01"),
                ("2024-02-08", "2024-02-14"),
                ("2024-04-18", "2024-04-18"),
                ("2024-04-27", "2024-05-01"),
                ("2024-08-31", "2024-09-03"),
            ],
            vec!["2024-05-04"],
        ),
        (
            "2025",
            vec![
                ("2025-01-01", "2025-01-01"),
                ("2025-01-25", "2025-02-02"),
                ("2025-04-07", "2025-04-07"),
                ("2025-04-30", "2025-05-04"),
                ("2025-08-30", "2025-09-02"),
            ],
            vec!["2025-04-26"],
        ),
        (
            "2026",
            vec![
                ("2026-01-01", "2026-01-04"),
                ("2026-02-14", "2026-02-22"),
                ("2026-04-25", "2026-04-27"),
                ("2026-04-30", "2026-05-03"),
                ("2026-08-29", "2026-09-02"),
            ],
            vec!["2026-01-10", "2026-08-22"],
        ),
    ];
    for (year, off, worked) in cases {
        let (got_off, got_worked, rows) = holidays(year);
        assert_eq!(
            weekdays(&got_off),
            weekdays(&expand(&off)),
            "weekdays off {year}"
        );
        assert_eq!(
            got_worked,
            worked.iter().map(|s| s.to_string()).collect(),
            "worked {year}"
        );
        // Every listed day has a name and a source.
        for r in &rows {
            assert!(
                !r["name"].as_str().unwrap().is_empty()
                    && !r["source"].as_str().unwrap().is_empty(),
                "{r}"
            );
        }
    }
    // Sources are the notices where one applies.
    let (_, _, rows) = holidays("2026");
    let tet = rows.iter().find(|r| r["date"] == "2026-02-16").unwrap();
    assert_eq!(tet["source"], "9441/TB-BNV");
    assert_eq!(tet["name"], "Tết Nguyên Đán");
    let jan = rows.iter().find(|r| r["date"] == "2026-01-10").unwrap();
    assert_eq!(
        (jan["off"].as_bool(), jan["source"].as_str()),
        (Some(false), Some("12729/VPCP-KGVX"))
    );
}

#[test]
fn due_across_tet_2025() {
    let v = json(&[
        "calendar",
        "due",
        "--from",
        "2025-01-24T10:00",
        "--limit",
        "5 working-days",
        "--format",
        "json",
    ]);
    assert_eq!(v["due"], "2025-02-07T10:00:00+07:00");
    let kinds: Vec<&str> = v["explain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "day_off").count(), 9);
    assert_eq!(kinds.first(), Some(&"received"));
    assert_eq!(kinds.last(), Some(&"due"));
}

#[test]
fn due_with_pause_extension_progress_and_verdict() {
    let v = json(&[
        "calendar",
        "due",
        "--from",
        "2025-01-24T10:00",
        "--limit",
        "5 working-days",
        "--pause",
        "2025-02-03T08:00/2025-02-05T14:00",
        "--at",
        "2025-02-11T08:00",
        "--finished",
        "2025-02-11T16:01",
        "--format",
        "json",
    ]);
    // 20 working hours of pause: 7 + 8 + 5.
    assert_eq!(v["due"], "2025-02-11T16:00:00+07:00");
    assert_eq!(v["verdict"], "late");
    assert_eq!(v["progress"]["state"], "running");
    // 08:00-11:30 and 13:30-16:00 are left.
    assert_eq!(v["progress"]["remaining_secs"], 6 * 3600);
    let v = json(&[
        "calendar",
        "due",
        "--from",
        "2025-03-03T07:00",
        "--limit",
        "1 working-days",
        "--extend",
        "2025-03-03T16:00=2 working-days",
        "--format",
        "json",
    ]);
    assert_eq!(v["due"], "2025-03-05T17:00:00+07:00");
    let v = json(&[
        "calendar",
        "due",
        "--from",
        "2025-03-03T07:00",
        "--limit",
        "1 working-days",
        "--pause",
        "2025-03-03T09:00/",
        "--format",
        "json",
    ]);
    assert_eq!(v["due"], Value::Null);
    assert_eq!(v["remaining_when_paused_seconds"], 6 * 3600);
}

#[test]
fn after_15h_and_units() {
    let base = [
        "calendar",
        "due",
        "--from",
        "2025-03-07T15:30",
        "--limit",
        "1 working-days",
        "--format",
        "json",
    ];
    assert_eq!(json(&base)["due"], "2025-03-10T15:30:00+07:00");
    let mut with_rule = base.to_vec();
    with_rule.push("--after-15h-next-day");
    assert_eq!(json(&with_rule)["due"], "2025-03-10T17:00:00+07:00");
    assert_eq!(
        json(&[
            "calendar",
            "due",
            "--from",
            "2025-01-24T10:00",
            "--limit",
            "10 days",
            "--format",
            "json"
        ])["due"],
        "2025-02-03T10:00:00+07:00"
    );
    assert_eq!(
        json(&[
            "calendar",
            "due",
            "--from",
            "2025-01-24T10:00",
            "--limit",
            "2 days-skip-off",
            "--format",
            "json"
        ])["due"],
        "2025-02-04T10:00:00+07:00"
    );
}

#[test]
fn lunar_and_solar() {
    assert_eq!(
        json(&["calendar", "lunar", "2030-02-02", "--format", "json"]),
        serde_json::json!({"day": 1, "month": 1, "year": 2030, "leap": false})
    );
    assert_eq!(
        json(&[
            "calendar",
            "solar",
            "--lunar",
            "2030-01-01",
            "--format",
            "json"
        ])["date"],
        "2030-02-02"
    );
    assert_eq!(
        json(&[
            "calendar",
            "solar",
            "--lunar",
            "2025-06-01",
            "--leap",
            "--format",
            "json"
        ])["date"],
        "2025-07-25"
    );
    let text = String::from_utf8(cchc(&["calendar", "lunar", "2025-01-29"], None).stdout).unwrap();
    assert!(text.contains("ngày 1 tháng 1 năm 2025 (Ất Tỵ)"), "{text}");
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let cases: [(&[&str], &str); 12] = [
        (
            &[
                "calendar",
                "due",
                "--from",
                "24/01/2025",
                "--limit",
                "5 working-days",
            ],
            "không hợp lệ",
        ),
        (
            &[
                "calendar",
                "due",
                "--from",
                "2025-01-24T10:00",
                "--limit",
                "-5 working-days",
            ],
            "không được âm",
        ),
        (
            &[
                "calendar",
                "due",
                "--from",
                "2025-01-24T10:00",
                "--limit",
                "5 weeks",
            ],
            "đơn vị",
        ),
        (
            &[
                "calendar",
                "due",
                "--from",
                "2025-01-24T10:00",
                "--limit",
                "5 working-days",
                "--pause",
                "2025-02-05T08:00/2025-02-03T08:00",
            ],
            "trước khi bắt đầu",
        ),
        (
            &[
                "calendar",
                "due",
                "--from",
                "2025-01-24T10:00",
                "--limit",
                "5 working-days",
                "--pause",
                "2025-01-20T08:00/2025-01-21T08:00",
            ],
            "trước khi tiếp nhận",
        ),
        (
            &[
                "calendar",
                "due",
                "--from",
                "2025-01-24T10:00+08:00",
                "--limit",
                "5 working-days",
            ],
            "+07:00",
        ),
        (
            &[
                "calendar",
                "due",
                "--from",
                "2199-12-30T10:00",
                "--limit",
                "5 working-days",
            ],
            "2199",
        ),
        (&["calendar", "holidays", "--year", "2300"], "ngoài phạm vi"),
        (&["calendar", "holidays", "--year", "abc"], "không hợp lệ"),
        (&["calendar", "lunar", "1850-01-01"], "ngoài phạm vi"),
        (
            &["calendar", "solar", "--lunar", "2025-03-01", "--leap"],
            "nhuận",
        ),
        (&["calendar", "nonsense"], "không tồn tại"),
    ];
    for (args, expected) in cases {
        let err = fails(args);
        assert!(err.contains(expected), "{args:?}: {err}");
    }
}

#[test]
fn an_administrator_adds_next_years_notice_without_a_build() {
    let dir = std::env::temp_dir().join(format!("cchc-cli-{}", std::process::id()));
    let cal = dir.join("calendar");
    std::fs::create_dir_all(&cal).unwrap();
    // Before: 2027 follows the rules only. Tết 2027 is Saturday 6/2: off 5/2 (last day of the
    // year), 8/2, 9/2, and 10/2 + 11/2 in compensation for the weekend; Thursday 4/2 is worked.
    let before = cchc(
        &["calendar", "holidays", "--year", "2027", "--format", "json"],
        Some(&dir),
    );
    let before: Value = serde_json::from_slice(&before.stdout).unwrap();
    assert!(
        before
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["date"] != "2027-02-04")
    );
    assert!(
        before
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["date"] == "2027-02-11")
    );
    let due_args = [
        "calendar",
        "due",
        "--from",
        "2027-02-03T08:00",
        "--limit",
        "2 working-days",
        "--format",
        "json",
    ];
    let due: Value = serde_json::from_slice(&cchc(&due_args, Some(&dir)).stdout).unwrap();
    // 3/2 08:00-17:00 = 7 h, 4/2 = 8 h, 1 h on Friday 12/2.
    assert_eq!(due["due"], "2027-02-12T08:00:00+07:00");
    std::fs::write(
        cal.join("2027.toml"),
        r#"year = 2027
[[notice]]
number = "99/TB-BNV"
issuer = "Bộ Nội vụ"
title = "Thông báo nghỉ Tết Âm lịch 2027 (thử nghiệm)"
covers = ["tet"]
[[notice.days_off]]
from = 2027-02-04
to = 2027-02-11
name = "Tết Nguyên Đán"
"#,
    )
    .unwrap();
    let ok = cchc(
        &[
            "calendar",
            "validate",
            cal.join("2027.toml").to_str().unwrap(),
        ],
        Some(&dir),
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let after = cchc(
        &["calendar", "holidays", "--year", "2027", "--format", "json"],
        Some(&dir),
    );
    let after: Value = serde_json::from_slice(&after.stdout).unwrap();
    let d = after
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["date"] == "2027-02-04")
        .unwrap();
    assert_eq!(d["source"], "99/TB-BNV");
    // The same dossier's due date is re-projected on the new calendar: 3/2 = 7 h,
    // 12/2 = 8 h, 1 h on Monday 15/2.
    let due: Value = serde_json::from_slice(&cchc(&due_args, Some(&dir)).stdout).unwrap();
    assert_eq!(due["due"], "2027-02-15T08:00:00+07:00");

    // A broken file is refused with the file's name, and the calendar is not used half-loaded.
    std::fs::write(
        cal.join("2028.toml"),
        "year = 2028\n[[notice]]\nnumber = \"\"\n",
    )
    .unwrap();
    let bad = cchc(&["calendar", "holidays", "--year", "2027"], Some(&dir));
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("2028.toml"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn enabling_the_culture_day_rule_at_run_time() {
    let dir = std::env::temp_dir().join(format!("cchc-cli-rules-{}", std::process::id()));
    let cal = dir.join("calendar");
    std::fs::create_dir_all(&cal).unwrap();
    let rules = include_str!("../../../../data/calendar/rules.toml")
        .replace("enabled = false", "enabled = true");
    std::fs::write(cal.join("rules.toml"), rules).unwrap();
    let out = cchc(
        &["calendar", "holidays", "--year", "2026", "--format", "json"],
        Some(&dir),
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|r| r["date"] == "2026-11-24" && r["off"] == true)
    );
    // Shipped notices still apply.
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|r| r["source"] == "9441/TB-BNV")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn closed_pipe_is_not_a_crash() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_cchc"))
        .args(["calendar", "holidays", "--year", "2026", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
