//! Which parts of a site appear: a section, chart, facet or filter only when the site has data
//! for it, unless `show:` of `casebook.yaml` forces it on or off.
//!
//! An outage archive has no threat actors, sectors or techniques: a menu entry, a chart or a
//! search filter for them would open on "nothing here", which reads as broken. What is decided
//! here is what the menu, the home page, the statistics, the search page and the data page
//! show, all alike.

use std::collections::BTreeMap;

use crate::config::{FACETS, SHOWN_SECTIONS, Show};
use crate::content::incident::Incident;
use crate::site::Site;

/// For each section of [`SHOWN_SECTIONS`], each facet of [`FACETS`] and each taxonomy, by name,
/// whether it appears.
pub fn shown(site: &Site) -> BTreeMap<String, bool> {
    let any = |test: fn(&Incident) -> bool| site.incidents.iter().any(|i| test(i));
    let mut has: BTreeMap<String, bool> = BTreeMap::new();
    let facets: [(&str, bool); 8] = [
        ("tags", any(|i| !i.tags.is_empty())),
        ("sectors", any(|i| i.victims.iter().any(|v| v.sector.is_some()))),
        ("countries", any(|i| i.location.as_ref().is_some_and(|l| l.country.is_some()))),
        ("actors", any(|i| !i.actors.is_empty())),
        ("techniques", any(|i| !i.techniques.is_empty())),
        ("motives", any(|i| !i.motives.is_empty())),
        ("severity", any(|i| i.severity.is_some())),
        ("status", any(|i| i.status.is_some())),
    ];
    debug_assert!(facets.iter().map(|(name, _)| *name).eq(FACETS));
    has.extend(facets.into_iter().map(|(name, data)| (name.to_string(), data)));
    // A taxonomy of the same name as a facet (the default ones) is decided by its terms, which
    // say the same.
    has.extend(site.taxonomies.iter().map(|t| (t.config.name.clone(), !t.terms.is_empty())));
    let incidents = !site.incidents.is_empty();
    // The matrix shows techniques under tactics: tactics alone, or ids ATT&CK does not know,
    // leave it empty.
    let matrix =
        any(|i| i.techniques.iter().any(|t| !t.tactic && crate::content::attack::lookup(&t.id).is_some()));
    let sections = [
        ("archive", incidents),
        ("stats", incidents),
        ("matrix", matrix),
        ("kinds", any(|i| i.kind.is_some_and(|k| k != crate::content::Kind::Incident))),
    ];
    debug_assert!(sections.iter().map(|(name, _)| *name).eq(SHOWN_SECTIONS));
    has.extend(sections.into_iter().map(|(name, data)| (name.to_string(), data)));
    has.into_iter()
        .map(|(name, data)| {
            let shown = match site.config.show(&name) {
                Show::Auto => data,
                Show::Always => true,
                Show::Never => false,
            };
            (name, shown)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(yaml: &str, incidents: &[&str]) -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("content")).expect("mkdir");
        std::fs::write(dir.path().join("casebook.yaml"), yaml).expect("write");
        for (n, front) in incidents.iter().enumerate() {
            std::fs::write(
                dir.path().join(format!("content/i{n}.md")),
                format!("---\n{front}\n---\nText.\n"),
            )
            .expect("write");
        }
        Site::load(dir.path(), &crate::LoadOptions { now: Some(2_000_000_000), ..Default::default() })
            .expect("a site")
    }

    #[test]
    fn parts_appear_when_the_site_has_data_for_them() {
        let outages = site(
            "title: Status\n",
            &["title: Database failover\ndate: 2025-03-02\nkind: outage\ntags: [database]\nstatus: resolved"],
        );
        let found = shown(&outages);
        let on: Vec<&str> = found.iter().filter(|(_, on)| **on).map(|(n, _)| n.as_str()).collect();
        assert_eq!(on, ["archive", "kinds", "stats", "status", "tags"]);
        let threats = site(
            "title: CERT\n",
            &[
                "title: Phish\ndate: 2025-03\nseverity: high\ntechniques: [TA0001, T1566]\nvictims: [{sector: health}]",
            ],
        );
        let found = shown(&threats);
        for name in ["matrix", "techniques", "sectors", "severity"] {
            assert!(found[name], "{name}");
        }
        assert!(!found["kinds"] && !found["countries"]);
        let tactics_only = site("title: x\n", &["title: A\ndate: 2025\ntechniques: [TA0001]"]);
        assert!(!shown(&tactics_only)["matrix"], "a tactic is no cell of the matrix");
    }

    #[test]
    fn show_forces_a_part_on_or_off() {
        let forced = site(
            "show: {matrix: always, tags: never, vendors: always}\ntaxonomies:\n  - name: tags\n  - name: vendors\n    field: extra.vendor\n",
            &["title: A\ndate: 2025\ntags: [x]"],
        );
        let found = shown(&forced);
        assert!(found["matrix"] && found["vendors"] && !found["tags"]);
    }
}
