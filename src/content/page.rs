//! Pages that are not incidents: an About page, a methodology, a disclosure policy, a contact
//! page. Each is a Markdown file under `pages/` with a short front matter (only `title` is
//! required), published at `/<slug>/` through the theme's `page.html` or a template of its own.
//!
//! [`parse`] is a pure function of a file's path and text, like incidents' (and sharing their
//! body rendering: internal notes are removed, or shown in a preview that asks for them).

use std::path::{Path, PathBuf};

use crate::base::error::{Diagnostic, Location};
use crate::base::frontmatter::{self, Seg};
use crate::base::suggest;
use crate::base::{is_slug, slugify};
use crate::content::bundle::Attachment;
use crate::content::fields::Reader;
use crate::content::incident::{ParseSettings, file_slug_source};
use crate::content::markdown::{ImageSizes, TocEntry};

/// Front matter keys a page may have.
pub const KNOWN_KEYS: [&str; 8] =
    ["title", "slug", "template", "weight", "menu", "draft", "description", "extra"];

/// A loaded page: typed front matter and rendered Markdown.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The file, relative to the site root (as shown in messages): `pages/about.md`.
    pub path: PathBuf,
    /// The file, relative to `pages/`, with `/` separators.
    pub source: String,
    /// The address: `/<slug>/`.
    pub slug: String,
    /// Where the slug is set: the `slug:` line, or the file.
    pub slug_location: Location,
    /// Whether the slug comes from a `slug:` line (rather than the file's name).
    pub slug_written: bool,
    /// `title`.
    pub title: String,
    /// `template`: a template of the site or theme to render the page with, instead of
    /// `page.html`.
    pub template: Option<String>,
    /// Where `template` is written, for an error when the theme has no such template.
    pub template_location: Location,
    /// `weight`: pages are listed lightest first, those without one last.
    pub weight: Option<i64>,
    /// `menu`: the names of the menus the page asks to be listed in (`menu: main`, or a list).
    pub menu: Vec<String>,
    /// `draft`: left out of every output unless drafts are asked for.
    pub draft: bool,
    /// `description`, for `<meta name="description">` and the search.
    pub description: Option<String>,
    /// The rendered body.
    pub content_html: String,
    /// The body's headings.
    pub toc: Vec<TocEntry>,
    /// Words in the body.
    pub word_count: usize,
    /// The body's first paragraph as plain text: the description when none is given.
    pub first_paragraph_text: String,
    /// Link and image targets of the body, with the file line and column each is written at.
    pub links: Vec<(String, usize, usize)>,
    /// The files stored beside it, when it is a bundle (`pages/<name>/index.md`); filled by the
    /// site, which lists them.
    pub files: Vec<Attachment>,
    /// `extra`, as written.
    pub extra: serde_yaml::Mapping,
}

impl Page {
    /// The description to show: `description`, else the body's first paragraph.
    pub fn summary(&self) -> &str {
        self.description.as_deref().unwrap_or(&self.first_paragraph_text)
    }
}

/// A parsed page and the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The page.
    pub page: Page,
    /// Problems worth telling but not worth failing for (an unknown key).
    pub warnings: Vec<Diagnostic>,
}

