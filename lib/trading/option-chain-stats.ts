/**
 * Option-chain summary figures (docs/market-data.md "Option chain"): put–call ratios, max pain, and the strike
 * window shown around the at-the-money strike. Strikes are decimals (some underlyings list 2.5-point strikes);
 * open interest and volume are integer contract units.
 */
import Decimal from "decimal.js";

export interface StrikeRow {
  strike: Decimal;
  /** Call and put open interest (null when the contract is not listed or has no figure). */
  ceOi: number | null;
  peOi: number | null;
  ceVolume?: number | null;
  peVolume?: number | null;
}

/** Σ put ÷ Σ call of a figure; null when calls sum to zero (no ratio). Rounded to 4 decimals. */
function ratio(rows: readonly StrikeRow[], put: (r: StrikeRow) => number | null | undefined, call: typeof put) {
  let p = 0;
  let c = 0;
  for (const r of rows) {
    p += put(r) ?? 0;
    c += call(r) ?? 0;
  }
  return c > 0 ? new Decimal(p).div(c).toDecimalPlaces(4).toNumber() : null;
}

/** Put–call ratio by open interest and by traded volume over the given strikes. */
export function putCallRatios(rows: readonly StrikeRow[]): { oi: number | null; volume: number | null } {
  return {
    oi: ratio(
      rows,
      (r) => r.peOi,
      (r) => r.ceOi,
    ),
    volume: ratio(
      rows,
      (r) => r.peVolume,
      (r) => r.ceVolume,
    ),
  };
}

/**
 * Max pain: the strike at which option writers would pay out least if the underlying settled there. For each
 * candidate strike S the payout is Σ over strikes K of callOI(K)·max(0, S − K) + putOI(K)·max(0, K − S); the
 * smallest wins, the lower strike on a tie. Null when the rows hold no open interest at all.
 */
export function maxPain(rows: readonly StrikeRow[]): { strike: Decimal; payout: Decimal } | null {
  if (!rows.some((r) => (r.ceOi ?? 0) > 0 || (r.peOi ?? 0) > 0)) return null;
  let best: { strike: Decimal; payout: Decimal } | null = null;
  const sorted = [...rows].sort((a, b) => a.strike.comparedTo(b.strike));
  for (const candidate of sorted) {
    const s = candidate.strike;
    let payout = new Decimal(0);
    for (const r of sorted) {
      if (s.gt(r.strike)) payout = payout.plus(s.minus(r.strike).times(r.ceOi ?? 0));
      if (s.lt(r.strike)) payout = payout.plus(r.strike.minus(s).times(r.peOi ?? 0));
    }
    if (!best || payout.lt(best.payout)) best = { strike: s, payout };
  }
  return best;
}

/** The listed strike nearest `price` (the lower one when exactly between two); null for an empty list. */
export function nearestStrike(strikes: readonly Decimal[], price: Decimal): Decimal | null {
  let best: Decimal | null = null;
  for (const k of strikes) {
    if (!best) {
      best = k;
      continue;
    }
    const d = k.minus(price).abs();
    const bd = best.minus(price).abs();
    if (d.lt(bd) || (d.eq(bd) && k.lt(best))) best = k;
  }
  return best;
}

/**
 * Up to `each` strikes below and above `atm` plus `atm` itself, ascending, from the listed `strikes`. Near the
 * ends of the listing the window is simply shorter on that side.
 */
export function strikeWindow(strikes: readonly Decimal[], atm: Decimal, each: number): Decimal[] {
  const sorted = [...strikes].sort((a, b) => a.comparedTo(b));
  const at = sorted.findIndex((k) => k.eq(atm));
  if (at < 0) return [];
  return sorted.slice(Math.max(0, at - each), at + each + 1);
}
