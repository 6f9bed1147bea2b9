//! `casebook init`: creates a new site and says what to do next.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create the site in (default: the current folder).
    #[arg(value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// Add the missing files to a folder that is not empty (existing files are kept).
    #[arg(long)]
    force: bool,
}

pub fn run(args: &InitArgs, quiet: bool) -> casebook::Result<()> {
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
            "To publish with GitHub Pages, choose \"GitHub Actions\" as the repository's Pages source: \
             {root}/.github/workflows/pages.yml installs casebook {}",
            env!("CARGO_PKG_VERSION")
        );
    }
    Ok(())
}
