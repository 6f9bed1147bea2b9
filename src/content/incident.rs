//! One incident: its front matter checked and typed, and its Markdown rendered.
//!
//! [`parse`] is a pure function of a file's path and text, so the preview server can re-read a
//! single changed file without touching the rest of the site.

use std::path::{Path, PathBuf};

use crate::base::error::{Diagnostic, Location};
use crate::base::frontmatter::{self, Seg};
use crate::base::suggest;
use crate::base::{is_slug, slugify};
use crate::content::date::IncidentDate;
use crate::content::fields::{Actor, Event, Impact, Ioc, Kind, Place, Reader, Source, Technique, Victim};
use crate::content::markdown::{self, ImageSizes, TocEntry};

/// Front matter keys casebook knows (see docs/incident-schema.md).
pub const KNOWN_KEYS: [&str; 24] = [
    "title",
    "date",
    "kind",
    "summary",
    "updated",
    "draft",
    "slug",
    "tags",
    "extra",
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
    "embargo",
    "aliases",
];

/// What parsing needs to know of the site: its scales, and the top-level keys its own
/// taxonomies read (which are then not "unknown").
#[derive(Debug, Clone, Default)]
pub struct ParseSettings {
    /// Allowed `severity` values, lowest first.
    pub severities: Vec<String>,
    /// Allowed `status` values.
    pub statuses: Vec<String>,
    /// Top-level keys that taxonomies read besides the known ones (`sectors`, `vendors`).
    pub custom_keys: Vec<String>,
    /// How Markdown becomes HTML.
    pub markdown: markdown::Settings,
    /// The path of `base_url` (`/` or `/sub/`), which aliases may be written with.
    pub base_path: String,
    /// Show internal notes highlighted in the incident's page instead of removing them: for
    /// the local preview only. Summaries, feeds, the search index and exports never have them.
    pub show_internal: bool,
}

/// The front matter and body of a content file (incident or page), or the located reason
/// there is none.
pub(crate) fn split_front_matter<'t>(
    path: &Path,
    text: &'t str,
) -> Result<frontmatter::Split<'t>, Vec<Diagnostic>> {
    frontmatter::split(text)
        .map_err(|e| vec![Diagnostic::at(Location::at(path, 1, 1), e.message()).with_help(e.help())])
}

/// The keys of a content file's front matter, untyped: as fast as YAML parsing gets, and the
/// callers then type each field by hand, so every field error is located at its key and
/// worded for writers rather than by serde. Flow collections nested too deep are refused
/// before the parser, whose time grows with the square of the nesting.
pub(crate) fn front_matter_map(
    path: &Path,
    split: &frontmatter::Split<'_>,
) -> Result<serde_yaml::Mapping, Vec<Diagnostic>> {
    if let Some((line, column)) = frontmatter::too_deep_flow(split.yaml) {
        let at = Location::at(path, split.yaml_line + line, column);
        return Err(vec![
            Diagnostic::at(at, frontmatter::FLOW_TOO_DEEP)
                .with_help("front matter holds what pages show: write this value flatter, or leave it out"),
        ]);
    }
    if split.yaml.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        return Ok(serde_yaml::Mapping::new());
    }
    serde_yaml::from_str(split.yaml)
        .map_err(|e| vec![Diagnostic::from_yaml(&e, path, split.yaml_line, split.yaml)])
}

