// What Chromium downloads on a first visit of each page (empty cache, bytes as
// transferred, so brotli where the server has it), until the page has
// hydrated. Run by `BENCH_ONLY=first-visit make bench` against a running
// Gatehouse. usage: node end2end/first-visit.mjs BASE_URL EMAIL PASSWORD
import { chromium } from "@playwright/test";

const [base, email, password] = process.argv.slice(2);
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
console.log(`${"page".padEnd(28)}${"html".padStart(9)}${"css".padStart(9)}${"js".padStart(9)}${"wasm".padStart(10)}${"wasm files".padStart(12)}${"total".padStart(10)}`);
for (const path of pages) {
  const context = await browser.newContext(path.endsWith("/login") ? {} : { storageState: signedIn });
  const tab = await context.newPage();
  const cdp = await context.newCDPSession(tab);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const requests = new Map();
  cdp.on("Network.responseReceived", (e) => requests.set(e.requestId, { url: e.response.url, type: e.type, bytes: 0 }));
  cdp.on("Network.loadingFinished", (e) => { const r = requests.get(e.requestId); if (r) r.bytes = e.encodedDataLength; });
  await tab.goto(`${base}${path}`);
  await tab.waitForSelector("body[data-hydrated=true]", { state: "attached", timeout: 60_000 });
  await tab.waitForLoadState("networkidle");
  const sum = { html: 0, css: 0, js: 0, wasm: 0, other: 0 };
  let wasmFiles = 0;
  for (const r of requests.values()) {
    const k = kind(r.url, r.type);
    sum[k] += r.bytes;
    if (k === "wasm") wasmFiles++;
  }
  const total = Object.values(sum).reduce((a, b) => a + b, 0);
  console.log(`${path.padEnd(28)}${String(sum.html).padStart(9)}${String(sum.css).padStart(9)}${String(sum.js).padStart(9)}${String(sum.wasm).padStart(10)}${String(wasmFiles).padStart(12)}${String(total).padStart(10)}`);
  await context.close();
}
await browser.close();
