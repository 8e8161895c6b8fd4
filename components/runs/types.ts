import type { IntentJson, RunJson } from "@/lib/services/runs";

/** An intent as the run view holds it: the server's shape plus the time of the last live event applied to it. */
export type LiveIntent = IntentJson & {
  /** Orders stale events: an event older than this changes nothing. */
  eventAt?: string;
};

/** A run as the run view holds it, kept current by live events (components/runs/run-events.ts). */
export type LiveRun = Omit<RunJson, "intents"> & {
  intents: LiveIntent[];
  /** Time of the last run-status event applied. */
  statusAt?: string;
};
