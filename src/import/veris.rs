//! VERIS 1.3 JSON incidents (as in the VERIS Community Database): `summary`,
//! `timeline.incident`, `victim` (id, country, NAICS industry), `actor.*` (variety, motive,
//! country), `action.*`, `attribute.*` (the CIA impact) and `reference` (sources).

use std::path::Path;

use serde_json::Value as Json;
use serde_yaml::{Mapping, Value};

use super::{Draft, file_name};

/// Sectors for the two-digit NAICS codes VERIS uses for `victim.industry`.
fn sector(naics: &str) -> Option<&'static str> {
    Some(match naics.get(..2)? {
        "11" => "agriculture",
        "21" => "mining",
        "22" => "utilities",
        "23" => "construction",
        "31" | "32" | "33" => "manufacturing",
        "42" => "wholesale",
        "44" | "45" => "retail",
        "48" | "49" => "transport",
        "51" => "information",
        "52" => "finance",
        "53" => "real-estate",
        "54" => "professional-services",
        "55" => "management",
        "56" => "administrative-services",
        "61" => "education",
        "62" => "healthcare",
        "71" => "entertainment",
        "72" => "accommodation",
        "81" => "other-services",
        "92" => "public-administration",
        _ => return None,
    })
}

fn motive(veris: &str) -> String {
    match veris {
        "Ideology" => "hacktivism".to_string(),
        "NA" | "Unknown" => "unknown".to_string(),
        other => other.to_lowercase(),
    }
}

fn actor_type(kind: &str, variety: &str) -> &'static str {
    match (kind, variety) {
        ("internal", _) => "insider",
        (_, "Organized crime") => "criminal",
        (_, "Nation-state" | "State-affiliated") => "state",
        (_, "Activist") => "hacktivist",
        ("partner", _) => "partner",
        _ => "unknown",
    }
}

