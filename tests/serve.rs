//! `casebook serve` and `casebook watch`, run as the real binary on a copy of a site: pages
//! served, live-reload events after edits, the error overlay's message on a broken file and
//! its clearing on the fix, refused traversal, the 404 page, drafts kept out of public/ and out
//! of another serve's preview folder.

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// A running `casebook` process whose standard error is read line by line.
struct Running {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    fn start(site: &Path, tmp: &Path, args: &[&str]) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_casebook"))
            .args(args)
            .current_dir(site)
            // The preview folder goes to the system's temporary folder: keep it in the test's.
            .env("TMPDIR", tmp)
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("casebook starts");
        let stderr = child.stderr.take().expect("stderr");
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Running { child, lines, seen: Vec::new() }
    }

    /// Waits for a line of standard error containing `text` and returns it.
    fn wait_line(&mut self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(text) {
                        return line;
                    }
                }
                Err(_) => break,
            }
        }
        panic!("no line with {text:?}; stderr so far:\n{}", self.seen.join("\n"));
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn site_copy(dir: &Path) -> PathBuf {
    let site = dir.join("site");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    common::copy_dir(&repo.join("content"), &site.join("content"));
    std::fs::copy(repo.join("casebook.yaml"), site.join("casebook.yaml")).expect("copy config");
    site
}

/// One HTTP request; returns the status code and the body.
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("send");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read");
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("status line");
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

/// An open event stream.
struct Events {
    stream: TcpStream,
    buffer: String,
}

impl Events {
    fn open(addr: &str) -> Events {
        let mut stream = TcpStream::connect(addr).expect("connect");
        write!(
            stream,
            "GET /__casebook/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .expect("send");
        stream.set_read_timeout(Some(Duration::from_millis(200))).expect("timeout");
        Events { stream, buffer: String::new() }
    }

    /// Waits for the next event, whatever its name, and returns its name and data.
    fn next(&mut self) -> (String, String) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field = |name: &str| {
                    block.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim_start().to_string())
                };
                // Comments (pings) and `retry:` are not events.
                if let Some(name) = field("event:") {
                    return (name, field("data:").unwrap_or_default());
                }
            }
            assert!(Instant::now() < deadline, "no event; got:\n{}", self.buffer);
            self.read_more();
        }
    }

    fn read_more(&mut self) {
        let mut chunk = [0u8; 4096];
        match self.stream.read(&mut chunk) {
            Ok(0) => panic!("the event stream closed; got:\n{}", self.buffer),
            Ok(n) => self.buffer.push_str(&String::from_utf8_lossy(&chunk[..n])),
            Err(_) => {} // read timeout: look again
        }
    }

    /// Waits for an event named `name` and returns its data.
    fn wait(&mut self, name: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        let marker = format!("event: {name}\n");
        loop {
            if let Some(at) = self.buffer.find(&marker) {
                let rest = &self.buffer[at + marker.len()..];
                if let Some(end) = rest.find("\n\n") {
                    let data = rest[..end].trim_start_matches("data: ").to_string();
                    self.buffer = rest[end..].to_string();
                    return data;
                }
            }
            assert!(Instant::now() < deadline, "no `{name}` event; got:\n{}", self.buffer);
            self.read_more();
        }
    }
}

const HOSPITAL: &str = "content/2024-02-northbridge-hospital-data-leak.md";

