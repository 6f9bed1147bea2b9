//! Loading a site: configuration, every incident and every page, parsed in parallel and
//! checked together, with the files of their page bundles listed.
//!
//! [`Site`] is the first stage type of a build: everything later (rendering, writing) reads it
//! and never goes back to the content files (only bundle files are read again, to be copied).

pub mod bundle;
mod shown;
mod stats;
pub mod taxonomy;

pub use shown::shown;
pub use stats::{Bar, Stats, matrix};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::base::error::{Diagnostic, Error, Location, Result};
use crate::base::fs;
use crate::config::{BaseUrl, Config};
use crate::content::bundle::{Attachment, image_sizes};
use crate::content::incident::{self, Incident};
use crate::content::page::{self, Page};
use crate::site::taxonomy::Taxonomy;

/// The folder, under the site root, holding incidents.
pub const CONTENT_DIR: &str = "content";

/// The folder, beside `content/`, holding pages that are not incidents (About, methodology…).
pub const PAGES_DIR: &str = "pages";

/// What to load.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Include incidents marked `draft: true`.
    pub drafts: bool,
    /// Use this instead of the configuration's `base_url`.
    pub base_url: Option<String>,
    /// The moment embargoes are compared with, in seconds since the Unix epoch; the system
    /// clock when `None`.
    pub now: Option<i64>,
    /// Include incidents still under embargo (for checking, never for publishing).
    pub embargoed: bool,
}

/// A loaded site: its configuration, incidents (newest first) and taxonomies.
#[derive(Debug, Clone)]
pub struct Site {
    /// The site folder, as given (empty for the current folder, so messages say `content/x.md`).
    pub root: PathBuf,
    /// The configuration, with command-line overrides applied.
    pub config: Config,
    /// The parsed `base_url`.
    pub base_url: BaseUrl,
    /// Published incidents (and drafts, when asked for), newest first.
    pub incidents: Vec<Arc<Incident>>,
    /// Published pages of `pages/` (and drafts, when asked for), lightest `weight` first
    /// ([`page::sort`]).
    pub pages: Vec<Arc<Page>>,
    /// Every configured taxonomy with its terms (shared: a preview rebuild that changes no
    /// term reuses them).
    pub taxonomies: Arc<Vec<Taxonomy>>,
    /// Incidents by year and month, newest first.
    pub archive: Arc<Vec<ArchiveYear>>,
    /// For each incident, up to five related ones (most shared terms first): see
    /// [`Site::related`], which makes them when first asked.
    pub related: Arc<std::sync::OnceLock<Vec<Vec<usize>>>>,
    /// How many drafts (incidents and pages) were left out.
    pub drafts_skipped: usize,
    /// When each embargoed incident left out will be published, soonest first.
    pub embargoed: Vec<crate::content::date::IncidentDate>,
    /// Problems that did not stop the load.
    pub warnings: Vec<Diagnostic>,
    /// The moment of the build (seconds since the Unix epoch): embargoes end by it, and the
    /// statistics' "last 24 months" end with its month.
    pub now: i64,
}

/// `.` becomes the empty path, so joined paths read `content/x.md` rather than `./content/x.md`.
pub fn normalize_root(root: &Path) -> PathBuf {
    if root == Path::new(".") { PathBuf::new() } else { root.to_path_buf() }
}

impl Site {
    /// For each incident, in site order, up to five related ones (most shared terms first).
    ///
    /// Made on first use: they cost a pass over every term of every incident, about 2% of a
    /// build with a theme that never reads them, and only incident values holding `related`
    /// (a theme whose templates name it) need them. A renderer whose values hold them asks
    /// first, before rendering in parallel, so that they are made once.
    pub fn related(&self) -> &[Vec<usize>] {
        if let Some(made) = self.related.get() {
            return made;
        }
        // Made outside the lock: made inside it, in parallel, the pool's threads could all be
        // waiting for the lock, with none left to make them (or take, while waiting, a job that
        // asks for the lock on the thread holding it). Threads that race here make the same
        // lists, and the first kept wins.
        let made = related(&self.incidents, &self.taxonomies);
        self.related.get_or_init(|| made)
    }

