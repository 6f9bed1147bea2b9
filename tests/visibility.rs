//! Safe publishing: drafts, embargoed incidents and internal notes never reach a public build.
//!
//! Every secret in `tests/fixtures/secrets-site/` carries the string `LEAK-MARKER` (in a title,
//! summary, body, tag, victim, actor, source…); the public build must not contain it in any
//! file, and must not even create pages for terms only secret incidents use.

use crate::common;

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
    // Notes nested in blockquotes, list items and footnotes, after lines that only look like
    // fences, with a fence or comment marker in capitals: gone, and the text around them kept.
    let page = read(&site, "incidents/public-nested-notes/index.html");
    for public in [
        "was run on the server by a contractor.",
        "Rotate every credential on the host.",
        "Restored from backup.",
        "Checked the logs.",
        "The logs were kept.",
    ] {
        assert!(page.contains(public), "{public}: {page}");
    }
    assert!(!page.contains("language-internal"), "{page}");
    let page = read(&site, "incidents/public-capitalised-comment/index.html");
    assert!(page.contains("Lockouts stopped the attempts."), "{page}");
    assert!(log.contains("held back: 1 draft; 2 under embargo, the next until 2026-12-01T09:00:00Z, the last until 2027-01-15"), "{log}");
}

#[test]
fn the_state_file_beside_the_output_names_no_source() {
    // It sits next to the output, which may be inside a served folder; sources copied a moment
    // ago are all "racy", and were once listed by name, drafts included.
    let dir = tempfile::tempdir().expect("temp dir");
    common::copy_dir(&fixtures().join("secrets-site"), &dir.path().join("site"));
    let result = casebook(&dir.path().join("site"), &["build", "--output", "../out", "--now", "2026-06-01"]);
    assert!(result.status.success(), "{}", stderr(&result));
    let state = std::fs::read_to_string(dir.path().join(".out.casebook-state")).expect("state file");
    assert!(state.contains("\nracy "), "the fixture was just copied: its files are racy\n{state}");
    for name in ["content/", "draft.md", "embargoed.md", "LEAK-MARKER"] {
        assert!(!state.contains(name), "{name} in the state file:\n{state}");
    }
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
    // Naming public/ does not make it a preview folder, however it is spelled.
    let absolute = dir.path().join("public");
    for named in ["public", "./public/", absolute.to_str().expect("UTF-8")] {
        for command in ["build", "watch"] {
            let result = casebook(dir.path(), &[command, "--drafts", "--output", named]);
            assert!(!result.status.success(), "{command} --output {named}");
            let wanted = format!("refusing to {command} drafts into the public output folder");
            assert!(stderr(&result).contains(&wanted), "{}", stderr(&result));
            assert!(!dir.path().join("public").exists(), "{command} --output {named}");
        }
    }
    let (_out, site, _) = build(&["--drafts", "--now", "2026-06-01"]);
    assert!(site.join("incidents/draft/index.html").is_file());
}

