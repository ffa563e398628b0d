import { test, expect, Browser } from "@playwright/test";
import { ensureAcme, goto, signIn } from "./helpers";

// Allowed IP addresses (Administration > Authentication): a range that would
// shut the admin out is refused beside the field; the admin's own address and
// an office range are added; a visitor from outside meets a page that says
// why, one from the office signs in; the admin's own range cannot be removed
// while others remain. The test server trusts X-Forwarded-For (serve.sh), so
// a browser context with that header plays a visitor from elsewhere.

const baseURL = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3917)}`;

async function visitorFrom(browser: Browser, ip: string) {
  const context = await browser.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": ip } });
  return { context, page: await context.newPage() };
}

test.describe("allowed IP addresses", () => {
  test.beforeAll(async ({ request }) => {
    await ensureAcme(request);
  });

  test("an admin restricts access by address without shutting themselves out", async ({ page, browser }) => {
    await signIn(page);
    try {
      await goto(page, "/acme/admin/authentication");
      const card = page.getByTestId("ip-allowlist");
      await expect(card.getByTestId("your-address")).toContainText("127.0.0.1");
      const box = card.getByLabel("Add addresses or ranges");

      // Only the office: the admin's own address would be left out.
      await box.fill("192.0.2.0/24");
      await card.getByLabel("Applies to").selectOption({ label: "Gatehouse (pages, sign-in, exports)" });
      await card.getByRole("button", { name: "Add", exact: true }).click();
      await expect(card.getByRole("alert")).toContainText("would shut you out");
      await expect(box).toBeFocused();
      await expect(box).toHaveAttribute("aria-describedby", /field-error/);
      await expect(card.getByTestId("allowlist-row")).toHaveCount(0);

      await box.fill("127.0.0.1 # this machine\n192.0.2.0/24 # office");
      await card.getByRole("button", { name: "Add", exact: true }).click();
      await expect(page.getByTestId("toast").filter({ hasText: "Ranges added" })).toBeVisible();
      await expect(card.getByTestId("allowlist-row")).toHaveCount(2);
      await expect(box).toHaveValue("");
      await expect(card.getByTestId("allowlist-table")).toContainText("127.0.0.1/32");

      // A visitor from elsewhere is told why; one from the office gets the sign-in page.
      const outside = await visitorFrom(browser, "203.0.113.9");
      const refused = await outside.page.goto("/acme/login");
      expect(refused?.status()).toBe(403);
      await expect(outside.page.getByRole("heading", { level: 1 })).toContainText("cannot be reached from your address");
      await expect(outside.page.locator("body")).toContainText("203.0.113.9");
      await outside.context.close();
      const office = await visitorFrom(browser, "192.0.2.44");
      await goto(office.page, "/acme/login");
      await expect(office.page.getByRole("button", { name: "Sign in" })).toBeVisible();
      await office.context.close();

      // The admin's own range stays while another one would be left.
      await card.getByRole("button", { name: "Remove 127.0.0.1/32" }).click();
      await expect(page.getByTestId("toast").filter({ hasText: "shut you out" })).toBeVisible();
      await expect(card.getByTestId("allowlist-row")).toHaveCount(2);
      await card.getByRole("button", { name: "Remove 192.0.2.0/24" }).click();
      await expect(card.getByTestId("allowlist-row")).toHaveCount(1);
      await card.getByRole("button", { name: "Remove 127.0.0.1/32" }).click();
      await expect(card.getByTestId("allowlist-empty")).toBeVisible();
    } finally {
      // Whatever failed above, the shared test server is left unrestricted.
      const headers = { origin: baseURL };
      const list = await page.request.post("/api/ip_allowlist", { headers, form: { org: "acme" } });
      if (list.ok()) {
        const ranges = ((await list.json()).ranges as { id: string; cidr: string }[]).sort((a, b) => (a.cidr === "127.0.0.1/32" ? 1 : b.cidr === "127.0.0.1/32" ? -1 : 0));
        for (const r of ranges) await page.request.post("/api/remove_allowed_range", { headers, form: { org: "acme", id: r.id } });
      }
    }
  });
});
