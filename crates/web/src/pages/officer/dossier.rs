//! A dossier's page for its staff (`/can-bo/ho-so/{code}`): the facts, the due date with its
//! explanation, the whole history with hashes, the files, the forms of the actions its status
//! allows, and links to the printable forms. Every action posts to `…/thao-tac` with the
//! version the page showed; an error comes back on the same page (422) with what was typed.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use cchc_app::desk::{DossierRecord, RecordEvent};
use cchc_app::dossiers::Action;
use cchc_app::{AppError, Principal, Role};
use cchc_domain::calendar::TimeLimit;
use cchc_domain::dossier::{ApplicantKind, Channel, EventKind, Outcome, ResultDoc, Status};
use jiff::civil::{Date, DateTime, Time};

use super::{sentence, staff};
use crate::AppState;
use crate::pages::public::Choice;
use crate::pages::{
    FormData, Layout, PageError, Session, file_response, flash_redirect, fmt, render_status,
};

/// What the officer typed in the form that failed, and why it failed.
#[derive(Default)]
pub(crate) struct Typed {
    pub action: String,
    pub message: String,
    values: FormData,
}

impl Typed {
    /// The value typed in a field (empty when none).
    pub fn v(&self, name: &str) -> String {
        self.values
            .0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// The value typed, or a default when the form was not sent back.
    pub fn or(&self, name: &str, default: &str) -> String {
        if self.action.is_empty() {
            default.to_owned()
        } else {
            self.v(name)
        }
    }

    /// This action's form is the one that failed.
    pub fn is(&self, action: &str) -> bool {
        self.action == action
    }

    pub fn failed(&self) -> bool {
        !self.message.is_empty()
    }
}

pub(crate) struct Facts {
    pub code: String,
    pub procedure: String,
    pub status: &'static str,
    pub late: bool,
    pub verdict: String,
    pub channel: &'static str,
    pub kind: &'static str,
    pub applicant: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub receiving_unit: String,
    pub competent_unit: String,
    pub current_unit: String,
    pub assignee: String,
    pub submitted: String,
    pub received: String,
    pub due: String,
    pub limit: String,
    pub supplement_requests: u32,
    pub payment_requested: String,
    pub payments: Vec<String>,
    pub outcome: String,
    pub results: Vec<String>,
    pub finished: String,
    pub returned: String,
    pub rating: String,
}

pub(crate) struct ComponentRow {
    pub name: String,
    pub note: String,
}

pub(crate) struct HistoryRow {
    pub seq: u32,
    pub at: String,
    pub label: &'static str,
    pub actor: String,
    pub unit: String,
    pub detail: String,
    pub deadline: String,
    pub hash: String,
    pub hash_full: String,
}

pub(crate) struct FileRow {
    pub href: String,
    pub name: String,
    pub component: String,
    pub size: String,
    pub at: String,
}

pub(crate) struct Paper {
    pub href: String,
    pub label: &'static str,
}

/// Which action forms the status (and the role) allows.
#[derive(Default)]
pub(crate) struct Forms {
    pub accept: bool,
    pub refuse: bool,
    pub assign: bool,
    pub forward: bool,
    pub supplement: bool,
    pub receive_supplement: bool,
    pub payment: bool,
    pub pay: bool,
    pub decide: bool,
    pub give_back: bool,
    pub extend: bool,
    pub stop: bool,
}

impl Forms {
    fn of(status: Status, received: bool, leader: bool) -> Self {
        use Status::*;
        let working = matches!(status, Accepted | Processing);
        Self {
            accept: status == Submitted,
            refuse: matches!(status, Submitted | AwaitingSupplement) && !received,
            assign: working,
            forward: working,
            supplement: matches!(status, Submitted | Accepted | Processing),
            receive_supplement: status == AwaitingSupplement,
            payment: working,
            pay: status == AwaitingPayment,
            decide: working,
            give_back: status == Decided,
            extend: leader && status.is_open(),
            stop: leader && status.is_open(),
        }
    }

