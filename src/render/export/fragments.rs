//! Each incident's share of the data files, serialized once per build.
//!
//! An incident's JSON record appears in its own `index.json` and in `/api/incidents.json`; its
//! STIX objects in its own `stix.json` and in `/api/stix-bundle.json`. Building and serializing
//! them was a third of a full build's CPU, half of it spent twice, and the two site-wide files
//! were the longest single jobs of a build. Here each incident's record and objects are
//! serialized the first time a file needs them, and the files are put together from that text.
//!
//! The files stay byte for byte what serde_json's pretty printer writes for the whole value:
//! a pretty JSON value nested `n` levels deep is the same text with every line indented by two
//! spaces per level, since a JSON string cannot hold a raw line break. The tests compare both.

use std::sync::OnceLock;

use serde::Serialize;

use super::{record, stix};
use crate::site::Site;

/// One STIX object: its id (shared objects appear in several incidents' bundles) and its
/// pretty JSON as it reads in a bundle's `objects` ([`OBJECT_MARGIN`]).
#[derive(Debug)]
pub struct StixObject {
    id: String,
    text: String,
}

/// One incident's record, as its JSON and its CSV row say it (each empty when that export
/// is off): made together, from one [`record::IncidentRecord`].
#[derive(Debug)]
struct Record {
    json: String,
    csv: String,
}

/// The serialized records and STIX objects of one build's incidents, made on first use.
#[derive(Debug, Default)]
pub struct Fragments {
    records: Vec<OnceLock<Record>>,
    stix: Vec<OnceLock<Vec<StixObject>>>,
}

/// Pretty JSON of a serializable value, as a string; serialization of these types cannot fail.
fn pretty(value: &impl Serialize) -> String {
    exact(|out| serde_json::to_writer_pretty(out, value))
}

