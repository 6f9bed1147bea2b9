//! The incident model end to end: every field of the schema reaches the pages, custom
//! taxonomies from configuration, term merging, and the archive.
//!
//! The site is `tests/fixtures/model-site/`; key parts of its complete incident's page are
//! pinned in `tests/fixtures/model-site.expected/`.

use crate::common;

use std::path::{Path, PathBuf};

use common::{assert_matches_file, casebook, copy_dir, files, fixtures, read, stderr};

fn build() -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("site");
    let result =
        casebook(&fixtures().join("model-site"), &["build", "--output", target.to_str().expect("UTF-8")]);
    assert!(result.status.success(), "build failed:\n{}", stderr(&result));
    assert!(!stderr(&result).contains("warning"), "{}", stderr(&result));
    (out, target)
}

/// The element of `html` that starts at the first `<tag class="class"` and its closing tag
/// (tags of the same name nest).
fn element(html: &str, tag: &str, class: &str) -> String {
    let open = format!("<{tag} class=\"{class}\"");
    let start = html.find(&open).unwrap_or_else(|| panic!("no {open} in page"));
    let (mut depth, mut at) = (0, start);
    loop {
        let next_open = html[at + 1..].find(&format!("<{tag}")).map(|i| i + at + 1);
        let next_close =
            html[at + 1..].find(&format!("</{tag}>")).map(|i| i + at + 1).expect("closed element");
        match next_open {
            Some(o) if o < next_close => {
                depth += 1;
                at = o;
            }
            _ if depth == 0 => return html[start..next_close + tag.len() + 3].to_string(),
            _ => {
                depth -= 1;
                at = next_close;
            }
        }
    }
}

fn expected(name: &str) -> PathBuf {
    fixtures().join("model-site.expected").join(name)
}

#[test]
fn complete_incident_shows_every_field() {
    let (_out, site) = build();
    let page = read(&site, "incidents/complete/index.html");
    for (tag, class, file) in [
        ("table", "impact", "impact.html"),
        ("ol", "timeline", "timeline.html"),
        ("table", "iocs", "iocs.html"),
        ("dl", "facts-list", "facts.html"),
        ("ul", "sources", "sources.html"),
    ] {
        assert_matches_file(&(element(&page, tag, class) + "\n"), &expected(file));
    }
    for shown in [
        "Riverside Water Board",
        "Riverside, Gelderland, <a href=\"/countries/nl/\">Netherlands</a>",
        "Severe",
        "Resolved",
        "30 March 2024",
        "<strong>phishing</strong>",
        "T1566.001 Spearphishing Attachment",
        "https://attack.mitre.org/techniques/T1566/001/",
        "Example Spider",
        "Russia",
    ] {
        assert!(page.contains(shown), "the page lacks {shown}");
    }
    // `kind: incident` is what the site is about anyway: no badge says so.
    assert!(!page.contains("<span class=\"badge\">Incident</span>"));
    let record: serde_json::Value =
        serde_json::from_str(&read(&site, "incidents/complete/index.json")).expect("JSON");
    assert_eq!(record["kind"], "incident");
    assert_eq!(
        record["sources"][0]["archived_url"],
        "https://web.archive.org/web/20240313/https://example.org/riverside/statement"
    );
}

#[test]
fn indicators_are_only_ever_shown_defanged() {
    let (_out, site) = build();
    for file in files(&site).into_iter().filter(|f| f.ends_with(".html")) {
        let html = read(&site, &file);
        for raw in ["invoice-portal.example", "203.0.113.7", "billing@"] {
            assert!(!html.contains(raw), "{file} shows the live indicator {raw}");
        }
    }
    let page = read(&site, "incidents/complete/index.html");
    assert!(page.contains("hxxps://invoice-portal[.]example/download[.]php"));
    assert!(page.contains("203[.]0[.]113[.]7"));
}

#[test]
fn timeline_is_in_time_order() {
    let (_out, site) = build();
    let timeline = element(&read(&site, "incidents/complete/index.html"), "ol", "timeline");
    let clerk = timeline.find("clerk").expect("first event");
    let encrypted = timeline.find("<em>encrypted</em>").expect("second event, Markdown rendered");
    let restored = timeline.find("restored").expect("third event");
    assert!(clerk < encrypted && encrypted < restored);
}

