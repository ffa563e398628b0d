import { test, expect, Browser, BrowserContext, ConsoleMessage, Locator, Page, Request } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { demoUser, expectNoSidewaysScroll, hydrated, screensPort, screensURL } from "./helpers";

// Every Administration screen, the sign-in page, the home page, a document
// and the error page, on the demo organization with a person and a team its
// identity provider pushed over SCIM (pushed first, below), in the light and
// the dark theme, at a desktop (1440×900) and a phone (390×844) width:
// compared with the baseline screenshots checked in
// beside this file, checked with axe-core (no serious or critical
// violation of WCAG 2.1 A/AA), and, on the phone, for sideways scrolling.
// Times are masked; everything else on these screens is fixed demo data.
// Update the baselines after a deliberate change of the look with
//   npx playwright test tests/06-screens.spec.ts --update-snapshots

const themes = [
  { scheme: "light" as const, suffix: "" },
  { scheme: "dark" as const, suffix: "-dark" },
];

const widths = [
  { name: "desktop", viewport: { width: 1440, height: 900 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
];

type Screen = {
  name: string;
  /** The path, or how to reach the screen from the home page. */
  open: (page: Page) => Promise<void>;
  /** What shows once the screen has its data. */
  ready: (page: Page) => Promise<void>;
  /** Who looks at it: the demo's admin unless said otherwise; null: signed out. */
  as?: string | null;
  /** What differs from run to run beside times (masked in the screenshot). */
  mask?: (page: Page) => Locator[];
};

async function via(page: Page, list: string, link: string) {
  await go(page, list);
  const href = await page.getByRole("link", { name: link, exact: true }).first().getAttribute("href");
  await go(page, href!);
}

async function go(page: Page, path: string) {
  // What the browser reported on the way, printed if the page does not hydrate.
  const problems: string[] = [];
  const onConsole = (m: ConsoleMessage) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  };
  const onFailed = (r: Request) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`);
  page.on("console", onConsole);
  page.on("requestfailed", onFailed);
  try {
    await page.goto(`${screensURL}${path}`);
    await hydrated(page);
  } catch (e) {
    console.log(`${path} did not hydrate; the browser reported:\n  ${problems.join("\n  ") || "nothing"}`);
    throw e;
  } finally {
    page.off("console", onConsole);
    page.off("requestfailed", onFailed);
  }
}

/** A reset link for Sam, made by the admin in beforeAll (each link replaces the one before). */
let resetPath = "";

const screens: Screen[] = [
  { name: "login", as: null, open: (p) => go(p, "/acme/login"), ready: (p) => expect(p.getByRole("button", { name: "Sign in" })).toBeVisible() },
  { name: "home", open: (p) => go(p, "/acme"), ready: (p) => expect(p.getByTestId("my-documents")).toBeVisible() },
  // Casey, a Creator, owns it: explore, export, edit and share show.
  { name: "document", as: "casey@acme.example", open: (p) => via(p, "/acme", "All orders"), ready: (p) => expect(p.getByTestId("row-count")).toContainText("rows") },
  { name: "admin-account", open: (p) => go(p, "/acme/admin/account"), ready: (p) => expect(p.getByTestId("webhook-destinations")).toContainText("No destinations yet") },
  { name: "admin-authentication", open: (p) => go(p, "/acme/admin/authentication"), ready: async (p) => { await expect(p.getByTestId("provisioning-status")).toHaveText("On · 1 active token"); await expect(p.getByTestId("allowlist-row")).toHaveCount(2); } },
  { name: "admin-account-types", open: (p) => go(p, "/acme/admin/account-types"), ready: (p) => expect(p.getByTestId("account-type-row")).toHaveCount(3) },
  { name: "admin-account-type-new", open: (p) => go(p, "/acme/admin/account-types/new"), ready: (p) => expect(p.getByTestId("account-type-editor")).toBeVisible() },
  { name: "admin-teams", open: (p) => go(p, "/acme/admin/teams"), ready: (p) => expect(p.getByTestId("team-row")).toHaveCount(4) },
  { name: "admin-team", open: (p) => via(p, "/acme/admin/teams", "Analytics"), ready: (p) => expect(p.getByTestId("member-row")).toHaveCount(2) },
  { name: "admin-users", open: (p) => go(p, "/acme/admin/users"), ready: (p) => expect(p.getByTestId("user-row")).toHaveCount(6) },
  // Riley never signs in during the run: the sign-in history stays empty.
  { name: "admin-user", open: (p) => via(p, "/acme/admin/users", "Riley Finance"), ready: (p) => expect(p.getByTestId("user-name")).toHaveText("Riley Finance") },
  // A person the identity provider manages: read-only, their IdP team apart.
  { name: "admin-user-idp", open: (p) => via(p, "/acme/admin/users", "Jordan Okta"), ready: (p) => expect(p.getByTestId("idp-teams")).toContainText("OktaViewers") },
  { name: "admin-attributes", open: (p) => go(p, "/acme/admin/attributes"), ready: (p) => expect(p.getByTestId("attribute-team")).toHaveCount(2) },
  // The seed's own events: the rest of the log grows with every sign-in.
  // No single sign-on on the demo: the empty state. The identity provider's two pushes (below), their latency and request ids masked.
  { name: "admin-sso-activity", open: (p) => go(p, "/acme/admin/sso-activity"), ready: (p) => expect(p.getByText("No SSO sign-ins yet")).toBeVisible() },
  {
    name: "admin-provisioning-activity",
    open: (p) => go(p, "/acme/admin/provisioning-activity"),
    ready: (p) => expect(p.getByTestId("provisioning-entry")).toHaveCount(2),
    mask: (p) => [p.getByTestId("provisioning-latency"), p.getByTestId("provisioning-meta")],
  },
  { name: "admin-audit", open: (p) => go(p, "/acme/admin/audit?event=team.created"), ready: (p) => expect(p.getByTestId("audit-row")).toHaveCount(4) },
  // The light pages of passwords: asking for a link (this instance sends no mail, so the page says whom to ask) and a reset link's page.
  { name: "forgot-password", as: null, open: (p) => go(p, "/acme/login/forgot"), ready: (p) => expect(p.getByTestId("forgot-off")).toBeVisible() },
  { name: "password-reset", as: null, open: (p) => go(p, resetPath), ready: (p) => expect(p.getByTestId("password-rules")).toBeVisible() },
  { name: "not-found", open: (p) => go(p, "/acme/no/such/page"), ready: (p) => expect(p.getByTestId("error-panel")).toBeVisible() },
];

/** Screenshot (soft: the other checks still run), axe-core, and the phone's width. */
async function check(page: Page, name: string, phone: boolean, fullPage = true, mask: Locator[] = []) {
  await page.waitForLoadState("networkidle");
  // Times are masked, and given one width: "Dec 6, 2026, 1:31 PM" is narrower than
  // "Dec 16, 2026, 11:03 AM", and a table's columns would move with the time of day.
  await page.addStyleTag({ content: "time { display: inline-block; width: 24ch; white-space: nowrap; overflow: hidden; vertical-align: bottom; }" });
  await expect.soft(page).toHaveScreenshot(`${name}.png`, { fullPage, mask: [page.locator("time"), ...mask] });
  await checkAxe(page, name);
  if (phone) await expectNoSidewaysScroll(page);
}

/** axe-core: no serious or critical violation of WCAG 2.1 A/AA (contrast among them). */
async function checkAxe(page: Page, name: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join("\n    ")}`);
  expect(bad, `axe-core on ${name}`).toEqual([]);
}

