//! The client-side search index: `/search-index.json`, read by the default theme's
//! `search.js`, so search works on any static host, offline, with no third-party service.
//!
//! Compact by design (one array per incident, fields named once) so it stays small at ten
//! thousand incidents; the body text is left out unless `search.body` is on.
//!
//! The pages of `pages/` are in it too, after the incidents, with `kind` telling them apart
//! (`"page"`, against `"incident"`): they have a title, an address, a summary (their
//! description) and a body, and every field an incident's facets read empty (`date` and
//! `year` none), so a search narrowed by a facet never finds them.

use serde_json::json;

use crate::site::Site;

/// The fields of each item, in order.
pub const FIELDS: [&str; 13] = [
    "title",
    "url",
    "date",
    "year",
    "severity",
    "country",
    "sectors",
    "victims",
    "location",
    "tags",
    "techniques",
    "summary",
    "kind",
];

/// Summaries are cut to this many characters: enough to recognize an incident in a list.
const SUMMARY_CHARS: usize = 200;

fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", text[..at].trim_end()),
        None => text.to_string(),
    }
}

/// The countries of the site's incidents as `(code, name)`, by name: the country filter's
/// choices, on the page and in the index.
pub fn countries(site: &Site) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = site
        .incidents
        .iter()
        .filter_map(|i| i.location.as_ref().and_then(|l| l.country.as_ref()))
        .map(|c| (c.code.clone(), c.name.clone()))
        .collect();
    all.sort_by(|a, b| a.1.cmp(&b.1));
    all.dedup();
    all
}

/// Produces the index.
pub fn render(site: &Site) -> Vec<u8> {
    let base = &site.base_url;
    let with_body = site.config.search.body;
    let items: Vec<serde_json::Value> = site
        .incidents
        .iter()
        .map(|i| {
            let join = |items: Vec<&str>| items.join("; ");
            let mut item = json!([
                i.title,
                base.url(&crate::config::urls::incident(&i.slug)),
                i.date.iso(),
                i.date.year(),
                i.severity.as_deref().unwrap_or(""),
                i.location.as_ref().and_then(|l| l.country.as_ref()).map_or("", |c| c.code.as_str()),
                join(i.victims.iter().filter_map(|v| v.sector.as_deref()).collect()),
                join(i.victims.iter().filter_map(|v| v.name.as_deref()).collect()),
                i.location.as_ref().map(|l| l.display()).unwrap_or_default(),
                join(i.tags.iter().map(String::as_str).collect()),
                i.techniques.iter().map(|t| t.label()).collect::<Vec<_>>().join("; "),
                cut(&i.summary_text, SUMMARY_CHARS),
                "incident",
            ]);
            if with_body && let Some(array) = item.as_array_mut() {
                array.push(json!(crate::content::markdown::plain_text(&i.content_html)));
            }
            item
        })
        .chain(site.pages.iter().map(|p| {
            let mut item = json!([
                p.title,
                base.url(&crate::config::urls::page(&p.slug)),
                null,
                null,
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                cut(p.summary(), SUMMARY_CHARS),
                "page",
            ]);
            if with_body && let Some(array) = item.as_array_mut() {
                array.push(json!(crate::content::markdown::plain_text(&p.content_html)));
            }
            item
        }))
        .collect();
    let mut fields: Vec<&str> = FIELDS.to_vec();
    if with_body {
        fields.push("body");
    }
    let countries: Vec<serde_json::Value> =
        countries(site).into_iter().map(|(code, name)| json!([code, name])).collect();
    let index = json!({
        "version": 1,
        "fields": fields,
        "severities": site.config.severities.iter().rev().map(|l| json!([l.name, l.label])).collect::<Vec<_>>(),
        "countries": countries,
        "items": items,
    });
    // Compact: no whitespace; this file is for the script, not for people.
    let mut bytes = serde_json::to_vec(&index).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}
