import { expect, test, type Browser, type Page, type TestInfo } from "@playwright/test";
import { admin } from "./people";
import { sameOrigin, signInToDashboard, traderWithAccounts } from "./steps";
import { executeStrategy, istClockMinus, newFuturesStrategy, riskCard, shootBoth } from "./risk-steps";

// Risk settings end to end (docs/risk.md): a trader sets a strategy's risk rules in its form (saved and read back
// through the API), runs it, and finds the run armed on the Risk page with every rule; a rule changed on the live run
// is refused field by field and then saved, the rules are paused and resumed — each change a risk event with the
// trader's name and an audit entry; a viewer attached to the trader sees it all read-only; an account's daily loss
// limit is saved and cleared. Levels are far from the market so nothing fires here (19-risk-exit drives a breach).
// Self-contained: its own trader, viewer and simulator instance.
test.describe.configure({ mode: "serial" });

const STAMP = Date.now().toString(36);
const trader = { name: "Rhea Risk", email: `rhea-${STAMP}@example.in`, password: "risk-pass-2026" };
const viewer = { name: "Vera Watcher", email: `vera-${STAMP}@example.in`, password: "watch-pass-2026" };
const ACCOUNT = { instance: `rk-${STAMP}`, name: "Risk One", capital: "5000000" };
const STRATEGY = `Risk futures ${STAMP}`;
/** Past today, so due only tomorrow: the time exit is shown armed but cannot fire during the test. */
const TIME_EXIT = istClockMinus(2);
const MONEY = /^-?₹[\d,]+\.\d{2}$/;

/** A person signed in in a browser of their own (the test's page stays the trader's). */
async function signedInElsewhere(browser: Browser, testInfo: TestInfo, who: { email: string; password: string }) {
  const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
  const page = await context.newPage();
  await signInToDashboard(page, who);
  return { page, close: () => context.close() };
}

/** How many audit entries by the trader name the run, as an admin reads the audit log. */
async function auditEntries(adminPage: Page, runId: string): Promise<number> {
  const res = await adminPage.request.get("/api/audit?limit=500");
  expect(res.ok(), await res.text()).toBe(true);
  const { entries } = (await res.json()) as { entries: { actor: string | null }[] };
  return entries.filter((e) => e.actor === trader.email && JSON.stringify(e).includes(runId)).length;
}

