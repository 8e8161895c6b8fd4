/** The Zerodha account form's credential inputs, as plain data (browser-safe; see lib/brokers/forms.ts). */
import type { BrokerFieldSpec, BrokerForm, CredentialFieldName } from "@/lib/brokers/form-spec";

/**
 * The form's shape with what direct brokers add to BrokerForm (the `apiSecret` column; `dailyLogin`: the account logs
 * in at the broker each day), so the object also fits the registry's newer BrokerForm unchanged.
 */
export type ZerodhaForm = Omit<BrokerForm, "fields"> & {
  dailyLogin?: boolean;
  fields: readonly (Omit<BrokerFieldSpec, "name"> & { name: CredentialFieldName | "apiSecret" })[];
};

export const ZERODHA_FORM: ZerodhaForm = {
  label: "Zerodha",
  linkTitle: "Link a Zerodha (Kite Connect) account",
  dailyLogin: true,
  fields: [
    {
      name: "apiKey",
      label: "Kite Connect API key",
      inputType: "password",
      secret: true,
      required: true,
      help: "From your app on developers.kite.trade",
      keepHint: "blank keeps it",
    },
    {
      name: "apiSecret",
      label: "Kite Connect API secret",
      inputType: "password",
      secret: true,
      required: true,
      keepHint: "blank keeps it",
    },
    {
      name: "hostUrl",
      label: "API root",
      inputType: "text",
      secret: false,
      required: false,
      placeholder: "https://api.kite.trade",
      help: "Leave blank for Zerodha itself; a simulator's URL for tests and demos.",
    },
  ],
};
