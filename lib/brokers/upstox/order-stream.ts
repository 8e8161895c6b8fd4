/**
 * Upstox's order updates, the portfolio stream feed (docs/brokers/upstox.md "Order updates"): a socket on the one-time
 * URL the authorize call handed out; Upstox pushes one JSON message per order change (`update_type: "order"`), shaped
 * like an order-book row, which is mapped through the day's master as the order book is. Position and holding messages
 * are not asked for and are ignored if they come. A lost update is an alarm, not a dead stream (the caller reconciles
 * from the order book); an unexpected close or an unanswered ping ends the stream through `onError`. Repeated
 * messages (same order, status and filled quantity) are delivered once.
 */
import type { LookupFunction } from "node:net";
import { z } from "zod";
import type { InstrumentMaster } from "@/lib/brokers/instruments";
import type { OrderUpdate, Subscription } from "@/lib/brokers/types";
import { firstSeen, orderUpdateOf } from "@/lib/brokers/order-updates";
import { BrokerUnavailableError } from "@/lib/errors";
import { mapOrder } from "./map";
import { openStreamSocket } from "./stream-socket";

export interface UpstoxOrderStreamOptions {
  url: URL;
  accountId: string;
  master: InstrumentMaster;
  lookup?: LookupFunction;
  setupTimeoutMs?: number;
  heartbeatMs?: number;
}

const envelope = z.looseObject({ update_type: z.string() });

/** One portfolio-feed message as an update; null for messages that are not order updates. Throws when unreadable. */
export function mapOrderMessage(message: unknown, master: InstrumentMaster): OrderUpdate | null {
  const e = envelope.safeParse(message);
  if (!e.success) throw new BrokerUnavailableError("Unreadable message on Upstox's order stream", "bad_response");
  if (e.data.update_type !== "order") return null;
  return orderUpdateOf(mapOrder(message, master));
}

export async function openUpstoxOrderStream(
  opts: UpstoxOrderStreamOptions,
  onUpdate: (update: OrderUpdate) => void,
  onError: (error: Error) => void,
): Promise<Subscription> {
  const isNew = firstSeen();
  const socket = await openStreamSocket(
    {
      url: opts.url,
      what: "order stream",
      accountId: opts.accountId,
      lookup: opts.lookup,
      setupTimeoutMs: opts.setupTimeoutMs ?? 5_000,
      heartbeatMs: opts.heartbeatMs ?? 15_000,
    },
    (data) => {
      let update: OrderUpdate | null;
      try {
        update = mapOrderMessage(JSON.parse(String(data)), opts.master);
      } catch (e) {
        onError(
          e instanceof SyntaxError
            ? new BrokerUnavailableError("Order stream sent a frame that is not JSON", "bad_response")
            : (e as Error),
        );
        return;
      }
      if (update && isNew(update)) onUpdate(update);
    },
    onError,
  );
  return { close: () => socket.close() };
}
