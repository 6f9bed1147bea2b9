//! Page signatures: a hash of everything a page's bytes depend on.
//!
//! Between two builds of the same site, a page whose signature did not change renders to the
//! same bytes, so the preview skips it. A signature combines the page's address and kind, the
//! versions (content hashes) of the incidents it shows, the shape of the lists around it
//! (counts, pages), its template's text with everything the template pulls in, and the
//! fingerprints of the site-wide globals the template can read (see `theme/uses.rs`).
//!
//! What a page reads is decided here by its [`PageKind`], mirroring what `render/` puts in
//! its context. When the two disagree a page goes stale in the preview: the test suite compares
//! incremental and full builds byte for byte after a series of edits to catch exactly that.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use crate::plan::{DataFile, FeedFile, Page, PageKind};
use crate::render::Globals;
use crate::site::Site;
use crate::theme::uses::Uses;

/// What signatures are computed from, shared by every page of one build.
pub struct Inputs<'a> {
    /// The site being built.
    pub site: &'a Site,
    /// The version of each incident, by index into the site's incidents.
    pub versions: &'a [u64],
    /// The version of each page, by index into the site's pages.
    pub page_versions: &'a [u64],
    /// Per template, what [`template_hashes`] makes of what it reads.
    pub template_hashes: HashMap<String, u64>,
    /// Everything else a build depends on (configuration, options): when it changes, every
    /// signature changes.
    pub base: u64,
    /// A hash of every incident's version in site order: the input of site-wide pages.
    pub whole_site: u64,
    /// The renderer, for the STIX export's shared timestamps (prepared only when a STIX file's
    /// signature needs them).
    pub renderer: &'a crate::render::Renderer<'a>,
}

/// A hash of every incident's version, in order.
pub fn whole_site(versions: &[u64]) -> u64 {
    crate::base::hash::fingerprint(versions)
}

