/** The Zerodha account form's credential inputs, as plain data (browser-safe; see lib/brokers/forms.ts). */
import type { BrokerForm } from "@/lib/brokers/form-spec";

export const ZERODHA_FORM: BrokerForm = {
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
