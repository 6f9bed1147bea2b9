//! `casebook check`: the linter. Everything a build would find, plus what a careful editor
//! would: unknown keys, incidents without sources, links (in incidents and pages) to pages,
//! anchors or bundle files that do not exist, and dates in the future with no embargo.
//! Nothing is written.

mod external;

pub use external::ExternalOptions;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use crate::base::error::{Diagnostic, Location};
use crate::render;
use crate::site::{LoadOptions, Site};
use crate::theme::Theme;

/// What to check.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// The site folder.
    pub root: PathBuf,
    /// The moment "in the future" is measured from (seconds since the Unix epoch); now when
    /// `None`.
    pub now: Option<i64>,
    /// Also request every external link (`--external`), with these limits.
    pub external: Option<crate::check::external::ExternalOptions>,
}

/// The problems found: errors fail the check, warnings do not.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// Problems that must be fixed.
    pub errors: Vec<Diagnostic>,
    /// Problems worth a look.
    pub warnings: Vec<Diagnostic>,
    /// Incidents checked (drafts and embargoed ones included).
    pub incidents: usize,
}

/// Checks the site at `options.root`. Only problems that stop checking altogether (a missing
/// content folder) are returned as `Err`; everything else is in the report.
pub fn check(options: &CheckOptions) -> crate::Result<CheckReport> {
    let now = options.now.unwrap_or_else(|| jiff::Timestamp::now().as_second());
    // Drafts and embargoed incidents are checked too: they are the ones about to go out.
    let load = LoadOptions { drafts: true, base_url: None, now: Some(now), embargoed: true };
    let site = match Site::load(&options.root, &load) {
        Ok(site) => site,
        Err(err) => {
            // Nothing was loaded, but every incident file was read: the summary counts them
            // ("Checked 0 incidents: 5 errors" read as if there were none).
            let root = crate::site::normalize_root(&options.root);
            let files =
                crate::site::content_files(&root.join(crate::site::CONTENT_DIR)).map_or(0, |f| f.len());
            return Ok(CheckReport {
                errors: err.diagnostics().to_vec(),
                incidents: files,
                ..CheckReport::default()
            });
        }
    };
    let mut report = CheckReport { incidents: site.incidents.len(), ..CheckReport::default() };
    for warning in &site.warnings {
        // A build keeps unknown keys for templates; a linter asks whether they were meant.
        if warning.message.starts_with("unknown front matter key") {
            report.errors.push(warning.clone());
        } else {
            report.warnings.push(warning.clone());
        }
    }
    for incident in &site.incidents {
        if incident.sources.is_empty() {
            report.warnings.push(
                Diagnostic::at(Location::file(&incident.path), "the incident cites no sources")
                    .with_help("add `sources:` with the statements, articles or advisories it is based on"),
            );
        }
        if incident.date.sort_key() > now && incident.embargo.is_none() {
            let location = match incident.date_line {
                Some(line) => Location::at(&incident.path, line, 1),
                None => Location::file(&incident.path),
            };
            report.warnings.push(
                Diagnostic::at(location, format!("`date: {}` is in the future", incident.date.iso()))
                    .with_help(
                        "fix the date, or add `embargo:` if the incident must not be published before then",
                    ),
            );
        }
    }
    // Planned once: collisions, links and rendering all read the same list of pages.
    let plan = crate::plan::plan(&site);
    report.errors.extend(crate::plan::collisions(&site, &plan));
    report.errors.extend(crate::plan::missing_menu_pages(&site));
    let theme = Theme::load(&site.root, &site.config);
    report.errors.extend(broken_links(&site, &plan, theme.as_ref().ok()));
    match theme {
        Ok(theme) => report.errors.extend(render_all(&site, &theme, &plan)),
        Err(d) => report.errors.push(d),
    }
    if let Some(limits) = options.external {
        let (errors, warnings) = crate::check::external::check(&crate::check::external::links(&site), limits);
        report.errors.extend(errors);
        report.warnings.extend(warnings);
    }
    report.errors.sort_by(|a, b| a.location.cmp(&b.location).then_with(|| a.message.cmp(&b.message)));
    report.warnings.sort_by(|a, b| a.location.cmp(&b.location).then_with(|| a.message.cmp(&b.message)));
    Ok(report)
}

