//! Listing page bundles: the files stored beside a content file named `index.md` in a folder
//! of its own, with the sizes of its images read from their headers (see
//! [`crate::content::bundle`] for the rules).

use std::path::Path;

use crate::base::error::Diagnostic;
use crate::base::fs;
use crate::content::bundle::{Attachment, BUNDLE_INDEX, bundle_folder, svg_size};

/// Raster images whose size the header gives ([`fs::image_size`]), by extension.
const RASTER: [&str; 8] = ["png", "jpg", "jpeg", "gif", "webp", "bmp", "ico", "avif"];

/// How much of an SVG file is read to find its root element: it comes after the XML
/// declaration, a doctype and comments, never far in.
const SVG_HEAD: usize = 16 * 1024;

/// The files of the bundle of the content file `md` (its path as shown, starting with the
/// site's folder: `content/x/index.md`), whose path under `content/` or `pages/` is `source`:
/// every file of its folder and the folders below, except Markdown files (always incidents or
/// pages of their own, so never copied as they are, with whatever notes they hold) and the
/// files of a bundle nested in it. Hidden files are skipped, and a link leading out of the
/// folder is an error, as everywhere in content. Empty for a file that is no bundle.
pub fn attachments(md: &Path, source: &str) -> Result<Vec<Attachment>, Diagnostic> {
    if bundle_folder(source).is_none() {
        return Ok(Vec::new());
    }
    let Some(folder) = md.parent() else { return Ok(Vec::new()) };
    let listed = fs::files_under(folder)?;
    let relative = |path: &Path| -> String {
        let rel = path.strip_prefix(folder).unwrap_or(path);
        rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
    };
    let names: Vec<String> = listed.iter().map(|p| relative(p)).collect();
    // Folders below holding an `index.md` are bundles of their own, with their own files.
    let nested: Vec<&str> =
        names.iter().filter_map(|n| n.strip_suffix(BUNDLE_INDEX)).filter(|f| !f.is_empty()).collect();
    let mut files = Vec::new();
    for (path, name) in listed.iter().zip(&names) {
        if crate::site::is_content_file(path) || nested.iter().any(|folder| name.starts_with(folder)) {
            continue;
        }
        let extension =
            path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        let size = if extension == "svg" {
            let head = fs::read_prefix(path, SVG_HEAD)?;
            svg_size(&String::from_utf8_lossy(&head))
        } else if RASTER.contains(&extension.as_str()) {
            fs::image_size(path)
        } else {
            None
        };
        let version = crate::base::hash::fingerprint(&fs::stamp(path)?);
        files.push(Attachment { name: name.clone(), path: path.clone(), size, version });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_has_its_files_but_not_markdown_nor_nested_bundles() {
        let dir = tempfile::tempdir().expect("temp dir");
        let bundle = dir.path().join("content/x");
        for (rel, bytes) in [
            ("index.md", &b"---\n"[..]),
            ("notes.md", b"an incident of its own"),
            ("logs.txt", b"log"),
            ("img/d.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 30 20\"></svg>"),
            ("img/broken.png", b"not a png"),
            ("inner/index.md", b"---\n"),
            ("inner/own.txt", b"inner's"),
            (".hidden.txt", b"editor's"),
        ] {
            let path = bundle.join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, bytes).expect("write");
        }
        let files = attachments(&bundle.join("index.md"), "x/index.md").expect("listed");
        let named: Vec<(&str, Option<(u32, u32)>)> =
            files.iter().map(|f| (f.name.as_str(), f.size)).collect();
        assert_eq!(named, [("img/broken.png", None), ("img/d.svg", Some((30, 20))), ("logs.txt", None)]);
        assert!(attachments(&bundle.join("notes.md"), "x/notes.md").expect("none").is_empty());
        let inner = attachments(&bundle.join("inner/index.md"), "x/inner/index.md").expect("listed");
        assert_eq!(inner.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["own.txt"]);
    }
}
