import { v1Route } from "@/lib/http/api-v1/route";
import { executeRequestOf } from "@/lib/http/api-v1/idempotency";
import { executeStrategyRun } from "@/lib/http/api-v1/operations-orders";
import { executeStrategy } from "@/lib/services/strategies";

export const dynamic = "force-dynamic";

/** The same idempotency key (header or body) always answers the same run: 201 when created, 200 when seen before. */
export const POST = v1Route(executeStrategyRun, async ({ req, user, params, body, ip }) => {
  const request = executeRequestOf(req, body);
  if (!request.ok) return request.response;
  const run = await executeStrategy(user, params.id, request.value, ip);
  return Response.json(run, { status: run.created ? 201 : 200 });
});
