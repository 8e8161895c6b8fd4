import { expect, test, type Page } from "@playwright/test";
import { niftyFuture, ownAccounts, setInstanceFaults, terminalCall, traderWithAccounts } from "./steps";

// Copy groups end to end (docs/copy-trading.md): a trader makes a group on the Copy page (a master and two children
// at multipliers 1 and 0.5), trades in the master straight through its own OpenAlgo REST API, as a broker terminal
// would, and watches the copy log show each child's order filled and the drift board at parity; a paused child is
// then shown skipped on the next master order. Self-contained: its own trader and simulator instances, named by this
// run's stamp, so it runs alone or after the other specs.
test.describe.configure({ mode: "serial" });

const STAMP = Date.now().toString(36);
const trader = { name: "Chitra Copy", email: `chitra-${STAMP}@example.in`, password: "copy-pass-2026" };
const MASTER = { instance: `cp-${STAMP}-m`, name: "Copy Master", capital: "5000000" };
const ALPHA = { instance: `cp-${STAMP}-a`, name: "Copy Alpha", capital: "5000000" };
const BETA = { instance: `cp-${STAMP}-b`, name: "Copy Beta", capital: "5000000" };
const GROUP = `Advisor desk ${STAMP}`;
/** Units as the page prints them (Indian grouping). */
const units = (n: number) => new Intl.NumberFormat("en-IN").format(n);

/** An order typed into the master's own terminal: OpenAlgo placeorder on its simulator instance, tag "Terminal". */
async function masterPlace(page: Page, o: { symbol: string; action: "BUY" | "SELL"; quantity: number }) {
  const placed = await terminalCall(page, MASTER.instance, "placeorder", {
    exchange: "NFO",
    product: "NRML",
    pricetype: "MARKET",
    price: 0,
    trigger_price: 0,
    ...o,
  });
  return placed.orderid!;
}

