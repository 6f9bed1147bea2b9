//! Huge or pathological inputs either build or fail with a clear message, in bounded time and
//! memory. (The 50 MB case runs in `bench/`; here the sizes keep a debug build fast.)

use crate::common;

use common::{casebook, stderr};

fn site_with(file: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("content")).expect("mkdir");
    std::fs::write(dir.path().join("content").join(file), text).expect("write");
    dir
}

#[test]
fn a_very_long_write_up_builds() {
    let paragraph =
        "Words of the write-up, with a [link](https://example.org/) and `code`. ".repeat(12) + "\n\n";
    let mut text = String::from("---\ntitle: Long\ndate: 2024\n---\n");
    while text.len() < 6_000_000 {
        text.push_str("## Section\n\n");
        text.push_str(&paragraph);
    }
    let dir = site_with("long.md", &text);
    let result = casebook(dir.path(), &["build"]);
    assert!(result.status.success(), "{}", stderr(&result));
}

#[test]
fn deeply_nested_lists_build() {
    let mut text = String::from("---\ntitle: Nested\ndate: 2024\n---\n");
    for depth in 0..1500 {
        text.push_str(&"  ".repeat(depth));
        text.push_str("- item\n");
    }
    text.push_str(&"> ".repeat(5000));
    text.push_str("quote\n");
    let dir = site_with("nested.md", &text);
    let result = casebook(dir.path(), &["build"]);
    assert!(result.status.success(), "{}", stderr(&result));
}

#[test]
fn a_hundred_thousand_tags_fail_clearly() {
    let tags: Vec<String> = (0..100_000).map(|i| format!("t{i}")).collect();
    let dir =
        site_with("tags.md", &format!("---\ntitle: Tags\ndate: 2024\ntags: [{}]\n---\n", tags.join(", ")));
    let result = casebook(dir.path(), &["build"]);
    assert_eq!(result.status.code(), Some(1));
    assert!(
        stderr(&result)
            .contains("content/tags.md:4:7: `tags` has 100000 items; an incident may have at most 1000"),
        "{}",
        stderr(&result)
    );
}

#[test]
fn deeply_nested_yaml_fails_clearly() {
    let value = format!("{}x{}", "[".repeat(10_000), "]".repeat(10_000));
    let dir = site_with("deep.md", &format!("---\ntitle: Deep\ndate: 2024\nextra: {value}\n---\n"));
    let result = casebook(dir.path(), &["build"]);
    assert_eq!(result.status.code(), Some(1));
    assert!(
        stderr(&result).contains("content/deep.md:4:"),
        "{}",
        &stderr(&result)[..stderr(&result).len().min(500)]
    );
    // Found before the YAML parser runs (issue 28): its time grows with the square of the depth.
    assert!(
        stderr(&result).contains("content/deep.md:4:136: invalid YAML: lists and maps written with `[` and `{` are nested more than 128 deep"),
        "{}",
        &stderr(&result)[..stderr(&result).len().min(500)]
    );
}
