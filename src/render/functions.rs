//! The functions casebook gives every template besides Tera's own: `get_taxonomy()`,
//! `asset()`, and the site-wide values (`taxonomies`, `stats`) put together for them.

use serde::Serialize;
use tera::{Tera, Value};

use super::*;

/// Registers `get_taxonomy(name="tags")`, which gives any template a taxonomy with all its
/// terms and each term's incidents (the same shared values list pages use). The values are
/// only put together on the first call: most themes never call it.
pub(super) fn register_lookups(tera: &mut Tera, site: &Site, incidents: std::sync::Arc<Vec<Value>>) {
    let taxonomies = std::sync::Arc::clone(&site.taxonomies);
    let base = site.base_url.clone();
    let by_name: std::sync::OnceLock<std::collections::HashMap<String, Value>> = std::sync::OnceLock::new();
    tera.register_function("get_taxonomy", move |kwargs: tera::Kwargs, _: &tera::State| {
        let name: String = kwargs.must_get("name")?;
        let by_name = by_name.get_or_init(|| taxonomy_values(&taxonomies, &base, &incidents));
        by_name.get(&name).cloned().ok_or_else(|| {
            let mut known: Vec<&str> = by_name.keys().map(String::as_str).collect();
            known.sort_unstable();
            tera::Error::message(format!(
                "get_taxonomy: no taxonomy `{name}`; this site has {}",
                known.join(", ")
            ))
        })
    });
}

/// Every taxonomy as `get_taxonomy()` returns it, by name.
pub(super) fn taxonomy_values(
    taxonomies: &[Taxonomy],
    base: &crate::config::BaseUrl,
    incidents: &[Value],
) -> std::collections::HashMap<String, Value> {
    let mut by_name = std::collections::HashMap::new();
    for taxonomy in taxonomies {
        let mut map = Value::from_serializable(&taxonomy_view(base, taxonomy)).into_map().unwrap_or_default();
        let terms: Vec<Value> = taxonomy
            .terms
            .iter()
            .map(|term| {
                let mut t = tera::Map::new();
                t.insert("name".into(), Value::from(term.name.as_str()));
                t.insert("key".into(), Value::from(term.key.as_str()));
                t.insert("slug".into(), Value::from(term.slug.as_str()));
                let url = taxonomy.config.pages.then(|| base.url(&taxonomy.term_rel_path(&term.slug)));
                t.insert("url".into(), Value::from(url));
                t.insert("count".into(), Value::from(term.incidents.len()));
                let list: Vec<Value> = term.incidents.iter().map(|&i| incidents[i].clone()).collect();
                t.insert("incidents".into(), Value::from(list));
                Value::from(t)
            })
            .collect();
        map.insert("terms".into(), Value::from(terms));
        by_name.insert(taxonomy.config.name.clone(), Value::from(map));
    }
    by_name
}

/// The site's figures, with their charts as ready SVG (marked safe: casebook drew them), in
/// the site's language: months by their short names, kinds by theirs, digits grouped.
pub(super) fn stats_value(stats: &crate::site::Stats, strings: &Strings) -> Value {
    use charts::{columns, rows};
    let mut stats = stats.clone();
    for bar in &mut stats.per_month {
        let (year, month) = bar.key.split_once('-').unwrap_or_default();
        if let Ok(month) = month.parse::<i8>() {
            bar.label = format!("{} {year}", strings.month_short(month));
        }
    }
    for bar in &mut stats.by_kind {
        bar.label = strings.text(&format!("kinds_{}", bar.key));
    }
    let separator = strings.separator();
    let mut map = Value::from_serializable(&stats).into_map().unwrap_or_default();
    // A median of one or two is no figure worth a line.
    let median = stats.median_minutes_to_resolve.filter(|_| stats.resolved_timed >= 3).map(|minutes| {
        crate::content::date::elapsed_text(
            &crate::content::date::in_minutes(minutes),
            &strings.duration_words(),
        )
    });
    map.insert("median_resolution".into(), Value::from(median));
    let mut charts = tera::Map::new();
    let chart = |svg: String| Value::safe_string(&svg);
    let title = |key: &str| strings.text(key);
    let figures = [
        ("per_year", columns(&title("chart_per_year"), &stats.per_year, &separator)),
        ("per_month", columns(&title("chart_per_month"), &stats.per_month, &separator)),
        ("by_sector", rows(&title("chart_by_sector"), &stats.by_sector, &separator)),
        ("by_country", rows(&title("chart_by_country"), &stats.by_country, &separator)),
        ("by_severity", rows(&title("chart_by_severity"), &stats.by_severity, &separator)),
        ("by_kind", rows(&title("chart_by_kind"), &stats.by_kind, &separator)),
        ("top_techniques", rows(&title("chart_top_techniques"), &stats.top_techniques, &separator)),
    ];
    for (name, svg) in figures {
        charts.insert(name.into(), chart(svg));
    }
    map.insert("charts".into(), Value::from(charts));
    Value::from(map)
}

