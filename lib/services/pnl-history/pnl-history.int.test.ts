import Decimal from "decimal.js";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { closeConnections, jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { istInstant } from "@/lib/trading/calendar";
import { positionKey, unrealisedPnl, type ExitAllocation, type LedgerPosition } from "@/lib/trading/ledger";
import { insertMtmSnapshots } from "@/lib/db/queries/mtm";
import { everyLedger, ledgerPositions, type EveryLedger } from "@/lib/services/positions";
import { liveKey, setStale, writeQuote, type LiveQuote } from "@/lib/services/market-data";
import { GET as runMtmRoute } from "@/app/api/runs/[id]/mtm/route";
import { GET as runLatencyRoute } from "@/app/api/runs/[id]/latency/route";
import { GET as strategyMtmRoute } from "@/app/api/strategies/[id]/mtm/route";
import { GET as dashboardMtmRoute } from "@/app/api/mtm/route";
import { compactMtm, mtmSample, recordMtm } from "./index";
import { liveQuote } from "@/lib/testing/live-quote";

beforeEach(resetState);
afterAll(closeConnections);

const CE = "NIFTY08DEC2624500CE";
const PE = "NIFTY08DEC2624000PE";
const T0 = new Date("2026-12-07T05:00:00.000Z"); // 10:30 IST
const at = (ms: number) => new Date(T0.getTime() + ms);

type Trader = Awaited<ReturnType<typeof makeUser>>;

const quote = (symbol: string, ltp: string, source: LiveQuote["source"] = "feed"): LiveQuote =>
  liveQuote({ exchange: "NFO", symbol, ltp, receivedAt: T0.toISOString(), source });

/** A simulated-feed account whose host answers nothing: prices come only from the live quote store. */
async function account(owner: Trader, name: string) {
  return db().tradingAccount.create({
    data: {
      ownerId: owner.id,
      name,
      hostUrl: "http://127.0.0.1:9",
      wsUrl: "ws://127.0.0.1:9",
      apiKeyEnc: "not-a-ciphertext",
      apiKeyLast4: "0000",
      brokerName: "simulator",
      isPrimary: name.endsWith("1"),
    },
  });
}

async function strategy(owner: Trader) {
  return db().strategy.create({ data: { ownerId: owner.id, name: `mtm ${crypto.randomUUID()}`, definition: {} } });
}

async function run(owner: Trader, strategyId: string | null, triggeredAt = T0) {
  const id = crypto.randomUUID();
  await db().strategyRun.create({
    data: {
      id,
      ownerId: owner.id,
      strategyId,
      kind: strategyId ? "STRATEGY" : "TICKET",
      idempotencyKey: `k-${id}`,
      triggeredAt,
      plan: {},
    },
  });
  return id;
}

let slice = 0;
/** A fully filled slice as the fill tracker records it. */
async function fill(
  runId: string,
  accountId: string,
  symbol: string,
  action: "BUY" | "SELL",
  quantity: number,
  price: string,
  ack: Date | null = null,
) {
  slice += 1;
  await db().orderIntent.create({
    data: {
      id: `${runId.slice(0, 8)}-${slice}`,
      runId,
      accountId,
      legIndex: slice,
      sliceIndex: 0,
      phase: 1,
      symbol,
      exchange: "NFO",
      action,
      product: "NRML",
      priceType: "MARKET",
      quantity,
      state: "filled",
      sentAt: ack ?? T0,
      acknowledgedAt: ack,
      filledQuantity: quantity,
      averagePrice: new Decimal(price),
    },
  });
}

const snapshots = () => db().mtmSnapshot.findMany({ orderBy: [{ at: "asc" }, { series: "asc" }] });
const bySeries = async (series: string) => (await snapshots()).filter((s) => s.series === series);

async function getJson(handler: typeof runMtmRoute, url: string, cookie: string, params?: Record<string, string>) {
  const res = await handler(jsonRequest(url, { cookie }), params ? paramsOf(params) : undefined);
  return { status: res.status, body: await res.json() };
}

describe("P&L snapshots", () => {
  it("records a run, its accounts and its strategy at live LTPs with the ledger's unrealised P&L", async () => {
    const trader = await makeUser("TRADER");
    const [a1, a2] = [await account(trader, "acct 1"), await account(trader, "acct 2")];
    const s = await strategy(trader);
    const r = await run(trader, s.id);
    await fill(r, a1.id, CE, "BUY", 150, "100");
    await fill(r, a1.id, CE, "SELL", 75, "130"); // realises (130 − 100) × 75 = 2,250
    await fill(r, a2.id, PE, "SELL", 75, "120");
    await writeQuote("simulated", quote(CE, "110.5"));
    await writeQuote("simulated", quote(PE, "90.25"));

    expect(await recordMtm(T0)).toEqual({ recorded: 5, open: 2 });

    // The ledger's own definition, at the same LTPs: (LTP − average) × net quantity.
    const ltp = new Map([
      [liveKey("NFO", CE), new Decimal("110.5")],
      [liveKey("NFO", PE), new Decimal("90.25")],
    ]);
    const ledger = await ledgerPositions({ ownerId: trader.id }, "run");
    const expected = ledger.reduce(
      (sum, p) => sum.plus(unrealisedPnl(p, ltp.get(liveKey(p.exchange, p.symbol))!)!),
      new Decimal(0),
    );
    expect(expected.toString()).toBe("3018.75"); // 10.5 × 75 + (120 − 90.25) × 75

    const [runPoint] = await bySeries(`run:${r}`);
    expect(runPoint).toMatchObject({
      kind: "RUN",
      runId: r,
      strategyId: s.id,
      ownerId: trader.id,
      openPositions: 2,
      allLive: true,
    });
    expect(runPoint.unrealised!.toString()).toBe(expected.toString());
    expect(runPoint.realised!.toString()).toBe("2250");
    expect(runPoint.total!.toString()).toBe("5268.75");
    expect(runPoint.at).toEqual(T0);
    expect((await bySeries(`account:${a1.id}`))[0].total!.toString()).toBe("3037.5");
    expect((await bySeries(`account:${a2.id}`))[0].total!.toString()).toBe("2231.25");
    expect((await bySeries(`strategy:${s.id}`))[0].total!.toString()).toBe("5268.75");
    expect((await bySeries(`owner:${trader.id}`))[0].total!.toString()).toBe("5268.75");

    // The same instant again (a retried job) stores nothing twice; the next instant moves with the price.
    expect((await recordMtm(T0)).recorded).toBe(0);
    await writeQuote("simulated", quote(CE, "100"));
    await recordMtm(at(5_000));
    const points = await bySeries(`run:${r}`);
    expect(points.map((p) => p.unrealised!.toString())).toEqual(["3018.75", "2231.25"]);
  });

  it("writes nothing when nothing is open", async () => {
    const trader = await makeUser("TRADER");
    const a1 = await account(trader, "acct 1");
    expect(await recordMtm(T0)).toEqual({ recorded: 0, open: 0 });
    const r = await run(trader, null);
    await fill(r, a1.id, CE, "BUY", 75, "100");
    await fill(r, a1.id, CE, "SELL", 75, "105");
    await writeQuote("simulated", quote(CE, "110"));
    expect(await recordMtm(T0)).toEqual({ recorded: 0, open: 0 });
    expect(await snapshots()).toEqual([]);
  });

  it("records a closing point when a series goes flat, then stops", async () => {
    const trader = await makeUser("TRADER");
    const a1 = await account(trader, "acct 1");
    const r = await run(trader, null);
    await fill(r, a1.id, CE, "BUY", 75, "100");
    await writeQuote("simulated", quote(CE, "104"));
    await recordMtm(T0);
    await fill(r, a1.id, CE, "SELL", 75, "106");
    await recordMtm(at(5_000));
    expect((await recordMtm(at(10_000))).recorded).toBe(0);
    const points = await bySeries(`run:${r}`);
    expect(points.map((p) => [p.openPositions, p.total!.toString()])).toEqual([
      [1, "300"],
      [0, "450"],
    ]);
  });

  it("does not pretend: a missing price makes the P&L unknown, a stale or REST-filled price is not live", async () => {
    const trader = await makeUser("TRADER");
    const a1 = await account(trader, "acct 1");
    const r = await run(trader, null);
    await fill(r, a1.id, CE, "BUY", 75, "100");
    await fill(r, a1.id, PE, "BUY", 75, "50");
    await writeQuote("simulated", quote(CE, "101"));
    await recordMtm(T0);
    const [missing] = await bySeries(`run:${r}`);
    expect(missing).toMatchObject({ unrealised: null, total: null, allLive: false, openPositions: 2 });

    await writeQuote("simulated", quote(PE, "52", "rest"));
    await recordMtm(at(5_000));
    const rest = (await bySeries(`run:${r}`))[1];
    expect(rest.total!.toString()).toBe("225");
    expect(rest.allLive).toBe(false);

    await writeQuote("simulated", quote(PE, "53"));
    await recordMtm(at(10_000));
    expect((await bySeries(`run:${r}`))[2]).toMatchObject({ allLive: true });

    // Flagged stale, no REST answer: the last live price is used, and the snapshot says it was not live.
    const flag = { exchange: "NFO", symbol: PE, since: T0.toISOString(), lastTickAt: null, reason: "silent" };
    await setStale("simulated", liveKey("NFO", PE), flag);
    await recordMtm(at(15_000));
    const stale = (await bySeries(`run:${r}`))[3];
    expect(stale.total!.toString()).toBe("300");
    expect(stale.allLive).toBe(false);
  });
});

describe("compaction", () => {
  it("keeps one point per series per minute on days before today and leaves today alone", async () => {
    const trader = await makeUser("TRADER");
    const yesterday = istInstant("2026-12-06", "10:00");
    const today = istInstant("2026-12-07", "10:00");
    const point = (series: string, total: string | null) => ({
      series,
      kind: "RUN" as const,
      ownerId: trader.id,
      accountId: null,
      strategyId: null,
      runId: null,
      realised: new Decimal(0),
      unrealised: total === null ? null : new Decimal(total),
      total: total === null ? null : new Decimal(total),
      openPositions: 1,
      allLive: true,
    });
    // Every 5 s over three minutes, two series; the last point of minute 2 has no price.
    for (let i = 0; i < 36; i += 1) {
      const last = i === 23;
      await insertMtmSnapshots(new Date(yesterday + i * 5_000), [
        point("run:a", last ? null : String(i)),
        point("run:b", String(-i)),
      ]);
      await insertMtmSnapshots(new Date(today + i * 5_000), [point("run:a", String(i))]);
    }
    const { deleted } = await compactMtm(new Date(today + 3 * 60_000));
    expect(deleted).toBe(2 * 36 - 6);
    const kept = await db().mtmSnapshot.findMany({
      where: { at: { lt: new Date(today - 3_600_000) } },
      orderBy: [{ series: "asc" }, { at: "asc" }],
    });
    expect(kept.map((k) => [k.series, k.total?.toString()])).toEqual([
      ["run:a", "11"],
      ["run:a", "22"],
      ["run:a", "35"],
      ["run:b", "-11"],
      ["run:b", "-23"],
      ["run:b", "-35"],
    ]);
    expect(await db().mtmSnapshot.count({ where: { at: { gte: new Date(today) } } })).toBe(36);
    expect(await compactMtm(new Date(today + 3 * 60_000))).toEqual({ deleted: 0 });
  });
});

describe("P&L and latency routes", () => {
  it("answer the owner, sum the dashboard over accounts, and 404 another trader", async () => {
    const owner = await makeUser("TRADER");
    const other = await makeUser("TRADER");
    const [a1, a2] = [await account(owner, "acct 1"), await account(owner, "acct 2")];
    const s = await strategy(owner);
    const r = await run(owner, s.id);
    await fill(r, a1.id, CE, "BUY", 75, "100", at(120));
    await fill(r, a1.id, PE, "BUY", 75, "50", at(340));
    await fill(r, a2.id, CE, "BUY", 75, "100", at(480));
    await fill(r, a2.id, PE, "BUY", 75, "50", null);
    await writeQuote("simulated", quote(CE, "102"));
    await writeQuote("simulated", quote(PE, "49"));
    await recordMtm(T0);
    const mine = await sessionCookie(owner);
    const theirs = await sessionCookie(other);

    const runCurve = await getJson(runMtmRoute, `/api/runs/${r}/mtm`, mine, { id: r });
    expect(runCurve.status).toBe(200);
    expect(runCurve.body.curve.points).toEqual([
      { at: T0.toISOString(), realised: "0", unrealised: "150", total: "150", openPositions: 4, allLive: true },
    ]);
    const strategyCurve = await getJson(strategyMtmRoute, `/api/strategies/${s.id}/mtm?day=2026-12-07`, mine, {
      id: s.id,
    });
    expect(strategyCurve.body.curve.points.map((p: { total: string }) => p.total)).toEqual(["150"]);
    const otherDay = await getJson(strategyMtmRoute, `/api/strategies/${s.id}/mtm?day=2026-12-06`, mine, { id: s.id });
    expect(otherDay.body.curve.points).toEqual([]);
    const dash = await getJson(dashboardMtmRoute, `/api/mtm?day=2026-12-07`, mine);
    expect(
      dash.body.curve.points.map((p: { total: string; openPositions: number }) => [p.total, p.openPositions]),
    ).toEqual([["150.00", 4]]);
    const badDay = await getJson(dashboardMtmRoute, `/api/mtm?day=yesterday`, mine);
    expect(badDay.status).toBe(400);
    expect(JSON.stringify(badDay.body)).toContain("day");

    const latency = await getJson(runLatencyRoute, `/api/runs/${r}/latency`, mine, { id: r });
    expect(latency.status).toBe(200);
    expect(latency.body.latency).toMatchObject({
      unacknowledged: 0,
      firstAck: { p50: 120, p99: 480 },
      lastAck: { p50: 340, p99: 480 },
    });
    expect(latency.body.latency.accounts.map((a: { firstAckMs: number }) => a.firstAckMs)).toEqual([120, 480]);
    const counted = latency.body.latency.firstAck.histogram.reduce((n: number, b: { count: number }) => n + b.count, 0);
    expect(counted).toBe(2);

    for (const [handler, url, params] of [
      [runMtmRoute, `/api/runs/${r}/mtm`, { id: r }],
      [runLatencyRoute, `/api/runs/${r}/latency`, { id: r }],
      [strategyMtmRoute, `/api/strategies/${s.id}/mtm`, { id: s.id }],
    ] as const) {
      expect((await getJson(handler, url, theirs, params)).status).toBe(404);
    }
    expect((await getJson(dashboardMtmRoute, `/api/mtm?day=2026-12-07`, theirs)).body.curve.points).toEqual([]);
  });
});

describe("the ledger of every account kept between samples", () => {
  /** One intent with `filled` of `quantity` units done at `price` (a partial fill while filled < quantity). */
  async function intent(
    runId: string,
    accountId: string,
    leg: { index: number; slice?: number; symbol: string; action: "BUY" | "SELL"; quantity: number },
    filled: number,
    price: string,
  ) {
    const id = `${runId.slice(0, 8)}-${leg.index}-${leg.slice ?? 0}-${accountId.slice(0, 4)}`;
    await db().orderIntent.upsert({
      where: { id },
      create: {
        id,
        runId,
        accountId,
        legIndex: leg.index,
        sliceIndex: leg.slice ?? 0,
        phase: leg.action === "BUY" ? 1 : 2,
        symbol: leg.symbol,
        exchange: "NFO",
        action: leg.action,
        product: "NRML",
        priceType: "MARKET",
        quantity: leg.quantity,
        state: filled < leg.quantity ? "partially_filled" : "filled",
        sentAt: T0,
        filledQuantity: filled,
        averagePrice: new Decimal(price),
      },
      update: {
        state: filled < leg.quantity ? "partially_filled" : "filled",
        filledQuantity: filled,
        averagePrice: new Decimal(price),
      },
    });
  }

  /** An EXIT run whose attribution (`plan.exit`, lib/trading/exit-plan.ts) gives each leg's allocations. */
  async function exitRun(
    owner: Trader,
    legs: { accountId: string; legIndex: number; allocations: ExitAllocation[] }[],
    triggeredAt: Date,
  ) {
    const id = crypto.randomUUID();
    await db().strategyRun.create({
      data: {
        id,
        ownerId: owner.id,
        kind: "EXIT",
        idempotencyKey: `k-${id}`,
        triggeredAt,
        plan: JSON.parse(JSON.stringify({ exit: { exitId: crypto.randomUUID(), legs } })) as object,
      },
    });
    return id;
  }

  const byKey = (ps: LedgerPosition[]) => [...ps].sort((a, b) => positionKey(a).localeCompare(positionKey(b)));

  /**
   * The kept ledger (`warm`, read after every change) gives what a full rebuild of every fill gives, at both
   * granularities, and so does a new one (a restarted process); so do the P&L points of the instant.
   */
  async function sameAsRebuild(warm: EveryLedger, now: Date) {
    for (const granularity of ["run", "strategy"] as const)
      expect(byKey(await warm.positions(granularity))).toEqual(byKey(await ledgerPositions({}, granularity)));
    const kept = await mtmSample(now, warm);
    expect(kept).toEqual(await mtmSample(now, everyLedger()));
    return kept;
  }

  it("gives the points of a full rebuild through partial fills, exits and a restart, rebuilding only what changed", async () => {
    const trader = await makeUser("TRADER");
    const [a1, a2] = [await account(trader, "acct 1"), await account(trader, "acct 2")];
    const s = await strategy(trader);
    const r1 = await run(trader, s.id);
    await writeQuote("simulated", quote(CE, "110"));
    await writeQuote("simulated", quote(PE, "95"));
    const buyCe = { index: 0, symbol: CE, action: "BUY", quantity: 150 } as const;
    const sellPe = { index: 1, symbol: PE, action: "SELL", quantity: 75 } as const;
    const warm = everyLedger();

    // A partial fill, then the rest of it at a new average.
    await intent(r1, a1.id, buyCe, 50, "100");
    await intent(r1, a2.id, sellPe, 75, "120");
    const first = await sameAsRebuild(warm, T0);
    expect(first.open).toBe(2);
    const a2Before = (await warm.positions("run")).find((p) => p.accountId === a2.id);
    await intent(r1, a1.id, buyCe, 150, "101.5");
    await sameAsRebuild(warm, at(5_000));
    // a2's fills did not change: its position is the one kept, not rebuilt.
    expect((await warm.positions("run")).find((p) => p.accountId === a2.id)).toBe(a2Before);

    // A second run of the strategy, then exits: one attributed to r1 by name (partly filled), one closing whatever
    // runs hold (the kill switch's `auto`), which depends on the order of the account's fills.
    const r2 = await run(trader, s.id, at(6_000));
    await intent(r2, a1.id, buyCe, 75, "104");
    await sameAsRebuild(warm, at(7_000));
    const x1 = await exitRun(
      trader,
      [{ accountId: a2.id, legIndex: 0, allocations: [{ runId: r1, strategyId: s.id, legIndex: null, quantity: 75 }] }],
      at(8_000),
    );
    await intent(x1, a2.id, { index: 0, symbol: PE, action: "BUY", quantity: 75 }, 25, "90");
    await sameAsRebuild(warm, at(9_000));
    const x2 = await exitRun(
      trader,
      [
        {
          accountId: a1.id,
          legIndex: 0,
          allocations: [{ runId: null, strategyId: null, legIndex: null, quantity: 200, auto: true }],
        },
      ],
      at(10_000),
    );
    await intent(x2, a1.id, { index: 0, symbol: CE, action: "SELL", quantity: 100 }, 100, "108");
    await intent(x2, a1.id, { index: 0, slice: 1, symbol: CE, action: "SELL", quantity: 100 }, 60, "107");
    await intent(x1, a2.id, { index: 0, symbol: PE, action: "BUY", quantity: 75 }, 75, "91");
    const later = await sameAsRebuild(warm, at(11_000));
    // The auto exit closed r1's 150 first, then 10 of r2's 75: only r2 is still open.
    expect(later.open).toBe(1);
    expect(later.points.find((p) => p.series === `run:${r2}`)?.openPositions).toBe(1);
    expect(later.points.some((p) => p.series === `run:${r1}`)).toBe(false);

    // A restarted process (a new ledger) reads every account once, then keeps them too.
    const restarted = everyLedger();
    await sameAsRebuild(restarted, at(12_000));
    await intent(x2, a1.id, { index: 0, slice: 1, symbol: CE, action: "SELL", quantity: 100 }, 100, "107.25");
    await sameAsRebuild(restarted, at(13_000));
    await sameAsRebuild(warm, at(13_000));
    // Only an average price moves (the trade book read later than the order book): the account is read again.
    await intent(r2, a1.id, buyCe, 75, "104.5");
    await sameAsRebuild(warm, at(13_500));

    // An account whose fills are gone (its runs deleted) leaves the kept ledger.
    await db().strategyRun.deleteMany({ where: { id: { in: [x1, r1] } } });
    await sameAsRebuild(warm, at(14_000));
    expect((await warm.positions("run")).some((p) => p.accountId === a2.id)).toBe(false);
  });
});
