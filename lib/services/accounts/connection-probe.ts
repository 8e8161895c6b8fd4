/**
 * "Test connection": does a host URL lead to an OpenAlgo server that accepts this API key, and does the WebSocket
 * URL authenticate it too? Each answer is a verdict from a fixed vocabulary — never the remote server's own words,
 * so the test cannot be used to read pages from, or map, other hosts.
 */
import type { LookupFunction } from "node:net";
import { WebSocket } from "ws";
import { env } from "@/lib/env";
import type { TradingMode } from "@/lib/brokers/types";
import { checkHost } from "@/lib/brokers/host-policy";
import { OpenAlgoTransport, type HttpOutcome } from "@/lib/brokers/openalgo/client";
import { classifyError } from "@/lib/brokers/openalgo/wire";
import { mapAnalyzer, mapPing } from "@/lib/brokers/openalgo/map";

export type ProbeFailure =
  | "blocked_host"
  | "unreachable"
  | "timeout"
  | "tls"
  | "auth_rejected"
  | "rate_limited"
  | "server_error"
  | "not_openalgo";

export type ProbeVerdict<Ok extends object = object> =
  ({ ok: true } & Ok) | { ok: false; reason: ProbeFailure; message: string };
export type ApiVerdict = ProbeVerdict<{ broker: string; mode: TradingMode }>;
export type WsVerdict = ProbeVerdict;

export interface ConnectionReport {
  api: ApiVerdict;
  ws: WsVerdict;
}

const WS_SETUP_MS = 5_000;

/** What a failure means for the user, by reason; `where` is the host the user typed (never anything remote). */
export function describeFailure(reason: ProbeFailure, where: string, channel: "API" | "WebSocket"): string {
  switch (reason) {
    case "blocked_host":
      return `${where} resolves to a loopback, private or link-local address, which this server does not allow (BROKER_ALLOW_PRIVATE_HOSTS=false)`;
    case "unreachable":
      return `Cannot reach ${where} (name not found, connection refused or dropped)`;
    case "timeout":
      return `${where} did not answer in time`;
    case "tls":
      return `TLS handshake with ${where} failed (certificate untrusted, expired or for another name)`;
    case "auth_rejected":
      return channel === "API"
        ? "OpenAlgo refused the API key. Either the key is wrong, or the broker session behind it has expired (OpenAlgo logs out daily at 03:00 IST): log in to your broker in OpenAlgo, check the key, and test again."
        : "The WebSocket refused the API key (wrong key or expired broker session)";
    case "rate_limited":
      return `${where} is rate limiting requests; wait a moment and test again`;
    case "server_error":
      return `${where} answered with a server error`;
    case "not_openalgo":
      return `${where} answered, but not as an OpenAlgo ${channel === "API" ? "server (check the URL, including any path)" : "WebSocket proxy"}`;
  }
}

const fail = (reason: ProbeFailure, where: string, channel: "API" | "WebSocket") => ({
  ok: false as const,
  reason,
  message: describeFailure(reason, where, channel),
});

function transportFailure(out: Extract<HttpOutcome, { kind: "failure" }>): ProbeFailure {
  return out.code === "timeout" ? "timeout" : out.code === "tls" ? "tls" : "unreachable";
}

function answerFailure(out: Extract<HttpOutcome, { kind: "response" }>): ProbeFailure {
  const info = classifyError(out.status, out.body, out.text);
  if (info.kind === "auth") return "auth_rejected";
  if (info.kind === "rate_limited") return "rate_limited";
  if (out.status >= 500) return "server_error";
  return "not_openalgo";
}

const isSuccess = (out: HttpOutcome): out is Extract<HttpOutcome, { kind: "response" }> =>
  out.kind === "response" && out.status === 200 && (out.body as { status?: unknown } | undefined)?.status === "success";

