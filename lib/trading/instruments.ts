/**
 * Default contract settings per index underlying (domain.md "Instruments") and pure lot/slice helpers.
 * These are seeds for editable settings: callers pass their own table when an exchange circular changes them
 * (parsed with `instrumentSettingsSchema` at that edge).
 */
import { z } from "zod";

/** Weekday numbers follow `Date#getUTCDay`: 0 = Sunday … 6 = Saturday. */
export interface ExpiryRule {
  /** True when the underlying has weekly expiries (every `weekday`), false when it only has monthly ones. */
  weekly: boolean;
  /** Expiry weekday; the monthly expiry is the last such weekday of the month. */
  weekday: number;
}

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
  /** Lot size (units) of contracts expiring in the current calendar month. */
  lotSize: number;
  /** Lot size (units) of contracts expiring in later months (equal to `lotSize` when no revision is pending). */
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
    underlying: z.string().regex(/^[A-Z][A-Z0-9&-]*$/, "upper-case OpenAlgo underlying"),
    exchange: z.enum(["NFO", "BFO"]),
    indexExchange: z.enum(["NSE_INDEX", "BSE_INDEX"]),
    strikeStep: z.number().positive(),
    lotSize: z.number().int().positive(),
    nextMonthLotSize: z.number().int().positive(),
    freezeQty: z.number().int().positive(),
    tickSize: z.number().positive(),
    expiry: z.object({ weekly: z.boolean(), weekday: z.number().int().min(1).max(5) }),
  })
  .refine((s) => s.freezeQty === 1 || s.freezeQty >= Math.max(s.lotSize, s.nextMonthLotSize), {
    message: "freezeQty must be at least one lot (or 1 for unknown)",
    path: ["freezeQty"],
  });

export type IndexUnderlying = "NIFTY" | "BANKNIFTY" | "FINNIFTY" | "MIDCPNIFTY" | "SENSEX";

const TUESDAY = 2;
const THURSDAY = 4;

/** Seed values from domain.md (lot sizes as of 2026; FINNIFTY/MIDCPNIFTY marked "verify" there). */
export const DEFAULT_INSTRUMENT_SETTINGS: Readonly<Record<IndexUnderlying, Readonly<InstrumentSettings>>> = {
  NIFTY: {
    underlying: "NIFTY",
    exchange: "NFO",
    indexExchange: "NSE_INDEX",
    strikeStep: 50,
    lotSize: 65,
    nextMonthLotSize: 65,
    freezeQty: 1755,
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
    freezeQty: 1800,
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

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function monthIndex(isoDate: string): number {
  const m = ISO_DATE.exec(isoDate);
  if (!m) throw new RangeError(`Expected a YYYY-MM-DD date, got "${isoDate}"`);
  return Number(m[1]) * 12 + Number(m[2]) - 1;
}

/**
 * Lot size of a contract. A lot-size revision applies from the next month's contracts: a contract expiring in
 * `today`'s calendar month (or earlier) keeps `lotSize`, a later one uses `nextMonthLotSize`.
 * Both dates are IST calendar dates `YYYY-MM-DD`.
 */
export function lotSizeFor(
  settings: Pick<InstrumentSettings, "lotSize" | "nextMonthLotSize">,
  expiryDate: string,
  today: string,
): number {
  return monthIndex(expiryDate) > monthIndex(today) ? settings.nextMonthLotSize : settings.lotSize;
}

function assertPositiveInt(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`);
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
  return Number.isSafeInteger(quantity) && quantity > 0 && Number.isSafeInteger(lotSize) && lotSize > 0 && quantity % lotSize === 0;
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
