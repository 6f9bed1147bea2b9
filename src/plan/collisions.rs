//! Two planned files at one path, or a file where another needs a folder: errors naming
//! what collides, located at the alias written by hand when one is to blame.

use std::borrow::Cow;

use super::{Page, PageKind};
use crate::base::error::{Diagnostic, Location};
use crate::site::Site;

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
                    .with_help(help(page, earlier, "each address has one page")),
                );
            }
            None => {
                first.insert(folded(&page.file), page);
            }
        }
    }
    // Only an alias or a bundle's file can take a file's address as a folder: generated paths
    // are made of slugs, which never name a file.
    for page in pages.iter().filter(|p| matches!(p.kind, PageKind::Alias(..) | PageKind::BundleFile(..))) {
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
                    .with_help(help(
                        page,
                        file,
                        "it does not take the address of a file",
                    )),
                );
            }
        }
    }
    errors
}

/// What to do about two pages at one address, `a` and `b`, so that `goal`.
fn help(a: &Page, b: &Page, goal: &str) -> String {
    if [a, b].iter().any(|p| matches!(p.kind, PageKind::BundleFile(..))) {
        format!("rename the file stored beside the page (or change the alias or the slug) so {goal}")
    } else {
        format!("change the alias (or the slug) so {goal}")
    }
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
        PageKind::Page(p) => format!("the page of {}", site.pages[p].path.display()),
        PageKind::BundleFile(owner, k) => {
            format!("the file {}", super::attachment(site, owner, k).path.display())
        }
        _ => "a page casebook generates".to_string(),
    }
}

/// Where what asked for `page` by hand is written: an alias, a page's slug, or a file put in a
/// page bundle.
fn alias_location(site: &Site, page: &Page) -> Option<Location> {
    match page.kind {
        PageKind::Alias(i, k) => {
            let incident = &site.incidents[i];
            Some(incident.alias_locations.get(k).cloned().unwrap_or_else(|| Location::file(&incident.path)))
        }
        PageKind::BundleFile(owner, k) => Some(Location::file(&super::attachment(site, owner, k).path)),
        PageKind::Page(p) => Some(site.pages[p].slug_location.clone()),
        _ => None,
    }
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

/// Menu entries naming a page the site does not have (a draft left out counts as missing: the
/// menu would link to nothing). Located at `menu:` in the configuration.
pub fn missing_menu_pages(site: &Site) -> Vec<Diagnostic> {
    let slugs: Vec<&str> = site.pages.iter().map(|p| p.slug.as_str()).collect();
    site.config
        .menu
        .iter()
        .filter_map(|entry| entry.page.as_deref())
        .filter(|slug| site.page(slug).is_none())
        .map(|slug| {
            let at = site.config.locate("menu").unwrap_or_else(|| Location::file(crate::config::CONFIG_FILE));
            let help = match crate::base::suggest::closest(slug, slugs.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None if slugs.is_empty() => "the site has no pages: add pages/<slug>.md".to_string(),
                None => format!("the pages are: {}", slugs.join(", ")),
            };
            Diagnostic::at(at, format!("the menu names no page `{slug}`")).with_help(help)
        })
        .collect()
}
