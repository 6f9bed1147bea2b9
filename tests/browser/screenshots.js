// Screenshots of the default theme for README.md: home, an incident, statistics and the
// ATT&CK matrix, at 390 px (a phone) and 1280 px wide, in light and dark. With a PREFIX, of
// another site: its home, its newest incident and its statistics, named PREFIX-home-390-light.png…
//
//   cargo run --release -- build && node tests/browser/screenshots.js public docs/screenshots
//   node tests/browser/screenshots.js SITE_DIR docs/screenshots outage
"use strict";
const fs = require("fs");
const path = require("path");
const { chromium } = require("playwright-core");
const { serveFolder } = require("./serve-folder");

const [root = "public", out = "docs/screenshots", prefix = ""] = process.argv.slice(2);

(async () => {
  const { server, base } = await serveFolder(root);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  fs.mkdirSync(out, { recursive: true });
  let pages = { home: "/", incident: "/incidents/2023-07-angouleme-ransomware/", stats: "/stats/", matrix: "/matrix/" };
  if (prefix) {
    const html = fs.readFileSync(path.join(root, "index.html"), "utf8");
    const newest = /class="card-title"><a href="([^"]+)"/.exec(html)[1];
    pages = { [`${prefix}-home`]: "/", [`${prefix}-incident`]: newest, [`${prefix}-stats`]: "/stats/" };
  }
  for (const [width, height] of [[390, 844], [1280, 900]]) {
    for (const scheme of ["light", "dark"]) {
      const context = await browser.newContext({ colorScheme: scheme, viewport: { width, height } });
      for (const [name, url] of Object.entries(pages)) {
        const tab = await context.newPage();
        await tab.goto(base + url, { waitUntil: "load" });
        await tab.screenshot({ path: path.join(out, `${name}-${width}-${scheme}.png`) });
        await tab.close();
      }
      await context.close();
    }
  }
  await browser.close();
  server.close();
})().catch((e) => { console.error(e); process.exit(1); });
