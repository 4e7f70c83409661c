//! Operator commands on a real SQLite file: imports (idempotent, every data-quality flag
//! visible), accounts (password never an argument), the dossier export (every indicator input,
//! no personal data) and the audit that catches an edited event row.

use cchc_app::accounts::NewAccount;
use cchc_app::dossiers::{Action, ApplicantInput, ComponentInput, NewDossier};
use cchc_app::export::{ExportFilter, ExportRow};
use cchc_app::{App, AppError, Principal, Role};
use cchc_domain::calendar::Calendar;
use cchc_domain::dossier::{ApplicantKind, Outcome, ResultDoc};
use cchc_domain::procedure::Channel;
use cchc_store::Store;
use jiff::civil::DateTime;
use serde_json::Value;
use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");
const PROCEDURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/tthc_dvcqg_2642_procedures.csv"
);
/// The workspace root: from there the default `../shared/data` is the reference data.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
/// Phường Quang Trung (Thành phố Kon Tum), before the 2025 merger.
const COMMUNE_A: &str = "w:23281";

/// A fresh SQLite file, removed at the end.
struct Db {
    path: PathBuf,
}

impl Db {
    fn new(name: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("cchc-cli-ops-{}-{name}.db", std::process::id()));
        let db = Self { path };
        db.remove();
        db
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.path.display())
    }

    /// A file next to the database.
    fn file(&self, suffix: &str) -> PathBuf {
        PathBuf::from(format!("{}{suffix}", self.path.display()))
    }

    fn remove(&self) {
        for s in ["", "-wal", "-shm", ".report.json", ".csv", ".jsonl"] {
            let _ = std::fs::remove_file(self.file(s));
        }
    }

    /// Runs `cchc --database-url sqlite://… ARGS` from the workspace root, with extra
    /// environment variables and standard input.
    fn run_with(&self, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cchc"));
        cmd.arg("--database-url")
            .arg(self.url())
            .args(args)
            .current_dir(ROOT)
            .env_remove("CCHC_DATA_DIR")
            .env_remove("CCHC_DATABASE_URL")
            .env_remove("CCHC_NEW_PASSWORD")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("the cchc binary runs");
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
        drop(input);
        child.wait_with_output().unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, &[], None)
    }

    /// Runs, asserting success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        ok(args, self.run(args))
    }

    async fn app(&self) -> App {
        let store = Store::connect(&self.url()).await.unwrap();
        App::new(store, Arc::new(Calendar::embedded().unwrap()))
            .await
            .unwrap()
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        self.remove();
    }
}