    /// The page with `slug`, if the site has it: what a menu entry naming a page points at.
    pub fn page(&self, slug: &str) -> Option<&Page> {
        self.pages.iter().find(|p| p.slug == slug).map(|p| &**p)
    }

    /// Reads the configuration, every incident under `content/` and every page under `pages/`.
    ///
    /// Every broken file is reported, not just the first one found.
    pub fn load(root: &Path, options: &LoadOptions) -> Result<Site> {
        Site::load_with_progress(root, options, &crate::base::Silent)
    }

    /// Reads the configuration (with `options`' overrides) and checks that the site has a
    /// `content/` folder. Returns the normalized root with it.
    pub fn load_config(root: &Path, options: &LoadOptions) -> Result<(PathBuf, Config)> {
        let root = normalize_root(root);
        if !root.as_os_str().is_empty() && !fs::is_dir(&root) {
            return Err(Diagnostic::at(Location::file(&root), "the site folder does not exist").into());
        }
        let mut config = Config::load(&root)?;
        if let Some(base_url) = &options.base_url {
            BaseUrl::parse(base_url).map_err(|why| Diagnostic::new(format!("--base-url: {why}")))?;
            config.base_url = base_url.clone();
        }
        let content = root.join(CONTENT_DIR);
        if !fs::is_dir(&content) {
            let site = if root.as_os_str().is_empty() {
                "the current folder".to_string()
            } else {
                root.display().to_string()
            };
            return Err(Diagnostic::new(format!("no `content/` folder in {site}"))
                .with_help("put incidents as Markdown files in content/, or pass --root with the site folder")
                .into());
        }
        Ok((root, config))
    }

    /// [`Site::load`], telling `progress` about each file read.
    pub fn load_with_progress(
        root: &Path,
        options: &LoadOptions,
        progress: &dyn crate::Progress,
    ) -> Result<Site> {
        let (root, config) = Site::load_config(root, options)?;
        let files = fs::files_under(&root.join(CONTENT_DIR))?;
        let pages = fs::files_under(&root.join(PAGES_DIR))?;
        Site::load_files(root, config, files, pages, options, progress)
    }

    /// [`Site::load_with_progress`] from the configuration [`Site::load_config`] read and every
    /// file under `content/` and under `pages/`, listed by the caller ([`fs::files_under`]).
    pub fn load_files(
        root: PathBuf,
        config: Config,
        files: Vec<PathBuf>,
        pages: Vec<PathBuf>,
        options: &LoadOptions,
        progress: &dyn crate::Progress,
    ) -> Result<Site> {
        Site::load_files_with(root, config, files, pages, options, progress, &|_| {})
    }

    /// [`Site::load_files`], handing each incident to `each` as soon as its file is parsed,
    /// before the site is put together: a build uses it to write incident pages while it loads
    /// ([`crate::render::stream`]).
    #[allow(clippy::too_many_arguments)] // Each is a stage's input; a struct would only rename them.
    pub fn load_files_with(
        root: PathBuf,
        config: Config,
        mut files: Vec<PathBuf>,
        mut pages: Vec<PathBuf>,
        options: &LoadOptions,
        progress: &dyn crate::Progress,
        each: &(dyn Fn(&mut Incident) + Sync),
    ) -> Result<Site> {
        let content = root.join(CONTENT_DIR);
        files.retain(|p| is_content_file(p));
        pages.retain(|p| is_content_file(p));
        let schema = config.parse_settings();
        progress.start("reading", files.len() + pages.len());
        let results: Vec<Parsed> = files
            .par_iter()
            .map(|path| {
                progress.advance(1);
                let text = fs::read_to_string(path).map_err(|d| vec![d])?;
                let attachments =
                    bundle::attachments(path, &source_of(&content, path)).map_err(|d| vec![d])?;
                let (mut incident, warnings) =
                    parse_file(&config, &schema, &content, path, &text, attachments)?;
                // Just made: nothing else holds it yet.
                if let Some(incident) = Arc::get_mut(&mut incident) {
                    each(incident);
                }
                Ok((incident, warnings))
            })
            .collect();
        let folder = root.join(PAGES_DIR);
        let pages: Vec<ParsedPage> = pages
            .par_iter()
            .map(|path| {
                progress.advance(1);
                let text = fs::read_to_string(path).map_err(|d| vec![d])?;
                let attachments =
                    bundle::attachments(path, &source_of(&folder, path)).map_err(|d| vec![d])?;
                parse_page_file(&schema, &folder, path, &text, attachments)
            })
            .collect();
        Site::assemble(root, config, results, pages, options)
    }

