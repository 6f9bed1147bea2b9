//! Syntax highlighting of fenced code blocks, at build time, as HTML with CSS classes.
//!
//! Post-mortems quote commands, configuration and patches; highlighted, they read as they do in
//! an editor. The work is syntect's (the highlighter bat and delta use, and Zola did, with
//! bat's curated set of grammars through `two-face`, on the pure-Rust regex engine): this
//! module chooses the grammar from the fence's language and turns the grammar's scopes into a
//! dozen classes, which the theme colours for light and dark alike (no inline styles, so one
//! page serves both).
//!
//! Cheap when unused: the grammars are loaded once per process, on the first block written in a
//! language of [`LANGUAGES`]; a site with no such block (or only ```` ```text ````) never loads
//! them. A block that cannot be highlighted (unknown language, too large, a grammar error) is
//! left to the caller to write as plain escaped text, as before.

use std::sync::OnceLock;

use syntect::highlighting::{
    Color, HighlightIterator, HighlightState, Highlighter, ScopeSelectors, StyleModifier, Theme, ThemeItem,
};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// The fence languages highlighted, lower case, each with the token that finds its grammar in
/// the syntax set (a file extension of it). Sorted by language, for the binary search. Anything
/// else — `text`, `plain`, `console` output, a language without a grammar — stays plain: the
/// list is closed so that a block in another language costs nothing, not even loading the set.
pub const LANGUAGES: &[(&str, &str)] = &[
    ("apache", "htaccess"),
    ("bash", "bash"),
    ("c", "c"),
    ("cfg", "ini"),
    ("conf", "ini"),
    ("cpp", "cpp"),
    ("cs", "cs"),
    ("csharp", "cs"),
    ("css", "css"),
    ("csv", "csv"),
    ("diff", "diff"),
    ("docker", "dockerfile"),
    ("dockerfile", "dockerfile"),
    ("dotenv", "env"),
    ("env", "env"),
    ("go", "go"),
    ("golang", "go"),
    ("hcl", "tf"),
    ("html", "html"),
    ("ini", "ini"),
    ("java", "java"),
    ("javascript", "js"),
    ("js", "js"),
    ("json", "json"),
    ("jsonc", "json"),
    ("log", "log"),
    ("lua", "lua"),
    ("make", "makefile"),
    ("makefile", "makefile"),
    ("nginx", "nginx.conf"),
    ("patch", "diff"),
    ("perl", "pl"),
    ("php", "php"),
    ("py", "py"),
    ("python", "py"),
    ("rb", "rb"),
    ("rs", "rs"),
    ("ruby", "rb"),
    ("rust", "rs"),
    ("sh", "bash"),
    ("shell", "bash"),
    ("sql", "sql"),
    ("strace", "strace"),
    ("syslog", "syslog"),
    ("terraform", "tf"),
    ("tf", "tf"),
    ("toml", "toml"),
    ("ts", "ts"),
    ("typescript", "ts"),
    ("xml", "xml"),
    ("yaml", "yaml"),
    ("yml", "yaml"),
    ("zsh", "bash"),
];

/// Blocks larger than this are left plain: a pasted log of megabytes would take seconds, and
/// reads no better in colour.
pub const MAX_BYTES: usize = 256 * 1024;

/// The classes written, each for the scopes (TextMate selectors) it colours. The most specific
/// selector matching a piece of code wins, as in an editor's theme: `meta.mapping.key string`
/// (a JSON key) is a key, not a string. Pieces matching none stay unwrapped.
const CLASSES: &[(&str, &str)] = &[
    ("hl-comment", "comment, punctuation.definition.comment"),
    (
        "hl-string",
        "string, constant.character.escape, punctuation.definition.string, storage.type.string, \
         markup.underline.link",
    ),
    (
        "hl-number",
        "constant.numeric, constant.language, constant.other.color, constant.character, meta.date, meta.time",
    ),
    ("hl-keyword", "keyword, storage, keyword.operator.word, variable.language"),
    ("hl-operator", "keyword.operator"),
    (
        "hl-function",
        "entity.name.function, support.function, variable.function, meta.function-call.identifier",
    ),
    (
        "hl-type",
        "entity.name.type, entity.name.class, entity.other.inherited-class, support.type, support.class, \
         storage.type",
    ),
    (
        "hl-variable",
        "variable.other, variable.parameter, punctuation.definition.variable, meta.interpolation, \
         meta.group.expansion.parameter, meta.group.expansion punctuation.section",
    ),
    (
        "hl-key",
        "entity.name.tag, meta.mapping.key string, meta.mapping.key punctuation.definition.string, \
         entity.other.attribute-name, support.type.property-name, variable.other.property, \
         meta.object-literal.key, keyword.name.ini",
    ),
    (
        "hl-section",
        "entity.name.section, entity.section, entity.name.table, punctuation.definition.table, \
         meta.tag.section, meta.diff.range, meta.diff.header, markup.heading",
    ),
    ("hl-inserted", "markup.inserted, meta.diff.inserted"),
    ("hl-deleted", "markup.deleted, meta.diff.deleted"),
    // Log levels (bat's log grammar), bold in the theme: the line to look at in a pasted log.
    ("hl-error", "markup.error"),
    ("hl-warning", "markup.warning"),
];

