import { route } from "@/lib/http/route";
import {
  deliveryConfig,
  getNotificationSettings,
  notificationSettingsSchema,
  saveNotificationSettings,
} from "@/lib/services/notifications";

/** One's own channels (the bot token only as its last 4) and, per event kind, the channels chosen. */
export const GET = route({}, async ({ user }) => getNotificationSettings(user, deliveryConfig()));

/** Saves the fields given; a blank bot token keeps the stored one. */
export const PUT = route({ body: notificationSettingsSchema, maxBodyBytes: 8192 }, async ({ user, body, ip }) =>
  saveNotificationSettings(user, body, ip, deliveryConfig()),
);
