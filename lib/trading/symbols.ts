/**
 * OpenAlgo symbol grammar (docs/openalgo.md "Symbols and exchanges"): options `NIFTY25NOV2526000CE`, futures
 * `NIFTY25NOV25FUT`, the expiry formats in use (`DDMMMYY`, `DD-MMM-YY`, `DD-Mon-YYYY`) and strike selection (ATM / ITMn
 * / OTMn). Pure: strike arithmetic goes through decimal.js so grids such as 2.5 never drift.
 */
import Decimal from "decimal.js";
import { isIsoDate } from "./calendar";

export const MONTH_CODES = [
  "JAN",
  "FEB",
  "MAR",
  "APR",
  "MAY",
  "JUN",
  "JUL",
  "AUG",
  "SEP",
  "OCT",
  "NOV",
  "DEC",
] as const;
const MONTH_BY_CODE: ReadonlyMap<string, number> = new Map(MONTH_CODES.map((m, i) => [m, i + 1]));

export type ExpiryFormat = "DDMMMYY" | "DD-MMM-YY" | "DD-Mon-YYYY" | "YYYY-MM-DD";
export type OptionType = "CE" | "PE";

/** Formats an ISO date (`YYYY-MM-DD`) as one of OpenAlgo's expiry formats. */
export function formatExpiry(isoDate: string, format: ExpiryFormat): string {
  if (!isIsoDate(isoDate)) throw new RangeError(`Expected a YYYY-MM-DD date, got "${isoDate}"`);
  const yyyy = isoDate.slice(0, 4);
  const yy = isoDate.slice(2, 4);
  const mon = MONTH_CODES[Number(isoDate.slice(5, 7)) - 1];
  const dd = isoDate.slice(8, 10);
  switch (format) {
    case "DDMMMYY":
      return `${dd}${mon}${yy}`;
    case "DD-MMM-YY":
      return `${dd}-${mon}-${yy}`;
    case "DD-Mon-YYYY":
      return `${dd}-${mon[0]}${mon.slice(1).toLowerCase()}-${yyyy}`;
    case "YYYY-MM-DD":
      return isoDate;
  }
}

const EXPIRY_PATTERNS: readonly RegExp[] = [
  /^(\d{2})([A-Z]{3})(\d{2})$/, // 25NOV25
  /^(\d{2})-([A-Z]{3})-(\d{2})$/, // 25-NOV-25
  /^(\d{2})-([A-Z]{3})-(\d{4})$/, // 25-Nov-2025 (upper-cased before matching)
];

/**
 * Parses any supported expiry text (`25NOV25`, `25-NOV-25`, `25-Nov-2025`, `2025-11-25`; month case-insensitive)
 * to an ISO date; undefined when it is not a real date. Two-digit years are 20YY.
 */
export function parseExpiry(text: string): string | undefined {
  const t = text.trim().toUpperCase();
  if (isIsoDate(t)) return t;
  for (const re of EXPIRY_PATTERNS) {
    const m = re.exec(t);
    if (!m) continue;
    const month = MONTH_BY_CODE.get(m[2]);
    if (!month) return undefined;
    const year = m[3].length === 2 ? `20${m[3]}` : m[3];
    const iso = `${year}-${String(month).padStart(2, "0")}-${m[1]}`;
    return isIsoDate(iso) ? iso : undefined;
  }
  return undefined;
}

/** Converts between expiry formats; undefined when `text` is not a valid expiry. */
export function convertExpiry(text: string, format: ExpiryFormat): string | undefined {
  const iso = parseExpiry(text);
  return iso === undefined ? undefined : formatExpiry(iso, format);
}

/** Whole strikes print without decimals, fractional strikes keep theirs (`292.5`). */
export function formatStrike(strike: Decimal.Value): string {
  const d = new Decimal(strike);
  if (!d.isFinite() || d.lte(0)) throw new RangeError(`Strike must be a positive number, got ${String(strike)}`);
  return d.toFixed();
}

export function optionSymbol(
  underlying: string,
  expiryIsoDate: string,
  strike: Decimal.Value,
  type: OptionType,
): string {
  return `${underlying.toUpperCase()}${formatExpiry(expiryIsoDate, "DDMMMYY")}${formatStrike(strike)}${type}`;
}

