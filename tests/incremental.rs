//! Incremental rebuilds equal full builds: after each edit of a scripted series, the folder a
//! [`Session`] keeps up to date is compared, file by file and byte by byte, with a fresh full
//! build of the same files.

use crate::common;

use std::path::{Path, PathBuf};

use casebook::preview::{RebuildReport, Session, SessionOptions};

/// The example site of the repository, copied so it can be edited.
fn example_site(dir: &Path) -> PathBuf {
    let site = dir.join("site");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    common::copy_dir(&repo.join("content"), &site.join("content"));
    std::fs::copy(repo.join("casebook.yaml"), site.join("casebook.yaml")).expect("copy config");
    site
}

/// Fixed, so embargoes do not depend on the day the test runs.
const NOW: i64 = 1_790_000_000;

struct Script {
    dir: tempfile::TempDir,
    site: PathBuf,
    session: Session,
    step: usize,
}

impl Script {
    fn new(unversioned_assets: bool) -> Script {
        let dir = tempfile::tempdir().expect("temp dir");
        let site = example_site(dir.path());
        let session = Session::new(SessionOptions {
            root: site.clone(),
            output: dir.path().join("watched"),
            now: Some(NOW),
            unversioned_assets,
            ..SessionOptions::default()
        });
        let mut script = Script { dir, site, session, step: 0 };
        let first = script.session.rebuild(&[]).expect("first build");
        assert!(first.full);
        script.assert_equals_full_build("first build", unversioned_assets);
        script
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.site.join(rel)
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).expect("read site file")
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write site file");
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} has no {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// Rebuilds after `changed` and checks the output against a full build.
    fn rebuild(&mut self, what: &str, changed: &[&str], unversioned_assets: bool) -> RebuildReport {
        let paths: Vec<PathBuf> = changed.iter().map(|rel| self.path(rel)).collect();
        let report = self.session.rebuild(&paths).unwrap_or_else(|e| panic!("{what}: {e}"));
        self.assert_equals_full_build(what, unversioned_assets);
        report
    }

    fn assert_equals_full_build(&mut self, what: &str, unversioned_assets: bool) {
        self.step += 1;
        let fresh = self.dir.path().join(format!("fresh-{}", self.step));
        let options = casebook::BuildOptions {
            root: self.site.clone(),
            output: Some(fresh.clone()),
            now: Some(NOW),
            unversioned_assets,
            ..casebook::BuildOptions::default()
        };
        casebook::build(&options, &casebook::Silent).unwrap_or_else(|e| panic!("{what}: full build: {e}"));
        let watched = self.session.output();
        let (got, want) = (common::files(watched), common::files(&fresh));
        assert_eq!(got, want, "{what}: the incremental output has other files than a full build");
        for file in &want {
            let a = std::fs::read(watched.join(file)).expect("read watched");
            let b = std::fs::read(fresh.join(file)).expect("read fresh");
            assert!(a == b, "{what}: {file} differs from a full build");
        }
        std::fs::remove_dir_all(&fresh).expect("clean up");
    }
}

const HOSPITAL: &str = "content/2024-02-northbridge-hospital-data-leak.md";
const WATER: &str = "content/2024-05-millbrook-water-ot-intrusion.md";

