//! `casebook init` and `casebook new`: a new site builds at once, and nothing is overwritten.

use crate::common;

use common::{casebook, read, stderr};

#[test]
fn a_new_site_builds_and_checks_clean() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = dir.path().join("site");
    let result = casebook(dir.path(), &["init", "site"]);
    assert!(result.status.success(), "{}", stderr(&result));
    for file in [
        "casebook.yaml",
        "content/example-incident.md",
        "static/.gitkeep",
        ".gitignore",
        ".github/workflows/pages.yml",
    ] {
        assert!(site.join(file).is_file(), "{file}");
    }
    assert!(read(&site, ".gitignore").contains("/public/"));
    // The workflow installs the release binary of the casebook that wrote it, checksum checked,
    // instead of compiling casebook on every build.
    let workflow = read(&site, ".github/workflows/pages.yml");
    let pinned = format!("CASEBOOK_VERSION: \"{}\"", env!("CARGO_PKG_VERSION"));
    assert!(workflow.contains(&pinned), "{workflow}");
    assert!(workflow.contains("/install-casebook.sh\""), "{workflow}");
    assert!(workflow.contains("casebook build --base-url"), "{workflow}");
    assert!(!workflow.contains("cargo install"), "{workflow}");
    let result = casebook(&site, &["build"]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(!stderr(&result).contains("warning"), "{}", stderr(&result));
    let result = casebook(&site, &["check", "--now", "2026-11-28"]);
    assert!(result.status.success(), "{}", stderr(&result));
}

/// `casebook --version` names the commit it was built from (found by build.rs), so that a bug
/// report says which build it is about; "unknown" when the build had no git and no record.
#[test]
fn version_names_the_commit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let result = casebook(dir.path(), &["--version"]);
    assert!(result.status.success(), "{}", stderr(&result));
    let out = String::from_utf8_lossy(&result.stdout);
    let prefix = format!("casebook {} (commit ", env!("CARGO_PKG_VERSION"));
    let commit = out.trim_end().strip_prefix(&prefix).and_then(|rest| rest.strip_suffix(')'));
    let hex = |c: &str| c.len() >= 7 && c.bytes().all(|b| b.is_ascii_hexdigit());
    assert!(commit.is_some_and(|c| c == "unknown" || hex(c)), "{out}");
}

#[test]
fn init_refuses_a_folder_in_use_and_never_overwrites() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("casebook.yaml"), "title: Mine\n").expect("write");
    let result = casebook(dir.path(), &["init"]);
    assert_eq!(result.status.code(), Some(1));
    assert!(
        stderr(&result).contains("refusing to create a site in a folder that is not empty"),
        "{}",
        stderr(&result)
    );
    assert!(!dir.path().join("content").exists());

    let result = casebook(dir.path(), &["init", "--force"]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert_eq!(read(dir.path(), "casebook.yaml"), "title: Mine\n", "kept as it was");
    assert!(stderr(&result).contains("kept    ./casebook.yaml (it already exists)"), "{}", stderr(&result));
    assert!(dir.path().join("content/example-incident.md").is_file());
}

#[test]
fn new_writes_a_dated_file_from_the_archetype_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir(root.join("content")).expect("mkdir");
    let args = ["new", "Ransomware at Springfield water utility", "--date", "2026-11-03"];
    let result = casebook(root, &args);
    assert!(result.status.success(), "{}", stderr(&result));
    let file = "content/2026-11-03-ransomware-at-springfield-water-utility.md";
    let text = read(root, file);
    assert!(
        text.starts_with("---\ntitle: \"Ransomware at Springfield water utility\"\ndate: 2026-11-03"),
        "{text}"
    );
    for field in
        ["# severity:", "# victim:", "# techniques:", "# timeline:", "# sources:", "# iocs:", "# embargo:"]
    {
        assert!(text.contains(field), "the template offers {field}");
    }
    let again = casebook(root, &args);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("an incident file with this name already exists"));
    assert_eq!(read(root, file), text, "not overwritten");

    // A site's own archetype wins; today's date is the default.
    std::fs::create_dir(root.join("archetypes")).expect("mkdir");
    std::fs::write(
        root.join("archetypes/incident.md"),
        "---\ntitle: {{ title }}\ndate: {{ date }}\nseverity: low\n---\nOurs.\n",
    )
    .expect("write");
    let result = casebook(root, &["new", "Outage of the mail gateway", "--date", "2026-11"]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(
        read(root, "content/2026-11-outage-of-the-mail-gateway.md").contains("severity: low\n---\nOurs.")
    );
    let result = casebook(root, &["build"]);
    assert!(result.status.success(), "{}", stderr(&result));
}
