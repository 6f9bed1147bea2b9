//! Statistics of a site — counts per year, month, sector, country, severity and technique —
//! and the ATT&CK matrix of the techniques used. Numbers only: `render/charts.rs` draws them.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::site::Site;

/// A labelled count, linked to its page when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bar {
    /// What is counted, as shown: `2023`, `Mar 2024`, `France`.
    pub label: String,
    /// What is counted, for machines: `2023`, `2024-03`, `FR`, `high`, `outage`.
    pub key: String,
    /// How many incidents.
    pub count: usize,
    /// The page listing them; none when there is none, or nothing on it (a count of 0).
    pub url: Option<String>,
    /// A CSS color for the bar: a severity's own.
    pub color: Option<String>,
}

impl Bar {
    fn new(label: String, key: String, count: usize, url: Option<String>) -> Bar {
        Bar { label, key, count, url: url.filter(|_| count > 0), color: None }
    }
}

/// The site's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// Incidents in all.
    pub total: usize,
    /// Per year, oldest first, every year from the first incident's to the last one's (years
    /// without incidents count 0, so the axis never skips one).
    pub per_year: Vec<Bar>,
    /// Per month over the 24 months up to the build's, oldest first; empty when none of them
    /// has an incident.
    pub per_month: Vec<Bar>,
    /// Per sector, most first.
    pub by_sector: Vec<Bar>,
    /// Per country, most first.
    pub by_country: Vec<Bar>,
    /// Per severity, most severe first, each in its color.
    pub by_severity: Vec<Bar>,
    /// Per kind (outage, maintenance…), in that order, the kinds the site has.
    pub by_kind: Vec<Bar>,
    /// The 15 techniques most incidents use (tactics left out).
    pub top_techniques: Vec<Bar>,
    /// The median time from start to resolution, in minutes, of the incidents (outages
    /// included, maintenance and notices not) whose start and resolution are both instants
    /// (what a status page or post-mortem records).
    pub median_minutes_to_resolve: Option<i64>,
    /// How many incidents that median is of.
    pub resolved_timed: usize,
}

/// The English short names of months: the statistics' labels until the theme gives them in
/// the site's language.
const SHORT_MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

fn most_first(mut bars: Vec<Bar>, limit: usize) -> Vec<Bar> {
    bars.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    bars.truncate(limit);
    bars
}

/// Bars for a taxonomy reading `fields`, most incidents first; terms `keep` refuses left out.
fn from_taxonomy(site: &Site, fields: &[&str], limit: usize, keep: fn(&str) -> bool) -> Vec<Bar> {
    let Some(t) = site.taxonomies.iter().find(|t| fields.contains(&t.config.field())) else {
        return Vec::new();
    };
    let bars = t
        .terms
        .iter()
        .filter(|term| keep(&term.key))
        .map(|term| {
            let url = t.config.pages.then(|| site.base_url.url(&t.term_rel_path(&term.slug)));
            Bar::new(term.name.clone(), term.key.clone(), term.incidents.len(), url)
        })
        .collect();
    most_first(bars, limit)
}

/// The year and month (1-12) of a moment, in UTC.
fn month_of(seconds: i64) -> (i16, i8) {
    let stamp = crate::content::date::utc_stamp(seconds, "");
    let year = stamp.get(..4).and_then(|y| y.parse().ok()).unwrap_or(1970);
    let month = stamp.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    (year, month)
}

impl Stats {
    /// Computes the figures of `site`.
    pub fn new(site: &Site) -> Stats {
        let base = &site.base_url;
        let mut per_year = Vec::new();
        if let (Some(last), Some(first)) = (site.archive.first(), site.archive.last()) {
            let counts: HashMap<i16, usize> =
                site.archive.iter().map(|y| (y.year, y.incidents.len())).collect();
            for year in first.year..=last.year {
                let count = counts.get(&year).copied().unwrap_or(0);
                let url = base.url(&crate::config::urls::archive_year(year));
                per_year.push(Bar::new(year.to_string(), year.to_string(), count, Some(url)));
            }
        }
        // The 24 months ending with the build's (incidents known only by year are left out:
        // they have no month). An archive of old incidents has none of them: no chart then.
        let mut by_month: BTreeMap<(i16, i8), usize> = BTreeMap::new();
        for incident in &site.incidents {
            if let Some(m) = incident.date.month() {
                *by_month.entry((incident.date.year(), m)).or_default() += 1;
            }
        }
        let mut per_month = Vec::new();
        let (mut year, mut month) = month_of(site.now);
        for _ in 0..24 {
            let count = by_month.get(&(year, month)).copied().unwrap_or(0);
            let label = format!("{} {year}", SHORT_MONTHS[(month - 1) as usize]);
            let url = base.url(&crate::config::urls::archive_month(year, month));
            per_month.push(Bar::new(label, format!("{year:04}-{month:02}"), count, Some(url)));
            (year, month) = if month == 1 { (year - 1, 12) } else { (year, month - 1) };
        }
        per_month.reverse();
        if per_month.iter().all(|b| b.count == 0) {
            per_month.clear();
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
                    .filter(|t| t.config.pages)
                    .map(|t| base.url(&t.term_rel_path(&crate::base::slugify(&level.name))));
                Bar {
                    color: level.color.clone(),
                    ..Bar::new(level.label.clone(), level.name.clone(), count, url)
                }
            })
            .collect();
        // An incident that does not say is of the kind the site is about.
        let by_kind = crate::content::Kind::ALL
            .iter()
            .map(|&kind| {
                let of_kind = |i: &&std::sync::Arc<crate::content::incident::Incident>| {
                    i.kind.unwrap_or(crate::content::Kind::Incident) == kind
                };
                let count = site.incidents.iter().filter(of_kind).count();
                Bar::new(kind.as_str().to_string(), kind.as_str().to_string(), count, None)
            })
            .filter(|b| b.count > 0)
            .collect();
        // Planned work and notices are over when planned: no time to resolve.
        let mut minutes: Vec<i64> = site
            .incidents
            .iter()
            .filter(|i| {
                !matches!(i.kind, Some(crate::content::Kind::Maintenance | crate::content::Kind::Notice))
            })
            .filter_map(|i| crate::content::date::minutes_between(&i.date, i.resolved_at.as_ref()?))
            .collect();
        minutes.sort_unstable();
        Stats {
            median_minutes_to_resolve: minutes.get(minutes.len() / 2).copied(),
            resolved_timed: minutes.len(),
            total: site.incidents.len(),
            per_year,
            per_month,
            by_sector: from_taxonomy(site, &["victims.sector", "victim.sector"], 12, |_| true),
            by_country: from_taxonomy(site, &["location.country"], 12, |_| true),
            by_severity,
            by_kind,
            top_techniques: from_taxonomy(site, &["techniques"], 15, |id| !id.starts_with("TA")),
        }
    }
}

