//! What templates see of an incident: every field of the model, ready to show — dates in
//! words, country names, severity labels and colors, defanged indicators, and a URL for every
//! term that has a page.
//!
//! An incident's view is built once per build, with only the fields the theme's templates name
//! ([`Fields`]), and shared by every page that lists it.

use serde::Serialize;
use tera::Value;

use crate::base::slugify;
use crate::config::Level as ScaleLevel;
use crate::config::urls;
use crate::content::date::DateView;
use crate::content::incident::Incident;
use crate::site::Site;
use crate::site::taxonomy::display;

/// A link to a term: what incidents show for each of their terms.
#[derive(Serialize)]
pub struct TermRef {
    /// The name shown.
    pub name: String,
    /// The term's slug.
    pub slug: String,
    /// Its page, or none when the taxonomy has no pages.
    pub url: Option<String>,
}

#[derive(Serialize)]
struct ScaleView<'a> {
    name: &'a str,
    label: &'a str,
    color: Option<&'a str>,
    /// 1 for the first step of the scale.
    rank: usize,
    url: Option<String>,
}

#[derive(Serialize)]
struct CountryView<'a> {
    code: &'a str,
    name: String,
    url: Option<String>,
}

#[derive(Serialize)]
struct VictimView<'a> {
    name: Option<&'a str>,
    /// The victim's page, when a taxonomy with pages reads victims' names.
    url: Option<String>,
    sector: Option<TermRef>,
    /// In words: `agglomeration-community` as `Agglomeration community`.
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Serialize)]
struct LocationView<'a> {
    country: Value,
    region: Option<&'a str>,
    city: Option<&'a str>,
    /// `Angoulême, Nouvelle-Aquitaine, France`
    display: String,
}

#[derive(Serialize)]
struct ActorView<'a> {
    name: &'a str,
    /// In words: `nation-state` as `Nation state`.
    #[serde(rename = "type")]
    kind: Option<String>,
    country: Option<CountryView<'a>>,
    url: Option<String>,
}

#[derive(Serialize)]
struct TechniqueView<'a> {
    id: &'a str,
    name: Option<&'a str>,
    /// `T1566.001 Spearphishing Attachment`
    label: String,
    /// Its page on attack.mitre.org.
    attack_url: &'a str,
    /// Its term page on this site, if techniques have pages.
    url: Option<String>,
    tactic: bool,
}

#[derive(Serialize)]
struct SourceView<'a> {
    title: &'a str,
    url: &'a str,
    publisher: Option<&'a str>,
    date: Option<DateView>,
    archived_url: Option<&'a str>,
}

#[derive(Serialize)]
struct IocView<'a> {
    #[serde(rename = "type")]
    kind: String,
    /// As written: for copying into tools. Never print it where it could become a link.
    value: &'a str,
    /// Safe to show: `hxxps://evil[.]example`.
    defanged: String,
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct DataLinks {
    json: Option<String>,
    stix: Option<String>,
}

/// Finds the term page of a value of a field, through whichever taxonomy reads that field.
struct Terms<'s> {
    site: &'s Site,
    /// The language country names are written in.
    language: &'s str,
}

impl Terms<'_> {
    fn url(&self, fields: &[&str], key: &str) -> Option<String> {
        let taxonomy =
            self.site.taxonomies.iter().find(|t| t.config.pages && fields.contains(&t.config.field()))?;
        Some(self.site.base_url.url(&taxonomy.term_rel_path(&slugify(key))))
    }

    fn term(&self, fields: &[&str], key: &str) -> TermRef {
        TermRef {
            name: display(&self.site.config, fields[0], key),
            slug: slugify(key),
            url: self.url(fields, key),
        }
    }

    fn scale<'a>(&self, field: &str, scale: &'a [ScaleLevel], name: Option<&str>) -> Option<ScaleView<'a>> {
        let (rank, level) = scale.iter().enumerate().find(|(_, l)| Some(l.name.as_str()) == name)?;
        Some(ScaleView {
            name: &level.name,
            label: &level.label,
            color: level.color.as_deref(),
            rank: rank + 1,
            url: self.url(&[field], &level.name),
        })
    }

    fn country<'a>(
        &self,
        fields: &[&str],
        country: Option<&'a crate::content::Country>,
    ) -> Option<CountryView<'a>> {
        country.map(|c| CountryView {
            code: &c.code,
            name: crate::content::Country::name_in(&c.code, self.language),
            url: self.url(fields, &c.code),
        })
    }
}

