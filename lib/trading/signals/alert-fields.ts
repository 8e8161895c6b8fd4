/**
 * zod schemas of the single fields an alert may carry (docs/webhooks.md "Alert formats"). Each refusal names what is
 * accepted; numbers may come as JSON numbers or numeric strings (TradingView fills placeholders into strings).
 */
import Decimal from "decimal.js";
import { z } from "zod";
import { isIsoDate } from "@/lib/trading/calendar";

/** Largest position size or quantity taken seriously; anything bigger is a mistake, not a trade. */
export const MAX_ALERT_QUANTITY = 1_000_000_000;
export const MAX_LOTS_MULTIPLIER = 100;
/** `ts` must fall in these years (UTC): guards against seconds read as milliseconds and plain junk. */
const TS_MIN_MS = Date.UTC(2000, 0, 1);
const TS_MAX_MS = Date.UTC(2101, 0, 1);
/** Epoch numbers below this are seconds, above it milliseconds (1e11 s is the year 5138; 1e11 ms is 1973). */
const SECONDS_BELOW = 1e11;
const ISO_TIME = /^(\d{4}-\d{2}-\d{2})[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const PRINTABLE = /^[^\p{C}]+$/u;

export const idField = z
  .string({ error: "id must be a string" })
  .refine((s) => s.trim().length > 0 && s.length <= 100 && PRINTABLE.test(s), {
    error: "id must be 1–100 printable characters",
  });

export const symbolField = z
  .string({ error: "symbol must be a string" })
  .trim()
  .refine((s) => s.length > 0 && s.length <= 100 && PRINTABLE.test(s), {
    error: "symbol must be 1–100 printable characters",
  });

const TS_MESSAGE =
  "ts must be an ISO-8601 time with a zone (TradingView's {{timenow}}) or epoch seconds or milliseconds, in 2000–2100";

export const tsField = z.union([z.string(), z.number()], { error: TS_MESSAGE }).transform((value, ctx) => {
  const ms = epochMsOf(value);
  if (ms === null || ms < TS_MIN_MS || ms >= TS_MAX_MS) {
    ctx.addIssue({ code: "custom", message: TS_MESSAGE });
    return z.NEVER;
  }
  return new Date(ms);
});

const LOTS_MESSAGE = `lots_multiplier must be a positive number up to ${MAX_LOTS_MULTIPLIER} with at most 4 decimals`;

export const lotsMultiplierField = z
  .union([z.string(), z.number()], { error: LOTS_MESSAGE })
  .transform((value, ctx) => {
    const text = typeof value === "number" ? String(value) : value.trim();
    if (!/^\d{1,3}(\.\d{1,4})?$/.test(text)) {
      ctx.addIssue({ code: "custom", message: LOTS_MESSAGE });
      return z.NEVER;
    }
    const multiplier = new Decimal(text);
    if (multiplier.lte(0) || multiplier.gt(MAX_LOTS_MULTIPLIER)) {
      ctx.addIssue({ code: "custom", message: LOTS_MESSAGE });
      return z.NEVER;
    }
    return multiplier;
  });

/** A signed whole number (TradingView's `{{strategy.position_size}}`), as a number or a numeric string. */
export function wholeNumberField(name: string, opts: { min: number }) {
  const message =
    opts.min < 0
      ? `${name} must be a whole number (negative = short), at most ${MAX_ALERT_QUANTITY} either way`
      : `${name} must be a whole number from 0 to ${MAX_ALERT_QUANTITY}`;
  return z.union([z.string(), z.number()], { error: message }).transform((value, ctx) => {
    const n = wholeNumberOf(value);
    if (n === null || n < opts.min || Math.abs(n) > MAX_ALERT_QUANTITY) {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    }
    return n;
  });
}

export function optionalStringField(name: string) {
  return z.string({ error: `${name} must be a string` }).optional();
}

function wholeNumberOf(value: string | number): number | null {
  if (typeof value === "number") return Number.isSafeInteger(value) ? (Object.is(value, -0) ? 0 : value) : null;
  const text = value.trim();
  // "2.0" is a whole number as TradingView may print it; "1.5", "1e3", "0x10" and "" are not.
  if (!/^[+-]?\d{1,10}(\.0+)?$/.test(text)) return null;
  const n = Number.parseInt(text, 10);
  return Object.is(n, -0) ? 0 : n;
}

function epochMsOf(value: string | number): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? epochOfNumber(value) : null;
  const text = value.trim();
  if (/^\d{1,16}(\.\d+)?$/.test(text)) return epochOfNumber(Number(text));
  const iso = ISO_TIME.exec(text);
  // Date.parse rolls 2026-02-30 over into March: the calendar date is checked on its own.
  if (!iso || !isIsoDate(iso[1]!)) return null;
  const ms = Date.parse(text.replace(" ", "T"));
  return Number.isFinite(ms) ? ms : null;
}

function epochOfNumber(n: number): number {
  return Math.abs(n) < SECONDS_BELOW ? Math.round(n * 1000) : Math.round(n);
}
