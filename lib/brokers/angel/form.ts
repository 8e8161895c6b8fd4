/** The Angel One account form's credential inputs, as plain data (browser-safe; see lib/brokers/forms.ts). */
import type { BrokerFieldSpec } from "@/lib/brokers/form-spec";

/** Angel needs two credential columns OpenAlgo does not (`apiSecret`, `clientId`); the registry adds them. */
export interface AngelFieldSpec extends Omit<BrokerFieldSpec, "name"> {
  name: "hostUrl" | "apiKey" | "apiSecret" | "clientId";
}

export const ANGEL_FORM: { label: string; linkTitle: string; fields: readonly AngelFieldSpec[] } = {
  label: "Angel One",
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
