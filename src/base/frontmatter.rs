//! Splitting a content file into its YAML front matter and Markdown body.
//!
//! Pure functions of a string: they remember on which line the YAML and the body start, so
//! errors found later (by the YAML parser, or while checking a field) can point at the line of
//! the file the user sees, not at a line of the extracted block.

/// A content file split at its front matter fences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the fences.
    pub yaml: &'a str,
    /// The 1-based line of the file on which `yaml` starts.
    pub yaml_line: usize,
    /// The Markdown after the closing fence.
    pub body: &'a str,
    /// The 1-based line of the file on which `body` starts.
    pub body_line: usize,
}

/// Why a file could not be split; each variant knows the 1-based line it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    /// The file does not start with a `---` line.
    Missing,
    /// The opening `---` has no closing `---`.
    Unclosed,
}

impl SplitError {
    /// The message shown to the user.
    pub fn message(&self) -> &'static str {
        match self {
            SplitError::Missing => "missing front matter: the file must start with a `---` line",
            SplitError::Unclosed => "unclosed front matter: the `---` on line 1 has no closing `---` line",
        }
    }

    /// What to do about it.
    pub fn help(&self) -> &'static str {
        match self {
            SplitError::Missing => {
                "start the file with `---`, then `title:` and `date:` lines, then `---` and the text"
            }
            SplitError::Unclosed => "end the front matter with a line holding only `---`",
        }
    }
}

/// A content file's text as every reader of it must see it: a NUL becomes U+FFFD (the
/// replacement character, as CommonMark asks; a NUL passed on to summaries, `<meta>` tags and
/// CSV cells cuts or corrupts them in the programs reading them), and a lone carriage return
/// becomes a line feed. YAML and Markdown both end a line at a lone `\r`, while casebook finds
/// lines (fences, internal notes, positions in messages) by their `\n`: read as it is, text
/// with old Mac line endings was one line to casebook and several to the parsers. `\r\n` is
/// kept. Borrows when there is nothing to change, nearly always: one search for either byte.
pub fn normalize(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let needs =
        memchr::memchr2_iter(b'\0', b'\r', bytes).any(|i| bytes[i] == 0 || bytes.get(i + 1) != Some(&b'\n'));
    if !needs {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\0' => out.push('\u{FFFD}'),
            '\r' if chars.peek() != Some(&'\n') => out.push('\n'),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

fn is_fence(line: &str) -> bool {
    line.trim_end() == "---"
}

/// Splits `source` into front matter and body.
///
/// The file must start with a line `---` (after an optional byte-order mark); the front matter
/// ends at the next line that is exactly `---` (trailing spaces and `\r` are tolerated).
pub fn split(source: &str) -> Result<Split<'_>, SplitError> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let (first, rest) = match source.find('\n') {
        Some(i) => (&source[..i], &source[i + 1..]),
        None => (source, ""),
    };
    if !is_fence(first) {
        return Err(SplitError::Missing);
    }
    // Only a line starting with `---` can close it: those are found by a substring search,
    // not by looking at every line (a few percent of loading the benchmark corpus).
    let mut start = 0;
    loop {
        if rest[start..].starts_with("---") {
            let end = rest[start..].find('\n').map_or(rest.len(), |i| start + i + 1);
            if is_fence(&rest[start..end]) {
                let yaml = &rest[..start];
                let body_line = 3 + yaml.bytes().filter(|&b| b == b'\n').count();
                return Ok(Split { yaml, yaml_line: 2, body: &rest[end..], body_line });
            }
        }
        match rest[start..].find("\n---") {
            Some(i) => start += i + 1,
            None => return Err(SplitError::Unclosed),
        }
    }
}

/// How deep flow collections (`[…]`, `{…}`) may nest in YAML casebook reads: as deep as the
/// YAML library lets any value nest (its recursion limit), so no value it would accept is
/// refused.
pub const MAX_FLOW_DEPTH: usize = 128;

/// The message for YAML whose flow collections nest beyond [`MAX_FLOW_DEPTH`].
pub const FLOW_TOO_DEEP: &str =
    "invalid YAML: lists and maps written with `[` and `{` are nested more than 128 deep";

