//! Building real sites with the real binary: the pages, lists and links a site must have.

use crate::common;

use std::path::Path;

use common::{assert_matches_file, casebook, files, fixtures, read, stderr};

fn build_good_site(extra: &[&str]) -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("site");
    let mut args = vec!["build", "--output", target.to_str().expect("UTF-8 temp path")];
    args.extend(extra);
    let result = casebook(&fixtures().join("good-site"), &args);
    assert!(result.status.success(), "build failed:\n{}", stderr(&result));
    out
}

fn html_files(dir: &Path) -> Vec<String> {
    files(dir).into_iter().filter(|f| f.ends_with(".html")).collect()
}

/// The values of every `href="…"` and `src="…"` attribute in `html`.
fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(start) = rest.find(attr) {
            rest = &rest[start + attr.len()..];
            let end = rest.find('"').expect("closed attribute");
            found.push(rest[..end].replace("&amp;", "&"));
        }
    }
    found
}

#[test]
fn good_site_has_every_page() {
    let out = build_good_site(&[]);
    let site = out.path().join("site");
    assert_matches_file(&(files(&site).join("\n") + "\n"), &fixtures().join("good-site.expected-files.txt"));
}

#[test]
fn index_is_paginated_newest_first() {
    let out = build_good_site(&[]);
    let site = out.path().join("site");
    let order = |rel: &str| -> Vec<String> {
        let html = read(&site, rel);
        links(&html)
            .into_iter()
            .filter_map(|l| {
                l.strip_prefix("/incidents-site/incidents/").map(|s| s.trim_end_matches('/').to_string())
            })
            .fold(Vec::new(), |mut v, s| {
                if !v.contains(&s) {
                    v.push(s);
                }
                v
            })
    };
    assert_eq!(order("index.html"), ["outage", "northbridge-leak"]);
    assert_eq!(order("page/2/index.html"), ["angouleme", "escaping"]);
    assert_eq!(order("page/3/index.html"), ["old"]);
    let first = read(&site, "index.html");
    assert!(first.contains("href=\"/incidents-site/page/2/\""), "next link");
    assert!(!site.join("page/4").exists());
}

#[test]
fn tag_pages_group_spellings_and_paginate() {
    let out = build_good_site(&[]);
    let site = out.path().join("site");
    let ransomware = read(&site, "tags/ransomware/index.html");
    assert!(ransomware.contains("/incidents-site/incidents/outage/"));
    assert!(ransomware.contains("/incidents-site/incidents/angouleme/"));
    let second = read(&site, "tags/ransomware/page/2/index.html");
    assert!(second.contains("/incidents-site/incidents/old/"), "the third incident is on page 2");
    assert!(!ransomware.contains("/incidents-site/incidents/old/"));
    assert!(ransomware.contains("href=\"/incidents-site/tags/ransomware/page/2/\""), "next link");
    assert!(!site.join("tags/ransomware/page/3").exists());
    let list = read(&site, "tags/index.html");
    assert!(list.contains("/incidents-site/tags/ransomware/"));
    // A second taxonomy from casebook.yaml gets its own pages.
    assert!(read(&site, "sectors/health/index.html").contains("northbridge-leak"));
    assert!(read(&site, "sectors/index.html").contains("local-government"));
}

#[test]
fn every_link_resolves_under_the_sub_path() {
    let out = build_good_site(&[]);
    assert!(check_links(&out.path().join("site")) > 50);
}

#[test]
fn every_link_and_anchor_of_the_example_site_resolves() {
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("site");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let args = [
        "build",
        "--base-url",
        "https://example.org/incidents-site/",
        "--output",
        target.to_str().expect("UTF-8"),
    ];
    let result = casebook(root, &args);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(check_links(&target) > 500);
}

