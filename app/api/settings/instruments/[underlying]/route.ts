import { z } from "zod";
import { route } from "@/lib/http/route";
import { instrumentInputSchema, saveInstrumentSetting } from "@/lib/services/settings";

const params = z.object({
  underlying: z
    .string()
    .max(20)
    .regex(/^[A-Z][A-Z0-9&-]*$/, "Upper-case underlying"),
});

export const PUT = route(
  { access: "admin", params, body: instrumentInputSchema },
  async ({ user, params, body, ip }) => {
    await saveInstrumentSetting(user, { ...body, underlying: params.underlying }, ip);
    return { ok: true };
  },
);
