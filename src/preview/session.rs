//! A site kept in memory between builds: the engine of `casebook watch` and `casebook serve`.
//!
//! A [`Session`] remembers every content file it parsed (with a hash of its text), each
//! incident's template value, and for every file it wrote the signature of the page's inputs
//! and a hash of its bytes. After a change it re-reads only the changed files, puts the site
//! together again (sorting and grouping are cheap next to parsing and rendering), renders only
//! the pages whose signature changed (see `signature.rs`), writes only the files whose bytes
//! changed and removes those the site no longer has. The result is the same as a full build of
//! the same files, byte for byte; the tests check this after a series of edits.
//!
//! The first build of a session goes through a staging folder like `casebook build`, so the
//! output folder holds exactly one build; later ones replace single files atomically.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tera::Value;

use crate::base::error::{Diagnostic, Error, Result};
use crate::base::fs;
use crate::config::Config;
use crate::content::bundle::{Attachment, BUNDLE_INDEX};
use crate::content::incident::{self, Incident};
use crate::plan::{Page, PageKind};
use crate::preview::signature;
use crate::render::{Renderer, Shared};
use crate::site::{CONTENT_DIR, LoadOptions, PAGES_DIR, Parsed, ParsedPage, Site};
use crate::theme::uses as template_uses;
use crate::theme::{StaticSource, Theme};
use crate::write::staging as output;

/// What a session builds, and how.
#[derive(Debug, Clone, Default)]
pub struct SessionOptions {
    /// The site folder.
    pub root: PathBuf,
    /// The output folder (already checked with [`output::resolve`]).
    pub output: PathBuf,
    /// Overrides `base_url` from the configuration.
    pub base_url: Option<String>,
    /// Include drafts.
    pub drafts: bool,
    /// The moment embargoes are compared with; the clock when `None`.
    pub now: Option<i64>,
    /// Plain `asset()` URLs (see [`crate::render::RenderOptions::unversioned_assets`]).
    pub unversioned_assets: bool,
    /// Show internal notes highlighted (see [`incident::ParseSettings::show_internal`]): for a
    /// preview that is never published.
    pub show_internal: bool,
}

/// What one rebuild did.
#[derive(Debug, Clone, Default)]
pub struct RebuildReport {
    /// Whether everything was rendered (first build, configuration change).
    pub full: bool,
    /// Incidents published.
    pub incidents: usize,
    /// Drafts left out.
    pub drafts_skipped: usize,
    /// When each embargoed incident will be published, soonest first.
    pub embargoed: Vec<crate::content::date::IncidentDate>,
    /// Pages rendered (their inputs changed).
    pub rendered: usize,
    /// Files written because their bytes changed (pages and static files), relative to the
    /// output folder, in the order written.
    pub written: Vec<String>,
    /// Files removed because the site no longer has them.
    pub removed: Vec<String>,
    /// From the start of the rebuild to the first changed file being written.
    pub first_write: Option<Duration>,
    /// Wall time of the rebuild.
    pub elapsed: Duration,
    /// Problems that did not stop the build.
    pub warnings: Vec<Diagnostic>,
    /// The sources whose change this rebuild took in (content files whose text changed,
    /// templates, static files, the configuration); empty for a full build.
    pub changed: Vec<PathBuf>,
}

impl RebuildReport {
    /// A report of nothing done yet, with the site's counts.
    fn of(site: &Site) -> RebuildReport {
        RebuildReport {
            incidents: site.incidents.len(),
            drafts_skipped: site.drafts_skipped,
            embargoed: site.embargoed.clone(),
            ..RebuildReport::default()
        }
    }

    /// Whether only stylesheets changed, so a browser can swap them without reloading.
    pub fn stylesheets_only(&self) -> bool {
        !self.written.is_empty()
            && self.removed.is_empty()
            && self.written.iter().all(|f| f.ends_with(".css"))
    }
}

/// A content file as last read.
#[derive(Clone)]
struct Source {
    /// A hash of the path, the text and the files of its bundle: the incident's (or page's)
    /// version.
    version: u64,
    parsed: Content,
}

/// What a content file is: an incident (under `content/`) or a page (under `pages/`).
#[derive(Clone)]
enum Content {
    Incident(Parsed),
    Page(ParsedPage),
}

impl Content {
    /// The incident, if this is one that parsed.
    fn incident(&self) -> Option<&Arc<Incident>> {
        match self {
            Content::Incident(Ok((incident, _))) => Some(incident),
            _ => None,
        }
    }

    /// The page, if this is one that parsed.
    fn page(&self) -> Option<&Arc<crate::content::page::Page>> {
        match self {
            Content::Page(Ok((page, _))) => Some(page),
            _ => None,
        }
    }

    /// The warnings of a file that parsed.
    fn warnings(&self) -> &[Diagnostic] {
        match self {
            Content::Incident(Ok((_, w))) | Content::Page(Ok((_, w))) => w,
            _ => &[],
        }
    }
}

/// A file the session wrote.
#[derive(Clone, Copy)]
struct Written {
    /// The signature of the page's inputs (none for static files).
    signature: u64,
    /// A hash of the bytes written.
    digest: u64,
    /// Whether it is a static file (copied, not rendered).
    is_static: bool,
}

