//! Tests of the preview server, over real sockets on loopback.

use super::*;
use std::io::{BufRead, BufReader};

const SECRET: &[u8] = b"TOP-SECRET-BYTES";
const INDEX: &str = "<html><body><h1>home</h1><p>no </body> here</p></BODY></html>\n";

/// A reply as a browser would see it.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect to the test server");
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("read timeout");
    stream
}

fn request(addr: SocketAddr, raw: &str) -> Reply {
    let mut stream = connect(addr);
    stream.write_all(raw.as_bytes()).expect("send the request");
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).expect("read the response");
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete head");
    let head = String::from_utf8(bytes[..end].to_vec()).expect("an ASCII head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("a status line");
    let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status code");
    let headers = lines
        .map(|l| l.split_once(": ").expect("a header"))
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    Reply { status, headers, body: bytes[end + 4..].to_vec() }
}

fn get(addr: SocketAddr, path: &str) -> Reply {
    request(addr, &format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n"))
}

/// A built site in `<temp>/public`, with a secret file next to it that must never be served.
struct Fixture {
    dir: tempfile::TempDir,
    server: Server,
    live: Arc<LiveReload>,
}

impl Fixture {
    fn public(&self) -> PathBuf {
        self.dir.path().join("public")
    }
}

fn fixture(with_404: bool) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let public = dir.path().join("public");
    let write = |path: &str, bytes: &[u8]| {
        let path = public.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
    };
    write("index.html", INDEX.as_bytes());
    write("a/index.html", b"<p>page a</p>");
    write("style.css", b"body { color: red }");
    write("app.js", b"console.log(1)");
    write("logo.svg", b"<svg/>");
    write("api/incidents.json", b"[]");
    write("sitemap.xml", b"<urlset/>");
    write("fonts/x.woff2", b"wOF2");
    write("data.bin", b"\x00\x01");
    if with_404 {
        write("404.html", b"<html><body>custom missing page</body></html>");
    }
    std::fs::write(dir.path().join("secret"), SECRET).expect("write the secret");
    let live = LiveReload::new();
    let options = ServeOptions { folder: public, addr: SocketAddr::from(([127, 0, 0, 1], 0)) };
    let server = start(&options, Arc::clone(&live)).expect("start the server");
    Fixture { dir, server, live }
}

#[test]
fn folders_serve_their_index() {
    let f = fixture(true);
    let home = get(f.server.addr(), "/");
    assert_eq!(home.status, 200);
    assert!(home.text().starts_with("<html><body><h1>home</h1>"), "{}", home.text());
    assert_eq!(home.header("Content-Type"), Some("text/html; charset=utf-8"));
    assert_eq!(home.header("Cache-Control"), Some("no-store"));
    assert_eq!(home.header("X-Content-Type-Options"), Some("nosniff"));
    assert_eq!(home.header("Connection"), Some("close"));
    assert_eq!(home.header("Content-Length"), Some(home.body.len().to_string().as_str()));

    let a = get(f.server.addr(), "/a/?q=1");
    assert_eq!(a.status, 200);
    assert!(a.text().starts_with("<p>page a</p><script"), "{}", a.text());
}

#[test]
fn folders_without_a_slash_redirect_keeping_the_query() {
    let f = fixture(true);
    let plain = get(f.server.addr(), "/a");
    assert_eq!((plain.status, plain.header("Location")), (301, Some("/a/")));
    let query = get(f.server.addr(), "/a?x=1&y=2#top");
    assert_eq!((query.status, query.header("Location")), (301, Some("/a/?x=1&y=2")));
    let file_with_slash = get(f.server.addr(), "/style.css/");
    assert_eq!(file_with_slash.status, 404);
}

