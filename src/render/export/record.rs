//! The JSON shape of an incident (version 1), shared by the per-incident file, the list of all
//! incidents and, flattened, the CSV. Documented in docs/data.md and described by
//! `/api/schema.json`; change it only with a new version number.
//!
//! Fields are declared in the order of their JSON keys (`type` where renamed), as are those of
//! [`crate::content::Impact`]: the files list keys sorted, and records are serialized directly,
//! not through a sorting JSON value. A test in `fragments.rs` compares both ways.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::content::Impact;
use crate::content::date::{IncidentDate, Precision};
use crate::content::incident::Incident;
use crate::site::Site;
use crate::site::taxonomy::display;

/// The version of the JSON shape.
pub const VERSION: u32 = 1;

/// A date with the precision it was written with.
#[derive(Debug, Serialize)]
pub struct DateRecord {
    /// `year`, `month`, `day` or `datetime`.
    pub precision: Precision,
    /// ISO 8601 at that precision: `2023`, `2023-07`, `2023-07-24`, `2023-07-24T09:30:00+02:00`.
    pub value: String,
}

impl From<&IncidentDate> for DateRecord {
    fn from(d: &IncidentDate) -> Self {
        DateRecord { value: d.iso(), precision: d.precision() }
    }
}

/// A country code and its name.
#[derive(Debug, Serialize)]
pub struct CountryRecord {
    /// ISO 3166-1 alpha-2.
    pub code: String,
    /// English short name.
    pub name: String,
}