#[test]
fn serve_previews_reloads_and_shows_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = site_copy(dir.path());
    std::fs::write(
        site.join("content/2026-draft.md"),
        "---\ntitle: Unapproved draft DRAFTMARKER\ndate: 2026-01-01\ndraft: true\n---\nDRAFTMARKER\n\nCall <!-- internal -->NOTE-IN-PREVIEW<!-- /internal --> first.\n",
    )
    .expect("write draft");
    let mut serve = Running::start(&site, dir.path(), &["serve", "--port", "0", "--drafts"]);
    let line = serve.wait_line("Serving");
    let addr = line.split("http://").nth(1).and_then(|r| r.split('/').next()).expect("address").to_string();
    assert!(addr.starts_with("127.0.0.1:"), "loopback by default: {line}");
    serve.wait_line("build:");

    let (status, home) = get(&addr, "/");
    assert_eq!(status, 200);
    assert!(home.contains("/__casebook/live.js"), "live reload script injected");
    assert!(home.contains(&format!("http://{addr}/")), "links use the local address");
    let (status, draft) = get(&addr, "/incidents/2026-draft/");
    assert_eq!(status, 200, "drafts are previewed with --drafts");
    assert!(draft.contains("DRAFTMARKER"));
    assert!(
        draft.contains("<mark class=\"casebook-internal\"") && draft.contains("NOTE-IN-PREVIEW</mark>"),
        "internal notes are shown highlighted in the preview"
    );
    assert!(!site.join("public").exists(), "serve never writes public/");

    let (status, missing) = get(&addr, "/no/such/page/");
    assert_eq!(status, 404);
    assert!(missing.contains("<html"), "the site's 404 page");
    std::fs::write(dir.path().join("secret.txt"), "SECRET").expect("write secret");
    for path in ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/%2e%2e%2f%2e%2e%2fsecret.txt"]
    {
        let (status, body) = get(&addr, path);
        assert!(status >= 400 && !body.contains("SECRET"), "{path}: {status}");
    }
    let (status, css) = get(&addr, "/style.css");
    assert_eq!(status, 200);
    assert!(!css.contains("__casebook"), "scripts go into HTML only");

    let mut events = Events::open(&addr);
    events.wait("hello");
    let text = std::fs::read_to_string(site.join(HOSPITAL)).expect("read");
    std::fs::write(site.join(HOSPITAL), text.replacen("\n---\n", "\n---\nEDITED-IN-PREVIEW\n\n", 1))
        .expect("edit");
    events.wait("reload");
    let (_, page) = get(&addr, "/incidents/2024-02-northbridge-hospital-data-leak/");
    assert!(page.contains("EDITED-IN-PREVIEW"));

    std::fs::write(site.join(HOSPITAL), text.replacen("title:", "title: [unclosed", 1)).expect("break");
    let error = events.wait("error");
    assert!(error.contains("content/2024-02-northbridge-hospital-data-leak.md:3:5: invalid YAML"), "{error}");
    serve.wait_line("rebuild failed");
    let (status, page) = get(&addr, "/incidents/2024-02-northbridge-hospital-data-leak/");
    assert!(status == 200 && page.contains("EDITED-IN-PREVIEW"), "the last good page is still served");
    // A tab opened while the site is broken gets the error at once.
    let mut late = Events::open(&addr);
    late.wait("hello");
    late.wait("error");

    std::fs::write(site.join(HOSPITAL), &text).expect("fix");
    events.wait("reload");
}

/// Regression: a fix that brings back the last good text writes no file, and the error overlay
/// used to stay up, with the stale error sent to every tab opened later. A failed file touched
/// again (as some editors do after writing) used to send the same error a second time.
#[test]
fn a_fix_restoring_the_last_good_text_clears_the_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = site_copy(dir.path());
    let mut serve = Running::start(&site, dir.path(), &["serve", "--port", "0"]);
    let addr = address(&serve.wait_line("Serving"));
    serve.wait_line("build:");
    let mut events = Events::open(&addr);
    assert_eq!(events.next().0, "hello");

    let text = std::fs::read_to_string(site.join(HOSPITAL)).expect("read");
    assert!(text.contains("\ndate: 2024-02-13\n"), "the fixture's date");
    save(&site.join(HOSPITAL), &text.replacen("\ndate: 2024-02-13\n", "\ndate: 2023-02-30\n", 1));
    let (name, error) = events.next();
    assert_eq!(name, "error");
    assert!(error.contains("2023-02-30"), "{error}");
    serve.wait_line("rebuild failed");
    // The same failure once more, as after an editor touching the file it just wrote.
    let file = std::fs::File::options().write(true).open(site.join(HOSPITAL)).expect("open");
    file.set_modified(std::time::SystemTime::now() + Duration::from_secs(5)).expect("touch");
    drop(file);
    serve.wait_line("rebuild failed");

    save(&site.join(HOSPITAL), &text);
    let line = serve.wait_line("changed:");
    assert!(line.contains("0 files written"), "the fix restores the last good output: {line}");
    assert_eq!(events.next().0, "clear", "no second `error`, and the overlay goes");
    // A tab opened now gets no stale error: the next event after hello is the next edit's.
    let mut late = Events::open(&addr);
    assert_eq!(late.next().0, "hello");
    save(&site.join(HOSPITAL), &text.replacen("\n---\n", "\n---\nEDITED-AFTER-FIX\n\n", 1));
    assert_eq!(late.next().0, "reload");
    assert_eq!(events.next().0, "reload");
}