#[test]
fn content_types_follow_the_extension() {
    let f = fixture(true);
    for (path, expected) in [
        ("/style.css", "text/css; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/logo.svg", "image/svg+xml"),
        ("/api/incidents.json", "application/json"),
        ("/sitemap.xml", "application/xml"),
        ("/fonts/x.woff2", "font/woff2"),
        ("/data.bin", "application/octet-stream"),
        ("/__casebook/live.js", "text/javascript; charset=utf-8"),
    ] {
        let reply = get(f.server.addr(), path);
        assert_eq!((reply.status, reply.header("Content-Type")), (200, Some(expected)), "{path}");
        assert_eq!(reply.header("Cache-Control"), Some("no-store"), "{path}");
    }
    assert_eq!(get(f.server.addr(), "/style.css?v=2").body, b"body { color: red }");
    assert_eq!(get(f.server.addr(), "/__casebook/live.js").body, LIVE_JS.as_bytes());
}

#[test]
fn the_live_script_goes_into_html_only_and_never_onto_disk() {
    let f = fixture(true);
    let home = get(f.server.addr(), "/");
    let build = f.live.build_id();
    let tag = format!(r#"<script src="/__casebook/live.js" data-build="{build}"></script>"#);
    let expected = INDEX.replace("</BODY>", &format!("{tag}</BODY>"));
    assert_eq!(home.text(), expected, "before the last </body>, whatever its case");
    let on_disk = std::fs::read(f.public().join("index.html")).expect("read index.html");
    assert_eq!(on_disk, INDEX.as_bytes());

    assert_eq!(get(f.server.addr(), "/app.js").body, b"console.log(1)");
    assert_eq!(get(f.server.addr(), "/logo.svg").body, b"<svg/>");

    f.live.reload();
    let after = get(f.server.addr(), "/");
    assert!(after.text().contains(&format!(r#"data-build="{}""#, f.live.build_id())));
    assert_ne!(f.live.build_id(), build);
}

#[test]
fn injection_goes_before_the_last_body_end_or_at_the_end() {
    let tag = r#"<script src="/__casebook/live.js" data-build="1-2"></script>"#;
    assert_eq!(inject(b"<p>x</p>", "1-2"), format!("<p>x</p>{tag}").as_bytes());
    assert_eq!(inject(b"</b", "1-2"), format!("</b{tag}").as_bytes());
    assert_eq!(inject(b"a</body>b</Body>c", "1-2"), format!("a</body>b{tag}</Body>c").as_bytes());
}

#[test]
fn missing_pages_get_the_sites_404_page() {
    let f = fixture(true);
    let reply = get(f.server.addr(), "/nope/");
    assert_eq!(reply.status, 404);
    assert_eq!(reply.header("Content-Type"), Some("text/html; charset=utf-8"));
    assert!(reply.text().starts_with("<html><body>custom missing page<script"), "{}", reply.text());
    assert_eq!(get(f.server.addr(), "/__casebook/other").status, 404);
}

#[test]
fn missing_pages_without_a_404_page_get_plain_text() {
    let f = fixture(false);
    let reply = get(f.server.addr(), "/nope.html");
    assert_eq!(reply.status, 404);
    assert_eq!(reply.header("Content-Type"), Some("text/plain; charset=utf-8"));
    assert_eq!(reply.text(), "Not Found\n");
}

#[test]
fn paths_leading_out_of_the_folder_are_refused() {
    let f = fixture(true);
    #[cfg(unix)]
    std::os::unix::fs::symlink(f.dir.path().join("secret"), f.public().join("leak.txt")).expect("link");
    #[cfg(unix)]
    std::os::unix::fs::symlink(f.dir.path(), f.public().join("up")).expect("link");
    for path in [
        "/../secret",
        "/%2e%2e/secret",
        "/%2E%2E/secret",
        "/a/..%2f..%2fsecret",
        "/a/%2e%2e/%2e%2e/secret",
        "/%2e%2e%5csecret",
        "/..\\secret",
        "/./../secret",
        "//etc/passwd",
        "/%2f%2fetc/passwd",
        "/a//../../secret",
        "/%00/../secret",
        "/leak.txt",
        "/up/secret",
        "/up/",
    ] {
        let reply = get(f.server.addr(), path);
        assert!(matches!(reply.status, 400 | 404), "{path}: {}", reply.status);
        assert!(!reply.body.windows(SECRET.len()).any(|w| w == SECRET), "{path} leaked the secret");
        assert!(!reply.text().contains("root:"), "{path}");
    }
    assert_eq!(get(f.server.addr(), "/%zz").status, 400);
    assert_eq!(get(f.server.addr(), "/%ff").status, 400, "not UTF-8");
    assert_eq!(get(f.server.addr(), "/%61/").status, 200, "valid escapes decode");
}

#[test]
fn head_sends_headers_only() {
    let f = fixture(true);
    let full = get(f.server.addr(), "/");
    let head = request(f.server.addr(), "HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("Content-Length"), Some(full.body.len().to_string().as_str()));
    let missing = request(f.server.addr(), "HEAD /nope HTTP/1.1\r\n\r\n");
    assert_eq!((missing.status, missing.body.len()), (404, 0));
}

#[test]
fn other_methods_and_malformed_requests_are_refused() {
    let f = fixture(true);
    let post = request(f.server.addr(), "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
    assert_eq!((post.status, post.header("Allow")), (405, Some("GET, HEAD")));
    assert_eq!(request(f.server.addr(), "GET / HTTP/2.0\r\n\r\n").status, 400);
    assert_eq!(request(f.server.addr(), "GET /\r\n\r\n").status, 400);
    assert_eq!(request(f.server.addr(), "GET / HTTP/1.1\r\nno colon\r\n\r\n").status, 400);
    assert_eq!(request(f.server.addr(), "GET http://x/ HTTP/1.1\r\n\r\n").status, 400);
    let huge = format!("GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(20 * 1024));
    assert_eq!(request(f.server.addr(), &huge).status, 431);
    let bare_newlines = request(f.server.addr(), "GET /style.css HTTP/1.0\nHost: localhost\n\n");
    assert_eq!(bare_newlines.status, 200);
}

#[test]
fn many_parallel_requests_each_get_their_file() {
    let f = fixture(true);
    for i in 0..10 {
        std::fs::write(f.public().join(format!("f{i}.txt")), format!("file {i} ").repeat(100 + i))
            .expect("write");
    }
    let addr = f.server.addr();
    let clients: Vec<_> = (0..300)
        .map(|n| std::thread::spawn(move || (n % 10, get(addr, &format!("/f{}.txt", n % 10)))))
        .collect();
    for client in clients {
        let (i, reply) = client.join().expect("client thread");
        assert_eq!(reply.status, 200);
        assert_eq!(reply.text(), format!("file {i} ").repeat(100 + i));
    }
}

#[test]
fn a_busy_address_is_a_diagnostic_with_help() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("address");
    let dir = tempfile::tempdir().expect("temp dir");
    let options = ServeOptions { folder: dir.path().to_path_buf(), addr };
    let err = start(&options, LiveReload::new()).expect_err("the port is taken");
    assert_eq!(err.message, format!("could not listen on {addr}"));
    assert_eq!(err.causes.len(), 1);
    assert!(err.help.as_deref().is_some_and(|h| h.contains("--port") && h.contains("--bind")), "{err}");
}

#[test]
fn a_dropped_server_stops_accepting() {
    let f = fixture(true);
    let addr = f.server.addr();
    assert_eq!(get(addr, "/").status, 200);
    drop(f.server);
    assert!(TcpStream::connect(addr).is_err(), "still listening on {addr}");
}

/// The client side of `/__casebook/events`.
struct Events(BufReader<TcpStream>);

impl Events {
    fn open(addr: SocketAddr) -> Events {
        let mut stream = connect(addr);
        stream.write_all(b"GET /__casebook/events HTTP/1.1\r\nHost: localhost\r\n\r\n").expect("send");
        let mut reader = BufReader::new(stream);
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("read the head");
            if line == "\r\n" {
                break;
            }
            head.push(line);
        }
        assert_eq!(head[0], "HTTP/1.1 200 OK\r\n");
        assert!(head.contains(&"Content-Type: text/event-stream\r\n".to_string()), "{head:?}");
        assert!(!head.iter().any(|h| h.starts_with("Content-Length")), "{head:?}");
        Events(reader)
    }

    /// The next named event's name and parsed data, skipping comments and `retry:`.
    fn next(&mut self) -> (String, serde_json::Value) {
        let (mut name, mut data) = (None, None);
        loop {
            let mut line = String::new();
            let n = self.0.read_line(&mut line).expect("read an event (timed out?)");
            assert!(n > 0, "the stream ended");
            let line = line.trim_end_matches('\n');
            if line.is_empty() {
                if let (Some(name), Some(data)) = (name.take(), data.take()) {
                    return (name, data);
                }
            } else if let Some(n) = line.strip_prefix("event: ") {
                name = Some(n.to_string());
            } else if let Some(d) = line.strip_prefix("data: ") {
                data = Some(serde_json::from_str(d).expect("JSON data"));
            }
        }
    }
}

fn build_of(data: &serde_json::Value) -> &str {
    data["build"].as_str().expect("a build id")
}

#[test]
fn events_follow_the_rebuild_loop() {
    let f = fixture(true);
    let mut events = Events::open(f.server.addr());
    let (name, data) = events.next();
    assert_eq!((name.as_str(), build_of(&data)), ("hello", f.live.build_id().as_str()));

    f.live.reload();
    let (name, data) = events.next();
    assert_eq!((name.as_str(), build_of(&data)), ("reload", f.live.build_id().as_str()));

    f.live.stylesheets();
    let (name, data) = events.next();
    assert_eq!((name.as_str(), build_of(&data)), ("css", f.live.build_id().as_str()));

    let message = "content/x.md:2:1: bad \"date\"\n  help: write <2024-01-01>";
    f.live.failed(message);
    let (name, data) = events.next();
    assert_eq!((name.as_str(), data["message"].as_str()), ("error", Some(message)));

    // A page change then a stylesheet change before the stream wakes still reloads first.
    f.live.reload();
    f.live.stylesheets();
    assert_eq!(events.next().0, "reload");
}

#[test]
fn a_tab_connecting_during_a_failure_sees_it_after_hello() {
    let f = fixture(true);
    f.live.reload();
    f.live.failed("content/x.md:2:1: bad");
    let mut events = Events::open(f.server.addr());
    let (name, data) = events.next();
    assert_eq!((name.as_str(), build_of(&data)), ("hello", f.live.build_id().as_str()));
    let (name, data) = events.next();
    assert_eq!((name.as_str(), data["message"].as_str()), ("error", Some("content/x.md:2:1: bad")));
    f.live.reload();
    assert_eq!(events.next().0, "reload");
}

/// Regression: a fix bringing back the last good text writes no file, and used to leave the
/// overlay up in every open tab and send the stale error to every tab opened later.
#[test]
fn a_rebuild_writing_nothing_clears_the_failure() {
    let f = fixture(true);
    let mut events = Events::open(f.server.addr());
    assert_eq!(events.next().0, "hello");
    let build = f.live.build_id();
    // With nothing failed, a rebuild writing nothing is not news.
    f.live.unchanged();
    f.live.failed("content/x.md:3:7: `date`: `2023-02-30` is not a valid date");
    assert_eq!(events.next().0, "error");

    f.live.unchanged();
    let (name, data) = events.next();
    assert_eq!((name.as_str(), build_of(&data)), ("clear", build.as_str()), "the page shown is current");
    assert_eq!(f.live.build_id(), build, "so no tab reloads on reconnecting");

    let mut late = Events::open(f.server.addr());
    assert_eq!(late.next().0, "hello");
    f.live.reload();
    assert_eq!(late.next().0, "reload", "no stale error after hello");
    assert_eq!(events.next().0, "reload");
}

/// Regression: one save reaching the rebuild loop as two batches failed twice alike, and
/// every tab got the same `error` event twice.
#[test]
fn the_same_failure_again_is_sent_once() {
    let f = fixture(true);
    let mut events = Events::open(f.server.addr());
    assert_eq!(events.next().0, "hello");
    f.live.failed("content/x.md:2:1: bad");
    let (name, data) = events.next();
    assert_eq!((name.as_str(), data["message"].as_str()), ("error", Some("content/x.md:2:1: bad")));
    let generation = f.live.lock().generation;
    f.live.failed("content/x.md:2:1: bad");
    assert_eq!(f.live.lock().generation, generation, "no stream is woken for it");
    f.live.failed("content/x.md:2:1: worse");
    let (name, data) = events.next();
    assert_eq!((name.as_str(), data["message"].as_str()), ("error", Some("content/x.md:2:1: worse")));
    // After a success, the same failure is news again.
    f.live.unchanged();
    assert_eq!(events.next().0, "clear");
    f.live.failed("content/x.md:2:1: worse");
    assert_eq!(events.next().0, "error");
}

#[test]
fn build_ids_change_on_success_only() {
    let live = LiveReload::new();
    let first = live.build_id();
    live.failed("x");
    assert_eq!(live.build_id(), first);
    live.stylesheets();
    let second = live.build_id();
    live.reload();
    assert!(first != second && second != live.build_id() && first != live.build_id());
    assert_ne!(LiveReload::new().build_id(), first, "each server process has its own ids");
}

#[test]
fn percent_decoding() {
    assert_eq!(percent_decode("/a%20b%2F").as_deref(), Some(&b"/a b/"[..]));
    assert_eq!(percent_decode("%"), None);
    assert_eq!(percent_decode("%4"), None);
    assert_eq!(percent_decode("%+4"), None);
    assert_eq!(percent_decode("%g0"), None);
}

/// Issue 28: through DNS rebinding, a page of `attacker.example` could read the preview
/// (drafts and internal notes) as its own origin. Only the loopback names and the address
/// listened on are answered; anything else gets a 403 with nothing of the site.
#[test]
fn only_local_host_names_are_answered() {
    let f = fixture(true);
    let addr = f.server.addr();
    let port = addr.port();
    let with_host = |host: &str, path: &str| {
        request(addr, &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"))
    };
    for host in [
        "localhost".to_string(),
        format!("localhost:{port}"),
        "LocalHost".to_string(),
        "127.0.0.1".to_string(),
        format!("127.0.0.1:{port}"),
        "[::1]".to_string(),
        format!("[::1]:{port}"),
        // A tunnel forwards another port.
        "localhost:8080".to_string(),
    ] {
        let reply = with_host(&host, "/");
        assert_eq!(reply.status, 200, "{host}");
        assert!(reply.text().contains("<h1>home</h1>"), "{host}");
    }
    for host in [
        format!("rebind.attacker.example:{port}"),
        "rebind.attacker.example".to_string(),
        "localhost.attacker.example".to_string(),
        "127.0.0.1.nip.io".to_string(),
        "127.0.0.2".to_string(),
        "::1".to_string(),
        "[::1".to_string(),
        "localhost:".to_string(),
        "localhost:x".to_string(),
        "".to_string(),
    ] {
        for path in ["/", "/a/", "/style.css", "/nope", "/__casebook/live.js", "/__casebook/events"] {
            let reply = with_host(&host, path);
            assert_eq!(reply.status, 403, "{host} {path}");
            let text = reply.text();
            assert!(!text.contains("home") && !text.contains("page a") && !text.contains("color"), "{text}");
            assert!(!text.contains("custom missing page") && !text.contains("EventSource"), "{text}");
        }
    }
    let twice = request(addr, "GET / HTTP/1.1\r\nHost: localhost\r\nHost: attacker.example\r\n\r\n");
    assert_eq!(twice.status, 400);
}

#[test]
fn the_address_listened_on_is_answered_and_any_address_when_listening_on_all() {
    let on = |ip: [u8; 4]| SocketAddr::from((ip, 1111));
    assert!(host_allowed(Some("192.168.1.5:1111"), on([192, 168, 1, 5])));
    assert!(!host_allowed(Some("192.168.1.6:1111"), on([192, 168, 1, 5])));
    assert!(!host_allowed(Some("192.168.1.5"), on([127, 0, 0, 1])));
    // Other machines reach a preview on every address at this machine's address.
    assert!(host_allowed(Some("192.168.1.5:1111"), on([0, 0, 0, 0])));
    assert!(host_allowed(Some("[fe80::1]:1111"), SocketAddr::from(([0u16; 8], 1111))));
    // Names are still refused: they are what rebinding uses.
    assert!(!host_allowed(Some("my-laptop.local:1111"), on([0, 0, 0, 0])));
    assert!(host_allowed(None, on([127, 0, 0, 1])), "no Host: not a browser");
}
