//! The survey results file (kết quả điều tra xã hội học): CSV, UTF-8 (a BOM is fine), a header
//! line naming the columns `don_vi` (the unit's agency code or id) and `diem` (points, a dot or
//! a comma before the decimals), comma- or semicolon-separated. A line that cannot be read
//! stops the whole file with its line number: nothing is imported.

use serde::Serialize;

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyLine {
    /// Line number in the file (the header is line 1).
    pub line: u64,
    /// The unit as written: an agency code (mã định danh) or a unit id.
    pub unit: String,
    pub points: f64,
}

/// Why the file was refused (Vietnamese: it reaches users).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SurveyError {
    #[error("tệp kết quả khảo sát trống")]
    Empty,
    #[error("dòng tiêu đề phải có cột don_vi (mã định danh hoặc mã đơn vị) và cột diem")]
    Header,
    #[error("dòng {line}: {message}")]
    Line { line: u64, message: String },
}

/// A number as offices write it: "25", "25.5", "25,5".
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    t.replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

/// Reads the file; every line checked (unit present, points a number not below 0, a unit
/// once). Resolving units, and the maximum of each unit's tree ([`check_max`]), are the
/// caller's.
pub fn parse(text: &str) -> Result<Vec<SurveyLine>, SurveyError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .ok_or(SurveyError::Empty)?;
    let delimiter = if first.contains(';') && !first.contains(',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|_| SurveyError::Header)?.clone();
    let col = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    };
    let (Some(unit_col), Some(points_col)) = (
        col(&["don_vi", "ma_don_vi", "ma_dinh_danh", "unit"]),
        col(&["diem", "points"]),
    ) else {
        return Err(SurveyError::Header);
    };
    let mut out: Vec<SurveyLine> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| SurveyError::Line {
            line: e.position().map_or(0, |p| p.line()),
            message: "không đọc được dòng (kiểm tra dấu ngoặc kép và dấu phân cách)".into(),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        let err = |message: String| SurveyError::Line { line, message };
        let unit = record.get(unit_col).unwrap_or("").to_owned();
        if unit.is_empty() {
            return Err(err("thiếu mã đơn vị".into()));
        }
        let raw = record.get(points_col).unwrap_or("");
        let points =
            parse_number(raw).ok_or_else(|| err(format!("điểm «{raw}» không phải là một số")))?;
        if points < 0.0 {
            return Err(err(format!("điểm {raw} âm")));
        }
        if let Some(prev) = out.iter().find(|l| l.unit == unit) {
            return Err(err(format!("đơn vị {unit} đã có ở dòng {}", prev.line)));
        }
        out.push(SurveyLine { line, unit, points });
    }
    if out.is_empty() {
        return Err(SurveyError::Empty);
    }
    Ok(out)
}

/// Refuses a line whose points exceed the survey weight of its unit's tree.
pub fn check_max(line: &SurveyLine, max: f64) -> Result<(), SurveyError> {
    if line.points > max + 1e-9 {
        return Err(SurveyError::Line {
            line: line.line,
            message: format!(
                "điểm {} vượt quá điểm tối đa của phần điều tra xã hội học ({})",
                crate::text::number(line.points, 2),
                crate::text::number(max, 2)
            ),
        });
    }
    Ok(())
}
