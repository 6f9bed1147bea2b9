//! Open data: every build publishes its incidents as JSON, CSV and STIX 2.1, with no server.
//!
//! The files are planned next to the pages (see [`crate::plan`]) and produced from the
//! loaded [`Site`] alone, never from the clock or the order files were found in: two builds of
//! the same content write the same bytes. The shapes are documented in docs/data.md.

pub mod csv;
pub mod fragments;
pub mod record;
pub mod stix;

use serde::Serialize;
use serde_json::json;

use crate::plan::DataFile;
use crate::site::Site;

/// The JSON Schema of `/api/incidents.json` and the per-incident files.
pub const SCHEMA: &str = include_str!("schema.json");

/// Pretty JSON with a final newline; serialization of these types cannot fail.
fn to_json(value: &impl Serialize) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Produces one data file; `fragments` are the build's serialized records and STIX objects.
pub fn render(
    site: &Site,
    stix: &stix::Context,
    fragments: &fragments::Fragments,
    file: DataFile,
) -> Vec<u8> {
    match file {
        DataFile::IncidentJson(i) => fragments.incident_json(site, i),
        DataFile::IncidentStix(i) => fragments.incident_stix(site, stix, i),
        DataFile::AllJson => fragments.all_json(site),
        DataFile::TaxonomyJson(t) => {
            let taxonomy = &site.taxonomies[t];
            let terms: Vec<_> = taxonomy
                .terms
                .iter()
                .map(|term| {
                    json!({
                        "name": term.name,
                        "key": term.key,
                        "slug": term.slug,
                        "count": term.incidents.len(),
                        "url": taxonomy.config.pages.then(|| site.base_url.permalink(&taxonomy.term_rel_path(&term.slug))),
                        "incidents": term.incidents.iter().map(|&i| site.incidents[i].slug.as_str()).collect::<Vec<_>>(),
                    })
                })
                .collect();
            to_json(&json!({
                "version": record::VERSION,
                "taxonomy": taxonomy.config.name,
                "title": taxonomy.config.title(),
                "field": taxonomy.config.field(),
                "url": taxonomy.config.pages.then(|| site.base_url.permalink(&taxonomy.rel_path())),
                "terms": terms,
            }))
        }
        DataFile::Schema => SCHEMA.as_bytes().to_vec(),
        DataFile::Csv => fragments.csv(site),
        DataFile::StixBundle => fragments.site_stix(site, stix),
    }
}
