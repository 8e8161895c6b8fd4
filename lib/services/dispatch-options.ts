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
}

export const DEFAULT_DISPATCH_OPTIONS: Readonly<DispatchOptions> = {
  reconcileWindowMs: 3_000,
  pollIntervalMs: 250,
  maxAttempts: 3,
  clockSkewMs: 2_000,
  maxRefusedRetries: 8,
  refusedBackoffMs: 200,
  staleAfterMs: 120_000,
};

export function dispatchOptions(overrides: Partial<DispatchOptions> = {}): DispatchOptions {
  return { ...DEFAULT_DISPATCH_OPTIONS, ...overrides };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