/// The link to an incident's original, when it is a copy of a write-up published elsewhere
/// (a post-mortem, a status page's notice): `{url, host}`.
#[derive(Serialize)]
struct Original {
    url: String,
    /// `github.blog`: what the link is shown as.
    host: String,
}

/// An incident's original: `extra.original_url`, else `extra.url` (where `casebook import
/// frontmatter` keeps a post-mortem's `url:` unless it is mapped to the sources), when it is
/// an absolute http(s) address. Sources are the references of a write-up; this is the one
/// document the page is a copy of, so it is never guessed from them.
fn original(incident: &Incident) -> Option<Original> {
    let url = ["original_url", "url"].iter().find_map(|key| {
        incident.extra.get(*key).and_then(|v| v.as_str()).filter(|u| crate::content::is_web_url(u))
    })?;
    let host = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = host.split(['/', '?', '#']).next().unwrap_or(host);
    let host = host.strip_prefix("www.").unwrap_or(host);
    Some(Original { url: url.to_string(), host: host.to_string() })
}

/// One of `facts:` on an incident: `{key, title, value, url}`, `url` set when the value is a
/// web address.
#[derive(Serialize)]
struct Fact<'a> {
    key: &'a str,
    title: &'a str,
    value: String,
    url: Option<String>,
}

/// The incident's values for the `extra` keys a site shows as facts, in the configured order:
/// text, numbers and yes/no as written, a list of them joined with commas; maps and empty
/// values are left out.
fn facts<'a>(incident: &Incident, wanted: &'a [crate::config::Fact]) -> Vec<Fact<'a>> {
    fn scalar(value: &serde_yaml::Value) -> Option<String> {
        match value {
            serde_yaml::Value::String(s) => Some(s.clone()),
            serde_yaml::Value::Number(n) => Some(n.to_string()),
            serde_yaml::Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    wanted
        .iter()
        .filter_map(|fact| {
            let value = incident.extra.get(fact.key.as_str())?;
            let text = match value {
                serde_yaml::Value::Sequence(items) => {
                    items.iter().filter_map(scalar).collect::<Vec<_>>().join(", ")
                }
                other => scalar(other)?,
            };
            let text = text.trim().to_string();
            (!text.is_empty()).then(|| Fact {
                key: &fact.key,
                title: &fact.title,
                url: crate::content::is_web_url(&text).then(|| text.clone()),
                value: text,
            })
        })
        .collect()
}

/// The path of the archive page of an incident's month (or year, when the month is unknown).
pub fn archive_path(incident: &Incident) -> String {
    match incident.date.month() {
        Some(m) => urls::archive_month(incident.date.year(), m),
        None => urls::archive_year(incident.date.year()),
    }
}

/// schema.org metadata of an incident page, as JSON for a
/// `<script type="application/ld+json">` element: a `Report` about the incident.
///
/// `<`, `>` and `&` are written as JSON escapes, so no value can close the script element.
pub fn json_ld(site: &Site, incident: &Incident) -> String {
    let url = site.base_url.permalink(&crate::config::urls::incident(&incident.slug));
    let thing = |kind, name| Thing { kind, name };
    let about: Vec<Thing<'_>> = incident
        .victims
        .iter()
        .filter_map(|v| v.name.as_deref())
        .map(|name| thing("Organization", name.into()))
        .chain(incident.tags.iter().map(|t| thing("Thing", t.into())))
        .collect();
    let report = JsonLd {
        context: "https://schema.org",
        kind: "Report",
        about,
        content_location: incident
            .location
            .as_ref()
            .map(|place| thing("Place", place.display_in(&site.config.language).into())),
        date_modified: incident.updated.as_ref().map(crate::render::feed::rfc3339),
        date_published: crate::render::feed::rfc3339(&incident.date),
        description: &incident.summary_text,
        headline: &incident.title,
        in_language: &site.config.language,
        keywords: (!incident.tags.is_empty()).then(|| incident.tags.join(", ")),
        main_entity_of_page: &url,
        name: &incident.title,
        publisher: thing("Organization", site.config.title.as_str().into()),
        url: &url,
    };
    let text = serde_json::to_string(&report).unwrap_or_default();
    if !text.contains(['<', '>', '&']) {
        return text;
    }
    text.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

/// The schema.org description of an incident page. Fields are declared in key order: the text
/// is what a JSON value, whose maps sort their keys, would give (and what it gave before).
#[derive(Serialize)]
struct JsonLd<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    about: Vec<Thing<'a>>,
    #[serde(rename = "contentLocation", skip_serializing_if = "Option::is_none")]
    content_location: Option<Thing<'a>>,
    #[serde(rename = "dateModified", skip_serializing_if = "Option::is_none")]
    date_modified: Option<String>,
    #[serde(rename = "datePublished")]
    date_published: String,
    description: &'a str,
    headline: &'a str,
    #[serde(rename = "inLanguage")]
    in_language: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    keywords: Option<String>,
    #[serde(rename = "mainEntityOfPage")]
    main_entity_of_page: &'a str,
    name: &'a str,
    publisher: Thing<'a>,
    url: &'a str,
}

/// A schema.org thing by its type and name.
#[derive(Serialize)]
struct Thing<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: std::borrow::Cow<'a, str>,
}

