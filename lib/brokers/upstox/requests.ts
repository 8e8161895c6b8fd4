/**
 * The Upstox adapter's request bodies (the SDK's camelCase order models) and its reading of write answers: a
 * placement's outcome per the contract (lib/brokers/types.ts) and the order id of a modify or cancel.
 */
import Decimal from "decimal.js";
import type { SdkModifyOrder, SdkPlaceOrder } from "upstox-js-sdk";
import type { ModifyOrderRequest, PlaceOrderRequest, PlaceOrderResult } from "@/lib/brokers/types";
import { accepted, rejected, unknown } from "@/lib/brokers/types";
import { BrokerUnavailableError } from "@/lib/errors";
import { upstoxProduct } from "./map";
import type { SdkOutcome } from "./sdk-client";
import { brokerError, classifyError, successData, transportError } from "./wire";

/** Upstox keeps at most 40 characters of an order's tag. */
const TAG_MAX = 40;

/** A simple DAY order; prices go as JSON numbers (Upstox's fields are numbers), from decimals with at most 2 places. */
export function placeBody(o: PlaceOrderRequest, instrumentKey: string): SdkPlaceOrder {
  return {
    quantity: o.quantity,
    product: upstoxProduct(o.product),
    validity: "DAY",
    price: (o.price ?? new Decimal(0)).toNumber(),
    tag: o.strategy.slice(0, TAG_MAX),
    instrumentToken: instrumentKey,
    orderType: o.priceType,
    transactionType: o.action,
    disclosedQuantity: o.disclosedQuantity ?? 0,
    triggerPrice: (o.triggerPrice ?? new Decimal(0)).toNumber(),
    isAmo: false,
  };
}

export function modifyBody(c: ModifyOrderRequest): SdkModifyOrder {
  return {
    orderId: c.orderId,
    quantity: c.quantity,
    validity: "DAY",
    price: c.price.toNumber(),
    orderType: c.priceType,
    disclosedQuantity: c.disclosedQuantity ?? 0,
    triggerPrice: c.triggerPrice.toNumber(),
  };
}

export function orderIdOf(data: unknown, what: string): string {
  const id = (data as { order_id?: unknown } | null)?.order_id;
  if (typeof id !== "string" || id === "")
    throw new BrokerUnavailableError(`Upstox's ${what} answer has no order id`, "bad_response");
  return id;
}

/** A placement's outcome; throws only when Upstox provably did not act on the order (lib/brokers/types.ts). */
export function placeResult(out: SdkOutcome): PlaceOrderResult {
  if (out.kind === "failure") {
    if (!out.sent) throw transportError(out);
    return unknown(`${out.message}; the order may have reached Upstox`);
  }
  const data = successData(out);
  if (data !== undefined) {
    const id = (data as { order_id?: unknown } | null)?.order_id;
    return typeof id === "string" && id !== "" ? accepted(id) : unknown("Upstox accepted without naming the order");
  }
  if (out.status === 200) return unknown("Unreadable answer from Upstox to the placement");
  const info = classifyError(out.status, out.body);
  switch (info.kind) {
    case "rejected":
      return rejected(info.message);
    // Refused before the order was recorded: the token, the rate limit, the request's fields.
    case "auth":
    case "rate_limited":
    case "validation":
    case "not_found":
      throw brokerError(info);
    case "unavailable":
      // A 5xx may come after Upstox took the order.
      return unknown(info.message);
  }
}
