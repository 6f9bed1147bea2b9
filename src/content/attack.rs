//! MITRE ATT&CK identifiers: checking them, naming them, and linking to them.
//!
//! The table (`data/attack.tsv`: id, name, tactic ids) holds the Enterprise tactics and the
//! techniques incident reports cite most. Any well-formed id is accepted — ATT&CK grows faster
//! than any table shipped here — but only known ones get a name.

use std::collections::HashMap;
use std::sync::OnceLock;

static TABLE: &str = include_str!("../../data/attack.tsv");

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// `T1566.001`, `T1486` or `TA0001`.
    pub id: &'static str,
    /// `Spearphishing Attachment`
    pub name: &'static str,
    /// The tactics a technique belongs to (none for a tactic).
    pub tactics: &'static str,
}

impl Entry {
    /// The tactic ids of a technique, in kill-chain order as written in the table.
    pub fn tactic_ids(&self) -> impl Iterator<Item = &'static str> {
        self.tactics.split(',').filter(|t| !t.is_empty())
    }
}

fn table() -> &'static (Vec<Entry>, HashMap<&'static str, usize>) {
    static DATA: OnceLock<(Vec<Entry>, HashMap<&'static str, usize>)> = OnceLock::new();
    DATA.get_or_init(|| {
        let entries: Vec<Entry> = TABLE
            .lines()
            .skip(1)
            .filter_map(|line| {
                let mut cols = line.split('\t');
                Some(Entry { id: cols.next()?, name: cols.next()?, tactics: cols.next().unwrap_or("") })
            })
            .collect();
        let index = entries.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
        (entries, index)
    })
}

/// Every row: tactics first in kill-chain order, then techniques by id.
pub fn entries() -> &'static [Entry] {
    &table().0
}

/// Looks up an id.
pub fn lookup(id: &str) -> Option<&'static Entry> {
    table().1.get(id).map(|&i| &table().0[i])
}

/// What kind of ATT&CK object an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `TA0001`
    Tactic,
    /// `T1566`
    Technique,
    /// `T1566.001`
    SubTechnique,
}

fn digits(text: &str, n: usize) -> bool {
    text.len() == n && text.bytes().all(|b| b.is_ascii_digit())
}

/// Normalizes and checks an id: `t1566.001` becomes `T1566.001`. The error says what is wrong.
pub fn parse(text: &str) -> Result<(String, Kind), String> {
    let id = text.trim().to_ascii_uppercase();
    let kind = if let Some(rest) = id.strip_prefix("TA") {
        digits(rest, 4).then_some(Kind::Tactic)
    } else if let Some(rest) = id.strip_prefix('T') {
        match rest.split_once('.') {
            None => digits(rest, 4).then_some(Kind::Technique),
            Some((main, sub)) => (digits(main, 4) && digits(sub, 3)).then_some(Kind::SubTechnique),
        }
    } else {
        None
    };
    match kind {
        Some(kind) => Ok((id, kind)),
        None => {
            let by_name = entries().iter().find(|e| e.name.eq_ignore_ascii_case(text.trim()));
            Err(match by_name {
                Some(e) => format!("`{text}` is not an ATT&CK id: write `{}` ({})", e.id, e.name),
                None => format!(
                    "`{text}` is not an ATT&CK id: write techniques as `T1486` or `T1566.001`, tactics as `TA0040`"
                ),
            })
        }
    }
}

/// The page on attack.mitre.org for an id.
pub fn url(id: &str, kind: Kind) -> String {
    match kind {
        Kind::Tactic => format!("https://attack.mitre.org/tactics/{id}/"),
        Kind::Technique => format!("https://attack.mitre.org/techniques/{id}/"),
        Kind::SubTechnique => format!("https://attack.mitre.org/techniques/{}/", id.replace('.', "/")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalizes_ids() {
        assert_eq!(parse("t1566.001"), Ok(("T1566.001".to_string(), Kind::SubTechnique)));
        assert_eq!(parse("T1486"), Ok(("T1486".to_string(), Kind::Technique)));
        assert_eq!(parse("TA0040"), Ok(("TA0040".to_string(), Kind::Tactic)));
        for bad in ["T123", "T12345", "T1566.01", "TA01", "phishing!", "1566"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse("Phishing").expect_err("a name"),
            "`Phishing` is not an ATT&CK id: write `T1566` (Phishing)"
        );
    }

    #[test]
    fn links_to_attack_pages() {
        assert_eq!(url("T1566.001", Kind::SubTechnique), "https://attack.mitre.org/techniques/T1566/001/");
        assert_eq!(url("TA0001", Kind::Tactic), "https://attack.mitre.org/tactics/TA0001/");
    }

    #[test]
    fn table_is_well_formed() {
        assert_eq!(lookup("T1486").map(|e| e.name), Some("Data Encrypted for Impact"));
        let tactics: Vec<_> = entries().iter().filter(|e| e.id.starts_with("TA")).collect();
        assert_eq!(tactics.len(), 14);
        for e in entries() {
            let (_, kind) = parse(e.id).expect("valid id");
            assert!(!e.name.is_empty(), "{}", e.id);
            if kind != Kind::Tactic {
                assert!(e.tactic_ids().count() > 0, "{} has no tactic", e.id);
                assert!(e.tactic_ids().all(|t| lookup(t).is_some()), "{} names an unknown tactic", e.id);
            }
            if let Some((parent, _)) = e.id.split_once('.') {
                assert!(lookup(parent).is_some(), "{} has no parent", e.id);
            }
        }
    }
}
