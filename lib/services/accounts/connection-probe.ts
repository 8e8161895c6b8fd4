/**
 * "Test connection": the account's kind probes its API and its WebSocket (lib/brokers/registry.ts), each on
 * addresses the operator's host policy allows. Verdicts come from the fixed vocabulary of lib/brokers/connection.ts.
 */
import { env } from "@/lib/env";
import { checkHost } from "@/lib/brokers/host-policy";
import { probeFailure, type ConnectionReport, type ProbeChannel } from "@/lib/brokers/connection";
import type { BrokerEntry } from "@/lib/brokers/registry";

export type { ConnectionReport };

/**
 * Tests the API and the WebSocket with one key, each on addresses the operator's host policy allows (checked on
 * what DNS returns, and the connections pinned to the checked addresses).
 */
export async function probeConnection(
  broker: BrokerEntry,
  hostUrl: string,
  wsUrl: string,
  apiKey: string,
): Promise<ConnectionReport> {
  const allowPrivate = env().BROKER_ALLOW_PRIVATE_HOSTS;
  const refused = (check: { problem: string }, url: string, channel: ProbeChannel) =>
    probeFailure(
      broker.wording,
      check.problem === "not_public" ? "blocked_host" : "unreachable",
      new URL(url).host,
      channel,
    );
  const probeApi = async () => {
    const host = await checkHost(hostUrl, allowPrivate);
    return host.ok ? broker.probe.api(hostUrl, apiKey, host.lookup) : refused(host, hostUrl, "API");
  };
  // A kind whose streams are not a user-given URL (direct brokers) has no WebSocket to test here.
  const probeWs = async (): Promise<ConnectionReport["ws"]> => {
    if (!wsUrl) return { ok: true };
    const host = await checkHost(wsUrl, allowPrivate);
    return host.ok ? broker.probe.ws(wsUrl, apiKey, host.lookup) : refused(host, wsUrl, "WebSocket");
  };
  const [api, ws] = await Promise.all([probeApi(), probeWs()]);
  return { api, ws };
}
