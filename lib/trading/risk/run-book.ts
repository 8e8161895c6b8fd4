/**
 * A run's positions as the risk engine sees them: the ledger's rows of the run (and of its adjustments), every account
 * together. Its P&L uses the ledger's own definitions (./../ledger.ts `unrealisedPnl`, ./../live-book.ts `sumPnl`):
 * realised + (LTP − average) × net quantity, unknown when any open row cannot be priced. Pure.
 */
import Decimal from "decimal.js";
import { unrealisedPnl } from "@/lib/trading/ledger";
import { sumPnl } from "@/lib/trading/live-book";
import type { PositionSide } from "./supertrend";

export interface RiskPosition {
  accountId: string;
  exchange: string;
  symbol: string;
  product: string;
  /** The strategy leg that traded this contract in the run; null when none did (it still counts in P&L). */
  legIndex: number | null;
  /** Signed units: negative = short. */
  netQty: number;
  /** Average open price per unit; null when flat or unknown. */
  avgPrice: Decimal | null;
  /** ₹; null when a fill had no price. */
  realisedPnl: Decimal | null;
  boughtQty: number;
  soldQty: number;
}

/** `EXCHANGE:SYMBOL`, the key prices are looked up by (the live quote store's key). */
export const contractOf = (p: { exchange: string; symbol: string }) => `${p.exchange}:${p.symbol}`;

export const isOpen = (p: Pick<RiskPosition, "netQty">) => p.netQty !== 0;

/**
 * Realised + unrealised P&L of `positions` at `ltps` (by contract key), ₹; null when any realised amount is unknown
 * or an open position has no price (`unpriced` names those contracts).
 */
export function positionsPnl(
  positions: readonly RiskPosition[],
  ltps: ReadonlyMap<string, Decimal>,
): { pnl: Decimal | null; unpriced: string[] } {
  const unpriced = new Set<string>();
  const unrealised = positions.map((p) => {
    const value = unrealisedPnl(p, ltps.get(contractOf(p)) ?? null);
    if (value === null && isOpen(p)) unpriced.add(contractOf(p));
    return value;
  });
  const realised = sumPnl(positions.map((p) => p.realisedPnl));
  const pnl = realised === null ? null : sumPnl([realised, ...unrealised]);
  return { pnl, unpriced: [...unpriced].sort() };
}

/**
 * Net premium at entry of the open positions, ₹ (credit or debit, as a positive amount): each position's average
 * entry price times the units it opened with (sold for a short, bought for a long). Null when an open position has no
 * known average.
 */
export function netPremium(positions: readonly RiskPosition[]): Decimal | null {
  return signedNetPremium(positions)?.abs() ?? null;
}

/** Net premium at entry, ₹, positive for a credit (more premium sold than bought); null when an average is unknown. */
function signedNetPremium(positions: readonly RiskPosition[]): Decimal | null {
  let net = new Decimal(0);
  for (const p of positions.filter(isOpen)) {
    if (p.avgPrice === null) return null;
    net = p.netQty < 0 ? net.plus(p.avgPrice.mul(p.soldQty)) : net.minus(p.avgPrice.mul(p.boughtQty));
  }
  return net;
}

/**
 * Which way the open positions make money: `credit` when they sold more premium than they bought at entry, `debit`
 * otherwise. Null with nothing open or an unknown average.
 */
export function premiumSide(positions: readonly RiskPosition[]): PositionSide | null {
  if (!positions.some(isOpen)) return null;
  const net = signedNetPremium(positions);
  return net === null ? null : net.gt(0) ? "credit" : "debit";
}

/**
 * The combined premium of the open legs, ₹ per unit, as the Supertrend exit watches it (docs/risk.md "Supertrend"):
 * each open contract once (its net quantity over every account gives its direction), short contracts added and long
 * ones subtracted for a `credit` position, the other way round for a `debit` one, so it is the plain sum of the LTPs
 * when every leg goes one way and the spread's net premium otherwise. Null when an open contract has no price.
 */
export function combinedPremium(
  positions: readonly RiskPosition[],
  ltps: ReadonlyMap<string, Decimal>,
  side: PositionSide,
): Decimal | null {
  const net = new Map<string, number>();
  for (const p of positions.filter(isOpen)) net.set(contractOf(p), (net.get(contractOf(p)) ?? 0) + p.netQty);
  let premium = new Decimal(0);
  for (const [key, qty] of net) {
    if (qty === 0) continue;
    const ltp = ltps.get(key);
    if (ltp === undefined) return null;
    premium = qty < 0 === (side === "credit") ? premium.plus(ltp) : premium.minus(ltp);
  }
  return premium;
}

/**
 * The run's open quantity for a trail in points: per account, its largest open leg (a point of the combined premium of
 * a straddle or a spread moves its P&L by one leg's quantity), summed over the accounts.
 */
export function openQuantity(positions: readonly RiskPosition[]): number {
  const largest = new Map<string, number>();
  for (const p of positions.filter(isOpen))
    largest.set(p.accountId, Math.max(largest.get(p.accountId) ?? 0, Math.abs(p.netQty)));
  return [...largest.values()].reduce((n, q) => n + q, 0);
}
