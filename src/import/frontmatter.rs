//! Any Markdown with YAML front matter, with a mapping of its keys to casebook's fields
//! (`--map start_time=date --map company=victim.name`). Keys casebook knows are kept; the rest
//! go under `extra`, so nothing is lost.
//!
//! A mapping may name several source keys (`--map start_time,source_published_at=date`): the
//! first one present gives the field, and the others are kept under `extra`. Some fields take
//! a source's plain values and shape them: `sources` makes a source entry of each URL (a
//! single URL or a list), `sources.archived_url` gives those entries their archived copies,
//! list fields (`tags`) take a single name as a list of one, `victim.name` takes a list of
//! names as several victims, and every date is normalised as [`super::dates`] does. A title
//! missing from the front matter can come from the body's first heading or the file name
//! (`--title-from`).

use std::path::Path;

use serde_yaml::{Mapping, Value};

use super::{Draft, ImportOptions, KeyMap, Missing, Refusal, TitleSource, dates, file_name};
use crate::base::error::Diagnostic;
use crate::content::incident::KNOWN_KEYS;

/// The fields a mapping can reach inside each map field of the schema.
const NESTED: [(&str, &[&str]); 5] = [
    ("victim", &["name", "sector", "type"]),
    ("victims", &["name", "sector", "type"]),
    ("location", &["country", "region", "city"]),
    ("impact", &["confidentiality", "integrity", "availability", "duration", "records", "people_affected"]),
    ("sources", &["url", "archived_url"]),
];

/// Checks every mapping's target before anything is read: a misspelt target would otherwise
/// refuse every file, once each.
pub fn check_targets(map: &[KeyMap]) -> Result<(), Diagnostic> {
    for rule in map {
        let shown = format!("--map {}={}", rule.from.join(","), rule.to);
        let steps: Vec<&str> = rule.to.split('.').collect();
        let first = steps[0];
        let problem = if steps.iter().any(|s| s.is_empty()) {
            Some((format!("`{}` is not a field path like `victim.name`", rule.to), None))
        } else if first == "extra" {
            (steps.len() == 1).then(|| {
                (format!("`{shown}`: name the key under `extra`, like `extra.{}`", rule.from[0]), None)
            })
        } else if !KNOWN_KEYS.contains(&first) {
            let close = crate::base::suggest::closest(first, KNOWN_KEYS.iter().copied());
            Some((
                format!("`{first}` is not a field casebook knows"),
                Some(match close {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => format!("map it under extra instead, like `extra.{first}`"),
                }),
            ))
        } else if steps.len() > 1 {
            match NESTED.iter().find(|(key, _)| *key == first) {
                Some((_, fields)) if steps.len() == 2 && fields.contains(&steps[1]) => None,
                Some((_, fields)) => Some((
                    format!("`{}` is not a field casebook can map to", rule.to),
                    Some(format!(
                        "the fields of `{first}` are: {}",
                        fields.iter().map(|f| format!("{first}.{f}")).collect::<Vec<_>>().join(", ")
                    )),
                )),
                None => Some((format!("`{first}` has no fields to map to; map to `{first}` itself"), None)),
            }
        } else {
            None
        };
        if let Some((message, help)) = problem {
            let d = Diagnostic::new(format!("`{shown}`: {message}"));
            return Err(match help {
                Some(help) => d.with_help(help),
                None => d,
            });
        }
    }
    Ok(())
}

fn has_value(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        Value::Sequence(items) => !items.is_empty(),
        Value::Mapping(map) => !map.is_empty(),
        _ => true,
    }
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Whether a field holds a date, which is then normalised.
fn is_date_field(to: &str) -> bool {
    matches!(to, "date" | "updated" | "resolved_at" | "embargo") || to.ends_with(".date")
}

/// The host of a URL, as a source's title when it has no other: `blog.example.com`.
fn host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    host.strip_prefix("www.").unwrap_or(host).to_string()
}

fn source_entry(url: &str) -> Mapping {
    let mut m = Mapping::new();
    m.insert("title".into(), host(url).into());
    m.insert("url".into(), url.into());
    m
}

/// The URLs of a value: one, or a list of them.
fn urls(value: &Value) -> Vec<String> {
    match value {
        Value::Sequence(items) => items.iter().filter_map(text_of).collect(),
        other => text_of(other).into_iter().collect(),
    }
}

/// What the mappings gathered for `sources`, put together after every key is read, since the
/// archived copy may be written before the page.
#[derive(Default)]
struct Sources {
    entries: Vec<Mapping>,
    archived: Vec<String>,
}

