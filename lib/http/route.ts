import { z } from "zod";
import { canAdminister, canWrite } from "@/lib/auth/roles";
import { sessionUserFromRequest, type SessionUser } from "@/lib/auth/session";
import { ForbiddenError, UnauthenticatedError } from "@/lib/errors";
import { badRequest, clientIp, errorResponse } from "@/lib/http/errors";
import { FRIENDLY } from "@/lib/http/field-messages";

type Access = "public" | "read" | "write" | "admin";

interface RouteOptions<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  /** Who may call: `read` any signed-in user (default), `write` ADMIN/TRADER, `admin` ADMIN only, `public` anyone. */
  access?: Access;
  body?: B;
  query?: Q;
  params?: P;
}

interface RouteContext<B, Q, P, U> {
  req: Request;
  user: U;
  body: B;
  query: Q;
  params: P;
  ip: string;
}

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

/**
 * Route-handler wrapper: authenticate (401) → authorize by role (403) → parse params, query and JSON body
 * with zod (400 naming the fields) → handler → JSON. Typed errors map to the one error shape.
 */
export function route<
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  P extends z.ZodType | undefined = undefined,
  A extends Access = "read",
>(
  opts: RouteOptions<NonNullable<B>, NonNullable<Q>, NonNullable<P>> & { access?: A; body?: B; query?: Q; params?: P },
  handler: (ctx: RouteContext<Infer<B>, Infer<Q>, Infer<P>, A extends "public" ? SessionUser | null : SessionUser>) => Promise<unknown>,
) {
  return async (req: Request, segment?: { params?: Promise<Record<string, string | string[]>> }): Promise<Response> => {
    try {
      const access = opts.access ?? "read";
      const user = await sessionUserFromRequest(req);
      if (access !== "public") {
        if (!user) throw new UnauthenticatedError();
        if (access === "write" && !canWrite(user)) throw new ForbiddenError("Your role is read-only");
        if (access === "admin" && !canAdminister(user)) throw new ForbiddenError("Admins only");
      }
      const parsed: Record<"params" | "query" | "body", unknown> = { params: undefined, query: undefined, body: undefined };
      if (opts.params) {
        const r = opts.params.safeParse((await segment?.params) ?? {}, FRIENDLY);
        if (!r.success) return badRequest(r.error, "path parameters");
        parsed.params = r.data;
      }
      if (opts.query) {
        const r = opts.query.safeParse(Object.fromEntries(new URL(req.url).searchParams), FRIENDLY);
        if (!r.success) return badRequest(r.error, "query");
        parsed.query = r.data;
      }
      if (opts.body) {
        let json: unknown;
        try {
          json = await req.json();
        } catch {
          return badRequest(new z.ZodError([{ code: "custom", path: [], message: "Body must be valid JSON", input: undefined }]), "body");
        }
        const r = opts.body.safeParse(json, FRIENDLY);
        if (!r.success) return badRequest(r.error, "body");
        parsed.body = r.data;
      }
      const ctx = { req, user, ip: clientIp(req.headers), ...parsed };
      const result = await handler(ctx as Parameters<typeof handler>[0]);
      return result instanceof Response ? result : Response.json(result ?? { ok: true });
    } catch (e) {
      return errorResponse(e);
    }
  };
}
