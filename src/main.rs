//! The `casebook` command: parses arguments, calls the library, and owns the terminal.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};

/// Static site generator for incident reports.
#[derive(Debug, Parser)]
#[command(name = "casebook", version = env!("CASEBOOK_VERSION"), about, long_about = None, args_override_self = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print more about what casebook does (-v: info, -vv: debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the site into its output folder (public/ by default).
    #[command(
        after_help = "Examples:\n  casebook build\n  casebook build --root my-site --base-url https://incidents.example.org/\n  casebook build --drafts --output preview/\n  casebook build --now 2026-12-01T09:00:00Z   # as if it were then (embargoes)"
    )]
    Build(BuildArgs),
    /// Build, then rebuild on every change to content, templates, themes, static files or
    /// casebook.yaml, rewriting only the files that changed.
    #[command(after_help = "Examples:\n  casebook watch\n  casebook watch --drafts --output preview/")]
    Watch(BuildArgs),
    /// Preview the site in a browser: build into a preview folder (never public/), serve it,
    /// and reload open pages after each change.
    #[command(
        after_help = "Examples:\n  casebook serve\n  casebook serve --drafts --open\n  casebook serve --port 8080 --bind 0.0.0.0   # reachable from other machines"
    )]
    Serve(ServeArgs),
    /// Check the whole site without writing anything: every error a build would stop on,
    /// plus unknown keys, broken internal links, incidents without sources, future dates.
    #[command(after_help = "Examples:\n  casebook check\n  casebook check --format json > problems.json")]
    Check(CheckArgs),
    /// Create a new site: configuration, an example incident, .gitignore, a Pages workflow.
    #[command(
        after_help = "Examples:\n  casebook init my-incidents\n  casebook init --force   # add what is missing to the current folder"
    )]
    Init(InitArgs),
    /// Write a new incident file, with every field of the schema ready to fill.
    #[command(
        after_help = "Examples:\n  casebook new \"Ransomware at Springfield water utility\"\n  casebook new \"Outage of the mail gateway\" --date 2026-11"
    )]
    New(NewArgs),
    /// Convert existing incident records (cState, Markdown with front matter, VERIS JSON)
    /// into incident files.
    #[command(
        after_help = "Examples:\n  casebook import cstate ../status/content/issues/\n  casebook import frontmatter notes/*.md --map start_time=date --map company=victim.name\n  casebook import veris vcdb/data/json/validated/ --into content/vcdb/"
    )]
    Import(ImportArgs),
    /// Print shell completions: `casebook completions bash > /etc/bash_completion.d/casebook`.
    #[command(
        after_help = "Examples:\n  casebook completions bash > ~/.local/share/bash-completion/completions/casebook\n  casebook completions zsh > ~/.zfunc/_casebook\n  casebook completions fish > ~/.config/fish/completions/casebook.fish"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ImportFormat {
    /// cState (Hugo) status-page issues.
    Cstate,
    /// Any Markdown with YAML front matter; map keys with --map.
    Frontmatter,
    /// VERIS 1.3 JSON incidents.
    Veris,
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// The format of the sources.
    #[arg(value_enum)]
    format: ImportFormat,
    /// Files or folders to import.
    #[arg(required = true, value_name = "SOURCE")]
    sources: Vec<PathBuf>,
    /// Where to write incident files.
    #[arg(long, value_name = "DIR", default_value = "content")]
    into: PathBuf,
    /// Replace incident files that already exist.
    #[arg(long)]
    force: bool,
    /// For `frontmatter`: a source key and the casebook field it becomes, like
    /// `--map start_time=date --map company=victim.name` (repeatable).
    #[arg(long = "map", value_name = "FROM=TO", value_parser = parse_mapping)]
    map: Vec<(String, String)>,
    /// For `frontmatter`: a YAML file of `from: to` mappings.
    #[arg(long, value_name = "FILE")]
    map_file: Option<PathBuf>,
}

fn parse_mapping(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((from, to)) if !from.trim().is_empty() && !to.trim().is_empty() => {
            Ok((from.trim().to_string(), to.trim().to_string()))
        }
        _ => Err(format!("`{text}` is not FROM=TO, like `start_time=date`")),
    }
}

