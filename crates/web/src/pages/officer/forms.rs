//! The printable official forms (biểu mẫu) of a dossier, after Decree 61/2018 and Circular
//! 01/2018/TT-VPCP, at `/bieu-mau/{code}/{slug}`:
//!
//! - `tiep-nhan`: Giấy tiếp nhận hồ sơ và hẹn trả kết quả (mẫu 01), with the lookup secret and
//!   its QR code while the secret is still in the stash (right after intake);
//! - `bo-sung`: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02);
//! - `tu-choi`: Phiếu từ chối tiếp nhận giải quyết hồ sơ (mẫu 03);
//! - `xin-loi`: Phiếu xin lỗi và hẹn lại ngày trả kết quả (mẫu 04);
//! - `kiem-soat`: Phiếu kiểm soát quá trình giải quyết hồ sơ (mẫu 05 of Circular 01/2018, 06 in
//!   the 2025 numbering).
//!
//! Each is an A4 page (`.official`, see app.css) with the national motto, the issuing unit at
//! the top left and the place and date line. The dossier's staff may print them, and its owner
//! every form but the internal control sheet; the use cases check it.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use cchc_app::desk::{ControlStep, DossierRecord, RecordEvent};
use cchc_app::{AppError, Principal, Role};
use cchc_domain::calendar::TimeLimit;
use cchc_domain::dossier::{EventKind, Status};
use cchc_domain::unit::{UnitKind, UnitTree};
use jiff::civil::{Date, DateTime};

use super::dossier::civil_text;
use crate::AppState;
use crate::pages::{Layout, PageError, Session, fmt, render};

/// The top of a form: the issuing body at the left, the motto at the right, and the place
/// and date line below the motto.
pub(crate) struct Letterhead {
    /// The body above the issuer (normal weight), e.g. "UBND PHƯỜNG QUANG TRUNG".
    pub parent: String,
    /// The issuer (bold), e.g. "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ".
    pub agency: String,
    /// "Quang Trung, ngày 03 tháng 03 năm 2025".
    pub place_date: String,
}

fn is_local_government(kind: UnitKind) -> bool {
    matches!(
        kind,
        UnitKind::Province | UnitKind::District | UnitKind::Commune
    )
}

/// "UBND PHƯỜNG QUANG TRUNG" for a local government, the agency's name otherwise.
fn body_name(tree: &UnitTree, id: &str) -> String {
    match tree.get(id) {
        Some(u) if is_local_government(u.kind) => format!("UBND {}", u.full_name.to_uppercase()),
        Some(u) => u.full_name.to_uppercase(),
        None => id.to_uppercase(),
    }
}

/// The place name of a unit's documents: a local government's own name, an agency's
/// province (or its own name when it has none).
fn place(tree: &UnitTree, id: &str) -> String {
    let Some(u) = tree.get(id) else {
        return String::new();
    };
    if is_local_government(u.kind) {
        return u.name.clone();
    }
    tree.ancestors(id)
        .find(|a| is_local_government(a.kind))
        .map_or_else(|| u.name.clone(), |a| a.name.clone())
}

/// "ngày 03 tháng 03 năm 2025".
pub(crate) fn long_date(d: Date) -> String {
    format!(
        "ngày {:02} tháng {:02} năm {:04}",
        d.day(),
        d.month(),
        d.year()
    )
}

/// "08 giờ 00 phút, ngày 06/03/2025".
pub(crate) fn clock_date(dt: DateTime) -> String {
    format!(
        "{:02} giờ {:02} phút, ngày {}",
        dt.hour(),
        dt.minute(),
        fmt::date(&dt.date().to_string())
    )
}

/// The letterhead of a form issued by a unit's one-stop office (`one_stop`) or by the unit.
fn letterhead(tree: &UnitTree, unit: &str, one_stop: bool, day: Date) -> Letterhead {
    let (parent, agency) = if one_stop {
        (
            body_name(tree, unit),
            "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ".to_owned(),
        )
    } else {
        (
            tree.parent(unit)
                .map(|p| body_name(tree, p.id.as_str()))
                .unwrap_or_default(),
            body_name(tree, unit),
        )
    };
    Letterhead {
        parent,
        agency,
        place_date: format!("{}, {}", place(tree, unit), long_date(day)),
    }
}