/// The state the previous build left: what the output folder holds and why.
struct Built {
    config: Config,
    theme: Theme,
    schema: incident::ParseSettings,
    uses: HashMap<String, template_uses::Uses>,
    /// Everything besides content and templates that the output depends on.
    base: u64,
    /// Output files by path.
    files: HashMap<String, Written>,
    /// The last build that succeeded.
    last: Option<Last>,
}

/// What the last successful build computed, for the next one to start from.
struct Last {
    site: Arc<Site>,
    /// Each incident's version, in site order.
    versions: Vec<u64>,
    /// Each incident's template value, in site order.
    views: Vec<Value>,
    /// The fields the views hold: those the theme's templates named at the time.
    fields: crate::render::view::Fields,
    /// The renderer's site-wide data; `None` after a template change, which needs a recompile.
    shared: Option<Shared>,
    /// Where each incident is in `site.incidents`, by path.
    index: HashMap<PathBuf, usize>,
    /// Where each page is in `site.pages`, by path.
    page_index: HashMap<PathBuf, usize>,
    /// The incidents' serialized records (JSON and CSV) and STIX objects, for a rebuild that
    /// keeps the site's structure; taken by the next rebuild.
    fragments: Option<crate::render::export::fragments::Fragments>,
}

/// A site held in memory between builds.
pub struct Session {
    options: SessionOptions,
    /// Content files by path (`content/…` and `pages/…`), parsed or not.
    sources: BTreeMap<PathBuf, Source>,
    /// `None` before the first successful build, and after a change that needs a full one.
    built: Option<Built>,
    /// Content files changed since the last successful build.
    pending: std::collections::BTreeSet<PathBuf>,
    /// Static files changed since the last successful build.
    statics_pending: bool,
    /// The output folder, held from the first rebuild for the session's life: its rebuilds
    /// write into the folder at any moment, and know what it holds (see
    /// [`output::lock_output`]).
    lock: Option<output::OutputLock>,
}

/// What a set of changed paths means for the build.
#[derive(Debug, Default)]
struct Changes {
    /// Content files to read again (or drop, when gone): those changed, and those whose bundle
    /// has a file that changed.
    content: Vec<PathBuf>,
    /// Something under content/ or pages/ that is not a plain Markdown file changed (a folder
    /// moved, a link): list the folders again.
    rescan: bool,
    templates: bool,
    statics: bool,
    config: bool,
    /// The template, static and configuration files among the changes.
    others: Vec<PathBuf>,
}

fn hash_bytes(bytes: &[u8]) -> u64 {
    crate::base::hash::fingerprint(bytes)
}

impl Session {
    /// A session with nothing built yet: the first [`Session::rebuild`] builds everything.
    pub fn new(options: SessionOptions) -> Session {
        let root = crate::site::normalize_root(&options.root);
        Session {
            options: SessionOptions { root, ..options },
            sources: BTreeMap::new(),
            built: None,
            pending: Default::default(),
            statics_pending: false,
            lock: None,
        }
    }

    /// The site folder.
    pub fn root(&self) -> &Path {
        &self.options.root
    }

    /// The output folder.
    pub fn output(&self) -> &Path {
        &self.options.output
    }

    /// The folders and files whose changes matter, to watch: `casebook.yaml` and content,
    /// pages, templates, themes and static files.
    pub fn watched(&self) -> Vec<PathBuf> {
        let root = &self.options.root;
        let dir = |d: &str| if root.as_os_str().is_empty() { PathBuf::from(d) } else { root.join(d) };
        vec![
            dir(CONTENT_DIR),
            dir(PAGES_DIR),
            dir("templates"),
            dir("themes"),
            dir("static"),
            dir("i18n"),
            dir(crate::config::CONFIG_FILE),
        ]
    }

    /// Brings the output up to date after `changed` paths changed (anything: files, folders,
    /// paths that no longer exist; unrelated paths are ignored). The first call, and any call
    /// after a failed full build, builds everything.
    ///
    /// On error the output keeps the last good build, and the session remembers the broken
    /// file, so the rebuild after its fix is incremental again.
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Result<RebuildReport> {
        if self.lock.is_none() {
            self.lock = Some(output::lock_output(&self.options.output)?);
        }
        let started = Instant::now();
        if self.built.is_none() {
            return self.full(started);
        }
        let changes = self.classify(changed);
        if changes.config || self.built.is_none() {
            return self.full(started);
        }
        if changes.rescan {
            let changed = self.rescan()?;
            self.pending.extend(changed);
        }
        let changed = self.read(&changes.content);
        self.pending.extend(changed);
        if changes.templates || changes.statics {
            let Some(built) = self.built.as_mut() else { return self.full(started) };
            let theme = Theme::load(&self.options.root, &built.config)?;
            built.uses = uses(&theme);
            built.theme = theme;
            if let Some(last) = built.last.as_mut() {
                last.shared = None;
            }
        }
        let theme_changed = changes.templates || changes.statics || self.statics_pending;
        if self.pending.is_empty() && !theme_changed && !self.clock_matters() {
            return Ok(RebuildReport { elapsed: started.elapsed(), ..self.quiet_report() });
        }
        let mut changed: Vec<PathBuf> = self.pending.iter().cloned().collect();
        changed.extend(changes.others);
        self.statics_pending |= changes.statics;
        let result = self.update(started, self.statics_pending);
        if result.is_ok() {
            self.pending.clear();
            self.statics_pending = false;
        }
        result.map(|report| RebuildReport { changed, ..report })
    }

