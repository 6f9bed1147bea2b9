//! `casebook check`: every rule on a fixture site, pinned as text and as JSON.

use crate::common;

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
    // The file that failed still counts as checked.
    assert!(stderr(&result).contains("Checked 1 incident: 2 errors"), "{}", stderr(&result));
    let result = casebook(&fixtures().join("errors/template-runtime-error"), &["check"]);
    assert_eq!(result.status.code(), Some(1));
    assert!(stderr(&result).contains("templates/incident.html:4:17: template error"), "{}", stderr(&result));
}

/// Issue 28: a 300-character tag, slug, sector, actor or alias passed `check` and failed
/// `build` with "File name too long", naming no source. These, dates out of range and
/// circular includes are errors of `check` too, at the same places as in `build`.
#[test]
fn check_reports_what_build_refuses_where_build_does() {
    for case in ["overlong-names", "out-of-range-dates", "circular-include"] {
        let dir = fixtures().join("errors").join(case);
        let result = casebook(&dir, &["check"]);
        assert_eq!(result.status.code(), Some(1), "{case}");
        let expected = std::fs::read_to_string(dir.join("expected-stderr.txt")).expect("pinned");
        let errors: Vec<&str> = expected.lines().filter(|l| l.starts_with("error: ")).collect();
        assert!(!errors.is_empty(), "{case}: {expected}");
        for line in errors {
            assert!(stderr(&result).contains(line), "{case}: {line}\n{}", stderr(&result));
        }
    }
}

#[test]
fn the_example_site_is_clean() {
    let result = casebook(Path::new(env!("CARGO_MANIFEST_DIR")), &["check", "--now", "2026-11-28"]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(stderr(&result).ends_with("0 errors, 0 warnings\n"), "{}", stderr(&result));
}

/// A small HTTP server on loopback standing in for the web: `/ok` answers 200, `/gone` 404,
/// `/no-head` refuses HEAD but answers GET, `/busy` 429, `/slow` never answers. Returns its
/// base URL.
fn link_server() -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(&stream);
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                let mut parts = line.split_whitespace();
                let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                let status = match (method, path) {
                    (_, "/ok") => "200 OK",
                    (_, "/gone") => "404 Not Found",
                    ("HEAD", "/no-head") => "405 Method Not Allowed",
                    (_, "/no-head") => "200 OK",
                    (_, "/busy") => "429 Too Many Requests",
                    (_, "/slow") => {
                        std::thread::sleep(std::time::Duration::from_secs(30));
                        return;
                    }
                    _ => "404 Not Found",
                };
                let mut stream = &stream;
                let _ = write!(stream, "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            });
        }
    });
    base
}

#[test]
fn external_links_are_checked_when_asked() {
    let base = link_server();
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}/", l.local_addr().expect("address"))
    };
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("content")).expect("mkdir");
    let text = format!(
        "---\ntitle: Links\ndate: 2025-01-01\nsources:\n  - title: Gone\n    url: {base}/gone\n  - title: Fine\n    url: {base}/ok\n---\n\
         See [this]({base}/gone) and [that]({base}/no-head),\n[busy]({base}/busy), [slow]({base}/slow) and [closed]({refused}).\n"
    );
    std::fs::write(dir.path().join("content/links.md"), text).expect("write");

    let quiet = casebook(dir.path(), &["check", "--now", "2026-01-01"]);
    assert!(quiet.status.success(), "no requests without --external: {}", stderr(&quiet));

    let result = casebook(dir.path(), &["check", "--now", "2026-01-01", "--external", "--timeout", "2"]);
    let err = stderr(&result);
    assert_eq!(result.status.code(), Some(1), "{err}");
    // Columns on line 11 depend on the ports' digits: compute them.
    let line11 = format!("[busy]({base}/busy), [slow]({base}/slow) and [closed]({refused}).");
    let col = |what: &str| line11.find(what).expect("in line") + 1;
    let at = |line: usize, col: usize, what: &str| format!("content/links.md:{line}:{col}: {what}");
    for expected in [
        at(6, 10, &format!("broken link `{base}/gone`: HTTP 404 Not Found")),
        at(10, 5, &format!("broken link `{base}/gone`: HTTP 404 Not Found")),
        at(11, col("[slow]"), &format!("broken link `{base}/slow`: no answer in time")),
        at(11, col("[closed]"), &format!("broken link `{refused}`: connection refused")),
        at(11, 1, &format!("could not check `{base}/busy`: the server says too many requests (429)")),
    ] {
        assert!(err.contains(&expected), "missing `{expected}` in:\n{err}");
    }
    assert!(!err.contains("/ok`") && !err.contains("/no-head`"), "working links are not reported:\n{err}");
}

#[test]
fn a_link_to_a_file_the_bundle_lacks_is_an_error_at_its_line() {
    let site = fixtures().join("check-bundle-site");
    let result = casebook(&site, &["check", "--now", "2026-01-01"]);
    assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
    assert_matches_file(&stderr(&result), &fixtures().join("check-bundle-site.expected-stderr.txt"));
}
