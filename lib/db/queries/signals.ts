import type { Prisma, SignalVerdict } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/client";
import type { Tx } from "@/lib/db/transaction";

export type NewSignal = Prisma.SignalUncheckedCreateInput;

/** Writes one alert-log row (outside or inside a transaction). */
export function insertSignal(data: NewSignal, tx?: Tx) {
  return (tx ?? db()).signal.create({ data, select: { id: true } });
}

/**
 * The accepted alert this one repeats on a webhook: the same sender `clientId` (at most one accepted: a partial unique
 * index), else the newest with the same raw body received since `since` (the dedupe window; null = no window). One
 * round trip.
 */
export async function findAcceptedRepeat(
  webhookId: string,
  by: { clientId: string | null; bodyHash: string; since: Date | null },
  tx?: Tx,
) {
  const either = [
    ...(by.clientId ? [{ clientId: by.clientId }] : []),
    ...(by.since ? [{ bodyHash: by.bodyHash, receivedAt: { gte: by.since } }] : []),
  ];
  if (either.length === 0) return null;
  const rows = await (tx ?? db()).signal.findMany({
    where: { webhookId, verdict: "ACCEPTED", OR: either },
    orderBy: { receivedAt: "desc" },
    take: 2,
    select: { id: true, runId: true, clientId: true },
  });
  return rows.find((r) => by.clientId && r.clientId === by.clientId) ?? rows[0] ?? null;
}

/** One signal with what the worker needs: its webhook's id and its strategy. */
export function findSignalForWork(id: string) {
  return db().signal.findUnique({
    where: { id },
    include: { strategy: true },
  });
}

export function setSignalExit(id: string, exitId: string) {
  return db().signal.update({ where: { id }, data: { exitId }, select: { id: true } });
}

/** Marks a signal handed on (or failed, with the reason); only once. Returns whether this call did it. */
export async function markSignalProcessed(id: string, at: Date, error: string | null): Promise<boolean> {
  const r = await db().signal.updateMany({ where: { id, processedAt: null }, data: { processedAt: at, error } });
  return r.count === 1;
}

/** Alert-log rows of a strategy by verdict (tests and the log page). */
export function countSignals(where: { strategyId?: string; verdict?: SignalVerdict }) {
  return db().signal.count({ where });
}
