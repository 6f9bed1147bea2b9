//! The layout rule of `src/`: a folder imports only folders below it (ARCHITECTURE.md).
//!
//! Each top-level folder of the library is a stage. A stage may use what the stages below it
//! offer and nothing above it, so a change to rendering never has to be threaded back into
//! loading, and a newcomer can read the crate bottom up. This test reads every library source
//! file, finds each `crate::…` path outside comments and unit-test modules, and fails on a path
//! into a folder of a higher (or the same, but another) rank.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The stages, lowest first. Folders on one line are siblings: none may use another.
const RANKS: &[&[&str]] = &[
    &["base"],
    &["content"],
    &["config"],
    &["site"],
    &["theme"],
    &["plan"],
    &["render"],
    &["write"],
    &["pipeline"],
    &["preview", "check", "import", "scaffold"],
];

fn rank(folder: &str) -> Option<usize> {
    RANKS.iter().position(|line| line.contains(&folder))
}

/// A `crate::…` path that points upward or sideways.
#[derive(Debug, PartialEq, Eq)]
struct Violation {
    file: String,
    line: usize,
    from: String,
    to: String,
}

/// The text of `source` with comments and string literals blanked out (lines kept), and the
/// unit-test module (`#[cfg(test)]` and everything after it) dropped: tests may set up their
/// fixtures with any stage.
fn code_only(source: &str) -> String {
    let source = match source.find("#[cfg(test)]") {
        Some(at) => &source[..at],
        None => source,
    };
    let bytes = source.as_bytes();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &source[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').map_or(source.len(), |n| i + n);
            i = end;
        } else if rest.starts_with("/*") {
            let end = rest.find("*/").map_or(source.len(), |n| i + n + 2);
            out.extend(source[i..end].chars().filter(|&c| c == '\n'));
            i = end;
        } else if rest.starts_with("r#\"") || rest.starts_with("r\"") {
            let hashes = rest[1..].chars().take_while(|&c| c == '#').count();
            let close = format!("\"{}", "#".repeat(hashes));
            let body = i + 2 + hashes;
            let end = source[body..].find(&close).map_or(source.len(), |n| body + n + close.len());
            out.extend(source[i..end].chars().filter(|&c| c == '\n'));
            i = end;
        } else if rest.starts_with('"') {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'"' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(bytes.len());
            out.extend(source[i..end].chars().filter(|&c| c == '\n'));
            i = end;
        } else if rest.starts_with("'\"'") {
            // A char literal holding a quote: not the start of a string.
            i += 3;
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The first segment of every `crate::` path in `code`, with its line: `crate::a::b` gives `a`,
/// `crate::{a, b::c}` gives `a` and `b`.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let line = code[..at].matches('\n').count() + 1;
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            let mut items = Vec::new();
            let mut start = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => {
                        items.extend((!item.is_empty()).then(|| std::mem::take(&mut item)));
                        start = true;
                    }
                    c if depth == 1 && start && (c.is_alphanumeric() || c == '_') => item.push(c),
                    _ if !item.is_empty() => {
                        items.push(std::mem::take(&mut item));
                        start = false;
                    }
                    _ => {}
                }
            }
            items.extend((!item.is_empty()).then_some(item));
            found.extend(items.into_iter().map(|i| (line, i)));
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            found.push((line, name));
        }
    }
    found
}

/// What the crate root re-exports, by name, to the folder it comes from (`Config` -> `config`).
fn root_exports(lib: &str) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for line in code_only(lib).lines() {
        let Some(path) = line.trim().strip_prefix("pub use ") else { continue };
        let path = path.trim_end_matches(';');
        let folder = path.split("::").next().unwrap_or_default().to_string();
        let names = match path.find('{') {
            Some(open) => path[open + 1..].trim_end_matches('}').to_string(),
            None => path.rsplit("::").next().unwrap_or_default().to_string(),
        };
        for name in names.split(',') {
            let name = name.split(" as ").last().unwrap_or_default().trim();
            if !name.is_empty() {
                map.insert(name.to_string(), folder.clone());
            }
        }
    }
    map
}

/// The violations in one file of folder `from`.
fn violations(file: &str, from: &str, source: &str, exports: &HashMap<String, String>) -> Vec<Violation> {
    let Some(own) = rank(from) else {
        return vec![Violation { file: file.into(), line: 1, from: from.into(), to: "(no rank)".into() }];
    };
    let mut found = Vec::new();
    for (line, name) in crate_paths(&code_only(source)) {
        let to = exports.get(&name).cloned().unwrap_or(name);
        if to == from {
            continue;
        }
        let bad = match rank(&to) {
            Some(r) => r >= own,
            // A name that is no folder and no re-export: a typo here, or a new folder to rank.
            None => true,
        };
        if bad {
            found.push(Violation { file: file.into(), line, from: from.into(), to });
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_folder_imports_a_folder_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("src/lib.rs");
    let exports = root_exports(&lib);
    assert!(exports.get("Config").is_some_and(|f| f == "config"), "re-exports read: {exports:?}");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut all = Vec::new();
    for path in &files {
        let rel = path.strip_prefix(&src).expect("under src/");
        let first = rel.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned());
        let Some(first) = first else { continue };
        // The binary's own files use the library as `casebook::`, and lib.rs is the root.
        if first == "main.rs" || first == "lib.rs" || first == "cmd" {
            continue;
        }
        let folder = first.trim_end_matches(".rs");
        let source = std::fs::read_to_string(path).expect("a source file");
        all.extend(violations(&rel.display().to_string(), folder, &source, &exports));
    }
    let listed: Vec<String> =
        all.iter().map(|v| format!("src/{}:{}: {} uses {}", v.file, v.line, v.from, v.to)).collect();
    assert!(listed.is_empty(), "imports against the stage order:\n{}", listed.join("\n"));
}

#[test]
fn a_planted_upward_import_is_found() {
    let exports = root_exports("pub use config::Config;\npub use pipeline::{BuildOptions, build};\n");
    let source = "//! doc: crate::render is fine here\nuse crate::base::fs;\nuse crate::{content, render::Renderer};\n\
                  fn f() { let s = \"crate::preview\"; crate::Config::default(); crate::build(); }\n\
                  #[cfg(test)]\nmod tests { use crate::preview; }\n";
    let found = violations("site/x.rs", "site", source, &exports);
    let seen: Vec<(usize, &str)> = found.iter().map(|v| (v.line, v.to.as_str())).collect();
    assert_eq!(seen, [(3, "render"), (4, "pipeline")]);
    // Sideways: two folders of one rank.
    let found = violations("check/x.rs", "check", "use crate::preview::Session;", &exports);
    assert_eq!(found.len(), 1);
    assert!(
        violations("render/x.rs", "render", "use crate::site::Site; use crate::Config;", &exports).is_empty()
    );
}
