//! `casebook import`: converts existing incident records into incident files.

use std::path::PathBuf;

use clap::Args;

use casebook::import::KeyMap;

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
    /// For `frontmatter`: source keys and the casebook field they become, like
    /// `--map start_time=date --map company=victim.name --map url=sources` (repeatable). Several
    /// keys, comma-separated, are tried in order: `--map start_time,published=date`.
    #[arg(long = "map", value_name = "FROM=TO", value_parser = KeyMap::parse)]
    map: Vec<KeyMap>,
    /// For `frontmatter`: a YAML file of `from: to` mappings.
    #[arg(long, value_name = "FILE")]
    map_file: Option<PathBuf>,
    /// For `frontmatter`: where a missing title comes from, tried in order: `heading` (the
    /// body's first heading, removed from the body), `filename`.
    #[arg(long, value_name = "FROM", value_delimiter = ',')]
    title_from: Vec<TitleFrom>,
    /// Write nothing: print the files that would be written (on standard output) and every
    /// problem.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TitleFrom {
    /// The heading the body starts with.
    Heading,
    /// The file name, without a leading date.
    Filename,
}

/// Alternatives as people write them: `a, b or c`.
fn listed(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

pub fn run(args: &ImportArgs, quiet: bool) -> casebook::Result<()> {
    use casebook::import::{Format, ImportOptions, Status, TitleSource};
    let mut map = args.map.clone();
    if let Some(file) = &args.map_file {
        let text = casebook::base::fs::read_to_string(file)?;
        let pairs: std::collections::BTreeMap<String, String> =
            serde_yaml::from_str(&text).map_err(|e| casebook::Diagnostic::from_yaml(&e, file, 1, &text))?;
        for (from, to) in pairs {
            let rule = KeyMap::parse(&format!("{from}={to}"))
                .map_err(|e| casebook::Diagnostic::at(casebook::Location::file(file), e))?;
            map.push(rule);
        }
    }
    if args.format != ImportFormat::Frontmatter && (!map.is_empty() || !args.title_from.is_empty()) {
        return Err(casebook::Diagnostic::new(
            "--map, --map-file and --title-from are for `frontmatter` imports",
        )
        .with_help("cstate and veris sources have fields of their own, mapped as README.md describes")
        .into());
    }
    let format = match args.format {
        ImportFormat::Cstate => Format::Cstate,
        ImportFormat::Frontmatter => Format::Frontmatter,
        ImportFormat::Veris => Format::Veris,
    };
    let title_from = args
        .title_from
        .iter()
        .map(|t| match t {
            TitleFrom::Heading => TitleSource::Heading,
            TitleFrom::Filename => TitleSource::FileName,
        })
        .collect();
    let options =
        ImportOptions { into: args.into.clone(), force: args.force, map, title_from, dry_run: args.dry_run };
    let report = casebook::import::import(format, &args.sources, &options)?;
    let would = if report.dry_run { "would write " } else { "" };
    let mut stdout = String::new();
    for o in &report.outcomes {
        let target = o.target.as_ref().map(|t| t.display().to_string()).unwrap_or_default();
        let line = match o.status {
            Status::Written => format!("{} -> {would}{target}", o.source.display()),
            Status::Exists => {
                format!("{} -> {target} (exists; kept, use --force to replace)", o.source.display())
            }
            // Refused files are listed together at the end, where they are not buried.
            Status::Refused => continue,
        };
        if !quiet {
            eprintln!("{line}");
            for note in &o.notes {
                eprintln!("  {note}");
            }
        }
        if let Some(text) = &o.text {
            stdout.push_str(&format!("==> {target} <==\n{text}\n"));
        }
    }
    if !stdout.is_empty() {
        super::terminal::print_stdout(stdout.as_bytes());
    }
    if !report.kept.is_empty() && !quiet {
        let keys: Vec<String> =
            report.kept.iter().map(|(key, n)| format!("`{key}` ({n} file{})", plural(*n))).collect();
        let how = if args.format == ImportFormat::Frontmatter {
            " (--map FROM=TO makes fields of them)"
        } else {
            ""
        };
        eprintln!("kept under extra{how}: {}", keys.join(", "));
    }
    let refused = report.count(Status::Refused);
    if refused > 0 {
        eprintln!("refused {refused} file{}:", plural(refused));
        for (missing, files) in report.missing() {
            let what: Vec<String> = missing
                .iter()
                .map(|m| {
                    let tried: Vec<String> = m
                        .tried
                        .iter()
                        .map(|t| if t.starts_with("the ") { t.clone() } else { format!("`{t}`") })
                        .collect();
                    format!("no `{}` (looked for {})", m.field, listed(&tried))
                })
                .collect();
            eprintln!("  {} in {} file{}:", what.join(" and "), files.len(), plural(files.len()));
            for file in files {
                eprintln!("    {}", file.display());
            }
        }
        for (file, why) in report.invalid() {
            eprintln!("  {}: {}", file.display(), why.join("\n    "));
        }
    }
    for hint in &report.hints {
        eprintln!("hint: {hint}");
    }
    let (written, kept) = (report.count(Status::Written), report.count(Status::Exists));
    let summary = if report.dry_run {
        format!(
            "Dry run: would import {written}, refused {refused}, kept {kept} existing; nothing was written"
        )
    } else {
        format!("Imported {written}, refused {refused}, kept {kept} existing")
    };
    if !quiet || refused > 0 {
        eprintln!("{summary}");
    }
    if refused > 0 {
        return Err(casebook::Diagnostic::new(format!(
            "{refused} source{} could not be imported",
            plural(refused)
        ))
        .into());
    }
    Ok(())
}