#[test]
fn incremental_output_equals_a_full_build_after_every_edit() {
    let mut s = Script::new(false);

    let noop = s.rebuild("nothing changed", &[], false);
    assert!(noop.written.is_empty() && noop.removed.is_empty(), "{noop:?}");
    assert_eq!(noop.rendered, 0, "nothing to render when nothing changed");

    s.edit(HOSPITAL, "\n---\n", "\n---\nA sentence added while editing.\n\n");
    let body = s.rebuild("body edited", &[HOSPITAL], false);
    assert!(
        body.written.contains(&"incidents/2024-02-northbridge-hospital-data-leak/index.html".to_string()),
        "{body:?}"
    );
    assert!(body.written.len() < 40, "a body edit rewrites a few files, not the site: {:?}", body.written);

    // Shown in lists too, but the incident keeps its place: the quick path.
    s.edit(HOSPITAL, "summary: ", "summary: Edited summary. ");
    s.rebuild("summary edited", &[HOSPITAL], false);
    // Its data files and the site-wide ones change; the other incidents' records and STIX
    // objects are carried over from the last rebuild, which carried them over too.
    s.edit(WATER, "summary: ", "summary: Edited as well. ");
    s.rebuild("another summary edited", &[WATER], false);
    s.edit(HOSPITAL, "summary: Edited summary. ", "summary: Edited again. ");
    s.rebuild("first summary edited again", &[HOSPITAL], false);

    s.edit(HOSPITAL, "tags: [", "tags: [brand-new-tag, ");
    s.rebuild("tag added", &[HOSPITAL], false);

    s.edit(HOSPITAL, "date: 2024-02", "date: 2021-06");
    s.rebuild("date changed, order changed", &[HOSPITAL], false);

    s.write(
        "content/2025-01-new-incident.md",
        "---\ntitle: A new incident\ndate: 2025-01-02\nseverity: high\ntags: [phishing]\nsources:\n  - title: Report\n    url: https://example.org/r\n---\nBody.\n",
    );
    s.rebuild("incident added", &["content/2025-01-new-incident.md"], false);

    std::fs::remove_file(s.path(WATER)).expect("delete");
    let deleted = s.rebuild("incident deleted", &[WATER], false);
    assert!(
        deleted.removed.iter().any(|f| f.starts_with("incidents/2024-05-millbrook-water-ot-intrusion/")),
        "{deleted:?}"
    );
    assert!(
        !s.session.output().join("incidents/2024-05-millbrook-water-ot-intrusion").exists(),
        "its folder is gone"
    );

    std::fs::rename(s.path("content/2025-01-new-incident.md"), s.path("content/2025-01-renamed.md"))
        .expect("rename");
    s.rebuild("incident renamed", &["content/2025-01-new-incident.md", "content/2025-01-renamed.md"], false);

    // Moved into a sub-folder: the watcher reports the folder.
    std::fs::create_dir_all(s.path("content/2025")).expect("mkdir");
    std::fs::rename(s.path("content/2025-01-renamed.md"), s.path("content/2025/renamed.md")).expect("move");
    s.rebuild("moved into a folder", &["content/2025-01-renamed.md", "content/2025"], false);

    let good = s.read(HOSPITAL);
    s.write(HOSPITAL, &good.replacen("title:", "title: [unclosed", 1));
    let before = common::files(s.session.output());
    let broken = s.session.rebuild(&[s.path(HOSPITAL)]);
    let err = broken.expect_err("broken YAML fails the rebuild");
    assert!(err.to_string().contains("2024-02-northbridge-hospital-data-leak.md:"), "{err}");
    assert_eq!(common::files(s.session.output()), before, "the last good output stays");
    s.write(HOSPITAL, &good);
    s.rebuild("YAML fixed", &[HOSPITAL], false);

    s.write(
        "templates/incident.html",
        "{% extends \"base.html\" %}{% block main %}<h1>{{ incident.title }}</h1>{% endblock %}",
    );
    let template = s.rebuild("template overridden", &["templates/incident.html"], false);
    assert!(template.written.iter().all(|f| f.starts_with("incidents/")), "{:?}", template.written);

    s.write("static/extra.css", "body { color: red }");
    s.rebuild("static file added", &["static/extra.css"], false);
    s.edit(
        "templates/incident.html",
        "<h1>",
        "<link rel=\"stylesheet\" href=\"{{ asset(path='extra.css') }}\"><h1>",
    );
    s.rebuild("template uses the asset", &["templates/incident.html"], false);
    s.write("static/extra.css", "body { color: blue }");
    s.rebuild("hashed static file changed", &["static/extra.css"], false);
    // No template named `word_count` so far, so no incident's value had it: the values kept
    // from the last build must be made again.
    s.edit("templates/incident.html", "</h1>", "</h1>{{ incident.word_count }} words");
    s.rebuild("template names a field no template named", &["templates/incident.html"], false);

    s.edit(HOSPITAL, "\n---\n", "\n---\n<!-- internal -->secret plan<!-- /internal -->\n");
    s.rebuild("internal note added", &[HOSPITAL], false);

    s.edit(HOSPITAL, "title:", "aliases: [/old/hospital/]\ntitle:");
    s.rebuild("alias added", &[HOSPITAL], false);

    s.edit("casebook.yaml", "title: casebook example incidents", "title: Renamed site");
    let config = s.rebuild("configuration changed", &["casebook.yaml"], false);
    assert!(config.full);

    std::fs::remove_dir_all(s.path("templates")).expect("remove templates");
    s.rebuild("template override removed", &["templates"], false);

    s.write("content/.#2024-editor-lock.md", "not an incident");
    let hidden = s.rebuild("editor lock file", &["content/.#2024-editor-lock.md"], false);
    assert_eq!(hidden.rendered, 0, "hidden files are not content");
}

