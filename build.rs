//! Embeds the default theme (`themes/default/`) in the binary, so `casebook build` works in a
//! folder that has nothing but `content/`.
//!
//! Generates `$OUT_DIR/default_theme.rs`: a sorted slice of `(path, bytes)` pairs, one per file,
//! with paths relative to `themes/default/` using `/` separators.

use std::{env, fmt::Write as _, fs, path::Path};

fn main() {
    let theme = Path::new("themes/default");
    println!("cargo:rerun-if-changed={}", theme.display());
    let mut files = Vec::new();
    collect(theme, theme, &mut files);
    files.sort();
    let mut out = String::from("&[\n");
    for rel in &files {
        println!("cargo:rerun-if-changed={}", theme.join(rel).display());
        let abs = fs::canonicalize(theme.join(rel)).expect("theme file can be resolved");
        writeln!(out, "    ({rel:?}, include_bytes!({:?})),", abs.display().to_string())
            .expect("writing to a String cannot fail");
    }
    out.push(']');
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("default_theme.rs");
    fs::write(dest, out).expect("OUT_DIR is writable");
}

fn collect(base: &Path, dir: &Path, files: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        // Directories are watched too, so adding a file to the theme triggers a rebuild.
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(base, &path, files);
        } else if let Ok(rel) = path.strip_prefix(base) {
            let rel: Vec<_> = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect();
            files.push(rel.join("/"));
        }
    }
}
