import { test, expect, Page } from "@playwright/test";
import { demoURL, demoUser, expectNoSidewaysScroll, hydrated, signInDemo } from "./helpers";

// The shared pieces as a person meets them, on the demo organization: the
// row menu, dialogs, filters that apply as you type, the phone layout, and
// what a page looks like before its app has loaded. Nothing here changes data.

async function go(page: Page, path: string) {
  await page.goto(`${demoURL}${path}`);
  await hydrated(page);
}

const focusedName = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return el ? (el.getAttribute("aria-label") ?? el.id ?? "") + "|" + (el.textContent ?? "").trim() : "";
  });

test.describe("components", () => {
  test("the row menu stays in the window and closes on Escape and on a click outside", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signInDemo(page);
    await go(page, "/acme/admin/users");
    const button = page.getByRole("button", { name: "Actions for val@acme.example" });
    await button.scrollIntoViewIfNeeded();
    await button.click();
    const menu = page.getByRole("menu");
    await expect(menu).toBeVisible();
    const box = (await menu.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(box.y + box.height).toBeLessThanOrEqual(844);
    // Opened, the first item has focus; arrows move; Escape closes and returns focus.
    await expect(menu.getByRole("menuitem").first()).toBeFocused();
    await page.keyboard.press("ArrowDown");
    await expect(menu.getByRole("menuitem").nth(1)).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(menu).toHaveCount(0);
    await expect(button).toBeFocused();
    // A click elsewhere closes it too.
    await button.click();
    await expect(page.getByRole("menu")).toBeVisible();
    await page.getByRole("heading", { name: "Users" }).click();
    await expect(page.getByRole("menu")).toHaveCount(0);
    await expectNoSidewaysScroll(page);
  });

  test("a dialog keeps focus inside, closes on Escape and gives focus back", async ({ page }) => {
    await signInDemo(page);
    await go(page, "/acme/admin/users");
    const opener = page.getByRole("button", { name: "Add users" });
    await opener.click();
    const dialog = page.getByRole("dialog", { name: "Add users" });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByLabel("People")).toBeFocused();
    // Tab and Shift+Tab go round the dialog's controls, never to the page behind.
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => !!document.activeElement?.closest("dialog")), `Tab ${i + 1}: ${await focusedName(page)}`).toBe(true);
    }
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press("Shift+Tab");
      expect(await page.evaluate(() => !!document.activeElement?.closest("dialog"))).toBe(true);
    }
    await page.keyboard.press("Escape");
    await expect(dialog).toHaveCount(0);
    await expect(opener).toBeFocused();
    // The × button closes it as well.
    await opener.click();
    await page.getByRole("dialog").getByRole("button", { name: "Close" }).click();
    await expect(page.getByRole("dialog")).toHaveCount(0);
  });

  test("a field's error goes away once the field is changed", async ({ page }) => {
    await signInDemo(page);
    await go(page, "/acme/admin/account-types/new");
    await page.getByRole("button", { name: "Create", exact: true }).click();
    const error = page.locator(".field-error");
    await expect(error).toBeVisible();
    await page.getByLabel("Name").fill("R");
    await expect(error).toHaveCount(0);
  });

  test("Users filters apply as you type and live in the URL", async ({ page }) => {
    await signInDemo(page);
    await go(page, "/acme/admin/users");
    await expect(page.getByTestId("user-row")).toHaveCount(5);
    // The Apply button is only for browsers without the app.
    await expect(page.getByRole("button", { name: "Apply" })).toBeHidden();
    const search = page.getByRole("searchbox", { name: "Search" });
    await search.pressSequentially("cas", { delay: 40 });
    await expect(page).toHaveURL(/[?&]search=cas/);
    await expect(page.getByTestId("user-row")).toHaveCount(1);
    await expect(search).toBeFocused();
    await expect(search).toHaveValue("cas");
    await page.getByLabel("Status").selectOption("all");
    await expect(page).toHaveURL(/status=all/);
    // Reloading keeps the state: it is the URL.
    await page.reload();
    await hydrated(page);
    await expect(page.getByRole("searchbox", { name: "Search" })).toHaveValue("cas");
    await expect(page.getByTestId("user-row")).toHaveCount(1);

    await go(page, "/acme/admin/teams");
    await page.getByRole("searchbox", { name: "Search" }).pressSequentially("fin", { delay: 40 });
    await expect(page).toHaveURL(/search=fin/);
    await expect(page.getByTestId("team-row")).toHaveCount(1);
  });

  test("before the app has loaded, its buttons look disabled and forms still work", async ({ page }) => {
    // Without the wasm, the page stays as the server rendered it.
    await page.route("**/*.wasm", (route) => route.abort());
    const who = demoUser("admin@acme.example");
    await page.goto(`${demoURL}/acme/login`);
    await page.getByLabel("Email").fill(who.email);
    await page.getByLabel("Password").fill(who.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/acme$/);

    for (const [path, name] of [["/acme/admin/users", "Add users"], ["/acme/admin/authentication", "Edit"], ["/acme/admin/authentication", "Setup"], ["/acme/admin/teams", "Create team"]]) {
      await page.goto(`${demoURL}${path}`);
      const button = page.getByRole("button", { name, exact: true });
      await expect(button).toBeVisible();
      const look = await button.evaluate((b) => ({ opacity: Number(getComputedStyle(b).opacity), events: getComputedStyle(b).pointerEvents }));
      expect(look, `${name} on ${path}`).toEqual({ opacity: 0.55, events: "none" });
    }
    // Filters fall back to their Apply button, a plain GET form.
    await page.goto(`${demoURL}/acme/admin/users`);
    await page.getByRole("searchbox", { name: "Search" }).fill("riley");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/search=riley/);
    await expect(page.getByTestId("user-row")).toHaveCount(1);
  });

  test("on a phone the top bar fits and its menu leads everywhere", async ({ page }) => {
    await page.setViewportSize({ width: 360, height: 740 });
    await signInDemo(page);
    await go(page, "/acme/admin/authentication");
    await expectNoSidewaysScroll(page);
    await page.getByRole("button", { name: "Menu" }).click();
    await expect(page.getByRole("menuitem", { name: "Sign out" })).toBeVisible();
    await page.getByRole("menuitem", { name: "Profile" }).click();
    await expect(page).toHaveURL(/\/acme\/profile$/);
    await go(page, "/acme/admin/account");
    await page.getByRole("button", { name: "Administration: Account" }).click();
    await page.getByRole("menuitem", { name: "Audit log" }).click();
    await expect(page).toHaveURL(/\/acme\/admin\/audit$/);
    await expect(page.getByRole("button", { name: "Administration: Audit log" })).toBeVisible();
    await expectNoSidewaysScroll(page);
  });
});
