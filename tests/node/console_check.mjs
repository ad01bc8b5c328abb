// The web console in Debian's headless Chromium, driven by playwright-core:
//   node console_check.mjs BASE TECH_USER TECH_PW VIEWER_USER VIEWER_PW SHOTS_DIR
// with CW_GATE_PID (the camsim of camera "gate", killed here),
// CW_GATE_RESTART (the command that starts it again) and CW_GATE_READY
// (its ready file). Prints "ok: ..." lines; exits 1 at the first failure,
// after a screenshot of the page as it was.
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { existsSync, unlinkSync, writeFileSync } from "node:fs";
import http from "node:http";

const [base, techUser, techPw, viewUser, viewPw, shots] = process.argv.slice(2);
const STALL_S = 2; // the gate's stall_timeout in test_console.sh
let browser, page, restarted, evil;
const ok = (m) => console.log(`ok: ${m}`);
async function fail(m) {
  console.error(`FAIL: ${m}`);
  try { if (page) await page.screenshot({ path: `${shots}/failure.png`, fullPage: true }); } catch (e) { /* as it is */ }
  await cleanup();
  process.exit(1);
}
async function cleanup() {
  if (restarted && restarted.exitCode === null) { restarted.kill("SIGTERM"); await new Promise((r) => restarted.once("exit", r)); }
  if (evil) evil.close();
  if (browser) await browser.close();
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, fn, ms) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    try { if (await fn()) return (Date.now() - t0) / 1000; } catch (e) { /* not yet */ }
    await sleep(100);
  }
  await fail(`${what}: not within ${ms / 1000} s`);
}
async function shot(name) { await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true }); }

browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "vi-VN" });
page = await ctx.newPage();
const scriptErrors = [];
page.on("pageerror", (e) => scriptErrors.push(e.message));
page.on("dialog", async (d) => { scriptErrors.push(`a dialog opened: ${d.message()}`); await d.dismiss(); });

// ---- log in ----
await page.goto(base + "/");
await page.waitForSelector("#login");
await page.waitForLoadState("load");
const firstLoad = await page.evaluate(() => performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource"))
  .reduce((n, e) => n + (e.transferSize || 0), 0));
await shot("login");
await page.fill("#user", techUser);
await page.fill("#password", "not-the-password");
await page.click("#login button[type=submit]");
await until("the wrong password is refused on the page", async () => (await page.textContent("#login-error")).length > 0, 5000);
const refused = await page.textContent("#login-error");
await page.fill("#password", techPw);
await page.click("#login button[type=submit]");
await page.waitForSelector("#counts");
ok(`first load (page, script, stylesheet) ${(firstLoad / 1024).toFixed(1)} KiB transferred; a wrong password refused ('${refused}'); ${techUser} logged in`);
await shot("overview");

// ---- a black picture is a fault: overview, work list, tiles, grid (issue #29 items 4, 9) ----
await until("the black camera (den) on the work list", async () =>
  (await page.$('#worklist tr[data-camera="den"][data-fault="image"]')) !== null, 45000);
const denRow = (await page.textContent('#worklist tr[data-camera="den"]')).replace(/\s+/g, " ");
if (!denRow.includes("tối đen") || !denRow.includes("Cần kiểm tra:")) await fail(`the black camera's work-list row: ${denRow}`);
const imgCount = await page.textContent('#counts [data-state="image"] b').catch(() => null);
if (imgCount !== "1") await fail(`the overview's bad-picture count: ${imgCount}`);
const tileText = await page.textContent('[data-place="site:cong-lang"]');
if (!tileText.includes("hình ảnh kém")) await fail(`the site's tile does not show the bad picture: ${tileText}`);
const mainText = await page.textContent("#main");
if (/\bnull\b/.test(mainText)) await fail(`'null' on the overview: ${mainText.slice(0, 400)}`);
const worklistOrder = await page.evaluate(() => [...document.querySelectorAll("#worklist tr[data-camera]")].map((r) => r.dataset.camera));
await shot("overview-black");
for (const [w, h] of [[1280, 800], [390, 844]]) {
  await page.setViewportSize({ width: w, height: h });
  await sleep(300);
  const box = async (sel) => page.evaluate((q) => { const r = document.querySelector(q).getBoundingClientRect(); return [r.left, r.right, r.width]; }, sel);
  for (const cell of ["w-cause", "w-since"]) {
    const [l, r, bw] = await box(`#worklist tr[data-camera="den"] td.${cell}`);
    if (bw <= 0 || l < 0 || r > w + 1) await fail(`at ${w} px the work list's ${cell} is off screen (${l}..${r})`);
  }
  if (/\bnull\b/.test(await page.textContent("#main"))) await fail(`'null' on the overview at ${w} px`);
  await shot(`overview-black-${w}`);
}
await page.setViewportSize({ width: 1280, height: 800 });
await page.goto(base + "/#/cameras");
await until("the black camera's card badge says tối đen", async () =>
  (await page.textContent('[data-camera="den"] .badge')).includes("tối đen"), 30000);
