/** The Fyers connector's runtime: loaded on first use through ./index.ts (lib/brokers/deferred.ts). */
import type { AdapterDeps } from "@/lib/brokers/registry";
import type { AdapterConfig, BrokerAdapter } from "@/lib/brokers/types";
import { createFyersAdapter } from "./adapter";

export { fyersLogin as login } from "./login";
export { fyersProbe as probe } from "./probe";

export function createAdapter(config: AdapterConfig, { gate, limits, timeouts, lookup }: AdapterDeps): BrokerAdapter {
  return createFyersAdapter(config, {
    gate,
    limits,
    transport: { connectTimeoutMs: timeouts?.connectMs, responseTimeoutMs: timeouts?.responseMs, lookup },
  });
}
