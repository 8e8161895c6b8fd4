import { route } from "@/lib/http/route";
import { listNotifications, listNotificationsQuerySchema } from "@/lib/services/notifications";

/** The signed-in user's latest messages (all channels, or one) and the count of unread in-app ones. */
export const GET = route({ query: listNotificationsQuerySchema }, async ({ user, query }) =>
  listNotifications(user, query),
);
