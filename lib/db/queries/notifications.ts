/**
 * Notification settings and messages (docs/notifications.md). A pending message is found by (user, channel, batch
 * key) under the batch's row lock; sending seals it by giving it a key of its own, so the next burst starts a new one.
 */
import type { NotificationChannel, NotificationKind, NotificationStatus, Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/client";
import { lockRow } from "@/lib/db/locks";
import type { Tx } from "@/lib/db/transaction";

export function findNotificationSettings(userId: string, tx: Tx = db()) {
  return tx.notificationSettings.findUnique({ where: { userId } });
}

export type NotificationSettingsRow = NonNullable<Awaited<ReturnType<typeof findNotificationSettings>>>;

export function upsertNotificationSettings(
  tx: Tx,
  userId: string,
  data: {
    telegramChatId: string | null;
    telegramBotTokenEnc: string | null;
    telegramTokenLast4: string | null;
    email: string | null;
    preferences: Prisma.InputJsonValue;
  },
) {
  return tx.notificationSettings.upsert({ where: { userId }, create: { userId, ...data }, update: data });
}

/** Who an event goes to: the user (active or not) with their settings, or null when the user is gone. */
export function findRecipient(userId: string) {
  return db().user.findUnique({
    where: { id: userId },
    select: { id: true, name: true, active: true, notificationSettings: true },
  });
}

/** Takes the batch's row lock until the end of `tx`. */
export function lockNotificationBatch(tx: Tx, userId: string, channel: NotificationChannel, batchKey: string) {
  return lockRow(tx, "notificationBatch", `${userId}:${channel}:${batchKey}`);
}

/** Serialises raising the user's "notifications failing" alert: two messages failing at once raise it once. */
export function lockNotificationAlert(tx: Tx, userId: string) {
  return lockRow(tx, "notificationBatch", `${userId}:failure-alert`);
}

/** The message still collecting events under this key (call holding the batch lock). */
export function findOpenNotification(tx: Tx, userId: string, channel: NotificationChannel, batchKey: string) {
  return tx.notification.findUnique({ where: { userId_channel_batchKey: { userId, channel, batchKey } } });
}

export function insertNotification(
  tx: Tx,
  data: {
    userId: string;
    kind: NotificationKind;
    channel: NotificationChannel;
    batchKey: string;
    title: string;
    body: string;
    createdAt: Date;
  },
) {
  return tx.notification.create({ data });
}

export function foldIntoNotification(tx: Tx, id: string, data: { title: string; body: string; events: number }) {
  return tx.notification.update({ where: { id }, data });
}

export function findNotification(id: string, tx: Tx = db()) {
  return tx.notification.findUnique({ where: { id } });
}

export type NotificationRow = NonNullable<Awaited<ReturnType<typeof findNotification>>>;

/** The key a message has once sealed: its own, so no later event folds into it. */
export const sealedKey = (batchKey: string, id: string) => `${batchKey}#${id}`;

/** Seals a message (call holding its batch lock): later events of its key start a new message. */
export async function sealNotification(tx: Tx, id: string, batchKey: string): Promise<void> {
  await tx.notification.updateMany({ where: { id, batchKey }, data: { batchKey: sealedKey(batchKey, id) } });
}

/** Records one delivery attempt's outcome; only a message still PENDING changes (a delivered one stays delivered). */
export function recordNotificationAttempt(
  id: string,
  data: { status: NotificationStatus; attempts: number; lastError: string | null; sentAt: Date | null },
  tx: Tx = db(),
) {
  return tx.notification.updateMany({ where: { id, status: "PENDING" }, data });
}

const LISTED = {
  id: true,
  kind: true,
  channel: true,
  title: true,
  body: true,
  events: true,
  status: true,
  attempts: true,
  lastError: true,
  createdAt: true,
  sentAt: true,
  readAt: true,
} as const;

/** A user's latest messages on every channel, newest first. */
export function listNotificationsOf(userId: string, take: number, channel?: NotificationChannel) {
  return db().notification.findMany({
    where: { userId, ...(channel ? { channel } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    take,
    select: LISTED,
  });
}

/** In-app messages delivered and not yet read. */
export function countUnreadInApp(userId: string) {
  return db().notification.count({ where: { userId, channel: "IN_APP", status: "SENT", readAt: null } });
}

/** Marks the user's delivered in-app messages read: the given ones, or all of them. */
export function markInAppRead(userId: string, ids: readonly string[] | null, at: Date) {
  return db().notification.updateMany({
    where: { userId, channel: "IN_APP", status: "SENT", readAt: null, ...(ids ? { id: { in: [...ids] } } : {}) },
    data: { readAt: at },
  });
}

/** What a message about a run's fills or rejections names (rendered by lib/services/notifications/render.ts). */
export interface RunOutcomeFacts {
  kind: string;
  strategy: { name: string } | null;
  intents: {
    accountId: string;
    account: { name: string };
    legIndex: number;
    symbol: string;
    action: string;
    quantity: number;
    filledQuantity: number;
    /** Decimal text (14,4) as stored, null when the broker gave none. */
    averagePrice: string | null;
    state: string;
    reason: string | null;
  }[];
}

/**
 * A run's intents in accounts of `ownerId` that filled (some quantity) or were rejected, with what a message about
 * them names: the run's kind and strategy, each intent's account, contract, side, quantities, price and reason; in leg
 * and slice order. One statement whose intents come as one JSON array: a fold reads a whole run (800 intents for a
 * 200-account condor) several times per trigger, which through Prisma's relation query cost far more CPU
 * (docs/performance.md "Background work that competes with a trigger").
 */
export async function runOutcomeFacts(runId: string, ownerId: string, tx: Tx = db()): Promise<RunOutcomeFacts | null> {
  const [row] = await tx.$queryRawUnsafe<{ kind: string; strategyName: string | null; intents: string }[]>(
    `SELECT r.kind::text AS kind, s.name AS "strategyName",
            coalesce((SELECT json_agg(json_build_object(
                        'accountId', i.account_id, 'accountName', a.name, 'legIndex', i.leg_index,
                        'symbol', i.symbol, 'action', i.action, 'quantity', i.quantity,
                        'filledQuantity', i.filled_quantity, 'averagePrice', i.average_price::text,
                        'state', i.state, 'reason', i.reason) ORDER BY i.leg_index, i.slice_index)
                        FROM order_intents i JOIN trading_accounts a ON a.id = i.account_id
                       WHERE i.run_id = r.id AND a.owner_id = $2::uuid
                         AND (i.filled_quantity > 0 OR i.state IN ('rejected', 'rejected_late'))), '[]')::text AS intents
       FROM strategy_runs r LEFT JOIN strategies s ON s.id = r.strategy_id
      WHERE r.id = $1::uuid`,
    runId,
    ownerId,
  );
  if (!row) return null;
  const intents = (
    JSON.parse(row.intents) as (Omit<RunOutcomeFacts["intents"][number], "account"> & {
      accountName: string;
    })[]
  ).map(({ accountName, ...i }) => ({ ...i, account: { name: accountName } }));
  return { kind: row.kind, strategy: row.strategyName === null ? null : { name: row.strategyName }, intents };
}
