/**
 * The lifecycle every broker's WebSocket client shares (docs/brokers/streams.md): open a `ws` socket through the
 * operator's host policy with a handshake timeout, allow a setup period, keep the connection honest with a heartbeat,
 * and end exactly once. Before the protocol marks the stream ready an end rejects `ready`; afterwards it reaches `onEnd`
 * once. `close()` is never reported as a failure. Each connector keeps only its protocol: URL, auth, message shapes.
 * Log lines carry the broker, host and account, never the URL (it may hold a token) or a credential.
 */
import type { LookupFunction } from "node:net";
import { type ClientOptions, type RawData, WebSocket } from "ws";
import { type AppError, BrokerUnavailableError } from "@/lib/errors";
import { log } from "@/lib/log";

export type StreamHeartbeat =
  /** A protocol-level ping every `everyMs`: its pong (or, with "anything", any frame, ping or pong) must come first. */
  | { everyMs: number; ping: "protocol"; heardBy: "pong" | "anything" }
  /** An application ping every `everyMs`; a frame `isAnswer` accepts must come before the next (it still reaches onData). */
  | { everyMs: number; message(): string; isAnswer(data: RawData, isBinary: boolean): boolean }
  /** The server talks on its own: `silenceMs` without any frame ends the stream. */
  | { silenceMs: number };

export interface StreamSocketOptions {
  url: string | URL;
  /** Headers, deflate and redirect settings; the handshake timeout is `setupTimeoutMs`. */
  wsOptions?: ClientOptions;
  /** Resolves the host instead of the system resolver (the operator's host policy). */
  lookup?: LookupFunction;
  /** What the stream is, in errors and logs (`order stream`, `Zerodha market-data stream`). */
  what: string;
  broker: string;
  accountId: string;
  /** Time allowed to connect and set up, ms. */
  setupTimeoutMs: number;
  heartbeat: StreamHeartbeat;
  /** "open": ready once the socket opens; "protocol": once the connector calls `markReady`. */
  readyOn: "open" | "protocol";
  /** The error of an upgrade refused with HTTP `status`. */
  refused(status: number): AppError;
  /** The error of a close the server chose (default: the broker being unreachable). */
  closedWith?(code: number): AppError | undefined;
  /** Removes secrets from transport error texts (a URL carrying a token). */
  scrub?(text: string): string;
  /** `close()` sends a close frame and waits (up to a second) for the server's, instead of dropping the socket. */
  gracefulClose?: boolean;
  onOpen?(socket: StreamSocket): void;
  /** Every frame while the stream has not ended. */
  onData(data: RawData, isBinary: boolean, socket: StreamSocket): void;
  /** A protocol-level pong (setup signals). */
  onPong?(socket: StreamSocket): void;
  /** The stream ended after it was ready, without `close()`; called once. */
  onEnd(error: AppError): void;
  /** Any end, `close()` included (rejects requests still waiting); called once, before `onEnd`. */
  onStop?(reason: AppError): void;
}

export interface StreamSocket {
  /** `host:port`, never the URL. */
  readonly host: string;
  /** Resolves once the stream is ready; rejects with the typed error of an end before that. */
  readonly ready: Promise<void>;
  readonly ended: boolean;
  markReady(): void;
  /** Writes a frame; rejects when the stream is closed or the write fails. */
  send(data: string | Buffer): Promise<void>;
  /** A protocol-level ping. */
  ping(): void;
  /** Ends the stream with `error` as if the server had. */
  fail(error: AppError): void;
  /** Closes the stream; `onEnd` is not called. */
  close(): Promise<void>;
}

