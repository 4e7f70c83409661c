//! Demo citizen feedback (PAKN) for the demo database: a few dozen items across Kon Tum's
//! (Quảng Ngãi's since 2025) wards, dated back from `now`, in every state: waiting for
//! classification (some overdue), being processed (some overdue), waiting for information,
//! answered, published and rated, refused, and one harassment report at Phường Kon Tum
//! received the day before, flagged on its leader's board. Every step goes through the real
//! use cases, so events, deadlines and projections are the product's own.

use cchc_domain::pakn::Category;
use jiff::civil::DateTime;
use serde::Serialize;

use crate::demo_desk::{DESK_UNIT, OTHER_UNIT};
use crate::pakn::{Follower, NewPakn};
use crate::{App, Principal, Result, Role};

/// What was seeded.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DemoPaknReport {
    pub skipped: bool,
    pub created: usize,
    pub published: usize,
}

const TEXTS: [(&str, &str); 5] = [
    (
        "thai-do",
        "Cán bộ tiếp nhận trả lời thiếu tôn trọng khi tôi hỏi về thành phần hồ sơ.",
    ),
    (
        "cham-tre",
        "Hồ sơ đăng ký của tôi đã quá ngày hẹn trả nhưng chưa nhận được thông báo.",
    ),
    (
        "ngoai-quy-dinh",
        "Bộ phận một cửa yêu cầu nộp thêm bản sao chứng thực không có trong quy định.",
    ),
    (
        "kien-nghi",
        "Đề nghị bố trí thêm ghế chờ và máy lấy số thứ tự tại bộ phận một cửa.",
    ),
    (
        "cham-tre",
        "Đã nộp trực tuyến nhưng hồ sơ vẫn ở trạng thái chờ tiếp nhận nhiều ngày.",
    ),
];

fn staff(unit: &str, role: Role) -> Principal {
    Principal {
        account_id: format!("demo-{unit}"),
        username: format!("demo-{unit}"),
        display_name: "Cán bộ đơn vị (dữ liệu mẫu)".into(),
        title: String::new(),
        role,
        unit_id: Some(unit.to_owned()),
    }
}

fn at(now: DateTime, days_ago: i64, hour: i8) -> DateTime {
    let d = now
        .date()
        .checked_sub(jiff::Span::new().days(days_ago))
        .unwrap_or(now.date());
    d.to_datetime(jiff::civil::Time::constant(hour, 0, 0, 0))
}

/// Seeds the demo PAKN as of `now`. Does nothing when any PAKN exists.
pub async fn seed(app: &App, now: DateTime) -> Result<DemoPaknReport> {
    if app.store.pakn_count().await? > 0 {
        return Ok(DemoPaknReport {
            skipped: true,
            ..DemoPaknReport::default()
        });
    }
    let tree = app.units()?;
    let mut units: Vec<String> = vec![DESK_UNIT.to_owned(), OTHER_UNIT.to_owned()];
    if let Some(parent) = tree.parent(DESK_UNIT) {
        units.extend(
            tree.children(parent.id.as_str())
                .filter(|u| u.is_active_on(now.date()))
                .map(|u| u.id.as_str().to_owned())
                .filter(|u| u != DESK_UNIT && u != OTHER_UNIT)
                .take(6),
        );
    }
    units.retain(|u| tree.contains(u));
    if units.is_empty() {
        return Ok(DemoPaknReport::default());
    }
    let admin = Principal::system();
    let mut report = DemoPaknReport::default();
    for i in 0..36usize {
        let unit = &units[i % units.len()];
        let (category, body) = TEXTS[i % TEXTS.len()];
        let received = at(now, 3 + 2 * i as i64, 9);
        if received >= now {
            continue;
        }
        let app_at = |t: DateTime| app.clone().with_now(move || t);
        let kind = i % 6;
        let r = app_at(received)
            .submit_pakn(
                None,
                NewPakn {
                    category: category.into(),
                    subject: "don-vi".into(),
                    unit: unit.clone(),
                    body: body.into(),
                    name: "Người dân (dữ liệu mẫu)".into(),
                    phone: format!("0905{:06}", 100_000 + i),
                    consent: kind != 3,
                    ..NewPakn::default()
                },
                Vec::new(),
            )
            .await?;
        report.created += 1;
        if kind == 0 {
            continue; // waiting for classification (overdue after two working days)
        }
        let forwarded = at(received, -1, 10);
        if kind == 4 && forwarded < now {
            app_at(forwarded)
                .pakn_refuse(
                    &admin,
                    &r.code,
                    "Nội dung không thuộc phạm vi tiếp nhận phản ánh về quy định hành chính.",
                )
                .await?;
            continue;
        }
        if forwarded >= now {
            continue;
        }
        let cat = Category::parse(category).map_err(|e| crate::AppError::Invalid(e.to_string()))?;
        app_at(forwarded)
            .pakn_forward(&admin, &r.code, cat.code(), "", unit, "Chuyển đơn vị xử lý")
            .await?;
        let officer = staff(unit, Role::Officer);
        if kind == 1 {
            continue; // being processed (overdue after fifteen working days)
        }
        let asked = at(forwarded, -1, 14);
        if kind == 5 && asked < now {
            app_at(asked)
                .pakn_ask_info(&officer, &r.code, "Đề nghị cho biết mã hồ sơ và ngày nộp.")
                .await?;
            continue;
        }
        // Some answers come late (after 15 working days), most in time.
        let answered = at(forwarded, -(if i % 5 == 0 { 25 } else { 8 }), 15);
        if answered >= now {
            continue;
        }
        app_at(answered)
            .pakn_answer(
                &officer,
                &r.code,
                "Đơn vị đã kiểm tra, chấn chỉnh và hướng dẫn lại cán bộ; cảm ơn ý kiến của ông/bà.",
            )
            .await?;
        let published = at(answered, -1, 9);
        if kind == 2 && published < now {
            app_at(published)
                .pakn_publish(&admin, &r.code, "", "")
                .await?;
            report.published += 1;
        }
        let rated = at(answered, -2, 10);
        if rated < now {
            let stars = ["5", "4", "3", "5", "2"][i % 5];
            app_at(rated)
                .pakn_rate(Follower::Secret(&r.secret), &r.code, stars, "")
                .await?;
        }
    }
    // One harassment report at Phường Kon Tum, received the day before: flagged at once.
    if tree.contains(DESK_UNIT) {
        let t = now.checked_sub(jiff::Span::new().hours(20)).unwrap_or(now);
        app.clone()
            .with_now(move || t)
            .submit_pakn(
                None,
                NewPakn {
                    category: "nhung-nhieu".into(),
                    subject: "don-vi".into(),
                    unit: DESK_UNIT.into(),
                    body: "Cán bộ gợi ý nộp thêm tiền để hồ sơ được giải quyết nhanh hơn.".into(),
                    name: "Người dân (dữ liệu mẫu)".into(),
                    phone: "0905000999".into(),
                    consent: true,
                    ..NewPakn::default()
                },
                Vec::new(),
            )
            .await?;
        report.created += 1;
    }
    Ok(report)
}
