//! The procedure catalogue imported from the real national data (2,642 procedures crawled from
//! the national public service portal, `shared/data/tthc_dvcqg_2642_procedures.csv`), and the
//! importer's behaviour on broken input.

use cchc_domain::calendar::{LimitUnit, StartRule, TimeLimit};
use cchc_domain::procedure::{
    Channel, ChannelStats, Fee, ImportReport, IssueKind, LimitProblem, OnlineKind, Procedure,
    ProcedureError, ProcedureFilter, ProcedureLevel, QualityIssue, RowProblem, parse_catalogue,
};
use cchc_domain::text::fold;
use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

/// The CI clone has `shared/` beside the repository, as on the development machines.
const CATALOGUE: &str = include_str!("../../../../../shared/data/tthc_dvcqg_2642_procedures.csv");

fn report() -> &'static ImportReport {
    static REPORT: OnceLock<ImportReport> = OnceLock::new();
    REPORT
        .get_or_init(|| parse_catalogue(CATALOGUE).expect("the real catalogue has a valid header"))
}

fn get(code: &str) -> &'static Procedure {
    report()
        .get(code)
        .unwrap_or_else(|| panic!("{code} is in the catalogue"))
}

fn limit(spec: &str) -> Option<TimeLimit> {
    Some(spec.parse().expect("test limits are well-formed"))
}

#[test]
fn every_real_row_is_accounted_for() {
    let r = report();
    assert_eq!(r.rows_read, 2642);
    assert_eq!(r.procedures.len() + r.rejected_rows.len(), r.rows_read);
    assert!(r.rejected_rows.is_empty(), "{:?}", r.rejected_rows);
    let codes: HashSet<&str> = r.procedures.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes.len(), 2642, "codes are unique");
    assert!(r.procedures.iter().all(|p| !p.name.is_empty()));
}

#[test]
fn real_statistics() {
    let r = report();
    let s = r.stats();
    println!("{s:#?}\n{:#?}", r.issue_counts);
    let ch = |available,
              working_days,
              days,
              working_hours,
              untyped_limits,
              fee_none,
              fee_amount,
              fee_foreign,
              fee_unknown| ChannelStats {
        available,
        working_days,
        days,
        working_hours,
        untyped_limits,
        fee_none,
        fee_amount,
        fee_foreign,
        fee_text: 0,
        fee_unknown,
    };
    assert_eq!(
        s.channels,
        [
            ch(2495, 1429, 568, 51, 447, 1719, 422, 17, 337),
            ch(2102, 1220, 443, 60, 379, 1421, 360, 13, 308),
            ch(2204, 1301, 524, 21, 358, 1546, 358, 11, 289),
        ]
    );
    for c in &s.channels {
        assert_eq!(
            c.working_days + c.days + c.working_hours + c.untyped_limits,
            c.available
        );
        assert_eq!(
            c.fee_none + c.fee_amount + c.fee_foreign + c.fee_text + c.fee_unknown,
            c.available
        );
    }
    assert_eq!(s.fee_bearing, 460);
    assert_eq!(
        (s.fully_online, s.partly_online, s.not_online),
        (0, 2102, 540)
    );
    assert_eq!(s.with_issues, 865);

    let expected: BTreeMap<IssueKind, usize> = [
        (IssueKind::CodeMismatch, 17),
        (IssueKind::NoChannel, 15),
        (IssueKind::UntypedLimit, 1184),
        (IssueKind::UnknownFee, 934),
        (IssueKind::SuspiciousFee, 104),
    ]
    .into();
    assert_eq!(r.issue_counts, expected);
}

#[test]
fn untyped_limits_by_reason() {
    let mut by: BTreeMap<LimitProblem, usize> = BTreeMap::new();
    for p in &report().procedures {
        for q in &p.quality {
            if let QualityIssue::UntypedLimit { problem, .. } = q {
                *by.entry(*problem).or_default() += 1;
            }
        }
    }
    // "(không ghi)": a number without unit; "Không có thông tin"; "Tháng".
    assert_eq!(by.get(&LimitProblem::NoUnit), Some(&(321 + 277 + 259)));
    assert_eq!(by.get(&LimitProblem::Missing), Some(&(118 + 99 + 96)));
    assert_eq!(by.get(&LimitProblem::MonthsOrYears), Some(&(8 + 3 + 3)));
    assert_eq!(by.len(), 3, "{by:?}");
}

