//! `cchc migrate sqlite-to-postgres`: copies a province's embedded database (SQLite) into a
//! new PostgreSQL database, then checks the copy — row counts of every table, the heads of
//! every dossier's and PAKN's hash chain on both sides, every chain re-hashed on the target —
//! and prints the report as Vietnamese text or JSON. `--verify-only` checks an earlier copy.
//! A failed check prints the report and exits 1; bad arguments or a target that already
//! holds data are one Vietnamese line and exit 2.

use anyhow::anyhow;
use cchc_domain::text::{group_thousands, number};
use cchc_store::Store;
use cchc_store::migrate::{ChainCheck, MigrateError, TransferReport, sqlite_to_postgres};
use clap::Subcommand;
use std::fmt::Write as _;
use std::io::Write as _;

use crate::calendar_cmd::print_json;
use crate::{Format, runtime, usage};

#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Chép cơ sở dữ liệu SQLite sang một cơ sở dữ liệu PostgreSQL mới (chưa có dữ liệu) rồi
    /// kiểm tra: số dòng từng bảng, đầu chuỗi băm của mọi hồ sơ và phản ánh, kiến nghị, toàn
    /// bộ chuỗi sự kiện trên đích. Nên dừng máy chủ đang ghi vào nguồn trước khi chép.
    SqliteToPostgres {
        /// Nguồn: sqlite://ĐƯỜNG_DẪN (tệp phải có sẵn).
        #[arg(long)]
        from: String,
        /// Đích: postgres://NGƯỜI_DÙNG:MẬT_KHẨU@MÁY/CSDL (cơ sở dữ liệu đã tạo, chưa có dữ liệu;
        /// lược đồ được tạo nếu chưa có).
        #[arg(long)]
        to: String,
        /// Chỉ kiểm tra một bản đã chép, không chép.
        #[arg(long)]
        verify_only: bool,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

/// A database URL without its password, for messages.
fn shown(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((_, host)) => format!("{scheme}://…@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// Runs `cchc migrate …`.
pub fn run(cmd: &MigrateCommand, out: &mut String) -> anyhow::Result<()> {
    let MigrateCommand::SqliteToPostgres {
        from,
        to,
        verify_only,
        format,
    } = cmd;
    let path = from
        .strip_prefix("sqlite://")
        .or(from.strip_prefix("sqlite:"))
        .ok_or_else(|| {
            usage(format!(
                "nguồn phải là sqlite://ĐƯỜNG_DẪN, không phải '{from}'"
            ))
        })?;
    // Opening a missing file would create an empty database and copy nothing.
    if !std::path::Path::new(path).is_file() {
        return Err(usage(format!(
            "không tìm thấy tệp cơ sở dữ liệu nguồn {path}"
        )));
    }
    if !(to.starts_with("postgres://") || to.starts_with("postgresql://")) {
        return Err(usage(format!(
            "đích phải là postgres://…, không phải '{}'",
            shown(to)
        )));
    }
    runtime::block_on(async {
        // A check only reads the source: opened as it is, read-only (not migrated).
        let source = if *verify_only {
            Store::open_sqlite_read_only(from).await
        } else {
            Store::connect(from).await
        }
        .map_err(|e| anyhow!("không mở được cơ sở dữ liệu nguồn {from}: {e}"))?;
        let target = Store::connect(to)
            .await
            .map_err(|e| anyhow!("không mở được cơ sở dữ liệu đích {}: {e}", shown(to)))?;
        let report = sqlite_to_postgres(&source, &target, *verify_only)
            .await
            .map_err(|e| match e {
                MigrateError::TargetNotEmpty(_) | MigrateError::Backends => usage(e),
                other => anyhow!(other),
            })?;
        source.close().await;
        target.close().await;
        match format {
            Format::Json => print_json(out, &report)?,
            Format::Text => print_text(out, &report)?,
        }
        if report.ok {
            return Ok(());
        }
        // The report goes out even though the command fails: print it here, then exit 1.
        let mut stdout = std::io::stdout().lock();
        let _ = stdout
            .write_all(out.as_bytes())
            .and_then(|()| stdout.flush());
        out.clear();
        Err(anyhow!("bản chép không khớp nguồn; xem báo cáo"))
    })?
}

fn seconds(s: f64) -> String {
    format!("{} giây", number(s, 1))
}

fn rows(n: Option<i64>) -> String {
    n.map_or_else(|| "không có bảng".to_owned(), group_thousands)
}

fn chains(out: &mut String, what: &str, c: &ChainCheck) -> std::fmt::Result {
    let items = |n: u64| group_thousands(i64::try_from(n).unwrap_or(i64::MAX));
    let heads = if c.heads_match {
        format!(
            "đầu chuỗi khớp (SHA-256 {}…)",
            c.target_digest.get(..16).unwrap_or(&c.target_digest)
        )
    } else {
        format!(
            "đầu chuỗi KHÔNG khớp (nguồn {}…, đích {}…)",
            c.source_digest.get(..16).unwrap_or(&c.source_digest),
            c.target_digest.get(..16).unwrap_or(&c.target_digest)
        )
    };
    writeln!(
        out,
        "{what}: {} ở nguồn, {} ở đích; {heads}; băm lại {} sự kiện trên đích: {}.",
        items(c.source_items),
        items(c.target_items),
        items(c.target_events),
        if c.broken.is_empty() {
            "nguyên vẹn".to_owned()
        } else {
            format!("{} chuỗi bị phá vỡ", c.broken.len())
        }
    )?;
    for b in &c.broken {
        writeln!(out, "  - {b}")?;
    }
    if let Some(src) = &c.broken_in_source {
        if src.is_empty() {
            writeln!(out, "  Ở nguồn các chuỗi này nguyên vẹn: hỏng khi chép.")?;
        } else if *src == c.broken {
            writeln!(out, "  Các chuỗi này đã hỏng sẵn ở nguồn.")?;
        } else {
            writeln!(out, "  Ở nguồn có {} chuỗi bị phá vỡ:", src.len())?;
            for b in src {
                writeln!(out, "  - {b}")?;
            }
        }
    }
    Ok(())
}

fn print_text(out: &mut String, r: &TransferReport) -> anyhow::Result<()> {
    let total = |n: u64| group_thousands(i64::try_from(n).unwrap_or(i64::MAX));
    if let Some(c) = &r.copy {
        let copied = c.tables.iter().filter(|t| !t.filled_by_trigger).count();
        writeln!(
            out,
            "Đã chép {copied} bảng, {} dòng trong {} ({} dòng/giây); thống kê cho bộ lập kế hoạch: {}.",
            total(c.rows),
            seconds(c.seconds),
            number(c.rows_per_second, 0),
            seconds(c.analyze_seconds),
        )?;
        for t in c.tables.iter().filter(|t| t.filled_by_trigger) {
            writeln!(
                out,
                "Bảng {} do trigger điền ({} dòng), không chép.",
                t.table,
                total(t.rows)
            )?;
        }
        for s in &c.skipped {
            let side = if s.only_in == "source" {
                "nguồn"
            } else {
                "đích"
            };
            writeln!(out, "Bỏ qua bảng {} (chỉ có ở {side}).", s.table)?;
        }
        if c.partitions_created > 0 {
            writeln!(
                out,
                "Đã tạo {} phân vùng theo tháng cho dữ liệu.",
                c.partitions_created
            )?;
        }
        for s in &c.sequences {
            writeln!(out, "Đặt lại bộ đếm {s}.")?;
        }
    }
    writeln!(out, "Số dòng từng bảng (nguồn → đích):")?;
    for t in &r.check.tables {
        writeln!(
            out,
            "  {} {}: {} → {}",
            if t.ok { "✓" } else { "✗" },
            t.table,
            rows(t.source_rows),
            rows(t.target_rows)
        )?;
    }
    chains(out, "Chuỗi sự kiện hồ sơ", &r.check.dossiers)?;
    chains(out, "Chuỗi sự kiện phản ánh, kiến nghị", &r.check.pakn)?;
    let compared: Vec<_> = r
        .check
        .tables
        .iter()
        .filter(|t| t.source_rows.is_some() && t.target_rows.is_some())
        .collect();
    let mismatched = r.check.tables.iter().filter(|t| !t.ok).count();
    let verdict = if r.ok {
        "khớp".to_owned()
    } else if mismatched > 0 {
        format!("KHÔNG khớp ({mismatched} bảng lệch số dòng)")
    } else {
        "KHÔNG khớp (chuỗi sự kiện)".to_owned()
    };
    let source_rows: i64 = compared.iter().filter_map(|t| t.source_rows).sum();
    match &r.copy {
        Some(c) => writeln!(
            out,
            "Đã chép {} bảng, {} dòng; kiểm tra ({}): {verdict}",
            c.tables.iter().filter(|t| !t.filled_by_trigger).count(),
            total(c.rows),
            seconds(r.check.seconds)
        )?,
        None => writeln!(
            out,
            "Đã kiểm tra {} bảng, {} dòng ở nguồn ({}): {verdict}",
            compared.len(),
            group_thousands(source_rows),
            seconds(r.check.seconds)
        )?,
    }
    Ok(())
}