/// Parses a page file: `path` as shown in messages, `source` relative to `pages/`, `images` the
/// sizes of the images stored beside it. Returns every problem of the file at once.
pub fn parse(
    path: &Path,
    source: &str,
    text: &str,
    settings: &ParseSettings,
    images: &ImageSizes,
) -> Result<Parsed, Vec<Diagnostic>> {
    // As for incidents: NULs and lone carriage returns made what every reader takes them for,
    // and deep flow collections refused before the YAML parser sees them.
    let normalized = frontmatter::normalize(text);
    let text: &str = &normalized;
    let split = crate::content::incident::split_front_matter(path, text)?;
    let mut fields = crate::content::incident::front_matter_map(path, &split)?;
    let mut r = Reader::new(path, split.yaml, split.yaml_line);
    let k = |key: &'static str| [Seg::Key(key)];
    if fields.get("draft").is_some_and(serde_yaml::Value::is_null) {
        // As on incidents: left empty, it would publish what the writer meant to hold back.
        r.error_with_help(
            &k("draft"),
            "has no value, so nothing would hold the page back",
            "write `draft: true` to hold the page back, or remove the line",
        );
    }
    let mut take = |key: &str| fields.shift_remove(key).filter(|v| !v.is_null());
    let title = r.text(take("title"), &k("title"));
    let slug_value = r.text(take("slug"), &k("slug"));
    let template = r.text(take("template"), &k("template"));
    let weight = match take("weight") {
        None => None,
        Some(serde_yaml::Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
        Some(_) => {
            r.error(&k("weight"), "must be a whole number, like `10` (lighter pages come first)");
            None
        }
    };
    let menu = match take("menu") {
        None => Vec::new(),
        Some(serde_yaml::Value::String(name)) => {
            let name = name.trim().to_string();
            if name.is_empty() { Vec::new() } else { vec![name] }
        }
        Some(list @ serde_yaml::Value::Sequence(_)) => r.text_list(Some(list), &k("menu")),
        Some(_) => {
            r.error_with_help(
                &k("menu"),
                "must be the name of a menu, or a list of names",
                "write `menu: main`, or `menu: [main, footer]`",
            );
            Vec::new()
        }
    };
    let draft = match take("draft") {
        None => false,
        Some(serde_yaml::Value::Bool(b)) => b,
        Some(_) => {
            r.error(&k("draft"), "must be `true` or `false`");
            false
        }
    };
    let description = r.text(take("description"), &k("description"));
    let extra = match take("extra") {
        None => serde_yaml::Mapping::new(),
        Some(serde_yaml::Value::Mapping(m)) => m,
        Some(_) => {
            r.error_with_help(
                &k("extra"),
                "must be a map of your own fields",
                "indent your fields under it, like `extra:` then `  contact: security@example.org`",
            );
            serde_yaml::Mapping::new()
        }
    };
    let template_location = r.location(&k("template"));
    let slug_location = r.location(&k("slug"));

    let mut errors = std::mem::take(&mut r.errors);
    if let Some(e) = crate::content::internal::in_front_matter(split.yaml) {
        errors.push(e.located(path, split.yaml_line));
    }
    let title = match title {
        Some(t) => t,
        None => {
            if !errors.iter().any(|e| e.message.starts_with("`title`")) {
                // Pointed at the opening `---`, the block it belongs in.
                let at = Location::at(path, split.yaml_line.saturating_sub(1).max(1), 1);
                errors.push(
                    Diagnostic::at(at, "missing `title` in front matter")
                        .with_help("add a line like `title: About this site`"),
                );
            }
            String::new()
        }
    };
    let slug = match slug_value.as_deref() {
        Some(s) if is_slug(s) => s.to_string(),
        Some(s) => {
            let suggestion = slugify(s);
            let mut d = Diagnostic::at(
                slug_location.clone(),
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
            let s = slugify(&file_slug_source(source));
            if s.is_empty() {
                errors.push(
                    Diagnostic::at(Location::file(path), "cannot make a URL slug from the file name")
                        .with_help("rename the file or add a `slug:` line"),
                );
            }
            s
        }
    };
    let mut warnings = Vec::new();
    for (key, _) in fields.iter() {
        let name = key.as_str().map_or_else(|| format!("{key:?}"), str::to_string);
        let location = match frontmatter::locate(split.yaml, &[Seg::Key(&name)]) {
            Some((line, _)) => Location::at(path, split.yaml_line + line, 1),
            None => Location::file(path),
        };
        let warning = Diagnostic::at(location, format!("unknown front matter key `{name}`"));
        warnings.push(match suggest::closest(&name, KNOWN_KEYS.iter().copied()) {
            Some(close) => warning.with_help(format!("did you mean `{close}`?")),
            None => warning.with_help(format!(
                "a page knows {}; custom fields belong under `extra:`",
                KNOWN_KEYS.map(|k| format!("`{k}`")).join(", ")
            )),
        });
    }
    if !errors.is_empty() {
        errors.sort_by(|a, b| a.location.cmp(&b.location));
        return Err(errors);
    }
    let body = crate::content::body::render(path, split.body, split.body_line, settings, images)?;
    let slug_written = slug_value.is_some();
    Ok(Parsed {
        page: Page {
            path: path.to_path_buf(),
            source: source.to_string(),
            slug,
            slug_location: if slug_written { slug_location } else { Location::file(path) },
            slug_written,
            title,
            template,
            template_location,
            weight,
            menu,
            draft,
            description,
            content_html: body.html,
            toc: body.toc,
            word_count: body.word_count,
            first_paragraph_text: body.first_paragraph_text,
            links: body.links,
            files: Vec::new(),
            extra,
        },
        warnings,
    })
}

/// Pages in the order menus and the search list them: by `weight` (pages without one last),
/// then by title, then by slug, so the order never depends on file order.
pub fn sort(pages: &mut [std::sync::Arc<Page>]) {
    pages.sort_by(|a, b| {
        let weight = |p: &Page| (p.weight.is_none(), p.weight);
        weight(a).cmp(&weight(b)).then_with(|| a.title.cmp(&b.title)).then_with(|| a.slug.cmp(&b.slug))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Parsed, Vec<Diagnostic>> {
        parse(Path::new("pages/about.md"), "about.md", text, &ParseSettings::default(), &ImageSizes::new())
    }

    fn errors(text: &str) -> Vec<String> {
        parse_text(text).expect_err("invalid page").iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_page_needs_only_a_title() {
        let page = parse_text("---\ntitle: About us\n---\nWe write up incidents.\n").expect("valid").page;
        assert_eq!((page.title.as_str(), page.slug.as_str()), ("About us", "about"));
        assert_eq!(page.summary(), "We write up incidents.");
        assert_eq!((page.weight, page.menu.len(), page.draft, page.template), (None, 0, false, None));
        assert!(page.content_html.contains("<p>We write up incidents.</p>"));
    }

    #[test]
    fn every_key_is_read() {
        let text = "---\ntitle: Method\nslug: how-we-work\ntemplate: methodology.html\nweight: -2\nmenu: main\ndraft: true\ndescription: How we write.\nextra:\n  owner: Ana\n---\n## Sources\n";
        let page = parse_text(text).expect("valid").page;
        assert_eq!(page.slug, "how-we-work");
        assert_eq!(page.slug_location, Location::at("pages/about.md", 3, 7));
        assert_eq!(page.template.as_deref(), Some("methodology.html"));
        assert_eq!(page.template_location, Location::at("pages/about.md", 4, 11));
        assert_eq!((page.weight, page.draft), (Some(-2), true));
        assert_eq!(page.menu, ["main"]);
        assert_eq!(page.summary(), "How we write.");
        assert_eq!(page.toc[0].id, "sources");
        assert_eq!(page.extra.get("owner").and_then(|v| v.as_str()), Some("Ana"));
        let listed = parse_text("---\ntitle: T\nmenu: [main, footer]\n---\n").expect("valid").page;
        assert_eq!(listed.menu, ["main", "footer"]);
    }

    #[test]
    fn problems_are_located() {
        assert_eq!(
            errors("---\ndescription: x\n---\nBody\n"),
            [
                "pages/about.md:1:1: missing `title` in front matter\n  help: add a line like `title: About this site`"
            ]
        );
        assert_eq!(
            errors("---\ntitle: T\nweight: heavy\nmenu: {a: 1}\ndraft: ~\nslug: Über uns\n---\n"),
            [
                "pages/about.md:3:9: `weight` must be a whole number, like `10` (lighter pages come first)",
                "pages/about.md:4:7: `menu` must be the name of a menu, or a list of names\n  help: write `menu: main`, or `menu: [main, footer]`",
                "pages/about.md:5:8: `draft` has no value, so nothing would hold the page back\n  help: write `draft: true` to hold the page back, or remove the line",
                "pages/about.md:6:7: `slug: Über uns` is not a valid slug: use lowercase ASCII letters, digits and single dashes\n  help: write `slug: uber-uns`",
            ]
        );
    }

    #[test]
    fn unknown_keys_warn_with_the_keys_a_page_knows() {
        let parsed = parse_text("---\ntitle: T\ntemplat: x.html\ndate: 2024\n---\n").expect("valid");
        let w: Vec<String> = parsed.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            w[0],
            "pages/about.md:3:1: unknown front matter key `templat`\n  help: did you mean `template`?"
        );
        assert!(w[1].starts_with(
            "pages/about.md:4:1: unknown front matter key `date`\n  help: a page knows `title`"
        ));
    }

    #[test]
    fn internal_notes_are_removed_and_refused_in_front_matter() {
        let page = parse_text("---\ntitle: T\n---\nPublic.\n\n<!-- internal -->call Ana<!-- /internal -->\n")
            .expect("ok")
            .page;
        assert!(!page.content_html.contains("Ana"), "{}", page.content_html);
        let e = errors("---\ntitle: T <!-- internal -->x<!-- /internal -->\n---\n");
        assert!(e[0].starts_with("pages/about.md:2:"), "{e:?}");
    }

    #[test]
    fn a_bundle_is_named_after_its_folder() {
        let parsed = parse(
            Path::new("pages/team/index.md"),
            "team/index.md",
            "---\ntitle: Team\n---\n![us](us.png)\n",
            &ParseSettings::default(),
            &ImageSizes::from([("us.png".to_string(), (40, 30))]),
        )
        .expect("valid");
        assert_eq!(parsed.page.slug, "team");
        assert!(parsed.page.content_html.contains("width=\"40\" height=\"30\" loading=\"lazy\""));
    }

    #[test]
    fn pages_sort_by_weight_then_title() {
        let page = |title: &str, weight: Option<i64>| {
            let mut p = parse_text(&format!("---\ntitle: {title}\n---\n")).expect("valid").page;
            p.weight = weight;
            p.slug = slugify(title);
            std::sync::Arc::new(p)
        };
        let mut pages =
            vec![page("Zeta", None), page("Beta", Some(5)), page("Alpha", None), page("Gamma", Some(-1))];
        sort(&mut pages);
        let titles: Vec<&str> = pages.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["Gamma", "Beta", "Alpha", "Zeta"]);
    }
}
