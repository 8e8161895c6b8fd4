/**
 * Per-key rate limiting with a trailing edge: at most `max` values of a key go out in any `windowMs` (a sliding
 * window), and the latest value of a burst is always emitted (a superseded value is dropped, the last one never is).
 * A value goes out at once while the window has room, so a contract ticking at the limit's own rate is never held
 * back (a fixed minimum spacing would delay every slightly early tick by most of a spacing). Time and timers are
 * injected, so the behaviour is tested without waiting (docs/market-data.md "The upstream feed").
 */

export interface TimerPort {
  /** Milliseconds on a monotonic-enough clock. */
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** The process's wall clock and `setTimeout` (timers unref'd: they never keep a process alive). */
export const systemTimers: TimerPort = {
  now: () => performance.now(),
  setTimer: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};

interface Slot<T> {
  /** When the key's last `max` values went out, oldest first. */
  sent: number[];
  /** The latest value waiting for room in the window, if any. */
  pending?: { value: T };
  timer?: unknown;
}

export class Coalescer<T> {
  private readonly slots = new Map<string, Slot<T>>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly emit: (key: string, value: T) => void,
    private readonly timers: TimerPort = systemTimers,
  ) {
    if (!(max >= 1) || !(windowMs > 0)) throw new RangeError("Coalescer: max ≥ 1 and windowMs > 0");
  }

  /** Offers the latest value of `key`: emitted now if the window has room (nothing is waiting), else when it has. */
  push(key: string, value: T): void {
    const now = this.timers.now();
    let slot = this.slots.get(key);
    if (!slot) this.slots.set(key, (slot = { sent: [] }));
    if (this.hasRoom(slot, now)) {
      // A value still waiting here means its timer is late (a busy process): this newer one replaces it, now.
      if (slot.timer !== undefined) this.timers.clearTimer(slot.timer);
      slot.timer = undefined;
      slot.pending = undefined;
      this.send(key, slot, value, now);
      return;
    }
    slot.pending = { value };
    slot.timer ??= this.timers.setTimer(() => this.fire(key), slot.sent[0] + this.windowMs - now);
  }

  private hasRoom(slot: Slot<T>, now: number): boolean {
    return slot.sent.length < this.max || now - slot.sent[0] >= this.windowMs;
  }

  private send(key: string, slot: Slot<T>, value: T, now: number): void {
    slot.sent.push(now);
    if (slot.sent.length > this.max) slot.sent.shift();
    this.emit(key, value);
  }

  private fire(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    slot.timer = undefined;
    const pending = slot.pending;
    if (!pending) return;
    const now = this.timers.now();
    if (!this.hasRoom(slot, now)) {
      // Fired early by the timer's own rounding: wait for the rest of the window.
      slot.timer = this.timers.setTimer(() => this.fire(key), slot.sent[0] + this.windowMs - now);
      return;
    }
    slot.pending = undefined;
    this.send(key, slot, pending.value, now);
  }

  /** Forgets `key` (no longer streamed): a value still waiting is dropped. */
  forget(key: string): void {
    const slot = this.slots.get(key);
    if (slot?.timer !== undefined) this.timers.clearTimer(slot.timer);
    this.slots.delete(key);
  }

  /** Forgets every key. */
  clear(): void {
    for (const key of [...this.slots.keys()]) this.forget(key);
  }

  /** Keys with a value waiting for its slot. */
  waiting(): number {
    let n = 0;
    for (const s of this.slots.values()) if (s.pending) n++;
    return n;
  }
}