#[derive(Debug, Args)]
struct InitArgs {
    /// The folder to create the site in (default: the current folder).
    #[arg(value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// Add the missing files to a folder that is not empty (existing files are kept).
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Args)]
struct NewArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// The incident's title, e.g. "Ransomware at Springfield water utility".
    title: String,
    /// Its date: 2026-11-03, 2026-11 or 2026 (default: today, UTC).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    date: Option<String>,
}

#[derive(Debug, Args)]
struct CheckArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// How to print problems: `text` for people, `json` for CI.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Judge "in the future" as of this moment (`2026-12-01T09:00:00Z` or `2026-12-01`).
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    now: Option<i64>,
    /// Also request every external link (in bodies and sources) and report broken ones;
    /// needs network access.
    #[arg(long)]
    external: bool,
    /// With --external: seconds to wait for each link.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, requires = "external")]
    timeout: u64,
    /// With --external: requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 8, requires = "external")]
    jobs: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

/// Where the site is; shared by every command that works on a site.
#[derive(Debug, Args)]
struct SiteArgs {
    /// The site folder (holding content/ and, optionally, casebook.yaml).
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,
}

#[derive(Debug, Args)]
struct BuildArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Write the site here instead of public/ in the site folder.
    #[arg(short, long, value_name = "DIR")]
    output: Option<PathBuf>,
    /// Use this base URL instead of the configuration's (for preview deployments).
    #[arg(long, value_name = "URL", value_parser = parse_base_url)]
    base_url: Option<String>,
    /// Include incidents marked `draft: true` (needs --output: drafts never go to public/).
    #[arg(long)]
    drafts: bool,
    /// Publish embargoes as if it were this moment (`2026-12-01T09:00:00Z` or `2026-12-01`),
    /// for deterministic and scheduled builds.
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    now: Option<i64>,
}

#[derive(Debug, Args)]
struct ServeArgs {
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

fn parse_now(text: &str) -> Result<i64, String> {
    casebook::content::date::IncidentDate::parse(text).map(|d| d.sort_key())
}

// Checked while the arguments are parsed, so a mistyped value is a command-line mistake
// (exit status 2, with the usage), like any other.
fn parse_date(text: &str) -> Result<String, String> {
    casebook::content::date::IncidentDate::parse(text).map(|_| text.to_string())
}

fn parse_base_url(text: &str) -> Result<String, String> {
    casebook::config::BaseUrl::parse(text).map(|_| text.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => log::LevelFilter::Error,
        (_, 0) => log::LevelFilter::Warn,
        (_, 1) => log::LevelFilter::Info,
        _ => log::LevelFilter::Debug,
    };
    StderrLogger::install(level);
    let result = match &cli.command {
        Command::Build(args) => build(args, cli.quiet),
        Command::Check(args) => return check(args, cli.quiet),
        Command::Watch(args) => watch(args, cli.quiet),
        Command::Serve(args) => serve(args, cli.quiet),
        Command::Init(args) => init(args, cli.quiet),
        Command::New(args) => new(args, cli.quiet),
        Command::Import(args) => import(args, cli.quiet),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            // Into memory first: clap_complete panics if stdout closes early (`| head`).
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "casebook", &mut script);
            return print_stdout(&script);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let diagnostics = err.diagnostics();
            for d in diagnostics {
                eprintln!("error: {d}");
            }
            let problems = match diagnostics.len() {
                1 => String::new(),
                n => format!(" ({n} problems)"),
            };
            let outcome = match cli.command {
                Command::Build(_) => "build failed{problems}; the output folder was not changed",
                Command::Check(_) => "check failed{problems}",
                Command::Watch(_) => "watch stopped{problems}",
                Command::Serve(_) => "serve stopped{problems}",
                Command::Init(_) => "init failed{problems}",
                Command::New(_) => "new failed{problems}; no file was written",
                Command::Import(_) => "import failed{problems}",
                Command::Completions { .. } => "completions failed",
            };
            eprintln!("casebook: {}", outcome.replace("{problems}", &problems));
            ExitCode::FAILURE
        }
    }
}

