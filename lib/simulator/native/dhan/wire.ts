/**
 * Shared pieces of the simulated Dhan (docs/brokers/dhan.md): its error envelope, request reading, number coercion of
 * engine answers, and the per-instance rate limiter.
 */
import type { IncomingMessage } from "node:http";
import type { Reply } from "@/lib/simulator/server/rest";
import type { InstanceState } from "@/lib/simulator/types";
import type { NativeContext } from "@/lib/simulator/native/front-end";

/** Dhan's error classes (its annexure): code, type word, HTTP status the simulator answers with. */
export const DHAN_ERRORS = {
  auth: { code: "DH-901", type: "Invalid_Authentication", status: 401 },
  access: { code: "DH-902", type: "Invalid_Access", status: 403 },
  rate: { code: "DH-904", type: "Rate_Limit", status: 429 },
  input: { code: "DH-905", type: "Input_Exception", status: 400 },
  order: { code: "DH-906", type: "Order_Error", status: 400 },
  data: { code: "DH-907", type: "Data_Error", status: 400 },
  internal: { code: "DH-908", type: "Internal_Server_Error", status: 500 },
} as const;
export type DhanErrorKind = keyof typeof DHAN_ERRORS;

export function dhanError(kind: DhanErrorKind, message: string): Reply {
  const e = DHAN_ERRORS[kind];
  return { status: e.status, body: JSON.stringify({ errorType: e.type, errorCode: e.code, errorMessage: message }) };
}

export function json(body: unknown, status = 200): Reply {
  return { status, body: JSON.stringify(body) };
}

/** A JSON or form-encoded body as a plain object; undefined when it is neither. */
export function parseBody(req: IncomingMessage, text: string): Record<string, unknown> | undefined {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (text.trim() === "") return {};
  if (type === "application/x-www-form-urlencoded") return Object.fromEntries(new URLSearchParams(text));
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Engine answers carry numbers as strings or numbers (the instance's flavour); Dhan always sends JSON numbers. */
export const num = (v: unknown): number => (typeof v === "number" ? v : Number(v ?? 0));
export const round2 = (n: number): number => Math.round(n * 100) / 100;

export function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? "";
}

/** Dhan's published limits per client: orders 10/s, quote APIs 1/s, other APIs 20/s. */
export const SIM_LIMITS = {
  order: { count: 10, windowMs: 1000 },
  quote: { count: 1, windowMs: 1000 },
  other: { count: 20, windowMs: 1000 },
} as const;
export type LimitBucket = keyof typeof SIM_LIMITS;

const windows = new WeakMap<NativeContext, Map<string, number[]>>();

/** True when the request is over its bucket's moving window (refused hits are not counted). */
export function overLimit(ctx: NativeContext, instance: InstanceState, bucket: LimitBucket): boolean {
  let perCtx = windows.get(ctx);
  if (!perCtx) windows.set(ctx, (perCtx = new Map()));
  const key = `${instance.id}:${bucket}`;
  const now = ctx.now();
  const { count, windowMs } = SIM_LIMITS[bucket];
  const hits = (perCtx.get(key) ?? []).filter((t) => t > now - windowMs);
  perCtx.set(key, hits);
  if (hits.length >= count) return true;
  hits.push(now);
  return false;
}
