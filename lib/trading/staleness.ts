/**
 * Pure decisions of the stale-data watchdog (docs/market-data.md "Stale data"): whether an exchange is in session
 * (so silence means something), whether a wanted contract's silence has gone on too long, when a REST quote may fill
 * the gap again, and which stale contracts belong to an underlying. Times are epoch milliseconds passed in.
 */
import {
  EXCHANGE_HOLIDAYS,
  istDateOf,
  istInstant,
  isTradingDay,
  tradingHolidaySet,
  type ExchangeHoliday,
} from "./calendar";
import { parseDerivativeSymbol } from "./symbols";

/** A live session window (IST wall clock) and the exchange whose holidays close it. */
interface LiveSession {
  open: string;
  close: string;
  holidaysOf: string;
  /** Opens at this time instead on a day the equity markets are closed and this exchange is not. */
  equityHolidayOpen?: string;
}

const EQUITY: LiveSession = { open: "09:15", close: "15:30", holidaysOf: "NSE" };
const BSE: LiveSession = { open: "09:15", close: "15:30", holidaysOf: "BSE" };
// MCX trades to 23:30 while the US observes daylight saving and to 23:55 otherwise; 23:30 all year never calls a
// closed market's silence stale (the winter's last 25 minutes are simply not watched).
// On a holiday of the equity markets alone, commodities trade the evening session only.
const COMMODITY: LiveSession = { open: "09:00", close: "23:30", holidaysOf: "MCX", equityHolidayOpen: "17:00" };
const CURRENCY: LiveSession = { open: "09:00", close: "17:00", holidaysOf: "CDS" };

/**
 * Sessions by OpenAlgo exchange code. NFO/BFO close with the cash market at 15:30 (OpenAlgo's timings say 15:40 for
 * its own bookkeeping; no prices move after 15:30). Indices follow their cash exchange. Unknown codes use NSE's.
 */
const SESSIONS: Readonly<Record<string, LiveSession>> = {
  NSE: EQUITY,
  NFO: EQUITY,
  NSE_INDEX: EQUITY,
  BSE,
  BFO: BSE,
  BSE_INDEX: BSE,
  MCX: COMMODITY,
  MCX_INDEX: COMMODITY,
  NCO: COMMODITY,
  CDS: CURRENCY,
  BCD: { ...CURRENCY, holidaysOf: "BCD" },
};

const sessionOf = (exchange: string): LiveSession => SESSIONS[exchange.toUpperCase()] ?? EQUITY;

/**
 * When `exchange`'s session of the IST day of `epochMs` opened, if it is open at `epochMs`; null when closed
 * (weekend, a holiday closing that exchange, outside the window).
 */
export function sessionOpenedAt(
  exchange: string,
  epochMs: number,
  holidays: readonly ExchangeHoliday[] = EXCHANGE_HOLIDAYS,
): number | null {
  const s = sessionOf(exchange);
  const date = istDateOf(epochMs);
  if (!isTradingDay(date, tradingHolidaySet(holidays, s.holidaysOf))) return null;
  const equityClosed = !isTradingDay(date, tradingHolidaySet(holidays, "NSE"));
  const open = istInstant(date, equityClosed && s.equityHolidayOpen ? s.equityHolidayOpen : s.open);
  return epochMs >= open && epochMs < istInstant(date, s.close) ? open : null;
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
