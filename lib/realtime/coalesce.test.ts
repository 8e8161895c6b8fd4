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

/** At most 4 per second per key, as toward browsers. */
function setup(max = 4, windowMs = 1_000) {
  const timers = new ManualTimers();
  const out: { at: number; key: string; value: number }[] = [];
  const c = new Coalescer<number>(max, windowMs, (key, value) => out.push({ at: timers.now(), key, value }), timers);
  return { timers, out, c };
}

/** The most values of one key that went out within any window of `ms`. */
function busiestWindow(out: { at: number }[], ms = 1_000): number {
  return Math.max(0, ...out.map((e) => out.filter((o) => o.at >= e.at && o.at < e.at + ms).length));
}

describe("Coalescer", () => {
  it("lets values out at once while the window has room, then the latest of the burst when it has room again", () => {
    const { timers, out, c } = setup();
    for (let i = 1; i <= 9; i++) {
      timers.advanceTo((i - 1) * 10);
      c.push("A", i);
    }
    expect(out.map((o) => `${o.value}@${o.at}`)).toEqual(["1@0", "2@10", "3@20", "4@30"]);
    timers.advanceTo(5_000);
    // 5…8 were superseded; 9, the last of the burst, went out once the first of the four left the window.
    expect(out.map((o) => `${o.value}@${o.at}`)).toEqual(["1@0", "2@10", "3@20", "4@30", "9@1000"]);
    expect(c.waiting()).toBe(0);
    expect(timers.armed).toBe(0);
  });

  it("sends at most 4 in any second per key under a steady 100-per-second stream, ending on the last value", () => {
    const { timers, out, c } = setup();
    for (let i = 0; i < 300; i++) {
      timers.advanceTo(i * 10);
      c.push("NFO:X", i);
    }
    timers.advanceTo(10_000);
    expect(out.at(-1)?.value).toBe(299);
    expect(busiestWindow(out)).toBe(4);
    // Not starved either: four a second over the three seconds.
    expect(out.length).toBeGreaterThanOrEqual(12);
  });

  it("never holds back a contract ticking at the limit's own rate with jitter: every tick goes out, late by little", () => {
    const { timers, out, c } = setup();
    // Ticks every 250 ms ± 15 ms (a simulator or exchange at 4 a second, with scheduling noise).
    const at = Array.from({ length: 40 }, (_, i) => i * 250 + (i % 3 === 1 ? -15 : i % 3 === 2 ? 15 : 0));
    at.forEach((t, i) => {
      timers.advanceTo(t);
      c.push("A", i);
    });
    timers.advanceTo(20_000);
    expect(out.map((o) => o.value)).toEqual(at.map((_, i) => i));
    const delays = out.map((o) => o.at - at[o.value]);
    expect(Math.max(...delays)).toBeLessThanOrEqual(30);
    expect(busiestWindow(out)).toBeLessThanOrEqual(4);
  });

  it("keeps keys independent", () => {
    const { timers, out, c } = setup(1, 250);
    c.push("A", 1);
    c.push("B", 1);
    c.push("A", 2);
    c.push("B", 2);
    c.push("B", 3);
    timers.advanceTo(250);
    expect(out.map((o) => `${o.key}${o.value}@${o.at}`)).toEqual(["A1@0", "B1@0", "A2@250", "B3@250"]);
  });

  it("emits at once again after a quiet spell", () => {
    const { timers, out, c } = setup(1, 250);
    c.push("A", 1);
    timers.advanceTo(600);
    c.push("A", 2);
    expect(out.map((o) => o.at)).toEqual([0, 600]);
  });

  it("drops a waiting value of a forgotten key and disarms its timer", () => {
    const { timers, out, c } = setup(1, 250);
    c.push("A", 1);
    c.push("A", 2);
    expect(c.waiting()).toBe(1);
    c.forget("A");
    timers.advanceTo(1_000);
    expect(out.map((o) => o.value)).toEqual([1]);
    expect(timers.armed).toBe(0);
  });

  it("a value arriving while one waits replaces it", () => {
    const { timers, out, c } = setup(1, 250);
    c.push("A", 1);
    c.push("A", 2);
    timers.advanceTo(249);
    c.push("A", 3);
    timers.advanceTo(2_000);
    expect(out.map((o) => `${o.value}@${o.at}`)).toEqual(["1@0", "3@250"]);
  });

  it("a late timer never lets more than the maximum out within one window", () => {
    const { timers, out, c } = setup(1, 250);
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
    const { timers, out, c } = setup(1, 250);
    c.push("A", 1);
    c.push("A", 2);
    timers.jumpTo(400);
    c.push("A", 3);
    timers.advanceTo(2_000);
    expect(out.map((o) => `${o.value}@${o.at}`)).toEqual(["1@0", "3@400"]);
    expect(timers.armed).toBe(0);
  });

  it("refuses a limit that would let nothing through", () => {
    expect(() => new Coalescer<number>(0, 1_000, () => undefined)).toThrow(RangeError);
  });
});
