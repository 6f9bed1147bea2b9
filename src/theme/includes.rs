//! Circular `include`s and `extends` between a theme's templates, found when the theme is
//! loaded: a property of the templates alone, reported at the tag that closes the circle, with
//! its file, line and column.
//!
//! Tera finds them too, but only when the renderer compiles the templates, and says which
//! templates without any file or line. The cycles looked for are Tera's: a template that
//! includes itself through other includes, and a chain of `extends` back to a template in it.

use std::collections::BTreeMap;

use crate::base::error::{Diagnostic, Location};
use crate::theme::TemplateSource;

/// An `include` or `extends` tag: the template it names and where the tag starts.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reference {
    name: String,
    /// Byte offset of the tag's `{%`.
    at: usize,
    extends: bool,
}

/// The `{% include "…" %}` and `{% extends "…" %}` tags of a template's text, in order. Tags
/// inside comments (`{# … #}`) and `{% raw %}` blocks are text, and skipped.
fn references(text: &str) -> Vec<Reference> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find('{').map(|i| i + from) {
        let rest = &text[open..];
        // Comments, and expressions (whose strings may look like tags), are not tags.
        if let Some(end) =
            ["{#", "{{"].iter().zip(["#}", "}}"]).find_map(|(o, c)| rest.starts_with(o).then_some(c))
        {
            from = rest[2..].find(end).map_or(text.len(), |i| open + 2 + i + 2);
            continue;
        }
        if !rest.starts_with("{%") {
            from = open + 1;
            continue;
        }
        let Some(close) = rest.find("%}") else { break };
        let inner = rest[2..close].trim_matches(|c: char| c == '-' || c.is_whitespace());
        from = open + close + 2;
        if inner == "raw" {
            // Everything up to `{% endraw %}` (with any spacing and trimming) is text.
            let mut search = from;
            from = text.len();
            while let Some(tag) = text[search..].find("{%").map(|i| i + search) {
                let Some(end) = text[tag..].find("%}") else { break };
                let name = text[tag + 2..tag + end].trim_matches(|c: char| c == '-' || c.is_whitespace());
                search = tag + end + 2;
                if name == "endraw" {
                    from = search;
                    break;
                }
            }
            continue;
        }
        let (keyword, argument) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
        if !matches!(keyword, "include" | "extends") {
            continue;
        }
        let argument = argument.trim_start();
        let Some(quote) = argument.chars().next().filter(|c| matches!(c, '"' | '\'' | '`')) else { continue };
        if let Some(end) = argument[1..].find(quote) {
            found.push(Reference {
                name: argument[1..1 + end].to_string(),
                at: open,
                extends: keyword == "extends",
            });
        }
    }
    found
}

