/**
 * Business checks a broker applies before an order is recorded, with OpenAlgo's sandbox wording where it was
 * observed (docs/openalgo.md "Orders") and broker-like wording elsewhere.
 */
import type Decimal from "decimal.js";
import type { Instrument } from "@/lib/simulator/types";
import type { PriceType, Product } from "./account";

/** Exchanges whose orders must be whole lots (docs/openalgo.md "Symbols and exchanges"). */
const LOT_EXCHANGES = new Set<string>(["NFO", "BFO", "CDS", "BCD", "MCX", "NCDEX", "NCO", "CRYPTO"]);
const DERIVATIVE_EXCHANGES = new Set<string>(["NFO", "BFO", "CDS", "BCD", "MCX", "NCDEX", "NCO"]);
const CASH_EXCHANGES = new Set<string>(["NSE", "BSE"]);

/** The fields of an order request the pre-checks read (the engine's `OrderRequest` has them all). */
export interface CheckedOrder {
  product: Product;
  pricetype: PriceType;
  price: number;
  trigger_price: number;
  quantity: number;
}

/** Refusals that leave no trace (HTTP 400, no orderid): product/segment, prices, lot multiple. */
export function preChecks(inst: Instrument, req: CheckedOrder): string | undefined {
  if (req.product === "NRML" && CASH_EXCHANGES.has(inst.exchange)) {
    return `NRML product not allowed for ${inst.exchange} equity segment. Use CNC for delivery or MIS for intraday.`;
  }
  if (req.product === "CNC" && DERIVATIVE_EXCHANGES.has(inst.exchange)) {
    return `CNC product not allowed for ${inst.exchange} derivatives segment. Use NRML for overnight or MIS for intraday.`;
  }
  if ((req.pricetype === "LIMIT" || req.pricetype === "SL") && !(req.price > 0))
    return `${req.pricetype} orders require price`;
  if ((req.pricetype === "SL" || req.pricetype === "SL-M") && !(req.trigger_price > 0)) {
    return `${req.pricetype} orders require trigger_price`;
  }
  if (LOT_EXCHANGES.has(inst.exchange) && inst.lotsize > 1 && req.quantity % inst.lotsize !== 0) {
    return `Quantity must be in multiples of lot size ${inst.lotsize}`;
  }
  return undefined;
}

/** CNC SELL needs shares: today's net CNC position (less working sells) plus delivered holdings. */
export function cncSellCheck(inst: Instrument, qty: number, position: number, holdings: number): string | undefined {
  const pos = Math.max(position, 0);
  if (pos + holdings <= 0) {
    return `Cannot sell ${inst.symbol} in CNC. No positions or holdings available. CNC (delivery) requires existing shares. Use MIS for intraday short selling.`;
  }
  if (pos + holdings < qty) {
    return `Cannot sell ${qty} shares of ${inst.symbol} in CNC. Only ${pos + holdings} shares available (Position: ${pos}, Holdings: ${holdings})`;
  }
  return undefined;
}

/** `₹1234.50`, as the sandbox prints amounts in its insufficient-funds message. */
export function rupees(d: Decimal): string {
  return `₹${d.toFixed(2)}`;
}
