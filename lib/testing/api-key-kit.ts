/** API keys for tests of the /api/v1 routes (never used by product code). */
import { newApiKey } from "@/lib/auth/api-keys";
import { db } from "@/lib/db/client";
import { insertApiKey } from "@/lib/db/queries/api-keys";
import { env } from "@/lib/env";

let counter = 0;

/** A real key for `user` with `scope`, stored as the product stores keys; returns the key to send. */
export async function makeApiKey(user: { id: string }, scope: "READ" | "TRADE" = "TRADE"): Promise<string> {
  counter += 1;
  const { key, hash, hint } = newApiKey();
  const row = { userId: user.id, name: `test key ${counter}`, scope, keyHash: hash, keyHint: hint, expiresAt: null };
  await insertApiKey(db(), row);
  return key;
}

/** A request as an API client sends it: a bearer key, JSON, no Origin and no cookie. */
export function keyRequest(
  url: string,
  init: { method?: string; body?: unknown; key?: string; headers?: Record<string, string> } = {},
): Request {
  const headers = new Headers(init.body === undefined ? {} : { "content-type": "application/json" });
  if (init.key) headers.set("authorization", `Bearer ${init.key}`);
  for (const [name, value] of Object.entries(init.headers ?? {})) headers.set(name, value);
  return new Request(`${new URL(env().APP_URL).origin}${url}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers,
    body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
  });
}