fn ok(args: &[&str], out: Output) -> String {
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Asserts a refusal: exit 2, nothing on stdout, one Vietnamese line on stderr.
fn refused(args: &[&str], out: Output) -> String {
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?} should exit 2: {err}");
    assert!(out.stdout.is_empty(), "nothing on stdout for {args:?}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("lỗi: "), "{err}");
    err
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

/// Imports the units (default data directory) and the catalogue.
fn import_all(db: &Db) {
    db.ok(&["import", "units"]);
    db.ok(&["import", "procedures", PROCEDURES]);
}

#[test]
fn imports_are_idempotent_and_show_every_data_quality_flag() {
    let db = Db::new("imports");
    // Units: the default directory (../shared/data from the workspace root), then again.
    let first = db.ok(&["import", "units"]);
    assert!(first.contains("Kon Tum"), "{first}");
    let line = first.lines().nth(1).unwrap();
    assert!(
        line.contains("cập nhật 0, không đổi 0") && !line.contains("thêm mới 0,"),
        "{first}"
    );
    let again = json(&db.ok(&["import", "units", "--data", DATA, "--format", "json"]));
    assert!(again["read"].as_u64().unwrap() > 400, "{again}");
    assert_eq!(again["inserted"], 0, "{again}");
    assert_eq!(again["updated"], 0, "{again}");
    assert_eq!(again["unchanged"], again["read"], "{again}");

    // Procedures: every row read, the 17 code mismatches visible, the full report on file.
    let report_path = db.file(".report.json");
    let report_arg = report_path.to_str().unwrap();
    let text = db.ok(&["import", "procedures", PROCEDURES, "--report", report_arg]);
    assert!(
        text.contains("đọc 2642 dòng; thêm mới 2642, cập nhật 0, không đổi 0; bị loại 0"),
        "{text}"
    );
    let mismatch = text
        .lines()
        .find(|l| l.contains("[code-mismatch]"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        mismatch
            .trim_start()
            .starts_with("17  Nội dung chi tiết mang mã thủ tục khác"),
        "{mismatch}"
    );
    for kind in [
        "untyped-limit",
        "unknown-fee",
        "suspicious-fee",
        "no-channel",
    ] {
        assert!(text.contains(&format!("[{kind}]")), "{kind}: {text}");
    }
    let report = json(&std::fs::read_to_string(&report_path).unwrap());
    assert_eq!(report["rows_read"], 2642);
    assert_eq!(report["rejected"].as_array().unwrap().len(), 0);
    let procedures = report["procedures_with_issues"].as_array().unwrap();
    let flagged: usize = procedures
        .iter()
        .filter(|p| {
            p["issues"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["kind"] == "code-mismatch")
        })
        .count();
    assert_eq!(flagged, 17);
    // Every flag in the counts is in the details, each issue described in Vietnamese.
    for f in report["flags"].as_array().unwrap() {
        let n = procedures
            .iter()
            .filter(|p| {
                p["issues"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|i| i["kind"] == f["kind"])
            })
            .count();
        assert_eq!(Some(n as u64), f["procedures"].as_u64(), "{f}");
    }
    for p in procedures {
        assert!(!p["code"].as_str().unwrap().is_empty());
        assert!(!p["name"].as_str().unwrap().is_empty(), "{p}");
        for i in p["issues"].as_array().unwrap() {
            assert!(
                i["description"].as_str().unwrap().chars().count() > 10,
                "{i}"
            );
        }
    }
    let mismatch = procedures
        .iter()
        .flat_map(|p| p["issues"].as_array().unwrap())
        .find(|i| i["kind"] == "code-mismatch")
        .unwrap();
    assert!(
        mismatch["description"]
            .as_str()
            .unwrap()
            .contains("khác mã thủ tục"),
        "{mismatch}"
    );

    // Again: nothing changes.
    let again = json(&db.ok(&["import", "procedures", PROCEDURES, "--format", "json"]));
    assert_eq!(again["rows_read"], 2642);
    assert_eq!(again["inserted"], 0);
    assert_eq!(again["updated"], 0);
    assert_eq!(again["unchanged"], 2642);

    // An empty export names its columns and nothing else.
    let csv = db.ok(&["export", "dossiers", "--format", "csv"]);
    assert_eq!(csv, format!("{}\n", ExportRow::HEADER.join(",")));
    assert_eq!(db.ok(&["export", "dossiers", "--format", "jsonl"]), "");
    let audit = db.ok(&["audit", "verify"]);
    assert!(audit.contains("0 hồ sơ, 0 sự kiện"), "{audit}");

    // Bad input: one line, exit 2.
    let missing = ["import", "procedures", "/nonexistent/tthc.csv"];
    assert!(refused(&missing, db.run(&missing)).contains("không đọc được tệp"));
    let missing = ["import", "units", "--data", "/nonexistent"];
    assert!(refused(&missing, db.run(&missing)).contains("không đọc được tệp"));
    for bad in [
        vec!["export", "dossiers", "--format", "xml"],
        vec!["export", "dossiers", "--from", "2025-02-30"],
        vec![
            "export",
            "dossiers",
            "--from",
            "2025-03-02",
            "--to",
            "2025-03-01",
        ],
    ] {
        refused(&bad, db.run(&bad));
    }
}

#[test]
fn user_add_takes_the_password_from_stdin_or_the_environment_only() {
    let db = Db::new("users");
    db.ok(&["import", "units"]);
    let officer = [
        "user",
        "add",
        "--username",
        "canbo.quangtrung",
        "--role",
        "officer",
        "--unit",
        COMMUNE_A,
        "--name",
        "Nguyễn Văn An",
        "--title",
        "Công chức một cửa",
        "--password-stdin",
    ];
    let text = ok(
        &officer,
        db.run_with(&officer, &[], Some("mat-khau-rat-dai-2025\n")),
    );
    assert!(
        text.contains("canbo.quangtrung")
            && text.contains("Cán bộ, công chức")
            && text.contains("w:23281 (Phường Quang Trung)"),
        "{text}"
    );
    let admin = [
        "user",
        "add",
        "--username",
        "quantri",
        "--role",
        "admin",
        "--name",
        "Trần Thị Bích",
    ];
    let text = ok(
        &admin,
        db.run_with(
            &admin,
            &[("CCHC_NEW_PASSWORD", "mat-khau-quan-tri-01")],
            None,
        ),
    );
    assert!(text.contains("Quản trị CCHC"), "{text}");

    // Refusals, each before any hashing except the duplicate's.
    let pw = [("CCHC_NEW_PASSWORD", "mat-khau-du-dai-01")];
    // (arguments, environment, expected in the message)
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 7] = [
        (
            &[
                "user",
                "add",
                "--username",
                "x.y",
                "--role",
                "boss",
                "--name",
                "A",
            ],
            &pw,
            "vai trò 'boss' không hợp lệ",
        ),
        (
            &[
                "user",
                "add",
                "--username",
                "canbo2",
                "--role",
                "officer",
                "--name",
                "A",
            ],
            &pw,
            "phải thuộc một đơn vị",
        ),
        (
            &[
                "user",
                "add",
                "--username",
                "canbo2",
                "--role",
                "leader",
                "--unit",
                "w:0",
                "--name",
                "A",
            ],
            &pw,
            "không tìm thấy đơn vị w:0",
        ),
        (
            &[
                "user",
                "add",
                "--username",
                "canbo2",
                "--role",
                "citizen",
                "--name",
                "A",
            ],
            &[("CCHC_NEW_PASSWORD", "ngan")],
            "ít nhất 10 ký tự",
        ),
        (
            &[
                "user",
                "add",
                "--username",
                "canbo2",
                "--role",
                "citizen",
                "--name",
                "A",
            ],
            &[],
            "thiếu mật khẩu",
        ),
        (
            &[
                "user",
                "add",
                "--username",
                "CanBo.QuangTrung",
                "--role",
                "citizen",
                "--name",
                "A",
            ],
            &pw,
            "đã tồn tại: canbo.quangtrung",
        ),
        (
            // A password on the command line is not even an option.
            &[
                "user",
                "add",
                "--username",
                "canbo2",
                "--role",
                "citizen",
                "--name",
                "A",
                "--password",
                "mat-khau-du-dai-01",
            ],
            &[],
            "--password",
        ),
    ];
    for (args, env, expected) in cases {
        let err = refused(args, db.run_with(args, env, None));
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    // An empty line on stdin is no password.
    let empty = [
        "user",
        "add",
        "--username",
        "canbo2",
        "--role",
        "citizen",
        "--name",
        "A",
        "--password-stdin",
    ];
    assert!(refused(&empty, db.run_with(&empty, &[], Some("\n"))).contains("mật khẩu trống"));

    // Stored: the account with its unit, the password only as an argon2 hash.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let row = rt
        .block_on(async {
            let store = Store::connect(&db.url()).await.unwrap();
            store.account_by_username("canbo.quangtrung").await.unwrap()
        })
        .unwrap();
    assert_eq!(row.unit_id.as_deref(), Some(COMMUNE_A));
    assert_eq!(row.role, "officer");
    assert_eq!(row.title, "Công chức một cửa");
    assert!(row.password_hash.starts_with("$argon2id$"));
    assert!(!row.password_hash.contains("mat-khau"));
}

/// Creates three dossiers through the app, at chosen instants: one finished early after a
/// supplement and an online payment, one filed online and rated, one still open after an
/// extension (late by now). Returns their codes in that order.
async fn three_dossiers(db: &Db) -> [String; 3] {
    let now = Arc::new(Mutex::new(
        "2025-03-03T08:00:00".parse::<DateTime>().unwrap(),
    ));
    let clock = Arc::clone(&now);
    let app = db.app().await.with_now(move || *clock.lock().unwrap());
    let at = |t: &str| *now.lock().unwrap() = t.parse().unwrap();
    let officer = app
        .create_account(
            &Principal::system(),
            NewAccount {
                username: "canbo.binh".into(),
                password: "mat-khau-du-dai".into(),
                display_name: "Trần Văn Bình".into(),
                title: "Công chức một cửa".into(),
                role: Role::Officer,
                unit_id: Some(COMMUNE_A.into()),
            },
        )
        .await
        .unwrap();
    let leader = Principal {
        account_id: "acc-lanhdao".into(),
        username: "lanhdao".into(),
        display_name: "Lê Thị Cúc".into(),
        title: "Chủ tịch UBND phường".into(),
        role: Role::Leader,
        unit_id: Some(COMMUNE_A.into()),
    };
    let citizen = Principal {
        account_id: "acc-congdan".into(),
        username: "congdan".into(),
        display_name: "Nguyễn Thị Hoa".into(),
        title: String::new(),
        role: Role::Citizen,
        unit_id: None,
    };
    let new = |channel: Channel| NewDossier {
        // Đăng ký tạm trú: 3 working days on every channel, 10,000 đồng.
        procedure_code: "1.004194".into(),
        channel,
        applicant: ApplicantInput {
            kind: ApplicantKind::Citizen,
            name: "Nguyễn Thị Hoa".into(),
            id_number: "062190001234".into(),
            phone: "0905123456".into(),
            email: "hoa@example.vn".into(),
            address: "Phường Quang Trung, Kon Tum".into(),
        },
        components: vec![
            ComponentInput {
                name: "Tờ khai thay đổi thông tin cư trú".into(),
                digitised: true,
                reused: false,
                from_national_data: false,
                file_ref: None,
            },
            ComponentInput {
                name: "Giấy tờ chứng minh chỗ ở hợp pháp".into(),
                digitised: false,
                reused: true,
                from_national_data: true,
                file_ref: None,
            },
        ],
        competent_unit: None,
        receiving_unit: (channel == Channel::Online).then(|| COMMUNE_A.to_owned()),
    };
    let act = |who: &Principal, code: &str, action: Action| {
        let (app, who, code) = (app.clone(), who.clone(), code.to_owned());
        async move { app.act(&who, &code, None, action).await.unwrap() }
    };
    let result = |electronic: bool| ResultDoc {
        name: "Xác nhận đăng ký tạm trú".into(),
        electronic,
        file_ref: None,
    };

    // A: counter, supplement (Monday 10:00 → Wednesday 10:00), paid online, decided early.
    at("2025-03-03T08:00:00");
    let a = app
        .create_dossier(&officer, new(Channel::Counter))
        .await
        .unwrap()
        .code;
    at("2025-03-03T09:00:00");
    let assign = Action::Assign {
        officer: officer.account_id.clone(),
    };
    act(&officer, &a, assign).await;
    at("2025-03-03T10:00:00");
    let items = vec!["Giấy tờ chứng minh chỗ ở hợp pháp (bản rõ nét)".into()];
    let note = String::new();
    act(&officer, &a, Action::RequestSupplement { items, note }).await;
    at("2025-03-05T10:00:00");
    act(
        &officer,
        &a,
        Action::ReceiveSupplement {
            note: String::new(),
        },
    )
    .await;
    at("2025-03-05T10:30:00");
    let pay = Action::Pay {
        amount: 10_000,
        method: "Cổng thanh toán quốc gia".into(),
        online: true,
        reference: "PAY-1".into(),
    };
    act(&officer, &a, pay).await;
    at("2025-03-06T09:00:00");
    let decide = Action::Decide {
        outcome: Outcome::Approved,
        note: String::new(),
        results: vec![result(true)],
    };
    act(&officer, &a, decide).await;
    at("2025-03-06T10:00:00");
    let ret = Action::Return {
        method: Channel::Counter,
    };
    act(&officer, &a, ret).await;

    // B: online, accepted, decided the same day, returned, rated 5.
    at("2025-03-03T08:30:00");
    let b = app
        .create_dossier(&citizen, new(Channel::Online))
        .await
        .unwrap()
        .code;
    at("2025-03-03T09:30:00");
    act(&officer, &b, Action::Accept).await;
    at("2025-03-03T14:00:00");
    let decide = Action::Decide {
        outcome: Outcome::Approved,
        note: String::new(),
        results: vec![result(false)],
    };
    act(&officer, &b, decide).await;
    at("2025-03-04T08:00:00");
    let ret = Action::Return {
        method: Channel::Online,
    };
    act(&officer, &b, ret).await;
    at("2025-03-04T09:00:00");
    let rate = Action::Rate {
        score: 5,
        comment: "Nhanh".into(),
    };
    act(&citizen, &b, rate).await;

    // C: counter, extended by the leader with an apology, still open.
    at("2025-03-03T11:00:00");
    let c = app
        .create_dossier(&officer, new(Channel::Counter))
        .await
        .unwrap()
        .code;
    at("2025-03-06T10:00:00");
    let extend = Action::Extend {
        new_due: "2025-03-12T17:00:00".parse().unwrap(),
        reason: "Cần xác minh nơi cư trú".into(),
    };
    act(&leader, &c, extend).await;

    // The export is the administrator's alone.
    assert!(matches!(
        app.export_rows(&officer, ExportFilter::default()).await,
        Err(AppError::Forbidden(_))
    ));
    [a, b, c]
}

fn csv_rows(text: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, ExportRow::HEADER);
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn export_holds_every_indicator_input_and_audit_catches_an_edited_event() {
    let db = Db::new("export");
    import_all(&db);
    let [a, b, c] = three_dossiers(&db).await;
    assert!(a < b && b < c, "codes in creation order: {a} {b} {c}");

    let text = db.ok(&["export", "dossiers"]);
    // No personal data: neither the applicant's name, nor ID number, phone or e-mail.
    for personal in [
        "Nguyễn Thị Hoa",
        "062190001234",
        "0905123456",
        "hoa@example.vn",
    ] {
        assert!(!text.contains(personal), "{personal} leaked: {text}");
    }
    let rows = csv_rows(&text);
    assert_eq!(rows.len(), 3, "{text}");
    let by_code: HashMap<&str, &HashMap<String, String>> =
        rows.iter().map(|r| (r["code"].as_str(), r)).collect();
    let (ra, rb, rc) = (
        by_code[a.as_str()],
        by_code[b.as_str()],
        by_code[c.as_str()],
    );
    let expect = |row: &HashMap<String, String>, pairs: &[(&str, &str)]| {
        for (k, v) in pairs {
            assert_eq!(row[*k], *v, "{k} of {}", row["code"]);
        }
    };
    let common = [
        ("procedure_code", "1.004194"),
        ("applicant_kind", "1"),
        ("receiving_unit", COMMUNE_A),
        ("competent_unit", COMMUNE_A),
        ("current_unit", COMMUNE_A),
        ("time_limit", "3 working-days"),
        ("fee_bearing", "true"),
        ("components", "2"),
        ("components_digitised", "1"),
        ("components_reused", "1"),
        ("components_national_data", "1"),
    ];
    for row in [ra, rb, rc] {
        expect(row, &common);
    }
    // A: the supplement paused two working days (16 working hours) and moved the due date
    // from Thursday 08:00 to Monday 08:00; decided Thursday: early.
    expect(
        ra,
        &[
            ("channel", "1"),
            ("submitted_at", "2025-03-03T08:00:00+07:00"),
            ("received_at", "2025-03-03T08:00:00+07:00"),
            ("due_at", "2025-03-10T08:00:00+07:00"),
            ("decided_at", "2025-03-06T09:00:00+07:00"),
            ("returned_at", "2025-03-06T10:00:00+07:00"),
            ("closed_at", ""),
            ("status", "10"),
            ("outcome", "approved"),
            ("supplement_requests", "1"),
            ("paused_secs", "57600"),
            ("extensions", "0"),
            ("paid_amount", "10000"),
            ("paid_online", "true"),
            ("rating", ""),
            ("results", "1"),
            ("results_electronic", "1"),
            ("late", "false"),
            ("verdict", "early"),
            ("event_count", "7"),
        ],
    );
    // B: online, accepted an hour after submission, rated.
    expect(
        rb,
        &[
            ("channel", "2"),
            ("submitted_at", "2025-03-03T08:30:00+07:00"),
            ("received_at", "2025-03-03T09:30:00+07:00"),
            ("status", "10"),
            ("paid_amount", "0"),
            ("paid_online", "false"),
            ("rating", "5"),
            ("results_electronic", "0"),
            ("verdict", "early"),
            ("late", "false"),
            ("event_count", "5"),
        ],
    );
    // C: open past its extended date: late now, no verdict yet.
    expect(
        rc,
        &[
            ("status", "2"),
            ("due_at", "2025-03-12T17:00:00+07:00"),
            ("decided_at", ""),
            ("outcome", ""),
            ("extensions", "1"),
            ("paused_secs", "0"),
            ("late", "true"),
            ("verdict", ""),
            ("event_count", "2"),
        ],
    );
    // The last hash is the chain's head.
    let store = Store::connect(&db.url()).await.unwrap();
    for row in [ra, rb, rc] {
        let events = store.events(&row["code"]).await.unwrap();
        assert_eq!(row["last_hash"], events.last().unwrap().hash);
    }

    // JSON lines to a file: the same rows, typed.
    let jsonl = db.file(".jsonl");
    let msg = db.ok(&[
        "export",
        "dossiers",
        "--format",
        "jsonl",
        "--output",
        jsonl.to_str().unwrap(),
    ]);
    assert!(msg.starts_with("Đã xuất 3 hồ sơ (JSONL)"), "{msg}");
    let lines: Vec<Value> = std::fs::read_to_string(&jsonl)
        .unwrap()
        .lines()
        .map(json)
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["code"], a.as_str());
    assert_eq!(lines[0]["paused_secs"], 57600);
    assert_eq!(lines[0]["paid_online"], true);
    assert_eq!(lines[1]["rating"], 5);
    assert_eq!(lines[2]["verdict"], Value::Null);
    assert_eq!(lines[2]["late"], true);
    assert!(!Path::new(&format!("{}.part", jsonl.display())).exists());

    // Periods: nothing submitted before 3 March; from 7 March only the open dossier.
    let codes = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["export", "dossiers"];
        all.extend_from_slice(args);
        csv_rows(&db.ok(&all))
            .into_iter()
            .map(|r| r["code"].clone())
            .collect()
    };
    assert!(codes(&["--to", "2025-03-02"]).is_empty());
    assert_eq!(codes(&["--from", "2025-03-07"]), vec![c.clone()]);
    assert_eq!(
        codes(&["--from", "2025-03-03", "--to", "2025-03-03"]),
        [a.clone(), b.clone(), c.clone()]
    );

    // The chains are whole.
    let audit = db.ok(&["audit", "verify"]);
    assert!(audit.contains("3 hồ sơ, 14 sự kiện"), "{audit}");
    assert!(audit.contains("nguyên vẹn"), "{audit}");

    // Someone edits B's second event (the acceptance) in the database file, and moves the
    // time column of C's first event.
    let edited = store
        .execute_raw_for_tests(&format!(
            "UPDATE dossier_events SET canonical = replace(canonical, 'Trần Văn Bình', \
             'Trần Văn Bính') WHERE dossier_code = '{b}' AND seq = 2"
        ))
        .await
        .unwrap();
    assert_eq!(edited, 1);
    let edited = store
        .execute_raw_for_tests(&format!(
            "UPDATE dossier_events SET at = '2025-03-03T10:00:00' \
             WHERE dossier_code = '{c}' AND seq = 1"
        ))
        .await
        .unwrap();
    assert_eq!(edited, 1);
    let out = db.run(&["audit", "verify"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("3 hồ sơ, 14 sự kiện"), "{stdout}");
    assert!(stdout.contains("Phát hiện 2 hồ sơ"), "{stdout}");
    assert!(
        stdout.contains(&format!("hồ sơ {b}, sự kiện 2: mã băm không khớp nội dung")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "hồ sơ {c}, sự kiện 1: nội dung không đọc được hoặc khác các cột"
        )),
        "{stdout}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("lỗi: chuỗi sự kiện bị phá vỡ ở 2 hồ sơ; đầu tiên: ")
            && stderr.contains(&format!("hồ sơ {b}, sự kiện 2")),
        "{stderr}"
    );
    let machine = db.run(&["audit", "verify", "--format", "json"]);
    assert_eq!(machine.status.code(), Some(1));
    let v = json(&String::from_utf8(machine.stdout).unwrap());
    assert_eq!(v["ok"], false);
    assert_eq!(v["broken"].as_array().unwrap().len(), 2);
}
