import { expect, test, type Page } from "@playwright/test";
import { formatInr } from "@/lib/format";
import { niftyFuture, ownAccounts, setInstanceFaults, terminalCall, traderWithAccounts } from "./steps";

// Copy orders end to end (docs/copy-trading.md "ORDERS mode"): a trader makes a group that mirrors orders (children at
// 1× and 0.5×), types a LIMIT order into the master's own terminal, and watches the copy log show the children's orders
// working at the master's price; a modify of price and quantity in the master shows as MODIFY with old → new values
// and both children modified; a cancel shows as CANCEL with both children cancelled; a MARKET order that fills leaves
// the drift board at parity with the master's position; an equity order is logged as skipped by the group's filters.
// Resting orders are held on every instance (simulator control API), so no tick fills them while the journey looks.
// Self-contained: its own trader and simulator instances, named by this run's stamp.
test.describe.configure({ mode: "serial" });

const STAMP = Date.now().toString(36);
const trader = { name: "Omkar Orders", email: `omkar-${STAMP}@example.in`, password: "copy-pass-2026" };
const MASTER = { instance: `co-${STAMP}-m`, name: "Orders Master", capital: "5000000" };
const DEEPA = { instance: `co-${STAMP}-d`, name: "Deepa Full", capital: "5000000" };
const ESHA = { instance: `co-${STAMP}-e`, name: "Esha Half", capital: "5000000" };
const GROUP = `Limit desk ${STAMP}`;
/** Units as the page prints them (Indian grouping). */
const units = (n: number) => new Intl.NumberFormat("en-IN").format(n);
/** A price `below` rupees under the last traded price, on the 0.05 tick. */
const tickBelow = (ltp: number, below: number) => Math.round((ltp - below) * 20) / 20;

/** The copy log's events of one kind. */
const events = (page: Page, kind: string) => page.locator(`[data-testid^="copy-event-"][data-kind="${kind}"]`);
/** One child's order on an event row, by account id. */
const childOf = (row: ReturnType<typeof events>, accountId: string) =>
  row.locator(`[data-testid="child-order"][data-account-id="${accountId}"]`);

async function shoot(page: Page, name: string, testInfo: { outputPath: (n: string) => string }) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.screenshot({ path: testInfo.outputPath(`${name}-${width}.png`), fullPage: true });
    // Nothing wider than the screen: the log stacks into cards on a phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

