import { test, expect, Page } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { admin, ensureAcme, goto, signIn } from "./helpers";

// The QuickStart's end state: a "Creator - No Export" person creates a
// document but has no export control, and the server refuses the export URL;
// a Creator downloads the CSV.
const nox = { email: "nox.docs@acme.example", password: "no export, long secret" };
const creator = { email: "cora.docs@acme.example", password: "creator, long secret" };
const ROWS = 120;
const csv = "Region,Amount\n" + Array.from({ length: ROWS }, (_, i) => `R${i % 4},${i + 1}`).join("\n") + "\n";
const NO_EXPORT = ["view_documents", "explore_documents", "create_documents", "upload_csv", "share_documents"];

/** As the signed-in admin on `page`: adds a person with a password through an invitation link. */
async function addPerson(page: Page, who: { email: string; password: string }, typeName: string) {
  const types = await (await page.request.post("/api/account_types", { form: { org: "acme" } })).json();
  let type = types.find((t: { name: string }) => t.name === typeName);
  if (!type) {
    const r = await page.request.post("/api/save_account_type", {
      data: { org: "acme", id: null, input: { name: typeName, description: "", permissions: NO_EXPORT } },
    });
    expect(r.ok()).toBeTruthy();
    type = { id: await r.json() };
  }
  const r = await page.request.post("/api/invite_users", { data: { org: "acme", people: `${who.email}, Doc, Tester`, account_type_id: type.id, team_ids: [] } });
  expect(r.ok(), await r.text()).toBeTruthy();
  const token = (await r.json())[0].link.split("/").pop();
  const a = await page.request.post("/api/accept_invitation", { form: { org: "acme", token, password: who.password, password_confirm: who.password } });
  expect(a.ok()).toBeTruthy();
}

/** On the signed-in home page: uploads the CSV and creates a document over it. */
async function uploadAndCreate(page: Page, dataset: string, name: string) {
  const upload = page.getByTestId("upload-csv");
  await upload.getByLabel("Dataset name").fill(dataset);
  await upload.getByLabel("CSV").fill(csv);
  await upload.getByRole("button", { name: "Upload CSV" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "CSV uploaded" })).toBeVisible();
  const create = page.getByTestId("create-document");
  await create.getByLabel("Dataset").selectOption({ label: `${dataset} (${ROWS} rows)` });
  await create.getByLabel("Name").fill(name);
  await create.getByRole("button", { name: "Create document" }).click();
  await expect(page).toHaveURL(/\/acme\/documents\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("document-name")).toHaveText(name);
  await expect(page.getByTestId("row-count")).toContainText(`${ROWS} rows`);
}

test.describe.serial("documents and exports", () => {
  test.beforeAll(async ({ request }) => {
    await ensureAcme(request);
  });

  test("people are added", async ({ page }) => {
    await signIn(page, admin);
    await addPerson(page, nox, "Creator - No Export");
    await addPerson(page, creator, "Creator");
  });

  test("“Creator - No Export” creates a document but cannot export it", async ({ page }) => {
    await signIn(page, nox);
    await expect(page.getByTestId("my-documents")).toContainText("You have no documents of your own yet.");
    await uploadAndCreate(page, "Budget (no export)", "Plan without exports");
    await expect(page.getByTestId("data-row")).toHaveCount(50);
    await expect(page.getByTestId("export-menu")).toHaveCount(0);
    await expect(page.getByRole("link", { name: /Download|Export/ })).toHaveCount(0);

    // The server refuses the export URLs anyway.
    const docUrl = new URL(page.url()).pathname;
    for (const ext of ["csv", "xlsx", "pdf"]) {
      const r = await page.request.get(`${docUrl}/export.${ext}`);
      expect(r.status(), ext).toBe(403);
    }
    const id = docUrl.split("/").pop()!;
    const r = await page.request.post("/api/export_webhook", { form: { org: "acme", id, destination_id: "any" } });
    expect(r.status()).toBe(403);

    // Back home, the document is listed under My documents.
    await goto(page, "/acme");
    await expect(page.getByTestId("my-documents").getByTestId("document-row")).toHaveAttribute("data-name", "Plan without exports");
  });

  test("a Creator explores and downloads the CSV", async ({ page }) => {
    await signIn(page, creator);
    await uploadAndCreate(page, "Budget (creator)", "Budget by region");

    // Explore: a filter from the bar; the state lives in the URL.
    const bar = page.getByTestId("explore");
    await bar.getByLabel("Filter").selectOption("Region");
    await bar.getByLabel("Condition").selectOption("eq");
    await bar.getByLabel("Value").fill("R1");
    await bar.getByRole("button", { name: "Add filter" }).click();
    await expect(page.getByTestId("row-count")).toContainText(`${ROWS / 4} rows`);
    await expect(page).toHaveURL(/fc=Region&fo=eq&fv=R1/);

    // The export menu lists downloads; the CSV has the header and every row of the saved view.
    await page.getByRole("button", { name: "Export" }).click();
    await expect(page.getByTestId("export-xlsx")).toBeVisible();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
    expect(download.suggestedFilename()).toBe("Budget by region.csv");
    const text = await readFile((await download.path())!, "utf8");
    const lines = text.trimEnd().split("\r\n");
    expect(lines[0]).toBe("Region,Amount");
    expect(lines.length - 1).toBe(ROWS);
    expect(lines[1]).toBe("R0,1");
  });
});
