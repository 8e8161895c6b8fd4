import { describe, expect, it } from "vitest";
import { riskRulesSchema } from "@/lib/trading/risk/rules";
import type { RiskSnapshot } from "@/lib/trading/risk/snapshot";
import type { RiskEventJson } from "@/lib/services/risk";
import { jsonify } from "@/lib/util/jsonify";
import {
  cushionUsed,
  eventRows,
  formatDistance,
  formatValue,
  minutesToTimeExit,
  priceFlag,
  pricesOf,
  ruleRows,
  ruleSettings,
} from "@/components/risk/risk-format";

const rules = jsonify(
  riskRulesSchema.parse({
    maxLoss: "10000",
    target: "250000",
    trailing: { distance: { kind: "amount", value: "2000" }, activateAt: "1500" },
    legs: [
      { legIndex: 1, stopLoss: { kind: "points", value: "40" }, takeProfit: { kind: "percent", value: "50" } },
      { legIndex: 0, stopLoss: { kind: "premium", value: "180" } },
    ],
    supertrend: { timeframeMinutes: 5, period: 10, multiplier: "3" },
    timeExit: "15:00",
  }),
);

// 14:00:00 IST.
const AT = "2026-12-07T08:30:00.000Z";
const snapshot: RiskSnapshot = {
  at: AT,
  pnl: "-6000",
  live: true,
  unpriced: [],
  rules: [
    { rule: "MAX_LOSS", level: "-10000", observed: "-6000", distance: "4000", state: "armed" },
    { rule: "TARGET", level: "250000", observed: "-6000", distance: "256000", state: "armed" },
    { rule: "TRAILING_STOP", level: "-2000", observed: "-6000", distance: "-4000", state: "waiting" },
    { rule: "LEG_STOP_LOSS", legIndex: 1, level: "160", observed: "130", distance: "30", state: "armed" },
    { rule: "LEG_TAKE_PROFIT", legIndex: 1, level: "60", observed: "130", distance: "70", state: "armed" },
    { rule: "SUPERTREND", level: "212.4", observed: "230.15", distance: "17.75", state: "armed" },
  ],
  trail: { peak: "1000", stop: "-2000", active: false },
  supertrend: { direction: "down", value: "212.4", candles: 14, timeframeMinutes: 5 },
};
const run = { rules, paused: false, firedRule: null, firedLegs: [], snapshot };

describe("risk rule rows", () => {
  it("lists every armed rule in one order, legs by index, with its setting", () => {
    expect(ruleSettings(rules).map((s) => `${s.label}: ${s.setting}`)).toEqual([
      "Max loss: ₹10,000.00 loss",
      "Target: ₹2,50,000.00 profit",
      "Trailing stop: ₹2,000.00 below the peak, trails from +₹1,500.00",
      "Leg 1 stop-loss: at ₹180.00",
      "Leg 2 stop-loss: 40 pts",
      "Leg 2 take-profit: 50 % of entry",
      "Supertrend: 5 min candles, period 10, × 3",
      "Time exit: at 15:00 IST",
    ]);
  });

  it("fills levels, observed values and distances from the snapshot; a rule it has not evaluated says so", () => {
    const rows = ruleRows(run);
    const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
    expect(byKey.MAX_LOSS).toMatchObject({
      level: "-₹10,000.00",
      observed: "-₹6,000.00",
      distance: "₹4,000.00 to go",
      breached: false,
      used: 0.6,
      state: "armed",
    });
    expect(byKey.TRAILING_STOP).toMatchObject({ distance: "breached", breached: true, state: "waiting", used: 1 });
    expect(byKey["LEG_STOP_LOSS:1"]).toMatchObject({
      level: "₹160.00/unit",
      observed: "₹130.00/unit",
      distance: "30.00 pts to go",
      used: 0.25,
    });
    // 50 % of an entry price the page does not see: no bar.
    expect(byKey["LEG_TAKE_PROFIT:1"].used).toBeNull();
    expect(byKey["LEG_STOP_LOSS:0"]).toMatchObject({ level: "—", distance: "—", state: "unevaluated", used: null });
    expect(byKey.TIME_EXIT).toMatchObject({ level: "15:00 IST", observed: "14:00:00 IST", distance: "60 min to go" });
  });

  it("shows minutes to a time exit only before it; past it, the engine's note says when it is due", () => {
    const passed = ruleRows({
      ...run,
      rules: { ...rules, timeExit: "09:15" },
      snapshot: {
        ...snapshot,
        rules: [
          { rule: "TIME_EXIT", level: "09:15", observed: null, distance: null, state: "armed", note: "at 09:15 IST" },
        ],
      },
    }).find((r) => r.rule === "TIME_EXIT");
    expect(passed).toMatchObject({ level: "09:15 IST", distance: "—", breached: false, note: "at 09:15 IST" });
  });

  it("shows the fired rule fired, a paused run's rules paused, and an exited leg's rules as exited", () => {
    const fired = ruleRows({ ...run, paused: true, firedRule: "MAX_LOSS", firedLegs: [1] });
    const state = Object.fromEntries(fired.map((r) => [r.key, r.state]));
    expect(state).toMatchObject({ MAX_LOSS: "fired", TARGET: "armed", "LEG_STOP_LOSS:1": "leg_exited" });
    const paused = ruleRows({ ...run, paused: true });
    expect(new Set(paused.map((r) => r.state))).toEqual(new Set(["paused"]));
  });

  it("with no snapshot yet, every rule is listed unevaluated; a status for an unnamed rule still gets a row", () => {
    expect(new Set(ruleRows({ ...run, snapshot: null }).map((r) => r.state))).toEqual(new Set(["unevaluated"]));
    const extra = ruleRows({
      ...run,
      snapshot: {
        ...snapshot,
        rules: [{ rule: "DAILY_LOSS_LIMIT", level: "-50000", observed: "-1200", distance: "48800", state: "armed" }],
      },
    });
    expect(extra.at(-1)).toMatchObject({ label: "Daily loss limit", setting: "—", distance: "₹48,800.00 to go" });
  });
});