#[test]
fn exactly_17_code_mismatches_are_reported() {
    let flagged: Vec<&Procedure> = report()
        .procedures
        .iter()
        .filter(|p| {
            p.quality
                .iter()
                .any(|q| q.kind() == IssueKind::CodeMismatch)
        })
        .collect();
    assert_eq!(flagged.len(), 17);
    let p = get("1.014208");
    assert_eq!(
        p.quality,
        vec![
            QualityIssue::CodeMismatch {
                code_in_text: "1.014023".into()
            },
            QualityIssue::UnknownFee {
                channel: Channel::Counter
            },
            QualityIssue::UnknownFee {
                channel: Channel::Online
            },
            QualityIssue::UnknownFee {
                channel: Channel::Post
            },
        ]
    );
    assert!(p.quality[0].description().contains("1.014023"));
}

#[test]
fn birth_registration() {
    // 1.001193 "Thủ tục đăng ký khai sinh": the portal gives "1" with no unit on every channel,
    // so the limit is not guessed; it is free everywhere.
    let p = get("1.001193");
    assert_eq!(p.name, "Thủ tục đăng ký khai sinh");
    assert_eq!(p.level.levels, vec![ProcedureLevel::Commune]);
    assert_eq!(p.field, "Hộ tịch");
    for ch in Channel::ALL {
        let info = p.channel(ch);
        assert!(info.available);
        assert_eq!(info.limit, None);
        assert_eq!(info.limit_raw, "1 (không ghi)");
        assert_eq!(info.fee, Fee::None);
        assert!(p.quality.contains(&QualityIssue::UntypedLimit {
            channel: ch,
            raw: "1 (không ghi)".into(),
            problem: LimitProblem::NoUnit,
        }));
    }
    assert_eq!(p.online_kind, OnlineKind::PartlyOnline);
    assert!(!p.fee_bearing);
    assert!(!p.after_15h_next_day);

    // 1.003583 "Thủ tục đăng ký khai sinh lưu động": 5 working days at the counter only.
    let p = get("1.003583");
    assert_eq!(p.limit(Channel::Counter), limit("5 working-days"));
    assert_eq!(p.channel(Channel::Counter).fee, Fee::None);
    assert!(!p.channel(Channel::Online).available);
    assert_eq!(p.limit(Channel::Online), None);
    assert_eq!(p.online_kind, OnlineKind::NotOnline);
    assert_eq!(
        p.implementing_agency, "Ủy ban Nhân dân xã, phường, thị trấn.",
        "non-breaking spaces cleaned"
    );
    assert!(p.quality.is_empty(), "{:?}", p.quality);
}

#[test]
fn real_limits_and_fees_are_typed() {
    // Half days, calendar days, hours, months, USD, tiny amounts, no channel at all.
    let p = get("1.013097");
    for ch in Channel::ALL {
        assert_eq!(p.limit(ch), limit("1.5 working-days"));
        assert_eq!(
            p.channel(ch).fee,
            Fee::Amount {
                vnd: 40_000,
                note: None
            }
        );
    }
    assert!(p.fee_bearing);

    let p = get("1.000253");
    assert_eq!(p.limit(Channel::Counter), limit("7 days"));
    assert_eq!(p.channel(Channel::Counter).fee, Fee::Unknown);

    let p = get("1.010047");
    assert_eq!(p.limit(Channel::Online), limit("1 working-hours"));

    let p = get("1.001010");
    assert_eq!(p.limit(Channel::Counter), None);
    assert!(p.quality.contains(&QualityIssue::UntypedLimit {
        channel: Channel::Counter,
        raw: "6 Tháng".into(),
        problem: LimitProblem::MonthsOrYears,
    }));
    assert_eq!(
        p.channel(Channel::Counter).fee,
        Fee::Foreign {
            amount: 100,
            currency: "USD".into()
        }
    );
    assert!(p.fee_bearing);

    let p = get("2.002011");
    assert_eq!(
        p.channel(Channel::Counter).fee,
        Fee::Amount { vnd: 5, note: None }
    );
    assert_eq!(p.channel(Channel::Online).fee, Fee::None, "0 VNĐ");
    assert!(p.quality.iter().any(|q| matches!(
        q,
        QualityIssue::SuspiciousFee {
            channel: Channel::Counter,
            vnd: 5,
            ..
        }
    )));

    let p = get("1.007689");
    assert!(p.channels.iter().all(|c| !c.available));
    assert!(p.quality.contains(&QualityIssue::NoChannel));
    assert_eq!(p.online_kind, OnlineKind::NotOnline);
}

