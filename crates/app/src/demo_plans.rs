//! Demo plans and reports (`cchc demo`): the seeds' plans as shipped in `data/plans/`, and a
//! yearly plan for each of the two years up to today built on the seed 617/QĐ-UBND's seven
//! task groups, clearly labelled "(dữ liệu mẫu)", with tasks for the demo's departments and
//! communes (Kon Tum's before 1 July 2025, the Quảng Ngãi units that succeeded them after),
//! and quarterly, six-month and yearly reports for those units.
//!
//! Outcomes are drawn from a seeded generator: most tasks done on time, some late, a few
//! overdue; most reports on time and complete, a few late, incomplete or missing. Phường Kon
//! Tum (the desk's ward) always has an overdue task, one due soon and a missing report, so
//! the board has work on any day. Everything is written with one bulk insert.

use std::fmt;
use std::time::{Duration, Instant};

use cchc_domain::plan::{Area, ReportCycle, TaskStatus, embedded_plans, report_periods};
use cchc_domain::unit::{FIRST_DAY_2025, LAST_DAY_PRE2025, MergeKind, UnitKind, UnitTree};
use cchc_store::{
    NewPlanFile, ObligationRow, PlanFileInfo, PlanRow, PlanRowsBulk, ProgressRow, SubmissionRow,
    TaskRow,
};
use jiff::civil::{Date, date};
use serde::Serialize;

use crate::demo_desk::DESK_UNIT;
use crate::{App, AppError, Result};

/// What was seeded.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DemoPlansReport {
    /// The database already had the demo plans: nothing was added.
    pub skipped: bool,
    pub plans: usize,
    pub tasks: usize,
    pub done_on_time: usize,
    pub done_late: usize,
    pub overdue: usize,
    pub obligations: usize,
    pub submissions: usize,
    pub missing: usize,
    pub elapsed: Duration,
}

impl fmt::Display for DemoPlansReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.skipped {
            return f.write_str("Kế hoạch mẫu đã có: không tạo thêm.");
        }
        write!(
            f,
            "Kế hoạch CCHC mẫu: {} kế hoạch, {} nhiệm vụ (đúng hạn {}, trễ hạn {}, quá hạn {}); \
             {} kỳ báo cáo, {} lần nộp, {} báo cáo quá hạn chưa nộp; {} ms.",
            self.plans,
            self.tasks,
            self.done_on_time,
            self.done_late,
            self.overdue,
            self.obligations,
            self.submissions,
            self.missing,
            self.elapsed.as_millis()
        )
    }
}

/// A tiny PDF, attached to demo submissions and some progress reports.
const DEMO_PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// xorshift64* seeded through SplitMix64: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Self((z ^ (z >> 31)).max(1))
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            lo + (self.next() % ((hi - lo + 1) as u64)) as i64
        }
    }
}