/// Puts `value`, read from the source key `from`, into the field `to`.
fn apply(
    draft: &mut Draft,
    sources: &mut Sources,
    from: &str,
    to: &str,
    value: Value,
) -> Result<(), Refusal> {
    match to {
        "sources" | "sources.url" => {
            let mut taken = 0;
            if let Value::Sequence(items) = &value
                && items.iter().all(Value::is_mapping)
            {
                // Already source entries: taken as written, checked with the incident.
                sources.entries.extend(items.iter().filter_map(Value::as_mapping).cloned());
                draft.notes.push(format!("mapped `{from}` to `sources`"));
                return Ok(());
            }
            let mut bad = Vec::new();
            for url in urls(&value) {
                if crate::content::is_web_url(&url) {
                    sources.entries.push(source_entry(&url));
                    taken += 1;
                } else {
                    bad.push(url);
                }
            }
            if taken > 0 {
                draft
                    .notes
                    .push(format!("mapped `{from}` to {taken} source{}", if taken == 1 { "" } else { "s" }));
            }
            if !bad.is_empty() {
                draft.keep(from, value);
                draft.notes.push(format!("`{from}` has what is not a web address: {}", bad.join(", ")));
            }
        }
        "sources.archived_url" => {
            let (good, bad): (Vec<String>, Vec<String>) =
                urls(&value).into_iter().partition(|u| crate::content::is_web_url(u));
            sources.archived.extend(good);
            draft.notes.push(format!("mapped `{from}` to the archived copy of the sources"));
            if !bad.is_empty() {
                draft.keep(from, value);
            }
        }
        _ if is_date_field(to) => {
            let written =
                text_of(&value).ok_or_else(|| Refusal::because(format!("`{from}` must be a date")))?;
            let normalized =
                dates::normalize(&written).map_err(|e| Refusal::because(format!("`{from}`: {e}")))?;
            draft.set_path(to, Value::from(normalized));
            draft.notes.push(format!("mapped `{from}` to `{to}`"));
        }
        "victim.name" | "victims.name" if value.is_sequence() => {
            let victims: Vec<Value> = urls(&value)
                .into_iter()
                .map(|name| {
                    let mut m = Mapping::new();
                    m.insert("name".into(), name.into());
                    Value::Mapping(m)
                })
                .collect();
            draft.set("victims", Value::Sequence(victims));
            draft.notes.push(format!("mapped `{from}` to `victims` (one victim per name)"));
        }
        "tags" | "motives" | "aliases" | "techniques" if !value.is_sequence() => {
            draft.set(to, Value::Sequence(vec![value]));
            draft.notes.push(format!("mapped `{from}` to `{to}` (a list of one)"));
        }
        _ => {
            draft.set_path(to, value);
            draft.notes.push(format!("mapped `{from}` to `{to}`"));
        }
    }
    Ok(())
}

/// The heading the body starts with (`# Title` or a title underlined with `===`), and the body
/// without it.
fn leading_heading(body: &str) -> Option<(String, String)> {
    let trimmed = body.trim_start_matches(['\n', '\r', ' ']);
    let mut lines = trimmed.lines();
    let first = lines.next()?.trim();
    let hashes = first.bytes().take_while(|&b| b == b'#').count();
    if (1..=6).contains(&hashes) && first[hashes..].starts_with(' ') {
        let title = first[hashes..].trim().trim_end_matches('#').trim().to_string();
        let rest = trimmed[trimmed.find('\n').map_or(trimmed.len(), |i| i + 1)..].to_string();
        return (!title.is_empty()).then_some((title, rest));
    }
    let second = lines.next()?;
    if !first.is_empty() && second.trim().len() >= 2 && second.trim().bytes().all(|b| b == b'=') {
        let after: Vec<&str> = trimmed.lines().skip(2).collect();
        return Some((first.to_string(), after.join("\n")));
    }
    None
}

/// A title from a file name: `2021-06-03-aks_outage` gives `Aks outage`.
fn title_from_file(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_string_lossy().to_string();
    // A date at the start names the day, not the incident.
    let bytes = stem.as_bytes();
    let dated = bytes.len() > 10
        && bytes[..10]
            .iter()
            .enumerate()
            .all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() });
    let name = if dated { &stem[10..] } else { stem.as_str() };
    let words: Vec<&str> = name.split(['-', '_', ' ']).filter(|w| !w.is_empty()).collect();
    let text = words.join(" ");
    let mut chars = text.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

