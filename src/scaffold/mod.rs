//! Starting fast: `casebook init` (a new site) and `casebook new` (a new incident file).
//!
//! The files they write are embedded from `src/scaffold/` (and the GitHub Pages workflow from
//! `docs/deploy/`). Neither command ever overwrites a file.

use std::path::{Path, PathBuf};

use crate::base::error::{Diagnostic, Location};
use crate::base::fs;
use crate::base::slugify;

const CONFIG: &str = include_str!("casebook.yaml");
const ARCHETYPE: &str = include_str!("incident.md");
const EXAMPLE: &str = include_str!("example.md");
const GITIGNORE: &str = include_str!("gitignore");
const PAGES_WORKFLOW: &str = include_str!("../../docs/deploy/github-pages.yml");

/// What `init` did.
#[derive(Debug, Clone, Default)]
pub struct InitReport {
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Files left alone because they already existed.
    pub kept: Vec<PathBuf>,
}

/// Creates a site in `dir`: configuration with every key commented, an example incident, an
/// empty `static/`, a `.gitignore` and a GitHub Pages workflow.
///
/// A folder that is not empty is refused unless `force`; even then, existing files are kept.
pub fn init(dir: &Path, force: bool) -> Result<InitReport, Diagnostic> {
    if fs::is_dir(dir) && !force {
        let entries = fs::entries(dir)?;
        if !entries.is_empty() {
            return Err(Diagnostic::at(
                Location::file(dir),
                "refusing to create a site in a folder that is not empty",
            )
            .with_help("choose an empty or new folder, or pass --force to add the missing files only"));
        }
    }
    let files: [(&str, &str); 5] = [
        ("casebook.yaml", CONFIG),
        ("content/example-incident.md", EXAMPLE),
        ("static/.gitkeep", ""),
        (".gitignore", GITIGNORE),
        (".github/workflows/pages.yml", PAGES_WORKFLOW),
    ];
    let mut report = InitReport::default();
    for (rel, text) in files {
        let path = dir.join(rel);
        if fs::write_new(&path, text.as_bytes())? {
            report.written.push(path);
        } else {
            report.kept.push(path);
        }
    }
    Ok(report)
}

/// A YAML double-quoted string holding `text`.
fn yaml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes `content/<date>-<slug>.md` for a new incident from the site's archetype
/// (`archetypes/incident.md`), the theme's, or the built-in one, with `{{ title }}` and
/// `{{ date }}` filled in. `date` is `2026-11-03` (or a month or year). Refuses to overwrite.
pub fn new_incident(root: &Path, title: &str, date: &str, theme: &str) -> Result<PathBuf, Diagnostic> {
    let title = title.trim();
    if title.is_empty() {
        return Err(Diagnostic::new("the new incident needs a title"));
    }
    let parsed = crate::content::date::IncidentDate::parse(date)
        .map_err(|why| Diagnostic::new(format!("--date: {why}")))?;
    let slug = slugify(title);
    if slug.is_empty() {
        return Err(Diagnostic::new(format!("cannot make a file name from the title `{title}`"))
            .with_help("use a title with letters or digits"));
    }
    let archetype =
        [root.join("archetypes/incident.md"), root.join("themes").join(theme).join("archetypes/incident.md")]
            .into_iter()
            .find(|p| fs::exists(p));
    let template = match &archetype {
        Some(path) => fs::read_to_string(path)?,
        None => ARCHETYPE.to_string(),
    };
    let text = template
        .replace("{{ title }}", &yaml_string(title))
        .replace("{{ date }}", &parsed.iso())
        .replace("{{ slug }}", &slug);
    let path = root.join(crate::site::CONTENT_DIR).join(format!("{}-{slug}.md", parsed.iso()));
    if !fs::write_new(&path, text.as_bytes())? {
        return Err(Diagnostic::at(Location::file(&path), "an incident file with this name already exists")
            .with_help("edit it, or choose another title or date"));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_become_safe_yaml() {
        assert_eq!(
            yaml_string("Ransomware: \"LockBit\" at C:\\"),
            "\"Ransomware: \\\"LockBit\\\" at C:\\\\\""
        );
    }

    #[test]
    fn the_built_in_archetype_parses_once_filled() {
        let text =
            ARCHETYPE.replace("{{ title }}", &yaml_string("A: title")).replace("{{ date }}", "2026-11-03");
        let schema = crate::Config::default().parse_settings();
        let parsed = crate::content::incident::parse(Path::new("content/x.md"), "x.md", &text, &schema)
            .expect("valid");
        assert_eq!(parsed.incident.title, "A: title");
        assert!(parsed.warnings.is_empty());
        assert!(
            !parsed.incident.content_html.contains("Notes for the team only"),
            "the internal note is removed"
        );
    }

    #[test]
    fn every_commented_field_of_the_archetype_is_valid_once_uncommented() {
        let filled = ARCHETYPE.replace("{{ title }}", "T").replace("{{ date }}", "2026-11-03");
        let (front, body) = filled.trim_start_matches("---\n").split_once("\n---\n").expect("front matter");
        let front: Vec<&str> = front.lines().map(|l| l.strip_prefix("# ").unwrap_or(l)).collect();
        let text = format!("---\n{}\n---\n{body}", front.join("\n"));
        let schema = crate::Config::default().parse_settings();
        let parsed = crate::content::incident::parse(Path::new("content/x.md"), "x.md", &text, &schema)
            .unwrap_or_else(|e| panic!("{e:?}\n{text}"));
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
        let incident = parsed.incident;
        assert!(incident.updated.is_some() && !incident.aliases.is_empty() && !incident.iocs.is_empty());
        assert_eq!(incident.slug, "springfield-ransomware");
    }

    #[test]
    fn the_example_incident_and_config_are_valid() {
        let schema = crate::Config::default().parse_settings();
        let parsed = crate::content::incident::parse(Path::new("content/e.md"), "e.md", EXAMPLE, &schema)
            .expect("valid");
        assert!(parsed.warnings.is_empty());
        crate::Config::parse(CONFIG, Path::new("casebook.yaml")).expect("valid configuration");
    }
}
