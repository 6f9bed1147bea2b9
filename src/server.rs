//! The preview server of `casebook serve`: a small HTTP/1.1 static file server for the output
//! folder, with live reload over Server-Sent Events.
//!
//! It is meant for one person previewing on their own machine, so it favours being obviously
//! correct over being fast: one thread per connection, one request per connection, no caching
//! anywhere (a preview must never show a stale page). What it does guard against is reading
//! outside the output folder, since `--bind 0.0.0.0` exposes it to the network.
//!
//! HTML responses get a `<script>` injected (the files on disk are left alone). The script
//! listens on `/__casebook/events` and reloads the page, refreshes stylesheets, or shows a
//! build error on top of the last good page, as the rebuild loop reports through [`LiveReload`].

use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::Diagnostic;
use crate::fs;

/// The client script, injected into every HTML page.
const LIVE_JS: &str = include_str!("server/live.js");
const LIVE_JS_PATH: &str = "/__casebook/live.js";
const EVENTS_PATH: &str = "/__casebook/events";
/// URLs under this prefix belong to the server, never to the site.
const RESERVED_PREFIX: &str = "/__casebook/";

/// Longest request line plus headers accepted; a browser's are far smaller.
const MAX_HEAD: usize = 16 * 1024;
/// How long an idle client may hold a connection (and its thread).
const IDLE_TIMEOUT: Duration = Duration::from_secs(10);
/// How often an idle event stream sends a comment, so a closed tab's thread notices and ends.
const PING_INTERVAL: Duration = Duration::from_secs(15);
/// How long to drain a client's leftover bytes after answering (see [`close`]).
const LINGER: Duration = Duration::from_secs(2);
const LINGER_BYTES: u64 = 64 * 1024;

/// Shared between the rebuild loop and every open browser tab's event stream.
///
/// Each change bumps a generation counter; a stream remembers the generation it last reported
/// and compares it under the lock, so a change made between a tab connecting and its stream
/// starting to wait is never missed.
pub struct LiveReload {
    /// Start of this value's life in nanoseconds, so build ids differ across server restarts
    /// and a tab reconnecting to a new process reloads.
    epoch: u128,
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    /// Bumped on every change.
    generation: u64,
    /// Bumped on every successful rebuild; the second half of the build id.
    build: u64,
    /// The generation of the last page change.
    pages_at: u64,
    /// The generation of the last stylesheet-only change.
    styles_at: u64,
    /// The current failure and its generation; cleared by the next successful rebuild.
    failure: Option<(u64, String)>,
}

impl LiveReload {
    /// A fresh state: the first build, no failure.
    pub fn new() -> Arc<LiveReload> {
        let epoch = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        Arc::new(LiveReload { epoch, state: Mutex::new(State::default()), changed: Condvar::new() })
    }

    /// A rebuild succeeded and pages changed: tabs reload (and any error overlay goes away).
    pub fn reload(&self) {
        self.change(|s| {
            s.build += 1;
            s.pages_at = s.generation;
            s.failure = None;
        });
    }

    /// Only stylesheets changed: tabs re-fetch their stylesheets without reloading; clears the
    /// overlay.
    pub fn stylesheets(&self) {
        self.change(|s| {
            s.build += 1;
            s.styles_at = s.generation;
            s.failure = None;
        });
    }

    /// A rebuild failed: tabs show `message` (plain text, may be multi-line, e.g.
    /// "content/x.md:3:7: expected a date\n  help: ...") in an overlay and keep the page.
    pub fn failed(&self, message: &str) {
        self.change(|s| s.failure = Some((s.generation, message.to_string())));
    }

    /// The current build identifier (changes on every [`reload`](Self::reload) and
    /// [`stylesheets`](Self::stylesheets); unique per server process).
    pub fn build_id(&self) -> String {
        self.id(self.lock().build)
    }

