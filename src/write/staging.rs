//! Writing a build: into a staging folder first, swapped into place only when everything
//! succeeded, so a failed build leaves the previous output untouched.
//!
//! This module also decides where output may go: never over the site itself or its sources.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use crate::base::error::{Diagnostic, Location};
use crate::base::fs;

/// The default output folder, under the site root.
pub const DEFAULT_OUTPUT: &str = "public";

/// Folders of a site that output may never replace or live in.
const SOURCE_DIRS: [&str; 4] = ["content", "static", "templates", "themes"];

/// Picks and checks the output folder: `requested` if given, else `public/` in the site.
///
/// The output folder is deleted and replaced by each build, so it may never be the site root,
/// a folder containing the site, or one of the site's source folders.
pub fn resolve(root: &Path, requested: Option<&Path>) -> Result<PathBuf, Diagnostic> {
    let output = requested.map_or_else(|| root.join(DEFAULT_OUTPUT), Path::to_path_buf);
    let out_abs = fs::absolute(&output)?;
    let root_abs = fs::absolute(if root.as_os_str().is_empty() { Path::new(".") } else { root })?;
    let refuse = |why: String| {
        Diagnostic::at(Location::file(&output), format!("refusing to use this output folder: {why}"))
            .with_help("pass --output with a folder of its own, such as public/")
    };
    if root_abs.starts_with(&out_abs) {
        return Err(refuse("it holds the site itself, and the build replaces it".into()));
    }
    for dir in SOURCE_DIRS {
        let source = root_abs.join(dir);
        // Also where it really is: a `content/` kept elsewhere and linked into the site is
        // still its content, and the output is compared by its real path.
        if out_abs.starts_with(&source) || out_abs.starts_with(fs::absolute(&source)?) {
            return Err(refuse(format!("it is, or is inside, the site's {dir}/ folder")));
        }
    }
    if fs::exists(&output) && !fs::is_dir(&output) {
        return Err(refuse("it is a file, not a folder".into()));
    }
    if requested.is_some() && out_abs != root_abs.join(DEFAULT_OUTPUT) && !replaceable(&output) {
        return Err(refuse(
            "it is not empty and does not look like an earlier casebook build (no index.html and 404.html)"
                .into(),
        ));
    }
    Ok(output)
}

/// Refuses drafts in the site's `public/` folder, which is what gets deployed: a preview with
/// drafts goes elsewhere. `public/` is recognized however it is named on the command line
/// (`public`, `./public/`, an absolute path, a link to it), not only when `--output` is left out.
/// `doing` names the command in the message ("build", "watch").
pub fn refuse_drafts_in_public(root: &Path, output: &Path, doing: &str) -> Result<(), Diagnostic> {
    let root = if root.as_os_str().is_empty() { Path::new(".") } else { root };
    // Both sides resolved alike: `public` may itself be a link to the folder that is deployed.
    if fs::absolute(output)? == fs::absolute(&root.join(DEFAULT_OUTPUT))? {
        return Err(Diagnostic::new(format!("refusing to {doing} drafts into the public output folder"))
            .with_help("pass --output with a preview folder, e.g. `--drafts --output preview/`, or use `casebook serve --drafts`"));
    }
    Ok(())
}

/// The right to write an output folder, held by one build at a time while this value lives
/// (see [`lock_output`]).
#[derive(Debug)]
pub struct OutputLock {
    /// The lock file, and its lock; none where the file system cannot lock files.
    held: Option<(PathBuf, fs::Lock)>,
}

impl Drop for OutputLock {
    /// Leaves nothing beside the output but the output and its state.
    fn drop(&mut self) {
        if let Some((path, lock)) = self.held.take() {
            lock.remove(&path);
        }
    }
}

