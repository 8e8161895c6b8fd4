/**
 * Pure building blocks for reading OpenAlgo answers: zod coercions for the string/number variants (live brokers
 * send `"83.74"`, the sandbox `83.74`, some send `""`), broker timestamps, and the classification of error
 * answers (three validation-body shapes, 403 "Invalid openalgo apikey", 429 `{"message": "..."}`, plain text).
 */
import Decimal from "decimal.js";
import { z } from "zod";
import type { Exchange } from "@/lib/brokers/types";
import { parsePythonLiteral } from "./python-literal";

const numeric = z.union([z.number(), z.string()]);

function toDecimal(v: number | string): Decimal | undefined {
  const t = typeof v === "string" ? v.trim() : v;
  if (t === "") return new Decimal(0);
  try {
    const d = new Decimal(t);
    return d.isFinite() ? d : undefined;
  } catch {
    return undefined;
  }
}

/** A required amount or price: number or numeric string; `""` counts as 0 (brokers' "nothing"). */
export const dec = numeric.transform((v, ctx) => {
  const d = toDecimal(v);
  if (d) return d;
  ctx.addIssue({ code: "custom", message: `not a number: ${JSON.stringify(v)}` });
  return z.NEVER;
});

/** An optional amount: missing, null, `""` and 0 all mean "not reported" (null). */
export const optDec = z
  .union([z.number(), z.string(), z.null()])
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === null || (typeof v === "string" && v.trim() === "")) return null;
    const d = toDecimal(v);
    if (!d) {
      ctx.addIssue({ code: "custom", message: `not a number: ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return d.isZero() ? null : d;
  });

/** A whole quantity: `1`, `1.0`, `"1"`, `"-104"`, `"1.0"`; `""` is 0. Fractions are an error (no silent rounding). */
export const int = numeric.transform((v, ctx) => {
  const d = toDecimal(v);
  if (d && d.isInteger()) return d.toNumber();
  ctx.addIssue({ code: "custom", message: `not a whole number: ${JSON.stringify(v)}` });
  return z.NEVER;
});

/** An optional whole quantity (missing / null / `""` → undefined). */
export const optInt = z
  .union([z.number(), z.string(), z.null()])
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === null || (typeof v === "string" && v.trim() === "")) return undefined;
    const d = toDecimal(v);
    if (d && d.isInteger()) return d.toNumber();
    ctx.addIssue({ code: "custom", message: `not a whole number: ${JSON.stringify(v)}` });
    return z.NEVER;
  });

/** Volume / open interest: informational counts, truncated (some feeds send `1000.0`). Missing → 0. */
export const count = z
  .union([z.number(), z.string(), z.null()])
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === null) return 0;
    const d = toDecimal(v);
    if (d) return d.trunc().toNumber();
    ctx.addIssue({ code: "custom", message: `not a number: ${JSON.stringify(v)}` });
    return z.NEVER;
  });

/** Ids arrive as strings, occasionally as numbers. */
export const id = numeric.transform((v) => String(v).trim()).pipe(z.string().min(1));

export const EXCHANGES = [
  "NSE",
  "BSE",
  "NFO",
  "BFO",
  "CDS",
  "BCD",
  "MCX",
  "NCDEX",
  "NCO",
  "NSE_INDEX",
  "BSE_INDEX",
  "MCX_INDEX",
  "GLOBAL_INDEX",
  "CRYPTO",
] as const satisfies readonly Exchange[];
export const exchange = z.enum(EXCHANGES);
export const action = z
  .string()
  .transform((s) => s.trim().toUpperCase())
  .pipe(z.enum(["BUY", "SELL"]));
export const product = z
  .string()
  .transform((s) => s.trim().toUpperCase())
  .pipe(z.enum(["MIS", "NRML", "CNC"]));
export const priceType = z
  .string()
  .transform((s) => s.trim().toUpperCase())
  .pipe(z.enum(["MARKET", "LIMIT", "SL", "SL-M"]));
/** Optional free text: missing, null and `""` → null. */
export const optText = z
  .string()
  .nullish()
  .transform((s) => (s === undefined || s === null || s.trim() === "" ? null : s));

const MONTHS: Record<string, number> = {
  JAN: 1,
  FEB: 2,
  MAR: 3,
  APR: 4,
  MAY: 5,
  JUN: 6,
  JUL: 7,
  AUG: 8,
  SEP: 9,
  OCT: 10,
  NOV: 11,
  DEC: 12,
};
const IST_OFFSET_MS = 330 * 60_000;

/**
 * Broker timestamps are Asia/Kolkata wall-clock text: Zerodha/sandbox `2026-11-22 09:14:17`, Angel
 * `08-Apr-2025 13:58:03`. A bare time of day (`13:58:03`, live trade books) has no date: null.
 */
export function parseBrokerTime(text: string): Date | null {
  const t = text.trim();
  let y: number, mo: number, d: number;
  let rest: string;
  let m = /^(\d{4})-(\d{2})-(\d{2})[ T](.+)$/.exec(t);
  if (m) {
    [y, mo, d, rest] = [Number(m[1]), Number(m[2]), Number(m[3]), m[4]];
  } else {
    m = /^(\d{2})-([A-Za-z]{3})-(\d{4}) (.+)$/.exec(t);
    if (!m || !MONTHS[m[2].toUpperCase()]) return null;
    [y, mo, d, rest] = [Number(m[3]), MONTHS[m[2].toUpperCase()], Number(m[1]), m[4]];
  }
  const hms = /^(\d{2}):(\d{2}):(\d{2})$/.exec(rest);
  if (!hms) return null;
  const ms = Date.UTC(y, mo - 1, d, Number(hms[1]), Number(hms[2]), Number(hms[3])) - IST_OFFSET_MS;
  const check = new Date(ms + IST_OFFSET_MS);
  // Reject impossible dates (Date.UTC rolls 31-Feb over to March).
  return check.getUTCDate() === d && check.getUTCMonth() === mo - 1 ? new Date(ms) : null;
}

/** What an error answer means, independent of which endpoint gave it. */
export type ErrorKind = "auth" | "rate_limited" | "validation" | "rejected" | "not_found" | "unavailable";

export interface BrokerErrorInfo {
  kind: ErrorKind;
  /** The broker's text (or a short description of what came back). */
  message: string;
  /** Field → messages, for validation errors. */
  fields?: Record<string, string[]>;
}

const errorBody = z.object({
  status: z.string().optional(),
  message: z.unknown().optional(),
  errors: z.unknown().optional(),
});

/** Flattens marshmallow's nested `{orders: {0: {strategy: [...]}}}` into `{"orders.0.strategy": [...]}`. */
export function flattenFieldErrors(value: unknown, prefix = ""): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (Array.isArray(value)) {
    out[prefix || "_"] = value.map((v) => String(v));
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value))
      Object.assign(out, flattenFieldErrors(v, prefix ? `${prefix}.${k}` : k));
  } else if (value !== undefined) {
    out[prefix || "_"] = [String(value)];
  }
  return out;
}

function describeFields(fields: Record<string, string[]>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k}: ${v.join(" ")}`)
    .join("; ");
}

/** The Python repr `message` of order endpoints, e.g. `"{'quantity': ['Missing data for required field.']}"`. */
function reprFields(message: string): Record<string, string[]> | undefined {
  const t = message.trim();
  if (!t.startsWith("{")) return undefined;
  const parsed = parsePythonLiteral(t);
  if (parsed === undefined || parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
  const fields = flattenFieldErrors(parsed);
  return Object.keys(fields).length > 0 ? fields : undefined;
}

/** Shortens a non-JSON body (HTML, plain text) for an error message. */
function snippet(text: string): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > 160 ? `${t.slice(0, 157)}...` : t;
}

/**
 * Classifies a non-success answer. `body` is the parsed JSON (undefined when the body was not JSON), `text` the
 * raw body. Never matches on message text except where OpenAlgo gives nothing else (403 key vs. semi-auto block).
 */
export function classifyError(status: number, body: unknown, text: string): BrokerErrorInfo {
  const parsed = errorBody.safeParse(body);
  const b = parsed.success ? parsed.data : undefined;
  const msg = typeof b?.message === "string" ? b.message : undefined;

  if (status === 429)
    return { kind: "rate_limited", message: msg ? `Rate limited by broker (${msg})` : "Rate limited by broker" };
  if (status === 401 || status === 403) {
    // 403 also blocks modify/cancel in semi-auto mode and banned IPs (plain text): those are refusals, not keys.
    if (msg !== undefined && /api ?key/i.test(msg)) return { kind: "auth", message: msg };
    return { kind: "rejected", message: msg ?? (snippet(text) || `HTTP ${status}`) };
  }
  if (status >= 500)
    return { kind: "unavailable", message: `Broker error HTTP ${status}: ${msg ?? (snippet(text) || "no body")}` };
  if (status === 404) {
    // `{"message":"Not found","path":...}` is OpenAlgo's unknown-route answer: a wrong host URL, not a missing order.
    const p = z.object({ path: z.string() }).safeParse(body);
    if (p.success) return { kind: "unavailable", message: `No OpenAlgo API at ${p.data.path} (check the host URL)` };
    return { kind: "not_found", message: msg ?? "Not found" };
  }
  if (status === 400 || status === 422 || (status === 200 && b?.status === "error")) {
    // Options endpoints: {"message": "Validation error", "errors": {...}}; optiongreeks: "Validation failed".
    if (b?.errors !== undefined && b.errors !== null && typeof b.errors === "object") {
      const fields = flattenFieldErrors(b.errors);
      return { kind: "validation", message: describeFields(fields), fields };
    }
    // Data endpoints: {"message": {"field": ["..."]}}.
    if (b?.message !== null && typeof b?.message === "object") {
      const fields = flattenFieldErrors(b.message);
      return { kind: "validation", message: describeFields(fields), fields };
    }
    if (msg !== undefined) {
      // Order endpoints: a Python repr string of the same object.
      const fields = reprFields(msg);
      if (fields) return { kind: "validation", message: describeFields(fields), fields };
      // flask-restx's own 400 (malformed JSON) has no `status` key: our request was broken, not refused.
      if (b?.status === undefined) return { kind: "validation", message: msg };
      return { kind: "rejected", message: msg };
    }
    return { kind: "rejected", message: snippet(text) || `HTTP ${status}` };
  }
  return { kind: "unavailable", message: `Unexpected HTTP ${status}: ${msg ?? (snippet(text) || "no body")}` };
}
