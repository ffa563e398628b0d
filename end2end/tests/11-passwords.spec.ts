import { test, expect, Browser, Page } from "@playwright/test";
import { admin, ensureAcme, goto, hydrated, Mail, mailTo, signIn } from "./helpers";
const baseURL = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3917)}`;

// Passwords people manage: changing one's own on Profile (the rules ticked as
// it is typed, a wrong current password refused beside its field, the other
// browser signed out), and "Forgot password?" with the link read from the
// mail the test mail server took (end2end/serve.sh starts it).

async function fresh(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

/** Adds a person through an invitation (as the signed-in admin on `page`) who then chooses `password`. */
async function addPerson(page: Page, browser: Browser, email: string, password: string) {
  const headers = { origin: baseURL };
  const users = await page.request.post("/api/users", { headers, data: { org: "acme", query: { search: "", account_type: "", status: "", sort: "", page: 1 } } });
  expect(users.ok()).toBeTruthy();
  const viewer = (await users.json()).invite_default as string;
  const invited = await page.request.post("/api/invite_users", { headers, data: { org: "acme", people: email, account_type_id: viewer, team_ids: [] } });
  expect(invited.ok(), await invited.text()).toBeTruthy();
  const link = (await invited.json())[0].link as string;
  const other = await fresh(browser);
  await other.goto(link);
  await other.getByLabel("Password", { exact: true }).fill(password);
  await other.getByLabel("Confirm password").fill(password);
  await other.getByRole("button", { name: "Set password" }).click();
  await expect(other).toHaveURL(/\/acme\/login\?invited=1$/);
  await other.context().close();
}

test.describe("passwords", () => {
  test.beforeAll(async ({ request }) => {
    await ensureAcme(request);
  });

  test("a person changes their password on Profile; their other browser is signed out", async ({ page, browser }) => {
    const who = { email: `cam.${Date.now()}@acme.example`, password: "cam's first long password" };
    await signIn(page, admin);
    await addPerson(page, browser, who.email, who.password);

    const other = await fresh(browser);
    await signIn(other, who);
    const me = await fresh(browser);
    await signIn(me, who);
    await goto(me, "/acme/profile");
    const card = me.getByTestId("password-card");
    await expect(card.getByRole("heading", { name: "Password" })).toBeVisible();

    // The rules are ticked as the new password is typed.
    const rules = card.getByTestId("password-rules").locator("li");
    await card.getByLabel("New password", { exact: true }).fill("short");
    await expect(rules.first()).toHaveAttribute("data-kept", "false");
    await card.getByLabel("New password", { exact: true }).fill("qwertyuiop123");
    await expect(rules.last()).toHaveAttribute("data-kept", "false");
    await card.getByLabel("New password", { exact: true }).fill("cam's second long password");
    for (const r of await rules.all()) await expect(r).toHaveAttribute("data-kept", "true");
    await card.getByLabel("Confirm new password").fill("cam's second long password");

    // A wrong current password is refused beside its field; nothing typed is lost.
    await card.getByLabel("Current password").fill("not my password at all");
    await card.getByRole("button", { name: "Change password" }).click();
    await expect(card.getByText("That is not your current password")).toBeVisible();
    await expect(card.getByLabel("Current password")).toHaveAttribute("aria-invalid", "true");
    await expect(card.getByLabel("New password", { exact: true })).toHaveValue("cam's second long password");

    await card.getByLabel("Current password").fill(who.password);
    await card.getByRole("button", { name: "Change password" }).click();
    await expect(me.getByText("Password changed")).toBeVisible();
    await expect(card.getByLabel("Current password")).toHaveValue("");
    // The person is told by mail.
    await expect.poll(() => mailTo(who.email).filter((m) => /^Your password for .* was changed$/.test(m.subject)).length, { timeout: 15_000 }).toBe(1);

    // This browser stays signed in; the other one is out.
    await goto(me, "/acme/profile");
    await expect(me.getByTestId("password-card")).toBeVisible();
    await other.goto("/acme");
    await expect(other).toHaveURL(/\/acme\/login/);

    // The new password signs in; the old one no longer does.
    const again = await fresh(browser);
    await signIn(again, { email: who.email, password: who.password }, true);
    await expect(again.getByText("do not match an account")).toBeVisible();
    await signIn(again, { email: who.email, password: "cam's second long password" });
    for (const p of [other, me, again]) await p.context().close();
  });

  test("the organization's minimum length, set on Authentication, is the first rule of a new password", async ({ page }) => {
    await signIn(page, admin);
    const setMinimum = async (n: number) => {
      await goto(page, "/acme/admin/authentication");
      await page.getByTestId("edit-authentication").click();
      await page.getByLabel("Minimum password length").fill(String(n));
      await page.getByTestId("save-authentication").click();
      await expect(page.getByTestId("password-min-length")).toHaveText(`${n} characters`);
    };
    // Out of range: the browser holds the form back (the server refuses it too: server/tests/passwords.rs).
    await goto(page, "/acme/admin/authentication");
    await page.getByTestId("edit-authentication").click();
    const field = page.getByLabel("Minimum password length");
    await field.fill("8");
    await page.getByTestId("save-authentication").click();
    expect(await field.evaluate((el) => (el as HTMLInputElement).validity.rangeUnderflow)).toBe(true);
    await page.getByRole("button", { name: "Cancel" }).click();
    await expect(page.getByTestId("password-min-length")).toHaveText("12 characters");
    await setMinimum(16);
    try {
      await goto(page, "/acme/profile");
      const rules = page.getByTestId("password-card").getByTestId("password-rules").locator("li");
      await expect(rules.first()).toContainText("At least 16 characters");
      await page.getByTestId("password-card").getByLabel("New password", { exact: true }).fill("fifteen chars!!");
      await expect(rules.first()).toHaveAttribute("data-kept", "false");
      await page.getByTestId("password-card").getByLabel("New password", { exact: true }).fill("sixteen chars!!!");
      await expect(rules.first()).toHaveAttribute("data-kept", "true");
    } finally {
      await setMinimum(12);
    }
  });

  test("forgot password: a link by mail, the same answer for an unknown email, the link works once", async ({ page, browser }) => {
    const who = { email: `flo.${Date.now()}@acme.example`, password: "flo's first long password" };
    await signIn(page, admin);
    await addPerson(page, browser, who.email, who.password);

    const anon = await fresh(browser);
    await anon.goto("/acme/login");
    await anon.getByRole("link", { name: "Forgot password?" }).click();
    await expect(anon).toHaveURL(/\/acme\/login\/forgot$/);
    await anon.getByLabel("Email").fill(`nobody.${Date.now()}@acme.example`);
    await anon.getByRole("button", { name: "Send me a link" }).click();
    await expect(anon.getByTestId("forgot-sent")).toBeVisible();
    const unknownAnswer = await anon.getByTestId("forgot-sent").textContent();

    await anon.goto("/acme/login/forgot");
    await anon.getByLabel("Email").fill(who.email);
    await anon.getByRole("button", { name: "Send me a link" }).click();
    await expect(anon.getByTestId("forgot-sent")).toHaveText(unknownAnswer!);

    let mails: Mail[] = [];
    await expect.poll(() => (mails = mailTo(who.email).filter((m) => m.subject.startsWith("Reset your password"))).length, { timeout: 15_000 }).toBe(1);
    const link = mails[0].text.split(/\s+/).find((w) => w.startsWith(`${baseURL}/acme/reset/`));
    expect(link, mails[0].text).toBeTruthy();

    await anon.goto(link!);
    await expect(anon.getByRole("heading", { name: /Choose a new password/ })).toBeVisible();
    await anon.getByLabel("New password", { exact: true }).fill("flo's second long password");
    await anon.getByLabel("Confirm new password").fill("flo's second long password");
    await anon.getByRole("button", { name: "Set new password" }).click();
    await expect(anon).toHaveURL(/\/acme\/login\?reset=1$/);
    await expect(anon.getByTestId("notice")).toContainText("Your new password is set");

    // Once only.
    await anon.goto(link!);
    await expect(anon.getByTestId("error-panel")).toContainText("not valid");
    await signIn(anon, { email: who.email, password: "flo's second long password" });
    await hydrated(anon);
    await anon.context().close();
  });
});
