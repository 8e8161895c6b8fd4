/** The Dhan connector's runtime: loaded on first use through ./index.ts (lib/brokers/deferred.ts). */
import type { AdapterDeps } from "@/lib/brokers/registry";
import type { AdapterConfig, BrokerAdapter } from "@/lib/brokers/types";
import { createDhanAdapter } from "./adapter";

export { dhanLogin as login } from "./login";
export { dhanProbe as probe } from "./probe";

export function createAdapter(config: AdapterConfig, { gate, limits, timeouts, lookup }: AdapterDeps): BrokerAdapter {
  return createDhanAdapter(config, { gate, limits, timeouts, lookup });
}