    pub fn any(&self) -> bool {
        self.accept
            || self.refuse
            || self.assign
            || self.forward
            || self.supplement
            || self.receive_supplement
            || self.payment
            || self.pay
            || self.decide
            || self.give_back
            || self.extend
            || self.stop
    }
}

#[derive(Template)]
#[template(path = "officer/dossier.html")]
struct DossierPage {
    layout: Layout,
    d: Facts,
    components: Vec<ComponentRow>,
    explain: Vec<String>,
    apologies: Vec<String>,
    history: Vec<HistoryRow>,
    files: Vec<FileRow>,
    papers: Vec<Paper>,
    forms: Forms,
    version: u32,
    staff: Vec<Choice>,
    units: Vec<Choice>,
    methods: Vec<Choice>,
    typed: Typed,
}

fn kind_label(k: ApplicantKind) -> &'static str {
    match k {
        ApplicantKind::Citizen => "Công dân",
        ApplicantKind::Business => "Doanh nghiệp",
        ApplicantKind::StateAgency => "Cơ quan nhà nước",
        ApplicantKind::Other => "Tổ chức khác",
    }
}

fn channel_value(c: Channel) -> &'static str {
    match c {
        Channel::Counter => "counter",
        Channel::Online => "online",
        Channel::Post => "post",
    }
}

/// How the result is handed back, as the form offers it.
pub(crate) fn return_label(c: Channel) -> &'static str {
    match c {
        Channel::Counter => "Trực tiếp tại Bộ phận Một cửa",
        Channel::Online => "Trực tuyến (bản điện tử)",
        Channel::Post => "Qua dịch vụ bưu chính công ích",
    }
}

fn outcome_label(o: Outcome) -> &'static str {
    match o {
        Outcome::Approved => "Được giải quyết",
        Outcome::Rejected => "Không giải quyết",
    }
}

pub(crate) fn civil_text(dt: DateTime) -> String {
    fmt::datetime(&dt.to_string())
}

/// A step's detail in words.
pub(crate) fn detail(e: &RecordEvent, r: &DossierRecord) -> String {
    let with_note = |main: String, note: &str| {
        if note.trim().is_empty() {
            main
        } else if main.is_empty() {
            note.trim().to_owned()
        } else {
            format!("{main}. Ghi chú: {}", note.trim())
        }
    };
    match &e.kind {
        EventKind::Submitted {
            channel,
            components,
            ..
        }
        | EventKind::Received {
            channel,
            components,
            ..
        } => format!(
            "Kênh {}; {} thành phần hồ sơ",
            channel.label(),
            components.len()
        ),
        EventKind::Accepted => "Bắt đầu tính thời hạn giải quyết".into(),
        EventKind::RefusedAtIntake { reason } => format!("Lý do: {reason}"),
        EventKind::Assigned { officer } => format!(
            "Giao cho: {}",
            r.names
                .get(officer)
                .cloned()
                .unwrap_or_else(|| officer.clone())
        ),
        EventKind::Forwarded { to_unit, reason } => with_note(
            format!(
                "Chuyển đến: {}",
                r.unit_names
                    .get(to_unit)
                    .cloned()
                    .unwrap_or_else(|| to_unit.clone())
            ),
            reason,
        ),
        EventKind::SupplementRequested { items, note } => {
            with_note(format!("Cần bổ sung: {}", items.join("; ")), note)
        }
        EventKind::SupplementReceived { note } => with_note(String::new(), note),
        EventKind::PaymentRequested { amount, note } => {
            with_note(format!("Số tiền: {}", fmt::money(*amount)), note)
        }
        EventKind::Paid { payment } => {
            let mut t = format!(
                "{}, {}{}",
                fmt::money(payment.amount),
                payment.method,
                if payment.online {
                    " (trực tuyến)"
                } else {
                    ""
                }
            );
            if !payment.reference.is_empty() {
                t.push_str(&format!(
                    "; số biên lai, mã giao dịch: {}",
                    payment.reference
                ));
            }
            t
        }
        EventKind::Extended { new_due, reason } => {
            format!("Hẹn lại: {}. Lý do: {reason}", civil_text(*new_due))
        }
        EventKind::Decided {
            outcome,
            note,
            results,
        } => {
            let mut t = outcome_label(*outcome).to_owned();
            if !results.is_empty() {
                let names: Vec<&str> = results.iter().map(|d| d.name.as_str()).collect();
                t.push_str(&format!("; kết quả: {}", names.join("; ")));
            }
            with_note(t, note)
        }
        EventKind::Returned { method } => format!("Hình thức: {}", return_label(*method)),
        EventKind::Withdrawn { reason } => with_note(String::new(), reason),
        EventKind::Stopped { reason } => format!("Lý do: {reason}"),
        EventKind::Rated { score, comment } => with_note(format!("{score}/5 điểm"), comment),
    }
}

