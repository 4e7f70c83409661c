//! Charts as SVG written on the server: no script, no external library, readable without
//! colour. Every chart is an image with a label (`role="img"`, `aria-label`) and a `<title>`,
//! and every bar or point has its own `<title>` so a screen reader or a mouse pointer gets its
//! exact value. Colours come from classes in `app.css` (the CSP forbids inline styles); SVG
//! presentation attributes carry only sizes and positions.

use std::fmt::Write;

/// Escapes text for SVG content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number for SVG coordinates: one decimal, a point (SVG's own syntax, not shown to users).
fn n(x: f64) -> String {
    format!("{:.1}", if x.is_finite() { x } else { 0.0 })
}

/// Shortens a label to `max` characters with an ellipsis (its full text stays in the title).
fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// One bar: its label, its value on the chart's scale, and the value as users read it.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub display: String,
}

/// One point of a line: its label on the horizontal axis and its value, if any (a gap in the
/// line otherwise).
#[derive(Debug, Clone)]
pub struct Point {
    pub label: String,
    pub value: Option<f64>,
    pub display: String,
}

/// Tick values for an axis from 0 to `max`.
fn ticks(max: f64) -> Vec<f64> {
    let steps = 4;
    (0..=steps)
        .map(|i| max * f64::from(i) / f64::from(steps))
        .collect()
}

/// A tick's label: whole numbers without decimals, others with a Vietnamese comma.
fn tick_label(v: f64) -> String {
    cchc_domain::indicator::decimal(v, 1)
}

/// A horizontal bar chart (long unit names fit on the left), values from 0 to `max`.
/// `axis` names the values' unit, e.g. "Điểm (thang 100)".
pub fn bar_chart(title: &str, axis: &str, bars: &[Bar], max: f64) -> String {
    let max = if max > 0.0 { max } else { 1.0 };
    let (left, right, top, row) = (230.0, 70.0, 28.0, 26.0);
    let width = 760.0;
    let plot = width - left - right;
    let height = top + row * bars.len().max(1) as f64 + 44.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart chart-bars" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}"><title>{}</title>"#,
        n(width),
        n(height),
        esc(title),
        esc(title)
    );
    let bottom = top + row * bars.len().max(1) as f64;
    for t in ticks(max) {
        let x = left + plot * t / max;
        let _ = write!(
            s,
            r#"<line class="chart-grid" x1="{x}" y1="{y1}" x2="{x}" y2="{y2}"/><text class="chart-tick" x="{x}" y="{ty}" text-anchor="middle" font-size="12">{label}</text>"#,
            x = n(x),
            y1 = n(top - 6.0),
            y2 = n(bottom),
            ty = n(bottom + 16.0),
            label = esc(&tick_label(t)),
        );
    }
    let _ = write!(
        s,
        r#"<text class="chart-axis" x="{}" y="{}" text-anchor="middle" font-size="12">{}</text>"#,
        n(left + plot / 2.0),
        n(bottom + 34.0),
        esc(axis)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        let w = (plot * b.value.clamp(0.0, max) / max).max(1.0);
        let _ = write!(
            s,
            r#"<g class="chart-item"><title>{full}: {value}</title><text class="chart-label" x="{lx}" y="{ty}" text-anchor="end" font-size="12">{label}</text><rect class="chart-bar" x="{x}" y="{y}" width="{w}" height="{h}"/><text class="chart-value" x="{vx}" y="{ty}" font-size="12">{value}</text></g>"#,
            full = esc(&b.label),
            value = esc(&b.display),
            lx = n(left - 8.0),
            ty = n(y + row * 0.62),
            label = esc(&short(&b.label, 32)),
            x = n(left),
            y = n(y + 4.0),
            w = n(w),
            h = n(row - 8.0),
            vx = n(left + w + 6.0),
        );
    }
    s.push_str("</svg>");
    s
}

