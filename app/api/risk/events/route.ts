import { route } from "@/lib/http/route";
import { listRiskEvents, riskEventsQuerySchema } from "@/lib/services/risk";

export const dynamic = "force-dynamic";

/** Risk events, newest first; `?runId=` for one run's, `?limit=` up to 500. */
export const GET = route({ query: riskEventsQuerySchema }, async ({ user, query }) => listRiskEvents(user, query));
