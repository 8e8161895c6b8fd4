/** The Upstox account form's credential inputs, as plain data (browser-safe; see lib/brokers/forms.ts). */
import type { BrokerForm } from "@/lib/brokers/form-spec";

export const UPSTOX_FORM: BrokerForm = {
  label: "Upstox",
  linkTitle: "Link an Upstox account",
  dailyLogin: true,
  fields: [
    {
      name: "apiKey",
      label: "API key",
      inputType: "password",
      secret: true,
      required: true,
      help: "From your app at account.upstox.com/developer/apps",
      keepHint: "blank keeps it",
    },
    {
      name: "apiSecret",
      label: "API secret",
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
      placeholder: "https://api.upstox.com",
      help: "Leave blank for Upstox itself",
    },
  ],
};
