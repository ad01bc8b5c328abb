/* camwatch console: one script, no framework, no build step, nothing from
 * the internet. Every text from the server goes into the page through
 * textContent (never as HTML), so a camera named <script> stays a name.
 * Live data: /api/v1/cameras polled every 2 s (changes show within 3 s). */
"use strict";

const POLL_MS = 2000;
const WORKLIST_ROWS = 100;

const T = {
  vi: {
    overview: "Tổng quan", cameras: "Camera", events: "Sự kiện", alerts: "Cảnh báo", report: "Báo cáo", audit: "Nhật ký",
    security: "Bảo mật camera", sec_none: "không có cảnh báo (camwatch inventory)", factory_password: "mật khẩu mặc định của hãng",
    shared_password: "dùng chung mật khẩu với camera khác", old_firmware: "firmware cũ", rtsp_without_tls: "RTSP không mã hoá dù camera có RTSPS",
    notice: "Thông báo ghi hình", notice_none: "chưa ghi nhận thông báo ghi hình cho người dân (Luật BVDLCN, Điều 32)", notice_since: "từ",
    pw_title: "Đổi mật khẩu ban đầu", pw_current: "Mật khẩu hiện tại", pw_new: "Mật khẩu mới", pw_again: "Nhập lại mật khẩu mới",
    pw_save: "Đổi mật khẩu", pw_differ: "Hai mật khẩu mới không giống nhau",
    pw_wrong_current: "Mật khẩu hiện tại không đúng",
    pw_too_short: "Mật khẩu cần ít nhất 8 ký tự (mật khẩu này có {chars})",
    pw_too_few_kinds: "Mật khẩu cần 3 trong 4 loại ký tự: chữ thường, chữ hoa, chữ số, ký tự khác (mật khẩu này có {chars} ký tự thuộc {kinds} loại)",
    pw_unchanged: "Mật khẩu mới phải khác mật khẩu hiện tại",
    pw_hint: "Tài khoản này dùng mật khẩu ban đầu: hãy đổi trước khi làm việc khác (ít nhất 8 ký tự, gồm 3 trong 4 loại: chữ thường, chữ hoa, chữ số, ký tự khác).",
    privacy: "Yêu cầu về dữ liệu cá nhân", p_scope: "Camera hoặc điểm", p_from: "Từ", p_to: "Đến",
    p_export: "Trích xuất (tệp ZIP)", p_erase: "Xoá ảnh trong khoảng", p_confirm: "Xoá vĩnh viễn mọi ảnh của {0} trong khoảng này? Sự kiện vẫn giữ thời gian.",
    p_erased: "Đã xoá {1} ảnh của {0} sự kiện.", p_hint: "Luật Bảo vệ dữ liệu cá nhân: trả lời yêu cầu trong 2 ngày làm việc. Mọi lần trích xuất và xoá đều ghi vào nhật ký.",
    login: "Đăng nhập", logout: "Đăng xuất", user: "Tên đăng nhập", password: "Mật khẩu", wrong: "Sai tên hoặc mật khẩu",
    limited: "Thử sai quá nhiều lần; thử lại sau %s giây",
    all: "Tất cả", worklist: "Việc cần làm",
    worklist_none: "Không có camera nào đang hỏng.", since: "từ", for_: "đã", cause: "Nguyên nhân", place: "Địa điểm",
    acked: "đã nhận xử lý", maint: "đang bảo trì", search: "Tìm theo mã hoặc tên", state: "Trạng thái", commune: "Xã",
    site: "Điểm", district: "Huyện", province: "Tỉnh", no_thumb: "chưa có ảnh", last_packet: "Gói tin cuối", fps: "Khung hình/giây",
    bitrate: "Tốc độ bit", image: "Hình ảnh", image_ok: "bình thường", not_checked: "không kiểm tra", outage_start: "Bắt đầu gián đoạn",
    detail: "Chi tiết", timeline: "Lịch sử trạng thái", outages: "Các lần gián đoạn", recent_events: "Sự kiện gần đây",
    ack: "Nhận xử lý", ack_note: "Ghi chú (ví dụ: ai đi kiểm tra)", ack_label: "Ghi chú nhận xử lý", maint_note: "Ghi chú bảo trì", maint_new: "Khai báo bảo trì", hours: "Số giờ",
    note: "Ghi chú", end: "Kết thúc", maint_list: "Bảo trì", from: "Từ", to: "Đến", by: "Người thực hiện", kind: "Loại",
    camera: "Camera", time: "Thời gian", start: "Bắt đầu", duration: "Thời lượng", snapshot: "Ảnh", open: "Xem",
    target: "Nơi nhận", delivery: "Trạng thái gửi", attempts: "Lần gửi", last_error: "Lỗi cuối", period: "Tháng",
    view: "Xem", download: "Tải", action: "Việc", address: "Địa chỉ", none: "Không có.", more: "Xem thêm",
    viewer_note: "Tài khoản xem: không thay đổi được gì.", saved: "Đã lưu.", ago_now: "vừa xong", zone: "múi giờ",
    total: "Tổng", ongoing: "đang diễn ra",
    r24h: "24 giờ", r7d: "7 ngày", r30d: "30 ngày",
    maintenance_band: "bảo trì", more_down: "camera khác cũng đang hỏng", lang: "English", user_: "Người dùng", action: "Việc làm",
    object: "Đối tượng", fix: "Cần kiểm tra", old_thumb: "ảnh cũ, chụp trước khi hỏng", taken_on: "người nhận",
  },
  en: {
    overview: "Overview", cameras: "Cameras", events: "Events", alerts: "Alerts", report: "Report", audit: "Audit",
    security: "Camera security", sec_none: "no warning (camwatch inventory)", factory_password: "a maker's factory password",
    shared_password: "the password of another camera too", old_firmware: "old firmware", rtsp_without_tls: "RTSP without TLS though the camera offers RTSPS",
    notice: "Recording notice", notice_none: "no recording notice recorded for the people filmed (PDPL Art. 32)", notice_since: "since",
    pw_title: "Change the initial password", pw_current: "Current password", pw_new: "New password", pw_again: "New password again",
    pw_save: "Change the password", pw_differ: "The two new passwords differ",
    pw_wrong_current: "The current password is wrong",
    pw_too_short: "A password needs at least 8 characters (this one has {chars})",
    pw_too_few_kinds: "A password needs 3 of 4 kinds of characters: lower case, upper case, digits, others (this one has {chars} characters of {kinds} kinds)",
    pw_unchanged: "The new password must differ from the current one",
    pw_hint: "This account has an initial password: change it before anything else (at least 8 characters, of 3 of 4 kinds: lower case, upper case, digits, others).",
    privacy: "A person's request about their data", p_scope: "Camera or site", p_from: "From", p_to: "To",
    p_export: "Export (ZIP file)", p_erase: "Erase the pictures in the range", p_confirm: "Erase every picture of {0} in this range for good? The events keep their times.",
    p_erased: "Erased {1} pictures of {0} events.", p_hint: "Personal Data Protection Law: a request is answered within 2 working days. Every export and erasure is in the audit list.",
    login: "Log in", logout: "Log out", user: "User name", password: "Password", wrong: "Wrong user name or password",
    limited: "Too many attempts; try again in %s s",
    all: "All", worklist: "To fix first",
    worklist_none: "No camera is down.", since: "since", for_: "for", cause: "Cause", place: "Place",
    acked: "taken on", maint: "in maintenance", search: "Search id or name", state: "State", commune: "Commune",
    site: "Site", district: "District", province: "Province", no_thumb: "no picture yet", last_packet: "Last packet", fps: "Frames/s",
    bitrate: "Bitrate", image: "Picture", image_ok: "fine", not_checked: "not checked", outage_start: "Outage began",
    detail: "Detail", timeline: "State history", outages: "Outages", recent_events: "Recent events",
    ack: "Take it on", ack_note: "Note (e.g. who goes to check)", ack_label: "Note for taking it on", maint_note: "Maintenance note", maint_new: "Declare maintenance", hours: "Hours",
    note: "Note", end: "End", maint_list: "Maintenance", from: "From", to: "To", by: "By", kind: "Kind",
    camera: "Camera", time: "Time", start: "Start", duration: "Duration", snapshot: "Picture", open: "Open",
    target: "Target", delivery: "Delivery", attempts: "Attempts", last_error: "Last error", period: "Month",
    view: "View", download: "Download", action: "Action", address: "Address", none: "None.", more: "More",
    viewer_note: "Viewer account: nothing can be changed.", saved: "Saved.", ago_now: "just now", zone: "time zone",
    total: "Total", ongoing: "ongoing",
    r24h: "24 h", r7d: "7 days", r30d: "30 days",
    maintenance_band: "maintenance", more_down: "more cameras down", lang: "Tiếng Việt", user_: "User", action: "Action",
    object: "Object", fix: "Check", old_thumb: "old picture, taken before the fault", taken_on: "taken on by",
  },
};
const STATES = ["online", "offline", "stalled", "starting", "disabled"];
/* a working stream with a bad picture ranks between stalled and online */
const RANK = { offline: 0, stalled: 1, image: 2, starting: 3, unmonitored: 3, online: 4, disabled: 5 };

