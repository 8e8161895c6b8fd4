/**
 * Hysteresis of price rules (docs/risk.md "Hysteresis"): a breach fires only once it has been seen on two consecutive
 * evaluations on fresh prices at least `confirmMs` apart. An evaluation that does not see it — the price came back,
 * or the prices were not fresh — disarms it, so a price flapping across a level, or one bad tick, fires nothing until
 * a breach holds. Time-based rules (the time exit) need no confirmation. Pure: the caller keeps the pending map.
 */

/** Consecutive sightings of each breach key (`MAX_LOSS`, `LEG_STOP_LOSS:1`…): when it was first seen. */
export type PendingBreaches = ReadonlyMap<string, number>;

/** The engine's default gap between the two sightings, ms (it re-evaluates a pending run after this long). */
export const CONFIRM_MS = 100;

export interface Confirmation<B> {
  /** Breaches seen twice, `confirmMs` apart: fire them. */
  confirmed: B[];
  /** What to keep for the next evaluation. */
  pending: Map<string, number>;
  /** When a pending breach can next be confirmed (epoch ms); null when nothing is pending. */
  recheckAt: number | null;
}

export function confirmBreaches<B>(
  previous: PendingBreaches,
  seen: readonly B[],
  keyOf: (b: B) => string,
  now: number,
  confirmMs: number = CONFIRM_MS,
): Confirmation<B> {
  const confirmed: B[] = [];
  const pending = new Map<string, number>();
  let recheckAt: number | null = null;
  for (const b of seen) {
    const key = keyOf(b);
    const since = previous.get(key);
    if (since !== undefined && now - since >= confirmMs) {
      confirmed.push(b);
      continue;
    }
    const first = since ?? now;
    pending.set(key, first);
    recheckAt = Math.min(recheckAt ?? Infinity, first + confirmMs);
  }
  return { confirmed, pending, recheckAt };
}
