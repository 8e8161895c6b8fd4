/**
 * Queries of ORDERS mode's mirroring (docs/copy-trading.md "ORDERS mode"): a MODIFY or CANCEL event, the PLACE
 * event whose child orders it changes and their intents, and the event's outcome (compare-and-set on PENDING). The
 * group and its children come from the engine's read (copy-engine.ts findScanGroup).
 */
import type { CopyEvent, CopyEventStatus, Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/client";
import type { IntentRow } from "@/lib/db/queries/intents";

export type CopyEventRow = CopyEvent;

/** One copy event, or null. */
export function findCopyEvent(eventId: string): Promise<CopyEventRow | null> {
  return db().copyEvent.findUnique({ where: { id: eventId } });
}

/** Every event of one master order of a group, in seq order. */
export function listMasterOrderEvents(groupId: string, masterOrderId: string): Promise<CopyEventRow[]> {
  return db().copyEvent.findMany({ where: { groupId, masterOrderId }, orderBy: { seq: "asc" } });
}

/** A run's status and stored plan (its preview: contract sizes per leg). */
export function findRunPlan(runId: string): Promise<{ status: string; plan: Prisma.JsonValue } | null> {
  return db().strategyRun.findUnique({ where: { id: runId }, select: { status: true, plan: true } });
}

/** The intents of one leg of a run, by account and slice. */
export function listLegIntents(runId: string, legIndex: number): Promise<IntentRow[]> {
  return db().orderIntent.findMany({
    where: { runId, legIndex },
    orderBy: [{ accountId: "asc" }, { sliceIndex: "asc" }],
  });
}

/** Stores what has been done per child so far; the event stays PENDING. False when it is no longer PENDING. */
export async function saveMirrorProgress(eventId: string, children: Prisma.InputJsonValue): Promise<boolean> {
  const r = await db().copyEvent.updateMany({ where: { id: eventId, status: "PENDING" }, data: { children } });
  return r.count === 1;
}

/** Records the event's outcome, once: only while it is still PENDING. Returns whether this call recorded it. */
export async function finishMirrorEvent(
  eventId: string,
  outcome: { status: Exclude<CopyEventStatus, "PENDING">; reason: string | null; children?: Prisma.InputJsonValue },
  at: Date,
): Promise<boolean> {
  const r = await db().copyEvent.updateMany({
    where: { id: eventId, status: "PENDING" },
    data: {
      status: outcome.status,
      reason: outcome.reason,
      handledAt: at,
      ...(outcome.children === undefined ? {} : { children: outcome.children }),
    },
  });
  return r.count === 1;
}