test("a master LIMIT order is mirrored, modified and cancelled in both children", async ({ page }, testInfo) => {
  test.setTimeout(180_000); // sign-ins, three linked accounts, three master changes
  await traderWithAccounts(page, trader, [MASTER, DEEPA, ESHA]);
  for (const a of [MASTER, DEEPA, ESHA]) await setInstanceFaults(page, a.instance, { holdRestingOrders: true });
  const fut = await niftyFuture(page);
  const ids = Object.fromEntries((await ownAccounts(page)).map((a) => [a.name, a.id]));
  const [deepaId, eshaId] = [ids[DEEPA.name], ids[ESHA.name]];

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Copy" }).click();
  await page.getByRole("button", { name: "New copy group" }).click();
  const form = page.getByRole("form", { name: "Copy group form" });
  await form.getByLabel("Name").fill(GROUP);
  await form.getByLabel("Master account").selectOption({ label: MASTER.name });
  await form.getByLabel("Copy orders").check();
  await form.getByLabel("Child 1 account").selectOption({ label: DEEPA.name });
  await form.getByLabel("Child 1 multiplier").fill("1");
  await form.getByRole("button", { name: "Add child" }).click();
  await form.getByLabel("Child 2 account").selectOption({ label: ESHA.name });
  await form.getByLabel("Child 2 multiplier").fill("0.5");
  await form.getByRole("button", { name: "Create copy group" }).click();
  await expect(page).toHaveURL(/\/copy\/[0-9a-f-]{36}$/);
  await expect(page.getByText("copies orders")).toBeVisible();

  // A LIMIT buy of two lots, well under the market, typed into the master: both children get it at the same price.
  const { data } = await terminalCall(page, MASTER.instance, "quotes", { symbol: fut.symbol, exchange: "NFO" });
  const [p1, p2] = [tickBelow(Number(data!.ltp), 300), tickBelow(Number(data!.ltp), 250)];
  const order = { symbol: fut.symbol, exchange: "NFO", product: "NRML", action: "BUY", pricetype: "LIMIT" };
  const placed = await terminalCall(page, MASTER.instance, "placeorder", {
    ...order,
    quantity: 2 * fut.lotSize,
    price: p1,
    trigger_price: 0,
  });
  const place = events(page, "PLACE");
  await expect(place).toHaveCount(1, { timeout: 45_000 });
  await expect(place).toContainText(`BUY ${units(2 * fut.lotSize)}`);
  await expect(place).toContainText(`LIMIT @ ${formatInr(p1)}`);
  for (const [id, lots] of [
    [deepaId, 2],
    [eshaId, 1],
  ] as const) {
    const child = childOf(place, id);
    await expect(child).toHaveAttribute("data-phase", "working", { timeout: 45_000 });
    await expect(child).toContainText(`BUY ${units(lots * fut.lotSize)}`);
    await expect(child).toContainText(`@ ${formatInr(p1)}`);
  }

  // The master's order moved up and doubled: MODIFY reads old → new, and both children's orders follow.
  await terminalCall(page, MASTER.instance, "modifyorder", {
    ...order,
    orderid: placed.orderid,
    quantity: 4 * fut.lotSize,
    price: p2,
    trigger_price: 0,
    disclosed_quantity: 0,
  });
  const modify = events(page, "MODIFY");
  await expect(modify).toHaveCount(1, { timeout: 45_000 });
  await expect(modify).toContainText(`BUY ${units(2 * fut.lotSize)} → ${units(4 * fut.lotSize)}`);
  await expect(modify).toContainText(`LIMIT @ ${formatInr(p1)} → ${formatInr(p2)}`);
  for (const [id, lots] of [
    [deepaId, 4],
    [eshaId, 2],
  ] as const) {
    const child = childOf(modify, id);
    await expect(child).toHaveAttribute("data-outcome", "modified", { timeout: 45_000 });
    await expect(child).toContainText(`BUY ${units(lots * fut.lotSize)}`);
  }
  await expect(modify).toHaveAttribute("data-status", "SENT");
  await shoot(page, "copy-orders-modified", testInfo);

  // Cancelled in the master: CANCEL names the order, both children's orders are cancelled.
  await terminalCall(page, MASTER.instance, "cancelorder", { orderid: placed.orderid });
  const cancel = events(page, "CANCEL");
  await expect(cancel).toHaveCount(1, { timeout: 45_000 });
  await expect(cancel).toContainText(`BUY ${units(4 * fut.lotSize)}`);
  for (const id of [deepaId, eshaId]) {
    await expect(childOf(cancel, id)).toHaveAttribute("data-outcome", "cancelled", { timeout: 45_000 });
    await expect(childOf(place, id)).toHaveAttribute("data-phase", "cancelled", { timeout: 45_000 });
  }
  await expect(cancel).toHaveAttribute("data-status", "SENT");
  await shoot(page, "copy-orders-cancelled", testInfo);

  // A MARKET buy fills in the master and in both children: the group counts the master's fill, so the drift board
  // reads the master's position and both children at their share, not drifting.
  await terminalCall(page, MASTER.instance, "placeorder", {
    ...order,
    pricetype: "MARKET",
    quantity: 2 * fut.lotSize,
    price: 0,
    trigger_price: 0,
  });
  const market = events(page, "PLACE").filter({ hasNotText: "LIMIT" });
  await expect(market).toHaveCount(1, { timeout: 45_000 });
  for (const id of [deepaId, eshaId])
    await expect(childOf(market, id)).toHaveAttribute("data-phase", "filled", { timeout: 45_000 });
  const drift = page.getByTestId(`drift-${fut.symbol}`);
  await expect(drift).toContainText(`master +${units(2 * fut.lotSize)}`, { timeout: 30_000 });
  for (const [name, lots] of [
    [DEEPA.name, 2],
    [ESHA.name, 1],
  ] as const) {
    const child = drift.getByTestId(`drift-child-${name}`);
    await expect(child).toHaveAttribute("data-state", "ok", { timeout: 30_000 });
    await expect(child).toContainText(`+${units(lots * fut.lotSize)}`);
  }
  await expect(drift.getByRole("button", { name: /Sync/ })).toHaveCount(0);

  // An equity order is not the group's (F&O only): the log shows it skipped with the reason, and copies nothing.
  await terminalCall(page, MASTER.instance, "placeorder", {
    symbol: "SBIN",
    exchange: "NSE",
    product: "CNC",
    action: "BUY",
    pricetype: "MARKET",
    quantity: 1,
    price: 0,
    trigger_price: 0,
  });
  const filtered = page.locator('[data-testid^="copy-event-"][data-symbol="SBIN"]');
  await expect(filtered).toHaveCount(1, { timeout: 45_000 });
  await expect(filtered).toHaveAttribute("data-status", "SKIPPED");
  await expect(filtered).toContainText("exchange NSE not copied");
  await shoot(page, "copy-orders-filled", testInfo);
});
