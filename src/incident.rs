//! One incident: its front matter checked and typed, and its Markdown rendered.
//!
//! [`parse`] is a pure function of a file's path and text, so the preview server can re-read a
//! single changed file without touching the rest of the site.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::date::IncidentDate;
use crate::error::{Diagnostic, Location};
use crate::frontmatter;
use crate::markdown::{self, TocEntry};
use crate::slug::{is_slug, slugify};
use crate::suggest;

/// Front matter keys casebook knows, besides the configured taxonomies (`tags` by default).
pub const KNOWN_KEYS: [&str; 7] = ["title", "date", "summary", "updated", "draft", "slug", "extra"];

/// A loaded incident: typed front matter and rendered Markdown.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// The file, relative to the site root (as shown in messages): `content/2023/x.md`.
    pub path: PathBuf,
    /// The file, relative to `content/`, with `/` separators.
    pub source: String,
    /// The URL segment: `/incidents/<slug>/`.
    pub slug: String,
    /// The line of the `slug:` key, when the slug was set in front matter (not the file name).
    pub slug_line: Option<usize>,
    /// `title`.
    pub title: String,
    /// `date`, at the precision written.
    pub date: IncidentDate,
    /// `updated`.
    pub updated: Option<IncidentDate>,
    /// `draft`.
    pub draft: bool,
    /// The summary as HTML: `summary` rendered, else the body's first paragraph.
    pub summary_html: String,
    /// The summary as plain text.
    pub summary_text: String,
    /// Whether the summary came from front matter (rather than the body's first paragraph).
    pub summary_given: bool,
    /// The rendered body.
    pub content_html: String,
    /// The body's headings.
    pub toc: Vec<TocEntry>,
    /// Words in the body.
    pub word_count: usize,
    /// Taxonomy terms by taxonomy name, in the order written, without duplicates.
    pub terms: BTreeMap<String, Vec<String>>,
    /// `extra`, as written.
    pub extra: serde_yaml::Mapping,
    /// Unknown top-level keys, as written.
    pub other: serde_yaml::Mapping,
}

/// A parsed incident and the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The incident.
    pub incident: Incident,
    /// Problems worth telling but not worth failing for (an unknown key).
    pub warnings: Vec<Diagnostic>,
}

