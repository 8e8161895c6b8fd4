import { z } from "zod";
import { route } from "@/lib/http/route";
import { addLegsSchema, addStrategyLegs } from "@/lib/services/strategies";

const params = z.object({ id: z.uuid("Not a strategy id") });

/** Adjustment legs added to a live strategy; answers the new leg indices so they can be executed alone. */
export const POST = route({ access: "write", params, body: addLegsSchema }, async ({ user, params, body, ip }) =>
  addStrategyLegs(user, params.id, body, ip),
);
