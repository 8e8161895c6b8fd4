/**
 * The Dhan (DhanHQ API v2) kind as the registry sees it (docs/brokers/dhan.md): what account forms and validation need, loaded
 * with the registry, and the runtime (./runtime.ts: adapter, probe, login and what they import), loaded on first use
 * (lib/brokers/deferred.ts).
 */
import type { DirectBroker } from "@/lib/brokers/deferred";
import { dhanCredentials, dhanWording } from "./account";
import { DHAN_RATE_LIMITS } from "./limits";

export const dhanBroker: DirectBroker = {
  credentials: dhanCredentials,
  wording: dhanWording,
  defaultLimits: DHAN_RATE_LIMITS,
  optional: ["openMarketFeed", "subscribeOrderUpdates"],
  renews: false,
  load: () => import("./runtime"),
};
