//! cState status-page issues (Hugo Markdown): `title`, `date`, `resolved`, `resolvedWhen`,
//! `severity` (down, disrupted, notice), `affected`, `section`, and `{{< track "…" >}}`
//! shortcodes in the body, which become timeline entries.

use std::path::Path;

use serde_yaml::{Mapping, Value};

use super::{Draft, file_name, timestamp as date};

/// Converts one cState issue.
pub fn convert(_path: &Path, text: &str) -> Result<Draft, String> {
    let split = crate::base::frontmatter::split(text).map_err(|e| e.message().to_string())?;
    // Before the parser, whose time grows with the square of the nesting.
    if let Some((line, column)) = crate::base::frontmatter::too_deep_flow(split.yaml) {
        let line = split.yaml_line + line;
        return Err(format!("{} (line {line}, column {column})", crate::base::frontmatter::FLOW_TOO_DEEP));
    }
    let mut fields: Mapping = serde_yaml::from_str(split.yaml).map_err(|e| format!("invalid YAML: {e}"))?;
    let mut draft = Draft::default();
    let mut take = |key: &str| fields.shift_remove(key);
    let title = take("title").and_then(|v| v.as_str().map(str::to_string)).ok_or("no `title`")?;
    let when = take("date").and_then(|v| v.as_str().map(date)).ok_or("no `date`")?;
    draft.set("title", title.clone());
    draft.set("date", when.clone());
    draft.notes.push("mapped `title`, `date`".into());
    let resolved = take("resolved").and_then(|v| v.as_bool()).unwrap_or(false);
    draft.set("status", if resolved { "resolved" } else { "ongoing" });
    if let Some(at) = take("resolvedWhen").and_then(|v| v.as_str().map(date)) {
        draft.set("resolved_at", at);
    }
    draft.notes.push("mapped `resolved`, `resolvedWhen` to `status`, `resolved_at`".into());
    if let Some(severity) = take("severity").and_then(|v| v.as_str().map(str::to_string)) {
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
    if let Some(Value::Sequence(systems)) = take("affected") {
        let tags: Vec<Value> = systems.iter().filter_map(|s| s.as_str()).map(Value::from).collect();
        draft.set("tags", Value::Sequence(tags.clone()));
        draft.set_path("extra.affected", Value::Sequence(tags));
        draft.notes.push("mapped `affected` to `tags` (and kept it under extra)".into());
    }
    if take("section").is_some() {
        draft.notes.push("skipped `section` (always `issue` in cState)".into());
    }
    for (key, value) in fields {
        if let Some(key) = key.as_str() {
            draft.keep(key, value);
        }
    }
    // `{{< track "DATE" >}}` starts an update: the text up to the next one is the event. An
    // update goes to the timeline only: kept in the body too, the page showed it twice.
    let mut body = String::new();
    let mut events: Vec<(String, String)> = Vec::new();
    for line in split.body.lines() {
        let trimmed = line.trim();
        let track = trimmed
            .strip_prefix("{{<")
            .and_then(|r| r.strip_suffix(">}}"))
            .map(str::trim)
            .and_then(|r| r.strip_prefix("track"))
            .map(|r| r.trim().trim_matches('"').to_string());
        match track {
            Some(at) => events.push((date(&at), String::new())),
            None => {
                if let Some((_, text)) = events.last_mut() {
                    if !trimmed.is_empty() {
                        if !text.is_empty() {
                            text.push(' ');
                        }
                        text.push_str(trimmed);
                    }
                } else {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    if !events.is_empty() {
        let timeline: Vec<Value> = events
            .into_iter()
            .filter(|(_, text)| !text.is_empty())
            .map(|(at, event)| {
                let mut m = Mapping::new();
                m.insert("at".into(), at.into());
                m.insert("event".into(), event.into());
                Value::Mapping(m)
            })
            .collect();
        draft.notes.push(format!("moved {} `track` updates into timeline entries", timeline.len()));
        draft.set("timeline", Value::Sequence(timeline));
    }
    draft.body = format!("{}\n", body.trim_end());
    draft.file_name = file_name(&when, &title);
    Ok(draft)
}
