//! Feeds for readers and aggregators: Atom (`/atom.xml`) and JSON Feed 1.1 (`/feed.json`) of
//! the newest incidents, and an Atom feed per taxonomy term (`/tags/ransomware/atom.xml`).
//!
//! Written without templates, so escaping and the formats' required elements are guaranteed
//! whatever the theme. Feeds need absolute URLs: a site whose `base_url` has no host gets none
//! (the build says so).

use serde_json::json;

use crate::base::{push_xml_escaped, xml_escape};
use crate::content::date::{IncidentDate, Precision};
use crate::content::incident::Incident;
use crate::plan::FeedFile;
use crate::site::Site;

/// An RFC 3339 timestamp for a date: the start of its period in UTC, or the instant written.
pub fn rfc3339(date: &IncidentDate) -> String {
    match date.precision() {
        Precision::Datetime => date.iso(),
        _ => crate::content::date::utc_stamp(date.sort_key(), "Z"),
    }
}

fn last_change(incident: &Incident) -> &IncidentDate {
    incident.updated.as_ref().filter(|u| **u > incident.date).unwrap_or(&incident.date)
}

/// Produces one feed, taking its entries from `shared`, which every feed of a build shares.
pub fn render(site: &Site, shared: &Entries, file: FeedFile) -> Vec<u8> {
    let limit = site.config.feeds.limit;
    match file {
        FeedFile::Atom => {
            let entries: Vec<usize> = (0..site.incidents.len().min(limit)).collect();
            atom(site, shared, &site.config.title, "", "atom.xml", &entries)
        }
        FeedFile::TermAtom(t, k) => {
            let taxonomy = &site.taxonomies[t];
            let term = &taxonomy.terms[k];
            let entries: Vec<usize> = term.incidents.iter().copied().take(limit).collect();
            let title = format!("{}: {} ({})", site.config.title, term.name, taxonomy.config.title());
            let page = taxonomy.term_rel_path(&term.slug);
            atom(site, shared, &title, &page, &format!("{page}atom.xml"), &entries)
        }
        FeedFile::Json => json_feed(site, limit),
    }
}

fn atom(
    site: &Site,
    shared: &Entries,
    title: &str,
    page: &str,
    feed_path: &str,
    indices: &[usize],
) -> Vec<u8> {
    let base = &site.base_url;
    let updated = indices
        .iter()
        .map(|&i| last_change(&site.incidents[i]))
        .max()
        .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), rfc3339);
    let entries: Vec<std::borrow::Cow<'_, str>> = indices.iter().map(|&i| shared.entry(site, i)).collect();
    // Sized for the entries and the head before them (some 700 bytes): the feed is never
    // copied to a larger buffer as it grows.
    let mut out = String::with_capacity(entries.iter().map(|e| e.len()).sum::<usize>() + 2048);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\"");
    out.push_str(&format!(" xml:lang=\"{}\">\n", xml_escape(&site.config.language)));
    out.push_str(&format!("  <title>{}</title>\n", xml_escape(title)));
    if !site.config.description.is_empty() {
        out.push_str(&format!("  <subtitle>{}</subtitle>\n", xml_escape(&site.config.description)));
    }
    out.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        xml_escape(&base.permalink(feed_path))
    ));
    out.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml_escape(&base.permalink(page))
    ));
    out.push_str(&format!("  <id>{}</id>\n", xml_escape(&base.permalink(feed_path))));
    out.push_str(&format!("  <updated>{updated}</updated>\n"));
    out.push_str(&format!("  <author><name>{}</name></author>\n", xml_escape(&site.config.title)));
    out.push_str(&format!("  <generator version=\"{}\">casebook</generator>\n", env!("CARGO_PKG_VERSION")));
    for entry in &entries {
        out.push_str(entry);
    }
    out.push_str("</feed>\n");
    out.into_bytes()
}

