//! `aliases:`: old addresses of an incident keep working, as redirect pages.

use crate::common;

use common::{casebook, fixtures, read, stderr};

#[test]
fn old_addresses_redirect_to_the_incident() {
    let out = tempfile::tempdir().expect("temp dir");
    let site = out.path().join("site");
    let args =
        ["build", "--base-url", "https://incidents.example.org/", "--output", site.to_str().expect("UTF-8")];
    let result = casebook(&fixtures().join("model-site"), &args);
    assert!(result.status.success(), "{}", stderr(&result));
    for old in ["2024/03/riverside-ransomware/index.html", "old-riverside.html"] {
        let page = read(&site, old);
        assert!(
            page.contains("<meta http-equiv=\"refresh\" content=\"0; url=/incidents/complete/\">"),
            "{old}"
        );
        assert!(
            page.contains(
                "<link rel=\"canonical\" href=\"https://incidents.example.org/incidents/complete/\">"
            )
        );
        assert!(page.contains("<meta name=\"robots\" content=\"noindex\">"));
    }
    assert!(!read(&site, "sitemap.xml").contains("riverside-ransomware"), "redirects are not pages to index");
}