fn build(args: &BuildArgs, quiet: bool) -> casebook::Result<()> {
    let options = casebook::BuildOptions {
        root: args.site.root.clone(),
        output: args.output.clone(),
        base_url: args.base_url.clone(),
        drafts: args.drafts,
        now: args.now,
        unversioned_assets: false,
    };
    let progress = TerminalProgress::new(!quiet && std::io::stderr().is_terminal());
    let report = casebook::build(&options, &progress)?;
    if report.up_to_date {
        if !quiet {
            eprintln!(
                "Up to date: nothing changed since the last build into {} ({:.2} s)",
                report.output.display(),
                report.elapsed.as_secs_f64()
            );
        }
        return Ok(());
    }
    if !quiet {
        for w in &report.warnings {
            eprintln!("warning: {w}");
        }
        let mut held = Vec::new();
        if report.drafts_skipped > 0 {
            held.push(format!("{} draft{}", report.drafts_skipped, plural(report.drafts_skipped)));
        }
        if let (Some(first), Some(last)) = (report.embargoed.first(), report.embargoed.last()) {
            let n = report.embargoed.len();
            let when = if first == last {
                format!("until {}", first.iso())
            } else {
                format!("the next until {}, the last until {}", first.iso(), last.iso())
            };
            held.push(format!("{n} under embargo, {when}"));
        }
        let drafts =
            if held.is_empty() { String::new() } else { format!(" (held back: {})", held.join("; ")) };
        let unchanged = match report.unchanged {
            0 => String::new(),
            n => format!(" ({n} unchanged, left as they were)"),
        };
        eprintln!(
            "Built {} incident{}{drafts}: {} pages and {} static files{unchanged} into {} in {:.2} s",
            report.incidents,
            plural(report.incidents),
            report.pages,
            report.static_files,
            report.output.display(),
            report.elapsed.as_secs_f64()
        );
    }
    Ok(())
}

fn watch(args: &BuildArgs, quiet: bool) -> casebook::Result<()> {
    let root = casebook::site::normalize_root(&args.site.root);
    let output = casebook::write::staging::resolve(&root, args.output.as_deref())?;
    if args.drafts {
        casebook::write::staging::refuse_drafts_in_public(&root, &output, "watch")?;
    }
    let session = casebook::preview::Session::new(casebook::preview::SessionOptions {
        root,
        output,
        base_url: args.base_url.clone(),
        drafts: args.drafts,
        now: args.now,
        unversioned_assets: false,
        show_internal: false,
    });
    preview_loop(session, quiet, |_| {})
}

fn serve(args: &ServeArgs, quiet: bool) -> casebook::Result<()> {
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

/// Builds, then rebuilds after each batch of changes until the watcher fails, printing one
/// line per rebuild. `after` hears of every outcome (the server tells browsers).
fn preview_loop(
    mut session: casebook::preview::Session,
    quiet: bool,
    mut after: impl FnMut(&casebook::Result<casebook::preview::RebuildReport>),
) -> casebook::Result<()> {
    let mut watcher = casebook::preview::Watcher::new(&session_root(&session), session.watched())?;
    let mut changed: Vec<PathBuf> = Vec::new();
    loop {
        let outcome = session.rebuild(&changed);
        print_rebuild(&changed, &outcome, quiet);
        after(&outcome);
        // Wake up when the next embargo ends, to publish it.
        let timeout = outcome.as_ref().ok().and_then(|r| r.embargoed.first()).map(|until| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            Duration::from_secs(until.sort_key().saturating_sub(now).max(1) as u64)
        });
        loop {
            changed = watcher.next_batch(timeout)?;
            if !changed.is_empty() || timeout.is_some() {
                break;
            }
        }
    }
}

fn session_root(session: &casebook::preview::Session) -> PathBuf {
    session.root().to_path_buf()
}

fn print_rebuild(
    changed: &[PathBuf],
    outcome: &casebook::Result<casebook::preview::RebuildReport>,
    quiet: bool,
) {
    // What the session took in, rather than every path the watcher saw (editors' temporary
    // files among them).
    let changed = match outcome {
        Ok(report) if !report.full => report.changed.as_slice(),
        _ => changed,
    };
    let what = match changed {
        [] => "build".to_string(),
        [one] => format!("{} changed", one.display()),
        [first, rest @ ..] => format!("{} and {} more changed", first.display(), rest.len()),
    };
    match outcome {
        Ok(report) => {
            if quiet {
                return;
            }
            for w in &report.warnings {
                eprintln!("warning: {w}");
            }
            let first = report
                .first_write
                .filter(|_| !report.full)
                .map(|d| format!("first file in {} ms, ", d.as_millis()))
                .unwrap_or_default();
            let removed = match report.removed.len() {
                0 => String::new(),
                n => format!(", {n} removed"),
            };
            eprintln!(
                "{what}: {} incident{}, {} page{} rendered, {} file{} written{removed} ({first}done in {} ms)",
                report.incidents,
                plural(report.incidents),
                report.rendered,
                plural(report.rendered),
                report.written.len(),
                plural(report.written.len()),
                report.elapsed.as_millis()
            );
        }
        Err(err) => {
            for d in err.diagnostics() {
                eprintln!("error: {d}");
            }
            eprintln!("{what}: rebuild failed; the last good build stays until this is fixed");
        }
    }
}

