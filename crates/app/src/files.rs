//! Files of dossiers: what may be uploaded (type by content, size limits), and who may read
//! them. A file is stored with the event that brought it, in the same transaction.

pub use cchc_store::AttachmentInfo;
use cchc_store::NewAttachment;

use crate::{App, AppError, Principal, Result, random_hex};

/// Largest single file (5 MiB): a scanned A4 page as PDF or photo fits easily.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// Largest total per submission or supplement.
pub const MAX_TOTAL_BYTES: usize = 20 * 1024 * 1024;
/// Most files per submission or supplement.
pub const MAX_FILES: usize = 20;

/// A file as received from a form.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The component (thành phần hồ sơ) it is for.
    pub component: String,
    pub file_name: String,
    pub content: Vec<u8>,
}

/// The accepted types, recognised by their first bytes, not by the name or the browser's word.
fn sniff(content: &[u8]) -> Option<&'static str> {
    if content.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if content.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if content.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// A file name safe to show and to send back in a header: no path, no control characters.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(150)
        .collect();
    let cleaned = cleaned.trim().to_owned();
    if cleaned.is_empty() {
        "tep-dinh-kem".to_owned()
    } else {
        cleaned
    }
}

/// Checks uploads against the limits and types; every problem is named in Vietnamese.
pub fn prepare(uploads: Vec<Upload>) -> Result<Vec<NewAttachment>> {
    if uploads.len() > MAX_FILES {
        return Err(AppError::Invalid(format!(
            "quá nhiều tệp (tối đa {MAX_FILES} tệp mỗi lần)"
        )));
    }
    let total: usize = uploads.iter().map(|u| u.content.len()).sum();
    if total > MAX_TOTAL_BYTES {
        return Err(AppError::Invalid(format!(
            "tổng dung lượng tệp vượt quá {} MB",
            MAX_TOTAL_BYTES / (1024 * 1024)
        )));
    }
    uploads
        .into_iter()
        .map(|u| {
            let file_name = clean_name(&u.file_name);
            if u.content.is_empty() {
                return Err(AppError::Invalid(format!("tệp {file_name} rỗng")));
            }
            if u.content.len() > MAX_FILE_BYTES {
                return Err(AppError::Invalid(format!(
                    "tệp {file_name} vượt quá {} MB",
                    MAX_FILE_BYTES / (1024 * 1024)
                )));
            }
            let content_type = sniff(&u.content).ok_or_else(|| {
                AppError::Invalid(format!(
                    "tệp {file_name} không đúng định dạng cho phép (PDF, PNG, JPEG)"
                ))
            })?;
            let component = u.component.trim().to_owned();
            if component.is_empty() || component.chars().count() > 500 {
                return Err(AppError::Invalid(format!(
                    "tệp {file_name}: tên thành phần hồ sơ không hợp lệ"
                )));
            }
            Ok(NewAttachment {
                id: random_hex(12)?,
                component,
                file_name,
                content_type: content_type.to_owned(),
                sha256: sha256_bytes(&u.content),
                content: u.content,
            })
        })
        .collect()
}

fn sha256_bytes(content: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl App {
    /// The files of a dossier, for its owner or its staff.
    pub async fn attachments(&self, who: &Principal, code: &str) -> Result<Vec<AttachmentInfo>> {
        self.dossier(who, code).await?;
        Ok(self.store.attachments(code).await?)
    }

    /// One file with its bytes, for the dossier's owner or staff.
    pub async fn attachment(
        &self,
        who: &Principal,
        code: &str,
        id: &str,
    ) -> Result<(AttachmentInfo, Vec<u8>)> {
        self.dossier(who, code).await?;
        self.store
            .attachment(code, id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("tệp {id}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(name: &str, content: &[u8]) -> Upload {
        Upload {
            component: "Tờ khai".into(),
            file_name: name.into(),
            content: content.to_vec(),
        }
    }

    #[test]
    fn types_are_sniffed_from_content() {
        assert!(prepare(vec![up("a.pdf", b"%PDF-1.7 x")]).is_ok());
        assert!(prepare(vec![up("a.pdf", b"MZ\x90\x00 not a pdf")]).is_err());
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0];
        assert_eq!(
            prepare(vec![up("x.bin", &png)])
                .map(|v| v[0].content_type.clone())
                .ok(),
            Some("image/png".to_owned())
        );
    }

    #[test]
    fn limits_are_enforced() {
        let big = vec![b'%'; MAX_FILE_BYTES + 1];
        let mut big = big;
        big[..5].copy_from_slice(b"%PDF-");
        let err = prepare(vec![up("big.pdf", &big)])
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|m| m.contains("vượt quá 5 MB")));
        assert!(prepare(vec![up("e.pdf", b"")]).is_err());
        let many = (0..=MAX_FILES)
            .map(|i| up(&format!("{i}.pdf"), b"%PDF-1"))
            .collect();
        assert!(prepare(many).is_err());
    }

    #[test]
    fn names_lose_paths_and_quotes() {
        assert_eq!(clean_name("C:\\Users\\a\\to \"khai\".pdf"), "to khai.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name(""), "tep-dinh-kem");
    }
}
