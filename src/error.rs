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
}

impl Diagnostic {
    /// A problem with no particular file.
    pub fn new(message: impl Into<String>) -> Self {
        Diagnostic { location: None, message: message.into(), causes: Vec::new(), help: None }
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
        for cause in &self.causes {
            // Multi-line causes (such as a template excerpt) stay indented under the message.
            write!(f, "\n  caused by: {}", cause.replace('\n', "\n    "))?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
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
    /// A YAML error located in a file, where the YAML text starts on line `first_line` of the
    /// file (front matter starts on line 2, a configuration file on line 1).
    pub fn from_yaml(err: &serde_yaml::Error, path: &Path, first_line: usize) -> Self {
        let text = err.to_string();
        // The library appends "at line L column C" relative to the YAML block; the location
        // below says it relative to the file instead.
        let message = match text.find(" at line ") {
            Some(i) => text[..i].to_string(),
            None => text,
        };
        let location = match err.location() {
            Some(loc) => Location::at(path, loc.line() + first_line - 1, loc.column()),
            None => Location::file(path),
        };
        Diagnostic::at(location, format!("invalid YAML: {message}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostic_shows_location_causes_and_help() {
        let d = Diagnostic::at(Location::at("content/a.md", 3, 7), "bad date")
            .caused_by("line one\nline two")
            .with_help("write 2023-07-24");
        assert_eq!(
            d.to_string(),
            "content/a.md:3:7: bad date\n  caused by: line one\n    line two\n  help: write 2023-07-24"
        );
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
