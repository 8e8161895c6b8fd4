/**
 * HTTP transport to one OpenAlgo instance: `POST ${base}/api/v1/<name>` with a JSON body, over node:http(s)
 * keep-alive agents pooled per origin (accounts on one host share sockets), with explicit connect and response
 * timeouts. One call is one attempt: retry policy belongs to the caller, which knows whether the call is safe to
 * repeat. The API key travels only in request bodies; nothing here logs a body.
 */
import http from "node:http";
import https from "node:https";
import { urlToHttpOptions } from "node:url";
import type { LookupFunction } from "node:net";

export interface TransportOptions {
  /** Time allowed to open a TCP/TLS connection, ms. */
  connectTimeoutMs?: number;
  /** Time allowed from the request leaving until the whole answer has arrived, ms. */
  responseTimeoutMs?: number;
  /** Most sockets per origin; OpenAlgo instances are small Flask servers. */
  maxSockets?: number;
  /**
   * An idle pooled socket is closed after this long, ms. It must stay below the server's keep-alive timeout
   * (gunicorn: 2 s): a request written into a socket the server has just closed fails with a reset, and a reset
   * placeorder is an `unknown` order. The pool is per origin, so the first client's value applies to it.
   */
  idleSocketMs?: number;
  /** Resolves the host instead of the system resolver (the operator's host policy, see lib/brokers/host-policy.ts). */
  lookup?: LookupFunction;
  /**
   * false: this client opens its own connections instead of sharing the origin's pool, so every request goes through
   * its own `lookup` (a connection test pins the addresses it has just checked). Default true.
   */
  pooled?: boolean;
  /** Largest answer accepted, bytes (default 32 MB); a direct broker's instrument master download needs more. */
  maxBodyBytes?: number;
}

const DEFAULTS = { connectTimeoutMs: 3_000, responseTimeoutMs: 10_000, maxSockets: 16, idleSocketMs: 1_500 } as const;
// A whole instrument master is a few MB; anything far larger is not an OpenAlgo answer.
const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** How an attempt failed without an HTTP answer. */
export type FailureCode = "unreachable" | "timeout" | "reset" | "tls" | "network";

export type HttpOutcome =
  | {
      kind: "response";
      status: number;
      body: unknown;
      text: string;
      /** The answer's HTTP `Date` header (the server's clock, whole seconds), when it sent one. */
      date?: string;
    }
  | {
      kind: "failure";
      code: FailureCode;
      message: string;
      /** True once a connection was established for the request: the server may have acted on it. */
      sent: boolean;
      /** True once any byte of an answer arrived. */
      responded: boolean;
    };

type Agent = http.Agent | https.Agent;
const pools = new Map<string, { agent: Agent; users: number }>();

function acquire(
  origin: string,
  secure: boolean,
  maxSockets: number,
  idleSocketMs: number,
  lookup?: LookupFunction,
): Agent {
  const hit = pools.get(origin);
  if (hit) {
    hit.users++;
    return hit.agent;
  }
  // `timeout` closes idle pooled sockets (Node also honours a shorter `Keep-Alive: timeout=` hint from the server);
  // in-flight requests are bounded by our own timers instead.
  const opts = {
    keepAlive: true,
    keepAliveMsecs: 15_000,
    maxSockets,
    maxFreeSockets: maxSockets,
    scheduling: "lifo" as const,
    timeout: idleSocketMs,
    ...(lookup ? { lookup } : {}),
  };
  const agent = secure ? new https.Agent(opts) : new http.Agent(opts);
  pools.set(origin, { agent, users: 1 });
  return agent;
}

function release(origin: string): void {
  const hit = pools.get(origin);
  if (!hit) return;
  hit.users--;
  if (hit.users <= 0) {
    pools.delete(origin);
    hit.agent.destroy();
  }
}

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);
const RESET = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);

// Certificate and handshake failures (OpenSSL verification codes, Node's ERR_TLS_* / ERR_SSL_*, EPROTO).
const TLS = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|EPROTO$)/;

function failureCode(err: NodeJS.ErrnoException): FailureCode {
  if (err.code && UNREACHABLE.has(err.code)) return "unreachable";
  if (err.code && TLS.test(err.code)) return "tls";
  if ((err.code && RESET.has(err.code)) || err.message === "socket hang up") return "reset";
  return "network";
}

/**
 * The normalised base of an OpenAlgo host URL: its origin plus a path prefix without a trailing slash, which is
 * `""` for a host served at its root. `http://h:5000`, `http://h:5000/` and `http://h:5000//` share the prefix `""`;
 * `http://h:5055/i/demo1/` and `.../i/demo1` both mean `/i/demo1`. Query and fragment are dropped.
 */
export function parseBaseUrl(baseUrl: string): { origin: string; prefix: string; secure: boolean } {
  const url = new URL(baseUrl);
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new TypeError(`Unsupported broker URL scheme ${url.protocol}`);
  // A special-scheme URL always has a pathname of at least "/", so strip the slashes from the string rather than
  // assigning it back to the URL (which would restore "/" and give `//api/v1/...`, a protocol-relative URL).
  return { origin: url.origin, prefix: url.pathname.replace(/\/+$/, ""), secure: url.protocol === "https:" };
}

