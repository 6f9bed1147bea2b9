//! The theme's words in the site's language: `i18n/<language>.yaml` of the default theme, of
//! the site's theme and of the site itself, each overriding the one before, key by key.
//!
//! A file maps keys to texts. A text may hold `{name}` placeholders, filled by the caller
//! (`t(key="page_of", current=2, total=5)`); a text that depends on a count is a map
//! `{one: …, other: …}`, chosen by the language's plural rule. `months` is a list of twelve
//! names. A key that a template or casebook itself asks for and the language lacks is an error
//! when the theme loads, naming the key and the language: a French site must not show English.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::base::error::{Diagnostic, Location};
use crate::base::frontmatter::{Seg, locate};
use crate::content::date::{DateFormat, DurationWords};

/// One text of a language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    /// The same whatever the count.
    Plain(String),
    /// Chosen by the plural rule of the language.
    Plural {
        /// For one (and in French, zero).
        one: String,
        /// For every other count.
        other: String,
    },
    /// A list, such as the twelve months.
    List(Vec<String>),
}

/// The texts of one language.
#[derive(Debug, Clone, Default)]
pub struct Strings {
    /// The language, as `casebook.yaml` names it (`fr`, `fr-CA`).
    language: String,
    texts: BTreeMap<String, Text>,
    /// The last file read, which a key missing from the language should be added to.
    file: Option<PathBuf>,
}

/// The keys casebook's own code asks for (charts, menu, archive, redirect pages), which every
/// language must have whatever its templates use.
pub const BUILT_IN_KEYS: [&str; 35] = [
    "months",
    "date_month_year",
    "date_day_month_year",
    "utc",
    "number_separator",
    "decimal_mark",
    "month_unknown",
    "menu_incidents",
    "menu_archive",
    "menu_data",
    "menu_stats",
    "menu_matrix",
    "menu_search",
    "chart_per_year",
    "chart_per_month",
    "chart_by_sector",
    "chart_by_country",
    "chart_by_severity",
    "chart_top_techniques",
    "chart_by_kind",
    "kinds_incident",
    "kinds_outage",
    "kinds_maintenance",
    "kinds_notice",
    "moved_text",
    "months_short",
    "duration_minutes",
    "duration_hours",
    "duration_days",
    "duration_months",
    "duration_years",
    "duration_under_minute",
    "duration_under_day",
    "duration_under_month",
    "duration_under_year",
];

/// A language file found for the site: where it is, for errors, and its text.
pub struct Source {
    /// The file, or where the built-in theme's file sits.
    pub path: PathBuf,
    /// Its YAML.
    pub text: String,
}

impl Strings {
    /// The texts of `language` from `sources`, the earlier overridden by the later. `None`
    /// when there is no source at all.
    pub fn merge(language: &str, sources: &[Source]) -> Result<Option<Strings>, Diagnostic> {
        if sources.is_empty() {
            return Ok(None);
        }
        let mut texts = BTreeMap::new();
        for source in sources {
            texts.extend(parse(&source.path, &source.text)?);
        }
        let file = sources.last().map(|s| s.path.clone());
        Ok(Some(Strings { language: language.to_string(), texts, file }))
    }

    /// The file a missing key belongs in: the last of the language's files that was read.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The language.
    pub fn language(&self) -> &str {
        &self.language
    }

    /// Whether the language has `key`.
    pub fn has(&self, key: &str) -> bool {
        self.texts.contains_key(key)
    }

