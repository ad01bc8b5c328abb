// Checks camwatchd's API against its OpenAPI document, live:
//   node openapi_check.mjs BASE_URL TOKEN CAMERA_ID [USER PASSWORD]
// (USER: a technician of the config, for the console's session and actions)
// 1. the document served at /api/v1/openapi.json is the one in the tree
//    and is valid OpenAPI 3.1 (swagger-parser, the official schema);
// 2. each request below answers with a status the document lists for it,
//    and a body that validates against that response's schema (ajv,
//    JSON Schema 2020-12, the dialect of OpenAPI 3.1);
// 3. every documented path and method was exercised.
// Prints one line per request; exits 1 on the first disagreement.
import SwaggerParser from "@apidevtools/swagger-parser";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { readFileSync } from "node:fs";

const [base, token, camera, user, password] = process.argv.slice(2);
const auth = token ? { Authorization: `Bearer ${token}` } : {};
const fail = (msg) => { console.error(`FAIL: ${msg}`); process.exit(1); };

const served = await (await fetch(`${base}/api/v1/openapi.json`, { headers: auth })).json();
const inTree = JSON.parse(readFileSync(new URL("../../daemon/openapi.json", import.meta.url)));
if (JSON.stringify(served) !== JSON.stringify(inTree)) fail("the served document differs from daemon/openapi.json");
try {
  await SwaggerParser.validate(structuredClone(served));
} catch (e) { fail(`the document is not valid OpenAPI: ${e.message}`); }
const doc = await SwaggerParser.dereference(structuredClone(served));
console.log(`ok: ${served.openapi} document valid (${Object.keys(doc.paths).length} paths)`);

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

