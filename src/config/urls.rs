//! The address scheme of a site: every path casebook writes or links to, in one place.
//!
//! Paths are relative to the site's root, with `/` separators and no leading slash; a page's
//! path is its folder (`incidents/x/`), written as that folder's `index.html`. Absolute URLs
//! are made from these by [`super::BaseUrl`]. A new kind of page or file gets its address
//! here, and [`RESERVED`] then keeps taxonomies and content from claiming it.

/// Every top-level name a site may write whatever its taxonomies: a taxonomy cannot use one
/// as its path, nor a page as its slug ([`page`]), and Markdown links under a base path are
/// told apart by them.
pub const RESERVED: [&str; 16] = [
    "incidents",
    "archive",
    "page",
    "api",
    "data",
    "stats",
    "matrix",
    "search",
    "static",
    ATOM_FEED,
    JSON_FEED,
    SITEMAP,
    SEARCH_INDEX,
    ROBOTS,
    NOT_FOUND,
    "index.html",
];

/// The archive of every year and month.
pub const ARCHIVE: &str = "archive/";
/// The statistics page.
pub const STATS: &str = "stats/";
/// The ATT&CK matrix of the techniques used.
pub const MATRIX: &str = "matrix/";
/// The page describing the open-data downloads.
pub const DATA: &str = "data/";
/// The search page.
pub const SEARCH: &str = "search/";
/// The search index the search page reads.
pub const SEARCH_INDEX: &str = "search-index.json";
/// The "not found" page static hosts serve for unknown paths.
pub const NOT_FOUND: &str = "404.html";
/// The Atom feed of the newest incidents.
pub const ATOM_FEED: &str = "atom.xml";
/// The JSON Feed of the newest incidents.
pub const JSON_FEED: &str = "feed.json";
/// The sitemap, or the sitemap index over its parts.
pub const SITEMAP: &str = "sitemap.xml";
/// Rules for crawlers.
pub const ROBOTS: &str = "robots.txt";

/// The site-wide open-data files.
pub mod api {
    /// Every incident's JSON record.
    pub const INCIDENTS_JSON: &str = "api/incidents.json";
    /// The JSON Schema of the records.
    pub const SCHEMA: &str = "api/schema.json";
    /// One row per incident.
    pub const INCIDENTS_CSV: &str = "api/incidents.csv";
    /// Every incident as STIX 2.1.
    pub const STIX_BUNDLE: &str = "api/stix-bundle.json";

    /// A taxonomy's terms and their incidents: `api/tags.json`.
    pub fn taxonomy(taxonomy_path: &str) -> String {
        format!("api/{taxonomy_path}.json")
    }
}

/// The file of a page at folder `dir`: `incidents/x/` -> `incidents/x/index.html`.
pub fn file_of(dir: &str) -> String {
    format!("{dir}index.html")
}

/// An incident's page: `incidents/<slug>/`.
pub fn incident(slug: &str) -> String {
    format!("incidents/{slug}/")
}

/// The file of an incident's page: `incidents/<slug>/index.html`.
pub fn incident_file(slug: &str) -> String {
    file_of(&incident(slug))
}

/// An incident's JSON record.
pub fn incident_json(slug: &str) -> String {
    format!("incidents/{slug}/index.json")
}

/// An incident's STIX bundle.
pub fn incident_stix(slug: &str) -> String {
    format!("incidents/{slug}/stix.json")
}

/// A page of `pages/`: `<slug>/`, at the top of the site. Its slug may be none of
/// [`RESERVED`], nor a taxonomy's path: see [`page_slug_taken`].
pub fn page(slug: &str) -> String {
    format!("{slug}/")
}

/// Why a page may not have `slug`, given the paths of the site's taxonomies: it is one of casebook's
/// own addresses, or a taxonomy's. `None` when the page may have it.
pub fn page_slug_taken<'a>(slug: &str, mut taxonomy_paths: impl Iterator<Item = &'a str>) -> Option<String> {
    if RESERVED.contains(&slug) {
        return Some(format!("/{slug}/ is an address casebook keeps for its own pages"));
    }
    taxonomy_paths
        .find(|path| *path == slug)
        .map(|path| format!("/{path}/ is the address of the `{path}` taxonomy"))
}

/// A file stored beside a page (its page bundle's `name`, such as `img/a.png`), in the page's
/// folder `dir`: `incidents/x/img/a.png`.
pub fn bundle_file(dir: &str, name: &str) -> String {
    format!("{dir}{name}")
}

/// Page `n` (1-based) of a list whose first page is at `dir`: `tags/x/page/2/`.
pub fn list_page(dir: &str, n: usize) -> String {
    if n == 1 { dir.to_string() } else { format!("{dir}page/{n}/") }
}

/// A taxonomy's overview: `tags/`.
pub fn taxonomy(taxonomy_path: &str) -> String {
    format!("{taxonomy_path}/")
}

/// A term's first page: `tags/ransomware/`.
pub fn term(taxonomy_path: &str, term_slug: &str) -> String {
    format!("{taxonomy_path}/{term_slug}/")
}

/// A term's Atom feed, beside its first page at `term_dir`.
pub fn term_feed(term_dir: &str) -> String {
    format!("{term_dir}{ATOM_FEED}")
}

/// A year of the archive: `archive/2024/`.
pub fn archive_year(year: i16) -> String {
    format!("{ARCHIVE}{year}/")
}

/// A month of the archive: `archive/2024/03/`.
pub fn archive_month(year: i16, month: i8) -> String {
    format!("{ARCHIVE}{year}/{month:02}/")
}

/// Part `n` (from 1) of a sitemap too long for one file.
pub fn sitemap_part(n: usize) -> String {
    format!("sitemap-{n}.xml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(file_of(&incident("x")), "incidents/x/index.html");
        assert_eq!(list_page("", 1), "");
        assert_eq!(list_page(&term("tags", "a"), 3), "tags/a/page/3/");
        assert_eq!(archive_month(2024, 3), "archive/2024/03/");
        assert_eq!(term_feed(&term("tags", "a")), "tags/a/atom.xml");
        assert_eq!(api::taxonomy("sectors"), "api/sectors.json");
        assert_eq!(file_of(&page("about")), "about/index.html");
        assert_eq!(bundle_file(&incident("x"), "img/a.png"), "incidents/x/img/a.png");
    }

    #[test]
    fn a_page_cannot_take_a_reserved_name_or_a_taxonomy() {
        assert_eq!(page_slug_taken("about", ["tags"].into_iter()), None);
        for reserved in ["incidents", "search", "archive", "page", "static"] {
            assert!(page_slug_taken(reserved, std::iter::empty()).is_some(), "{reserved}");
        }
        assert_eq!(
            page_slug_taken("sectors", ["tags", "sectors"].into_iter()).as_deref(),
            Some("/sectors/ is the address of the `sectors` taxonomy")
        );
    }

    #[test]
    fn every_top_level_address_is_reserved() {
        let top = |path: &str| path.split('/').next().unwrap_or_default().to_string();
        for path in [ARCHIVE, STATS, MATRIX, DATA, SEARCH, api::SCHEMA, &incident("x"), &list_page("", 2)] {
            assert!(RESERVED.contains(&top(path).as_str()), "{path}");
        }
        for file in [SEARCH_INDEX, NOT_FOUND, ATOM_FEED, JSON_FEED, SITEMAP, ROBOTS] {
            assert!(RESERVED.contains(&file), "{file}");
        }
    }
}
