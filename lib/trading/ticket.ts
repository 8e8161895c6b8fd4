/**
 * Manual ticket (issue 5 "/trade"): one symbol, one action, N lots, sent to many accounts through the same run
 * pipeline as strategies. Pure: the symbol's lot size, freeze quantity, tick and LTP are passed in.
 */
import Decimal from "decimal.js";
import { z } from "zod";
import { sliceQuantities, sliceQuantityFor } from "./instruments";
import { protectedLimitPrice, isOnTick } from "./order-price";
import { runTotals, type RunPreview } from "./plan";
import type { AccountPlan } from "./plan-account";
import type { ResolvedLeg } from "./resolve-legs";
import { MAX_LEG_LOTS, MAX_PROTECTION_BAND_PERCENT, phaseOf } from "./strategy";

const decimal = z.union([z.string().trim().regex(/^\d+(\.\d+)?$/, "a positive decimal"), z.number()]).transform((v) => new Decimal(v));

export const ticketSchema = z
  .object({
    symbol: z.string().trim().min(1).max(60),
    exchange: z.enum(["NSE", "BSE", "NFO", "BFO"]),
    action: z.enum(["BUY", "SELL"]),
    lots: z.int().min(1).max(MAX_LEG_LOTS),
    product: z.enum(["MIS", "NRML", "CNC"]),
    priceType: z.enum(["MARKET", "LIMIT", "PROTECTED_LIMIT"]).default("PROTECTED_LIMIT"),
    price: decimal.optional(),
    bandPercent: decimal.refine((v) => v.gt(0) && v.lte(MAX_PROTECTION_BAND_PERCENT), `above 0 and at most ${MAX_PROTECTION_BAND_PERCENT} %`).optional(),
  })
  .refine((t) => t.priceType !== "LIMIT" || (t.price && t.price.gt(0)), { message: "Enter the limit price", path: ["price"] })
  .refine((t) => t.priceType !== "PROTECTED_LIMIT" || t.bandPercent, { message: "Enter the protection band", path: ["bandPercent"] })
  .refine((t) => (t.exchange === "NFO" || t.exchange === "BFO" ? t.product !== "CNC" : t.product !== "NRML"), {
    message: "CNC is for cash-segment symbols, NRML for F&O",
    path: ["product"],
  });
export type Ticket = z.infer<typeof ticketSchema>;

export interface TicketInstrument {
  lotSize: number;
  /** Null when unknown (then the order is not sliced). */
  freezeQty: number | null;
  tickSize: Decimal;
  /** Latest price; required for a protected limit. */
  ltp: Decimal | null;
  /** `CE`, `PE`, `FUT`, `EQ`, ... from the broker's symbol info. */
  instrumentType: string;
}

export interface TicketAccount {
  id: string;
  name: string;
  lotMultiplier: Decimal;
  maxLotsPerLeg: number | null;
}

export type TicketPlanResult = { ok: true; preview: RunPreview } | { ok: false; message: string; field: string };

/** Plans a ticket for every account: lots × the account multiplier (floored), capped, sliced below freeze. */
export function planTicket(ticket: Ticket, instrument: TicketInstrument, accounts: readonly TicketAccount[]): TicketPlanResult {
  let price: Decimal | null = null;
  if (ticket.priceType === "LIMIT") {
    price = ticket.price!;
    if (!isOnTick(price, instrument.tickSize)) return { ok: false, message: `Limit price must be a multiple of the tick ${instrument.tickSize.toString()}`, field: "price" };
  } else if (ticket.priceType === "PROTECTED_LIMIT") {
    if (!instrument.ltp || instrument.ltp.lte(0)) return { ok: false, message: `No price for ${ticket.symbol}: a protected limit needs a live quote`, field: "symbol" };
    price = protectedLimitPrice(instrument.ltp, ticket.bandPercent!, ticket.action, instrument.tickSize);
  }
  const t = instrument.instrumentType.toUpperCase();
  const leg: ResolvedLeg = {
    legIndex: 0,
    underlying: ticket.symbol,
    instrument: t === "CE" || t === "PE" || t.startsWith("OPT") ? "options" : t.startsWith("FUT") ? "futures" : "equity",
    action: ticket.action,
    optionType: t === "CE" || t === "PE" ? t : null,
    symbol: ticket.symbol,
    exchange: ticket.exchange,
    expiry: "",
    strike: null,
    lotSize: instrument.lotSize,
    freezeQty: instrument.freezeQty,
    sliceLots: instrument.freezeQty ? (sliceQuantityFor(instrument.lotSize, instrument.freezeQty) ?? 0) / instrument.lotSize || null : null,
    priceType: price ? "LIMIT" : "MARKET",
    price,
    referencePrice: instrument.ltp,
    warnings: instrument.freezeQty ? [] : ["Freeze quantity unknown: each account's order goes as one slice"],
  };
  const plans = accounts.map((a): AccountPlan => {
    const scaled = new Decimal(ticket.lots).mul(a.lotMultiplier).floor().toNumber();
    const lots = a.maxLotsPerLeg === null ? scaled : Math.min(scaled, a.maxLotsPerLeg);
    const warnings = lots < scaled ? [`Capped at ${a.maxLotsPerLeg} lots by the account's limit`] : [];
    if (lots <= 0) return { status: "skipped", accountId: a.id, accountName: a.name, reason: `${ticket.lots} lot(s) × multiplier ${a.lotMultiplier.toString()} rounds to zero lots`, warnings };
    const quantity = lots * instrument.lotSize;
    const slices = instrument.freezeQty ? sliceQuantities(quantity, instrument.lotSize, instrument.freezeQty) : [quantity];
    return {
      status: "planned",
      accountId: a.id,
      accountName: a.name,
      marginSource: "available",
      marginAvailable: new Decimal(0),
      marginNeeded: new Decimal(0),
      warnings,
      legs: [
        {
          legIndex: 0,
          symbol: ticket.symbol,
          exchange: ticket.exchange,
          action: ticket.action,
          product: ticket.product,
          priceType: leg.priceType,
          price,
          phase: phaseOf(ticket.action),
          lots,
          lotSize: instrument.lotSize,
          quantity,
          slices,
          marginKind: ticket.action === "BUY" ? "option_buy" : "single_sell",
          marginNeeded: null,
          marginAvailable: null,
          warnings,
        },
      ],
    };
  });
  return { ok: true, preview: { legs: [leg], conditions: {}, accounts: plans, totals: runTotals(plans) } };
}