#[test]
fn typed_limits_agree_with_their_source_units() {
    for p in &report().procedures {
        for info in &p.channels {
            let Some(limit) = info.limit else { continue };
            let unit = info.limit_raw.split_once(' ').map_or("", |(_, u)| u);
            let expected = match unit {
                "Ngày làm việc" => LimitUnit::WorkingDays,
                "Ngày" => LimitUnit::Days,
                "Giờ" => LimitUnit::WorkingHours,
                other => panic!("{}: unexpected typed unit {other}", p.code),
            };
            assert_eq!(limit.unit(), expected, "{}", p.code);
            assert!(limit.hundredths() > 0);
        }
    }
}

#[test]
fn parsing_twice_gives_identical_fingerprints() {
    let again = parse_catalogue(CATALOGUE).expect("valid");
    assert_eq!(&again, report());
    let first: Vec<String> = report()
        .procedures
        .iter()
        .map(|p| p.fingerprint())
        .collect();
    let second: Vec<String> = again.procedures.iter().map(|p| p.fingerprint()).collect();
    assert_eq!(first, second);
    let distinct: HashSet<&String> = first.iter().collect();
    assert_eq!(
        distinct.len(),
        first.len(),
        "distinct procedures, distinct fingerprints"
    );
    assert!(first.iter().all(|f| f.len() == 64));
    // Pinned: the encoding is stable across runs, machines and Rust versions; changing it on
    // purpose means bumping its version tag (every stored row is then updated once).
    assert_eq!(
        get("1.001193").fingerprint(),
        "7d2c1191210a0c1ba7870812c1e066158671f1f4a56d758d24a048eee5700968"
    );
}

#[test]
fn fingerprint_tracks_content_not_settings() {
    let p = get("1.003583").clone();
    let mut edited = p.clone();
    edited.set_online_kind(OnlineKind::FullyOnline);
    edited.set_fee_bearing(true);
    edited.set_after_15h_next_day(true);
    assert_eq!(edited.fingerprint(), p.fingerprint());
    assert_eq!(edited.start_rule(), StartRule::after_15h());
    assert_eq!(p.start_rule(), StartRule::default());

    // A re-import with a changed limit: new fingerprint, the administrator's settings kept.
    let mut fresh = p.clone();
    fresh.channels[Channel::Counter.index()].limit = limit("3 working-days");
    assert_ne!(fresh.fingerprint(), p.fingerprint());
    let merged = edited.refreshed(fresh.clone());
    assert_eq!(merged.limit(Channel::Counter), limit("3 working-days"));
    assert_eq!(merged.online_kind, OnlineKind::FullyOnline);
    assert!(merged.fee_bearing && merged.after_15h_next_day);
    assert_eq!(merged.fingerprint(), fresh.fingerprint());

    // Without overrides a refresh takes the fresh derived values.
    let mut reset = merged.clone();
    reset.reset_settings();
    assert_eq!(reset.online_kind, OnlineKind::NotOnline);
    assert!(!reset.fee_bearing && !reset.after_15h_next_day);
    assert_eq!(reset.refreshed(fresh.clone()), fresh);
}

#[test]
fn search_is_diacritics_insensitive() {
    let r = report();
    let find = |filter: &ProcedureFilter| -> Vec<&str> {
        r.procedures
            .iter()
            .filter(|p| filter.matches(p))
            .map(|p| p.code.as_str())
            .collect()
    };
    let plain = find(&ProcedureFilter::new().query("dang ky khai sinh"));
    let accented = find(&ProcedureFilter::new().query("  ĐĂNG KÝ   khai sinh "));
    assert_eq!(plain, accented);
    assert!(plain.contains(&"1.001193") && plain.contains(&"1.003583"));
    for c in &plain {
        let name = &get(c).name_folded;
        assert!(
            ["dang", "ky", "khai", "sinh"]
                .iter()
                .all(|w| name.contains(w)),
            "{c}: {name}"
        );
    }
    println!("'dang ky khai sinh' finds {} procedures", plain.len());
    // Words in any order.
    assert_eq!(
        find(&ProcedureFilter::new().query("khai sinh dang ky")),
        plain
    );
    // Code prefix.
    assert_eq!(
        find(&ProcedureFilter::new().query("1.00119")),
        vec!["1.001194", "1.001193"],
        "file order"
    );
    assert!(get("1.001193").matches(&fold("1.001193 khai sinh")));
    assert!(!get("1.001193").matches(&fold("kết hôn")));
    // Facets.
    let commune_online = find(
        &ProcedureFilter::new()
            .query("khai sinh")
            .level(ProcedureLevel::Commune)
            .online_kind(OnlineKind::NotOnline),
    );
    assert!(commune_online.contains(&"1.003583"));
    assert!(!commune_online.contains(&"1.001193"));
    let civil = find(&ProcedureFilter::new().field("ho tich").has_issues(false));
    assert!(civil.contains(&"1.003583") && !civil.contains(&"1.001193"));
    assert_eq!(find(&ProcedureFilter::new()).len(), 2642);
}