/// Renders every page in memory, so template errors surface without a build.
fn render_all(site: &Site, theme: &Theme, plan: &[crate::plan::Page]) -> Vec<Diagnostic> {
    let renderer = match render::Renderer::new(site, theme) {
        Ok(r) => r,
        Err(e) => return e.diagnostics().to_vec(),
    };
    renderer.use_plan(plan);
    // Bundle files are copied, not rendered: whether they exist is the links' business.
    let rendered = plan.par_iter().filter(|p| !matches!(p.kind, crate::plan::PageKind::BundleFile(..)));
    let errors: Vec<Diagnostic> = rendered.filter_map(|page| renderer.render(page).err()).collect();
    crate::base::error::collapse_repeats(errors, crate::base::error::Repeat::SamePlace, 1, "page")
}

/// Resolves `link`, written on the page at site path `page` (like `/incidents/x/`), to a site
/// path and anchor; `None` for links that leave the site (a scheme, `//host`).
fn resolve(
    page: &str,
    link: &str,
    settings: &crate::content::markdown::Settings,
) -> Option<(String, Option<String>)> {
    let scheme = link.split(['/', '?', '#']).next().is_some_and(|first| first.contains(':'));
    if scheme || link.starts_with("//") {
        return None;
    }
    let (path, anchor) = match link.split_once('#') {
        Some((p, a)) => (p, Some(a.to_string())),
        None => (link, None),
    };
    let path = path.split('?').next().unwrap_or_default();
    // As a browser asks for it: `a%20b.png` is the file `a b.png`.
    let path = &*crate::base::local_url::percent_decode(path);
    let joined = if path.is_empty() {
        page.to_string()
    } else if path.starts_with('/') {
        // Links may be written with or without the site's base path: read as the page will
        // have them, then without it.
        let rendered = crate::content::markdown::as_rendered(path, settings);
        let base = settings.base_path.as_deref().unwrap_or("/").trim_end_matches('/');
        rendered.strip_prefix(base).map_or(rendered.clone(), str::to_string)
    } else {
        format!("{page}{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let mut resolved = format!("/{}", parts.join("/"));
    let is_file = parts.last().is_some_and(|last| last.contains('.'));
    if !is_file && !resolved.ends_with('/') {
        resolved.push('/');
    }
    Some((resolved, anchor))
}

/// A page whose body links elsewhere: an incident or a page of `pages/`.
struct Linking<'s> {
    /// Its content file.
    path: &'s std::path::Path,
    /// Its address, as a site path: `/incidents/x/`, `/about/`.
    here: String,
    /// Its body's links, with their lines and columns.
    links: &'s [(String, usize, usize)],
    /// Whether it is a bundle, with its files beside it.
    bundle: bool,
}

/// Links in the bodies of incidents and pages to pages, files or anchors the site does not
/// have.
fn broken_links(site: &Site, plan: &[crate::plan::Page], theme: Option<&Theme>) -> Vec<Diagnostic> {
    let mut pages: HashSet<String> = HashSet::new();
    for page in plan {
        // `/incidents/x/index.html` and `/incidents/x/` are the same page.
        pages.insert(format!("/{}", page.file));
        pages.insert(format!("/{}", page.file.strip_suffix("index.html").unwrap_or(&page.file)));
    }
    if let Some(theme) = theme {
        pages.extend(theme.statics.keys().map(|k| format!("/{k}")));
    }
    let mut anchors: HashMap<String, HashSet<String>> = HashMap::new();
    let tocs = site.incidents.iter().map(|i| (crate::config::urls::incident(&i.slug), &i.toc));
    for (dir, toc) in tocs.chain(site.pages.iter().map(|p| (crate::config::urls::page(&p.slug), &p.toc))) {
        let mut ids = HashSet::new();
        collect_ids(toc, &mut ids);
        anchors.insert(format!("/{dir}"), ids);
    }
    let linking = site
        .incidents
        .iter()
        .map(|i| Linking {
            path: &i.path,
            here: format!("/{}", crate::config::urls::incident(&i.slug)),
            links: &i.links,
            bundle: crate::content::bundle::bundle_folder(&i.source).is_some(),
        })
        .chain(site.pages.iter().map(|p| Linking {
            path: &p.path,
            here: format!("/{}", crate::config::urls::page(&p.slug)),
            links: &p.links,
            bundle: crate::content::bundle::bundle_folder(&p.source).is_some(),
        }));
    let mut errors = Vec::new();
    let settings = site.config.parse_settings().markdown;
    for page in linking {
        let here = &page.here;
        for (link, line, column) in page.links {
            let Some((target, anchor)) = resolve(here, link, &settings) else { continue };
            let location = Location::at(page.path, *line, *column);
            if !pages.contains(&target) {
                // A file beside the page (`timeline.png`), which its bundle would hold.
                let file = crate::base::local_url::local_file(link).filter(|_| !link.ends_with(".md"));
                let d = match file {
                    Some(file) if file.contains('.') => {
                        let folder = page.path.parent().unwrap_or(page.path).display().to_string();
                        let help = if page.bundle {
                            format!("put `{file}` in {folder}/, beside the page's index.md, or fix the link")
                        } else {
                            let name = page.path.file_stem().unwrap_or_default().to_string_lossy();
                            format!(
                                "files beside a page are published when it is a folder: move {} to {folder}/{name}/index.md and put `{file}` beside it",
                                page.path.display()
                            )
                        };
                        Diagnostic::at(location, format!("link to `{link}`: the site has no file {target}"))
                            .with_help(help)
                    }
                    _ => Diagnostic::at(location, format!("link to `{link}`: the site has no page {target}")),
                };
                errors.push(if link.ends_with(".md") {
                    d.with_help("link to the incident's page, `/incidents/<slug>/`, not to its Markdown file")
                } else {
                    d
                });
                continue;
            }
            if let (Some(anchor), Some(ids)) = (anchor.filter(|a| !a.is_empty()), anchors.get(&target))
                && !ids.contains(&anchor)
            {
                errors.push(Diagnostic::at(
                    location,
                    format!("link to `{link}`: {target} has no heading `#{anchor}`"),
                ));
            }
        }
    }
    errors
}

fn collect_ids(toc: &[crate::content::markdown::TocEntry], ids: &mut HashSet<String>) {
    for entry in toc {
        ids.insert(entry.id.clone());
        collect_ids(&entry.children, ids);
    }
}

/// A diagnostic as `--format json` shows it.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    /// `error` or `warning`.
    pub severity: &'static str,
    /// The file, if any.
    pub file: Option<String>,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub help: Option<String>,
    /// Lower-level causes.
    pub causes: Vec<String>,
}