/// What a value many views share is: a term link from a taxonomy (by index) or from the first
/// taxonomy with pages that reads a field; a level of a scale (`status`, `severity`); an ATT&CK
/// technique, a country, an actor, a date, an impact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum SharedKind {
    Taxonomy(usize),
    Field(&'static str),
    Scale(&'static str),
    Technique,
    /// A country, by the field naming it: its link depends on the taxonomy reading the field.
    Country(&'static str),
    Actor,
    Date,
    Impact,
}

/// Values made so far that many incidents' views hold alike, by kind and a key naming all
/// that the value is made from: one shared value per term, scale level, technique, country,
/// actor, date or impact, instead of a small map per incident.
// Each of those maps is a hash table of its own, some 400 bytes however few its entries.
// Shared term links made views a fifth smaller and quicker to build; sharing the rest took
// about 45 MB more off the views of 10,000 incidents.
#[derive(Debug, Default)]
pub struct ViewCache(std::collections::HashMap<SharedKind, std::collections::HashMap<String, Value>>);

impl ViewCache {
    fn get(&mut self, kind: SharedKind, key: &str, make: impl FnOnce() -> Value) -> Value {
        // Looked up by `&str`: a hit, the usual case, allocates nothing.
        let made = self.0.entry(kind).or_default();
        if let Some(value) = made.get(key) {
            return value.clone();
        }
        let value = make();
        made.insert(key.to_string(), value.clone());
        value
    }
}

/// Which fields of an incident templates can read, so that no other is built.
///
/// A list page holds every listed incident's value at once (the index lists them all), so the
/// size of a value is what a large site's memory grows with: a field no template names is
/// neither computed nor kept. The names come from [`crate::theme::uses::mentions`]: every
/// identifier in every tag of the theme, and the words of every string in a tag (so
/// `sort(attribute="severity.rank")` keeps `severity`), and every word of the configuration's
/// values.
/// A theme that may look at whole maps (their keys, their entries, the whole context) gets
/// every field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    /// Bit `i` set: [`FIELD_NAMES`]`[i]` is built. `None`: every field.
    mask: Option<u64>,
    /// How many of [`LIST_FIELDS`] are built: the size of a list value's map.
    list_len: usize,
    /// The language values are written in: dates and country names.
    locale: std::sync::Arc<Locale>,
}

/// What values say in the site's language beyond its theme's templates: dates and countries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Locale {
    /// The language, as configured (`fr`).
    pub language: String,
    /// How dates read.
    pub dates: crate::content::date::DateFormat,
    /// How durations read.
    pub durations: crate::content::date::DurationWords,
    /// The extra keys shown as facts, with their titles.
    pub facts: Vec<crate::config::Fact>,
}

