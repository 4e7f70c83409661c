//! Demo data (`cchc demo`): about two years of realistic dossiers for Kon Tum until 30 June 2025
//! and, from 1 July 2025, for the Quảng Ngãi communes and departments that succeeded it.
//!
//! Everything goes through the use cases ([`App::create_dossier`], [`App::act`],
//! [`App::create_account`]) at chosen instants, so every rule, due date and hash chain is the
//! real one: the generator only decides *what* happens *when*. Calibration follows
//! `published_par_dossier_stats.csv` (Kon Tum, Q3/2023): about 23% online, 98.7% of resolved
//! dossiers on time, and the seeds' 30% online-payment target.
//!
//! - Deterministic from [`DemoOptions::seed`]: the plan of every dossier (unit, procedure,
//!   channel, instant, fate) is drawn up front from its own random stream; dossiers are then run
//!   concurrently by workers that each own a clock and whole receiving units, so dossier codes
//!   (agency + day + sequence) do not depend on scheduling either.
//! - History stays under the units that existed at the time. A dossier still being processed on
//!   1 July 2025 is handed over (a `Forward` event, "bàn giao") to the unit that succeeded its
//!   unit, whose staff finish it.
//! - A dossier that runs late gets a leader's apology with a new date (`Extend`) as soon as it
//!   is late. The app counts a dossier finished by its apology date as on time, so the late ones
//!   here also miss that date (the published figures say: "mostly late closing in software").
//! - The 2026 catalogue has no "Cấp huyện" rows (districts were abolished): before the merger,
//!   district one-stop offices take the commune-level procedures that were district-level then
//!   (land, household businesses, construction, civil status with foreign elements, …).

use crate::seeded::{Rng, Weighted, fnv, splitmix};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cchc_domain::calendar::{DayMark, LimitUnit, Period, TimeLimit, WorkingClock, lunar};
use cchc_domain::dossier::{ApplicantKind, Outcome, ResultDoc, Status};
use cchc_domain::procedure::{Channel, Fee, Procedure, ProcedureLevel};
use cchc_domain::text::fold;
use cchc_domain::unit::{FIRST_DAY_2025, MergeKind, UnitKind, UnitTree};
use jiff::civil::{Date, DateTime, Weekday, date};
use serde::Serialize;

use crate::accounts::NewAccount;
use crate::dossiers::{Action, ApplicantInput, ComponentInput, DossierView, NewDossier};
use crate::{App, AppError, Principal, Result, Role};

/// The one password of every demo account.
pub const DEMO_PASSWORD: &str = "cchc-demo-2025";

/// The demo administrator's username.
pub const DEMO_ADMIN: &str = "quantri";

/// What to generate.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub seed: u64,
    /// Number of dossiers.
    pub dossiers: usize,
    /// First day of the history (inclusive).
    pub from: Date,
    /// Last day of the history (inclusive): the demo's "today". Dossiers received in the last
    /// weeks are still open then.
    pub to: Date,
    /// Citizen accounts that file online (each hashes a password: keep it modest).
    pub citizens: usize,
    /// Dossiers run concurrently by this many workers (each with its own clock).
    pub workers: usize,
    /// Only units within these (e.g. `d:608`, `p:62/so-tu-phap`) receive dossiers, with the
    /// 2025 units that succeeded them; empty: all of Kon Tum and its successors.
    pub scope: Vec<String>,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            seed: 2025,
            // About 45 s for `cchc demo` on 2 cores in release: ~20 s to hash the ~550 demo
            // passwords, ~350 dossiers a second after that (20,000 take about 80 s).
            dossiers: 8_000,
            from: date(2024, 7, 1),
            to: date(2026, 6, 30),
            citizens: 200,
            // SQLite has one writer: more workers than cores only add lock waits.
            workers: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
                .clamp(1, 4),
            scope: Vec::new(),
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DemoReport {
    pub dossiers: usize,
    /// Events recorded (all hash-chained), creation included.
    pub events: usize,
    /// Dossiers per status code (TrangThaiHoSo 1-10) at the end.
    pub by_status: BTreeMap<u8, usize>,
    /// Received before 1 July 2025 (Kon Tum's units) and from then on (Quảng Ngãi's).
    pub before_merger: usize,
    pub after_merger: usize,
    /// Filed online.
    pub online: usize,
    /// Decided (status 9 or 10).
    pub resolved: usize,
    /// Decided early or on time.
    pub on_time: usize,
    /// Decided late (after the due date, apology date included).
    pub late: usize,
    /// Dossiers with a leader's apology and new date.
    pub apologies: usize,
    /// Open at the end and past their due date.
    pub open_overdue: usize,
    /// Dossiers with at least one supplement request.
    pub supplements: usize,
    /// Dossiers with two supplement requests.
    pub second_supplements: usize,
    /// Dossiers sent to another unit (liên thông).
    pub forwarded: usize,
    /// Dossiers handed over to the successor unit on 1 July 2025.
    pub handovers: usize,
    /// Dossiers asked to pay a fee.
    pub payment_requests: usize,
    /// Dossiers with a payment.
    pub payments: usize,
    /// Dossiers paid online.
    pub online_payments: usize,
    /// Citizen ratings, and their scores.
    pub ratings: usize,
    pub ratings_by_score: BTreeMap<u8, usize>,
    pub accounts: usize,
    pub password: String,
    /// (role, username, unit) of accounts to try.
    pub sample_users: Vec<(String, String, String)>,
    pub from: String,
    pub to: String,
    /// Whole run, account creation and dossiers.
    pub elapsed: Duration,
    pub accounts_elapsed: Duration,
    pub dossiers_elapsed: Duration,
}

impl DemoReport {
    pub fn dossiers_per_second(&self) -> f64 {
        per_second(self.dossiers, self.dossiers_elapsed)
    }

    pub fn events_per_second(&self) -> f64 {
        per_second(self.events, self.dossiers_elapsed)
    }
}

fn per_second(n: usize, d: Duration) -> f64 {
    let s = d.as_secs_f64();
    if s > 0.0 { n as f64 / s } else { 0.0 }
}

/// 20000 → "20.000".
fn num(n: usize) -> String {
    cchc_domain::text::group_thousands(i64::try_from(n).unwrap_or(i64::MAX))
}

/// 23, 100 → "23,0%".
fn pct(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "–".into();
    }
    format!("{:.1}%", part as f64 * 100.0 / whole as f64).replace('.', ",")
}

fn secs(d: Duration) -> String {
    format!("{:.1} giây", d.as_secs_f64()).replace('.', ",")
}

