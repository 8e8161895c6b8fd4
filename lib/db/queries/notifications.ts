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

/**
 * A run's intents in accounts of `ownerId` that filled (some quantity) or were rejected, with what a message about
 * them names: the run's kind and strategy, each intent's account, contract, side, quantities, price and reason.
 */
export function runOutcomeFacts(runId: string, ownerId: string, tx: Tx = db()) {
  return tx.strategyRun.findUnique({
    where: { id: runId },
    select: {
      kind: true,
      strategy: { select: { name: true } },
      intents: {
        where: {
          account: { ownerId },
          OR: [{ filledQuantity: { gt: 0 } }, { state: { in: ["rejected", "rejected_late"] } }],
        },
        orderBy: [{ legIndex: "asc" }, { sliceIndex: "asc" }],
        select: {
          accountId: true,
          account: { select: { name: true } },
          legIndex: true,
          symbol: true,
          action: true,
          quantity: true,
          filledQuantity: true,
          averagePrice: true,
          state: true,
          reason: true,
        },
      },
    },
  });
}

export type RunOutcomeFacts = NonNullable<Awaited<ReturnType<typeof runOutcomeFacts>>>;
