/**
 * The Fyers API v3 kind as the registry sees it (docs/brokers/fyers.md): what account forms and validation need, loaded
 * with the registry, and the runtime (./runtime.ts: adapter, probe, login and what they import), loaded on first use
 * (lib/brokers/deferred.ts).
 */
import type { DirectBroker } from "@/lib/brokers/deferred";
import { fyersCredentials, fyersWording } from "./account";
import { FYERS_DEFAULT_LIMITS } from "./limits";

export const fyersBroker: DirectBroker = {
  credentials: fyersCredentials,
  wording: fyersWording,
  defaultLimits: FYERS_DEFAULT_LIMITS,
  optional: ["subscribeOrderUpdates"],
  renews: true,
  load: () => import("./runtime"),
};
