import { test, expect } from "@playwright/test";
import { goto, hydrated, setupCode } from "./helpers";

// The walking skeleton as a person goes through it: first-run setup, sign in,
// Account page, copy the Account URL, the audit log shows the sign-in, sign out.
test.describe.serial("first run", () => {
  const admin = { email: "ada@acme.example", password: "correct horse battery" };

  test("first-run setup creates the organization and its admin", async ({ page }) => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/setup$/);
    await hydrated(page);
    // The code the server printed when it started.
    await page.getByLabel("Setup code").fill("WRNG-CODE");
    await page.getByLabel("Organization name").fill("Acme");
    await expect(page.getByLabel("URL name")).toHaveValue("acme");
    await page.getByLabel("First name").fill("Ada");
    await page.getByLabel("Last name").fill("Admin");
    await page.getByLabel("Email").fill(admin.email);
    // A common password is refused with a message beside the field; nothing else is lost.
    await page.getByLabel("Password", { exact: true }).fill("password123");
    await page.getByLabel("Confirm password").fill("password123");
    await page.getByRole("button", { name: "Create organization" }).click();
    await expect(page.getByText("That is not the setup code")).toBeVisible();
    await page.getByLabel("Setup code").fill(setupCode.toLowerCase());
    await page.getByRole("button", { name: "Create organization" }).click();
    await expect(page.getByText("That password is too common")).toBeVisible();
    await expect(page.getByLabel("Email")).toHaveValue(admin.email);

    await page.getByLabel("Password", { exact: true }).fill(admin.password);
    await page.getByLabel("Confirm password").fill(admin.password);
    await page.getByRole("button", { name: "Create organization" }).click();
    await expect(page).toHaveURL(/\/acme\/login\?setup=done$/);
    await expect(page.getByTestId("notice")).toContainText("Your organization is ready");
  });

  test("the first-run page is closed afterwards", async ({ page }) => {
    await goto(page, "/setup");
    await expect(page.getByTestId("setup-closed")).toContainText("already set up");
  });

  test("sign in, Account page, copy the Account URL, audit log, sign out", async ({ page, context, baseURL }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });

    // A protected page sends us to sign in and brings us back afterwards.
    await page.goto("/acme/admin/account");
    await expect(page).toHaveURL(/\/acme\/login\?next=/);
    await hydrated(page);
    await page.getByLabel("Email").fill(admin.email);
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("form-error")).toContainText("do not match an account");
    await expect(page.getByLabel("Email")).toHaveValue(admin.email);

    await page.getByLabel("Password").fill(admin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/acme\/admin\/account$/);
    await hydrated(page);
    await expect(page.getByTestId("account-url")).toHaveText(`${baseURL}/acme`);
    await expect(page.getByTestId("deployment")).toHaveText("Self-hosted");

    await page.getByRole("button", { name: "Copy Account URL" }).click();
    await expect(page.getByTestId("toast")).toContainText("Account URL copied");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${baseURL}/acme`);

    // Rename the organization; a toast confirms and the name sticks after reload.
    await page.getByLabel("Organization name").fill("Acme Corporation");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByTestId("toast").filter({ hasText: "Organization name saved" })).toBeVisible();
    await page.reload();
    await expect(page.getByLabel("Organization name")).toHaveValue("Acme Corporation");

    // The home page shows who we are.
    await goto(page, "/acme");
    await expect(page.getByTestId("profile-email")).toHaveText(admin.email);
    await expect(page.getByTestId("profile-account-type")).toHaveText("Admin");

    await page.getByRole("link", { name: "Administration" }).click();
    await page.getByRole("link", { name: "Audit log" }).click();
    await expect(page).toHaveURL(/\/acme\/admin\/audit$/);
    const signIns = page.locator('[data-testid=audit-row][data-action="auth.sign_in"]');
    await expect(signIns.first()).toContainText(admin.email);
    await expect(page.locator('[data-testid=audit-row][data-action="auth.sign_in_failed"]').first()).toContainText("wrong password");

    // Filter by action, applied as soon as it is chosen: only failures remain.
    await hydrated(page);
    await page.getByLabel("Action").selectOption("auth.sign_in_failed");
    await expect(page).toHaveURL(/event=auth.sign_in_failed/);
    await expect(page.locator("[data-testid=audit-row]")).toHaveCount(1);

    await page.getByTestId("sign-out").click();
    await expect(page).toHaveURL(/\/acme\/login\?signed_out=1$/);
    await page.goto("/acme/admin/account");
    await expect(page).toHaveURL(/\/acme\/login\?next=/);
  });
});