fn strings(value: Option<&Json>) -> Vec<String> {
    match value {
        Some(Json::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        Some(Json::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn json_to_yaml(value: &Json) -> Value {
    serde_yaml::to_value(value).unwrap_or(Value::Null)
}

/// Converts one VERIS incident.
pub fn convert(_path: &Path, text: &str) -> Result<Draft, String> {
    let record: Json = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let object = record.as_object().ok_or("not a VERIS incident (a JSON object)")?;
    let mut draft = Draft::default();
    let mut used = vec!["schema_version", "incident_id"];

    let when = &record["timeline"]["incident"];
    let year = when["year"].as_u64().ok_or("no `timeline.incident.year`")?;
    let mut date = format!("{year:04}");
    if let Some(month) = when["month"].as_u64() {
        date.push_str(&format!("-{month:02}"));
        if let Some(day) = when["day"].as_u64() {
            date.push_str(&format!("-{day:02}"));
        }
    }
    draft.set("date", date.clone());
    used.push("timeline");

    let victim_name = record["victim"]["victim_id"].as_str().filter(|v| !v.is_empty()).map(str::to_string);
    let summary = record["summary"].as_str().map(str::trim).unwrap_or("").to_string();
    let first_sentence = summary.split(". ").next().unwrap_or("").trim_end_matches('.').to_string();
    let title = match (&victim_name, first_sentence.chars().count()) {
        (_, 10..=100) => first_sentence.clone(),
        (Some(victim), _) => format!("Incident at {victim}"),
        (None, _) => format!("Incident {}", record["incident_id"].as_str().unwrap_or("without a name")),
    };
    draft.set("title", title.clone());
    if !summary.is_empty() {
        draft.set("summary", summary.clone());
    }
    draft.notes.push(
        "mapped `summary` (and the title from its first sentence), `timeline.incident` to `date`".into(),
    );
    used.push("summary");

    let mut victim = Mapping::new();
    if let Some(name) = &victim_name {
        victim.insert("name".into(), name.clone().into());
    }
    if let Some(industry) = record["victim"]["industry"].as_str() {
        match sector(industry) {
            Some(s) => {
                victim.insert("sector".into(), s.into());
                draft.notes.push(format!("mapped NAICS `{industry}` to sector `{s}`"));
            }
            None => draft.keep("naics", Value::from(industry)),
        }
    }
    if !victim.is_empty() {
        draft.set("victim", Value::Mapping(victim));
    }
    let countries = strings(record["victim"].get("country"));
    if let Some(country) = countries.iter().find(|c| c.len() == 2 && *c != "Unknown") {
        draft.set_path("location.country", Value::from(country.as_str()));
        draft.notes.push("mapped `victim.country` to `location.country`".into());
    }
    used.push("victim");

    let mut motives: Vec<String> = Vec::new();
    let mut actors: Vec<Value> = Vec::new();
    if let Some(actor) = record["actor"].as_object() {
        for (kind, details) in actor {
            for m in strings(details.get("motive")) {
                let m = motive(&m);
                if !motives.contains(&m) {
                    motives.push(m);
                }
            }
            for variety in strings(details.get("variety")) {
                let mut a = Mapping::new();
                a.insert("name".into(), variety.clone().into());
                a.insert("type".into(), actor_type(kind, &variety).into());
                if let Some(c) = strings(details.get("country")).into_iter().find(|c| c.len() == 2) {
                    a.insert("country".into(), c.into());
                }
                actors.push(Value::Mapping(a));
            }
        }
        draft.notes.push("mapped `actor.*.variety` and `motive` to `actors`, `motives`".into());
        used.push("actor");
    }
    if !motives.is_empty() {
        draft.set("motives", Value::Sequence(motives.into_iter().map(Value::from).collect()));
    }
    if !actors.is_empty() {
        draft.set("actors", Value::Sequence(actors));
    }

    let mut tags: Vec<String> = Vec::new();
    if let Some(action) = record["action"].as_object() {
        for (category, details) in action {
            tags.push(category.to_lowercase());
            for variety in strings(details.get("variety")) {
                let tag = variety.to_lowercase();
                if variety != "Unknown" && !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
        }
        draft.notes.push("mapped `action.*` and their varieties to `tags`".into());
        used.push("action");
    }
    if !tags.is_empty() {
        draft.set("tags", Value::Sequence(tags.into_iter().map(Value::from).collect()));
    }

    if let Some(attribute) = record["attribute"].as_object() {
        let mut impact = Mapping::new();
        for part in ["confidentiality", "integrity", "availability"] {
            if let Some(details) = attribute.get(part) {
                // VERIS records that an attribute was affected, not how badly.
                let destroyed =
                    strings(details.get("variety")).iter().any(|v| v == "Loss" || v == "Destruction");
                let level = if destroyed || details["data_total"].as_u64().is_some_and(|n| n > 0) {
                    "high"
                } else {
                    "medium"
                };
                impact.insert(part.into(), level.into());
            }
        }
        if let Some(total) = record["attribute"]["confidentiality"]["data_total"].as_u64() {
            impact.insert("records".into(), total.into());
        }
        let duration = &record["attribute"]["availability"]["duration"];
        if let (Some(value), Some(unit)) = (duration["value"].as_u64(), duration["unit"].as_str()) {
            impact.insert("duration".into(), format!("{value} {}", unit.to_lowercase()).into());
        }
        if !impact.is_empty() {
            draft.set("impact", Value::Mapping(impact));
            draft
                .notes
                .push("mapped `attribute.*` to `impact` (affected: medium, or high for data loss)".into());
        }
        used.push("attribute");
    }

    let references = record["reference"].as_str().unwrap_or("");
    let sources: Vec<Value> = references
        .split([';', ' ', '\n'])
        .map(str::trim)
        .filter(|r| r.starts_with("http://") || r.starts_with("https://"))
        .map(|url| {
            let host = url.split('/').nth(2).unwrap_or(url);
            let mut s = Mapping::new();
            s.insert("title".into(), host.into());
            s.insert("url".into(), url.into());
            Value::Mapping(s)
        })
        .collect();
    if !sources.is_empty() {
        draft.notes.push(format!("mapped `reference` to {} sources", sources.len()));
        draft.set("sources", Value::Sequence(sources));
    }
    used.push("reference");

    for (key, value) in object {
        if !used.contains(&key.as_str()) {
            draft.keep(&format!("veris_{key}"), json_to_yaml(value));
        }
    }
    if let Some(id) = record["incident_id"].as_str() {
        draft.set_path("extra.veris_incident_id", Value::from(id));
    }
    draft.body = if summary.is_empty() { String::new() } else { format!("{summary}\n") };
    draft.file_name = file_name(&date, victim_name.as_deref().unwrap_or(&title));
    Ok(draft)
}
