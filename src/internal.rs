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
    if !text.contains("internal") {
        return Ok(Cow::Borrowed(text));
    }
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
                out.push_str(blank);
                continue;
            }
        } else if in_comment.is_none()
            && let Some((c, count, info)) = fence(line)
        {
            let internal = info.split_whitespace().next() == Some("internal");
            in_fence = Some((c, count, internal, number));
            if internal {
                out.push_str(blank);
                continue;
            }
        }
        let line_start = out.len();
        // Comment markers, possibly several on one line.
        let mut rest = line;
        loop {
            match in_comment {
                Some(_) => match find_marker(rest, true) {
                    Some((_, end)) => {
                        in_comment = None;
                        rest = &rest[end..];
                    }
                    None => break,
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
        if !out[line_start..].ends_with('\n') {
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
    fn text_without_notes_is_borrowed() {
        assert!(matches!(strip("nothing here"), Ok(Cow::Borrowed(_))));
        assert!(matches!(strip("an internal affair"), Ok(Cow::Owned(_))));
    }
}