/// Writes `text` to `path` in one step, as editors save: a rebuild started between the
/// truncation and the write of `fs::write` would read half a file and report its own error.
fn save(path: &Path, text: &str) {
    let temp = path.with_extension("saving");
    std::fs::write(&temp, text).expect("write");
    std::fs::rename(&temp, path).expect("rename");
}

/// The `host:port` a `Serving … at http://host:port/ …` line names.
fn address(line: &str) -> String {
    line.split("http://").nth(1).and_then(|r| r.split('/').next()).expect("address").to_string()
}

/// Regression: two serves of one site built into one preview folder, so the one without
/// `--drafts` served the other's drafts and links to the other's port. The folder is private
/// and reused by the same command run again.
#[test]
fn concurrent_serves_never_share_a_preview_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = site_copy(dir.path());
    std::fs::write(
        site.join("content/2026-draft.md"),
        "---\ntitle: Unapproved draft DRAFTMARKER\ndate: 2026-01-01\ndraft: true\n---\nDRAFTMARKER\n",
    )
    .expect("write draft");
    let port = free_port();
    let start_public = || Running::start(&site, dir.path(), &["serve", "--port", &port.to_string()]);
    let mut public = start_public();
    let public_line = public.wait_line("Serving");
    public.wait_line("build:");
    let mut drafts = Running::start(&site, dir.path(), &["serve", "--port", "0", "--drafts"]);
    let drafts_line = drafts.wait_line("Serving");
    drafts.wait_line("build:");
    let (public_addr, drafts_addr) = (address(&public_line), address(&drafts_line));
    let (public_folder, drafts_folder) = (folder(&public_line), folder(&drafts_line));
    assert_ne!(public_folder, drafts_folder);

    let (status, _) = get(&public_addr, "/incidents/2026-draft/");
    assert_eq!(status, 404, "no drafts without --drafts");
    let (status, page) = get(&drafts_addr, "/incidents/2026-draft/");
    assert!(status == 200 && page.contains("DRAFTMARKER"), "{status}");
    let (_, home) = get(&public_addr, "/");
    assert!(home.contains(&format!("http://{public_addr}/")), "links to its own address");
    assert!(!home.contains(&drafts_addr) && !home.contains("DRAFTMARKER"));
    // Edits reach each: the drafts serve rebuilding must not touch the other's folder.
    let text = std::fs::read_to_string(site.join(HOSPITAL)).expect("read");
    std::fs::write(site.join(HOSPITAL), text.replacen("\n---\n", "\n---\nBOTH-SEE-THIS\n\n", 1))
        .expect("edit");
    public.wait_line("changed:");
    drafts.wait_line("changed:");
    let (_, home) = get(&public_addr, "/");
    assert!(!home.contains("DRAFTMARKER") && !home.contains(&drafts_addr));
    assert!(!common::files(&public_folder).iter().any(|f| f.contains("2026-draft")), "no draft on disk");

    #[cfg(unix)]
    for folder in [&public_folder, &drafts_folder] {
        use std::os::unix::fs::PermissionsExt;
        let private = folder.parent().expect("the private folder");
        let mode = std::fs::metadata(private).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{}", private.display());
    }

    drop(public);
    let mut again = start_public();
    assert_eq!(folder(&again.wait_line("Serving")), public_folder, "the same command reuses its folder");
    again.wait_line("build:");
}

/// A port free a moment ago.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// The preview folder a `Serving … from FOLDER (Ctrl-C to stop)` line names.
fn folder(line: &str) -> PathBuf {
    let rest = line.split(" from ").nth(1).expect("a folder");
    PathBuf::from(rest.trim_end_matches(" (Ctrl-C to stop)"))
}