#[test]
fn pages_turned_off_are_not_linked() {
    // With search and every export off there is no search/ and no data/ page: the menu once
    // linked both from every page.
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("site");
    common::copy_dir(&fixtures().join("good-site"), &root);
    let config = std::fs::read_to_string(root.join("casebook.yaml")).expect("read")
        + "search:\n  enabled: false\nexports:\n  json: false\n  csv: false\n  stix: false\n";
    std::fs::write(root.join("casebook.yaml"), config).expect("write");
    let out = dir.path().join("out");
    let result = casebook(&root, &["build", "--output", out.to_str().expect("UTF-8")]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(!out.join("search").exists() && !out.join("data").exists());
    assert!(check_links(&out) > 50);
    let home = read(&out, "index.html");
    assert!(home.contains(">Statistics</a>") && !home.contains(">Search</a>") && !home.contains(">Data</a>"));
}

#[test]
fn code_blocks_are_highlighted_with_classes_unless_turned_off() {
    let out = build_good_site(&[]);
    let page = read(&out.path().join("site"), "incidents/escaping/index.html");
    let bash = page.split("<pre><code class=\"language-bash\">").nth(1).expect("the bash block");
    let bash = &bash[..bash.find("</code></pre>").expect("closed")];
    assert!(bash.starts_with("<span class=\"hl-"), "{bash}");
    assert!(
        bash.contains("<span class=\"hl-string\">\"&lt;script&gt;alert('code')&lt;/script&gt;\""),
        "{bash}"
    );
    assert!(bash.contains("<span class=\"hl-comment\"># &lt;img src=x onerror=alert(1)&gt;"), "{bash}");
    assert!(
        page.contains("<pre><code class=\"language-klingon\">&lt;script&gt;alert('unknown language')&lt;/script&gt;\n</code></pre>"),
        "an unknown language stays plain"
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("site");
    common::copy_dir(&fixtures().join("good-site"), &root);
    let config = std::fs::read_to_string(root.join("casebook.yaml")).expect("read")
        + "markdown:\n  highlight: false\n";
    std::fs::write(root.join("casebook.yaml"), config).expect("write");
    let plain = dir.path().join("out");
    let result = casebook(&root, &["build", "--output", plain.to_str().expect("UTF-8")]);
    assert!(result.status.success(), "{}", stderr(&result));
    let page = read(&plain, "incidents/escaping/index.html");
    assert!(!page.contains("class=\"hl-"));
    assert!(page.contains(
        "<pre><code class=\"language-bash\">echo \"&lt;script&gt;alert('code')&lt;/script&gt;\" &gt; /tmp/x   \
         # &lt;img src=x onerror=alert(1)&gt;\n</code></pre>"
    ));
}

#[test]
fn links_written_from_the_root_work_under_the_sub_path() {
    // `[x](/incidents/…/)` is what `casebook check` suggests and what works in the preview
    // (served at `/`); under a sub-path it once pointed outside the site.
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("site");
    common::copy_dir(&fixtures().join("good-site"), &root);
    let text = "---\ntitle: Linking\ndate: 2024-03-01\nsummary: See [the outage](/incidents/outage/).\n---\n\
                Compare [the outage](/incidents/outage/) and [the tags](/tags/).\n";
    std::fs::write(root.join("content/linking.md"), text).expect("write");
    let out = dir.path().join("out");
    let result = casebook(&root, &["build", "--output", out.to_str().expect("UTF-8")]);
    assert!(result.status.success(), "{}", stderr(&result));
    let page = read(&out, "incidents/linking/index.html");
    assert!(page.contains("href=\"/incidents-site/incidents/outage/\""), "{page}");
    assert!(page.contains("href=\"/incidents-site/tags/\""), "{page}");
    assert!(check_links(&out) > 50);
    let checked = casebook(&root, &["check", "--now", "2026-01-01"]);
    assert!(checked.status.success(), "{}", stderr(&checked));
}

/// Checks every `href`/`src` of every HTML page of a site built for
/// `https://example.org/incidents-site/`: local links must stay under the base path and name an
/// existing file, and `#anchors` must name an `id` of the target page. Returns how many links
/// were checked.
fn check_links(site: &Path) -> usize {
    let mut checked = 0;
    for page in html_files(site) {
        let html = read(site, &page);
        for link in links(&html) {
            let external = link.starts_with("http") && !link.starts_with("https://example.org/");
            if external || link.starts_with("mailto:") {
                continue;
            }
            let (target, anchor) = if let Some(anchor) = link.strip_prefix('#') {
                (page.clone(), anchor.to_string())
            } else {
                let local = link.strip_prefix("https://example.org").unwrap_or(&link);
                let rel = local
                    .strip_prefix("/incidents-site/")
                    .unwrap_or_else(|| panic!("{page}: link {link} is outside the site's base path"));
                let (rel, anchor) = rel.split_once('#').unwrap_or((rel, ""));
                let rel = rel.split('?').next().unwrap_or_default();
                let file = if rel.is_empty() || rel.ends_with('/') {
                    format!("{rel}index.html")
                } else {
                    rel.to_string()
                };
                (file, anchor.to_string())
            };
            assert!(site.join(&target).is_file(), "{page}: link {link} has no file {target}");
            if !anchor.is_empty() {
                let target_html = read(site, &target);
                assert!(
                    target_html.contains(&format!("id=\"{anchor}\"")),
                    "{page}: link {link}: no #{anchor} in {target}"
                );
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn incident_page_shows_its_data() {
    let out = build_good_site(&[]);
    let site = out.path().join("site");
    let page = read(&site, "incidents/angouleme/index.html");
    assert!(page.contains("Ransomware at Angoulême town hall"));
    assert!(page.contains("July 2023"), "month precision is shown as such");
    assert!(page.contains("id=\"what-happened\""), "heading ids");
    assert!(page.contains("href=\"#response\""), "table of contents or anchors");
    let leak = read(&site, "incidents/northbridge-leak/index.html");
    assert!(leak.contains("14 February 2024"));
    assert!(leak.contains("<strong>patient records</strong>"), "summary is Markdown");
}

#[test]
fn drafts_stay_out_unless_asked_for() {
    let out = build_good_site(&[]);
    let site = out.path().join("site");
    for file in files(&site) {
        let bytes = std::fs::read(site.join(&file)).expect("read");
        assert!(!String::from_utf8_lossy(&bytes).contains("DRAFT-MARKER-7731"), "{file} leaks the draft");
    }
    let out = build_good_site(&["--drafts"]);
    assert!(out.path().join("site/incidents/draft/index.html").is_file());
}

#[test]
fn front_matter_and_raw_html_are_escaped_everywhere() {
    let out = build_good_site(&[]);
    let site = out.path().join("site");
    for page in html_files(&site) {
        let html = read(&site, &page);
        for bad in [
            "<script>alert",
            "<img src=x",
            "<b>raw html</b>",
            "<svg onload",
            "<iframe",
            "\" onmouseover=\"alert",
        ] {
            assert!(!html.contains(bad), "{page} contains unescaped {bad}");
        }
        for target in links(&html) {
            let lower = target.to_lowercase();
            assert!(!lower.contains("javascript:") && !lower.contains('<'), "{page} links to {target}");
        }
    }
    let page = read(&site, "incidents/escaping/index.html");
    assert!(page.contains("&lt;script&gt;alert("), "the title is shown as text");
    // Feeds: titles are text, and HTML content is escaped once more, as Atom wants.
    for feed in common::files(&site).into_iter().filter(|f| f.ends_with(".xml")) {
        let xml = read(&site, &feed);
        assert!(!xml.contains("<script") && !xml.contains("<img"), "{feed} carries raw markup");
    }
    let atom = read(&site, "atom.xml");
    assert!(
        atom.contains(
            "<title>&lt;script&gt;alert(&apos;title&apos;)&lt;/script&gt; &amp; &quot; onmouseover"
        )
    );
}

#[test]
fn pages_carry_search_and_social_metadata() {
    let out = build_good_site(&[]);
    let page = read(&out.path().join("site"), "incidents/northbridge-leak/index.html");
    for expected in [
        "<link rel=\"canonical\" href=\"https://example.org/incidents-site/incidents/northbridge-leak/\">",
        "<meta property=\"og:type\" content=\"article\">",
        "<meta property=\"og:title\" content=\"Patient records exposed at Northbridge hospital\">",
        "<meta name=\"description\" content=\"A misconfigured backup exposed patient records.\">",
        "<meta name=\"twitter:card\" content=\"summary\">",
    ] {
        assert!(page.contains(expected), "missing {expected}");
    }
    let start = page.find("<script type=\"application/ld+json\">").expect("JSON-LD") + 35;
    let end = start + page[start..].find("</script>").expect("closed");
    let ld: serde_json::Value = serde_json::from_str(&page[start..end]).expect("valid JSON-LD");
    assert_eq!(ld["@type"], "Report");
    assert_eq!(ld["datePublished"], "2024-02-14T00:00:00Z");
    assert_eq!(ld["dateModified"], "2024-03-01T00:00:00Z");
    assert_eq!(ld["about"][0]["name"], "data-breach");
    // The stylesheet carries a content hash, for long-lived caches.
    let css = page
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("stylesheet");
    assert!(
        css.starts_with("/incidents-site/style.css?v=")
            && css.len() == "/incidents-site/style.css?v=".len() + 8,
        "{css}"
    );
}

#[test]
fn base_url_flag_overrides_configuration() {
    let out = build_good_site(&["--base-url", "/preview/"]);
    let index = read(&out.path().join("site"), "index.html");
    assert!(index.contains("href=\"/preview/incidents/outage/\""));
    assert!(!index.contains("/incidents-site/"));
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let out = build_good_site(&[]);
    let site = out.path().join("site");
    let before = files(&site);
    let index = read(&site, "index.html");
    let broken = fixtures().join("errors/missing-title");
    let result = casebook(&broken, &["build", "--output", site.to_str().expect("UTF-8")]);
    assert!(!result.status.success());
    assert_eq!(files(&site), before);
    assert_eq!(read(&site, "index.html"), index);
    // Only the output and the state of its last build (a file beside it) remain.
    let leftovers: Vec<String> = std::fs::read_dir(out.path())
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with(".casebook-state"))
        .collect();
    assert_eq!(leftovers, ["site"], "no staging folder is left behind");
}

#[test]
fn a_folder_with_only_content_builds_with_the_embedded_theme() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("content")).expect("mkdir");
    std::fs::write(dir.path().join("content/first.md"), "---\ntitle: First\ndate: 2024-05\n---\nHello.\n")
        .expect("write");
    let result = casebook(dir.path(), &["build"]);
    assert!(result.status.success(), "{}", stderr(&result));
    let public = dir.path().join("public");
    assert!(public.join("incidents/first/index.html").is_file());
    assert!(public.join("style.css").is_file());
    assert!(public.join("404.html").is_file());
    assert!(stderr(&result).starts_with("Built 1 incident: "), "{}", stderr(&result));
    // Rebuilding replaces the previous output.
    let again = casebook(dir.path(), &["build"]);
    assert!(again.status.success(), "{}", stderr(&again));
}

#[test]
fn the_example_site_builds_without_warnings() {
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("site");
    let root = env!("CARGO_MANIFEST_DIR");
    let result = casebook(Path::new(root), &["build", "--output", target.to_str().expect("UTF-8")]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(!stderr(&result).contains("warning"), "{}", stderr(&result));
    assert!(target.join("incidents/2023-07-angouleme-ransomware/index.html").is_file());
}

#[test]
fn unknown_keys_warn_with_file_line_and_suggestion() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("content")).expect("mkdir");
    std::fs::write(dir.path().join("content/a.md"), "---\ntitle: A\ndate: 2024\ntittle: B\n---\n")
        .expect("write");
    let result = casebook(dir.path(), &["build"]);
    assert!(result.status.success());
    assert!(
        stderr(&result).contains(
            "warning: content/a.md:4:1: unknown front matter key `tittle`\n  help: did you mean `title`?"
        ),
        "{}",
        stderr(&result)
    );
}

#[test]
fn a_second_build_of_unchanged_sources_does_nothing() {
    let out = build_good_site(&[]);
    let site = out.path().join("site");
    let output = site.to_str().expect("UTF-8");
    let args = ["build", "--output", output];
    let again = casebook(&fixtures().join("good-site"), &args);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again).starts_with("Up to date: nothing changed since the last build"),
        "{}",
        stderr(&again)
    );

    // A file removed from the output by hand is put back.
    let page = files(&site).into_iter().find(|f| f.starts_with("incidents/")).expect("an incident page");
    std::fs::remove_file(site.join(&page)).expect("remove");
    let repaired = casebook(&fixtures().join("good-site"), &args);
    assert!(stderr(&repaired).starts_with("Built "), "{}", stderr(&repaired));
    assert!(site.join(&page).exists());
}

