//! Open data: JSON, CSV and STIX exports, checked with real validators where available.
//!
//! The STIX bundles go through the OASIS `stix2-validator` and the JSON files through the
//! `jsonschema` package, both from PyPI. `.ci/run` installs them in a virtual environment and
//! sets `CASEBOOK_PYTHON` to its interpreter and `CASEBOOK_REQUIRE_VALIDATORS=1`, so CI fails
//! without them; a plain `cargo test` on a machine without them skips those two checks and
//! says so.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{casebook, files, fixtures, read, stderr};

fn build(site: &Path, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("site");
    let mut args = vec!["build", "--output", target.to_str().expect("UTF-8")];
    args.extend(extra);
    let result = casebook(site, &args);
    assert!(result.status.success(), "build failed:\n{}", stderr(&result));
    (out, target)
}

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn json(dir: &Path, rel: &str) -> serde_json::Value {
    serde_json::from_str(&read(dir, rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The Python with the validators, if this machine has it.
fn validators() -> Option<String> {
    let python = std::env::var("CASEBOOK_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let ok = Command::new(&python)
        .args(["-c", "import stix2validator, jsonschema"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(python);
    }
    assert!(
        std::env::var_os("CASEBOOK_REQUIRE_VALIDATORS").is_none(),
        "CASEBOOK_REQUIRE_VALIDATORS is set but {python} lacks stix2validator and jsonschema"
    );
    eprintln!(
        "note: stix2-validator/jsonschema not installed; skipping the external validators (CI runs them)"
    );
    None
}

#[test]
fn every_incident_has_json_and_stix_linked_from_its_page() {
    let (_out, site) = build(&example(), &[]);
    let all = json(&site, "api/incidents.json");
    assert_eq!(all["version"], 1);
    let incidents = all["incidents"].as_array().expect("list");
    assert_eq!(incidents.len(), 7);
    assert_eq!(all["count"], 7);
    for incident in incidents {
        let slug = incident["slug"].as_str().expect("slug");
        let one = json(&site, &format!("incidents/{slug}/index.json"));
        assert_eq!(one["title"], incident["title"]);
        assert_eq!(one["version"], 1);
        assert!(one.get("content_html").is_none(), "no bodies by default");
        let page = read(&site, &format!("incidents/{slug}/index.html"));
        assert!(page.contains(&format!("href=\"/incidents/{slug}/index.json\"")), "{slug} links its JSON");
        assert!(page.contains(&format!("href=\"/incidents/{slug}/stix.json\"")), "{slug} links its STIX");
        let bundle = json(&site, &format!("incidents/{slug}/stix.json"));
        assert_eq!(bundle["type"], "bundle");
    }
    let angouleme = json(&site, "incidents/2023-07-angouleme-ransomware/index.json");
    assert_eq!(angouleme["date"], serde_json::json!({"value": "2023-07", "precision": "month"}));
    assert_eq!(angouleme["location"]["country"], serde_json::json!({"code": "FR", "name": "France"}));
    let countries = json(&site, "api/countries.json");
    assert!(
        countries["terms"].as_array().expect("terms").iter().any(|t| t["key"] == "FR" && t["count"] == 1)
    );
    assert!(
        read(&site, "data/index.html").contains("href=\"/api/incidents.csv\""),
        "the Data page lists the downloads"
    );
}

#[test]
fn indicators_are_live_in_data_and_defanged_on_pages() {
    let (_out, site) = build(&fixtures().join("model-site"), &[]);
    let record = json(&site, "incidents/complete/index.json");
    let iocs = record["iocs"].as_array().expect("iocs");
    assert_eq!(iocs[0]["value"], "https://invoice-portal.example/download.php");
    let stix = read(&site, "incidents/complete/stix.json");
    assert!(stix.contains("[url:value = 'https://invoice-portal.example/download.php']"));
    assert!(stix.contains("[file:hashes.'MD5' = '5d41402abc4b2a76b9719d911017c592']"));
    assert!(!read(&site, "incidents/complete/index.html").contains("invoice-portal.example"));
}

#[test]
fn csv_reads_back_like_the_json() {
    let (_out, site) = build(&fixtures().join("model-site"), &[]);
    let bytes = std::fs::read(site.join("api/incidents.csv")).expect("csv");
    let text = String::from_utf8(bytes).expect("UTF-8");
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark for spreadsheets");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("header").clone();
    assert_eq!(headers.iter().collect::<Vec<_>>(), casebook::render::export::csv::COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("valid CSV");
    let all = json(&site, "api/incidents.json");
    let incidents = all["incidents"].as_array().expect("list");
    assert_eq!(rows.len(), incidents.len());
    for (row, incident) in rows.iter().zip(incidents) {
        assert_eq!(&row[0], incident["slug"].as_str().expect("slug"));
        assert_eq!(&row[2], incident["title"].as_str().expect("title"));
        assert_eq!(&row[6], incident["summary"].as_str().expect("summary"));
    }
    let complete = rows.iter().find(|r| &r[0] == "complete").expect("row");
    assert_eq!(&complete[10], "Riverside Water Board");
    assert_eq!(&complete[26], "T1566.001;T1486;TA0040");
    assert_eq!(&complete[22], "61000");
    assert_eq!(&complete[29], "Ransomware;phishing");
    assert_eq!(&complete[30], "incident", "the kind, added last");
}

#[test]
fn two_builds_write_identical_bytes() {
    let (_a, first) = build(&fixtures().join("model-site"), &[]);
    let (_b, second) = build(&fixtures().join("model-site"), &[]);
    let listed = files(&first);
    assert_eq!(listed, files(&second));
    for file in listed {
        let (x, y) = (
            std::fs::read(first.join(&file)).expect("read"),
            std::fs::read(second.join(&file)).expect("read"),
        );
        assert!(x == y, "{file} differs between two builds of the same content");
    }
}

#[test]
fn output_does_not_depend_on_where_files_are() {
    let (_a, first) = build(&fixtures().join("model-site"), &[]);
    // The same incidents, found in another order: moved into sub-folders.
    let dir = tempfile::tempdir().expect("temp dir");
    common::copy_dir(&fixtures().join("model-site"), dir.path());
    let content = dir.path().join("content");
    for (file, folder) in [("complete.md", "zz"), ("year.md", "aa"), ("month.md", "mm/deeper")] {
        std::fs::create_dir_all(content.join(folder)).expect("mkdir");
        std::fs::rename(content.join(file), content.join(folder).join(file)).expect("move");
    }
    let (_b, second) = build(dir.path(), &[]);
    assert_eq!(files(&first), files(&second));
    for file in files(&first) {
        let same = std::fs::read(first.join(&file)).expect("read")
            == std::fs::read(second.join(&file)).expect("read");
        assert!(same, "{file} depends on where the content files are");
    }
}

#[test]
fn stix_ids_follow_the_base_url_and_slug() {
    let (_a, one) = build(&fixtures().join("model-site"), &["--base-url", "https://a.example/"]);
    let (_b, two) = build(&fixtures().join("model-site"), &["--base-url", "https://b.example/"]);
    let id = |dir: &Path| {
        json(dir, "incidents/complete/stix.json")["objects"][0]["id"].as_str().expect("id").to_string()
    };
    assert!(id(&one).starts_with("report--"));
    assert_ne!(id(&one), id(&two), "another site, other ids");
    let report = &json(&one, "incidents/complete/stix.json")["objects"][0];
    assert_eq!(report["created"], "2024-03-12T00:00:00.000Z", "from the date, not the clock");
    assert_eq!(report["modified"], "2024-04-01T00:00:00.000Z", "from updated");
}

#[test]
fn exports_can_be_switched_off() {
    let dir = tempfile::tempdir().expect("temp dir");
    common::copy_dir(&fixtures().join("model-site"), dir.path());
    let config = std::fs::read_to_string(dir.path().join("casebook.yaml")).expect("config");
    std::fs::write(
        dir.path().join("casebook.yaml"),
        format!("{config}exports:\n  stix: false\n  csv: false\n  bodies: true\n"),
    )
    .expect("write");
    let (_out, site) = build(dir.path(), &[]);
    assert!(
        !site.join("api/stix-bundle.json").exists() && !site.join("incidents/complete/stix.json").exists()
    );
    assert!(!site.join("api/incidents.csv").exists());
    assert!(
        json(&site, "incidents/complete/index.json")["content_html"]
            .as_str()
            .is_some_and(|h| h.contains("<h2"))
    );
    assert!(!read(&site, "incidents/complete/index.html").contains("stix.json"));
}

#[test]
fn real_validators_accept_the_exports() {
    let Some(python) = validators() else { return };
    for site_dir in [example(), fixtures().join("model-site")] {
        let (_out, site) = build(&site_dir, &["--base-url", "https://incidents.example.org/"]);
        let mut bundles = vec![site.join("api/stix-bundle.json")];
        bundles.extend(files(&site).into_iter().filter(|f| f.ends_with("stix.json")).map(|f| site.join(f)));
        let stix = "import sys\nfrom stix2validator import validate_file, print_results\nbad = [r for r in map(validate_file, sys.argv[1:]) if not r.is_valid]\nfor r in bad: print_results(r)\nsys.exit(1 if bad else 0)\n";
        let mut args = vec!["-c".to_string(), stix.to_string()];
        args.extend(bundles.iter().map(|b| b.to_string_lossy().into_owned()));
        let result = Command::new(&python).args(&args).output().expect("run stix2-validator");
        let report = String::from_utf8_lossy(&result.stdout);
        assert!(
            result.status.success(),
            "STIX errors in {}:\n{report}{}",
            site_dir.display(),
            String::from_utf8_lossy(&result.stderr)
        );

        let script = r##"
import json, sys, jsonschema
root = sys.argv[1]
schema = json.load(open(root + "/api/schema.json"))
jsonschema.Draft202012Validator.check_schema(schema)
jsonschema.validate(json.load(open(root + "/api/incidents.json")), schema)
one = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/incident_file"}
for slug in sys.argv[2:]:
    jsonschema.validate(json.load(open(root + "/incidents/" + slug + "/index.json")), one)
"##;
        let all = json(&site, "api/incidents.json");
        let mut args = vec!["-c".to_string(), script.to_string(), site.to_string_lossy().into_owned()];
        for incident in all["incidents"].as_array().expect("list") {
            args.push(incident["slug"].as_str().expect("slug").to_string());
        }
        let result = Command::new(&python).args(&args).output().expect("run jsonschema");
        assert!(result.status.success(), "JSON Schema: {}", String::from_utf8_lossy(&result.stderr));
    }
}

/// Issue 28: STIX timestamps of year 0 came out malformed and those of the last hours of
/// year 9999 as 1970. Dates are kept in years 1 to 9999 in UTC (others are refused when
/// read); at both ends, every timestamp of the bundle is RFC 3339 with a four-digit year, as
/// STIX requires, and the OASIS validator accepts the bundle where it is installed.
#[test]
fn stix_timestamps_at_both_ends_of_the_calendar_are_valid() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("content")).expect("mkdir");
    let incidents = [
        ("first", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00-09:00", "0001-01-01T00:00:00.000Z"),
        ("last", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59.000Z"),
    ];
    for (slug, date, updated, _) in incidents {
        let text = format!(
            "---\ntitle: {slug}\ndate: {date}\nupdated: {updated}\nactors: [Crew {slug}]\n---\nAt the {slug} moment.\n"
        );
        std::fs::write(root.join(format!("content/{slug}.md")), text).expect("write");
    }
    let (_out, site) = build(root, &["--base-url", "https://incidents.example.org/", "--now", "2026-01-01"]);
    let bundle = json(&site, "api/stix-bundle.json");
    let is_stamp = |s: &str| {
        let b = s.as_bytes();
        b.len() == 24
            && s.ends_with(".000Z")
            && [4, 7].iter().all(|&i| b[i] == b'-')
            && b[10] == b'T'
            && [13, 16].iter().all(|&i| b[i] == b':')
            && [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22]
                .iter()
                .all(|&i| b[i].is_ascii_digit())
    };
    let mut stamps = Vec::new();
    for object in bundle["objects"].as_array().expect("objects") {
        for key in ["created", "modified", "published", "first_seen", "last_seen"] {
            if let Some(value) = object.get(key) {
                let value = value.as_str().expect("a string");
                assert!(is_stamp(value), "{key} of {}: {value}", object["id"]);
                stamps.push(value.to_string());
            }
        }
    }
    for (slug, _, _, stamp) in incidents {
        assert!(stamps.iter().any(|s| s == stamp), "{slug}: {stamp} not in {stamps:?}");
    }
    assert!(!stamps.iter().any(|s| s.starts_with("1970")), "{stamps:?}");
    if let Some(python) = validators() {
        let script = "import sys\nfrom stix2validator import validate_file, print_results\nr = validate_file(sys.argv[1])\nprint_results(r)\nsys.exit(0 if r.is_valid else 1)\n";
        let bundle = site.join("api/stix-bundle.json");
        let result = Command::new(&python)
            .args(["-c", script, bundle.to_str().expect("UTF-8")])
            .output()
            .expect("run stix2-validator");
        assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stdout));
    }
}

/// Issue 28: a NUL in a body reached summaries, `<meta name="description">` and CSV cells,
/// where programs reading them stop or fail. It is read as U+FFFD, the replacement
/// character, and no output file holds a NUL.
#[test]
fn a_nul_in_a_body_reaches_no_output_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("content")).expect("mkdir");
    let text = "---\ntitle: Nul\ndate: 2024-01-02\n---\nThe first\0paragraph.\n\nMore\0text.\n";
    std::fs::write(root.join("content/nul.md"), text).expect("write");
    let (_out, site) = build(root, &["--base-url", "https://incidents.example.org/"]);
    for file in files(&site) {
        let bytes = std::fs::read(site.join(&file)).expect("read");
        assert!(!bytes.contains(&0), "a NUL in {file}");
    }
    let page = read(&site, "incidents/nul/index.html");
    assert!(page.contains("content=\"The first\u{FFFD}paragraph.\""), "{page}");
    assert!(read(&site, "api/incidents.csv").contains("The first\u{FFFD}paragraph."));
}
