/**
 * Kite Connect's answer envelopes as the simulator sends them (docs/brokers/zerodha.md "Answers and errors"):
 * `{status:"success", data}` and `{status:"error", message, data:null, error_type}` with the HTTP status of the error
 * class, and the session expiry Kite applies to access tokens.
 */
import type { Reply } from "@/lib/simulator/server/rest";

export type KiteErrorType =
  | "TokenException"
  | "PermissionException"
  | "InputException"
  | "OrderException"
  | "NetworkException"
  | "DataException"
  | "GeneralException";

export function kiteOk(data: unknown): Reply {
  return { status: 200, body: JSON.stringify({ status: "success", data }) };
}

export function kiteError(status: number, errorType: KiteErrorType, message: string): Reply {
  return { status, body: JSON.stringify({ status: "error", message, data: null, error_type: errorType }) };
}

export const TOO_MANY = kiteError(429, "NetworkException", "Too many requests");
export const BAD_TOKEN = kiteError(403, "TokenException", "Incorrect `api_key` or `access_token`.");
export const INTERNAL = kiteError(500, "GeneralException", "Something went wrong. Please try again.");

const IST_OFFSET_MS = 19_800_000;
const DAY_MS = 86_400_000;
/** When a token issued at `nowMs` dies: Kite ends sessions at 06:00 IST, so the first 06:00 IST after issue. */
export function kiteSessionExpiry(nowMs: number): number {
  const utcDayStart = Math.floor((nowMs + IST_OFFSET_MS) / DAY_MS) * DAY_MS - IST_OFFSET_MS;
  // utcDayStart is 00:00 IST of today as UTC ms; 06:00 IST is six hours later.
  let at = utcDayStart + 6 * 3_600_000;
  if (at <= nowMs) at += DAY_MS;
  return at;
}

/** `YYYY-MM-DD HH:MM:SS` in IST, as Kite prints times. */
export function kiteTimestamp(ms: number): string {
  const iso = new Date(ms + IST_OFFSET_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}
