import { expect, test } from "@playwright/test";
import { holdPrices, jumpPrice, ownAccounts, traderWithAccounts } from "./steps";
import { executeStrategy, newFuturesStrategy, riskCard, shootBoth } from "./risk-steps";

// The risk engine's journey (docs/risk.md): a trader sets a max loss on a strategy, runs it, and the Risk page shows
// the run armed; the simulator pushes NIFTY down through the level (control API jump) and the page shows the rule
// fired, one risk event with the threshold, the observed P&L and the prices used with their times, and the one exit
// it started, which leaves the account flat. Prices are held from the entry to the jump, so only the jump can breach.
// Self-contained: its own trader and simulator instance.
test.describe.configure({ mode: "serial" });

const STAMP = Date.now().toString(36);
const trader = { name: "Manav Maxloss", email: `manav-${STAMP}@example.in`, password: "exit-pass-2026" };
const ACCOUNT = { instance: `rx-${STAMP}`, name: "Exit One", capital: "5000000" };
const STRATEGY = `Max loss drill ${STAMP}`;
/** ₹2,000 on one NIFTY lot is about 30 points; the 3 % jump is some 780. */
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

test("set a max loss, push the price through it, watch the one exit and its event", async ({ page }, testInfo) => {
  test.setTimeout(240_000); // sign-ins, a filled entry, the engine's exit filled
  await traderWithAccounts(page, trader, [ACCOUNT]);
  await newFuturesStrategy(page, STRATEGY, ACCOUNT.name);
  await page.getByLabel("Max loss ₹ (whole run)").fill(MAX_LOSS);
  await page.getByRole("button", { name: "Create strategy" }).click();
  await expect(page).toHaveURL(/\/strategies\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("rules-in-force")).toContainText("Max loss: ₹2,000.00 loss");

  let jumpedTo: number | null = null;
  await holdPrices(page, true);
  try {
    const runId = await executeStrategy(page);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Risk" }).click();
    const card = riskCard(page, runId);
    const maxLoss = card.locator('[data-rule="MAX_LOSS"]');
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
    await link.click();
    const exitRow = page.locator(`[id="exit-${exitId}"]`);
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
    const [account] = await ownAccounts(page);
    await expect
      .poll(async () => {
        const res = await page.request.get(`/api/accounts/${account.id}/books/positions`);
        const { data } = (await res.json()) as { data: { symbol: string; quantity: number }[] };
        return data.filter((p) => p.quantity !== 0).map((p) => p.symbol);
      })
      .toEqual([]);
  } finally {
    await holdPrices(page, false);
    // Back where it was, for anything that runs after.
    if (jumpedTo !== null) await jumpPrice(page, { underlying: "NIFTY" }, { to: jumpedTo / (1 + JUMP_PERCENT / 100) });
  }
});
