//! Rendering: the pages of a loaded [`Site`] through the theme's Tera templates.
//!
//! [`crate::plan`] lists every page to write; [`Renderer::render`] turns one into bytes. Both are free
//! of I/O, so the build can render in parallel and write as it goes, and the preview server can
//! re-render just the pages a change touches.
//!
//! Templates get compact, shared data: each incident is converted to a template value once, and
//! list pages reuse those values (Tera 2 shares arrays and maps by reference count) instead of
//! cloning whole incident lists into every context.

mod card;
mod charts;
mod context;
pub mod export;
mod feed;
mod filters;
mod functions;
mod menu;
mod redirect;
mod search;
pub mod sitemap;
pub mod stream;
mod template_error;
pub mod view;

use serde::Serialize;
use tera::{Context, Tera, Value};

use crate::base::error::{Diagnostic, Error};
use crate::config::urls;
use crate::content::incident::Incident;
use crate::plan::{Page, PageKind};
use crate::site::Site;
use crate::site::taxonomy::Taxonomy;
use crate::theme::Strings;
use crate::theme::Theme;
use functions::{
    hash_of, json_hash, register_assets, register_lookups, register_words, stats_value, taxonomy_view,
};
use template_error::{template_error, template_errors};

/// How many of a month's incidents the archive's years and months name (`latest`): the
/// preview's signatures of archive pages follow them.
pub const ARCHIVE_TITLES: usize = 3;

/// The template a page of `pages/` is rendered with, unless it names another (`template:`).
pub const PAGE_TEMPLATE: &str = "page.html";

/// The globals every template may read, with their fingerprints (see
/// [`Renderer::global_fingerprints`]): the preview compares them between builds.
pub type Globals = std::collections::HashMap<&'static str, u64>;

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
    /// What ATT&CK says of the term, when its taxonomy reads techniques.
    #[serde(skip_serializing_if = "Option::is_none")]
    technique: Option<TechniqueInfo>,
}

/// An ATT&CK technique on its term page: `{id, name, attack_url, tactics, parent}`.
#[derive(Serialize)]
struct TechniqueInfo {
    id: String,
    /// None for an id ATT&CK's table here does not know.
    name: Option<&'static str>,
    attack_url: String,
    /// The tactics it serves, in kill-chain order: `{id, name}`.
    tactics: Vec<TacticRef>,
    /// The technique a sub-technique belongs to: `{id, label, attack_url}`.
    parent: Option<ParentRef>,
}

#[derive(Serialize)]
struct TacticRef {
    id: &'static str,
    name: &'static str,
}

#[derive(Serialize)]
struct ParentRef {
    id: String,
    label: String,
    attack_url: String,
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
    globals: Globals,
    /// The incident fields the templates can read: the only ones built.
    fields: crate::render::view::Fields,
    /// The theme's words in the site's language.
    strings: std::sync::Arc<Strings>,
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
        let strings = std::sync::Arc::new(theme.strings.clone());
        crate::render::filters::register(&mut tera, &strings.separator(), &strings.text("decimal_mark"));
        register_words(&mut tera, std::sync::Arc::clone(&strings));
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
            globals: Globals::new(),
            fields: crate::render::view::Fields::of_site(theme, &site.config),
            strings,
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
        let has_feeds = !crate::plan::feed_files(site).is_empty();
        let mut feeds = tera::Map::new();
        feeds.insert("atom".into(), Value::from(has_feeds.then(|| base.url("atom.xml"))));
        feeds.insert("json".into(), Value::from(has_feeds.then(|| base.url("feed.json"))));
        globals.insert_value("feeds", Value::from(feeds));
        // The site's own pages, for navigation: the optional ones are none when turned off,
        // so a menu never links to a page the build does not write. Like `config`, they
        // change only with the configuration.
        let mut links = tera::Map::new();
        for (name, path) in [("archive", urls::ARCHIVE), ("stats", urls::STATS), ("matrix", urls::MATRIX)] {
            links.insert(name.into(), Value::from(base.url(path)));
        }
        links.insert("data".into(), Value::from(site.config.exports.any().then(|| base.url(urls::DATA))));
        links
            .insert("search".into(), Value::from(site.config.search.enabled.then(|| base.url(urls::SEARCH))));
        globals.insert_value("links", Value::from(links));
        // Which sections, facets and taxonomies have something to show (or are forced on):
        // the menu, and the pages linking to sections, read it alike.
        let shown = crate::site::shown(site);
        globals.insert("show", &shown);
        let menu = menu::menu(site, &self.strings, &shown);
        globals.insert("menu", &menu);
        // Made from the configuration alone, which the caller fingerprints as a whole.
        globals.insert_value(
            "footer",
            menu::footer(site).map_or_else(Value::none, |html| Value::safe_string(&html)),
        );
        let stats = crate::site::Stats::new(site);
        globals.insert_value("stats", stats_value(&stats, &self.strings));
        globals.insert("build", &BuildInfo { version: env!("CARGO_PKG_VERSION") });