#[test]
fn a_stylesheet_change_in_preview_rewrites_only_the_stylesheet() {
    let mut s = Script::new(true);
    s.write("static/style.css", "body { color: red }");
    let report = s.rebuild("stylesheet replaced", &["static/style.css"], true);
    assert_eq!(report.written, ["style.css"]);
    assert!(report.stylesheets_only());
}

#[test]
fn a_failed_first_build_recovers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = example_site(dir.path());
    std::fs::write(site.join("content/bad.md"), "---\ntitle: [\n---\n").expect("write");
    let mut session = Session::new(SessionOptions {
        root: site.clone(),
        output: dir.path().join("out"),
        now: Some(NOW),
        ..SessionOptions::default()
    });
    assert!(session.rebuild(&[]).is_err());
    std::fs::remove_file(site.join("content/bad.md")).expect("remove");
    let report = session.rebuild(&[site.join("content/bad.md")]).expect("fixed");
    assert!(report.full && report.incidents == 7, "{report:?}");
}

// Regressions found in review: each sequence once left output unlike a full build.

#[test]
fn a_static_file_comes_back_when_the_alias_over_it_goes() {
    let mut s = Script::new(false);
    s.write("static/old/hospital/index.html", "STATIC PAGE\n");
    s.rebuild("static page added", &["static/old/hospital/index.html"], false);
    s.edit(HOSPITAL, "title:", "aliases: [/old/hospital/]\ntitle:");
    s.rebuild("alias over the static page", &[HOSPITAL], false);
    s.edit(HOSPITAL, "aliases: [/old/hospital/]\n", "");
    s.rebuild("alias removed: the static page should come back", &[HOSPITAL], false);
}

#[test]
fn a_static_change_during_a_failed_rebuild_is_not_lost() {
    let mut s = Script::new(false);
    let good = s.read(HOSPITAL);
    s.write(HOSPITAL, &good.replacen("title:", "title: [unclosed", 1));
    assert!(s.session.rebuild(&[s.path(HOSPITAL)]).is_err());
    s.write("static/extra.css", "body { color: red }");
    assert!(s.session.rebuild(&[s.path("static/extra.css")]).is_err(), "still broken");
    s.write(HOSPITAL, &good);
    s.rebuild("content fixed after a static change", &[HOSPITAL], false);
}

#[test]
fn a_failed_configuration_change_is_retried_in_full() {
    let mut s = Script::new(false);
    s.edit("casebook.yaml", "title: casebook example incidents", "title: Renamed site\ntheme: custom");
    assert!(s.session.rebuild(&[s.path("casebook.yaml")]).is_err(), "theme custom is missing");
    s.write(
        "themes/custom/templates/404.html",
        "{% extends \"base.html\" %}{% block main %}gone{% endblock %}",
    );
    s.rebuild("theme created", &["themes/custom/templates/404.html"], false);
}

#[test]
fn a_page_written_before_a_collision_is_kept_in_step() {
    let mut s = Script::new(false);
    s.edit(HOSPITAL, "title:", "aliases: [/tags/zzz-collide/]\ntitle:");
    s.rebuild("alias", &[HOSPITAL], false);
    let good = s.read(HOSPITAL);
    s.edit(HOSPITAL, "tags: [", "tags: [zzz-collide, ");
    let e = s.session.rebuild(&[s.path(HOSPITAL)]).expect_err("collision");
    assert!(e.to_string().contains("would be written twice"), "{e}");
    s.write(HOSPITAL, &good);
    s.rebuild("tag reverted", &[HOSPITAL], false);
}

#[test]
fn a_folder_swapped_for_another_is_read_again() {
    let mut s = Script::new(false);
    s.write("content/2025/x.md", "---\ntitle: First version\ndate: 2025-01-02\n---\nBody one.\n");
    s.rebuild("folder added", &["content/2025"], false);
    let other = s.dir.path().join("other2025");
    std::fs::create_dir_all(&other).expect("test step");
    std::fs::write(other.join("x.md"), "---\ntitle: Second version\ndate: 2025-01-02\n---\nBody two.\n")
        .expect("test step");
    std::fs::rename(s.path("content/2025"), s.dir.path().join("gone2025")).expect("test step");
    std::fs::rename(&other, s.path("content/2025")).expect("test step");
    s.rebuild("folder swapped", &["content/2025"], false);
}