    /// The text of `key` for `count` (none: the text as written, or a plural's `other`), with
    /// its `{name}` placeholders filled from `values`. The error names the key and language.
    pub fn format(
        &self,
        key: &str,
        count: Option<i128>,
        values: &[(&str, String)],
    ) -> Result<String, String> {
        let text = match self.texts.get(key) {
            Some(Text::Plain(text)) => text,
            Some(Text::Plural { one, other }) => match count {
                Some(n) if self.is_one(n) => one,
                _ => other,
            },
            // A list as one text, for a script to split (the search page's months).
            Some(Text::List(items)) => return Ok(items.join(",")),
            None => return Err(self.missing(key)),
        };
        let mut out = text.clone();
        if let Some(n) = count {
            out = out.replace("{count}", &self.number(n));
        }
        for (name, value) in values {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        Ok(out)
    }

    /// The form of a plural text (`one` or `other`) as written, placeholders and all: for a
    /// script that fills them (the search page's count). A plain text is its own every form.
    pub fn form(&self, key: &str, form: &str) -> Result<String, String> {
        match self.texts.get(key) {
            Some(Text::Plural { one, .. }) if form == "one" => Ok(one.clone()),
            Some(Text::Plural { other, .. }) => Ok(other.clone()),
            Some(Text::Plain(text)) => Ok(text.clone()),
            Some(Text::List(items)) => Ok(items.join(",")),
            None => Err(self.missing(key)),
        }
    }

    /// The text of `key`, with no placeholders filled; the key itself when missing (the load
    /// check makes that a bug, not a user's mistake).
    pub fn text(&self, key: &str) -> String {
        self.format(key, None, &[]).unwrap_or_else(|_| key.to_string())
    }

    /// The message for a key the language lacks.
    pub fn missing(&self, key: &str) -> String {
        format!("no text `{key}` in language `{}`: add it to i18n/{}.yaml", self.language, self.language)
    }

    /// `12500` with its digits grouped as the language writes them: `12,500`, `12 500`.
    pub fn number(&self, n: i128) -> String {
        crate::base::number::group_digits(n, &self.separator())
    }

    /// What groups digits in the language (`,` in English).
    pub fn separator(&self) -> String {
        match self.texts.get("number_separator") {
            Some(Text::Plain(s)) => s.clone(),
            _ => ",".to_string(),
        }
    }

    /// Whether `n` takes the singular: the plural rule of the language's CLDR category "one"
    /// for whole numbers (0 and 1 in French, 1 in English, German, Spanish and most others).
    fn is_one(&self, n: i128) -> bool {
        match primary(&self.language).as_str() {
            "fr" | "pt" => n == 0 || n == 1,
            _ => n == 1,
        }
    }

    /// How dates read in the language.
    pub fn date_format(&self) -> DateFormat {
        let mut format = DateFormat::default();
        if let Some(Text::List(months)) = self.texts.get("months")
            && months.len() == 12
        {
            format.months = months.clone();
        }
        let plain = |key: &str| match self.texts.get(key) {
            Some(Text::Plain(s)) => Some(s.clone()),
            _ => None,
        };
        format.month_year = plain("date_month_year").unwrap_or(format.month_year);
        format.day_month_year = plain("date_day_month_year").unwrap_or(format.day_month_year);
        format.utc = plain("utc").unwrap_or(format.utc);
        format
    }

    /// How durations read in the language (`duration_*`): `2 hours 47 minutes`.
    pub fn duration_words(&self) -> DurationWords {
        let mut words = DurationWords::default();
        let units =
            ["duration_minutes", "duration_hours", "duration_days", "duration_months", "duration_years"];
        for (slot, key) in words.units.iter_mut().zip(units) {
            match self.texts.get(key) {
                Some(Text::Plural { one, other }) => *slot = (one.clone(), other.clone()),
                Some(Text::Plain(text)) => *slot = (text.clone(), text.clone()),
                _ => {}
            }
        }
        let under =
            ["duration_under_minute", "duration_under_day", "duration_under_month", "duration_under_year"];
        for (slot, key) in words.under.iter_mut().zip(under) {
            if let Some(Text::Plain(text)) = self.texts.get(key) {
                *slot = text.clone();
            }
        }
        words.separator = self.separator();
        words
    }

    /// The short name of month `m` (1-12), for the axes of charts: `Jan`, `janv.`.
    pub fn month_short(&self, m: i8) -> String {
        match self.texts.get("months_short") {
            Some(Text::List(names)) => {
                usize::try_from(m - 1).ok().and_then(|i| names.get(i).cloned()).unwrap_or_default()
            }
            _ => crate::content::date::month_name(m).chars().take(3).collect(),
        }
    }

    /// The name of month `m` (1-12).
    pub fn month(&self, m: i8) -> String {
        let format = self.date_format();
        usize::try_from(m - 1).ok().and_then(|i| format.months.get(i).cloned()).unwrap_or_default()
    }
}

/// `fr` of `fr-CA`, lower case.
pub fn primary(language: &str) -> String {
    language.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase()
}

/// The names a language's files may have, most general first: `fr`, then `fr-CA`.
pub fn file_names(language: &str) -> Vec<String> {
    let primary = primary(language);
    let mut names = vec![format!("{primary}.yaml")];
    if !language.eq_ignore_ascii_case(&primary) {
        names.push(format!("{language}.yaml"));
    }
    names
}

/// The keys of one file, each checked to be a text, a `{one, other}` map or a list.
fn parse(path: &Path, text: &str) -> Result<BTreeMap<String, Text>, Diagnostic> {
    if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        return Ok(BTreeMap::new());
    }
    let value: serde_yaml::Value =
        serde_yaml::from_str(text).map_err(|e| Diagnostic::from_yaml(&e, path, 1, text))?;
    let at = |key: &str| {
        locate(text, &[Seg::Key(key)])
            .map_or_else(|| Location::file(path), |(line, column)| Location::at(path, line + 1, column))
    };
    let Some(map) = value.as_mapping() else {
        return Err(Diagnostic::at(Location::file(path), "a language file maps keys to texts"));
    };
    let mut texts = BTreeMap::new();
    for (key, value) in map {
        let Some(key) = key.as_str() else {
            return Err(Diagnostic::at(
                Location::file(path),
                "a language file's keys are words, like `timeline`",
            ));
        };
        let text = match value {
            serde_yaml::Value::String(s) => Text::Plain(s.clone()),
            serde_yaml::Value::Sequence(items) => {
                let items: Option<Vec<String>> =
                    items.iter().map(|i| i.as_str().map(str::to_string)).collect();
                Text::List(items.ok_or_else(|| Diagnostic::at(at(key), format!("`{key}`: a list of texts")))?)
            }
            serde_yaml::Value::Mapping(forms) => {
                let form = |name: &str| forms.get(name).and_then(|v| v.as_str()).map(str::to_string);
                match (form("one"), form("other")) {
                    (Some(one), Some(other)) if forms.len() == 2 => Text::Plural { one, other },
                    _ => {
                        return Err(Diagnostic::at(
                            at(key),
                            format!("`{key}`: a text for a count is a map of `one` and `other`"),
                        ));
                    }
                }
            }
            _ => return Err(Diagnostic::at(at(key), format!("`{key}` must be a text"))),
        };
        if (key == "months" || key == "months_short") && !matches!(&text, Text::List(m) if m.len() == 12) {
            return Err(Diagnostic::at(at(key), format!("`{key}` lists the twelve months, January first")));
        }
        texts.insert(key.to_string(), text);
    }
    Ok(texts)
}