// [path as requested, the documented template, expected status, options]
// options: method (GET), body (JSON), session (send the cookie and the
// CSRF token), noToken (no bearer either), csrf (false: leave it out)
let cookie = "", csrf = "", maintId = 0;
const cases = [
  ["/healthz", "/healthz", 200],
  ["/metrics", "/metrics", 200],
  ["/api/v1/openapi.json", "/api/v1/openapi.json", 200],
  ["/api/v1/words", "/api/v1/words", 200],
  ["/api/v1/cameras", "/api/v1/cameras", 200],
  ["/api/v1/inventory", "/api/v1/inventory", 200],
  ["/api/v1/inventory", "/api/v1/inventory", 401, { noToken: true }],
  ["/api/v1/cameras?limit=2", "/api/v1/cameras", 200],
  ["/api/v1/cameras?state=online", "/api/v1/cameras", 200],
  ["/api/v1/cameras?state=sleeping", "/api/v1/cameras", 400],
  ["/api/v1/cameras?comune=x", "/api/v1/cameras", 400],
  ["/api/v1/cameras?commune=nowhere", "/api/v1/cameras", 400],
  ["/api/v1/cameras?limit=0", "/api/v1/cameras", 400],
  [`/api/v1/cameras/${camera}`, "/api/v1/cameras/{id}", 200],
  ["/api/v1/cameras/nope", "/api/v1/cameras/{id}", 404],
  [`/api/v1/cameras/${camera}/snapshot.jpg`, "/api/v1/cameras/{id}/snapshot.jpg", null],
  [`/api/v1/cameras/${camera}/thumbnail.jpg`, "/api/v1/cameras/{id}/thumbnail.jpg", null],
  ["/api/v1/cameras/nope/thumbnail.jpg", "/api/v1/cameras/{id}/thumbnail.jpg", 404],
  ["/api/v1/events/999999/snapshot.jpg", "/api/v1/events/{id}/snapshot.jpg", 404],
  ["/api/v1/alerts", "/api/v1/alerts", 200],
  [`/api/v1/report?month=${new Date().toISOString().slice(0, 7)}`, "/api/v1/report", 200],
  [`/api/v1/report?month=${new Date().toISOString().slice(0, 7)}&format=json&lang=en`, "/api/v1/report", 200],
  [`/api/v1/report?month=${new Date().toISOString().slice(0, 7)}&format=csv&download=1`, "/api/v1/report", 200],
  ["/api/v1/report?month=1999-01", "/api/v1/report", 404],
  ["/api/v1/report?month=2026-13", "/api/v1/report", 400],
  ["/api/v1/report?format=pdf&month=2026-11", "/api/v1/report", 400],
  [`/api/v1/report?month=${new Date().toISOString().slice(0, 7)}&commune=nowhere`, "/api/v1/report", 400],
  ["/api/v1/alerts?limit=5", "/api/v1/alerts", 200],
  ["/api/v1/alerts?limit=0", "/api/v1/alerts", 400],
  [`/api/v1/cameras/${camera}/levels`, "/api/v1/cameras/{id}/levels", 200],
  [`/api/v1/cameras/${camera}/levels?plugin=activity&since=2020-01-01T00:00:00Z&limit=2`, "/api/v1/cameras/{id}/levels", 200],
  [`/api/v1/cameras/${camera}/levels?kind=activity`, "/api/v1/cameras/{id}/levels", 400],
  ["/api/v1/cameras/nope/levels", "/api/v1/cameras/{id}/levels", 404],
  [`/api/v1/cameras/${camera}/spans`, "/api/v1/cameras/{id}/spans", 200],
  [`/api/v1/cameras/${camera}/spans?since=2020-01-01T00:00:00Z&limit=1`, "/api/v1/cameras/{id}/spans", 200],
  [`/api/v1/cameras/${camera}/spans?limit=0`, "/api/v1/cameras/{id}/spans", 400],
  ["/api/v1/cameras/nope/spans", "/api/v1/cameras/{id}/spans", 404],
  ["/api/v1/events", "/api/v1/events", 200],
  [`/api/v1/events?camera=${camera}&since=2020-01-01T00:00:00Z&limit=1`, "/api/v1/events", 200],
  ["/api/v1/events?since=1764144000", "/api/v1/events", 200],
  ["/api/v1/events?since=2026-11-26T08:00:00", "/api/v1/events", 400],
  ["/api/v1/events?camera=nope", "/api/v1/events", 400],
  ["/api/v1/events?kind=nothing-recorded", "/api/v1/events", 400],
  ["/api/v1/events?limit=5000", "/api/v1/events", 400],
  ["/api/v1/events?cursor=garbage", "/api/v1/events", 400],
  ["/api/v1/events?bogus=1", "/api/v1/events", 400],
  ["/api/v1/acks", "/api/v1/acks", 200],
  ["/api/v1/acks?bogus=1", "/api/v1/acks", 400],
  ["/api/v1/maintenance", "/api/v1/maintenance", 200],
  ["/api/v1/maintenance?since=yesterday", "/api/v1/maintenance", 400],
  ["/api/v1/audit", "/api/v1/audit", 200],
  ["/api/v1/audit?cursor=garbage", "/api/v1/audit", 400],
];
if (user) {
  cases.push(
    ["/api/v1/session", "/api/v1/session", 401, { noToken: true }],
    ["/api/v1/session", "/api/v1/session", 400, { method: "POST", body: { user } }],
    ["/api/v1/session", "/api/v1/session", 401, { method: "POST", body: { user, password: "not-it" } }],
    ["/api/v1/session", "/api/v1/session", 200, { method: "POST", body: { user, password }, login: true }],
    ["/api/v1/session", "/api/v1/session", 200, { session: true }],
    [`/api/v1/cameras/${camera}/ack`, "/api/v1/cameras/{id}/ack", 403, { method: "POST", body: {}, session: true, csrf: false }],
    [`/api/v1/cameras/${camera}/ack`, "/api/v1/cameras/{id}/ack", 201, { method: "POST", body: { note: "openapi" }, session: true }],
    ["/api/v1/cameras/nope/ack", "/api/v1/cameras/{id}/ack", 404, { method: "POST", body: {}, session: true }],
    ["/api/v1/cameras/x/ack", "/api/v1/cameras/{id}/ack", 401, { method: "POST", body: {}, noToken: true }],
    [`/api/v1/cameras/${camera}/ack`, "/api/v1/cameras/{id}/ack", 400, { method: "POST", raw: "[1]", session: true }],
    ["/api/v1/maintenance", "/api/v1/maintenance", 201, { method: "POST", body: { scope: "camera", target: camera, hours: 1, note: "openapi" }, session: true, keepId: true }],
    ["/api/v1/maintenance", "/api/v1/maintenance", 400, { method: "POST", body: { scope: "galaxy", target: camera, hours: 1 }, session: true }],
    ["/api/v1/maintenance", "/api/v1/maintenance", 401, { method: "POST", body: {}, noToken: true }],
    ["/api/v1/maintenance", "/api/v1/maintenance", 403, { method: "POST", body: {}, session: true, csrf: false }],
    [() => `/api/v1/maintenance/${maintId}/end`, "/api/v1/maintenance/{id}/end", 200, { method: "POST", session: true }],
    [() => `/api/v1/maintenance/${maintId}/end`, "/api/v1/maintenance/{id}/end", 409, { method: "POST", session: true }],
    ["/api/v1/maintenance/999999/end", "/api/v1/maintenance/{id}/end", 404, { method: "POST", session: true }],
    ["/api/v1/maintenance/1/end", "/api/v1/maintenance/{id}/end", 401, { method: "POST", noToken: true }],
    ["/api/v1/maintenance/1/end", "/api/v1/maintenance/{id}/end", 403, { method: "POST", session: true, csrf: false }],
    // a password change is refused when the current one is wrong (test_initial_password changes one)
    ["/api/v1/session/password", "/api/v1/session/password", 400, { method: "POST", body: { current: "not-it", new: "Another-1-pass" }, session: true }],
    ["/api/v1/session/password", "/api/v1/session/password", 401, { method: "POST", body: {}, noToken: true }],
    ["/api/v1/session/password", "/api/v1/session/password", 403, { method: "POST", body: {}, session: true, csrf: false }],
    // a person's request is an admin's: the technician's session is refused (test_privacy runs it as admin)
    ["/api/v1/privacy/export", "/api/v1/privacy/export", 403, { method: "POST", body: { camera, from: "0", to: "1" }, session: true }],
    ["/api/v1/privacy/export", "/api/v1/privacy/export", 401, { method: "POST", body: {}, noToken: true }],
    ["/api/v1/privacy/erase", "/api/v1/privacy/erase", 403, { method: "POST", body: { camera, from: "0", to: "1" }, session: true }],
    ["/api/v1/privacy/erase", "/api/v1/privacy/erase", 401, { method: "POST", body: {}, noToken: true }],
    ["/api/v1/session", "/api/v1/session", 403, { method: "DELETE", session: true, csrf: false }],
    ["/api/v1/session", "/api/v1/session", 200, { method: "DELETE", session: true }],
    ["/api/v1/session", "/api/v1/session", 401, { method: "DELETE", session: true }],
    ["/api/v1/session", "/api/v1/session", 403, { method: "POST", body: { user, password }, origin: "http://evil.example" }],
  );
}
const seen = new Set();
for (const [pathOrFn, template, want, o = {}] of cases) {
  const path = typeof pathOrFn === "function" ? pathOrFn() : pathOrFn;
  const method = o.method || "GET";
  const op = doc.paths[template]?.[method.toLowerCase()];
  if (!op) fail(`${method} ${template} is not documented`);
  seen.add(`${method} ${template}`);
  const headers = o.noToken || o.session ? {} : { ...auth };
  if (o.session) {
    headers.Cookie = cookie;
    if (o.csrf !== false) headers["X-CSRF-Token"] = csrf;
  }
  if (o.origin) headers.Origin = o.origin;
  let body;
  if (o.body || o.raw) {
    headers["Content-Type"] = "application/json";
    body = o.raw || JSON.stringify(o.body);
  }
  const res = await fetch(base + path, { method, headers, body });
  const documented = op.responses[String(res.status)];
  if (want !== null && res.status !== want) fail(`${method} ${path}: ${res.status}, expected ${want}: ${await res.text()}`);
  if (!documented) fail(`${method} ${path}: status ${res.status} is not documented for ${template}`);
  const type = (res.headers.get("content-type") || "").split(";")[0];
  const media = documented.content?.[type];
  if (!media) fail(`${method} ${path}: content type ${type} is not documented for ${res.status}`);
  let detail = type;
  if (type === "application/json") {
    const b = await res.json();
    const validate = ajv.compile(media.schema);
    if (!validate(b)) fail(`${method} ${path}: the answer does not match its schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(b).slice(0, 600)}`);
    if (Array.isArray(b.items)) detail = `${b.items.length} item(s), next ${b.next}`;
    else if (b.error) detail = b.error;
    if (o.login) {
      csrf = b.csrf;
      cookie = (res.headers.get("set-cookie") || "").split(";")[0];
      detail = `logged in as ${b.user} (${b.role})`;
    }
    if (o.keepId) maintId = b.id;
  } else {
    await res.arrayBuffer();
  }
  console.log(`    ${method} ${path} -> ${res.status} (${detail})`);
}
for (const [p, item] of Object.entries(doc.paths))
  for (const m of Object.keys(item))
    if (!seen.has(`${m.toUpperCase()} ${p}`) && (user || m === "get"))
      fail(`${m.toUpperCase()} ${p} is documented but not exercised`);
// 405 names what is allowed
const post = await fetch(`${base}/api/v1/cameras`, { method: "POST", headers: auth, body: "x" });
if (post.status !== 405 || post.headers.get("allow") !== "GET, HEAD") fail(`POST: ${post.status}, Allow: ${post.headers.get("allow")}`);
console.log(`ok: ${cases.length} requests answered as documented; every documented path exercised; POST -> 405 with Allow: GET, HEAD`);
