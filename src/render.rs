//! Rendering: the pages of a loaded [`Site`] through the theme's Tera templates.
//!
//! [`plan`] lists every page to write; [`Renderer::render`] turns one into bytes. Both are free
//! of I/O, so the build can render in parallel and write as it goes, and the preview server can
//! re-render just the pages a change touches.
//!
//! Templates get compact, shared data: each incident is converted to a template value once, and
//! list pages reuse those values (Tera 2 shares arrays and maps by reference count) instead of
//! cloning whole incident lists into every context.

use std::collections::BTreeMap;

use serde::Serialize;
use tera::{Context, Tera, Value};

use crate::date::DateView;
use crate::error::{Diagnostic, Error, Location};
use crate::incident::Incident;
use crate::site::Site;
use crate::slug::slugify;
use crate::taxonomy::Taxonomy;
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

/// Every page of the site, in a stable order.
pub fn plan(site: &Site) -> Vec<Page> {
    let mut pages = Vec::new();
    let index_file = |dir: String| format!("{dir}index.html");
    for (i, incident) in site.incidents.iter().enumerate() {
        pages.push(Page { file: index_file(incident_path(incident)), kind: PageKind::Incident(i) });
    }
    for n in 1..=pages_needed(site.incidents.len(), site.config.paginate_by) {
        pages.push(Page { file: index_file(list_page_path("", n)), kind: PageKind::Index(n) });
    }
    for (t, taxonomy) in site.taxonomies.iter().enumerate() {
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
    pages.push(Page { file: "404.html".to_string(), kind: PageKind::NotFound });
    pages
}

/// The output folder of an incident's page, relative to the site: `incidents/<slug>/`.
pub fn incident_path(incident: &Incident) -> String {
    format!("incidents/{}/", incident.slug)
}

#[derive(Serialize)]
struct TermRef {
    name: String,
    slug: String,
    url: String,
}

#[derive(Serialize)]
struct IncidentView<'a> {
    title: &'a str,
    slug: &'a str,
    url: String,
    permalink: String,
    date: DateView,
    updated: Option<DateView>,
    summary_text: &'a str,
    tags: &'a [TermRef],
    taxonomies: &'a BTreeMap<&'a str, Vec<TermRef>>,
    draft: bool,
    word_count: usize,
    reading_time: usize,
    extra: &'a serde_yaml::Mapping,
    other: &'a serde_yaml::Mapping,
    source: &'a str,
}

#[derive(Serialize)]
struct Neighbour<'a> {
    title: &'a str,
    url: String,
}

#[derive(Serialize)]
struct TaxonomyView {
    name: String,
    title: String,
    url: String,
    count: usize,
}

#[derive(Serialize)]
struct TermView<'a> {
    name: &'a str,
    slug: &'a str,
    url: String,
    count: usize,
}

#[derive(Serialize)]
struct PagerLink {
    index: usize,
    url: String,
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
    incidents: Vec<Value>,
}

impl<'a> Renderer<'a> {
    /// Compiles the theme's templates and prepares the site's shared template data.
    pub fn new(site: &'a Site, theme: &'a Theme) -> Result<Renderer<'a>, Error> {
        let mut tera = Tera::new();
        // Escape everything by default, whatever the template's extension: front matter is
        // user input and every output format (HTML, XML feeds) needs it escaped.
        tera.autoescape_on([""]);
        tera.add_raw_templates(theme.templates.iter().map(|(name, t)| (name.as_str(), t.text.as_str())))
            .map_err(|e| template_error(&e, theme, None))?;
        for name in crate::theme::REQUIRED_TEMPLATES {
            if !tera.contains_template(name) {
                return Err(Diagnostic::new(format!("the theme has no `{name}` template")).into());
            }
        }
        let base = &site.base_url;
        let taxonomies: Vec<TaxonomyView> = site
            .taxonomies
            .iter()
            .map(|t| TaxonomyView {
                name: t.config.name.clone(),
                title: t.config.title(),
                url: base.url(&t.rel_path()),
                count: t.terms.len(),
            })
            .collect();
        let mut config = site.config.clone();
        config.base_url = base.permalink("");
        let globals = tera.global_context();
        globals.insert("config", &config);
        globals.insert("taxonomies", &taxonomies);
        globals.insert("root_url", &base.url(""));
        globals.insert("build", &BuildInfo { version: env!("CARGO_PKG_VERSION") });

