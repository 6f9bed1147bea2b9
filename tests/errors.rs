//! Every user mistake gets one clear, located message and a non-zero exit, and leaves the
//! output folder untouched.
//!
//! Each folder under `tests/fixtures/errors/` is a broken site; `expected-stderr.txt` next to
//! its `content/` pins what `casebook build` prints. `CASEBOOK_BLESS=1 cargo test` rewrites
//! the expectations after an intended change (review the diff).

mod common;

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
