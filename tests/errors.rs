//! Every user mistake gets one clear, located message and a non-zero exit, and leaves the
//! output folder untouched.
//!
//! Each folder under `tests/fixtures/errors/` is a broken site; `expected-stderr.txt` next to
//! its `content/` pins what `casebook build` prints. `CASEBOOK_BLESS=1 cargo test` rewrites
//! the expectations after an intended change (review the diff).

use crate::common;

use common::{assert_matches_file, casebook, copy_dir, fixtures, stderr};

#[test]
fn each_broken_site_fails_with_its_pinned_message() {
    let dir = fixtures().join("errors");
    let mut cases: Vec<_> =
        std::fs::read_dir(&dir).expect("list fixtures").flatten().map(|e| e.path()).collect();
    cases.sort();
    assert!(cases.len() >= 10, "expected the full set of error fixtures, found {}", cases.len());
    for case in cases {
        // Run on a copy: a regression in the output checks must not delete the fixture.
        let work = tempfile::tempdir().expect("temp dir");
        let site = work.path().join("case");
        copy_dir(&case, &site);
        let target = work.path().join("out");
        let mut args = vec!["build", "--output", target.to_str().expect("UTF-8 temp path")];
        let extra = std::fs::read_to_string(case.join("args.txt")).unwrap_or_default();
        // Later options win, so a case's own --output replaces the one above.
        args.extend(extra.split_whitespace());
        let result = casebook(&site, &args);
        let name = case.file_name().expect("named").to_string_lossy().into_owned();
        assert!(!result.status.success(), "{name}: the build should fail");
        assert_eq!(result.status.code(), Some(1), "{name}: exit code");
        assert!(!target.exists(), "{name}: a failed build must not create the output folder");
        let mut left = common::files(&site);
        left.retain(|f| !f.starts_with("expected-stderr"));
        let mut fixture = common::files(&case);
        fixture.retain(|f| !f.starts_with("expected-stderr"));
        assert_eq!(left, fixture, "{name}: a failed build must not touch the site");
        let shown = stderr(&result).replace(target.to_str().expect("UTF-8"), "OUT");
        assert!(!shown.contains("panicked"), "{name}: {shown}");
        assert_matches_file(&shown, &case.join("expected-stderr.txt"));
    }
}

#[test]
fn a_mistyped_option_value_is_a_command_line_mistake() {
    // Exit status 2 with the usage, like an unknown option; these once failed later, as 1.
    let site = fixtures().join("good-site");
    let cases: [&[&str]; 4] = [
        &["build", "--base-url", "ftp://example.org/"],
        &["watch", "--base-url", "example.org"],
        &["new", "Title", "--date", "2026-13"],
        &["build", "--now", "tomorrow"],
    ];
    for args in cases {
        let result = casebook(&site, args);
        let err = stderr(&result);
        assert_eq!(result.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("Usage:") || err.contains("--help"), "{args:?}: {err}");
    }
}

#[test]
fn quiet_prints_only_errors() {
    let clean = casebook(&fixtures().join("good-site"), &["-q", "check", "--now", "2026-01-01"]);
    assert!(clean.status.success(), "{}", stderr(&clean));
    assert_eq!(stderr(&clean), "");
    let verbose = casebook(&fixtures().join("good-site"), &["-v", "check", "--now", "2026-01-01"]);
    assert!(stderr(&verbose).contains("Checked"), "{}", stderr(&verbose));
}

#[test]
fn verbose_shows_the_time_of_each_stage() {
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("site");
    let args = ["-v", "build", "--output", target.to_str().expect("UTF-8")];
    let result = casebook(&fixtures().join("good-site"), &args);
    let err = stderr(&result);
    assert!(result.status.success(), "{err}");
    for stage in ["info: loaded", "info: planned", "info: rendered and wrote in", "info: committed in"] {
        assert!(err.contains(stage), "{stage} missing from:\n{err}");
    }
    assert!(!err.contains("debug:"), "-vv detail with -v:\n{err}");
}
