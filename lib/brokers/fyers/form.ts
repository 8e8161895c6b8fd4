/** The Fyers account form's credential inputs, as plain data (browser-safe; see lib/brokers/forms.ts). */
import type { BrokerForm } from "@/lib/brokers/form-spec";

export const FYERS_FORM: BrokerForm = {
  label: "Fyers",
  linkTitle: "Link a Fyers account",
  dailyLogin: true,
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
      name: "pin",
      label: "Fyers PIN (optional)",
      inputType: "password",
      secret: true,
      required: false,
      help: "With your 4-digit PIN stored (encrypted), MirrorDesk renews the daily session itself for about 15 days after a login.",
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
