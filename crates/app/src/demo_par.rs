//! Demo PAR INDEX scorecards (`cchc demo`): the years 2024 and 2025 for the departments and
//! communes existing at each year's end (Kon Tum's before the 1 July 2025 merger, the Quảng
//! Ngãi units that succeeded them after), self-assessed with realistic variation and an
//! evidence file for the yearly plan, appraised (some items adjusted down with the council's
//! comment), and the survey imported through the real import. 2024 is final; in 2025 most
//! cards are final, a few wait for appraisal (Phường Kon Tum, Sở Tư pháp) and one unit is
//! still assessing itself (Phường Đăk Cấm), so every page and form has something to show.
//!
//! Deterministic (every number drawn from the unit's id and the year), a few transactions,
//! well under a second on SQLite.

use std::time::{Duration, Instant};

use cchc_domain::par_index::ParKind;
use cchc_domain::par_index::score::CardState;
use cchc_domain::unit::UnitTree;
use cchc_store::{ParItemRow, ParNewEvidence};
use jiff::civil::{Date, date};
use serde::Serialize;

use crate::par_index::{SeedCard, par_catalog};
use crate::{App, Principal, Result};

/// Units left waiting for the council in 2025.
pub const AWAITING_APPRAISAL: &[&str] = &["w2025:23293", "p2025:51/so-tu-phap"];
/// A unit still assessing itself in 2025.
pub const STILL_ASSESSING: &str = "w2025:23284";

/// What the demo wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DemoParReport {
    pub cards: usize,
    pub appraised: usize,
    pub submitted: usize,
    pub drafts: usize,
    pub adjusted_items: usize,
    pub survey_lines: usize,
    pub elapsed: Duration,
}

/// A small deterministic generator seeded from text.
struct Draw(u64);

