//! Where `casebook serve` builds: a private folder per preview in the system's temporary
//! folder, named after every input of its output, locked while the serve runs, and removed by
//! a later serve once its owner stopped.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::base::error::{Diagnostic, Location};
use crate::base::fs;
use crate::write::staging::resolve;

/// What the output of `casebook serve` depends on besides the site's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preview {
    /// The address listened on, with the port picked: the pages' links point at it.
    pub addr: SocketAddr,
    /// Whether drafts are shown.
    pub drafts: bool,
    /// The moment embargoes are judged at, when not now (`--now`).
    pub now: Option<i64>,
}

/// The folder `casebook serve` builds into, made ready: `site/` in a private folder (mode 0700
/// on Unix: it holds drafts and internal notes) in the system's temporary folder, never
/// `public/`.
///
/// The private folder is named after the site's absolute path and everything in [`Preview`],
/// so two serves at once never share one: a serve without `--drafts` must never serve the
/// drafts of one with it, nor links to another port. Two serves cannot listen on the same
/// address, so they always differ in it. The same command run again reuses its folder rather
/// than leave one more behind. The build swaps `site/` with its staging folder, which lies
/// beside it in the private folder, as does the replaced build while it is removed.
///
/// The serve holds a lock on its private folder for as long as the returned value lives, and
/// removes the private folders of serves that have stopped: each is a whole copy of a site,
/// drafts included, and the temporary folder is often memory.
///
/// As for any output folder, an existing `site/` must be empty or an earlier build.
pub fn preview_folder(root: &Path, preview: &Preview) -> Result<PreviewFolder, Diagnostic> {
    preview_folder_in(&std::env::temp_dir(), root, preview)
}

/// A preview's output folder, kept for the serve while this value lives.
#[derive(Debug)]
pub struct PreviewFolder {
    site: PathBuf,
    /// Held, not read: the lock tells other serves this folder is in use (none where the file
    /// system cannot lock files).
    _lock: Option<fs::Lock>,
}

impl PreviewFolder {
    /// The folder pages are written to and served from.
    pub fn path(&self) -> &Path {
        &self.site
    }
}

/// Every preview's private folder starts so; nothing else in the temporary folder is touched.
const PREVIEW_PREFIX: &str = "casebook-serve-";
/// The file in a private folder that its serve holds locked.
const PREVIEW_LOCK: &str = "serve.lock";
/// A stopped serve's private folder being removed: a name no preview gets (theirs have no dot).
const REMOVING_PREFIX: &str = "casebook-serve.removing-";

fn preview_folder_in(base: &Path, root: &Path, preview: &Preview) -> Result<PreviewFolder, Diagnostic> {
    let abs = fs::absolute(if root.as_os_str().is_empty() { Path::new(".") } else { root })?;
    let name = preview_name(&abs, preview);
    let private = base.join(&name);
    // Another serve removing this folder as stale may move it away between its making and its
    // locking: the lock is kept only if its file is still the folder's.
    let mut attempts = 0;
    let lock = loop {
        fs::create_private_dir(&private)?;
        match fs::Lock::take(&private.join(PREVIEW_LOCK))? {
            fs::Taken::Held(lock) => break Some(lock),
            fs::Taken::Unsupported(e) => {
                log::warn!(
                    "cannot lock files in {} ({e}): the preview folders of stopped serves stay",
                    base.display()
                );
                break None;
            }
            fs::Taken::Replaced => {}
        }
        attempts += 1;
        if attempts == 3 {
            return Err(Diagnostic::at(
                Location::file(&private),
                "another casebook serve keeps removing this preview folder",
            ));
        }
    };
    // Without a lock of its own, this serve could not tell other serves it is running, so it
    // does not judge theirs either.
    if lock.is_some() {
        remove_stopped_previews(base, &private);
    }
    let output = resolve(root, Some(&private.join("site")))?;
    fs::create_dir_all(&output)?;
    Ok(PreviewFolder { site: output, _lock: lock })
}