const S = {
  lang: localStorage.getItem("cw_lang") || "vi",
  session: null,
  zone: "Asia/Ho_Chi_Minh",
  cameras: [], camerasAt: 0, prevBytes: {}, rate: {},
  acks: {},
  words: {}, /* /api/v1/words: the daemon's one table of states, causes, kinds and fixes */
  timer: null,
};

/* A label of the page, or one of camwatch's words (states, causes,
 * conditions, alert kinds, deliveries, audit actions) from the daemon. */
function t(k) {
  if (T[S.lang] && T[S.lang][k]) return T[S.lang][k];
  const w = S.words[k];
  if (w) return S.lang === "vi" ? w.vi : w.en;
  return T.en[k] || k;
}
/* One of camwatch's own words first (an audit action "login" is not the
 * login button's label). */
function word(k) { const x = S.words[k]; return x ? (S.lang === "vi" ? x.vi : x.en) : t(k); }
function fixOf(k) { const w = S.words[k]; return w ? (S.lang === "vi" ? w.fix_vi : w.fix_en) || "" : ""; }
/* the picture is bad while the stream works */
function badPicture(c) { return c.state === "online" && c.image && c.image.length > 0; }
/* what is wrong with a camera, if anything: down, or a bad picture */
function faulty(c) { return c.state === "offline" || c.state === "stalled" || badPicture(c); }
function faultSince(c) { return badPicture(c) ? (c.image_since_us || c.since_us) : (c.outage_since_us || c.since_us); }
function $(sel) { return document.querySelector(sel); }

/* el("div", {class: "x", onclick: f}, "text", child...): text children are
 * text nodes, always. */
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of kids.flat()) if (c !== null && c !== undefined && c !== false)
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
/* A form field with its own label (the text beside it, read out with it). */
function field(text, input) { return el("label", { class: "field" }, el("span", {}, text), input); }
const SVG = "http://www.w3.org/2000/svg";
function sv(tag, attrs, ...kids) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of kids) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

/* Formatters are costly to make (a 500-camera work list made 1,000 of
 * them): one per language, zone and shape. */
const FMT = new Map();
function formatter(kind) {
  const key = `${kind}|${S.lang}|${S.zone}`;
  if (!FMT.has(key)) {
    const opts = kind === "full"
      ? { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }
      : { day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit" };
    FMT.set(key, new Intl.DateTimeFormat(S.lang === "vi" ? "vi-VN" : "en-GB", Object.assign({ timeZone: S.zone }, opts)));
  }
  return FMT.get(key);
}
function fmtTime(us) {
  if (us === null || us === undefined) return "–";
  return formatter("full").format(new Date(us / 1000));
}
function fmtDur(us) {
  let s = Math.max(0, Math.round(us / 1e6));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const u = S.lang === "vi" ? ["ngày", "giờ", "phút", "giây"] : ["d", "h", "min", "s"];
  const parts = [];
  if (d) parts.push(d + " " + u[0]);
  if (h) parts.push(h + " " + u[1]);
  if (m && !d) parts.push(m + " " + u[2]);
  if (!d && !h && !m) parts.push(s + " " + u[3]);
  return parts.join(" ");
}
function stateWord(c) { return c.maintenance && c.state !== "online" ? t("maint") : t(c.state); }
function causeWord(c) {
  if (badPicture(c)) return c.image.map(t).join(", ");
  return c.state === "stalled" ? t("stalled") : c.cause ? t(c.cause) : "";
}
function badge(state, text) { return el("span", { class: "badge s-" + state }, text || t(state)); }
/* a camera's badge: its state, or its picture's conditions when the stream works but shows nothing useful */
function camBadge(c) { return badPicture(c) ? badge("image", c.image.map(t).join(", ")) : badge(c.state, stateWord(c)); }

/* ---- the API ---- */

async function api(path, opts = {}) {
  const headers = Object.assign({}, opts.headers || {});
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  if (opts.method && opts.method !== "GET" && S.session) headers["X-CSRF-Token"] = S.session.csrf;
  const res = await fetch(path, { method: opts.method || "GET", headers, credentials: "same-origin",
                                  body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined });
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (res.status === 401 && path !== "/api/v1/session") { S.session = null; showLogin(); throw new Error("401"); }
  if (!res.ok) {
    const err = new Error((body && body.error) || res.statusText);
    err.status = res.status;
    err.body = body;
    throw err;
  }
  return body;
}

async function allPages(path, max = 20) {
  let out = [], next = null, n = 0;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const page = await api(path + (next ? sep + "cursor=" + encodeURIComponent(next) : ""));
    out = out.concat(page.items);
    next = page.next;
  } while (next && ++n < max);
  return out;
}

