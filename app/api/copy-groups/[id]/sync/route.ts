import { z } from "zod";
import { route } from "@/lib/http/route";
import { syncCopyChild } from "@/lib/services/copy";

const params = z.object({ id: z.uuid("Not a copy group id") });
const body = z
  .object({
    accountId: z.uuid("Not an account id"),
    symbol: z.string().trim().min(1, "Symbol is empty").max(64, "Symbol is too long").optional(),
    exchange: z.string().trim().min(1, "Exchange is empty").max(16, "Exchange is too long").optional(),
    product: z.enum(["MIS", "NRML", "CNC"], "Product must be MIS, NRML or CNC").optional(),
  })
  .strict();

/** "Sync now": orders that bring one child to its share (all contracts, or the one named). */
export const POST = route({ access: "write", params, body }, async ({ user, params, body, ip }) =>
  syncCopyChild(user, params.id, body, ip),
);
