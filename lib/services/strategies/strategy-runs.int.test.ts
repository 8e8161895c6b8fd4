import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { hostOf, instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { POST as createAccountRoute } from "@/app/api/accounts/route";
import { POST as createStrategyRoute } from "@/app/api/strategies/route";
import { POST as addLegsRoute } from "@/app/api/strategies/[id]/legs/route";
import { POST as previewRoute } from "@/app/api/strategies/[id]/preview/route";
import { POST as executeRoute } from "@/app/api/strategies/[id]/execute/route";
import { POST as ticketPreviewRoute } from "@/app/api/ticket/preview/route";
import { GET as searchRoute } from "@/app/api/symbols/search/route";
import { AppError } from "@/lib/errors";
import { istDateOf, istInstant } from "@/lib/trading/calendar";
import { executeStrategy, previewStrategy } from "./strategy-runs";

let sim: RunningSimulator;
const INSTANCES = instanceConfigs(3, "sr").map((c, i) => ({ ...c, capital: ["1000000", "3000000", "100000"][i] }));

beforeAll(async () => {
  sim = await startSim(INSTANCES);
});
beforeEach(resetState);
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

const leg = (action: "BUY" | "SELL", optionType: "CE" | "PE", n: number) => ({
  underlying: "NIFTY",
  instrument: "options",
  expiry: "current_week",
  action,
  optionType,
  strike: { kind: "OTM", n },
  lots: 1,
  orderType: { kind: "PROTECTED_LIMIT", bandPercent: "2" },
});
const ironFly = {
  product: "MIS",
  sizing: { kind: "grade", gradeId: "B" },
  // Not "auto": the margins (and so the lots below) would then depend on whether the test runs on an expiry day.
  marketCondition: "other_days",
  legs: [leg("BUY", "CE", 4), leg("BUY", "PE", 4), leg("SELL", "CE", 1), leg("SELL", "PE", 1)],
};

async function setup() {
  const user = await makeUser("TRADER");
  const cookie = await sessionCookie(user);
  const ids: string[] = [];
  for (const inst of INSTANCES) {
    const res = await createAccountRoute(
      jsonRequest("/api/accounts", {
        body: {
          name: `Acct ${inst.id}`,
          hostUrl: hostOf(sim, inst.id),
          wsUrl: sim.wsUrl,
          apiKey: inst.apiKey,
          tags: ["sellers"],
        },
        cookie,
      }),
    );
    ids.push((await res.json()).account.id);
  }
  const res = await createStrategyRoute(
    jsonRequest("/api/strategies", {
      body: { name: "Iron fly", definition: ironFly, accountTags: ["sellers"] },
      cookie,
    }),
  );
  expect(res.status).toBe(201);
  return { user, cookie, ids, strategyId: (await res.json()).strategy.id as string };
}

describe("strategy preview and execute", () => {
  it("previews per account from live funds: grade sizing, hedge-first phases, skip with reason", async () => {
    const { cookie, strategyId } = await setup();
    const res = await previewRoute(jsonRequest("/x", { body: {}, cookie }), paramsOf({ id: strategyId }));
    expect(res.status).toBe(200);
    const { preview } = await res.json();
    expect(preview.legs.map((l: { symbol: string; priceType: string }) => [l.symbol.slice(0, 5), l.priceType])).toEqual(
      [
        ["NIFTY", "LIMIT"],
        ["NIFTY", "LIMIT"],
        ["NIFTY", "LIMIT"],
        ["NIFTY", "LIMIT"],
      ],
    );
    const byName = Object.fromEntries(preview.accounts.map((a: { accountName: string }) => [a.accountName, a]));
    // ₹10 lakh at grade B (65 %) affords 2 pair-lots at the other days' ₹3.2 lakh; ₹30 lakh affords 6; ₹1 lakh none.
    const lots = (name: string) => byName[name].legs.map((l: { lots: number; phase: number }) => [l.phase, l.lots]);
    expect(byName["Acct sr1"].status).toBe("planned");
    expect(byName["Acct sr2"].status).toBe("planned");
    expect(byName["Acct sr3"]).toMatchObject({ status: "skipped", reason: expect.any(String) });
    for (const name of ["Acct sr1", "Acct sr2"]) {
      const l = lots(name);
      expect(l.filter(([phase]: number[]) => phase === 1)).toHaveLength(2);
      expect(l.filter(([phase]: number[]) => phase === 2)).toHaveLength(2);
      const sells = l.filter(([phase]: number[]) => phase === 2).map(([, n]: number[]) => n);
      const wings = l.filter(([phase]: number[]) => phase === 1).map(([, n]: number[]) => n);
      expect(wings).toEqual(sells);
    }
    // The worked example of docs/trading-facts.md "Margin and lot sizing": 6.5 lakh usable ÷ 3.2 lakh (2.5 lakh on an
    // expiry day) per pair → 2 lots.
    expect(lots("Acct sr1").filter(([phase]: number[]) => phase === 2)).toEqual([
      [2, 2],
      [2, 2],
    ]);
    expect(preview.totals.accountsPlanned).toBe(2);
    expect(preview.totals.orders).toBe(8);
  });

  it("executes once per idempotency key: the run and its intents are written once", async () => {
    const { cookie, strategyId } = await setup();
    const body = { idempotencyKey: "click-0001-abcdef" };
    const first = await executeRoute(jsonRequest("/x", { body, cookie }), paramsOf({ id: strategyId }));
    expect(first.status).toBe(201);
    const { runId } = await first.json();
    const again = await executeRoute(jsonRequest("/x", { body, cookie }), paramsOf({ id: strategyId }));
    expect(again.status).toBe(200);
    expect((await again.json()).runId).toBe(runId);
    expect(await db().strategyRun.count()).toBe(1);
    const intents = await db().orderIntent.findMany({ where: { runId } });
    expect(intents).toHaveLength(8);
    expect(new Set(intents.map((i) => i.id)).size).toBe(intents.length);
    expect(intents.every((i) => i.state === "planned" && /^md[0-9a-z]{13}$/.test(i.id))).toBe(true);
    expect(new Set(intents.map((i) => i.accountId)).size).toBe(2);
    // The audit entry is written before the first answer (beside the dispatch enqueue), and once: the repeat adds none.
    const audits = await db().auditLog.findMany({ where: { action: "run.execute" } });
    expect(audits.map((a) => a.entityId)).toEqual([runId]);
    // Every planned account has its dispatch job by the time the answer came back.
    const { queue } = await import("@/lib/queues/queues");
    const jobs = await queue("dispatch").getJobs(["waiting", "active", "delayed", "prioritized", "completed"]);
    expect(
      new Set(jobs.filter((j) => j.data && (j.data as { runId?: string }).runId === runId).map((j) => j.id)).size,
    ).toBe(2);
  });

  it("adjustment legs keep their own indices and can be previewed alone", async () => {
    const { cookie, strategyId } = await setup();
    const added = await addLegsRoute(
      jsonRequest("/x", { body: { legs: [leg("BUY", "CE", 8)] }, cookie }),
      paramsOf({ id: strategyId }),
    );
    const { addedLegIndexes } = await added.json();
    expect(addedLegIndexes).toEqual([4]);
    const res = await previewRoute(
      jsonRequest("/x", { body: { legIndexes: [4] }, cookie }),
      paramsOf({ id: strategyId }),
    );
    const { preview } = await res.json();
    expect(preview.legs.map((l: { legIndex: number }) => l.legIndex)).toEqual([4]);
    // Grade sizing: the added CE wing takes the lots of the SELL CE it hedges (2 on ₹10 lakh, 6 on ₹30 lakh, as in
    // the entry above), not cash ÷ premium; an account whose short sizes to zero is skipped, not sent a naked buy.
    const byName = Object.fromEntries(preview.accounts.map((a: { accountName: string }) => [a.accountName, a]));
    const legsOf = (name: string) =>
      byName[name].legs.map((l: { legIndex: number; action: string; lots: number; marginKind: string }) => [
        l.legIndex,
        l.action,
        l.lots,
        l.marginKind,
      ]);
    expect(legsOf("Acct sr1")).toEqual([[4, "BUY", 2, "wing"]]);
    expect(legsOf("Acct sr2")).toEqual([[4, "BUY", 6, "wing"]]);
    expect(byName["Acct sr3"]).toMatchObject({
      status: "skipped",
      reason: expect.stringMatching(/^zero lots — leg 3 .* \+ leg 4 .* as a pair/),
    });
  });

  it("an MIS strategy is refused from 15:15 IST at preview and execute, naming the product; nothing is stored", async () => {
    const { user, strategyId } = await setup();
    const clock = { now: new Date(istInstant(istDateOf(Date.now()), "15:15")), alwaysOpen: false };
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => (e instanceof AppError ? [e.status, e.fields] : e),
      );
    const fields = {
      product: [
        "MIS orders cannot be placed after the square-off time (15:15 IST); use NRML (CNC for cash) or wait for the next session",
      ],
    };
    expect(await refusal(previewStrategy(user, strategyId, {}, clock))).toEqual([400, fields]);
    expect(
      await refusal(executeStrategy(user, strategyId, { idempotencyKey: "mis-after-cutoff-1" }, "127.0.0.1", clock)),
    ).toEqual([400, fields]);
    expect(await db().strategyRun.count()).toBe(0);
  });

  it("a strategy that cannot be planned answers 422 with the reason per leg", async () => {
    const { cookie } = await setup();
    const bad = {
      ...ironFly,
      sizing: { kind: "fixed" },
      legs: [{ ...leg("SELL", "CE", 1), underlying: "NOSUCHINDEX" }],
    };
    const created = await createStrategyRoute(
      jsonRequest("/api/strategies", { body: { name: "Bad", definition: bad, accountTags: ["sellers"] }, cookie }),
    );
    const { strategy } = await created.json();
    const res = await previewRoute(jsonRequest("/x", { body: {}, cookie }), paramsOf({ id: strategy.id }));
    expect(res.status).toBe(422);
    expect((await res.json()).error.fields.legs[0]).toMatch(/^Leg 1: .*NOSUCHINDEX/);
  });
});

describe("manual ticket", () => {
  it("searches via the primary and previews a sliced one-leg run", async () => {
    const { cookie, ids } = await setup();
    const found = await searchRoute(jsonRequest("/api/symbols/search?q=SBIN&exchange=NSE", { cookie }));
    expect((await found.json()).results.map((r: { symbol: string }) => r.symbol)).toContain("SBIN");
    const res = await ticketPreviewRoute(
      jsonRequest("/x", {
        body: {
          accountIds: ids.slice(0, 2),
          symbol: "SBIN",
          exchange: "NSE",
          action: "BUY",
          lots: 5,
          product: "CNC",
          priceType: "MARKET",
        },
        cookie,
      }),
    );
    expect(res.status).toBe(200);
    const { preview } = await res.json();
    expect(
      preview.accounts.map((a: { legs: { quantity: number; product: string }[] }) => [
        a.legs[0].quantity,
        a.legs[0].product,
      ]),
    ).toEqual([
      [5, "CNC"],
      [5, "CNC"],
    ]);
  });
});