    /// Whether time passing alone can change the site: an embargo ends.
    fn clock_matters(&self) -> bool {
        let last = self.built.as_ref().and_then(|b| b.last.as_ref());
        self.options.now.is_none() && last.is_none_or(|l| !l.site.embargoed.is_empty())
    }

    /// The report of a rebuild that found nothing to do.
    fn quiet_report(&self) -> RebuildReport {
        let site = self.built.as_ref().and_then(|b| b.last.as_ref()).map(|l| &l.site);
        site.map_or_else(RebuildReport::default, |site| RebuildReport {
            warnings: site.warnings.clone(),
            ..RebuildReport::of(site)
        })
    }

    /// Sorts changed paths by what they affect.
    fn classify(&self, changed: &[PathBuf]) -> Changes {
        let root = &self.options.root;
        let mut changes = Changes::default();
        for path in changed {
            let rel = path.strip_prefix(root).unwrap_or(path);
            // Editors' swap and backup files, version control: hidden, never site content.
            if rel.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.')) {
                continue;
            }
            let first = rel.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned());
            match first.as_deref() {
                Some(CONTENT_DIR | PAGES_DIR) => {
                    let markdown = crate::site::is_content_file(path);
                    if markdown && !fs::is_dir(path) && !fs::is_symlink(path) {
                        changes.content.push(path.clone());
                        // A bundle's `index.md` coming or going moves files in or out of the
                        // bundle around it.
                        if path.file_name().is_some_and(|n| n == BUNDLE_INDEX) {
                            changes.content.extend(self.bundle_of(path.parent().unwrap_or(path)));
                        }
                    } else if markdown || fs::is_dir(path) || self.sources.keys().any(|p| p.starts_with(path))
                    {
                        // A link, a new folder, or a folder that held incidents moved or
                        // removed: what it holds now is unknown. (Editors' temporary files,
                        // such as vim's `4913`, are none of these.)
                        changes.rescan = true;
                    } else {
                        // Another file: one of a bundle's (an image replaced, a log added), whose
                        // page is read again with it; a file in no bundle is not published.
                        changes.content.extend(self.bundle_of(path));
                    }
                }
                // The theme's words reach values made with the site (scale labels, dates):
                // a change of them is one of the configuration's.
                Some("i18n") => {
                    changes.config = true;
                    changes.others.push(path.clone());
                }
                Some("themes") if rel.components().any(|c| c.as_os_str() == "i18n") => {
                    changes.config = true;
                    changes.others.push(path.clone());
                }
                Some("templates" | "themes") => {
                    changes.templates = true;
                    // A theme's static files live under themes/ too.
                    changes.statics |= rel.components().any(|c| c.as_os_str() == "static");
                    changes.others.push(path.clone());
                }
                Some("static") => {
                    changes.statics = true;
                    changes.others.push(path.clone());
                }
                Some(name) if name == crate::config::CONFIG_FILE => {
                    changes.config = true;
                    changes.others.push(path.clone());
                }
                _ => {}
            }
        }
        changes
    }

    /// The content file whose bundle `path` (a file or folder under `content/` or `pages/`) is
    /// in: the nearest `index.md` above it that the session knows, if any.
    fn bundle_of(&self, path: &Path) -> Option<PathBuf> {
        let root = &self.options.root;
        let top = [root.join(CONTENT_DIR), root.join(PAGES_DIR)];
        path.ancestors()
            .skip(1)
            .take_while(|dir| !top.iter().any(|t| t == dir) && dir.starts_with(root))
            .map(|dir| dir.join(BUNDLE_INDEX))
            .find(|index| self.sources.contains_key(index))
    }

    /// Reads the listed content files again; a file that is gone is dropped. Returns those
    /// whose text, bundle (or existence) changed.
    fn read(&mut self, paths: &[PathBuf]) -> Vec<PathBuf> {
        let Some(built) = &self.built else { return Vec::new() };
        let root = &self.options.root;
        let sources = &self.sources;
        // `None`: gone; `Some(None)`: the same text and bundle as before.
        let read: Vec<(PathBuf, Option<Option<Source>>)> = paths
            .par_iter()
            .map(|path| {
                if !fs::is_file(path) {
                    return (path.clone(), None);
                }
                let source = match read_source(root, path) {
                    Ok(read) if sources.get(path).is_some_and(|s| s.version == read.version) => None,
                    Ok(read) => Some(parse_source(&built.config, &built.schema, root, path, read)),
                    // Unreadable for now (mid-save, permissions): an error until it is fixed.
                    Err(d) => Some(unreadable(root, path, d)),
                };
                (path.clone(), Some(source))
            })
            .collect();
        let mut changed = Vec::new();
        for (path, source) in read {
            match source {
                Some(None) => {}
                Some(Some(source)) => {
                    self.sources.insert(path.clone(), source);
                    changed.push(path);
                }
                None => {
                    if self.sources.remove(&path).is_some() {
                        changed.push(path);
                    }
                }
            }
        }
        changed
    }

    /// Lists content/ and pages/ again: files that appeared are read, files gone are dropped.
    /// Returns both.
    fn rescan(&mut self) -> Result<Vec<PathBuf>> {
        let root = &self.options.root;
        let mut files = crate::site::content_files(&root.join(CONTENT_DIR))?;
        files.extend(crate::site::content_files(&root.join(PAGES_DIR))?);
        let now: HashSet<&PathBuf> = files.iter().collect();
        let gone: Vec<PathBuf> = self.sources.keys().filter(|p| !now.contains(p)).cloned().collect();
        self.sources.retain(|path, _| now.contains(path));
        // Every file is read again, not only new ones: a folder swapped for another, or a link
        // pointed elsewhere, keeps its paths. Only files whose text changed are parsed.
        let mut changed = self.read(&files);
        changed.extend(gone);
        Ok(changed)
    }

    fn load_options(&self) -> LoadOptions {
        load_options(&self.options)
    }

    /// Reads everything again and renders every page, through a staging folder the first time.
    fn full(&mut self, started: Instant) -> Result<RebuildReport> {
        // Until a full build succeeds, every rebuild is a full one: the output must never mix
        // two configurations.
        let previous = self.built.take();
        let first = previous.is_none();
        let (root, mut config) = Site::load_config(&self.options.root, &self.load_options())?;
        let theme = Theme::load(&root, &config)?;
        theme.localize(&mut config);
        let mut schema = config.parse_settings();
        schema.show_internal = self.options.show_internal;
        let mut files = crate::site::content_files(&root.join(CONTENT_DIR))?;
        files.extend(crate::site::content_files(&root.join(PAGES_DIR))?);
        self.sources = files
            .par_iter()
            .map(|path| {
                let source = match read_source(&root, path) {
                    Ok(read) => parse_source(&config, &schema, &root, path, read),
                    Err(d) => unreadable(&root, path, d),
                };
                (path.clone(), source)
            })
            .collect();
        let base = {
            let mut h = crate::base::hash::fingerprinter();
            serde_json::to_string(&config).unwrap_or_default().hash(&mut h);
            let o = &self.options;
            (&o.base_url, o.drafts, o.now, o.unversioned_assets, o.show_internal).hash(&mut h);
            h.finish()
        };
        self.built = Some(Built {
            uses: uses(&theme),
            config,
            theme,
            schema,
            base,
            // After a configuration change every page is rendered again, but files whose bytes
            // did not change are still left alone.
            files: previous.map(|b| b.files).unwrap_or_default(),
            last: None,
        });
        let result = if first { self.first_build(started) } else { self.update(started, true) };
        if result.is_err() {
            self.built = None;
        } else {
            self.pending.clear();
            self.statics_pending = false;
        }
        result.map(|report| RebuildReport { full: true, ..report })
    }

    /// The first build: every page, written into a staging folder swapped in at the end.
    fn first_build(&mut self, started: Instant) -> Result<RebuildReport> {
        let Some(built) = self.built.as_mut() else { return Err(Diagnostic::new("no site loaded").into()) };
        let site = Arc::new(assemble(&self.options, &self.sources, &built.config)?);
        let versions = versions(&self.sources, &site);
        let page_versions = page_versions(&self.sources, &site);
        let shared = Shared::new(&site, &built.theme, self.options.unversioned_assets)?;
        let renderer = Renderer::with_shared(&site, &built.theme, shared, None);
        let crate::Outputs { mut pages, statics, bundle_files, warnings } =
            crate::outputs(&site, &built.theme)?;
        pages.extend(bundle_files);
        let inputs =
            signature::Inputs::new(&site, &versions, &page_versions, &built.uses, built.base, &renderer);
        forget_build_state(&self.options.output)?;
        let staging = output::Staging::create(&self.options.output)?;
        let rendered: Vec<std::result::Result<(String, Written), Diagnostic>> = pages
            .par_iter()
            .map(|page| {
                let bytes = produce(&renderer, page)?;
                staging.write(&page.file, &bytes)?;
                Ok((
                    page.file.clone(),
                    Written {
                        signature: inputs.signature(page),
                        digest: hash_bytes(&bytes),
                        is_static: false,
                    },
                ))
            })
            .chain(statics.par_iter().map(|(rel, source)| {
                let bytes = source.bytes()?;
                staging.write(rel, &bytes)?;
                Ok((rel.to_string(), Written { signature: 0, digest: hash_bytes(&bytes), is_static: true }))
            }))
            .collect();
        let (files, errors) = split(rendered);
        if !errors.is_empty() {
            staging.discard()?;
            return Err(page_errors(errors));
        }
        staging.commit()?;
        let mut written: Vec<String> = files.keys().cloned().collect();
        written.sort();
        built.files = files;
        let report = RebuildReport {
            full: true,
            rendered: pages.len(),
            first_write: Some(started.elapsed()),
            written,
            elapsed: started.elapsed(),
            warnings,
            ..RebuildReport::of(&site)
        };
        let mut last = Last::new(&site, versions, &renderer);
        last.fragments = renderer.into_fragments();
        built.last = Some(last);
        Ok(report)
    }

    /// Renders the pages whose inputs changed and writes the files whose bytes changed.
    ///
    /// When every changed incident kept its place in the site (same date, title, slug, terms…:
    /// see [`structure_key`]), the last build's site is patched instead of put together again,
    /// and its renderer data reused; either way the changed incidents' own pages are rendered
    /// and written first, since they are what the editor is looking at.
    fn update(&mut self, started: Instant, statics_changed: bool) -> Result<RebuildReport> {
        let Some(built) = self.built.as_mut() else { return Err(Diagnostic::new("no site loaded").into()) };
        let changed: Vec<PathBuf> = self.pending.iter().cloned().collect();
        // An embargo that ended since changes the site without any file changing.
        let now = self.options.now.unwrap_or_else(|| jiff::Timestamp::now().as_second());
        let embargo_ended =
            |last: &Last| last.site.embargoed.first().is_some_and(|until| until.sort_key() <= now);
        let patched = built
            .last
            .as_ref()
            .filter(|last| !embargo_ended(last))
            .and_then(|last| patch(last, &self.sources, &changed));
        let fast = patched.is_some();
        let (site, versions, shared, views) = match patched {
            Some(p) => p,
            None => {
                let site = assemble(&self.options, &self.sources, &built.config)?;
                log::info!("assembled the site in {:?}", started.elapsed());
                let versions = versions(&self.sources, &site);
                let shared = match built.last.as_ref().and_then(|l| l.shared.clone()) {
                    Some(mut shared) => {
                        shared.update(&site);
                        shared
                    }
                    None => Shared::new(&site, &built.theme, self.options.unversioned_assets)?,
                };
                let fields = shared.fields();
                // Views built for other fields (before a template edit) cannot be reused.
                let cache: HashMap<u64, &Value> = built
                    .last
                    .iter()
                    .filter(|l| l.fields == *fields)
                    .flat_map(|l| l.versions.iter().copied().zip(l.views.iter()))
                    .collect();
                let views: Vec<Value> = site
                    .incidents
                    .par_iter()
                    .zip(&versions)
                    .map(|(incident, v)| {
                        cache.get(v).map_or_else(
                            || crate::render::view::incident(&site, incident, fields),
                            |view| (*view).clone(),
                        )
                    })
                    .collect();
                (Arc::new(site), versions, shared, views)
            }
        };
        let renderer = Renderer::with_shared(&site, &built.theme, shared, Some(views));
        log::info!(
            "prepared the renderer in {:?} ({})",
            started.elapsed(),
            if fast { "same structure" } else { "new structure" }
        );
        let page_versions = page_versions(&self.sources, &site);
        let inputs =
            signature::Inputs::new(&site, &versions, &page_versions, &built.uses, built.base, &renderer);
        let output = self.options.output.clone();
        forget_build_state(&output)?;
        let first_write = std::sync::Mutex::new(None);
        let write =
            |rel: &str, bytes: &[u8], previous: Option<&Written>| -> std::result::Result<bool, Diagnostic> {
                let digest = hash_bytes(bytes);
                if previous.is_some_and(|w| w.digest == digest) {
                    return Ok(false);
                }
                if !output::is_contained(rel) {
                    return Err(Diagnostic::new(format!(
                        "refusing to write `{rel}`: it leaves the output folder"
                    )));
                }
                fs::write_atomic(&output.join(rel), bytes)?;
                let mut first = first_write.lock().unwrap_or_else(|p| p.into_inner());
                first.get_or_insert_with(|| started.elapsed());
                Ok(true)
            };
        let render = |pages: &[(Page, u64)], files: &HashMap<String, Written>| -> Vec<Outcome> {
            pages
                .par_iter()
                .map(|(page, sig)| {
                    let bytes = produce(&renderer, page)?;
                    let changed = write(&page.file, &bytes, files.get(&page.file))?;
                    Ok((
                        page.file.clone(),
                        Written { signature: *sig, digest: hash_bytes(&bytes), is_static: false },
                        changed,
                    ))
                })
                .collect()
        };
        // The changed incidents' and pages' own pages.
        let early: Vec<(Page, u64)> = changed
            .iter()
            .filter_map(|path| {
                let page = match site.incidents.iter().position(|i| &i.path == path) {
                    Some(i) => Page {
                        file: crate::config::urls::incident_file(&site.incidents[i].slug),
                        kind: PageKind::Incident(i),
                    },
                    None => {
                        let p = site.pages.iter().position(|p| &p.path == path)?;
                        Page {
                            file: crate::config::urls::file_of(&crate::config::urls::page(
                                &site.pages[p].slug,
                            )),
                            kind: PageKind::Page(p),
                        }
                    }
                };
                let sig = inputs.signature(&page);
                Some((page, sig))
            })
            .collect();
        // New addresses may collide (an alias over a page, a file put in a bundle): then check
        // before writing anything.
        let same_addresses = changed.iter().all(|path| {
            let last = built.last.as_ref();
            let new = self.sources.get(path).map(|s| &s.parsed);
            let old_incident = last.and_then(|l| l.index.get(path).map(|&i| &l.site.incidents[i]));
            let old_page = last.and_then(|l| l.page_index.get(path).map(|&p| &l.site.pages[p]));
            // Gone or broken: it takes no address.
            let Some(new) = new.filter(|n| n.incident().is_some() || n.page().is_some()) else { return true };
            match (old_incident, old_page) {
                (Some(old), _) => new.incident().is_some_and(|new| {
                    old.slug == new.slug && old.aliases == new.aliases && same_names(&old.files, &new.files)
                }),
                (_, Some(old)) => {
                    new.page().is_some_and(|new| old.slug == new.slug && same_names(&old.files, &new.files))
                }
                // New to the site: nothing is written before it is planned.
                (None, None) => false,
            }
        });
        let planned = if fast || same_addresses { None } else { Some(crate::outputs(&site, &built.theme)?) };
        let mut written = Vec::new();
        let mut errors = Vec::new();
        // Recorded at once: if planning fails below, these files are already on disk.
        let early_results = render(&early, &built.files);
        record(early_results, &mut built.files, &mut written, &mut errors);
        log::info!("rendered {} edited pages in {:?}", early.len(), started.elapsed());
        // After the edited pages, which the editor is waiting for: this compares every
        // incident.
        if let Some(fragments) = carried_fragments(built.last.as_mut(), &site, &versions, &renderer) {
            renderer.offer_fragments(fragments);
        }
        let crate::Outputs { mut pages, statics, bundle_files, warnings } = match planned {
            Some(planned) => planned,
            None => crate::outputs(&site, &built.theme)?,
        };
        pages.extend(bundle_files);
        let done: HashSet<&str> = early.iter().map(|(p, _)| p.file.as_str()).collect();
        let signatures: Vec<u64> = pages.par_iter().map(|p| inputs.signature(p)).collect();
        let dirty: Vec<(Page, u64)> = pages
            .iter()
            .zip(signatures)
            .filter(|(page, sig)| {
                !done.contains(page.file.as_str())
                    && built.files.get(&page.file).is_none_or(|w| w.signature != *sig)
            })
            .map(|(page, sig)| (page.clone(), sig))
            .collect();
        log::info!("signed {} pages in {:?}", pages.len(), started.elapsed());
        let mut results = render(&dirty, &built.files);
        log::info!("rendered {} other pages in {:?}", dirty.len(), started.elapsed());
        // Static files are copied when they changed, and when one takes back a path a page
        // had (a removed alias, a deleted incident).
        let to_copy: Vec<&(&str, &StaticSource)> = statics
            .iter()
            .filter(|(rel, _)| statics_changed || built.files.get(*rel).is_none_or(|w| !w.is_static))
            .collect();
        {
            let copied: Vec<_> = to_copy
                .par_iter()
                .map(|(rel, source)| {
                    let bytes = source.bytes()?;
                    let changed = write(rel, &bytes, built.files.get(*rel))?;
                    Ok((
                        rel.to_string(),
                        Written { signature: 0, digest: hash_bytes(&bytes), is_static: true },
                        changed,
                    ))
                })
                .collect();
            results.extend(copied);
        }
        record(results, &mut built.files, &mut written, &mut errors);
        if !errors.is_empty() {
            // Pages written so far are consistent with the new sources; those that failed keep
            // their old signature, so the fix renders them.
            return Err(page_errors(errors));
        }
        let keep: HashSet<&str> =
            pages.iter().map(|p| p.file.as_str()).chain(statics.iter().map(|(rel, _)| *rel)).collect();
        let mut removed: Vec<String> =
            built.files.keys().filter(|f| !keep.contains(f.as_str())).cloned().collect();
        removed.sort();
        for file in &removed {
            if output::is_contained(file) {
                fs::remove_file(&output.join(file), &output)?;
            }
            built.files.remove(file);
        }
        let report = RebuildReport {
            rendered: early.len() + dirty.len(),
            first_write: first_write.into_inner().unwrap_or_else(|p| p.into_inner()),
            written,
            removed,
            elapsed: started.elapsed(),
            warnings,
            ..RebuildReport::of(&site)
        };
        let mut last = Last::new(&site, versions, &renderer);
        last.fragments = renderer.into_fragments();
        built.last = Some(last);
        Ok(report)
    }
}

