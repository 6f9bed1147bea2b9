//! `casebook build`: builds the site once into its output folder and reports what it wrote.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use super::args::{SiteArgs, parse_now};
use super::terminal::{TerminalProgress, plural};

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Write the site here instead of public/ in the site folder.
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Use this base URL instead of the configuration's (for preview deployments).
    #[arg(long, value_name = "URL", value_parser = parse_base_url)]
    pub base_url: Option<String>,
    /// Include incidents marked `draft: true` (needs --output: drafts never go to public/).
    #[arg(long)]
    pub drafts: bool,
    /// Publish embargoes as if it were this moment (`2026-12-01T09:00:00Z` or `2026-12-01`),
    /// for deterministic and scheduled builds.
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub now: Option<i64>,
}

fn parse_base_url(text: &str) -> Result<String, String> {
    casebook::config::BaseUrl::parse(text).map(|_| text.to_string())
}

pub fn run(args: &BuildArgs, quiet: bool) -> casebook::Result<()> {
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
