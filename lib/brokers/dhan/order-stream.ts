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
import { WebSocket } from "ws";
import type { InstrumentMaster } from "@/lib/brokers/instruments";
import type { OrderUpdate, Subscription } from "@/lib/brokers/types";
import { AppError, BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
import { log } from "@/lib/log";
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

const DEDUPE_WINDOW = 2_000;
/** Close codes a server uses for a refused login (policy violation, and the private range's auth codes). */
const refusedLogin = (code: number) => code === 1008 || (code >= 4000 && code < 4100);

export function openDhanOrderStream(
  opts: DhanOrderStreamOptions,
  onUpdate: (update: OrderUpdate) => void,
  onError: (error: Error) => void,
): Promise<Subscription> {
  const setupMs = opts.setupTimeoutMs ?? 5_000;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const where = { broker: "dhan", ws: new URL(opts.url).host, accountId: opts.accountId };
  const ws = new WebSocket(opts.url, { handshakeTimeout: setupMs, ...(opts.lookup ? { lookup: opts.lookup } : {}) });
  const seen = new Set<string>();
  let ready = false;
  let finished = false;
  let heard = false;
  let heartbeat: NodeJS.Timeout | undefined;
  // Alerts are mapped in arrival order even though the master is read asynchronously.
  let queue: Promise<void> = Promise.resolve();

  return new Promise<Subscription>((resolve, reject) => {
    const setupTimer = setTimeout(
      () => fail(new BrokerUnavailableError(`order stream not ready within ${setupMs} ms`, "timeout")),
      setupMs,
    );

    /** Ends the stream once: before it is ready the promise rejects, afterwards `onError` hears about it. */
    function fail(error: AppError | null): void {
      if (finished) return;
      finished = true;
      clearTimeout(setupTimer);
      clearInterval(heartbeat);
      if (!error) return;
      ws.terminate();
      log().warn({ ...where, error: error.message }, "order stream failed");
      if (ready) onError(error);
      else reject(error);
    }

    async function deliver(frame: unknown): Promise<void> {
      let update: OrderUpdate;
      try {
        update = mapOrderAlert(await opts.master(), frame);
      } catch (e) {
        // A lost update is worth an alarm, not a dead stream: the caller reconciles from the order book.
        onError(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      const key = `${update.orderId}|${update.status}|${update.filledQuantity}`;
      if (seen.has(key) || finished) return;
      seen.add(key);
      if (seen.size > DEDUPE_WINDOW) seen.delete(seen.values().next().value!);
      onUpdate(update);
    }

    ws.on("open", () => {
      ws.send(
        JSON.stringify({ LoginReq: { MsgCode: 42, ClientId: opts.clientId, Token: opts.token }, UserType: "SELF" }),
      );
      ws.ping();
    });
    ws.on("ping", () => (heard = true));
    ws.on("pong", () => {
      heard = true;
      if (ready || finished) return;
      ready = true;
      clearTimeout(setupTimer);
      heartbeat = setInterval(() => {
        if (!heard) return fail(new BrokerUnavailableError(`order stream silent for ${heartbeatMs} ms`, "timeout"));
        heard = false;
        ws.ping();
      }, heartbeatMs);
      resolve({
        async close() {
          if (finished) return;
          fail(null);
          await new Promise<void>((done) => {
            ws.once("close", () => done());
            ws.close(1000);
            setTimeout(() => {
              ws.terminate();
              done();
            }, 1_000).unref();
          });
        },
      });
    });
    ws.on("error", (e) => fail(new BrokerUnavailableError(`order stream: ${e.message}`, "unreachable")));
    ws.on("close", (code) =>
      fail(
        refusedLogin(code)
          ? new BrokerAuthError(`Dhan refused the order stream's login (code ${code})`)
          : new BrokerUnavailableError(`order stream closed by the broker (code ${code})`, "unreachable"),
      ),
    );
    ws.on("message", (data, binary) => {
      heard = true;
      if (binary) return;
      let frame: unknown;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return fail(new BrokerUnavailableError("order stream sent a frame that is not JSON", "bad_response"));
      }
      if (!isOrderAlert(frame)) return;
      queue = queue.then(() => deliver(frame));
    });
  });
}
