/**
 * The stale-data watchdog (docs/market-data.md "Stale data"). Every sweep looks at the contracts some live lease
 * wants, per feed kind: one silent beyond its threshold while its market is open is flagged stale (`setStale`), a
 * REST quote fills its gap (labelled `rest`, at most one call per contract per MARKET_STALE_REST_MS), and the flag
 * clears once a live tick newer than the flag arrives, the market closes or nothing wants the contract any more. The
 * decision itself is pure (lib/trading/staleness.ts); the sweep takes its time from the caller so tests pass one.
 */
import { env } from "@/lib/env";
import { formatTimeIst } from "@/lib/format";
import { log } from "@/lib/log";
import { redis } from "@/lib/redis";
import { sessionOf } from "@/lib/services/calendar";
import { istDateOf, type ExchangeSession } from "@/lib/trading/calendar";
import {
  decideStaleness,
  INDEX_EXCHANGES,
  restDue,
  sessionOpenedAt,
  thresholdFor,
  type StaleThresholds,
} from "@/lib/trading/staleness";
import type { FeedKind } from "../source";
import { LIVE, liveKey, type LiveQuote, type StaleFlag } from "./contract";
import { wantedContracts, type Wanted } from "./interest";
import { publishUi, readQuotes, readStaleFlags, setStale, writeQuote } from "./quote-store";
import { restCandidates, restQuote } from "./rest-fallback";
import { syncStaleAlerts } from "./stale-alerts";

/** The watchdog's own records (not part of the live contract): since when each contract is wanted, last REST call. */
const WATCH = {
  wantedSince: (kind: FeedKind) => `md:live:watch:wanted-since:${kind}`,
  restAt: (kind: FeedKind) => `md:live:watch:rest-at:${kind}`,
};

export interface WatchdogOptions extends StaleThresholds {
  /** Least time between two REST quotes of one stale contract, ms. */
  restEveryMs: number;
}

export function watchdogOptions(): WatchdogOptions {
  const e = env();
  return { indexMs: e.MARKET_STALE_MS, contractMs: e.MARKET_STALE_CONTRACT_MS, restEveryMs: e.MARKET_STALE_REST_MS };
}

export interface SweepSummary {
  wanted: number;
  /** Flagged after the sweep. */
  stale: number;
  raised: string[];
  cleared: string[];
  /** Contracts a REST quote was written for. */
  rest: string[];
}

/** Most REST quotes one sweep asks for, per feed kind. */
export const REST_PER_SWEEP = 20;

// Claims the REST slot of a contract when the last call is at least ARGV[3] ms before ARGV[2] (the sweep's time):
// two overlapping sweeps (two workers) never both call.
const CLAIM_REST = `local v = redis.call('HGET', KEYS[1], ARGV[1])
if v and tonumber(ARGV[2]) - tonumber(v) < tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`;

/** One sweep of both feed kinds at `clock.now` (`alwaysOpen`: MARKET_ALWAYS_OPEN, sessions do not apply). */
export async function sweepStale(
  clock: { now: Date; alwaysOpen: boolean },
  options: WatchdogOptions = watchdogOptions(),
): Promise<Record<FeedKind, SweepSummary>> {
  return {
    real: await sweepKind("real", clock, options),
    simulated: await sweepKind("simulated", clock, options),
  };
}

/** Since when each wanted contract is wanted (new ones from `now`); forgets contracts no longer wanted. */
async function wantedSince(kind: FeedKind, wanted: Map<string, Wanted>, now: number): Promise<Map<string, number>> {
  const key = WATCH.wantedSince(kind);
  const known = await redis().hgetall(key);
  const fresh = [...wanted.keys()].filter((k) => known[k] === undefined);
  const gone = Object.keys(known).filter((k) => !wanted.has(k));
  const m = redis().multi();
  for (const k of fresh) m.hsetnx(key, k, String(now));
  if (gone.length) m.hdel(key, ...gone);
  if (fresh.length || gone.length) await m.exec();
  return new Map([...wanted.keys()].map((k) => [k, known[k] === undefined ? now : Number(known[k])]));
}

const feedTime = (q: LiveQuote | undefined) => (q?.source === "feed" ? Date.parse(q.receivedAt) : null);

/** The flag's reason in words: how long it has been silent, against what, and when the last live tick came. */
function reasonFor(w: Wanted, silentMs: number, lastFeedAt: number | null, thresholdMs: number, sessions: boolean) {
  const s = (ms: number) => `${(ms / 1000).toFixed(1).replace(/\.0$/, "")} s`;
  const last = lastFeedAt === null ? "no live tick yet" : `last live tick at ${formatTimeIst(lastFeedAt)}`;
  const where = sessions ? ` while ${w.exchange} is open` : "";
  return `No live tick for ${s(silentMs)} (threshold ${s(thresholdMs)})${where}; ${last}`;
}

