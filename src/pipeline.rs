//! The one wiring of the stages: `casebook build`, the preview's session and `casebook check`
//! all go from a site folder to its output through the functions here.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::base::error::{self, Diagnostic, Error, Location, Repeat, Result};
use crate::base::{Progress, fs};
use crate::content::{date, incident};
use crate::render::{self, stream};
use crate::site::{self, LoadOptions, Site};
use crate::theme::{self, Theme};
use crate::write::{staging as output, state as build_state};

/// What `casebook build` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site folder.
    pub root: PathBuf,
    /// Where to write; `public/` in the site when `None`.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` from the configuration.
    pub base_url: Option<String>,
    /// Include drafts.
    pub drafts: bool,
    /// The moment embargoes are compared with (seconds since the Unix epoch); now when `None`.
    pub now: Option<i64>,
    /// Plain `asset()` URLs, as the preview server uses (see
    /// [`render::RenderOptions::unversioned_assets`]).
    pub unversioned_assets: bool,
}

/// What a successful build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// The output folder.
    pub output: PathBuf,
    /// Incidents published.
    pub incidents: usize,
    /// Drafts left out.
    pub drafts_skipped: usize,
    /// When each incident held back by its embargo will be published, soonest first.
    pub embargoed: Vec<date::IncidentDate>,
    /// Pages rendered.
    pub pages: usize,
    /// Static files copied.
    pub static_files: usize,
    /// Problems that did not stop the build, such as unknown front matter keys.
    pub warnings: Vec<Diagnostic>,
    /// Files whose bytes came out as in the last build, carried over instead of rewritten.
    pub unchanged: usize,
    /// Incident pages written while the site loaded, their bodies dropped (see [`stream`]).
    pub streamed: usize,
    /// Nothing changed since the last build into this folder: nothing was rendered or written.
    pub up_to_date: bool,
    /// Wall time of the whole build.
    pub elapsed: Duration,
}

