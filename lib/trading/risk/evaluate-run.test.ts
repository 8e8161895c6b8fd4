import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { evaluateRun, type PriceInput, type RunRiskInput } from "./evaluate-run";
import { riskRulesSchema, type RiskRulesInput } from "./rules";
import type { RiskPosition } from "./run-book";

const d = (v: Decimal.Value) => new Decimal(v);
const NOW = Date.parse("2026-11-25T06:00:00.000Z");
const CE = "NFO:NIFTY01DEC2626000CE";
const PE = "NFO:NIFTY01DEC2626000PE";

/** A short straddle in one account: 65 CE sold at 120, 65 PE sold at 100 (net premium ₹14,300). */
function straddle(): RiskPosition[] {
  const leg = (symbol: string, legIndex: number, avg: number): RiskPosition => ({
    accountId: "a1",
    exchange: "NFO",
    symbol,
    product: "NRML",
    legIndex,
    netQty: -65,
    avgPrice: d(avg),
    realisedPnl: d(0),
    boughtQty: 0,
    soldQty: 65,
  });
  return [leg("NIFTY01DEC2626000CE", 0, 120), leg("NIFTY01DEC2626000PE", 1, 100)];
}
const live = (ltp: number): PriceInput => ({
  check: { ok: true, ltp: d(ltp), at: new Date(NOW - 500).toISOString() },
  kind: "stale",
});
function input(rules: RiskRulesInput, ce: PriceInput, pe: PriceInput, extra: Partial<RunRiskInput> = {}): RunRiskInput {
  return {
    now: NOW,
    rules: riskRulesSchema.parse(rules),
    paused: false,
    firedLegs: [],
    positions: straddle(),
    prices: new Map([
      [CE, ce],
      [PE, pe],
    ]),
    trail: { peak: null, stop: null },
    timeExit: null,
    supertrend: null,
    ...extra,
  };
}

