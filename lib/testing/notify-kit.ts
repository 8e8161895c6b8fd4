/**
 * Shared set-up of the notification tests (never used by product code): a real notifications worker in the test
 * process whose deliveries go to a local Bot API server and a local SMTP server process, users with channels set up
 * through the real settings service, and reads of stored messages.
 */
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import type { NotificationChannel } from "@/lib/generated/prisma/client";
import { NOTIFICATIONS_QUEUE } from "@/lib/queues/notifications";
import { queue } from "@/lib/queues/queues";
import {
  saveNotificationSettings,
  type DeliveryConfig,
  type NotificationSettingsInput,
} from "@/lib/services/notifications";
import { makeNotificationsProcessor } from "@/workers/processors/notifications";
import type { BotApiServer } from "./bot-api-server";
import { startQueueWorker } from "./queue-worker";
import { waitFor } from "./wait";

/** A token in BotFather's shape, different each call. */
export const newBotToken = () =>
  `${7_000_000_000 + randomBytes(2).readUInt16BE()}:AAE${randomBytes(24).toString("base64url")}`;

/** Where this test's messages go. `batchMs` short by default: tests that need a whole burst hold the send instead. */
export function testDeliveryConfig(bot: { url: string } | null, smtpUrl: string | null, batchMs = 200): DeliveryConfig {
  return {
    telegramApiRoot: bot?.url ?? "http://127.0.0.1:9",
    smtpUrl,
    from: "MirrorDesk Test <mirrordesk@test.in>",
    batchMs,
    keys: env().CREDENTIAL_KEYS,
  };
}

/** A real notifications worker (as workers/index.ts runs it) delivering with `config`. */
export function startNotificationsWorker(config: DeliveryConfig) {
  return startQueueWorker(NOTIFICATIONS_QUEUE, makeNotificationsProcessor(config), 5);
}

/** Gives `user` a Telegram bot on `bot` (registered there unless `registered` is false) and a chat, plus choices. */
export async function setUpTelegram(
  bot: BotApiServer,
  user: { id: string; role: "ADMIN" | "TRADER" | "VIEWER" },
  config: DeliveryConfig,
  extra: Partial<NotificationSettingsInput> = {},
  registered = true,
) {
  const token = newBotToken();
  const chatId = String(100_000_000 + randomBytes(3).readUIntBE(0, 3));
  if (registered) bot.addBot(token);
  bot.addChat(chatId);
  await saveNotificationSettings(user, { telegramChatId: chatId, telegramBotToken: token, ...extra }, null, config);
  return { token, chatId };
}

/** The user's stored messages on `channel`, oldest first. */
export function messagesOf(userId: string, channel?: NotificationChannel) {
  return db().notification.findMany({
    where: { userId, ...(channel ? { channel } : {}) },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}

/** Waits until the user has `n` messages on `channel` that are all no longer PENDING; returns them. */
export function waitForSettled(userId: string, channel: NotificationChannel, n: number, timeoutMs = 20_000) {
  return waitFor(
    `${n} settled ${channel} message(s)`,
    () => messagesOf(userId, channel),
    (rows) => rows.length === n && rows.every((r) => r.status !== "PENDING"),
    timeoutMs,
  );
}

/** Delivers a waiting (delayed) send job of `notificationId` now: the test decided the burst is complete. */
export async function sendNow(notificationId: string): Promise<void> {
  const job = await queue(NOTIFICATIONS_QUEUE).getJob(`notify_send_${notificationId}`);
  if (!job) throw new Error(`no send job for ${notificationId}`);
  if (await job.isDelayed()) await job.promote();
}
