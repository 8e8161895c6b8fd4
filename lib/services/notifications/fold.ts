/**
 * The `event` job (docs/notifications.md "Batching"): who is told, on which channels, and the folding of a burst into
 * one message per (user, channel, batch key). The first event of a key creates the message and schedules its send one
 * batching window later; events until the send seals it fold into it (the count grows, the text becomes a summary).
 */
import type { NotificationChannel } from "@/lib/generated/prisma/client";
import {
  findOpenNotification,
  findRecipient,
  foldIntoNotification,
  insertNotification,
  lockNotificationBatch,
  runOutcomeFacts,
} from "@/lib/db/queries/notifications";
import { inTransaction, type Tx } from "@/lib/db/transaction";
import { enqueueNotificationSend, type NotificationEvent } from "@/lib/queues/notifications";
import type { DeliveryConfig } from "./delivery";
import { effectivePreferences, type NotificationChannelName } from "./preferences";
import { fillsMessage, foldLines, rejectionsMessage, type MessageText } from "./render";

type Settings = NonNullable<Awaited<ReturnType<typeof findRecipient>>>["notificationSettings"];

/** Whether a channel can carry messages for these settings (Telegram and e-mail only once set up). */
export function channelReady(channel: NotificationChannelName, s: Settings, config: Pick<DeliveryConfig, "smtpUrl">) {
  if (channel === "TELEGRAM") return !!(s?.telegramChatId && s.telegramBotTokenEnc);
  if (channel === "EMAIL") return !!(s?.email && config.smtpUrl);
  return true;
}

/** A run's fills or rejections, as the recipient's accounts stand now (null: not a run summary). */
async function runSummary(tx: Tx, event: NotificationEvent): Promise<MessageText | null> {
  if (!event.runId || (event.kind !== "FILL" && event.kind !== "REJECTION")) return null;
  const facts = await runOutcomeFacts(event.runId, event.ownerId, tx);
  if (!facts) return null;
  return event.kind === "FILL" ? fillsMessage(facts) : rejectionsMessage(facts);
}

/**
 * Folds one event into a message on each channel its owner chose for its kind. The owner alone is told: attached
 * viewers and admins see the owner's desk in the app, but a push is personal. Returns the channels written.
 */
export async function recordNotificationEvent(
  event: NotificationEvent,
  config: Pick<DeliveryConfig, "smtpUrl" | "batchMs">,
  now = new Date(),
): Promise<NotificationChannel[]> {
  const user = await findRecipient(event.ownerId);
  if (!user?.active) return [];
  const s = user.notificationSettings;
  const channels = effectivePreferences(s?.preferences)[event.kind].filter((c) => channelReady(c, s, config));
  if (channels.length === 0) return [];
  for (const channel of channels) {
    const { id, createdAt } = await inTransaction(async (tx) => {
      await lockNotificationBatch(tx, user.id, channel, event.batchKey);
      // Read under the lock: a fold that computed its summary earlier can never overwrite a newer one.
      const summary = await runSummary(tx, event);
      const open = await findOpenNotification(tx, user.id, channel, event.batchKey);
      if (!open) {
        const text = summary ?? { title: event.title, body: event.body };
        return insertNotification(tx, {
          userId: user.id,
          kind: event.kind,
          channel,
          batchKey: event.batchKey,
          ...text,
          createdAt: now,
        });
      }
      const text = summary ?? foldLines(open, { title: event.title, body: event.body });
      return foldIntoNotification(tx, open.id, { ...text, events: open.events + 1 });
    });
    // Scheduled on every fold, not only the first: the job id makes a repeat a no-op, and a schedule lost with Redis
    // is made good by the next event of the burst.
    await enqueueNotificationSend(id, config.batchMs - (now.getTime() - createdAt.getTime()));
  }
  return channels;
}
