/**
 * The OpenAPI 3.1 document of /api/v1, generated from the operation declarations (./operations.ts) with zod-openapi:
 * the path, query, header and body schemas are the very ones the routes parse with. Built once per process.
 */
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from "zod-openapi";
import type { oas31 } from "zod-openapi";
import { API_TAGS, errorBodySchema, errorStatuses, scopeOf, type ApiOperation } from "./operation";
import { API_V1_OPERATIONS } from "./operations";

/** What each documented error status means on this API (docs/api.md). */
const ERROR_MEANINGS: Record<number, string> = {
  400: "Bad input: `error.fields` names each field and what is wrong with it",
  401: "No API key, or an unknown, revoked or expired one",
  403: "The key is read-only, or the key's user may not do this (role)",
  404: "Not found, or another trader's",
  409: "Conflicts with the current state (nothing open, market closed, stale prices, ...)",
  413: "Body larger than the limit",
  415: "Body is not application/json",
  422: "The strategy cannot be planned as it stands; `error.fields.legs` says why",
  423: "The kill switch is engaged: entries are blocked",
  429: "The key's per-minute budget is spent; see the Retry-After header",
};

export const SECURITY_SCHEME = "apiKey";
/** The extension naming the key scope an operation needs: `read` or `trade`. */
export const SCOPE_EXTENSION = "x-mirrordesk-scope";

function operationObject(op: ApiOperation): ZodOpenApiOperationObject {
  const scope = scopeOf(op);
  const responses: Record<string, ZodOpenApiResponseObject> = {
    [String(op.response.status ?? 200)]: {
      description: op.response.description,
      ...(op.response.schema ? { content: { "application/json": { schema: op.response.schema } } } : {}),
    },
  };
  for (const status of errorStatuses(op))
    responses[String(status)] = {
      description: ERROR_MEANINGS[status] ?? "Error",
      content: { "application/json": { schema: errorBodySchema } },
    };
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    security: scope ? [{ [SECURITY_SCHEME]: [] }] : [],
    [SCOPE_EXTENSION]: scope ?? "public",
    requestParams: {
      ...(op.params ? { path: op.params as never } : {}),
      ...(op.query ? { query: op.query as never } : {}),
      ...(op.headers ? { header: op.headers } : {}),
    },
    ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: op.body } } } } : {}),
    responses,
  };
}

/** Builds the document (use `openApiDocument()`, which caches it). */
export function buildOpenApiDocument(): oas31.OpenAPIObject {
  const paths: ZodOpenApiPathsObject = {};
  for (const op of API_V1_OPERATIONS) {
    paths[op.path] ??= {};
    (paths[op.path] as Record<string, ZodOpenApiOperationObject>)[op.method.toLowerCase()] = operationObject(op);
  }
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "MirrorDesk API",
      version: "1.0.0",
      description:
        "Read the desk and send orders with a personal API key: `Authorization: Bearer mdk_…`. READ keys may only " +
        "read; TRADE keys may do whatever the key's user may do. Errors share one shape (`Error`).",
    },
    tags: API_TAGS.map((name) => ({ name })),
    components: {
      securitySchemes: {
        [SECURITY_SCHEME]: { type: "http", scheme: "bearer", bearerFormat: "mdk_ API key" },
      },
    },
    paths,
  }) as oas31.OpenAPIObject;
}

let cached: oas31.OpenAPIObject | undefined;

export function openApiDocument(): oas31.OpenAPIObject {
  cached ??= buildOpenApiDocument();
  return cached;
}
