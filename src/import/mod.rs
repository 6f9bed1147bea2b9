//! `casebook import`: existing incident records turned into casebook incident files.
//!
//! Each format reads one source file into a [`Draft`] — front matter, body, and notes on what
//! was mapped, kept under `extra` or skipped — which is written only if it parses as a valid
//! incident; or into a [`Refusal`] saying why it cannot be. Output is a pure function of the
//! input, so re-running an import writes the same files; existing files are left alone unless
//! asked. The whole run comes back as a [`Report`], which the command prints: what was written,
//! what was refused and why (files missing the same field listed together), and every source
//! key kept under `extra`, counted once for the run rather than once per file.

mod cstate;
mod dates;
mod frontmatter;
mod updates;
mod veris;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use crate::base::error::{Diagnostic, Location};
use crate::base::fs;

/// The order of an imported file's keys: what the incident is, what happened, who and where,
/// how it unfolded and where it is told, then the site's own matters.
const ORDER: [&str; 23] = [
    "title",
    "date",
    "kind",
    "summary",
    "updated",
    "status",
    "resolved_at",
    "severity",
    "victim",
    "victims",
    "location",
    "impact",
    "motives",
    "actors",
    "techniques",
    "timeline",
    "sources",
    "iocs",
    "tags",
    "aliases",
    "slug",
    "draft",
    "embargo",
];

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
    /// The source keys kept under `extra`.
    pub kept: Vec<String>,
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
        self.kept.push(key.to_string());
    }

    /// The incident file's text. Its keys come in the order of the schema, whatever order the
    /// source had, so every imported file reads alike: what happened first, `extra` last.
    pub fn text(&self) -> String {
        let mut rest = self.front.clone();
        let mut front = Mapping::new();
        for key in ORDER {
            if let Some(value) = rest.shift_remove(key) {
                front.insert(key.into(), value);
            }
        }
        let extra = rest.shift_remove("extra");
        front.extend(rest);
        if let Some(extra) = extra {
            front.insert("extra".into(), extra);
        }
        let yaml = serde_yaml::to_string(&front).unwrap_or_default();
        format!("---\n{yaml}---\n{}", self.body.trim_start_matches('\n'))
    }
}

/// A field every incident needs, which a source has no value for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Missing {
    /// `title` or `date`.
    pub field: String,
    /// Where it was looked for, in order: source keys (`start_time`), or `the first heading`.
    pub tried: Vec<String>,
}

/// Why a source file was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Fields every incident needs have no value.
    Missing(Vec<Missing>),
    /// The source could not be read, or what it says cannot be taken without a guess: why.
    Invalid(Vec<String>),
}

impl Refusal {
    /// A refusal for one reason.
    pub fn because(why: impl Into<String>) -> Refusal {
        Refusal::Invalid(vec![why.into()])
    }
}

/// What happened to one source file.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The source file.
    pub source: PathBuf,
    /// The incident file written, or that would have been.
    pub target: Option<PathBuf>,
    /// `written`, `exists` (left alone) or `refused`.
    pub status: Status,
    /// What was mapped, kept and skipped.
    pub notes: Vec<String>,
    /// Why the file was refused.
    pub refusal: Option<Refusal>,
    /// The incident file's text, on a dry run (what would have been written).
    pub text: Option<String>,
}

/// The result for one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The incident file was written (or, on a dry run, would be).
    Written,
    /// An incident file of that name exists and `--force` was not given.
    Exists,
    /// The source could not be converted.
    Refused,
}

/// A whole import, for the command to print.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Each source file, in the order read.
    pub outcomes: Vec<Outcome>,
    /// Nothing was written.
    pub dry_run: bool,
    /// Each source key kept under `extra`, with the number of files it was kept from.
    pub kept: BTreeMap<String, usize>,
    /// Advice about the imported site (a field it has no pages for, …).
    pub hints: Vec<String>,
}

impl Report {
    /// How many sources ended with `status`.
    pub fn count(&self, status: Status) -> usize {
        self.outcomes.iter().filter(|o| o.status == status).count()
    }

