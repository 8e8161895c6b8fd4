import { expect, test } from "@playwright/test";
import { disconnectRedis } from "@/lib/redis";
import { publishUi, writeQuote, type LiveQuote } from "@/lib/services/market-data";
import { admin } from "./people";
import { holdPrices, signInToDashboard } from "./steps";

test.afterAll(async () => {
  await disconnectRedis();
});

const quote = (symbol: string, over: Partial<LiveQuote>): LiveQuote => ({
  exchange: "NFO",
  symbol,
  ltp: "0",
  prevClose: null,
  open: null,
  high: null,
  low: null,
  bid: null,
  bidQty: null,
  ask: null,
  askQty: null,
  depth: null,
  volume: null,
  oi: null,
  exchangeTs: null,
  receivedAt: new Date().toISOString(),
  source: "feed",
  accountId: "e2e",
  ...over,
});

test("the option chain shows the ATM, updates a cell live from the quote contract, and hands a leg to the ticket", async ({
  page,
}, testInfo) => {
  await signInToDashboard(page, admin);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Option chain" }).click();
  await expect(page).toHaveURL(/\/option-chain/);

  const table = page.getByRole("table", { name: "Option chain" });
  const atmRow = table.locator('tr[data-atm="true"]');
  await expect(atmRow).toHaveCount(1);
  const atm = (await atmRow.getAttribute("data-strike"))!;
  await expect(page.getByTestId("chain-atm")).toHaveText(new RegExp(`^${Number(atm).toLocaleString("en-IN")}$`));
  await expect(table.locator("tbody tr")).toHaveCount(41); // ±20 strikes around the ATM by default
  await expect(page.getByTestId("chain-stream")).toHaveText("live");
  await expect(page.getByTestId("chain-pcr-oi")).toHaveText(/^\d+\.\d{2}$/);

  // Implied volatility and greeks are derived for the ATM contracts (Black-76 on the parity forward).
  await expect(atmRow.locator('[data-col="CE-IV"]')).toHaveText(/^\d+\.\d$/);
  await expect(atmRow.locator('[data-col="PE-Delta"]')).toHaveText(/^-0\.\d{3}$/);

  // A quote published on the browser channel (what the worker's feed does) changes the cell without a reload.
  const cell = atmRow.locator('[data-col="CE-LTP"]');
  const symbol = (await cell.getAttribute("aria-label"))!.split(" ")[1];
  expect(symbol).toMatch(/CE$/);
  // A price near the current one (so the forward and the other figures stay sensible), yet one no tick produces.
  const shown = Number((await cell.textContent())!.replace(/[^\d.]/g, ""));
  const ltp = (Math.floor(shown) + 7.35).toFixed(2);
  const text = Number(ltp).toLocaleString("en-IN", { minimumFractionDigits: 2 });
  const live = quote(symbol, {
    ltp,
    bid: (Number(ltp) - 0.5).toFixed(2),
    bidQty: 75,
    ask: (Number(ltp) + 0.5).toFixed(2),
    askQty: 150,
    oi: 123456,
  });
  await holdPrices(page, true); // the simulator's own ticks stay put while the test's quote is on screen
  try {
    await writeQuote("simulated", live);
    // Published again on every poll: a feed tick of the same contract may land in between on a busy machine.
    await expect
      .poll(async () => {
        await publishUi("simulated", { ...live, receivedAt: new Date().toISOString() });
        return Promise.all(
          ["CE-LTP", "CE-Bid qty", "CE-Ask qty", "CE-OI"].map((c) => atmRow.locator(`[data-col="${c}"]`).textContent()),
        );
      })
      .toEqual([expect.stringContaining(text), "75", "150", "1,23,456"]);

    await page.screenshot({ path: testInfo.outputPath("option-chain-desktop.png"), fullPage: false });
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(atmRow).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath("option-chain-390.png"), fullPage: false });
    await page.setViewportSize({ width: 1280, height: 800 });

    // Clicking the ask opens the ticket with that contract, to buy.
    await atmRow.locator('[data-col="CE-Ask"]').getByRole("link").click();
    await expect(page).toHaveURL(/\/trade\?/);
    await expect(page.getByTestId("ticket-symbol")).toContainText(symbol);
    await expect(page.getByRole("group", { name: "Side" }).getByRole("button", { name: "BUY" })).toHaveAttribute(
      "aria-pressed",
      "true",
    );
  } finally {
    await holdPrices(page, false);
  }
});