    /// Puts a site together from its configuration and the parsed files (in any order): drops
    /// drafts and embargoed incidents as `options` say, sorts, and groups taxonomies and the
    /// archive (related incidents are made when first asked for: [`Site::related`]). Every
    /// file's errors, and duplicate slugs, are reported together.
    pub fn assemble(
        root: PathBuf,
        config: Config,
        files: Vec<Parsed>,
        page_files: Vec<ParsedPage>,
        options: &LoadOptions,
    ) -> Result<Site> {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let mut incidents = Vec::with_capacity(files.len());
        for result in files {
            match result {
                Ok((incident, file_warnings)) => {
                    warnings.extend(file_warnings);
                    incidents.push(incident);
                }
                Err(file_errors) => errors.extend(file_errors),
            }
        }
        errors.extend(duplicate_slugs(&incidents));
        let mut pages = Vec::with_capacity(page_files.len());
        for result in page_files {
            match result {
                Ok((page, file_warnings)) => {
                    warnings.extend(file_warnings);
                    pages.push(page);
                }
                Err(file_errors) => errors.extend(file_errors),
            }
        }
        errors.extend(page_slug_problems(&config, &pages));
        if !errors.is_empty() {
            return Err(Error::many(errors));
        }
        // Warnings in file order whatever order the files came in, so output is stable.
        warnings.sort_by(|a, b| a.location.cmp(&b.location));
        let before = incidents.len() + pages.len();
        if !options.drafts {
            incidents.retain(|i| !i.draft);
            pages.retain(|p| !p.draft);
        }
        let drafts_skipped = before - incidents.len() - pages.len();
        page::sort(&mut pages);
        let now = options.now.unwrap_or_else(|| jiff::Timestamp::now().as_second());
        let mut embargoed: Vec<crate::content::date::IncidentDate> =
            incidents.iter().filter_map(|i| i.embargo.clone()).filter(|e| e.sort_key() > now).collect();
        embargoed.sort();
        if !options.embargoed {
            incidents.retain(|i| !under_embargo(i, now));
        }
        sort_newest_first(&mut incidents);
        let taxonomies = Taxonomy::build_all(&config, &incidents);
        let archive = archive(&incidents);
        Ok(Site {
            base_url: config.base_url(),
            root,
            config,
            incidents,
            pages,
            taxonomies: Arc::new(taxonomies),
            archive: Arc::new(archive),
            related: Arc::default(),
            drafts_skipped,
            embargoed,
            warnings,
            now,
        })
    }
}

/// Whether an incident's embargo ends after `now` (seconds since the Unix epoch).
fn under_embargo(incident: &Incident, now: i64) -> bool {
    incident.embargo.as_ref().is_some_and(|e| e.sort_key() > now)
}

/// Whether [`Site::assemble`] keeps `incident` with `options`, at `now` (seconds since the
/// Unix epoch): not a draft, unless drafts are asked for, and not under embargo, unless those
/// are.
pub fn is_published(incident: &Incident, options: &LoadOptions, now: i64) -> bool {
    (options.drafts || !incident.draft) && (options.embargoed || !under_embargo(incident, now))
}

/// One content file parsed: the incident and its warnings, or every error in the file.
pub type Parsed = std::result::Result<(Arc<Incident>, Vec<Diagnostic>), Vec<Diagnostic>>;

