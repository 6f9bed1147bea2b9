//! `casebook import`: existing incident records turned into casebook incident files.
//!
//! Each format reads one source file into a [`Draft`] — front matter, body, and notes on what
//! was mapped, kept under `extra` or skipped — which is written only if it parses as a valid
//! incident. Output is a pure function of the input, so re-running an import writes the same
//! files; existing files are left alone unless asked.

mod cstate;
mod frontmatter;
mod veris;

use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use crate::base::error::{Diagnostic, Location};
use crate::base::fs;

/// An incident being converted.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// The file name to write, without folder: `2024-05-06-town-hall.md`.
    pub file_name: String,
    /// The front matter.
    pub front: Mapping,
    /// The Markdown body.
    pub body: String,
    /// What happened to each source field, for the report.
    pub notes: Vec<String>,
}

impl Draft {
    /// Sets a front matter key.
    pub fn set(&mut self, key: &str, value: impl Into<Value>) {
        self.front.insert(Value::from(key), value.into());
    }

    /// Sets a nested key (`victim.name`), creating the maps on the way.
    pub fn set_path(&mut self, path: &str, value: Value) {
        let mut map = &mut self.front;
        let steps: Vec<&str> = path.split('.').collect();
        for step in &steps[..steps.len() - 1] {
            let entry = map.entry(Value::from(*step)).or_insert_with(|| Value::Mapping(Mapping::new()));
            if !entry.is_mapping() {
                *entry = Value::Mapping(Mapping::new());
            }
            let Value::Mapping(inner) = entry else { return };
            map = inner;
        }
        map.insert(Value::from(steps[steps.len() - 1]), value);
    }

    /// Keeps a source field under `extra`, as written.
    pub fn keep(&mut self, key: &str, value: Value) {
        self.set_path(&format!("extra.{key}"), value);
        self.notes.push(format!("kept `{key}` under extra"));
    }

    /// The incident file's text.
    pub fn text(&self) -> String {
        let yaml = serde_yaml::to_string(&self.front).unwrap_or_default();
        format!("---\n{yaml}---\n{}", self.body.trim_start_matches('\n'))
    }
}

/// What happened to one source file.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The source file.
    pub source: PathBuf,
    /// The incident file written, or that would have been.
    pub target: Option<PathBuf>,
    /// `written`, `exists` (left alone) or `skipped`.
    pub status: Status,
    /// What was mapped, kept and skipped, or why the file was skipped.
    pub notes: Vec<String>,
}

/// The result for one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The incident file was written.
    Written,
    /// An incident file of that name exists and `--force` was not given.
    Exists,
    /// The source could not be converted.
    Skipped,
}

/// A supported source format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// cState (Hugo) status page issues.
    Cstate,
    /// Any Markdown with YAML front matter, with a key mapping.
    Frontmatter,
    /// VERIS 1.3 JSON.
    Veris,
}

/// Options of an import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Where to write incident files.
    pub into: PathBuf,
    /// Replace incident files that exist.
    pub force: bool,
    /// For `frontmatter`: source key to casebook field (`start_time` → `date`).
    pub map: Vec<(String, String)>,
}

