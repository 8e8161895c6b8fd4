/**
 * Fills and rejections told to the accounts' owners (docs/notifications.md "What is told"): one FILL and one REJECTION
 * event per (run, owner) of a written batch — the message is the run's summary for that owner, read when it is folded
 * — keyed by run, so a 50-account run makes one message per channel.
 * Called after the writes committed, never awaited by trading: enqueueing never throws.
 */
import type { IntentRow } from "@/lib/db/queries/intents";
import { accountOwnerIds } from "@/lib/db/queries/accounts";
import { log } from "@/lib/log";
import { enqueueNotification, type NotificationEventInput } from "@/lib/queues/notifications";

const REJECTED = new Set(["rejected", "rejected_late"]);

/** What each written row newly became: fill progress, a rejection, or nothing worth telling. */
export function intentOutcomes(
  before: ReadonlyMap<string, IntentRow>,
  written: ReadonlyMap<string, IntentRow>,
): { kind: "FILL" | "REJECTION"; row: IntentRow }[] {
  const out: { kind: "FILL" | "REJECTION"; row: IntentRow }[] = [];
  for (const [id, row] of written) {
    const was = before.get(id);
    if (!was) continue;
    if (row.filledQuantity > was.filledQuantity) out.push({ kind: "FILL", row });
    if (REJECTED.has(row.state) && !REJECTED.has(was.state)) out.push({ kind: "REJECTION", row });
  }
  return out;
}

/** Enqueues one event per (kind, run, owner) among the outcomes; the worker writes the run's summary. */
export async function notifyIntentOutcomes(
  before: ReadonlyMap<string, IntentRow>,
  written: ReadonlyMap<string, IntentRow>,
): Promise<void> {
  const outcomes = intentOutcomes(before, written);
  if (outcomes.length === 0) return;
  try {
    const owners = await accountOwnerIds([...new Set(outcomes.map((o) => o.row.accountId))]);
    const events = new Map<string, NotificationEventInput>();
    for (const { kind, row } of outcomes) {
      const ownerId = owners.get(row.accountId);
      const key = `${kind}:${row.runId}:${ownerId}`;
      if (!ownerId || events.has(key)) continue;
      events.set(key, {
        ownerId,
        kind,
        title: kind === "FILL" ? "Order filled" : "Order rejected",
        body: `${row.action} ${row.filledQuantity || row.quantity} ${row.symbol}${kind === "REJECTION" && row.reason ? `: ${row.reason.slice(0, 300)}` : ""}`,
        batchKey: `${kind.toLowerCase()}:${row.runId}`,
        severity: kind === "FILL" ? "INFO" : "WARNING",
        accountId: row.accountId,
        runId: row.runId,
        at: row.updatedAt.toISOString(),
      });
    }
    await Promise.all([...events.values()].map((e) => enqueueNotification(e)));
  } catch (err) {
    log().warn({ err }, "fill notifications not enqueued");
  }
}
