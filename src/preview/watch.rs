//! Watching a site's sources: file system events, debounced and coalesced into batches.
//!
//! Editors rarely write a file once: vim writes a temporary file and renames it over the
//! original, VS Code and JetBrains IDEs write twice, `git checkout` touches hundreds of files in
//! a burst. [`Watcher::next_batch`] waits for the first event, then keeps collecting until the
//! file system has been quiet for a moment, and hands over each changed path once. The session
//! then looks at what is on disk, so the order and kind of the events do not matter.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher as _};

use crate::base::error::{Diagnostic, Location};

/// How long the file system must be quiet before a batch is handed over.
pub const QUIET: Duration = Duration::from_millis(10);
/// The longest a batch waits for quiet, so a file written continuously still gets previewed.
pub const MAX_WAIT: Duration = Duration::from_millis(500);

/// Watches a site's source folders and configuration file.
pub struct Watcher {
    inner: notify::RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
    /// The folders and files to watch; those missing at first are watched once they appear.
    targets: Vec<PathBuf>,
    watched: BTreeSet<PathBuf>,
    root: PathBuf,
    /// The root's absolute forms (as given and with links resolved): the watcher reports
    /// absolute paths.
    absolute_roots: Vec<PathBuf>,
}

fn watch_error(path: &Path, err: &notify::Error) -> Diagnostic {
    Diagnostic::at(Location::file(path), "could not watch for changes").caused_by(err.to_string())
}

/// An event's path in the form the session uses: under `root` as the user gave it (`content/x.md`
/// for a site in the current folder), whatever absolute form the watcher reports.
fn tidy(path: &Path, root: &Path, absolute_roots: &[PathBuf]) -> PathBuf {
    for abs in absolute_roots {
        if let Ok(rel) = path.strip_prefix(abs) {
            // Collecting the components drops `.` parts (`/site/./content`).
            return root.join(rel.components().collect::<PathBuf>());
        }
    }
    path.components().collect()
}

impl Watcher {
    /// Starts watching `targets` (folders recursively) and `root` itself, which is how folders
    /// created later (a first template, a `static/`) are noticed.
    pub fn new(root: &Path, targets: Vec<PathBuf>) -> Result<Watcher, Diagnostic> {
        let (sender, events) = channel();
        let mut inner = notify::recommended_watcher(move |event| {
            // The receiver is gone only when the watcher is being dropped.
            let _ = sender.send(event);
        })
        .map_err(|e| watch_error(root, &e))?;
        let root_dir = if root.as_os_str().is_empty() { Path::new(".") } else { root };
        inner.watch(root_dir, RecursiveMode::NonRecursive).map_err(|e| watch_error(root_dir, &e))?;
        let mut absolute_roots = vec![crate::base::fs::absolute(root_dir)?];
        if let Ok(abs) = std::path::absolute(root_dir) {
            absolute_roots.push(abs.components().collect());
        }
        let root = root.to_path_buf();
        let mut watcher = Watcher { inner, events, targets, watched: BTreeSet::new(), root, absolute_roots };
        watcher.watch_new_targets()?;
        Ok(watcher)
    }

    fn watch_new_targets(&mut self) -> Result<(), Diagnostic> {
        for target in &self.targets {
            if self.watched.contains(target) || !crate::base::fs::exists(target) {
                continue;
            }
            match self.inner.watch(target, RecursiveMode::Recursive) {
                Ok(()) => {
                    log::debug!("watching {}", target.display());
                    self.watched.insert(target.clone());
                }
                // Gone again between the check and the call: the next event retries.
                Err(e) if matches!(e.kind, notify::ErrorKind::PathNotFound) => {}
                Err(e) => return Err(watch_error(target, &e)),
            }
        }
        Ok(())
    }

    /// Waits for changes and returns the paths that changed, once each. Returns an empty batch
    /// when `timeout` passes first (so the caller can act on the clock, such as an embargo
    /// ending), and an error if the watcher stopped working.
    pub fn next_batch(&mut self, timeout: Option<Duration>) -> Result<Vec<PathBuf>, Diagnostic> {
        let stopped = || Diagnostic::new("the file watcher stopped");
        let mut paths = BTreeSet::new();
        // Wait for a change that matters: events about other files in the site folder (a log
        // being written, the output folder being swapped) neither start nor prolong a batch.
        let deadline = timeout.map(|t| Instant::now() + t);
        while paths.is_empty() {
            let event = match deadline {
                Some(deadline) => {
                    match self.events.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                        Ok(event) => event,
                        Err(RecvTimeoutError::Timeout) => return Ok(Vec::new()),
                        Err(RecvTimeoutError::Disconnected) => return Err(stopped()),
                    }
                }
                None => self.events.recv().map_err(|_| stopped())?,
            };
            self.add(event, &mut paths);
        }
        let started = Instant::now();
        let mut quiet_since = Instant::now();
        loop {
            let left =
                MAX_WAIT.saturating_sub(started.elapsed()).min(QUIET.saturating_sub(quiet_since.elapsed()));
            if left.is_zero() {
                break;
            }
            match self.events.recv_timeout(left) {
                Ok(event) => {
                    if self.add(event, &mut paths) {
                        quiet_since = Instant::now();
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Err(stopped()),
            }
        }
        // A watched folder removed and created again (a branch switch) needs a new watch, even
        // when it exists again by now: the old watch went with the old folder.
        let replaced: Vec<PathBuf> = self
            .watched
            .iter()
            .filter(|t| paths.contains(*t) || !crate::base::fs::exists(t))
            .cloned()
            .collect();
        for target in replaced {
            let _ = self.inner.unwatch(&target);
            self.watched.remove(&target);
        }
        self.watch_new_targets()?;
        log::debug!("changed: {paths:?}");
        Ok(paths.into_iter().collect())
    }

    /// Adds the source paths an event is about; returns whether there were any.
    fn add(&self, event: notify::Result<notify::Event>, paths: &mut BTreeSet<PathBuf>) -> bool {
        match event {
            // Reading a file (casebook itself does, on each build) changes nothing.
            Ok(event) if is_read(&event.kind) => false,
            Ok(event) => {
                let mut any = false;
                for path in event.paths.iter().map(|p| tidy(p, &self.root, &self.absolute_roots)) {
                    if self.is_source(&path) {
                        paths.insert(path);
                        any = true;
                    }
                }
                any
            }
            // Events were lost (queue overflow): say every target changed, which rescans.
            Err(e) => {
                log::warn!("file watcher: {e}; reading everything again");
                paths.extend(self.targets.iter().cloned());
                true
            }
        }
    }

    /// Whether a path is one of the watched sources or inside one (events for the root folder
    /// also report the output folder and unrelated files).
    fn is_source(&self, path: &Path) -> bool {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        // Editors' swap and backup files, version control: hidden, never site content.
        let hidden = rel.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
        !hidden && self.targets.iter().any(|t| path.starts_with(t))
    }
}

fn is_read(kind: &notify::EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode, EventKind};
    matches!(kind, EventKind::Access(access) if !matches!(access, AccessKind::Close(AccessMode::Write)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_paths_take_the_site_form() {
        let abs = vec![PathBuf::from("/home/u/site")];
        assert_eq!(
            tidy(Path::new("/home/u/site/./content/a.md"), Path::new(""), &abs),
            Path::new("content/a.md")
        );
        assert_eq!(
            tidy(Path::new("/home/u/site/content/a.md"), Path::new("site"), &abs),
            Path::new("site/content/a.md")
        );
        assert_eq!(tidy(Path::new("/elsewhere/x"), Path::new(""), &abs), Path::new("/elsewhere/x"));
    }
}
