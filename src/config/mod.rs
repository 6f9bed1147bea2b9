//! Site configuration: `casebook.yaml`, where every key has a default.

pub mod urls;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::base::error::{Diagnostic, Location};
use crate::base::fs;
use crate::base::is_slug;

/// The name of the configuration file at the root of a site.
pub const CONFIG_FILE: &str = "casebook.yaml";

/// The site configuration, as read from `casebook.yaml` (or all defaults without one).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The site's name, shown in page titles and headers.
    pub title: String,
    /// One sentence about the site, for `<meta name="description">`.
    pub description: String,
    /// Where the site is published: `/`, `/sub/path/` or `https://example.org/sub/path/`.
    pub base_url: String,
    /// The language of the content, as a BCP 47 tag (`en`, `fr`).
    pub language: String,
    /// The theme: a folder under `themes/`, or `default` for the built-in theme.
    pub theme: String,
    /// Incidents per list page (index and term pages).
    pub paginate_by: usize,
    /// The taxonomies incidents are grouped by.
    pub taxonomies: Vec<TaxonomyConfig>,
    /// The severity scale, lowest first.
    pub severities: Vec<Level>,
    /// The statuses an incident can have.
    pub statuses: Vec<Level>,
    /// How Markdown is rendered.
    pub markdown: MarkdownConfig,
    /// Which open-data files the build writes.
    pub exports: ExportsConfig,
    /// Atom and JSON feeds.
    pub feeds: FeedsConfig,
    /// The client-side search.
    pub search: SearchConfig,
    /// The main menu, in order; when empty, every section the site has something in.
    pub menu: Vec<MenuEntry>,
    /// A logo shown before the site's title: a static file (`logo.svg`) or an `https://` URL.
    pub logo: Option<String>,
    /// The site's icon, a static file; the default theme's `favicon.svg` when not set.
    pub favicon: Option<String>,
    /// Markdown shown at the foot of every page.
    pub footer: Option<String>,
    /// Which parts of the site appear: by default (`auto`) a section, chart or filter only
    /// when the site has data for it; `always` or `never` decide instead. Keys are sections
    /// ([`SHOWN_SECTIONS`]), taxonomies, and the facets of [`FACETS`].
    pub show: std::collections::BTreeMap<String, Show>,
    /// Keys of incidents' `extra` shown among the key facts of their pages, in order.
    pub facts: Vec<Fact>,
    /// Free data for templates, as `config.extra`.
    pub extra: serde_yaml::Mapping,
    /// Where each top-level key was written, to point errors found later at the right line.
    #[serde(skip)]
    pub positions: Vec<KeyLocation>,
}

/// One entry of the main menu: a section of the site, a page, or an address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MenuEntry {
    /// A section of the site: one of [`SECTIONS`], or a taxonomy's name.
    pub section: Option<String>,
    /// A page of `pages/`, by its slug.
    pub page: Option<String>,
    /// An address: absolute (`https://…`) or from the site's root (`/feeds/`).
    pub url: Option<String>,
    /// The text shown; by default the section's or the page's title.
    pub title: Option<String>,
}

/// Whether a part of the site appears (`show:` of `casebook.yaml`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Show {
    /// When the site has data for it.
    #[default]
    Auto,
    /// Even when the site has no data for it.
    Always,
    /// Never.
    Never,
}

/// The sections `show:` may force on or off besides taxonomies: the others (`data`,
/// `search`) have settings of their own.
pub const SHOWN_SECTIONS: [&str; 4] = ["archive", "stats", "matrix", "kinds"];

/// The facets of incidents that pages, charts and filters show, named after the default
/// taxonomies reading them, which `show:` may name even when the site's taxonomies are its
/// own: severity, sector, country, techniques…
pub const FACETS: [&str; 8] =
    ["tags", "sectors", "countries", "actors", "techniques", "motives", "severity", "status"];

/// A key of incidents' `extra` shown as a fact: `change_id`, or `{key: change_id, title: Change}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    /// The key under `extra`.
    pub key: String,
    /// The label shown; by default the key with its underscores and dashes as spaces,
    /// capitalized (`change_id` → `Change id`).
    pub title: String,
}

