/**
 * Upstox's "Test connection" without a session: the profile endpoint, called with no token, must answer as Upstox
 * does (401 with its error envelope and a UDAPI code). Upstox's streams have no user-given URL, so the WebSocket
 * verdict is always ok.
 */
import type { LookupFunction } from "node:net";
import { type ApiVerdict, type BrokerProbe, probeFailure, type WsVerdict } from "@/lib/brokers/connection";
import { upstoxWording } from "./account";
import { API_VERSION, createApis, sdkCall } from "./sdk-client";
import { classifyError } from "./wire";

const PROBE_TIMEOUT_MS = 10_000;

async function api(hostUrl: string, _apiKey: string, lookup: LookupFunction): Promise<ApiVerdict> {
  const where = hostUrl;
  const apis = createApis(hostUrl, { lookup, responseMs: PROBE_TIMEOUT_MS });
  try {
    const out = await sdkCall((cb) => apis.user.getProfile(API_VERSION, cb));
    if (out.kind === "failure") {
      const reason = out.code === "timeout" ? "timeout" : out.code === "bad_response" ? "not_openalgo" : "unreachable";
      return probeFailure(upstoxWording, reason, where, "API");
    }
    if (out.status === 429) return probeFailure(upstoxWording, "rate_limited", where, "API");
    if (out.status >= 500) return probeFailure(upstoxWording, "server_error", where, "API");
    const info = classifyError(out.status, out.body);
    if (out.status === 401 && info.code?.startsWith("UDAPI")) return { ok: true, broker: "upstox", mode: "live" };
    return probeFailure(upstoxWording, "not_openalgo", where, "API");
  } finally {
    apis.close();
  }
}

async function ws(): Promise<WsVerdict> {
  return { ok: true };
}

export const upstoxProbe: BrokerProbe = { api, ws };
