import { describe, expect, it } from "vitest";
import { createMarket } from "./market";

/** Wednesday 25 Nov 2026, 10:00 IST. */
const WED_10AM = Date.parse("2026-11-25T04:30:00Z");

function setup(seed = 7) {
  const m = createMarket({ seed, clock: { mode: "fixed", startAt: WED_10AM }, alwaysOpen: false });
  const expiry = m.expiries("NIFTY", "NFO", "options")[0].replaceAll("-", "");
  const option = m.optionChain("NIFTY", "NSE_INDEX", expiry, 1)!.rows[1].ce!.instrument.symbol;
  const future = m.expiries("NIFTY", "NFO", "futures")[0];
  const futSymbol = m.search(`NIFTY${future.replaceAll("-", "")}FUT`, "NFO")[0]?.symbol;
  return { m, option, futSymbol };
}

describe("derivative activity between ticks", () => {
  it("moves volume up and OI around on every tick, at a fixed clock, for options and futures", () => {
    const { m, option, futSymbol } = setup();
    expect(futSymbol).toBeDefined();
    for (const symbol of [option, futSymbol!]) {
      const lot = m.instrument(symbol, "NFO")!.lotsize;
      const seen = [m.quote(symbol, "NFO")!];
      for (let i = 0; i < 6; i++) {
        m.tick();
        seen.push(m.quote(symbol, "NFO")!);
      }
      const volumes = seen.map((q) => q.volume);
      for (let i = 1; i < volumes.length; i++) expect(volumes[i], symbol).toBeGreaterThan(volumes[i - 1]);
      expect(new Set(seen.map((q) => q.oi)).size, symbol).toBeGreaterThan(1);
      for (const q of seen) {
        expect(q.volume % lot).toBe(0);
        expect(q.oi % lot).toBe(0);
        expect(q.oi).toBeGreaterThan(0);
      }
    }
  });

  it("is the same for the same seed (and a quote read twice in a tick does not trade twice)", () => {
    const a = setup(3);
    const b = setup(3);
    for (let i = 0; i < 4; i++) {
      a.m.tick();
      b.m.tick();
      const qa = a.m.quote(a.option, "NFO")!;
      expect(a.m.quote(a.option, "NFO")!.volume).toBe(qa.volume);
      expect(b.m.quote(b.option, "NFO")!).toMatchObject({ volume: qa.volume, oi: qa.oi });
    }
  });
});
