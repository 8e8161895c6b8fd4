/**
 * Pure decisions of the stale-data watchdog (docs/market-data.md "Stale data"): whether a contract's session is open
 * (so silence means something), whether a wanted contract's silence has gone on too long, when a REST quote may fill
 * the gap again, and which stale contracts belong to an underlying. Times are epoch milliseconds passed in.
 */
import { sessionOpenAt, type ExchangeSession } from "./calendar";
import { parseDerivativeSymbol } from "./symbols";

/**
 * When the day's `session` opened, if it is open at `epochMs`; null when it is not (a weekend, a holiday, outside its
 * window). The session comes from the trading calendar (docs/calendar.md): a special session is open, a holiday closed.
 */
export function sessionOpenedAt(session: ExchangeSession, epochMs: number): number | null {
  return sessionOpenAt(session, epochMs) ? session.opensAt : null;
}

/** Exchanges whose quotes are index values (computed and sent every second or so while the market is open). */
export const INDEX_EXCHANGES: ReadonlySet<string> = new Set(["NSE_INDEX", "BSE_INDEX", "MCX_INDEX"]);

export interface StaleThresholds {
  /** Index values: the exchange computes them continuously, so a few seconds of silence is a broken feed. */
  indexMs: number;
  /** Every other contract: a quiet strike may go several seconds without a trade or a change of its best quotes. */
  contractMs: number;
}

export const thresholdFor = (exchange: string, t: StaleThresholds) =>
  INDEX_EXCHANGES.has(exchange.toUpperCase()) ? t.indexMs : t.contractMs;

export interface StalenessInput {
  now: number;
  /** Silence longer than this (ms) is stale; exactly this long is not yet. */
  thresholdMs: number;
  /** Whether the contract's market is in session now; a closed market is never stale. */
  marketOpen: boolean;
  /** When today's session opened (null when always open): silence before the open does not count. */
  sessionOpenedAt: number | null;
  /** When the last tick from the live feed arrived (null when none is known). */
  lastFeedAt: number | null;
  /** Since when the contract has been wanted (the watchdog's own record). */
  wantedSince: number;
  /** The flag currently raised for it, if any. */
  flaggedSince: number | null;
}

export type StalenessDecision =
  | { action: "none" }
  | { action: "keep" }
  | { action: "raise"; silentSince: number; silentMs: number }
  | { action: "clear"; why: "fresh_tick" | "market_closed" };

/**
 * One contract at one sweep. Silence is measured from the latest of its last live tick, the moment it became wanted
 * and the session's open (a contract subscribed a second ago, or a market that opened a second ago, is not stale
 * because yesterday's last tick is old). A raised flag stays until a live tick newer than the flag arrives, or the
 * market closes.
 */
export function decideStaleness(i: StalenessInput): StalenessDecision {
  if (!i.marketOpen) return i.flaggedSince === null ? { action: "none" } : { action: "clear", why: "market_closed" };
  if (i.flaggedSince !== null) {
    return i.lastFeedAt !== null && i.lastFeedAt > i.flaggedSince
      ? { action: "clear", why: "fresh_tick" }
      : { action: "keep" };
  }
  const silentSince = Math.max(i.lastFeedAt ?? -Infinity, i.wantedSince, i.sessionOpenedAt ?? -Infinity);
  const silentMs = i.now - silentSince;
  return silentMs > i.thresholdMs ? { action: "raise", silentSince, silentMs } : { action: "none" };
}

/** Whether a stale contract may be asked for a REST quote again: at most one call per `everyMs`. */
export function restDue(lastRestAt: number | null, now: number, everyMs: number): boolean {
  return lastRestAt === null || now - lastRestAt >= everyMs;
}

/** The underlying a contract belongs to: a derivative's underlying, else the symbol itself (index or equity). */
export function underlyingOfSymbol(symbol: string): string {
  return (parseDerivativeSymbol(symbol.toUpperCase())?.underlying ?? symbol).toUpperCase();
}

/**
 * The stale contracts that make `underlying` stale: its index (or the equity itself) and every derivative of it.
 * Flags exist only for contracts something wants live, so "any contract of it that is wanted and stale".
 */
export function staleContractsOf<F extends { symbol: string }>(flags: Iterable<F>, underlying: string): F[] {
  const u = underlying.toUpperCase();
  return [...flags].filter((f) => underlyingOfSymbol(f.symbol) === u);
}