/// Parses an incident file.
///
/// `path` is the file as shown in messages, `source` the file relative to `content/`, and
/// `taxonomies` the names of the site's taxonomies (front matter keys holding lists of terms).
/// Returns every problem of the file at once, not just the first.
pub fn parse(
    path: &Path,
    source: &str,
    text: &str,
    taxonomies: &[String],
) -> Result<Parsed, Vec<Diagnostic>> {
    let split = frontmatter::split(text)
        .map_err(|e| vec![Diagnostic::at(Location::at(path, 1, 1), e.message()).with_help(e.help())])?;
    let keys = frontmatter::top_level_keys(split.yaml);
    let at_key = |key: &str| match keys.iter().find(|k| k.key == key) {
        Some(k) => Location::at(path, split.yaml_line + k.line, k.value_column),
        None => Location::file(path),
    };
    let yaml_is_blank = split.yaml.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
    // One untyped parse, then typing by hand: as fast as YAML parsing gets, and every field
    // error is located at its key and worded for incident writers rather than by serde.
    let mut fields: serde_yaml::Mapping = if yaml_is_blank {
        serde_yaml::Mapping::new()
    } else {
        serde_yaml::from_str(split.yaml)
            .map_err(|e| vec![Diagnostic::from_yaml(&e, path, split.yaml_line)])?
    };
    let mut take = |key: &str| fields.shift_remove(key).filter(|v| !v.is_null());

    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let text_field = |key: &str, value: Option<serde_yaml::Value>, errors: &mut Vec<Diagnostic>| match value {
        None => None,
        Some(serde_yaml::Value::String(s)) => Some(s),
        Some(serde_yaml::Value::Number(n)) => Some(n.to_string()),
        Some(_) => {
            errors.push(Diagnostic::at(at_key(key), format!("`{key}` must be text")));
            None
        }
    };

    let title = match text_field("title", take("title"), &mut errors).as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => t.to_string(),
        Some(_) => {
            errors.push(Diagnostic::at(at_key("title"), "`title` is empty"));
            String::new()
        }
        None => {
            if !errors.iter().any(|e| e.message.starts_with("`title`")) {
                errors.push(
                    Diagnostic::at(Location::file(path), "missing `title` in front matter")
                        .with_help("add a line like `title: Ransomware at the town hall`"),
                );
            }
            String::new()
        }
    };
    let date = match take("date") {
        Some(value) => date_field(&value, "date", &at_key("date"), &mut errors),
        None => {
            errors.push(
                Diagnostic::at(Location::file(path), "missing `date` in front matter")
                    .with_help("add a line like `date: 2023-07-24` (or `2023-07`, or `2023`)"),
            );
            None
        }
    };
    let updated = take("updated").and_then(|v| date_field(&v, "updated", &at_key("updated"), &mut errors));
    let summary = text_field("summary", take("summary"), &mut errors);
    let draft = match take("draft") {
        None => false,
        Some(serde_yaml::Value::Bool(b)) => b,
        Some(_) => {
            errors.push(Diagnostic::at(at_key("draft"), "`draft` must be `true` or `false`"));
            false
        }
    };
    let extra = match take("extra") {
        None => serde_yaml::Mapping::new(),
        Some(serde_yaml::Value::Mapping(m)) => m,
        Some(_) => {
            errors.push(
                Diagnostic::at(at_key("extra"), "`extra` must be a map of your own fields")
                    .with_help("indent your fields under it, like `extra:` then `  reviewer: Jane`"),
            );
            serde_yaml::Mapping::new()
        }
    };
    let slug_value = text_field("slug", take("slug"), &mut errors);
    let slug_line =
        slug_value.as_ref().and(keys.iter().find(|k| k.key == "slug")).map(|k| split.yaml_line + k.line);
    let slug = match slug_value.as_deref() {
        Some(s) if is_slug(s) => s.to_string(),
        Some(s) => {
            let suggestion = slugify(s);
            let mut d = Diagnostic::at(
                at_key("slug"),
                format!(
                    "`slug: {s}` is not a valid slug: use lowercase ASCII letters, digits and single dashes"
                ),
            );
            if !suggestion.is_empty() {
                d = d.with_help(format!("write `slug: {suggestion}`"));
            }
            errors.push(d);
            String::new()
        }
        None => {
            let stem = path.file_stem().map(|s| s.to_string_lossy()).unwrap_or_default();
            let s = slugify(&stem);
            if s.is_empty() {
                errors.push(
                    Diagnostic::at(Location::file(path), "cannot make a URL slug from the file name")
                        .with_help("rename the file or add a `slug:` line"),
                );
            }
            s
        }
    };

    let mut other = serde_yaml::Mapping::new();
    let mut terms = BTreeMap::new();
    for taxonomy in taxonomies {
        let value = fields.shift_remove(taxonomy.as_str()).unwrap_or_default();
        match terms_field(taxonomy, value, at_key(taxonomy)) {
            Ok(list) => {
                for name in &list {
                    if slugify(name).is_empty() {
                        errors.push(Diagnostic::at(
                            at_key(taxonomy),
                            format!(
                                "`{taxonomy}` value `{name}` has no letters or digits to make a URL from"
                            ),
                        ));
                    }
                }
                terms.insert(taxonomy.clone(), list);
            }
            Err(e) => errors.push(e),
        }
    }

    // What is left is unknown to casebook: kept for templates, and worth a warning.
    for (key, value) in fields {
        let name = match &key {
            serde_yaml::Value::String(s) => s.clone(),
            other => serde_yaml::to_string(other).unwrap_or_default().trim().to_string(),
        };
        let location = match keys.iter().find(|k| k.key == name) {
            Some(k) => Location::at(path, split.yaml_line + k.line, 1),
            None => Location::file(path),
        };
        let known = KNOWN_KEYS.iter().copied().chain(taxonomies.iter().map(String::as_str));
        let warning = Diagnostic::at(location, format!("unknown front matter key `{name}`"));
        warnings.push(match suggest::closest(&name, known) {
            Some(close) => warning.with_help(format!("did you mean `{close}`?")),
            None => warning.with_help(
                "custom fields belong under `extra:`; this one is kept for templates as `incident.other`",
            ),
        });
        other.insert(key, value);
    }

    let (Some(date), true) = (date, errors.is_empty()) else {
        return Err(errors);
    };
    let rendered = markdown::render(split.body);
    let (summary_html, summary_text, summary_given) = match summary.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => {
            let (html, text) = markdown::render_short(s);
            (html, text, true)
        }
        _ => (rendered.first_paragraph_html, rendered.first_paragraph_text, false),
    };
    Ok(Parsed {
        incident: Incident {
            path: path.to_path_buf(),
            source: source.to_string(),
            slug,
            slug_line,
            title,
            date,
            updated,
            draft,
            summary_html,
            summary_text,
            summary_given,
            content_html: rendered.html,
            toc: rendered.toc,
            word_count: rendered.word_count,
            terms,
            extra,
            other,
        },
        warnings,
    })
}

