//! Escaping text for markup that casebook writes itself (feeds, the sitemap, redirect pages,
//! heading ids), outside the template engine's own autoescaping.

/// Escapes text for XML or HTML content and attributes: `&`, `<`, `>` and both quotes; drops
/// the control characters XML 1.0 forbids.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_xml_escaped(&mut out, text);
    out
}

/// [`xml_escape`], appending to `out`.
pub fn push_xml_escaped(out: &mut String, text: &str) {
    // Every character to replace or drop is ASCII, so the text between two of them is copied
    // as one slice, and cutting at them never splits a character. Feeds escape every
    // incident's body: this runs over megabytes.
    let bytes = text.as_bytes();
    let mut copied = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let replacement = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&apos;",
            // Control characters other than tab and line breaks are not allowed in XML 1.0.
            0..0x20 if !matches!(b, b'\t' | b'\n' | b'\r') => "",
            _ => continue,
        };
        out.push_str(&text[copied..i]);
        out.push_str(replacement);
        copied = i + 1;
    }
    out.push_str(&text[copied..]);
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
    }

    proptest::proptest! {
        /// The slice-copying escape agrees with the obvious character-by-character one.
        #[test]
        fn escaping_matches_the_character_by_character_definition(text in "\\PC*|[<>&\"'\u{0}-\u{1f}a-zé]*") {
            let mut expected = String::new();
            for c in text.chars() {
                match c {
                    '&' => expected.push_str("&amp;"),
                    '<' => expected.push_str("&lt;"),
                    '>' => expected.push_str("&gt;"),
                    '"' => expected.push_str("&quot;"),
                    '\'' => expected.push_str("&apos;"),
                    c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
                    c => expected.push(c),
                }
            }
            proptest::prop_assert_eq!(xml_escape(&text), expected);
        }
    }
}
