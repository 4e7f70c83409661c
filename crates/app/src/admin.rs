//! Administration (quản trị CCHC): accounts and roles, procedures' channels and time limits,
//! and the calendar's announced notices. Administrators only; every change is validated whole
//! before anything is written.

use cchc_domain::calendar::{Calendar, DayMark, embedded_year_text, fmt_datetime, weekday_name};
use cchc_domain::procedure::Channel;
use cchc_store::CalendarNoticeRow;
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use crate::{App, AppError, Principal, Result, Role, civil};

fn admin_only(who: &Principal) -> Result<()> {
    if who.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "chỉ quản trị CCHC được thực hiện thao tác này".into(),
        ))
    }
}

/// An account as the administrator sees it (never the password hash).
#[derive(Debug, Clone, Serialize)]
pub struct AccountView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub title: String,
    pub role: Role,
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountPage {
    pub total: i64,
    pub items: Vec<AccountView>,
}

/// What an administrator may change on an account.
#[derive(Debug, Clone, Deserialize)]
pub struct AccountChange {
    pub role: Role,
    pub unit_id: Option<String>,
    pub display_name: String,
    #[serde(default)]
    pub title: String,
}

/// A channel's setting: offered or not, and its time limit (`5 working-days`, ...).
#[derive(Debug, Clone, Deserialize)]
pub struct ChannelSetting {
    pub channel: Channel,
    pub available: bool,
    /// `N working-days | working-hours | days | days-skip-off`; empty: no typed limit.
    #[serde(default)]
    pub limit: String,
}

/// One special day of a year, as the calendar page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct SpecialDay {
    pub date: String,
    pub weekday: &'static str,
    /// `off` or `worked`.
    pub kind: &'static str,
    pub name: String,
    pub source: String,
}

/// A year of the calendar: its special days, the file in force and where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarYear {
    pub year: i16,
    pub days: Vec<SpecialDay>,
    pub working_days: u32,
    /// The notice file text in force (saved by an administrator, or shipped), if any.
    pub source: Option<String>,
    /// "quan-tri" with who and when, or "tệp dữ liệu".
    pub origin: String,
    pub version: String,
}

impl App {
    /// Accounts matching a search, newest first.
    pub async fn list_accounts(
        &self,
        who: &Principal,
        search: &str,
        page: i64,
        per_page: i64,
    ) -> Result<AccountPage> {
        admin_only(who)?;
        if search.chars().count() > 100 {
            return Err(AppError::Invalid("câu tìm kiếm dài quá 100 ký tự".into()));
        }
        let per_page = per_page.clamp(1, 200);
        let offset = (page.max(1) - 1).saturating_mul(per_page);
        let (total, rows) = self
            .store
            .list_accounts(search.trim(), per_page, offset)
            .await?;
        let tree = self.units()?;
        let items = rows
            .into_iter()
            .map(|r| {
                Ok(AccountView {
                    role: Role::parse(&r.role)?,
                    unit_name: r
                        .unit_id
                        .as_deref()
                        .and_then(|u| tree.get(u))
                        .map(|u| u.full_name.clone()),
                    id: r.id,
                    username: r.username,
                    display_name: r.display_name,
                    title: r.title,
                    unit_id: r.unit_id,
                    created_at: r.created_at,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(AccountPage { total, items })
    }

    /// Changes an account's role, unit, name and title. Takes effect on the account's next
    /// request (sessions read the account each time). An administrator cannot change their
    /// own role, so the last administrator cannot lock everyone out.
    pub async fn change_account(
        &self,
        who: &Principal,
        id: &str,
        change: AccountChange,
    ) -> Result<AccountView> {
        admin_only(who)?;
        let current = self
            .store
            .account_by_id(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("tài khoản {id}")))?;
        if current.id == who.account_id && change.role != Role::Admin {
            return Err(AppError::Invalid(
                "không thể tự bỏ quyền quản trị của chính mình".into(),
            ));
        }
        let name = change.display_name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AppError::Invalid(
                "họ tên phải có từ 1 đến 200 ký tự".into(),
            ));
        }
        if change.title.chars().count() > 200 {
            return Err(AppError::Invalid("chức vụ dài quá 200 ký tự".into()));
        }
        let unit = change
            .unit_id
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty());
        let tree = self.units()?;
        match (change.role, unit) {
            (Role::Officer | Role::Leader, None) => {
                return Err(AppError::Invalid(
                    "cán bộ và lãnh đạo phải thuộc một đơn vị".into(),
                ));
            }
            (_, Some(u)) if !tree.contains(u) => {
                return Err(AppError::Invalid(format!("không có đơn vị {u}")));
            }
            _ => {}
        }
        self.store
            .update_account(id, change.role.as_str(), unit, name, change.title.trim())
            .await?;
        Ok(AccountView {
            id: current.id,
            username: current.username,
            display_name: name.to_owned(),
            title: change.title.trim().to_owned(),
            role: change.role,
            unit_id: unit.map(str::to_owned),
            unit_name: unit.and_then(|u| tree.get(u)).map(|u| u.full_name.clone()),
            created_at: current.created_at,
        })
    }

