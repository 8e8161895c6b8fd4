/** The Zerodha connector's runtime: loaded on first use through ./index.ts (lib/brokers/deferred.ts). */
import type { AdapterDeps } from "@/lib/brokers/registry";
import type { AdapterConfig, BrokerAdapter } from "@/lib/brokers/types";
import { createZerodhaAdapter } from "./adapter";

export { zerodhaLogin as login } from "./login";
export { zerodhaProbe as probe } from "./probe";

export function createAdapter(config: AdapterConfig, deps: AdapterDeps): BrokerAdapter {
  return createZerodhaAdapter(config, deps);
}
