//! Numbers as people read them: digits grouped by three, with the language's separator.

/// `n` with a separator between each group of three digits, counted from the right.
pub fn group_digits(n: i128, separator: &str) -> String {
    let digits = n.unsigned_abs().to_string();
    let grouped = group(&digits, separator);
    if n < 0 { format!("-{grouped}") } else { grouped }
}

/// A string of digits grouped by three from the right.
pub fn group(digits: &str, separator: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * separator.len());
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped_by_three_from_the_right() {
        let cases = [
            (0, "0"),
            (7, "7"),
            (999, "999"),
            (1000, "1,000"),
            (12_500, "12,500"),
            (-1_234_567, "-1,234,567"),
        ];
        for (n, text) in cases {
            assert_eq!(group_digits(n, ","), text);
        }
        // The one value whose magnitude has no positive i128.
        assert!(group_digits(i128::MIN, ",").starts_with("-170,141,183,460,469,"));
        assert_eq!(group_digits(1_000_000, "\u{202f}"), "1\u{202f}000\u{202f}000");
    }
}