async function sweepKind(
  kind: FeedKind,
  clock: { now: Date; alwaysOpen: boolean },
  o: WatchdogOptions,
): Promise<SweepSummary> {
  const now = clock.now.getTime();
  // Simulated markets count as always open: the simulator is run always open (demo and tests), and its clock need not
  // follow the wall clock's sessions.
  const alwaysOpen = clock.alwaysOpen || kind === "simulated";
  const wanted = await wantedContracts(kind);
  const keys = [...wanted.keys()];
  const [quotes, flags, since] = await Promise.all([
    readQuotes(kind, keys),
    readStaleFlags(kind),
    wantedSince(kind, wanted, now),
  ]);
  const summary: SweepSummary = { wanted: keys.length, stale: 0, raised: [], cleared: [], rest: [] };
  // Only a feed can fall silent: a kind no feed has streamed (no connection state, no live quote of a wanted
  // contract, no flag) shows no live prices anywhere, and plans price it from REST.
  const streamed =
    flags.size > 0 ||
    [...quotes.values()].some((q) => q.source === "feed") ||
    (await redis().exists(LIVE.feedStatus(kind))) === 1;
  if (!streamed) return summary;

  // A flag nothing wants any more has nobody to warn.
  for (const key of flags.keys()) {
    if (wanted.has(key)) continue;
    if (await setStale(kind, key, null)) summary.cleared.push(key);
    flags.delete(key);
  }
  // Each exchange's session today from the trading calendar (docs/calendar.md): a special session is watched, a
  // holiday is not.
  const sessions = new Map<string, Promise<ExchangeSession>>();
  const sessionFor = (exchange: string) => {
    if (!sessions.has(exchange)) sessions.set(exchange, sessionOf(exchange, istDateOf(now)));
    return sessions.get(exchange)!;
  };
  for (const [key, w] of wanted) {
    const opened = alwaysOpen ? null : sessionOpenedAt(await sessionFor(w.exchange), now);
    const thresholdMs = thresholdFor(w.exchange, o);
    const lastFeedAt = feedTime(quotes.get(key));
    const flag = flags.get(key);
    const d = decideStaleness({
      now,
      thresholdMs,
      marketOpen: alwaysOpen || opened !== null,
      sessionOpenedAt: opened,
      lastFeedAt,
      wantedSince: since.get(key) ?? now,
      flaggedSince: flag ? Date.parse(flag.since) : null,
    });
    if (d.action === "raise") {
      const raised: StaleFlag = {
        exchange: w.exchange,
        symbol: w.symbol,
        since: clock.now.toISOString(),
        lastTickAt: lastFeedAt === null ? null : new Date(lastFeedAt).toISOString(),
        reason: reasonFor(w, d.silentMs, lastFeedAt, thresholdMs, !alwaysOpen),
      };
      // Another sweep may have raised it first: its flag stands.
      if (await setStale(kind, key, raised)) summary.raised.push(key);
      flags.set(key, (await readStaleFlags(kind)).get(key) ?? raised);
    } else if (d.action === "clear") {
      if (await setStale(kind, key, null)) summary.cleared.push(key);
      flags.delete(key);
    }
  }
  summary.stale = flags.size;
  if (summary.raised.length || summary.cleared.length)
    log().warn({ kind, raised: summary.raised, cleared: summary.cleared, stale: flags.size }, "stale live prices");

  summary.rest = await fillGaps(kind, flags, now, o.restEveryMs);
  await syncStaleAlerts(kind, flags, clock.now, o.restEveryMs);
  return summary;
}

/** REST quotes for the stale contracts whose slot is free; returns the keys written. */
async function fillGaps(
  kind: FeedKind,
  flags: ReadonlyMap<string, StaleFlag>,
  now: number,
  everyMs: number,
): Promise<string[]> {
  const slots = await redis().hgetall(WATCH.restAt(kind));
  // Slots of contracts no longer stale are dropped: a contract that goes stale again gets its REST quote at once.
  const done = Object.keys(slots).filter((k) => !flags.has(k));
  if (done.length) await redis().hdel(WATCH.restAt(kind), ...done);
  if (flags.size === 0) return [];
  const lastAt = (k: string) => (slots[k] === undefined ? null : Number(slots[k]));
  // When the whole feed is down every wanted contract is stale: indices first, then the longest without a REST quote,
  // at most REST_PER_SWEEP each sweep, so the market-data accounts' rate limits are spent where entries look.
  const due = [...flags.keys()]
    .filter((k) => restDue(lastAt(k), now, everyMs))
    .sort(
      (a, b) =>
        Number(!INDEX_EXCHANGES.has(flags.get(a)!.exchange)) - Number(!INDEX_EXCHANGES.has(flags.get(b)!.exchange)) ||
        (lastAt(a) ?? -Infinity) - (lastAt(b) ?? -Infinity),
    )
    .slice(0, REST_PER_SWEEP);
  const claimed: string[] = [];
  for (const key of due)
    if ((await redis().eval(CLAIM_REST, 1, WATCH.restAt(kind), key, String(now), String(everyMs))) === 1)
      claimed.push(key);
  if (claimed.length === 0) return [];
  const candidates = await restCandidates(kind);
  if (candidates.length === 0) {
    log().warn({ kind, contracts: claimed.length }, "stale contracts but no account of this kind to ask for quotes");
    return [];
  }
  const at = new Date(now);
  const written = await Promise.all(
    claimed.map(async (key) => {
      const flag = flags.get(key)!;
      const quote = await restQuote(candidates, flag.exchange, flag.symbol, at);
      if (!quote) return null;
      // The feed may have come back while the REST call was out: a live tick newer than the flag is not overwritten.
      const current = (await readQuotes(kind, [key])).get(key);
      const live = feedTime(current);
      if (live !== null && live > Date.parse(flag.since)) return null;
      await writeQuote(kind, quote);
      await publishUi(kind, quote);
      return liveKey(quote.exchange, quote.symbol);
    }),
  );
  return written.filter((k): k is string => k !== null);
}
