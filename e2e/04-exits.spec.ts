import { expect, test } from "@playwright/test";
import { admin } from "./people";
import { holdPrices, holdRestingOrders, sameOrigin, signInToDashboard } from "./steps";

// Runs after 03-strategies: five demo accounts linked, the "NIFTY iron condor" strategy saved (fixed lots) with its
// adjustment leg 5, a BUY LIMIT at ₹0.05 that rests at the broker — so the kill switch has working orders to cancel.
test.describe.configure({ mode: "serial" });

const STRATEGY = "NIFTY iron condor";

interface OrdersJson {
  accounts: { accountName: string; ok: boolean; data?: { status: string }[] }[];
}
interface PositionsJson {
  accounts: { accountName: string; ok: boolean; data?: { symbol: string; quantity: number }[] }[];
}

test("execute, see fills and P&L, engage the kill switch, see every account flat and entries blocked", async ({
  page,
}, testInfo) => {
  test.setTimeout(150_000);
  await signInToDashboard(page, admin);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Strategies" }).click();
  await page.getByTestId(`strategy-row-${STRATEGY}`).getByRole("link", { name: STRATEGY }).click();
  // Prices stand still from the preview to the fills, so every protected LIMIT meets the quote it was priced from;
  // the five ₹0.05 limits rest because the simulator holds them open, not because the market happens to stay above.
  await holdPrices(page, true);
  await holdRestingOrders(page, 5, true);
  try {
    await page.getByRole("button", { name: "Preview", exact: true }).click();
    await expect(page.getByTestId("preview").getByTestId("plan-totals")).toContainText("5 of 5 accounts planned");
    await page.getByRole("button", { name: /^Execute/ }).click();
    await expect(page).toHaveURL(/\/executions\/[0-9a-f-]{36}$/);

    // Fills arrive on their own (the worker's order-status poller): every marketable slice ends filled at the
    // broker's price; the five resting LIMIT slices stay accepted (open).
    const chips = page.getByTestId("intent-chip");
    await expect(chips).toHaveCount(25);
    const states = () =>
      chips.evaluateAll((els) =>
        els
          .map((e) => e.getAttribute("data-state"))
          .reduce<Record<string, number>>((m, s) => ({ ...m, [s ?? "?"]: (m[s ?? "?"] ?? 0) + 1 }), {}),
      );
    await expect.poll(states, { timeout: 45_000 }).toEqual({ filled: 20, accepted: 5 });
  } finally {
    // Released before the kill switch, whose exit orders must fill.
    await holdRestingOrders(page, 5, false);
    await holdPrices(page, false);
  }
  await page.screenshot({ path: testInfo.outputPath("run-filled.png"), fullPage: true });

  // The strategy's positions with P&L, from fills, on the Risk page.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Risk" }).click();
  await expect(page.getByTestId("kill-switch-state")).toHaveText(/Armed/);
  const rows = page.getByTestId("ledger-row").filter({ hasText: "NIFTY" });
  await expect(rows.first()).toBeVisible({ timeout: 20_000 });
  // The unrealised total is a known amount (every row has a price) and is exactly the sum of the rows shown with it.
  const money = /^-?₹[\d,]+\.\d{2}$/;
  const unrealisedTotal = page.getByTestId("ledger-unrealised").getByTestId("book-total-value");
  await expect(unrealisedTotal).toHaveText(money);
  const ledger = await unrealisedTotal.evaluate((total) => {
    const table = total.closest("table")!;
    const col = [...table.querySelectorAll("thead th")].findIndex((th) => th.textContent?.trim() === "Unrealised");
    const cells = [...table.querySelectorAll('tbody tr[data-testid="ledger-row"]')].map(
      (tr) => tr.children[col]?.textContent?.trim() ?? "",
    );
    return { total: total.textContent!.trim(), cells };
  });
  const paise = (t: string) => (t.startsWith("-") ? -1 : 1) * Math.round(Number(t.replace(/[^\d.]/g, "")) * 100);
  for (const c of ledger.cells) expect(c).toMatch(money);
  expect(paise(ledger.total)).toBe(ledger.cells.reduce((s, c) => s + paise(c), 0));
  await page.screenshot({ path: testInfo.outputPath("risk-positions.png"), fullPage: true });

  // Kill switch: every page shows it, and every account ends flat.
  page.once("dialog", (d) => d.accept());
  await page.getByLabel("Reason").fill("e2e drill");
  await page.getByRole("button", { name: "Kill switch: flatten my accounts" }).click();
  const banner = page.getByTestId("kill-switch-banner");
  await expect(banner).toContainText("KILL SWITCH ENGAGED");
  await expect(page.getByTestId("kill-switch-state")).toHaveText(/Engaged/);
  await expect(page.getByTestId("exit-row").first()).toHaveAttribute("data-status", "DONE", { timeout: 30_000 });
  await page.screenshot({ path: testInfo.outputPath("kill-switch.png"), fullPage: true });

  await expect
    .poll(
      async () => {
        const res = await page.request.get("/api/books/positions");
        const body = (await res.json()) as PositionsJson;
        return body.accounts
          .map((a) => `${a.accountName}:${a.ok ? (a.data ?? []).filter((p) => p.quantity !== 0).length : "unreadable"}`)
          .sort();
      },
      { timeout: 30_000, intervals: [1_000] },
    )
    .toEqual(["Sim Five:0", "Sim Four:0", "Sim One:0", "Sim Three:0", "Sim Two:0"]);
  // The resting LIMIT orders were cancelled at the brokers, not left working.
  const ordersBody = (await (await page.request.get("/api/books/orders")).json()) as OrdersJson;
  expect(
    ordersBody.accounts
      .map(
        (a) =>
          `${a.accountName}:${a.ok ? (a.data ?? []).filter((o) => o.status === "open" || o.status === "trigger_pending").length : "unreadable"}`,
      )
      .sort(),
  ).toEqual(["Sim Five:0", "Sim Four:0", "Sim One:0", "Sim Three:0", "Sim Two:0"]);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Positions" }).click();
  await expect(page.getByTestId("kill-switch-banner")).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("positions-flat.png"), fullPage: true });

  // The dashboard says the same: every account connected, the switch engaged, the strategy's positions closed by it.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  await expect(page.getByTestId("stat-accounts")).toHaveText("5 / 5 connected");
  await expect(page.getByTestId("stat-kill-switch")).toHaveText("Engaged");
  // Available margin: the accounts' total in lakh/crore, the exact sum of the brokers' figures on hover.
  const inr = new Intl.NumberFormat("en-IN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const marginStat = page.getByTestId("stat-margin").locator("[data-exact]");
  await expect
    .poll(
      async () => {
        const funds = (await (await page.request.get("/api/books/funds")).json()) as {
          accounts: { ok: boolean; data?: { availableMargin: string } }[];
        };
        const rupees = funds.accounts.reduce((s, a) => s + Math.round(Number(a.data!.availableMargin) * 100), 0) / 100;
        const expected = [
          `₹${inr.format(rupees)}`,
          rupees >= 1e7 ? `₹${(rupees / 1e7).toFixed(2)} Cr` : `₹${(rupees / 1e5).toFixed(2)} L`,
        ];
        const shown = [await marginStat.getAttribute("title"), await marginStat.innerText()];
        return shown.join() === expected.join() ? "match" : JSON.stringify({ shown, expected });
      },
      { timeout: 15_000 },
    )
    .toBe("match");
  const niftyRows = page.getByTestId("ledger-row").filter({ hasText: "NIFTY" });
  await expect(niftyRows.first()).toBeVisible();
  await expect
    .poll(() => niftyRows.evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute("data-net-qty")))]), {
      timeout: 15_000,
    })
    .toEqual(["0"]);
  await expect(page.getByTestId("run-row").filter({ hasText: "exit" }).first()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("dashboard.png"), fullPage: true });

  // Entries are refused while engaged, with the reason on screen.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Strategies" }).click();
  await page.getByTestId(`strategy-row-${STRATEGY}`).getByRole("link", { name: STRATEGY }).click();
  await page.getByRole("button", { name: "Preview", exact: true }).click();
  await page.getByRole("button", { name: /^Execute/ }).click();
  await expect(
    page
      .getByRole("alert")
      .filter({ hasText: /kill switch/i })
      .first(),
  ).toBeVisible();
  await expect(page).not.toHaveURL(/\/executions\//);
  const { accounts } = (await (await page.request.get("/api/accounts")).json()) as {
    accounts: { id: string; name: string }[];
  };
  const ticket = {
    symbol: "SBIN",
    exchange: "NSE",
    action: "BUY",
    lots: 1,
    product: "MIS",
    priceType: "MARKET",
    accountIds: accounts.map((a) => a.id),
  };
  const blocked = await page.request.post("/api/ticket/execute", {
    headers: sameOrigin(page),
    data: { ...ticket, idempotencyKey: `e2e-blocked-${Date.now()}` },
  });
  expect(blocked.status(), await blocked.text()).toBe(423);
  expect(((await blocked.json()) as { error: { code: string } }).error.code).toBe("KILL_SWITCH");

  // Only an admin re-arms; afterwards entries are allowed again.
  page.once("dialog", (d) => d.accept());
  await banner.getByRole("button", { name: "Re-arm" }).click();
  await expect(page.getByTestId("kill-switch-banner")).toHaveCount(0);
  const allowed = await page.request.post("/api/ticket/execute", {
    headers: sameOrigin(page),
    data: { ...ticket, idempotencyKey: `e2e-allowed-${Date.now()}` },
  });
  expect(allowed.ok(), await allowed.text()).toBe(true);
  expect(((await allowed.json()) as { runId: string }).runId).toMatch(/^[0-9a-f-]{36}$/);
});
