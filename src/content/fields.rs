//! The typed fields of an incident beyond the basics (victim, location, impact, actors,
//! techniques, timeline, sources, indicators), read from front matter with located errors.
//!
//! Every reader takes a YAML value and the path it was found at, and either returns the typed
//! value or records an error pointing at the line and column of that path in the file.

use std::path::Path;

use serde::Serialize;

use crate::base::error::{Diagnostic, Location};
use crate::base::frontmatter::{Seg, locate};
use crate::content::attack;
use crate::content::country::Country;
use crate::content::date::IncidentDate;
use crate::content::ioc::{self, IocKind};

/// Who was hit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Victim {
    /// `Town of Angoulême`
    pub name: Option<String>,
    /// `local-government`
    pub sector: Option<String>,
    /// `municipality`
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// Where it happened.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Place {
    /// The country.
    pub country: Option<Country>,
    /// A region or state.
    pub region: Option<String>,
    /// A city or town.
    pub city: Option<String>,
}

impl Place {
    /// `Angoulême, Nouvelle-Aquitaine, France`: the parts that are known, smallest first.
    pub fn display(&self) -> String {
        self.display_in("en")
    }

    /// [`Place::display`] with the country named in `language`.
    pub fn display_in(&self, language: &str) -> String {
        let country = self.country.as_ref().map(|c| crate::content::Country::name_in(&c.code, language));
        let parts = [self.city.as_deref(), self.region.as_deref(), country.as_deref()];
        parts.into_iter().flatten().collect::<Vec<_>>().join(", ")
    }
}

/// How badly confidentiality, integrity or availability suffered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Not affected.
    None,
    /// Slightly.
    Low,
    /// Noticeably.
    Medium,
    /// Badly.
    High,
    /// Not known (yet).
    Unknown,
}

impl Level {
    const NAMES: [&'static str; 5] = ["none", "low", "medium", "high", "unknown"];

    fn parse(text: &str) -> Option<Level> {
        Some(match text {
            "none" => Level::None,
            "low" => Level::Low,
            "medium" => Level::Medium,
            "high" => Level::High,
            "unknown" => Level::Unknown,
            _ => return None,
        })
    }
}

/// What sort of event an incident record is about. Status pages publish planned maintenance
/// and notices beside outages, and a site mixing them must not show a maintenance window as a
/// breach: the kind says which is which. Absent, a record is whatever the site is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A security incident: the default subject of a casebook site.
    Incident,
    /// A service was down or degraded.
    Outage,
    /// Planned work on a service.
    Maintenance,
    /// An announcement that is neither an outage nor maintenance.
    Notice,
}

impl Kind {
    /// Every kind, as written in front matter.
    pub const NAMES: [&'static str; 4] = ["incident", "outage", "maintenance", "notice"];

    /// Every kind, in the order of [`Kind::NAMES`].
    pub const ALL: [Kind; 4] = [Kind::Incident, Kind::Outage, Kind::Maintenance, Kind::Notice];

    /// The kind written as `text`, if it is one.
    pub fn parse(text: &str) -> Option<Kind> {
        Some(match text {
            "incident" => Kind::Incident,
            "outage" => Kind::Outage,
            "maintenance" => Kind::Maintenance,
            "notice" => Kind::Notice,
            _ => return None,
        })
    }

    /// The kind as written in front matter and data files.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Incident => "incident",
            Kind::Outage => "outage",
            Kind::Maintenance => "maintenance",
            Kind::Notice => "notice",
        }
    }
}

/// The consequences: the "CIA posture" and figures. Fields in key order: the data files
/// serialize it directly and list keys sorted (see `export/record.rs`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Impact {
    /// Availability.
    pub availability: Option<Level>,
    /// Confidentiality.
    pub confidentiality: Option<Level>,
    /// How long it lasted, in words.
    pub duration: Option<String>,
    /// Integrity.
    pub integrity: Option<Level>,
    /// People affected.
    pub people_affected: Option<u64>,
    /// Records exposed or lost.
    pub records: Option<u64>,
}

/// Who did it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    /// `LockBit`
    pub name: String,
    /// `criminal`, `hacktivist`, `state`, …
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Where they are believed to operate from.
    pub country: Option<Country>,
}