impl<'de> Deserialize<'de> for Fact {
    /// Either a bare key (`change_id`) or a map (`{key: change_id, title: Change}`).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            key: String,
            title: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Key(String),
            Full(Full),
        }
        let (key, title) = match Form::deserialize(deserializer)? {
            Form::Key(key) => (key, None),
            Form::Full(Full { key, title }) => (key, title),
        };
        let title = title.unwrap_or_else(|| capitalize(&key.replace(['_', '-'], " ")));
        Ok(Fact { key, title })
    }
}

/// The sections casebook writes whatever the site's taxonomies, as `menu` names them.
pub const SECTIONS: [&str; 6] = ["incidents", "archive", "data", "stats", "matrix", "search"];

/// A top-level key of `casebook.yaml` and where its value starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLocation {
    /// The key.
    pub key: String,
    /// Where its value starts in the file.
    pub location: Location,
}

/// One taxonomy: a field of incidents whose values group them into terms with pages.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TaxonomyConfig {
    /// Its name, used in templates (`incident.taxonomies.tags`, `get_taxonomy(name="tags")`).
    pub name: String,
    /// The incident field it reads, as a dotted path: `tags`, `victim.sector`,
    /// `location.country`, `actors.name`, `extra.vendor`. Defaults to the name.
    #[serde(default)]
    pub field: Option<String>,
    /// The URL segment of its pages: `/<path>/<term>/`. Defaults to the name.
    #[serde(default)]
    pub path: Option<String>,
    /// The heading shown for it; defaults to the name, capitalized.
    #[serde(default)]
    pub title: Option<String>,
    /// Whether it gets an overview page and a page per term (default: yes).
    #[serde(default = "yes")]
    pub pages: bool,
    /// Incidents per term page; defaults to the site's `paginate_by`.
    #[serde(default)]
    pub paginate_by: Option<usize>,
    /// The order of terms on the overview page: `name` (default) or `count` (most incidents
    /// first). Severity and status terms follow their scale.
    #[serde(default)]
    pub sort: TermOrder,
}

fn yes() -> bool {
    true
}

/// Markdown settings.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct MarkdownConfig {
    /// Keep raw HTML written in Markdown (sanitized: no scripts, event handlers or
    /// `javascript:` URLs) instead of showing it as text. Off by default.
    pub unsafe_html: bool,
    /// Highlight fenced code blocks in the languages casebook knows, with CSS classes the
    /// theme colours. On by default.
    pub highlight: bool,
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        MarkdownConfig { unsafe_html: false, highlight: true }
    }
}

/// The search page and its index.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchConfig {
    /// Write `/search/` and `/search-index.json`.
    pub enabled: bool,
    /// Also index the full text of incidents (a larger index).
    pub body: bool,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig { enabled: true, body: false }
    }
}

/// Feeds of the newest incidents.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeedsConfig {
    /// Write `/atom.xml` and `/feed.json` (they need a `base_url` with a host).
    pub enabled: bool,
    /// Incidents per feed, newest first.
    pub limit: usize,
    /// Also write an Atom feed per taxonomy term (`/tags/ransomware/atom.xml`).
    pub taxonomies: bool,
}

impl Default for FeedsConfig {
    fn default() -> Self {
        FeedsConfig { enabled: true, limit: 20, taxonomies: true }
    }
}

/// The open-data exports, each on by default.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExportsConfig {
    /// `/incidents/<slug>/index.json`, `/api/incidents.json`, `/api/<taxonomy>.json`,
    /// `/api/schema.json`.
    pub json: bool,
    /// `/api/incidents.csv`.
    pub csv: bool,
    /// `/incidents/<slug>/stix.json` and `/api/stix-bundle.json`.
    pub stix: bool,
    /// Include each incident's rendered body (`content_html`) in the JSON exports.
    pub bodies: bool,
}

impl Default for ExportsConfig {
    fn default() -> Self {
        ExportsConfig { json: true, csv: true, stix: true, bodies: false }
    }
}

impl ExportsConfig {
    /// Whether any export is on, and with it the `/data/` page that explains them.
    pub fn any(&self) -> bool {
        self.json || self.csv || self.stix
    }
}

/// How a taxonomy's terms are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TermOrder {
    /// Alphabetically by name.
    #[default]
    Name,
    /// Most incidents first.
    Count,
}

