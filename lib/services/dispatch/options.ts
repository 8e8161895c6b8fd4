import { env } from "@/lib/env";

/** Tunables of dispatch, with production defaults. Tests and the benchmark pass shorter windows. */
export interface DispatchOptions {
  /**
   * How long after a send with an unknown outcome the order book is watched for the order before sending again is
   * considered safe, ms. Long enough for a broker to show an order it took; short enough that a trader's entry is not
   * late. Default 3 000.
   */
  reconcileWindowMs: number;
  /** Order-book poll period while reconciling, ms. Default 250. */
  pollIntervalMs: number;
  /** Sends per intent in one dispatch (the first plus resends after an elapsed window). Default 3. */
  maxAttempts: number;
  /** Orders placed this long before our send time still match (broker timestamps have whole seconds), ms. Default 2 000. */
  clockSkewMs: number;
  /** Placements that provably never reached the broker (429, no connection) are tried again this often. Default 8. */
  maxRefusedRetries: number;
  /** Back-off between those tries, ms, multiplied by the try number. Default 200. */
  refusedBackoffMs: number;
  /** `claimed`/`sending` intents untouched this long are recovered even when their worker still looks alive, ms. Default 120 000. */
  staleAfterMs: number;
  /**
   * Slices not yet sent this long after their run was planned are never sent (skipped as expired, with an alert and
   * an audit entry): prices and positions have moved on, and a recovery hours later must not fire them. A person's
   * retry is exempt (they look at the run first). Default DISPATCH_MAX_INTENT_AGE_MS (300 000).
   */
  maxIntentAgeMs: number;
}

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

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
