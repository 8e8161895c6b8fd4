import type { z } from "zod";
import { ValidationError } from "@/lib/errors";
import { badRequest } from "@/lib/http/errors";
import { FRIENDLY } from "@/lib/http/field-messages";
import { executeRequestSchema } from "@/lib/services/strategies";
import type { v1ExecuteBodySchema } from "./operations-orders";

type ExecuteRequest = z.infer<typeof executeRequestSchema>;

/**
 * The execute request with its idempotency key taken from the `Idempotency-Key` header or the body's
 * `idempotencyKey` (docs/api.md, "Idempotency"), parsed by the session route's own schema. Both given and different,
 * or neither given: 400 naming `idempotencyKey`. Answers a 400 Response when the key itself is malformed.
 */
export function executeRequestOf(
  req: Request,
  body: z.infer<typeof v1ExecuteBodySchema>,
): { ok: true; value: ExecuteRequest } | { ok: false; response: Response } {
  const header = req.headers.get("idempotency-key");
  if (header !== null && body.idempotencyKey !== undefined && header.trim() !== body.idempotencyKey)
    throw new ValidationError("The Idempotency-Key header and the body's idempotencyKey differ", {
      idempotencyKey: ["Differs from the Idempotency-Key header: send one key"],
    });
  const key = body.idempotencyKey ?? header ?? undefined;
  if (key === undefined)
    throw new ValidationError("idempotencyKey: required (the Idempotency-Key header or the body's idempotencyKey)", {
      idempotencyKey: ["Required: send an Idempotency-Key header (8–100 characters), one per intended run"],
    });
  const r = executeRequestSchema.safeParse({ ...body, idempotencyKey: key }, FRIENDLY);
  return r.success ? { ok: true, value: r.data } : { ok: false, response: badRequest(r.error, "body") };
}
