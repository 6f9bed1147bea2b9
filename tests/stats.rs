//! The statistics page, the home page overview and the ATT&CK matrix: charts drawn at build
//! time, each with its figures as text.

use crate::common;

use common::{casebook, fixtures, read, stderr};

fn build() -> (tempfile::TempDir, std::path::PathBuf) {
    let out = tempfile::tempdir().expect("temp dir");
    let site = out.path().join("site");
    let result =
        casebook(&fixtures().join("model-site"), &["build", "--output", site.to_str().expect("UTF-8")]);
    assert!(result.status.success(), "{}", stderr(&result));
    (out, site)
}

#[test]
fn statistics_are_charts_with_their_figures() {
    let (_out, site) = build();
    let page = read(&site, "stats/index.html");
    assert!(page.contains("4 incidents in all"));
    assert_eq!(
        page.matches("<svg class=\"chart\"").count(),
        6,
        "per year, per month, severity, sector, country, techniques"
    );
    assert!(page.contains("<desc>2023: 2; 2024: 2</desc>"), "the chart states its figures");
    assert!(page.contains("<tr><th scope=\"row\"><a href=\"/archive/2024/\">2024</a></th><td>2</td></tr>"));
    assert!(
        page.contains(
            "<tr><th scope=\"row\"><a href=\"/sectors/education/\">education</a></th><td>2</td></tr>"
        )
    );
    assert!(
        page.contains("<desc>Severe: 1; Moderate: 1; Low: 1</desc>"),
        "the site's own scale, most severe first"
    );
    assert!(!page.contains("<script"), "no JavaScript");
}

#[test]
fn the_home_page_shows_recent_months_and_severities() {
    let (_out, site) = build();
    let home = read(&site, "index.html");
    assert!(home.contains("Incidents per month, last 24 months"));
    assert!(home.contains("<li><a href=\"/severity/severe/\">Severe</a>: 1</li>"), "counts by severity");
}

#[test]
fn the_matrix_puts_techniques_under_their_tactics() {
    let (_out, site) = build();
    let page = read(&site, "matrix/index.html");
    let column = |name: &str| {
        let start = page.find(&format!(">{name} <span")).unwrap_or_else(|| panic!("no column {name}"));
        // Up to the next column, or the end of the last.
        let end = page[start..].find("class=\"matrix-column\"").map_or(page.len(), |n| start + n);
        page[start..end].to_string()
    };
    assert!(
        column("Initial Access")
            .contains("<a href=\"/techniques/t1566-001/\">T1566.001 Spearphishing Attachment</a>")
    );
    assert!(column("Impact").contains("T1486 Data Encrypted for Impact"));
    assert!(column("Credential Access").contains("T1110.004 Credential Stuffing"));
    assert!(column("Exfiltration").contains("None"));
    assert!(!page.contains("TA0040 Impact</a>"), "tactics are columns, not cells");
}
