import type { Prisma, SignalVerdict } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/client";
import type { Tx } from "@/lib/db/transaction";

export type NewSignal = Prisma.SignalUncheckedCreateInput;

/** Writes one alert-log row (outside or inside a transaction). */
export function insertSignal(data: NewSignal, tx?: Tx) {
  return (tx ?? db()).signal.create({ data, select: { id: true } });
}

/** The accepted alert a sender's `id` already produced on this webhook (at most one: a partial unique index). */
export function findAcceptedByClientId(webhookId: string, clientId: string, tx?: Tx) {
  return (tx ?? db()).signal.findFirst({
    where: { webhookId, clientId, verdict: "ACCEPTED" },
    select: { id: true, runId: true },
  });
}

/** The newest accepted alert with the same raw body received since `since` (the dedupe window). */
export function findAcceptedByBodyHash(webhookId: string, bodyHash: string, since: Date, tx?: Tx) {
  return (tx ?? db()).signal.findFirst({
    where: { webhookId, bodyHash, verdict: "ACCEPTED", receivedAt: { gte: since } },
    orderBy: { receivedAt: "desc" },
    select: { id: true, runId: true },
  });
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
