//! `casebook check`: checks the whole site without writing anything and prints the problems,
//! as text for people or JSON for CI.

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use super::args::{SiteArgs, parse_now};
use super::terminal::{plural, print_errors, print_stdout};

#[derive(Debug, Args)]
pub struct CheckArgs {
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

pub fn run(args: &CheckArgs, quiet: bool) -> ExitCode {
    let external = args.external.then(|| casebook::check::ExternalOptions {
        concurrency: args.jobs.max(1),
        timeout: Duration::from_secs(args.timeout.max(1)),
    });
    let options = casebook::check::CheckOptions { root: args.site.root.clone(), now: args.now, external };
    let report = match casebook::check::check(&options) {
        Ok(report) => report,
        Err(err) => {
            print_errors(err.diagnostics());
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
            print_errors(&report.errors);
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
