import { route } from "@/lib/http/route";
import { readinessCheckRequestSchema, requestReadinessCheck } from "@/lib/services/readiness";

export const dynamic = "force-dynamic";

/** "Check now": 202 once the check is queued; results reach the board live as each account finishes. */
export const POST = route({ access: "write", body: readinessCheckRequestSchema }, async ({ user, body }) =>
  Response.json(await requestReadinessCheck(user, body), { status: 202 }),
);