    /// The files refused for missing fields, by what is missing: one list each, so that 28
    /// files without a date read as one problem, not 28.
    pub fn missing(&self) -> BTreeMap<&[Missing], Vec<&Path>> {
        let mut out: BTreeMap<&[Missing], Vec<&Path>> = BTreeMap::new();
        for o in &self.outcomes {
            if let Some(Refusal::Missing(fields)) = &o.refusal {
                out.entry(fields.as_slice()).or_default().push(&o.source);
            }
        }
        out
    }

    /// The files refused for any other reason, with the reasons.
    pub fn invalid(&self) -> impl Iterator<Item = (&Path, &[String])> {
        self.outcomes.iter().filter_map(|o| match &o.refusal {
            Some(Refusal::Invalid(why)) => Some((o.source.as_path(), why.as_slice())),
            _ => None,
        })
    }
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

/// One `--map`: the source keys that may give a field (the first present wins), and the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMap {
    /// Source keys, in order of preference: `start_time`, `source_published_at`.
    pub from: Vec<String>,
    /// The casebook field, a dotted path: `date`, `victim.name`, `sources`.
    pub to: String,
}

impl KeyMap {
    /// Reads `start_time,source_published_at=date`.
    pub fn parse(text: &str) -> Result<KeyMap, String> {
        let bad =
            || format!("`{text}` is not FROM=TO, like `start_time=date` or `start_time,published=date`");
        let (from, to) = text.split_once('=').ok_or_else(bad)?;
        let from: Vec<String> = from.split(',').map(|f| f.trim().to_string()).collect();
        let to = to.trim().to_string();
        if to.is_empty() || from.iter().any(String::is_empty) {
            return Err(bad());
        }
        Ok(KeyMap { from, to })
    }
}

/// Where a title comes from when the front matter has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TitleSource {
    /// The heading the body starts with, which is then removed from the body.
    Heading,
    /// The file name: `2021-06-03-aks-outage.md` gives `Aks outage`.
    FileName,
}

/// Options of an import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Where to write incident files.
    pub into: PathBuf,
    /// Replace incident files that exist.
    pub force: bool,
    /// For `frontmatter`: source keys to casebook fields (`start_time` → `date`).
    pub map: Vec<KeyMap>,
    /// For `frontmatter`: where titles come from when there is none, tried in order.
    pub title_from: Vec<TitleSource>,
    /// Write nothing; report what would be written.
    pub dry_run: bool,
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

/// The configuration of the site `into` belongs to (the nearest folder above it, or it,
/// holding `casebook.yaml`), or the defaults: imports are checked against the site's own
/// scales, and the report knows which fields have pages.
fn site_config(into: &Path) -> Result<crate::Config, Diagnostic> {
    for folder in into.ancestors() {
        let folder = if folder.as_os_str().is_empty() { Path::new(".") } else { folder };
        if fs::exists(&folder.join(crate::config::CONFIG_FILE)) {
            return crate::Config::load(folder);
        }
    }
    Ok(crate::Config::default())
}

