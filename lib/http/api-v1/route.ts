import type { z } from "zod";
import type { SessionUser } from "@/lib/auth/session";
import { route } from "@/lib/http/route";
import type { ApiOperation } from "./operation";

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

/**
 * A route handler for an /api/v1 operation: `route()` with API-key auth and exactly the operation's access level and
 * schemas, so what the route parses is what the OpenAPI document says.
 */
export function v1Route<
  P extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  B extends z.ZodType | undefined,
  A extends "public" | "read" | "write",
>(
  op: ApiOperation<P, Q, B, A>,
  handler: (ctx: {
    req: Request;
    user: A extends "public" ? SessionUser | null : SessionUser;
    params: Infer<P>;
    query: Infer<Q>;
    body: Infer<B>;
    ip: string;
  }) => Promise<unknown>,
) {
  return route<B, Q, P, A>(
    { auth: "apiKey", access: op.access, params: op.params, query: op.query, body: op.body },
    handler as Parameters<typeof route<B, Q, P, A>>[1],
  );
}
