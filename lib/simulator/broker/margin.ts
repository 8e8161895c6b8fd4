/**
 * SPAN-like margin approximation for the simulated broker (docs/trading-facts.md "Margin and lot sizing",
 * docs/openalgo.md "Sandbox
 * behaviour").
 *
 * Margin is computed per *group* (all F&O contracts of one underlying on one exchange, or one equity symbol +
 * product), from the positions plus the pending orders, like a broker's RMS: the worst of "every pending BUY
 * fills" and "every pending SELL fills". This gives the hedge benefit (a short option whose long wing of the
 * same expiry and type is held), the CE+PE pair rate and release on cancel/close without per-order bookkeeping.
 * Pure: the IST date is passed in.
 */
import Decimal from "decimal.js";
import type { Instrument } from "@/lib/simulator/types";
import { istDateOf } from "@/lib/trading/calendar";

/**
 * Rupees per lot. Editable settings seeded with docs/trading-facts.md's table; pass a table to createBroker to change
 * them.
 */
export interface MarginRates {
  singleExpiryDay: string;
  single: string;
  pairExpiryDay: string;
  pair: string;
  futures: string;
  /**
   * Margin of a short lot whose long wing (same expiry and option type) is held, as a fraction of the single
   * rate. Real spread margins are a fraction of naked ones; 0.3 approximates a NIFTY 200-point spread.
   */
  hedgedFraction: string;
}

export type MarginTable = Readonly<Record<string, MarginRates>>;

export const DEFAULT_MARGIN_TABLE: MarginTable = {
  NIFTY: {
    singleExpiryDay: "205000",
    single: "250000",
    pairExpiryDay: "250000",
    pair: "320000",
    futures: "215000",
    hedgedFraction: "0.3",
  },
  BANKNIFTY: {
    singleExpiryDay: "205000",
    single: "250000",
    pairExpiryDay: "250000",
    pair: "320000",
    futures: "215000",
    hedgedFraction: "0.3",
  },
  SENSEX: {
    singleExpiryDay: "180000",
    single: "220000",
    pairExpiryDay: "225000",
    pair: "290000",
    futures: "185000",
    hedgedFraction: "0.3",
  },
};
/** Underlyings missing from the table (FINNIFTY, MIDCPNIFTY, stocks) use this row: their lot notionals are similar. */
export const FALLBACK_UNDERLYING = "NIFTY";

/** Equity/index leverage per product (docs/openalgo.md "Sandbox behaviour": MIS 5×, CNC and NRML 1×). */
export const EQUITY_LEVERAGE: Readonly<Record<string, number>> = { MIS: 5, CNC: 1, NRML: 1 };

/** One position of a group together with its working orders. Quantities are units; prices rupees. */
export interface MarginLeg {
  inst: Instrument;
  product: string;
  /** Signed net position. */
  qty: number;
  /** Average price of the open position. */
  avg: Decimal;
  /** Unfilled quantity of working BUY orders and Σ qty × reference price. */
  buyQty: number;
  buyValue: Decimal;
  /** Unfilled quantity of working SELL orders and Σ qty × reference price. */
  sellQty: number;
  sellValue: Decimal;
}

const ZERO = new Decimal(0);

export function isDerivative(inst: Instrument): boolean {
  return inst.instrumenttype === "FUT" || inst.instrumenttype === "CE" || inst.instrumenttype === "PE";
}

/** The margin group of an instrument: one per F&O underlying, one per equity symbol and product. */
export function marginGroupKey(inst: Instrument, product: string): string {
  return isDerivative(inst) ? `F|${inst.exchange}|${inst.underlying}` : `E|${inst.exchange}|${inst.symbol}|${product}`;
}

interface ScenarioLeg {
  inst: Instrument;
  product: string;
  net: number;
  premium: Decimal;
}

/** The position a leg would have if its working orders on one side all filled, and the premium it would hold. */
function scenario(leg: MarginLeg, side: "buy" | "sell"): ScenarioLeg {
  if (leg.inst.instrumenttype === "FUT") {
    // A future pays no premium: only its lots count, and they are charged per lot whichever side.
    return {
      inst: leg.inst,
      product: leg.product,
      net: side === "buy" ? leg.qty + leg.buyQty : leg.qty - leg.sellQty,
      premium: ZERO,
    };
  }
  const longAvgValue = leg.qty > 0 ? leg.avg.mul(leg.qty) : ZERO;
  if (side === "buy") {
    const net = leg.qty + leg.buyQty;
    let premium = ZERO;
    if (net > 0) {
      const added = net - Math.max(leg.qty, 0);
      const refPerUnit = leg.buyQty > 0 ? leg.buyValue.div(leg.buyQty) : ZERO;
      premium = longAvgValue.plus(refPerUnit.mul(added));
    }
    return { inst: leg.inst, product: leg.product, net, premium };
  }
  const net = leg.qty - leg.sellQty;
  const premium = net > 0 && leg.qty > 0 ? leg.avg.mul(Math.min(net, leg.qty)) : ZERO;
  return { inst: leg.inst, product: leg.product, net, premium };
}

