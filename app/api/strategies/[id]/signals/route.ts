import { z } from "zod";
import { route } from "@/lib/http/route";
import { listSignals, signalLogQuerySchema } from "@/lib/services/webhooks";

export const dynamic = "force-dynamic";
const params = z.object({ id: z.uuid("Not a strategy id") });

/** The alert log, newest first: `?q=` searches reason, body, id and action; `before=<id>` pages to older alerts. */
export const GET = route({ params, query: signalLogQuerySchema }, async ({ user, params, query }) =>
  listSignals(user, params.id, query),
);