/// Converts one file.
pub fn convert(path: &Path, text: &str, options: &ImportOptions) -> Result<Draft, Refusal> {
    let split = crate::base::frontmatter::split(text).map_err(|e| Refusal::because(e.message()))?;
    // Before the parser, whose time grows with the square of the nesting.
    if let Some((line, column)) = crate::base::frontmatter::too_deep_flow(split.yaml) {
        let line = split.yaml_line + line;
        return Err(Refusal::because(format!(
            "{} (line {line}, column {column})",
            crate::base::frontmatter::FLOW_TOO_DEEP
        )));
    }
    let mut fields: Mapping = if split.yaml.trim().is_empty() {
        Mapping::new()
    } else {
        match serde_yaml::from_str(split.yaml) {
            Ok(Value::Mapping(map)) => map,
            Ok(_) => return Err(Refusal::because("the front matter is not a map of keys")),
            Err(e) => return Err(Refusal::because(format!("invalid YAML: {e}"))),
        }
    };
    let mut draft = Draft::default();
    let mut sources = Sources::default();
    let mut body = split.body.to_string();
    for rule in &options.map {
        let present: Vec<&String> =
            rule.from.iter().filter(|k| fields.get(k.as_str()).is_some_and(has_value)).collect();
        let Some(first) = present.first() else { continue };
        let value = fields.shift_remove(first.as_str()).unwrap_or(Value::Null);
        apply(&mut draft, &mut sources, first, &rule.to, value)?;
        for other in &present[1..] {
            draft.notes.push(format!("`{other}` is also there; `{first}` gave `{}`", rule.to));
        }
    }
    // What the mappings set wins over a key of the same name in the file, which is kept.
    let mapped_top: Vec<String> =
        options.map.iter().map(|r| r.to.split('.').next().unwrap_or_default().to_string()).collect();
    for (key, value) in fields {
        // A key written as a number or a boolean (`2023: …`) is still a key: kept as text.
        let Some(key) = text_of(&key) else {
            draft.notes.push(format!(
                "skipped a key that is not text: {}",
                serde_yaml::to_string(&key).unwrap_or_default().trim()
            ));
            continue;
        };
        let taken = mapped_top.contains(&key) && draft.front.contains_key(key.as_str());
        if key == "extra"
            && !taken
            && let Value::Mapping(own) = value
        {
            for (k, v) in own {
                if let Some(k) = k.as_str() {
                    draft.set_path(&format!("extra.{k}"), v);
                }
            }
            draft.notes.push("kept `extra`".to_string());
        } else if KNOWN_KEYS.contains(&key.as_str()) && !taken && key != "extra" {
            if is_date_field(&key) && has_value(&value) {
                apply(&mut draft, &mut sources, &key, &key, value)?;
            } else if key == "sources" {
                apply(&mut draft, &mut sources, &key, "sources", value)?;
            } else {
                draft.set(&key, value);
                draft.notes.push(format!("kept `{key}`"));
            }
        } else {
            draft.keep(&key, value);
        }
    }
    // Each archived copy goes with the source of the same rank; one without a source is one.
    let mut entries = sources.entries;
    for (i, archived) in sources.archived.into_iter().enumerate() {
        match entries.get_mut(i) {
            Some(entry) => {
                entry.insert("archived_url".into(), archived.into());
            }
            None => {
                draft
                    .notes
                    .push(format!("`{archived}` is an archived copy with no source: made a source of it"));
                entries.push(source_entry(&archived));
            }
        }
    }
    if !entries.is_empty() {
        draft.set("sources", Value::Sequence(entries.into_iter().map(Value::Mapping).collect()));
    }
    // A resolution time says the incident is resolved.
    if draft.front.contains_key("resolved_at") && !draft.front.contains_key("status") {
        draft.set("status", "resolved");
        draft.notes.push("set `status: resolved` (there is a resolution time)".to_string());
    }

    let mut missing = Vec::new();
    let looked = |field: &str| -> Vec<String> {
        let mut tried: Vec<String> =
            options.map.iter().filter(|r| r.to == field).flat_map(|r| r.from.iter().cloned()).collect();
        if !tried.iter().any(|t| t == field) {
            tried.push(field.to_string());
        }
        tried
    };
    let has = |draft: &Draft, key: &str| draft.front.get(key).is_some_and(has_value);
    if !has(&draft, "title") {
        let mut tried = looked("title");
        for source in &options.title_from {
            match source {
                TitleSource::Heading => {
                    tried.push("the first heading".to_string());
                    if let Some((title, rest)) = leading_heading(&body) {
                        draft.set("title", title);
                        draft.notes.push(
                            "took the title from the first heading (and removed it from the body)".into(),
                        );
                        body = rest;
                        break;
                    }
                }
                TitleSource::FileName => {
                    tried.push("the file name".to_string());
                    if let Some(title) = title_from_file(path) {
                        draft.set("title", title);
                        draft.notes.push("took the title from the file name".into());
                        break;
                    }
                }
            }
        }
        if !has(&draft, "title") {
            missing.push(Missing { field: "title".into(), tried });
        }
    }
    if !has(&draft, "date") {
        missing.push(Missing { field: "date".into(), tried: looked("date") });
    }
    if !missing.is_empty() {
        return Err(Refusal::Missing(missing));
    }
    let date = draft.front.get("date").and_then(text_of).unwrap_or_default();
    let title = draft.front.get("title").and_then(text_of).unwrap_or_default();
    draft.file_name = file_name(&date, &title);
    draft.body = body.trim_start_matches('\n').to_string();
    Ok(draft)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(map: &[&str], title_from: &[TitleSource]) -> ImportOptions {
        ImportOptions {
            map: map.iter().map(|m| KeyMap::parse(m).expect("mapping")).collect(),
            title_from: title_from.to_vec(),
            ..ImportOptions::default()
        }
    }

    fn convert_ok(text: &str, o: &ImportOptions) -> String {
        convert(Path::new("notes/2021-06-03-aks_outage.md"), text, o).expect("converts").text()
    }

    #[test]
    fn the_first_candidate_present_gives_the_field() {
        let o = options(&["start_time,source_published_at=date"], &[]);
        let text = convert_ok("---\ntitle: T\nsource_published_at: 2021-06-04\n---\n", &o);
        assert!(text.contains("date: 2021-06-04\n"), "{text}");
        let text = convert_ok(
            "---\ntitle: T\nstart_time: 2021-06-03 8:00\nsource_published_at: 2021-06-04\n---\n",
            &o,
        );
        assert!(text.contains("date: 2021-06-03T08:00:00Z\n"), "{text}");
        assert!(text.contains("extra:\n  source_published_at: 2021-06-04\n"), "the other is kept: {text}");
    }

    #[test]
    fn urls_become_sources_with_their_archived_copies() {
        let o = options(&["url=sources", "archive_url=sources.archived_url", "end_time=resolved_at"], &[]);
        let text = convert_ok(
            "---\ntitle: T\ndate: 2021-06-03\narchive_url: https://web.archive.org/web/2021/https://www.example.com/pm\nurl: https://www.example.com/pm\nend_time: 2021-06-03 10:00\n---\n",
            &o,
        );
        assert!(
            text.contains("sources:\n- title: example.com\n  url: https://www.example.com/pm\n  archived_url: https://web.archive.org/web/2021/https://www.example.com/pm\n"),
            "{text}"
        );
        assert!(
            text.contains("resolved_at: 2021-06-03T10:00:00Z\n") && text.contains("status: resolved\n"),
            "{text}"
        );
        let text = convert_ok(
            "---\ntitle: T\ndate: 2021\nurl: [https://a.example/1, https://b.example/2]\n---\n",
            &o,
        );
        assert!(text.contains("- title: a.example\n") && text.contains("- title: b.example\n"), "{text}");
    }

    #[test]
    fn titles_come_from_the_first_heading_or_the_file_name() {
        let o = options(&[], &[TitleSource::Heading, TitleSource::FileName]);
        let text = convert_ok("---\ndate: 2021\n---\n# AKS outage\n\nText.\n", &o);
        assert!(text.contains("title: AKS outage\n") && text.ends_with("---\nText.\n"), "{text}");
        let text = convert_ok("---\ndate: 2021\n---\nText.\n", &o);
        assert!(text.contains("title: Aks outage\n"), "{text}");
    }

    #[test]
    fn what_is_missing_is_said_with_where_it_was_looked_for() {
        let o = options(&["start_time,source_published_at=date"], &[TitleSource::Heading]);
        let refusal =
            convert(Path::new("x.md"), "---\nname: x\n---\nNo heading.\n", &o).expect_err("refused");
        assert_eq!(
            refusal,
            Refusal::Missing(vec![
                Missing { field: "title".into(), tried: vec!["title".into(), "the first heading".into()] },
                Missing {
                    field: "date".into(),
                    tried: vec!["start_time".into(), "source_published_at".into(), "date".into()]
                },
            ])
        );
    }

    #[test]
    fn targets_are_checked_before_anything_is_read() {
        let check = |m: &str| check_targets(&[KeyMap::parse(m).expect("mapping")]).map_err(|d| d.to_string());
        assert!(check("company=victim.name").is_ok());
        assert!(check("url=sources").is_ok());
        assert!(check("owner=extra.owner").is_ok());
        assert_eq!(
            check("x=tittle").expect_err("typo"),
            "`--map x=tittle`: `tittle` is not a field casebook knows\n  help: did you mean `title`?"
        );
        assert!(check("x=victim.nmae").expect_err("typo").contains("victim.name, victim.sector"));
    }
}