/// A step of a scale (severity, status): its name in front matter, and how themes show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Level {
    /// As written in front matter: `high`.
    pub name: String,
    /// As shown: `High`. Defaults to the name, capitalized.
    pub label: String,
    /// A CSS color for badges, if the site sets one.
    pub color: Option<String>,
    /// Whether the site wrote the label; if not, the theme may give it in the site's language.
    #[serde(skip)]
    pub label_given: bool,
}

impl<'de> Deserialize<'de> for Level {
    /// Either a bare name (`high`) or a map (`{name: high, label: High, color: "#c00"}`).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Name(String),
            Full { name: String, label: Option<String>, color: Option<String> },
        }
        Ok(match Form::deserialize(deserializer)? {
            Form::Name(name) => Level::new(&name, None),
            Form::Full { name, label, color } => {
                let mut level = Level::new(&name, color.as_deref());
                if let Some(label) = label {
                    level.label = label;
                    level.label_given = true;
                }
                level
            }
        })
    }
}

impl Level {
    fn new(name: &str, color: Option<&str>) -> Level {
        Level {
            name: name.to_string(),
            label: capitalize(name),
            color: color.map(str::to_string),
            label_given: false,
        }
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

fn taxonomy(name: &str, field: &str, title: &str) -> TaxonomyConfig {
    TaxonomyConfig {
        name: name.to_string(),
        field: Some(field.to_string()),
        path: None,
        title: Some(title.to_string()),
        pages: true,
        paginate_by: None,
        sort: TermOrder::Name,
    }
}

/// The taxonomies of a site without a `taxonomies:` setting.
pub fn default_taxonomies() -> Vec<TaxonomyConfig> {
    vec![
        taxonomy("tags", "tags", "Tags"),
        taxonomy("victims", "victims.name", "Victims"),
        taxonomy("sectors", "victims.sector", "Sectors"),
        taxonomy("countries", "location.country", "Countries"),
        taxonomy("actors", "actors.name", "Threat actors"),
        taxonomy("techniques", "techniques", "Techniques"),
        taxonomy("motives", "motives", "Motives"),
        taxonomy("severity", "severity", "Severity"),
        taxonomy("status", "status", "Status"),
    ]
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Incidents".to_string(),
            description: "Incident reports".to_string(),
            base_url: "/".to_string(),
            language: "en".to_string(),
            theme: "default".to_string(),
            paginate_by: 20,
            taxonomies: default_taxonomies(),
            severities: vec![
                Level::new("low", Some("#2e7d32")),
                Level::new("medium", Some("#b26a00")),
                Level::new("high", Some("#c62828")),
                Level::new("critical", Some("#6a1b9a")),
            ],
            statuses: ["ongoing", "contained", "resolved"].iter().map(|s| Level::new(s, None)).collect(),
            markdown: MarkdownConfig::default(),
            exports: ExportsConfig::default(),
            feeds: FeedsConfig::default(),
            search: SearchConfig::default(),
            menu: Vec::new(),
            logo: None,
            favicon: None,
            footer: None,
            show: std::collections::BTreeMap::new(),
            facts: Vec::new(),
            extra: serde_yaml::Mapping::new(),
            positions: Vec::new(),
        }
    }
}

impl TaxonomyConfig {
    /// The heading shown for the taxonomy.
    pub fn title(&self) -> String {
        self.title.clone().unwrap_or_else(|| capitalize(&self.name))
    }

    /// The incident field it reads.
    pub fn field(&self) -> &str {
        self.field.as_deref().unwrap_or(&self.name)
    }

    /// The URL segment of its pages.
    pub fn path(&self) -> &str {
        self.path.as_deref().unwrap_or(&self.name)
    }
}

impl Config {
    /// Reads `casebook.yaml` from the site root; a missing file means all defaults.
    pub fn load(root: &Path) -> Result<Config, Diagnostic> {
        let path = root.join(CONFIG_FILE);
        if !fs::exists(&path) {
            return Ok(Config::default());
        }
        Config::parse(&fs::read_to_string(&path)?, &path)
    }

