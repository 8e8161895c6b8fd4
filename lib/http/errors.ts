import { z } from "zod";
import { env } from "@/lib/env";
import { AppError, RateLimitedError } from "@/lib/errors";
import { log } from "@/lib/log";
import { describeFields } from "@/lib/http/field-messages";

/** The one JSON error shape of the API. */
export interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string[]> };
}

/** Field errors keyed by dotted path, from a zod error. */
export function zodFields(error: z.ZodError): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join(".") : "_";
    (fields[key] ??= []).push(issue.message);
  }
  return fields;
}

/** Maps any thrown value to status + body. Unknown errors are logged and answered without internals. */
export function errorResponse(e: unknown): Response {
  if (e instanceof AppError) {
    const body: ErrorBody = { error: { code: e.code, message: e.message, ...(e.fields ? { fields: e.fields } : {}) } };
    const headers = e instanceof RateLimitedError ? { "Retry-After": String(e.retryAfterSeconds) } : undefined;
    return Response.json(body, { status: e.status, headers });
  }
  log().error({ err: e }, "unhandled error");
  return Response.json(
    { error: { code: "INTERNAL", message: "Something went wrong. It has been logged." } } satisfies ErrorBody,
    { status: 500 },
  );
}

/** 400 for input that failed its schema; `where` (body, query, path parameters) names a form-level problem. */
export function badRequest(error: z.ZodError, where: string): Response {
  const fields = zodFields(error);
  const message = Object.keys(fields).some((k) => k !== "_")
    ? describeFields(fields)
    : `${(fields._ ?? []).join(" ")} (${where})`;
  return Response.json({ error: { code: "BAD_REQUEST", message, fields } } satisfies ErrorBody, { status: 400 });
}

/**
 * Client IP for throttling and the audit log. Proxies APPEND to X-Forwarded-For, so only the entries added by our own
 * proxies can be trusted: with `hops` trusted proxies in front (TRUSTED_PROXY_HOPS, e.g. 1: one TLS proxy), the
 * client is the `hops`-th entry from the right — whatever a client writes into the header itself stays further left
 * and cannot dodge a per-IP limit or frame another address. Without X-Forwarded-For: X-Real-IP, else "unknown".
 * With no trusted proxy (0, the default) both headers are the client's own words, so the address is "unknown"
 * (Next.js gives route handlers no socket address).
 */
export function clientIp(headers: Headers, hops = env().TRUSTED_PROXY_HOPS): string {
  if (hops === 0) return "unknown";
  const chain = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  if (chain.length > 0) return chain[Math.max(0, chain.length - Math.max(1, hops))];
  return headers.get("x-real-ip") ?? "unknown";
}
