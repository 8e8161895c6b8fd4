import { expect, type Page, type TestInfo } from "@playwright/test";
import { expectChipsIn } from "./steps";

/** Steps the risk journeys share: a one-leg NIFTY futures strategy, its execution, the Risk page's card of a run. */

/** `HH:MM` IST `minutes` before now: a time exit already past today is next due tomorrow, so it never fires mid-test. */
export function istClockMinus(minutes: number): string {
  const ist = new Date(Date.now() + (330 - minutes) * 60_000);
  return `${String(ist.getUTCHours()).padStart(2, "0")}:${String(ist.getUTCMinutes()).padStart(2, "0")}`;
}

/** Opens a new strategy and fills its header and one BUY leg of NIFTY current-month futures, 1 lot, for `accounts`. */
export async function newFuturesStrategy(page: Page, name: string, accounts: readonly string[]) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Strategies" }).click();
  await page.getByRole("link", { name: "New strategy" }).click();
  const form = page.getByRole("form", { name: "Strategy form" });
  await form.getByLabel("Name").fill(name);
  for (const a of accounts) await form.getByRole("checkbox", { name: new RegExp(a) }).check();
  await form.getByLabel("Leg 1 instrument").selectOption("futures");
  await form.getByLabel("Leg 1 expiry").selectOption("current_month");
  await form.getByLabel("Leg 1 action").selectOption("BUY");
  await form.getByLabel("Leg 1 lots").fill("1");
  return form;
}

/** Previews and executes the open strategy in its `accounts`; resolves with the run's id once every order filled. */
export async function executeStrategy(page: Page, accounts: number): Promise<string> {
  await page.getByRole("button", { name: "Preview", exact: true }).click();
  await expect(page.getByTestId("preview").getByTestId("plan-totals")).toContainText(
    `${accounts} of ${accounts} account${accounts === 1 ? "" : "s"} planned`,
  );
  await page.getByRole("button", { name: /^Execute/ }).click();
  await expect(page).toHaveURL(/\/executions\/[0-9a-f-]{36}$/);
  const runId = new URL(page.url()).pathname.split("/").pop()!;
  await expectChipsIn(page, accounts, ["filled"]);
  return runId;
}

/** The Risk page's card of one run. */
export const riskCard = (page: Page, runId: string) => page.locator(`[data-testid="risk-run"][data-run-id="${runId}"]`);

/** Full-page screenshots at desktop and phone width; nothing may be wider than a phone's screen. */
export async function shootBoth(page: Page, name: string, testInfo: TestInfo) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.screenshot({ path: testInfo.outputPath(`${name}-${width}.png`), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
