//! The order pages are rendered in, so that a build keeps every core busy to the end.

use super::{Page, PageKind, page_range};
use crate::site::Site;

/// The order to render `pages` in: pages that list many incidents first, the longest first,
/// then the rest in plan order.
///
/// A build renders on every core; a page listing every incident (an index with pagination off)
/// takes one thread a long while. Planned late, it was the last page left, rendered by one
/// thread while the others idled. Data files keep their place after the incidents' pages:
/// the site-wide ones are assembled from fragments those make in parallel.
pub fn schedule<'p>(site: &Site, pages: &'p [Page]) -> Vec<&'p Page> {
    let mut order: Vec<(usize, &Page)> = pages.iter().map(|p| (weight(site, p), p)).collect();
    // Stable: pages of equal weight, all those of weight 0 among them, keep the plan's order.
    order.sort_by_key(|&(w, _)| std::cmp::Reverse(w));
    order.into_iter().map(|(_, p)| p).collect()
}

/// How many incidents (or terms, or lines) a page lists; 0 for pages that list none.
fn weight(site: &Site, page: &Page) -> usize {
    let shown = |list: usize, per_page: usize, n: usize| page_range(list, per_page, n).len();
    match page.kind {
        PageKind::Index(n) => shown(site.incidents.len(), site.config.paginate_by, n),
        PageKind::Term(t, k, n) => {
            let taxonomy = &site.taxonomies[t];
            let per_page = taxonomy.config.paginate_by.unwrap_or(site.config.paginate_by);
            shown(taxonomy.terms[k].incidents.len(), per_page, n)
        }
        PageKind::TaxonomyList(t) => site.taxonomies[t].terms.len(),
        PageKind::ArchiveYear(y) => site.archive[y].incidents.len(),
        PageKind::ArchiveMonth(y, m) => {
            site.archive[y].months.iter().filter(|g| g.month == Some(m)).map(|g| g.incidents.len()).sum()
        }
        PageKind::ArchiveIndex => site.archive.len(),
        // A line per incident or page, without templates: as long as the longest list at most.
        PageKind::SearchIndex | PageKind::StatsPage | PageKind::MatrixPage | PageKind::Sitemap(_) => {
            site.incidents.len()
        }
        PageKind::Feed(_) => site.config.feeds.limit.min(site.incidents.len()),
        PageKind::Incident(_)
        | PageKind::Page(_)
        | PageKind::BundleFile(..)
        | PageKind::Alias(..)
        | PageKind::Data(_)
        | PageKind::DataPage
        | PageKind::SearchPage
        | PageKind::NotFound => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_render_first_longest_first_and_the_rest_keeps_the_plan_order() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut site =
            Site::load(root, &crate::LoadOptions { now: Some(2_000_000_000), ..Default::default() })
                .expect("the example site loads");
        // One index page listing every incident: the longest job of the build.
        site.config.paginate_by = 1_000;
        let pages = crate::plan::plan(&site);
        let order = schedule(&site, &pages);
        assert_eq!(order.len(), pages.len());
        let index = order.iter().position(|p| p.kind == PageKind::Index(1)).expect("an index page");
        assert_eq!(weight(&site, order[index]), site.incidents.len());
        let weights: Vec<usize> = order.iter().map(|p| weight(&site, p)).collect();
        assert!(weights.windows(2).all(|w| w[0] >= w[1]), "longest first: {weights:?}");
        let listing = |p: &Page| weight(&site, p) > 0;
        let lists = order.iter().take_while(|p| listing(p)).count();
        assert!(lists > 1 && order[lists..].iter().all(|p| !listing(p)), "lists come first");
        let rest: Vec<&Page> = pages.iter().filter(|p| !listing(p)).collect();
        assert_eq!(order[lists..], rest[..], "the others keep the plan's order");
        let first_incident = order.iter().position(|p| matches!(p.kind, PageKind::Incident(_)));
        let first_data = order.iter().position(|p| matches!(p.kind, PageKind::Data(_)));
        assert!(first_incident < first_data, "data files come after the incidents' pages");
    }
}
