//! Safe publishing: drafts, embargoed incidents and internal notes never reach a public build.
//!
//! Every secret in `tests/fixtures/secrets-site/` carries the string `LEAK-MARKER` (in a title,
//! summary, body, tag, victim, actor, source…); the public build must not contain it in any
//! file, and must not even create pages for terms only secret incidents use.

mod common;

use std::path::PathBuf;

use common::{casebook, files, fixtures, read, stderr};

fn build(extra: &[&str]) -> (tempfile::TempDir, PathBuf, String) {
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("site");
    let mut args = vec!["build", "--output", target.to_str().expect("UTF-8")];
    args.extend(extra);
    let result = casebook(&fixtures().join("secrets-site"), &args);
    assert!(result.status.success(), "build failed:\n{}", stderr(&result));
    (out, target, stderr(&result))
}

fn leaks(site: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    for file in files(site) {
        let bytes = std::fs::read(site.join(&file)).expect("read output");
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        if text.contains("leak-marker") {
            found.push(file.clone());
        }
        if file.to_lowercase().contains("leak-marker") || file.contains("/is/") || file.contains("/li/") {
            found.push(format!("{file} (path)"));
        }
    }
    found
}

#[test]
fn no_secret_reaches_any_output_file() {
    let (_out, site, log) = build(&["--now", "2026-06-01T00:00:00Z"]);
    assert_eq!(leaks(&site), Vec::<String>::new());
    let page = read(&site, "incidents/public-one/index.html");
    assert!(page.contains("Staff received invoices"), "the public text stays");
    assert!(page.contains("Mail filters were tightened"));
    assert!(log.contains("held back: 1 draft; 2 under embargo, the next until 2026-12-01T09:00:00Z, the last until 2027-01-15"), "{log}");
}

#[test]
fn embargoes_lift_at_their_moment() {
    let (_out, site, _) = build(&["--now", "2026-12-01T09:00:00Z"]);
    assert!(site.join("incidents/embargoed/index.html").is_file(), "published at the exact moment");
    assert!(!site.join("incidents/embargo-day/index.html").exists());
    let (_out, site, log) = build(&["--now", "2026-12-01T08:59:59Z"]);
    assert!(!site.join("incidents/embargoed/index.html").exists(), "one second early");
    assert!(log.contains("2 under embargo"), "{log}");
    let (_out, site, _) = build(&["--now", "2027-01-15"]);
    assert!(site.join("incidents/embargo-day/index.html").is_file(), "a date embargo lifts at 00:00 UTC");
}

#[test]
fn drafts_need_an_explicit_output_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    common::copy_dir(&fixtures().join("secrets-site"), dir.path());
    let result = casebook(dir.path(), &["build", "--drafts"]);
    assert!(!result.status.success());
    assert!(
        stderr(&result).contains("refusing to build drafts into the public output folder"),
        "{}",
        stderr(&result)
    );
    assert!(!dir.path().join("public").exists());
    let (_out, site, _) = build(&["--drafts", "--now", "2026-06-01"]);
    assert!(site.join("incidents/draft/index.html").is_file());
}
