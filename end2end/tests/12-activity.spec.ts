import { test, expect, Browser, Page } from "@playwright/test";
import { admin, ensureAcme, goto, signIn } from "./helpers";
import { freshPage, SamlIdp, signInAtIdp, startSamlIdp } from "./idp";

// Why did it fail? A real SAML identity provider (saml-idp) set up with the
// wrong audience: the failed sign-in shows in SSO sign-in activity with its
// reason and the hint that names the setting; then one that signs with a
// certificate Gatehouse does not have, fixed and shown to work with Test
// sign-in; the identity provider's signing key rotated with sign-ins working
// throughout; and an identity provider's SCIM requests show in Provisioning
// activity with what they changed.

test.describe.serial("SSO sign-in activity and provisioning activity", () => {
  let idp: SamlIdp | undefined;
  let idpUrl = "";
  let certificate = "";
  // The identity provider once its Audience is fixed, and the one it becomes with its next key.
  let fixed: SamlIdp | undefined;
  let rotated: SamlIdp | undefined;

  test.beforeAll(async ({ request, baseURL }) => {
    await ensureAcme(request);
    // The mistake an admin makes: the wrong Audience URI.
    idp = await startSamlIdp(request, baseURL!, { name: "Gatehouse Activity IdP", issuer: "urn:gatehouse:activity-idp", audience: `${baseURL}/acme/wrong-audience` });
    ({ url: idpUrl, certificate } = idp);
  });

  test.afterAll(async () => {
    for (const i of [idp, fixed, rotated]) await i?.stop();
  });

  /** A sign-in with "Sign in with SSO" in a browser of its own: it ends on the home page. */
  async function ssoSignIn(browser: Browser) {
    const other = await freshPage(browser);
    await goto(other.page, "/acme/login");
    await other.page.getByTestId("sso-button").click();
    await signInAtIdp(other.page, admin.email);
    await expect(other.page).toHaveURL(/\/acme$/);
    await other.context.close();
  }

  /** Authentication > Edit: fills the identity provider's fields given, saves. */
  async function saveIdp(page: Page, fields: { url?: string; certificate?: string; next?: string }) {
    await goto(page, "/acme/admin/authentication");
    await page.getByTestId("edit-authentication").click();
    if (fields.url !== undefined) await page.getByLabel("Identity provider login URL").fill(fields.url);
    if (fields.certificate !== undefined) await page.getByLabel("Identity provider X509 certificate").fill(fields.certificate);
    if (fields.next !== undefined) await page.getByLabel("Next certificate (rotation), optional").fill(fields.next);
    await page.getByTestId("save-authentication").click();
    await expect(page.getByTestId("toast").filter({ hasText: "Authentication settings saved" })).toBeVisible();
  }

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

  test("a certificate Gatehouse does not have, then the settings fixed and a Test sign-in that passes", async ({ page, request, baseURL }) => {
    // The admin fixed the Audience at the identity provider, whose app now signs with a new key;
    // Gatehouse still has the old certificate.
    fixed = await startSamlIdp(request, baseURL!, { name: "Gatehouse Activity IdP fixed", issuer: "urn:gatehouse:activity-idp", audience: `${baseURL}/acme/saml/metadata` });
    await signIn(page);
    await saveIdp(page, { url: `${fixed.url}/saml/sso` });
    await page.getByTestId("test-sso").click();
    await signInAtIdp(page, admin.email);
    await expect(page.getByTestId("sso-reference")).toBeVisible();

    await goto(page, "/acme/admin/sso-activity");
    const row = page.getByTestId("sso-attempt-row").first();
    await expect(row).toHaveAttribute("data-reason", "unknown_certificate");
    await expect(row.getByTestId("sso-attempt-reason")).toHaveText("Signed by another certificate");
    await expect(row.getByTestId("sso-attempt-hint")).toContainText(fixed.fingerprint);
    await row.getByTestId("sso-attempt-open").click();
    const detail = page.getByTestId("sso-attempt");
    await expect(detail.getByTestId("sso-attempt-expected")).toContainText(idp!.fingerprint);
    await expect(detail.getByTestId("sso-attempt-received")).toHaveText(fixed.fingerprint);

    // The fix the hint names: the identity provider's certificate, pasted; then Test sign-in passes.
    await saveIdp(page, { certificate: fixed.certificate });
    await expect(page.getByTestId("certificate").getByTestId("cert-fingerprint")).toHaveText(fixed.fingerprint);
    await page.getByTestId("test-sso").click();
    await signInAtIdp(page, admin.email);
    await expect(page.getByTestId("sso-test-passed")).toBeVisible();
    await goto(page, "/acme/admin/sso-activity");
    await expect(page.getByTestId("sso-attempt-row").first()).toHaveAttribute("data-outcome", "succeeded");
  });

  test("the identity provider's signing key is rotated with sign-ins working throughout", async ({ page, request, browser, baseURL }) => {
    // Two identity providers started, three sign-ins through them, the settings saved twice:
    // 20-30 s in a full run on two cores, over 40 s with the machine loaded further.
    test.slow();
    // The identity provider's next key: its certificate is known before it signs with it.
    const next = await startSamlIdp(request, baseURL!, { name: "Gatehouse Activity IdP next", issuer: "urn:gatehouse:activity-idp", audience: `${baseURL}/acme/saml/metadata` });
    await signIn(page);
    await saveIdp(page, { next: next.certificate });
    await expect(page.getByTestId("next-certificate").getByTestId("cert-fingerprint")).toHaveText(next.fingerprint);
    await expect(page.getByTestId("next-certificate-seen")).toContainText("No sign-in signed with it yet");
    await ssoSignIn(browser);

    // The identity provider switches to the new key at the same address.
    const port = fixed!.port;
    await fixed!.stop();
    rotated = await startSamlIdp(request, baseURL!, { name: "Gatehouse Activity IdP next", issuer: "urn:gatehouse:activity-idp", audience: `${baseURL}/acme/saml/metadata`, keyOf: next, port });
    await next.stop();
    await ssoSignIn(browser);
    await goto(page, "/acme/admin/authentication");
    await expect(page.getByTestId("next-certificate-seen")).toContainText("Sign-ins signed with it since");

    // The admin finishes the rotation: the new certificate becomes the certificate.
    await saveIdp(page, { certificate: next.certificate, next: "" });
    await expect(page.getByTestId("certificate").getByTestId("cert-fingerprint")).toHaveText(next.fingerprint);
    await expect(page.getByTestId("next-certificate")).toHaveCount(0);
    await expect(page.getByTestId("sso-verified")).toContainText("Shown to work");
    await ssoSignIn(browser);
    await goto(page, "/acme/admin/audit");
    await expect(page.locator('[data-testid=audit-row][data-action="auth.settings_changed"]').first()).toContainText("certificate");
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
    const group = await scim("POST", "/Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Activity Analysts" });
    expect(group.status()).toBe(201);
    const groupId = (await group.json()).id;
    const added = await scim("PATCH", `/Groups/${groupId}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "add", path: "members", value: [{ value: id }] }] });
    expect([200, 204]).toContain(added.status());
    expect((await patch({ active: false })).status()).toBe(200);

    await goto(page, "/acme/admin/authentication");
    await page.getByTestId("activity-links").getByRole("link", { name: "Provisioning activity" }).click();
    await expect(page).toHaveURL(/\/acme\/admin\/provisioning-activity/);
    const entries = page.getByTestId("provisioning-entry");
    await expect(entries.nth(0)).toHaveAttribute("data-outcome", "deactivated");
    await expect(entries.nth(1)).toHaveAttribute("data-outcome", "updated");
    await expect(entries.nth(1).getByTestId("provisioning-changes")).toContainText("members added");
    await expect(entries.nth(1).getByTestId("provisioning-changes")).toContainText("rhea@acme.example");
    await expect(entries.nth(2)).toHaveAttribute("data-outcome", "created");
    await expect(entries.nth(3)).toHaveAttribute("data-outcome", "updated");
    await expect(entries.nth(3).getByTestId("provisioning-changes")).toContainText("account type: Viewer → Creator");
    await expect(entries.nth(4)).toHaveAttribute("data-outcome", "created");
    await expect(page.locator("body")).not.toContainText("never-kept-2!");
    await expect(page.locator("body")).not.toContainText(token);

    // One person's history, from the row.
    await entries.nth(0).getByTestId("provisioning-history-link").click();
    await expect(page.getByTestId("provisioning-history-of")).toBeVisible();
    await expect(page.getByTestId("provisioning-entry")).toHaveCount(3);
  });
});
