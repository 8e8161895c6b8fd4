import { env } from "@/lib/env";
import type { DispatchOptions } from "@/lib/queues/dispatch";

/** The tunables are one type, defined with the dispatch job's schema (what each one means is documented there). */
export type { DispatchOptions };

/** Production defaults. Tests and the benchmark pass shorter windows. */
export const DEFAULT_DISPATCH_OPTIONS: Readonly<DispatchOptions> = {
  reconcileWindowMs: 3_000,
  pollIntervalMs: 250,
  maxAttempts: 3,
  clockSkewMs: 2_000,
  maxRefusedRetries: 8,
  refusedBackoffMs: 200,
  staleAfterMs: 120_000,
  maxIntentAgeMs: 300_000,
};

export function dispatchOptions(overrides: Partial<DispatchOptions> = {}): DispatchOptions {
  return { ...DEFAULT_DISPATCH_OPTIONS, maxIntentAgeMs: env().DISPATCH_MAX_INTENT_AGE_MS, ...overrides };
}
