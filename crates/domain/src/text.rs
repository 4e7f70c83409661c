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

/// An integer the Vietnamese way: 1234567 → "1.234.567" (dots group thousands).
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// A number the Vietnamese way, rounded to `places` decimals, trailing zeros dropped:
/// 1234.5 → "1.234,5", 92.50 → "92,5", 14.0 → "14". Not finite: "—".
pub fn number(x: f64, places: usize) -> String {
    if !x.is_finite() {
        return "—".to_owned();
    }
    let s = format!("{:.places$}", x.abs());
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    let frac = frac.trim_end_matches('0');
    let whole: i64 = whole.parse().unwrap_or(i64::MAX);
    let negative = x < 0.0 && (whole != 0 || !frac.is_empty());
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&group_thousands(whole));
    if !frac.is_empty() {
        out.push(',');
        out.push_str(frac);
    }
    out
}

#[cfg(test)]
mod number_tests {
    use super::*;

    #[test]
    fn numbers_read_the_vietnamese_way() {
        assert_eq!(group_thousands(1_234_567), "1.234.567");
        assert_eq!(group_thousands(-1000), "-1.000");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(number(92.5, 1), "92,5");
        assert_eq!(number(14.0, 2), "14");
        assert_eq!(number(1234.56, 1), "1.234,6");
        assert_eq!(number(0.333, 2), "0,33");
        assert_eq!(number(-0.001, 2), "0");
        assert_eq!(number(-2.5, 1), "-2,5");
        assert_eq!(number(f64::NAN, 1), "—");
    }
}