async function shoot(page: Page, name: string, testInfo: { outputPath: (n: string) => string }) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.screenshot({ path: testInfo.outputPath(`${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** A child's order on the copy log, by account id, in `phase` (skipped, sending, working, filled, rejected...). */
const childOrder = (page: Page, accountId: string, phase: string) =>
  page.locator(`[data-testid="child-order"][data-account-id="${accountId}"][data-phase="${phase}"]`);

/** The copy log's events in `symbol` whose children's orders are in the phases given. */
const eventWith = (page: Page, symbol: string, phases: Record<string, string>) =>
  Object.entries(phases).reduce(
    (rows, [accountId, phase]) => rows.filter({ has: childOrder(page, accountId, phase) }),
    page.locator(`[data-testid^="copy-event-"][data-symbol="${symbol}"]`),
  );

test("a master order is copied to two children at 1× and 0.5×; a paused child is skipped, then synced", async ({
  page,
}, testInfo) => {
  test.setTimeout(180_000); // sign-ins, three linked accounts, two copied orders
  await traderWithAccounts(page, trader, [MASTER, ALPHA, BETA]);
  const fut = await niftyFuture(page);
  const ids = Object.fromEntries((await ownAccounts(page)).map((a) => [a.name, a.id]));
  const [alphaId, betaId] = [ids[ALPHA.name], ids[BETA.name]];

  // The group, made on the Copy page from the navigation.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Copy" }).click();
  await expect(page).toHaveURL(/\/copy$/);
  await page.getByRole("button", { name: "New copy group" }).click();
  const form = page.getByRole("form", { name: "Copy group form" });
  await form.getByLabel("Name").fill(GROUP);
  await form.getByLabel("Master account").selectOption({ label: MASTER.name });
  await form.getByLabel("Child 1 account").selectOption({ label: ALPHA.name });
  await form.getByLabel("Child 1 multiplier").fill("1");
  // A bad multiplier is named at its field by the API, and the form keeps what was typed.
  await form.getByRole("button", { name: "Add child" }).click();
  await form.getByLabel("Child 2 account").selectOption({ label: BETA.name });
  await form.getByLabel("Child 2 multiplier").fill("-1");
  await form.getByRole("button", { name: "Create copy group" }).click();
  await expect(form.getByTestId("child-row-2").getByText("Enter a number such as 0.5, 1 or 3")).toBeVisible();
  await form.getByLabel("Child 2 multiplier").fill("0.5");
  await form.getByRole("button", { name: "Create copy group" }).click();
  await expect(page).toHaveURL(/\/copy\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: GROUP })).toBeVisible();
  await expect(page.getByTestId("copy-master")).toHaveText(MASTER.name);
  await expect(page.getByTestId(`child-${ALPHA.name}`)).toContainText("× 1");
  await expect(page.getByTestId(`child-${BETA.name}`)).toContainText("× 0.5");

  // Two lots bought in the master's terminal: Alpha gets two lots, Beta one, both filled.
  await masterPlace(page, { symbol: fut.symbol, action: "BUY", quantity: 2 * fut.lotSize });
  const first = eventWith(page, fut.symbol, { [alphaId]: "filled", [betaId]: "filled" });
  await expect(first).toHaveCount(1, { timeout: 45_000 });
  for (const [id, name, lots] of [
    [alphaId, ALPHA.name, 2],
    [betaId, BETA.name, 1],
  ] as const) {
    const order = first.locator(`[data-account-id="${id}"]`);
    await expect(order).toContainText(name);
    await expect(order).toContainText(`BUY ${units(lots * fut.lotSize)}`);
    await expect(order).toContainText(`${units(lots * fut.lotSize)}/${units(lots * fut.lotSize)} @ ₹`);
  }
  await expect(first).toContainText(`0 → +${units(2 * fut.lotSize)}`);
  const drift = page.getByTestId(`drift-${fut.symbol}`);
  await expect(drift.getByTestId(`drift-child-${ALPHA.name}`)).toHaveAttribute("data-state", "ok", { timeout: 30_000 });
  await expect(drift.getByTestId(`drift-child-${BETA.name}`)).toHaveAttribute("data-state", "ok", { timeout: 30_000 });
  await expect(drift.getByTestId(`drift-child-${BETA.name}`)).toContainText(`+${units(fut.lotSize)}`);
  await shoot(page, "copy-group", testInfo);

  // Beta paused with a reason: the next master order copies to Alpha and shows Beta skipped.
  const beta = page.getByTestId(`child-${BETA.name}`);
  await beta.getByRole("button", { name: `Pause ${BETA.name}` }).click();
  await beta.getByLabel(`Reason to pause ${BETA.name}`).fill("margin review");
  await beta.getByRole("button", { name: `Confirm pause ${BETA.name}` }).click();
  await expect(beta.getByTestId("child-state")).toContainText("paused");
  await expect(beta.getByTestId("child-state")).toContainText("margin review");

  await masterPlace(page, { symbol: fut.symbol, action: "BUY", quantity: 2 * fut.lotSize });
  const second = eventWith(page, fut.symbol, { [alphaId]: "filled", [betaId]: "skipped" });
  await expect(second).toHaveCount(1, { timeout: 45_000 });
  await expect(second).toContainText(`+${units(2 * fut.lotSize)} → +${units(4 * fut.lotSize)}`);
  await expect(second.locator(`[data-account-id="${betaId}"]`)).toContainText("paused");
  await shoot(page, "copy-group-paused", testInfo);

  // Beta missed a lot while paused: the drift board says so; resumed, "Sync now" brings it to its share.
  const betaDrift = drift.getByTestId(`drift-child-${BETA.name}`);
  await expect(betaDrift).toHaveAttribute("data-state", "drift", { timeout: 30_000 });
  await expect(betaDrift).toContainText(`+${units(2 * fut.lotSize)}`);
  await beta.getByRole("button", { name: `Resume ${BETA.name}` }).click();
  await expect(beta.getByTestId("child-state")).toContainText("active");
  await betaDrift.getByRole("button", { name: `Sync ${BETA.name} in ${fut.symbol}` }).click();
  await expect(betaDrift).toHaveAttribute("data-state", "ok", { timeout: 30_000 });
  await expect(betaDrift.getByRole("button", { name: /Sync/ })).toHaveCount(0);
  await expect(eventWith(page, fut.symbol, { [betaId]: "filled" }).and(page.locator('[data-kind="SYNC"]'))).toHaveCount(
    1,
    { timeout: 30_000 },
  );

  // A master order that fills in part first: its first FILL reads as part of the order ("65 of 260").
  await setInstanceFaults(page, MASTER.instance, { partialFillRate: 1, partialFillMs: 0, holdPartialFills: true });
  await masterPlace(page, { symbol: fut.symbol, action: "BUY", quantity: 4 * fut.lotSize });
  const partOf = page
    .locator(`[data-testid^="copy-event-"][data-kind="FILL"]`)
    .filter({ hasText: new RegExp(`BUY [\\d,]+ of ${units(4 * fut.lotSize)} ${fut.symbol}`) });
  await expect(partOf).toHaveCount(1, { timeout: 45_000 });
  await setInstanceFaults(page, MASTER.instance, { holdPartialFills: false });
  await expect(page.locator(`[data-testid^="copy-event-"][data-kind="FILL"]`).filter({ hasText: " of " })).toHaveCount(
    2,
    { timeout: 45_000 },
  );
  await setInstanceFaults(page, MASTER.instance, { partialFillRate: 0 });
  await shoot(page, "copy-group-partial", testInfo);

  // The group's settings: half a window is refused at its field; both ends are saved and shown.
  await page.getByRole("button", { name: "Edit settings" }).click();
  const settings = page.getByRole("form", { name: "Copy group settings" });
  await settings.getByLabel("Opening window start (IST)").fill("09:20");
  await settings.getByRole("button", { name: "Save settings" }).click();
  await expect(settings.getByText("Set both ends of the window, or neither")).toBeVisible();
  await settings.getByLabel("Opening window end (IST)").fill("15:00");
  await settings.getByRole("button", { name: "Save settings" }).click();
  await expect(settings).toBeHidden();
  await expect(page.getByText("opens 09:20–15:00 IST")).toBeVisible();

  // The group paused with a reason.
  await page.getByRole("button", { name: "Pause group" }).click();
  await page.getByLabel("Reason to pause group").fill("expiry day");
  await page.getByRole("button", { name: "Confirm pause group" }).click();
  await expect(page.getByTestId("group-state")).toContainText("paused");
  await expect(page.getByTestId("group-state")).toContainText("expiry day");

  // The list shows the group, its children and the last event.
  await page.goto("/copy");
  const row = page.getByTestId(`copy-group-${GROUP}`);
  await expect(row).toContainText(MASTER.name);
  await expect(row).toContainText("expiry day");
  await expect(row).toContainText(fut.symbol);
  await shoot(page, "copy-groups", testInfo);
});
