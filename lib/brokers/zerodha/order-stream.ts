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
import { orderUpdateOf as updateOfOrder, updateDelivery } from "@/lib/brokers/order-updates";
import { BrokerUnavailableError } from "@/lib/errors";
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
  return updateOfOrder(mapOrder(r.data.data, master));
}

export async function openKiteOrderStream(
  opts: KiteOrderStreamOptions,
  onUpdate: (update: OrderUpdate) => void,
  onError: (error: Error) => void,
): Promise<Subscription> {
  const deliver = updateDelivery(onUpdate, onError, (u) => `${u.orderId}|${u.brokerStatus}|${u.filledQuantity}`);
  const socket = await openTickerSocket(
    { ...opts, what: "order stream" },
    {
      // Market data on this connection is not asked for; heartbeats only keep the silence check fed.
      onBinary: () => undefined,
      onText: (text) => deliver(() => orderUpdateOf(text, opts.master)),
      onEnd: onError,
    },
  );
  return {
    async close() {
      socket.close();
    },
  };
}
