/**
 * Reference-counted interest in live contracts. Every holder (the positions of all accounts, each open option-chain
 * view, later each risk rule) registers what it needs under its own lease and renews it while it needs it; the feed
 * subscribes the union (at the highest mode any holder wants) and unsubscribes what no live lease names. A holder
 * that dies without releasing stops counting when its lease expires.
 */
import { redis } from "@/lib/redis";
import type { FeedKind } from "../source";
import { LIVE, liveKey, type InterestItem, type StreamMode } from "./contract";

/** Replaces `holder`'s interest with `items` of `kind` for `ttlMs` (renew before it runs out). */
export async function registerInterest(
  holder: string,
  kind: FeedKind,
  items: readonly InterestItem[],
  ttlMs: number,
): Promise<void> {
  const key = LIVE.lease(holder);
  const m = redis().multi().del(key);
  if (items.length > 0) {
    m.hset(key, Object.fromEntries(items.map((i) => [`${kind}|${liveKey(i.exchange, i.symbol)}`, String(i.mode)])));
    m.pexpire(key, ttlMs);
    m.sadd(LIVE.holders, holder);
  } else {
    m.srem(LIVE.holders, holder);
  }
  m.publish(LIVE.interestChanged(), holder);
  await m.exec();
}

/** Extends `holder`'s lease without changing it; false when it had already expired (register again). */
export async function renewInterest(holder: string, ttlMs: number): Promise<boolean> {
  return (await redis().pexpire(LIVE.lease(holder), ttlMs)) === 1;
}

export async function releaseInterest(holder: string): Promise<void> {
  await redis()
    .multi()
    .del(LIVE.lease(holder))
    .srem(LIVE.holders, holder)
    .publish(LIVE.interestChanged(), holder)
    .exec();
}

const FORGET_IF_EXPIRED = `if redis.call('EXISTS', KEYS[1]) == 0 then return redis.call('SREM', KEYS[2], ARGV[1]) end return 0`;

export interface Wanted {
  exchange: string;
  symbol: string;
  mode: StreamMode;
  /** Holders whose live lease names the contract (the reference count). */
  holders: string[];
}

/** The union of all live leases for `kind`, by contract key. Holders whose lease expired are forgotten. */
export async function wantedContracts(kind: FeedKind): Promise<Map<string, Wanted>> {
  const r = redis();
  // Sorted: a Redis set has no order, and callers (and their tests) should see the same list every time.
  const holders = (await r.smembers(LIVE.holders)).sort();
  const out = new Map<string, Wanted>();
  if (holders.length === 0) return out;
  const p = r.pipeline();
  for (const h of holders) p.hgetall(LIVE.lease(h));
  const leases = (await p.exec()) ?? [];
  const expired: string[] = [];
  holders.forEach((h, i) => {
    const fields = (leases[i]?.[1] ?? {}) as Record<string, string>;
    const entries = Object.entries(fields);
    if (entries.length === 0) expired.push(h);
    for (const [field, mode] of entries) {
      const bar = field.indexOf("|");
      if (field.slice(0, bar) !== kind) continue;
      const key = field.slice(bar + 1);
      const at = key.indexOf(":");
      const w = out.get(key) ?? {
        exchange: key.slice(0, at),
        symbol: key.slice(at + 1),
        mode: 1 as StreamMode,
        holders: [],
      };
      w.mode = Math.max(w.mode, Number(mode)) as StreamMode;
      w.holders.push(h);
      out.set(key, w);
    }
  });
  // Forget a holder only if its lease is still gone (it may have registered again since the read above).
  for (const h of expired) await r.eval(FORGET_IF_EXPIRED, 2, LIVE.lease(h), LIVE.holders, h);
  return out;
}
