//! Rendering: the pages of a loaded [`Site`] through the theme's Tera templates.
//!
//! [`plan`] lists every page to write; [`Renderer::render`] turns one into bytes. Both are free
//! of I/O, so the build can render in parallel and write as it goes, and the preview server can
//! re-render just the pages a change touches.
//!
//! Templates get compact, shared data: each incident is converted to a template value once, and
//! list pages reuse those values (Tera 2 shares arrays and maps by reference count) instead of
//! cloning whole incident lists into every context.

pub mod card;
pub mod export;
pub mod feed;
pub mod filters;
pub mod search;
pub mod sitemap;
pub mod stream;
pub mod view;

use std::borrow::Cow;

use serde::Serialize;
use tera::{Context, Tera, Value};

use crate::base::error::{Diagnostic, Error, Location};
use crate::content::incident::Incident;
use crate::site::Site;
use crate::site::taxonomy::Taxonomy;
use crate::theme::Theme;

/// What a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// An incident, by index into the site's incidents.
    Incident(usize),
    /// A page (1-based) of the list of all incidents.
    Index(usize),
    /// The overview of a taxonomy, by index into the site's taxonomies.
    TaxonomyList(usize),
    /// A page (1-based) of a term's incidents: taxonomy index, term index, page.
    Term(usize, usize, usize),
    /// The list of years and months with incidents.
    ArchiveIndex,
    /// A year of the archive, by index into [`crate::site::Site::archive`].
    ArchiveYear(usize),
    /// A month of the archive: year index, month (1-12).
    ArchiveMonth(usize, i8),
    /// The page describing the open-data downloads (`/data/`).
    DataPage,
    /// An open-data file (JSON, CSV, STIX), produced without templates.
    Data(crate::render::export::DataFile),
    /// A feed (Atom, JSON Feed), produced without templates.
    Feed(crate::render::feed::FeedFile),
    /// `sitemap.xml` (or a part of it) or `robots.txt`.
    Sitemap(crate::render::sitemap::SitemapFile),
    /// A redirect from an incident's old address: incident index, alias index.
    Alias(usize, usize),
    /// The search page.
    SearchPage,
    /// The statistics page (`/stats/`).
    StatsPage,
    /// The ATT&CK matrix of the techniques used (`/matrix/`).
    MatrixPage,
    /// The search index (`/search-index.json`).
    SearchIndex,
    /// The "not found" page.
    NotFound,
}

/// A page to render and the file it goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The output file, relative to the output folder, with `/` separators.
    pub file: String,
    /// What it shows.
    pub kind: PageKind,
}

/// The output path of the `n`th page (1-based) of a list whose first page is at `base`.
fn list_page_path(base: &str, n: usize) -> String {
    if n == 1 { base.to_string() } else { format!("{base}page/{n}/") }
}

fn pages_needed(count: usize, per_page: usize) -> usize {
    count.div_ceil(per_page).max(1)
}

/// The positions in a list of `len` incidents that its page `n` (1-based) shows.
fn page_range(len: usize, per_page: usize, n: usize) -> std::ops::Range<usize> {
    let start = ((n - 1) * per_page).min(len);
    start..(start + per_page).min(len)
}

/// Every page of the site, in a stable order.
pub fn plan(site: &Site) -> Vec<Page> {
    let mut pages = Vec::new();
    let index_file = |dir: String| format!("{dir}index.html");
    for (i, incident) in site.incidents.iter().enumerate() {
        pages.push(Page { file: incident_file(incident), kind: PageKind::Incident(i) });
        for (k, alias) in incident.aliases.iter().enumerate() {
            let file = if alias.ends_with('/') { index_file(alias.clone()) } else { alias.clone() };
            pages.push(Page { file, kind: PageKind::Alias(i, k) });
        }
    }
    for n in 1..=pages_needed(site.incidents.len(), site.config.paginate_by) {
        pages.push(Page { file: index_file(list_page_path("", n)), kind: PageKind::Index(n) });
    }
    pages.push(Page { file: "archive/index.html".to_string(), kind: PageKind::ArchiveIndex });
    for (y, year) in site.archive.iter().enumerate() {
        pages
            .push(Page { file: format!("archive/{}/index.html", year.year), kind: PageKind::ArchiveYear(y) });
        for month in year.months.iter().filter_map(|m| m.month) {
            let file = format!("archive/{}/{month:02}/index.html", year.year);
            pages.push(Page { file, kind: PageKind::ArchiveMonth(y, month) });
        }
    }
    for (t, taxonomy) in site.taxonomies.iter().enumerate().filter(|(_, t)| t.config.pages) {
        pages.push(Page { file: index_file(taxonomy.rel_path()), kind: PageKind::TaxonomyList(t) });
        let per_page = taxonomy.config.paginate_by.unwrap_or(site.config.paginate_by);
        for (k, term) in taxonomy.terms.iter().enumerate() {
            let base = taxonomy.term_rel_path(&term.slug);
            for n in 1..=pages_needed(term.incidents.len(), per_page) {
                pages
                    .push(Page { file: index_file(list_page_path(&base, n)), kind: PageKind::Term(t, k, n) });
            }
        }
    }
    if site.config.exports.any() {
        pages.push(Page { file: "data/index.html".to_string(), kind: PageKind::DataPage });
    }
    for (file, data) in crate::render::export::plan(site) {
        pages.push(Page { file, kind: PageKind::Data(data) });
    }
    pages.push(Page { file: "stats/index.html".to_string(), kind: PageKind::StatsPage });
    pages.push(Page { file: "matrix/index.html".to_string(), kind: PageKind::MatrixPage });
    if site.config.search.enabled {
        pages.push(Page { file: "search/index.html".to_string(), kind: PageKind::SearchPage });
        pages.push(Page { file: crate::render::search::INDEX_FILE.to_string(), kind: PageKind::SearchIndex });
    }
    for (file, feed) in crate::render::feed::plan(site) {
        pages.push(Page { file, kind: PageKind::Feed(feed) });
    }
    pages.push(Page { file: "404.html".to_string(), kind: PageKind::NotFound });
    let html_pages = pages.iter().filter(|p| crate::render::sitemap::listed(p)).count();
    for (file, sitemap) in crate::render::sitemap::plan(site, html_pages) {
        pages.push(Page { file, kind: PageKind::Sitemap(sitemap) });
    }
    pages
}