/// A page's bytes: rendered, or for a bundle's file, read as it is now.
fn produce(renderer: &Renderer<'_>, page: &Page) -> std::result::Result<Vec<u8>, Diagnostic> {
    match page.kind {
        PageKind::BundleFile(..) => crate::pipeline::bundle_file_bytes(renderer.site(), page),
        _ => renderer.render(page),
    }
}

/// Whether two pages have files of the same names beside them (so the same addresses).
fn same_names(a: &[Attachment], b: &[Attachment]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(a, b)| a.name == b.name)
}

impl Last {
    /// What a build that just succeeded leaves for the next one.
    fn new(site: &Arc<Site>, versions: Vec<u64>, renderer: &Renderer<'_>) -> Last {
        let index =
            site.incidents.iter().enumerate().map(|(i, incident)| (incident.path.clone(), i)).collect();
        let page_index = site.pages.iter().enumerate().map(|(p, page)| (page.path.clone(), p)).collect();
        let (views, shared) = (renderer.views().to_vec(), Some(renderer.shared().clone()));
        let fields = renderer.shared().fields().clone();
        Last { site: Arc::clone(site), versions, views, fields, shared, index, page_index, fragments: None }
    }
}

/// The last build's serialized records, CSV rows and STIX objects that are still right for
/// `site`: an incident's are when its file did not change and its shared STIX objects were first
/// seen at the same times. The site-wide data files are then put together from them instead of
/// every incident being serialized again.
fn carried_fragments(
    last: Option<&mut Last>,
    site: &Site,
    versions: &[u64],
    renderer: &Renderer<'_>,
) -> Option<crate::render::export::fragments::Fragments> {
    let last = last?;
    let fragments = last.fragments.take()?;
    let old_context = last.shared.as_ref().and_then(Shared::stix_context);
    // Without the times the last objects were made with (after a template change, say), there
    // is no telling which are still right.
    if site.config.exports.stix && old_context.is_none() {
        return None;
    }
    let new_context = old_context.map(|_| renderer.stix());
    // On the quick path both builds share one context: every time is the same.
    let contexts = old_context.zip(new_context).filter(|(old, new)| !std::ptr::eq(*old, *new));
    Some(fragments.carried_over(site, |j| {
        let incident = &site.incidents[j];
        let &k = last.index.get(&incident.path)?;
        let same_file = last.versions.get(k) == versions.get(j);
        let same_times = contexts
            .is_none_or(|(old, new)| old.fingerprint(&last.site.incidents[k]) == new.fingerprint(incident));
        (same_file && same_times).then_some(k)
    }))
}

