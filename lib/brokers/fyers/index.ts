/**
 * Everything the broker registry needs of the Fyers API v3 kind (docs/brokers/fyers.md): label, credentials, form,
 * wording, probe, login, default rate limits and the adapter factory.
 */
import type { AdapterDeps } from "@/lib/brokers/registry";
import type { AdapterConfig, BrokerAdapter } from "@/lib/brokers/types";
import { fyersCredentials, fyersWording } from "./account";
import { createFyersAdapter, FYERS_DEFAULT_LIMITS } from "./adapter";
import { FYERS_FORM } from "./form";
import { fyersLogin } from "./login";
import { fyersProbe } from "./probe";

export const fyersBroker = {
  label: "Fyers",
  credentials: fyersCredentials,
  form: FYERS_FORM,
  wording: fyersWording,
  probe: fyersProbe,
  login: fyersLogin,
  defaultLimits: FYERS_DEFAULT_LIMITS,
  createAdapter(config: AdapterConfig, { gate, limits, timeouts, lookup }: AdapterDeps): BrokerAdapter {
    return createFyersAdapter(config, {
      gate,
      limits,
      transport: { connectTimeoutMs: timeouts?.connectMs, responseTimeoutMs: timeouts?.responseMs, lookup },
    });
  },
};