fn facts(r: &DossierRecord) -> Facts {
    let v = &r.view;
    let d = &v.dossier;
    Facts {
        code: d.code.clone(),
        procedure: if r.procedure_name.is_empty() {
            d.procedure_code.clone()
        } else {
            format!("{} ({})", r.procedure_name, d.procedure_code)
        },
        status: v.status_label,
        late: v.late,
        verdict: v.verdict.map(|x| x.label().to_owned()).unwrap_or_default(),
        channel: d.channel.label(),
        kind: kind_label(d.applicant.kind),
        applicant: d.applicant.name.clone(),
        id_number: d.applicant.id_number.clone(),
        phone: d.applicant.phone.clone(),
        email: d.applicant.email.clone(),
        address: d.applicant.address.clone(),
        receiving_unit: r.receiving_unit_name.clone(),
        competent_unit: r.competent_unit_name.clone(),
        current_unit: r.current_unit_name.clone(),
        assignee: r.assignee_name.clone().unwrap_or_default(),
        submitted: civil_text(d.submitted_at),
        received: d
            .received_at
            .map_or_else(|| "Chưa tiếp nhận".to_owned(), civil_text),
        due: match (&v.due, d.status) {
            (Some(due), _) => fmt::datetime(due),
            (None, Status::AwaitingSupplement | Status::AwaitingPayment) => {
                "Tạm dừng tính thời hạn (chờ người nộp)".into()
            }
            (None, _) => "—".into(),
        },
        limit: d
            .limit
            .parse::<TimeLimit>()
            .map_or_else(|_| d.limit.clone(), |l| l.to_string()),
        supplement_requests: d.supplement_requests,
        payment_requested: d.payment_requested.map(fmt::money).unwrap_or_default(),
        payments: d
            .payments
            .iter()
            .map(|p| {
                format!(
                    "{} · {}{}",
                    fmt::money(p.amount),
                    p.method,
                    if p.reference.is_empty() {
                        String::new()
                    } else {
                        format!(" · {}", p.reference)
                    }
                )
            })
            .collect(),
        outcome: d.outcome.map(outcome_label).unwrap_or_default().to_owned(),
        results: d.results.iter().map(|x| x.name.clone()).collect(),
        finished: d.finished_at().map(civil_text).unwrap_or_default(),
        returned: d.returned_at.map(civil_text).unwrap_or_default(),
        rating: d
            .rating
            .as_ref()
            .map(|(s, c)| {
                if c.is_empty() {
                    format!("{s}/5")
                } else {
                    format!("{s}/5 · {c}")
                }
            })
            .unwrap_or_default(),
    }
}

fn size_text(bytes: i64) -> String {
    if bytes < 1024 {
        format!("{bytes} byte")
    } else if bytes < 1024 * 1024 {
        format!("{} KB", (bytes + 512) / 1024)
    } else {
        let tenths = (bytes * 10 + 524_288) / 1_048_576;
        format!("{},{} MB", tenths / 10, tenths % 10)
    }
}

/// The links to the printable forms that exist for this dossier.
pub(crate) fn papers(r: &DossierRecord) -> Vec<Paper> {
    let code = &r.view.dossier.code;
    let has = |f: fn(&EventKind) -> bool| r.events.iter().any(|e| f(&e.kind));
    let mut out = vec![Paper {
        href: format!("/bieu-mau/{code}/tiep-nhan"),
        label: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    }];
    if has(|k| matches!(k, EventKind::SupplementRequested { .. })) {
        out.push(Paper {
            href: format!("/bieu-mau/{code}/bo-sung"),
            label: "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
        });
    }
    if has(|k| matches!(k, EventKind::RefusedAtIntake { .. })) {
        out.push(Paper {
            href: format!("/bieu-mau/{code}/tu-choi"),
            label: "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
        });
    }
    if has(|k| matches!(k, EventKind::Extended { .. })) {
        out.push(Paper {
            href: format!("/bieu-mau/{code}/xin-loi"),
            label: "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
        });
    }
    out.push(Paper {
        href: format!("/bieu-mau/{code}/kiem-soat"),
        label: "Phiếu kiểm soát quá trình giải quyết hồ sơ",
    });
    out
}

