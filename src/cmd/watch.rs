//! `casebook watch`: builds, then rebuilds after every change; also the rebuild loop that
//! `casebook serve` shares, with its one line per rebuild.

use std::path::PathBuf;
use std::time::Duration;

use super::build::BuildArgs;
use super::terminal::{plural, print_errors};

pub fn run(args: &BuildArgs, quiet: bool) -> casebook::Result<()> {
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

/// Builds, then rebuilds after each batch of changes until the watcher fails, printing one
/// line per rebuild. `after` hears of every outcome (the server tells browsers).
pub fn preview_loop(
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
            print_errors(err.diagnostics());
            eprintln!("{what}: rebuild failed; the last good build stays until this is fixed");
        }
    }
}
