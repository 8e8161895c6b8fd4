import type { Prisma, RunKind } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/client";
import type { OrderIntentSpec } from "@/lib/trading/intents";

export interface NewRun {
  id: string;
  ownerId: string;
  strategyId: string | null;
  kind: RunKind;
  idempotencyKey: string;
  triggeredAt: Date;
  plan: Prisma.InputJsonValue;
}

/**
 * Writes a run and all its intents in one transaction. A second request with the same idempotency key writes
 * nothing and gets the first run's id back (`created: false`).
 */
export async function insertRunWithIntents(run: NewRun, intents: readonly OrderIntentSpec[]): Promise<{ runId: string; created: boolean }> {
  return db().$transaction(async (tx) => {
    const inserted = await tx.strategyRun.createMany({ data: [run], skipDuplicates: true });
    if (inserted.count === 0) {
      const existing = await tx.strategyRun.findUniqueOrThrow({ where: { idempotencyKey: run.idempotencyKey }, select: { id: true } });
      return { runId: existing.id, created: false };
    }
    await tx.orderIntent.createMany({
      data: intents.map((i) => ({
        id: i.intentId,
        runId: i.runId,
        accountId: i.accountId,
        legIndex: i.legIndex,
        sliceIndex: i.sliceIndex,
        phase: i.phase,
        symbol: i.symbol,
        exchange: i.exchange,
        action: i.action,
        product: i.product,
        priceType: i.priceType,
        price: i.price?.toString() ?? null,
        quantity: i.quantity,
      })),
    });
    return { runId: run.id, created: true };
  });
}

export async function findRunIdByKey(idempotencyKey: string): Promise<string | null> {
  return (await db().strategyRun.findUnique({ where: { idempotencyKey }, select: { id: true } }))?.id ?? null;
}

export async function runVisible(scope: { ownerId: string | null }, id: string): Promise<boolean> {
  return (await db().strategyRun.count({ where: { id, ...(scope.ownerId ? { ownerId: scope.ownerId } : {}) } })) > 0;
}

export function findRun(scope: { ownerId: string | null }, id: string) {
  return db().strategyRun.findFirst({
    where: { id, ...(scope.ownerId ? { ownerId: scope.ownerId } : {}) },
    include: { intents: { orderBy: [{ accountId: "asc" }, { phase: "asc" }, { legIndex: "asc" }, { sliceIndex: "asc" }] }, strategy: { select: { id: true, name: true } } },
  });
}

export function listRuns(scope: { ownerId: string | null }, filter: { strategyId?: string; limit: number }) {
  return db().strategyRun.findMany({
    where: { ...(scope.ownerId ? { ownerId: scope.ownerId } : {}), ...(filter.strategyId ? { strategyId: filter.strategyId } : {}) },
    orderBy: { triggeredAt: "desc" },
    take: filter.limit,
    select: { id: true, kind: true, status: true, triggeredAt: true, finishedAt: true, strategy: { select: { id: true, name: true } }, _count: { select: { intents: true } } },
  });
}