async fn build(
    s: &AppState,
    session: &Session,
    who: &Principal,
    code: &str,
    typed: Typed,
) -> Result<DossierPage, PageError> {
    let r = s.app.dossier_record(who, code).await?;
    let files = s.app.attachments(who, code).await?;
    let d = &r.view.dossier;
    let forms = Forms::of(d.status, d.received_at.is_some(), who.role == Role::Leader);
    let staff = if forms.assign {
        let current = typed.v("can_bo");
        let current = if current.is_empty() {
            d.assignee.clone().unwrap_or_default()
        } else {
            current
        };
        s.app
            .assignable_staff(who, code)
            .await?
            .into_iter()
            .map(|m| Choice {
                selected: m.account_id == current,
                label: if m.title.is_empty() {
                    format!("{} · {}", m.name, m.unit_name)
                } else {
                    format!("{} ({}) · {}", m.name, m.title, m.unit_name)
                },
                value: m.account_id,
            })
            .collect()
    } else {
        Vec::new()
    };
    let units = if forms.forward {
        let current = typed.v("don_vi_nhan");
        s.app
            .forward_targets(who, &d.current_unit)?
            .into_iter()
            .map(|u| Choice {
                selected: u.id == current,
                value: u.id,
                label: u.name,
            })
            .collect()
    } else {
        Vec::new()
    };
    let method = typed.or("hinh_thuc_tra", channel_value(d.channel));
    let methods = [Channel::Counter, Channel::Online, Channel::Post]
        .into_iter()
        .map(|c| Choice {
            value: channel_value(c).to_owned(),
            label: return_label(c).to_owned(),
            selected: channel_value(c) == method,
        })
        .collect();
    let history = r
        .events
        .iter()
        .map(|e| HistoryRow {
            seq: e.seq,
            at: civil_text(e.at),
            label: e.label,
            actor: if e.actor.title.is_empty() {
                e.actor.name.clone()
            } else {
                format!("{} ({})", e.actor.name, e.actor.title)
            },
            unit: e.unit_name.clone(),
            detail: detail(e, &r),
            deadline: e.step_deadline.map(civil_text).unwrap_or_default(),
            hash: e.hash.get(..12).unwrap_or(&e.hash).to_owned(),
            hash_full: e.hash.clone(),
        })
        .collect();
    let components = d
        .components
        .iter()
        .map(|c| {
            let mut notes = Vec::new();
            if c.digitised {
                notes.push("đã số hóa");
            }
            if c.reused {
                notes.push("tái sử dụng");
            }
            if c.from_national_data {
                notes.push("từ cơ sở dữ liệu quốc gia");
            }
            ComponentRow {
                name: c.name.clone(),
                note: notes.join(", "),
            }
        })
        .collect();
    Ok(DossierPage {
        layout: session.layout(format!("Hồ sơ {}", d.code)),
        components,
        explain: r
            .view
            .due_explanation
            .iter()
            .map(|x| x.text.clone())
            .collect(),
        apologies: d
            .extensions
            .iter()
            .map(|(at, new_due, reason)| {
                format!(
                    "Ngày {}: hẹn lại {}. Lý do: {reason}",
                    civil_text(*at),
                    civil_text(*new_due)
                )
            })
            .collect(),
        history,
        files: files
            .into_iter()
            .map(|f| FileRow {
                href: format!("/can-bo/ho-so/{}/tep/{}", d.code, f.id),
                size: size_text(f.size_bytes),
                at: fmt::datetime(&f.uploaded_at),
                name: f.file_name,
                component: f.component,
            })
            .collect(),
        papers: papers(&r),
        version: d.version,
        staff,
        units,
        methods,
        forms,
        typed,
        d: facts(&r),
    })
}

pub(super) async fn page(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let p = build(&s, &session, who, &code, Typed::default()).await?;
    Ok(render_status(StatusCode::OK, &p))
}

/// `yyyy-mm-dd` (a date input) or `dd/mm/yyyy`.
fn parse_date(text: &str) -> Option<Date> {
    let t = text.trim();
    if t.contains('/') {
        Date::strptime("%d/%m/%Y", t).ok()
    } else {
        t.parse().ok()
    }
}

/// `HH:MM`.
fn parse_time(text: &str) -> Option<Time> {
    let (h, m) = text.trim().split_once(':')?;
    Time::new(h.parse().ok()?, m.get(..2)?.parse().ok()?, 0, 0).ok()
}