describe("evaluateRun", () => {
  it("values the run from the ledger at live prices and reports each rule's level and distance", () => {
    // CE 150 (−30 × 65), PE 90 (+10 × 65): P&L −1,300.
    const r = evaluateRun(input({ maxLoss: "2000", target: "5000" }, live(150), live(90)));
    expect(r.snapshot).toMatchObject({ pnl: "-1300", live: true, unpriced: [] });
    expect(r.snapshot.rules).toEqual([
      { rule: "MAX_LOSS", level: "-2000", observed: "-1300", distance: "700", state: "armed" },
      { rule: "TARGET", level: "5000", observed: "-1300", distance: "6300", state: "armed" },
    ]);
    expect(r.breaches).toEqual([]);
    expect(r.prices.map((p) => [p.symbol, p.ltp, p.source])).toEqual([
      ["NIFTY01DEC2626000CE", "150", "feed"],
      ["NIFTY01DEC2626000PE", "90", "feed"],
    ]);
  });

  it("sees max loss and target at their levels, and both price rules at once in one evaluation", () => {
    const loss = evaluateRun(
      input({ maxLoss: "2000", trailing: { distance: { kind: "amount", value: "1500" } } }, live(170), live(110)),
    );
    // P&L (120−170)×65 + (100−110)×65 = −3,900: both the max loss and the initial trail stop (−1,500) are breached.
    expect(loss.breaches.map((b) => [b.rule, b.threshold?.toString(), b.observed?.toString(), b.confirm])).toEqual([
      ["MAX_LOSS", "-2000", "-3900", true],
      ["TRAILING_STOP", "-1500", "-3900", true],
    ]);
    expect(loss.breaches[0].message).toBe("run P&L -₹3,900 reached the max loss of ₹2,000");
    const win = evaluateRun(input({ target: "2600" }, live(100), live(80)));
    expect(win.breaches.map((b) => b.rule)).toEqual(["TARGET"]);
  });

  it("evaluates no P&L rule on an unusable price: stale while the market is open, waiting while it is closed", () => {
    const stale: PriceInput = { check: { ok: false, problem: "flagged", ltp: "300", at: null }, kind: "stale" };
    const r = evaluateRun(input({ maxLoss: "100" }, live(400), stale));
    expect(r.breaches).toEqual([]);
    expect(r.snapshot).toMatchObject({ pnl: null, live: false, unpriced: [PE] });
    expect(r.snapshot.rules[0]).toMatchObject({ state: "skipped_stale", note: `${PE}: flagged stale by the watchdog` });
    expect(r.stale).toEqual([`${PE}: flagged stale by the watchdog`]);
    const closed = evaluateRun(input({ maxLoss: "100" }, live(400), { ...stale, kind: "waiting" }));
    expect(closed.snapshot.rules[0].state).toBe("waiting");
    expect(closed.stale).toEqual([]);
    // A run armed with a time exit alone needs no price: nothing is stale for it.
    expect(evaluateRun(input({ timeExit: "15:00" }, live(400), stale)).stale).toEqual([]);
    const rest: PriceInput = { check: { ok: false, problem: "rest", ltp: "400", at: null }, kind: "stale" };
    expect(evaluateRun(input({ maxLoss: "100" }, live(400), rest)).breaches).toEqual([]);
  });

  it("trails from the kept peak and stop, and reports the trail", () => {
    const rules = { trailing: { distance: { kind: "percent", value: "10" }, activateAt: "500" } } as const;
    // 10 % of ₹14,300 = ₹1,430. Kept peak ₹2,000 → stop ₹570; P&L now (120−110)×65 + (100−95)×65 = ₹975.
    const r = evaluateRun(input(rules, live(110), live(95), { trail: { peak: d(2000), stop: d(570) } }));
    expect(r.trail).toMatchObject({ peak: d(2000), stop: d(570), active: true });
    expect(r.snapshot.trail).toEqual({ peak: "2000", stop: "570", active: true });
    expect(r.breaches).toEqual([]);
    const down = evaluateRun(input(rules, live(125), live(100), { trail: { peak: d(2000), stop: d(570) } }));
    expect(down.breaches.map((b) => b.rule)).toEqual(["TRAILING_STOP"]);
  });

  it("watches leg stop-loss and take-profit from the leg's entry, skipping fired legs and broker-held stops", () => {
    const rules: RiskRulesInput = {
      legs: [
        { legIndex: 0, stopLoss: { kind: "percent", value: "50" } },
        { legIndex: 1, takeProfit: { kind: "points", value: "40" } },
      ],
    };
    // CE stop at 180; PE target at 60.
    const calm = evaluateRun(input(rules, live(170), live(70)));
    expect(calm.snapshot.rules).toEqual([
      { rule: "LEG_STOP_LOSS", legIndex: 0, level: "180", observed: "170", distance: "10", state: "armed" },
      { rule: "LEG_TAKE_PROFIT", legIndex: 1, level: "60", observed: "70", distance: "10", state: "armed" },
    ]);
    const hit = evaluateRun(input(rules, live(180), live(60)));
    expect(hit.breaches.map((b) => [b.rule, b.legIndex, b.threshold?.toString()])).toEqual([
      ["LEG_STOP_LOSS", 0, "180"],
      ["LEG_TAKE_PROFIT", 1, "60"],
    ]);
    const fired = evaluateRun(input(rules, live(180), live(60), { firedLegs: [0] }));
    expect(fired.breaches.map((b) => b.legIndex)).toEqual([1]);
    expect(fired.snapshot.rules[0].state).toBe("fired");
    const broker = evaluateRun(input({ ...rules, legStopMode: "BROKER" }, live(180), live(60)));
    expect(broker.breaches).toEqual([]);
    expect(broker.snapshot.rules.map((s) => s.state)).toEqual(["waiting", "waiting"]);
  });

  it("a paused run reports every rule paused and breaches nothing; the time exit fires without waiting", () => {
    const rules = { maxLoss: "100", timeExit: "15:00" };
    const due = { fire: true, dueAt: NOW - 1_000, note: "due since 15:00 IST" };
    const paused = evaluateRun(input(rules, live(400), live(400), { paused: true, timeExit: due }));
    expect(paused.breaches).toEqual([]);
    expect(paused.snapshot.rules.map((s) => s.state)).toEqual(["paused", "paused"]);
    const r = evaluateRun(input(rules, live(120), live(100), { timeExit: due }));
    expect(r.breaches.map((b) => [b.rule, b.confirm])).toEqual([["TIME_EXIT", false]]);
  });
});