// ---- broken input -------------------------------------------------------------------------

/// The real header.
fn header() -> &'static str {
    CATALOGUE.lines().next().expect("a header line")
}

/// A well-formed data row in the real column order.
fn row(code: &str, name: &str) -> String {
    format!(
        "{code},\"{name}\",Cấp xã,Hộ tịch,Loại khác,1/QĐ-UBND,,UBND xã,Công dân Việt Nam,\
         1,5,Ngày làm việc,\"Lệ phí: 8.000 đồng\",1,\"0,5\",Ngày,Không,0,,,,\"free\ntext\",src,url,{code},0"
    )
}

/// A data row without any quote.
fn plain_row(code: &str, name: &str) -> String {
    format!(
        "{code},{name},Cấp xã,Hộ tịch,Loại khác,1/QĐ-UBND,,UBND xã,Công dân Việt Nam,\
         1,5,Ngày làm việc,Miễn phí,0,,,,0,,,,raw,src,url,{code},0"
    )
}

fn csv(rows: &[String]) -> String {
    let mut text = header().to_owned();
    for r in rows {
        text.push('\n');
        text.push_str(r);
    }
    text.push('\n');
    text
}

#[test]
fn synthetic_row_is_read() {
    let r = parse_catalogue(&csv(&[row("9.000001", "Đăng ký thử")])).expect("valid");
    assert_eq!(r.rows_read, 1);
    let p = &r.procedures[0];
    assert_eq!(p.limit(Channel::Counter), limit("5 working-days"));
    assert_eq!(
        p.channel(Channel::Counter).fee,
        Fee::Amount {
            vnd: 8_000,
            note: Some("Lệ phí".into())
        }
    );
    // "0,5" with a decimal comma, quoted because of the comma.
    assert_eq!(p.limit(Channel::Online), limit("0.5 days"));
    assert_eq!(p.channel(Channel::Online).fee, Fee::None);
    assert!(!p.channel(Channel::Post).available);
    assert!(p.quality.is_empty(), "{:?}", p.quality);
    assert!(p.fee_bearing);
    // The same row as plain text, without quotes.
    let r = parse_catalogue(&csv(&[plain_row("9.000002", "Hai")])).expect("valid");
    assert_eq!(r.procedures[0].name, "Hai");
    assert_eq!(
        r.procedures[0].limit(Channel::Counter),
        limit("5 working-days")
    );
}

#[test]
fn missing_column_is_a_clear_error() {
    let text = csv(&[row("9.000001", "x")]).replacen("phi_truc_tuyen", "phi_online", 1);
    let err = parse_catalogue(&text).expect_err("a required column is missing");
    assert_eq!(
        err,
        ProcedureError::MissingColumns(vec!["phi_truc_tuyen".into()])
    );
    assert_eq!(
        err.to_string(),
        "dòng tiêu đề thiếu cột bắt buộc: phi_truc_tuyen"
    );

    let text = csv(&[]).replacen("ten_thu_tuc", "ma_thu_tuc", 1);
    let err = parse_catalogue(&text).expect_err("a repeated column");
    assert_eq!(err, ProcedureError::DuplicateColumn("ma_thu_tuc".into()));
    assert!(err.to_string().contains("xuất hiện hơn một lần"));

    assert_eq!(parse_catalogue(""), Err(ProcedureError::Empty));
    assert_eq!(
        parse_catalogue("\n\n"),
        Err(ProcedureError::Empty),
        "blank lines only"
    );
}