/// What of an incident decides its place in the site: its order, its terms and pages, the
/// figures, the shared STIX objects. Two versions with the same key differ only in what their
/// own pages and the lists showing them display.
fn structure_key(incident: &Incident) -> u64 {
    let mut h = crate::base::hash::fingerprinter();
    (&incident.path, &incident.slug, &incident.title, incident.draft, &incident.aliases).hash(&mut h);
    (&incident.terms, &incident.severity, &incident.status).hash(&mut h);
    (incident.date.iso(), incident.date.sort_key()).hash(&mut h);
    incident.embargo.as_ref().map(|e| (e.iso(), e.sort_key())).hash(&mut h);
    crate::render::export::stix::shared_keys(incident).hash(&mut h);
    incident.victims.iter().map(|v| &v.sector).collect::<Vec<_>>().hash(&mut h);
    incident.location.as_ref().and_then(|l| l.country.as_ref()).map(|c| &c.code).hash(&mut h);
    // Its bundle's files are addresses of the site.
    incident.files.iter().map(|f| &f.name).for_each(|name| name.hash(&mut h));
    h.finish()
}

/// A site ready to render: the site, its incidents' versions, the renderer's site-wide data
/// and the incidents' template values.
type Prepared = (Arc<Site>, Vec<u64>, Shared, Vec<Value>);

