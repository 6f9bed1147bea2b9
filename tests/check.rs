//! `casebook check`: every rule on a fixture site, pinned as text and as JSON.

mod common;

use std::path::Path;

use common::{assert_matches_file, casebook, fixtures, stderr};

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn reports_every_rule_with_file_and_line() {
    let site = fixtures().join("check-site");
    let result = casebook(&site, &["check", "--now", "2026-01-01"]);
    assert_eq!(result.status.code(), Some(1), "errors fail the check");
    assert_matches_file(&stderr(&result), &fixtures().join("check-site.expected-stderr.txt"));
    assert!(!site.join("public").exists(), "check writes nothing");
}

#[test]
fn json_output_for_ci() {
    let result =
        casebook(&fixtures().join("check-site"), &["check", "--now", "2026-01-01", "--format", "json"]);
    assert_eq!(result.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&stdout(&result)).expect("valid JSON");
    assert_eq!(json["version"], 1);
    assert_eq!(json["incidents"], 5);
    assert_matches_file(&stdout(&result), &fixtures().join("check-site.expected.json"));
}

#[test]
fn build_errors_are_check_errors() {
    let result = casebook(&fixtures().join("errors/bad-technique"), &["check"]);
    assert_eq!(result.status.code(), Some(1));
    assert!(
        stderr(&result).contains("content/incident.md:6:5: `techniques[2]`: `phishing` is not an ATT&CK id")
    );
    let result = casebook(&fixtures().join("errors/template-runtime-error"), &["check"]);
    assert_eq!(result.status.code(), Some(1));
    assert!(stderr(&result).contains("templates/incident.html:4:17: template error"), "{}", stderr(&result));
}

#[test]
fn the_example_site_is_clean() {
    let result = casebook(Path::new(env!("CARGO_MANIFEST_DIR")), &["check", "--now", "2026-11-28"]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(stderr(&result).ends_with("0 errors, 0 warnings\n"), "{}", stderr(&result));
}