/// A line chart over labelled points, values from 0 to `max`; a point without a value breaks
/// the line. `axis` names the values' unit.
pub fn line_chart(title: &str, axis: &str, points: &[Point], max: f64) -> String {
    let max = if max > 0.0 { max } else { 1.0 };
    let (left, right, top, bottom_pad) = (56.0, 20.0, 20.0, 56.0);
    let (width, height) = (760.0, 300.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom_pad;
    let bottom = top + plot_h;
    let step = if points.len() > 1 {
        plot_w / (points.len() - 1) as f64
    } else {
        0.0
    };
    let x_of = |i: usize| {
        if points.len() > 1 {
            left + step * i as f64
        } else {
            left + plot_w / 2.0
        }
    };
    let y_of = |v: f64| bottom - plot_h * v.clamp(0.0, max) / max;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart chart-line" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}"><title>{}</title>"#,
        n(width),
        n(height),
        esc(title),
        esc(title)
    );
    for t in ticks(max) {
        let y = y_of(t);
        let _ = write!(
            s,
            r#"<line class="chart-grid" x1="{x1}" y1="{y}" x2="{x2}" y2="{y}"/><text class="chart-tick" x="{tx}" y="{ty}" text-anchor="end" font-size="12">{label}</text>"#,
            x1 = n(left),
            x2 = n(left + plot_w),
            y = n(y),
            tx = n(left - 6.0),
            ty = n(y + 4.0),
            label = esc(&tick_label(t)),
        );
    }
    let _ = write!(
        s,
        r#"<text class="chart-axis" x="14" y="{y}" text-anchor="middle" font-size="12" transform="rotate(-90 14 {y})">{}</text>"#,
        esc(axis),
        y = n(top + plot_h / 2.0),
    );
    // The line, in segments between gaps.
    let mut segment: Vec<String> = Vec::new();
    let flush = |segment: &mut Vec<String>, s: &mut String| {
        if segment.len() > 1 {
            let _ = write!(
                s,
                r#"<polyline class="chart-path" fill="none" points="{}"/>"#,
                segment.join(" ")
            );
        }
        segment.clear();
    };
    for (i, p) in points.iter().enumerate() {
        match p.value {
            Some(v) => segment.push(format!("{},{}", n(x_of(i)), n(y_of(v)))),
            None => flush(&mut segment, &mut s),
        }
    }
    flush(&mut segment, &mut s);
    for (i, p) in points.iter().enumerate() {
        let x = x_of(i);
        let _ = write!(
            s,
            r#"<text class="chart-tick" x="{x}" y="{y}" text-anchor="middle" font-size="11">{label}</text>"#,
            x = n(x),
            y = n(bottom + 18.0),
            label = esc(&p.label),
        );
        if let Some(v) = p.value {
            let _ = write!(
                s,
                r#"<g class="chart-item"><title>{label}: {value}</title><circle class="chart-point" cx="{x}" cy="{y}" r="5"/></g>"#,
                label = esc(&p.label),
                value = esc(&p.display),
                x = n(x),
                y = n(y_of(v)),
            );
        } else {
            let _ = write!(
                s,
                r#"<g class="chart-item"><title>{label}: {value}</title><rect class="chart-gap" x="{x}" y="{y}" width="8" height="8"/></g>"#,
                label = esc(&p.label),
                value = esc(&p.display),
                x = n(x - 4.0),
                y = n(bottom - 4.0),
            );
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: f64) -> Bar {
        Bar {
            label: label.into(),
            value,
            display: cchc_domain::indicator::decimal(value, 2),
        }
    }

    #[test]
    fn bars_are_labelled_and_escaped() {
        let svg = bar_chart(
            "Điểm <cao> nhất",
            "Điểm",
            &[bar("Phường \"A\" & B", 92.5), bar("Xã C", 40.0)],
            100.0,
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains(r#"aria-label="Điểm &lt;cao&gt; nhất""#));
        assert!(svg.contains("<title>Phường &quot;A&quot; &amp; B: 92,5</title>"));
        assert_eq!(svg.matches("<rect class=\"chart-bar\"").count(), 2);
        assert!(!svg.contains("style="), "no inline style under the CSP");
        assert!(svg.contains(">100<") && svg.contains(">50<"), "axis ticks");
    }

    #[test]
    fn lines_break_at_gaps_and_every_point_has_a_title() {
        let pts: Vec<Point> = [Some(80.0), Some(85.5), None, Some(90.0), Some(91.0)]
            .iter()
            .enumerate()
            .map(|(i, v)| Point {
                label: format!("{:02}/2025", i + 1),
                value: *v,
                display: v.map_or("không có số liệu".into(), |x| {
                    cchc_domain::indicator::decimal(x, 2)
                }),
            })
            .collect();
        let svg = line_chart("Điểm theo tháng", "Điểm", &pts, 100.0);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<g class=\"chart-item\"><title>").count(), 5);
        assert!(svg.contains("<title>03/2025: không có số liệu</title>"));
        assert!(svg.contains("<title>02/2025: 85,5</title>"));
        let one = line_chart("Một điểm", "Điểm", &pts[..1], 100.0);
        assert!(one.contains("<circle"));
    }

    #[test]
    fn long_labels_are_shortened_on_the_chart_only() {
        let name = "Ủy ban nhân dân phường có tên rất dài để kiểm tra việc cắt ngắn";
        let svg = bar_chart("x", "y", &[bar(name, 1.0)], 0.0);
        assert!(svg.contains(&format!("<title>{name}: 1</title>")));
        assert!(svg.contains('…'));
    }
}
