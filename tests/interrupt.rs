//! A build killed at any moment never leaves a half-written output folder: the previous build
//! stays whole, and the next build starts clean.

use crate::common;

use std::process::Command;
use std::time::Duration;

use common::{casebook, files, read, stderr};

fn write_site(root: &std::path::Path, count: usize) {
    let content = root.join("content");
    std::fs::create_dir_all(&content).expect("mkdir");
    let body = "Paragraph of the write-up with enough words to take some time to render. ".repeat(40);
    for i in 0..count {
        let text = format!(
            "---\ntitle: Incident number {i}\ndate: 2024-01-{:02}\ntags: [tag-{}, shared]\n---\n## Part\n\n{body}\n",
            i % 28 + 1,
            i % 50
        );
        std::fs::write(content.join(format!("incident-{i}.md")), text).expect("write");
    }
}

#[test]
fn a_killed_build_leaves_the_previous_output_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write_site(root, 1500);
    let first = casebook(root, &["build"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let public = root.join("public");
    let before = files(&public);
    let index = read(&public, "index.html");

    // A second build with one more incident, killed at different moments.
    std::fs::write(root.join("content/extra.md"), "---\ntitle: Extra\ndate: 2025-01-01\n---\nNew.\n")
        .expect("write");
    for delay in [5, 40, 120, 300] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_casebook"))
            .arg("build")
            .current_dir(root)
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start casebook");
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill(); // SIGKILL: no chance to clean up
        let _ = child.wait();
        let now = files(&public);
        // Either the kill came first and the old build is intact, or the build finished.
        if now.contains(&"incidents/extra/index.html".to_string()) {
            assert_eq!(now.len(), before.len() + 1, "a complete new build");
        } else {
            assert_eq!(now, before, "killed after {delay} ms: the previous output must be whole");
            assert_eq!(read(&public, "index.html"), index);
        }
    }
    let last = casebook(root, &["build"]);
    assert!(last.status.success(), "{}", stderr(&last));
    assert!(public.join("incidents/extra/index.html").is_file());
    let leftovers: Vec<String> = std::fs::read_dir(root)
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("casebook") && !n.ends_with(".casebook-state"))
        .collect();
    assert!(leftovers.is_empty(), "staging folders left behind: {leftovers:?}");
    // The build after the kills wrote the state of what it left (for the next build).
    assert!(root.join(".public.casebook-state").is_file());
}
