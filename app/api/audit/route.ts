import { z } from "zod";
import { route } from "@/lib/http/route";
import { recentAudit } from "@/lib/services/audit";

/** Audit ids are Postgres bigints. */
const MAX_BIGINT = 9_223_372_036_854_775_807n;

const query = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z
    .string()
    .regex(/^\d{1,19}$/, "Must be an audit row id")
    // String checks all run even after one failed: only compare what the regex let through.
    .refine((v) => !/^\d{1,19}$/.test(v) || BigInt(v) <= MAX_BIGINT, "Must be an audit row id")
    .optional(),
  action: z.string().max(100).optional(),
});

export const GET = route({ access: "admin", query }, async ({ query }) => ({ entries: await recentAudit(query) }));
