import { expect, test, type Page } from "@playwright/test";
import { demoApiKey } from "@/lib/simulator/server/demo";
import { admin, SIM, viewer } from "./people";
import { expectChipsIn, holdRestingOrders, pickSymbol, sameOrigin, signInToDashboard, signOut } from "./steps";

// Runs after 01-auth (admin + viewer) and 02-accounts (demo1 linked as "Sim One") in the same fresh database.
test.describe.configure({ mode: "serial" });

const EXTRA = [
  { n: 2, name: "Sim Two" },
  { n: 3, name: "Sim Three" },
  { n: 4, name: "Sim Four" },
  { n: 5, name: "Sim Five" },
];
const ACCOUNTS = ["Sim One", ...EXTRA.map((a) => a.name)];
const STRATEGY = "NIFTY iron condor";
const DONE = ["accepted", "reconciled_accepted", "partially_filled", "filled"];

let strategyUrl = "";

async function setLeg(page: Page, n: number, leg: { action: "BUY" | "SELL"; type: "CE" | "PE"; otm: number }) {
  await page.getByLabel(`Leg ${n} underlying`).selectOption("NIFTY");
  await page.getByLabel(`Leg ${n} expiry`).selectOption("current_week");
  await page.getByLabel(`Leg ${n} action`).selectOption(leg.action);
  await page.getByLabel(`Leg ${n} option type`).selectOption(leg.type);
  await page.getByLabel(`Leg ${n} strike`, { exact: true }).selectOption("OTM");
  await page.getByLabel(`Leg ${n} strikes away`).fill(String(leg.otm));
  await page.getByLabel(`Leg ${n} lots`).fill("1");
  // Protected LIMIT is the builder's default for F&O, with a 2 % band.
  await expect(page.getByLabel(`Leg ${n} order type`)).toHaveValue("PROTECTED_LIMIT");
  await expect(page.getByLabel(`Leg ${n} band percent`)).toHaveValue("2");
  // A cheap option near expiry trades more than 2 % wide (the simulator's spread, like a real one), where a 2 % BUY
  // limit rests below the ask instead of filling. Later tests hold resting orders open and expect every leg of this
  // strategy to fill at placement, whatever the day's premiums: 5 % covers the simulator's widest spread.
  await page.getByLabel(`Leg ${n} band percent`).fill("5");
}

