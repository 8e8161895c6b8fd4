import { z } from "zod";
import { route } from "@/lib/http/route";
import { recentAudit } from "@/lib/services/audit";

const query = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.string().regex(/^\d+$/, "Must be an audit row id").optional(),
  action: z.string().max(100).optional(),
});

export const GET = route({ access: "admin", query }, async ({ query }) => ({ entries: await recentAudit(query) }));
