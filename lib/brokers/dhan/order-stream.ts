/**
 * Dhan's Live Order Update stream (docs/brokers/dhan.md "Order updates"): connect, send the JSON login (client id and
 * access token), then map every `order_alert` frame (./map-order-alert). Dhan acknowledges the login with nothing; a
 * refused login is closed by the server, which happens before the pong of a ping sent right after the login, so that
 * pong completes the setup. A WebSocket ping then goes out every `heartbeatMs`: a period with nothing at all from the
 * server, an unexpected close or an unreadable frame ends the stream through `onError` (the caller re-subscribes and
 * reconciles from the order book; alerts sent while disconnected are lost). Repeated alerts (same order, status and
 * filled quantity) are delivered once. The token is never logged.
 */
import type { LookupFunction } from "node:net";
import type { InstrumentMaster } from "@/lib/brokers/instruments";
import { firstSeen } from "@/lib/brokers/order-updates";
import { openStreamSocket } from "@/lib/brokers/stream-socket";
import type { OrderUpdate, Subscription } from "@/lib/brokers/types";
import { BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
import { isOrderAlert, mapOrderAlert } from "./map-order-alert";

export interface DhanOrderStreamOptions {
  url: string;
  token: string;
  clientId: string;
  accountId: string;
  master: () => Promise<InstrumentMaster>;
  setupTimeoutMs?: number;
  heartbeatMs?: number;
  lookup?: LookupFunction;
}

/** Close codes a server uses for a refused login (policy violation, and the private range's auth codes). */
const refusedLogin = (code: number) => code === 1008 || (code >= 4000 && code < 4100);

export async function openDhanOrderStream(
  opts: DhanOrderStreamOptions,
  onUpdate: (update: OrderUpdate) => void,
  onError: (error: Error) => void,
): Promise<Subscription> {
  const isNew = firstSeen();
  // Alerts are mapped in arrival order even though the master is read asynchronously.
  let queue: Promise<void> = Promise.resolve();

  const socket = openStreamSocket({
    url: opts.url,
    lookup: opts.lookup,
    what: "order stream",
    broker: "dhan",
    accountId: opts.accountId,
    setupTimeoutMs: opts.setupTimeoutMs ?? 5_000,
    heartbeat: { everyMs: opts.heartbeatMs ?? 15_000, ping: "protocol", heardBy: "anything" },
    readyOn: "protocol",
    gracefulClose: true,
    // Without an answer of its own, a refused upgrade reads as `ws` words it.
    refused: (status) =>
      new BrokerUnavailableError(`order stream: Unexpected server response: ${status}`, "unreachable"),
    closedWith: (code) =>
      refusedLogin(code) ? new BrokerAuthError(`Dhan refused the order stream's login (code ${code})`) : undefined,
    onOpen(s) {
      void s
        .send(
          JSON.stringify({ LoginReq: { MsgCode: 42, ClientId: opts.clientId, Token: opts.token }, UserType: "SELF" }),
        )
        .catch(() => undefined);
      s.ping();
    },
    // The pong of the ping behind the login: a refused login would have been closed before it.
    onPong: (s) => s.markReady(),
    onData(data, binary, s) {
      if (binary) return;
      let frame: unknown;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return s.fail(new BrokerUnavailableError("order stream sent a frame that is not JSON", "bad_response"));
      }
      if (!isOrderAlert(frame)) return;
      queue = queue.then(() => deliver(frame));
    },
    onEnd: onError,
  });

  async function deliver(frame: unknown): Promise<void> {
    let update: OrderUpdate;
    try {
      update = mapOrderAlert(await opts.master(), frame);
    } catch (e) {
      // A lost update is worth an alarm, not a dead stream: the caller reconciles from the order book.
      onError(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    if (!socket.ended && isNew(update)) onUpdate(update);
  }

  await socket.ready;
  return { close: () => socket.close() };
}
