import { z } from "zod";
import { ACCESS_GATE, authorize } from "@/lib/auth/authorize";
import { apiKeyUserFromHeader } from "@/lib/auth/api-keys";
import { assertKeyAttemptsLeft, spendApiKeyBudget, spendFailedKeyAttempt } from "@/lib/auth/api-key-limit";
import { sessionUserFromRequest, type SessionUser } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { CrossOriginError, UnauthenticatedError, UnsupportedMediaTypeError } from "@/lib/errors";
import { assertDeclaredLength, DEFAULT_MAX_BODY_BYTES, readBodyText } from "@/lib/http/body";
import { badRequest, clientIp, errorResponse } from "@/lib/http/errors";
import { isJsonContentType, isSameOriginRequest, MUTATING_METHODS } from "@/lib/http/same-origin";
import { FRIENDLY } from "@/lib/http/field-messages";
import { jsonify } from "@/lib/util/jsonify";

type Access = "public" | "read" | "write" | "admin";

interface RouteOptions<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  /** Who may call: `read` any signed-in user (default), `write` ADMIN/TRADER, `admin` ADMIN only, `public` anyone. */
  access?: Access;
  body?: B;
  query?: Q;
  params?: P;
  /** Largest accepted request body in bytes (default 64 KiB); larger bodies get 413. */
  maxBodyBytes?: number;
  /**
   * Accept state-changing requests from other origins. Only for machine ingress that authenticates each request by
   * its own secret (a webhook), never for anything a browser session can reach.
   */
  allowCrossOrigin?: boolean;
  /**
   * How the caller proves who they are: the session cookie (default), or a personal API key as
   * `Authorization: Bearer mdk_…` (the /api/v1 surface, docs/api.md). A key is no ambient credential a browser could
   * send on its own, so key routes need no same-origin check; each key has its own rate budget.
   */
  auth?: "session" | "apiKey";
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
 * Route-handler wrapper: state-changing requests must come from our own origin (403) and carry JSON (415) → body size
 * cap (413) → authenticate (401) → authorize by role (403) → parse params, query and JSON body with zod (400 naming
 * the fields) → handler → JSON. Typed errors map to the one error shape.
 */
export function route<
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  P extends z.ZodType | undefined = undefined,
  A extends Access = "read",
>(
  opts: RouteOptions<NonNullable<B>, NonNullable<Q>, NonNullable<P>> & { access?: A; body?: B; query?: Q; params?: P },
  handler: (
    ctx: RouteContext<Infer<B>, Infer<Q>, Infer<P>, A extends "public" ? SessionUser | null : SessionUser>,
  ) => Promise<unknown>,
) {
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return async (req: Request, segment?: { params?: Promise<Record<string, string | string[]>> }): Promise<Response> => {
    try {
      const byKey = opts.auth === "apiKey";
      assertRequestShape(req, { ...opts, allowCrossOrigin: opts.allowCrossOrigin || byKey });
      assertDeclaredLength(req.headers, maxBody);
      const access: Access = opts.access ?? "read";
      const ip = clientIp(req.headers);
      const user = await callerOf(req, byKey, ip);
      if (access !== "public") {
        if (!user) throw new UnauthenticatedError();
        authorize(user, ACCESS_GATE[access]);
      }
      const parsed: Record<"params" | "query" | "body", unknown> = {
        params: undefined,
        query: undefined,
        body: undefined,
      };
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
        const text = await readBodyText(req, maxBody);
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          return badRequest(
            new z.ZodError([{ code: "custom", path: [], message: "Body must be valid JSON", input: undefined }]),
            "body",
          );
        }
        const r = opts.body.safeParse(json, FRIENDLY);
        if (!r.success) return badRequest(r.error, "body");
        parsed.body = r.data;
      }
      const ctx = { req, user, ip, ...parsed };
      const result = await handler(ctx as Parameters<typeof handler>[0]);
      // One serialisation for every route: what a service returns reaches the browser as its `Jsonified` shape.
      return result instanceof Response ? result : Response.json(jsonify(result ?? { ok: true }));
    } catch (e) {
      return errorResponse(e);
    }
  };
}

/**
 * The signed-in user, or the user of a valid API key (after spending one request of the key's rate budget). A key
 * that does not work counts against its sender's address, which is refused (429) once it has sent too many.
 */
async function callerOf(req: Request, byKey: boolean, ip: string): Promise<SessionUser | null> {
  if (!byKey) return sessionUserFromRequest(req);
  const header = req.headers.get("authorization");
  if (header === null) return null;
  await assertKeyAttemptsLeft(ip);
  const user = await apiKeyUserFromHeader(header);
  if (user) await spendApiKeyBudget(user.apiKeyId);
  else await spendFailedKeyAttempt(ip);
  return user;
}

/**
 * Cross-site request forgery defence for state-changing methods: the request must come from our own origin, and a
 * body must be JSON — a cross-site form or `text/plain` post (which a browser sends without asking) is refused.
 */
function assertRequestShape(req: Request, opts: { body?: unknown; allowCrossOrigin?: boolean }): void {
  if (!MUTATING_METHODS.has(req.method.toUpperCase())) return;
  if (
    !opts.allowCrossOrigin &&
    !isSameOriginRequest(req.headers, { appUrl: env().APP_URL, trustHost: env().AUTH_TRUST_HOST })
  ) {
    throw new CrossOriginError();
  }
  const hasContentType = req.headers.get("content-type") !== null;
  if ((opts.body || hasContentType) && !isJsonContentType(req.headers)) throw new UnsupportedMediaTypeError();
}
