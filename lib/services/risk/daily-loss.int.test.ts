/**
 * An account's daily loss limit end to end (docs/risk.md "Daily loss limit"): set through its API, reached by a price
 * jump on a position of a strategy without any run rules, the account is exited (ACCOUNT exit, reason RISK) and blocked
 * once for the day; the next entry skips it with the reason, while the other account trades on.
 */
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { GET as accountRiskGet, PUT as accountRiskPut } from "@/app/api/accounts/[id]/risk/route";
import { liveKey, readQuotes } from "@/lib/services/market-data";
import { executeStrategy } from "@/lib/services/strategies";
import { jsonRequest, makeUser, paramsOf, sessionCookie } from "@/lib/testing/fixtures";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { waitForRun } from "@/lib/testing/dispatch-kit";
import { waitForExit } from "@/lib/testing/exits-kit";
import {
  futLeg,
  heldAt,
  jump,
  moreSweeps,
  openRun,
  riskDesk,
  riskStrategy,
  strategyOf,
  WAIT,
} from "@/lib/testing/risk-kit";
import { waitFor } from "@/lib/testing/wait";
import { istDateOf } from "@/lib/trading/calendar";

const INSTANCES = instanceConfigs(2, "dl");
const world = useIntegrationWorld(INSTANCES);

const putLimit = (cookie: string, accountId: string, body: unknown) =>
  accountRiskPut(
    jsonRequest(`/api/accounts/${accountId}/risk`, { method: "PUT", body, cookie }),
    paramsOf({ id: accountId }),
  );

describe("daily loss limit", () => {
  it("exits and blocks the account once for the day; the next entry skips it with the reason", async () => {
    const { trader, accounts } = await riskDesk(world, INSTANCES);
    const cookie = await sessionCookie(trader);
    const [limited, free] = accounts;
    const set = await putLimit(cookie, limited.id, { dailyLossLimit: "8000" });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ accountId: limited.id, dailyLossLimit: "8000", blockedToday: null });
    expect(await db().auditLog.count({ where: { action: "account.daily_loss_limit", entityId: limited.id } })).toBe(1);

    // No run rules at all: only the account's limit watches this position.
    const strategy = await strategyOf(trader, riskStrategy([futLeg("NIFTY", "BUY")], null));
    const runId = await openRun(trader, strategy.id);
    expect(await db().runRisk.count()).toBe(0);
    const intent = await db().orderIntent.findFirstOrThrow({ where: { runId } });
    const key = liveKey(intent.exchange, intent.symbol);
    // The engine's interest brings the contract's live ticks.
    await waitFor(
      "a live quote",
      () => readQuotes("simulated", [key]),
      (q) => q.get(key)?.source === "feed",
      WAIT,
    );

    await jump(world.sim, -1);
    const day = istDateOf(Date.now());
    const block = await waitFor(
      "the day block with its exit",
      () =>
        db().accountDayBlock.findUnique({
          where: { accountId_tradingDate: { accountId: limited.id, tradingDate: day } },
        }),
      (b) => b !== null && b.exitId !== null,
      WAIT,
    );
    const exit = await waitForExit(block!.exitId!, WAIT);
    expect(exit).toMatchObject({ status: "DONE", scope: "ACCOUNT", reason: "RISK", accountId: limited.id });
    expect(Number(block!.observed)).toBeLessThanOrEqual(-8000);
    expect(heldAt(world.sim, INSTANCES[0].id).size).toBe(0);
    expect(heldAt(world.sim, INSTANCES[1].id).size).toBe(1);
    const events = await db().riskEvent.findMany({ where: { accountId: limited.id }, orderBy: { action: "asc" } });
    expect(events.map((e) => [e.rule, e.action])).toEqual([
      ["DAILY_LOSS_LIMIT", "EXIT"],
      ["DAILY_LOSS_LIMIT", "BLOCK_ENTRIES"],
    ]);
    expect(events[0].exitId).toBe(exit.id);

    await moreSweeps(2);
    expect(await db().exit.count({ where: { reason: "RISK" } })).toBe(1);
    expect(await db().accountDayBlock.count()).toBe(1);

    const read = await accountRiskGet(
      jsonRequest(`/api/accounts/${limited.id}/risk`, { cookie }),
      paramsOf({ id: limited.id }),
    );
    expect((await read.json()).blockedToday).toMatchObject({ tradingDate: day, exitId: exit.id });

    // The next entry: the blocked account is skipped with the reason, the other trades.
    const next = await executeStrategy(trader, strategy.id, { idempotencyKey: "after-the-block-0001" }, "127.0.0.1");
    await waitForRun(next.runId);
    const plan = (await db().strategyRun.findUniqueOrThrow({ where: { id: next.runId } })).plan as {
      accounts: { accountId: string; status: string; reason?: string }[];
    };
    const byAccount = new Map(plan.accounts.map((a) => [a.accountId, a]));
    expect(byAccount.get(limited.id)).toMatchObject({ status: "skipped" });
    expect(byAccount.get(limited.id)!.reason).toMatch(/^Entries blocked for today: Daily loss limit of ₹8,000 reached/);
    expect(byAccount.get(free.id)).toMatchObject({ status: "planned" });
    await jump(world.sim, 1);
  });

  it("answers 400 naming the field for a bad limit, 404 for another owner's account, and clears with null", async () => {
    const { trader, accounts } = await riskDesk(world, INSTANCES.slice(0, 1), { engine: false });
    const cookie = await sessionCookie(trader);
    const bodies = [
      { dailyLossLimit: "-5" },
      { dailyLossLimit: "12.345" },
      { dailyLossLimit: "abc" },
      { dailyLossLimit: "0" },
    ];
    for (const bad of [...bodies, { dailyLossLimit: 5000 }, {}]) {
      const res = await putLimit(cookie, accounts[0].id, bad);
      expect(res.status).toBe(400);
      expect(Object.keys((await res.json()).error.fields)).toEqual(["dailyLossLimit"]);
    }
    const other = await makeUser("TRADER");
    const res = await putLimit(await sessionCookie(other), accounts[0].id, { dailyLossLimit: "1000" });
    expect(res.status).toBe(404);
    const viewer = await makeUser("VIEWER");
    expect((await putLimit(await sessionCookie(viewer), accounts[0].id, { dailyLossLimit: "1000" })).status).toBe(403);
    expect((await putLimit(cookie, accounts[0].id, { dailyLossLimit: "2500.50" })).status).toBe(200);
    const cleared = await putLimit(cookie, accounts[0].id, { dailyLossLimit: null });
    expect(await cleared.json()).toMatchObject({ dailyLossLimit: null });
    const audit = await db().auditLog.findMany({
      where: { action: "account.daily_loss_limit" },
      orderBy: { id: "asc" },
    });
    expect(audit.map((a) => a.details)).toEqual([
      { from: null, to: "2500.5" },
      { from: "2500.5", to: null },
    ]);
  });
});
