//! "Did you mean …?" suggestions for misspelt names.

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo
/// (at most a third of the word's length, and at least one edit allowed).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let length = word.chars().count();
    let limit = (length / 3).max(1);
    candidates
        .into_iter()
        // The distance is at least the difference in length: skip hopeless candidates cheaply.
        .filter(|c| c.chars().count().abs_diff(length) <= limit)
        .map(|c| (edit_distance(word, c), c))
        .filter(|&(d, _)| d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Levenshtein distance, counting an adjacent swap (`tilte`) as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2 = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: [&str; 5] = ["title", "date", "tags", "summary", "updated"];

    #[test]
    fn suggests_close_keys() {
        assert_eq!(closest("tittle", KEYS), Some("title"));
        assert_eq!(closest("tilte", KEYS), Some("title"));
        assert_eq!(closest("tag", KEYS), Some("tags"));
        assert_eq!(closest("sumary", KEYS), Some("summary"));
    }

    #[test]
    fn stays_quiet_when_nothing_is_close() {
        assert_eq!(closest("severity", KEYS), None);
        assert_eq!(closest("x", KEYS), None);
    }
}
