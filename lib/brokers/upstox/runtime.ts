/** The Upstox connector's runtime: loaded on first use through ./index.ts (lib/brokers/deferred.ts). */
import type { AdapterDeps } from "@/lib/brokers/registry";
import type { AdapterConfig, BrokerAdapter } from "@/lib/brokers/types";
import { createUpstoxAdapter } from "./adapter";
import { upstoxDefaultLimits } from "./limits";

export { upstoxLogin as login } from "./login";
export { upstoxProbe as probe } from "./probe";

export function createAdapter(config: AdapterConfig, { gate, limits, timeouts, lookup }: AdapterDeps): BrokerAdapter {
  return createUpstoxAdapter(config, {
    gate,
    limits: { ...upstoxDefaultLimits, ...limits },
    transport: { lookup, responseMs: timeouts?.responseMs },
  });
}
