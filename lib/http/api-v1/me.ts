import type { ApiKeyUser } from "@/lib/auth/api-keys";
import type { SessionUser } from "@/lib/auth/session";
import { UnauthenticatedError } from "@/lib/errors";

/** `GET /api/v1/me`: the key's user and the key's id and scope (v1 routes authenticate by key only). */
export function describeApiKeyUser(user: SessionUser) {
  if (!("apiKeyId" in user)) throw new UnauthenticatedError("An API key is required");
  const u = user as ApiKeyUser;
  return {
    user: { id: u.id, email: u.email, name: u.name, role: u.role },
    apiKey: { id: u.apiKeyId, scope: u.apiKeyScope },
  };
}