impl Fields {
    /// Every field: what a value built for no particular theme holds.
    pub fn all() -> Fields {
        Fields { mask: None, list_len: LIST_FIELDS.len(), locale: std::sync::Arc::default() }
    }

    /// The fields a theme's templates mention, or the site's configuration: a template may
    /// read a field named there (`incident[config.extra.column]`).
    pub fn of_site(theme: &crate::theme::Theme, config: &crate::Config) -> Fields {
        let mut mentions = crate::theme::uses::mentions(
            theme.templates.iter().map(|(name, t)| (name.as_str(), t.text.as_str())),
        );
        let mut texts = vec![serde_json::to_value(config).unwrap_or_default()];
        while let Some(value) = texts.pop() {
            match value {
                serde_json::Value::String(text) => {
                    mentions.words.extend(crate::theme::uses::words(&text).map(str::to_string));
                }
                serde_json::Value::Array(items) => texts.extend(items),
                serde_json::Value::Object(map) => texts.extend(map.into_iter().map(|(_, v)| v)),
                _ => {}
            }
        }
        let locale = Locale {
            language: config.language.clone(),
            dates: theme.strings.date_format(),
            durations: theme.strings.duration_words(),
            facts: config.facts.clone(),
        };
        Fields { locale: std::sync::Arc::new(locale), ..Fields::mentioned(mentions) }
    }

    /// The fields named in `mentions`, or all of them when templates may look at whole maps.
    pub fn mentioned(mentions: crate::theme::uses::Mentions) -> Fields {
        if mentions.whole_maps {
            return Fields::all();
        }
        let mask = FIELD_NAMES
            .iter()
            .enumerate()
            .filter(|(_, name)| mentions.words.contains(**name))
            .fold(0u64, |mask, (i, _)| mask | 1 << i);
        let mut fields = Fields { mask: Some(mask), list_len: 0, locale: std::sync::Arc::default() };
        fields.list_len = LIST_FIELDS.iter().filter(|name| fields.wants(name)).count();
        fields
    }

    /// Whether to build the field `name` (always, for a name this module does not know).
    pub fn wants(&self, name: &str) -> bool {
        // Looked up for every field of every incident: a binary search of a sorted array, not
        // a set of the theme's words.
        match (self.mask, FIELD_NAMES.binary_search(&name)) {
            (Some(mask), Ok(i)) => mask >> i & 1 == 1,
            _ => true,
        }
    }
}

/// Every field of an incident as templates see it (its list fields and those only its own page
/// has), sorted.
#[rustfmt::skip]
const FIELD_NAMES: [&str; 43] = [
    "actors", "archive_url", "content", "data", "date", "draft", "duration", "extra", "facts",
    "impact", "iocs", "json_ld", "kind", "lead", "location", "motives", "newer", "older",
    "original", "other", "permalink", "reading_time", "related", "resolved_at", "severity",
    "slug", "source", "sources", "status", "summary", "summary_text", "tags", "taxonomies",
    "techniques", "timeline", "title", "title_html", "toc", "updated", "url", "victim",
    "victims", "word_count",
];

