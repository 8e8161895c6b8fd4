import { route } from "@/lib/http/route";
import { createApiKey, createApiKeySchema, listApiKeys } from "@/lib/services/api-keys";

/** The signed-in user's own API keys (never the keys themselves). */
export const GET = route({}, async ({ user }) => ({ apiKeys: await listApiKeys(user) }));

/** Creates a key; the answer carries it once and never again. Any role may create a READ key. */
export const POST = route({ body: createApiKeySchema, maxBodyBytes: 4096 }, async ({ user, body, ip }) =>
  createApiKey(user, body, ip),
);
