// Chromium's side of tests/bench/console.sh: time from navigation to the
// first render of the overview (its counts) and of the grid (all its
// cards), and the bytes each moved (Resource Timing), best of 3 each.
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
    const t0 = Date.now();
    await page.goto(base + "/" + hash);
    await page.waitForSelector(ready, { timeout: 30000 });
    const ms = Date.now() - t0;
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