/// Removes the private folders of previews whose serve has stopped: those whose lock this
/// process can take. A folder without a lock file (made by an older casebook, or by a serve
/// that has only just made it) is left alone, as is anything not a folder of this user's.
///
/// A folder is first renamed, with its lock held, to a name no serve uses
/// ([`REMOVING_PREFIX`]): a serve starting under its old name meanwhile makes a new folder
/// instead of using one half removed, and a removal cut short (a large site, Ctrl-C) leaves a
/// folder the next serve finishes removing.
fn remove_stopped_previews(base: &Path, own: &Path) {
    let Ok(names) = fs::entries(base) else { return };
    for name in names {
        let private = base.join(&name);
        let stopping = name.starts_with(REMOVING_PREFIX);
        if !(stopping || name.starts_with(PREVIEW_PREFIX))
            || private == own
            || !fs::is_dir_owned_like(&private, own)
        {
            continue;
        }
        let shown = private.display().to_string();
        let doomed = if stopping {
            private
        } else {
            let Ok(Some(lock)) = fs::Lock::try_take_existing(&private.join(PREVIEW_LOCK)) else { continue };
            let doomed = base.join(format!("{REMOVING_PREFIX}{}-{name}", std::process::id()));
            let moved = fs::rename(&private, &doomed);
            drop(lock);
            if moved.is_err() {
                continue;
            }
            doomed
        };
        match fs::remove_dir_all(&doomed) {
            Ok(()) => log::info!("removed the preview folder of a stopped serve: {shown}"),
            Err(e) => log::debug!("could not remove a stopped serve's preview folder: {e}"),
        }
    }
}

