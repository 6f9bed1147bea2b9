//! Embeds the default theme (`themes/default/`) in the binary, so `casebook build` works in a
//! folder that has nothing but `content/`.
//!
//! Generates `$OUT_DIR/default_theme.rs`: a sorted slice of `(path, bytes)` pairs, one per file,
//! with paths relative to `themes/default/` using `/` separators.
//!
//! Also sets `CASEBOOK_VERSION` for `casebook --version`: the package version and the git commit
//! the binary was built from (see `commit`).

use std::{
    env,
    fmt::Write as _,
    fs,
    path::{Path, PathBuf},
    process::Command,
};

fn main() {
    let version = env::var("CARGO_PKG_VERSION").expect("cargo sets CARGO_PKG_VERSION");
    println!("cargo:rustc-env=CASEBOOK_VERSION={version} (commit {})", commit());

    let theme = Path::new("themes/default");
    println!("cargo:rerun-if-changed={}", theme.display());
    let mut files = Vec::new();
    collect(theme, theme, &mut files);
    files.sort();
    let mut out = String::from("&[\n");
    for rel in &files {
        println!("cargo:rerun-if-changed={}", theme.join(rel).display());
        let abs = fs::canonicalize(theme.join(rel)).expect("theme file can be resolved");
        writeln!(out, "    ({rel:?}, include_bytes!({:?})),", abs.display().to_string())
            .expect("writing to a String cannot fail");
    }
    out.push(']');
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("default_theme.rs");
    fs::write(dest, out).expect("OUT_DIR is writable");
}

fn collect(base: &Path, dir: &Path, files: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        // Directories are watched too, so adding a file to the theme triggers a rebuild.
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(base, &path, files);
        } else if let Ok(rel) = path.strip_prefix(base) {
            let rel: Vec<_> = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect();
            files.push(rel.join("/"));
        }
    }
}

/// The short hash of the commit being built: `$CASEBOOK_BUILD_COMMIT` when set (a build from a
/// copy without `.git`, such as the Dockerfile's), else `git rev-parse --short HEAD` in a git
/// checkout, else the commit `cargo package` recorded in `.cargo_vcs_info.json` (a crate from
/// crates.io or `target/package/`), else "unknown". Never fails the build.
fn commit() -> String {
    println!("cargo:rerun-if-env-changed=CASEBOOK_BUILD_COMMIT");
    if let Ok(commit) = env::var("CASEBOOK_BUILD_COMMIT")
        && !commit.trim().is_empty()
    {
        return commit.trim().to_owned();
    }
    // Only a `.git` of this package's own folder counts: a packaged crate unpacked inside some
    // other checkout (`target/package/` is one) must not take that checkout's commit.
    if Path::new(".git").exists()
        && let Some(commit) = git(&["rev-parse", "--short", "HEAD"])
    {
        watch_head();
        return commit;
    }
    let vcs_info = Path::new(".cargo_vcs_info.json");
    if vcs_info.exists() {
        println!("cargo:rerun-if-changed={}", vcs_info.display());
        if let Some(commit) = fs::read_to_string(vcs_info).ok().as_deref().and_then(recorded_commit) {
            return commit;
        }
    }
    "unknown".to_owned()
}

/// Output of a git command, trimmed; `None` if git is missing or fails.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (out.status.success() && !text.is_empty()).then(|| text.to_owned())
}

/// Reruns this script when HEAD moves: a checkout changes `HEAD`, a commit changes the branch's
/// ref (a loose file, or `packed-refs` once packed). Works in linked worktrees, whose `.git` is a
/// file and whose refs live in the common git folder.
fn watch_head() {
    let (Some(git_dir), Some(common_dir)) =
        (git(&["rev-parse", "--git-dir"]), git(&["rev-parse", "--git-common-dir"]))
    else {
        return;
    };
    let (git_dir, common_dir) = (PathBuf::from(git_dir), PathBuf::from(common_dir));
    let mut watched = vec![git_dir.join("HEAD"), common_dir.join("packed-refs")];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        let loose = common_dir.join(branch);
        // A branch only in packed-refs gets its loose file back at its next commit, in this folder.
        match loose.parent() {
            Some(folder) if !loose.exists() => watched.push(folder.to_path_buf()),
            _ => watched.push(loose),
        }
    }
    // A path that does not exist would make cargo rerun the script on every build.
    for path in watched.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

/// The first 7 hex digits of `"sha1": "…"` in `.cargo_vcs_info.json`, as `git rev-parse --short`
/// prints them.
fn recorded_commit(json: &str) -> Option<String> {
    let after = &json[json.find("\"sha1\"")? + "\"sha1\"".len()..];
    let hash = after.trim_start().strip_prefix(':')?.trim_start().strip_prefix('"')?;
    let hex: String = hash.chars().take_while(char::is_ascii_hexdigit).take(7).collect();
    (hex.len() == 7).then_some(hex)
}
