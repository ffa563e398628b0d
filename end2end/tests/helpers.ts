import { expect, Page } from "@playwright/test";

/** Waits until the page's wasm has hydrated, so clicks reach Leptos's handlers. */
export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 20_000 });
}

export async function goto(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
}