/// The text `write` makes, in a string of exactly its length.
///
/// It is written into a buffer kept by the thread and copied out: every incident's record and
/// objects are kept for the whole build, and a buffer grown by doubling holds on average half
/// as much again as its text (over a hundred megabytes at 10,000 incidents).
fn exact(write: impl FnOnce(&mut Vec<u8>) -> serde_json::Result<()>) -> String {
    thread_local! {
        static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    SCRATCH.with_borrow_mut(|out| {
        out.clear();
        match (write(out), std::str::from_utf8(out)) {
            (Ok(()), Ok(text)) => text.to_string(),
            _ => String::new(),
        }
    })
}

/// Pretty JSON of a value as it reads nested `margin` spaces deep in a pretty document: every
/// line after the first starts `margin` spaces further in. A STIX object sits at the same depth
/// in its incident's bundle and in the site's, so its text is made that way once and copied
/// into both whole, rather than split into lines and indented for each.
fn pretty_nested(value: &impl Serialize, margin: usize) -> String {
    exact(|out| {
        let formatter = Nested { depth: 0, margin, has_value: false };
        value.serialize(&mut serde_json::Serializer::with_formatter(out, formatter))
    })
}

/// serde_json's pretty printer (two spaces per level) with a fixed extra margin.
struct Nested {
    depth: usize,
    margin: usize,
    has_value: bool,
}

impl Nested {
    fn line<W: std::io::Write + ?Sized>(&self, out: &mut W, start: &[u8]) -> std::io::Result<()> {
        const SPACES: [u8; 64] = [b' '; 64];
        out.write_all(start)?;
        let mut left = self.margin + 2 * self.depth;
        while left > 0 {
            let n = left.min(SPACES.len());
            out.write_all(&SPACES[..n])?;
            left -= n;
        }
        Ok(())
    }

    /// `[` or `{`.
    fn open<W: std::io::Write + ?Sized>(&mut self, out: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    /// `]` or `}`: on a line of its own unless the array or object is empty.
    fn close<W: std::io::Write + ?Sized>(&mut self, out: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.line(out, b"\n")?;
        }
        out.write_all(bracket)
    }

    /// Before an array's value or an object's key.
    fn item<W: std::io::Write + ?Sized>(&self, out: &mut W, first: bool) -> std::io::Result<()> {
        self.line(out, if first { b"\n" } else { b",\n" })
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: std::io::Write + ?Sized>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: std::io::Write + ?Sized>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: std::io::Write + ?Sized>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(out, first)
    }

    fn end_array_value<W: std::io::Write + ?Sized>(&mut self, _out: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: std::io::Write + ?Sized>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: std::io::Write + ?Sized>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: std::io::Write + ?Sized>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(out, first)
    }

    fn begin_object_value<W: std::io::Write + ?Sized>(&mut self, out: &mut W) -> std::io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: std::io::Write + ?Sized>(&mut self, _out: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

impl Fragments {
    /// Room for the fragments of `site`'s incidents.
    pub fn new(site: &Site) -> Fragments {
        let n = site.incidents.len();
        Fragments {
            records: std::iter::repeat_with(OnceLock::new).take(n).collect(),
            stix: std::iter::repeat_with(OnceLock::new).take(n).collect(),
        }
    }

    /// The fragments of an earlier build for a rebuild of `site`: incident `j` takes those of
    /// the earlier incident `from(j)`, when there is one. The caller answers only for an
    /// incident whose record and objects cannot differ: the same file, unchanged, whose
    /// shared STIX objects were first seen at the same times.
    // Without them, a preview rebuild after one edit serialized every incident again for the
    // site-wide files: half a second of its 0.6 s at 10,000 incidents.
    pub fn carried_over(mut self, site: &Site, from: impl Fn(usize) -> Option<usize>) -> Fragments {
        let mut carried = Fragments::new(site);
        for j in 0..site.incidents.len() {
            let Some(k) = from(j) else { continue };
            if let (Some(record), Some(stix)) = (self.records.get_mut(k), self.stix.get_mut(k)) {
                carried.records[j] = std::mem::take(record);
                carried.stix[j] = std::mem::take(stix);
            }
        }
        carried
    }

    /// Incident `i`'s record as pretty JSON, keys sorted, without the format version.
    fn record(&self, site: &Site, i: usize) -> &str {
        &self.both(site, i).json
    }

    /// Incident `i`'s record as JSON and as a CSV row. The CSV file used to make every record
    /// again, one incident after the other; its rows are now made with the JSON, in parallel,
    /// by the incidents' own data files.
    fn both(&self, site: &Site, i: usize) -> &Record {
        self.records[i].get_or_init(|| {
            let exports = &site.config.exports;
            let made = record::incident(site, &site.incidents[i]);
            Record {
                // Straight from the record: its fields are declared in key order (see
                // record.rs), so this is the text a JSON value, whose maps sort their keys,
                // would give.
                json: if exports.json { pretty(&made) } else { String::new() },
                csv: if exports.csv { super::csv::row(&made) } else { String::new() },
            }
        })
    }

    /// Incident `i`'s STIX objects.
    fn stix(&self, site: &Site, ctx: &stix::Context, i: usize) -> &[StixObject] {
        self.stix[i].get_or_init(|| {
            // Not collected from `into_iter()`: that reuses the list of objects, several
            // hundred bytes each, as the storage of the kept ones, and keeps all of it.
            let objects = stix::objects(ctx, site, &site.incidents[i]);
            let mut kept = Vec::with_capacity(objects.len());
            kept.extend(objects.iter().map(|object| StixObject {
                id: object.id().to_string(),
                text: pretty_nested(object, OBJECT_MARGIN),
            }));
            kept
        })
    }

    /// `/incidents/<slug>/index.json`: the record with its format version.
    pub fn incident_json(&self, site: &Site, i: usize) -> Vec<u8> {
        let text = self.record(site, i);
        // `version` sorts just before `victims`, a key every record has, at the top level: the
        // only line starting with two spaces and that key.
        const NEXT: &str = "\n  \"victims\": ";
        let mut out = String::with_capacity(text.len() + 20);
        // Searched from the end: `victims` is among the last keys, and the only line with it.
        match text.rfind(NEXT) {
            Some(at) => {
                out.push_str(&text[..at]);
                out.push_str(&format!("\n  \"version\": {},", record::VERSION));
                out.push_str(&text[at..]);
            }
            None => unreachable_shape(&mut out, text),
        }
        out.push('\n');
        out.into_bytes()
    }

    /// `/api/incidents.json`: every record, with the site and the format version.
    pub fn all_json(&self, site: &Site) -> Vec<u8> {
        let mut out = String::with_capacity(self.records.len() * 4096 + 256);
        out.push_str(&format!("{{\n  \"count\": {},\n  \"incidents\": ", site.incidents.len()));
        array(&mut out, 2, (0..site.incidents.len()).map(|i| self.record(site, i)));
        out.push_str(&format!(
            ",\n  \"site\": {{\n    \"title\": {},\n    \"url\": {}\n  }},\n  \"version\": {}\n}}\n",
            pretty(&site.config.title),
            pretty(&site.base_url.permalink("")),
            record::VERSION
        ));
        out.into_bytes()
    }

    /// `/api/incidents.csv`: the header and every incident's row.
    pub fn csv(&self, site: &Site) -> Vec<u8> {
        let header = super::csv::header();
        let rows: Vec<&str> = (0..site.incidents.len()).map(|i| self.both(site, i).csv.as_str()).collect();
        let mut out = String::with_capacity(header.len() + rows.iter().map(|r| r.len()).sum::<usize>());
        out.push_str(&header);
        rows.iter().for_each(|row| out.push_str(row));
        out.into_bytes()
    }

    /// `/incidents/<slug>/stix.json`: the incident's objects as a bundle.
    pub fn incident_stix(&self, site: &Site, ctx: &stix::Context, i: usize) -> Vec<u8> {
        let objects: Vec<&str> = self.stix(site, ctx, i).iter().map(|o| o.text.as_str()).collect();
        bundle(&ctx.bundle_id(&site.incidents[i].slug), &objects)
    }

    /// `/api/stix-bundle.json`: every incident's objects, each shared object once, where it
    /// first appears.
    pub fn site_stix(&self, site: &Site, ctx: &stix::Context) -> Vec<u8> {
        let mut seen = std::collections::HashSet::new();
        let objects: Vec<&str> = (0..site.incidents.len())
            .flat_map(|i| self.stix(site, ctx, i))
            .filter(|o| seen.insert(o.id.as_str()))
            .map(|o| o.text.as_str())
            .collect();
        bundle(&ctx.bundle_id("site"), &objects)
    }
}

/// A record without a `victims` key cannot come from [`record::incident`]; should the shape
/// change, the file is still valid JSON, only without its version.
fn unreachable_shape(out: &mut String, text: &str) {
    debug_assert!(false, "an incident record without `victims`");
    out.push_str(text);
}

/// How deep a bundle's objects sit: in the `objects` array of the bundle's object.
const OBJECT_MARGIN: usize = 4;

/// A STIX bundle: `{"id", "objects", "type"}` as serde_json prints it, from its objects'
/// text made by [`pretty_nested`] at [`OBJECT_MARGIN`].
///
/// Made at its final size: the site's bundle is tens of megabytes, and growing it by doubling
/// copied it over and over and held a third more memory than its text at the end.
fn bundle(id: &str, objects: &[&str]) -> Vec<u8> {
    let head = format!("{{\n  \"id\": {},\n  \"objects\": ", pretty(&id));
    // Each object after a separator of six bytes; the closing lines are shorter than 32.
    let size = head.len() + objects.iter().map(|o| o.len() + 6).sum::<usize>() + 32;
    let mut out = String::with_capacity(size);
    out.push_str(&head);
    let mut empty = true;
    for object in objects {
        out.push_str(if empty { "[\n    " } else { ",\n    " });
        empty = false;
        out.push_str(object);
    }
    out.push_str(if empty { "[]" } else { "\n  ]" });
    out.push_str(",\n  \"type\": \"bundle\"\n}\n");
    out.into_bytes()
}

/// A JSON array of pretty top-level `items`, as serde_json prints it at `indent` spaces.
fn array<'a>(out: &mut String, indent: usize, items: impl Iterator<Item = &'a str>) {
    // Every line of every item gets the same margin: pushed as one slice, not space by space.
    let margin = " ".repeat(indent + 2);
    let mut empty = true;
    for item in items {
        out.push_str(if empty { "[\n" } else { ",\n" });
        empty = false;
        for (n, line) in item.split('\n').enumerate() {
            if n > 0 {
                out.push('\n');
            }
            out.push_str(&margin);
            out.push_str(line);
        }
    }
    if empty {
        out.push_str("[]");
    } else {
        out.push('\n');
        out.push_str(&margin[2..]);
        out.push(']');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn serde_pretty(value: &serde_json::Value) -> String {
        let mut text = pretty(value);
        text.push('\n');
        text
    }

    #[test]
    fn arrays_are_laid_out_as_serde_json_does() {
        let items = [json!({"a": [1, {"b": "x\ny"}], "c": {}}), json!([]), json!("s"), json!({"d": []})];
        for n in 0..=items.len() {
            let value = json!({"id": "bundle--1", "objects": items[..n].to_vec(), "type": "bundle"});
            let texts: Vec<String> = items[..n].iter().map(|i| pretty_nested(i, OBJECT_MARGIN)).collect();
            let slices: Vec<&str> = texts.iter().map(String::as_str).collect();
            let made = bundle("bundle--1", &slices);
            assert_eq!(String::from_utf8(made).expect("utf-8"), serde_pretty(&value), "{n} items");
        }
    }

    #[test]
    fn kept_texts_hold_no_spare_room() {
        // Every incident's texts live for the whole build: spare capacity is memory wasted.
        let value = json!({"a": [1, {"b": "x".repeat(3000)}], "c": {"d": "y".repeat(5000)}});
        for text in [pretty(&value), pretty_nested(&value, OBJECT_MARGIN)] {
            assert_eq!(text.capacity(), text.len());
        }
        let objects: Vec<String> = (0..100).map(|_| pretty_nested(&value, OBJECT_MARGIN)).collect();
        let slices: Vec<&str> = objects.iter().map(String::as_str).collect();
        let made = bundle("bundle--1", &slices);
        assert!(made.capacity() - made.len() < 32, "{} spare", made.capacity() - made.len());
    }

    #[test]
    fn nested_text_is_the_pretty_text_moved_in() {
        let values = [
            json!({"a": [1, {"b": "x\ny", "e": []}], "c": {}, "d": [[{"deep": [true, null]}]]}),
            json!([]),
            json!("s"),
            json!({"k": [{"l": {"m": [1, 2]}}]}),
        ];
        for value in &values {
            assert_eq!(pretty_nested(value, 0), pretty(value));
            for margin in [2, 4, 70] {
                let moved = pretty(value).replace('\n', &format!("\n{}", " ".repeat(margin)));
                assert_eq!(pretty_nested(value, margin), moved, "{value} at {margin}");
            }
        }
    }

    #[test]
    fn files_equal_the_whole_values_serialized() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let site = Site::load(root, &crate::LoadOptions { now: Some(2_000_000_000), ..Default::default() })
            .expect("the example site loads");
        assert!(site.incidents.len() > 2);
        let ctx = stix::Context::new(&site);
        let fragments = Fragments::new(&site);
        let records: Vec<serde_json::Value> = site
            .incidents
            .iter()
            .map(|i| serde_json::to_value(record::incident(&site, i)).expect("a record"))
            .collect();
        for (i, incident) in site.incidents.iter().enumerate() {
            let mut value = records[i].clone();
            value["version"] = json!(record::VERSION);
            assert_eq!(fragments.incident_json(&site, i), serde_pretty(&value).into_bytes());
            // Through JSON values, whose maps sort their keys: the typed objects must agree.
            let objects: Vec<serde_json::Value> = stix::objects(&ctx, &site, incident)
                .iter()
                .map(|o| serde_json::to_value(o).expect("an object"))
                .collect();
            let whole = json!({"id": ctx.bundle_id(&incident.slug), "objects": objects, "type": "bundle"});
            assert_eq!(fragments.incident_stix(&site, &ctx, i), serde_pretty(&whole).into_bytes());
            // Kept for the whole build: no room for more objects than it has.
            let kept = fragments.stix[i].get().expect("made");
            assert_eq!(kept.capacity(), kept.len());
        }
        let all = json!({
            "version": record::VERSION,
            "site": {"title": site.config.title, "url": site.base_url.permalink("")},
            "count": site.incidents.len(),
            "incidents": records,
        });
        assert_eq!(fragments.all_json(&site), serde_pretty(&all).into_bytes());
        let records: Vec<_> = site.incidents.iter().map(|i| record::incident(&site, i)).collect();
        assert_eq!(fragments.csv(&site), super::super::csv::write(&records));
        let mut seen = std::collections::HashSet::new();
        let mut objects = Vec::new();
        for incident in &site.incidents {
            for object in stix::objects(&ctx, &site, incident) {
                if seen.insert(object.id().to_string()) {
                    objects.push(serde_json::to_value(&object).expect("an object"));
                }
            }
        }
        assert!(objects.len() < site.incidents.iter().map(|i| stix::objects(&ctx, &site, i).len()).sum());
        let whole = json!({"id": ctx.bundle_id("site"), "objects": objects, "type": "bundle"});
        assert_eq!(fragments.site_stix(&site, &ctx), serde_pretty(&whole).into_bytes());
    }
}
