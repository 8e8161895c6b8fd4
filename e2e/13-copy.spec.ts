import { expect, test, type Page } from "@playwright/test";
import { SIM } from "./people";
import { traderWithAccounts } from "./steps";

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

/** An order typed into the master's own terminal: OpenAlgo placeorder on its simulator instance, tag "Terminal". */
async function masterPlace(page: Page, o: { symbol: string; action: "BUY" | "SELL"; quantity: number }) {
  const res = await page.request.post(`${SIM.http}/i/${MASTER.instance}/api/v1/placeorder`, {
    data: {
      apikey: `${MASTER.instance}-key-0123456789abcdef`,
      strategy: "Terminal",
      exchange: "NFO",
      product: "NRML",
      pricetype: "MARKET",
      price: 0,
      trigger_price: 0,
      ...o,
    },
  });
  const json = (await res.json()) as { status: string; orderid?: string };
  expect(json.status, JSON.stringify(json)).toBe("success");
  return json.orderid!;
}

/** The nearest NIFTY future and its lot size, as the trader's market data lists it. */
async function niftyFuture(page: Page) {
  const res = await page.request.get("/api/symbols/search?q=NIFTY&exchange=NFO");
  expect(res.ok(), await res.text()).toBe(true);
  const { results } = (await res.json()) as {
    results: { symbol: string; instrumentType: string; expiry: string | null; lotSize: number }[];
  };
  const fut = results
    .filter((r) => r.instrumentType === "FUT" && /^NIFTY\d/.test(r.symbol))
    .sort((a, b) => (a.expiry ?? "").localeCompare(b.expiry ?? ""))[0];
  expect(fut, JSON.stringify(results.slice(0, 5))).toBeTruthy();
  return fut;
}

async function shoot(page: Page, name: string, testInfo: { outputPath: (n: string) => string }) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.screenshot({ path: testInfo.outputPath(`${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** The copy log's row of the newest event of `kind` whose children include `account` in `phase`. */
const eventWithChild = (page: Page, symbol: string, account: string, phase: string) =>
  page
    .locator(`[data-testid^="copy-event-"][data-symbol="${symbol}"]`)
    .filter({ has: page.locator(`[data-testid="child-order"][data-account="${account}"][data-phase="${phase}"]`) });

test("a master order is copied to two children at 1× and 0.5×; a paused child is skipped", async ({
  page,
}, testInfo) => {
  test.setTimeout(180_000); // sign-ins, three linked accounts, two copied orders
  await traderWithAccounts(page, trader, [MASTER, ALPHA, BETA]);
  const fut = await niftyFuture(page);

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
  await expect(
    form
      .getByTestId("child-row-2")
      .getByText(/multiplier|greater|positive/i)
      .last(),
  ).toBeVisible();
  await form.getByLabel("Child 2 multiplier").fill("0.5");
  await form.getByRole("button", { name: "Create copy group" }).click();
  await expect(page).toHaveURL(/\/copy\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: GROUP })).toBeVisible();
  await expect(page.getByTestId("copy-master")).toHaveText(MASTER.name);
  await expect(page.getByTestId(`child-${ALPHA.name}`)).toContainText("× 1");
  await expect(page.getByTestId(`child-${BETA.name}`)).toContainText("× 0.5");

  // Two lots bought in the master's terminal: Alpha gets two lots, Beta one, both filled.
  await masterPlace(page, { symbol: fut.symbol, action: "BUY", quantity: 2 * fut.lotSize });
  const first = eventWithChild(page, fut.symbol, ALPHA.name, "filled").filter({
    has: page.locator(`[data-testid="child-order"][data-account="${BETA.name}"][data-phase="filled"]`),
  });
  await expect(first).toHaveCount(1, { timeout: 45_000 });
  await expect(first.locator(`[data-account="${ALPHA.name}"]`)).toContainText(`BUY ${2 * fut.lotSize}`);
  await expect(first.locator(`[data-account="${BETA.name}"]`)).toContainText(`BUY ${fut.lotSize}`);
  await expect(first).toContainText(`0 → +${2 * fut.lotSize}`);
  const drift = page.getByTestId(`drift-${fut.symbol}`);
  await expect(drift.getByTestId(`drift-child-${ALPHA.name}`)).toHaveAttribute("data-state", "ok", { timeout: 30_000 });
  await expect(drift.getByTestId(`drift-child-${BETA.name}`)).toHaveAttribute("data-state", "ok", { timeout: 30_000 });
  await expect(drift.getByTestId(`drift-child-${BETA.name}`)).toContainText(`+${fut.lotSize}`);
  await shoot(page, "copy-group", testInfo);

  // Beta paused with a reason: the next master order copies to Alpha and shows Beta skipped.
  const beta = page.getByTestId(`child-${BETA.name}`);
  await beta.getByRole("button", { name: `Pause ${BETA.name}` }).click();
  await beta.getByLabel(`Reason to pause ${BETA.name}`).fill("margin review");
  await beta.getByRole("button", { name: `Confirm pause ${BETA.name}` }).click();
  await expect(beta.getByTestId("child-state")).toContainText("paused");
  await expect(beta.getByTestId("child-state")).toContainText("margin review");

  await masterPlace(page, { symbol: fut.symbol, action: "BUY", quantity: 2 * fut.lotSize });
  const second = eventWithChild(page, fut.symbol, BETA.name, "skipped").filter({
    has: page.locator(`[data-testid="child-order"][data-account="${ALPHA.name}"][data-phase="filled"]`),
  });
  await expect(second).toHaveCount(1, { timeout: 45_000 });
  await expect(second).toContainText(`+${2 * fut.lotSize} → +${4 * fut.lotSize}`);
  await shoot(page, "copy-group-paused", testInfo);

  // The list shows the group, its children and the last event.
  await page.goto("/copy");
  const row = page.getByTestId(`copy-group-${GROUP}`);
  await expect(row).toContainText(MASTER.name);
  await expect(row).toContainText(fut.symbol);
  await shoot(page, "copy-groups", testInfo);
});