/// Where `yaml` opens a flow collection nested deeper than [`MAX_FLOW_DEPTH`], as a 0-based
/// line and 1-based column, or `None`.
///
/// Checked before the text reaches the YAML parser: block nesting is bounded by the size of
/// its indentation, but flow nesting is not, and the parser's work grows with the square of
/// its depth (it walks every open level at each token): 160 KB of `[[[…]]]` took 19 s, and
/// its recursion limit only applies afterwards, to the parsed events.
///
/// A scan of the text, not a parser: it knows where a flow collection can start (at the start
/// of a value, or anywhere inside another), and skips quoted scalars, comments and the content
/// of block scalars (`|`, `>`), so brackets in text do not count. Text with fewer brackets
/// than the limit, nearly all, is let through after one search.
pub fn too_deep_flow(yaml: &str) -> Option<(usize, usize)> {
    let bytes = yaml.as_bytes();
    // Fewer brackets than the limit cannot nest beyond it.
    memchr::memchr2_iter(b'[', b'{', bytes).nth(MAX_FLOW_DEPTH)?;
    let at = deep_flow_offset(bytes)?;
    let before = &yaml[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Some((before.matches('\n').count(), before[line_start..].chars().count() + 1))
}

/// The byte offset of the first `[` or `{` opening a flow collection beyond the limit.
fn deep_flow_offset(bytes: &[u8]) -> Option<usize> {
    let space = |b: Option<&u8>| matches!(b, None | Some(b' ' | b'\t' | b'\n' | b'\r'));
    let mut depth = 0;
    let mut i = 0;
    // Where a value may start: a bracket there opens a collection, a quote a quoted scalar.
    let mut node_start = true;
    let mut after_space = true;
    // Block context: the indentation of the line, the column of the node a block scalar
    // would belong to, and, inside a block scalar, the indentation its lines are deeper than.
    let mut line_start = true;
    let mut owner = 0;
    let mut scalar_column = 0;
    let mut block_scalar: Option<usize> = None;
    let mut column = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if depth == 0 && line_start {
            let indent = bytes[i..].iter().take_while(|&&c| c == b' ').count();
            let end = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
            let blank = bytes[i..end].iter().all(|c| c.is_ascii_whitespace());
            if let Some(deeper_than) = block_scalar {
                if blank || indent > deeper_than {
                    i = end + 1;
                    continue;
                }
                block_scalar = None;
            }
            line_start = false;
            node_start = true;
            after_space = true;
            owner = indent;
            column = indent;
            i += indent;
            continue;
        }
        let next = bytes.get(i + 1);
        match b {
            b'\n' => {
                line_start = true;
                after_space = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                after_space = true;
                i += 1;
                column += 1;
                continue;
            }
            b'#' if node_start || after_space => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                continue;
            }
            b'[' | b'{' if depth > 0 || node_start => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Some(i);
                }
                node_start = true;
            }
            b']' | b'}' if depth > 0 => {
                depth -= 1;
                node_start = false;
            }
            b',' if depth > 0 => node_start = true,
            b'"' | b'\'' if node_start => {
                scalar_column = column;
                i = quoted_end(bytes, i);
                // Lines inside a quoted scalar are not block lines.
                line_start = false;
                node_start = false;
                after_space = false;
                continue;
            }
            b':' if depth > 0 => node_start = true,
            b':' if space(next) => {
                owner = scalar_column;
                node_start = true;
            }
            b'-' | b'?' if node_start && space(next) => {
                owner = column;
                node_start = true;
            }
            b'|' | b'>' if depth == 0 && node_start => {
                block_scalar = Some(owner);
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                continue;
            }
            // An anchor or a tag before a value: the value still starts after it.
            b'&' | b'!' if node_start => {
                while i < bytes.len()
                    && !space(bytes.get(i))
                    && !(depth > 0 && matches!(bytes[i], b',' | b']' | b'}'))
                {
                    i += 1;
                    column += 1;
                }
                after_space = false;
                continue;
            }
            _ => {
                if node_start {
                    scalar_column = column;
                }
                node_start = false;
            }
        }
        after_space = false;
        line_start = false;
        i += 1;
        column += 1;
    }
    None
}

