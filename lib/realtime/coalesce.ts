/**
 * Per-key rate limiting with a trailing edge: values pushed for a key are emitted at most once per `intervalMs`, and
 * the latest value of a burst is always emitted (a superseded value is dropped, the last one never is). The first
 * value after a quiet spell goes out at once. Time and timers are injected, so the behaviour is tested without
 * waiting (docs/market-data.md "The upstream feed").
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
  /** When the key last emitted. */
  last: number;
  /** The latest value waiting for the next slot, if any. */
  pending?: { value: T };
  timer?: unknown;
}

export class Coalescer<T> {
  private readonly slots = new Map<string, Slot<T>>();

  constructor(
    private readonly intervalMs: number,
    private readonly emit: (key: string, value: T) => void,
    private readonly timers: TimerPort = systemTimers,
  ) {}

  /** Offers the latest value of `key`: emitted now if the key's interval has passed, else when it does. */
  push(key: string, value: T): void {
    const now = this.timers.now();
    const slot = this.slots.get(key);
    if (!slot || now - slot.last >= this.intervalMs) {
      if (slot?.timer !== undefined) this.timers.clearTimer(slot.timer);
      this.slots.set(key, { last: now });
      this.emit(key, value);
      return;
    }
    slot.pending = { value };
    if (slot.timer === undefined) {
      slot.timer = this.timers.setTimer(() => this.fire(key), slot.last + this.intervalMs - now);
    }
  }

  private fire(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    slot.timer = undefined;
    const pending = slot.pending;
    if (!pending) return;
    slot.pending = undefined;
    slot.last = this.timers.now();
    this.emit(key, pending.value);
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
