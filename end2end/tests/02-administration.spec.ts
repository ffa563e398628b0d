import { test, expect, Browser } from "@playwright/test";
import { admin, ensureAcme, goto, hydrated, signIn } from "./helpers";

// Administration as an admin goes through it: a custom account type, a new
// person with an invitation link, a team, deactivation and reactivation.
const newbie = { email: "noor@acme.example", password: "noor's long secret" };

test.describe.serial("administration", () => {
  test.beforeAll(async ({ request }) => {
    // Runs after 01-skeleton on the same server; alone, it sets Acme up first.
    await ensureAcme(request);
  });

  async function freshPage(browser: Browser) {
    const context = await browser.newContext();
    return context.newPage();
  }

  test("create the account type “Creator - No Export”", async ({ page }) => {
    await signIn(page, admin);
    await goto(page, "/acme/admin/account-types");
    await page.getByRole("link", { name: "Create New Account Type" }).click();
    await expect(page).toHaveURL(/account-types\/new$/);
    await hydrated(page);
    await page.getByLabel("Name").fill("Creator - No Export");
    await page.getByRole("button", { name: "Creator", exact: true }).click();
    await page.getByRole("button", { name: "Turn off all exports" }).click();
    await expect(page.getByTestId("perm-create_documents").locator("input")).toBeChecked();
    await expect(page.getByTestId("perm-download_data").locator("input")).not.toBeChecked();
    await expect(page.getByTestId("perm-download_data")).toHaveClass(/perm-export-off/);
    await page.getByRole("button", { name: "Create", exact: true }).click();
    await expect(page).toHaveURL(/\/acme\/admin\/account-types$/);
    const row = page.locator('[data-testid=account-type-row][data-name="Creator - No Export"]');
    await expect(row).toContainText("Custom");
    await expect(row).toContainText("no exports");
  });

  test("add a person with an invitation link; they choose a password and sign in", async ({ page, browser }) => {
    await signIn(page, admin);
    await goto(page, "/acme/admin/users");
    await page.getByRole("button", { name: "Add users" }).click();
    await page.getByTestId("add-users").getByLabel("People").fill(`${newbie.email}, Noor, Haddad`);
    await page.getByTestId("add-users").getByLabel("Account type").selectOption({ label: "Creator - No Export" });
    await page.getByRole("button", { name: "Add and create invitation links" }).click();
    const link = await page.getByTestId("invitation-url").first().textContent();
    expect(link).toMatch(/\/acme\/invite\/[0-9a-f]{64}$/);
    await expect(page.locator(`[data-testid=user-row][data-email="${newbie.email}"]`)).toContainText("Invited");

    // The account type in use cannot be deleted.
    await goto(page, "/acme/admin/account-types");
    const row = page.locator('[data-testid=account-type-row][data-name="Creator - No Export"]');
    await row.getByRole("button", { name: "Actions for Creator - No Export" }).click();
    await page.getByRole("menuitem", { name: "Delete…" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete “Creator - No Export”?" });
    await confirm.getByRole("button", { name: "Delete", exact: true }).click();
    await expect(confirm.getByTestId("delete-error")).toContainText("held by 1 user");
    await expect(confirm.getByTestId("delete-error")).toContainText(newbie.email);
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await expect(row).toBeVisible();

    // In a fresh browser, the invitation link lets Noor choose a password.
    const other = await freshPage(browser);
    await goto(other, link!);
    await expect(other.getByRole("heading")).toContainText("Noor");
    await other.getByLabel("Password", { exact: true }).fill(newbie.password);
    await other.getByLabel("Confirm password").fill(newbie.password);
    await other.getByRole("button", { name: "Set password" }).click();
    await expect(other).toHaveURL(/\/acme\/login\?invited=1$/);
    await signIn(other, newbie);
    await expect(other.getByTestId("profile-account-type")).toHaveText("Creator - No Export");
    // Not an admin: Administration is refused with a clear page.
    const denied = await other.goto("/acme/admin/users");
    expect(denied?.status()).toBe(403);
    await expect(other.getByTestId("error-panel")).toContainText("Only administrators");
    await expect(other.locator(".sidenav")).toHaveCount(0);
    await other.context().close();
  });

  test("create a team and add the person", async ({ page }) => {
    await signIn(page, admin);
    await goto(page, "/acme/admin/teams");
    await page.getByRole("button", { name: "Create team" }).click();
    const dialog = page.getByRole("dialog", { name: "Create team" });
    await dialog.getByLabel("Name").fill("Field Research");
    await dialog.getByLabel("Description").fill("Goes places");
    await dialog.getByRole("button", { name: "Create", exact: true }).click();
    await expect(page.getByTestId("team-name")).toHaveText("Field Research");
    await hydrated(page);
    await page.getByTestId("member-picker").locator("input").fill("noor");
    await page.getByRole("option", { name: /Noor Haddad/ }).click();
    await expect(page.locator(`[data-testid=member-row][data-email="${newbie.email}"]`)).toBeVisible();
    await goto(page, "/acme/admin/users");
    await expect(page.locator(`[data-testid=user-row][data-email="${newbie.email}"]`)).toContainText("Field Research");
  });

  test("deactivating a team asks first", async ({ page }) => {
    await signIn(page, admin);
    await goto(page, "/acme/admin/teams");
    await page.getByRole("link", { name: "Field Research" }).click();
    await hydrated(page);
    await page.getByTestId("team-toggle").click();
    const confirm = page.getByRole("dialog", { name: "Deactivate “Field Research”?" });
    await expect(confirm).toContainText("workspace is hidden");
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await expect(page.getByTestId("team-name")).toHaveText("Field Research");
    await expect(page.locator(".badge-danger", { hasText: "Deactivated" })).toHaveCount(0);
    await page.getByTestId("team-toggle").click();
    await confirm.getByTestId("confirm-deactivate-team").click();
    await expect(page.locator(".badge-danger", { hasText: "Deactivated" })).toBeVisible();
    await page.getByTestId("team-toggle").click();
    await expect(page.locator(".badge-danger", { hasText: "Deactivated" })).toHaveCount(0);
  });

  test("deactivate the person: sign-in refused; reactivate: it works again", async ({ page, browser }) => {
    await signIn(page, admin);
    await goto(page, "/acme/admin/users");
    await page.locator(`[data-testid=user-row][data-email="${newbie.email}"]`).getByRole("link").click();
    await expect(page.getByTestId("user-name")).toHaveText("Noor Haddad");
    await hydrated(page);
    await page.getByTestId("deactivate").click();
    await expect(page.getByTestId("deactivate-dialog")).toContainText("New owner of their documents");
    await page.getByTestId("confirm-deactivate").click();
    await expect(page.getByTestId("user-status").first()).toHaveText("Inactive");

    const other = await freshPage(browser);
    await signIn(other, newbie, true);
    await expect(other.getByTestId("form-error")).toContainText("Your account is deactivated");

    await page.getByTestId("reactivate").click();
    await expect(page.getByTestId("user-status").first()).toHaveText("Active");
    // The sign-in page is a plain form: back from the refusal, the email is kept, the password is not.
    await expect(other.getByLabel("Email")).toHaveValue(newbie.email);
    await other.getByLabel("Password").fill(newbie.password);
    await other.getByRole("button", { name: "Sign in" }).click();
    await expect(other).toHaveURL(/\/acme$/);
    await other.context().close();
  });
});