impl Draw {
    fn new(key: &str) -> Self {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in key.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Self(h)
    }

    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Points rounded to quarter points, within 0..max.
fn quarter(points: f64, max: f64) -> f64 {
    ((points * 4.0).round() / 4.0).clamp(0.0, max)
}

const COMMENTS: &[&str] = &[
    "Tài liệu kiểm chứng chưa thể hiện đầy đủ kết quả; chấm theo hướng dẫn ở mức thấp hơn.",
    "Báo cáo gửi sau thời hạn quy định; không đạt điểm tối đa.",
    "Số liệu trên hệ thống thấp hơn số liệu đơn vị tự đánh giá.",
    "Chưa có văn bản chứng minh việc hoàn thành nội dung này.",
];

/// A minimal one-page PDF naming the document (the demo's evidence file).
fn evidence_pdf(title: &str) -> Vec<u8> {
    let ascii: String = cchc_domain::text::fold(title)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
        .collect();
    format!(
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n\
         3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n\
         4 0 obj<</Length 60>>stream\nBT /F1 14 Tf 60 780 Td ({ascii}) Tj ET\nendstream endobj\n\
         5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    .into_bytes()
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The departments and communes scored for a year: Kon Tum's at the end of 2024; in 2025 the
/// Quảng Ngãi departments and the communes that succeeded Kon Tum's.
fn units_of(tree: &UnitTree, year: i16) -> Vec<(String, ParKind)> {
    let end = date(year, 12, 31);
    let mut out: Vec<(String, ParKind)> = tree
        .units()
        .iter()
        .filter(|u| u.is_active_on(end))
        .filter_map(|u| {
            let id = u.id.as_str();
            let kind = ParKind::of(u.kind)?;
            let ok = match (year, kind) {
                (2024, ParKind::Department) => {
                    u.parent.as_ref().is_some_and(|p| p.as_str() == "p:62")
                }
                (2024, ParKind::Commune) => tree.is_within(id, "p:62"),
                (_, ParKind::Department) => {
                    u.parent.as_ref().is_some_and(|p| p.as_str() == "p2025:51")
                }
                (_, ParKind::Commune) => {
                    id.starts_with("w2025:")
                        && tree
                            .predecessors(id)
                            .any(|(p, _)| tree.is_within(p.id.as_str(), "p:62"))
                }
            };
            ok.then(|| (id.to_owned(), kind))
        })
        .collect();
    out.sort();
    out
}

/// Writes the demo scorecards (nothing when the years have cards already).
pub async fn seed(app: &App, today: Date) -> Result<DemoParReport> {
    let started = Instant::now();
    let mut report = DemoParReport::default();
    if !app.store().par_cards(&[2024, 2025]).await?.is_empty() {
        return Ok(report);
    }
    let catalog = par_catalog()?;
    let tree = app.units()?;
    let council = "Hội đồng thẩm định (Sở Nội vụ)".to_owned();
    for year in [2024_i16, 2025] {
        let when = |month: i8, day: i8| -> String {
            let d = date(year + 1, month, day).min(today);
            format!("{d}T09:00:00")
        };
        let mut cards = Vec::new();
        let mut survey = String::from("don_vi,diem\n");
        for (unit, kind) in units_of(&tree, year) {
            let Some(t) = catalog.tree(year, kind) else {
                continue;
            };
            let Some(u) = tree.get(&unit) else { continue };
            let mut draw = Draw::new(&format!("{unit}|{year}"));
            // The unit's real standing, and how much it tends to claim above it.
            let quality = 0.62 + 0.34 * draw.next() + if year == 2025 { 0.03 } else { 0.0 };
            let optimism = 0.04 + 0.12 * draw.next();
            let state = if year == 2024 {
                CardState::Appraised
            } else if AWAITING_APPRAISAL.contains(&unit.as_str()) {
                CardState::Submitted
            } else if unit == STILL_ASSESSING {
                CardState::Draft
            } else {
                CardState::Appraised
            };
            let leader = format!("Lãnh đạo {} (dữ liệu mẫu)", u.full_name);
            let mut items = Vec::new();
            let leaves: Vec<_> = t.leaves().collect();
            for (i, leaf) in leaves.iter().enumerate() {
                if state == CardState::Draft && i >= leaves.len() / 2 {
                    break;
                }
                let truth = quarter(
                    leaf.points * (quality + 0.25 * (draw.next() - 0.5)).min(1.0),
                    leaf.points,
                );
                let claim = quarter(
                    leaf.points * (quality + optimism + 0.2 * (draw.next() - 0.5)).min(1.0),
                    leaf.points,
                )
                .max(truth);
                let appraised = (state != CardState::Draft
                    && claim - truth >= 0.25
                    && draw.next() < 0.45
                    && !(state == CardState::Submitted && i % 3 != 0))
                    .then_some(truth);
                if appraised.is_some() {
                    report.adjusted_items += 1;
                }
                items.push(ParItemRow {
                    item: leaf.code.clone(),
                    self_points: Some(claim),
                    self_note: format!(
                        "Đơn vị tự đánh giá theo hướng dẫn chấm; tài liệu kiểm chứng: {}.",
                        leaf.evidence.as_deref().unwrap_or("báo cáo của đơn vị")
                    ),
                    self_by: Some(leader.clone()),
                    self_at: Some(when(1, 10)),
                    appraised_points: appraised,
                    appraisal_note: if appraised.is_some() {
                        COMMENTS[(draw.next() * COMMENTS.len() as f64) as usize % COMMENTS.len()]
                            .to_owned()
                    } else {
                        String::new()
                    },
                    appraised_by: appraised.map(|_| council.clone()),
                    appraised_at: appraised.map(|_| when(2, 20)),
                });
            }
            let evidence = leaves
                .first()
                .filter(|_| !items.is_empty())
                .map(|leaf| {
                    let content = evidence_pdf(&format!("Ke hoach CCHC nam {year} {}", u.name));
                    ParNewEvidence {
                        id: format!("demo-{year}-{}", u.id.as_str().replace([':', '/'], "-")),
                        item: leaf.code.clone(),
                        file_name: format!("ke-hoach-cchc-{year}.pdf"),
                        content_type: "application/pdf".into(),
                        sha256: sha256(&content),
                        content,
                        uploaded_by: leader.clone(),
                        uploaded_at: when(1, 10),
                    }
                })
                .into_iter()
                .collect();
            match state {
                CardState::Draft => report.drafts += 1,
                CardState::Submitted => report.submitted += 1,
                CardState::Appraised => report.appraised += 1,
            }
            if state != CardState::Draft {
                let s = t.survey.points * (quality + 0.15 * (draw.next() - 0.5)).clamp(0.4, 0.97);
                survey.push_str(&format!("{},{:.2}\n", u.agency_code, s));
                report.survey_lines += 1;
            }
            cards.push(SeedCard {
                unit,
                year,
                state,
                items,
                submitted: (state != CardState::Draft).then(|| (when(1, 25), leader.clone())),
                appraised: (state == CardState::Appraised).then(|| (when(3, 5), council.clone())),
                evidence,
            });
        }
        report.cards += app.par_seed(cards).await?;
        app.par_import_survey(&Principal::system(), year, &survey)
            .await?;
    }
    report.elapsed = started.elapsed();
    Ok(report)
}
