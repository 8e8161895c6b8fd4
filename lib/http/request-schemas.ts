/**
 * Path-parameter and query schemas shared by the session routes and the /api/v1 routes that mirror them, so both
 * edges parse (and the OpenAPI document describes) exactly the same input. Body schemas live beside their services.
 */
import { z } from "zod";
import { bookSchema } from "@/lib/services/accounts";

export const accountIdParams = z.object({ id: z.uuid("Not an account id") });
export const accountBookParams = z.object({ id: z.uuid("Not an account id"), book: bookSchema });
export const strategyIdParams = z.object({ id: z.uuid("Not a strategy id") });
export const runIdParams = z.object({ id: z.uuid("Not a run id") });

export const runListQuerySchema = z.object({
  strategyId: z.uuid("Not a strategy id").optional(),
  /** The run an Execute/Send click created, found by the key sent with it (after a lost response). */
  idempotencyKey: z
    .string()
    .regex(/^[A-Za-z0-9-]{8,100}$/, "8–100 letters, digits or dashes")
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
