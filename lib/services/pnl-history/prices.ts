/**
 * Prices for P&L snapshots (docs/market-data.md "P&L history"): the live quote store first; the ledger's own way
 * (a REST quote from the owner's market-data source of the account's feed kind) when a contract has no fresh live
 * quote. Which price was live is reported, so a snapshot never passes a fallback off as live.
 */
import Decimal from "decimal.js";
import type { Exchange } from "@/lib/brokers/types";
import { log } from "@/lib/log";
import {
  feedKindOf,
  liveKey,
  marketSource,
  readQuotes,
  readStaleFlags,
  type FeedKind,
  type FeedKindInput,
  type LiveQuote,
} from "@/lib/services/market-data";

export interface PricedAccount extends FeedKindInput {
  ownerId: string;
}

export interface SnapshotPrice {
  ltp: Decimal | null;
  /** From the live feed, not flagged stale. */
  live: boolean;
}

/** Key of one contract's price for one account: prices are per owner (source) and feed kind. */
export const priceKey = (a: PricedAccount, c: { exchange: string; symbol: string }) =>
  `${a.ownerId}|${feedKindOf(a)}|${liveKey(c.exchange, c.symbol)}`;

const positive = (v: string) => {
  const d = new Decimal(v);
  return d.gt(0) ? d : null;
};

/**
 * A REST answer is reused this long, ms: while the feed is down the recorder would otherwise spend a quote call per
 * contract per snapshot from the market-data account's budget, which its fill polls share.
 */
export const REST_REUSE_MS = 15_000;
const restAnswers = new Map<string, { ltp: Decimal | null; at: number }>();

/** Prices of the open contracts at `now`, keyed by priceKey. */
export async function snapshotPrices(
  wanted: readonly { account: PricedAccount; exchange: string; symbol: string }[],
  now: Date,
): Promise<Map<string, SnapshotPrice>> {
  const byKind = new Map<FeedKind, Set<string>>();
  for (const w of wanted) {
    const kind = feedKindOf(w.account);
    byKind.set(kind, (byKind.get(kind) ?? new Set()).add(liveKey(w.exchange, w.symbol)));
  }
  const quotes = new Map<string, { quote: LiveQuote; stale: boolean }>();
  for (const [kind, keys] of byKind) {
    const [q, stale] = await Promise.all([readQuotes(kind, [...keys]), readStaleFlags(kind)]);
    for (const [key, quote] of q) quotes.set(`${kind}|${key}`, { quote, stale: stale.has(key) });
  }
  const out = new Map<string, SnapshotPrice>();
  await Promise.all(
    wanted.map(async (w) => {
      const key = priceKey(w.account, w);
      if (out.has(key)) return;
      const hit = quotes.get(`${feedKindOf(w.account)}|${liveKey(w.exchange, w.symbol)}`);
      if (hit && !hit.stale) {
        out.set(key, { ltp: positive(hit.quote.ltp), live: hit.quote.source === "feed" });
        return;
      }
      out.set(key, { ltp: null, live: false });
      const reused = restAnswers.get(key);
      const age = reused ? now.getTime() - reused.at : -1;
      if (reused && age >= 0 && age < REST_REUSE_MS) {
        out.set(key, { ltp: reused.ltp, live: false });
        return;
      }
      try {
        const source = await marketSource(w.account.ownerId, [w.account]);
        const quote = await source.quote(w.symbol, w.exchange as Exchange);
        const ltp = quote.ltp.gt(0) ? quote.ltp : null;
        restAnswers.set(key, { ltp, at: now.getTime() });
        out.set(key, { ltp, live: false });
      } catch (err) {
        // The last live price, flagged stale, is better than none; without either the P&L is unknown, never zero.
        log().warn({ err, symbol: w.symbol }, "no REST quote for a P&L snapshot");
        out.set(key, { ltp: hit ? positive(hit.quote.ltp) : null, live: false });
      }
    }),
  );
  return out;
}
