/**
 * Fyers API v3's wire format (docs/brokers/fyers.md "Errors"): the `{s, code, message}` envelope, the codes that mean
 * a refused token or a rate limit, and zod schemas of the answers the adapter reads. Every answer is parsed here;
 * code further in only sees typed values.
 */
import { z } from "zod";
import type { Exchange } from "@/lib/brokers/market-types";

/**
 * An id Fyers sends as a string or a number. Never coerced from anything else: a missing id must fail the answer, not
 * become the text "undefined".
 */
const brokerId = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);

/** Fyers' real API root; users normally leave the host URL blank and get this. */
export const FYERS_API_ROOT = "https://api-t1.fyers.in";
/** Where Fyers publishes its symbol masters (the simulator serves them under its own root). */
export const FYERS_PUBLIC_ROOT = "https://public.fyers.in";

/** Token refused: expired (-8), invalid (-15, -17) or not authenticated (-16). */
const AUTH_CODES: ReadonlySet<number> = new Set([-8, -15, -16, -17]);
/** Fyers' "invalid input" codes: the request was refused before anything was recorded. */
const INPUT_CODES: ReadonlySet<number> = new Set([-50, -300]);

export type FyersErrorKind = "auth" | "rate_limited" | "validation" | "rejected" | "unavailable";
export interface FyersErrorInfo {
  kind: FyersErrorKind;
  message: string;
  code: number | null;
}

const envelope = z.object({ s: z.string(), code: z.coerce.number().optional(), message: z.string().optional() });

/** True for a 200 whose envelope says `ok`. */
export function isOk(status: number, body: unknown): boolean {
  return status === 200 && envelope.safeParse(body).data?.s === "ok";
}

/** What a non-`ok` answer means. `message` is the broker's own text (Fyers never echoes a token or secret). */
export function classify(status: number, body: unknown): FyersErrorInfo {
  const env = envelope.safeParse(body).data;
  const code = env?.code ?? null;
  const message = env?.message || `HTTP ${status}`;
  if (status === 429 || code === 429) return { kind: "rate_limited", message, code };
  if (status === 401 || status === 403 || (code !== null && AUTH_CODES.has(code)))
    return { kind: "auth", message, code };
  if (status >= 500 || !env) return { kind: "unavailable", message, code };
  if (code !== null && INPUT_CODES.has(code)) return { kind: "validation", message, code };
  return { kind: "rejected", message, code };
}

/** Fyers' exchange (10 NSE, 12 BSE) and segment (10 cash, 11 F&O) numbers → its master file's name. */
export function fileOf(exchange: number, segment: number): string {
  const ex = exchange === 12 ? "BSE" : exchange === 11 ? "MCX" : "NSE";
  const seg = segment === 11 ? "FO" : segment === 12 ? "CD" : segment === 20 ? "COM" : "CM";
  return `${ex}_${seg}`;
}

/** The OpenAlgo exchange of a row whose symbol is not in the master (a delisted contract): from Fyers' numbers. */
export function exchangeOf(exchange: number, segment: number): Exchange {
  if (segment === 11) return exchange === 12 ? "BFO" : "NFO";
  if (segment === 12) return "CDS";
  if (segment === 20) return "MCX";
  return exchange === 12 ? "BSE" : "NSE";
}

const num = z.coerce.number();
const int = z.coerce.number().int();

export const orderSchema = z.object({
  id: brokerId,
  symbol: z.string(),
  exchange: int,
  segment: int,
  qty: int,
  filledQty: int.default(0),
  remainingQuantity: int.optional(),
  limitPrice: num.default(0),
  stopPrice: num.default(0),
  tradedPrice: num.default(0),
  type: int,
  side: int,
  productType: z.string(),
  status: int,
  message: z.string().nullish(),
  orderDateTime: z.string().default(""),
});
export type FyersOrder = z.infer<typeof orderSchema>;
export const orderBookSchema = z.object({ orderBook: z.array(orderSchema).nullish() });

export const tradeSchema = z.object({
  orderNumber: brokerId,
  tradeNumber: brokerId.nullish(),
  symbol: z.string(),
  exchange: int,
  segment: int,
  side: int,
  productType: z.string(),
  tradedQty: int,
  tradePrice: num,
  tradeValue: num,
  orderDateTime: z.string().default(""),
});
export type FyersTrade = z.infer<typeof tradeSchema>;
export const tradeBookSchema = z.object({ tradeBook: z.array(tradeSchema).nullish() });

export const positionSchema = z.object({
  symbol: z.string(),
  exchange: int,
  segment: int,
  productType: z.string(),
  netQty: int,
  netAvg: num,
  ltp: num,
  pl: num,
  unrealized_profit: num.default(0),
});
export const positionsSchema = z.object({ netPositions: z.array(positionSchema).nullish() });

export const holdingSchema = z.object({
  symbol: z.string(),
  exchange: int,
  segment: int,
  quantity: int,
  costPrice: num,
  ltp: num,
  pl: num,
});
export const holdingsSchema = z.object({ holdings: z.array(holdingSchema).nullish() });

export const fundsSchema = z.object({
  fund_limit: z.array(z.object({ id: int, title: z.string(), equityAmount: num, commodityAmount: num.default(0) })),
});

export const quoteValueSchema = z.object({
  lp: num,
  open_price: num,
  high_price: num,
  low_price: num,
  prev_close_price: num,
  bid: num.default(0),
  ask: num.default(0),
  volume: num.default(0),
});
export const quotesSchema = z.object({
  d: z.array(z.object({ n: z.string(), s: z.string(), v: z.record(z.string(), z.unknown()) })),
});

const levelSchema = z.object({ price: num, volume: num });
export const depthEntrySchema = z.object({
  ltp: num,
  totalbuyqty: num.default(0),
  totalsellqty: num.default(0),
  bids: z.array(levelSchema).default([]),
  ask: z.array(levelSchema).default([]),
});
export const depthSchema = z.object({ d: z.record(z.string(), depthEntrySchema) });

export const placedSchema = z.object({ id: brokerId });
export const tokenSchema = z.object({ access_token: z.string().min(1), refresh_token: z.string().min(1).optional() });
export const profileSchema = z.object({ data: z.object({ fy_id: z.string() }).passthrough() });