#[test]
fn taxonomies_come_from_configuration() {
    let (_out, site) = build();
    // A custom taxonomy read from `extra.vendor`, as a text or a list.
    let acme = read(&site, "vendors/acme-scada/index.html");
    assert!(acme.contains("/incidents/complete/") && acme.contains("/incidents/month/"));
    assert!(read(&site, "vendors/libris/index.html").contains("/incidents/month/"));
    // A custom URL path and title.
    assert!(read(&site, "threat-actors/example-spider/index.html").contains("/incidents/year/"));
    assert!(read(&site, "threat-actors/index.html").contains("Threat actors"));
    // Country codes in any case are one term, shown by name.
    let nl = read(&site, "countries/nl/index.html");
    assert!(
        nl.contains("Netherlands") && nl.contains("/incidents/month/") && nl.contains("/incidents/complete/")
    );
    // `pages: false` makes no pages.
    assert!(!site.join("cities").exists());
    // A custom severity scale.
    assert!(read(&site, "severity/severe/index.html").contains("/incidents/complete/"));
}

#[test]
fn two_spellings_are_one_term_with_one_name() {
    let (_out, site) = build();
    let term = read(&site, "tags/ransomware/index.html");
    assert!(term.contains("/incidents/complete/") && term.contains("/incidents/month/"));
    let list = read(&site, "tags/index.html");
    let mut terms: Vec<&str> = list
        .split("href=\"/tags/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|s| !s.is_empty())
        .collect();
    terms.sort_unstable();
    terms.dedup();
    assert_eq!(terms, ["credential-stuffing/", "defacement/", "outage/", "phishing/", "ransomware/"]);
    assert!(
        list.contains(">Ransomware</a> <span class=\"count\">2 incidents"),
        "named as first seen, counted once"
    );
}

#[test]
fn terms_sort_by_count_when_configured() {
    let (_out, site) = build();
    let list = read(&site, "sectors/index.html");
    let education = list.find("/sectors/education/").expect("education");
    let water = list.find("/sectors/water-utility/").expect("water");
    assert!(education < water, "education has two incidents, water one");
}

#[test]
fn archive_by_year_and_month() {
    let (_out, site) = build();
    for page in [
        "archive/index.html",
        "archive/2024/index.html",
        "archive/2024/03/index.html",
        "archive/2023/index.html",
        "archive/2023/11/index.html",
    ] {
        assert!(site.join(page).is_file(), "{page}");
    }
    let march = read(&site, "archive/2024/03/index.html");
    let complete = march.find("/incidents/complete/").expect("day precision");
    let month = march.find("/incidents/month/").expect("month precision");
    assert!(complete < month, "newest first: 12 March before 'March'");
    let year = read(&site, "archive/2023/index.html");
    let november = year.find("/incidents/older/").expect("November");
    let unknown = year.find("/incidents/year/").expect("year precision");
    assert!(november < unknown, "incidents known only by year come last");
    assert!(read(&site, "archive/index.html").contains("/archive/2023/11/"));
}

#[test]
fn month_precision_is_shown_as_a_month() {
    let (_out, site) = build();
    let page = read(&site, "incidents/month/index.html");
    assert!(
        page.contains("<time datetime=\"2024-03\">March 2024</time>"),
        "{}",
        &page[..page.len().min(3000)]
    );
}

#[test]
fn related_incidents_share_terms() {
    let (_out, site) = build();
    let page = read(&site, "incidents/complete/index.html");
    let related = element(&page, "ul", "related");
    assert!(related.contains("/incidents/month/"), "shares a tag, a country, a vendor: {related}");
}

#[test]
fn related_lists_are_kept_without_spare_room() {
    // Each list is made from every incident that shares a term, then cut to five; it is kept
    // for the whole build, so the room of the long list must not be kept with it.
    let site = casebook::Site::load(&fixtures().join("model-site"), &casebook::LoadOptions::default())
        .expect("site");
    assert!(site.related().iter().any(|r| !r.is_empty()));
    for list in site.related() {
        assert!(list.len() <= 5 && list.capacity() == list.len(), "{} for {}", list.capacity(), list.len());
    }
}

#[test]
fn related_lists_are_the_same_however_many_threads_ask_first() {
    // Made on first use: asked for at once by jobs of the pool, as pages rendered in parallel
    // would, and by a thread outside it, they must neither deadlock nor differ from the lists
    // made by one caller.
    use rayon::prelude::*;
    let load = || {
        casebook::Site::load(&fixtures().join("model-site"), &casebook::LoadOptions::default()).expect("site")
    };
    let expected = load().related().to_vec();
    assert!(expected.iter().any(|r| !r.is_empty()));
    let site = load();
    let (outside, inside) = std::thread::scope(|scope| {
        let outside = scope.spawn(|| site.related().to_vec());
        let inside: Vec<Vec<Vec<usize>>> = (0..16).into_par_iter().map(|_| site.related().to_vec()).collect();
        (outside.join().expect("no panic"), inside)
    });
    assert_eq!(outside, expected);
    assert!(inside.iter().all(|lists| *lists == expected));
}

#[test]
fn related_lists_are_made_only_for_a_theme_that_shows_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&fixtures().join("model-site"), dir.path());
    let render_all = |root: &Path| {
        let site = casebook::Site::load(root, &casebook::LoadOptions::default()).expect("site");
        let theme = casebook::Theme::load(&site.root, &site.config).expect("theme");
        let renderer = casebook::render::Renderer::new(&site, &theme).expect("templates compile");
        for page in casebook::plan::plan(&site) {
            renderer.render(&page).expect("page renders");
        }
        drop(renderer);
        site.related.get().is_some()
    };
    assert!(render_all(dir.path()), "the default incident page shows related incidents");
    let templates = dir.path().join("templates");
    std::fs::create_dir_all(&templates).expect("mkdir");
    std::fs::write(
        templates.join("incident.html"),
        "<h1>{{ incident.title }}</h1>{{ incident.content | safe }}",
    )
    .expect("write");
    assert!(!render_all(dir.path()), "no template names them: not made");
}