if (await page.$('[data-camera="den"] .s-online')) await fail("the black camera's card still shows a green badge");
await page.goto(base + "/#/camera/a");
await page.waitForSelector("#camera-actions");
if (await page.$("#ack")) await fail("'Nhận xử lý' offered on a camera that works");
ok(`a black camera: counted apart on the overview, on the work list (${worklistOrder.join(", ")}) with its fix, its tile and card badge say so; no 'null'; cause and since on screen at 1280 and 390 px; no 'Nhận xử lý' on a working camera`);

// ---- the grid: every camera, each with its thumbnail ----
await page.goto(base + "/#/cameras");
await page.waitForSelector("#grid");
const want = ["a", "b", "gate", "mot", "pw", "xss"];
await until("every camera in the grid with a loaded thumbnail", async () => page.evaluate((ids) => ids.every((id) => {
  const img = document.querySelector(`[data-camera="${id}"] img`);
  return img && img.complete && img.naturalWidth >= 320;
}), want), 30000);
const xssText = await page.textContent('[data-camera="xss"] .name');
if (xssText !== "<script>alert(1)</script>") await fail(`the camera named <script> reads '${xssText}'`);
if (await page.evaluate(() => document.querySelectorAll("#grid script").length) !== 0) await fail("a script element in the grid");
ok(`grid: ${want.length} cameras, each with a thumbnail (>= 320 px); the camera named <script>alert(1)</script> shows as text`);
await shot("cameras");

// ---- a camera goes down on the open page, and comes back ----
const killed = Date.now();
process.kill(Number(process.env.CW_GATE_PID), "SIGKILL");
const downAfter = await until("gate shown down without a reload", async () =>
  ["offline", "stalled"].includes(await page.getAttribute('[data-camera="gate"]', "data-state")), (STALL_S + 3) * 1000);
ok(`gate's camsim killed: the open grid showed it down ${downAfter.toFixed(1)} s later (limit: stall_timeout ${STALL_S} s + 3 s), no reload`);
// its thumbnail was taken before it went down: marked as old
await until("gate's thumbnail marked as older than its outage", async () => (await page.$('[data-camera="gate"] .old-mark')) !== null, 6000);
await page.goto(base + "/#/");
await page.waitForSelector('#worklist tr[data-camera="gate"]');
await shot("overview-down");

// ---- acknowledge it, declare and end maintenance ----
await page.goto(base + "/#/camera/gate");
await page.waitForSelector("#ack");
// every field of the actions has a label of its own (a screen reader, a
// clerk): no "Số giờ" standing beside the note field
const labels = await page.evaluate(() => [...document.querySelectorAll("#camera-actions input")].map((i) =>
  [i.name, i.labels && i.labels.length ? i.labels[0].textContent.trim() : ""]));
if (labels.length < 3 || labels.some(([, l]) => !l) || new Set(labels.map(([, l]) => l)).size !== labels.length)
  await fail(`the camera page's fields need a label each: ${JSON.stringify(labels)}`);
