import { z } from "zod";
import { route } from "@/lib/http/route";
import { listRunViews } from "@/lib/services/runs";

export const dynamic = "force-dynamic";

const query = z.object({
  strategyId: z.uuid("Not a strategy id").optional(),
  /** The run an Execute/Send click created, found by the key the browser sent with it (after a lost response). */
  idempotencyKey: z
    .string()
    .regex(/^[A-Za-z0-9-]{8,100}$/, "8–100 letters, digits or dashes")
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const GET = route({ query }, async ({ user, query }) => ({ runs: await listRunViews(user, query) }));