function notice(msg) {
  const n = $("#notice");
  n.textContent = msg;
  n.hidden = !msg;
  if (msg) setTimeout(() => { if (n.textContent === msg) n.hidden = true; }, 5000);
}

async function refreshCameras() {
  const acksP = api("/api/v1/acks").catch(() => null); /* at the same time */
  const items = await allPages("/api/v1/cameras?limit=10000");
  const now = Date.now();
  for (const c of items) {
    const prev = S.prevBytes[c.id];
    if (prev && now > prev.at) S.rate[c.id] = (c.stats.bytes - prev.bytes) * 8 / ((now - prev.at) / 1000);
    S.prevBytes[c.id] = { bytes: c.stats.bytes, at: now };
  }
  S.cameras = items;
  S.camerasAt = now;
  const acks = await acksP;
  if (acks) { /* else: shown as not acknowledged until the next poll */
    S.acks = {};
    for (const a of acks.items) S.acks[a.camera] = a;
  }
}

/* An acknowledgement counts for the outage it was made in. */
function ackOf(c) {
  const a = S.acks[c.id];
  return a && c.outage_since_us && a.at_us >= c.outage_since_us ? a : null;
}

/* ---- frame ---- */

const VIEWS = [["overview", "#/"], ["cameras", "#/cameras"], ["events", "#/events"], ["alerts", "#/alerts"],
               ["report", "#/report"], ["audit", "#/audit"]];

function frame() {
  document.documentElement.lang = S.lang;
  const nav = $("#nav");
  nav.replaceChildren();
  const who = $("#who");
  who.replaceChildren();
  const langBtn = el("button", { type: "button", onclick: () => { S.lang = S.lang === "vi" ? "en" : "vi"; localStorage.setItem("cw_lang", S.lang); route(); } }, t("lang"));
  if (!S.session) { who.append(langBtn); return; }
  const here = location.hash || "#/";
  for (const [k, href] of VIEWS)
    nav.append(el("a", { href, class: (here === href || (href !== "#/" && here.startsWith(href))) ? "on" : null }, t(k)));
  who.append(el("span", { id: "me" }, S.session.user + " · " + S.session.role), langBtn,
             el("button", { type: "button", id: "logout", onclick: logout }, t("logout")));
}

function canAct() { return S.session && (S.session.role === "technician" || S.session.role === "admin"); }

/* ---- login ---- */

function showLogin(msg) {
  clearInterval(S.timer);
  S.timer = null;
  frame();
  const err = el("p", { class: "err", id: "login-error" }, msg || "");
  const user = el("input", { name: "user", id: "user", autocomplete: "username", required: true });
  const pw = el("input", { name: "password", id: "password", type: "password", autocomplete: "current-password", required: true });
  const form = el("form", { class: "login card", id: "login" }, el("h1", {}, "camwatch"),
    el("label", {}, t("user"), user), el("label", {}, t("password"), pw),
    el("button", { class: "primary", type: "submit" }, t("login")), err);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      S.session = await api("/api/v1/session", { method: "POST", body: { user: user.value, password: pw.value } });
      pw.value = "";
      await start();
    } catch (e) {
      err.textContent = e.status === 429 ? t("limited").replace("%s", (e.body && e.body.retry_after_s) || "?") : t("wrong");
    }
  });
  $("#main").replaceChildren(form);
  user.focus();
}

/* an initial password: the server answers nothing else until it is changed */
function showChangePassword() {
  clearInterval(S.timer);
  S.timer = null;
  const err = el("p", { class: "err", id: "pw-error" }, "");
  const cur = el("input", { id: "pw-current", type: "password", autocomplete: "current-password", required: true });
  const nw = el("input", { id: "pw-new", type: "password", autocomplete: "new-password", required: true });
  const again = el("input", { id: "pw-again", type: "password", autocomplete: "new-password", required: true });
  const form = el("form", { class: "login card", id: "change-password" }, el("h1", {}, t("pw_title")),
    el("p", { class: "muted" }, t("pw_hint")), el("label", {}, t("pw_current"), cur), el("label", {}, t("pw_new"), nw),
    el("label", {}, t("pw_again"), again), el("button", { class: "primary", type: "submit" }, t("pw_save")), err);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (nw.value !== again.value) { err.textContent = t("pw_differ"); return; }
    try {
      S.session = await api("/api/v1/session/password", { method: "POST", body: { current: cur.value, new: nw.value } });
      cur.value = nw.value = again.value = "";
      await start();
    } catch (e) {
      /* the server's reason in the console's language; its English
       * message only for what has no reason (a malformed request) */
      const b = e.body;
      err.textContent = b && b.reason && T[S.lang]["pw_" + b.reason]
        ? t("pw_" + b.reason).replace("{chars}", b.chars).replace("{kinds}", b.kinds) : e.message;
    }
  });
  $("#main").replaceChildren(form);
  cur.focus();
}

async function logout() {
  try { await api("/api/v1/session", { method: "DELETE" }); } catch (e) { /* gone already */ }
  S.session = null;
  showLogin();
}

/* ---- overview ---- */

function placesOf(cams, key, nameKey) {
  const m = new Map();
  for (const c of cams) {
    const id = c[key];
    if (!m.has(id)) m.set(id, { id, name: c[nameKey] || id, cams: [] });
    m.get(id).cams.push(c);
  }
  return [...m.values()];
}

function worstState(cams) {
  let w = "online";
  for (const c of cams) {
    const s = badPicture(c) ? "image" : c.state;
    if (c.state !== "disabled" && RANK[s] < RANK[w]) w = s;
  }
  return w;
}

