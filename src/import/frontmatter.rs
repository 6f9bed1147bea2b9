//! Any Markdown with YAML front matter, with a mapping of its keys to casebook's fields
//! (`--map start_time=date --map company=victim.name`). Keys casebook knows are kept; the rest
//! go under `extra`.

use std::path::Path;

use serde_yaml::{Mapping, Value};

use super::{Draft, file_name};

/// Converts one file.
pub fn convert(path: &Path, text: &str, map: &[(String, String)]) -> Result<Draft, String> {
    let split = crate::base::frontmatter::split(text).map_err(|e| e.message().to_string())?;
    // Before the parser, whose time grows with the square of the nesting.
    if let Some((line, column)) = crate::base::frontmatter::too_deep_flow(split.yaml) {
        let line = split.yaml_line + line;
        return Err(format!("{} (line {line}, column {column})", crate::base::frontmatter::FLOW_TOO_DEEP));
    }
    let fields: Mapping = serde_yaml::from_str(split.yaml).map_err(|e| format!("invalid YAML: {e}"))?;
    let mut draft = Draft::default();
    for (key, value) in fields {
        let Some(key) = key.as_str().map(str::to_string) else { continue };
        // Dates from other tools are often full timestamps; casebook wants a date or RFC 3339.
        let value = match (&value, map.iter().find(|(from, _)| *from == key)) {
            (Value::String(s), Some((_, to))) if to == "date" || to.ends_with("_at") => {
                Value::from(super::timestamp(s))
            }
            _ => value,
        };
        if let Some((_, to)) = map.iter().find(|(from, _)| *from == key) {
            draft.set_path(to, value);
            draft.notes.push(format!("mapped `{key}` to `{to}`"));
        } else if crate::content::incident::KNOWN_KEYS.contains(&key.as_str()) {
            draft.set(&key, value);
            draft.notes.push(format!("kept `{key}`"));
        } else {
            draft.keep(&key, value);
        }
    }
    let date = draft.front.get("date").map(|d| match d {
        Value::String(s) => s.chars().take(10).collect::<String>(),
        other => serde_yaml::to_string(other).unwrap_or_default().trim().to_string(),
    });
    let title = draft.front.get("title").and_then(|t| t.as_str()).map(str::to_string);
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    draft.file_name = file_name(date.as_deref().unwrap_or("undated"), title.as_deref().unwrap_or(&stem));
    draft.body = split.body.to_string();
    Ok(draft)
}
