/**
 * Everything the registry needs of the Dhan (DhanHQ API v2) connector (docs/brokers/dhan.md).
 */
import type { AdapterDeps } from "@/lib/brokers/registry";
import type { AdapterConfig } from "@/lib/brokers/types";
import { createDhanAdapter, DHAN_RATE_LIMITS } from "./adapter";
import { dhanCredentials, dhanWording } from "./account";
import { DHAN_FORM } from "./form";
import { dhanLogin } from "./login";
import { dhanProbe } from "./probe";

export const dhanBroker = {
  label: "Dhan",
  credentials: dhanCredentials,
  form: DHAN_FORM,
  wording: dhanWording,
  probe: dhanProbe,
  login: dhanLogin,
  defaultLimits: DHAN_RATE_LIMITS,
  createAdapter: (config: AdapterConfig, { gate, limits, timeouts, lookup }: AdapterDeps) =>
    createDhanAdapter(config, { gate, limits, timeouts, lookup }),
};
