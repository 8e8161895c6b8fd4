import { z } from "zod";
import { route } from "@/lib/http/route";
import { subscribeRunEvents } from "@/lib/realtime/run-events";
import { sseResponse } from "@/lib/realtime/sse";
import { assertRunVisible } from "@/lib/services/run-view";

export const dynamic = "force-dynamic";
const params = z.object({ id: z.uuid("Not a run id") });

/** Live intent and run-status changes of one run, as Server-Sent Events (Redis pub/sub behind it). */
export const GET = route({ params }, async ({ req, user, params }) => {
  await assertRunVisible(user, params.id); // 404 outside the user's scope, before any stream opens
  return sseResponse(req.signal, (send) => subscribeRunEvents(params.id, send));
});