    fn id(&self, build: u64) -> String {
        format!("{}-{build}", self.epoch)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every update leaves the state whole, so a thread that panicked while holding the
        // lock did not corrupt it: keep serving rather than take every tab down with it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn change(&self, update: impl FnOnce(&mut State)) {
        let mut state = self.lock();
        state.generation += 1;
        update(&mut state);
        drop(state);
        self.changed.notify_all();
    }

    /// Wakes every waiting stream so those of a stopped server see its shutdown flag.
    fn wake_all(&self) {
        // Taking the lock orders this after the flag was set and before any waiter re-checks
        // it, so no waiter can miss the wake-up.
        drop(self.lock());
        self.changed.notify_all();
    }

    /// The events a stream that last reported generation `seen` must send to catch up.
    fn events_since(&self, state: &State, seen: u64) -> String {
        let build = serde_json::json!({ "build": self.id(state.build) });
        let mut out = String::new();
        // A page change makes a stylesheet change after it moot: the reload fetches both.
        if state.pages_at > seen {
            out.push_str(&sse_event("reload", &build));
        } else if state.styles_at > seen {
            out.push_str(&sse_event("css", &build));
        }
        if let Some((at, message)) = &state.failure
            && *at > seen
        {
            out.push_str(&sse_event("error", &serde_json::json!({ "message": message })));
        }
        out
    }
}

impl std::fmt::Debug for LiveReload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveReload").field("build", &self.build_id()).finish_non_exhaustive()
    }
}

/// What `casebook serve` serves, and where.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The built site to serve.
    pub folder: PathBuf,
    /// The address to listen on; port 0 picks a free port.
    pub addr: SocketAddr,
}

/// A running server; dropping it stops accepting connections.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

/// What every connection's thread needs.
#[derive(Debug)]
struct Shared {
    /// Canonical, so a resolved path can be checked to lie inside it.
    root: PathBuf,
    live: Arc<LiveReload>,
    shutdown: AtomicBool,
}

/// Binds and starts serving in background threads. Port 0 picks a free port.
///
/// A bind failure is a diagnostic naming the address, with the operating system's error as
/// its cause.
pub fn start(options: &ServeOptions, live: Arc<LiveReload>) -> Result<Server, Diagnostic> {
    let root = fs::canonicalize(&options.folder)?;
    if !fs::is_dir(&root) {
        return Err(Diagnostic::new(format!(
            "cannot serve {}: it is not a folder",
            options.folder.display()
        )));
    }
    let listener = TcpListener::bind(options.addr).map_err(|e| {
        Diagnostic::new(format!("could not listen on {}", options.addr))
            .caused_by(e.to_string())
            .with_help("choose another port with --port, or another address with --bind")
    })?;
    let addr = listener.local_addr().map_err(|e| {
        Diagnostic::new(format!("could not find the address listened on for {}", options.addr))
            .caused_by(e.to_string())
    })?;
    let shared = Arc::new(Shared { root, live, shutdown: AtomicBool::new(false) });
    let for_thread = Arc::clone(&shared);
    let accept = std::thread::Builder::new()
        .name("casebook-accept".into())
        .spawn(move || accept_loop(&listener, &for_thread))
        .map_err(|e| Diagnostic::new("could not start the preview server").caused_by(e.to_string()))?;
    log::debug!("serving {} on http://{addr}/", shared.root.display());
    Ok(Server { addr, shared, accept: Some(accept) })
}

