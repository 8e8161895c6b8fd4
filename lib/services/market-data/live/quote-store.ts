/**
 * Latest live quotes and stale flags in Redis (keys in ./contract). The feed writes; streams, the positions ledger,
 * MTM snapshots and risk checks read.
 */
import { redis } from "@/lib/redis";
import type { FeedKind } from "../source";
import {
  LIVE,
  liveKey,
  liveQuoteSchema,
  staleFlagSchema,
  type LiveQuote,
  type StaleEvent,
  type StaleFlag,
} from "./contract";

/** A quote is kept a day after its last tick: long enough for an overnight position's first look at the morning. */
const QUOTE_TTL_S = 36 * 3600;

function parse<T>(text: string | null, schema: { safeParse(v: unknown): { success: boolean; data?: T } }): T | null {
  if (!text) return null;
  try {
    const r = schema.safeParse(JSON.parse(text));
    return r.success ? (r.data as T) : null;
  } catch {
    return null;
  }
}

/** Stores a contract's latest quote and publishes it to server-side consumers (every tick). */
export async function writeQuote(kind: FeedKind, quote: LiveQuote): Promise<void> {
  const text = JSON.stringify(quote);
  await redis()
    .multi()
    .set(LIVE.quote(kind, liveKey(quote.exchange, quote.symbol)), text, "EX", QUOTE_TTL_S)
    .publish(LIVE.ticks(kind), text)
    .exec();
}

/** Latest quotes of `keys` (`EXCHANGE:SYMBOL`); contracts never quoted are absent from the map. */
export async function readQuotes(kind: FeedKind, keys: readonly string[]): Promise<Map<string, LiveQuote>> {
  const out = new Map<string, LiveQuote>();
  if (keys.length === 0) return out;
  const values = await redis().mget(...keys.map((k) => LIVE.quote(kind, k)));
  keys.forEach((k, i) => {
    const q = parse<LiveQuote>(values[i], liveQuoteSchema);
    if (q) out.set(k, q);
  });
  return out;
}

/** Every contract of `kind` currently flagged stale, by key. */
export async function readStaleFlags(kind: FeedKind): Promise<Map<string, StaleFlag>> {
  const all = await redis().hgetall(LIVE.stale(kind));
  const out = new Map<string, StaleFlag>();
  for (const [k, v] of Object.entries(all)) {
    const f = parse<StaleFlag>(v, staleFlagSchema);
    if (f) out.set(k, f);
  }
  return out;
}

/** Raises (flag) or clears (null) a contract's stale flag; publishes the change only when it is one. */
export async function setStale(kind: FeedKind, key: string, flag: StaleFlag | null): Promise<boolean> {
  const r = redis();
  const changed = flag
    ? await r.hsetnx(LIVE.stale(kind), key, JSON.stringify(flag))
    : await r.hdel(LIVE.stale(kind), key);
  if (changed === 0) return false;
  const event: StaleEvent = { kind, key, stale: flag !== null, flag, at: new Date().toISOString() };
  await r.publish(LIVE.staleEvents(kind), JSON.stringify(event));
  return true;
}

/** Sends a contract's quote toward browsers (`LIVE.ui`); the feed calls it at most UI_MAX_PER_SECOND per contract. */
export async function publishUi(kind: FeedKind, quote: LiveQuote): Promise<void> {
  await redis().publish(LIVE.ui(kind, liveKey(quote.exchange, quote.symbol)), JSON.stringify(quote));
}