/// One cell of the ATT&CK matrix: a technique, with the sub-techniques of it the site uses.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixCell {
    /// `T1566.001`
    pub id: String,
    /// `Spearphishing Attachment`
    pub name: String,
    /// `T1566.001 Spearphishing Attachment`
    pub label: String,
    /// Incidents citing it: for a technique, those citing it or any of its sub-techniques.
    pub count: usize,
    /// Shade from 1 (few incidents) to 4 (the most), for the cell's class; 0 for none.
    pub shade: usize,
    /// Its term page, when it has one (a technique cited only through its sub-techniques has
    /// none).
    pub url: Option<String>,
    /// Its page on attack.mitre.org.
    pub attack_url: String,
    /// The sub-techniques of it the site's incidents use, most used first (none for a
    /// sub-technique).
    pub subtechniques: Vec<MatrixCell>,
}

/// A column of the matrix.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixColumn {
    /// `TA0001`
    pub id: String,
    /// `Initial Access`
    pub name: String,
    /// The techniques the site's incidents use under this tactic, most used first, each with
    /// its sub-techniques.
    pub techniques: Vec<MatrixCell>,
}

/// The page of an ATT&CK id on attack.mitre.org.
fn attack_url(id: &str) -> String {
    crate::content::attack::parse(id)
        .map(|(id, kind)| crate::content::attack::url(&id, kind))
        .unwrap_or_default()
}

/// The ATT&CK matrix of the techniques the site's incidents use: tactics in kill-chain order as
/// columns, each technique under each of its tactics, its sub-techniques nested under it.
pub fn matrix(site: &Site) -> Vec<MatrixColumn> {
    let taxonomy = site.taxonomies.iter().find(|t| t.config.field() == "techniques" && t.config.pages);
    // Incidents citing each id, and each technique through itself or its sub-techniques.
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut families: HashMap<&str, usize> = HashMap::new();
    for incident in &site.incidents {
        let mut seen = std::collections::HashSet::new();
        for t in incident.techniques.iter().filter(|t| !t.tactic) {
            *counts.entry(t.id.as_str()).or_default() += 1;
            let parent = t.id.split('.').next().unwrap_or(&t.id);
            if seen.insert(parent) {
                *families.entry(parent).or_default() += 1;
            }
        }
    }
    let max = families.values().copied().max().unwrap_or(1);
    let shade = |count: usize| if count == 0 { 0 } else { (count * 4).div_ceil(max).clamp(1, 4) };
    let cell = |id: &str, count: usize, subtechniques: Vec<MatrixCell>| {
        let name = crate::content::attack::lookup(id).map_or("", |e| e.name);
        MatrixCell {
            id: id.to_string(),
            name: name.to_string(),
            label: format!("{id} {name}").trim_end().to_string(),
            count,
            shade: shade(count),
            url: taxonomy
                .filter(|_| counts.contains_key(id))
                .map(|t| site.base_url.url(&t.term_rel_path(&crate::base::slugify(id)))),
            attack_url: attack_url(id),
            subtechniques,
        }
    };
    let most_first = |cells: &mut Vec<MatrixCell>| {
        cells.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.id.cmp(&b.id)));
    };
    let tactics = crate::content::attack::entries().iter().filter(|e| e.id.starts_with("TA"));
    tactics
        .map(|tactic| {
            let under = |id: &str| {
                crate::content::attack::lookup(id).is_some_and(|e| e.tactic_ids().any(|t| t == tactic.id))
            };
            let mut techniques: Vec<MatrixCell> = families
                .iter()
                .filter(|&(&parent, _)| {
                    under(parent)
                        || counts.keys().any(|id| id.starts_with(&format!("{parent}.")) && under(id))
                })
                .map(|(&parent, &family)| {
                    let mut subs: Vec<MatrixCell> = counts
                        .iter()
                        .filter(|&(id, _)| id.starts_with(&format!("{parent}.")) && under(id))
                        .map(|(&id, &count)| cell(id, count, Vec::new()))
                        .collect();
                    most_first(&mut subs);
                    cell(parent, family, subs)
                })
                .filter(|c| crate::content::attack::lookup(&c.id).is_some() || !c.subtechniques.is_empty())
                .collect();
            most_first(&mut techniques);
            MatrixColumn { id: tactic.id.to_string(), name: tactic.name.to_string(), techniques }
        })
        .collect()
}
