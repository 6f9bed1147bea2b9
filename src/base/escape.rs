//! Escaping text for markup that casebook writes itself (feeds, the sitemap, redirect pages,
//! heading ids), outside the template engine's own autoescaping.

/// Escapes text for XML or HTML content and attributes: `&`, `<`, `>` and both quotes; drops
/// the characters XML 1.0 forbids (control characters, U+FFFE and U+FFFF), which would make a
/// feed unreadable to a strict parser.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_xml_escaped(&mut out, text);
    out
}

/// [`xml_escape`], appending to `out`.
pub fn push_xml_escaped(out: &mut String, text: &str) {
    // Both non-characters are encoded as EF BF BE/BF. Looking for the byte first keeps the
    // character search off nearly every text (it runs over every incident's body).
    if text.as_bytes().contains(&0xEF) && text.contains(['\u{FFFE}', '\u{FFFF}']) {
        let kept: String = text.chars().filter(|c| !matches!(c, '\u{FFFE}' | '\u{FFFF}')).collect();
        push_markup_escaped(out, &kept);
    } else {
        push_markup_escaped(out, text);
    }
}

/// [`push_xml_escaped`] for text without U+FFFE and U+FFFF.
fn push_markup_escaped(out: &mut String, text: &str) {
    // Every character to replace or drop is ASCII, so the text between two of them is copied
    // as one slice, and cutting at them never splits a character. Feeds escape every
    // incident's body: this runs over megabytes, so the text is searched eight bytes at a time.
    let bytes = text.as_bytes();
    out.reserve(text.len());
    let mut copied = 0;
    let mut escape = |out: &mut String, at: usize| {
        if let Some(replacement) = replacement(bytes[at]) {
            out.push_str(&text[copied..at]);
            out.push_str(replacement);
            copied = at + 1;
        }
    };
    let mut i = 0;
    while let Some(word) = bytes.get(i..i + 8) {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(word);
        match candidates(u64::from_le_bytes(eight)) {
            0 => i += 8,
            found => {
                // The lowest flag is exact (see `candidates`): the first byte to look at.
                let at = i + found.trailing_zeros() as usize / 8;
                escape(out, at);
                i = at + 1;
            }
        }
    }
    (i..bytes.len()).for_each(|at| escape(out, at));
    out.push_str(&text[copied..]);
}

/// What byte `b` becomes in XML, when it is not copied as it is.
fn replacement(b: u8) -> Option<&'static str> {
    Some(match b {
        b'&' => "&amp;",
        b'<' => "&lt;",
        b'>' => "&gt;",
        b'"' => "&quot;",
        b'\'' => "&apos;",
        // Control characters other than tab and line breaks are not allowed in XML 1.0.
        0..0x20 if !matches!(b, b'\t' | b'\n' | b'\r') => "",
        _ => return None,
    })
}

/// Flags (the high bit of each byte, little-endian) the bytes of a word that may need
/// [`replacement`]: the five markup characters and every byte below 0x20, tab and line breaks
/// included. A byte above a flagged one may be flagged wrongly, but the lowest flag is always
/// right, and a word without flags needs nothing.
fn candidates(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // "Some byte is below n" (n at most 0x80) and "some byte is zero": a byte that borrows
    // sets its high bit, and the lowest one to borrow is a byte that matched.
    let below = |n: u64| word.wrapping_sub(ONES * n) & !word & HIGH;
    let equal = |c: u8| {
        let x = word ^ (ONES * u64::from(c));
        x.wrapping_sub(ONES) & !x & HIGH
    };
    below(0x20) | equal(b'&') | equal(b'<') | equal(b'>') | equal(b'"') | equal(b'\'')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping_covers_markup_quotes_and_control_characters() {
        assert_eq!(
            xml_escape("<a href=\"x\">Tom & 'Jerry'</a>\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;"
        );
        assert_eq!(xml_escape("é<ü>\u{7f}\u{0}x\r\n\t"), "é&lt;ü&gt;\u{7f}x\r\n\t");
        assert_eq!(xml_escape(""), "");
        // Not XML characters either; the full-width forms sharing their first byte are.
        assert_eq!(xml_escape("a\u{FFFE}b\u{FFFF}c\u{FF01}\u{FFFD}"), "abc\u{FF01}\u{FFFD}");
    }

    #[test]
    fn the_lowest_candidate_of_a_word_is_its_first_byte_to_look_at() {
        let first = |bytes: &[u8; 8]| match candidates(u64::from_le_bytes(*bytes)) {
            0 => None,
            found => Some(found.trailing_zeros() / 8),
        };
        assert_eq!(first(b"plain te"), None);
        assert_eq!(first(&[0x20, 0x7f, 0x80, 0xff, b'a', b'=', b'?', b'~']), None);
        for b in 0..=255u8 {
            let wanted = b < 0x20 || b"&<>\"'".contains(&b);
            for at in 0..8 {
                let mut bytes = *b"abcdefgh";
                bytes[at] = b;
                assert_eq!(first(&bytes), wanted.then_some(at as u32), "byte {b:#x} at {at}");
                // Bytes after it, matching or not, do not move the first.
                bytes[7] = b'<';
                let expected = if wanted { Some(at as u32) } else { Some(7) };
                assert_eq!(first(&bytes), expected, "byte {b:#x} at {at}, then <");
            }
        }
    }

    proptest::proptest! {
        /// The slice-copying escape agrees with the obvious character-by-character one.
        #[test]
        fn escaping_matches_the_character_by_character_definition(
            text in "\\PC*|[<>&\"'\u{0}-\u{1f}a-zé\u{FFFE}\u{FFFF}\u{FF01}]*|([a-zé ]{0,20}[<>&\"'\n\u{1}]){0,8}[a-z]{0,9}"
        ) {
            let mut expected = String::new();
            for c in text.chars() {
                match c {
                    '&' => expected.push_str("&amp;"),
                    '<' => expected.push_str("&lt;"),
                    '>' => expected.push_str("&gt;"),
                    '"' => expected.push_str("&quot;"),
                    '\'' => expected.push_str("&apos;"),
                    c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
                    '\u{FFFE}' | '\u{FFFF}' => {}
                    c => expected.push(c),
                }
            }
            proptest::prop_assert_eq!(xml_escape(&text), expected);
        }
    }
}
