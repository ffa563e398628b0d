import { test, expect, Browser, Page } from "@playwright/test";
import { createHmac } from "crypto";
import { admin, ensureAcme, goto, hydrated, mailTo, signIn } from "./helpers";

// Two-step verification as people go through it: an admin turns it on, a
// person sets up an authenticator app on their Profile and signs in with a
// code (computed here from the app's key, as the app does) and with a
// recovery code; under "Required" a newcomer sets up an app right after the
// password; an admin resets someone's app. Requiring an app needs the
// admin's own first (Required ends every session signed in with a password
// alone): the admin sets one up here, and it goes again, with the policy, in
// afterAll. With mail set up (end2end/serve.sh starts a test mail server),
// Required can send codes by email to people without an app instead.

/**
 * The code an authenticator app shows for `secret` (base32), `steps` 30-second steps from now.
 * Computed only with 10 s or more of its step left: typed and sent in a step's last seconds, the
 * step before now would be two steps old when the server reads it (refused, as it should be).
 */
async function totp(secret: string, steps = 0): Promise<string> {
  const intoStep = Date.now() % 30_000;
  if (intoStep > 20_000) await new Promise((r) => setTimeout(r, 30_000 - intoStep + 50));
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000) + steps));
  const h = createHmac("sha1", key).update(counter).digest();
  const o = h[h.length - 1] & 0xf;
  return ((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).toString().padStart(6, "0");
}

async function fresh(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

/** Administration > Authentication > Edit: the multi-factor policy, saved. */
async function choosePolicy(page: Page, label: "Off" | "Optional" | "Required") {
  await goto(page, "/acme/admin/authentication");
  await page.getByTestId("edit-authentication").click();
  await page.getByLabel("Multi-Factor Authentication").selectOption({ label });
  await page.getByTestId("save-authentication").click();
}

/** `choosePolicy`, and the page then shows it. */
async function setPolicy(page: Page, label: "Off" | "Optional" | "Required") {
  await choosePolicy(page, label);
  await expect(page.getByTestId("mfa-policy")).toHaveText(label);
}

/** The admin's own authenticator app, once set up: its key, and the recovery codes not used yet. */
const adminApp = { secret: "", recovery: [] as string[] };

/** Signs the admin in: with a recovery code as well when they have an app and it is asked for. */
async function signInAdmin(page: Page) {
  await signIn(page, admin, true);
  await expect(page).toHaveURL(/\/acme(\/login\/verify)?$/);
  if (page.url().endsWith("/login/verify")) {
    // A recovery code: the app's codes work once per 30-second step, and the
    // admin signs in more often than that.
    const code = adminApp.recovery.shift() ?? await totp(adminApp.secret);
    await hydrated(page);
    await page.getByLabel("Code").fill(code);
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page).toHaveURL(/\/acme$/);
  }
}

/** A new person with a password, through an invitation link (the server functions the pages call). */
async function newPerson(page: Page, email: string, password: string) {
  const baseURL = new URL(page.url()).origin;
  const types = await (await page.request.post("/api/account_types", { form: { org: "acme" }, headers: { origin: baseURL } })).json();
  const viewer = types.find((t: { name: string }) => t.name === "Viewer").id;
  const links = await page.request.post("/api/invite_users", {
    data: { org: "acme", people: email, account_type_id: viewer, team_ids: [] },
    headers: { origin: baseURL },
  });
  expect(links.ok(), await links.text()).toBeTruthy();
  const token = (await links.json())[0].link.split("/").pop();
  const accepted = await page.request.post("/api/accept_invitation", {
    form: { org: "acme", token, password, password_confirm: password },
    headers: { origin: baseURL },
  });
  expect(accepted.ok()).toBeTruthy();
}