    /// Sets which channels a procedure is offered on and their time limits, validated before
    /// anything is written.
    pub async fn set_procedure_channels(
        &self,
        who: &Principal,
        code: &str,
        settings: Vec<ChannelSetting>,
    ) -> Result<cchc_domain::procedure::Procedure> {
        admin_only(who)?;
        let mut p = self.procedure_fresh(code).await?;
        for s in settings {
            let text = s.limit.trim();
            let limit = if text.is_empty() {
                None
            } else {
                Some(text.parse().map_err(|e| {
                    AppError::Invalid(format!(
                        "thời hạn kênh {} không hợp lệ ({e}); ví dụ: 5 working-days",
                        s.channel.label()
                    ))
                })?)
            };
            if s.available && limit.is_none() {
                return Err(AppError::Invalid(format!(
                    "kênh {} được áp dụng thì phải có thời hạn giải quyết",
                    s.channel.label()
                )));
            }
            p.set_channel(s.channel, s.available, limit);
        }
        self.save_procedure(&p).await?;
        Ok(p)
    }

    /// A year of the calendar in force, with the notice file behind it.
    pub async fn calendar_year(&self, year: i16) -> Result<CalendarYear> {
        if !(1901..=2198).contains(&year) {
            return Err(AppError::Invalid(format!(
                "năm {year} nằm ngoài lịch (1901-2198)"
            )));
        }
        let calendar = self.calendar()?;
        let saved = self
            .store
            .calendar_notices()
            .await?
            .into_iter()
            .find(|r| r.year == i64::from(year));
        let (source, origin) = match saved {
            Some(r) => (
                Some(r.source),
                format!(
                    "quản trị viên {} lưu lúc {}",
                    r.added_by,
                    r.added_at
                        .parse::<jiff::civil::DateTime>()
                        .map_or(r.added_at.clone(), fmt_datetime)
                ),
            ),
            None => match embedded_year_text(year) {
                Some(t) => (Some(t.to_owned()), "tệp dữ liệu kèm phần mềm".to_owned()),
                None => (
                    None,
                    "chưa có thông báo; theo quy tắc của Bộ luật Lao động".to_owned(),
                ),
            },
        };
        Ok(CalendarYear {
            year,
            days: special_days(&calendar, year)?,
            working_days: working_days(&calendar, year)?,
            source,
            origin,
            version: calendar.version().to_owned(),
        })
    }

    /// Saves a year's notice file (the same TOML as `data/calendar/YYYY.toml`) after checking
    /// it against the rules, and puts the new calendar in force at once. Returns the year.
    pub async fn save_calendar_year(&self, who: &Principal, text: &str) -> Result<i16> {
        admin_only(who)?;
        if text.len() > 200_000 {
            return Err(AppError::Invalid("tệp thông báo quá lớn".into()));
        }
        let mut data = self.calendar_data().await?;
        let year = data
            .add_file("quan-tri.toml", text)
            .map_err(|e| AppError::Invalid(format!("thông báo không hợp lệ: {e}")))?;
        let calendar = Arc::new(
            Calendar::build(&data)
                .map_err(|e| AppError::Invalid(format!("lịch không hợp lệ: {e}")))?,
        );
        self.store
            .insert_calendar_notice(&CalendarNoticeRow {
                year: i64::from(year),
                added_at: civil(self.now()),
                added_by: who.username.clone(),
                source: text.to_owned(),
            })
            .await?;
        self.install_calendar(calendar)?;
        self.reproject_open_dossiers().await?;
        Ok(year)
    }

    /// Recomputes the stored due date of every open dossier under the calendar now in force
    /// (a notice may add or move days off inside running deadlines). The events do not change:
    /// the due date is derived from them and the calendar. Returns how many rows changed.
    pub async fn reproject_open_dossiers(&self) -> Result<u64> {
        let mut after = String::new();
        let mut changed = 0;
        loop {
            let codes = self.store.open_dossier_codes(&after, 500).await?;
            let Some(last) = codes.last() else {
                return Ok(changed);
            };
            after = last.clone();
            for code in &codes {
                let Some((d, _)) = self.store.dossier(code).await? else {
                    continue;
                };
                let due = self.projected(&d)?.due_at.map(civil);
                // The due date moves the day an open dossier turns late for the indicators.
                self.store
                    .replace_facts(&[(self.facts_of(&d).await?, d.version)])
                    .await?;
                if self
                    .store
                    .set_due_at(code, i64::from(d.version), due)
                    .await?
                {
                    changed += 1;
                }
            }
        }
    }
}

fn special_days(calendar: &Calendar, year: i16) -> Result<Vec<SpecialDay>> {
    let days = calendar
        .special_days(year)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok(days
        .into_iter()
        .filter_map(|(date, mark)| {
            let (kind, note) = match mark {
                DayMark::Off(n) => ("off", n),
                DayMark::Worked(n) => ("worked", n),
                DayMark::Normal => return None,
            };
            Some(SpecialDay {
                date: date.to_string(),
                weekday: weekday_name(date.weekday()),
                kind,
                name: note.name.clone(),
                source: note.source.clone(),
            })
        })
        .collect())
}

fn working_days(calendar: &Calendar, year: i16) -> Result<u32> {
    let mut d = Date::new(year, 1, 1).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut n = 0;
    while d.year() == year {
        let worked = match calendar
            .mark(d)
            .map_err(|e| AppError::Invalid(e.to_string()))?
        {
            DayMark::Worked(_) => true,
            DayMark::Off(_) => false,
            DayMark::Normal => !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday),
        };
        n += u32::from(worked);
        d = d
            .tomorrow()
            .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    Ok(n)
}
