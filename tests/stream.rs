//! Incident pages written while the site loads (src/stream.rs): the same bytes as rendering
//! them after it, only for incidents that are published, and failures reported as ever.

use crate::common;

use std::path::{Path, PathBuf};

use common::{copy_dir, files};

/// The moment of every build here (May 2033): the embargo below, until 2099, has not ended.
const NOW: i64 = 2_000_000_000;

/// An incident page reading only its own incident, and the same page with a dead branch
/// naming the site's figures: the page is the same, but it can no longer be written before the
/// site is put together.
const PAGE: &str = "<!doctype html><title>{{ incident.title }}</title><h1>{{ incident.title }}</h1>\
<p>{{ incident.date.display }} · {{ incident.word_count }} words</p>\
{% for t in incident.tags %}<a href=\"{{ t.url }}\">{{ t.name }}</a>{% endfor %}\
<nav>{% for e in incident.toc %}<a href=\"#{{ e.id }}\">{{ e.title }}</a>{% endfor %}</nav>\
<script type=\"application/ld+json\">{{ incident.json_ld | safe }}</script>\
{{ incident.content | safe }}<a href=\"{{ current_url }}\">here</a>";
const SITE_WIDE: &str = "{% if false %}{{ stats.total }}{% endif %}";

/// The example site's incidents plus a draft, an embargoed incident and one with an alias,
/// with feeds and search off (they show bodies) and the given incident page.
fn site(dir: &Path, incident_page: &str) -> PathBuf {
    let root = dir.join("site");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"), &root.join("content"));
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write(
        "casebook.yaml",
        "title: Streamed\nbase_url: https://casebook.example.org/\nfeeds:\n  enabled: false\nsearch:\n  enabled: false\n",
    );
    write("content/draft.md", "---\ntitle: Not yet\ndate: 2024-01-01\ndraft: true\n---\nSecret draft.\n");
    write(
        "content/embargoed.md",
        "---\ntitle: Later\ndate: 2024-01-02\nembargo: 2099-01-01\n---\nSecret until 2099.\n",
    );
    write(
        "content/moved.md",
        "---\ntitle: Moved\ndate: 2024-01-03\naliases: [/old/moved/]\ntags: [phishing]\n---\n# Heading\n\nBody.\n",
    );
    write("templates/incident.html", incident_page);
    root
}

fn build(root: &Path, output: &Path) -> casebook::Result<casebook::BuildReport> {
    let options = casebook::BuildOptions {
        root: root.to_path_buf(),
        output: Some(output.to_path_buf()),
        now: Some(NOW),
        ..casebook::BuildOptions::default()
    };
    casebook::build(&options, &casebook::Silent)
}

#[test]
fn pages_written_while_loading_are_the_pages_written_after() {
    let dir = tempfile::tempdir().expect("temp dir");
    let streamed_site = site(&dir.path().join("a"), PAGE);
    let streamed = build(&streamed_site, &dir.path().join("streamed")).expect("streamed build");
    assert_eq!(streamed.streamed, 8, "the 7 example incidents and `moved`; no draft, no embargo");
    assert_eq!(streamed.incidents, 8);

    let later_site = site(&dir.path().join("b"), &format!("{PAGE}{SITE_WIDE}"));
    let later = build(&later_site, &dir.path().join("later")).expect("build");
    assert_eq!(later.streamed, 0, "a page naming the site's figures waits for the site");

    let (a, b) = (dir.path().join("streamed"), dir.path().join("later"));
    assert_eq!(files(&a), files(&b));
    for file in files(&a) {
        let (x, y) =
            (std::fs::read(a.join(&file)).expect("read"), std::fs::read(b.join(&file)).expect("read"));
        assert!(x == y, "{file} differs");
    }
    let all: String = files(&a)
        .iter()
        .map(|f| String::from_utf8_lossy(&std::fs::read(a.join(f)).expect("read")).into_owned())
        .collect();
    assert!(!all.contains("Secret"), "no draft or embargoed body reaches the output");
    assert!(a.join("old/moved/index.html").is_file(), "the alias still redirects");
}

#[test]
fn a_failure_while_streaming_fails_the_build_as_it_would_after() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = site(dir.path(), PAGE);
    let output = dir.path().join("public");
    build(&root, &output).expect("first build");
    let before = files(&output);

    // A template error on every incident page: reported as without streaming.
    let broken = PAGE.replace("{{ incident.word_count }}", "{{ incident.word_count + incident.title }}");
    std::fs::write(root.join("templates/incident.html"), &broken).expect("write");
    let streamed = build(&root, &output).expect_err("a broken page fails").to_string();
    std::fs::write(root.join("templates/incident.html"), format!("{broken}{SITE_WIDE}")).expect("write");
    let later = build(&root, &output).expect_err("a broken page fails").to_string();
    assert!(streamed.contains("templates/incident.html:1:116: template error"), "{streamed}");
    // The same problem, said once for all the pages, naming the same page whichever order
    // the threads reached them in. Only the quoted template line differs: the second
    // template has more at its end.
    let without_quote = |report: &str| -> Vec<String> {
        report.lines().filter(|l| !l.starts_with("  1 | ")).map(str::to_string).collect()
    };
    assert_eq!(without_quote(&streamed), without_quote(&later));
    assert!(streamed.ends_with("  note: 7 more pages have the same problem"), "{streamed}");
    assert_eq!(files(&output), before, "the last output stays");

    // A broken content file fails the build even though other pages were written already.
    std::fs::write(root.join("templates/incident.html"), PAGE).expect("write");
    std::fs::write(root.join("content/broken.md"), "---\ndate: 2024-01-01\n---\nNo title.\n").expect("write");
    let err = build(&root, &output).expect_err("a broken file fails").to_string();
    assert!(err.contains("broken.md") && err.contains("title"), "{err}");
    assert_eq!(files(&output), before, "the last output stays");
}
