/**
 * zod schemas of our own order requests, checked before anything is sent: a refusal here guarantees that the
 * broker never saw the order.
 */
import Decimal from "decimal.js";
import { z } from "zod";
import { ValidationError } from "@/lib/errors";
import { EXCHANGES } from "./wire";

const positiveDecimal = z.instanceof(Decimal).refine((d) => d.isFinite() && d.gte(0), "must be a non-negative number");
export const placeSchema = z
  .object({
    symbol: z.string().trim().min(1),
    exchange: z.enum(EXCHANGES),
    action: z.enum(["BUY", "SELL"]),
    quantity: z.number().int().positive(),
    priceType: z.enum(["MARKET", "LIMIT", "SL", "SL-M"]),
    product: z.enum(["MIS", "NRML", "CNC"]),
    price: positiveDecimal.optional(),
    triggerPrice: positiveDecimal.optional(),
    disclosedQuantity: z.number().int().nonnegative().optional(),
    strategy: z.string().trim().min(1).max(100),
  })
  .refine((o) => !(o.priceType === "LIMIT" || o.priceType === "SL") || (o.price !== undefined && o.price.gt(0)), {
    message: "LIMIT and SL orders need a price",
    path: ["price"],
  })
  .refine(
    (o) => !(o.priceType === "SL" || o.priceType === "SL-M") || (o.triggerPrice !== undefined && o.triggerPrice.gt(0)),
    {
      message: "SL and SL-M orders need a trigger price",
      path: ["triggerPrice"],
    },
  );
export const modifySchema = z.object({
  orderId: z.string().trim().min(1),
  symbol: z.string().trim().min(1),
  exchange: z.enum(EXCHANGES),
  action: z.enum(["BUY", "SELL"]),
  product: z.enum(["MIS", "NRML", "CNC"]),
  priceType: z.enum(["MARKET", "LIMIT", "SL", "SL-M"]),
  quantity: z.number().int().positive(),
  price: positiveDecimal,
  triggerPrice: positiveDecimal,
  disclosedQuantity: z.number().int().nonnegative().optional(),
  strategy: z.string().trim().min(1).max(100),
});

/** Our own request was invalid: nothing was sent. */
export function invalidRequest(error: z.ZodError, what: string): ValidationError {
  const fields: Record<string, string[]> = {};
  for (const i of error.issues) (fields[i.path.join(".") || "_"] ??= []).push(i.message);
  return new ValidationError(`Invalid ${what}: ${Object.keys(fields).join(", ")}`, fields);
}