impl fmt::Display for DemoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Đã tạo dữ liệu mẫu: {} hồ sơ, {} sự kiện (chuỗi băm đầy đủ), từ {} đến {}.",
            num(self.dossiers),
            num(self.events),
            self.from,
            self.to
        )?;
        writeln!(
            f,
            "  Trước 01/07/2025 (tỉnh Kon Tum): {}; từ 01/07/2025 (tỉnh Quảng Ngãi): {}; bàn giao khi sắp xếp đơn vị: {}.",
            num(self.before_merger),
            num(self.after_merger),
            num(self.handovers)
        )?;
        writeln!(
            f,
            "  Nộp trực tuyến: {} ({}).",
            num(self.online),
            pct(self.online, self.dossiers)
        )?;
        writeln!(
            f,
            "  Đã giải quyết: {}; trước hạn, đúng hạn: {} ({}); trễ hạn: {} ({}), tất cả có phiếu xin lỗi và hẹn lại.",
            num(self.resolved),
            num(self.on_time),
            pct(self.on_time, self.resolved),
            num(self.late),
            pct(self.late, self.resolved)
        )?;
        writeln!(
            f,
            "  Phiếu xin lỗi, hẹn lại: {}; đang giải quyết đã quá hạn: {}.",
            num(self.apologies),
            num(self.open_overdue)
        )?;
        writeln!(
            f,
            "  Yêu cầu bổ sung: {} hồ sơ ({}), trong đó bổ sung lần hai: {}; chuyển liên thông: {}.",
            num(self.supplements),
            pct(self.supplements, self.dossiers),
            num(self.second_supplements),
            num(self.forwarded)
        )?;
        writeln!(
            f,
            "  Phí, lệ phí: {} hồ sơ được yêu cầu, {} đã nộp, {} nộp trực tuyến ({}).",
            num(self.payment_requests),
            num(self.payments),
            num(self.online_payments),
            pct(self.online_payments, self.payments)
        )?;
        let scores: Vec<String> = self
            .ratings_by_score
            .iter()
            .rev()
            .map(|(s, n)| format!("{s} sao: {}", num(*n)))
            .collect();
        writeln!(
            f,
            "  Đánh giá của công dân: {} ({}).",
            num(self.ratings),
            scores.join(", ")
        )?;
        writeln!(f, "  Theo trạng thái:")?;
        for (code, n) in &self.by_status {
            let label = Status::from_code(*code).map_or("", Status::label);
            writeln!(f, "    {code:>2} {label}: {}", num(*n))?;
        }
        writeln!(
            f,
            "  Tài khoản: {}; mật khẩu chung: {}",
            num(self.accounts),
            self.password
        )?;
        for (role, username, unit) in &self.sample_users {
            if unit.is_empty() {
                writeln!(f, "    {role}: {username}")?;
            } else {
                writeln!(f, "    {role}: {username} ({unit})")?;
            }
        }
        write!(
            f,
            "  Thời gian: {} (tài khoản {}, hồ sơ {}: {:.0} hồ sơ/giây, {:.0} sự kiện/giây).",
            secs(self.elapsed),
            secs(self.accounts_elapsed),
            secs(self.dossiers_elapsed),
            self.dossiers_per_second(),
            self.events_per_second()
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Time

const MERGER: Date = FIRST_DAY_2025;

fn internal(e: impl fmt::Display) -> AppError {
    AppError::Internal(format!("dữ liệu mẫu: {e}"))
}

/// The working periods of a unit's clock on a day.
fn day_periods(clock: &WorkingClock, day: Date) -> Vec<Period> {
    match clock.calendar().mark(day) {
        Ok(DayMark::Off(_)) | Err(_) => Vec::new(),
        Ok(DayMark::Worked(_)) => clock.schedule().make_up_periods().to_vec(),
        Ok(DayMark::Normal) => clock.schedule().periods(day.weekday()).to_vec(),
    }
}

/// `minutes` of working time after `t` (from the next working instant if `t` is outside).
fn add_work(clock: &WorkingClock, t: DateTime, minutes: i64) -> Result<DateTime> {
    let hundredths = (minutes.max(1) * 100 + 59) / 60;
    let limit: TimeLimit = format!("{}.{:02} working-hours", hundredths / 100, hundredths % 100)
        .parse()
        .map_err(internal)?;
    clock.add(t, limit).map_err(internal)
}

/// Working minutes from `a` to `b` (negative if `b` is before `a`).
fn work_between(clock: &WorkingClock, a: DateTime, b: DateTime) -> Result<i64> {
    Ok(clock
        .counted_between(a, b, LimitUnit::WorkingHours)
        .map_err(internal)?
        / 60)
}

/// Wall-clock minutes after `t` (citizens act at any hour).
fn add_minutes(t: DateTime, minutes: i64) -> Result<DateTime> {
    t.checked_add(jiff::Span::new().minutes(minutes))
        .map_err(internal)
}

/// A random working instant of a unit on a day (mornings are busier).
fn working_instant(clock: &WorkingClock, day: Date, rng: &mut Rng) -> Result<DateTime> {
    let periods = day_periods(clock, day);
    let w = Weighted::new(periods.iter().enumerate().map(|(i, p)| {
        let len = f64::from(p.end.saturating_sub(p.start));
        (*p, if i == 0 { len * 1.4 } else { len })
    }));
    let Some(p) = w.pick(rng) else {
        return add_work(clock, day.at(0, 0, 0, 0), 1);
    };
    let minute = i64::from(p.start) + rng.below(u64::from(p.end.saturating_sub(p.start))) as i64;
    Ok(day.at(
        (minute / 60) as i8,
        (minute % 60) as i8,
        rng.below(60) as i8,
        0,
    ))
}

fn due_of(view: &DossierView) -> Option<DateTime> {
    view.due.as_deref()?.get(..19)?.parse().ok()
}

// ---------------------------------------------------------------------------------------------
// Catalogue: which procedures each kind of unit receives, and how often

/// Fields handled by central or vertical agencies (tax, customs, police, banks, social
/// insurance, courts …), not at a provincial or commune one-stop shop.
pub const EXCLUDED_FIELDS: &[&str] = &[
    "thue",
    "hai quan",
    "kho bac",
    "ngan hang",
    "ngoai hoi",
    "hoat dong thanh toan",
    "tin dung",
    "tien te",
    "kho quy",
    "chung khoan",
    "du tru",
    "xuat nhap canh",
    "can cuoc",
    "dinh danh",
    "vu khi",
    "phong chay",
    "phuong tien giao thong co gioi",
    "con dau",
    "an ninh",
    "trat tu",
    "thi hanh an",
    "toa an",
    "bhxh",
    "bhyt",
    "bao hiem",
    "hang hai",
    "duong sat",
    "dang kiem",
    "khieu nai",
];

/// Commune one-stop shops: civil status, residence and certification first.
pub const COMMUNE_FIELDS: &[(&str, f64)] = &[
    ("cu tru", 30.0),
    ("ho tich", 30.0),
    ("chung thuc", 22.0),
    ("dat dai", 6.0),
    ("nguoi co cong", 3.0),
    ("ho kinh doanh", 3.0),
    ("giam ngheo", 2.0),
    ("chinh sach", 2.0),
    ("nong nghiep", 2.0),
    ("hoat dong xay dung", 2.0),
];
const COMMUNE_OTHER: f64 = 0.6;

/// District one-stop offices before 2025: the commune-level procedures that were district-level.
pub const DISTRICT_FIELDS: &[(&str, f64)] = &[
    ("tai chinh dat dai", 3.0),
    ("dat dai", 15.0),
    ("ho kinh doanh", 10.0),
    ("chung thuc", 8.0),
    ("hoat dong xay dung", 6.0),
    ("ho tich", 4.0),
    ("nguoi co cong", 4.0),
    ("nha o", 2.0),
    ("quy hoach", 2.0),
    ("giam ngheo", 2.0),
    ("hop tac xa", 2.0),
    ("lam nghiep", 1.0),
    ("nong nghiep", 1.0),
    ("thuy loi", 1.0),
];

/// Provincial departments: land, roads and driving licences, enterprises, construction first.
pub const PROVINCE_FIELDS: &[(&str, f64)] = &[
    ("tai chinh dat dai", 3.0),
    ("dat dai", 14.0),
    ("sat hach", 6.0),
    ("duong bo", 10.0),
    ("thanh lap va hoat dong cua doanh nghiep", 10.0),
    ("dau tu tai viet nam", 3.0),
    ("hoat dong xay dung", 6.0),
    ("nha o", 3.0),
    ("ly lich tu phap", 6.0),
    ("cong chung", 3.0),
    ("nguoi co cong", 3.0),
    ("lam nghiep", 2.0),
    ("thu y", 2.0),
    ("trong trot", 2.0),
    ("tai nguyen nuoc", 2.0),
    ("moi truong", 2.0),
    ("ho tich", 2.0),
];
const PROVINCE_OTHER: f64 = 1.0;

/// The most common procedures of their field.
pub const POPULAR: &[(&str, f64)] = &[
    ("1.004194", 4.0), // Đăng ký tạm trú
    ("1.004222", 3.0), // Đăng ký thường trú
    ("1.002755", 2.0), // Gia hạn tạm trú
    ("2.000908", 4.0), // Cấp bản sao từ sổ gốc
    ("1.004837", 2.0), // Đăng ký giám hộ
];

/// Which department handles a field: keywords of the folded field, Kon Tum's department before
/// the merger, Quảng Ngãi's after (first match wins; otherwise the service centre).
pub const DEPARTMENTS: &[(&[&str], &str, &str)] = &[
    (
        &[
            "dat dai",
            "tai nguyen nuoc",
            "dia chat",
            "khoang san",
            "moi truong",
            "bien va hai dao",
            "do dac",
            "khi tuong",
            "bien doi khi hau",
            "bao ton thien nhien",
        ],
        "so-tai-nguyen-va-moi-truong",
        "so-nong-nghiep-va-moi-truong",
    ),
    (
        &[
            "lam nghiep",
            "kiem lam",
            "thu y",
            "trong trot",
            "chan nuoi",
            "thuy san",
            "thuy loi",
            "nong nghiep",
            "nong lam san",
            "de dieu",
            "kinh te hop tac",
        ],
        "so-nong-nghiep-va-phat-trien-nong-thon",
        "so-nong-nghiep-va-moi-truong",
    ),
    (
        &["duong bo", "sat hach", "duong thuy"],
        "so-giao-thong-van-tai",
        "so-xay-dung",
    ),
    (
        &[
            "xay dung",
            "nha o",
            "bat dong san",
            "quy hoach",
            "ha tang",
            "kien truc",
            "do thi",
        ],
        "so-xay-dung",
        "so-xay-dung",
    ),
    (
        &["khu cong nghiep", "khu kinh te"],
        "ban-quan-ly-khu-kinh-te",
        "ban-quan-ly-khu-kinh-te-dung-quat-va-cac-khu-cong-nghiep",
    ),
    (
        &["doanh nghiep", "dau tu", "dau thau", "hop tac xa"],
        "so-ke-hoach-va-dau-tu",
        "so-tai-chinh",
    ),
    (
        &["cong san", "quan ly gia", "tai chinh"],
        "so-tai-chinh",
        "so-tai-chinh",
    ),
    (
        &[
            "cong chung",
            "luat su",
            "thua phat lai",
            "tro giup phap ly",
            "giam dinh tu phap",
            "dau gia",
            "trong tai",
            "hoa giai thuong mai",
            "quoc tich",
            "ly lich tu phap",
            "ho tich",
            "chung thuc",
            "nuoi con nuoi",
            "quan tai vien",
            "tu van phap luat",
            "bien phap bao dam",
            "boi thuong nha nuoc",
            "phap ly",
        ],
        "so-tu-phap",
        "so-tu-phap",
    ),
    (
        &[
            "nguoi co cong",
            "cai nghien",
            "an toan lao dong",
            "lao dong",
            "viec lam",
            "giam ngheo",
            "chinh sach",
        ],
        "so-lao-dong-thuong-binh-va-xa-hoi",
        "so-noi-vu",
    ),
    (
        &["khoa hoc", "tin hoc", "vien thong", "buu chinh"],
        "so-khoa-hoc-va-cong-nghe",
        "so-khoa-hoc-va-cong-nghe",
    ),
    (
        &["to chuc, can bo", "thi dua", "ton giao", "van thu"],
        "so-noi-vu",
        "so-noi-vu",
    ),
];
const SERVICE_CENTRE: &str = "trung-tam-phuc-vu-hanh-chinh-cong";

fn field_weight(table: &[(&str, f64)], field: &str) -> Option<f64> {
    table
        .iter()
        .find(|(k, _)| field.contains(k))
        .map(|(_, w)| *w)
}

/// A procedure's level as the generator uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Commune,
    District,
    Province,
}

/// Procedures of one level, weighted, per channel (counter, online, post).
struct Pool {
    by_channel: [Weighted<usize>; 3],
}

impl Pool {
    fn build(
        procs: &[Procedure],
        seed: u64,
        mut weight: impl FnMut(&Procedure, &str) -> Option<f64>,
    ) -> Self {
        // Each field's weight is shared by all its procedures, typed or not: a field whose
        // limits are mostly untyped in the catalogue keeps only its typed procedures' share.
        let mut rows: Vec<(usize, String, f64)> = Vec::new();
        for (i, p) in procs.iter().enumerate() {
            let field = fold(&p.field);
            if EXCLUDED_FIELDS.iter().any(|k| field.contains(k)) {
                continue;
            }
            if let Some(w) = weight(p, &field) {
                rows.push((i, field, w));
            }
        }
        let mut per_field: HashMap<&str, usize> = HashMap::new();
        for (_, field, _) in &rows {
            *per_field.entry(field.as_str()).or_default() += 1;
        }
        let by_channel = Channel::ALL.map(|channel| {
            Weighted::new(
                rows.iter()
                    .filter(|(i, _, _)| procs[*i].limit(channel).is_some())
                    .map(|(i, field, w)| {
                        let code = procs[*i].code.as_str();
                        let mut r = Rng::new(seed ^ fnv(code));
                        let spread = 0.3 + 2.7 * r.unit() * r.unit();
                        let boost = POPULAR
                            .iter()
                            .find(|(c, _)| *c == code)
                            .map_or(1.0, |(_, b)| *b);
                        let n = per_field.get(field.as_str()).copied().unwrap_or(1) as f64;
                        (*i, w / n * spread * boost)
                    }),
            )
        });
        Self { by_channel }
    }

    fn pick(&self, channel: Channel, rng: &mut Rng) -> Option<usize> {
        self.by_channel[channel.index()].pick(rng).copied()
    }
}