/// The order to render `pages` in: pages that list many incidents first, the longest first,
/// then the rest in plan order.
///
/// A build renders on every core; a page listing every incident (an index with pagination off)
/// takes one thread a long while. Planned late, it was the last page left, rendered by one
/// thread while the others idled. Data files keep their place after the incidents' pages:
/// the site-wide ones are assembled from fragments those make in parallel.
pub fn schedule<'p>(site: &Site, pages: &'p [Page]) -> Vec<&'p Page> {
    let mut order: Vec<(usize, &Page)> = pages.iter().map(|p| (weight(site, p), p)).collect();
    // Stable: pages of equal weight, all those of weight 0 among them, keep the plan's order.
    order.sort_by_key(|&(w, _)| std::cmp::Reverse(w));
    order.into_iter().map(|(_, p)| p).collect()
}

/// How many incidents (or terms, or lines) a page lists; 0 for pages that list none.
fn weight(site: &Site, page: &Page) -> usize {
    let shown = |list: usize, per_page: usize, n: usize| page_range(list, per_page, n).len();
    match page.kind {
        PageKind::Index(n) => shown(site.incidents.len(), site.config.paginate_by, n),
        PageKind::Term(t, k, n) => {
            let taxonomy = &site.taxonomies[t];
            let per_page = taxonomy.config.paginate_by.unwrap_or(site.config.paginate_by);
            shown(taxonomy.terms[k].incidents.len(), per_page, n)
        }
        PageKind::TaxonomyList(t) => site.taxonomies[t].terms.len(),
        PageKind::ArchiveYear(y) => site.archive[y].incidents.len(),
        PageKind::ArchiveMonth(y, m) => {
            site.archive[y].months.iter().filter(|g| g.month == Some(m)).map(|g| g.incidents.len()).sum()
        }
        PageKind::ArchiveIndex => site.archive.len(),
        // A line per incident or page, without templates: as long as the longest list at most.
        PageKind::SearchIndex | PageKind::StatsPage | PageKind::MatrixPage | PageKind::Sitemap(_) => {
            site.incidents.len()
        }
        PageKind::Feed(_) => site.config.feeds.limit.min(site.incidents.len()),
        PageKind::Incident(_)
        | PageKind::Alias(..)
        | PageKind::Data(_)
        | PageKind::DataPage
        | PageKind::SearchPage
        | PageKind::NotFound => 0,
    }
}

/// A page that sends readers (and search engines) from an old address to the incident.
fn redirect(site: &Site, incident: &Incident) -> Vec<u8> {
    let rel = incident_path(incident);
    let to = crate::base::escape::xml_escape(&site.base_url.url(&rel));
    let canonical = crate::base::escape::xml_escape(&site.base_url.permalink(&rel));
    let title = crate::base::escape::xml_escape(&incident.title);
    let lang = crate::base::escape::xml_escape(&site.config.language);
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <link rel=\"canonical\" href=\"{canonical}\">\n<meta name=\"robots\" content=\"noindex\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={to}\">\n</head>\n<body>\n\
         <p>This incident has moved: <a href=\"{to}\">{title}</a>.</p>\n</body>\n</html>\n"
    )
    .into_bytes()
}

/// Pages planned twice at the same path: an alias taking a generated page's address, or two
/// incidents' aliases colliding. Each is an error naming what collides. Paths are compared as
/// a case-insensitive file system would (`Index.html` is `index.html` on a Mac), and a page
/// whose folder is another page's file (an alias `/atom.xml/`, next to the feed) collides too.
pub fn collisions(site: &Site, pages: &[Page]) -> Vec<Diagnostic> {
    let mut first: std::collections::HashMap<Cow<'_, str>, &Page> = std::collections::HashMap::new();
    let mut errors = Vec::new();
    let describe = |page: &Page| describe(site, page);
    // An alias is the mistake to point at: it is the one written by hand.
    let located = |a: &Page, b: &Page| {
        alias_location(site, a).or_else(|| alias_location(site, b)).unwrap_or_else(|| Location::file(&a.file))
    };
    for page in pages {
        match first.get(&*folded(&page.file)) {
            Some(earlier) => {
                let what = if earlier.file == page.file {
                    format!("`{}` would be written twice", page.file)
                } else {
                    format!(
                        "`{}` and `{}` would be one file on a case-insensitive file system (macOS, Windows)",
                        earlier.file, page.file
                    )
                };
                errors.push(
                    Diagnostic::at(
                        located(page, earlier),
                        format!("{what}: by {} and by {}", describe(earlier), describe(page)),
                    )
                    .with_help("change the alias (or the slug) so each address has one page"),
                );
            }
            None => {
                first.insert(folded(&page.file), page);
            }
        }
    }
    // Only an alias can take a file's address as a folder: generated paths are made of slugs,
    // which never name a file.
    for page in pages.iter().filter(|p| matches!(p.kind, PageKind::Alias(..))) {
        let folders = page.file.match_indices('/').map(|(at, _)| &page.file[..at]);
        for folder in folders {
            if let Some(file) = first.get(&*folded(folder)) {
                errors.push(
                    Diagnostic::at(
                        located(page, file),
                        format!(
                            "`{}` is a file, written by {}, but {} needs it as a folder for `{}`",
                            file.file,
                            describe(file),
                            describe(page),
                            page.file
                        ),
                    )
                    .with_help("change the alias (or the slug) so it does not take the address of a file"),
                );
            }
        }
    }
    errors
}

/// `path` as a case-insensitive file system compares it. Generated paths are lowercase and
/// come back borrowed: this runs for every file of a build.
fn folded(path: &str) -> Cow<'_, str> {
    if path.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(path.to_ascii_lowercase())
    } else {
        Cow::Borrowed(path)
    }
}

/// What planned `page`, for errors.
fn describe(site: &Site, page: &Page) -> String {
    match page.kind {
        PageKind::Alias(i, _) => format!("an alias of {}", site.incidents[i].path.display()),
        PageKind::Incident(i) => format!("the page of {}", site.incidents[i].path.display()),
        _ => "a page casebook generates".to_string(),
    }
}

/// Where the alias that asked for `page` is written, if an alias did.
fn alias_location(site: &Site, page: &Page) -> Option<Location> {
    let PageKind::Alias(i, k) = page.kind else { return None };
    let incident = &site.incidents[i];
    Some(incident.alias_locations.get(k).cloned().unwrap_or_else(|| Location::file(&incident.path)))
}

/// Pages whose folder is a static file (an alias `/style.css/` next to the stylesheet): the
/// file and the folder cannot both be written.
pub fn folder_collisions<'a>(
    site: &Site,
    pages: &[Page],
    statics: impl Iterator<Item = &'a str>,
) -> Vec<Diagnostic> {
    let statics: std::collections::HashSet<Cow<'_, str>> = statics.map(folded).collect();
    let mut errors = Vec::new();
    for page in pages {
        let mut folders = page.file.match_indices('/').map(|(at, _)| &page.file[..at]);
        let Some(file) = folders.find(|f| statics.contains(&*folded(f))) else { continue };
        let at = alias_location(site, page).unwrap_or_else(|| Location::file(&page.file));
        let what = describe(site, page);
        errors.push(
            Diagnostic::at(
                at,
                format!("`{file}` is a static file, but {what} needs it as a folder for `{}`", page.file),
            )
            .with_help("change the alias (or the slug) so it does not take the address of a file"),
        );
    }
    errors
}