/// `10.000`, `10 000 đ`, `10000` → 10000.
fn parse_money(text: &str) -> Option<i64> {
    let digits: String = text
        .trim()
        .trim_end_matches('đ')
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | ' '))
        .collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The raw value of a field, line breaks kept (textareas).
fn raw(form: &FormData, name: &str) -> String {
    form.0
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// The action a form asks for, and what to say once it is done.
fn parse_action(form: &FormData) -> Result<(Action, &'static str), String> {
    let action = match form.get("thao_tac").as_str() {
        "accept" => (
            Action::Accept,
            "Đã tiếp nhận hồ sơ trực tuyến; thời hạn giải quyết bắt đầu tính.",
        ),
        "refuse" => (
            Action::Refuse {
                reason: form.get("ly_do_tu_choi"),
            },
            "Đã từ chối tiếp nhận hồ sơ. In phiếu từ chối để gửi người nộp.",
        ),
        "assign" => {
            let officer = form.get("can_bo");
            if officer.is_empty() {
                return Err("Chọn cán bộ xử lý hồ sơ.".into());
            }
            (
                Action::Assign { officer },
                "Đã phân công cán bộ xử lý hồ sơ.",
            )
        }
        "forward" => {
            let to_unit = form.get("don_vi_nhan");
            if to_unit.is_empty() {
                return Err("Chọn đơn vị nhận hồ sơ.".into());
            }
            (
                Action::Forward {
                    to_unit,
                    reason: form.get("ly_do_chuyen"),
                },
                "Đã chuyển hồ sơ đến đơn vị nhận.",
            )
        }
        "request_supplement" => {
            let items = lines(&raw(form, "giay_to_bo_sung"));
            if items.is_empty() {
                return Err(
                    "Liệt kê đầy đủ các giấy tờ cần bổ sung, mỗi dòng một loại (hướng dẫn một lần)."
                        .into(),
                );
            }
            (
                Action::RequestSupplement {
                    items,
                    note: form.get("ghi_chu_bo_sung"),
                },
                "Đã gửi yêu cầu bổ sung hồ sơ; thời hạn giải quyết tạm dừng. In phiếu yêu cầu bổ sung.",
            )
        }
        "receive_supplement" => (
            Action::ReceiveSupplement {
                note: form.get("ghi_chu_nhan_bo_sung"),
            },
            "Đã nhận hồ sơ bổ sung; thời hạn giải quyết tiếp tục tính.",
        ),
        "request_payment" => {
            let amount = parse_money(&form.get("so_tien"))
                .ok_or("Nhập số tiền phí, lệ phí bằng chữ số (đồng).")?;
            (
                Action::RequestPayment {
                    amount,
                    note: form.get("noi_dung_phi"),
                },
                "Đã yêu cầu thực hiện nghĩa vụ tài chính; thời hạn giải quyết tạm dừng.",
            )
        }
        "pay" => {
            let amount = parse_money(&form.get("so_tien_nop"))
                .ok_or("Nhập số tiền đã nộp bằng chữ số (đồng).")?;
            let method = form.get("hinh_thuc_nop");
            (
                Action::Pay {
                    amount,
                    method: if method.is_empty() {
                        "Tiền mặt".into()
                    } else {
                        method
                    },
                    online: false,
                    reference: form.get("so_bien_lai"),
                },
                "Đã ghi nhận thanh toán phí, lệ phí.",
            )
        }
        "decide" => {
            let outcome = match form.get("ket_qua").as_str() {
                "approved" => Outcome::Approved,
                "rejected" => Outcome::Rejected,
                _ => return Err("Chọn kết quả giải quyết.".into()),
            };
            let electronic = form.has("ket_qua_dien_tu");
            (
                Action::Decide {
                    outcome,
                    note: form.get("ghi_chu_ket_qua"),
                    results: lines(&raw(form, "giay_to_ket_qua"))
                        .into_iter()
                        .map(|name| ResultDoc {
                            name,
                            electronic,
                            file_ref: None,
                        })
                        .collect(),
                },
                "Đã ghi nhận kết quả giải quyết hồ sơ.",
            )
        }
        "return" => {
            let method = match form.get("hinh_thuc_tra").as_str() {
                "counter" => Channel::Counter,
                "online" => Channel::Online,
                "post" => Channel::Post,
                _ => return Err("Chọn hình thức trả kết quả.".into()),
            };
            (Action::Return { method }, "Đã trả kết quả cho người nộp.")
        }
        "extend" => {
            let date = parse_date(&form.get("ngay_hen_moi"))
                .ok_or("Nhập ngày hẹn trả mới (ngày/tháng/năm).")?;
            let time_text = form.get("gio_hen_moi");
            let time = if time_text.is_empty() {
                Time::constant(17, 0, 0, 0)
            } else {
                parse_time(&time_text).ok_or("Nhập giờ hẹn trả mới dạng giờ:phút, ví dụ 16:30.")?
            };
            (
                Action::Extend {
                    new_due: date.to_datetime(time),
                    reason: form.get("ly_do_gia_han"),
                },
                "Đã xin lỗi và hẹn lại ngày trả kết quả. In phiếu xin lỗi gửi người nộp.",
            )
        }
        "stop" => (
            Action::Stop {
                reason: form.get("ly_do_dung"),
            },
            "Đã dừng xử lý hồ sơ.",
        ),
        _ => return Err("Thao tác không hợp lệ.".into()),
    };
    Ok(action)
}

pub(super) async fn act(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let (status, message) = match form
        .version("expected_version", &code)
        .map_err(|e| (StatusCode::CONFLICT, sentence(&e.to_string())))
        .and_then(|v| {
            parse_action(&form)
                .map(|a| (v, a))
                .map_err(|m| (StatusCode::UNPROCESSABLE_ENTITY, m))
        }) {
        Ok((version, (action, done))) => match s.app.act(who, &code, version, action).await {
            Ok(_) => return Ok(flash_redirect(&format!("/can-bo/ho-so/{code}"), done)),
            Err(e @ AppError::Invalid(_)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, sentence(&e.to_string()))
            }
            Err(e @ AppError::Conflict(_)) => (StatusCode::CONFLICT, sentence(&e.to_string())),
            Err(e) => return Err(e.into()),
        },
        Err(refused) => refused,
    };
    let typed = Typed {
        action: form.get("thao_tac"),
        message,
        values: form,
    };
    let p = build(&s, &session, who, &code, typed).await?;
    Ok(render_status(status, &p))
}