fn date_field(
    value: &serde_yaml::Value,
    key: &str,
    location: &Location,
    errors: &mut Vec<Diagnostic>,
) -> Option<IncidentDate> {
    let text = match value {
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Number(n) => n.to_string(),
        _ => {
            errors.push(Diagnostic::at(
                location.clone(),
                format!("`{key}` must be a date like `2023-07-24`, `2023-07` or `2023`"),
            ));
            return None;
        }
    };
    IncidentDate::parse(&text)
        .map_err(|why| errors.push(Diagnostic::at(location.clone(), format!("`{key}`: {why}"))))
        .ok()
}

/// A taxonomy's terms: a list of names (or nothing). A single name is the common mistake, so
/// the help shows it as a list.
fn terms_field(key: &str, value: serde_yaml::Value, location: Location) -> Result<Vec<String>, Diagnostic> {
    let help = match &value {
        serde_yaml::Value::String(s) => format!("write `{key}: [{s}]`"),
        _ => format!("write `{key}: [first, second]`"),
    };
    match serde_yaml::from_value::<Option<Vec<String>>>(value) {
        Ok(list) => Ok(dedup_terms(list.unwrap_or_default())),
        Err(_) => Err(Diagnostic::at(location, format!("`{key}` must be a list of names")).with_help(help)),
    }
}

