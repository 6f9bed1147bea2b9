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

/// An identifier written for machines shown for people: `local-government` as
/// `Local government`, `nation_state` as `Nation state`. Text that is not such an identifier
/// (`Ville d'Angoulême`, `NHS`, `cloud provider`) is kept as written.
pub fn humanize(key: &str) -> String {
    let identifier = key.bytes().any(|b| b.is_ascii_lowercase())
        && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !identifier {
        return key.to_string();
    }
    let words = key.replace(['-', '_'], " ");
    let mut chars = words.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// The longest a step of an output path casebook writes may be, in bytes: a slug, a term's
/// URL segment, each part of an alias.
///
/// File systems refuse names over 255 bytes (ext4, XFS, Btrfs, APFS; NTFS counts 255 UTF-16
/// units), and a build writes names a little longer than the step itself: `casebook watch`
/// replaces a file through `.<name>.casebook-tmp` beside it (14 bytes more, for an alias
/// written as a file such as `old-name.html`). 200 leaves room for those with a margin, and is
/// far beyond any address people share. Longer, a build failed with "File name too long",
/// naming no source; now the front matter value is the error.
pub const MAX_SEGMENT_BYTES: usize = 200;

/// The first step of the `/`-separated `path` longer than [`MAX_SEGMENT_BYTES`].
pub fn overlong_segment(path: &str) -> Option<&str> {
    path.split('/').find(|segment| segment.len() > MAX_SEGMENT_BYTES)
}

/// Why a value that makes the output path step `segment` cannot be written: a sentence for
/// an error message, quoting the start of `value`.
pub fn too_long(value: &str, segment: &str) -> String {
    let shown: String = value.chars().take(32).collect();
    let more = if shown.len() < value.len() { "…" } else { "" };
    format!(
        "`{shown}{more}` is too long for an address: it makes a URL segment of {} bytes, and at most {MAX_SEGMENT_BYTES} \
         can be written as a file name",
        segment.len()
    )
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
    fn identifiers_read_as_words() {
        assert_eq!(humanize("local-government"), "Local government");
        assert_eq!(humanize("nation_state"), "Nation state");
        assert_eq!(humanize("health"), "Health");
        for kept in ["Ville d'Angoulême", "NHS", "cloud provider", "Local government", "42"] {
            assert_eq!(humanize(kept), kept);
        }
    }

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
    fn overlong_segments_are_found_and_described() {
        let long = "a".repeat(MAX_SEGMENT_BYTES + 1);
        assert_eq!(overlong_segment(&format!("2023/{long}/")), Some(long.as_str()));
        assert_eq!(overlong_segment(&"a".repeat(MAX_SEGMENT_BYTES)), None);
        assert_eq!(
            too_long(&"é".repeat(300), &long),
            format!(
                "`{}…` is too long for an address: it makes a URL segment of 201 bytes, and at most 200 can be \
                 written as a file name",
                "é".repeat(32)
            )
        );
    }

    #[test]
    fn rejects_path_like_slugs() {
        for bad in ["../../etc", "a/b", "", "-a", "a--b", "Upper", "a.b"] {
            assert!(!is_slug(bad), "{bad}");
        }
    }
}