impl Server {
    /// The address actually listened on (with the port picked when port 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        self.shared.live.wake_all();
        // The accept loop only looks at the flag when a connection arrives: make one.
        let wake = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => {
                SocketAddr::new(Ipv4Addr::LOCALHOST.into(), self.addr.port())
            }
            IpAddr::V6(ip) if ip.is_unspecified() => {
                SocketAddr::new(Ipv6Addr::LOCALHOST.into(), self.addr.port())
            }
            _ => self.addr,
        };
        // If the loop cannot be woken, leave it running rather than hang waiting for it.
        if TcpStream::connect_timeout(&wake, Duration::from_secs(1)).is_ok()
            && let Some(handle) = self.accept.take()
        {
            let _ = handle.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for conn in listener.incoming() {
        if shared.shutdown.load(Ordering::SeqCst) {
            break;
        }
        match conn {
            Ok(stream) => {
                let shared = Arc::clone(shared);
                let spawned = std::thread::Builder::new()
                    .name("casebook-http".into())
                    .spawn(move || handle_connection(stream, &shared));
                if let Err(e) = spawned {
                    log::warn!("preview server: could not start a thread for a connection: {e}");
                }
            }
            Err(e) => {
                log::debug!("preview server: accept failed: {e}");
                // Errors such as running out of file descriptors repeat at once: back off
                // instead of spinning.
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// A parsed request: only what the server uses.
struct Request {
    head_only: bool,
    /// The path as sent, still percent-encoded.
    path: String,
    query: Option<String>,
}

/// Why no request could be read.
enum BadRequest {
    /// The client went away or stayed silent: nothing to answer.
    Gone,
    /// Answer with this status.
    Status(u16),
}

fn handle_connection(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IDLE_TIMEOUT));
    let (response, head_only) = match read_request(&mut stream) {
        Err(BadRequest::Gone) => return,
        Err(BadRequest::Status(status)) => (Response::error(status), false),
        Ok(request) if request.path == EVENTS_PATH => {
            if let Err(e) = stream_events(&mut stream, shared, request.head_only) {
                log::debug!("preview server: event stream ended: {e}");
            }
            return;
        }
        Ok(request) => (respond(&request, shared), request.head_only),
    };
    if let Err(e) = response.write_to(&mut stream, head_only) {
        log::debug!("preview server: could not send a response: {e}");
    }
    close(&stream);
}

/// Ends a connection after its response.
fn close(stream: &TcpStream) {
    // Closing a socket that still has unread bytes from the client makes the kernel send a
    // reset, which can destroy the response before the client has read it. So signal the end
    // of the response, then read (and drop) whatever the client still sends until it closes.
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(LINGER));
    let _ = io::copy(&mut stream.take(LINGER_BYTES), &mut io::sink());
}

fn read_request(stream: &mut impl Read) -> Result<Request, BadRequest> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    let end = loop {
        let n = match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return Err(BadRequest::Gone),
            Ok(n) => n,
        };
        // Search only the new bytes, and the few before them a terminator may start in.
        let from = head.len().saturating_sub(3);
        head.extend_from_slice(&chunk[..n]);
        if let Some(end) = find_head_end(&head[from..]) {
            break from + end;
        }
        if head.len() > MAX_HEAD {
            return Err(BadRequest::Status(431));
        }
    };
    if end > MAX_HEAD {
        return Err(BadRequest::Status(431));
    }
    parse_head(&head[..end]).map_err(BadRequest::Status)
}

/// Where the blank line ending the head starts (bare `\n` line ends are tolerated).
fn find_head_end(bytes: &[u8]) -> Option<usize> {
    let crlf = bytes.windows(4).position(|w| w == b"\r\n\r\n");
    let lf = bytes.windows(2).position(|w| w == b"\n\n");
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The request in `head`, or the status to refuse it with.
fn parse_head(head: &[u8]) -> Result<Request, u16> {
    let text = std::str::from_utf8(head).map_err(|_| 400u16)?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let mut parts = lines.next().unwrap_or_default().split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(400);
    };
    if method.is_empty() || !matches!(version, "HTTP/1.1" | "HTTP/1.0") {
        return Err(400);
    }
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, _) = line.split_once(':').ok_or(400u16)?;
        // A name with spaces, or a line starting with one (the obsolete line folding), is
        // malformed and could be read differently by a proxy in front of us.
        if name.is_empty() || name.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(400);
        }
    }
    let head_only = match method {
        "GET" => false,
        "HEAD" => true,
        _ => return Err(405),
    };
    // Only visible ASCII: the path may be echoed into a Location header.
    if !target.starts_with('/') || !target.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(400);
    }
    let target = target.split_once('#').map_or(target, |(t, _)| t);
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q.to_string())),
        None => (target, None),
    };
    Ok(Request { head_only, path: path.to_string(), query })
}

