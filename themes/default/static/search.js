// casebook search: finds incidents in /search-index.json as the reader types. No library,
// no third party, works on any static host. Results are built with DOM APIs (textContent),
// never innerHTML, so nothing in the index can run as markup. The site's other pages (About,
// methodology…) are in the index too, as items of kind "page": with no date, severity,
// country or sector, a search narrowed by one of those never finds them.
"use strict";

// The words of the page's language, which the search page gives as data attributes of its
// form (see search.html); English when a page does not.
const ENGLISH = {
  months: "January,February,March,April,May,June,July,August,September,October,November,December",
  dateMonth: "{month} {year}",
  dateDay: "{day} {month} {year}",
  foundOne: "{count} incident found",
  foundOther: "{count} incidents found",
  foundPageOne: "{count} page found",
  foundPageOther: "{count} pages found",
  foundBoth: "{incidents} and {pages} found",
  incidentsOne: "{count} incident",
  incidentsOther: "{count} incidents",
  pagesOne: "{count} page",
  pagesOther: "{count} pages",
  page: "Page",
  more: "; the first 100 are shown, add words to narrow down",
  none: "No incidents found. Try fewer or shorter words, or clear the filters.",
  loading: "Loading the index…",
  failed: "The search index could not be loaded.",
  separator: ",",
};

// "2023-07" as "July 2023" and "2023-07-24" as "24 July 2023", as the pages show dates; the
// index keeps them in ISO form, which sorts.
function displayDate(iso, words = ENGLISH) {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(iso || "");
  if (!m) return iso;
  const [, year, month, day] = m;
  if (!month) return year;
  const name = words.months.split(",")[Number(month) - 1];
  const pattern = day ? words.dateDay : words.dateMonth;
  return pattern.replace("{day}", String(Number(day))).replace("{month}", name).replace("{year}", year);
}

// 12500 as "12,500" (or "12 500"): digits grouped as the page's language groups them.
function grouped(n, separator) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, separator);
}

