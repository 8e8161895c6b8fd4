/**
 * Pure decisions of the upstream market-data feed (docs/market-data.md "The upstream feed"): which subscriptions to
 * send to bring a stream from what it has to what is wanted, and how long to wait before the next reconnect.
 */

export type Mode = 1 | 2 | 3;

export interface FeedEntry {
  exchange: string;
  symbol: string;
  mode: Mode;
}

export interface SubscriptionPlan {
  /** Contracts to subscribe, each at the mode now wanted. */
  subscribe: FeedEntry[];
  /** Contracts to unsubscribe, each at the mode they were subscribed in (the broker matches the mode). */
  unsubscribe: FeedEntry[];
}

/**
 * The messages that turn `subscribed` into `wanted` (both keyed by `EXCHANGE:SYMBOL`). A mode change is a
 * subscribe at the new mode plus an unsubscribe of the old one, sent in that order, so the stream never stops.
 */
export function planSubscriptions(
  wanted: ReadonlyMap<string, FeedEntry>,
  subscribed: ReadonlyMap<string, FeedEntry>,
): SubscriptionPlan {
  const subscribe: FeedEntry[] = [];
  const unsubscribe: FeedEntry[] = [];
  for (const [key, w] of wanted) {
    const s = subscribed.get(key);
    if (s && s.mode === w.mode) continue;
    subscribe.push({ exchange: w.exchange, symbol: w.symbol, mode: w.mode });
    if (s) unsubscribe.push({ exchange: s.exchange, symbol: s.symbol, mode: s.mode });
  }
  for (const [key, s] of subscribed) {
    if (!wanted.has(key)) unsubscribe.push({ exchange: s.exchange, symbol: s.symbol, mode: s.mode });
  }
  return { subscribe, unsubscribe };
}

export interface Backoff {
  /** Wait before the first retry, ms. */
  minMs: number;
  /** Longest wait, ms. */
  maxMs: number;
}

/**
 * Wait before reconnect attempt `attempt` (1 = the first after a failure): exponential from `minMs`, capped at
 * `maxMs`, with "full jitter" in its upper half so that workers restarted together do not reconnect in step.
 * `random` is a number in [0, 1).
 */
export function backoffDelay(attempt: number, b: Backoff, random: number): number {
  const exp = Math.min(b.maxMs, b.minMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(exp / 2 + (exp / 2) * random);
}
