//! `casebook import`: each format's fixture imports into incident files that build into a
//! working site, re-running changes nothing, and the report says what happened to each field.

use crate::common;

use std::path::Path;

use common::{casebook, files, fixtures, read, stderr};

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("content")).expect("mkdir");
    dir
}

fn import(root: &Path, args: &[&str]) -> String {
    let result = casebook(root, args);
    assert!(result.status.success(), "import failed:\n{}", stderr(&result));
    stderr(&result)
}

fn builds(root: &Path) {
    let result = casebook(root, &["build"]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(!stderr(&result).contains("warning"), "{}", stderr(&result));
}

#[test]
fn cstate_issues_become_incidents_with_timelines() {
    let dir = site();
    let source = fixtures().join("import/cstate");
    let report = import(dir.path(), &["import", "cstate", source.to_str().expect("UTF-8")]);
    assert!(report.contains("moved 3 `track` updates into timeline entries"), "{report}");
    assert!(report.contains("kept `informational` under extra"), "{report}");
    assert!(report.contains("skipped `section`"), "{report}");
    let text = read(dir.path(), "content/2024-01-12-customer-login-unavailable.md");
    for expected in [
        "title: Customer login unavailable",
        "date: 2024-01-12T08:05:00Z",
        "status: resolved",
        "resolved_at: 2024-01-12T11:40:00Z",
        "severity: high",
        "- at: 2024-01-12T09:45:00Z\n  event: The identity provider's certificate had expired; a new one is being deployed.",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    assert!(!text.contains("{{<"), "shortcodes are removed from the body");
    // Each update is in the timeline only: kept in the body too, the page showed it twice.
    assert_eq!(text.matches("a new one is being deployed").count(), 1, "{text}");
    assert!(text.ends_with("---\nCustomers could not sign in to the portal or the app.\n"), "{text}");
    assert!(read(dir.path(), "content/2024-03-02-slow-card-payments.md").contains("status: ongoing"));
    builds(dir.path());
}

#[test]
fn a_malformed_date_is_a_skipped_file_not_a_panic() {
    let dir = site();
    let source = dir.path().join("issue.md");
    std::fs::write(&source, "---\ntitle: Broken\ndate: \"2024-01-1éé 10:00\"\n---\nText.\n").expect("write");
    let result = casebook(dir.path(), &["import", "cstate", source.to_str().expect("UTF-8")]);
    let report = stderr(&result);
    assert!(!report.contains("panicked"), "{report}");
    assert!(report.contains("not valid"), "{report}");
    assert_eq!(files(&dir.path().join("content")), Vec::<String>::new());
}

#[test]
fn front_matter_is_mapped_by_the_command_line_or_a_file() {
    let dir = site();
    let source = fixtures().join("import/frontmatter/breach-notes.md");
    let args = [
        "import",
        "frontmatter",
        source.to_str().expect("UTF-8"),
        "--map",
        "name=title",
        "--map",
        "start_time=date",
    ];
    let mut args: Vec<&str> = args.to_vec();
    args.extend(["--map", "categories=tags", "--map", "company=victim.name"]);
    let report = import(dir.path(), &args);
    assert!(
        report.contains("mapped `company` to `victim.name`") && report.contains("kept `owner` under extra"),
        "{report}"
    );
    let text = read(dir.path(), "content/2023-09-18-mailbox-compromise-at-a-law-firm.md");
    assert!(text.contains("victim:\n  name: Example Legal LLP") && text.contains("severity: high"), "{text}");
    builds(dir.path());

    let other = site();
    let map = fixtures().join("import/frontmatter/map.yaml");
    import(
        other.path(),
        &[
            "import",
            "frontmatter",
            source.to_str().expect("UTF-8"),
            "--map-file",
            map.to_str().expect("UTF-8"),
        ],
    );
    assert_eq!(
        read(other.path(), "content/2023-09-18-mailbox-compromise-at-a-law-firm.md"),
        text,
        "same mapping, same file"
    );
}

#[test]
fn veris_records_become_incidents() {
    let dir = site();
    let source = fixtures().join("import/veris");
    let report = import(dir.path(), &["import", "veris", source.to_str().expect("UTF-8")]);
    assert!(report.contains("mapped NAICS `921110` to sector `public-administration`"), "{report}");
    let text = read(dir.path(), "content/2022-10-04-city-of-exampleton.md");
    for expected in [
        "title: Ransomware encrypted the servers of a city council after an employee opened a malicious attachment",
        "country: NL",
        "- name: Organized crime\n  type: criminal",
        "motives:\n- financial",
        "- ransomware",
        "availability: high",
        "duration: 9 days",
        "url: https://exampleton.example.org/statement",
        "veris_incident_id: 0B2A4C6E-1234-4ABC-9DEF-0123456789AB",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    let clinic = read(dir.path(), "content/2021-06-example-clinic.md");
    assert!(clinic.contains("records: 5300") && clinic.contains("type: insider"), "{clinic}");
    builds(dir.path());
}

#[test]
fn importing_again_changes_nothing_unless_forced() {
    let dir = site();
    let source = fixtures().join("import/veris");
    import(dir.path(), &["import", "veris", source.to_str().expect("UTF-8")]);
    let first: Vec<(String, String)> = files(&dir.path().join("content"))
        .into_iter()
        .map(|f| (f.clone(), read(&dir.path().join("content"), &f)))
        .collect();
    let path = dir.path().join("content/2021-06-example-clinic.md");
    std::fs::write(
        &path,
        read(dir.path(), "content/2021-06-example-clinic.md").replace("Example Clinic", "Edited Clinic"),
    )
    .expect("edit");
    let report = import(dir.path(), &["import", "veris", source.to_str().expect("UTF-8")]);
    assert!(report.contains("(exists; kept, use --force to replace)"), "{report}");
    assert!(
        std::fs::read_to_string(&path).expect("read").contains("Edited Clinic"),
        "an edited file is kept"
    );
    import(dir.path(), &["import", "veris", source.to_str().expect("UTF-8"), "--force"]);
    let again: Vec<(String, String)> = files(&dir.path().join("content"))
        .into_iter()
        .map(|f| (f.clone(), read(&dir.path().join("content"), &f)))
        .collect();
    assert_eq!(first, again, "the same input gives the same files");
}

#[test]
fn a_source_that_cannot_be_converted_is_reported() {
    let dir = site();
    std::fs::write(dir.path().join("bad.json"), "{\"summary\": \"no timeline\"}").expect("write");
    let result = casebook(dir.path(), &["import", "veris", "bad.json"]);
    assert_eq!(result.status.code(), Some(1));
    assert!(
        stderr(&result).contains("bad.json: skipped\n  no `timeline.incident.year`"),
        "{}",
        stderr(&result)
    );
}
