//! Taxonomies: the terms incidents are grouped by (tags, and any list the site configures).

use std::collections::HashMap;

use crate::config::TaxonomyConfig;
use crate::incident::Incident;
use crate::slug::slugify;

/// A taxonomy and its terms, sorted by slug.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    /// Its configuration (name, title, pagination).
    pub config: TaxonomyConfig,
    /// Its terms, sorted by slug.
    pub terms: Vec<Term>,
}

/// One term of a taxonomy and the incidents that carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The name, as first written.
    pub name: String,
    /// The URL segment.
    pub slug: String,
    /// Indexes into the site's incidents, in the site's order (newest first).
    pub incidents: Vec<usize>,
}

impl Taxonomy {
    /// Groups `incidents` (already in site order) by this taxonomy's terms. Spellings that slug
    /// the same (`Ransomware`, `ransomware`) are one term, named as first seen.
    pub fn build(config: &TaxonomyConfig, incidents: &[Incident]) -> Taxonomy {
        let mut by_slug: HashMap<String, Term> = HashMap::new();
        for (index, incident) in incidents.iter().enumerate() {
            for name in incident.terms.get(&config.name).into_iter().flatten() {
                let slug = slugify(name);
                let term = by_slug.entry(slug.clone()).or_insert_with(|| Term {
                    name: name.clone(),
                    slug,
                    incidents: Vec::new(),
                });
                term.incidents.push(index);
            }
        }
        let mut terms: Vec<Term> = by_slug.into_values().collect();
        terms.sort_by(|a, b| a.slug.cmp(&b.slug));
        Taxonomy { config: config.clone(), terms }
    }

    /// The output path of the taxonomy's overview page, relative to the site: `tags/`.
    pub fn rel_path(&self) -> String {
        format!("{}/", self.config.name)
    }

    /// The output path of a term's first page: `tags/ransomware/`.
    pub fn term_rel_path(&self, term_slug: &str) -> String {
        format!("{}/{term_slug}/", self.config.name)
    }
}