/// Takes the output folder `output` for one build (or one `casebook watch`) until the value
/// returned is dropped: an exclusive lock on a file beside the folder (`.public.casebook-lock`,
/// like the state file: never inside the output, so it is not deployed), removed when done.
/// The operating system releases the lock when the process ends, however it ends.
///
/// Two builds into one folder at once each swapped in a staging folder and removed the other's:
/// the output held part of a site, or was gone. A second build therefore waits for the first
/// rather than refuse: overlapping CI jobs (two pushes in a row) then both succeed, the second
/// finding the first's output up to date or building on it, instead of failing for no fault of
/// the site. It says so first ("waiting for another build into …"), since a `casebook watch`
/// holds the folder for as long as it runs.
pub fn lock_output(output: &Path) -> Result<OutputLock, Diagnostic> {
    let path = sibling(output, "lock");
    let mut said = false;
    // Each build removes the lock file when done: one that was waiting on it finds it gone,
    // and takes a new one.
    loop {
        // Made again each time: the file is also found gone when its folder is.
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent)?;
        }
        let waiting = || {
            if !said {
                log::warn!(
                    "waiting for another build into {} to finish (a casebook build or watch is writing it)",
                    output.display()
                );
                said = true;
            }
        };
        match fs::Lock::take_or_wait(&path, waiting)? {
            fs::Taken::Held(lock) => return Ok(OutputLock { held: Some((path, lock)) }),
            fs::Taken::Unsupported(e) => {
                log::info!(
                    "cannot lock {} ({e}): builds into this folder are not kept apart",
                    path.display()
                );
                return Ok(OutputLock { held: None });
            }
            fs::Taken::Replaced => {}
        }
    }
}

/// Whether an existing folder may be replaced: missing, empty, or an earlier build.
fn replaceable(dir: &Path) -> bool {
    // An earlier build first: telling whether a folder is empty means walking it.
    !fs::exists(dir)
        || (fs::exists(&dir.join("index.html")) && fs::exists(&dir.join("404.html")))
        || !fs::holds_files(dir)
}

/// A build in progress: a hidden folder next to the output that becomes the output on
/// [`Staging::commit`].
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    /// The folders made in the staging folder so far, relative to it. The staging folder
    /// starts empty, so a file's folder is made before the first file goes in: trying the
    /// file first would fail once per folder, a whole path lookup wasted for every incident.
    folders: Mutex<HashSet<String>>,
}

fn sibling(target: &Path, suffix: &str) -> PathBuf {
    let name = target.file_name().map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    target.with_file_name(format!(".{name}.casebook-{suffix}"))
}

/// Whether `rel` is a plain relative path that stays inside the folder it is joined to.
pub fn is_contained(rel: &str) -> bool {
    !rel.is_empty() && Path::new(rel).components().all(|c| matches!(c, Component::Normal(_)))
}

impl Staging {
    /// Starts a build for `target`, clearing any staging folder a crashed build left behind.
    ///
    /// A build killed between the two renames of [`Staging::commit`] leaves no output folder
    /// and the previous build under its `old` name: that build is put back first.
    pub fn create(target: &Path) -> Result<Staging, Diagnostic> {
        let dir = sibling(target, "staging");
        let old = sibling(target, "old");
        if fs::exists(&old) {
            if fs::exists(target) {
                fs::remove_dir_all(&old)?;
            } else {
                fs::rename(&old, target)?;
            }
        }
        fs::remove_dir_all(&dir)?;
        fs::create_dir_all(&dir)?;
        Ok(Staging { dir, target: target.to_path_buf(), folders: Mutex::default() })
    }

