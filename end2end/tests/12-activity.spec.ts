import { test, expect } from "@playwright/test";
import { admin, ensureAcme, goto, signIn } from "./helpers";
import { freshPage, SamlIdp, signInAtIdp, startSamlIdp } from "./idp";

// Why did it fail? A real SAML identity provider (saml-idp) set up with the
// wrong audience: the failed sign-in shows in SSO sign-in activity with its
// reason and the hint that names the setting; and an identity provider's SCIM
// requests show in Provisioning activity with what they changed.

test.describe.serial("SSO sign-in activity and provisioning activity", () => {
  let idp: SamlIdp | undefined;
  let idpUrl = "";
  let certificate = "";

  test.beforeAll(async ({ request, baseURL }) => {
    await ensureAcme(request);
    // The mistake an admin makes: the wrong Audience URI.
    idp = await startSamlIdp(request, baseURL!, { name: "Gatehouse Activity IdP", issuer: "urn:gatehouse:activity-idp", audience: `${baseURL}/acme/wrong-audience` });
    ({ url: idpUrl, certificate } = idp);
  });

  test.afterAll(() => idp?.stop());

  test("a failed SSO sign-in shows its reason and the setting to change", async ({ page, browser, baseURL }) => {
    await signIn(page);
    await goto(page, "/acme/admin/authentication");
    await page.getByTestId("edit-authentication").click();
    await page.getByLabel("SAML or password").check();
    await page.getByLabel("Identity provider login URL").fill(`${idpUrl}/saml/sso`);
    await page.getByLabel("Identity provider X509 certificate").fill(certificate);
    await page.getByLabel("Identity provider issuer (entity ID), optional").fill("");
    await page.getByTestId("save-authentication").click();
    await expect(page.getByTestId("auth-method")).toHaveText("SAML or password");

    const other = await freshPage(browser);
    await goto(other.page, "/acme/login");
    await other.page.getByTestId("sso-button").click();
    await signInAtIdp(other.page, admin.email);
    await expect(other.page.getByTestId("sso-reference")).toBeVisible();
    await other.context.close();

    await goto(page, "/acme/admin/authentication");
    await page.getByTestId("activity-links").getByRole("link", { name: "SSO sign-in activity" }).click();
    await expect(page).toHaveURL(/\/acme\/admin\/sso-activity/);
    const row = page.getByTestId("sso-attempt-row").first();
    await expect(row).toHaveAttribute("data-reason", "audience");
    await expect(row.getByTestId("sso-attempt-reason")).toHaveText("Wrong audience");
    await expect(row.getByTestId("sso-attempt-hint")).toContainText(`Audience URI (SP Entity ID) to ${baseURL}/acme/saml/metadata`);

    await row.getByTestId("sso-attempt-open").click();
    const detail = page.getByTestId("sso-attempt");
    await expect(detail.getByTestId("sso-attempt-expected")).toHaveText(`${baseURL}/acme/saml/metadata`);
    await expect(detail.getByTestId("sso-attempt-received")).toHaveText(`${baseURL}/acme/wrong-audience`);
    await expect(detail.getByTestId("decoded-issuer")).toHaveText("urn:gatehouse:activity-idp");
    await expect(detail.getByTestId("decoded-name-id")).toContainText(admin.email);
    await expect(detail.getByTestId("sso-attempt-xml")).toContainText("<saml:Audience>");
  });

  test("an identity provider's SCIM requests show what they changed", async ({ page, baseURL }) => {
    await signIn(page);
    const made = await page.request.post(`${baseURL}/api/create_provisioning_token`, {
      form: { org: "acme", name: "Activity IdP", acknowledged: "true" },
      headers: { origin: baseURL! },
    });
    expect(made.ok(), await made.text()).toBeTruthy();
    const { token } = await made.json();
    const scim = (method: string, path: string, data?: unknown) =>
      page.request.fetch(`${baseURL}/scim/v2${path}`, { method, data, headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" } });
    const created = await scim("POST", "/Users", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "rhea@acme.example", name: { givenName: "Rhea", familyName: "Okafor" }, password: "never-kept-2!", active: true });
    expect(created.status()).toBe(201);
    const { id } = await created.json();
    const patch = (value: unknown) => scim("PATCH", `/Users/${id}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", value }] });
    expect((await patch({ userType: "Creator" })).status()).toBe(200);
    expect((await patch({ active: false })).status()).toBe(200);

    await goto(page, "/acme/admin/authentication");
    await page.getByTestId("activity-links").getByRole("link", { name: "Provisioning activity" }).click();
    await expect(page).toHaveURL(/\/acme\/admin\/provisioning-activity/);
    const entries = page.getByTestId("provisioning-entry");
    await expect(entries.nth(0)).toHaveAttribute("data-outcome", "deactivated");
    await expect(entries.nth(1)).toHaveAttribute("data-outcome", "updated");
    await expect(entries.nth(1).getByTestId("provisioning-changes")).toContainText("account type: Viewer → Creator");
    await expect(entries.nth(2)).toHaveAttribute("data-outcome", "created");
    await expect(page.locator("body")).not.toContainText("never-kept-2!");
    await expect(page.locator("body")).not.toContainText(token);

    // One person's history, from the row.
    await entries.nth(0).getByTestId("provisioning-history-link").click();
    await expect(page.getByTestId("provisioning-history-of")).toBeVisible();
    await expect(page.getByTestId("provisioning-entry")).toHaveCount(3);
  });
});
