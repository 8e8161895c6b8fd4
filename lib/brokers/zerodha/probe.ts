/**
 * Zerodha's "Test connection" before any login (docs/brokers/zerodha.md "Connection test"): without a session the
 * only honest check is that the API root answers as Kite Connect does — a profile request carrying the API key and no
 * token must come back 403 with Kite's `TokenException` envelope. Kite has no user-given WebSocket URL to test.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import {
  probeFailure,
  type ApiVerdict,
  type BrokerProbe,
  type ProbeFailure,
  type WsVerdict,
} from "@/lib/brokers/connection";
import { zerodhaWording } from "./account";

const TIMEOUT_MS = 8_000;

type Outcome = { status: number; body: string } | { failure: ProbeFailure };

function get(url: URL, headers: Record<string, string>, lookup: LookupFunction): Promise<Outcome> {
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(url, { method: "GET", headers, lookup, timeout: TIMEOUT_MS }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        if (body.length < 64_000) body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", () => resolve({ failure: "unreachable" }));
    });
    req.on("timeout", () => {
      req.destroy();
      resolve({ failure: "timeout" });
    });
    req.on("error", (e: NodeJS.ErrnoException) => {
      const code = e.code ?? "";
      resolve({ failure: code.startsWith("ERR_TLS") || code.includes("CERT") ? "tls" : "unreachable" });
    });
    req.end();
  });
}

function kiteErrorType(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { status?: unknown; error_type?: unknown };
    return parsed.status === "error" && typeof parsed.error_type === "string" ? parsed.error_type : undefined;
  } catch {
    return undefined;
  }
}

async function probeApi(hostUrl: string, apiKey: string, lookup: LookupFunction): Promise<ApiVerdict> {
  let url: URL;
  try {
    url = new URL(`${hostUrl.replace(/\/+$/, "")}/user/profile`);
  } catch {
    return probeFailure(zerodhaWording, "unreachable", hostUrl, "API");
  }
  const where = url.host;
  const out = await get(url, { "X-Kite-Version": "3", Authorization: `token ${apiKey}:` }, lookup);
  if ("failure" in out) return probeFailure(zerodhaWording, out.failure, where, "API");
  const type = kiteErrorType(out.body);
  if (out.status === 429) return probeFailure(zerodhaWording, "rate_limited", where, "API");
  if (out.status >= 500) return probeFailure(zerodhaWording, "server_error", where, "API");
  if (out.status === 403 && type === "TokenException") return { ok: true, broker: "zerodha", mode: "live" };
  return probeFailure(zerodhaWording, "not_openalgo", where, "API");
}

export const zerodhaProbe: BrokerProbe = {
  api: probeApi,
  // Kite's streams live at Kite's own host; there is no URL for the user to get wrong.
  ws: async (): Promise<WsVerdict> => ({ ok: true }),
};
