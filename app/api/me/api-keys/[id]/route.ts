import { z } from "zod";
import { route } from "@/lib/http/route";
import { revokeApiKey } from "@/lib/services/api-keys";

const params = z.object({ id: z.uuid("Not an API key id") });

/** Revokes one of the signed-in user's keys; it stops working on the next request. */
export const DELETE = route({ params }, async ({ user, params, ip }) => ({
  apiKey: await revokeApiKey(user, params.id, ip),
}));
