/**
 * Delivering one stored message on its channel (the `send` job; docs/notifications.md "Delivery"): seal it so no
 * later event folds into it, send it, and record the outcome. A failure is retried (BullMQ attempts with exponential
 * backoff, or exactly when Telegram's retry_after says); a refusal that cannot succeed, or the last attempt, ends the
 * message FAILED and raises one in-app alert.
 */
import { decryptSecret, encryptSecret, type KeyRing } from "@/lib/crypto/credentials";
import { raiseAlert } from "@/lib/db/queries/alerts";
import {
  findNotification,
  findNotificationSettings,
  lockNotificationAlert,
  lockNotificationBatch,
  recordNotificationAttempt,
  sealedKey,
  sealNotification,
  type NotificationRow,
  type NotificationSettingsRow,
} from "@/lib/db/queries/notifications";
import { inTransaction } from "@/lib/db/transaction";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { enqueueNotificationSend, NOTIFY_SEND_ATTEMPTS } from "@/lib/queues/notifications";
import { publishUserEvent } from "@/lib/realtime/user-events";
import { sendEmail } from "./email";
import { plainText } from "./render";
import type { DeliveryOutcome } from "./outcome";
import { sendTelegram } from "./telegram";

/** Where messages go: the Bot API root every bot token is sent to, the SMTP server, the From address, the window. */
export interface DeliveryConfig {
  telegramApiRoot: string;
  smtpUrl: string | null;
  from: string;
  batchMs: number;
  keys: KeyRing;
}

/** The configuration of this process's environment. */
export function deliveryConfig(): DeliveryConfig {
  const e = env();
  return {
    telegramApiRoot: e.TELEGRAM_API_ROOT,
    smtpUrl: e.SMTP_URL ?? null,
    from: e.NOTIFY_FROM,
    batchMs: e.NOTIFY_BATCH_MS,
    keys: e.CREDENTIAL_KEYS,
  };
}

/** Thrown so BullMQ retries the send job with its backoff. Carries no secret. */
export class RetryableDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RetryableDeliveryError";
  }
}

const tokenAad = (userId: string) => `notifications:${userId}:telegramBotToken`;

/** A bot token encrypted for its user's settings row (bound to the user id). */
export const encryptBotToken = (keys: KeyRing, userId: string, token: string) =>
  encryptSecret(keys, token, tokenAad(userId));

/** Sends `text` on `channel` with the user's settings (Telegram and e-mail; in-app messages are published instead). */
export async function sendOn(
  channel: "TELEGRAM" | "EMAIL",
  settings: NotificationSettingsRow | null,
  text: { title: string; body: string },
  config: DeliveryConfig,
): Promise<DeliveryOutcome> {
  if (channel === "TELEGRAM") {
    if (!settings?.telegramChatId || !settings.telegramBotTokenEnc)
      return { ok: false, error: "Telegram is not set up (chat id and bot token)", permanent: true };
    let token: string;
    try {
      token = decryptSecret(config.keys, settings.telegramBotTokenEnc, tokenAad(settings.userId));
    } catch {
      return { ok: false, error: "the stored bot token cannot be decrypted: save it again", permanent: true };
    }
    return sendTelegram(config.telegramApiRoot, token, settings.telegramChatId, plainText(text));
  }
  if (!settings?.email) return { ok: false, error: "no e-mail address is set", permanent: true };
  if (!config.smtpUrl)
    return { ok: false, error: "e-mail is not configured on this server (SMTP_URL)", permanent: true };
  return sendEmail(config.smtpUrl, config.from, settings.email, `MirrorDesk: ${text.title}`, plainText(text));
}

const isSealed = (row: NotificationRow) => row.batchKey.endsWith(`#${row.id}`);

/** Seals the message under its batch lock and reads it as sealed (the last fold before the seal is in it). */
async function seal(row: NotificationRow): Promise<NotificationRow | null> {
  if (isSealed(row)) return row;
  return inTransaction(async (tx) => {
    await lockNotificationBatch(tx, row.userId, row.channel, row.batchKey);
    await sealNotification(tx, row.id, row.batchKey);
    const sealed = await findNotification(row.id, tx);
    return sealed && sealed.batchKey === sealedKey(row.batchKey, row.id) ? sealed : null;
  });
}

export type SendResult = "sent" | "failed" | "retrying" | "skipped";

/** The `send` job: delivers message `id` once; a message already delivered or given up is left alone. */
export async function deliverNotification(id: string, config: DeliveryConfig, now = new Date()): Promise<SendResult> {
  const found = await findNotification(id);
  if (!found || found.status !== "PENDING") return "skipped";
  const row = await seal(found);
  if (!row || row.status !== "PENDING") return "skipped";
  const attempts = row.attempts + 1;
  if (row.channel === "IN_APP") {
    await recordNotificationAttempt(id, { status: "SENT", attempts, lastError: null, sentAt: now });
    await publishUserEvent(row.userId, {
      type: "notification",
      notificationId: id,
      kind: row.kind,
      at: now.toISOString(),
    }).catch((err) => log().warn({ err }, "notification event not published"));
    return "sent";
  }
  const outcome = await sendOn(row.channel, await findNotificationSettings(row.userId), row, config);
  if (outcome.ok) {
    await recordNotificationAttempt(id, { status: "SENT", attempts, lastError: null, sentAt: new Date() });
    return "sent";
  }
  log().warn(
    { notificationId: id, channel: row.channel, attempts, error: outcome.error },
    "notification not delivered",
  );
  if (outcome.permanent || attempts >= NOTIFY_SEND_ATTEMPTS) {
    await giveUp(row, attempts, outcome.error, now);
    return "failed";
  }
  await recordNotificationAttempt(id, { status: "PENDING", attempts, lastError: outcome.error, sentAt: null });
  if (outcome.retryAfterMs !== undefined) {
    // Exactly when the service said, as a job of its own (BullMQ's backoff would guess).
    await enqueueNotificationSend(id, outcome.retryAfterMs, `r${attempts}`);
    return "retrying";
  }
  throw new RetryableDeliveryError(`${row.channel} delivery failed: ${outcome.error}`);
}

const CHANNEL_NAME = { TELEGRAM: "Telegram", EMAIL: "E-mail", IN_APP: "In-app" } as const;

/**
 * Ends the message FAILED and, in the same transaction, makes sure its user has the open "notifications failing"
 * alert: one per user however many messages fail at once (raised under the user's alert lock), and only by the
 * attempt that moved the message to FAILED.
 */
async function giveUp(row: NotificationRow, attempts: number, error: string, now: Date): Promise<void> {
  const message = `${CHANNEL_NAME[row.channel]} message "${row.title}" could not be delivered: ${error}. Check the channel in Settings → Notifications and send a test.`;
  const alert = await inTransaction(async (tx) => {
    const { count } = await recordNotificationAttempt(
      row.id,
      { status: "FAILED", attempts, lastError: error, sentAt: null },
      tx,
    );
    if (count === 0) return null;
    await lockNotificationAlert(tx, row.userId);
    return raiseAlert(tx, {
      ownerId: row.userId,
      accountId: null,
      kind: "notification_failed",
      severity: "WARNING",
      message,
    });
  });
  if (alert)
    await publishUserEvent(row.userId, {
      type: "alert",
      alertId: alert.id,
      accountId: null,
      change: "raised",
      at: now.toISOString(),
    }).catch((err) => log().warn({ err }, "notification failure alert not published"));
}