function viewOverview() {
  const cams = S.cameras;
  const counts = {};
  for (const s of STATES) counts[s] = 0;
  for (const c of cams) counts[c.state] = (counts[c.state] || 0) + 1;
  const bad = cams.filter(badPicture).length;
  /* "hoạt động" counts the cameras that work: a black or covered picture is not working */
  counts.online -= bad;
  const countCards = el("div", { class: "counts", id: "counts" },
    el("div", { class: "card count" }, t("total"), el("b", {}, cams.length)),
    ...STATES.filter((s) => counts[s] || s === "online" || s === "offline").map((s) =>
      el("div", { class: "card count", "data-state": s }, badge(s), el("b", {}, counts[s]))),
    bad ? el("div", { class: "card count", "data-state": "image" }, badge("image", t("image_bad")), el("b", {}, bad)) : null);
  const tiles = (level, key, nameKey) => el("div", { class: "tiles" }, ...placesOf(cams, key, nameKey).map((p) => {
    const w = worstState(p.cams);
    const down = p.cams.filter((c) => c.state === "offline" || c.state === "stalled").length;
    const pic = p.cams.filter(badPicture).length;
    return el("div", { class: "card tile", "data-place": level + ":" + p.id }, el("h3", {}, p.name),
      badge(w, w === "image" ? t("image_bad") : t(w)), " ",
      el("span", { class: "muted" }, `${p.cams.length - down - pic}/${p.cams.length} ${t("online")}`),
      pic ? el("span", { class: "muted pic-count" }, ` · ${pic} ${t("image_bad")}`) : null);
  }));
  /* The work list: every camera down or with a bad picture; those nobody
   * has taken on first, then the longest first. */
  const allFaulty = cams.filter(faulty).sort((a, b) => (!!ackOf(a) - !!ackOf(b)) || (faultSince(a) - faultSince(b)));
  const list = allFaulty.slice(0, WORKLIST_ROWS); /* a page of them is what one can act on */
  const now = Date.now() * 1000;
  const work = list.length ? el("div", { class: "worklist" }, el("table", { id: "worklist" },
    el("thead", {}, el("tr", {}, ...[t("camera"), t("place"), t("cause"), t("since"), ""].map((h) => el("th", {}, h)))),
    el("tbody", {}, ...list.map((c) => {
      const since = faultSince(c);
      const a = ackOf(c);
      const fix = badPicture(c) ? fixOf(c.image[0]) : fixOf(c.state === "stalled" ? "stalled" : c.cause);
      return el("tr", { "data-camera": c.id, "data-fault": badPicture(c) ? "image" : c.state },
        el("td", { class: "w-cam" }, el("a", { href: "#/camera/" + encodeURIComponent(c.id) }, c.name),
          el("div", { class: "muted" }, c.id), el("div", { class: "muted w-place-inline" }, `${c.site_name || c.site}, ${c.commune_name || c.commune}`)),
        el("td", { class: "w-place" }, `${c.site_name || c.site}, ${c.commune_name || c.commune}`),
        /* the likely fix in the commune's words; FFmpeg's own (English)
         * detail only on hover, and on the camera's page */
        el("td", { class: "w-cause", title: c.detail || null }, camBadge(c), " ", badPicture(c) ? null : el("b", {}, causeWord(c)),
          fix ? el("div", { class: "fix" }, t("fix") + ": " + fix) : null),
        el("td", { class: "w-since" }, fmtTime(since), el("div", { class: "muted" }, t("for_") + " " + fmtDur(now - since))),
        el("td", { class: "w-who" }, c.maintenance ? badge("maint", t("maint")) : null, a ? badge("ack", t("acked") + ": " + a.by) : null));
    })))) : el("p", { class: "muted", id: "worklist" }, t("worklist_none"));
  const rest = allFaulty.length - list.length;
  /* replaceChildren turns null into the text "null": only real nodes go in */
  $("#main").replaceChildren(...[el("h1", {}, t("overview")), countCards,
    el("h2", {}, t("worklist")), work,
    rest > 0 ? el("p", { class: "muted" }, `+ ${rest} ${t("more_down")} (`, el("a", { href: "#/cameras" }, t("cameras")), ")") : null,
    el("h2", {}, t("commune")), tiles("commune", "commune", "commune_name"),
    el("h2", {}, t("site")), tiles("site", "site", "site_name"),
    el("p", { class: "muted" }, `${t("zone")}: ${S.zone}`)].filter(Boolean));
}

/* ---- cameras grid ---- */

const gridFilter = { q: "", state: "", district: "", commune: "", site: "" };

/* A thumbnail taken before a camera went down shows the scene as it was,
 * not as it is: it says so. */
function thumbOld(c) {
  const down = c.state === "offline" || c.state === "stalled";
  return down && c.thumbnail && c.thumbnail_us && c.thumbnail_us < (c.outage_since_us || c.since_us);
}
function thumbFor(c) {
  const old = thumbOld(c);
  return el("div", { class: "thumb" + (old ? " old" : "") }, c.thumbnail || c.snapshot
    ? el("img", { src: (c.thumbnail || c.snapshot) + "?t=" + Math.floor(S.camerasAt / 30000), alt: c.name, loading: "lazy" })
    : t("no_thumb"),
    old ? el("span", { class: "old-mark" }, `${t("old_thumb")} · ${fmtTime(c.thumbnail_us)}`) : null);
}

