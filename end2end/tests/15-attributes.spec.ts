import { test, expect, Browser, Page } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { ensureAcme, goto, hydrated, signIn } from "./helpers";

// User attributes and row-level security: the admin defines `region` on
// Administration > User Attributes, gives two teams a value, and limits a
// dataset's rows to `Region = {region}` from a document over it. Two people,
// one in each team, open the same document and see their own rows, in the
// table and in the CSV export; the admin, with no value, is told why they
// see none.

const baseURL = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3917)}`;
const west = { email: "wes.rls@acme.example", password: "west region, long secret" };
const east = { email: "eve.rls@acme.example", password: "east region, long secret" };
const REGIONS = ["West", "East", "North"];
const ROWS = 30;
const csv = "Region,Amount\n" + Array.from({ length: ROWS }, (_, i) => `${REGIONS[i % 3]},${i + 1}`).join("\n") + "\n";

/** As the signed-in admin on `page`: a team, and a Creator in it with a password. */
async function personInTeam(page: Page, who: { email: string; password: string }, team: string) {
  const t = await page.request.post("/api/create_team", { form: { org: "acme", name: team, description: "" } });
  expect(t.ok(), await t.text()).toBeTruthy();
  const teamId: string = await t.json();
  const types = await (await page.request.post("/api/account_types", { form: { org: "acme" } })).json();
  const creator = types.find((x: { name: string }) => x.name === "Creator");
  const r = await page.request.post("/api/invite_users", { data: { org: "acme", people: `${who.email}, Region, Tester`, account_type_id: creator.id, team_ids: [teamId] } });
  expect(r.ok(), await r.text()).toBeTruthy();
  const token = (await r.json())[0].link.split("/").pop();
  const a = await page.request.post("/api/accept_invitation", { form: { org: "acme", token, password: who.password, password_confirm: who.password } });
  expect(a.ok()).toBeTruthy();
}

async function as(browser: Browser, who: { email: string; password: string }) {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signIn(page, who);
  return { context, page };
}

test.describe.serial("user attributes and row-level security", () => {
  test.beforeAll(async ({ request }) => {
    await ensureAcme(request);
  });

  test("two people open the same document and see their own region's rows", async ({ page, browser }) => {
    await signIn(page);
    await personInTeam(page, west, "West region");
    await personInTeam(page, east, "East region");
    const up = await page.request.post("/api/upload_csv", { form: { org: "acme", name: "Orders by region", csv } });
    expect(up.ok(), await up.text()).toBeTruthy();
    const dataset: string = await up.json();
    const made = await page.request.post("/api/create_document", { form: { org: "acme", name: "Regional orders", dataset_id: dataset } });
    const doc: string = await made.json();
    for (const who of [west, east]) {
      const s = await page.request.post("/api/share_document", { form: { org: "acme", id: doc, email: who.email } });
      expect(s.ok()).toBeTruthy();
    }

    // Administration > User Attributes: define region, give each team its value.
    await goto(page, "/acme/admin/account");
    await page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "User Attributes" }).click();
    await expect(page).toHaveURL(/\/acme\/admin\/attributes$/);
    await hydrated(page);
    const define = page.getByTestId("define-attribute");
    await define.getByLabel("Name").fill("region");
    await define.getByLabel("Description").fill("Sales region");
    await define.getByRole("button", { name: "Define" }).click();
    await expect(page.getByTestId("toast").filter({ hasText: "User attribute saved" })).toBeVisible();
    const card = page.getByTestId("attribute").filter({ hasText: "{region}" });
    await expect(card).toContainText("No default value");
    for (const [team, value] of [["West region", "West"], ["East region", "East"]]) {
      const form = card.getByTestId("set-attribute-value");
      await form.getByLabel("or team").selectOption({ label: team });
      await form.getByLabel("Value").fill(value);
      await form.getByRole("button", { name: "Set value" }).click();
      await expect(card.getByTestId("attribute-team").filter({ hasText: team })).toContainText(value);
    }
    // The team order: East first after one move.
    await card.getByRole("button", { name: "Move East region up" }).click();
    await expect(card.getByTestId("attribute-team").first()).toHaveAttribute("data-name", "East region");

    // The document: the admin limits the dataset's rows to the reader's region.
    await goto(page, `/acme/documents/${doc}`);
    await expect(page.getByTestId("row-count")).toContainText(`${ROWS} rows`);
    const rule = page.getByTestId("row-rule-card");
    await rule.getByLabel("Column").selectOption("Region");
    await rule.getByLabel("Condition").selectOption("eq");
    await rule.getByLabel("User attribute").selectOption({ label: "region" });
    await rule.getByRole("button", { name: "Save rule" }).click();
    await expect(page.getByTestId("toast").filter({ hasText: "Row rule saved" })).toBeVisible();
    // The admin has no region: no rows, and the page says why.
    await expect(page.getByTestId("row-rule")).toContainText("You have no value for region");
    await expect(page.getByTestId("data-row")).toHaveCount(0);

    for (const [who, region] of [[west, "West"], [east, "East"]] as const) {
      const { context, page: p } = await as(browser, who);
      await goto(p, `/acme/documents/${doc}`);
      await expect(p.getByTestId("row-rule")).toContainText(`your region “${region}”`);
      await expect(p.getByTestId("row-count")).toContainText(`${ROWS / 3} rows`);
      const cells = await p.getByTestId("data-row").locator("td:first-child").allTextContents();
      expect(new Set(cells)).toEqual(new Set([region]));
      // The export holds the same rows, and no other.
      await p.getByRole("button", { name: "Export" }).click();
      const [download] = await Promise.all([p.waitForEvent("download"), p.getByTestId("export-csv").click()]);
      const file = await readFile((await download.path())!, "utf8");
      const lines = file.trimEnd().split("\r\n").slice(1);
      expect(lines.length).toBe(ROWS / 3);
      expect(new Set(lines.map((l) => l.split(",")[0]))).toEqual(new Set([region]));
      await context.close();
    }
  });
});
