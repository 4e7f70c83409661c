//! How values are shown to users: dates as dd/mm/yyyy and instants as HH:MM dd/mm/yyyy (the
//! domain's formats), money as 1.234.000 đ, QR codes as SVG.

use cchc_domain::calendar::{fmt_date, fmt_datetime};
use qrcode::QrCode;
use qrcode::render::svg;

/// `2025-03-10T08:00:00` (or `…+07:00`, or `2025-03-10`) → `10/03/2025`, through the domain's
/// one date format; other text unchanged.
pub fn date(iso: &str) -> String {
    iso.get(..10)
        .and_then(|d| d.parse::<jiff::civil::Date>().ok())
        .map_or_else(|| iso.to_owned(), fmt_date)
}

/// `2025-03-10T08:05:00` → `08:05 10/03/2025` (the domain's format for instants).
pub fn datetime(iso: &str) -> String {
    iso.get(..19)
        .and_then(|d| d.parse::<jiff::civil::DateTime>().ok())
        .map_or_else(|| date(iso), fmt_datetime)
}

/// Optional variants: an em dash when absent.
pub fn opt_date(iso: Option<&str>) -> String {
    iso.map_or_else(|| "—".to_owned(), date)
}

pub fn opt_datetime(iso: Option<&str>) -> String {
    iso.map_or_else(|| "—".to_owned(), datetime)
}

/// `1234000` → `1.234.000 đ`.
pub fn money(vnd: i64) -> String {
    format!("{} đ", cchc_domain::text::group_thousands(vnd))
}

/// A QR code of `text` as an inline SVG element (no external image, works offline).
pub fn qr_svg(text: &str) -> String {
    match QrCode::new(text.as_bytes()) {
        Ok(code) => code
            .render::<svg::Color<'_>>()
            .min_dimensions(160, 160)
            .quiet_zone(true)
            .build()
            .replacen("<?xml version=\"1.0\" standalone=\"yes\"?>", "", 1),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_day_month_year() {
        assert_eq!(date("2025-03-10T08:00:00"), "10/03/2025");
        assert_eq!(date("2025-03-10T08:00:00+07:00"), "10/03/2025");
        assert_eq!(datetime("2025-03-10T08:05:00+07:00"), "08:05 10/03/2025");
        assert_eq!(datetime("2025-03-10"), "10/03/2025");
        assert_eq!(date("2025-12-01"), "01/12/2025");
        assert_eq!(date("x"), "x");
        assert_eq!(opt_date(None), "—");
    }

    #[test]
    fn money_groups_thousands_with_dots() {
        assert_eq!(money(0), "0 đ");
        assert_eq!(money(50_000), "50.000 đ");
        assert_eq!(money(1_234_000), "1.234.000 đ");
        assert_eq!(money(-500), "-500 đ");
    }

    #[test]
    fn qr_is_an_svg() {
        let s = qr_svg("http://127.0.0.1:8080/tra-cuu/H62.1-251122-0001?ma=ABCD1234");
        assert!(
            s.trim_start().starts_with("<svg"),
            "{}",
            &s[..40.min(s.len())]
        );
    }
}
