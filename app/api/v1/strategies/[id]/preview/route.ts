import { v1Route } from "@/lib/http/api-v1/route";
import { previewStrategyRun } from "@/lib/http/api-v1/operations-desk";
import { previewStrategy } from "@/lib/services/strategies";

export const dynamic = "force-dynamic";

/** Changes nothing: a READ key may preview. */
export const POST = v1Route(previewStrategyRun, async ({ user, params, body }) => ({
  preview: await previewStrategy(user, params.id, body),
}));
