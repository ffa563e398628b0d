import { test, expect } from "@playwright/test";
import { goto, hydrated, setupCode, signIn } from "./helpers";
import type { Page } from "@playwright/test";

// The browser asks pages to save data (as in a phone's data-saver mode):
// Administration then fetches no other page's modules while idle
// (app/src/pages/warm_up.rs), and what loads is only what the page needs.
async function saveData(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Emulation.setDataSaverOverride", { dataSaverEnabled: true });
}

/** Whether `path` is the file of the split function `name` (its name, `_`, a number). */
const isModule = (path: string, name: string) => new RegExp(`/split_${name}_\\d+\\.wasm$`).test(path);

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
    await page.getByLabel("Password", { exact: true }).fill("password1234");
    await page.getByLabel("Confirm password").fill("password1234");
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
    await page.getByTestId("org-name-form").getByRole("button", { name: "Save" }).click();
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
    // The sign-in page is the server's: the app asks for it whole (a light page).
    await expect(page.getByText("You have signed out.")).toBeVisible();
    await page.goto("/acme/admin/account");
    await expect(page).toHaveURL(/\/acme\/login\?next=/);
  });

  test("the Administration pages load their code when first visited", async ({ page }) => {
    await saveData(page);
    const wasm: string[] = [];
    page.on("request", (r) => { if (r.url().endsWith(".wasm")) wasm.push(new URL(r.url()).pathname); });
    let ahead = 0;
    page.on("request", (r) => { if (/\/(__wasm_split_manifest\.json|split_admin_warm_up\.wasm)$/.test(r.url())) ahead++; });
    const module = (name: string) => wasm.filter((p) => isModule(p, name));
    const pages = () => wasm.filter((p) => p.includes("/split_"));

    await goto(page, "/acme/login");
    expect(wasm, "the sign-in page loads no wasm").toEqual([]);
    await page.getByLabel("Email").fill(admin.email);
    await page.getByLabel("Password").fill(admin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/acme$/);
    await hydrated(page);
    expect(wasm.filter((p) => p.endsWith("/gatehouse_bg.wasm"))).toHaveLength(1);
    expect(pages(), "the home page loads no page module").toEqual([]);

    // Going to Administration loads the module of its first page (Account,
    // a group of its own), and no other group's.
    await page.getByRole("link", { name: "Administration" }).click();
    await expect(page).toHaveURL(/\/acme\/admin\/account$/);
    await expect(page.getByTestId("account-url")).toBeVisible();
    await expect.poll(() => module("administration_account")).toHaveLength(1);
    expect(module("administration_settings"), "the other groups wait").toEqual([]);
    expect(module("administration_people"), "the other groups wait").toEqual([]);
    expect(module("__profile_route_view")).toEqual([]);
    // The next group loads when one of its pages is first reached; moving
    // within it then loads nothing more.
    const nav = page.getByRole("navigation", { name: "Administration" });
    await nav.getByRole("link", { name: "Audit log" }).click();
    await expect(page).toHaveURL(/\/acme\/admin\/audit$/);
    await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
    expect(module("administration_settings")).toHaveLength(1);
    let before = wasm.length;
    await nav.getByRole("link", { name: "Account Types" }).click();
    await expect(page).toHaveURL(/\/acme\/admin\/account-types$/);
    await expect(page.getByRole("heading", { name: "Account Types", level: 1 })).toBeVisible();
    expect(wasm.length).toBe(before);
    // Pointing at a link to another group loads that group's module before
    // the click; following it then loads nothing more. Focus does the same.
    await nav.getByRole("link", { name: "Users" }).hover();
    await expect.poll(() => module("administration_people")).toHaveLength(1);
    before = wasm.length;
    await nav.getByRole("link", { name: "Users" }).click();
    await expect(page).toHaveURL(/\/acme\/admin\/users$/);
    await expect(page.getByTestId("users-table")).toBeVisible();
    expect(wasm.length).toBe(before);
    await nav.getByRole("link", { name: "Authentication" }).focus();
    await expect.poll(() => module("administration_sign_in")).toHaveLength(1);
    expect(ahead, "nothing fetched ahead when the browser saves data, not even the code that would").toBe(0);

    // A first visit that starts on an admin page: the server names the
    // module as a preload, and the page hydrates once it is in.
    const res = await page.request.get("/acme/admin/teams");
    const html = await res.text();
    const preloads = [...html.matchAll(/<link [^>]*rel="preload"[^>]*>/g)].map((m) => m[0]);
    expect(preloads.some((l) => /href="\/pkg\/[0-9a-f]{16}\/split_administration_people_\d+\.wasm"/.test(l))).toBe(true);
    expect(preloads.some((l) => l.includes("split___document_route_view_")), "only the page's own modules").toBe(false);
    await goto(page, "/acme/admin/teams");
    await page.getByRole("button", { name: "Create team" }).click();
    await expect(page.getByRole("dialog")).toBeVisible();
  });

  test("on a phone, arrowing through the Administration menu loads a group's module as its item takes focus", async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await saveData(page);
    const wasm: string[] = [];
    page.on("request", (r) => { if (r.url().endsWith(".wasm")) wasm.push(new URL(r.url()).pathname); });
    const module = (name: string) => wasm.filter((p) => isModule(p, name));
    try {
      await signIn(page, admin);
      await goto(page, "/acme/admin/account");
      await hydrated(page);
      await expect.poll(() => module("administration_account")).toHaveLength(1);
      expect(module("administration_sign_in")).toEqual([]);
      // The side navigation is hidden at this width: the menu above the page stands for it.
      await page.getByTestId("admin-menu").getByRole("button").focus();
      await page.keyboard.press("ArrowDown");
      await expect(page.getByRole("menuitem", { name: "Account", exact: true })).toBeFocused();
      expect(module("administration_sign_in"), "nothing before an item of that group has focus").toEqual([]);
      await page.keyboard.press("ArrowDown");
      await expect(page.getByRole("menuitem", { name: "Authentication" })).toBeFocused();
      await expect.poll(() => module("administration_sign_in")).toHaveLength(1);
      const before = wasm.length;
      await page.keyboard.press("Enter");
      await expect(page).toHaveURL(/\/acme\/admin\/authentication$/);
      await expect(page.getByRole("heading", { name: "Authentication" }).first()).toBeVisible();
      expect(wasm.length, "following it loads nothing more").toBe(before);
    } finally {
      await context.close();
    }
  });

  test("once an Administration page is up, the other pages' modules are fetched while idle, and the next page loads nothing from the network", async ({ page }) => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    type Fetch = { id: string; path: string; network: boolean; done: boolean };
    const fetches: Fetch[] = [];
    const byId = new Map<string, Fetch>();
    cdp.on("Network.requestWillBeSent", (e) => {
      const path = new URL(e.request.url).pathname;
      if (!path.endsWith(".wasm") && !path.endsWith("/__wasm_split_manifest.json")) return;
      const f = { id: e.requestId, path, network: true, done: false };
      fetches.push(f);
      byId.set(e.requestId, f);
    });
    cdp.on("Network.requestServedFromCache", (e) => { const f = byId.get(e.requestId); if (f) f.network = false; });
    cdp.on("Network.responseReceived", (e) => { const f = byId.get(e.requestId); if (f && e.response.fromDiskCache) f.network = false; });
    cdp.on("Network.loadingFinished", (e) => { const f = byId.get(e.requestId); if (f) f.done = true; });
    const module = (name: string) => fetches.filter((f) => isModule(f.path, name));

    await signIn(page, admin);
    await hydrated(page);
    // The home page fetches nothing ahead: only Administration does, for admins.
    await page.waitForLoadState("networkidle");
    expect(fetches.filter((f) => f.path.includes("/split_") || f.path.endsWith(".json")), "the home page").toEqual([]);

    await page.getByRole("link", { name: "Administration" }).click();
    await expect(page.getByTestId("account-url")).toBeVisible();
    // Account's module first; then, nothing pointed at or clicked, the
    // manifest and the other three groups' modules, each once.
    for (const group of ["administration_sign_in", "administration_settings", "administration_people"]) {
      await expect.poll(() => module(group).filter((f) => f.done).length, { message: group }).toBe(1);
    }
    const order = fetches.map((f) => f.path);
    const warmUpAt = order.findIndex((p) => p.endsWith("/split_admin_warm_up.wasm"));
    const manifestAt = order.findIndex((p) => p.endsWith("/__wasm_split_manifest.json"));
    expect(warmUpAt, "the module that fetches ahead loads").toBeGreaterThan(-1);
    expect(order.findIndex((p) => isModule(p, "administration_account")), "after the page's own module").toBeLessThan(warmUpAt);
    expect(warmUpAt, "then the manifest").toBeLessThan(manifestAt);
    expect(new Set(order).size, "no file twice").toBe(order.length);
    expect(module("__profile_route_view"), "only Administration's modules").toEqual([]);

    // Following a link to each group then takes its modules from the cache.
    const nav = page.getByRole("navigation", { name: "Administration" });
    for (const [name, heading] of [["Users", "Users"], ["Authentication", "Authentication"], ["Audit log", "Audit log"]]) {
      const before = fetches.length;
      await nav.getByRole("link", { name, exact: true }).click();
      await expect(page.getByRole("heading", { name: heading, level: 1 })).toBeVisible();
      await page.waitForLoadState("networkidle");
      const now = fetches.slice(before);
      expect(now.length, `${name} loads its modules`).toBeGreaterThan(0);
      expect(now.filter((f) => f.network).map((f) => f.path), `${name}: nothing from the network`).toEqual([]);
    }
  });

  test("when fetching ahead fails, the page goes on and the next page loads as it would have", async ({ page }) => {
    await signIn(page, admin);
    await hydrated(page);
    // The first module fetched ahead is refused; a later load of it by its page is answered.
    let refused = 0;
    await page.route(/\/split_administration_sign_in_\d+\.wasm$/, (route) => {
      if (refused++ === 0) return route.fulfill({ status: 503, contentType: "text/plain", body: "busy" });
      return route.continue();
    });
    let loads = 0;
    page.on("load", () => loads++);
    await page.getByRole("link", { name: "Administration" }).click();
    await expect(page.getByTestId("account-url")).toBeVisible();
    await expect.poll(() => refused, { message: "the module fetched ahead was refused" }).toBe(1);
    const nav = page.getByRole("navigation", { name: "Administration" });
    await nav.getByRole("link", { name: "Authentication", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Authentication", level: 1 })).toBeVisible();
    expect(refused, "its page loaded it again").toBe(2);
    expect(loads, "the page was not loaded again").toBe(0);
    await page.unroute(/\/split_administration_sign_in_\d+\.wasm$/);
  });

  test("when the code that fetches ahead does not load, the page goes on and fetches nothing more", async ({ page }) => {
    await signIn(page, admin);
    await hydrated(page);
    let refused = 0;
    await page.route(/\/split_admin_warm_up\.wasm$/, (route) => {
      refused++;
      return route.fulfill({ status: 404, contentType: "text/plain", body: "Not Found" });
    });
    const wasm: string[] = [];
    page.on("request", (r) => { if (r.url().endsWith(".wasm") || r.url().endsWith(".json")) wasm.push(new URL(r.url()).pathname); });
    let loads = 0;
    page.on("load", () => loads++);
    await page.getByRole("link", { name: "Administration" }).click();
    await expect(page.getByTestId("account-url")).toBeVisible();
    await expect.poll(() => refused, { message: "the module was asked for" }).toBe(1);
    await page.waitForLoadState("networkidle");
    expect(wasm.filter((p) => p.endsWith(".json") || /split_administration_(people|settings|sign_in)_/.test(p)), "nothing fetched ahead").toEqual([]);
    const nav = page.getByRole("navigation", { name: "Administration" });
    await nav.getByRole("link", { name: "Users", exact: true }).click();
    await expect(page.getByTestId("users-table")).toBeVisible();
    expect(loads, "the page was not loaded again").toBe(0);
    await page.unroute(/\/split_admin_warm_up\.wasm$/);
  });

  test("a page whose module is gone (an upgrade while it was open) loads again, once", async ({ page }) => {
    await signIn(page, admin);
    await hydrated(page);

    // The Administration module is gone, as after an upgrade replaced the
    // bundle: the server answers 404 for it. (Answered here, in this page's
    // browser context, rather than by moving the files: the demo instance
    // serves the same site to the screenshot specs running beside this one.)
    const gone = /\/split_administration_account_[^/]*\.wasm$/;
    let asked = 0;
    await page.route(gone, (route) => {
      asked++;
      return route.fulfill({ status: 404, contentType: "text/plain", body: "Not Found" });
    });
    try {
      let loads = 0;
      page.on("load", () => loads++);
      // A module that does not load stops the app with this message in the console.
      let failed = 0;
      page.on("console", (m) => {
        if (m.type() === "error" && m.text().includes("load callback should succeed")) failed++;
      });
      await page.getByRole("link", { name: "Administration" }).click();
      await expect.poll(() => loads, { message: "the page loads again" }).toBe(1);
      await expect.poll(() => page.evaluate(() => (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).type)).toBe("reload");
      // The module is still missing after the reload: the reloaded page fails
      // to load it too, and this time does not load again. The app notes
      // when it last reloaded (before it does): that moment is still before
      // this page began, so the second failure did not reload it.
      await expect.poll(() => failed, { message: "the module failed to load on the first page and on the reloaded one" }).toBe(2);
      const { reloaded, began } = await page.evaluate(() => ({ reloaded: Number(sessionStorage.getItem("gatehouse-module-reload")), began: performance.timeOrigin }));
      expect(reloaded, "the app noted its reload").toBeGreaterThan(0);
      expect(reloaded, "the last reload is the one that began this page").toBeLessThan(began);
      expect(loads).toBe(1);
      expect(asked).toBeGreaterThan(0);
    } finally {
      await page.unroute(gone);
    }
    await goto(page, "/acme/admin/audit");
    await expect(page.locator("[data-testid=audit-row]").first()).toBeVisible();
  });
});
