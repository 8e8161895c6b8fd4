/**
 * Telling people what the risk engine did: a user-stream event on every risk event (pages refresh at once,
 * docs/live-streams.md) and a notification on every trigger (docs/notifications.md). Neither ever blocks or fails
 * the engine: an exit is never late because a notification or a live event could not go out.
 */
import { log } from "@/lib/log";
import { enqueueNotification } from "@/lib/queues/notifications";
import { publishUserEventQuietly } from "@/lib/realtime/user-events";

/** Pages showing `runId` (or, with null, an account's risk) re-read it. */
export function publishRiskChange(ownerId: string, runId: string | null, change: "event" | "rules"): void {
  publishUserEventQuietly(ownerId, { type: "risk", runId, change }, (err) =>
    log().warn({ err, runId }, "risk event not published"),
  );
}

/**
 * A trigger: its pages re-read (a risk event was written) and a notification of kind RISK; never awaited by the exit
 * path (enqueueNotification never throws).
 */
export function tellTrigger(t: {
  ownerId: string;
  runId: string | null;
  accountId: string | null;
  batchKey: string;
  title: string;
  body: string;
  at: Date;
}): void {
  publishRiskChange(t.ownerId, t.runId, "event");
  void enqueueNotification({
    ownerId: t.ownerId,
    kind: "RISK",
    title: t.title.slice(0, 200),
    body: t.body.slice(0, 4000),
    batchKey: t.batchKey,
    severity: "CRITICAL",
    runId: t.runId,
    accountId: t.accountId,
    at: t.at.toISOString(),
  });
}
