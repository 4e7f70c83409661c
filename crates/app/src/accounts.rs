//! Accounts, roles, sign-in and the caller's identity. Passwords are argon2id hashes; API tokens
//! are random 256-bit values stored only as SHA-256 hashes.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use cchc_store::AccountRow;
use serde::{Deserialize, Serialize};

use crate::{App, AppError, Result, civil, random_hex, sha256_hex};

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Công dân, doanh nghiệp: own dossiers.
    Citizen,
    /// Cán bộ một cửa / chuyên viên: dossiers of the unit subtree.
    Officer,
    /// Lãnh đạo đơn vị: as officer, plus apologies/extensions and stopping.
    Leader,
    /// Quản trị CCHC (Sở Nội vụ): catalogue, units, accounts, calendar.
    Admin,
}

impl Role {
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "citizen" => Ok(Self::Citizen),
            "officer" => Ok(Self::Officer),
            "leader" => Ok(Self::Leader),
            "admin" => Ok(Self::Admin),
            other => Err(AppError::Invalid(format!(
                "vai trò '{other}' không hợp lệ (citizen, officer, leader, admin)"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Citizen => "citizen",
            Self::Officer => "officer",
            Self::Leader => "leader",
            Self::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Citizen => "Công dân, tổ chức",
            Self::Officer => "Cán bộ, công chức",
            Self::Leader => "Lãnh đạo đơn vị",
            Self::Admin => "Quản trị CCHC",
        }
    }
}

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub account_id: String,
    pub username: String,
    pub display_name: String,
    pub title: String,
    pub role: Role,
    /// The unit an officer, leader or administrator belongs to.
    pub unit_id: Option<String>,
}

impl Principal {
    /// The command line acting as the system itself (imports, demo data).
    pub fn system() -> Self {
        Self {
            account_id: "system".into(),
            username: "system".into(),
            display_name: "Hệ thống".into(),
            title: String::new(),
            role: Role::Admin,
            unit_id: None,
        }
    }

    fn from_row(row: AccountRow) -> Result<Self> {
        Ok(Self {
            account_id: row.id,
            username: row.username,
            display_name: row.display_name,
            title: row.title,
            role: Role::parse(&row.role)?,
            unit_id: row.unit_id,
        })
    }
}

/// A new account.
#[derive(Debug, Clone, Deserialize)]
pub struct NewAccount {
    pub username: String,
    pub password: String,
    pub display_name: String,
    #[serde(default)]
    pub title: String,
    pub role: Role,
    pub unit_id: Option<String>,
}

/// A bearer token and when it expires.
#[derive(Debug, Clone, Serialize)]
pub struct Token {
    pub token: String,
    pub expires_at: String,
    pub principal: Principal,
}

const TOKEN_HOURS: i64 = 12;

fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AppError::Internal(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(e.to_string()))
}

fn password_matches(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

impl App {
    /// Creates an account. Only an administrator (or the system, from the command line) may.
    pub async fn create_account(&self, by: &Principal, new: NewAccount) -> Result<Principal> {
        if by.role != Role::Admin {
            return Err(AppError::Forbidden(
                "chỉ quản trị viên được tạo tài khoản".into(),
            ));
        }
        let username = new.username.trim().to_lowercase();
        if username.len() < 3
            || username.len() > 64
            || !username
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@'))
        {
            return Err(AppError::Invalid(
                "tên đăng nhập phải dài 3-64 ký tự: chữ, số, . _ - @".into(),
            ));
        }
        if new.password.chars().count() < 10 {
            return Err(AppError::Invalid(
                "mật khẩu phải có ít nhất 10 ký tự".into(),
            ));
        }
        if new.display_name.trim().is_empty() {
            return Err(AppError::Invalid("thiếu họ tên".into()));
        }
        match (new.role, &new.unit_id) {
            (Role::Officer | Role::Leader, None) => {
                return Err(AppError::Invalid(
                    "cán bộ và lãnh đạo phải thuộc một đơn vị".into(),
                ));
            }
            (_, Some(unit)) if !self.units()?.contains(unit) => {
                return Err(AppError::NotFound(format!("đơn vị {unit}")));
            }
            _ => {}
        }
        let row = AccountRow {
            id: format!("acc-{}", random_hex(8)?),
            username,
            display_name: new.display_name.trim().to_owned(),
            title: new.title.trim().to_owned(),
            password_hash: hash_password(&new.password)?,
            role: new.role.as_str().to_owned(),
            unit_id: new.unit_id,
            created_at: civil(self.now()),
        };
        self.store.insert_account(&row).await?;
        Principal::from_row(row)
    }

    /// Checks a username and password and issues a bearer token.
    pub async fn login(&self, username: &str, password: &str) -> Result<Token> {
        let row = self
            .store
            .account_by_username(&username.trim().to_lowercase())
            .await?;
        // Same answer for unknown user and wrong password, so usernames cannot be probed.
        let Some(row) = row.filter(|r| password_matches(password, &r.password_hash)) else {
            return Err(AppError::Invalid(
                "tên đăng nhập hoặc mật khẩu không đúng".into(),
            ));
        };
        let token = random_hex(32)?;
        let now = self.now();
        let expires = now
            .checked_add(jiff::Span::new().hours(TOKEN_HOURS))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        self.store
            .insert_token(&sha256_hex(&token), &row.id, &civil(now), &civil(expires))
            .await?;
        Ok(Token {
            token,
            expires_at: civil(expires),
            principal: Principal::from_row(row)?,
        })
    }

    /// Signs out: the token stops working at once.
    pub async fn logout(&self, token: &str) -> Result<()> {
        if self.store.delete_token(&sha256_hex(token)).await? {
            Ok(())
        } else {
            Err(AppError::Unauthenticated)
        }
    }

    /// The principal behind a bearer token.
    pub async fn authenticate(&self, token: &str) -> Result<Principal> {
        let row = self
            .store
            .account_by_token(&sha256_hex(token), &civil(self.now()))
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Principal::from_row(row)
    }
}
