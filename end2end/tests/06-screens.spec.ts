import { test, expect, Browser, BrowserContext, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { demoURL, demoUser, expectNoSidewaysScroll, hydrated } from "./helpers";

// Every Administration screen, the sign-in page, the home page, a document
// and the error page, on the demo organization, at a desktop (1440×900) and
// a phone (390×844) width: compared with the baseline screenshots checked in
// beside this file, checked with axe-core (no serious or critical
// violation of WCAG 2.1 A/AA), and, on the phone, for sideways scrolling.
// Times are masked; everything else on these screens is fixed demo data.
// Update the baselines after a deliberate change of the look with
//   npx playwright test tests/06-screens.spec.ts --update-snapshots

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
};

async function via(page: Page, list: string, link: string) {
  await go(page, list);
  const href = await page.getByRole("link", { name: link, exact: true }).first().getAttribute("href");
  await go(page, href!);
}

async function go(page: Page, path: string) {
  await page.goto(`${demoURL}${path}`);
  await hydrated(page);
}

const screens: Screen[] = [
  { name: "login", as: null, open: (p) => go(p, "/acme/login"), ready: (p) => expect(p.getByRole("button", { name: "Sign in" })).toBeVisible() },
  { name: "home", open: (p) => go(p, "/acme"), ready: (p) => expect(p.getByTestId("my-documents")).toBeVisible() },
  // Casey, a Creator, owns it: explore, export, edit and share show.
  { name: "document", as: "casey@acme.example", open: (p) => via(p, "/acme", "All orders"), ready: (p) => expect(p.getByTestId("row-count")).toContainText("rows") },
  { name: "admin-account", open: (p) => go(p, "/acme/admin/account"), ready: (p) => expect(p.getByTestId("webhook-destinations")).toContainText("No destinations yet") },
  { name: "admin-authentication", open: (p) => go(p, "/acme/admin/authentication"), ready: (p) => expect(p.getByTestId("provisioning-status")).toHaveText("Off") },
  { name: "admin-account-types", open: (p) => go(p, "/acme/admin/account-types"), ready: (p) => expect(p.getByTestId("account-type-row")).toHaveCount(3) },
  { name: "admin-account-type-new", open: (p) => go(p, "/acme/admin/account-types/new"), ready: (p) => expect(p.getByTestId("account-type-editor")).toBeVisible() },
  { name: "admin-teams", open: (p) => go(p, "/acme/admin/teams"), ready: (p) => expect(p.getByTestId("team-row")).toHaveCount(3) },
  { name: "admin-team", open: (p) => via(p, "/acme/admin/teams", "Analytics"), ready: (p) => expect(p.getByTestId("member-row")).toHaveCount(2) },
  { name: "admin-users", open: (p) => go(p, "/acme/admin/users"), ready: (p) => expect(p.getByTestId("user-row")).toHaveCount(5) },
  // Riley never signs in during the run: the sign-in history stays empty.
  { name: "admin-user", open: (p) => via(p, "/acme/admin/users", "Riley Finance"), ready: (p) => expect(p.getByTestId("user-name")).toHaveText("Riley Finance") },
  // The seed's own events: the rest of the log grows with every sign-in.
  { name: "admin-audit", open: (p) => go(p, "/acme/admin/audit?event=team.created"), ready: (p) => expect(p.getByTestId("audit-row")).toHaveCount(3) },
  { name: "not-found", open: (p) => go(p, "/acme/no/such/page"), ready: (p) => expect(p.getByTestId("error-panel")).toBeVisible() },
];

