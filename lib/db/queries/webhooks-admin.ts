import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/client";
import type { Tx } from "@/lib/db/transaction";

/**
 * Managing a strategy's webhook and reading its alert log (docs/webhooks.md "On the strategy page"). The services
 * check the strategy (and so the owner) first; these functions act on ids already checked.
 */
export type WebhookRow = Prisma.StrategyWebhookGetPayload<object>;
export type SignalRow = Prisma.SignalGetPayload<object>;

export function findWebhookOfStrategy(strategyId: string, tx: Tx = db()): Promise<WebhookRow | null> {
  return tx.strategyWebhook.findUnique({ where: { strategyId } });
}

/** Locks the strategy's webhook row (FOR UPDATE) until the end of `tx`, so create/rotate/revoke queue one by one. */
export async function lockWebhookOfStrategy(strategyId: string, tx: Tx): Promise<WebhookRow | null> {
  await tx.$queryRaw`SELECT id FROM strategy_webhooks WHERE strategy_id = ${strategyId}::uuid FOR UPDATE`;
  return tx.strategyWebhook.findUnique({ where: { strategyId } });
}

export function insertWebhook(
  data: { strategyId: string; ownerId: string; tokenHash: string; tokenHint: string },
  tx: Tx = db(),
): Promise<WebhookRow> {
  return tx.strategyWebhook.create({ data });
}

/**
 * Puts a new token on the row and clears the revocation: the old hash is replaced in this one statement, so the old
 * URL is unknown the moment it commits. A revoked webhook made active again starts flat and unsigned.
 */
export function replaceWebhookToken(
  id: string,
  data: { tokenHash: string; tokenHint: string; at: Date; reactivate: boolean },
  tx: Tx = db(),
): Promise<WebhookRow> {
  return tx.strategyWebhook.update({
    where: { id },
    data: {
      tokenHash: data.tokenHash,
      tokenHint: data.tokenHint,
      ...(data.reactivate
        ? { revokedAt: null, rotatedAt: null, hmacSecret: null, enabled: true, position: "FLAT", entries: 0 }
        : { rotatedAt: data.at }),
    },
  });
}

export function revokeWebhookRow(id: string, at: Date, tx: Tx = db()): Promise<WebhookRow> {
  return tx.strategyWebhook.update({ where: { id }, data: { tokenHash: null, hmacSecret: null, revokedAt: at } });
}

export type WebhookSettingsData = Pick<
  Prisma.StrategyWebhookUncheckedUpdateInput,
  | "mode"
  | "pyramiding"
  | "maxEntries"
  | "maxLagSeconds"
  | "dedupeSeconds"
  | "entryStart"
  | "entryEnd"
  | "allowedIps"
  | "enabled"
  | "hmacSecret"
>;

export function updateWebhookRow(id: string, data: WebhookSettingsData, tx: Tx = db()): Promise<WebhookRow> {
  return tx.strategyWebhook.update({ where: { id }, data });
}

/** Every stored signing secret (for re-encryption under a new key version). */
export function listWebhookSecrets(): Promise<{ id: string; hmacSecret: string }[]> {
  return db()
    .strategyWebhook.findMany({ where: { hmacSecret: { not: null } }, select: { id: true, hmacSecret: true } })
    .then((rows) => rows.map((r) => ({ id: r.id, hmacSecret: r.hmacSecret! })));
}

/** Writes a re-encrypted secret only if the row still holds `previous` (a concurrent change wins). */
export async function replaceWebhookSecretIfUnchanged(id: string, previous: string, next: string): Promise<boolean> {
  const { count } = await db().strategyWebhook.updateMany({
    where: { id, hmacSecret: previous },
    data: { hmacSecret: next },
  });
  return count === 1;
}

/** One alert-log row as written by the ingress (also used by tests to fill the log). */
export function insertSignalRow(data: Prisma.SignalUncheckedCreateInput, tx: Tx = db()): Promise<SignalRow> {
  return tx.signal.create({ data });
}