/// The file of an incident's page in the output: `incidents/<slug>/index.html`.
pub fn incident_file(incident: &Incident) -> String {
    format!("{}index.html", incident_path(incident))
}

/// The output folder of an incident's page, relative to the site: `incidents/<slug>/`.
pub fn incident_path(incident: &Incident) -> String {
    format!("incidents/{}/", incident.slug)
}

#[derive(Serialize)]
struct Neighbour<'a> {
    title: &'a str,
    url: String,
}

#[derive(Serialize)]
struct TaxonomyView {
    name: String,
    field: String,
    title: String,
    /// Its overview page, or none when it has no pages.
    url: Option<String>,
    count: usize,
}

#[derive(Serialize)]
struct TermView<'a> {
    name: &'a str,
    slug: &'a str,
    url: String,
    count: usize,
    /// The term's Atom feed, when the site has term feeds.
    feed: Option<String>,
}

#[derive(Serialize)]
struct PagerLink {
    index: usize,
    url: String,
}

/// A taxonomy as every template sees it in `taxonomies`: only what the configuration decides,
/// so that adding or removing a term never changes what every page reads.
#[derive(Serialize)]
struct TaxonomyLink {
    name: String,
    field: String,
    title: String,
    url: Option<String>,
}

#[derive(Serialize)]
struct BuildInfo {
    version: &'static str,
}

/// Registers `get_taxonomy(name="tags")`, which gives any template a taxonomy with all its
/// terms and each term's incidents (the same shared values list pages use). The values are
/// only put together on the first call: most themes never call it.
fn register_lookups(tera: &mut Tera, site: &Site, incidents: std::sync::Arc<Vec<Value>>) {
    let taxonomies = std::sync::Arc::clone(&site.taxonomies);
    let base = site.base_url.clone();
    let by_name: std::sync::OnceLock<std::collections::HashMap<String, Value>> = std::sync::OnceLock::new();
    tera.register_function("get_taxonomy", move |kwargs: tera::Kwargs, _: &tera::State| {
        let name: String = kwargs.must_get("name")?;
        let by_name = by_name.get_or_init(|| taxonomy_values(&taxonomies, &base, &incidents));
        by_name.get(&name).cloned().ok_or_else(|| {
            let mut known: Vec<&str> = by_name.keys().map(String::as_str).collect();
            known.sort_unstable();
            tera::Error::message(format!(
                "get_taxonomy: no taxonomy `{name}`; this site has {}",
                known.join(", ")
            ))
        })
    });
}

/// Every taxonomy as `get_taxonomy()` returns it, by name.
fn taxonomy_values(
    taxonomies: &[Taxonomy],
    base: &crate::config::BaseUrl,
    incidents: &[Value],
) -> std::collections::HashMap<String, Value> {
    let mut by_name = std::collections::HashMap::new();
    for taxonomy in taxonomies {
        let mut map = Value::from_serializable(&taxonomy_view(base, taxonomy)).into_map().unwrap_or_default();
        let terms: Vec<Value> = taxonomy
            .terms
            .iter()
            .map(|term| {
                let mut t = tera::Map::new();
                t.insert("name".into(), Value::from(term.name.as_str()));
                t.insert("key".into(), Value::from(term.key.as_str()));
                t.insert("slug".into(), Value::from(term.slug.as_str()));
                let url = taxonomy.config.pages.then(|| base.url(&taxonomy.term_rel_path(&term.slug)));
                t.insert("url".into(), Value::from(url));
                t.insert("count".into(), Value::from(term.incidents.len()));
                let list: Vec<Value> = term.incidents.iter().map(|&i| incidents[i].clone()).collect();
                t.insert("incidents".into(), Value::from(list));
                Value::from(t)
            })
            .collect();
        map.insert("terms".into(), Value::from(terms));
        by_name.insert(taxonomy.config.name.clone(), Value::from(map));
    }
    by_name
}

/// The site's figures, with their charts as ready SVG (marked safe: casebook drew them).
fn stats_value(stats: &crate::site::stats::Stats) -> Value {
    use crate::site::stats::{columns, rows};
    let mut map = Value::from_serializable(stats).into_map().unwrap_or_default();
    let mut charts = tera::Map::new();
    let chart = |svg: String| Value::safe_string(&svg);
    charts.insert("per_year".into(), chart(columns("Incidents per year", &stats.per_year)));
    charts
        .insert("per_month".into(), chart(columns("Incidents per month, last 24 months", &stats.per_month)));
    charts.insert("by_sector".into(), chart(rows("Incidents by sector", &stats.by_sector)));
    charts.insert("by_country".into(), chart(rows("Incidents by country", &stats.by_country)));
    charts.insert("by_severity".into(), chart(rows("Incidents by severity", &stats.by_severity)));
    charts.insert("top_techniques".into(), chart(rows("Most used ATT&CK techniques", &stats.top_techniques)));
    map.insert("charts".into(), Value::from(charts));
    Value::from(map)
}

