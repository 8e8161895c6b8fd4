import { v1Route } from "@/lib/http/api-v1/route";
import { getStrategyPositions } from "@/lib/http/api-v1/operations-desk";
import { strategyPositions } from "@/lib/services/positions";

export const dynamic = "force-dynamic";

export const GET = v1Route(getStrategyPositions, async ({ user, params }) => ({
  positions: await strategyPositions(user, params.id),
}));
