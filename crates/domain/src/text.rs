//! Vietnamese text helpers.
//!
//! [`fold`] makes search insensitive to diacritics, case and spacing: a citizen typing
//! "dang ky khai sinh" finds "Đăng ký khai sinh". We fold in our own code rather than rely on a
//! database's tokenizer because SQLite FTS5's `remove_diacritics` leaves `đ` alone (it is a letter
//! with a stroke, not a letter plus a combining mark).

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds Vietnamese text for diacritics-insensitive search: canonical decomposition (NFD),
/// combining marks stripped, `đ`/`Đ` → `d`, lowercase, runs of whitespace collapsed to one space
/// and the ends trimmed.
///
/// ```
/// use cchc_domain::text::fold;
/// assert_eq!(fold("Đăng ký  khai sinh"), "dang ky khai sinh");
/// ```
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfd() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        for lower in c.to_lowercase() {
            let folded = match lower {
                'đ' => 'd',
                m if is_combining_mark(m) => continue,
                other => other,
            };
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(folded);
        }
    }
    out
}

/// Normalizes text for storage and display: Unicode NFC (the crawled catalogue mixes composed
/// and decomposed forms), runs of whitespace (including line breaks) collapsed to one space, the
/// ends trimmed. Case and diacritics are kept.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.nfc());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese_names() {
        assert_eq!(fold("Đăng ký khai sinh"), "dang ky khai sinh");
        assert_eq!(fold("Ủy ban nhân dân"), "uy ban nhan dan");
        assert_eq!(fold("Nghĩa"), "nghia");
        assert_eq!(fold("Quảng Ngãi"), "quang ngai");
        assert_eq!(fold("ĐỒNG THÁP"), "dong thap");
        assert_eq!(
            fold("Thủ tục đăng ký khai sinh"),
            "thu tuc dang ky khai sinh"
        );
    }

    #[test]
    fn folds_composed_and_decomposed_forms_alike() {
        let composed = "Quảng Ngãi";
        let decomposed: String = composed.nfd().collect();
        assert_ne!(composed, decomposed);
        assert_eq!(fold(composed), fold(&decomposed));
        // Old-style tone placement ("Uỷ" vs "Ủy") folds to the same text.
        assert_eq!(fold("Uỷ ban"), fold("Ủy ban"));
    }

    #[test]
    fn collapses_and_trims_whitespace() {
        assert_eq!(fold("  Đăng\tký \n\n khai   sinh  "), "dang ky khai sinh");
        assert_eq!(fold(""), "");
        assert_eq!(fold(" \t\n"), "");
    }

    #[test]
    fn keeps_digits_and_punctuation() {
        assert_eq!(fold("1.001193"), "1.001193");
        assert_eq!(fold("Lệ phí: 8.000 đồng"), "le phi: 8.000 dong");
    }

    #[test]
    fn folding_is_idempotent() {
        for s in [
            "Đăng ký khai sinh",
            "Ủy ban",
            "Nghĩa",
            "Quảng Ngãi",
            "ĐƯỜNG Ơ Ư",
        ] {
            let once = fold(s);
            assert_eq!(fold(&once), once);
        }
    }

    #[test]
    fn cleans_without_folding() {
        let decomposed: String = "Quảng  Ngãi\n".nfd().collect();
        assert_eq!(clean(&decomposed), "Quảng Ngãi");
        assert_eq!(clean("  a \n b  "), "a b");
    }
}