ok(`the camera page's fields are labelled: ${labels.map(([n, l]) => n + " = '" + l + "'").join(", ")}`);
await page.fill('#camera-actions input[name="note"]', "anh Nam đi kiểm tra nguồn");
await page.click("#ack");
await until("the acknowledgement shows on the camera page", async () => (await page.textContent("#facts")).includes(techUser), 6000);
await page.goto(base + "/#/");
await until("the work list says who took it on", async () => (await page.textContent('#worklist tr[data-camera="gate"]')).includes(techUser), 6000);
await page.goto(base + "/#/camera/gate");
await page.waitForSelector("#maint-add");
await page.fill('#camera-actions input[name="mnote"]', "thay bộ nguồn");
await page.click("#maint-add");
await until("the maintenance window is listed", async () => (await page.$("#maint-table .maint-end")) !== null, 12000);
const maintShown = await page.evaluate(() => !!document.querySelector('#facts .s-maint'));
await shot("camera-maintenance");
await page.click("#maint-table .maint-end");
await until("the window ends", async () => (await page.$("#maint-table .maint-end")) === null, 12000);
ok(`acknowledged from the camera page (the work list shows ${techUser}); maintenance declared${maintShown ? " (the camera shows it)" : ""} and ended`);

// ---- the camera comes back; the timeline draws the outage ----
if (existsSync(process.env.CW_GATE_READY)) unlinkSync(process.env.CW_GATE_READY);
const [cmd, ...args] = process.env.CW_GATE_RESTART.split(" ");
restarted = spawn(cmd, args, { stdio: "ignore", env: { ...process.env, ASAN_OPTIONS: "detect_leaks=0" } });
const back = await until("gate back online on the open page", async () =>
  (await page.textContent("#facts .badge")).trim() === "hoạt động", 20000);
const drawn = await until("the timeline draws the outage", async () =>
  (await page.$$('#timeline-svg rect[data-state="offline"], #timeline-svg rect[data-state="stalled"]')).length > 0, 15000);
ok(`gate back online on the page ${back.toFixed(1)} s after its camsim restarted; the timeline draws the outage (${((Date.now() - killed) / 1000).toFixed(0)} s after the kill)`);
await shot("camera");

// ---- an event's snapshot ----
await until("a motion event of camera mot", async () => {
  await page.goto(base + "/#/");
  await page.goto(base + "/#/events?camera=mot&hours=24");
  await page.waitForSelector("#main h1");
  return (await page.waitForSelector(".open-snapshot", { timeout: 3000 })) !== null;
}, 60000);
await page.click(".open-snapshot");
await page.waitForSelector("dialog#viewer img");
await until("the snapshot loads", async () => page.evaluate(() => {
  const i = document.querySelector("dialog#viewer img");
  return i.complete && i.naturalWidth >= 640;
}), 5000);
ok(`events: a snapshot of mot opens (${await page.evaluate(() => document.querySelector("dialog#viewer img").naturalWidth)} px wide)`);
await shot("events");
await page.keyboard.press("Escape");

// ---- the other pages ----
for (const [name, sel] of [["alerts", "#main h1"], ["audit", "#audit-table"], ["report", "#main h1"]]) {
  await page.goto(`${base}/#/${name}`);
  await page.waitForSelector(sel);
  if (name === "audit") {
    // the commune's words, never identifiers or raw UTC (issue #29 item 9)
    const heads = await page.$$eval("#audit-table th", (ths) => ths.map((x) => x.textContent));
    const cells = await page.$$eval("#audit-table td", (tds) => tds.map((x) => x.textContent));
    if (!heads.includes("Đối tượng") || heads.includes("Nơi nhận")) await fail(`audit headings: ${heads.join(" | ")}`);
    if (cells.some((c) => /^(login|logout|ack|maintenance_add|maintenance_end|login_failed)$/.test(c))) await fail(`audit actions as identifiers: ${cells.join(" | ")}`);
    if (!cells.includes("khai báo bảo trì") || !cells.includes("đăng nhập")) await fail(`audit actions: ${cells.join(" | ")}`);
    if (cells.some((c) => /\d{4}-\d\d-\d\dT\d\d:\d\d/.test(c))) await fail(`raw ISO times in the audit list: ${cells.filter((c) => /T\d\d:/.test(c)).join(" | ")}`);
  }
}
await page.click(".filters .primary");
await until("the report shows in its frame", async () => {
  const f = page.frames().find((fr) => fr.url().includes("/api/v1/report"));
  return f && (await f.textContent("body")).includes("Hòa Bình");
}, 10000);
await shot("report");
ok("alerts, audit and report pages open; the month's report shows in the report page's frame");

