//! What each template can read: the names it mentions and the templates it pulls in.
//!
//! The preview re-renders a page only when something it reads changed. For data a page is
//! given (its incident, its slice of a list) that is known from the page's kind; for the
//! site-wide globals (`stats`, `get_taxonomy()`…) it depends on the template. A template that
//! never mentions `stats` cannot show it, so a change of the figures need not re-render it.
//! Every build uses the same scan of the whole theme ([`mentions`]) to build only the incident
//! fields some template can read ([`crate::render::view::Fields`]).
//!
//! The scan is deliberately conservative: every identifier inside `{{ }}` and `{% %}` counts,
//! wherever it appears (`x.stats` counts as `stats`), and a template's uses include those of
//! every template it names in a string (`extends`, `include`, `import`) and of every template
//! defining a component, since Tera 2 components can be called from anywhere. Reading too much
//! costs a re-render; reading too little would leave a stale page, which the tests comparing
//! incremental and full builds are there to catch.

use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};

/// The name Tera 2 gives the whole context, which reads every variable.
const WHOLE_CONTEXT: &str = "__tera_context";

/// Every word a set of templates mentions, for deciding which fields of an incident to build.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mentions {
    /// Identifiers in tags, and the words of string literals in tags (`"severity.rank"` gives
    /// `severity` and `rank`: filters such as `sort(attribute=…)` and `get(key=…)` name fields
    /// in strings).
    pub words: BTreeSet<String>,
    /// Some template may look at a whole map rather than at named fields: it reads the whole
    /// context, loops over a map's keys and values (`{% for key, value in … %}`) or uses the
    /// `keys`, `values` or `pairs` filters.
    pub whole_maps: bool,
}

/// The filters that list a map's entries.
const MAP_FILTERS: [&str; 3] = ["keys", "values", "pairs"];

/// What every template of a set (name → text) mentions, together.
pub fn mentions<'a>(templates: impl IntoIterator<Item = (&'a str, &'a str)>) -> Mentions {
    let mut out = Mentions::default();
    for (_, text) in templates {
        let scanned = scan(text);
        out.whole_maps |= scanned.loops_over_pairs;
        out.words.extend(scanned.names);
        for string in &scanned.strings {
            out.words.extend(words(string).map(str::to_string));
        }
    }
    out.whole_maps |= out.words.contains(WHOLE_CONTEXT) || MAP_FILTERS.iter().any(|f| out.words.contains(*f));
    out
}

/// The words of a text: its runs of letters, digits and underscores.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty())
}

/// What one template (with everything it pulls in) can read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Uses {
    /// Identifiers mentioned in its tags and those of the templates it pulls in.
    pub names: BTreeSet<String>,
    /// A hash of the text of the template and of everything it pulls in: when it changes, the
    /// pages using the template must be rendered again.
    pub text_hash: u64,
}

impl Uses {
    /// Whether the template may read `name` (a global variable or function).
    pub fn reads(&self, name: &str) -> bool {
        self.names.contains(name) || self.names.contains(WHOLE_CONTEXT)
    }
}

/// The uses of every template of a set (name → text).
pub fn analyze<'a>(templates: impl IntoIterator<Item = (&'a str, &'a str)>) -> HashMap<String, Uses> {
    let scanned: HashMap<&str, (&str, Scan)> =
        templates.into_iter().map(|(name, text)| (name, (text, scan(text)))).collect();
    let components: Vec<&str> = {
        let mut c: Vec<&str> =
            scanned.iter().filter(|(_, (_, s))| s.defines_component).map(|(n, _)| *n).collect();
        c.sort_unstable();
        c
    };
    scanned
        .keys()
        .map(|&name| {
            let mut closure: BTreeSet<&str> = BTreeSet::new();
            let mut stack: Vec<&str> = vec![name];
            stack.extend(&components);
            while let Some(next) = stack.pop() {
                if !closure.insert(next) {
                    continue;
                }
                if let Some((_, s)) = scanned.get(next) {
                    stack.extend(s.strings.iter().map(String::as_str).filter(|t| scanned.contains_key(t)));
                }
            }
            let mut hasher = crate::base::hash::fingerprinter();
            let mut names = BTreeSet::new();
            // A BTreeSet iterates in order, so the hash does not depend on the walk.
            for member in &closure {
                if let Some((text, s)) = scanned.get(member) {
                    member.hash(&mut hasher);
                    text.hash(&mut hasher);
                    names.extend(s.names.iter().cloned());
                }
            }
            (name.to_string(), Uses { names, text_hash: hasher.finish() })
        })
        .collect()
}

/// What the tags of one template mention.
#[derive(Debug, Default)]
struct Scan {
    names: BTreeSet<String>,
    strings: BTreeSet<String>,
    defines_component: bool,
    /// A `{% for key, value in … %}` loop.
    loops_over_pairs: bool,
}

/// Reads the identifiers and string literals inside `{{ … }}` and `{% … %}`; text outside
/// them and `{# … #}` comments are skipped.
fn scan(text: &str) -> Scan {
    let mut out = Scan::default();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = match after.as_bytes().first() {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            Some(b'#') => {
                rest = after.find("#}").map_or("", |end| &after[end + 2..]);
                continue;
            }
            _ => {
                rest = after;
                continue;
            }
        };
        let is_statement = close == "%}";
        let (inside, next) = tag_body(&after[1..], close);
        let first_word = scan_tag(inside, &mut out);
        if is_statement && first_word.as_deref() == Some("component") {
            out.defines_component = true;
        }
        if is_statement && first_word.as_deref() == Some("for") {
            // Two loop variables before `in`: the loop walks a map's entries.
            let head = inside.split(" in ").next().unwrap_or(inside);
            out.loops_over_pairs |= head.contains(',');
        }
        rest = next;
    }
    out
}

