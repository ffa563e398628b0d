import { test, expect } from "@playwright/test";
import { ensureAcme, goto, hydrated, signIn } from "./helpers";

// The provisioning wizard end to end: the token copied from the page works
// against the SCIM API, and what the identity provider pushes shows up
// badged and read-only.
test.describe.serial("provisioning", () => {
  let token = "";
  let baseUrl = "";

  test.beforeAll(async ({ request }) => {
    await ensureAcme(request);
  });

  test("the setup wizard gives a base URL and a token, shown once", async ({ page, context, baseURL }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
    await signIn(page);
    await goto(page, "/acme/admin/authentication");
    await page.getByRole("button", { name: "Setup" }).click();
    const wizard = page.getByRole("dialog", { name: "Account Type and Team Provisioning" });
    const next = page.getByRole("button", { name: "Next" });
    await expect(next).toBeDisabled();
    await page.getByLabel("I have read and understand the above guidance.").check();
    await next.click();
    await page.getByLabel("Token name").fill("Okta");
    await page.getByRole("button", { name: "Next" }).click();
    baseUrl = (await page.getByTestId("scim-base-url").textContent())!;
    expect(baseUrl).toBe(`${baseURL}/scim/v2`);
    const shown = (await page.getByTestId("scim-token").textContent())!;

    // Done before copying asks first; going back shows the same token.
    await wizard.getByRole("button", { name: "Done" }).click();
    await expect(wizard.getByTestId("not-copied")).toContainText("Have you copied the token? It is not shown again.");
    await expect(page.getByTestId("scim-token")).toHaveCount(0);
    await wizard.getByRole("button", { name: "Go back to the token" }).click();
    await expect(page.getByTestId("scim-token")).toHaveText(shown);

    await page.getByRole("button", { name: "Copy Bearer Token" }).click();
    await expect(page.getByTestId("toast").filter({ hasText: "Bearer Token copied" })).toBeVisible();
    token = await page.evaluate(() => navigator.clipboard.readText());
    expect(token).toMatch(/^gh_scim_[0-9a-f]{64}$/);
    expect(token).toBe(shown);
    // Copied: Done closes at once.
    await wizard.getByRole("button", { name: "Done" }).click();
    await expect(wizard).toHaveCount(0);
    await expect(page.getByTestId("provisioning-status")).toContainText("On · 1 active token");

    // On: the button manages the tokens instead of creating another.
    await expect(page.getByRole("button", { name: "Setup" })).toHaveCount(0);
    await page.getByRole("button", { name: "Manage" }).click();
    await expect(wizard.getByTestId("scim-base-url")).toHaveText(baseUrl);
    const row = wizard.locator('[data-testid=token-row][data-name="Okta"]');
    await expect(row).toContainText("Active");
    await expect(row).toContainText("ada@acme.example");
    await expect(row).toContainText("Never");
    await page.keyboard.press("Escape");
    await expect(wizard).toHaveCount(0);
    await expect(page.getByTestId("provisioning-status")).toContainText("On · 1 active token");
  });

  test("another token only when asked for; leaving it uncopied asks; revoking names the token", async ({ page }) => {
    await signIn(page);
    await goto(page, "/acme/admin/authentication");
    await page.getByRole("button", { name: "Manage" }).click();
    const wizard = page.getByRole("dialog", { name: "Account Type and Team Provisioning" });
    await wizard.getByRole("button", { name: "Create another token" }).click();
    // No guidance again: provisioning is already on.
    await expect(wizard.getByText("Step 1 of 2 · Token name")).toBeVisible();
    await expect(page.getByLabel("Token name")).toBeFocused();

    // A second "Okta" would be indistinguishable when revoking: the server refuses it.
    await page.getByLabel("Token name").fill("okta");
    await wizard.getByRole("button", { name: "Next" }).click();
    await expect(wizard.locator(".field-error")).toContainText("An active token is already named “Okta”");
    await page.getByLabel("Token name").fill("Entra");
    await wizard.getByRole("button", { name: "Next" }).click();
    await expect(wizard.getByText("Step 2 of 2 · Connect your identity provider")).toBeVisible();
    const entra = (await page.getByTestId("scim-token").textContent())!;

    // Escape asks; Escape again goes back to the token (never closes on a second slip).
    await page.keyboard.press("Escape");
    await expect(wizard.getByTestId("not-copied")).toBeVisible();
    await expect(wizard.getByRole("button", { name: "Go back to the token" })).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(page.getByTestId("scim-token")).toHaveText(entra);
    // A click beside the dialog leaves it as it is.
    await page.mouse.click(5, 5);
    await expect(page.getByTestId("scim-token")).toHaveText(entra);
    // The × asks too; then close without copying.
    await wizard.getByRole("button", { name: "Close", exact: true }).click();
    await expect(wizard.getByTestId("not-copied")).toBeVisible();
    await wizard.getByRole("button", { name: "Close without copying" }).click();
    await expect(wizard).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Manage" })).toBeFocused();
    await expect(page.getByTestId("provisioning-status")).toContainText("On · 2 active tokens");

    // The lost token is revoked, with a confirmation that names it.
    await page.getByRole("button", { name: "Manage" }).click();
    await wizard.getByRole("button", { name: "Revoke Entra" }).click();
    const confirm = page.getByRole("dialog", { name: "Revoke “Entra”?" });
    await expect(confirm.getByTestId("revoke-dialog")).toContainText("The identity provider using “Entra” stops at once");
    // Cancel goes back to the list, to the same Revoke….
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await expect(wizard.getByRole("button", { name: "Revoke Entra" })).toBeFocused();
    await wizard.getByRole("button", { name: "Revoke Entra" }).click();
    await confirm.getByTestId("confirm-revoke").click();
    await expect(page.getByTestId("toast").filter({ hasText: "Token revoked" })).toBeVisible();
    const row = wizard.locator('[data-testid=token-row][data-name="Entra"]');
    await expect(row).toContainText("Revoked");
    await expect(row.getByRole("button")).toHaveCount(0);
    await expect(wizard.locator('[data-testid=token-row][data-name="Okta"]')).toContainText("Active");
    await expect(wizard.getByRole("button", { name: "Create another token" })).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(page.getByTestId("provisioning-status")).toContainText("On · 1 active token");
  });

  test("users and a team pushed over SCIM appear badged and read-only", async ({ page, request }) => {
    const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" };
    const u = await request.post(`${baseUrl}/Users`, {
      headers,
      data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "okta.person@acme.example", name: { givenName: "Okta", familyName: "Person" }, userType: "Creator", active: true },
    });
    expect(u.status()).toBe(201);
    const user = await u.json();
    const g = await request.post(`${baseUrl}/Groups`, {
      headers,
      data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Okta Pushed", members: [{ value: user.id }] },
    });
    expect(g.status()).toBe(201);
    const group = await g.json();

    await signIn(page);
    await goto(page, "/acme/admin/users?search=okta");
    const row = page.locator('[data-testid=user-row][data-email="okta.person@acme.example"]');
    // A short badge; the long form is its tooltip and what a screen reader says.
    await expect(row.getByTestId("idp-badge")).toHaveText(/^IdP/);
    await expect(row.getByTestId("idp-badge")).toHaveAttribute("title", "Managed by your identity provider");
    await expect(row).toContainText("Creator");
    await expect(row).toContainText("Okta Pushed");
    await expect(row.getByRole("button", { name: /Actions for/ })).toHaveCount(0);

    await row.getByRole("link").click();
    await expect(page.getByTestId("user-name")).toHaveText("Okta Person");
    await hydrated(page);
    await expect(page.getByTestId("user-account-type")).toHaveText("Creator");
    await expect(page.getByTestId("change-account-type")).toHaveCount(0);
    await expect(page.getByTestId("deactivate")).toHaveCount(0);
    // The IdP's group is shown read-only beside the teams made in Gatehouse.
    await expect(page.getByTestId("idp-teams")).toContainText("Okta Pushed");
    await expect(page.getByTestId("user-team-picker")).toBeVisible();

    await goto(page, `/acme/admin/teams/${group.id}`);
    await expect(page.getByTestId("team-name")).toHaveText("Okta Pushed");
    await expect(page.getByText("Managed by your identity provider").first()).toBeVisible();
    await expect(page.getByTestId("member-picker")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Save", exact: true })).toHaveCount(0);
    // Who sees the team is Gatehouse's own setting, not the identity provider's: it stays.
    await expect(page.getByTestId("visibility-form")).toBeVisible();
    await expect(page.locator('[data-testid=member-row][data-email="okta.person@acme.example"]')).toBeVisible();

    // The IdP deactivates the person: the page shows it.
    const d = await request.patch(`${baseUrl}/Users/${user.id}`, {
      headers,
      data: { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", value: { active: false } }] },
    });
    expect(d.status()).toBe(200);
    await goto(page, `/acme/admin/users/${user.id}`);
    await expect(page.getByTestId("user-status").first()).toHaveText("Inactive");
  });
});