/** The page's background: the light canvas or the dark one (style/main.css). */
const canvas = { light: "rgb(245, 246, 248)", dark: "rgb(15, 18, 24)" };
const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

type State = Awaited<ReturnType<BrowserContext["storageState"]>>;

test.describe("screens", () => {
  const sessions = new Map<string, State>();

  test.beforeAll(async ({ browser }) => {
    for (const email of ["admin@acme.example", "casey@acme.example"]) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const who = demoUser(email, screensPort);
      await page.goto(`${screensURL}/acme/login`);
      await hydrated(page);
      await page.getByLabel("Email").fill(who.email);
      await page.getByLabel("Password").fill(who.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page).toHaveURL(/\/acme$/);
      sessions.set(email, await context.storageState());
      if (email === "admin@acme.example") {
        await pushFromIdp(page);
        resetPath = await resetLinkFor(page, "sam@acme.example");
        await defineRegion(page);
      }
      await context.close();
    }
  });

  /** A password reset link for `email`, as its path. */
  async function resetLinkFor(page: Page, email: string): Promise<string> {
    const found = await page.request.post(`${screensURL}/api/users`, {
      data: { org: "acme", query: { search: email, account_type: "", status: "all", sort: "", page: 1 } },
      headers: { origin: screensURL },
    });
    const id = (await found.json()).users[0].id as string;
    const made = await page.request.post(`${screensURL}/api/reset_passwords`, { data: { org: "acme", user_ids: [id] }, headers: { origin: screensURL } });
    expect(made.ok(), await made.text()).toBeTruthy();
    return new URL((await made.json()).links[0].link).pathname;
  }

  /** A user attribute, region, with values for two teams (once per server). */
  async function defineRegion(page: Page) {
    const headers = { origin: screensURL };
    const made = await page.request.post(`${screensURL}/api/save_user_attribute`, {
      data: { org: "acme", id: null, input: { name: "region", description: "Sales region", default_value: "" } },
      headers,
    });
    if (made.status() === 409) return;
    expect(made.ok(), await made.text()).toBeTruthy();
    const id = (await made.json()) as string;
    const teams = (await (await page.request.post(`${screensURL}/api/teams`, { form: { org: "acme" }, headers })).json()) as { id: string; name: string }[];
    for (const [name, value] of [["Analytics", "West"], ["Finance", "East"]]) {
      const team = teams.find((t) => t.name === name);
      expect(team, name).toBeTruthy();
      const r = await page.request.post(`${screensURL}/api/set_user_attribute_value`, { form: { org: "acme", attribute_id: id, team_id: team!.id, value }, headers });
      expect(r.ok(), await r.text()).toBeTruthy();
    }
  }

  /** What an identity provider would have pushed: Jordan, a Creator, in its group OktaViewers (once per server). */
  async function pushFromIdp(page: Page) {
    const users = await page.request.post(`${screensURL}/api/users`, {
      data: { org: "acme", query: { search: "jordan.okta", account_type: "", status: "all", sort: "", page: 1 } },
      headers: { origin: screensURL },
    });
    if ((await users.json()).total > 0) return;
    const made = await page.request.post(`${screensURL}/api/create_provisioning_token`, {
      form: { org: "acme", name: "Okta", acknowledged: "true" },
      headers: { origin: screensURL },
    });
    expect(made.ok(), await made.text()).toBeTruthy();
    const token = (await made.json()).token as string;
    const scim = { authorization: `Bearer ${token}`, "content-type": "application/scim+json" };
    const user = await page.request.post(`${screensURL}/scim/v2/Users`, {
      headers: scim,
      data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "jordan.okta@acme.example", name: { givenName: "Jordan", familyName: "Okta" }, userType: "Creator", active: true },
    });
    expect(user.status(), await user.text()).toBe(201);
    const group = await page.request.post(`${screensURL}/scim/v2/Groups`, {
      headers: scim,
      data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "OktaViewers", members: [{ value: (await user.json()).id }] },
    });
    expect(group.status(), await group.text()).toBe(201);
    // Allowed IP addresses for the SCIM API (this machine among them, so the push above still works next time).
    const ranges = await page.request.post(`${screensURL}/api/add_allowed_ranges`, {
      form: { org: "acme", ranges: "127.0.0.0/8 # this machine\n192.0.2.0/24 # Okta", scope: "scim" },
      headers: { origin: screensURL },
    });
    expect(ranges.ok(), await ranges.text()).toBeTruthy();
  }

  async function open(browser: Browser, viewport: { width: number; height: number }, as: string | null = "admin@acme.example", colorScheme: "light" | "dark" = "light") {
    const context = await browser.newContext({ viewport, storageState: as ? sessions.get(as) : undefined, reducedMotion: "reduce", colorScheme });
    return { context, page: await context.newPage() };
  }

  for (const w of widths) {
    for (const theme of themes) {
      for (const s of screens) {
        test(`${s.name} (${w.name}${theme.suffix ? ", dark" : ""})`, async ({ browser }) => {
          const { context, page } = await open(browser, w.viewport, s.as === undefined ? "admin@acme.example" : s.as, theme.scheme);
          await s.open(page);
          await s.ready(page);
          expect(await background(page), s.name).toBe(canvas[theme.scheme]);
          await check(page, `${s.name}-${w.name}${theme.suffix}`, w.name === "phone", true, s.mask?.(page) ?? []);
          await context.close();
        });
      }
    }

    for (const theme of themes) {
      test(`dialogs and menus (${w.name}${theme.suffix ? ", dark" : ""})`, async ({ browser }) => {
        const { context, page } = await open(browser, w.viewport, "admin@acme.example", theme.scheme);
        await go(page, "/acme/admin/users");
        await expect(page.getByTestId("user-row")).toHaveCount(6);
        await page.getByRole("button", { name: "Add users" }).click();
        await expect(page.getByTestId("add-users")).toBeVisible();
        await check(page, `dialog-add-users-${w.name}${theme.suffix}`, w.name === "phone");
        await page.keyboard.press("Escape");

        await page.getByRole("button", { name: "Actions for casey@acme.example" }).click();
        await expect(page.getByRole("menu")).toBeVisible();
        // The window as it is: a full-page capture resizes it, which closes menus.
        await check(page, `menu-user-row-${w.name}${theme.suffix}`, w.name === "phone", false);
        await page.keyboard.press("Escape");

        // The account type dialog, about to make someone an administrator.
        await page.getByRole("button", { name: "Actions for riley@acme.example" }).click();
        await page.getByRole("menuitem", { name: "Change account type…" }).click();
        await page.getByRole("dialog").getByLabel("Account type").selectOption({ label: "Admin" });
        await expect(page.getByTestId("admin-effect")).toBeVisible();
        await check(page, `dialog-change-type-${w.name}${theme.suffix}`, w.name === "phone");
        await page.keyboard.press("Escape");

        await go(page, "/acme/admin/authentication");
        await page.getByRole("button", { name: "Manage" }).click();
        await expect(page.getByTestId("provisioning-wizard")).toBeVisible();
        await check(page, `dialog-provisioning-${w.name}${theme.suffix}`, w.name === "phone");
        await context.close();
      });
    }
  }

  // Last: it signs a Viewer in, which the Users screenshots would show.
  for (const w of widths) {
    test(`a Viewer opening Administration gets the access-denied page (${w.name})`, async ({ browser }) => {
      const { context, page } = await open(browser, w.viewport, null);
      const who = demoUser("val@acme.example", screensPort);
      await go(page, "/acme/login");
      await page.getByLabel("Email").fill(who.email);
      await page.getByLabel("Password").fill(who.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page).toHaveURL(/\/acme$/);
      const res = await page.goto(`${screensURL}/acme/admin/users`);
      expect(res?.status()).toBe(403);
      await expect(page.getByTestId("error-panel")).toContainText("Only administrators");
      await expect(page.locator(".sidenav, .topbar, input, button")).toHaveCount(0);
      await check(page, `forbidden-${w.name}`, w.name === "phone");
      await page.getByRole("link", { name: "Go to your home page" }).click();
      await expect(page).toHaveURL(/\/acme$/);
      await context.close();
    });
  }

  // The dark theme's remaining pieces: the Profile page's switch and the
  // Authentication form open with the identity provider's fields.
  test("the dark theme passes axe-core on the Profile page and the Authentication form", async ({ browser }) => {
    const { context, page } = await open(browser, widths[0].viewport, "admin@acme.example", "dark");
    await go(page, "/acme/profile");
    await expect(page.getByTestId("theme-card")).toBeVisible();
    await checkAxe(page, "profile (dark)");
    await go(page, "/acme/admin/authentication");
    await page.getByTestId("edit-authentication").click();
    await page.getByLabel("SAML or password").check();
    await checkAxe(page, "authentication-form (dark)");
    await context.close();
  });

  test("the theme chosen on Profile is kept in the browser and applied before the first paint", async ({ browser }) => {
    const { context, page } = await open(browser, widths[0].viewport, "admin@acme.example", "light");
    await go(page, "/acme/profile");
    await expect(page.getByLabel("Match system")).toBeChecked();
    expect(await background(page)).toBe(canvas.light);
    await page.getByLabel("Dark").check();
    await expect.poll(() => background(page)).toBe(canvas.dark);

    // Without the app (no wasm), the page's own first script applies it.
    await page.route("**/*.wasm", (route) => route.abort());
    await page.goto(`${screensURL}/acme/admin/users`);
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    expect(await background(page)).toBe(canvas.dark);
    await page.unroute("**/*.wasm");
    await page.goto(`${screensURL}/acme/login`);
    expect(await background(page)).toBe(canvas.dark);

    await go(page, "/acme/profile");
    await expect(page.getByLabel("Dark")).toBeChecked();
    await page.getByLabel("Match system").check();
    await expect.poll(() => background(page)).toBe(canvas.light);
    expect(await page.evaluate(() => localStorage.getItem("gatehouse-theme"))).toBeNull();
    await context.close();

    // Light holds on a system set to dark.
    const dark = await open(browser, widths[0].viewport, "admin@acme.example", "dark");
    await go(dark.page, "/acme/profile");
    expect(await background(dark.page)).toBe(canvas.dark);
    await dark.page.getByLabel("Light").check();
    await expect.poll(() => background(dark.page)).toBe(canvas.light);
    await go(dark.page, "/acme/admin/authentication");
    expect(await background(dark.page)).toBe(canvas.light);
    await dark.context.close();
  });
});