/// Puts a timeline in order: by day (a month or year before the days in it), and the events
/// with a time of day by their moment, in the places they hold within their day. An event
/// known only to the day is not at midnight: it keeps its place among that day's events as
/// written. An instant's day is its day in UTC, so instants are in order across days too,
/// whatever offsets they were written with. The sort is stable.
fn sort_timeline(timeline: &mut [Event]) {
    use crate::content::date::Precision;
    timeline.sort_by_key(|e| e.at.day_key());
    let mut start = 0;
    while start < timeline.len() {
        let day = timeline[start].at.day_key();
        let end = start + timeline[start..].iter().take_while(|e| e.at.day_key() == day).count();
        // The timed events of the day, sorted among themselves in the places they hold; they
        // are nearly always in order already, and then nothing is moved.
        let timed = |i: &usize| timeline[*i].at.precision() == Precision::Datetime;
        let in_order = (start..end).filter(timed).map(|i| timeline[i].at.sort_key()).is_sorted();
        if !in_order {
            let slots: Vec<usize> = (start..end).filter(timed).collect();
            let mut events: Vec<Event> = slots.iter().map(|&i| timeline[i].clone()).collect();
            events.sort_by_key(|e| e.at.sort_key());
            for (slot, event) in slots.into_iter().zip(events) {
                timeline[slot] = event;
            }
        }
        start = end;
    }
}

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
    /// `kind`: an incident, an outage, maintenance or a notice; none when not written.
    pub kind: Option<Kind>,
    /// `updated`.
    pub updated: Option<IncidentDate>,
    /// `draft`.
    pub draft: bool,
    /// `aliases`: old addresses of the incident, as output paths relative to the site
    /// (`2023/07/angouleme/` or `old-page.html`), each given a redirect page.
    pub aliases: Vec<String>,
    /// Where each of `aliases` is written, for errors about the address it takes.
    pub alias_locations: Vec<Location>,
    /// `embargo`: the incident stays out of every output until this moment.
    pub embargo: Option<IncidentDate>,
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
    /// Link and image targets of the body, with the file line and column each is written at.
    pub links: Vec<(String, usize, usize)>,
    /// The file line of the `date:` key.
    pub date_line: Option<usize>,
    /// `tags`.
    pub tags: Vec<String>,
    /// `status`, one of the site's statuses.
    pub status: Option<String>,
    /// `resolved_at`.
    pub resolved_at: Option<IncidentDate>,
    /// `severity`, one of the site's severities.
    pub severity: Option<String>,
    /// `victim`, or each of `victims`.
    pub victims: Vec<Victim>,
    /// `location`.
    pub location: Option<Place>,
    /// `impact`.
    pub impact: Option<Impact>,
    /// `motives`.
    pub motives: Vec<String>,
    /// `actors`.
    pub actors: Vec<Actor>,
    /// `techniques`, ATT&CK ids.
    pub techniques: Vec<Technique>,
    /// `timeline`, in time order.
    pub timeline: Vec<Event>,
    /// `sources`.
    pub sources: Vec<Source>,
    /// `iocs`.
    pub iocs: Vec<Ioc>,
    /// Taxonomy terms (their keys: `FR`, `T1486`, `ransomware`) without duplicates, one list
    /// per taxonomy of the configuration, in its order. Filled by the site from its
    /// taxonomies ([`crate::site::parse_file`]).
    ///
    /// A list, not a map by taxonomy name: every incident keeps it until the taxonomies are
    /// grouped, and a map with a copy of each name weighed some 500 bytes more per incident.
    pub terms: Vec<Vec<String>>,
    /// `extra`, as written.
    pub extra: serde_yaml::Mapping,
    /// Unknown top-level keys, as written.
    pub other: serde_yaml::Mapping,
    /// The files stored beside it, when it is a page bundle (`content/<name>/index.md`),
    /// published beside its page. Filled by the site, which lists them
    /// ([`crate::site::parse_file`]).
    pub files: Vec<crate::content::bundle::Attachment>,
}

/// A parsed incident and the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The incident.
    pub incident: Incident,
    /// Problems worth telling but not worth failing for (an unknown key).
    pub warnings: Vec<Diagnostic>,
}

/// `map` without its spare room.
// The front matter's map keeps room for every key after the known ones are taken out (2 KB
// per incident on the benchmark corpus), and incidents are kept for the whole build.
fn compact(mut map: serde_yaml::Mapping) -> serde_yaml::Mapping {
    if map.is_empty() {
        serde_yaml::Mapping::new()
    } else {
        map.shrink_to_fit();
        map
    }
}

/// Parses an incident file.
///
/// `path` is the file as shown in messages, `source` the file relative to `content/`.
///
/// Returns every problem of the file at once, not just the first. Taxonomy terms are left
/// empty: they depend on the site's taxonomies, see [`crate::site::parse_file`].
pub fn parse(
    path: &Path,
    source: &str,
    text: &str,
    schema: &ParseSettings,
) -> Result<Parsed, Vec<Diagnostic>> {
    parse_with(path, source, text, schema, &ImageSizes::new())
}

