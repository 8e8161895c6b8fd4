import { expect, test, type Page } from "@playwright/test";
import { expectChipsIn, fillOptionLeg, markDocument, sameDocument, sameOrigin, traderWithAccounts } from "./steps";

// Outside signals end to end (docs/webhooks.md): a trader creates a strategy's webhook on its page, copies the URL and
// the ready-made MirrorDesk message, and posts alerts from here exactly as TradingView would; the page shows each
// verdict, the run it created filling, the exit, the dry run and a rotated URL. Self-contained: its own trader,
// simulator instances and strategy, named by this run's stamp, so it runs alone or after the other specs.
test.describe.configure({ mode: "serial" });

const STAMP = Date.now().toString(36);
const trader = { name: "Tina Signals", email: `tina-${STAMP}@example.in`, password: "signals-pass-2026" };
const ACCOUNTS = [
  { instance: `tv-${STAMP}-a`, name: "TV Alpha", capital: "2500000" },
  { instance: `tv-${STAMP}-b`, name: "TV Beta", capital: "1800000" },
];
const STRATEGY = `TV breakout ${STAMP}`;

let strategyPath = "";

/** Posts an alert as TradingView does: one POST, the message as the body, no cookies, no Origin. */
async function postAlert(url: string, body: string, contentType: string) {
  const res = await fetch(url, { method: "POST", headers: { "content-type": contentType }, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { signalId?: string } };
}

/** The MirrorDesk JSON message as TradingView would fill it now: `{{timenow}}` is the time, the order id is ours. */
function filled(template: string, orderId: string, now = new Date()) {
  return template.replaceAll("{{timenow}}", now.toISOString()).replaceAll("{{strategy.order.id}}", orderId);
}

const alertRow = (page: Page, signalId: string) => page.getByTestId(`alert-${signalId}`);

async function shoot(page: Page, name: string, testInfo: { outputPath: (n: string) => string }) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.screenshot({ path: testInfo.outputPath(`${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

test("a TradingView alert trades the strategy live; the exit, a repeat, a dry run and a rotated URL behave", async ({
  page,
}, testInfo) => {
  test.setTimeout(180_000); // a whole journey through two sign-ins, a fill, an exit and a rotation
  await traderWithAccounts(page, trader, ACCOUNTS);

  // The strategy, over the trader's two accounts.
  await page.goto("/strategies/new");
  const form = page.getByRole("form", { name: "Strategy form" });
  await form.getByLabel("Name").fill(STRATEGY);
  await form.getByLabel("Product").selectOption("MIS");
  await form.getByLabel("Sizing").selectOption("fixed");
  await form.getByRole("button", { name: "all", exact: true }).click();
  await expect(form.getByTestId("accounts-reached")).toContainText("2 accounts selected");
  await fillOptionLeg(page, 1, { action: "BUY", type: "CE", otm: 2 });
  await page.getByRole("button", { name: "Create strategy" }).click();
  await expect(page).toHaveURL(/\/strategies\/[0-9a-f-]{36}$/);
  strategyPath = new URL(page.url()).pathname;
  await expect(page.getByRole("heading", { name: STRATEGY })).toBeVisible();

  // Create the webhook and copy the URL and the MirrorDesk message from the page.
  const panel = page.getByTestId("webhook-panel");
  await panel.getByRole("button", { name: "Create webhook" }).click();
  const urlBox = panel.getByLabel("Webhook URL", { exact: true });
  await expect(urlBox).toHaveValue(/\/api\/hooks\/whk_[A-Za-z0-9_-]{43}$/);
  const url = await urlBox.inputValue();
  await expect(panel.getByTestId("webhook-position")).toHaveText("FLAT");
  const template = (await panel.getByLabel("MirrorDesk JSON alert message", { exact: true }).textContent())!;
  expect(JSON.parse(template)).toMatchObject({ action: "ENTRY", position: "long", ts: "{{timenow}}" });
  await markDocument(page);

  // Entries wait for live prices (docs/market-data.md "What is refused"): ask the dry run until an entry would go,
  // so a feed still catching up after an earlier spec's stalled prices is waited for, not raced.
  const id = strategyPath.split("/").pop();
  await expect
    .poll(
      async () => {
        const res = await page.request.post(`/api/strategies/${id}/webhook/test`, {
          headers: sameOrigin(page),
          data: { message: "ENTRY", contentType: "text/plain" },
        });
        return ((await res.json()) as { status?: number }).status;
      },
      { timeout: 60_000 },
    )
    .toBe(202);

  // The entry, posted as TradingView posts a JSON message.
  const entryBody = filled(template, `long-${STAMP}`);
  const entry = await postAlert(url, entryBody, "application/json");
  expect(entry.status, JSON.stringify(entry.json)).toBe(202);
  expect(entry.json).toMatchObject({ status: "accepted", action: "ENTRY", from: "FLAT", to: "LONG" });
  const runId = entry.json.runId as string;
  expect(runId).toMatch(/^[0-9a-f-]{36}$/);
  // The same alert delivered twice (well within the maximum lag) is one alert: the second is a duplicate of the first.
  const again = await postAlert(url, entryBody, "application/json");
  expect(again.status, JSON.stringify(again.json)).toBe(200);
  expect(again.json).toMatchObject({ status: "duplicate", originalSignalId: entry.json.signalId, runId });

  // The alert log shows it accepted with its run, and the signal state moves on: no reload.
  const entryRow = alertRow(page, entry.json.signalId!);
  await expect(entryRow.locator("[data-verdict]")).toHaveAttribute("data-verdict", "ACCEPTED");
  await expect(entryRow).toContainText("202");
  await expect(panel.getByTestId("webhook-position")).toHaveText("LONG · 1 entry");
  const runLink = entryRow.getByRole("link", { name: "run" });
  await expect(runLink).toHaveAttribute("href", `/executions/${runId}`);
  expect(await sameDocument(page)).toBe(true);

  // Open the run: both accounts fill, live.
  await runLink.click();
  await expect(page).toHaveURL(new RegExp(`/executions/${runId}$`));
  for (const a of ACCOUNTS) await expect(page.getByTestId(`grid-row-${a.name}`)).toBeVisible();
  await expectChipsIn(page, 2, ["filled"]);
  await expect(page.getByTestId("run-progress-text")).toHaveText("2 / 2 filled", { timeout: 45_000 });
  expect(await sameDocument(page)).toBe(true); // reached and filled without a page load
  await page.screenshot({ path: testInfo.outputPath("signal-run.png"), fullPage: true });
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`${strategyPath}$`));

  // The exit, as a text/plain post (how TradingView sends a message it did not take for JSON).
  const exitBody = () => JSON.stringify({ action: "EXIT", ts: new Date().toISOString() });
  const exit = await postAlert(url, exitBody(), "text/plain; charset=utf-8");
  expect(exit.status, JSON.stringify(exit.json)).toBe(202);
  expect(exit.json).toMatchObject({ status: "accepted", action: "EXIT", from: "LONG", to: "FLAT", runId: null });
  const exitRow = alertRow(page, exit.json.signalId!);
  await expect(exitRow.locator("[data-verdict]")).toHaveAttribute("data-verdict", "ACCEPTED");
  await expect(exitRow).toContainText("exit done", { timeout: 45_000 });
  await expect(panel.getByTestId("webhook-position")).toHaveText("FLAT");

  // The same exit again: nothing to do.
  const flat = await postAlert(url, exitBody(), "text/plain");
  expect(flat.status, JSON.stringify(flat.json)).toBe(200);
  expect(flat.json).toMatchObject({ status: "ignored", message: "already flat" });
  const flatRow = alertRow(page, flat.json.signalId!);
  await expect(flatRow.locator("[data-verdict]")).toHaveAttribute("data-verdict", "IGNORED");
  await expect(flatRow).toContainText("already flat");

  // "Send test alert": what an entry would do now, per account, with nothing sent.
  const sendTest = page.getByRole("button", { name: "Send test alert" });
  await sendTest.click();
  const result = page.getByTestId("test-alert-result");
  await expect(result.getByRole("status")).toContainText("dry run · HTTP 202 · ENTRY · FLAT → LONG");
  for (const a of ACCOUNTS)
    await expect(result.getByTestId(`plan-account-${a.name}`).first()).toHaveAttribute("data-status", "planned");
  await expect(page.locator('[data-verdict="DRY_RUN"]').first()).toBeVisible();

  // Rotate: the old URL is gone at once (404), the new one answers (a stale alert is refused and logged).
  page.once("dialog", (d) => d.accept());
  await panel.getByRole("button", { name: "Rotate URL" }).click();
  await expect(urlBox).not.toHaveValue(url);
  const rotated = await urlBox.inputValue();
  expect(rotated).toMatch(/\/api\/hooks\/whk_/);
  const old = await postAlert(url, exitBody(), "text/plain");
  expect(old.status).toBe(404);
  expect(old.json.signalId).toBeUndefined();
  const stale = JSON.stringify({ action: "EXIT", ts: new Date(Date.now() - 10 * 60_000).toISOString() });
  const late = await postAlert(rotated, stale, "application/json");
  expect(late.status, JSON.stringify(late.json)).toBe(409);
  await expect(alertRow(page, late.json.signalId!).locator("[data-verdict]")).toHaveAttribute(
    "data-verdict",
    "REJECTED",
  );
  expect(await sameDocument(page)).toBe(true);
  await shoot(page, "strategy-webhook", testInfo);

  // The strategies list shows the newest alert, on a desktop and on a phone.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Strategies" }).click();
  await expect(page.getByTestId(`strategy-last-alert-${STRATEGY}`).locator("[data-verdict]")).toHaveAttribute(
    "data-verdict",
    "REJECTED",
  );
  await page.setViewportSize({ width: 390, height: 844 });
  const folded = page.getByTestId(`strategy-folded-${STRATEGY}`);
  await expect(folded.locator("[data-verdict]")).toBeInViewport();
  await expect(folded).toContainText("completed");
  await shoot(page, "strategies-list", testInfo);
});

test("a READ API key reads the desk, cannot trade, and stops at once when revoked", async ({ page }, testInfo) => {
  expect(strategyPath).not.toBe("");
  await page.goto("/login");
  await page.getByLabel("Email").fill(trader.email);
  await page.getByLabel("Password").fill(trader.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard/);
  await page.goto("/settings");
  const create = page.getByRole("form", { name: "Create an API key" });
  await create.getByLabel("Name").fill("Sheet reader");
  await create.getByLabel("Scope").selectOption("READ");
  await create.getByRole("button", { name: "Create key" }).click();
  const shown = page.getByTestId("new-api-key");
  await expect(shown.getByLabel("API key", { exact: true })).toHaveText(/^mdk_\S+$/);
  const key = (await shown.getByLabel("API key", { exact: true }).textContent())!.trim();
  await shoot(page, "settings-api-keys", testInfo);
  await shown.getByRole("button", { name: "I have stored it" }).click();
  const row = page.getByTestId("api-key-row-Sheet reader");
  await expect(row).toContainText("active");
  await expect(row.getByRole("button", { name: "Revoke" })).toBeInViewport({ ratio: 1 }); // beside the password form

  const base = new URL(page.url()).origin;
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, { ...init, headers: { Authorization: `Bearer ${key}`, ...init.headers } });
  const accounts = await call("/api/v1/accounts");
  expect(accounts.status).toBe(200);
  const { accounts: list } = (await accounts.json()) as { accounts: { name: string }[] };
  expect(list.map((a) => a.name).sort()).toEqual(ACCOUNTS.map((a) => a.name).sort());

  const strategyId = strategyPath.split("/").pop();
  const execute = await call(`/api/v1/strategies/${strategyId}/execute`, {
    method: "POST",
    headers: { "content-type": "application/json", "Idempotency-Key": `read-key-${STAMP}` },
    body: "{}",
  });
  expect(execute.status).toBe(403);
  expect(((await execute.json()) as { error: { message: string } }).error.message).toBe("This API key is read-only");

  page.once("dialog", (d) => d.accept());
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(row).toContainText("revoked");
  expect((await call("/api/v1/accounts")).status).toBe(401);

  // The reference documents the execute operation.
  await page.getByRole("link", { name: "API reference" }).click();
  await expect(page).toHaveURL(/\/api-docs/);
  const op = page.locator("article").filter({ hasText: "/api/v1/strategies/{id}/execute" });
  await expect(op).toHaveCount(1);
  await expect(op).toContainText("trade key");
  await expect(op).toContainText("Idempotency-Key");
  await shoot(page, "api-docs", testInfo);
});