/// The facts every form repeats.
pub(crate) struct Common {
    pub code: String,
    pub applicant: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub id_number: String,
    pub procedure: String,
    pub unit_name: String,
    /// Where "back" goes: the staff's or the owner's dossier page.
    pub back_href: String,
}

fn common(r: &DossierRecord, who: &Principal) -> Common {
    let d = &r.view.dossier;
    Common {
        code: d.code.clone(),
        applicant: d.applicant.name.clone(),
        address: d.applicant.address.clone(),
        phone: d.applicant.phone.clone(),
        email: d.applicant.email.clone(),
        id_number: d.applicant.id_number.clone(),
        procedure: if r.procedure_name.is_empty() {
            d.procedure_code.clone()
        } else {
            format!("{} (mã thủ tục {})", r.procedure_name, d.procedure_code)
        },
        unit_name: r.receiving_unit_name.clone(),
        back_href: match who.role {
            Role::Citizen => format!("/cong-dan/ho-so/{}", d.code),
            _ => format!("/can-bo/ho-so/{}", d.code),
        },
    }
}

fn title(kind: &str, code: &str) -> String {
    format!("{kind} · {code}")
}

/// The last event of a kind, or a "not found" naming the form.
fn last_event<'a>(
    r: &'a DossierRecord,
    what: &str,
    f: impl Fn(&EventKind) -> bool,
) -> Result<&'a RecordEvent, PageError> {
    r.events.iter().rev().find(|e| f(&e.kind)).ok_or_else(|| {
        AppError::NotFound(format!("{what} của hồ sơ {}", r.view.dossier.code)).into()
    })
}

fn signer(e: &RecordEvent) -> String {
    e.actor.name.clone()
}

// ---- mẫu 01: receipt ------------------------------------------------------------------------

pub(crate) struct ComponentLine {
    pub name: String,
    pub form: &'static str,
}

#[derive(Template)]
#[template(path = "forms/receipt.html")]
struct ReceiptForm {
    layout: Layout,
    head: Letterhead,
    c: Common,
    components: Vec<ComponentLine>,
    limit: String,
    received: String,
    due: String,
    channel: String,
    officer: String,
    waiting: bool,
    secret: Option<String>,
    qr: String,
    lookup_url: String,
}

fn receipt(
    s: &AppState,
    session: &Session,
    who: &Principal,
    r: &DossierRecord,
) -> Result<Response, PageError> {
    let tree = s.app.units()?;
    let d = &r.view.dossier;
    let intake = r
        .events
        .iter()
        .rev()
        .find(|e| matches!(e.kind, EventKind::Received { .. } | EventKind::Accepted))
        .or_else(|| r.events.first());
    let day = d.received_at.unwrap_or(d.submitted_at).date();
    let secret = s.secrets.get(session, &d.code);
    let lookup_url = format!("{}/tra-cuu/{}", session.origin, d.code);
    let qr = secret
        .as_ref()
        .map(|sec| fmt::qr_svg(&format!("{lookup_url}?ma={sec}")))
        .unwrap_or_default();
    Ok(render(&ReceiptForm {
        layout: session.layout(title("Giấy tiếp nhận hồ sơ", &d.code)),
        head: letterhead(&tree, &d.receiving_unit, true, day),
        components: d
            .components
            .iter()
            .map(|x| ComponentLine {
                name: x.name.clone(),
                form: if x.digitised || x.file_ref.is_some() {
                    "Bản điện tử"
                } else {
                    "Bản giấy"
                },
            })
            .collect(),
        limit: d
            .limit
            .parse::<TimeLimit>()
            .map_or_else(|_| d.limit.clone(), |l| l.to_string()),
        received: d
            .received_at
            .map_or_else(|| "Chưa tiếp nhận".to_owned(), clock_date),
        due: r
            .view
            .due
            .as_deref()
            .and_then(cchc_app::desk::stored_time)
            .map_or_else(|| "—".to_owned(), clock_date),
        channel: super::dossier::return_label(d.channel).to_owned(),
        officer: intake.map(signer).unwrap_or_default(),
        waiting: d.status == Status::Submitted,
        secret,
        qr,
        lookup_url,
        c: common(r, who),
    }))
}