#[test]
fn example_site_uses_the_schema_without_warnings() {
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("site");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let result = casebook(root, &["build", "--output", target.to_str().expect("UTF-8")]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(!stderr(&result).contains("warning"), "{}", stderr(&result));
    // Four incidents of different kinds use the schema fully.
    for (file, kind) in [
        ("2023-07-angouleme-ransomware.md", "ransomware on a town"),
        ("2024-02-northbridge-hospital-data-leak.md", "a hospital data leak"),
        ("2024-09-harbourton-ddos-hacktivists.md", "a DDoS by hacktivists"),
        ("2024-03-lakeside-cloud-storage-outage.md", "a cloud outage post-mortem"),
    ] {
        let text = std::fs::read_to_string(root.join("content").join(file)).expect("example incident");
        for key in
            ["\nstatus:", "\nseverity:", "\nvictim", "\nlocation:", "\nimpact:", "\ntimeline:", "\nsources:"]
        {
            assert!(text.contains(key), "{kind} ({file}) lacks {}", key.trim());
        }
    }
    let ddos = read(&target, "incidents/2024-09-harbourton-ddos-hacktivists/index.html");
    assert!(ddos.contains("T1498"), "hacktivist DDoS lists its techniques");
    assert!(target.join("countries/fr/index.html").is_file(), "Angoulême is in France");
}

#[test]
fn templates_can_ask_for_any_taxonomy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("content")).expect("mkdir");
    std::fs::create_dir_all(root.join("templates")).expect("mkdir");
    for (file, country) in [("a.md", "FR"), ("b.md", "FR"), ("c.md", "BE")] {
        let text = format!(
            "---\ntitle: Incident {file}\ndate: 2024-01-0{}\nlocation:\n  country: {country}\n---\n",
            file.len()
        );
        std::fs::write(root.join("content").join(file), text).expect("write");
    }
    std::fs::write(
        root.join("templates/index.html"),
        "{% set countries = get_taxonomy(name=\"countries\") %}{% for t in countries.terms %}{{ t.name }}={{ t.count }}:{% for i in t.incidents %}{{ i.slug }},{% endfor %};{% endfor %}",
    )
    .expect("write");
    let result = casebook(root, &["build"]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert_eq!(read(&root.join("public"), "index.html"), "Belgium=1:c,;France=2:a,b,;");

    std::fs::write(root.join("templates/index.html"), "{{ get_taxonomy(name=\"vendors\") }}").expect("write");
    let result = casebook(root, &["build"]);
    assert!(!result.status.success());
    assert!(
        stderr(&result).contains("get_taxonomy: no taxonomy `vendors`; this site has actors, countries, motives, sectors, severity, status, tags, techniques"),
        "{}",
        stderr(&result)
    );
}
