/**
 * HTTP to one Dhan host (API, auth or the scrip-master download): any method, JSON bodies, Dhan's header auth, a
 * keep-alive agent per client, connect and whole-answer timeouts, and the operator's host policy (`lookup`). One call is
 * one attempt: callers decide what may be repeated. Nothing here logs a header or a body (they carry the token and the
 * app secret).
 */
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import type { FailureCode, HttpOutcome } from "@/lib/brokers/openalgo/client";
import { parseBaseUrl } from "@/lib/brokers/openalgo/client";

export type { HttpOutcome };

export interface DhanHttpOptions {
  connectTimeoutMs?: number;
  responseTimeoutMs?: number;
  lookup?: LookupFunction;
  /** Largest answer accepted, bytes (the detailed scrip master is tens of MB). */
  maxBodyBytes?: number;
}

export interface DhanRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path below the base, starting with `/`. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
  /** Keep the answer as text (CSV) instead of parsing JSON. */
  raw?: boolean;
}

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);
const RESET = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);
const TLS = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|EPROTO$)/;

function failureCode(err: NodeJS.ErrnoException): FailureCode {
  if (err.code && UNREACHABLE.has(err.code)) return "unreachable";
  if (err.code && TLS.test(err.code)) return "tls";
  if ((err.code && RESET.has(err.code)) || err.message === "socket hang up") return "reset";
  return "network";
}

export class DhanHttp {
  /** Host and path prefix for log lines. */
  readonly host: string;
  private readonly base: { origin: string; prefix: string; secure: boolean };
  private readonly agent: http.Agent;
  private readonly connectTimeoutMs: number;
  private readonly responseTimeoutMs: number;
  private readonly maxBodyBytes: number;

  constructor(baseUrl: string, options: DhanHttpOptions = {}) {
    this.base = parseBaseUrl(baseUrl);
    this.host = `${new URL(this.base.origin).host}${this.base.prefix}`;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 3_000;
    this.responseTimeoutMs = options.responseTimeoutMs ?? 10_000;
    this.maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
    // Idle sockets close after 1.5 s, below common server keep-alive timeouts: a request written into a socket the
    // server just closed is reset, and a reset placement is an `unknown` order.
    const opts = {
      keepAlive: true,
      maxSockets: 8,
      timeout: 1_500,
      ...(options.lookup ? { lookup: options.lookup } : {}),
    };
    this.agent = this.base.secure ? new https.Agent(opts) : new http.Agent(opts);
  }

  /** One request. Never throws: every outcome is a value. */
  request(r: DhanRequest): Promise<HttpOutcome> {
    const url = new URL(`${this.base.origin}${this.base.prefix}${r.path}`);
    for (const [k, v] of Object.entries(r.query ?? {})) url.searchParams.set(k, v);
    const payload = r.body === undefined ? undefined : JSON.stringify(r.body);
    const headers: Record<string, string | number> = { Accept: "application/json", ...r.headers };
    if (payload !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["Content-Length"] = Buffer.byteLength(payload);
    }
    const secure = this.base.secure;
    return new Promise<HttpOutcome>((resolve) => {
      let settled = false;
      let sent = false;
      let responded = false;
      let responseTimer: NodeJS.Timeout | undefined;
      const finish = (o: HttpOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        clearTimeout(responseTimer);
        resolve(o);
      };
      const fail = (code: FailureCode, message: string) => finish({ kind: "failure", code, message, sent, responded });
      const req = (secure ? https : http).request(url, { method: r.method, agent: this.agent, headers });
      const connectTimer = setTimeout(() => {
        fail("timeout", `no connection to ${this.host} within ${this.connectTimeoutMs} ms`);
        req.destroy();
      }, this.connectTimeoutMs);
      const connected = () => {
        sent = true;
        clearTimeout(connectTimer);
        responseTimer = setTimeout(() => {
          fail("timeout", `no answer from ${this.host} within ${this.responseTimeoutMs} ms`);
          req.destroy();
        }, this.responseTimeoutMs);
      };
      req.on("socket", (socket) => {
        if (socket.connecting) socket.once(secure ? "secureConnect" : "connect", connected);
        else connected();
      });
      req.on("error", (err: NodeJS.ErrnoException) => fail(failureCode(err), `${err.code ?? "error"}: ${err.message}`));
      req.on("response", (res) => {
        responded = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxBodyBytes) {
            fail("network", `answer from ${this.host} larger than ${this.maxBodyBytes} bytes`);
            req.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on("aborted", () => fail("reset", `answer from ${this.host} cut off`));
        res.on("error", (err: NodeJS.ErrnoException) =>
          fail(failureCode(err), `${err.code ?? "error"}: ${err.message}`),
        );
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown;
          if (!r.raw) {
            try {
              body = JSON.parse(text);
            } catch {
              body = undefined;
            }
          }
          const date = res.headers.date;
          finish({ kind: "response", status: res.statusCode ?? 0, body, text, ...(date ? { date } : {}) });
        });
      });
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