// Lower case, accents removed: "Angoulême" matches "angouleme".
function fold(text) {
  return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

// Prepares the index once: one folded haystack per item, fields weighted by repetition.
function prepare(index) {
  const at = {};
  index.fields.forEach((name, i) => { at[name] = i; });
  const items = index.items.map((row) => {
    const strong = [row[at.title], row[at.victims], row[at.tags], row[at.techniques]].join(" ");
    const weak = [row[at.location], row[at.sectors], row[at.summary], at.body !== undefined ? row[at.body] : ""].join(" ");
    return { row, strong: fold(strong), all: fold(strong + " " + weak) };
  });
  return { at, items };
}

// Every word must appear (as a prefix of a word) somewhere; title-like fields score higher.
function search(prepared, query, filters) {
  const words = fold(query).split(/[^\p{L}\p{N}.]+/u).filter((w) => w.length > 0);
  const { at, items } = prepared;
  const results = [];
  for (const item of items) {
    const row = item.row;
    if (filters.severity && row[at.severity] !== filters.severity) continue;
    if (filters.country && row[at.country] !== filters.country) continue;
    if (filters.year && String(row[at.year]) !== filters.year) continue;
    if (filters.sector && !row[at.sectors].split("; ").includes(filters.sector)) continue;
    let score = 0;
    let all = true;
    for (const word of words) {
      const pattern = new RegExp("(^|[^\\p{L}\\p{N}])" + word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "u");
      if (pattern.test(item.strong)) score += 3;
      else if (pattern.test(item.all)) score += 1;
      else { all = false; break; }
    }
    if (all) results.push({ row, score });
  }
  // Best first; ties keep the index order, which is newest first.
  results.sort((a, b) => b.score - a.score);
  return results;
}

// Where the words of a query appear in `text` (as prefixes of its words, accents ignored, as
// `search` matches them): [start, end] ranges of `text`, in order, not overlapping.
function matches(text, query) {
  const words = fold(query).split(/[^\p{L}\p{N}.]+/u).filter((w) => w.length > 0);
  // The folded text, and for each of its characters the place in `text` it comes from.
  let folded = "";
  const from = [];
  for (let i = 0; i < text.length; i += 1) {
    const part = fold(text[i]);
    folded += part;
    for (let k = 0; k < part.length; k += 1) from.push(i);
  }
  from.push(text.length);
  const ranges = [];
  for (const word of words) {
    const pattern = new RegExp("(^|[^\\p{L}\\p{N}])(" + word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + ")", "gu");
    for (const m of folded.matchAll(pattern)) {
      const start = m.index + m[1].length;
      ranges.push([from[start], from[start + m[2].length]]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push(r.slice());
  }
  return merged;
}

// Whether a result is a page of the site rather than an incident (indexes without `kind`
// hold incidents only).
function isPage(row, at) {
  return at.kind !== undefined && row[at.kind] === "page";
}

// "3 incidents found", "1 incident and 2 pages found", "1 page found".
// "12 incidents found", "1 page found", "1 incident and 1 page found", in the page's words.
function describe(results, at, words = ENGLISH) {
  const pages = results.filter(({ row }) => isPage(row, at)).length;
  const incidents = results.length - pages;
  const count = (n, one, other) => (n === 1 ? one : other).replace("{count}", grouped(n, words.separator));
  if (pages === 0) return count(incidents, words.foundOne, words.foundOther);
  if (incidents === 0) return count(pages, words.foundPageOne, words.foundPageOther);
  return words.foundBoth
    .replace("{incidents}", count(incidents, words.incidentsOne, words.incidentsOther))
    .replace("{pages}", count(pages, words.pagesOne, words.pagesOther));
}

if (typeof module !== "undefined") {
  module.exports = { fold, prepare, search, describe, displayDate, grouped, matches, ENGLISH };
}

if (typeof document !== "undefined") {
  const form = document.getElementById("search-form");
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  // Filters the site has no data for are not on the page.
  const controls = ["q", "severity", "country", "sector", "year"].map((n) => form.elements[n]).filter(Boolean);
  const words = Object.assign({}, ENGLISH, form.dataset);
  let prepared = null;

  function read() {
    const value = (name) => (form.elements[name] ? form.elements[name].value : "");
    return { q: value("q"), severity: value("severity"), country: value("country"), sector: value("sector"), year: value("year") };
  }

  // `text` into `element`, the words of the query marked (`<mark>`), as text nodes: nothing of
  // the index is ever read as markup.
  function highlighted(element, text, query) {
    let at = 0;
    for (const [start, end] of matches(text, query)) {
      element.append(text.slice(at, start));
      const mark = document.createElement("mark");
      mark.textContent = text.slice(start, end);
      element.append(mark);
      at = end;
    }
    element.append(text.slice(at));
    return element;
  }

  function show() {
    if (!prepared) return;
    const state = read();
    const params = new URLSearchParams();
    Object.entries(state).forEach(([k, v]) => { if (v) params.set(k, v); });
    history.replaceState(null, "", params.toString() ? "?" + params : location.pathname);
    list.replaceChildren();
    if (!state.q && !state.severity && !state.country && !state.sector && !state.year) {
      status.textContent = "";
      return;
    }
    const results = search(prepared, state.q, state);
    const at = prepared.at;
    status.textContent = results.length ? describe(results, at, words) : words.none;
    for (const { row } of results.slice(0, 100)) {
      const page = isPage(row, at);
      const li = document.createElement("li");
      if (page) li.className = "search-result-page";
      const a = highlighted(document.createElement("a"), row[at.title], state.q);
      a.href = row[at.url];
      const meta = document.createElement("p");
      meta.className = "meta";
      meta.textContent = page
        ? words.page
        : [displayDate(row[at.date], words), row[at.victims], row[at.location]].filter(Boolean).join(" · ");
      const summary = highlighted(document.createElement("p"), row[at.summary], state.q);
      li.append(a, meta, summary);
      list.append(li);
    }
    if (results.length > 100) {
      status.textContent += words.more;
    }
  }

  const params = new URLSearchParams(location.search);
  controls.forEach((control) => {
    if (params.has(control.name)) control.value = params.get(control.name);
    control.addEventListener(control.tagName === "SELECT" ? "change" : "input", show);
  });
  form.addEventListener("submit", (event) => { event.preventDefault(); show(); });
  // After the form has cleared its fields.
  form.addEventListener("reset", () => setTimeout(show, 0));
  status.textContent = words.loading;
  fetch(form.dataset.index)
    .then((response) => response.json())
    .then((index) => { prepared = prepare(index); status.textContent = ""; show(); })
    .catch(() => { status.textContent = words.failed; });
}
