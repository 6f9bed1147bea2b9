//! Taxonomies: the terms incidents are grouped by (tags, sectors, countries, techniques…),
//! read from any field of the incident model by a dotted path.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::base::slugify;
use crate::config::{Config, TaxonomyConfig, TermOrder};
use crate::content::Country;
use crate::content::incident::Incident;

/// A taxonomy and its terms, in display order.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    /// Its configuration (name, field, path, title, pagination).
    pub config: TaxonomyConfig,
    /// Its terms, in the configured order.
    pub terms: Vec<Term>,
    /// For each incident (in site order), the indexes of its terms.
    pub incident_terms: Vec<Vec<usize>>,
}

/// One term of a taxonomy and the incidents that carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The value as written (first spelling seen): `FR`, `T1486`, `Ransomware`.
    pub key: String,
    /// The name shown: `France`, `T1486 Data Encrypted for Impact`, `Ransomware`.
    pub name: String,
    /// The URL segment.
    pub slug: String,
    /// Indexes into the site's incidents, in the site's order (newest first).
    pub incidents: Vec<usize>,
}

/// The name shown for a term key of `field`.
pub fn display(config: &Config, field: &str, key: &str) -> String {
    match field {
        "location.country" | "actors.country" => Country::name_in(key, &config.language),
        "techniques" => crate::content::attack::lookup(key)
            .map_or_else(|| key.to_string(), |e| format!("{key} {}", e.name)),
        "severity" => config
            .severities
            .iter()
            .find(|l| l.name == key)
            .map_or_else(|| key.to_string(), |l| l.label.clone()),
        "status" => config
            .statuses
            .iter()
            .find(|l| l.name == key)
            .map_or_else(|| key.to_string(), |l| l.label.clone()),
        // Fields of the model whose values are identifiers (`local-government`): named in
        // words. Tags and a site's own fields are shown as written.
        "victims.sector" | "victim.sector" | "victims.type" | "victim.type" | "actors.type" | "motives" => {
            crate::base::humanize(key)
        }
        _ => key.to_string(),
    }
}

impl Taxonomy {
    /// Groups `incidents` (already in site order, with `terms` filled) by this taxonomy's
    /// terms. Spellings that slug the same (`Ransomware`, `ransomware`) are one term, named as
    /// first seen.
    pub fn build(
        site_config: &Config,
        config: &TaxonomyConfig,
        incidents: &[std::sync::Arc<Incident>],
    ) -> Taxonomy {
        let t = site_config.taxonomies.iter().position(|t| t.name == config.name);
        let lists: Vec<&[String]> =
            incidents.iter().map(|i| t.and_then(|t| i.terms.get(t)).map_or(&[][..], Vec::as_slice)).collect();
        Taxonomy::from_lists(site_config, config, &lists)
    }

    /// Every taxonomy of the configuration, grouped in one pass over the incidents: reading
    /// each incident once rather than once per taxonomy matters on large sites, where
    /// incidents are scattered in memory.
    pub fn build_all(site_config: &Config, incidents: &[std::sync::Arc<Incident>]) -> Vec<Taxonomy> {
        let n = site_config.taxonomies.len();
        let mut lists: Vec<Vec<&[String]>> = vec![Vec::with_capacity(incidents.len()); n];
        for incident in incidents {
            for (t, list) in lists.iter_mut().enumerate() {
                list.push(incident.terms.get(t).map_or(&[][..], Vec::as_slice));
            }
        }
        // One taxonomy per thread: built one after the other they were a serial stretch of the
        // load (some 40 ms at 10,000 incidents).
        site_config
            .taxonomies
            .par_iter()
            .zip(&lists)
            .map(|(t, l)| Taxonomy::from_lists(site_config, t, l))
            .collect()
    }

    /// Groups incidents, given by their term keys for this taxonomy in site order.
    fn from_lists(site_config: &Config, config: &TaxonomyConfig, lists: &[&[String]]) -> Taxonomy {
        let mut terms: Vec<Term> = Vec::new();
        let mut by_slug: HashMap<String, usize> = HashMap::new();
        // Slugging is the costly part, and a site uses few distinct spellings many times.
        let mut by_key: HashMap<&str, usize> = HashMap::new();
        let mut incident_terms: Vec<Vec<usize>> = vec![Vec::new(); lists.len()];
        for (index, keys) in lists.iter().enumerate() {
            for key in keys.iter() {
                let k = match by_key.get(key.as_str()) {
                    Some(&k) => k,
                    None => {
                        let slug = slugify(key);
                        let k = *by_slug.entry(slug.clone()).or_insert_with(|| {
                            terms.push(Term {
                                name: display(site_config, config.field(), key),
                                key: key.clone(),
                                slug,
                                incidents: Vec::new(),
                            });
                            terms.len() - 1
                        });
                        by_key.insert(key, k);
                        k
                    }
                };
                terms[k].incidents.push(index);
                incident_terms[index].push(k);
            }
        }
        let scale: Option<Vec<&str>> = match config.field() {
            "severity" => Some(site_config.severities.iter().rev().map(|l| l.name.as_str()).collect()),
            "status" => Some(site_config.statuses.iter().map(|l| l.name.as_str()).collect()),
            _ => None,
        };
        // Terms were numbered as first seen; sort their numbers, then renumber.
        let mut order: Vec<usize> = (0..terms.len()).collect();
        match (scale, config.sort) {
            // Scales read best in their own order: the most severe first, statuses as listed.
            (Some(scale), TermOrder::Name) => {
                order.sort_by_key(|&k| scale.iter().position(|s| *s == terms[k].key).unwrap_or(usize::MAX));
            }
            (_, TermOrder::Count) => order.sort_by(|&a, &b| {
                let (a, b) = (&terms[a], &terms[b]);
                b.incidents.len().cmp(&a.incidents.len()).then_with(|| a.slug.cmp(&b.slug))
            }),
            (None, TermOrder::Name) => {
                order.sort_by_cached_key(|&k| (terms[k].name.to_lowercase(), terms[k].slug.clone()));
            }
        }
        let mut renumber = vec![0; terms.len()];
        for (new, &old) in order.iter().enumerate() {
            renumber[old] = new;
        }
        for list in &mut incident_terms {
            list.iter_mut().for_each(|k| *k = renumber[*k]);
        }
        let mut slots: Vec<Option<Term>> = terms.into_iter().map(Some).collect();
        let terms = order.iter().filter_map(|&k| slots[k].take()).collect();
        Taxonomy { config: config.clone(), terms, incident_terms }
    }

    /// The output path of the taxonomy's overview page, relative to the site: `tags/`.
    pub fn rel_path(&self) -> String {
        crate::config::urls::taxonomy(self.config.path())
    }

    /// The output path of a term's first page: `tags/ransomware/`.
    pub fn term_rel_path(&self, term_slug: &str) -> String {
        crate::config::urls::term(self.config.path(), term_slug)
    }
}