/// The last build's site with the changed incidents swapped in, when none of them changed
/// place (see [`structure_key`]); `None` when the site must be put together again.
fn patch(last: &Last, sources: &BTreeMap<PathBuf, Source>, changed: &[PathBuf]) -> Option<Prepared> {
    let mut shared = last.shared.clone()?;
    let mut incidents = last.site.incidents.clone();
    let mut pages = last.site.pages.clone();
    let mut versions = last.versions.clone();
    let mut views = last.views.clone();
    for path in changed {
        let source = sources.get(path)?;
        if let Some(&p) = last.page_index.get(path) {
            // A page is in no list, taxonomy or figure: it keeps its place while its address,
            // files and draft status stay (its title and weight only sort the pages again).
            let page = source.parsed.page()?;
            let old = &last.site.pages[p];
            if page.slug != old.slug || page.draft != old.draft || !same_names(&page.files, &old.files) {
                return None;
            }
            pages[p] = Arc::clone(page);
            continue;
        }
        let &i = last.index.get(path)?;
        let incident = source.parsed.incident()?;
        if structure_key(incident) != structure_key(&last.site.incidents[i]) {
            return None;
        }
        views[i] = crate::render::view::incident(&last.site, incident, shared.fields());
        incidents[i] = Arc::clone(incident);
        versions[i] = source.version;
    }
    if changed.iter().any(|path| last.page_index.contains_key(path)) {
        // The pages may come in another order now (a title or weight changed): the sitemap,
        // which lists them in plan order, must not use the last plan.
        crate::content::page::sort(&mut pages);
        shared.forget_plan();
    }
    let mut warnings: Vec<Diagnostic> =
        sources.values().flat_map(|s| s.parsed.warnings().iter().cloned()).collect();
    warnings.sort_by(|a, b| a.location.cmp(&b.location));
    // The clone shares the last site's taxonomies, archive and related incidents (made or
    // not): they depend only on what `structure_key` covers, which no changed incident changed.
    let site = Site { incidents, pages, warnings, ..(*last.site).clone() };
    Some((Arc::new(site), versions, shared, views))
}

