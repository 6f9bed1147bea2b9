//! `/api/incidents.csv`: one row per incident, for spreadsheets and scripts.
//!
//! RFC 4180: comma-separated, CRLF line ends, fields quoted when they hold a comma, quote or
//! line break, quotes doubled. UTF-8 with a byte-order mark, because spreadsheet programs
//! otherwise guess a legacy encoding and garble names like "Angoulême". List fields are joined
//! with `;`. Cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`,
//! tab or carriage return) get a leading `'`, the usual defence against CSV injection.

use crate::render::export::record::{DateRecord, IncidentRecord};

/// The header row.
pub const COLUMNS: [&str; 31] = [
    "slug",
    "url",
    "title",
    "date",
    "date_precision",
    "updated",
    "summary",
    "status",
    "resolved_at",
    "severity",
    "victims",
    "sectors",
    "victim_types",
    "country",
    "country_name",
    "region",
    "city",
    "confidentiality",
    "integrity",
    "availability",
    "duration",
    "records",
    "people_affected",
    "motives",
    "actors",
    "actor_types",
    "techniques",
    "sources",
    "iocs",
    "tags",
    // Added after the others: a script reading columns by position keeps working.
    "kind",
];

/// Quotes a field when needed, and defuses formulas.
fn field(out: &mut String, value: &str) {
    let defused;
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        defused = format!("'{value}");
        defused.as_str()
    } else {
        value
    };
    if value.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

fn join<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items.into_iter().collect::<Vec<_>>().join(";")
}

fn level(l: Option<crate::content::Level>) -> String {
    l.map(|l| format!("{l:?}").to_lowercase()).unwrap_or_default()
}

fn date(d: &Option<DateRecord>) -> String {
    d.as_ref().map(|d| d.value.clone()).unwrap_or_default()
}

/// The CSV of `records`, all at once: what the file put together from rows must equal.
#[cfg(test)]
pub fn write(records: &[IncidentRecord]) -> Vec<u8> {
    let mut out = header();
    for r in records {
        out.push_str(&row(r));
    }
    out.into_bytes()
}

/// The start of the file: the byte-order mark and the header row.
pub fn header() -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&COLUMNS.join(","));
    out.push_str("\r\n");
    out
}

/// One incident's row, with its line end.
pub fn row(r: &IncidentRecord) -> String {
    let location = r.location.as_ref();
    let country = location.and_then(|l| l.country.as_ref());
    let impact = r.impact.as_ref();
    let cells: [String; 31] = [
        r.slug.clone(),
        r.url.clone(),
        r.title.clone(),
        r.date.value.clone(),
        format!("{:?}", r.date.precision).to_lowercase(),
        date(&r.updated),
        r.summary.clone(),
        r.status.clone().unwrap_or_default(),
        date(&r.resolved_at),
        r.severity.clone().unwrap_or_default(),
        join(r.victims.iter().filter_map(|v| v.name.as_deref())),
        join(r.victims.iter().filter_map(|v| v.sector.as_deref())),
        join(r.victims.iter().filter_map(|v| v.kind.as_deref())),
        country.map(|c| c.code.clone()).unwrap_or_default(),
        country.map(|c| c.name.clone()).unwrap_or_default(),
        location.and_then(|l| l.region.clone()).unwrap_or_default(),
        location.and_then(|l| l.city.clone()).unwrap_or_default(),
        level(impact.and_then(|i| i.confidentiality)),
        level(impact.and_then(|i| i.integrity)),
        level(impact.and_then(|i| i.availability)),
        impact.and_then(|i| i.duration.clone()).unwrap_or_default(),
        impact.and_then(|i| i.records).map(|n| n.to_string()).unwrap_or_default(),
        impact.and_then(|i| i.people_affected).map(|n| n.to_string()).unwrap_or_default(),
        join(r.motives.iter().map(String::as_str)),
        join(r.actors.iter().map(|a| a.name.as_str())),
        join(r.actors.iter().filter_map(|a| a.kind.as_deref())),
        join(r.techniques.iter().map(|t| t.id.as_str())),
        join(r.sources.iter().map(|s| s.url.as_str())),
        r.iocs.iter().map(|i| format!("{}:{}", i.kind.name(), i.value)).collect::<Vec<_>>().join(";"),
        join(r.tags.iter().map(String::as_str)),
        r.kind.unwrap_or_default().to_string(),
    ];
    let mut out = String::with_capacity(cells.iter().map(|c| c.len() + 3).sum::<usize>() + 2);
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(&mut out, cell);
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_defuses() {
        let mut out = String::new();
        for v in ["plain", "a,b", "say \"hi\"", "two\nlines", "=HYPERLINK(\"x\")", "-1", "Angoulême"] {
            field(&mut out, v);
            out.push('|');
        }
        assert_eq!(
            out,
            "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|\"'=HYPERLINK(\"\"x\"\")\"|'-1|Angoulême|"
        );
    }
}