/// Where `yaml` first uses an alias (`*name` of an anchor `&name` the text defines), as a
/// 0-based line and 1-based column: a textual search, for locating errors the YAML library
/// gives no place for. Only names the text anchors count, so that `*emphasis*` in a quoted
/// text is not taken for one.
pub fn first_alias(yaml: &str) -> Option<(usize, usize)> {
    let bytes = yaml.as_bytes();
    let name_at = |from: usize| {
        let len = bytes[from..]
            .iter()
            .take_while(|&&b| !(b.is_ascii_whitespace() || matches!(b, b',' | b'[' | b']' | b'{' | b'}')))
            .count();
        &yaml[from..from + len]
    };
    let starts_value =
        |at: usize| at == 0 || matches!(bytes[at - 1], b' ' | b'\t' | b'\n' | b'[' | b'{' | b',');
    let anchors: std::collections::HashSet<&str> = memchr::memchr_iter(b'&', bytes)
        .filter(|&at| starts_value(at))
        .map(|at| name_at(at + 1))
        .filter(|name| !name.is_empty())
        .collect();
    let at =
        memchr::memchr_iter(b'*', bytes).find(|&at| starts_value(at) && anchors.contains(name_at(at + 1)))?;
    let before = &yaml[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Some((before.matches('\n').count(), before[line_start..].chars().count() + 1))
}

/// The offset just after the quoted scalar starting at `start` (its closing quote), or the
/// end of `bytes` when it is never closed.
fn quoted_end(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            // `''` is a quote inside a single-quoted scalar.
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// A key of a YAML mapping, with its position in the YAML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPosition<'a> {
    /// The key, without quotes.
    pub key: &'a str,
    /// 0-based line within the YAML text.
    pub line: usize,
    /// 1-based column where the key starts (its quote, if quoted).
    pub key_column: usize,
    /// 1-based column where the value starts (after `key:` and spaces).
    pub value_column: usize,
}

/// Finds the top-level keys of block-style YAML by looking at unindented `key:` lines.
///
/// This is a cheap textual scan, not a parser: it exists to give line numbers to problems found
/// after parsing (an unknown key, an impossible date), which the YAML library cannot report once
/// values are deserialized. Flow-style top-level mappings yield no positions, and callers then
/// fall back to the whole file.
pub fn top_level_keys(yaml: &str) -> Vec<KeyPosition<'_>> {
    let mut keys = Vec::new();
    for (line_no, line) in yaml.lines().enumerate() {
        if matches!(line.chars().next(), None | Some(' ' | '\t' | '#' | '-' | '{' | '[' | '}' | ']')) {
            continue;
        }
        if let Some((key, value_start)) = key_of(line) {
            keys.push(KeyPosition { key, line: line_no, key_column: 1, value_column: value_start + 1 });
        }
    }
    keys
}

/// The key a mapping line (its indentation removed) writes, and the 0-based offset of its value
/// in it; `None` for a line that is not `key:` or `key: value`.
fn key_of(line: &str) -> Option<(&str, usize)> {
    let (key, after) = match line.chars().next()? {
        q @ ('"' | '\'') => {
            let end = line[1..].find(q)?;
            (&line[1..1 + end], &line[end + 2..])
        }
        _ => {
            let colon = line.find(':')?;
            (line[..colon].trim_end(), &line[colon..])
        }
    };
    let value = after.strip_prefix(':')?;
    if !(value.is_empty() || value.starts_with([' ', '\t'])) {
        return None;
    }
    Some((key, line.len() - value.trim_start().len()))
}

/// The keys of the block-style mapping whose first key is written at `line` (0-based) and
/// `column` (1-based), nested or in a list item, as the YAML library locates a mapping: the
/// lines at its indentation until one is less indented or starts the next list item. Columns
/// in the result are the file's. Empty when no mapping starts there, and when a line of it
/// may open a quoted text or a flow-style collection that goes on over the next lines: a line
/// scan would take what those lines hold for keys.
pub fn mapping_keys_at(yaml: &str, line: usize, column: usize) -> Vec<KeyPosition<'_>> {
    let indent = column.saturating_sub(1);
    let mut keys = Vec::new();
    for (n, parsed) in lines_of(yaml).into_iter().enumerate().skip(line) {
        let Some(parsed) = parsed else { continue };
        let first = n == line;
        if parsed.indent < indent
            || (first && parsed.indent != indent)
            || (!first && parsed.dash && parsed.indent == indent)
        {
            break;
        }
        if may_span_lines(parsed.content) {
            return Vec::new();
        }
        if parsed.indent > indent {
            continue;
        }
        if let Some((key, value_start)) = key_of(parsed.content) {
            keys.push(KeyPosition {
                key,
                line: n,
                key_column: indent + 1,
                value_column: indent + value_start + 1,
            });
        }
    }
    keys
}

