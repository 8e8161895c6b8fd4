/**
 * Queries of the fill poller: the intents of an account whose broker order may still change (accepted, adopted,
 * partly filled, and late rejections still watched for a flap), sent during the current order-book day.
 */
import type { IntentState } from "@/lib/generated/prisma/client";
import { db, sqlRows } from "@/lib/db/client";
import { coalescer } from "@/lib/db/queries/coalesce";
import { INTENT_COLUMNS, type IntentRow } from "@/lib/db/queries/intents";

/** Which intents are tracked: sent at/after `since` (the book day's start); `rejected_late` only if changed at/after `watchSince`. */
export interface TrackedWindow {
  since: Date;
  watchSince: Date;
}

const OPEN: IntentState[] = ["accepted", "reconciled_accepted", "partially_filled"];

/** The window's rule for one row (the query below, in code): its order may still change. */
export function isTracked(
  r: Pick<IntentRow, "state" | "brokerOrderId" | "sentAt" | "updatedAt">,
  w: TrackedWindow,
): boolean {
  if (r.brokerOrderId === null || r.sentAt === null || r.sentAt < w.since) return false;
  return OPEN.includes(r.state) || (r.state === "rejected_late" && r.updatedAt >= w.watchSince);
}

const tracked = (w: TrackedWindow) => ({
  brokerOrderId: { not: null },
  sentAt: { gte: w.since },
  OR: [{ state: { in: OPEN } }, { state: "rejected_late" as const, updatedAt: { gte: w.watchSince } }],
});

// Hundreds of account polls arrive together every second: one statement serves all that arrive while one runs. Each
// request's window differs by its own clock (watchSince moves with `now`), so the statement reads the widest window
// of the batch and every request keeps only its own rows under its own window.
const readTracked = coalescer(async (reqs: { accountId: string; w: TrackedWindow }[]) => {
  const min = (dates: Date[]) => new Date(Math.min(...dates.map((d) => d.getTime())));
  const widest = { since: min(reqs.map((r) => r.w.since)), watchSince: min(reqs.map((r) => r.w.watchSince)) };
  const rows = await sqlRows<IntentRow>(
    `SELECT ${INTENT_COLUMNS} FROM order_intents
      WHERE account_id = ANY($1::uuid[]) AND broker_order_id IS NOT NULL AND sent_at >= $2
        AND (state::text = ANY($3::text[]) OR (state = 'rejected_late' AND updated_at >= $4))`,
    [[...new Set(reqs.map((r) => r.accountId))], widest.since, OPEN, widest.watchSince],
  );
  const byAccount = new Map<string, IntentRow[]>();
  for (const x of rows) byAccount.set(x.accountId, [...(byAccount.get(x.accountId) ?? []), x]);
  return reqs.map((r) => (byAccount.get(r.accountId) ?? []).filter((x) => isTracked(x, r.w)));
});

/** The account's tracked intents (see the file comment). */
export function listTrackedIntents(accountId: string, w: TrackedWindow): Promise<IntentRow[]> {
  return readTracked({ accountId, w });
}

/** Accounts that have tracked intents: the poller's backstop sweep makes sure each is polled. */
export async function accountsWithTrackedIntents(w: TrackedWindow): Promise<string[]> {
  const rows = await db().orderIntent.findMany({
    where: tracked(w),
    distinct: ["accountId"],
    select: { accountId: true },
  });
  return rows.map((r) => r.accountId);
}