fn pools(procs: &[Procedure], seed: u64) -> [Pool; 3] {
    let commune = Pool::build(procs, seed, |p, field| {
        p.level
            .contains(ProcedureLevel::Commune)
            .then(|| field_weight(COMMUNE_FIELDS, field).unwrap_or(COMMUNE_OTHER))
    });
    let district = Pool::build(procs, seed, |p, field| {
        if p.level.contains(ProcedureLevel::District) {
            return Some(field_weight(DISTRICT_FIELDS, field).unwrap_or(1.0));
        }
        if !p.level.contains(ProcedureLevel::Commune) {
            return None;
        }
        // Civil status at district level: only with foreign elements.
        if field.contains("ho tich") && !p.name_folded.contains("nuoc ngoai") {
            return None;
        }
        field_weight(DISTRICT_FIELDS, field)
    });
    let province = Pool::build(procs, seed, |p, field| {
        p.level
            .contains(ProcedureLevel::Province)
            .then(|| field_weight(PROVINCE_FIELDS, field).unwrap_or(PROVINCE_OTHER))
    });
    [commune, district, province]
}

/// The fee of a dossier, in đồng: the channel's amount, another channel's, or a plausible one.
fn fee_amount(p: &Procedure, channel: Channel, rng: &mut Rng) -> Option<i64> {
    if !p.fee_bearing {
        return None;
    }
    let amount = |c: Channel| match &p.channel(c).fee {
        Fee::Amount { vnd, .. } if *vnd > 0 => Some(*vnd),
        _ => None,
    };
    amount(channel)
        .or_else(|| Channel::ALL.into_iter().find_map(amount))
        .or_else(|| {
            rng.pick(&[10_000, 20_000, 50_000, 100_000, 150_000, 200_000, 500_000])
                .copied()
        })
}

// ---------------------------------------------------------------------------------------------
// People

const SURNAMES: &[&str] = &[
    "Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan",
    "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương",
];
const MIDDLE_MEN: &[&str] = &["Văn", "Đức", "Minh", "Quốc", "Hữu", "Thanh", "Công", "Xuân"];
const MIDDLE_WOMEN: &[&str] = &["Thị", "Thị", "Ngọc", "Thu", "Thanh", "Hoài", "Kim", "Mỹ"];
const GIVEN_MEN: &[&str] = &[
    "An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Minh", "Nam", "Phúc", "Quân",
    "Sơn", "Tâm", "Thắng", "Trung", "Tuấn", "Việt", "Vinh", "Hiếu",
];
const GIVEN_WOMEN: &[&str] = &[
    "Anh", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Nhung", "Phương",
    "Thảo", "Trang", "Vy", "Yến", "Hiền", "Loan", "Ngân", "Thủy",
];
/// Xơ Đăng, Ba Na and Gia Rai names of the Central Highlands: "A" for men, "Y" for women.
const HIGHLAND_MEN: &[&str] = &[
    "Thút", "Khoa", "Blong", "Đam", "Hyun", "Sang", "Tim", "Nhong",
];
const HIGHLAND_WOMEN: &[&str] = &["Blin", "Hơn", "Mai", "Nhung", "Lan", "Dương", "Hia", "Pêng"];

pub fn person_name(rng: &mut Rng) -> (String, bool) {
    let woman = rng.chance(0.5);
    if rng.chance(0.18) {
        let (prefix, given) = if woman {
            ("Y", HIGHLAND_WOMEN)
        } else {
            ("A", HIGHLAND_MEN)
        };
        return (format!("{prefix} {}", rng.any(given)), woman);
    }
    let (middle, given) = if woman {
        (MIDDLE_WOMEN, GIVEN_WOMEN)
    } else {
        (MIDDLE_MEN, GIVEN_MEN)
    };
    (
        format!(
            "{} {} {}",
            rng.any(SURNAMES),
            rng.any(middle),
            rng.any(given)
        ),
        woman,
    )
}

/// A citizen identity number: province of birth (062 Kon Tum, 051 Quảng Ngãi), sex and century,
/// year of birth, six digits.
pub fn cccd(rng: &mut Rng, woman: bool) -> String {
    let province = if rng.chance(0.8) { "062" } else { "051" };
    let year = rng.range(1950, 2006);
    let sex_century = match (year >= 2000, woman) {
        (false, false) => 0,
        (false, true) => 1,
        (true, false) => 2,
        (true, true) => 3,
    };
    format!(
        "{province}{sex_century}{:02}{:06}",
        year % 100,
        rng.below(1_000_000)
    )
}

pub fn phone(rng: &mut Rng) -> String {
    let prefix = rng.any(&[
        "090", "091", "093", "098", "097", "086", "035", "038", "077",
    ]);
    format!("{prefix}{:07}", rng.below(10_000_000))
}

fn ascii_slug(name: &str) -> String {
    fold(name)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

#[derive(Debug, Clone)]
struct Person {
    name: String,
    id_number: String,
    phone: String,
    email: String,
}

fn person(rng: &mut Rng, with_email: bool) -> Person {
    let (name, woman) = person_name(rng);
    let email = if with_email {
        format!("{}{}@gmail.com", ascii_slug(&name), rng.below(1000))
    } else {
        String::new()
    };
    Person {
        name,
        id_number: cccd(rng, woman),
        phone: phone(rng),
        email,
    }
}

pub const COMPANY_WORDS: &[&str] = &[
    "Tây Nguyên",
    "Ngọc Linh",
    "Đăk Bla",
    "Sa Thầy",
    "Măng Đen",
    "Kon Plông",
    "Hưng Thịnh",
    "Phú Gia",
    "Thành Công",
    "Bắc Tây Nguyên",
    "Sâm Ngọc Linh",
    "Dung Quất",
];

// ---------------------------------------------------------------------------------------------
// The world: units, sides of the merger, accounts

#[derive(Debug, Clone)]
struct UnitInfo {
    id: String,
    full_name: String,
    kind: UnitKind,
    valid_from: Date,
    valid_to: Option<Date>,
    clock: Arc<WorkingClock>,
    /// Address suffix for applicants: "Phường Quang Trung, thành phố Kon Tum, tỉnh Kon Tum".
    address: String,
}

impl UnitInfo {
    fn active_on(&self, day: Date) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|to| day <= to)
    }

    fn is_department(&self) -> bool {
        matches!(self.kind, UnitKind::Department | UnitKind::ServiceCentre)
    }
}

/// The receiving units on one side of the merger.
struct Side {
    post: bool,
    communes: Weighted<usize>,
    offices: Weighted<usize>,
    /// Department slug → unit.
    departments: HashMap<String, usize>,
    /// Share of dossiers per level (commune, district office, province).
    levels: Weighted<Level>,
}

impl Side {
    fn has(&self, level: Level) -> bool {
        match level {
            Level::Commune => !self.communes.is_empty(),
            Level::District => !self.offices.is_empty(),
            Level::Province => !self.departments.is_empty(),
        }
    }

    fn department(&self, field: &str) -> Option<usize> {
        let slug = DEPARTMENTS
            .iter()
            .find(|(keys, _, _)| keys.iter().any(|k| field.contains(k)))
            .map(|(_, pre, post)| if self.post { *post } else { *pre });
        slug.and_then(|s| self.departments.get(s))
            .or_else(|| self.departments.get(SERVICE_CENTRE))
            .or_else(|| self.departments.values().min())
            .copied()
    }

    fn other_department(&self, current: usize) -> Option<usize> {
        let finance = self.departments.get("so-tai-chinh").copied();
        let land = self
            .departments
            .get(if self.post {
                "so-nong-nghiep-va-moi-truong"
            } else {
                "so-tai-nguyen-va-moi-truong"
            })
            .copied();
        [finance, land]
            .into_iter()
            .flatten()
            .find(|u| *u != current)
    }
}

struct Staff {
    officer: Principal,
    leader: Principal,
}

/// Shared by the workers.
struct Ctx {
    units: Vec<UnitInfo>,
    index: HashMap<String, usize>,
    /// The unit that took over each pre-2025 unit's open dossiers on 1 July 2025.
    successor: Vec<Option<usize>>,
    procs: Vec<Procedure>,
    staff: HashMap<usize, Staff>,
    citizens: Vec<Principal>,
    cutoff: DateTime,
}

impl Ctx {
    fn unit_of(&self, id: &str) -> Result<usize> {
        self.index
            .get(id)
            .copied()
            .ok_or_else(|| internal(format!("đơn vị {id} không thuộc dữ liệu mẫu")))
    }

    fn staff(&self, unit: usize) -> Result<&Staff> {
        self.staff.get(&unit).ok_or_else(|| {
            internal(format!(
                "không có cán bộ mẫu cho {}",
                self.units.get(unit).map_or("?", |u| u.id.as_str())
            ))
        })
    }
}

/// Reads every procedure of the catalogue.
async fn load_procedures(app: &App) -> Result<Vec<Procedure>> {
    let mut out = Vec::new();
    for page in 1.. {
        let p = app.search_procedures("", page, 100).await?;
        let n = p.items.len();
        out.extend(p.items);
        if n == 0 || out.len() as i64 >= p.total {
            break;
        }
    }
    Ok(out)
}

pub fn address_of(tree: &UnitTree, id: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(u) = tree.get(id) {
        parts.push(u.full_name.clone());
    }
    for a in tree.ancestors(id) {
        if !parts.iter().any(|p| p == &a.full_name) {
            parts.push(a.full_name.clone());
        }
    }
    parts.join(", ")
}

/// A short handle for a unit, for usernames: `w23281`, `w2025-23293`, `motcua.d608`,
/// `kt.so-tu-phap`, `qn.so-tu-phap`.
fn unit_handle(id: &str) -> String {
    let handle = if let Some(rest) = id.strip_prefix("p:62/") {
        format!("kt.{rest}")
    } else if let Some(rest) = id.strip_prefix("p2025:51/") {
        format!("qn.{rest}")
    } else if let Some(d) = id.strip_suffix("/bo-phan-mot-cua") {
        format!("motcua.{}", d.replace(':', ""))
    } else {
        id.replace("2025:", "2025-")
            .replacen(':', "", 1)
            .replace([':', '/'], ".")
    };
    handle
        .chars()
        .take(58)
        .collect::<String>()
        .trim_end_matches(['-', '.'])
        .to_owned()
}

struct Setup {
    units: Vec<UnitInfo>,
    index: HashMap<String, usize>,
    successor: Vec<Option<usize>>,
    /// Pre-2025 commune → its district's one-stop office.
    district_office: HashMap<usize, usize>,
    pre: Option<Side>,
    post: Option<Side>,
}

