//! Writing incident pages while the site loads.
//!
//! A build loads every incident, then renders every page, so the bodies of all incidents are
//! in memory together: more than half of what a loaded incident weighs, and most of a large
//! site's memory. An incident's body is only shown on its own page, though, and that page
//! needs nothing of the other incidents unless its template reads their neighbours, related
//! incidents, the site's figures or term lists. When it reads none of those (the scan of
//! `theme/uses.rs`) and no other output needs bodies (feeds, the search index, JSON
//! exports with bodies), each incident's page is rendered as soon as its file is parsed,
//! written, and its body and table of contents (read by that page alone) dropped before the
//! site is put together.
//!
//! The page is the same either way: it is rendered by the same renderer code
//! ([`Renderer::render_alone`]), set up on a site without incidents ([`stub`]) whose
//! configuration, base URL and taxonomies' settings are those of the real one; what such a
//! site lacks is exactly what a streamable template cannot read. `tests/stream.rs` builds one
//! site both ways and compares the bytes.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use tera::Value;

use crate::base::error::Diagnostic;
use crate::config::Config;
use crate::content::incident::Incident;
use crate::render::view::ViewCache;
use crate::render::{Renderer, Shared};
use crate::site::Site;
use crate::theme::Theme;

/// What an incident page can read that depends on the other incidents: its neighbours and
/// related incidents, and the globals made from the whole site (figures, taxonomies with
/// their counts, feed links, term lists, cards, which are kept per site).
const SITE_WIDE: [&str; 10] =
    ["newer", "older", "related", "stats", "taxonomies", "feeds", "get_taxonomy", "card", "menu", "show"];

/// Whether a build of this site may write incident pages while it loads.
pub fn streamable(config: &Config, theme: &Theme) -> bool {
    // Outputs other than the incident's own page that show its body.
    if config.feeds.enabled || config.search.enabled || (config.exports.json && config.exports.bodies) {
        return false;
    }
    let uses =
        crate::theme::uses::analyze(theme.templates.iter().map(|(name, t)| (name.as_str(), t.text.as_str())));
    uses.get("incident.html").is_some_and(|page| !SITE_WIDE.iter().any(|name| page.reads(name)))
}

/// A site with `config` and no incidents, built at `now`: what a renderer of pages of single
/// incidents needs.
pub fn stub(root: PathBuf, config: Config, now: i64) -> Site {
    Site {
        root,
        base_url: config.base_url(),
        taxonomies: Arc::new(crate::site::taxonomy::Taxonomy::build_all(&config, &[])),
        config,
        incidents: Vec::new(),
        pages: Vec::new(),
        archive: Arc::default(),
        related: Arc::default(),
        drafts_skipped: 0,
        embargoed: Vec::new(),
        warnings: Vec::new(),
        now,
    }
}

/// Renders and keeps what a build makes of each incident while it loads: its page, and its
/// list value, which the pages listing it reuse.
pub struct Streamer<'a> {
    renderer: Renderer<'a>,
    /// The values many incidents share (see [`crate::render::view::ViewCache`]), one cache per thread.
    caches: PerThread<ViewCache>,
    /// Each incident tried, by its page's file, with its list value; per thread.
    views: PerThread<Vec<(String, Value)>>,
}

/// What a [`Streamer`] leaves to the renderer of the whole site.
pub struct Streamed {
    /// The compiled templates, with the site-wide data made again for the whole site.
    pub shared: Shared,
    /// The list values of the site's incidents, in its order, when every one was made here.
    pub views: Option<Vec<Value>>,
    /// The file of every incident page tried while loading, written or failed.
    pub tried: HashSet<String>,
}

impl<'a> Streamer<'a> {
    /// A streamer for `site` (a [`stub`]), or `None` when the theme cannot be compiled: the
    /// build then reports that as it always does, after loading.
    pub fn new(site: &'a Site, theme: &'a Theme, unversioned_assets: bool) -> Option<Streamer<'a>> {
        let options = crate::render::RenderOptions { views: None, unversioned_assets };
        let renderer = Renderer::with_options(site, theme, options).ok()?;
        Some(Streamer { renderer, caches: PerThread::new(), views: PerThread::new() })
    }

    /// The page of `incident` (at [`crate::config::urls::incident_file`]), keeping its list value.
    pub fn page(&self, incident: &Incident) -> Result<Vec<u8>, Diagnostic> {
        let fields = self.renderer.shared().fields();
        let view = self
            .caches
            .with(|cache| crate::render::view::incident_with(self.renderer.site(), incident, cache, fields));
        let page = self.renderer.render_alone(incident, &view);
        self.views.with(|views| views.push((crate::config::urls::incident_file(&incident.slug), view)));
        page
    }

    /// What the renderer of the whole `site` starts from.
    pub fn finish(self, site: &Site) -> Streamed {
        let mut shared = self.renderer.shared().clone();
        shared.update(site);
        let mut made: HashMap<String, Value> = self.views.into_inner().flatten().collect();
        let tried = made.keys().cloned().collect();
        let views = site
            .incidents
            .iter()
            .map(|i| made.remove(&crate::config::urls::incident_file(&i.slug)))
            .collect();
        Streamed { shared, views, tried }
    }
}

/// One value per thread of rayon's pool (and one for any other thread): each thread locks only
/// its own, so threads writing pages never wait for each other on it.
struct PerThread<T>(Vec<Mutex<T>>);

impl<T: Default> PerThread<T> {
    fn new() -> PerThread<T> {
        PerThread((0..=rayon::current_num_threads()).map(|_| Mutex::default()).collect())
    }

    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        // Threads outside the pool share the last one.
        let i = rayon::current_thread_index().map_or(self.0.len() - 1, |i| i.min(self.0.len() - 1));
        f(&mut self.0[i].lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn into_inner(self) -> impl Iterator<Item = T> {
        self.0.into_iter().map(|m| m.into_inner().unwrap_or_else(PoisonError::into_inner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme(incident_page: &str) -> Theme {
        let mut theme = Theme::default();
        theme.templates.insert(
            "incident.html".into(),
            crate::theme::TemplateSource { text: incident_page.into(), origin: "incident.html".into() },
        );
        theme
    }

    /// A configuration with no output but pages (feeds and search are on by default).
    fn pages_only() -> Config {
        let mut config = Config::default();
        config.feeds.enabled = false;
        config.search.enabled = false;
        config
    }

    #[test]
    fn only_pages_reading_nothing_site_wide_stream() {
        let config = pages_only();
        assert!(streamable(&config, &theme("{{ incident.title }}{{ incident.content | safe }}")));
        for page in [
            "{{ incident.related }}",
            "{% if incident.newer %}{% endif %}",
            "{{ stats.total }}",
            "{{ get_taxonomy(name=\"tags\") }}",
            "{{ __tera_context }}",
        ] {
            assert!(!streamable(&config, &theme(page)), "{page}");
        }
    }

    #[test]
    fn outputs_showing_bodies_keep_them() {
        let page = theme("{{ incident.content | safe }}");
        let config = pages_only();
        assert!(streamable(&config, &page));
        let mut feeds = config.clone();
        feeds.feeds.enabled = true;
        let mut search = config.clone();
        search.search.enabled = true;
        let mut bodies = config.clone();
        (bodies.exports.json, bodies.exports.bodies) = (true, true);
        for config in [feeds, search, bodies] {
            assert!(!streamable(&config, &page));
        }
    }
}
