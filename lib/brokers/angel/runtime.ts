/** The Angel One connector's runtime: loaded on first use through ./index.ts (lib/brokers/deferred.ts). */
import type { AdapterDeps } from "@/lib/brokers/registry";
import type { AdapterConfig, BrokerAdapter } from "@/lib/brokers/types";
import { createAngelAdapter } from "./adapter";

export { angelLogin as login } from "./login";
export { angelProbe as probe } from "./probe";

export function createAdapter(config: AdapterConfig, deps: AdapterDeps): BrokerAdapter {
  return createAngelAdapter(config, {
    gate: deps.gate,
    limits: deps.limits,
    http: {
      connectTimeoutMs: deps.timeouts?.connectMs,
      responseTimeoutMs: deps.timeouts?.responseMs,
      lookup: deps.lookup,
    },
  });
}