function ratesFor(underlying: string, table: MarginTable): MarginRates {
  return table[underlying] ?? table[FALLBACK_UNDERLYING] ?? DEFAULT_MARGIN_TABLE[FALLBACK_UNDERLYING];
}

interface ExpiryBook {
  expiryDay: boolean;
  shortCE: number;
  longCE: number;
  shortPE: number;
  longPE: number;
  futLots: number;
}

/** F&O margin of one scenario: per expiry, option SPAN (hedged / pair / single lots) + futures + long premium. */
function derivativeMargin(legs: ScenarioLeg[], todayIst: string, table: MarginTable): Decimal {
  if (legs.length === 0) return ZERO;
  const rates = ratesFor(legs[0].inst.underlying, table);
  const byExpiry = new Map<string, ExpiryBook>();
  let total = ZERO;
  for (const l of legs) {
    total = total.plus(l.premium);
    if (l.net === 0) continue;
    const key = l.inst.expiry;
    let b = byExpiry.get(key);
    if (!b) {
      const expiryDay = l.inst.expiryTs !== null && istDateOf(l.inst.expiryTs) === todayIst;
      b = { expiryDay, shortCE: 0, longCE: 0, shortPE: 0, longPE: 0, futLots: 0 };
      byExpiry.set(key, b);
    }
    const lots = Math.abs(l.net) / Math.max(l.inst.lotsize, 1);
    if (l.inst.instrumenttype === "FUT") b.futLots += lots;
    else if (l.inst.instrumenttype === "CE") {
      if (l.net < 0) b.shortCE += lots;
      else b.longCE += lots;
    } else if (l.net < 0) b.shortPE += lots;
    else b.longPE += lots;
  }
  for (const b of byExpiry.values()) {
    const single = new Decimal(b.expiryDay ? rates.singleExpiryDay : rates.single);
    const pair = new Decimal(b.expiryDay ? rates.pairExpiryDay : rates.pair);
    const hedgedRate = single.mul(rates.hedgedFraction);
    const hedgedCE = Math.min(b.shortCE, b.longCE);
    const hedgedPE = Math.min(b.shortPE, b.longPE);
    const nakedCE = b.shortCE - hedgedCE;
    const nakedPE = b.shortPE - hedgedPE;
    const pairs = Math.min(nakedCE, nakedPE);
    const singles = nakedCE + nakedPE - 2 * pairs;
    total = total
      .plus(hedgedRate.mul(hedgedCE + hedgedPE))
      .plus(pair.mul(pairs))
      .plus(single.mul(singles))
      .plus(new Decimal(rates.futures).mul(b.futLots));
  }
  return total;
}

/** Equity/index margin of one leg: exposure ÷ leverage; CNC can only block cash for net buys. */
function equityMargin(leg: MarginLeg): Decimal {
  const lev = EQUITY_LEVERAGE[leg.product] ?? 1;
  const ref = (q: number, value: Decimal): Decimal => (q > 0 ? value.div(q) : leg.avg);
  const buyNet = leg.qty + leg.buyQty;
  const sellNet = leg.qty - leg.sellQty;
  const exposure = (net: number, side: "buy" | "sell"): Decimal => {
    if (leg.product === "CNC" && net <= 0) return ZERO;
    if (net === 0) return ZERO;
    const grows = Math.abs(net) > Math.abs(leg.qty) || Math.sign(net) !== Math.sign(leg.qty);
    if (!grows) return leg.avg.mul(Math.abs(net));
    // The part beyond the current position is valued at the working orders' reference price.
    const kept = Math.sign(net) === Math.sign(leg.qty) ? Math.abs(leg.qty) : 0;
    const extra = Math.abs(net) - kept;
    const px = side === "buy" ? ref(leg.buyQty, leg.buyValue) : ref(leg.sellQty, leg.sellValue);
    return leg.avg.mul(kept).plus(px.mul(extra));
  };
  return Decimal.max(exposure(buyNet, "buy"), exposure(sellNet, "sell")).div(lev);
}

/** Margin blocked by a group (rupees, 2 dp). */
export function groupMargin(
  legs: readonly MarginLeg[],
  nowMs: number,
  table: MarginTable = DEFAULT_MARGIN_TABLE,
): Decimal {
  if (legs.length === 0) return ZERO;
  if (!isDerivative(legs[0].inst)) {
    let sum = ZERO;
    for (const l of legs) sum = sum.plus(equityMargin(l));
    return sum.toDecimalPlaces(2);
  }
  const today = istDateOf(nowMs);
  const buy = derivativeMargin(
    legs.map((l) => scenario(l, "buy")),
    today,
    table,
  );
  const sell = derivativeMargin(
    legs.map((l) => scenario(l, "sell")),
    today,
    table,
  );
  return Decimal.max(buy, sell).toDecimalPlaces(2);
}
