//! `casebook import`: each format's fixture imports into incident files that build into a
//! working site, re-running changes nothing, and the report says what happened to each field.

use crate::common;

use std::path::Path;

use common::{casebook, files, fixtures, read, stderr};

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("content")).expect("mkdir");
    dir
}

fn import(root: &Path, args: &[&str]) -> String {
    let result = casebook(root, args);
    assert!(result.status.success(), "import failed:\n{}", stderr(&result));
    stderr(&result)
}

fn builds(root: &Path) {
    let result = casebook(root, &["build"]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(!stderr(&result).contains("warning"), "{}", stderr(&result));
}

/// Every file under `dir`, with its text.
fn tree(dir: &Path) -> Vec<(String, String)> {
    files(dir).into_iter().map(|f| (f.clone(), read(dir, &f))).collect()
}

/// The issues of the fixture's cState site: both ways of writing updates, labelled updates,
/// an informational post, planned maintenance, Hugo's odd dates, and two that cannot be taken.
fn cstate_issues() -> String {
    fixtures().join("import/cstate/content/issues").to_str().expect("UTF-8").to_string()
}

/// Updates written after their text (cState's README), newest first, with a commented-out one.
const API_ERRORS: &str = "---
title: API errors for some customers
date: 2023-12-04T08:00:00Z
kind: outage
status: resolved
resolved_at: 2023-12-04T09:30:00Z
severity: medium
timeline:
- at: 2023-12-04T08:05:00Z
  event: '*Investigating* - Some API calls fail with 502 errors.'
- at: 2023-12-04T08:40:00Z
  event: '*Identified* - A routing change sent requests to retired servers.'
- at: 2023-12-04T09:30:00Z
  event: |-
    *Resolved* -
    The old pool is out of the load balancer and errors stopped.
tags:
- API
aliases:
- /issues/2023-12-04-api-errors/
extra:
  affected:
  - API
---
*Post-mortem*

A configuration change sent part of the API traffic to a pool that had been retired.
";

/// Labelled updates: `**[Final Message]**` and `[Initial Message]` dated by the issue, an
/// `**Update:**` with its time, an `[edit]` with none, kept in the body.
const DIRECTORY_DOWN: &str = "---
title: Directory server down
date: 2022-09-14T09:00:00Z
kind: outage
status: resolved
resolved_at: 2022-09-14T12:30:00Z
severity: high
timeline:
- at: 2022-09-14T09:00:00Z
  event: The directory server rejects every sign-in since its root certificate expired.
- at: 2022-09-14T11:00:00Z
  event: A new certificate is being issued.
- at: 2022-09-14T12:30:00Z
  event: |-
    The expired root certificate was replaced; every service signs in again.

    - mail was back at 12:20 UTC
    - the portal was back at 12:30 UTC
tags:
- Directory
aliases:
- /issues/2022-09-14-directory-down/
extra:
  affected:
  - Directory
---
[OPS-2291](https://tickets.example.net/OPS-2291)

**Edit:**
The follow-up is tracked in the ticket above.
";

#[test]
fn a_cstate_site_imports_with_its_updates_kinds_and_old_addresses() {
    let dir = site();
    let source = cstate_issues();
    let result = casebook(dir.path(), &["import", "cstate", &source]);
    assert_eq!(result.status.code(), Some(1), "two issues are refused:\n{}", stderr(&result));
    let report = stderr(&result);
    for expected in [
        // Both ways cState writes updates, each attached to its own text.
        "moved 3 `track` updates (written before their text) into timeline entries",
        "moved 3 `track` updates (written after their text) into timeline entries",
        "moved 2 `track` updates (written after their text) into timeline entries",
        "removed 1 HTML comment (Hugo never shows them)",
        "removed the Hugo shortcode `{{< figure src=\"/images/agents-queue.png\" >}}`",
        // Labelled updates: dated by their label, or by the issue for the first and last.
        "dated the `Final Message` update by `resolvedWhen`",
        "dated the `Initial Message` update by `date`",
        "moved 3 labelled updates into timeline entries",
        "kept 1 labelled update without a known time in the body: `edit`",
        "mapped `informational: true` to `kind: notice`",
        "set `kind: maintenance` (the title or file name says maintenance)",
        "kept the old address as alias: /issues/2023-12-04-api-errors/",
        "kept the old addresses as alias: /issues/agents-down/, /2021/05/agents/",
        "took the summary from the first update (the body has no text of its own)",
        "skipped `section`",
        "kept under extra: `pin` (1 file)\n",
    ] {
        assert!(report.contains(expected), "missing {expected:?} in\n{report}");
    }
    // The default taxonomies give victims pages: nothing to hint at.
    assert!(!report.contains("no pages for victims"), "{report}");
    // The refused ones come last, with their reasons, then the counts.
    assert!(
        report.ends_with(&format!(
            "refused 2 files:\n  no `date` (looked for `date`) in 1 file:\n    {source}/2024-02-20-intermittent-timeouts.md\n  \
             {source}/2022-06-30-mirror-sync.md: `date`: `03/04/2022 10:00` is ambiguous: the day could be 3 or 4; \
             write `2022-04-03` (day first) or `2022-03-04` (month first)\n\
             Imported 7, refused 2, kept 0 existing\n\
             error: 2 sources could not be imported\ncasebook: import failed\n"
        )),
        "{report}"
    );
    let content = dir.path().join("content");
    assert_eq!(
        files(&content),
        [
            "2021-05-29-build-agents-not-starting.md",
            "2022-09-14-directory-server-down.md",
            "2023-10-02-our-new-status-page.md",
            "2023-11-20-scheduled-maintenance-of-the-database-cluster.md",
            "2023-12-04-api-errors-for-some-customers.md",
            "2024-01-12-customer-login-unavailable.md",
            "2024-03-02-slow-card-payments.md",
        ]
    );
    assert_eq!(read(&content, "2023-12-04-api-errors-for-some-customers.md"), API_ERRORS);
    assert_eq!(read(&content, "2022-09-14-directory-server-down.md"), DIRECTORY_DOWN);
    assert_eq!(
        read(&content, "2023-10-02-our-new-status-page.md"),
        "---\ntitle: Our new status page\ndate: 2023-10-02T12:00:00Z\nkind: notice\naliases:\n- \
         /issues/2023-10-02-new-status-page/\nextra:\n  pin: true\n---\nThis is our new status page. Subscribe to \
         its feed to hear about incidents and maintenance.\n",
        "informational: a notice, with no status to resolve"
    );
    let maintenance = read(&content, "2023-11-20-scheduled-maintenance-of-the-database-cluster.md");
    for expected in [
        "date: 2023-11-20T22:00:00Z\nkind: maintenance\nsummary: '**Maintenance started**: The cluster is read-only \
         while the nodes are upgraded.'\n",
        "resolved_at: 2023-11-21T01:15:00Z\n",
        "- at: 2023-11-21T01:15:00Z\n  event: |-\n    **Maintenance complete**:\n    All nodes run the new version and \
         writes are back.\n",
    ] {
        assert!(maintenance.contains(expected), "missing {expected:?} in\n{maintenance}");
    }
    let agents = read(&content, "2021-05-29-build-agents-not-starting.md");
    assert!(agents.contains("aliases:\n- /issues/agents-down/\n- /2021/05/agents/\n"), "{agents}");
    assert!(
        agents.contains(
            "- at: 2021-05-29T22:41:00Z\n  event: We are looking into agents that never come online.\n"
        ),
        "{agents}"
    );
    assert!(agents.ends_with("---\nA plugin upgrade stopped new build agents from starting.\n"), "{agents}");
    let login = read(&content, "2024-01-12-customer-login-unavailable.md");
    for expected in [
        "title: Customer login unavailable",
        "date: 2024-01-12T08:05:00Z",
        "status: resolved",
        "resolved_at: 2024-01-12T11:40:00Z",
        "severity: high",
        "- at: 2024-01-12T09:45:00Z\n  event: The identity provider's certificate had expired; a new one is being deployed.",
    ] {
        assert!(login.contains(expected), "missing {expected:?} in\n{login}");
    }
    // Each update is in the timeline only: kept in the body too, the page showed it twice.
    assert_eq!(login.matches("a new one is being deployed").count(), 1, "{login}");
    assert!(login.ends_with("---\nCustomers could not sign in to the portal or the app.\n"), "{login}");
    assert!(read(&content, "2024-03-02-slow-card-payments.md").contains("status: ongoing"));
    for (file, text) in tree(&content) {
        assert!(!text.contains("{{"), "a shortcode is left in {file}:\n{text}");
        assert!(
            !text.contains("[Final") && !text.contains("[Initial"),
            "a raw label is left in {file}:\n{text}"
        );
    }

    // The imported site publishes: timelines on the pages, the old addresses redirecting.
    builds(dir.path());
    let public = dir.path().join("public");
    let page = read(&public, "incidents/2023-12-04-api-errors-for-some-customers/index.html");
    assert!(
        page.contains(
            "<span class=\"event\"><em>Identified</em> - A routing change sent requests to retired servers.</span>"
        ),
        "{page}"
    );
    let page = read(&public, "incidents/2022-09-14-directory-server-down/index.html");
    assert!(page.contains("<li>the portal was back at 12:30 UTC</li>"), "a list in an update stays a list");
    for (old, slug) in [
        ("issues/2023-12-04-api-errors", "2023-12-04-api-errors-for-some-customers"),
        ("issues/agents-down", "2021-05-29-build-agents-not-starting"),
        ("2021/05/agents", "2021-05-29-build-agents-not-starting"),
    ] {
        let redirect = read(&public, &format!("{old}/index.html"));
        assert!(redirect.contains(&format!("url=/incidents/{slug}/\"")), "{old}: {redirect}");
    }
    let maintenance =
        read(&public, "incidents/2023-11-20-scheduled-maintenance-of-the-database-cluster/index.html");
    assert!(
        maintenance.contains("<span class=\"badge badge-kind badge-kind-maintenance\">Maintenance</span>")
    );
    let notice = read(&public, "incidents/2023-10-02-our-new-status-page/index.html");
    assert!(notice.contains("<span class=\"badge badge-kind badge-kind-notice\">Notice</span>"));
    let data: serde_json::Value = serde_json::from_str(&read(&public, "api/incidents.json")).expect("JSON");
    for incident in data["incidents"].as_array().expect("incidents") {
        let summary = incident["summary"].as_str().expect("summary");
        assert!(!summary.starts_with('[') && !summary.contains("{{"), "summary: {summary}");
    }
    for file in files(&public) {
        let text = String::from_utf8_lossy(&std::fs::read(public.join(&file)).expect("read")).into_owned();
        assert!(!text.contains("{{&lt;") && !text.contains("{{<"), "a shortcode is left in {file}");
    }

    // Again: the same files, kept.
    let first = tree(&content);
    let again = casebook(dir.path(), &["import", "cstate", &source]);
    assert!(stderr(&again).contains("Imported 0, refused 2, kept 7 existing\n"), "{}", stderr(&again));
    assert_eq!(tree(&content), first);
}

#[test]
fn a_dry_run_prints_what_would_be_written_and_writes_nothing() {
    let dir = site();
    let result = casebook(dir.path(), &["import", "cstate", &cstate_issues(), "--dry-run"]);
    assert_eq!(result.status.code(), Some(1), "refusals still fail the run");
    let out = String::from_utf8_lossy(&result.stdout).into_owned();
    assert!(
        out.contains(&format!("==> content/2022-09-14-directory-server-down.md <==\n{DIRECTORY_DOWN}\n")),
        "{out}"
    );
    assert_eq!(out.matches("==> ").count(), 7, "{out}");
    let report = stderr(&result);
    assert!(
        report.contains("-> would write content/2023-12-04-api-errors-for-some-customers.md\n"),
        "{report}"
    );
    assert!(report.contains("is ambiguous: the day could be 3 or 4"), "{report}");
    assert!(
        report.contains("Dry run: would import 7, refused 2, kept 0 existing; nothing was written\n"),
        "{report}"
    );
    assert_eq!(files(&dir.path().join("content")), Vec::<String>::new());
}

#[test]
fn a_malformed_date_is_a_refused_file_not_a_panic() {
    let dir = site();
    let source = dir.path().join("issue.md");
    std::fs::write(&source, "---\ntitle: Broken\ndate: \"2024-01-1éé 10:00\"\n---\nText.\n").expect("write");
    let result = casebook(dir.path(), &["import", "cstate", source.to_str().expect("UTF-8")]);
    let report = stderr(&result);
    assert!(!report.contains("panicked"), "{report}");
    assert!(report.contains("issue.md: `date`: `2024-01-1éé 10:00` is not a date"), "{report}");
    assert_eq!(files(&dir.path().join("content")), Vec::<String>::new());
}

/// A collection of post-mortems: `url`, `archive_url`, `company`, `start_time`, `end_time`,
/// `source_published_at`, files without a title (one with a heading, one without), files
/// without any date, an ambiguous date, and the collection's README.
fn postmortems() -> String {
    fixtures().join("import/postmortems").to_str().expect("UTF-8").to_string()
}

const POSTMORTEM_MAP: [&str; 14] = [
    "--map",
    "start_time,source_published_at=date",
    "--map",
    "end_time=resolved_at",
    "--map",
    "url=sources",
    "--map",
    "archive_url=sources.archived_url",
    "--map",
    "company=victim.name",
    "--map",
    "categories=tags",
    "--title-from",
    "heading,filename",
];

#[test]
fn post_mortems_keep_their_links_victims_and_times_and_say_what_is_missing() {
    let dir = site();
    let source = postmortems();
    let mut args = vec!["import", "frontmatter", source.as_str()];
    args.extend(POSTMORTEM_MAP);
    let result = casebook(dir.path(), &args);
    assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
    let report = stderr(&result);
    for expected in [
        "mapped `url` to 2 sources",
        "mapped `archive_url` to the archived copy of the sources",
        "`source_published_at` is also there; `start_time` gave `date`",
        "took the title from the first heading (and removed it from the body)",
        "took the title from the file name",
        "set `status: resolved` (there is a resolution time)",
        // Nothing lost silently: every key kept under extra, once, with counts.
        "kept under extra (--map FROM=TO makes fields of them): `product` (2 files), `source_published_at` (1 \
         file), `team` (1 file)\n",
        // The files without a date, in one list; the others with their reasons.
        &format!(
            "refused 4 files:\n  no `date` (looked for `start_time`, `source_published_at` or `date`) in 2 files:\n    \
             {source}/dns-expiry.md\n    {source}/storage-outage.md\n"
        ),
        &format!("  {source}/README.md: missing front matter"),
        &format!(
            "  {source}/certificate-expiry.md: `start_time`: `05/06/2020` is ambiguous: the day could be 5 or 6; \
             write `2020-06-05` (day first) or `2020-05-06` (month first)\n"
        ),
        "Imported 3, refused 4, kept 0 existing\n",
    ] {
        assert!(report.contains(expected), "missing {expected:?} in\n{report}");
    }
    let content = dir.path().join("content");
    assert_eq!(
        read(&content, "2019-07-02-a-configuration-push-took-down-the-cdn-s.md"),
        "---
title: A configuration push took down the CDN's edge
date: 2019-07-02T13:42:00Z
status: resolved
resolved_at: 2019-07-02T14:12:00Z
victim:
  name: Example CDN
sources:
- title: blog.example-cdn.com
  url: https://blog.example-cdn.com/2019/07/edge-outage
  archived_url: https://web.archive.org/web/20190703/https://blog.example-cdn.com/2019/07/edge-outage
tags:
- config-change
- cdn
extra:
  source_published_at: 2019-07-03
  product: edge proxy
---
A regular expression in a new firewall rule used all the CPU of every edge server for 30
minutes. The rule was pushed everywhere at once.
"
    );
    assert_eq!(
        read(&content, "2020-03-05-payments-database-failover-at-example-pay.md"),
        "---
title: Payments database failover at Example Pay
date: 2020-03-05
victim:
  name: Example Pay
sources:
- title: engineering.example-pay.com
  url: https://engineering.example-pay.com/failover-postmortem
- title: status.example-pay.com
  url: https://status.example-pay.com/incidents/4411
tags:
- database
extra:
  team: storage
---
A failover to a replica that was four hours behind lost the payments of the morning; they were
replayed from the message queue.
"
    );
    let queue = read(&content, "2021-11-08-queue-backlog.md");
    assert!(queue.starts_with("---\ntitle: Queue backlog\ndate: 2021-11-08T09:15:00Z\n"), "{queue}");

    // Victims are browsable once the site has a taxonomy for them, and the hint goes.
    std::fs::write(
        dir.path().join("casebook.yaml"),
        "taxonomies:\n  - {name: tags, field: tags}\n  - {name: victims, field: victims.name, title: Victims}\n",
    )
    .expect("write");
    let mut again = args.clone();
    again.push("--force");
    let report = stderr(&casebook(dir.path(), &again));
    assert!(!report.contains("hint:"), "{report}");
    builds(dir.path());
    let public = dir.path().join("public");
    let victim = read(&public, "victims/example-cdn/index.html");
    assert!(victim.contains("A configuration push took down the CDN"), "{victim}");
    let page = read(&public, "incidents/2019-07-02-a-configuration-push-took-down-the-cdn-s/index.html");
    assert!(
        page.contains(
            "(<a href=\"https://web.archive.org/web/20190703/https://blog.example-cdn.com/2019/07/edge-outage\">archived copy</a>)"
        ),
        "{page}"
    );
    assert!(page.contains("Resolved on"), "the end time is the resolution");
}

#[test]
fn a_misspelt_target_stops_before_anything_is_read() {
    let dir = site();
    let result =
        casebook(dir.path(), &["import", "frontmatter", &postmortems(), "--map", "company=victim.nmae"]);
    assert_eq!(result.status.code(), Some(1));
    assert!(
        stderr(&result).contains(
            "error: `--map company=victim.nmae`: `victim.nmae` is not a field casebook can map to\n  \
             help: the fields of `victim` are: victim.name, victim.sector, victim.type"
        ),
        "{}",
        stderr(&result)
    );
    assert_eq!(files(&dir.path().join("content")), Vec::<String>::new());
    // A mapping given to a format with fields of its own is a mistake, not something ignored.
    let result = casebook(dir.path(), &["import", "cstate", &cstate_issues(), "--map", "pin=tags"]);
    assert_eq!(result.status.code(), Some(1));
    assert!(
        stderr(&result).contains("error: --map, --map-file and --title-from are for `frontmatter` imports")
    );
    assert_eq!(files(&dir.path().join("content")), Vec::<String>::new());
}

#[test]
fn front_matter_is_mapped_by_the_command_line_or_a_file() {
    let dir = site();
    let source = fixtures().join("import/frontmatter/breach-notes.md");
    let args = [
        "import",
        "frontmatter",
        source.to_str().expect("UTF-8"),
        "--map",
        "name=title",
        "--map",
        "start_time=date",
    ];
    let mut args: Vec<&str> = args.to_vec();
    args.extend(["--map", "categories=tags", "--map", "company=victim.name"]);
    let report = import(dir.path(), &args);
    assert!(
        report.contains("mapped `company` to `victim.name`") && report.contains("kept `owner` under extra"),
        "{report}"
    );
    let text = read(dir.path(), "content/2023-09-18-mailbox-compromise-at-a-law-firm.md");
    assert!(text.contains("victim:\n  name: Example Legal LLP") && text.contains("severity: high"), "{text}");
    builds(dir.path());

    let other = site();
    let map = fixtures().join("import/frontmatter/map.yaml");
    import(
        other.path(),
        &[
            "import",
            "frontmatter",
            source.to_str().expect("UTF-8"),
            "--map-file",
            map.to_str().expect("UTF-8"),
        ],
    );
    assert_eq!(
        read(other.path(), "content/2023-09-18-mailbox-compromise-at-a-law-firm.md"),
        text,
        "same mapping, same file"
    );
}

#[test]
fn veris_records_become_incidents() {
    let dir = site();
    let source = fixtures().join("import/veris");
    let report = import(dir.path(), &["import", "veris", source.to_str().expect("UTF-8")]);
    assert!(report.contains("mapped NAICS `921110` to sector `public-administration`"), "{report}");
    let text = read(dir.path(), "content/2022-10-04-city-of-exampleton.md");
    for expected in [
        "title: Ransomware encrypted the servers of a city council after an employee opened a malicious attachment",
        "country: NL",
        "- name: Organized crime\n  type: criminal",
        "motives:\n- financial",
        "- ransomware",
        "availability: high",
        "duration: 9 days",
        "url: https://exampleton.example.org/statement",
        "veris_incident_id: 0B2A4C6E-1234-4ABC-9DEF-0123456789AB",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    let clinic = read(dir.path(), "content/2021-06-example-clinic.md");
    assert!(clinic.contains("records: 5300") && clinic.contains("type: insider"), "{clinic}");
    builds(dir.path());
}

#[test]
fn importing_again_changes_nothing_unless_forced() {
    let dir = site();
    let source = fixtures().join("import/veris");
    import(dir.path(), &["import", "veris", source.to_str().expect("UTF-8")]);
    let first: Vec<(String, String)> = files(&dir.path().join("content"))
        .into_iter()
        .map(|f| (f.clone(), read(&dir.path().join("content"), &f)))
        .collect();
    let path = dir.path().join("content/2021-06-example-clinic.md");
    std::fs::write(
        &path,
        read(dir.path(), "content/2021-06-example-clinic.md").replace("Example Clinic", "Edited Clinic"),
    )
    .expect("edit");
    let report = import(dir.path(), &["import", "veris", source.to_str().expect("UTF-8")]);
    assert!(report.contains("(exists; kept, use --force to replace)"), "{report}");
    assert!(
        std::fs::read_to_string(&path).expect("read").contains("Edited Clinic"),
        "an edited file is kept"
    );
    import(dir.path(), &["import", "veris", source.to_str().expect("UTF-8"), "--force"]);
    let again: Vec<(String, String)> = files(&dir.path().join("content"))
        .into_iter()
        .map(|f| (f.clone(), read(&dir.path().join("content"), &f)))
        .collect();
    assert_eq!(first, again, "the same input gives the same files");
}

#[test]
fn a_source_that_cannot_be_converted_is_reported() {
    let dir = site();
    std::fs::write(dir.path().join("bad.json"), "{\"summary\": \"no timeline\"}").expect("write");
    let result = casebook(dir.path(), &["import", "veris", "bad.json"]);
    assert_eq!(result.status.code(), Some(1));
    assert!(
        stderr(&result).contains("refused 1 file:\n  bad.json: no `timeline.incident.year`"),
        "{}",
        stderr(&result)
    );
}