function viewCameras() {
  const f = gridFilter;
  const sel = (key, opts, label) => {
    const s = el("select", { name: key, onchange: (e) => { f[key] = e.target.value; viewCameras(); } },
      el("option", { value: "" }, label + ": " + t("all")), ...opts.map(([v, n]) => el("option", { value: v, selected: f[key] === v }, n)));
    return s;
  };
  const districts = placesOf(S.cameras.filter((c) => c.district), "district", "district_name").map((p) => [p.id, p.name]);
  const communes = placesOf(S.cameras, "commune", "commune_name").map((p) => [p.id, p.name]);
  const sites = placesOf(S.cameras, "site", "site_name").map((p) => [p.id, p.name]);
  const q = el("input", { type: "search", name: "q", placeholder: t("search"), value: f.q });
  q.addEventListener("input", (e) => { f.q = e.target.value; drawGrid(); });
  const grid = el("div", { class: "grid", id: "grid" });
  function drawGrid() {
    const needle = f.q.trim().toLowerCase();
    grid.replaceChildren(...S.cameras.filter((c) =>
      (!f.state || c.state === f.state) && (!f.district || c.district === f.district) &&
      (!f.commune || c.commune === f.commune) && (!f.site || c.site === f.site) &&
      (!needle || c.id.toLowerCase().includes(needle) || c.name.toLowerCase().includes(needle))).map((c) =>
      el("a", { class: "cam", href: "#/camera/" + encodeURIComponent(c.id), "data-camera": c.id, "data-state": c.state,
                "data-shown": badPicture(c) ? "image:" + c.image.join(",") : c.state },
        thumbFor(c), el("div", { class: "meta" }, el("div", { class: "name" }, c.name),
          el("div", { class: "muted" }, `${c.id} · ${c.site_name || c.site}`), camBadge(c)))));
  }
  drawGrid();
  S.redrawGrid = drawGrid;
  $("#main").replaceChildren(el("h1", {}, t("cameras")),
    el("div", { class: "filters" }, q, sel("state", STATES.map((s) => [s, t(s)]), t("state")),
      districts.length ? sel("district", districts, t("district")) : null,
      sel("commune", communes, t("commune")), sel("site", sites, t("site"))), grid);
  if (document.activeElement !== q && f.q) q.focus();
}

/* ---- one camera ---- */

/* Each state, and offline by its cause, has a pattern of its own: the
 * history reads on a black-and-white printout too. */
const PATTERNS = {
  online: { fill: "var(--ok)", pat: null },
  offline: { fill: "var(--down)", pat: "hatch" },          /* cannot be reached (and unknown causes) */
  "offline:auth_failed": { fill: "var(--down)", pat: "vbars" }, /* the camera's settings: password, path */
  "offline:not_found": { fill: "var(--down)", pat: "vbars" },
  "offline:no_video": { fill: "var(--down)", pat: "hbars" },    /* it answers, the picture does not come */
  "offline:stream_error": { fill: "var(--down)", pat: "hbars" },
  stalled: { fill: "var(--stall)", pat: "dots" },
  starting: { fill: "#9aa1ab", pat: null },
  unmonitored: { fill: "#c9cdd3", pat: "cross" },
  disabled: { fill: "#e3e5e8", pat: null },
};

function patternDefs() {
  const defs = sv("defs");
  const p = (id, ...kids) => defs.append(sv("pattern", { id, width: 6, height: 6, patternUnits: "userSpaceOnUse" }, ...kids));
  p("hatch", sv("rect", { width: 6, height: 6, fill: "#b3261e" }), sv("path", { d: "M0,6 L6,0", stroke: "#fff", "stroke-width": 1.5 }));
  p("dots", sv("rect", { width: 6, height: 6, fill: "#b45f06" }), sv("circle", { cx: 3, cy: 3, r: 1.3, fill: "#fff" }));
  p("cross", sv("rect", { width: 6, height: 6, fill: "#c9cdd3" }), sv("path", { d: "M0,0 L6,6 M6,0 L0,6", stroke: "#6b6b6b", "stroke-width": .8 }));
  p("vbars", sv("rect", { width: 6, height: 6, fill: "#b3261e" }), sv("path", { d: "M3,0 L3,6", stroke: "#fff", "stroke-width": 1.5 }));
  p("hbars", sv("rect", { width: 6, height: 6, fill: "#b3261e" }), sv("path", { d: "M0,3 L6,3", stroke: "#fff", "stroke-width": 1.5 }));
  return defs;
}
function fillOf(state, cause) {
  const p = PATTERNS[state + ":" + cause] || PATTERNS[state] || PATTERNS.starting;
  return p.pat ? `url(#${p.pat})` : p.fill;
}

function timelineSvg(spans, maint, from, to) {
  const W = 1000, H = 46, x = (us) => ((Math.min(Math.max(us, from), to) - from) / (to - from)) * W;
  const svg = sv("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": t("timeline"), id: "timeline-svg" }, patternDefs());
  svg.append(sv("rect", { x: 0, y: 8, width: W, height: 26, fill: "#eef0f3" }));
  const nowUs = Date.now() * 1000;
  for (const s of spans) {
    const a = x(s.start_us), b = x(s.end_us === null ? nowUs : s.end_us);
    if (b - a <= 0) continue;
    svg.append(sv("rect", { x: a, y: 8, width: Math.max(b - a, .8), height: 26, fill: fillOf(s.state, s.cause), "data-state": s.state, "data-cause": s.cause },
      sv("title", {}, `${t(s.state)}${s.cause ? " (" + t(s.cause) + ")" : ""}: ${fmtTime(s.start_us)} – ${s.end_us === null ? t("ongoing") : fmtTime(s.end_us)}`)));
  }
  for (const m of maint) {
    const a = x(m.from_us), b = x(m.to_us);
    if (b - a > 0) svg.append(sv("rect", { x: a, y: 2, width: Math.max(b - a, 1), height: 4, fill: "var(--maint)", "data-state": "maintenance" }));
  }
  const ticks = 4;
  for (let i = 0; i <= ticks; i++) {
    const us = from + ((to - from) * i) / ticks;
    svg.append(sv("text", { x: Math.min(Math.max((i / ticks) * W, 30), W - 30), y: H - 1, "font-size": 10, "text-anchor": "middle", fill: "#5f6670" },
      formatter("tick").format(new Date(us / 1000))));
  }
  return svg;
}

function legend() {
  const item = (state, cause, label) => {
    const s = sv("svg", { viewBox: "0 0 22 12" }, patternDefs(), sv("rect", { width: 22, height: 12, fill: fillOf(state, cause) }));
    return el("span", {}, s, " ", label);
  };
  const m = sv("svg", { viewBox: "0 0 22 12" }, sv("rect", { y: 0, width: 22, height: 4, fill: "var(--maint)" }));
  return el("div", { class: "legend" }, item("online", "", t("online")),
    item("offline", "unreachable", `${t("offline")}: ${t("unreachable")}`),
    item("offline", "auth_failed", `${t("offline")}: ${t("auth_failed")} / ${t("not_found")}`),
    item("offline", "no_video", `${t("offline")}: ${t("no_video")} / ${t("stream_error")}`),
    item("stalled", "", t("stalled")), item("unmonitored", "", t("unmonitored")), el("span", {}, m, " ", t("maintenance_band")));
}

