//! `casebook import`: converts existing incident records into incident files.

use std::path::PathBuf;

use clap::Args;

use super::terminal::plural;

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
pub struct ImportArgs {
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

pub fn run(args: &ImportArgs, quiet: bool) -> casebook::Result<()> {
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
