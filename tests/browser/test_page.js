// tests/browser/test_page.js: the page (api/www/index.html) in a real
// browser against a running stack: Debian's chromium, headless, driven by
// playwright-core (tests/browser/README.md). Run by tests/browser/run.
//
// Two users, each in a page of their own browser context (separate
// localStorage, separate streams):
//   1. both sign up through the page; both streams go live;
//   2. A follows B by handle; B posts: the post appears in A's home
//      without a reload, and A's home unseen count moves to its exact
//      value (A's follow and B's post: 2);
//   3. B follows A back: A's notification count goes 0 -> 1 live, and
//      A's home count to 3 (B's follow is B's activity, so in A's home);
//      "Mark seen" brings the notification count back to 0;
//   4. B deletes the post from B's page: it disappears from A's page, and
//      A's home count goes back to 2.
// Each step waits at most STEP_MS; the whole run takes seconds. Prints
// ok/FAIL per step and ends with "N passed, N failed"; exit 1 on a failure.
"use strict";

const path = require("path");

const BASE = process.env.FEED_PAGE_URL || "http://127.0.0.1:" + (process.env.FEED_API_PORT || "18080") + "/";
const CHROMIUM = process.env.FEED_CHROMIUM || "/usr/bin/chromium";
const STEP_MS = Number(process.env.FEED_BROWSER_STEP_MS || 20000);

let chromium;
try {
  ({ chromium } = require(path.join(__dirname, "node_modules", "playwright-core")));
} catch (e) {
  console.error("tests/browser: playwright-core is not installed in tests/browser/node_modules; run 'make install'");
  process.exit(1);
}

let passed = 0;
let failed = 0;

async function step(what, fn) {
  try {
    await fn();
    passed++;
    console.log("ok    " + what);
  } catch (e) {
    failed++;
    console.log("FAIL  " + what + "\n      " + String(e && e.message ? e.message : e).split("\n").join("\n      "));
    if (e && typeof e === "object") e.reported = true;
    throw e;
  }
}

// A handle nobody has: the run's own (a-z, 0-9, _).
function handle(prefix) {
  return prefix + Date.now().toString(36) + Math.floor(Math.random() * 1e6).toString(36);
}

async function signUp(page, h) {
  await page.goto(BASE);
  await page.fill("#handle", h);
  await page.fill("#display", h.toUpperCase());
  await page.click("#signup-btn");
  await page.waitForSelector("#app:not(.hidden)", { timeout: STEP_MS });
  await page.waitForFunction(
    () => document.getElementById("home-state").textContent === "live" &&
          document.getElementById("notif-state").textContent === "live",
    null, { timeout: STEP_MS });
}

// Wait until the badge shows n (text), failing with what it shows.
async function badgeIs(page, id, n) {
  try {
    await page.waitForFunction(([i, v]) => document.getElementById(i).textContent === String(v), [id, n],
                               { timeout: STEP_MS });
  } catch (e) {
    throw new Error("#" + id + " shows " + JSON.stringify(await page.textContent("#" + id)) + ", not " + n);
  }
}

async function main() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox"], // tests run as root
  });
  const errors = [];
  try {
    const ctxA = await browser.newContext();
    const ctxB = await browser.newContext();
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    for (const [name, p] of [["A", a], ["B", b]]) {
      p.on("pageerror", (e) => errors.push(name + ": " + e.message));
      p.on("dialog", (d) => d.dismiss());
    }
    const ha = handle("bta"), hb = handle("btb");
    const text = "hello from " + hb;

    await step("both users sign up through the page and their streams go live", async () => {
      await signUp(a, ha);
      await signUp(b, hb);
      await badgeIs(a, "unseen", 0);
      await badgeIs(a, "home-unseen", 0);
    });

    await step("A follows B by handle; B's post appears in A's home without a reload", async () => {
      await a.fill("#follow-handle", hb);
      await a.click("#follow-btn");
      await a.waitForFunction(() => document.getElementById("follow-handle").value === "", null,
                              { timeout: STEP_MS });
      await b.fill("#post-body", text);
      await b.click("#post-btn");
      await a.locator("#home .item", { hasText: text }).waitFor({ timeout: STEP_MS });
      const loads = await a.evaluate(() => performance.getEntriesByType("navigation").length);
      if (loads !== 1) throw new Error("A's page was loaded " + loads + " times");
    });

    await step("A's home unseen count is exact: the follow and the post", async () => {
      await badgeIs(a, "home-unseen", 2);
    });

    await step("B follows A back: A's notification count moves live, Mark seen clears it", async () => {
      await b.fill("#follow-handle", ha);
      await b.click("#follow-btn");
      await badgeIs(a, "unseen", 1);
      await badgeIs(a, "home-unseen", 3);
      await a.locator("#notifs .item").first().waitFor({ timeout: STEP_MS });
      await a.click("#seen-btn");
      await badgeIs(a, "unseen", 0);
    });

    await step("B deletes the post: it disappears from A's page, A's home count follows", async () => {
      const mine = b.locator("#home .item", { hasText: text });
      await mine.waitFor({ timeout: STEP_MS });
      await mine.getByRole("button", { name: "delete" }).click();
      await a.locator("#home .item", { hasText: text }).waitFor({ state: "detached", timeout: STEP_MS });
      await badgeIs(a, "home-unseen", 2);
    });

    await step("no script error in either page", async () => {
      const shown = [await a.textContent("#error"), await b.textContent("#error")].filter((t) => t);
      if (errors.length > 0 || shown.length > 0) throw new Error(errors.concat(shown).join("; "));
    });
  } finally {
    await browser.close();
  }
}

main()
  .catch((e) => { // a failed step said why already
    if (!(e && e.reported)) {
      failed++;
      console.log("FAIL  the browser run: " + (e && e.message ? e.message : e));
    }
  })
  .finally(() => {
    console.log(passed + " passed, " + failed + " failed");
    process.exit(failed === 0 && passed > 0 ? 0 : 1);
  });
