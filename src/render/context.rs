//! The values templates see on each kind of page besides the incident itself: an incident's
//! own page, the search and data pages, the archive, and the pager of every list.

use tera::Value;

use super::*;
use crate::plan::{page_range, pages_needed};

impl Renderer<'_> {
    pub(super) fn term_view<'t>(
        &self,
        taxonomy: &Taxonomy,
        term: &'t crate::site::taxonomy::Term,
    ) -> TermView<'t> {
        TermView {
            name: &term.name,
            slug: &term.slug,
            url: self.site.base_url.url(&taxonomy.term_rel_path(&term.slug)),
            count: term.incidents.len(),
            feed: (self.site.config.feeds.enabled
                && self.site.config.feeds.taxonomies
                && !self.site.base_url.origin.is_empty())
            .then(|| self.site.base_url.url(&format!("{}atom.xml", taxonomy.term_rel_path(&term.slug)))),
            technique: (taxonomy.config.field() == "techniques")
                .then(|| self.technique_info(&term.key))
                .flatten(),
        }
    }

    /// What ATT&CK says of the id `key`, a term of a taxonomy of techniques: its name,
    /// tactics, parent and page at MITRE.
    fn technique_info(&self, key: &str) -> Option<TechniqueInfo> {
        use crate::content::attack;
        let (id, kind) = attack::parse(key).ok()?;
        let entry = attack::lookup(&id);
        let tactics = entry
            .into_iter()
            .flat_map(|e| e.tactic_ids())
            .filter_map(|t| attack::lookup(t).map(|tactic| TacticRef { id: tactic.id, name: tactic.name }))
            .collect();
        // Linked to ATT&CK rather than to its term page here, which it may not have: a term
        // page must not change when a term appears elsewhere (see docs/templates.md).
        let parent = id.split_once('.').map(|(parent, _)| {
            let name = attack::lookup(parent).map_or("", |e| e.name);
            ParentRef {
                id: parent.to_string(),
                label: format!("{parent} {name}").trim_end().to_string(),
                attack_url: attack::url(parent, attack::Kind::Technique),
            }
        });
        Some(TechniqueInfo {
            attack_url: attack::url(&id, kind),
            name: entry.map(|e| e.name),
            id,
            tactics,
            parent,
        })
    }

    /// An incident on its own page: its list view and what only its page shows. `place` is
    /// its index in the site, for its neighbours and related incidents; `None` leaves them out.
    pub(super) fn incident_page_value(
        &self,
        incident: &Incident,
        view: &Value,
        place: Option<usize>,
    ) -> Value {
        let site = self.site;
        let neighbour = |j: usize| {
            site.incidents
                .get(j)
                .map(|n| Neighbour { title: &n.title, url: site.base_url.url(&urls::incident(&n.slug)) })
        };
        // The view's map, copied with its entries shared rather than serialized again (which
        // made every key anew), then given the page's own entries that templates can read.
        let map = view.as_map().cloned().unwrap_or_default();
        let mut page = crate::render::view::Entries::extend(&self.shared.fields, map);
        page.add("content", || Value::safe_string(&incident.content_html));
        page.put("toc", || &incident.toc);
        page.add("json_ld", || Value::safe_string(&crate::render::view::json_ld(site, incident)));
        if let Some(i) = place {
            // The list is newest first: the newer incident comes before this one.
            page.put("newer", || i.checked_sub(1).and_then(neighbour));
            page.put("older", || neighbour(i + 1));
            page.add("related", || {
                Value::from(
                    site.related()[i].iter().map(|&j| self.incidents[j].clone()).collect::<Vec<Value>>(),
                )
            });
        }
        page.into_value()
    }

    /// A page of `pages/` as its template sees it (`page`): see docs/templates.md.
    pub(super) fn page_value(&self, page: &crate::content::page::Page) -> Value {
        let base = &self.site.base_url;
        let rel = urls::page(&page.slug);
        let mut map = tera::Map::new();
        map.insert("title".into(), Value::from(page.title.as_str()));
        map.insert("slug".into(), Value::from(page.slug.as_str()));
        map.insert("url".into(), Value::from(base.url(&rel)));
        map.insert("permalink".into(), Value::from(base.permalink(&rel)));
        map.insert("description".into(), Value::from(page.summary()));
        // Rendered from Markdown by casebook, like an incident's: the only HTML handed over.
        map.insert("content".into(), Value::safe_string(&page.content_html));
        map.insert("toc".into(), Value::from_serializable(&page.toc));
        map.insert("weight".into(), Value::from(page.weight));
        map.insert("menu".into(), Value::from_serializable(&page.menu));
        map.insert("draft".into(), Value::from(page.draft));
        map.insert("template".into(), Value::from(page.template.as_deref().unwrap_or(super::PAGE_TEMPLATE)));
        map.insert("word_count".into(), Value::from(page.word_count));
        map.insert("reading_time".into(), Value::from(page.word_count.div_ceil(200).max(1)));
        map.insert("source".into(), Value::from(page.source.as_str()));
        map.insert("extra".into(), Value::from_serializable(&page.extra));
        Value::from(map)
    }

    /// What the search page offers: the index URL and the choices of each filter.
    pub(super) fn search_page(&self) -> Value {
        let site = self.site;
        let mut map = tera::Map::new();
        map.insert("index".into(), Value::from(site.base_url.url(crate::config::urls::SEARCH_INDEX)));
        let pairs = |items: Vec<(String, String)>| -> Value {
            Value::from(
                items
                    .into_iter()
                    .map(|(value, label)| {
                        let mut m = tera::Map::new();
                        m.insert("value".into(), Value::from(value));
                        m.insert("label".into(), Value::from(label));
                        Value::from(m)
                    })
                    .collect::<Vec<Value>>(),
            )
        };
        // Only what some incident has: a choice that finds nothing is no choice (unless the
        // site forces the facet on, which then offers its whole scale).
        let all_severities = site.config.show("severity") == crate::config::Show::Always;
        let severities = site
            .config
            .severities
            .iter()
            .rev()
            .filter(|l| {
                all_severities || site.incidents.iter().any(|i| i.severity.as_deref() == Some(&l.name))
            })
            .map(|l| (l.name.clone(), l.label.clone()))
            .collect();
        map.insert("severities".into(), pairs(severities));
        map.insert("countries".into(), pairs(crate::render::search::countries(site)));
        let mut sectors: Vec<String> =
            site.incidents.iter().flat_map(|i| i.victims.iter().filter_map(|v| v.sector.clone())).collect();
        sectors.sort();
        sectors.dedup();
        let sectors = sectors
            .into_iter()
            .map(|s| {
                let label = crate::site::taxonomy::display(&site.config, "victims.sector", &s);
                (s, label)
            })
            .collect();
        map.insert("sectors".into(), pairs(sectors));
        let years: Vec<(String, String)> =
            site.archive.iter().map(|y| (y.year.to_string(), y.year.to_string())).collect();
        map.insert("years".into(), pairs(years));
        Value::from(map)
    }

    /// What the data page lists: each download with its URL.
    pub(super) fn data_page(&self) -> Value {
        let site = self.site;
        let exports = &site.config.exports;
        let url = |rel: &str| Value::from(site.base_url.url(rel));
        let mut map = tera::Map::new();
        map.insert("count".into(), Value::from(site.incidents.len()));
        map.insert("json".into(), if exports.json { url(urls::api::INCIDENTS_JSON) } else { Value::none() });
        map.insert("schema".into(), if exports.json { url(urls::api::SCHEMA) } else { Value::none() });
        map.insert("csv".into(), if exports.csv { url(urls::api::INCIDENTS_CSV) } else { Value::none() });
        map.insert("stix".into(), if exports.stix { url(urls::api::STIX_BUNDLE) } else { Value::none() });
        map.insert("bodies".into(), Value::from(exports.bodies));
        let taxonomies: Vec<Value> = if exports.json {
            site.taxonomies
                .iter()
                .map(|t| {
                    let mut m = tera::Map::new();
                    m.insert("name".into(), Value::from(t.config.name.as_str()));
                    m.insert("title".into(), Value::from(t.config.title()));
                    m.insert("url".into(), url(&urls::api::taxonomy(t.config.path())));
                    Value::from(m)
                })
                .collect()
        } else {
            Vec::new()
        };
        map.insert("taxonomies".into(), Value::from(taxonomies));
        Value::from(map)
    }

    /// The archive page of a year (and month), or of everything.
    pub(super) fn archive(&self, year: Option<usize>, month: Option<i8>) -> Value {
        let site = self.site;
        let base = &site.base_url;
        let list = |incidents: &[usize]| -> Value {
            Value::from(incidents.iter().map(|&i| self.incidents[i].clone()).collect::<Vec<Value>>())
        };
        let strings = &self.shared.strings;
        let month_year = |m: Option<i8>, year: i16| match m {
            Some(m) => strings
                .format("date_month_year", None, &[("month", strings.month(m)), ("year", year.to_string())])
                .unwrap_or_default(),
            None => format!("{} {year}", strings.text("month_unknown")),
        };
        let years = self.archive_years.get_or_init(|| self.archive_years()).clone();
        let mut map = tera::Map::new();
        map.insert("url".into(), Value::from(base.url(urls::ARCHIVE)));
        map.insert("years".into(), years);
        let (title, groups) = match year.map(|y| &site.archive[y]) {
            None => {
                map.insert("year".into(), Value::none());
                map.insert("count".into(), Value::from(site.incidents.len()));
                (strings.text("menu_archive"), Vec::new())
            }
            Some(y) => {
                let months = y.months.iter().filter(|m| month.is_none() || m.month == month);
                let groups: Vec<Value> = months
                    .map(|m| {
                        let mut group = tera::Map::new();
                        group.insert("month".into(), Value::from(m.month.map(i64::from)));
                        group.insert("title".into(), Value::from(month_year(m.month, y.year)));
                        let url = m.month.map(|n| base.url(&urls::archive_month(y.year, n)));
                        group.insert("url".into(), Value::from(url));
                        group.insert("incidents".into(), list(&m.incidents));
                        Value::from(group)
                    })
                    .collect();
                let title = match month {
                    Some(m) => month_year(Some(m), y.year),
                    None => y.year.to_string(),
                };
                map.insert("year".into(), Value::from(i64::from(y.year)));
                let count: usize = y
                    .months
                    .iter()
                    .filter(|m| month.is_none() || m.month == month)
                    .map(|m| m.incidents.len())
                    .sum();
                map.insert("count".into(), Value::from(count));
                (title, groups)
            }
        };
        map.insert("month".into(), Value::from(month.map(i64::from)));
        map.insert("title".into(), Value::from(title));
        map.insert("groups".into(), Value::from(groups));
        Value::from(map)
    }

    /// Every year of the archive with its months, as the archive pages list them.
    pub(super) fn archive_years(&self) -> Value {
        let site = self.site;
        let base = &site.base_url;
        let years: Vec<Value> = site
            .archive
            .iter()
            .map(|y| {
                let months: Vec<Value> = y
                    .months
                    .iter()
                    .filter_map(|m| {
                        let number = m.month?;
                        let mut map = tera::Map::new();
                        map.insert("month".into(), Value::from(i64::from(number)));
                        map.insert("name".into(), Value::from(self.shared.strings.month(number)));
                        map.insert("count".into(), Value::from(m.incidents.len()));
                        map.insert("url".into(), Value::from(base.url(&urls::archive_month(y.year, number))));
                        // The overview names a few of each month's incidents; the month's page
                        // has them all.
                        let latest: Vec<Value> = m
                            .incidents
                            .iter()
                            .take(ARCHIVE_TITLES)
                            .map(|&i| self.incidents[i].clone())
                            .collect();
                        map.insert("latest".into(), Value::from(latest));
                        Some(Value::from(map))
                    })
                    .collect();
                let mut map = tera::Map::new();
                map.insert("year".into(), Value::from(i64::from(y.year)));
                map.insert("count".into(), Value::from(y.incidents.len()));
                map.insert("url".into(), Value::from(base.url(&urls::archive_year(y.year))));
                map.insert("months".into(), Value::from(months));
                Value::from(map)
            })
            .collect();
        Value::from(years)
    }

    /// The paginator of page `n` of a list of incidents whose first page is at `base`.
    pub(super) fn paginator(&self, list: &[usize], base: &str, per_page: usize, n: usize) -> Value {
        let urls = &self.site.base_url;
        let count = pages_needed(list.len(), per_page);
        let incidents: Vec<Value> =
            list[page_range(list.len(), per_page, n)].iter().map(|&i| self.incidents[i].clone()).collect();
        let url = |k: usize| urls.url(&crate::config::urls::list_page(base, k));
        // Every page of a list links every other: made once per list, not once per page,
        // which would grow with the square of the number of pages.
        let pages = {
            let mut made = self.pagers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            made.entry(base.to_string())
                .or_insert_with(|| {
                    let pages: Vec<PagerLink> =
                        (1..=count).map(|k| PagerLink { index: k, url: url(k) }).collect();
                    Value::from_serializable(&pages)
                })
                .clone()
        };
        let mut map = tera::Map::new();
        map.insert("incidents".into(), Value::from(incidents));
        map.insert("current_index".into(), Value::from(n));
        map.insert("number_pagers".into(), Value::from(count));
        map.insert("total_incidents".into(), Value::from(list.len()));
        map.insert("paginate_by".into(), Value::from(per_page));
        map.insert("first".into(), Value::from(url(1)));
        map.insert("last".into(), Value::from(url(count)));
        map.insert("previous".into(), Value::from((n > 1).then(|| url(n - 1))));
        map.insert("next".into(), Value::from((n < count).then(|| url(n + 1))));
        map.insert("pages".into(), pages);
        Value::from(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_of_a_page_is_documented() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let site = Site::load(root, &crate::LoadOptions { now: Some(2_000_000_000), ..Default::default() })
            .expect("the example site loads");
        let theme = Theme::load(root, &site.config).expect("the theme loads");
        let renderer = Renderer::new(&site, &theme).expect("the templates compile");
        let page = site.pages.first().expect("the example site has a page");
        let value = renderer.page_value(page);
        let docs = include_str!("../../docs/templates.md");
        let section = &docs[docs.find("## A page").expect("a section on pages")..];
        for field in value.as_map().expect("a map").keys() {
            let field = field.as_str().expect("a string key");
            assert!(
                section.contains(&format!("`{field}`")),
                "docs/templates.md does not describe `page.{field}`"
            );
        }
    }
}
