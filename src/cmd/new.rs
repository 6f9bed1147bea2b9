//! `casebook new`: writes a new incident file from the schema.

use clap::Args;

use super::args::SiteArgs;

#[derive(Debug, Args)]
pub struct NewArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// The incident's title, e.g. "Ransomware at Springfield water utility".
    title: String,
    /// Its date: 2026-11-03, 2026-11 or 2026 (default: today, UTC).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    date: Option<String>,
}

// Checked while the arguments are parsed, so a mistyped value is a command-line mistake
// (exit status 2, with the usage), like any other.
fn parse_date(text: &str) -> Result<String, String> {
    casebook::content::date::IncidentDate::parse(text).map(|_| text.to_string())
}

pub fn run(args: &NewArgs, quiet: bool) -> casebook::Result<()> {
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
