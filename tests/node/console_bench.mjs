// Chromium's side of tests/bench/console.sh: time from navigation to the
// first render of the overview (its counts) and of the grid (all its
// cards), measured in the page (performance.now() at the first animation
// frame that has them), and the bytes each moved by then (Resource
// Timing; the first run's, a cold cache), best of 3 for the time.
//   node console_bench.mjs BASE USER PASSWORD N
import { chromium } from "playwright-core";

const [base, user, password, n] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const rows = [];
for (const [name, hash, ready] of [["overview", "#/", "#counts"], ["camera grid", "#/cameras", `#grid [data-camera]:nth-child(${n})`]]) {
  let best = null, bytes = 0, first = 0;
  for (let k = 0; k < 3; k++) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    // a session first (the login form is not what is measured)
    await page.goto(base + "/");
    await page.evaluate(async ([u, p]) => {
      await fetch("/api/v1/session", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user: u, password: p }) });
    }, [user, password]);
    // a new document (not a hash change); timed in the page, from its
    // navigation to the moment the selector is there (pictures may still load)
    await page.goto(`${base}/?run=${k}${hash}`, { waitUntil: "commit" });
    await page.waitForFunction((sel) => {
      if (document.querySelector(sel) && !window.__drawn) window.__drawn = performance.now();
      return window.__drawn;
    }, ready, { timeout: 30000, polling: "raf" });
    const ms = Math.round(await page.evaluate(() => window.__drawn));
    const moved = await page.evaluate(() => performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource"))
      .reduce((s, e) => s + (e.transferSize || 0), 0));
    if (best === null || ms < best) { best = ms; bytes = moved; }
    if (k === 0) first = moved;
    await ctx.close();
  }
  rows.push([name, best, first]);
}
await browser.close();
console.log(`| ${"Chromium, first render".padEnd(44)} | ${"ms".padStart(10)} | ${"bytes".padStart(10)} |`);
console.log(`|${"-".repeat(46)}|${"-".repeat(12)}|${"-".repeat(12)}|`);
for (const [name, ms, b] of rows) console.log(`| ${(name + ` (${n} cameras)`).padEnd(44)} | ${String(ms).padStart(10)} | ${String(b).padStart(10)} |`);