/// The report as `--format json` shows it.
#[derive(Debug, Serialize)]
pub struct JsonReport {
    /// Always 1 for this shape.
    pub version: u32,
    /// Incidents checked.
    pub incidents: usize,
    /// Errors, then warnings.
    pub problems: Vec<JsonDiagnostic>,
}

impl CheckReport {
    /// The report in its JSON shape.
    pub fn to_json(&self) -> JsonReport {
        let convert = |severity: &'static str, d: &Diagnostic| JsonDiagnostic {
            severity,
            file: d.location.as_ref().map(|l| l.path.to_string_lossy().replace('\\', "/")),
            line: d.location.as_ref().and_then(|l| l.line),
            column: d.location.as_ref().and_then(|l| l.column),
            message: d.message.clone(),
            help: d.help.clone(),
            causes: d.causes.clone(),
        };
        let problems = self
            .errors
            .iter()
            .map(|d| convert("error", d))
            .chain(self.warnings.iter().map(|d| convert("warning", d)))
            .collect();
        JsonReport { version: 1, incidents: self.incidents, problems }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_links_like_a_browser() {
        let here = "/incidents/a/";
        let root = crate::content::markdown::Settings::default();
        let r = |link: &str| resolve(here, link, &root);
        assert_eq!(r("#top"), Some(("/incidents/a/".into(), Some("top".into()))));
        assert_eq!(r("../b/"), Some(("/incidents/b/".into(), None)));
        assert_eq!(r("../b"), Some(("/incidents/b/".into(), None)));
        assert_eq!(r("/tags/x/#y"), Some(("/tags/x/".into(), Some("y".into()))));
        assert_eq!(r("/style.css"), Some(("/style.css".into(), None)));
        assert_eq!(r("https://example.org/"), None);
        assert_eq!(r("mailto:a@b.example"), None);
        assert_eq!(r("//cdn.example/x"), None);
        let sub =
            crate::content::markdown::Settings { base_path: Some("/sub/".into()), ..Default::default() };
        assert_eq!(resolve(here, "/sub/tags/x/", &sub), Some(("/tags/x/".into(), None)));
        assert_eq!(resolve(here, "/tags/x/", &sub), Some(("/tags/x/".into(), None)));
        // Under a base path named like a folder of the site, as the page has the link.
        let sections: Vec<String> = crate::config::urls::RESERVED.iter().map(|s| (*s).to_string()).collect();
        let named = crate::content::markdown::Settings {
            base_path: Some("/incidents/".into()),
            sections: Some(sections.into()),
            ..Default::default()
        };
        assert_eq!(resolve(here, "/incidents/b/", &named), Some(("/incidents/b/".into(), None)));
        assert_eq!(resolve(here, "/incidents/incidents/b/", &named), Some(("/incidents/b/".into(), None)));
    }
}
