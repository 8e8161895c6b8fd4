import { strategyIdParams } from "@/lib/http/request-schemas";
import { route } from "@/lib/http/route";
import { executeRequestSchema, executeStrategy } from "@/lib/services/strategies";

const params = strategyIdParams;

/** Plans afresh and sends through the dispatch queue; the same idempotency key always answers the same run. */
export const POST = route(
  { access: "write", params, body: executeRequestSchema },
  async ({ user, params, body, ip }) => {
    const run = await executeStrategy(user, params.id, body, ip);
    return Response.json(run, { status: run.created ? 201 : 200 });
  },
);