    /// Parses and checks configuration text; `path` is only used in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, Diagnostic> {
        // An empty or comment-only file is a valid "all defaults" configuration.
        let mut config: Config =
            if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
                Config::default()
            } else if let Some((line, column)) = crate::base::frontmatter::too_deep_flow(text) {
                // Before the parser, whose time grows with the square of the nesting.
                return Err(Diagnostic::at(
                    Location::at(path, line + 1, column),
                    crate::base::frontmatter::FLOW_TOO_DEEP,
                ));
            } else {
                serde_yaml::from_str(text).map_err(|e| {
                    unknown_setting(&e, path).unwrap_or_else(|| Diagnostic::from_yaml(&e, path, 1, text))
                })?
            };
        config.positions = crate::base::frontmatter::top_level_keys(text)
            .into_iter()
            .map(|k| KeyLocation {
                key: k.key.to_string(),
                location: Location::at(path, k.line + 1, k.value_column),
            })
            .collect();
        config.check(text, path)?;
        Ok(config)
    }

    /// Where `key` was set in `casebook.yaml`, if it was.
    pub fn locate(&self, key: &str) -> Option<Location> {
        self.positions.iter().find(|k| k.key == key).map(|k| k.location.clone())
    }

    fn check(&self, text: &str, path: &Path) -> Result<(), Diagnostic> {
        let at_key = |key: &str| self.locate(key).unwrap_or_else(|| Location::file(CONFIG_FILE));
        if let Err(why) = BaseUrl::parse(&self.base_url) {
            return Err(Diagnostic::at(at_key("base_url"), why)
                .with_help("use `/`, `/sub/path/` or `https://example.org/sub/path/`"));
        }
        if self.paginate_by == 0 {
            return Err(Diagnostic::at(at_key("paginate_by"), "`paginate_by` must be at least 1"));
        }
        let mut seen = std::collections::HashSet::new();
        let mut paths = std::collections::HashSet::new();
        for (i, taxonomy) in self.taxonomies.iter().enumerate() {
            let name = &taxonomy.name;
            // Point at the taxonomy's own line, or the setting it is about when written.
            let at_setting = |key: &str| {
                use crate::base::frontmatter::{Seg, locate};
                let found = locate(text, &[Seg::Key("taxonomies"), Seg::Index(i), Seg::Key(key)])
                    .or_else(|| locate(text, &[Seg::Key("taxonomies"), Seg::Index(i)]));
                found.map_or_else(
                    || at_key("taxonomies"),
                    |(line, column)| Location::at(path, line + 1, column),
                )
            };
            let problem = if !is_slug(name) {
                Some(format!("taxonomy name `{name}` must be lowercase letters, digits and dashes"))
            } else if !is_slug(taxonomy.path()) {
                Some(format!(
                    "taxonomy `{name}`: path `{}` must be lowercase letters, digits and dashes",
                    taxonomy.path()
                ))
            } else if urls::RESERVED.contains(&taxonomy.path()) {
                Some(format!(
                    "taxonomy `{name}`: the path `{}` is used by casebook's own pages",
                    taxonomy.path()
                ))
            } else if !seen.insert(name.as_str()) {
                Some(format!("taxonomy `{name}` is configured twice"))
            } else if !paths.insert(taxonomy.path()) {
                Some(format!(
                    "taxonomy `{name}`: another taxonomy already uses the path `{}`",
                    taxonomy.path()
                ))
            } else if taxonomy.paginate_by == Some(0) {
                Some(format!("taxonomy `{name}`: `paginate_by` must be at least 1"))
            } else {
                crate::content::field_path::check_field(taxonomy.field())
                    .err()
                    .map(|why| format!("taxonomy `{name}`: {why}"))
            };
            if let Some(message) = problem {
                let about = ["field", "path", "paginate_by"]
                    .into_iter()
                    .find(|k| message.contains(&format!("{k} `")) || message.contains(&format!("`{k}`")));
                return Err(Diagnostic::at(at_setting(about.unwrap_or("name")), message));
            }
        }
        self.check_menu(text, path)?;
        self.check_show(text, path)?;
        for (key, scale) in [("severities", &self.severities), ("statuses", &self.statuses)] {
            let mut names = std::collections::HashSet::new();
            if scale.is_empty() {
                return Err(Diagnostic::at(at_key(key), format!("`{key}` needs at least one entry")));
            }
            if let Some(twice) = scale.iter().find(|l| !names.insert(l.name.as_str())) {
                return Err(Diagnostic::at(at_key(key), format!("`{key}` lists `{}` twice", twice.name)));
            }
        }
        Ok(())
    }

    /// Each menu entry names one thing that exists: a known section, a page slug, or an
    /// address that leaves no doubt where it goes.
    fn check_menu(&self, text: &str, path: &Path) -> Result<(), Diagnostic> {
        use crate::base::frontmatter::{Seg, locate};
        for (i, entry) in self.menu.iter().enumerate() {
            let at = |key: &str| {
                let found = locate(text, &[Seg::Key("menu"), Seg::Index(i), Seg::Key(key)])
                    .or_else(|| locate(text, &[Seg::Key("menu"), Seg::Index(i)]));
                found.map_or_else(
                    || self.locate("menu").unwrap_or_else(|| Location::file(path)),
                    |(line, column)| Location::at(path, line + 1, column),
                )
            };
            let kinds = [entry.section.is_some(), entry.page.is_some(), entry.url.is_some()];
            if kinds.iter().filter(|k| **k).count() != 1 {
                return Err(Diagnostic::at(at("title"), "a menu entry needs exactly one of `section`, `page` and `url`")
                    .with_help("e.g. `- section: archive`, `- page: about` or `- {title: Status, url: https://status.example.org/}`"));
            }
            if let Some(section) = &entry.section {
                let taxonomies = self.taxonomies.iter().filter(|t| t.pages).map(|t| t.name.as_str());
                let known: Vec<&str> = SECTIONS.iter().copied().chain(taxonomies).collect();
                if !known.contains(&section.as_str()) {
                    let help = match crate::base::suggest::closest(section, known.iter().copied()) {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => format!("the sections are: {}", known.join(", ")),
                    };
                    return Err(Diagnostic::at(
                        at("section"),
                        format!("the menu names no section `{section}`"),
                    )
                    .with_help(help));
                }
            }
            if let Some(page) = &entry.page
                && !is_slug(page)
            {
                return Err(Diagnostic::at(
                    at("page"),
                    format!("menu page `{page}` must be a page's slug: lowercase letters, digits and dashes"),
                ));
            }
            if let Some(url) = &entry.url {
                let absolute = url.starts_with("https://") || url.starts_with("http://");
                if !absolute && !url.starts_with('/') {
                    return Err(Diagnostic::at(
                        at("url"),
                        format!("menu address `{url}` is neither absolute nor from the site's root"),
                    )
                    .with_help("write `https://…` for another site, or `/path/` for a page of this one"));
                }
                if entry.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
                    return Err(Diagnostic::at(at("url"), "a menu entry with a `url` needs a `title`"));
                }
            }
        }
        Ok(())
    }

    /// Each key of `show:` names a section, a taxonomy or a facet.
    fn check_show(&self, text: &str, path: &Path) -> Result<(), Diagnostic> {
        use crate::base::frontmatter::{Seg, locate};
        let taxonomies = self.taxonomies.iter().map(|t| t.name.as_str());
        let mut known: Vec<&str> =
            SHOWN_SECTIONS.iter().chain(FACETS.iter()).copied().chain(taxonomies).collect();
        known.sort_unstable();
        known.dedup();
        for name in self.show.keys() {
            if known.contains(&name.as_str()) {
                continue;
            }
            let location = locate(text, &[Seg::Key("show"), Seg::Key(name)]).map_or_else(
                || self.locate("show").unwrap_or_else(|| Location::file(path)),
                |(line, column)| Location::at(path, line + 1, column),
            );
            let help = match crate::base::suggest::closest(name, known.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("`show:` names: {}", known.join(", ")),
            };
            return Err(Diagnostic::at(
                location,
                format!("`show:` names no section, taxonomy or facet `{name}`"),
            )
            .with_help(help));
        }
        Ok(())
    }

    /// How `show:` decides for `name`: auto unless set.
    pub fn show(&self, name: &str) -> Show {
        self.show.get(name).copied().unwrap_or_default()
    }

    /// The parsed `base_url`.
    pub fn base_url(&self) -> BaseUrl {
        // `check` ran when the configuration was loaded; fall back to the root for hand-made
        // configurations in tests.
        BaseUrl::parse(&self.base_url).unwrap_or_default()
    }
}

