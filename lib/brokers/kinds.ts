/**
 * The one list of broker kinds, and the one mapping between a kind (`openalgo`, what the code calls it) and the
 * value stored in `TradingAccount.kind` (Prisma's `AccountKind` enum, `OPENALGO`), which is also what the account
 * APIs send and accept as `kind`. Plain data: the browser bundle imports it (docs/adding-a-broker.md).
 */
import type { AccountKind } from "@/lib/generated/prisma/enums";

/** Kind → stored value. A new broker adds one line here and its value to the Prisma enum (one migration). */
export const STORED_KIND = {
  openalgo: "OPENALGO",
  zerodha: "ZERODHA",
  upstox: "UPSTOX",
  fyers: "FYERS",
  dhan: "DHAN",
  angel: "ANGEL",
} as const satisfies Record<string, AccountKind>;

/** Adapter families known to the registry. */
export type BrokerKind = keyof typeof STORED_KIND;
/** The kind as stored and as the account APIs spell it. */
export type StoredBrokerKind = (typeof STORED_KIND)[BrokerKind];

// Every value of the Prisma enum maps back to a kind: an enum value added without its line above fails here.
const everyStoredValueMapped: Exclude<AccountKind, StoredBrokerKind> extends never ? true : never = true;
void everyStoredValueMapped;

export const BROKER_KIND_LIST = Object.keys(STORED_KIND) as BrokerKind[];
export const STORED_KIND_LIST = BROKER_KIND_LIST.map((k) => STORED_KIND[k]);
/** What an account created without a `kind` is. */
export const DEFAULT_BROKER_KIND: BrokerKind = "openalgo";

export function isBrokerKind(value: string): value is BrokerKind {
  return Object.hasOwn(STORED_KIND, value);
}

/** The kind of a stored value; a TypeError for a value no kind maps to (a row written by a newer release). */
export function kindOfStored(stored: string): BrokerKind {
  const kind = BROKER_KIND_LIST.find((k) => STORED_KIND[k] === stored);
  if (!kind) throw new TypeError(`No broker kind is stored as "${stored}"`);
  return kind;
}