/// [`parse`] for an incident with files beside it (a page bundle, `content/x/index.md`):
/// `images` are the sizes of its images, which the body's `<img>` tags get.
pub fn parse_with(
    path: &Path,
    source: &str,
    text: &str,
    schema: &ParseSettings,
    images: &ImageSizes,
) -> Result<Parsed, Vec<Diagnostic>> {
    // NULs and lone carriage returns are made what every reader of the text takes them for,
    // before anything reads it (see `frontmatter::normalize`).
    let normalized = frontmatter::normalize(text);
    let text: &str = &normalized;
    let split = split_front_matter(path, text)?;
    let mut fields = front_matter_map(path, &split)?;
    let mut r = Reader::new(path, split.yaml, split.yaml_line);
    // An empty field counts as absent, except these two: left empty, they would publish at
    // once what the writer meant to hold back.
    for (key, help) in [
        ("embargo", "give the moment it lifts, like `embargo: 2026-12-01T09:00:00Z`, or remove the line"),
        ("draft", "write `draft: true` to hold the incident back, or remove the line"),
    ] {
        if fields.get(key).is_some_and(serde_yaml::Value::is_null) {
            r.error_with_help(
                &[Seg::Key(key)],
                "has no value, so nothing would hold the incident back",
                help,
            );
        }
    }
    let mut take = |key: &str| fields.shift_remove(key).filter(|v| !v.is_null());
    let k = |key: &'static str| [Seg::Key(key)];

    let title = r.text(take("title"), &k("title"));
    let date = match take("date") {
        Some(value) => r.date(Some(value), &k("date")),
        None => None,
    };
    let kind = r.kind(take("kind"), &k("kind"));
    let missing_date = date.is_none() && !r.errors.iter().any(|e| e.message.starts_with("`date`"));
    let updated = r.date(take("updated"), &k("updated"));
    let embargo = r.date(take("embargo"), &k("embargo"));
    let aliases_written = r.text_list(take("aliases"), &k("aliases"));
    let mut aliases = Vec::new();
    let mut alias_locations = Vec::new();
    for (i, alias) in aliases_written.iter().enumerate() {
        match alias_path(alias, &schema.base_path) {
            Ok(ref path) if let Some(segment) = crate::base::slug::overlong_segment(path) => r
                .error_with_help(
                    &[Seg::Key("aliases"), Seg::Index(i)],
                    format_args!(": {}", crate::base::slug::too_long(segment, segment)),
                    "shorten this part of the old address: a redirect page could not be written there",
                ),
            Ok(path) => {
                aliases.push(path);
                alias_locations.push(r.location(&[Seg::Key("aliases"), Seg::Index(i)]));
            }
            Err(why) => r.error(&[Seg::Key("aliases"), Seg::Index(i)], format_args!(": {why}")),
        }
    }
    let summary = r.text(take("summary"), &k("summary"));
    let draft = match take("draft") {
        None => false,
        Some(serde_yaml::Value::Bool(b)) => b,
        Some(_) => {
            r.error(&k("draft"), "must be `true` or `false`");
            false
        }
    };
    let extra = match take("extra") {
        None => serde_yaml::Mapping::new(),
        Some(serde_yaml::Value::Mapping(m)) => m,
        Some(_) => {
            r.error_with_help(
                &k("extra"),
                "must be a map of your own fields",
                "indent your fields under it, like `extra:` then `  reviewer: Jane`",
            );
            serde_yaml::Mapping::new()
        }
    };
    let slug_value = r.text(take("slug"), &k("slug"));
    let tags = dedup_terms(r.text_list(take("tags"), &k("tags")));
    let severities: Vec<&str> = schema.severities.iter().map(String::as_str).collect();
    let severity = r.one_of(take("severity"), &k("severity"), &severities);
    let statuses: Vec<&str> = schema.statuses.iter().map(String::as_str).collect();
    let status = r.one_of(take("status"), &k("status"), &statuses);
    let resolved_at = r.date(take("resolved_at"), &k("resolved_at"));
    let mut victims = Vec::new();
    match (take("victim"), take("victims")) {
        (Some(_), Some(_)) => r.error_with_help(
            &k("victims"),
            "cannot be used together with `victim`",
            "list every victim under `victims:`",
        ),
        (Some(one), None) => victims.extend(r.victim(one, &k("victim"))),
        (None, Some(list)) => {
            for (i, item) in r.list(Some(list), &k("victims")).into_iter().enumerate() {
                victims.extend(r.victim(item, &[Seg::Key("victims"), Seg::Index(i)]));
            }
        }
        (None, None) => {}
    }
    let location = take("location").and_then(|v| r.place(v, &k("location")));
    let impact = take("impact").and_then(|v| r.impact(v, &k("impact")));
    let motives = dedup_terms(r.text_list(take("motives"), &k("motives")));
    let items = |key: &'static str, r: &mut Reader<'_>, value: Option<serde_yaml::Value>| {
        r.list(value, &k(key))
            .into_iter()
            .enumerate()
            .map(move |(i, v)| (v, [Seg::Key(key), Seg::Index(i)]))
            .collect::<Vec<_>>()
    };
    let actors: Vec<Actor> =
        items("actors", &mut r, take("actors")).into_iter().filter_map(|(v, at)| r.actor(v, &at)).collect();
    let mut techniques: Vec<Technique> = items("techniques", &mut r, take("techniques"))
        .into_iter()
        .filter_map(|(v, at)| r.technique(v, &at))
        .collect();
    let mut seen = std::collections::HashSet::new();
    techniques.retain(|t| seen.insert(t.id.clone()));
    let mut timeline: Vec<Event> = items("timeline", &mut r, take("timeline"))
        .into_iter()
        .filter_map(|(v, at)| r.event(v, &at))
        .collect();
    sort_timeline(&mut timeline);
    for event in &mut timeline {
        let (html, _) = markdown::render_short(&event.event, schema.markdown.clone());
        let trimmed = html.trim_end();
        event.html =
            trimmed.strip_prefix("<p>").and_then(|h| h.strip_suffix("</p>")).unwrap_or(trimmed).to_string();
    }
    let sources: Vec<Source> = items("sources", &mut r, take("sources"))
        .into_iter()
        .filter_map(|(v, at)| r.source(v, &at))
        .collect();
    let iocs: Vec<Ioc> =
        items("iocs", &mut r, take("iocs")).into_iter().filter_map(|(v, at)| r.ioc(v, &at)).collect();

    let mut errors = std::mem::take(&mut r.errors);
    // A missing field has no line of its own: it is pointed at the front matter's opening
    // `---`, the block it belongs in.
    let front_matter = || Location::at(path, split.yaml_line.saturating_sub(1).max(1), 1);
    // Notes are only removed from the body; one in front matter would be published.
    if let Some(e) = crate::content::internal::in_front_matter(split.yaml) {
        errors.push(e.located(path, split.yaml_line));
    }
    let title = match title {
        Some(t) => t,
        None => {
            if !errors.iter().any(|e| e.message.starts_with("`title`")) {
                errors.push(
                    Diagnostic::at(front_matter(), "missing `title` in front matter")
                        .with_help("add a line like `title: Ransomware at the town hall`"),
                );
            }
            String::new()
        }
    };
    if missing_date {
        errors.push(
            Diagnostic::at(front_matter(), "missing `date` in front matter")
                .with_help("add a line like `date: 2023-07-24` (or `2023-07`, or `2023`)"),
        );
    }
    let slug_line = slug_value
        .as_ref()
        .and(frontmatter::locate(split.yaml, &k("slug")))
        .map(|(line, _)| split.yaml_line + line);
    let slug = match slug_value.as_deref() {
        Some(s) if is_slug(s) && crate::base::slug::overlong_segment(s).is_some() => {
            errors.push(
                Diagnostic::at(
                    r.location(&k("slug")),
                    format!("`slug`: {}", crate::base::slug::too_long(s, s)),
                )
                .with_help("write a shorter slug: the incident's page is at /incidents/<slug>/"),
            );
            String::new()
        }
        Some(s) if is_slug(s) => s.to_string(),
        Some(s) => {
            let suggestion = slugify(s);
            let mut d = Diagnostic::at(
                r.location(&k("slug")),
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
            let stem = file_slug_source(source);
            let s = slugify(&stem);
            if s.is_empty() {
                errors.push(
                    Diagnostic::at(Location::file(path), "cannot make a URL slug from the file name")
                        .with_help("rename the file or add a `slug:` line"),
                );
            } else if crate::base::slug::overlong_segment(&s).is_some() {
                errors.push(
                    Diagnostic::at(
                        Location::file(path),
                        format!("the file name as a slug: {}", crate::base::slug::too_long(&stem, &s)),
                    )
                    .with_help("rename the file, or add a shorter `slug:` line"),
                );
            }
            s
        }
    };

    // What is left is unknown to casebook: kept for templates, and worth a warning, unless a
    // taxonomy of the site reads it.
    let mut warnings = Vec::new();
    for (key, _) in fields.iter() {
        let name = key.as_str().map_or_else(|| format!("{key:?}"), str::to_string);
        if schema.custom_keys.contains(&name) {
            continue;
        }
        let location = match frontmatter::locate(split.yaml, &[Seg::Key(&name)]) {
            Some((line, _)) => Location::at(path, split.yaml_line + line, 1),
            None => Location::file(path),
        };
        let warning = Diagnostic::at(location, format!("unknown front matter key `{name}`"));
        warnings.push(match suggest::closest(&name, KNOWN_KEYS.iter().copied()) {
            Some(close) => warning.with_help(format!("did you mean `{close}`?")),
            None => warning.with_help(
                "custom fields belong under `extra:`; this one is kept for templates as `incident.other`",
            ),
        });
    }

    let (Some(date), true) = (date, errors.is_empty()) else {
        errors.sort_by(|a, b| a.location.cmp(&b.location));
        return Err(errors);
    };
    let body = crate::content::body::render(path, split.body, split.body_line, schema, images)?;
    let (summary_html, summary_text, summary_given) = match summary.as_deref() {
        Some(s) => {
            let (html, text) = markdown::render_short(s, schema.markdown.clone());
            (html, text, true)
        }
        None => (body.first_paragraph_html, body.first_paragraph_text, false),
    };

    Ok(Parsed {
        incident: Incident {
            path: path.to_path_buf(),
            source: source.to_string(),
            slug,
            slug_line,
            title,
            date,
            kind,
            updated,
            draft,
            aliases,
            alias_locations,
            embargo,
            summary_html,
            summary_text,
            summary_given,
            content_html: body.html,
            toc: body.toc,
            word_count: body.word_count,
            links: body.links,
            date_line: frontmatter::locate(split.yaml, &k("date")).map(|(line, _)| split.yaml_line + line),
            tags,
            status,
            resolved_at,
            severity,
            victims,
            location,
            impact,
            motives,
            actors,
            techniques,
            timeline,
            sources,
            iocs,
            terms: Vec::new(),
            extra: compact(extra),
            other: compact(fields),
            files: Vec::new(),
        },
        warnings,
    })
}

/// What a file's slug is made from, given its path under its folder (`content/`, `pages/`):
/// the file's name without `.md`, or the folder's name for the `index.md` of a page bundle
/// (`2024-03-ransomware/index.md`), which keeps its other files beside it. An `index.md`
/// directly in the folder is no bundle: it is named `index`.
pub fn file_slug_source(source: &str) -> String {
    let path = Path::new(source);
    let stem = path.file_stem().map(|s| s.to_string_lossy()).unwrap_or_default();
    match path.parent().and_then(Path::file_name) {
        Some(folder) if stem == "index" => folder.to_string_lossy().into_owned(),
        _ => stem.into_owned(),
    }
}

/// The output path of an alias: `/2023/07/angouleme/` gives `2023/07/angouleme/`,
/// `/old.html` gives `old.html`. Only plain path steps are allowed, so a redirect page can never
/// be written outside the output folder.
pub fn alias_path(alias: &str, base_path: &str) -> Result<String, String> {
    let trimmed = alias.trim();
    if trimmed.contains("://") || trimmed.starts_with("//") {
        return Err(format!("`{trimmed}` is not a path of this site: write it like `/2023/07/old-name/`"));
    }
    let within = trimmed.strip_prefix(base_path).or_else(|| trimmed.strip_prefix('/')).unwrap_or(trimmed);
    let steps: Vec<&str> = within.split('/').filter(|s| !s.is_empty()).collect();
    let plain =
        |s: &&str| *s != "." && *s != ".." && s.chars().all(|c| c.is_alphanumeric() || "-_.~%".contains(c));
    if steps.is_empty() || !steps.iter().all(plain) {
        return Err(format!(
            "`{trimmed}` is not a plain path: use letters, digits, `-`, `_`, `.` and `/` only"
        ));
    }
    let path = steps.join("/");
    Ok(if path.ends_with(".html") { path } else { format!("{path}/") })
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

    fn schema() -> ParseSettings {
        crate::Config::default().parse_settings()
    }

    fn ok(text: &str) -> Parsed {
        parse(Path::new("content/x.md"), "x.md", text, &schema()).expect("valid incident")
    }

    proptest::proptest! {
        /// Whatever the offsets and precisions, the timed events come out in order of their
        /// moments, and the days in order.
        #[test]
        fn timelines_keep_moments_and_days_in_order(
            dates in proptest::collection::vec(
                (0..3_i64, 0..24_i64, proptest::sample::select(vec!["Z", "+02:00", "-09:30", "+14:00"]), proptest::bool::ANY),
                0..8,
            )
        ) {
            let mut timeline: Vec<Event> = dates
                .iter()
                .map(|(day, hour, offset, timed)| {
                    let text = if *timed {
                        format!("2023-07-{:02}T{hour:02}:00:00{offset}", 24 + day)
                    } else {
                        format!("2023-07-{:02}", 24 + day)
                    };
                    Event { at: crate::content::date::IncidentDate::parse(&text).expect("valid"), event: text, html: String::new() }
                })
                .collect();
            sort_timeline(&mut timeline);
            let moments: Vec<i64> = timeline
                .iter()
                .filter(|e| e.at.precision() == crate::content::date::Precision::Datetime)
                .map(|e| e.at.sort_key())
                .collect();
            proptest::prop_assert!(moments.is_sorted(), "{:?}", timeline);
            proptest::prop_assert!(timeline.iter().map(|e| e.at.day_key()).is_sorted());
        }
    }

    #[test]
    fn an_empty_embargo_or_draft_is_an_error_not_a_publication() {
        assert_eq!(
            errors("---\ntitle: T\ndate: 2023\nembargo:\n---\n"),
            ["content/x.md:4:9: `embargo` has no value, so nothing would hold the incident back\n  \
              help: give the moment it lifts, like `embargo: 2026-12-01T09:00:00Z`, or remove the line"]
        );
        assert_eq!(
            errors("---\ntitle: T\ndate: 2023\ndraft: ~\n---\n"),
            ["content/x.md:4:8: `draft` has no value, so nothing would hold the incident back\n  \
              help: write `draft: true` to hold the incident back, or remove the line"]
        );
    }

    #[test]
    fn a_timeline_is_ordered_at_the_precision_of_its_least_precise_date() {
        let events = |timeline: &str| -> Vec<String> {
            let text = format!("---\ntitle: T\ndate: 2023\ntimeline:\n{timeline}---\n");
            ok(&text).incident.timeline.iter().map(|e| e.event.clone()).collect()
        };
        // An event known to the day is not at midnight: that day's events stay as written.
        let day = "  - at: 2023-07-24T07:45:00+02:00\n    event: a\n  - at: 2023-07-24\n    event: b\n  - at: 2023-07-23T22:00:00Z\n    event: c\n";
        assert_eq!(events(day), ["c", "a", "b"]);
        let instants =
            "  - at: 2023-07-24T09:00:00Z\n    event: a\n  - at: 2023-07-24T08:00:00+02:00\n    event: b\n";
        assert_eq!(events(instants), ["b", "a"], "instants sort by the moment");
        let months = "  - at: 2023-08-02\n    event: a\n  - at: 2023-07\n    event: b\n  - at: 2023-07-30\n    event: c\n";
        assert_eq!(events(months), ["b", "c", "a"]);
        // Times of a day still come in order around an event known only to that day.
        let mixed = "  - at: 2023-07-24T14:30:00Z\n    event: a\n  - at: 2023-07-24\n    event: b\n  - at: 2023-07-24T08:05:00Z\n    event: c\n";
        assert_eq!(events(mixed), ["c", "b", "a"]);
        // Instants in order across days whatever their offsets: the second is an hour earlier.
        let offsets = "  - at: 2023-07-24T23:30:00Z\n    event: later\n  - at: 2023-07-25T00:30:00+02:00\n    event: earlier\n";
        assert_eq!(events(offsets), ["earlier", "later"]);
    }

    fn errors(text: &str) -> Vec<String> {
        parse(Path::new("content/x.md"), "x.md", text, &schema())
            .expect_err("invalid incident")
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// Issue 28: names longer than a file name may be passed `check` and failed `build`.
    #[test]
    fn slugs_and_aliases_longer_than_a_file_name_may_be_are_located_errors() {
        let long = "a".repeat(201);
        let e = errors(&format!("---\ntitle: A\ndate: 2024\nslug: {long}\n---\n"));
        assert!(e[0].starts_with("content/x.md:4:7: `slug`: `aaaa"), "{e:?}");
        assert!(e[0].contains("URL segment of 201 bytes, and at most 200"), "{e:?}");
        let e = errors(&format!("---\ntitle: A\ndate: 2024\naliases: [/a/, /b/{long}.html]\n---\n"));
        assert!(e[0].starts_with("content/x.md:4:10: `aliases[2]`: `aaaa"), "{e:?}");
        let e = parse(
            Path::new(&format!("content/{long}.md")),
            &format!("{long}.md"),
            "---\ntitle: A\ndate: 2024\n---\n",
            &schema(),
        )
        .expect_err("a file name too long for a slug");
        assert!(e[0].to_string().contains(".md: the file name as a slug: `aaaa"), "{}", e[0]);
        let fine = "a".repeat(200);
        ok(&format!("---\ntitle: A\ndate: 2024\nslug: {fine}\naliases: [/{fine}/x/]\n---\n"));
    }

    /// Issue 28: `extra: {x: [[[…]]]}` of 160 KB took 19 s in the YAML parser; 400 KB is a
    /// located error before it runs.
    #[test]
    fn front_matter_nested_too_deep_is_refused_before_parsing() {
        let n = 200_000;
        let text = format!(
            "---\ntitle: Deep\ndate: 2024\nextra: {{x: {}{}}}\n---\nBody.\n",
            "[".repeat(n),
            "]".repeat(n)
        );
        assert!(text.len() > 400_000);
        assert_eq!(
            errors(&text),
            [
                "content/x.md:4:139: invalid YAML: lists and maps written with `[` and `{` are nested more than 128 deep\n  \
              help: front matter holds what pages show: write this value flatter, or leave it out"
            ]
        );
        let config = format!("title: x\nextra: {}\n", "[".repeat(n));
        let e = crate::Config::parse(&config, Path::new("casebook.yaml")).expect_err("too deep");
        assert!(e.to_string().starts_with("casebook.yaml:2:136: invalid YAML: lists and maps"), "{e}");
    }

    /// Issue 28: a NUL in the body reached summaries, `<meta description>` and CSV cells.
    #[test]
    fn a_nul_becomes_the_replacement_character_everywhere() {
        let p = ok("---\ntitle: A\0B\ndate: 2024\n---\nFirst\0paragraph.\n\n```internal\rx\r```\r\nEnd.\n");
        let i = p.incident;
        assert_eq!(i.title, "A\u{FFFD}B");
        assert_eq!(i.summary_text, "First\u{FFFD}paragraph.");
        assert!(!i.summary_html.contains('\0') && !i.content_html.contains('\0'), "{}", i.content_html);
        assert!(i.content_html.contains("End.") && !i.content_html.contains('x'), "{}", i.content_html);
    }

    #[test]
    fn parses_the_basics() {
        let p = ok(
            "---\ntitle: Ransomware at Angoulême\ndate: 2023-07\nsummary: Town *offline*.\ntags: [ransomware, France, ransomware]\nslug: angouleme\nextra:\n  note: hi\n---\n## What happened\n\nA click.\n",
        );
        let i = p.incident;
        assert_eq!(i.title, "Ransomware at Angoulême");
        assert_eq!(i.date.display(), "July 2023");
        assert_eq!(i.slug, "angouleme");
        assert_eq!(i.summary_html, "<p>Town <em>offline</em>.</p>\n");
        assert_eq!(i.tags, ["ransomware", "France"]);
        assert_eq!(i.toc[0].id, "what-happened");
        assert!(p.warnings.is_empty());
    }

    const COMPLETE: &str = "---
title: Ransomware at the town hall
date: 2023-07
status: resolved
resolved_at: 2023-08-18
severity: high
victims:
  - name: Town
    sector: local-government
    type: municipality
  - name: Agglomeration
    sector: local-government
location:
  country: fr
  region: Nouvelle-Aquitaine
  city: Angoulême
impact:
  confidentiality: unknown
  integrity: low
  availability: high
  duration: three weeks
  records: 0
  people_affected: 140000
motives: [financial]
actors:
  - name: Unattributed group
    type: criminal
    country: RU
  - Second group
techniques: [T1566.001, t1486, TA0040, T1486]
timeline:
  - at: 2023-07-25
    event: Links cut.
  - at: 2023-07-24T07:45:00+02:00
    event: Phishing attachment opened.
sources:
  - title: Statement
    url: https://example.org/news
    publisher: Town
    date: 2023-07-24
iocs:
  - type: url
    value: http://invoice-portal.example/pay
    note: phishing link
---
Body.
";

    #[test]
    fn parses_every_field_of_the_schema() {
        let p = ok(COMPLETE);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let i = p.incident;
        assert_eq!(i.status.as_deref(), Some("resolved"));
        assert_eq!(i.resolved_at.as_ref().map(IncidentDate::iso).as_deref(), Some("2023-08-18"));
        assert_eq!(i.severity.as_deref(), Some("high"));
        assert_eq!(i.victims.len(), 2);
        assert_eq!(i.victims[0].kind.as_deref(), Some("municipality"));
        let location = i.location.expect("location");
        assert_eq!(location.country.expect("country").name, "France");
        let impact = i.impact.expect("impact");
        assert_eq!(
            (impact.availability, impact.people_affected),
            (Some(crate::content::fields::Level::High), Some(140000))
        );
        assert_eq!(i.actors[1].name, "Second group");
        assert_eq!(i.actors[0].country.as_ref().map(|c| c.name.as_str()), Some("Russia"));
        let ids: Vec<_> = i.techniques.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["T1566.001", "T1486", "TA0040"], "normalized and without repeats");
        assert_eq!(i.techniques[0].name.as_deref(), Some("Spearphishing Attachment"));
        assert!(i.techniques[2].tactic);
        let events: Vec<_> = i.timeline.iter().map(|e| e.event.as_str()).collect();
        assert_eq!(events, ["Phishing attachment opened.", "Links cut."], "in time order");
        assert_eq!(i.sources[0].url, "https://example.org/news");
        assert_eq!(i.iocs[0].defanged(), "hxxp://invoice-portal[.]example/pay");
    }

    #[test]
    fn slug_comes_from_the_file_name_and_summary_from_the_body() {
        let p = parse(
            Path::new("content/Angoulême 2023.md"),
            "Angoulême 2023.md",
            "---\ntitle: A\ndate: 2023\n---\nFirst.\n\nSecond.\n",
            &schema(),
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
                "content/x.md:1:1: missing `title` in front matter\n  help: add a line like `title: Ransomware at the town hall`",
                "content/x.md:1:1: missing `date` in front matter\n  help: add a line like `date: 2023-07-24` (or `2023-07`, or `2023`)",
                "content/x.md:3:10: `updated`: `2023-02-30` is not a valid date: February 2023 has 28 days",
                "content/x.md:4:7: `slug: ../../etc` is not a valid slug: use lowercase ASCII letters, digits and single dashes\n  help: write `slug: etc`",
            ]
        );
    }

    #[test]
    fn schema_values_are_checked_where_they_are_written() {
        let e = errors(
            "---\ntitle: A\ndate: 2023\nseverity: extreme\nstatus: resolvd\nlocation:\n  country: France\nimpact:\n  availability: total\n  records: many\ntechniques: [T1486, Phishing, T99]\nsources:\n  - title: Ok\n    url: https://example.org\n  - title: Bad\n    url: javascript:alert(1)\niocs:\n  - type: domain\n    value: not a domain\nactors:\n  - type: criminal\ntimeline:\n  - at: yesterday\n    event: x\nvictim:\n  nmae: Town\n---\n",
        );
        assert_eq!(
            e,
            [
                "content/x.md:4:11: `severity` must be one of low, medium, high, critical",
                "content/x.md:5:9: `status` must be one of ongoing, contained, resolved\n  help: did you mean `resolved`?",
                "content/x.md:7:12: `location.country`: `France` is not a country code: write `FR`",
                "content/x.md:9:17: `impact.availability` must be one of none, low, medium, high, unknown",
                "content/x.md:10:12: `impact.records` must be a whole number, like `1200`",
                "content/x.md:11:13: `techniques[2]`: `Phishing` is not an ATT&CK id: write `T1566` (Phishing)",
                "content/x.md:11:13: `techniques[3]`: `T99` is not an ATT&CK id: write techniques as `T1486` or `T1566.001`, tactics as `TA0040`",
                "content/x.md:16:10: `sources[2].url` must be an absolute http:// or https:// URL, not `javascript:alert(1)`",
                "content/x.md:19:12: `iocs[1].value`: `not a domain` is not a domain name like `evil.example`",
                "content/x.md:21:5: `actors[1]` needs a `name`",
                "content/x.md:23:9: `timeline[1].at`: `yesterday` is not a date: write `2023-07-24`, `2023-07`, `2023`, or a date-time like `2023-07-24T09:30:00Z`",
                "content/x.md:26:9: `victim.nmae` is not a field casebook knows\n  help: did you mean `name`?",
            ]
        );
    }

    #[test]
    fn kinds_and_archived_copies_are_typed_and_checked() {
        let p = ok(
            "---\ntitle: A\ndate: 2023\nkind: maintenance\nsources:\n  - title: S\n    url: https://example.org/a\n    archived_url: https://web.archive.org/web/2023/https://example.org/a\n---\n",
        );
        assert_eq!(p.incident.kind, Some(Kind::Maintenance));
        assert_eq!(
            p.incident.sources[0].archived_url.as_deref(),
            Some("https://web.archive.org/web/2023/https://example.org/a")
        );
        assert_eq!(ok("---\ntitle: A\ndate: 2023\n---\n").incident.kind, None, "not written, not guessed");
        assert_eq!(
            errors(
                "---\ntitle: A\ndate: 2023\nkind: maintenence\nsources:\n  - title: S\n    url: https://example.org/a\n    archived_url: archive.org/a\n---\n"
            ),
            [
                "content/x.md:4:7: `kind` must be one of incident, outage, maintenance, notice\n  help: did you mean `maintenance`?",
                "content/x.md:8:19: `sources[1].archived_url` must be an absolute http:// or https:// URL, not `archive.org/a`",
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
        let p = ok("---\ntitle: A\ndate: 2023\ntittle: B\nreviewer: Jane\n---\n");
        let w: Vec<String> = p.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            w[0],
            "content/x.md:4:1: unknown front matter key `tittle`\n  help: did you mean `title`?"
        );
        assert!(
            w[1].starts_with("content/x.md:5:1: unknown front matter key `reviewer`\n  help: custom fields")
        );
        assert_eq!(p.incident.other.get("reviewer").and_then(|v| v.as_str()), Some("Jane"));
    }

    #[test]
    fn kept_front_matter_maps_have_no_spare_room() {
        // Incidents live for the whole build: room left for the keys taken out is memory lost.
        let p =
            ok("---\ntitle: A\ndate: 2023\ntags: [x]\nseverity: high\nreviewer: Jane\nextra:\n  a: 1\n---\n");
        assert_eq!((p.incident.other.len(), p.incident.other.capacity()), (1, 1));
        assert_eq!(p.incident.extra.capacity(), 1);
        let p = ok("---\ntitle: A\ndate: 2023\ntags: [x]\n---\n");
        assert_eq!(p.incident.other.capacity(), 0);
    }

    #[test]
    fn keys_read_by_custom_taxonomies_are_not_unknown() {
        let schema = ParseSettings { custom_keys: vec!["vendors".to_string()], ..schema() };
        let p =
            parse(Path::new("c/x.md"), "x.md", "---\ntitle: A\ndate: 2023\nvendors: [Acme]\n---\n", &schema)
                .expect("valid");
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn wrongly_typed_fields_are_located() {
        let e = errors("---\ntitle: [a, b]\ndate: 2023\ndraft: yes please\nextra: 3\nvictim: Town\n---\n");
        assert_eq!(
            e,
            [
                "content/x.md:2:8: `title` must be text",
                "content/x.md:4:8: `draft` must be `true` or `false`",
                "content/x.md:5:8: `extra` must be a map of your own fields\n  help: indent your fields under it, like `extra:` then `  reviewer: Jane`",
                "content/x.md:6:9: `victim` must be a map of fields (indented `key: value` lines)",
            ]
        );
        // A number is fine as text: some titles are years.
        assert_eq!(ok("---\ntitle: 1984\ndate: 2023\n---\n").incident.title, "1984");
    }

    #[test]
    fn aliases_are_plain_site_paths() {
        assert_eq!(alias_path("/2023/07/angouleme", "/").as_deref(), Ok("2023/07/angouleme/"));
        assert_eq!(alias_path("/sub/old.html", "/sub/").as_deref(), Ok("old.html"));
        assert_eq!(alias_path("old-name/", "/").as_deref(), Ok("old-name/"));
        for bad in ["/../etc/", "https://elsewhere.example/x", "/a b/", "/", "//host/x", "/a/./b"] {
            assert!(alias_path(bad, "/").is_err(), "{bad}");
        }
    }

    #[test]
    fn huge_lists_are_refused_not_built() {
        let tags: Vec<String> = (0..1001).map(|i| format!("t{i}")).collect();
        let e = errors(&format!("---\ntitle: A\ndate: 2024\ntags: [{}]\n---\n", tags.join(", ")));
        assert!(
            e[0].starts_with("content/x.md:4:7: `tags` has 1001 items; an incident may have at most 1000"),
            "{}",
            e[0]
        );
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
