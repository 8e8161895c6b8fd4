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
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
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

/** A WebSocket client that queues parsed frames and lets a test await the next one matching a predicate. */
export class WsClient {
  /** Every raw frame received, in order (never consumed). */
  readonly raw: string[] = [];
  /** Frames not yet taken by `next`. */
  private backlog: any[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  private waiters: { match: (m: any) => boolean; resolve: (m: any) => void }[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  closed?: { code: number; reason: string };
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const text = data.toString();
      this.raw.push(text);
      const msg = JSON.parse(text);
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
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  pending(match: (m: any) => boolean): any[] {
    return this.backlog.filter(match);
  }

  /** Resolves with the first frame (already received or future) matching `match`; rejects after `ms`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  next(match: (m: any) => boolean, ms = 2000): Promise<any> {
    const i = this.backlog.findIndex(match);
    if (i >= 0) return Promise.resolve(this.backlog.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (m: unknown) => {
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
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  request(msg: unknown, match: (m: any) => boolean, ms?: number): Promise<any> {
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
