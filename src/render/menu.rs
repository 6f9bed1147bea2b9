//! The main menu and the footer every page shows: the configured entries resolved to titles
//! and addresses, or by default every section the site has something in.

use serde::Serialize;

use crate::config::{MenuEntry, urls};
use crate::site::Site;
use crate::theme::Strings;

/// One link of the main menu, as templates see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MenuItem {
    /// The text shown.
    pub title: String,
    /// Where it leads: a site path (`/archive/`) or an absolute URL.
    pub url: String,
    /// The section it opens (`archive`, `tags`…), for marking the current one; `None` for pages
    /// and addresses.
    pub section: Option<String>,
    /// Whether it leaves the site.
    pub external: bool,
}

/// The title of a built-in section, in the site's language (`menu_archive`…).
fn section_title(section: &str, strings: &Strings) -> String {
    strings.text(&format!("menu_{section}"))
}

/// The menu of `site`: its configured entries, or the default one. `shown` says which
/// sections appear ([`crate::site::shown`]).
pub fn menu(site: &Site, strings: &Strings, shown: &Shown) -> Vec<MenuItem> {
    if site.config.menu.is_empty() {
        return default_menu(site, strings, shown);
    }
    site.config.menu.iter().filter_map(|entry| item(site, entry, strings, shown)).collect()
}

/// Which sections, facets and taxonomies appear, by name.
pub type Shown = std::collections::BTreeMap<String, bool>;

/// Incidents, then each browsable taxonomy with terms, the archive, the data page, the
/// statistics and the search: a section only when the site has something to show in it.
fn default_menu(site: &Site, strings: &Strings, shown: &Shown) -> Vec<MenuItem> {
    let mut names: Vec<&str> = vec!["incidents"];
    names.extend(site.taxonomies.iter().filter(|t| t.config.pages).map(|t| t.config.name.as_str()));
    names.extend(["archive", "data", "stats", "search"]);
    names
        .into_iter()
        .filter_map(|name| {
            item(site, &MenuEntry { section: Some(name.to_string()), ..MenuEntry::default() }, strings, shown)
        })
        .collect()
}

/// One configured entry, resolved. `None` for a section the build does not write (the data
/// page with exports off, search when disabled), or that has nothing in it unless `show:`
/// forces it on: a menu never links to a missing or empty page.
fn item(site: &Site, entry: &MenuEntry, strings: &Strings, shown: &Shown) -> Option<MenuItem> {
    let base = &site.base_url;
    if let Some(section) = &entry.section
        && shown.get(section) == Some(&false)
    {
        return None;
    }
    let (title, url, section) = if let Some(section) = &entry.section {
        let (title, path) = match section.as_str() {
            "incidents" => (section_title(section, strings), String::new()),
            "archive" => (section_title(section, strings), urls::ARCHIVE.to_string()),
            "data" if site.config.exports.any() => (section_title(section, strings), urls::DATA.to_string()),
            "stats" => (section_title(section, strings), urls::STATS.to_string()),
            "matrix" => (section_title(section, strings), urls::MATRIX.to_string()),
            "search" if site.config.search.enabled => {
                (section_title(section, strings), urls::SEARCH.to_string())
            }
            "data" | "search" => return None,
            name => {
                let taxonomy = site.taxonomies.iter().find(|t| t.config.name == name && t.config.pages)?;
                (taxonomy.config.title(), taxonomy.rel_path())
            }
        };
        (title, base.url(&path), Some(section.clone()))
    } else if let Some(page) = &entry.page {
        let title = site.page(page).map_or_else(|| capitalized(page), |p| p.title.clone());
        (title, base.url(&urls::page(page)), None)
    } else {
        let url = entry.url.as_deref()?;
        let absolute = url.starts_with("https://") || url.starts_with("http://");
        let url = if absolute { url.to_string() } else { base.url(url.trim_start_matches('/')) };
        (String::new(), url, None)
    };
    let external = url.starts_with("https://") || url.starts_with("http://");
    let title = entry.title.clone().filter(|t| !t.trim().is_empty()).unwrap_or(title);
    Some(MenuItem { title, url, section, external })
}

/// `about-us` as `About us`: the title of a page named only by its slug.
fn capitalized(slug: &str) -> String {
    let words = slug.replace('-', " ");
    let mut chars = words.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The footer's Markdown as HTML, rendered as incident bodies are (raw HTML escaped unless
/// the site allows it).
pub fn footer(site: &Site) -> Option<String> {
    let text = site.config.footer.as_deref().filter(|t| !t.trim().is_empty())?;
    Some(crate::content::markdown::render(text, site.config.parse_settings().markdown).html)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::LoadOptions;

    fn english() -> Strings {
        let theme =
            crate::theme::Theme::load(std::path::Path::new("/nonexistent"), &crate::Config::default())
                .expect("the built-in theme");
        theme.strings
    }

    fn example() -> Site {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        Site::load(root, &LoadOptions { now: Some(2_000_000_000), ..Default::default() })
            .expect("the example site")
    }

    #[test]
    fn the_default_menu_lists_sections_with_something_in_them() {
        let mut site = example();
        let words = english();
        let titles = |site: &Site| {
            menu(site, &words, &crate::site::shown(site)).into_iter().map(|i| i.title).collect::<Vec<_>>()
        };
        assert!(titles(&site).starts_with(&["Incidents".to_string()]));
        assert!(titles(&site).contains(&"Archive".to_string()));
        // A taxonomy without terms has nothing to open.
        for taxonomy in std::sync::Arc::make_mut(&mut site.taxonomies) {
            taxonomy.terms.clear();
        }
        site.incidents.clear();
        assert_eq!(titles(&site), ["Incidents", "Data", "Search"]);
    }

    #[test]
    fn configured_entries_keep_their_order_titles_and_addresses() {
        let mut site = example();
        site.config.menu = vec![
            MenuEntry { page: Some("about-us".into()), ..MenuEntry::default() },
            MenuEntry {
                section: Some("stats".into()),
                title: Some("Figures".into()),
                ..MenuEntry::default()
            },
            MenuEntry {
                url: Some("https://status.example.org/".into()),
                title: Some("Status".into()),
                ..MenuEntry::default()
            },
            MenuEntry { url: Some("/feeds/".into()), title: Some("Feeds".into()), ..MenuEntry::default() },
        ];
        let items = menu(&site, &english(), &crate::site::shown(&site));
        let shown: Vec<(&str, &str, bool)> =
            items.iter().map(|i| (i.title.as_str(), i.url.as_str(), i.external)).collect();
        assert_eq!(
            shown,
            [
                ("About us", "/about-us/", false),
                ("Figures", "/stats/", false),
                ("Status", "https://status.example.org/", true),
                ("Feeds", "/feeds/", false),
            ]
        );
    }

    #[test]
    fn the_footer_is_markdown_with_raw_html_escaped() {
        let mut site = example();
        assert_eq!(footer(&site), None);
        site.config.footer = Some("Run by **CERT-X** <script>alert(1)</script>".into());
        let html = footer(&site).expect("a footer");
        assert!(html.contains("<strong>CERT-X</strong>"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
    }
}
