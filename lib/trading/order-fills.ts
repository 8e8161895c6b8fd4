import Decimal from "decimal.js";

interface OrderLike {
  orderId: string;
  filledQuantity: number;
  averagePrice: Decimal | null;
  fillsReported?: boolean;
}
interface TradeLike {
  orderId: string;
  quantity: number;
  averagePrice: Decimal;
}

/**
 * Completes order-book rows from the trade book. OpenAlgo's live order book carries no average price and no fill
 * quantity, so a filled MARKET order would show neither; the trade book has every fill. An order gets the
 * quantity-weighted average of its trades when the broker gave none, and (when its row carried no fill details)
 * the traded quantity as its filled quantity. Rows the broker did report are left exactly as they are.
 */
export function withTradeFills<O extends OrderLike>(orders: readonly O[], trades: readonly TradeLike[]): O[] {
  const byOrder = new Map<string, { qty: number; value: Decimal }>();
  for (const t of trades) {
    if (t.quantity <= 0) continue;
    const agg = byOrder.get(t.orderId) ?? { qty: 0, value: new Decimal(0) };
    byOrder.set(t.orderId, { qty: agg.qty + t.quantity, value: agg.value.plus(t.averagePrice.times(t.quantity)) });
  }
  return orders.map((o) => {
    const agg = byOrder.get(o.orderId);
    if (!agg || o.averagePrice !== null) return o;
    const filledQuantity = o.fillsReported === false ? Math.max(o.filledQuantity, agg.qty) : o.filledQuantity;
    return { ...o, filledQuantity, averagePrice: agg.value.div(agg.qty).toDecimalPlaces(2, Decimal.ROUND_HALF_UP) };
  });
}

/** Whether some row lacks a price the trade book could supply (so the trade book is worth a call). */
export function needsTradeFills(orders: readonly OrderLike[]): boolean {
  return orders.some((o) => o.averagePrice === null && (o.filledQuantity > 0 || o.fillsReported === false));
}