test("risk settings round-trip; the run is armed on the Risk page; live change, pause and resume audited; viewers read", async ({
  page,
  browser,
}, testInfo) => {
  test.setTimeout(240_000); // sign-ins, a strategy saved twice, a run filled, three live changes
  await traderWithAccounts(page, trader, [ACCOUNT]);

  // The strategy form's Risk section; a bad target is named at its field before anything is saved.
  const form = await newFuturesStrategy(page, STRATEGY, [ACCOUNT.name]);
  await form.getByLabel("Leg 1 stop-loss kind").selectOption("percent");
  await form.getByLabel("Leg 1 stop-loss value").fill("50");
  await form.getByLabel("Max loss ₹ (whole run)").fill("50000");
  await form.getByLabel("Target ₹ (whole run)").fill("-1");
  await form.getByLabel("Trailing stop kind").selectOption("amount");
  await form.getByLabel("Trailing stop value").fill("20000");
  await form.getByLabel("Trail from ₹ P&L (optional)").fill("10000");
  await form.getByLabel("Time exit (IST)").fill(TIME_EXIT);
  await form.getByRole("checkbox", { name: /Supertrend exit/ }).check();
  await form.getByLabel("Candles", { exact: true }).selectOption("15");
  await form.getByRole("radio", { name: /SL orders at the broker/ }).check();
  await form.getByRole("checkbox", { name: /passed today's readiness check/ }).check();
  await page.getByRole("button", { name: "Create strategy" }).click();
  await expect(form.getByText("target must be greater than zero", { exact: true })).toBeVisible();
  await expect(page).toHaveURL(/\/strategies\/new$/);
  await form.getByLabel("Target ₹ (whole run)").fill("100000");
  await page.getByRole("button", { name: "Create strategy" }).click();
  await expect(page).toHaveURL(/\/strategies\/[0-9a-f-]{36}$/);
  const strategyId = new URL(page.url()).pathname.split("/").pop()!;

  // Saved as typed (read back through the API), and shown as the rules in force.
  const saved = await page.request.get(`/api/strategies/${strategyId}`);
  expect(saved.ok(), await saved.text()).toBe(true);
  const { strategy } = (await saved.json()) as { strategy: { definition: Record<string, unknown> } };
  expect(strategy.definition.requireReadyAccounts).toBe(true);
  expect(strategy.definition.risk).toMatchObject({
    maxLoss: "50000",
    target: "100000",
    trailing: { distance: { kind: "amount", value: "20000" }, activateAt: "10000" },
    legs: [{ legIndex: 0, stopLoss: { kind: "percent", value: "50" } }],
    legStopMode: "BROKER",
    supertrend: { timeframeMinutes: 15, period: 10, multiplier: "3" },
    timeExit: TIME_EXIT,
  });
  const inForce = page.getByTestId("rules-in-force");
  for (const line of [
    "Max loss: ₹50,000.00 loss",
    "Target: ₹1,00,000.00 profit",
    "Trailing stop: ₹20,000.00 below the peak, trails from +₹10,000.00",
    "Leg 1 stop-loss: 50 % of entry",
    "Supertrend: 15 min candles, period 10, × 3",
    `Time exit: at ${TIME_EXIT} IST`,
    "Leg stops: SL orders at the broker",
    "Sent only to accounts that passed today's readiness check",
  ])
    await expect(inForce).toContainText(line);
  await shootBoth(page, "strategy-risk", testInfo);

  // A reload edits what was saved; leg stops go back to being watched, and every account may be sent to.
  await page.reload();
  const edit = page.getByRole("form", { name: "Strategy form" });
  await expect(edit.getByLabel("Max loss ₹ (whole run)")).toHaveValue("50000");
  await expect(edit.getByLabel("Leg 1 stop-loss kind")).toHaveValue("percent");
  await expect(edit.getByLabel("Time exit (IST)")).toHaveValue(TIME_EXIT);
  await expect(edit.getByRole("radio", { name: /SL orders at the broker/ })).toBeChecked();
  await edit.getByRole("radio", { name: /Watched by MirrorDesk/ }).check();
  await edit.getByRole("checkbox", { name: /passed today's readiness check/ }).uncheck();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect(inForce).toContainText("Leg stops: Watched by MirrorDesk");
  await expect(inForce).toContainText("Sent to every chosen account");

  // The run is armed with the strategy's rules and evaluated on live prices.
  const runId = await executeStrategy(page, 1);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Risk" }).click();
  const card = riskCard(page, runId);
  await expect(card).toBeVisible({ timeout: 30_000 });
  await expect(card.getByRole("link", { name: STRATEGY })).toBeVisible();
  const rows = card.getByTestId("risk-rule-row");
  await expect
    .poll(() => rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-rule"))))
    .toEqual(["MAX_LOSS", "TARGET", "TRAILING_STOP", "LEG_STOP_LOSS:0", "SUPERTREND", "TIME_EXIT"]);
  const maxLoss = card.locator('[data-testid="risk-rule-row"][data-rule="MAX_LOSS"]');
  await expect(maxLoss).toHaveAttribute("data-state", "armed", { timeout: 30_000 });
  await expect(maxLoss).toContainText("-₹50,000.00");
  await expect(maxLoss).toContainText("to go");
  await expect(card.getByTestId("risk-run-pnl")).toHaveText(MONEY);
  const boss = await signedInElsewhere(browser, testInfo, admin);
  const audit = () => auditEntries(boss.page, runId);
  let audited = await audit();
  /** Waits for at least one more audit entry of the run than last seen. */
  const auditedOnceMore = async () => {
    await expect.poll(audit).toBeGreaterThan(audited);
    audited = await audit();
  };

  // A change on the live run: the server's refusal is shown at its field, then a good value is saved.
  await card.getByRole("button", { name: "Change rules" }).click();
  const editor = card.getByRole("form", { name: "Change rules" });
  await expect(editor.getByTestId("leg-stop-mode")).toContainText("Watched by MirrorDesk");
  await editor.getByLabel("Max loss ₹ (whole run)").fill("-5");
  await editor.getByRole("button", { name: "Save rules" }).click();
  await expect(editor.getByText("maxLoss must be greater than zero", { exact: true })).toBeVisible();
  await editor.getByLabel("Max loss ₹ (whole run)").fill("60000");
  await editor.getByRole("button", { name: "Save rules" }).click();
  await expect(editor).toHaveCount(0);
  await expect(maxLoss).toContainText("₹60,000.00 loss");
  await expect(card.locator('[data-testid="risk-event"][data-action="CHANGED"]').first()).toContainText(trader.name);
  await auditedOnceMore();

  // Pause: every rule shows paused at once; resume arms them again. Each is a risk event and an audit entry.
  page.once("dialog", (d) => d.accept());
  await card.getByRole("button", { name: "Pause rules" }).click();
  await expect(card).toHaveAttribute("data-paused", "true");
  await expect(card.getByText("rules paused", { exact: true })).toBeVisible();
  await expect(maxLoss).toHaveAttribute("data-state", "paused");
  await expect(card.locator('[data-testid="risk-event"][data-action="PAUSED"]')).toContainText(trader.name);
  await auditedOnceMore();
  await shootBoth(page, "risk-paused", testInfo);
  page.once("dialog", (d) => d.accept());
  await card.getByRole("button", { name: "Resume rules" }).click();
  await expect(card).toHaveAttribute("data-paused", "false");
  await expect(maxLoss).toHaveAttribute("data-state", "armed", { timeout: 30_000 });
  await expect(card.locator('[data-testid="risk-event"][data-action="RESUMED"]')).toContainText(trader.name);
  await auditedOnceMore();
  await shootBoth(page, "risk-armed", testInfo);

  // A viewer attached to the trader sees the run and its rules, and nothing to change them with.
  const made = await boss.page.request.post("/api/users", {
    headers: sameOrigin(boss.page),
    data: { ...viewer, role: "VIEWER" },
  });
  expect(made.status(), await made.text()).toBe(201);
  const viewerId = ((await made.json()) as { user: { id: string } }).user.id;
  const session = (await (await page.request.get("/api/auth/session")).json()) as { user: { id: string } };
  const attached = await boss.page.request.put(`/api/users/${viewerId}/traders`, {
    headers: sameOrigin(boss.page),
    data: { traderIds: [session.user.id] },
  });
  expect(attached.ok(), await attached.text()).toBe(true);
  await boss.close();
  const watcher = await signedInElsewhere(browser, testInfo, viewer);
  await watcher.page.goto("/risk");
  const seen = riskCard(watcher.page, runId);
  await expect(seen.locator('[data-testid="risk-rule-row"][data-rule="MAX_LOSS"]')).toContainText("₹60,000.00 loss");
  await expect(seen.getByText("read-only", { exact: true })).toBeVisible();
  await expect(seen.getByRole("button", { name: /Change rules|Pause rules|Resume rules/ })).toHaveCount(0);
  await watcher.close();
});

test("an account's daily loss limit is refused when bad, saved, listed and cleared", async ({ page }, testInfo) => {
  await signInToDashboard(page, trader);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Accounts" }).click();
  await page.getByRole("link", { name: ACCOUNT.name }).click();
  const limit = page.getByRole("form", { name: "Daily loss limit" });
  const input = limit.getByLabel("Daily loss limit ₹");
  await input.fill("-10");
  await limit.getByRole("button", { name: "Save limit" }).click();
  await expect(input).toHaveAttribute("aria-invalid", "true");
  await expect(limit.getByTestId("daily-loss-limit")).toHaveText("In force: no limit");

  await input.fill("25000");
  await limit.getByRole("button", { name: "Save limit" }).click();
  await expect(limit.getByTestId("daily-loss-limit")).toHaveText("In force: ₹25,000.00");
  await expect(input).toHaveAttribute("aria-invalid", "false");
  await shootBoth(page, "account-loss-limit", testInfo);
  const { accounts } = (await (await page.request.get("/api/accounts")).json()) as {
    accounts: { name: string; dailyLossLimit: string | null }[];
  };
  expect(accounts.find((a) => a.name === ACCOUNT.name)?.dailyLossLimit).toBe("25000");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Accounts" }).click();
  await expect(page.getByTestId(`account-row-${ACCOUNT.name}`).getByTestId("account-loss-limit")).toHaveText(
    "daily loss limit ₹25,000.00",
  );

  // Blank is no limit.
  await page.getByRole("link", { name: ACCOUNT.name }).click();
  await expect(input).toHaveValue("25000");
  await input.fill("");
  await limit.getByRole("button", { name: "Save limit" }).click();
  await expect(limit.getByTestId("daily-loss-limit")).toHaveText("In force: no limit");
});
