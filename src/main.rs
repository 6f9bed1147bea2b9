//! The `casebook` command: parses arguments, calls the library, and owns the terminal.
//!
//! This file holds the command line and the dispatch; each subcommand is a file of `cmd/`.

mod cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use cmd::build::BuildArgs;
use cmd::check::CheckArgs;
use cmd::import::ImportArgs;
use cmd::init::InitArgs;
use cmd::new::NewArgs;
use cmd::serve::ServeArgs;
use cmd::terminal::{StderrLogger, print_errors};

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
        after_help = "Examples:\n  casebook import cstate ../status/content/issues/ --dry-run\n  casebook import frontmatter notes/*.md --map start_time,published=date --map url=sources --map company=victim.name --title-from heading\n  casebook import veris vcdb/data/json/validated/ --into content/vcdb/"
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
        Command::Build(args) => cmd::build::run(args, cli.quiet),
        Command::Check(args) => return cmd::check::run(args, cli.quiet),
        Command::Watch(args) => cmd::watch::run(args, cli.quiet),
        Command::Serve(args) => cmd::serve::run(args, cli.quiet),
        Command::Init(args) => cmd::init::run(args, cli.quiet),
        Command::New(args) => cmd::new::run(args, cli.quiet),
        Command::Import(args) => cmd::import::run(args, cli.quiet),
        Command::Completions { shell } => return cmd::completions::run(*shell),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let diagnostics = err.diagnostics();
            print_errors(diagnostics);
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
