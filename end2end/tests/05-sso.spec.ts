import { test, expect } from "@playwright/test";
import { admin, ensureAcme, goto, hydrated, signIn } from "./helpers";
import { freshPage, SamlIdp, signInAtIdp, startSamlIdp } from "./idp";

// The QuickStart's "SSO Initial Configuration", "Testing SSO" and "Disable
// Standard Authentication" against a real SAML identity provider: the npm
// package saml-idp, started here with a key and certificate that openssl
// makes for this run.

test.describe.serial("single sign-on with a real SAML identity provider", () => {
  let idp: SamlIdp | undefined;
  let idpUrl = "";
  let certificate = "";
  let fingerprint = "";

  test.beforeAll(async ({ request, baseURL }) => {
    await ensureAcme(request);
    idp = await startSamlIdp(request, baseURL!, { name: "Gatehouse Test IdP", issuer: "urn:gatehouse:test-idp", audience: `${baseURL}/acme/saml/metadata` });
    ({ url: idpUrl, certificate, fingerprint } = idp);
  });

  test.afterAll(async () => idp?.stop());

  // The specs after this one share the instance and sign in with passwords:
  // however a test ended, passed or not, the sign-in method goes back to
  // SAML or password and guest access to off.
  test.afterEach(async ({ browser, baseURL }) => {
    const { context, page } = await freshPage(browser);
    try {
      const answer = await page.request.post(`${baseURL}/api/login_info`, { form: { org: "acme" }, headers: { origin: baseURL! } });
      expect(answer.ok(), await answer.text()).toBeTruthy();
      const info = await answer.json();
      if (info.password_enabled && !info.guests_enabled) return;
      if (info.sso_enabled) {
        // Passwords may be off: the admin signs in through the identity provider.
        await goto(page, "/acme/login");
        await page.getByTestId("sso-button").click();
        await signInAtIdp(page, admin.email);
        await expect(page).toHaveURL(/\/acme$/);
      } else {
        await signIn(page);
      }
      await goto(page, "/acme/admin/authentication");
      await page.getByTestId("edit-authentication").click();
      await page.getByLabel("SAML or password").check();
      await page.getByLabel("Allow guest access").uncheck();
      await page.getByTestId("save-authentication").click();
      await expect(page.getByTestId("auth-method")).toHaveText("SAML or password");
      await expect(page.getByTestId("guest-access")).toHaveText("Off");
    } finally {
      await context.close();
    }
  });

  test("an admin sets SAML or password, the IdP login URL and its certificate", async ({ page, baseURL }) => {
    await signIn(page);
    await goto(page, "/acme/admin/authentication");
    await expect(page.getByTestId("auth-method")).toHaveText("Password");
    await expect(page.getByTestId("acs-url")).toHaveText(`${baseURL}/acme/finish-login`);
    await expect(page.getByTestId("sp-entity-id")).toHaveText(`${baseURL}/acme/saml/metadata`);

    await page.getByTestId("edit-authentication").click();
    await page.getByLabel("SAML or password").check();
    await page.getByLabel("Identity provider login URL").fill(`${idpUrl}/saml/sso`);
    // A certificate that does not parse is refused, with a message beside the field.
    await page.getByLabel("Identity provider X509 certificate").fill("-----BEGIN CERTIFICATE-----\nMIIBbroken\n-----END CERTIFICATE-----");
    await page.getByTestId("save-authentication").click();
    await expect(page.locator(".field-error")).toContainText("could not be read");
    await expect(page.getByTestId("authentication-form")).toBeVisible();

    await page.getByLabel("Identity provider X509 certificate").fill(certificate);
    await page.getByTestId("save-authentication").click();
    await expect(page.getByTestId("toast").filter({ hasText: "Authentication settings saved" })).toBeVisible();
    await expect(page.getByTestId("auth-method")).toHaveText("SAML or password");
    await expect(page.getByTestId("cert-subject")).toContainText("Gatehouse Test IdP");
    await expect(page.getByTestId("cert-fingerprint")).toHaveText(fingerprint);
    await expect(page.getByTestId("cert-warning")).toContainText("expires in");
  });

  test("the lockout guard refuses SAML only before an admin has signed in through SSO", async ({ page }) => {
    await signIn(page);
    await goto(page, "/acme/admin/authentication");
    await page.getByTestId("edit-authentication").click();
    await page.getByLabel("SAML", { exact: true }).check();
    await page.getByTestId("save-authentication").click();
    await expect(page.locator(".field-error")).toContainText("sign in with “Sign in with SSO” as an administrator");
    await page.getByRole("button", { name: "Cancel" }).click();
    await expect(page.getByTestId("auth-method")).toHaveText("SAML or password");
  });

  test("Test sign-in goes to the identity provider and back, signs nobody in, and passes the lockout guard", async ({ page }) => {
    await signIn(page);
    await goto(page, "/acme/admin/authentication");
    await expect(page.getByTestId("sso-verified")).toContainText("Not yet shown to work");
    await page.getByTestId("test-sso").click();
    await expect(page).toHaveURL(new RegExp(`^${idpUrl}/saml/sso`));
    await signInAtIdp(page, admin.email);
    await expect(page.getByTestId("sso-test-passed")).toBeVisible();
    await expect(page.getByTestId("sso-test-email")).toHaveText(admin.email);
    await expect(page.getByTestId("sso-test-verdict")).toContainText("may now be chosen");
    await page.getByRole("link", { name: "Back to Authentication" }).click();
    await hydrated(page);
    await expect(page.getByTestId("sso-verified")).toContainText(`Shown to work: ${admin.email}`);
  });

  test("the identity provider's fields show only for SAML, keep what was typed, and a hidden one cannot refuse the save", async ({ page }) => {
    await signIn(page);
    await goto(page, "/acme/admin/authentication");
    await page.getByTestId("edit-authentication").click();
    const url = page.getByLabel("Identity provider login URL");
    const cert = page.getByLabel("Identity provider X509 certificate");
    await expect(url).toHaveValue(`${idpUrl}/saml/sso`);
    // Each hint is read with the setting it explains.
    await expect(page.getByLabel("Allow sign-in started at the identity provider")).toHaveAccessibleDescription(/app tiles/);
    await expect(page.getByLabel("Allow guest access")).toHaveAccessibleDescription(/^Guests are people outside your identity provider/);

    await page.getByLabel("Password", { exact: true }).check();
    await expect(page.getByTestId("idp-fields")).toHaveCount(0);
    await expect(page.getByLabel("Allow sign-in started at the identity provider")).toHaveCount(0);
    await page.getByLabel("SAML", { exact: true }).check();
    await expect(url).toHaveValue(`${idpUrl}/saml/sso`);
    await cert.fill("-----BEGIN CERTIFICATE-----\nMIIBbroken\n-----END CERTIFICATE-----");
    await page.getByLabel("Password", { exact: true }).check();
    await page.getByLabel("SAML or password").check();
    await expect(cert).toHaveValue(/MIIBbroken/);

    // Password alone: the hidden certificate is neither checked nor saved.
    await page.getByLabel("Password", { exact: true }).check();
    await page.getByTestId("save-authentication").click();
    await expect(page.getByTestId("toast").filter({ hasText: "Authentication settings saved" })).toBeVisible();
    await expect(page.getByTestId("auth-method")).toHaveText("Password");
    await expect(page.getByTestId("cert-subject")).toContainText("Gatehouse Test IdP");

    // Back to SAML or password with the identity provider as it was saved.
    await page.getByTestId("edit-authentication").click();
    await page.getByLabel("SAML or password").check();
    await expect(cert).toHaveValue(/BEGIN CERTIFICATE/);
    await expect(cert).not.toHaveValue(/MIIBbroken/);
    await page.getByTestId("save-authentication").click();
    await expect(page.getByTestId("auth-method")).toHaveText("SAML or password");
  });

  test("someone with no account is refused with a page that says why", async ({ browser }) => {
    const { context, page } = await freshPage(browser);
    await goto(page, "/acme/login");
    await expect(page.getByTestId("login-form")).toBeVisible();
    await page.getByTestId("sso-button").click();
    await signInAtIdp(page, "nobody@example.com");
    await expect(page.getByTestId("sso-message")).toContainText("There is no Gatehouse account for nobody@example.com in Acme");
    await expect(page.getByTestId("sso-reference")).toHaveText(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    await context.close();
  });

  test("SP-initiated: Sign in with SSO returns to the page asked for", async ({ browser }) => {
    const { context, page } = await freshPage(browser);
    await page.goto("/acme/admin/users");
    await expect(page).toHaveURL(/\/acme\/login\?next=/);
    await hydrated(page);
    await page.getByTestId("sso-button").click();
    await expect(page).toHaveURL(new RegExp(`^${idpUrl}/saml/sso`));
    await signInAtIdp(page, admin.email.toUpperCase());
    await expect(page).toHaveURL(/\/acme\/admin\/users$/);
    await hydrated(page);
    await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
    await context.close();
  });

  test("IdP-initiated: signing in at the identity provider asks to continue, then lands on the home page", async ({ browser }) => {
    const { context, page } = await freshPage(browser);
    await page.goto(`${idpUrl}/`);
    await signInAtIdp(page, admin.email);
    // A response nobody asked Gatehouse for signs in only once the person
    // says it is them, from Gatehouse's own page.
    await expect(page.getByTestId("sso-confirm")).toContainText("Sign in to Acme");
    await expect(page.getByTestId("sso-confirm-email")).toHaveText(admin.email);
    await page.getByRole("button", { name: `Continue as ${admin.email}` }).click();
    await expect(page).toHaveURL(/\/acme$/);
    await hydrated(page);
    await goto(page, "/acme/admin/audit");
    await expect(page.locator('[data-testid=audit-row][data-action="auth.sign_in"]').filter({ hasText: "Signed in with SSO" }).first()).toBeVisible();
    await expect(page.locator('[data-testid=audit-row][data-action="auth.sso_failed"]').first()).toContainText("SSO sign-in failed");
    await expect(page.locator('[data-testid=audit-row][data-action="auth.sso_failed"]').filter({ hasText: "no account with this email" }).first()).toBeVisible();
    await context.close();
  });

  test("SAML only leaves just the SSO button, and the server refuses passwords", async ({ page, browser, baseURL }) => {
    // Through SSO: a session that began with a password ends when passwords are turned off.
    await goto(page, "/acme/login");
    await page.getByTestId("sso-button").click();
    await signInAtIdp(page, admin.email);
    await expect(page).toHaveURL(/\/acme$/);
    await goto(page, "/acme/admin/authentication");
    await expect(page.getByTestId("sso-verified")).toContainText(admin.email);
    await page.getByTestId("edit-authentication").click();
    await page.getByLabel("SAML", { exact: true }).check();
    await page.getByTestId("save-authentication").click();
    await expect(page.getByTestId("auth-method")).toHaveText("SAML");

    const { context, page: visitor } = await freshPage(browser);
    await goto(visitor, "/acme/login");
    await expect(visitor.getByTestId("sso-button")).toBeVisible();
    await expect(visitor.getByTestId("login-form")).toHaveCount(0);
    const refused = await visitor.request.post(`${baseURL}/api/sign_in`, {
      form: { org: "acme", email: admin.email, password: admin.password },
      headers: { origin: baseURL! },
    });
    expect(refused.status()).toBe(403);
    expect((await refused.json()).message).toContain("signs in with single sign-on");
    // The admin still gets in, through SSO.
    await visitor.getByTestId("sso-button").click();
    await signInAtIdp(visitor, admin.email);
    await expect(visitor).toHaveURL(/\/acme$/);
    await context.close();
  });

  test("guests sign in with their password under SAML only, until guest access is turned off", async ({ page, browser, baseURL }) => {
    const gus = { email: "gus@partner.example", password: "gus has a long password" };
    await goto(page, "/acme/login");
    await page.getByTestId("sso-button").click();
    await signInAtIdp(page, admin.email);
    await expect(page).toHaveURL(/\/acme$/);
    await goto(page, "/acme/admin/authentication");
    await page.getByTestId("edit-authentication").click();
    await page.getByLabel("Allow guest access").check();
    await page.getByLabel("SAML", { exact: true }).check();
    await page.getByTestId("save-authentication").click();
    await expect(page.getByTestId("auth-method")).toHaveText("SAML");
    await expect(page.getByTestId("guest-access")).toHaveText("Allowed");

    // Invited as a guest (the server function Add users calls), they choose a password.
    const types = await (await page.request.post("/api/account_types", { form: { org: "acme" }, headers: { origin: baseURL! } })).json();
    const viewer = types.find((t: { name: string }) => t.name === "Viewer").id;
    const invited = await page.request.post("/api/invite_users", {
      data: { org: "acme", people: `${gus.email}, Gus, Guest`, account_type_id: viewer, team_ids: [], guest: true },
      headers: { origin: baseURL! },
    });
    expect(invited.ok(), await invited.text()).toBeTruthy();
    const link = (await invited.json())[0].link as string;
    const { context, page: guest } = await freshPage(browser);
    await goto(guest, new URL(link).pathname);
    await guest.getByLabel("Password", { exact: true }).fill(gus.password);
    await guest.getByLabel("Confirm password").fill(gus.password);
    await guest.getByRole("button", { name: /Set password|Choose password|Save/ }).click();
    await expect(guest).toHaveURL(/\/acme\/login/);

    // SAML only: the password form is there for guests, and a guest gets in with it.
    await goto(guest, "/acme/login");
    await expect(guest.getByTestId("guest-divider")).toBeVisible();
    await guest.getByLabel("Email").fill(gus.email);
    await guest.getByLabel("Password").fill(gus.password);
    await guest.getByRole("button", { name: "Sign in" }).click();
    await expect(guest).toHaveURL(/\/acme$/);
    await goto(guest, "/acme/profile");
    await expect(guest.getByTestId("profile-guest")).toHaveText("Guest");

    // Guest access off: the guest's session ends at once, and they cannot sign in again.
    await page.getByTestId("edit-authentication").click();
    await page.getByLabel("Allow guest access").uncheck();
    await page.getByTestId("save-authentication").click();
    await expect(page.getByTestId("guest-access")).toHaveText("Off");
    await guest.reload();
    await expect(guest).toHaveURL(/\/acme\/login/);
    const refused = await guest.request.post(`${baseURL}/api/sign_in`, {
      form: { org: "acme", email: gus.email, password: gus.password },
      headers: { origin: baseURL! },
    });
    expect(refused.status()).toBe(403);
    await context.close();
  });
});
