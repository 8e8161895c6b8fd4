/**
 * REST quotes that fill a stale contract's gap (docs/market-data.md "Stale data"): asked of the accounts of the
 * contract's feed kind in the market-data order (primaries first, then healthy accounts; FAILED never), moving on
 * when one cannot answer. The quote is labelled `source: "rest"` wherever it is shown.
 */
import type { Exchange } from "@/lib/brokers/types";
import { listAccountSecrets } from "@/lib/db/queries/accounts";
import { BrokerAuthError, BrokerUnavailableError, RateLimitedError } from "@/lib/errors";
import { log } from "@/lib/log";
import { adapterFor } from "@/lib/services/broker-access";
import { sourceCandidates, type FeedKind } from "../source";
import type { LiveQuote } from "./contract";

type Candidate = Awaited<ReturnType<typeof listAccountSecrets>>[number];

const cannotAnswer = (e: unknown) =>
  e instanceof BrokerUnavailableError || e instanceof BrokerAuthError || e instanceof RateLimitedError;

/** Accounts (of every owner) that may be asked for `kind`'s prices, best first. */
export async function restCandidates(kind: FeedKind): Promise<Candidate[]> {
  return sourceCandidates(await listAccountSecrets({ ownerId: null }, { active: true }), kind);
}

/**
 * One REST quote of a contract from the first candidate that answers, as a live quote received at `at`; null when
 * none can answer (or the broker does not know the contract). Never throws: a stale contract stays flagged either way.
 */
export async function restQuote(
  candidates: readonly Candidate[],
  exchange: string,
  symbol: string,
  at: Date,
): Promise<LiveQuote | null> {
  for (const account of candidates) {
    try {
      const q = await adapterFor(account).quote(symbol, exchange as Exchange);
      const price = (d: { toFixed(): string } | null) => (d === null ? null : d.toFixed());
      return {
        exchange,
        symbol,
        ltp: q.ltp.toFixed(),
        prevClose: price(q.prevClose),
        open: price(q.open),
        high: price(q.high),
        low: price(q.low),
        bid: price(q.bid),
        bidQty: null,
        ask: price(q.ask),
        askQty: null,
        depth: null,
        volume: Number.isSafeInteger(q.volume) ? q.volume : null,
        oi: Number.isSafeInteger(q.oi) ? q.oi : null,
        exchangeTs: null,
        receivedAt: at.toISOString(),
        source: "rest",
        accountId: account.id,
      };
    } catch (err) {
      if (cannotAnswer(err)) continue;
      log().warn({ err, exchange, symbol, accountId: account.id }, "REST quote for a stale contract failed");
      return null;
    }
  }
  return null;
}
