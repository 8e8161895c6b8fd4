/**
 * An account's order updates over Kite's ticker (docs/brokers/zerodha.md "Order updates"): Kite pushes every change of
 * the user's orders as a text frame `{"type":"order","data":{…}}` whose data has the order book's row shape, on any
 * ticker connection of the user, with no subscription. Rows are read with the order book's schema and mapper
 * (./map.ts), so a pushed update and a read order agree. A stream never fails silently: a refused token, a drop or a
 * silence past the heartbeat allowance reaches `onError` once (the caller re-subscribes and reconciles from the book,
 * since updates sent meanwhile are lost); an unreadable update is reported through `onError` without ending it.
 * Repeats (same order, status and filled quantity) are delivered once.
 */
import type { LookupFunction } from "node:net";
import { z } from "zod";
import type { InstrumentMaster } from "@/lib/brokers/instruments";
import type { OrderUpdate, Subscription } from "@/lib/brokers/types";
import { BrokerUnavailableError } from "@/lib/errors";
import { log } from "@/lib/log";
import { mapOrder, ordersSchema } from "./map";
import { openTickerSocket } from "./ticker-socket";

export interface KiteOrderStreamOptions {
  url: string;
  accountId: string;
  secrets: readonly string[];
  /** The day's instrument master (symbols in MirrorDesk's names). */
  master: InstrumentMaster;
  setupTimeoutMs?: number;
  heartbeatMs?: number;
  lookup?: LookupFunction;
}

const DEDUPE_WINDOW = 2_000;
const frameSchema = z.object({ type: z.literal("order"), data: ordersSchema.element });

/** The order update of a text frame; null for frames that are not order updates; throws for an unreadable one. */
export function orderUpdateOf(text: string, master: InstrumentMaster): OrderUpdate | null {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof frame !== "object" || frame === null || (frame as { type?: unknown }).type !== "order") return null;
  const r = frameSchema.safeParse(frame);
  if (!r.success) throw new BrokerUnavailableError("Unreadable order update from Zerodha", "bad_response");
  const o = mapOrder(r.data.data, master);
  return {
    orderId: o.orderId,
    symbol: o.symbol,
    exchange: o.exchange,
    action: o.action,
    quantity: o.quantity,
    filledQuantity: o.filledQuantity,
    pendingQuantity: o.pendingQuantity,
    price: o.price,
    averagePrice: o.averagePrice,
    priceType: o.priceType,
    product: o.product,
    status: o.status,
    brokerStatus: o.brokerStatus,
    rejectionReason: o.rejectionReason,
    mode: "live",
  };
}

export async function openKiteOrderStream(
  opts: KiteOrderStreamOptions,
  onUpdate: (update: OrderUpdate) => void,
  onError: (error: Error) => void,
): Promise<Subscription> {
  const where = { broker: "zerodha", accountId: opts.accountId, ws: new URL(opts.url).host };
  const seen = new Set<string>();
  const socket = await openTickerSocket(
    { ...opts, what: "order stream" },
    {
      // Market data on this connection is not asked for; heartbeats only keep the silence check fed.
      onBinary: () => undefined,
      onText(text) {
        let update: OrderUpdate | null;
        try {
          update = orderUpdateOf(text, opts.master);
        } catch (e) {
          // A lost update is worth an alarm, not a dead stream: the caller reconciles from the order book.
          onError(e instanceof Error ? e : new Error(String(e)));
          return;
        }
        if (!update) return;
        const key = `${update.orderId}|${update.brokerStatus}|${update.filledQuantity}`;
        if (seen.has(key)) return;
        seen.add(key);
        if (seen.size > DEDUPE_WINDOW) seen.delete(seen.values().next().value!);
        onUpdate(update);
      },
      onEnd(error) {
        log().warn({ ...where, error: error.message }, "order stream failed");
        onError(error);
      },
    },
  );
  return {
    async close() {
      socket.close();
    },
  };
}
