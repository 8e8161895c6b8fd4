/**
 * The native front-ends' WebSocket endpoints (docs/simulator.md "Native broker front-ends"): a broker's ticker or
 * order-update stream is served on the simulator's HTTP port under the front-end's prefix, upgraded here. Every socket a
 * front-end authenticates is tracked with its instance, so the same controls that act on the OpenAlgo WebSocket proxy
 * act on the native streams: `/_sim/ws/drop` and an instance's drop end them (terminated, no close frame, like a network
 * drop), `/_sim/ws/stall` and the instance's `wsStall` fault silence them, and `wsDropAfterMs` drops each socket that
 * long after it authenticated.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { InstanceState } from "@/lib/simulator/types";

interface Tracked {
  instanceId: string;
  drop?: NodeJS.Timeout;
}

export class NativeSockets {
  // Protocol pings are answered by `track`, not by `ws` itself: a stalled server must not answer them either.
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: 1 << 20,
    perMessageDeflate: false,
    autoPong: false,
  });
  private readonly open = new Map<WebSocket, Tracked>();
  private stalled = false;

  /** Completes an upgrade the front-end has accepted; `onOpen` gets the socket. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, onOpen: (ws: WebSocket) => void): void {
    this.wss.handleUpgrade(req, socket, head, onOpen);
  }

  /** Refuses an upgrade with an HTTP answer (the broker's handshake refusal), then closes the connection. */
  static refuse(socket: Duplex, status: number, body = ""): void {
    const reason =
      status === 401 ? "Unauthorized" : status === 403 ? "Forbidden" : status === 404 ? "Not Found" : "Error";
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }

  /**
   * Tracks a socket once it belongs to `instance` (at the upgrade, or after the protocol's own auth message): it then
   * counts for drops and stalls, its protocol pings are answered unless the instance's sockets are silent, and the
   * instance's `wsDropAfterMs` fault is scheduled from now.
   */
  track(instance: InstanceState, ws: WebSocket): void {
    const entry: Tracked = { instanceId: instance.id };
    ws.on("ping", (data) => {
      if (!this.silent(instance) && ws.readyState === ws.OPEN) ws.pong(data);
    });
    if (instance.faults.wsDropAfterMs > 0)
      entry.drop = setTimeout(() => ws.terminate(), instance.faults.wsDropAfterMs).unref();
    this.open.set(ws, entry);
    ws.once("close", () => {
      clearTimeout(entry.drop);
      this.open.delete(ws);
    });
  }

  /** Whether a front-end must send nothing to this instance's sockets now (server stall, or the instance's wsStall). */
  silent(instance: InstanceState): boolean {
    return this.stalled || instance.faults.wsStall;
  }

  /** While stalled nothing is sent on any native socket (front-ends check `silent` before every send). */
  setStalled(stalled: boolean): void {
    this.stalled = stalled;
  }

  /** Terminates every tracked socket (only those of `instanceId` when given); returns how many. */
  dropAll(instanceId?: string): number {
    let n = 0;
    for (const [ws, t] of this.open)
      if (instanceId === undefined || t.instanceId === instanceId) {
        ws.terminate();
        n++;
      }
    return n;
  }

  connections(): number {
    return this.open.size;
  }

  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}
