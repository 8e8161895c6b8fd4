/**
 * The prices a round of risk evaluations may use (docs/risk.md "Prices"): the live quote store and the watchdog's
 * stale flags of each feed kind, checked per contract (lib/trading/risk/price-check.ts), and for each unusable one
 * whether its market should be quoting (stale: an event and an alert) or cannot (closed: the engine waits).
 */
import { env } from "@/lib/env";
import { sessionOf } from "@/lib/services/calendar";
import { readQuotes, readStaleFlags, type FeedKind } from "@/lib/services/market-data";
import { istDateOf, sessionOpenAt } from "@/lib/trading/calendar";
import { checkPrice, unusableKind, type MarketState, type PriceCheck } from "@/lib/trading/risk/price-check";
import type { PriceInput } from "@/lib/trading/risk/evaluate-run";
import { wantedSince } from "./memory";
import { thresholdFor, type StaleThresholds } from "@/lib/trading/staleness";

/** The time of a round, and whether every market counts as open (MARKET_ALWAYS_OPEN). */
export interface RiskClock {
  now: Date;
  alwaysOpen: boolean;
}

/** A quote older than the watchdog's threshold for its contract is no price for the engine either. */
export function riskThresholds(): StaleThresholds {
  const e = env();
  return { indexMs: e.MARKET_STALE_MS, contractMs: e.MARKET_STALE_CONTRACT_MS };
}

/** Whether `exchange` is trading at `clock.now` by the trading calendar, and since when. */
export async function marketState(exchange: string, clock: RiskClock): Promise<MarketState> {
  if (clock.alwaysOpen) return { open: true, openedAt: null };
  const now = clock.now.getTime();
  const session = await sessionOf(exchange, istDateOf(now));
  return sessionOpenAt(session, now) ? { open: true, openedAt: session.opensAt } : { open: false, openedAt: null };
}

/** A contract's checked price, its market's state and its staleness threshold. */
export interface CheckedPrice {
  check: PriceCheck;
  market: MarketState;
  maxAgeMs: number;
}

/** Checked prices of `wanted` contracts (`EXCHANGE:SYMBOL` per feed kind), keyed `<kind>|EXCHANGE:SYMBOL`. */
export async function readRiskPrices(
  wanted: ReadonlyMap<FeedKind, ReadonlySet<string>>,
  clock: RiskClock,
  thresholds: StaleThresholds = riskThresholds(),
): Promise<Map<string, CheckedPrice>> {
  const out = new Map<string, CheckedPrice>();
  const now = clock.now.getTime();
  const markets = new Map<string, Promise<MarketState>>();
  const market = (exchange: string) => {
    let m = markets.get(exchange);
    if (!m) markets.set(exchange, (m = marketState(exchange, clock)));
    return m;
  };
  await Promise.all(
    [...wanted].map(async ([kind, keys]) => {
      if (keys.size === 0) return;
      const [quotes, flags] = await Promise.all([readQuotes(kind, [...keys]), readStaleFlags(kind)]);
      for (const key of keys) {
        const exchange = key.slice(0, key.indexOf(":"));
        const maxAgeMs = thresholdFor(exchange, thresholds);
        const check = checkPrice(quotes.get(key) ?? null, flags.has(key), now, maxAgeMs);
        out.set(`${kind}|${key}`, { check, market: await market(exchange), maxAgeMs });
      }
    }),
  );
  return out;
}

/**
 * The prices one run (or account) of `kind` sees, keyed by contract as the pure evaluation wants them; an unusable
 * one is stale or waiting by the watchdog's measure of silence, counted at the earliest from when this process first
 * wanted the contract (./memory.ts).
 */
export function pricesOf(
  all: ReadonlyMap<string, CheckedPrice>,
  kind: FeedKind,
  keys: Iterable<string>,
  now: number,
): Map<string, PriceInput> {
  const out = new Map<string, PriceInput>();
  for (const key of keys) {
    const p = all.get(`${kind}|${key}`);
    if (!p) continue;
    out.set(key, {
      check: p.check,
      kind: p.check.ok ? "stale" : unusableKind(p.check, p.market, now, p.maxAgeMs, wantedSince(`${kind}|${key}`, now)),
    });
  }
  return out;
}
