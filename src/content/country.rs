//! Countries: ISO 3166-1 alpha-2 codes and the names people know them by.
//!
//! The table (`data/countries.tsv`) is embedded in the binary; incidents write `FR`, pages say
//! "France" — or "Frankreich": `data/country-names.tsv` holds the names in the other languages
//! the default theme speaks, from the Unicode CLDR (`data/generate-country-names.py`).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

static TABLE: &str = include_str!("../../data/countries.tsv");

fn by_code() -> &'static HashMap<&'static str, &'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| TABLE.lines().skip(1).filter_map(|line| line.split_once('\t')).collect())
}

static NAMES: &str = include_str!("../../data/country-names.tsv");

/// The names of each code by language, for the languages of `data/country-names.tsv`.
fn translated() -> &'static HashMap<(&'static str, &'static str), &'static str> {
    static MAP: OnceLock<HashMap<(&'static str, &'static str), &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut lines = NAMES.lines();
        let languages: Vec<&str> = lines.next().unwrap_or_default().split('\t').skip(1).collect();
        let mut map = HashMap::new();
        for line in lines {
            let mut cells = line.split('\t');
            let Some(code) = cells.next() else { continue };
            for (language, name) in languages.iter().zip(cells) {
                map.insert((*language, code), name);
            }
        }
        map
    })
}

/// A country, by its code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Country {
    /// The ISO 3166-1 alpha-2 code, upper case: `FR`.
    pub code: String,
    /// Its English short name: `France`.
    pub name: String,
}

impl Country {
    /// Looks up a code in any case (`fr`, `FR`). The error says what is wrong, and suggests the
    /// code when `text` is a country's name.
    pub fn parse(text: &str) -> Result<Country, String> {
        let code = text.trim().to_ascii_uppercase();
        if let Some(name) = by_code().get(code.as_str()) {
            return Ok(Country { code, name: (*name).to_string() });
        }
        let wanted = text.trim().to_lowercase();
        let by_name = by_code().iter().find(|(_, name)| name.to_lowercase() == wanted);
        Err(match by_name {
            Some((code, _)) => format!("`{text}` is not a country code: write `{code}`"),
            None => format!("`{text}` is not an ISO 3166-1 alpha-2 country code (like `FR` or `US`)"),
        })
    }

    /// The name of a code, or the code itself when unknown.
    pub fn name_of(code: &str) -> String {
        by_code().get(code).map_or_else(|| code.to_string(), |n| (*n).to_string())
    }

    /// The name of a code in `language` (a BCP 47 tag: `fr`, `fr-CA`), in English when the
    /// table has no names in that language.
    pub fn name_in(code: &str, language: &str) -> String {
        let primary = language.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
        match translated().get(&(primary.as_str(), code)) {
            Some(name) => (*name).to_string(),
            None => Country::name_of(code),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_other_languages_come_from_the_table() {
        assert_eq!(Country::name_in("DE", "fr"), "Allemagne");
        assert_eq!(Country::name_in("DE", "de-AT"), "Deutschland");
        assert_eq!(Country::name_in("US", "es"), "Estados Unidos");
        assert_eq!(Country::name_in("DE", "en"), "Germany");
        assert_eq!(Country::name_in("DE", "pt"), "Germany", "no table: English");
        assert_eq!(Country::name_in("ZZ", "fr"), "ZZ");
        // Every country has a name in every language of the table.
        let languages = NAMES.lines().next().unwrap_or_default().split('\t').count() - 1;
        assert_eq!(translated().len(), by_code().len() * languages);
    }

    #[test]
    fn codes_become_names() {
        assert_eq!(Country::parse("fr").expect("valid").name, "France");
        assert_eq!(Country::parse("GB").expect("valid").name, "United Kingdom");
        assert_eq!(Country::name_of("DE"), "Germany");
    }

    #[test]
    fn names_and_unknown_codes_are_refused_helpfully() {
        assert_eq!(
            Country::parse("France").expect_err("a name"),
            "`France` is not a country code: write `FR`"
        );
        assert!(Country::parse("ZZ").expect_err("unknown").contains("not an ISO 3166-1"));
    }

    #[test]
    fn table_is_complete_and_clean() {
        assert!(by_code().len() >= 249, "{}", by_code().len());
        for (code, name) in by_code() {
            assert!(code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()), "{code}");
            assert!(!name.is_empty() && !name.contains(','), "{code}: {name}");
        }
    }
}
