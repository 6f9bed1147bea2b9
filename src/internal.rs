//! Internal notes: parts of a write-up for the team only, removed from public builds.
//!
//! Two forms are recognized, so analysts can use whichever their editor makes easy:
//!
//! ````markdown
//! ```internal
//! Call the mayor's office before publishing.
//! ```
//!
//! Text <!-- internal -->with a private aside<!-- /internal --> goes on.
//! ````
//!
//! Removal happens on the Markdown text, before anything else reads it, so no output (page,
//! summary, feed, search index, export) can see a note. Removed lines are left blank, so line
//! numbers in later messages still match the file. Markers are recognized everywhere,
//! even inside code blocks: when in doubt, casebook removes. A note that is opened but never
//! closed is an error rather than a guess, because guessing wrong publishes it.

use std::borrow::Cow;

/// A problem with internal-note markers, at a 1-based line of the Markdown text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkerError {
    /// The line of the marker at fault.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Finds `<!-- internal -->` (or `<!-- /internal -->` when `closing`) in `text`, with any
/// spacing and case: the byte range of the whole marker.
fn find_marker(text: &str, closing: bool) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(start) = text[from..].find("<!--").map(|i| i + from) {
        let after = &text[start + 4..];
        let end = after.find("-->")?;
        let inner = after[..end].trim().to_ascii_lowercase();
        let wanted =
            if closing { inner.strip_prefix('/').map(str::trim_start) } else { Some(inner.as_str()) };
        if wanted == Some("internal") {
            return Some((start, start + 4 + end + 3));
        }
        from = start + 4;
    }
    None
}

/// A fence line: its character, length, and info string.
fn fence(line: &str) -> Option<(char, usize, &str)> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let c = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let count = trimmed.chars().take_while(|x| *x == c).count();
    (count >= 3).then(|| (c, count, trimmed[count..].trim()))
}

/// Removes every internal note from Markdown `text`. Borrows when there is none (the usual
/// case, and the fast one).
pub fn strip(text: &str) -> Result<Cow<'_, str>, MarkerError> {
    process(text, false)
}

/// Sentinels standing for the edges of notes in [`mark`]ed Markdown: private-use characters
/// around a word, which Markdown passes through as text and no writer types.
const BLOCK_OPEN: &str = "\u{F8FF}casebook-internal-block\u{F8FF}";
const BLOCK_CLOSE: &str = "\u{F8FF}/casebook-internal-block\u{F8FF}";
const INLINE_OPEN: &str = "\u{F8FF}casebook-internal\u{F8FF}";
const INLINE_CLOSE: &str = "\u{F8FF}/casebook-internal\u{F8FF}";

/// Keeps internal notes but marks their edges, for the preview, which shows them highlighted:
/// render the result as Markdown, then pass the HTML through [`highlight`]. Block notes (a
/// fenced block, or a comment region whose markers stand on lines of their own) become
/// paragraphs of their own; notes within a line stay inline.
pub fn mark(text: &str) -> Result<Cow<'_, str>, MarkerError> {
    process(text, true)
}

/// Turns the sentinels of [`mark`]ed Markdown, rendered to HTML, into highlighted elements
/// labelled as internal.
pub fn highlight(html: &str) -> String {
    const BLOCK_STYLE: &str = "display:block;background:#fff3bf;color:#3b2f00;border:2px dashed #e67700;\
                               padding:0.25em 1em;margin:1em 0";
    const INLINE_STYLE: &str = "background:#fff3bf;color:#3b2f00;outline:1px dashed #e67700";
    html.replace(
        &format!("<p>{BLOCK_OPEN}</p>"),
        &format!(
            "<aside class=\"casebook-internal\" style=\"{BLOCK_STYLE}\" aria-label=\"Internal note\">\
             <p><strong>Internal note</strong> (shown in the preview only; never published)</p>"
        ),
    )
    .replace(&format!("<p>{BLOCK_CLOSE}</p>"), "</aside>")
    .replace(INLINE_OPEN, &format!("<mark class=\"casebook-internal\" style=\"{INLINE_STYLE}\" title=\"Internal note: never published\">"))
    .replace(INLINE_CLOSE, "</mark>")
    // Sentinels that did not land where expected (inside code, a heading): dropped.
    .replace(BLOCK_OPEN, "")
    .replace(BLOCK_CLOSE, "")
}

