/**
 * Everything the registry needs for Angel One SmartAPI (docs/brokers/angel.md): credentials, form, wording, probe,
 * login, default rate limits and the adapter factory.
 */
import type { AdapterDeps } from "@/lib/brokers/registry";
import type { AdapterConfig, BrokerAdapter } from "@/lib/brokers/types";
import { angelCredentials, angelWording } from "./account";
import { ANGEL_LIMITS, createAngelAdapter } from "./adapter";
import { ANGEL_FORM } from "./form";
import { angelLogin } from "./login";
import { angelProbe } from "./probe";

export const angelBroker = {
  label: "Angel One",
  credentials: angelCredentials,
  form: ANGEL_FORM,
  wording: angelWording,
  probe: angelProbe,
  login: angelLogin,
  defaultLimits: ANGEL_LIMITS,
  createAdapter(config: AdapterConfig, deps: AdapterDeps): BrokerAdapter {
    return createAngelAdapter(config, {
      gate: deps.gate,
      limits: deps.limits,
      http: {
        connectTimeoutMs: deps.timeouts?.connectMs,
        responseTimeoutMs: deps.timeouts?.responseMs,
        lookup: deps.lookup,
      },
    });
  },
};
