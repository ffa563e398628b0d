import { test, expect, Browser, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { ensureAcme, expectNoSidewaysScroll, goto, hydrated, signIn } from "./helpers";

// Team admins (Administration > Teams > a team): an administrator makes a
// member the team's team admin; that person signs in, finds Administration
// with Teams alone, adds and removes members of their team, and is refused
// everything else — the controls are not there, and a direct address is a 403.

const run = Date.now().toString(36);
const tina = { email: `tina.${run}@acme.example`, password: "tina's long password", name: `Tina ${run}` };
const omar = { email: `omar.${run}@acme.example`, password: "omar's long password", name: `Omar ${run}` };
const teamName = `Research ${run}`;

/** axe-core: no serious or critical violation of WCAG 2.1 A/AA (as the screenshot suite checks). */
async function checkAxe(page: Page, name: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.impact} ${v.id}: ${v.help}`);
  expect(bad, `axe-core on ${name}`).toEqual([]);
}

/** As the signed-in admin on `page`: adds a Viewer with a password through an invitation link. */
async function addViewer(page: Page, browser: Browser, who: { email: string; password: string; name: string }) {
  const types = await (await page.request.post("/api/account_types", { form: { org: "acme" } })).json();
  const viewer = types.find((t: { name: string }) => t.name === "Viewer");
  const [first, last] = who.name.split(" ");
  const r = await page.request.post("/api/invite_users", { data: { org: "acme", people: `${who.email}, ${first}, ${last}`, account_type_id: viewer.id, team_ids: [] } });
  expect(r.ok(), await r.text()).toBeTruthy();
  const token = (await r.json())[0].link.split("/").pop();
  const other = await browser.newContext();
  const a = await other.request.post("/api/accept_invitation", { form: { org: "acme", token, password: who.password, password_confirm: who.password } });
  expect(a.ok(), await a.text()).toBeTruthy();
  await other.close();
}

test.describe("team admins", () => {
  test.beforeAll(async ({ request }) => {
    await ensureAcme(request);
  });

  test("an administrator makes a member team admin, who manages that team's members and sees nothing else", async ({ page, browser }) => {
    await signIn(page);
    await addViewer(page, browser, tina);
    await addViewer(page, browser, omar);
    const created = await page.request.post("/api/create_team", { form: { org: "acme", name: teamName, description: "" } });
    expect(created.ok()).toBeTruthy();
    const teamId: string = await created.json();
    const users = await (await page.request.post("/api/search_people", { form: { org: "acme", term: tina.name } })).json();
    const added = await page.request.post("/api/team_members", { data: { org: "acme", team_id: teamId, user_ids: [users[0].id], add: true } });
    expect(added.ok()).toBeTruthy();

    // The administrator makes Tina the team's team admin, and the team private.
    await goto(page, `/acme/admin/teams/${teamId}`);
    const toggle = page.getByRole("checkbox", { name: `Team admin: ${tina.email}` });
    await expect(toggle).not.toBeChecked();
    await toggle.check();
    await expect(page.getByTestId("toast").filter({ hasText: "Team admins updated" })).toBeVisible();
    await expect(page.getByRole("checkbox", { name: `Team admin: ${tina.email}` })).toBeChecked();
    await page.getByTestId("visibility-form").getByLabel(/^Private/).check();
    await page.getByTestId("save-visibility").click();
    await expect(page.getByTestId("toast").filter({ hasText: "Visibility saved" })).toBeVisible();
    await expect(page.getByTestId("private-badge")).toBeVisible();

    // Tina signs in: Administration is Teams alone.
    const context = await browser.newContext();
    const tp = await context.newPage();
    try {
      await signIn(tp, tina);
      await hydrated(tp);
      await tp.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Administration" }).click();
      await expect(tp).toHaveURL(/\/acme\/admin\/teams$/);
      const side = tp.getByRole("navigation", { name: "Administration" });
      await expect(side.getByRole("link")).toHaveText(["Teams"]);
      for (const name of ["Users", "Account Types", "Authentication", "Account", "Audit log"]) {
        await expect(side.getByRole("link", { name, exact: true })).toHaveCount(0);
      }
      await expect(tp.getByRole("button", { name: "Create team" })).toHaveCount(0);
      await tp.getByRole("link", { name: teamName }).click();
      await expect(tp.getByTestId("team-name")).toHaveText(teamName);
      // She manages members; team admins and visibility stay with administrators.
      await expect(tp.getByTestId("team-admin-toggle")).toHaveCount(0);
      await expect(tp.getByTestId("visibility-form")).toHaveCount(0);
      const box = tp.getByTestId("member-picker").getByRole("combobox");
      await box.pressSequentially(omar.name.split(" ")[1], { delay: 30 });
      await tp.getByRole("option", { name: new RegExp(omar.name) }).click();
      await expect(tp.getByTestId("toast").filter({ hasText: "Members updated" })).toBeVisible();
      const omarRow = tp.locator(`[data-testid=member-row][data-email="${omar.email}"]`);
      await expect(omarRow).toBeVisible();
      // No link into Users for her.
      await expect(omarRow.getByRole("link")).toHaveCount(0);
      await omarRow.getByRole("button", { name: `Remove ${omar.email} from the team` }).click();
      await expect(omarRow).toHaveCount(0);
      // Her own row has no Remove (a team admin is an administrator's to remove).
      await expect(tp.locator(`[data-testid=member-row][data-email="${tina.email}"]`).getByRole("button")).toHaveCount(0);
      // Her view of the page is accessible, and fits a phone.
      await checkAxe(tp, "team page as its team admin");
      await tp.setViewportSize({ width: 390, height: 844 });
      await expectNoSidewaysScroll(tp);
      await checkAxe(tp, "team page as its team admin, phone");

      // Anything else by its address is refused by the server.
      for (const path of ["/acme/admin/users", "/acme/admin/account-types", "/acme/admin/authentication", "/acme/admin"]) {
        const res = await tp.goto(path);
        expect(res?.status(), path).toBe(403);
        await expect(tp.getByRole("heading", { level: 1 })).toContainText("You do not have access to this page");
      }
    } finally {
      await context.close();
    }

    // The audit log says who did what.
    await goto(page, "/acme/admin/audit");
    await expect(page.locator("body")).toContainText(`Made ${tina.name} a team admin of ${teamName}`);
  });
});
