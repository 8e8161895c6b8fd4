/**
 * Notifications, the subsystem's entry module (docs/notifications.md): a user's channels and choices, the in-app
 * list behind the bell, and the two jobs of the notifications queue — `event` folds what happened into one message per
 * (user, channel, batch key), `send` delivers it (in-app, Telegram through grammY, e-mail through nodemailer) with
 * retries. Producers never call this module: they enqueue with `enqueueNotification` (lib/queues/notifications.ts),
 * which never throws, so nothing here can block or slow trading.
 */
import { z } from "zod";
import { authorize } from "@/lib/auth/authorize";
import type { Actor } from "@/lib/auth/roles";
import { countUnreadInApp, listNotificationsOf, markInAppRead } from "@/lib/db/queries/notifications";
import type { NotificationEvent } from "@/lib/queues/notifications";
import type { Jsonified } from "@/lib/util/jsonify";
import { deliverNotification, deliveryConfig, type DeliveryConfig, type SendResult } from "./delivery";
import { recordNotificationEvent } from "./fold";

export { deliveryConfig, type DeliveryConfig } from "./delivery";
export {
  getNotificationSettings,
  notificationSettingsSchema,
  saveNotificationSettings,
  sendTestNotification,
  testNotificationSchema,
  type NotificationSettingsInput,
  type NotificationSettingsView,
  type TestOutcome,
} from "./settings";
export type { NotificationChannelName, NotificationKindName, Preferences } from "./preferences";

export const listNotificationsQuerySchema = z.object({
  /** Only in-app messages (the bell), or every channel (the settings page's recent list). */
  channel: z.enum(["IN_APP", "TELEGRAM", "EMAIL"], "Choose IN_APP, TELEGRAM or EMAIL").optional(),
  limit: z.coerce.number().int("Whole number").min(1, "At least 1").max(100, "At most 100").default(30),
});

/** The user's latest messages (newest first) and how many in-app ones are unread. */
export async function listNotifications(actor: Actor, query: z.infer<typeof listNotificationsQuerySchema>) {
  authorize(actor, "notifications.manage");
  const [notifications, unread] = await Promise.all([
    listNotificationsOf(actor.id, query.limit, query.channel),
    countUnreadInApp(actor.id),
  ]);
  return { notifications, unread };
}

/** GET /api/notifications, as the browser receives it. */
export type NotificationListJson = Jsonified<Awaited<ReturnType<typeof listNotifications>>>;

export const markReadSchema = z.union([
  z.object({ all: z.literal(true) }).strict(),
  z.object({ ids: z.array(z.uuid("Not a notification id")).min(1, "Name at least one").max(100) }).strict(),
]);

/** Marks the user's in-app messages read (the given ones, or all); answers the unread count left. */
export async function markNotificationsRead(actor: Actor, input: z.infer<typeof markReadSchema>, now = new Date()) {
  authorize(actor, "notifications.manage");
  await markInAppRead(actor.id, "ids" in input ? input.ids : null, now);
  return { unread: await countUnreadInApp(actor.id) };
}

/** The `event` job: folds one event into its owner's messages; returns the channels written. */
export function handleNotificationEvent(event: NotificationEvent, config: DeliveryConfig = deliveryConfig()) {
  return recordNotificationEvent(event, config);
}

/** The `send` job: delivers one stored message (retries by throwing; see ./delivery). */
export function handleNotificationSend(id: string, config: DeliveryConfig = deliveryConfig()): Promise<SendResult> {
  return deliverNotification(id, config);
}
