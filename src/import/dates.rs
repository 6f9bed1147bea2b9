//! Dates as other tools write them, turned into the forms casebook reads (`2023-07-24`,
//! `2023-07-24T09:30:00Z`).
//!
//! The sources of an import were published by tools laxer than casebook: Hugo, which builds
//! cState sites, reads `2023-12-04T8:00:00-00:00` (a one-digit hour), `2023-12-04 08:00`
//! (no seconds) and `04 Dec 2023`. Each is read here and written the one way casebook wants,
//! so an archive that published fine is not refused for its spelling of dates. What is refused
//! is what cannot be read without guessing — `03/04/2023` (which is the day?), a two-digit year,
//! a zone abbreviation such as `CST` (which of the zones so named?) — with the reason.
//! A time without a zone is taken as UTC, as Hugo does unless a site sets its `timeZone`.

use crate::content::date::IncidentDate;

/// A date or date-time read from the start of some text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stamp {
    /// A full date, or date and time, normalised: `2023-07-24` or `2023-07-24T09:30:00Z`.
    Full(String),
    /// A time of day without its day (`14:20 UTC`): `(hour, minute, second, zone)`, the zone
    /// as casebook writes it (`Z`, `+02:00`).
    TimeOfDay(u8, u8, u8, String),
}

impl Stamp {
    /// The stamp as a full date-time, putting a time of day on `day` (`2023-07-24`).
    pub fn on(&self, day: &str) -> String {
        match self {
            Stamp::Full(full) => full.clone(),
            Stamp::TimeOfDay(h, m, s, zone) => format!("{day}T{h:02}:{m:02}:{s:02}{zone}"),
        }
    }
}

/// `text`, a date or date-time as another tool wrote it, in casebook's form; or why it cannot
/// be read without guessing.
pub fn normalize(text: &str) -> Result<String, String> {
    let written = text.trim();
    if written.is_empty() {
        return Err("the date is empty".to_string());
    }
    let (stamp, used) = read(written)?;
    let rest = written[used..].trim();
    if !rest.is_empty() {
        return Err(match zone_abbreviation(rest) {
            Some(zone) => ambiguous_zone(written, zone),
            None => {
                format!("`{written}` is not a date: `{rest}` is left over after `{}`", written[..used].trim())
            }
        });
    }
    let Stamp::Full(normalized) = stamp else {
        return Err(format!("`{written}` is a time of day without its day"));
    };
    // The calendar (30 February, month 13) is checked by the model itself, whose messages
    // name the text: they are made to name the text as written.
    IncidentDate::parse(&normalized)
        .map_err(|e| e.replace(&format!("`{normalized}`"), &format!("`{written}`")))?;
    Ok(normalized)
}

/// Reads a date, a date-time or a time of day at the start of `text`, as far as it goes:
/// `2021-06-03 15:15 UTC - back up` gives the stamp and the length of `2021-06-03 15:15 UTC`.
/// `Ok(None)`-like cases (no date at all) are an error saying so; what is read but cannot be
/// a date (`25:00`) is an error too.
pub fn read(text: &str) -> Result<(Stamp, usize), String> {
    let mut c = Cursor { text, at: 0 };
    let start = c.at;
    if let Some(stamp) = c.time_of_day()? {
        return Ok((stamp, c.at));
    }
    c.at = start;
    // What follows the first number tells the form: `2023-07-24`, `24/07/2023`, `24 Jul 2023`.
    let digits = c.digits_ahead();
    let after_number = text.as_bytes().get(c.at + digits).copied();
    let (year, month, day) = match (digits, after_number) {
        (0, _) if c.peek().is_some_and(|b| b.is_ascii_alphabetic()) => c.named_day(text)?,
        (0, _) => return Err(format!("`{text}` is not a date")),
        (_, Some(b'/' | b'.')) => c.slashed_day(text)?,
        (4, _) => match c.iso_day(text)? {
            IsoDay::Full(y, m, d) => (y, m, d),
            IsoDay::Partial(partial) => return Ok((Stamp::Full(partial), c.at)),
        },
        (1 | 2, Some(b' ')) => c.named_day(text)?,
        _ => return Err(format!("`{text}` is not a date")),
    };
    let day = format!("{year:04}-{month:02}-{day:02}");
    let after_day = c.at;
    // A time follows after `T` or spaces; without one, the stamp is the day.
    let separated = match c.peek() {
        Some(b'T' | b't') => {
            c.at += 1;
            true
        }
        Some(b' ' | b'\t') => {
            c.skip_spaces();
            true
        }
        _ => false,
    };
    if separated && let Some(Stamp::TimeOfDay(h, m, s, zone)) = c.time_of_day()? {
        let stamp = Stamp::TimeOfDay(h, m, s, zone).on(&day);
        return Ok((Stamp::Full(stamp), c.at));
    }
    Ok((Stamp::Full(day), after_day))
}

