"use client";

import { Field, Input } from "@/components/ui/primitives";
import type { BrokerFieldSpec, CredentialFieldName } from "@/lib/brokers/form-spec";

interface Props {
  fields: readonly BrokerFieldSpec[];
  /** The stored account's plain credential values (editing); secrets are never sent to the browser. */
  values?: Partial<Record<CredentialFieldName, string>>;
  /** Editing: the last 4 characters of the stored secret, shown in the secret field's label. */
  secretLast4?: string;
  errors: (name: string) => string[] | undefined;
}

const ids: Record<CredentialFieldName, string> = {
  hostUrl: "acc-host",
  wsUrl: "acc-ws",
  apiKey: "acc-key",
  apiSecret: "acc-secret",
  clientId: "acc-client",
  pin: "acc-pin",
  totpSecret: "acc-totp",
};

/** Editing, a secret's label says it is stored (the API key with its last 4 characters) and what blank does. */
function labelOf(field: BrokerFieldSpec, secretLast4: string | undefined): string {
  if (!field.secret || secretLast4 === undefined) return field.label;
  const stored = field.name === "apiKey" ? `•••• ${secretLast4}` : "stored";
  return `${field.label} (${stored}${field.keepHint ? `; ${field.keepHint}` : ""})`;
}

/**
 * A broker kind's credential inputs, from its description in lib/brokers/forms.ts. Editing, a secret input starts
 * blank and is optional: blank keeps the stored secret.
 */
export function BrokerFields({ fields, values, secretLast4, errors }: Props) {
  const editing = secretLast4 !== undefined;
  return fields.map((field) => (
    <Field key={field.name} label={labelOf(field, secretLast4)} htmlFor={ids[field.name]} error={errors(field.name)}>
      <Input
        id={ids[field.name]}
        name={field.name}
        type={field.inputType}
        defaultValue={field.secret ? undefined : values?.[field.name]}
        placeholder={field.placeholder}
        autoComplete={field.secret ? "off" : undefined}
        required={field.required && !(field.secret && editing)}
        aria-describedby={field.help ? `${ids[field.name]}-help` : undefined}
      />
      {field.help ? (
        <p id={`${ids[field.name]}-help`} className="text-xs text-slate-500 dark:text-slate-400">
          {field.help}
        </p>
      ) : null}
    </Field>
  ));
}
