//! Turning titles, file names and tag names into URL path segments.

/// A URL-safe slug: ASCII lowercase letters, digits and single dashes.
///
/// Non-ASCII letters are transliterated (`Angoulême` becomes `angouleme`), because readers
/// type and share these URLs and percent-encoded paths are easy to break. Returns an empty string
/// when nothing usable is left (a title made only of punctuation, say); callers decide what that
/// means.
pub fn slugify(text: &str) -> String {
    slug::slugify(text)
}

/// Whether `text` is already a slug as [`slugify`] makes them. User-written `slug:` values must
/// be, so they can never carry `/`, `..` or anything else that would move a page elsewhere.
pub fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !text.starts_with('-')
        && !text.ends_with('-')
        && !text.contains("--")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliterates_and_lowercases() {
        assert_eq!(slugify("Angoulême"), "angouleme");
        assert_eq!(slugify("Cyber-attack at Łódź: 2023!"), "cyber-attack-at-lodz-2023");
        assert_eq!(slugify("  Ransomware   "), "ransomware");
        assert_eq!(slugify("ユニコード"), "yunikodo");
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn slugs_are_idempotent() {
        for text in ["Hôpital Saint-Éloi", "a/b/../c", "Data Leak (2024)"] {
            let once = slugify(text);
            assert_eq!(slugify(&once), once);
            assert!(is_slug(&once), "{once}");
        }
    }

    #[test]
    fn rejects_path_like_slugs() {
        for bad in ["../../etc", "a/b", "", "-a", "a--b", "Upper", "a.b"] {
            assert!(!is_slug(bad), "{bad}");
        }
    }
}
