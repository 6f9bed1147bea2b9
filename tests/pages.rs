//! Pages that are not incidents (`pages/`) and page bundles (a folder with `index.md` and
//! other files beside it), built by the real binary from `tests/fixtures/pages-site`: an About
//! page, a methodology with a template of its own, a draft page, a page with internal notes, a
//! page bundle with a photo, and incident bundles with a PNG, an SVG and a text file (one of
//! them a draft, one under embargo, whose files must never be copied).

use crate::common;

use std::path::{Path, PathBuf};

use common::{assert_matches_file, casebook, files, fixtures, read, stderr};

/// Builds the fixture into a temporary folder's `site/`, with `extra` options.
fn build(extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("site");
    let mut args =
        vec!["build", "--now", "2026-01-01", "--output", target.to_str().expect("UTF-8 temp path")];
    args.extend(extra);
    let result = casebook(&fixtures().join("pages-site"), &args);
    assert!(result.status.success(), "build failed:\n{}", stderr(&result));
    (out, target)
}

/// Every output file's text that is text, with its path.
fn texts(site: &Path) -> Vec<(String, String)> {
    files(site)
        .into_iter()
        .filter_map(|f| std::fs::read_to_string(site.join(&f)).ok().map(|text| (f, text)))
        .collect()
}

#[test]
fn the_output_has_every_page_and_bundle_file_and_nothing_held_back() {
    let (_out, site) = build(&[]);
    assert_matches_file(&(files(&site).join("\n") + "\n"), &fixtures().join("pages-site.expected-files.txt"));
    for (file, text) in texts(&site) {
        for marker in [
            "PAGE-DRAFT-MARKER",
            "PAGE-NOTE-MARKER",
            "PAGE-FENCE-MARKER",
            "HELD-BACK-MARKER",
            "EMBARGO-MARKER",
            "EMBARGO-FILE-MARKER",
        ] {
            assert!(!text.contains(marker), "{marker} in {file}");
        }
    }
    // The files of a draft and of an incident under embargo are not copied either.
    assert!(!site.join("incidents/2024-05-held-back").exists());
    assert!(!site.join("incidents/2024-06-embargoed").exists());
}

#[test]
fn pages_render_through_page_html_or_their_own_template() {
    let (_out, site) = build(&[]);
    let about = read(&site, "about/index.html");
    assert!(about.contains("<title>About this site &middot; Springfield CERT</title>"), "{about}");
    assert!(
        about.contains("<meta name=\"description\" content=\"Who writes these incident reports, and why.\">")
    );
    assert!(about.contains("<link rel=\"canonical\" href=\"https://example.org/cert/about/\">"));
    assert!(about.contains("<h1 class=\"page-title\">About this site</h1>"), "{about}");
    assert!(about.contains("<h2 id=\"who-we-are\">"), "headings get anchors as on incidents");
    assert!(about.contains("class=\"site-header\""), "page.html extends the base layout");
    assert!(
        about.contains("href=\"/cert/incidents/2024-03-ransomware/\""),
        "links from the root get the base path"
    );
    let method = read(&site, "methodology/index.html");
    assert!(method.contains("<article class=\"methodology\">"), "the site's own template: {method}");
    assert!(method.contains("Reviewed March 2024; menus: main, footer; weight 2."), "{method}");
    // Internal notes are removed from pages as from incidents, both forms.
    let contact = read(&site, "contact/index.html");
    assert!(contact.contains("Our key is on the keyservers."), "{contact}");
    assert!(!contact.contains("555-0100") && !contact.contains("Escalation"), "{contact}");
    assert!(!site.join("draft-policy").exists(), "a draft page is not published");
}

#[test]
fn pages_are_in_the_sitemap_and_the_search_but_not_in_feeds_or_data() {
    let (_out, site) = build(&[]);
    let sitemap = read(&site, "sitemap.xml");
    for page in ["about", "methodology", "contact", "team"] {
        assert!(
            sitemap.contains(&format!("<loc>https://example.org/cert/{page}/</loc>")),
            "{page}: {sitemap}"
        );
    }
    assert!(!sitemap.contains("draft-policy") && !sitemap.contains("timeline.png"), "{sitemap}");

    let index: serde_json::Value = serde_json::from_str(&read(&site, "search-index.json")).expect("JSON");
    let fields: Vec<&str> =
        index["fields"].as_array().expect("fields").iter().filter_map(|f| f.as_str()).collect();
    let at = |name: &str| fields.iter().position(|f| *f == name).expect("a field");
    let items = index["items"].as_array().expect("items");
    let kinds: Vec<(&str, &str)> = items
        .iter()
        .map(|i| (i[at("title")].as_str().expect("title"), i[at("kind")].as_str().expect("kind")))
        .collect();
    assert_eq!(
        kinds,
        [
            ("Ransomware at the Springfield water utility", "incident"),
            ("Cloud storage outage", "incident"),
            ("About this site", "page"),
            ("How we write up incidents", "page"),
            ("Contact", "page"),
            ("Our team", "page"),
        ],
        "incidents newest first, then pages by weight"
    );
    let about = &items[2];
    assert_eq!(about[at("url")], "/cert/about/");
    assert_eq!(about[at("summary")], "Who writes these incident reports, and why.");
    // No date, year or facet value: a search narrowed by a facet never finds a page.
    assert!(about[at("date")].is_null() && about[at("year")].is_null(), "{about}");
    for facet in ["severity", "country", "sectors"] {
        assert_eq!(about[at(facet)], "", "{facet}");
    }

    for file in [
        "atom.xml",
        "feed.json",
        "api/incidents.json",
        "api/incidents.csv",
        "api/stix-bundle.json",
        "api/tags.json",
        "tags/index.html",
        "index.html",
        "archive/index.html",
        "stats/index.html",
    ] {
        let text = read(&site, file);
        for title in ["About this site", "How we write up incidents", "Our team"] {
            assert!(!text.contains(title), "{title} in {file}");
        }
    }
    let records: serde_json::Value = serde_json::from_str(&read(&site, "api/incidents.json")).expect("JSON");
    assert_eq!(records["incidents"].as_array().map(Vec::len), Some(2), "pages are no incidents");
}

