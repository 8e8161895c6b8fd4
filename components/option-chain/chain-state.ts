import type { ChainContract, ChainQuote, ChainSnapshot } from "@/lib/services/option-chain";

/**
 * Folds one live quote into the view: the contract's (or the underlying's) figures become the quote's. A field the
 * quote does not carry (a missing bid or ask) becomes missing, never the previous value. Keys the view does not
 * show are ignored (a quote can arrive just before the snapshot of a moved window).
 */
export function applyQuote(chain: ChainSnapshot, key: string, q: ChainQuote): ChainSnapshot {
  if (key === chain.spot.key) {
    return {
      ...chain,
      spot: { ...chain.spot, ltp: q.ltp, prevClose: q.prevClose ?? chain.spot.prevClose, source: q.source },
    };
  }
  let hit = false;
  const patch = (c: ChainContract | null): ChainContract | null => {
    if (!c || c.key !== key) return c;
    hit = true;
    return {
      ...c,
      ltp: q.ltp,
      prevClose: q.prevClose ?? c.prevClose,
      bid: q.bid,
      bidQty: q.bidQty,
      ask: q.ask,
      askQty: q.askQty,
      volume: q.volume ?? c.volume,
      oi: q.oi ?? c.oi,
      // The first OI seen today is the baseline of OI change; a contract first seen live sets it.
      oiBase: c.oiBase ?? q.oi,
      source: q.source,
      receivedAt: q.receivedAt,
    };
  };
  const rows = chain.rows.map((r) => {
    const ce = patch(r.ce);
    const pe = patch(r.pe);
    return ce === r.ce && pe === r.pe ? r : { ...r, ce, pe };
  });
  return hit ? { ...chain, rows } : chain;
}

/** Marks a contract (or the underlying) stale or live again. */
export function applyStale(chain: ChainSnapshot, key: string, stale: boolean): ChainSnapshot {
  if (key === chain.spot.key) return { ...chain, spot: { ...chain.spot, stale } };
  const mark = (c: ChainContract | null) => (c && c.key === key && c.stale !== stale ? { ...c, stale } : c);
  return { ...chain, rows: chain.rows.map((r) => ({ ...r, ce: mark(r.ce), pe: mark(r.pe) })) };
}
