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
//! build error on top of the last good page until a rebuild succeeds, as the rebuild loop
//! reports through [`LiveReload`].

use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::base::error::Diagnostic;
use crate::base::fs;

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
    /// The generation of the last failure cleared by a rebuild that changed no file (the fix
    /// brought back the last good output, so tabs drop the overlay and keep their page).
    cleared_at: u64,
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
        self.change(|s, at| {
            s.build += 1;
            s.pages_at = at;
            s.failure = None;
            true
        });
    }

    /// Only stylesheets changed: tabs re-fetch their stylesheets without reloading; clears the
    /// overlay.
    pub fn stylesheets(&self) {
        self.change(|s, at| {
            s.build += 1;
            s.styles_at = at;
            s.failure = None;
            true
        });
    }

    /// A rebuild succeeded without changing any file: the pages tabs show are current, so only
    /// the error overlay goes (a fix that restores the last good text writes nothing). Without
    /// a failure to clear there is nothing to tell.
    pub fn unchanged(&self) {
        self.change(|s, at| {
            if s.failure.take().is_none() {
                return false;
            }
            s.cleared_at = at;
            true
        });
    }

    /// A rebuild failed: tabs show `message` (plain text, may be multi-line, e.g.
    /// "content/x.md:3:7: expected a date\n  help: ...") in an overlay and keep the page.
    ///
    /// The message already shown is not news: one save can reach the rebuild loop as two
    /// batches (the write, then the editor touching the file's metadata), each rebuild failing
    /// alike, and tabs must not get the same error once per batch.
    pub fn failed(&self, message: &str) {
        self.change(|s, at| {
            if s.failure.as_ref().is_some_and(|(_, shown)| shown == message) {
                return false;
            }
            s.failure = Some((at, message.to_string()));
            true
        });
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

    /// Applies `update`, which is given the generation the change will have and says whether
    /// anything changed; only then is the generation bumped and every stream woken.
    fn change(&self, update: impl FnOnce(&mut State, u64) -> bool) {
        let mut state = self.lock();
        let at = state.generation + 1;
        if !update(&mut state, at) {
            return;
        }
        state.generation = at;
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
        // Either also drops the overlay, so a failure cleared meanwhile needs no `clear`.
        if state.pages_at > seen {
            out.push_str(&sse_event("reload", &build));
        } else if state.styles_at > seen {
            out.push_str(&sse_event("css", &build));
        } else if state.cleared_at > seen {
            out.push_str(&sse_event("clear", &build));
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
    /// The address listened on: the only one, with the loopback names, that requests may name
    /// in `Host` (see [`host_allowed`]).
    bound: SocketAddr,
}

/// Binds and starts serving in background threads. Port 0 picks a free port.
///
/// A bind failure is a diagnostic naming the address, with the operating system's error as
/// its cause.
pub fn start(options: &ServeOptions, live: Arc<LiveReload>) -> Result<Server, Diagnostic> {
    let root = served_root(&options.folder)?;
    bind(options.addr)?.spawn(root, live)
}

/// A socket listening, not answering yet: [`bind`] then [`Bound::serve`] when the folder
/// served depends on the address (`casebook serve` names its preview folder after it).
#[derive(Debug)]
pub struct Bound {
    listener: TcpListener,
    addr: SocketAddr,
}

/// Listens on `addr` (port 0 picks a free port) without serving anything yet.
///
/// A bind failure is a diagnostic naming the address, with the operating system's error as
/// its cause.
pub fn bind(addr: SocketAddr) -> Result<Bound, Diagnostic> {
    let listener = TcpListener::bind(addr).map_err(|e| {
        Diagnostic::new(format!("could not listen on {addr}"))
            .caused_by(e.to_string())
            .with_help("choose another port with --port, or another address with --bind")
    })?;
    let bound = listener.local_addr().map_err(|e| {
        Diagnostic::new(format!("could not find the address listened on for {addr}")).caused_by(e.to_string())
    })?;
    Ok(Bound { listener, addr: bound })
}

impl Bound {
    /// The address listened on (with the port picked when port 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Starts serving `folder` in background threads.
    pub fn serve(self, folder: &Path, live: Arc<LiveReload>) -> Result<Server, Diagnostic> {
        let root = served_root(folder)?;
        self.spawn(root, live)
    }

    fn spawn(self, root: PathBuf, live: Arc<LiveReload>) -> Result<Server, Diagnostic> {
        let Bound { listener, addr } = self;
        let shared = Arc::new(Shared { root, live, shutdown: AtomicBool::new(false), bound: addr });
        let for_thread = Arc::clone(&shared);
        let accept = std::thread::Builder::new()
            .name("casebook-accept".into())
            .spawn(move || accept_loop(&listener, &for_thread))
            .map_err(|e| Diagnostic::new("could not start the preview server").caused_by(e.to_string()))?;
        log::debug!("serving {} on http://{addr}/", shared.root.display());
        Ok(Server { addr, shared, accept: Some(accept) })
    }
}

/// The canonical form of the folder to serve, which must be one.
fn served_root(folder: &Path) -> Result<PathBuf, Diagnostic> {
    let root = fs::canonicalize(folder)?;
    if !fs::is_dir(&root) {
        return Err(Diagnostic::new(format!("cannot serve {}: it is not a folder", folder.display())));
    }
    Ok(root)
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
    /// The `Host` header, when sent.
    host: Option<String>,
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
        // Before anything of the site, the event stream included: see `host_allowed`.
        Ok(request) if !host_allowed(request.host.as_deref(), shared.bound) => {
            log::debug!("preview server: refused a request for host {:?}", request.host);
            (Response::error(403), request.head_only)
        }
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
    let mut host = None;
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':').ok_or(400u16)?;
        // A name with spaces, or a line starting with one (the obsolete line folding), is
        // malformed and could be read differently by a proxy in front of us.
        if name.is_empty() || name.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(400);
        }
        // Two `Host` headers could be read either way: refused, as HTTP says.
        if name.eq_ignore_ascii_case("host") && host.replace(value.trim().to_string()).is_some() {
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
    Ok(Request { head_only, path: path.to_string(), query, host })
}

/// Whether a request naming `host` in its `Host` header may be answered by a server listening
/// on `bound`: `localhost`, `127.0.0.1`, `[::1]` and the address listened on, each with any
/// port or none.
///
/// This defeats DNS rebinding: a web page at `attacker.example` makes its name resolve to
/// 127.0.0.1, and the browser then lets the page read the preview (drafts, internal notes) as
/// its own origin. The browser still names the attacker's host in `Host`, which is refused. An
/// IP address cannot be rebound, so when listening on every address (`--bind 0.0.0.0`, for
/// other machines to reach the preview at this machine's address, which the server does not
/// know), any IP address is answered, and names still only if `localhost`. The port is not
/// compared: a tunnel (`ssh -L 8080:localhost:1111`) forwards another one, and rebinding does
/// not depend on it. A request without `Host` (HTTP/1.0, a script) is answered: browsers
/// always send one.
fn host_allowed(host: Option<&str>, bound: SocketAddr) -> bool {
    let Some(host) = host else { return true };
    let (name, port) = if let Some(bracketed) = host.strip_prefix('[') {
        let Some((inside, rest)) = bracketed.split_once(']') else { return false };
        match rest {
            "" => (inside, None),
            _ => match rest.strip_prefix(':') {
                Some(port) => (inside, Some(port)),
                None => return false,
            },
        }
    } else {
        match host.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        }
    };
    if port.is_some_and(|p| p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    // An IPv6 address only in brackets, as URLs write it.
    let ip: Option<IpAddr> = if host.starts_with('[') {
        name.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
    } else {
        name.parse::<Ipv4Addr>().ok().map(IpAddr::V4)
    };
    ip.is_some_and(|ip| {
        ip == IpAddr::V4(Ipv4Addr::LOCALHOST)
            || ip == IpAddr::V6(Ipv6Addr::LOCALHOST)
            || ip == bound.ip()
            || bound.ip().is_unspecified()
    })
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
        403 => "Forbidden",
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
mod tests;