fn internal(e: impl fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

fn add_days(d: Date, n: i64) -> Result<Date> {
    d.checked_add(jiff::Span::new().days(n)).map_err(internal)
}

/// A province-level task of the yearly plan: area, title, output, lead (a Kon Tum department
/// slug), deadline (month, day).
/// (area, title, output, lead slug, (month, day)).
type ProvinceTask = (Area, &'static str, &'static str, &'static str, (i8, i8));

const PROVINCE_TASKS: &[ProvinceTask] = &[
    (
        Area::Direction,
        "Xây dựng, trình ban hành Kế hoạch tuyên truyền cải cách hành chính năm {y}",
        "Kế hoạch tuyên truyền",
        "so-noi-vu",
        (1, 31),
    ),
    (
        Area::Direction,
        "Tổng hợp kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính của các cơ quan, địa phương",
        "Báo cáo kết quả Chỉ số CCHC",
        "so-noi-vu",
        (3, 31),
    ),
    (
        Area::Direction,
        "Kiểm tra công tác cải cách hành chính tại tối thiểu 30% cơ quan, địa phương",
        "Thông báo kết luận kiểm tra",
        "so-noi-vu",
        (10, 31),
    ),
    (
        Area::Institutions,
        "Rà soát, hệ thống hóa văn bản quy phạm pháp luật của tỉnh",
        "Báo cáo rà soát, danh mục văn bản hết hiệu lực",
        "so-tu-phap",
        (6, 30),
    ),
    (
        Area::Institutions,
        "Kiểm tra, xử lý văn bản quy phạm pháp luật trái pháp luật, mâu thuẫn, chồng chéo",
        "Báo cáo kiểm tra văn bản",
        "so-tu-phap",
        (11, 30),
    ),
    (
        Area::Procedures,
        "Công bố, công khai đầy đủ, đúng hạn danh mục thủ tục hành chính thuộc thẩm quyền giải quyết",
        "Quyết định công bố danh mục TTHC",
        "trung-tam-phuc-vu-hanh-chinh-cong",
        (3, 31),
    ),
    (
        Area::Procedures,
        "Rà soát, đề xuất phương án đơn giản hóa thủ tục hành chính, cắt giảm chi phí tuân thủ",
        "Phương án đơn giản hóa TTHC",
        "trung-tam-phuc-vu-hanh-chinh-cong",
        (8, 31),
    ),
    (
        Area::Procedures,
        "Bảo đảm 100% hồ sơ TTHC được theo dõi trên Hệ thống thông tin giải quyết TTHC và đồng bộ Cổng Dịch vụ công quốc gia",
        "Số liệu đồng bộ hồ sơ",
        "trung-tam-phuc-vu-hanh-chinh-cong",
        (11, 15),
    ),
    (
        Area::Apparatus,
        "Rà soát, sắp xếp tổ chức bên trong các cơ quan chuyên môn theo quy định",
        "Báo cáo sắp xếp tổ chức bộ máy",
        "so-noi-vu",
        (9, 30),
    ),
    (
        Area::CivilService,
        "Cập nhật cơ sở dữ liệu cán bộ, công chức, viên chức",
        "Cơ sở dữ liệu đã cập nhật",
        "so-noi-vu",
        (6, 30),
    ),
    (
        Area::CivilService,
        "Triển khai Kế hoạch đào tạo, bồi dưỡng cán bộ, công chức, viên chức năm {y}",
        "Báo cáo kết quả đào tạo, bồi dưỡng",
        "so-noi-vu",
        (12, 15),
    ),
    (
        Area::PublicFinance,
        "Công khai dự toán, quyết toán ngân sách theo quy định",
        "Quyết định công khai ngân sách",
        "so-tai-chinh",
        (3, 31),
    ),
    (
        Area::PublicFinance,
        "Giao quyền tự chủ tài chính cho các đơn vị sự nghiệp công lập đủ điều kiện",
        "Quyết định giao tự chủ",
        "so-tai-chinh",
        (6, 30),
    ),
    (
        Area::DigitalGovernment,
        "Duy trì, nâng cấp nền tảng tích hợp, chia sẻ dữ liệu (LGSP) của tỉnh",
        "Báo cáo vận hành LGSP",
        "so-thong-tin-va-truyen-thong",
        (9, 30),
    ),
    (
        Area::DigitalGovernment,
        "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính theo Nghị định 45/2020/NĐ-CP",
        "Số liệu số hóa hồ sơ",
        "trung-tam-phuc-vu-hanh-chinh-cong",
        (10, 31),
    ),
];

/// A task every demo commune leads: area, title, output, deadline (month, day).
const COMMUNE_TASKS: &[(Area, &str, &str, (i8, i8))] = &[
    (
        Area::Direction,
        "Ban hành Kế hoạch cải cách hành chính năm {y} của xã, phường",
        "Kế hoạch CCHC của xã, phường",
        (1, 31),
    ),
    (
        Area::Procedures,
        "Niêm yết, công khai thủ tục hành chính và số điện thoại đường dây nóng tại Bộ phận Một cửa",
        "Ảnh chụp nơi niêm yết, biên bản kiểm tra",
        (3, 31),
    ),
    (
        Area::Procedures,
        "Tuyên truyền, hướng dẫn người dân nộp hồ sơ trực tuyến, thanh toán trực tuyến",
        "Báo cáo kết quả tuyên truyền",
        (9, 30),
    ),
    (
        Area::DigitalGovernment,
        "Xử lý tối thiểu 60% hồ sơ công việc trên môi trường mạng",
        "Số liệu hồ sơ công việc trên môi trường mạng",
        (12, 5),
    ),
    (
        Area::CivilService,
        "Đánh giá, xếp loại chất lượng cán bộ, công chức cấp xã năm {y}",
        "Báo cáo đánh giá, xếp loại",
        (12, 15),
    ),
];

/// The units the demo assigns work to.
struct DemoUnits {
    /// Kon Tum departments before the merger, by slug.
    kt_departments: Vec<String>,
    /// Kon Tum city's communes before the merger.
    kt_communes: Vec<String>,
    /// Quảng Ngãi's departments after, succeeding Kon Tum's.
    qn_departments: Vec<String>,
    /// Quảng Ngãi's communes that succeeded Kon Tum's.
    qn_communes: Vec<String>,
}

fn demo_units(tree: &UnitTree) -> DemoUnits {
    let mut kt_departments = Vec::new();
    let mut kt_communes = Vec::new();
    for u in tree.subtree("p:62") {
        if !u.is_active_on(LAST_DAY_PRE2025) {
            continue;
        }
        let id = u.id.as_str();
        match u.kind {
            UnitKind::Department | UnitKind::ServiceCentre
                if u.parent.as_ref().is_some_and(|p| p.as_str() == "p:62") =>
            {
                kt_departments.push(id.to_owned());
            }
            UnitKind::Commune if id.starts_with("w:") && tree.is_within(id, "d:608") => {
                kt_communes.push(id.to_owned());
            }
            _ => {}
        }
    }
    let mut qn_departments = Vec::new();
    let mut qn_communes = Vec::new();
    for u in tree.active_on(FIRST_DAY_2025) {
        let id = u.id.as_str();
        let from_kon_tum = tree
            .predecessors(id)
            .any(|(p, _)| tree.is_within(p.id.as_str(), "p:62"));
        if !from_kon_tum {
            continue;
        }
        if u.kind == UnitKind::Commune && id.starts_with("w2025:") {
            qn_communes.push(id.to_owned());
        } else if matches!(u.kind, UnitKind::Department | UnitKind::ServiceCentre) {
            qn_departments.push(id.to_owned());
        }
    }
    for v in [
        &mut kt_departments,
        &mut kt_communes,
        &mut qn_departments,
        &mut qn_communes,
    ] {
        v.sort();
    }
    DemoUnits {
        kt_departments,
        kt_communes,
        qn_departments,
        qn_communes,
    }
}

/// The unit that holds a Kon Tum department's work on `day`: itself before the merger, its
/// successor (whole merges first, then by id) after.
fn department_on(tree: &UnitTree, slug: &str, day: Date) -> Option<String> {
    let kt = format!("p:62/{slug}");
    if day <= LAST_DAY_PRE2025 {
        return tree.contains(&kt).then_some(kt);
    }
    let mut succ: Vec<(bool, String)> = tree
        .successors(&kt)
        .map(|(u, k)| (k != MergeKind::Whole, u.id.as_str().to_owned()))
        .collect();
    succ.sort();
    succ.into_iter().next().map(|(_, id)| id)
}

/// A seed task's role as a demo unit.
fn role_unit(tree: &UnitTree, role: &str, units: &DemoUnits, day: Date) -> Option<String> {
    match role {
        "ubnd-tinh" | "cong-an-tinh" => Some(if day <= LAST_DAY_PRE2025 {
            "p:62".to_owned()
        } else {
            "p2025:51".to_owned()
        })
        .filter(|u| tree.contains(u)),
        "ubnd-huyen" | "phong-noi-vu" => {
            if day <= LAST_DAY_PRE2025 {
                Some("d:608".to_owned()).filter(|u| tree.contains(u))
            } else {
                Some(DESK_UNIT.to_owned()).filter(|u| tree.contains(u))
            }
        }
        "ubnd-xa" => {
            if day <= LAST_DAY_PRE2025 {
                units.kt_communes.first().cloned()
            } else {
                Some(DESK_UNIT.to_owned()).filter(|u| tree.contains(u))
            }
        }
        slug => department_on(tree, slug, day),
    }
}

struct Builder {
    rows: PlanRowsBulk,
    report: DemoPlansReport,
    rng: Rng,
    today: Date,
    at: String,
}

impl Builder {
    fn file(&mut self, id: String, owner: &str, parent: &str, name: &str, by: &str, at: &str) {
        self.rows.files.push(NewPlanFile {
            info: PlanFileInfo {
                id,
                owner: owner.to_owned(),
                parent: parent.to_owned(),
                file_name: name.to_owned(),
                content_type: "application/pdf".into(),
                size_bytes: DEMO_PDF.len() as i64,
                sha256: sha(DEMO_PDF),
                uploaded_by: by.to_owned(),
                uploaded_at: at.to_owned(),
            },
            content: DEMO_PDF.to_vec(),
        });
    }

    /// A task with a drawn outcome: before its deadline has passed, most are in progress;
    /// after, most done on time, some late, a few still open (overdue). `force_overdue`
    /// keeps it open and late.
    #[allow(clippy::too_many_arguments)]
    fn task(
        &mut self,
        id: String,
        plan_id: &str,
        seq: i64,
        area: Area,
        title: String,
        output: &str,
        lead: String,
        support: Vec<String>,
        deadline: Date,
        plan_date: Date,
        force_overdue: bool,
    ) -> Result<()> {
        let today = self.today;
        let by = format!("Cán bộ {lead} (dữ liệu mẫu)");
        let r = self.rng.unit();
        let (status, done_on, percent) = if force_overdue {
            (TaskStatus::InProgress, None, 60)
        } else if deadline < today {
            if r < 0.82 {
                let d = add_days(deadline, -self.rng.range(0, 25))?.max(plan_date);
                (TaskStatus::Done, Some(d.min(today)), 100)
            } else if r < 0.93 {
                let d = add_days(deadline, self.rng.range(2, 40))?;
                if d < today {
                    (TaskStatus::Done, Some(d), 100)
                } else {
                    (TaskStatus::InProgress, None, self.rng.range(50, 90))
                }
            } else {
                (TaskStatus::InProgress, None, self.rng.range(20, 80))
            }
        } else if r < 0.12 && add_days(today, -3)? > plan_date {
            let d = add_days(today, -self.rng.range(3, 20))?.max(plan_date);
            (TaskStatus::Done, Some(d), 100)
        } else if r < 0.75 {
            (TaskStatus::InProgress, None, self.rng.range(10, 80))
        } else {
            (TaskStatus::NotStarted, None, 0)
        };
        let state = cchc_domain::plan::task_state(deadline, status, done_on, today);
        match state {
            cchc_domain::plan::TaskState::DoneOnTime => self.report.done_on_time += 1,
            cchc_domain::plan::TaskState::DoneLate => self.report.done_late += 1,
            cchc_domain::plan::TaskState::Overdue => self.report.overdue += 1,
            _ => {}
        }
        if percent > 0 {
            let when = match done_on {
                Some(d) => d,
                None => add_days(deadline.min(today), -self.rng.range(5, 40))?.max(plan_date),
            };
            let at = format!("{when}T15:30:00");
            let pid = format!("{id}-td1");
            let body = if status == TaskStatus::Done {
                format!("Đã hoàn thành: {} (dữ liệu mẫu).", output.to_lowercase())
            } else {
                format!("Đang triển khai, đạt khoảng {percent}% khối lượng (dữ liệu mẫu).")
            };
            if status == TaskStatus::Done && self.rng.unit() < 0.25 {
                self.file(
                    format!("{pid}-f"),
                    &pid,
                    &id,
                    "bao-cao-ket-qua.pdf",
                    &by,
                    &at,
                );
            }
            self.rows.progress.push(ProgressRow {
                id: pid,
                task_id: id.clone(),
                reported_at: at.clone(),
                reported_by: by,
                percent,
                body,
                status: status.code().to_owned(),
            });
        }
        self.rows.tasks.push(TaskRow {
            id,
            plan_id: plan_id.to_owned(),
            seq,
            area: area.code().to_owned(),
            title,
            lead_unit: lead,
            support_units: support.join(" "),
            output: output.to_owned(),
            deadline: deadline.to_string(),
            deadline_rule: String::new(),
            status: status.code().to_owned(),
            done_on: done_on.map(|d| d.to_string()),
            percent,
            updated_at: self.at.clone(),
        });
        self.report.tasks += 1;
        Ok(())
    }

    /// A report owed with a drawn outcome.
    fn obligation(
        &mut self,
        unit: &str,
        cycle: ReportCycle,
        key: &str,
        label: &str,
        due: Date,
        force_missing: bool,
    ) -> Result<()> {
        let id = format!("bc-{}-{}", key, unit.replace([':', '/'], "-"));
        let today = self.today;
        let mut row = ObligationRow {
            id: id.clone(),
            unit: unit.to_owned(),
            cycle: cycle.code().to_owned(),
            period_key: key.to_owned(),
            label: label.to_owned(),
            due: due.to_string(),
            submitted_on: None,
            complete: None,
        };
        let r = self.rng.unit();
        let submitted = if force_missing || due >= today {
            None
        } else if r < 0.80 {
            Some((add_days(due, -self.rng.range(0, 6))?, Some(true)))
        } else if r < 0.89 {
            Some((
                add_days(due, self.rng.range(1, 20))?.min(add_days(today, -1)?),
                Some(true),
            ))
        } else if r < 0.95 {
            Some((add_days(due, -self.rng.range(0, 3))?, Some(false)))
        } else {
            None
        };
        match submitted {
            Some((on, complete)) => {
                let by = format!("Cán bộ {unit} (dữ liệu mẫu)");
                let at = format!("{on}T09:00:00");
                // The last weeks' submissions wait for review.
                let complete = if add_days(on, 20)? > today {
                    None
                } else {
                    complete
                };
                let sid = format!("{id}-n1");
                self.file(format!("{sid}-f"), &sid, &id, "bao-cao-cchc.pdf", &by, &at);
                self.rows.submissions.push(SubmissionRow {
                    id: sid,
                    obligation_id: id.clone(),
                    submitted_at: at.clone(),
                    submitted_by: by,
                    note: String::new(),
                    complete,
                    review_note: if complete == Some(false) {
                        "Thiếu số liệu kết quả giải quyết TTHC và phụ lục kèm theo; đề nghị bổ sung."
                            .into()
                    } else {
                        String::new()
                    },
                    reviewed_by: complete.map(|_| "Phòng Cải cách hành chính (dữ liệu mẫu)".into()),
                    reviewed_at: complete.map(|_| format!("{}T10:00:00", add_days(on, 5).unwrap_or(on))),
                });
                row.submitted_on = Some(on.to_string());
                row.complete = complete;
                self.report.submissions += 1;
            }
            None if due < today => self.report.missing += 1,
            None => {}
        }
        self.rows.obligations.push(row);
        self.report.obligations += 1;
        Ok(())
    }
}

fn sha(content: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn plan_row(
    id: &str,
    number: &str,
    date: Option<Date>,
    issuer: &str,
    period: &str,
    years: (i16, i16),
    title: &str,
    note: &str,
    source: &str,
    at: &str,
) -> PlanRow {
    PlanRow {
        id: id.to_owned(),
        number: number.to_owned(),
        signed_on: date.map(|d| d.to_string()),
        issuer: issuer.to_owned(),
        period: period.to_owned(),
        first_year: i64::from(years.0),
        last_year: i64::from(years.1),
        title: title.to_owned(),
        note: note.to_owned(),
        source: source.to_owned(),
        created_by: "Hệ thống (dữ liệu mẫu)".to_owned(),
        created_at: at.to_owned(),
    }
}

/// Seeds the demo's plans, tasks and reports as of `today` (deterministic for a given day and
/// unit tree). Does nothing when the seed plans are already there.
pub async fn seed(app: &App, today: Date) -> Result<DemoPlansReport> {
    let started = Instant::now();
    let first = embedded_plans().map_err(internal)?;
    if let Some(p) = first.first()
        && app.store.plan(&p.id).await?.is_some()
    {
        return Ok(DemoPlansReport {
            skipped: true,
            ..DemoPlansReport::default()
        });
    }
    let tree = app.units()?;
    let units = demo_units(&tree);
    let at = format!("{today}T07:00:00");
    let mut b = Builder {
        rows: PlanRowsBulk::default(),
        report: DemoPlansReport::default(),
        rng: Rng::new(0x0617_2025 ^ u64::from(today.year().unsigned_abs())),
        today,
        at: at.clone(),
    };

    // The seeds' plans as shipped.
    for p in &first {
        let h = &p.header;
        b.rows.plans.push(plan_row(
            &p.id,
            &h.number,
            h.date,
            &h.issuer,
            &h.period,
            (h.first_year, h.last_year),
            &h.title,
            &h.note,
            "seed",
            &at,
        ));
        b.report.plans += 1;
        let plan_date = h.date.unwrap_or(date(h.first_year, 1, 1));
        for (i, t) in p.tasks.iter().enumerate() {
            let Some(lead) = role_unit(&tree, &t.lead, &units, t.deadline) else {
                continue;
            };
            let support = t
                .support
                .iter()
                .filter_map(|r| role_unit(&tree, r, &units, t.deadline))
                .filter(|u| *u != lead)
                .collect();
            b.task(
                format!("{}-t{:02}", p.id, i + 1),
                &p.id,
                (i + 1) as i64,
                t.area,
                t.title.clone(),
                &t.output,
                lead,
                support,
                t.deadline,
                plan_date,
                false,
            )?;
        }
    }

    // A yearly plan for each of the two years up to today, on 617's structure.
    for year in [today.year() - 1, today.year()] {
        let post = date(year, 1, 1) >= FIRST_DAY_2025;
        let (id, number, signed, issuer) = if post {
            (
                format!("demo-kh-{year}"),
                format!("{}/KH-UBND", 12 + (year % 7)),
                date(year, 1, 9),
                "Ủy ban nhân dân tỉnh Quảng Ngãi",
            )
        } else {
            (
                format!("demo-kh-{year}"),
                format!("{}/KH-UBND", 4300 + (year % 100)),
                date(year - 1, 12, 16),
                "Ủy ban nhân dân tỉnh Kon Tum",
            )
        };
        b.rows.plans.push(plan_row(
            &id,
            &number,
            Some(signed),
            issuer,
            &year.to_string(),
            (year, year),
            &format!("Kế hoạch cải cách hành chính nhà nước năm {year} (dữ liệu mẫu)"),
            "Dữ liệu mẫu: dựng theo 07 nhóm nhiệm vụ của Quyết định 617/QĐ-UBND; nhiệm vụ có hạn từ 01/7/2025 do đơn vị kế thừa của tỉnh Quảng Ngãi chủ trì.",
            "demo",
            &at,
        ));
        b.report.plans += 1;
        let mut seq = 0;
        for (area, title, output, slug, (m, d)) in PROVINCE_TASKS {
            let deadline = date(year, *m, *d);
            let Some(lead) = department_on(&tree, slug, deadline) else {
                continue;
            };
            let support: Vec<String> = department_on(&tree, "so-noi-vu", deadline)
                .filter(|u| *u != lead)
                .into_iter()
                .collect();
            seq += 1;
            b.task(
                format!("{id}-t{seq:03}"),
                &id,
                seq,
                *area,
                title.replace("{y}", &year.to_string()),
                output,
                lead,
                support,
                deadline,
                signed,
                false,
            )?;
        }
        for (area, title, output, (m, d)) in COMMUNE_TASKS {
            let deadline = date(year, *m, *d);
            let communes = if deadline <= LAST_DAY_PRE2025 {
                &units.kt_communes
            } else {
                &units.qn_communes
            };
            let support: Vec<String> = department_on(&tree, "so-noi-vu", deadline)
                .into_iter()
                .collect();
            for c in communes {
                seq += 1;
                // The desk's ward always has an overdue task this year (the one due 30/09).
                let force = c == DESK_UNIT && year == today.year() && (*m, *d) == (9, 30);
                b.task(
                    format!("{id}-t{seq:03}"),
                    &id,
                    seq,
                    *area,
                    title.replace("{y}", &year.to_string()),
                    output,
                    c.clone(),
                    support.clone(),
                    deadline,
                    signed,
                    force && deadline < today,
                )?;
            }
        }

        // Reports owed by the demo's units.
        for period in report_periods(year).map_err(internal)? {
            let units_then: Vec<String> = if period.due <= LAST_DAY_PRE2025 {
                units
                    .kt_departments
                    .iter()
                    .chain(&units.kt_communes)
                    .cloned()
                    .collect()
            } else {
                units
                    .qn_departments
                    .iter()
                    .chain(&units.qn_communes)
                    .cloned()
                    .collect()
            };
            for u in units_then {
                let force = u == DESK_UNIT && year == today.year() && period.key.ends_with("-Q3");
                b.obligation(
                    &u,
                    period.cycle,
                    &period.key,
                    &period.label,
                    period.due,
                    force && period.due < today,
                )?;
            }
        }
    }
    app.store.insert_plan_rows_bulk(&b.rows).await?;
    b.report.elapsed = started.elapsed();
    Ok(b.report)
}
