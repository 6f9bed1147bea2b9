// Drives a page served by `casebook serve` in headless Chromium through an edit, a broken
// file and its fix, and checks what a reader of the tab sees: the page reloading with the
// edit, the error overlay naming the file, the overlay gone after the fix, also after a fix
// that brings back the last good text (which writes no file, so nothing reloads).
//
//   node tests/browser/live.js BASE_URL PAGE FILE
//
// FILE is the incident's Markdown file; the script edits it and restores it.
"use strict";
const fs = require("fs");
const { chromium } = require("playwright-core");

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const OVERLAY = "#casebook-error-overlay";

function step(name) {
  console.log(`- ${name}`);
}

(async () => {
  const [base, page, file] = process.argv.slice(2);
  const original = fs.readFileSync(file, "utf8");
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const tab = await browser.newPage();
    await tab.goto(base + page, { waitUntil: "load" });
    // The event stream is open once the server has said hello; give it a moment to connect.
    await tab.waitForFunction(() => performance.getEntriesByType("resource")
      .some((r) => r.name.includes("/__casebook/events")), null, { timeout: 10000 }).catch(() => {});
    await tab.waitForTimeout(300);

    step("an edit reloads the page with it");
    fs.writeFileSync(file, original.replace("\n---\n", "\n---\nLIVE-EDIT-MARKER\n\n"));
    await tab.waitForFunction(() => document.body.innerText.includes("LIVE-EDIT-MARKER"), null, { timeout: 15000 });

    step("a broken file shows the overlay, naming the file, over the last good page");
    fs.writeFileSync(file, original.replace("title:", "title: [unclosed"));
    const overlay = await tab.waitForSelector(OVERLAY, { state: "visible", timeout: 15000 });
    const text = await overlay.innerText();
    const name = file.split("/").pop();
    if (!text.includes(name) || !text.includes("invalid YAML")) {
      throw new Error(`the overlay does not name the problem: ${text}`);
    }
    if (!(await tab.evaluate(() => document.body.innerText.includes("LIVE-EDIT-MARKER")))) {
      throw new Error("the last good page is gone");
    }

    step("the fix clears the overlay");
    fs.writeFileSync(file, original);
    await tab.waitForSelector(OVERLAY, { state: "detached", timeout: 15000 });
    await tab.waitForFunction(() => !document.body.innerText.includes("LIVE-EDIT-MARKER"), null, { timeout: 15000 });

    step("a fix restoring the last good text clears the overlay too");
    fs.writeFileSync(file, original.replace("title:", "title: [unclosed"));
    await tab.waitForSelector(OVERLAY, { state: "visible", timeout: 15000 });
    fs.writeFileSync(file, original);
    await tab.waitForSelector(OVERLAY, { state: "detached", timeout: 15000 });
    console.log("live reload works");
  } finally {
    fs.writeFileSync(file, original);
    await browser.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
