import { route } from "@/lib/http/route";
import { deliveryConfig, sendTestNotification, testNotificationSchema } from "@/lib/services/notifications";

/** Sends a test message on one channel now; answers whether it arrived, or the service's reason why not. */
export const POST = route({ body: testNotificationSchema, maxBodyBytes: 1024 }, async ({ user, body }) =>
  sendTestNotification(user, body.channel, deliveryConfig()),
);
