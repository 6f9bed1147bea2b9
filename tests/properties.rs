//! Properties that must hold for any input, checked on random inputs built from the pieces
//! that make incident files tricky (fences, YAML, HTML, internal-note markers, links).
//! The same properties are fuzzed with coverage guidance by the targets in `fuzz/`.

use std::path::Path;

use casebook::content::incident::parse;
use casebook::content::markdown::{Settings, render};
use proptest::prelude::*;

/// Fragments that exercise the parsers' edge cases, glued together at random.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("---\n".to_string()),
        Just("title: A\n".to_string()),
        Just("date: 2024-02-30\n".to_string()),
        Just("date: 2024-07\n".to_string()),
        Just("tags: [a, b\n".to_string()),
        Just("victim:\n  name: x\n".to_string()),
        Just("sources:\n  - url: javascript:x\n".to_string()),
        Just("techniques: [T1566.001, TA00]\n".to_string()),
        Just("```internal\n".to_string()),
        Just("```\n".to_string()),
        // Blocks that are highlighted: their text must come out escaped all the same.
        Just("```bash\n".to_string()),
        Just("```yaml\n".to_string()),
        Just("  \"$x\" # c\n".to_string()),
        Just("<!-- internal -->".to_string()),
        Just("<!-- /internal -->".to_string()),
        Just("<script>alert(1)</script>".to_string()),
        Just("<img src=x onerror=alert(1)>".to_string()),
        Just("[l](javascript:alert(1))".to_string()),
        Just("![i](JAVASCRIPT:alert(1))".to_string()),
        Just("<javascript:alert(1)>".to_string()),
        Just("## Heading {#id\"x}\n".to_string()),
        Just("- [x] task\n".to_string()),
        Just("| a |\n|---|\n".to_string()),
        Just("[^1]: note\n".to_string()),
        Just("\n".to_string()),
        "[ -~]{0,12}",
        "\\PC{0,6}",
    ]
}

/// The insides of the real tags of `html` (`<a href="x">` gives `a href="x"`); escaped text
/// (`&lt;img …&gt;`) is not a tag.
fn tags(html: &str) -> Vec<&str> {
    html.split('<').skip(1).filter_map(|rest| rest.split_once('>').map(|(tag, _)| tag)).collect()
}

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..24).prop_map(|parts| parts.concat())
}

/// Front-matter lines that make repeated keys hard to locate: nesting, list items, quoted
/// keys, and texts or collections going on over lines.
fn front_matter_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("title: A\n".to_string()),
        Just("date: 2024-01-01\n".to_string()),
        Just("victim:\n".to_string()),
        Just("  name: X\n".to_string()),
        Just("  'name': Y\n".to_string()),
        Just("victims:\n".to_string()),
        Just("  - name: A\n".to_string()),
        Just("    name: B\n".to_string()),
        Just("  notes: \"a\n".to_string()),
        Just("  {name: a,\n".to_string()),
        Just("  name: b}\n".to_string()),
        Just("  tags: [a,\n".to_string()),
        Just("    - x: 1\n".to_string()),
        Just("      x: 2\n".to_string()),
        Just("# name: c\n".to_string()),
        Just("\n".to_string()),
        "[ -~]{0,10}\n",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn a_repeated_key_is_reported_on_lines_that_write_it(
        lines in prop::collection::vec(front_matter_line(), 0..14)
    ) {
        let text = format!("---\n{}---\nbody\n", lines.concat());
        let schema = casebook::Config::default().parse_settings();
        let Err(errors) = parse(Path::new("content/p.md"), "p.md", &text, &schema) else { return Ok(()) };
        let file: Vec<&str> = text.lines().collect();
        for error in errors {
            let line = error.location.as_ref().and_then(|l| l.line);
            if let Some(line) = line {
                prop_assert!((1..=file.len()).contains(&line), "{error}");
            }
            // "`victims[0].name` is set twice (first on line 5)": both lines write the key.
            let Some((name, rest)) = error.message.strip_prefix("invalid YAML: `").and_then(|m| m.split_once('`'))
            else { continue };
            let Some(first) = rest.strip_prefix(" is set twice (first on line ").and_then(|r| r.strip_suffix(')'))
            else { continue };
            let key = name.rsplit('.').next().unwrap_or(name);
            let first: usize = first.parse().expect("a line number");
            let again = line.expect("located");
            prop_assert!(first < again, "{error}");
            for n in [first, again] {
                prop_assert!(file[n - 1].contains(key), "line {n} of\n{text}\ndoes not write `{key}`: {error}");
            }
        }
    }

    #[test]
    fn parsing_any_file_returns_a_result(text in document()) {
        let schema = casebook::Config::default().parse_settings();
        match parse(Path::new("content/p.md"), "p.md", &text, &schema) {
            Ok(parsed) => prop_assert!(casebook::base::is_slug(&parsed.incident.slug)),
            Err(errors) => prop_assert!(!errors.is_empty()),
        }
    }

    #[test]
    fn rendered_markdown_never_carries_script(text in document()) {
        if let Ok(stripped) = casebook::content::internal::strip(&text) {
            for (unsafe_html, highlight) in [(false, false), (true, false), (false, true), (true, true)] {
                let settings = Settings { unsafe_html, highlight, ..Settings::default() };
                let html = render(&stripped, settings).html.to_ascii_lowercase();
                for tag in tags(&html) {
                    prop_assert!(!tag.starts_with("script"), "{}", html);
                    prop_assert!(!tag.contains(" onerror") && !tag.contains(" onclick"), "{}", html);
                    prop_assert!(!tag.contains("javascript:"), "{}", html);
                }
            }
        }
    }

    #[test]
    fn internal_notes_never_survive(public in "[a-z ]{0,20}", secret in "[a-z]{1,10}") {
        let marker = format!("SECRET{secret}");
        for text in [
            format!("{public}<!-- internal -->{marker}<!-- /internal -->{public}\n"),
            format!("{public}\n\n```internal\n{marker}\n```\n{public}\n"),
            format!("<!-- internal -->\n{marker}\n<!-- /internal -->\n{public}"),
        ] {
            let stripped = casebook::content::internal::strip(&text).expect("well-formed notes");
            prop_assert!(!stripped.contains(&marker));
            prop_assert_eq!(stripped.lines().count(), text.lines().count());
        }
    }

    #[test]
    fn slugs_are_always_url_safe(text in "\\PC{0,40}") {
        let slug = casebook::base::slugify(&text);
        prop_assert!(slug.is_empty() || casebook::base::is_slug(&slug), "{:?} -> {:?}", text, slug);
    }

    #[test]
    fn dates_parse_or_explain(text in "[0-9T:Z+./ -]{0,26}") {
        if let Ok(date) = casebook::content::date::IncidentDate::parse(&text) {
            // What is shown parses back to the same date.
            prop_assert_eq!(casebook::content::date::IncidentDate::parse(&date.iso()).map(|d| d.iso()), Ok(date.iso()));
        }
    }
}
