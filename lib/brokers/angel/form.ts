/** The Angel One account form's credential inputs, as plain data (browser-safe; see lib/brokers/forms.ts). */
import type { BrokerForm } from "@/lib/brokers/form-spec";

export const ANGEL_FORM: BrokerForm = {
  label: "Angel One",
  dailyLogin: true,
  linkTitle: "Link an Angel One account",
  fields: [
    {
      name: "clientId",
      label: "Angel One client ID",
      inputType: "text",
      secret: false,
      required: true,
      placeholder: "A1234567",
    },
    {
      name: "apiKey",
      label: "SmartAPI app API key",
      inputType: "password",
      secret: true,
      required: true,
      keepHint: "blank keeps it",
    },
    {
      name: "apiSecret",
      label: "SmartAPI app secret key",
      inputType: "password",
      secret: true,
      required: true,
      keepHint: "blank keeps it",
    },
    {
      name: "pin",
      label: "Angel One PIN (optional)",
      inputType: "password",
      secret: true,
      required: false,
      help: "Your 4-digit Angel One PIN. With it and the TOTP secret stored (encrypted), MirrorDesk logs in each morning itself.",
      keepHint: "blank keeps it",
    },
    {
      name: "totpSecret",
      label: "TOTP secret (optional)",
      inputType: "password",
      secret: true,
      required: false,
      help: "The key Angel One shows under the QR code when you enable TOTP (smartapi.angelone.in/enable-totp).",
      keepHint: "blank keeps it",
    },
    {
      name: "hostUrl",
      label: "API host URL",
      inputType: "text",
      secret: false,
      required: false,
      placeholder: "https://apiconnect.angelone.in",
      help: "Leave blank for Angel One's own API.",
    },
  ],
};
