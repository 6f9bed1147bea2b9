//! Reading a field of an incident by a dotted path (`victims.sector`, `extra.vendor`): the
//! term keys a taxonomy groups incidents by, and which paths can be grouped by at all.

use crate::base::slugify;
use crate::content::incident::Incident;

/// The typed fields a taxonomy can read, besides custom top-level keys and `extra.…`.
pub const FIELDS: [&str; 23] = [
    "tags",
    "kind",
    "motives",
    "severity",
    "status",
    "techniques",
    "victim.name",
    "victim.sector",
    "victim.type",
    "victims.name",
    "victims.sector",
    "victims.type",
    "location.country",
    "location.region",
    "location.city",
    "actors.name",
    "actors.type",
    "actors.country",
    "impact.confidentiality",
    "impact.integrity",
    "impact.availability",
    "sources.publisher",
    "iocs.type",
];

/// Checks that a taxonomy can read `field`; the error says why not.
pub fn check_field(field: &str) -> Result<(), String> {
    let first = field.split('.').next().unwrap_or_default();
    let typed = crate::content::incident::KNOWN_KEYS.contains(&first) && first != "extra";
    if typed && (!FIELDS.contains(&field)) {
        let usable: Vec<&str> =
            FIELDS.iter().copied().filter(|f| f.starts_with(&format!("{first}."))).collect();
        return Err(if usable.is_empty() {
            format!("field `{field}` cannot group incidents: it is not a list of names")
        } else {
            format!("field `{field}` cannot group incidents; use one of {}", usable.join(", "))
        });
    }
    if field.split('.').any(str::is_empty) {
        return Err(format!("field `{field}` is not a dotted path like `victim.sector`"));
    }
    Ok(())
}

fn texts(value: &serde_yaml::Value) -> Vec<String> {
    match value {
        serde_yaml::Value::String(s) => vec![s.trim().to_string()],
        serde_yaml::Value::Number(n) => vec![n.to_string()],
        serde_yaml::Value::Bool(b) => vec![b.to_string()],
        serde_yaml::Value::Sequence(items) => items.iter().flat_map(texts).collect(),
        _ => Vec::new(),
    }
}

fn lookup<'v>(map: &'v serde_yaml::Mapping, path: &[&str]) -> Option<&'v serde_yaml::Value> {
    let (first, rest) = path.split_first()?;
    let value = map.get(*first)?;
    if rest.is_empty() {
        return Some(value);
    }
    lookup(value.as_mapping()?, rest)
}

/// The term keys an incident has for `field`, without duplicates, in the order written.
pub fn values(incident: &Incident, field: &str) -> Vec<String> {
    let level = |l: Option<crate::content::fields::Level>| l.map(|l| format!("{l:?}").to_lowercase());
    let mut out: Vec<String> = match field {
        "tags" => incident.tags.clone(),
        "motives" => incident.motives.clone(),
        "kind" => incident.kind.iter().map(|k| k.as_str().to_string()).collect(),
        "severity" => incident.severity.iter().cloned().collect(),
        "status" => incident.status.iter().cloned().collect(),
        "techniques" => incident.techniques.iter().map(|t| t.id.clone()).collect(),
        "victim.name" | "victims.name" => incident.victims.iter().filter_map(|v| v.name.clone()).collect(),
        "victim.sector" | "victims.sector" => {
            incident.victims.iter().filter_map(|v| v.sector.clone()).collect()
        }
        "victim.type" | "victims.type" => incident.victims.iter().filter_map(|v| v.kind.clone()).collect(),
        "location.country" => {
            incident.location.iter().filter_map(|l| l.country.as_ref().map(|c| c.code.clone())).collect()
        }
        "location.region" => incident.location.iter().filter_map(|l| l.region.clone()).collect(),
        "location.city" => incident.location.iter().filter_map(|l| l.city.clone()).collect(),
        "actors.name" => incident.actors.iter().map(|a| a.name.clone()).collect(),
        "actors.type" => incident.actors.iter().filter_map(|a| a.kind.clone()).collect(),
        "actors.country" => {
            incident.actors.iter().filter_map(|a| a.country.as_ref().map(|c| c.code.clone())).collect()
        }
        "impact.confidentiality" => {
            level(incident.impact.as_ref().and_then(|i| i.confidentiality)).into_iter().collect()
        }
        "impact.integrity" => level(incident.impact.as_ref().and_then(|i| i.integrity)).into_iter().collect(),
        "impact.availability" => {
            level(incident.impact.as_ref().and_then(|i| i.availability)).into_iter().collect()
        }
        "sources.publisher" => incident.sources.iter().filter_map(|s| s.publisher.clone()).collect(),
        "iocs.type" => incident.iocs.iter().map(|i| format!("{:?}", i.kind).to_lowercase()).collect(),
        _ => {
            let path: Vec<&str> = field.split('.').collect();
            let found = match path.split_first() {
                Some((&"extra", rest)) => lookup(&incident.extra, rest),
                _ => lookup(&incident.other, &path),
            };
            found.map(texts).unwrap_or_default()
        }
    };
    out.retain(|v| !v.is_empty() && !slugify(v).is_empty());
    let mut seen = std::collections::HashSet::new();
    out.retain(|v| seen.insert(slugify(v)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_checked() {
        assert!(check_field("victim.sector").is_ok());
        assert!(check_field("extra.vendor").is_ok());
        assert!(check_field("sectors").is_ok(), "a custom top-level key");
        assert!(check_field("kind").is_ok(), "outages, maintenance and notices can have pages");
        assert_eq!(
            check_field("victim.size").expect_err("unknown"),
            "field `victim.size` cannot group incidents; use one of victim.name, victim.sector, victim.type"
        );
        assert!(check_field("title").expect_err("not a list").contains("not a list of names"));
        assert!(check_field("extra..x").is_err());
    }
}