async function viewCamera(id) {
  const c = S.cameras.find((x) => x.id === id);
  if (!c) { $("#main").replaceChildren(el("p", { class: "err" }, "404: " + id)); return; }
  const rate = S.rate[id];
  const img = c.image_checked ? (c.image.length ? c.image.map(t).join(", ") : t("image_ok")) : t("not_checked");
  const a = ackOf(c);
  const facts = el("dl", { class: "kv", id: "facts" },
    el("dt", {}, t("state")), el("dd", {}, badge(c.state), badPicture(c) ? [" ", camBadge(c)] : null, c.maintenance ? [" ", badge("maint", t("maint"))] : null, a ? [" ", badge("ack", t("acked") + ": " + a.by)] : null),
    el("dt", {}, t("since")), el("dd", {}, fmtTime(c.since_us)),
    c.outage_since_us ? [el("dt", {}, t("outage_start")), el("dd", {}, fmtTime(c.outage_since_us))] : null,
    c.state !== "online" && (c.cause || c.state === "stalled") ? [el("dt", {}, t("cause")), el("dd", {}, causeWord(c))] : null,
    c.detail ? [el("dt", {}, t("detail")), el("dd", {}, c.detail)] : null,
    el("dt", {}, t("place")), el("dd", {}, `${c.site_name || c.site}, ${c.commune_name || c.commune}, ${c.province_name || c.province}`),
    el("dt", {}, t("security")), el("dd", { id: "security", class: c.security_warnings.length ? "warn" : null },
      c.security_warnings.length ? c.security_warnings.map(t).join(", ") : t("sec_none")),
    el("dt", {}, t("notice")), el("dd", { id: "site-notice", class: c.site_notice ? null : "warn" },
      c.site_notice ? `${c.site_notice.where} (${t("notice_since")} ${c.site_notice.since})` : t("notice_none")),
    el("dt", {}, t("last_packet")), el("dd", {}, c.stats.last_packet ? fmtTime(Date.parse(c.stats.last_packet) * 1000) : "–"),
    el("dt", {}, t("fps")), el("dd", {}, c.stats.connected ? c.stats.fps.toFixed(1) : "–"),
    el("dt", {}, t("bitrate")), el("dd", {}, rate !== undefined && c.stats.connected ? (rate / 1000).toFixed(0) + " kbit/s" : "–"),
    el("dt", {}, t("image")), el("dd", {}, img));
  const range = ["24h", "7d", "30d"].includes(location.hash.split("?r=")[1]) ? location.hash.split("?r=")[1] : "24h";
  const spanUs = { "24h": 864e8, "7d": 6048e8, "30d": 2592e9 }[range] || 864e8;
  const seg = el("div", { class: "seg actions" }, ...["24h", "7d", "30d"].map((r) =>
    el("button", { type: "button", class: r === range ? "on" : null, onclick: () => { location.hash = "#/camera/" + encodeURIComponent(id) + "?r=" + r; } }, t("r" + r))));
  const tl = el("div", { class: "timeline card", id: "timeline" }, el("p", { class: "muted" }, "…"));
  const acts = el("div", { class: "actions", id: "camera-actions" });
  if (canAct()) {
    /* taking a camera on means something is wrong with it: not offered for one that works */
    if (faulty(c)) {
      const note = el("input", { name: "note", placeholder: t("ack_note") });
      acts.append(field(t("ack_label"), note), el("button", { type: "button", id: "ack", onclick: async () => {
        try { await api(`/api/v1/cameras/${encodeURIComponent(id)}/ack`, { method: "POST", body: { note: note.value } }); notice(t("saved")); note.blur(); await tick(); } catch (e) { notice(e.message); }
      } }, t("ack")));
    }
    const hours = el("input", { name: "hours", type: "number", min: "0.5", step: "0.5", value: "2", class: "narrow" });
    const mnote = el("input", { name: "mnote", placeholder: t("note") });
    acts.append(el("span", {}, t("maint_new") + ":"), field(t("hours"), hours), field(t("maint_note"), mnote),
      el("button", { type: "button", id: "maint-add", onclick: async () => {
        try { await api("/api/v1/maintenance", { method: "POST", body: { scope: "camera", target: id, hours: Number(hours.value), note: mnote.value } }); notice(t("saved")); S.camCache = null; mnote.blur(); await tick(); } catch (e) { notice(e.message); }
      } }, t("maint_new")));
  } else {
    acts.append(el("span", { class: "muted" }, t("viewer_note")));
  }
  const maintBox = el("div", { id: "maint-list" });
  const outs = el("div", { id: "outages" });
  const evs = el("div", { id: "camera-events" });
  $("#main").replaceChildren(el("h1", {}, c.name, " ", el("span", { class: "muted" }, c.id)),
    el("div", { class: "two" }, el("div", { class: "card" }, facts, acts), el("div", {}, thumbFor(c))),
    el("h2", {}, t("timeline")), seg, tl, legend(),
    el("h2", {}, t("maint_list")), maintBox,
    el("h2", {}, t("outages")), outs,
    el("h2", {}, t("recent_events")), evs);
  /* the history is read again every 10 s at most; the facts above come
   * from the 2-second poll */
  const key = id + "|" + range;
  const to = Date.now() * 1000, from = to - spanUs;
  /* ...or at once when the camera's state moved on from the history's last span */
  const lastSpan = S.camCache && S.camCache.key === key ? S.camCache.data[0][S.camCache.data[0].length - 1] : null;
  if (!S.camCache || S.camCache.key !== key || Date.now() - S.camCache.at > 10000 || (lastSpan && lastSpan.state !== c.state))
    S.camCache = { key, at: Date.now(), data: await cameraHistory(id, c, from, to) };
  const [spans, maint, events] = S.camCache.data;
  tl.replaceChildren(timelineSvg(spans, maint, from, to));
  maintBox.replaceChildren(maint.length ? table([t("from"), t("to"), t("by"), t("note"), ""], maint.map((w) => [
    fmtTime(w.from_us), fmtTime(w.to_us), w.by, w.note,
    w.active && canAct() ? el("button", { type: "button", class: "maint-end", onclick: async () => {
      try { await api(`/api/v1/maintenance/${w.id}/end`, { method: "POST" }); notice(t("saved")); S.camCache = null; await tick(); } catch (e) { notice(e.message); }
    } }, t("end")) : (w.active ? t("maint") : ""),
  ]), "maint-table") : el("p", { class: "muted" }, t("none")));
  const outages = [];
  let cur = null;
  for (const s of spans) {
    if (s.state === "offline" || s.state === "stalled") { if (!cur) cur = { start: s.start_us, cause: s.cause || s.state, end: null }; }
    else if (s.state === "online" && cur) { cur.end = s.start_us; outages.push(cur); cur = null; }
  }
  if (cur) outages.push(cur);
  outs.replaceChildren(outages.length ? table([t("start"), t("duration"), t("cause")], outages.reverse().map((o) =>
    [fmtTime(o.start), o.end ? fmtDur(o.end - o.start) : t("ongoing"), t(o.cause)]), "outage-table") : el("p", { class: "muted" }, t("none")));
  evs.replaceChildren(eventsTable(events.slice(-20).reverse()));
}

