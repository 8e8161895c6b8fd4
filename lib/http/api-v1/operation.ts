/**
 * One declaration per /api/v1 operation (docs/api.md, "OpenAPI"): its method, path, access level and the zod schemas
 * its route validates with. Route files build their handler from it (`v1Route`) and the OpenAPI document is generated
 * from the same objects, so a route and its documentation cannot drift apart.
 */
import { z } from "zod";

export type ApiTag = "Me" | "Accounts" | "Positions" | "Strategies" | "Runs" | "Exits" | "Kill switch" | "Meta";
export const API_TAGS: readonly ApiTag[] = [
  "Me",
  "Accounts",
  "Positions",
  "Strategies",
  "Runs",
  "Exits",
  "Kill switch",
  "Meta",
];

type Schema = z.ZodType | undefined;

export interface ApiOperation<
  P extends Schema = Schema,
  Q extends Schema = Schema,
  B extends Schema = Schema,
  A extends "public" | "read" | "write" = "public" | "read" | "write",
> {
  method: "GET" | "POST";
  /** OpenAPI path template: `/api/v1/strategies/{id}`. */
  path: `/api/v1${string}`;
  operationId: string;
  tag: ApiTag;
  summary: string;
  description?: string;
  /** The same gate as the session route: `read` any key, `write` a TRADE key of an ADMIN or TRADER, `public` no key. */
  access: A;
  params?: P;
  query?: Q;
  body?: B;
  /** Request headers the operation reads (documented; the handler parses them). */
  headers?: z.ZodObject;
  /** Statuses this operation may answer besides the ones every operation of its kind may (400, 401, 403, ...). */
  errors?: readonly number[];
  response: { status?: number; description: string; schema?: z.ZodType };
}

/** Keeps the literal types of an operation (its schemas and access) for `v1Route`. */
export function defineOperation<
  P extends Schema,
  Q extends Schema,
  B extends Schema,
  A extends "public" | "read" | "write",
>(op: ApiOperation<P, Q, B, A>): ApiOperation<P, Q, B, A> {
  return op;
}

/** What a key needs for the operation: `read` (any key) or `trade` (a TRADE key); null for public operations. */
export function scopeOf(op: Pick<ApiOperation, "access">): "read" | "trade" | null {
  return op.access === "public" ? null : op.access === "write" ? "trade" : "read";
}

/** The error statuses an operation documents: the ones its kind may always answer, plus its own. */
export function errorStatuses(op: ApiOperation): number[] {
  const out = new Set<number>();
  if (op.params || op.query || op.body || op.headers) out.add(400);
  if (op.access !== "public") [401, 403, 429].forEach((s) => out.add(s));
  if (op.params) out.add(404);
  if (op.body) [413, 415].forEach((s) => out.add(s));
  for (const s of op.errors ?? []) out.add(s);
  return [...out].sort((a, b) => a - b);
}

/** The one error shape of the API (lib/http/errors.ts `ErrorBody`). */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "Machine-readable code, e.g. BAD_REQUEST, NOT_FOUND, KILL_SWITCH" }),
      message: z.string().meta({ description: "What went wrong, in plain words" }),
      fields: z
        .record(z.string(), z.array(z.string()))
        .optional()
        .meta({ description: "Per-field messages, keyed by the field's dotted path" }),
    }),
  })
  .meta({ id: "Error" });