fn setup(app: &App, tree: &UnitTree, opts: &DemoOptions) -> Result<Setup> {
    let mut units: Vec<UnitInfo> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut add = |id: &str| -> Result<Option<usize>> {
        if let Some(i) = index.get(id) {
            return Ok(Some(*i));
        }
        let Some(u) = tree.get(id) else {
            return Ok(None);
        };
        let i = units.len();
        units.push(UnitInfo {
            id: id.to_owned(),
            full_name: u.full_name.clone(),
            kind: u.kind,
            valid_from: u.valid_from,
            valid_to: u.valid_to,
            clock: app.clock_for(u)?,
            address: address_of(tree, id),
        });
        index.insert(id.to_owned(), i);
        Ok(Some(i))
    };
    let mut rng = Rng::new(opts.seed ^ 0x5EED_0001);
    let last_pre = MERGER.yesterday().map_err(internal)?;
    let need_pre = opts.from < MERGER;
    let need_post = opts.to >= MERGER;
    if let Some(unknown) = opts.scope.iter().find(|id| !tree.contains(id.as_str())) {
        return Err(AppError::NotFound(format!("đơn vị {unknown}")));
    }
    let in_scope = |id: &str| {
        opts.scope.is_empty() || opts.scope.iter().any(|s| tree.is_within(id, s.as_str()))
    };

    // Before the merger: Kon Tum's communes, district offices and departments.
    let mut pre_communes: Vec<(String, f64)> = Vec::new();
    let mut pre_offices: Vec<(String, f64)> = Vec::new();
    let mut pre_departments: Vec<String> = Vec::new();
    let mut kon_tum_communes: Vec<String> = Vec::new();
    for u in tree.subtree("p:62") {
        let id = u.id.as_str();
        if !u.is_active_on(last_pre) {
            continue;
        }
        match u.kind {
            UnitKind::Commune if id.starts_with("w:") => {
                kon_tum_communes.push(id.to_owned());
                // Kon Tum city's wards are busier.
                let city = tree.is_within(id, "d:608");
                let w = (0.5 + rng.unit()) * if city { 1.8 } else { 1.0 };
                if in_scope(id) {
                    pre_communes.push((id.to_owned(), w));
                }
            }
            UnitKind::Office if id.ends_with("/bo-phan-mot-cua") => {
                let w = (0.7 + 0.6 * rng.unit()) * if id.starts_with("d:608/") { 2.0 } else { 1.0 };
                if in_scope(id) {
                    pre_offices.push((id.to_owned(), w));
                }
            }
            UnitKind::Department | UnitKind::ServiceCentre
                if u.parent.as_ref().is_some_and(|p| p.as_str() == "p:62") && in_scope(id) =>
            {
                pre_departments.push(id.to_owned());
            }
            _ => {}
        }
    }
    // After: Quảng Ngãi's 2025 communes that succeeded Kon Tum's, and its departments (within
    // the scope, or succeeding units within it).
    let mut post_communes: Vec<(String, f64)> = Vec::new();
    let mut post_departments: Vec<String> = Vec::new();
    for u in tree.active_on(MERGER) {
        let id = u.id.as_str();
        let from_kon_tum = tree
            .predecessors(id)
            .filter(|(p, _)| tree.is_within(p.id.as_str(), "p:62"))
            .filter(|(p, _)| in_scope(p.id.as_str()) || in_scope(id))
            .count();
        if u.kind == UnitKind::Commune && id.starts_with("w2025:") {
            let w = from_kon_tum as f64 * (0.7 + 0.6 * rng.unit());
            if from_kon_tum > 0 {
                post_communes.push((id.to_owned(), w));
            }
        } else if matches!(u.kind, UnitKind::Department | UnitKind::ServiceCentre)
            && u.parent.as_ref().is_some_and(|p| p.as_str() == "p2025:51")
            && (from_kon_tum > 0 || in_scope(id))
        {
            post_departments.push(id.to_owned());
        }
    }
    for list in [&mut pre_communes, &mut pre_offices, &mut post_communes] {
        list.sort_by(|a, b| a.0.cmp(&b.0));
    }
    pre_departments.sort();
    post_departments.sort();
    kon_tum_communes.sort();

    let mut side = |post: bool,
                    communes: &[(String, f64)],
                    offices: &[(String, f64)],
                    departments: &[String]|
     -> Result<Option<Side>> {
        if communes.is_empty() && departments.is_empty() {
            return Ok(None);
        }
        let mut c = Vec::new();
        for (id, w) in communes {
            if let Some(i) = add(id)? {
                c.push((i, *w));
            }
        }
        let mut o = Vec::new();
        for (id, w) in offices {
            if let Some(i) = add(id)? {
                o.push((i, *w));
            }
        }
        let mut d = HashMap::new();
        for id in departments {
            if let (Some(i), Some((_, slug))) = (add(id)?, id.split_once('/')) {
                d.insert(slug.to_owned(), i);
            }
        }
        let levels = if post {
            [(Level::Commune, 0.76), (Level::Province, 0.24)].to_vec()
        } else {
            [
                (Level::Commune, 0.62),
                (Level::District, 0.14),
                (Level::Province, 0.24),
            ]
            .to_vec()
        };
        let has = |l: Level| match l {
            Level::Commune => !c.is_empty(),
            Level::District => !o.is_empty(),
            Level::Province => !d.is_empty(),
        };
        Ok(Some(Side {
            post,
            levels: Weighted::new(levels.into_iter().filter(|(l, _)| has(*l))),
            communes: Weighted::new(c),
            offices: Weighted::new(o),
            departments: d,
        }))
    };
    let pre = if need_pre {
        side(false, &pre_communes, &pre_offices, &pre_departments)?
    } else {
        None
    };
    let post = if need_post {
        side(true, &post_communes, &[], &post_departments)?
    } else {
        None
    };
    if need_pre && pre.is_none() {
        return Err(AppError::Invalid(
            "chưa nạp đơn vị của tỉnh Kon Tum (p:62) trước 01/07/2025: hãy nạp danh sách đơn vị trước khi tạo dữ liệu mẫu".into(),
        ));
    }
    if need_post && post.is_none() {
        return Err(AppError::Invalid(
            "chưa nạp đơn vị của tỉnh Quảng Ngãi (p2025:51) từ 01/07/2025: hãy nạp danh sách đơn vị trước khi tạo dữ liệu mẫu".into(),
        ));
    }

    // Successors, for the handover on 1 July 2025.
    let mut successor = vec![None; units.len()];
    if need_post {
        for (i, u) in units.iter().enumerate() {
            if u.valid_to.is_none_or(|to| to >= MERGER) {
                continue;
            }
            let source = if let Some(district) = u.id.strip_suffix("/bo-phan-mot-cua") {
                // A district office's dossiers go to the successor of the district's first commune.
                kon_tum_communes
                    .iter()
                    .find(|c| tree.is_within(c.as_str(), district))
                    .cloned()
            } else {
                Some(u.id.clone())
            };
            let Some(source) = source else { continue };
            let mut next: Vec<(String, MergeKind)> = tree
                .successors(&source)
                .filter(|(s, _)| s.is_active_on(MERGER))
                .map(|(s, k)| (s.id.as_str().to_owned(), k))
                .collect();
            next.sort_by_key(|(id, k)| (*k == MergeKind::Part, id.clone()));
            successor[i] = next.first().and_then(|(id, _)| index.get(id)).copied();
        }
    }
    let mut district_office = HashMap::new();
    for (id, _) in &pre_communes {
        let office = tree
            .get(id)
            .and_then(|u| u.parent.as_ref())
            .map(|d| format!("{d}/bo-phan-mot-cua"));
        if let (Some(c), Some(o)) = (index.get(id), office.as_ref().and_then(|o| index.get(o))) {
            district_office.insert(*c, *o);
        }
    }
    Ok(Setup {
        units,
        index,
        successor,
        district_office,
        pre,
        post,
    })
}

// ---------------------------------------------------------------------------------------------
// Plans

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Resolve { approved: bool },
    Refuse,
    Withdraw,
    Stop,
}

#[derive(Debug, Clone)]
struct Plan {
    index: usize,
    unit: usize,
    procedure: usize,
    channel: Channel,
    at: DateTime,
    citizen: Option<usize>,
    applicant: ApplicantInput,
    components: Vec<ComponentInput>,
    fate: Fate,
    supplements: u8,
    /// The first supplement is asked for before an online dossier is accepted.
    early_supplement: bool,
    fee: Option<i64>,
    pay_online: bool,
    /// Liên thông: the unit to forward to before and after the merger.
    forward: Option<(Option<usize>, Option<usize>)>,
    late: bool,
    /// Received in the last month and stuck at the end: overdue, the apology maybe pending.
    stall: bool,
    rating: Option<u8>,
    rng: Rng,
}

/// The working days of the history, weighted by the rhythm of the year.
fn day_weights(clock: &WorkingClock, from: Date, to: Date) -> Result<Weighted<Date>> {
    let mut tets = HashMap::new();
    for y in from.year()..=to.year() + 1 {
        tets.insert(y, lunar::tet(y).map_err(internal)?);
    }
    let mut days = Vec::new();
    let mut d = from;
    let mut n = 0.0;
    while d <= to {
        if !day_periods(clock, d).is_empty() {
            // Slow growth (more dossiers each year), year-end peak, the rush before Tết and the
            // dip after it, Mondays busy, Fridays quiet, the merger's first weeks slow.
            let mut w = 1.0 + 0.10 * n / 365.0;
            w *= match d.month() {
                12 => 1.25,
                1 => 1.1,
                6 => 1.05,
                8 => 0.95,
                _ => 1.0,
            };
            for tet in [tets.get(&d.year()), tets.get(&(d.year() + 1))]
                .into_iter()
                .flatten()
            {
                let until = tet.since(d).map_err(internal)?.get_days();
                if (1..=14).contains(&until) {
                    w *= 1.3;
                }
                if (-12..=0).contains(&until) {
                    w *= 0.6;
                }
            }
            w *= match d.weekday() {
                Weekday::Monday => 1.15,
                Weekday::Friday => 0.9,
                _ => 1.0,
            };
            let to_merger = MERGER.since(d).map_err(internal)?.get_days();
            if (1..=12).contains(&to_merger) {
                w *= 1.15;
            }
            if (-13..=0).contains(&to_merger) {
                w *= 0.75;
            }
            days.push((d, w));
        }
        n += 1.0;
        d = d.tomorrow().map_err(internal)?;
    }
    Ok(Weighted::new(days))
}

struct Citizen {
    person: Person,
    address: String,
}