async function probeApi(hostUrl: string, apiKey: string, lookup: LookupFunction): Promise<ApiVerdict> {
  const where = new URL(hostUrl).host;
  const http = new OpenAlgoTransport(hostUrl, {
    lookup,
    pooled: false,
    connectTimeoutMs: 5_000,
    responseTimeoutMs: 10_000,
  });
  try {
    const call = async (name: string) => {
      const out = await http.post(name, { apikey: apiKey });
      if (out.kind === "failure") return fail(transportFailure(out), where, "API");
      if (!isSuccess(out)) return fail(answerFailure(out), where, "API");
      return { ok: true as const, body: out.body };
    };
    const ping = await call("ping");
    if (!ping.ok) return ping;
    let answer: { broker: string; mode?: TradingMode };
    try {
      answer = mapPing(ping.body);
    } catch {
      return fail("not_openalgo", where, "API");
    }
    if (answer.mode) return { ok: true, broker: answer.broker, mode: answer.mode };
    // Live pings carry no mode; /analyzer says whether the instance trades in the sandbox.
    const analyzer = await call("analyzer");
    if (!analyzer.ok) return analyzer;
    try {
      return { ok: true, broker: answer.broker, mode: mapAnalyzer(analyzer.body) };
    } catch {
      return fail("not_openalgo", where, "API");
    }
  } finally {
    http.close();
  }
}

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNRESET",
  "EPIPE",
]);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|EPROTO$)/;

/** Connects, authenticates once and disconnects; subscribes to nothing. */
function probeWs(wsUrl: string, apiKey: string, lookup: LookupFunction): Promise<WsVerdict> {
  const where = new URL(wsUrl).host;
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl, { handshakeTimeout: WS_SETUP_MS, lookup });
    let done = false;
    const finish = (v: WsVerdict) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on("error", () => undefined);
      ws.terminate();
      resolve(v);
    };
    const timer = setTimeout(() => finish(fail("timeout", where, "WebSocket")), WS_SETUP_MS);
    ws.on("open", () => ws.send(JSON.stringify({ action: "authenticate", api_key: apiKey })));
    ws.on("unexpected-response", () => finish(fail("not_openalgo", where, "WebSocket")));
    ws.on("error", (e: NodeJS.ErrnoException) => {
      const code = e.code ?? "";
      finish(
        fail(
          TLS_CODE.test(code) ? "tls" : UNREACHABLE_CODES.has(code) ? "unreachable" : "not_openalgo",
          where,
          "WebSocket",
        ),
      );
    });
    ws.on("close", () => finish(fail("unreachable", where, "WebSocket")));
    ws.on("message", (data) => {
      let frame: { type?: unknown; status?: unknown; code?: unknown };
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return finish(fail("not_openalgo", where, "WebSocket"));
      }
      if (frame.type === "auth" && frame.status === "success") return finish({ ok: true });
      // AUTHENTICATION_ERROR: a wrong key; BROKER_INIT_ERROR: the key's broker session has expired.
      if (frame.status === "error" && (frame.code === "AUTHENTICATION_ERROR" || frame.code === "BROKER_INIT_ERROR")) {
        return finish(fail("auth_rejected", where, "WebSocket"));
      }
      finish(fail("not_openalgo", where, "WebSocket"));
    });
  });
}

/**
 * Tests the API and the WebSocket with one key, each on addresses the operator's host policy allows (checked on
 * what DNS returns, and the connections pinned to the checked addresses).
 */
export async function probeConnection(hostUrl: string, wsUrl: string, apiKey: string): Promise<ConnectionReport> {
  const allowPrivate = env().BROKER_ALLOW_PRIVATE_HOSTS;
  const [apiHost, wsHost] = await Promise.all([checkHost(hostUrl, allowPrivate), checkHost(wsUrl, allowPrivate)]);
  const refused = (check: Exclude<typeof apiHost, { ok: true }>, url: string, channel: "API" | "WebSocket") =>
    fail(check.problem === "not_public" ? "blocked_host" : "unreachable", new URL(url).host, channel);
  const [api, ws] = await Promise.all([
    apiHost.ok ? probeApi(hostUrl, apiKey, apiHost.lookup) : Promise.resolve(refused(apiHost, hostUrl, "API")),
    wsHost.ok ? probeWs(wsUrl, apiKey, wsHost.lookup) : Promise.resolve(refused(wsHost, wsUrl, "WebSocket")),
  ]);
  return { api, ws };
}