/// The top-level fields of an incident's list value, as documented in `docs/templates.md`.
#[rustfmt::skip]
pub const LIST_FIELDS: [&str; 37] = [
    "title", "title_html", "slug", "url", "permalink", "date", "kind", "updated", "summary_text", "draft",
    "word_count", "reading_time", "status", "resolved_at", "duration", "severity", "victim", "victims",
    "location", "impact", "actors", "techniques", "sources", "original", "iocs", "archive_url", "data",
    "extra", "facts", "other", "source", "tags", "motives", "taxonomies", "summary", "lead", "timeline",
];

/// A map given only the entries its [`Fields`] want; each value is made only when wanted.
pub(crate) struct Entries<'f> {
    map: tera::Map,
    fields: &'f Fields,
}

impl<'f> Entries<'f> {
    /// An empty map that will hold at most `most` entries.
    pub(crate) fn new(fields: &'f Fields, most: usize) -> Entries<'f> {
        Entries { map: tera::Map::with_capacity(most), fields }
    }

    /// An existing map, to which more wanted entries are added.
    pub(crate) fn extend(fields: &'f Fields, map: tera::Map) -> Entries<'f> {
        Entries { map, fields }
    }

    /// Adds `key` with the value `make` gives, when wanted.
    pub(crate) fn add(&mut self, key: &'static str, make: impl FnOnce() -> Value) {
        if self.fields.wants(key) {
            self.map.insert(key.into(), make());
        }
    }

    /// Adds `key` with `make`'s result as a template value (as serializing a struct holding it
    /// would make it), when wanted.
    pub(crate) fn put<T: Serialize>(&mut self, key: &'static str, make: impl FnOnce() -> T) {
        self.add(key, || Value::from_serializable(&make()));
    }

    /// The map.
    pub(crate) fn into_value(self) -> Value {
        Value::from(self.map)
    }
}

/// An incident as every template sees it, without its body, table of contents and JSON-LD
/// (which only its own page shows); see [`incident_with`] to build many.
pub fn incident(site: &Site, incident: &Incident, fields: &Fields) -> Value {
    incident_with(site, incident, &mut ViewCache::default(), fields)
}

/// An incident's template value with the fields `fields` wants, reusing and adding to `shared`.
pub fn incident_with(site: &Site, incident: &Incident, shared: &mut ViewCache, fields: &Fields) -> Value {
    let base = &site.base_url;
    let terms = Terms { site, language: &fields.locale.language };
    let date_view = |d: &crate::content::date::IncidentDate| DateView::localized(d, &fields.locale.dates);
    let mut view = Entries::new(fields, fields.list_len);
    let rel = crate::config::urls::incident(&incident.slug);
    view.add("title", || Value::from(incident.title.as_str()));
    // Titles of post-mortems name commands and settings in backticks: shown as code, never as
    // backticks (and escaped: the rest is text).
    view.add("title_html", || Value::safe_string(&crate::content::markdown::title_html(&incident.title)));
    view.add("slug", || Value::from(incident.slug.as_str()));
    view.add("url", || Value::from(base.url(&rel)));
    view.add("permalink", || Value::from(base.permalink(&rel)));
    view.add("date", || {
        shared.get(SharedKind::Date, &incident.date.iso(), || {
            Value::from_serializable(&date_view(&incident.date))
        })
    });
    view.put("kind", || incident.kind.map(crate::content::Kind::as_str));
    view.put("updated", || incident.updated.as_ref().map(date_view));
    view.add("summary_text", || Value::from(incident.summary_text.as_str()));
    view.add("draft", || Value::from(incident.draft));
    view.add("word_count", || Value::from(incident.word_count));
    view.add("reading_time", || Value::from(incident.word_count.div_ceil(200).max(1)));
    let mut scale = |field: &'static str, levels: &[ScaleLevel], name: Option<&str>| match name {
        Some(name) => shared.get(SharedKind::Scale(field), name, || {
            Value::from_serializable(&terms.scale(field, levels, Some(name)))
        }),
        None => Value::none(),
    };
    view.add("status", || scale("status", &site.config.statuses, incident.status.as_deref()));
    view.put("resolved_at", || incident.resolved_at.as_ref().map(date_view));
    view.put("duration", || {
        let end = incident.resolved_at.as_ref()?;
        crate::content::date::duration_text(&incident.date, end, &fields.locale.durations)
    });
    view.add("severity", || scale("severity", &site.config.severities, incident.severity.as_deref()));
    if fields.wants("victims") || fields.wants("victim") {
        let sector_fields = ["victims.sector", "victim.sector"];
        let victims: Vec<Value> = incident
            .victims
            .iter()
            .map(|v| {
                Value::from_serializable(&VictimView {
                    name: v.name.as_deref(),
                    url: v.name.as_deref().and_then(|n| terms.url(&["victims.name", "victim.name"], n)),
                    sector: v.sector.as_deref().map(|s| terms.term(&sector_fields, s)),
                    kind: v.kind.as_deref().map(crate::base::humanize),
                })
            })
            .collect();
        // The first of `victims`, the same value: shared, not made twice.
        view.put("victim", || victims.first().cloned());
        view.add("victims", || Value::from(victims));
    }
    view.put("location", || {
        incident.location.as_ref().map(|l| {
            let country = match &l.country {
                Some(c) => shared.get(SharedKind::Country("location.country"), &c.code, || {
                    Value::from_serializable(&terms.country(&["location.country"], Some(c)))
                }),
                None => Value::none(),
            };
            LocationView {
                country,
                region: l.region.as_deref(),
                city: l.city.as_deref(),
                display: l.display_in(&fields.locale.language),
            }
        })
    });
    // Keyed by every figure of it, like actors.
    view.add("impact", || match &incident.impact {
        Some(impact) => {
            shared.get(SharedKind::Impact, &format!("{impact:?}"), || Value::from_serializable(impact))
        }
        None => Value::none(),
    });
    // An actor's view follows from what is written of it; keyed by all of that.
    view.add("actors", || {
        let actors: Vec<Value> = incident
            .actors
            .iter()
            .map(|a| {
                shared.get(SharedKind::Actor, &format!("{a:?}"), || {
                    Value::from_serializable(&ActorView {
                        name: &a.name,
                        kind: a.kind.as_deref().map(crate::base::humanize),
                        country: terms.country(&["actors.country"], a.country.as_ref()),
                        url: terms.url(&["actors.name"], &a.name),
                    })
                })
            })
            .collect();
        Value::from(actors)
    });
    // A technique's name, pages and kind all follow from its id.
    view.add("techniques", || {
        let techniques: Vec<Value> = incident
            .techniques
            .iter()
            .map(|t| {
                shared.get(SharedKind::Technique, &t.id, || {
                    Value::from_serializable(&TechniqueView {
                        id: &t.id,
                        name: t.name.as_deref(),
                        label: t.label(),
                        attack_url: &t.url,
                        url: terms.url(&["techniques"], &t.id),
                        tactic: t.tactic,
                    })
                })
            })
            .collect();
        Value::from(techniques)
    });
    view.put("sources", || {
        incident
            .sources
            .iter()
            .map(|s| SourceView {
                title: &s.title,
                url: &s.url,
                publisher: s.publisher.as_deref(),
                date: s.date.as_ref().map(date_view),
                archived_url: s.archived_url.as_deref(),
            })
            .collect::<Vec<_>>()
    });
    view.put("iocs", || {
        incident
            .iocs
            .iter()
            .map(|i| IocView {
                kind: format!("{:?}", i.kind).to_lowercase(),
                value: &i.value,
                defanged: i.defanged(),
                note: i.note.as_deref(),
            })
            .collect::<Vec<_>>()
    });
    view.add("archive_url", || Value::from(base.url(&archive_path(incident))));
    view.put("data", || DataLinks {
        json: site.config.exports.json.then(|| base.url(&format!("{rel}index.json"))),
        stix: site.config.exports.stix.then(|| base.url(&format!("{rel}stix.json"))),
    });
    view.put("original", || original(incident));
    view.put("facts", || facts(incident, &fields.locale.facts));
    view.put("extra", || &incident.extra);
    view.put("other", || &incident.other);
    view.add("source", || Value::from(incident.source.as_str()));
    let mut field_links = |field: &'static str, keys: &[String]| -> Value {
        let refs: Vec<Value> = keys
            .iter()
            .map(|k| {
                shared.get(SharedKind::Field(field), k, || Value::from_serializable(&terms.term(&[field], k)))
            })
            .collect();
        Value::from(refs)
    };
    view.add("tags", || field_links("tags", &incident.tags));
    view.add("motives", || field_links("motives", &incident.motives));
    view.add("taxonomies", || {
        let mut taxonomies = tera::Map::new();
        for (t, taxonomy) in site.taxonomies.iter().enumerate() {
            // The site's taxonomies are the configuration's, in its order, as the lists are.
            let keys = incident.terms.get(t).map_or(&[][..], Vec::as_slice);
            let refs: Vec<Value> = keys
                .iter()
                .map(|key| {
                    shared.get(SharedKind::Taxonomy(t), key, || {
                        Value::from_serializable(&TermRef {
                            name: display(&site.config, taxonomy.config.field(), key),
                            slug: slugify(key),
                            url: taxonomy
                                .config
                                .pages
                                .then(|| base.url(&taxonomy.term_rel_path(&slugify(key)))),
                        })
                    })
                })
                .collect();
            taxonomies.insert(taxonomy.config.name.clone().into(), Value::from(refs));
        }
        Value::from(taxonomies)
    });
    // `summary` and `lead` (when the author wrote the summary) share one string, made only
    // when one of them is wanted.
    let mut summary = None;
    let mut summary_value =
        || summary.get_or_insert_with(|| Value::safe_string(&incident.summary_html)).clone();
    view.add("summary", &mut summary_value);
    // The summary only when the author wrote one; otherwise it would repeat the body.
    view.add("lead", || if incident.summary_given { summary_value() } else { Value::none() });
    // Timeline events are Markdown: rendered when loaded, and marked safe like the body.
    view.add("timeline", || {
        let timeline: Vec<Value> = incident
            .timeline
            .iter()
            .map(|e| {
                let mut event = tera::Map::new();
                event.insert("at".into(), Value::from_serializable(&date_view(&e.at)));
                event.insert("event".into(), Value::safe_string(&e.html));
                Value::from(event)
            })
            .collect();
        Value::from(timeline)
    });
    view.into_value()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The JSON-LD as it was first written: through a JSON value, whose maps sort their keys.
    fn through_a_value(site: &Site, incident: &Incident) -> String {
        let url = site.base_url.permalink(&crate::config::urls::incident(&incident.slug));
        let mut value = json!({
            "@context": "https://schema.org",
            "@type": "Report",
            "headline": incident.title,
            "name": incident.title,
            "description": incident.summary_text,
            "url": url,
            "mainEntityOfPage": url,
            "datePublished": crate::render::feed::rfc3339(&incident.date),
            "inLanguage": site.config.language,
            "publisher": {"@type": "Organization", "name": site.config.title},
        });
        if let Some(updated) = &incident.updated {
            value["dateModified"] = json!(crate::render::feed::rfc3339(updated));
        }
        let mut about: Vec<serde_json::Value> = incident
            .victims
            .iter()
            .filter_map(|v| v.name.as_ref())
            .map(|name| json!({"@type": "Organization", "name": name}))
            .collect();
        about.extend(incident.tags.iter().map(|t| json!({"@type": "Thing", "name": t})));
        if !about.is_empty() {
            value["about"] = serde_json::Value::from(about);
        }
        if let Some(place) = incident.location.as_ref() {
            value["contentLocation"] =
                json!({"@type": "Place", "name": place.display_in(&site.config.language)});
        }
        if !incident.tags.is_empty() {
            value["keywords"] = json!(incident.tags.join(", "));
        }
        let text = serde_json::to_string(&value).expect("JSON");
        text.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
    }