fn check(args: &CheckArgs, quiet: bool) -> ExitCode {
    let external = args.external.then(|| casebook::check::ExternalOptions {
        concurrency: args.jobs.max(1),
        timeout: Duration::from_secs(args.timeout.max(1)),
    });
    let options = casebook::check::CheckOptions { root: args.site.root.clone(), now: args.now, external };
    let report = match casebook::check::check(&options) {
        Ok(report) => report,
        Err(err) => {
            for d in err.diagnostics() {
                eprintln!("error: {d}");
            }
            return ExitCode::FAILURE;
        }
    };
    match args.format {
        Format::Json => match serde_json::to_string_pretty(&report.to_json()) {
            Ok(json) => {
                print_stdout(format!("{json}\n").as_bytes());
            }
            Err(e) => eprintln!("error: could not write the report as JSON: {e}"),
        },
        Format::Text => {
            for d in &report.errors {
                eprintln!("error: {d}");
            }
            if !quiet {
                for d in &report.warnings {
                    eprintln!("warning: {d}");
                }
            }
            if !quiet {
                let (e, w) = (report.errors.len(), report.warnings.len());
                eprintln!(
                    "Checked {} incident{}: {e} error{}, {w} warning{}",
                    report.incidents,
                    plural(report.incidents),
                    plural(e),
                    plural(w)
                );
            }
        }
    }
    if report.errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn init(args: &InitArgs, quiet: bool) -> casebook::Result<()> {
    let report = casebook::scaffold::init(&args.dir, args.force)?;
    if !quiet {
        for path in &report.written {
            eprintln!("created {}", path.display());
        }
        for path in &report.kept {
            eprintln!("kept    {} (it already exists)", path.display());
        }
        let root = args.dir.display();
        eprintln!(
            "Next: `casebook new \"Title of an incident\" --root {root}`, then `casebook build --root {root}`"
        );
        eprintln!(
            "To publish with GitHub Pages, set CASEBOOK_GIT in {root}/.github/workflows/pages.yml to the Git \
             repository to install casebook from"
        );
    }
    Ok(())
}

fn new(args: &NewArgs, quiet: bool) -> casebook::Result<()> {
    let root = &args.site.root;
    let config = casebook::Config::load(root)?;
    let today = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
    let date = args.date.as_deref().unwrap_or(&today);
    let path = casebook::scaffold::new_incident(root, &args.title, date, &config.theme)?;
    if quiet {
        return Ok(());
    }
    eprintln!("created {}", path.display());
    Ok(())
}

fn import(args: &ImportArgs, quiet: bool) -> casebook::Result<()> {
    use casebook::import::{Format, ImportOptions, Status};
    let mut map = args.map.clone();
    if let Some(file) = &args.map_file {
        let text = casebook::base::fs::read_to_string(file)?;
        let pairs: std::collections::BTreeMap<String, String> =
            serde_yaml::from_str(&text).map_err(|e| casebook::Diagnostic::from_yaml(&e, file, 1, &text))?;
        map.extend(pairs);
    }
    let format = match args.format {
        ImportFormat::Cstate => Format::Cstate,
        ImportFormat::Frontmatter => Format::Frontmatter,
        ImportFormat::Veris => Format::Veris,
    };
    let options = ImportOptions { into: args.into.clone(), force: args.force, map };
    let outcomes = casebook::import::import(format, &args.sources, &options)?;
    let (mut written, mut kept, mut skipped) = (0, 0, 0);
    for o in &outcomes {
        let target = o.target.as_ref().map(|t| t.display().to_string()).unwrap_or_default();
        let line = match o.status {
            Status::Written => {
                written += 1;
                format!("{} -> {target}", o.source.display())
            }
            Status::Exists => {
                kept += 1;
                format!("{} -> {target} (exists; kept, use --force to replace)", o.source.display())
            }
            Status::Skipped => {
                skipped += 1;
                format!("{}: skipped", o.source.display())
            }
        };
        if !quiet || o.status == Status::Skipped {
            eprintln!("{line}");
            for note in &o.notes {
                eprintln!("  {note}");
            }
        }
    }
    if !quiet {
        eprintln!("Imported {written} file{}, kept {kept} existing, skipped {skipped}", plural(written));
    }
    if skipped > 0 {
        return Err(casebook::Diagnostic::new(format!(
            "{skipped} source{} could not be imported",
            plural(skipped)
        ))
        .into());
    }
    Ok(())
}

/// Writes to standard output; a reader that stops early (`| head`) is not an error.
fn print_stdout(bytes: &[u8]) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("error: could not write to standard output: {e}");
            ExitCode::FAILURE
        }
        _ => ExitCode::SUCCESS,
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A one-line progress counter on stderr, for builds that take more than a moment.
struct TerminalProgress {
    enabled: bool,
    started: Instant,
    total: AtomicUsize,
    done: AtomicUsize,
    last_draw: Mutex<Option<Instant>>,
    stage: Mutex<String>,
}

