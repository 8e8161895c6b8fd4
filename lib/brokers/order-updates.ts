/**
 * Pieces every order-update stream shares: an order-book row read as an update (a pushed update and a read order
 * agree field by field), and the window that delivers a repeated update once (brokers may push the same event twice).
 */
import type { Order, OrderUpdate } from "@/lib/brokers/types";

/** Updates remembered for repeats; the oldest is forgotten first. */
const DEDUPE_WINDOW = 2_000;

/** The live order update an order-book row describes. */
export function orderUpdateOf(order: Order): OrderUpdate {
  return {
    orderId: order.orderId,
    symbol: order.symbol,
    exchange: order.exchange,
    action: order.action,
    quantity: order.quantity,
    filledQuantity: order.filledQuantity,
    pendingQuantity: order.pendingQuantity,
    price: order.price,
    averagePrice: order.averagePrice,
    priceType: order.priceType,
    product: order.product,
    status: order.status,
    brokerStatus: order.brokerStatus,
    rejectionReason: order.rejectionReason,
    mode: "live",
  };
}

const byStatus = (u: OrderUpdate) => `${u.orderId}|${u.status}|${u.filledQuantity}`;

/** A filter that passes an update the first time its key (order, status, filled quantity by default) is seen. */
export function firstSeen(keyOf: (update: OrderUpdate) => string = byStatus): (update: OrderUpdate) => boolean {
  const seen = new Set<string>();
  return (update) => {
    const key = keyOf(update);
    if (seen.has(key)) return false;
    seen.add(key);
    if (seen.size > DEDUPE_WINDOW) seen.delete(seen.values().next().value!);
    return true;
  };
}

/**
 * Delivers each pushed update once. `map` reads one message (null for messages that are not updates); one that
 * cannot be read is reported through `onError` without ending the stream: a lost update is worth an alarm, and the
 * caller reconciles from the order book.
 */
export function updateDelivery(
  onUpdate: (update: OrderUpdate) => void,
  onError: (error: Error) => void,
  keyOf?: (update: OrderUpdate) => string,
): (map: () => OrderUpdate | null) => void {
  const isNew = firstSeen(keyOf);
  return (map) => {
    let update: OrderUpdate | null;
    try {
      update = map();
    } catch (e) {
      onError(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    if (update && isNew(update)) onUpdate(update);
  };
}
