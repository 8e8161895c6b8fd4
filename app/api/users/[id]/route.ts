import { z } from "zod";
import { route } from "@/lib/http/route";
import { changeUser, updateUserSchema } from "@/lib/services/users";

const params = z.object({ id: z.uuid("Not a user id") });

/** Re-role, deactivate/reactivate or rename a user (admins only). */
export const PATCH = route({ access: "admin", params, body: updateUserSchema }, async ({ user, params, body, ip }) => ({
  user: await changeUser(user, params.id, body, ip),
}));