struct Grammars {
    syntaxes: SyntaxSet,
    theme: Theme,
}

/// The grammars and the class "theme", made once per process on first use.
fn grammars() -> &'static Grammars {
    static GRAMMARS: OnceLock<Grammars> = OnceLock::new();
    GRAMMARS.get_or_init(|| {
        // A theme whose "colour" for each scope is the index of its class (in the red byte,
        // 1-based; 0 is no class): syntect's own selector matching then classifies each piece.
        let scopes = CLASSES
            .iter()
            .enumerate()
            .filter_map(|(i, (_, selectors))| {
                let scope: ScopeSelectors = selectors.parse().ok()?;
                let r = u8::try_from(i + 1).ok()?;
                let foreground = Some(Color { r, g: 0, b: 0, a: 0xff });
                Some(ThemeItem {
                    scope,
                    style: StyleModifier { foreground, background: None, font_style: None },
                })
            })
            .collect();
        let mut theme = Theme { scopes, ..Theme::default() };
        theme.settings.foreground = Some(Color { r: 0, g: 0, b: 0, a: 0xff });
        Grammars { syntaxes: two_face::syntax::extra_newlines(), theme }
    })
}

/// The grammar's token for a fence's language (the info string's first word), when it is one
/// casebook highlights.
pub fn token(language: &str) -> Option<&'static str> {
    if language.is_empty() || language.len() > 16 {
        return None;
    }
    let lower = language.to_ascii_lowercase();
    LANGUAGES.binary_search_by(|(name, _)| (*name).cmp(lower.as_str())).ok().map(|i| LANGUAGES[i].1)
}

/// The syntax of a token of [`LANGUAGES`] (loading the grammars on first use).
fn syntax(token: &str) -> Option<(&'static SyntaxSet, &'static SyntaxReference, &'static Theme)> {
    let grammars = grammars();
    let syntax = grammars.syntaxes.find_syntax_by_extension(token)?;
    Some((&grammars.syntaxes, syntax, &grammars.theme))
}

