/**
 * Manual ticket (docs/architecture.md "The order flow"): one symbol, one action, N lots, sent to many accounts through
 * the same run pipeline as strategies. Pure: the symbol's lot size, freeze quantity, tick and LTP, and the instrument
 * settings (the fallback for an index derivative's sizes, as for strategy legs), are passed in.
 */
import Decimal from "decimal.js";
import { z } from "zod";
import { instrumentSettingsFor, sliceQuantities, sliceQuantityFor, type InstrumentSettingsTable } from "./instruments";
import { marginPerLot, marginsFor, type MarginKind, type MarginModel } from "./margin-model";
import { protectedLimitPrice, isOnTick } from "./order-price";
import { runTotals, type RunPreview } from "./plan";
import type { AccountPlan } from "./plan-account";
import { contractSizes, type FreezeSources, type ResolvedLeg } from "./resolve-legs";
import { formatRupees } from "./rupees";
import { parseDerivativeSymbol } from "./symbols";
import { MAX_LEG_LOTS, MAX_PROTECTION_BAND_PERCENT, phaseOf } from "./strategy";

const decimal = z
  .union(
    [
      z
        .string()
        .trim()
        .max(30)
        .regex(/^\d+(\.\d+)?$/, "a positive decimal"),
      z.number().nonnegative(),
    ],
    { error: "a positive decimal" },
  )
  .transform((v) => new Decimal(v));

export const ticketSchema = z
  .object({
    symbol: z.string().trim().min(1).max(60),
    exchange: z.enum(["NSE", "BSE", "NFO", "BFO"]),
    action: z.enum(["BUY", "SELL"]),
    lots: z.int().min(1).max(MAX_LEG_LOTS),
    product: z.enum(["MIS", "NRML", "CNC"]),
    priceType: z.enum(["MARKET", "LIMIT", "PROTECTED_LIMIT"]).default("PROTECTED_LIMIT"),
    price: decimal.optional(),
    bandPercent: decimal
      .refine(
        (v) => v.gt(0) && v.lte(MAX_PROTECTION_BAND_PERCENT),
        `above 0 and at most ${MAX_PROTECTION_BAND_PERCENT} %`,
      )
      .optional(),
  })
  // Object refinements also run when a field already failed (its raw input is then still a string): check the type.
  .refine((t) => t.priceType !== "LIMIT" || (t.price instanceof Decimal && t.price.gt(0)), {
    message: "Enter the limit price",
    path: ["price"],
  })
  .refine((t) => t.priceType !== "PROTECTED_LIMIT" || t.bandPercent, {
    message: "Enter the protection band",
    path: ["bandPercent"],
  })
  .refine((t) => (t.exchange === "NFO" || t.exchange === "BFO" ? t.product !== "CNC" : t.product !== "NRML"), {
    message: "CNC is for cash-segment symbols, NRML for F&O",
    path: ["product"],
  });
export type Ticket = z.infer<typeof ticketSchema>;

export interface TicketInstrument {
  /** The broker's lot size (units). */
  lotSize: number;
  /** The broker's freeze quantity; null when unknown (OpenAlgo's 1): the instrument settings' applies, if any. */
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
  /** availableMargin = availablecash + collateral; cash = availablecash (as for strategies). */
  funds: { availableMargin: Decimal; cash: Decimal };
}

/** The instrument settings a ticket falls back on, and the IST trading date (which picks the contract's lot size). */
export interface TicketReference {
  instruments: InstrumentSettingsTable;
  /** The per-lot margins strategies are sized with; a ticket's margin is estimated from the same table. */
  marginModel: MarginModel;
  today: string;
  holidays?: ReadonlySet<string>;
}

export type TicketPlanResult = { ok: true; preview: RunPreview } | { ok: false; message: string; field: string };

type Sizes = {
  lotSize: number;
  freezeQty: number | null;
  sliceLots: number | null;
  freezeSources: FreezeSources;
  expiry: string;
  warnings: string[];
};