/// Every `t(key="…")` of a template with a literal key, with the line and column of the key.
pub fn keys_used(text: &str) -> Vec<(String, usize, usize)> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("t(key=") {
        // `t(` itself, not the end of another function's name (`get(key=`).
        if text[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &text[at + "t(key=".len()..];
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else { continue };
        let Some(end) = rest[1..].find(quote) else { continue };
        // A key built from pieces (`t(key="impact_" ~ level)`) is checked when it renders.
        let after = rest[end + 2..].trim_start();
        if !(after.starts_with(')') || after.starts_with(',')) {
            continue;
        }
        let before = &text[..at];
        let line = before.matches('\n').count() + 1;
        let column = before.len() - before.rfind('\n').map_or(0, |n| n + 1) + 1;
        found.push((rest[1..=end].to_string(), line, column));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(language: &str, yaml: &str) -> Strings {
        let source = Source { path: PathBuf::from("i18n/x.yaml"), text: yaml.to_string() };
        Strings::merge(language, &[source]).expect("valid").expect("a source")
    }

    #[test]
    fn texts_are_filled_and_counted_by_the_language_rule() {
        let en = strings(
            "en",
            "incidents: {one: \"{count} incident\", other: \"{count} incidents\"}\npage_of: Page {current} of {total}\n",
        );
        assert_eq!(en.format("incidents", Some(1), &[]).as_deref(), Ok("1 incident"));
        assert_eq!(en.format("incidents", Some(0), &[]).as_deref(), Ok("0 incidents"));
        assert_eq!(en.format("incidents", Some(12_500), &[]).as_deref(), Ok("12,500 incidents"));
        let values = [("current", "2".to_string()), ("total", "5".to_string())];
        assert_eq!(en.format("page_of", None, &values).as_deref(), Ok("Page 2 of 5"));
        let fr = strings(
            "fr-CA",
            "incidents: {one: \"{count} incident\", other: \"{count} incidents\"}\nnumber_separator: \"\u{202f}\"\n",
        );
        assert_eq!(
            fr.format("incidents", Some(0), &[]).as_deref(),
            Ok("0 incident"),
            "French: zero is singular"
        );
        assert_eq!(fr.format("incidents", Some(12_500), &[]).as_deref(), Ok("12\u{202f}500 incidents"));
        let missing = fr.format("timeline", None, &[]).expect_err("missing");
        assert!(missing.contains("`timeline`") && missing.contains("`fr-CA`"), "{missing}");
    }

    #[test]
    fn later_sources_override_earlier_ones_key_by_key() {
        let theme = Source { path: "theme/fr.yaml".into(), text: "a: A du thème\nb: B du thème\n".into() };
        let site = Source { path: "i18n/fr.yaml".into(), text: "b: B du site\n".into() };
        let s = Strings::merge("fr", &[theme, site]).expect("valid").expect("sources");
        assert_eq!((s.text("a"), s.text("b")), ("A du thème".to_string(), "B du site".to_string()));
        assert!(Strings::merge("fr", &[]).expect("valid").is_none());
    }

    #[test]
    fn a_malformed_text_is_located() {
        let source = Source { path: "i18n/fr.yaml".into(), text: "a: ok\nb: {one: x}\n".into() };
        let e = Strings::merge("fr", &[source]).expect_err("bad plural");
        assert_eq!(e.location.as_ref().and_then(|l| l.line), Some(2), "{e}");
        let source = Source { path: "i18n/fr.yaml".into(), text: "months: [janvier]\n".into() };
        assert!(Strings::merge("fr", &[source]).is_err());
    }

    #[test]
    fn literal_keys_of_templates_are_found_with_their_place() {
        let text = "<h2>{{ t(key=\"timeline\") }}</h2>\n{{ get(key=\"x\") }} {{ t(key='sources', count=2) }} {{ t(key=\"a_\" ~ b) }}";
        assert_eq!(keys_used(text), [("timeline".to_string(), 1, 8), ("sources".to_string(), 2, 23)]);
    }

    /// Every language of the default theme has every key of the English file, and no other:
    /// a French site must never fall back to an English word.
    #[test]
    fn the_built_in_languages_have_the_same_keys() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/i18n");
        let keys = |language: &str| {
            let path = dir.join(format!("{language}.yaml"));
            let text = std::fs::read_to_string(&path).expect("a language file");
            parse(&path, &text).expect("valid").into_keys().collect::<Vec<_>>()
        };
        let english = keys("en");
        for key in BUILT_IN_KEYS {
            assert!(english.iter().any(|k| k == key), "en.yaml lacks the built-in key `{key}`");
        }
        for language in ["fr", "de", "es"] {
            assert_eq!(keys(language), english, "{language}.yaml and en.yaml differ in keys");
        }
    }

    #[test]
    fn dates_read_in_the_language() {
        let fr = strings(
            "fr",
            "months: [janvier, février, mars, avril, mai, juin, juillet, août, septembre, octobre, novembre, décembre]\n\
             date_day_month_year: \"{day} {month} {year}\"\n",
        );
        let date = crate::content::date::IncidentDate::parse("2023-07-24").expect("date");
        assert_eq!(date.display_in(&fr.date_format()), "24 juillet 2023");
        assert_eq!(fr.month(8), "août");
    }
}
