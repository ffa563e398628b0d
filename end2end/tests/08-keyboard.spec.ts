import { test, expect, Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureAcme, goto, signIn } from "./helpers";

// The QuickStart's path in Gatehouse with the keyboard alone (Tab, Shift+Tab,
// arrows, Space, Enter, Escape and typing): Authentication > Edit with
// "SAML or password", the identity provider's login URL and certificate, Save;
// the "Account Type and Team Provisioning" setup popup; Add users; and the
// account type "Creator - No Export" (here under another name).

/** What has focus: its tag, and its name as a person reads it. */
async function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { tag: "body", name: "" };
    const input = el as HTMLInputElement;
    const label = input.labels?.[0]?.textContent ?? "";
    const name = (el.getAttribute("aria-label") ?? (label || el.textContent) ?? "").trim();
    return { tag: el.tagName.toLowerCase(), name };
  });
}

/** Presses Tab until the focused element's name is `name` (or matches it). */
async function tabTo(page: Page, name: string | RegExp, max = 60) {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const f = await focused(page);
    seen.push(f.name);
    if (typeof name === "string" ? f.name === name : name.test(f.name)) return;
  }
  throw new Error(`Tab never reached “${name}”; it went through: ${seen.join(" → ")}`);
}

async function expectFocus(page: Page, name: string | RegExp) {
  await expect.poll(async () => (await focused(page)).name).toMatch(typeof name === "string" ? new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) : name);
}

test.describe.serial("the QuickStart with the keyboard only", () => {
  let dir = "";
  let certificate = "";

  test.beforeAll(async ({ request }) => {
    await ensureAcme(request);
    dir = mkdtempSync(join(tmpdir(), "gatehouse-kbd-"));
    execFileSync("openssl", ["req", "-x509", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=Keyboard IdP", "-keyout", join(dir, "k.pem"), "-out", join(dir, "c.pem"), "-days", "60"], { stdio: "ignore" });
    certificate = readFileSync(join(dir, "c.pem"), "utf8");
  });

  test.afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("Authentication > Edit: SAML or password, the IdP login URL and certificate, Save", async ({ page }) => {
    await signIn(page);
    await goto(page, "/acme/admin/authentication");
    await tabTo(page, "Edit");
    await page.keyboard.press("Enter");
    // Focus lands on the chosen method; arrows choose another.
    await expect.poll(async () => (await focused(page)).tag).toBe("input");
    for (let i = 0; i < 3 && !(await page.getByLabel("SAML or password").isChecked()); i++) {
      await page.keyboard.press("ArrowDown");
    }
    await expect(page.getByLabel("SAML or password")).toBeChecked();
    await tabTo(page, "Identity provider login URL");
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type("https://idp.example/app/gatehouse/sso/saml");
    await tabTo(page, "Identity provider X509 certificate");
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.insertText(certificate);
    await tabTo(page, "Save");
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("toast").filter({ hasText: "Authentication settings saved" })).toBeVisible();
    await expect(page.getByTestId("auth-method")).toHaveText("SAML or password");
    await expect(page.getByTestId("cert-subject")).toContainText("Keyboard IdP");
    // Focus goes back to Edit, not to the top of the page.
    await expectFocus(page, "Edit");
  });

  test("the provisioning setup popup: acknowledge, name the token, copy, Done", async ({ page, context, baseURL }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
    await signIn(page);
    await goto(page, "/acme/admin/authentication");
    const wizard = page.getByRole("dialog", { name: "Account Type and Team Provisioning" });
    // Setup while provisioning is off; after the provisioning spec it is on, and
    // Manage leads to "Create another token".
    const on = (await page.getByTestId("provisioning-status").textContent())!.startsWith("On");
    if (on) {
      await tabTo(page, "Manage");
      await page.keyboard.press("Enter");
      await expect(wizard).toBeVisible();
      await tabTo(page, "Create another token");
      await page.keyboard.press("Enter");
    } else {
      await tabTo(page, "Setup");
      await page.keyboard.press("Enter");
      await expect(wizard).toBeVisible();
      await expectFocus(page, "I have read and understand the above guidance.");
      await page.keyboard.press("Space");
      await tabTo(page, "Next");
      await page.keyboard.press("Enter");
    }
    await expectFocus(page, "Token name");
    await page.keyboard.type("Okta (keyboard)");
    await page.keyboard.press("Enter");
    await expect(wizard.getByTestId("scim-token")).toHaveText(/^gh_scim_[0-9a-f]{64}$/);
    await expectFocus(page, "Copy Directory Base URL");
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("toast").filter({ hasText: "Directory Base URL copied" })).toBeVisible();
    // Done before the token was copied asks first, and Enter goes back to it.
    await tabTo(page, "Done");
    await page.keyboard.press("Enter");
    await expect(wizard.getByTestId("not-copied")).toBeVisible();
    await expectFocus(page, "Go back to the token");
    await page.keyboard.press("Enter");
    await expectFocus(page, "Copy Directory Base URL");
    await tabTo(page, "Copy Bearer Token");
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("toast").filter({ hasText: "Bearer Token copied" })).toBeVisible();
    await tabTo(page, "Done");
    await page.keyboard.press("Enter");
    await expect(wizard).toHaveCount(0);
    await expectFocus(page, "Manage");

    // Manage: the new token is listed; Escape leaves.
    await page.keyboard.press("Enter");
    await expect(wizard.locator('[data-testid=token-row][data-name="Okta (keyboard)"]')).toContainText("Active");
    await page.keyboard.press("Escape");
    await expect(wizard).toHaveCount(0);
    await expectFocus(page, "Manage");
  });

  test("Add users: a person with an invitation link", async ({ page }) => {
    await signIn(page);
    await goto(page, "/acme/admin/users");
    await tabTo(page, "Add users");
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Add users" });
    await expectFocus(page, "People");
    await page.keyboard.type("kim.keyboard@acme.example, Kim, Keys");
    await tabTo(page, "Account type");
    await page.keyboard.press("ArrowDown");
    await tabTo(page, "Add and create invitation links");
    await page.keyboard.press("Enter");
    await expect(page.getByRole("dialog", { name: "Invitation links" })).toBeVisible();
    await expect(page.getByTestId("invitation-url")).toHaveText(/\/acme\/invite\/[0-9a-f]{64}$/);
    await expectFocus(page, "Done");
    await page.keyboard.press("Enter");
    await expect(dialog).toHaveCount(0);
    await expect(page.locator('[data-testid=user-row][data-email="kim.keyboard@acme.example"]')).toContainText("Invited");
  });

  test("Create New Account Type: Creator's permissions, every export off, Create", async ({ page }) => {
    await signIn(page);
    await goto(page, "/acme/admin/account-types");
    await tabTo(page, "Create New Account Type");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/account-types\/new$/);
    await tabTo(page, "Name");
    await page.keyboard.type("Keyboard - No Export");
    await tabTo(page, "Creator");
    await page.keyboard.press("Enter");
    await tabTo(page, "Turn off all exports");
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("perm-create_documents").locator("input")).toBeChecked();
    await expect(page.getByTestId("perm-download_data")).toHaveClass(/perm-export-off/);
    await tabTo(page, "Create");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/acme\/admin\/account-types$/);
    const row = page.locator('[data-testid=account-type-row][data-name="Keyboard - No Export"]');
    await expect(row).toContainText("no exports");
  });
});
