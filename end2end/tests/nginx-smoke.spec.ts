import { test, expect } from "@playwright/test";
import { admin, ensureAcme, goto, signIn } from "./helpers";
import { startOidcProvider } from "./idp";

// Through nginx, round-robin over two instances on one PostgreSQL (run by
// playwright.nginx.config.ts): every request may reach either instance.
test("sign in, open Users, change an account type, sign out — through a load balancer", async ({ page }) => {
  await ensureAcme(page.request);
  await signIn(page);
  await goto(page, "/acme/admin/users");
  await page.getByRole("button", { name: "Add users" }).click();
  await page.getByTestId("add-users").getByLabel("People").fill("lb.person@acme.example, Lee, Balancer");
  await page.getByRole("button", { name: "Add and create invitation links" }).click();
  await page.getByRole("dialog", { name: "Invitation links" }).getByRole("button", { name: "Done" }).click();
  const row = page.locator('[data-testid=user-row][data-email="lb.person@acme.example"]');
  await expect(row).toContainText("Viewer");
  await row.getByRole("button", { name: "Actions for lb.person@acme.example" }).click();
  await page.getByRole("menuitem", { name: "Change account type…" }).click();
  const dialog = page.getByRole("dialog", { name: /^Change account type/ });
  await dialog.getByLabel("Account type").selectOption({ label: "Creator" });
  await dialog.getByRole("button", { name: "Change account type" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Account type changed" })).toBeVisible();
  // Several reloads: each may be served by the other instance, and the session holds.
  for (let i = 0; i < 4; i++) {
    await goto(page, "/acme/admin/users");
    await expect(page.locator('[data-testid=user-row][data-email="lb.person@acme.example"]')).toContainText("Creator");
  }
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/acme\/login\?signed_out=1$/);
  // The sign-in page is the server's: the app asks for it whole (a light page).
  await expect(page.getByText("You have signed out.")).toBeVisible();
  await page.goto("/acme/admin/users");
  await expect(page).toHaveURL(/\/acme\/login\?next=/);
});

// OpenID Connect through the balancer: the sign-in may start on one instance
// and its callback reach the other; the sealed state cookie is all they share.
test("OpenID Connect sign-in through a load balancer, three times", async ({ page, browser, baseURL, request }) => {
  await ensureAcme(request);
  const { issuer, process: provider } = await startOidcProvider(request, baseURL!, admin.email);
  try {
    await signIn(page);
    await goto(page, "/acme/admin/authentication");
    await page.getByTestId("edit-authentication").click();
    await page.getByLabel("OAuth (OpenID Connect) or password").check();
    await page.getByLabel("Issuer (or metadata URI)").fill(issuer);
    await page.getByLabel("Client ID").fill("gatehouse");
    await page.getByLabel("Client secret").fill("e2e-client-secret");
    await page.getByTestId("save-authentication").click();
    await expect(page.getByTestId("auth-method")).toHaveText("OAuth (OpenID Connect) or password");
    for (let i = 0; i < 3; i++) {
      const context = await browser.newContext();
      const p = await context.newPage();
      await goto(p, "/acme/login");
      await p.getByTestId("sso-button").click();
      await expect(p).toHaveURL(/\/acme$/);
      await context.close();
    }
    await goto(page, "/acme/admin/authentication");
    await expect(page.getByTestId("oidc-verified")).toContainText(`Shown to work: ${admin.email}`);
  } finally {
    provider.kill();
  }
});
