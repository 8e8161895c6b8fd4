/**
 * The Angel One SmartAPI kind as the registry sees it (docs/brokers/angel.md): what account forms and validation need, loaded
 * with the registry, and the runtime (./runtime.ts: adapter, probe, login and what they import), loaded on first use
 * (lib/brokers/deferred.ts).
 */
import type { DirectBroker } from "@/lib/brokers/deferred";
import { angelCredentials, angelWording } from "./account";
import { ANGEL_LIMITS } from "./limits";

export const angelBroker: DirectBroker = {
  credentials: angelCredentials,
  wording: angelWording,
  defaultLimits: ANGEL_LIMITS,
  optional: ["openMarketFeed", "subscribeOrderUpdates"],
  renews: true,
  load: () => import("./runtime"),
};
