//! Administration pages (quản trị CCHC): units, procedures (channels, time limits, flags),
//! accounts and roles, and the calendar (a year's special days; adding an announced notice).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use cchc_app::accounts::NewAccount;
use cchc_app::admin::{AccountChange, AccountView, ChannelSetting, SpecialDay};
use cchc_app::catalogue::{ProcedureFilter, ProcedureSettings};
use cchc_app::{AppError, Principal, Role};
use cchc_domain::procedure::{Channel, OnlineKind, Procedure};
use serde::Deserialize;

use super::public::{Choice, ProcedureItem};
use super::{
    FormData, Layout, PageError, Session, flash_redirect, fmt, render, render_status, sentence,
};
use crate::AppState;
use crate::pages::Params;

pub(super) fn routes(_state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/quan-tri", get(overview))
        .route("/quan-tri/don-vi", get(units))
        .route("/quan-tri/thu-tuc", get(procedures))
        .route(
            "/quan-tri/thu-tuc/{code}",
            get(procedure_form).post(procedure_save),
        )
        .route("/quan-tri/tai-khoan", get(accounts).post(account_create))
        .route(
            "/quan-tri/tai-khoan/{id}",
            get(account_form).post(account_save),
        )
        .route("/quan-tri/lich", get(calendar).post(calendar_save))
}

fn admin(session: &Session) -> Result<&Principal, PageError> {
    session.require_role(&[Role::Admin])
}

// ---- overview ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "admin/overview.html")]
struct OverviewPage {
    layout: Layout,
    units: usize,
    procedures: i64,
    accounts: i64,
    calendar_version: String,
    year: i16,
}

async fn overview(State(s): State<AppState>, session: Session) -> Result<Response, PageError> {
    let who = admin(&session)?;
    let procedures = s.app.search_procedures("", 1, 1).await?.total;
    let accounts = s.app.list_accounts(who, "", 1, 1).await?.total;
    Ok(render(&OverviewPage {
        layout: session.layout("Quản trị"),
        units: s.app.units()?.len(),
        procedures,
        accounts,
        calendar_version: s.app.calendar()?.version().to_owned(),
        year: s.app.now().date().year(),
    }))
}

// ---- units -------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
struct UnitQuery {
    #[serde(default)]
    cha: String,
    #[serde(default)]
    q: String,
}

struct UnitRowView {
    id: String,
    name: String,
    agency_code: String,
    validity: String,
    active: bool,
    children: usize,
}

struct Crumb {
    id: String,
    name: String,
}

#[derive(Template)]
#[template(path = "admin/units.html")]
struct UnitsPage {
    layout: Layout,
    q: String,
    crumbs: Vec<Crumb>,
    rows: Vec<UnitRowView>,
    shown: usize,
    total: usize,
}

async fn units(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<UnitQuery>,
) -> Result<Response, PageError> {
    admin(&session)?;
    let tree = s.app.units()?;
    let today = s.app.now().date();
    let needle = cchc_domain::text::fold(q.q.trim());
    let list: Vec<&cchc_domain::unit::Unit> = if !needle.is_empty() {
        tree.units()
            .iter()
            .filter(|u| {
                cchc_domain::text::fold(&u.full_name).contains(&needle)
                    || u.id.as_str() == q.q.trim()
            })
            .collect()
    } else if q.cha.is_empty() {
        tree.roots().collect()
    } else {
        if !tree.contains(&q.cha) {
            return Err(AppError::NotFound(format!("đơn vị {}", q.cha)).into());
        }
        tree.children(&q.cha).collect()
    };
    let mut crumbs = Vec::new();
    let mut at = tree.get(&q.cha);
    while let Some(u) = at {
        crumbs.push(Crumb {
            id: u.id.as_str().to_owned(),
            name: u.name.clone(),
        });
        at = u.parent.as_ref().and_then(|p| tree.get(p.as_str()));
    }
    crumbs.reverse();
    let total = list.len();
    let rows = list
        .into_iter()
        .take(500)
        .map(|u| UnitRowView {
            id: u.id.as_str().to_owned(),
            name: u.full_name.clone(),
            agency_code: u.agency_code.clone(),
            validity: u.validity_text(),
            active: u.is_active_on(today),
            children: tree.children(u.id.as_str()).count(),
        })
        .collect::<Vec<_>>();
    Ok(render(&UnitsPage {
        layout: session.layout("Đơn vị"),
        q: q.q.clone(),
        crumbs,
        shown: rows.len(),
        rows,
        total,
    }))
}

