/**
 * OpenAlgo's "Test connection": does a host URL lead to an OpenAlgo server that accepts this API key, and does the
 * WebSocket URL authenticate it too? Answers are verdicts from the fixed vocabulary of lib/brokers/connection.ts.
 */
import type { LookupFunction } from "node:net";
import { WebSocket } from "ws";
import type { TradingMode } from "@/lib/brokers/types";
import {
  probeFailure,
  type ApiVerdict,
  type BrokerProbe,
  type ProbeChannel,
  type ProbeFailure,
  type WsVerdict,
} from "@/lib/brokers/connection";
import { OpenAlgoTransport, type HttpOutcome } from "@/lib/brokers/openalgo/client";
import { classifyError } from "@/lib/brokers/openalgo/wire";
import { mapAnalyzer, mapPing } from "@/lib/brokers/openalgo/map";
import { openAlgoWording } from "@/lib/brokers/openalgo/account";

const WS_SETUP_MS = 5_000;

const fail = (reason: ProbeFailure, where: string, channel: ProbeChannel) =>
  probeFailure(openAlgoWording, reason, where, channel);

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

export const openAlgoProbe: BrokerProbe = { api: probeApi, ws: probeWs };
