/** Security ids of the simulated Dhan master: a contract keeps its id while the listed strikes follow the spot. */
import { describe, expect, it } from "vitest";
import { createMarket } from "@/lib/simulator/market/market";
import { istInstant } from "@/lib/trading/calendar";
import { scripIndex } from "./scrips";

describe("scripIndex", () => {
  it("keeps each contract's security id when the listed strikes move with the spot", () => {
    const market = createMarket({
      seed: 5,
      clock: { mode: "fixed", startAt: istInstant("2026-12-09", "10:00") },
      alwaysOpen: true,
    });
    const before = scripIndex(market);
    const ids = new Map(before.all.map((s) => [`${s.inst.exchange}:${s.inst.symbol}`, s.securityId]));
    const count = before.all.length;
    market.jump({ underlying: "NIFTY" }, { percent: 3 });
    const after = scripIndex(market);
    // The move lists other strikes (the index was rebuilt), yet every contract still listed has its old id.
    expect(after).not.toBe(before);
    const kept = after.all.filter((s) => ids.has(`${s.inst.exchange}:${s.inst.symbol}`));
    expect(kept.length).toBeGreaterThan(count / 2);
    for (const s of kept) expect(s.securityId).toBe(ids.get(`${s.inst.exchange}:${s.inst.symbol}`));
    const fresh = after.all.filter((s) => !ids.has(`${s.inst.exchange}:${s.inst.symbol}`));
    expect(fresh.length).toBeGreaterThan(0);
    const used = new Set(ids.values());
    for (const s of fresh) expect(used.has(s.securityId)).toBe(false);
  });
});