// ---- procedures --------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
    trang: Option<i64>,
}

#[derive(Template)]
#[template(path = "admin/procedures.html")]
struct ProceduresPage {
    layout: Layout,
    q: String,
    items: Vec<(ProcedureItem, String)>,
    total: i64,
}

async fn procedures(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<SearchQuery>,
) -> Result<Response, PageError> {
    admin(&session)?;
    let page = s
        .app
        .search_procedures_filtered(&q.q, &ProcedureFilter::default(), q.trang.unwrap_or(1), 50)
        .await?;
    Ok(render(&ProceduresPage {
        layout: session.layout("Thủ tục hành chính"),
        q: q.q.clone(),
        items: page
            .items
            .iter()
            .map(|p| (ProcedureItem::of(p), limit_summary(p)))
            .collect(),
        total: page.total,
    }))
}

/// "Trực tiếp: 5 ngày làm việc; Trực tuyến: chưa có thời hạn" for the list.
fn limit_summary(p: &Procedure) -> String {
    [Channel::Counter, Channel::Online, Channel::Post]
        .into_iter()
        .filter(|c| p.channel(*c).available)
        .map(|c| match p.limit(c) {
            Some(l) => format!("{}: {l}", c.label()),
            None => format!("{}: chưa có thời hạn", c.label()),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

struct ChannelForm {
    key: &'static str,
    name: &'static str,
    available: bool,
    amount: String,
    units: Vec<Choice>,
    raw: String,
}

#[derive(Template)]
#[template(path = "admin/procedure.html")]
struct ProcedureForm {
    layout: Layout,
    p: ProcedureItem,
    kinds: Vec<Choice>,
    fee_bearing: bool,
    after_15h: bool,
    channels: Vec<ChannelForm>,
    error: Option<String>,
}

const LIMIT_UNITS: [(&str, &str); 4] = [
    ("working-days", "ngày làm việc"),
    ("working-hours", "giờ làm việc"),
    ("days", "ngày"),
    ("days-skip-off", "ngày (không tính ngày nghỉ)"),
];

fn channel_key(c: Channel) -> &'static str {
    match c {
        Channel::Counter => "truc_tiep",
        Channel::Online => "truc_tuyen",
        Channel::Post => "buu_chinh",
    }
}

fn kind_value(k: OnlineKind) -> &'static str {
    match k {
        OnlineKind::FullyOnline => "FullyOnline",
        OnlineKind::PartlyOnline => "PartlyOnline",
        OnlineKind::NotOnline => "NotOnline",
    }
}

fn procedure_form_of(session: &Session, p: &Procedure, error: Option<String>) -> ProcedureForm {
    let channels = [Channel::Counter, Channel::Online, Channel::Post]
        .into_iter()
        .map(|c| {
            let info = p.channel(c);
            let spec = info.limit.map(|l| l.spec()).unwrap_or_default();
            let (amount, unit) = spec.split_once(' ').unwrap_or(("", "working-days"));
            ChannelForm {
                key: channel_key(c),
                name: c.label(),
                available: info.available,
                amount: amount.to_owned(),
                units: super::public::choices_of(&LIMIT_UNITS, unit),
                raw: info.limit_raw.clone(),
            }
        })
        .collect();
    ProcedureForm {
        layout: session.layout(format!("Thiết lập thủ tục {}", p.code)),
        kinds: super::public::choices_of(
            &[
                ("FullyOnline", "Trực tuyến toàn trình"),
                ("PartlyOnline", "Trực tuyến một phần"),
                ("NotOnline", "Không trực tuyến"),
            ],
            kind_value(p.online_kind),
        ),
        fee_bearing: p.fee_bearing,
        after_15h: p.after_15h_next_day,
        channels,
        error,
        p: ProcedureItem::of(p),
    }
}

async fn procedure_form(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    admin(&session)?;
    let p = s.app.procedure(&code).await?;
    Ok(render(&procedure_form_of(&session, &p, None)))
}

async fn procedure_save(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let who = admin(&session)?;
    let online_kind = match form.get("muc_do").as_str() {
        "FullyOnline" => OnlineKind::FullyOnline,
        "PartlyOnline" => OnlineKind::PartlyOnline,
        "NotOnline" => OnlineKind::NotOnline,
        _ => {
            return Err(AppError::Invalid("chọn mức độ trực tuyến".into()).into());
        }
    };
    let mut channels = Vec::new();
    for c in [Channel::Counter, Channel::Online, Channel::Post] {
        let key = channel_key(c);
        let amount = form.get(&format!("{key}_so"));
        let unit = form.get(&format!("{key}_don_vi"));
        let limit = if amount.is_empty() {
            String::new()
        } else {
            format!("{} {unit}", amount.replace(',', "."))
        };
        channels.push(ChannelSetting {
            channel: c,
            available: form.has(&format!("{key}_ap_dung")),
            limit,
        });
    }
    let result = async {
        s.app.set_procedure_channels(who, &code, channels).await?;
        s.app
            .update_procedure_settings(
                who,
                &code,
                ProcedureSettings {
                    online_kind: Some(online_kind),
                    fee_bearing: Some(form.has("co_phi")),
                    after_15h_next_day: Some(form.has("sau_15h")),
                },
            )
            .await
    }
    .await;
    match result {
        Ok(_) => Ok(flash_redirect(
            &format!("/quan-tri/thu-tuc/{code}"),
            "Đã lưu thiết lập thủ tục.",
        )),
        Err(AppError::Invalid(message)) => {
            // Show the form again as typed, with the message.
            let mut p = s.app.procedure(&code).await?;
            p.set_online_kind(online_kind);
            p.set_fee_bearing(form.has("co_phi"));
            p.set_after_15h_next_day(form.has("sau_15h"));
            let mut page = procedure_form_of(&session, &p, Some(sentence(&message)));
            for ch in &mut page.channels {
                ch.available = form.has(&format!("{}_ap_dung", ch.key));
                ch.amount = form.get(&format!("{}_so", ch.key));
                ch.units = super::public::choices_of(
                    &LIMIT_UNITS,
                    &form.get(&format!("{}_don_vi", ch.key)),
                );
            }
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- accounts ----------------------------------------------------------------------------

struct AccountRowView {
    id: String,
    username: String,
    name: String,
    title: String,
    role: String,
    unit: String,
    created: String,
}

impl AccountRowView {
    fn of(a: AccountView) -> Self {
        Self {
            id: a.id,
            username: a.username,
            name: a.display_name,
            title: a.title,
            role: a.role.label().to_owned(),
            unit: a.unit_name.or(a.unit_id).unwrap_or_else(|| "—".into()),
            created: fmt::datetime(&a.created_at),
        }
    }
}

/// The values of the new-account form, kept when it is sent back with an error.
#[derive(Default)]
struct NewAccountForm {
    username: String,
    name: String,
    title: String,
    unit: String,
    roles: Vec<Choice>,
}

fn role_choices(current: &str) -> Vec<Choice> {
    super::public::choices_of(
        &[
            ("citizen", "Công dân, tổ chức"),
            ("officer", "Cán bộ, công chức"),
            ("leader", "Lãnh đạo đơn vị"),
            ("admin", "Quản trị CCHC"),
        ],
        current,
    )
}

#[derive(Template)]
#[template(path = "admin/accounts.html")]
struct AccountsPage {
    layout: Layout,
    q: String,
    rows: Vec<AccountRowView>,
    total: i64,
    form: NewAccountForm,
    error: Option<String>,
}

async fn accounts(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<SearchQuery>,
) -> Result<Response, PageError> {
    let who = admin(&session)?;
    let page = s
        .app
        .list_accounts(who, &q.q, q.trang.unwrap_or(1), 100)
        .await?;
    Ok(render(&AccountsPage {
        layout: session.layout("Tài khoản"),
        q: q.q.clone(),
        total: page.total,
        rows: page.items.into_iter().map(AccountRowView::of).collect(),
        form: NewAccountForm {
            roles: role_choices("officer"),
            ..Default::default()
        },
        error: None,
    }))
}

async fn account_create(
    State(s): State<AppState>,
    session: Session,
    form: FormData,
) -> Result<Response, PageError> {
    let who = admin(&session)?;
    let role_text = form.get("vai_tro");
    let unit = form.get("don_vi");
    let result = match Role::parse(&role_text) {
        Ok(role) => {
            s.app
                .create_account(
                    who,
                    NewAccount {
                        username: form.get("ten_dang_nhap"),
                        password: form
                            .0
                            .iter()
                            .find(|(k, _)| k == "mat_khau")
                            .map(|(_, v)| v.clone())
                            .unwrap_or_default(),
                        display_name: form.get("ho_ten"),
                        title: form.get("chuc_vu"),
                        role,
                        unit_id: Some(unit.clone()).filter(|u| !u.is_empty()),
                    },
                )
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(p) => Ok(flash_redirect(
            "/quan-tri/tai-khoan",
            &format!("Đã tạo tài khoản {}.", p.username),
        )),
        Err(AppError::Invalid(m) | AppError::NotFound(m)) => {
            let page = s.app.list_accounts(who, "", 1, 100).await?;
            Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &AccountsPage {
                    layout: session.layout("Tài khoản"),
                    q: String::new(),
                    total: page.total,
                    rows: page.items.into_iter().map(AccountRowView::of).collect(),
                    form: NewAccountForm {
                        username: form.get("ten_dang_nhap"),
                        name: form.get("ho_ten"),
                        title: form.get("chuc_vu"),
                        unit,
                        roles: role_choices(&role_text),
                    },
                    error: Some(sentence(&m)),
                },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin/account.html")]
struct AccountForm {
    layout: Layout,
    id: String,
    username: String,
    name: String,
    title: String,
    unit: String,
    unit_name: String,
    roles: Vec<Choice>,
    error: Option<String>,
}

async fn find_account(s: &AppState, who: &Principal, id: &str) -> Result<AccountView, PageError> {
    // Accounts are few (thousands): find by id through the list use case.
    let mut page = 1;
    loop {
        let batch = s.app.list_accounts(who, "", page, 200).await?;
        if let Some(a) = batch.items.iter().find(|a| a.id == id) {
            return Ok(a.clone());
        }
        if batch.items.len() < 200 {
            return Err(AppError::NotFound(format!("tài khoản {id}")).into());
        }
        page += 1;
    }
}

async fn account_form(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let who = admin(&session)?;
    let a = find_account(&s, who, &id).await?;
    Ok(render(&AccountForm {
        layout: session.layout(format!("Tài khoản {}", a.username)),
        roles: role_choices(a.role.as_str()),
        unit_name: a.unit_name.clone().unwrap_or_default(),
        unit: a.unit_id.clone().unwrap_or_default(),
        id: a.id,
        username: a.username,
        name: a.display_name,
        title: a.title,
        error: None,
    }))
}

async fn account_save(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let who = admin(&session)?;
    let role_text = form.get("vai_tro");
    let result = match Role::parse(&role_text) {
        Ok(role) => {
            s.app
                .change_account(
                    who,
                    &id,
                    AccountChange {
                        role,
                        unit_id: Some(form.get("don_vi")).filter(|u| !u.is_empty()),
                        display_name: form.get("ho_ten"),
                        title: form.get("chuc_vu"),
                    },
                )
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(a) => Ok(flash_redirect(
            "/quan-tri/tai-khoan",
            &format!("Đã cập nhật tài khoản {}.", a.username),
        )),
        Err(AppError::Invalid(m)) => {
            let a = find_account(&s, who, &id).await?;
            Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &AccountForm {
                    layout: session.layout(format!("Tài khoản {}", a.username)),
                    roles: role_choices(&role_text),
                    unit_name: a.unit_name.clone().unwrap_or_default(),
                    unit: form.get("don_vi"),
                    id: a.id,
                    username: a.username,
                    name: form.get("ho_ten"),
                    title: form.get("chuc_vu"),
                    error: Some(sentence(&m)),
                },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- calendar ----------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
struct YearQuery {
    nam: Option<i16>,
}

struct DayView {
    date: String,
    weekday: &'static str,
    off: bool,
    name: String,
    source: String,
}

impl DayView {
    fn of(d: SpecialDay) -> Self {
        Self {
            date: fmt::date(&d.date),
            weekday: d.weekday,
            off: d.kind == "off",
            name: d.name,
            source: d.source,
        }
    }
}

/// The quick form for one announced notice, kept when sent back.
#[derive(Default)]
struct NoticeForm {
    number: String,
    issuer: String,
    issued: String,
    title: String,
    covers: Vec<Choice>,
    off_from: String,
    off_to: String,
    off_name: String,
    work_date: String,
    work_name: String,
}

#[derive(Template)]
#[template(path = "admin/calendar.html")]
struct CalendarPage {
    layout: Layout,
    year: i16,
    prev: i16,
    next: i16,
    days: Vec<DayView>,
    working_days: u32,
    origin: String,
    version: String,
    source: String,
    notice: NoticeForm,
    error: Option<String>,
}

const HOLIDAY_KEYS: [(&str, &str); 8] = [
    ("", "Không thay thế ngày lễ nào (chỉ hoán đổi)"),
    ("new_year", "Tết Dương lịch"),
    ("tet", "Tết Nguyên Đán"),
    ("hung_kings", "Giỗ Tổ Hùng Vương"),
    ("reunification", "Ngày Chiến thắng 30/4"),
    ("labour_day", "Ngày Quốc tế Lao động"),
    ("national_day", "Quốc khánh"),
    ("culture_day", "Ngày Văn hóa Việt Nam"),
];

async fn calendar_page(
    s: &AppState,
    session: &Session,
    year: i16,
    notice: NoticeForm,
    source_override: Option<String>,
    error: Option<String>,
) -> Result<CalendarPage, PageError> {
    let y = s.app.calendar_year(year).await?;
    Ok(CalendarPage {
        layout: session.layout(format!("Lịch làm việc năm {year}")),
        year,
        prev: year - 1,
        next: year + 1,
        days: y.days.into_iter().map(DayView::of).collect(),
        working_days: y.working_days,
        origin: y.origin,
        version: y.version,
        source: source_override
            .or(y.source)
            .unwrap_or_else(|| format!("year = {year}\n")),
        notice,
        error,
    })
}

async fn calendar(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<YearQuery>,
) -> Result<Response, PageError> {
    admin(&session)?;
    let year = q.nam.unwrap_or_else(|| s.app.now().date().year());
    let notice = NoticeForm {
        covers: super::public::choices_of(&HOLIDAY_KEYS, ""),
        ..Default::default()
    };
    Ok(render(
        &calendar_page(&s, &session, year, notice, None, None).await?,
    ))
}

/// A TOML string literal.
fn toml_str(text: &str) -> String {
    let escaped: String = text
        .chars()
        .flat_map(|c| match c {
            '"' => vec!['\\', '"'],
            '\\' => vec!['\\', '\\'],
            '\n' | '\r' => vec![' '],
            c => vec![c],
        })
        .collect();
    format!("\"{escaped}\"")
}

/// `dd/mm/yyyy` or `yyyy-mm-dd` → a date.
fn parse_day(text: &str, what: &str) -> Result<jiff::civil::Date, AppError> {
    let t = text.trim();
    let parsed = if t.contains('/') {
        jiff::civil::Date::strptime("%d/%m/%Y", t)
    } else {
        t.parse()
    };
    parsed.map_err(|_| AppError::Invalid(format!("{what} '{t}' không hợp lệ (dd/mm/yyyy)")))
}

/// The `[[notice]]` block the quick form describes, appended to the year's file.
fn notice_block(form: &FormData) -> Result<String, AppError> {
    let number = form.get("so_hieu");
    let issuer = form.get("co_quan");
    let title = form.get("trich_yeu");
    if number.is_empty() || issuer.is_empty() || title.is_empty() {
        return Err(AppError::Invalid(
            "nhập số hiệu, cơ quan ban hành và trích yếu của thông báo".into(),
        ));
    }
    let issued = parse_day(&form.get("ngay_ban_hanh"), "ngày ban hành")?;
    let covers = form.get("thay_the");
    let mut block = format!(
        "\n[[notice]]\nnumber = {}\nissuer = {}\nissued = {issued}\ntitle = {}\n",
        toml_str(&number),
        toml_str(&issuer),
        toml_str(&title)
    );
    block.push_str(&if covers.is_empty() {
        "covers = []\n".to_owned()
    } else {
        format!("covers = [{}]\n", toml_str(&covers))
    });
    let off_from = form.get("nghi_tu");
    if !off_from.is_empty() {
        let from = parse_day(&off_from, "ngày nghỉ từ")?;
        let to_text = form.get("nghi_den");
        let to = if to_text.is_empty() {
            from
        } else {
            parse_day(&to_text, "ngày nghỉ đến")?
        };
        let name = form.get("ten_ngay_nghi");
        if name.is_empty() {
            return Err(AppError::Invalid("nhập tên đợt nghỉ".into()));
        }
        block.push_str(&format!(
            "\n[[notice.days_off]]\nfrom = {from}\nto = {to}\nname = {}\n",
            toml_str(&name)
        ));
    }
    let work = form.get("lam_bu");
    if !work.is_empty() {
        let date = parse_day(&work, "ngày làm bù")?;
        let name = form.get("ten_lam_bu");
        let name = if name.is_empty() {
            "Làm bù".to_owned()
        } else {
            name
        };
        block.push_str(&format!(
            "\n[[notice.work_days]]\ndate = {date}\nname = {}\n",
            toml_str(&name)
        ));
    }
    if off_from.is_empty() && work.is_empty() {
        return Err(AppError::Invalid(
            "thông báo phải có ngày nghỉ hoặc ngày làm bù".into(),
        ));
    }
    Ok(block)
}

async fn calendar_save(
    State(s): State<AppState>,
    session: Session,
    form: FormData,
) -> Result<Response, PageError> {
    let who = admin(&session)?;
    let year: i16 = form
        .get("nam")
        .parse()
        .map_err(|_| AppError::Invalid("năm không hợp lệ".into()))?;
    let quick = form.get("kieu") == "thong_bao";
    let text = if quick {
        notice_block(&form).map(|block| {
            let current = form
                .0
                .iter()
                .find(|(k, _)| k == "tep")
                .map(|(_, v)| v.clone());
            let base = current
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| format!("year = {year}\n"));
            format!("{}\n{block}", base.trim_end())
        })
    } else {
        Ok(form
            .0
            .iter()
            .find(|(k, _)| k == "tep")
            .map(|(_, v)| v.replace("\r\n", "\n"))
            .unwrap_or_default())
    };
    let result = match text {
        Ok(text) => s
            .app
            .save_calendar_year(who, &text)
            .await
            .map(|y| (y, text)),
        Err(e) => Err(e),
    };
    match result {
        Ok((saved, _)) => Ok(flash_redirect(
            &format!("/quan-tri/lich?nam={saved}"),
            &format!("Đã lưu thông báo năm {saved}; lịch mới có hiệu lực ngay."),
        )),
        Err(AppError::Invalid(m)) => {
            let notice = NoticeForm {
                number: form.get("so_hieu"),
                issuer: form.get("co_quan"),
                issued: form.get("ngay_ban_hanh"),
                title: form.get("trich_yeu"),
                covers: super::public::choices_of(&HOLIDAY_KEYS, &form.get("thay_the")),
                off_from: form.get("nghi_tu"),
                off_to: form.get("nghi_den"),
                off_name: form.get("ten_ngay_nghi"),
                work_date: form.get("lam_bu"),
                work_name: form.get("ten_lam_bu"),
            };
            let typed = form
                .0
                .iter()
                .find(|(k, _)| k == "tep")
                .map(|(_, v)| v.clone());
            let page = calendar_page(&s, &session, year, notice, typed, Some(sentence(&m))).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}
