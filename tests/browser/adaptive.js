// Checks a built site in headless Chromium at 390 px (a phone) and 1280 px, on the pages a
// reader meets first: the home page, its first incident, the statistics, the search, the
// archive, the not-found page, and every page the menu leads to. For each page and width it
// measures what issue 24 asks for, and runs axe-core (light at both widths, dark at 1280).
// Prints one JSON object of findings for tests/theme.rs to assert on:
//
//   {"390": {"pages": {PATH: {overflow, chartText, charts}}, "firstTitleBottom", "links":
//            {"checked", "empty": [...], "missing": [...]}, "axe": [...]}, "1280": {...}}
//
//   node tests/browser/adaptive.js SITE_DIR [SCREENSHOT_PREFIX]
"use strict";
const { chromium } = require("playwright-core");
const { serveFolder } = require("./serve-folder");

const [root, shots] = process.argv.slice(2);

// What a page of the site says when a section has nothing in it.
const EMPTY = 'class="empty"';

(async () => {
  const { server, base } = await serveFolder(root);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const found = {};
  const linked = new Set();
  for (const width of [390, 1280]) {
    const schemes = width === 1280 ? ["light", "dark"] : ["light"];
    const at = (found[width] = { pages: {}, axe: [] });
    for (const scheme of schemes) {
      const context = await browser.newContext({ colorScheme: scheme, viewport: { width, height: width < 500 ? 844 : 900 } });
      const tab = await context.newPage();
      const errors = [];
      tab.on("pageerror", (e) => errors.push(e.message));
      // The pages to visit: the fixed ones, the first incident and the menu's destinations.
      await tab.goto(base + "/", { waitUntil: "load" });
      const first = await tab.evaluate(() => {
        const title = document.querySelector(".card-title");
        const r = title.getBoundingClientRect();
        return { href: title.querySelector("a").getAttribute("href"), bottom: r.bottom + window.scrollY };
      });
      if (scheme === "light") at.firstTitleBottom = first.bottom;
      const menu = await tab.evaluate(() => [...document.querySelectorAll(".site-nav-wide a")].map((a) => a.getAttribute("href")));
      // The matrix when the statistics link to it (it is in no default menu).
      await tab.goto(base + "/stats/", { waitUntil: "load" });
      const matrix = await tab.evaluate(() => [...document.querySelectorAll("a[href$='/matrix/']")].map((a) => a.getAttribute("href")));
      const visit = ["/", first.href, "/stats/", "/search/", "/archive/", "/404.html"];
      for (const href of menu.concat(matrix)) if (href.startsWith("/") && !visit.includes(href)) visit.push(href);
      for (const page of visit) {
        await tab.goto(base + page, { waitUntil: "load" });
        if (scheme === "light") {
          at.pages[page] = await tab.evaluate(() => {
            // The smallest chart text as rendered: its font size times the chart's scale.
            let smallest = null;
            const charts = document.querySelectorAll("svg.chart");
            for (const svg of charts) {
              const scale = svg.getScreenCTM() ? svg.getScreenCTM().a : 1;
              for (const text of svg.querySelectorAll("text")) {
                const size = parseFloat(getComputedStyle(text).fontSize) * scale;
                if (smallest === null || size < smallest) smallest = size;
              }
            }
            return { overflow: document.documentElement.scrollWidth - window.innerWidth, chartText: smallest, charts: charts.length };
          });
          for (const href of await tab.evaluate(() => [...document.querySelectorAll("a[href]")].map((a) => new URL(a.getAttribute("href"), location.href).href))) {
            if (href.startsWith(base)) linked.add(href.split("#")[0]);
          }
        }
        await tab.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
        const result = await tab.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
        for (const v of result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")) {
          at.axe.push(`${scheme} ${page}: ${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")})`);
        }
      }
      if (shots && scheme === "light") {
        for (const [name, page] of [["home", "/"], ["incident", first.href], ["stats", "/stats/"]]) {
          await tab.goto(base + page, { waitUntil: "load" });
          await tab.screenshot({ path: `${shots}-${name}-${width}.png` });
        }
      }
      at.errors = (at.errors || []).concat(errors);
      await context.close();
    }
  }
  // Every page those pages link to exists and has something in it.
  const links = { checked: 0, empty: [], missing: [] };
  for (const href of linked) {
    const url = new URL(href);
    if (/\.(xml|json|csv|css|js|svg|png|txt)$/.test(url.pathname)) continue;
    const response = await fetch(href);
    links.checked += 1;
    if (!response.ok) links.missing.push(url.pathname);
    else if ((await response.text()).includes(EMPTY)) links.empty.push(url.pathname);
  }
  found.links = links;
  await browser.close();
  server.close();
  console.log(JSON.stringify(found));
})().catch((e) => { console.error(e); process.exit(1); });