/** Screenshot (soft: the other checks still run), axe-core, and the phone's width. */
async function check(page: Page, name: string, phone: boolean, fullPage = true) {
  await page.waitForLoadState("networkidle");
  await expect.soft(page).toHaveScreenshot(`${name}.png`, { fullPage, mask: [page.locator("time")] });
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
      const who = demoUser(email);
      await page.goto(`${demoURL}/acme/login`);
      await hydrated(page);
      await page.getByLabel("Email").fill(who.email);
      await page.getByLabel("Password").fill(who.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page).toHaveURL(/\/acme$/);
      sessions.set(email, await context.storageState());
      await context.close();
    }
  });

  async function open(browser: Browser, viewport: { width: number; height: number }, as: string | null = "admin@acme.example", colorScheme: "light" | "dark" = "light") {
    const context = await browser.newContext({ viewport, storageState: as ? sessions.get(as) : undefined, reducedMotion: "reduce", colorScheme });
    return { context, page: await context.newPage() };
  }

  for (const w of widths) {
    for (const s of screens) {
      test(`${s.name} (${w.name})`, async ({ browser }) => {
        const { context, page } = await open(browser, w.viewport, s.as === undefined ? "admin@acme.example" : s.as);
        await s.open(page);
        await s.ready(page);
        await check(page, `${s.name}-${w.name}`, w.name === "phone");
        await context.close();
      });
    }

    test(`dialogs and menus (${w.name})`, async ({ browser }) => {
      const { context, page } = await open(browser, w.viewport);
      await go(page, "/acme/admin/users");
      await expect(page.getByTestId("user-row")).toHaveCount(5);
      await page.getByRole("button", { name: "Add users" }).click();
      await expect(page.getByTestId("add-users")).toBeVisible();
      await check(page, `dialog-add-users-${w.name}`, w.name === "phone");
      await page.keyboard.press("Escape");

      await page.getByRole("button", { name: "Actions for casey@acme.example" }).click();
      await expect(page.getByRole("menu")).toBeVisible();
      // The window as it is: a full-page capture resizes it, which closes menus.
      await check(page, `menu-user-row-${w.name}`, w.name === "phone", false);
      await page.keyboard.press("Escape");

      await go(page, "/acme/admin/authentication");
      await page.getByRole("button", { name: "Setup" }).click();
      await expect(page.getByTestId("provisioning-wizard")).toBeVisible();
      await check(page, `dialog-provisioning-${w.name}`, w.name === "phone");
      await context.close();
    });
  }

  // Last: it signs a Viewer in, which the Users screenshots would show.
  for (const w of widths) {
    test(`a Viewer opening Administration gets the access-denied page (${w.name})`, async ({ browser }) => {
      const { context, page } = await open(browser, w.viewport, null);
      const who = demoUser("val@acme.example");
      await go(page, "/acme/login");
      await page.getByLabel("Email").fill(who.email);
      await page.getByLabel("Password").fill(who.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page).toHaveURL(/\/acme$/);
      const res = await page.goto(`${demoURL}/acme/admin/users`);
      expect(res?.status()).toBe(403);
      await expect(page.getByTestId("error-panel")).toContainText("Only administrators");
      await expect(page.locator(".sidenav, .topbar, input, button")).toHaveCount(0);
      await check(page, `forbidden-${w.name}`, w.name === "phone");
      await page.getByRole("link", { name: "Go to your home page" }).click();
      await expect(page).toHaveURL(/\/acme$/);
      await context.close();
    });
  }

  // The dark theme, with the system set to dark: the same colours must pass
  // axe-core (contrast above all) on a few screens and the main dialogs.
  test("the dark theme passes axe-core (desktop)", async ({ browser }) => {
    test.setTimeout(180_000);
    const names = ["login", "home", "document", "admin-authentication", "admin-account-type-new", "admin-users", "admin-audit", "not-found"];
    for (const s of screens.filter((s) => names.includes(s.name))) {
      const { context, page } = await open(browser, widths[0].viewport, s.as === undefined ? "admin@acme.example" : s.as, "dark");
      await s.open(page);
      await s.ready(page);
      expect(await background(page), s.name).toBe(canvas.dark);
      await page.waitForLoadState("networkidle");
      await checkAxe(page, `${s.name} (dark)`);
      await context.close();
    }
    const { context, page } = await open(browser, widths[0].viewport, "admin@acme.example", "dark");
    await go(page, "/acme/profile");
    await expect(page.getByTestId("theme-card")).toBeVisible();
    await checkAxe(page, "profile (dark)");
    await go(page, "/acme/admin/users");
    await page.getByRole("button", { name: "Actions for casey@acme.example" }).click();
    await expect(page.getByRole("menu")).toBeVisible();
    await checkAxe(page, "menu-user-row (dark)");
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Add users" }).click();
    await expect(page.getByTestId("add-users")).toBeVisible();
    await checkAxe(page, "dialog-add-users (dark)");
    await page.keyboard.press("Escape");
    await go(page, "/acme/admin/authentication");
    await page.getByTestId("edit-authentication").click();
    await page.getByLabel("SAML or password").check();
    await checkAxe(page, "authentication-form (dark)");
    await page.getByRole("button", { name: "Setup" }).click();
    await expect(page.getByTestId("provisioning-wizard")).toBeVisible();
    await checkAxe(page, "dialog-provisioning (dark)");
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
    await page.goto(`${demoURL}/acme/admin/users`);
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    expect(await background(page)).toBe(canvas.dark);
    await page.unroute("**/*.wasm");
    await page.goto(`${demoURL}/acme/login`);
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