/// Imports every source of `format` into `options.into`.
pub fn import(format: Format, paths: &[PathBuf], options: &ImportOptions) -> Result<Report, Diagnostic> {
    if format == Format::Frontmatter {
        frontmatter::check_targets(&options.map)?;
    }
    let extension = if format == Format::Veris { "json" } else { "md" };
    let config = site_config(&options.into)?;
    let schema = config.parse_settings();
    let mut report = Report { dry_run: options.dry_run, ..Report::default() };
    let mut names: HashSet<String> = HashSet::new();
    let mut with_victims = 0;
    for source in sources(paths, extension)? {
        let text = fs::read_to_string(&source)?;
        let converted = match format {
            Format::Cstate => cstate::convert(&source, &text),
            Format::Frontmatter => frontmatter::convert(&source, &text, options),
            Format::Veris => veris::convert(&source, &text).map_err(Refusal::because),
        };
        let refused = |source: PathBuf, target: Option<PathBuf>, refusal: Refusal, notes: Vec<String>| {
            Outcome { source, target, status: Status::Refused, notes, refusal: Some(refusal), text: None }
        };
        let mut draft = match converted {
            Ok(draft) => draft,
            Err(refusal) => {
                report.outcomes.push(refused(source, None, refusal, Vec::new()));
                continue;
            }
        };
        // Two sources of one date and title (a copy of a file, kept by mistake) must not
        // make one file: the second gets a number, the same on every run.
        if !names.insert(draft.file_name.clone()) {
            let stem = draft.file_name.trim_end_matches(".md").to_string();
            let free =
                (2..).map(|n| format!("{stem}-{n}.md")).find(|n| !names.contains(n)).unwrap_or_default();
            draft.notes.push(format!("another source also makes `{}`: named `{free}`", draft.file_name));
            names.insert(free.clone());
            draft.file_name = free;
        }
        let target = options.into.join(&draft.file_name);
        let text = draft.text();
        // Only what casebook accepts is written: an import never produces a broken site.
        if let Err(errors) = crate::content::incident::parse(&target, &draft.file_name, &text, &schema) {
            let mut why = vec!["the converted incident is not valid:".to_string()];
            why.extend(errors.iter().map(|e| e.message.clone()));
            report.outcomes.push(refused(source, Some(target), Refusal::Invalid(why), draft.notes));
            continue;
        }
        for key in &draft.kept {
            *report.kept.entry(key.clone()).or_default() += 1;
        }
        if draft.front.contains_key("victim") || draft.front.contains_key("victims") {
            with_victims += 1;
        }
        let status = if fs::exists(&target) && !options.force {
            Status::Exists
        } else if options.dry_run {
            Status::Written
        } else if options.force {
            fs::write(&target, text.as_bytes())?;
            Status::Written
        } else if fs::write_new(&target, text.as_bytes())? {
            Status::Written
        } else {
            Status::Exists
        };
        report.outcomes.push(Outcome {
            source,
            target: Some(target),
            status,
            notes: draft.notes,
            refusal: None,
            text: options.dry_run.then_some(text),
        });
    }
    let browsable = config.taxonomies.iter().any(|t| matches!(t.field(), "victims.name" | "victim.name"));
    if with_victims > 0 && !browsable {
        report.hints.push(format!(
            "{with_victims} incident{} name{} a victim, but the site has no pages for victims: add a taxonomy \
             to `taxonomies:` in casebook.yaml, such as `- {{name: victims, field: victims.name, title: Victims}}` \
             (with the default ones you keep)",
            if with_victims == 1 { "" } else { "s" },
            if with_victims == 1 { "s" } else { "" },
        ));
    }
    Ok(report)
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
    fn imported_files_write_every_known_key_in_schema_order() {
        let mut wanted: Vec<&str> = crate::content::incident::KNOWN_KEYS.to_vec();
        wanted.retain(|k| *k != "extra");
        let mut ordered = ORDER.to_vec();
        ordered.sort_unstable();
        wanted.sort_unstable();
        assert_eq!(ordered, wanted, "a key missing from ORDER would land among unknown ones");
        let mut draft = Draft::default();
        draft.set_path("extra.x", Value::from(1));
        draft.set("tags", Value::Sequence(vec![Value::from("t")]));
        draft.set("title", "T");
        assert_eq!(draft.text(), "---\ntitle: T\ntags:\n- t\nextra:\n  x: 1\n---\n");
    }

    #[test]
    fn key_maps_read_their_candidates() {
        assert_eq!(
            KeyMap::parse("start_time, source_published_at=date"),
            Ok(KeyMap { from: vec!["start_time".into(), "source_published_at".into()], to: "date".into() })
        );
        assert!(KeyMap::parse("=date").is_err());
        assert!(KeyMap::parse("a,,b=date").is_err());
        assert!(KeyMap::parse("date").is_err());
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
