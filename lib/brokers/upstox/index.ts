/**
 * The Upstox kind as the registry sees it (docs/brokers/upstox.md): what account forms and validation need, loaded
 * with the registry, and the runtime (./runtime.ts: adapter, probe, login and what they import), loaded on first use
 * (lib/brokers/deferred.ts).
 */
import type { DirectBroker } from "@/lib/brokers/deferred";
import { upstoxCredentials, upstoxWording } from "./account";
import { upstoxDefaultLimits } from "./limits";

export const upstoxBroker: DirectBroker = {
  credentials: upstoxCredentials,
  wording: upstoxWording,
  defaultLimits: upstoxDefaultLimits,
  optional: ["openMarketFeed", "probeClock", "subscribeOrderUpdates"],
  renews: false,
  load: () => import("./runtime"),
};
