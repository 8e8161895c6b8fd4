/** The Dhan account form's credential inputs, as plain data (browser-safe; see lib/brokers/forms.ts). */
import type { BrokerForm } from "@/lib/brokers/form-spec";

export const DHAN_FORM: BrokerForm = {
  label: "Dhan",
  linkTitle: "Link a Dhan account",
  dailyLogin: true,
  fields: [
    {
      name: "clientId",
      label: "Dhan client ID",
      inputType: "text",
      secret: false,
      required: true,
      help: "The number on your Dhan profile page.",
    },
    {
      name: "apiKey",
      label: "API key",
      inputType: "password",
      secret: true,
      required: true,
      help: "From Dhan Web → Profile → DhanHQ Trading APIs → API key. Register MirrorDesk's callback URL there.",
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
      label: "API URL (optional)",
      inputType: "url",
      secret: false,
      required: false,
      placeholder: "https://api.dhan.co/v2",
      help: "Leave blank for Dhan. Only a test simulator needs another URL.",
    },
  ],
};
