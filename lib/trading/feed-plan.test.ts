import { describe, expect, it } from "vitest";
import { backoffDelay, planSubscriptions, type FeedEntry, type Mode } from "./feed-plan";

const entry = (key: string, mode: Mode): [string, FeedEntry] => {
  const [exchange, symbol] = key.split(":");
  return [key, { exchange, symbol, mode }];
};
const map = (...e: [string, FeedEntry][]) => new Map(e);

describe("planSubscriptions", () => {
  it("subscribes what is new, unsubscribes what is no longer wanted at its old mode, leaves the rest", () => {
    const plan = planSubscriptions(
      map(entry("NFO:A", 2), entry("NFO:B", 1)),
      map(entry("NFO:A", 2), entry("NSE:C", 3)),
    );
    expect(plan).toEqual({
      subscribe: [{ exchange: "NFO", symbol: "B", mode: 1 }],
      unsubscribe: [{ exchange: "NSE", symbol: "C", mode: 3 }],
    });
  });

  it("changes a mode by subscribing the new one and unsubscribing the old one", () => {
    const up = planSubscriptions(map(entry("NFO:A", 3)), map(entry("NFO:A", 1)));
    expect(up).toEqual({
      subscribe: [{ exchange: "NFO", symbol: "A", mode: 3 }],
      unsubscribe: [{ exchange: "NFO", symbol: "A", mode: 1 }],
    });
    const down = planSubscriptions(map(entry("NFO:A", 1)), map(entry("NFO:A", 3)));
    expect(down.unsubscribe).toEqual([{ exchange: "NFO", symbol: "A", mode: 3 }]);
  });

  it("plans nothing when the stream already has what is wanted, and everything after a reconnect", () => {
    const wanted = map(entry("NFO:A", 2), entry("NSE_INDEX:NIFTY", 1));
    expect(planSubscriptions(wanted, wanted)).toEqual({ subscribe: [], unsubscribe: [] });
    expect(planSubscriptions(wanted, new Map()).subscribe).toHaveLength(2);
  });
});

describe("backoffDelay", () => {
  const b = { minMs: 500, maxMs: 30_000 };

  it("doubles from the minimum and stops at the cap", () => {
    const top = [1, 2, 3, 4, 5, 6, 7, 8, 20, 1_000].map((a) => backoffDelay(a, b, 0.999999));
    expect(top).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
  });

  it("jitters within the upper half of each step", () => {
    expect(backoffDelay(3, b, 0)).toBe(1000);
    expect(backoffDelay(3, b, 0.5)).toBe(1500);
    expect(backoffDelay(100, b, 0)).toBe(15000);
  });
});
