/**
 * Dhan order alerts (`{Type: "order_alert", Data: {...}}`, docs/brokers/dhan.md "Order updates") → `OrderUpdate`.
 * The stream writes products, sides and order types as one-letter or short codes (`I`, `B`, `LMT`) and statuses in
 * title case (`Cancelled`); both are read case-insensitively and mapped like the REST order book's words. The symbol
 * comes from the day's master by exchange + segment letter + security id.
 */
import Decimal from "decimal.js";
import { z } from "zod";
import type { InstrumentMaster } from "@/lib/brokers/instruments";
import type { Exchange } from "@/lib/brokers/market-types";
import type { OrderUpdate, PriceType, Product } from "@/lib/brokers/types";
import { BrokerUnavailableError } from "@/lib/errors";
import { SEGMENTS } from "./master";
import { PRODUCT_FROM_DHAN, statusFromDhan, TYPE_FROM_DHAN } from "./wire";

const PRODUCT_CODES: Record<string, Product> = { I: "MIS", M: "NRML", C: "CNC", F: "CNC", V: "MIS", B: "MIS" };
const TYPE_CODES: Record<string, PriceType> = { LMT: "LIMIT", MKT: "MARKET", SL: "SL", SLM: "SL-M" };

const id = z.union([z.string().min(1), z.number()]).transform(String);
const int = z.union([z.number(), z.string()]).transform((v) => Math.trunc(Number(v) || 0));
const dec = z
  .union([z.number(), z.string()])
  .optional()
  .transform((v) => new Decimal(v === undefined || v === "" || !Number.isFinite(Number(v)) ? 0 : v));
const text = z
  .string()
  .nullish()
  .transform((v) => (v ?? "").trim());

const alertSchema = z.object({
  Type: z.literal("order_alert"),
  Data: z.object({
    OrderNo: id,
    Exchange: text,
    Segment: text,
    SecurityId: z.union([z.string(), z.number()]).transform(String),
    Symbol: text,
    TxnType: z.string().transform((v) => (v.toUpperCase().startsWith("S") ? "SELL" : "BUY")),
    OrderType: text,
    Product: text,
    ProductName: text,
    Quantity: int,
    TradedQty: int.optional(),
    RemainingQuantity: int.optional(),
    Price: dec,
    AvgTradedPrice: dec,
    Status: z.string().min(1),
    ReasonDescription: text,
  }),
});

/** Whether a frame is an order alert at all (other frames are not ours to map). */
export function isOrderAlert(frame: unknown): boolean {
  return typeof frame === "object" && frame !== null && (frame as { Type?: unknown }).Type === "order_alert";
}

export function mapOrderAlert(master: InstrumentMaster, frame: unknown): OrderUpdate {
  const r = alertSchema.safeParse(frame);
  if (!r.success) throw new BrokerUnavailableError("Unreadable order alert from Dhan", "bad_response");
  const d = r.data.Data;
  const seg = SEGMENTS[`${d.Exchange.toUpperCase()}:${d.Segment.toUpperCase()}`];
  const row = seg ? master.token(d.SecurityId, seg.segment) : undefined;
  const brokerStatus = d.Status.toUpperCase();
  const status = statusFromDhan(brokerStatus);
  const filled = d.TradedQty ?? (status === "complete" ? d.Quantity : 0);
  const working = status === "open" || status === "trigger_pending";
  const type = d.OrderType.toUpperCase();
  return {
    orderId: d.OrderNo,
    symbol: row?.symbol ?? d.Symbol,
    exchange: row?.exchange ?? seg?.exchange ?? ("NSE" as Exchange),
    action: d.TxnType,
    quantity: d.Quantity,
    filledQuantity: filled,
    pendingQuantity: working ? (d.RemainingQuantity ?? Math.max(0, d.Quantity - filled)) : 0,
    price: d.Price,
    averagePrice: filled > 0 && d.AvgTradedPrice.gt(0) ? d.AvgTradedPrice : null,
    priceType: TYPE_CODES[type] ?? TYPE_FROM_DHAN[type] ?? "LIMIT",
    product:
      PRODUCT_CODES[d.Product.toUpperCase()] ??
      PRODUCT_FROM_DHAN[d.Product.toUpperCase()] ??
      PRODUCT_FROM_DHAN[d.ProductName.toUpperCase()] ??
      "MIS",
    status,
    brokerStatus,
    rejectionReason: status === "rejected" ? d.ReasonDescription || null : null,
    mode: "live",
  };
}
