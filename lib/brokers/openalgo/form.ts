/** The OpenAlgo account form's credential inputs, as plain data (browser-safe; see lib/brokers/forms.ts). */
import type { BrokerForm } from "@/lib/brokers/form-spec";

export const OPENALGO_FORM: BrokerForm = {
  label: "OpenAlgo",
  linkTitle: "Link an OpenAlgo account",
  fields: [
    {
      name: "hostUrl",
      label: "Host URL",
      inputType: "text",
      secret: false,
      required: true,
      placeholder: "http://127.0.0.1:5000",
    },
    {
      name: "wsUrl",
      label: "WebSocket URL",
      inputType: "text",
      secret: false,
      required: true,
      placeholder: "ws://127.0.0.1:8765",
    },
    {
      name: "apiKey",
      label: "API key",
      inputType: "password",
      secret: true,
      required: true,
      keepHint: "blank keeps it unless a URL changes",
    },
  ],
};