fn process(text: &str, keep: bool) -> Result<Cow<'_, str>, MarkerError> {
    if !text.contains("internal") {
        return Ok(Cow::Borrowed(text));
    }
    // Whether the open comment region is a block (its markers on lines of their own).
    let mut comment_block = false;
    let mut out = String::with_capacity(text.len());
    // (fence char, fence length, is internal, opening line)
    let mut in_fence: Option<(char, usize, bool, usize)> = None;
    let mut in_comment: Option<usize> = None;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let number = n + 1;
        let blank = if line.ends_with('\n') { "\n" } else { "" };
        if let Some((c, count, internal, _)) = in_fence {
            let closes =
                fence(line).is_some_and(|(fc, fcount, info)| fc == c && fcount >= count && info.is_empty());
            if closes {
                in_fence = None;
            }
            if internal {
                match (keep, closes) {
                    (false, _) => out.push_str(blank),
                    (true, true) => out.push_str(&format!("\n\n{BLOCK_CLOSE}\n\n")),
                    (true, false) => out.push_str(line),
                }
                continue;
            }
        } else if in_comment.is_none()
            && let Some((c, count, info)) = fence(line)
        {
            let internal = info.split_whitespace().next() == Some("internal");
            in_fence = Some((c, count, internal, number));
            if internal {
                out.push_str(if keep { "\n\n" } else { blank });
                if keep {
                    out.push_str(&format!("{BLOCK_OPEN}\n\n"));
                }
                continue;
            }
        }
        let line_start = out.len();
        // Comment markers, possibly several on one line.
        let mut rest = line;
        loop {
            match in_comment {
                Some(_) => match find_marker(rest, true) {
                    Some((start, end)) => {
                        in_comment = None;
                        if keep {
                            out.push_str(&rest[..start]);
                            let close = if comment_block { BLOCK_CLOSE } else { INLINE_CLOSE };
                            let (before, after) = if comment_block { ("\n\n", "\n\n") } else { ("", "") };
                            out.push_str(&format!("{before}{close}{after}"));
                        }
                        rest = &rest[end..];
                    }
                    None => {
                        if keep {
                            out.push_str(rest);
                        }
                        break;
                    }
                },
                None => {
                    let open = find_marker(rest, false);
                    let close = find_marker(rest, true);
                    match (open, close) {
                        (_, Some((c, _))) if open.is_none_or(|(o, _)| c < o) => {
                            return Err(MarkerError {
                                line: number,
                                message: "`<!-- /internal -->` closes an internal note that was never opened"
                                    .into(),
                            });
                        }
                        (Some((start, end)), _) => {
                            out.push_str(&rest[..start]);
                            in_comment = Some(number);
                            if keep {
                                comment_block =
                                    rest[end..].trim().is_empty() && rest[..start].trim().is_empty();
                                if comment_block {
                                    out.push_str(&format!("\n\n{BLOCK_OPEN}\n\n"));
                                } else {
                                    out.push_str(INLINE_OPEN);
                                }
                            }
                            rest = &rest[end..];
                        }
                        _ => {
                            out.push_str(rest);
                            break;
                        }
                    }
                }
            }
        }
        // A removed note that took the end of a line keeps the line break: the line count
        // stays, and the text that follows does not join the paragraph before.
        if !(out[line_start..].ends_with('\n') || keep && out.ends_with('\n')) {
            out.push_str(blank);
        }
    }
    if let Some(line) = in_comment {
        return Err(MarkerError {
            line,
            message: "`<!-- internal -->` is never closed: add `<!-- /internal -->` where the note ends"
                .into(),
        });
    }
    if let Some((_, _, true, line)) = in_fence {
        return Err(MarkerError { line, message: "the ```internal block is never closed".into() });
    }
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip_ok(text: &str) -> String {
        strip(text).expect("valid markers").into_owned()
    }

    #[test]
    fn removes_fenced_internal_blocks() {
        let text = "Public.\n\n```internal\nSECRET one\n```\n\nMore.\n~~~~ internal note\nSECRET two\n~~~~\n";
        assert_eq!(strip_ok(text), "Public.\n\n\n\n\n\nMore.\n\n\n\n");
    }

    #[test]
    fn keeps_other_code_blocks() {
        let text = "```rust\nlet internal = 1;\n```\n";
        assert_eq!(strip_ok(text), text);
    }

    #[test]
    fn removes_comment_regions_inline_and_across_lines() {
        assert_eq!(strip_ok("A <!-- internal -->SECRET<!-- /internal --> B\n"), "A  B\n");
        assert_eq!(strip_ok("A\n<!--internal-->\nSECRET\nSECRET\n<!-- /Internal -->\nB\n"), "A\n\n\n\n\nB\n");
        assert_eq!(
            strip_ok("x <!-- internal -->a<!-- /internal --> y <!-- internal -->b<!-- /internal -->\n"),
            "x  y \n"
        );
    }

    #[test]
    fn line_count_is_kept() {
        let text = "a\n```internal\nx\n```\nb <!-- internal -->y\nz<!-- /internal --> c\nd\n";
        assert_eq!(strip_ok(text).lines().count(), text.lines().count());
    }

    #[test]
    fn markers_inside_code_blocks_still_count() {
        assert_eq!(strip_ok("```\nlog <!-- internal -->SECRET<!-- /internal -->\n```\n"), "```\nlog \n```\n");
    }

    #[test]
    fn unclosed_or_unopened_notes_are_errors() {
        assert_eq!(strip("a\n<!-- internal -->\nSECRET\n").expect_err("unclosed").line, 2);
        assert_eq!(strip("a\n\n```internal\nSECRET\n").expect_err("unclosed").line, 3);
        assert!(strip("a <!-- /internal -->\n").expect_err("unopened").message.contains("never opened"));
    }

    #[test]
    fn marked_notes_are_highlighted_not_removed() {
        let render = |text: &str| {
            let marked = mark(text).expect("valid markers");
            highlight(&crate::markdown::render(&marked, crate::markdown::Settings::default()).html)
        };
        let html = render("Public.\n\n```internal\nCall the **mayor**.\n```\n\nMore.\n");
        assert!(html.contains("<aside class=\"casebook-internal\""), "{html}");
        assert!(html.contains("Call the <strong>mayor</strong>."), "{html}");
        assert!(html.find("</aside>") > html.find("mayor"), "{html}");
        let html = render("A <!-- internal -->private aside<!-- /internal --> B\n");
        assert!(html.contains("<mark class=\"casebook-internal\""), "{html}");
        assert!(html.contains(">private aside</mark> B"), "{html}");
        let html = render("A\n\n<!-- internal -->\nFirst.\n\nSecond.\n<!-- /internal -->\nB\n");
        assert!(
            html.contains("<aside") && html.contains("First.") && html.contains("Second.</p>\n</aside>"),
            "{html}"
        );
        assert!(!html.contains('\u{F8FF}'), "no sentinel left: {html}");
        assert!(mark("a\n<!-- internal -->\nx\n").is_err(), "unclosed is still an error");
    }

    #[test]
    fn text_without_notes_is_borrowed() {
        assert!(matches!(strip("nothing here"), Ok(Cow::Borrowed(_))));
        assert!(matches!(strip("an internal affair"), Ok(Cow::Owned(_))));
    }
}
