/**
 * Everything MirrorDesk knows per broker kind, in one table: the adapter factory, the credential schema, the form's
 * inputs (plain data in lib/brokers/forms.ts, so the browser can have them), the connection probe and the wording of
 * its failures. A direct broker's adapter, probe and login load on first use (lib/brokers/deferred.ts), so a process
 * pays for a connector and its SDK only once it serves an account of that kind. Adding a direct broker is one folder (`lib/brokers/<name>/`), one entry here, one line in
 * lib/brokers/kinds.ts and lib/brokers/forms.ts, and a migration for the Prisma enum (docs/adding-a-broker.md);
 * the new adapter must pass `runBrokerConformance` (lib/brokers/conformance.ts).
 */
import type { LookupFunction } from "node:net";
import type { z } from "zod";
import { angelBroker } from "@/lib/brokers/angel";
import { lazyBrokerParts } from "@/lib/brokers/deferred";
import { dhanBroker } from "@/lib/brokers/dhan";
import { fyersBroker } from "@/lib/brokers/fyers";
import { createOpenAlgoAdapter } from "@/lib/brokers/openalgo/adapter";
import { upstoxBroker } from "@/lib/brokers/upstox";
import { zerodhaBroker } from "@/lib/brokers/zerodha";
import { openAlgoCredentials, openAlgoWording } from "@/lib/brokers/openalgo/account";
import { openAlgoProbe } from "@/lib/brokers/openalgo/probe";
import type { CallGate, RateLimits } from "@/lib/brokers/rate-governor";
import type { BrokerProbe, BrokerWording } from "@/lib/brokers/connection";
import type { BrokerForm, CredentialFieldName } from "@/lib/brokers/form-spec";
import { BROKER_FORMS } from "@/lib/brokers/forms";
import {
  BROKER_KIND_LIST,
  isBrokerKind,
  STORED_KIND,
  type BrokerKind,
  type StoredBrokerKind,
} from "@/lib/brokers/kinds";
import type { BrokerLogin } from "@/lib/brokers/login";
import type { AdapterConfig, BrokerAdapter } from "@/lib/brokers/types";

/** Shared by every kind: the rate budget to pass calls through, and this account's limits. */
export interface AdapterDeps {
  /** Default: the process-wide Redis governor. */
  gate?: CallGate;
  limits?: Partial<RateLimits>;
  /** Connect and whole-answer timeouts, ms (OpenAlgo defaults: 3 000 and 10 000). */
  timeouts?: { connectMs?: number; responseMs?: number };
  /** Resolves broker hosts (HTTP and WebSocket) instead of the system resolver: the operator's host policy. */
  lookup?: LookupFunction;
}

// Input may be absent: a direct broker's host URL defaults to the broker's real API root.
type CredentialField = z.ZodType<string, string | undefined>;
/**
 * A kind's credentials as the account APIs accept them: one validator per credential field, output trimmed and
 * normalised. Every kind has a host and an API key; the other fields are the kind's choice among the credential
 * columns (lib/brokers/form-spec.ts).
 */
export type CredentialSchema = z.ZodObject<
  { hostUrl: CredentialField; apiKey: CredentialField } & Partial<
    Record<Exclude<CredentialFieldName, "hostUrl" | "apiKey">, CredentialField>
  >
>;

export interface BrokerEntry {
  kind: BrokerKind;
  /** `TradingAccount.kind`, and `kind` in the account APIs. */
  stored: StoredBrokerKind;
  credentials: CredentialSchema;
  form: BrokerForm;
  wording: BrokerWording;
  probe: BrokerProbe;
  /** Direct brokers: the redirect login that yields the day's session (lib/brokers/login.ts). Absent for OpenAlgo. */
  login?: BrokerLogin;
  /** The broker's published call rates: a new account's budget when the form does not set one. */
  defaultLimits?: RateLimits;
  createAdapter(config: AdapterConfig, deps: AdapterDeps): BrokerAdapter;
  /** Loads what the kind's first adapter, probe or login call would (a warm-up: no trigger pays for it). */
  preload(): Promise<void>;
}

type Entries = { [K in BrokerKind]: Omit<BrokerEntry, "kind" | "stored" | "form"> };

const ENTRIES: Entries = {
  openalgo: {
    credentials: openAlgoCredentials,
    wording: openAlgoWording,
    probe: openAlgoProbe,
    createAdapter: (config, { gate, limits, timeouts, lookup }) =>
      createOpenAlgoAdapter(config, {
        gate,
        limits,
        transport: { connectTimeoutMs: timeouts?.connectMs, responseTimeoutMs: timeouts?.responseMs, lookup },
      }),
    preload: async () => undefined,
  },
  zerodha: lazyBrokerParts(zerodhaBroker, "zerodha"),
  upstox: lazyBrokerParts(upstoxBroker, "upstox"),
  fyers: lazyBrokerParts(fyersBroker, "fyers"),
  dhan: lazyBrokerParts(dhanBroker, "dhan"),
  angel: lazyBrokerParts(angelBroker, "angel"),
};

/** Every kind's entry, in the order of lib/brokers/kinds.ts. */
export const BROKERS: readonly BrokerEntry[] = BROKER_KIND_LIST.map((kind) => ({
  ...ENTRIES[kind],
  kind,
  stored: STORED_KIND[kind],
  form: BROKER_FORMS[kind],
}));

/** The entry of one kind. Throws a TypeError for a kind nothing is registered for. */
export function brokerEntry(kind: BrokerKind): BrokerEntry {
  const entry = isBrokerKind(kind) ? BROKERS.find((b) => b.kind === kind) : undefined;
  if (!entry) throw new TypeError(`No broker adapter for kind "${String(kind)}"`);
  return entry;
}

/** Builds the adapter of one account. Throws a TypeError for a kind no adapter exists for. */
export function createAdapter(kind: BrokerKind, config: AdapterConfig, deps: AdapterDeps = {}): BrokerAdapter {
  return brokerEntry(kind).createAdapter(config, deps);
}
