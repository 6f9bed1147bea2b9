//! Indicators of compromise: checking them, and defanging them for display.
//!
//! A page that shows `http://evil.example` as text invites a click, and some readers and mail
//! clients turn it into a link by themselves. Pages therefore always show indicators defanged
//! (`hxxp://evil[.]example`); data exports keep them as written, for tools to use.

use std::net::IpAddr;

use serde::Serialize;

/// What an indicator is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IocKind {
    /// `https://evil.example/path`
    Url,
    /// `evil.example`
    Domain,
    /// `203.0.113.5` or `2001:db8::1`
    Ip,
    /// MD5, SHA-1, SHA-256 or SHA-512, in hex.
    Hash,
    /// `phisher@evil.example`
    Email,
}

impl IocKind {
    /// The kinds, as written in front matter.
    pub const NAMES: [&'static str; 5] = ["url", "domain", "ip", "hash", "email"];

    /// The kind as written in front matter.
    pub fn name(self) -> &'static str {
        match self {
            IocKind::Url => "url",
            IocKind::Domain => "domain",
            IocKind::Ip => "ip",
            IocKind::Hash => "hash",
            IocKind::Email => "email",
        }
    }

    /// Parses a kind name.
    pub fn parse(text: &str) -> Option<IocKind> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "url" => IocKind::Url,
            "domain" => IocKind::Domain,
            "ip" => IocKind::Ip,
            "hash" => IocKind::Hash,
            "email" => IocKind::Email,
            _ => return None,
        })
    }

    /// Checks that `value` is an indicator of this kind; the error says why not.
    pub fn check(self, value: &str) -> Result<(), String> {
        let ok = match self {
            IocKind::Url => value.split_once("://").is_some_and(|(scheme, rest)| {
                !scheme.is_empty() && scheme.bytes().all(|b| b.is_ascii_alphanumeric()) && !rest.is_empty()
            }),
            IocKind::Domain => is_domain(value),
            IocKind::Ip => value.parse::<IpAddr>().is_ok(),
            IocKind::Hash => {
                matches!(value.len(), 32 | 40 | 64 | 128) && value.bytes().all(|b| b.is_ascii_hexdigit())
            }
            IocKind::Email => {
                value.split_once('@').is_some_and(|(user, host)| !user.is_empty() && is_domain(host))
            }
        };
        if ok {
            Ok(())
        } else {
            let expected = match self {
                IocKind::Url => "a URL like `https://evil.example/path`",
                IocKind::Domain => "a domain name like `evil.example`",
                IocKind::Ip => "an IPv4 or IPv6 address",
                IocKind::Hash => "an MD5, SHA-1, SHA-256 or SHA-512 hash in hex",
                IocKind::Email => "an email address",
            };
            Err(format!("`{value}` is not {expected}"))
        }
    }
}

fn is_domain(text: &str) -> bool {
    let labels: Vec<&str> = text.trim_end_matches('.').split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        })
}

/// The indicator made safe to show: `http` becomes `hxxp`, dots become `[.]`, `@` becomes
/// `[@]`, and IPv6 colons become `[:]`. Hashes are left alone.
pub fn defang(kind: IocKind, value: &str) -> String {
    match kind {
        IocKind::Hash => value.to_string(),
        IocKind::Url => {
            let (scheme, rest) = value.split_once("://").unwrap_or(("", value));
            let scheme = scheme.replacen("http", "hxxp", 1).replacen("ftp", "fxp", 1);
            format!("{scheme}://{}", rest.replace('.', "[.]"))
        }
        IocKind::Ip if value.contains(':') => value.replace(':', "[:]"),
        IocKind::Domain | IocKind::Ip => value.replace('.', "[.]"),
        IocKind::Email => value.replace('@', "[@]").replace('.', "[.]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defangs_every_kind() {
        assert_eq!(defang(IocKind::Url, "https://evil.example/a.php"), "hxxps://evil[.]example/a[.]php");
        assert_eq!(defang(IocKind::Domain, "evil.example"), "evil[.]example");
        assert_eq!(defang(IocKind::Ip, "203.0.113.5"), "203[.]0[.]113[.]5");
        assert_eq!(defang(IocKind::Ip, "2001:db8::1"), "2001[:]db8[:][:]1");
        assert_eq!(defang(IocKind::Email, "a.b@evil.example"), "a[.]b[@]evil[.]example");
        let hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(defang(IocKind::Hash, hash), hash);
    }

    #[test]
    fn checks_values_against_their_kind() {
        assert!(IocKind::Url.check("hxxp//nope").is_err());
        assert!(IocKind::Domain.check("evil.example").is_ok());
        assert!(IocKind::Domain.check("not a domain").is_err());
        assert!(IocKind::Ip.check("203.0.113.300").is_err());
        assert!(IocKind::Hash.check("abc").is_err());
        assert!(IocKind::Hash.check(&"a".repeat(64)).is_ok());
        assert!(IocKind::Email.check("x@evil.example").is_ok());
        assert_eq!(
            IocKind::Email.check("evil.example").expect_err("no @"),
            "`evil.example` is not an email address"
        );
        assert_eq!(IocKind::parse("URL"), Some(IocKind::Url));
        assert_eq!(IocKind::parse("file"), None);
    }
}