/**
 * Lot size and freeze quantity of the ticket's contract. An index derivative listed in the instrument settings is
 * sized like a strategy leg (resolve-legs `contractSizes`): the broker's values when valid, else the settings'
 * — so an unknown broker freeze (OpenAlgo's 1) still slices at the exchange's limit. Anything else (equities,
 * stock derivatives) has only the broker's values; an unusable freeze quantity there means one unsliced order.
 */
function ticketSizes(
  ticket: Ticket,
  instrument: TicketInstrument,
  reference: TicketReference,
): { ok: true; value: Sizes } | { ok: false; message: string } {
  const parsed =
    ticket.exchange === "NFO" || ticket.exchange === "BFO" ? parseDerivativeSymbol(ticket.symbol) : undefined;
  const settings = parsed ? instrumentSettingsFor(parsed.underlying, reference.instruments) : undefined;
  if (parsed && settings && settings.exchange === ticket.exchange) {
    const warnings: string[] = [];
    const sizes = contractSizes(
      settings,
      ticket.symbol,
      parsed.expiry,
      reference.today,
      instrument,
      warnings,
      reference.holidays,
    );
    if (!sizes.ok) return { ok: false, message: sizes.message };
    return { ok: true, value: { ...sizes.value, expiry: parsed.expiry, warnings } };
  }
  const { lotSize } = instrument;
  const freezeQty =
    instrument.freezeQty !== null && instrument.freezeQty > 1 && instrument.freezeQty >= lotSize
      ? instrument.freezeQty
      : null;
  const slice = freezeQty === null ? null : sliceQuantityFor(lotSize, freezeQty);
  return {
    ok: true,
    value: {
      lotSize,
      freezeQty,
      sliceLots: slice === null ? null : slice / lotSize,
      freezeSources: { broker: freezeQty, settings: null },
      expiry: parsed?.expiry ?? "",
      warnings: freezeQty === null ? ["Freeze quantity unknown: each account's order goes as one slice"] : [],
    },
  };
}

/** What one ticket leg is charged as, and its rupees per lot (or per unit for a cash-segment symbol). */
interface TicketCharge {
  kind: MarginKind;
  /** Rupees for `lots` lots; null when nothing is known to estimate it from. */
  forLots: (lots: number) => Decimal | null;
  /** Budget the charge draws on: option premium and cash-segment buys are paid in cash. */
  cashPaid: boolean;
}

/**
 * The ticket's margin estimate, as strategies size theirs: an index derivative with a margin table is charged its
 * per-lot rate (option BUY: the premium per lot; SELL: the single-sell rate of the day; futures: the futures rate);
 * any other symbol its full value at the order or last price (cash-segment delivery and a conservative intraday
 * figure). Null when neither exists (e.g. a stock derivative: margin not checked).
 */
function ticketCharge(
  leg: ResolvedLeg,
  lotSize: number,
  underlying: string | undefined,
  reference: TicketReference,
): TicketCharge | null {
  const kind: MarginKind =
    leg.instrument === "futures" ? "futures" : leg.action === "BUY" ? "option_buy" : "single_sell";
  const margins = underlying ? marginsFor(reference.marginModel, underlying) : undefined;
  if (margins && leg.instrument !== "equity") {
    const rate = marginPerLot(margins, kind, leg.expiry === reference.today ? "expiry_day" : "other_days");
    return { kind, forLots: (lots) => rate.mul(lots), cashPaid: kind === "option_buy" };
  }
  if (leg.instrument !== "equity") return null;
  const price = leg.price ?? leg.referencePrice;
  return { kind, forLots: (lots) => (price ? price.mul(lots * lotSize) : null), cashPaid: true };
}

const parsedUnderlying = (ticket: Ticket): string | undefined =>
  ticket.exchange === "NFO" || ticket.exchange === "BFO" ? parseDerivativeSymbol(ticket.symbol)?.underlying : undefined;

