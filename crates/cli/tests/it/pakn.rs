//! `cchc pakn list` and `cchc pakn overdue` on a database holding two PAKN received in March
//! 2025 (so their intake deadline has long passed): JSON and text, the unit and status
//! filters, and a Vietnamese one-line error for an unknown status or unit.

use cchc_app::catalogue::{ReferenceUnitFiles, reference_units};
use cchc_app::pakn::NewPakn;
use cchc_app::{App, Principal};
use std::process::{Command, Output};
use std::sync::Arc;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/");
const COMMUNE_A: &str = "w:23281";
const COMMUNE_B: &str = "w:23284";

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{DATA}{name}")).unwrap()
}

fn run(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cchc"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env_remove("CCHC_DATA_DIR")
        .env_remove("CCHC_DATABASE_URL")
        .output()
        .expect("the cchc binary runs")
}

fn json(url: &str, args: &[&str]) -> serde_json::Value {
    let out = run(url, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn prepare(url: &str) -> (String, String) {
    let store = cchc_store::Store::connect(url).await.unwrap();
    let calendar = Arc::new(cchc_domain::calendar::Calendar::embedded().unwrap());
    let app = App::new(store, calendar)
        .await
        .unwrap()
        .with_now(|| "2025-03-03T08:00:00".parse().unwrap());
    let files = ReferenceUnitFiles {
        pre2025_provinces: &read("vn_units_pre2025_provinces.csv"),
        pre2025_districts: &read("vn_units_pre2025_districts.csv"),
        pre2025_wards: &read("vn_units_pre2025_wards.csv"),
        provinces_2025: &read("vn_units_2025_provinces.csv"),
        wards_2025: &read("vn_units_2025_wards.csv"),
        kon_tum_mapping: &read("kontum_units_pre2025_with_2025_mapping.csv"),
    };
    app.import_units(&Principal::system(), reference_units(files, false).unwrap())
        .await
        .unwrap();
    let submit = |category: &str, unit: &str| NewPakn {
        category: category.into(),
        subject: "don-vi".into(),
        unit: unit.into(),
        body: "Cán bộ hẹn lại nhiều lần, không rõ lý do.".into(),
        phone: "0905123456".into(),
        consent: true,
        ..NewPakn::default()
    };
    let a = app
        .submit_pakn(None, submit("nhung-nhieu", COMMUNE_A), Vec::new())
        .await
        .unwrap();
    let b = app
        .submit_pakn(None, submit("thai-do", COMMUNE_B), Vec::new())
        .await
        .unwrap();
    (a.code, b.code)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pakn_list_and_overdue() {
    let path = std::env::temp_dir().join(format!("cchc-cli-pakn-{}.db", std::process::id()));
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
    let url = format!("sqlite://{}", path.display());
    let (a, b) = prepare(&url).await;

    // Everything, newest first; by unit; by status.
    let all = json(&url, &["pakn", "list", "--format", "json"]);
    let mut got = codes(&all);
    got.sort();
    let mut want = vec![a.clone(), b.clone()];
    want.sort();
    assert_eq!(got, want);
    let one = json(
        &url,
        &["pakn", "list", "--unit", COMMUNE_A, "--format", "json"],
    );
    assert_eq!(codes(&one), std::slice::from_ref(&a));
    assert_eq!(one[0]["flagged"], true);
    assert_eq!(one[0]["status"], "received");
    let waiting = json(
        &url,
        &[
            "pakn",
            "list",
            "--status",
            "cho-phan-loai",
            "--format",
            "json",
        ],
    );
    assert_eq!(codes(&waiting).len(), 2);
    let answered = json(
        &url,
        &["pakn", "list", "--status", "da-tra-loi", "--format", "json"],
    );
    assert!(codes(&answered).is_empty());

    // Text: one line per PAKN with its status, plus its excerpt.
    let out = run(&url, &["pakn", "list", "--unit", COMMUNE_B]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("1 phản ánh, kiến nghị"), "{text}");
    assert!(
        text.contains(&b) && text.contains("Chờ phân loại"),
        "{text}"
    );
    assert!(text.contains("(quá hạn)"), "{text}");

    // Overdue: both intake deadlines passed long ago.
    let overdue = json(&url, &["pakn", "overdue", "--format", "json"]);
    assert_eq!(codes(&overdue).len(), 2);
    assert!(overdue[0]["overdue"].as_bool().unwrap());
    let out = run(&url, &["pakn", "overdue"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("Quá hạn tại Toàn tỉnh"), "{text}");

    // Bad input: one Vietnamese line, exit 2, nothing on stdout.
    for (args, needle) in [
        (
            vec!["pakn", "list", "--status", "xong"],
            "trạng thái 'xong' không hợp lệ",
        ),
        (
            vec!["pakn", "overdue", "--unit", "khong-co"],
            "đơn vị khong-co",
        ),
    ] {
        let out = run(&url, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.starts_with("lỗi: ") && err.contains(needle), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
}