test.describe.serial("two-step verification", () => {
  const pat = { email: "pat.mfa@acme.example", password: "pat's long password" };
  const val = { email: "val.mfa@acme.example", password: "val's long password" };
  let secret = "";
  let recovery: string[] = [];

  test.beforeAll(async ({ request }) => {
    await ensureAcme(request);
  });

  // However the tests ended: two-step verification off and the admin without
  // an app, as before, for anything that signs in on this instance later.
  test.afterAll(async ({ browser }) => {
    const page = await fresh(browser);
    try {
      await signInAdmin(page);
      await setPolicy(page, "Off");
      const origin = new URL(page.url()).origin;
      const status = await (await page.request.post("/api/mfa_status", { form: { org: "acme" }, headers: { origin } })).json();
      if (status.enabled) {
        // Profile > Remove, with a code.
        const code = adminApp.recovery.shift() ?? await totp(adminApp.secret, 1);
        const removed = await page.request.post("/api/remove_mfa", { form: { org: "acme", code }, headers: { origin } });
        expect(removed.ok(), await removed.text()).toBeTruthy();
      }
      adminApp.secret = "";
      adminApp.recovery = [];
    } finally {
      await page.context().close();
    }
  });

  test("a person sets up an authenticator app on their Profile", async ({ page, browser }) => {
    await signIn(page, admin);
    await setPolicy(page, "Optional");
    await newPerson(page, pat.email, pat.password);
    const p = await fresh(browser);
    await signIn(p, pat);
    await goto(p, "/acme/profile");
    await expect(p.getByTestId("mfa-off")).toBeVisible();
    await p.getByTestId("mfa-begin").click();
    await expect(p.getByTestId("mfa-qr").locator("svg")).toBeVisible();
    secret = (await p.getByTestId("mfa-secret").textContent())!.trim();
    await p.getByLabel("Code from your app (or a recovery code)").fill("000000");
    await p.getByRole("button", { name: "Turn on" }).click();
    await expect(p.getByText("That code does not match")).toBeVisible();
    // The code of the step before: the current one stays unused for the next sign-in.
    await p.getByLabel("Code from your app (or a recovery code)").fill(await totp(secret, -1));
    await p.getByRole("button", { name: "Turn on" }).click();
    await expect(p.getByTestId("recovery-codes")).toBeVisible();
    recovery = (await p.getByTestId("recovery-codes").locator("li").allTextContents()).map((c) => c.trim());
    expect(recovery).toHaveLength(10);
    await expect(p.getByTestId("mfa-on")).toContainText("10 recovery codes left");
  });

  test("the password alone does not sign in: a code from the app, or a recovery code, does", async ({ browser }) => {
    const p = await fresh(browser);
    await signIn(p, pat, true);
    await expect(p).toHaveURL(/\/acme\/login\/verify$/);
    await hydrated(p);
    await p.getByLabel("Code").fill("123456");
    await p.getByRole("button", { name: "Verify" }).click();
    await expect(p.getByText("That code is not right")).toBeVisible();
    await p.getByLabel("Code").fill(await totp(secret));
    await p.getByRole("button", { name: "Verify" }).click();
    await expect(p).toHaveURL(/\/acme$/);

    const q = await fresh(browser);
    await signIn(q, pat, true);
    await expect(q).toHaveURL(/\/acme\/login\/verify$/);
    await hydrated(q);
    await q.getByLabel("Code").fill(recovery[0]);
    await q.getByRole("button", { name: "Verify" }).click();
    await expect(q).toHaveURL(/\/acme$/);
    await goto(q, "/acme/profile");
    await expect(q.getByTestId("mfa-on")).toContainText("9 recovery codes left");
  });

  test("Required: a newcomer sets up an app right after the password, before any other page", async ({ page, browser }) => {
    await signIn(page, admin);
    await newPerson(page, val.email, val.password);
    // Required would end the admin's own session, signed in with a password alone: refused.
    await choosePolicy(page, "Required");
    await expect(page.locator(".field-error")).toContainText("Set up your own authenticator app first");
    await page.getByRole("button", { name: "Cancel" }).click();
    await expect(page.getByTestId("mfa-policy")).toHaveText("Optional");
    // The admin sets up their own app on Profile; this session, which did it, stays signed in.
    await goto(page, "/acme/profile");
    await page.getByTestId("mfa-begin").click();
    await expect(page.getByTestId("mfa-qr").locator("svg")).toBeVisible();
    adminApp.secret = (await page.getByTestId("mfa-secret").textContent())!.trim();
    await page.getByLabel("Code from your app (or a recovery code)").fill(await totp(adminApp.secret, -1));
    await page.getByRole("button", { name: "Turn on" }).click();
    await expect(page.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
    adminApp.recovery = (await page.getByTestId("recovery-codes").locator("li").allTextContents()).map((c) => c.trim());
    await setPolicy(page, "Required");
    const v = await fresh(browser);
    await signIn(v, val, true);
    await expect(v).toHaveURL(/\/acme\/login\/enrol$/);
    await hydrated(v);
    await goto(v, "/acme/profile");
    await expect(v).toHaveURL(/\/acme\/login/, { timeout: 10_000 });
    await goto(v, "/acme/login/enrol");
    await expect(v.getByTestId("mfa-qr").locator("svg")).toBeVisible();
    const key = (await v.getByTestId("mfa-secret").textContent())!.trim();
    await v.getByLabel("Code from the app").fill(await totp(key));
    await v.getByRole("button", { name: "Turn on" }).click();
    await expect(v.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
    await v.getByTestId("continue").click();
    await expect(v).toHaveURL(/\/acme$/);
  });

  test("Required with codes by email: a newcomer gets a code by mail, wrong and renewed codes said plainly", async ({ page, browser }) => {
    const em = { email: `em.${Date.now()}@acme.example`, password: "em's long password" };
    await signInAdmin(page);
    await setPolicy(page, "Required");
    await page.getByTestId("edit-authentication").click();
    await page.getByLabel("Codes by email").check();
    await page.getByTestId("save-authentication").click();
    await expect(page.getByTestId("mfa-policy")).toContainText("codes by email for people without an app");
    await newPerson(page, em.email, em.password);
    const codes = () => mailTo(em.email).flatMap((m) => m.subject.match(/sign-in code for .*: (\d{6})$/)?.[1] ?? []);
    const v = await fresh(browser);
    await signIn(v, em, true);
    await expect(v).toHaveURL(/\/acme\/login\/verify$/);
    await expect(v.getByTestId("code-by-email")).toBeVisible();
    await expect.poll(() => codes().length, { timeout: 15_000 }).toBe(1);
    await hydrated(v);
    await v.getByLabel("Code").fill(codes()[0] === "000000" ? "000001" : "000000");
    await v.getByRole("button", { name: "Verify" }).click();
    await expect(v.getByText("Enter the six digits of the latest email")).toBeVisible();
    await hydrated(v);
    await v.getByTestId("resend-code").click();
    await expect(v.getByTestId("resend-status")).toHaveText("A new code is on its way. The one before no longer works.");
    await expect.poll(() => codes().length, { timeout: 15_000 }).toBe(2);
    await hydrated(v);
    await v.getByLabel("Code").fill(codes()[1]);
    await v.getByRole("button", { name: "Verify" }).click();
    await expect(v).toHaveURL(/\/acme$/);
    // Back as before for the tests after this one.
    await page.getByTestId("edit-authentication").click();
    await page.getByLabel("Codes by email").uncheck();
    await page.getByTestId("save-authentication").click();
    await expect(page.getByTestId("mfa-policy")).toHaveText("Required");
  });

  test("an admin resets someone's app; they set up a new one at their next sign-in", async ({ page, browser, baseURL }) => {
    await signInAdmin(page);
    await setPolicy(page, "Required");
    const found = await page.request.post("/api/users", {
      data: { org: "acme", query: { search: "val.mfa", account_type: "", status: "", sort: "", page: 1 } },
      headers: { origin: baseURL! },
    });
    const id = (await found.json()).users[0].id;
    await goto(page, `/acme/admin/users/${id}`);
    await expect(page.getByTestId("user-mfa")).toContainText("Authenticator app");
    await page.getByTestId("reset-mfa").click();
    await expect(page.getByTestId("user-mfa")).toContainText("Off");
    const v = await fresh(browser);
    await signIn(v, val, true);
    await expect(v).toHaveURL(/\/acme\/login\/enrol$/);
    await goto(page, "/acme/admin/audit");
    await expect(page.locator('[data-testid=audit-row][data-action="mfa.reset"]').first()).toContainText("multi-factor authentication");
    await expect(page.locator('[data-testid=audit-row][data-action="mfa.reset"]').first()).toContainText(val.email);
  });
});