/* Spans of the range, maintenance windows that cover the camera, and its
 * events of the last 30 days. */
function cameraHistory(id, c, from, to) {
  return Promise.all([
    allPages(`/api/v1/cameras/${encodeURIComponent(id)}/spans?limit=1000&since=${Math.floor(from / 1e6)}`),
    api(`/api/v1/maintenance?since=${Math.floor(from / 1e6)}`).then((m) => m.items.filter((w) =>
      (w.scope === "camera" && w.target === id) || (w.scope === "site" && w.target === c.site) ||
      (w.scope === "commune" && w.target === c.commune) || (w.scope === "district" && w.target === c.district))),
    api(`/api/v1/events?camera=${encodeURIComponent(id)}&since=${Math.floor((to - 2592e9) / 1e6)}&limit=1000`)
      .then((p) => p.items).catch(() => []),
  ]);
}

function table(heads, rows, id) {
  return el("div", { class: "scroll" }, el("table", { id },
    el("thead", {}, el("tr", {}, ...heads.map((h) => el("th", {}, h)))),
    el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((v) => el("td", {}, v)))))));
}

function showPicture(src, caption) {
  const d = el("dialog", { id: "viewer" }, el("img", { src, alt: caption }), el("p", {}, caption),
    el("button", { type: "button", onclick: () => { d.close(); d.remove(); } }, "✕"));
  document.body.append(d);
  d.showModal();
}

function eventsTable(events) {
  if (!events.length) return el("p", { class: "muted" }, t("none"));
  return table([t("time"), t("camera"), t("kind"), t("duration"), t("snapshot")], events.map((e) => [
    fmtTime(e.start_us), el("a", { href: "#/camera/" + encodeURIComponent(e.camera) }, e.camera), word(e.kind), fmtDur(e.end_us - e.start_us),
    e.has_snapshot ? el("button", { type: "button", class: "open-snapshot", onclick: () => showPicture(`/api/v1/events/${e.id}/snapshot.jpg`, `${e.camera} · ${fmtTime(e.start_us)}`) }, t("open")) : "–",
  ]), "events-table");
}

/* ---- events, alerts, report, audit ---- */

async function viewEvents() {
  const p = new URLSearchParams(location.hash.split("?")[1] || "");
  const cam = el("select", { name: "camera" }, el("option", { value: "" }, t("camera") + ": " + t("all")),
    ...S.cameras.map((c) => el("option", { value: c.id, selected: p.get("camera") === c.id }, c.name)));
  const kind = el("input", { name: "kind", placeholder: t("kind"), value: p.get("kind") || "" });
  const hours = el("select", { name: "hours" }, ...[[24, t("r24h")], [168, t("r7d")], [720, t("r30d")]].map(([h, n]) =>
    el("option", { value: h, selected: String(h) === (p.get("hours") || "24") }, n)));
  const go = () => { location.hash = "#/events?" + new URLSearchParams({ camera: cam.value, kind: kind.value, hours: hours.value }); };
  const box = el("div", {}, "…");
  $("#main").replaceChildren(el("h1", {}, t("events")),
    el("div", { class: "filters" }, cam, kind, hours, el("button", { type: "button", onclick: go }, t("view"))), box);
  const q = new URLSearchParams({ since: String(Math.floor(Date.now() / 1000 - Number(hours.value) * 3600)), limit: "1000" });
  if (cam.value) q.set("camera", cam.value);
  if (kind.value) q.set("kind", kind.value);
  try { box.replaceChildren(eventsTable((await allPages("/api/v1/events?" + q)).reverse())); }
  catch (e) { box.replaceChildren(el("p", { class: "err" }, e.message)); }
}

async function viewAlerts() {
  const box = el("div", {}, "…");
  $("#main").replaceChildren(el("h1", {}, t("alerts")), box);
  const items = (await allPages("/api/v1/alerts?limit=200", 1)).reverse();
  box.replaceChildren(items.length ? table([t("time"), t("kind"), t("camera"), t("target"), t("delivery"), t("attempts"), t("last_error")],
    items.map((d) => [fmtTime(d.created_us), word(d.kind), d.camera, d.target, word(d.state), d.attempts, d.last_error]), "alerts-table") : el("p", { class: "muted" }, t("none")));
}

async function viewReport() {
  const now = new Date();
  const months = [];
  for (let i = 0; i < 12; i++) {
    const d = new Date(now.getFullYear(), now.getMonth() - i, 1);
    months.push(`${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`);
  }
  const p = new URLSearchParams(location.hash.split("?")[1] || "");
  const month = el("select", { name: "month" }, ...months.map((m) => el("option", { value: m, selected: p.get("month") === m }, m)));
  const commune = el("select", { name: "commune" }, el("option", { value: "" }, t("commune") + ": " + t("all")),
    ...placesOf(S.cameras, "commune", "commune_name").map((c) => el("option", { value: c.id, selected: p.get("commune") === c.id }, c.name)));
  const url = (fmt) => "/api/v1/report?" + new URLSearchParams(Object.assign({ month: month.value, format: fmt, lang: S.lang }, commune.value ? { commune: commune.value } : {}));
  const frameBox = el("div", { id: "report-box" });
  const show = () => { frameBox.replaceChildren(el("iframe", { src: url("html"), title: t("report"), sandbox: "", class: "report-frame" })); };
  $("#main").replaceChildren(el("h1", {}, t("report")),
    el("div", { class: "filters" }, month, commune, el("button", { type: "button", class: "primary", onclick: show }, t("view")),
      el("a", { href: "#", id: "dl-csv", onclick: (e) => { e.preventDefault(); location.href = url("csv"); } }, t("download") + " CSV"),
      el("a", { href: "#", id: "dl-html", onclick: (e) => { e.preventDefault(); location.href = url("html") + "&download=1"; } }, t("download") + " HTML")),
    frameBox);
}

/* an admin answers a person's request: export or erase a camera's or a
 * site's range (privacy.c does the work and records it) */