/// A victim.
#[derive(Debug, Serialize)]
pub struct VictimRecord {
    /// Name.
    pub name: Option<String>,
    /// Sector.
    pub sector: Option<String>,
    /// Type (`municipality`, `hospital`…).
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// Where.
#[derive(Debug, Serialize)]
pub struct LocationRecord {
    /// City.
    pub city: Option<String>,
    /// Country.
    pub country: Option<CountryRecord>,
    /// Region.
    pub region: Option<String>,
}

/// An actor.
#[derive(Debug, Serialize)]
pub struct ActorRecord {
    /// Country.
    pub country: Option<CountryRecord>,
    /// Name.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// An ATT&CK technique or tactic.
#[derive(Debug, Serialize)]
pub struct TechniqueRecord {
    /// `T1566.001`
    pub id: String,
    /// Its name, when casebook knows it.
    pub name: Option<String>,
    /// Its page on attack.mitre.org.
    pub url: String,
}

/// A timeline event.
#[derive(Debug, Serialize)]
pub struct EventRecord {
    /// When.
    pub at: DateRecord,
    /// What happened (Markdown, as written).
    pub event: String,
}

/// A source.
#[derive(Debug, Serialize)]
pub struct SourceRecord {
    /// An archived copy of the page.
    pub archived_url: Option<String>,
    /// Date.
    pub date: Option<DateRecord>,
    /// Publisher.
    pub publisher: Option<String>,
    /// Title.
    pub title: String,
    /// URL.
    pub url: String,
}

/// An indicator, as written (not defanged: data is for tools).
#[derive(Debug, Serialize)]
pub struct IocRecord {
    /// A remark.
    pub note: Option<String>,
    /// `url`, `domain`, `ip`, `hash` or `email`.
    #[serde(rename = "type")]
    pub kind: crate::content::ioc::IocKind,
    /// The indicator.
    pub value: String,
}

/// A term of a taxonomy, as an incident carries it.
#[derive(Debug, Serialize)]
pub struct TermRecord {
    /// Name shown.
    pub name: String,
    /// URL segment.
    pub slug: String,
}

/// One incident, version 1.
#[derive(Debug, Serialize)]
pub struct IncidentRecord {
    /// Actors.
    pub actors: Vec<ActorRecord>,
    /// The rendered body, only with `exports.bodies: true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_html: Option<String>,
    /// Date.
    pub date: DateRecord,
    /// Impact: the same shape as in front matter.
    pub impact: Option<Impact>,
    /// Indicators of compromise.
    pub iocs: Vec<IocRecord>,
    /// This record as JSON (when the JSON export is on).
    pub json_url: Option<String>,
    /// `incident`, `outage`, `maintenance` or `notice`, when written.
    pub kind: Option<&'static str>,
    /// Location.
    pub location: Option<LocationRecord>,
    /// Motives.
    pub motives: Vec<String>,
    /// When it was resolved.
    pub resolved_at: Option<DateRecord>,
    /// Severity.
    pub severity: Option<String>,
    /// URL segment, unique in the site.
    pub slug: String,
    /// Sources.
    pub sources: Vec<SourceRecord>,
    /// Status.
    pub status: Option<String>,
    /// The incident's STIX bundle (when the STIX export is on).
    pub stix_url: Option<String>,
    /// Summary as plain text.
    pub summary: String,
    /// Summary as HTML.
    pub summary_html: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Every taxonomy's terms, by taxonomy name.
    pub taxonomies: BTreeMap<String, Vec<TermRecord>>,
    /// ATT&CK techniques and tactics.
    pub techniques: Vec<TechniqueRecord>,
    /// Timeline, in time order.
    pub timeline: Vec<EventRecord>,
    /// Title.
    pub title: String,
    /// Last update of the write-up.
    pub updated: Option<DateRecord>,
    /// The incident's page.
    pub url: String,
    /// Victims.
    pub victims: Vec<VictimRecord>,
}

fn country(c: Option<&crate::content::Country>) -> Option<CountryRecord> {
    c.map(|c| CountryRecord { code: c.code.clone(), name: c.name.clone() })
}

/// The record of one incident.
pub fn incident(site: &Site, incident: &Incident) -> IncidentRecord {
    let base = &site.base_url;
    let exports = &site.config.exports;
    let page = crate::config::urls::incident(&incident.slug);
    IncidentRecord {
        slug: incident.slug.clone(),
        url: base.permalink(&page),
        json_url: exports.json.then(|| base.permalink(&format!("{page}index.json"))),
        stix_url: exports.stix.then(|| base.permalink(&format!("{page}stix.json"))),
        title: incident.title.clone(),
        date: DateRecord::from(&incident.date),
        kind: incident.kind.map(crate::content::Kind::as_str),
        updated: incident.updated.as_ref().map(DateRecord::from),
        summary: incident.summary_text.clone(),
        summary_html: incident.summary_html.clone(),
        status: incident.status.clone(),
        resolved_at: incident.resolved_at.as_ref().map(DateRecord::from),
        severity: incident.severity.clone(),
        victims: incident
            .victims
            .iter()
            .map(|v| VictimRecord { name: v.name.clone(), sector: v.sector.clone(), kind: v.kind.clone() })
            .collect(),
        location: incident.location.as_ref().map(|l| LocationRecord {
            country: country(l.country.as_ref()),
            region: l.region.clone(),
            city: l.city.clone(),
        }),
        impact: incident.impact.clone(),
        motives: incident.motives.clone(),
        actors: incident
            .actors
            .iter()
            .map(|a| ActorRecord {
                name: a.name.clone(),
                kind: a.kind.clone(),
                country: country(a.country.as_ref()),
            })
            .collect(),
        techniques: incident
            .techniques
            .iter()
            .map(|t| TechniqueRecord { id: t.id.clone(), name: t.name.clone(), url: t.url.clone() })
            .collect(),
        timeline: incident
            .timeline
            .iter()
            .map(|e| EventRecord { at: DateRecord::from(&e.at), event: e.event.clone() })
            .collect(),
        sources: incident
            .sources
            .iter()
            .map(|s| SourceRecord {
                title: s.title.clone(),
                url: s.url.clone(),
                publisher: s.publisher.clone(),
                date: s.date.as_ref().map(DateRecord::from),
                archived_url: s.archived_url.clone(),
            })
            .collect(),
        iocs: incident
            .iocs
            .iter()
            .map(|i| IocRecord { kind: i.kind, value: i.value.clone(), note: i.note.clone() })
            .collect(),
        tags: incident.tags.clone(),
        taxonomies: site
            .taxonomies
            .iter()
            .enumerate()
            .map(|(index, t)| {
                // The site's taxonomies are the configuration's, in its order, as the lists are.
                let keys = incident.terms.get(index).map_or(&[][..], Vec::as_slice);
                let terms = keys
                    .iter()
                    .map(|k| TermRecord {
                        name: display(&site.config, t.config.field(), k),
                        slug: crate::base::slugify(k),
                    })
                    .collect();
                (t.config.name.clone(), terms)
            })
            .collect(),
        content_html: exports.bodies.then(|| incident.content_html.clone()),
    }
}