/// An ATT&CK technique, sub-technique or tactic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Technique {
    /// `T1566.001`
    pub id: String,
    /// `Spearphishing Attachment`, when the id is in casebook's table.
    pub name: Option<String>,
    /// Its page on attack.mitre.org.
    pub url: String,
    /// Whether the id is a tactic (`TA…`).
    pub tactic: bool,
}

impl Technique {
    /// Display name: `T1566.001 Spearphishing Attachment`, or the id alone.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => format!("{} {name}", self.id),
            None => self.id.clone(),
        }
    }
}

/// One event of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// When.
    pub at: IncidentDate,
    /// What happened, as Markdown.
    pub event: String,
    /// What happened, rendered as inline HTML (without the paragraph around it).
    pub html: String,
}

/// A source backing the write-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Its title.
    pub title: String,
    /// An absolute http(s) URL.
    pub url: String,
    /// Who published it.
    pub publisher: Option<String>,
    /// When.
    pub date: Option<IncidentDate>,
    /// An archived copy (the Wayback Machine, archive.today…), for when `url` goes away.
    pub archived_url: Option<String>,
}

/// An indicator of compromise, as written (pages defang it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ioc {
    /// What kind of indicator.
    pub kind: IocKind,
    /// The indicator, as written.
    pub value: String,
    /// A remark.
    pub note: Option<String>,
}

impl Ioc {
    /// The indicator, safe to show.
    pub fn defanged(&self) -> String {
        ioc::defang(self.kind, &self.value)
    }
}

type Value = serde_yaml::Value;

/// The most items a list of one incident may have. Every term of an incident appears on every
/// page listing it, so a list of 100,000 tags would make 100,000 term pages of 100,000 links
/// each: such a file fails with a clear message instead of an endless build.
pub const MAX_ITEMS: usize = 1000;

/// Reads typed values out of one file's front matter, collecting located errors.
pub struct Reader<'a> {
    path: &'a Path,
    yaml: &'a str,
    yaml_line: usize,
    /// The problems found so far.
    pub errors: Vec<Diagnostic>,
}

/// The path of a key inside the value at `at`.
fn child<'a>(at: &[Seg<'a>], key: &'a str) -> Vec<Seg<'a>> {
    let mut path = at.to_vec();
    path.push(Seg::Key(key));
    path
}

/// A path as people read it: `sources[2].url` (items counted from 1).
fn show(at: &[Seg<'_>]) -> String {
    let mut out = String::new();
    for seg in at {
        match seg {
            Seg::Key(k) if out.is_empty() => out.push_str(k),
            Seg::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{}]", i + 1)),
        }
    }
    out
}

