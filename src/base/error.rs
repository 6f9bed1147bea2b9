//! User-facing errors: located diagnostics and the error a build returns.
//!
//! Every mistake a user can make (bad YAML, an impossible date, a template typo) becomes a
//! [`Diagnostic`]: a message with the file, line and column it is about, plus optional help and
//! the chain of causes. A build collects as many diagnostics as it can before giving up, so one
//! run shows every broken file, and returns them together as an [`Error`]. The binary prints them;
//! the library never does.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where a diagnostic points: a file, and when known a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// The file, as the user would type it (relative to the site root where possible).
    pub path: PathBuf,
    /// 1-based line, when the problem is at a known line.
    pub line: Option<usize>,
    /// 1-based column, when the problem is at a known column.
    pub column: Option<usize>,
}

impl Location {
    /// A location covering a whole file.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Location { path: path.into(), line: None, column: None }
    }

    /// A location at a line and column of a file.
    pub fn at(path: impl Into<PathBuf>, line: usize, column: usize) -> Self {
        Location { path: path.into(), line: Some(line), column: Some(column) }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `/` separators on every platform, so messages (and the tests that pin them) match.
        let shown = self.path.to_string_lossy().replace('\\', "/");
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{shown}:{l}:{c}"),
            (Some(l), None) => write!(f, "{shown}:{l}"),
            _ => write!(f, "{shown}"),
        }
    }
}

/// One problem, located where possible, with its causes and an optional hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file (and position) the problem is about; `None` for whole-site problems.
    pub location: Option<Box<Location>>,
    /// What is wrong, in one sentence, without a trailing period.
    pub message: String,
    /// Lower-level causes, outermost first (for example the operating system's error).
    pub causes: Vec<String>,
    /// A suggestion of what to do about it.
    pub help: Option<String>,
    /// The source line the problem is on, to quote under the message.
    pub snippet: Option<Box<Snippet>>,
    /// A remark on the problem's extent, such as how many other files have it.
    pub note: Option<String>,
}

/// A quoted source line with the offending part underlined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// 1-based line number.
    pub line: usize,
    /// The line's text.
    pub text: String,
    /// 1-based column where the underline starts.
    pub column: usize,
    /// How many characters to underline (at least 1).
    pub width: usize,
}

impl fmt::Display for Snippet {
    /// ```text
    ///   |
    /// 4 | <p>{{ severity }}</p>
    ///   |       ^^^^^^^^
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let number = self.line.to_string();
        let gutter = " ".repeat(number.len());
        // Tabs stay tabs so the underline lines up however the terminal shows them.
        let pad: String =
            self.text.chars().take(self.column - 1).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
        write!(f, "{gutter} |\n{number} | {}\n{gutter} | {pad}{}", self.text, "^".repeat(self.width.max(1)))
    }
}

impl Diagnostic {
    /// A problem with no particular file.
    pub fn new(message: impl Into<String>) -> Self {
        Diagnostic {
            location: None,
            message: message.into(),
            causes: Vec::new(),
            help: None,
            snippet: None,
            note: None,
        }
    }

    /// A problem in a file, at an optional position.
    pub fn at(location: Location, message: impl Into<String>) -> Self {
        Diagnostic { location: Some(Box::new(location)), ..Diagnostic::new(message) }
    }

    /// Adds a cause to the chain.
    pub fn caused_by(mut self, cause: impl Into<String>) -> Self {
        self.causes.push(cause.into());
        self
    }

    /// Adds a hint of what to do.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Quotes `text`, the source line at the diagnostic's location, underlining `width` characters.
    pub fn with_snippet(mut self, text: &str, width: usize) -> Self {
        if let Some(Location { line: Some(line), column, .. }) = self.location.as_deref() {
            let column = column.unwrap_or(1).max(1);
            let text = text.trim_end_matches(['\r', '\n']).to_string();
            self.snippet = Some(Box::new(Snippet { line: *line, text, column, width }));
        }
        self
    }

    /// The path the diagnostic is about, if any.
    pub fn path(&self) -> Option<&Path> {
        self.location.as_ref().map(|l| l.path.as_path())
    }
}

