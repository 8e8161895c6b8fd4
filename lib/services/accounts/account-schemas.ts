/**
 * The account APIs' request schemas, built from the broker registry: the account settings every kind shares, plus
 * the credential fields of the account's kind (a union over kinds, picked by `kind`; absent means the default kind).
 * docs/adding-a-broker.md explains what a new kind brings.
 */
import { z } from "zod";
import { ValidationError } from "@/lib/errors";
import { DEFAULT_BROKER_KIND, STORED_KIND, kindOfStored } from "@/lib/brokers/kinds";
import { BROKERS, brokerEntry, type BrokerEntry } from "@/lib/brokers/registry";
import type { CredentialFieldName } from "@/lib/brokers/form-spec";
import { assertStorable } from "@/lib/services/broker-access";

// No defaults here: a PATCH must change only the fields it sends, and zod 4's `.partial()` still fills a field's
// `.default()` when it is absent. Creation applies the defaults below.
const settings = {
  name: z.string().trim().min(1, "Enter a name").max(60),
  isPrimary: z.boolean(),
  active: z.boolean(),
  tags: z.array(z.string().trim().min(1).max(30)).max(10),
  lotMultiplier: z.coerce.number().positive("Must be above 0").max(100).multipleOf(0.01),
  maxLotsPerLeg: z.int().positive().max(10_000).nullable(),
  orderRatePerSec: z.int().min(1).max(50),
  otherRatePerSec: z.int().min(1).max(50),
};
const createSettings = {
  ...settings,
  isPrimary: settings.isPrimary.default(false),
  active: settings.active.default(true),
  tags: settings.tags.default([]),
  lotMultiplier: settings.lotMultiplier.default(1),
  maxLotsPerLeg: settings.maxLotsPerLeg.default(null),
  // Absent: the broker's published rates (the registry's `defaultLimits`), else 10/s (createAccount).
  orderRatePerSec: settings.orderRatePerSec.optional(),
  otherRatePerSec: settings.otherRatePerSec.optional(),
};

/** A body without `kind` is the default kind's (the API accepted no other before there were kinds). */
const defaultKind = (stored: string) => (body: unknown) =>
  body !== null && typeof body === "object" && !Array.isArray(body) && (body as { kind?: unknown }).kind === undefined
    ? { ...body, kind: stored }
    : body;

type Options<T> = [T, ...T[]];

/** The three schemas for a set of kinds (the registry's; a test passes its own). */
export function buildAccountSchemas(brokers: readonly BrokerEntry[], defaultStored: string) {
  brokers.forEach(assertStorable);
  const stored = brokers.map((b) => b.stored) as Options<BrokerEntry["stored"]>;
  const create = brokers.map((b) => z.object({ ...createSettings, kind: z.literal(b.stored), ...b.credentials.shape }));
  // Kinds that share a field name may validate it differently: `checkUpdateCredentials` re-checks per kind.
  const credentialShapes = Object.assign(
    {},
    ...brokers.map((b) => b.credentials.shape),
  ) as BrokerEntry["credentials"]["shape"];
  const formTest = brokers.map((b) => {
    const secretLabel = b.form.fields.find((f) => f.name === "apiKey")?.label ?? "API key";
    return z
      .object({
        kind: z.literal(b.stored),
        ...b.credentials.shape,
        apiKey: b.credentials.shape.apiKey.optional(),
        // The test sends only the key to the broker; an app secret is checked at login.
        ...(b.credentials.shape.apiSecret ? { apiSecret: b.credentials.shape.apiSecret.optional() } : {}),
        accountId: z.uuid().optional(),
      })
      .refine((v) => v.apiKey || v.accountId, { message: `Enter the ${secretLabel}`, path: ["apiKey"] });
  });
  return {
    create: z.preprocess(
      defaultKind(defaultStored),
      z.discriminatedUnion("kind", create as Options<(typeof create)[number]>),
    ),
    update: z.object({ ...settings, kind: z.enum(stored), ...credentialShapes }).partial(),
    /** The form's "Test connection": a typed key, or (editing) the stored key of `accountId` when the key is blank. */
    formTest: z.preprocess(
      defaultKind(defaultStored),
      z.discriminatedUnion("kind", formTest as Options<(typeof formTest)[number]>),
    ),
  };
}

const schemas = buildAccountSchemas(BROKERS, STORED_KIND[DEFAULT_BROKER_KIND]);
export const createAccountSchema = schemas.create;
export const updateAccountSchema = schemas.update;
export const formTestSchema = schemas.formTest;

/**
 * The credential fields of a parsed body, typed. The body's schema already checked each field with its kind's
 * validator (strings, trimmed and normalised); which fields exist depends on the kind, so each may be absent.
 */
export const credentialsOf = (input: object) => input as Partial<Record<CredentialFieldName, string>>;

/** The registry entry of a stored account's kind. */
export const brokerOf = (account: { kind: string }) => brokerEntry(kindOfStored(account.kind));

/**
 * A PATCH's credential fields, checked against the account's own kind (the update schema accepts every kind's
 * fields). The kind itself never changes: a different broker is a different account.
 */
export function checkUpdateCredentials(current: { kind: string }, input: z.infer<typeof updateAccountSchema>): void {
  if (input.kind !== undefined && input.kind !== current.kind)
    throw new ValidationError("An account's broker kind cannot be changed", { kind: ["Cannot be changed"] });
  const sent = Object.fromEntries(
    Object.keys(brokerOf(current).credentials.shape).flatMap((k) =>
      k in input ? [[k, input[k as keyof typeof input]]] : [],
    ),
  );
  const checked = brokerOf(current).credentials.partial().safeParse(sent);
  if (!checked.success)
    throw new ValidationError(
      "Check the highlighted fields",
      z.flattenError(checked.error).fieldErrors as Record<string, string[]>,
    );
}