#[test]
fn an_embargo_until_the_last_day_of_year_9999_holds() {
    // Beyond the last moment the date library can represent: it once sorted as 1970 and was
    // published at once.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("content")).expect("mkdir");
    let write =
        |name: &str, text: &str| std::fs::write(dir.path().join("content").join(name), text).expect("write");
    write("public.md", "---\ntitle: Public\ndate: 2026-01-02\n---\nShown.\n");
    for (name, until) in
        [("far-day", "9999-12-31"), ("far-instant", "9999-12-31T23:59:59Z"), ("far-year", "9999")]
    {
        let text = format!(
            "---\ntitle: LEAK-MARKER {name}\ndate: 2026-01-01\nembargo: {until}\ntags: [leak-marker-{name}]\n---\nLEAK-MARKER\n"
        );
        write(&format!("{name}.md"), &text);
    }
    let result = casebook(dir.path(), &["build", "--output", "out", "--base-url", "https://example.org/"]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert_eq!(leaks(&dir.path().join("out")), Vec::<String>::new());
    assert!(stderr(&result).contains("3 under embargo"), "{}", stderr(&result));
}

#[cfg(unix)]
#[test]
fn paths_never_escape_the_site_or_the_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("site");
    std::fs::create_dir_all(root.join("content")).expect("mkdir");
    std::fs::create_dir_all(root.join("static")).expect("mkdir");
    std::fs::write(dir.path().join("passwd"), "root:x:0:0").expect("write");
    std::fs::write(root.join("content/ok.md"), "---\ntitle: Ok\ndate: 2024\n---\n").expect("write");

    // A static file linking out of the site.
    std::os::unix::fs::symlink(dir.path().join("passwd"), root.join("static/passwd")).expect("link");
    let result = casebook(&root, &["build"]);
    assert!(!result.status.success());
    assert!(
        stderr(&result).contains("static/passwd: refusing to follow this symbolic link: it leads outside"),
        "{}",
        stderr(&result)
    );
    assert!(!root.join("public").exists());
    std::fs::remove_file(root.join("static/passwd")).expect("unlink");

    // An incident linking out of the site.
    std::os::unix::fs::symlink(dir.path().join("passwd"), root.join("content/linked.md")).expect("link");
    let result = casebook(&root, &["build"]);
    assert!(
        stderr(&result).contains("content/linked.md: refusing to follow this symbolic link"),
        "{}",
        stderr(&result)
    );
    std::fs::remove_file(root.join("content/linked.md")).expect("unlink");

    // Dots in file names never become path steps; names with nothing to slug are refused.
    std::fs::write(root.join("content/x..%2F..%2Fetc.md"), "---\ntitle: Dots\ndate: 2024\n---\n")
        .expect("write");
    std::fs::write(root.join("content/—.md"), "---\ntitle: Dash\ndate: 2024\n---\n").expect("write");
    let result = casebook(&root, &["build"]);
    assert!(
        stderr(&result).contains("content/—.md: cannot make a URL slug from the file name"),
        "{}",
        stderr(&result)
    );
    std::fs::remove_file(root.join("content/—.md")).expect("unlink");

    let result = casebook(&root, &["build"]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(root.join("public/incidents/x-2f-2fetc/index.html").is_file());
    assert!(!dir.path().join("public").exists() && !dir.path().join("etc").exists());
}

#[test]
fn raw_html_is_escaped_unless_allowed_and_then_sanitized() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("content")).expect("mkdir");
    let body = "---\ntitle: Html\ndate: 2024\n---\nA <b>bold</b> claim<script>alert(1)</script>\n\n<p onclick=\"steal()\">para</p>\n";
    std::fs::write(root.join("content/html.md"), body).expect("write");
    let result = casebook(root, &["build"]);
    assert!(result.status.success(), "{}", stderr(&result));
    let page = read(&root.join("public"), "incidents/html/index.html");
    assert!(page.contains("&lt;b&gt;bold&lt;/b&gt;"), "escaped by default");

    std::fs::write(root.join("casebook.yaml"), "markdown:\n  unsafe_html: true\n").expect("write");
    let result = casebook(root, &["build"]);
    assert!(result.status.success(), "{}", stderr(&result));
    let page = read(&root.join("public"), "incidents/html/index.html");
    assert!(page.contains("<b>bold</b>"), "allowed");
    assert!(!page.contains("<script>alert(1)") && !page.contains("onclick"), "sanitized");
}

/// Issue 28: spellings of internal notes an attack run published. Each body's note is
/// removed, the text around it kept, and the note is in no output file; spellings casebook
/// cannot remove stop `build` and `check` at their line.
#[test]
fn every_spelling_of_a_note_is_removed_or_stops_the_build() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("content")).expect("mkdir");
    let bodies = [
        ("comment-over-lines", "<!--\ninternal\n-->LEAK-MARKER<!--\n/internal\n-->\n"),
        ("comment-crlf", "<!--\r\ninternal\r\n-->LEAK-MARKER<!--\r\n/internal\r\n-->\r\n"),
        ("attribute-class", "```{ .internal }\nLEAK-MARKER\n```\n"),
        ("attribute-id-class", "```{#id .internal}\nLEAK-MARKER\n```\n"),
        ("lone-carriage-returns", "```internal\rLEAK-MARKER\r```\r"),
        ("mixed-line-ends", "~~~ internal\r\nLEAK-MARKER\rLEAK-MARKER\n~~~\r"),
    ];
    for (slug, note) in bodies {
        let text =
            format!("---\ntitle: {slug}\ndate: 2024-01-02\n---\nPublic before.\n\n{note}\nPublic after.\n");
        std::fs::write(root.join(format!("content/{slug}.md")), text).expect("write");
    }
    let result = casebook(root, &["build"]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert_eq!(leaks(&root.join("public")), Vec::<String>::new());
    for (slug, _) in bodies {
        let page = read(&root.join("public"), &format!("incidents/{slug}/index.html"));
        assert!(page.contains("Public before.") && page.contains("Public after."), "{slug}: {page}");
    }
    let check = casebook(root, &["check"]);
    assert!(check.status.success(), "{}", stderr(&check));

    // A comment that names a note but is no marker cannot be removed.
    let bad = "---\ntitle: Bad\ndate: 2024-01-02\n---\nPublic.\n\n<!-- internal: LEAK-MARKER -->\n";
    std::fs::write(root.join("content/bad.md"), bad).expect("write");
    for command in ["build", "check"] {
        let result = casebook(root, &[command]);
        assert_eq!(result.status.code(), Some(1), "{command}: {}", stderr(&result));
        assert!(
            stderr(&result).contains("content/bad.md:7:1: this comment looks like an internal-note marker"),
            "{command}: {}",
            stderr(&result)
        );
    }
    assert_eq!(leaks(&root.join("public")), Vec::<String>::new());
}