#[test]
fn optional_columns_may_be_absent() {
    // A province's own catalogue without the crawler's columns, with a BOM and CRLF endings.
    let head = "ma_thu_tuc,ten_thu_tuc,cap_thuc_hien,linh_vuc,loai_thu_tuc,so_quyet_dinh,\
co_quan_co_tham_quyen,co_quan_thuc_hien,doi_tuong_thuc_hien,\
kenh_truc_tiep,thoi_han_truc_tiep_so,thoi_han_truc_tiep_don_vi,phi_truc_tiep,\
kenh_truc_tuyen,thoi_han_truc_tuyen_so,thoi_han_truc_tuyen_don_vi,phi_truc_tuyen,\
kenh_buu_chinh,thoi_han_buu_chinh_so,thoi_han_buu_chinh_don_vi,phi_buu_chinh";
    let text = format!(
        "\u{feff}{head}\r\nKT.01,Thủ tục riêng,Cấp tỉnh,Khác,,,,,,1,\"0,5\",Ngày làm việc,\"50.000 Đồng\",2,1/2,Giờ,,0,,,\r\n"
    );
    let r = parse_catalogue(&text).expect("valid");
    assert!(r.rejected_rows.is_empty(), "{:?}", r.rejected_rows);
    let p = &r.procedures[0];
    assert_eq!(p.code, "KT.01");
    assert_eq!(p.limit(Channel::Counter), limit("0.5 working-days"));
    assert_eq!(
        p.channel(Channel::Counter).fee,
        Fee::Amount {
            vnd: 50_000,
            note: None
        }
    );
    // "2" is not a channel flag: inferred available from its data, and reported.
    assert!(p.channel(Channel::Online).available);
    assert_eq!(p.channel(Channel::Online).limit, limit("0.5 working-hours"));
    assert!(p.quality.contains(&QualityIssue::BadChannelFlag {
        channel: Channel::Online,
        raw: "2".into()
    }));
    assert!(p.quality.contains(&QualityIssue::UnknownFee {
        channel: Channel::Online
    }));
    assert!(p.detail_url.is_empty() && p.source.is_empty());
}

#[test]
fn bad_rows_are_rejected_with_their_line() {
    let text = csv(&[
        row("9.000001", "Một"),               // line 2-3 (a field spans two lines)
        row("", "Không mã"),                  // 4-5: empty code
        row("9.000001", "Trùng"),             // 6-7: duplicate of line 2
        "9.000002,too,few,fields".to_owned(), // 8
        row("9 000003", "Mã có dấu cách"),    // 9-10
        row("9.000004", "Bốn"),               // 11-12
        "9.000005,\"Năm chưa đóng ngoặc,Cấp xã".to_owned(), // 13: the quote never closes
        plain_row("9.000006", "Sáu"),         // 14: swallowed into line 13
    ]);
    let r = parse_catalogue(&text).expect("the header is fine");
    assert_eq!(r.rows_read, 7);
    assert_eq!(r.procedures.len() + r.rejected_rows.len(), r.rows_read);
    let kept: Vec<&str> = r.procedures.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(kept, vec!["9.000001", "9.000004"]);
    assert_eq!(
        r.procedures[0].name, "Một",
        "a duplicate keeps the first row"
    );

    let got: Vec<(u64, u64, &RowProblem)> = r
        .rejected_rows
        .iter()
        .map(|x| (x.line, x.end_line, &x.problem))
        .collect();
    assert_eq!(got[0], (4, 5, &RowProblem::EmptyCode));
    assert_eq!(
        got[1],
        (
            6,
            7,
            &RowProblem::DuplicateCode {
                code: "9.000001".into(),
                first_line: 2
            }
        )
    );
    assert_eq!(
        got[2],
        (
            8,
            8,
            &RowProblem::FieldCount {
                expected: 26,
                found: 4
            }
        )
    );
    assert_eq!(got[3], (9, 10, &RowProblem::BadCode("9 000003".into())));
    assert_eq!(got[4].0, 13);
    assert!(got[4].1 >= 14, "the unclosed quote swallowed the next row");
    assert!(matches!(got[4].2, RowProblem::FieldCount { .. }));

    let messages: Vec<String> = r.rejected_rows.iter().map(|x| x.to_string()).collect();
    assert_eq!(messages[0], "dòng 4–5: thiếu mã thủ tục");
    assert_eq!(
        messages[1],
        "dòng 6–7: mã thủ tục 9.000001 trùng với dòng 2: giữ dòng đầu, bỏ dòng này"
    );
    assert!(messages[2].starts_with("dòng 8: dòng có 4 cột, cần 26 cột"));
    assert!(messages[4].contains("dấu ngoặc kép"));
}

#[test]
fn header_only_is_an_empty_catalogue() {
    let r = parse_catalogue(&csv(&[])).expect("valid");
    assert_eq!(r.rows_read, 0);
    assert!(r.procedures.is_empty() && r.rejected_rows.is_empty());
}