fn plan_all(
    opts: &DemoOptions,
    s: &Setup,
    procs: &[Procedure],
    pools: &[Pool; 3],
    citizens: &[Citizen],
) -> Result<Vec<Plan>> {
    let reference = s
        .units
        .first()
        .map(|u| Arc::clone(&u.clock))
        .ok_or_else(|| internal("không có đơn vị"))?;
    let days = day_weights(&reference, opts.from, opts.to)?;
    if days.is_empty() {
        return Err(AppError::Invalid(format!(
            "không có ngày làm việc nào từ {} đến {}",
            opts.from, opts.to
        )));
    }
    let mut plans = Vec::with_capacity(opts.dossiers);
    for index in 0..opts.dossiers {
        let mut rng = Rng::new(opts.seed ^ splitmix(index as u64 + 1));
        let day = *days.pick(&mut rng).ok_or_else(|| internal("ngày"))?;
        let side = if day >= MERGER {
            s.post.as_ref()
        } else {
            s.pre.as_ref()
        }
        .ok_or_else(|| internal("thiếu đơn vị"))?;
        // Online grows by 4 points a year: 19% in July 2024, 23% at the merger, 27% in mid-2026.
        let years = day.since(MERGER).map_err(internal)?.get_days() as f64 / 365.0;
        let online_share = (0.23 + 0.04 * years).clamp(0.10, 0.40);
        let mut channel = if !citizens.is_empty() && rng.chance(online_share) {
            Channel::Online
        } else if rng.chance(0.05) {
            Channel::Post
        } else {
            Channel::Counter
        };
        let pool = |l: Level| match l {
            Level::Commune => &pools[0],
            Level::District => &pools[1],
            Level::Province => &pools[2],
        };
        // A level without a procedure on the channel: another level, then the counter.
        let first = *side.levels.pick(&mut rng).ok_or_else(|| internal("cấp"))?;
        let mut choice = None;
        'found: for ch in [channel, Channel::Counter] {
            for l in [first, Level::Commune, Level::Province] {
                if !side.has(l) {
                    continue;
                }
                if let Some(p) = pool(l).pick(ch, &mut rng) {
                    choice = Some((l, ch, p));
                    break 'found;
                }
            }
        }
        let (level, ch, procedure) =
            choice.ok_or_else(|| internal("không có thủ tục nào có thời hạn giải quyết"))?;
        channel = ch;
        let proc = &procs[procedure];
        let field = fold(&proc.field);
        let unit = match level {
            Level::Commune => side.communes.pick(&mut rng).copied(),
            Level::District => side.offices.pick(&mut rng).copied(),
            Level::Province => side.department(&field),
        }
        .or_else(|| side.communes.pick(&mut rng).copied())
        .ok_or_else(|| internal("không có đơn vị tiếp nhận"))?;
        let info = &s.units[unit];
        let mut at = working_instant(&info.clock, day, &mut rng)?;
        let online = channel == Channel::Online;
        if online && rng.chance(0.3) {
            // Filed in the evening.
            at = day.at(rng.range(18, 22) as i8, rng.range(0, 59) as i8, 0, 0);
        }
        let citizen = online
            .then(|| rng.below(citizens.len() as u64) as usize)
            .filter(|i| *i < citizens.len());
        let business = field.contains("doanh nghiep") || field.contains("dau tu");
        let applicant = match citizen.and_then(|i| citizens.get(i)) {
            Some(c) => ApplicantInput {
                kind: ApplicantKind::Citizen,
                name: c.person.name.clone(),
                id_number: c.person.id_number.clone(),
                phone: c.person.phone.clone(),
                email: c.person.email.clone(),
                address: c.address.clone(),
            },
            None if business => {
                let owner = person(&mut rng, true);
                ApplicantInput {
                    kind: ApplicantKind::Business,
                    name: format!("Công ty TNHH {}", rng.any(COMPANY_WORDS)),
                    id_number: format!("61{:08}", rng.below(100_000_000)),
                    phone: owner.phone,
                    email: owner.email,
                    address: info.address.clone(),
                }
            }
            None => {
                let with_email = rng.chance(0.2);
                let p = person(&mut rng, with_email);
                ApplicantInput {
                    kind: ApplicantKind::Citizen,
                    name: p.name,
                    id_number: p.id_number,
                    phone: p.phone,
                    email: p.email,
                    address: format!("Thôn {}, {}", rng.range(1, 12), info.address),
                }
            }
        };
        let digitised = rng.chance(if day >= MERGER { 0.85 } else { 0.65 });
        let mut components = vec![ComponentInput {
            name: "Tờ khai, đơn đề nghị theo mẫu".into(),
            digitised,
            reused: false,
            from_national_data: false,
            file_ref: None,
        }];
        components.push(ComponentInput {
            name: if business {
                "Giấy chứng nhận đăng ký doanh nghiệp".into()
            } else {
                "Thông tin căn cước (khai thác từ Cơ sở dữ liệu quốc gia về dân cư)".into()
            },
            digitised: true,
            reused: false,
            from_national_data: !business,
            file_ref: None,
        });
        if rng.chance(0.5) {
            components.push(ComponentInput {
                name: rng
                    .any(&[
                        "Giấy tờ chứng minh chỗ ở hợp pháp",
                        "Bản sao giấy tờ liên quan",
                        "Giấy chứng nhận quyền sử dụng đất",
                        "Văn bản ủy quyền",
                        "Sơ đồ vị trí",
                    ])
                    .into(),
                digitised,
                reused: rng.chance(0.15),
                from_national_data: false,
                file_ref: None,
            });
        }
        let fate = {
            let x = rng.unit();
            if online && x < 0.02 {
                Fate::Refuse
            } else if online && x < 0.04 {
                Fate::Withdraw
            } else if x > 0.997 {
                Fate::Stop
            } else {
                Fate::Resolve {
                    approved: rng.chance(0.975),
                }
            }
        };
        let supplements = {
            let x = rng.unit();
            if x < 0.003 {
                2
            } else if x < 0.083 {
                1
            } else {
                0
            }
        };
        let early_supplement = online && supplements > 0 && rng.chance(0.4);
        let fee = fee_amount(proc, channel, &mut rng);
        // About 30% of payments online (the seeds' target): most online applicants, some
        // at the counter by bank transfer.
        let pay_online = if online {
            rng.chance(0.85)
        } else {
            rng.chance(0.125)
        };
        let forward = rng.chance(0.05).then(|| {
            let target = |side: Option<&Side>| -> Option<usize> {
                let side = side?;
                if info.kind == UnitKind::Commune {
                    if side.post {
                        return side.department(&field);
                    }
                    // A commune asks its district's one-stop office.
                    return s
                        .district_office
                        .get(&unit)
                        .copied()
                        .or_else(|| side.department(&field));
                }
                if info.is_department() {
                    return side.other_department(unit);
                }
                side.department(&field)
            };
            (target(s.pre.as_ref()), target(s.post.as_ref()))
        });
        let late = matches!(fate, Fate::Resolve { .. }) && rng.chance(0.013);
        let last_month = opts
            .to
            .checked_sub(jiff::Span::new().days(30))
            .unwrap_or(opts.to);
        let stall = matches!(fate, Fate::Resolve { .. }) && day >= last_month && rng.chance(0.015);
        let rating = (online && rng.chance(0.7)).then(|| {
            let x = rng.unit();
            let good = !late;
            if good && x < 0.62 {
                5
            } else if good && x < 0.92 {
                4
            } else if x < 0.96 {
                3
            } else if x < 0.98 {
                2
            } else {
                1
            }
        });
        plans.push(Plan {
            index,
            unit,
            procedure,
            channel,
            at,
            citizen,
            applicant,
            components,
            fate,
            supplements,
            early_supplement,
            fee,
            pay_online,
            forward,
            late,
            stall,
            rating,
            rng,
        });
    }
    Ok(plans)
}

// ---------------------------------------------------------------------------------------------
// Accounts

fn titles(u: &UnitInfo) -> (&'static str, &'static str) {
    match u.kind {
        UnitKind::Commune => ("Công chức Bộ phận Một cửa", "Phó Chủ tịch Ủy ban nhân dân"),
        UnitKind::Office => (
            "Chuyên viên Bộ phận Một cửa",
            "Chánh Văn phòng HĐND và UBND",
        ),
        UnitKind::ServiceCentre => (
            "Chuyên viên tiếp nhận và trả kết quả",
            "Phó Giám đốc Trung tâm",
        ),
        _ => ("Chuyên viên", "Phó Giám đốc Sở"),
    }
}

