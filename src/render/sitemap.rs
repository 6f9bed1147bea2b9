//! `sitemap.xml` and `robots.txt`, for search engines.
//!
//! The sitemap lists every HTML page with an absolute URL, and `lastmod` for incident pages
//! (from `updated` or `date`). Above 50,000 URLs — the protocol's limit per file — it becomes a
//! sitemap index over `sitemap-1.xml`, `sitemap-2.xml`… A site overrides either file by putting
//! its own in `static/`.

use crate::base::xml_escape;
use crate::plan::{Page, PageKind, SITEMAP_URLS as MAX_URLS, SitemapFile, in_sitemap};
use crate::render::feed::rfc3339;
use crate::site::Site;

fn entry(site: &Site, page: &Page) -> String {
    let dir = page.file.strip_suffix("index.html").unwrap_or(&page.file);
    let mut out = format!("  <url><loc>{}</loc>", xml_escape(&site.base_url.permalink(dir)));
    let newest = match page.kind {
        PageKind::Incident(i) => Some(i),
        PageKind::Index(1) => (!site.incidents.is_empty()).then_some(0),
        _ => None,
    };
    if let Some(i) = newest {
        let incident = &site.incidents[i];
        let changed = incident.updated.as_ref().filter(|u| **u > incident.date).unwrap_or(&incident.date);
        out.push_str(&format!("<lastmod>{}</lastmod>", rfc3339(changed)));
    }
    out.push_str("</url>\n");
    out
}

/// Produces one file; `pages` is the site's plan.
pub fn render(site: &Site, pages: &[Page], file: SitemapFile) -> Vec<u8> {
    let listed: Vec<&Page> = pages.iter().filter(|p| in_sitemap(p)).collect();
    let header = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    let urlset = |part: &[&Page]| {
        let mut out = format!("{header}<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
        part.iter().for_each(|p| out.push_str(&entry(site, p)));
        out.push_str("</urlset>\n");
        out
    };
    let text = match file {
        SitemapFile::Robots => {
            format!("User-agent: *\nAllow: /\n\nSitemap: {}\n", site.base_url.permalink("sitemap.xml"))
        }
        SitemapFile::Main if listed.len() <= MAX_URLS => urlset(&listed),
        SitemapFile::Main => {
            let mut out =
                format!("{header}<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
            for n in 1..=listed.len().div_ceil(MAX_URLS) {
                let url = site.base_url.permalink(&format!("sitemap-{n}.xml"));
                out.push_str(&format!("  <sitemap><loc>{}</loc></sitemap>\n", xml_escape(&url)));
            }
            out.push_str("</sitemapindex>\n");
            out
        }
        SitemapFile::Part(n) => {
            let start = ((n - 1) * MAX_URLS).min(listed.len());
            let end = (start + MAX_URLS).min(listed.len());
            urlset(&listed[start..end])
        }
    };
    text.into_bytes()
}
