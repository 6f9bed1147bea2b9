//! The SVG charts of the statistics page, made at build time so readers need no chart
//! library (or any JavaScript).
//!
//! Charts are pure functions of labelled numbers. Each is an accessible image (`role="img"`,
//! a title and a description) and pages print the same figures as a table beside it.

use crate::base::xml_escape;
use crate::site::Bar;

/// A vertical bar chart (for time series): bars left to right, labels below every few bars.
pub fn columns(title: &str, bars: &[Bar]) -> String {
    let (width, height, top, bottom, left) = (640.0_f64, 200.0_f64, 16.0_f64, 36.0_f64, 28.0_f64);
    let max = bars.iter().map(|b| b.count).max().unwrap_or(0).max(1) as f64;
    let slot = (width - 2.0 * left) / bars.len().max(1) as f64;
    let every = (bars.len() / 8).max(1);
    let mut svg = open(title, bars, width, height);
    for (i, bar) in bars.iter().enumerate() {
        let h = (height - top - bottom) * bar.count as f64 / max;
        let x = left + i as f64 * slot + slot * 0.15;
        let y = height - bottom - h;
        svg.push_str(&format!(
            "<rect class=\"bar\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\"><title>{}: {}</title></rect>",
            slot * 0.7,
            xml_escape(&bar.label),
            figure(bar.count)
        ));
        if i % every == 0 {
            svg.push_str(&format!(
                "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x + slot * 0.35,
                height - bottom + 16.0,
                xml_escape(&bar.label)
            ));
        }
    }
    svg.push_str(&format!("<text class=\"axis\" x=\"0\" y=\"12\">{}</text>", figure(max as usize)));
    svg.push_str("</svg>");
    svg
}

/// A horizontal bar chart (for categories): one labelled row per bar.
pub fn rows(title: &str, bars: &[Bar]) -> String {
    let (width, row, label_width) = (640.0_f64, 22.0_f64, 200.0_f64);
    let height = row * bars.len().max(1) as f64 + 4.0;
    let max = bars.iter().map(|b| b.count).max().unwrap_or(0).max(1) as f64;
    let mut svg = open(title, bars, width, height);
    for (i, bar) in bars.iter().enumerate() {
        let y = i as f64 * row + 2.0;
        let w = (width - label_width - 48.0) * bar.count as f64 / max;
        let label: String = bar.label.chars().take(30).collect();
        svg.push_str(&format!(
            "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            label_width - 8.0,
            y + row * 0.7,
            xml_escape(&label)
        ));
        svg.push_str(&format!(
            "<rect class=\"bar\" x=\"{label_width:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{:.1}\"><title>{}: {}</title></rect>",
            row * 0.75,
            xml_escape(&bar.label),
            figure(bar.count)
        ));
        svg.push_str(&format!(
            "<text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            label_width + w + 6.0,
            y + row * 0.7,
            figure(bar.count)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// A count as the default theme's pages print it (its `number` filter): `12,500`.
fn figure(count: usize) -> String {
    crate::base::number::group_digits(count as i128, ",")
}

/// The opening of a chart: an accessible image whose description states every figure.
fn open(title: &str, bars: &[Bar], width: f64, height: f64) -> String {
    let description: Vec<String> = bars.iter().map(|b| format!("{}: {}", b.label, figure(b.count))).collect();
    format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" role=\"img\" \
         aria-label=\"{}\"><title>{}</title><desc>{}</desc>",
        xml_escape(title),
        xml_escape(title),
        xml_escape(&description.join("; "))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars() -> Vec<Bar> {
        vec![
            Bar { label: "A <&>".into(), count: 3, url: None },
            Bar { label: "B".into(), count: 0, url: None },
            Bar { label: "C".into(), count: 6, url: None },
        ]
    }

    #[test]
    fn charts_are_accessible_images_with_every_figure() {
        for svg in [columns("Per year", &bars()), rows("By sector", &bars())] {
            assert!(svg.starts_with("<svg class=\"chart\""), "{svg}");
            assert!(
                svg.contains("role=\"img\"") && svg.contains("<title>Per year</title>")
                    || svg.contains("<title>By sector</title>")
            );
            assert!(svg.contains("<desc>A &lt;&amp;&gt;: 3; B: 0; C: 6</desc>"), "{svg}");
            assert_eq!(svg.matches("<rect").count(), 3);
            assert!(svg.ends_with("</svg>"));
        }
    }

    #[test]
    fn charts_print_figures_as_the_pages_do() {
        let big = [Bar { label: "2025".into(), count: 12_500, url: None }];
        for svg in [columns("Per year", &big), rows("Per year", &big)] {
            assert!(svg.contains("<desc>2025: 12,500</desc>"), "{svg}");
            assert!(svg.contains("<title>2025: 12,500</title>"), "{svg}");
            assert!(!svg.contains("12500"), "{svg}");
        }
    }

    #[test]
    fn the_tallest_bar_fills_the_chart() {
        let svg = columns("x", &bars());
        assert!(svg.contains("height=\"148.0\""), "{svg}");
        assert!(svg.contains("height=\"0.0\""), "a zero is drawn as nothing, not skipped");
    }
}
