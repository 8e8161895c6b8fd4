/** The shape of a broker kind's account-form description (plain data; see lib/brokers/forms.ts). */

/**
 * The credential columns an account row has (docs/adding-a-broker.md): `hostUrl`, `wsUrl` and `clientId` plain,
 * `apiKey`, `apiSecret`, `pin` and `totpSecret` encrypted. A broker whose credentials need others adds them in its migration and here.
 */
export type CredentialFieldName = "hostUrl" | "wsUrl" | "apiKey" | "apiSecret" | "clientId" | "pin" | "totpSecret";

/** One credential input on the account form. */
export interface BrokerFieldSpec {
  name: CredentialFieldName;
  label: string;
  inputType: "text" | "url" | "password";
  /** Stored encrypted, never sent back to the browser; blank on edit keeps the stored value. */
  secret: boolean;
  required: boolean;
  placeholder?: string;
  help?: string;
  /** Secret fields, when editing: what leaving the field blank does (shown after the stored value's last 4). */
  keepHint?: string;
}

export interface BrokerForm {
  /** The broker as users know it (the kind picker, when there is more than one kind). */
  label: string;
  /** Title of the form that links a new account of this kind. */
  linkTitle: string;
  fields: readonly BrokerFieldSpec[];
  /**
   * The account logs in at the broker (a redirect login, once a day) rather than working from its key alone: the
   * accounts page shows its session and a "Log in" button (docs/direct-brokers.md "Login").
   */
  dailyLogin?: boolean;
}