        // What a change of each global would change; `config`, `root_url` and `build` only
        // change with the configuration, which the caller fingerprints as a whole.
        self.globals.insert("taxonomies", json_hash(&taxonomies));
        self.globals.insert("feeds", hash_of(&has_feeds));
        // Which sections have something in them changes with the incidents.
        self.globals.insert("menu", json_hash(&menu));
        self.globals.insert("show", json_hash(&shown));
        self.globals.insert("stats", json_hash(&stats));
        // `get_taxonomy()` hands out every term with its incidents: callers combine this with
        // the incidents' versions.
        let identities = hash_of(&site.incidents.iter().map(|i| (&i.path, &i.slug)).collect::<Vec<_>>());
        self.globals.insert("get_taxonomy", identities);
        self.stix = std::sync::Arc::default();
        self.plan = std::sync::Arc::default();
    }

    /// Forgets the site's plan (which the sitemap lists), for a site whose pages of `pages/`
    /// changed order or address while nothing else of its structure changed.
    pub fn forget_plan(&mut self) {
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
    pub fn global_fingerprints(&self) -> &Globals {
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

    /// The incidents' template values, shared: to outlive the renderer (see [`crate::base::dispose`]).
    pub fn views_shared(&self) -> std::sync::Arc<Vec<Value>> {
        std::sync::Arc::clone(&self.incidents)
    }

    /// Frees what the renderer made on a thread of its own (see [`crate::base::dispose`]): the
    /// incidents' data fragments and feed entries, cards and compiled templates.
    // Hundreds of thousands of allocations on a large site: freeing them held up the build's
    // end (some 60 ms at 10,000 incidents).
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
        crate::base::dispose((
            tera,
            incidents,
            shared,
            fragments,
            feed_entries,
            pagers,
            archive_years,
            page_sizes,
        ));
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
                let plan = self.shared.plan.get_or_init(|| crate::plan::plan(site));
                return Ok(crate::render::sitemap::render(site, plan, file));
            }
            PageKind::Alias(i, _) => {
                return Ok(redirect::redirect(site, &site.incidents[i], &self.shared.strings));
            }
            PageKind::SearchIndex => return Ok(crate::render::search::render(site)),
            // Copied by the caller, as static files are: rendering never reads the disk.
            PageKind::BundleFile(owner, k) => {
                let file = crate::plan::attachment(site, owner, k);
                return Err(Diagnostic::at(
                    crate::base::error::Location::file(&file.path),
                    "a file stored beside a page is copied, not rendered",
                ));
            }
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
            PageKind::Page(p) => {
                let shown = &site.pages[p];
                context.insert_value("page", self.page_value(shown));
                let name = shown.template.as_deref().unwrap_or(PAGE_TEMPLATE);
                if !self.tera.contains_template(name) {
                    return Err(Diagnostic::at(
                        shown.template_location.clone(),
                        format!("`template: {name}`: the site and its theme have no template `{name}`"),
                    )
                    .with_help(format!(
                        "add templates/{name} to the site, or remove the line to use {PAGE_TEMPLATE}"
                    )));
                }
                name
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
                context.insert("matrix", &crate::site::matrix(site));
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
            | PageKind::BundleFile(..)
            | PageKind::Feed(_)
            | PageKind::Sitemap(_)
            | PageKind::Alias(..)
            | PageKind::SearchIndex
            | PageKind::NotFound => "404.html",
        };
        let source = match page.kind {
            PageKind::Incident(i) => Some(site.incidents[i].path.as_path()),
            PageKind::Page(p) => Some(site.pages[p].path.as_path()),
            _ => None,
        };
        self.render_template(template, &context, &page.file, source)
    }

    /// Hands the renderer the site's plan, which the sitemap lists, when the caller made it
    /// already: otherwise the first sitemap file rendered plans the site again.
    pub fn use_plan(&self, pages: &[Page]) {
        let _ = self.shared.plan.set(pages.to_vec());
    }

    /// Renders the page of an incident that is not one of this renderer's site (at
    /// [`urls::incident_file`]), as a build writing incident pages while it loads does
    /// ([`crate::render::stream`]); `view` is its list value. Only for a theme whose incident page reads
    /// nothing of other incidents: the page is given no `newer`, `older` or `related`.
    pub fn render_alone(&self, incident: &Incident, view: &Value) -> Result<Vec<u8>, Diagnostic> {
        let base = &self.site.base_url;
        let rel = urls::incident(&incident.slug);
        let mut context = Context::new();
        context.insert("current_url", &base.url(&rel));
        context.insert("current_permalink", &base.permalink(&rel));
        context.insert_value("incident", self.incident_page_value(incident, view, None));
        self.render_template(
            "incident.html",
            &context,
            &urls::incident_file(&incident.slug),
            Some(&incident.path),
        )
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
}