export function futureSymbol(underlying: string, expiryIsoDate: string): string {
  return `${underlying.toUpperCase()}${formatExpiry(expiryIsoDate, "DDMMMYY")}FUT`;
}

export type ParsedDerivative =
  | { kind: "option"; underlying: string; expiry: string; strike: number; optionType: OptionType }
  | { kind: "future"; underlying: string; expiry: string };

// Lazy underlying + a two-digit day that must be a real day number, so `SENSEX50` + `25NOV25` parses as
// underlying SENSEX50 (day 50 is impossible), not SENSEX + day 50.
const DERIVATIVE =
  /^([A-Z][A-Z0-9&-]*?)(0[1-9]|[12]\d|3[01])(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)(\d{2})(?:(FUT)|(\d+(?:\.\d+)?)(CE|PE))$/;

/** Parses an OpenAlgo option or future symbol; undefined for equities, indices and malformed text. */
export function parseDerivativeSymbol(symbol: string): ParsedDerivative | undefined {
  const m = DERIVATIVE.exec(symbol);
  if (!m) return undefined;
  const expiry = `20${m[4]}-${String(MONTH_BY_CODE.get(m[3])).padStart(2, "0")}-${m[2]}`;
  if (!isIsoDate(expiry)) return undefined;
  if (m[5]) return { kind: "future", underlying: m[1], expiry };
  // Reject non-canonical strikes (`026000`, `26000.0`) so one contract has exactly one symbol.
  if (formatStrikeSafe(m[6]) !== m[6]) return undefined;
  return { kind: "option", underlying: m[1], expiry, strike: Number(m[6]), optionType: m[7] as OptionType };
}

function formatStrikeSafe(text: string): string | undefined {
  try {
    return formatStrike(text);
  } catch {
    return undefined;
  }
}

/** ATM strike: spot rounded to the nearest multiple of the strike step (halves round up). */
export function atmStrike(spot: Decimal.Value, step: Decimal.Value): number {
  const s = new Decimal(step);
  if (!s.isFinite() || s.lte(0)) throw new RangeError(`Strike step must be positive, got ${String(step)}`);
  return new Decimal(spot).div(s).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).mul(s).toNumber();
}

export type StrikeOffset = { kind: "ATM"; n: 0 } | { kind: "ITM" | "OTM"; n: number };

/** Parses `ATM`, `ITM3`, `OTM12` (case-insensitive, n ≥ 1). */
export function parseStrikeOffset(text: string): StrikeOffset | undefined {
  const t = text.trim().toUpperCase();
  if (t === "ATM") return { kind: "ATM", n: 0 };
  const m = /^(ITM|OTM)([1-9]\d{0,2})$/.exec(t);
  return m ? { kind: m[1] as "ITM" | "OTM", n: Number(m[2]) } : undefined;
}

/**
 * Strike `offset` steps from ATM. For CE, ITM strikes lie below ATM and OTM above; for PE the reverse.
 * `offset` is a parsed offset or its text (`ITM2`).
 */
export function strikeAtOffset(
  atm: Decimal.Value,
  step: Decimal.Value,
  offset: StrikeOffset | string,
  type: OptionType,
): number {
  const o = typeof offset === "string" ? parseStrikeOffset(offset) : offset;
  if (!o) throw new RangeError(`Invalid strike offset "${String(offset)}"`);
  if (o.kind === "ATM") return new Decimal(atm).toNumber();
  const below = (o.kind === "ITM") === (type === "CE");
  const distance = new Decimal(step).mul(o.n);
  return (below ? new Decimal(atm).minus(distance) : new Decimal(atm).plus(distance)).toNumber();
}

/** Label of a strike relative to ATM (`ATM`, `ITM2`, `OTM1`), as OpenAlgo's option chain prints it. */
export function strikeOffsetLabel(
  strike: Decimal.Value,
  atm: Decimal.Value,
  step: Decimal.Value,
  type: OptionType,
): string {
  const steps = new Decimal(strike).minus(atm).div(step).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
  if (steps === 0) return "ATM";
  const itm = steps < 0 === (type === "CE");
  return `${itm ? "ITM" : "OTM"}${Math.abs(steps)}`;
}

/** True when `strike` lies on the grid of `step`. */
export function isOnStrikeGrid(strike: Decimal.Value, step: Decimal.Value): boolean {
  return new Decimal(strike).mod(step).isZero();
}
