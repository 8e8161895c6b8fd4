/**
 * Intent state changes for dispatch: every change is computed by the pure state machine (`transitionIntent`),
 * written compare-and-set in one statement per batch, and published as a run event once persisted.
 */
import type { IntentRow, IntentWrite } from "@/lib/db/queries/intents";
import { writeIntents } from "@/lib/db/queries/intents";
import { log } from "@/lib/log";
import { publishRunEvents, type RunEvent } from "@/lib/realtime/run-events";
import { publishRunProgress } from "@/lib/realtime/user-events";
import { type IntentEvent, type IntentStatus, transitionIntent } from "@/lib/trading/intents";
import { notifyIntentOutcomes } from "./notify";

/** The state machine's view of a stored intent. */
export function statusOf(row: IntentRow): IntentStatus {
  return {
    state: row.state,
    quantity: row.quantity,
    attempts: row.attempts,
    claimedBy: row.claimedBy,
    sentAt: row.sentAt?.getTime() ?? null,
    orderId: row.brokerOrderId,
    filledQuantity: row.filledQuantity,
    reason: row.reason,
    updatedAt: row.updatedAt.getTime(),
  };
}

/** One or more events for one intent, applied in order and written as one compare-and-set row change. */
export interface IntentChange {
  row: IntentRow;
  events: IntentEvent[];
  /** Only write while the row is still claimed by this worker (null = by nobody); omitted = any claimer. */
  expectClaimedBy?: string | null;
  /** The broker's average fill price (₹ per unit, decimal text), when a fill is recorded. */
  averagePrice?: string | null;
  /** The broker order id of a rejection the broker recorded as an order (kept for linking, not a state). */
  rejectedOrderId?: string;
}

const ACK_EVENTS: ReadonlySet<IntentEvent["type"]> = new Set(["accept", "adopt"]);

/**
 * Applies the changes that the state machine allows and storage still agrees with. Returns the rows as written,
 * keyed by intent id; a change lost to a concurrent writer (or refused by the machine) is absent.
 */
export async function applyIntentChanges(changes: readonly IntentChange[]): Promise<Map<string, IntentRow>> {
  const writes: IntentWrite[] = [];
  const next = new Map<string, IntentRow>();
  for (const c of changes) {
    let status = statusOf(c.row);
    let acknowledgedAt: Date | null = null;
    let refused = false;
    for (const e of c.events) {
      const r = transitionIntent(status, e);
      if (!r.ok) {
        log().warn({ intentId: c.row.id, error: r.error }, "intent transition refused");
        refused = true;
        break;
      }
      status = r.status;
      if (ACK_EVENTS.has(e.type)) acknowledgedAt = new Date(e.at);
    }
    if (refused || c.events.length === 0) continue;
    const brokerOrderId = status.orderId ?? c.rejectedOrderId ?? null;
    const write: IntentWrite = {
      id: c.row.id,
      expect: c.row.state,
      ...(c.expectClaimedBy !== undefined ? { expectClaimedBy: c.expectClaimedBy } : {}),
      state: status.state,
      attempts: status.attempts,
      claimedBy: status.claimedBy,
      sentAt: status.sentAt === null ? null : new Date(status.sentAt),
      acknowledgedAt,
      brokerOrderId,
      filledQuantity: status.filledQuantity,
      averagePrice: c.averagePrice ?? null,
      reason: status.reason,
      updatedAt: new Date(status.updatedAt),
    };
    writes.push(write);
    next.set(c.row.id, {
      ...c.row,
      state: status.state,
      attempts: status.attempts,
      claimedBy: status.claimedBy,
      sentAt: write.sentAt,
      acknowledgedAt: acknowledgedAt ?? c.row.acknowledgedAt,
      brokerOrderId,
      filledQuantity: status.filledQuantity,
      reason: status.reason,
      updatedAt: write.updatedAt,
    } as IntentRow);
  }
  const written = await writeIntents(writes);
  const out = new Map<string, IntentRow>();
  for (const [id, row] of next) if (written.has(id)) out.set(id, row);
  // Not awaited: events are sent in order on one connection, and the database (not the stream) is the record.
  void publishIntentRows([...out.values()], changes);
  // Fills and rejections told to their owners (docs/notifications.md); never awaited, never throws.
  void notifyIntentOutcomes(new Map(changes.map((c) => [c.row.id, c.row])), out);
  return out;
}

/**
 * Publishes the written rows' intent events, one message per run, on the auto-pipelined connection: the messages of
 * every job that writes in the same event-loop turn leave in one socket write.
 */
async function publishIntentRows(rows: readonly IntentRow[], changes: readonly IntentChange[]): Promise<void> {
  if (rows.length === 0) return;
  const prices = new Map(changes.map((c) => [c.row.id, c.averagePrice ?? null]));
  const events: RunEvent[] = rows.map((r) => ({
    type: "intent",
    runId: r.runId,
    intentId: r.id,
    accountId: r.accountId,
    legIndex: r.legIndex,
    sliceIndex: r.sliceIndex,
    state: r.state,
    brokerOrderId: r.brokerOrderId,
    filledQuantity: r.filledQuantity,
    averagePrice: prices.get(r.id) ?? r.averagePrice?.toString() ?? null,
    reason: r.reason,
    at: r.updatedAt.toISOString(),
  }));
  const byRun = new Map<string, RunEvent[]>();
  for (const e of events) {
    const list = byRun.get(e.runId);
    if (list) list.push(e);
    else byRun.set(e.runId, [e]);
  }
  const sent = await Promise.allSettled([...byRun].map(([runId, list]) => publishRunEvents(runId, list)));
  const failed = sent.filter((s) => s.status === "rejected").length;
  // The database is the record; a lost live event only delays the grid until the next read.
  if (failed > 0) log().warn({ failed }, "intent events not published");
  // The owners' user streams (docs/live-streams.md "The user stream") follow runs and positions from these.
  await publishRunProgress(events).catch((err) => log().warn({ err }, "intent events not published to user streams"));
}
