import { z } from "zod";
import { route } from "@/lib/http/route";
import { userEventStream } from "@/lib/http/user-event-stream";
import { openUserStream, parseLastEventId } from "@/lib/services/user-stream";

export const dynamic = "force-dynamic";

const query = z.object({
  /** Resume point for a fresh EventSource (it cannot set headers); the browser's own reconnects send Last-Event-ID. */
  lastEventId: z
    .string()
    .regex(/^\d{1,15}$/, "Must be the id of an event this stream sent")
    .optional(),
});

/**
 * The signed-in user's live stream (docs/live-streams.md "The user stream"): run progress, account status, alerts,
 * kill-switch changes and the live positions book of every owner the user may read, as Server-Sent Events.
 */
export const GET = route({ query }, async ({ req, user, query }) => {
  const resume = parseLastEventId(req.headers.get("last-event-id") ?? query.lastEventId ?? null);
  return userEventStream(req, user, (send) => openUserStream(user, resume, send));
});