/// Builds the site at `options.root` into its output folder.
///
/// Either every page is written and the output folder replaced, or nothing changes and the
/// error lists every problem found.
pub fn build(options: &BuildOptions, progress: &dyn Progress) -> Result<BuildReport> {
    let started = Instant::now();
    // One moment for the whole build: incident pages written while loading and the site put
    // together afterwards must agree on which embargoes have ended.
    let now = options.now.unwrap_or_else(|| jiff::Timestamp::now().as_second());
    let load = LoadOptions {
        drafts: options.drafts,
        base_url: options.base_url.clone(),
        now: Some(now),
        embargoed: false,
    };
    let root = site::normalize_root(&options.root);
    let output = output::resolve(&root, options.output.as_deref())?;
    if options.drafts {
        output::refuse_drafts_in_public(&root, &output, "build")?;
    }
    // Held until the build returns, before anything reads or writes beside the output: a
    // build waiting for another then reads the state that one leaves.
    let _lock = output::lock_output(&output)?;
    let previous = build_state::BuildState::load(&output);
    // Options as text: any change of them is a change of input. So is another casebook binary
    // (its embedded theme and its code make the output), even one keeping the version number.
    let binary = std::env::current_exe().ok().and_then(|exe| fs::identity(&exe));
    // The month of the build too: the statistics' "last 24 months" end with it, so the same
    // files make another site once a month has passed.
    let month = crate::content::date::utc_stamp(now, "").chars().take(7).collect::<String>();
    let settings = format!(
        "{:?} {:?} {} {:?} {} {binary:?} {month}",
        fs::absolute(&output)?,
        options.base_url,
        options.drafts,
        options.now,
        options.unversioned_assets
    );
    // Read before the content is listed: a broken configuration is the first thing to say.
    let (root, mut config) = Site::load_config(&root, &load)?;
    // Listed once, for the up-to-date check and for loading.
    let content = fs::files_under(&root.join(site::CONTENT_DIR))?;
    let page_files = fs::files_under(&root.join(site::PAGES_DIR))?;
    let inputs = build_state::inputs_with(&root, &settings, &[&content[..], &page_files[..]].concat()).ok();
    if let (Some(state), Some(inputs)) = (&previous, &inputs)
        && state.same_inputs(inputs)
        && state.republish_at.is_none_or(|at| at > now)
        && state.output_intact(&output)
    {
        log::info!("nothing changed since the last build ({:?})", started.elapsed());
        return Ok(BuildReport {
            output,
            incidents: state.incidents,
            drafts_skipped: state.drafts_skipped,
            embargoed: Vec::new(),
            pages: state.files.len() - state.static_files,
            static_files: state.static_files,
            warnings: Vec::new(),
            unchanged: state.files.len(),
            streamed: 0,
            up_to_date: true,
            elapsed: started.elapsed(),
        });
    }
    let theme = Theme::load(&root, &config)?;
    // Scale labels the site did not write are the theme's, in the site's language.
    theme.localize(&mut config);
    let staging = output::Staging::create(&output)?;
    let written = Mutex::new(std::collections::HashMap::with_capacity(content.len()));
    let unchanged = std::sync::atomic::AtomicUsize::new(0);
    // A file whose bytes are those of the last build is linked over, not written again.
    let put = |rel: &str, bytes: &[u8]| -> Result<()> {
        let digest = build_state::digest(bytes);
        let same = previous.as_ref().and_then(|s| s.files.get(rel)) == Some(&digest);
        if same && staging.carry_over(rel, bytes.len()) {
            unchanged.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        } else {
            staging.write(rel, bytes)?;
        }
        written.lock().unwrap_or_else(|p| p.into_inner()).insert(rel.to_string(), digest);
        Ok(())
    };
    let errors = Mutex::new(Vec::new());
    let fail = |d: Diagnostic| errors.lock().unwrap_or_else(|p| p.into_inner()).push(d);
    // Everything that can fail once the staging folder exists, which is discarded if it does.
    let rendered = || -> Result<Rendered> {
        let stub = stream::stub(root.clone(), config.clone(), now);
        let streamer = stream::streamable(&config, &theme)
            .then(|| stream::Streamer::new(&stub, &theme, options.unversioned_assets))
            .flatten();
        let streamed = std::sync::atomic::AtomicUsize::new(0);
        // An incident page written as its file is parsed, and its body dropped: see stream.rs.
        let each = |incident: &mut incident::Incident| {
            let Some(streamer) = &streamer else { return };
            if !site::is_published(incident, &load, now) {
                return;
            }
            let file = crate::config::urls::incident_file(&incident.slug);
            match streamer.page(incident) {
                Ok(bytes) => match put(&file, &bytes) {
                    Ok(()) => {
                        // Read by the incident's page alone: what a large site's memory
                        // would otherwise grow with (a table of contents is some 600 bytes).
                        incident.content_html = String::new();
                        incident.toc = Vec::new();
                        streamed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    Err(e) => e.diagnostics().iter().cloned().for_each(&fail),
                },
                Err(d) => fail(d),
            }
        };
        let site =
            Site::load_files_with(root.clone(), config.clone(), content, page_files, &load, progress, &each)?;
        let streamed = streamed.into_inner();
        log::info!(
            "loaded {} incidents in {:?}, {streamed} incident pages written on the way",
            site.incidents.len(),
            started.elapsed()
        );
        // The plan of every output file is made on a thread of its own meanwhile: it is some
        // 30 ms of work on one thread for a large site, while compiling the templates leaves a
        // core idle.
        let (prepared, planned) = std::thread::scope(|scope| {
            let planning = scope.spawn(|| outputs(&site, &theme));
            // Every incident page tried on the way, written or failed, is not rendered (or
            // reported) again.
            let prepared = match streamer {
                // Its templates are compiled already, and its list values made.
                Some(streamer) => {
                    let stream::Streamed { shared, views, tried } = streamer.finish(&site);
                    Ok((render::Renderer::with_shared(&site, &theme, shared, views), tried))
                }
                None => {
                    let render_options =
                        render::RenderOptions { views: None, unversioned_assets: options.unversioned_assets };
                    render::Renderer::with_options(&site, &theme, render_options)
                        .map(|renderer| (renderer, Default::default()))
                }
            };
            log::info!("prepared the templates and incident values in {:?}", started.elapsed());
            (prepared, planning.join())
        });
        // A template error first, as when planning came after it.
        let (renderer, tried) = prepared?;
        let Outputs { pages, statics, bundle_files, warnings } = match planned {
            Ok(planned) => planned?,
            Err(panic) => std::panic::resume_unwind(panic),
        };

        log::info!("planned {} pages in {:?}", pages.len(), started.elapsed());
        let copies = pages.len() + statics.len() + bundle_files.len();
        written.lock().unwrap_or_else(|p| p.into_inner()).reserve(copies);
        progress.start("rendering", copies - tried.len());
        // Small pieces to the end: left to itself, rayon can hand the last thousands of
        // incident pages to one thread in one piece while the other has nothing left to take
        // (some 80 ms of one idle core at 10,000 incidents).
        crate::plan::schedule(&site, &pages).into_par_iter().with_max_len(16).for_each(|page| {
            if matches!(page.kind, crate::plan::PageKind::Incident(_)) && tried.contains(&page.file) {
                return;
            }
            match renderer.render(page) {
                Ok(bytes) => put(&page.file, &bytes)
                    .unwrap_or_else(|e| e.diagnostics().iter().cloned().for_each(&fail)),
                Err(d) => fail(d),
            }
            progress.advance(1);
        });
        statics.par_iter().for_each(|(rel, source)| {
            match source.bytes() {
                Ok(b) => put(rel, &b).unwrap_or_else(|e| e.diagnostics().iter().cloned().for_each(&fail)),
                Err(d) => fail(d),
            }
            progress.advance(1);
        });
        bundle_files.par_iter().for_each(|page| {
            match bundle_file_bytes(&site, page) {
                Ok(b) => {
                    put(&page.file, &b).unwrap_or_else(|e| e.diagnostics().iter().cloned().for_each(&fail))
                }
                Err(d) => fail(d),
            }
            progress.advance(1);
        });
        progress.finish();
        let views = renderer.views_shared();
        renderer.dispose();
        Ok(Rendered {
            pages: pages.len(),
            // Copied as they are, like static files, and counted with them.
            statics: statics.len() + bundle_files.len(),
            streamed,
            warnings,
            site,
            views,
            plan: pages,
        })
    };
    let rendered = rendered();
    let errors = errors.into_inner().unwrap_or_else(|p| p.into_inner());
    let rendered = match rendered {
        // The content's own errors come first: a page that failed to render on the way may
        // be the result of them.
        Err(e) => Err(e),
        // One broken template fails every page that uses it: say it once per place.
        Ok(_) if !errors.is_empty() => {
            Err(Error::many(error::collapse_repeats(errors, Repeat::SamePlace, 1, "page")))
        }
        Ok(rendered) => Ok(rendered),
    };
    let Rendered { pages, statics, streamed, warnings, site, views, plan } = match rendered {
        Ok(rendered) => rendered,
        Err(e) => {
            staging.discard()?;
            return Err(e);
        }
    };
    log::info!("rendered and wrote in {:?}", started.elapsed());
    // The state describes the output it sits beside: gone while the output changes, so a
    // build killed after the swap leaves none rather than a wrong one.
    fs::remove_file(&build_state::path(&output), Path::new("/nonexistent"))?;
    staging.commit()?;
    log::info!("committed in {:?}", started.elapsed());
    if let Some(inputs) = inputs {
        let state = build_state::BuildState {
            inputs,
            republish_at: site.embargoed.first().map(date::IncidentDate::sort_key),
            incidents: site.incidents.len(),
            drafts_skipped: site.drafts_skipped,
            static_files: statics,
            files: written.into_inner().unwrap_or_else(|p| p.into_inner()),
        };
        // Without it the next build is a full one: worth a note, not a failure.
        if let Err(e) = state.save(&output) {
            log::warn!("{e}");
        }
    }
    let report = BuildReport {
        output,
        incidents: site.incidents.len(),
        drafts_skipped: site.drafts_skipped,
        embargoed: site.embargoed.clone(),
        pages,
        static_files: statics,
        warnings,
        unchanged: unchanged.into_inner(),
        streamed,
        up_to_date: false,
        elapsed: started.elapsed(),
    };
    crate::base::dispose((site, views, plan));
    Ok(report)
}

/// What rendering left for the end of a build.
struct Rendered {
    pages: usize,
    statics: usize,
    streamed: usize,
    warnings: Vec<Diagnostic>,
    site: Site,
    views: std::sync::Arc<Vec<tera::Value>>,
    plan: Vec<crate::plan::Page>,
}

/// Everything one build writes: pages to render and files to copy.
pub struct Outputs<'t> {
    /// The pages to render, in plan order.
    pub pages: Vec<crate::plan::Page>,
    /// The static files: output path and where the bytes come from.
    pub statics: Vec<(&'t str, &'t theme::StaticSource)>,
    /// The files of page bundles ([`crate::plan::PageKind::BundleFile`]), copied as they are
    /// beside their pages ([`bundle_file_bytes`]), in plan order.
    pub bundle_files: Vec<crate::plan::Page>,
    /// The site's warnings, repeated ones collapsed, plus those about static files.
    pub warnings: Vec<Diagnostic>,
}