impl TerminalProgress {
    /// Builds faster than this never show a progress line.
    const DELAY: Duration = Duration::from_millis(300);
    const INTERVAL: Duration = Duration::from_millis(100);

    fn new(enabled: bool) -> Self {
        TerminalProgress {
            enabled,
            started: Instant::now(),
            total: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            last_draw: Mutex::new(None),
            stage: Mutex::new(String::new()),
        }
    }
}

impl casebook::Progress for TerminalProgress {
    fn start(&self, stage: &str, total: usize) {
        *self.stage.lock().unwrap_or_else(|p| p.into_inner()) = stage.to_string();
        self.total.store(total, Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
    }

    fn advance(&self, n: usize) {
        let done = self.done.fetch_add(n, Ordering::Relaxed) + n;
        if !self.enabled || self.started.elapsed() < Self::DELAY {
            return;
        }
        // try_lock: a thread that would wait simply skips drawing this step.
        let Ok(mut last) = self.last_draw.try_lock() else { return };
        if last.is_some_and(|t| t.elapsed() < Self::INTERVAL) {
            return;
        }
        *last = Some(Instant::now());
        let total = self.total.load(Ordering::Relaxed).max(1);
        let stage = self.stage.lock().map(|s| s.clone()).unwrap_or_default();
        eprint!("\r\x1b[2K{stage} {done}/{total} ({}%)", done * 100 / total);
        let _ = std::io::stderr().flush();
    }

    fn finish(&self) {
        if self.enabled && self.last_draw.lock().is_ok_and(|l| l.is_some()) {
            eprint!("\r\x1b[2K");
        }
    }
}

/// Prints log records to stderr as `level: message`.
struct StderrLogger;

impl StderrLogger {
    fn install(level: log::LevelFilter) {
        static LOGGER: StderrLogger = StderrLogger;
        if log::set_logger(&LOGGER).is_ok() {
            log::set_max_level(level);
        }
    }
}

impl log::Log for StderrLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        // Other crates' messages (the file watcher's) are about their internals: only with -vv.
        let ours = metadata.target().starts_with("casebook");
        metadata.level() <= log::max_level() && (ours || log::max_level() >= log::LevelFilter::Debug)
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            eprintln!("{}: {}", record.level().as_str().to_lowercase(), record.args());
        }
    }

    fn flush(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_command_has_examples() {
        for sub in Cli::command().get_subcommands().filter(|s| s.get_name() != "help") {
            let help = sub.get_after_help().map(ToString::to_string).unwrap_or_default();
            assert!(help.starts_with("Examples:"), "{} has no examples", sub.get_name());
        }
    }

    #[test]
    fn completions_name_every_command() {
        let mut out = Vec::new();
        clap_complete::generate(clap_complete::Shell::Bash, &mut Cli::command(), "casebook", &mut out);
        let script = String::from_utf8(out).expect("UTF-8");
        for command in ["build", "check", "init", "new", "import"] {
            assert!(script.contains(command), "{command}");
        }
    }
}

// The system allocator serializes the many small allocations of parallel rendering; mimalloc
// keeps them per thread.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
