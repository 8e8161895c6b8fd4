/**
 * A broker's published call limits, as data: the windows (per second, minute, hour, day, …) its API counts calls of a
 * call family in. The rate governor (lib/brokers/rate-governor.ts) enforces every window of an account's kind on top
 * of the account's own per-second budget, so an account's settings can lower a published cap but never raise it.
 * The numbers, and where they come from, are in docs/brokers/<name>.md "Rate limits".
 */

/** The families brokers count separately: order changes, quote/LTP reads, everything else. */
export type CallKind = "order" | "quote" | "other";

/** One published cap: at most `limit` calls of the `calls` families within any `seconds`-long span. */
export interface PublishedWindow {
  /** The families the broker counts together in this window (one, or several for a shared cap). */
  calls: readonly CallKind[];
  /** Calls allowed in the window (a whole number ≥ 1). */
  limit: number;
  /** The window's length in seconds (1, 60, 1800, 3600, 86 400, …). */
  seconds: number;
}

export interface PublishedLimits {
  /** The name a refusal's message uses, e.g. "Kite" in "Kite's 400 orders a minute". */
  broker: string;
  windows: readonly PublishedWindow[];
}

const FAMILY_WORDS: Record<CallKind, [one: string, many: string]> = {
  order: ["order", "orders"],
  quote: ["quote call", "quote calls"],
  other: ["call", "calls"],
};

const SPAN_WORDS: Record<number, string> = {
  1: "a second",
  60: "a minute",
  1800: "per 30 minutes",
  3600: "an hour",
  86_400: "a day",
};

/** "400 orders a minute", "200 calls a minute" (a window shared by several families counts "calls"). */
export function describeWindow(w: PublishedWindow): string {
  const [one, many] = w.calls.length === 1 ? FAMILY_WORDS[w.calls[0]] : FAMILY_WORDS.other;
  const what = w.limit === 1 ? one : many;
  return `${w.limit.toLocaleString("en-IN")} ${what} ${SPAN_WORDS[w.seconds] ?? `per ${w.seconds} s`}`;
}

/** The windows a call of `kind` counts against. */
export function windowsFor(limits: PublishedLimits | undefined, kind: CallKind): PublishedWindow[] {
  return limits ? limits.windows.filter((w) => w.calls.includes(kind)) : [];
}

/**
 * How long the governor treats a window as lasting, in ms: a one-second window gets 10 % for network jitter between
 * us and the broker (calls are counted when taken here, and when they arrive there); longer windows get one second.
 */
export function windowMs(seconds: number): number {
  return seconds === 1 ? 1_100 : seconds * 1_000 + 1_000;
}