/// Registers `t(key="timeline")`, the theme's text for a key in the site's language, and
/// `month_name(month=7)`. Arguments besides `key` fill the text's `{name}` placeholders;
/// `count` also picks the plural form and is printed with the language's digit grouping;
/// `form="one"` gives a plural form as written, for a script to fill.
pub(super) fn register_words(tera: &mut Tera, strings: std::sync::Arc<Strings>) {
    let words = std::sync::Arc::clone(&strings);
    tera.register_function("t", move |kwargs: tera::Kwargs, _: &tera::State| {
        let key: String = kwargs.must_get("key")?;
        if let Some(form) = kwargs.get::<String>("form")? {
            return words.form(&key, &form).map_err(tera::Error::message);
        }
        let count = match kwargs.get::<Value>("count")? {
            Some(v) => Some(v.as_i128().ok_or_else(|| {
                tera::Error::message(format!("t: `count` must be a whole number, got `{v}`"))
            })?),
            None => None,
        };
        let mut values = Vec::new();
        for (name, value) in kwargs.iter() {
            let Some(name) = name.as_str() else { continue };
            if matches!(name, "key" | "count" | "form") {
                continue;
            }
            // Only `count` is a quantity to group (`12,500`); a year or page number is not.
            let text = value.as_str().map_or_else(|| value.to_string(), str::to_string);
            values.push((name, text));
        }
        words.format(&key, count, &values).map_err(tera::Error::message)
    });
    tera.register_function("month_name", move |kwargs: tera::Kwargs, _: &tera::State| {
        let month: i64 = kwargs.must_get("month")?;
        let month = i8::try_from(month).ok().filter(|m| (1..=12).contains(m));
        month.map(|m| strings.month(m)).ok_or_else(|| tera::Error::message("month_name: `month` is 1 to 12"))
    });
}

/// Registers `asset(path="style.css")`: the file's URL with a short content hash
/// (`/style.css?v=3f2a…`), so static hosts can cache theme files for long without ever serving
/// a stale one after a change.
pub(super) fn register_assets(tera: &mut Tera, site: &Site, theme: &Theme, versioned: bool) -> u64 {
    let versions = theme.asset_versions();
    let fingerprint = if versioned {
        let mut sorted: Vec<(&String, &String)> = versions.iter().collect();
        sorted.sort_unstable();
        hash_of(&sorted)
    } else {
        // Unversioned URLs only change with the set of files.
        let mut names: Vec<&String> = versions.keys().collect();
        names.sort_unstable();
        hash_of(&names)
    };
    let base = site.base_url.clone();
    let versions = std::sync::Arc::new(versions);
    tera.register_function("asset", move |kwargs: tera::Kwargs, _: &tera::State| {
        let path: String = kwargs.must_get("path")?;
        let path = path.trim_start_matches('/');
        match versions.get(path) {
            Some(_) if !versioned => Ok(base.url(path)),
            Some(v) => Ok(format!("{}?v={v}", base.url(path))),
            None => {
                Err(tera::Error::message(format!("asset: the theme and site have no static file `{path}`")))
            }
        }
    });
    fingerprint
}

/// A hash of a value, to tell whether it changed between two builds of one process.
pub(super) fn hash_of(value: &impl std::hash::Hash) -> u64 {
    crate::base::hash::fingerprint(value)
}

/// A hash of a value's JSON form.
pub(super) fn json_hash(value: &impl Serialize) -> u64 {
    hash_of(&serde_json::to_string(value).unwrap_or_default())
}

pub(super) fn taxonomy_view(base: &crate::config::BaseUrl, taxonomy: &Taxonomy) -> TaxonomyView {
    TaxonomyView {
        name: taxonomy.config.name.clone(),
        field: taxonomy.config.field().to_string(),
        title: taxonomy.config.title(),
        url: taxonomy.config.pages.then(|| base.url(&taxonomy.rel_path())),
        count: taxonomy.terms.len(),
    }
}
