// Checks camwatchd's API against its OpenAPI document, live:
//   node openapi_check.mjs BASE_URL TOKEN CAMERA_ID
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

const [base, token, camera] = process.argv.slice(2);
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

// [path as requested, the documented template, expected status]
const cases = [
  ["/healthz", "/healthz", 200],
  ["/metrics", "/metrics", 200],
  ["/api/v1/openapi.json", "/api/v1/openapi.json", 200],
  ["/api/v1/cameras", "/api/v1/cameras", 200],
  ["/api/v1/cameras?limit=2", "/api/v1/cameras", 200],
  ["/api/v1/cameras?state=online", "/api/v1/cameras", 200],
  ["/api/v1/cameras?state=sleeping", "/api/v1/cameras", 400],
  ["/api/v1/cameras?comune=x", "/api/v1/cameras", 400],
  ["/api/v1/cameras?commune=nowhere", "/api/v1/cameras", 400],
  ["/api/v1/cameras?limit=0", "/api/v1/cameras", 400],
  [`/api/v1/cameras/${camera}`, "/api/v1/cameras/{id}", 200],
  ["/api/v1/cameras/nope", "/api/v1/cameras/{id}", 404],
  [`/api/v1/cameras/${camera}/snapshot.jpg`, "/api/v1/cameras/{id}/snapshot.jpg", null],
  [`/api/v1/cameras/${camera}/levels`, "/api/v1/cameras/{id}/levels", 200],
  [`/api/v1/cameras/${camera}/levels?plugin=activity&since=2020-01-01T00:00:00Z&limit=2`, "/api/v1/cameras/{id}/levels", 200],
  [`/api/v1/cameras/${camera}/levels?kind=activity`, "/api/v1/cameras/{id}/levels", 400],
  ["/api/v1/cameras/nope/levels", "/api/v1/cameras/{id}/levels", 404],
  ["/api/v1/events", "/api/v1/events", 200],
  [`/api/v1/events?camera=${camera}&since=2020-01-01T00:00:00Z&limit=1`, "/api/v1/events", 200],
  ["/api/v1/events?since=1764144000", "/api/v1/events", 200],
  ["/api/v1/events?since=2026-11-26T08:00:00", "/api/v1/events", 400],
  ["/api/v1/events?camera=nope", "/api/v1/events", 400],
  ["/api/v1/events?kind=nothing-recorded", "/api/v1/events", 400],
  ["/api/v1/events?limit=5000", "/api/v1/events", 400],
  ["/api/v1/events?cursor=garbage", "/api/v1/events", 400],
  ["/api/v1/events?bogus=1", "/api/v1/events", 400],
];
const seen = new Set();
for (const [path, template, want] of cases) {
  const op = doc.paths[template]?.get;
  if (!op) fail(`${template} is not documented`);
  seen.add(`GET ${template}`);
  const res = await fetch(base + path, { headers: auth });
  const documented = op.responses[String(res.status)];
  if (want !== null && res.status !== want) fail(`${path}: ${res.status}, expected ${want}`);
  if (!documented) fail(`${path}: status ${res.status} is not documented for ${template}`);
  const type = (res.headers.get("content-type") || "").split(";")[0];
  const media = documented.content?.[type];
  if (!media) fail(`${path}: content type ${type} is not documented for ${res.status}`);
  let detail = type;
  if (type === "application/json") {
    const body = await res.json();
    const validate = ajv.compile(media.schema);
    if (!validate(body)) fail(`${path}: the answer does not match its schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 600)}`);
    if (Array.isArray(body.items)) detail = `${body.items.length} item(s), next ${body.next}`;
    else if (body.error) detail = body.error;
  } else {
    await res.arrayBuffer();
  }
  console.log(`    ${path} -> ${res.status} (${detail})`);
}
for (const [p, item] of Object.entries(doc.paths))
  for (const m of Object.keys(item))
    if (!seen.has(`${m.toUpperCase()} ${p}`)) fail(`${m.toUpperCase()} ${p} is documented but not exercised`);
// 405 names what is allowed
const post = await fetch(`${base}/api/v1/cameras`, { method: "POST", headers: auth, body: "x" });
if (post.status !== 405 || post.headers.get("allow") !== "GET, HEAD") fail(`POST: ${post.status}, Allow: ${post.headers.get("allow")}`);
console.log(`ok: ${cases.length} requests answered as documented; every documented path exercised; POST -> 405 with Allow: GET, HEAD`);
