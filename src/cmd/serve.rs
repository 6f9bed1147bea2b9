//! `casebook serve`: builds into a preview folder, serves it over HTTP and reloads open pages
//! after each rebuild.

use clap::Args;

use super::args::{SiteArgs, parse_now};
use super::watch::preview_loop;

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// The port to listen on (0 picks a free one).
    #[arg(short, long, default_value_t = 1111)]
    port: u16,
    /// The address to listen on. Anything but a loopback address makes the preview (drafts
    /// included) reachable from other machines.
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Include incidents marked `draft: true`.
    #[arg(long)]
    drafts: bool,
    /// Open the site in the default browser.
    #[arg(long)]
    open: bool,
    /// Publish embargoes as if it were this moment (`2026-12-01T09:00:00Z` or `2026-12-01`).
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    now: Option<i64>,
}

pub fn run(args: &ServeArgs, quiet: bool) -> casebook::Result<()> {
    use casebook::preview::server;
    let root = casebook::site::normalize_root(&args.site.root);
    let live = server::LiveReload::new();
    // Listening first: the preview folder is named after the address, and a port already taken
    // must not touch the folder of the serve that holds it.
    let bound = server::bind(std::net::SocketAddr::new(args.bind, args.port))?;
    let addr = bound.addr();
    let preview = casebook::preview::Preview { addr, drafts: args.drafts, now: args.now };
    let folder = casebook::preview::preview_folder(&root, &preview)?;
    // Held until the command ends: dropping it stops the server.
    let _server = bound.serve(folder.path(), live.clone())?;
    let host =
        if addr.ip().is_unspecified() { format!("localhost:{}", addr.port()) } else { addr.to_string() };
    let url = format!("http://{host}/");
    if !quiet {
        eprintln!("Serving {} at {url} from {} (Ctrl-C to stop)", site_name(&root), folder.path().display());
    }
    if !addr.ip().is_loopback() {
        eprintln!(
            "warning: listening on {}: other machines on the network can read this preview{}",
            addr.ip(),
            if args.drafts { ", drafts included" } else { "" }
        );
    }
    let session = casebook::preview::Session::new(casebook::preview::SessionOptions {
        root,
        output: folder.path().to_path_buf(),
        base_url: Some(url.clone()),
        drafts: args.drafts,
        now: args.now,
        unversioned_assets: true,
        show_internal: true,
    });
    let mut opened = !args.open;
    preview_loop(session, quiet, move |outcome| {
        match outcome {
            Ok(report) if report.stylesheets_only() => live.stylesheets(),
            // Nothing to reload, but a failure before this rebuild is over.
            Ok(report) if report.written.is_empty() && report.removed.is_empty() => live.unchanged(),
            Ok(_) => live.reload(),
            Err(err) => {
                let text: Vec<String> = err.diagnostics().iter().map(|d| format!("error: {d}")).collect();
                live.failed(&text.join("\n"));
            }
        }
        if !opened {
            opened = true;
            open_browser(&url);
        }
    })
}

fn site_name(root: &std::path::Path) -> String {
    if root.as_os_str().is_empty() { "the site".to_string() } else { root.display().to_string() }
}

/// Opens `url` in the default browser, without waiting for it.
fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        vec!["open", url]
    } else if cfg!(windows) {
        vec!["cmd", "/C", "start", "", url]
    } else {
        vec!["xdg-open", url]
    };
    let spawned = std::process::Command::new(command[0])
        .args(&command[1..])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let url = url.to_string();
    match spawned {
        // The opener exits once the browser is started; a failure (no browser, no display)
        // shows only in its status, which is waited for aside so the preview is not held up.
        Ok(mut child) => {
            std::thread::spawn(move || match child.wait() {
                Ok(status) if !status.success() => {
                    eprintln!("warning: could not open a browser ({status}); open {url} yourself");
                }
                _ => {}
            });
        }
        Err(e) => eprintln!("warning: could not open a browser ({e}); open {url} yourself"),
    }
}