/// Each incident's Atom `<entry>` element, made once per build and shared by every feed that
/// lists the incident.
///
/// An incident is in the site's feed and in the feed of each of its terms, and its entry is the
/// same text in all of them, so it is made once per incident and kept until the build ends.
// Escaping its body is most of a feed's cost (some 7,400 entries, of 4,000 incidents, in the
// full site of 10,000). The entries are some 11 KB each for the incidents some feed lists:
// about 40 MB more at the full site's peak of 10,000 incidents, for 8% fewer instructions at
// 1,000 (where every incident is in three feeds) and some 1.5% at 10,000.
#[derive(Debug)]
pub struct Entries {
    cells: Vec<std::sync::OnceLock<Box<str>>>,
}

impl Entries {
    /// Room for the entries of `site`'s incidents, none made yet: for that site's feeds only.
    pub fn new(site: &Site) -> Entries {
        Entries { cells: (0..site.incidents.len()).map(|_| std::sync::OnceLock::new()).collect() }
    }

    /// The entry of incident `i`, made on first use.
    fn entry(&self, site: &Site, i: usize) -> std::borrow::Cow<'_, str> {
        debug_assert_eq!(self.cells.len(), site.incidents.len(), "entries of another site");
        let make = || entry(&site.incidents[i], &site.base_url);
        match self.cells.get(i) {
            Some(cell) => cell.get_or_init(|| make().into_boxed_str()).as_ref().into(),
            // Only entries made for another site (a bug) end early: made, not kept.
            None => make().into(),
        }
    }
}

/// An incident's Atom `<entry>` element, indented for its place in a feed.
fn entry(incident: &Incident, base: &crate::config::BaseUrl) -> String {
    let url = base.permalink(&crate::config::urls::incident(&incident.slug));
    let mut out = String::with_capacity(incident.content_html.len() * 5 / 4 + 1024);
    out.push_str("  <entry>\n");
    out.push_str(&format!("    <title>{}</title>\n", xml_escape(&incident.title)));
    out.push_str(&format!(
        "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml_escape(&url)
    ));
    out.push_str(&format!("    <id>{}</id>\n", xml_escape(&url)));
    out.push_str(&format!("    <published>{}</published>\n", rfc3339(&incident.date)));
    out.push_str(&format!("    <updated>{}</updated>\n", rfc3339(last_change(incident))));
    for tag in &incident.tags {
        out.push_str(&format!("    <category term=\"{}\"/>\n", xml_escape(tag)));
    }
    // Relative links in the HTML (`#section`, `/tags/x/`) resolve against the entry's page.
    let at = xml_escape(&url);
    out.push_str(&format!("    <summary type=\"html\" xml:base=\"{at}\">"));
    push_xml_escaped(&mut out, &incident.summary_html);
    out.push_str("</summary>\n");
    out.push_str(&format!("    <content type=\"html\" xml:base=\"{at}\">"));
    push_xml_escaped(&mut out, &incident.content_html);
    out.push_str("</content>\n");
    out.push_str("  </entry>\n");
    out
}

