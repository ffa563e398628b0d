import { APIRequestContext, expect, Page } from "@playwright/test";
import { readdirSync, readFileSync } from "node:fs";

/** Waits until the page's wasm has hydrated, so clicks reach Leptos's handlers. */
export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 20_000 });
}

export async function goto(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
}

export const admin = { email: "ada@acme.example", password: "correct horse battery" };

/** The first-run setup code the test servers are started with (end2end/serve.sh). */
export const setupCode = "E2E0-TEST";

/** Signs in at /acme/login; unless `refused`, waits until the home page shows. */
export async function signIn(page: Page, who: { email: string; password: string } = admin, refused = false) {
  await goto(page, "/acme/login");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  if (!refused) await expect(page).toHaveURL(/\/acme$/);
}

/** Creates Acme through the first-run server function when a spec runs on its own. */
export async function ensureAcme(request: APIRequestContext) {
  const setup = await request.get("/setup");
  if ((await setup.text()).includes("Welcome to Gatehouse")) {
    const r = await request.post("/api/run_setup", {
      form: { setup_code: setupCode, org_name: "Acme", org_slug: "acme", first_name: "Ada", last_name: "Admin", email: admin.email, password: admin.password, password_confirm: admin.password },
    });
    expect(r.ok()).toBeTruthy();
  }
}

/** The instance with the demo organization (see playwright.config.ts). */
export const demoPort = Number(process.env.E2E_DEMO_PORT ?? 3919);
export const demoURL = `http://127.0.0.1:${demoPort}`;
/** The screenshot spec's own demo instance (see playwright.config.ts). */
export const screensPort = Number(process.env.E2E_SCREENS_PORT ?? 3921);
export const screensURL = `http://127.0.0.1:${screensPort}`;

/** The demo's people share one generated password, kept beside its database (serve.sh). */
export function demoUser(email: string, port = demoPort) {
  const dir = `${process.env.TMPDIR ?? "/tmp"}/gatehouse-e2e-demo-${port}`;
  return { email, password: readFileSync(`${dir}/demo-credentials.txt`, "utf8").trim() };
}

/** Signs in on the demo instance; `page` must use `demoURL` as its base. */
export async function signInDemo(page: Page, email = "admin@acme.example") {
  const who = demoUser(email);
  await goto(page, `${demoURL}/acme/login`);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/acme$/);
  await hydrated(page);
}

/** Nothing on the page scrolls sideways: the document is no wider than the window. */
export async function expectNoSidewaysScroll(page: Page) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scroll, `page is ${scroll - width}px wider than the ${width}px window`).toBeLessThanOrEqual(width);
}

/** Where end2end/serve.sh's test mail server writes what it takes (one JSON file a message). */
const mailDir = process.env.GATEHOUSE_E2E_MAIL_DIR ?? `${process.env.TMPDIR ?? "/tmp"}/gatehouse-e2e-mail-${Number(process.env.E2E_PORT ?? 3917)}`;

export type Mail = { to: string; subject: string; text: string; html: string };

/** The mail the journey instance sent to `email`, oldest first. */
export function mailTo(email: string): Mail[] {
  let files: string[] = [];
  try {
    files = readdirSync(mailDir).filter((f) => f.endsWith(".json")).sort();
  } catch {
    return [];
  }
  return files.map((f) => JSON.parse(readFileSync(`${mailDir}/${f}`, "utf8")) as Mail).filter((m) => m.to.includes(email));
}