/// The site from the sources as they are now.
fn assemble(options: &SessionOptions, sources: &BTreeMap<PathBuf, Source>, config: &Config) -> Result<Site> {
    let mut incidents: Vec<Parsed> = Vec::new();
    let mut pages: Vec<ParsedPage> = Vec::new();
    for source in sources.values() {
        match &source.parsed {
            Content::Incident(parsed) => incidents.push(parsed.clone()),
            Content::Page(parsed) => pages.push(parsed.clone()),
        }
    }
    Site::assemble(options.root.clone(), config.clone(), incidents, pages, &load_options(options))
}

fn load_options(options: &SessionOptions) -> LoadOptions {
    LoadOptions {
        drafts: options.drafts,
        base_url: options.base_url.clone(),
        now: options.now,
        embargoed: false,
    }
}

/// What rendering and writing files did: each file's record, the files whose bytes changed, the
/// failures.
type Outcome = std::result::Result<(String, Written, bool), Diagnostic>;

/// Takes the outcomes of writing files into the session's records.
fn record(
    results: Vec<Outcome>,
    files: &mut HashMap<String, Written>,
    written: &mut Vec<String>,
    errors: &mut Vec<Diagnostic>,
) {
    for result in results {
        match result {
            Ok((file, w, changed)) => {
                if changed {
                    written.push(file.clone());
                }
                files.insert(file, w);
            }
            Err(d) => errors.push(d),
        }
    }
}

