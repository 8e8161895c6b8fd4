/**
 * HTTP to Angel One's SmartAPI (docs/brokers/angel.md "Transport"): undici with a keep-alive pool per adapter, connect
 * and answer timeouts, and the operator's host resolver. One call is one attempt; nothing here logs a header or a
 * body (the Bearer token and the API key travel in headers). The client headers Angel asks for carry fixed
 * placeholders, never this machine's addresses.
 */
import type { LookupFunction } from "node:net";
import { Agent, errors, request } from "undici";

/** Fixed values for Angel's client-identification headers (docs/brokers/angel.md "Headers"). */
export const CLIENT_HEADERS = {
  "X-UserType": "USER",
  "X-SourceID": "WEB",
  "X-ClientLocalIP": "127.0.0.1",
  "X-ClientPublicIP": "127.0.0.1",
  "X-MACAddress": "00:00:00:00:00:00",
} as const;

export interface AngelHttpOptions {
  connectTimeoutMs?: number;
  responseTimeoutMs?: number;
  lookup?: LookupFunction;
}

export type AngelOutcome =
  | { kind: "response"; status: number; body: unknown; text: string; date?: string }
  | { kind: "failure"; code: "unreachable" | "timeout" | "reset" | "network"; message: string; sent: boolean };

const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

export class AngelHttp {
  readonly host: string;
  private readonly base: string;
  private readonly agent: Agent;

  constructor(baseUrl: string, options: AngelHttpOptions = {}) {
    const url = new URL(baseUrl);
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new TypeError(`Unsupported broker URL scheme ${url.protocol}`);
    this.base = url.origin + url.pathname.replace(/\/+$/, "");
    this.host = url.host + url.pathname.replace(/\/+$/, "");
    const responseMs = options.responseTimeoutMs ?? 10_000;
    this.agent = new Agent({
      keepAliveTimeout: 4_000,
      connections: 8,
      headersTimeout: responseMs,
      bodyTimeout: responseMs,
      connect: { timeout: options.connectTimeoutMs ?? 3_000, ...(options.lookup ? { lookup: options.lookup } : {}) },
    });
  }

  /** One call to `path` (below the base URL). Never throws: every outcome is a value. */
  async call(
    method: "GET" | "POST",
    path: string,
    opts: { apiKey: string; token?: string; body?: unknown },
  ): Promise<AngelOutcome> {
    const headers: Record<string, string> = {
      Accept: "application/json",
      "Content-Type": "application/json",
      "X-PrivateKey": opts.apiKey,
      ...CLIENT_HEADERS,
    };
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    try {
      const res = await request(this.base + path, {
        method,
        headers,
        body: method === "POST" ? JSON.stringify(opts.body ?? {}) : undefined,
        dispatcher: this.agent,
      });
      const text = await res.body.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const date = res.headers.date;
      return { kind: "response", status: res.statusCode, body, text, ...(typeof date === "string" ? { date } : {}) };
    } catch (error) {
      return failure(error, this.host);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function failure(error: unknown, host: string): Extract<AngelOutcome, { kind: "failure" }> {
  const e = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.code ?? e.cause?.code ?? "";
  if (error instanceof errors.ConnectTimeoutError)
    return { kind: "failure", code: "timeout", message: `no connection to ${host} in time`, sent: false };
  if (NOT_SENT.has(code))
    return { kind: "failure", code: "unreachable", message: `cannot reach ${host} (${code})`, sent: false };
  if (error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError)
    return { kind: "failure", code: "timeout", message: `no answer from ${host} in time`, sent: true };
  if (error instanceof errors.SocketError || code === "ECONNRESET" || code === "UND_ERR_SOCKET")
    return { kind: "failure", code: "reset", message: `connection to ${host} dropped before the answer`, sent: true };
  return { kind: "failure", code: "network", message: `network error talking to ${host}`, sent: true };
}
