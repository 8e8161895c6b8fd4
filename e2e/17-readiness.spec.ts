import { expect, test, type Page } from "@playwright/test";
import { SIM } from "./people";
import { markDocument, sameDocument, traderWithAccounts } from "./steps";

// The readiness board end to end (docs/readiness.md): a trader with two simulator accounts, one whose broker session
// OpenAlgo has logged out, opens the board from the navigation and presses "Check all now". The worker checks both;
// the board shows the logged-out account red with the fix, live, and the alert banner names it. After logging in at
// the broker, "Check now" on that account turns its session green. Self-contained: its own trader and instances.
test.describe.configure({ mode: "serial" });

const STAMP = Date.now().toString(36);
const trader = { name: "Rekha Ready", email: `rekha-${STAMP}@example.in`, password: "ready-pass-2026" };
const GOOD = { instance: `rd-${STAMP}-g`, name: "Ready Good", capital: "5000000" };
const LOGGED_OUT = { instance: `rd-${STAMP}-x`, name: "Ready Logged Out", capital: "5000000" };

async function session(page: Page, instance: string, action: "revoke" | "login") {
  const res = await page.request.post(`${SIM.http}/_sim/instances/${instance}/${action}`, {
    headers: { Authorization: `Bearer ${SIM.adminToken}` },
  });
  expect(res.ok(), await res.text()).toBe(true);
}

async function shoot(page: Page, name: string, testInfo: { outputPath: (n: string) => string }) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.screenshot({ path: testInfo.outputPath(`${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

test("Check now shows a logged-out account red with the fix, live, and green again after a login", async ({
  page,
}, testInfo) => {
  test.setTimeout(150_000); // sign-ins, two linked accounts, two checks (each reads the broker's clock a few times)
  await traderWithAccounts(page, trader, [GOOD, LOGGED_OUT]);
  await session(page, LOGGED_OUT.instance, "revoke");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Readiness" }).click();
  await expect(page).toHaveURL(/\/readiness$/);
  const good = page.getByTestId(`readiness-${GOOD.name}`);
  const bad = page.getByTestId(`readiness-${LOGGED_OUT.name}`);
  await expect(good.getByText("never checked")).toBeVisible();
  await expect(bad.getByText("never checked")).toBeVisible();

  await markDocument(page);
  await page.getByTestId("check-all").click();
  await expect(bad).toHaveAttribute("data-status", "RED", { timeout: 60_000 });
  const sessionItem = bad.locator('[data-check="session"]');
  await expect(sessionItem).toHaveAttribute("data-level", "RED");
  await expect(sessionItem).toContainText("OpenAlgo logs every broker session out at 03:00 IST");
  await expect(sessionItem).toContainText(
    `Fix: Log in to the broker in OpenAlgo at ${SIM.http}/i/${LOGGED_OUT.instance}`,
  );
  await expect(good).not.toHaveAttribute("data-status", "UNCHECKED", { timeout: 60_000 });
  await good.getByRole("button", { name: "All checks" }).click();
  await expect(good.locator('[data-check="session"]')).toHaveAttribute("data-level", "GREEN");
  await expect(good.locator('[data-check="session"]')).toContainText("Broker session valid");
  // The red account is an alert too, under a title that says what it is.
  await expect(page.getByText("Account not ready").first()).toBeVisible();
  // It all arrived without a reload: the user stream's readiness events refresh the board.
  expect(await sameDocument(page)).toBe(true);
  await shoot(page, "readiness-board", testInfo);

  await session(page, LOGGED_OUT.instance, "login");
  await bad.getByRole("button", { name: "Check now" }).click();
  // Only red and amber findings are listed until "All checks" is opened: the session finding leaves the list.
  await expect(bad.locator('[data-check="session"]')).toHaveCount(0, { timeout: 60_000 });
  await bad.getByRole("button", { name: "All checks" }).click();
  await expect(bad.locator('[data-check="session"]')).toHaveAttribute("data-level", "GREEN");
  await expect(bad.locator('[data-check="session"]')).toContainText("Broker session valid");
});