/// Whether a line (its indentation removed) may leave a quoted text or a flow-style
/// collection open for the next lines. Errs towards yes (an apostrophe in plain text counts):
/// the caller then keeps the YAML library's own location.
fn may_span_lines(content: &str) -> bool {
    let unescaped_double = content.match_indices('"').filter(|(i, _)| !content[..*i].ends_with('\\')).count();
    let value = key_of(content).map_or(content, |(_, start)| &content[start..]);
    let opens_flow = |open: char, close: char| value.starts_with(open) && !value.trim_end().ends_with(close);
    unescaped_double % 2 == 1
        || content.matches('\'').count() % 2 == 1
        || content.starts_with(['{', '['])
        || opens_flow('{', '}')
        || opens_flow('[', ']')
}

/// One step of a path into YAML: a mapping key or a list index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg<'a> {
    /// A key of a mapping.
    Key(&'a str),
    /// A 0-based index into a list.
    Index(usize),
}

/// A line of YAML seen as indentation and content; `- ` list markers count as indentation of
/// their item, so `- name: x` is an item start whose content `name: x` sits two columns in.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    indent: usize,
    dash: bool,
    content: &'a str,
}

fn lines_of(yaml: &str) -> Vec<Option<Line<'_>>> {
    yaml.lines()
        .map(|raw| {
            let trimmed = raw.trim_start_matches(' ');
            if trimmed.is_empty() || trimmed.starts_with('#') {
                return None;
            }
            let indent = raw.len() - trimmed.len();
            match trimmed.strip_prefix("- ").or_else(|| (trimmed == "-").then_some("")) {
                Some(rest) => {
                    let inner = rest.trim_start_matches(' ');
                    Some(Line {
                        indent: indent + 1 + (rest.len() - inner.len()) + 1,
                        dash: true,
                        content: inner,
                    })
                }
                None => Some(Line { indent, dash: false, content: trimmed }),
            }
        })
        .collect()
}

