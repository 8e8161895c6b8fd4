/**
 * Default contract settings per index underlying (docs/trading-facts.md "Instruments and lot sizes") and pure lot/slice
 * helpers. These are seeds for editable settings: callers pass their own table when an exchange circular changes them
 * (parsed with `instrumentSettingsSchema` at that edge).
 */
import { z } from "zod";
import { dayNumber, expiriesForRule, monthlyExpiries, type ExpiryRule } from "./calendar";

export type DerivativeExchange = "NFO" | "BFO";
export type IndexExchange = "NSE_INDEX" | "BSE_INDEX";

export interface InstrumentSettings {
  underlying: string;
  /** Exchange where the options and futures trade. */
  exchange: DerivativeExchange;
  /** Exchange where the index itself is quoted. */
  indexExchange: IndexExchange;
  /** Strike grid step in rupees. */
  strikeStep: number;
  /** Lot size (units) of contracts of the current monthly series (expiring on or before its monthly expiry). */
  lotSize: number;
  /** Lot size (units) of contracts of later series (equal to `lotSize` when no revision is pending). */
  nextMonthLotSize: number;
  /** Largest quantity (units) per order; 1 means unknown (no limit). */
  freezeQty: number;
  /** Price tick in rupees. */
  tickSize: number;
  expiry: ExpiryRule;
}

/** Shape of one editable settings row (admin form, database JSON). */
export const instrumentSettingsSchema = z
  .object({
    underlying: z
      .string()
      .max(20)
      .regex(/^[A-Z][A-Z0-9&-]*$/, "upper-case OpenAlgo underlying"),
    exchange: z.enum(["NFO", "BFO"]),
    indexExchange: z.enum(["NSE_INDEX", "BSE_INDEX"]),
    strikeStep: z.number().positive().max(100_000),
    lotSize: z.number().int().positive().max(1_000_000),
    nextMonthLotSize: z.number().int().positive().max(1_000_000),
    freezeQty: z.number().int().positive().max(10_000_000),
    tickSize: z.number().positive().max(10_000),
    expiry: z.object({ weekly: z.boolean(), weekday: z.number().int().min(1).max(5) }),
  })
  .refine((s) => s.freezeQty === 1 || s.freezeQty >= Math.max(s.lotSize, s.nextMonthLotSize), {
    message: "freezeQty must be at least one lot (or 1 for unknown)",
    path: ["freezeQty"],
  });

export type IndexUnderlying = "NIFTY" | "BANKNIFTY" | "FINNIFTY" | "MIDCPNIFTY" | "SENSEX";

const TUESDAY = 2;
const THURSDAY = 4;

/**
 * Seed values (editable settings; docs/trading-facts.md gives the sources). Freeze quantities of the NSE indices are
 * those of the exchange's revision effective 1 December 2025; the planner uses the smaller of these and the broker's.
 */
export const DEFAULT_INSTRUMENT_SETTINGS: Readonly<Record<IndexUnderlying, Readonly<InstrumentSettings>>> = {
  NIFTY: {
    underlying: "NIFTY",
    exchange: "NFO",
    indexExchange: "NSE_INDEX",
    strikeStep: 50,
    lotSize: 65,
    nextMonthLotSize: 65,
    freezeQty: 1800,
    tickSize: 0.05,
    expiry: { weekly: true, weekday: TUESDAY },
  },
  BANKNIFTY: {
    underlying: "BANKNIFTY",
    exchange: "NFO",
    indexExchange: "NSE_INDEX",
    strikeStep: 100,
    lotSize: 30,
    nextMonthLotSize: 30,
    freezeQty: 600,
    tickSize: 0.05,
    expiry: { weekly: false, weekday: TUESDAY },
  },
  FINNIFTY: {
    underlying: "FINNIFTY",
    exchange: "NFO",
    indexExchange: "NSE_INDEX",
    strikeStep: 50,
    lotSize: 60,
    nextMonthLotSize: 60,
    freezeQty: 1200,
    tickSize: 0.05,
    expiry: { weekly: false, weekday: TUESDAY },
  },
  MIDCPNIFTY: {
    underlying: "MIDCPNIFTY",
    exchange: "NFO",
    indexExchange: "NSE_INDEX",
    strikeStep: 25,
    lotSize: 120,
    nextMonthLotSize: 120,
    freezeQty: 2800,
    tickSize: 0.05,
    expiry: { weekly: false, weekday: TUESDAY },
  },
  SENSEX: {
    underlying: "SENSEX",
    exchange: "BFO",
    indexExchange: "BSE_INDEX",
    strikeStep: 100,
    lotSize: 20,
    nextMonthLotSize: 20,
    freezeQty: 1000,
    tickSize: 0.05,
    expiry: { weekly: true, weekday: THURSDAY },
  },
};

export type InstrumentSettingsTable = Readonly<Record<string, Readonly<InstrumentSettings>>>;