#[test]
fn bundle_files_are_copied_beside_the_page_and_links_to_them_resolve_under_the_base_path() {
    let (_out, site) = build(&[]);
    let source = fixtures().join("pages-site/content/2024-03-ransomware");
    for name in ["timeline.png", "diagram.svg", "logs.txt"] {
        let copied = std::fs::read(site.join("incidents/2024-03-ransomware").join(name)).expect("copied");
        assert_eq!(copied, std::fs::read(source.join(name)).expect("source"), "{name} as it is");
    }
    let page = read(&site, "incidents/2024-03-ransomware/index.html");
    assert!(
        page.contains(
            "<img src=\"timeline.png\" alt=\"Timeline of the attack\" title=\"From first click to containment\" \
             width=\"12\" height=\"7\" loading=\"lazy\" />"
        ),
        "{page}"
    );
    assert!(page.contains(
        "<img src=\"./diagram.svg\" alt=\"Network diagram\" width=\"120\" height=\"60\" loading=\"lazy\" />"
    ));
    assert!(page.contains("<a href=\"logs.txt\">helpdesk logs</a>"), "{page}");
    // The page is at /cert/incidents/2024-03-ransomware/: each relative link, resolved as a
    // browser does against that address, names a file of the output.
    let here = "/cert/incidents/2024-03-ransomware/";
    for relative in ["timeline.png", "./diagram.svg", "logs.txt"] {
        let resolved = format!("{here}{}", relative.trim_start_matches("./"));
        let file = resolved.strip_prefix("/cert/").expect("under the base path");
        assert!(site.join(file).is_file(), "{relative} -> {resolved}");
    }
    // A page can be a bundle too.
    let team = read(&site, "team/index.html");
    assert!(
        team.contains(
            "<img src=\"team.png\" alt=\"The team at work\" width=\"8\" height=\"5\" loading=\"lazy\" />"
        ),
        "{team}"
    );
    assert!(site.join("team/team.png").is_file());
}

#[test]
fn drafts_bring_draft_pages_and_the_files_of_draft_incidents() {
    let (_out, site) = build(&["--drafts"]);
    let draft = read(&site, "draft-policy/index.html");
    assert!(
        draft.contains("PAGE-DRAFT-MARKER") && draft.contains("<span class=\"badge\">Draft</span>"),
        "{draft}"
    );
    assert!(site.join("incidents/2024-05-held-back/leak.png").is_file());
    assert!(!site.join("incidents/2024-06-embargoed").exists(), "an embargo holds with --drafts too");
}

#[test]
fn the_fixture_checks_clean() {
    let result = casebook(&fixtures().join("pages-site"), &["check", "--now", "2026-01-01"]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(stderr(&result).ends_with("0 errors, 0 warnings\n"), "{}", stderr(&result));
}

#[test]
fn the_preview_shows_draft_pages_and_notes_highlighted() {
    use casebook::preview::{Session, SessionOptions};
    let dir = tempfile::tempdir().expect("temp dir");
    let output = dir.path().join("preview");
    // As `casebook serve --drafts` sets it up.
    let mut session = Session::new(SessionOptions {
        root: fixtures().join("pages-site"),
        output: output.clone(),
        drafts: true,
        now: Some(1_767_225_600),
        show_internal: true,
        ..SessionOptions::default()
    });
    session.rebuild(&[]).expect("preview built");
    assert!(read(&output, "draft-policy/index.html").contains("PAGE-DRAFT-MARKER"));
    let contact = read(&output, "contact/index.html");
    assert!(contact.contains("<mark class=\"casebook-internal\""), "{contact}");
    assert!(contact.contains("PAGE-NOTE-MARKER") && contact.contains("PAGE-FENCE-MARKER"), "{contact}");
}

/// Regression: an image or link of a bundle in an incident's first paragraph broke on list
/// pages, feeds and data files, where that paragraph is the summary away from the incident's
/// folder.
#[test]
fn a_summary_links_to_the_files_beside_its_incident_from_anywhere() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = dir.path();
    std::fs::create_dir_all(site.join("content/outage")).expect("mkdir");
    std::fs::write(site.join("casebook.yaml"), "base_url: https://status.example.org/sre/\n").expect("write");
    std::fs::write(
        site.join("content/outage/index.md"),
        "---\ntitle: Outage\ndate: 2024-05-01\n---\nSee [the graph](graph.svg) and [the status page](https://s.example/).\n",
    )
    .expect("write");
    std::fs::write(site.join("content/outage/graph.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
        .expect("write");
    let out = dir.path().join("out");
    let result = casebook(site, &["build", "--output", out.to_str().expect("UTF-8")]);
    assert!(result.status.success(), "{}", stderr(&result));
    let home = read(&out, "index.html");
    assert!(home.contains("href=\"/sre/incidents/outage/graph.svg\""), "list page");
    assert!(home.contains("href=\"https://s.example/\""), "absolute links stay");
    let page = read(&out, "incidents/outage/index.html");
    assert!(page.contains("href=\"graph.svg\""), "the page itself keeps the relative link");
    let data = read(&out, "api/incidents.json");
    assert!(data.contains("/sre/incidents/outage/graph.svg"), "data files");
}
