/**
 * Everything the broker registry needs for Zerodha Kite Connect (docs/brokers/zerodha.md): credentials, form,
 * wording, connection probe, login, default rate limits and the adapter factory.
 */
import type { AdapterConfig } from "@/lib/brokers/types";
import { zerodhaCredentials, zerodhaWording } from "./account";
import { createZerodhaAdapter, ZERODHA_LIMITS, type ZerodhaAdapterDeps } from "./adapter";
import { ZERODHA_FORM } from "./form";
import { zerodhaLogin } from "./login";
import { zerodhaProbe } from "./probe";

export const zerodhaBroker = {
  label: "Zerodha",
  credentials: zerodhaCredentials,
  form: ZERODHA_FORM,
  wording: zerodhaWording,
  probe: zerodhaProbe,
  login: zerodhaLogin,
  defaultLimits: ZERODHA_LIMITS,
  createAdapter: (config: AdapterConfig, deps: ZerodhaAdapterDeps) => createZerodhaAdapter(config, deps),
};