enum IsoDay {
    Full(u16, u8, u8),
    /// A year or a month alone, already in casebook's form: `2023`, `2023-07`.
    Partial(String),
}

struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

const MONTHS: [&str; 12] =
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    fn digits_ahead(&self) -> usize {
        self.text.as_bytes()[self.at..].iter().take_while(|b| b.is_ascii_digit()).count()
    }

    /// A number of `min` to `max` digits (and no more digits after them).
    fn number(&mut self, min: usize, max: usize) -> Option<u32> {
        let n = self.digits_ahead();
        if n < min || n > max {
            return None;
        }
        let value = self.text[self.at..self.at + n].parse().ok()?;
        self.at += n;
        Some(value)
    }

    fn word(&mut self) -> &str {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            self.at += 1;
        }
        &self.text[start..self.at]
    }

    /// `2023`, `2023-07`, `2023-07-24`, `2023-7-4`.
    fn iso_day(&mut self, text: &str) -> Result<IsoDay, String> {
        let year = self.number(4, 4).unwrap_or_default();
        if !self.eat(b'-') {
            return Ok(IsoDay::Partial(format!("{year:04}")));
        }
        let month_digits = self.digits_ahead();
        let month = self.number(1, 2).ok_or_else(|| format!("`{text}` is not a date"))?;
        if !self.eat(b'-') {
            // `2023-7` could be read, but a lone month is rare enough that a typo is likelier.
            if month_digits != 2 {
                return Err(format!("`{text}` is not a date: write the month with two digits"));
            }
            return Ok(IsoDay::Partial(format!("{year:04}-{month:02}")));
        }
        let day = self.number(1, 2).ok_or_else(|| format!("`{text}` is not a date"))?;
        Ok(IsoDay::Full(year as u16, month as u8, day as u8))
    }

    /// `24/07/2023`, `7/24/2023` or `2023/07/24`: read only when one order is possible.
    fn slashed_day(&mut self, text: &str) -> Result<(u16, u8, u8), String> {
        let not_a_date = || format!("`{text}` is not a date");
        let first_digits = self.digits_ahead();
        let first = self.number(1, 4).ok_or_else(not_a_date)?;
        let sep = match self.peek() {
            Some(b @ (b'/' | b'.')) => b,
            _ => return Err(not_a_date()),
        };
        self.at += 1;
        let second = self.number(1, 2).ok_or_else(not_a_date)?;
        if !self.eat(sep) {
            return Err(not_a_date());
        }
        let third_digits = self.digits_ahead();
        let third = self.number(1, 4).ok_or_else(not_a_date)?;
        if first_digits == 4 {
            let day = u8::try_from(third).map_err(|_| not_a_date())?;
            return Ok((first as u16, second as u8, day));
        }
        if third_digits != 4 {
            return Err(two_digit_year(text, third));
        }
        let (a, b) = (first as u8, second as u8);
        let (day, month) = match (a > 12, b > 12) {
            (true, false) => (a, b),
            (false, true) => (b, a),
            _ if a == b => (a, b),
            (false, false) => {
                return Err(format!(
                    "`{text}` is ambiguous: the day could be {a} or {b}; write `{third:04}-{b:02}-{a:02}` \
                     (day first) or `{third:04}-{a:02}-{b:02}` (month first)"
                ));
            }
            (true, true) => return Err(not_a_date()),
        };
        Ok((third as u16, month, day))
    }

    /// `4 Dec 2023`, `Mon, 04 Dec 2023`, `December 4, 2023`.
    fn named_day(&mut self, text: &str) -> Result<(u16, u8, u8), String> {
        let not_a_date = || format!("`{text}` is not a date");
        let month_of = |word: &str| {
            let lower = word.to_ascii_lowercase();
            (lower.len() >= 3)
                .then(|| MONTHS.iter().position(|m| lower.starts_with(m)))
                .flatten()
                .map(|i| i as u8 + 1)
        };
        let mut word = self.word().to_string();
        if month_of(&word).is_none() {
            // A day of the week comes first in RFC 2822 dates: `Mon, 04 Dec 2023`.
            self.eat(b',');
            self.skip_spaces();
            if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                word.clear();
            } else {
                word = self.word().to_string();
            }
        }
        let (day, month) = if word.is_empty() {
            let day = self.number(1, 2).ok_or_else(not_a_date)?;
            self.skip_spaces();
            let month = month_of(self.word()).ok_or_else(not_a_date)?;
            (day, month)
        } else {
            let month = month_of(&word).ok_or_else(not_a_date)?;
            self.skip_spaces();
            let day = self.number(1, 2).ok_or_else(not_a_date)?;
            self.eat(b',');
            (day, month)
        };
        self.skip_spaces();
        let year_digits = self.digits_ahead();
        let year = self.number(1, 4).ok_or_else(not_a_date)?;
        if year_digits != 4 {
            return Err(two_digit_year(text, year));
        }
        Ok((year as u16, month, day as u8))
    }

    /// `8:00`, `08:00:00`, `08:00:00.482`, then an optional zone: `Z`, `UTC`, `+02:00`,
    /// `-0500`. `None` when no time of day starts here.
    fn time_of_day(&mut self) -> Result<Option<Stamp>, String> {
        let start = self.at;
        let Some(hour) = self.number(1, 2) else { return Ok(None) };
        if !self.eat(b':') {
            self.at = start;
            return Ok(None);
        }
        let Some(minute) = self.number(2, 2) else {
            self.at = start;
            return Ok(None);
        };
        let mut second = 0;
        let before_seconds = self.at;
        if self.eat(b':') {
            match self.number(2, 2) {
                Some(s) => second = s,
                None => self.at = before_seconds,
            }
        }
        // Fractions of a second are dropped: casebook keeps times to the second.
        let before_fraction = self.at;
        if (self.eat(b'.') || self.eat(b',')) && self.number(1, 9).is_none() {
            self.at = before_fraction;
        }
        let shown = &self.text[start..self.at];
        if hour > 23 || minute > 59 || second > 59 {
            return Err(format!("`{shown}` is not a time of day"));
        }
        let zone = self.zone()?;
        Ok(Some(Stamp::TimeOfDay(hour as u8, minute as u8, second as u8, zone)))
    }

    /// The zone after a time, as casebook writes it: `Z` for UTC and for no zone at all.
    fn zone(&mut self) -> Result<String, String> {
        let start = self.at;
        self.skip_spaces();
        match self.peek() {
            Some(b'Z' | b'z') if !self.text[self.at + 1..].starts_with(|c: char| c.is_ascii_alphabetic()) => {
                self.at += 1;
                Ok("Z".to_string())
            }
            Some(sign @ (b'+' | b'-')) => {
                self.at += 1;
                // `+02:00`, `+0200` or `+02`.
                let offset = match self.digits_ahead() {
                    4 => self.number(4, 4).map(|hm| (hm / 100, hm % 100)),
                    2 => self.number(2, 2).map(|h| {
                        let before = self.at;
                        match self.eat(b':').then(|| self.number(2, 2)).flatten() {
                            Some(m) => (h, m),
                            None => {
                                self.at = before;
                                (h, 0)
                            }
                        }
                    }),
                    _ => None,
                };
                match offset {
                    Some((0, 0)) => Ok("Z".to_string()),
                    Some((h, m)) if h <= 23 && m <= 59 => Ok(format!("{}{h:02}:{m:02}", sign as char)),
                    _ => {
                        // Not an offset (`- back up`): the time ends before it.
                        self.at = start;
                        Ok("Z".to_string())
                    }
                }
            }
            Some(b) if b.is_ascii_alphabetic() => {
                let word = self.word().to_string();
                if matches!(word.to_ascii_uppercase().as_str(), "UTC" | "GMT") {
                    return Ok("Z".to_string());
                }
                if let Some(zone) = zone_abbreviation(&word) {
                    return Err(ambiguous_zone(&self.text[..self.at], zone));
                }
                self.at = start;
                Ok("Z".to_string())
            }
            _ => {
                self.at = start;
                Ok("Z".to_string())
            }
        }
    }
}

