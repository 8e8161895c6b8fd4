/**
 * Fan-out latency figures of a run (docs/market-data.md "P&L history", fan-out latency): percentiles and a
 * histogram of per-account latencies in ms. Pure.
 */

/** Nearest-rank percentile (`p` in 0–100) of `values`; null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0–100, got ${p}`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export interface LatencyBucket {
  /** Inclusive lower bound, ms. */
  fromMs: number;
  /** Exclusive upper bound, ms. */
  toMs: number;
  count: number;
}

/** Bucket widths tried in order: the first that covers the range in at most `maxBuckets` buckets is used. */
const NICE_WIDTHS_MS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000];

/**
 * Equal-width histogram of `values` (ms, ≥ 0) on a round width, from the bucket holding the smallest value to the
 * one holding the largest, empty buckets included so the shape is honest. No values, no buckets.
 */
export function latencyHistogram(values: readonly number[], maxBuckets = 20): LatencyBucket[] {
  if (values.length === 0) return [];
  if (values.some((v) => !Number.isFinite(v) || v < 0)) throw new RangeError("latencies must be finite and ≥ 0");
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = (w: number) => Math.floor(max / w) - Math.floor(min / w) + 1;
  const width =
    NICE_WIDTHS_MS.find((w) => span(w) <= maxBuckets) ??
    Math.ceil((max - Math.floor(min) + 1) / maxBuckets / 60_000) * 60_000;
  const first = Math.floor(min / width);
  const buckets: LatencyBucket[] = [];
  for (let i = 0; i < span(width); i += 1)
    buckets.push({ fromMs: (first + i) * width, toMs: (first + i + 1) * width, count: 0 });
  for (const v of values) buckets[Math.floor(v / width) - first].count += 1;
  return buckets;
}

export interface AccountLatency {
  accountId: string;
  /** Trigger → the broker's acknowledgement of the account's first order, ms; null when none was acknowledged. */
  firstAckMs: number | null;
  /** Trigger → acknowledgement of its last order, ms. */
  lastAckMs: number | null;
}

/** Per-account latencies of a run from its orders' acknowledgement times (epoch ms) and the trigger time. */
export function accountLatencies(
  triggeredAt: number,
  orders: readonly { accountId: string; acknowledgedAt: number | null }[],
): AccountLatency[] {
  const out = new Map<string, AccountLatency>();
  for (const o of orders) {
    const a = out.get(o.accountId) ?? { accountId: o.accountId, firstAckMs: null, lastAckMs: null };
    if (o.acknowledgedAt !== null) {
      // A clock step can put an acknowledgement before the trigger; it counts as 0, never as negative latency.
      const ms = Math.max(0, o.acknowledgedAt - triggeredAt);
      a.firstAckMs = a.firstAckMs === null ? ms : Math.min(a.firstAckMs, ms);
      a.lastAckMs = a.lastAckMs === null ? ms : Math.max(a.lastAckMs, ms);
    }
    out.set(o.accountId, a);
  }
  return [...out.values()];
}