/// Finds where the value at `path` is written in block-style YAML: its 0-based line and 1-based
/// column. Returns the deepest position it could follow the path to (so an error in a list item
/// written in flow style points at least at the list), or `None` if not even the first step
/// was found.
///
/// Like [`top_level_keys`], a textual scan that exists to give line numbers to problems found
/// after parsing.
pub fn locate(yaml: &str, path: &[Seg<'_>]) -> Option<(usize, usize)> {
    match path {
        // Every incident's date and slug are located: a top-level key needs no line table.
        [Seg::Key(key)] => locate_top_level(yaml, key),
        _ => locate_nested(yaml, path),
    }
}

/// [`locate`] for a key at the top level: the first unindented line, not a list item, that
/// starts with the key and a colon.
fn locate_top_level(yaml: &str, key: &str) -> Option<(usize, usize)> {
    yaml.lines().enumerate().find_map(|(n, raw)| {
        if raw.starts_with(' ') || raw.starts_with('#') || raw.starts_with("- ") || raw == "-" {
            return None;
        }
        let value =
            raw.strip_prefix(key)?.strip_prefix(':').filter(|v| v.is_empty() || v.starts_with(' '))?;
        Some((n, key.len() + 1 + (value.len() - value.trim_start().len()) + 1))
    })
}

fn locate_nested(yaml: &str, path: &[Seg<'_>]) -> Option<(usize, usize)> {
    let lines = lines_of(yaml);
    // The block being searched: lines [start, end) whose items sit at `indent`.
    let (mut start, mut end, mut indent) = (0, lines.len(), 0);
    let mut found = None;
    for (depth, seg) in path.iter().enumerate() {
        let mut hit = None;
        match seg {
            Seg::Key(key) => {
                for (n, line) in lines.iter().enumerate().take(end).skip(start) {
                    let Some(line) = line else { continue };
                    if line.indent != indent {
                        continue;
                    }
                    let after = line.content.strip_prefix(key).and_then(|r| r.strip_prefix(':'));
                    if let Some(value) = after.filter(|v| v.is_empty() || v.starts_with(' ')) {
                        let column =
                            line.indent + key.len() + 1 + (value.len() - value.trim_start().len()) + 1;
                        hit = Some((n, column, line.indent));
                        break;
                    }
                }
            }
            Seg::Index(index) => {
                let mut count = 0;
                for (n, line) in lines.iter().enumerate().take(end).skip(start) {
                    let Some(line) = line else { continue };
                    // The first item fixes the list's indentation; nested lists are deeper.
                    if line.dash && (line.indent >= indent || depth == 0) {
                        if count == *index {
                            hit = Some((n, line.indent + 1, line.indent));
                            break;
                        }
                        count += 1;
                        indent = line.indent;
                    }
                }
            }
        }
        let Some((line, column, own_indent)) = hit else { break };
        found = Some((line, column));
        // The value's block: following lines indented deeper than this key (or, for a list
        // item, at least as deep as its content), plus the item's own line for `- key: v`.
        let mut block_end = line + 1;
        while block_end < end {
            match lines[block_end] {
                Some(l)
                    if l.indent > own_indent
                        || (l.dash && l.indent >= own_indent && matches!(seg, Seg::Key(_))) => {}
                Some(l) if matches!(seg, Seg::Index(_)) && !l.dash && l.indent >= own_indent => {}
                None => {}
                Some(_) => break,
            }
            block_end += 1;
        }
        match seg {
            Seg::Index(_) => {
                start = line;
                indent = own_indent;
            }
            Seg::Key(_) => {
                start = line + 1;
                indent = lines[start..block_end].iter().flatten().next().map_or(usize::MAX, |l| l.indent);
            }
        }
        end = block_end;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 28: 160 KB of nested flow collections took the YAML parser 19 s, 400 KB over
    /// 120 s. The scan finds the level beyond the limit first, in a few milliseconds.
    #[test]
    fn flow_collections_nested_too_deep_are_found_before_parsing() {
        let n = 200_000;
        let yaml = format!("title: A\nextra: {{x: {}{}}}\n", "[".repeat(n), "]".repeat(n));
        assert!(yaml.len() > 400_000);
        // The `[` opening level 129: `{` is level 1 at column 8, the first `[` level 2 at 12.
        assert_eq!(too_deep_flow(&yaml), Some((1, 12 + 127)));
        let within = format!("extra: {}{}\n", "[".repeat(MAX_FLOW_DEPTH), "]".repeat(MAX_FLOW_DEPTH));
        assert_eq!(too_deep_flow(&within), None);
        let beyond =
            format!("extra: {}{}\n", "{a: ".repeat(MAX_FLOW_DEPTH + 1), "}".repeat(MAX_FLOW_DEPTH + 1));
        assert_eq!(too_deep_flow(&beyond), Some((0, 8 + 4 * MAX_FLOW_DEPTH)));
        // Over lines, in a list item, after an anchor and a tag.
        let spread = format!("tags:\n  - &a !!seq\n{}\n", "  [\n".repeat(MAX_FLOW_DEPTH + 1));
        assert_eq!(too_deep_flow(&spread), Some((2 + MAX_FLOW_DEPTH, 3)));
        // A key after a block scalar, at the indentation of the key that owns the scalar.
        let after_scalar = format!("- a: |\n    text\n  b: {}\n", "[".repeat(MAX_FLOW_DEPTH + 1));
        assert_eq!(too_deep_flow(&after_scalar), Some((2, 6 + MAX_FLOW_DEPTH)));
    }

    #[test]
    fn the_first_alias_of_an_anchor_is_found() {
        let yaml = "title: \"*not* an alias\"\na: &list [x]\nb: [*other, *list]\nc: *list\n";
        assert_eq!(first_alias(yaml), Some((2, 13)));
        assert_eq!(first_alias("summary: a * b\nx: &a 1\n"), None);
    }

    #[test]
    fn brackets_in_text_do_not_count_as_nesting() {
        let many = "[".repeat(MAX_FLOW_DEPTH * 2);
        for yaml in [
            format!("title: \"{many}\"\n"),
            format!("title: '{many} it''s {many}'\n"),
            format!("title: \"a \\\" {many}\"\n"),
            format!("title: a {many}\n"),
            format!("# {many}\ntitle: x # {many}\n"),
            format!("summary: |\n  {many}\n\n  {many}\ntitle: x\n"),
            format!("timeline:\n  - event: >-\n      {many}\n    at: 2024\n"),
            format!("tags: [\"{many}\", '{many}']\n"),
            "tags: [a, [b], {c: d}]\n".repeat(MAX_FLOW_DEPTH),
        ] {
            assert_eq!(too_deep_flow(&yaml), None, "{yaml}");
        }
    }

    /// Issue 28: NULs reached summaries, `<meta>` tags and CSV cells; lone carriage returns
    /// made lines casebook did not see.
    #[test]
    fn nuls_and_lone_carriage_returns_are_normalized() {
        assert!(matches!(normalize("a\r\nb\n"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(normalize("a\0b\rc\r\nd\r"), "a\u{FFFD}b\nc\r\nd\n");
        assert_eq!(normalize("\r\r\n\0"), "\n\r\n\u{FFFD}");
    }

    #[test]
    fn splits_front_matter_and_body() {
        let s = split("---\ntitle: A\n---\nBody\n").expect("valid");
        assert_eq!(s.yaml, "title: A\n");
        assert_eq!(s.yaml_line, 2);
        assert_eq!(s.body, "Body\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn tolerates_crlf_bom_and_trailing_spaces() {
        let s = split("\u{feff}---\r\ntitle: A\r\n---  \r\nBody").expect("valid");
        assert_eq!(s.yaml, "title: A\r\n");
        assert_eq!(s.body, "Body");
    }

    #[test]
    fn empty_front_matter_and_body() {
        let s = split("---\n---").expect("valid");
        assert_eq!((s.yaml, s.body), ("", ""));
    }

    #[test]
    fn missing_and_unclosed_are_errors() {
        assert_eq!(split("title: A\n"), Err(SplitError::Missing));
        assert_eq!(split(""), Err(SplitError::Missing));
        assert_eq!(split("---\ntitle: A\n"), Err(SplitError::Unclosed));
        // A `----` line is not a fence.
        assert_eq!(split("---\ntitle: A\n----\n"), Err(SplitError::Unclosed));
    }

    #[test]
    fn locates_nested_values() {
        let yaml = "title: A\nvictim:\n  name: Town\n  sector: gov\nsources:\n  - title: One\n    url: ftp://x\n  - title: Two\n    url: https://y\ntechniques: [T1, T2]\nactors:\n- name: X\n  country: ZZ\n";
        let at = |path: &[Seg<'_>]| locate(yaml, path);
        assert_eq!(at(&[Seg::Key("title")]), Some((0, 8)));
        assert_eq!(at(&[Seg::Key("victim"), Seg::Key("sector")]), Some((3, 11)));
        assert_eq!(at(&[Seg::Key("sources"), Seg::Index(0), Seg::Key("url")]), Some((6, 10)));
        assert_eq!(at(&[Seg::Key("sources"), Seg::Index(1), Seg::Key("title")]), Some((7, 12)));
        assert_eq!(at(&[Seg::Key("sources"), Seg::Index(1), Seg::Key("url")]), Some((8, 10)));
        assert_eq!(at(&[Seg::Key("sources"), Seg::Index(1)]), Some((7, 5)));
        // Flow style: the best it can do is the list.
        assert_eq!(at(&[Seg::Key("techniques"), Seg::Index(1)]), Some((9, 13)));
        // Unindented list items.
        assert_eq!(at(&[Seg::Key("actors"), Seg::Index(0), Seg::Key("country")]), Some((12, 12)));
        assert_eq!(at(&[Seg::Key("nope")]), None);
        // A key of the same name deeper down is not a top-level key.
        assert_eq!(at(&[Seg::Key("name")]), None);
    }

    #[test]
    fn top_level_keys_are_located_as_the_general_walk_does() {
        let yaml = "title: A\n# date: no\n  date: no\n- date: no\n-\ndates: no\ndate:no\n\ndate:   2023-07-01\r\nslug:\ndate: again\n";
        for key in ["title", "date", "slug", "dates", "nope", "date:"] {
            assert_eq!(locate_top_level(yaml, key), locate_nested(yaml, &[Seg::Key(key)]), "{key}");
        }
        assert_eq!(locate(yaml, &[Seg::Key("date")]), Some((8, 9)));
        assert_eq!(locate(yaml, &[Seg::Key("slug")]), Some((9, 6)));
    }

    /// [`split`] as it was first written, line by line: what the faster search must agree with.
    fn split_line_by_line(source: &str) -> Result<Split<'_>, SplitError> {
        let source = source.strip_prefix('\u{feff}').unwrap_or(source);
        let (first, rest) = source.split_once('\n').unwrap_or((source, ""));
        if !is_fence(first) {
            return Err(SplitError::Missing);
        }
        let mut offset = 0;
        for line in rest.split_inclusive('\n') {
            if is_fence(line) {
                let yaml = &rest[..offset];
                let body_line = 3 + yaml.matches('\n').count();
                return Ok(Split { yaml, yaml_line: 2, body: &rest[offset + line.len()..], body_line });
            }
            offset += line.len();
        }
        Err(SplitError::Unclosed)
    }

    proptest::proptest! {
        /// On any file made of fence-like, ordinary and empty lines, the search finds the same
        /// split.
        #[test]
        fn split_agrees_with_the_line_by_line_walk(
            lines in proptest::collection::vec("(---|----|-- -|--- x|a---|  ---|---\\u{3000}|---\r|---  |title: a|x|)", 0..8),
            bom in proptest::bool::ANY,
            last_newline in proptest::bool::ANY,
        ) {
            let mut text = format!("{}{}", if bom { "\u{feff}" } else { "" }, lines.join("\n"));
            if last_newline {
                text.push('\n');
            }
            proptest::prop_assert_eq!(split(&text), split_line_by_line(&text));
        }

        /// On any front matter made of likely lines, both ways agree.
        #[test]
        fn top_level_lookup_agrees_with_the_general_walk(
            lines in proptest::collection::vec("( |  |- |-|#)?(date|slug|title)(:|: | :)[a-z ]{0,3}", 0..8)
        ) {
            let yaml = lines.join("\n");
            for key in ["date", "slug"] {
                proptest::prop_assert_eq!(locate_top_level(&yaml, key), locate_nested(&yaml, &[Seg::Key(key)]));
            }
        }
    }

    #[test]
    fn finds_the_keys_of_a_nested_mapping_where_the_parser_says_it_starts() {
        let yaml = "victim:\n  name: X\n  deep:\n    name: no\n  'name': Y\nvictims:\n  - name: A\n    name: B\n  - name: C\n";
        let keys = |line, column| -> Vec<(&str, usize, usize)> {
            mapping_keys_at(yaml, line, column).into_iter().map(|k| (k.key, k.line, k.value_column)).collect()
        };
        assert_eq!(keys(1, 3), [("name", 1, 9), ("deep", 2, 8), ("name", 4, 11)]);
        // A list item's mapping ends where the next item starts.
        assert_eq!(keys(6, 5), [("name", 6, 11), ("name", 7, 11)]);
        assert_eq!(keys(8, 5), [("name", 8, 11)]);
        // Nothing starts there.
        assert!(keys(1, 1).is_empty());
        // Text or a collection going on over lines could hide a `key:` line: no guess.
        for yaml in [
            "victim:\n  name: X\n  notes: \"first\n  name: Z\"\n  name: Y\n",
            "victim:\n  name: X\n  notes: 'it''s\n  name: Z'\n  name: Y\n",
            "victim:\n  {name: a,\n  name: b,\n  name: c}\n",
            "victim:\n  name: X\n  tags: [a,\n  name: b]\n  name: Y\n",
        ] {
            assert!(mapping_keys_at(yaml, 1, 3).is_empty(), "{yaml}");
        }
        // Balanced ones on a line are fine.
        let yaml = "victim:\n  name: \"X \\\" Y\"\n  tags: [a, b]\n  note: 'it''s'\n  name: Z\n";
        assert_eq!(mapping_keys_at(yaml, 1, 3).len(), 4);
    }

    #[test]
    fn finds_top_level_keys_with_positions() {
        let yaml = "title: A\n# comment\ntags:\n  - x\n\"quoted\": 1\nurl: http://x\ndate:2023\n";
        let keys = top_level_keys(yaml);
        let found: Vec<_> = keys.iter().map(|k| (k.key, k.line, k.value_column)).collect();
        assert_eq!(found, [("title", 0, 8), ("tags", 2, 6), ("quoted", 4, 11), ("url", 5, 6)]);
    }
}
