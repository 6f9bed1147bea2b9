//! The SVG charts of the statistics and home pages, made at build time so readers need no
//! chart library (or any JavaScript).
//!
//! Charts are pure functions of labelled numbers. They are drawn without a `viewBox`: bars are
//! placed in percentages of the chart's width, and text in pixels, so that a chart fills a
//! phone's width or a desktop column while its text keeps the size the stylesheet gives it.
//! (A chart scaled as a picture had 6 px text on a phone.) Each bar with a page is a link to it,
//! named by its label and figure; pages print the same figures as a table beside the chart.

use std::fmt::Write as _;

use crate::base::xml_escape;
use crate::site::Bar;

/// Height of a column chart's plot, in pixels.
const PLOT: f64 = 150.0;
/// Room above the plot for the figures over the bars.
const TOP: f64 = 20.0;
/// Room below the plot for two lines of axis labels.
const BOTTOM: f64 = 40.0;
/// At most this many labels along a column chart's axis: at 12 px, a phone's width holds six
/// month names side by side.
const AXIS_LABELS: usize = 6;
/// Above this many columns, figures are not written over each bar (they would touch on a
/// phone); the links, the tooltips and the table still give each.
const FIGURES_OVER_BARS: usize = 16;

/// A vertical bar chart (for time series): every bar in order, the axis labelled every few
/// bars (a label `Mar 2024` as `Mar` over `2024`, the year written when it changes), gridlines
/// at round figures. `separator` groups digits as the page's language does.
pub fn columns(title: &str, bars: &[Bar], separator: &str) -> String {
    // Room for a second line of labels only when labels have one (`Mar 2024`, not `2024`).
    let two_lines = bars.iter().any(|b| b.label.contains(' '));
    let height = TOP + PLOT + if two_lines { BOTTOM } else { BOTTOM - 17.0 };
    let max = bars.iter().map(|b| b.count).max().unwrap_or(0);
    let (step, top) = scale(max);
    let slot = 100.0 / bars.len().max(1) as f64;
    let every = bars.len().div_ceil(AXIS_LABELS).max(1);
    let y = |count: usize| TOP + PLOT - PLOT * count as f64 / top as f64;
    let mut svg = open(title, bars, height, "columns", separator);
    let mut tick = 0;
    while tick <= top {
        let at = y(tick);
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"0\" x2=\"100%\" y1=\"{at:.1}\" y2=\"{at:.1}\"/>\
             <text class=\"tick\" x=\"0\" y=\"{:.1}\">{}</text>",
            at - 3.0,
            figure(tick, separator)
        );
        tick += step;
    }
    let mut last_year = "";
    for (i, bar) in bars.iter().enumerate() {
        let x = i as f64 * slot + slot * 0.15;
        let top_of_bar = y(bar.count);
        // The link is the bar's whole slot, not only the bar: a short bar is a target too.
        let shape = format!(
            "<rect class=\"hit\" x=\"{:.3}%\" y=\"{TOP:.1}\" width=\"{slot:.3}%\" height=\"{PLOT:.1}\"/>\
             <rect class=\"bar\" x=\"{x:.3}%\" y=\"{top_of_bar:.1}\" width=\"{:.3}%\" height=\"{:.1}\"{}/>",
            i as f64 * slot,
            slot * 0.7,
            TOP + PLOT - top_of_bar,
            fill(bar)
        );
        svg.push_str(&linked(bar, &shape, separator));
        if bars.len() <= FIGURES_OVER_BARS && bar.count > 0 {
            let _ = write!(
                svg,
                "<text class=\"value\" x=\"{:.3}%\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x + slot * 0.35,
                top_of_bar - 5.0,
                figure(bar.count, separator)
            );
        }
        if i % every == 0 {
            // Labels start at their bar and run right over the bars up to the next label,
            // which at the narrowest width is room for one (see AXIS_LABELS).
            let (first, year) = bar.label.rsplit_once(' ').unwrap_or((bar.label.as_str(), ""));
            let _ = write!(
                svg,
                "<text class=\"axis\" x=\"{x:.3}%\" y=\"{:.1}\">{}</text>",
                TOP + PLOT + 16.0,
                xml_escape(first)
            );
            if !year.is_empty() && year != last_year {
                let _ = write!(
                    svg,
                    "<text class=\"axis\" x=\"{x:.3}%\" y=\"{:.1}\">{}</text>",
                    TOP + PLOT + 33.0,
                    xml_escape(year)
                );
                last_year = year;
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A horizontal bar chart (for categories): one row per bar, its label above the bar and its
/// figure after it, the label whole whatever the width.
pub fn rows(title: &str, bars: &[Bar], separator: &str) -> String {
    let row = 38.0_f64;
    let height = row * bars.len().max(1) as f64;
    let max = bars.iter().map(|b| b.count).max().unwrap_or(0).max(1) as f64;
    let mut svg = open(title, bars, height, "rows", separator);
    for (i, bar) in bars.iter().enumerate() {
        let y = i as f64 * row;
        // The longest bar leaves room for its figure after it, on a phone too.
        let w = 85.0 * bar.count as f64 / max;
        // The link is the whole row, label and figure included; the texts are drawn over it,
        // outside the link, so that the link's name is the one `linked` gives it.
        let shape = format!(
            "<rect class=\"hit\" x=\"0\" y=\"{y:.1}\" width=\"100%\" height=\"{row:.1}\"/>\
             <rect class=\"bar\" x=\"0\" y=\"{:.1}\" width=\"{w:.3}%\" height=\"14\"{}/>",
            y + 19.0,
            fill(bar),
        );
        svg.push_str(&linked(bar, &shape, separator));
        let _ = write!(
            svg,
            "<text class=\"label\" x=\"0\" y=\"{:.1}\">{}</text>\
             <text class=\"value\" x=\"{w:.3}%\" dx=\"6\" y=\"{:.1}\">{}</text>",
            y + 14.0,
            xml_escape(&bar.label),
            y + 31.0,
            figure(bar.count, separator)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The step between gridlines and the top of the scale for a largest figure of `max`: a round
/// step (1, 2 or 5 times a power of ten) giving at most four lines above zero.
fn scale(max: usize) -> (usize, usize) {
    let mut power = 1;
    loop {
        for step in [power, power * 2, power * 5] {
            if max.div_ceil(step) <= 4 {
                let top = max.div_ceil(step).max(1) * step;
                return (step, top);
            }
        }
        power *= 10;
    }
}

/// A bar's own color (a severity's), as a style the stylesheet's default gives way to.
fn fill(bar: &Bar) -> String {
    match &bar.color {
        Some(color) => format!(" style=\"fill: {}\"", xml_escape(color)),
        None => String::new(),
    }
}

/// `shape` wrapped in a link to the bar's page, named by its label and figure, when it has one.
fn linked(bar: &Bar, shape: &str, separator: &str) -> String {
    let name = xml_escape(&format!("{}: {}", bar.label, figure(bar.count, separator)));
    match &bar.url {
        Some(url) => {
            format!("<a href=\"{}\" aria-label=\"{name}\"><title>{name}</title>{shape}</a>", xml_escape(url))
        }
        None => format!("<g><title>{name}</title>{shape}</g>"),
    }
}

/// A count as the pages print it (their `number` filter): `12,500`.
fn figure(count: usize, separator: &str) -> String {
    crate::base::number::group_digits(count as i128, separator)
}

/// The opening of a chart: a titled graphic whose description states every figure (the bars
/// are links, so it is no single image to screen readers).
fn open(title: &str, bars: &[Bar], height: f64, kind: &str, separator: &str) -> String {
    let description: Vec<String> =
        bars.iter().map(|b| format!("{}: {}", b.label, figure(b.count, separator))).collect();
    format!(
        "<svg class=\"chart chart-{kind}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" height=\"{height}\" \
         aria-label=\"{}\"><title>{}</title><desc>{}</desc>",
        xml_escape(title),
        xml_escape(title),
        xml_escape(&description.join("; "))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, count: usize, url: Option<&str>) -> Bar {
        Bar { label: label.into(), key: label.into(), count, url: url.map(str::to_string), color: None }
    }

    fn bars() -> Vec<Bar> {
        vec![bar("A <&>", 3, None), bar("B", 0, None), bar("C", 6, Some("/c/"))]
    }

    #[test]
    fn charts_are_titled_graphics_stating_every_figure() {
        for svg in [columns("Per year", &bars(), ","), rows("By sector", &bars(), ",")] {
            assert!(svg.starts_with("<svg class=\"chart chart-"), "{svg}");
            assert!(svg.contains("<title>Per year</title>") || svg.contains("<title>By sector</title>"));
            assert!(svg.contains("<desc>A &lt;&amp;&gt;: 3; B: 0; C: 6</desc>"), "{svg}");
            assert_eq!(svg.matches("<rect class=\"bar\"").count(), 3);
            assert!(!svg.contains("viewBox"), "drawn at the page's width, text at its own size");
            assert!(svg.ends_with("</svg>"));
        }
    }

    #[test]
    fn bars_with_a_page_are_links_named_by_their_figure() {
        for svg in [columns("x", &bars(), ","), rows("x", &bars(), ",")] {
            assert!(svg.contains("<a href=\"/c/\" aria-label=\"C: 6\"><title>C: 6</title>"), "{svg}");
            assert_eq!(svg.matches("<a ").count(), 1, "a bar without a page is no link");
        }
    }

    #[test]
    fn charts_print_figures_as_the_pages_do() {
        let big = [bar("2025", 12_500, None)];
        for svg in [columns("Per year", &big, ","), rows("Per year", &big, ",")] {
            assert!(svg.contains("<desc>2025: 12,500</desc>"), "{svg}");
            assert!(svg.contains("<title>2025: 12,500</title>"), "{svg}");
            assert!(!svg.contains("12500"), "{svg}");
        }
        let french = columns("Par an", &big, "\u{202f}");
        assert!(french.contains("12\u{202f}500"), "{french}");
    }

    #[test]
    fn severities_keep_their_colors() {
        let high = [Bar { color: Some("#c62828".into()), ..bar("High", 2, None) }];
        assert!(rows("x", &high, ",").contains("style=\"fill: #c62828\""));
        assert!(columns("x", &high, ",").contains("style=\"fill: #c62828\""));
    }

    #[test]
    fn gridlines_fall_on_round_figures() {
        assert_eq!(scale(0), (1, 1));
        assert_eq!(scale(3), (1, 3));
        assert_eq!(scale(6), (2, 6));
        assert_eq!(scale(7), (2, 8));
        assert_eq!(scale(19), (5, 20));
        assert_eq!(scale(230), (100, 300));
        let svg = columns("x", &bars(), ",");
        // 0, 2, 4 and 6 for a largest figure of 6; the tallest bar fills the plot.
        assert_eq!(svg.matches("class=\"tick\"").count(), 4, "{svg}");
        assert!(svg.contains(&format!("height=\"{PLOT:.1}\"")), "{svg}");
        assert!(svg.contains("height=\"0.0\""), "a zero is drawn as nothing, not skipped");
    }

    #[test]
    fn the_axis_writes_each_year_once() {
        let months: Vec<Bar> =
            ["Nov 2023", "Dec 2023", "Jan 2024", "Feb 2024"].iter().map(|l| bar(l, 1, None)).collect();
        let svg = columns("x", &months, ",");
        assert_eq!(svg.matches(">2023</text>").count(), 1, "{svg}");
        assert_eq!(svg.matches(">2024</text>").count(), 1, "{svg}");
        assert!(svg.contains(">Jan</text>"), "{svg}");
    }
}
