/**
 * Dhan's wire vocabulary (docs/brokers/dhan.md "Mappings"): products, order types, status words, the error envelope
 * `{errorType, errorCode, errorMessage}` and how each error class maps to MirrorDesk's typed errors.
 */
import type { Exchange } from "@/lib/brokers/market-types";
import type { OrderStatus, PriceType, Product } from "@/lib/brokers/types";

export const PRODUCT_TO_DHAN: Record<Product, string> = { MIS: "INTRADAY", NRML: "MARGIN", CNC: "CNC" };
/** Dhan's products back; cover and bracket orders are intraday, MTF is a delivery product. */
export const PRODUCT_FROM_DHAN: Record<string, Product> = {
  INTRADAY: "MIS",
  MARGIN: "NRML",
  CNC: "CNC",
  MTF: "CNC",
  CO: "MIS",
  BO: "MIS",
};

export const TYPE_TO_DHAN: Record<PriceType, string> = {
  MARKET: "MARKET",
  LIMIT: "LIMIT",
  SL: "STOP_LOSS",
  "SL-M": "STOP_LOSS_MARKET",
};
export const TYPE_FROM_DHAN: Record<string, PriceType> = {
  MARKET: "MARKET",
  LIMIT: "LIMIT",
  STOP_LOSS: "SL",
  STOP_LOSS_MARKET: "SL-M",
};

/**
 * Dhan's order statuses. TRANSIT (not yet at the exchange), PENDING and PART_TRADED are working orders; Dhan has no
 * separate word for an untriggered stop-loss (it is PENDING too). EXPIRED counts as cancelled. Anything else (the super
 * order words CLOSED and TRIGGERED, a future word) counts as open so that callers keep reconciling.
 */
export function statusFromDhan(word: string): OrderStatus {
  switch (word) {
    case "TRADED":
      return "complete";
    case "REJECTED":
      return "rejected";
    case "CANCELLED":
    case "EXPIRED":
      return "cancelled";
    default:
      return "open";
  }
}

/** OpenAlgo exchange of a Dhan segment when the master has no row (indices default to NSE's). */
export const EXCHANGE_OF_SEGMENT: Record<string, Exchange> = {
  NSE_EQ: "NSE",
  BSE_EQ: "BSE",
  NSE_FNO: "NFO",
  BSE_FNO: "BFO",
  MCX_COMM: "MCX",
  NSE_CURRENCY: "CDS",
  BSE_CURRENCY: "BCD",
  IDX_I: "NSE_INDEX",
};

export type DhanErrorKind = "auth" | "rate_limited" | "validation" | "rejected" | "not_found" | "unavailable";

export interface DhanErrorInfo {
  kind: DhanErrorKind;
  /** Dhan's text (never ours with a secret in it), prefixed with its code. */
  message: string;
  code: string | null;
}

/** Dhan's error codes (its annexure) → the class of failure. */
const BY_CODE: Record<string, DhanErrorKind> = {
  "DH-901": "auth",
  // No access to the API asked for (e.g. no data plan for quotes): the request was understood and refused.
  "DH-902": "rejected",
  "DH-903": "rejected",
  "DH-904": "rate_limited",
  "DH-905": "validation",
  "DH-906": "rejected",
  "DH-907": "not_found",
  "DH-908": "unavailable",
  "DH-909": "unavailable",
  "DH-910": "unavailable",
};

/** Classifies a non-success answer by Dhan's error code, else by HTTP status. */
export function classifyDhanError(status: number, body: unknown): DhanErrorInfo {
  const b = (body ?? {}) as { errorCode?: unknown; errorMessage?: unknown; errorType?: unknown };
  const code = typeof b.errorCode === "string" ? b.errorCode : null;
  const text = typeof b.errorMessage === "string" && b.errorMessage ? b.errorMessage : `HTTP ${status}`;
  const message = code ? `${code}: ${text}` : text;
  const byCode = code ? BY_CODE[code] : undefined;
  if (byCode) return { kind: byCode, message, code };
  if (status === 401 || status === 403) return { kind: "auth", message, code };
  if (status === 429) return { kind: "rate_limited", message, code };
  if (status === 404) return { kind: "not_found", message, code };
  if (status >= 400 && status < 500) return { kind: "validation", message, code };
  return { kind: "unavailable", message, code };
}

/** Dhan's correlation id: what our strategy tag may be sent as (longer or other characters: not sent). */
export const CORRELATION_ID = /^[A-Za-z0-9 _-]{1,25}$/;

const IST_OFFSET_MS = 19_800_000;

/** Dhan's IST wall-clock times (`2026-12-07 10:15:23` or `2026-12-07T10:15:23`) as instants; null when unreadable. */
export function istTime(text: unknown): Date | null {
  if (typeof text !== "string") return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(text);
  if (!m || m[1] === "0001") return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) - IST_OFFSET_MS;
  return Number.isFinite(ms) ? new Date(ms) : null;
}
