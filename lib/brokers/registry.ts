/**
 * Adapters by kind. Adding a direct broker is one folder (`lib/brokers/<name>/`) plus one line in `FACTORIES`;
 * the new adapter must pass `runBrokerConformance` (lib/brokers/conformance.ts).
 */
import type { LookupFunction } from "node:net";
import { createOpenAlgoAdapter } from "@/lib/brokers/openalgo/adapter";
import type { CallGate, RateLimits } from "@/lib/brokers/rate-governor";
import type { AdapterConfig, BrokerAdapter, BrokerKind } from "@/lib/brokers/types";

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

const FACTORIES: Record<BrokerKind, (config: AdapterConfig, deps: AdapterDeps) => BrokerAdapter> = {
  openalgo: (config, { gate, limits, timeouts, lookup }) =>
    createOpenAlgoAdapter(config, {
      gate,
      limits,
      transport: { connectTimeoutMs: timeouts?.connectMs, responseTimeoutMs: timeouts?.responseMs, lookup },
    }),
};

export const BROKER_KINDS = Object.keys(FACTORIES) as BrokerKind[];

export function isBrokerKind(value: string): value is BrokerKind {
  return Object.hasOwn(FACTORIES, value);
}

/** Builds the adapter of one account. Throws a TypeError for a kind no adapter exists for. */
export function createAdapter(kind: BrokerKind, config: AdapterConfig, deps: AdapterDeps = {}): BrokerAdapter {
  if (!isBrokerKind(kind)) throw new TypeError(`No broker adapter for kind "${String(kind)}"`);
  return FACTORIES[kind](config, deps);
}