/// One page file parsed: the page and its warnings, or every error in the file.
pub type ParsedPage = std::result::Result<(Arc<Page>, Vec<Diagnostic>), Vec<Diagnostic>>;

/// The Markdown files under `content/`, sorted.
pub fn content_files(content: &Path) -> Result<Vec<PathBuf>> {
    Ok(fs::files_under(content)?.into_iter().filter(|p| is_content_file(p)).collect())
}

/// Whether a path under `content/` is an incident file.
pub fn is_content_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "md")
}

/// The path of `path` under `folder` (`content/`, `pages/`), with `/` separators.
pub fn source_of(folder: &Path, path: &Path) -> String {
    let source = path.strip_prefix(folder).unwrap_or(path);
    source.to_string_lossy().replace('\\', "/")
}

/// Parses the text of one content file (`path`, under the `content` folder) into an incident
/// with its taxonomy terms and the files of its bundle (listed by [`bundle::attachments`]).
pub fn parse_file(
    config: &Config,
    schema: &incident::ParseSettings,
    content: &Path,
    path: &Path,
    text: &str,
    files: Vec<Attachment>,
) -> Parsed {
    let source = source_of(content, path);
    let mut parsed = incident::parse_with(path, &source, text, schema, &image_sizes(&files))?;
    let terms: Vec<Vec<String>> = config
        .taxonomies
        .iter()
        .map(|t| crate::content::field_path::values(&parsed.incident, t.field()))
        .collect();
    let overlong = overlong_terms(config, path, text, &terms);
    if !overlong.is_empty() {
        return Err(overlong);
    }
    parsed.incident.terms = terms;
    parsed.incident.files = files;
    // The summary is shown on list pages, in feeds and in the data files too, where a link
    // relative to the incident's page (an image of its bundle) would lead elsewhere.
    let summary = &parsed.incident.summary_html;
    if summary.contains(" href=\"") || summary.contains(" src=\"") {
        let dir = config.base_url().url(&crate::config::urls::incident(&parsed.incident.slug));
        parsed.incident.summary_html = crate::content::markdown::rebase_links(summary, &dir);
    }
    Ok((Arc::new(parsed.incident), parsed.warnings))
}

/// An error for each term of `terms` (one list per taxonomy of `config`) whose page could not
/// be written: its URL segment, a folder of the output, is longer than a file name may be.
/// Located at the value in the front matter of `text` where it can be found there, else at its
/// field's key.
fn overlong_terms(config: &Config, path: &Path, text: &str, terms: &[Vec<String>]) -> Vec<Diagnostic> {
    use crate::base::{frontmatter, slug};
    let mut errors = Vec::new();
    for (taxonomy, keys) in config.taxonomies.iter().zip(terms) {
        // Only taxonomies with pages write a folder per term.
        if !taxonomy.pages {
            continue;
        }
        for key in keys {
            let segment = slug::slugify(key);
            if slug::overlong_segment(&segment).is_none() {
                continue;
            }
            // Found again on this rare path only: parsing succeeded, so the split does.
            let normalized = frontmatter::normalize(text);
            let Ok(split) = frontmatter::split(&normalized) else { continue };
            let field = taxonomy.field();
            let first = field.split('.').next().unwrap_or(field);
            // `victims.sector` may be written under `victim:` too.
            let key_at = frontmatter::locate(split.yaml, &[frontmatter::Seg::Key(first)]);
            // The value itself, written on or after its field's line.
            let from: usize = match key_at {
                Some((line, _)) => split.yaml.split_inclusive('\n').take(line).map(str::len).sum(),
                None => 0,
            };
            let at = match split.yaml[from..].find(key.as_str()) {
                Some(offset) => {
                    let before = &split.yaml[..from + offset];
                    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
                    Some((before.matches('\n').count(), before[line_start..].chars().count() + 1))
                }
                None => key_at,
            };
            let location = match at {
                Some((line, column)) => Location::at(path, split.yaml_line + line, column),
                None => Location::file(path),
            };
            errors.push(
                Diagnostic::at(location, format!("`{field}`: {}", slug::too_long(key, &segment)))
                    .with_help(format!("shorten it: its page would be at /{}/<term>/", taxonomy.path())),
            );
        }
    }
    errors
}