/// Registers `asset(path="style.css")`: the file's URL with a short content hash
/// (`/style.css?v=3f2a…`), so static hosts can cache theme files for long without ever serving
/// a stale one after a change.
fn register_assets(tera: &mut Tera, site: &Site, theme: &Theme, versioned: bool) -> u64 {
    let mut versions = std::collections::HashMap::new();
    for (rel, source) in &theme.statics {
        let bytes = match source {
            crate::theme::StaticSource::Embedded(bytes) => Some(bytes.to_vec()),
            crate::theme::StaticSource::File(path) => crate::base::fs::read(path).ok(),
        };
        if let Some(bytes) = bytes {
            // FNV-1a: stable across Rust versions and platforms, unlike the std hasher.
            let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
            for b in bytes {
                hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
            versions.insert(rel.clone(), format!("{:08x}", hash >> 32));
        }
    }
    let fingerprint = if versioned {
        let mut sorted: Vec<(&String, &String)> = versions.iter().collect();
        sorted.sort_unstable();
        hash_of(&sorted)
    } else {
        // Unversioned URLs only change with the set of files.
        let mut names: Vec<&String> = versions.keys().collect();
        names.sort_unstable();
        hash_of(&names)
    };
    let base = site.base_url.clone();
    let versions = std::sync::Arc::new(versions);
    tera.register_function("asset", move |kwargs: tera::Kwargs, _: &tera::State| {
        let path: String = kwargs.must_get("path")?;
        let path = path.trim_start_matches('/');
        match versions.get(path) {
            Some(_) if !versioned => Ok(base.url(path)),
            Some(v) => Ok(format!("{}?v={v}", base.url(path))),
            None => {
                Err(tera::Error::message(format!("asset: the theme and site have no static file `{path}`")))
            }
        }
    });
    fingerprint
}

/// A hash of a value, to tell whether it changed between two builds of one process.
fn hash_of(value: &impl std::hash::Hash) -> u64 {
    use std::hash::Hasher;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// A hash of a value's JSON form.
fn json_hash(value: &impl Serialize) -> u64 {
    hash_of(&serde_json::to_string(value).unwrap_or_default())
}

fn taxonomy_view(base: &crate::config::BaseUrl, taxonomy: &Taxonomy) -> TaxonomyView {
    TaxonomyView {
        name: taxonomy.config.name.clone(),
        field: taxonomy.config.field().to_string(),
        title: taxonomy.config.title(),
        url: taxonomy.config.pages.then(|| base.url(&taxonomy.rel_path())),
        count: taxonomy.terms.len(),
    }
}

/// Renders pages of one site with one theme.
pub struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    tera: Tera,
    /// Each incident as list pages show it, built once.
    incidents: std::sync::Arc<Vec<Value>>,
    shared: Shared,
    /// The incidents' serialized records and STIX objects, shared by their own data files and
    /// the site-wide ones: made when a data file first needs them, unless an earlier build's
    /// were offered first.
    fragments: std::sync::OnceLock<crate::render::export::fragments::Fragments>,
    /// Each incident's feed entry, shared by the feeds listing it.
    feed_entries: std::sync::OnceLock<crate::render::feed::Entries>,
    /// The page links of each paginated list, by the list's first page.
    pagers: std::sync::Mutex<std::collections::HashMap<String, Value>>,
    /// The archive's years and months, the same on every archive page: made once.
    archive_years: std::sync::OnceLock<Value>,
    /// The largest page each template made so far, by template name: the next page of that
    /// template starts with this much room (see [`Renderer::render_template`]).
    page_sizes: std::sync::Mutex<std::collections::HashMap<String, usize>>,
}

/// What a renderer prepares from the whole site: compiled templates with the global variables,
/// the STIX export's shared data, fingerprints of the globals. A preview rebuild that leaves the
/// site's structure alone (an incident's text edited, not its date, terms or slug) reuses it.
#[derive(Clone)]
pub struct Shared {
    tera: Tera,
    /// Made when first needed: the edited page of a preview rebuild does not need it.
    stix: std::sync::Arc<std::sync::OnceLock<crate::render::export::stix::Context>>,
    /// Every page of the site, for the sitemap; planned when first needed.
    plan: std::sync::Arc<std::sync::OnceLock<Vec<Page>>>,
    globals: crate::preview::signature::Globals,
    /// The incident fields the templates can read: the only ones built.
    fields: crate::render::view::Fields,
}

/// How a [`Renderer`] is set up beyond the site and theme.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Each incident's template value ([`crate::render::view::incident`]), when the caller kept them
    /// from an earlier build; built here otherwise.
    pub views: Option<Vec<Value>>,
    /// `asset()` gives plain URLs, without the content hash: for the preview, which serves
    /// every file uncached, so that a stylesheet change does not change every page.
    pub unversioned_assets: bool,
}

impl Shared {
    /// Compiles the theme's templates and prepares the site-wide template data.
    pub fn new(site: &Site, theme: &Theme, unversioned_assets: bool) -> Result<Shared, Error> {
        let mut tera = Tera::new();
        // Escape everything by default, whatever the template's extension: front matter is
        // user input and every output format (HTML, XML feeds) needs it escaped.
        tera.autoescape_on([""]);
        // Functions before templates: Tera 2 checks the functions a template calls when it is
        // added. Each renderer registers `get_taxonomy` again with its own incidents.
        register_lookups(&mut tera, site, std::sync::Arc::new(Vec::new()));
        crate::render::card::declare(&mut tera);
        crate::render::filters::register(&mut tera);
        let assets = register_assets(&mut tera, site, theme, !unversioned_assets);
        tera.add_raw_templates(theme.templates.iter().map(|(name, t)| (name.as_str(), t.text.as_str())))
            .map_err(|e| template_errors(&e, theme))?;
        crate::render::card::add_wrappers(&mut tera).map_err(|e| template_errors(&e, theme))?;
        for name in crate::theme::REQUIRED_TEMPLATES {
            if !tera.contains_template(name) {
                return Err(Diagnostic::new(format!("the theme has no `{name}` template")).into());
            }
        }
        let mut shared = Shared {
            tera,
            stix: std::sync::Arc::default(),
            plan: std::sync::Arc::default(),
            globals: crate::preview::signature::Globals::new(),
            fields: crate::render::view::Fields::of_site(theme, &site.config),
        };
        shared.globals.insert("asset", assets);
        shared.update(site);
        Ok(shared)
    }

    /// The incident fields the theme's templates can read, which its values hold.
    pub fn fields(&self) -> &crate::render::view::Fields {
        &self.fields
    }