/** The endpoint URL `${origin}${prefix}/api/v1/<name>` for a base from {@link parseBaseUrl}. */
export function apiUrl(base: { origin: string; prefix: string }, name: string): URL {
  return new URL(`${base.origin}${base.prefix}/api/v1/${name}`);
}

export class OpenAlgoTransport {
  readonly origin: string;
  /** Host (and path prefix) for log lines: never the key. */
  readonly host: string;
  private readonly base: { origin: string; prefix: string; secure: boolean };
  private readonly agent: Agent;
  private readonly opts: Required<Omit<TransportOptions, "lookup" | "pooled">>;
  private readonly ownAgent: boolean;
  private closed = false;
  private readonly targets = new Map<string, http.RequestOptions>();

  constructor(baseUrl: string, options: TransportOptions = {}) {
    this.base = parseBaseUrl(baseUrl);
    this.origin = this.base.origin;
    this.host = `${new URL(this.origin).host}${this.base.prefix}`;
    // `??` rather than a spread: an explicit `undefined` must not erase a default.
    this.opts = {
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      responseTimeoutMs: options.responseTimeoutMs ?? DEFAULTS.responseTimeoutMs,
      maxSockets: options.maxSockets ?? DEFAULTS.maxSockets,
      idleSocketMs: options.idleSocketMs ?? DEFAULTS.idleSocketMs,
      maxBodyBytes: options.maxBodyBytes ?? MAX_BODY_BYTES,
    };
    this.ownAgent = options.pooled === false;
    this.agent = this.ownAgent
      ? new (this.base.secure ? https.Agent : http.Agent)({
          keepAlive: false,
          ...(options.lookup ? { lookup: options.lookup } : {}),
        })
      : acquire(this.origin, this.base.secure, this.opts.maxSockets, this.opts.idleSocketMs, options.lookup);
  }

  /**
   * Request options of `/api/v1/<name>`, parsed once per endpoint: parsing the URL on every call was a visible part of
   * each call's CPU (hundreds per trigger, docs/performance.md).
   */
  private targetOf(name: string): http.RequestOptions {
    let target = this.targets.get(name);
    if (!target) {
      target = urlToHttpOptions(apiUrl(this.base, name));
      this.targets.set(name, target);
    }
    return target;
  }

  /** One POST of `payload` as JSON to `/api/v1/<name>`. Never throws: every outcome is a value. */
  post(name: string, payload: Record<string, unknown>): Promise<HttpOutcome> {
    return this.exchange(this.targetOf(name), "POST", JSON.stringify(payload), {
      "Content-Type": "application/json",
      Accept: "application/json",
    });
  }

  /**
   * One request of any method to `${base}${path}` (`path` starts with `/` and may carry a query string), for direct
   * brokers whose REST APIs use GET/PATCH/DELETE and auth headers. `body`, when given, is sent as it is with the
   * headers' content type. Never throws.
   */
  request(method: string, path: string, headers: Record<string, string>, body?: string): Promise<HttpOutcome> {
    const target = urlToHttpOptions(new URL(`${this.base.origin}${this.base.prefix}${path}`));
    return this.exchange(target, method, body, headers);
  }

  private exchange(
    target: http.RequestOptions,
    method: string,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<HttpOutcome> {
    if (this.closed)
      return Promise.resolve({
        kind: "failure",
        code: "network",
        message: "client closed",
        sent: false,
        responded: false,
      });
    const secure = this.base.secure;
    const { connectTimeoutMs, responseTimeoutMs, maxBodyBytes } = this.opts;

    return new Promise<HttpOutcome>((resolve) => {
      let settled = false;
      let sent = false;
      let responded = false;
      let responseTimer: NodeJS.Timeout | undefined;
      let req: http.ClientRequest;
      try {
        req = (secure ? https : http).request({
          ...target,
          method,
          agent: this.agent,
          headers: body === undefined ? headers : { ...headers, "Content-Length": Buffer.byteLength(body) },
        });
      } catch (e) {
        resolve({
          kind: "failure",
          code: "network",
          message: e instanceof Error ? e.message : String(e),
          sent: false,
          responded: false,
        });
        return;
      }
      const connectTimer = setTimeout(() => {
        fail("timeout", `no connection to ${this.host} within ${connectTimeoutMs} ms`);
        req.destroy();
      }, connectTimeoutMs);
      const finish = (outcome: HttpOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        clearTimeout(responseTimer);
        resolve(outcome);
      };
      const fail = (code: FailureCode, message: string) => finish({ kind: "failure", code, message, sent, responded });
      const connected = () => {
        sent = true;
        clearTimeout(connectTimer);
        responseTimer = setTimeout(() => {
          fail("timeout", `no answer from ${this.host} within ${responseTimeoutMs} ms`);
          req.destroy();
        }, responseTimeoutMs);
      };
      req.on("socket", (socket) => {
        // A pooled socket is already connected; a new one connects (and for TLS, handshakes) first.
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
          if (size > maxBodyBytes) {
            fail("network", `answer from ${this.host} larger than ${maxBodyBytes} bytes`);
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
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          const date = res.headers.date;
          finish({ kind: "response", status: res.statusCode ?? 0, body: parsed, text, ...(date ? { date } : {}) });
        });
      });
      req.end(body);
    });
  }

  /** Releases this client's share of the origin's pool (the pool closes with its last user). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.ownAgent) this.agent.destroy();
    else release(this.origin);
  }
}
