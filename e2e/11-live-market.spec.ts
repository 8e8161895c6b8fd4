import { expect, test, type Page } from "@playwright/test";
import { admin } from "./people";
import { jumpPrice, sameOrigin, signInToDashboard, stallSymbol } from "./steps";

// The live-price chain end to end with nothing published by hand: the simulator streams over WebSocket to the
// worker's feed, the feed writes Redis, the watchdog flags silence, and the web streams carry it to the browser
// (docs/market-data.md "Live prices", "Stale data"). Runs after the other specs: the demo accounts are linked and
// the kill switch is armed. Every stall is undone at the end, so entries are accepted again afterwards.
test.describe.configure({ mode: "serial" });

const NIFTY = { symbol: "NIFTY", exchange: "NSE_INDEX" };
const SBIN = { symbol: "SBIN", exchange: "NSE" };
/** The watchdog flags an index after MARKET_STALE_MS, any other contract after MARKET_STALE_CONTRACT_MS (20 s). */
const STALE_WAIT = 60_000;

/** The first amount in a cell's text (`26,097.30 +12.30 STALE` → 26097.3). */
const amount = (text: string | null) => Number(/\d[\d,]*(\.\d+)?/.exec(text ?? "")?.[0].replaceAll(",", "") ?? NaN);

async function openChain(page: Page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Option chain" }).click();
  await expect(page).toHaveURL(/\/option-chain/);
  await expect(page.getByTestId("chain-stream")).toHaveText("live");
}

/** Marks the document, so a later check can tell the page was never reloaded. */
const markDocument = (page: Page) => page.evaluate(() => ((window as unknown as { __e2e?: number }).__e2e = 1));
const stillSameDocument = async (page: Page) =>
  expect(await page.evaluate(() => (window as unknown as { __e2e?: number }).__e2e)).toBe(1);

test("the option chain ticks from the worker's feed: a price jump at the simulator reaches the page without a reload", async ({
  page,
}) => {
  test.setTimeout(150_000);
  await signInToDashboard(page, admin);
  await openChain(page);
  await markDocument(page);
  const table = page.getByRole("table", { name: "Option chain" });
  const atmRow = table.locator('tr[data-atm="true"]');
  await expect(atmRow).toHaveCount(1);
  const label = (await atmRow.locator('[data-col="CE-LTP"]').getAttribute("aria-label"))!;
  const cell = table.locator(`[aria-label="${label}"]`);
  const before = amount(await cell.textContent());
  const spotBefore = amount(await page.getByTestId("chain-spot").textContent());
  expect(before).toBeGreaterThan(0);

  // 1.5 % up at once: the spot follows within a few ticks, and the call premium with it.
  const jumped = await jumpPrice(page, { underlying: "NIFTY" }, { percent: 1.5 });
  expect(jumped).toBeGreaterThan(spotBefore * 1.01);
  await expect
    .poll(async () => amount(await page.getByTestId("chain-spot").textContent()), { timeout: 45_000 })
    .toBeGreaterThan(spotBefore * 1.01);
  await expect.poll(async () => amount(await cell.textContent()), { timeout: 45_000 }).toBeGreaterThan(before);
  await stillSameDocument(page);
  // Back near where it was, so the specs after this one see an ordinary market.
  await jumpPrice(page, { underlying: "NIFTY" }, { to: spotBefore });
});

test("a stalled feed shows STALE on the option chain and the positions page with the alert, and recovery clears it without a reload", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signInToDashboard(page, admin);
  // An open SBIN position of the first account, so the positions page has a row whose price can go stale.
  const { accounts } = (await (await page.request.get("/api/accounts")).json()) as { accounts: { id: string }[] };
  const target = accounts[0];
  const sent = await page.request.post("/api/ticket/execute", {
    headers: sameOrigin(page),
    data: {
      ...SBIN,
      action: "BUY",
      lots: 1,
      product: "MIS",
      priceType: "MARKET",
      accountIds: [target.id],
      idempotencyKey: `e2e-stale-${Date.now()}`,
    },
  });
  expect(sent.ok(), await sent.text()).toBe(true);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Positions" }).click();
  await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "live");
  const sbinRow = page
    .locator(`[data-testid="position-row"][data-account="${target.id}"][data-symbol="SBIN"]:not([data-net-qty="0"])`)
    .first();
  await expect(sbinRow).toBeVisible({ timeout: 45_000 });
  await expect(sbinRow.getByText("stale", { exact: true })).toHaveCount(0);
  // One alert per owner with simulated accounts, and the admin sees every owner's: all carry the same message.
  const staleAlerts = page.getByRole("alert").filter({ hasText: "Live simulated prices stale" });
  const staleAlert = staleAlerts.first();

  try {
    // The simulator stops streaming the index and SBIN over its WebSocket while their prices move on.
    await stallSymbol(page, NIFTY.symbol, NIFTY.exchange, true);
    await stallSymbol(page, SBIN.symbol, SBIN.exchange, true);
    await markDocument(page);
    await expect(sbinRow.getByText("stale", { exact: true }).first()).toBeVisible({ timeout: STALE_WAIT });
    await expect(staleAlert).toBeVisible({ timeout: 30_000 });
    await expect(staleAlert).toContainText("NSE:SBIN");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: test.info().outputPath("positions-stale-390.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    await stillSameDocument(page);

    await openChain(page);
    await markDocument(page);
    await expect(page.getByTestId("chain-spot")).toContainText("STALE", { timeout: STALE_WAIT });
    await expect(staleAlert).toContainText("NSE_INDEX:NIFTY", { timeout: 30_000 });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: test.info().outputPath("option-chain-stale-390.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });

    // Live ticks return: the marks clear by themselves, on this page without a reload.
    await stallSymbol(page, NIFTY.symbol, NIFTY.exchange, false);
    await stallSymbol(page, SBIN.symbol, SBIN.exchange, false);
    await expect(page.getByTestId("chain-spot")).not.toContainText("STALE", { timeout: 30_000 });
    await stillSameDocument(page);
    await expect(staleAlerts).toHaveCount(0, { timeout: 30_000 });

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Positions" }).click();
    await expect(sbinRow).toBeVisible();
    await expect(sbinRow.getByText("stale", { exact: true })).toHaveCount(0, { timeout: 30_000 });
  } finally {
    await stallSymbol(page, NIFTY.symbol, NIFTY.exchange, false);
    await stallSymbol(page, SBIN.symbol, SBIN.exchange, false);
  }

  // Entries are accepted again once the flags are gone.
  const again = await page.request.post("/api/ticket/execute", {
    headers: sameOrigin(page),
    data: {
      ...SBIN,
      action: "SELL",
      lots: 1,
      product: "MIS",
      priceType: "MARKET",
      accountIds: [target.id],
      idempotencyKey: `e2e-fresh-${Date.now()}`,
    },
  });
  expect(again.ok(), await again.text()).toBe(true);

  // The kill switch page at a phone's width.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/risk");
  await expect(page.getByTestId("kill-switch-state")).toHaveText(/Armed/);
  await page.screenshot({ path: test.info().outputPath("risk-390.png"), fullPage: true });
});