    /// Recomputes the site-wide data for `site`, keeping the compiled templates: for a site
    /// whose incidents changed but whose theme and configuration did not.
    pub fn update(&mut self, site: &Site) {
        let base = &site.base_url;
        let taxonomies: Vec<TaxonomyLink> = site
            .taxonomies
            .iter()
            .map(|t| {
                let view = taxonomy_view(base, t);
                TaxonomyLink { name: view.name, field: view.field, title: view.title, url: view.url }
            })
            .collect();
        let mut config = site.config.clone();
        config.base_url = base.permalink("");
        let globals = self.tera.global_context();
        globals.insert("config", &config);
        globals.insert("taxonomies", &taxonomies);
        globals.insert("root_url", &base.url(""));
        let has_feeds = !crate::render::feed::plan(site).is_empty();
        let mut feeds = tera::Map::new();
        feeds.insert("atom".into(), Value::from(has_feeds.then(|| base.url("atom.xml"))));
        feeds.insert("json".into(), Value::from(has_feeds.then(|| base.url("feed.json"))));
        globals.insert_value("feeds", Value::from(feeds));
        // The site's own pages, for navigation: the optional ones are none when turned off,
        // so a menu never links to a page the build does not write. Like `config`, they
        // change only with the configuration.
        let mut links = tera::Map::new();
        for (name, path) in [("archive", "archive/"), ("stats", "stats/"), ("matrix", "matrix/")] {
            links.insert(name.into(), Value::from(base.url(path)));
        }
        links.insert("data".into(), Value::from(site.config.exports.any().then(|| base.url("data/"))));
        links.insert("search".into(), Value::from(site.config.search.enabled.then(|| base.url("search/"))));
        globals.insert_value("links", Value::from(links));
        let stats = crate::site::stats::Stats::new(site);
        globals.insert_value("stats", stats_value(&stats));
        globals.insert("build", &BuildInfo { version: env!("CARGO_PKG_VERSION") });

        // What a change of each global would change; `config`, `root_url` and `build` only
        // change with the configuration, which the caller fingerprints as a whole.
        self.globals.insert("taxonomies", json_hash(&taxonomies));
        self.globals.insert("feeds", hash_of(&has_feeds));
        self.globals.insert("stats", json_hash(&stats));
        // `get_taxonomy()` hands out every term with its incidents: callers combine this with
        // the incidents' versions.
        let identities = hash_of(&site.incidents.iter().map(|i| (&i.path, &i.slug)).collect::<Vec<_>>());
        self.globals.insert("get_taxonomy", identities);
        self.stix = std::sync::Arc::default();
        self.plan = std::sync::Arc::default();
    }

    /// The STIX identifiers and first-seen times, if a renderer made them from this data.
    pub fn stix_context(&self) -> Option<&crate::render::export::stix::Context> {
        self.stix.get()
    }
}