impl fmt::Display for Diagnostic {
    /// `path:line:col: message`, then one `caused by:` line per cause and a `help:` line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(snippet) = &self.snippet {
            let indented = snippet.to_string().replace('\n', "\n  ");
            write!(f, "\n  {indented}")?;
        }
        for cause in &self.causes {
            // Multi-line causes (such as a template excerpt) stay indented under the message.
            write!(f, "\n  caused by: {}", cause.replace('\n', "\n    "))?;
        }
        if let Some(note) = &self.note {
            write!(f, "\n  note: {note}")?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Which diagnostics [`collapse_repeats`] treats as repeats of one another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// The same message at the same location (a template error hit by many pages).
    SamePlace,
    /// The same message anywhere (the same unknown key in many files).
    SameMessage,
}

/// Collapses groups of more than `keep` repeated diagnostics into their first one, noting how
/// many more `noun`s had it. The result is sorted by location.
pub fn collapse_repeats(
    mut list: Vec<Diagnostic>,
    repeat: Repeat,
    keep: usize,
    noun: &str,
) -> Vec<Diagnostic> {
    let same_place = repeat == Repeat::SamePlace;
    fn key(d: &Diagnostic, same_place: bool) -> (&str, Option<&Location>) {
        (d.message.as_str(), if same_place { d.location.as_deref() } else { None })
    }
    // Down to the causes: the diagnostic kept for a group must not depend on the order
    // parallel threads reported them in (a broken template names the first page it broke).
    list.sort_by(|a, b| {
        key(a, same_place)
            .cmp(&key(b, same_place))
            .then_with(|| a.location.cmp(&b.location))
            .then_with(|| a.causes.cmp(&b.causes))
    });
    let mut out: Vec<Diagnostic> = Vec::with_capacity(list.len());
    let mut group_start = 0;
    for (i, d) in list.iter().enumerate() {
        let ends_group = list.get(i + 1).is_none_or(|next| key(next, same_place) != key(d, same_place));
        if !ends_group {
            continue;
        }
        let group = &list[group_start..=i];
        if group.len() > keep {
            let more = group.len() - 1;
            let (plural, verb) = if more == 1 { ("", "has") } else { ("s", "have") };
            let mut first = group[0].clone();
            first.note = Some(format!("{more} more {noun}{plural} {verb} the same problem"));
            out.push(first);
        } else {
            out.extend(group.iter().cloned());
        }
        group_start = i + 1;
    }
    out.sort_by(|a, b| a.location.cmp(&b.location).then_with(|| a.message.cmp(&b.message)));
    out
}

