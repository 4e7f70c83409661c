//! The `cchc` binary, run as a user runs it: arguments in, JSON or Vietnamese text out,
//! exit codes and one-line errors for bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bench_generate;
mod calendar;
mod indicators;
mod migrate;
mod ops;
mod pakn;
mod sync;

use std::process::{Command, Output};

/// Runs `cchc` with arguments and an optional data directory.
pub fn cchc(args: &[&str], data_dir: Option<&std::path::Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cchc"));
    cmd.args(args).env_remove("CCHC_DATA_DIR");
    if let Some(dir) = data_dir {
        cmd.env("CCHC_DATA_DIR", dir);
    }
    cmd.output().expect("the cchc binary runs")
}

/// Runs and parses stdout as JSON, asserting success.
pub fn json(args: &[&str]) -> serde_json::Value {
    let out = cchc(args, None);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// Runs expecting failure; returns the single stderr line.
pub fn fails(args: &[&str]) -> String {
    let out = cchc(args, None);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?} should fail with exit 2"
    );
    assert!(out.stdout.is_empty(), "nothing on stdout for {args:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("lỗi: "), "{err}");
    err
}
