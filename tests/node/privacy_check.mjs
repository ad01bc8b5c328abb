// Issue #26 in Debian's headless Chromium (playwright-core):
//   node privacy_check.mjs BASE INITIAL_USER INITIAL_PW NEW_PW ADMIN_USER ADMIN_PW CAMERA FROM TO OUT_ZIP SHOTS
// An initial password's user sees only the change form until the password
// is changed, then the console; an admin exports a camera's range from the
// audit page (a ZIP download) and erases it (after a confirmation).
// Prints "ok: ..." lines; exits 1 at the first failure, with a screenshot.
import { chromium } from "playwright-core";

const [base, initUser, initPw, newPw, adminUser, adminPw, camera, from, to, outZip, shots] = process.argv.slice(2);
let browser, page;
const ok = (m) => console.log(`ok: ${m}`);
async function fail(m) {
  console.error(`FAIL: ${m}`);
  try { if (page) await page.screenshot({ path: `${shots}/failure.png`, fullPage: true }); } catch (e) { /* as it is */ }
  if (browser) await browser.close();
  process.exit(1);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, fn, ms) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    try { if (await fn()) return; } catch (e) { /* not yet */ }
    await sleep(100);
  }
  await fail(`${what}: not within ${ms / 1000} s`);
}
async function login(user, pw) {
  await page.goto(base + "/");
  await page.waitForSelector("#login");
  await page.fill("#user", user);
  await page.fill("#password", pw);
  await page.click("#login button[type=submit]");
}

browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "vi-VN", acceptDownloads: true });
page = await ctx.newPage();
const scriptErrors = [];
page.on("pageerror", (e) => scriptErrors.push(e.message));

// ---- an initial password ----
await login(initUser, initPw);
await until("the change form after an initial password's login", async () => await page.isVisible("#change-password"), 5000);
if (await page.isVisible("#counts")) await fail("the overview is shown before the initial password is changed");
await page.goto(base + "/#/cameras");
await sleep(500);
if (!(await page.isVisible("#change-password"))) await fail("another page opened before the initial password was changed");
await page.screenshot({ path: `${shots}/change-password.png`, fullPage: true });
await page.fill("#pw-current", initPw);
await page.fill("#pw-new", "short");
await page.fill("#pw-again", "short");
await page.click("#change-password button[type=submit]");
await until("a weak password refused on the page", async () => (await page.textContent("#pw-error")).includes("8"), 5000);
const weak = await page.textContent("#pw-error");
// in the console's language, with the password's own count
const lang = await page.evaluate(() => document.documentElement.lang);
const want = lang === "vi" ? "Mật khẩu cần ít nhất 8 ký tự (mật khẩu này có 5)" : "A password needs at least 8 characters (this one has 5)";
if (weak !== want) await fail(`the weak password's refusal in '${lang}': '${weak}', not '${want}'`);
await page.fill("#pw-new", newPw);
await page.fill("#pw-again", newPw);
await page.click("#change-password button[type=submit]");
await until("the console after the change", async () => await page.isVisible("#logout") && !(await page.isVisible("#change-password")), 8000);
ok(`${initUser}: only the change form until the password was changed (a weak one refused: '${weak}'), then the console`);
await page.click("#logout");
await page.waitForSelector("#login");

// ---- an admin answers a person's request ----
await login(adminUser, adminPw);
await page.waitForSelector("#counts");
await page.goto(base + "/#/audit");
await until("the privacy form on the audit page", async () => await page.isVisible("#privacy"), 5000);
await page.selectOption("#p-scope", "camera:" + camera);
const local = (s) => { const d = new Date(Number(s) * 1000); return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16); };
await page.fill("#p-from", local(from));
await page.fill("#p-to", local(to));
const [download] = await Promise.all([page.waitForEvent("download", { timeout: 15000 }), page.click("#p-export")]);
await download.saveAs(outZip);
ok(`${adminUser} exported ${camera}'s range from the audit page: ${download.suggestedFilename()}`);
page.once("dialog", (d) => d.accept());
await page.click("#p-erase");
await until("the erase's answer on the page", async () => /\d+/.test(await page.textContent("#p-msg")) && (await page.textContent("#p-msg")).includes("xoá"), 10000);
ok(`erased after a confirmation: '${await page.textContent("#p-msg")}'`);
await page.screenshot({ path: `${shots}/privacy.png`, fullPage: true });
if (scriptErrors.length) await fail(`script errors: ${scriptErrors.join("; ")}`);
await browser.close();
