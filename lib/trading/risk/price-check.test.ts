import { describe, expect, it } from "vitest";
import { checkPrice, describeProblem, unusableKind } from "./price-check";

const NOW = Date.parse("2026-11-24T05:00:00.000Z");
const quote = (ltp: string, ageMs: number, source: "feed" | "rest" = "feed") => ({
  ltp,
  receivedAt: new Date(NOW - ageMs).toISOString(),
  source,
});

describe("prices a risk decision may use", () => {
  it("takes a fresh live-feed quote above zero", () => {
    const c = checkPrice(quote("101.5", 1_000), false, NOW, 20_000);
    expect(c.ok && c.ltp.toString()).toBe("101.5");
  });

  it("refuses no quote, a zero, a REST fallback, a flagged contract and an old tick", () => {
    const problem = (c: ReturnType<typeof checkPrice>) => (c.ok ? "ok" : c.problem);
    expect(problem(checkPrice(null, false, NOW, 20_000))).toBe("none");
    expect(problem(checkPrice(quote("0", 0), false, NOW, 20_000))).toBe("zero");
    expect(problem(checkPrice(quote("101", 0, "rest"), false, NOW, 20_000))).toBe("rest");
    expect(problem(checkPrice(quote("101", 0), true, NOW, 20_000))).toBe("flagged");
    expect(problem(checkPrice(quote("101", 20_001), false, NOW, 20_000))).toBe("old");
    expect(problem(checkPrice(quote("101", 20_000), false, NOW, 20_000))).toBe("ok");
    const old = checkPrice(quote("101", 30_000), false, NOW, 20_000);
    expect(!old.ok && describeProblem("NFO:X", old)).toBe("NFO:X: no live tick within the staleness threshold");
  });

  it("calls an unusable price stale only while its market should be quoting it", () => {
    const open = { open: true, openedAt: NOW - 3_600_000 };
    const none = { ok: false as const, problem: "none" as const, ltp: null, at: null };
    const old = { ok: false as const, problem: "old" as const, ltp: "101", at: new Date(NOW - 30_000).toISOString() };
    const flagged = { ok: false as const, problem: "flagged" as const, ltp: "101", at: null };
    expect(unusableKind(flagged, { open: false, openedAt: null }, NOW, 20_000, 0)).toBe("waiting");
    expect(unusableKind(flagged, open, NOW, 20_000, NOW)).toBe("stale");
    // Silence counts from the last tick, the session's open and since when the contract is wanted.
    expect(unusableKind(old, open, NOW, 20_000, 0)).toBe("stale");
    expect(unusableKind(old, { open: true, openedAt: NOW - 20_000 }, NOW, 20_000, 0)).toBe("waiting");
    expect(unusableKind(none, open, NOW, 20_000, NOW - 20_000)).toBe("waiting");
    expect(unusableKind(none, open, NOW, 20_000, NOW - 20_001)).toBe("stale");
    expect(unusableKind(none, { open: true, openedAt: null }, NOW, 20_000, 0)).toBe("stale");
  });
});
