//! The plan of a build: every file the site will have, by path and kind, decided before
//! anything is rendered — pages, the files of page bundles, alias redirects, open data, feeds,
//! the sitemap, the search index — with the order to render them in and the collisions that
//! would make two of them one file. Addresses come from [`crate::config::urls`].

mod collisions;
mod schedule;

pub use collisions::{collisions, folder_collisions, missing_menu_pages};
pub use schedule::schedule;

use crate::config::urls;
use crate::content::bundle::Attachment;
use crate::site::Site;

/// What a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// An incident, by index into the site's incidents.
    Incident(usize),
    /// A page of `pages/`, by index into the site's pages.
    Page(usize),
    /// A file of a page bundle, copied as it is beside its page: the page it goes with, and
    /// its index in that page's files. Not rendered: [`crate::pipeline`] copies it.
    BundleFile(Owner, usize),
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
    Data(DataFile),
    /// A feed (Atom, JSON Feed), produced without templates.
    Feed(FeedFile),
    /// `sitemap.xml` (or a part of it) or `robots.txt`.
    Sitemap(SitemapFile),
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

/// The page a bundle file goes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    /// An incident, by index into the site's incidents.
    Incident(usize),
    /// A page of `pages/`, by index into the site's pages.
    Page(usize),
}

impl Owner {
    /// The files stored beside the page.
    pub fn files(self, site: &Site) -> &[Attachment] {
        match self {
            Owner::Incident(i) => &site.incidents[i].files,
            Owner::Page(p) => &site.pages[p].files,
        }
    }

    /// The content file of the page, as shown in messages.
    pub fn path(self, site: &Site) -> &std::path::Path {
        match self {
            Owner::Incident(i) => &site.incidents[i].path,
            Owner::Page(p) => &site.pages[p].path,
        }
    }
}

/// The bundle file a [`PageKind::BundleFile`] copies.
pub fn attachment(site: &Site, owner: Owner, k: usize) -> &Attachment {
    &owner.files(site)[k]
}

/// A page to render and the file it goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The output file, relative to the output folder, with `/` separators.
    pub file: String,
    /// What it shows.
    pub kind: PageKind,
}

/// One open-data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFile {
    /// `/incidents/<slug>/index.json`
    IncidentJson(usize),
    /// `/incidents/<slug>/stix.json`
    IncidentStix(usize),
    /// `/api/incidents.json`
    AllJson,
    /// `/api/<taxonomy>.json`
    TaxonomyJson(usize),
    /// `/api/schema.json`
    Schema,
    /// `/api/incidents.csv`
    Csv,
    /// `/api/stix-bundle.json`
    StixBundle,
}

/// One feed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFile {
    /// `/atom.xml`
    Atom,
    /// `/feed.json`
    Json,
    /// `/<taxonomy>/<term>/atom.xml`: taxonomy index, term index.
    TermAtom(usize, usize),
}

/// A sitemap-related file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SitemapFile {
    /// `/sitemap.xml`: the sitemap, or the index of the parts.
    Main,
    /// `/sitemap-N.xml`, N from 1.
    Part(usize),
    /// `/robots.txt`
    Robots,
}

/// URLs per sitemap file, the protocol's maximum.
pub const SITEMAP_URLS: usize = 50_000;

/// How many pages a list of `count` incidents takes, `per_page` a page (one when empty).
pub fn pages_needed(count: usize, per_page: usize) -> usize {
    count.div_ceil(per_page).max(1)
}

/// The positions in a list of `len` incidents that its page `n` (1-based) shows.
pub fn page_range(len: usize, per_page: usize, n: usize) -> std::ops::Range<usize> {
    let start = ((n - 1) * per_page).min(len);
    start..(start + per_page).min(len)
}

