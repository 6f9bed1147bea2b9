// Runs axe-core on pages of a built site, served at BASE_URL, in headless Chromium, and fails
// on any violation of serious or critical impact.
//
//   node tests/browser/axe.js BASE_URL PATH...
"use strict";
const path = require("path");
const { chromium } = require("playwright-core");

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

(async () => {
  const [base, ...pages] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  let failures = 0;
  for (const scheme of ["light", "dark"]) {
    const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1280, height: 900 } });
    for (const page of pages) {
      const tab = await context.newPage();
      await tab.goto(base + page, { waitUntil: "load" });
      await tab.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
      const result = await tab.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
      const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      for (const v of bad) {
        failures += 1;
        console.log(`${scheme} ${page}: ${v.impact} ${v.id}: ${v.help}`);
        for (const node of v.nodes.slice(0, 3)) console.log(`    ${node.target.join(" ")}`);
      }
      await tab.close();
    }
    await context.close();
  }
  await browser.close();
  console.log(failures ? `${failures} serious or critical violations` : "no serious or critical violations");
  process.exit(failures ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(2); });