    fn example_site() -> Site {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        Site::load(root, &crate::LoadOptions { now: Some(2_000_000_000), ..Default::default() })
            .expect("the example site loads")
    }

    fn keys(value: &Value) -> std::collections::BTreeSet<String> {
        let map = value.as_map().expect("a map");
        map.keys().map(|k| k.as_str().expect("a string key").to_string()).collect()
    }

    #[test]
    fn field_names_are_sorted_and_are_the_list_fields_and_the_pages_own() {
        assert!(FIELD_NAMES.windows(2).all(|w| w[0] < w[1]), "binary search needs them sorted");
        let mut expected: Vec<&str> = LIST_FIELDS.to_vec();
        expected.extend(["content", "toc", "json_ld", "newer", "older", "related"]);
        expected.sort_unstable();
        assert_eq!(FIELD_NAMES.to_vec(), expected);
        assert!(FIELD_NAMES.len() <= 64, "they must fit the mask");
    }

    #[test]
    fn every_list_field_is_documented() {
        let docs = include_str!("../../docs/templates.md");
        for field in LIST_FIELDS {
            assert!(docs.contains(&format!("`{field}`")), "docs/templates.md does not describe `{field}`");
        }
    }

    #[test]
    fn a_value_holds_the_fields_templates_name_or_all_of_them() {
        let site = example_site();
        let incident = &site.incidents[0];
        let all = incident_with(&site, incident, &mut ViewCache::default(), &Fields::all());
        assert_eq!(keys(&all), LIST_FIELDS.iter().map(|f| f.to_string()).collect());

        let words = ["incident", "title", "severity", "rank", "victim", "nonsense"];
        let mentions = crate::theme::uses::Mentions {
            words: words.iter().map(|w| w.to_string()).collect(),
            whole_maps: false,
        };
        let fields = Fields::mentioned(mentions.clone());
        assert!(fields.wants("title") && !fields.wants("summary") && !fields.wants("content"));
        assert!(fields.wants("no_such_field"), "a name this module does not know is never dropped");
        let some = incident_with(&site, incident, &mut ViewCache::default(), &fields);
        assert_eq!(keys(&some), ["severity", "title", "victim"].iter().map(|f| f.to_string()).collect());
        for field in ["severity", "title", "victim"] {
            assert_eq!(
                some.as_map().and_then(|m| m.get(&field.into())),
                all.as_map().and_then(|m| m.get(&field.into()))
            );
        }

        let whole = Fields::mentioned(crate::theme::uses::Mentions { whole_maps: true, ..mentions });
        assert_eq!(whole, Fields::all());
    }

    #[test]
    fn json_ld_is_the_sorted_json_of_the_report() {
        let site = example_site();
        let mut bare = (*site.incidents[0]).clone();
        bare.title = "</script><!-- & \"quoted\"".into();
        (bare.victims, bare.tags, bare.location, bare.updated) = (Vec::new(), Vec::new(), None, None);
        let mut full = (*site.incidents[0]).clone();
        full.updated = Some(full.date.clone());
        let mut all: Vec<Incident> = site.incidents.iter().map(|i| (**i).clone()).collect();
        all.extend([bare, full]);
        assert!(all.iter().any(|i| i.location.is_some() && !i.victims.is_empty() && !i.tags.is_empty()));
        for incident in &all {
            let made = json_ld(&site, incident);
            assert_eq!(made, through_a_value(&site, incident));
            assert!(!made.contains('<') && !made.contains('&'), "{made}");
        }
    }
}
