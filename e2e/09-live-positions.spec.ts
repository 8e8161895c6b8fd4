import Decimal from "decimal.js";
import { expect, test } from "@playwright/test";
import { formatInr } from "@/lib/format";
import type { FeedKind } from "@/lib/services/market-data";
import { admin } from "./people";
import { bookTotals, type BookRow } from "@/lib/trading/live-book";
import { holdPrices, jumpPrice, ownAccounts, sameOrigin, signInToDashboard } from "./steps";

// Runs after 04-exits: five demo accounts linked, the kill switch re-armed (entries allowed). Prices reach the page
// through the worker's feed from the simulator (jump, then held still).
test.describe.configure({ mode: "serial" });
// A test that holds the simulator's prices releases them whatever happened, so later specs see a moving market.
test.afterEach(async ({ page }) => holdPrices(page, false));

interface LedgerRow {
  key: string;
  feed: FeedKind;
  accountId: string;
  accountName: string;
  symbol: string;
  exchange: string;
  netQty: number;
  avgPrice: string | null;
  closedOutside: boolean;
}

test("a fill and a price reach the positions page live, without a reload", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await signInToDashboard(page, admin);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Positions" }).click();
  await expect(page.getByRole("heading", { name: "Positions" })).toBeVisible();
  await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "live");

  const ledger = async () =>
    ((await (await page.request.get("/api/positions/ledger")).json()) as { positions: LedgerRow[] }).positions;
  const target = (await ownAccounts(page)).filter((a) => a.active)[0];
  const sbin = (rows: LedgerRow[]) =>
    rows.find((r) => r.accountId === target.id && r.symbol === "SBIN" && r.key.startsWith("|"));
  const before = sbin(await ledger())?.netQty ?? 0;
  const shown = page.locator(`[data-testid="position-row"][data-account="${target.id}"][data-symbol="SBIN"]`);
  // From here on the page may not read the ledger over REST again: whatever changes must come from the stream.
  await page.route("**/api/positions/ledger", (route) => route.abort());

  // A manual ticket through the simulator: the worker's fill tracking records the fill, the stream brings the row.
  const sent = await page.request.post("/api/ticket/execute", {
    headers: sameOrigin(page),
    data: {
      symbol: "SBIN",
      exchange: "NSE",
      action: "BUY",
      lots: 2,
      product: "MIS",
      priceType: "MARKET",
      accountIds: [target.id],
      idempotencyKey: `e2e-live-${Date.now()}`,
    },
  });
  expect(sent.ok(), await sent.text()).toBe(true);
  await expect(shown.first()).toHaveAttribute("data-net-qty", String(before + 2), { timeout: 45_000 });

  // A published price re-prices the row's unrealised P&L on the page.
  await page.unroute("**/api/positions/ledger");
  const row = sbin(await ledger())!;
  expect(row.netQty).toBe(before + 2);
  await page.route("**/api/positions/ledger", (route) => route.abort());
  // The simulator moves SBIN and holds it there: the worker's feed brings the new price to the page.
  await holdPrices(page, true);
  const ltp = new Decimal(
    await jumpPrice(page, { symbol: "SBIN", exchange: "NSE" }, { to: Number(row.avgPrice) + 12.35 }),
  ).toString();
  const expected = row.closedOutside ? "0" : new Decimal(ltp).minus(row.avgPrice!).times(row.netQty);
  await expect(shown.first().getByTestId("position-unrealised")).toContainText(formatInr(expected));
  await expect(shown.first().getByTestId("position-ltp").first()).toContainText(formatInr(ltp));
  await page.screenshot({ path: testInfo.outputPath("live-positions-desktop.png"), fullPage: true });

  // Strategy subtotals, and the page at a phone's width.
  await page.getByRole("button", { name: "strategy" }).click();
  await expect(page.getByTestId("position-subtotal").filter({ hasText: "Manual tickets" })).toBeVisible();
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(shown.first().getByTestId("position-unrealised")).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("live-positions-390.png"), fullPage: true });
  await page.getByLabel("Open only").check();
  await expect(page.locator('[data-testid="position-row"][data-net-qty="0"]')).toHaveCount(0);
  await expect(shown.first()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("live-positions-390-open.png"), fullPage: true });
  // The kill switch stays reachable at this width.
  await page.unroute("**/api/positions/ledger");
  await page.goto("/risk");
  await expect(page.getByTestId("kill-switch-state")).toHaveText(/Armed/);
  await expect(page.getByTestId("ledger-row").first()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("risk-390.png"), fullPage: true });
});

test("the dashboard, the Risk page and the positions page show one unrealised total", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await signInToDashboard(page, admin);
  const nav = page.getByRole("navigation", { name: "Main" });
  const total = (within: string) => page.getByTestId(within).getByTestId("book-total-value");
  await holdPrices(page, true);
  try {
    // Pages are reached through the menu (one browser cache of the ledger, kept live by the stream). The feed may
    // still re-price a contract between two reads, so the whole comparison is retried until one pass agrees.
    await expect(async () => {
      const rows = ((await (await page.request.get("/api/positions/ledger")).json()) as { positions: BookRow[] })
        .positions;
      expect(rows.some((r) => r.netQty !== 0)).toBe(true);
      await nav.getByRole("link", { name: "Positions" }).click();
      await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "live");
      const shown = await total("total-unrealised").getAttribute("data-value");
      // A known amount: every open row has a price (the previous test priced SBIN; REST prices the rest).
      expect(shown).toMatch(/^-?\d+(\.\d+)?$/);
      expect(bookTotals(rows).total.unrealised).toBe(shown);
      await nav.getByRole("link", { name: "Dashboard" }).click();
      await expect(total("stat-unrealised")).toHaveAttribute("data-value", shown!, { timeout: 2_000 });
      await expect(total("ledger-unrealised")).toHaveAttribute("data-value", shown!, { timeout: 2_000 });
      await nav.getByRole("link", { name: "Risk" }).click();
      await expect(total("ledger-unrealised")).toHaveAttribute("data-value", shown!, { timeout: 2_000 });
    }).toPass({ timeout: 60_000 });
    await nav.getByRole("link", { name: "Dashboard" }).click();
    await expect(total("stat-unrealised")).toContainText("₹");
    await page.screenshot({ path: testInfo.outputPath("dashboard-total.png"), fullPage: true });
  } finally {
    await holdPrices(page, false);
  }
});
