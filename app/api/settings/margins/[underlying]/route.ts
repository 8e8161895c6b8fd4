import { z } from "zod";
import { route } from "@/lib/http/route";
import { marginsInputSchema, saveMargins } from "@/lib/services/settings";

const params = z.object({
  underlying: z
    .string()
    .max(20)
    .regex(/^[A-Z][A-Z0-9&-]*$/, "Upper-case underlying"),
});

export const PUT = route({ access: "admin", params, body: marginsInputSchema }, async ({ user, params, body, ip }) => {
  await saveMargins(user, params.underlying, body, ip);
  return { ok: true };
});