/// A word that looks like a time zone abbreviation (`CET`, `PST`, `AEST`): 3 to 5 capitals.
fn zone_abbreviation(word: &str) -> Option<&str> {
    let word = word.split_whitespace().next()?;
    ((3..=5).contains(&word.len()) && word.bytes().all(|b| b.is_ascii_uppercase())).then_some(word)
}

fn ambiguous_zone(text: &str, zone: &str) -> String {
    format!(
        "`{text}` is ambiguous: `{zone}` names different time zones in different places; \
         write an offset such as `+01:00`"
    )
}

fn two_digit_year(text: &str, year: u32) -> String {
    format!(
        "`{text}` is ambiguous: the year `{year:02}` could be 19{year:02} or 20{year:02}; write it in full"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_hugo_reads_is_normalised() {
        for (written, wanted) in [
            ("2023-12-04T8:00:00-00:00", "2023-12-04T08:00:00Z"),
            ("2021-05-29T22:41:00-00:00", "2021-05-29T22:41:00Z"),
            ("2024-01-12 08:05:00", "2024-01-12T08:05:00Z"),
            ("2024-01-12 08:05", "2024-01-12T08:05:00Z"),
            ("2024-01-12T08:05", "2024-01-12T08:05:00Z"),
            ("2019-10-05 16:24:00 ", "2019-10-05T16:24:00Z"),
            ("2024-12-27T09:43:40.482Z", "2024-12-27T09:43:40Z"),
            ("2024-03-02T14:00:00+01:00", "2024-03-02T14:00:00+01:00"),
            ("2024-03-02 14:00:00 +0100", "2024-03-02T14:00:00+01:00"),
            ("2024-03-02 14:00:00 -05:00", "2024-03-02T14:00:00-05:00"),
            ("2024-03-02 14:00 UTC", "2024-03-02T14:00:00Z"),
            ("2024-3-2 9:05", "2024-03-02T09:05:00Z"),
            ("2024-03-02", "2024-03-02"),
            ("2024-03", "2024-03"),
            ("2024", "2024"),
            ("04 Dec 2023", "2023-12-04"),
            ("Mon, 04 Dec 2023 08:00:00 +0000", "2023-12-04T08:00:00Z"),
            ("December 4, 2023", "2023-12-04"),
            ("24/07/2023", "2023-07-24"),
            ("7/24/2023 10:00", "2023-07-24T10:00:00Z"),
            ("2023/07/24", "2023-07-24"),
        ] {
            assert_eq!(normalize(written).as_deref(), Ok(wanted), "{written}");
        }
    }

    #[test]
    fn only_what_needs_a_guess_is_refused_with_the_reason() {
        let refused = |text: &str| normalize(text).expect_err(text);
        assert_eq!(
            refused("03/04/2023"),
            "`03/04/2023` is ambiguous: the day could be 3 or 4; write `2023-04-03` (day first) or `2023-03-04` (month first)"
        );
        assert_eq!(
            refused("24 Feb 21 12:35 +0200"),
            "`24 Feb 21 12:35 +0200` is ambiguous: the year `21` could be 1921 or 2021; write it in full"
        );
        assert!(refused("2023-12-04 08:00 CST").contains("`CST` names different time zones"));
        assert!(refused("2023-02-30 10:00").starts_with("`2023-02-30 10:00` is not a valid date-time"));
        assert_eq!(refused("2023-02-30"), "`2023-02-30` is not a valid date: February 2023 has 28 days");
        assert!(refused("2023-12-04 25:00").contains("`25:00` is not a time of day"));
        assert!(refused("yesterday").contains("is not a date"));
        assert!(refused("").contains("empty"));
        assert!(refused("2023-12-04 08:00 and then some").contains("left over"));
    }

    proptest::proptest! {
        /// Any text is read or refused, never a panic; what is read, casebook reads too.
        #[test]
        fn any_text_is_read_or_refused(text in "[0-9 :/.TZ+a-zA-Z,é-]{0,30}") {
            if let Ok(normalized) = normalize(&text) {
                proptest::prop_assert!(IncidentDate::parse(&normalized).is_ok(), "{:?} -> {:?}", text, normalized);
            }
            let _ = read(&text);
        }
    }

    #[test]
    fn stamps_are_read_at_the_start_of_text() {
        assert_eq!(
            read("2021-06-03 15:15 UTC - back up"),
            Ok((Stamp::Full("2021-06-03T15:15:00Z".into()), "2021-06-03 15:15 UTC".len()))
        );
        assert_eq!(
            read("14:20 UTC: fixed"),
            Ok((Stamp::TimeOfDay(14, 20, 0, "Z".into()), "14:20 UTC".len()))
        );
        assert_eq!(
            read("9:05 +02:00"),
            Ok((Stamp::TimeOfDay(9, 5, 0, "+02:00".into()), "9:05 +02:00".len()))
        );
        assert_eq!(read("2021-06-03: text"), Ok((Stamp::Full("2021-06-03".into()), 10)));
        assert_eq!(Stamp::TimeOfDay(14, 20, 0, "Z".into()).on("2021-06-03"), "2021-06-03T14:20:00Z");
        assert!(read("Update").is_err());
    }
}
