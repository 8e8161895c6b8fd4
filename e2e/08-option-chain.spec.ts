import { expect, test } from "@playwright/test";
import { admin } from "./people";
import { holdPrices, signInToDashboard } from "./steps";

// Prices are held still for the whole test, so the live ATM (and with it the row under test) cannot move between
// reading it and clicking it. Live ticks from the worker's feed are exercised in 11-live-market.
test("the option chain shows the ATM with depth sizes, IV and greeks, and hands a leg to the ticket", async ({
  page,
}, testInfo) => {
  await signInToDashboard(page, admin);
  await holdPrices(page, true);
  try {
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

    // Depth from the feed: best bid and ask with their sizes (never invented), and open interest.
    const cell = atmRow.locator('[data-col="CE-LTP"]');
    const symbol = (await cell.getAttribute("aria-label"))!.split(" ")[1];
    expect(symbol).toMatch(/CE$/);
    for (const col of ["CE-Bid qty", "CE-Ask qty", "CE-OI"])
      await expect(atmRow.locator(`[data-col="${col}"]`)).toHaveText(/^[\d,]+$/);

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