impl<'a> Inputs<'a> {
    /// The inputs of the pages `renderer` renders for `site`, whose incidents have `versions`,
    /// with templates reading what `templates` says; `base` stands for everything else.
    pub fn new(
        site: &'a Site,
        versions: &'a [u64],
        page_versions: &'a [u64],
        templates: &HashMap<String, Uses>,
        base: u64,
        renderer: &'a crate::render::Renderer<'a>,
    ) -> Inputs<'a> {
        let whole_site = whole_site(versions);
        let template_hashes = template_hashes(templates, renderer.global_fingerprints(), whole_site);
        Inputs { site, versions, page_versions, template_hashes, base, whole_site, renderer }
    }

    /// The signature of one page.
    pub fn signature(&self, page: &Page) -> u64 {
        let mut h = crate::base::hash::fingerprinter();
        self.base.hash(&mut h);
        page.file.hash(&mut h);
        let site = self.site;
        let version = |i: usize| self.versions.get(i).copied();
        let slice = |list: &[usize], per_page: usize, n: usize| -> Vec<u64> {
            let start = ((n - 1) * per_page).min(list.len());
            let end = (start + per_page).min(list.len());
            list[start..end].iter().map(|&i| self.versions[i]).collect()
        };
        let template = match page.kind {
            PageKind::Incident(i) => {
                ("incident", version(i)).hash(&mut h);
                // The page links to its neighbours in the list and shows related incidents.
                (i.checked_sub(1).and_then(version), version(i + 1)).hash(&mut h);
                // Only when its value holds them: they are not even made otherwise.
                if self.renderer.shared().fields().wants("related") {
                    site.related()[i].iter().map(|&j| self.versions[j]).for_each(|v| v.hash(&mut h));
                }
                Some("incident.html")
            }
            PageKind::Page(p) => {
                ("page", self.page_versions.get(p)).hash(&mut h);
                Some(site.pages[p].template.as_deref().unwrap_or(crate::render::PAGE_TEMPLATE))
            }
            PageKind::BundleFile(owner, k) => {
                // Copied, not rendered: its bytes are the file's, which its version follows.
                let file = crate::plan::attachment(site, owner, k);
                ("bundle file", &file.path, file.version).hash(&mut h);
                None
            }
            PageKind::Alias(i, k) => {
                ("alias", version(i), k).hash(&mut h);
                None
            }
            PageKind::Index(n) => {
                let all: Vec<usize> = (0..site.incidents.len()).collect();
                ("index", n, all.len(), slice(&all, site.config.paginate_by, n)).hash(&mut h);
                Some("index.html")
            }
            PageKind::TaxonomyList(t) => {
                let taxonomy = &site.taxonomies[t];
                "taxonomy".hash(&mut h);
                for term in &taxonomy.terms {
                    (&term.name, &term.slug, term.incidents.len()).hash(&mut h);
                }
                Some("taxonomy_list.html")
            }
            PageKind::Term(t, k, n) => {
                let taxonomy = &site.taxonomies[t];
                let term = &taxonomy.terms[k];
                let per_page = taxonomy.config.paginate_by.unwrap_or(site.config.paginate_by);
                ("term", &term.name, &term.slug, term.incidents.len()).hash(&mut h);
                slice(&term.incidents, per_page, n).hash(&mut h);
                Some("taxonomy_term.html")
            }
            PageKind::ArchiveIndex | PageKind::ArchiveYear(_) | PageKind::ArchiveMonth(..) => {
                // Every archive page lists the years and months with their counts, and each
                // month's newest incidents (see `Renderer::archive_years`).
                ("archive", site.incidents.len()).hash(&mut h);
                for year in site.archive.iter() {
                    (year.year, year.incidents.len()).hash(&mut h);
                    for m in &year.months {
                        (m.month, m.incidents.len()).hash(&mut h);
                        let latest = m.incidents.iter().take(crate::render::ARCHIVE_TITLES);
                        latest.for_each(|&i| self.versions[i].hash(&mut h));
                    }
                }
                match page.kind {
                    PageKind::ArchiveYear(y) => {
                        site.archive[y].incidents.iter().for_each(|&i| self.versions[i].hash(&mut h));
                    }
                    PageKind::ArchiveMonth(y, m) => {
                        m.hash(&mut h);
                        let month = site.archive[y].months.iter().filter(|g| g.month == Some(m));
                        month.flat_map(|g| &g.incidents).for_each(|&i| self.versions[i].hash(&mut h));
                    }
                    _ => {}
                }
                Some("archive.html")
            }
            PageKind::Feed(FeedFile::TermAtom(t, k)) => {
                let taxonomy = &site.taxonomies[t];
                let term = &taxonomy.terms[k];
                ("term feed", &term.name, &term.slug).hash(&mut h);
                term.incidents
                    .iter()
                    .take(site.config.feeds.limit)
                    .for_each(|&i| self.versions[i].hash(&mut h));
                None
            }
            PageKind::Feed(feed) => {
                ("feed", format!("{feed:?}")).hash(&mut h);
                self.versions.iter().take(site.config.feeds.limit).for_each(|v| v.hash(&mut h));
                None
            }
            PageKind::Data(DataFile::IncidentJson(i)) => {
                ("json", version(i)).hash(&mut h);
                None
            }
            PageKind::Data(DataFile::IncidentStix(i)) => {
                ("stix", version(i), self.renderer.stix().fingerprint(&site.incidents[i])).hash(&mut h);
                None
            }
            PageKind::NotFound => Some("404.html"),
            // Site-wide pages: the data exports, the search index, the sitemap, statistics.
            kind => {
                (format!("{kind:?}"), self.whole_site).hash(&mut h);
                // The sitemap lists the pages of pages/, the search index shows them too.
                if matches!(kind, PageKind::Sitemap(_) | PageKind::SearchIndex) {
                    self.page_versions.hash(&mut h);
                }
                match kind {
                    PageKind::StatsPage => Some("stats.html"),
                    PageKind::MatrixPage => Some("matrix.html"),
                    PageKind::SearchPage => Some("search.html"),
                    PageKind::DataPage => Some("data.html"),
                    _ => None,
                }
            }
        };
        if let Some(name) = template {
            match self.template_hashes.get(name) {
                Some(template) => template.hash(&mut h),
                // Unknown to the analysis: never skip it.
                None => self.whole_site.hash(&mut h),
            }
        }
        h.finish()
    }
}

/// For each template, a hash of its text (with everything it pulls in) and of the globals it
/// reads: the part of a page's signature that depends on its template only.
pub fn template_hashes(
    templates: &HashMap<String, Uses>,
    globals: &Globals,
    whole_site: u64,
) -> HashMap<String, u64> {
    templates
        .iter()
        .map(|(name, uses)| {
            let mut h = crate::base::hash::fingerprinter();
            uses.text_hash.hash(&mut h);
            let mut read: Vec<(&&str, &u64)> = globals.iter().filter(|(g, _)| uses.reads(g)).collect();
            read.sort_unstable();
            read.hash(&mut h);
            // It hands out every incident's view.
            if uses.reads("get_taxonomy") {
                whole_site.hash(&mut h);
            }
            (name.clone(), h.finish())
        })
        .collect()
}
