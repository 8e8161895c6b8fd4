/**
 * The Zerodha Kite Connect kind as the registry sees it (docs/brokers/zerodha.md): what account forms and validation need, loaded
 * with the registry, and the runtime (./runtime.ts: adapter, probe, login and what they import), loaded on first use
 * (lib/brokers/deferred.ts).
 */
import type { DirectBroker } from "@/lib/brokers/deferred";
import { zerodhaCredentials, zerodhaWording } from "./account";
import { ZERODHA_LIMITS } from "./limits";

export const zerodhaBroker: DirectBroker = {
  credentials: zerodhaCredentials,
  wording: zerodhaWording,
  defaultLimits: ZERODHA_LIMITS,
  optional: ["openMarketFeed", "subscribeOrderUpdates"],
  renews: false,
  load: () => import("./runtime"),
};