fn json_feed(site: &Site, limit: usize) -> Vec<u8> {
    let base = &site.base_url;
    let items: Vec<serde_json::Value> = site
        .incidents
        .iter()
        .take(limit)
        .map(|incident| {
            let url = base.permalink(&crate::config::urls::incident(&incident.slug));
            let mut item = json!({
                "id": url,
                "url": url,
                "title": incident.title,
                "summary": incident.summary_text,
                "content_html": incident.content_html,
                "date_published": rfc3339(&incident.date),
                "date_modified": rfc3339(last_change(incident)),
            });
            if !incident.tags.is_empty() {
                item["tags"] = json!(incident.tags);
            }
            item
        })
        .collect();
    let mut feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": site.config.title,
        "home_page_url": base.permalink(""),
        "feed_url": base.permalink("feed.json"),
        "language": site.config.language,
        "authors": [{"name": site.config.title}],
        "items": items,
    });
    if !site.config.description.is_empty() {
        feed["description"] = json!(site.config.description);
    }
    let mut bytes = serde_json::to_vec_pretty(&feed).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_become_rfc3339_at_the_start_of_their_period() {
        let d = |s: &str| rfc3339(&IncidentDate::parse(s).expect("date"));
        assert_eq!(d("2023-07"), "2023-07-01T00:00:00Z");
        assert_eq!(d("2023"), "2023-01-01T00:00:00Z");
        assert_eq!(d("2023-07-24T09:30:00+02:00"), "2023-07-24T09:30:00+02:00");
    }

    #[test]
    fn feeds_sharing_their_entries_are_the_feeds_made_alone() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let options = crate::LoadOptions {
            now: Some(2_000_000_000),
            base_url: Some("https://example.org/cases/".into()),
            ..Default::default()
        };
        let mut site = Site::load(root, &options).expect("the example site loads");
        // Feeds shorter than the site: term feeds then list incidents the site's feed does not.
        site.config.feeds.limit = 2;
        let feeds = crate::plan::feed_files(&site);
        assert!(feeds.len() > 10, "a feed per term: {}", feeds.len());
        // Made last to first, so each entry is first made for a feed other than the site's.
        let shared = Entries::new(&site);
        let mut together: Vec<Vec<u8>> =
            feeds.iter().rev().map(|(_, f)| render(&site, &shared, *f)).collect();
        together.reverse();
        let made = shared.cells.iter().filter(|c| c.get().is_some()).count();
        assert!(made > site.config.feeds.limit, "more entries than the site's feed holds: {made}");
        for ((path, file), shared_bytes) in feeds.iter().zip(&together) {
            let alone = render(&site, &Entries::new(&site), *file);
            assert_eq!(String::from_utf8_lossy(shared_bytes), String::from_utf8_lossy(&alone), "{path}");
        }
    }

    #[test]
    fn an_entry_holds_the_incident_escaped() {
        let text = "---\ntitle: \"Leak at <Acme> & Co\"\ndate: 2023-07-24\nupdated: 2023-08-01\n\
                    tags: [ransomware, \"R&D\"]\nsummary: Files taken.\n---\n\
                    ## What \"happened\"\n\nSee [the notice](https://acme.example/?a=1&b=2).\n";
        let schema = crate::Config::default().parse_settings();
        let path = std::path::Path::new("content/2023-07-24-acme.md");
        let incident = crate::content::incident::parse(path, "2023-07-24-acme.md", text, &schema)
            .expect("valid")
            .incident;
        let base = crate::config::BaseUrl::parse("https://example.org/cases/").expect("base URL");
        let url = "https://example.org/cases/incidents/2023-07-24-acme/";
        let expected = [
            "  <entry>\n",
            "    <title>Leak at &lt;Acme&gt; &amp; Co</title>\n",
            &format!("    <link rel=\"alternate\" type=\"text/html\" href=\"{url}\"/>\n"),
            &format!("    <id>{url}</id>\n"),
            "    <published>2023-07-24T00:00:00Z</published>\n",
            "    <updated>2023-08-01T00:00:00Z</updated>\n",
            "    <category term=\"ransomware\"/>\n",
            "    <category term=\"R&amp;D\"/>\n",
            &format!("    <summary type=\"html\" xml:base=\"{url}\">&lt;p&gt;Files taken.&lt;/p&gt;\n</summary>\n"),
            &format!("    <content type=\"html\" xml:base=\"{url}\">"),
            "&lt;h2 id=&quot;what-happened&quot;&gt;What “happened” ",
            "&lt;a class=&quot;anchor&quot; href=&quot;#what-happened&quot; ",
            "aria-label=&quot;Link to this section&quot;&gt;#&lt;/a&gt;&lt;/h2&gt;\n",
            "&lt;p&gt;See &lt;a href=&quot;https://acme.example/?a=1&amp;amp;b=2&quot;&gt;the notice&lt;/a&gt;.&lt;/p&gt;\n",
            "</content>\n",
            "  </entry>\n",
        ]
        .concat();
        assert_eq!(entry(&incident, &base), expected);
    }
}
