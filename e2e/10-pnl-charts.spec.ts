import { expect, test } from "@playwright/test";
import { admin } from "./people";
import { expectChipsIn, ownAccounts, sameOrigin, signInToDashboard } from "./steps";

// Runs after 04-exits: five demo accounts linked, the kill switch re-armed. The worker's P&L recorder samples every
// open position every MTM_SNAPSHOT_MS (docs/market-data.md "P&L history"); the test waits for its points to appear.

test("a completed run shows its P&L curve and its fan-out latency histogram, on a desktop and a phone", async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  await signInToDashboard(page, admin);
  const accountIds = (await ownAccounts(page)).filter((a) => a.active).map((a) => a.id);
  const sent = await page.request.post("/api/ticket/execute", {
    headers: sameOrigin(page),
    data: {
      symbol: "SBIN",
      exchange: "NSE",
      action: "BUY",
      lots: 1,
      product: "MIS",
      priceType: "MARKET",
      accountIds,
      idempotencyKey: `e2e-pnl-${Date.now()}`,
    },
  });
  expect(sent.ok(), await sent.text()).toBe(true);
  const { runId } = (await sent.json()) as { runId: string };

  await page.goto(`/executions/${runId}`);
  await expectChipsIn(page, accountIds.length, ["filled"]);
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "COMPLETED", { timeout: 30_000 });

  // Latency: one acknowledged first order per account, drawn as bars, with p50 and p99.
  const histogram = page.getByTestId("latency-histogram");
  await expect(histogram).toHaveAttribute("data-accounts", String(accountIds.length));
  await expect
    .poll(() =>
      histogram
        .getByTestId("latency-bar")
        .evaluateAll((bars) => bars.reduce((n, b) => n + Number(b.getAttribute("data-count")), 0)),
    )
    .toBe(accountIds.length);
  await expect(page.getByTestId("latency-p50")).toHaveText(/^\d+(\.\d+)? (ms|s)$/);
  await expect(page.getByTestId("latency-p99")).toHaveText(/^\d+(\.\d+)? (ms|s)$/);

  // P&L: the recorder samples the open SBIN positions; the chart draws the run's points on a canvas.
  const pnl = page.getByTestId("run-pnl");
  await expect
    .poll(async () => Number(await pnl.getAttribute("data-points")), { timeout: 45_000, intervals: [1_000] })
    .toBeGreaterThan(0);
  await expect(pnl.getByTestId("pnl-chart").locator("canvas").first()).toBeVisible();
  await expect(page.getByTestId("run-pnl-total")).toHaveText(/^-?₹[\d,]+\.\d{2}$/);
  // A sample taken while the fills were still arriving rightly counts fewer open positions; one taken after the
  // run completed counts every account's.
  await expect
    .poll(
      async () => {
        const api = (await (await page.request.get(`/api/runs/${runId}/mtm`)).json()) as {
          curve: { points: { openPositions: number }[] };
        };
        return api.curve.points.at(-1)?.openPositions;
      },
      { timeout: 45_000, intervals: [1_000] },
    )
    .toBe(accountIds.length);
  await page.screenshot({ path: testInfo.outputPath("run-pnl-desktop.png"), fullPage: true });

  await page.setViewportSize({ width: 390, height: 844 });
  await expect(pnl.getByTestId("pnl-chart").locator("canvas").first()).toBeVisible();
  // The chart follows its box (a ResizeObserver): both cards end within the phone's width.
  for (const id of ["run-pnl", "latency-histogram"]) {
    await expect
      .poll(
        async () => {
          const box = await page.getByTestId(id).boundingBox();
          return box !== null && box.x >= 0 && box.x + box.width <= 390;
        },
        { message: `${id} fits a 390 px screen` },
      )
      .toBe(true);
  }
  await page.screenshot({ path: testInfo.outputPath("run-pnl-phone.png"), fullPage: true });

  // The dashboard sums the accounts' curves of the day.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/dashboard");
  const dashboard = page.getByTestId("dashboard-pnl");
  await expect
    .poll(async () => Number(await dashboard.getAttribute("data-points")), { timeout: 30_000, intervals: [1_000] })
    .toBeGreaterThan(0);
  await expect(dashboard.getByTestId("pnl-chart").locator("canvas").first()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("dashboard-pnl.png"), fullPage: true });
});