/// Adds `by` to every "line N" in `text`.
fn shift_line_numbers(text: &str, by: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("line ") {
        out.push_str(&rest[..i + 5]);
        rest = &rest[i + 5..];
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        match rest[..digits].parse::<usize>() {
            Ok(n) => out.push_str(&(n + by).to_string()),
            Err(_) => out.push_str(&rest[..digits]),
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

/// Why a build failed: one or more diagnostics, in a stable order (by file, then line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Error {
    diagnostics: Vec<Diagnostic>,
}

impl Error {
    /// An error made of several diagnostics; sorted so output does not depend on thread timing.
    pub fn many(mut diagnostics: Vec<Diagnostic>) -> Self {
        debug_assert!(!diagnostics.is_empty(), "an error needs at least one diagnostic");
        diagnostics.sort_by(|a, b| a.location.cmp(&b.location).then(a.message.cmp(&b.message)));
        Error { diagnostics }
    }

    /// The diagnostics, in order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

impl From<Diagnostic> for Error {
    fn from(diagnostic: Diagnostic) -> Self {
        Error { diagnostics: vec![diagnostic] }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// Result of a fallible casebook operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Diagnostic {
    /// A YAML error located in a file, where the YAML text `yaml` starts on line `first_line`
    /// of the file (front matter starts on line 2, a configuration file on line 1).
    pub fn from_yaml(err: &serde_yaml::Error, path: &Path, first_line: usize, yaml: &str) -> Self {
        let location = match err.location() {
            Some(loc) => Location::at(path, loc.line() + first_line - 1, loc.column()),
            None => Location::file(path),
        };
        // Aliases expanding to too much (a "billion laughs"): the library says so without a
        // place, so the first alias is named, where the repetition starts.
        if err.location().is_none() && err.to_string().contains("repetition limit exceeded") {
            let location = crate::base::frontmatter::first_alias(yaml)
                .map_or(location, |(line, column)| Location::at(path, first_line + line, column));
            return Diagnostic::at(
                location,
                "invalid YAML: its aliases (`*name`) repeat what they name too many times over",
            )
            .with_help("write the values out, or nest aliases less deep");
        }
        // The library locates a repeated key at the start of its mapping; the mistake is the
        // second time the key is written, which a scan of the mapping's lines finds.
        if let Some((parent, key)) = duplicated_key(&err.to_string()) {
            let keys = match (parent, err.location()) {
                (None, _) => crate::base::frontmatter::top_level_keys(yaml),
                (Some(_), Some(loc)) => crate::base::frontmatter::mapping_keys_at(
                    yaml,
                    loc.line().saturating_sub(1),
                    loc.column(),
                ),
                (Some(_), None) => Vec::new(),
            };
            let mut lines = keys.into_iter().filter(|k| k.key == key);
            if let (Some(first), Some(again)) = (lines.next(), lines.next()) {
                let name = parent.map_or_else(|| key.to_string(), |p| format!("{p}.{key}"));
                let message = format!(
                    "invalid YAML: `{name}` is set twice (first on line {})",
                    first.line + first_line
                );
                return Diagnostic::at(
                    Location::at(path, again.line + first_line, again.key_column),
                    message,
                );
            }
        }
        // The library says "at line L column C" relative to the YAML block, once for where it
        // noticed the problem (the location above says that, in file lines) and often again
        // for the construct it was parsing ("while parsing a flow sequence at line 3 column 7"),
        // which is usually where the mistake is: keep that context, in file lines.
        let text = err.to_string();
        let (head, tail) = text.split_once(" at line ").unwrap_or((&text, ""));
        let context = tail.find(", ").map_or("", |i| &tail[i..]);
        let message = format!("{head}{}", shift_line_numbers(context, first_line - 1));
        Diagnostic::at(location, format!("invalid YAML: {message}"))
    }
}

/// Where the library reports a repeated key, "duplicate field `k`" (a typed mapping) or
/// "duplicate entry with key \"k\"" (an untyped one), after the path of the mapping holding it
/// ("victims[0]: duplicate …") unless that is the top level: the path and the key.
fn duplicated_key(message: &str) -> Option<(Option<&str>, &str)> {
    let (parent, rest) = match message.split_once(": duplicate ") {
        Some((parent, rest)) if !parent.contains(' ') => (Some(parent), rest),
        _ => (None, message.strip_prefix("duplicate ")?),
    };
    let key = if let Some(rest) = rest.strip_prefix("field `") {
        rest.split_once('`')?.0
    } else {
        rest.strip_prefix("entry with key \"")?.split_once('"')?.0
    };
    Some((parent, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostic_shows_location_causes_and_help() {
        let d = Diagnostic::at(Location::at("content/a.md", 3, 7), "bad date")
            .caused_by("line one\nline two")
            .with_help("write 2023-07-24")
            .with_snippet("date: 2023-02-30\n", 10);
        assert_eq!(
            d.to_string(),
            "content/a.md:3:7: bad date\n    |\n  3 | date: 2023-02-30\n    |       ^^^^^^^^^^\n  \
             caused by: line one\n    line two\n  help: write 2023-07-24"
        );
    }

    #[test]
    fn yaml_errors_keep_their_context_in_file_lines() {
        let yaml = "a: 1\ntags: [x, y\nb: 2\n";
        let err = serde_yaml::from_str::<serde_yaml::Value>(yaml).expect_err("bad");
        let d = Diagnostic::from_yaml(&err, Path::new("x.md"), 2, yaml);
        assert_eq!(
            d.to_string(),
            "x.md:4:2: invalid YAML: did not find expected ',' or ']', while parsing a flow sequence at line 3 column 7"
        );
    }

    #[test]
    fn a_repeated_key_is_located_where_it_is_written_again() {
        let yaml = "title: A\ndate: 2024-01-01\ntitle: B\n";
        let err = serde_yaml::from_str::<serde_yaml::Mapping>(yaml).expect_err("repeated");
        let d = Diagnostic::from_yaml(&err, Path::new("x.md"), 2, yaml);
        assert_eq!(d.to_string(), "x.md:4:1: invalid YAML: `title` is set twice (first on line 2)");
        #[derive(Debug, serde::Deserialize)]
        struct Typed {
            #[allow(dead_code)]
            theme: String,
        }
        let yaml = "theme: a\n# a comment\ntheme: b\n";
        let err = serde_yaml::from_str::<Typed>(yaml).expect_err("repeated");
        let d = Diagnostic::from_yaml(&err, Path::new("casebook.yaml"), 1, yaml);
        assert_eq!(d.to_string(), "casebook.yaml:3:1: invalid YAML: `theme` is set twice (first on line 1)");
        // Nested keys too, with the path of their mapping; in list items; not confused with
        // a key of the same name at the top level.
        let at = |yaml: &str| {
            let err = serde_yaml::from_str::<serde_yaml::Mapping>(yaml).expect_err("repeated");
            Diagnostic::from_yaml(&err, Path::new("x.md"), 2, yaml).to_string()
        };
        assert_eq!(
            at("impact:\n  records: 1\n  records: 2\n"),
            "x.md:4:3: invalid YAML: `impact.records` is set twice (first on line 3)"
        );
        assert_eq!(
            at("title: A\nvictim:\n  name: X\n  name: Y\ntitle: B\n"),
            "x.md:5:3: invalid YAML: `victim.name` is set twice (first on line 4)"
        );
        assert_eq!(
            at("victims:\n  - name: A\n    sector: s\n    name: B\n  - name: C\n"),
            "x.md:5:5: invalid YAML: `victims[0].name` is set twice (first on line 3)"
        );
        // A flow mapping has no lines to scan: the library's location and words.
        assert!(at("x: {a: 1, a: 2}\n").starts_with("x.md:2:4: invalid YAML: x: duplicate entry"));
        // Nor does one over several lines, and a quoted text over lines could hide a key.
        assert!(at("victim:\n  {name: a,\n  name: b}\n").contains("victim: duplicate entry"));
        assert!(
            at("victim:\n  name: X\n  notes: \"a\n  name: Z\"\n  name: Y\n")
                .contains("victim: duplicate entry")
        );
    }

    #[test]
    fn repeats_collapse_past_the_limit() {
        let at = |file: &str, message: &str| Diagnostic::at(Location::at(file, 4, 1), message);
        let many: Vec<_> =
            ["a.md", "b.md", "c.md", "d.md"].iter().map(|f| at(f, "unknown key `x`")).collect();
        let mut list = many.clone();
        list.push(at("z.md", "unknown key `y`"));
        let out = collapse_repeats(list, Repeat::SameMessage, 3, "file");
        let shown: Vec<String> = out.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "a.md:4:1: unknown key `x`\n  note: 3 more files have the same problem",
                "z.md:4:1: unknown key `y`"
            ]
        );
        assert_eq!(collapse_repeats(many[..3].to_vec(), Repeat::SameMessage, 3, "file").len(), 3);
        assert_eq!(
            collapse_repeats(many, Repeat::SamePlace, 1, "page").len(),
            4,
            "different places stay apart"
        );
    }

    #[test]
    fn the_repeat_kept_does_not_depend_on_the_order_of_reports() {
        let page = |file: &str| {
            Diagnostic::at(Location::at("templates/incident.html", 3, 7), "Field `x` is not defined")
                .caused_by(format!("while rendering {file}"))
        };
        let files = ["incidents/c/index.html", "incidents/a/index.html", "incidents/b/index.html"];
        let forward: Vec<_> = files.iter().map(|f| page(f)).collect();
        let backward: Vec<_> = files.iter().rev().map(|f| page(f)).collect();
        let shown = |list| collapse_repeats(list, Repeat::SamePlace, 1, "page")[0].to_string();
        assert_eq!(shown(forward.clone()), shown(backward));
        assert!(shown(forward).contains("incidents/a/index.html"));
    }

    #[test]
    fn errors_are_sorted_by_file_then_line() {
        let e = Error::many(vec![
            Diagnostic::at(Location::at("b.md", 1, 1), "x"),
            Diagnostic::at(Location::at("a.md", 9, 1), "y"),
            Diagnostic::at(Location::at("a.md", 2, 1), "z"),
        ]);
        let order: Vec<_> = e.diagnostics().iter().map(|d| d.message.as_str()).collect();
        assert_eq!(order, ["z", "y", "x"]);
    }
}
