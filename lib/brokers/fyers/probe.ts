/**
 * Fyers' "Test connection" without a session (docs/brokers/fyers.md "Linking"): the API root must answer an
 * unauthenticated profile call the way Fyers does — its JSON envelope refusing the missing token. Fyers has no
 * WebSocket URL to type, so the WebSocket verdict is always ok.
 */
import type { LookupFunction } from "node:net";
import { probeFailure, type ApiVerdict, type BrokerProbe, type ProbeFailure } from "@/lib/brokers/connection";
import { OpenAlgoTransport } from "@/lib/brokers/openalgo/client";
import { fyersWording } from "./account";
import { classify } from "./wire";

const fail = (reason: ProbeFailure, where: string) => probeFailure(fyersWording, reason, where, "API");

async function api(hostUrl: string, _apiKey: string, lookup: LookupFunction): Promise<ApiVerdict> {
  const http = new OpenAlgoTransport(hostUrl, {
    lookup,
    pooled: false,
    connectTimeoutMs: 5_000,
    responseTimeoutMs: 8_000,
  });
  const where = http.host;
  try {
    const out = await http.request("GET", "/api/v3/profile", { Accept: "application/json" });
    if (out.kind === "failure")
      return fail(out.code === "timeout" ? "timeout" : out.code === "tls" ? "tls" : "unreachable", where);
    const info = classify(out.status, out.body);
    if (info.kind === "auth" && info.code !== null) return { ok: true, broker: "fyers", mode: "live" };
    if (info.kind === "rate_limited") return fail("rate_limited", where);
    if (out.status >= 500) return fail("server_error", where);
    return fail("not_openalgo", where);
  } finally {
    http.close();
  }
}

export const fyersProbe: BrokerProbe = {
  api,
  async ws() {
    return { ok: true };
  },
};
