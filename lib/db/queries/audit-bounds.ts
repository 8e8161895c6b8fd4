import { createHash } from "node:crypto";
import type { Prisma } from "@/lib/generated/prisma/client";

/** Longest string kept verbatim in an audit row (characters); longer text keeps a prefix, its length and a hash. */
export const AUDIT_MAX_STRING = 256;
/** Most items kept per array and keys per object, and the deepest nesting kept. */
export const AUDIT_MAX_ITEMS = 50;
export const AUDIT_MAX_DEPTH = 6;
/** Largest `details` document stored (characters of JSON); above it only a preview and a hash are kept. */
export const AUDIT_MAX_DETAILS_CHARS = 16 * 1024;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);

/**
 * A string as the audit log keeps it. Audit rows record user-supplied identifiers (a typed email, an order id), so
 * an oversized value keeps a recognisable prefix plus its length and a hash that still matches the same input.
 */
export function boundAuditString(text: string, max = AUDIT_MAX_STRING): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}…[${text.length} chars, sha256:${sha256(text)}]`;
}

function boundValue(value: unknown, depth: number): Prisma.InputJsonValue | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return boundAuditString(value);
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "boolean") return value;
  if (typeof value === "bigint") return value.toString();
  if (depth >= AUDIT_MAX_DEPTH) return "[nested too deep]";
  if (Array.isArray(value)) {
    const kept = value.slice(0, AUDIT_MAX_ITEMS).map((v) => boundValue(v, depth + 1));
    return value.length > AUDIT_MAX_ITEMS ? [...kept, `[+${value.length - AUDIT_MAX_ITEMS} more]`] : kept;
  }
  if (typeof value === "object") {
    if (typeof (value as { toJSON?: unknown }).toJSON === "function")
      return boundValue(JSON.parse(JSON.stringify(value)), depth);
    const entries = Object.entries(value as Record<string, unknown>);
    const out: Record<string, Prisma.InputJsonValue | null> = {};
    for (const [k, v] of entries.slice(0, AUDIT_MAX_ITEMS)) out[boundAuditString(k, 64)] = boundValue(v, depth + 1);
    if (entries.length > AUDIT_MAX_ITEMS) out["…"] = `[+${entries.length - AUDIT_MAX_ITEMS} more keys]`;
    return out;
  }
  return String(value);
}

/** The `details` of an audit row with every string, list and nesting level bounded, and the whole capped in size. */
export function boundAuditDetails(details: Prisma.InputJsonObject): Prisma.InputJsonObject {
  const bounded = boundValue(details, 0) as Prisma.InputJsonObject;
  const text = JSON.stringify(bounded);
  if (text.length <= AUDIT_MAX_DETAILS_CHARS) return bounded;
  return { truncated: true, chars: text.length, sha256: sha256(text), preview: text.slice(0, 1024) };
}
