import Decimal from "decimal.js";
import type { BrokerAdapter, Exchange } from "@/lib/brokers/types";
import { env } from "@/lib/env";
import { ValidationError } from "@/lib/errors";
import { sessionOf, expiryHolidaySet } from "@/lib/services/calendar";
import { istDateOf, istHhMm, misCutoffAt, misCutoffPassed } from "@/lib/trading/calendar";
import { resolveExpiry } from "@/lib/trading/expiry-choice";
import type { InstrumentSettingsTable } from "@/lib/trading/instruments";
import { resolveLegs, type MarketSnapshot, type SymbolInfo } from "@/lib/trading/resolve-legs";
import type { StrategyLeg } from "@/lib/trading/strategy";
import { marketSourceFor, type FeedKindInput } from "./source";
import { redis } from "@/lib/redis";

// Which account serves prices (and of which feed kind) is decided in ./source; callers pick through here.
export {
  feedKindOf,
  feedLabel,
  marketSourceFor,
  sourceCandidates,
  type FeedKind,
  type FeedKindInput,
  type MarketSource,
  type SourceNote,
} from "./source";

/** Reference data (expiry lists, lot and freeze sizes) changes between trading days, not within one. */
const REFERENCE_TTL_S = 24 * 3600;

/**
 * One trading day's reference value from Redis, else from the broker (then kept for the day). Every run of the day
 * then spends its market-data budget on prices only. Keyed by exchange facts, not by account: they are the same
 * at every broker. Null (unknown to the broker) is not kept, so a contract listed later is found.
 */
async function dailyReference<T>(key: string, today: string, fetch: () => Promise<T | null>): Promise<T | null> {
  const k = `md:ref:${today}:${key}`;
  const hit = await redis().get(k);
  if (hit) return JSON.parse(hit) as T;
  const value = await fetch();
  if (value !== null) await redis().set(k, JSON.stringify(value), "EX", REFERENCE_TTL_S);
  return value;
}

/**
 * The owner's market-data adapter for orders to `targets` (lib/services/market-data/source.ts): the primary, or at once
 * the next healthy account of the same feed kind (real or simulated) when the primary is down. Every run resolves
 * prices once, from here, shared by all accounts.
 */
export async function marketSource(
  ownerId: string,
  targets: readonly FeedKindInput[] = [],
  ownerAccounts?: Parameters<typeof marketSourceFor>[2],
): Promise<BrokerAdapter> {
  return (await marketSourceFor(ownerId, targets, ownerAccounts)).adapter;
}

/**
 * Builds the market snapshot a run is planned on, in three steps against the market-data source: index spots and
 * expiry lists; option chains for premium-near legs; then quotes (protected limits) and broker symbol info
 * (lot size, freeze quantity) of the contracts the legs resolve to.
 */
