//! The statistics page, the home page overview and the ATT&CK matrix: charts drawn at build
//! time, each with its figures as text, and only for what the site has.

use crate::common;

use common::{casebook, fixtures, read, stderr};

/// The model site built as on 1 June 2025, when its newest incidents (March 2024) are within
/// the last 24 months.
fn build() -> (tempfile::TempDir, std::path::PathBuf) {
    build_at("2025-06-01")
}

fn build_at(now: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let out = tempfile::tempdir().expect("temp dir");
    let site = out.path().join("site");
    let result = casebook(
        &fixtures().join("model-site"),
        &["build", "--output", site.to_str().expect("UTF-8"), "--now", now],
    );
    assert!(result.status.success(), "{}", stderr(&result));
    (out, site)
}

#[test]
fn statistics_are_charts_with_their_figures() {
    let (_out, site) = build();
    let page = read(&site, "stats/index.html");
    assert!(page.contains("4 incidents in all"));
    assert_eq!(
        page.matches("<svg class=\"chart chart-").count(),
        6,
        "per year, per month, severity, sector, country, techniques"
    );
    assert!(page.contains("<desc>2023: 2; 2024: 2</desc>"), "the chart states its figures");
    assert!(page.contains("<tr><th scope=\"row\"><a href=\"/archive/2024/\">2024</a></th><td>2</td></tr>"));
    assert!(
        page.contains(
            "<tr><th scope=\"row\"><a href=\"/sectors/education/\">Education</a></th><td>2</td></tr>"
        ),
        "sectors by their names in words"
    );
    assert!(
        page.contains("<desc>Severe: 1; Moderate: 1; Low: 1</desc>"),
        "the site's own scale, most severe first"
    );
    assert!(page.contains("style=\"fill: #c62828\""), "each severity in its color");
    assert!(
        page.contains("<a href=\"/severity/severe/\" aria-label=\"Severe: 1\"><title>Severe: 1</title>"),
        "bars are links to their pages"
    );
    assert!(!page.contains("Moderate: 0\"><title>"), "no link to nothing");
    assert!(!page.contains("TA0040"), "tactics are no techniques");
    assert!(page.contains("<a href=\"/matrix/\">"), "the matrix, which the site has techniques for");
    assert!(!page.contains("<script"), "no JavaScript");
}

#[test]
fn the_axis_of_years_is_continuous_and_the_months_end_at_the_build() {
    let (_out, site) = build();
    let page = read(&site, "stats/index.html");
    // The 24 months ending with June 2025, the build's month, not March 2024, the newest
    // incident's.
    assert!(page.contains("<desc>Jul 2023: 0; Aug 2023: 0;"), "{page}");
    assert!(page.contains("Mar 2024: 2;") && page.contains("May 2025: 0; Jun 2025: 0</desc>"));
    // Built three years later, none of the last 24 months has an incident: no such chart.
    let (_later, site) = build_at("2028-01-01");
    let page = read(&site, "stats/index.html");
    assert!(!page.contains("Per month, last 24 months"), "an empty chart is no chart");
    assert!(page.contains("Per year"));

    // Years without incidents are on the axis, with nothing to link to.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("content")).expect("mkdir");
    for (name, date) in [("a", "2019-05"), ("b", "2022-02-03")] {
        std::fs::write(
            dir.path().join(format!("content/{name}.md")),
            format!("---\ntitle: {name}\ndate: {date}\n---\n"),
        )
        .expect("write");
    }
    let out = dir.path().join("out");
    let result =
        casebook(dir.path(), &["build", "--output", out.to_str().expect("UTF-8"), "--now", "2022-06-01"]);
    assert!(result.status.success(), "{}", stderr(&result));
    let page = read(&out, "stats/index.html");
    assert!(page.contains("<desc>2019: 1; 2020: 0; 2021: 0; 2022: 1</desc>"), "{page}");
    assert!(
        page.contains("<tr><th scope=\"row\">2020</th><td>0</td></tr>"),
        "a year without incidents is no link"
    );
}

#[test]
fn the_home_page_shows_recent_months_and_severities() {
    let (_out, site) = build();
    let home = read(&site, "index.html");
    assert!(home.contains("Incidents per month, last 24 months"));
    assert!(
        home.contains("<li class=\"badge badge-scale\" style=\"--badge: #c62828\"><a href=\"/severity/severe/\">Severe</a> <span class=\"count\">1</span></li>"),
        "counts by severity"
    );
    assert!(
        home.contains("<li class=\"badge badge-scale\"><a href=\"/severity/moderate/\">Moderate</a> <span class=\"count\">1</span></li>"),
        "a severity without a color"
    );
    let (_later, site) = build_at("2028-01-01");
    let home = read(&site, "index.html");
    assert!(home.contains("Incidents per year"), "the years when no month is recent");
}

#[test]
fn the_matrix_puts_techniques_under_their_tactics_and_sub_techniques_under_theirs() {
    let (_out, site) = build();
    let page = read(&site, "matrix/index.html");
    let column = |name: &str| {
        let start = page.find(&format!(">{name}</h2>")).unwrap_or_else(|| panic!("no column {name}"));
        // Up to the next column, or the end of the last.
        let end = page[start..].find("class=\"matrix-column\"").map_or(page.len(), |n| start + n);
        page[start..end].to_string()
    };
    let initial = column("Initial Access");
    let parent =
        initial.find("<span>T1566 Phishing</span>").expect("the parent, which no incident cites alone");
    let child = initial
        .find("<a href=\"/techniques/t1566-001/\">T1566.001 Spearphishing Attachment</a>")
        .expect("the sub-technique");
    assert!(parent < child && initial[parent..child].contains("<ul class=\"subtechniques\">"), "{initial}");
    assert!(initial.contains("1 technique</p>"), "the count of a column says what it counts");
    assert!(column("Impact").contains("T1486 Data Encrypted for Impact"));
    assert!(column("Credential Access").contains("T1110.004 Credential Stuffing"));
    assert!(column("Exfiltration").contains("0 techniques"));
    assert!(!page.contains("TA0040 Impact</a>"), "tactics are columns, not cells");
    assert!(page.contains("class=\"matrix-frame\" role=\"region\""), "a frame that scrolls, not the page");
}

#[test]
fn technique_pages_say_what_the_technique_is() {
    let (_out, site) = build();
    let page = read(&site, "techniques/t1566-001/index.html");
    assert!(page.contains("<h1 class=\"page-title\">T1566.001 Spearphishing Attachment</h1>"));
    assert!(page.contains(
        "<dt>Sub-technique of</dt><dd><a href=\"https://attack.mitre.org/techniques/T1566/\" rel=\"external\">T1566 Phishing</a></dd>"
    ));
    assert!(page.contains("<dt>Tactic</dt><dd>Initial Access</dd>"), "{page}");
    assert!(page.contains("href=\"https://attack.mitre.org/techniques/T1566/001/\""));
}