    /// Writes one output file; `rel` is relative to the output folder.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        if !is_contained(rel) {
            // Paths come from validated slugs and file listings; this is a last line of defence.
            return Err(Diagnostic::new(format!("refusing to write `{rel}`: it leaves the output folder")));
        }
        self.make_folder_of(rel)?;
        fs::write(&self.dir.join(rel), bytes)
    }

    /// Makes the folder `rel` goes into, unless this build made it already.
    fn make_folder_of(&self, rel: &str) -> Result<(), Diagnostic> {
        let Some((folder, _)) = rel.rsplit_once('/') else {
            return Ok(());
        };
        if self.folders.lock().unwrap_or_else(PoisonError::into_inner).contains(folder) {
            return Ok(());
        }
        // Made without the lock held: another thread making the same folder meanwhile is fine.
        fs::create_dir_all(&self.dir.join(folder))?;
        self.folders.lock().unwrap_or_else(PoisonError::into_inner).insert(folder.to_string());
        Ok(())
    }

    /// Carries `rel` over from the current output folder, unchanged, by a hard link. Returns
    /// false (and the caller writes the file) when it cannot.
    /// `len` is the file's expected size: a file edited by hand since is written again.
    pub fn carry_over(&self, rel: &str, len: usize) -> bool {
        let old = self.target.join(rel);
        is_contained(rel)
            && fs::file_len(&old) == Some(len as u64)
            && self.make_folder_of(rel).is_ok()
            && fs::hard_link(&old, &self.dir.join(rel)).is_ok()
    }

    /// Replaces the output folder with the staged build.
    pub fn commit(self) -> Result<(), Diagnostic> {
        if fs::exists(&self.target) {
            let old = sibling(&self.target, "old");
            fs::remove_dir_all(&old)?;
            fs::rename(&self.target, &old)?;
            fs::rename(&self.dir, &self.target)?;
            fs::remove_dir_all_parallel(&old)
        } else {
            if let Some(parent) = self.target.parent().filter(|p| !p.as_os_str().is_empty()) {
                fs::create_dir_all(parent)?;
            }
            fs::rename(&self.dir, &self.target)
        }
    }

    /// Throws the staged build away, leaving the output folder as it was.
    pub fn discard(self) -> Result<(), Diagnostic> {
        fs::remove_dir_all(&self.dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_are_written() {
        assert!(is_contained("incidents/a/index.html"));
        for bad in ["", "/etc/passwd", "../x", "a/../../x", "./a"] {
            assert!(!is_contained(bad), "{bad}");
        }
    }

    #[test]
    fn files_go_into_folders_made_as_needed_and_carried_over_ones_too() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("public");
        let first = Staging::create(&target).expect("staging");
        first.write("incidents/a/index.html", b"a").expect("write");
        first.write("incidents/a/index.json", b"{}").expect("write");
        first.write("404.html", b"gone").expect("write");
        first.commit().expect("commit");
        let second = Staging::create(&target).expect("staging");
        // The first file of a folder that only the last build had: linked, its folder made.
        assert!(second.carry_over("incidents/a/index.json", 2));
        second.write("incidents/a/index.html", b"b").expect("write");
        second.write("incidents/b/deep/index.html", b"c").expect("write");
        second.commit().expect("commit");
        let read = |rel: &str| std::fs::read_to_string(target.join(rel)).expect("read");
        assert_eq!(read("incidents/a/index.json"), "{}");
        assert_eq!(read("incidents/a/index.html"), "b");
        assert_eq!(read("incidents/b/deep/index.html"), "c");
        assert!(!target.join("404.html").exists());
    }

    /// Issue 28: two builds into one folder at once left part of a site, or none.
    #[test]
    fn one_build_at_a_time_holds_an_output_folder() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("public");
        let first = lock_output(&target).expect("lock");
        let lock_file = sibling(&target, "lock");
        assert!(lock_file.is_file(), "beside the output, not in it");
        let (tx, rx) = std::sync::mpsc::channel();
        let waiting = std::thread::spawn(move || {
            let second = lock_output(&target).expect("lock");
            tx.send(()).expect("send");
            drop(second);
        });
        assert!(rx.recv_timeout(std::time::Duration::from_millis(300)).is_err(), "the second waits");
        drop(first);
        rx.recv_timeout(std::time::Duration::from_secs(10)).expect("then takes it");
        waiting.join().expect("joined");
        assert!(!lock_file.exists(), "nothing left beside the output");
    }

    #[test]
    fn refuses_site_and_source_folders() {
        let site = tempfile::tempdir().expect("temp dir");
        let root = site.path();
        for bad in [root.to_path_buf(), root.join("content"), root.join("themes/default"), root.join("..")] {
            assert!(resolve(root, Some(&bad)).is_err(), "{}", bad.display());
        }
        assert_eq!(resolve(root, None).expect("default"), root.join("public"));
        assert!(resolve(root, Some(&root.join("elsewhere"))).is_ok());
    }

    /// Issue 28: with `content/` a link to a folder elsewhere, an output inside that folder
    /// was accepted, and the next build would have replaced the site's content.
    #[cfg(unix)]
    #[test]
    fn refuses_an_output_inside_a_linked_source_folder() {
        let site = tempfile::tempdir().expect("temp dir");
        let elsewhere = tempfile::tempdir().expect("temp dir");
        let root = site.path();
        std::os::unix::fs::symlink(elsewhere.path(), root.join("content")).expect("link");
        for bad in [elsewhere.path().join("out"), root.join("content/out"), elsewhere.path().to_path_buf()] {
            let e = resolve(root, Some(&bad)).expect_err("inside content/");
            assert!(e.to_string().contains("is inside, the site's content/ folder"), "{e}");
        }
        assert!(resolve(root, Some(&root.join("public"))).is_ok());
    }

    #[test]
    fn drafts_never_go_to_public_however_it_is_named() {
        let site = tempfile::tempdir().expect("temp dir");
        let root = site.path();
        std::fs::create_dir_all(root.join("public")).expect("mkdir");
        for public in
            [root.join("public"), root.join("public/"), root.join("./public"), root.join("x/../public")]
        {
            let e = refuse_drafts_in_public(root, &public, "build").expect_err("public");
            assert!(e.to_string().contains("refusing to build drafts into the public output folder"), "{e}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("public"), root.join("link")).expect("symlink");
            assert!(refuse_drafts_in_public(root, &root.join("link"), "build").is_err(), "a link to it");
            // public/ itself a link to the deployed folder elsewhere.
            let www = tempfile::tempdir().expect("temp dir");
            std::fs::remove_dir(root.join("public")).expect("rmdir");
            std::os::unix::fs::symlink(www.path(), root.join("public")).expect("symlink");
            for named in [root.join("public"), www.path().to_path_buf()] {
                assert!(refuse_drafts_in_public(root, &named, "build").is_err(), "{}", named.display());
            }
        }
        assert!(refuse_drafts_in_public(root, &root.join("preview"), "build").is_ok());
        assert!(refuse_drafts_in_public(root, &root.join("public/preview"), "build").is_ok());
    }

    #[test]
    fn refuses_to_replace_a_foreign_folder() {
        let site = tempfile::tempdir().expect("temp dir");
        let other = tempfile::tempdir().expect("temp dir");
        std::fs::write(other.path().join("notes.txt"), "keep me").expect("write");
        let e = resolve(site.path(), Some(other.path())).expect_err("foreign");
        assert!(e.to_string().contains("does not look like an earlier casebook build"), "{e}");
        // Nothing but hidden files is not empty either (a fresh `git init`, a web root's
        // `.well-known/` and `.htaccess`).
        let hidden = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(hidden.path().join(".git")).expect("mkdir");
        std::fs::write(hidden.path().join(".git/HEAD"), "ref").expect("write");
        std::fs::write(hidden.path().join(".env"), "KEY=1").expect("write");
        assert!(resolve(site.path(), Some(hidden.path())).is_err(), "hidden files only");
        std::fs::remove_dir_all(hidden.path().join(".git")).expect("rm");
        std::fs::remove_file(hidden.path().join(".env")).expect("rm");
        std::fs::create_dir_all(hidden.path().join("empty/folders")).expect("mkdir");
        assert!(resolve(site.path(), Some(hidden.path())).is_ok(), "empty folders only");
    }

    #[test]
    fn a_swap_interrupted_halfway_is_undone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("public");
        // As left by a build killed after moving the old output aside.
        let old = sibling(&target, "old");
        std::fs::create_dir_all(&old).expect("mkdir");
        std::fs::write(old.join("index.html"), "previous").expect("write");
        let staging = Staging::create(&target).expect("staging");
        assert_eq!(std::fs::read_to_string(target.join("index.html")).expect("restored"), "previous");
        staging.discard().expect("discard");
        assert!(!old.exists());
    }

    #[test]
    fn commit_replaces_and_discard_keeps() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("public");
        std::fs::create_dir_all(&target).expect("mkdir");
        std::fs::write(target.join("old.html"), "old").expect("write");

        let staging = Staging::create(&target).expect("staging");
        staging.write("new.html", b"new").expect("write");
        staging.discard().expect("discard");
        assert!(target.join("old.html").exists());

        let staging = Staging::create(&target).expect("staging");
        staging.write("a/new.html", b"new").expect("write");
        staging.commit().expect("commit");
        assert!(!target.join("old.html").exists());
        assert!(target.join("a/new.html").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("list").collect();
        assert_eq!(leftovers.len(), 1, "only public/ remains");
    }
}