/// A friendlier error for a misspelt setting than the YAML library's list of every field.
fn unknown_setting(err: &serde_yaml::Error, path: &Path) -> Option<Diagnostic> {
    // serde says "unknown field `titel`, expected one of `title`, `description`, …".
    let text = err.to_string();
    let start = text.find("unknown field `")?;
    // Nested settings come with their path: "taxonomies[0]: unknown field …".
    let within = text[..start].trim_end_matches([':', ' ']);
    let (head, expected) = text[start..].split_once(", expected")?;
    let name = head.strip_prefix("unknown field `")?.strip_suffix('`')?;
    let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    let location =
        err.location().map_or_else(|| Location::file(path), |l| Location::at(path, l.line(), l.column()));
    let help = match crate::base::suggest::closest(name, known.iter().copied()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => format!("the settings here are: {}", known.join(", ")),
    };
    let within = if within.is_empty() { String::new() } else { format!(" in `{within}`") };
    Some(Diagnostic::at(location, format!("unknown setting `{name}`{within}")).with_help(help))
}

/// Where the site lives: an optional origin (`https://example.org`) and a path (`/sub/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// `https://example.org`, or empty when only a path was given.
    pub origin: String,
    /// Starts and ends with `/`.
    pub path: String,
}

impl Default for BaseUrl {
    fn default() -> Self {
        BaseUrl { origin: String::new(), path: "/".to_string() }
    }
}

