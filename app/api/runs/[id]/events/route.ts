import { z } from "zod";
import { route } from "@/lib/http/route";
import { subscribeRunEvents } from "@/lib/realtime/run-events";
import { userEventStream } from "@/lib/http/user-event-stream";
import { assertRunVisible } from "@/lib/services/runs";

export const dynamic = "force-dynamic";
const params = z.object({ id: z.uuid("Not a run id") });

/**
 * Live intent and run-status changes of one run, as Server-Sent Events (one shared Redis subscriber per process;
 * a per-user stream cap; the session re-checked on every heartbeat).
 */
export const GET = route({ params }, async ({ req, user, params }) => {
  await assertRunVisible(user, params.id); // 404 outside the user's scope, before any stream opens
  return userEventStream(req, user, (send) => subscribeRunEvents(params.id, send));
});
