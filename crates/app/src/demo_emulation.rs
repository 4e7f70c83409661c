//! Demo data for the emulation movement: the province's movement of Plan 42/KH-UBND (seed 003)
//! with the shipped criteria, yearly ratings for every member of staff, a few recognised
//! initiatives and discipline decisions with their documents, and the evaluation of the last
//! full year as a draft for the reform office to review. Deterministic.

use jiff::civil::Date;

use crate::emulation::{NewMovement, criteria_sets};
use crate::files::Upload;
use crate::{App, Principal, Result};

/// The demo movement's code.
pub const DEMO_MOVEMENT: &str = "kt-cchc-2023-2030";

/// What the demo prepared.
#[derive(Debug, Clone, Default)]
pub struct DemoEmulationReport {
    pub ratings: usize,
    pub initiatives: usize,
    pub disciplines: usize,
    pub evaluated_year: Option<i16>,
    pub units_met: usize,
    pub staff_met: usize,
}

/// A one-page PDF standing in for a scanned decision.
pub fn sample_pdf(title: &str) -> Vec<u8> {
    let text: String = title
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(60)
        .collect();
    format!(
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n\
         3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>endobj\n\
         4 0 obj<</Length 44>>stream\nBT /F1 12 Tf 72 760 Td ({text}) Tj ET\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    .into_bytes()
}

fn mix(seed: u64, n: u64) -> u64 {
    let mut x = seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x
}

/// Seeds the movement and its records; evaluates the last full year before `today`.
pub async fn seed(app: &App, today: Date) -> Result<DemoEmulationReport> {
    let sys = Principal::system();
    let mut report = DemoEmulationReport::default();
    let Some(set) = criteria_sets()?.first() else {
        return Ok(report);
    };
    app.create_movement(
        &sys,
        &NewMovement {
            code: DEMO_MOVEMENT.into(),
            title: "Phong trào thi đua đẩy mạnh công tác cải cách hành chính nhà nước trên địa bàn tỉnh Kon Tum giai đoạn 2023 - 2030".into(),
            plan_number: "42/KH-UBND".into(),
            plan_date: "2023-01-06".into(),
            issuer: "UBND tỉnh Kon Tum".into(),
            first_year: 2023,
            last_year: 2030,
            unit_kinds: vec!["department".into(), "commune".into()],
            content_areas: vec![
                "Nâng cao trách nhiệm của người đứng đầu trong lãnh đạo, chỉ đạo cải cách hành chính".into(),
                "Hoàn thành tốt các tiêu chí trong Bộ chỉ số theo dõi, đánh giá, xếp hạng kết quả cải cách hành chính".into(),
                "Tuyên truyền, vận động người dân, doanh nghiệp sử dụng dịch vụ công trực tuyến và dịch vụ bưu chính công ích".into(),
                "Đề xuất giải pháp tạo chuyển biến đột phá, nâng cao sự hài lòng của người dân, doanh nghiệp".into(),
                "Tiếp nhận, giải quyết hồ sơ thủ tục hành chính đúng quy định, đúng hẹn".into(),
                "Nâng cao Chỉ số SIPAS và PAPI".into(),
            ],
            criteria: set.key(),
        },
    )
    .await?;
    let year = today.year() - 1;
    let staff = app.store.staff_members().await?;
    for (i, s) in staff.iter().enumerate() {
        for y in [year - 1, year] {
            let roll = mix(u64::from(y.unsigned_abs()), i as u64) % 100;
            // Most staff are rated good or better; a few "completed" and one in a hundred not.
            let rating = match roll {
                0..=24 => "xuat_sac",
                25..=84 => "tot",
                85..=98 => "hoan_thanh",
                _ => "khong_hoan_thanh",
            };
            app.rate_staff(&sys, &s.id, y, rating).await?;
            report.ratings += 1;
        }
    }
    // Initiatives for one member of staff in six, recognised in the autumn.
    for (i, s) in staff.iter().enumerate().filter(|(i, _)| i % 6 == 1) {
        let day = Date::new(year, 10, 1 + (i % 20) as i8).unwrap_or(today);
        app.record_initiative(
            &sys,
            &s.id,
            &format!(
                "Giải pháp rút ngắn thời gian giải quyết hồ sơ tại {}",
                s.title
            ),
            &format!("Quyết định số {}/QĐ-HĐSK", 100 + i),
            &day.to_string(),
            Upload {
                component: "quyet-dinh".into(),
                file_name: format!("qd-sang-kien-{i}.pdf"),
                content: sample_pdf("Quyet dinh cong nhan sang kien"),
            },
        )
        .await?;
        report.initiatives += 1;
    }
    // Two discipline decisions: one over reform tasks, one not.
    for (n, (i, s)) in staff
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 37 == 5)
        .take(2)
        .enumerate()
    {
        app.record_discipline(
            &sys,
            &s.id,
            "Khiển trách",
            &format!("Quyết định số {}/QĐ-KL", 10 + i),
            &Date::new(year, 6, 10).unwrap_or(today).to_string(),
            n == 0,
            Upload {
                component: "quyet-dinh".into(),
                file_name: format!("qd-ky-luat-{i}.pdf"),
                content: sample_pdf("Quyet dinh ky luat"),
            },
        )
        .await?;
        report.disciplines += 1;
    }
    let e = app.evaluate_movement(&sys, DEMO_MOVEMENT, year).await?;
    report.evaluated_year = Some(year);
    let units = e.tally(cchc_domain::emulation::SubjectKind::Collective);
    let people = e.tally(cchc_domain::emulation::SubjectKind::Individual);
    report.units_met = units.met;
    report.staff_met = people.met;
    Ok(report)
}
