/**
 * Reference data from the day's Fyers master (docs/brokers/fyers.md "Market data, option chain and expiries"): future expiries of an
 * underlying, and the option chain's strikes for an expiry, whose prices come from Fyers' quotes.
 */
import Decimal from "decimal.js";
import type { InstrumentMaster, MasterRow } from "@/lib/brokers/instruments";
import type { Exchange, OptionChain, OptionLeg, Quote } from "@/lib/brokers/market-types";
import { strikeOffsetLabel } from "@/lib/trading/symbols";

/** The derivative exchange of an index quote exchange (`NSE_INDEX` → `NFO`); other exchanges are their own. */
export function derivativeExchange(exchange: Exchange): Exchange {
  return exchange === "NSE_INDEX" ? "NFO" : exchange === "BSE_INDEX" ? "BFO" : exchange;
}

/** Every listed strike of an expiry. */
export function chainStrikes(master: InstrumentMaster, underlying: string, exchange: Exchange, expiry: string) {
  const by = new Map<string, { strike: Decimal; ce: MasterRow | null; pe: MasterRow | null }>();
  for (const r of master.derivatives(underlying, derivativeExchange(exchange))) {
    if (r.expiry !== expiry || !r.strike || !r.optionType) continue;
    const k = r.strike.toFixed();
    const e = by.get(k) ?? { strike: r.strike, ce: null, pe: null };
    if (r.optionType === "CE") e.ce = r;
    else e.pe = r;
    by.set(k, e);
  }
  return [...by.values()].sort((a, b) => a.strike.cmp(b.strike));
}

/** The strike nearest to `spot` (the lower one on a tie), and the window of `count` strikes each side. */
export function aroundAtm<T extends { strike: Decimal }>(rows: readonly T[], spot: Decimal, count?: number) {
  let atm = 0;
  for (let i = 1; i < rows.length; i++)
    if (rows[i].strike.minus(spot).abs().lt(rows[atm].strike.minus(spot).abs())) atm = i;
  const from = count === undefined ? 0 : Math.max(0, atm - count);
  const to = count === undefined ? rows.length : Math.min(rows.length, atm + count + 1);
  return { atm: rows[atm], window: rows.slice(from, to) };
}

/** The chain's step: the most common gap between neighbouring strikes (1 when there is only one strike). */
function step(rows: readonly { strike: Decimal }[]): Decimal {
  const counts = new Map<string, number>();
  for (let i = 1; i < rows.length; i++) {
    const k = rows[i].strike.minus(rows[i - 1].strike).toFixed();
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  let best = "1";
  let n = 0;
  for (const [k, c] of counts) if (c > n) [best, n] = [k, c];
  return new Decimal(best);
}

export function buildChain(
  underlying: string,
  expiry: string,
  spot: Decimal,
  rows: readonly { strike: Decimal; ce: MasterRow | null; pe: MasterRow | null }[],
  quotes: ReadonlyMap<string, Quote>,
  count?: number,
): OptionChain {
  if (rows.length === 0) return { underlying, underlyingLtp: spot, expiry, atmStrike: new Decimal(0), rows: [] };
  const { atm, window } = aroundAtm(rows, spot, count);
  const gap = step(rows);
  const leg = (r: MasterRow | null, strike: Decimal): OptionLeg | null => {
    if (!r) return null;
    const q = quotes.get(r.brokerSymbol);
    return {
      symbol: r.symbol,
      label: strikeOffsetLabel(strike, atm.strike, gap, r.optionType!),
      ltp: q?.ltp ?? new Decimal(0),
      bid: q?.bid ?? null,
      ask: q?.ask ?? null,
      volume: q?.volume ?? 0,
      oi: q?.oi ?? 0,
      lotSize: r.lotSize,
      tickSize: r.tickSize,
    };
  };
  return {
    underlying,
    underlyingLtp: spot,
    expiry,
    atmStrike: atm.strike,
    rows: window.map((w) => ({ strike: w.strike, ce: leg(w.ce, w.strike), pe: leg(w.pe, w.strike) })),
  };
}
