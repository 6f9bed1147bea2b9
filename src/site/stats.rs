//! Statistics of a site — counts per year, month, sector, country, severity and technique —
//! and the ATT&CK matrix of the techniques used. Numbers only: `render/charts.rs` draws them.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

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
                url: Some(base.url(&crate::config::urls::archive_year(y.year))),
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
                let url = (count > 0).then(|| base.url(&crate::config::urls::archive_month(year, month)));
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
                    .map(|t| base.url(&t.term_rel_path(&crate::base::slugify(&level.name))));
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
                            .map(|t| site.base_url.url(&t.term_rel_path(&crate::base::slugify(id)))),
                    })
                })
                .collect();
            techniques.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.id.cmp(&b.id)));
            MatrixColumn { id: tactic.id.to_string(), name: tactic.name.to_string(), techniques }
        })
        .collect()
}
