//! Line charts as inline SVG: one line per series over labelled points, with axes,
//! gridlines and a legend. Colours come from the stylesheet by series number, so the
//! chart follows the page's palette; the page gives the same figures as a table for
//! screen readers and for reading exact values.

use std::fmt::Write as _;

/// A chart's series: a name and one value per x label (`None` where there is none).
#[derive(Clone, Debug)]
pub(crate) struct Series {
    pub(crate) name: String,
    pub(crate) values: Vec<Option<f64>>,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 26.0;
const BOTTOM: f64 = 40.0;
/// Legend entries per row.
const LEGEND_PER_ROW: usize = 4;
/// Distinct series styles in the stylesheet (`.series-0` …).
const STYLES: usize = 6;

/// Escapes text for SVG (XML) content and attributes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A round step giving about four gridlines up to `max`.
fn step(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let rough = max / 4.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    let m = rough / magnitude;
    let nice = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// The SVG of a line chart titled `title` over `labels`, with the unit named on the
/// y axis.
pub(crate) fn line_chart(
    id: &str,
    title: &str,
    unit: &str,
    labels: &[String],
    series: &[Series],
) -> String {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .copied()
        .fold(0.0_f64, f64::max);
    let step = step(max);
    let top_value = (max / step).ceil().max(1.0) * step;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let n = labels.len().max(1);
    let x = |i: usize| {
        if n == 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| TOP + plot_h - plot_h * v / top_value;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg">"#,
        HEIGHT + 8.0 + 16.0 * series.len().div_ceil(LEGEND_PER_ROW).max(1) as f64
    );
    let _ = write!(svg, r#"<title id="{id}-title">{}</title>"#, escape(title));
    let described: Vec<String> = series.iter().map(|s| escape(&s.name)).collect();
    let _ = write!(
        svg,
        r#"<desc id="{id}-desc">{} by month for {}; the table below gives the figures.</desc>"#,
        escape(unit),
        if described.is_empty() {
            "no environment".to_owned()
        } else {
            described.join(", ")
        }
    );
    // Gridlines and y labels.
    let mut v = 0.0;
    while v <= top_value + step / 2.0 {
        let yy = y(v);
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{yy:.1}" y2="{yy:.1}"/><text class="tick" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            yy + 4.0,
            number(v)
        );
        v += step;
    }
    let _ = write!(
        svg,
        r#"<text class="tick" x="4" y="{}">{}</text>"#,
        TOP - 12.0,
        escape(unit)
    );
    // X labels: every one when few, else every other.
    let every = if n > 8 { 2 } else { 1 };
    for (i, label) in labels.iter().enumerate() {
        if i % every == 0 || i + 1 == n {
            let _ = write!(
                svg,
                r#"<text class="tick" x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
                x(i),
                HEIGHT - BOTTOM + 16.0,
                escape(label)
            );
        }
    }
    // Lines and points.
    for (k, s) in series.iter().enumerate() {
        let class = format!("series-{}", k % STYLES);
        let mut path = String::new();
        let mut pen_down = false;
        for (i, value) in s.values.iter().enumerate() {
            match value {
                Some(v) => {
                    let _ = write!(
                        path,
                        "{}{:.1},{:.1} ",
                        if pen_down { "L" } else { "M" },
                        x(i),
                        y(*v)
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if !path.is_empty() {
            let _ = write!(
                svg,
                r#"<path class="line {class}" d="{}" fill="none"/>"#,
                path.trim_end()
            );
        }
        for (i, value) in s.values.iter().enumerate() {
            if let Some(v) = value {
                let _ = write!(
                    svg,
                    r#"<circle class="point {class}" cx="{:.1}" cy="{:.1}" r="3"><title>{} {}: {}</title></circle>"#,
                    x(i),
                    y(*v),
                    escape(&s.name),
                    escape(labels.get(i).map_or("", String::as_str)),
                    number(*v)
                );
            }
        }
        // Legend below the axis, four to a row.
        let lx = LEFT + 130.0 * (k % LEGEND_PER_ROW) as f64;
        let ly = HEIGHT + 12.0 + 16.0 * (k / LEGEND_PER_ROW) as f64;
        let _ = write!(
            svg,
            r#"<line class="line {class}" x1="{lx}" x2="{}" y1="{ly}" y2="{ly}"/><text class="legend" x="{}" y="{}">{}</text>"#,
            lx + 18.0,
            lx + 24.0,
            ly + 4.0,
            escape(&s.name)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round() {
        assert_eq!(step(0.0), 1.0);
        assert_eq!(step(4.0), 1.0);
        assert_eq!(step(7.0), 2.0);
        assert_eq!(step(18.0), 5.0);
        assert_eq!(step(330.0), 100.0);
    }

    #[test]
    fn a_chart_escapes_names_and_skips_gaps() {
        let svg = line_chart(
            "c",
            "Open <exposure>",
            "findings",
            &["2026-01".into(), "2026-02".into(), "2026-03".into()],
            &[Series {
                name: "prod & \"live\"".into(),
                values: vec![Some(3.0), None, Some(5.0)],
            }],
        );
        assert!(svg.contains("Open &lt;exposure&gt;"));
        assert!(svg.contains("prod &amp; &quot;live&quot;"));
        assert!(!svg.contains("prod & "));
        // Two separate moves: the gap breaks the line.
        let path = svg.split("<path").nth(1).unwrap_or_default();
        assert_eq!(path.matches('M').count(), 2, "{path}");
        assert_eq!(svg.matches("<circle").count(), 2);
    }
}
