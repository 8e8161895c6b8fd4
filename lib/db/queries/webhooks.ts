import type { SignalPosition } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/client";
import type { Tx } from "@/lib/db/transaction";
import { NOT_FINAL } from "@/lib/db/queries/exit-scope";

/** What the ingress needs of a webhook and its strategy, found by the hash of its URL token (one indexed read). */
export function findWebhookByTokenHash(tokenHash: string) {
  return db().strategyWebhook.findFirst({
    where: { tokenHash, revokedAt: null },
    include: {
      strategy: {
        select: {
          id: true,
          ownerId: true,
          name: true,
          definition: true,
          accountIds: true,
          accountTags: true,
          archived: true,
        },
      },
    },
  });
}
export type IngressWebhook = NonNullable<Awaited<ReturnType<typeof findWebhookByTokenHash>>>;

/** The webhook of a strategy (any state), with its strategy, by strategy id; the caller has scoped the strategy. */
export function findWebhookOfStrategy(strategyId: string) {
  return db().strategyWebhook.findUnique({
    where: { strategyId },
    include: {
      strategy: {
        select: {
          id: true,
          ownerId: true,
          name: true,
          definition: true,
          accountIds: true,
          accountTags: true,
          archived: true,
        },
      },
    },
  });
}

export function findWebhookById(id: string) {
  return db().strategyWebhook.findUnique({ where: { id } });
}

/** Every webhook that can receive alerts, with what the signal-state sweep needs (lib/services/webhooks/signal-state.ts). */
export function listReconcilableWebhooks() {
  return db().strategyWebhook.findMany({
    where: { tokenHash: { not: null }, revokedAt: null, strategy: { archived: false } },
    select: {
      id: true,
      strategyId: true,
      ownerId: true,
      position: true,
      entries: true,
      updatedAt: true,
      strategy: { select: { definition: true } },
    },
  });
}

/** Writes the signal state only if no alert changed the row since `readAt` (its updatedAt then); whether it wrote. */
export async function writeSignalStateIfUnchanged(
  tx: Tx,
  webhookId: string,
  readAt: Date,
  state: { position: SignalPosition; entries: number },
): Promise<boolean> {
  const r = await tx.strategyWebhook.updateMany({ where: { id: webhookId, updatedAt: readAt }, data: state });
  return r.count === 1;
}

/** The signal state, read again under the strategy's signal lock. */
export function readSignalState(tx: Tx, webhookId: string) {
  return tx.strategyWebhook.findUniqueOrThrow({ where: { id: webhookId }, select: { position: true, entries: true } });
}

export function writeSignalState(tx: Tx, webhookId: string, state: { position: SignalPosition; entries: number }) {
  return tx.strategyWebhook.update({ where: { id: webhookId }, data: state, select: { id: true } });
}

/**
 * Whether anything of the strategy is still on its way (the stored signal state is then trusted): an accepted alert
 * the workers have not handed on, a run still sending, or an exit still working. One round trip.
 */
export async function strategyInFlight(tx: Tx, strategyId: string): Promise<boolean> {
  const rows = await tx.$queryRawUnsafe<{ busy: boolean }[]>(
    `SELECT (EXISTS (SELECT 1 FROM signals WHERE strategy_id = $1::uuid AND verdict = 'ACCEPTED' AND processed_at IS NULL)
          OR EXISTS (SELECT 1 FROM strategy_runs WHERE strategy_id = $1::uuid AND status = 'RUNNING')
          OR EXISTS (SELECT 1 FROM exits WHERE strategy_id = $1::uuid AND status = 'PENDING')
          OR EXISTS (SELECT 1 FROM order_intents i JOIN strategy_runs r ON r.id = i.run_id
                      WHERE r.strategy_id = $1::uuid AND r.kind <> 'EXIT' AND i.state::text = ANY($2::text[]))) AS busy`,
    strategyId,
    NOT_FINAL,
  );
  return rows[0]?.busy ?? false;
}

/**
 * Open filled quantity per traded contract of the strategy's own entry legs: for each leg index, the net filled units
 * of the strategy's non-exit runs minus what exits attributed back. Used to re-derive the signal state; see
 * lib/services/webhooks/signal-state.ts.
 */
export async function strategyLegSymbols(strategyId: string) {
  return db().$queryRawUnsafe<{ symbol: string; exchange: string; legIndex: number }[]>(
    `SELECT DISTINCT i.symbol, i.exchange, i.leg_index AS "legIndex"
       FROM order_intents i JOIN strategy_runs r ON r.id = i.run_id
      WHERE r.strategy_id = $1::uuid AND r.kind <> 'EXIT' AND i.filled_quantity > 0`,
    strategyId,
  );
}