/// A complete response (event streams are written separately).
struct Response {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
}

impl Response {
    fn text(status: u16, body: &str) -> Response {
        let body = format!("{body}\n").into_bytes();
        Response { status, content_type: "text/plain; charset=utf-8", body, headers: Vec::new() }
    }

    /// A refusal; a 405 says which methods would do.
    fn error(status: u16) -> Response {
        let mut response = Response::text(status, reason(status));
        if status == 405 {
            response.headers.push(("Allow", "GET, HEAD".into()));
        }
        response
    }

    fn write_to(&self, stream: &mut impl Write, head_only: bool) -> io::Result<()> {
        let mut out = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        let _ = write!(out, "Content-Type: {}\r\nContent-Length: {}\r\n", self.content_type, self.body.len());
        for (name, value) in &self.headers {
            let _ = write!(out, "{name}: {value}\r\n");
        }
        out.push_str(
            "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        );
        let mut bytes = out.into_bytes();
        if !head_only {
            bytes.extend_from_slice(&self.body);
        }
        stream.write_all(&bytes)?;
        stream.flush()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        _ => "Internal Server Error",
    }
}

/// Every response except the event stream.
fn respond(request: &Request, shared: &Shared) -> Response {
    if request.path == LIVE_JS_PATH {
        let body = LIVE_JS.as_bytes().to_vec();
        return Response { status: 200, content_type: content_type("js"), body, headers: Vec::new() };
    }
    if request.path.starts_with(RESERVED_PREFIX) {
        return Response::error(404);
    }
    match resolve(&shared.root, &request.path, request.query.as_deref()) {
        Resolved::File(path) => match fs::read(&path) {
            Ok(body) => {
                let ext =
                    path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
                page(200, content_type(&ext), body, &shared.live)
            }
            Err(e) => {
                log::warn!("preview server: {e}");
                Response::text(500, "Internal Server Error: the file could not be read")
            }
        },
        Resolved::Redirect(location) => {
            let mut response = Response::text(301, &format!("Moved Permanently to {location}"));
            response.headers.push(("Location", location));
            response
        }
        Resolved::BadRequest => Response::error(400),
        Resolved::NotFound => not_found(shared),
    }
}

fn not_found(shared: &Shared) -> Response {
    let custom = inside(&shared.root, &shared.root.join("404.html")).filter(|p| fs::is_file(p));
    match custom.map(|p| fs::read(&p)) {
        Some(Ok(body)) => page(404, content_type("html"), body, &shared.live),
        _ => Response::error(404),
    }
}

/// A response with a file's bytes, the live reload script added to HTML.
fn page(status: u16, content_type: &'static str, body: Vec<u8>, live: &LiveReload) -> Response {
    let body = if content_type.starts_with("text/html") { inject(&body, &live.build_id()) } else { body };
    Response { status, content_type, body, headers: Vec::new() }
}

/// Adds the live reload script before the last `</body>`, or at the end when there is none.
fn inject(html: &[u8], build: &str) -> Vec<u8> {
    let tag = format!(r#"<script src="{LIVE_JS_PATH}" data-build="{build}"></script>"#);
    let at = html.windows(7).rposition(|w| w.eq_ignore_ascii_case(b"</body>")).unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn content_type(ext: &str) -> &'static str {
    match ext {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "xml" => "application/xml",
        "atom" => "application/atom+xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// Where a URL path leads.
#[derive(Debug, PartialEq, Eq)]
enum Resolved {
    File(PathBuf),
    Redirect(String),
    NotFound,
    BadRequest,
}

/// Maps a URL path (still percent-encoded) to a file inside `root`, which must be canonical.
///
/// Anything that could name a file outside `root` is refused before the path is joined, and
/// the joined path is checked again after symbolic links are resolved.
fn resolve(root: &Path, raw: &str, query: Option<&str>) -> Resolved {
    // `//host/x` is a scheme-relative URL to a browser: never echo it in a redirect.
    if raw.starts_with("//") {
        return Resolved::NotFound;
    }
    let Some(decoded) = percent_decode(raw).and_then(|b| String::from_utf8(b).ok()) else {
        return Resolved::BadRequest;
    };
    // Browsers read `/\` like `//`, and Windows reads `\` as a separator.
    if decoded.starts_with("//") || decoded.contains(['\\', '\0']) {
        return Resolved::NotFound;
    }
    let Some(rest) = decoded.strip_prefix('/') else { return Resolved::BadRequest };
    let folder_url = rest.is_empty() || rest.ends_with('/');
    let segments: Vec<&str> = rest.strip_suffix('/').unwrap_or(rest).split('/').collect();
    let mut joined = root.to_path_buf();
    if !rest.is_empty() {
        for segment in segments {
            // Exactly one plain name: no `.`, `..`, empty segment, or (on Windows) drive prefix.
            let mut parts = Path::new(segment).components();
            match (parts.next(), parts.next()) {
                (Some(Component::Normal(name)), None) if name == segment => joined.push(name),
                _ => return Resolved::NotFound,
            }
        }
    }
    let Some(real) = inside(root, &joined) else { return Resolved::NotFound };
    if fs::is_dir(&real) {
        if !folder_url {
            let query = query.map(|q| format!("?{q}")).unwrap_or_default();
            return Resolved::Redirect(format!("{raw}/{query}"));
        }
        return match inside(root, &real.join("index.html")) {
            Some(index) if fs::is_file(&index) => Resolved::File(index),
            _ => Resolved::NotFound,
        };
    }
    if folder_url || !fs::is_file(&real) {
        return Resolved::NotFound;
    }
    Resolved::File(real)
}

/// The real location of `path` if it exists and lies inside `root` (a link may lead out).
fn inside(root: &Path, path: &Path) -> Option<PathBuf> {
    fs::canonicalize(path).ok().filter(|real| real.starts_with(root))
}

/// Decodes `%XX` escapes; `None` when a `%` is not followed by two hex digits.
fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let digit = |at: usize| bytes.get(at).and_then(|&b| char::from(b).to_digit(16));
            let value = digit(i + 1)? * 16 + digit(i + 2)?;
            out.push(u8::try_from(value).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

fn sse_event(name: &str, data: &serde_json::Value) -> String {
    // serde_json writes compact JSON, escaping newlines in strings, so `data` is one line.
    format!("event: {name}\ndata: {data}\n\n")
}

/// Streams live reload events until the client goes away or the server stops.
fn stream_events(stream: &mut TcpStream, shared: &Shared, head_only: bool) -> io::Result<()> {
    // No Content-Length: the stream's body ends when the connection closes.
    stream.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
          X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
    )?;
    if head_only {
        close(stream);
        return Ok(());
    }
    let live = &shared.live;
    let (mut seen, hello) = {
        let state = live.lock();
        let mut hello = String::from("retry: 1000\n\n");
        hello.push_str(&sse_event("hello", &serde_json::json!({ "build": live.id(state.build) })));
        if let Some((_, message)) = &state.failure {
            hello.push_str(&sse_event("error", &serde_json::json!({ "message": message })));
        }
        (state.generation, hello)
    };
    stream.write_all(hello.as_bytes())?;
    loop {
        let message = {
            let stopped = || shared.shutdown.load(Ordering::SeqCst);
            let (state, _) = live
                .changed
                .wait_timeout_while(live.lock(), PING_INTERVAL, |s| s.generation == seen && !stopped())
                .unwrap_or_else(PoisonError::into_inner);
            if stopped() {
                return Ok(());
            }
            if state.generation == seen {
                ": ping\n\n".to_string()
            } else {
                let events = live.events_since(&state, seen);
                seen = state.generation;
                events
            }
        };
        stream.write_all(message.as_bytes())?;
    }
}

#[cfg(test)]
mod tests {
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
        let bare_newlines = request(f.server.addr(), "GET /style.css HTTP/1.0\nHost: x\n\n");
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
}
