/**
 * Dhan's "Test connection" without a session (docs/brokers/dhan.md "Probe"): the API root must answer a token-less
 * `GET /profile` the way Dhan does, with its DH-901 error envelope. The login proves the key and secret later. Dhan
 * has no user-given WebSocket URL, so the WebSocket verdict is always ok.
 */
import type { LookupFunction } from "node:net";
import { probeFailure, type ApiVerdict, type BrokerProbe, type ProbeFailure } from "@/lib/brokers/connection";
import { dhanWording } from "./account";
import { dhanHosts } from "./hosts";
import { DhanHttp } from "./http";

const fail = (reason: ProbeFailure, where: string) => probeFailure(dhanWording, reason, where, "API");

async function probeApi(hostUrl: string, _apiKey: string, lookup: LookupFunction): Promise<ApiVerdict> {
  const api = dhanHosts(hostUrl).api;
  const where = new URL(api).host;
  const http = new DhanHttp(api, { lookup, pooled: false, connectTimeoutMs: 5_000, responseTimeoutMs: 10_000 });
  try {
    const out = await http.request({ method: "GET", path: "/profile" });
    if (out.kind === "failure")
      return fail(out.code === "timeout" ? "timeout" : out.code === "tls" ? "tls" : "unreachable", where);
    if (out.status === 429) return fail("rate_limited", where);
    if (out.status >= 500) return fail("server_error", where);
    const code = (out.body as { errorCode?: unknown } | undefined)?.errorCode;
    if (out.status === 401 && code === "DH-901") return { ok: true, broker: "dhan", mode: "live" };
    return fail("not_openalgo", where);
  } finally {
    http.close();
  }
}

export const dhanProbe: BrokerProbe = {
  api: probeApi,
  ws: async () => ({ ok: true }),
};