async fn create_all(
    app: &App,
    accounts: Vec<NewAccount>,
    workers: usize,
) -> Result<Vec<Principal>> {
    let n = accounts.len();
    let workers = workers.clamp(1, 16);
    let mut chunks: Vec<Vec<(usize, NewAccount)>> = (0..workers).map(|_| Vec::new()).collect();
    for (i, a) in accounts.into_iter().enumerate() {
        chunks[i % workers].push((i, a));
    }
    let sys = Principal::system();
    let mut set = tokio::task::JoinSet::new();
    for chunk in chunks {
        let app = app.clone();
        let sys = sys.clone();
        set.spawn(async move {
            let mut out = Vec::with_capacity(chunk.len());
            for (i, a) in chunk {
                let username = a.username.clone();
                match app.create_account(&sys, a).await {
                    Ok(p) => out.push((i, p)),
                    Err(AppError::Invalid(m)) if m.starts_with("đã tồn tại") => {
                        return Err(AppError::Invalid(format!(
                            "tài khoản mẫu {username} đã có: hãy tạo dữ liệu mẫu trên một cơ sở dữ liệu mới"
                        )));
                    }
                    Err(e) => return Err(e),
                }
            }
            Ok(out)
        });
    }
    let mut all: Vec<Option<Principal>> = vec![None; n];
    while let Some(r) = set.join_next().await {
        for (i, p) in r.map_err(internal)?? {
            all[i] = Some(p);
        }
    }
    all.into_iter()
        .map(|p| p.ok_or_else(|| internal("tài khoản")))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Running a dossier

#[derive(Debug, Default)]
struct Tally {
    dossiers: usize,
    events: usize,
    by_status: BTreeMap<u8, usize>,
    before_merger: usize,
    after_merger: usize,
    online: usize,
    resolved: usize,
    on_time: usize,
    late: usize,
    apologies: usize,
    open_overdue: usize,
    supplements: usize,
    second_supplements: usize,
    forwarded: usize,
    handovers: usize,
    payment_requests: usize,
    payments: usize,
    online_payments: usize,
    ratings: usize,
    ratings_by_score: BTreeMap<u8, usize>,
    /// Receiving unit → dossiers.
    per_unit: BTreeMap<usize, usize>,
}

impl Tally {
    fn add(&mut self, o: Tally) {
        self.dossiers += o.dossiers;
        self.events += o.events;
        for (k, v) in o.by_status {
            *self.by_status.entry(k).or_default() += v;
        }
        self.before_merger += o.before_merger;
        self.after_merger += o.after_merger;
        self.online += o.online;
        self.resolved += o.resolved;
        self.on_time += o.on_time;
        self.late += o.late;
        self.apologies += o.apologies;
        self.open_overdue += o.open_overdue;
        self.supplements += o.supplements;
        self.second_supplements += o.second_supplements;
        self.forwarded += o.forwarded;
        self.handovers += o.handovers;
        self.payment_requests += o.payment_requests;
        self.payments += o.payments;
        self.online_payments += o.online_payments;
        self.ratings += o.ratings;
        for (k, v) in o.ratings_by_score {
            *self.ratings_by_score.entry(k).or_default() += v;
        }
        for (k, v) in o.per_unit {
            *self.per_unit.entry(k).or_default() += v;
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Who {
    /// The officer of the unit holding the dossier.
    Officer,
    /// The leader of the unit holding the dossier.
    Leader,
    /// The officer of the receiving unit (it returns results), or of the holder if it ended.
    Receiver,
    /// The online applicant.
    Citizen,
}

struct Run<'a> {
    ctx: &'a Ctx,
    app: &'a App,
    now: &'a Mutex<DateTime>,
    plan: Plan,
    code: String,
    view: DossierView,
    t: DateTime,
    clock: Arc<WorkingClock>,
    handovers: usize,
    forwarded: bool,
}

const HANDOVER: &str = "Bàn giao hồ sơ đang giải quyết cho đơn vị kế thừa theo sắp xếp đơn vị hành chính từ ngày 01/07/2025";

/// Ends the dossier's life (returning `()` or `false`) when a step falls after the end of the
/// history or ended it.
macro_rules! step {
    ($e:expr) => {
        if !$e.await? {
            return Ok(Default::default());
        }
    };
}

impl<'a> Run<'a> {
    fn set_now(&self, t: DateTime) {
        match self.now.lock() {
            Ok(mut g) => *g = t,
            Err(poisoned) => *poisoned.into_inner() = t,
        }
    }

    fn current(&self) -> Result<usize> {
        self.ctx.unit_of(&self.view.dossier.current_unit)
    }

    fn citizen(&self) -> Option<&'a Principal> {
        self.plan.citizen.and_then(|i| self.ctx.citizens.get(i))
    }

    fn due(&self) -> Result<DateTime> {
        due_of(&self.view).ok_or_else(|| {
            internal(format!(
                "hồ sơ {} chưa có hạn giải quyết ({})",
                self.code, self.view.status_label
            ))
        })
    }

    /// Records one action as `who` at `at` (never before the previous step).
    async fn apply(&mut self, who: &Principal, at: DateTime, action: Action) -> Result<bool> {
        let at = at.max(self.t);
        if at > self.ctx.cutoff {
            return Ok(false);
        }
        self.set_now(at);
        let what = format!("{action:?}");
        // A citizen's online payment arrives confirmed by the payment gateway.
        let confirmed = who.role == Role::Citizen && matches!(action, Action::Pay { .. });
        let done = if confirmed {
            self.app
                .record_confirmed_payment(who, &self.code, action)
                .await
        } else {
            self.app
                .act(who, &self.code, Some(self.view.dossier.version), action)
                .await
        };
        self.view = done.map_err(|e| {
            internal(format!(
                "hồ sơ {} ({}), {} lúc {at}: {what}: {e}",
                self.code, self.view.status_label, who.username
            ))
        })?;
        self.t = at;
        Ok(true)
    }

    /// On or after 1 July 2025, a dossier in the hands of a unit that ended moves to the unit
    /// that succeeded it (when its status allows a transfer).
    async fn handover(&mut self, at: DateTime) -> Result<bool> {
        let at = at.max(self.t);
        if at.date() < MERGER || at > self.ctx.cutoff {
            return Ok(true);
        }
        let ctx = self.ctx;
        let current = self.current()?;
        if ctx.units[current].active_on(at.date())
            || !matches!(
                self.view.dossier.status,
                Status::Accepted | Status::Processing
            )
        {
            return Ok(true);
        }
        let Some(next) = ctx.successor.get(current).copied().flatten() else {
            return Ok(true);
        };
        let to_unit = ctx.units[next].id.clone();
        let who = &ctx.staff(current)?.officer;
        let ok = self
            .apply(
                who,
                at,
                Action::Forward {
                    to_unit,
                    reason: HANDOVER.into(),
                },
            )
            .await?;
        if ok {
            self.handovers += 1;
        }
        Ok(ok)
    }

    async fn act(&mut self, who: Who, at: DateTime, action: Action) -> Result<bool> {
        let at = at.max(self.t);
        if at > self.ctx.cutoff {
            return Ok(false);
        }
        let ctx = self.ctx;
        let principal = match who {
            Who::Citizen => match self.citizen() {
                Some(c) => c,
                None => &ctx.staff(self.current()?)?.officer,
            },
            Who::Officer | Who::Leader => {
                if !self.handover(at).await? {
                    return Ok(false);
                }
                let s = ctx.staff(self.current()?)?;
                if matches!(who, Who::Leader) {
                    &s.leader
                } else {
                    &s.officer
                }
            }
            Who::Receiver => {
                let receiving = ctx.unit_of(&self.view.dossier.receiving_unit)?;
                let unit = if ctx.units[receiving].active_on(at.date()) {
                    receiving
                } else {
                    self.current()?
                };
                &ctx.staff(unit)?.officer
            }
        };
        self.apply(principal, at, action).await
    }

    /// `minutes` of working time after the last step.
    fn after(&self, minutes: i64) -> Result<DateTime> {
        add_work(&self.clock, self.t, minutes)
    }

    /// Working minutes left until the due date.
    fn remaining(&self) -> Result<i64> {
        work_between(&self.clock, self.t, self.due()?)
    }

    fn rand(&mut self, lo: i64, hi: i64) -> i64 {
        self.plan.rng.range(lo, hi)
    }

    /// A step `typical` working minutes later, but within `share` of the time left.
    fn soon(&mut self, lo: i64, hi: i64, share: f64) -> Result<DateTime> {
        let typical = self.rand(lo, hi);
        let left = self.remaining()?.max(1);
        self.after(typical.min(((left as f64) * share) as i64).max(1))
    }

    async fn supplement(&mut self, before_acceptance: bool) -> Result<bool> {
        let n = self.rand(1, 3) as usize;
        let mut items: Vec<String> = Vec::new();
        for _ in 0..n {
            let item = self.plan.rng.any(&[
                "Bản sao giấy tờ chứng minh chỗ ở hợp pháp",
                "Tờ khai ghi thiếu thông tin, đề nghị khai lại đầy đủ",
                "Bản chính giấy tờ để đối chiếu",
                "Văn bản ủy quyền có chứng thực",
                "Sơ đồ vị trí thửa đất",
                "Giấy tờ chứng minh quan hệ nhân thân",
                "Ảnh chụp giấy tờ bị mờ, đề nghị nộp lại bản rõ nét",
            ]);
            if !items.iter().any(|i| i == item) {
                items.push(item.to_owned());
            }
        }
        let at = if before_acceptance {
            add_work(&self.clock, self.t, self.plan.rng.range(15, 480))?
        } else {
            self.soon(60, 960, 0.3)?
        };
        step!(self.act(
            Who::Officer,
            at,
            Action::RequestSupplement {
                items,
                note: "Hướng dẫn một lần, đầy đủ các nội dung cần bổ sung".into(),
            },
        ));
        if before_acceptance && self.plan.fate == Fate::Refuse {
            // The applicant never supplemented: refused at intake.
            let wait = self.plan.rng.range(5, 15) * 480;
            let at = self.after(wait)?;
            return self
                .act(
                    Who::Officer,
                    at,
                    Action::Refuse {
                        reason:
                            "Quá thời hạn bổ sung, người nộp không bổ sung hồ sơ theo hướng dẫn"
                                .into(),
                    },
                )
                .await
                .map(|_| false);
        }
        if self.plan.fate == Fate::Withdraw && self.plan.rng.chance(0.5) {
            let wait = self.plan.rng.range(1, 8) * 480;
            let at = self.after(wait)?;
            return self
                .act(
                    Who::Citizen,
                    at,
                    Action::Withdraw {
                        reason: "Không đủ giấy tờ để bổ sung, xin rút hồ sơ".into(),
                    },
                )
                .await
                .map(|_| false);
        }
        let wait = self.plan.rng.range(1, 10) * 480 - self.plan.rng.range(0, 400);
        let at = self.after(wait)?;
        let (who, note) = match self.plan.channel {
            Channel::Online => (Who::Citizen, "Bổ sung trực tuyến"),
            Channel::Post => (Who::Officer, "Nhận hồ sơ bổ sung qua bưu chính"),
            Channel::Counter => (Who::Officer, "Công dân nộp bổ sung tại Bộ phận Một cửa"),
        };
        self.act(who, at, Action::ReceiveSupplement { note: note.into() })
            .await
    }

    async fn life(&mut self) -> Result<()> {
        let ctx = self.ctx;
        let online = self.plan.channel == Channel::Online;
        let mut supplements = self.plan.supplements;
        if online {
            if self.plan.early_supplement {
                step!(self.supplement(true));
                supplements = supplements.saturating_sub(1);
            }
            // Most online dossiers are checked within hours; some wait a day or two.
            let x = self.plan.rng.unit();
            let wait = if x < 0.6 {
                self.plan.rng.range(15, 240)
            } else if x < 0.9 {
                self.plan.rng.range(240, 960)
            } else {
                self.plan.rng.range(960, 2400)
            };
            let at = add_work(&self.clock, self.t, wait)?;
            match self.plan.fate {
                Fate::Refuse => {
                    let reason = self.plan.rng.any(&[
                        "Hồ sơ không thuộc thẩm quyền giải quyết của đơn vị",
                        "Thành phần hồ sơ không đúng quy định",
                        "Nộp trùng hồ sơ đã tiếp nhận trước đó",
                    ]);
                    self.act(
                        Who::Officer,
                        at,
                        Action::Refuse {
                            reason: reason.into(),
                        },
                    )
                    .await?;
                    return Ok(());
                }
                Fate::Withdraw if self.plan.rng.chance(0.3) => {
                    let at = add_minutes(self.t, self.plan.rng.range(30, 600))?;
                    self.act(
                        Who::Citizen,
                        at,
                        Action::Withdraw {
                            reason: "Nộp nhầm thủ tục, xin rút để nộp lại".into(),
                        },
                    )
                    .await?;
                    return Ok(());
                }
                _ => {}
            }
            if self.view.dossier.status == Status::Submitted {
                step!(self.act(Who::Officer, at, Action::Accept));
            }
        }
        let department = ctx.units[self.current()?].is_department();
        let at = if department {
            self.soon(60, 960, 0.15)?
        } else {
            self.soon(10, 600, 0.12)?
        };
        let officer = |run: &Self, at: DateTime| -> Result<String> {
            // The officer who will hold it (after a handover, the successor's).
            let mut unit = run.current()?;
            if at.date() >= MERGER && !ctx.units[unit].active_on(at.date()) {
                unit = ctx.successor.get(unit).copied().flatten().unwrap_or(unit);
            }
            Ok(ctx.staff(unit)?.officer.account_id.clone())
        };
        let who = officer(self, at)?;
        step!(self.act(Who::Officer, at, Action::Assign { officer: who }));
        if let Some((pre, post)) = self.plan.forward {
            let at = self.soon(30, 480, 0.12)?;
            let target = if at.date() >= MERGER { post } else { pre };
            // A handover may come first; the target must differ from the holder then.
            self.handover(at).await?;
            if let Some(target) = target.filter(|t| Some(*t) != self.current().ok())
                && ctx.units[target].active_on(at.date())
            {
                let name = ctx.units[target].full_name.clone();
                step!(self.act(
                    Who::Officer,
                    at,
                    Action::Forward {
                        to_unit: ctx.units[target].id.clone(),
                        reason: format!("Chuyển liên thông để {name} thẩm định, giải quyết"),
                    }
                ));
                self.forwarded = true;
                let at = self.soon(10, 240, 0.08)?;
                let who = officer(self, at)?;
                step!(self.act(Who::Officer, at, Action::Assign { officer: who }));
            }
        }
        for _ in 0..supplements {
            step!(self.supplement(false));
        }
        if let Some(amount) = self.plan.fee {
            let at = self.soon(30, 480, 0.2)?;
            step!(self.act(
                Who::Officer,
                at,
                Action::RequestPayment {
                    amount,
                    note: "Thông báo nộp phí, lệ phí".into(),
                }
            ));
            let wait = self.plan.rng.range(30, 1440);
            let at = self.after(wait)?;
            let reference = format!("DEMO{:08}", self.plan.rng.below(100_000_000));
            let (who, method, paid_online) = match (online, self.plan.pay_online) {
                (true, true) => (
                    Who::Citizen,
                    "Thanh toán trực tuyến qua Cổng Dịch vụ công quốc gia",
                    true,
                ),
                (false, true) => (Who::Officer, "Chuyển khoản, quét mã QR tại quầy", true),
                (_, false) if self.plan.channel == Channel::Post => {
                    (Who::Officer, "Thu hộ qua bưu điện", false)
                }
                (_, false) => (Who::Officer, "Tiền mặt tại Bộ phận Một cửa", false),
            };
            step!(self.act(
                who,
                at,
                Action::Pay {
                    amount,
                    method: method.into(),
                    online: paid_online,
                    reference,
                }
            ));
        }
        match self.plan.fate {
            Fate::Stop => {
                let at = self.soon(60, 2400, 0.5)?;
                let reason = self.plan.rng.any(&[
                        "Phát hiện giấy tờ trong hồ sơ có dấu hiệu giả mạo, chuyển cơ quan có thẩm quyền",
                        "Có tranh chấp phát sinh, chờ giải quyết của Tòa án",
                        "Người nộp hồ sơ đã chết, không có người thừa kế đề nghị tiếp tục",
                    ],
                );
                self.act(
                    Who::Leader,
                    at,
                    Action::Stop {
                        reason: reason.into(),
                    },
                )
                .await?;
                return Ok(());
            }
            Fate::Withdraw => {
                let at = self.soon(60, 1440, 0.5)?;
                self.act(
                    Who::Citizen,
                    at,
                    Action::Withdraw {
                        reason: "Công dân đề nghị rút hồ sơ để điều chỉnh nội dung".into(),
                    },
                )
                .await?;
                return Ok(());
            }
            Fate::Refuse | Fate::Resolve { .. } => {}
        }
        // The decision: well before the due date mostly; after it for the late ones, which
        // get an apology with a new date as soon as they are late.
        let due = self.due()?;
        if self.plan.stall {
            // The end-of-period backlog: overdue, apologised for days later, still open.
            let noticed = add_work(
                &self.clock,
                due.max(self.t),
                self.plan.rng.range(1, 5) * 480,
            )?;
            let new_due = add_work(&self.clock, noticed, self.plan.rng.range(1, 3) * 480)?;
            self.act(
                Who::Leader,
                noticed,
                Action::Extend {
                    new_due,
                    reason: "Hồ sơ tồn đọng, cần thêm thời gian xác minh".into(),
                },
            )
            .await?;
            return Ok(());
        }
        let left = self.remaining()?;
        let late = self.plan.late || left <= 0;
        let decide_at = if late {
            // Mostly noticed within hours; sometimes only days later.
            let delay = if self.plan.rng.chance(0.7) {
                self.plan.rng.range(5, 240)
            } else {
                self.plan.rng.range(480, 3 * 480)
            };
            let noticed = add_work(&self.clock, due.max(self.t), delay)?;
            let new_due = add_work(&self.clock, noticed, self.plan.rng.range(1, 5) * 480)?;
            let reason = self.plan.rng.any(&[
                "Hồ sơ cần xác minh thêm tại cơ quan có liên quan",
                "Chờ ý kiến của cơ quan phối hợp giải quyết",
                "Cán bộ thụ lý nghỉ ốm đột xuất, chưa kịp bàn giao",
                "Sự cố phần mềm một cửa điện tử, chậm cập nhật kết quả",
            ]);
            step!(self.act(
                Who::Leader,
                noticed,
                Action::Extend {
                    new_due,
                    reason: reason.into(),
                }
            ));
            // Late closing: the result is recorded hours to days after the new date.
            add_work(&self.clock, new_due, self.plan.rng.range(30, 5 * 480))?
        } else {
            let u = self.plan.rng.unit();
            let share = 0.05 + 0.9 * u.powf(1.6);
            self.after(((left as f64) * share) as i64)?.min(due)
        };
        let (outcome, note, results) = match self.plan.fate {
            Fate::Resolve { approved: false } => (
                Outcome::Rejected,
                "Không đủ điều kiện giải quyết theo quy định; đã có văn bản trả lời nêu rõ lý do"
                    .into(),
                Vec::new(),
            ),
            _ => {
                let name: String = ctx.procs[self.plan.procedure]
                    .name
                    .trim_start_matches("Thủ tục ")
                    .chars()
                    .take(160)
                    .collect();
                (
                    Outcome::Approved,
                    String::new(),
                    vec![ResultDoc {
                        name: format!("Kết quả giải quyết: {name}"),
                        electronic: self.plan.rng.chance(0.8),
                        file_ref: None,
                    }],
                )
            }
        };
        step!(self.act(
            Who::Officer,
            decide_at,
            Action::Decide {
                outcome,
                note,
                results,
            }
        ));
        let (method, wait) = match self.plan.channel {
            Channel::Online => (
                if self.plan.rng.chance(0.9) {
                    Channel::Online
                } else {
                    Channel::Post
                },
                self.plan.rng.range(5, 240),
            ),
            Channel::Post => (Channel::Post, self.plan.rng.range(120, 960)),
            Channel::Counter => {
                let mut w = self.plan.rng.range(10, 3 * 480);
                if self.plan.rng.chance(0.06) {
                    w += self.plan.rng.range(5, 15) * 480;
                }
                (Channel::Counter, w)
            }
        };
        let at = self.after(wait)?;
        step!(self.act(Who::Receiver, at, Action::Return { method }));
        if let Some(score) = self.plan.rating
            && self.citizen().is_some()
        {
            let at = add_minutes(self.t, self.plan.rng.range(10, 3 * 1440))?;
            let comment = match score {
                5 => "Cán bộ hướng dẫn tận tình, trả kết quả sớm",
                4 => "Hài lòng",
                3 => "Thời gian chờ hơi lâu",
                2 => "Phải bổ sung nhiều lần",
                _ => "Không hài lòng, trả kết quả trễ hẹn",
            };
            self.act(
                Who::Citizen,
                at,
                Action::Rate {
                    score,
                    comment: comment.into(),
                },
            )
            .await?;
        }
        Ok(())
    }
}

async fn run_dossier(ctx: &Ctx, app: &App, now: &Mutex<DateTime>, plan: Plan) -> Result<Tally> {
    let unit = &ctx.units[plan.unit];
    let who = match (plan.channel, plan.citizen.and_then(|i| ctx.citizens.get(i))) {
        (Channel::Online, Some(c)) => c,
        _ => &ctx.staff(plan.unit)?.officer,
    };
    match now.lock() {
        Ok(mut g) => *g = plan.at,
        Err(poisoned) => *poisoned.into_inner() = plan.at,
    }
    let procedure_code = ctx.procs[plan.procedure].code.clone();
    let receipt = app
        .create_dossier(
            who,
            NewDossier {
                procedure_code: procedure_code.clone(),
                channel: plan.channel,
                applicant: plan.applicant.clone(),
                components: plan.components.clone(),
                competent_unit: None,
                receiving_unit: Some(unit.id.clone()),
            },
        )
        .await
        .map_err(|e| {
            internal(format!(
                "tiếp nhận hồ sơ {procedure_code} tại {} lúc {}: {e}",
                unit.id, plan.at
            ))
        })?;
    let mut run = Run {
        ctx,
        app,
        now,
        clock: Arc::clone(&unit.clock),
        code: receipt.code,
        view: receipt.view,
        t: plan.at,
        handovers: 0,
        forwarded: false,
        plan,
    };
    run.life().await?;
    Ok(tally_of(&run))
}

fn tally_of(run: &Run<'_>) -> Tally {
    let d = &run.view.dossier;
    let mut t = Tally {
        dossiers: 1,
        events: d.version as usize,
        ..Tally::default()
    };
    *t.by_status.entry(d.status.code()).or_default() += 1;
    *t.per_unit.entry(run.plan.unit).or_default() += 1;
    if d.submitted_at.date() < MERGER {
        t.before_merger = 1;
    } else {
        t.after_merger = 1;
    }
    t.online = usize::from(d.channel == Channel::Online);
    if d.decided_at.is_some() {
        t.resolved = 1;
        if run.view.late {
            t.late = 1;
        } else {
            t.on_time = 1;
        }
    }
    t.apologies = usize::from(!d.extensions.is_empty());
    if d.status.is_open() && due_of(&run.view).is_some_and(|due| due < run.ctx.cutoff) {
        t.open_overdue = 1;
    }
    t.supplements = usize::from(d.supplement_requests > 0);
    t.second_supplements = usize::from(d.supplement_requests > 1);
    t.forwarded = usize::from(run.forwarded);
    t.handovers = usize::from(run.handovers > 0);
    t.payment_requests = usize::from(
        d.payment_requested.is_some()
            || !d.payments.is_empty()
            || d.status == Status::AwaitingPayment,
    );
    t.payments = usize::from(!d.payments.is_empty());
    t.online_payments = usize::from(d.payments.iter().any(|p| p.online));
    if let Some((score, _)) = &d.rating {
        t.ratings = 1;
        *t.ratings_by_score.entry(*score).or_default() += 1;
    }
    t
}

// ---------------------------------------------------------------------------------------------
// Entry point

/// Fills an app whose units and procedures are imported with `opts.dossiers` dossiers between
/// `opts.from` and `opts.to`, and the accounts that handle them. `progress` is called with the
/// number of dossiers done so far.
pub async fn generate(
    app: &App,
    opts: &DemoOptions,
    mut progress: impl FnMut(usize),
) -> Result<DemoReport> {
    let started = Instant::now();
    if opts.from > opts.to {
        return Err(AppError::Invalid(format!(
            "ngày bắt đầu {} sau ngày kết thúc {}",
            opts.from, opts.to
        )));
    }
    if opts.dossiers == 0 {
        return Err(AppError::Invalid("số hồ sơ phải lớn hơn 0".into()));
    }
    let tree = app.units()?;
    // On PostgreSQL, the history's months get their partitions before it is written.
    app.store().ensure_partitions(opts.from, opts.to).await?;
    let procs = load_procedures(app).await?;
    if procs.is_empty() {
        return Err(AppError::Invalid(
            "chưa nạp danh mục thủ tục hành chính: hãy nạp danh mục trước khi tạo dữ liệu mẫu"
                .into(),
        ));
    }
    let s = setup(app, &tree, opts)?;
    let pools = pools(&procs, opts.seed);

    // Citizens (their profiles first: plans use them).
    let mut rng = Rng::new(opts.seed ^ 0xC171_2E45);
    let communes: Vec<&UnitInfo> = s
        .units
        .iter()
        .filter(|u| u.kind == UnitKind::Commune)
        .collect();
    let citizens: Vec<Citizen> = (0..opts.citizens)
        .map(|_| {
            let person = person(&mut rng, true);
            let home = rng
                .pick(&communes)
                .map(|u| u.address.clone())
                .unwrap_or_default();
            Citizen {
                person,
                address: format!("Tổ {}, {home}", rng.range(1, 9)),
            }
        })
        .collect();
    let plans = plan_all(opts, &s, &procs, &pools, &citizens)?;

    // Accounts: an officer and a leader for every unit that may handle a dossier.
    let accounts_started = Instant::now();
    let mut needed: BTreeSet<usize> = BTreeSet::new();
    for p in &plans {
        needed.insert(p.unit);
        if let Some((a, b)) = p.forward {
            needed.extend(a);
            needed.extend(b);
        }
    }
    for u in needed.clone() {
        if let Some(next) = s.successor.get(u).copied().flatten() {
            needed.insert(next);
        }
    }
    let mut new_accounts: Vec<NewAccount> = Vec::new();
    let admin_unit = ["p2025:51/so-noi-vu", "p:62/so-noi-vu"]
        .into_iter()
        .find(|id| tree.contains(id) && (opts.to >= MERGER || id.starts_with("p:")))
        .map(str::to_owned);
    new_accounts.push(NewAccount {
        username: DEMO_ADMIN.into(),
        password: DEMO_PASSWORD.into(),
        display_name: "Quản trị CCHC (dữ liệu mẫu)".into(),
        title: "Chuyên viên Phòng Cải cách hành chính".into(),
        role: Role::Admin,
        unit_id: admin_unit.clone(),
    });
    let mut staff_rng = Rng::new(opts.seed ^ 0x57AF_F000);
    for &u in &needed {
        let info = &s.units[u];
        let handle = unit_handle(&info.id);
        let (officer_title, leader_title) = titles(info);
        for (prefix, role, title) in [
            ("cb", Role::Officer, officer_title),
            ("ld", Role::Leader, leader_title),
        ] {
            new_accounts.push(NewAccount {
                username: format!("{prefix}.{handle}"),
                password: DEMO_PASSWORD.into(),
                display_name: person_name(&mut staff_rng).0,
                title: title.into(),
                role,
                unit_id: Some(info.id.clone()),
            });
        }
    }
    for (i, c) in citizens.iter().enumerate() {
        new_accounts.push(NewAccount {
            username: format!("congdan{:03}", i + 1),
            password: DEMO_PASSWORD.into(),
            display_name: c.person.name.clone(),
            title: String::new(),
            role: Role::Citizen,
            unit_id: None,
        });
    }
    let account_count = new_accounts.len();
    let from_instant = opts.from.at(7, 0, 0, 0);
    let created = create_all(
        &app.clone().with_now(move || from_instant),
        new_accounts,
        opts.workers,
    )
    .await?;
    let mut created = created.into_iter();
    created.next(); // the administrator
    let mut staff = HashMap::new();
    for &u in &needed {
        if let (Some(officer), Some(leader)) = (created.next(), created.next()) {
            staff.insert(u, Staff { officer, leader });
        }
    }
    let citizen_principals: Vec<Principal> = created.collect();
    let accounts_elapsed = accounts_started.elapsed();

    let ctx = Arc::new(Ctx {
        units: s.units.clone(),
        index: s.index.clone(),
        successor: s.successor.clone(),
        procs,
        staff,
        citizens: citizen_principals,
        cutoff: opts.to.at(23, 59, 59, 0),
    });

    // Run: whole receiving units per worker, each worker in time order with its own clock.
    let dossiers_started = Instant::now();
    let workers = opts.workers.clamp(1, 64);
    let mut queues: Vec<Vec<Plan>> = (0..workers).map(|_| Vec::new()).collect();
    for p in plans {
        let w = (splitmix(p.unit as u64) % workers as u64) as usize;
        queues[w].push(p);
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<usize>();
    let abort = Arc::new(AtomicBool::new(false));
    let mut set = tokio::task::JoinSet::new();
    for mut queue in queues {
        queue.sort_by_key(|p| (p.at, p.index));
        let ctx = Arc::clone(&ctx);
        let tx = tx.clone();
        let abort = Arc::clone(&abort);
        let now = Arc::new(Mutex::new(from_instant));
        let clock = Arc::clone(&now);
        let app = app.clone().with_now(move || match clock.lock() {
            Ok(g) => *g,
            Err(poisoned) => *poisoned.into_inner(),
        });
        set.spawn(async move {
            let mut tally = Tally::default();
            for plan in queue {
                if abort.load(Ordering::Relaxed) {
                    break;
                }
                match run_dossier(&ctx, &app, &now, plan).await {
                    Ok(t) => tally.add(t),
                    Err(e) => {
                        abort.store(true, Ordering::Relaxed);
                        return Err(e);
                    }
                }
                let _ = tx.send(1);
            }
            Ok(tally)
        });
    }
    drop(tx);
    let total = opts.dossiers;
    let every = (total / 100).max(1);
    let mut done = 0;
    while let Some(n) = rx.recv().await {
        done += n;
        if done.is_multiple_of(every) || done == total {
            progress(done);
        }
    }
    let mut tally = Tally::default();
    let mut first_error = None;
    while let Some(r) = set.join_next().await {
        match r.map_err(internal).and_then(|r| r) {
            Ok(t) => tally.add(t),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    let dossiers_elapsed = dossiers_started.elapsed();

    // Accounts to try: the administrator, the busiest commune on each side, a citizen.
    let mut sample_users = vec![(
        Role::Admin.label().to_owned(),
        DEMO_ADMIN.to_owned(),
        admin_unit
            .and_then(|u| tree.get(&u).map(|u| u.full_name.clone()))
            .unwrap_or_default(),
    )];
    for post in [true, false] {
        let busiest = tally
            .per_unit
            .iter()
            .filter(|(u, _)| {
                let info = &ctx.units[**u];
                info.kind == UnitKind::Commune && (info.valid_from >= MERGER) == post
            })
            .max_by_key(|(u, n)| (**n, std::cmp::Reverse(**u)))
            .map(|(u, _)| *u);
        if let Some(u) = busiest
            && let Some(s) = ctx.staff.get(&u)
        {
            let name = ctx.units[u].full_name.clone();
            let when = if post {
                "từ 01/07/2025"
            } else {
                "trước 01/07/2025"
            };
            sample_users.push((
                format!("{} ({when})", Role::Officer.label()),
                s.officer.username.clone(),
                name.clone(),
            ));
            sample_users.push((
                format!("{} ({when})", Role::Leader.label()),
                s.leader.username.clone(),
                name,
            ));
        }
    }
    if let Some(c) = ctx.citizens.first() {
        sample_users.push((
            Role::Citizen.label().to_owned(),
            c.username.clone(),
            String::new(),
        ));
    }

    Ok(DemoReport {
        dossiers: tally.dossiers,
        events: tally.events,
        by_status: tally.by_status,
        before_merger: tally.before_merger,
        after_merger: tally.after_merger,
        online: tally.online,
        resolved: tally.resolved,
        on_time: tally.on_time,
        late: tally.late,
        apologies: tally.apologies,
        open_overdue: tally.open_overdue,
        supplements: tally.supplements,
        second_supplements: tally.second_supplements,
        forwarded: tally.forwarded,
        handovers: tally.handovers,
        payment_requests: tally.payment_requests,
        payments: tally.payments,
        online_payments: tally.online_payments,
        ratings: tally.ratings,
        ratings_by_score: tally.ratings_by_score,
        accounts: account_count,
        password: DEMO_PASSWORD.into(),
        sample_users,
        from: cchc_domain::calendar::fmt_date(opts.from),
        to: cchc_domain::calendar::fmt_date(opts.to),
        elapsed: started.elapsed(),
        accounts_elapsed,
        dossiers_elapsed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_fit_usernames() {
        assert_eq!(unit_handle("w:23281"), "w23281");
        assert_eq!(unit_handle("w2025:23293"), "w2025-23293");
        assert_eq!(unit_handle("d:608/bo-phan-mot-cua"), "motcua.d608");
        assert_eq!(unit_handle("p:62/so-tu-phap"), "kt.so-tu-phap");
        let long = unit_handle("p2025:51/ban-quan-ly-khu-kinh-te-dung-quat-va-cac-khu-cong-nghiep");
        assert!(long.len() + 3 <= 64, "{long}");
    }

    #[test]
    fn numbers_read_vietnamese() {
        assert_eq!(num(20_000), "20.000");
        assert_eq!(num(999), "999");
        assert_eq!(num(1_234_567), "1.234.567");
        assert_eq!(pct(23, 100), "23,0%");
    }

    #[test]
    fn rng_is_deterministic() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        let w = Weighted::new([(1, 1.0), (2, 0.0), (3, 3.0)]);
        let mut r = Rng::new(1);
        let picks: Vec<i32> = (0..1000).filter_map(|_| w.pick(&mut r).copied()).collect();
        assert!(!picks.contains(&2));
        let threes = picks.iter().filter(|&&x| x == 3).count();
        assert!((650..850).contains(&threes), "{threes}");
    }
}
