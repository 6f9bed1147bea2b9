//! cState status-page issues (Hugo Markdown): `title`, `date`, `resolved`, `resolvedWhen`,
//! `severity` (down, disrupted, notice), `affected`, `informational`, `section`, Hugo's own
//! `aliases`, `slug`, `url`, `draft` and `lastmod`, and the updates in the body (see
//! [`super::updates`]), which become timeline entries.
//!
//! An issue's page was `/issues/<file name>/` on the cState site; its imported file is named
//! after its date and title, so the old address is kept as an alias (a redirect page), and
//! links to the status page keep working.

use std::path::Path;

use serde_yaml::{Mapping, Value};

use super::dates;
use super::updates::{self, Times};
use super::{Draft, Refusal, file_name};
use crate::content::date::IncidentDate;

/// Text of a scalar value, as written.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

/// A date field normalised, or the file refused with the reason.
fn date_of(key: &str, value: &Value) -> Result<String, Refusal> {
    let written = text_of(value).ok_or_else(|| Refusal::because(format!("`{key}` must be a date")))?;
    dates::normalize(&written).map_err(|e| Refusal::because(format!("`{key}`: {e}")))
}

/// The old address of an issue on its cState site, as Hugo made it: `url` when given, else
/// `/issues/<slug or file name>/`, lower-cased (Hugo's default), spaces as dashes.
fn old_address(path: &Path, slug: Option<&str>, url: Option<&str>) -> Option<String> {
    if let Some(url) = url {
        return Some(url.to_string());
    }
    let stem = path.file_stem()?.to_string_lossy();
    let name = slug.unwrap_or(&stem);
    let name: String = name
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_whitespace() { '-' } else { c })
        // What Hugo would drop from a path, and casebook's aliases refuse.
        .filter(|c| c.is_alphanumeric() || "-_.~".contains(*c))
        .collect();
    (!name.is_empty()).then(|| format!("/issues/{name}/"))
}

/// Whether an issue is planned work: its title or file name says so.
fn is_maintenance(title: &str, path: &Path) -> bool {
    let stem = path.file_stem().map(|s| s.to_string_lossy().to_lowercase()).unwrap_or_default();
    let title = title.to_lowercase();
    ["maintenance", "scheduled", "planned"].iter().any(|w| title.contains(w)) || stem.contains("maintenance")
}

