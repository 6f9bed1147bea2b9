//! Template errors as located diagnostics: Tera's message turned into the template's file,
//! line and column, with the line quoted, and the page being rendered named.

use crate::base::error::{Diagnostic, Error, Location};
use crate::theme::Theme;

/// A Tera error as a diagnostic located in the template file, with the offending line quoted.
/// The errors of compiling a theme. Tera checks every template's references and blocks
/// together and joins what it finds into one message of reports (`error: …`, ` --> name:line:
/// col`, a snippet); each becomes a diagnostic of its own, located in the site's file.
pub(super) fn template_errors(err: &tera::Error, theme: &Theme) -> Error {
    if let tera::ErrorKind::Msg(text) = err.kind()
        && let Some(diagnostics) = reports(text, theme)
    {
        return Error::many(diagnostics);
    }
    template_error(err, theme, None).into()
}

/// Reads Tera's joined reports back; `None` for a message of another shape.
fn reports(text: &str, theme: &Theme) -> Option<Vec<Diagnostic>> {
    let mut found: Vec<Diagnostic> = Vec::new();
    for report in text.split("\n\n") {
        if let Some(note) = report.strip_prefix("note: ") {
            let last = found.pop()?;
            found.push(last.caused_by(note.lines().next().unwrap_or_default()));
            continue;
        }
        let (message, rest) = report.strip_prefix("error: ")?.split_once('\n')?;
        let at = rest.lines().next()?.trim_start().strip_prefix("--> ")?;
        let (at, column) = at.rsplit_once(':')?;
        let (name, line) = at.rsplit_once(':')?;
        let (line, column): (usize, usize) = (line.parse().ok()?, column.parse().ok()?);
        let message = format!("template error: {}", message.trim_end_matches('.'));
        let mut d = Diagnostic::at(Location::at(theme.origin(name), line, column), message);
        let width = rest.lines().last().map_or(1, |underline| underline.matches('^').count().max(1));
        if let Some(source) = theme.templates.get(name).and_then(|t| t.text.lines().nth(line.checked_sub(1)?))
        {
            d = d.with_snippet(source, width);
        }
        found.push(d);
    }
    (!found.is_empty()).then_some(found)
}

pub(super) fn template_error(err: &tera::Error, theme: &Theme, rendering: Option<&str>) -> Diagnostic {
    let report = match err.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => Some(r),
        _ => None,
    };
    let mut diagnostic = match report {
        Some(r) if !r.filename().is_empty() => {
            let span = r.span();
            let message = format!("template error: {}", r.message().trim_end_matches('.'));
            let location = Location::at(theme.origin(r.filename()), span.start_line, span.start_col + 1);
            let mut d = Diagnostic::at(location, message);
            let line =
                theme.templates.get(r.filename()).and_then(|t| t.text.lines().nth(span.start_line - 1));
            if let Some(line) = line {
                let width = if span.end_line == span.start_line {
                    span.end_col.saturating_sub(span.start_col)
                } else {
                    1
                };
                d = d.with_snippet(line, width);
                // Tera objects to the `end…` tag when the real mistake is a block left open above.
                let at: String = line.chars().skip(span.start_col).collect();
                if r.message().starts_with("Unknown tag")
                    && at.trim_start_matches(['{', '%', '-', ' ']).starts_with("end")
                {
                    d = d.with_help(
                        "an `if`, `for` or `block` opened above this line may be missing its `end` tag",
                    );
                }
            }
            d
        }
        _ => {
            let message = format!("template error: {}", err.to_string().trim_end_matches('.'));
            match rendering {
                Some(name) => Diagnostic::at(Location::file(theme.origin(name)), message),
                None => Diagnostic::new(message),
            }
        }
    };
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        diagnostic = diagnostic.caused_by(cause.to_string());
        source = cause.source();
    }
    diagnostic
}
