// Checks a built site in headless Chromium the way a reader on a phone meets it: the images of
// an incident load, every menu link is on screen at 390 px once the menu button is pressed (at
// 1280 px without), and leads where it says, and no page scrolls sideways. Prints one JSON
// object of findings for tests/theme.rs to assert on.
//
//   node tests/browser/site.js SITE_DIR INCIDENT_PATH MENU_TITLE [SCREENSHOT_PREFIX]
"use strict";
const { chromium } = require("playwright-core");
const { serveFolder } = require("./serve-folder");

const [root, incident, menuTitle, shots] = process.argv.slice(2);

(async () => {
  const { server, base } = await serveFolder(root);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const found = {};
  for (const width of [390, 1280]) {
    const context = await browser.newContext({ viewport: { width, height: 844 } });
    const tab = await context.newPage();
    await tab.goto(base + incident, { waitUntil: "load" });
    // Lazy images load once near the viewport.
    await tab.evaluate(() => document.querySelectorAll(".content img").forEach((img) => img.scrollIntoView()));
    await tab.waitForFunction(() => [...document.images].every((img) => img.complete), null, { timeout: 10000 });
    await tab.evaluate(() => window.scrollTo(0, 0));
    // On a phone the menu is behind its button: the header stays one line until it is pressed.
    const button = await tab.$(".menu-phone > summary");
    const buttonShown = button !== null && (await button.isVisible());
    const headerHeight = await tab.evaluate(() => document.querySelector(".site-header").getBoundingClientRect().height);
    if (shots) await tab.screenshot({ path: `${shots}-${width}.png` });
    if (buttonShown) await button.click();
    found[width] = await tab.evaluate(() => ({
      lang: document.documentElement.lang,
      images: [...document.images].map((img) => ({ src: img.getAttribute("src"), width: img.naturalWidth })),
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      // The links of the menu shown: the phone's or the wide screen's (the other is hidden).
      menu: [...document.querySelectorAll(".site-nav")].filter((nav) => nav.getClientRects().length > 0)
        .flatMap((nav) => [...nav.querySelectorAll("a")]).map((a) => {
          const r = a.getBoundingClientRect();
          return { title: a.textContent.trim(), visible: r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= window.innerWidth };
        }),
    }));
    Object.assign(found[width], { menuButton: buttonShown, headerHeight });
    // The menu works: its link leads to its page.
    await tab.click(`.site-nav a:visible:text-is("${menuTitle}")`);
    await tab.waitForLoadState("load");
    found[width].followed = { path: new URL(tab.url()).pathname, heading: await tab.textContent("h1") };
    await context.close();
  }
  await browser.close();
  server.close();
  console.log(JSON.stringify(found));
})().catch((e) => { console.error(e); process.exit(1); });
