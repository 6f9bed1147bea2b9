//! Countries: ISO 3166-1 alpha-2 codes and the names people know them by.
//!
//! The table (`data/countries.tsv`) is embedded in the binary; incidents write `FR`, pages say
//! "France".

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

static TABLE: &str = include_str!("../../data/countries.tsv");

fn by_code() -> &'static HashMap<&'static str, &'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| TABLE.lines().skip(1).filter_map(|line| line.split_once('\t')).collect())
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