// ---- mẫu 02: supplement request -------------------------------------------------------------

#[derive(Template)]
#[template(path = "forms/supplement.html")]
struct SupplementForm {
    layout: Layout,
    head: Letterhead,
    c: Common,
    received: String,
    items: Vec<String>,
    note: String,
    officer: String,
    number: usize,
}

fn supplement(
    s: &AppState,
    session: &Session,
    who: &Principal,
    r: &DossierRecord,
) -> Result<Response, PageError> {
    let tree = s.app.units()?;
    let d = &r.view.dossier;
    let e = last_event(r, "phiếu yêu cầu bổ sung", |k| {
        matches!(k, EventKind::SupplementRequested { .. })
    })?;
    let (items, note) = match &e.kind {
        EventKind::SupplementRequested { items, note } => (items.clone(), note.clone()),
        _ => (Vec::new(), String::new()),
    };
    Ok(render(&SupplementForm {
        layout: session.layout(title("Phiếu yêu cầu bổ sung", &d.code)),
        head: letterhead(&tree, &e.unit, true, e.at.date()),
        received: long_date(d.received_at.unwrap_or(d.submitted_at).date()),
        items,
        note,
        officer: signer(e),
        number: d.supplement_requests as usize,
        c: common(r, who),
    }))
}

// ---- mẫu 03: refusal ------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "forms/refusal.html")]
struct RefusalForm {
    layout: Layout,
    head: Letterhead,
    c: Common,
    submitted: String,
    reason: String,
    officer: String,
}

fn refusal(
    s: &AppState,
    session: &Session,
    who: &Principal,
    r: &DossierRecord,
) -> Result<Response, PageError> {
    let tree = s.app.units()?;
    let d = &r.view.dossier;
    let e = last_event(r, "phiếu từ chối tiếp nhận", |k| {
        matches!(k, EventKind::RefusedAtIntake { .. })
    })?;
    let reason = match &e.kind {
        EventKind::RefusedAtIntake { reason } => reason.clone(),
        _ => String::new(),
    };
    Ok(render(&RefusalForm {
        layout: session.layout(title("Phiếu từ chối tiếp nhận", &d.code)),
        head: letterhead(&tree, &e.unit, true, e.at.date()),
        submitted: long_date(d.submitted_at.date()),
        reason,
        officer: signer(e),
        c: common(r, who),
    }))
}

// ---- mẫu 04: apology ------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "forms/apology.html")]
struct ApologyForm {
    layout: Layout,
    head: Letterhead,
    c: Common,
    issuer: String,
    received: String,
    old_due: String,
    new_due: String,
    reason: String,
    leader: String,
    leader_title: String,
    number: usize,
}

fn apology(
    s: &AppState,
    session: &Session,
    who: &Principal,
    r: &DossierRecord,
) -> Result<Response, PageError> {
    let tree = s.app.units()?;
    let d = &r.view.dossier;
    let e = last_event(r, "phiếu xin lỗi", |k| {
        matches!(k, EventKind::Extended { .. })
    })?;
    let (new_due, reason) = match &e.kind {
        EventKind::Extended { new_due, reason } => (clock_date(*new_due), reason.clone()),
        _ => (String::new(), String::new()),
    };
    Ok(render(&ApologyForm {
        layout: session.layout(title("Phiếu xin lỗi và hẹn lại ngày trả kết quả", &d.code)),
        head: letterhead(&tree, &e.unit, false, e.at.date()),
        issuer: tree
            .get(&e.unit)
            .map_or_else(|| e.unit_name.clone(), |u| u.full_name.clone()),
        received: d.received_at.map_or_else(|| "—".to_owned(), clock_date),
        old_due: e.step_deadline.map_or_else(|| "—".to_owned(), clock_date),
        new_due,
        reason,
        leader: e.actor.name.clone(),
        leader_title: if e.actor.title.is_empty() {
            "THỦ TRƯỞNG CƠ QUAN".to_owned()
        } else {
            e.actor.title.to_uppercase()
        },
        number: d.extensions.len(),
        c: common(r, who),
    }))
}