/// The bytes of a bundle file the plan copies (a [`crate::plan::PageKind::BundleFile`]): the file
/// stored beside its page, read as it is now.
pub fn bundle_file_bytes(site: &Site, page: &crate::plan::Page) -> std::result::Result<Vec<u8>, Diagnostic> {
    match page.kind {
        crate::plan::PageKind::BundleFile(owner, k) => {
            fs::read(&crate::plan::attachment(site, owner, k).path)
        }
        _ => Err(Diagnostic::new(format!("`{}` is not a file stored beside a page", page.file))),
    }
}

/// Plans a build's output: every page, minus those a site's static file replaces, every
/// static file not shadowed by a page, and the files of page bundles. Two files at one path
/// are an error.
pub fn outputs<'t>(site: &Site, theme: &'t Theme) -> Result<Outputs<'t>> {
    let mut pages = crate::plan::plan(site);
    let mut collisions = crate::plan::collisions(site, &pages);
    collisions.extend(crate::plan::missing_menu_pages(site));
    if site.base_url.origin.is_empty() && site.config.feeds.enabled {
        log::info!("base_url has no host: feeds and sitemap.xml need absolute URLs and are not written");
    }
    // A key unknown in one file is a typo; in thousands, a field the site uses on purpose.
    // Either way one line per file would bury everything else.
    let mut warnings = error::collapse_repeats(site.warnings.clone(), Repeat::SameMessage, 3, "file");
    let statics = static_files(theme, &mut pages, &mut warnings);
    collisions.extend(crate::plan::folder_collisions(site, &pages, statics.iter().map(|(rel, _)| *rel)));
    if !collisions.is_empty() {
        return Err(Error::many(collisions));
    }
    let (bundle_files, pages) =
        pages.into_iter().partition(|p| matches!(p.kind, crate::plan::PageKind::BundleFile(..)));
    Ok(Outputs { pages, statics, bundle_files, warnings })
}

/// The static files to copy. A static file at the path of a generated page is dropped with a
/// warning: the page wins, since a stale copy of it in `static/` is the likelier mistake.
fn static_files<'t>(
    theme: &'t Theme,
    pages: &mut Vec<crate::plan::Page>,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<(&'t str, &'t theme::StaticSource)> {
    // A site's own robots.txt or sitemap.xml replaces the generated one.
    let overridable = ["robots.txt", "sitemap.xml"];
    pages.retain(|p| !(overridable.contains(&p.file.as_str()) && theme.statics.contains_key(&p.file)));
    let generated: std::collections::HashSet<&str> = pages.iter().map(|p| p.file.as_str()).collect();
    let mut statics = Vec::new();
    for (rel, source) in &theme.statics {
        if generated.contains(rel.as_str()) {
            let shown = source.shown(rel);
            warnings.push(
                Diagnostic::at(
                    Location::file(shown),
                    format!("static file ignored: casebook generates `{rel}`"),
                )
                .with_help("remove the file, or change the page's slug"),
            );
        } else {
            statics.push((rel.as_str(), source));
        }
    }
    statics
}