#[test]
fn a_same_size_edit_right_after_a_build_is_built() {
    // Sizes and times decide "up to date"; an edit within one tick of the file system's clock
    // keeps both, so recently changed files are compared by their bytes (a redaction of the
    // same length must reach the site).
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir(root.join("content")).expect("mkdir");
    let file = root.join("content/a.md");
    std::fs::write(&file, "---\ntitle: A\ndate: 2024\n---\nThe victim was Alice Smith.\n").expect("write");
    let first = casebook(root, &["build"]);
    assert!(first.status.success(), "{}", stderr(&first));
    for round in 0..3 {
        let name = ["XXXXX XXXXX", "Alice Smith", "[redacted!]"][round];
        std::fs::write(&file, format!("---\ntitle: A\ndate: 2024\n---\nThe victim was {name}.\n"))
            .expect("write");
        let again = casebook(root, &["build"]);
        assert!(stderr(&again).starts_with("Built "), "round {round}: {}", stderr(&again));
        let page = read(&root.join("public"), "incidents/a/index.html");
        assert!(page.contains(&format!("The victim was {name}.")), "round {round}");
    }
    let last = casebook(root, &["build"]);
    assert!(stderr(&last).starts_with("Up to date"), "{}", stderr(&last));
}

#[cfg(unix)]
#[test]
fn unchanged_files_are_carried_over_not_rewritten() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let source = dir.path().join("source");
    common::copy_dir(&fixtures().join("good-site"), &source);
    let out = dir.path().join("out");
    let args = ["build", "--output", out.to_str().expect("UTF-8")];
    assert!(casebook(&source, &args).status.success());
    let inode = |rel: &str| std::fs::metadata(out.join(rel)).expect("metadata").ino();
    let files_before = files(&out);
    let before: Vec<u64> = files_before.iter().map(|f| inode(f)).collect();

    // A change to one incident's body: its page changes, the tag pages do not.
    let content = source.join("content");
    let first = std::fs::read_dir(&content)
        .expect("list")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "md"))
        .expect("an incident");
    let text = std::fs::read_to_string(&first).expect("read");
    std::fs::write(&first, format!("{text}\nOne more sentence.\n")).expect("edit");
    let result = casebook(&source, &args);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(stderr(&result).contains(" unchanged, left as they were)"), "{}", stderr(&result));
    let kept =
        files_before.iter().zip(&before).filter(|(f, ino)| out.join(f).exists() && inode(f) == **ino).count();
    assert!(kept > 0 && kept < files_before.len(), "{kept} of {} files kept", files_before.len());

    // The result is the same as a fresh build's.
    let fresh = dir.path().join("fresh");
    assert!(casebook(&source, &["build", "--output", fresh.to_str().expect("UTF-8")]).status.success());
    assert_eq!(files(&out), files(&fresh));
    for f in files(&fresh) {
        assert_eq!(
            std::fs::read(out.join(&f)).expect("read"),
            std::fs::read(fresh.join(&f)).expect("read"),
            "{f}"
        );
    }
}

