import { test, expect, Page } from "@playwright/test";
import { demoURL, ensureAcme, goto, hydrated, signIn, signInDemo } from "./helpers";

// Changes happen only when meant: the account type control saves nothing
// until its dialog's button is pressed, bulk actions offer what applies,
// pickers follow the ARIA combobox keys, focus follows the work, and unsaved
// edits are not lost silently.

const tess = { email: "tess.one@acme.example", name: "Tess One" };
const theo = { email: "theo.two@acme.example", name: "Theo Two" };

/** Counts the requests to a server function while `body` runs. */
async function calls(page: Page, fn: string, body: () => Promise<void>) {
  let n = 0;
  const seen = (r: { url(): string }) => {
    if (r.url().includes(`/api/${fn}`)) n += 1;
  };
  page.on("request", seen);
  await body();
  page.off("request", seen);
  return n;
}

async function openPerson(page: Page, email: string) {
  await goto(page, `/acme/admin/users?search=${encodeURIComponent(email)}&status=all`);
  await page.locator(`[data-testid=user-row][data-email="${email}"]`).getByRole("link").first().click();
  await expect(page.getByTestId("user-name")).toBeVisible();
  await hydrated(page);
}

test.describe.serial("changes only when meant", () => {
  test.beforeAll(async ({ request }) => {
    await ensureAcme(request);
  });

  test("two people to work with", async ({ page }) => {
    await signIn(page);
    await goto(page, "/acme/admin/users?search=t&status=all");
    if ((await page.locator(`[data-testid=user-row][data-email="${tess.email}"]`).count()) > 0) return;
    await page.getByRole("button", { name: "Add users" }).click();
    await page.getByTestId("add-users").getByLabel("People").fill(`${tess.email}, Tess, One\n${theo.email}, Theo, Two`);
    await page.getByTestId("add-users").getByLabel("Account type").selectOption({ label: "Viewer" });
    await page.getByRole("button", { name: "Add and create invitation links" }).click();
    await page.getByRole("dialog", { name: "Invitation links" }).getByRole("button", { name: "Done" }).click();
  });

  test("arrow keys in the account type dialog save nothing; the dialog names the person and the change", async ({ page }) => {
    await signIn(page);
    await openPerson(page, tess.email);
    await expect(page.getByTestId("user-account-type")).toHaveText("Viewer");
    const opener = page.getByTestId("change-account-type");
    const sent = await calls(page, "change_account_type", async () => {
      await opener.focus();
      await page.keyboard.press("Enter");
      const dialog = page.getByRole("dialog", { name: `Change account type of ${tess.name}` });
      await expect(dialog).toBeVisible();
      const select = dialog.getByLabel("Account type");
      await expect(select).toBeFocused();
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("ArrowUp");
      // Choosing Admin says what it means, on the button too.
      await select.selectOption({ label: "Admin" });
      await expect(dialog.getByTestId("admin-effect")).toContainText(`${tess.name} will administer the organization`);
      await expect(dialog.getByRole("button", { name: "Make administrator" })).toBeEnabled();
      // The current type is no change at all.
      await select.selectOption({ label: "Viewer" });
      await expect(dialog.getByTestId("confirm-change-type")).toBeDisabled();
      await page.keyboard.press("Escape");
      await expect(dialog).toHaveCount(0);
      await expect(opener).toBeFocused();
    });
    expect(sent).toBe(0);
    await page.reload();
    await hydrated(page);
    await expect(page.getByTestId("user-account-type")).toHaveText("Viewer");

    // A real change: the button says what it does, a toast says it is done.
    await page.getByTestId("change-account-type").click();
    const dialog = page.getByRole("dialog", { name: `Change account type of ${tess.name}` });
    await dialog.getByLabel("Account type").selectOption({ label: "Creator" });
    await expect(dialog.getByTestId("admin-effect")).toHaveCount(0);
    await dialog.getByRole("button", { name: "Change account type" }).click();
    await expect(page.getByTestId("toast").filter({ hasText: "Account type changed" })).toBeVisible();
    await expect(page.getByTestId("user-account-type")).toHaveText("Creator");
  });

  test("bulk actions offer only what applies and say what they skip", async ({ page }) => {
    await signIn(page);
    await goto(page, "/acme/admin/users?search=t");
    const bar = page.getByTestId("bulk-bar");
    await page.getByRole("checkbox", { name: `Select ${tess.email}` }).check();
    await page.getByRole("checkbox", { name: `Select ${theo.email}` }).check();
    await expect(bar).toContainText("2 selected");
    await expect(bar.getByTestId("bulk-skips")).toHaveCount(0);
    // Everyone selected is active: nothing to reactivate.
    await expect(bar.getByTestId("bulk-reactivate")).toHaveCount(0);
    await bar.getByTestId("bulk-deactivate").click();
    const dialog = page.getByRole("dialog", { name: "Deactivate 2 people?" });
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "Cancel" }).click();

    // Yourself: never deactivated or retyped from here, and the bar says so.
    await bar.getByRole("button", { name: "Clear selection" }).click();
    await goto(page, "/acme/admin/users?search=ada");
    await page.getByRole("checkbox", { name: "Select ada@acme.example" }).check();
    await expect(bar.getByTestId("bulk-skips")).toHaveText("Skips yourself.");
    await expect(bar.getByTestId("bulk-deactivate")).toHaveCount(0);
    await expect(bar.getByTestId("bulk-change-type")).toHaveCount(0);
  });

  test("headers sort, the page size and search live in the URL, matches are marked", async ({ page }) => {
    await signIn(page);
    await goto(page, "/acme/admin/users");
    const email = page.getByRole("columnheader", { name: "Email" });
    await email.getByRole("link").click();
    await expect(page).toHaveURL(/sort=email/);
    await expect(email).toHaveAttribute("aria-sort", "ascending");
    await email.getByRole("link").click();
    await expect(page).toHaveURL(/sort=-email/);
    await expect(email).toHaveAttribute("aria-sort", "descending");
    await page.getByTestId("page-size").selectOption("25");
    await expect(page).toHaveURL(/size=25/);
    await expect(page).toHaveURL(/sort=-email/);
    // The start of an email's domain finds people too, and is highlighted.
    await page.getByRole("searchbox", { name: "Search" }).fill("acme");
    await expect(page).toHaveURL(/search=acme/);
    await expect(page.locator(`[data-testid=user-row][data-email="${tess.email}"] mark`).first()).toHaveText("acme");
  });

  test("the member picker follows the combobox keys, and focus stays with it", async ({ page }) => {
    await signIn(page);
    await goto(page, "/acme/admin/teams");
    await page.getByRole("button", { name: "Create team" }).click();
    await page.getByTestId("create-team").getByLabel("Name").fill("Trust Team");
    await page.getByTestId("create-team").getByRole("button", { name: "Create" }).click();
    await expect(page.getByTestId("team-name")).toHaveText("Trust Team");
    await hydrated(page);
    const box = page.getByTestId("member-picker").getByRole("combobox");
    await box.pressSequentially("tess", { delay: 30 });
    const option = page.getByRole("option", { name: new RegExp(tess.name) });
    await expect(option).toBeVisible();
    await expect(box).toHaveAttribute("aria-expanded", "true");
    await page.keyboard.press("ArrowDown");
    await expect(option).toHaveAttribute("aria-selected", "true");
    await expect(box).toHaveAttribute("aria-activedescendant", (await option.getAttribute("id"))!);
    await page.keyboard.press("Enter");
    await expect(page.locator(`[data-testid=member-row][data-email="${tess.email}"]`)).toBeVisible();
    await expect(page.getByTestId("member-picker").getByRole("combobox")).toBeFocused();
    // Escape closes the list, then clears the box.
    await page.keyboard.type("theo");
    await expect(page.getByRole("option", { name: new RegExp(theo.name) })).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(page.getByRole("listbox")).toBeHidden();
    await page.keyboard.press("Escape");
    await expect(page.getByTestId("member-picker").getByRole("combobox")).toHaveValue("");
  });

  test("a person's page adds local teams with a searchable picker", async ({ page }) => {
    await signIn(page);
    await openPerson(page, theo.email);
    const teams = page.getByTestId("user-teams");
    await teams.getByRole("combobox").pressSequentially("trust", { delay: 30 });
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await expect(teams.getByTestId("local-teams")).toContainText("Trust Team");
    await teams.getByRole("button", { name: "Remove from Trust Team" }).click();
    await expect(teams.getByTestId("local-teams")).not.toContainText("Trust Team");
  });

  test("a skip link leads to the content; after a navigation focus is on the heading", async ({ page }) => {
    await signIn(page);
    await goto(page, "/acme/admin/users");
    await page.keyboard.press("Tab");
    await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page.locator("main#main")).toBeFocused();
    await page.locator("nav.sidenav").getByRole("link", { name: "Teams" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Teams" })).toBeFocused();
  });

  test("leaving the account type editor with unsaved changes asks first", async ({ page }) => {
    await signIn(page);
    await goto(page, "/acme/admin/account-types");
    await page.getByRole("link", { name: "Creator", exact: true }).click();
    await expect(page).toHaveURL(/account-types\/[^/]+$/);
    await hydrated(page);
    const perm = page.getByTestId("perm-upload_csv").locator("input");
    const before = await perm.isChecked();
    await perm.click();
    let asked = "";
    page.once("dialog", (d) => {
      asked = d.message();
      void d.dismiss();
    });
    await page.getByRole("link", { name: "← Account Types" }).click();
    await expect.poll(() => asked).toContain("Leave without saving?");
    await expect(page).toHaveURL(/account-types\/[^/]+$/);
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("link", { name: "← Account Types" }).click();
    await expect(page).toHaveURL(/account-types$/);
    // Nothing was saved.
    await page.getByRole("link", { name: "Creator", exact: true }).click();
    await hydrated(page);
    expect(await page.getByTestId("perm-upload_csv").locator("input").isChecked()).toBe(before);
  });
});

test.describe("in the reader's zone and locale", () => {
  test.use({ timezoneId: "Asia/Tokyo", locale: "de-DE" });

  test("times show the browser's zone with UTC on hover; counts use its grouping", async ({ page }) => {
    await signInDemo(page);
    await page.goto(`${demoURL}/acme/admin/users`);
    await hydrated(page);
    const time = page.locator("[data-testid=user-row] time").first();
    await expect(time).toHaveAttribute("title", /UTC$/);
    await expect(time).not.toContainText("UTC");
    // The demo's sample dataset has 50,000 rows: German groups with a dot.
    await page.goto(`${demoURL}/acme`);
    await hydrated(page);
    await expect(page.getByTestId("create-document").getByLabel("Dataset").locator("option", { hasText: "50.000 rows" })).toHaveCount(1);
  });
});