function privacyForm() {
  const places = [...S.cameras.map((c) => ({ v: "camera:" + c.id, n: c.name + " (" + c.id + ")" })),
                  ...placesOf(S.cameras, "site", "site_name").map((s) => ({ v: "site:" + s.id, n: t("site") + " " + s.name }))];
  const scope = el("select", { name: "p-scope", id: "p-scope" }, ...places.map((p) => el("option", { value: p.v }, p.n)));
  const day = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  const from = el("input", { type: "datetime-local", name: "p-from", id: "p-from", value: day(new Date(Date.now() - 86400000)) });
  const to = el("input", { type: "datetime-local", name: "p-to", id: "p-to", value: day(new Date()) });
  const msg = el("p", { id: "p-msg", class: "muted" }, t("p_hint"));
  const body = () => {
    const [kind, id] = scope.value.split(/:(.*)/s);
    return { [kind]: id, from: String(Math.floor(new Date(from.value).getTime() / 1000)), to: String(Math.floor(new Date(to.value).getTime() / 1000)) };
  };
  const doExport = async () => {
    const res = await fetch("/api/v1/privacy/export", { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": S.session.csrf }, body: JSON.stringify(body()) });
    if (!res.ok) { msg.textContent = ((await res.json().catch(() => null)) || {}).error || res.statusText; return; }
    const a = el("a", { href: URL.createObjectURL(await res.blob()), download: "yeu-cau-" + scope.value.split(":")[1] + ".zip" });
    document.body.append(a); a.click(); a.remove();
  };
  const doErase = async () => {
    if (!confirm(t("p_confirm").replace("{0}", scope.selectedOptions[0].textContent))) return;
    try {
      const r = await api("/api/v1/privacy/erase", { method: "POST", body: body() });
      msg.textContent = t("p_erased").replace("{0}", r.events).replace("{1}", r.pictures);
    } catch (e) { msg.textContent = e.message; }
  };
  return el("section", { class: "card", id: "privacy" }, el("h2", {}, t("privacy")),
    el("div", { class: "filters" }, el("label", {}, t("p_scope"), " ", scope), el("label", {}, t("p_from"), " ", from),
      el("label", {}, t("p_to"), " ", to)),
    el("div", { class: "filters" }, el("button", { type: "button", id: "p-export", onclick: doExport }, t("p_export")),
      el("button", { type: "button", id: "p-erase", class: "danger", onclick: doErase }, t("p_erase"))), msg);
}

async function viewAudit() {
  const box = el("div", {}, "…");
  $("#main").replaceChildren(el("h1", {}, t("audit")), ...(S.session && S.session.role === "admin" ? [privacyForm()] : []), box);
  const items = (await allPages(`/api/v1/audit?limit=1000&since=${Math.floor(Date.now() / 1000 - 30 * 86400)}`, 5)).reverse();
  box.replaceChildren(items.length ? table([t("time"), t("user_"), t("action"), t("object"), t("detail"), t("address")],
    items.map((a) => [fmtTime(a.at_us), a.user, word(a.action), a.target, a.detail, a.address]), "audit-table") : el("p", { class: "muted" }, t("none")));
}

/* ---- routing and the live loop ---- */

let rendering = false;
async function route() {
  if (!S.session) return showLogin();
  if (S.session.must_change_password) return showChangePassword();
  frame();
  const h = location.hash || "#/";
  rendering = true;
  try {
    if (h === "#/" || h === "") viewOverview();
    else if (h.startsWith("#/cameras")) viewCameras();
    else if (h.startsWith("#/camera/")) await viewCamera(decodeURIComponent(h.slice(9).split("?")[0]));
    else if (h.startsWith("#/events")) await viewEvents();
    else if (h.startsWith("#/alerts")) await viewAlerts();
    else if (h.startsWith("#/report")) await viewReport();
    else if (h.startsWith("#/audit")) await viewAudit();
    else viewOverview();
  } catch (e) {
    if (e.message !== "401") $("#main").append(el("p", { class: "err" }, e.message));
  } finally {
    rendering = false;
  }
}

/* The live views redraw from fresh data; the others keep what the user is
 * reading (a form being filled must not be wiped). */
async function tick() {
  try { await refreshCameras(); } catch (e) { return; }
  const h = location.hash || "#/";
  const typing = document.activeElement && ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName);
  if (rendering || typing) return;
  if (h === "#/" || h === "") viewOverview();
  else if (h.startsWith("#/cameras")) updateGrid();
  else if (h.startsWith("#/camera/") && !document.querySelector("dialog[open]")) await route();
}

/* The grid keeps its cards (and their pictures) between polls: only the
 * state changes; a camera added or removed redraws it. */
function updateGrid() {
  const grid = $("#grid");
  if (!grid || !S.redrawGrid) return viewCameras();
  const cards = grid.querySelectorAll("[data-camera]");
  const byId = new Map(S.cameras.map((c) => [c.id, c]));
  let stale = false;
  for (const card of cards) {
    const c = byId.get(card.getAttribute("data-camera"));
    if (!c) { stale = true; break; }
    const shown = badPicture(c) ? "image:" + c.image.join(",") : c.state;
    if (card.getAttribute("data-shown") !== shown) {
      card.setAttribute("data-shown", shown);
      card.setAttribute("data-state", c.state);
      card.querySelector(".badge").replaceWith(camBadge(c));
      card.querySelector(".thumb").replaceWith(thumbFor(c));
    }
    const img = card.querySelector("img");
    if (!img && (c.thumbnail || c.snapshot)) card.querySelector(".thumb").replaceWith(thumbFor(c));
    else if (img && img.getAttribute("src") !== (c.thumbnail || c.snapshot) + "?t=" + Math.floor(S.camerasAt / 30000))
      img.setAttribute("src", (c.thumbnail || c.snapshot) + "?t=" + Math.floor(S.camerasAt / 30000));
  }
  if (stale) S.redrawGrid();
}

async function start() {
  if (S.session && S.session.must_change_password) return showChangePassword();
  S.zone = (S.session && S.session.timezone) || S.zone;
  await refreshCameras();
  await route();
  clearInterval(S.timer);
  S.timer = setInterval(tick, POLL_MS);
}

window.addEventListener("hashchange", route);
(async () => {
  try { S.words = await api("/api/v1/words"); } catch (e) { S.words = {}; }
  try { S.session = await api("/api/v1/session"); } catch (e) { S.session = null; }
  if (S.session) await start(); else showLogin();
})();
