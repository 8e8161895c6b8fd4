/**
 * Helpers for the simulator's compatibility suite (`*.int.test.ts`): start a simulator in-process on ephemeral
 * ports with a fixed clock, and talk to it over real HTTP and WebSocket the way an OpenAlgo client does.
 */
import { WebSocket } from "ws";
import type { InstanceConfig } from "@/lib/simulator/types";
import { type RunningSimulator, type SimulatorOptions, startSimulator } from "@/lib/simulator/server/start-simulator";

/** Monday 2026-11-23 10:00 IST: a trading day, inside every F&O session. */
export const MONDAY_10_IST = Date.UTC(2026, 10, 23, 4, 30);
export const ADMIN = "test-admin-token";

export const ALPHA: InstanceConfig = { id: "alpha", apiKey: "key-alpha", capital: "1000000" };
export const BETA: InstanceConfig = {
  id: "beta",
  apiKey: "key-beta",
  capital: "500000",
  mode: "analyze",
  numbers: "number",
  showStrategy: true,
};

export async function startTestSimulator(overrides: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  return startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken: ADMIN,
    seed: 7,
    clock: { mode: "fixed", startAt: MONDAY_10_IST },
    alwaysOpen: false,
    instances: [ALPHA, BETA],
    wsAuthGraceMs: 400,
    ...overrides,
  });
}

export interface HttpAnswer {
  status: number;
  text: string;
  /** Parsed body (undefined when not JSON). */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests walk arbitrary OpenAlgo bodies by path
  headers: Headers;
}

async function answer(res: Response): Promise<HttpAnswer> {
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}

/** POSTs a JSON body (an object, or a raw string when `raw`) to `${base}${path}`. */
export async function post(
  base: string,
  path: string,
  body: unknown,
  opts: { raw?: boolean; contentType?: string | null } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = {};
  if (opts.contentType !== null) headers["Content-Type"] = opts.contentType ?? "application/json";
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers,
    body: opts.raw ? (body as string) : JSON.stringify(body),
  });
  return answer(res);
}

export async function get(base: string, path: string): Promise<HttpAnswer> {
  return answer(await fetch(`${base}${path}`));
}

/** Calls the control API with the admin token. */
export async function control(base: string, method: string, path: string, body?: unknown): Promise<HttpAnswer> {
  const res = await fetch(`${base}/_sim${path}`, {
    method,
    headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return answer(res);
}

/** One price level of a Depth-mode tick. */
export interface DepthRow {
  price: number;
  quantity: number;
  orders: number;
}

/** The `data` of a `market_data` tick: LTP fields always, `depth` in Depth mode. */
export interface TickData {
  symbol: string;
  exchange: string;
  mode: number;
  depth: { buy: DepthRow[]; sell: DepthRow[] };
  [key: string]: unknown;
}

/** One subscription's entry in a subscribe/unsubscribe acknowledgement. */
export interface SubscriptionAck {
  symbol: string;
  exchange: string;
  status: string;
  mode: string;
  [key: string]: unknown;
}

/**
 * One parsed WebSocket frame (the proxy only sends JSON objects), typed with the fields the tests read. A field is
 * present only on the frames that carry it (`data` on ticks, `subscriptions` on acks, `code` on errors): a test
 * reads what the frame it awaited carries, and its assertions fail on a frame without it.
 */
export interface Frame {
  type: string;
  status: string;
  code: string;
  message: string;
  symbol: string;
  mode: number | string;
  data: TickData;
  subscriptions: SubscriptionAck[];
  [key: string]: unknown;
}

/** A WebSocket client that queues parsed frames and lets a test await the next one matching a predicate. */
export class WsClient {
  /** Every raw frame received, in order (never consumed). */
  readonly raw: string[] = [];
  /** Frames not yet taken by `next`. */
  private backlog: Frame[] = [];
  private waiters: { match: (m: Frame) => boolean; resolve: (m: Frame) => void }[] = [];
  closed?: { code: number; reason: string };
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const text = data.toString();
      this.raw.push(text);
      const msg = JSON.parse(text) as Frame;
      const w = this.waiters.find((x) => x.match(msg));
      if (w) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(msg);
      } else this.backlog.push(msg);
    });
    ws.on("close", (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  static async open(url: string): Promise<WsClient> {
    const ws = new WebSocket(url);
    const client = new WsClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return client;
  }

  /** Drops every unconsumed frame. */
  drain(): void {
    this.backlog = [];
  }

  /** Unconsumed frames matching `match` (not removed). */
  pending(match: (m: Frame) => boolean): Frame[] {
    return this.backlog.filter(match);
  }

  /** Resolves with the first frame (already received or future) matching `match`; rejects after `ms`. */
  next(match: (m: Frame) => boolean, ms = 2000): Promise<Frame> {
    const i = this.backlog.findIndex(match);
    if (i >= 0) return Promise.resolve(this.backlog.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (m: Frame) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no matching frame within ${ms} ms; last frames: ${this.raw.slice(-3).join(" | ")}`));
      }, ms);
      this.waiters.push(waiter);
    });
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === "string" ? msg : JSON.stringify(msg));
  }

  /** Sends `msg` and waits for the first reply matching `match`. */
  request(msg: unknown, match: (m: Frame) => boolean, ms?: number): Promise<Frame> {
    const p = this.next(match, ms);
    this.send(msg);
    return p;
  }

  waitClose(ms = 3000): Promise<{ code: number; reason: string }> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("socket did not close")), ms);
      this.ws.once("close", (code, reason) => {
        clearTimeout(timer);
        resolve({ code, reason: reason.toString() });
      });
    });
  }

  close(): void {
    this.ws.terminate();
  }
}