/// "`field` message", or "`field`: message" when the message is a sentence of its own.
fn describe(at: &[Seg<'_>], message: impl std::fmt::Display) -> String {
    let message = message.to_string();
    match message.strip_prefix(": ") {
        Some(sentence) => format!("`{}`: {sentence}", show(at)),
        None => format!("`{}` {message}", show(at)),
    }
}

impl<'a> Reader<'a> {
    /// A reader for the front matter `yaml`, which starts on line `yaml_line` of `path`.
    pub fn new(path: &'a Path, yaml: &'a str, yaml_line: usize) -> Self {
        Reader { path, yaml, yaml_line, errors: Vec::new() }
    }

    /// Where the value at `at` is written, as precisely as can be found.
    pub fn location(&self, at: &[Seg<'_>]) -> Location {
        match locate(self.yaml, at) {
            Some((line, column)) => Location::at(self.path, self.yaml_line + line, column),
            None => Location::file(self.path),
        }
    }

    /// Records an error about the value at `at`: "`at` message".
    pub fn error(&mut self, at: &[Seg<'_>], message: impl std::fmt::Display) {
        let d = Diagnostic::at(self.location(at), describe(at, message));
        self.errors.push(d);
    }

    /// Records an error with a hint.
    pub fn error_with_help(
        &mut self,
        at: &[Seg<'_>],
        message: impl std::fmt::Display,
        help: impl Into<String>,
    ) {
        let d = Diagnostic::at(self.location(at), describe(at, message)).with_help(help);
        self.errors.push(d);
    }

    /// Text: a string, or a number or boolean taken as written. Empty text counts as absent.
    pub fn text(&mut self, value: Option<Value>, at: &[Seg<'_>]) -> Option<String> {
        let text = match value? {
            Value::Null => return None,
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => {
                self.error(at, "must be text");
                return None;
            }
        };
        let trimmed = text.trim();
        (!trimmed.is_empty()).then(|| trimmed.to_string())
    }

    /// A list of texts; a single text is taken as a list of one only when `lenient`.
    pub fn text_list(&mut self, value: Option<Value>, at: &[Seg<'_>]) -> Vec<String> {
        match value {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Sequence(items)) if items.len() > MAX_ITEMS => {
                self.too_many(at, items.len());
                Vec::new()
            }
            Some(Value::Sequence(items)) => {
                let mut out = Vec::new();
                for (i, item) in items.into_iter().enumerate() {
                    let mut at_item = at.to_vec();
                    at_item.push(Seg::Index(i));
                    out.extend(self.text(Some(item), &at_item));
                }
                out
            }
            Some(Value::String(s)) => {
                let key = show(at);
                self.error_with_help(at, "must be a list of names", format!("write `{key}: [{s}]`"));
                Vec::new()
            }
            Some(_) => {
                let key = show(at);
                self.error_with_help(
                    at,
                    "must be a list of names",
                    format!("write `{key}: [first, second]`"),
                );
                Vec::new()
            }
        }
    }

    fn too_many(&mut self, at: &[Seg<'_>], count: usize) {
        self.error_with_help(
            at,
            format_args!("has {count} items; an incident may have at most {MAX_ITEMS}"),
            "lists this long belong in an attached file or a source, not in front matter",
        );
    }

    /// A date at any precision.
    pub fn date(&mut self, value: Option<Value>, at: &[Seg<'_>]) -> Option<IncidentDate> {
        let text = match value? {
            Value::Null => return None,
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            _ => {
                self.error(at, "must be a date like `2023-07-24`, `2023-07` or `2023`");
                return None;
            }
        };
        IncidentDate::parse(&text).map_err(|why| self.error(at, format_args!(": {why}"))).ok()
    }

    /// A whole number, at least 0.
    pub fn count(&mut self, value: Option<Value>, at: &[Seg<'_>]) -> Option<u64> {
        match value? {
            Value::Null => None,
            Value::Number(n) if n.as_u64().is_some() => n.as_u64(),
            _ => {
                self.error(at, "must be a whole number, like `1200`");
                None
            }
        }
    }

    /// A map; anything else is an error.
    pub fn map(&mut self, value: Option<Value>, at: &[Seg<'_>]) -> Option<serde_yaml::Mapping> {
        match value? {
            Value::Null => None,
            Value::Mapping(m) => Some(m),
            _ => {
                self.error(at, "must be a map of fields (indented `key: value` lines)");
                None
            }
        }
    }

    /// A list of items; anything else is an error.
    pub fn list(&mut self, value: Option<Value>, at: &[Seg<'_>]) -> Vec<Value> {
        match value {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Sequence(items)) if items.len() > MAX_ITEMS => {
                self.too_many(at, items.len());
                Vec::new()
            }
            Some(Value::Sequence(items)) => items,
            Some(_) => {
                self.error(at, "must be a list (lines starting with `- `)");
                Vec::new()
            }
        }
    }

    /// One of `allowed`.
    pub fn one_of(&mut self, value: Option<Value>, at: &[Seg<'_>], allowed: &[&str]) -> Option<String> {
        let text = self.text(value, at)?;
        if allowed.contains(&text.as_str()) {
            return Some(text);
        }
        let close = crate::base::suggest::closest(&text, allowed.iter().copied());
        let message = format!("must be one of {}", allowed.join(", "));
        match close {
            Some(c) => self.error_with_help(at, message, format!("did you mean `{c}`?")),
            None => self.error(at, message),
        }
        None
    }

    /// The kind of record: one of [`Kind::NAMES`], with a suggestion for a typo.
    pub fn kind(&mut self, value: Option<Value>, at: &[Seg<'_>]) -> Option<Kind> {
        self.one_of(value, at, &Kind::NAMES).and_then(|k| Kind::parse(&k))
    }

    /// Warns about keys of a nested map that are not among `known` (they are ignored).
    fn leftover(&mut self, map: serde_yaml::Mapping, at: &[Seg<'_>], known: &[&str]) {
        for (key, _) in map {
            let name = key.as_str().map_or_else(|| format!("{key:?}"), str::to_string);
            let at_key = child(at, &name);
            let help = match crate::base::suggest::closest(&name, known.iter().copied()) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!("the fields here are: {}", known.join(", ")),
            };
            self.error_with_help(&at_key, "is not a field casebook knows", help);
        }
    }

    /// A victim map.
    pub fn victim(&mut self, value: Value, at: &[Seg<'_>]) -> Option<Victim> {
        let mut map = self.map(Some(value), at)?;
        let field = |map: &mut serde_yaml::Mapping, key: &'static str, this: &mut Self| {
            this.text(map.shift_remove(key), &child(at, key))
        };
        let victim = Victim {
            name: field(&mut map, "name", self),
            sector: field(&mut map, "sector", self),
            kind: field(&mut map, "type", self),
        };
        self.leftover(map, at, &["name", "sector", "type"]);
        Some(victim)
    }

    /// A location map.
    pub fn place(&mut self, value: Value, at: &[Seg<'_>]) -> Option<Place> {
        let mut map = self.map(Some(value), at)?;
        let at_key = |key: &'static str| child(at, key);
        let country = self.country(map.shift_remove("country"), &at_key("country"));
        let region = self.text(map.shift_remove("region"), &at_key("region"));
        let city = self.text(map.shift_remove("city"), &at_key("city"));
        self.leftover(map, at, &["country", "region", "city"]);
        Some(Place { country, region, city })
    }

    /// A country code.
    pub fn country(&mut self, value: Option<Value>, at: &[Seg<'_>]) -> Option<Country> {
        let text = self.text(value, at)?;
        Country::parse(&text).map_err(|why| self.error(at, format_args!(": {why}"))).ok()
    }

    /// The impact map.
    pub fn impact(&mut self, value: Value, at: &[Seg<'_>]) -> Option<Impact> {
        let mut map = self.map(Some(value), at)?;
        let at_key = |key: &'static str| child(at, key);
        let level = |map: &mut serde_yaml::Mapping, key: &'static str, this: &mut Self| {
            this.one_of(map.shift_remove(key), &at_key(key), &Level::NAMES).and_then(|l| Level::parse(&l))
        };
        let impact = Impact {
            confidentiality: level(&mut map, "confidentiality", self),
            integrity: level(&mut map, "integrity", self),
            availability: level(&mut map, "availability", self),
            duration: self.text(map.shift_remove("duration"), &at_key("duration")),
            records: self.count(map.shift_remove("records"), &at_key("records")),
            people_affected: self.count(map.shift_remove("people_affected"), &at_key("people_affected")),
        };
        let known =
            ["confidentiality", "integrity", "availability", "duration", "records", "people_affected"];
        self.leftover(map, at, &known);
        Some(impact)
    }

    /// One actor: a map with at least a name (a bare name is accepted too).
    pub fn actor(&mut self, value: Value, at: &[Seg<'_>]) -> Option<Actor> {
        if let Value::String(name) = value {
            return Some(Actor { name, kind: None, country: None });
        }
        let mut map = self.map(Some(value), at)?;
        let at_key = |key: &'static str| child(at, key);
        let name = self.text(map.shift_remove("name"), &at_key("name"));
        let kind = self.text(map.shift_remove("type"), &at_key("type"));
        let country = self.country(map.shift_remove("country"), &at_key("country"));
        self.leftover(map, at, &["name", "type", "country"]);
        match name {
            Some(name) => Some(Actor { name, kind, country }),
            None => {
                self.error(at, "needs a `name`");
                None
            }
        }
    }

    /// One ATT&CK id.
    pub fn technique(&mut self, value: Value, at: &[Seg<'_>]) -> Option<Technique> {
        let text = self.text(Some(value), at)?;
        match attack::parse(&text) {
            Ok((id, kind)) => Some(Technique {
                name: attack::lookup(&id).map(|e| e.name.to_string()),
                url: attack::url(&id, kind),
                tactic: kind == attack::Kind::Tactic,
                id,
            }),
            Err(why) => {
                self.error(at, format_args!(": {why}"));
                None
            }
        }
    }

    /// One timeline event.
    pub fn event(&mut self, value: Value, at: &[Seg<'_>]) -> Option<Event> {
        let mut map = self.map(Some(value), at)?;
        let at_key = |key: &'static str| child(at, key);
        let written = map.shift_remove("at");
        let at_given = written.as_ref().is_some_and(|v| !v.is_null());
        let when = self.date(written, &at_key("at"));
        let event = self.text(map.shift_remove("event"), &at_key("event"));
        self.leftover(map, at, &["at", "event"]);
        if !at_given {
            self.error(at, "needs `at:` (when it happened)");
        }
        if event.is_none() {
            self.error(at, "needs `event:` (what happened)");
        }
        Some(Event { at: when?, event: event?, html: String::new() })
    }

    /// One source.
    pub fn source(&mut self, value: Value, at: &[Seg<'_>]) -> Option<Source> {
        let mut map = self.map(Some(value), at)?;
        let at_key = |key: &'static str| child(at, key);
        let title = self.text(map.shift_remove("title"), &at_key("title"));
        let url = self.text(map.shift_remove("url"), &at_key("url"));
        let publisher = self.text(map.shift_remove("publisher"), &at_key("publisher"));
        let date = self.date(map.shift_remove("date"), &at_key("date"));
        let archived = self.text(map.shift_remove("archived_url"), &at_key("archived_url"));
        self.leftover(map, at, &["title", "url", "publisher", "date", "archived_url"]);
        let web_url = |url: String, key: &'static str, this: &mut Self| {
            if is_web_url(&url) {
                return Some(url);
            }
            this.error(
                &at_key(key),
                format_args!("must be an absolute http:// or https:// URL, not `{url}`"),
            );
            None
        };
        let url = match url {
            Some(url) => web_url(url, "url", self),
            None => {
                self.error(at, "needs a `url`");
                None
            }
        };
        // Checked like `url`: pages link it, so it must be a web address and nothing else.
        let archived_url = archived.and_then(|a| web_url(a, "archived_url", self));
        if title.is_none() {
            self.error(at, "needs a `title`");
        }
        Some(Source { title: title?, url: url?, publisher, date, archived_url })
    }

    /// One indicator.
    pub fn ioc(&mut self, value: Value, at: &[Seg<'_>]) -> Option<Ioc> {
        let mut map = self.map(Some(value), at)?;
        let at_key = |key: &'static str| child(at, key);
        let kind = self.one_of(map.shift_remove("type"), &at_key("type"), &IocKind::NAMES);
        let value = self.text(map.shift_remove("value"), &at_key("value"));
        let note = self.text(map.shift_remove("note"), &at_key("note"));
        self.leftover(map, at, &["type", "value", "note"]);
        let kind = kind.and_then(|k| IocKind::parse(&k));
        let Some(value) = value else {
            self.error(at, "needs a `value`");
            return None;
        };
        let kind = kind?;
        if let Err(why) = kind.check(&value) {
            self.error(&at_key("value"), format_args!(": {why}"));
            return None;
        }
        Some(Ioc { kind, value, note })
    }
}

/// Whether `url` is an absolute http(s) URL with a host.
pub fn is_web_url(url: &str) -> bool {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !host.contains(char::is_whitespace) && !url.contains(['"', '<', '>', ' '])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_as_people_write_them() {
        assert_eq!(show(&[Seg::Key("sources"), Seg::Index(1), Seg::Key("url")]), "sources[2].url");
    }

    #[test]
    fn web_urls_must_be_absolute_http() {
        assert!(is_web_url("https://example.org/a?b#c"));
        for bad in ["javascript:alert(1)", "ftp://x", "https://", "//example.org", "https://a b", "/relative"]
        {
            assert!(!is_web_url(bad), "{bad}");
        }
    }
}