pub(super) async fn download(
    State(s): State<AppState>,
    session: Session,
    Path((code, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let who = staff(&session)?;
    let (info, content) = s.app.attachment(who, &code, &id).await?;
    Ok(file_response(&info, content))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_inputs_are_read_leniently() {
        assert_eq!(parse_money("10.000"), Some(10_000));
        assert_eq!(parse_money("25 000 đ"), Some(25_000));
        assert_eq!(parse_money("mười"), None);
        assert_eq!(
            parse_date("20/03/2025").map(|d| d.to_string()).as_deref(),
            Some("2025-03-20")
        );
        assert_eq!(
            parse_date("2025-03-20").map(|d| d.to_string()).as_deref(),
            Some("2025-03-20")
        );
        assert_eq!(parse_time("16:30"), Some(Time::constant(16, 30, 0, 0)));
        assert_eq!(parse_time("25:00"), None);
    }

    #[test]
    fn actions_need_their_fields() {
        let form = |pairs: &[(&str, &str)]| {
            FormData(
                pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            )
        };
        assert!(parse_action(&form(&[("thao_tac", "assign")])).is_err());
        assert!(
            parse_action(&form(&[
                ("thao_tac", "request_supplement"),
                ("giay_to_bo_sung", " \n ")
            ]))
            .is_err()
        );
        let (a, _) = parse_action(&form(&[
            ("thao_tac", "request_supplement"),
            ("giay_to_bo_sung", "Bản sao CCCD\r\n\r\nGiấy xác nhận"),
        ]))
        .unwrap_or((Action::Accept, ""));
        assert!(matches!(a, Action::RequestSupplement { items, .. } if items.len() == 2));
        let (a, _) = parse_action(&form(&[
            ("thao_tac", "extend"),
            ("ngay_hen_moi", "2025-03-20"),
            ("ly_do_gia_han", "Cần xác minh"),
        ]))
        .unwrap_or((Action::Accept, ""));
        assert!(
            matches!(a, Action::Extend { new_due, .. } if new_due.to_string() == "2025-03-20T17:00:00")
        );
        assert!(parse_action(&form(&[("thao_tac", "xoa")])).is_err());
    }
}