#[test]
fn an_embargo_ending_during_a_session_publishes_the_incident() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = example_site(dir.path());
    let at = jiff::Timestamp::now().as_second() + 2;
    let iso = jiff::Timestamp::from_second(at).expect("test step").strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    std::fs::write(
        site.join("content/2025-embargoed.md"),
        format!("---\ntitle: Embargoed one\ndate: 2025-03-02\nembargo: {iso}\n---\nBody.\n"),
    )
    .expect("test step");
    let out = dir.path().join("watched");
    let mut session =
        Session::new(SessionOptions { root: site.clone(), output: out.clone(), ..SessionOptions::default() });
    let first = session.rebuild(&[]).expect("first");
    assert_eq!(first.embargoed.len(), 1);
    std::thread::sleep(std::time::Duration::from_secs(3));
    let r = session.rebuild(&[]).expect("timer");
    let fresh = dir.path().join("fresh");
    let b = casebook::build(
        &casebook::BuildOptions { root: site.clone(), output: Some(fresh.clone()), ..Default::default() },
        &casebook::Silent,
    )
    .expect("test step");
    assert_eq!(b.incidents, 8, "full build publishes it");
    assert_eq!(r.incidents, 8, "session should publish it after the embargo: {r:?}");
    assert_eq!(common::files(&out), common::files(&fresh));
}

#[test]
fn a_build_after_watch_does_not_trust_the_old_state() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = example_site(dir.path());
    let out = dir.path().join("public");
    let opts = casebook::BuildOptions {
        root: site.clone(),
        output: Some(out.clone()),
        now: Some(NOW),
        ..Default::default()
    };
    casebook::build(&opts, &casebook::Silent).expect("build 1");
    // `casebook watch` into the same folder.
    let mut session = Session::new(SessionOptions {
        root: site.clone(),
        output: out.clone(),
        now: Some(NOW),
        ..SessionOptions::default()
    });
    session.rebuild(&[]).expect("watch first");
    let path = site.join(HOSPITAL);
    let good = std::fs::read_to_string(&path).expect("test step");
    std::fs::write(&path, good.replacen("title: Patient", "title: EDITED Patient", 1)).expect("test step");
    session.rebuild(std::slice::from_ref(&path)).expect("watch edit");
    drop(session);
    // Watch stopped; the edit is reverted (git checkout), then a build.
    std::fs::write(&path, &good).expect("test step");
    let r = casebook::build(&opts, &casebook::Silent).expect("build 2");
    assert!(!r.up_to_date, "watch changed the output since the last build");
    let fresh = dir.path().join("fresh");
    casebook::build(
        &casebook::BuildOptions { output: Some(fresh.clone()), ..opts.clone() },
        &casebook::Silent,
    )
    .expect("test step");
    for f in common::files(&fresh) {
        assert!(
            std::fs::read(out.join(&f)).expect("test step")
                == std::fs::read(fresh.join(&f)).expect("test step"),
            "{f} is stale in public/"
        );
    }
}

/// A PNG of `width` × `height` pixels, made by hand: the signature and a header are all a
/// size reader needs.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend(width.to_be_bytes());
    bytes.extend(height.to_be_bytes());
    bytes.extend([8, 2, 0, 0, 0, 0, 0, 0, 0]);
    bytes
}