/** Plans a ticket for every account: lots × the account multiplier (floored), capped, sliced below freeze. */
export function planTicket(
  ticket: Ticket,
  instrument: TicketInstrument,
  accounts: readonly TicketAccount[],
  reference: TicketReference,
): TicketPlanResult {
  let price: Decimal | null = null;
  if (ticket.priceType === "LIMIT") {
    price = ticket.price!;
    if (!isOnTick(price, instrument.tickSize))
      return {
        ok: false,
        message: `Limit price must be a multiple of the tick ${instrument.tickSize.toString()}`,
        field: "price",
      };
  } else if (ticket.priceType === "PROTECTED_LIMIT") {
    if (!instrument.ltp || instrument.ltp.lte(0))
      return {
        ok: false,
        message: `No price for ${ticket.symbol}: a protected limit needs a live quote`,
        field: "symbol",
      };
    price = protectedLimitPrice(instrument.ltp, ticket.bandPercent!, ticket.action, instrument.tickSize);
  }
  const sized = ticketSizes(ticket, instrument, reference);
  if (!sized.ok) return { ok: false, message: sized.message, field: "symbol" };
  const { lotSize, freezeQty } = sized.value;
  const t = instrument.instrumentType.toUpperCase();
  const leg: ResolvedLeg = {
    legIndex: 0,
    underlying: ticket.symbol,
    instrument:
      t === "CE" || t === "PE" || t.startsWith("OPT") ? "options" : t.startsWith("FUT") ? "futures" : "equity",
    action: ticket.action,
    optionType: t === "CE" || t === "PE" ? t : null,
    symbol: ticket.symbol,
    exchange: ticket.exchange,
    expiry: sized.value.expiry,
    strike: null,
    lotSize,
    freezeQty,
    freezeSources: sized.value.freezeSources,
    sliceLots: sized.value.sliceLots,
    priceType: price ? "LIMIT" : "MARKET",
    price,
    referencePrice: instrument.ltp,
    warnings: sized.value.warnings,
  };
  const charge = ticketCharge(leg, lotSize, parsedUnderlying(ticket), reference);
  const plans = accounts.map((a): AccountPlan => {
    const scaled = new Decimal(ticket.lots).mul(a.lotMultiplier).floor().toNumber();
    const lots = a.maxLotsPerLeg === null ? scaled : Math.min(scaled, a.maxLotsPerLeg);
    const warnings = lots < scaled ? [`Capped at ${a.maxLotsPerLeg} lots by the account's limit`] : [];
    if (lots <= 0)
      return {
        status: "skipped",
        accountId: a.id,
        accountName: a.name,
        reason: `${ticket.lots} lot(s) × multiplier ${a.lotMultiplier.toString()} rounds to zero lots`,
        warnings,
      };
    const quantity = lots * lotSize;
    // freezeQty null = unknown; sliceQuantities treats OpenAlgo's 1 the same way (one slice).
    const slices = sliceQuantities(quantity, lotSize, freezeQty ?? 1);
    const available = Decimal.max(a.funds.availableMargin, 0);
    const budget = charge?.cashPaid ? Decimal.min(available, Decimal.max(a.funds.cash, 0)) : available;
    const needed = charge?.forLots(lots) ?? null;
    if (needed === null) warnings.push("Margin not checked: no margin table or price for this symbol");
    else if (needed.gt(budget))
      warnings.push(`Margin shortfall: needs ${formatRupees(needed)}, ${formatRupees(budget)} available`);
    return {
      status: "planned",
      accountId: a.id,
      accountName: a.name,
      marginSource: charge?.cashPaid ? "cash" : "available",
      marginAvailable: budget,
      marginNeeded: needed ?? new Decimal(0),
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
          lotSize,
          quantity,
          slices,
          marginKind: charge?.kind ?? (ticket.action === "BUY" ? "option_buy" : "single_sell"),
          marginNeeded: needed,
          marginAvailable: budget,
          warnings,
        },
      ],
    };
  });
  return { ok: true, preview: { legs: [leg], conditions: {}, accounts: plans, totals: runTotals(plans) } };
}
