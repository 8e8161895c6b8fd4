import { z } from "zod";
import { route } from "@/lib/http/route";
import { getStrategyParity } from "@/lib/services/positions";

export const dynamic = "force-dynamic";
const params = z.object({ id: z.uuid("Not a strategy id") });
const query = z.object({
  limit: z.coerce.number("limit must be a number").int("limit must be a whole number").min(1).max(100).default(20),
});

/** Target vs filled quantity per account and leg over the strategy's latest runs. */
export const GET = route({ params, query }, async ({ user, params, query }) => ({
  parity: await getStrategyParity(user, params.id, query.limit),
}));