describe("risk distances", () => {
  it("says how far in the level's unit, and breached at or past it", () => {
    expect(formatDistance("TARGET", "1234.5")).toBe("₹1,234.50 to go");
    expect(formatDistance("MAX_LOSS", "0")).toBe("breached");
    expect(formatDistance("MAX_LOSS", "-0.01")).toBe("breached");
    expect(formatDistance("SUPERTREND", "3.456")).toBe("3.46 pts to go");
    expect(formatDistance("LEG_STOP_LOSS", null)).toBe("—");
    expect(formatValue("MAX_LOSS", "-123456789")).toBe("-₹12,34,56,789.00");
  });

  it("measures the cushion used from the rule's own amount, clamped to 0–1", () => {
    expect(cushionUsed({ rule: "MAX_LOSS", distance: "12000" }, rules, null)).toBe(0);
    expect(cushionUsed({ rule: "TARGET", distance: "62500" }, rules, null)).toBe(0.75);
    expect(
      cushionUsed({ rule: "TRAILING_STOP", distance: "750" }, rules, { peak: "5000", stop: "2000", active: true }),
    ).toBe(0.75);
    expect(cushionUsed({ rule: "TRAILING_STOP", distance: "750" }, rules, null)).toBeNull();
    expect(cushionUsed({ rule: "SUPERTREND", distance: "4" }, rules, null)).toBeNull();
    expect(cushionUsed({ rule: "MAX_LOSS", distance: null }, rules, null)).toBeNull();
  });

  it("counts minutes to a time exit on the evaluation's IST day", () => {
    expect(minutesToTimeExit("15:00", AT)).toBe(60);
    expect(minutesToTimeExit("09:15", AT)).toBe(-285);
    // 00:10 IST the next calendar day in UTC terms (18:40 UTC).
    expect(minutesToTimeExit("09:15", "2026-12-07T18:40:00.000Z")).toBe(545);
    expect(minutesToTimeExit("9:15", AT)).toBeNull();
  });
});

describe("prices a risk event used", () => {
  it("reads the entries it can and flags a price that was not fit to decide on", () => {
    const prices = pricesOf([
      { exchange: "NFO", symbol: "NIFTY26DECFUT", ltp: "26012.5", at: AT, source: "feed" },
      { exchange: "NFO", symbol: "NIFTY26DEC26000CE", ltp: "0", at: AT, source: "feed", problem: "zero" },
      { exchange: "NFO", symbol: "NIFTY26DEC26000PE", ltp: "131.05", at: AT, source: "rest" },
      { exchange: "NFO", symbol: "NIFTY26DEC25900PE", ltp: null, at: null, source: null, problem: "none" },
      { symbol: "no exchange" },
      "not an object",
    ]);
    expect(prices.map((p) => [p.symbol, priceFlag(p)])).toEqual([
      ["NIFTY26DECFUT", null],
      ["NIFTY26DEC26000CE", "zero"],
      ["NIFTY26DEC26000PE", "rest"],
      ["NIFTY26DEC25900PE", "none"],
    ]);
  });
});

describe("risk event rows", () => {
  const base: RiskEventJson = {
    id: "e0",
    rule: "MAX_LOSS",
    action: "PAUSED",
    legIndex: null,
    accountId: null,
    accountName: null,
    threshold: null,
    observed: null,
    prices: [],
    exitId: null,
    message: "Paused",
    actorName: "Rhea Risk",
    createdAt: "2026-12-07T07:09:27.120Z",
  };
  it("merges what one decision wrote for several rules, newest first, and keeps different decisions apart", () => {
    const rows = eventRows([
      base,
      { ...base, id: "e1", rule: "LEG_STOP_LOSS", legIndex: 0 },
      { ...base, id: "e2", rule: "TIME_EXIT" },
      { ...base, id: "e3", action: "RESUMED", message: "Resumed", createdAt: "2026-12-07T07:10:02.500Z" },
      {
        ...base,
        id: "e4",
        action: "CHANGED",
        message: 'maxLoss: "50000" → "60000"',
        createdAt: "2026-12-07T07:08:00Z",
      },
      {
        ...base,
        id: "e5",
        action: "CHANGED",
        rule: "TARGET",
        message: 'target: none → "9000"',
        createdAt: "2026-12-07T07:08:00Z",
      },
    ]);
    expect(rows.map((r) => [r.event.action, r.rules.join(", ")])).toEqual([
      ["RESUMED", "Max loss"],
      ["PAUSED", "Max loss, Leg 1 stop-loss, Time exit"],
      ["CHANGED", "Max loss"],
      ["CHANGED", "Target"],
    ]);
  });
});
