import { test, expect, Browser, Page } from "@playwright/test";
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { admin, ensureAcme, goto, signIn } from "./helpers";

// Why did it fail? A real SAML identity provider (saml-idp) set up with the
// wrong audience: the failed sign-in shows in SSO sign-in activity with its
// reason and the hint that names the setting; and an identity provider's SCIM
// requests show in Provisioning activity with what they changed.

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function signInAtIdp(page: Page, email: string) {
  await expect(page.locator("#userName")).toBeVisible();
  await page.locator("#userName").fill(email);
  await page.locator("#email").fill(email);
  await page.locator("#btn-sign-in").click();
}

async function freshPage(browser: Browser) {
  const context = await browser.newContext();
  return { context, page: await context.newPage() };
}

test.describe.serial("SSO sign-in activity and provisioning activity", () => {
  let idp: ChildProcess | undefined;
  let idpUrl = "";
  let certificate = "";
  let dir = "";

  test.beforeAll(async ({ request, baseURL }) => {
    await ensureAcme(request);
    dir = mkdtempSync(join(tmpdir(), "gatehouse-idp-"));
    const key = join(dir, "idp-key.pem");
    const cert = join(dir, "idp-cert.pem");
    execFileSync("openssl", ["req", "-x509", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=Gatehouse Activity IdP", "-keyout", key, "-out", cert, "-days", "30"], { stdio: "ignore" });
    certificate = readFileSync(cert, "utf8");
    const config = join(dir, "idp-config.js");
    writeFileSync(
      config,
      `module.exports = {
        user: { userName: "nobody@example.com", nameIdFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", email: "nobody@example.com" },
        metadata: [{ id: "email", optional: false, displayName: "E-Mail Address", description: "email", multiValue: false }],
      };\n`,
    );
    const port = await freePort();
    idpUrl = `http://127.0.0.1:${port}`;
    idp = spawn(
      join(__dirname, "..", "node_modules", ".bin", "saml-idp"),
      [
        "--host", "127.0.0.1", "--port", String(port),
        "--cert", cert, "--key", key,
        "--issuer", "urn:gatehouse:activity-idp",
        "--acsUrl", `${baseURL}/acme/finish-login`,
        // The mistake an admin makes: the wrong Audience URI.
        "--audience", `${baseURL}/acme/wrong-audience`,
        "--configFile", config,
        "--static",
      ],
      { stdio: "ignore" },
    );
    await expect
      .poll(async () => (await request.get(`${idpUrl}/metadata`).catch(() => null))?.status() ?? 0, { timeout: 30_000 })
      .toBe(200);
  });

  test.afterAll(() => {
    idp?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

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