impl<'a> Renderer<'a> {
    /// Compiles the theme's templates and prepares the site's shared template data.
    pub fn new(site: &'a Site, theme: &'a Theme) -> Result<Renderer<'a>, Error> {
        Renderer::with_options(site, theme, RenderOptions::default())
    }

    /// [`Renderer::new`] with [`RenderOptions`].
    pub fn with_options(
        site: &'a Site,
        theme: &'a Theme,
        options: RenderOptions,
    ) -> Result<Renderer<'a>, Error> {
        let shared = Shared::new(site, theme, options.unversioned_assets)?;
        Ok(Renderer::with_shared(site, theme, shared, options.views))
    }

    /// A renderer from site-wide data prepared earlier (see [`Shared`]); `views` are the
    /// incidents' template values, built here when `None` or not one per incident.
    pub fn with_shared(
        site: &'a Site,
        theme: &'a Theme,
        shared: Shared,
        views: Option<Vec<Value>>,
    ) -> Renderer<'a> {
        use rayon::prelude::*;
        let incidents: Vec<Value> = match views {
            Some(views) if views.len() == site.incidents.len() => views,
            _ => site
                .incidents
                .par_iter()
                .map_init(crate::render::view::ViewCache::default, |cache, i| {
                    crate::render::view::incident_with(site, i, cache, &shared.fields)
                })
                .collect(),
        };
        let incidents = std::sync::Arc::new(incidents);
        if shared.fields.wants("related") {
            // Made here, once, rather than by the first pages rendered in parallel, each
            // making them alike (see `Site::related`).
            site.related();
        }
        let mut tera = shared.tera.clone();
        register_lookups(&mut tera, site, std::sync::Arc::clone(&incidents));
        crate::render::card::register(&mut tera, std::sync::Arc::clone(&incidents));
        Renderer {
            site,
            theme,
            tera,
            incidents,
            shared,
            fragments: std::sync::OnceLock::new(),
            feed_entries: std::sync::OnceLock::new(),
            pagers: std::sync::Mutex::default(),
            archive_years: std::sync::OnceLock::new(),
            page_sizes: std::sync::Mutex::default(),
        }
    }

    /// Offers the serialized records and STIX objects of an earlier build (see
    /// [`crate::render::export::fragments::Fragments::carried_over`]), taken unless a data file was
    /// rendered already.
    pub fn offer_fragments(&self, fragments: crate::render::export::fragments::Fragments) {
        // Refused only when this renderer made its own, which are as right.
        let _ = self.fragments.set(fragments);
    }

    /// The serialized records and STIX objects this renderer made, for the next rebuild.
    pub fn into_fragments(self) -> Option<crate::render::export::fragments::Fragments> {
        self.fragments.into_inner()
    }

    /// The site this renderer renders.
    pub fn site(&self) -> &'a Site {
        self.site
    }

    /// The site-wide data, to reuse for a later build of the same structure.
    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    /// A fingerprint of each global variable and function the templates can read, to tell which
    /// changed between two builds. `get_taxonomy` is only fingerprinted by the incidents'
    /// identities: callers combine it with the incidents' versions.
    pub fn global_fingerprints(&self) -> &crate::preview::signature::Globals {
        &self.shared.globals
    }

    /// The STIX identifiers and shared timestamps of this build.
    pub fn stix(&self) -> &crate::render::export::stix::Context {
        self.shared.stix.get_or_init(|| crate::render::export::stix::Context::new(self.site))
    }

    /// The template value of each incident, for reuse by a later build of the same site.
    pub fn views(&self) -> &[Value] {
        &self.incidents
    }

    /// The incidents' template values, shared: to outlive the renderer (see [`crate::dispose`]).
    pub fn views_shared(&self) -> std::sync::Arc<Vec<Value>> {
        std::sync::Arc::clone(&self.incidents)
    }

    /// Frees what the renderer made on a thread of its own (see [`crate::dispose`]): the
    /// incidents' data fragments and feed entries, cards and compiled templates are hundreds of
    /// thousands of allocations on a large site, and freeing them held up the build's end (some
    /// 60 ms at 10,000 incidents).
    pub fn dispose(self) {
        let Renderer {
            site: _,
            theme: _,
            tera,
            incidents,
            shared,
            fragments,
            feed_entries,
            pagers,
            archive_years,
            page_sizes,
        } = self;
        crate::dispose((tera, incidents, shared, fragments, feed_entries, pagers, archive_years, page_sizes));
    }

    /// Renders one page.
    pub fn render(&self, page: &Page) -> Result<Vec<u8>, Diagnostic> {
        let site = self.site;
        match page.kind {
            PageKind::Data(file) => {
                let fragments =
                    self.fragments.get_or_init(|| crate::render::export::fragments::Fragments::new(site));
                return Ok(crate::render::export::render(site, self.stix(), fragments, file));
            }
            PageKind::Feed(file) => {
                let entries = self.feed_entries.get_or_init(|| crate::render::feed::Entries::new(site));
                return Ok(crate::render::feed::render(site, entries, file));
            }
            PageKind::Sitemap(file) => {
                let plan = self.shared.plan.get_or_init(|| plan(site));
                return Ok(crate::render::sitemap::render(site, plan, file));
            }
            PageKind::Alias(i, _) => return Ok(redirect(site, &site.incidents[i])),
            PageKind::SearchIndex => return Ok(crate::render::search::render(site)),
            _ => {}
        }
        let base = &site.base_url;
        let mut context = Context::new();
        let current = page.file.strip_suffix("index.html").unwrap_or(&page.file);
        context.insert("current_url", &base.url(current));
        context.insert("current_permalink", &base.permalink(current));
        let template = match page.kind {
            PageKind::Incident(i) => {
                let incident = &site.incidents[i];
                context.insert_value(
                    "incident",
                    self.incident_page_value(incident, &self.incidents[i], Some(i)),
                );
                "incident.html"
            }
            PageKind::Index(n) => {
                let all: Vec<usize> = (0..site.incidents.len()).collect();
                context.insert_value("paginator", self.paginator(&all, "", site.config.paginate_by, n));
                "index.html"
            }
            PageKind::TaxonomyList(t) => {
                let taxonomy = &site.taxonomies[t];
                context.insert("taxonomy", &taxonomy_view(&site.base_url, taxonomy));
                let terms: Vec<TermView<'_>> =
                    taxonomy.terms.iter().map(|term| self.term_view(taxonomy, term)).collect();
                context.insert("terms", &terms);
                "taxonomy_list.html"
            }
            PageKind::Term(t, k, n) => {
                let taxonomy = &site.taxonomies[t];
                let term = &taxonomy.terms[k];
                let per_page = taxonomy.config.paginate_by.unwrap_or(site.config.paginate_by);
                // Without the number of terms: a new term elsewhere must not change every page.
                let view = taxonomy_view(&site.base_url, taxonomy);
                let link =
                    TaxonomyLink { name: view.name, field: view.field, title: view.title, url: view.url };
                context.insert("taxonomy", &link);
                context.insert("term", &self.term_view(taxonomy, term));
                let paginator =
                    self.paginator(&term.incidents, &taxonomy.term_rel_path(&term.slug), per_page, n);
                context.insert_value("paginator", paginator);
                "taxonomy_term.html"
            }
            PageKind::ArchiveIndex => {
                context.insert_value("archive", self.archive(None, None));
                "archive.html"
            }
            PageKind::ArchiveYear(y) => {
                context.insert_value("archive", self.archive(Some(y), None));
                "archive.html"
            }
            PageKind::ArchiveMonth(y, m) => {
                context.insert_value("archive", self.archive(Some(y), Some(m)));
                "archive.html"
            }
            PageKind::StatsPage => "stats.html",
            PageKind::MatrixPage => {
                context.insert("matrix", &crate::site::stats::matrix(site));
                "matrix.html"
            }
            PageKind::SearchPage => {
                context.insert_value("search", self.search_page());
                "search.html"
            }
            PageKind::DataPage => {
                context.insert_value("data", self.data_page());
                "data.html"
            }
            PageKind::Data(_)
            | PageKind::Feed(_)
            | PageKind::Sitemap(_)
            | PageKind::Alias(..)
            | PageKind::SearchIndex
            | PageKind::NotFound => "404.html",
        };
        let source = match page.kind {
            PageKind::Incident(i) => Some(site.incidents[i].path.as_path()),
            _ => None,
        };
        self.render_template(template, &context, &page.file, source)
    }

    /// Renders the page of an incident that is not one of this renderer's site (at
    /// [`incident_file`]), as a build writing incident pages while it loads does
    /// ([`crate::render::stream`]); `view` is its list value. Only for a theme whose incident page reads
    /// nothing of other incidents: the page is given no `newer`, `older` or `related`.
    pub fn render_alone(&self, incident: &Incident, view: &Value) -> Result<Vec<u8>, Diagnostic> {
        let base = &self.site.base_url;
        let rel = incident_path(incident);
        let mut context = Context::new();
        context.insert("current_url", &base.url(&rel));
        context.insert("current_permalink", &base.permalink(&rel));
        context.insert_value("incident", self.incident_page_value(incident, view, None));
        self.render_template("incident.html", &context, &incident_file(incident), Some(&incident.path))
    }

    /// Renders `template`; errors say which page, and which content file it shows.
    fn render_template(
        &self,
        template: &str,
        context: &Context,
        file: &str,
        source: Option<&std::path::Path>,
    ) -> Result<Vec<u8>, Diagnostic> {
        // Tera guesses a page's size from its template's text, and an incident page holds a
        // whole body more: its buffer was grown and copied over several times, a few percent
        // of a build. Pages of one template are alike in size, so the largest so far is the
        // guess. Rendered into bytes, the page is not checked for UTF-8 again either.
        let sizes = || self.page_sizes.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let room = sizes().get(template).copied().unwrap_or(0);
        let mut page = Vec::with_capacity(room);
        self.tera.render_to(template, context, &mut page).map_err(|e| {
            let source = source.map_or_else(String::new, |path| format!(" ({})", path.display()));
            template_error(&e, self.theme, Some(template))
                .caused_by(format!("while rendering {file}{source}"))
        })?;
        if page.len() > room {
            let mut sizes = sizes();
            let largest = sizes.entry(template.to_string()).or_default();
            *largest = (*largest).max(page.len());
        }
        Ok(page)
    }

    fn term_view<'t>(&self, taxonomy: &Taxonomy, term: &'t crate::site::taxonomy::Term) -> TermView<'t> {
        TermView {
            name: &term.name,
            slug: &term.slug,
            url: self.site.base_url.url(&taxonomy.term_rel_path(&term.slug)),
            count: term.incidents.len(),
            feed: (self.site.config.feeds.enabled
                && self.site.config.feeds.taxonomies
                && !self.site.base_url.origin.is_empty())
            .then(|| self.site.base_url.url(&format!("{}atom.xml", taxonomy.term_rel_path(&term.slug)))),
        }
    }

    /// An incident on its own page: its list view and what only its page shows. `place` is
    /// its index in the site, for its neighbours and related incidents; `None` leaves them out.
    fn incident_page_value(&self, incident: &Incident, view: &Value, place: Option<usize>) -> Value {
        let site = self.site;
        let neighbour = |j: usize| {
            site.incidents
                .get(j)
                .map(|n| Neighbour { title: &n.title, url: site.base_url.url(&incident_path(n)) })
        };
        // The view's map, copied with its entries shared rather than serialized again (which
        // made every key anew), then given the page's own entries that templates can read.
        let map = view.as_map().cloned().unwrap_or_default();
        let mut page = crate::render::view::Entries::extend(&self.shared.fields, map);
        page.add("content", || Value::safe_string(&incident.content_html));
        page.put("toc", || &incident.toc);
        page.add("json_ld", || Value::safe_string(&crate::render::view::json_ld(site, incident)));
        if let Some(i) = place {
            // The list is newest first: the newer incident comes before this one.
            page.put("newer", || i.checked_sub(1).and_then(neighbour));
            page.put("older", || neighbour(i + 1));
            page.add("related", || {
                Value::from(
                    site.related()[i].iter().map(|&j| self.incidents[j].clone()).collect::<Vec<Value>>(),
                )
            });
        }
        page.into_value()
    }

    /// What the search page offers: the index URL and the choices of each filter.
    fn search_page(&self) -> Value {
        let site = self.site;
        let mut map = tera::Map::new();
        map.insert("index".into(), Value::from(site.base_url.url(crate::render::search::INDEX_FILE)));
        let pairs = |items: Vec<(String, String)>| -> Value {
            Value::from(
                items
                    .into_iter()
                    .map(|(value, label)| {
                        let mut m = tera::Map::new();
                        m.insert("value".into(), Value::from(value));
                        m.insert("label".into(), Value::from(label));
                        Value::from(m)
                    })
                    .collect::<Vec<Value>>(),
            )
        };
        let severities =
            site.config.severities.iter().rev().map(|l| (l.name.clone(), l.label.clone())).collect();
        map.insert("severities".into(), pairs(severities));
        map.insert("countries".into(), pairs(crate::render::search::countries(site)));
        let mut sectors: Vec<String> =
            site.incidents.iter().flat_map(|i| i.victims.iter().filter_map(|v| v.sector.clone())).collect();
        sectors.sort();
        sectors.dedup();
        map.insert("sectors".into(), pairs(sectors.into_iter().map(|s| (s.clone(), s)).collect()));
        let years: Vec<(String, String)> =
            site.archive.iter().map(|y| (y.year.to_string(), y.year.to_string())).collect();
        map.insert("years".into(), pairs(years));
        Value::from(map)
    }

    /// What the data page lists: each download with its URL.
    fn data_page(&self) -> Value {
        let site = self.site;
        let exports = &site.config.exports;
        let url = |rel: &str| Value::from(site.base_url.url(rel));
        let mut map = tera::Map::new();
        map.insert("count".into(), Value::from(site.incidents.len()));
        map.insert("json".into(), if exports.json { url("api/incidents.json") } else { Value::none() });
        map.insert("schema".into(), if exports.json { url("api/schema.json") } else { Value::none() });
        map.insert("csv".into(), if exports.csv { url("api/incidents.csv") } else { Value::none() });
        map.insert("stix".into(), if exports.stix { url("api/stix-bundle.json") } else { Value::none() });
        map.insert("bodies".into(), Value::from(exports.bodies));
        let taxonomies: Vec<Value> = if exports.json {
            site.taxonomies
                .iter()
                .map(|t| {
                    let mut m = tera::Map::new();
                    m.insert("name".into(), Value::from(t.config.name.as_str()));
                    m.insert("title".into(), Value::from(t.config.title()));
                    m.insert("url".into(), url(&format!("api/{}.json", t.config.path())));
                    Value::from(m)
                })
                .collect()
        } else {
            Vec::new()
        };
        map.insert("taxonomies".into(), Value::from(taxonomies));
        Value::from(map)
    }

    /// The archive page of a year (and month), or of everything.
    fn archive(&self, year: Option<usize>, month: Option<i8>) -> Value {
        let site = self.site;
        let base = &site.base_url;
        let list = |incidents: &[usize]| -> Value {
            Value::from(incidents.iter().map(|&i| self.incidents[i].clone()).collect::<Vec<Value>>())
        };
        let month_name = |m: Option<i8>| m.map_or("Month unknown", crate::content::date::month_name);
        let years = self.archive_years.get_or_init(|| self.archive_years()).clone();
        let mut map = tera::Map::new();
        map.insert("url".into(), Value::from(base.url("archive/")));
        map.insert("years".into(), years);
        let (title, groups) = match year.map(|y| &site.archive[y]) {
            None => {
                map.insert("year".into(), Value::none());
                map.insert("count".into(), Value::from(site.incidents.len()));
                ("Archive".to_string(), Vec::new())
            }
            Some(y) => {
                let months = y.months.iter().filter(|m| month.is_none() || m.month == month);
                let groups: Vec<Value> = months
                    .map(|m| {
                        let mut group = tera::Map::new();
                        group.insert("month".into(), Value::from(m.month.map(i64::from)));
                        group.insert(
                            "title".into(),
                            Value::from(format!("{} {}", month_name(m.month), y.year)),
                        );
                        let url = m.month.map(|n| base.url(&format!("archive/{}/{n:02}/", y.year)));
                        group.insert("url".into(), Value::from(url));
                        group.insert("incidents".into(), list(&m.incidents));
                        Value::from(group)
                    })
                    .collect();
                let title = match month {
                    Some(m) => format!("{} {}", month_name(Some(m)), y.year),
                    None => y.year.to_string(),
                };
                map.insert("year".into(), Value::from(i64::from(y.year)));
                let count: usize = y
                    .months
                    .iter()
                    .filter(|m| month.is_none() || m.month == month)
                    .map(|m| m.incidents.len())
                    .sum();
                map.insert("count".into(), Value::from(count));
                (title, groups)
            }
        };
        map.insert("month".into(), Value::from(month.map(i64::from)));
        map.insert("title".into(), Value::from(title));
        map.insert("groups".into(), Value::from(groups));
        Value::from(map)
    }

    /// Every year of the archive with its months, as the archive pages list them.
    fn archive_years(&self) -> Value {
        let site = self.site;
        let base = &site.base_url;
        let years: Vec<Value> = site
            .archive
            .iter()
            .map(|y| {
                let months: Vec<Value> = y
                    .months
                    .iter()
                    .filter_map(|m| {
                        let number = m.month?;
                        let mut map = tera::Map::new();
                        map.insert("month".into(), Value::from(i64::from(number)));
                        map.insert("name".into(), Value::from(crate::content::date::month_name(number)));
                        map.insert("count".into(), Value::from(m.incidents.len()));
                        map.insert(
                            "url".into(),
                            Value::from(base.url(&format!("archive/{}/{number:02}/", y.year))),
                        );
                        Some(Value::from(map))
                    })
                    .collect();
                let mut map = tera::Map::new();
                map.insert("year".into(), Value::from(i64::from(y.year)));
                map.insert("count".into(), Value::from(y.incidents.len()));
                map.insert("url".into(), Value::from(base.url(&format!("archive/{}/", y.year))));
                map.insert("months".into(), Value::from(months));
                Value::from(map)
            })
            .collect();
        Value::from(years)
    }

    /// The paginator of page `n` of a list of incidents whose first page is at `base`.
    fn paginator(&self, list: &[usize], base: &str, per_page: usize, n: usize) -> Value {
        let urls = &self.site.base_url;
        let count = pages_needed(list.len(), per_page);
        let incidents: Vec<Value> =
            list[page_range(list.len(), per_page, n)].iter().map(|&i| self.incidents[i].clone()).collect();
        let url = |k: usize| urls.url(&list_page_path(base, k));
        // Every page of a list links every other: made once per list, not once per page,
        // which would grow with the square of the number of pages.
        let pages = {
            let mut made = self.pagers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            made.entry(base.to_string())
                .or_insert_with(|| {
                    let pages: Vec<PagerLink> =
                        (1..=count).map(|k| PagerLink { index: k, url: url(k) }).collect();
                    Value::from_serializable(&pages)
                })
                .clone()
        };
        let mut map = tera::Map::new();
        map.insert("incidents".into(), Value::from(incidents));
        map.insert("current_index".into(), Value::from(n));
        map.insert("number_pagers".into(), Value::from(count));
        map.insert("total_incidents".into(), Value::from(list.len()));
        map.insert("paginate_by".into(), Value::from(per_page));
        map.insert("first".into(), Value::from(url(1)));
        map.insert("last".into(), Value::from(url(count)));
        map.insert("previous".into(), Value::from((n > 1).then(|| url(n - 1))));
        map.insert("next".into(), Value::from((n < count).then(|| url(n + 1))));
        map.insert("pages".into(), pages);
        Value::from(map)
    }
}

