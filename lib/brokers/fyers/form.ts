/** The Fyers account form's credential inputs, as plain data (browser-safe; see lib/brokers/forms.ts). */
import type { BrokerFieldSpec, BrokerForm } from "@/lib/brokers/form-spec";

/** A form field; `apiSecret` is a credential column the Fyers kind adds (docs/brokers/fyers.md "Linking"). */
export type FyersFieldSpec = Omit<BrokerFieldSpec, "name"> & { name: BrokerFieldSpec["name"] | "apiSecret" };

export const FYERS_FORM: Omit<BrokerForm, "fields"> & { fields: readonly FyersFieldSpec[] } = {
  label: "Fyers",
  linkTitle: "Link a Fyers account",
  fields: [
    {
      name: "apiKey",
      label: "App ID",
      inputType: "text",
      secret: true,
      required: true,
      placeholder: "XXXXXXXXXX-100",
      help: "The App ID of your app on myapi.fyers.in; its redirect URL must be this site's Fyers callback.",
      keepHint: "blank keeps it",
    },
    {
      name: "apiSecret",
      label: "Secret ID",
      inputType: "password",
      secret: true,
      required: true,
      keepHint: "blank keeps it",
    },
    {
      name: "hostUrl",
      label: "API URL",
      inputType: "text",
      secret: false,
      required: false,
      placeholder: "https://api-t1.fyers.in",
      help: "Leave blank for Fyers. Only a test simulator needs another URL.",
    },
  ],
};
