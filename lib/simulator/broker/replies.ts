/**
 * Reply builders shared by the broker's routes: `mode:"analyze"` on sandbox answers, the semi-auto queue reply
 * (docs/openalgo.md "Sessions") and its 403 texts, and the conversion of an order request body into an engine request.
 */
import type { RouteResult } from "@/lib/simulator/types";
import type { Action, PriceType, Product } from "./account";
import type { OrderRequest, PlaceResult } from "./matching-engine";
import type { SimInstance } from "./instance";

/** 200 with `mode:"analyze"` added in analyzer mode (docs/openalgo.md "Sessions"). */
export function ok(inst: SimInstance, body: Record<string, unknown>): RouteResult {
  return { status: 200, body: inst.mode === "analyze" ? { ...body, mode: "analyze" } : body };
}

export function fail(
  inst: SimInstance,
  status: number,
  message: string,
  extra: Record<string, unknown> = {},
): RouteResult {
  const body: Record<string, unknown> = { status: "error", message, ...extra };
  if (inst.mode === "analyze") body.mode = "analyze";
  return { status, body };
}

/** Semi-auto: the order is queued for approval, with no orderid. */
export function queued(inst: SimInstance): RouteResult {
  inst.pendingSeq += 1;
  return {
    status: 200,
    body: {
      status: "success",
      message: "Order queued for approval in Action Center",
      mode: "semi_auto",
      pending_order_id: inst.pendingSeq,
    },
  };
}

export const SEMI_AUTO_BLOCKED = {
  modifyorder: "Modify order operation is not allowed in Semi-Auto mode. Please switch to Auto mode to modify orders.",
  cancelorder: "Cancel order operation is not allowed in Semi-Auto mode. Please switch to Auto mode to cancel orders.",
  cancelallorder:
    "Cancel all orders operation is not allowed in Semi-Auto mode. Please switch to Auto mode to cancel orders.",
  closeposition:
    "Close position operation is not allowed in Semi-Auto mode. Please switch to Auto mode to close positions.",
  "analyzer/toggle":
    "Operation analyzer/toggle is not allowed in Semi-Auto mode. This operation can only be performed by the client via the UI. This restriction ensures SEBI Research Analyst compliance where mode switching is a client-only decision.",
} as const;

export function semiAutoBlocked(route: keyof typeof SEMI_AUTO_BLOCKED): RouteResult {
  return { status: 403, body: { status: "error", message: SEMI_AUTO_BLOCKED[route] } };
}

/** Fields of a validated order body the engine needs. */
export interface OrderFields {
  strategy: string;
  symbol: string;
  exchange: OrderRequest["exchange"];
  action: Action;
  quantity: number;
  pricetype: PriceType;
  product: Product;
  price: number;
  trigger_price: number;
}

export function toRequest(v: OrderFields, overrides: Partial<OrderRequest> = {}): OrderRequest {
  return {
    strategy: v.strategy,
    symbol: v.symbol,
    exchange: v.exchange,
    action: v.action,
    quantity: v.quantity,
    pricetype: v.pricetype,
    product: v.product,
    price: v.price,
    trigger_price: v.trigger_price,
    ...overrides,
  };
}

/** The placeorder-style reply: `orderid`, or the error (a recorded sandbox rejection carries its orderid). */
export function placeReply(inst: SimInstance, r: PlaceResult): RouteResult {
  if (r.ok) return ok(inst, { status: "success", orderid: r.order.orderid });
  const extra = r.order && inst.mode === "analyze" ? { orderid: r.order.orderid } : {};
  return fail(inst, r.status, r.message, extra);
}
