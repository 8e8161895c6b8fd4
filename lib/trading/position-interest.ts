/**
 * Which live prices open positions need (docs/market-data.md "Stale data", positions interest): every contract held
 * open in some ledger row, in quote mode (LTP, bid/ask, OI for valuation), plus the index of each derivative's
 * underlying in LTP mode, per feed kind of the holding account. Pure: the caller passes ledger rows and settings.
 */
import type { InstrumentSettingsTable } from "./instruments";
import { parseDerivativeSymbol } from "./symbols";

/** OpenAlgo stream modes used here: 1 LTP (an index), 2 quote (a held contract). */
export interface WantedPrice {
  exchange: string;
  symbol: string;
  mode: 1 | 2;
}

export interface HeldContract<K extends string> {
  /** Feed kind of the holding account (real or simulated prices). */
  kind: K;
  exchange: string;
  symbol: string;
  netQty: number;
}

/**
 * Open contracts (net quantity ≠ 0 in some ledger row: two strategies holding +1 and −1 of one contract in one
 * account both still need its price) and their underlyings' indices, per kind, deduplicated at the highest mode and
 * sorted by exchange and symbol. Derivatives that expired before `today` (IST date) are settled, not priced: a
 * position held into expiry stays open in the ledger but needs no live price. Kinds without anything open are absent.
 */
export function positionInterest<K extends string>(
  held: readonly HeldContract<K>[],
  instruments: InstrumentSettingsTable,
  today: string,
): Map<K, WantedPrice[]> {
  const byKind = new Map<K, Map<string, WantedPrice>>();
  const want = (kind: K, item: WantedPrice) => {
    let m = byKind.get(kind);
    if (!m) byKind.set(kind, (m = new Map()));
    const key = `${item.exchange}:${item.symbol}`;
    const had = m.get(key);
    if (!had || had.mode < item.mode) m.set(key, item);
  };
  // What a row wants depends only on its kind and contract: the ledger holds one row per scope and account, so each
  // contract is parsed once, not once per row.
  const seen = new Set<string>();
  for (const p of held) {
    if (p.netQty === 0) continue;
    const contract = `${p.kind}|${p.exchange}|${p.symbol}`;
    if (seen.has(contract)) continue;
    seen.add(contract);
    const derivative = parseDerivativeSymbol(p.symbol);
    if (derivative && derivative.expiry < today) continue;
    want(p.kind, { exchange: p.exchange, symbol: p.symbol, mode: 2 });
    const settings = derivative ? instruments[derivative.underlying] : undefined;
    if (settings) want(p.kind, { exchange: settings.indexExchange, symbol: settings.underlying, mode: 1 });
  }
  const out = new Map<K, WantedPrice[]>();
  for (const [kind, m] of byKind) {
    out.set(
      kind,
      [...m.values()].sort((a, b) => a.exchange.localeCompare(b.exchange) || a.symbol.localeCompare(b.symbol)),
    );
  }
  return out;
}
