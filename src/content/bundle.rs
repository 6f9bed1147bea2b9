//! Page bundles: a content file named `index.md` in a folder of its own (`content/<name>/`,
//! `pages/<name>/`) keeps its other files beside it — images, diagrams, logs — which are
//! published beside its page. This module holds what is known of such a file and the pure
//! rules: which folder a file's bundle is, and an SVG's size from its text. Listing a bundle
//! and reading its images' headers is the site's work (`site/bundle.rs`).

use std::path::PathBuf;

use crate::content::markdown::ImageSizes;

/// A file stored beside a content file in its bundle, copied beside its page.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Attachment {
    /// Its path under the bundle's folder, with `/` separators: `timeline.png`, `img/a.png`;
    /// also its address under the page's.
    pub name: String,
    /// The file, as shown in messages (`content/2024-03-ransomware/timeline.png`).
    pub path: PathBuf,
    /// Width and height in pixels, for an image whose header says them.
    pub size: Option<(u32, u32)>,
    /// A fingerprint of the file's size, times and inode: it changes when the file does.
    pub version: u64,
}

/// The name content files of bundles have.
pub const BUNDLE_INDEX: &str = "index.md";

/// The folder whose files go with the content file at `source` (its path under `content/` or
/// `pages/`, `/`-separated): its own folder when it is the `index.md` of a folder below the
/// top; `None` for any other file.
pub fn bundle_folder(source: &str) -> Option<&str> {
    let folder = source.strip_suffix(BUNDLE_INDEX)?.strip_suffix('/')?;
    (!folder.is_empty()).then_some(folder)
}

/// The sizes of the images among `files`, for the body's `<img>` tags.
pub fn image_sizes(files: &[Attachment]) -> ImageSizes {
    files.iter().filter_map(|f| Some((f.name.clone(), f.size?))).collect()
}

/// The size an SVG image is drawn at, from the start of its text: the root element's `width`
/// and `height` when both are plain numbers of pixels, else its `viewBox`'s; `None` when
/// neither says (sizes in `%`, `em` or `cm`, say). What a browser draws an `<img>` of it at
/// is what this gives: with `width` and `height` set, the page keeps room for it.
pub fn svg_size(text: &str) -> Option<(u32, u32)> {
    let start = text.find("<svg")?;
    let rest = &text[start + 4..];
    let tag = &rest[..rest.find('>')?];
    let pixels = |value: &str| -> Option<f64> {
        let number = value.trim().strip_suffix("px").unwrap_or(value.trim());
        number.parse::<f64>().ok().filter(|n| n.is_finite() && *n > 0.0)
    };
    let rounded = |n: f64| -> Option<u32> {
        let n = n.round();
        (n >= 1.0 && n <= f64::from(u32::MAX)).then_some(n as u32)
    };
    if let (Some(w), Some(h)) =
        (attribute(tag, "width").and_then(pixels), attribute(tag, "height").and_then(pixels))
    {
        return Some((rounded(w)?, rounded(h)?));
    }
    let view_box = attribute(tag, "viewBox")?;
    let numbers: Vec<f64> = view_box
        .split([' ', ',', '\t', '\n', '\r'])
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    match numbers[..] {
        [_, _, w, h] if w > 0.0 && h > 0.0 => Some((rounded(w)?, rounded(h)?)),
        _ => None,
    }
}

/// The value of attribute `name` in the text of a start tag, quoted with `"` or `'`.
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let mut from = 0;
    while let Some(at) = tag[from..].find(name).map(|i| i + from) {
        from = at + name.len();
        // A whole attribute name: not the end of `stroke-width`, nor the start of `widths`.
        let before = tag[..at].chars().next_back();
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let after = tag[from..].trim_start();
        let Some(value) = after.strip_prefix('=') else { continue };
        let value = value.trim_start();
        let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let value = &value[1..];
        return value.find(quote).map(|end| &value[..end]);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_index_below_the_top_is_a_bundle() {
        assert_eq!(bundle_folder("2024-03-ransomware/index.md"), Some("2024-03-ransomware"));
        assert_eq!(bundle_folder("2024/03/x/index.md"), Some("2024/03/x"));
        assert_eq!(bundle_folder("index.md"), None);
        assert_eq!(bundle_folder("x/notes.md"), None);
        assert_eq!(bundle_folder("x/myindex.md"), None);
    }

    #[test]
    fn svg_sizes_come_from_width_and_height_or_the_view_box() {
        let svg = |attrs: &str| {
            format!("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" {attrs}>")
        };
        assert_eq!(svg_size(&svg("width=\"320\" height='200px'")), Some((320, 200)));
        assert_eq!(svg_size(&svg("viewBox=\"0 0 640 480.4\"")), Some((640, 480)));
        assert_eq!(svg_size(&svg("width=\"100%\" height=\"100%\" viewBox=\"0,0,64,32\"")), Some((64, 32)));
        assert_eq!(svg_size(&svg("stroke-width=\"3\" width=\"10em\" height=\"4\"")), None);
        assert_eq!(svg_size(&svg("viewBox=\"0 0 0 10\"")), None);
        assert_eq!(svg_size("<html><body></body></html>"), None);
        assert_eq!(svg_size("<svg width=\"9\""), None, "an unclosed tag");
    }
}