/// `code` as HTML, its pieces wrapped in `<span class="hl-…">` and every piece escaped as
/// pulldown-cmark escapes a code block's text (so that, spans aside, the HTML is the same as
/// without highlighting). `None` when `language` is not one of [`LANGUAGES`], the block is
/// larger than [`MAX_BYTES`], or the grammar fails on it: the caller then writes it plain.
pub fn highlight(language: &str, code: &str) -> Option<String> {
    if code.len() > MAX_BYTES {
        return None;
    }
    let (set, syntax, theme) = syntax(token(language)?)?;
    let highlighter = Highlighter::new(theme);
    let mut parse = ParseState::new(syntax);
    let mut state = HighlightState::new(&highlighter, ScopeStack::new());
    let mut out = String::with_capacity(code.len() * 2);
    // The class of the span left open: pieces of one class in a row, across lines too, share
    // one span (a comment's words and its `#`, a heredoc's lines).
    let mut open = 0u8;
    for line in LinesWithEndings::from(code) {
        let ops = parse.parse_line(line, set).ok()?;
        for (style, piece) in HighlightIterator::new(&mut state, &ops, line, &highlighter) {
            let class = style.foreground.r;
            // Whitespace takes any class: keeping the open span saves a close and an open.
            if class != open && !piece.bytes().all(|b| b.is_ascii_whitespace()) {
                if open != 0 {
                    out.push_str("</span>");
                }
                if let Some((name, _)) = usize::from(class).checked_sub(1).and_then(|i| CLASSES.get(i)) {
                    out.push_str("<span class=\"");
                    out.push_str(name);
                    out.push_str("\">");
                    open = class;
                } else {
                    open = 0;
                }
            }
            // Writing to a String cannot fail.
            let _ = pulldown_cmark_escape::escape_html_body_text(&mut out, piece);
        }
    }
    if open != 0 {
        out.push_str("</span>");
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_languages_are_sorted_lower_case_and_each_has_a_grammar() {
        assert!(LANGUAGES.windows(2).all(|w| w[0].0 < w[1].0), "sorted, no duplicates");
        for (name, token) in LANGUAGES {
            assert_eq!(*name, name.to_ascii_lowercase());
            assert!(syntax(token).is_some(), "{name}: no grammar for `{token}`");
        }
    }

    #[test]
    fn every_class_selector_parses() {
        for (class, selectors) in CLASSES {
            assert!(selectors.parse::<ScopeSelectors>().is_ok(), "{class}: {selectors}");
        }
        assert_eq!(grammars().theme.scopes.len(), CLASSES.len());
    }

    #[test]
    fn languages_are_found_in_any_case_and_others_are_not() {
        assert_eq!(token("BASH"), Some("bash"));
        assert_eq!(token("yml"), Some("yaml"));
        for plain in ["", "text", "plain", "console", "internal", "klingon", "bash{.x}"] {
            assert_eq!(token(plain), None, "{plain}");
        }
    }

    #[test]
    fn pieces_get_classes_and_the_text_is_kept() {
        let code = "# restore\nrm -rf \"$DIR\" && echo 'done' > /tmp/x.log\n";
        let html = highlight("bash", code).expect("bash");
        assert!(html.contains("<span class=\"hl-comment\"># restore"), "{html}");
        assert!(html.contains("<span class=\"hl-string\">"), "{html}");
        assert!(html.contains("<span class=\"hl-variable\">$DIR</span>"), "{html}");
        let text: String = strip_spans(&html);
        assert_eq!(text, "# restore\nrm -rf \"$DIR\" &amp;&amp; echo 'done' &gt; /tmp/x.log\n");
    }

    #[test]
    fn yaml_json_and_diff_are_told_apart() {
        let yaml = highlight("yaml", "name: billing # the API\nreplicas: 3\n").expect("yaml");
        assert!(yaml.contains("<span class=\"hl-key\">name</span>"), "{yaml}");
        assert!(yaml.contains("<span class=\"hl-number\">3"), "{yaml}");
        assert!(yaml.contains("<span class=\"hl-comment\">"), "{yaml}");
        let json = highlight("json", "{\"key\": \"value\", \"n\": 1}").expect("json");
        assert!(json.contains("<span class=\"hl-key\">\"key\"</span>"), "{json}");
        assert!(json.contains("<span class=\"hl-string\">"), "{json}");
        let log =
            highlight("log", "2026-11-03 08:12:44 ERROR refused\n08:12:45 WARN retrying\n").expect("log");
        assert!(log.contains("<span class=\"hl-error\">ERROR</span>"), "{log}");
        assert!(log.contains("<span class=\"hl-warning\">WARN</span>"), "{log}");
        assert!(log.contains("<span class=\"hl-number\">2026-11-03 08:12:44"), "{log}");
        let ini = highlight("ini", "[db]\nhost = x\n").expect("ini");
        assert!(ini.contains("<span class=\"hl-section\">[db]"), "{ini}");
        assert!(ini.contains("<span class=\"hl-key\">host"), "{ini}");
        let diff = highlight("diff", "@@ -1 +1 @@\n-old\n+new\n").expect("diff");
        assert!(diff.contains("<span class=\"hl-deleted\">-old"), "{diff}");
        assert!(diff.contains("<span class=\"hl-inserted\">+new"), "{diff}");
    }

    #[test]
    fn markup_in_code_stays_text() {
        let html = highlight("bash", "echo \"<script>alert(1)</script>\" # <b>\n").expect("bash");
        assert!(!html.contains("<script") && !html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
    }

    #[test]
    fn oversized_blocks_and_unknown_languages_are_left_plain() {
        assert_eq!(highlight("klingon", "x"), None);
        assert_eq!(highlight("bash", &"echo hi\n".repeat(MAX_BYTES / 8 + 1)), None);
    }

    /// The text of highlighted HTML: the spans removed, the escaped text kept.
    fn strip_spans(html: &str) -> String {
        let mut out = String::new();
        let mut rest = html;
        while let Some(start) = rest.find("<span") {
            out.push_str(&rest[..start]);
            rest = &rest[start..];
            rest = &rest[rest.find('>').map_or(rest.len(), |e| e + 1)..];
        }
        out.push_str(rest);
        out.replace("</span>", "")
    }
}
