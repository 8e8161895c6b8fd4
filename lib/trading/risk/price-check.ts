/**
 * Which prices a risk decision may use (docs/risk.md "Prices"): only a quote from the live feed, above zero, not
 * flagged stale by the watchdog and not older than the staleness threshold. Anything else is no price at all for the
 * engine — never a REST fallback, never a zero, never yesterday's tick. Pure: times are epoch ms passed in.
 */
import Decimal from "decimal.js";

/** What the engine needs of a live quote (lib/services/market-data `LiveQuote`). */
export interface QuoteView {
  ltp: string;
  /** When MirrorDesk received it (ISO). */
  receivedAt: string;
  source: "feed" | "rest";
}

export type PriceProblem = "none" | "zero" | "rest" | "flagged" | "old";

export type PriceCheck =
  { ok: true; ltp: Decimal; at: string } | { ok: false; problem: PriceProblem; ltp: string | null; at: string | null };

/** Whether `quote` may price a risk decision at `now` (`flagged`: the watchdog flags the contract stale). */
export function checkPrice(quote: QuoteView | null, flagged: boolean, now: number, maxAgeMs: number): PriceCheck {
  if (!quote) return { ok: false, problem: "none", ltp: null, at: null };
  const bad = (problem: PriceProblem): PriceCheck => ({ ok: false, problem, ltp: quote.ltp, at: quote.receivedAt });
  if (quote.source !== "feed") return bad("rest");
  const ltp = new Decimal(quote.ltp);
  if (!ltp.gt(0)) return bad("zero");
  if (flagged) return bad("flagged");
  // A quote stamped after `now` (an injected clock behind the feed's) is as fresh as it gets.
  if (now - Date.parse(quote.receivedAt) > maxAgeMs) return bad("old");
  return { ok: true, ltp, at: quote.receivedAt };
}

/** Whether a contract's market is trading: open now (or always, for a simulated or always-open market) and since when. */
export interface MarketState {
  open: boolean;
  /** When the current session opened (epoch ms); null when always open. */
  openedAt: number | null;
}

/**
 * Why an unusable price stops a decision: `stale` when its market should be quoting it (a broken feed: a risk event
 * and an alert), `waiting` when it cannot be, or not yet. A market that is closed, a session that opened less than the
 * threshold ago and a contract wanted (a run armed) less than the threshold ago all wait, as the stale-data watchdog
 * measures silence; a zero price, a REST fallback or a watchdog flag in an open market are stale at once.
 */
export function unusableKind(
  check: Extract<PriceCheck, { ok: false }>,
  market: MarketState,
  now: number,
  maxAgeMs: number,
  wantedSince: number,
): "stale" | "waiting" {
  if (!market.open) return "waiting";
  if (check.problem !== "none" && check.problem !== "old") return "stale";
  const lastTick = check.at === null ? -Infinity : Date.parse(check.at);
  const silentSince = Math.max(lastTick, market.openedAt ?? -Infinity, wantedSince);
  return now - silentSince > maxAgeMs ? "stale" : "waiting";
}

const WORDS: Record<PriceProblem, string> = {
  none: "no live quote",
  zero: "a zero price",
  rest: "only a REST fallback quote",
  flagged: "flagged stale by the watchdog",
  old: "no live tick within the staleness threshold",
};

/** `NFO:NIFTY…CE: flagged stale by the watchdog`, for snapshots, events and alerts. */
export function describeProblem(key: string, check: Extract<PriceCheck, { ok: false }>): string {
  return `${key}: ${WORDS[check.problem]}`;
}
