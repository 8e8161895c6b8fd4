/**
 * Angel One's "Test connection" without a session: a profile call with no token must get the SmartAPI gateway's own
 * refusal (`AG8003` "Token Missing" in its envelope), which tells that the host is SmartAPI. Angel has no user-given
 * WebSocket URL, so the WebSocket verdict is always ok.
 */
import type { LookupFunction } from "node:net";
import { probeFailure, type ApiVerdict, type BrokerProbe } from "@/lib/brokers/connection";
import { angelWording } from "./account";
import { AngelHttp } from "./http";
import { classify, PATHS } from "./wire";

async function api(hostUrl: string, apiKey: string, lookup: LookupFunction): Promise<ApiVerdict> {
  const where = new URL(hostUrl).host;
  const http = new AngelHttp(hostUrl, { lookup, pooled: false, connectTimeoutMs: 5_000, responseTimeoutMs: 10_000 });
  try {
    const out = await http.call("GET", PATHS.profile, { apiKey });
    if (out.kind === "failure")
      return probeFailure(angelWording, out.code === "timeout" ? "timeout" : "unreachable", where, "API");
    const c = classify(out);
    if (c.kind === "auth" && c.code.startsWith("AG")) return { ok: true, broker: "angel", mode: "live" };
    if (c.kind === "rate_limited") return probeFailure(angelWording, "rate_limited", where, "API");
    if (out.status >= 500) return probeFailure(angelWording, "server_error", where, "API");
    return probeFailure(angelWording, "not_openalgo", where, "API");
  } finally {
    await http.close();
  }
}

export const angelProbe: BrokerProbe = {
  api,
  ws: async () => ({ ok: true }),
};