test("build an iron condor, preview it across five accounts, execute, and watch the grid fill in live", async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  await signInToDashboard(page, admin);

  // Four more simulator accounts, linked through the API with the signed-in session.
  for (const a of EXTRA) {
    const res = await page.request.post("/api/accounts", {
      headers: sameOrigin(page),
      data: {
        name: a.name,
        hostUrl: `${SIM.http}/i/demo${a.n}`,
        wsUrl: SIM.ws,
        apiKey: demoApiKey(SIM.adminToken, a.n),
      },
    });
    expect(res.status(), await res.text()).toBe(201);
  }

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Strategies" }).click();
  await expect(page.getByText("No strategies yet")).toBeVisible();
  await page.getByRole("link", { name: "New strategy" }).click();
  await expect(page.getByRole("heading", { name: "New strategy" })).toBeVisible();

  const form = page.getByRole("form", { name: "Strategy form" });
  await form.getByLabel("Name").fill(STRATEGY);
  await form.getByLabel("Product").selectOption("MIS");
  await form.getByLabel("Sizing").selectOption("fixed");
  await form.getByLabel("Market condition").selectOption("auto");
  for (const name of ACCOUNTS) await expect(form.getByText(name, { exact: true })).toBeVisible();
  await form.getByRole("button", { name: "all", exact: true }).click();
  await expect(form.getByTestId("accounts-reached")).toContainText("5 accounts selected");

  // Wings first in the table, then the short strikes; the planner orders phases by side, not by row.
  await setLeg(page, 1, { action: "BUY", type: "CE", otm: 4 });
  for (let n = 2; n <= 4; n++) await form.getByRole("button", { name: "+ Add leg" }).click();
  await setLeg(page, 2, { action: "BUY", type: "PE", otm: 4 });
  await setLeg(page, 3, { action: "SELL", type: "CE", otm: 1 });
  await setLeg(page, 4, { action: "SELL", type: "PE", otm: 1 });
  const builderShot = testInfo.outputPath("strategy-builder.png");
  await page.screenshot({ path: builderShot, fullPage: true });
  await testInfo.attach("strategy-builder", { path: builderShot, contentType: "image/png" });

  await page.getByRole("button", { name: "Create strategy" }).click();
  await expect(page).toHaveURL(/\/strategies\/[0-9a-f-]{36}$/);
  strategyUrl = new URL(page.url()).pathname;
  await expect(page.getByRole("heading", { name: STRATEGY })).toBeVisible();

  // Execute is not offered before a preview.
  const execute = page.getByRole("button", { name: /^Execute/ });
  await expect(execute).toBeDisabled();
  await page.getByRole("button", { name: "Preview", exact: true }).click();
  const preview = page.getByTestId("preview");
  await expect(preview.locator('[data-testid^="plan-account-"][data-status="planned"]')).toHaveCount(5);
  for (const name of ACCOUNTS) await expect(preview.getByTestId(`plan-account-${name}`)).toBeVisible();
  await expect(preview.getByTestId("plan-totals")).toContainText("5 of 5 accounts planned");
  await expect(preview.getByTestId("plan-totals")).toContainText("20 orders");
  await expect(preview.getByTestId("resolved-leg")).toHaveCount(4);
  // Hedge first: every BUY leg is phase 1, every SELL leg phase 2, in every account.
  await expect(preview.locator('[data-testid="plan-phase"][data-action="BUY"]')).toHaveCount(10);
  await expect(preview.locator('[data-testid="plan-phase"][data-action="BUY"][data-phase="1"]')).toHaveCount(10);
  await expect(preview.locator('[data-testid="plan-phase"][data-action="SELL"][data-phase="2"]')).toHaveCount(10);
  // One NIFTY lot (65) per leg: a single slice each.
  await expect(preview.getByTestId("plan-slices").first()).toHaveText("65");
  const previewShot = testInfo.outputPath("strategy-preview.png");
  await page.screenshot({ path: previewShot, fullPage: true });
  await testInfo.attach("strategy-preview", { path: previewShot, contentType: "image/png" });

  await expect(execute).toBeEnabled();
  await expect(execute).toHaveText("Execute · 20 orders");
  await execute.dblclick(); // a double click must still create one run
  await expect(page).toHaveURL(/\/executions\/[0-9a-f-]{36}$/);
  const runId = new URL(page.url()).pathname.split("/").pop()!;
  // Marks this document: if the page reloaded to show progress, the mark would be gone.
  await page.evaluate(() => ((window as unknown as { __runViewMark: number }).__runViewMark = 1));

  await expect(page.getByRole("heading", { name: `Strategy run · ${STRATEGY}` })).toBeVisible();
  for (const name of ACCOUNTS) await expect(page.getByTestId(`grid-row-${name}`)).toBeVisible();
  const chips = page.getByTestId("intent-chip");
  await expect(chips).toHaveCount(20);
  await page.screenshot({ path: testInfo.outputPath("run-view-start.png"), fullPage: true });
  await expect(page.getByTestId("stream-state")).toHaveAttribute("data-state", /live|closed/);
  await expectChipsIn(page, 20, DONE);
  await expect(page.getByTestId("run-placed-text")).toHaveText("20 / 20");
  // Working until the brokers report every order filled (an accepted order is not a finished one).
  await expect(page.getByTestId("run-progress-text")).toHaveText("20 / 20 filled", { timeout: 45_000 });
  await expect(page.getByTestId("run-status")).toContainText(/completed/);
  expect(await page.evaluate(() => (window as unknown as { __runViewMark?: number }).__runViewMark)).toBe(1);
  // Each account shows both latencies once its orders are acknowledged: first send and last acknowledgement, from the
  // trigger, exactly as the run's own timestamps give them.
  type RunTimes = {
    triggeredAt: string;
    accounts: { accountId: string; accountName: string }[];
    intents: { accountId: string; sentAt: string | null; acknowledgedAt: string | null }[];
  };
  const { run: times } = (await (await page.request.get(`/api/runs/${runId}`)).json()) as { run: RunTimes };
  const ms = (n: number) => (n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(2)} s`);
  for (const name of ACCOUNTS) {
    const accountId = times.accounts.find((a) => a.accountName === name)!.accountId;
    const mine = times.intents.filter((i) => i.accountId === accountId);
    const at = (k: "sentAt" | "acknowledgedAt") =>
      mine.flatMap((i) => (i[k] ? [Date.parse(i[k]) - Date.parse(times.triggeredAt)] : []));
    expect(at("acknowledgedAt")).toHaveLength(mine.length);
    const row = page.getByTestId(`grid-row-${name}`);
    await expect(row.getByTestId("latency-first")).toHaveText(ms(Math.min(...at("sentAt"))));
    await expect(row.getByTestId("latency-last")).toHaveText(ms(Math.max(...at("acknowledgedAt"))));
  }

  // Expanding an account shows every slice with its broker order id.
  await page
    .getByTestId("grid-row-Sim Three")
    .getByRole("button", { name: /Sim Three/ })
    .click();
  const details = page.getByTestId("intent-details");
  await expect(details.locator("tbody tr")).toHaveCount(4);
  const runShot = testInfo.outputPath("run-view.png");
  await page.screenshot({ path: runShot, fullPage: true });
  await testInfo.attach("run-view", { path: runShot, contentType: "image/png" });

  // One run (the double click did not create a second), listed with its status on Executions and the strategy.
  const runs = await page.request.get("/api/runs?limit=10");
  const { runs: list } = (await runs.json()) as { runs: { id: string; orders: number }[] };
  expect(list.map((r) => r.id)).toEqual([runId]);
  expect(list[0].orders).toBe(20);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Executions" }).click();
  await expect(page.getByTestId("run-row")).toHaveCount(1);
  await page.screenshot({ path: testInfo.outputPath("executions.png"), fullPage: true });
  await expect(page.getByTestId("run-row")).toContainText(STRATEGY);
  await expect(page.getByTestId("run-row")).toContainText("completed");
  await expect(page.getByTestId("run-row")).toContainText("20");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Strategies" }).click();
  await expect(page.getByTestId(`strategy-row-${STRATEGY}`)).toContainText("completed");
  await expect(page.getByTestId(`strategy-row-${STRATEGY}`)).toContainText("BUY NIFTY CE OTM-4 ×1");
  await page.screenshot({ path: testInfo.outputPath("strategies-list.png"), fullPage: true });
});

test("grade sizing skips an account whose margin buys no lot, and says why", async ({ page }, testInfo) => {
  expect(strategyUrl).not.toBe("");
  await signInToDashboard(page, admin);
  await page.goto(strategyUrl);
  const form = page.getByRole("form", { name: "Strategy form" });
  // Grade C = 36 % of available margin: Sim One's ₹5 lakh gives ₹1.8 lakh, less than one NIFTY pair lot.
  await form.getByLabel("Sizing").selectOption("C");
  await expect(page.getByRole("button", { name: "Preview", exact: true })).toBeDisabled(); // unsaved changes
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(form.getByRole("status")).toHaveText("Saved.");
  await page.getByRole("button", { name: "Preview", exact: true }).click();
  const preview = page.getByTestId("preview");
  await expect(preview.getByTestId("plan-account-Sim One")).toHaveAttribute("data-status", "skipped");
  await expect(preview.getByTestId("plan-account-Sim One")).toContainText("zero lots");
  await expect(preview.getByTestId("plan-account-Sim Five")).toHaveAttribute("data-status", "planned");
  await expect(preview.getByTestId("plan-totals")).toContainText("1 skipped");
  await page.screenshot({ path: testInfo.outputPath("grade-preview.png"), fullPage: true });
  // Back to fixed lots for the adjustment below.
  await form.getByLabel("Sizing").selectOption("fixed");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(form.getByRole("status")).toHaveText("Saved.");
});

test("an admin edits trading settings row by row, with field errors from the API", async ({ page }, testInfo) => {
  await signInToDashboard(page, admin);
  await page.goto("/admin");
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Trading settings" }).click();
  await expect(page.getByRole("heading", { name: "Trading settings" })).toBeVisible();
  // Seeded defaults (NIFTY's freeze quantity from the exchange's December 2025 revision).
  await expect(page.getByLabel("NIFTY lot size", { exact: true })).toHaveValue("65");
  await expect(page.getByLabel("NIFTY freeze quantity", { exact: true })).toHaveValue("1800");
  await expect(page.getByLabel("SENSEX expiry weekday", { exact: true })).toHaveValue("4");
  await expect(page.getByLabel("B percent", { exact: true })).toHaveValue("65");
  await expect(page.getByLabel("NIFTY CE+PE pair · other days", { exact: true })).toHaveValue("320000");

  // A freeze quantity below one lot is refused for that field, and nothing else changes.
  const nifty = page.getByTestId("instrument-row-NIFTY");
  await page.getByLabel("NIFTY freeze quantity", { exact: true }).fill("10");
  await nifty.getByRole("button", { name: "Save" }).click();
  await expect(nifty.getByRole("alert")).toBeVisible();
  await expect(nifty).toContainText("freezeQty must be at least one lot");
  await page.getByLabel("NIFTY freeze quantity", { exact: true }).fill("1800");
  await nifty.getByRole("button", { name: "Save" }).click();
  await expect(nifty.getByRole("status")).toHaveText("saved");
  await expect(nifty).not.toContainText("freezeQty must be at least one lot");

  // A custom cash grade: added, listed, then deleted.
  await page.getByLabel("New grade id").fill("SCALP");
  await page.getByLabel("new label").fill("Scalper (cash)");
  await page.getByLabel("new percent").fill("150");
  await page.getByLabel("new margin source").selectOption("cash");
  const add = page.getByTestId("grade-row-new");
  await add.getByRole("button", { name: "Add" }).click();
  await expect(add).toContainText("at most 100");
  await page.getByLabel("new percent").fill("20");
  await add.getByRole("button", { name: "Add" }).click();
  await expect(page.getByLabel("SCALP percent", { exact: true })).toHaveValue("20");
  await expect(page.getByLabel("SCALP margin source", { exact: true })).toHaveValue("cash");
  await page.screenshot({ path: testInfo.outputPath("trading-settings.png"), fullPage: true });
  page.once("dialog", (d) => d.accept());
  await page.getByTestId("grade-row-SCALP").getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId("grade-row-SCALP")).toHaveCount(0);
});

test("a manual ticket goes to two accounts through the same pipeline", async ({ page }, testInfo) => {
  await signInToDashboard(page, admin);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Trade", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Trade", exact: true })).toBeVisible();
  await page.getByRole("checkbox", { name: /Sim One/ }).check();
  await page.getByRole("checkbox", { name: /Sim Two/ }).check();
  await expect(page.getByTestId("accounts-reached")).toContainText("2 accounts selected");
  await pickSymbol(page, "NSE", "SBIN", /^SBIN NSE/);
  await expect(page.getByTestId("ticket-symbol")).toContainText("SBIN");
  await page.getByRole("group", { name: "Side" }).getByRole("button", { name: "BUY" }).click();
  await page.getByLabel("Lots").fill("3");
  await expect(page.getByLabel("Product")).toHaveValue("MIS");
  await expect(page.getByLabel("Price type")).toHaveValue("PROTECTED_LIMIT");

  await page.getByRole("button", { name: "Preview", exact: true }).click();
  const preview = page.getByTestId("preview");
  await expect(preview.locator('[data-testid^="plan-account-"][data-status="planned"]')).toHaveCount(2);
  await expect(preview.getByTestId("plan-totals")).toContainText("2 of 2 accounts planned");
  await expect(preview.getByTestId("plan-slices").first()).toHaveText("3");
  await page.screenshot({ path: testInfo.outputPath("ticket-preview.png"), fullPage: true });
  await page.getByRole("button", { name: /^Send/ }).click();
  await expect(page).toHaveURL(/\/executions\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: /Manual ticket · BUY SBIN/ })).toBeVisible();
  await expectChipsIn(page, 2, DONE);
  await page.screenshot({ path: testInfo.outputPath("ticket-run.png"), fullPage: true });
});

test("a Send whose answer is lost opens the run it created instead of sending again", async ({ page }) => {
  await signInToDashboard(page, admin);
  const runIds = async () =>
    ((await (await page.request.get("/api/runs?limit=500")).json()).runs as { id: string }[]).map((r) => r.id);
  const before = await runIds();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Trade", exact: true }).click();
  await page.getByRole("checkbox", { name: /Sim One/ }).check();
  await pickSymbol(page, "NSE", "SBIN", /^SBIN NSE/);
  await page.getByLabel("Lots").fill("2");
  await page.getByRole("button", { name: "Preview", exact: true }).click();
  await expect(page.getByTestId("preview").getByTestId("plan-totals")).toContainText("1 of 1 account planned");
  // The request reaches the server (which creates the run), but the browser never sees the answer.
  const sent: string[] = [];
  await page.route("**/api/ticket/execute", async (route) => {
    sent.push(JSON.parse(route.request().postData() ?? "{}").idempotencyKey);
    if (sent.length === 1) {
      await route.fetch();
      return route.abort("connectionreset");
    }
    return route.continue();
  });
  await page.getByRole("button", { name: /^Send/ }).click();
  await expect(page).toHaveURL(/\/executions\/[0-9a-f-]{36}$/);
  const runId = page.url().split("/").pop()!;
  const after = await runIds();
  expect(after.filter((id) => !before.includes(id))).toEqual([runId]);
  expect(sent).toHaveLength(1);
  await expect(page.getByRole("heading", { name: /Manual ticket · BUY SBIN/ })).toBeVisible();
  await expectChipsIn(page, 1, DONE);
});

test("a Send retried after a lost answer (the run not found either) reuses the preview's key: one run", async ({
  page,
}) => {
  await signInToDashboard(page, admin);
  const runIds = async () =>
    ((await (await page.request.get("/api/runs?limit=500")).json()).runs as { id: string }[]).map((r) => r.id);
  const before = await runIds();
  await page.goto("/trade");
  await page.getByRole("checkbox", { name: /Sim One/ }).check();
  await pickSymbol(page, "NSE", "SBIN", /^SBIN NSE/);
  await page.getByLabel("Lots").fill("1");
  await page.getByRole("button", { name: "Preview", exact: true }).click();
  await expect(page.getByTestId("preview").getByTestId("plan-totals")).toContainText("1 of 1 account planned");
  // The first Send reaches the server (which creates the run) but its answer is lost, and so is the lookup of the
  // run by key: the page cannot tell that the run exists, and the trader clicks Send again.
  const sent: string[] = [];
  await page.route("**/api/ticket/execute", async (route) => {
    sent.push(JSON.parse(route.request().postData() ?? "{}").idempotencyKey);
    if (sent.length === 1) {
      await route.fetch();
      return route.abort("connectionreset");
    }
    return route.continue();
  });
  await page.route(
    (url) => url.pathname === "/api/runs" && url.searchParams.has("idempotencyKey"),
    (route) => route.abort("connectionreset"),
  );
  const send = page.getByRole("button", { name: /^Send/ });
  await send.click();
  await expect.poll(() => sent.length).toBe(1);
  await expect(page.getByTestId("preview").getByRole("alert").first()).toBeVisible();
  await expect(send).toBeEnabled();
  await send.click();
  await expect(page).toHaveURL(/\/executions\/[0-9a-f-]{36}$/);
  // The same key both times, so the server answered the second Send with the run the first one created.
  expect(sent).toHaveLength(2);
  expect(sent[1]).toBe(sent[0]);
  const runId = page.url().split("/").pop()!;
  expect((await runIds()).filter((id) => !before.includes(id))).toEqual([runId]);
});

test("an order the broker rejects turns its chips red with the broker's reason, slice by slice", async ({
  page,
}, testInfo) => {
  await signInToDashboard(page, admin);
  await page.goto("/trade");
  await page.getByRole("checkbox", { name: /Sim One/ }).check();
  await pickSymbol(page, "NFO", "FUT", /^NIFTY\d{2}[A-Z]{3}\d{2}FUT NFO/);
  await expect(page.getByLabel("Product")).toHaveValue("NRML");
  await page.getByRole("group", { name: "Side" }).getByRole("button", { name: "SELL" }).click();
  // 100 lots of 65 = 6,500 units: four slices of at most 27 lots (1,755 units) under the 1,800 freeze, far beyond Sim One's ₹5 lakh.
  await page.getByLabel("Lots").fill("100");
  await page.getByRole("button", { name: "Preview", exact: true }).click();
  await expect(page.getByTestId("plan-slices").first()).toHaveText("1,755 × 3 + 1,235");
  await page.getByRole("button", { name: /^Send/ }).click();
  await expect(page).toHaveURL(/\/executions\/[0-9a-f-]{36}$/);
  await expectChipsIn(page, 4, ["rejected", "rejected_late"]);
  const row = page.getByTestId("grid-row-Sim One");
  await expect(row).toContainText(/Margin Exceeds|Insufficient/);
  await expect(page.getByTestId("run-status")).toContainText(/failed|partial/);
  await row.getByRole("button", { name: /Sim One/ }).click();
  await expect(page.getByTestId("intent-details").locator("tbody tr")).toHaveCount(4);
  await page.screenshot({ path: testInfo.outputPath("rejected-run.png"), fullPage: true });
});

test("a lost broker response is reconciled from the order book, never sent twice", async ({ page }, testInfo) => {
  const headers = { Authorization: `Bearer ${SIM.adminToken}` };
  const received = async () =>
    (
      (await (await page.request.get(`${SIM.http}/_sim/instances/demo2/orders`, { headers })).json()) as {
        orders: unknown[];
      }
    ).orders.length;
  const before = await received();
  // demo2 now executes every order but never answers the place-order call.
  expect(
    (
      await page.request.post(`${SIM.http}/_sim/instances/demo2/faults`, { headers, data: { lostResponseRate: 1 } })
    ).ok(),
  ).toBe(true);
  try {
    await signInToDashboard(page, admin);
    await page.goto("/trade");
    await page.getByRole("checkbox", { name: /Sim Two/ }).check();
    await pickSymbol(page, "NSE", "SBIN", /^SBIN NSE/);
    await page.getByLabel("Lots").fill("2");
    await page.getByRole("button", { name: "Preview", exact: true }).click();
    await expect(page.getByTestId("plan-totals")).toContainText("1 of 1 account planned");
    await page.getByRole("button", { name: /^Send/ }).click();
    await expect(page).toHaveURL(/\/executions\/[0-9a-f-]{36}$/);
    await expectChipsIn(page, 1, ["reconciled_accepted", "filled", "partially_filled"], 50_000);
    await expect(page.getByTestId("intent-chip")).toHaveAttribute("title", /order id: \S+/);
    expect(await received()).toBe(before + 1);
    await page.screenshot({ path: testInfo.outputPath("reconciled-run.png"), fullPage: true });
  } finally {
    await page.request.post(`${SIM.http}/_sim/instances/demo2/faults`, { headers, data: { lostResponseRate: 0 } });
  }
});

test("an adjustment leg is added to the live strategy and executed on its own", async ({ page }, testInfo) => {
  test.setTimeout(120_000); // a whole journey (add, preview, execute, cancel): minutes on a loaded 2-core machine
  expect(strategyUrl).not.toBe("");
  await signInToDashboard(page, admin);
  await page.goto(strategyUrl);
  await page.getByRole("button", { name: "Add adjustment legs" }).click();
  // The new leg is numbered after the strategy's four.
  await setLeg(page, 5, { action: "BUY", type: "CE", otm: 8 });
  // A limit far below the market, held open by the simulator, so the run's cancel below has work to do.
  await page.getByLabel("Leg 5 order type").selectOption("LIMIT");
  await page.getByLabel("Leg 5 limit price").fill("0.05");
  await page.getByRole("button", { name: "Add to strategy" }).click();
  const adjustment = page.getByTestId("adjustment");
  await expect(adjustment.getByRole("status")).toContainText("Added leg 5");
  await expect(page.getByTestId("leg-row-5")).toBeVisible(); // the builder shows the adjusted strategy
  await adjustment.getByRole("button", { name: "Preview", exact: true }).click();
  await expect(adjustment.getByTestId("resolved-leg")).toHaveCount(1);
  await expect(adjustment.getByTestId("plan-totals")).toContainText("5 of 5 accounts planned");
  await expect(adjustment.getByTestId("plan-totals")).toContainText("5 orders");
  // The simulator holds the orders open (not the market): on a busy machine a far limit could still fill first.
  await holdRestingOrders(page, 5, true);
  try {
    await adjustment.getByRole("button", { name: /^Execute adjustment/ }).click();
    await expect(page).toHaveURL(/\/executions\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("heading", { name: `Adjustment · ${STRATEGY}` })).toBeVisible();
    await expectChipsIn(page, 5, ["accepted"]);
    await page.screenshot({ path: testInfo.outputPath("adjustment-run.png"), fullPage: true });

    // Cancel the run's open orders from the run view: every chip that was working turns cancelled, live.
    page.once("dialog", (d) => d.accept());
    await page.getByRole("button", { name: /^Cancel open orders/ }).click();
    await expect(page.locator("main").getByRole("status")).toHaveText("Cancelled 5 orders.");
    await expectChipsIn(page, 5, ["cancelled"]);
    await page.screenshot({ path: testInfo.outputPath("cancelled-run.png"), fullPage: true });
    await expect(page.getByRole("button", { name: /^Cancel open orders/ })).toBeDisabled();
  } finally {
    await holdRestingOrders(page, 5, false);
  }
});

test("a viewer cannot create or execute strategies", async ({ page }) => {
  expect(strategyUrl).not.toBe("");
  await signInToDashboard(page, viewer);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Strategies" }).click();
  await expect(page.getByRole("heading", { name: "Strategies", exact: true })).toBeVisible();
  await expect(page.getByText("No strategies yet")).toBeVisible(); // the admin's strategy is not in a viewer's scope
  await expect(page.getByRole("link", { name: "New strategy" })).toHaveCount(0);
  await page.goto(strategyUrl);
  await expect(page.getByRole("button", { name: /^Execute/ })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Save|Create strategy/ })).toHaveCount(0);
  const id = strategyUrl.split("/").pop();
  const res = await page.request.post(`/api/strategies/${id}/execute`, {
    headers: sameOrigin(page),
    data: { idempotencyKey: "viewer-attempt-0001" },
  });
  expect(res.status()).toBe(403);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe("FORBIDDEN");
  await signOut(page);
});
