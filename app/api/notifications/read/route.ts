import { route } from "@/lib/http/route";
import { markNotificationsRead, markReadSchema } from "@/lib/services/notifications";

/** Marks in-app messages read (`{ all: true }` or `{ ids }`); answers the unread count left. */
export const POST = route({ body: markReadSchema, maxBodyBytes: 8192 }, async ({ user, body }) =>
  markNotificationsRead(user, body),
);
