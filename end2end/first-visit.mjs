// What Chromium downloads on a first visit of each page (empty cache, bytes as
// transferred, so brotli where the server has it), until the page has
// hydrated; then, apart, what the page fetches afterwards (an Administration
// page: the other pages' modules, while the browser is idle:
// app/src/pages/warm_up.rs); and what following a link from Account to
// another page downloads once that is done. Run by `BENCH_ONLY=first-visit make bench` against a running
// Gatehouse. usage: node end2end/first-visit.mjs BASE_URL EMAIL PASSWORD
// (FIRST_VISIT_NO_AHEAD=1: for a build that does not fetch ahead, to compare
// with one from before it: nothing then waits for the fetches ahead)
import { chromium } from "@playwright/test";

const [base, email, password] = process.argv.slice(2);
const ahead = !process.env.FIRST_VISIT_NO_AHEAD;
const pages = ["/acme/login", "/acme", "/acme/admin/account", "/acme/admin/users", "/acme/admin/teams", "/acme/admin/authentication", "/acme/admin/account-types"];

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
const signIn = await browser.newContext();
const page = await signIn.newPage();
await page.goto(`${base}/acme/login`);
await page.getByLabel("Email").fill(email);
await page.getByLabel("Password").fill(password);
await page.getByRole("button", { name: "Sign in" }).click();
await page.waitForURL(/\/acme$/);
const signedIn = await signIn.storageState();

const kind = (url, type) => (url.endsWith(".wasm") ? "wasm" : type === "Script" ? "js" : type === "Stylesheet" ? "css" : type === "Document" ? "html" : "other");

// Follows a tab's requests: bytes and files from the network, when each
// began, whether the fetches ahead have begun (with the module that makes
// them), and when the network was last busy; and notes in the page when it
// has hydrated.
async function watch(context, tab) {
  await tab.addInitScript(() => {
    new MutationObserver(() => {
      if (!window.__hydratedAt && document.body?.getAttribute("data-hydrated") === "true") window.__hydratedAt = Date.now();
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-hydrated"] });
  });
  const cdp = await context.newCDPSession(tab);
  await cdp.send("Network.enable");
  const w = { requests: new Map(), ahead: false, inFlight: 0, lastBusy: Date.now(), cdp };
  cdp.on("Network.requestWillBeSent", (e) => {
    if (e.request.url.endsWith("/split_admin_warm_up.wasm")) w.ahead = true;
    w.requests.set(e.requestId, { url: e.request.url, type: e.type, bytes: 0, at: e.wallTime * 1000, cached: false });
    w.inFlight++;
    w.lastBusy = Date.now();
  });
  cdp.on("Network.requestServedFromCache", (e) => { const r = w.requests.get(e.requestId); if (r) r.cached = true; });
  cdp.on("Network.responseReceived", (e) => { const r = w.requests.get(e.requestId); if (r && (e.response.fromDiskCache || e.response.fromPrefetchCache)) r.cached = true; });
  const done = (e) => {
    const r = w.requests.get(e.requestId);
    if (r && e.encodedDataLength !== undefined) r.bytes = e.encodedDataLength;
    w.inFlight = Math.max(0, w.inFlight - 1);
    w.lastBusy = Date.now();
  };
  cdp.on("Network.loadingFinished", done);
  cdp.on("Network.loadingFailed", done);
  return w;
}

// Waits until nothing has been in flight for 700 ms (and, with `ahead`, the
// fetches ahead have begun: they start once the browser is idle), 30 s at most.
async function quiet(w, { ahead = false } = {}) {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    if ((!ahead || w.ahead) && w.inFlight === 0 && Date.now() - w.lastBusy > 700) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(ahead && !w.ahead ? "nothing was fetched ahead within 30 s" : "the network did not settle within 30 s");
}

console.log(`${"page".padEnd(28)}${"html".padStart(9)}${"css".padStart(9)}${"js".padStart(9)}${"wasm".padStart(10)}${"wasm files".padStart(12)}${"total".padStart(10)}${"then idle".padStart(11)}${"files".padStart(7)}`);
for (const path of pages) {
  const context = await browser.newContext(path.endsWith("/login") ? {} : { storageState: signedIn });
  const tab = await context.newPage();
  const w = await watch(context, tab);
  await w.cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await tab.goto(`${base}${path}`);
  await tab.waitForSelector("body[data-hydrated=true]", { state: "attached", timeout: 60_000 });
  await quiet(w, { ahead: ahead && path.includes("/admin/") });
  // What the page asked for until it hydrated, and what came after (a light
  // page is hydrated as it arrives: it has no after).
  const hydratedAt = (await tab.evaluate(() => window.__hydratedAt)) ?? Infinity;
  const sum = { html: 0, css: 0, js: 0, wasm: 0, other: 0 };
  let wasmFiles = 0, idle = 0, idleFiles = 0;
  for (const r of w.requests.values()) {
    if (r.at > hydratedAt) {
      idle += r.bytes;
      idleFiles++;
      continue;
    }
    const k = kind(r.url, r.type);
    sum[k] += r.bytes;
    if (k === "wasm") wasmFiles++;
  }
  const total = Object.values(sum).reduce((a, b) => a + b, 0);
  console.log(`${path.padEnd(28)}${String(sum.html).padStart(9)}${String(sum.css).padStart(9)}${String(sum.js).padStart(9)}${String(sum.wasm).padStart(10)}${String(wasmFiles).padStart(12)}${String(total).padStart(10)}${String(idle).padStart(11)}${String(idleFiles).padStart(7)}`);
  await context.close();
}

// From Account, the page Administration opens on, to another page, as an
// admin moves on: Account visited with an empty cache, left until the
// fetches ahead are done, then a link in the navigation followed. Bytes from
// the network (not the cache) from the click until the page has its heading
// and the network is quiet again.
console.log();
console.log(`${"from /acme/admin/account to".padEnd(28)}${"bytes".padStart(10)}${"files".padStart(7)}`);
for (const name of ["Authentication", "Account Types", "Teams", "Users"]) {
  const context = await browser.newContext({ storageState: signedIn });
  const tab = await context.newPage();
  const w = await watch(context, tab);
  await tab.goto(`${base}/acme/admin/account`);
  await tab.waitForSelector("body[data-hydrated=true]", { state: "attached", timeout: 60_000 });
  await quiet(w, { ahead });
  const before = new Set(w.requests.keys());
  await tab.getByRole("navigation", { name: "Administration" }).getByRole("link", { name, exact: true }).click();
  await tab.getByRole("heading", { name, level: 1 }).waitFor();
  await quiet(w);
  let bytes = 0, files = 0;
  for (const [id, r] of w.requests) {
    if (before.has(id) || r.cached) continue;
    bytes += r.bytes;
    files++;
  }
  console.log(`${name.padEnd(28)}${String(bytes).padStart(10)}${String(files).padStart(7)}`);
  await context.close();
}
await browser.close();
