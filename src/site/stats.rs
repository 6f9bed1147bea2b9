//! Statistics of a site and the SVG charts that show them, made at build time so readers need
//! no chart library (or any JavaScript) — plus the ATT&CK matrix of the techniques used.
//!
//! Charts are pure functions of labelled numbers. Each is an accessible image (`role="img"`,
//! a title and a description) and pages print the same figures as a table beside it.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::base::escape::xml_escape;
use crate::site::Site;

/// A labelled count, linked to its page when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bar {
    /// What is counted: `2023`, `Mar 2024`, `France`.
    pub label: String,
    /// How many incidents.
    pub count: usize,
    /// The page listing them.
    pub url: Option<String>,
}

/// The site's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// Incidents in all.
    pub total: usize,
    /// Per year, oldest first.
    pub per_year: Vec<Bar>,
    /// Per month over the 24 months up to the newest incident, oldest first.
    pub per_month: Vec<Bar>,
    /// Per sector, most first.
    pub by_sector: Vec<Bar>,
    /// Per country, most first.
    pub by_country: Vec<Bar>,
    /// Per severity, most severe first.
    pub by_severity: Vec<Bar>,
    /// The 15 techniques most incidents use.
    pub top_techniques: Vec<Bar>,
}

const SHORT_MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

fn most_first(counts: HashMap<String, (usize, Option<String>)>, limit: usize) -> Vec<Bar> {
    let mut bars: Vec<Bar> =
        counts.into_iter().map(|(label, (count, url))| Bar { label, count, url }).collect();
    bars.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    bars.truncate(limit);
    bars
}

/// Bars for a taxonomy reading `fields`, most incidents first.
fn from_taxonomy(site: &Site, fields: &[&str], limit: usize) -> Vec<Bar> {
    let Some(t) = site.taxonomies.iter().find(|t| fields.contains(&t.config.field())) else {
        return Vec::new();
    };
    let counts = t
        .terms
        .iter()
        .map(|term| {
            let url = t.config.pages.then(|| site.base_url.url(&t.term_rel_path(&term.slug)));
            (term.name.clone(), (term.incidents.len(), url))
        })
        .collect();
    most_first(counts, limit)
}

impl Stats {
    /// Computes the figures of `site`.
    pub fn new(site: &Site) -> Stats {
        let base = &site.base_url;
        let per_year = site
            .archive
            .iter()
            .rev()
            .map(|y| Bar {
                label: y.year.to_string(),
                count: y.incidents.len(),
                url: Some(base.url(&format!("archive/{}/", y.year))),
            })
            .collect();
        // The 24 months ending with the newest incident's (incidents known only by year are
        // left out: they have no month).
        let mut by_month: BTreeMap<(i16, i8), usize> = BTreeMap::new();
        for incident in &site.incidents {
            if let Some(m) = incident.date.month() {
                *by_month.entry((incident.date.year(), m)).or_default() += 1;
            }
        }
        let mut per_month = Vec::new();
        if let Some(&(mut year, mut month)) = by_month.keys().next_back() {
            for _ in 0..24 {
                let count = by_month.get(&(year, month)).copied().unwrap_or(0);
                let label = format!("{} {year}", SHORT_MONTHS[(month - 1) as usize]);
                let url = (count > 0).then(|| base.url(&format!("archive/{year}/{month:02}/")));
                per_month.push(Bar { label, count, url });
                (year, month) = if month == 1 { (year - 1, 12) } else { (year, month - 1) };
            }
            per_month.reverse();
        }
        let severity_taxonomy = site.taxonomies.iter().find(|t| t.config.field() == "severity");
        let by_severity = site
            .config
            .severities
            .iter()
            .rev()
            .map(|level| {
                let count = site
                    .incidents
                    .iter()
                    .filter(|i| i.severity.as_deref() == Some(level.name.as_str()))
                    .count();
                let url = severity_taxonomy
                    .filter(|t| t.config.pages && count > 0)
                    .map(|t| base.url(&t.term_rel_path(&crate::base::slug::slugify(&level.name))));
                Bar { label: level.label.clone(), count, url }
            })
            .collect();
        Stats {
            total: site.incidents.len(),
            per_year,
            per_month,
            by_sector: from_taxonomy(site, &["victims.sector", "victim.sector"], 12),
            by_country: from_taxonomy(site, &["location.country"], 12),
            by_severity,
            top_techniques: from_taxonomy(site, &["techniques"], 15),
        }
    }
}

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
    crate::render::filters::group_digits(count as i128, ",")
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

/// One cell of the ATT&CK matrix.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixCell {
    /// `T1566.001`
    pub id: String,
    /// `T1566.001 Spearphishing Attachment`
    pub label: String,
    /// Incidents using it.
    pub count: usize,
    /// Shade from 1 (few incidents) to 4 (the most), for the cell's class.
    pub shade: usize,
    /// Its term page.
    pub url: Option<String>,
}

/// A column of the matrix.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixColumn {
    /// `TA0001`
    pub id: String,
    /// `Initial Access`
    pub name: String,
    /// The techniques the site's incidents use under this tactic, most used first.
    pub techniques: Vec<MatrixCell>,
}

/// The ATT&CK matrix of the techniques the site's incidents use: tactics in kill-chain order as
/// columns, each technique under each of its tactics.
pub fn matrix(site: &Site) -> Vec<MatrixColumn> {
    let taxonomy = site.taxonomies.iter().find(|t| t.config.field() == "techniques");
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for incident in &site.incidents {
        for t in incident.techniques.iter().filter(|t| !t.tactic) {
            *counts.entry(t.id.as_str()).or_default() += 1;
        }
    }
    let max = counts.values().copied().max().unwrap_or(1);
    let tactics = crate::content::attack::entries().iter().filter(|e| e.id.starts_with("TA"));
    tactics
        .map(|tactic| {
            let mut techniques: Vec<MatrixCell> = counts
                .iter()
                .filter_map(|(&id, &count)| {
                    let entry = crate::content::attack::lookup(id)?;
                    entry.tactic_ids().any(|t| t == tactic.id).then(|| MatrixCell {
                        id: id.to_string(),
                        label: format!("{id} {}", entry.name),
                        count,
                        shade: (count * 4).div_ceil(max).clamp(1, 4),
                        url: taxonomy
                            .filter(|t| t.config.pages)
                            .map(|t| site.base_url.url(&t.term_rel_path(&crate::base::slug::slugify(id)))),
                    })
                })
                .collect();
            techniques.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.id.cmp(&b.id)));
            MatrixColumn { id: tactic.id.to_string(), name: tactic.name.to_string(), techniques }
        })
        .collect()
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