#[test]
fn incremental_output_equals_a_full_build_after_page_and_bundle_edits() {
    let mut s = Script::new(false);
    let about = "pages/about.md";

    s.write(about, "---\ntitle: About us\nweight: 2\n---\nWe write up incidents.\n\n## Who\n\nAnalysts.\n");
    let added = s.rebuild("page added", &["pages"], false);
    assert!(added.written.contains(&"about/index.html".to_string()), "{added:?}");
    s.edit(about, "Analysts.", "Analysts and an editor.");
    let body = s.rebuild("page body edited", &[about], false);
    assert!(body.written.contains(&"about/index.html".to_string()), "{body:?}");
    assert!(
        body.written.len() <= 3,
        "a page's edit rewrites the page and the search index: {:?}",
        body.written
    );
    s.edit(about, "title: About us", "title: Zz about us");
    s.rebuild("page title edited", &[about], false);
    s.write("pages/contact.md", "---\ntitle: Contact\nweight: 1\n---\nWrite to us.\n");
    s.rebuild("second page", &["pages/contact.md"], false);
    s.edit(about, "weight: 2", "weight: 0");
    s.rebuild("page weight changed, order changed", &[about], false);
    s.edit(about, "title:", "slug: who-we-are\ntitle:");
    s.rebuild("page slug changed", &[about], false);
    assert!(!s.session.output().join("about").exists(), "the old address is gone");
    s.edit(about, "title:", "draft: true\ntitle:");
    s.rebuild("page made a draft", &[about], false);
    s.edit(about, "draft: true\n", "");
    s.rebuild("page published again", &[about], false);
    s.edit(about, "\n---\n", "\n---\n<!-- internal -->call Ana<!-- /internal -->\n");
    s.rebuild("internal note in a page", &[about], false);

    let good = s.read(about);
    s.write(about, "---\nweight: 1\n---\nNo title.\n");
    assert!(s.session.rebuild(&[s.path(about)]).is_err(), "a page without title fails the rebuild");
    s.write(about, &good);
    s.rebuild("page fixed", &[about], false);

    s.write(
        "templates/about.html",
        "{% extends \"base.html\" %}{% block main %}<h1>{{ page.title }}</h1>{% endblock %}",
    );
    s.edit(about, "title:", "template: about.html\ntitle:");
    s.rebuild("page with a template of its own", &[about, "templates/about.html"], false);
    s.edit("templates/about.html", "<h1>", "<h1 class=\"own\">");
    let template = s.rebuild("its template edited", &["templates/about.html"], false);
    assert_eq!(template.written, ["who-we-are/index.html"], "only the page using it");

    // An incident kept as a folder with files beside it.
    let bundle = "content/2025-03-bundle";
    std::fs::create_dir_all(s.path(&format!("{bundle}/img"))).expect("mkdir");
    std::fs::write(s.path(&format!("{bundle}/img/chart.png")), png(40, 30)).expect("write");
    std::fs::write(s.path(&format!("{bundle}/logs.txt")), "first line\n").expect("write");
    s.write(
        &format!("{bundle}/index.md"),
        "---\ntitle: A bundled incident\ndate: 2025-03-04\ntags: [bundle]\n---\n![Chart](img/chart.png) and [logs](logs.txt).\n",
    );
    let added = s.rebuild("bundle added", &[bundle], false);
    assert!(added.written.contains(&"incidents/2025-03-bundle/img/chart.png".to_string()), "{added:?}");
    std::fs::write(s.path(&format!("{bundle}/img/chart.png")), png(80, 60)).expect("write");
    let resized = s.rebuild("image replaced by a larger one", &[&format!("{bundle}/img/chart.png")], false);
    assert!(resized.written.contains(&"incidents/2025-03-bundle/index.html".to_string()), "{resized:?}");
    std::fs::write(s.path(&format!("{bundle}/notes.txt")), "more\n").expect("write");
    s.rebuild("file added to the bundle", &[&format!("{bundle}/notes.txt")], false);
    std::fs::remove_file(s.path(&format!("{bundle}/logs.txt"))).expect("remove");
    let removed = s.rebuild("file removed from the bundle", &[&format!("{bundle}/logs.txt")], false);
    assert_eq!(removed.removed, ["incidents/2025-03-bundle/logs.txt"], "{removed:?}");
    s.write(
        &format!("{bundle}/img/index.md"),
        "---\ntitle: A bundle inside\ndate: 2025-03-05\n---\n![c](chart.png)\n",
    );
    s.rebuild("a bundle nested in it takes its folder's files", &[&format!("{bundle}/img/index.md")], false);
    std::fs::remove_file(s.path(&format!("{bundle}/img/index.md"))).expect("remove");
    s.rebuild("the nested bundle gone again", &[&format!("{bundle}/img/index.md")], false);
    s.edit(&format!("{bundle}/index.md"), "title:", "draft: true\ntitle:");
    s.rebuild("bundled incident made a draft", &[&format!("{bundle}/index.md")], false);
    assert!(!s.session.output().join("incidents/2025-03-bundle").exists(), "a draft's files go too");
    s.edit(&format!("{bundle}/index.md"), "draft: true\n", "");
    s.rebuild("published again", &[&format!("{bundle}/index.md")], false);

    // A page that is a bundle too.
    std::fs::create_dir_all(s.path("pages/team")).expect("mkdir");
    std::fs::write(s.path("pages/team/us.png"), png(20, 10)).expect("write");
    s.write("pages/team/index.md", "---\ntitle: Team\n---\n![Us](us.png)\n");
    s.rebuild("page bundle added", &["pages/team"], false);
    std::fs::write(s.path("pages/team/us.png"), png(21, 10)).expect("write");
    s.rebuild("page bundle's image replaced", &["pages/team/us.png"], false);
    std::fs::remove_dir_all(s.path("pages/team")).expect("remove");
    s.rebuild("page bundle removed", &["pages/team"], false);

    std::fs::remove_file(s.path(about)).expect("remove");
    s.rebuild("page deleted", &[about], false);
}