fn sources(paths: &[PathBuf], extension: &str) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut files = Vec::new();
    for path in paths {
        if fs::is_dir(path) {
            files.extend(
                fs::files_under(path)?.into_iter().filter(|p| p.extension().is_some_and(|e| e == extension)),
            );
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// Imports every source of `format` into `options.into`.
pub fn import(
    format: Format,
    paths: &[PathBuf],
    options: &ImportOptions,
) -> Result<Vec<Outcome>, Diagnostic> {
    let extension = if format == Format::Veris { "json" } else { "md" };
    let schema = crate::Config::default().parse_settings();
    let mut outcomes = Vec::new();
    for source in sources(paths, extension)? {
        let text = fs::read_to_string(&source)?;
        let converted = match format {
            Format::Cstate => cstate::convert(&source, &text),
            Format::Frontmatter => frontmatter::convert(&source, &text, &options.map),
            Format::Veris => veris::convert(&source, &text),
        };
        let draft = match converted {
            Ok(draft) => draft,
            Err(why) => {
                outcomes.push(Outcome { source, target: None, status: Status::Skipped, notes: vec![why] });
                continue;
            }
        };
        let target = options.into.join(&draft.file_name);
        let text = draft.text();
        // Only what casebook accepts is written: an import never produces a broken site.
        if let Err(errors) = crate::content::incident::parse(&target, &draft.file_name, &text, &schema) {
            let mut notes = vec!["the converted incident is not valid:".to_string()];
            notes.extend(errors.iter().map(|e| e.message.clone()));
            outcomes.push(Outcome { source, target: Some(target), status: Status::Skipped, notes });
            continue;
        }
        let status = if options.force {
            fs::write(&target, text.as_bytes())?;
            Status::Written
        } else if fs::write_new(&target, text.as_bytes())? {
            Status::Written
        } else {
            Status::Exists
        };
        outcomes.push(Outcome { source, target: Some(target), status, notes: draft.notes });
    }
    Ok(outcomes)
}

/// A timestamp as casebook wants it: `2019-01-15 14:10:00` becomes `2019-01-15T14:10:00Z`
/// (other tools often write local times without an offset; they are taken as UTC), and dates
/// or RFC 3339 times are kept.
pub fn timestamp(text: &str) -> String {
    let t = text.trim().replacen(' ', "T", 1);
    let time = t.find('T').map_or("", |i| &t[i..]);
    let has_offset = t.ends_with(['Z', 'z']) || time.contains(['+', '-']);
    if t.len() > 10 && !has_offset { format!("{t}Z") } else { t }
}

/// A file name for a draft: `<date>-<slug>.md`, the slug from `name`.
pub fn file_name(date: &str, name: &str) -> String {
    // Only the calendar part of the date as written (`2019-01-15` of a full timestamp): the
    // date comes from a foreign file, and may be anything before it is validated.
    let day: String = date.chars().take(10).take_while(|c| c.is_ascii_digit() || *c == '-').collect();
    let date = if day.is_empty() { "undated" } else { day.trim_end_matches('-') };
    let slug = crate::base::slugify(name);
    let slug = if slug.is_empty() { "incident".to_string() } else { slug };
    let short: String = slug.split('-').take(8).collect::<Vec<_>>().join("-");
    format!("{date}-{short}.md")
}

/// An error for a source that cannot be read as its format.
pub fn unreadable(path: &Path, why: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::at(Location::file(path), format!("cannot import: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_get_an_offset_and_dates_stay() {
        assert_eq!(timestamp("2019-01-15 14:10:00"), "2019-01-15T14:10:00Z");
        assert_eq!(timestamp("2019-01-15T14:10:00+01:00"), "2019-01-15T14:10:00+01:00");
        assert_eq!(timestamp("2019-01-15T14:10:00-05:00"), "2019-01-15T14:10:00-05:00");
        assert_eq!(timestamp("2019-01-15"), "2019-01-15");
    }

    #[test]
    fn drafts_write_nested_keys_and_file_names() {
        let mut draft = Draft::default();
        draft.set("title", "T");
        draft.set_path("victim.name", Value::from("V"));
        draft.set_path("victim.sector", Value::from("S"));
        assert_eq!(draft.text(), "---\ntitle: T\nvictim:\n  name: V\n  sector: S\n---\n");
        assert_eq!(
            file_name("2024-01", "Ransomware at the Town Hall of Somewhere Quite Long Indeed"),
            "2024-01-ransomware-at-the-town-hall-of-somewhere-quite.md"
        );
    }

    #[test]
    fn file_names_take_only_the_calendar_part_of_any_date() {
        assert_eq!(file_name("2019-01-15T14:10:00Z", "T"), "2019-01-15-t.md");
        // Once a panic: the tenth byte fell inside a character.
        assert_eq!(file_name("2024-01-1éé 10:00", "T"), "2024-01-1-t.md");
        assert_eq!(file_name("../../etc", "T"), "undated-t.md");
        assert_eq!(file_name("", "T"), "undated-t.md");
    }
}