/// The first circle of includes, or of `extends`, between `templates` (by name), as an error
/// at the tag that closes it.
pub(super) fn check(templates: &BTreeMap<String, TemplateSource>) -> Result<(), Diagnostic> {
    let refs: BTreeMap<&str, Vec<Reference>> =
        templates.iter().map(|(name, source)| (name.as_str(), references(&source.text))).collect();
    let error = |from: &str, reference: &Reference, chain: &[&str], what: &str| {
        let source = &templates[from];
        let before = &source.text[..reference.at];
        let line = before.matches('\n').count() + 1;
        let column = before[before.rfind('\n').map_or(0, |i| i + 1)..].chars().count() + 1;
        let mut circle: Vec<&str> = chain.to_vec();
        circle.push(&reference.name);
        Diagnostic::at(
            Location::at(&source.origin, line, column),
            format!("template error: circular {what}: {}", circle.join(" → ")),
        )
        .with_help(format!("a template cannot {what} itself, even through others: remove one of these tags"))
    };
    // Includes: a walk from each template, as Tera does, with the templates on the way.
    let mut done: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for start in refs.keys() {
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        while let Some(&mut (current, ref mut next)) = stack.last_mut() {
            let includes: Vec<&Reference> = refs[current].iter().filter(|r| !r.extends).collect();
            let Some(reference) = includes.get(*next).copied() else {
                done.insert(current);
                stack.pop();
                continue;
            };
            *next += 1;
            let Some((target, _)) = refs.get_key_value(reference.name.as_str()) else { continue };
            let chain: Vec<&str> = stack.iter().map(|(name, _)| *name).collect();
            if chain.contains(target) {
                return Err(error(current, reference, &chain, "include"));
            }
            if !done.contains(target) {
                stack.push((target, 0));
            }
        }
    }
    // Extends: each template's chain of parents.
    for start in refs.keys() {
        let mut chain: Vec<&str> = vec![start];
        let mut current: &str = start;
        while let Some(reference) = refs[current].iter().find(|r| r.extends) {
            let Some((parent, _)) = refs.get_key_value(reference.name.as_str()) else { break };
            if chain.contains(parent) {
                return Err(error(current, reference, &chain, "extends"));
            }
            chain.push(parent);
            current = parent;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme(files: &[(&str, &str)]) -> BTreeMap<String, TemplateSource> {
        files
            .iter()
            .map(|(name, text)| {
                let origin = std::path::PathBuf::from(format!("templates/{name}"));
                (name.to_string(), TemplateSource { text: text.to_string(), origin })
            })
            .collect()
    }

    #[test]
    fn finds_include_and_extends_tags_but_not_in_comments_or_raw_blocks() {
        let text = "{% extends 'base.html' %}{#- {% include \"no.html\" %} -#}\n{%- include `a.html` -%}\
                    {% raw %}{% include \"raw.html\" %}{%- endraw %}{% include \"b.html\" %}{{ include }}\
                    {{ \"{% include 'printed.html' %}\" }}";
        let names: Vec<(String, bool)> = references(text).into_iter().map(|r| (r.name, r.extends)).collect();
        assert_eq!(names, [("base.html".into(), true), ("a.html".into(), false), ("b.html".into(), false)]);
    }

    /// Issue 28: a circular include was reported by Tera without a file or line, when the
    /// templates were compiled.
    #[test]
    fn a_circle_of_includes_is_an_error_at_the_tag_closing_it() {
        let templates = theme(&[
            ("404.html", "{% include \"partials/a.html\" %}"),
            ("partials/a.html", "<p>\n{% include \"partials/b.html\" %}"),
            ("partials/b.html", "x\n  y {%- include 'partials/a.html' %}"),
        ]);
        let e = check(&templates).expect_err("a circle");
        assert_eq!(
            e.to_string(),
            "templates/partials/b.html:2:5: template error: circular include: 404.html → partials/a.html → \
             partials/b.html → partials/a.html\n  help: a template cannot include itself, even through others: \
             remove one of these tags"
        );
        let itself = theme(&[("a.html", "{% include \"a.html\" %}")]);
        assert!(check(&itself).expect_err("itself").to_string().starts_with("templates/a.html:1:1:"));
    }

    #[test]
    fn a_circle_of_extends_is_an_error_and_shared_includes_are_not() {
        let templates = theme(&[
            ("base.html", "{% extends \"page.html\" %}"),
            ("page.html", "\n\n{% extends \"base.html\" %}"),
        ]);
        let e = check(&templates).expect_err("a circle");
        assert!(
            e.to_string().starts_with("templates/page.html:3:1: template error: circular extends"),
            "{e}"
        );
        // Two includes of one partial, a partial including a missing one, a child including
        // its parent's partial: no circle.
        let fine = theme(&[
            ("base.html", "{% include \"p.html\" %}{% include \"p.html\" %}{% include \"missing.html\" %}"),
            ("page.html", "{% extends \"base.html\" %}{% block x %}{% include \"p.html\" %}{% endblock %}"),
            ("p.html", "{% include \"q.html\" %}"),
            ("q.html", "q"),
        ]);
        assert!(check(&fine).is_ok());
    }
}