// ---- a viewer cannot act ----
const vctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const vpage = await vctx.newPage();
await vpage.goto(base + "/");
await vpage.fill("#user", viewUser);
await vpage.fill("#password", viewPw);
await vpage.click("#login button[type=submit]");
await vpage.waitForSelector("#counts");
await vpage.goto(base + "/#/camera/a");
await vpage.waitForSelector("#camera-actions");
if (await vpage.$("#ack")) await fail("the viewer is offered the acknowledge button");
const vstatus = await vpage.evaluate(async () => {
  const s = await (await fetch("/api/v1/session")).json();
  const r = await fetch("/api/v1/cameras/a/ack", { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": s.csrf }, body: "{}" });
  return r.status;
});
if (vstatus !== 403) await fail(`the viewer's ack answered ${vstatus}`);
ok("viewer: no action buttons, and the API answers 403 to its ack");
await vctx.close();

// ---- a POST from another origin is refused ----
const acksBefore = await page.evaluate(async () => (await (await fetch("/api/v1/acks")).json()).items.length);
evil = http.createServer((req, res) => {
  res.setHeader("Content-Type", "text/html");
  res.end(`<form id=f method=POST action="${base}/api/v1/cameras/b/ack" enctype="text/plain"><input name='{"note":"x","a":"' value='"}'></form>
<script>fetch("${base}/api/v1/cameras/b/ack",{method:"POST",credentials:"include",mode:"no-cors",body:"{}"}).finally(()=>document.getElementById("f").submit())</script>`);
});
await new Promise((r) => evil.listen(0, "127.0.0.1", r));
const evilPage = await ctx.newPage();
await evilPage.goto(`http://127.0.0.1:${evil.address().port}/`);
await sleep(1500);
await evilPage.close();
const acksAfter = await page.evaluate(async () => (await (await fetch("/api/v1/acks")).json()).items.length);
if (acksAfter !== acksBefore) await fail(`a page on another origin acknowledged a camera (${acksBefore} -> ${acksAfter})`);
ok(`a form and a fetch from http://127.0.0.1:${evil.address().port} (another origin, with the session cookie) changed nothing`);

// ---- a phone: 360 px, no sideways scrolling ----
await page.setViewportSize({ width: 360, height: 740 });
const wide = [];
for (const h of ["#/", "#/cameras", "#/camera/gate", "#/events", "#/alerts", "#/report", "#/audit"]) {
  await page.goto(base + "/" + h);
  await page.waitForSelector("#main h1");
  await sleep(300);
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  if (w > 360) wide.push(`${h}: ${w} px`);
  await shot("phone-" + (h.replace(/[#/]/g, "") || "overview"));
}
if (wide.length) await fail(`pages wider than 360 px: ${wide.join(", ")}`);
ok("at 360 px wide no page scrolls sideways (7 pages)");

// ---- what the page was told, kept for the secrets sweep ----
for (const p of ["/api/v1/cameras?limit=10000", "/api/v1/cameras/pw", "/api/v1/session", "/api/v1/audit?limit=1000",
                 "/api/v1/alerts", "/api/v1/acks", "/api/v1/maintenance", "/"]) {
  const body = await page.evaluate(async (u) => (await fetch(u)).text(), p);
  writeFileSync(`${shots}/answer-${p.replace(/[^a-z0-9]+/gi, "_")}.txt`, body);
}
const sid = (await ctx.cookies()).find((c) => c.name === "cw_session");
if (!sid || !sid.httpOnly || sid.sameSite !== "Strict") await fail(`the session cookie: ${JSON.stringify(sid && { httpOnly: sid.httpOnly, sameSite: sid.sameSite })}`);
writeFileSync(`${shots}/../session-id`, sid.value);

// ---- logout ----
await page.setViewportSize({ width: 1280, height: 800 });
await page.goto(base + "/#/");
await page.click("#logout");
await page.waitForSelector("#login");
const after = await page.evaluate(async () => (await fetch("/api/v1/cameras")).status);
if (after !== 401) await fail(`after logout the API answered ${after}`);
if (scriptErrors.length) await fail(`script errors or dialogs: ${scriptErrors.join("; ")}`);
ok("logout: back to the login form, the API answers 401; no script error or dialog on any page");
await cleanup();