#[test]
fn another_casebook_binary_builds_again() {
    let out = build_good_site(&[]);
    let site = out.path().join("site");
    // A copy is another file (its own modification time), as a rebuilt binary would be.
    let copy = out.path().join("casebook-rebuilt");
    std::fs::copy(env!("CARGO_BIN_EXE_casebook"), &copy).expect("copy the binary");
    let result = std::process::Command::new(&copy)
        .args(["build", "--output", site.to_str().expect("UTF-8")])
        .current_dir(fixtures().join("good-site"))
        .output()
        .expect("run the copy");
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(stderr(&result).starts_with("Built "), "not trusted as up to date: {}", stderr(&result));
}

/// Issue 28: two builds into one output folder at once each swapped in their staging folder
/// and removed the other's; one exited 0 with part of a site in `public/`, or both failed and
/// `public/` was gone. The second build now waits for the first, and the output is exactly
/// one complete site: the same files, byte for byte, as a build of its own (made meanwhile,
/// into another folder).
#[test]
fn two_builds_at_once_into_one_folder_leave_one_complete_site() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("site");
    std::fs::create_dir_all(root.join("content")).expect("mkdir");
    // A page per incident and few others: what the race needs is a build that takes a while,
    // and writing files is most of a debug build's time.
    let config = "exports: {json: false, csv: false, stix: false}\ntaxonomies: []\npaginate_by: 500\nsearch: {enabled: false}\n";
    std::fs::write(root.join("casebook.yaml"), config).expect("write");
    for i in 0..2000 {
        let text = format!(
            "---\ntitle: Incident {i}\ndate: 2024-{:02}-{:02}\ntags: [t{}]\n---\nBody {i}.\n",
            i % 12 + 1,
            i % 28 + 1,
            i % 7
        );
        std::fs::write(root.join(format!("content/i{i:04}.md")), text).expect("write");
    }
    let reference = dir.path().join("reference");
    let spawn = |output: &Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_casebook"))
            .args(["build", "--now", "2026-01-01", "--output", output.to_str().expect("UTF-8")])
            .current_dir(&root)
            .env_remove("RUST_LOG")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the casebook binary runs")
    };
    let public = root.join("public");
    let builds = [spawn(&public), spawn(&public), spawn(&reference)];
    let results: Vec<_> = builds.into_iter().map(|b| b.wait_with_output().expect("wait")).collect();
    for result in &results {
        assert!(result.status.success(), "{}", stderr(result));
    }
    let waited = results[..2].iter().filter(|r| stderr(r).contains("waiting for another build into")).count();
    assert_eq!(waited, 1, "one build waited for the other");
    let listed = files(&public);
    assert_eq!(listed, files(&reference), "the same files as one build");
    assert!(listed.len() > 2000, "{}", listed.len());
    for rel in &listed {
        let (ours, theirs) = (std::fs::read(public.join(rel)), std::fs::read(reference.join(rel)));
        assert!(ours.expect("read") == theirs.expect("read"), "{rel} differs");
    }
    // Nothing beside the output but the output and its state.
    let mut beside: Vec<String> = std::fs::read_dir(&root)
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert_eq!(beside, [".public.casebook-state", "casebook.yaml", "content", "public"]);
}
