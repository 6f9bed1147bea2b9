//! Argument pieces shared by several subcommands: the site folder and the `--now` moment.

use std::path::PathBuf;

use clap::Args;

/// Where the site is; shared by every command that works on a site.
#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The site folder (holding content/ and, optionally, casebook.yaml).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
}

pub fn parse_now(text: &str) -> Result<i64, String> {
    casebook::content::date::IncidentDate::parse(text).map(|d| d.sort_key())
}