/// Every page of the site, in a stable order.
pub fn plan(site: &Site) -> Vec<Page> {
    let mut pages = Vec::new();
    let index_file = |dir: String| urls::file_of(&dir);
    let bundle = |pages: &mut Vec<Page>, dir: &str, owner: Owner, files: &[Attachment]| {
        for (k, file) in files.iter().enumerate() {
            pages.push(Page {
                file: urls::bundle_file(dir, &file.name),
                kind: PageKind::BundleFile(owner, k),
            });
        }
    };
    for (i, incident) in site.incidents.iter().enumerate() {
        pages.push(Page { file: urls::incident_file(&incident.slug), kind: PageKind::Incident(i) });
        bundle(&mut pages, &urls::incident(&incident.slug), Owner::Incident(i), &incident.files);
        for (k, alias) in incident.aliases.iter().enumerate() {
            let file = if alias.ends_with('/') { index_file(alias.clone()) } else { alias.clone() };
            pages.push(Page { file, kind: PageKind::Alias(i, k) });
        }
    }
    for (p, page) in site.pages.iter().enumerate() {
        pages.push(Page { file: index_file(urls::page(&page.slug)), kind: PageKind::Page(p) });
        bundle(&mut pages, &urls::page(&page.slug), Owner::Page(p), &page.files);
    }
    for n in 1..=pages_needed(site.incidents.len(), site.config.paginate_by) {
        pages.push(Page { file: index_file(urls::list_page("", n)), kind: PageKind::Index(n) });
    }
    pages.push(Page { file: index_file(urls::ARCHIVE.to_string()), kind: PageKind::ArchiveIndex });
    for (y, year) in site.archive.iter().enumerate() {
        pages.push(Page { file: index_file(urls::archive_year(year.year)), kind: PageKind::ArchiveYear(y) });
        for month in year.months.iter().filter_map(|m| m.month) {
            let file = index_file(urls::archive_month(year.year, month));
            pages.push(Page { file, kind: PageKind::ArchiveMonth(y, month) });
        }
    }
    for (t, taxonomy) in site.taxonomies.iter().enumerate().filter(|(_, t)| t.config.pages) {
        pages.push(Page { file: index_file(taxonomy.rel_path()), kind: PageKind::TaxonomyList(t) });
        let per_page = taxonomy.config.paginate_by.unwrap_or(site.config.paginate_by);
        for (k, term) in taxonomy.terms.iter().enumerate() {
            let base = taxonomy.term_rel_path(&term.slug);
            for n in 1..=pages_needed(term.incidents.len(), per_page) {
                pages.push(Page {
                    file: index_file(urls::list_page(&base, n)),
                    kind: PageKind::Term(t, k, n),
                });
            }
        }
    }
    if site.config.exports.any() {
        pages.push(Page { file: index_file(urls::DATA.to_string()), kind: PageKind::DataPage });
    }
    for (file, data) in data_files(site) {
        pages.push(Page { file, kind: PageKind::Data(data) });
    }
    pages.push(Page { file: index_file(urls::STATS.to_string()), kind: PageKind::StatsPage });
    pages.push(Page { file: index_file(urls::MATRIX.to_string()), kind: PageKind::MatrixPage });
    if site.config.search.enabled {
        pages.push(Page { file: index_file(urls::SEARCH.to_string()), kind: PageKind::SearchPage });
        pages.push(Page { file: urls::SEARCH_INDEX.to_string(), kind: PageKind::SearchIndex });
    }
    for (file, feed) in feed_files(site) {
        pages.push(Page { file, kind: PageKind::Feed(feed) });
    }
    pages.push(Page { file: urls::NOT_FOUND.to_string(), kind: PageKind::NotFound });
    let html_pages = pages.iter().filter(|p| in_sitemap(p)).count();
    for (file, sitemap) in sitemap_files(site, html_pages) {
        pages.push(Page { file, kind: PageKind::Sitemap(sitemap) });
    }
    pages
}

/// Every data file the site's configuration asks for, with its output path.
pub fn data_files(site: &Site) -> Vec<(String, DataFile)> {
    let exports = &site.config.exports;
    let mut files = Vec::new();
    for (i, incident) in site.incidents.iter().enumerate() {
        if exports.json {
            files.push((urls::incident_json(&incident.slug), DataFile::IncidentJson(i)));
        }
        if exports.stix {
            files.push((urls::incident_stix(&incident.slug), DataFile::IncidentStix(i)));
        }
    }
    if exports.json {
        files.push((urls::api::INCIDENTS_JSON.to_string(), DataFile::AllJson));
        files.push((urls::api::SCHEMA.to_string(), DataFile::Schema));
        for (t, taxonomy) in site.taxonomies.iter().enumerate() {
            files.push((urls::api::taxonomy(taxonomy.config.path()), DataFile::TaxonomyJson(t)));
        }
    }
    if exports.csv {
        files.push((urls::api::INCIDENTS_CSV.to_string(), DataFile::Csv));
    }
    if exports.stix {
        files.push((urls::api::STIX_BUNDLE.to_string(), DataFile::StixBundle));
    }
    files
}

/// Every feed file of the site, with its output path.
pub fn feed_files(site: &Site) -> Vec<(String, FeedFile)> {
    if site.base_url.origin.is_empty() || !site.config.feeds.enabled {
        return Vec::new();
    }
    let mut files =
        vec![(urls::ATOM_FEED.to_string(), FeedFile::Atom), (urls::JSON_FEED.to_string(), FeedFile::Json)];
    if site.config.feeds.taxonomies {
        for (t, taxonomy) in site.taxonomies.iter().enumerate().filter(|(_, t)| t.config.pages) {
            for (k, term) in taxonomy.terms.iter().enumerate() {
                files.push((urls::term_feed(&taxonomy.term_rel_path(&term.slug)), FeedFile::TermAtom(t, k)));
            }
        }
    }
    files
}

/// The sitemap's files, given the number of HTML pages. Nothing without a host in `base_url`.
pub fn sitemap_files(site: &Site, html_pages: usize) -> Vec<(String, SitemapFile)> {
    if site.base_url.origin.is_empty() {
        return Vec::new();
    }
    let mut files =
        vec![(urls::SITEMAP.to_string(), SitemapFile::Main), (urls::ROBOTS.to_string(), SitemapFile::Robots)];
    if html_pages > SITEMAP_URLS {
        for n in 1..=html_pages.div_ceil(SITEMAP_URLS) {
            files.push((urls::sitemap_part(n), SitemapFile::Part(n)));
        }
    }
    files
}

/// Whether a page belongs in the sitemap: every HTML page but the redirects and the 404 page
/// (and not an HTML file stored in a bundle, which is not a page of the site's).
pub fn in_sitemap(page: &Page) -> bool {
    page.file.ends_with(".html")
        && !matches!(page.kind, PageKind::NotFound | PageKind::Alias(..) | PageKind::BundleFile(..))
}