        use rayon::prelude::*;
        let incidents = site.incidents.par_iter().map(|i| incident_value(site, i)).collect();
        Ok(Renderer { site, theme, tera, incidents })
    }

    /// Renders one page.
    pub fn render(&self, page: &Page) -> Result<Vec<u8>, Diagnostic> {
        let site = self.site;
        let base = &site.base_url;
        let mut context = Context::new();
        let current = page.file.strip_suffix("index.html").unwrap_or(&page.file);
        context.insert("current_url", &base.url(current));
        let template = match page.kind {
            PageKind::Incident(i) => {
                context.insert_value("incident", self.incident_page_value(i));
                "incident.html"
            }
            PageKind::Index(n) => {
                let all: Vec<usize> = (0..site.incidents.len()).collect();
                context.insert_value("paginator", self.paginator(&all, "", site.config.paginate_by, n));
                "index.html"
            }
            PageKind::TaxonomyList(t) => {
                let taxonomy = &site.taxonomies[t];
                context.insert("taxonomy", &self.taxonomy_view(taxonomy));
                let terms: Vec<TermView<'_>> =
                    taxonomy.terms.iter().map(|term| self.term_view(taxonomy, term)).collect();
                context.insert("terms", &terms);
                "taxonomy_list.html"
            }
            PageKind::Term(t, k, n) => {
                let taxonomy = &site.taxonomies[t];
                let term = &taxonomy.terms[k];
                let per_page = taxonomy.config.paginate_by.unwrap_or(site.config.paginate_by);
                context.insert("taxonomy", &self.taxonomy_view(taxonomy));
                context.insert("term", &self.term_view(taxonomy, term));
                let paginator =
                    self.paginator(&term.incidents, &taxonomy.term_rel_path(&term.slug), per_page, n);
                context.insert_value("paginator", paginator);
                "taxonomy_term.html"
            }
            PageKind::NotFound => "404.html",
        };
        self.tera.render(template, &context).map(String::into_bytes).map_err(|e| {
            let source = match page.kind {
                PageKind::Incident(i) => format!(" ({})", site.incidents[i].path.display()),
                _ => String::new(),
            };
            template_error(&e, self.theme, Some(template))
                .caused_by(format!("while rendering {}{source}", page.file))
        })
    }

    fn taxonomy_view(&self, taxonomy: &Taxonomy) -> TaxonomyView {
        TaxonomyView {
            name: taxonomy.config.name.clone(),
            title: taxonomy.config.title(),
            url: self.site.base_url.url(&taxonomy.rel_path()),
            count: taxonomy.terms.len(),
        }
    }

    fn term_view<'t>(&self, taxonomy: &Taxonomy, term: &'t crate::taxonomy::Term) -> TermView<'t> {
        TermView {
            name: &term.name,
            slug: &term.slug,
            url: self.site.base_url.url(&taxonomy.term_rel_path(&term.slug)),
            count: term.incidents.len(),
        }
    }

    fn incident_page_value(&self, i: usize) -> Value {
        let site = self.site;
        let incident = &site.incidents[i];
        let mut map = self.incidents[i].clone().into_map().unwrap_or_default();
        map.insert("content".into(), Value::safe_string(&incident.content_html));
        map.insert("toc".into(), Value::from_serializable(&incident.toc));
        let neighbour = |j: usize| {
            site.incidents
                .get(j)
                .map(|n| Neighbour { title: &n.title, url: site.base_url.url(&incident_path(n)) })
        };
        // The list is newest first: the newer incident comes before this one.
        map.insert("newer".into(), Value::from_serializable(&i.checked_sub(1).and_then(neighbour)));
        map.insert("older".into(), Value::from_serializable(&neighbour(i + 1)));
        Value::from(map)
    }

    /// The paginator of page `n` of a list of incidents whose first page is at `base`.
    fn paginator(&self, list: &[usize], base: &str, per_page: usize, n: usize) -> Value {
        let urls = &self.site.base_url;
        let count = pages_needed(list.len(), per_page);
        let start = ((n - 1) * per_page).min(list.len());
        let end = (start + per_page).min(list.len());
        let incidents: Vec<Value> = list[start..end].iter().map(|&i| self.incidents[i].clone()).collect();
        let url = |k: usize| urls.url(&list_page_path(base, k));
        let pages: Vec<PagerLink> = (1..=count).map(|k| PagerLink { index: k, url: url(k) }).collect();
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
        map.insert("pages".into(), Value::from_serializable(&pages));
        Value::from(map)
    }
}

/// An incident as every template sees it (without its body and table of contents).
fn incident_value(site: &Site, incident: &Incident) -> Value {
    let base = &site.base_url;
    let taxonomies: BTreeMap<&str, Vec<TermRef>> = incident
        .terms
        .iter()
        .map(|(taxonomy, names)| {
            let refs = names
                .iter()
                .map(|name| {
                    let slug = slugify(name);
                    let url = base.url(&format!("{taxonomy}/{slug}/"));
                    TermRef { name: name.clone(), slug, url }
                })
                .collect();
            (taxonomy.as_str(), refs)
        })
        .collect();
    let rel = incident_path(incident);
    let view = IncidentView {
        title: &incident.title,
        slug: &incident.slug,
        url: base.url(&rel),
        permalink: base.permalink(&rel),
        date: DateView::from(&incident.date),
        updated: incident.updated.as_ref().map(DateView::from),
        summary_text: &incident.summary_text,
        tags: taxonomies.get("tags").map_or(&[], Vec::as_slice),
        taxonomies: &taxonomies,
        draft: incident.draft,
        word_count: incident.word_count,
        reading_time: incident.word_count.div_ceil(200).max(1),
        extra: &incident.extra,
        other: &incident.other,
        source: &incident.source,
    };
    let mut map = Value::from_serializable(&view).into_map().unwrap_or_default();
    map.insert("summary".into(), Value::safe_string(&incident.summary_html));
    // `lead` is the summary only when the author wrote one; otherwise it repeats the body.
    let lead =
        if incident.summary_given { Value::safe_string(&incident.summary_html) } else { Value::none() };
    map.insert("lead".into(), lead);
    Value::from(map)
}

/// A Tera error as a diagnostic located in the template file, with the offending line quoted.
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
