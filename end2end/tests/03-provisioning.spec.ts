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
    const next = page.getByRole("button", { name: "Next" });
    await expect(next).toBeDisabled();
    await page.getByLabel("I have read and understand the above guidance.").check();
    await next.click();
    await page.getByLabel("Token name").fill("Okta");
    await page.getByRole("button", { name: "Next" }).click();
    baseUrl = (await page.getByTestId("scim-base-url").textContent())!;
    expect(baseUrl).toBe(`${baseURL}/scim/v2`);
    await page.getByRole("button", { name: "Copy Bearer Token" }).click();
    await expect(page.getByTestId("toast").filter({ hasText: "Bearer Token copied" })).toBeVisible();
    token = await page.evaluate(() => navigator.clipboard.readText());
    expect(token).toMatch(/^gh_scim_[0-9a-f]{64}$/);
    expect(await page.getByTestId("scim-token").textContent()).toBe(token);
    await page.getByRole("button", { name: "Done" }).click();
    await expect(page.getByTestId("scim-token")).toHaveCount(0);
    await expect(page.getByTestId("provisioning-status")).toContainText("On");
    await expect(page.locator('[data-testid=token-row][data-name="Okta"]')).toContainText("Active");
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
    await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
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