/** Settings of an underlying (case-insensitive), or undefined when the table does not list it. */
export function instrumentSettingsFor(
  underlying: string,
  table: InstrumentSettingsTable = DEFAULT_INSTRUMENT_SETTINGS,
): Readonly<InstrumentSettings> | undefined {
  const key = underlying.toUpperCase();
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** The F&O exchanges legs on these underlyings trade on (NFO for an underlying without settings). */
export function derivativeExchanges(
  legs: readonly { underlying: string }[],
  table: InstrumentSettingsTable = DEFAULT_INSTRUMENT_SETTINGS,
): DerivativeExchange[] {
  return [...new Set(legs.map((l) => instrumentSettingsFor(l.underlying, table)?.exchange ?? "NFO"))];
}

const NO_HOLIDAYS: ReadonlySet<string> = new Set();

/**
 * Lot size of a contract. A lot-size revision applies from the next SERIES (docs/trading-facts.md "Instruments and lot
 * sizes"): the current series runs up to the nearest monthly expiry on or after
 * `today` — after November's last-Tuesday expiry, December is the current series although it is still November. A
 * contract expiring on or before that monthly keeps `lotSize`; a later one (including the next series' weekly that a
 * holiday pulls back into this calendar month) uses `nextMonthLotSize`. Dates are IST `YYYY-MM-DD`; `holidays`
 * (exchange closed days) place the monthly after its holiday shift — without them only a closed monthly date itself is
 * misjudged.
 */
export function lotSizeFor(
  settings: Pick<InstrumentSettings, "lotSize" | "nextMonthLotSize" | "expiry">,
  expiryDate: string,
  today: string,
  holidays: ReadonlySet<string> = NO_HOLIDAYS,
): number {
  dayNumber(expiryDate); // throws RangeError on a malformed date
  const [currentSeries] = monthlyExpiries(settings.expiry, today, 1, holidays);
  return expiryDate <= currentSeries ? settings.lotSize : settings.nextMonthLotSize;
}

function assertPositiveInt(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
}

/**
 * Largest order size (units) that respects both the freeze limit and the lot size: floor(freeze / lot) × lot.
 * Returns null when the freeze quantity is unknown (OpenAlgo reports 1), meaning "no limit".
 * Throws when the freeze limit is smaller than one lot, since no valid order could then be placed.
 */
export function sliceQuantityFor(lotSize: number, freezeQty: number): number | null {
  assertPositiveInt("lotSize", lotSize);
  assertPositiveInt("freezeQty", freezeQty);
  if (freezeQty === 1) return null;
  const lots = Math.floor(freezeQty / lotSize);
  if (lots === 0) throw new RangeError(`freezeQty ${freezeQty} is smaller than one lot of ${lotSize}`);
  return lots * lotSize;
}

/** True when `quantity` (units) is a positive whole number of lots. */
export function isLotMultiple(quantity: number, lotSize: number): boolean {
  return (
    Number.isSafeInteger(quantity) &&
    quantity > 0 &&
    Number.isSafeInteger(lotSize) &&
    lotSize > 0 &&
    quantity % lotSize === 0
  );
}

/**
 * Splits an order of `quantity` units into slices no larger than the slice size, largest first.
 * Every slice is a lot multiple. With an unknown freeze quantity the order is one slice.
 */
export function sliceQuantities(quantity: number, lotSize: number, freezeQty: number): number[] {
  if (!isLotMultiple(quantity, lotSize)) {
    throw new RangeError(`quantity ${quantity} is not a positive multiple of lot size ${lotSize}`);
  }
  const slice = sliceQuantityFor(lotSize, freezeQty);
  if (slice === null || quantity <= slice) return [quantity];
  const slices: number[] = [];
  let left = quantity;
  while (left > 0) {
    const next = Math.min(slice, left);
    slices.push(next);
    left -= next;
  }
  return slices;
}

/**
 * Next `count` option expiries of an underlying on or after `fromDate` (an IST date), ascending, holiday-adjusted.
 * Returns [] for an underlying the settings table does not list.
 */
export function expiriesFor(
  underlying: string,
  fromDate: string,
  count: number,
  holidays: ReadonlySet<string>,
  table: InstrumentSettingsTable = DEFAULT_INSTRUMENT_SETTINGS,
): string[] {
  const settings = instrumentSettingsFor(underlying, table);
  return settings ? expiriesForRule(settings.expiry, fromDate, count, holidays) : [];
}

/** Next `count` monthly expiries of an underlying (the futures calendar). */
export function monthlyExpiriesFor(
  underlying: string,
  fromDate: string,
  count: number,
  holidays: ReadonlySet<string>,
  table: InstrumentSettingsTable = DEFAULT_INSTRUMENT_SETTINGS,
): string[] {
  const settings = instrumentSettingsFor(underlying, table);
  return settings ? monthlyExpiries(settings.expiry, fromDate, count, holidays) : [];
}