impl BaseUrl {
    /// Parses `/`, `/sub/path`, `https://example.org` or `https://example.org/sub/path/`.
    pub fn parse(text: &str) -> Result<BaseUrl, String> {
        let text = text.trim();
        let (origin, path) =
            if let Some(rest) = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://")) {
                let host_end = rest.find('/').unwrap_or(rest.len());
                if host_end == 0 {
                    return Err(format!("base_url `{text}` has no host"));
                }
                let origin_len = text.len() - rest.len() + host_end;
                (&text[..origin_len], &text[origin_len..])
            } else if text.starts_with('/') {
                ("", text)
            } else {
                return Err(format!("base_url `{text}` must start with `/`, `http://` or `https://`"));
            };
        if path.contains(['?', '#', ' ', '"', '<', '>', '\\']) || path.split('/').any(|s| s == "..") {
            return Err(format!("base_url `{text}` has a path that is not a plain folder"));
        }
        let mut path = path.trim_end_matches('/').to_string();
        if !path.starts_with('/') {
            path.insert(0, '/');
        }
        if !path.ends_with('/') {
            path.push('/');
        }
        Ok(BaseUrl { origin: origin.to_string(), path })
    }

    /// The site-relative URL of an output path (`incidents/x/`), with the base path.
    pub fn url(&self, rel: &str) -> String {
        format!("{}{rel}", self.path)
    }

    /// The absolute URL of an output path when the origin is known, else the same as [`url`].
    ///
    /// [`url`]: BaseUrl::url
    pub fn permalink(&self, rel: &str) -> String {
        format!("{}{}{rel}", self.origin, self.path)
    }
}