/// Parses the text of one page file (`path`, under the `pages` folder `folder`), with the
/// files of its bundle.
pub fn parse_page_file(
    schema: &incident::ParseSettings,
    folder: &Path,
    path: &Path,
    text: &str,
    files: Vec<Attachment>,
) -> ParsedPage {
    let source = source_of(folder, path);
    let mut parsed = page::parse(path, &source, text, schema, &image_sizes(&files))?;
    parsed.page.files = files;
    Ok((Arc::new(parsed.page), parsed.warnings))
}

/// A year of the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveYear {
    /// The year.
    pub year: i16,
    /// Its incidents, in site order.
    pub incidents: Vec<usize>,
    /// Its months, newest first; incidents dated only to the year come last, as month `None`.
    pub months: Vec<ArchiveMonth>,
}

/// A month of the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveMonth {
    /// 1-12, or `None` for incidents known only by year.
    pub month: Option<i8>,
    /// Its incidents, in site order.
    pub incidents: Vec<usize>,
}

/// Groups incidents (newest first) by year and month.
fn archive(incidents: &[Arc<Incident>]) -> Vec<ArchiveYear> {
    let mut years: Vec<ArchiveYear> = Vec::new();
    for (i, incident) in incidents.iter().enumerate() {
        let year = incident.date.year();
        if years.last().is_none_or(|y| y.year != year) {
            years.push(ArchiveYear { year, incidents: Vec::new(), months: Vec::new() });
        }
        let Some(entry) = years.last_mut() else { continue };
        entry.incidents.push(i);
        let month = incident.date.month();
        match entry.months.iter_mut().find(|m| m.month == month) {
            Some(m) => m.incidents.push(i),
            None => entry.months.push(ArchiveMonth { month, incidents: vec![i] }),
        }
    }
    for year in &mut years {
        // Year-only dates sort first in a year (as 1 January), but read best after the months.
        year.months.sort_by_key(|m| std::cmp::Reverse(m.month.map_or(0, i16::from)));
    }
    years
}

/// Terms shared by more incidents than this say little about how two incidents relate
/// (`severity: high`, `status: resolved`), and would make the computation quadratic.
const RELATED_TERM_LIMIT: usize = 200;

/// Up to five related incidents per incident: the most terms shared across taxonomies, then
/// the closest in date.
fn related(incidents: &[Arc<Incident>], taxonomies: &[Taxonomy]) -> Vec<Vec<usize>> {
    // Candidates are ranked by date; reading it from each incident would touch memory all over.
    let when: Vec<i64> = incidents.iter().map(|i| i.date.sort_key()).collect();
    // One tally per thread, reset after each incident: a hash map per incident costs more than
    // the counting itself.
    let tally = || (vec![0u32; incidents.len()], Vec::new());
    let rank = |(tally, touched): &mut (Vec<u32>, Vec<usize>), i: usize| -> Vec<usize> {
        for taxonomy in taxonomies {
            for &k in &taxonomy.incident_terms[i] {
                let term = &taxonomy.terms[k];
                if term.incidents.len() > RELATED_TERM_LIMIT {
                    continue;
                }
                for &j in term.incidents.iter().filter(|&&j| j != i) {
                    if tally[j] == 0 {
                        touched.push(j);
                    }
                    tally[j] += 1;
                }
            }
        }
        let mut ranked: Vec<(usize, u32)> = touched.iter().map(|&j| (j, tally[j])).collect();
        for &j in touched.iter() {
            tally[j] = 0;
        }
        touched.clear();
        let key = |&(j, score): &(usize, u32)| (std::cmp::Reverse(score), (when[j] - when[i]).abs(), j);
        if ranked.len() > 5 {
            ranked.select_nth_unstable_by_key(4, key);
            ranked.truncate(5);
        }
        ranked.sort_by_key(key);
        // From a slice, not in place: `ranked` has room for every incident touched,
        // and the list is kept for the whole build (1.6 KB per incident on the corpus).
        ranked.iter().map(|&(j, _)| j).collect()
    };
    (0..incidents.len()).into_par_iter().map_init(tally, rank).collect()
}

