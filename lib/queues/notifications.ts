/**
 * The notifications queue (docs/notifications.md). Anything worth telling a person — fills, rejections, risk
 * triggers, account disconnects and recoveries, the kill switch, readiness failures — is enqueued here as an
 * `event`; the worker turns events into messages on the channels the user chose (in-app, Telegram, e-mail), folding
 * a burst that shares a batch key into one message, and sends them with retries. Enqueueing never throws into the
 * caller's path: a notification failure must never block trading.
 */
import { z } from "zod";
import { log } from "@/lib/log";
import { queue } from "./queues";
import { ONE_SHOT_JOB } from "./jobs";

export const NOTIFICATIONS_QUEUE = "notifications";

export const NOTIFICATION_KINDS = ["FILL", "REJECTION", "RISK", "ACCOUNT", "KILL_SWITCH", "READINESS"] as const;

/** One thing that happened, for one owner. Ids and words only, never secrets: jobs sit in Redis. */
export const notificationEventSchema = z
  .object({
    ownerId: z.uuid(),
    kind: z.enum(NOTIFICATION_KINDS),
    title: z.string().min(1).max(200),
    body: z.string().max(4000),
    /** Events with the same key inside the batching window become one message (`fill:<runId>`, `risk:<runId>`). */
    batchKey: z.string().min(1).max(200),
    severity: z.enum(["INFO", "WARNING", "CRITICAL"]).default("INFO"),
    accountId: z.uuid().nullish(),
    runId: z.uuid().nullish(),
    at: z.iso.datetime(),
  })
  .strict();
export type NotificationEvent = z.infer<typeof notificationEventSchema>;
export type NotificationEventInput = z.input<typeof notificationEventSchema>;

export const notificationJobSchemas = {
  event: notificationEventSchema,
  /** Send one stored message (its row says channel, user and text). */
  send: z.object({ notificationId: z.uuid() }).strict(),
};
export type NotificationJobName = keyof typeof notificationJobSchemas;
export type NotificationQueueData = z.infer<(typeof notificationJobSchemas)[NotificationJobName]>;

export const notificationsQueue = () => queue<NotificationQueueData, NotificationJobName>(NOTIFICATIONS_QUEUE);

/**
 * A run's fills or rejections are told as a summary the worker reads from the run itself, so the events of one
 * (kind, run, owner) are interchangeable: while one waits this long to be folded, more are dropped (BullMQ
 * deduplication), and one that comes while it is being folded is kept for one more fold after it. A 200-account fill
 * is then a few folds, not 200 reads of the whole run.
 */
export const RUN_SUMMARY_FOLD_DELAY_MS = 250;

/** Enqueues an event; a Redis failure is logged and swallowed (trading goes on whatever happens to a notification). */
export async function enqueueNotification(event: NotificationEventInput): Promise<void> {
  try {
    const data = notificationEventSchema.parse(event);
    const summarised = data.runId && (data.kind === "FILL" || data.kind === "REJECTION");
    await notificationsQueue().add(
      "event",
      data,
      summarised
        ? {
            ...ONE_SHOT_JOB,
            delay: RUN_SUMMARY_FOLD_DELAY_MS,
            deduplication: { id: `${data.kind}:${data.runId}:${data.ownerId}`, keepLastIfActive: true },
          }
        : ONE_SHOT_JOB,
    );
  } catch (err) {
    log().warn({ err, kind: event.kind, batchKey: event.batchKey }, "notification not enqueued");
  }
}

/** Deliveries of one message tried at most this many times (the row's `attempts` decides; BullMQ's is the backstop). */
export const NOTIFY_SEND_ATTEMPTS = 5;
/** First retry after this much, doubling (BullMQ's exponential backoff), ms. */
export const NOTIFY_BACKOFF_MS = 2_000;

/**
 * Schedules the delivery of a stored message `delayMs` from now. One job per message (`notify_send_<id>`), so a
 * second schedule while one waits is a no-op; a retry the Bot API asked for (`retry_after`) gets its own `suffix`.
 */
export async function enqueueNotificationSend(notificationId: string, delayMs: number, suffix?: string): Promise<void> {
  await notificationsQueue().add(
    "send",
    { notificationId },
    {
      jobId: suffix ? `notify_send_${notificationId}_${suffix}` : `notify_send_${notificationId}`,
      delay: Math.max(0, delayMs),
      attempts: NOTIFY_SEND_ATTEMPTS,
      backoff: { type: "exponential", delay: NOTIFY_BACKOFF_MS },
      removeOnComplete: 1000,
      removeOnFail: 1000,
    },
  );
}