/// The name of a preview's private folder: readable (site, port, drafts) and unique (a hash of
/// the site's absolute path and every [`Preview`] field), the same from one run to the next.
fn preview_name(abs_root: &Path, preview: &Preview) -> String {
    let key = format!("{}\0{}\0{}\0{:?}", abs_root.display(), preview.addr, preview.drafts, preview.now);
    // The same name from one run to the next.
    let hash = crate::base::hash::stable(key.as_bytes());
    let name = abs_root.file_name().map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
    let name: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    let drafts = if preview.drafts { "-drafts" } else { "" };
    format!("{PREVIEW_PREFIX}{name}-{}{drafts}-{:08x}", preview.addr.port(), hash >> 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preview(port: u16) -> Preview {
        Preview { addr: SocketAddr::from(([127, 0, 0, 1], port)), drafts: false, now: None }
    }

    /// Regression: `serve --port 18740` and `serve --port 18741 --drafts` built into one
    /// folder, so the first served the second's drafts and links.
    #[test]
    fn previews_differing_in_anything_get_folders_of_their_own() {
        let root = Path::new("/home/me/incidents site");
        let base = preview(18740);
        let name = preview_name(root, &base);
        assert!(name.starts_with("casebook-serve-incidents_site-18740-"), "{name}");
        assert_eq!(preview_name(root, &base), name, "the same command reuses its folder");
        let others = [
            preview_name(root, &preview(18741)),
            preview_name(root, &Preview { drafts: true, ..base }),
            preview_name(root, &Preview { now: Some(1_700_000_000), ..base }),
            preview_name(root, &Preview { addr: SocketAddr::from(([127, 0, 0, 2], 18740)), ..base }),
            preview_name(root, &Preview { addr: SocketAddr::from(([0, 0, 0, 0], 18740)), ..base }),
            preview_name(Path::new("/home/me/other/incidents site"), &base),
        ];
        for (i, other) in others.iter().enumerate() {
            assert_ne!(other, &name);
            assert!(others[i + 1..].iter().all(|o| o != other), "{other}");
        }
        assert!(others[1].contains("-18740-drafts-"), "{}", others[1]);
    }

    #[test]
    fn the_preview_folder_is_private_reused_and_never_a_foreign_folder() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let site = tempfile::tempdir().expect("temp dir");
        let held = preview_folder_in(tmp.path(), site.path(), &preview(1111)).expect("preview folder");
        let folder = held.path().to_path_buf();
        drop(held);
        assert_eq!(folder.file_name().and_then(|n| n.to_str()), Some("site"));
        let private = folder.parent().expect("its private folder");
        assert_eq!(private.parent(), Some(tmp.path()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
            assert_eq!(mode(private), 0o700);
            // A folder left with wider permissions is made private again.
            std::fs::set_permissions(private, std::fs::Permissions::from_mode(0o755)).expect("chmod");
            std::fs::write(folder.join("index.html"), "earlier").expect("write");
            std::fs::write(folder.join("404.html"), "earlier").expect("write");
            let again = preview_folder_in(tmp.path(), site.path(), &preview(1111)).expect("again");
            assert_eq!(again.path(), folder);
            assert_eq!(mode(private), 0o700);
        }
        // What the build would replace must be an earlier build, as for any output folder.
        for name in ["index.html", "404.html"] {
            std::fs::remove_file(folder.join(name)).ok();
        }
        std::fs::write(folder.join("notes.txt"), "keep me").expect("write");
        let e = preview_folder_in(tmp.path(), site.path(), &preview(1111)).expect_err("foreign");
        assert!(e.to_string().contains("does not look like an earlier casebook build"), "{e}");
    }

    #[test]
    fn a_serve_removes_the_preview_folders_of_stopped_serves_only() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let site = tempfile::tempdir().expect("temp dir");
        let private = |held: &PreviewFolder| held.path().parent().expect("private folder").to_path_buf();
        let running = preview_folder_in(tmp.path(), site.path(), &preview(1111)).expect("first");
        let stopped = preview_folder_in(tmp.path(), site.path(), &preview(2222)).expect("second");
        std::fs::write(stopped.path().join("index.html"), "a draft's page").expect("write");
        let (running_dir, stopped_dir) = (private(&running), private(&stopped));
        drop(stopped);
        // Left alone: a folder without a lock (an older casebook's, or one just being made),
        // anything not named like a preview, and a link.
        let unlocked = tmp.path().join(format!("{PREVIEW_PREFIX}old-3333-0000"));
        let other = tmp.path().join("someone-else");
        for dir in [&unlocked, &other] {
            std::fs::create_dir_all(dir.join("site")).expect("mkdir");
        }
        std::fs::write(other.join(PREVIEW_LOCK), "").expect("write");
        #[cfg(unix)]
        let link = {
            let target = tempfile::tempdir().expect("temp dir");
            std::fs::write(target.path().join(PREVIEW_LOCK), "").expect("write");
            let link = tmp.path().join(format!("{PREVIEW_PREFIX}link-6666-0000"));
            std::os::unix::fs::symlink(target.path(), &link).expect("link");
            (target, link)
        };
        let third = preview_folder_in(tmp.path(), site.path(), &preview(4444)).expect("third");
        assert!(!stopped_dir.exists(), "the stopped serve's folder is removed");
        assert!(running_dir.join("site").is_dir(), "the running serve's folder is kept");
        assert!(unlocked.is_dir() && other.is_dir());
        #[cfg(unix)]
        assert!(
            link.1.exists() && link.0.path().join(PREVIEW_LOCK).exists(),
            "nothing removed through a link"
        );
        // A removal cut short is finished by the next serve; the old name is free at once.
        let cut_short = tmp.path().join(format!("{REMOVING_PREFIX}1-{PREVIEW_PREFIX}x-1-0"));
        std::fs::create_dir_all(cut_short.join("site/incidents")).expect("mkdir");
        std::fs::write(cut_short.join("site/incidents/draft.html"), "draft").expect("write");
        // The running serve stops: the next serve removes its folder too, not its own.
        drop(running);
        let fourth = preview_folder_in(tmp.path(), site.path(), &preview(5555)).expect("fourth");
        assert!(!running_dir.exists() && !cut_short.exists());
        assert!(third.path().is_dir() && fourth.path().is_dir());
        let leftovers: Vec<String> = fs::entries(tmp.path())
            .expect("list")
            .into_iter()
            .filter(|n| n.starts_with(REMOVING_PREFIX))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_place_of_the_private_folder_is_refused() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let site = tempfile::tempdir().expect("temp dir");
        let elsewhere = tempfile::tempdir().expect("temp dir");
        let name = preview_name(&fs::absolute(site.path()).expect("absolute"), &preview(1111));
        std::os::unix::fs::symlink(elsewhere.path(), tmp.path().join(&name)).expect("link");
        let e = preview_folder_in(tmp.path(), site.path(), &preview(1111)).expect_err("a link");
        assert!(e.to_string().contains("it is a link or a file"), "{e}");
        assert!(!elsewhere.path().join("site").exists(), "nothing made where the link leads");
    }
}