/// Trims term names and drops empty ones and repeats (by slug, so `Ransomware` and
/// `ransomware` are one term), keeping the first spelling.
fn dedup_terms(names: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names
        .into_iter()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty() && seen.insert(slugify(n)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags() -> Vec<String> {
        vec!["tags".to_string()]
    }

    fn ok(text: &str) -> Parsed {
        parse(Path::new("content/x.md"), "x.md", text, &tags()).expect("valid incident")
    }

    fn errors(text: &str) -> Vec<String> {
        parse(Path::new("content/x.md"), "x.md", text, &tags())
            .expect_err("invalid incident")
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn parses_a_complete_incident() {
        let p = ok(
            "---\ntitle: Ransomware at Angoulême\ndate: 2023-07\nsummary: Town *offline*.\ntags: [ransomware, France, ransomware]\nslug: angouleme\nextra:\n  note: hi\n---\n## What happened\n\nA click.\n",
        );
        let i = p.incident;
        assert_eq!(i.title, "Ransomware at Angoulême");
        assert_eq!(i.date.display(), "July 2023");
        assert_eq!(i.slug, "angouleme");
        assert_eq!(i.summary_html, "<p>Town <em>offline</em>.</p>\n");
        assert_eq!(i.terms["tags"], ["ransomware", "France"]);
        assert_eq!(i.toc[0].id, "what-happened");
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn slug_comes_from_the_file_name_and_summary_from_the_body() {
        let p = parse(
            Path::new("content/Angoulême 2023.md"),
            "Angoulême 2023.md",
            "---\ntitle: A\ndate: 2023\n---\nFirst.\n\nSecond.\n",
            &tags(),
        )
        .expect("valid");
        assert_eq!(p.incident.slug, "angouleme-2023");
        assert_eq!(p.incident.summary_text, "First.");
    }

    #[test]
    fn reports_every_problem_of_a_file_with_positions() {
        let e = errors("---\nsummary: x\nupdated: 2023-02-30\nslug: ../../etc\n---\n");
        assert_eq!(
            e,
            [
                "content/x.md: missing `title` in front matter\n  help: add a line like `title: Ransomware at the town hall`",
                "content/x.md: missing `date` in front matter\n  help: add a line like `date: 2023-07-24` (or `2023-07`, or `2023`)",
                "content/x.md:3:10: `updated`: `2023-02-30` is not a valid date: February 2023 has 28 days",
                "content/x.md:4:7: `slug: ../../etc` is not a valid slug: use lowercase ASCII letters, digits and single dashes\n  help: write `slug: etc`",
            ]
        );
    }

    #[test]
    fn yaml_errors_point_at_the_file_line() {
        let e = errors("---\ntitle: A\ndate: 2023\ntags: [a, b\n---\n");
        assert_eq!(e.len(), 1);
        assert!(e[0].starts_with("content/x.md:5:1: invalid YAML:"), "{}", e[0]);
        let e = errors("---\ntitle: A\ndate: 2023\ntags: ransomware\n---\n");
        assert_eq!(
            e[0],
            "content/x.md:4:7: `tags` must be a list of names\n  help: write `tags: [ransomware]`"
        );
    }

    #[test]
    fn unknown_keys_warn_with_a_suggestion_and_are_kept() {
        let p = ok("---\ntitle: A\ndate: 2023\ntittle: B\nseverity: high\n---\n");
        let w: Vec<String> = p.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            w[0],
            "content/x.md:4:1: unknown front matter key `tittle`\n  help: did you mean `title`?"
        );
        assert!(
            w[1].starts_with("content/x.md:5:1: unknown front matter key `severity`\n  help: custom fields")
        );
        assert_eq!(p.incident.other.get("severity").and_then(|v| v.as_str()), Some("high"));
    }

    #[test]
    fn configured_taxonomies_read_their_own_key() {
        let taxonomies = vec!["tags".to_string(), "sectors".to_string()];
        let p = parse(
            Path::new("c/x.md"),
            "x.md",
            "---\ntitle: A\ndate: 2023\nsectors: [health]\n---\n",
            &taxonomies,
        )
        .expect("valid");
        assert_eq!(p.incident.terms["sectors"], ["health"]);
        assert!(p.warnings.is_empty());
        let e =
            parse(Path::new("c/x.md"), "x.md", "---\ntitle: A\ndate: 2023\nsectors: 3\n---\n", &taxonomies)
                .expect_err("not a list");
        assert_eq!(
            e[0].to_string(),
            "c/x.md:4:10: `sectors` must be a list of names\n  help: write `sectors: [first, second]`"
        );
    }

    #[test]
    fn wrongly_typed_fields_are_located() {
        let e = errors("---\ntitle: [a, b]\ndate: 2023\ndraft: yes please\nextra: 3\n---\n");
        assert_eq!(
            e,
            [
                "content/x.md:2:8: `title` must be text",
                "content/x.md:4:8: `draft` must be `true` or `false`",
                "content/x.md:5:8: `extra` must be a map of your own fields\n  help: indent your fields under it, like `extra:` then `  reviewer: Jane`",
            ]
        );
        // A number is fine as text: some titles are years.
        assert_eq!(ok("---\ntitle: 1984\ndate: 2023\n---\n").incident.title, "1984");
    }

    #[test]
    fn tags_are_unknown_when_not_a_taxonomy() {
        let p = parse(Path::new("c/x.md"), "x.md", "---\ntitle: A\ndate: 2023\ntags: [a]\n---\n", &[])
            .expect("valid");
        assert_eq!(p.warnings.len(), 1);
        assert!(!p.warnings[0].to_string().contains("did you mean"), "{}", p.warnings[0]);
    }

    #[test]
    fn missing_and_unclosed_front_matter() {
        assert!(errors("# Just markdown\n")[0].starts_with("content/x.md:1:1: missing front matter"));
        assert!(errors("---\ntitle: A\n")[0].starts_with("content/x.md:1:1: unclosed front matter"));
    }

    #[test]
    fn empty_front_matter_reports_both_required_keys() {
        assert_eq!(errors("---\n---\n").len(), 2);
    }
}
