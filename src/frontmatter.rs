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
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if is_fence(line) {
            return Ok(Split { yaml: &rest[..offset], yaml_line: 2, body: &rest[offset + line.len()..] });
        }
        offset += line.len();
    }
    Err(SplitError::Unclosed)
}

/// A top-level key of a YAML mapping, with its position in the YAML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPosition<'a> {
    /// The key, without quotes.
    pub key: &'a str,
    /// 0-based line within the YAML text.
    pub line: usize,
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
        let first = line.chars().next();
        if matches!(first, None | Some(' ' | '\t' | '#' | '-' | '{' | '[' | '}' | ']')) {
            continue;
        }
        let (key, after) = match first {
            Some(q @ ('"' | '\'')) => match line[1..].find(q) {
                Some(end) => (&line[1..1 + end], &line[end + 2..]),
                None => continue,
            },
            _ => match line.find(':') {
                Some(colon) => (line[..colon].trim_end(), &line[colon..]),
                None => continue,
            },
        };
        let Some(value) = after.strip_prefix(':') else { continue };
        if !(value.is_empty() || value.starts_with([' ', '\t'])) {
            continue;
        }
        let value_start = line.len() - value.trim_start().len();
        keys.push(KeyPosition { key, line: line_no, value_column: value_start + 1 });
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_body() {
        let s = split("---\ntitle: A\n---\nBody\n").expect("valid");
        assert_eq!(s.yaml, "title: A\n");
        assert_eq!(s.yaml_line, 2);
        assert_eq!(s.body, "Body\n");
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
    fn finds_top_level_keys_with_positions() {
        let yaml = "title: A\n# comment\ntags:\n  - x\n\"quoted\": 1\nurl: http://x\ndate:2023\n";
        let keys = top_level_keys(yaml);
        let found: Vec<_> = keys.iter().map(|k| (k.key, k.line, k.value_column)).collect();
        assert_eq!(found, [("title", 0, 8), ("tags", 2, 6), ("quoted", 4, 11), ("url", 5, 6)]);
    }
}