/// Splits at the end of a tag, skipping string literals (which may hold the closing text).
fn tag_body<'t>(text: &'t str, close: &str) -> (&'t str, &'t str) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            q @ (b'"' | b'\'' | b'`') => {
                i += 1;
                while i < bytes.len() && bytes[i] != q {
                    i += 1;
                }
                i += 1;
            }
            _ if text[i..].starts_with(close) => return (&text[..i], &text[i + close.len()..]),
            _ => i += 1,
        }
    }
    (text, "")
}

/// Collects the identifiers and strings of a tag's body; returns its first identifier.
fn scan_tag(body: &str, out: &mut Scan) -> Option<String> {
    let mut first = None;
    let mut chars = body.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if matches!(c, '"' | '\'' | '`') {
            let mut end = body.len();
            for (j, d) in chars.by_ref() {
                if d == c {
                    end = j;
                    break;
                }
            }
            out.strings.insert(body[start + 1..end].to_string());
        } else if c.is_alphabetic() || c == '_' {
            let mut end = start + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphanumeric() || d == '_' {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let word = &body[start..end];
            first.get_or_insert_with(|| word.to_string());
            out.names.insert(word.to_string());
        }
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uses(templates: &[(&str, &str)]) -> HashMap<String, Uses> {
        analyze(templates.iter().copied())
    }

    #[test]
    fn names_come_from_tags_only() {
        let u = uses(&[(
            "a.html",
            "stats in text {# stats in a comment #} {{ root_url ~ \"stats/\" }} {% if feeds.atom %}{% endif %}",
        )]);
        let a = &u["a.html"];
        assert!(a.reads("root_url") && a.reads("feeds") && a.reads("atom"));
        assert!(!a.reads("stats"), "{:?}", a.names);
    }

    #[test]
    fn strings_may_hold_closing_delimiters() {
        let u = uses(&[("a.html", "{{ \"}}\" ~ x }}{{ y }}")]);
        assert!(u["a.html"].reads("x") && u["a.html"].reads("y"));
    }

    #[test]
    fn parents_includes_and_components_are_followed() {
        let u = uses(&[
            ("base.html", "{{ stats.total }}{% block body %}{% endblock %}"),
            ("page.html", "{% extends \"base.html\" %}{% block body %}{{ page }}{% endblock %}"),
            ("other.html", "{{ x }}"),
            ("components/c.html", "{% component card(i) %}{{ get_taxonomy(name=\"t\") }}{% endcomponent %}"),
        ]);
        let page = &u["page.html"];
        assert!(page.reads("stats") && page.reads("page") && page.reads("get_taxonomy"));
        assert!(!page.reads("x"));
        assert!(u["other.html"].reads("get_taxonomy"), "components reach every template");
    }

    #[test]
    fn text_hash_covers_what_is_pulled_in() {
        let before =
            uses(&[("base.html", "A"), ("page.html", "{% extends \"base.html\" %}"), ("x.html", "X")]);
        let after =
            uses(&[("base.html", "B"), ("page.html", "{% extends \"base.html\" %}"), ("x.html", "X")]);
        assert_ne!(before["page.html"].text_hash, after["page.html"].text_hash);
        assert_eq!(before["x.html"].text_hash, after["x.html"].text_hash);
    }

    #[test]
    fn the_whole_context_reads_everything() {
        let u = uses(&[("a.html", "{{ __tera_context }}")]);
        assert!(u["a.html"].reads("stats"));
    }

    fn mentioned(templates: &[(&str, &str)]) -> Mentions {
        mentions(templates.iter().copied())
    }

    #[test]
    fn mentions_gather_identifiers_and_the_words_of_strings_across_templates() {
        let m = mentioned(&[
            ("a.html", "{{ incident.title }} text {# summary #}"),
            ("b.html", "{% for i in list | sort(attribute=\"severity.rank\") %}{% endfor %}"),
        ]);
        for word in ["incident", "title", "list", "sort", "attribute", "severity", "rank"] {
            assert!(m.words.contains(word), "{word}: {:?}", m.words);
        }
        assert!(!m.words.contains("summary"), "comments are not read");
        assert!(!m.whole_maps);
    }

    #[test]
    fn looking_at_whole_maps_is_noticed() {
        for text in [
            "{% for key, value in incident %}{% endfor %}",
            "{%- for k,v in incident -%}{% endfor %}",
            "{{ incident | keys }}",
            "{{ incident | values | length }}",
            "{% for pair in incident | pairs %}{% endfor %}",
            "{{ __tera_context }}",
        ] {
            assert!(mentioned(&[("a.html", text)]).whole_maps, "{text}");
        }
        let list = mentioned(&[("a.html", "{% for i in incidents %}{{ i.title }}{% endfor %}")]);
        assert!(!list.whole_maps);
    }

    #[test]
    fn unterminated_tags_do_not_panic() {
        for text in ["{{", "{%", "{#", "{{ \"", "{% component", "{"] {
            let _ = uses(&[("a.html", text)]);
        }
    }
}
