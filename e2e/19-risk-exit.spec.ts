import { expect, test } from "@playwright/test";
import { holdPrices, jumpPrice, ownAccounts, traderWithAccounts } from "./steps";
import { executeStrategy, newFuturesStrategy, riskCard, shootBoth } from "./risk-steps";

// The risk engine's journey (docs/risk.md): a trader sets a max loss on a strategy and runs it in two accounts; the
// Risk page shows the run armed. The simulator pushes NIFTY down through the level (control API jump) and the page
// shows the rule fired, one risk event with the threshold, the observed P&L and the prices used with their times, and
// the one exit it started, which leaves both accounts flat. A daily loss limit set afterwards on one account, far
// inside its loss of the day, blocks it for the day: its page says so and planning skips it. Prices are held from
// the entry to the jump, so only the jump can breach. Self-contained: its own trader and simulator instances.
test.describe.configure({ mode: "serial" });

const STAMP = Date.now().toString(36);
const trader = { name: "Manav Maxloss", email: `manav-${STAMP}@example.in`, password: "exit-pass-2026" };
const ONE = { instance: `rx-${STAMP}-1`, name: "Exit One", capital: "5000000" };
const TWO = { instance: `rx-${STAMP}-2`, name: "Exit Two", capital: "5000000" };
const STRATEGY = `Max loss drill ${STAMP}`;
/** ₹2,000 on two NIFTY lots (one per account) is about 15 points; the 3 % jump is some 780. */
const MAX_LOSS = "2000";
const JUMP_PERCENT = -3;

interface ExitsJson {
  exits: { id: string; reason: string; status: string }[];
}
interface RunRiskJson {
  firedRule: string | null;
  exitId: string | null;
  events: { action: string; rule: string; exitId: string | null }[];
}

test("set a max loss, push the price through it, watch the one exit and its event; a daily loss limit then blocks", async ({
  page,
}, testInfo) => {
  test.setTimeout(240_000); // sign-ins, a filled entry, the engine's exit filled
  await traderWithAccounts(page, trader, [ONE, TWO]);
  await newFuturesStrategy(page, STRATEGY, [ONE.name, TWO.name]);
  await page.getByLabel("Max loss ₹ (whole run)").fill(MAX_LOSS);
  await page.getByRole("button", { name: "Create strategy" }).click();
  await expect(page).toHaveURL(/\/strategies\/[0-9a-f-]{36}$/);
  const strategyId = new URL(page.url()).pathname.split("/").pop()!;
  await expect(page.getByTestId("rules-in-force")).toContainText("Max loss: ₹2,000.00 loss");

  let jumpedTo: number | null = null;
  await holdPrices(page, true);
  try {
    const runId = await executeStrategy(page, 2);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Risk" }).click();
    const card = riskCard(page, runId);
    const maxLoss = card.locator('[data-testid="risk-rule-row"][data-rule="MAX_LOSS"]');
    await expect(maxLoss).toHaveAttribute("data-state", "armed", { timeout: 30_000 });
    await expect(maxLoss).toContainText("to go");
    await expect(card).toHaveAttribute("data-fired", "");

    jumpedTo = await jumpPrice(page, { underlying: "NIFTY" }, { percent: JUMP_PERCENT });
    await expect(card).toHaveAttribute("data-fired", "MAX_LOSS", { timeout: 30_000 });
    await expect(maxLoss).toHaveAttribute("data-state", "fired");
    await expect(card.getByText("Max loss fired", { exact: true })).toBeVisible();

    // One risk event for the trigger, with the level, the P&L seen and the future's price at its time.
    const fired = card.locator('[data-testid="risk-event"][data-action="EXIT"]');
    await expect(fired).toHaveCount(1, { timeout: 15_000 });
    await expect(fired).toHaveAttribute("data-rule", "MAX_LOSS");
    await expect(fired).toContainText("-₹2,000.00");
    await expect(fired).toContainText(/NIFTY\w*FUT ₹[\d,]+\.\d{2} @ \d{2}:\d{2}:\d{2} IST/);

    // The exit it started is on the same page and ends with the account flat.
    const link = card.getByTestId("risk-exit-link");
    const exitId = (await link.getAttribute("href"))!.replace("#exit-", "");
    const exitRow = page.locator(`[id="exit-${exitId}"]`);
    await expect(exitRow).toBeAttached(); // the Exits table reads every 2 s
    await link.click();
    await expect(exitRow).toBeInViewport();
    await expect(exitRow).toContainText("Risk rule");
    await expect(exitRow).toHaveAttribute("data-status", "DONE", { timeout: 45_000 });
    await shootBoth(page, "risk-fired", testInfo);

    // Exactly once: one exit for the trader, one EXIT event, the run's record naming that exit.
    const { exits } = (await (await page.request.get("/api/exits")).json()) as ExitsJson;
    expect(exits.map((e) => `${e.reason}:${e.id}`)).toEqual([`risk:${exitId}`]);
    const risk = (await (await page.request.get(`/api/runs/${runId}/risk`)).json()) as RunRiskJson;
    expect(risk).toMatchObject({ firedRule: "MAX_LOSS", exitId });
    expect(risk.events.filter((e) => e.action === "EXIT")).toEqual([
      expect.objectContaining({ rule: "MAX_LOSS", exitId }),
    ]);
    for (const account of await ownAccounts(page))
      await expect
        .poll(async () => {
          const res = await page.request.get(`/api/accounts/${account.id}/books/positions`);
          const { data } = (await res.json()) as { data: { symbol: string; quantity: number }[] };
          return data.filter((p) => p.quantity !== 0).map((p) => p.symbol);
        })
        .toEqual([]);

    // Exit One's loss today is far past a ₹1,000 daily loss limit: once set, the account is blocked for the day, its
    // page says so, and planning skips it (Exit Two, without a limit, is still planned).
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Accounts" }).click();
    await page.getByRole("link", { name: ONE.name }).click();
    const limit = page.getByRole("form", { name: "Daily loss limit" });
    await limit.getByLabel("Daily loss limit ₹").fill("1000");
    await limit.getByRole("button", { name: "Save limit" }).click();
    await expect(limit.getByTestId("daily-loss-limit")).toHaveText("In force: ₹1,000.00");
    await expect(page.getByTestId("day-block")).toContainText("new entries are refused", { timeout: 30_000 });
    await expect(page.getByText("entries blocked today", { exact: true })).toBeVisible();
    await shootBoth(page, "account-blocked", testInfo);
    await page.goto(`/strategies/${strategyId}`);
    await page.getByRole("button", { name: "Preview", exact: true }).click();
    const preview = page.getByTestId("preview");
    await expect(preview.getByTestId(`plan-account-${ONE.name}`)).toHaveAttribute("data-status", "skipped");
    await expect(preview.getByTestId(`plan-account-${ONE.name}`)).toContainText("Entries blocked for today");
    await expect(preview.getByTestId(`plan-account-${TWO.name}`)).toHaveAttribute("data-status", "planned");
  } finally {
    await holdPrices(page, false);
    // Back where it was, for anything that runs after.
    if (jumpedTo !== null) await jumpPrice(page, { underlying: "NIFTY" }, { to: jumpedTo / (1 + JUMP_PERCENT / 100) });
  }
});
