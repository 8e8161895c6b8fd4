import { describe, expect, it } from "vitest";
import { Coalescer, type TimerPort } from "./coalesce";

/** A manual clock: timers fire only when the test advances time past them. */
class ManualTimers implements TimerPort {
  private t = 0;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  now = () => this.t;
  setTimer = (fn: () => void, ms: number) => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  };
  clearTimer = (h: unknown) => void this.timers.delete(h as number);
  /** Moves time forward to `ms`, firing due timers in order. */
  advanceTo(ms: number): void {
    for (;;) {
      const due = [...this.timers.entries()].filter(([, v]) => v.at <= ms).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = Math.max(this.t, due[1].at);
      due[1].fn();
    }
    this.t = ms;
  }
  /** Moves time forward without firing anything (a busy process: timers run late). */
  jumpTo(ms: number): void {
    this.t = ms;
  }
  get armed(): number {
    return this.timers.size;
  }
}

function setup(intervalMs = 250) {
  const timers = new ManualTimers();
  const out: { at: number; key: string; value: number }[] = [];
  const c = new Coalescer<number>(intervalMs, (key, value) => out.push({ at: timers.now(), key, value }), timers);
  return { timers, out, c };
}

describe("Coalescer", () => {
  it("emits the first value at once and the latest of a burst on the trailing edge", () => {
    const { timers, out, c } = setup();
    c.push("A", 1);
    expect(out).toEqual([{ at: 0, key: "A", value: 1 }]);
    for (let i = 2; i <= 9; i++) {
      timers.advanceTo(i * 10);
      c.push("A", i);
    }
    expect(out).toHaveLength(1);
    timers.advanceTo(1_000);
    // 2…8 were superseded; 9, the last of the burst, went out when the interval allowed.
    expect(out).toEqual([
      { at: 0, key: "A", value: 1 },
      { at: 250, key: "A", value: 9 },
    ]);
    expect(c.waiting()).toBe(0);
    expect(timers.armed).toBe(0);
  });

  it("sends at most 4 per second per key under a steady 100-per-second stream, ending on the last value", () => {
    const { timers, out, c } = setup(1000 / 4);
    for (let i = 0; i < 300; i++) {
      timers.advanceTo(i * 10);
      c.push("NFO:X", i);
    }
    timers.advanceTo(10_000);
    expect(out.at(-1)?.value).toBe(299);
    for (const e of out) {
      const inWindow = out.filter((o) => o.at >= e.at && o.at < e.at + 1_000);
      expect(inWindow.length).toBeLessThanOrEqual(4);
    }
    // Spaced by the interval, not starved: about 4 a second over the 3 seconds.
    expect(out.length).toBeGreaterThanOrEqual(12);
    const gaps = out.slice(1).map((o, i) => o.at - out[i].at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(250);
  });

  it("keeps keys independent", () => {
    const { timers, out, c } = setup();
    c.push("A", 1);
    c.push("B", 1);
    c.push("A", 2);
    c.push("B", 2);
    c.push("B", 3);
    timers.advanceTo(250);
    expect(out.map((o) => `${o.key}${o.value}@${o.at}`)).toEqual(["A1@0", "B1@0", "A2@250", "B3@250"]);
  });

  it("emits at once again after a quiet spell", () => {
    const { timers, out, c } = setup();
    c.push("A", 1);
    timers.advanceTo(600);
    c.push("A", 2);
    expect(out.map((o) => o.at)).toEqual([0, 600]);
  });

  it("drops a waiting value of a forgotten key and disarms its timer", () => {
    const { timers, out, c } = setup();
    c.push("A", 1);
    c.push("A", 2);
    expect(c.waiting()).toBe(1);
    c.forget("A");
    timers.advanceTo(1_000);
    expect(out.map((o) => o.value)).toEqual([1]);
    expect(timers.armed).toBe(0);
  });

  it("a value arriving while one waits replaces it", () => {
    const { timers, out, c } = setup();
    c.push("A", 1);
    c.push("A", 2);
    timers.advanceTo(249);
    c.push("A", 3);
    timers.advanceTo(2_000);
    expect(out.map((o) => `${o.value}@${o.at}`)).toEqual(["1@0", "3@250"]);
  });

  it("a late timer never lets two values out closer than the interval", () => {
    const { timers, out, c } = setup();
    c.push("A", 1);
    c.push("A", 2);
    // The timer was due at 250; the process was busy until 300.
    timers.jumpTo(300);
    timers.advanceTo(300);
    c.push("A", 3);
    timers.advanceTo(2_000);
    expect(out.map((o) => `${o.value}@${o.at}`)).toEqual(["1@0", "2@300", "3@550"]);
  });

  it("a value arriving after a late timer's due time goes out at once and replaces the waiting one", () => {
    const { timers, out, c } = setup();
    c.push("A", 1);
    c.push("A", 2);
    timers.jumpTo(400);
    c.push("A", 3);
    timers.advanceTo(2_000);
    expect(out.map((o) => `${o.value}@${o.at}`)).toEqual(["1@0", "3@400"]);
    expect(timers.armed).toBe(0);
  });
});
