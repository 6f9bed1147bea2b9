//! The body of a content file, an incident's or a page's: internal notes removed before anything
//! reads it, Markdown rendered (notes shown highlighted instead in a preview that asks for them),
//! and every link located at its line and column in the file.

use std::path::Path;

use crate::base::error::{Diagnostic, Location};
use crate::content::incident::ParseSettings;
use crate::content::markdown::{self, ImageSizes, TocEntry};

/// A rendered body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Body {
    /// The HTML, without internal notes (or with them highlighted, for the local preview).
    pub html: String,
    /// The headings.
    pub toc: Vec<TocEntry>,
    /// Words in the body.
    pub word_count: usize,
    /// Link and image targets, with the file line and column each is written at.
    pub links: Vec<(String, usize, usize)>,
    /// The first top-level paragraph as HTML (empty when there is none).
    pub first_paragraph_html: String,
    /// The first top-level paragraph as plain text.
    pub first_paragraph_text: String,
}

/// Renders the body `text` of the file `path`, which starts on line `first_line` of the file;
/// `images` are the sizes of the files stored beside it. Fails when an internal note is
/// malformed or could not be removed: a body is never rendered with a note left in it.
pub fn render(
    path: &Path,
    text: &str,
    first_line: usize,
    settings: &ParseSettings,
    images: &ImageSizes,
) -> Result<Body, Vec<Diagnostic>> {
    // Internal notes go before anything reads the body: no output can see them.
    let body = crate::content::internal::strip(text).map_err(|e| vec![e.located(path, first_line)])?;
    let mut rendered = markdown::render_with(&body, settings.markdown.clone(), images);
    if let Some(&offset) = rendered.internal_blocks.first() {
        // The removal missed a note the renderer sees: stop rather than publish it. The
        // stripped text keeps the body's lines, so the line is the file's.
        let line = first_line + body[..offset].matches('\n').count();
        return Err(vec![
            Diagnostic::at(
                Location::at(path, line, 1),
                "this ```internal block could not be removed, so it would be published",
            )
            .with_help("write its opening fence on a line of its own as ```internal, and close it with ```"),
        ]);
    }
    if settings.show_internal && matches!(body, std::borrow::Cow::Owned(_)) {
        // Only the page's body shows them; everything else came from the stripped text.
        if let Ok(marked) = crate::content::internal::mark(text) {
            let shown = markdown::render_with(&marked, settings.markdown.clone(), images).html;
            rendered.html = crate::content::internal::highlight(&shown);
        }
    }
    Ok(Body {
        links: link_positions(rendered.links, &body, first_line),
        html: rendered.html,
        toc: rendered.toc,
        word_count: rendered.word_count,
        first_paragraph_html: rendered.first_paragraph_html,
        first_paragraph_text: rendered.first_paragraph_text,
    })
}

/// Turns the byte offsets of links into file lines and columns. Offsets come in increasing
/// order, so one pass over the text serves them all (counting from the start for each link
/// made a write-up with many links quadratic).
fn link_positions(links: Vec<(String, usize)>, body: &str, first_line: usize) -> Vec<(String, usize, usize)> {
    let (mut line, mut line_start, mut scanned) = (first_line, 0, 0);
    let mut out = Vec::with_capacity(links.len());
    for (url, offset) in links {
        let offset = offset.min(body.len());
        if offset < scanned {
            // Reference links are reported where they are used, which is in order; be safe anyway.
            (line, line_start, scanned) = (first_line, 0, 0);
        }
        for (i, _) in body[scanned..offset].match_indices('\n') {
            line += 1;
            line_start = scanned + i + 1;
        }
        scanned = offset;
        let column = 1 + body.get(line_start..offset).map_or(0, |l| l.chars().count());
        out.push((url, line, column));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_positions_are_file_lines_and_columns() {
        let body = "a [x](/1/)\nb\n  [y](/2/) [z](/3/)\n";
        let links = vec![("/1/".into(), 2), ("/2/".into(), 15), ("/3/".into(), 25)];
        let got = link_positions(links, body, 10);
        assert_eq!(got, [("/1/".into(), 10, 3), ("/2/".into(), 12, 3), ("/3/".into(), 12, 13)]);
    }

    #[test]
    fn notes_are_removed_or_shown_highlighted_as_asked() {
        let text = "Public.\n\n<!-- internal -->secret<!-- /internal -->\n";
        let settings = ParseSettings::default();
        let body = render(Path::new("x.md"), text, 5, &settings, &ImageSizes::new()).expect("renders");
        assert!(!body.html.contains("secret"), "{}", body.html);
        let shown = ParseSettings { show_internal: true, ..ParseSettings::default() };
        let body = render(Path::new("x.md"), text, 5, &shown, &ImageSizes::new()).expect("renders");
        assert!(body.html.contains("secret"), "{}", body.html);
        let e = render(Path::new("x.md"), "a\n\n<!-- internal -->open\n", 5, &settings, &ImageSizes::new())
            .expect_err("unclosed");
        assert!(e[0].to_string().starts_with("x.md:7:"), "{}", e[0]);
    }
}
