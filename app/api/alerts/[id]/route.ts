import { z } from "zod";
import { route } from "@/lib/http/route";
import { dismiss } from "@/lib/services/alerts";

const params = z.object({ id: z.uuid("Not an alert id") });

/** Dismiss (resolve) an alert. */
export const DELETE = route({ access: "write", params }, async ({ user, params }) => {
  await dismiss(user, params.id);
  return { ok: true };
});