// ---- process control sheet -------------------------------------------------------------------

pub(crate) struct ControlRow {
    pub seq: u32,
    pub label: &'static str,
    pub from: String,
    pub to: String,
    pub at: String,
    pub deadline: String,
    pub verdict: &'static str,
    pub late: bool,
}

#[derive(Template)]
#[template(path = "forms/control.html")]
struct ControlForm {
    layout: Layout,
    head: Letterhead,
    c: Common,
    received: String,
    due: String,
    handling_unit: String,
    partners: Vec<String>,
    rows: Vec<ControlRow>,
}

fn party(person: &str, unit: &str) -> String {
    match (person.is_empty(), unit.is_empty()) {
        (false, false) => format!("{person} – {unit}"),
        (false, true) => person.to_owned(),
        (true, _) => unit.to_owned(),
    }
}

fn control_row(step: &ControlStep) -> ControlRow {
    ControlRow {
        seq: step.seq,
        label: step.label,
        from: party(&step.from_person, &step.from_unit),
        to: party(&step.to_person, &step.to_unit),
        at: civil_text(step.at),
        deadline: step.step_deadline.map(civil_text).unwrap_or_default(),
        verdict: step.verdict.map_or("", |v| match v {
            cchc_domain::calendar::Verdict::Early => "Trước hạn",
            cchc_domain::calendar::Verdict::OnTime => "Đúng hạn",
            cchc_domain::calendar::Verdict::Late => "Quá hạn",
        }),
        late: step.verdict == Some(cchc_domain::calendar::Verdict::Late),
    }
}

async fn control(
    s: &AppState,
    session: &Session,
    who: &Principal,
    code: &str,
) -> Result<Response, PageError> {
    let (r, steps) = s.app.control_sheet(who, code).await?;
    let tree = s.app.units()?;
    let d = &r.view.dossier;
    let mut partners: Vec<String> = Vec::new();
    for e in &r.events {
        if let EventKind::Forwarded { to_unit, .. } = &e.kind {
            let name = r
                .unit_names
                .get(to_unit)
                .cloned()
                .unwrap_or_else(|| to_unit.clone());
            if !partners.contains(&name) {
                partners.push(name);
            }
        }
    }
    Ok(render(&ControlForm {
        layout: session.layout(title("Phiếu kiểm soát quá trình giải quyết hồ sơ", &d.code)),
        head: letterhead(&tree, &d.receiving_unit, true, s.app.now().date()),
        received: d
            .received_at
            .map_or_else(|| "Chưa tiếp nhận".to_owned(), clock_date),
        due: r
            .view
            .due
            .as_deref()
            .and_then(cchc_app::desk::stored_time)
            .map_or_else(|| "—".to_owned(), clock_date),
        handling_unit: r.competent_unit_name.clone(),
        partners,
        rows: steps.iter().map(control_row).collect(),
        c: common(&r, who),
    }))
}

pub(super) async fn form(
    State(s): State<AppState>,
    session: Session,
    Path((code, slug)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let who = session.require()?;
    if slug == "kiem-soat" {
        return control(&s, &session, who, &code).await;
    }
    let known = ["tiep-nhan", "bo-sung", "tu-choi", "xin-loi"];
    if !known.contains(&slug.as_str()) {
        return Err(AppError::NotFound(format!("biểu mẫu {slug}")).into());
    }
    let r = s.app.dossier_record(who, &code).await?;
    match slug.as_str() {
        "tiep-nhan" => receipt(&s, &session, who, &r),
        "bo-sung" => supplement(&s, &session, who, &r),
        "tu-choi" => refusal(&s, &session, who, &r),
        _ => apology(&s, &session, who, &r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_on_official_paper() {
        let d: Date = "2025-03-06".parse().unwrap_or_default();
        assert_eq!(long_date(d), "ngày 06 tháng 03 năm 2025");
        let t: DateTime = "2025-03-06T08:05:00".parse().unwrap_or_default();
        assert_eq!(clock_date(t), "08 giờ 05 phút, ngày 06/03/2025");
    }
}
