/**
 * A contract order → Kite's placement fields (docs/brokers/zerodha.md "Orders"). Our own checks come first, so a
 * request Kite would refuse for its shape is refused here without spending a call.
 */
import type { MasterRow } from "@/lib/brokers/instruments";
import type { PlaceOrderRequest } from "@/lib/brokers/types";
import type { Kite } from "./kite-client";
import { ValidationError } from "@/lib/errors";

export type KitePlaceParams = Parameters<Kite["placeOrder"]>[1];

/** Kite's order tag: at most 20 characters (a longer tag gets the whole order rejected); empty when none. */
export function tagOf(strategy: string): string {
  return strategy.trim().slice(0, 20);
}

export function placeParams(o: PlaceOrderRequest, row: MasterRow): KitePlaceParams {
  if (!Number.isSafeInteger(o.quantity) || o.quantity <= 0)
    throw new ValidationError("Quantity must be a positive whole number", { quantity: ["Invalid"] });
  const needsPrice = o.priceType === "LIMIT" || o.priceType === "SL";
  const needsTrigger = o.priceType === "SL" || o.priceType === "SL-M";
  if (needsPrice && !o.price?.gt(0))
    throw new ValidationError(`A ${o.priceType} order needs a price`, { price: ["Required"] });
  if (needsTrigger && !o.triggerPrice?.gt(0))
    throw new ValidationError(`A ${o.priceType} order needs a trigger price`, { triggerPrice: ["Required"] });
  const params: Record<string, string | number> = {
    exchange: row.brokerExchange,
    tradingsymbol: row.brokerSymbol,
    transaction_type: o.action,
    quantity: o.quantity,
    product: o.product,
    order_type: o.priceType,
    validity: "DAY",
  };
  // Decimal strings: the form carries text, so nothing is lost to binary floats.
  if (needsPrice) params.price = o.price!.toString();
  if (needsTrigger) params.trigger_price = o.triggerPrice!.toString();
  if (o.disclosedQuantity) params.disclosed_quantity = o.disclosedQuantity;
  // Kite refuses unprotected market orders over the API; -1 asks for its automatic protection band.
  if (o.priceType === "MARKET" || o.priceType === "SL-M") params.market_protection = -1;
  const tag = tagOf(o.strategy);
  if (tag) params.tag = tag;
  // The SDK's type names numbers for prices and lacks market_protection; the wire is form text either way.
  return params as unknown as KitePlaceParams;
}
