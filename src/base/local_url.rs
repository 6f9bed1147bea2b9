//! Relative URLs read as files: `timeline.png`, `./img/a%20b.png` or `img/../x.svg`, written
//! in a page's Markdown, name files of the folder the page is published in (a page bundle's
//! files, copied beside it). Markdown keeps URLs as written; to find the file one names, the
//! URL is cut at its query and fragment, percent-decoded and its `.` and `..` steps resolved.

use std::borrow::Cow;

/// `%XX` sequences decoded; the text as it is when it has none, or when what they decode to is
/// not UTF-8 (no file casebook publishes could then have that name).
pub fn percent_decode(text: &str) -> Cow<'_, str> {
    if !text.contains('%') {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                // Two hex digits make one byte: both are below 16.
                out.push(u8::try_from(high * 16 + low).unwrap_or(b'%'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_or(Cow::Borrowed(text), Cow::Owned)
}

/// The file a relative URL names, as a path under the page's folder with `/` separators
/// (`img/a b.png`); `None` for a URL with a scheme, from the site's root (`/x`), to another host
/// (`//host/x`), one leading out of the folder (`../x.png`), or one naming the folder itself.
pub fn local_file(url: &str) -> Option<String> {
    let url = url.trim();
    let first = url.split(['/', '?', '#']).next().unwrap_or_default();
    if url.starts_with('/') || first.contains(':') {
        return None;
    }
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let decoded = percent_decode(path);
    let mut steps: Vec<&str> = Vec::new();
    for step in decoded.split('/') {
        match step {
            "" | "." => {}
            ".." => {
                steps.pop()?;
            }
            step => steps.push(step),
        }
    }
    // `img/` names a folder, never a file.
    if steps.is_empty() || decoded.ends_with('/') {
        return None;
    }
    Some(steps.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_sequences_are_decoded_when_they_make_text() {
        assert_eq!(percent_decode("a%20b%C3%A9"), "a bé");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%ff"), "%ff", "not UTF-8: kept as written");
    }

    #[test]
    fn relative_urls_name_files_of_the_folder() {
        assert_eq!(local_file("timeline.png").as_deref(), Some("timeline.png"));
        assert_eq!(local_file("./img/a%20b.png?v=2#x").as_deref(), Some("img/a b.png"));
        assert_eq!(local_file("img/../diagram.svg").as_deref(), Some("diagram.svg"));
        for other in [
            "../x.png",
            "/incidents/x/a.png",
            "//cdn.example/a.png",
            "https://e.example/a.png",
            "#top",
            "img/",
            "",
            "mailto:a@b.example",
        ] {
            assert_eq!(local_file(other), None, "{other}");
        }
    }
}