/// Removes the state `casebook build` keeps beside `output`: it describes the files that build
/// wrote, which the session is about to change, and a later build must not trust it.
fn forget_build_state(output: &Path) -> std::result::Result<(), Diagnostic> {
    fs::remove_file(&crate::write::state::path(output), Path::new("/nonexistent"))
}

/// A content file read: its text, the files of its bundle, and its version (a hash of its path,
/// its text and what the bundle's files are: names, sizes, times).
struct Read {
    text: String,
    files: Vec<Attachment>,
    version: u64,
}

/// The folder a content file at `path` is under: `pages/` or `content/`.
fn folder_of(root: &Path, path: &Path) -> PathBuf {
    let pages = root.join(PAGES_DIR);
    if path.starts_with(&pages) { pages } else { root.join(CONTENT_DIR) }
}

/// Whether the content file at `path` is a page (under `pages/`) rather than an incident.
fn is_page(root: &Path, path: &Path) -> bool {
    path.starts_with(root.join(PAGES_DIR))
}

/// Reads one content file (under `content/` or `pages/` of the site at `root`), and lists its
/// bundle.
fn read_source(root: &Path, path: &Path) -> std::result::Result<Read, Diagnostic> {
    let text = fs::read_to_string(path)?;
    let folder = folder_of(root, path);
    let files = crate::site::bundle::attachments(path, &crate::site::source_of(&folder, path))?;
    let mut h = crate::base::hash::fingerprinter();
    (path, &text, &files).hash(&mut h);
    Ok(Read { text, files, version: h.finish() })
}

/// Parses one content file read by [`read_source`], as an incident or a page by its folder.
fn parse_source(
    config: &Config,
    schema: &incident::ParseSettings,
    root: &Path,
    path: &Path,
    read: Read,
) -> Source {
    let folder = folder_of(root, path);
    let parsed = if is_page(root, path) {
        Content::Page(crate::site::parse_page_file(schema, &folder, path, &read.text, read.files))
    } else {
        Content::Incident(crate::site::parse_file(config, schema, &folder, path, &read.text, read.files))
    };
    Source { version: read.version, parsed }
}

/// A content file that could not be read, as the error of its kind.
fn unreadable(root: &Path, path: &Path, error: Diagnostic) -> Source {
    let parsed = if is_page(root, path) {
        Content::Page(Err(vec![error]))
    } else {
        Content::Incident(Err(vec![error]))
    };
    Source { version: 0, parsed }
}

/// The version of each of the site's incidents, in site order.
fn versions(sources: &BTreeMap<PathBuf, Source>, site: &Site) -> Vec<u64> {
    // Looked up by the path's bytes: ordering or hashing paths component by component costs
    // more than everything else here on a large site.
    let by_path: HashMap<&std::ffi::OsStr, u64> =
        sources.iter().map(|(p, s)| (p.as_os_str(), s.version)).collect();
    site.incidents.iter().map(|i| by_path.get(i.path.as_os_str()).copied().unwrap_or(0)).collect()
}

/// The version of each of the site's pages, in site order.
fn page_versions(sources: &BTreeMap<PathBuf, Source>, site: &Site) -> Vec<u64> {
    site.pages.iter().map(|p| sources.get(&p.path).map_or(0, |s| s.version)).collect()
}

/// What each template of a theme reads.
fn uses(theme: &Theme) -> HashMap<String, template_uses::Uses> {
    template_uses::analyze(theme.templates.iter().map(|(name, t)| (name.as_str(), t.text.as_str())))
}

fn split<T>(
    results: Vec<std::result::Result<(String, T), Diagnostic>>,
) -> (HashMap<String, T>, Vec<Diagnostic>) {
    let mut ok = HashMap::new();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok((k, v)) => {
                ok.insert(k, v);
            }
            Err(d) => errors.push(d),
        }
    }
    (ok, errors)
}

fn page_errors(errors: Vec<Diagnostic>) -> Error {
    Error::many(crate::base::error::collapse_repeats(errors, crate::Repeat::SamePlace, 1, "page"))
}