/// Newest first; same dates by title, then slug, so the order never depends on file order.
pub fn sort_newest_first(incidents: &mut [Arc<Incident>]) {
    incidents.sort_by(|a, b| {
        b.date.cmp(&a.date).then_with(|| a.title.cmp(&b.title)).then_with(|| a.slug.cmp(&b.slug))
    });
}

/// Pages whose slug is an address the site has already — one of casebook's own (`search`,
/// `incidents`…), a taxonomy's, or another page's (drafts included, as for incidents) — each
/// an error at the page's `slug:` line, or its file when the slug is the file's name.
fn page_slug_problems(config: &Config, pages: &[Arc<Page>]) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let help = |page: &Page| {
        if page.slug_written {
            "give the page another `slug:`".to_string()
        } else {
            format!("rename the file, or give it a `slug:` line such as `slug: {}-page`", page.slug)
        }
    };
    let mut sorted: Vec<&Page> = pages.iter().map(|p| &**p).collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut first: HashMap<&str, &Page> = HashMap::new();
    for page in sorted {
        let taxonomies = config.taxonomies.iter().map(|t| t.path());
        if let Some(why) = crate::config::urls::page_slug_taken(&page.slug, taxonomies) {
            errors.push(
                Diagnostic::at(
                    page.slug_location.clone(),
                    format!("the page cannot have the slug `{}`: {why}", page.slug),
                )
                .with_help(help(page)),
            );
            continue;
        }
        match first.get(page.slug.as_str()) {
            None => {
                first.insert(&page.slug, page);
            }
            Some(owner) => {
                let location = if page.slug_written || !owner.slug_written {
                    page.slug_location.clone()
                } else {
                    owner.slug_location.clone()
                };
                errors.push(
                    Diagnostic::at(
                        location,
                        format!(
                            "two pages have the slug `{}`: {} and {}",
                            page.slug,
                            owner.path.display(),
                            page.path.display()
                        ),
                    )
                    .with_help(help(page)),
                );
            }
        }
    }
    errors
}

/// One error per incident whose slug an earlier file (in path order) already took; drafts
/// count too, because they would collide as soon as someone previews with `--drafts`. The error
/// points at a `slug:` line when one of the two set it, since that is the likelier mistake.
fn duplicate_slugs(incidents: &[Arc<Incident>]) -> Vec<Diagnostic> {
    let mut sorted: Vec<&Incident> = incidents.iter().map(|i| &**i).collect();
    // They usually come in path order already; comparing paths is slow enough to check first.
    if !sorted.is_sorted_by(|a, b| a.path <= b.path) {
        sorted.sort_by(|a, b| a.path.cmp(&b.path));
    }
    let mut first: HashMap<&str, &Incident> = HashMap::new();
    let mut errors = Vec::new();
    let origin = |i: &Incident| match i.slug_line {
        Some(line) => format!("{} (its `slug:` on line {line})", i.path.display()),
        None => format!("{} (its file name)", i.path.display()),
    };
    for incident in sorted {
        let Some(owner) = first.get(incident.slug.as_str()) else {
            first.insert(&incident.slug, incident);
            continue;
        };
        let location = match (incident.slug_line, owner.slug_line) {
            (Some(line), _) => Location::at(&incident.path, line, 1),
            (None, Some(line)) => Location::at(&owner.path, line, 1),
            (None, None) => Location::file(&incident.path),
        };
        errors.push(
            Diagnostic::at(
                location,
                format!(
                    "two incidents have the slug `{}`: {} and {}",
                    incident.slug,
                    origin(owner),
                    origin(incident)
                ),
            )
            .with_help("give one of them a different `slug:` in its front matter, or rename the file"),
        );
    }
    errors
}