/// Converts one cState issue.
pub fn convert(path: &Path, text: &str) -> Result<Draft, Refusal> {
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
        serde_yaml::from_str(split.yaml).map_err(|e| Refusal::because(format!("invalid YAML: {e}")))?
    };
    let mut draft = Draft::default();
    let mut take = |key: &str| fields.shift_remove(key).filter(|v| !v.is_null());
    let title = take("title").as_ref().and_then(text_of);
    let date_value = take("date");
    let (Some(title), Some(date_value)) = (title.clone(), date_value.clone()) else {
        let missing = [("title", title.is_none()), ("date", date_value.is_none())]
            .into_iter()
            .filter(|(_, absent)| *absent)
            .map(|(field, _)| super::Missing { field: field.to_string(), tried: vec![field.to_string()] })
            .collect();
        return Err(Refusal::Missing(missing));
    };
    let when = date_of("date", &date_value)?;
    draft.set("title", title.clone());
    draft.set("date", when.clone());
    draft.notes.push("mapped `title`, `date`".into());

    let informational = take("informational").and_then(|v| v.as_bool()).unwrap_or(false);
    let kind = if is_maintenance(&title, path) {
        "maintenance"
    } else if informational {
        "notice"
    } else {
        "outage"
    };
    draft.set("kind", kind);
    draft.notes.push(match (kind, informational) {
        ("maintenance", _) => "set `kind: maintenance` (the title or file name says maintenance)".to_string(),
        ("notice", _) => "mapped `informational: true` to `kind: notice`".to_string(),
        _ => "set `kind: outage` (a cState issue)".to_string(),
    });

    let resolved = take("resolved").and_then(|v| v.as_bool());
    let resolved_at = take("resolvedWhen").map(|v| date_of("resolvedWhen", &v)).transpose()?;
    // An informational post has no state to resolve; any other issue is open until it says so.
    match (resolved, informational) {
        (Some(true), _) => draft.set("status", "resolved"),
        (Some(false), _) | (None, false) => draft.set("status", "ongoing"),
        (None, true) => {}
    }
    if let Some(at) = &resolved_at {
        draft.set("resolved_at", at.clone());
        let (start, end) = (IncidentDate::parse(&when), IncidentDate::parse(at));
        if let (Ok(start), Ok(end)) = (start, end)
            && end < start
        {
            draft.notes.push("`resolvedWhen` is before `date`; kept as written".into());
        }
    }
    match (resolved.is_some(), resolved_at.is_some()) {
        (true, true) => {
            draft.notes.push("mapped `resolved`, `resolvedWhen` to `status`, `resolved_at`".into())
        }
        (true, false) => draft.notes.push("mapped `resolved` to `status`".into()),
        (false, true) => draft.notes.push("mapped `resolvedWhen` to `resolved_at`".into()),
        (false, false) => {}
    }
    if let Some(updated) = take("lastmod") {
        draft.set("updated", date_of("lastmod", &updated)?);
        draft.notes.push("mapped `lastmod` to `updated`".into());
    }
    if let Some(severity) = take("severity").as_ref().and_then(text_of) {
        let mapped = match severity.as_str() {
            "down" => Some("high"),
            "disrupted" => Some("medium"),
            "notice" => Some("low"),
            _ => None,
        };
        match mapped {
            Some(level) => {
                draft.set("severity", level);
                draft.notes.push(format!("mapped severity `{severity}` to `{level}`"));
            }
            None => draft.keep("severity", Value::from(severity)),
        }
    }
    let mut tags: Vec<Value> = Vec::new();
    if let Some(Value::Sequence(systems)) = take("affected") {
        tags = systems.iter().filter_map(text_of).map(Value::from).collect();
        draft.set_path("extra.affected", Value::Sequence(tags.clone()));
        draft.notes.push("mapped `affected` to `tags` (and kept it under extra)".into());
    }
    if let Some(Value::Sequence(own)) = take("tags") {
        tags.extend(own.iter().filter_map(text_of).map(Value::from));
    }
    if !tags.is_empty() {
        draft.set("tags", Value::Sequence(tags));
    }
    if take("section").is_some() {
        draft.notes.push("skipped `section` (always `issue` in cState)".into());
    }
    if let Some(Value::Bool(true)) = take("draft") {
        draft.set("draft", true);
    }

    // The old address, and Hugo's own aliases: links to the status page must keep working.
    let slug = take("slug").as_ref().and_then(text_of);
    let url = take("url").as_ref().and_then(text_of);
    let mut aliases: Vec<String> = old_address(path, slug.as_deref(), url.as_deref()).into_iter().collect();
    if let Some(Value::Sequence(own)) = take("aliases") {
        aliases.extend(own.iter().filter_map(text_of));
    }
    let mut kept_aliases: Vec<Value> = Vec::new();
    for alias in aliases {
        match crate::content::incident::alias_path(&alias, "/") {
            Ok(_) if !kept_aliases.contains(&Value::from(alias.as_str())) => kept_aliases.push(alias.into()),
            Ok(_) => {}
            Err(why) => draft.notes.push(format!("could not keep the old address: {why}")),
        }
    }
    if !kept_aliases.is_empty() {
        let shown: Vec<&str> = kept_aliases.iter().filter_map(Value::as_str).collect();
        draft.notes.push(format!(
            "kept the old address{} as alias: {}",
            if shown.len() == 1 { "" } else { "es" },
            shown.join(", ")
        ));
        draft.set("aliases", Value::Sequence(kept_aliases));
    }

    for (key, value) in fields {
        if let Some(key) = key.as_str() {
            draft.keep(key, value);
        }
    }

    let times = Times { start: Some(when.clone()), resolved: resolved_at };
    let found = updates::extract(split.body, &times).map_err(Refusal::because)?;
    draft.notes.extend(found.notes);
    let mut events = found.updates;
    // In time order in the file too (cState sites list them newest first); the order of
    // updates with one time is kept.
    events.sort_by_key(|u| IncidentDate::parse(&u.at).map(|d| d.sort_key()).unwrap_or(i64::MAX));
    if !events.is_empty() {
        // Lists show a summary: with the body empty, it would be blank; the first update
        // says what happened.
        if found.body.is_empty() {
            let first = events[0].text.split("\n\n").next().unwrap_or_default().trim();
            if !first.is_empty() {
                draft.set("summary", first.replace('\n', " "));
                draft
                    .notes
                    .push("took the summary from the first update (the body has no text of its own)".into());
            }
        }
        let timeline: Vec<Value> = events
            .into_iter()
            .map(|u| {
                let mut m = Mapping::new();
                m.insert("at".into(), u.at.into());
                m.insert("event".into(), u.text.into());
                Value::Mapping(m)
            })
            .collect();
        draft.set("timeline", Value::Sequence(timeline));
    }
    draft.body = if found.body.is_empty() { String::new() } else { format!("{}\n", found.body) };
    draft.file_name = file_name(&when, &title);
    Ok(draft)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_addresses_are_what_hugo_made() {
        let path = Path::new("content/issues/2020-06-13-Maintenance Window copy.md");
        assert_eq!(
            old_address(path, None, None).as_deref(),
            Some("/issues/2020-06-13-maintenance-window-copy/")
        );
        assert_eq!(old_address(path, Some("dns-api"), None).as_deref(), Some("/issues/dns-api/"));
        assert_eq!(old_address(path, None, Some("/incident/7/")).as_deref(), Some("/incident/7/"));
    }

    #[test]
    fn maintenance_is_read_from_the_title_or_the_file_name() {
        assert!(is_maintenance("Maintenance window on ci", Path::new("x.md")));
        assert!(is_maintenance("AKS version update", Path::new("2021-11-25-maintenance-k8s.md")));
        assert!(!is_maintenance("LDAP server down", Path::new("2021-10-01-ldap-outage.md")));
    }
}