impl Config {
    /// What parsing an incident needs to know of this site: its scales, its taxonomies' keys,
    /// its Markdown settings.
    pub fn parse_settings(&self) -> crate::content::incident::ParseSettings {
        let custom_keys = self
            .taxonomies
            .iter()
            .map(|t| t.field().split('.').next().unwrap_or_default().to_string())
            .filter(|k| !crate::content::incident::KNOWN_KEYS.contains(&k.as_str()))
            .collect();
        let base_path = Some(self.base_url().path).filter(|p| p != "/");
        let mut sections: Vec<String> = urls::RESERVED.iter().map(|s| (*s).to_string()).collect();
        sections.extend(self.taxonomies.iter().map(|t| t.path().to_string()));
        // Only needed when the base path's first step could be a folder of the site itself.
        let first_step =
            base_path.as_deref().and_then(|p| p.trim_matches('/').split('/').next()).unwrap_or_default();
        let sections = sections.iter().any(|s| s == first_step).then(|| sections.into());
        crate::content::incident::ParseSettings {
            severities: self.severities.iter().map(|l| l.name.clone()).collect(),
            statuses: self.statuses.iter().map(|l| l.name.clone()).collect(),
            custom_keys,
            markdown: crate::content::markdown::Settings {
                unsafe_html: self.markdown.unsafe_html,
                highlight: self.markdown.highlight,
                base_path: base_path.map(Into::into),
                sections,
            },
            base_path: self.base_url().path,
            show_internal: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_means_defaults() {
        let c = Config::parse("# nothing yet\n", Path::new("casebook.yaml")).expect("valid");
        assert_eq!(c.paginate_by, 20);
        assert_eq!(c.taxonomies[0].name, "tags");
    }

    #[test]
    fn unknown_keys_are_located_errors() {
        let e = Config::parse("title: x\ntitel: y\n", Path::new("casebook.yaml")).expect_err("unknown");
        assert_eq!(
            e.to_string(),
            "casebook.yaml:2:1: unknown setting `titel`\n  help: did you mean `title`?"
        );
        let e = Config::parse("taxonomies:\n  - name: x\n    titel: y\n", Path::new("casebook.yaml"))
            .expect_err("unknown");
        assert_eq!(
            e.to_string(),
            "casebook.yaml:3:5: unknown setting `titel` in `taxonomies[0]`\n  help: did you mean `title`?"
        );
    }

    #[test]
    fn bad_base_url_points_at_its_line() {
        let e =
            Config::parse("title: x\nbase_url: example.org\n", Path::new("casebook.yaml")).expect_err("bad");
        assert!(e.to_string().starts_with("casebook.yaml:2:11: base_url `example.org` must start"), "{e}");
    }

    #[test]
    fn base_urls_normalize() {
        let b = BaseUrl::parse("https://example.org/incidents-site").expect("valid");
        assert_eq!((b.origin.as_str(), b.path.as_str()), ("https://example.org", "/incidents-site/"));
        assert_eq!(b.url("tags/"), "/incidents-site/tags/");
        assert_eq!(b.permalink("tags/"), "https://example.org/incidents-site/tags/");
        assert_eq!(BaseUrl::parse("https://example.org").expect("valid").path, "/");
        assert_eq!(BaseUrl::parse("/").expect("valid"), BaseUrl::default());
        assert!(BaseUrl::parse("https:///x").is_err());
        assert!(BaseUrl::parse("/a/../b").is_err());
    }

    #[test]
    fn taxonomies_cannot_shadow_fields() {
        let e = Config::parse("taxonomies:\n  - name: dates\n    field: date\n", Path::new("c.yaml"))
            .expect_err("no terms");
        assert!(e.to_string().contains("taxonomy `dates`: field `date` cannot group incidents"), "{e}");
        let e = Config::parse("taxonomies:\n  - name: archive\n", Path::new("c.yaml")).expect_err("reserved");
        assert!(e.to_string().contains("the path `archive` is used by casebook"), "{e}");
    }

    #[test]
    fn show_forces_parts_on_or_off_and_names_only_what_exists() {
        let c =
            Config::parse("show:\n  matrix: always\n  sectors: never\n", Path::new("c.yaml")).expect("valid");
        assert_eq!(
            (c.show("matrix"), c.show("sectors"), c.show("archive")),
            (Show::Always, Show::Never, Show::Auto)
        );
        let e = Config::parse("title: x\nshow:\n  matirx: always\n", Path::new("c.yaml")).expect_err("typo");
        assert_eq!(
            e.to_string(),
            "c.yaml:3:11: `show:` names no section, taxonomy or facet `matirx`\n  help: did you mean `matrix`?"
        );
        let e = Config::parse("show:\n  matrix: sometimes\n", Path::new("c.yaml")).expect_err("value");
        assert!(e.to_string().contains("sometimes"), "{e}");
        let own = "taxonomies:\n  - name: vendors\n    field: extra.vendor\nshow: {vendors: always, severity: never}\n";
        assert!(Config::parse(own, Path::new("c.yaml")).is_ok(), "a taxonomy's name, and a facet's");
    }

    #[test]
    fn facts_are_keys_of_extra_with_a_title() {
        let c = Config::parse(
            "facts:\n  - change_id\n  - {key: region, title: Cloud region}\n",
            Path::new("c.yaml"),
        )
        .expect("valid");
        let facts: Vec<(&str, &str)> = c.facts.iter().map(|f| (f.key.as_str(), f.title.as_str())).collect();
        assert_eq!(facts, [("change_id", "Change id"), ("region", "Cloud region")]);
        assert!(Config::parse("facts:\n  - {key: a, label: b}\n", Path::new("c.yaml")).is_err());
    }
}
