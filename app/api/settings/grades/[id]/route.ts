import { z } from "zod";
import { route } from "@/lib/http/route";
import { deleteGrade, gradeInputSchema, saveGrade } from "@/lib/services/settings";

const params = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, "1–32 letters, digits, - or _") });

export const PUT = route(
  { access: "admin", params, body: gradeInputSchema.omit({ id: true }) },
  async ({ user, params, body, ip }) => {
    await saveGrade(user, { ...body, id: params.id }, ip);
    return { ok: true };
  },
);

export const DELETE = route({ access: "admin", params }, async ({ user, params, ip }) => {
  await deleteGrade(user, params.id, ip);
  return { ok: true };
});
