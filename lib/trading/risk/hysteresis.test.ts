import { describe, expect, it } from "vitest";
import { confirmBreaches, type PendingBreaches } from "./hysteresis";

type B = { key: string };
const key = (b: B) => b.key;

/** Evaluations at `times` seeing the breach or not; returns the times at which it fired. */
function path(steps: [number, boolean][], confirmMs = 100): number[] {
  let pending: PendingBreaches = new Map();
  const fired: number[] = [];
  for (const [t, seen] of steps) {
    const c = confirmBreaches(pending, seen ? [{ key: "MAX_LOSS" }] : [], key, t, confirmMs);
    pending = c.pending;
    if (c.confirmed.length) fired.push(t);
  }
  return fired;
}

describe("breach confirmation", () => {
  it("fires a breach seen on two evaluations at least confirmMs apart", () => {
    expect(
      path([
        [0, true],
        [50, true],
        [100, true],
      ]),
    ).toEqual([100]);
  });

  it("never fires on a price flapping across the level, one evaluation each side", () => {
    const flapping = Array.from({ length: 20 }, (_, i) => [i * 100, i % 2 === 0] as [number, boolean]);
    expect(path(flapping)).toEqual([]);
  });

  it("a flap that returns restarts the wait; a breach that then holds fires once", () => {
    expect(
      path([
        [0, true],
        [100, false],
        [200, true],
        [250, true],
        [300, true],
      ]),
    ).toEqual([300]);
  });

  it("says when to look again and keeps each key apart", () => {
    const first = confirmBreaches(new Map(), [{ key: "A" }, { key: "B" }], key, 1_000, 150);
    expect(first).toEqual({
      confirmed: [],
      pending: new Map([
        ["A", 1_000],
        ["B", 1_000],
      ]),
      recheckAt: 1_150,
    });
    const second = confirmBreaches(first.pending, [{ key: "A" }], key, 1_150, 150);
    expect(second.confirmed).toEqual([{ key: "A" }]);
    expect(second.pending.size).toBe(0);
    expect(second.recheckAt).toBeNull();
  });
});
