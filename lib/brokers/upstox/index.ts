/**
 * Everything the registry needs of the Upstox kind (lib/brokers/registry.ts `BrokerEntry`), in one object.
 */
import type { AdapterDeps } from "@/lib/brokers/registry";
import type { AdapterConfig, BrokerAdapter } from "@/lib/brokers/types";
import { upstoxCredentials, upstoxDefaultLimits, upstoxWording } from "./account";
import { createUpstoxAdapter } from "./adapter";
import { UPSTOX_FORM } from "./form";
import { upstoxLogin } from "./login";
import { upstoxProbe } from "./probe";

export const upstoxBroker = {
  label: "Upstox",
  credentials: upstoxCredentials,
  form: UPSTOX_FORM,
  wording: upstoxWording,
  probe: upstoxProbe,
  login: upstoxLogin,
  defaultLimits: upstoxDefaultLimits,
  createAdapter(config: AdapterConfig, { gate, limits, timeouts, lookup }: AdapterDeps): BrokerAdapter {
    return createUpstoxAdapter(config, {
      gate,
      limits: { ...upstoxDefaultLimits, ...limits },
      transport: { lookup, responseMs: timeouts?.responseMs },
    });
  },
};