/// A Tera error as a diagnostic located in the template file, with the offending line quoted.
/// The errors of compiling a theme. Tera checks every template's references and blocks
/// together and joins what it finds into one message of reports (`error: …`, ` --> name:line:
/// col`, a snippet); each becomes a diagnostic of its own, located in the site's file.
fn template_errors(err: &tera::Error, theme: &Theme) -> Error {
    if let tera::ErrorKind::Msg(text) = err.kind()
        && let Some(diagnostics) = reports(text, theme)
    {
        return Error::many(diagnostics);
    }
    template_error(err, theme, None).into()
}

/// Reads Tera's joined reports back; `None` for a message of another shape.
fn reports(text: &str, theme: &Theme) -> Option<Vec<Diagnostic>> {
    let mut found: Vec<Diagnostic> = Vec::new();
    for report in text.split("\n\n") {
        if let Some(note) = report.strip_prefix("note: ") {
            let last = found.pop()?;
            found.push(last.caused_by(note.lines().next().unwrap_or_default()));
            continue;
        }
        let (message, rest) = report.strip_prefix("error: ")?.split_once('\n')?;
        let at = rest.lines().next()?.trim_start().strip_prefix("--> ")?;
        let (at, column) = at.rsplit_once(':')?;
        let (name, line) = at.rsplit_once(':')?;
        let (line, column): (usize, usize) = (line.parse().ok()?, column.parse().ok()?);
        let message = format!("template error: {}", message.trim_end_matches('.'));
        let mut d = Diagnostic::at(Location::at(theme.origin(name), line, column), message);
        let width = rest.lines().last().map_or(1, |underline| underline.matches('^').count().max(1));
        if let Some(source) = theme.templates.get(name).and_then(|t| t.text.lines().nth(line.checked_sub(1)?))
        {
            d = d.with_snippet(source, width);
        }
        found.push(d);
    }
    (!found.is_empty()).then_some(found)
}

