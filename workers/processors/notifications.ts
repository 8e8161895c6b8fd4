import { typedProcessor } from "@/lib/queues/jobs";
import { NOTIFICATIONS_QUEUE, notificationJobSchemas } from "@/lib/queues/notifications";
import {
  deliveryConfig,
  handleNotificationEvent,
  handleNotificationSend,
  type DeliveryConfig,
} from "@/lib/services/notifications";

/**
 * Notifications queue: `event` (fold what happened into its owner's messages) and `send` (deliver one message; a
 * failure throws and BullMQ retries it with backoff). `config` says where messages go: the environment's, or a test's
 * local Bot API and SMTP servers.
 */
export function makeNotificationsProcessor(config: DeliveryConfig = deliveryConfig()) {
  return typedProcessor(NOTIFICATIONS_QUEUE, notificationJobSchemas, async (job) => {
    switch (job.name) {
      case "event":
        return handleNotificationEvent(job.data, config);
      case "send":
        return handleNotificationSend(job.data.notificationId, config);
    }
  });
}