export function openStreamSocket(opts: StreamSocketOptions): StreamSocket {
  const { what, heartbeat: beat } = opts;
  const scrub = opts.scrub ?? ((t: string) => t);
  let ws: WebSocket;
  let host: string;
  try {
    host = new URL(opts.url).host;
    ws = new WebSocket(opts.url, {
      ...opts.wsOptions,
      handshakeTimeout: opts.setupTimeoutMs,
      ...(opts.lookup ? { lookup: opts.lookup } : {}),
    });
  } catch {
    // URL errors quote their input, which may carry a token: say nothing of it.
    const error = new BrokerUnavailableError(`${what}: unusable stream address`, "unreachable");
    return { ...closedSocket(error), host: "" };
  }
  const where = { broker: opts.broker, ws: host, accountId: opts.accountId };
  let isReady = false;
  let ended = false;
  let heard = true;
  let timer: NodeJS.Timeout | undefined;
  let resolveReady!: () => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  const setupTimer = setTimeout(
    () => end(new BrokerUnavailableError(`${what} not ready within ${opts.setupTimeoutMs} ms`, "timeout")),
    opts.setupTimeoutMs,
  );

  function stop(reason: AppError): boolean {
    if (ended) return false;
    ended = true;
    clearTimeout(setupTimer);
    clearInterval(timer);
    opts.onStop?.(reason);
    return true;
  }

  function end(error: AppError): void {
    if (!stop(error)) return;
    ws.terminate();
    log().warn({ ...where, error: error.message }, `${what} ended`);
    if (isReady) opts.onEnd(error);
    else rejectReady(error);
  }

  const silent = (ms: number) => new BrokerUnavailableError(`${what} silent for ${ms} ms`, "timeout");

  function startHeartbeat(): void {
    if ("silenceMs" in beat) {
      timer = setTimeout(() => end(silent(beat.silenceMs)), beat.silenceMs);
      return;
    }
    const sendPing = "message" in beat ? () => ws.send(beat.message()) : () => ws.ping();
    timer = setInterval(() => {
      if (!heard) return end(silent(beat.everyMs));
      heard = false;
      sendPing();
    }, beat.everyMs);
  }

  const socket: StreamSocket = {
    host,
    ready,
    get ended() {
      return ended;
    },
    markReady() {
      if (isReady || ended) return;
      isReady = true;
      clearTimeout(setupTimer);
      startHeartbeat();
      resolveReady();
    },
    send: (data) =>
      new Promise<void>((res, rej) => {
        if (ended || ws.readyState !== WebSocket.OPEN)
          return rej(new BrokerUnavailableError(`${what} is closed`, "unreachable"));
        ws.send(data, (e) => (e ? rej(new BrokerUnavailableError(`${what}: send failed`, "unreachable")) : res()));
      }),
    ping: () => ws.ping(),
    fail: (error) => end(error),
    async close() {
      if (!stop(new BrokerUnavailableError(`${what} closed`, "unreachable"))) return;
      if (!opts.gracefulClose) return void ws.terminate();
      await new Promise<void>((done) => {
        ws.once("close", () => done());
        ws.close(1000);
        setTimeout(() => {
          ws.terminate();
          done();
        }, 1_000).unref();
      });
    },
  };

  ws.on("unexpected-response", (req, res) => {
    res.resume();
    end(opts.refused(res.statusCode ?? 0));
    req.destroy();
  });
  ws.on("error", (e) => end(new BrokerUnavailableError(`${what}: ${scrub(e.message)}`, "unreachable")));
  ws.on("close", (code) =>
    end(
      opts.closedWith?.(code) ??
        new BrokerUnavailableError(`${what} closed by the broker (code ${code})`, "unreachable"),
    ),
  );
  ws.on("open", () => {
    opts.onOpen?.(socket);
    if (opts.readyOn === "open") socket.markReady();
  });
  ws.on("ping", () => {
    if ("heardBy" in beat && beat.heardBy === "anything") heard = true;
  });
  ws.on("pong", () => {
    if ("heardBy" in beat) heard = true;
    if (!ended) opts.onPong?.(socket);
  });
  ws.on("message", (data, isBinary) => {
    if (ended) return;
    if ("silenceMs" in beat) timer?.refresh();
    else if ("isAnswer" in beat ? beat.isAnswer(data, isBinary) : beat.heardBy === "anything") heard = true;
    opts.onData(data, isBinary, socket);
  });
  return socket;
}

/** A socket that never opened (its address was unusable). */
function closedSocket(error: AppError): Omit<StreamSocket, "host"> {
  return {
    ready: Promise.reject(error),
    ended: true,
    markReady: () => undefined,
    send: () => Promise.reject(error),
    ping: () => undefined,
    fail: () => undefined,
    close: async () => undefined,
  };
}

/** The bytes of a frame, whatever shape `ws` delivered it in. */
export function bytesOf(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