#[test]
fn serving_beyond_loopback_is_announced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = site_copy(dir.path());
    let mut serve = Running::start(&site, dir.path(), &["serve", "--port", "0", "--bind", "0.0.0.0"]);
    serve.wait_line("other machines on the network can read this preview");
}

#[test]
fn watch_rebuilds_the_output_folder_on_changes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = site_copy(dir.path());
    let mut watch = Running::start(&site, dir.path(), &["watch"]);
    watch.wait_line("build:");
    let page = site.join("public/incidents/2024-02-northbridge-hospital-data-leak/index.html");
    assert!(page.exists());
    let text = std::fs::read_to_string(site.join(HOSPITAL)).expect("read");
    // As vim saves: a new file renamed over the old one.
    let temp = site.join("content/.2024-02-northbridge-hospital-data-leak.md.swp");
    std::fs::write(&temp, text.replacen("\n---\n", "\n---\nWATCHED-EDIT\n\n", 1)).expect("write");
    std::fs::rename(&temp, site.join(HOSPITAL)).expect("rename");
    let line = watch.wait_line("changed:");
    assert!(line.starts_with("content/2024-02-northbridge-hospital-data-leak.md changed:"), "{line}");
    assert!(std::fs::read_to_string(&page).expect("page").contains("WATCHED-EDIT"));

    std::fs::remove_file(site.join(HOSPITAL)).expect("delete");
    watch.wait_line("removed");
    assert!(!page.exists(), "a deleted incident's page goes");
}

/// Issue 28: a `casebook watch` writes its output folder at any moment, and knows what it
/// holds: a build into the same folder waits until the watch stops, and says so.
#[test]
fn a_build_waits_while_a_watch_holds_the_output_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = site_copy(dir.path());
    let mut watch = Running::start(&site, dir.path(), &["watch"]);
    watch.wait_line("build:");
    let mut build = Running::start(&site, dir.path(), &["build"]);
    build.wait_line("waiting for another build into public to finish");
    std::thread::sleep(Duration::from_millis(300));
    assert!(build.child.try_wait().expect("status").is_none(), "the build waits");
    drop(watch);
    // A watch leaves no state for a build to start from: it builds everything.
    build.wait_line("Built ");
    let status = build.child.wait().expect("status");
    assert!(status.success());
}

#[test]
fn watch_refuses_drafts_into_public() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = site_copy(dir.path());
    let out = common::casebook(&site, &["watch", "--drafts"]);
    assert!(!out.status.success());
    assert!(common::stderr(&out).contains("refusing to watch drafts into the public output folder"));
}

/// The page in a real browser: it reloads after an edit, shows the error overlay on a broken
/// file and loses it after the fix. Needs Node, Chromium and `npm ci` in tests/browser.
#[test]
fn a_browser_tab_follows_edits_and_shows_errors() {
    let browser_tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let ready = browser_tests.join("node_modules/playwright-core").is_dir()
        && Path::new("/usr/bin/chromium").exists();
    if !ready {
        assert!(
            std::env::var_os("CASEBOOK_REQUIRE_VALIDATORS").is_none(),
            "playwright-core or chromium missing"
        );
        eprintln!(
            "note: run `npm ci` in tests/browser and install chromium to run the live-reload browser check"
        );
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let site = site_copy(dir.path());
    let mut serve = Running::start(&site, dir.path(), &["serve", "--port", "0"]);
    let line = serve.wait_line("Serving");
    let url = line
        .split(" at ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .expect("url")
        .trim_end_matches('/')
        .to_string();
    serve.wait_line("build:");
    let result = Command::new("node")
        .arg(browser_tests.join("live.js"))
        .arg(&url)
        .arg("/incidents/2024-02-northbridge-hospital-data-leak/")
        .arg(site.join(HOSPITAL))
        .output()
        .expect("run node");
    let report = String::from_utf8_lossy(&result.stdout);
    assert!(
        result.status.success(),
        "{report}{}\ncasebook said:\n{}",
        String::from_utf8_lossy(&result.stderr),
        serve.seen.join("\n")
    );
    assert!(report.contains("live reload works"), "{report}");
}
