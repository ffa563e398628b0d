import { test, expect } from "@playwright/test";
import { ChildProcess } from "node:child_process";
import { admin, ensureAcme, goto, signIn } from "./helpers";
import { startOidcProvider } from "./idp";

// Sigma's "OAuth" with a real OpenID provider: the npm package oidc-provider,
// started here (end2end/oidc-provider.mjs) with Gatehouse as its client. It
// signs in the admin without asking for a password. An admin's Test sign-in,
// sign-in from the login page, and sign-in started at the provider.

test.describe.serial("single sign-on with a real OpenID provider", () => {
  let provider: ChildProcess | undefined;
  let issuer = "";
  // The method the specs before this one left, put back at the end.
  let before = "";

  test.beforeAll(async ({ request, baseURL }) => {
    await ensureAcme(request);
    ({ issuer, process: provider } = await startOidcProvider(request, baseURL!, admin.email));
  });

  test.afterAll(async ({ browser }) => {
    try {
      if (before) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await signIn(page);
        await goto(page, "/acme/admin/authentication");
        await page.getByTestId("edit-authentication").click();
        await page.getByLabel(before, { exact: true }).check();
        await page.getByTestId("save-authentication").click();
        await expect(page.getByTestId("auth-method")).toHaveText(before);
        await context.close();
      }
    } finally {
      provider?.kill();
    }
  });

  test("an admin connects an OpenID provider and is shown the redirect URI", async ({ page, baseURL }) => {
    await signIn(page);
    await goto(page, "/acme/admin/authentication");
    before = (await page.getByTestId("auth-method").textContent()) ?? "";
    await page.getByTestId("edit-authentication").click();
    await page.getByLabel("OAuth (OpenID Connect) or password").check();
    await expect(page.getByTestId("oidc-fields")).toBeVisible();
    await page.getByLabel("Issuer (or metadata URI)").fill(`${issuer}/.well-known/openid-configuration`);
    await page.getByLabel("Client ID").fill("gatehouse");
    await page.getByLabel("Client secret").fill("e2e-client-secret");
    await page.getByTestId("save-authentication").click();
    await expect(page.getByTestId("toast").filter({ hasText: "Authentication settings saved" })).toBeVisible();
    await expect(page.getByTestId("auth-method")).toHaveText("OAuth (OpenID Connect) or password");
    await expect(page.getByTestId("oidc-issuer")).toHaveText(issuer);
    await expect(page.getByTestId("oidc-client-secret")).toHaveText("Stored (never shown again)");
    await expect(page.getByTestId("oidc-redirect-uri")).toContainText(`${baseURL}/acme/oidc/callback`);
    await expect(page.getByTestId("oidc-verified")).toContainText("Not yet shown to work");
  });

  test("Test sign-in goes to the provider and back, signs nobody in, and shows OpenID Connect works", async ({ page }) => {
    await signIn(page);
    await goto(page, "/acme/admin/authentication");
    await expect(page.getByTestId("oidc-verified")).toContainText("Not yet shown to work");
    await page.getByTestId("test-oidc").click();
    await expect(page.getByTestId("sso-test-passed")).toBeVisible();
    await expect(page.getByTestId("sso-test-email")).toHaveText(admin.email);
    await expect(page.getByTestId("sso-test-verdict")).toContainText("“OAuth (OpenID Connect)” alone may now be chosen");
    await page.getByRole("link", { name: "Back to Authentication" }).click();
    await expect(page.getByTestId("oidc-verified")).toContainText(`Shown to work: ${admin.email}`);
    await expect(page.getByTestId("idp-initiated")).toHaveText("Allowed");
  });

  test("sign-in started at the provider (its initiate login URI) ends signed in where it pointed", async ({ browser, baseURL }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`/acme/oidc/start?iss=${encodeURIComponent(issuer)}&target_link_uri=${encodeURIComponent(`${baseURL}/acme/documents`)}`);
    await expect(page).toHaveURL(/\/acme\/documents$/);
    await goto(page, "/acme/profile");
    await expect(page.getByTestId("profile-email")).toHaveText(admin.email);
    await context.close();
  });

  test("Sign in with SSO goes through the provider and back, signed in", async ({ browser }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await goto(page, "/acme/login");
    await page.getByTestId("sso-button").click();
    await expect(page).toHaveURL(/\/acme$/);
    await goto(page, "/acme/admin/authentication");
    await expect(page.getByTestId("oidc-verified")).toContainText(`Shown to work: ${admin.email}`);
    await context.close();
  });
});