fn template_error(err: &tera::Error, theme: &Theme, rendering: Option<&str>) -> Diagnostic {
    let report = match err.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => Some(r),
        _ => None,
    };
    let mut diagnostic = match report {
        Some(r) if !r.filename().is_empty() => {
            let span = r.span();
            let message = format!("template error: {}", r.message().trim_end_matches('.'));
            let location = Location::at(theme.origin(r.filename()), span.start_line, span.start_col + 1);
            let mut d = Diagnostic::at(location, message);
            let line =
                theme.templates.get(r.filename()).and_then(|t| t.text.lines().nth(span.start_line - 1));
            if let Some(line) = line {
                let width = if span.end_line == span.start_line {
                    span.end_col.saturating_sub(span.start_col)
                } else {
                    1
                };
                d = d.with_snippet(line, width);
                // Tera objects to the `end…` tag when the real mistake is a block left open above.
                let at: String = line.chars().skip(span.start_col).collect();
                if r.message().starts_with("Unknown tag")
                    && at.trim_start_matches(['{', '%', '-', ' ']).starts_with("end")
                {
                    d = d.with_help(
                        "an `if`, `for` or `block` opened above this line may be missing its `end` tag",
                    );
                }
            }
            d
        }
        _ => {
            let message = format!("template error: {}", err.to_string().trim_end_matches('.'));
            match rendering {
                Some(name) => Diagnostic::at(Location::file(theme.origin(name)), message),
                None => Diagnostic::new(message),
            }
        }
    };
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        diagnostic = diagnostic.caused_by(cause.to_string());
        source = cause.source();
    }
    diagnostic
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_render_first_longest_first_and_the_rest_keeps_the_plan_order() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut site =
            Site::load(root, &crate::LoadOptions { now: Some(2_000_000_000), ..Default::default() })
                .expect("the example site loads");
        // One index page listing every incident: the longest job of the build.
        site.config.paginate_by = 1_000;
        let pages = plan(&site);
        let order = schedule(&site, &pages);
        assert_eq!(order.len(), pages.len());
        let index = order.iter().position(|p| p.kind == PageKind::Index(1)).expect("an index page");
        assert_eq!(weight(&site, order[index]), site.incidents.len());
        let weights: Vec<usize> = order.iter().map(|p| weight(&site, p)).collect();
        assert!(weights.windows(2).all(|w| w[0] >= w[1]), "longest first: {weights:?}");
        let listing = |p: &Page| weight(&site, p) > 0;
        let lists = order.iter().take_while(|p| listing(p)).count();
        assert!(lists > 1 && order[lists..].iter().all(|p| !listing(p)), "lists come first");
        let rest: Vec<&Page> = pages.iter().filter(|p| !listing(p)).collect();
        assert_eq!(order[lists..], rest[..], "the others keep the plan's order");
        let first_incident = order.iter().position(|p| matches!(p.kind, PageKind::Incident(_)));
        let first_data = order.iter().position(|p| matches!(p.kind, PageKind::Data(_)));
        assert!(first_incident < first_data, "data files come after the incidents' pages");
    }
}
