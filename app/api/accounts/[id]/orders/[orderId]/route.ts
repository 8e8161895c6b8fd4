import { z } from "zod";
import { route } from "@/lib/http/route";
import { cancelAccountOrder, modifyAccountOrder, modifyOrderSchema } from "@/lib/services/accounts";

const params = z.object({ id: z.uuid("Not an account id"), orderId: z.string().min(1).max(64) });

/** Modify a working order (price, quantity, trigger, price type). */
export const PATCH = route({ access: "write", params, body: modifyOrderSchema }, async ({ user, params, body, ip }) => {
  await modifyAccountOrder(user, params.id, params.orderId, body, ip);
  return { ok: true };
});

/** Cancel a working order. */
export const DELETE = route({ access: "write", params }, async ({ user, params, ip }) => {
  await cancelAccountOrder(user, params.id, params.orderId, ip);
  return { ok: true };
});