export async function buildSnapshot(
  source: BrokerAdapter,
  legs: readonly StrategyLeg[],
  instruments: InstrumentSettingsTable,
  today: string,
): Promise<MarketSnapshot> {
  const underlyings = [...new Set(legs.map((l) => l.underlying.toUpperCase()))].filter((u) => instruments[u]);
  const spot: Record<string, Decimal> = {};
  const expiries: Record<string, { options?: string[]; futures?: string[] }> = {};
  await Promise.all(
    underlyings.map(async (u) => {
      const s = instruments[u];
      const needs = new Set(legs.filter((l) => l.underlying.toUpperCase() === u).map((l) => l.instrument));
      const list = (kind: "options" | "futures") =>
        needs.has(kind)
          ? dailyReference(`expiries:${s.exchange}:${u}:${kind}`, today, () =>
              source.expiries(u, s.exchange as Exchange, kind),
            )
          : null;
      const [quote, options, futures] = await Promise.all([
        source.quote(u, s.indexExchange as Exchange),
        list("options"),
        list("futures"),
      ]);
      spot[u] = quote.ltp;
      expiries[u] = { ...(options ? { options } : {}), ...(futures ? { futures } : {}) };
    }),
  );
  const quotes: Record<string, Decimal> = {};
  // Premium-near legs need the chain of their expiry: one option-chain call per (underlying, expiry).
  const chains = new Map<string, { u: string; expiry: string }>();
  for (const leg of legs) {
    if (leg.instrument !== "options" || leg.strike.kind !== "premium_near") continue;
    const u = leg.underlying.toUpperCase();
    const rule = instruments[u]?.expiry;
    const r = resolveExpiry(
      leg.expiry,
      expiries[u]?.options ?? [],
      today,
      rule?.weekly ? "weekly" : "monthly",
      rule?.weekday,
    );
    if (r.ok) chains.set(`${u}|${r.expiry}`, { u, expiry: r.expiry });
  }
  await Promise.all(
    [...chains.values()].map(async ({ u, expiry }) => {
      const chain = await source.optionChain(u, instruments[u].indexExchange as Exchange, expiry);
      for (const row of chain.rows)
        for (const leg of [row.ce, row.pe]) if (leg && leg.ltp.gt(0)) quotes[leg.symbol] = leg.ltp;
    }),
  );
  const holidays = await expiryHolidaySet(today);
  const snapshot: MarketSnapshot = { spot, expiries, instruments, quotes, holidays };
  // Resolve once with MARKET orders only to learn the contracts, then fetch their symbol info (lot and freeze
  // sizes, cached for the day) and the quotes that price a protected limit; market orders need no quote.
  const probe = resolveLegs(
    { legs: legs.map((l) => ({ ...l, orderType: { kind: "MARKET" } }) as StrategyLeg) },
    snapshot,
    today,
  );
  if (!probe.ok) return snapshot;
  const symbolInfo: Record<string, SymbolInfo> = {};
  await Promise.all(
    probe.legs.map(async (leg) => {
      const needsQuote = legs[leg.legIndex].orderType.kind === "PROTECTED_LIMIT" && !quotes[leg.symbol];
      const [quote, info] = await Promise.all([
        needsQuote ? source.quote(leg.symbol, leg.exchange) : null,
        dailyReference(`symbol:${leg.exchange}:${leg.symbol}`, today, async () => {
          const found = await source.symbolInfo(leg.symbol, leg.exchange);
          return found && { lotSize: found.lotSize, freezeQty: found.freezeQty };
        }),
      ]);
      if (quote?.ltp.gt(0)) quotes[leg.symbol] = quote.ltp;
      if (info) symbolInfo[leg.symbol] = info;
    }),
  );
  return { ...snapshot, symbolInfo };
}

/** The time a plan is made at, and whether time-of-day rules apply (off for an always-open simulated market). */
export interface TradingClock {
  now: Date;
  alwaysOpen: boolean;
}

/** The wall clock, with the operator's MARKET_ALWAYS_OPEN switch. Services take a clock so tests can pass a fixed one. */
export function tradingClock(): TradingClock {
  return { now: new Date(), alwaysOpen: env().MARKET_ALWAYS_OPEN };
}

/**
 * Refuses an intraday (MIS) plan after the square-off cut-off of the day's session on any of `exchanges` (15:15 IST on
 * a regular day, 15 minutes before a special session's close: docs/calendar.md), naming the product field: brokers
 * would reject it.
 */
export async function assertProductAllowed(
  product: string,
  exchanges: readonly string[],
  clock: TradingClock,
): Promise<void> {
  if (product !== "MIS" || clock.alwaysOpen) return;
  const now = clock.now.getTime();
  for (const exchange of new Set(exchanges)) {
    const session = await sessionOf(exchange, istDateOf(now));
    if (!misCutoffPassed(now, session)) continue;
    const message = `MIS orders cannot be placed after the square-off time (${istHhMm(misCutoffAt(now, session))} IST); use NRML (CNC for cash) or wait for the next session`;
    throw new ValidationError(message, { product: [message] });
  }
}

// Live prices (the worker's upstream feed, quotes and stale flags in Redis, reference-counted interest): ./live.
export * from "./live/contract";
export { publishUi, readQuotes, readStaleFlags, setStale, writeQuote } from "./live/quote-store";
export { registerInterest, releaseInterest, renewInterest, wantedContracts, type Wanted } from "./live/interest";
// The worker's upstream feed (one leader, one WebSocket per feed kind) and its metrics: ./live/feed.
export { FeedManager, startMarketFeed, type FeedManagerOptions } from "./live/feed";
export { readFeedStats, readFeedStatus, registerFeedMetrics } from "./live/feed-metrics";
export { feedLeader } from "./live/leader";

// Stale data (docs/market-data.md "Stale data"): the watchdog's sweep, its alert, and entries refused on stale prices.
export { sweepStale, watchdogOptions, type SweepSummary, type WatchdogOptions } from "./live/watchdog";
export { staleAlertKind } from "./live/stale-alerts";
export { assertFreshMarket } from "./live/fresh";
